/* OVSDB transactions (see txn.h): private row versions, the commit-time
 * rules of RFC 7047 (garbage collection of unreferenced non-root rows,
 * removal of weak references to missing rows, referential integrity,
 * unique indexes, maxRows), commit into the database, and the ovsdb(5)
 * file records that describe a transaction.
 *
 * Every rule works from the rows the transaction touched: strong reference
 * counts are kept per committed row and adjusted by deltas, weak references
 * have back-pointers in the database, and indexes are hash maps, so the cost
 * of a commit is proportional to the size of the transaction, not of the
 * database. */
#include "ovsdb/txn.h"

#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/list.h"
#include "lib/uuid.h"
#include "ovsdb/condition.h"
#include "ovsdb/datum.h"
#include "ovsdb/db-private.h"
#include "ovsdb/error.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"

/* One row the transaction touched. */
struct txn_row {
    struct hmap_node node;      /* In db_txn.rows, by uuid_hash(). */
    struct list order_node;     /* In db_txn.order. */
    struct list inserted_node;  /* In txn_table.inserted, if 'inserted';
                                   else unused. */
    bool inserted;              /* Inserted by the transaction. */
    const struct table_schema *table; /* The row's table. */
    struct uuid uuid;           /* The row's UUID. */
    struct row *old;            /* Committed version (a reference), or NULL
                                   if the transaction inserted the row. */
    struct row *new;            /* Private version (owned, modifiable until
                                   precommit), or NULL if deleted. */
    unsigned long *changed;     /* After precommit, for a modify: columns
                                   that differ, with _version.  Owned. */
    bool deletion_processed;    /* Weak references to this deleted row
                                   have been brought into the
                                   transaction. */
};

/* Per-table state of a transaction. */
struct txn_table {
    struct list inserted;       /* "struct txn_row"s with 'old' NULL. */
    size_t n_rows;              /* Number of txn_rows of this table. */
    long long n_delta;          /* Rows inserted minus rows deleted. */
};

/* Change of the strong reference count of one row. */
struct txn_ref {
    struct hmap_node node;      /* In db_txn.refs, by uuid_hash(). */
    const struct table_schema *table; /* Referenced row's table. */
    struct uuid uuid;           /* Referenced row. */
    long long delta;            /* References added minus removed. */
};

/* A row to examine for garbage collection. */
struct txn_gc_item {
    const struct table_schema *table; /* The row's table. */
    struct uuid uuid;           /* The row's UUID. */
};

struct db_txn {
    struct db *db;              /* The database it changes. */
    struct hmap rows;           /* "struct txn_row"s. */
    struct list order;          /* "struct txn_row"s in order of first
                                   touch. */
    struct txn_table *tables;   /* One per table, by table index. */
    struct ds comment;          /* "comment" operations, joined by new
                                   lines. */
    bool precommitted;          /* Frozen by db_txn_precommit(). */

    /* Commit-time bookkeeping. */
    struct hmap refs;           /* "struct txn_ref"s. */
    struct txn_gc_item *gc;     /* Rows to examine for garbage
                                   collection, 'n_gc' of 'allocated_gc'. */
    size_t n_gc, allocated_gc;
};

/* Returns a new, empty transaction on 'db', which must outlive it. */
struct db_txn *
db_txn_create(struct db *db)
{
    struct db_txn *txn = xzalloc(sizeof *txn);
    txn->db = db;
    hmap_init(&txn->rows);
    list_init(&txn->order);
    size_t n = db->schema->n_tables;
    txn->tables = xcalloc(n ? n : 1, sizeof *txn->tables);
    for (size_t i = 0; i < n; i++) {
        list_init(&txn->tables[i].inserted);
    }
    ds_init(&txn->comment);
    hmap_init(&txn->refs);
    return txn;
}

/* Returns the database that 'txn' changes. */
struct db *
db_txn_get_db(const struct db_txn *txn)
{
    return txn->db;
}

static struct txn_row *
txn_row_find(const struct db_txn *txn, const struct table_schema *table,
             const struct uuid *uuid)
{
    struct txn_row *tr;
    HMAP_FOR_EACH_WITH_HASH (tr, node, uuid_hash(uuid), &txn->rows) {
        if (uuid_equals(&tr->uuid, uuid) && tr->table == table) {
            return tr;
        }
    }
    return NULL;
}

static struct txn_row *
txn_row_create(struct db_txn *txn, const struct table_schema *table,
               const struct uuid *uuid, struct row *old, struct row *new)
{
    struct txn_row *tr = xzalloc(sizeof *tr);
    tr->table = table;
    tr->uuid = *uuid;
    tr->old = old;
    tr->new = new;
    hmap_insert(&txn->rows, &tr->node, uuid_hash(uuid));
    list_push_back(&txn->order, &tr->order_node);
    struct txn_table *tt = &txn->tables[table->index];
    if (!old) {
        tr->inserted = true;
        list_push_back(&tt->inserted, &tr->inserted_node);
    }
    tt->n_rows++;
    return tr;
}

static void
txn_row_destroy(struct db_txn *txn, struct txn_row *tr)
{
    struct txn_table *tt = &txn->tables[tr->table->index];
    hmap_remove(&txn->rows, &tr->node);
    list_remove(&tr->order_node);
    if (tr->inserted) {
        list_remove(&tr->inserted_node);
    }
    tt->n_rows--;
    row_unref(tr->old);
    row_unref(tr->new);
    free(tr->changed);
    free(tr);
}

/* Returns the version of the row of 'table' with 'uuid' that 'txn' sees:
 * its own if it touched the row (NULL if it deleted it), else the committed
 * one, or NULL if there is none. */
const struct row *
db_txn_find_row(const struct db_txn *txn, const struct table_schema *table,
                const struct uuid *uuid)
{
    const struct txn_row *tr = txn_row_find(txn, table, uuid);
    return tr ? tr->new : db_find_row(txn->db, table, uuid);
}

/* Returns true if inserting a row of 'table' with 'uuid' in 'txn' would
 * duplicate a UUID: a row with it exists, or existed before this
 * transaction deleted it. */
bool
db_txn_uuid_is_used(const struct db_txn *txn,
                    const struct table_schema *table,
                    const struct uuid *uuid)
{
    const struct txn_row *tr = txn_row_find(txn, table, uuid);
    return (tr ? tr->new || tr->old
            : db_find_row(txn->db, table, uuid) != NULL);
}

static void
txn_select_add(const struct row ***rowsp, size_t *n, size_t *allocated,
               const struct row *row)
{
    if (*n >= *allocated) {
        *rowsp = x2nrealloc(*rowsp, allocated, sizeof **rowsp);
    }
    (*rowsp)[(*n)++] = row;
}

/* If 'cond' fixes the values of every column of one of 'table''s indexes
 * with "==" clauses, finds the rows that satisfy it through that index (and
 * among the rows 'txn' touched), stores them as db_txn_select() does, and
 * returns true.  Otherwise returns false. */
