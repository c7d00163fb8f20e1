/* Unit tests for lib/json.h: parsing, printing, errors, framing, and the
 * object representation (small objects searched linearly, large ones
 * through an index). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"

/* Members in the large-object tests: far past JSON_OBJECT_LINEAR_MAX, as
 * in an OVSDB update with a table's rows. */
#define N_LARGE 10000

static void
check_round_trip(const char *in, const char *out)
{
    struct json *json;
    char *error = json_from_string(in, &json);
    if (error) {
        fail_msg("%s: %s", in, error);
    }
    char *s = json_to_string(json, 0);
    assert_string_equal(s, out);
    free(s);
    json_unref(json);
}

static void
assert_prefix(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix))) {
        fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
    }
}

static void
test_json_round_trips(void **state)
{
    static const char *cases[][2] = {
        { "null", "null" },
        { " true ", "true" },
        { "[1, -2, 3.5, 1e3]", "[1,-2,3.5,1000.0]" },
        { "{\"b\": 1, \"a\": [ ]}", "{\"b\":1,\"a\":[]}" },
        { "\"tab\\there\\u00e9\"", "\"tab\\there\xc3\xa9\"" },
        { "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"" },
        { "\"\\u0001\"", "\"\\u0001\"" },
        { "9223372036854775807", "9223372036854775807" },
        { "-9223372036854775808", "-9223372036854775808" },
        { "[-123456789012345678,999999999999999999,-0]",
          "[-123456789012345678,999999999999999999,0]" },
        { "9223372036854775808", "9.223372036854776e+18" },
        { "0.1", "0.1" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_round_trip(cases[i][0], cases[i][1]);
    }
}

static void
test_json_rejects_malformed(void **state)
{
    static const char *cases[] = {
        "", "[", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "1e", "tru",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\u0000\"",
        "\"\xc3\x28\"", "\"\xed\xa0\x80\"", "\"a\nb\"", "[1] 2", "{1:2}",
        "1e999",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct json *json;
        char *error = json_from_string(cases[i], &json);
        if (!error) {
            fail_msg("accepted malformed input %s", cases[i]);
        }
        assert_null(json);
        free(error);
    }
}

static void
test_json_depth_limit(void **state)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    for (int i = 0; i < JSON_MAX_DEPTH + 5; i++) {
        ds_put_char(&ds, '[');
    }
    for (int i = 0; i < JSON_MAX_DEPTH + 5; i++) {
        ds_put_char(&ds, ']');
    }
    struct json *json;
    char *error = json_from_string(ds_cstr(&ds), &json);
    assert_non_null(error);
    assert_non_null(strstr(error, "depth"));
    free(error);
    ds_uninit(&ds);
}

static void
test_json_object_members(void **state)
{
    struct json *o = json_object_create();
    json_object_put(o, "x", json_integer_create(1));
    json_object_put(o, "y", json_string_create("s"));
    json_object_put(o, "x", json_integer_create(2));
    assert_int_equal(json_object_size(o), 2);
    assert_int_equal(json_integer(json_object_find(o, "x")), 2);
    assert_string_equal(json_object_find_string(o, "y"), "s");
    assert_null(json_object_find(o, "z"));

    struct json *y = json_object_steal(o, "y");
    assert_non_null(y);
    assert_int_equal(json_object_size(o), 1);
    json_unref(y);

    struct json *copy = json_deep_clone(o);
    assert_true(json_equal(o, copy));
    json_object_put(copy, "z", json_null_create());
    assert_false(json_equal(o, copy));
    json_unref(copy);
    json_unref(o);
}

static void
test_json_duplicate_names_keep_last(void **state)
{
    /* Small object: linear search. */
    check_round_trip("{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}");

    /* Large object: the index, with the repeat at the end. */
    struct ds in = DS_EMPTY_INITIALIZER;
    struct ds out = DS_EMPTY_INITIALIZER;
    ds_put_char(&in, '{');
    ds_put_char(&out, '{');
    for (int i = 0; i < 100; i++) {
        ds_put_format(&in, "\"k%d\":%d,", i, i);
        ds_put_format(&out, "%s\"k%d\":%d", i ? "," : "", i,
                      i == 5 ? -1 : i);
    }
    ds_put_cstr(&in, "\"k5\":-1}");
    ds_put_char(&out, '}');
    check_round_trip(ds_cstr(&in), ds_cstr(&out));
    ds_uninit(&in);
    ds_uninit(&out);
}

static void
test_json_escaped_names_and_strings(void **state)
{
    struct json *json;
    char *error = json_from_string(
        "{\"caf\\u00e9\":1,\"q\\\"t\":2,\"plain\":\"a\\nb\"}", &json);
    assert_null(error);
    assert_int_equal(json_object_size(json), 3);
    assert_int_equal(json_integer(json_object_find(json, "caf\xc3\xa9")), 1);
    assert_int_equal(json_integer(json_object_find(json, "q\"t")), 2);
    const struct json *plain = json_object_find(json, "plain");
    assert_string_equal(json_string(plain), "a\nb");
    assert_int_equal(plain->string.length, 3);
    json_unref(json);

    /* A long string that escapes shrink by much more than 64 bytes. */
    struct ds in = DS_EMPTY_INITIALIZER;
    ds_put_char(&in, '"');
    for (int i = 0; i < 200; i++) {
        ds_put_cstr(&in, "\\u0041");
    }
    ds_put_char(&in, '"');
    error = json_from_string(ds_cstr(&in), &json);
    assert_null(error);
    assert_int_equal(json->string.length, 200);
    assert_int_equal(strspn(json_string(json), "A"), 200);
    json_unref(json);
    ds_uninit(&in);

    /* Errors in unterminated strings are still found. */
    error = json_from_string("[\"abc\\q", &json);
    assert_non_null(strstr(error, "bad escape"));
    free(error);
    error = json_from_string("{\"abc", &json);
    assert_non_null(strstr(error, "unterminated string"));
    free(error);
}

static void
test_json_string_constructors(void **state)
{
    struct json *a = json_string_create_nocopy(xstrdup("owned"));
    struct json *b = json_string_create_buffer("owned-not-this", 5);
    struct json *c = json_deep_clone(a);
    assert_string_equal(json_string(a), "owned");
    assert_string_equal(json_string(b), "owned");
    assert_int_equal(b->string.length, 5);
    assert_true(json_equal(a, b));
    assert_true(json_equal(a, c));
    assert_int_equal(json_hash(a, 1), json_hash(c, 1));
    json_unref(a);
    json_unref(b);
    json_unref(c);

    struct json *array = json_array_create_3(json_integer_create(-5),
                                             json_real_create(0.5),
                                             json_null_create());
    json_array_add(array, json_boolean_create(false));
    char *s = json_to_string(array, 0);
    assert_string_equal(s, "[-5,0.5,null,false]");
    free(s);
    json_unref(array);
}

static void
test_json_repeated_strings_share_safely(void **state)
{
    /* Enough strings for the parser to share repeats. */
    struct ds in = DS_EMPTY_INITIALIZER;
    ds_put_char(&in, '[');
    for (int i = 0; i < 300; i++) {
        ds_put_format(&in, "%s\"s%d\",\"same\",true,null", i ? "," : "",
                      i % 7);
    }
    ds_put_char(&in, ']');
    struct json *json;
    assert_null(json_from_string(ds_cstr(&in), &json));
    assert_int_equal(json_array_size(json), 1200);
    for (int i = 0; i < 300; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%d", i % 7);
        assert_string_equal(json_string(json_array_at(json, 4 * i)), name);
        assert_string_equal(json_string(json_array_at(json, 4 * i + 1)),
                            "same");
        assert_true(json_boolean(json_array_at(json, 4 * i + 2)));
        assert_true(json_is_null(json_array_at(json, 4 * i + 3)));
    }

    /* Keeping one element alive past its array is fine. */
    struct json *kept = json_ref(json_array_at(json, 1));
    json_unref(json);
    assert_string_equal(json_string(kept), "same");
    json_unref(kept);
    ds_uninit(&in);
}

static void
test_json_parsed_containers_grow(void **state)
{
    struct json *json;
    assert_null(json_from_string("{\"a\":[1,2],\"b\":{\"c\":3}}", &json));

    struct json *array = json_object_find(json, "a");
    for (int i = 3; i <= 40; i++) {
        json_array_add(array, json_integer_create(i));
    }
    assert_int_equal(json_array_size(array), 40);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(json_integer(json_array_at(array, i)), i + 1);
    }

    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        json_object_put(json, name, json_integer_create(i));
    }
    json_object_put(json, "a", json_null_create());
    assert_int_equal(json_object_size(json), 42);
    assert_true(json_is_null(json_object_find(json, "a")));
    assert_int_equal(json_integer(json_object_find(json_object_find(json, "b"),
                                                   "c")), 3);
    assert_int_equal(json_integer(json_object_find(json, "n39")), 39);

    char *s = json_to_string(json, 0);
    assert_prefix(s, "{\"a\":null,\"b\":{\"c\":3},\"n0\":0,\"n1\":1,");
    free(s);
    json_unref(json);
}

