/* The generic database commands (see dbctl.h): table and record lookup,
 * the commands themselves, output formats, and the transaction that runs
 * them.  The value syntax is in dbctl-value.c. */
#include "tools/dbctl-private.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/error.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"

/* ---------------------------------------------------------------------- */
/* Commands. */

/* Output of one command, completed after the commit. */
struct cmd_output {
    struct ds text;             /* Output text. */
    const struct idl_row *insert; /* Row whose final UUID to print after
                                     'text', or NULL. */
};

/* The state of one dbctl_run(). */
struct dbctl_context {
    struct idl *idl;            /* The replica. */
    struct idl_txn *txn;        /* The transaction being built. */
    const struct dbctl_table_name *names; /* Record-name table. */
    size_t n_names;             /* Entries in 'names'. */
    struct db_symtab symtab;    /* "@name"s defined by --id. */
    struct ds *err;             /* Error message. */
    struct dbctl_options opts;  /* Per-command options. */
    bool if_exists;             /* --if-exists. */
    bool all;                   /* --all. */
    const char *id;             /* --id=@name, or NULL. */
    struct cmd_output *output;  /* Current command's output. */
    char **cmd_options;         /* A tool command's leading options. */
    size_t n_cmd_options;       /* Number of 'cmd_options'. */

    /* What the transaction has done so far, so that later commands see it
     * (the replica shows it only after the commit). */
    struct hmap pending;        /* "struct pending_value"s. */
    const struct idl_row **inserted; /* Rows inserted, in order. */
    size_t n_inserted;          /* Number of 'inserted'. */
    struct hmap deleted;        /* "struct deleted_row"s, by pointer. */
    struct hmap indexes;        /* "struct string_index"es, by column. */
    bool changed;               /* Has the transaction written anything? */
};

/* A row the transaction deletes. */
struct deleted_row {
    struct hmap_node node;      /* In dbctl_context.deleted. */
    const struct idl_row *row;  /* The row. */
};

/* Rows by the value of one string column, so that commands that name rows
 * (a batch of thousands of "lsp-add"s, each checking the name is free) do
 * not scan the table each time.  Entries are only ever added, when a row
 * is indexed or the column is written; lookups check each candidate's
 * current value and liveness, which retires stale entries without
 * bookkeeping. */
struct string_index {
    struct hmap_node node;      /* In dbctl_context.indexes. */
    const struct idl_column *column; /* The indexed column. */
    struct hmap entries;        /* "struct index_entry"s, by string hash. */
};

struct index_entry {
    struct hmap_node node;      /* In string_index.entries. */
    const struct idl_row *row;  /* A row that had the value. */
};

/* A column value written by the transaction being built. */
struct pending_value {
    struct hmap_node node;      /* In ctx.pending, by row and column. */
    const struct idl_row *row;  /* The row. */
    const struct idl_column *column; /* The column. */
    struct datum datum;         /* The value written; owned. */
};

/* A column being printed: the schema's or the pseudo-column _uuid. */
struct print_column {
    const struct idl_column *column; /* NULL for _uuid. */
    const char *name;           /* Column name. */
};

static int
fail(struct dbctl_context *ctx, const char *format, ...) PRINTF_FORMAT(2, 3);

static int
fail(struct dbctl_context *ctx, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ds_put_format_valist(ctx->err, format, args);
    va_end(args);
    return -EINVAL;
}

static struct idl_table *
find_table(struct dbctl_context *ctx, const char *name)
{
    const struct db_schema *schema = idl_get_schema(ctx->idl);
    const struct table_schema *match = NULL;
    size_t n_matches = 0;
    for (size_t i = 0; i < schema->n_tables; i++) {
        const struct table_schema *ts = schema->table_array[i];
        if (!strcasecmp(ts->name, name)) {
            match = ts;
            n_matches = 1;
            break;
        }
        if (!strncasecmp(ts->name, name, strlen(name))) {
            match = ts;
            n_matches++;
        }
    }
    if (n_matches == 1) {
        return idl_get_table(ctx->idl, match->name);
    }
    if (n_matches > 1) {
        struct ds names;
        ds_init(&names);
        for (size_t i = 0; i < schema->n_tables; i++) {
            const char *tn = schema->table_array[i]->name;
            if (!strncasecmp(tn, name, strlen(name))) {
                ds_put_format(&names, "%s%s", names.length ? ", " : "", tn);
            }
        }
        fail(ctx, "\"%s\" matches multiple table names: %s", name,
             ds_cstr(&names));
        ds_uninit(&names);
    } else {
        fail(ctx, "unknown table \"%s\"", name);
    }
    return NULL;
}

static const struct idl_column *
find_column(struct dbctl_context *ctx, struct idl_table *table,
            const char *name)
{
    const struct table_schema *ts = idl_table_schema(table);
    const struct column_schema *match = NULL;
    size_t n_matches = 0;
    for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
        const struct column_schema *cs = ts->columns[i];
        if (!strcasecmp(cs->name, name)) {
            match = cs;
            n_matches = 1;
            break;
        }
        if (!strncasecmp(cs->name, name, strlen(name))) {
            match = cs;
            n_matches++;
        }
    }
    if (n_matches == 1) {
        return idl_table_find_column(table, match->name);
    }
    if (n_matches > 1) {
        fail(ctx, "%s contains more than one column whose name matches "
             "\"%s\"", ts->name, name);
    } else {
        fail(ctx, "%s does not contain a column whose name matches \"%s\"",
             ts->name, name);
    }
    return NULL;
}

static const struct db_type *
column_type(const struct idl_column *column)
{
    return &idl_column_schema(column)->type;
}

static uint32_t
pending_hash(const struct idl_row *row, const struct idl_column *column)
{
    return hash_pointer(column, hash_pointer(row, 0));
}

static struct pending_value *
pending_find(const struct dbctl_context *ctx, const struct idl_row *row,
             const struct idl_column *column)
{
    struct pending_value *pv;
    HMAP_FOR_EACH_WITH_HASH (pv, node, pending_hash(row, column),
                             &ctx->pending) {
        if (pv->row == row && pv->column == column) {
            return pv;
        }
    }
    return NULL;
}

static struct string_index *
index_find(const struct dbctl_context *ctx, const struct idl_column *column)
{
    struct string_index *si;
    HMAP_FOR_EACH_WITH_HASH (si, node, hash_pointer(column, 0),
                             &ctx->indexes) {
        if (si->column == column) {
            return si;
        }
    }
    return NULL;
}

/* Adds 'row' to 'si' under each string in 'value'. */
static void
index_add(struct string_index *si, const struct idl_row *row,
          const struct datum *value)
{
    for (size_t i = 0; i < value->n; i++) {
        struct index_entry *e = xmalloc(sizeof *e);
        e->row = row;
        hmap_insert(&si->entries, &e->node,
                    hash_string(value->keys[i].string, 0));
    }
}

static void
index_destroy(struct string_index *si)
{
    struct index_entry *e;
    HMAP_FOR_EACH_POP (e, node, &si->entries) {
        free(e);
    }
    hmap_uninit(&si->entries);
    free(si);
}

/* The value of 'column' in 'row' as the transaction leaves it so far. */
static const struct datum *
row_get(const struct dbctl_context *ctx, const struct idl_row *row,
        const struct idl_column *column)
{
    const struct pending_value *pv = pending_find(ctx, row, column);
    return pv ? &pv->datum : idl_row_get(row, column);
}

/* Writes 'value' (taking its contents) to 'column' of 'row'. */
static void
row_set(struct dbctl_context *ctx, const struct idl_row *row,
        const struct idl_column *column, struct datum *value)
{
    ctx->changed = true;
    const struct db_type *type = column_type(column);
    struct pending_value *pv = pending_find(ctx, row, column);
    if (!pv) {
        pv = xmalloc(sizeof *pv);
        pv->row = row;
        pv->column = column;
        hmap_insert(&ctx->pending, &pv->node, pending_hash(row, column));
    } else {
        datum_destroy(&pv->datum, type);
    }
    datum_clone(&pv->datum, value, type);
    idl_txn_set(ctx->txn, row, column, value);

    struct string_index *si = index_find(ctx, column);
    if (si) {
        index_add(si, row, &pv->datum);
    }
}

static bool
row_is_deleted(const struct dbctl_context *ctx, const struct idl_row *row)
{
    const struct deleted_row *dr;
    HMAP_FOR_EACH_WITH_HASH (dr, node, hash_pointer(row, 0), &ctx->deleted) {
        if (dr->row == row) {
            return true;
        }
    }
    return false;
}

static void
row_delete(struct dbctl_context *ctx, const struct idl_row *row)
{
    ctx->changed = true;
    if (!row_is_deleted(ctx, row)) {
        struct deleted_row *dr = xmalloc(sizeof *dr);
        dr->row = row;
        hmap_insert(&ctx->deleted, &dr->node, hash_pointer(row, 0));
        idl_txn_delete(ctx->txn, row);
    }
}

