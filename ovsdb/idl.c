/* The IDL's replica (see idl.h): the tables and columns a program declares,
 * their binding to the server's schema, the application of monitor updates
 * (RFC 7047 "update", ovsdb-server(7) "update2" and "update3") to the rows,
 * change tracking, monitor conditions and the read accessors.
 *
 * Rows keep their values in a 'struct row' of ovsdb/row.h, the server's own
 * row type, so values are the server's datums and the condition code of
 * ovsdb/condition.c can evaluate them.  The protocol around this lives in
 * idl-session.c; transactions in idl-txn.c. */
#include "ovsdb/idl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "lib/log.h"
#include "ovsdb/condition.h"
#include "ovsdb/error.h"
#include "ovsdb/idl-private.h"
#include "ovsdb/schema.h"

LOG_MODULE(idl);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(10, 20);

static void idl_row_track(struct idl_row *, size_t column_idx);

/* Time and notification. */

/* Returns the current time in ms: the loop's for a connected IDL, the time
 * the tests set for a detached one. */
long long
idl__now(const struct idl *idl)
{
    return idl->loop ? (long long) uv_now(idl->loop) : idl->fake_now;
}

/* Records an error message for idl_get_last_error() and logs it. */
void
idl__set_error(struct idl *idl, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_format_valist(&ds, format, args);
    va_end(args);
    free(idl->last_error);
    idl->last_error = ds_steal_cstr(&ds);
    LOG_WARN_RL(&rl, "%s: %s", idl->db_name, idl->last_error);
}

/* Bumps the sequence number and calls the change callback. */
void
idl__notify(struct idl *idl)
{
    idl->seqno++;
    if (idl->change_cb) {
        idl->change_cb(idl, idl->change_aux);
    }
}

/* Starts applying one batch of updates: without idl_track_enable(), forgets
 * the previous batch's tracked changes. */
void
idl__batch_begin(struct idl *idl)
{
    if (!idl->track_keep) {
        idl_track_clear(idl);
    }
    idl->changed = false;
}

/* Ends a batch: notifies if it changed anything. */
void
idl__batch_end(struct idl *idl)
{
    if (idl->changed) {
        idl->changed = false;
        idl__notify(idl);
    }
}

/* Declarations. */

static struct idl_table *
idl_table_find(const struct idl *idl, const char *name)
{
    struct idl_table *table;
    HMAP_FOR_EACH_WITH_HASH (table, node, hash_string(name, 0),
                             &idl->tables) {
        if (!strcmp(table->name, name)) {
            return table;
        }
    }
    return NULL;
}

/* A declaration after the IDL has bound a schema needs a new monitor: the
 * simplest correct way is a new connection. */
static void
idl_declarations_changed(struct idl *idl)
{
    if (idl->state >= IDL_S_SCHEMA) {
        idl__drop(idl, "monitored tables or columns changed");
    }
}

static struct idl_table *
idl_table_create(struct idl *idl, const char *name)
{
    struct idl_table *table = xzalloc(sizeof *table);
    table->name = xstrdup(name);
    table->idl = idl;
    hmap_init(&table->columns);
    hmap_init(&table->rows);
    list_init(&table->tracked);
    hmap_insert(&idl->tables, &table->node, hash_string(name, 0));
    return table;
}

/* Declares that 'idl' replicates the table named 'name' and returns its
 * handle, valid until idl_destroy().  Declaring the same table twice
 * returns the same handle.  The name is checked when the schema arrives
 * (see idl_get_last_error()).  A table without columns replicates only its
 * rows' UUIDs. */
struct idl_table *
idl_add_table(struct idl *idl, const char *name)
{
    struct idl_table *table = idl_table_find(idl, name);
    if (!table) {
        table = idl_table_create(idl, name);
        idl_declarations_changed(idl);
    }
    return table;
}

/* Declares that 'idl' replicates every column of every table the server's
 * schema has (for generic tools such as the CLIs).  The handles come from
 * idl_get_table() and idl_table_find_column() once the schema has
 * arrived. */
void
idl_add_all_tables(struct idl *idl)
{
    if (!idl->all_tables) {
        idl->all_tables = true;
        idl_declarations_changed(idl);
    }
}

static struct idl_column *
idl_column_find(const struct idl_table *table, const char *name)
{
    struct idl_column *column;
    HMAP_FOR_EACH_WITH_HASH (column, node, hash_string(name, 0),
                             &table->columns) {
        if (!strcmp(column->name, name)) {
            return column;
        }
    }
    return NULL;
}

static struct idl_column *
idl_column_create(struct idl_table *table, const char *name)
{
    struct idl_column *column = xzalloc(sizeof *column);
    column->name = xstrdup(name);
    column->table = table;
    hmap_insert(&table->columns, &column->node, hash_string(name, 0));
    if (table->n_column_order >= table->allocated_column_order) {
        table->column_order = x2nrealloc(table->column_order,
                                         &table->allocated_column_order,
                                         sizeof *table->column_order);
    }
    table->column_order[table->n_column_order++] = column;
    return column;
}

/* Declares that 'table' replicates its column 'name' and returns the
 * column's handle, valid until idl_destroy() (the same handle if declared
 * before).  The name is checked when the schema arrives. */
