/* Fuzz target for the IDL's handling of server messages (ovsdb/idl.h):
 * update, update2 and update3 notifications, monitor, lock and transact
 * replies, echo requests.  A detached IDL monitors every column of the
 * unit tests' schema, is synced with a few rows, and has a transaction
 * waiting for its reply (request id 3); the input is a stream of JSON-RPC
 * messages fed to it one by one.  After each, every replicated value must
 * satisfy its column's type (sorted, unique, within the size bounds), the
 * tracked rows must be consistent, and a dropped connection is brought
 * back up so the rest of the input still reaches a synced replica.  It
 * must never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/log.h"
#include "lib/util.h"
#include "ovsdb/datum.h"
#include "ovsdb/idl-private.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"
#include "tests/unit/ovsdb-test-schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tables[] = { "Root", "Child", "Limited", "W1" };

static const char initial_rows[] =
    "[false,\"aaaaaaaa-0000-0000-0000-000000000001\",{"
    "\"Root\":{\"00000000-0000-0000-0000-000000000001\":{\"initial\":{"
    "\"name\":\"a\",\"i\":1,\"iset\":[\"set\",[1,2,3]],"
    "\"m\":[\"map\",[[\"k\",1]]],"
    "\"children\":[\"uuid\",\"00000000-0000-0000-0000-00000000000c\"]}}},"
    "\"Child\":{\"00000000-0000-0000-0000-00000000000c\":{\"initial\":{"
    "\"name\":\"c\"}}}}]";

static struct json *
parse(const char *s)
{
    struct json *json;
    char *error = json_from_string(s, &json);
    ASSERT(!error);
    return json;
}

static void
drain(struct idl *idl)
{
    struct jsonrpc_msg *msg;
    while ((msg = idl__pop_sent(idl))) {
        jsonrpc_msg_destroy(msg);
    }
}

/* Returns the first request for 'method' that 'idl' sent, discarding the
 * messages before it. */
static struct jsonrpc_msg *
take(struct idl *idl, const char *method)
{
    struct jsonrpc_msg *msg;
    while ((msg = idl__pop_sent(idl))) {
        if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, method)) {
            return msg;
        }
        jsonrpc_msg_destroy(msg);
    }
    NOT_REACHED();
}

/* Connects 'idl' and answers get_schema and the monitor request. */
static void
sync_idl(struct idl *idl)
{
    idl__connected(idl);
    struct jsonrpc_msg *req = take(idl, "get_schema");
    idl__receive(idl, jsonrpc_msg_create_reply(parse(ovsdb_test_schema),
                                               req->id));
    jsonrpc_msg_destroy(req);
    req = take(idl, "monitor_cond_since");
    idl__receive(idl, jsonrpc_msg_create_reply(parse(initial_rows),
                                               req->id));
    jsonrpc_msg_destroy(req);
    drain(idl);
}

static void
check_replica(struct idl *idl)
{
    for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
        struct idl_table *table = idl_get_table(idl, tables[t]);
        const struct table_schema *ts = idl_table_schema(table);
        const struct idl_row *row;
        IDL_FOR_EACH_ROW (row, table) {
            ASSERT(!idl_row_is_deleted(row));
            ASSERT(idl_row_find(table, idl_row_uuid(row)) == row);
            for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
                const struct column_schema *cs = ts->columns[i];
                const struct datum *d = idl_row_get(
                    row, idl_table_find_column(table, cs->name));
                ASSERT(d->n >= cs->type.n_min && d->n <= cs->type.n_max);
                for (size_t k = 1; k < d->n; k++) {
                    ASSERT(atom_compare(&d->keys[k - 1], &d->keys[k],
                                        cs->type.key.type) < 0);
                }
            }
        }
        IDL_FOR_EACH_TRACKED (row, table) {
            ASSERT(idl_row_is_deleted(row)
                   || idl_row_find(table, idl_row_uuid(row)) == row);
        }
    }
}

static void
deliver(struct jsonrpc_msg *msg, void *idl_)
{
    struct idl *idl = idl_;
    idl__receive(idl, msg);
    drain(idl);
    check_replica(idl);
    if (!idl_is_connected(idl)) {
        sync_idl(idl);
        check_replica(idl);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool quiet;
    if (!quiet) {
        free(log_set_levels_from_string("off"));
        quiet = true;
    }

    struct idl *idl = idl__create_detached("Test");
    for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
        idl_add_all_columns(idl_add_table(idl, tables[t]));
    }
    idl_set_lock(idl, "lock");
    sync_idl(idl);

    /* A transaction in flight, so replies to it reach the reply code. */
    struct idl_table *root = idl_get_table(idl, "Root");
    const struct idl_row *a = idl_table_first_row(root);
    struct idl_txn *txn = idl_txn_create(idl);
    idl__receive(idl, jsonrpc_msg_create_notify(
                     "locked", parse("[\"lock\"]")));
    if (a) {
        idl_txn_verify(txn, a, idl_table_find_column(root, "name"));
        idl_txn_increment(txn, a, idl_table_find_column(root, "i"));
        const struct idl_row *c = idl_txn_insert(
            txn, idl_get_table(idl, "Child"));
        idl_txn_set_string(txn, c, idl_table_find_column(
                               idl_get_table(idl, "Child"), "name"), "x");
        idl_txn_commit(txn, NULL, NULL);
    }
    drain(idl);

    struct jsonrpc_parser parser;
    jsonrpc_parser_init(&parser);
    struct ds buf = DS_EMPTY_INITIALIZER;
    ds_put_buffer(&buf, (const char *) data, size);
    char *error = NULL;
    jsonrpc_parser_run(&parser, &buf, deliver, idl, &error);
    free(error);
    ds_uninit(&buf);

    idl_track_clear(idl);
    check_replica(idl);
    idl_txn_destroy(txn);
    idl_destroy(idl);
    return 0;
}