/* Returns the rows of 'table' as the transaction leaves them so far (an
 * array the caller frees), and their number in '*np'. */
static const struct idl_row **
table_rows(const struct dbctl_context *ctx, struct idl_table *table,
           size_t *np)
{
    const struct idl_row **rows = xcalloc(idl_table_count(table)
                                          + ctx->n_inserted + 1,
                                          sizeof *rows);
    size_t n = 0;
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, table) {
        if (!row_is_deleted(ctx, row)) {
            rows[n++] = row;
        }
    }
    for (size_t i = 0; i < ctx->n_inserted; i++) {
        row = ctx->inserted[i];
        if (idl_row_table(row) == table && !row_is_deleted(ctx, row)) {
            rows[n++] = row;
        }
    }
    *np = n;
    return rows;
}

/* Returns the live row of 'table' with 'uuid' (a replica row, or one the
 * transaction inserted, named by its temporary UUID), or NULL. */
static const struct idl_row *
row_by_uuid(const struct dbctl_context *ctx, struct idl_table *table,
            const struct uuid *uuid)
{
    const struct idl_row *row = idl_row_find(table, uuid);
    if (!row) {
        for (size_t i = 0; i < ctx->n_inserted && !row; i++) {
            if (idl_row_table(ctx->inserted[i]) == table
                && uuid_equals(idl_row_uuid(ctx->inserted[i]), uuid)) {
                row = ctx->inserted[i];
            }
        }
    }
    return row && !row_is_deleted(ctx, row) ? row : NULL;
}

/* Stores in 'rows' (up to 'max' of them) the live rows of 'column''s table
 * whose 'column', a string or set-of-strings column, holds 'value', and
 * returns how many there are (possibly more than 'max'). */
static size_t
rows_by_string(struct dbctl_context *ctx, const struct idl_column *column,
               const char *value, const struct idl_row **rows, size_t max)
{
    struct string_index *si = index_find(ctx, column);
    if (!si) {
        struct idl_table *table = idl_column_table(column);
        si = xmalloc(sizeof *si);
        si->column = column;
        hmap_init(&si->entries);
        hmap_insert(&ctx->indexes, &si->node, hash_pointer(column, 0));
        size_t n;
        const struct idl_row **all = table_rows(ctx, table, &n);
        for (size_t i = 0; i < n; i++) {
            index_add(si, all[i], row_get(ctx, all[i], column));
        }
        free(all);
    }

    const struct db_type *type = column_type(column);
    union atom key = { .string = (char *) value };
    size_t n = 0;
    const struct index_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, hash_string(value, 0), &si->entries) {
        if (row_is_deleted(ctx, e->row)
            || datum_find_key(row_get(ctx, e->row, column), &key,
                              type->key.type) == SIZE_MAX) {
            continue;
        }
        bool dup = false;
        for (size_t i = 0; i < n && i < max && !dup; i++) {
            dup = rows[i] == e->row;
        }
        if (!dup) {
            if (n < max) {
                rows[n] = e->row;
            }
            n++;
        }
    }
    return n;
}

/* Finds the row of 'table' whose map column and key, given as
 * "COLUMN:KEY" in 'name' (e.g. "external_ids:name"), has value 'id'; sets
 * '*ambiguous' if several do.  Scans the table: such names are for the
 * occasional lookup, not for batches. */
static const struct idl_row *
find_row_by_map_value(struct dbctl_context *ctx, struct idl_table *table,
                      const char *name, const char *id, bool *ambiguous)
{
    const char *colon = strchr(name, ':');
    char *column_name = xmemdup0(name, colon - name);
    const struct idl_column *column = idl_table_find_column(table,
                                                            column_name);
    free(column_name);
    if (!column) {
        return NULL;
    }
    union atom key = { .string = (char *) colon + 1 };
    size_t n;
    const struct idl_row **rows = table_rows(ctx, table, &n);
    const struct idl_row *row = NULL;
    for (size_t i = 0; i < n && !*ambiguous; i++) {
        const struct datum *d = row_get(ctx, rows[i], column);
        size_t idx = datum_find_key(d, &key, DB_TYPE_STRING);
        if (idx != SIZE_MAX && !strcmp(d->values[idx].string, id)) {
            *ambiguous = row != NULL;
            row = rows[i];
        }
    }
    free(rows);
    return row;
}

/* Finds the record 'id' of 'table'.  Returns NULL if there is none, with an
 * error in ctx->err unless 'quiet'. */
static const struct idl_row *
find_row(struct dbctl_context *ctx, struct idl_table *table, const char *id,
         bool quiet)
{
    const char *tname = idl_table_name(table);
    const struct idl_row *row = NULL;
    struct uuid uuid;
    bool ambiguous = false;

    if (uuid_from_string(&uuid, id)) {
        row = row_by_uuid(ctx, table, &uuid);
    }
    for (size_t i = 0; !row && i < ctx->n_names; i++) {
        const struct dbctl_table_name *tn = &ctx->names[i];
        if (strcmp(tn->table, tname)) {
            continue;
        }
        if (!tn->name_column) {
            if (!strcmp(id, ".")) {
                size_t n;
                const struct idl_row **rows = table_rows(ctx, table, &n);
                row = n == 1 ? rows[0] : NULL;
                free(rows);
            }
            continue;
        }
        const char *colon = strchr(tn->name_column, ':');
        if (colon) {
            row = find_row_by_map_value(ctx, table, tn->name_column, id,
                                        &ambiguous);
            continue;
        }
        const struct idl_column *col = idl_table_find_column(
            table, tn->name_column);
        const struct idl_row *found[2];
        size_t n = rows_by_string(ctx, col, id, found, 2);
        row = n ? found[0] : NULL;
        ambiguous = n > 1;
    }
    if (!row && !ambiguous && uuid_is_partial_string(id)) {
        size_t len = strlen(id);
        size_t n_rows;
        const struct idl_row **rows = table_rows(ctx, table, &n_rows);
        for (size_t r = 0; r < n_rows && !ambiguous; r++) {
            char buf[UUID_LEN + 1];
            uuid_to_buffer(idl_row_uuid(rows[r]), buf);
            if (!strncmp(buf, id, len)) {
                ambiguous = row != NULL;
                row = rows[r];
            }
        }
        free(rows);
    }
    if (ambiguous) {
        if (!quiet) {
            fail(ctx, "multiple rows in %s match \"%s\"", tname, id);
        }
        return NULL;
    }
    if (!row && !quiet) {
        fail(ctx, "no row \"%s\" in table %s", id, tname);
    }
    return row;
}

/* Parses "column[:key]" at the start of 'arg' into '*columnp' and '*keyp'
 * (a string atom of the key's type, owned by the caller, or NULL), leaving
 * '*restp' after it. */
static int
parse_column_key(struct dbctl_context *ctx, struct idl_table *table,
                 const char *arg,
                 const struct idl_column **columnp, union atom *key,
                 bool *has_key, const char **restp)
{
    size_t len = strcspn(arg, ":=<>!{");
    char *name = xmemdup0(arg, len);
    *columnp = find_column(ctx, table, name);
    free(name);
    *has_key = false;
    if (!*columnp) {
        return -EINVAL;
    }
    const char *p = arg + len;
    if (*p == ':') {
        const struct db_type *type = column_type(*columnp);
        p++;
        if (!db_type_is_map(type)) {
            return fail(ctx, "cannot specify key to set for non-map column "
                        "%s", idl_column_name(*columnp));
        }
        char *error = dbctl_parse_atom(&p, &type->key, "=<>!{", &ctx->symtab,
                                 key);
        if (error) {
            fail(ctx, "%s", error);
            free(error);
            return -EINVAL;
        }
        *has_key = true;
    }
    *restp = p;
    return 0;
}

/* Appends the cell text of 'column' of 'row' in 'opts' data format. */
static void
cell_to_string(const struct dbctl_context *ctx, const struct idl_row *row,
               const struct print_column *pc, struct ds *ds)
{
    bool bare = ctx->opts.data == DBCTL_DATA_BARE;
    if (!pc->column) {
        if (ctx->opts.data == DBCTL_DATA_JSON) {
            ds_put_format(ds, "[\"uuid\",\"" UUID_FMT "\"]",
                          UUID_ARGS(idl_row_uuid(row)));
        } else {
            ds_put_format(ds, UUID_FMT, UUID_ARGS(idl_row_uuid(row)));
        }
        return;
    }
    const struct datum *d = row_get(ctx, row, pc->column);
    const struct db_type *type = column_type(pc->column);
    if (ctx->opts.data == DBCTL_DATA_JSON) {
        struct json *json = datum_to_json(d, type);
        json_to_ds(json, 0, ds);
        json_unref(json);
    } else {
        dbctl_datum_to_string(d, type, bare, ds);
    }
}

