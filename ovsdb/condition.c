/* OVSDB conditions (see condition.h). */
#include "ovsdb/condition.h"

#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/uuid.h"
#include "ovsdb/datum.h"
#include "ovsdb/error.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"

/* RFC 7047 §5.1 <function>s, plus the boolean literals. */
enum db_function {
    DB_F_LT,
    DB_F_LE,
    DB_F_EQ,
    DB_F_NE,
    DB_F_GE,
    DB_F_GT,
    DB_F_INCLUDES,
    DB_F_EXCLUDES,
    DB_F_TRUE,
    DB_F_FALSE,
};

static const char *const db_function_names[] = {
    [DB_F_LT] = "<",
    [DB_F_LE] = "<=",
    [DB_F_EQ] = "==",
    [DB_F_NE] = "!=",
    [DB_F_GE] = ">=",
    [DB_F_GT] = ">",
    [DB_F_INCLUDES] = "includes",
    [DB_F_EXCLUDES] = "excludes",
};

struct db_clause {
    enum db_function function;  /* What to test. */
    const struct column_schema *column; /* NULL for DB_F_TRUE/FALSE. */
    struct datum arg;           /* The value compared with, of the column's
                                   atomic types (owned). */
};

struct db_condition {
    struct db_clause *clauses;  /* 'n_clauses' clauses, owned. */
    size_t n_clauses;           /* Number of clauses. */
};

static bool
db_function_from_string(const char *s, enum db_function *f)
{
    for (size_t i = 0; i < ARRAY_SIZE(db_function_names); i++) {
        if (!strcmp(s, db_function_names[i])) {
            *f = i;
            return true;
        }
    }
    return false;
}

static struct db_error *
db_clause_from_json(const struct table_schema *table,
                    const struct json *json, bool allow_booleans,
                    struct db_symtab *symtab, struct db_clause *clause)
{
    if (allow_booleans && json_is_boolean(json)) {
        clause->function = json_boolean(json) ? DB_F_TRUE : DB_F_FALSE;
        clause->column = NULL;
        datum_init_empty(&clause->arg);
        return NULL;
    }
    if (!json_is_array(json) || json_array_size(json) != 3
        || !json_is_string(json_array_at(json, 0))
        || !json_is_string(json_array_at(json, 1))) {
        return db_error_syntax(json, "syntax error",
                               "Parse error in condition.");
    }

    const char *column_name = json_string(json_array_at(json, 0));
    const struct column_schema *column = table_schema_find_column(
        table, column_name);
    if (!column) {
        return db_error_syntax(json, "unknown column",
                               "No column %s in table %s.", column_name,
                               table->name);
    }
    const char *function_name = json_string(json_array_at(json, 1));
    enum db_function function;
    if (!db_function_from_string(function_name, &function)) {
        /* The clause is well formed: ovsdb-server quotes no "syntax". */
        return db_error_create("unknown function", "No function named %s.",
                               function_name);
    }

    /* The argument's type: the column's, relaxed where the function
     * compares with part of a value. */
    struct db_type type = column->type;
    switch (function) {
    case DB_F_LT:
    case DB_F_LE:
    case DB_F_GE:
    case DB_F_GT:
        /* ovsdb-server(7) §5.1: also on optional integers and reals. */
        if ((!db_type_is_scalar(&type) && !db_type_is_optional_scalar(&type))
            || (type.key.type != DB_TYPE_INTEGER
                && type.key.type != DB_TYPE_REAL)) {
            char *english = db_type_to_english(&type);
            struct db_error *error = db_error_syntax(
                json, "syntax error", "Type mismatch: \"%s\" operator may "
                "not be applied to column %s of type %s.", function_name,
                column->name, english);
            free(english);
            return error;
        }
        type.n_min = type.n_max = 1;
        break;
    case DB_F_EQ:
    case DB_F_NE:
        break;
    case DB_F_INCLUDES:
        if (!db_type_is_scalar(&type)) {
            type.n_min = 0;
        }
        break;
    case DB_F_EXCLUDES:
        if (!db_type_is_scalar(&type)) {
            type.n_min = 0;
            type.n_max = UINT_MAX;
        }
        break;
    case DB_F_TRUE:
    case DB_F_FALSE:
        NOT_REACHED();
    }

    struct db_error *error = datum_from_json(&clause->arg, &type,
                                             json_array_at(json, 2), symtab);
    if (error) {
        return error;
    }
    clause->function = function;
    clause->column = column;
    return NULL;
}

/* Parses 'clauses', a JSON array of RFC 7047 <condition>s on 'table', into a
 * new condition stored in '*conditionp' (owned by the caller).  With
 * 'allow_booleans', a clause may also be true or false (ovsdb-server(7)
 * §5.1).  Named UUIDs are not allowed.  Returns NULL, or an error ("syntax
 * error", "unknown column", "unknown function", ...) and stores NULL. */
struct db_error *
db_condition_from_json(const struct table_schema *table,
                       const struct json *clauses, bool allow_booleans,
                       struct db_condition **conditionp)
{
    return db_condition_from_json_symtab(table, clauses, allow_booleans,
                                         NULL, conditionp);
}

/* Like db_condition_from_json(), resolving ["named-uuid", NAME] through
 * 'symtab' (as within a transaction) if it is nonnull. */
