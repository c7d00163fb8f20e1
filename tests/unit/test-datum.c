/* Unit tests for ovsdb/datum.h and ovsdb/atom.h: JSON round trips, type and
 * constraint errors, set and map operations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/uuid.h"
#include "ovsdb/atom.h"
#include "ovsdb/datum.h"
#include "ovsdb/error.h"
#include "ovsdb/type.h"

static struct json *
parse_json(const char *s)
{
    struct json *json;
    char *error = json_from_string(s, &json);
    if (error) {
        fail_msg("bad JSON in test: %s: %s", s, error);
    }
    return json;
}

static void
parse_type(const char *s, struct db_type *type)
{
    struct json *json = parse_json(s);
    struct db_error *error = db_type_from_json(type, json);
    if (error) {
        fail_msg("type %s rejected: %s", s, db_error_to_string(error));
    }
    json_unref(json);
}

/* Parses 'value' as a datum of 'type' (both JSON text), failing the test on
 * error. */
static void
parse_datum(const char *type_s, const char *value, struct db_type *type,
            struct datum *datum)
{
    parse_type(type_s, type);
    struct json *json = parse_json(value);
    struct db_error *error = datum_from_json(datum, type, json, NULL);
    if (error) {
        fail_msg("%s as %s rejected: %s", value, type_s,
                 db_error_to_string(error));
    }
    json_unref(json);
}

