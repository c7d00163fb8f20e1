/* Database monitors (RFC 7047 §4.1.5 "monitor", ovsdb(7) "monitor_cond"
 * and "monitor_cond_since"): what one client asked to watch in one
 * database, and the updates it is owed.
 *
 * Committed changes are merged per row into the monitor's pending set, so
 * a client that reads slowly costs at most one old and one new version of
 * each row it has not yet been told about, however many transactions pass.
 * The server turns the pending set into an update notification whenever
 * the client's connection has room.  This module is pure: JSON and rows in,
 * JSON out. */
#ifndef OVSDB_MONITOR_H
#define OVSDB_MONITOR_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/list.h"
#include "lib/uuid.h"

struct db;
struct db_changes;
struct ds;
struct db_error;
struct json;

enum monitor_version {
    MONITOR_V1,                 /* "monitor": "update" notifications. */
    MONITOR_V2,                 /* "monitor_cond": "update2". */
    MONITOR_V3,                 /* "monitor_cond_since": "update3". */
};

struct monitor;

struct db_error *monitor_create(const struct db *, enum monitor_version,
                                const struct json *requests,
                                struct monitor **) WARN_UNUSED_RESULT;
void monitor_destroy(struct monitor *);
enum monitor_version monitor_get_version(const struct monitor *);

struct json *monitor_initial(const struct monitor *, const struct db *);
void monitor_add_changes(struct monitor *, const struct db_changes *);
bool monitor_has_pending(const struct monitor *);
struct json *monitor_take_update(struct monitor *);
void monitor_clear_pending(struct monitor *);

/* Serialized row updates shared by monitors that watch a table the same
 * way, for one round of updates (while the rows involved stay alive). */
struct monitor_text_cache;
struct monitor_text_cache *monitor_text_cache_create(void);
void monitor_text_cache_destroy(struct monitor_text_cache *);
bool monitor_take_update_text(struct monitor *, struct monitor_text_cache *,
                              struct ds *out);
bool monitor_changes_update_text(const struct monitor *,
                                 const struct db_changes *,
                                 struct monitor_text_cache *,
                                 struct ds *out);
struct db_error *monitor_change_conditions(struct monitor *,
                                           const struct db *,
                                           const struct json *requests,
                                           struct json **updatep)
    WARN_UNUSED_RESULT;

/* The recent transactions of one database, so that a client reconnecting
 * with monitor_cond_since gets only what it missed. */
struct history {
    struct list entries;        /* "struct history_entry"s, oldest first. */
    size_t n_entries;           /* Number of entries. */
    size_t max_entries;         /* Oldest dropped beyond this... */
    size_t n_bytes;             /* Estimated memory the entries keep. */
    size_t max_bytes;           /* ...or beyond this many bytes. */
};

void history_init(struct history *, size_t max_entries, size_t max_bytes);
void history_uninit(struct history *);
void history_add(struct history *, const struct uuid *txn_id,
                 struct db_changes *);
const struct uuid *history_last_id(const struct history *);
bool history_replay_since(const struct history *, const struct uuid *txn_id,
                          struct monitor *);

#endif /* ovsdb/monitor.h */
