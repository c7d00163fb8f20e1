/* OVSDB mutations (see mutation.h). */
#include "ovsdb/mutation.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "ovsdb/error.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"

static const char *const db_mutator_names[] = {
    [DB_M_ADD] = "+=",
    [DB_M_SUB] = "-=",
    [DB_M_MUL] = "*=",
    [DB_M_DIV] = "/=",
    [DB_M_MOD] = "%=",
    [DB_M_INSERT] = "insert",
    [DB_M_DELETE] = "delete",
};

static bool
db_mutator_from_string(const char *s, enum db_mutator *m)
{
    for (size_t i = 0; i < ARRAY_SIZE(db_mutator_names); i++) {
        if (!strcmp(s, db_mutator_names[i])) {
            *m = i;
            return true;
        }
    }
    return false;
}

static struct db_error *
db_mutation_type_mismatch(const struct json *json, enum db_mutator mutator,
                          const struct column_schema *column)
{
    char *english = db_type_to_english(&column->type);
    struct db_error *error = db_error_syntax(
        json, "syntax error", "Type mismatch: \"%s\" operator may not be "
        "applied to column %s of type %s.", db_mutator_names[mutator],
        column->name, english);
    free(english);
    return error;
}

/* Parses 'arg', the operand of an "insert" or "delete" on the set or map
 * column 'column', into 'm->arg' and 'm->arg_type'.  RFC 7047 §5.1: the
 * operand has the column's type (its atoms' constraints included), except
 * that it may have fewer elements than the column's minimum; as
 * ovsdb-server does, an "insert" operand keeps the column's maximum (it
 * could never fit otherwise) while a "delete" operand may have any number
 * of elements.  A "delete" on a map may also give a set of keys: a value
 * that does not parse as a map is parsed as that, and that attempt's error
 * is the one returned. */
static struct db_error *
db_mutation_parse_set_arg(struct db_mutation *m, const struct json *arg,
                          struct db_symtab *symtab)
{
    const struct db_type *ctype = &m->column->type;
    struct db_error *error;

    db_type_clone(&m->arg_type, ctype);
    m->arg_type.n_min = 0;
    if (m->mutator == DB_M_DELETE) {
        m->arg_type.n_max = UINT_MAX;
    }
    error = datum_from_json(&m->arg, &m->arg_type, arg, symtab);
    if (!error || m->mutator == DB_M_INSERT || !db_type_is_map(ctype)) {
        return error;
    }

    db_error_destroy(error);
    db_base_type_destroy(&m->arg_type.value);
    db_base_type_init(&m->arg_type.value, DB_TYPE_VOID);
    return datum_from_json(&m->arg, &m->arg_type, arg, symtab);
}

static struct db_error *
db_mutation_from_json(const struct table_schema *table,
                      const struct json *json, struct db_symtab *symtab,
                      struct db_mutation *m)
{
    if (!json_is_array(json) || json_array_size(json) != 3
        || !json_is_string(json_array_at(json, 0))
        || !json_is_string(json_array_at(json, 1))) {
        return db_error_syntax(json, "syntax error",
                               "Parse error in mutation.");
    }
    const char *column_name = json_string(json_array_at(json, 0));
    const struct column_schema *column = table_schema_find_column(
        table, column_name);
    if (!column) {
        return db_error_syntax(json, "unknown column",
                               "No column %s in table %s.", column_name,
                               table->name);
    }
    if (!column->is_mutable) {
        return db_error_syntax(json, "constraint violation",
                               "Cannot mutate immutable column %s in table "
                               "%s.", column->name, table->name);
    }
    const char *mutator_name = json_string(json_array_at(json, 1));
    enum db_mutator mutator;
    if (!db_mutator_from_string(mutator_name, &mutator)) {
        /* The mutation is well formed: ovsdb-server quotes no "syntax". */
        return db_error_create("unknown mutator", "No mutator named %s.",
                               mutator_name);
    }

    const struct db_type *ctype = &column->type;
    const struct json *arg = json_array_at(json, 2);
    struct db_error *error;
    m->column = column;
    m->mutator = mutator;

    switch (mutator) {
    case DB_M_ADD:
    case DB_M_SUB:
    case DB_M_MUL:
    case DB_M_DIV:
    case DB_M_MOD:
        /* Arithmetic on integers and reals, scalar or every element of a
         * set; "%=" only on integers. */
        if (db_type_is_map(ctype)
            || (ctype->key.type != DB_TYPE_INTEGER
                && (ctype->key.type != DB_TYPE_REAL
                    || mutator == DB_M_MOD))) {
            return db_mutation_type_mismatch(json, mutator, column);
        }
        db_type_init(&m->arg_type, ctype->key.type);
        break;

    case DB_M_INSERT:
    case DB_M_DELETE:
        if (db_type_is_scalar(ctype)) {
            return db_mutation_type_mismatch(json, mutator, column);
        }
        error = db_mutation_parse_set_arg(m, arg, symtab);
        if (error) {
            db_type_destroy(&m->arg_type);
        }
        return error;
    }