static bool
txn_select_by_index(const struct db_txn *txn,
                    const struct table_schema *table,
                    const struct db_condition *cond,
                    const struct row ***rowsp, size_t *np)
{
    for (size_t i = 0; i < table->n_indexes; i++) {
        const struct table_schema_index *idx = &table->indexes[i];
        uint32_t hash = i;
        size_t j;
        for (j = 0; j < idx->n_columns; j++) {
            const struct column_schema *column = idx->columns[j];
            const struct datum *value = db_condition_get_equal(cond, column);
            if (!value) {
                break;
            }
            hash = datum_hash(value, &column->type, hash);
        }
        if (j < idx->n_columns) {
            continue;
        }

        /* Committed rows that the transaction did not touch... */
        const struct row **rows = NULL;
        size_t n = 0, allocated = 0;
        const struct db_table *t = db__table(txn->db, table);
        const struct txn_table *tt = &txn->tables[table->index];
        const struct row_index_node *in;
        HMAP_FOR_EACH_WITH_HASH (in, node, hash, &t->indexes[i]) {
            if ((!tt->n_rows || !txn_row_find(txn, table, &in->row->uuid))
                && db_condition_evaluate(cond, in->row)) {
                txn_select_add(&rows, &n, &allocated, in->row);
            }
        }

        /* ...and the rows it touched. */
        if (tt->n_rows) {
            const struct txn_row *tr;
            LIST_FOR_EACH (tr, order_node, &txn->order) {
                if (tr->table == table && tr->new
                    && db_condition_evaluate(cond, tr->new)) {
                    txn_select_add(&rows, &n, &allocated, tr->new);
                }
            }
        }
        *rowsp = rows;
        *np = n;
        return true;
    }
    return false;
}

/* Stores in '*rowsp' a new array (the caller frees it, not the rows) of the
 * rows of 'table', as 'txn' sees them, that satisfy 'cond' (NULL: all rows),
 * and returns their number.  The rows are valid until 'txn' changes them.
 * A condition on _uuid is a lookup, not a scan. */
size_t
db_txn_select(const struct db_txn *txn, const struct table_schema *table,
              const struct db_condition *cond, const struct row ***rowsp)
{
    const struct row **rows = NULL;
    size_t n = 0, allocated = 0;
    struct uuid uuid;

    if (cond && db_condition_is_always_false(cond)) {
        *rowsp = NULL;
        return 0;
    }
    if (cond && db_condition_get_uuid(cond, &uuid)) {
        const struct row *row = db_txn_find_row(txn, table, &uuid);
        if (row && db_condition_evaluate(cond, row)) {
            rows = xmalloc(sizeof *rows);
            rows[n++] = row;
        }
        *rowsp = rows;
        return n;
    }

    if (cond && txn_select_by_index(txn, table, cond, &rows, &n)) {
        *rowsp = rows;
        return n;
    }

    const struct db_table *t = db__table(txn->db, table);
    const struct txn_table *tt = &txn->tables[table->index];
    bool all = !cond || db_condition_is_always_true(cond);
    const struct row *row;
    HMAP_FOR_EACH (row, node, &t->rows) {
        const struct row *cur = row;
        if (tt->n_rows) {
            const struct txn_row *tr = txn_row_find(txn, table, &row->uuid);
            if (tr) {
                cur = tr->new;
            }
        }
        if (cur && (all || db_condition_evaluate(cond, cur))) {
            if (n >= allocated) {
                rows = x2nrealloc(rows, &allocated, sizeof *rows);
            }
            rows[n++] = cur;
        }
    }
    const struct txn_row *tr;
    LIST_FOR_EACH (tr, inserted_node, &tt->inserted) {
        if (tr->new && (all || db_condition_evaluate(cond, tr->new))) {
            if (n >= allocated) {
                rows = x2nrealloc(rows, &allocated, sizeof *rows);
            }
            rows[n++] = tr->new;
        }
    }
    *rowsp = rows;
    return n;
}

/* Inserts into 'txn' a new row of 'table' with 'uuid', which must not be in
 * use (db_txn_uuid_is_used()), every column at its default, and returns it
 * for the caller to fill in (with row_set_field()).  The row belongs to
 * 'txn'. */
struct row *
db_txn_insert(struct db_txn *txn, const struct table_schema *table,
              const struct uuid *uuid)
{
    ASSERT(!txn->precommitted);
    struct row *row = row_create(table, uuid);
    struct txn_row *tr = txn_row_find(txn, table, uuid);
    if (tr) {
        /* Inserted, deleted, and now inserted again. */
        ASSERT(!tr->old && !tr->new);
        tr->new = row;
    } else {
        txn_row_create(txn, table, uuid, NULL, row);
    }
    txn->tables[table->index].n_delta++;
    return row;
}

/* Returns a modifiable version of 'row' (as returned by db_txn_find_row()
 * or db_txn_select() on 'txn'), making a private copy the first time.  The
 * result belongs to 'txn' and replaces 'row' in what 'txn' sees. */
struct row *
db_txn_modify(struct db_txn *txn, const struct row *row)
{
    ASSERT(!txn->precommitted);
    struct txn_row *tr = txn_row_find(txn, row->table, &row->uuid);
    if (tr) {
        ASSERT(tr->new == row);
        return tr->new;
    }
    ASSERT(db_find_row(txn->db, row->table, &row->uuid) == row);
    tr = txn_row_create(txn, row->table, &row->uuid, row_ref(row),
                        row_clone_for_update(row));
    return tr->new;
}

static void
txn_delete(struct db_txn *txn, const struct table_schema *table,
           const struct uuid *uuid)
{
    struct txn_row *tr = txn_row_find(txn, table, uuid);
    if (tr) {
        ASSERT(tr->new);
        row_unref(tr->new);
        tr->new = NULL;
    } else {
        const struct row *row = db_find_row(txn->db, table, uuid);
        ASSERT(row);
        txn_row_create(txn, table, uuid, row_ref(row), NULL);
    }
    txn->tables[table->index].n_delta--;
}

/* Deletes 'row' (as returned by db_txn_find_row() or db_txn_select() on
 * 'txn') in 'txn'.  'row' must not be used afterward. */
void
db_txn_delete(struct db_txn *txn, const struct row *row)
{
    ASSERT(!txn->precommitted);
    txn_delete(txn, row->table, &row->uuid);
}

/* Appends 'comment' to the comment of 'txn' (recorded in its file record),
 * separated from earlier ones by a new line. */
void
db_txn_add_comment(struct db_txn *txn, const char *comment)
{
    if (txn->comment.length) {
        ds_put_char(&txn->comment, '\n');
    }
    ds_put_cstr(&txn->comment, comment);
}

/* Returns the comment of 'txn' ("" if none). */
const char *
db_txn_get_comment(const struct db_txn *txn)
{
    return txn->comment.length ? txn->comment.string : "";
}

/* Strong reference counting. */

