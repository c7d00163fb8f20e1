/* JSON-RPC messages and connections. */
#include "lib/jsonrpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/stream.h"
#include "lib/util.h"

#define JSONRPC_DEFAULT_MAX_MSG_SIZE (64u * 1024 * 1024)

static struct jsonrpc_msg *
jsonrpc_msg_create(enum jsonrpc_msg_type type)
{
    struct jsonrpc_msg *msg = xzalloc(sizeof *msg);
    msg->type = type;
    return msg;
}

struct jsonrpc_msg *
jsonrpc_msg_create_request(const char *method, struct json *params,
                           struct json *id)
{
    struct jsonrpc_msg *msg = jsonrpc_msg_create(JSONRPC_REQUEST);
    msg->method = xstrdup(method);
    msg->params = params;
    msg->id = id;
    return msg;
}

struct jsonrpc_msg *
jsonrpc_msg_create_notify(const char *method, struct json *params)
{
    struct jsonrpc_msg *msg = jsonrpc_msg_create(JSONRPC_NOTIFY);
    msg->method = xstrdup(method);
    msg->params = params;
    return msg;
}

struct jsonrpc_msg *
jsonrpc_msg_create_reply(struct json *result, const struct json *id)
{
    struct jsonrpc_msg *msg = jsonrpc_msg_create(JSONRPC_REPLY);
    msg->result = result;
    msg->id = id ? json_ref(id) : json_null_create();
    return msg;
}

struct jsonrpc_msg *
jsonrpc_msg_create_error(struct json *error, const struct json *id)
{
    struct jsonrpc_msg *msg = jsonrpc_msg_create(JSONRPC_ERROR);
    msg->error = error;
    msg->id = id ? json_ref(id) : json_null_create();
    return msg;
}

void
jsonrpc_msg_destroy(struct jsonrpc_msg *msg)
{
    if (msg) {
        free(msg->method);
        json_unref(msg->params);
        json_unref(msg->result);
        json_unref(msg->error);
        json_unref(msg->id);
        free(msg);
    }
}

const char *
jsonrpc_msg_type_to_string(enum jsonrpc_msg_type type)
{
    switch (type) {
    case JSONRPC_REQUEST: return "request";
    case JSONRPC_NOTIFY: return "notification";
    case JSONRPC_REPLY: return "reply";
    case JSONRPC_ERROR: return "error";
    }
    return "<unknown>";
}

/* RFC 7047 §4: a request has "method", "params" (an array) and a non-null
 * "id"; a notification the same with a null "id"; a response has "result",
 * "error" and "id", exactly one of "result" and "error" non-null. */
char *
jsonrpc_msg_from_json(struct json *json, struct jsonrpc_msg **msgp)
{
    char *error = NULL;
    *msgp = NULL;

    if (json->type != JSON_OBJECT) {
        error = xasprintf("message is JSON %s, not object",
                          json_type_to_string(json->type));
        goto out;
    }

    struct json *method = json_object_steal(json, "method");
    struct json *params = json_object_steal(json, "params");
    struct json *result = json_object_steal(json, "result");
    struct json *err = json_object_steal(json, "error");
    struct json *id = json_object_steal(json, "id");
    struct jsonrpc_msg *msg = NULL;

    if (json_object_size(json)) {
        error = xasprintf("message has unexpected member \"%s\"",
                          json->object.members[0].name);
    } else if (method) {
        if (method->type != JSON_STRING) {
            error = xstrdup("\"method\" is not a string");
        } else if (!params || params->type != JSON_ARRAY) {
            error = xstrdup("\"params\" is missing or not an array");
        } else if (result || err) {
            error = xstrdup("request has \"result\" or \"error\"");
        } else if (id && id->type != JSON_NULL) {
            msg = jsonrpc_msg_create_request(json_string(method), params, id);
            params = id = NULL;
        } else {
            msg = jsonrpc_msg_create_notify(json_string(method), params);
            params = NULL;
        }
    } else if (!id) {
        error = xstrdup("response lacks \"id\"");
    } else if (err && err->type != JSON_NULL) {
        if (result && result->type != JSON_NULL) {
            error = xstrdup("response has both \"result\" and \"error\"");
        } else {
            msg = jsonrpc_msg_create(JSONRPC_ERROR);
            msg->error = err;
            msg->id = id;
            err = id = NULL;
        }
    } else if (result) {
        msg = jsonrpc_msg_create(JSONRPC_REPLY);
        msg->result = result;
        msg->id = id;
        result = id = NULL;
    } else {
        error = xstrdup("message is neither request nor response");
    }

    json_unref(method);
    json_unref(params);
    json_unref(result);
    json_unref(err);
    json_unref(id);
    *msgp = msg;

out:
    json_unref(json);
    return error;
}

