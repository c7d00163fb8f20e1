/* The OVSDB server core: listeners, client sessions, request dispatch, the
 * commit pipeline, monitor fan-out, locks and blocked transactions. */
#include "ovsdb/server.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/counter.h"
#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/list.h"
#include "lib/log.h"
#include "lib/stream.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/execute.h"
#include "ovsdb/monitor.h"
#include "ovsdb/schema.h"
#include "ovsdb/server-db.h"
#include "ovsdb/storage.h"
#include "ovsdb/txn.h"

LOG_MODULE(server);

COUNTER_DEFINE(server_transact);
COUNTER_DEFINE(server_commit);
COUNTER_DEFINE(server_trigger_blocked);
COUNTER_DEFINE(server_update_sent);
COUNTER_DEFINE(server_backlog_stall);
COUNTER_DEFINE(server_bad_request);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(60, 10);

/* One database being served. */
struct server_db {
    struct hmap_node node;      /* In 'server->dbs', by name. */
    char *name;                 /* The schema's name. */
    struct db *db;              /* Owned. */
    struct storage *storage;    /* Owned; NULL for _Server. */
    struct json *schema_json;   /* Cached get_schema reply. */
    struct history history;     /* For monitor_cond_since. */
    struct uuid last_txn_id;    /* Newest commit's id (zero if none). */
    struct list monitors;       /* "struct session_monitor"s, db_node. */
    struct uuid server_row;     /* This db's row in _Server.Database. */
};

/* A remote the server listens on. */
struct server_remote {
    struct list node;           /* In 'server->remotes'. */
    char *name;                 /* As given: "punix:...", "ptcp:...". */
    struct stream_listener *listener;
    struct db_server *server;
};

struct db_server {
    uv_loop_t *loop;
    struct db_server_options opts;
    struct hmap dbs;            /* "struct server_db"s by name. */
    struct server_db *server_db; /* The _Server database. */
    struct list remotes;        /* "struct server_remote"s. */
    struct list sessions;       /* "struct session"s. */
    struct list dead_sessions;  /* Closed, to be freed after this turn. */
    struct hmap locks;          /* "struct server_lock"s by name. */
    struct list triggers;       /* "struct trigger"s, server_node. */
    bool triggers_dirty;        /* A commit happened: retry triggers. */
    uv_check_t check;           /* Per-iteration work (flush, triggers). */
    uv_timer_t trigger_timer;   /* Next "wait" timeout. */
    struct uuid sid;            /* Server id (get_server_id). */
};

struct session {
    struct list node;           /* In 'server->sessions' or dead list. */
    struct db_server *server;
    struct jsonrpc_conn *conn;  /* Owned. */
    struct hmap monitors;       /* "struct session_monitor"s, by id. */
    struct list triggers;       /* "struct trigger"s, session_node. */
    struct hmap waiters;        /* "struct lock_waiter"s, by lock name. */
    bool dead;                  /* Connection gone; freed soon. */
    bool paused;                /* Reading stopped for backlog. */
    bool change_aware;          /* set_db_change_aware true. */
    bool dirty;                 /* Monitors may have pending updates. */
};

struct session_monitor {
    struct hmap_node node;      /* In 'session->monitors', by id hash. */
    struct list db_node;        /* In 'sdb->monitors'. */
    struct session *session;
    struct server_db *sdb;
    struct json *id;            /* The client's monitor id. */
    struct monitor *monitor;    /* Owned. */
};

/* A "transact" blocked on "wait". */
struct trigger {
    struct list session_node;   /* In 'session->triggers'. */
    struct list server_node;    /* In 'server->triggers'. */
    struct session *session;
    struct server_db *sdb;
    struct json *id;            /* Request id. */
    struct json *params;        /* Request params. */
    long long created;          /* time_msec() of the first attempt. */
    long long deadline;         /* Next timeout, or LLONG_MAX. */
};

/* A named lock and its queue of waiters; the front one owns it. */
struct server_lock {
    struct hmap_node node;      /* In 'server->locks', by name. */
    char *name;
    struct list waiters;        /* "struct lock_waiter"s, lock_node. */
};

struct lock_waiter {
    struct hmap_node node;      /* In 'session->waiters', by name. */
    struct list lock_node;      /* In 'lock->waiters'. */
    struct server_lock *lock;
    struct session *session;
};

static void session_send(struct session *, struct jsonrpc_msg *);
static void session_flush_monitors(struct session *);
static void server_retry_triggers(struct db_server *);
static void server_update_server_db(struct db_server *, struct server_db *,
                                    bool removed);

void
db_server_options_init(struct db_server_options *opts)
{
    /* A southbound database's first transaction from northd holds every
     * logical flow: hundreds of megabytes at 20,000 ports. */
    opts->max_msg_size = 1024u * 1024 * 1024;
    opts->max_backlog = 64u * 1024;
    opts->history_size = 100;
    opts->history_bytes = 16u * 1024 * 1024;
}

/* Errors in the shape ovsdb-server uses for request-level failures. */
static struct json *
request_error(const char *tag, const struct json *syntax, const char *fmt,
              ...) PRINTF_FORMAT(3, 4);

static struct json *
request_error(const char *tag, const struct json *syntax, const char *fmt,
              ...)
{
    struct json *e = json_object_create();
    json_object_put_new(e, "error", json_string_create(tag));
    if (fmt) {
        va_list args;
        struct ds ds = DS_EMPTY_INITIALIZER;
        va_start(args, fmt);
        ds_put_format_valist(&ds, fmt, args);
        va_end(args);
        json_object_put_new(e, "details",
                            json_string_create_nocopy(ds_steal_cstr(&ds)));
    }
    if (syntax) {
        json_object_put_new(e, "syntax",
                            json_string_create_nocopy(
                                json_to_string(syntax, 0)));
    }
    return e;
}

static struct json *
db_error_json_consume(struct db_error *error)
{
    struct json *json = db_error_to_json(error);
    db_error_destroy(error);
    return json;
}