static struct json *
cell_to_json(const struct dbctl_context *ctx, const struct idl_row *row,
             const struct print_column *pc)
{
    if (!pc->column) {
        return json_array_create_2(
            json_string_create("uuid"),
            json_string_create_nocopy(xasprintf(
                UUID_FMT, UUID_ARGS(idl_row_uuid(row)))));
    }
    return datum_to_json(row_get(ctx, row, pc->column),
                         column_type(pc->column));
}

static int
compare_names(const void *a_, const void *b_)
{
    const struct print_column *a = a_, *b = b_;
    return strcmp(a->name, b->name);
}

/* Fills '*colsp' with the columns to print for 'table'. */
static int
print_columns(struct dbctl_context *ctx, struct idl_table *table,
              struct print_column **colsp, size_t *np)
{
    const struct table_schema *ts = idl_table_schema(table);
    struct print_column *cols = xcalloc(ts->n_columns, sizeof *cols);
    size_t n = 0;
    if (!ctx->opts.columns) {
        cols[n++] = (struct print_column) { NULL, "_uuid" };
        for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
            const struct idl_column *c = idl_table_find_column(
                table, ts->columns[i]->name);
            cols[n++] = (struct print_column) { c, idl_column_name(c) };
        }
        qsort(cols + 1, n - 1, sizeof *cols, compare_names);
    } else {
        char *copy = xstrdup(ctx->opts.columns);
        char *save = NULL;
        for (char *name = strtok_r(copy, ", ", &save); name;
             name = strtok_r(NULL, ", ", &save)) {
            if (n >= ts->n_columns) {
                cols = xrealloc(cols, (n + 1) * sizeof *cols);
            }
            if (!strcasecmp(name, "_uuid")) {
                cols[n++] = (struct print_column) { NULL, "_uuid" };
                continue;
            }
            const struct idl_column *c = find_column(ctx, table, name);
            if (!c) {
                free(copy);
                free(cols);
                return -EINVAL;
            }
            cols[n++] = (struct print_column) { c, idl_column_name(c) };
        }
        free(copy);
    }
    *colsp = cols;
    *np = n;
    return 0;
}

static void
put_csv_cell(struct ds *ds, const char *s)
{
    if (s[strcspn(s, "\",\n\r")] || !*s) {
        if (!*s) {
            return;
        }
        ds_put_char(ds, '"');
        for (; *s; s++) {
            if (*s == '"') {
                ds_put_char(ds, '"');
            }
            ds_put_char(ds, *s);
        }
        ds_put_char(ds, '"');
    } else {
        ds_put_cstr(ds, s);
    }
}

/* Appends 'json' (of arrays and scalars) at nesting 'level' in the
 * reference tools' pretty layout: one element per line, closing brackets
 * right after the last element. */
static void
put_pretty_json(const struct json *json, int level, struct ds *ds)
{
    if (!json_is_array(json) || !json_array_size(json)) {
        json_to_ds(json, 0, ds);
        return;
    }
    ds_put_char(ds, '[');
    for (size_t i = 0; i < json_array_size(json); i++) {
        ds_put_cstr(ds, i ? ",\n" : "\n");
        ds_put_char_multiple(ds, ' ', 2 * (level + 1));
        put_pretty_json(json_array_at(json, i), level + 1, ds);
    }
    ds_put_char(ds, ']');
}

/* Removes trailing spaces from the line that ends 'ds'. */
static void
trim_line(struct ds *ds)
{
    size_t n = ds->length;
    while (n && ds->string[n - 1] == ' ') {
        n--;
    }
    ds_truncate(ds, n);
}

/* Prints 'rows' ('n_rows') with 'cols' ('n_cols') to the current output in
 * the current format. */
static void
print_rows(struct dbctl_context *ctx, const struct idl_row **rows,
           size_t n_rows,
           const struct print_column *cols, size_t n_cols)
{
    struct ds *out = &ctx->output->text;
    const struct dbctl_options *o = &ctx->opts;

    if (o->format == DBCTL_FORMAT_JSON) {
        struct json *data = json_array_create_empty();
        for (size_t r = 0; r < n_rows; r++) {
            struct json *row = json_array_create_empty();
            for (size_t c = 0; c < n_cols; c++) {
                json_array_add(row, cell_to_json(ctx, rows[r], &cols[c]));
            }
            json_array_add(data, row);
        }
        struct json *obj = json_object_create();
        json_object_put(obj, "data", data);
        {
            struct json *h = json_array_create_empty();
            for (size_t c = 0; c < n_cols; c++) {
                json_array_add(h, json_string_create(cols[c].name));
            }
            json_object_put(obj, "headings", h);
        }
        if (o->pretty) {
            ds_put_cstr(out, "{\n  \"data\": ");
            put_pretty_json(json_object_find(obj, "data"), 1, out);
            struct json *h = json_object_find(obj, "headings");
            if (h) {
                ds_put_cstr(out, ",\n  \"headings\": ");
                put_pretty_json(h, 1, out);
            }
            ds_put_char(out, '}');
        } else {
            json_to_ds(obj, 0, out);
        }
        ds_put_char(out, '\n');
        json_unref(obj);
        return;
    }

    /* Text of every cell. */
    char **cells = xcalloc(n_rows * n_cols + 1, sizeof *cells);
    for (size_t r = 0; r < n_rows; r++) {
        for (size_t c = 0; c < n_cols; c++) {
            struct ds ds;
            ds_init(&ds);
            cell_to_string(ctx, rows[r], &cols[c], &ds);
            cells[r * n_cols + c] = ds_steal_cstr(&ds);
        }
    }

    if (o->format == DBCTL_FORMAT_LIST) {
        for (size_t r = 0; r < n_rows; r++) {
            if (r) {
                ds_put_char(out, '\n');
            }
            for (size_t c = 0; c < n_cols; c++) {
                if (o->headings) {
                    ds_put_format(out, "%-20s: ", cols[c].name);
                }
                ds_put_format(out, "%s\n", cells[r * n_cols + c]);
            }
        }
    } else if (o->format == DBCTL_FORMAT_TABLE) {
        size_t *widths = xcalloc(n_cols, sizeof *widths);
        for (size_t c = 0; c < n_cols; c++) {
            widths[c] = o->headings ? strlen(cols[c].name) : 0;
            for (size_t r = 0; r < n_rows; r++) {
                widths[c] = MAX(widths[c], strlen(cells[r * n_cols + c]));
            }
        }
        if (o->headings) {
            for (size_t c = 0; c < n_cols; c++) {
                ds_put_format(out, "%-*s ", (int) widths[c], cols[c].name);
            }
            trim_line(out);
            ds_put_char(out, '\n');
            for (size_t c = 0; c < n_cols; c++) {
                ds_put_char_multiple(out, '-', widths[c]);
                ds_put_char(out, c + 1 < n_cols ? ' ' : '\n');
            }
        }
        for (size_t r = 0; r < n_rows; r++) {
            for (size_t c = 0; c < n_cols; c++) {
                ds_put_format(out, "%-*s ", (int) widths[c],
                              cells[r * n_cols + c]);
            }
            trim_line(out);
            ds_put_char(out, '\n');
        }
        free(widths);
    } else {
        if (o->headings) {
            for (size_t c = 0; c < n_cols; c++) {
                if (c) {
                    ds_put_char(out, ',');
                }
                put_csv_cell(out, cols[c].name);
            }
            ds_put_char(out, '\n');
        }
        for (size_t r = 0; r < n_rows; r++) {
            for (size_t c = 0; c < n_cols; c++) {
                if (c) {
                    ds_put_char(out, ',');
                }
                put_csv_cell(out, cells[r * n_cols + c]);
            }
            ds_put_char(out, '\n');
        }
    }
    for (size_t i = 0; i < n_rows * n_cols; i++) {
        free(cells[i]);
    }
    free(cells);
}

static int
cmd_list_rows(struct dbctl_context *ctx, struct idl_table *table,
              const struct idl_row **rows, size_t n)
{
    struct print_column *cols;
    size_t n_cols;
    int error = print_columns(ctx, table, &cols, &n_cols);
    if (!error) {
        print_rows(ctx, rows, n, cols, n_cols);
        free(cols);
    }
    return error;
}

static int
cmd_list(struct dbctl_context *ctx, int argc, char **argv)
{
    if (argc < 1) {
        return fail(ctx, "'list' command requires at least 1 arguments");
    }
    struct idl_table *table = find_table(ctx, argv[0]);
    if (!table) {
        return -EINVAL;
    }
    size_t n = 0;
    const struct idl_row **rows;
    if (argc > 1) {
        rows = xcalloc(argc - 1, sizeof *rows);
        for (int i = 1; i < argc; i++) {
            const struct idl_row *row = find_row(ctx, table, argv[i],
                                                 ctx->if_exists);
            if (row) {
                rows[n++] = row;
            } else if (!ctx->if_exists) {
                free(rows);
                return -EINVAL;
            }
        }
    } else {
        rows = table_rows(ctx, table, &n);
    }
    int error = cmd_list_rows(ctx, table, rows, n);
    free(rows);
    return error;
}