static void
test_datum_round_trips(void **state)
{
    static const char *const cases[][3] = {
        /* type, input, output */
        { "\"integer\"", "5", "5" },
        { "\"integer\"", "-9223372036854775808", "-9223372036854775808" },
        { "\"real\"", "1", "1" },
        { "\"real\"", "2.5", "2.5" },
        { "\"boolean\"", "true", "true" },
        { "\"boolean\"", "false", "false" },
        { "\"real\"", "-0.1", "-0.1" },
        { "\"real\"", "1e300", "1e+300" },
        { "\"string\"", "\"a\\\"b\\\\c\\n\\u0001\"",
          "\"a\\\"b\\\\c\\n\\u0001\"" },
        { "\"string\"", "\"h\\u00e9llo\"", "\"h\xc3\xa9llo\"" },
        { "\"uuid\"", "[\"uuid\", \"2dd3b9a6-0000-0000-0000-0000000000ff\"]",
          "[\"uuid\",\"2dd3b9a6-0000-0000-0000-0000000000ff\"]" },
        { "\"integer\"", "[\"set\", [4]]", "4" },
        { "{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
          "[\"set\", [3, 1, 2]]", "[\"set\",[1,2,3]]" },
        { "{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
          "[\"set\", [7]]", "7" },
        { "{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
          "7", "7" },
        { "{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
          "[\"set\", []]", "[\"set\",[]]" },
        { "{\"key\": \"string\", \"min\": 0}", "[\"set\", []]",
          "[\"set\",[]]" },
        { "{\"key\": \"string\", \"value\": \"integer\", \"min\": 0, "
          "\"max\": \"unlimited\"}", "[\"map\", [[\"b\", 2], [\"a\", 1]]]",
          "[\"map\",[[\"a\",1],[\"b\",2]]]" },
        { "{\"key\": \"string\", \"value\": \"integer\", \"min\": 0, "
          "\"max\": \"unlimited\"}", "[\"map\", [[\"b\", 2]]]",
          "[\"map\",[[\"b\",2]]]" },
        { "{\"key\": \"uuid\", \"min\": 0, \"max\": \"unlimited\"}",
          "[\"set\", [[\"uuid\", \"ffffffff-0000-0000-0000-000000000000\"],"
          " [\"uuid\", \"00000001-0000-0000-0000-000000000000\"]]]",
          "[\"set\",[[\"uuid\",\"00000001-0000-0000-0000-000000000000\"],"
          "[\"uuid\",\"ffffffff-0000-0000-0000-000000000000\"]]]" },
        { "{\"key\": \"boolean\", \"min\": 0, \"max\": 2}",
          "[\"set\", [true, false]]", "[\"set\",[false,true]]" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct db_type type;
        struct datum datum;
        parse_datum(cases[i][0], cases[i][1], &type, &datum);
        struct json *out = datum_to_json(&datum, &type);
        char *s = json_to_string(out, 0);
        if (strcmp(s, cases[i][2])) {
            fail_msg("%s as %s printed %s, expected %s", cases[i][1],
                     cases[i][0], s, cases[i][2]);
        }

        /* Printed straight from the datum: the same text. */
        struct ds ds = DS_EMPTY_INITIALIZER;
        datum_to_json_ds(&datum, &type, &ds);
        assert_string_equal(ds_cstr(&ds), cases[i][2]);
        ds_uninit(&ds);

        /* And back again. */
        struct datum again;
        assert_null(datum_from_json(&again, &type, out, NULL));
        assert_true(datum_equals(&datum, &again, &type));
        assert_int_equal(datum_hash(&datum, &type, 0),
                         datum_hash(&again, &type, 0));

        free(s);
        json_unref(out);
        datum_destroy(&again, &type);
        datum_destroy(&datum, &type);
        db_type_destroy(&type);
    }
}

static void
test_datum_rejects_bad_values(void **state)
{
    static const char *const cases[][3] = {
        /* type, value, error tag */
        { "\"integer\"", "\"x\"", "syntax error" },
        { "\"integer\"", "1.5", "syntax error" },
        { "\"integer\"", "[1]", "syntax error" },
        { "\"integer\"", "[\"set\", []]", "syntax error" },
        { "\"integer\"", "[\"set\", [1, 2]]", "syntax error" },
        { "\"real\"", "true", "syntax error" },
        { "\"boolean\"", "1", "syntax error" },
        { "\"string\"", "null", "syntax error" },
        { "\"uuid\"", "[\"uuid\", \"xyz\"]", "syntax error" },
        { "\"uuid\"", "\"2dd3b9a6-0000-0000-0000-0000000000ff\"",
          "syntax error" },
        { "\"uuid\"", "[\"named-uuid\", \"x\"]", "syntax error" },
        { "{\"key\": \"integer\", \"max\": 3}", "[\"set\", 1]",
          "syntax error" },
        { "{\"key\": \"integer\", \"max\": 3}", "[\"set\", [1, 2, 3, 4]]",
          "syntax error" },
        { "{\"key\": \"integer\", \"max\": 3}", "[\"map\", []]",
          "syntax error" },
        { "{\"key\": \"integer\", \"min\": 0, \"max\": 3}",
          "[\"set\", [1, 1]]", "ovsdb error" },
        { "{\"key\": \"string\", \"value\": \"integer\", \"min\": 0}",
          "[\"set\", []]", "syntax error" },
        { "{\"key\": \"string\", \"value\": \"integer\", \"min\": 0, "
          "\"max\": 5}", "[\"map\", [[\"a\", 1], [\"a\", 2]]]",
          "ovsdb error" },
        { "{\"key\": \"string\", \"value\": \"integer\", \"min\": 0}",
          "[\"map\", [[\"a\"]]]", "syntax error" },
        { "{\"key\": \"string\", \"value\": \"integer\", \"min\": 0}",
          "[\"map\", [[\"a\", \"b\"]]]", "syntax error" },
        { "{\"key\": {\"type\": \"integer\", \"minInteger\": 0, "
          "\"maxInteger\": 10}}", "11", "constraint violation" },
        { "{\"key\": {\"type\": \"integer\", \"minInteger\": 0}}", "-1",
          "constraint violation" },
        { "{\"key\": {\"type\": \"real\", \"maxReal\": 1.5}}", "1.75",
          "constraint violation" },
        { "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"a\", "
          "\"b\"]]}}", "\"c\"", "constraint violation" },
        { "{\"key\": {\"type\": \"integer\", \"enum\": 3}}", "4",
          "constraint violation" },
        { "{\"key\": {\"type\": \"string\", \"maxLength\": 2}}", "\"abc\"",
          "constraint violation" },
        { "{\"key\": {\"type\": \"string\", \"minLength\": 1}}", "\"\"",
          "constraint violation" },
        { "{\"key\": \"string\", \"value\": {\"type\": \"integer\", "
          "\"maxInteger\": 1}, \"min\": 0}", "[\"map\", [[\"a\", 2]]]",
          "constraint violation" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct db_type type;
        parse_type(cases[i][0], &type);
        struct json *json = parse_json(cases[i][1]);
        struct datum datum;
        struct db_error *error = datum_from_json(&datum, &type, json, NULL);
        if (!error) {
            fail_msg("%s accepted as %s", cases[i][1], cases[i][0]);
        }
        if (strcmp(db_error_tag(error), cases[i][2])) {
            fail_msg("%s as %s: error %s, expected %s", cases[i][1],
                     cases[i][0], db_error_to_string(error), cases[i][2]);
        }
        assert_int_equal(datum.n, 0);
        db_error_destroy(error);
        json_unref(json);
        db_type_destroy(&type);
    }
}

/* minLength and maxLength count UTF-8 characters, not bytes. */
static void
test_datum_string_length_counts_characters(void **state)
{
    struct db_type type;
    struct datum datum;
    parse_datum("{\"key\": {\"type\": \"string\", \"maxLength\": 2}}",
                "\"\xc3\xa9\xe2\x82\xac\"", &type, &datum);
    datum_destroy(&datum, &type);

    struct json *json = parse_json("\"\xc3\xa9\xe2\x82\xac!\"");
    struct db_error *error = datum_from_json(&datum, &type, json, NULL);
    assert_non_null(error);
    assert_string_equal(db_error_tag(error), "constraint violation");
    assert_int_equal(atom_utf8_length("\xc3\xa9\xe2\x82\xac!"), 3);
    db_error_destroy(error);
    json_unref(json);
    db_type_destroy(&type);
}

static void
test_datum_named_uuids_resolve_through_symtab(void **state)
{
    struct db_type type;
    parse_type("{\"key\": \"uuid\", \"min\": 0, \"max\": \"unlimited\"}",
               &type);
    struct db_symtab symtab;
    db_symtab_init(&symtab);

    struct json *json = parse_json("[\"set\", [[\"named-uuid\", \"a\"], "
                                   "[\"named-uuid\", \"b\"]]]");
    struct datum datum;
    assert_null(datum_from_json(&datum, &type, json, &symtab));
    assert_int_equal(datum.n, 2);
    struct db_symbol *a = db_symtab_find(&symtab, "a");
    assert_non_null(a);
    assert_false(a->created);
    union atom atom = { .uuid = a->uuid };
    assert_true(datum_find_key(&datum, &atom, DB_TYPE_UUID) != SIZE_MAX);

    /* The same name gives the same UUID. */
    struct json *again = parse_json("[\"named-uuid\", \"a\"]");
    struct datum one;
    assert_null(datum_from_json(&one, &type, again, &symtab));
    assert_true(uuid_equals(&one.keys[0].uuid, &a->uuid));

    datum_destroy(&one, &type);
    datum_destroy(&datum, &type);
    json_unref(again);
    json_unref(json);
    db_symtab_uninit(&symtab);
    db_type_destroy(&type);
}

static void
test_datum_defaults(void **state)
{
    static const char *const cases[][2] = {
        { "\"integer\"", "0" },
        { "\"real\"", "0" },
        { "\"boolean\"", "false" },
        { "\"string\"", "\"\"" },
        { "\"uuid\"", "[\"uuid\",\"00000000-0000-0000-0000-000000000000\"]" },
        { "{\"key\": \"integer\", \"min\": 0}", "[\"set\",[]]" },
        { "{\"key\": \"string\", \"value\": \"string\", \"min\": 0, "
          "\"max\": \"unlimited\"}", "[\"map\",[]]" },
        { "{\"key\": \"string\", \"value\": \"integer\"}",
          "[\"map\",[[\"\",0]]]" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct db_type type;
        parse_type(cases[i][0], &type);
        struct datum datum;
        datum_init_default(&datum, &type);
        assert_true(datum_is_default(&datum, &type));
        struct json *json = datum_to_json(&datum, &type);
        char *s = json_to_string(json, 0);
        assert_string_equal(s, cases[i][1]);
        free(s);
        json_unref(json);
        datum_destroy(&datum, &type);
        db_type_destroy(&type);
    }
}

static void
test_datum_set_operations(void **state)
{
    struct db_type type;
    struct datum a, b, c;
    parse_datum("{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
                "[\"set\", [1, 3, 5, 7]]", &type, &a);
    db_type_destroy(&type);
    parse_datum("{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
                "[\"set\", [2, 3, 8]]", &type, &b);
    db_type_destroy(&type);
    parse_datum("{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
                "[\"set\", [1, 2, 5, 7, 8]]", &type, &c);

    assert_false(datum_includes_all(&a, &b, &type));
    assert_false(datum_excludes_all(&a, &b, &type));

    datum_union(&a, &b, &type);   /* 1 2 3 5 7 8 */
    assert_int_equal(a.n, 6);
    assert_true(datum_includes_all(&a, &b, &type));
    for (size_t i = 1; i < a.n; i++) {
        assert_true(a.keys[i - 1].integer < a.keys[i].integer);
    }

    union atom three = { .integer = 3 };
    assert_int_equal(datum_find_key(&a, &three, DB_TYPE_INTEGER), 2);
    struct datum just3;
    datum_init_alloc(&just3, 1, false);
    just3.keys[0] = three;
    datum_subtract(&a, &just3, &type, false);
    assert_true(datum_equals(&a, &c, &type));
    assert_int_equal(datum_find_key(&a, &three, DB_TYPE_INTEGER), SIZE_MAX);
    assert_true(datum_excludes_all(&a, &just3, &type));

    /* A diff toggles elements: {1 2 5 7 8} ^ {2 3} = {1 3 5 7 8}. */
    struct datum diff;
    datum_init_alloc(&diff, 2, false);
    diff.keys[0].integer = 2;
    diff.keys[1].integer = 3;
    datum_apply_diff(&a, &diff, &type);
    assert_int_equal(a.n, 5);
    assert_int_equal(a.keys[1].integer, 3);

    datum_destroy(&diff, &type);
    datum_destroy(&just3, &type);
    datum_destroy(&a, &type);
    datum_destroy(&b, &type);
    datum_destroy(&c, &type);
    db_type_destroy(&type);
}

static void
test_datum_map_operations(void **state)
{
    static const char *type_s = "{\"key\": \"string\", \"value\": "
                                "\"integer\", \"min\": 0, \"max\": "
                                "\"unlimited\"}";
    struct db_type type;
    struct datum a, b, keys, diff;
    parse_datum(type_s, "[\"map\", [[\"a\", 1], [\"b\", 2]]]", &type, &a);
    db_type_destroy(&type);
    parse_datum(type_s, "[\"map\", [[\"a\", 100], [\"c\", 3]]]", &type, &b);

    /* Insertion keeps existing keys' values. */
    datum_union(&a, &b, &type);
    struct json *json = datum_to_json(&a, &type);
    char *s = json_to_string(json, 0);
    assert_string_equal(s, "[\"map\",[[\"a\",1],[\"b\",2],[\"c\",3]]]");
    free(s);
    json_unref(json);

    /* Deletion by pairs only removes matching values. */
    datum_subtract(&a, &b, &type, true);
    json = datum_to_json(&a, &type);
    s = json_to_string(json, 0);
    assert_string_equal(s, "[\"map\",[[\"a\",1],[\"b\",2]]]");
    free(s);
    json_unref(json);

    /* Deletion by keys. */
    struct db_type key_type;
    parse_datum("{\"key\": \"string\", \"min\": 0, \"max\": \"unlimited\"}",
                "[\"set\", [\"a\", \"z\"]]", &key_type, &keys);
    datum_subtract(&a, &keys, &type, false);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.keys[0].string, "b");

    /* A diff adds new pairs, replaces changed values, removes equal
     * pairs. */
    db_type_destroy(&type);
    parse_datum(type_s, "[\"map\", [[\"b\", 2], [\"d\", 4]]]", &type, &diff);
    datum_apply_diff(&a, &diff, &type);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.keys[0].string, "d");
    datum_destroy(&diff, &type);
    parse_datum(type_s, "[\"map\", [[\"d\", 5]]]", &type, &diff);
    datum_apply_diff(&a, &diff, &type);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.values[0].integer, 5);

    assert_true(datum_includes_all(&a, &diff, &type));
    datum_destroy(&diff, &type);
    datum_destroy(&keys, &key_type);
    datum_destroy(&a, &type);
    datum_destroy(&b, &type);
    db_type_destroy(&type);
    db_type_destroy(&key_type);
}