static struct server_db *
server_find_db(const struct db_server *server, const char *name)
{
    struct server_db *sdb;
    HMAP_FOR_EACH_WITH_HASH (sdb, node, hash_string(name, 0),
                             &server->dbs) {
        if (!strcmp(sdb->name, name)) {
            return sdb;
        }
    }
    return NULL;
}

/* Looks up the database named by 'params[0]' of a request to 'method',
 * replying with an error and returning NULL if there is none. */
static struct server_db *
session_get_db(struct session *s, const struct jsonrpc_msg *req)
{
    const struct json *params = req->params;
    if (!json_array_size(params)
        || json_array_at(params, 0)->type != JSON_STRING) {
        session_send(s, jsonrpc_msg_create_error(
                         request_error("syntax error", params,
                                       "%s request lacks a database name",
                                       req->method), req->id));
        return NULL;
    }
    const char *name = json_string(json_array_at(params, 0));
    struct server_db *sdb = server_find_db(s->server, name);
    if (!sdb) {
        session_send(s, jsonrpc_msg_create_error(
                         request_error("unknown database", params,
                                       "%s request specifies unknown "
                                       "database %s", req->method, name),
                         req->id));
    }
    return sdb;
}

/* Sending. */

static void
session_send(struct session *s, struct jsonrpc_msg *msg)
{
    if (s->dead) {
        jsonrpc_msg_destroy(msg);
        return;
    }
    jsonrpc_conn_send(s->conn, msg);
}

static bool
session_has_room(const struct session *s)
{
    return !s->dead
           && jsonrpc_conn_backlog(s->conn) < s->server->opts.max_backlog;
}

static void
session_send_update(struct session *s, struct session_monitor *sm,
                    struct json *update)
{
    const char *method;
    struct json *params = json_array_create_1(json_ref(sm->id));
    switch (monitor_get_version(sm->monitor)) {
    case MONITOR_V1:
        method = "update";
        break;
    case MONITOR_V2:
        method = "update2";
        break;
    case MONITOR_V3:
    default: {
        char id[UUID_LEN + 1];
        uuid_to_buffer(&sm->sdb->last_txn_id, id);
        json_array_add(params, json_string_create(id));
        method = "update3";
        break;
    }
    }
    json_array_add(params, update);
    COUNTER_INC(server_update_sent);
    session_send(s, jsonrpc_msg_create_notify(method, params));
}

/* Appends to 's' an update notification for 'sm' whose <table-updates>
 * 'put' writes (through 'cache'); sends nothing if 'put' says the client
 * sees no change.  The message is written straight into the connection's
 * output buffer. */
static void
session_send_update_text(struct session *s, struct session_monitor *sm,
                         const struct db_changes *changes,
                         struct monitor_text_cache *cache)
{
    static const char *methods[] = {
        [MONITOR_V1] = "update", [MONITOR_V2] = "update2",
        [MONITOR_V3] = "update3",
    };
    enum monitor_version version = monitor_get_version(sm->monitor);
    struct ds *out = jsonrpc_conn_send_buffer(s->conn);
    size_t start = out->length;

    ds_put_format(out, "{\"id\":null,\"method\":\"%s\",\"params\":[",
                  methods[version]);
    json_to_ds(sm->id, 0, out);
    if (version == MONITOR_V3) {
        char id[UUID_LEN + 1];
        uuid_to_buffer(&sm->sdb->last_txn_id, id);
        ds_put_format(out, ",\"%s\"", id);
    }
    ds_put_char(out, ',');
    bool any = (changes
                ? monitor_changes_update_text(sm->monitor, changes, cache,
                                              out)
                : monitor_take_update_text(sm->monitor, cache, out));
    if (!any) {
        ds_truncate(out, start);
        if (!out->length && out->allocated > 1024 * 1024) {
            /* Do not keep a large buffer offered by server_commit() for
             * nothing. */
            ds_uninit(out);
        }
        return;
    }
    ds_put_cstr(out, "]}");
    COUNTER_INC(server_update_sent);
    jsonrpc_conn_flush(s->conn);
}

/* Sends each monitor's pending changes while the connection has room.
 * With a 'cache', shares the work of serializing rows with every other
 * monitor flushed in the same round. */
static void
session_flush_monitors__(struct session *s, struct monitor_text_cache *cache,
                         bool force)
{
    if (!s->dirty || s->dead) {
        return;
    }
    struct session_monitor *sm;
    HMAP_FOR_EACH (sm, node, &s->monitors) {
        if (!monitor_has_pending(sm->monitor)) {
            continue;
        }
        if (!force && !session_has_room(s)) {
            COUNTER_INC(server_backlog_stall);
            return;
        }
        if (cache) {
            session_send_update_text(s, sm, NULL, cache);
        } else {
            struct json *update = monitor_take_update(sm->monitor);
            if (update) {
                session_send_update(s, sm, update);
            }
        }
    }
    s->dirty = false;
}

static void
session_flush_monitors_cached(struct session *s,
                              struct monitor_text_cache *cache)
{
    session_flush_monitors__(s, cache, false);
}

/* Sends 's' every pending update now, however much output it has queued:
 * a client must see its own transaction in its monitors no later than the
 * reply (the OVS IDLs rely on it).  This stays bounded because a client
 * with a full queue has its requests left unread. */
static void
session_flush_monitors(struct session *s)
{
    session_flush_monitors__(s, NULL, true);
}

/* Tells every monitor of 'sdb' about 'changes'.  A monitor whose client has
 * seen everything so far and has room gets its update at once; the others
 * merge the changes into their pending set, which the client gets when its
 * connection drains.  Either way each changed row is serialized once per
 * way of watching its table, not once per client. */