/* Returns a new object with members "m<i>" = i for 'i' in the order
 * 'first', 'first + step', ... ('n' members). */
static struct json *
make_large(int first, int step, int n)
{
    struct json *o = json_object_create();
    for (int k = 0, i = first; k < n; k++, i += step) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        json_object_put(o, name, json_integer_create(i));
    }
    return o;
}

static void
test_json_large_object_put_find_iterate(void **state)
{
    struct json *o = make_large(0, 1, N_LARGE);
    assert_int_equal(json_object_size(o), N_LARGE);

    for (int i = 0; i < N_LARGE; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        const struct json *v = json_object_find(o, name);
        assert_non_null(v);
        assert_int_equal(json_integer(v), i);
    }
    assert_null(json_object_find(o, "m-1"));
    assert_null(json_object_find(o, "m10000"));
    assert_null(json_object_find(o, ""));

    int i = 0;
    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, o) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        assert_string_equal(m->name, name);
        assert_int_equal(json_integer(m->value), i);
        i++;
    }
    assert_int_equal(i, N_LARGE);
    json_unref(o);
}

static void
test_json_large_object_replace(void **state)
{
    struct json *o = make_large(0, 1, N_LARGE);
    for (int i = 0; i < N_LARGE; i += 3) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        json_object_put(o, name, json_integer_create(-i));
    }
    assert_int_equal(json_object_size(o), N_LARGE);

    int i = 0;
    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, o) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        assert_string_equal(m->name, name);
        assert_int_equal(json_integer(m->value), i % 3 ? i : -i);
        assert_int_equal(json_integer(json_object_find(o, name)),
                         i % 3 ? i : -i);
        i++;
    }
    json_unref(o);
}