static struct txn_ref *
txn_ref_find(const struct db_txn *txn, const struct table_schema *table,
             const struct uuid *uuid)
{
    struct txn_ref *ref;
    HMAP_FOR_EACH_WITH_HASH (ref, node, uuid_hash(uuid), &txn->refs) {
        if (uuid_equals(&ref->uuid, uuid) && ref->table == table) {
            return ref;
        }
    }
    return NULL;
}

static void
txn_gc_push(struct db_txn *txn, const struct table_schema *table,
            const struct uuid *uuid)
{
    if (txn->n_gc >= txn->allocated_gc) {
        txn->gc = x2nrealloc(txn->gc, &txn->allocated_gc, sizeof *txn->gc);
    }
    txn->gc[txn->n_gc].table = table;
    txn->gc[txn->n_gc].uuid = *uuid;
    txn->n_gc++;
}

static void
txn_ref_add(struct db_txn *txn, const struct table_schema *table,
            const struct uuid *uuid, long long delta)
{
    struct txn_ref *ref = txn_ref_find(txn, table, uuid);
    if (!ref) {
        ref = xzalloc(sizeof *ref);
        ref->table = table;
        ref->uuid = *uuid;
        hmap_insert(&txn->refs, &ref->node, uuid_hash(uuid));
    }
    ref->delta += delta;
    if (delta < 0 && !table->is_root) {
        txn_gc_push(txn, table, uuid);
    }
}

static long long
txn_ref_delta(const struct db_txn *txn, const struct table_schema *table,
              const struct uuid *uuid)
{
    const struct txn_ref *ref = txn_ref_find(txn, table, uuid);
    return ref ? ref->delta : 0;
}

/* Adds 'sign' to the reference count of every row that 'row' strongly
 * references. */
static void
txn_count_refs(struct db_txn *txn, const struct row *row, int sign)
{
    const struct table_schema *table = row->table;
    if (!table->has_strong_refs) {
        return;
    }
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct db_type *type = &table->columns[i]->type;
        const struct datum *field = &row->fields[i];
        if (db_base_type_is_strong_ref(&type->key)) {
            for (size_t j = 0; j < field->n; j++) {
                txn_ref_add(txn, type->key.uuid.ref_table,
                            &field->keys[j].uuid, sign);
            }
        }
        if (db_base_type_is_strong_ref(&type->value)) {
            for (size_t j = 0; j < field->n; j++) {
                txn_ref_add(txn, type->value.uuid.ref_table,
                            &field->values[j].uuid, sign);
            }
        }
    }
}

/* Adds to the reference counts the difference between the strong
 * references of 'old' and 'new', two versions of one row: a linear merge of
 * each changed column, so that unchanged elements of large sets cost no
 * hash lookups. */
static void
txn_count_ref_changes(struct db_txn *txn, const struct row *old,
                      const struct row *new)
{
    const struct table_schema *table = old->table;
    if (!table->has_strong_refs) {
        return;
    }
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct db_type *type = &table->columns[i]->type;
        bool key_ref = db_base_type_is_strong_ref(&type->key);
        bool value_ref = db_base_type_is_strong_ref(&type->value);
        if (!key_ref && !value_ref) {
            continue;
        }

        const struct datum *a = &old->fields[i];
        const struct datum *b = &new->fields[i];
        const struct table_schema *kt = type->key.uuid.ref_table;
        const struct table_schema *vt = type->value.uuid.ref_table;
        const struct datum *diff = row_get_diff(new, old, i);
        if (diff) {
            /* A set: each element of the difference was added or
             * removed. */
            for (size_t d = 0; d < diff->n; d++) {
                bool added = datum_find_key(b, &diff->keys[d],
                                            type->key.type) != SIZE_MAX;
                txn_ref_add(txn, kt, &diff->keys[d].uuid, added ? 1 : -1);
            }
            continue;
        }
        size_t j = 0, k = 0;
        while (j < a->n || k < b->n) {
            int cmp = (j >= a->n ? 1 : k >= b->n ? -1
                       : atom_compare(&a->keys[j], &b->keys[k],
                                      type->key.type));
            if (cmp < 0) {
                if (key_ref) {
                    txn_ref_add(txn, kt, &a->keys[j].uuid, -1);
                }
                if (value_ref) {
                    txn_ref_add(txn, vt, &a->values[j].uuid, -1);
                }
                j++;
            } else if (cmp > 0) {
                if (key_ref) {
                    txn_ref_add(txn, kt, &b->keys[k].uuid, 1);
                }
                if (value_ref) {
                    txn_ref_add(txn, vt, &b->values[k].uuid, 1);
                }
                k++;
            } else {
                if (value_ref && !uuid_equals(&a->values[j].uuid,
                                              &b->values[k].uuid)) {
                    txn_ref_add(txn, vt, &a->values[j].uuid, -1);
                    txn_ref_add(txn, vt, &b->values[k].uuid, 1);
                }
                j++;
                k++;
            }
        }
    }
}

/* Returns the number of strong references the row of 'table' with 'uuid'
 * will have after 'txn'. */
static long long
txn_ref_count(const struct db_txn *txn, const struct table_schema *table,
              const struct uuid *uuid)
{
    const struct row *committed = db_find_row(txn->db, table, uuid);
    return ((committed ? (long long) committed->n_refs : 0)
            + txn_ref_delta(txn, table, uuid));
}

/* RFC 7047 §3.2: deletes the rows of non-root tables that the transaction
 * left without strong references, and then the rows that only they
 * referenced. */
static void
txn_collect_garbage(struct db_txn *txn)
{
    while (txn->n_gc) {
        struct txn_gc_item item = txn->gc[--txn->n_gc];
        const struct row *row = db_txn_find_row(txn, item.table, &item.uuid);
        if (!row || txn_ref_count(txn, item.table, &item.uuid) > 0) {
            continue;
        }
        txn_count_refs(txn, row, -1);
        txn_delete(txn, item.table, &item.uuid);
    }
}

/* Weak references. */

/* Brings into 'txn' each committed row that weakly references a row that
 * 'txn' deletes, so that the references can be dropped. */
static void
txn_weak_deletions(struct db_txn *txn)
{
    struct txn_row *tr;
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        if (!tr->old || tr->new || !tr->table->is_weak_target
            || tr->deletion_processed) {
            continue;
        }
        tr->deletion_processed = true;

        struct db_weak_ref *ref;
        HMAP_FOR_EACH_WITH_HASH (ref, node, uuid_hash(&tr->uuid),
                                 &txn->db->weak_refs) {
            if (!uuid_equals(&ref->dst, &tr->uuid)
                || ref->dst_table != tr->table) {
                continue;
            }
            const struct row *src = db_find_row(txn->db, ref->src_table,
                                                &ref->src);
            if (src && !txn_row_find(txn, ref->src_table, &ref->src)) {
                db_txn_modify(txn, src);
            }
        }
    }
}

