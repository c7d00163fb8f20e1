/* Execution of "transact" requests (see execute.h).  Each operation of RFC
 * 7047 §5.2 is a function that parses its JSON object and applies it to the
 * request's transaction; the first failure ends the request, and then
 * nothing of it is committed. */
#include "ovsdb/execute.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/json.h"
#include "lib/uuid.h"
#include "ovsdb/atom.h"
#include "ovsdb/condition.h"
#include "ovsdb/datum.h"
#include "ovsdb/db-private.h"
#include "ovsdb/error.h"
#include "ovsdb/mutation.h"
#include "ovsdb/parser.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"
#include "ovsdb/txn.h"

/* State of one request. */
struct exec_ctx {
    struct db *db;              /* The database. */
    struct db_txn *txn;         /* The request's transaction. */
    struct db_symtab symtab;    /* Named UUIDs. */
    const struct db_exec_env *env; /* The caller's environment. */
    bool durable;               /* A "commit" asked for durability. */
    bool blocked;               /* A "wait" must be retried later. */
    long long retry_ms;         /* If 'blocked': when, or -1. */
    struct json *uuid_tag;      /* The string "uuid", shared by the results
                                   of inserts; NULL until the first. */
};

/* A column value parsed from a <row>. */
struct exec_value {
    const struct column_schema *column; /* Its column. */
    struct datum datum;         /* Its value (owned). */
};

/* The columns of a <row> object. */
struct exec_row {
    struct exec_value *values;  /* 'n' values, owned. */
    size_t n;                   /* Number of values. */
};

static void
exec_row_destroy(struct exec_row *r)
{
    for (size_t i = 0; i < r->n; i++) {
        datum_destroy(&r->values[i].datum, &r->values[i].column->type);
    }
    free(r->values);
    r->values = NULL;
    r->n = 0;
}

/* How exec_parse_row() treats the columns of a <row>. */
enum exec_row_mode {
    EXEC_ROW_INSERT,            /* _uuid and _version are ignored, as
                                   ovsdb-server does. */
    EXEC_ROW_UPDATE,            /* Immutable columns are "constraint
                                   violation"s. */
    EXEC_ROW_WAIT,              /* Every column is kept. */
};

/* Parses the <row> 'json' of 'table' into 'r' as 'mode' says. */
static struct db_error *
exec_parse_row(struct exec_ctx *ctx, const struct table_schema *table,
               const struct json *json, enum exec_row_mode mode,
               struct exec_row *r)
{
    r->values = xmalloc((json_object_size(json) + 1) * sizeof *r->values);
    r->n = 0;

    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, json) {
        const struct column_schema *column = table_schema_find_column(
            table, m->name);
        if (!column) {
            exec_row_destroy(r);
            return db_error_syntax(json, "unknown column",
                                   "No column %s in table %s.", m->name,
                                   table->name);
        }
        if (mode == EXEC_ROW_UPDATE && !column->is_mutable) {
            exec_row_destroy(r);
            return db_error_create("constraint violation", "Cannot update "
                                   "immutable column %s in table %s.",
                                   column->name, table->name);
        }
        struct exec_value *v = &r->values[r->n];
        struct db_error *error = datum_from_json(&v->datum, &column->type,
                                                 m->value, &ctx->symtab);
        if (error) {
            exec_row_destroy(r);
            return error;
        }
        if (mode == EXEC_ROW_INSERT && column->index <= DB_COLUMN_VERSION) {
            datum_destroy(&v->datum, &column->type);
            continue;
        }
        v->column = column;
        r->n++;
    }
    return NULL;
}

/* Sets the columns in 'r' in 'row', copying the values. */
static void
exec_row_apply(const struct exec_row *r, struct row *row)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct exec_value *v = &r->values[i];
        struct datum copy;
        datum_clone(&copy, &v->datum, &v->column->type);
        row_set_field(row, v->column->index, &copy);
    }
}

/* Sets the columns in 'r' in 'row', moving the values: 'r' is left with
 * empty values, for exec_row_destroy(). */
static void
exec_row_move(struct exec_row *r, struct row *row)
{
    for (size_t i = 0; i < r->n; i++) {
        struct exec_value *v = &r->values[i];
        row_set_field(row, v->column->index, &v->datum);
    }
}