/* Comparison operators of "find" conditions. */
enum cond_op {
    OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE,   /* Arithmetic. */
    OP_SET_EQ, OP_SET_NE, OP_SET_LT, OP_SET_GT, OP_SET_LE, OP_SET_GE,
    OP_IN, OP_NOT_IN,                           /* Set operators. */
};

/* Operator spellings, longest first where one is a prefix of another. */
static const struct {
    const char *text;           /* Spelling. */
    enum cond_op op;            /* Operator. */
} cond_ops[] = {
    { "{not-in}", OP_NOT_IN }, { "{in}", OP_IN },
    { "{!=}", OP_SET_NE }, { "{<=}", OP_SET_LE }, { "{>=}", OP_SET_GE },
    { "{=}", OP_SET_EQ }, { "{<}", OP_SET_LT }, { "{>}", OP_SET_GT },
    { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
    { "=", OP_EQ }, { "<", OP_LT }, { ">", OP_GT },
};

/* Three-way comparison of sets or maps 'a' and 'b' of 'type', as
 * ovs-vsctl(8) defines it for "find": more elements is larger, then the
 * first differing key, then the first differing value. */
static int
datum_compare_3way(const struct datum *a, const struct datum *b,
                   const struct db_type *type)
{
    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    }
    for (size_t i = 0; i < a->n; i++) {
        int c = atom_compare(&a->keys[i], &b->keys[i], type->key.type);
        if (c) {
            return c;
        }
    }
    if (db_type_is_map(type)) {
        for (size_t i = 0; i < a->n; i++) {
            int c = atom_compare(&a->values[i], &b->values[i],
                                 type->value.type);
            if (c) {
                return c;
            }
        }
    }
    return 0;
}

/* Whether 'have' OP 'want', both of 'type'. */
static bool
eval_op(enum cond_op op, const struct datum *have, const struct datum *want,
        const struct db_type *type)
{
    bool eq = datum_equals(have, want, type);
    switch (op) {
    case OP_EQ:
    case OP_SET_EQ:
        return eq;
    case OP_NE:
    case OP_SET_NE:
        return !eq;
    case OP_LT:
        return datum_compare_3way(have, want, type) < 0;
    case OP_GT:
        return datum_compare_3way(have, want, type) > 0;
    case OP_LE:
        return datum_compare_3way(have, want, type) <= 0;
    case OP_GE:
        return datum_compare_3way(have, want, type) >= 0;
    case OP_SET_LT:
        return !eq && datum_includes_all(want, have, type);
    case OP_SET_GT:
        return !eq && datum_includes_all(have, want, type);
    case OP_SET_LE:
    case OP_IN:
        return datum_includes_all(want, have, type);
    case OP_SET_GE:
        return datum_includes_all(have, want, type);
    case OP_NOT_IN:
        return datum_excludes_all(want, have, type);
    }
    NOT_REACHED();
}

/* Evaluates one find condition "column[:key]OPvalue" on 'row'. */
static int
eval_condition(struct dbctl_context *ctx, struct idl_table *table,
               const struct idl_row *row, const char *arg, bool *matchp)
{
    const struct idl_column *column;
    union atom key;
    bool has_key;
    const char *p;
    int error = parse_column_key(ctx, table, arg, &column, &key, &has_key,
                                 &p);
    if (error) {
        return error;
    }
    const struct db_type *ctype = column_type(column);
    size_t k;
    for (k = 0; k < ARRAY_SIZE(cond_ops); k++) {
        if (!strncmp(p, cond_ops[k].text, strlen(cond_ops[k].text))) {
            break;
        }
    }
    if (k >= ARRAY_SIZE(cond_ops)) {
        if (has_key) {
            atom_destroy(&key, ctype->key.type);
        }
        return fail(ctx, "%s: argument does not end in \"=\", \"!=\", "
                    "\"<\", \">\", \"<=\", \">=\", \"{=}\", \"{!=}\", "
                    "\"{<}\", \"{>}\", \"{<=}\", \"{>=}\", \"{in}\", or "
                    "\"{not-in}\" followed by a value.", arg);
    }
    enum cond_op op = cond_ops[k].op;
    p += strlen(cond_ops[k].text);

    /* The type both sides are compared as: the column's (or, with a key,
     * a set of the map's values), with any number of elements. */
    struct db_type type;
    if (has_key) {
        db_type_init(&type, DB_TYPE_VOID);
        db_base_type_destroy(&type.key);
        db_base_type_clone(&type.key, &ctype->value);
    } else {
        db_type_clone(&type, ctype);
    }
    type.n_min = 0;
    type.n_max = UINT_MAX;

    const struct datum *value = row_get(ctx, row, column);
    struct datum have = *value;
    bool skip = false;
    if (has_key) {
        size_t i = datum_find_key(value, &key, ctype->key.type);
        atom_destroy(&key, ctype->key.type);
        if (i == SIZE_MAX) {
            have.n = 0;
            have.keys = NULL;
            skip = op <= OP_GE;
        } else {
            have.n = 1;
            have.keys = &value->values[i];
        }
        have.values = NULL;
    }

    struct datum want;
    char *msg = dbctl_datum_from_string(&want, &type, p, &ctx->symtab);
    if (msg) {
        db_type_destroy(&type);
        fail(ctx, "%s", msg);
        free(msg);
        return -EINVAL;
    }
    *matchp = !skip && eval_op(op, &have, &want, &type);
    datum_destroy(&want, &type);
    db_type_destroy(&type);
    return 0;
}

static int
cmd_find(struct dbctl_context *ctx, int argc, char **argv)
{
    if (argc < 1) {
        return fail(ctx, "'find' command requires at least 1 arguments");
    }
    struct idl_table *table = find_table(ctx, argv[0]);
    if (!table) {
        return -EINVAL;
    }
    size_t n_all;
    const struct idl_row **rows = table_rows(ctx, table, &n_all);
    size_t n = 0;
    for (size_t r = 0; r < n_all; r++) {
        const struct idl_row *row = rows[r];
        bool match = true;
        for (int i = 1; match && i < argc; i++) {
            int error = eval_condition(ctx, table, row, argv[i], &match);
            if (error) {
                free(rows);
                return error;
            }
        }
        if (match) {
            rows[n++] = row;
        }
    }
    int error = cmd_list_rows(ctx, table, rows, n);
    free(rows);
    return error;
}

/* Common prologue of commands that take TABLE RECORD. */
static int
table_and_row(struct dbctl_context *ctx, int argc, char **argv, int min_args,
              const char *cmd, struct idl_table **tablep,
              const struct idl_row **rowp)
{
    if (argc < min_args) {
        return fail(ctx, "'%s' command requires at least %d arguments", cmd,
                    min_args);
    }
    *tablep = find_table(ctx, argv[0]);
    if (!*tablep) {
        return -EINVAL;
    }
    *rowp = find_row(ctx, *tablep, argv[1], ctx->if_exists);
    if (!*rowp) {
        return ctx->if_exists ? 1 : -EINVAL;
    }
    return 0;
}

static int
cmd_get(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table;
    const struct idl_row *row;
    int error = table_and_row(ctx, argc, argv, 2, "get", &table, &row);
    if (error) {
        return error > 0 ? 0 : error;
    }
    if (ctx->id) {
        if (ctx->id[0] != '@') {
            return fail(ctx, "row id \"%s\" does not begin with \"@\"",
                        ctx->id);
        }
        if (db_symtab_find(&ctx->symtab, ctx->id)) {
            return fail(ctx, "row id \"%s\" may only be specified on "
                        "one --id option", ctx->id);
        }
        db_symtab_put(&ctx->symtab, ctx->id)->uuid = *idl_row_uuid(row);
    }
    struct ds *out = &ctx->output->text;
    for (int i = 2; i < argc; i++) {
        const struct idl_column *column;
        union atom key;
        bool has_key;
        const char *p;
        if (!strcasecmp(argv[i], "_uuid")) {
            ds_put_format(out, UUID_FMT "\n", UUID_ARGS(idl_row_uuid(row)));
            continue;
        }
        error = parse_column_key(ctx, table, argv[i], &column, &key,
                                 &has_key, &p);
        if (error) {
            return error;
        }
        const struct db_type *type = column_type(column);
        const struct datum *d = row_get(ctx, row, column);
        if (*p) {
            if (has_key) {
                atom_destroy(&key, type->key.type);
            }
            return fail(ctx, "%s: trailing garbage \"%s\" in argument",
                        argv[i], p);
        }
        if (has_key) {
            size_t k = datum_find_key(d, &key, type->key.type);
            if (k == SIZE_MAX) {
                if (!ctx->if_exists) {
                    struct ds ks;
                    ds_init(&ks);
                    dbctl_atom_to_string(&key, type->key.type, false, &ks);
                    fail(ctx, "no key \"%s\" in %s record \"%s\" column %s",
                         ds_cstr(&ks), idl_table_name(table), argv[1],
                         idl_column_name(column));
                    ds_uninit(&ks);
                    atom_destroy(&key, type->key.type);
                    return -EINVAL;
                }
            } else {
                dbctl_atom_to_string(&d->values[k], type->value.type,
                                     false, out);
            }
            atom_destroy(&key, type->key.type);
        } else {
            dbctl_datum_to_string(d, type, false, out);
        }
        ds_put_char(out, '\n');
    }
    return 0;
}

