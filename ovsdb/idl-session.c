/* The IDL's protocol and connection (see idl.h and idl-private.h).
 *
 * The protocol core reacts to three events, connected, message received
 * and disconnected, and sends through idl__send(); it is the same code for
 * a real connection and for the unit tests' detached IDLs.  One connection
 * goes through get_schema (RFC 7047 §4.1.2), a monitor request
 * (monitor_cond_since of ovsdb-server(7) §4.1.15, else monitor_cond
 * §4.1.12, else RFC 7047 "monitor"), then update notifications, condition
 * changes, transactions, lock requests and echo probes.
 *
 * The libuv layer below it connects to the remotes in turn with
 * exponential backoff and runs the keepalive timer. */
#include "ovsdb/idl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/counter.h"
#include "lib/ds.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/log.h"
#include "lib/stream.h"
#include "ovsdb/error.h"
#include "ovsdb/idl-private.h"
#include "ovsdb/schema.h"

LOG_MODULE(idl_session);

COUNTER_DEFINE(idl_connect);
COUNTER_DEFINE(idl_resume_found);
COUNTER_DEFINE(idl_full_sync);
COUNTER_DEFINE(idl_update);
COUNTER_DEFINE(idl_probe_timeout);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(10, 20);

#define IDL_DEFAULT_BACKOFF_MIN 100
#define IDL_DEFAULT_BACKOFF_MAX 8000
#define IDL_DEFAULT_PROBE_INTERVAL 5000

static void idl_schedule_reconnect(struct idl *);
static void idl_probe_timer_start(struct idl *);
static void idl_send_monitor(struct idl *);
static void idl_send_lock(struct idl *);
static const struct jsonrpc_conn_callbacks idl_conn_callbacks;

static const char *const method_names[] = {
    [IDL_MONITOR_SINCE] = "monitor_cond_since",
    [IDL_MONITOR_COND] = "monitor_cond",
    [IDL_MONITOR_V1] = "monitor",
};

/* Creation and destruction. */

static struct idl *
idl_alloc(const char *db_name)
{
    struct idl *idl = xzalloc(sizeof *idl);
    idl->db_name = xstrdup(db_name);
    hmap_init(&idl->tables);
    hmap_init(&idl->requests);
    list_init(&idl->txns);
    list_init(&idl->outbox);
    idl->state = IDL_S_DISCONNECTED;
    idl->method = IDL_MONITOR_SINCE;
    idl->probe_interval = IDL_DEFAULT_PROBE_INTERVAL;
    idl->backoff_min = IDL_DEFAULT_BACKOFF_MIN;
    idl->backoff_max = IDL_DEFAULT_BACKOFF_MAX;
    idl->backoff = idl->backoff_min;
    idl->echo_sent = -1;
    idl->stats.monitor_method = method_names[IDL_MONITOR_SINCE];
    return idl;
}

static void
idl_reconnect_cb(uv_timer_t *timer)
{
    struct idl *idl = timer->data;
    const char *remote = idl->remotes[idl->remote_idx];
    struct stream *stream;
    int error = stream_connect(idl->loop, remote, NULL, NULL, &stream);
    if (error) {
        idl__set_error(idl, "%s: cannot connect: %s", remote,
                       uv_strerror(error));
        idl_schedule_reconnect(idl);
        return;
    }
    idl->conn = jsonrpc_conn_create(stream, &idl_conn_callbacks, idl);
    /* A big database's initial contents come in one message: the server
     * is trusted not to send more than the replica needs. */
    jsonrpc_conn_set_max_msg_size(idl->conn, 0);
    idl->state = IDL_S_CONNECTING;
}

/* Creates an IDL that replicates database 'db_name' from 'remotes', a
 * comma-separated list of "unix:PATH" and "tcp:IP:PORT", tried in turn, on
 * 'loop'.  It starts connecting when the loop next runs, so declare the
 * tables and columns (idl_add_table() etc.) right after this call.  The
 * caller owns the IDL and frees it with idl_destroy(). */
struct idl *
idl_create(uv_loop_t *loop, const char *remotes, const char *db_name)
{
    struct idl *idl = idl_alloc(db_name);
    idl->loop = loop;

    char *copy = xstrdup(remotes);
    char *save = NULL;
    for (char *r = strtok_r(copy, ", \t", &save); r;
         r = strtok_r(NULL, ", \t", &save)) {
        idl->remotes = xrealloc(idl->remotes,
                                (idl->n_remotes + 1) * sizeof *idl->remotes);
        idl->remotes[idl->n_remotes++] = xstrdup(r);
    }
    free(copy);
    if (!idl->n_remotes) {
        idl->remotes = xmalloc(sizeof *idl->remotes);
        idl->remotes[idl->n_remotes++] = xstrdup("");
    }

    uv_timer_init(loop, &idl->reconnect_timer);
    idl->reconnect_timer.data = idl;
    uv_timer_init(loop, &idl->probe_timer);
    idl->probe_timer.data = idl;
    idl->n_handles = 2;
    uv_timer_start(&idl->reconnect_timer, idl_reconnect_cb, 0, 0);
    return idl;
}