static void
test_json_large_object_steal(void **state)
{
    struct json *o = make_large(0, 1, N_LARGE);

    /* Steal the even members; the odd keep their order. */
    for (int i = 0; i < N_LARGE; i += 2) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        struct json *v = json_object_steal(o, name);
        assert_non_null(v);
        assert_int_equal(json_integer(v), i);
        json_unref(v);
        assert_null(json_object_steal(o, name));
        if (i % 1000 == 0) {
            /* Lookups between steals rebuild the index. */
            snprintf(name, sizeof name, "m%d", i + 1);
            assert_int_equal(json_integer(json_object_find(o, name)), i + 1);
        }
    }
    assert_int_equal(json_object_size(o), N_LARGE / 2);

    int i = 1;
    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, o) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        assert_string_equal(m->name, name);
        assert_int_equal(json_integer(m->value), i);
        assert_int_equal(json_integer(json_object_find(o, name)), i);
        i += 2;
    }

    /* Members put after steals go at the end. */
    json_object_put(o, "m0", json_integer_create(0));
    assert_int_equal(json_object_size(o), N_LARGE / 2 + 1);
    assert_string_equal(o->object.members[N_LARGE / 2].name, "m0");
    assert_int_equal(json_integer(json_object_find(o, "m0")), 0);
    json_unref(o);
}

