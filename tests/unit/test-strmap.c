/* Unit tests for lib/strmap.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strmap.h"

/* Checks that iteration, lookup and the count of 'map' agree. */
static void
strmap_assert_valid(const struct strmap *map)
{
    struct strmap_node *node;
    size_t n = 0;
    STRMAP_FOR_EACH (node, map) {
        assert_ptr_equal(strmap_find_node(map, node->key), node);
        assert_string_equal(strmap_find(map, node->key), node->value);
        n++;
    }
    assert_int_equal(n, strmap_count(map));
    assert_int_equal(n == 0, strmap_is_empty(map));
}

static void
test_strmap_add_find(void **state)
{
    struct strmap map = STRMAP_INITIALIZER(&map);

    assert_null(strmap_find(&map, "a"));
    assert_true(strmap_add(&map, "a", "1"));
    assert_true(strmap_add(&map, "b", "2"));
    assert_true(strmap_add(&map, "", "empty key"));
    strmap_assert_valid(&map);

    assert_int_equal(strmap_count(&map), 3);
    assert_string_equal(strmap_find(&map, "a"), "1");
    assert_string_equal(strmap_get(&map, "b"), "2");
    assert_string_equal(strmap_find(&map, ""), "empty key");
    assert_null(strmap_find(&map, "c"));
    assert_true(strmap_contains(&map, "a"));
    assert_false(strmap_contains(&map, "A"));
    assert_string_equal(strmap_find_default(&map, "c", "dflt"), "dflt");
    assert_string_equal(strmap_find_default(&map, "a", "dflt"), "1");

    /* Adding an existing key changes nothing. */
    assert_false(strmap_add(&map, "a", "other"));
    assert_string_equal(strmap_find(&map, "a"), "1");
    assert_false(strmap_add_nocopy(&map, strdup("b"), strdup("x")));
    assert_string_equal(strmap_find(&map, "b"), "2");
    assert_int_equal(strmap_count(&map), 3);

    assert_true(strmap_add_format(&map, "n", "%d-%s", 42, "x"));
    assert_string_equal(strmap_find(&map, "n"), "42-x");
    assert_false(strmap_add_format(&map, "n", "%d", 1));
    strmap_assert_valid(&map);

    strmap_uninit(&map);
}

static void
test_strmap_replace(void **state)
{
    struct strmap map;
    strmap_init(&map);

    strmap_replace(&map, "k", "v1");
    assert_string_equal(strmap_find(&map, "k"), "v1");
    strmap_replace(&map, "k", "v2");
    assert_string_equal(strmap_find(&map, "k"), "v2");
    strmap_replace_nocopy(&map, "k", strdup("v3"));
    strmap_replace_nocopy(&map, "k2", strdup("w"));
    assert_string_equal(strmap_find(&map, "k"), "v3");
    assert_string_equal(strmap_find(&map, "k2"), "w");
    assert_int_equal(strmap_count(&map), 2);
    strmap_assert_valid(&map);

    strmap_uninit(&map);
}

static void
test_strmap_remove_steal(void **state)
{
    struct strmap map;
    strmap_init(&map);
    strmap_add(&map, "a", "1");
    strmap_add(&map, "b", "2");
    strmap_add(&map, "c", "3");

    assert_true(strmap_remove(&map, "a"));
    assert_false(strmap_remove(&map, "a"));
    assert_null(strmap_find(&map, "a"));

    char *value = strmap_steal(&map, "b");
    assert_string_equal(value, "2");
    free(value);
    assert_null(strmap_steal(&map, "b"));

    strmap_remove_node(&map, strmap_find_node(&map, "c"));
    assert_true(strmap_is_empty(&map));
    strmap_assert_valid(&map);

    /* The map is usable after clearing. */
    strmap_add(&map, "d", "4");
    strmap_clear(&map);
    assert_true(strmap_is_empty(&map));
    strmap_add(&map, "e", "5");
    assert_string_equal(strmap_find(&map, "e"), "5");
    strmap_uninit(&map);
    strmap_uninit(NULL);
}

static void
test_strmap_many_keys(void **state)
{
    enum { N = 2000 };
    struct strmap map;
    char key[32], value[32];

    strmap_init(&map);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        snprintf(value, sizeof value, "%d", i * 3);
        assert_true(strmap_add(&map, key, value));
    }
    strmap_assert_valid(&map);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        assert_int_equal(strmap_find_int(&map, key, -1), i * 3);
    }
    for (int i = 0; i < N; i += 2) {
        snprintf(key, sizeof key, "key%d", i);
        assert_true(strmap_remove(&map, key));
    }
    assert_int_equal(strmap_count(&map), N / 2);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        assert_int_equal(strmap_contains(&map, key), i % 2 == 1);
    }
    strmap_assert_valid(&map);
    strmap_uninit(&map);
}