/* Creates an IDL with no loop and no connection, for the unit tests: they
 * call idl__connected(), idl__receive() and idl__disconnected() and read
 * what it sends with idl__pop_sent(). */
struct idl *
idl__create_detached(const char *db_name)
{
    struct idl *idl = idl_alloc(db_name);
    idl->remotes = xmalloc(sizeof *idl->remotes);
    idl->remotes[idl->n_remotes++] = xstrdup("detached");
    return idl;
}

static void
idl_request_free(struct idl_request *req)
{
    free(req->lock_name);
    free(req);
}

static void
idl_free(struct idl *idl)
{
    for (size_t i = 0; i < idl->n_remotes; i++) {
        free(idl->remotes[i]);
    }
    free(idl->remotes);
    free(idl);
}

static void
idl_handle_close_cb(uv_handle_t *handle)
{
    struct idl *idl = handle->data;
    if (!--idl->n_handles) {
        idl_free(idl);
    }
}

/* Closes the connection and frees 'idl'.  Does nothing if 'idl' is NULL.
 * Every transaction on 'idl' must have been destroyed first.  Must not be
 * called from one of the IDL's own callbacks. */
void
idl_destroy(struct idl *idl)
{
    if (!idl) {
        return;
    }
    ASSERT(list_is_empty(&idl->txns));
    idl->destroyed = true;
    struct idl_request *req;
    HMAP_FOR_EACH_POP (req, node, &idl->requests) {
        idl_request_free(req);
    }
    hmap_uninit(&idl->requests);
    jsonrpc_conn_close(idl->conn);
    idl->conn = NULL;
    struct idl_sent *sent;
    LIST_FOR_EACH_POP (sent, node, &idl->outbox) {
        jsonrpc_msg_destroy(sent->msg);
        free(sent);
    }
    idl__free_replica(idl);
    json_unref(idl->monitor_id);
    json_unref(idl->monitor_new_id);
    free(idl->lock_name);
    free(idl->last_error);
    free(idl->db_name);
    if (idl->loop) {
        uv_close((uv_handle_t *) &idl->reconnect_timer, idl_handle_close_cb);
        uv_close((uv_handle_t *) &idl->probe_timer, idl_handle_close_cb);
    } else {
        idl_free(idl);
    }
}

/* Sets the delay before reconnecting: 'min_ms' after a connection that
 * worked, doubling after each failure up to 'max_ms'. */
void
idl_set_backoff(struct idl *idl, int min_ms, int max_ms)
{
    idl->backoff_min = MAX(min_ms, 0);
    idl->backoff_max = MAX(max_ms, idl->backoff_min);
    idl->backoff = idl->backoff_min;
}

/* Sets the inactivity probe: after 'ms' without a message from the server,
 * the IDL sends an echo request, and if nothing arrives within another
 * 'ms', it drops the connection and reconnects.  0 disables probing. */
void
idl_set_probe_interval(struct idl *idl, int ms)
{
    idl->probe_interval = MAX(ms, 0);
    if (idl->loop && idl->state >= IDL_S_SCHEMA) {
        idl_probe_timer_start(idl);
    }
}

/* Drops the connection, if any, and connects again (after the minimum
 * backoff). */
void
idl_force_reconnect(struct idl *idl)
{
    if (idl->state != IDL_S_DISCONNECTED) {
        idl__drop(idl, "reconnect requested");
    }
}

/* State. */

/* Sets the function called, with 'aux', each time idl_seqno() changes:
 * after a batch of updates changed the replica, after the connection was
 * synced or lost, and after the lock was gained or lost. */
void
idl_set_change_callback(struct idl *idl, idl_change_func *cb, void *aux)
{
    idl->change_cb = cb;
    idl->change_aux = aux;
}

/* True if the IDL has a connection to a server that has answered. */
bool
idl_is_connected(const struct idl *idl)
{
    return idl->state >= IDL_S_SCHEMA;
}

/* True if the IDL monitors the database on the current connection and the
 * replica holds everything the server sent. */