struct json *
jsonrpc_msg_to_json(const struct jsonrpc_msg *msg)
{
    struct json *json = json_object_create();
    if (msg->method) {
        json_object_put_new(json, "method", json_string_create(msg->method));
    }
    if (msg->params) {
        json_object_put_new(json, "params", json_ref(msg->params));
    }
    if (msg->type == JSONRPC_REPLY) {
        json_object_put_new(json, "result", msg->result
                            ? json_ref(msg->result) : json_null_create());
        json_object_put_new(json, "error", json_null_create());
    } else if (msg->type == JSONRPC_ERROR) {
        json_object_put_new(json, "error", msg->error
                            ? json_ref(msg->error) : json_null_create());
    }
    json_object_put_new(json, "id",
                        msg->id ? json_ref(msg->id) : json_null_create());
    return json;
}

void
jsonrpc_msg_to_ds(const struct jsonrpc_msg *msg, struct ds *ds)
{
    /* Written by hand rather than through jsonrpc_msg_to_json() to spare an
     * object per message on the server's hot path. */
    ds_put_cstr(ds, "{\"id\":");
    if (msg->id) {
        json_to_ds(msg->id, 0, ds);
    } else {
        ds_put_cstr(ds, "null");
    }
    switch (msg->type) {
    case JSONRPC_REQUEST:
    case JSONRPC_NOTIFY: {
        struct json method = {
            .type = JSON_STRING, .refcount = 1,
            .string = { msg->method, strlen(msg->method) },
        };
        ds_put_cstr(ds, ",\"method\":");
        json_to_ds(&method, 0, ds);
        ds_put_cstr(ds, ",\"params\":");
        if (msg->params) {
            json_to_ds(msg->params, 0, ds);
        } else {
            ds_put_cstr(ds, "[]");
        }
        break;
    }
    case JSONRPC_REPLY:
        ds_put_cstr(ds, ",\"result\":");
        if (msg->result) {
            json_to_ds(msg->result, 0, ds);
        } else {
            ds_put_cstr(ds, "null");
        }
        ds_put_cstr(ds, ",\"error\":null");
        break;
    case JSONRPC_ERROR:
        /* ovsdb-server leaves "result" out of errors; so do we. */
        ds_put_cstr(ds, ",\"error\":");
        if (msg->error) {
            json_to_ds(msg->error, 0, ds);
        } else {
            ds_put_cstr(ds, "null");
        }
        break;
    }
    ds_put_char(ds, '}');
}

/* Parsing a byte stream. */

void
jsonrpc_parser_init(struct jsonrpc_parser *p)
{
    json_framer_init(&p->framer);
    p->max_msg_size = JSONRPC_DEFAULT_MAX_MSG_SIZE;
}

int
jsonrpc_parser_run(struct jsonrpc_parser *p, struct ds *buf,
                   void (*received)(struct jsonrpc_msg *, void *aux),
                   void *aux, char **errorp)
{
    size_t offset = 0;
    int error = 0;

    *errorp = NULL;
    while (offset < buf->length) {
        size_t length;
        enum json_framer_result r = json_framer_scan(
            &p->framer, buf->string + offset, buf->length - offset, &length);
        if (r == JSON_FRAMER_MORE) {
            if (p->max_msg_size && buf->length - offset > p->max_msg_size) {
                *errorp = xasprintf("message exceeds %zu bytes",
                                    p->max_msg_size);
                error = -EMSGSIZE;
            }
            break;
        } else if (r == JSON_FRAMER_ERROR) {
            *errorp = xstrdup("input is not a sequence of JSON objects");
            error = -EPROTO;
            break;
        }
        if (p->max_msg_size && length > p->max_msg_size) {
            *errorp = xasprintf("message exceeds %zu bytes", p->max_msg_size);
            error = -EMSGSIZE;
            break;
        }

        struct json *json;
        char *parse_error = json_from_buffer(buf->string + offset, length,
                                             &json);
        offset += length;
        if (parse_error) {
            *errorp = parse_error;
            error = -EPROTO;
            break;
        }

        struct jsonrpc_msg *msg;
        char *msg_error = jsonrpc_msg_from_json(json, &msg);
        if (msg_error) {
            *errorp = msg_error;
            error = -EPROTO;
            break;
        }
        received(msg, aux);
    }

    /* Keep only the unconsumed tail, at the front of the buffer. */
    if (offset >= buf->length) {
        ds_clear(buf);
    } else if (offset) {
        memmove(buf->string, buf->string + offset, buf->length - offset);
        ds_truncate(buf, buf->length - offset);
    }
    return error;
}

/* Connections. */

struct jsonrpc_conn {
    struct stream *stream;      /* Owned. */
    const struct jsonrpc_conn_callbacks *cbs;
    void *aux;
    struct jsonrpc_parser parser;
    int dispatching;            /* Nesting of callbacks now running. */
    bool close_requested;       /* jsonrpc_conn_close() during a callback. */
    bool failed;                /* 'closed' has been reported. */
};

static void
jsonrpc_conn_free(struct jsonrpc_conn *conn)
{
    stream_close(conn->stream);
    free(conn);
}

