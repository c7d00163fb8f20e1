/* Helpers shared by the ovsdb unit tests (test-execute, test-txn,
 * test-monitor).  Include after <cmocka.h>: failures are cmocka
 * failures. */
#ifndef TESTS_UNIT_OVSDB_TEST_UTIL_H
#define TESTS_UNIT_OVSDB_TEST_UTIL_H 1

#include <stdlib.h>

#include "lib/json.h"
#include "lib/util.h"
#include "ovsdb/db.h"
#include "ovsdb/schema.h"
#include "tests/unit/ovsdb-test-schema.h"

/* Returns a new, empty database of the test schema. */
static inline struct db *
test_db(void)
{
    struct json *json;
    char *msg = json_from_string(ovsdb_test_schema, &json);
    assert_null(msg);
    struct db_schema *schema;
    assert_null(db_schema_from_json(json, &schema));
    json_unref(json);
    return db_create(schema);
}

/* Parses 's', JSON written with single quotes for readability in C. */
static inline struct json *
parse_quoted(const char *s)
{
    char *copy = xstrdup(s);
    for (char *p = copy; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    struct json *json;
    char *error = json_from_string(copy, &json);
    if (error) {
        fail_msg("bad JSON in test: %s: %s", copy, error);
    }
    free(copy);
    return json;
}

#endif /* tests/unit/ovsdb-test-util.h */
