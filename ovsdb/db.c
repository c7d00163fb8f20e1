/* The in-memory database: committed rows, indexes and reference
 * bookkeeping (see db.h).  Transactions (txn.c) decide what changes; the
 * db__ functions here apply their decisions to the committed state. */
#include "ovsdb/db.h"

#include <stdlib.h>

#include "lib/hash.h"
#include "lib/hmap.h"
#include "ovsdb/db-private.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"

/* Returns a new, empty database with 'schema', which it takes ownership
 * of. */
struct db *
db_create(struct db_schema *schema)
{
    struct db *db = xzalloc(sizeof *db);
    db->schema = schema;
    db->tables = xcalloc(schema->n_tables ? schema->n_tables : 1,
                         sizeof *db->tables);
    for (size_t i = 0; i < schema->n_tables; i++) {
        struct db_table *table = &db->tables[i];
        table->schema = schema->table_array[i];
        hmap_init(&table->rows);
        size_t n = table->schema->n_indexes;
        table->indexes = xcalloc(n ? n : 1, sizeof *table->indexes);
        for (size_t j = 0; j < n; j++) {
            hmap_init(&table->indexes[j]);
        }
    }
    hmap_init(&db->weak_refs);
    return db;
}

/* Frees 'db', its schema and its rows (rows still referenced elsewhere live
 * on until released).  Does nothing if 'db' is NULL.  No transaction may be
 * pending. */
void
db_destroy(struct db *db)
{
    if (!db) {
        return;
    }
    ASSERT(!db->pending);
    for (size_t i = 0; i < db->schema->n_tables; i++) {
        struct db_table *table = &db->tables[i];
        for (size_t j = 0; j < table->schema->n_indexes; j++) {
            hmap_uninit(&table->indexes[j]);
        }
        free(table->indexes);
        struct row *row;
        /* Not HMAP_FOR_EACH_POP, which rescans from the first bucket for
         * every element. */
        HMAP_FOR_EACH_SAFE (row, node, &table->rows) {
            row_unref(row);
        }
        hmap_uninit(&table->rows);
    }
    free(db->tables);
    struct db_weak_ref *ref;
    HMAP_FOR_EACH_SAFE (ref, node, &db->weak_refs) {
        free(ref);
    }
    hmap_uninit(&db->weak_refs);
    db_schema_destroy(db->schema);
    free(db);
}

/* Returns the schema of 'db' (owned by 'db'). */
const struct db_schema *
db_get_schema(const struct db *db)
{
    return db->schema;
}

/* Returns the committed contents of 'table', which must be a table of
 * 'db''s schema. */
struct db_table *
db__table(const struct db *db, const struct table_schema *table)
{
    ASSERT(table->index < db->schema->n_tables
           && db->tables[table->index].schema == table);
    return &db->tables[table->index];
}

/* Returns the committed rows of 'table' in 'db', "struct row"s linked
 * through their member 'node'.  Valid until the next commit. */
const struct hmap *
db_table_rows(const struct db *db, const struct table_schema *table)
{
    return &db__table(db, table)->rows;
}

/* Returns the committed row of 'table' whose UUID is 'uuid', or NULL. */
const struct row *
db_find_row(const struct db *db, const struct table_schema *table,
            const struct uuid *uuid)
{
    const struct db_table *t = db__table(db, table);
    struct row *row;
    HMAP_FOR_EACH_WITH_HASH (row, node, uuid_hash(uuid), &t->rows) {
        if (uuid_equals(&row->uuid, uuid)) {
            return row;
        }
    }
    return NULL;
}

/* Returns the number of committed rows in all tables of 'db'. */
size_t
db_count_rows(const struct db *db)
{
    size_t n = 0;
    for (size_t i = 0; i < db->schema->n_tables; i++) {
        n += hmap_count(&db->tables[i].rows);
    }
    return n;
}

/* Returns the hash of 'row''s values for its table's index number 'index',
 * under which the row is kept in that index's map. */
uint32_t
db__index_hash(const struct row *row, size_t index)
{
    const struct table_schema_index *idx = &row->table->indexes[index];
    return row_hash_columns(row, idx->columns, idx->n_columns, index);
}