bool
idl_has_synced(const struct idl *idl)
{
    return idl->state == IDL_S_SYNCED;
}

/* Returns a number that changes whenever the replica, the connection state
 * or the lock state changes. */
uint64_t
idl_seqno(const struct idl *idl)
{
    return idl->seqno;
}

/* Returns the last error worth reporting (a remote that cannot be reached,
 * a name missing from the schema, a server error), or NULL. */
const char *
idl_get_last_error(const struct idl *idl)
{
    return idl->last_error;
}

/* Returns the remote in use, or the one to be tried next. */
const char *
idl_get_remote(const struct idl *idl)
{
    return idl->remotes[idl->remote_idx];
}

/* Stores 'idl''s counters in '*stats'. */
void
idl_get_stats(const struct idl *idl, struct idl_stats *stats)
{
    *stats = idl->stats;
}

/* Sending. */

/* Sends 'msg', taking ownership: on the connection, into the outbox of a
 * detached IDL, or nowhere while disconnected. */
void
idl__send(struct idl *idl, struct jsonrpc_msg *msg)
{
    if (idl->conn) {
        jsonrpc_conn_send(idl->conn, msg);
    } else if (!idl->loop) {
        struct idl_sent *sent = xmalloc(sizeof *sent);
        sent->msg = msg;
        list_push_back(&idl->outbox, &sent->node);
    } else {
        jsonrpc_msg_destroy(msg);
    }
}

/* Sends request 'method' with 'params' (ownership taken), remembering it
 * as 'kind'.  Stores the request record in '*reqp' if 'reqp' is nonnull,
 * and returns its id. */
long long
idl__send_request(struct idl *idl, const char *method, struct json *params,
                  enum idl_request_kind kind, struct idl_request **reqp)
{
    struct idl_request *req = xzalloc(sizeof *req);
    req->id = idl->next_id++;
    req->kind = kind;
    hmap_insert(&idl->requests, &req->node, hash_uint64(req->id, 0));
    if (reqp) {
        *reqp = req;
    }
    idl__send(idl, jsonrpc_msg_create_request(
                  method, params, json_integer_create(req->id)));
    return req->id;
}

/* Returns the oldest message a detached IDL sent (the caller owns it), or
 * NULL. */
struct jsonrpc_msg *
idl__pop_sent(struct idl *idl)
{
    if (list_is_empty(&idl->outbox)) {
        return NULL;
    }
    struct idl_sent *sent = CONTAINER_OF(list_pop_front(&idl->outbox),
                                         struct idl_sent, node);
    struct jsonrpc_msg *msg = sent->msg;
    free(sent);
    return msg;
}

/* Sets the clock of a detached IDL. */
void
idl__set_time(struct idl *idl, long long now_ms)
{
    idl->fake_now = now_ms;
}

static struct idl_request *
idl_take_request(struct idl *idl, const struct json *id)
{
    if (!id || !json_is_integer(id)) {
        return NULL;
    }
    long long n = json_integer(id);
    struct idl_request *req;
    HMAP_FOR_EACH_WITH_HASH (req, node, hash_uint64(n, 0), &idl->requests) {
        if (req->id == n) {
            hmap_remove(&idl->requests, &req->node);
            return req;
        }
    }
    return NULL;
}

/* Connection events. */

/* The connection to the server is up: asks for the schema (and the
 * lock). */
void
idl__connected(struct idl *idl)
{
    idl->state = IDL_S_SCHEMA;
    idl->method = IDL_MONITOR_SINCE;    /* The server may be another. */
    idl->stats.n_connects++;
    COUNTER_INC(idl_connect);
    idl->last_rx = idl__now(idl);
    idl->echo_sent = -1;
    LOG_INFO("%s: connected", idl_get_remote(idl));
    idl__send_request(idl, "get_schema",
                      json_array_create_1(json_string_create(idl->db_name)),
                      IDL_REQ_SCHEMA, NULL);
    if (idl->lock_name) {
        idl_send_lock(idl);
    }
    if (idl->loop) {
        idl_probe_timer_start(idl);
    }
}

/* The connection went away ('error' is 0 for a clean close, else a
 * negative errno): fails the transactions in flight with
 * IDL_TXN_TRY_AGAIN, loses the lock, and (with a loop) schedules the next
 * attempt.  The replica stays, to be resumed. */