static void
server_notify_monitors(struct server_db *sdb, struct db_changes *changes,
                       struct ds *spare)
{
    struct monitor_text_cache *cache = NULL;
    struct session_monitor *sm;
    /* With a single monitor, there is nothing to share: print straight
     * into its connection's buffer. */
    bool share = (!list_is_empty(&sdb->monitors)
                  && list_front(&sdb->monitors) != list_back(&sdb->monitors));

    LIST_FOR_EACH (sm, db_node, &sdb->monitors) {
        struct session *s = sm->session;
        if (s->dead || monitor_has_pending(sm->monitor)
            || !session_has_room(s)) {
            monitor_add_changes(sm->monitor, changes);
            s->dirty = true;
            continue;
        }
        if (!cache && share) {
            cache = monitor_text_cache_create();
        }
        if (spare) {
            jsonrpc_conn_offer_buffer(s->conn, spare);
            spare = NULL;
        }
        session_send_update_text(s, sm, changes, cache);
    }
    monitor_text_cache_destroy(cache);
}

/* Commits. */

/* Finishes a transaction that db_execute() says to commit: writes it to
 * storage, applies it, and feeds the monitors.  Appends an error to
 * 'result' if storage fails. */
static void
server_commit(struct db_server *server, struct server_db *sdb,
              struct db_exec_result *r)
{
    /* The record, printed straight into the journal's buffer: a large
     * transaction's record is never built as a JSON tree.  Its memory is
     * then offered to the first monitor update. */
    struct ds record = DS_EMPTY_INITIALIZER;
    if (sdb->storage) {
        /* The diff form (ovsdb(5) "_is_diff") writes only what changed in
         * a set or map, not the whole new value. */
        storage_record_init(&record);
        /* False: only ephemeral columns changed; nothing to store. */
        struct db_error *error = (db_txn_diff_record_to_ds(
                                      r->txn, db_txn_get_comment(r->txn),
                                      &record)
                                  ? storage_commit_buffer(sdb->storage,
                                                          &record,
                                                          r->durable)
                                  : NULL);
        if (error) {
            ds_uninit(&record);
            db_txn_abort(r->txn);
            r->txn = NULL;
            json_array_add(r->reply, db_error_json_consume(error));
            return;
        }
    }

    struct db_changes *changes = db_txn_commit(r->txn);
    r->txn = NULL;
    COUNTER_INC(server_commit);

    uuid_generate(&sdb->last_txn_id);
    history_add(&sdb->history, &sdb->last_txn_id, changes);
    server_notify_monitors(sdb, changes, &record);
    ds_uninit(&record);
    db_changes_unref(changes);
    server->triggers_dirty = true;

    if (sdb->storage && storage_should_compact(sdb->storage)) {
        struct db_error *error = storage_compact(sdb->storage, sdb->db);
        if (error) {
            char *s = db_error_to_string(error);
            LOG_WARN("%s", s);
            free(s);
            db_error_destroy(error);
        }
    }
}

static bool
session_has_lock(const char *name, void *s_)
{
    struct session *s = s_;
    struct lock_waiter *w;
    HMAP_FOR_EACH_WITH_HASH (w, node, hash_string(name, 0), &s->waiters) {
        if (!strcmp(w->lock->name, name)) {
            return list_front(&w->lock->waiters) == &w->lock_node;
        }
    }
    return false;
}

/* Ops that would change _Server, which clients may only read. */
static int
find_write_op(const struct json *params)
{
    for (size_t i = 1; i < json_array_size(params); i++) {
        const struct json *op = json_array_at(params, i);
        const char *name = (op->type == JSON_OBJECT
                            ? json_object_find_string(op, "op") : NULL);
        if (name && (!strcmp(name, "insert") || !strcmp(name, "update")
                     || !strcmp(name, "mutate") || !strcmp(name, "delete"))) {
            return i;
        }
    }
    return -1;
}

/* Runs a transact request.  Returns true if it finished (the reply has
 * been sent), false if it is blocked.  If 'paramsp' is nonnull, '*paramsp'
 * is 'params', a reference the caller gives up if the request finishes:
 * it is then released (and '*paramsp' set to NULL) as soon as the
 * operations have run, so that the memory of a large request's JSON is
 * free again for its journal record, monitor updates and reply. */
static bool
session_execute(struct session *s, struct server_db *sdb,
                const struct json *id, const struct json *params,
                struct json **paramsp, long long elapsed_ms,
                long long *retry_ms)
{
    struct db_exec_env env = {
        .has_lock = session_has_lock,
        .aux = s,
        .elapsed_ms = elapsed_ms,
    };
    struct db_exec_result r;

    db_execute(sdb->db, params, &env, &r);
    if (r.status == DB_EXEC_BLOCKED) {
        *retry_ms = r.retry_ms;
        return false;
    }
    int write_op = (r.status == DB_EXEC_COMMIT && sdb == s->server->server_db
                    ? find_write_op(params) : -1);
    if (paramsp && write_op <= 0) {
        /* (A refused _Server write still needs them, below.) */
        json_unref(*paramsp);
        *paramsp = NULL;
        params = NULL;
    }
    if (r.status == DB_EXEC_COMMIT) {
        if (write_op > 0) {
            /* RFC 7047 leaves _Server to the server: report the first
             * write as not allowed and the rest as not attempted. */
            db_txn_abort(r.txn);
            r.txn = NULL;
            const struct json *op = json_array_at(params, write_op);
            struct json *e = request_error(
                "not allowed", NULL, "%s operation not allowed on table in "
                "reserved database _Server",
                json_object_find_string(op, "op"));
            struct json *reply = json_array_create_empty();
            for (size_t i = 1; i < json_array_size(params); i++) {
                json_array_add(reply,
                               (int) i < write_op
                               ? json_ref(json_array_at(r.reply, i - 1))
                               : (int) i == write_op ? e
                               : json_null_create());
            }
            json_unref(r.reply);
            r.reply = reply;
        } else {
            server_commit(s->server, sdb, &r);
        }
    }
    /* Clients expect to see a transaction's effects in their monitors no
     * later than its reply. */
    session_flush_monitors(s);
    session_send(s, jsonrpc_msg_create_reply(r.reply, id));
    return true;
}