    error = datum_from_json(&m->arg, &m->arg_type, arg, symtab);
    if (error) {
        db_type_destroy(&m->arg_type);
    }
    return error;
}

/* Parses 'json', an array of RFC 7047 <mutation>s on 'table', into 'set'.
 * Named UUIDs resolve through 'symtab' (may be NULL).  Returns NULL, or an
 * error ("syntax error", "unknown column", "unknown mutator", "constraint
 * violation" for an immutable column) and leaves 'set' empty. */
struct db_error *
db_mutation_set_from_json(const struct table_schema *table,
                          const struct json *json, struct db_symtab *symtab,
                          struct db_mutation_set *set)
{
    set->mutations = NULL;
    set->n_mutations = 0;
    if (!json_is_array(json)) {
        return db_error_syntax(json, "syntax error",
                               "Mutations must be an array.");
    }
    size_t n = json_array_size(json);
    set->mutations = xmalloc((n ? n : 1) * sizeof *set->mutations);
    for (size_t i = 0; i < n; i++) {
        struct db_error *error = db_mutation_from_json(
            table, json_array_at(json, i), symtab,
            &set->mutations[set->n_mutations]);
        if (error) {
            db_mutation_set_destroy(set);
            return error;
        }
        set->n_mutations++;
    }
    return NULL;
}

static struct db_error *
db_mutation_range_error(enum db_mutator mutator)
{
    return db_error_create("range error", "Result of \"%s\" operation is "
                           "out of range.", db_mutator_names[mutator]);
}

static struct db_error *
db_mutation_integer(enum db_mutator mutator, long long *x, long long y)
{
    long long r;
    switch (mutator) {
    case DB_M_ADD:
        if (__builtin_add_overflow(*x, y, &r)) {
            return db_mutation_range_error(mutator);
        }
        break;
    case DB_M_SUB:
        if (__builtin_sub_overflow(*x, y, &r)) {
            return db_mutation_range_error(mutator);
        }
        break;
    case DB_M_MUL:
        if (__builtin_mul_overflow(*x, y, &r)) {
            return db_mutation_range_error(mutator);
        }
        break;
    case DB_M_DIV:
    case DB_M_MOD:
        if (!y) {
            return db_error_create("domain error", "Division by zero.");
        }
        if (*x == LLONG_MIN && y == -1) {
            if (mutator == DB_M_DIV) {
                return db_mutation_range_error(mutator);
            }
            r = 0;
        } else {
            r = mutator == DB_M_DIV ? *x / y : *x % y;
        }
        break;
    case DB_M_INSERT:
    case DB_M_DELETE:
    default:
        NOT_REACHED();
    }
    *x = r;
    return NULL;
}

static struct db_error *
db_mutation_real(enum db_mutator mutator, double *x, double y)
{
    double r;
    switch (mutator) {
    case DB_M_ADD:
        r = *x + y;
        break;
    case DB_M_SUB:
        r = *x - y;
        break;
    case DB_M_MUL:
        r = *x * y;
        break;
    case DB_M_DIV:
        if (y == 0.0) {
            return db_error_create("domain error", "Division by zero.");
        }
        r = *x / y;
        break;
    case DB_M_MOD:
    case DB_M_INSERT:
    case DB_M_DELETE:
    default:
        NOT_REACHED();
    }
    if (!isfinite(r)) {
        return db_mutation_range_error(mutator);
    }
    *x = r;
    return NULL;
}

static struct db_error *
db_mutation_count_error(const struct datum *datum,
                        const struct column_schema *column)
{
    char *english = db_type_to_english(&column->type);
    struct db_error *error = db_error_create(
        "constraint violation", "Attempted to store %zu element(s) in "
        "column %s, a %s.", datum->n, column->name, english);
    free(english);
    return error;
}

