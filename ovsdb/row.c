/* OVSDB rows (see row.h). */
#include "ovsdb/row.h"

#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

static size_t
row_size(const struct table_schema *table)
{
    return (sizeof(struct row) + table->n_columns * sizeof(struct datum)
            + table->n_indexes * sizeof(struct row_index_node)
            + table->n_inline_atoms * sizeof(union atom));
}

/* Allocates a row of 'table' and points its index nodes, inline atoms and
 * inline fields into the allocation.  Fields are left uninitialized except
 * the inline ones' pointers. */
static struct row *
row_alloc(const struct table_schema *table)
{
    struct row *row = xmalloc(row_size(table));
    row->table = table;
    row->refcount = 1;
    row->n_refs = 0;
    row->diffs = NULL;
    row->index_nodes = (struct row_index_node *) &row->fields[
        table->n_columns];
    row->inline_atoms = (union atom *) &row->index_nodes[table->n_indexes];
    for (size_t i = 0; i < table->n_indexes; i++) {
        row->index_nodes[i].row = row;
    }
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct column_schema *column = table->columns[i];
        if (column->inline_atom != SIZE_MAX) {
            struct datum *field = &row->fields[i];
            field->n = 1;
            field->keys = &row->inline_atoms[column->inline_atom];
            field->values = (db_type_is_map(&column->type)
                             ? field->keys + 1 : NULL);
        }
    }
    return row;
}

/* Returns a new row of 'table' with UUID 'uuid', every column at its
 * default value and an all-zeros _version.  The caller owns the one
 * reference. */
struct row *
row_create(const struct table_schema *table, const struct uuid *uuid)
{
    struct row *row = row_alloc(table);
    row->uuid = *uuid;
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct column_schema *column = table->columns[i];
        struct datum *field = &row->fields[i];
        if (column->inline_atom != SIZE_MAX) {
            atom_init_default(&field->keys[0], column->type.key.type);
            if (field->values) {
                atom_init_default(&field->values[0],
                                  column->type.value.type);
            }
        } else {
            datum_init_default(field, &column->type);
        }
    }
    row->fields[DB_COLUMN_UUID].keys[0].uuid = *uuid;
    return row;
}

/* Returns a deep copy of 'old' (same UUID and _version, no bookkeeping)
 * with one reference that the caller owns. */
struct row *
row_clone(const struct row *old)
{
    const struct table_schema *table = old->table;
    struct row *row = row_alloc(table);
    row->uuid = old->uuid;
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct column_schema *column = table->columns[i];
        const struct datum *src = &old->fields[i];
        struct datum *dst = &row->fields[i];
        if (column->inline_atom != SIZE_MAX) {
            atom_clone(&dst->keys[0], &src->keys[0], column->type.key.type);
            if (dst->values) {
                atom_clone(&dst->values[0], &src->values[0],
                           column->type.value.type);
            }
        } else {
            datum_clone(dst, src, &column->type);
        }
    }
    return row;
}

static struct row_diffs *
row_diffs_create(const struct table_schema *table)
{
    struct row_diffs *d = xzalloc(sizeof *d);
    d->tracked = row_bitmap_create(table->n_columns);
    d->replaced = row_bitmap_create(table->n_columns);
    d->borrowed = row_bitmap_create(table->n_columns);
    d->disowned = row_bitmap_create(table->n_columns);
    d->diffs = xcalloc(table->n_columns ? table->n_columns : 1,
                       sizeof *d->diffs);
    return d;
}

/* Whether row_clone_for_update() lends the strings of column 'column' of
 * 'row' instead of copying them: a large set of strings. */
static bool
row_column_is_lendable(const struct row *row, size_t column)
{
    const struct column_schema *cs = row->table->columns[column];
    return (cs->inline_atom == SIZE_MAX && cs->type.key.type == DB_TYPE_STRING
            && db_type_is_set(&cs->type) && cs->type.n_max > 1
            && row->fields[column].n >= 16);
}

/* Like row_clone(), for a private version that a transaction will modify:
 * the copy also tracks the changes that mutations make to its set columns
 * (see row_get_diff()), so that a commit costs what changed rather than
 * the size of the columns.  The strings of large sets of strings are not
 * copied: the copy borrows them from 'old' (which must outlive it), owning
 * only the ones it adds, and row_commit_replace() hands them over. */