/* Applies one "column[:key]=value" to 'row'. */
static int
set_column(struct dbctl_context *ctx, struct idl_table *table,
           const struct idl_row *row, const char *arg)
{
    const struct idl_column *column;
    union atom key;
    bool has_key;
    const char *p;
    int error = parse_column_key(ctx, table, arg, &column, &key, &has_key,
                                 &p);
    if (error) {
        return error;
    }
    const struct db_type *type = column_type(column);
    if (*p != '=') {
        if (has_key) {
            atom_destroy(&key, type->key.type);
        }
        return fail(ctx, "%s: argument does not end in \"=\" followed by "
                    "a value.", arg);
    }
    p++;
    char *msg;
    if (has_key) {
        union atom value;
        msg = dbctl_parse_atom(&p, &type->value, "", &ctx->symtab, &value);
        if (!msg) {
            struct datum pair, result;
            datum_init_alloc(&pair, 1, true);
            pair.keys[0] = key;
            pair.values[0] = value;
            datum_clone(&result, row_get(ctx, row, column), type);
            datum_subtract(&result, &pair, type, false);
            datum_union(&result, &pair, type);
            idl_txn_verify(ctx->txn, row, column);
            row_set(ctx, row, column, &result);
            datum_destroy(&result, type);
            datum_destroy(&pair, type);
            has_key = false;
        }
        if (has_key) {
            atom_destroy(&key, type->key.type);
        }
    } else {
        struct datum datum;
        msg = dbctl_datum_from_string(&datum, type, p, &ctx->symtab);
        if (!msg) {
            row_set(ctx, row, column, &datum);
            datum_destroy(&datum, type);
        }
    }
    if (msg) {
        fail(ctx, "%s", msg);
        free(msg);
        return -EINVAL;
    }
    return 0;
}

static int
cmd_set(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table;
    const struct idl_row *row;
    int error = table_and_row(ctx, argc, argv, 3, "set", &table, &row);
    if (error) {
        return error > 0 ? 0 : error;
    }
    for (int i = 2; i < argc; i++) {
        error = set_column(ctx, table, row, argv[i]);
        if (error) {
            return error;
        }
    }
    return 0;
}

/* "add" and "remove". */
static int
cmd_add_remove(struct dbctl_context *ctx, int argc, char **argv, bool add)
{
    const char *cmd = add ? "add" : "remove";
    struct idl_table *table;
    const struct idl_row *row;
    int error = table_and_row(ctx, argc, argv, 4, cmd, &table, &row);
    if (error) {
        return error > 0 ? 0 : error;
    }
    const struct idl_column *column = find_column(ctx, table, argv[2]);
    if (!column) {
        return -EINVAL;
    }
    const struct db_type *type = column_type(column);
    struct db_type any;
    db_type_clone(&any, type);
    any.n_min = 0;
    any.n_max = UINT_MAX;
    struct datum result;
    datum_clone(&result, row_get(ctx, row, column), type);
    for (int i = 3; i < argc && !error; i++) {
        struct datum d;
        char *msg = dbctl_datum_from_string(&d, &any, argv[i],
                                            &ctx->symtab);
        if (msg && !add && db_type_is_map(type)) {
            /* Keys only. */
            struct db_type keys;
            db_type_clone(&keys, &any);
            db_base_type_destroy(&keys.value);
            db_base_type_init(&keys.value, DB_TYPE_VOID);
            free(msg);
            msg = dbctl_datum_from_string(&d, &keys, argv[i],
                                          &ctx->symtab);
            if (!msg) {
                datum_subtract(&result, &d, &any, false);
                datum_destroy(&d, &keys);
            }
            db_type_destroy(&keys);
        } else if (!msg) {
            if (add) {
                /* A map's new pairs replace those with the same keys. */
                datum_subtract(&result, &d, &any, false);
                datum_union(&result, &d, &any);
            } else {
                datum_subtract(&result, &d, &any, true);
            }
            datum_destroy(&d, &any);
        }
        if (msg) {
            fail(ctx, "%s", msg);
            free(msg);
            error = -EINVAL;
        }
    }
    if (!error && (result.n < type->n_min || result.n > type->n_max)) {
        error = fail(ctx, "\"%s\" operation would put %zu %s in column %s "
                     "of table %s but the maximum number is %u", cmd,
                     result.n, db_type_is_map(type) ? "pairs" : "values",
                     idl_column_name(column), idl_table_name(table),
                     result.n > type->n_max ? type->n_max : type->n_min);
    }
    if (!error) {
        idl_txn_verify(ctx->txn, row, column);
        row_set(ctx, row, column, &result);
    }
    datum_destroy(&result, type);
    db_type_destroy(&any);
    return error;
}

static int
cmd_add(struct dbctl_context *ctx, int argc, char **argv)
{
    return cmd_add_remove(ctx, argc, argv, true);
}

static int
cmd_remove(struct dbctl_context *ctx, int argc, char **argv)
{
    return cmd_add_remove(ctx, argc, argv, false);
}

static int
cmd_clear(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table;
    const struct idl_row *row;
    int error = table_and_row(ctx, argc, argv, 3, "clear", &table, &row);
    if (error) {
        return error > 0 ? 0 : error;
    }
    for (int i = 2; i < argc; i++) {
        const struct idl_column *column = find_column(ctx, table, argv[i]);
        if (!column) {
            return -EINVAL;
        }
        const struct db_type *type = column_type(column);
        if (type->n_min > 0) {
            return fail(ctx, "\"clear\" operation cannot be applied to %s "
                        "column %s of table %s, which is not allowed to be "
                        "empty", "this", idl_column_name(column),
                        idl_table_name(table));
        }
        struct datum empty;
        datum_init_empty(&empty);
        row_set(ctx, row, column, &empty);
    }
    return 0;
}

static int
cmd_create(struct dbctl_context *ctx, int argc, char **argv)
{
    if (argc < 1) {
        return fail(ctx, "'create' command requires at least 1 arguments");
    }
    struct idl_table *table = find_table(ctx, argv[0]);
    if (!table) {
        return -EINVAL;
    }
    const struct idl_row *row = dbctl_insert(ctx, table);
    if (ctx->id) {
        if (ctx->id[0] != '@') {
            return fail(ctx, "row id \"%s\" does not begin with \"@\"",
                        ctx->id);
        }
        if (db_symtab_find(&ctx->symtab, ctx->id)) {
            return fail(ctx, "row id \"%s\" may only be specified on one "
                        "--id option", ctx->id);
        }
        db_symtab_put(&ctx->symtab, ctx->id)->uuid = *idl_row_uuid(row);
    }
    ctx->output->insert = row;
    for (int i = 1; i < argc; i++) {
        int error = set_column(ctx, table, row, argv[i]);
        if (error) {
            return error;
        }
    }
    return 0;
}

static int
cmd_wait_until(struct dbctl_context *ctx, int argc, char **argv)
{
    if (argc < 2) {
        return fail(ctx, "'wait-until' command requires at least 2 "
                    "arguments");
    }
    struct idl_table *table = find_table(ctx, argv[0]);
    if (!table) {
        return -EINVAL;
    }
    const struct idl_row *row = find_row(ctx, table, argv[1], true);
    if (!row) {
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        bool match;
        int error = eval_condition(ctx, table, row, argv[i], &match);
        if (error) {
            return error;
        }
        if (!match) {
            return 1;
        }
    }
    return 0;
}

static int
cmd_destroy(struct dbctl_context *ctx, int argc, char **argv)
{
    if (argc < 1) {
        return fail(ctx, "'destroy' command requires at least 1 arguments");
    }
    struct idl_table *table = find_table(ctx, argv[0]);
    if (!table) {
        return -EINVAL;
    }
    if (ctx->all) {
        if (argc > 1) {
            return fail(ctx, "--all and records argument should not be "
                        "specified together");
        }
        size_t n;
        const struct idl_row **rows = table_rows(ctx, table, &n);
        for (size_t i = 0; i < n; i++) {
            row_delete(ctx, rows[i]);
        }
        free(rows);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const struct idl_row *row = find_row(ctx, table, argv[i],
                                             ctx->if_exists);
        if (row) {
            row_delete(ctx, row);
        } else if (!ctx->if_exists) {
            return -EINVAL;
        }
    }
    return 0;
}