/* Applies 'm' to 'datum', a copy of the field of 'm->column'. */
static struct db_error *
db_mutation_apply(const struct db_mutation *m, struct datum *datum)
{
    const struct column_schema *column = m->column;
    const struct db_type *type = &column->type;
    struct db_error *error;

    switch (m->mutator) {
    case DB_M_ADD:
    case DB_M_SUB:
    case DB_M_MUL:
    case DB_M_DIV:
    case DB_M_MOD:
        for (size_t i = 0; i < datum->n; i++) {
            union atom *atom = &datum->keys[i];
            error = (type->key.type == DB_TYPE_INTEGER
                     ? db_mutation_integer(m->mutator, &atom->integer,
                                           m->arg.keys[0].integer)
                     : db_mutation_real(m->mutator, &atom->real,
                                        m->arg.keys[0].real));
            if (!error) {
                error = atom_check_constraints(atom, &type->key);
            }
            if (error) {
                return error;
            }
        }
        error = datum_sort_unique(datum, type);
        if (error) {
            db_error_destroy(error);
            return db_error_create("constraint violation", "Result of "
                                   "\"%s\" operation contains duplicates.",
                                   db_mutator_names[m->mutator]);
        }
        return NULL;

    case DB_M_INSERT:
        datum_union(datum, &m->arg, type);
        break;

    case DB_M_DELETE:
        datum_subtract(datum, &m->arg, type, m->arg.values != NULL);
        break;
    }
    if (datum->n < type->n_min || datum->n > type->n_max) {
        return db_mutation_count_error(datum, column);
    }
    return NULL;
}


/* Applies "insert" or "delete" mutation 'm' of a few elements to set column
 * 'm->column' of 'row' in place, by binary searches, and records each
 * element added or removed with row_diff_toggle(), so that the commit
 * costs the number of elements changed. */
static struct db_error *
db_mutation_apply_tracked(const struct db_mutation *m, struct row *row)
{
    const struct column_schema *column = m->column;
    enum db_atomic_type kt = column->type.key.type;
    struct datum *field = &row->fields[column->index];

    row_diff_start(row, column->index);
    if (m->mutator == DB_M_INSERT) {
        field->keys = xrealloc(field->keys, ((field->n + m->arg.n)
                                             * sizeof *field->keys));
        for (size_t i = 0; i < m->arg.n; i++) {
            bool found;
            size_t pos = datum_lower_bound(field, &m->arg.keys[i], kt,
                                           &found);
            if (!found) {
                row_prepare_insert(row, column->index, &m->arg.keys[i]);
                memmove(&field->keys[pos + 1], &field->keys[pos],
                        (field->n - pos) * sizeof *field->keys);
                atom_clone(&field->keys[pos], &m->arg.keys[i], kt);
                field->n++;
                row_diff_toggle(row, column->index, &field->keys[pos]);
            }
        }
    } else {
        for (size_t i = 0; i < m->arg.n && field->n; i++) {
            bool found;
            size_t pos = datum_lower_bound(field, &m->arg.keys[i], kt,
                                           &found);
            if (found) {
                /* A borrowed string that was there before belongs to the
                 * version cloned. */
                if (row_diff_toggle(row, column->index, &field->keys[pos])
                    || !row_column_is_borrowed(row, column->index)) {
                    atom_destroy(&field->keys[pos], kt);
                }
                memmove(&field->keys[pos], &field->keys[pos + 1],
                        (field->n - pos - 1) * sizeof *field->keys);
                field->n--;
            }
        }
    }
    if (!field->n) {
        free(field->keys);
        datum_init_empty(field);
    }
    if (field->n < column->type.n_min || field->n > column->type.n_max) {
        return db_mutation_count_error(field, column);
    }
    return NULL;
}

/* Applies the mutations in 'set', in order, to 'row', which must be a
 * private, modifiable row of the table 'set' was parsed for.  Returns NULL,
 * or an error ("domain error", "range error", "constraint violation"), in
 * which case 'row' may be partly mutated.  An "insert" or "delete" of a few
 * elements into a large set changes the set in place (see
 * row_diff_toggle()), without copying it. */
struct db_error *
db_mutation_set_execute(const struct db_mutation_set *set, struct row *row)
{
    for (size_t i = 0; i < set->n_mutations; i++) {
        const struct db_mutation *m = &set->mutations[i];
        const struct column_schema *column = m->column;
        struct datum copy;

        if ((m->mutator == DB_M_INSERT || m->mutator == DB_M_DELETE)
            && row_diff_is_trackable(row, column->index)
            && m->arg.n <= 64
            && m->arg.n * 8 <= row->fields[column->index].n) {
            struct db_error *error = db_mutation_apply_tracked(m, row);
            if (error) {
                return error;
            }
            continue;
        }

        datum_clone(&copy, &row->fields[column->index], &column->type);
        struct db_error *error = db_mutation_apply(m, &copy);
        if (error) {
            datum_destroy(&copy, &column->type);
            return error;
        }
        row_set_field(row, column->index, &copy);
    }
    return NULL;
}

/* Frees what 'set' owns and leaves it empty. */
void
db_mutation_set_destroy(struct db_mutation_set *set)
{
    for (size_t i = 0; i < set->n_mutations; i++) {
        struct db_mutation *m = &set->mutations[i];
        datum_destroy(&m->arg, &m->arg_type);
        db_type_destroy(&m->arg_type);
    }
    free(set->mutations);
    set->mutations = NULL;
    set->n_mutations = 0;
}
