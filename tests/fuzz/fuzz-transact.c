/* Fuzz target for "transact" execution (ovsdb/execute.h, txn.h): runs the
 * input, as the params of a transact request, against a small database of
 * the unit tests' schema, commits whatever it commits, and checks the
 * invariants: the database stays internally consistent (indexes, reference
 * counts), every value satisfies its column's constraints, every strong
 * reference leads to a row, and replaying the transaction's file records
 * (full and "_is_diff") on replicas gives the same rows.  It must never
 * crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/util.h"
#include "ovsdb/datum.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/execute.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"
#include "ovsdb/txn.h"
#include "tests/unit/ovsdb-test-schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rows every run starts from, with fixed UUIDs so that inputs can name
 * them. */
static const char initial_rows[] =
    "[\"Test\","
    "{\"op\":\"insert\",\"table\":\"Child\",\"uuid\":"
    "\"00000000-0000-0000-0000-00000000000c\",\"uuid-name\":\"c\","
    "\"row\":{\"name\":\"c\"}},"
    "{\"op\":\"insert\",\"table\":\"Child\",\"uuid\":"
    "\"00000000-0000-0000-0000-00000000000d\",\"uuid-name\":\"d\","
    "\"row\":{\"name\":\"d\",\"next\":[\"named-uuid\",\"c\"]}},"
    "{\"op\":\"insert\",\"table\":\"Root\",\"uuid\":"
    "\"00000000-0000-0000-0000-000000000001\",\"row\":{\"name\":\"a\","
    "\"i\":1,\"iset\":[\"set\",[1,2,3]],\"m\":[\"map\",[[\"k\",1]]],"
    "\"children\":[\"named-uuid\",\"d\"],\"weak\":[\"named-uuid\",\"c\"],"
    "\"wmap\":[\"map\",[[\"x\",[\"named-uuid\",\"d\"]]]]}},"
    "{\"op\":\"insert\",\"table\":\"W1\",\"uuid\":"
    "\"00000000-0000-0000-0000-000000000002\",\"row\":{\"w\":"
    "[\"named-uuid\",\"c\"]}},"
    "{\"op\":\"insert\",\"table\":\"Limited\",\"row\":{\"a\":1}}]";

static struct db *
create_db(void)
{
    struct json *json;
    char *msg = json_from_string(ovsdb_test_schema, &json);
    ASSERT(!msg);
    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(json, &schema);
    ASSERT(!error);
    json_unref(json);
    return db_create(schema);
}

/* Executes 'params' on 'db', commits, and replays the record on
 * 'replica' and the diff record on 'diff_replica'. */
static void
run(struct db *db, struct db *replica, struct db *diff_replica,
    const struct json *params)
{
    struct db_exec_result result;
    struct db_exec_env env = { NULL, NULL, 0 };
    db_execute(db, params, &env, &result);
    ASSERT(result.status == DB_EXEC_BLOCKED || result.reply);
    ASSERT(result.status != DB_EXEC_BLOCKED || !result.reply);
    if (result.status == DB_EXEC_COMMIT) {
        struct json *record = db_txn_to_record(result.txn, NULL);
        struct json *diff = db_txn_to_diff_record(result.txn, NULL);
        db_changes_unref(db_txn_commit(result.txn));
        ASSERT(!record == !diff);
        if (record) {
            struct db_error *error = db_apply_record(replica, record, NULL);
            ASSERT(!error);
            error = db_apply_record(diff_replica, diff, NULL);
            ASSERT(!error);
            json_unref(record);
            json_unref(diff);
        }
    }
    json_unref(result.reply);
    db_assert_valid(db);
    db_assert_valid(replica);
    db_assert_valid(diff_replica);
}

static void
check_row(const struct db *db, const struct row *row)
{
    const struct table_schema *table = row->table;
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct db_type *type = &table->columns[i]->type;
        const struct datum *d = &row->fields[i];
        struct db_error *error = datum_check_constraints(d, type);
        ASSERT(!error);
        for (size_t j = 1; j < d->n; j++) {
            ASSERT(atom_compare(&d->keys[j - 1], &d->keys[j],
                                type->key.type) < 0);
        }
        for (int kv = 0; kv < 2; kv++) {
            const struct db_base_type *base = kv ? &type->value : &type->key;
            const union atom *atoms = kv ? d->values : d->keys;
            if (!db_base_type_is_ref(base)) {
                continue;
            }
            for (size_t j = 0; j < d->n; j++) {
                ASSERT(db_find_row(db, base->uuid.ref_table,
                                   &atoms[j].uuid));
            }
        }
    }
}

/* Compares the persistent contents of 'a' and 'b'. */
static void
check_same(const struct db *a, const struct db *b)
{
    ASSERT(db_count_rows(a) == db_count_rows(b));
    const struct db_schema *schema = db_get_schema(a);
    for (size_t t = 0; t < schema->n_tables; t++) {
        const struct table_schema *table = schema->table_array[t];
        const struct table_schema *table_b = db_schema_find_table(
            db_get_schema(b), table->name);
        const struct row *row;
        HMAP_FOR_EACH (row, node, db_table_rows(a, table)) {
            check_row(a, row);
            const struct row *other = db_find_row(b, table_b, &row->uuid);
            ASSERT(other);
            for (size_t i = DB_COLUMN_VERSION + 1; i < table->n_columns;
                 i++) {
                const struct column_schema *c = table->columns[i];
                ASSERT(!c->is_persistent
                       || datum_equals(&row->fields[i], &other->fields[i],
                                       &c->type));
            }
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json *json;
    char *msg = json_from_buffer((const char *) data, size, &json);
    if (msg) {
        free(msg);
        return 0;
    }

    /* Inputs may omit the database name. */
    struct json *params;
    if (json_is_array(json) && json_array_size(json)
        && json_is_string(json_array_at(json, 0))) {
        params = json_ref(json);
    } else {
        params = json_array_create_1(json_string_create("Test"));
        if (json_is_array(json)) {
            for (size_t i = 0; i < json_array_size(json); i++) {
                json_array_add(params, json_ref(json_array_at(json, i)));
            }
        } else {
            json_array_add(params, json_ref(json));
        }
    }

    struct db *db = create_db();
    struct db *replica = create_db();
    struct db *diff_replica = create_db();
    struct json *initial;
    msg = json_from_string(initial_rows, &initial);
    ASSERT(!msg);
    run(db, replica, diff_replica, initial);
    ASSERT(db_count_rows(db) == 5);
    json_unref(initial);

    /* Twice: the second time, explicit UUIDs collide with rows. */
    for (int i = 0; i < 2; i++) {
        run(db, replica, diff_replica, params);
        check_same(db, replica);
        check_same(db, diff_replica);
    }

    db_destroy(db);
    db_destroy(replica);
    db_destroy(diff_replica);
    json_unref(params);
    json_unref(json);
    return 0;
}