/* Weak reference bookkeeping. */

static struct db_weak_ref *
db_weak_ref_find(const struct db *db, const struct row *src,
                 const struct table_schema *dst_table,
                 const struct uuid *dst)
{
    struct db_weak_ref *ref;
    HMAP_FOR_EACH_WITH_HASH (ref, node, uuid_hash(dst), &db->weak_refs) {
        if (uuid_equals(&ref->dst, dst) && ref->dst_table == dst_table
            && uuid_equals(&ref->src, &src->uuid)
            && ref->src_table == src->table) {
            return ref;
        }
    }
    return NULL;
}

static void
db_weak_ref_adjust(struct db *db, const struct row *src,
                   const struct db_base_type *base, const union atom *atoms,
                   size_t n, int delta)
{
    const struct table_schema *dst_table = base->uuid.ref_table;
    for (size_t i = 0; i < n; i++) {
        const struct uuid *dst = &atoms[i].uuid;
        struct db_weak_ref *ref = db_weak_ref_find(db, src, dst_table, dst);
        if (delta > 0) {
            if (!ref) {
                ref = xzalloc(sizeof *ref);
                ref->src_table = src->table;
                ref->src = src->uuid;
                ref->dst_table = dst_table;
                ref->dst = *dst;
                hmap_insert(&db->weak_refs, &ref->node, uuid_hash(dst));
            }
            ref->n++;
        } else if (ref && !--ref->n) {
            hmap_remove(&db->weak_refs, &ref->node);
            free(ref);
        }
    }
}

/* Adds (delta 1) or removes (delta -1) the weak references that 'row'
 * holds. */
static void
db_weak_refs_update(struct db *db, const struct row *row, int delta)
{
    const struct table_schema *table = row->table;
    if (!table->has_weak_refs) {
        return;
    }
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct column_schema *column = table->columns[i];
        const struct datum *field = &row->fields[i];
        if (db_base_type_is_weak_ref(&column->type.key)) {
            db_weak_ref_adjust(db, row, &column->type.key, field->keys,
                               field->n, delta);
        }
        if (db_base_type_is_weak_ref(&column->type.value)) {
            db_weak_ref_adjust(db, row, &column->type.value, field->values,
                               field->n, delta);
        }
    }
}

static void
db_indexes_insert(struct db_table *t, struct row *row)
{
    for (size_t i = 0; i < t->schema->n_indexes; i++) {
        hmap_insert(&t->indexes[i], &row->index_nodes[i].node,
                    db__index_hash(row, i));
    }
}

static void
db_indexes_remove(struct db_table *t, struct row *row)
{
    for (size_t i = 0; i < t->schema->n_indexes; i++) {
        hmap_remove(&t->indexes[i], &row->index_nodes[i].node);
    }
}

/* Adds 'row' to its table in 'db', taking ownership of one reference. */
void
db__insert_row(struct db *db, struct row *row)
{
    struct db_table *t = db__table(db, row->table);
    hmap_insert(&t->rows, &row->node, uuid_hash(&row->uuid));
    db_indexes_insert(t, row);
    db_weak_refs_update(db, row, 1);
}

/* Removes 'row' from its table in 'db' and releases the table's
 * reference. */
void
db__remove_row(struct db *db, struct row *row)
{
    struct db_table *t = db__table(db, row->table);
    hmap_remove(&t->rows, &row->node);
    db_indexes_remove(t, row);
    db_weak_refs_update(db, row, -1);
    row_unref(row);
}

/* Moves the weak references of the columns in which 'old' and 'new', two
 * versions of one row, differ (per bitmap 'changed', or all columns if it
 * is NULL) from 'old''s to 'new''s.  A set column whose change was tracked
 * (row_get_diff()) costs only its added and removed elements. */