/* Triggers. */

static void
trigger_destroy(struct trigger *t)
{
    list_remove(&t->session_node);
    list_remove(&t->server_node);
    json_unref(t->id);
    json_unref(t->params);
    free(t);
}

static void
server_trigger_timer_cb(uv_timer_t *timer)
{
    server_retry_triggers(timer->data);
}

static void
server_schedule_triggers(struct db_server *server)
{
    long long next = LLONG_MAX;
    struct trigger *t;
    LIST_FOR_EACH (t, server_node, &server->triggers) {
        next = MIN(next, t->deadline);
    }
    if (next == LLONG_MAX) {
        uv_timer_stop(&server->trigger_timer);
    } else {
        long long delay = next - time_msec();
        uv_timer_start(&server->trigger_timer, server_trigger_timer_cb,
                       delay > 0 ? delay : 0, 0);
    }
}

static void
server_retry_triggers(struct db_server *server)
{
    do {
        server->triggers_dirty = false;
        struct trigger *t;
        LIST_FOR_EACH_SAFE (t, server_node, &server->triggers) {
            long long now = time_msec();
            long long retry_ms;
            if (session_execute(t->session, t->sdb, t->id, t->params, NULL,
                                now - t->created, &retry_ms)) {
                trigger_destroy(t);
            } else {
                t->deadline = retry_ms >= 0 ? now + retry_ms : LLONG_MAX;
            }
        }
    } while (server->triggers_dirty);
    server_schedule_triggers(server);
}

/* Locks. */

static struct server_lock *
server_find_lock(struct db_server *server, const char *name, bool create)
{
    uint32_t hash = hash_string(name, 0);
    struct server_lock *lock;
    HMAP_FOR_EACH_WITH_HASH (lock, node, hash, &server->locks) {
        if (!strcmp(lock->name, name)) {
            return lock;
        }
    }
    if (!create) {
        return NULL;
    }
    lock = xzalloc(sizeof *lock);
    lock->name = xstrdup(name);
    list_init(&lock->waiters);
    hmap_insert(&server->locks, &lock->node, hash);
    return lock;
}

static struct lock_waiter *
session_find_waiter(const struct session *s, const char *name)
{
    struct lock_waiter *w;
    HMAP_FOR_EACH_WITH_HASH (w, node, hash_string(name, 0), &s->waiters) {
        if (!strcmp(w->lock->name, name)) {
            return w;
        }
    }
    return NULL;
}

static void
lock_notify(struct session *s, const char *method, const char *name)
{
    session_send(s, jsonrpc_msg_create_notify(
                     method, json_array_create_1(json_string_create(name))));
}

/* Removes 'w' from its lock, handing the lock to the next waiter. */
static void
lock_waiter_remove(struct db_server *server, struct lock_waiter *w)
{
    struct server_lock *lock = w->lock;
    bool was_owner = list_front(&lock->waiters) == &w->lock_node;

    list_remove(&w->lock_node);
    hmap_remove(&w->session->waiters, &w->node);
    free(w);

    if (list_is_empty(&lock->waiters)) {
        hmap_remove(&server->locks, &lock->node);
        free(lock->name);
        free(lock);
    } else if (was_owner) {
        struct lock_waiter *next = CONTAINER_OF(list_front(&lock->waiters),
                                                struct lock_waiter,
                                                lock_node);
        lock_notify(next->session, "locked", lock->name);
    }
}

static void
session_lock_request(struct session *s, const struct jsonrpc_msg *req,
                     bool steal)
{
    const struct json *params = req->params;
    if (json_array_size(params) != 1
        || json_array_at(params, 0)->type != JSON_STRING) {
        session_send(s, jsonrpc_msg_create_error(
                         request_error("syntax error", params,
                                       "%s takes one lock name",
                                       req->method), req->id));
        return;
    }
    const char *name = json_string(json_array_at(params, 0));
    if (session_find_waiter(s, name)) {
        session_send(s, jsonrpc_msg_create_error(
                         request_error("syntax error", params,
                                       "must issue \"unlock\" before new "
                                       "\"%s\"", req->method), req->id));
        return;
    }

    struct server_lock *lock = server_find_lock(s->server, name, true);
    struct lock_waiter *w = xzalloc(sizeof *w);
    w->lock = lock;
    w->session = s;
    hmap_insert(&s->waiters, &w->node, hash_string(name, 0));

    if (steal && !list_is_empty(&lock->waiters)) {
        /* The old owner stays queued behind the thief, and is told. */
        struct lock_waiter *victim = CONTAINER_OF(
            list_front(&lock->waiters), struct lock_waiter, lock_node);
        list_push_front(&lock->waiters, &w->lock_node);
        lock_notify(victim->session, "stolen", name);
    } else {
        list_push_back(&lock->waiters, &w->lock_node);
    }

    struct json *result = json_object_create();
    json_object_put_new(result, "locked", json_boolean_create(
                            list_front(&lock->waiters) == &w->lock_node));
    session_send(s, jsonrpc_msg_create_reply(result, req->id));
}

static void
session_unlock_request(struct session *s, const struct jsonrpc_msg *req)
{
    const struct json *params = req->params;
    struct lock_waiter *w = NULL;
    if (json_array_size(params) == 1
        && json_array_at(params, 0)->type == JSON_STRING) {
        w = session_find_waiter(s, json_string(json_array_at(params, 0)));
    }
    if (!w) {
        session_send(s, jsonrpc_msg_create_error(
                         request_error("syntax error", params,
                                       "unlock: \"unlock\" without \"lock\" "
                                       "or \"steal\""), req->id));
        return;
    }
    lock_waiter_remove(s->server, w);
    session_send(s, jsonrpc_msg_create_reply(json_object_create(), req->id));
}

/* Monitors. */