/* The generic commands, with ovs-vsctl(8)'s bounds and options. */
static const struct dbctl_command generic_commands[] = {
    { "list", 1, INT_MAX, "--if-exists,--columns=", cmd_list },
    { "find", 1, INT_MAX, "--columns=", cmd_find },
    { "get", 2, INT_MAX, "--if-exists,--id=", cmd_get },
    { "set", 3, INT_MAX, "--if-exists", cmd_set },
    { "add", 4, INT_MAX, "--if-exists", cmd_add },
    { "remove", 4, INT_MAX, "--if-exists", cmd_remove },
    { "clear", 3, INT_MAX, "--if-exists", cmd_clear },
    { "create", 2, INT_MAX, "--id=", cmd_create },
    { "destroy", 1, INT_MAX, "--if-exists,--all", cmd_destroy },
    { "wait-until", 2, INT_MAX, NULL, cmd_wait_until },
    { NULL, 0, 0, NULL, NULL },
};

static const struct dbctl_command *
find_command(const struct dbctl_tool *tool, const char *name,
             bool *is_generic)
{
    for (const struct dbctl_command *c = generic_commands; c->name; c++) {
        if (!strcmp(c->name, name)) {
            *is_generic = true;
            return c;
        }
    }
    for (size_t i = 0; tool->commands && tool->commands[i]; i++) {
        for (const struct dbctl_command *c = tool->commands[i]; c->name;
             c++) {
            if (!strcmp(c->name, name)) {
                *is_generic = false;
                return c;
            }
        }
    }
    return NULL;
}

/* Whether 'opt' (like "--may-exist" or "--severity=info") is one of the
 * options 'cmd' lists. */
static bool
command_takes_option(const struct dbctl_command *cmd, const char *opt)
{
    size_t len = strcspn(opt, "=");
    for (const char *p = cmd->options ? cmd->options : ""; *p;) {
        size_t n = strcspn(p, ",");
        size_t name_len = p[n - 1] == '=' ? n - 1 : n;
        if (name_len == len && !strncmp(p, opt, len)
            && (opt[len] == '=') == (p[n - 1] == '=')) {
            return true;
        }
        p += n + (p[n] == ',');
    }
    return false;
}

/* Sets 'o' to the defaults: list format, string data, headings, no
 * pretty-printing, every column, wait-until waits for ever. */

/* Applies 'arg' if it is one of the output options that every kiln-*ctl
 * tool takes, as ovs-vsctl(8) defines them: --format=list|table|csv|json,
 * --data=string|bare|json, --no-headings, --bare, --pretty, --columns=.
 * 'arg' must stay valid as long as 'o' is used.  Returns 1 if it was one,
 * 0 if 'arg' is something else, or -1 after printing an error to stderr. */
int
dbctl_parse_output_option(struct dbctl_options *o, const char *arg)
{
    static const char *formats[] = {
        [DBCTL_FORMAT_LIST] = "list", [DBCTL_FORMAT_TABLE] = "table",
        [DBCTL_FORMAT_CSV] = "csv", [DBCTL_FORMAT_JSON] = "json",
    };
    static const char *datas[] = {
        [DBCTL_DATA_STRING] = "string", [DBCTL_DATA_BARE] = "bare",
        [DBCTL_DATA_JSON] = "json",
    };
    const char *eq = strchr(arg, '=');
    const char *value = eq ? eq + 1 : NULL;
    size_t name_len = eq ? (size_t) (eq - arg) : strlen(arg);

    if (!strcmp(arg, "--no-headings")) {
        o->headings = false;
    } else if (!strcmp(arg, "--bare")) {
        o->format = DBCTL_FORMAT_LIST;
        o->data = DBCTL_DATA_BARE;
        o->headings = false;
    } else if (!strcmp(arg, "--pretty")) {
        o->pretty = true;
    } else if (name_len == 9 && !strncmp(arg, "--columns", 9)) {
        if (!value) {
            goto missing;
        }
        o->columns = value;
    } else if (name_len == 8 && !strncmp(arg, "--format", 8)) {
        if (!value) {
            goto missing;
        }
        for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
            if (!strcmp(value, formats[i])) {
                o->format = i;
                return 1;
            }
        }
        fprintf(stderr, "%s: unknown output format \"%s\"\n",
                program_name(), value);
        return -1;
    } else if (name_len == 6 && !strncmp(arg, "--data", 6)) {
        if (!value) {
            goto missing;
        }
        for (size_t i = 0; i < ARRAY_SIZE(datas); i++) {
            if (!strcmp(value, datas[i])) {
                o->data = i;
                return 1;
            }
        }
        fprintf(stderr, "%s: unknown cell format \"%s\"\n",
                program_name(), value);
        return -1;
    } else {
        return 0;
    }
    return 1;

missing:
    fprintf(stderr, "%s: option '%.*s' requires an argument\n",
            program_name(), (int) name_len, arg);
    return -1;
}

void
dbctl_options_init(struct dbctl_options *o)
{
    o->format = DBCTL_FORMAT_LIST;
    o->data = DBCTL_DATA_STRING;
    o->headings = true;
    o->pretty = false;
    o->columns = NULL;
    o->timeout_ms = -1;
    o->dry_run = false;
    o->oneline = false;
}

/* Applies option 'opt' of a generic command to 'ctx'. */
static void
generic_option(struct dbctl_context *ctx, const char *opt)
{
    if (!strcmp(opt, "--if-exists")) {
        ctx->if_exists = true;
    } else if (!strcmp(opt, "--all")) {
        ctx->all = true;
    } else if (!strncmp(opt, "--id=", 5)) {
        ctx->id = opt + 5;
    } else if (!strncmp(opt, "--columns=", 10)) {
        ctx->opts.columns = opt + 10;
    }
}

/* One command of the command line, checked. */
struct parsed_command {
    const struct dbctl_command *cmd; /* The command. */
    bool is_generic;            /* One of generic_commands[]? */
    char **options;             /* Its leading options. */
    size_t n_options;           /* Number of 'options'. */
    char **args;                /* Its arguments. */
    int n_args;                 /* Number of 'args'. */
};

/* Splits 'argv' into commands and checks each one's name, options and
 * number of arguments, all before any command runs (as ovs-vsctl does, so
 * that a typo in the last command is reported even if an earlier one
 * would fail).  Stores an array the caller frees in '*cmdsp'. */
static int
parse_commands(struct dbctl_context *ctx, const struct dbctl_tool *tool,
               int argc, char **argv, struct parsed_command **cmdsp,
               size_t *n_cmdsp)
{
    struct parsed_command *cmds = xcalloc(argc + 1, sizeof *cmds);
    size_t n_cmds = 0;
    int error = 0;

    for (int i = 0; i < argc && !error;) {
        int start = i;
        while (i < argc && strcmp(argv[i], "--")) {
            i++;
        }
        int end = i++;          /* Skip "--". */

        int j = start;
        while (j < end && !strncmp(argv[j], "--", 2)) {
            j++;
        }
        if (j == end) {
            error = fail(ctx, "missing command name (use --help for help)");
            break;
        }
        bool is_generic;
        const struct dbctl_command *cmd = find_command(tool, argv[j],
                                                       &is_generic);
        if (!cmd) {
            error = fail(ctx, "unknown command '%s'; use --help for help",
                         argv[j]);
            break;
        }
        for (int k = start; k < j && !error; k++) {
            int len = strcspn(argv[k], "=");
            if (!command_takes_option(cmd, argv[k])) {
                error = fail(ctx, "'%s' command has no '%.*s' option",
                             cmd->name, len, argv[k]);
            }
            for (int m = start; m < k && !error; m++) {
                if (!strncmp(argv[m], argv[k], len)
                    && (argv[m][len] == '=' || !argv[m][len])) {
                    error = fail(ctx, "'%.*s' option specified multiple "
                                 "times", len, argv[k]);
                }
            }
        }
        if (error) {
            break;
        }
        int n_args = end - j - 1;
        if (n_args < cmd->min_args) {
            error = fail(ctx, "'%s' command requires at least %d "
                         "arguments", cmd->name, cmd->min_args);
        } else if (n_args > cmd->max_args) {
            /* The hint only helps when an extra argument looks like an
             * option given after the command name. */
            bool looks_like_option = false;
            for (int k = j + 1; k < end; k++) {
                looks_like_option |= argv[k][0] == '-';
            }
            error = fail(ctx, "'%s' command takes at most %d arguments%s",
                         cmd->name, cmd->max_args,
                         looks_like_option
                         ? " (note that options must precede command "
                           "names and follow a \"--\" argument)" : "");
        }
        cmds[n_cmds++] = (struct parsed_command) {
            .cmd = cmd,
            .is_generic = is_generic,
            .options = argv + start,
            .n_options = j - start,
            .args = argv + j + 1,
            .n_args = n_args,
        };
    }
    if (error) {
        free(cmds);
        cmds = NULL;
        n_cmds = 0;
    }
    *cmdsp = cmds;
    *n_cmdsp = n_cmds;
    return error;
}