static bool
txn_weak_dangles(const struct db_txn *txn, const struct db_base_type *base,
                 const union atom *atom)
{
    return (db_base_type_is_weak_ref(base)
            && !db_txn_find_row(txn, base->uuid.ref_table, &atom->uuid));
}

static struct db_error *
txn_weak_error(const struct txn_row *tr, const struct column_schema *column,
               size_t n_removed, bool zero_uuid)
{
    char uuid[UUID_LEN + 1];
    uuid_to_buffer(&tr->uuid, uuid);
    return db_error_create(
        "constraint violation", "Row %s of table \"%s\"%s needs at least "
        "%u element(s) in column \"%s\", but removing %zu weak "
        "reference(s) to rows that do not exist%s leaves %u.", uuid,
        tr->table->name, tr->old ? "" : " (inserted by this transaction)",
        column->type.n_min, column->name, n_removed,
        zero_uuid ? " (such as the all-zeros default UUID)" : "",
        (unsigned int) (tr->new->fields[column->index].n - n_removed));
}

/* Drops from column 'column' of 'tr''s new version every element whose weak
 * reference leads to no row.  'deletes' says, by table index, whether 'txn'
 * deletes rows of that table: if it deletes none of the referenced table
 * and the column's changes are tracked (row_get_diff()), the elements that
 * the committed version already held lead to rows that still exist, and
 * only the added ones need looking up. */
static struct db_error *
txn_weak_drop(struct db_txn *txn, struct txn_row *tr,
              const struct column_schema *column, const bool *deletes)
{
    const struct db_type *type = &column->type;
    const struct datum *field = &tr->new->fields[column->index];
    bool *marked = NULL;
    size_t n_removed = 0;
    bool zero_uuid = false;

    const struct datum *diff = (tr->old
                                ? row_get_diff(tr->new, tr->old,
                                               column->index)
                                : NULL);
    if (diff && ((db_base_type_is_weak_ref(&type->key)
                  && deletes[type->key.uuid.ref_table->index])
                 || (db_base_type_is_weak_ref(&type->value)
                     && deletes[type->value.uuid.ref_table->index]))) {
        diff = NULL;
    }
    if (diff) {
        /* Unchanged, or a tracked set of weak references (keys only). */
        for (size_t d = 0; d < diff->n; d++) {
            size_t i = datum_find_key(field, &diff->keys[d], type->key.type);
            if (i == SIZE_MAX
                || !txn_weak_dangles(txn, &type->key, &field->keys[i])) {
                continue;
            }
            if (!marked) {
                marked = xcalloc(field->n, sizeof *marked);
            }
            marked[i] = true;
            n_removed++;
            zero_uuid |= uuid_is_zero(&field->keys[i].uuid);
        }
    }
    for (size_t i = 0; !diff && i < field->n; i++) {
        bool key = txn_weak_dangles(txn, &type->key, &field->keys[i]);
        bool value = (field->values
                      && txn_weak_dangles(txn, &type->value,
                                          &field->values[i]));
        if (key || value) {
            if (!marked) {
                marked = xcalloc(field->n, sizeof *marked);
            }
            marked[i] = true;
            n_removed++;
            zero_uuid |= (key && uuid_is_zero(&field->keys[i].uuid))
                         || (value && uuid_is_zero(&field->values[i].uuid));
        }
    }
    if (!n_removed) {
        return NULL;
    }
    if (field->n - n_removed < type->n_min) {
        free(marked);
        return txn_weak_error(tr, column, n_removed, zero_uuid);
    }

    /* Dropping a map element also drops a strong reference it held. */
    for (size_t i = 0; i < field->n; i++) {
        if (!marked[i]) {
            continue;
        }
        if (db_base_type_is_strong_ref(&type->key)) {
            txn_ref_add(txn, type->key.uuid.ref_table, &field->keys[i].uuid,
                        -1);
        }
        if (db_base_type_is_strong_ref(&type->value)) {
            txn_ref_add(txn, type->value.uuid.ref_table,
                        &field->values[i].uuid, -1);
        }
    }
    struct datum copy;
    datum_clone(&copy, field, type);
    datum_remove_marked(&copy, marked, type);
    row_set_field(tr->new, column->index, &copy);
    free(marked);
    return NULL;
}

/* Drops weak references to missing rows from every row 'txn' inserts or
 * modifies.  ovsdb-server(7) §3.2: a column that then holds too few
 * elements fails the transaction. */
static struct db_error *
txn_weak_dangling(struct db_txn *txn)
{
    size_t n_tables = txn->db->schema->n_tables;
    bool *deletes = xcalloc(n_tables ? n_tables : 1, sizeof *deletes);
    struct db_error *error = NULL;
    struct txn_row *tr;
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        if (tr->old && !tr->new) {
            deletes[tr->table->index] = true;
        }
    }
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        const struct table_schema *table = tr->table;
        if (!tr->new || !table->has_weak_refs) {
            continue;
        }
        for (size_t i = 0; i < table->n_columns; i++) {
            const struct column_schema *column = table->columns[i];
            if (db_base_type_is_weak_ref(&column->type.key)
                || db_base_type_is_weak_ref(&column->type.value)) {
                error = txn_weak_drop(txn, tr, column, deletes);
                if (error) {
                    goto out;
                }
            }
        }
    }
out:
    free(deletes);
    return error;
}

/* Referential integrity. */

static struct db_error *
txn_refint_missing(const struct db_txn *txn, const struct txn_ref *ref)
{
    char dst[UUID_LEN + 1];
    uuid_to_buffer(&ref->uuid, dst);

    /* Find a row that holds the reference, to name it. */
    const struct txn_row *tr;
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        const struct table_schema *table = tr->table;
        if (!tr->new) {
            continue;
        }
        for (size_t i = 0; i < table->n_columns; i++) {
            const struct column_schema *column = table->columns[i];
            const struct datum *field = &tr->new->fields[i];
            for (int kv = 0; kv < 2; kv++) {
                const struct db_base_type *base = (kv ? &column->type.value
                                                   : &column->type.key);
                const union atom *atoms = kv ? field->values : field->keys;
                if (!db_base_type_is_strong_ref(base)
                    || base->uuid.ref_table != ref->table) {
                    continue;
                }
                for (size_t j = 0; j < field->n; j++) {
                    if (uuid_equals(&atoms[j].uuid, &ref->uuid)) {
                        char src[UUID_LEN + 1];
                        uuid_to_buffer(&tr->uuid, src);
                        return db_error_create(
                            "referential integrity violation",
                            "Table %s column %s row %s references "
                            "nonexistent row %s in table %s.", table->name,
                            column->name, src, dst, ref->table->name);
                    }
                }
            }
        }
    }
    return db_error_create("referential integrity violation",
                           "Reference to nonexistent row %s in table %s.",
                           dst, ref->table->name);
}

/* RFC 7047 §3.2: no strong reference may lead to a missing row, so a row
 * still referenced may not be deleted. */
