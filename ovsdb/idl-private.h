/* Internals of the IDL, shared by idl.c (replica: declarations, schema
 * binding, update application, tracking, accessors), idl-session.c
 * (protocol state machine, libuv connection, locks, keepalive) and
 * idl-txn.c (transactions).  Only those files and the unit tests include
 * it.
 *
 * The protocol core is pure: idl__connected(), idl__receive() and
 * idl__disconnected() feed it events, and it sends through idl__send(),
 * which writes to the connection or, for an IDL made by
 * idl__create_detached(), queues the message for idl__pop_sent().  The unit
 * tests play the server that way, with no socket and no loop. */
#ifndef OVSDB_IDL_PRIVATE_H
#define OVSDB_IDL_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"
#include "ovsdb/row.h"

struct db_condition;
struct jsonrpc_conn;
struct jsonrpc_msg;

/* A column the program asked for. */
struct idl_column {
    struct hmap_node node;      /* In idl_table.columns, by name hash. */
    char *name;                 /* Owned. */
    struct idl_table *table;    /* The table it belongs to. */
    const struct column_schema *schema; /* NULL until the schema arrives. */
    bool track_diffs;           /* Tracked rows keep the differences of
                                 * this set column (idl_row_get_diff()). */
};

/* A table the program asked for, with its replicated rows. */
struct idl_table {
    struct hmap_node node;      /* In idl.tables, by name hash. */
    char *name;                 /* Owned. */
    struct idl *idl;            /* The IDL it belongs to. */
    bool all_columns;           /* idl_add_all_columns() was called. */
    struct hmap columns;        /* "struct idl_column"s, by name. */
    struct idl_column **column_order; /* Declared columns in the order of
                                       * declaration; owned array. */
    size_t n_column_order;      /* Number of them. */
    size_t allocated_column_order; /* Capacity of 'column_order'. */

    /* Bound when the schema arrives. */
    const struct table_schema *schema; /* NULL until then. */
    unsigned long *monitored;   /* Bitmap of monitored column indexes. */

    struct hmap rows;           /* Live "struct idl_row"s, by uuid_hash. */
    struct list tracked;        /* Tracked rows, by idl_row.track_node. */

    /* Monitor conditions: RFC 7047 <condition> arrays, owned; NULL means
     * every row. */
    struct json *cond;          /* What the program wants. */
    struct json *cond_acked;    /* What the server's monitor has. */
    struct json *cond_sent;     /* In a monitor_cond_change in flight. */
    bool cond_in_flight;        /* Is 'cond_sent' meaningful? */
    bool cond_acked_unknown;    /* The replica may reflect a condition
                                 * other than 'cond_acked'. */
    struct db_condition *v1_cond; /* 'cond' parsed, to filter rows
                                   * client-side under "monitor" (v1). */
};

/* What a tracked row's set column gained and lost since the tracked changes
 * were last cleared. */
struct idl_row_diff {
    size_t column;              /* Its column index. */
    bool known;                 /* 'diff' is valid (false if some change
                                 * came as a whole new value). */
    struct datum diff;          /* The elements that came or went (their
                                 * symmetric difference).  Owned. */
};

/* One replicated row, or a row that a transaction inserts. */
struct idl_row {
    struct hmap_node node;      /* In idl_table.rows while live. */
    struct uuid uuid;           /* Row UUID (temporary for txn inserts). */
    struct idl_table *table;    /* Its table. */
    struct row *data;           /* Column values, indexed like the table
                                 * schema's columns; owned. */
    unsigned int sync_gen;      /* idl.sync_gen when last seen in a full
                                 * sync. */

    /* Change tracking. */
    struct list track_node;     /* In idl_table.tracked if 'tracked'. */
    bool tracked;               /* On the table's tracked list? */
    bool is_new;                /* Inserted since the last clear. */
    bool is_deleted;            /* Deleted since the last clear; no longer
                                 * in idl_table.rows. */
    unsigned long *changed;     /* Bitmap of modified columns, or NULL. */
    struct idl_row_diff *diffs; /* Differences of the modified columns
                                 * with diff tracking, or NULL.  Owned. */
    size_t n_diffs;             /* Number of 'diffs'. */

