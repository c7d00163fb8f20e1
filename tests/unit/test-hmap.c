/* Unit tests for lib/hmap.h and lib/list.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/uuid.h"
#include <stdio.h>

struct element {
    struct hmap_node node;
    struct list list_node;
    int value;
};

/* A deliberately bad hash puts many elements in one bucket. */
static uint32_t
bad_hash(int value)
{
    return value % 7;
}

static void
check_contents(struct hmap *hmap, const bool *present, int n)
{
    size_t count = 0;
    struct element *e;
    HMAP_FOR_EACH (e, node, hmap) {
        assert_true(e->value >= 0 && e->value < n);
        assert_true(present[e->value]);
        count++;
    }
    size_t expected = 0;
    for (int i = 0; i < n; i++) {
        expected += present[i];
        if (present[i]) {
            bool found = false;
            HMAP_FOR_EACH_WITH_HASH (e, node, bad_hash(i), hmap) {
                found |= e->value == i;
            }
            assert_true(found);
        }
    }
    assert_int_equal(count, expected);
    assert_int_equal(hmap_count(hmap), expected);
}

static void
test_hmap_insert_remove_many(void **state)
{
    enum { N = 500 };
    struct element elems[N];
    bool present[N] = { false };
    struct hmap hmap;

    hmap_init(&hmap);
    for (int i = 0; i < N; i++) {
        elems[i].value = i;
        hmap_insert(&hmap, &elems[i].node, bad_hash(i));
        present[i] = true;
        if (i % 50 == 0) {
            check_contents(&hmap, present, N);
        }
    }
    check_contents(&hmap, present, N);
    for (int i = 0; i < N; i += 3) {
        hmap_remove(&hmap, &elems[i].node);
        present[i] = false;
    }
    check_contents(&hmap, present, N);
    hmap_uninit(&hmap);
}

static void
test_hmap_remove_during_iteration(void **state)
{
    enum { N = 100 };
    struct hmap hmap;
    hmap_init(&hmap);
    for (int i = 0; i < N; i++) {
        struct element *e = malloc(sizeof *e);
        e->value = i;
        hmap_insert(&hmap, &e->node, hash_int(i, 0));
    }
    struct element *e;
    int n = 0;
    HMAP_FOR_EACH_SAFE (e, node, &hmap) {
        hmap_remove(&hmap, &e->node);
        free(e);
        n++;
    }
    assert_int_equal(n, N);
    assert_true(hmap_is_empty(&hmap));
    hmap_uninit(&hmap);
}

static void
test_hmap_pop_empties_map(void **state)
{
    enum { N = 1000 };
    struct hmap hmap;
    bool seen[N] = { false };
    hmap_init(&hmap);
    for (int i = 0; i < N; i++) {
        struct element *e = malloc(sizeof *e);
        e->value = i;
        hmap_insert(&hmap, &e->node, hash_int(i, 0));
    }
    struct element *e;
    int n = 0;
    HMAP_FOR_EACH_POP (e, node, &hmap) {
        assert_false(seen[e->value]);
        seen[e->value] = true;
        free(e);
        n++;
    }
    assert_int_equal(n, N);
    assert_true(hmap_is_empty(&hmap));
    assert_null(hmap_first(&hmap));
    hmap_uninit(&hmap);
}

static void
test_uuid_format_round_trip(void **state)
{
    for (int i = 0; i < 100; i++) {
        struct uuid a, b;
        char s[UUID_LEN + 1], t[UUID_LEN + 1];
        uuid_generate(&a);
        uuid_to_buffer(&a, s);
        snprintf(t, sizeof t, UUID_FMT, UUID_ARGS(&a));
        assert_string_equal(s, t);
        assert_true(uuid_from_string(&b, s));
        assert_true(uuid_equals(&a, &b));
    }
}

static void
test_list_push_pop_order(void **state)
{
    struct element elems[5];
    struct list list = LIST_INITIALIZER(&list);

    for (int i = 0; i < 5; i++) {
        elems[i].value = i;
        list_push_back(&list, &elems[i].list_node);
    }
    assert_int_equal(list_size(&list), 5);
    list_remove(&elems[2].list_node);

    int expected[] = { 0, 1, 3, 4 }, i = 0;
    struct element *e;
    LIST_FOR_EACH (e, list_node, &list) {
        assert_int_equal(e->value, expected[i++]);
    }
    assert_int_equal(i, 4);
    LIST_FOR_EACH_POP (e, list_node, &list) {
        i--;
    }
    assert_int_equal(i, 0);
    assert_true(list_is_empty(&list));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmap_insert_remove_many),
        cmocka_unit_test(test_hmap_remove_during_iteration),
        cmocka_unit_test(test_hmap_pop_empties_map),
        cmocka_unit_test(test_uuid_format_round_trip),
        cmocka_unit_test(test_list_push_pop_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
