/* Monitors: request parsing, initial contents, pending changes, and the
 * three update formats; and the transaction history. */
#include "ovsdb/monitor.h"

#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/util.h"
#include "ovsdb/atom.h"
#include "ovsdb/condition.h"
#include "ovsdb/datum.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/parser.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"
#include "ovsdb/txn.h"

/* What a monitor watches in one table. */
struct monitor_table {
    const struct table_schema *table;
    size_t *columns;            /* Indexes of the monitored columns. */
    size_t n_columns;           /* Number of monitored columns. */
    unsigned long *bitmap;      /* The same columns as a bitmap. */
    bool initial, insert, delete, modify;  /* "select" flags. */
    struct db_condition *cond;  /* "where"; NULL means every row. */
    struct json *where;         /* 'cond' as the client gave it, or NULL. */
    char *signature;            /* How this table is watched, as text. */
    uint32_t sig_hash;          /* hash_string(signature). */
};

/* A row with changes not yet reported: its state when last reported
 * ('old') and now ('new'). */
struct pending_row {
    struct hmap_node node;      /* In 'monitor->pending', by uuid_hash(). */
    const struct monitor_table *mt;
    struct row *old;            /* NULL if it did not exist; a reference. */
    struct row *new;            /* NULL if deleted since; a reference. */
};

struct monitor {
    enum monitor_version version;
    struct monitor_table *tables; /* 'n_tables' watched tables. */
    size_t n_tables;
    struct hmap pending;        /* Contains "struct pending_row"s. */
};

/* Recomputes each table's signature: text that is the same for two
 * monitor tables exactly when they report every change to the table the
 * same way (version, columns, "select" flags and condition), so that a
 * row's update is serialized once for all of them. */
static void
monitor_update_signature(struct monitor *m)
{
    for (size_t i = 0; i < m->n_tables; i++) {
        struct monitor_table *mt = &m->tables[i];
        struct ds t = DS_EMPTY_INITIALIZER;
        ds_put_format(&t, "v%d|%s:%d%d%d%d:", (int) m->version,
                      mt->table->name, mt->initial, mt->insert, mt->delete,
                      mt->modify);
        for (size_t j = 0; j < mt->n_columns; j++) {
            ds_put_format(&t, "%zu,", mt->columns[j]);
        }
        if (mt->where) {
            json_to_ds(mt->where, 0, &t);
        }
        free(mt->signature);
        mt->signature = ds_steal_cstr(&t);
        mt->sig_hash = hash_string(mt->signature, 0);
    }
}

static struct monitor_table *
monitor_find_table(const struct monitor *m, const struct table_schema *table)
{
    for (size_t i = 0; i < m->n_tables; i++) {
        if (m->tables[i].table == table) {
            return &m->tables[i];
        }
    }
    return NULL;
}

static struct db_error *
parse_select(const struct json *select, struct monitor_table *mt)
{
    static const char *const names[] = {
        "initial", "insert", "delete", "modify" };
    bool *flags[] = { &mt->initial, &mt->insert, &mt->delete, &mt->modify };
    const struct json *values[ARRAY_SIZE(names)];

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        struct db_error *e = db_parser_member(
            select, names[i], DB_PARSER_BOOLEAN | DB_PARSER_OPTIONAL,
            &values[i]);
        if (e) {
            return e;
        }
    }
    struct db_error *e = db_parser_check_members(select, names,
                                                 ARRAY_SIZE(names));
    if (e) {
        return e;
    }
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (values[i]) {
            *flags[i] = json_boolean(values[i]);
        }
    }
    return NULL;
}

/* Adds column 'index' of 'mt->table' to 'mt'.  A column may be named only
 * once among all the requests for a table ("syntax error", quoting
 * 'columns', the array that named it, if nonnull). */
static struct db_error *
add_column(struct monitor_table *mt, size_t index,
           const struct json *columns)
{
    if (row_bitmap_is_set(mt->bitmap, index)) {
        return db_error_syntax(columns, "syntax error",
                               "column %s mentioned more than once",
                               mt->table->columns[index]->name);
    }
    row_bitmap_set(mt->bitmap, index);
    mt->columns[mt->n_columns++] = index;
    return NULL;
}

/* Parses the "columns" of a <monitor-request>, 'columns' (NULL if absent:
 * every column but the two bookkeeping ones), into 'mt'. */