void
idl__disconnected(struct idl *idl, int error)
{
    bool was_up = idl->state >= IDL_S_SCHEMA;
    if (was_up) {
        LOG_INFO("%s: connection closed%s%s", idl_get_remote(idl),
                 error ? ": " : "", error ? uv_strerror(error) : "");
    }
    if (idl->conn) {
        jsonrpc_conn_close(idl->conn);
        idl->conn = NULL;
    }
    idl->state = IDL_S_DISCONNECTED;

    struct idl_request *req;
    HMAP_FOR_EACH_POP (req, node, &idl->requests) {
        idl_request_free(req);
    }
    idl__txn_fail_all(idl, IDL_TXN_TRY_AGAIN);
    idl->has_lock = false;
    idl->lock_requested = false;
    json_unref(idl->monitor_id);
    idl->monitor_id = NULL;
    json_unref(idl->monitor_new_id);
    idl->monitor_new_id = NULL;
    idl->cond_change_pending = false;
    idl__cond_reset_in_flight(idl);
    idl->echo_sent = -1;
    if (idl->loop) {
        uv_timer_stop(&idl->probe_timer);
        if (!idl->destroyed) {
            idl_schedule_reconnect(idl);
        }
    }
    if (was_up) {
        idl__notify(idl);
    }
}

/* Drops the connection because of 'reason' (logged) and reconnects. */
void
idl__drop(struct idl *idl, const char *reason)
{
    LOG_INFO("%s: dropping connection: %s", idl_get_remote(idl), reason);
    idl__disconnected(idl, 0);
}

/* Replies. */

static bool
idl_is_unknown_method(const struct json *error)
{
    const char *tag = (json_is_string(error) ? json_string(error)
                       : json_is_object(error)
                       ? json_object_find_string(error, "error") : NULL);
    return tag && !strcmp(tag, "unknown method");
}

static char *
idl_msg_error_string(const struct jsonrpc_msg *msg)
{
    return json_to_string(msg->error, 0);
}

static void
idl_handle_schema_reply(struct idl *idl, const struct jsonrpc_msg *msg)
{
    if (msg->type == JSONRPC_ERROR) {
        char *s = idl_msg_error_string(msg);
        idl__set_error(idl, "get_schema %s: %s", idl->db_name, s);
        free(s);
        idl__drop(idl, "get_schema failed");
        return;
    }
    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(msg->result, &schema);
    if (error) {
        char *s = db_error_to_string(error);
        idl__set_error(idl, "server sent a bad schema: %s", s);
        free(s);
        db_error_destroy(error);
        idl__drop(idl, "bad schema");
        return;
    }
    char *bind_error = idl__bind_schema(idl, schema);
    if (bind_error) {
        idl->schema_error = true;
        idl__set_error(idl, "%s", bind_error);
        free(bind_error);
        idl__drop(idl, "schema mismatch");
        return;
    }
    idl->schema_error = false;
    idl_send_monitor(idl);
}

static struct json *
idl_new_monitor_id(struct idl *idl)
{
    char name[32];
    snprintf(name, sizeof name, "idl%u", ++idl->monitor_seq);
    return json_string_create(name);
}

/* Sends the monitor request of the current method. */
static void
idl_send_monitor(struct idl *idl)
{
    bool resume = (idl->method == IDL_MONITOR_SINCE
                   && !uuid_is_zero(&idl->last_txn_id)
                   && idl__conds_all_acked(idl));
    struct json *requests = idl__monitor_requests(idl, idl->method);
    json_unref(idl->monitor_id);
    idl->monitor_id = idl_new_monitor_id(idl);

    struct json *params = json_array_create_3(
        json_string_create(idl->db_name), json_ref(idl->monitor_id),
        requests);
    if (idl->method == IDL_MONITOR_SINCE) {
        struct uuid zero;
        uuid_zero(&zero);
        char id[UUID_LEN + 1];
        uuid_to_buffer(resume ? &idl->last_txn_id : &zero, id);
        json_array_add(params, json_string_create(id));
    }
    idl->stats.monitor_method = method_names[idl->method];
    idl__send_request(idl, method_names[idl->method], params,
                      IDL_REQ_MONITOR, NULL);
    idl->state = IDL_S_MONITOR;
}

