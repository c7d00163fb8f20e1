/* Unit tests for lib/strset.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strset.h"

/* Checks that iteration, lookup and the count of 'set' agree. */
static void
strset_assert_valid(const struct strset *set)
{
    const char *name;
    size_t n = 0;
    STRSET_FOR_EACH (name, set) {
        struct strset_node *node = strset_find(set, name);
        assert_non_null(node);
        assert_ptr_equal(node->name, name);
        n++;
    }
    assert_int_equal(n, strset_count(set));
    assert_int_equal(n == 0, strset_is_empty(set));
}

/* Checks that 'set' holds exactly the 'n' strings of 'expected', in
 * order. */
static void
strset_assert_sorted(const struct strset *set, const char *const *expected,
                     size_t n)
{
    const char **names = strset_sort(set);
    assert_int_equal(strset_count(set), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(names[i], expected[i]);
    }
    free(names);
}

static void
test_strset_add_contains_remove(void **state)
{
    struct strset set = STRSET_INITIALIZER(&set);

    assert_false(strset_contains(&set, "a"));
    assert_true(strset_add(&set, "a"));
    assert_false(strset_add(&set, "a"));
    assert_true(strset_add(&set, "b"));
    assert_true(strset_add(&set, ""));
    assert_int_equal(strset_count(&set), 3);
    assert_true(strset_contains(&set, "a"));
    assert_true(strset_contains(&set, ""));
    assert_false(strset_contains(&set, "ab"));
    strset_assert_valid(&set);

    assert_true(strset_remove(&set, "a"));
    assert_false(strset_remove(&set, "a"));
    assert_false(strset_contains(&set, "a"));
    strset_remove_node(&set, strset_find(&set, "b"));
    assert_int_equal(strset_count(&set), 1);
    strset_assert_valid(&set);

    strset_clear(&set);
    assert_true(strset_is_empty(&set));
    assert_true(strset_add(&set, "again"));
    strset_assert_valid(&set);
    strset_uninit(&set);
    strset_uninit(NULL);
}

static void
test_strset_many(void **state)
{
    enum { N = 3000 };
    struct strset set;
    char name[32];

    strset_init(&set);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "port-%d", i);
        assert_true(strset_add(&set, name));
    }
    for (int i = 0; i < N; i += 3) {
        snprintf(name, sizeof name, "port-%d", i);
        assert_true(strset_remove(&set, name));
    }
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "port-%d", i);
        assert_int_equal(strset_contains(&set, name), i % 3 != 0);
    }
    assert_int_equal(strset_count(&set), N - N / 3);
    strset_assert_valid(&set);
    strset_uninit(&set);
}

static void
test_strset_array_and_delimited(void **state)
{
    static const char *const array[] = { "x", "y", "x", "z" };
    static const char *const xyz[] = { "x", "y", "z" };
    struct strset set;

    strset_init(&set);
    strset_add_array(&set, array, 4);
    strset_assert_sorted(&set, xyz, 3);
    strset_clear(&set);

    static const struct {
        const char *input;      /* Argument to strset_add_delimited(). */
        const char *expected[4]; /* Result, sorted, NULL-terminated. */
    } cases[] = {
        { "a,b,c", { "a", "b", "c", NULL } },
        { "a, b,,c ", { "a", "b", "c", NULL } },
        { ",,, ", { NULL } },
        { "", { NULL } },
        { "dup dup,dup", { "dup", NULL } },
        { "10.0.0.1 00:00:00:00:00:01", { "00:00:00:00:00:01", "10.0.0.1",
                                          NULL } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = 0;
        while (cases[i].expected[n]) {
            n++;
        }
        strset_add_delimited(&set, cases[i].input, ", ");
        strset_assert_sorted(&set, cases[i].expected, n);
        strset_assert_valid(&set);
        strset_clear(&set);
    }
    strset_uninit(&set);
}

static void
test_strset_clone_equal_swap(void **state)
{
    struct strset a, b, c;

    strset_init(&a);
    strset_init(&b);
    assert_true(strset_equal(&a, &b));
    strset_add(&a, "p");
    strset_add(&a, "q");
    strset_add(&b, "q");
    assert_false(strset_equal(&a, &b));
    strset_add(&b, "p");
    assert_true(strset_equal(&a, &b));
    strset_remove(&b, "p");
    strset_add(&b, "r");
    assert_false(strset_equal(&a, &b));
    assert_false(strset_equal(&b, &a));

    strset_clone(&c, &a);
    assert_true(strset_equal(&a, &c));
    strset_add(&c, "s");
    assert_false(strset_contains(&a, "s"));
    strset_assert_valid(&c);

    strset_swap(&a, &c);
    assert_true(strset_contains(&a, "s"));
    assert_false(strset_contains(&c, "s"));
    strset_assert_valid(&a);
    strset_assert_valid(&c);

    strset_uninit(&a);
    strset_uninit(&b);
    strset_uninit(&c);
}

static void
test_strset_sort(void **state)
{
    static const char *const sorted[] = { "", "A", "a", "a1", "b" };
    struct strset set;

    strset_init(&set);
    assert_null(strset_sort(&set));
    strset_add(&set, "b");
    strset_add(&set, "a1");
    strset_add(&set, "");
    strset_add(&set, "a");
    strset_add(&set, "A");
    strset_assert_sorted(&set, sorted, 5);
    strset_uninit(&set);
}

static void
test_strset_remove_during_iteration(void **state)
{
    struct strset set;
    char name[16];
    const char *s;

    strset_init(&set);
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "%d", i);
        strset_add(&set, name);
    }
    STRSET_FOR_EACH_SAFE (s, &set) {
        if (atoi(s) % 2) {
            strset_remove(&set, s);
        }
    }
    assert_int_equal(strset_count(&set), 100);
    STRSET_FOR_EACH (s, &set) {
        assert_int_equal(atoi(s) % 2, 0);
    }
    strset_assert_valid(&set);
    strset_uninit(&set);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strset_add_contains_remove),
        cmocka_unit_test(test_strset_many),
        cmocka_unit_test(test_strset_array_and_delimited),
        cmocka_unit_test(test_strset_clone_equal_swap),
        cmocka_unit_test(test_strset_sort),
        cmocka_unit_test(test_strset_remove_during_iteration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
