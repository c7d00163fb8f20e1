/* The _Server database: its schema (an interface that clients such as the
 * OVS IDL depend on, so the same tables, columns and version as
 * ovsdb-server's) and the transactions that keep its rows current. */
#include "ovsdb/server-db.h"

#include <stdlib.h>

#include "lib/json.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/schema.h"

static const char server_schema_text[] =
    "{\"name\": \"_Server\", \"version\": \"1.2.0\","
    " \"cksum\": \"3009684573 744\","
    " \"tables\": {\"Database\": {\"columns\": {"
    "  \"name\": {\"type\": \"string\"},"
    "  \"model\": {\"type\": {\"key\": {\"type\": \"string\","
    "      \"enum\": [\"set\", [\"clustered\", \"relay\", \"standalone\"]]}}},"
    "  \"connected\": {\"type\": \"boolean\"},"
    "  \"leader\": {\"type\": \"boolean\"},"
    "  \"schema\": {\"type\": {\"key\": \"string\", \"min\": 0}},"
    "  \"sid\": {\"type\": {\"key\": \"uuid\", \"min\": 0}},"
    "  \"cid\": {\"type\": {\"key\": \"uuid\", \"min\": 0}},"
    "  \"index\": {\"type\": {\"key\": \"integer\", \"min\": 0}}}}}}";

/* Creates the (empty) _Server database. */
struct db_error *
server_db_create(struct db **dbp)
{
    struct json *json;
    char *error = json_from_string(server_schema_text, &json);
    ASSERT(!error);

    struct db_schema *schema;
    struct db_error *e = db_schema_from_json(json, &schema);
    json_unref(json);
    if (e) {
        *dbp = NULL;
        return e;
    }
    *dbp = db_create(schema);
    return NULL;
}

/* Returns "transact" params for _Server that insert the row describing
 * 'db' (if 'row' is all-zeros) or delete it (if 'removed'). */
struct json *
server_db_row_ops(const struct db *db, const struct uuid *row, bool removed)
{
    const struct db_schema *schema = db_get_schema(db);
    struct json *op = json_object_create();
    json_object_put_new(op, "table", json_string_create("Database"));

    if (removed) {
        char s[UUID_LEN + 1];
        uuid_to_buffer(row, s);
        json_object_put_new(op, "op", json_string_create("delete"));
        json_object_put_new(
            op, "where", json_array_create_1(json_array_create_3(
                json_string_create("_uuid"), json_string_create("=="),
                json_array_create_2(json_string_create("uuid"),
                                    json_string_create(s)))));
    } else {
        struct json *schema_json = db_schema_to_json(schema);
        struct json *fields = json_object_create();
        json_object_put_new(fields, "name", json_string_create(schema->name));
        json_object_put_new(fields, "model",
                            json_string_create("standalone"));
        json_object_put_new(fields, "connected", json_boolean_create(true));
        json_object_put_new(fields, "leader", json_boolean_create(true));
        json_object_put_new(fields, "schema", json_string_create_nocopy(
                                json_to_string(schema_json, JSON_SORT)));
        json_unref(schema_json);
        json_object_put_new(op, "op", json_string_create("insert"));
        json_object_put_new(op, "row", fields);
    }
    return json_array_create_2(json_string_create("_Server"), op);
}
