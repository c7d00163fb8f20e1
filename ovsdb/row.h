/* OVSDB rows: immutable, reference-counted snapshots of one row of a table.
 * A committed row never changes (except the bookkeeping a database keeps in
 * it); modifying a row means building a new version, which a transaction
 * does privately until it commits.  Histories and monitors keep old
 * versions alive by holding references.
 *
 * A row is one allocation: the struct, its fields, its index nodes, and the
 * atoms of the columns that always hold exactly one element ("inline"
 * columns, including _uuid and _version).  Replace a field only with
 * row_set_field(), which knows which fields are inline. */
#ifndef OVSDB_ROW_H
#define OVSDB_ROW_H 1

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/datum.h"
#include "ovsdb/schema.h"

struct json;

/* A row's place in one of its table's indexes. */
struct row_index_node {
    struct hmap_node node;      /* In the index's hmap, by index hash. */
    struct row *row;            /* The row containing this node. */
};

struct row {
    struct hmap_node node;      /* In its table's rows, hashed uuid_hash(). */
    struct uuid uuid;           /* Same as the _uuid field. */
    const struct table_schema *table; /* The row's table. */
    unsigned int refcount;      /* References; the last unref frees. */

    /* Bookkeeping of the database (db.c, txn.c), valid only while this
     * version is the committed, current one. */
    size_t n_refs;              /* Strong references from committed rows. */
    struct row_index_node *index_nodes; /* table->n_indexes nodes. */
    union atom *inline_atoms;   /* table->n_inline_atoms atoms. */

    /* Set-column changes tracked by mutations of a private copy made with
     * row_clone_for_update(), or NULL: see row_get_diff(). */
    struct row_diffs *diffs;    /* Owned. */

    struct datum fields[];      /* By column_schema.index; [0] = _uuid,
                                   [1] = _version (a uuid that changes on
                                   every modification). */
};

/* Exact differences between a row and the version it was cloned from,
 * for set columns changed only by element insertions and deletions. */
struct row_diffs {
    struct uuid base_version;   /* _version of the version cloned. */
    unsigned long *tracked;     /* Columns whose 'diffs' entry is exact. */
    unsigned long *replaced;    /* Columns replaced by row_set_field(). */
    struct datum *diffs;        /* By column: the elements in just one of
                                   the two versions (as datum_diff()),
                                   owned, where 'tracked'. */
    unsigned long *borrowed;    /* Private copy: columns whose strings
                                   belong to the version cloned, except
                                   those in 'diffs' (added). */
    unsigned long *disowned;    /* Replaced version: columns whose strings
                                   belong to 'heir'. */
    struct row *heir;           /* The version that took this one's
                                   strings, a reference, or NULL. */
    char **orphans;             /* Strings of disowned columns that 'heir'
                                   dropped: still owned here. */
    size_t n_orphans;           /* Number of 'orphans'. */
};

struct row *row_create(const struct table_schema *, const struct uuid *);
struct row *row_clone(const struct row *);
struct row *row_clone_for_update(const struct row *);
const struct datum *row_get_diff(const struct row *,
                                 const struct row *base, size_t column);
bool row_diff_is_trackable(const struct row *, size_t column);
bool row_diff_toggle(struct row *, size_t column, const union atom *);
void row_diff_start(struct row *, size_t column);
bool row_column_is_borrowed(const struct row *, size_t column);
void row_prepare_insert(struct row *, size_t column, const union atom *);
void row_commit_replace(struct row *old, struct row *new);
struct row *row_ref(const struct row *);
void row_unref(struct row *);

void row_set_field(struct row *, size_t column, struct datum *value);
void row_set_version(struct row *, const struct uuid *);

static inline const struct uuid *
row_version(const struct row *row)
{
    return &row->fields[DB_COLUMN_VERSION].keys[0].uuid;
}

static inline const struct db_type *
row_column_type(const struct row *row, size_t column)
{
    return &row->table->columns[column]->type;
}

void row_put_columns_json(const struct row *, const unsigned long *columns,
                          struct json *dst);
struct json *row_to_json(const struct row *, const unsigned long *columns);
uint32_t row_hash_columns(const struct row *,
                          const struct column_schema *const *columns,
                          size_t n_columns, uint32_t basis);
bool row_equal_columns(const struct row *, const struct row *,
                       const struct column_schema *const *columns,
                       size_t n_columns);

/* Bitmaps of column indexes, as 'unsigned long' arrays. */
#define ROW_BITMAP_BITS (CHAR_BIT * sizeof(unsigned long))
#define ROW_BITMAP_N_LONGS(N_BITS) (((N_BITS) + ROW_BITMAP_BITS - 1) \
                                    / ROW_BITMAP_BITS)

/* Returns a new all-zeros bitmap of 'n_bits' bits, which the caller
 * frees. */
static inline unsigned long *
row_bitmap_create(size_t n_bits)
{
    return xcalloc(ROW_BITMAP_N_LONGS(n_bits ? n_bits : 1),
                   sizeof(unsigned long));
}

static inline void
row_bitmap_set(unsigned long *bitmap, size_t i)
{
    bitmap[i / ROW_BITMAP_BITS] |= 1UL << (i % ROW_BITMAP_BITS);
}

static inline bool
row_bitmap_is_set(const unsigned long *bitmap, size_t i)
{
    return (bitmap[i / ROW_BITMAP_BITS] >> (i % ROW_BITMAP_BITS)) & 1;
}

#endif /* ovsdb/row.h */