static struct session_monitor *
session_find_monitor(const struct session *s, const struct json *id)
{
    struct session_monitor *sm;
    HMAP_FOR_EACH_WITH_HASH (sm, node, json_hash(id, 0), &s->monitors) {
        if (json_equal(sm->id, id)) {
            return sm;
        }
    }
    return NULL;
}

static void
session_monitor_destroy(struct session_monitor *sm)
{
    hmap_remove(&sm->session->monitors, &sm->node);
    list_remove(&sm->db_node);
    monitor_destroy(sm->monitor);
    json_unref(sm->id);
    free(sm);
}

static void
session_monitor_request(struct session *s, const struct jsonrpc_msg *req,
                        enum monitor_version version)
{
    const struct json *params = req->params;
    size_t n_params = version == MONITOR_V3 ? 4 : 3;
    /* ovsdb-server ignores parameters after the third of a "monitor". */
    if (json_array_size(params) != n_params
        && !(version == MONITOR_V1 && json_array_size(params) >= 2)) {
        session_send(s, jsonrpc_msg_create_error(
                         request_error("syntax error", params,
                                       "%s has wrong number of parameters",
                                       req->method), req->id));
        return;
    }
    struct server_db *sdb = session_get_db(s, req);
    if (!sdb) {
        return;
    }

    /* "monitor" may omit the id, which is then null. */
    struct json *null_id = NULL;
    const struct json *mid = json_array_at(params, 1);
    const struct json *requests = json_array_at(
        params, json_array_size(params) == 2 ? 1 : 2);
    if (json_array_size(params) == 2) {
        mid = null_id = json_null_create();
    }
    if (session_find_monitor(s, mid)) {
        session_send(s, jsonrpc_msg_create_error(
                         json_string_create("duplicate monitor ID"),
                         req->id));
        json_unref(null_id);
        return;
    }

    struct uuid last_id;
    if (version == MONITOR_V3) {
        const struct json *last = json_array_at(params, 3);
        if (last->type != JSON_STRING
            || !uuid_from_string(&last_id, json_string(last))) {
            session_send(s, jsonrpc_msg_create_error(
                             request_error("syntax error", last,
                                           "last-txn-id must be a UUID"),
                             req->id));
            json_unref(null_id);
            return;
        }
    }

    struct monitor *monitor;
    struct db_error *error = monitor_create(sdb->db, version, requests,
                                            &monitor);
    if (error) {
        session_send(s, jsonrpc_msg_create_error(
                         db_error_json_consume(error), req->id));
        json_unref(null_id);
        return;
    }

    struct json *result;
    if (version == MONITOR_V3) {
        bool found = (!uuid_is_zero(&last_id)
                      && history_replay_since(&sdb->history, &last_id,
                                              monitor));
        struct json *updates = found ? monitor_take_update(monitor)
                                     : monitor_initial(monitor, sdb->db);
        char id[UUID_LEN + 1];
        uuid_to_buffer(&sdb->last_txn_id, id);
        result = json_array_create_3(json_boolean_create(found),
                                     json_string_create(id),
                                     updates ? updates
                                             : json_object_create());
    } else {
        result = monitor_initial(monitor, sdb->db);
    }

    struct session_monitor *sm = xzalloc(sizeof *sm);
    sm->session = s;
    sm->sdb = sdb;
    sm->id = json_ref(mid);
    sm->monitor = monitor;
    hmap_insert(&s->monitors, &sm->node, json_hash(mid, 0));
    list_push_back(&sdb->monitors, &sm->db_node);
    json_unref(null_id);

    session_send(s, jsonrpc_msg_create_reply(result, req->id));
}

static void
session_monitor_cond_change(struct session *s, const struct jsonrpc_msg *req)
{
    const struct json *params = req->params;
    if (json_array_size(params) != 3) {
        session_send(s, jsonrpc_msg_create_error(
                         request_error("syntax error", params,
                                       "invalid parameters"), req->id));
        return;
    }
    struct session_monitor *sm = session_find_monitor(
        s, json_array_at(params, 0));
    if (!sm) {
        session_send(s, jsonrpc_msg_create_error(
                         request_error("syntax error",
                                       json_array_at(params, 0),
                                       "unknown monitor session"),
                         req->id));
        return;
    }
    const struct json *new_id = json_array_at(params, 1);
    struct session_monitor *other = session_find_monitor(s, new_id);
    if (other && other != sm) {
        session_send(s, jsonrpc_msg_create_error(
                         request_error("syntax error", new_id,
                                       "duplicate monitor ID"), req->id));
        return;
    }

    /* Report what happened under the old condition first. */
    s->dirty = true;
    session_flush_monitors(s);
    if (monitor_has_pending(sm->monitor)) {
        struct json *update = monitor_take_update(sm->monitor);
        if (update) {
            session_send_update(s, sm, update);
        }
    }

    struct json *update;
    struct db_error *error = monitor_change_conditions(
        sm->monitor, sm->sdb->db, json_array_at(params, 2), &update);
    if (error) {
        session_send(s, jsonrpc_msg_create_error(
                         db_error_json_consume(error), req->id));
        return;
    }
    hmap_remove(&s->monitors, &sm->node);
    json_unref(sm->id);
    sm->id = json_ref(new_id);
    hmap_insert(&s->monitors, &sm->node, json_hash(new_id, 0));

    session_send(s, jsonrpc_msg_create_reply(json_object_create(), req->id));
    if (update) {
        session_send_update(s, sm, update);
    }
}

static void
session_monitor_cancel(struct session *s, const struct jsonrpc_msg *req)
{
    if (json_array_size(req->params) != 1) {
        session_send(s, jsonrpc_msg_create_error(
                         json_string_create("invalid parameters"), req->id));
        return;
    }
    struct session_monitor *sm = session_find_monitor(
        s, json_array_at(req->params, 0));
    if (!sm) {
        session_send(s, jsonrpc_msg_create_error(
                         json_string_create("unknown monitor"), req->id));
        return;
    }
    session_monitor_destroy(sm);
    session_send(s, jsonrpc_msg_create_reply(json_object_create(), req->id));
}