    struct idl_txn *txn;        /* For a row inserted by a transaction, the
                                 * transaction; else NULL. */
};

/* Protocol states of one connection. */
enum idl_state {
    IDL_S_DISCONNECTED,         /* Waiting to (re)connect. */
    IDL_S_CONNECTING,           /* Stream connecting. */
    IDL_S_SCHEMA,               /* get_schema sent. */
    IDL_S_MONITOR,              /* Monitor request sent. */
    IDL_S_SYNCED,               /* Monitoring; the replica is current. */
};

/* Monitor methods, newest first; a server that answers "unknown method"
 * gets the next one. */
enum idl_monitor_method {
    IDL_MONITOR_SINCE,          /* monitor_cond_since, update3. */
    IDL_MONITOR_COND,           /* monitor_cond, update2. */
    IDL_MONITOR_V1,             /* monitor, update. */
};

/* What a request in flight was. */
enum idl_request_kind {
    IDL_REQ_SCHEMA,
    IDL_REQ_MONITOR,
    IDL_REQ_COND_CHANGE,
    IDL_REQ_MONITOR_CANCEL,
    IDL_REQ_TRANSACT,
    IDL_REQ_LOCK,
    IDL_REQ_UNLOCK,
    IDL_REQ_ECHO,
};

/* A request in flight, found by its JSON-RPC id (an integer). */
struct idl_request {
    struct hmap_node node;      /* In idl.requests, by hash of 'id'. */
    long long id;               /* The request's "id". */
    enum idl_request_kind kind; /* What it was. */
    struct idl_txn *txn;        /* IDL_REQ_TRANSACT: the transaction. */
    char *lock_name;            /* IDL_REQ_LOCK: the lock's name, owned. */
};

struct idl {
    char *db_name;              /* Owned. */
    struct hmap tables;         /* "struct idl_table"s, by name. */
    bool all_tables;            /* idl_add_all_tables() was called. */
    struct db_schema *schema;   /* The bound schema, owned; NULL before. */
    struct db_schema **old_schemas; /* Schemas replaced by a different one
                                     * while tracked rows used them. */
    size_t n_old_schemas;       /* Number of 'old_schemas'. */

    /* Replica state. */
    uint64_t seqno;             /* Changes whenever anything visible does. */
    bool changed;               /* The current batch changed something. */
    bool track_keep;            /* idl_track_enable() was called. */
    unsigned int sync_gen;      /* Generation of the current full sync. */
    idl_change_func *change_cb; /* Called after the seqno changes. */
    void *change_aux;           /* For 'change_cb'. */
    char *last_error;           /* Last error worth reporting, or NULL. */
    bool schema_error;          /* Names missing from the server schema. */
    struct idl_stats stats;     /* Counters. */

    /* Protocol state. */
    enum idl_state state;       /* Where the current connection is. */
    enum idl_monitor_method method; /* Method to try next / in use. */
    struct uuid last_txn_id;    /* From the last update3 or reply; zero if
                                 * none or if the replica cannot be
                                 * resumed. */
    long long next_id;          /* Next JSON-RPC request id. */
    struct hmap requests;       /* "struct idl_request"s in flight. */
    unsigned int monitor_seq;   /* Makes monitor ids unique. */
    struct json *monitor_id;    /* The current monitor's id, or NULL. */
    struct json *monitor_new_id; /* Id a condition change moves to. */
    bool cond_change_pending;   /* A monitor_cond_change is in flight. */
    struct list txns;           /* Every "struct idl_txn" not yet
                                 * destroyed, by idl_txn.list_node. */

    /* Lock. */
    char *lock_name;            /* Wanted lock, owned, or NULL. */
    bool has_lock;              /* The server says we own it. */
    bool lock_requested;        /* "lock" sent on this connection. */