const struct idl_column *
idl_add_column(struct idl_table *table, const char *name)
{
    struct idl_column *column = idl_column_find(table, name);
    if (!column) {
        column = idl_column_create(table, name);
        idl_declarations_changed(table->idl);
    }
    return column;
}

/* Declares that 'table' replicates every column the server's schema gives
 * it.  Handles of the columns not declared one by one come from
 * idl_table_find_column() once the schema has arrived. */
void
idl_add_all_columns(struct idl_table *table)
{
    if (!table->all_columns) {
        table->all_columns = true;
        idl_declarations_changed(table->idl);
    }
}

/* Returns the handle of the declared table named 'name', or NULL. */
struct idl_table *
idl_get_table(const struct idl *idl, const char *name)
{
    return idl_table_find(idl, name);
}

/* Returns the handle of column 'name' of 'table' if 'table' replicates it,
 * else NULL. */
const struct idl_column *
idl_table_find_column(const struct idl_table *table, const char *name)
{
    return idl_column_find(table, name);
}

/* Returns the name of 'table', as declared. */
const char *
idl_table_name(const struct idl_table *table)
{
    return table->name;
}

/* Returns the table that 'column' belongs to. */
struct idl_table *
idl_column_table(const struct idl_column *column)
{
    return column->table;
}

/* Returns the name of 'column', as declared. */
const char *
idl_column_name(const struct idl_column *column)
{
    return column->name;
}

/* Returns the schema of 'table' on the server, or NULL before the schema
 * has arrived. */
const struct table_schema *
idl_table_schema(const struct idl_table *table)
{
    return table->schema;
}

/* Returns the schema of 'column', or NULL before the schema has arrived. */
const struct column_schema *
idl_column_schema(const struct idl_column *column)
{
    return column->schema;
}

/* Returns the schema of 'column', which must be bound. */
const struct column_schema *
idl__column(const struct idl_column *column)
{
    ASSERT(column->schema);
    return column->schema;
}

/* Returns the server's schema, or NULL before it has arrived. */
const struct db_schema *
idl_get_schema(const struct idl *idl)
{
    return idl->schema;
}

/* Rows. */

/* Returns a new row of 'table' (whose schema must be bound) with UUID
 * 'uuid' and default values, in no table or list. */
struct idl_row *
idl__row_create(struct idl_table *table, const struct uuid *uuid)
{
    struct idl_row *row = xzalloc(sizeof *row);
    row->uuid = *uuid;
    row->table = table;
    row->data = row_create(table->schema, uuid);
    return row;
}

/* Frees the column differences 'row' keeps. */
static void
idl_row_clear_diffs(struct idl_row *row)
{
    for (size_t i = 0; i < row->n_diffs; i++) {
        struct idl_row_diff *d = &row->diffs[i];
        const struct column_schema *cs = row->table->schema->columns[d->column];
        struct db_type relaxed = cs->type;
        relaxed.n_min = 0;
        relaxed.n_max = UINT_MAX;
        datum_destroy(&d->diff, &relaxed);
    }
    free(row->diffs);
    row->diffs = NULL;
    row->n_diffs = 0;
}

/* Frees 'row', which must be in no table or list. */
void
idl__row_free(struct idl_row *row)
{
    if (row) {
        idl_row_clear_diffs(row);
        row_unref(row->data);
        free(row->changed);
        free(row);
    }
}

/* Returns the diff slot of column 'index' of 'row', made (known, empty) if
 * need be. */
static struct idl_row_diff *
idl_row_diff_slot(struct idl_row *row, size_t index)
{
    for (size_t i = 0; i < row->n_diffs; i++) {
        if (row->diffs[i].column == index) {
            return &row->diffs[i];
        }
    }
    row->diffs = xrealloc(row->diffs, (row->n_diffs + 1) * sizeof *row->diffs);
    struct idl_row_diff *d = &row->diffs[row->n_diffs++];
    d->column = index;
    d->known = true;
    datum_init_empty(&d->diff);
    return d;
}

/* Returns true if the program asked for the differences of column 'index'
 * of 'table'. */
static bool
idl_table_tracks_diffs(const struct idl_table *table, size_t index)
{
    const struct idl_column *col;
    HMAP_FOR_EACH (col, node, &table->columns) {
        if (col->track_diffs && col->schema && col->schema->index == index) {
            return true;
        }
    }
    return false;
}

static struct idl_row *
idl_row_find_mutable(const struct idl_table *table, const struct uuid *uuid)
{
    struct idl_row *row;
    HMAP_FOR_EACH_WITH_HASH (row, node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(&row->uuid, uuid)) {
            return row;
        }
    }
    return NULL;
}

/* Removes 'row' from its table's live rows and tracks its deletion; the
 * row stays readable until the tracked changes are cleared. */
static void
idl_row_delete(struct idl_row *row)
{
    hmap_remove(&row->table->rows, &row->node);
    row->is_deleted = true;
    idl_row_track(row, SIZE_MAX);
}

/* Schema binding. */

static bool
idl_cond_equal(const struct json *a, const struct json *b)
{
    return a == b || (a && b && json_equal(a, b));
}

/* Parses 'table''s condition for client-side filtering under "monitor"
 * (v1), which has no conditions.  Returns an error message (caller frees)
 * or NULL. */