static struct db_error *
parse_columns(const struct json *columns, struct monitor_table *mt)
{
    const struct table_schema *table = mt->table;
    struct db_error *e = NULL;

    if (!columns) {
        for (size_t i = DB_COLUMN_VERSION + 1;
             i < table->n_columns && !e; i++) {
            e = add_column(mt, i, NULL);
        }
        return e;
    }
    for (size_t i = 0; i < json_array_size(columns) && !e; i++) {
        const struct json *name = json_array_at(columns, i);
        if (name->type != JSON_STRING) {
            return db_error_syntax(columns, "syntax error",
                                   "array of column names expected");
        }
        const struct column_schema *c = table_schema_find_column(
            table, json_string(name));
        if (!c) {
            return db_error_syntax(columns, "syntax error",
                                   "%s is not a valid column name in table "
                                   "%s", json_string(name), table->name);
        }
        e = add_column(mt, c->index, columns);
    }
    return e;
}

/* Parses one <monitor-request> for 'mt->table' into 'mt', adding to the
 * columns already there.  As ovsdb-server does, a member of the wrong JSON
 * type or not allowed ("where" is only for monitor_cond and later) quotes
 * the request as "syntax"; a request that is not an object quotes
 * nothing. */
static struct db_error *
parse_request(const struct json *request, enum monitor_version version,
              struct monitor_table *mt, bool first)
{
    static const char *const members[] = { "columns", "select", "where" };
    const struct table_schema *table = mt->table;
    const struct json *columns, *select, *where = NULL;
    struct db_error *e;

    if (request->type != JSON_OBJECT) {
        return db_error_create("syntax error", "monitor request for table "
                               "%s is not an object", table->name);
    }
    e = db_parser_member(request, "columns",
                         DB_PARSER_ARRAY | DB_PARSER_OPTIONAL, &columns);
    if (!e && version != MONITOR_V1) {
        e = db_parser_member(request, "where",
                             DB_PARSER_ARRAY | DB_PARSER_OPTIONAL, &where);
    }
    if (!e) {
        e = db_parser_member(request, "select",
                             DB_PARSER_OBJECT | DB_PARSER_OPTIONAL, &select);
    }
    if (!e) {
        e = db_parser_check_members(request, members,
                                    version == MONITOR_V1 ? 2 : 3);
    }
    if (!e) {
        e = parse_columns(columns, mt);
    }
    if (e) {
        return e;
    }

    if (first) {
        mt->initial = mt->insert = mt->delete = mt->modify = true;
    }
    if (select) {
        e = parse_select(select, mt);
        if (e) {
            return e;
        }
    }

    if (where) {
        struct db_condition *cond;
        e = db_condition_from_json(table, where, true, &cond);
        if (e) {
            return e;
        }
        db_condition_destroy(mt->cond);
        mt->cond = cond;
        json_unref(mt->where);
        mt->where = json_ref(where);
    }
    return NULL;
}

static void
monitor_table_uninit(struct monitor_table *mt)
{
    free(mt->columns);
    free(mt->bitmap);
    db_condition_destroy(mt->cond);
    json_unref(mt->where);
    free(mt->signature);
}

/* Creates a monitor for 'requests', the <monitor-requests> object of a
 * monitor, monitor_cond or monitor_cond_since request: {TABLE:
 * <monitor-request> or [<monitor-request>...]}. */
struct db_error *
monitor_create(const struct db *db, enum monitor_version version,
               const struct json *requests, struct monitor **mp)
{
    const struct db_schema *schema = db_get_schema(db);
    struct db_error *error = NULL;

    *mp = NULL;
    if (requests->type != JSON_OBJECT) {
        return db_error_syntax(requests, "syntax error",
                               "monitor requests are not an object");
    }

    struct monitor *m = xzalloc(sizeof *m);
    m->version = version;
    hmap_init(&m->pending);
    m->tables = xcalloc(json_object_size(requests) + 1, sizeof *m->tables);

    const struct json_member *member;
    JSON_OBJECT_FOR_EACH (member, requests) {
        const struct table_schema *table
            = db_schema_find_table(schema, member->name);
        if (!table) {
            error = db_error_create("syntax error", "no table named %s",
                                    member->name);
            goto error;
        }
        struct monitor_table *mt = &m->tables[m->n_tables++];
        mt->table = table;
        mt->columns = xmalloc(table->n_columns * sizeof *mt->columns);
        mt->bitmap = row_bitmap_create(table->n_columns);

        const struct json *value = member->value;
        if (value->type == JSON_ARRAY) {
            for (size_t i = 0; i < json_array_size(value) && !error; i++) {
                error = parse_request(json_array_at(value, i), version, mt,
                                      i == 0);
            }
            if (!json_array_size(value)) {
                struct json *empty = json_object_create();
                error = parse_request(empty, version, mt, true);
                json_unref(empty);
            }
        } else {
            error = parse_request(value, version, mt, true);
        }
        if (error) {
            goto error;
        }
    }
    monitor_update_signature(m);
    *mp = m;
    return NULL;

error:
    monitor_destroy(m);
    return error;
}