/* Appends 'text' to 'out' as one line: its newlines but the last
 * escaped as "\\n", backslashes as "\\\\". */
static void
put_oneline(struct ds *out, const char *text)
{
    size_t len = strlen(text);
    if (len && text[len - 1] == '\n') {
        len--;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            ds_put_cstr(out, "\\n");
        } else if (text[i] == '\\') {
            ds_put_cstr(out, "\\\\");
        } else {
            ds_put_char(out, text[i]);
        }
    }
    ds_put_char(out, '\n');
}

/* Runs the commands once.  Returns 0 or a negative errno value as
 * dbctl_run(), or 1 if they must run again once the replica changes (a
 * wait-until condition does not hold, or the transaction must be
 * retried). */
static int
run_once(struct idl *idl, const struct dbctl_tool *tool,
         const struct dbctl_options *opts,
         int argc, char **argv, struct ds *out, struct ds *err)
{
    struct dbctl_context ctx = {
        .idl = idl,
        .txn = idl_txn_create(idl),
        .names = tool->names,
        .n_names = tool->n_names,
        .err = err,
    };
    db_symtab_init(&ctx.symtab);
    hmap_init(&ctx.pending);
    hmap_init(&ctx.deleted);
    hmap_init(&ctx.indexes);
    struct cmd_output *outputs = xcalloc(argc + 1, sizeof *outputs);
    size_t n_outputs = 0;
    struct parsed_command *cmds;
    size_t n_cmds;
    int error = parse_commands(&ctx, tool, argc, argv, &cmds, &n_cmds);
    if (!error && tool->before_commands) {
        error = tool->before_commands(&ctx, tool->aux);
    }

    for (size_t i = 0; i < n_cmds && !error; i++) {
        const struct parsed_command *pc = &cmds[i];
        ctx.opts = *opts;
        ctx.if_exists = ctx.all = false;
        ctx.id = NULL;
        ctx.cmd_options = pc->options;
        ctx.n_cmd_options = pc->n_options;
        if (pc->is_generic) {
            for (size_t k = 0; k < pc->n_options; k++) {
                generic_option(&ctx, pc->options[k]);
            }
        }
        ctx.output = &outputs[n_outputs++];
        ds_init(&ctx.output->text);
        error = pc->cmd->run(&ctx, pc->n_args, pc->args);
    }
    free(cmds);
    if (!error && tool->before_commit) {
        error = tool->before_commit(&ctx, tool->aux);
    }
    if (error > 0) {
        ds_clear(err);
    }

    if (!error) {
        enum idl_txn_status status = (opts->dry_run ? IDL_TXN_UNCHANGED
                                      : idl_txn_commit_block(ctx.txn));
        if (status == IDL_TXN_SUCCESS || status == IDL_TXN_UNCHANGED) {
            if (tool->committed) {
                tool->committed(ctx.txn, status, tool->aux);
            }
            for (size_t k = 0; k < n_outputs; k++) {
                struct ds *text = &outputs[k].text;
                if (outputs[k].insert) {
                    const struct uuid *uuid = idl_txn_get_insert_uuid(
                        ctx.txn, outputs[k].insert);
                    if (uuid) {
                        ds_put_format(text, UUID_FMT "\n", UUID_ARGS(uuid));
                    }
                }
                if (opts->oneline) {
                    put_oneline(out, ds_cstr(text));
                } else {
                    ds_put_cstr(out, ds_cstr(text));
                }
            }
        } else if (status == IDL_TXN_TRY_AGAIN) {
            error = 1;
        } else {
            error = -EIO;
            ds_put_format(err, "transaction error: %s",
                          status == IDL_TXN_ERROR
                          ? idl_txn_get_error(ctx.txn)
                          : idl_txn_status_to_string(status));
        }
    }
    for (size_t k = 0; k < n_outputs; k++) {
        ds_uninit(&outputs[k].text);
    }
    free(outputs);
    struct pending_value *pv;
    HMAP_FOR_EACH_POP (pv, node, &ctx.pending) {
        datum_destroy(&pv->datum, column_type(pv->column));
        free(pv);
    }
    hmap_uninit(&ctx.pending);
    free(ctx.inserted);
    struct deleted_row *dr;
    HMAP_FOR_EACH_POP (dr, node, &ctx.deleted) {
        free(dr);
    }
    hmap_uninit(&ctx.deleted);
    struct string_index *si;
    HMAP_FOR_EACH_POP (si, node, &ctx.indexes) {
        index_destroy(si);
    }
    hmap_uninit(&ctx.indexes);
    idl_txn_destroy(ctx.txn);
    db_symtab_uninit(&ctx.symtab);
    return error;
}

/* Whether the replica's sequence number moved from '*aux'. */
static bool
seqno_changed(struct idl *idl, void *aux)
{
    const uint64_t *seqno = aux;
    return idl_seqno(idl) != *seqno;
}

/* Runs the commands in 'argv' ('argc' words) against 'idl' in one
 * transaction, retrying while a wait-until condition fails or the
 * transaction must be retried, up to 'opts->timeout_ms'.  Appends their
 * output to 'out' on success.  Returns 0, or a negative errno value with
 * a message in 'err'.  'tool' and 'opts' are borrowed. */
int
dbctl_run(struct idl *idl, const struct dbctl_tool *tool,
          const struct dbctl_options *opts,
          int argc, char **argv, struct ds *out, struct ds *err)
{
    long long deadline = opts->timeout_ms < 0 ? -1
                         : time_msec() + opts->timeout_ms;
    for (;;) {
        uint64_t seqno = idl_seqno(idl);
        int error = run_once(idl, tool, opts, argc, argv, out, err);
        if (error <= 0) {
            return error;
        }
        long long wait = -1;
        if (deadline >= 0) {
            wait = deadline - time_msec();
            if (wait <= 0) {
                ds_put_cstr(err, "timeout expired");
                return -ETIMEDOUT;
            }
        }
        if (idl_run_until(idl, seqno_changed, &seqno, wait) == -ETIMEDOUT) {
            ds_put_cstr(err, "timeout expired");
            return -ETIMEDOUT;
        }
    }
}

/* ---------------------------------------------------------------------- */
/* The context API of tool commands (see dbctl.h). */

struct idl *
dbctl_idl(const struct dbctl_context *ctx)
{
    return ctx->idl;
}

struct ds *
dbctl_output(struct dbctl_context *ctx)
{
    return &ctx->output->text;
}

const struct dbctl_options *
dbctl_output_options(const struct dbctl_context *ctx)
{
    return &ctx->opts;
}

int
dbctl_fail(struct dbctl_context *ctx, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ds_clear(ctx->err);
    ds_put_format_valist(ctx->err, format, args);
    va_end(args);
    return -EINVAL;
}

const char *
dbctl_option(const struct dbctl_context *ctx, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < ctx->n_cmd_options; i++) {
        const char *opt = ctx->cmd_options[i];
        if (!strncmp(opt, name, len)
            && (opt[len] == '\0' || opt[len] == '=')) {
            return opt[len] ? opt + len + 1 : "";
        }
    }
    return NULL;
}

bool
dbctl_has_option(const struct dbctl_context *ctx, const char *name)
{
    return dbctl_option(ctx, name) != NULL;
}

struct idl_table *
dbctl_table(const struct dbctl_context *ctx, const char *name)
{
    struct idl_table *table = idl_get_table(ctx->idl, name);
    ASSERT(table);
    return table;
}

const struct idl_column *
dbctl_column(const struct idl_table *table, const char *name)
{
    const struct idl_column *column = idl_table_find_column(table, name);
    ASSERT(column);
    return column;
}

const struct datum *
dbctl_get(const struct dbctl_context *ctx, const struct idl_row *row,
          const struct idl_column *column)
{
    return row_get(ctx, row, column);
}

const char *
dbctl_get_string(const struct dbctl_context *ctx, const struct idl_row *row,
                 const struct idl_column *column)
{
    const struct datum *d = row_get(ctx, row, column);
    return d->n ? d->keys[0].string : NULL;
}

long long
dbctl_get_integer(const struct dbctl_context *ctx, const struct idl_row *row,
                  const struct idl_column *column, long long dflt)
{
    const struct datum *d = row_get(ctx, row, column);
    return d->n ? d->keys[0].integer : dflt;
}

