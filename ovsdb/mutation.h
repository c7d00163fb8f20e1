/* OVSDB mutations (RFC 7047 §5.1 <mutation>s), the changes a "mutate"
 * operation makes to each row it selects: arithmetic on integers and reals
 * (including every element of a set of them), and insertion into or
 * deletion from sets and maps. */
#ifndef OVSDB_MUTATION_H
#define OVSDB_MUTATION_H 1

#include <stddef.h>

#include "lib/util.h"
#include "ovsdb/datum.h"
#include "ovsdb/type.h"

struct column_schema;
struct db_error;
struct db_symtab;
struct json;
struct row;
struct table_schema;

enum db_mutator {
    DB_M_ADD,                   /* "+=" */
    DB_M_SUB,                   /* "-=" */
    DB_M_MUL,                   /* "*=" */
    DB_M_DIV,                   /* "/=" */
    DB_M_MOD,                   /* "%=" */
    DB_M_INSERT,                /* "insert" */
    DB_M_DELETE,                /* "delete" */
};

struct db_mutation {
    const struct column_schema *column; /* The column to change. */
    enum db_mutator mutator;    /* How. */
    struct datum arg;           /* The operand, of 'arg_type' (owned). */
    struct db_type arg_type;    /* Operand's type (owned). */
};

struct db_mutation_set {
    struct db_mutation *mutations; /* 'n_mutations' mutations, owned. */
    size_t n_mutations;         /* Number of mutations. */
};

struct db_error *db_mutation_set_from_json(const struct table_schema *,
                                           const struct json *,
                                           struct db_symtab *,
                                           struct db_mutation_set *)
    WARN_UNUSED_RESULT;
struct db_error *db_mutation_set_execute(const struct db_mutation_set *,
                                         struct row *)
    WARN_UNUSED_RESULT;
void db_mutation_set_destroy(struct db_mutation_set *);

#endif /* ovsdb/mutation.h */