static void
pending_row_free(struct pending_row *p)
{
    row_unref(p->old);
    row_unref(p->new);
    free(p);
}

void
monitor_destroy(struct monitor *m)
{
    if (!m) {
        return;
    }
    struct pending_row *p;
    HMAP_FOR_EACH_POP (p, node, &m->pending) {
        pending_row_free(p);
    }
    hmap_uninit(&m->pending);
    for (size_t i = 0; i < m->n_tables; i++) {
        monitor_table_uninit(&m->tables[i]);
    }
    free(m->tables);
    free(m);
}

enum monitor_version
monitor_get_version(const struct monitor *m)
{
    return m->version;
}

static bool
row_matches(const struct monitor_table *mt, const struct row *row)
{
    return row && (!mt->cond || db_condition_evaluate_any(mt->cond, row));
}

/* Returns the monitored columns of 'row' as a JSON object.  Version 1
 * reports every column; later versions leave out default values, as
 * ovsdb-server does. */
static struct json *
row_json(const struct monitor *m, const struct monitor_table *mt,
         const struct row *row)
{
    struct json *json = json_object_create();
    for (size_t i = 0; i < mt->n_columns; i++) {
        size_t c = mt->columns[i];
        const struct db_type *type = row_column_type(row, c);
        if (m->version != MONITOR_V1
            && datum_is_default(&row->fields[c], type)) {
            continue;
        }
        json_object_put_new(json, row->table->columns[c]->name,
                            datum_to_json(&row->fields[c], type));
    }
    return json;
}

/* Wraps a list of atoms as RFC 7047 prints a set: one element bare, else
 * ["set", [...]]. */
static struct json *
set_json(struct json *elems)
{
    if (json_array_size(elems) == 1) {
        struct json *only = json_ref(json_array_at(elems, 0));
        json_unref(elems);
        return only;
    }
    return json_array_create_2(json_string_create("set"), elems);
}

/* The ovsdb(7) update2 "modify" notation of the change from 'old' to 'new':
 * a scalar's (or optional scalar's) new value, as ovsdb-server sends it;
 * for a set, the elements added or removed; for a map, the pairs removed
 * (with their old values) and the pairs added or changed (with their new
 * values). */
static struct json *
datum_diff_json(const struct datum *old, const struct datum *new,
                const struct db_type *type)
{
    if (db_type_is_scalar(type) || db_type_is_optional_scalar(type)) {
        return datum_to_json(new, type);
    }

    enum db_atomic_type kt = type->key.type;
    enum db_atomic_type vt = type->value.type;
    bool is_map = db_type_is_map(type);
    struct json *elems = json_array_create_empty();
    size_t i = 0, j = 0;

    while (i < old->n || j < new->n) {
        int cmp = (i >= old->n ? 1 : j >= new->n ? -1
                   : atom_compare(&old->keys[i], &new->keys[j], kt));
        const struct datum *src = NULL;
        size_t k = 0;
        if (cmp < 0) {
            src = old;
            k = i++;
        } else if (cmp > 0) {
            src = new;
            k = j++;
        } else {
            if (is_map && !atom_equals(&old->values[i], &new->values[j],
                                       vt)) {
                src = new;
                k = j;
            }
            i++;
            j++;
        }
        if (!src) {
            continue;
        }
        struct json *key = atom_to_json(&src->keys[k], kt);
        json_array_add(elems, is_map
                       ? json_array_create_2(key,
                                             atom_to_json(&src->values[k],
                                                          vt))
                       : key);
    }
    return (is_map
            ? json_array_create_2(json_string_create("map"), elems)
            : set_json(elems));
}

/* Adds to 'row_update' the v1 "old" or the v2 "modify" contents of a
 * modification, returning false if no monitored column changed. */
static bool
put_modification(const struct monitor *m, const struct monitor_table *mt,
                 const struct row *old, const struct row *new,
                 struct json *row_update)
{
    struct json *changed = NULL;
    for (size_t i = 0; i < mt->n_columns; i++) {
        size_t c = mt->columns[i];
        const struct db_type *type = row_column_type(new, c);
        /* A set column changed by mutations of a few elements carries its
         * difference from 'old' (the same elements datum_diff_json() would
         * find by merging). */
        const struct datum *diff = row_get_diff(new, old, c);
        if (diff ? !diff->n
            : datum_equals(&old->fields[c], &new->fields[c], type)) {
            continue;
        }
        if (!changed) {
            changed = json_object_create();
        }
        json_object_put_new(changed, new->table->columns[c]->name,
                            m->version == MONITOR_V1
                            ? datum_to_json(&old->fields[c], type)
                            : diff ? datum_to_json(diff, type)
                            : datum_diff_json(&old->fields[c],
                                              &new->fields[c], type));
    }
    if (!changed) {
        return false;
    }
    if (m->version == MONITOR_V1) {
        json_object_put_new(row_update, "old", changed);
        json_object_put_new(row_update, "new", row_json(m, mt, new));
    } else {
        json_object_put_new(row_update, "modify", changed);
    }
    return true;
}