/* Transactions. */

static void
session_transact(struct session *s, struct jsonrpc_msg *req)
{
    struct server_db *sdb = session_get_db(s, req);
    if (!sdb) {
        return;
    }
    COUNTER_INC(server_transact);

    /* Take the request's parameters, for session_execute() to free as
     * early as it can. */
    struct json *params = req->params;
    req->params = NULL;

    long long retry_ms;
    if (session_execute(s, sdb, req->id, params, &params, 0, &retry_ms)) {
        json_unref(params);
    } else {
        COUNTER_INC(server_trigger_blocked);
        struct trigger *t = xzalloc(sizeof *t);
        t->session = s;
        t->sdb = sdb;
        t->id = json_ref(req->id);
        t->params = params;
        t->created = time_msec();
        t->deadline = retry_ms >= 0 ? t->created + retry_ms : LLONG_MAX;
        list_push_back(&s->triggers, &t->session_node);
        list_push_back(&s->server->triggers, &t->server_node);
        server_schedule_triggers(s->server);
    }
}

/* "cancel" (RFC 7047 §4.1.4): a notification naming a blocked request,
 * which then fails with "canceled". */
static void
session_cancel(struct session *s, const struct jsonrpc_msg *req)
{
    if (json_array_size(req->params) != 1) {
        return;
    }
    const struct json *id = json_array_at(req->params, 0);
    struct trigger *t;
    LIST_FOR_EACH (t, session_node, &s->triggers) {
        if (json_equal(t->id, id)) {
            session_send(s, jsonrpc_msg_create_error(
                             request_error("canceled", NULL, NULL), t->id));
            trigger_destroy(t);
            server_schedule_triggers(s->server);
            return;
        }
    }
}

/* Dispatch. */

static int compare_strings(const void *, const void *);

/* Returns the names of the databases 'server' serves, sorted, in an array
 * of 'hmap_count(&server->dbs)' names borrowed from 'server' (the caller
 * frees the array).  RFC 7047 §4.1.1 gives list_dbs no order; ovsdb-server
 * answers in hash order, so sorting makes Kiln's answer deterministic
 * without being less compatible. */
static const char **
server_sorted_db_names(const struct db_server *server)
{
    size_t n = hmap_count(&server->dbs), i = 0;
    const char **names = xmalloc((n + 1) * sizeof *names);
    const struct server_db *sdb;
    HMAP_FOR_EACH (sdb, node, &server->dbs) {
        names[i++] = sdb->name;
    }
    qsort(names, n, sizeof *names, compare_strings);
    return names;
}

static void
session_handle_request(struct session *s, struct jsonrpc_msg *req)
{
    const char *m = req->method;
    const struct json *params = req->params;

    if (!strcmp(m, "transact")) {
        session_transact(s, req);
    } else if (!strcmp(m, "monitor_cond")) {
        session_monitor_request(s, req, MONITOR_V2);
    } else if (!strcmp(m, "monitor_cond_since")) {
        session_monitor_request(s, req, MONITOR_V3);
    } else if (!strcmp(m, "monitor")) {
        session_monitor_request(s, req, MONITOR_V1);
    } else if (!strcmp(m, "monitor_cond_change")) {
        session_monitor_cond_change(s, req);
    } else if (!strcmp(m, "monitor_cancel")) {
        session_monitor_cancel(s, req);
    } else if (!strcmp(m, "echo")) {
        session_send(s, jsonrpc_msg_create_reply(json_ref(params), req->id));
    } else if (!strcmp(m, "list_dbs")) {
        const char **names = server_sorted_db_names(s->server);
        struct json *array = json_array_create_empty();
        for (size_t i = 0; i < hmap_count(&s->server->dbs); i++) {
            json_array_add(array, json_string_create(names[i]));
        }
        free(names);
        session_send(s, jsonrpc_msg_create_reply(array, req->id));
    } else if (!strcmp(m, "get_schema")) {
        struct server_db *sdb = session_get_db(s, req);
        if (sdb) {
            session_send(s, jsonrpc_msg_create_reply(
                             json_ref(sdb->schema_json), req->id));
        }
    } else if (!strcmp(m, "lock")) {
        session_lock_request(s, req, false);
    } else if (!strcmp(m, "steal")) {
        session_lock_request(s, req, true);
    } else if (!strcmp(m, "unlock")) {
        session_unlock_request(s, req);
    } else if (!strcmp(m, "get_server_id")) {
        char sid[UUID_LEN + 1];
        uuid_to_buffer(&s->server->sid, sid);
        session_send(s, jsonrpc_msg_create_reply(json_string_create(sid),
                                                 req->id));
    } else if (!strcmp(m, "set_db_change_aware")) {
        if (json_array_size(params) == 1
            && json_is_boolean(json_array_at(params, 0))) {
            s->change_aware = json_boolean(json_array_at(params, 0));
            session_send(s, jsonrpc_msg_create_reply(json_object_create(),
                                                     req->id));
        } else {
            session_send(s, jsonrpc_msg_create_error(
                             request_error("syntax error", params,
                                           "set_db_change_aware takes one "
                                           "boolean"), req->id));
        }
    } else {
        COUNTER_INC(server_bad_request);
        session_send(s, jsonrpc_msg_create_error(
                         json_string_create("unknown method"), req->id));
    }
}

static void
session_received_cb(struct jsonrpc_conn *conn, struct jsonrpc_msg *msg,
                    void *s_)
{
    struct session *s = s_;

    if (msg->type == JSONRPC_REQUEST) {
        session_handle_request(s, msg);
    } else if (msg->type == JSONRPC_NOTIFY) {
        if (!strcmp(msg->method, "cancel")) {
            session_cancel(s, msg);
        }
    }
    /* Replies (to our echo probes) need no action. */
    jsonrpc_msg_destroy(msg);

    if (!s->paused && !session_has_room(s) && !s->dead) {
        /* The client is not reading: stop reading its requests too, so
         * that its replies cannot pile up without bound. */
        s->paused = true;
        jsonrpc_conn_pause(s->conn);
    }
}

