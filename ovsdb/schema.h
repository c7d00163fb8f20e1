/* OVSDB database schemas (RFC 7047 §3.2 <database-schema>): tables, their
 * columns with types and flags, indexes, and the garbage-collection root
 * set.  A schema is immutable once parsed; a database keeps the one it was
 * created with. */
#ifndef OVSDB_SCHEMA_H
#define OVSDB_SCHEMA_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"
#include "lib/util.h"
#include "ovsdb/type.h"

struct db_error;
struct json;

struct db_schema {
    char *name;                 /* "OVN_Northbound". */
    char *version;              /* "7.0.0"; NULL if absent. */
    char *cksum;                /* NULL if absent. */
    struct hmap tables;         /* "struct table_schema"s by name. */
    struct table_schema **table_array; /* The tables in schema order. */
    size_t n_tables;            /* Number of tables. */
};

/* A group of columns whose values no two rows may share. */
struct table_schema_index {
    const struct column_schema **columns; /* 'n_columns' columns, owned
                                             array of borrowed pointers. */
    size_t n_columns;           /* At least 1. */
};

struct table_schema {
    struct hmap_node node;      /* In db_schema.tables. */
    char *name;                 /* Owned. */
    bool is_root;               /* Exempt from garbage collection. */
    long long max_rows;         /* LLONG_MAX if unlimited. */
    struct column_schema **columns; /* [0] "_uuid", [1] "_version", then
                                       the schema's columns in schema
                                       order; owned. */
    size_t n_columns;           /* Number of columns, including the two. */

    size_t index;               /* Position in db_schema.table_array. */
    bool declared_root;         /* The schema says "isRoot": true. */
    struct hmap columns_by_name; /* "struct column_schema"s by name. */
    struct table_schema_index *indexes; /* 'n_indexes' indexes, owned. */
    size_t n_indexes;           /* Number of indexes. */
    size_t n_inline_atoms;      /* Atoms a row keeps inline (row.h). */
    bool has_strong_refs;       /* A column holds strong references. */
    bool has_weak_refs;         /* A column holds weak references. */
    bool is_weak_target;        /* Some column weakly references us. */
};

struct column_schema {
    struct hmap_node node;      /* In table_schema.columns_by_name. */
    char *name;                 /* Owned. */
    size_t index;               /* Position in table_schema.columns. */
    struct db_type type;        /* Type and constraints. */
    bool is_mutable;            /* false for "mutable": false. */
    bool is_persistent;         /* false for "ephemeral": true. */
    size_t inline_atom;         /* For a column that always holds exactly
                                   one element, where a row keeps its
                                   atom(s) inline; else SIZE_MAX. */
};

/* Indexes of the two columns every table has. */
#define DB_COLUMN_UUID 0
#define DB_COLUMN_VERSION 1

struct db_error *db_schema_from_json(const struct json *,
                                     struct db_schema **)
    WARN_UNUSED_RESULT;
struct db_error *db_schema_from_file(const char *path, struct db_schema **)
    WARN_UNUSED_RESULT;
struct json *db_schema_to_json(const struct db_schema *);
struct db_schema *db_schema_clone(const struct db_schema *);
bool db_schema_equal(const struct db_schema *, const struct db_schema *);
void db_schema_destroy(struct db_schema *);
const struct table_schema *db_schema_find_table(const struct db_schema *,
                                                const char *name);
const struct column_schema *table_schema_find_column(
    const struct table_schema *, const char *name);

#endif /* ovsdb/schema.h */
