/* Byte streams over libuv: unix and TCP, active ("unix:PATH",
 * "tcp:IP:PORT") and passive ("punix:PATH", "ptcp:PORT[:IP]").
 *
 * Output is buffered: stream_send() never blocks and never fails at once;
 * the stream writes what the kernel takes and queues the rest, so callers
 * watch stream_backlog() to slow down producers.  Input arrives through the
 * read callback into a buffer the caller owns, so a JSON-RPC connection can
 * parse in place without copying. */
#ifndef LIB_STREAM_H
#define LIB_STREAM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "lib/ds.h"

struct stream;
struct stream_listener;

struct stream_callbacks {
    /* 'buf' gained 'n' bytes at its end.  The callee consumes what it can
     * (removing it from the front of 'buf' or clearing it). */
    void (*read)(struct stream *, struct ds *buf, size_t n, void *aux);
    /* The peer closed (error 0) or the connection failed (negative errno);
     * the callee must call stream_close() eventually.  Not called after
     * stream_close(). */
    void (*closed)(struct stream *, int error, void *aux);
    /* An active connection completed (error 0) or failed. */
    void (*connected)(struct stream *, int error, void *aux);
};

typedef void stream_accept_cb(struct stream_listener *, struct stream *,
                              void *aux);

int stream_listen(uv_loop_t *, const char *name, stream_accept_cb *,
                  void *aux, struct stream_listener **)
    WARN_UNUSED_RESULT;
const char *stream_listener_name(const struct stream_listener *);
int stream_listener_port(const struct stream_listener *);
void stream_listener_close(struct stream_listener *);

int stream_connect(uv_loop_t *, const char *name,
                   const struct stream_callbacks *, void *aux,
                   struct stream **) WARN_UNUSED_RESULT;
void stream_start(struct stream *, const struct stream_callbacks *,
                  void *aux);
void stream_close(struct stream *);

const char *stream_name(const struct stream *);
bool stream_is_connected(const struct stream *);
void stream_send(struct stream *, const void *, size_t n);
struct ds *stream_send_buffer(struct stream *);
void stream_offer_buffer(struct stream *, struct ds *);
void stream_flush(struct stream *);
size_t stream_backlog(const struct stream *);
void stream_pause_reading(struct stream *);
void stream_resume_reading(struct stream *);

/* Whether 'name' is syntactically a valid active or passive name. */
bool stream_name_is_valid(const char *name, bool passive);

#endif /* lib/stream.h */
