/* The reserved "_Server" database (ovsdb-server(5)): one row per database
 * the server serves, so that clients can learn each database's schema and
 * model and monitor them for changes. */
#ifndef OVSDB_SERVER_DB_H
#define OVSDB_SERVER_DB_H 1

#include <stdbool.h>

struct db;
struct db_error;
struct json;
struct uuid;

struct db_error *server_db_create(struct db **);
struct json *server_db_row_ops(const struct db *, const struct uuid *row,
                               bool removed);

#endif /* ovsdb/server-db.h */