static struct db_error *
exec_get_table(struct exec_ctx *ctx, const struct json *op,
               const struct table_schema **tablep)
{
    const struct json *name;
    struct db_error *error = db_parser_member(op, "table", DB_PARSER_STRING,
                                              &name);
    *tablep = NULL;
    if (error) {
        return error;
    }
    *tablep = db_schema_find_table(ctx->db->schema, json_string(name));
    if (!*tablep) {
        return db_error_syntax(op, "syntax error", "No table named %s.",
                               json_string(name));
    }
    return NULL;
}

static struct db_error *
exec_get_where(struct exec_ctx *ctx, const struct table_schema *table,
               const struct json *op, struct db_condition **condp)
{
    const struct json *where;
    struct db_error *error = db_parser_member(op, "where", DB_PARSER_ARRAY,
                                              &where);
    *condp = NULL;
    return error ? error : db_condition_from_json_symtab(table, where, true,
                                                         &ctx->symtab,
                                                         condp);
}

static struct json *
exec_count_result(size_t n)
{
    struct json *result = json_object_create();
    json_object_put_new(result, "count", json_integer_create(n));
    return result;
}

/* Checks the defaults of the columns an insert leaves unset against their
 * constraints (an enum may not allow the default). */
static struct db_error *
exec_check_defaults(const struct table_schema *table,
                    const struct exec_row *r)
{
    for (size_t i = DB_COLUMN_VERSION + 1; i < table->n_columns; i++) {
        const struct column_schema *column = table->columns[i];
        if (!column->type.n_min
            || (!db_base_type_has_constraints(&column->type.key)
                && !db_base_type_has_constraints(&column->type.value))) {
            continue;
        }
        bool given = false;
        for (size_t j = 0; j < r->n && !given; j++) {
            given = r->values[j].column == column;
        }
        if (given) {
            continue;
        }
        struct datum d;
        datum_init_default(&d, &column->type);
        struct db_error *error = datum_check_constraints(&d, &column->type);
        datum_destroy(&d, &column->type);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* RFC 7047 §5.2.1 "insert", with ovsdb-server(7)'s optional "uuid". */
static struct db_error *
exec_insert(struct exec_ctx *ctx, const struct json *op,
            struct json **resultp)
{
    static const char *const members[] = {
        "op", "table", "row", "uuid-name", "uuid" };
    const struct table_schema *table;
    const struct json *row_json, *uuid_name, *uuid_json;
    struct db_error *error;

    error = db_parser_check_members(op, members, ARRAY_SIZE(members));
    if (!error) {
        error = exec_get_table(ctx, op, &table);
    }
    if (!error) {
        error = db_parser_member(op, "row", DB_PARSER_OBJECT, &row_json);
    }
    if (!error) {
        error = db_parser_member(op, "uuid-name",
                                 DB_PARSER_ID | DB_PARSER_OPTIONAL,
                                 &uuid_name);
    }
    if (!error) {
        error = db_parser_member(op, "uuid",
                                 DB_PARSER_STRING | DB_PARSER_OPTIONAL,
                                 &uuid_json);
    }
    if (error) {
        return error;
    }

    struct uuid uuid;
    if (uuid_json) {
        if (!uuid_from_string(&uuid, json_string(uuid_json))) {
            return db_error_syntax(uuid_json, "syntax error",
                                   "\"%s\" is not a valid UUID",
                                   json_string(uuid_json));
        }
        if (db_txn_uuid_is_used(ctx->txn, table, &uuid)) {
            return db_error_syntax(uuid_json, "duplicate uuid",
                                   "A row with UUID %s exists in table %s "
                                   "or was deleted by this transaction.",
                                   json_string(uuid_json), table->name);
        }
    } else {
        uuid_generate(&uuid);
    }

    if (uuid_name) {
        const char *name = json_string(uuid_name);
        struct db_symbol *symbol = db_symtab_find(&ctx->symtab, name);
        if (symbol && symbol->created) {
            return db_error_syntax(uuid_name, "duplicate uuid-name",
                                   "uuid-name %s was defined by an earlier "
                                   "insert in this transaction.", name);
        }
        if (symbol && uuid_json && !uuid_equals(&symbol->uuid, &uuid)) {
            return db_error_syntax(uuid_name, "syntax error",
                                   "uuid-name %s was referenced before this "
                                   "insert, which gives an explicit uuid.",
                                   name);
        }
        if (!symbol) {
            symbol = db_symtab_put(&ctx->symtab, name);
            if (uuid_json) {
                symbol->uuid = uuid;
            }
        }
        uuid = symbol->uuid;
        symbol->created = true;
    }

    struct exec_row r;
    error = exec_parse_row(ctx, table, row_json, EXEC_ROW_INSERT, &r);
    if (error) {
        return error;
    }
    error = exec_check_defaults(table, &r);
    if (error) {
        exec_row_destroy(&r);
        return error;
    }
    if (!uuid_json && db_txn_uuid_is_used(ctx->txn, table, &uuid)) {
        /* A uuid-name's UUID, used by an explicit insert earlier. */
        exec_row_destroy(&r);
        return db_error_create("duplicate uuid", "UUID of uuid-name is "
                               "already in use in table %s.", table->name);
    }

    struct row *row = db_txn_insert(ctx->txn, table, &uuid);
    exec_row_move(&r, row);
    exec_row_destroy(&r);

    /* {"uuid": ["uuid", UUID]}, in as few allocations as possible: a large
     * transaction has one per row. */
    char s[UUID_LEN + 1];
    uuid_to_buffer(&uuid, s);
    if (!ctx->uuid_tag) {
        ctx->uuid_tag = json_string_create("uuid");
    }
    *resultp = json_object_create_1(
        "uuid", json_array_create_2(json_ref(ctx->uuid_tag),
                                    json_string_create_buffer(s, UUID_LEN)));
    return NULL;
}

/* Parses the optional "columns" member of 'op' into a bitmap (all columns
 * if absent).  With 'list', also an array of the columns in order (all of
 * the table's, in schema order, if absent). */
static struct db_error *
exec_get_columns(const struct table_schema *table, const struct json *op,
                 bool required, unsigned long **bitmapp,
                 const struct column_schema ***listp, size_t *np)
{
    const struct json *columns;
    struct db_error *error = db_parser_member(
        op, "columns",
        DB_PARSER_ARRAY | (required ? 0 : DB_PARSER_OPTIONAL), &columns);
    *bitmapp = NULL;
    if (listp) {
        *listp = NULL;
        *np = 0;
    }
    if (error) {
        return error;
    }

    unsigned long *bitmap = row_bitmap_create(table->n_columns);
    if (!columns) {
        for (size_t i = 0; i < table->n_columns; i++) {
            row_bitmap_set(bitmap, i);
        }
        *bitmapp = bitmap;
        if (listp) {
            *listp = xmemdup(table->columns,
                             table->n_columns * sizeof *table->columns);
            *np = table->n_columns;
        }
        return NULL;
    }
    size_t n = json_array_size(columns);
    const struct column_schema **list = xmalloc((n + 1) * sizeof *list);
    size_t n_list = 0;
    for (size_t i = 0; i < n; i++) {
        const struct json *name = json_array_at(columns, i);
        const struct column_schema *column = (
            json_is_string(name)
            ? table_schema_find_column(table, json_string(name)) : NULL);
        if (!column) {
            free(bitmap);
            free(list);
            if (json_is_string(name)) {
                return db_error_syntax(columns, "syntax error",
                                       "%s is not a valid column name",
                                       json_string(name));
            }
            return db_error_syntax(columns, "syntax error",
                                   "column names must be strings");
        }
        if (row_bitmap_is_set(bitmap, column->index)) {
            free(bitmap);
            free(list);
            return db_error_syntax(columns, "syntax error",
                                   "array of distinct column names "
                                   "expected");
        }
        row_bitmap_set(bitmap, column->index);
        list[n_list++] = column;
    }
    *bitmapp = bitmap;
    if (listp) {
        *listp = list;
        *np = n_list;
    } else {
        free(list);
    }
    return NULL;
}

/* RFC 7047 §5.2.2 "select". */
static struct db_error *
exec_select(struct exec_ctx *ctx, const struct json *op,
            struct json **resultp)
{
    static const char *const members[] = {
        "op", "table", "where", "columns" };
    const struct table_schema *table;
    struct db_condition *cond = NULL;
    unsigned long *columns = NULL;

    struct db_error *error = db_parser_check_members(op, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = exec_get_table(ctx, op, &table);
    }
    if (!error) {
        error = exec_get_where(ctx, table, op, &cond);
    }
    if (!error) {
        error = exec_get_columns(table, op, false, &columns, NULL, NULL);
    }
    if (error) {
        db_condition_destroy(cond);
        return error;
    }

    const struct row **rows;
    size_t n = db_txn_select(ctx->txn, table, cond, &rows);
    struct json *array = json_array_create_empty();
    for (size_t i = 0; i < n; i++) {
        json_array_add(array, row_to_json(rows[i], columns));
    }
    free(rows);
    free(columns);
    db_condition_destroy(cond);

    *resultp = json_object_create();
    json_object_put_new(*resultp, "rows", array);
    return NULL;
}

/* RFC 7047 §5.2.3 "update". */
static struct db_error *
exec_update(struct exec_ctx *ctx, const struct json *op,
            struct json **resultp)
{
    static const char *const members[] = { "op", "table", "where", "row" };
    const struct table_schema *table;
    const struct json *row_json;
    struct db_condition *cond = NULL;
    struct exec_row r = { NULL, 0 };

    struct db_error *error = db_parser_check_members(op, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = exec_get_table(ctx, op, &table);
    }
    if (!error) {
        error = db_parser_member(op, "row", DB_PARSER_OBJECT, &row_json);
    }
    if (!error) {
        error = exec_parse_row(ctx, table, row_json, EXEC_ROW_UPDATE, &r);
        if (error) {
            db_error_set_syntax(error, op);
        }
    }
    if (!error) {
        error = exec_get_where(ctx, table, op, &cond);
    }
    if (error) {
        exec_row_destroy(&r);
        return error;
    }

    const struct row **rows;
    size_t n = db_txn_select(ctx->txn, table, cond, &rows);
    for (size_t i = 0; i < n; i++) {
        exec_row_apply(&r, db_txn_modify(ctx->txn, rows[i]));
    }
    free(rows);
    db_condition_destroy(cond);
    exec_row_destroy(&r);
    *resultp = exec_count_result(n);
    return NULL;
}

/* RFC 7047 §5.2.4 "mutate". */
static struct db_error *
exec_mutate(struct exec_ctx *ctx, const struct json *op,
            struct json **resultp)
{
    static const char *const members[] = {
        "op", "table", "where", "mutations" };
    const struct table_schema *table;
    const struct json *mutations;
    struct db_condition *cond = NULL;
    struct db_mutation_set set = { NULL, 0 };

    struct db_error *error = db_parser_check_members(op, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = exec_get_table(ctx, op, &table);
    }
    if (!error) {
        error = db_parser_member(op, "mutations", DB_PARSER_ARRAY,
                                 &mutations);
    }
    if (!error) {
        error = db_mutation_set_from_json(table, mutations, &ctx->symtab,
                                          &set);
    }
    if (!error) {
        error = exec_get_where(ctx, table, op, &cond);
    }
    if (error) {
        db_mutation_set_destroy(&set);
        return error;
    }

    const struct row **rows;
    size_t n = db_txn_select(ctx->txn, table, cond, &rows);
    for (size_t i = 0; i < n && !error; i++) {
        error = db_mutation_set_execute(&set,
                                        db_txn_modify(ctx->txn, rows[i]));
    }
    free(rows);
    db_condition_destroy(cond);
    db_mutation_set_destroy(&set);
    if (error) {
        return error;
    }
    *resultp = exec_count_result(n);
    return NULL;
}

/* RFC 7047 §5.2.5 "delete". */
static struct db_error *
exec_delete(struct exec_ctx *ctx, const struct json *op,
            struct json **resultp)
{
    static const char *const members[] = { "op", "table", "where" };
    const struct table_schema *table;
    struct db_condition *cond = NULL;

    struct db_error *error = db_parser_check_members(op, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = exec_get_table(ctx, op, &table);
    }
    if (!error) {
        error = exec_get_where(ctx, table, op, &cond);
    }
    if (error) {
        return error;
    }

    const struct row **rows;
    size_t n = db_txn_select(ctx->txn, table, cond, &rows);
    for (size_t i = 0; i < n; i++) {
        db_txn_delete(ctx->txn, rows[i]);
    }
    free(rows);
    db_condition_destroy(cond);
    *resultp = exec_count_result(n);
    return NULL;
}

/* One row of the "rows" of a "wait", projected on its "columns". */
struct exec_wait_row {
    struct hmap_node node;      /* In a scratch map, by projected hash. */
    const struct row *row;      /* The row. */
    bool matched;               /* Equal to some actual row. */
};

/* Returns true if the rows 'actual' and 'expected', projected on 'columns',
 * are equal as sets. */
static bool
exec_wait_rows_equal(const struct row **actual, size_t n_actual,
                     struct row **expected, size_t n_expected,
                     const struct column_schema **columns, size_t n_columns)
{
    struct hmap map = HMAP_INITIALIZER(&map);
    struct exec_wait_row *entries = xmalloc((n_expected + 1)
                                            * sizeof *entries);
    bool equal = true;

    for (size_t i = 0; i < n_expected; i++) {
        entries[i].row = expected[i];
        entries[i].matched = false;
        hmap_insert(&map, &entries[i].node,
                    row_hash_columns(expected[i], columns, n_columns, 0));
    }
    for (size_t i = 0; i < n_actual && equal; i++) {
        uint32_t hash = row_hash_columns(actual[i], columns, n_columns, 0);
        bool found = false;
        struct exec_wait_row *e;
        HMAP_FOR_EACH_WITH_HASH (e, node, hash, &map) {
            if (row_equal_columns(e->row, actual[i], columns, n_columns)) {
                e->matched = true;
                found = true;
            }
        }
        equal = found;
    }
    for (size_t i = 0; i < n_expected && equal; i++) {
        equal = entries[i].matched;
    }
    hmap_uninit(&map);
    free(entries);
    return equal;
}

/* RFC 7047 §5.2.6 "wait". */
static struct db_error *
exec_wait(struct exec_ctx *ctx, const struct json *op,
          struct json **resultp)
{
    static const char *const members[] = {
        "op", "table", "where", "columns", "until", "rows", "timeout" };
    const struct table_schema *table;
    const struct json *until, *rows_json, *timeout;
    struct db_condition *cond = NULL;
    unsigned long *bitmap = NULL;
    const struct column_schema **columns = NULL;
    size_t n_columns = 0;

    struct db_error *error = db_parser_check_members(op, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = exec_get_table(ctx, op, &table);
    }
    if (!error) {
        error = db_parser_member(op, "timeout",
                                 DB_PARSER_INTEGER | DB_PARSER_OPTIONAL,
                                 &timeout);
    }
    if (!error && timeout && json_integer(timeout) < 0) {
        error = db_error_syntax(timeout, "syntax error",
                                "timeout must be nonnegative");
    }
    if (!error) {
        error = db_parser_member(op, "until", DB_PARSER_STRING, &until);
    }
    if (!error && strcmp(json_string(until), "==")
        && strcmp(json_string(until), "!=")) {
        error = db_error_syntax(until, "syntax error",
                                "\"until\" must be \"==\" or \"!=\"");
    }
    if (!error) {
        error = db_parser_member(op, "rows", DB_PARSER_ARRAY, &rows_json);
    }
    if (!error) {
        error = exec_get_columns(table, op, false, &bitmap, &columns,
                                 &n_columns);
    }
    if (!error) {
        error = exec_get_where(ctx, table, op, &cond);
    }
    if (error) {
        free(bitmap);
        free(columns);
        return error;
    }

    /* The expected rows, as rows of defaults with the given columns. */
    size_t n_expected = json_array_size(rows_json);
    struct row **expected = xmalloc((n_expected + 1) * sizeof *expected);
    size_t n_parsed = 0;
    for (; n_parsed < n_expected && !error; n_parsed++) {
        const struct json *row_json = json_array_at(rows_json, n_parsed);
        struct uuid zero;
        uuid_zero(&zero);
        expected[n_parsed] = row_create(table, &zero);
        if (!json_is_object(row_json)) {
            error = db_error_syntax(row_json, "syntax error",
                                    "\"rows\" must be an array of rows");
            continue;
        }
        struct exec_row r;
        error = exec_parse_row(ctx, table, row_json, EXEC_ROW_WAIT, &r);
        if (!error) {
            exec_row_apply(&r, expected[n_parsed]);
            exec_row_destroy(&r);
        }
    }

    bool satisfied = false;
    if (!error) {
        const struct row **actual;
        size_t n_actual = db_txn_select(ctx->txn, table, cond, &actual);
        bool equal = exec_wait_rows_equal(actual, n_actual, expected,
                                          n_expected, columns, n_columns);
        satisfied = !strcmp(json_string(until), "==") ? equal : !equal;
        free(actual);
    }

    for (size_t i = 0; i < n_parsed; i++) {
        row_unref(expected[i]);
    }
    free(expected);
    free(bitmap);
    free(columns);
    db_condition_destroy(cond);
    if (error) {
        return error;
    }

    if (satisfied) {
        *resultp = json_object_create();
        return NULL;
    }
    long long ms = timeout ? json_integer(timeout) : -1;
    if (ms >= 0 && ctx->env->elapsed_ms >= ms) {
        return db_error_create("timed out", "\"wait\" condition not met "
                               "within %lld ms", ms);
    }
    ctx->blocked = true;
    ctx->retry_ms = ms >= 0 ? ms - ctx->env->elapsed_ms : -1;
    return NULL;
}

/* RFC 7047 §5.2.7 "commit". */
static struct db_error *
exec_commit(struct exec_ctx *ctx, const struct json *op,
            struct json **resultp)
{
    static const char *const members[] = { "op", "durable" };
    const struct json *durable;
    struct db_error *error = db_parser_check_members(op, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = db_parser_member(op, "durable", DB_PARSER_BOOLEAN, &durable);
    }
    if (error) {
        return error;
    }
    ctx->durable |= json_boolean(durable);
    *resultp = json_object_create();
    return NULL;
}

/* RFC 7047 §5.2.8 "abort". */
static struct db_error *
exec_abort(struct exec_ctx *ctx, const struct json *op,
           struct json **resultp)
{
    static const char *const members[] = { "op" };
    struct db_error *error = db_parser_check_members(op, members,
                                                     ARRAY_SIZE(members));
    return error ? error : db_error_create("aborted", "aborted by request");
}

/* RFC 7047 §5.2.9 "comment". */
static struct db_error *
exec_comment(struct exec_ctx *ctx, const struct json *op,
             struct json **resultp)
{
    static const char *const members[] = { "op", "comment" };
    const struct json *comment;
    struct db_error *error = db_parser_check_members(op, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = db_parser_member(op, "comment", DB_PARSER_STRING, &comment);
    }
    if (error) {
        return error;
    }
    db_txn_add_comment(ctx->txn, json_string(comment));
    *resultp = json_object_create();
    return NULL;
}

/* RFC 7047 §5.2.10 "assert". */
static struct db_error *
exec_assert(struct exec_ctx *ctx, const struct json *op,
            struct json **resultp)
{
    static const char *const members[] = { "op", "lock" };
    const struct json *lock;
    struct db_error *error = db_parser_check_members(op, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = db_parser_member(op, "lock", DB_PARSER_STRING, &lock);
    }
    if (error) {
        return error;
    }
    const char *name = json_string(lock);
    if (!ctx->env->has_lock || !ctx->env->has_lock(name, ctx->env->aux)) {
        return db_error_create("not owner", "Asserted lock %s not held.",
                               name);
    }
    *resultp = json_object_create();
    return NULL;
}

typedef struct db_error *exec_op_func(struct exec_ctx *,
                                      const struct json *op,
                                      struct json **resultp);

static const struct {
    const char *name;           /* "op" value. */
    exec_op_func *func;         /* Its implementation. */
} exec_ops[] = {
    { "insert", exec_insert },
    { "select", exec_select },
    { "update", exec_update },
    { "mutate", exec_mutate },
    { "delete", exec_delete },
    { "wait", exec_wait },
    { "commit", exec_commit },
    { "abort", exec_abort },
    { "comment", exec_comment },
    { "assert", exec_assert },
};

static struct db_error *
exec_op(struct exec_ctx *ctx, const struct json *op, struct json **resultp)
{
    *resultp = NULL;
    if (!json_is_object(op)) {
        /* As ovsdb-server does, without quoting the operation. */
        return db_error_create("syntax error",
                               "Operation must be an object.");
    }
    const struct json *name;
    struct db_error *error = db_parser_member(op, "op", DB_PARSER_STRING,
                                              &name);
    if (error) {
        return error;
    }
    for (size_t i = 0; i < ARRAY_SIZE(exec_ops); i++) {
        if (!strcmp(json_string(name), exec_ops[i].name)) {
            return exec_ops[i].func(ctx, op, resultp);
        }
    }
    return db_error_syntax(op, "syntax error", "No operation \"%s\".",
                           json_string(name));
}

static void
exec_reply_error(struct db_exec_result *result, const char *tag,
                 const char *details)
{
    struct db_error *error = db_error_create(tag, "%s", details);
    result->reply = json_array_create_1(db_error_to_json(error));
    db_error_destroy(error);
}

/* Executes the "transact" request whose params are 'params' ([DB-NAME,
 * OP...]) on 'db' in environment 'env', and stores the outcome in 'result'
 * (see struct db_exec_result).  'db' must have no pending transaction.  A
 * DB-NAME other than the schema's name, or params that are not such an
 * array, give a one-element reply with a "unknown database" or "syntax
 * error" error.  Per RFC 7047 §4.1.3 the reply has one element per
 * operation: results, then the error of a failing operation and nulls for
 * those not executed; or, if every operation succeeded but the commit-time
 * checks failed, all results and one more element, that error. */
void
db_execute(struct db *db, const struct json *params,
           const struct db_exec_env *env, struct db_exec_result *result)
{
    static const struct db_exec_env no_env = { NULL, NULL, 0 };

    memset(result, 0, sizeof *result);
    result->status = DB_EXEC_DONE;
    result->retry_ms = -1;
    if (!env) {
        env = &no_env;
    }
    if (!json_is_array(params) || !json_array_size(params)
        || !json_is_string(json_array_at(params, 0))) {
        exec_reply_error(result, "syntax error", "transact params must be "
                         "[DB-NAME, OPERATION...]");
        return;
    }
    if (strcmp(json_string(json_array_at(params, 0)), db->schema->name)) {
        exec_reply_error(result, "unknown database",
                         json_string(json_array_at(params, 0)));
        return;
    }
    ASSERT(!db->pending);

    struct exec_ctx ctx = {
        .db = db,
        .txn = db_txn_create(db),
        .env = env,
        .retry_ms = -1,
    };
    db_symtab_init(&ctx.symtab);

    size_t n_ops = json_array_size(params) - 1;
    struct json *reply = json_array_create_empty();
    struct db_error *error = NULL;
    for (size_t i = 0; i < n_ops; i++) {
        struct json *op_result;
        error = exec_op(&ctx, json_array_at(params, i + 1), &op_result);
        if (ctx.blocked) {
            db_error_destroy(error);
            json_unref(reply);
            json_unref(ctx.uuid_tag);
            db_symtab_uninit(&ctx.symtab);
            db_txn_abort(ctx.txn);
            result->status = DB_EXEC_BLOCKED;
            result->retry_ms = ctx.retry_ms;
            return;
        }
        if (error) {
            json_array_add(reply, db_error_to_json(error));
            for (size_t j = i + 1; j < n_ops; j++) {
                json_array_add(reply, json_null_create());
            }
            break;
        }
        json_array_add(reply, op_result);
    }
    db_symtab_uninit(&ctx.symtab);
    json_unref(ctx.uuid_tag);
    result->reply = reply;
    result->durable = ctx.durable;

    if (!error) {
        error = db_txn_precommit(ctx.txn);
        if (error) {
            json_array_add(reply, db_error_to_json(error));
        } else if (!db_txn_is_empty(ctx.txn)) {
            result->status = DB_EXEC_COMMIT;
            result->txn = ctx.txn;
            return;
        }
    }
    db_error_destroy(error);
    db_txn_abort(ctx.txn);
}
