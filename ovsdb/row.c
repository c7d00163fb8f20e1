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
            datum_destroy(field, &column->type);
        }
    }
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
        datum_destroy(field, &column->type);
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