/* Elements arriving out of order are sorted, so equal values compare and
 * hash equal however they were written. */
/* datum_diff() then datum_apply_diff() turns the old value into the new
 * one. */
static void
test_datum_diff_round_trip(void **state)
{
    static const char *const cases[][3] = {
        { "{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
          "[\"set\", [1, 2, 3, 4]]", "[\"set\", [2, 4, 5, 6]]" },
        { "{\"key\": \"integer\", \"min\": 0, \"max\": \"unlimited\"}",
          "[\"set\", []]", "[\"set\", [7]]" },
        { "{\"key\": \"integer\", \"min\": 0, \"max\": 1}", "1", "2" },
        { "\"string\"", "\"a\"", "\"b\"" },
        { "{\"key\": \"string\", \"value\": \"integer\", \"min\": 0, "
          "\"max\": \"unlimited\"}",
          "[\"map\", [[\"a\", 1], [\"b\", 2], [\"c\", 3]]]",
          "[\"map\", [[\"b\", 2], [\"c\", 4], [\"d\", 5]]]" },
        { "{\"key\": \"string\", \"value\": \"integer\"}",
          "[\"map\", [[\"a\", 1]]]", "[\"map\", [[\"b\", 1]]]" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct db_type type;
        struct datum old, new, diff;
        parse_datum(cases[i][0], cases[i][1], &type, &old);
        db_type_destroy(&type);
        parse_datum(cases[i][0], cases[i][2], &type, &new);
        datum_diff(&diff, &old, &new, &type);
        datum_apply_diff(&old, &diff, &type);
        if (!datum_equals(&old, &new, &type)) {
            fail_msg("%s -> %s: diff applied gives %s", cases[i][1],
                     cases[i][2], json_to_string(datum_to_json(&old, &type),
                                                 0));
        }
        datum_destroy(&diff, &type);
        datum_destroy(&old, &type);
        datum_destroy(&new, &type);
        db_type_destroy(&type);
    }

    /* Only the changes: {1 2 3 4} -> {2 4 5 6} differ in 1 3 5 6. */
    struct db_type type;
    struct datum old, new, diff;
    parse_datum(cases[0][0], cases[0][1], &type, &old);
    db_type_destroy(&type);
    parse_datum(cases[0][0], cases[0][2], &type, &new);
    datum_diff(&diff, &old, &new, &type);
    assert_int_equal(diff.n, 4);
    assert_int_equal(diff.keys[0].integer, 1);
    assert_int_equal(diff.keys[3].integer, 6);
    datum_destroy(&diff, &type);
    datum_destroy(&old, &type);
    datum_destroy(&new, &type);
    db_type_destroy(&type);

    /* A column of at most one value: the diff is the new value itself, as
     * ovsdb-server sends it ({1} -> {2} is 2, not {1 2}, which would not
     * fit the type), and {1} -> {} is the empty set. */
    static const char *const opt_cases[][2] = {
        { "1", "2" }, { "1", "[\"set\", []]" }, { "[\"set\", []]", "3" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(opt_cases); i++) {
        parse_datum(cases[2][0], opt_cases[i][0], &type, &old);
        db_type_destroy(&type);
        parse_datum(cases[2][0], opt_cases[i][1], &type, &new);
        datum_diff(&diff, &old, &new, &type);
        assert_true(datum_equals(&diff, &new, &type));
        datum_apply_diff(&old, &diff, &type);
        assert_true(datum_equals(&old, &new, &type));
        datum_destroy(&diff, &type);
        datum_destroy(&old, &type);
        datum_destroy(&new, &type);
        db_type_destroy(&type);
    }
}

static void
test_datum_sorts_elements(void **state)
{
    struct db_type type;
    struct datum a, b;
    parse_datum("{\"key\": \"string\", \"value\": \"string\", \"min\": 0, "
                "\"max\": \"unlimited\"}",
                "[\"map\", [[\"z\", \"1\"], [\"m\", \"2\"], [\"a\", \"3\"]]]",
                &type, &a);
    db_type_destroy(&type);
    parse_datum("{\"key\": \"string\", \"value\": \"string\", \"min\": 0, "
                "\"max\": \"unlimited\"}",
                "[\"map\", [[\"a\", \"3\"], [\"z\", \"1\"], [\"m\", \"2\"]]]",
                &type, &b);
    assert_true(datum_equals(&a, &b, &type));
    assert_int_equal(datum_hash(&a, &type, 7), datum_hash(&b, &type, 7));
    assert_string_equal(a.keys[0].string, "a");
    assert_string_equal(a.values[0].string, "3");
    assert_string_equal(a.keys[2].string, "z");
    assert_string_equal(a.values[2].string, "1");
    datum_destroy(&a, &type);
    datum_destroy(&b, &type);
    db_type_destroy(&type);
}

static void
test_datum_type_to_json_is_compact(void **state)
{
    static const char *const cases[][2] = {
        { "\"integer\"", "\"integer\"" },
        { "{\"key\": \"integer\"}", "\"integer\"" },
        { "{\"key\": \"integer\", \"min\": 1, \"max\": 1}", "\"integer\"" },
        { "{\"key\": \"integer\", \"min\": 0, \"max\": 1}",
          "{\"key\":\"integer\",\"min\":0}" },
        { "{\"key\": {\"type\": \"uuid\", \"refTable\": \"T\", "
          "\"refType\": \"strong\"}}",
          "{\"key\":{\"type\":\"uuid\",\"refTable\":\"T\"}}" },
        { "{\"key\": {\"type\": \"real\", \"minReal\": 0.5, "
          "\"maxReal\": 2.0}, \"max\": \"unlimited\"}",
          "{\"key\":{\"type\":\"real\",\"minReal\":0.5,\"maxReal\":2},"
          "\"max\":\"unlimited\"}" },
        { "{\"key\": {\"type\": \"string\", \"enum\": [\"set\", [\"b\", "
          "\"a\"]]}}",
          "{\"key\":{\"type\":\"string\",\"enum\":[\"set\",[\"a\",\"b\"]]}}" },
        { "{\"key\": {\"type\": \"string\", \"enum\": \"x\"}}",
          "{\"key\":{\"type\":\"string\",\"enum\":\"x\"}}" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct db_type type;
        parse_type(cases[i][0], &type);
        struct json *json = db_type_to_json(&type);
        struct json *expected = parse_json(cases[i][1]);
        if (!json_equal(json, expected)) {
            fail_msg("%s printed %s, expected %s", cases[i][0],
                     json_to_string(json, 0), cases[i][1]);
        }
        json_unref(json);
        json_unref(expected);
        db_type_destroy(&type);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datum_round_trips),
        cmocka_unit_test(test_datum_rejects_bad_values),
        cmocka_unit_test(test_datum_string_length_counts_characters),
        cmocka_unit_test(test_datum_named_uuids_resolve_through_symtab),
        cmocka_unit_test(test_datum_defaults),
        cmocka_unit_test(test_datum_set_operations),
        cmocka_unit_test(test_datum_map_operations),
        cmocka_unit_test(test_datum_diff_round_trip),
        cmocka_unit_test(test_datum_sorts_elements),
        cmocka_unit_test(test_datum_type_to_json_is_compact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
