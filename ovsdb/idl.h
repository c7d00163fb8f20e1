/* The client-side replica of an OVSDB database ("IDL"): every Kiln daemon
 * and CLI reads and writes its databases through it.
 *
 * A program declares the tables and columns it wants, by name, right after
 * idl_create().  The IDL connects to the first remote that answers, fetches
 * the schema (get_schema), checks the names against it, and monitors those
 * columns (monitor_cond_since, falling back to monitor_cond and then
 * monitor for servers that do not know them).  It keeps the rows in memory,
 * applies each update as it arrives, reconnects with exponential backoff
 * when the connection drops, and on reconnection asks only for what changed
 * since the last transaction it saw.
 *
 * Reading: IDL_FOR_EACH_ROW(), idl_row_find(), idl_row_get() and the typed
 * accessors.  Rows and the datums they return stay valid until the next
 * batch of updates is applied, i.e. until control returns to the event loop
 * (tracked deleted rows stay until idl_track_clear()).
 *
 * Tracking: each batch of updates records the rows it inserted, modified
 * (with the columns changed) and deleted.  By default a batch's record
 * replaces the previous one; after idl_track_enable() records accumulate
 * until idl_track_clear().  idl_seqno() changes whenever the replica, the
 * connection state or the lock state changes, and the change callback runs
 * just after.
 *
 * Writing: an idl_txn collects operations against the replica and commits
 * them as one "transact" request (RFC 7047 §4.1.3), asynchronously or
 * blocking (for CLIs).  idl_txn_verify() turns a read into a "wait" on the
 * value read, so that a transaction built on stale data fails with
 * IDL_TXN_TRY_AGAIN instead of overwriting another client's change.
 *
 * Both kiln-db and ovsdb-server send a transaction's monitor update before
 * its reply, so once a transaction reports IDL_TXN_SUCCESS the replica
 * already shows its effects.
 *
 * All of it runs on the caller's libuv loop, in one thread; the blocking
 * helpers run that loop and must not be called from one of its
 * callbacks. */
#ifndef OVSDB_IDL_H
#define OVSDB_IDL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "lib/util.h"
#include "ovsdb/datum.h"

struct column_schema;
struct db_schema;
struct json;
struct table_schema;
struct uuid;

struct idl;
struct idl_column;
struct idl_row;
struct idl_table;
struct idl_txn;

/* Life cycle. */
struct idl *idl_create(uv_loop_t *, const char *remotes, const char *db_name);
void idl_destroy(struct idl *);

/* Connection tuning; both take effect at the next (re)connection. */
void idl_set_backoff(struct idl *, int min_ms, int max_ms);
void idl_set_probe_interval(struct idl *, int ms);
void idl_force_reconnect(struct idl *);

/* What to replicate. */
struct idl_table *idl_add_table(struct idl *, const char *name);
const struct idl_column *idl_add_column(struct idl_table *, const char *name);
void idl_add_all_columns(struct idl_table *);
void idl_add_all_tables(struct idl *);
struct idl_table *idl_get_table(const struct idl *, const char *name);
const struct idl_column *idl_table_find_column(const struct idl_table *,
                                               const char *name);
const char *idl_table_name(const struct idl_table *);
const char *idl_column_name(const struct idl_column *);
struct idl_table *idl_column_table(const struct idl_column *);
const struct table_schema *idl_table_schema(const struct idl_table *);
const struct column_schema *idl_column_schema(const struct idl_column *);
const struct db_schema *idl_get_schema(const struct idl *);
int idl_set_condition(struct idl *, struct idl_table *,
                      const struct json *clauses) WARN_UNUSED_RESULT;
bool idl_condition_is_acked(const struct idl *);

/* State. */
typedef void idl_change_func(struct idl *, void *aux);
void idl_set_change_callback(struct idl *, idl_change_func *, void *aux);
bool idl_is_connected(const struct idl *);
bool idl_has_synced(const struct idl *);
uint64_t idl_seqno(const struct idl *);
const char *idl_get_last_error(const struct idl *);
const char *idl_get_remote(const struct idl *);

/* Counters of one IDL, for tests and appctl. */
struct idl_stats {
    unsigned int n_connects;    /* Connections that reached the server. */
    unsigned int n_syncs;       /* Monitors established (full or resumed). */
    unsigned int n_resumes;     /* monitor_cond_since replies, found true. */
    unsigned int n_full_syncs;  /* Monitors that sent every row. */
    unsigned int n_updates;     /* Update notifications applied. */
    const char *monitor_method; /* Of the current or last monitor. */
};
void idl_get_stats(const struct idl *, struct idl_stats *);

/* Blocking helpers: run the loop until 'done' returns true, the timeout
 * passes (-ETIMEDOUT), or, for idl_wait_synced(), the server's schema lacks
 * a requested name (-ENOENT).  A negative timeout waits forever. */
int idl_run_until(struct idl *, bool (*done)(struct idl *, void *aux),
                  void *aux, long long timeout_ms);
int idl_wait_synced(struct idl *, long long timeout_ms);

/* Rows. */
const struct idl_row *idl_row_find(const struct idl_table *,
                                   const struct uuid *);
const struct idl_row *idl_table_first_row(const struct idl_table *);
const struct idl_row *idl_table_next_row(const struct idl_row *);
size_t idl_table_count(const struct idl_table *);
#define IDL_FOR_EACH_ROW(ROW, TABLE)                                    \
    for ((ROW) = idl_table_first_row(TABLE); (ROW);                     \
         (ROW) = idl_table_next_row(ROW))

