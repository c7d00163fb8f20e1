/* Unit tests for lib/json.h: parsing, printing, errors and framing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"

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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_round_trips),
        cmocka_unit_test(test_json_rejects_malformed),
        cmocka_unit_test(test_json_depth_limit),
        cmocka_unit_test(test_json_object_members),
        cmocka_unit_test(test_json_framer_splits_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