struct db_error *
db_condition_from_json_symtab(const struct table_schema *table,
                              const struct json *clauses,
                              bool allow_booleans, struct db_symtab *symtab,
                              struct db_condition **conditionp)
{
    *conditionp = NULL;
    if (!json_is_array(clauses)) {
        return db_error_syntax(clauses, "syntax error",
                               "Conditions must be an array.");
    }

    struct db_condition *cond = xzalloc(sizeof *cond);
    size_t n = json_array_size(clauses);
    cond->clauses = xmalloc((n ? n : 1) * sizeof *cond->clauses);
    for (size_t i = 0; i < n; i++) {
        struct db_error *error = db_clause_from_json(
            table, json_array_at(clauses, i), allow_booleans, symtab,
            &cond->clauses[cond->n_clauses]);
        if (error) {
            db_condition_destroy(cond);
            return error;
        }
        cond->n_clauses++;
    }
    *conditionp = cond;
    return NULL;
}

static bool
db_clause_evaluate(const struct db_clause *clause, const struct row *row)
{
    if (clause->function == DB_F_TRUE) {
        return true;
    } else if (clause->function == DB_F_FALSE) {
        return false;
    }

    const struct column_schema *column = clause->column;
    const struct datum *field = &row->fields[column->index];
    const struct db_type *type = &column->type;
    int cmp;

    switch (clause->function) {
    case DB_F_LT:
    case DB_F_LE:
    case DB_F_GE:
    case DB_F_GT:
        if (!field->n) {
            return false;
        }
        cmp = atom_compare(&field->keys[0], &clause->arg.keys[0],
                           type->key.type);
        switch (clause->function) {
        case DB_F_LT:
            return cmp < 0;
        case DB_F_LE:
            return cmp <= 0;
        case DB_F_GE:
            return cmp >= 0;
        default:
            return cmp > 0;
        }
    case DB_F_EQ:
        return datum_equals(field, &clause->arg, type);
    case DB_F_NE:
        return !datum_equals(field, &clause->arg, type);
    case DB_F_INCLUDES:
        return datum_includes_all(field, &clause->arg, type);
    case DB_F_EXCLUDES:
        return datum_excludes_all(field, &clause->arg, type);
    case DB_F_TRUE:
    case DB_F_FALSE:
        break;
    }
    NOT_REACHED();
}

/* Returns true if 'row' satisfies every clause of 'cond'.  'row' must be of
 * the table 'cond' was parsed for. */
bool
db_condition_evaluate(const struct db_condition *cond, const struct row *row)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (!db_clause_evaluate(&cond->clauses[i], row)) {
            return false;
        }
    }
    return true;
}

/* Returns true if 'row' satisfies at least one clause of 'cond', or 'cond'
 * has no clauses.  Monitor conditions combine their clauses this way:
 * ovsdb-server(7) sends "every row ... that matches one of the
 * conditions", where "where" in a transaction needs all of them. */
bool
db_condition_evaluate_any(const struct db_condition *cond,
                          const struct row *row)
{
    if (!cond->n_clauses) {
        return true;
    }
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (db_clause_evaluate(&cond->clauses[i], row)) {
            return true;
        }
    }
    return false;
}

/* Returns true if 'cond' is satisfied by every row: it has no clauses, or
 * only "true" ones. */
bool
db_condition_is_always_true(const struct db_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (cond->clauses[i].function != DB_F_TRUE) {
            return false;
        }
    }
    return true;
}

/* Returns true if 'cond' has a "false" clause, so no row satisfies it. */
bool
db_condition_is_always_false(const struct db_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (cond->clauses[i].function == DB_F_FALSE) {
            return true;
        }
    }
    return false;
}

/* If 'cond' can only be satisfied by the row whose UUID is U, because one
 * of its clauses is ["_uuid", "==", U] (or "includes" U), stores U in
 * '*uuid' and returns true, so that callers look up one row instead of
 * scanning the table.  Otherwise returns false. */
bool
db_condition_get_uuid(const struct db_condition *cond, struct uuid *uuid)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct db_clause *clause = &cond->clauses[i];
        if (clause->column && clause->column->index == DB_COLUMN_UUID
            && (clause->function == DB_F_EQ
                || clause->function == DB_F_INCLUDES)
            && clause->arg.n == 1) {
            *uuid = clause->arg.keys[0].uuid;
            return true;
        }
    }
    return false;
}

/* If one of the clauses of 'cond' is [COLUMN, "==", VALUE] for 'column',
 * returns VALUE (owned by 'cond'), so that callers can look rows up in an
 * index on 'column'.  Otherwise returns NULL. */
const struct datum *
db_condition_get_equal(const struct db_condition *cond,
                       const struct column_schema *column)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct db_clause *clause = &cond->clauses[i];
        if (clause->column == column && clause->function == DB_F_EQ) {
            return &clause->arg;
        }
    }
    return NULL;
}

/* Frees 'cond'.  Does nothing if 'cond' is NULL. */
void
db_condition_destroy(struct db_condition *cond)
{
    if (!cond) {
        return;
    }
    for (size_t i = 0; i < cond->n_clauses; i++) {
        struct db_clause *clause = &cond->clauses[i];
        if (clause->column) {
            datum_destroy(&clause->arg, &clause->column->type);
        }
    }
    free(cond->clauses);
    free(cond);
}