/* Returns the <row-update> (v1) or <row-update2> (later) that takes a
 * client from 'old' to 'new', or NULL if the client sees no change. */
static struct json *
row_update_json(const struct monitor *m, const struct monitor_table *mt,
                const struct row *old, const struct row *new)
{
    bool was = row_matches(mt, old);
    bool is = row_matches(mt, new);
    struct json *update = NULL;

    if (!was && is) {
        if (mt->insert) {
            update = json_object_create();
            json_object_put_new(update, m->version == MONITOR_V1
                                ? "new" : "insert", row_json(m, mt, new));
        }
    } else if (was && !is) {
        if (mt->delete) {
            update = json_object_create();
            if (m->version == MONITOR_V1) {
                json_object_put_new(update, "old", row_json(m, mt, old));
            } else {
                json_object_put_new(update, "delete", json_null_create());
            }
        }
    } else if (was && is && mt->modify) {
        update = json_object_create();
        if (!put_modification(m, mt, old, new, update)) {
            json_unref(update);
            update = NULL;
        }
    }
    return update;
}

static void
put_row_update(struct json *table_updates, const struct table_schema *table,
               const struct uuid *uuid, struct json *row_update)
{
    struct json *t = json_object_find(table_updates, table->name);
    if (!t) {
        t = json_object_create();
        json_object_put_new(table_updates, table->name, t);
    }
    char s[UUID_LEN + 1];
    uuid_to_buffer(uuid, s);
    json_object_put_new(t, s, row_update);
}

/* Returns the initial contents the monitor's "initial" flags ask for, as
 * <table-updates> (v1) or <table-updates2>. */
struct json *
monitor_initial(const struct monitor *m, const struct db *db)
{
    struct json *updates = json_object_create();
    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitor_table *mt = &m->tables[i];
        if (!mt->initial) {
            continue;
        }
        const struct row *row;
        HMAP_FOR_EACH (row, node, db_table_rows(db, mt->table)) {
            if (!row_matches(mt, row)) {
                continue;
            }
            struct json *update = json_object_create();
            json_object_put_new(update, m->version == MONITOR_V1
                                ? "new" : "initial", row_json(m, mt, row));
            put_row_update(updates, mt->table, &row->uuid, update);
        }
    }
    return updates;
}

/* Merges one committed transaction's 'changes' into the pending set. */
void
monitor_add_changes(struct monitor *m, const struct db_changes *changes)
{
    for (size_t i = 0; i < changes->n_changes; i++) {
        const struct db_row_change *c = &changes->changes[i];
        const struct monitor_table *mt = monitor_find_table(m, c->table);
        if (!mt) {
            continue;
        }
        const struct row *any = c->new ? c->new : c->old;
        uint32_t hash = uuid_hash(&any->uuid);
        struct pending_row *p;
        HMAP_FOR_EACH_WITH_HASH (p, node, hash, &m->pending) {
            const struct row *prow = p->new ? p->new : p->old;
            if (p->mt == mt && uuid_equals(&prow->uuid, &any->uuid)) {
                break;
            }
        }
        if (!p) {
            p = xmalloc(sizeof *p);
            p->mt = mt;
            p->old = c->old ? row_ref(c->old) : NULL;
            p->new = NULL;
            hmap_insert(&m->pending, &p->node, hash);
        }
        row_unref(p->new);
        p->new = c->new ? row_ref(c->new) : NULL;
        if (!p->old && !p->new) {
            /* Inserted and deleted again before anyone was told. */
            hmap_remove(&m->pending, &p->node);
            pending_row_free(p);
        }
    }
}

/* Text updates. */

/* One row's <row-update> as a monitor table signature reports it. */
struct row_text {
    struct hmap_node node;      /* In the cache. */
    const char *signature;      /* Borrowed from a monitor_table. */
    const struct row *old;      /* The change it reports... */
    const struct row *new;      /* ...(pointers: the rows stay alive). */
    size_t offset;              /* "UUID":{...} at 'offset' in the cache's
                                   'text'... */
    size_t length;              /* ...'length' bytes; 0 if invisible. */
};

