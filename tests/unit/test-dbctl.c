/* Unit tests for the value syntax of tools/dbctl.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "ovsdb/error.h"
#include "tools/dbctl.h"

/* Parses the JSON column type 'text' into 'type'. */
static void
type_from_text(struct db_type *type, const char *text)
{
    struct json *json;
    char *error = json_from_string(text, &json);
    assert_null(error);
    struct db_error *dberr = db_type_from_json(type, json);
    assert_null(dberr);
    json_unref(json);
}

/* Parses 'input' as a value of column type 'type_text' and checks that it
 * formats back as 'expected' (string syntax) and 'expected_bare'. */
static void
check_round_trip(const char *type_text, const char *input,
                 const char *expected, const char *expected_bare)
{
    struct db_type type;
    struct datum datum;
    struct ds ds;

    type_from_text(&type, type_text);
    char *error = dbctl_datum_from_string(&datum, &type, input, NULL);
    if (error) {
        fail_msg("%s: %s", input, error);
    }
    ds_init(&ds);
    dbctl_datum_to_string(&datum, &type, false, &ds);
    assert_string_equal(ds_cstr(&ds), expected);
    ds_clear(&ds);
    dbctl_datum_to_string(&datum, &type, true, &ds);
    assert_string_equal(ds_cstr(&ds), expected_bare);
    ds_uninit(&ds);
    datum_destroy(&datum, &type);
    db_type_destroy(&type);
}

/* Checks that 'input' does not parse as 'type_text', with an error that
 * contains 'fragment'. */
static void
check_error(const char *type_text, const char *input, const char *fragment)
{
    struct db_type type;
    struct datum datum;

    type_from_text(&type, type_text);
    char *error = dbctl_datum_from_string(&datum, &type, input, NULL);
    assert_non_null(error);
    if (!strstr(error, fragment)) {
        fail_msg("%s: error \"%s\" lacks \"%s\"", input, error, fragment);
    }
    free(error);
    assert_int_equal(datum.n, 0);
    db_type_destroy(&type);
}

static void
test_string_quoting(void **state)
{
    (void) state;
    check_round_trip("\"string\"", "sw0", "sw0", "sw0");
    check_round_trip("\"string\"", "_a-b.c", "_a-b.c", "_a-b.c");
    check_round_trip("\"string\"", "\"1\"", "\"1\"", "1");
    check_round_trip("\"string\"", "\"x y\"", "\"x y\"", "x y");
    check_round_trip("\"string\"", "\"true\"", "\"true\"", "true");
    check_round_trip("\"string\"", "\"\"", "\"\"", "");
    check_round_trip("\"string\"", "\"a\\\"b\"", "\"a\\\"b\"", "a\"b");
    check_round_trip("\"string\"",
                     "\"01234567-89ab-cdef-0123-456789abcdef\"",
                     "\"01234567-89ab-cdef-0123-456789abcdef\"",
                     "01234567-89ab-cdef-0123-456789abcdef");
}

static void
test_scalars(void **state)
{
    (void) state;
    check_round_trip("\"integer\"", "42", "42", "42");
    check_round_trip("\"integer\"", "-7", "-7", "-7");
    check_round_trip("\"boolean\"", "true", "true", "true");
    check_round_trip("\"real\"", "1.5", "1.5", "1.5");
    check_round_trip("\"uuid\"", "01234567-89ab-cdef-0123-456789abcdef",
                     "01234567-89ab-cdef-0123-456789abcdef",
                     "01234567-89ab-cdef-0123-456789abcdef");
}

static void
test_sets(void **state)
{
    (void) state;
    const char *opt = "{\"key\":\"integer\",\"min\":0,\"max\":1}";
    check_round_trip(opt, "[]", "[]", "");
    check_round_trip(opt, "42", "42", "42");
    check_round_trip(opt, "[42]", "42", "42");
    const char *set = "{\"key\":\"string\",\"min\":0,\"max\":\"unlimited\"}";
    check_round_trip(set, "[]", "[]", "");
    check_round_trip(set, "a", "[a]", "a");
    check_round_trip(set, "b,a", "[a, b]", "a b");
    check_round_trip(set, "[b, \"x y\" a]", "[a, b, \"x y\"]", "a b x y");
}

static void
test_maps(void **state)
{
    (void) state;
    const char *map = "{\"key\":\"string\",\"value\":\"string\","
                      "\"min\":0,\"max\":\"unlimited\"}";
    check_round_trip(map, "{}", "{}", "");
    check_round_trip(map, "{b=\"x y\", a=\"1\"}", "{a=\"1\", b=\"x y\"}",
                     "a=1 b=x y");
    check_round_trip(map, "a=b,\"c d\"=\"e f\"", "{a=b, \"c d\"=\"e f\"}",
                     "a=b c d=e f");
    const char *imap = "{\"key\":\"integer\",\"value\":\"boolean\","
                       "\"min\":0,\"max\":\"unlimited\"}";
    check_round_trip(imap, "{2=false, 1=true}", "{1=true, 2=false}",
                     "1=true 2=false");
}

static void
test_errors(void **state)
{
    (void) state;
    check_error("\"integer\"", "notanumber",
                "\"notanumber\" is not a valid integer");
    check_error("\"boolean\"", "yes", "not a valid boolean");
    check_error("\"uuid\"", "1", "\"1\" is not a valid UUID");
    check_error("\"string\"", "\"open", "missing quote");
    check_error("\"integer\"", "", "not a valid value");
    const char *set = "{\"key\":\"string\",\"min\":0,\"max\":2}";
    check_error(set, "[a, b, c]", "not a valid value");
    check_error(set, "[a, a]", "duplicate");
    check_error(set, "[a, b", "missing \"]\"");
    check_error(set, "[a] x", "trailing garbage");
    const char *map = "{\"key\":\"string\",\"value\":\"string\","
                      "\"min\":0,\"max\":\"unlimited\"}";
    check_error(map, "{a}", "missing \"=\"");
    check_error("{\"key\":{\"type\":\"string\",\"enum\":[\"set\","
                "[\"secure\",\"standalone\"]]}}", "bogus",
                "bogus is not one of the allowed values "
                "([secure, standalone])");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_quoting),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_sets),
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