static struct db_error *
txn_check_refint(const struct db_txn *txn)
{
    const struct txn_row *tr;
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        if (tr->old && !tr->new) {
            long long n = ((long long) tr->old->n_refs
                           + txn_ref_delta(txn, tr->table, &tr->uuid));
            if (n > 0) {
                char uuid[UUID_LEN + 1];
                uuid_to_buffer(&tr->uuid, uuid);
                return db_error_create(
                    "referential integrity violation", "cannot delete %s "
                    "row %s because of %lld remaining reference(s)",
                    tr->table->name, uuid, n);
            }
        }
    }

    const struct txn_ref *ref;
    HMAP_FOR_EACH (ref, node, &txn->refs) {
        if (ref->delta > 0
            && !db_txn_find_row(txn, ref->table, &ref->uuid)
            && !db_find_row(txn->db, ref->table, &ref->uuid)) {
            return txn_refint_missing(txn, ref);
        }
    }
    return NULL;
}

/* Drops no-op changes, computes the changed columns of modified rows and
 * gives every new version a fresh _version. */
static void
txn_finalize(struct db_txn *txn)
{
    struct txn_row *tr;
    LIST_FOR_EACH_SAFE (tr, order_node, &txn->order) {
        const struct table_schema *table = tr->table;
        if (!tr->old && !tr->new) {
            txn_row_destroy(txn, tr);
            continue;
        }
        if (tr->old && tr->new) {
            bool any = false;
            for (size_t i = DB_COLUMN_VERSION + 1; i < table->n_columns;
                 i++) {
                const struct datum *diff = row_get_diff(tr->new, tr->old, i);
                if (diff ? diff->n > 0
                    : !datum_equals(&tr->old->fields[i], &tr->new->fields[i],
                                    &table->columns[i]->type)) {
                    if (!tr->changed) {
                        tr->changed = row_bitmap_create(table->n_columns);
                    }
                    row_bitmap_set(tr->changed, i);
                    any = true;
                }
            }
            if (!any) {
                txn_row_destroy(txn, tr);
                continue;
            }
            row_bitmap_set(tr->changed, DB_COLUMN_VERSION);
        }
        if (tr->new) {
            struct uuid version;
            uuid_generate(&version);
            row_set_version(tr->new, &version);
        }
    }
}

/* Indexes. */

struct txn_index_entry {
    struct hmap_node node;      /* In a scratch map. */
    const struct txn_row *tr;   /* Row with the indexed values. */
    size_t index;               /* Which index of tr->table. */
};

static struct db_error *
txn_index_error(const struct table_schema *table, size_t index,
                const struct row *a, bool a_in_txn,
                const struct row *b, bool b_in_txn)
{
    const struct table_schema_index *idx = &table->indexes[index];
    struct ds values = DS_EMPTY_INITIALIZER;
    struct ds names = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < idx->n_columns; i++) {
        const struct column_schema *column = idx->columns[i];
        struct json *json = datum_to_json(&a->fields[column->index],
                                          &column->type);
        if (i) {
            ds_put_cstr(&values, ", ");
            ds_put_cstr(&names, ", ");
        }
        json_to_ds(json, 0, &values);
        json_unref(json);
        ds_put_cstr(&names, column->name);
    }
    char ua[UUID_LEN + 1], ub[UUID_LEN + 1];
    uuid_to_buffer(&a->uuid, ua);
    uuid_to_buffer(&b->uuid, ub);
    struct db_error *error = db_error_create(
        "constraint violation", "Transaction would give rows %s (%s) and "
        "%s (%s) of table \"%s\" the same values (%s) for the index on "
        "column(s) %s.", ua,
        a_in_txn ? "inserted or modified by it" : "existing, unchanged", ub,
        b_in_txn ? "inserted or modified by it" : "existing, unchanged",
        table->name, ds_cstr(&values), ds_cstr(&names));
    ds_uninit(&values);
    ds_uninit(&names);
    return error;
}

/* Checks that no two rows share the values of any index after 'txn'. */
static struct db_error *
txn_check_indexes(const struct db_txn *txn)
{
    struct hmap scratch = HMAP_INITIALIZER(&scratch);
    struct txn_index_entry *entries = NULL;
    size_t n_entries = 0, allocated = 0;
    struct db_error *error = NULL;

    /* Count first so that 'entries' never moves while in 'scratch'. */
    const struct txn_row *tr;
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        if (tr->new) {
            allocated += tr->table->n_indexes;
        }
    }
    if (!allocated) {
        return NULL;
    }
    entries = xmalloc(allocated * sizeof *entries);

    LIST_FOR_EACH (tr, order_node, &txn->order) {
        const struct table_schema *table = tr->table;
        if (!tr->new) {
            continue;
        }
        const struct db_table *t = db__table(txn->db, table);
        for (size_t i = 0; i < table->n_indexes && !error; i++) {
            const struct table_schema_index *idx = &table->indexes[i];
            uint32_t hash = db__index_hash(tr->new, i);

            /* Against committed rows that the transaction leaves alone. */
            struct row_index_node *in;
            HMAP_FOR_EACH_WITH_HASH (in, node, hash, &t->indexes[i]) {
                const struct row *other = in->row;
                if (!txn_row_find(txn, table, &other->uuid)
                    && row_equal_columns(other, tr->new, idx->columns,
                                         idx->n_columns)) {
                    error = txn_index_error(table, i, tr->new, true,
                                            other, false);
                    break;
                }
            }

            /* Against the other rows of the transaction. */
            uint32_t shash = hash_pointer(table, hash_int(i, hash));
            struct txn_index_entry *e;
            HMAP_FOR_EACH_WITH_HASH (e, node, shash, &scratch) {
                if (!error && e->tr->table == table && e->index == i
                    && row_equal_columns(e->tr->new, tr->new, idx->columns,
                                         idx->n_columns)) {
                    error = txn_index_error(table, i, e->tr->new, true,
                                            tr->new, true);
                }
            }
            e = &entries[n_entries++];
            e->tr = tr;
            e->index = i;
            hmap_insert(&scratch, &e->node, shash);
        }
        if (error) {
            break;
        }
    }
    hmap_uninit(&scratch);
    free(entries);
    return error;
}

/* Checks the "maxRows" of every table that 'txn' grows. */
static struct db_error *
txn_check_max_rows(const struct db_txn *txn)
{
    const struct db_schema *schema = txn->db->schema;
    for (size_t i = 0; i < schema->n_tables; i++) {
        const struct table_schema *table = schema->table_array[i];
        const struct txn_table *tt = &txn->tables[i];
        if (table->max_rows == LLONG_MAX || tt->n_delta <= 0) {
            continue;
        }
        long long n = ((long long) hmap_count(&txn->db->tables[i].rows)
                       + tt->n_delta);
        if (n > table->max_rows) {
            return db_error_create("constraint violation", "Transaction "
                                   "would leave %lld rows in table \"%s\", "
                                   "more than its maxRows of %lld.", n,
                                   table->name, table->max_rows);
        }
    }
    return NULL;
}