static void
jsonrpc_conn_fail(struct jsonrpc_conn *conn, int error)
{
    if (!conn->failed && !conn->close_requested) {
        conn->failed = true;
        stream_pause_reading(conn->stream);
        if (conn->cbs->closed) {
            conn->cbs->closed(conn, error, conn->aux);
        }
    }
}

static void
jsonrpc_conn_deliver(struct jsonrpc_msg *msg, void *conn_)
{
    struct jsonrpc_conn *conn = conn_;
    if (conn->close_requested || conn->failed) {
        jsonrpc_msg_destroy(msg);
        return;
    }
    conn->cbs->received(conn, msg, conn->aux);
}

static void
jsonrpc_conn_read_cb(struct stream *stream, struct ds *buf, size_t n,
                     void *conn_)
{
    struct jsonrpc_conn *conn = conn_;
    char *error_msg;

    conn->dispatching++;
    int error = jsonrpc_parser_run(&conn->parser, buf, jsonrpc_conn_deliver,
                                   conn, &error_msg);
    if (error) {
        ds_clear(buf);
        jsonrpc_conn_fail(conn, error);
    }
    free(error_msg);
    if (!--conn->dispatching && conn->close_requested) {
        jsonrpc_conn_free(conn);
    }
}

static void
jsonrpc_conn_closed_cb(struct stream *stream, int error, void *conn_)
{
    struct jsonrpc_conn *conn = conn_;
    conn->dispatching++;
    jsonrpc_conn_fail(conn, error);
    if (!--conn->dispatching && conn->close_requested) {
        jsonrpc_conn_free(conn);
    }
}

static void
jsonrpc_conn_connected_cb(struct stream *stream, int error, void *conn_)
{
    struct jsonrpc_conn *conn = conn_;
    conn->dispatching++;
    if (conn->cbs->connected) {
        conn->cbs->connected(conn, error, conn->aux);
    } else if (error) {
        jsonrpc_conn_fail(conn, error);
    }
    if (!--conn->dispatching && conn->close_requested) {
        jsonrpc_conn_free(conn);
    }
}

static const struct stream_callbacks jsonrpc_stream_callbacks = {
    .read = jsonrpc_conn_read_cb,
    .closed = jsonrpc_conn_closed_cb,
    .connected = jsonrpc_conn_connected_cb,
};

struct jsonrpc_conn *
jsonrpc_conn_create(struct stream *stream,
                    const struct jsonrpc_conn_callbacks *cbs, void *aux)
{
    struct jsonrpc_conn *conn = xzalloc(sizeof *conn);
    conn->stream = stream;
    conn->cbs = cbs;
    conn->aux = aux;
    jsonrpc_parser_init(&conn->parser);
    stream_start(stream, &jsonrpc_stream_callbacks, conn);
    return conn;
}

void
jsonrpc_conn_close(struct jsonrpc_conn *conn)
{
    if (!conn) {
        return;
    }
    if (conn->dispatching) {
        conn->close_requested = true;
        stream_pause_reading(conn->stream);
    } else {
        jsonrpc_conn_free(conn);
    }
}

void
jsonrpc_conn_send(struct jsonrpc_conn *conn, struct jsonrpc_msg *msg)
{
    jsonrpc_msg_to_ds(msg, stream_send_buffer(conn->stream));
    jsonrpc_msg_destroy(msg);
    stream_flush(conn->stream);
}

void
jsonrpc_conn_send_text(struct jsonrpc_conn *conn, const char *s, size_t n)
{
    stream_send(conn->stream, s, n);
}

struct ds *
jsonrpc_conn_send_buffer(struct jsonrpc_conn *conn)
{
    return stream_send_buffer(conn->stream);
}

/* Lets the output queue of 'conn' take over the allocation of 'buf', as
 * stream_offer_buffer() says. */
void
jsonrpc_conn_offer_buffer(struct jsonrpc_conn *conn, struct ds *buf)
{
    stream_offer_buffer(conn->stream, buf);
}

void
jsonrpc_conn_flush(struct jsonrpc_conn *conn)
{
    stream_flush(conn->stream);
}

const char *
jsonrpc_conn_name(const struct jsonrpc_conn *conn)
{
    return stream_name(conn->stream);
}

size_t
jsonrpc_conn_backlog(const struct jsonrpc_conn *conn)
{
    return stream_backlog(conn->stream);
}

struct stream *
jsonrpc_conn_stream(struct jsonrpc_conn *conn)
{
    return conn->stream;
}

void
jsonrpc_conn_set_max_msg_size(struct jsonrpc_conn *conn, size_t max)
{
    conn->parser.max_msg_size = max;
}

void
jsonrpc_conn_pause(struct jsonrpc_conn *conn)
{
    stream_pause_reading(conn->stream);
}

void
jsonrpc_conn_resume(struct jsonrpc_conn *conn)
{
    if (!conn->failed && !conn->close_requested) {
        stream_resume_reading(conn->stream);
    }
}