static char *
idl_table_parse_cond(const struct idl_table *table,
                     const struct table_schema *ts,
                     const struct json *cond, struct db_condition **condp)
{
    *condp = NULL;
    if (!cond) {
        return NULL;
    }
    struct db_error *error = db_condition_from_json(ts, cond, true, condp);
    if (error) {
        char *s = db_error_to_string(error);
        char *msg = xasprintf("table %s: bad condition: %s", table->name, s);
        free(s);
        db_error_destroy(error);
        return msg;
    }
    return NULL;
}

/* Checks that every declared table, column and condition fits 'schema'.
 * Returns NULL or an error message (caller frees). */
static char *
idl_check_schema(const struct idl *idl, const struct db_schema *schema)
{
    const struct idl_table *table;
    HMAP_FOR_EACH (table, node, &idl->tables) {
        const struct table_schema *ts = db_schema_find_table(schema,
                                                             table->name);
        if (!ts) {
            return xasprintf("database %s has no table %s", idl->db_name,
                             table->name);
        }
        for (size_t i = 0; i < table->n_column_order; i++) {
            const char *name = table->column_order[i]->name;
            const struct column_schema *cs = table_schema_find_column(ts,
                                                                      name);
            if (!cs || cs->index <= DB_COLUMN_VERSION) {
                return xasprintf("table %s has no column %s", table->name,
                                 name);
            }
        }
        struct db_condition *cond;
        char *error = idl_table_parse_cond(table, ts, table->cond, &cond);
        if (error) {
            return error;
        }
        db_condition_destroy(cond);
    }
    return NULL;
}

/* Deletes (tracked) every live row of 'table' whose 'sync_gen' is not
 * 'keep_gen'. */
static void
idl_table_delete_rows(struct idl_table *table, unsigned int keep_gen)
{
    struct idl_row *row;
    HMAP_FOR_EACH_SAFE (row, node, &table->rows) {
        if (row->sync_gen != keep_gen) {
            idl_row_delete(row);
        }
    }
}

/* Deletes every live row (tracked), for a schema that changed. */
static void
idl_purge_rows(struct idl *idl)
{
    struct idl_table *table;
    idl->sync_gen++;
    HMAP_FOR_EACH (table, node, &idl->tables) {
        idl_table_delete_rows(table, idl->sync_gen);
    }
}

/* Binds the declared tables and columns to 'schema', the server's, taking
 * ownership of it.  Returns NULL, or an error message (caller frees) if a
 * declared name is missing, in which case nothing changes.  A schema that
 * differs from the one bound before empties the replica (the deletions are
 * tracked) and forgets the last transaction id. */
char *
idl__bind_schema(struct idl *idl, struct db_schema *schema)
{
    if (idl->all_tables) {
        for (size_t i = 0; i < schema->n_tables; i++) {
            const char *name = schema->table_array[i]->name;
            struct idl_table *table = idl_table_find(idl, name);
            if (!table) {
                table = idl_table_create(idl, name);
            }
            table->all_columns = true;
        }
    }
    char *error = idl_check_schema(idl, schema);
    if (error) {
        db_schema_destroy(schema);
        return error;
    }
    if (idl->schema && db_schema_equal(idl->schema, schema)) {
        db_schema_destroy(schema);
        schema = idl->schema;
    } else if (idl->schema) {
        LOG_INFO("%s: schema changed: emptying the replica", idl->db_name);
        idl__batch_begin(idl);
        idl_purge_rows(idl);
        idl__batch_end(idl);
        /* Tracked deleted rows still point into the old schema. */
        idl->old_schemas = xrealloc(idl->old_schemas,
                                    (idl->n_old_schemas + 1)
                                    * sizeof *idl->old_schemas);
        idl->old_schemas[idl->n_old_schemas++] = idl->schema;
        uuid_zero(&idl->last_txn_id);
    }
    idl->schema = schema;

    struct idl_table *table;
    HMAP_FOR_EACH (table, node, &idl->tables) {
        const struct table_schema *ts = db_schema_find_table(schema,
                                                             table->name);
        table->schema = ts;
        free(table->monitored);
        table->monitored = row_bitmap_create(ts->n_columns);
        if (table->all_columns) {
            for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
                row_bitmap_set(table->monitored, i);
                if (!idl_column_find(table, ts->columns[i]->name)) {
                    idl_column_create(table, ts->columns[i]->name);
                }
            }
        }
        for (size_t i = 0; i < table->n_column_order; i++) {
            struct idl_column *column = table->column_order[i];
            column->schema = table_schema_find_column(ts, column->name);
            row_bitmap_set(table->monitored, column->schema->index);
        }
        db_condition_destroy(table->v1_cond);
        error = idl_table_parse_cond(table, ts, table->cond,
                                     &table->v1_cond);
        ASSERT(!error);         /* idl_check_schema() parsed it. */
    }
    return NULL;
}

/* Returns the <monitor-requests> (v1) or <monitor-cond-requests> object for
 * a monitor request of 'method', with each table's monitored columns and,
 * except for v1, its condition.  Records each condition as in flight. */
