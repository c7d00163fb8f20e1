/* OVSDB conditions (RFC 7047 §5.1 <condition>s): the "where" clause of
 * transact operations and the conditions of monitor_cond (ovsdb-server(7)
 * §4.1.12), which also allow the literal clauses true and false.  A
 * condition is the conjunction of its clauses. */
#ifndef OVSDB_CONDITION_H
#define OVSDB_CONDITION_H 1

#include <stdbool.h>

#include "lib/util.h"

struct column_schema;
struct datum;
struct db_condition;
struct db_error;
struct db_symtab;
struct json;
struct row;
struct table_schema;
struct uuid;

struct db_error *db_condition_from_json(const struct table_schema *,
                                        const struct json *clauses,
                                        bool allow_booleans,
                                        struct db_condition **)
    WARN_UNUSED_RESULT;
struct db_error *db_condition_from_json_symtab(const struct table_schema *,
                                               const struct json *clauses,
                                               bool allow_booleans,
                                               struct db_symtab *,
                                               struct db_condition **)
    WARN_UNUSED_RESULT;
bool db_condition_evaluate(const struct db_condition *, const struct row *);
bool db_condition_evaluate_any(const struct db_condition *,
                               const struct row *);
bool db_condition_is_always_true(const struct db_condition *);
bool db_condition_is_always_false(const struct db_condition *);
bool db_condition_get_uuid(const struct db_condition *, struct uuid *);
const struct datum *db_condition_get_equal(const struct db_condition *,
                                           const struct column_schema *);
void db_condition_destroy(struct db_condition *);

#endif /* ovsdb/condition.h */