struct monitor_text_cache {
    struct hmap rows;           /* Contains "struct row_text"s. */
    struct ds text;             /* Every row's text, one after another. */
};

struct monitor_text_cache *
monitor_text_cache_create(void)
{
    struct monitor_text_cache *cache = xmalloc(sizeof *cache);
    hmap_init(&cache->rows);
    ds_init(&cache->text);
    return cache;
}

void
monitor_text_cache_destroy(struct monitor_text_cache *cache)
{
    if (cache) {
        struct row_text *rt;
        HMAP_FOR_EACH_POP (rt, node, &cache->rows) {
            free(rt);
        }
        hmap_uninit(&cache->rows);
        ds_uninit(&cache->text);
        free(cache);
    }
}

/* Appends the monitored columns of 'row' to 'out' as the text of
 * row_json(). */
static void
row_json_ds(const struct monitor *m, const struct monitor_table *mt,
            const struct row *row, struct ds *out)
{
    bool any = false;
    ds_put_char(out, '{');
    for (size_t i = 0; i < mt->n_columns; i++) {
        size_t c = mt->columns[i];
        const struct db_type *type = row_column_type(row, c);
        if (m->version != MONITOR_V1
            && datum_is_default(&row->fields[c], type)) {
            continue;
        }
        if (any) {
            ds_put_char(out, ',');
        }
        const char *name = row->table->columns[c]->name;
        json_string_to_ds(name, strlen(name), out);
        ds_put_char(out, ':');
        datum_to_json_ds(&row->fields[c], type, out);
        any = true;
    }
    ds_put_char(out, '}');
}

/* Appends to 'out' '"UUID":' and the text of row_update_json(), printed
 * straight from the rows for insertions and deletions.  Returns false,
 * appending nothing, if the client sees no change. */
static bool
row_update_ds(const struct monitor *m, const struct monitor_table *mt,
              const struct row *old, const struct row *new, struct ds *out)
{
    bool was = row_matches(mt, old);
    bool is = row_matches(mt, new);
    bool v1 = m->version == MONITOR_V1;
    size_t start = out->length;
    char uuid[UUID_LEN + 1];

    uuid_to_buffer(new ? &new->uuid : &old->uuid, uuid);
    json_string_to_ds(uuid, UUID_LEN, out);
    ds_put_char(out, ':');
    if (!was && is && mt->insert) {
        ds_put_cstr(out, v1 ? "{\"new\":" : "{\"insert\":");
        row_json_ds(m, mt, new, out);
        ds_put_char(out, '}');
        return true;
    } else if (was && !is && mt->delete) {
        if (v1) {
            ds_put_cstr(out, "{\"old\":");
            row_json_ds(m, mt, old, out);
            ds_put_char(out, '}');
        } else {
            ds_put_cstr(out, "{\"delete\":null}");
        }
        return true;
    } else if (was && is && mt->modify) {
        struct json *update = row_update_json(m, mt, old, new);
        if (update) {
            json_to_ds(update, 0, out);
            json_unref(update);
            return true;
        }
    }
    ds_truncate(out, start);
    return false;
}

/* Appends to 'out' the text of the change from 'old' to 'new' in 'mt' as
 * row_update_ds() does, taking it from 'cache' (computing it there on
 * first use) if 'cache' is nonnull. */
static bool
row_text_put(const struct monitor *m, const struct monitor_table *mt,
             const struct row *old, const struct row *new,
             struct monitor_text_cache *cache, struct ds *out)
{
    if (!cache) {
        return row_update_ds(m, mt, old, new, out);
    }

    uint32_t hash = hash_pointer(new, hash_pointer(old, mt->sig_hash));
    struct row_text *rt;
    HMAP_FOR_EACH_WITH_HASH (rt, node, hash, &cache->rows) {
        if (rt->old == old && rt->new == new
            && !strcmp(rt->signature, mt->signature)) {
            goto found;
        }
    }

    rt = xmalloc(sizeof *rt);
    rt->signature = mt->signature;
    rt->old = old;
    rt->new = new;
    rt->offset = cache->text.length;
    rt->length = (row_update_ds(m, mt, old, new, &cache->text)
                  ? cache->text.length - rt->offset : 0);
    hmap_insert(&cache->rows, &rt->node, hash);

found:
    if (!rt->length) {
        return false;
    }
    ds_put_buffer(out, cache->text.string + rt->offset, rt->length);
    return true;
}

/* Appends <table-updates> text for the changes 'olds[i]' -> 'news[i]' of
 * table 'tables[i]', 0 <= i < n, to 'out', through 'cache' if nonnull.
 * Returns false, appending nothing, if the client sees none of them. */