static struct db_error *
txn_precommit(struct db_txn *txn, bool checked)
{
    ASSERT(!txn->precommitted);
    ASSERT(!txn->db->pending);

    /* Strong reference count changes of the rows changed so far.  Rows
     * inserted in non-root tables may be garbage already. */
    struct txn_row *tr;
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        if (tr->old && tr->new) {
            txn_count_ref_changes(txn, tr->old, tr->new);
        } else if (tr->old) {
            txn_count_refs(txn, tr->old, -1);
        } else if (tr->new) {
            txn_count_refs(txn, tr->new, 1);
            if (!tr->table->is_root) {
                txn_gc_push(txn, tr->table, &tr->uuid);
            }
        }
    }

    if (checked) {
        /* Garbage collection and weak references feed each other: deleting
         * a row drops weak references to it, and dropping a map element
         * may drop a strong reference. */
        do {
            txn_collect_garbage(txn);
            txn_weak_deletions(txn);
            struct db_error *error = txn_weak_dangling(txn);
            if (error) {
                return error;
            }
        } while (txn->n_gc);

        struct db_error *error = txn_check_refint(txn);
        if (error) {
            return error;
        }
    }
    txn->n_gc = 0;

    txn_finalize(txn);

    if (checked) {
        struct db_error *error = txn_check_indexes(txn);
        if (!error) {
            error = txn_check_max_rows(txn);
        }
        if (error) {
            return error;
        }
    }
    txn->precommitted = true;
    txn->db->pending = txn;
    return NULL;
}

/* Applies the commit-time rules of the schema to 'txn' and freezes it:
 * deletes unreferenced rows of non-root tables, drops weak references to
 * missing rows, checks referential integrity ("referential integrity
 * violation"), indexes and maxRows ("constraint violation"), drops changes
 * that change nothing and assigns new _versions.  Returns NULL if 'txn' may
 * commit, else an error after which the caller must abort 'txn'.  On
 * success, 'txn' is pending on its database until db_txn_commit() or
 * db_txn_abort(). */
struct db_error *
db_txn_precommit(struct db_txn *txn)
{
    return txn_precommit(txn, true);
}

/* Returns true if 'txn', precommitted, changes nothing. */
bool
db_txn_is_empty(const struct db_txn *txn)
{
    return list_is_empty(&txn->order);
}

static bool
txn_column_is_recorded(const struct txn_row *tr, size_t i)
{
    const struct column_schema *column = tr->table->columns[i];
    if (i <= DB_COLUMN_VERSION || !column->is_persistent) {
        return false;
    }
    return (tr->old
            ? row_bitmap_is_set(tr->changed, i)
            : !datum_is_default(&tr->new->fields[i], &column->type));
}

static struct json *
txn_record_column(const struct txn_row *tr, size_t i, bool is_diff)
{
    const struct db_type *type = &tr->table->columns[i]->type;
    if (!is_diff || !tr->old) {
        return datum_to_json(&tr->new->fields[i], type);
    }
    const struct datum *tracked = row_get_diff(tr->new, tr->old, i);
    if (tracked) {
        return datum_to_json(tracked, type);
    }
    struct datum diff;
    datum_diff(&diff, &tr->old->fields[i], &tr->new->fields[i], type);
    struct json *json = datum_to_json(&diff, type);
    datum_destroy(&diff, type);
    return json;
}

static struct json *
txn_record(const struct db_txn *txn, const char *comment, bool is_diff)
{
    struct json *record = json_object_create();
    bool any = false;

    ASSERT(txn->precommitted);
    const struct txn_row *tr;
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        const struct table_schema *table = tr->table;
        struct json *row_json;

        if (!tr->new) {
            row_json = json_null_create();
        } else {
            row_json = json_object_create();
            for (size_t i = 0; i < table->n_columns; i++) {
                if (txn_column_is_recorded(tr, i)) {
                    json_object_put_new(row_json, table->columns[i]->name,
                                        txn_record_column(tr, i, is_diff));
                }
            }
            if (tr->old && !json_object_size(row_json)) {
                /* Only ephemeral columns changed. */
                json_unref(row_json);
                continue;
            }
        }

        struct json *table_json = json_object_find(record, table->name);
        if (!table_json) {
            table_json = json_object_create();
            json_object_put_new(record, table->name, table_json);
        }
        char uuid[UUID_LEN + 1];
        uuid_to_buffer(&tr->uuid, uuid);
        json_object_put_new(table_json, uuid, row_json);
        any = true;
    }

    if (!any) {
        json_unref(record);
        return NULL;
    }
    json_object_put_new(record, "_date",
                        json_integer_create(time_wall_msec()));
    if (!comment) {
        comment = db_txn_get_comment(txn);
    }
    if (comment[0]) {
        json_object_put_new(record, "_comment", json_string_create(comment));
    }
    if (is_diff) {
        json_object_put_new(record, "_is_diff", json_boolean_create(true));
    }
    return record;
}

/* Returns the ovsdb(5) standalone-file transaction record of 'txn', which
 * must be precommitted: {"TABLE": {"UUID": ROW-or-null, ...}, ..., "_date":
 * MS, "_comment": COMMENT}.  An inserted row lists its persistent columns
 * that differ from their defaults, a modified row its persistent columns
 * that changed, with their new values.  'comment' (or, if NULL, the
 * transaction's own) is recorded if nonempty.  Returns NULL if 'txn'
 * changes no persistent data, so that there is nothing to write.  The
 * caller owns the result. */
struct json *
db_txn_to_record(const struct db_txn *txn, const char *comment)
{
    return txn_record(txn, comment, false);
}

/* Like db_txn_to_record(), but in the "_is_diff" form that ovsdb-server
 * 2.15 and later write (and Debian's ovsdb-tool reads): a modified set or
 * map column holds only the elements that changed (datum_diff()), so that
 * adding one element to a large set writes one element.  Prefer it for
 * storage; db_apply_record() reads both forms. */
struct json *
db_txn_to_diff_record(const struct db_txn *txn, const char *comment)
{
    return txn_record(txn, comment, true);
}

/* Appends to 'out' the text of one row of txn_record(), '"UUID":ROW',
 * preceded by 'prefix' (which opens the table's object, or is a comma).
 * Returns false, appending nothing, if the row would be left out. */
