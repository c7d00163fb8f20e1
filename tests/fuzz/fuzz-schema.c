/* Fuzz target for OVSDB schema parsing (ovsdb/schema.h): parse the input as
 * JSON and then as a schema; every schema that parses must print, parse
 * again and compare equal (the round trip), and clone equal. */
#include <stdint.h>
#include <stdlib.h>

#include "lib/json.h"
#include "lib/util.h"
#include "ovsdb/error.h"
#include "ovsdb/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json *json;
    char *msg = json_from_buffer((const char *) data, size, &json);
    if (msg) {
        free(msg);
        return 0;
    }

    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(json, &schema);
    json_unref(json);
    if (error) {
        /* Every error says what was wrong. */
        ASSERT(db_error_details(error));
        db_error_destroy(error);
        return 0;
    }

    struct json *printed = db_schema_to_json(schema);
    struct db_schema *again;
    error = db_schema_from_json(printed, &again);
    ASSERT(!error);
    ASSERT(db_schema_equal(schema, again));
    struct json *reprinted = db_schema_to_json(again);
    ASSERT(json_equal(printed, reprinted));

    struct db_schema *clone = db_schema_clone(schema);
    ASSERT(db_schema_equal(schema, clone));

    json_unref(reprinted);
    json_unref(printed);
    db_schema_destroy(clone);
    db_schema_destroy(again);
    db_schema_destroy(schema);
    return 0;
}
