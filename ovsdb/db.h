/* An in-memory OVSDB database: a schema and, for each table, its committed
 * rows, indexes, and the reference bookkeeping that transactions need
 * (strong reference counts for garbage collection and referential
 * integrity, weak reference back-pointers).  Change it only through
 * transactions (txn.h, execute.h). */
#ifndef OVSDB_DB_H
#define OVSDB_DB_H 1

#include <stddef.h>

struct db;
struct db_schema;
struct hmap;
struct row;
struct table_schema;
struct uuid;

struct db *db_create(struct db_schema *);
void db_destroy(struct db *);
const struct db_schema *db_get_schema(const struct db *);
const struct hmap *db_table_rows(const struct db *,
                                 const struct table_schema *);
const struct row *db_find_row(const struct db *, const struct table_schema *,
                              const struct uuid *);
size_t db_count_rows(const struct db *);
void db_assert_valid(const struct db *);

#endif /* ovsdb/db.h */