/* Applies the <table-updates> of a monitor reply. */
static char *
idl_apply_monitor_reply(struct idl *idl, const struct json *result)
{
    const struct json *updates = result;
    bool found = false;

    if (idl->method == IDL_MONITOR_SINCE) {
        struct uuid last_id;
        if (!json_is_array(result) || json_array_size(result) != 3
            || !json_is_boolean(json_array_at(result, 0))
            || !json_is_string(json_array_at(result, 1))
            || !uuid_from_string(&last_id,
                                 json_string(json_array_at(result, 1)))) {
            return xstrdup("bad monitor_cond_since reply");
        }
        found = json_boolean(json_array_at(result, 0));
        updates = json_array_at(result, 2);
        idl->last_txn_id = last_id;
        LOG_INFO("%s: monitor_cond_since: found=%s, last-txn-id "UUID_FMT,
                 idl_get_remote(idl), found ? "true" : "false",
                 UUID_ARGS(&last_id));
    } else {
        uuid_zero(&idl->last_txn_id);
    }

    if (found) {
        idl->stats.n_resumes++;
        COUNTER_INC(idl_resume_found);
        return idl__apply_updates(idl, IDL_MONITOR_COND, updates);
    }
    idl->stats.n_full_syncs++;
    COUNTER_INC(idl_full_sync);
    idl__full_sync_begin(idl);
    char *error = idl__apply_updates(idl, idl->method == IDL_MONITOR_V1
                                     ? IDL_MONITOR_V1 : IDL_MONITOR_COND,
                                     updates);
    if (!error) {
        idl__full_sync_end(idl);
    }
    return error;
}

static void
idl_handle_monitor_reply(struct idl *idl, const struct jsonrpc_msg *msg)
{
    if (msg->type == JSONRPC_ERROR) {
        idl__cond_acked(idl, false);
        if (idl_is_unknown_method(msg->error)
            && idl->method != IDL_MONITOR_V1) {
            LOG_INFO("%s: server lacks %s; trying %s", idl_get_remote(idl),
                     method_names[idl->method],
                     method_names[idl->method + 1]);
            idl->method++;
            idl_send_monitor(idl);
            return;
        }
        char *s = idl_msg_error_string(msg);
        idl__set_error(idl, "%s: %s", method_names[idl->method], s);
        free(s);
        idl__drop(idl, "monitor request failed");
        return;
    }

    idl__batch_begin(idl);
    char *error = idl_apply_monitor_reply(idl, msg->result);
    if (error) {
        idl__set_error(idl, "%s reply: %s", method_names[idl->method],
                       error);
        free(error);
        uuid_zero(&idl->last_txn_id);
        idl__batch_end(idl);
        idl__drop(idl, "bad monitor reply");
        return;
    }
    idl__cond_acked(idl, true);
    idl->state = IDL_S_SYNCED;
    idl->stats.n_syncs++;
    idl->backoff = idl->backoff_min;
    idl->n_tried = 0;
    idl->changed = true;
    idl__batch_end(idl);
    if (idl->state == IDL_S_SYNCED && !idl__conds_all_acked(idl)) {
        idl__send_cond_change(idl);
    }
}

/* Sends the condition changes the program made, unless one is already in
 * flight (its reply sends the next). */
void
idl__send_cond_change(struct idl *idl)
{
    if (idl->state != IDL_S_SYNCED || idl->cond_change_pending) {
        return;
    }
    if (idl->method == IDL_MONITOR_V1) {
        /* "monitor" cannot change conditions: monitor afresh, which
         * filters with the new conditions and syncs in full. */
        idl__send_request(idl, "monitor_cancel",
                          json_array_create_1(json_ref(idl->monitor_id)),
                          IDL_REQ_MONITOR_CANCEL, NULL);
        idl_send_monitor(idl);
        return;
    }
    struct json *requests = idl__cond_change_requests(idl);
    if (!requests) {
        return;
    }
    json_unref(idl->monitor_new_id);
    idl->monitor_new_id = idl_new_monitor_id(idl);
    idl->cond_change_pending = true;
    idl__send_request(idl, "monitor_cond_change",
                      json_array_create_3(json_ref(idl->monitor_id),
                                          json_ref(idl->monitor_new_id),
                                          requests),
                      IDL_REQ_COND_CHANGE, NULL);
}

static void
idl_handle_cond_change_reply(struct idl *idl, const struct jsonrpc_msg *msg)
{
    idl->cond_change_pending = false;
    if (msg->type == JSONRPC_ERROR) {
        char *s = idl_msg_error_string(msg);
        idl__set_error(idl, "monitor_cond_change: %s", s);
        free(s);
        idl__cond_acked(idl, false);
        json_unref(idl->monitor_new_id);
        idl->monitor_new_id = NULL;
        return;
    }
    idl__cond_acked(idl, true);
    json_unref(idl->monitor_id);
    idl->monitor_id = idl->monitor_new_id;
    idl->monitor_new_id = NULL;
    idl__notify(idl);
    if (idl->state == IDL_S_SYNCED && !idl__conds_all_acked(idl)) {
        idl__send_cond_change(idl);
    }
}

/* Locks. */