static bool
put_updates_text(const struct monitor *m,
                 const struct monitor_table *const *tables,
                 const struct row *const *olds, const struct row *const *news,
                 size_t n, struct monitor_text_cache *cache, struct ds *out)
{
    size_t start = out->length;
    bool any = false;

    /* Group the changes by monitored table (a stable counting sort), except
     * that a change or two, the usual case, need no sorting. */
    size_t small_order[2];
    size_t *order = n <= ARRAY_SIZE(small_order) ? small_order : NULL;
    if (order) {
        if (n == 2 && tables[1] < tables[0]) {
            order[0] = 1;
            order[1] = 0;
        } else {
            order[0] = 0;
            order[1] = 1;
        }
    } else {
        size_t *starts = xcalloc(m->n_tables + 1, sizeof *starts);
        for (size_t i = 0; i < n; i++) {
            starts[tables[i] - m->tables + 1]++;
        }
        for (size_t t = 0; t < m->n_tables; t++) {
            starts[t + 1] += starts[t];
        }
        order = xmalloc(n * sizeof *order);
        for (size_t i = 0; i < n; i++) {
            order[starts[tables[i] - m->tables]++] = i;
        }
        free(starts);
    }

    ds_put_char(out, '{');
    size_t k = 0;
    for (size_t t = 0; t < m->n_tables; t++) {
        const struct monitor_table *mt = &m->tables[t];
        size_t table_start = out->length;
        bool table_open = false;

        if (k < n && tables[order[k]] == mt) {
            if (any) {
                ds_put_char(out, ',');
            }
            json_string_to_ds(mt->table->name, strlen(mt->table->name), out);
            ds_put_cstr(out, ":{");
        }
        for (; k < n && tables[order[k]] == mt; k++) {
            size_t i = order[k];
            size_t row_start = out->length;
            if (table_open) {
                ds_put_char(out, ',');
            }
            if (row_text_put(m, mt, olds[i], news[i], cache, out)) {
                table_open = true;
            } else {
                ds_truncate(out, row_start);
            }
        }
        if (table_open) {
            ds_put_char(out, '}');
            any = true;
        } else {
            ds_truncate(out, table_start);
        }
    }
    ds_put_char(out, '}');
    if (order != small_order) {
        free(order);
    }
    if (!any) {
        ds_truncate(out, start);
    }
    return any;
}

/* Appends the pending changes to 'out' as <table-updates> (v1) or
 * <table-updates2> text and empties the pending set, like
 * monitor_take_update(), but sharing the work through 'cache' (if
 * nonnull) with every monitor that watches a table the same way.  Returns
 * false, appending nothing, if the client sees no change. */
bool
monitor_take_update_text(struct monitor *m, struct monitor_text_cache *cache,
                         struct ds *out)
{
    size_t n = hmap_count(&m->pending), i = 0;
    const struct monitor_table **tables = xmalloc(n * sizeof *tables);
    const struct row **olds = xmalloc(n * sizeof *olds);
    const struct row **news = xmalloc(n * sizeof *news);
    struct pending_row *p;
    HMAP_FOR_EACH (p, node, &m->pending) {
        tables[i] = p->mt;
        olds[i] = p->old;
        news[i] = p->new;
        i++;
    }
    bool any = put_updates_text(m, tables, olds, news, n, cache, out);
    free(tables);
    free(olds);
    free(news);
    /* Dropping our references may free a row whose address the cache
     * keeps as a key.  That key can never match again in this round: any
     * row looked up later is held by some monitor, so it is alive, and no
     * new row is made while the server sends updates. */
    monitor_clear_pending(m);
    return any;
}

/* Appends to 'out' the <table-updates> (v1) or <table-updates2> text of
 * the one transaction 'changes', for a client of 'm' that has seen
 * everything before it, sharing the work through 'cache' (if nonnull);
 * leaves 'm' alone.  Returns false, appending nothing, if the client sees no
 * change. */
bool
monitor_changes_update_text(const struct monitor *m,
                            const struct db_changes *changes,
                            struct monitor_text_cache *cache, struct ds *out)
{
    size_t n = changes->n_changes;
    const struct monitor_table **tables = xmalloc(n * sizeof *tables);
    const struct row **olds = xmalloc(n * sizeof *olds);
    const struct row **news = xmalloc(n * sizeof *news);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct db_row_change *c = &changes->changes[i];
        const struct monitor_table *mt = monitor_find_table(m, c->table);
        if (mt) {
            tables[k] = mt;
            olds[k] = c->old;
            news[k] = c->new;
            k++;
        }
    }
    bool any = put_updates_text(m, tables, olds, news, k, cache, out);
    free(tables);
    free(olds);
    free(news);
    return any;
}