static bool
txn_record_row_ds(const struct txn_row *tr, bool is_diff,
                  const char *prefix, struct ds *out)
{
    const struct table_schema *table = tr->table;
    size_t start = out->length;
    char uuid[UUID_LEN + 1];

    ds_put_cstr(out, prefix);
    uuid_to_buffer(&tr->uuid, uuid);
    json_string_to_ds(uuid, UUID_LEN, out);
    ds_put_char(out, ':');
    if (!tr->new) {
        ds_put_cstr(out, "null");
        return true;
    }

    bool any = false;
    ds_put_char(out, '{');
    for (size_t i = 0; i < table->n_columns; i++) {
        if (!txn_column_is_recorded(tr, i)) {
            continue;
        }
        const struct column_schema *column = table->columns[i];
        if (any) {
            ds_put_char(out, ',');
        }
        json_string_to_ds(column->name, strlen(column->name), out);
        ds_put_char(out, ':');
        const struct datum *tracked = (is_diff && tr->old
                                       ? row_get_diff(tr->new, tr->old, i)
                                       : NULL);
        if (!is_diff || !tr->old) {
            datum_to_json_ds(&tr->new->fields[i], &column->type, out);
        } else if (tracked) {
            datum_to_json_ds(tracked, &column->type, out);
        } else {
            struct datum diff;
            datum_diff(&diff, &tr->old->fields[i], &tr->new->fields[i],
                       &column->type);
            datum_to_json_ds(&diff, &column->type, out);
            datum_destroy(&diff, &column->type);
        }
        any = true;
    }
    if (tr->old && !any) {
        /* Only ephemeral columns changed. */
        ds_truncate(out, start);
        return false;
    }
    ds_put_char(out, '}');
    return true;
}

/* Appends to 'out' the text of txn_record('txn', 'comment', 'is_diff'),
 * printed straight from the rows: a large transaction's record is never
 * built as a JSON tree.  The tables' members come in schema order rather
 * than in order of first change, which means the same.  Returns false,
 * appending nothing, if there is nothing to record. */
static bool
txn_record_ds(const struct db_txn *txn, const char *comment, bool is_diff,
              struct ds *out)
{
    ASSERT(txn->precommitted);

    /* Group the rows by table (a counting sort, stable), since each table
     * is one JSON object. */
    const struct db_schema *schema = txn->db->schema;
    size_t n_tables = schema->n_tables;
    size_t *starts = xcalloc(n_tables + 1, sizeof *starts);
    size_t n = 0;
    const struct txn_row *tr;
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        starts[tr->table->index + 1]++;
        n++;
    }
    for (size_t t = 0; t < n_tables; t++) {
        starts[t + 1] += starts[t];
    }
    const struct txn_row **sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        sorted[starts[tr->table->index]++] = tr;
    }

    size_t start = out->length;
    bool any = false;
    size_t i = 0;
    ds_put_char(out, '{');
    while (i < n) {
        const struct table_schema *table = sorted[i]->table;
        struct ds open = DS_EMPTY_INITIALIZER;
        if (any) {
            ds_put_char(&open, ',');
        }
        json_string_to_ds(table->name, strlen(table->name), &open);
        ds_put_cstr(&open, ":{");
        bool table_open = false;
        for (; i < n && sorted[i]->table == table; i++) {
            if (txn_record_row_ds(sorted[i], is_diff,
                                  table_open ? "," : ds_cstr(&open), out)) {
                table_open = true;
            }
        }
        ds_uninit(&open);
        if (table_open) {
            ds_put_char(out, '}');
            any = true;
        }
    }
    free(sorted);
    free(starts);

    if (!any) {
        ds_truncate(out, start);
        return false;
    }
    ds_put_cstr(out, ",\"_date\":");
    json_integer_to_ds(time_wall_msec(), out);
    if (!comment) {
        comment = db_txn_get_comment(txn);
    }
    if (comment[0]) {
        ds_put_cstr(out, ",\"_comment\":");
        json_string_to_ds(comment, strlen(comment), out);
    }
    if (is_diff) {
        ds_put_cstr(out, ",\"_is_diff\":true");
    }
    ds_put_char(out, '}');
    return true;
}

/* Appends to 'out' the text of db_txn_to_diff_record('txn', 'comment'),
 * without building the JSON value: what storage writes for a large
 * transaction.  Returns false, appending nothing, where
 * db_txn_to_diff_record() would return NULL. */
bool
db_txn_diff_record_to_ds(const struct db_txn *txn, const char *comment,
                         struct ds *out)
{
    return txn_record_ds(txn, comment, true, out);
}

/* Commits 'txn', which must be precommitted, into its database, frees it,
 * and returns what it changed (the caller owns one reference). */
struct db_changes *
db_txn_commit(struct db_txn *txn)
{
    struct db *db = txn->db;
    ASSERT(txn->precommitted && db->pending == txn);

    struct db_changes *changes = xzalloc(sizeof *changes);
    changes->refcount = 1;
    changes->changes = xmalloc((hmap_count(&txn->rows) + 1)
                               * sizeof *changes->changes);

    struct txn_row *tr;
    LIST_FOR_EACH (tr, order_node, &txn->order) {
        struct db_row_change *c = &changes->changes[changes->n_changes++];
        c->table = tr->table;
        c->old = tr->old;
        c->new = tr->new ? row_ref(tr->new) : NULL;
        c->changed = tr->changed;
        if (tr->old && tr->new) {
            db__replace_row(db, tr->old, tr->new, tr->changed);
        } else if (tr->new) {
            db__insert_row(db, tr->new);
        } else {
            db__remove_row(db, tr->old);
        }
        /* The table took the transaction's reference to the new version
         * and released its own to the old one; 'c' keeps the
         * transaction's reference to the old one. */
        tr->old = tr->new = NULL;
        tr->changed = NULL;
    }

    /* Apply the reference count changes to the committed rows. */
    struct txn_ref *ref;
    HMAP_FOR_EACH (ref, node, &txn->refs) {
        struct row *row = (struct row *) db_find_row(db, ref->table,
                                                     &ref->uuid);
        if (row) {
            long long n = (long long) row->n_refs + ref->delta;
            row->n_refs = n > 0 ? n : 0;
        }
    }

    db->pending = NULL;
    txn->precommitted = false;
    db_txn_abort(txn);
    return changes;
}

/* Discards 'txn' and everything it would have changed.  Does nothing if
 * 'txn' is NULL. */
void
db_txn_abort(struct db_txn *txn)
{
    if (!txn) {
        return;
    }
    if (txn->precommitted && txn->db->pending == txn) {
        txn->db->pending = NULL;
    }
    struct txn_row *tr;
    LIST_FOR_EACH_SAFE (tr, order_node, &txn->order) {
        txn_row_destroy(txn, tr);
    }
    hmap_uninit(&txn->rows);
    struct txn_ref *ref;
    HMAP_FOR_EACH_SAFE (ref, node, &txn->refs) {
        free(ref);
    }
    hmap_uninit(&txn->refs);
    free(txn->gc);
    free(txn->tables);
    ds_uninit(&txn->comment);
    free(txn);
}

/* Adds a reference to 'changes' and returns it. */
struct db_changes *
db_changes_ref(struct db_changes *changes)
{
    changes->refcount++;
    return changes;
}

/* Releases a reference to 'changes', freeing it (and its row references)
 * with the last.  Does nothing if 'changes' is NULL. */