struct row *
row_clone_for_update(const struct row *old)
{
    const struct table_schema *table = old->table;
    struct row *row = row_alloc(table);
    struct row_diffs *d = row_diffs_create(table);
    row->uuid = old->uuid;
    d->base_version = *row_version(old);
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct column_schema *column = table->columns[i];
        const struct datum *src = &old->fields[i];
        struct datum *dst = &row->fields[i];
        if (column->inline_atom != SIZE_MAX) {
            atom_clone(&dst->keys[0], &src->keys[0], column->type.key.type);
            if (dst->values) {
                atom_clone(&dst->values[0], &src->values[0],
                           column->type.value.type);
            }
        } else if (row_column_is_lendable(old, i)) {
            dst->n = src->n;
            dst->keys = xmemdup(src->keys, src->n * sizeof *src->keys);
            dst->values = NULL;
            row_bitmap_set(d->borrowed, i);
        } else {
            datum_clone(dst, src, &column->type);
        }
    }
    row->diffs = d;
    return row;
}

/* Returns true if the atom at 'pos' of borrowed column 'column' of 'row'
 * belongs to 'row' (it added it), false if to the version it cloned. */
static bool
row_owns_borrowed(const struct row *row, size_t column, size_t pos)
{
    const struct datum *diff = &row->diffs->diffs[column];
    return (diff->n && datum_find_key(diff, &row->fields[column].keys[pos],
                                      DB_TYPE_STRING) != SIZE_MAX);
}

/* Makes borrowed column 'column' of 'row' own all its strings. */
static void
row_unborrow(struct row *row, size_t column)
{
    struct datum *field = &row->fields[column];
    for (size_t i = 0; i < field->n; i++) {
        if (!row_owns_borrowed(row, column, i)) {
            field->keys[i].string = xstrdup(field->keys[i].string);
        }
    }
    row->diffs->borrowed[column / ROW_BITMAP_BITS]
        &= ~(1UL << (column % ROW_BITMAP_BITS));
}

/* Returns true if column 'column' of 'row' borrows strings. */
bool
row_column_is_borrowed(const struct row *row, size_t column)
{
    return row->diffs && row_bitmap_is_set(row->diffs->borrowed, column);
}

/* Prepares tracked column 'column' of 'row' for the insertion of 'atom'
 * (absent from it): if the column borrows strings and 'atom' was removed
 * from it before, the column first takes copies of all it borrows (since
 * the string put back would not be the lender's). */
void
row_prepare_insert(struct row *row, size_t column, const union atom *atom)
{
    if (row_column_is_borrowed(row, column)
        && datum_find_key(&row->diffs->diffs[column], atom,
                          DB_TYPE_STRING) != SIZE_MAX) {
        row_unborrow(row, column);
    }
}

/* Frees what field 'column' (not inline) of 'row' owns and leaves it
 * empty: a borrowed column frees only the strings it added, a lent one
 * none of its strings. */
static void
row_release_field(struct row *row, size_t column)
{
    const struct db_type *type = row_column_type(row, column);
    struct datum *field = &row->fields[column];
    struct row_diffs *d = row->diffs;
    if (d && row_bitmap_is_set(d->borrowed, column)) {
        for (size_t i = 0; i < field->n; i++) {
            if (row_owns_borrowed(row, column, i)) {
                free(field->keys[i].string);
            }
        }
        free(field->keys);
        datum_init_empty(field);
        d->borrowed[column / ROW_BITMAP_BITS]
            &= ~(1UL << (column % ROW_BITMAP_BITS));
    } else if (d && row_bitmap_is_set(d->disowned, column)) {
        free(field->keys);
        datum_init_empty(field);
    } else {
        datum_destroy(field, type);
    }
}

/* Called as committed 'new', a copy of 'old' from row_clone_for_update(),
 * replaces 'old': 'new' takes ownership of the strings it borrowed from
 * 'old', which keeps only those 'new' dropped and holds a reference to
 * 'new' for as long as it lives. */