bool
monitor_has_pending(const struct monitor *m)
{
    return !hmap_is_empty(&m->pending);
}

/* Returns the pending changes as <table-updates> (v1) or <table-updates2>,
 * or NULL if none is visible to the client, and empties the pending set. */
struct json *
monitor_take_update(struct monitor *m)
{
    struct json *updates = NULL;
    struct pending_row *p;
    HMAP_FOR_EACH_POP (p, node, &m->pending) {
        struct json *update = row_update_json(m, p->mt, p->old, p->new);
        if (update) {
            if (!updates) {
                updates = json_object_create();
            }
            const struct row *row = p->new ? p->new : p->old;
            put_row_update(updates, p->mt->table, &row->uuid, update);
        }
        pending_row_free(p);
    }
    return updates;
}

/* Forgets the pending changes, for a caller that has sent 'm' an update
 * computed for an identical monitor instead. */
void
monitor_clear_pending(struct monitor *m)
{
    struct pending_row *p;
    HMAP_FOR_EACH_POP (p, node, &m->pending) {
        pending_row_free(p);
    }
}

/* Applies monitor_cond_change's 'requests' ({TABLE: [{"where": ...}]}):
 * replaces the conditions of the tables named and stores in '*updatep' the
 * <table-updates2> that inserts the rows now matching and deletes the rows
 * no longer matching (NULL if none).  The caller must have taken the
 * pending changes first.  On error, nothing changes. */
struct db_error *
monitor_change_conditions(struct monitor *m, const struct db *db,
                          const struct json *requests,
                          struct json **updatep)
{
    *updatep = NULL;
    if (requests->type != JSON_OBJECT) {
        return db_error_create("syntax error",
                               "monitor_cond_change requests are not an "
                               "object");
    }

    /* Parse every new condition before changing anything. */
    size_t n = json_object_size(requests);
    struct monitor_table **mts = xcalloc(n + 1, sizeof *mts);
    struct db_condition **conds = xcalloc(n + 1, sizeof *conds);
    const struct json **wheres = xcalloc(n + 1, sizeof *wheres);
    struct db_error *error = NULL;
    size_t i = 0;
    const struct json_member *member;
    JSON_OBJECT_FOR_EACH (member, requests) {
        const struct table_schema *table
            = db_schema_find_table(db_get_schema(db), member->name);
        struct monitor_table *mt = table ? monitor_find_table(m, table)
                                         : NULL;
        if (!mt) {
            error = db_error_create("syntax error", "%s is not a monitored "
                                    "table", member->name);
            break;
        }
        const struct json *req = member->value;
        if (req->type == JSON_ARRAY && json_array_size(req)) {
            req = json_array_at(req, 0);
        }
        const struct json *where = (req->type == JSON_OBJECT
                                    ? json_object_find(req, "where") : NULL);
        mts[i] = mt;
        wheres[i] = where;
        if (where) {
            error = db_condition_from_json(table, where, true, &conds[i]);
            if (error) {
                break;
            }
        }
        i++;
    }

    if (!error) {
        struct json *updates = json_object_create();
        for (size_t k = 0; k < i; k++) {
            struct monitor_table *mt = mts[k];
            struct db_condition *old_cond = mt->cond;
            const struct row *row;
            HMAP_FOR_EACH (row, node, db_table_rows(db, mt->table)) {
                bool was = (!old_cond
                            || db_condition_evaluate_any(old_cond, row));
                bool is = (!conds[k]
                           || db_condition_evaluate_any(conds[k], row));
                struct json *update = NULL;
                if (!was && is) {
                    update = json_object_create();
                    mt->cond = conds[k];
                    json_object_put_new(update, "insert",
                                        row_json(m, mt, row));
                    mt->cond = old_cond;
                } else if (was && !is) {
                    update = json_object_create();
                    json_object_put_new(update, "delete",
                                        json_null_create());
                }
                if (update) {
                    put_row_update(updates, mt->table, &row->uuid, update);
                }
            }
            db_condition_destroy(old_cond);
            mt->cond = conds[k];
            conds[k] = NULL;
            json_unref(mt->where);
            mt->where = wheres[k] ? json_ref(wheres[k]) : NULL;
        }
        monitor_update_signature(m);
        if (json_object_size(updates)) {
            *updatep = updates;
        } else {
            json_unref(updates);
        }
    }
    for (size_t k = 0; k < n; k++) {
        db_condition_destroy(conds[k]);
    }
    free(conds);
    free(wheres);
    free(mts);
    return error;
}