struct json *
idl__monitor_requests(const struct idl *idl_, enum idl_monitor_method method)
{
    struct idl *idl = (struct idl *) idl_;
    struct json *requests = json_object_create();
    struct idl_table *table;

    HMAP_FOR_EACH (table, node, &idl->tables) {
        const struct table_schema *ts = table->schema;
        struct json *columns = json_array_create_empty();
        for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
            if (row_bitmap_is_set(table->monitored, i)) {
                json_array_add(columns,
                               json_string_create(ts->columns[i]->name));
            }
        }
        struct json *req = json_object_create();
        json_object_put_new(req, "columns", columns);
        if (method != IDL_MONITOR_V1 && table->cond) {
            json_object_put_new(req, "where", json_deep_clone(table->cond));
        }
        json_object_put_new(requests, table->name,
                            method == IDL_MONITOR_V1
                            ? req : json_array_create_1(req));

        json_unref(table->cond_sent);
        table->cond_sent = table->cond ? json_deep_clone(table->cond) : NULL;
        table->cond_in_flight = true;
    }
    return requests;
}

/* Conditions. */

/* Sets the condition under which 'idl' replicates rows of 'table':
 * 'clauses' is a JSON array of RFC 7047 <condition>s and the booleans true
 * and false, any of which a row must match (ovsdb-server(7) §4.1.12), or
 * NULL for every row.  'clauses' is copied.  Once connected, the IDL sends
 * the change (monitor_cond_change); rows leaving the condition are then
 * deleted from the replica and rows entering it inserted, both tracked.
 * Returns 0, or -EINVAL if the schema is known and 'clauses' does not fit
 * it (logged; the condition is unchanged). */
int
idl_set_condition(struct idl *idl, struct idl_table *table,
                  const struct json *clauses)
{
    if (idl_cond_equal(table->cond, clauses)) {
        return 0;
    }
    if (table->schema) {
        struct db_condition *cond;
        char *error = idl_table_parse_cond(table, table->schema, clauses,
                                           &cond);
        if (error) {
            LOG_WARN_RL(&rl, "%s: %s", idl->db_name, error);
            free(error);
            return -EINVAL;
        }
        db_condition_destroy(table->v1_cond);
        table->v1_cond = cond;
    }
    json_unref(table->cond);
    table->cond = clauses ? json_deep_clone(clauses) : NULL;
    if (idl->state == IDL_S_SYNCED) {
        idl__send_cond_change(idl);
    }
    return 0;
}

/* Returns the <monitor-cond-update-requests> for the tables whose wanted
 * condition differs from the server's, recording them as in flight, or
 * NULL if none differs. */
struct json *
idl__cond_change_requests(struct idl *idl)
{
    struct json *requests = NULL;
    struct idl_table *table;

    HMAP_FOR_EACH (table, node, &idl->tables) {
        if (!table->cond_acked_unknown
            && idl_cond_equal(table->cond, table->cond_acked)) {
            continue;
        }
        if (!requests) {
            requests = json_object_create();
        }
        struct json *req = json_object_create();
        json_object_put_new(req, "where",
                            table->cond
                            ? json_deep_clone(table->cond)
                            : json_array_create_1(json_boolean_create(true)));
        json_object_put_new(requests, table->name, json_array_create_1(req));
        json_unref(table->cond_sent);
        table->cond_sent = table->cond ? json_deep_clone(table->cond) : NULL;
        table->cond_in_flight = true;
    }
    return requests;
}

/* The server answered the monitor or condition change in flight: on
 * 'success' its conditions are now the server's. */
void
idl__cond_acked(struct idl *idl, bool success)
{
    struct idl_table *table;
    HMAP_FOR_EACH (table, node, &idl->tables) {
        if (table->cond_in_flight) {
            if (success) {
                json_unref(table->cond_acked);
                table->cond_acked = table->cond_sent;
                table->cond_acked_unknown = false;
            } else {
                json_unref(table->cond_sent);
            }
            table->cond_sent = NULL;
            table->cond_in_flight = false;
        }
    }
}

/* Forgets conditions in flight (the connection dropped).  Their updates may
 * have reached the replica, so the condition the replica reflects is
 * unknown, which makes the next connection sync in full. */
void
idl__cond_reset_in_flight(struct idl *idl)
{
    struct idl_table *table;
    HMAP_FOR_EACH (table, node, &idl->tables) {
        if (table->cond_in_flight) {
            json_unref(table->cond_sent);
            table->cond_sent = NULL;
            table->cond_in_flight = false;
            table->cond_acked_unknown = true;
        }
    }
}

/* True if the server monitors every table with the wanted condition. */
bool
idl__conds_all_acked(const struct idl *idl)
{
    const struct idl_table *table;
    HMAP_FOR_EACH (table, node, &idl->tables) {
        if (table->cond_acked_unknown
            || !idl_cond_equal(table->cond, table->cond_acked)) {
            return false;
        }
    }
    return true;
}

/* Returns true if 'idl' is synced and the server has acknowledged every
 * condition set with idl_set_condition(), so the replica holds exactly the
 * rows they select. */
bool
idl_condition_is_acked(const struct idl *idl)
{
    return (idl->state == IDL_S_SYNCED && !idl->cond_change_pending
            && idl__conds_all_acked(idl));
}

/* Update application. */

/* Full syncs (a monitor reply that sends every row): rows the reply does
 * not mention are deleted at the end. */