const struct uuid *idl_row_uuid(const struct idl_row *);
struct idl_table *idl_row_table(const struct idl_row *);
const struct datum *idl_row_get(const struct idl_row *,
                                const struct idl_column *);
const char *idl_row_get_string(const struct idl_row *,
                               const struct idl_column *);
long long idl_row_get_integer(const struct idl_row *,
                              const struct idl_column *, long long dflt);
bool idl_row_get_boolean(const struct idl_row *, const struct idl_column *,
                         bool dflt);
const char *idl_row_get_map_string(const struct idl_row *,
                                   const struct idl_column *,
                                   const char *key);

/* Change tracking. */
void idl_track_enable(struct idl *);
void idl_track_clear(struct idl *);
const struct idl_row *idl_track_first(const struct idl_table *);
const struct idl_row *idl_track_next(const struct idl_row *);
#define IDL_FOR_EACH_TRACKED(ROW, TABLE)                                \
    for ((ROW) = idl_track_first(TABLE); (ROW);                         \
         (ROW) = idl_track_next(ROW))
bool idl_row_is_new(const struct idl_row *);
bool idl_row_is_deleted(const struct idl_row *);
bool idl_row_is_modified(const struct idl_row *);
void idl_track_column_diffs(const struct idl_column *);
const struct datum *idl_row_get_diff(const struct idl_row *,
                                     const struct idl_column *);
bool idl_row_column_changed(const struct idl_row *,
                            const struct idl_column *);

/* Locks (RFC 7047 §4.1.8-4.1.10). */
void idl_set_lock(struct idl *, const char *name);
bool idl_has_lock(const struct idl *);
bool idl_is_lock_contended(const struct idl *);

/* Transactions. */
enum idl_txn_status {
    IDL_TXN_UNCOMMITTED,        /* Not committed yet. */
    IDL_TXN_INCOMPLETE,         /* Sent; waiting for the reply. */
    IDL_TXN_UNCHANGED,          /* Nothing to write: not sent. */
    IDL_TXN_SUCCESS,            /* Committed. */
    IDL_TXN_TRY_AGAIN,          /* A verified value changed, a row went
                                 * away, or the connection dropped: rebuild
                                 * from the replica and retry. */
    IDL_TXN_NOT_LOCKED,         /* The IDL's lock is not held. */
    IDL_TXN_ERROR,              /* The server refused it; see
                                 * idl_txn_get_error(). */
};
const char *idl_txn_status_to_string(enum idl_txn_status);

typedef void idl_txn_done_func(struct idl_txn *, enum idl_txn_status,
                               void *aux);

struct idl_txn *idl_txn_create(struct idl *);
void idl_txn_destroy(struct idl_txn *);
void idl_txn_add_comment(struct idl_txn *, const char *format, ...)
    PRINTF_FORMAT(2, 3);

const struct idl_row *idl_txn_insert(struct idl_txn *, struct idl_table *);
const struct idl_row *idl_txn_insert_uuid(struct idl_txn *,
                                          struct idl_table *,
                                          const struct uuid *);
void idl_txn_delete(struct idl_txn *, const struct idl_row *);
void idl_txn_set(struct idl_txn *, const struct idl_row *,
                 const struct idl_column *, struct datum *value);
void idl_txn_set_string(struct idl_txn *, const struct idl_row *,
                        const struct idl_column *, const char *);
void idl_txn_set_integer(struct idl_txn *, const struct idl_row *,
                         const struct idl_column *, long long);
void idl_txn_set_boolean(struct idl_txn *, const struct idl_row *,
                         const struct idl_column *, bool);
void idl_txn_set_uuid(struct idl_txn *, const struct idl_row *,
                      const struct idl_column *, const struct uuid *);
void idl_txn_add_to_set(struct idl_txn *, const struct idl_row *,
                        const struct idl_column *, const union atom *);
void idl_txn_remove_from_set(struct idl_txn *, const struct idl_row *,
                             const struct idl_column *, const union atom *);
void idl_txn_map_set_key(struct idl_txn *, const struct idl_row *,
                         const struct idl_column *, const union atom *key,
                         const union atom *value);
void idl_txn_map_remove_key(struct idl_txn *, const struct idl_row *,
                            const struct idl_column *,
                            const union atom *key);
void idl_txn_map_set_string(struct idl_txn *, const struct idl_row *,
                            const struct idl_column *, const char *key,
                            const char *value);
void idl_txn_verify(struct idl_txn *, const struct idl_row *,
                    const struct idl_column *);
void idl_txn_increment(struct idl_txn *, const struct idl_row *,
                       const struct idl_column *);

enum idl_txn_status idl_txn_commit(struct idl_txn *, idl_txn_done_func *,
                                   void *aux);
enum idl_txn_status idl_txn_commit_block(struct idl_txn *);
enum idl_txn_status idl_txn_get_status(const struct idl_txn *);
const char *idl_txn_get_error(const struct idl_txn *);
const struct uuid *idl_txn_get_insert_uuid(const struct idl_txn *,
                                           const struct idl_row *);
long long idl_txn_get_increment_new_value(const struct idl_txn *);

#endif /* ovsdb/idl.h */