bool
dbctl_get_boolean(const struct dbctl_context *ctx, const struct idl_row *row,
                  const struct idl_column *column, bool dflt)
{
    const struct datum *d = row_get(ctx, row, column);
    return d->n ? d->keys[0].boolean : dflt;
}

const char *
dbctl_get_map_string(const struct dbctl_context *ctx,
                     const struct idl_row *row,
                     const struct idl_column *column, const char *key)
{
    const struct datum *d = row_get(ctx, row, column);
    union atom k = { .string = (char *) key };
    size_t i = datum_find_key(d, &k, DB_TYPE_STRING);
    return i == SIZE_MAX ? NULL : d->values[i].string;
}

const struct idl_row **
dbctl_rows(const struct dbctl_context *ctx, struct idl_table *table,
           size_t *np)
{
    return table_rows(ctx, table, np);
}

const struct idl_row *
dbctl_row_by_uuid(const struct dbctl_context *ctx, struct idl_table *table,
                  const struct uuid *uuid)
{
    return row_by_uuid(ctx, table, uuid);
}

size_t
dbctl_rows_by_string(struct dbctl_context *ctx,
                     const struct idl_column *column, const char *value,
                     const struct idl_row **rows, size_t max)
{
    return rows_by_string(ctx, column, value, rows, max);
}

const struct idl_row *
dbctl_find_record(struct dbctl_context *ctx, struct idl_table *table,
                  const char *id, bool quiet)
{
    if (quiet) {
        return find_row(ctx, table, id, true);
    }
    ds_clear(ctx->err);
    return find_row(ctx, table, id, false);
}

bool
dbctl_row_is_live(const struct dbctl_context *ctx, const struct idl_row *row)
{
    return !row_is_deleted(ctx, row);
}

const struct idl_row *
dbctl_insert(struct dbctl_context *ctx, struct idl_table *table)
{
    ctx->changed = true;
    const struct idl_row *row = idl_txn_insert(ctx->txn, table);
    ctx->inserted = xrealloc(ctx->inserted, (ctx->n_inserted + 1)
                             * sizeof *ctx->inserted);
    ctx->inserted[ctx->n_inserted++] = row;
    return row;
}

void
dbctl_set(struct dbctl_context *ctx, const struct idl_row *row,
          const struct idl_column *column, struct datum *value)
{
    row_set(ctx, row, column, value);
    datum_destroy(value, column_type(column));
}

/* Writes the one-atom value 'atom' (or the empty value, if NULL). */
static void
set_atom(struct dbctl_context *ctx, const struct idl_row *row,
         const struct idl_column *column, const union atom *atom)
{
    const struct db_type *type = column_type(column);
    struct datum d;
    if (atom) {
        datum_init_alloc(&d, 1, false);
        atom_clone(&d.keys[0], atom, type->key.type);
    } else {
        datum_init_empty(&d);
    }
    dbctl_set(ctx, row, column, &d);
}

void
dbctl_set_string(struct dbctl_context *ctx, const struct idl_row *row,
                 const struct idl_column *column, const char *value)
{
    union atom atom = { .string = (char *) value };
    set_atom(ctx, row, column, value ? &atom : NULL);
}

void
dbctl_set_integer(struct dbctl_context *ctx, const struct idl_row *row,
                  const struct idl_column *column, long long value)
{
    union atom atom = { .integer = value };
    set_atom(ctx, row, column, &atom);
}

void
dbctl_set_boolean(struct dbctl_context *ctx, const struct idl_row *row,
                  const struct idl_column *column, bool value)
{
    union atom atom = { .boolean = value };
    set_atom(ctx, row, column, &atom);
}

void
dbctl_set_uuid(struct dbctl_context *ctx, const struct idl_row *row,
               const struct idl_column *column, const struct uuid *value)
{
    union atom atom;
    if (value) {
        atom.uuid = *value;
    }
    set_atom(ctx, row, column, value ? &atom : NULL);
}

/* Applies a partial update of one element to the transaction's view of
 * 'column' of 'row', leaving the transaction itself to the caller. */
static void
update_pending(struct dbctl_context *ctx, const struct idl_row *row,
               const struct idl_column *column, bool insert,
               const union atom *key, const union atom *value)
{
    ctx->changed = true;
    const struct db_type *type = column_type(column);
    struct pending_value *pv = pending_find(ctx, row, column);
    if (!pv) {
        pv = xmalloc(sizeof *pv);
        pv->row = row;
        pv->column = column;
        if (idl_row_find(idl_row_table(row), idl_row_uuid(row))) {
            datum_clone(&pv->datum, idl_row_get(row, column), type);
        } else {
            /* A row this batch inserted: as in idl_txn's partial updates,
             * an unwritten column's default is only a placeholder. */
            datum_init_empty(&pv->datum);
        }
        hmap_insert(&ctx->pending, &pv->node, pending_hash(row, column));
    }
    struct datum elem;
    datum_init_alloc(&elem, 1, value != NULL);
    atom_clone(&elem.keys[0], key, type->key.type);
    if (value) {
        atom_clone(&elem.values[0], value, type->value.type);
    }
    if (insert) {
        datum_union(&pv->datum, &elem, type);
    } else {
        datum_subtract(&pv->datum, &elem, type, false);
    }
    datum_destroy(&elem, type);

    struct string_index *si = index_find(ctx, column);
    if (si && insert) {
        index_add(si, row, &pv->datum);
    }
}

void
dbctl_set_add(struct dbctl_context *ctx, const struct idl_row *row,
              const struct idl_column *column, const union atom *elem)
{
    update_pending(ctx, row, column, true, elem, NULL);
    idl_txn_add_to_set(ctx->txn, row, column, elem);
}

void
dbctl_set_remove(struct dbctl_context *ctx, const struct idl_row *row,
                 const struct idl_column *column, const union atom *elem)
{
    update_pending(ctx, row, column, false, elem, NULL);
    idl_txn_remove_from_set(ctx->txn, row, column, elem);
}

void
dbctl_set_add_uuid(struct dbctl_context *ctx, const struct idl_row *row,
                   const struct idl_column *column, const struct idl_row *ref)
{
    union atom atom = { .uuid = *idl_row_uuid(ref) };
    dbctl_set_add(ctx, row, column, &atom);
}

void
dbctl_set_remove_uuid(struct dbctl_context *ctx, const struct idl_row *row,
                      const struct idl_column *column,
                      const struct idl_row *ref)
{
    union atom atom = { .uuid = *idl_row_uuid(ref) };
    dbctl_set_remove(ctx, row, column, &atom);
}

void
dbctl_map_set(struct dbctl_context *ctx, const struct idl_row *row,
              const struct idl_column *column, const union atom *key,
              const union atom *value)
{
    update_pending(ctx, row, column, false, key, NULL);
    update_pending(ctx, row, column, true, key, value);
    idl_txn_map_set_key(ctx->txn, row, column, key, value);
}

void
dbctl_map_remove(struct dbctl_context *ctx, const struct idl_row *row,
                 const struct idl_column *column, const union atom *key)
{
    update_pending(ctx, row, column, false, key, NULL);
    idl_txn_map_remove_key(ctx->txn, row, column, key);
}

void
dbctl_map_set_string(struct dbctl_context *ctx, const struct idl_row *row,
                     const struct idl_column *column, const char *key,
                     const char *value)
{
    union atom k = { .string = (char *) key };
    union atom v = { .string = (char *) value };
    dbctl_map_set(ctx, row, column, &k, &v);
}

void
dbctl_map_remove_string(struct dbctl_context *ctx, const struct idl_row *row,
                        const struct idl_column *column, const char *key)
{
    union atom k = { .string = (char *) key };
    dbctl_map_remove(ctx, row, column, &k);
}

void
dbctl_delete(struct dbctl_context *ctx, const struct idl_row *row)
{
    row_delete(ctx, row);
}

void
dbctl_verify(struct dbctl_context *ctx, const struct idl_row *row,
             const struct idl_column *column)
{
    if (!pending_find(ctx, row, column)) {
        idl_txn_verify(ctx->txn, row, column);
    }
}

void
dbctl_increment(struct dbctl_context *ctx, const struct idl_row *row,
                const struct idl_column *column)
{
    ctx->changed = true;
    idl_txn_increment(ctx->txn, row, column);
}

void
dbctl_print_insert_uuid(struct dbctl_context *ctx, const struct idl_row *row)
{
    ctx->output->insert = row;
}

bool
dbctl_has_changes(const struct dbctl_context *ctx)
{
    return ctx->changed;
}

int
dbctl_set_column(struct dbctl_context *ctx, const struct idl_row *row,
                 const char *arg)
{
    return set_column(ctx, idl_row_table(row), row, arg);
}
