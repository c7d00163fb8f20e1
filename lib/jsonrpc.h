/* JSON-RPC 1.0 as OVSDB uses it (RFC 7047 §4): messages, and connections
 * that carry them over a lib/stream.
 *
 * The message codec is pure (JSON in, message out, and back), so it is
 * tested and fuzzed without sockets.  A connection frames the incoming byte
 * stream into messages with json_framer, parses each, and hands it to the
 * owner's callback; outgoing messages are serialized straight into the
 * stream's output buffer. */
#ifndef LIB_JSONRPC_H
#define LIB_JSONRPC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "lib/json.h"

struct ds;
struct stream;

enum jsonrpc_msg_type {
    JSONRPC_REQUEST,            /* "method", "params", "id". */
    JSONRPC_NOTIFY,             /* "method", "params", "id": null. */
    JSONRPC_REPLY,              /* "result", "error": null, "id". */
    JSONRPC_ERROR,              /* "result": null, "error", "id". */
};

struct jsonrpc_msg {
    enum jsonrpc_msg_type type;
    char *method;               /* Request or notify; owned. */
    struct json *params;        /* Request or notify: an array; owned. */
    struct json *result;        /* Reply; owned. */
    struct json *error;         /* Error; owned. */
    struct json *id;            /* Request, reply or error; owned. */
};

/* Constructors take ownership of every json argument. */
struct jsonrpc_msg *jsonrpc_msg_create_request(const char *method,
                                               struct json *params,
                                               struct json *id);
struct jsonrpc_msg *jsonrpc_msg_create_notify(const char *method,
                                              struct json *params);
/* 'id' is borrowed (cloned by reference), as replies echo a request's id. */
struct jsonrpc_msg *jsonrpc_msg_create_reply(struct json *result,
                                             const struct json *id);
struct jsonrpc_msg *jsonrpc_msg_create_error(struct json *error,
                                             const struct json *id);
void jsonrpc_msg_destroy(struct jsonrpc_msg *);

const char *jsonrpc_msg_type_to_string(enum jsonrpc_msg_type);

/* Converts 'json' into a message.  Returns NULL and stores the message in
 * '*msgp', or returns an error string (caller frees).  Takes ownership of
 * 'json' either way. */
char *jsonrpc_msg_from_json(struct json *json, struct jsonrpc_msg **msgp)
    WARN_UNUSED_RESULT;
struct json *jsonrpc_msg_to_json(const struct jsonrpc_msg *);
/* Appends the serialized message to 'ds'. */
void jsonrpc_msg_to_ds(const struct jsonrpc_msg *, struct ds *);

/* Connections. */

struct jsonrpc_conn;

struct jsonrpc_conn_callbacks {
    /* A message arrived; the callee owns it. */
    void (*received)(struct jsonrpc_conn *, struct jsonrpc_msg *, void *aux);
    /* The connection ended: the peer closed (0), a protocol error
     * (-EPROTO, with a log line), an oversized message (-EMSGSIZE), or a
     * socket error.  The callee must call jsonrpc_conn_close(). */
    void (*closed)(struct jsonrpc_conn *, int error, void *aux);
    /* For active connections: connected (0) or failed. */
    void (*connected)(struct jsonrpc_conn *, int error, void *aux);
};

/* Takes ownership of 'stream', which must be connected or connecting. */
struct jsonrpc_conn *jsonrpc_conn_create(struct stream *,
                                         const struct jsonrpc_conn_callbacks *,
                                         void *aux);
/* Closes the stream and frees 'conn'; no callback runs after. */
void jsonrpc_conn_close(struct jsonrpc_conn *);

/* Queues 'msg' for sending; takes ownership. */
void jsonrpc_conn_send(struct jsonrpc_conn *, struct jsonrpc_msg *);
/* Queues pre-serialized JSON text (one complete message). */
void jsonrpc_conn_send_text(struct jsonrpc_conn *, const char *, size_t n);
/* Direct access for hot paths: append one serialized message to the
 * returned buffer, then call jsonrpc_conn_flush(). */
struct ds *jsonrpc_conn_send_buffer(struct jsonrpc_conn *);
void jsonrpc_conn_offer_buffer(struct jsonrpc_conn *, struct ds *);
void jsonrpc_conn_flush(struct jsonrpc_conn *);

const char *jsonrpc_conn_name(const struct jsonrpc_conn *);
size_t jsonrpc_conn_backlog(const struct jsonrpc_conn *);
struct stream *jsonrpc_conn_stream(struct jsonrpc_conn *);
/* Messages larger than 'max' bytes close the connection with -EMSGSIZE
 * (0 means no limit; the default is 64 MiB). */
void jsonrpc_conn_set_max_msg_size(struct jsonrpc_conn *, size_t max);
void jsonrpc_conn_pause(struct jsonrpc_conn *);
void jsonrpc_conn_resume(struct jsonrpc_conn *);

/* Frames and parses every complete message at the start of 'buf', calling
 * 'received' for each, and removes them from 'buf'.  Returns 0, or a
 * negative errno for a framing/parse error ('*errorp' says why).  Exposed
 * for the unit tests and the fuzz target. */
struct jsonrpc_parser {
    struct json_framer framer;  /* Where the current message ends. */
    size_t max_msg_size;        /* 0 = unlimited. */
};
void jsonrpc_parser_init(struct jsonrpc_parser *);
int jsonrpc_parser_run(struct jsonrpc_parser *, struct ds *buf,
                       void (*received)(struct jsonrpc_msg *, void *aux),
                       void *aux, char **errorp);

#endif /* lib/jsonrpc.h */