static void
db_weak_refs_replace(struct db *db, const struct row *old,
                     const struct row *new, const unsigned long *changed)
{
    const struct table_schema *table = new->table;
    if (!table->has_weak_refs) {
        return;
    }
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct column_schema *column = table->columns[i];
        bool key = db_base_type_is_weak_ref(&column->type.key);
        bool value = db_base_type_is_weak_ref(&column->type.value);
        if ((!key && !value) || (changed && !row_bitmap_is_set(changed, i))) {
            continue;
        }
        const struct datum *diff = row_get_diff(new, old, i);
        if (diff && key) {
            for (size_t d = 0; d < diff->n; d++) {
                bool added = datum_find_key(&new->fields[i], &diff->keys[d],
                                            column->type.key.type)
                             != SIZE_MAX;
                db_weak_ref_adjust(db, new, &column->type.key,
                                   &diff->keys[d], 1, added ? 1 : -1);
            }
            continue;
        }
        const struct datum *a = &old->fields[i];
        const struct datum *b = &new->fields[i];
        if (key) {
            db_weak_ref_adjust(db, old, &column->type.key, a->keys, a->n,
                               -1);
            db_weak_ref_adjust(db, new, &column->type.key, b->keys, b->n, 1);
        }
        if (value) {
            db_weak_ref_adjust(db, old, &column->type.value, a->values,
                               a->n, -1);
            db_weak_ref_adjust(db, new, &column->type.value, b->values,
                               b->n, 1);
        }
    }
}

/* Replaces committed 'old' by 'new', a version of the same row, taking
 * ownership of one reference to 'new' and releasing the table's reference
 * to 'old'.  'new' inherits the strong reference count of 'old'.
 * 'changed' is the bitmap of columns that differ (NULL: any may). */
void
db__replace_row(struct db *db, struct row *old, struct row *new,
                const unsigned long *changed)
{
    struct db_table *t = db__table(db, old->table);
    hmap_replace(&t->rows, &old->node, &new->node);
    new->n_refs = old->n_refs;
    db_indexes_remove(t, old);
    db_indexes_insert(t, new);
    db_weak_refs_replace(db, old, new, changed);
    row_commit_replace(old, new);
    row_unref(old);
}

/* A strong reference count computed from scratch by db_assert_valid(). */
struct db_check_count {
    struct hmap_node node;      /* In a scratch map, by uuid_hash(). */
    const struct table_schema *table; /* Referenced row's table. */
    struct uuid uuid;           /* Referenced row. */
    size_t n;                   /* Number of references. */
};

static struct db_check_count *
db_check_count_find(const struct hmap *counts,
                    const struct table_schema *table, const struct uuid *u)
{
    struct db_check_count *p;
    HMAP_FOR_EACH_WITH_HASH (p, node, uuid_hash(u), counts) {
        if (uuid_equals(&p->uuid, u) && p->table == table) {
            return p;
        }
    }
    return NULL;
}

static void
db_check_count_row(struct hmap *counts, const struct row *row)
{
    const struct table_schema *table = row->table;
    for (size_t c = 0; c < table->n_columns; c++) {
        const struct db_type *type = &table->columns[c]->type;
        const struct datum *field = &row->fields[c];
        for (int kv = 0; kv < 2; kv++) {
            const struct db_base_type *base = kv ? &type->value : &type->key;
            const union atom *atoms = kv ? field->values : field->keys;
            if (!db_base_type_is_strong_ref(base)) {
                continue;
            }
            for (size_t e = 0; e < field->n; e++) {
                const struct uuid *u = &atoms[e].uuid;
                struct db_check_count *cnt = db_check_count_find(
                    counts, base->uuid.ref_table, u);
                if (!cnt) {
                    cnt = xzalloc(sizeof *cnt);
                    cnt->table = base->uuid.ref_table;
                    cnt->uuid = *u;
                    hmap_insert(counts, &cnt->node, uuid_hash(u));
                }
                cnt->n++;
            }
        }
    }
}