void
idl__full_sync_begin(struct idl *idl)
{
    idl->sync_gen++;
}

/* Ends a full sync: deletes (tracked) the rows it did not mention. */
void
idl__full_sync_end(struct idl *idl)
{
    struct idl_table *table;
    HMAP_FOR_EACH (table, node, &idl->tables) {
        idl_table_delete_rows(table, idl->sync_gen);
    }
}

/* Records a change of 'row' for tracking: column 'column_idx' modified, or
 * with SIZE_MAX an insertion or deletion (already flagged in 'row'). */
static void
idl_row_track(struct idl_row *row, size_t column_idx)
{
    if (!row->tracked) {
        row->tracked = true;
        list_push_back(&row->table->tracked, &row->track_node);
    }
    if (column_idx != SIZE_MAX) {
        if (!row->changed) {
            row->changed = row_bitmap_create(row->data->table->n_columns);
        }
        row_bitmap_set(row->changed, column_idx);
    }
    row->table->idl->changed = true;
}

/* Parses the <row> 'json' of 'table' into a new 'struct row' with UUID
 * 'uuid': columns it omits get their defaults.  Returns NULL and stores the
 * row in '*datap', or an error message (caller frees). */
static char *
idl_parse_row(const struct idl_table *table, const struct uuid *uuid,
              const struct json *json, struct row **datap)
{
    *datap = NULL;
    if (!json_is_object(json)) {
        return xasprintf("table %s: row is not an object", table->name);
    }
    struct row *data = row_create(table->schema, uuid);
    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, json) {
        const struct column_schema *cs = table_schema_find_column(
            table->schema, m->name);
        if (!cs || !row_bitmap_is_set(table->monitored, cs->index)) {
            /* ovsdb-server may add _version and the like: skip them. */
            continue;
        }
        struct datum datum;
        struct db_error *error = datum_from_json(&datum, &cs->type,
                                                 m->value, NULL);
        if (error) {
            char *s = db_error_to_string(error);
            char *msg = xasprintf("table %s column %s: %s", table->name,
                                  cs->name, s);
            free(s);
            db_error_destroy(error);
            row_unref(data);
            return msg;
        }
        row_set_field(data, cs->index, &datum);
    }
    *datap = data;
    return NULL;
}

/* Makes 'json', a whole row (v2 "initial" or "insert", v1 "new"), the
 * content of row 'uuid' of 'table', inserting the row if it is new. */
static char *
idl_put_row(struct idl *idl, struct idl_table *table,
            const struct uuid *uuid, const struct json *json,
            enum idl_monitor_method method)
{
    struct row *data;
    char *error = idl_parse_row(table, uuid, json, &data);
    if (error) {
        return error;
    }
    struct idl_row *row = idl_row_find_mutable(table, uuid);
    if (method == IDL_MONITOR_V1 && table->v1_cond
        && !db_condition_evaluate_any(table->v1_cond, data)) {
        /* "monitor" has no conditions: filter here. */
        row_unref(data);
        if (row) {
            idl_row_delete(row);
        }
        return NULL;
    }

    if (!row) {
        row = xzalloc(sizeof *row);
        row->uuid = *uuid;
        row->table = table;
        row->data = data;
        row->is_new = true;
        row->sync_gen = idl->sync_gen;
        hmap_insert(&table->rows, &row->node, uuid_hash(uuid));
        idl_row_track(row, SIZE_MAX);
        return NULL;
    }

    row->sync_gen = idl->sync_gen;
    bool any = false;
    const struct table_schema *ts = table->schema;
    for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
        if (row_bitmap_is_set(table->monitored, i)
            && !datum_equals(&row->data->fields[i], &data->fields[i],
                             &ts->columns[i]->type)) {
            idl_row_track(row, i);
            if (idl_table_tracks_diffs(table, i)) {
                idl_row_diff_slot(row, i)->known = false;
            }
            any = true;
        }
    }
    if (any) {
        row_unref(row->data);
        row->data = data;
    } else {
        row_unref(data);
    }
    return NULL;
}



/* If 'diff' (of type 'relaxed') is a set difference of a few elements
 * against 'field', set column 'cs' of 'row', applies it to 'field' in
 * place, by binary searches rather than a copy and merge of the whole set,
 * records it as the general path does, consumes 'diff' and returns true.
 * Returns false, changing nothing, if the general path must do it (a map,
 * a scalar, a large diff, or a result out of bounds, which that path
 * reports). */
