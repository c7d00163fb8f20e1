/* A database and its file: loads a database from its journal (the schema
 * record, then every transaction record), appends each committed
 * transaction, and compacts the file when it has grown well beyond the live
 * data. */
#ifndef OVSDB_STORAGE_H
#define OVSDB_STORAGE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct db;
struct db_error;
struct ds;
struct json;
struct storage;

struct db_error *storage_create(const char *path, const char *schema_path)
    WARN_UNUSED_RESULT;
struct db_error *storage_open(const char *path, struct storage **,
                              struct db **) WARN_UNUSED_RESULT;
void storage_close(struct storage *);
const char *storage_path(const struct storage *);

struct db_error *storage_commit(struct storage *, const struct json *record,
                                bool durable) WARN_UNUSED_RESULT;
void storage_record_init(struct ds *);
struct db_error *storage_commit_buffer(struct storage *, struct ds *,
                                       bool durable) WARN_UNUSED_RESULT;
bool storage_should_compact(const struct storage *);
struct db_error *storage_compact(struct storage *, const struct db *)
    WARN_UNUSED_RESULT;

/* For memory/show and tests. */
size_t storage_n_records(const struct storage *);
long long storage_size(const struct storage *);

#endif /* ovsdb/storage.h */
