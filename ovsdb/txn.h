/* OVSDB transactions: a private set of row changes against a database that
 * either all commit or all vanish.  db_execute() (execute.h) builds one
 * from a "transact" request; storage replay builds one from a file record.
 *
 * Life cycle: db_txn_create(), then changes (db_txn_insert(),
 * db_txn_modify(), db_txn_delete()) interleaved with reads that see them
 * (db_txn_find_row(), db_txn_select()); then db_txn_precommit(), which
 * applies the schema's commit-time rules (garbage collection, weak
 * references, referential integrity, indexes, maxRows) and freezes the
 * transaction; then db_txn_to_record() for storage and db_txn_commit(), or
 * db_txn_abort() at any point.  While a precommitted transaction is
 * pending, its database must not be changed otherwise. */
#ifndef OVSDB_TXN_H
#define OVSDB_TXN_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct db;
struct db_condition;
struct db_error;
struct ds;
struct json;
struct row;
struct table_schema;
struct uuid;

struct db_txn;

/* One row's change in a committed transaction. */
struct db_row_change {
    const struct table_schema *table; /* The row's table. */
    struct row *old;            /* NULL for an insert; a reference. */
    struct row *new;            /* NULL for a delete; a reference. */
    unsigned long *changed;     /* Modify: bitmap of column indexes that
                                   differ (includes _version), owned; NULL
                                   otherwise. */
};

/* What one committed transaction did, in the order rows were first
 * touched.  Reference counted so that histories can keep it. */
struct db_changes {
    struct db_row_change *changes; /* 'n_changes' changes, owned. */
    size_t n_changes;           /* Number of changes. */
    unsigned int refcount;      /* db_changes_ref()/db_changes_unref(). */
};

/* Building a transaction. */
struct db_txn *db_txn_create(struct db *);
struct db *db_txn_get_db(const struct db_txn *);
const struct row *db_txn_find_row(const struct db_txn *,
                                  const struct table_schema *,
                                  const struct uuid *);
bool db_txn_uuid_is_used(const struct db_txn *, const struct table_schema *,
                         const struct uuid *);
size_t db_txn_select(const struct db_txn *, const struct table_schema *,
                     const struct db_condition *, const struct row ***rowsp);
struct row *db_txn_insert(struct db_txn *, const struct table_schema *,
                          const struct uuid *);
struct row *db_txn_modify(struct db_txn *, const struct row *);
void db_txn_delete(struct db_txn *, const struct row *);
void db_txn_add_comment(struct db_txn *, const char *);
const char *db_txn_get_comment(const struct db_txn *);

/* Finishing it. */
struct db_error *db_txn_precommit(struct db_txn *) WARN_UNUSED_RESULT;
bool db_txn_is_empty(const struct db_txn *);
struct json *db_txn_to_record(const struct db_txn *, const char *comment);
struct json *db_txn_to_diff_record(const struct db_txn *,
                                   const char *comment);
bool db_txn_diff_record_to_ds(const struct db_txn *, const char *comment,
                              struct ds *);
struct db_changes *db_txn_commit(struct db_txn *);
void db_txn_abort(struct db_txn *);

struct db_changes *db_changes_ref(struct db_changes *);
void db_changes_unref(struct db_changes *);

/* Storage replay and compaction. */
struct db_error *db_apply_record(struct db *, const struct json *record,
                                 struct db_changes **changesp)
    WARN_UNUSED_RESULT;
struct json *db_to_snapshot_record(const struct db *);

#endif /* ovsdb/txn.h */