static void
idl_send_lock(struct idl *idl)
{
    struct idl_request *req;
    idl__send_request(idl, "lock",
                      json_array_create_1(json_string_create(idl->lock_name)),
                      IDL_REQ_LOCK, &req);
    req->lock_name = xstrdup(idl->lock_name);
    idl->lock_requested = true;
}

/* Makes 'idl' want the lock 'name' (RFC 7047 §4.1.8), or no lock if
 * 'name' is NULL, releasing any other lock it held or waited for.  While
 * a lock is set, every transaction asserts it and fails with
 * IDL_TXN_NOT_LOCKED unless the IDL holds it. */
void
idl_set_lock(struct idl *idl, const char *name)
{
    if (name == idl->lock_name
        || (name && idl->lock_name && !strcmp(name, idl->lock_name))) {
        return;
    }
    bool had_lock = idl->has_lock;
    if (idl->lock_name && idl->lock_requested) {
        idl__send_request(idl, "unlock", json_array_create_1(
                              json_string_create(idl->lock_name)),
                          IDL_REQ_UNLOCK, NULL);
    }
    free(idl->lock_name);
    idl->lock_name = name ? xstrdup(name) : NULL;
    idl->has_lock = false;
    idl->lock_requested = false;
    if (idl->lock_name && idl->state >= IDL_S_SCHEMA) {
        idl_send_lock(idl);
    }
    if (had_lock) {
        idl__notify(idl);
    }
}

/* True if the server has granted 'idl' the lock it set. */
bool
idl_has_lock(const struct idl *idl)
{
    return idl->has_lock;
}

/* True if 'idl' asked for its lock and another client holds it. */
bool
idl_is_lock_contended(const struct idl *idl)
{
    return idl->lock_name && idl->lock_requested && !idl->has_lock;
}

static void
idl_set_has_lock(struct idl *idl, bool has_lock)
{
    if (idl->has_lock != has_lock) {
        idl->has_lock = has_lock;
        LOG_INFO("%s: lock %s %s", idl_get_remote(idl), idl->lock_name,
                 has_lock ? "acquired" : "lost");
        idl__notify(idl);
    }
}

static void
idl_handle_lock_reply(struct idl *idl, const struct idl_request *req,
                      const struct jsonrpc_msg *msg)
{
    if (!idl->lock_name || strcmp(req->lock_name, idl->lock_name)) {
        return;                 /* An old lock's reply. */
    }
    if (msg->type == JSONRPC_ERROR) {
        char *s = idl_msg_error_string(msg);
        idl__set_error(idl, "lock %s: %s", req->lock_name, s);
        free(s);
        return;
    }
    const struct json *locked = (json_is_object(msg->result)
                                 ? json_object_find(msg->result, "locked")
                                 : NULL);
    if (locked && json_is_boolean(locked) && json_boolean(locked)) {
        idl_set_has_lock(idl, true);
    }
}

/* Handles "locked" and "stolen" notifications (RFC 7047 §4.1.9-10). */
static void
idl_handle_lock_notify(struct idl *idl, const struct jsonrpc_msg *msg,
                       bool locked)
{
    const struct json *params = msg->params;
    if (idl->lock_name && json_array_size(params) >= 1
        && json_is_string(json_array_at(params, 0))
        && !strcmp(json_string(json_array_at(params, 0)), idl->lock_name)) {
        idl_set_has_lock(idl, locked);
    }
}

/* Notifications. */

static bool
idl_is_monitor_id(const struct idl *idl, const struct json *id)
{
    return ((idl->monitor_id && json_equal(id, idl->monitor_id))
            || (idl->monitor_new_id && json_equal(id, idl->monitor_new_id)));
}

/* Handles "update", "update2" or "update3". */
static void
idl_handle_update(struct idl *idl, const struct jsonrpc_msg *msg,
                  enum idl_monitor_method method)
{
    const struct json *params = msg->params;
    size_t n = method == IDL_MONITOR_SINCE ? 3 : 2;
    if (json_array_size(params) != n) {
        LOG_WARN_RL(&rl, "%s: %s with %zu parameters",
                    idl_get_remote(idl), msg->method, json_array_size(params));
        return;
    }
    if (idl->state != IDL_S_SYNCED && idl->state != IDL_S_MONITOR) {
        return;
    }
    if (!idl_is_monitor_id(idl, json_array_at(params, 0))) {
        LOG_DBG("%s: %s for an old monitor", idl_get_remote(idl),
                msg->method);
        return;
    }
    struct uuid last_id;
    if (method == IDL_MONITOR_SINCE
        && (!json_is_string(json_array_at(params, 1))
            || !uuid_from_string(&last_id,
                                 json_string(json_array_at(params, 1))))) {
        LOG_WARN_RL(&rl, "%s: update3 with a bad last-txn-id",
                    idl_get_remote(idl));
        return;
    }