static bool
idl_apply_small_set_diff(struct idl_row *row, const struct column_schema *cs,
                         struct datum *field, struct datum *diff,
                         const struct db_type *relaxed)
{
    const struct db_type *type = &cs->type;
    enum db_atomic_type kt = type->key.type;
    if (!db_type_is_set(type) || type->n_max <= 1 || !diff->n
        || diff->n > 64 || diff->n * 8 > field->n) {
        return false;
    }
    size_t n = field->n;
    for (size_t i = 0; i < diff->n; i++) {
        bool found;
        datum_lower_bound(field, &diff->keys[i], kt, &found);
        n += found ? -1 : 1;
    }
    if (n < type->n_min || n > type->n_max) {
        return false;
    }

    if (!row->is_new && idl_table_tracks_diffs(row->table, cs->index)) {
        struct idl_row_diff *d = idl_row_diff_slot(row, cs->index);
        datum_apply_diff(&d->diff, diff, relaxed);
    }
    field->keys = xrealloc(field->keys, (field->n + diff->n)
                           * sizeof *field->keys);
    for (size_t i = 0; i < diff->n; i++) {
        bool found;
        size_t pos = datum_lower_bound(field, &diff->keys[i], kt, &found);
        if (found) {
            atom_destroy(&field->keys[pos], kt);
            memmove(&field->keys[pos], &field->keys[pos + 1],
                    (field->n - pos - 1) * sizeof *field->keys);
            field->n--;
        } else {
            memmove(&field->keys[pos + 1], &field->keys[pos],
                    (field->n - pos) * sizeof *field->keys);
            field->keys[pos] = diff->keys[i];
            atom_init_default(&diff->keys[i], kt);
            field->n++;
        }
    }
    if (!field->n) {
        free(field->keys);
        datum_init_empty(field);
    }
    idl_row_track(row, cs->index);
    datum_destroy(diff, relaxed);
    return true;
}
/* Applies 'json', the update2 "modify" <row> of diffs, to 'row'. */
static char *
idl_modify_row(struct idl_row *row, const struct json *json)
{
    const struct idl_table *table = row->table;
    if (!json_is_object(json)) {
        return xasprintf("table %s: row is not an object", table->name);
    }
    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, json) {
        const struct column_schema *cs = table_schema_find_column(
            table->schema, m->name);
        if (!cs || !row_bitmap_is_set(table->monitored, cs->index)) {
            continue;
        }

        /* A set or map diff may hold more elements than the type allows
         * (ovsdb-server(7) §4.1.14): parse it without the bounds. */
        struct db_type relaxed = cs->type;
        if (!db_type_is_scalar(&cs->type)) {
            relaxed.n_min = 0;
            relaxed.n_max = UINT_MAX;
        }
        struct datum diff;
        struct db_error *error = datum_from_json(&diff, &relaxed, m->value,
                                                 NULL);
        if (error) {
            char *s = db_error_to_string(error);
            char *msg = xasprintf("table %s column %s: bad diff: %s",
                                  table->name, cs->name, s);
            free(s);
            db_error_destroy(error);
            return msg;
        }

        struct datum *field = &row->data->fields[cs->index];
        if (idl_apply_small_set_diff(row, cs, field, &diff, &relaxed)) {
            continue;
        }
        struct datum value;
        datum_clone(&value, field, &cs->type);
        datum_apply_diff(&value, &diff, &cs->type);
        if (value.n < cs->type.n_min || value.n > cs->type.n_max) {
            datum_destroy(&diff, &relaxed);
            datum_destroy(&value, &cs->type);
            return xasprintf("table %s column %s: diff leaves %zu "
                             "elements", table->name, cs->name, value.n);
        }
        if (datum_equals(&value, field, &cs->type)) {
            datum_destroy(&value, &cs->type);
        } else {
            row_set_field(row->data, cs->index, &value);
            if (!row->is_new && idl_table_tracks_diffs(table, cs->index)) {
                /* The symmetric difference accumulates: an element that
                 * came and went cancels out. */
                struct idl_row_diff *d = idl_row_diff_slot(row, cs->index);
                datum_apply_diff(&d->diff, &diff, &relaxed);
            }
            idl_row_track(row, cs->index);
        }
        datum_destroy(&diff, &relaxed);
    }
    return NULL;
}

/* Applies one v2 <row-update2>. */
static char *
idl_apply_row_update2(struct idl *idl, struct idl_table *table,
                      const struct uuid *uuid, const struct json *ru)
{
    if (!json_is_object(ru) || json_object_size(ru) != 1) {
        return xasprintf("table %s: bad <row-update2>", table->name);
    }
    const struct json_member *m = &ru->object.members[0];
    if (!strcmp(m->name, "initial") || !strcmp(m->name, "insert")) {
        return idl_put_row(idl, table, uuid, m->value, IDL_MONITOR_COND);
    } else if (!strcmp(m->name, "modify")) {
        struct idl_row *row = idl_row_find_mutable(table, uuid);
        if (!row) {
            return xasprintf("table %s: modify of missing row "UUID_FMT,
                             table->name, UUID_ARGS(uuid));
        }
        return idl_modify_row(row, m->value);
    } else if (!strcmp(m->name, "delete")) {
        struct idl_row *row = idl_row_find_mutable(table, uuid);
        if (row) {
            idl_row_delete(row);
        }
        return NULL;
    }
    return xasprintf("table %s: unknown row update \"%s\"", table->name,
                     m->name);
}

/* Applies one v1 <row-update> ("old" and/or "new"). */
static char *
idl_apply_row_update1(struct idl *idl, struct idl_table *table,
                      const struct uuid *uuid, const struct json *ru)
{
    if (!json_is_object(ru)) {
        return xasprintf("table %s: bad <row-update>", table->name);
    }
    const struct json *new = json_object_find(ru, "new");
    if (new) {
        return idl_put_row(idl, table, uuid, new, IDL_MONITOR_V1);
    }
    if (!json_object_find(ru, "old")) {
        return xasprintf("table %s: <row-update> without old or new",
                         table->name);
    }
    struct idl_row *row = idl_row_find_mutable(table, uuid);
    if (row) {
        idl_row_delete(row);
    }
    return NULL;
}