static void
session_closed_cb(struct jsonrpc_conn *conn, int error, void *s_)
{
    struct session *s = s_;
    if (error && error != -ECONNRESET && error != -EPIPE) {
        LOG_WARN_RL(&rl, "%s: connection dropped (%s)",
                    jsonrpc_conn_name(conn), strerror(-error));
    }
    /* Free it after this turn of the loop: it may be in use up the stack. */
    if (!s->dead) {
        s->dead = true;
        list_remove(&s->node);
        list_push_back(&s->server->dead_sessions, &s->node);
    }
}

static const struct jsonrpc_conn_callbacks session_callbacks = {
    .received = session_received_cb,
    .closed = session_closed_cb,
};

static void
session_destroy(struct session *s)
{
    struct db_server *server = s->server;

    struct session_monitor *sm;
    HMAP_FOR_EACH_SAFE (sm, node, &s->monitors) {
        session_monitor_destroy(sm);
    }
    hmap_uninit(&s->monitors);

    struct trigger *t;
    LIST_FOR_EACH_SAFE (t, session_node, &s->triggers) {
        trigger_destroy(t);
    }

    struct lock_waiter *w;
    HMAP_FOR_EACH_SAFE (w, node, &s->waiters) {
        lock_waiter_remove(server, w);
    }
    hmap_uninit(&s->waiters);

    list_remove(&s->node);
    jsonrpc_conn_close(s->conn);
    free(s);
}

static void
server_accept_cb(struct stream_listener *listener, struct stream *stream,
                 void *remote_)
{
    struct server_remote *remote = remote_;
    struct db_server *server = remote->server;
    struct session *s = xzalloc(sizeof *s);

    s->server = server;
    hmap_init(&s->monitors);
    list_init(&s->triggers);
    hmap_init(&s->waiters);
    list_push_back(&server->sessions, &s->node);
    s->conn = jsonrpc_conn_create(stream, &session_callbacks, s);
    jsonrpc_conn_set_max_msg_size(s->conn, server->opts.max_msg_size);
    LOG_DBG("%s: new session", stream_name(stream));
}

/* Runs after each turn of the event loop's I/O: the place for work that
 * batches well (monitor updates for every session touched by this turn's
 * commits) or must not run inside a callback (freeing dead sessions). */
static void
server_check_cb(uv_check_t *check)
{
    struct db_server *server = check->data;

    if (server->triggers_dirty && !list_is_empty(&server->triggers)) {
        server_retry_triggers(server);
    }
    server->triggers_dirty = false;

    /* The cache lives through this loop only: the rows and signatures it
     * points to stay alive until the loop ends. */
    struct monitor_text_cache *cache = monitor_text_cache_create();
    struct session *s;
    LIST_FOR_EACH (s, node, &server->sessions) {
        session_flush_monitors_cached(s, cache);
        if (s->paused && !s->dead
            && jsonrpc_conn_backlog(s->conn) < server->opts.max_backlog / 2) {
            s->paused = false;
            jsonrpc_conn_resume(s->conn);
        }
    }
    monitor_text_cache_destroy(cache);

    LIST_FOR_EACH_SAFE (s, node, &server->dead_sessions) {
        session_destroy(s);
    }
}

/* Construction. */

struct db_server *
db_server_create(uv_loop_t *loop, const struct db_server_options *opts)
{
    struct db_server *server = xzalloc(sizeof *server);
    server->loop = loop;
    if (opts) {
        server->opts = *opts;
    } else {
        db_server_options_init(&server->opts);
    }
    hmap_init(&server->dbs);
    list_init(&server->remotes);
    list_init(&server->sessions);
    list_init(&server->dead_sessions);
    hmap_init(&server->locks);
    list_init(&server->triggers);
    uuid_generate(&server->sid);

    uv_check_init(loop, &server->check);
    server->check.data = server;
    uv_check_start(&server->check, server_check_cb);
    uv_timer_init(loop, &server->trigger_timer);
    server->trigger_timer.data = server;

    struct db *sdb;
    struct db_error *error = server_db_create(&sdb);
    ASSERT(!error);
    error = db_server_add_db(server, sdb, NULL);
    ASSERT(!error);
    return server;
}

static struct server_db *
server_db_wrap(struct db *db, struct storage *storage,
               const struct db_server_options *opts)
{
    struct server_db *sdb = xzalloc(sizeof *sdb);
    sdb->name = xstrdup(db_get_schema(db)->name);
    sdb->db = db;
    sdb->storage = storage;
    sdb->schema_json = db_schema_to_json(db_get_schema(db));
    history_init(&sdb->history, opts->history_size, opts->history_bytes);
    list_init(&sdb->monitors);
    return sdb;
}

/* Starts serving 'db', kept in 'storage' (NULL: in memory only).  Takes
 * ownership of both, even on error. */
struct db_error *
db_server_add_db(struct db_server *server, struct db *db,
                 struct storage *storage)
{
    const char *name = db_get_schema(db)->name;
    if (server_find_db(server, name)) {
        struct db_error *e = db_error_create("duplicate database",
                                             "%s: already served", name);
        db_destroy(db);
        storage_close(storage);
        return e;
    }

    struct server_db *sdb = server_db_wrap(db, storage, &server->opts);
    hmap_insert(&server->dbs, &sdb->node, hash_string(sdb->name, 0));
    if (!server->server_db) {
        server->server_db = sdb;
    }
    server_update_server_db(server, sdb, false);
    return NULL;
}