    idl__batch_begin(idl);
    char *error = idl__apply_updates(
        idl, method == IDL_MONITOR_V1 ? IDL_MONITOR_V1 : IDL_MONITOR_COND,
        json_array_at(params, n - 1));
    if (error) {
        idl__set_error(idl, "%s: %s", msg->method, error);
        free(error);
        uuid_zero(&idl->last_txn_id);
        idl__batch_end(idl);
        idl__drop(idl, "bad update");
        return;
    }
    if (method == IDL_MONITOR_SINCE) {
        idl->last_txn_id = last_id;
    }
    idl->stats.n_updates++;
    COUNTER_INC(idl_update);
    idl__batch_end(idl);
}

/* Handles 'msg', which the server sent: takes ownership. */
void
idl__receive(struct idl *idl, struct jsonrpc_msg *msg)
{
    idl->last_rx = idl__now(idl);
    idl->echo_sent = -1;

    if (msg->type == JSONRPC_REQUEST) {
        if (!strcmp(msg->method, "echo")) {
            idl__send(idl, jsonrpc_msg_create_reply(json_ref(msg->params),
                                                    msg->id));
        } else {
            idl__send(idl, jsonrpc_msg_create_error(
                          json_string_create("unknown method"), msg->id));
        }
    } else if (msg->type == JSONRPC_NOTIFY) {
        const char *m = msg->method;
        if (!strcmp(m, "update3")) {
            idl_handle_update(idl, msg, IDL_MONITOR_SINCE);
        } else if (!strcmp(m, "update2")) {
            idl_handle_update(idl, msg, IDL_MONITOR_COND);
        } else if (!strcmp(m, "update")) {
            idl_handle_update(idl, msg, IDL_MONITOR_V1);
        } else if (!strcmp(m, "locked")) {
            idl_handle_lock_notify(idl, msg, true);
        } else if (!strcmp(m, "stolen")) {
            idl_handle_lock_notify(idl, msg, false);
        } else if (!strcmp(m, "monitor_canceled")) {
            idl__drop(idl, "server canceled the monitor");
        }
    } else {
        struct idl_request *req = idl_take_request(idl, msg->id);
        if (!req) {
            LOG_DBG("%s: reply to unknown request", idl_get_remote(idl));
        } else {
            switch (req->kind) {
            case IDL_REQ_SCHEMA:
                idl_handle_schema_reply(idl, msg);
                break;
            case IDL_REQ_MONITOR:
                idl_handle_monitor_reply(idl, msg);
                break;
            case IDL_REQ_COND_CHANGE:
                idl_handle_cond_change_reply(idl, msg);
                break;
            case IDL_REQ_TRANSACT:
                if (req->txn) {
                    idl__txn_finish(req->txn,
                                    idl__txn_process_reply(req->txn, msg));
                }
                break;
            case IDL_REQ_LOCK:
                idl_handle_lock_reply(idl, req, msg);
                break;
            case IDL_REQ_MONITOR_CANCEL:
            case IDL_REQ_UNLOCK:
            case IDL_REQ_ECHO:
                break;
            }
            idl_request_free(req);
        }
    }
    jsonrpc_msg_destroy(msg);
}

/* Keepalive. */

/* Runs the inactivity probe at the current time: sends an echo request
 * after 'probe_interval' ms of silence, and drops the connection if
 * another 'probe_interval' ms pass without a message.  Returns the ms until
 * it should run again, or -1 if probing is off or there is no
 * connection. */
long long
idl__probe_tick(struct idl *idl)
{
    if (!idl->probe_interval || idl->state < IDL_S_SCHEMA) {
        return -1;
    }
    long long now = idl__now(idl);
    long long interval = idl->probe_interval;
    if (idl->echo_sent >= 0) {
        if (now - idl->echo_sent >= interval) {
            COUNTER_INC(idl_probe_timeout);
            idl__set_error(idl, "%s: no response to inactivity probe after "
                           "%lld ms", idl_get_remote(idl),
                           now - idl->last_rx);
            idl__drop(idl, "inactivity probe timeout");
            return -1;
        }
        return idl->echo_sent + interval - now;
    }
    long long idle = now - idl->last_rx;
    if (idle >= interval) {
        idl__send_request(idl, "echo", json_array_create_empty(),
                          IDL_REQ_ECHO, NULL);
        idl->echo_sent = now;
        return interval;
    }
    return interval - idle;
}