void
row_commit_replace(struct row *old, struct row *new)
{
    struct row_diffs *nd = new->diffs;
    const struct table_schema *table = new->table;
    if (!nd) {
        return;
    }
    ASSERT(uuid_equals(&nd->base_version, row_version(old)));
    for (size_t c = 0; c < table->n_columns; c++) {
        if (!row_bitmap_is_set(nd->borrowed, c)) {
            continue;
        }
        if (!old->diffs) {
            old->diffs = row_diffs_create(table);
        }
        struct row_diffs *od = old->diffs;
        const struct datum *diff = &nd->diffs[c];
        const struct datum *of = &old->fields[c];
        for (size_t i = 0; i < diff->n; i++) {
            if (datum_find_key(&new->fields[c], &diff->keys[i],
                               DB_TYPE_STRING) != SIZE_MAX) {
                continue;
            }
            size_t pos = datum_find_key(of, &diff->keys[i], DB_TYPE_STRING);
            ASSERT(pos != SIZE_MAX);
            od->orphans = xrealloc(od->orphans, ((od->n_orphans + 1)
                                                 * sizeof *od->orphans));
            od->orphans[od->n_orphans++] = of->keys[pos].string;
        }
        row_bitmap_set(od->disowned, c);
        nd->borrowed[c / ROW_BITMAP_BITS] &= ~(1UL << (c % ROW_BITMAP_BITS));
        ASSERT(!od->heir || od->heir == new);
        if (!od->heir) {
            od->heir = row_ref(new);
        }
    }
}

static void
row_diffs_destroy(struct row *row)
{
    struct row_diffs *d = row->diffs;
    if (!d) {
        return;
    }
    const struct table_schema *table = row->table;
    for (size_t i = 0; i < table->n_columns; i++) {
        datum_destroy(&d->diffs[i], &table->columns[i]->type);
    }
    free(d->diffs);
    free(d->tracked);
    free(d->replaced);
    free(d->borrowed);
    free(d->disowned);
    for (size_t i = 0; i < d->n_orphans; i++) {
        free(d->orphans[i]);
    }
    free(d->orphans);
    row_unref(d->heir);
    free(d);
    row->diffs = NULL;
}

/* If 'row' came from row_clone_for_update() of 'base' (identified by its
 * _version) and set column 'column' has changed only through
 * row_diff_toggle() since, returns the elements in just one of the two
 * versions' values of that column (sorted, as datum_diff() gives them);
 * if the column (of any type, but not _uuid or _version) has not changed
 * at all since, an empty datum; otherwise NULL, and the caller compares
 * the values itself.  The result
 * belongs to 'row'.  Committed rows keep this against the version they
 * replaced. */
const struct datum *
row_get_diff(const struct row *row, const struct row *base, size_t column)
{
    static const struct datum no_diff;
    const struct row_diffs *d = row->diffs;
    if (!d || !base || !uuid_equals(&d->base_version, row_version(base))) {
        return NULL;
    } else if (row_bitmap_is_set(d->tracked, column)) {
        return &d->diffs[column];
    } else if (column > DB_COLUMN_VERSION
               && !row_bitmap_is_set(d->replaced, column)) {
        /* Untouched since the copy. */
        return &no_diff;
    }
    return NULL;
}

/* Returns true if set column 'column' of 'row', a copy from
 * row_clone_for_update(), may have its changes tracked: it is a set of more
 * than one element that row_set_field() has not replaced. */
bool
row_diff_is_trackable(const struct row *row, size_t column)
{
    const struct db_type *type = row_column_type(row, column);
    return (row->diffs && db_type_is_set(type) && type->n_max > 1
            && !row_bitmap_is_set(row->diffs->replaced, column));
}

/* Starts tracking the changes of 'column' of 'row', for which
 * row_diff_is_trackable() must be true (does nothing if already
 * tracking).  The caller must then report every element it adds to or
 * removes from the column with row_diff_toggle(). */
void
row_diff_start(struct row *row, size_t column)
{
    ASSERT(row_diff_is_trackable(row, column));
    row_bitmap_set(row->diffs->tracked, column);
}

/* Records that 'atom' was added to or removed from tracked set column
 * 'column' of 'row': toggles its membership in the column's difference.
 * Returns true if that took it out of the difference (it had been removed
 * or added before), false if it put it in. */
bool
row_diff_toggle(struct row *row, size_t column, const union atom *atom)
{
    enum db_atomic_type kt = row_column_type(row, column)->key.type;
    struct datum *diff = &row->diffs->diffs[column];
    size_t lo = 0, hi = diff->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = atom_compare(&diff->keys[mid], atom, kt);
        if (!cmp) {
            atom_destroy(&diff->keys[mid], kt);
            memmove(&diff->keys[mid], &diff->keys[mid + 1],
                    (diff->n - mid - 1) * sizeof *diff->keys);
            if (!--diff->n) {
                free(diff->keys);
                datum_init_empty(diff);
            }
            return true;
        } else if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    diff->keys = xrealloc(diff->keys, (diff->n + 1) * sizeof *diff->keys);
    memmove(&diff->keys[lo + 1], &diff->keys[lo],
            (diff->n - lo) * sizeof *diff->keys);
    atom_clone(&diff->keys[lo], atom, kt);
    diff->n++;
    return false;
}

