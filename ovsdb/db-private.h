/* Internals of the database shared by db.c, txn.c and execute.c.  Nothing
 * outside ovsdb/ includes this. */
#ifndef OVSDB_DB_PRIVATE_H
#define OVSDB_DB_PRIVATE_H 1

#include "lib/hmap.h"
#include "lib/uuid.h"
#include "ovsdb/db.h"

struct db_txn;

/* The committed contents of one table. */
struct db_table {
    const struct table_schema *schema; /* The table's schema. */
    struct hmap rows;           /* "struct row"s via 'node', uuid_hash(). */
    struct hmap *indexes;       /* schema->n_indexes maps of
                                   "struct row_index_node"s, hashed by
                                   db__index_hash(). */
};

/* A weak reference from one committed row to another, counted: the reverse
 * edge lets a deletion find the rows that must drop their references
 * without scanning their tables. */
struct db_weak_ref {
    struct hmap_node node;      /* In db.weak_refs, by uuid_hash(&dst). */
    const struct table_schema *src_table; /* Referencing row's table. */
    struct uuid src;            /* Referencing row. */
    const struct table_schema *dst_table; /* Referenced row's table. */
    struct uuid dst;            /* Referenced row (may not exist). */
    unsigned int n;             /* Number of references src -> dst. */
};

struct db {
    struct db_schema *schema;   /* Owned. */
    struct db_table *tables;    /* schema->n_tables, by table index. */
    struct hmap weak_refs;      /* "struct db_weak_ref"s. */
    struct db_txn *pending;     /* Precommitted transaction not yet
                                   committed or aborted, if any. */
};

struct db_table *db__table(const struct db *, const struct table_schema *);
uint32_t db__index_hash(const struct row *, size_t index);
void db__insert_row(struct db *, struct row *);
void db__remove_row(struct db *, struct row *);
void db__replace_row(struct db *, struct row *old, struct row *new,
                     const unsigned long *changed);

#endif /* ovsdb/db-private.h */