/* Keeps _Server.Database in step with 'sdb'. */
static void
server_update_server_db(struct db_server *server, struct server_db *sdb,
                        bool removed)
{
    struct server_db *meta = server->server_db;
    struct json *params = server_db_row_ops(sdb->db, &sdb->server_row,
                                            removed);
    struct db_exec_env env = { .has_lock = NULL };
    struct db_exec_result r;

    db_execute(meta->db, params, &env, &r);
    if (r.status == DB_EXEC_COMMIT) {
        server_commit(server, meta, &r);
        if (!removed && uuid_is_zero(&sdb->server_row)) {
            const struct json *result = json_array_at(r.reply, 0);
            const struct json *uuid = json_object_find(result, "uuid");
            ASSERT(uuid && json_array_size(uuid) == 2);
            uuid_from_string(&sdb->server_row,
                             json_string(json_array_at(uuid, 1)));
        }
    } else if (r.txn) {
        db_txn_abort(r.txn);
    }
    json_unref(r.reply);
    json_unref(params);
}

void
db_server_destroy(struct db_server *server)
{
    if (!server) {
        return;
    }
    struct session *s;
    LIST_FOR_EACH_SAFE (s, node, &server->sessions) {
        session_destroy(s);
    }
    LIST_FOR_EACH_SAFE (s, node, &server->dead_sessions) {
        session_destroy(s);
    }
    struct server_remote *r;
    LIST_FOR_EACH_POP (r, node, &server->remotes) {
        stream_listener_close(r->listener);
        free(r->name);
        free(r);
    }
    struct server_db *sdb;
    HMAP_FOR_EACH_POP (sdb, node, &server->dbs) {
        history_uninit(&sdb->history);
        json_unref(sdb->schema_json);
        db_destroy(sdb->db);
        storage_close(sdb->storage);
        free(sdb->name);
        free(sdb);
    }
    hmap_uninit(&server->dbs);
    hmap_uninit(&server->locks);
    uv_check_stop(&server->check);
    uv_close((uv_handle_t *) &server->check, NULL);
    uv_timer_stop(&server->trigger_timer);
    uv_close((uv_handle_t *) &server->trigger_timer, NULL);
    /* The handles are embedded: let the loop finish closing them. */
    uv_run(server->loop, UV_RUN_NOWAIT);
    free(server);
}

/* Remotes. */

int
db_server_add_remote(struct db_server *server, const char *name)
{
    struct server_remote *r;
    LIST_FOR_EACH (r, node, &server->remotes) {
        if (!strcmp(r->name, name)) {
            return 0;
        }
    }
    r = xzalloc(sizeof *r);
    r->server = server;
    int error = stream_listen(server->loop, name, server_accept_cb, r,
                              &r->listener);
    if (error) {
        free(r);
        return error;
    }
    r->name = xstrdup(name);
    list_push_back(&server->remotes, &r->node);
    LOG_INFO("listening on %s", name);
    return 0;
}

int
db_server_remove_remote(struct db_server *server, const char *name)
{
    struct server_remote *r;
    LIST_FOR_EACH (r, node, &server->remotes) {
        if (!strcmp(r->name, name)) {
            list_remove(&r->node);
            stream_listener_close(r->listener);
            free(r->name);
            free(r);
            return 0;
        }
    }
    return -ENOENT;
}

/* The port bound by remote 'name' ("ptcp:0" picks one), or 0. */
int
db_server_remote_port(const struct db_server *server, const char *name)
{
    const struct server_remote *r;
    LIST_FOR_EACH (r, node, &server->remotes) {
        if (!strcmp(r->name, name)) {
            return stream_listener_port(r->listener);
        }
    }
    return 0;
}

static int
compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

void
db_server_list_remotes(const struct db_server *server, struct ds *out)
{
    size_t n = list_size(&server->remotes), i = 0;
    const char **names = xmalloc((n + 1) * sizeof *names);
    const struct server_remote *r;
    LIST_FOR_EACH (r, node, &server->remotes) {
        names[i++] = r->name;
    }
    qsort(names, n, sizeof *names, compare_strings);
    for (i = 0; i < n; i++) {
        ds_put_format(out, "%s\n", names[i]);
    }
    free(names);
}

void
db_server_list_dbs(const struct db_server *server, struct ds *out)
{
    size_t n = hmap_count(&server->dbs);
    const char **names = server_sorted_db_names(server);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(out, "%s\n", names[i]);
    }
    free(names);
}

/* Compacts database 'db_name', or every database if it is NULL. */
struct db_error *
db_server_compact(struct db_server *server, const char *db_name)
{
    struct server_db *sdb;
    bool found = false;
    HMAP_FOR_EACH (sdb, node, &server->dbs) {
        if (db_name ? strcmp(sdb->name, db_name) : !sdb->storage) {
            continue;
        }
        found = true;
        if (!sdb->storage) {
            return db_error_create("not allowed", "%s has no file to "
                                   "compact", sdb->name);
        }
        struct db_error *error = storage_compact(sdb->storage, sdb->db);
        if (error) {
            return error;
        }
    }
    if (db_name && !found) {
        return db_error_create("unknown database", "%s", db_name);
    }
    return NULL;
}

void
db_server_memory_report(const struct db_server *server, struct ds *out)
{
    size_t n_sessions = list_size(&server->sessions);
    size_t n_monitors = 0, n_triggers = list_size(&server->triggers);
    size_t backlog = 0, rows = 0;
    const struct session *s;
    LIST_FOR_EACH (s, node, &server->sessions) {
        n_monitors += hmap_count(&s->monitors);
        backlog += jsonrpc_conn_backlog(s->conn);
    }
    const struct server_db *sdb;
    HMAP_FOR_EACH (sdb, node, &server->dbs) {
        rows += db_count_rows(sdb->db);
    }
    ds_put_format(out, "backlog:%zu locks:%zu monitors:%zu rows:%zu "
                  "sessions:%zu triggers:%zu\n", backlog,
                  hmap_count(&server->locks), n_monitors, rows, n_sessions,
                  n_triggers);
}