/* Adds a reference to 'row' and returns it. */
struct row *
row_ref(const struct row *row_)
{
    struct row *row = (struct row *) row_;
    row->refcount++;
    return row;
}

/* Releases a reference to 'row', freeing it with the last.  Does nothing if
 * 'row' is NULL. */
void
row_unref(struct row *row)
{
    if (!row || --row->refcount) {
        return;
    }
    const struct table_schema *table = row->table;
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct column_schema *column = table->columns[i];
        struct datum *field = &row->fields[i];
        if (column->inline_atom != SIZE_MAX) {
            atom_destroy(&field->keys[0], column->type.key.type);
            if (field->values) {
                atom_destroy(&field->values[0], column->type.value.type);
            }
        } else {
            row_release_field(row, i);
        }
    }
    row_diffs_destroy(row);
    free(row);
}

/* Replaces field 'column' of 'row', which must not be shared, by 'value',
 * whose contents it takes (leaving 'value' empty).  'value' must fit the
 * column's type; an inline column takes exactly one element. */
void
row_set_field(struct row *row, size_t column_idx, struct datum *value)
{
    const struct column_schema *column = row->table->columns[column_idx];
    struct datum *field = &row->fields[column_idx];
    if (column->inline_atom == SIZE_MAX) {
        row_release_field(row, column_idx);
    }
    if (row->diffs) {
        row_bitmap_set(row->diffs->replaced, column_idx);
        row->diffs->tracked[column_idx / ROW_BITMAP_BITS]
            &= ~(1UL << (column_idx % ROW_BITMAP_BITS));
        datum_destroy(&row->diffs->diffs[column_idx], &column->type);
    }
    if (column->inline_atom != SIZE_MAX) {
        ASSERT(value->n == 1);
        atom_destroy(&field->keys[0], column->type.key.type);
        field->keys[0] = value->keys[0];
        if (field->values) {
            atom_destroy(&field->values[0], column->type.value.type);
            field->values[0] = value->values[0];
        }
        free(value->keys);
    } else {
        *field = *value;
    }
    datum_init_empty(value);
}

/* Sets the _version of 'row', which must not be shared, to 'version'. */
void
row_set_version(struct row *row, const struct uuid *version)
{
    row->fields[DB_COLUMN_VERSION].keys[0].uuid = *version;
}

/* Adds to JSON object 'dst' a member "NAME": VALUE for each column of 'row'
 * whose index is set in bitmap 'columns', or, if 'columns' is NULL, for every
 * column but _uuid and _version. */
void
row_put_columns_json(const struct row *row, const unsigned long *columns,
                     struct json *dst)
{
    const struct table_schema *table = row->table;
    for (size_t i = columns ? 0 : DB_COLUMN_VERSION + 1;
         i < table->n_columns; i++) {
        if (!columns || row_bitmap_is_set(columns, i)) {
            const struct column_schema *column = table->columns[i];
            json_object_put_new(dst, column->name,
                                datum_to_json(&row->fields[i],
                                              &column->type));
        }
    }
}

/* Returns a new JSON object with the columns of 'row' that
 * row_put_columns_json() would add.  The caller owns it. */
struct json *
row_to_json(const struct row *row, const unsigned long *columns)
{
    struct json *json = json_object_create();
    row_put_columns_json(row, columns, json);
    return json;
}

/* Returns a hash of the 'n_columns' fields 'columns' of 'row'. */
uint32_t
row_hash_columns(const struct row *row,
                 const struct column_schema *const *columns,
                 size_t n_columns, uint32_t basis)
{
    uint32_t hash = basis;
    for (size_t i = 0; i < n_columns; i++) {
        const struct column_schema *column = columns[i];
        hash = datum_hash(&row->fields[column->index], &column->type, hash);
    }
    return hash;
}

/* Returns true if 'a' and 'b', rows of the same table, have equal values
 * in the 'n_columns' fields 'columns'. */
bool
row_equal_columns(const struct row *a, const struct row *b,
                  const struct column_schema *const *columns,
                  size_t n_columns)
{
    for (size_t i = 0; i < n_columns; i++) {
        const struct column_schema *column = columns[i];
        if (!datum_equals(&a->fields[column->index],
                          &b->fields[column->index], &column->type)) {
            return false;
        }
    }
    return true;
}