    /* Keepalive. */
    int probe_interval;         /* ms; 0 disables. */
    long long last_rx;          /* When something last arrived (ms). */
    long long echo_sent;        /* When our probe went out, or -1. */
    long long fake_now;         /* Time for a detached IDL (tests). */

    /* Connection (idl-session.c).  'loop' is NULL for a detached IDL. */
    uv_loop_t *loop;            /* Borrowed. */
    char **remotes;             /* Remote names, owned. */
    size_t n_remotes;           /* Number of 'remotes' (>= 1). */
    size_t remote_idx;          /* The one in use or tried next. */
    size_t n_tried;             /* Remotes tried since the last success. */
    struct jsonrpc_conn *conn;  /* Owned; NULL while disconnected. */
    int backoff_min;            /* ms. */
    int backoff_max;            /* ms. */
    int backoff;                /* Delay before the next attempt, ms. */
    uv_timer_t reconnect_timer; /* Fires the next connection attempt. */
    uv_timer_t probe_timer;     /* Keepalive checks. */
    int n_handles;              /* Open libuv handles, for destruction. */
    bool destroyed;             /* idl_destroy() called; freed at last
                                 * handle close. */
    struct list outbox;         /* Detached IDL: sent messages, as
                                 * "struct idl_sent"s. */
};

/* A message a detached IDL sent. */
struct idl_sent {
    struct list node;           /* In idl.outbox. */
    struct jsonrpc_msg *msg;    /* Owned. */
};

/* idl.c: replica. */
long long idl__now(const struct idl *);
void idl__set_error(struct idl *, const char *format, ...)
    PRINTF_FORMAT(2, 3);
void idl__notify(struct idl *);
void idl__batch_begin(struct idl *);
void idl__batch_end(struct idl *);
char *idl__bind_schema(struct idl *, struct db_schema *) WARN_UNUSED_RESULT;
struct json *idl__monitor_requests(const struct idl *,
                                   enum idl_monitor_method);
char *idl__apply_updates(struct idl *, enum idl_monitor_method,
                         const struct json *table_updates)
    WARN_UNUSED_RESULT;
void idl__full_sync_begin(struct idl *);
void idl__full_sync_end(struct idl *);
struct json *idl__cond_change_requests(struct idl *);
void idl__cond_acked(struct idl *, bool success);
void idl__cond_reset_in_flight(struct idl *);
bool idl__conds_all_acked(const struct idl *);
struct idl_row *idl__row_create(struct idl_table *, const struct uuid *);
void idl__row_free(struct idl_row *);
const struct column_schema *idl__column(const struct idl_column *);
void idl__free_replica(struct idl *);

/* idl-session.c: protocol and connection. */
struct idl *idl__create_detached(const char *db_name);
void idl__connected(struct idl *);
void idl__receive(struct idl *, struct jsonrpc_msg *);
void idl__disconnected(struct idl *, int error);
void idl__send(struct idl *, struct jsonrpc_msg *);
long long idl__send_request(struct idl *, const char *method,
                            struct json *params, enum idl_request_kind,
                            struct idl_request **);
struct jsonrpc_msg *idl__pop_sent(struct idl *);
void idl__set_time(struct idl *, long long now_ms);
long long idl__probe_tick(struct idl *);
void idl__drop(struct idl *, const char *reason);
void idl__send_cond_change(struct idl *);
void idl__lock_changed(struct idl *);

/* idl-txn.c: transactions. */
struct json *idl__txn_build(struct idl_txn *, bool *any_writes);
enum idl_txn_status idl__txn_process_reply(struct idl_txn *,
                                           const struct jsonrpc_msg *);
void idl__txn_finish(struct idl_txn *, enum idl_txn_status);
void idl__txn_fail_all(struct idl *, enum idl_txn_status);

#endif /* ovsdb/idl-private.h */