void
db_changes_unref(struct db_changes *changes)
{
    if (!changes || --changes->refcount) {
        return;
    }
    for (size_t i = 0; i < changes->n_changes; i++) {
        struct db_row_change *c = &changes->changes[i];
        row_unref(c->old);
        row_unref(c->new);
        free(c->changed);
    }
    free(changes->changes);
    free(changes);
}

/* Storage replay. */

static struct db_error *
txn_apply_column(struct row *row, const struct column_schema *column,
                 const struct json *json, bool is_diff)
{
    const struct db_type *type = &column->type;
    struct datum datum;
    struct db_error *error;

    if (!is_diff || db_type_is_scalar(type)) {
        error = datum_from_json(&datum, type, json, NULL);
        if (error) {
            return error;
        }
    } else {
        /* A diff may have more or fewer elements than the column. */
        struct db_type relaxed = *type;
        relaxed.n_min = 0;
        relaxed.n_max = UINT_MAX;
        struct datum diff;
        error = datum_from_json(&diff, &relaxed, json, NULL);
        if (error) {
            return error;
        }
        datum_clone(&datum, &row->fields[column->index], type);
        datum_apply_diff(&datum, &diff, type);
        datum_destroy(&diff, type);
        if (datum.n < type->n_min || datum.n > type->n_max) {
            datum_destroy(&datum, type);
            return db_error_create("syntax error", "column %s: diff leaves "
                                   "%zu elements", column->name, datum.n);
        }
    }
    row_set_field(row, column->index, &datum);
    return NULL;
}

static struct db_error *
txn_apply_row(struct db_txn *txn, const struct table_schema *table,
              const char *uuid_s, const struct json *json, bool is_diff)
{
    struct uuid uuid;
    if (!uuid_from_string(&uuid, uuid_s)) {
        return db_error_create("syntax error", "\"%s\" is not a valid UUID",
                               uuid_s);
    }
    const struct row *cur = db_txn_find_row(txn, table, &uuid);
    if (json_is_null(json)) {
        if (!cur) {
            return db_error_create("syntax error", "record deletes "
                                   "nonexistent row %s from table %s",
                                   uuid_s, table->name);
        }
        db_txn_delete(txn, cur);
        return NULL;
    }
    if (!json_is_object(json)) {
        return db_error_syntax(json, "syntax error",
                               "row in record must be an object or null");
    }

    bool is_insert = !cur;
    struct row *row;
    if (is_insert) {
        if (db_txn_uuid_is_used(txn, table, &uuid)) {
            return db_error_create("syntax error", "record inserts row %s "
                                   "into table %s twice", uuid_s,
                                   table->name);
        }
        row = db_txn_insert(txn, table, &uuid);
    } else {
        row = db_txn_modify(txn, cur);
    }

    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, json) {
        const struct column_schema *column = table_schema_find_column(
            table, m->name);
        if (!column || column->index <= DB_COLUMN_VERSION) {
            return db_error_create("syntax error", "record has unknown "
                                   "column %s in table %s", m->name,
                                   table->name);
        }
        /* ovsdb(5): in a diff record only a modified row's values are
         * diffs; an inserted row's are whole values, as in any record (a
         * min-1 set's default must not leak in). */
        struct db_error *error = txn_apply_column(row, column, m->value,
                                                  is_diff && !is_insert);
        if (error) {
            db_error_prefix(error, "table %s row %s column %s: ",
                            table->name, uuid_s, column->name);
            return error;
        }
    }
    return NULL;
}

static struct db_error *
txn_apply_table(struct db_txn *txn, const struct table_schema *table,
                const struct json *rows, bool is_diff)
{
    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, rows) {
        struct db_error *error = txn_apply_row(txn, table, m->name,
                                               m->value, is_diff);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Applies 'record', a transaction record read back from a database file
 * (see db_txn_to_record(); "_is_diff": true records, as ovsdb-server 2.15
 * and later write them, hold set and map changes as differences), to 'db':
 * inserts, modifies (listed columns only) and deletes rows, checking their
 * types but none of the commit-time rules, since files record their
 * effects.  On success returns NULL and stores the changes in '*changesp'
 * (if nonnull; the caller owns them).  On error 'db' is unchanged. */
struct db_error *
db_apply_record(struct db *db, const struct json *record,
                struct db_changes **changesp)
{
    if (changesp) {
        *changesp = NULL;
    }
    if (!json_is_object(record)) {
        return db_error_create("syntax error",
                               "transaction record must be an object");
    }
    const struct json *is_diff_json = json_object_find(record, "_is_diff");
    bool is_diff = is_diff_json && json_is_boolean(is_diff_json)
                   && json_boolean(is_diff_json);

    struct db_txn *txn = db_txn_create(db);
    struct db_error *error = NULL;
    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, record) {
        if (m->name[0] == '_') {
            continue;
        }
        const struct table_schema *table = db_schema_find_table(db->schema,
                                                                m->name);
        if (!table) {
            error = db_error_create("syntax error", "record names unknown "
                                    "table %s", m->name);
            break;
        }
        if (!json_is_object(m->value)) {
            error = db_error_create("syntax error", "table %s in record "
                                    "must be an object", m->name);
            break;
        }
        error = txn_apply_table(txn, table, m->value, is_diff);
        if (error) {
            break;
        }
    }
    const char *comment = json_object_find_string(record, "_comment");
    if (comment) {
        db_txn_add_comment(txn, comment);
    }
    if (!error) {
        error = txn_precommit(txn, false);
    }
    if (error) {
        db_txn_abort(txn);
        return error;
    }
    struct db_changes *changes = db_txn_commit(txn);
    if (changesp) {
        *changesp = changes;
    } else {
        db_changes_unref(changes);
    }
    return NULL;
}

/* Returns one transaction record that recreates every row of 'db' in an
 * empty database of the same schema (persistent columns that differ from
 * their defaults), for compacting a file.  The caller owns it. */
struct json *
db_to_snapshot_record(const struct db *db)
{
    struct json *record = json_object_create();
    for (size_t i = 0; i < db->schema->n_tables; i++) {
        const struct table_schema *table = db->schema->table_array[i];
        const struct db_table *t = &db->tables[i];
        if (hmap_is_empty(&t->rows)) {
            continue;
        }
        struct json *table_json = json_object_create();
        const struct row *row;
        HMAP_FOR_EACH (row, node, &t->rows) {
            struct json *row_json = json_object_create();
            for (size_t c = DB_COLUMN_VERSION + 1; c < table->n_columns;
                 c++) {
                const struct column_schema *column = table->columns[c];
                if (column->is_persistent
                    && !datum_is_default(&row->fields[c], &column->type)) {
                    json_object_put_new(row_json, column->name,
                                        datum_to_json(&row->fields[c],
                                                      &column->type));
                }
            }
            char uuid[UUID_LEN + 1];
            uuid_to_buffer(&row->uuid, uuid);
            json_object_put_new(table_json, uuid, row_json);
        }
        json_object_put_new(record, table->name, table_json);
    }
    json_object_put_new(record, "_date",
                        json_integer_create(time_wall_msec()));
    return record;
}