static void
db_check_row(const struct db *db, const struct db_table *t,
             const struct row *row)
{
    ASSERT(row->node.hash == uuid_hash(&row->uuid));
    ASSERT(row->table == t->schema);
    ASSERT(uuid_equals(&row->uuid, &row->fields[DB_COLUMN_UUID].keys[0].uuid));
    ASSERT(db_find_row(db, t->schema, &row->uuid) == row);
    for (size_t j = 0; j < t->schema->n_indexes; j++) {
        ASSERT(row->index_nodes[j].node.hash == db__index_hash(row, j));
    }
}

/* A weak reference count computed from scratch by db_assert_valid(). */
struct db_check_weak {
    struct hmap_node node;      /* In a scratch map, by hash_pointer(). */
    const struct db_weak_ref *ref; /* The bookkeeping entry. */
    unsigned int n;             /* References found in rows. */
};

static void
db_check_weak_count(struct hmap *counts, const struct db_weak_ref *ref)
{
    struct db_check_weak *w;
    HMAP_FOR_EACH_WITH_HASH (w, node, hash_pointer(ref, 0), counts) {
        if (w->ref == ref) {
            w->n++;
            return;
        }
    }
    w = xzalloc(sizeof *w);
    w->ref = ref;
    w->n = 1;
    hmap_insert(counts, &w->node, hash_pointer(ref, 0));
}

/* Checks that 'db->weak_refs' counts exactly the weak references that the
 * committed rows hold. */
static void
db_check_weak_refs(const struct db *db)
{
    struct hmap counts = HMAP_INITIALIZER(&counts);
    for (size_t i = 0; i < db->schema->n_tables; i++) {
        const struct db_table *t = &db->tables[i];
        const struct row *row;
        HMAP_FOR_EACH (row, node, &t->rows) {
            for (size_t c = 0; c < t->schema->n_columns; c++) {
                const struct db_type *type = &t->schema->columns[c]->type;
                const struct datum *field = &row->fields[c];
                for (int kv = 0; kv < 2; kv++) {
                    const struct db_base_type *base = (kv ? &type->value
                                                       : &type->key);
                    const union atom *atoms = kv ? field->values
                                                 : field->keys;
                    if (!db_base_type_is_weak_ref(base)) {
                        continue;
                    }
                    for (size_t e = 0; e < field->n; e++) {
                        const struct db_weak_ref *ref = db_weak_ref_find(
                            db, row, base->uuid.ref_table, &atoms[e].uuid);
                        ASSERT(ref);
                        db_check_weak_count(&counts, ref);
                    }
                }
            }
        }
    }
    ASSERT(hmap_count(&counts) == hmap_count(&db->weak_refs));
    struct db_check_weak *w;
    HMAP_FOR_EACH_SAFE (w, node, &counts) {
        ASSERT(w->n == w->ref->n);
        free(w);
    }
    hmap_uninit(&counts);
}

/* Checks the internal consistency of 'db' (every row in the right bucket,
 * indexes holding exactly the table's rows, strong reference counts equal
 * to the references that rows hold, weak reference bookkeeping equal to the
 * weak references that rows hold), aborting if it is broken.  Costs time
 * proportional to the database: for tests. */
void
db_assert_valid(const struct db *db)
{
    db_check_weak_refs(db);

    struct hmap counts = HMAP_INITIALIZER(&counts);
    const struct row *row;

    for (size_t i = 0; i < db->schema->n_tables; i++) {
        const struct db_table *t = &db->tables[i];
        HMAP_FOR_EACH (row, node, &t->rows) {
            db_check_row(db, t, row);
            db_check_count_row(&counts, row);
        }
        for (size_t j = 0; j < t->schema->n_indexes; j++) {
            ASSERT(hmap_count(&t->indexes[j]) == hmap_count(&t->rows));
        }
    }
    for (size_t i = 0; i < db->schema->n_tables; i++) {
        const struct db_table *t = &db->tables[i];
        HMAP_FOR_EACH (row, node, &t->rows) {
            const struct db_check_count *p = db_check_count_find(
                &counts, t->schema, &row->uuid);
            ASSERT(row->n_refs == (p ? p->n : 0));
        }
    }
    struct db_check_count *p;
    HMAP_FOR_EACH_SAFE (p, node, &counts) {
        free(p);
    }
    hmap_uninit(&counts);
}