/* History. */

struct history_entry {
    struct list node;           /* In 'history->entries'. */
    struct uuid txn_id;         /* Transaction id sent in update3. */
    struct db_changes *changes; /* What it did; a reference. */
    size_t n_bytes;             /* Estimated memory 'changes' keeps. */
};

void
history_init(struct history *h, size_t max_entries, size_t max_bytes)
{
    list_init(&h->entries);
    h->n_entries = 0;
    h->max_entries = max_entries;
    h->n_bytes = 0;
    h->max_bytes = max_bytes;
}

/* Roughly how much memory the 'n' strings of 'atoms' hold: measured for a
 * few, extrapolated for many, so that a commit to a large set of strings
 * does not cost a pass over all of them. */
static size_t
strings_size_estimate(const union atom *atoms, size_t n)
{
    enum { SAMPLE = 32 };
    size_t size = 0;
    size_t step = n > SAMPLE ? n / SAMPLE : 1;
    size_t measured = 0;
    for (size_t j = 0; j < n; j += step) {
        size += strlen(atoms[j].string) + 1;
        measured++;
    }
    return measured ? size * n / measured : 0;
}

/* Roughly how much memory 'row' holds, counting its atoms and strings. */
static size_t
row_size_estimate(const struct row *row)
{
    const struct table_schema *table = row->table;
    size_t size = sizeof *row + table->n_columns * sizeof row->fields[0];
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct datum *d = &row->fields[i];
        const struct db_type *type = &table->columns[i]->type;
        size_t n_atoms = d->n * (d->values ? 2 : 1);
        size += n_atoms * sizeof(union atom);
        if (type->key.type == DB_TYPE_STRING) {
            size += strings_size_estimate(d->keys, d->n);
        }
        if (d->values && type->value.type == DB_TYPE_STRING) {
            size += strings_size_estimate(d->values, d->n);
        }
    }
    return size;
}

/* The memory a history entry keeps alive: the new versions it made (the old
 * versions are the previous entries' new ones, or were current when it was
 * recorded). */
static size_t
changes_size_estimate(const struct db_changes *changes)
{
    size_t size = sizeof *changes;
    for (size_t i = 0; i < changes->n_changes; i++) {
        const struct db_row_change *c = &changes->changes[i];
        size += sizeof *c;
        if (c->new) {
            size += row_size_estimate(c->new);
        }
    }
    return size;
}

static void
history_pop_oldest(struct history *h)
{
    struct history_entry *old = CONTAINER_OF(list_pop_front(&h->entries),
                                             struct history_entry, node);
    h->n_bytes -= old->n_bytes;
    h->n_entries--;
    db_changes_unref(old->changes);
    free(old);
}

void
history_uninit(struct history *h)
{
    while (!list_is_empty(&h->entries)) {
        history_pop_oldest(h);
    }
}

/* Records that transaction 'txn_id' made 'changes' (a new reference is
 * taken), dropping the oldest entries while the history holds more than
 * its limits.  The newest entry always stays, so that a client that saw it
 * can resume. */
void
history_add(struct history *h, const struct uuid *txn_id,
            struct db_changes *changes)
{
    if (!h->max_entries) {
        return;
    }
    struct history_entry *e = xmalloc(sizeof *e);
    e->txn_id = *txn_id;
    e->changes = db_changes_ref(changes);
    e->n_bytes = changes_size_estimate(changes);
    list_push_back(&h->entries, &e->node);
    h->n_entries++;
    h->n_bytes += e->n_bytes;
    while (h->n_entries > 1
           && (h->n_entries > h->max_entries || h->n_bytes > h->max_bytes)) {
        history_pop_oldest(h);
    }
}

/* Returns the id of the newest transaction, or NULL if none is kept. */
const struct uuid *
history_last_id(const struct history *h)
{
    if (list_is_empty(&h->entries)) {
        return NULL;
    }
    const struct history_entry *e = CONTAINER_OF(list_back(&h->entries),
                                                 struct history_entry, node);
    return &e->txn_id;
}

/* If 'txn_id' is in the history, feeds every later transaction into 'm' as
 * pending changes and returns true; otherwise returns false. */
bool
history_replay_since(const struct history *h, const struct uuid *txn_id,
                     struct monitor *m)
{
    const struct history_entry *e;
    bool found = false;
    LIST_FOR_EACH (e, node, &h->entries) {
        if (found) {
            monitor_add_changes(m, e->changes);
        } else if (uuid_equals(&e->txn_id, txn_id)) {
            found = true;
        }
    }
    return found;
}
