/* The OVSDB server: serves databases over JSON-RPC (RFC 7047 and the
 * ovsdb(7) extensions) on any number of remotes.
 *
 * One server owns its databases (each with its storage), the reserved
 * "_Server" database that describes them, the client sessions, their
 * monitors, their blocked transactions and the locks they hold.
 * Single-threaded, on the caller's libuv loop. */
#ifndef OVSDB_SERVER_H
#define OVSDB_SERVER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "lib/util.h"

struct db;
struct db_error;
struct ds;
struct storage;

struct db_server_options {
    size_t max_msg_size;        /* Largest request, in bytes; 0 = none. */
    size_t max_backlog;         /* Per-client output queued before its
                                   monitor updates wait and its requests
                                   stop being read. */
    size_t history_size;        /* Transactions kept for
                                   monitor_cond_since... */
    size_t history_bytes;       /* ...and the most memory they may keep. */
};

void db_server_options_init(struct db_server_options *);

struct db_server *db_server_create(uv_loop_t *,
                                   const struct db_server_options *);
void db_server_destroy(struct db_server *);

struct db_error *db_server_add_db(struct db_server *, struct db *,
                                  struct storage *) WARN_UNUSED_RESULT;

int db_server_add_remote(struct db_server *, const char *name)
    WARN_UNUSED_RESULT;
int db_server_remove_remote(struct db_server *, const char *name);
void db_server_list_remotes(const struct db_server *, struct ds *);
void db_server_list_dbs(const struct db_server *, struct ds *);
int db_server_remote_port(const struct db_server *, const char *name);

struct db_error *db_server_compact(struct db_server *, const char *db_name)
    WARN_UNUSED_RESULT;
void db_server_memory_report(const struct db_server *, struct ds *);

#endif /* ovsdb/server.h */