static void
test_strmap_clone_equal(void **state)
{
    struct strmap a, b, c;

    strmap_init(&a);
    strmap_init(&b);
    assert_true(strmap_equal(&a, &b));

    strmap_add(&a, "x", "1");
    strmap_add(&a, "y", "2");
    assert_false(strmap_equal(&a, &b));

    /* Insertion order does not matter. */
    strmap_add(&b, "y", "2");
    strmap_add(&b, "x", "1");
    assert_true(strmap_equal(&a, &b));
    assert_true(strmap_equal(&b, &a));

    /* Same keys, different value. */
    strmap_replace(&b, "x", "9");
    assert_false(strmap_equal(&a, &b));

    /* Same count, different keys. */
    strmap_clear(&b);
    strmap_add(&b, "x", "1");
    strmap_add(&b, "z", "2");
    assert_false(strmap_equal(&a, &b));

    /* A clone is equal and independent. */
    strmap_clone(&c, &a);
    assert_true(strmap_equal(&a, &c));
    assert_ptr_not_equal(strmap_find(&a, "x"), strmap_find(&c, "x"));
    strmap_replace(&c, "x", "changed");
    assert_string_equal(strmap_find(&a, "x"), "1");
    assert_false(strmap_equal(&a, &c));
    strmap_assert_valid(&c);

    /* Swap exchanges contents. */
    strmap_swap(&a, &b);
    assert_true(strmap_contains(&a, "z"));
    assert_false(strmap_contains(&b, "z"));
    strmap_assert_valid(&a);
    strmap_assert_valid(&b);

    strmap_uninit(&a);
    strmap_uninit(&b);
    strmap_uninit(&c);
}

static void
test_strmap_sort(void **state)
{
    static const char *const keys[] = { "m", "b", "z", "a", "aa", "B" };
    static const char *const sorted[] = { "B", "a", "aa", "b", "m", "z" };
    struct strmap map;

    strmap_init(&map);
    assert_null(strmap_sort(&map));
    for (size_t i = 0; i < 6; i++) {
        strmap_add(&map, keys[i], keys[i]);
    }

    const struct strmap_node **nodes = strmap_sort(&map);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(nodes[i]->key, sorted[i]);
        assert_string_equal(nodes[i]->value, sorted[i]);
    }
    free(nodes);
    strmap_uninit(&map);
}

static void
test_strmap_remove_during_iteration(void **state)
{
    struct strmap map;
    char key[16];

    strmap_init(&map);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "%d", i);
        strmap_add(&map, key, i % 3 ? "keep" : "drop");
    }

    struct strmap_node *node;
    STRMAP_FOR_EACH_SAFE (node, &map) {
        if (!strcmp(node->value, "drop")) {
            strmap_remove_node(&map, node);
        }
    }
    assert_int_equal(strmap_count(&map), 66);
    STRMAP_FOR_EACH (node, &map) {
        assert_string_equal(node->value, "keep");
    }
    strmap_assert_valid(&map);
    strmap_uninit(&map);
}

static void
test_strmap_find_int_bool(void **state)
{
    static const struct {
        const char *value;      /* NULL: key absent. */
        int int_result;         /* strmap_find_int(..., 7). */
        int bool_result;        /* strmap_find_bool(..., def), def below. */
    } cases[] = {
        { "42", 42, -1 },
        { "-5", -5, -1 },
        { "+3", 3, -1 },
        { "0", 0, -1 },
        { "", 7, -1 },
        { "12x", 7, -1 },
        { "99999999999", 7, -1 },
        { "true", 7, 1 },
        { "TRUE", 7, 1 },
        { "false", 7, 0 },
        { "False", 7, 0 },
        { "yes", 7, -1 },
        { NULL, 7, -1 },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strmap map;
        strmap_init(&map);
        if (cases[i].value) {
            strmap_add(&map, "k", cases[i].value);
        }
        assert_int_equal(strmap_find_int(&map, "k", 7), cases[i].int_result);
        for (int def = 0; def <= 1; def++) {
            int expected = cases[i].bool_result < 0 ? def
                                                    : cases[i].bool_result;
            assert_int_equal(strmap_find_bool(&map, "k", def), expected);
        }
        strmap_uninit(&map);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strmap_add_find),
        cmocka_unit_test(test_strmap_replace),
        cmocka_unit_test(test_strmap_remove_steal),
        cmocka_unit_test(test_strmap_many_keys),
        cmocka_unit_test(test_strmap_clone_equal),
        cmocka_unit_test(test_strmap_sort),
        cmocka_unit_test(test_strmap_remove_during_iteration),
        cmocka_unit_test(test_strmap_find_int_bool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