static void
test_json_object_put_steal_churn(void **state)
{
    /* Long names, put and stolen over and over, so that the storage of
     * stolen names is reclaimed several times; the live names must
     * survive each time. */
    struct json *o = json_object_create();
    char name[128];
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "keep-%d-%0100d", i, i);
        json_object_put(o, name, json_integer_create(i));
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "churn-%d-%0100d", i, i);
        json_object_put(o, name, json_integer_create(i));
        if (i >= 10) {
            snprintf(name, sizeof name, "churn-%d-%0100d", i - 10, i - 10);
            struct json *v = json_object_steal(o, name);
            assert_non_null(v);
            assert_int_equal(json_integer(v), i - 10);
            json_unref(v);
        }
    }
    assert_int_equal(json_object_size(o), 30);
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "keep-%d-%0100d", i, i);
        assert_string_equal(o->object.members[i].name, name);
        assert_int_equal(json_integer(json_object_find(o, name)), i);
    }
    for (int i = 4990; i < 5000; i++) {
        snprintf(name, sizeof name, "churn-%d-%0100d", i, i);
        assert_int_equal(json_integer(json_object_find(o, name)), i);
    }
    json_unref(o);
}

static void
test_json_large_object_equal_hash_ignore_order(void **state)
{
    struct json *a = make_large(0, 1, N_LARGE);
    struct json *b = make_large(N_LARGE - 1, -1, N_LARGE);
    assert_string_equal(b->object.members[0].name, "m9999");
    assert_true(json_equal(a, b));
    assert_true(json_equal(b, a));
    assert_int_equal(json_hash(a, 7), json_hash(b, 7));

    /* Built with json_object_put_new(), parsed, or cloned: the same. */
    struct json *c = json_object_create();
    for (int i = 0; i < N_LARGE; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", (i * 7919) % N_LARGE);
        json_object_put_new(c, name,
                            json_integer_create((i * 7919) % N_LARGE));
    }
    char *text = json_to_string(c, 0);
    struct json *d;
    assert_null(json_from_string(text, &d));
    free(text);
    struct json *e = json_deep_clone(a);
    struct json *all[] = { a, b, c, d, e };
    for (size_t i = 0; i < 5; i++) {
        for (size_t j = 0; j < 5; j++) {
            assert_true(json_equal(all[i], all[j]));
        }
        assert_int_equal(json_hash(all[i], 0), json_hash(a, 0));
    }

    /* One value differs, or one member is missing: not equal. */
    json_object_put(b, "m5000", json_integer_create(-1));
    assert_false(json_equal(a, b));
    assert_false(json_equal(b, a));
    assert_true(json_hash(a, 0) != json_hash(b, 0));
    json_unref(json_object_steal(c, "m1234"));
    json_object_put(c, "x", json_integer_create(1234));
    assert_false(json_equal(a, c));
    assert_false(json_equal(c, a));

    for (size_t i = 0; i < 5; i++) {
        json_unref(all[i]);
    }
}

static void
test_json_sorted_output(void **state)
{
    struct json *o = make_large(30, -1, 31);
    char *s = json_to_string(o, JSON_SORT);
    assert_prefix(s, "{\"m0\":0,\"m1\":1,\"m10\":10,");
    free(s);
    s = json_to_string(o, 0);
    assert_prefix(s, "{\"m30\":30,\"m29\":29,");
    free(s);
    json_unref(o);
}

static void
test_json_framer_splits_stream(void **state)
{
    const char *stream = " {\"a\":\"}{\"} \n{\"b\":[{}]}{";
    struct json_framer f;
    size_t len;
    json_framer_init(&f);

    /* Feed byte by byte to exercise resumption. */
    size_t n;
    for (n = 1; n <= strlen(stream); n++) {
        enum json_framer_result r = json_framer_scan(&f, stream, n, &len);
        if (r == JSON_FRAMER_DONE) {
            break;
        }
        assert_int_equal(r, JSON_FRAMER_MORE);
    }
    assert_int_equal(len, strlen(" {\"a\":\"}{\"}"));

    const char *rest = stream + len;
    assert_int_equal(json_framer_scan(&f, rest, strlen(rest), &len),
                     JSON_FRAMER_DONE);
    assert_int_equal(len, strlen(" \n{\"b\":[{}]}"));
    rest += len;
    assert_int_equal(json_framer_scan(&f, rest, strlen(rest), &len),
                     JSON_FRAMER_MORE);

    json_framer_init(&f);
    assert_int_equal(json_framer_scan(&f, "x{}", 3, &len), JSON_FRAMER_ERROR);
    json_framer_init(&f);
    assert_int_equal(json_framer_scan(&f, "{]]", 3, &len), JSON_FRAMER_DONE);
}