/* Applies one <table-update> or <table-update2>. */
static char *
idl_apply_table_update(struct idl *idl, enum idl_monitor_method method,
                       struct idl_table *table, const struct json *json)
{
    if (!json_is_object(json)) {
        return xasprintf("table %s: <table-update> is not an object",
                         table->name);
    }
    const struct json_member *rm;
    JSON_OBJECT_FOR_EACH (rm, json) {
        struct uuid uuid;
        if (!uuid_from_string(&uuid, rm->name)) {
            return xasprintf("table %s: bad row UUID \"%s\"", table->name,
                             rm->name);
        }
        char *error = (method == IDL_MONITOR_V1
                       ? idl_apply_row_update1(idl, table, &uuid, rm->value)
                       : idl_apply_row_update2(idl, table, &uuid,
                                               rm->value));
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Applies 'table_updates', a <table-updates> (v1) or <table-updates2>
 * object of a monitor reply or update notification, to the replica,
 * tracking every change.  Returns NULL, or an error message (caller frees)
 * for a malformed update, which may have been partly applied: the caller
 * must then resynchronize in full. */
char *
idl__apply_updates(struct idl *idl, enum idl_monitor_method method,
                   const struct json *table_updates)
{
    if (!json_is_object(table_updates)) {
        return xstrdup("<table-updates> is not an object");
    }
    const struct json_member *tm;
    JSON_OBJECT_FOR_EACH (tm, table_updates) {
        struct idl_table *table = idl_table_find(idl, tm->name);
        if (!table || !table->schema) {
            return xasprintf("update for unmonitored table %s", tm->name);
        }
        char *error = idl_apply_table_update(idl, method, table, tm->value);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Reading. */

/* Returns the row of 'table' with UUID 'uuid', or NULL. */
const struct idl_row *
idl_row_find(const struct idl_table *table, const struct uuid *uuid)
{
    return idl_row_find_mutable(table, uuid);
}

/* Returns the first row of 'table' in no particular order, or NULL. */
const struct idl_row *
idl_table_first_row(const struct idl_table *table)
{
    struct hmap_node *node = hmap_first(&table->rows);
    return node ? CONTAINER_OF(node, struct idl_row, node) : NULL;
}

/* Returns the row after 'row' (a live row) in its table, or NULL. */
const struct idl_row *
idl_table_next_row(const struct idl_row *row)
{
    struct hmap_node *node = hmap_next(&row->table->rows, &row->node);
    return node ? CONTAINER_OF(node, struct idl_row, node) : NULL;
}

/* Returns the number of rows of 'table'. */
size_t
idl_table_count(const struct idl_table *table)
{
    return hmap_count(&table->rows);
}

/* Returns the UUID of 'row'.  For a row a transaction inserts, this is a
 * temporary UUID until the commit succeeds (idl_txn_get_insert_uuid()). */
const struct uuid *
idl_row_uuid(const struct idl_row *row)
{
    return &row->uuid;
}

/* Returns the table of 'row'. */
struct idl_table *
idl_row_table(const struct idl_row *row)
{
    return row->table;
}

/* Returns the value of 'column' in 'row', valid as long as 'row'.  For a
 * row inserted by a transaction, the value the transaction set. */
const struct datum *
idl_row_get(const struct idl_row *row, const struct idl_column *column)
{
    const struct column_schema *cs = idl__column(column);
    if (row->data->table != column->table->schema) {
        /* A deleted row from before a schema change. */
        static const struct datum empty;
        cs = table_schema_find_column(row->data->table, column->name);
        if (!cs) {
            return &empty;
        }
    }
    return &row->data->fields[cs->index];
}

/* Returns the string value of 'column' (a string scalar, or a set of at
 * most one string) in 'row', or NULL if it is empty. */
const char *
idl_row_get_string(const struct idl_row *row,
                   const struct idl_column *column)
{
    const struct datum *d = idl_row_get(row, column);
    return (d->n && idl__column(column)->type.key.type == DB_TYPE_STRING
            ? d->keys[0].string : NULL);
}

/* Returns the integer value of 'column' in 'row', or 'dflt' if the column
 * is empty or not an integer column. */
long long
idl_row_get_integer(const struct idl_row *row,
                    const struct idl_column *column, long long dflt)
{
    const struct datum *d = idl_row_get(row, column);
    return (d->n && idl__column(column)->type.key.type == DB_TYPE_INTEGER
            ? d->keys[0].integer : dflt);
}

/* Returns the boolean value of 'column' in 'row', or 'dflt' if the column
 * is empty or not a boolean column. */
bool
idl_row_get_boolean(const struct idl_row *row,
                    const struct idl_column *column, bool dflt)
{
    const struct datum *d = idl_row_get(row, column);
    return (d->n && idl__column(column)->type.key.type == DB_TYPE_BOOLEAN
            ? d->keys[0].boolean : dflt);
}

/* Returns the value for 'key' in 'column', a map from strings to strings,
 * of 'row', or NULL if the key is absent or the column has another
 * type. */
const char *
idl_row_get_map_string(const struct idl_row *row,
                       const struct idl_column *column, const char *key)
{
    const struct column_schema *cs = idl__column(column);
    if (cs->type.key.type != DB_TYPE_STRING
        || cs->type.value.type != DB_TYPE_STRING) {
        return NULL;
    }
    const struct datum *d = idl_row_get(row, column);
    union atom k = { .string = (char *) key };
    size_t i = datum_find_key(d, &k, DB_TYPE_STRING);
    return i == SIZE_MAX ? NULL : d->values[i].string;
}

/* Tracking. */

/* Makes tracked changes accumulate across batches of updates until
 * idl_track_clear(), instead of each batch replacing the last. */
void
idl_track_enable(struct idl *idl)
{
    idl->track_keep = true;
}

/* Forgets every tracked change and frees the tracked deleted rows. */
void
idl_track_clear(struct idl *idl)
{
    struct idl_table *table;
    HMAP_FOR_EACH (table, node, &idl->tables) {
        struct idl_row *row;
        LIST_FOR_EACH_POP (row, track_node, &table->tracked) {
            row->tracked = false;
            if (row->is_deleted) {
                idl__row_free(row);
            } else {
                row->is_new = false;
                free(row->changed);
                row->changed = NULL;
                idl_row_clear_diffs(row);
            }
        }
    }
}

/* Asks that tracked rows keep the differences of 'column', a set column
 * (idl_row_get_diff()). */
void
idl_track_column_diffs(const struct idl_column *column)
{
    ((struct idl_column *) column)->track_diffs = true;
}

/* Returns what set 'column' of tracked 'row' gained and lost since the
 * tracked changes were last cleared (the symmetric difference: an element
 * of it that the row has now came, one it has not went), or NULL if that
 * is not known: the column is not tracked with idl_track_column_diffs(),
 * the row is new or deleted, or a change came as a whole value.  An empty
 * datum if the column did not change. */
const struct datum *
idl_row_get_diff(const struct idl_row *row, const struct idl_column *column)
{
    if (!column->track_diffs || row->is_new || row->is_deleted) {
        return NULL;
    }
    static const struct datum empty = { .n = 0 };
    size_t index = idl__column(column)->index;
    for (size_t i = 0; i < row->n_diffs; i++) {
        if (row->diffs[i].column == index) {
            return row->diffs[i].known ? &row->diffs[i].diff : NULL;
        }
    }
    return idl_row_column_changed(row, column) ? NULL : &empty;
}

/* Returns the first row of 'table' inserted, modified or deleted since the
 * tracked changes were last cleared, or NULL. */
const struct idl_row *
idl_track_first(const struct idl_table *table)
{
    return (list_is_empty(&table->tracked) ? NULL
            : CONTAINER_OF(list_front(&table->tracked), struct idl_row,
                           track_node));
}

/* Returns the tracked row after 'row', or NULL. */
const struct idl_row *
idl_track_next(const struct idl_row *row)
{
    const struct list *next = row->track_node.next;
    return (next == &row->table->tracked ? NULL
            : CONTAINER_OF(next, struct idl_row, track_node));
}

/* True if 'row' was inserted since the tracked changes were cleared. */
bool
idl_row_is_new(const struct idl_row *row)
{
    return row->is_new;
}

/* True if 'row' was deleted since the tracked changes were cleared; it
 * stays readable until then. */
bool
idl_row_is_deleted(const struct idl_row *row)
{
    return row->is_deleted;
}

/* True if 'row' existed before the tracked changes were last cleared, still
 * exists, and had a column modified since. */
bool
idl_row_is_modified(const struct idl_row *row)
{
    return (row->tracked && !row->is_new && !row->is_deleted
            && row->changed);
}

/* True if 'column' of 'row' changed since the tracked changes were
 * cleared: always for a new or deleted row. */
bool
idl_row_column_changed(const struct idl_row *row,
                       const struct idl_column *column)
{
    if (row->is_new || row->is_deleted) {
        return true;
    }
    return (row->changed
            && row_bitmap_is_set(row->changed, idl__column(column)->index));
}

/* Destruction of the replica (idl-session.c frees the rest). */

static void
idl_table_free(struct idl_table *table)
{
    struct idl_row *row;
    HMAP_FOR_EACH_POP (row, node, &table->rows) {
        idl__row_free(row);
    }
    hmap_uninit(&table->rows);
    struct idl_column *column;
    HMAP_FOR_EACH_POP (column, node, &table->columns) {
        free(column->name);
        free(column);
    }
    hmap_uninit(&table->columns);
    free(table->column_order);
    free(table->monitored);
    json_unref(table->cond);
    json_unref(table->cond_acked);
    json_unref(table->cond_sent);
    db_condition_destroy(table->v1_cond);
    free(table->name);
    free(table);
}

/* Frees every table, column and row of 'idl' and its schemas. */
void
idl__free_replica(struct idl *idl)
{
    idl_track_clear(idl);
    struct idl_table *table;
    HMAP_FOR_EACH_POP (table, node, &idl->tables) {
        idl_table_free(table);
    }
    hmap_uninit(&idl->tables);
    db_schema_destroy(idl->schema);
    for (size_t i = 0; i < idl->n_old_schemas; i++) {
        db_schema_destroy(idl->old_schemas[i]);
    }
    free(idl->old_schemas);
}