static void
idl_probe_timer_cb(uv_timer_t *timer)
{
    struct idl *idl = timer->data;
    long long next = idl__probe_tick(idl);
    if (next >= 0) {
        uv_timer_start(&idl->probe_timer, idl_probe_timer_cb, next, 0);
    }
}

static void
idl_probe_timer_start(struct idl *idl)
{
    if (idl->probe_interval) {
        uv_timer_start(&idl->probe_timer, idl_probe_timer_cb,
                       idl->probe_interval, 0);
    } else {
        uv_timer_stop(&idl->probe_timer);
    }
}

/* The libuv connection. */

static void
idl_conn_received_cb(struct jsonrpc_conn *conn, struct jsonrpc_msg *msg,
                     void *idl_)
{
    struct idl *idl = idl_;
    if (conn != idl->conn) {
        jsonrpc_msg_destroy(msg);
        return;
    }
    idl__receive(idl, msg);
}

static void
idl_conn_closed_cb(struct jsonrpc_conn *conn, int error, void *idl_)
{
    struct idl *idl = idl_;
    if (conn == idl->conn) {
        idl__disconnected(idl, error);
    }
}

static void
idl_conn_connected_cb(struct jsonrpc_conn *conn, int error, void *idl_)
{
    struct idl *idl = idl_;
    if (conn != idl->conn) {
        return;
    }
    if (error) {
        idl__set_error(idl, "%s: connection failed: %s",
                       idl_get_remote(idl), uv_strerror(error));
        idl__disconnected(idl, error);
        return;
    }
    idl__connected(idl);
}

static const struct jsonrpc_conn_callbacks idl_conn_callbacks = {
    .received = idl_conn_received_cb,
    .closed = idl_conn_closed_cb,
    .connected = idl_conn_connected_cb,
};

/* Arms the reconnect timer: the next remote at once while some remote of
 * this round is untried, else after the backoff, which doubles. */
static void
idl_schedule_reconnect(struct idl *idl)
{
    idl->remote_idx = (idl->remote_idx + 1) % idl->n_remotes;
    long long delay = 0;
    if (++idl->n_tried >= idl->n_remotes) {
        idl->n_tried = 0;
        delay = idl->backoff;
        idl->backoff = MIN(MAX(idl->backoff * 2, 1), idl->backoff_max);
    }
    uv_timer_start(&idl->reconnect_timer, idl_reconnect_cb, delay, 0);
}

/* Blocking helpers. */

struct idl_wait {
    uv_timer_t timer;           /* Timeout. */
    bool timed_out;             /* Did it fire? */
};

static void
idl_wait_timer_cb(uv_timer_t *timer)
{
    struct idl_wait *w = timer->data;
    w->timed_out = true;
}

static void
idl_wait_close_cb(uv_handle_t *handle)
{
    free(handle->data);
}

/* Runs the IDL's loop until 'done'('idl', 'aux') returns true (returns 0)
 * or 'timeout_ms' passes (returns -ETIMEDOUT; a negative timeout waits
 * forever).  Returns -EIO if the loop has nothing left to wait for.  Must
 * not be called from a loop callback. */
int
idl_run_until(struct idl *idl, bool (*done)(struct idl *, void *aux),
              void *aux, long long timeout_ms)
{
    if (done(idl, aux)) {
        return 0;
    }
    struct idl_wait *w = NULL;
    if (timeout_ms >= 0) {
        w = xzalloc(sizeof *w);
        uv_timer_init(idl->loop, &w->timer);
        w->timer.data = w;
        uv_timer_start(&w->timer, idl_wait_timer_cb, timeout_ms, 0);
    }
    int error = 0;
    while (!done(idl, aux)) {
        if (w && w->timed_out) {
            error = -ETIMEDOUT;
            break;
        }
        if (!uv_run(idl->loop, UV_RUN_ONCE) && !done(idl, aux)) {
            error = -EIO;
            break;
        }
    }
    if (w) {
        uv_close((uv_handle_t *) &w->timer, idl_wait_close_cb);
    }
    return error;
}

static bool
idl_synced_or_failed(struct idl *idl, void *aux)
{
    return idl_has_synced(idl) || idl->schema_error;
}

/* Runs the loop until the replica is synced (0), the server's schema lacks
 * a requested table or column (-ENOENT), or 'timeout_ms' passes
 * (-ETIMEDOUT). */
int
idl_wait_synced(struct idl *idl, long long timeout_ms)
{
    int error = idl_run_until(idl, idl_synced_or_failed, NULL, timeout_ms);
    return error ? error : idl_has_synced(idl) ? 0 : -ENOENT;
}