/* json_object_create_1() makes the same object as json_object_create()
 * and one put, which stays usable as an object; the piecewise printers
 * print what json_to_ds() prints. */
static void
test_json_object_create_1_and_pieces(void **state)
{
    struct json *a = json_object_create_1("uuid", json_integer_create(7));
    struct json *b = json_object_create();
    json_object_put_new(b, "uuid", json_integer_create(7));
    assert_true(json_equal(a, b));
    assert_int_equal(json_hash(a, 0), json_hash(b, 0));
    assert_int_equal(json_integer(json_object_find(a, "uuid")), 7);
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        json_object_put_new(a, name, json_integer_create(i));
        json_object_put_new(b, name, json_integer_create(i));
    }
    json_object_put(a, "uuid", json_string_create("x"));
    json_object_put(b, "uuid", json_string_create("x"));
    assert_true(json_equal(a, b));
    assert_string_equal(json_object_find_string(a, "uuid"), "x");
    char *sa = json_to_string(a, 0), *sb = json_to_string(b, 0);
    assert_string_equal(sa, sb);
    free(sa);
    free(sb);
    json_unref(a);
    json_unref(b);

    static const char str[] = "a\"b\\c\n\x01\x7f\xc3\xa9";
    static const double reals[] = { 0.1, -2.5, 1e300, 3.0, 1e-7 };
    static const long long ints[] = { 0, -1, 42, LLONG_MIN, LLONG_MAX };
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct json *j = json_string_create(str);
    json_string_to_ds(str, strlen(str), &ds);
    char *expected = json_to_string(j, 0);
    assert_string_equal(ds_cstr(&ds), expected);
    free(expected);
    json_unref(j);
    for (size_t k = 0; k < ARRAY_SIZE(reals); k++) {
        ds_clear(&ds);
        json_real_to_ds(reals[k], &ds);
        j = json_real_create(reals[k]);
        expected = json_to_string(j, 0);
        assert_string_equal(ds_cstr(&ds), expected);
        free(expected);
        json_unref(j);
    }
    for (size_t k = 0; k < ARRAY_SIZE(ints); k++) {
        ds_clear(&ds);
        json_integer_to_ds(ints[k], &ds);
        j = json_integer_create(ints[k]);
        expected = json_to_string(j, 0);
        assert_string_equal(ds_cstr(&ds), expected);
        free(expected);
        json_unref(j);
    }
    ds_uninit(&ds);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_round_trips),
        cmocka_unit_test(test_json_object_create_1_and_pieces),
        cmocka_unit_test(test_json_rejects_malformed),
        cmocka_unit_test(test_json_depth_limit),
        cmocka_unit_test(test_json_object_members),
        cmocka_unit_test(test_json_duplicate_names_keep_last),
        cmocka_unit_test(test_json_escaped_names_and_strings),
        cmocka_unit_test(test_json_string_constructors),
        cmocka_unit_test(test_json_repeated_strings_share_safely),
        cmocka_unit_test(test_json_parsed_containers_grow),
        cmocka_unit_test(test_json_large_object_put_find_iterate),
        cmocka_unit_test(test_json_large_object_replace),
        cmocka_unit_test(test_json_large_object_steal),
        cmocka_unit_test(test_json_object_put_steal_churn),
        cmocka_unit_test(test_json_large_object_equal_hash_ignore_order),
        cmocka_unit_test(test_json_sorted_output),
        cmocka_unit_test(test_json_framer_splits_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
