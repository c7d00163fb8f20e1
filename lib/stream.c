/* Unix and TCP streams on libuv handles.  Each 'struct stream' embeds its
 * handle, so it is freed only in the handle's close callback. */
#include "lib/stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/util.h"

/* The most bytes asked of the kernel per read. */
#define STREAM_READ_SIZE 65536

/* Buffers larger than this are freed, not kept, once empty. */
#define STREAM_KEEP_SIZE (1024 * 1024)

struct stream {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } u;
    char *name;                 /* "unix:PATH", "tcp:IP:PORT". */
    const struct stream_callbacks *cbs;
    void *aux;
    struct ds *in;              /* Input buffer: caller's or 'own_in'. */
    struct ds own_in;           /* Default input buffer. */
    bool connected;             /* Connection established? */
    bool closing;               /* stream_close() called. */
    bool reading;               /* uv_read_start() in effect? */
    bool paused;                /* Reading paused by the owner? */
    bool send_failed;           /* A write failed; reads will report it. */

    /* Output. */
    struct ds pending;          /* Queued, not yet handed to libuv. */
    struct ds flight;           /* In the current uv_write(). */
    bool writing;               /* A uv_write() is outstanding. */
    uv_write_t wreq;            /* The outstanding write. */
    uv_connect_t creq;          /* Connection request (active only). */
};

struct stream_listener {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } u;
    char *name;                 /* As given, "punix:PATH" or "ptcp:...". */
    char *unix_path;            /* Socket file to remove on close. */
    stream_accept_cb *accept_cb;
    void *aux;
    int port;                   /* Bound TCP port (for "ptcp:0"). */
};

static void stream_start_write(struct stream *);

static void
stream_close_cb(uv_handle_t *handle)
{
    struct stream *s = CONTAINER_OF(handle, struct stream, u.handle);
    free(s->name);
    ds_uninit(&s->own_in);
    ds_uninit(&s->pending);
    ds_uninit(&s->flight);
    free(s);
}

/* Closes 's' and frees it once libuv lets go.  No callback runs after. */
void
stream_close(struct stream *s)
{
    if (s && !s->closing) {
        s->closing = true;
        uv_close(&s->u.handle, stream_close_cb);
    }
}

static void
stream_report_closed(struct stream *s, int error)
{
    if (!s->closing) {
        s->connected = false;
        if (s->reading) {
            uv_read_stop(&s->u.stream);
            s->reading = false;
        }
        if (s->cbs && s->cbs->closed) {
            s->cbs->closed(s, error == UV_EOF ? 0 : error, s->aux);
        }
    }
}

/* A write failed at once, inside stream_send() or stream_flush().  The
 * owner's "closed" callback must not run from there: the owner is in the
 * middle of its own work and may not survive its callback (it usually
 * destroys itself).  A failed socket also fails its reads, so while
 * reading, the read callback reports the failure soon, from the event
 * loop; until then output is dropped.  A stream that is not reading has
 * no such path, so it is reported now, as before. */
static void
stream_send_failed(struct stream *s, int error)
{
    ds_clear(&s->pending);
    if (s->reading) {
        s->send_failed = true;
    } else {
        stream_report_closed(s, error);
    }
}

static void
stream_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    struct stream *s = CONTAINER_OF(handle, struct stream, u.handle);
    ds_reserve(s->in, s->in->length + STREAM_READ_SIZE);
    buf->base = s->in->string + s->in->length;
    buf->len = s->in->allocated - s->in->length;
}

static void
stream_read_cb(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
    struct stream *s = CONTAINER_OF(stream, struct stream, u.stream);
    if (n > 0) {
        s->in->length += n;
        s->in->string[s->in->length] = '\0';
        if (s->cbs && s->cbs->read) {
            s->cbs->read(s, s->in, n, s->aux);
        } else {
            ds_clear(s->in);
        }
        if (!s->closing && !s->in->length
            && s->in->allocated > STREAM_KEEP_SIZE) {
            ds_uninit(s->in);
        }
    } else if (n < 0) {
        stream_report_closed(s, n);
    }
}

static void
stream_update_reading(struct stream *s)
{
    bool want = s->connected && !s->paused && !s->closing;
    if (want && !s->reading) {
        if (!uv_read_start(&s->u.stream, stream_alloc_cb, stream_read_cb)) {
            s->reading = true;
        }
    } else if (!want && s->reading) {
        uv_read_stop(&s->u.stream);
        s->reading = false;
    }
}

static struct stream *
stream_alloc(const char *name)
{
    struct stream *s = xzalloc(sizeof *s);
    s->name = xstrdup(name);
    s->in = &s->own_in;
    return s;
}

/* Sets the callbacks of a stream that came from a listener and starts
 * reading. */
void
stream_start(struct stream *s, const struct stream_callbacks *cbs, void *aux)
{
    s->cbs = cbs;
    s->aux = aux;
    stream_update_reading(s);
}

const char *
stream_name(const struct stream *s)
{
    return s->name;
}

bool
stream_is_connected(const struct stream *s)
{
    return s->connected;
}

/* Bytes accepted by stream_send() and not yet taken by the kernel. */
size_t
stream_backlog(const struct stream *s)
{
    return s->pending.length + s->flight.length;
}

void
stream_pause_reading(struct stream *s)
{
    s->paused = true;
    stream_update_reading(s);
}

void
stream_resume_reading(struct stream *s)
{
    s->paused = false;
    stream_update_reading(s);
}

static void
stream_write_cb(uv_write_t *req, int status)
{
    struct stream *s = CONTAINER_OF(req, struct stream, wreq);
    s->writing = false;
    if (s->flight.allocated > STREAM_KEEP_SIZE) {
        /* One big message should not pin its buffer for the life of the
         * connection. */
        ds_uninit(&s->flight);
    } else {
        ds_clear(&s->flight);
    }
    if (status < 0) {
        if (status != UV_ECANCELED) {
            stream_report_closed(s, status);
        }
        return;
    }
    if (s->pending.length && !s->closing) {
        stream_start_write(s);
    }
}

static void
stream_start_write(struct stream *s)
{
    struct ds tmp = s->flight;
    s->flight = s->pending;
    s->pending = tmp;
    ds_clear(&s->pending);

    uv_buf_t buf = uv_buf_init(s->flight.string, s->flight.length);
    int error = uv_write(&s->wreq, &s->u.stream, &buf, 1, stream_write_cb);
    if (error) {
        ds_clear(&s->flight);
        stream_send_failed(s, error);
        return;
    }
    s->writing = true;
}

/* Returns the buffer of queued output, so a caller can serialize straight
 * into it; call stream_flush() after appending. */
struct ds *
stream_send_buffer(struct stream *s)
{
    return &s->pending;
}

/* Offers the allocation of 'buf' to 's' for queuing output: if nothing is
 * queued and 'buf' has more room than the queue's buffer, the two exchange
 * allocations, the queue staying empty and 'buf' coming back empty with
 * the queue's old allocation (which the caller still owns).  A caller
 * about to queue a large message can so hand over memory it has already
 * written to, instead of making the queue grow into new pages. */
void
stream_offer_buffer(struct stream *s, struct ds *buf)
{
    if (!s->pending.length && buf->allocated > s->pending.allocated) {
        struct ds tmp = s->pending;
        s->pending = *buf;
        *buf = tmp;
        ds_clear(&s->pending);
        ds_clear(buf);
    }
}

/* Starts sending what is queued, if nothing is already on its way. */
void
stream_flush(struct stream *s)
{
    if (s->writing || !s->pending.length || !s->connected || s->closing) {
        return;
    }
    if (s->send_failed) {
        ds_clear(&s->pending);
        return;
    }

    /* Most of the time the socket has room: write directly, no request. */
    uv_buf_t buf = uv_buf_init(s->pending.string, s->pending.length);
    int n = uv_try_write(&s->u.stream, &buf, 1);
    if (n > 0) {
        if ((size_t) n == s->pending.length) {
            ds_clear(&s->pending);
            return;
        }
        memmove(s->pending.string, s->pending.string + n,
                s->pending.length - n);
        ds_truncate(&s->pending, s->pending.length - n);
    } else if (n < 0 && n != UV_EAGAIN) {
        stream_send_failed(s, n);
        return;
    }
    stream_start_write(s);
}

void
stream_send(struct stream *s, const void *data, size_t n)
{
    ds_put_buffer(&s->pending, data, n);
    stream_flush(s);
}

/* Name parsing. */

static bool
parse_unix_name(const char *name, const char *prefix, const char **pathp)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) || !name[n]) {
        return false;
    }
    *pathp = name + n;
    return strlen(*pathp) < sizeof ((struct sockaddr_un *) 0)->sun_path;
}

/* Parses "IP:PORT" (active) or "PORT[:IP]" (passive) into 'ss'.  IPv6
 * addresses go in brackets: "[::1]:6641", "6641:[::1]". */
static bool
parse_inet(const char *s, bool passive, struct sockaddr_storage *ss)
{
    char host[128] = "";
    char port[16] = "";

    if (passive) {
        const char *colon = strchr(s, ':');
        size_t plen = colon ? (size_t) (colon - s) : strlen(s);
        if (plen >= sizeof port) {
            return false;
        }
        memcpy(port, s, plen);
        snprintf(host, sizeof host, "%s", colon ? colon + 1 : "0.0.0.0");
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon || (size_t) (colon - s) >= sizeof host
            || strlen(colon + 1) >= sizeof port) {
            return false;
        }
        memcpy(host, s, colon - s);
        host[colon - s] = '\0';
        snprintf(port, sizeof port, "%s", colon + 1);
    }

    size_t hlen = strlen(host);
    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        memmove(host, host + 1, hlen - 2);
        host[hlen - 2] = '\0';
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535 || (!passive && !p)) {
        return false;
    }
    if (!uv_ip4_addr(host, p, (struct sockaddr_in *) ss)) {
        return true;
    }
    return !uv_ip6_addr(host, p, (struct sockaddr_in6 *) ss);
}

bool
stream_name_is_valid(const char *name, bool passive)
{
    struct sockaddr_storage ss;
    const char *path;

    if (passive) {
        return (parse_unix_name(name, "punix:", &path)
                || (!strncmp(name, "ptcp:", 5)
                    && parse_inet(name + 5, true, &ss)));
    }
    return (parse_unix_name(name, "unix:", &path)
            || (!strncmp(name, "tcp:", 4)
                && parse_inet(name + 4, false, &ss)));
}

/* Active connections. */

static void
stream_connect_cb(uv_connect_t *req, int status)
{
    struct stream *s = CONTAINER_OF(req, struct stream, creq);
    if (s->closing) {
        return;
    }
    if (!status) {
        s->connected = true;
        stream_update_reading(s);
        stream_flush(s);
    }
    if (s->cbs && s->cbs->connected) {
        s->cbs->connected(s, status, s->aux);
    }
}

/* Starts connecting to 'name'.  The 'connected' callback reports the
 * outcome; data sent before then is queued. */
int
stream_connect(uv_loop_t *loop, const char *name,
               const struct stream_callbacks *cbs, void *aux,
               struct stream **sp)
{
    struct sockaddr_storage ss;
    const char *path;
    struct stream *s;
    int error;

    *sp = NULL;
    if (parse_unix_name(name, "unix:", &path)) {
        s = stream_alloc(name);
        error = uv_pipe_init(loop, &s->u.pipe, 0);
        if (error) {
            free(s->name);
            free(s);
            return error;
        }
        uv_pipe_connect(&s->creq, &s->u.pipe, path, stream_connect_cb);
    } else if (!strncmp(name, "tcp:", 4)
               && parse_inet(name + 4, false, &ss)) {
        s = stream_alloc(name);
        error = uv_tcp_init(loop, &s->u.tcp);
        if (error) {
            free(s->name);
            free(s);
            return error;
        }
        uv_tcp_nodelay(&s->u.tcp, 1);
        error = uv_tcp_connect(&s->creq, &s->u.tcp,
                               (const struct sockaddr *) &ss,
                               stream_connect_cb);
        if (error) {
            stream_close(s);
            return error;
        }
    } else {
        return -EAFNOSUPPORT;
    }
    s->cbs = cbs;
    s->aux = aux;
    *sp = s;
    return 0;
}

/* Passive connections. */

static void
stream_listener_accept_cb(uv_stream_t *server, int status)
{
    struct stream_listener *l = CONTAINER_OF(server, struct stream_listener,
                                             u.stream);
    if (status < 0) {
        return;
    }

    struct stream *s;
    int error;
    if (l->unix_path) {
        s = stream_alloc("unix");
        error = uv_pipe_init(server->loop, &s->u.pipe, 0);
    } else {
        s = stream_alloc("tcp");
        error = uv_tcp_init(server->loop, &s->u.tcp);
    }
    if (error) {
        free(s->name);
        free(s);
        return;
    }
    if (uv_accept(server, &s->u.stream)) {
        stream_close(s);
        return;
    }

    if (!l->unix_path) {
        struct sockaddr_storage ss;
        int len = sizeof ss;
        char ip[INET6_ADDRSTRLEN] = "?";
        int port = 0;
        uv_tcp_nodelay(&s->u.tcp, 1);
        if (!uv_tcp_getpeername(&s->u.tcp, (struct sockaddr *) &ss, &len)) {
            if (ss.ss_family == AF_INET6) {
                struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
                uv_ip6_name(sin6, ip, sizeof ip);
                port = ntohs(sin6->sin6_port);
            } else {
                struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
                uv_ip4_name(sin, ip, sizeof ip);
                port = ntohs(sin->sin_port);
            }
        }
        free(s->name);
        s->name = xasprintf("tcp:%s:%d", ip, port);
    } else {
        free(s->name);
        s->name = xasprintf("unix:%s", l->unix_path);
    }
    s->connected = true;
    l->accept_cb(l, s, l->aux);
}

static void
stream_listener_close_cb(uv_handle_t *handle)
{
    struct stream_listener *l = CONTAINER_OF(handle, struct stream_listener,
                                             u.handle);
    free(l->name);
    free(l->unix_path);
    free(l);
}

/* Listens on 'name'.  For each connection, 'accept_cb' gets a connected
 * stream whose owner it becomes (it calls stream_start() to read). */
int
stream_listen(uv_loop_t *loop, const char *name, stream_accept_cb *accept_cb,
              void *aux, struct stream_listener **lp)
{
    struct sockaddr_storage ss;
    const char *path;
    int error;

    *lp = NULL;
    struct stream_listener *l = xzalloc(sizeof *l);
    l->name = xstrdup(name);
    l->accept_cb = accept_cb;
    l->aux = aux;
    if (parse_unix_name(name, "punix:", &path)) {
        error = uv_pipe_init(loop, &l->u.pipe, 0);
        if (error) {
            goto error_free;
        }
        /* A socket file left by a dead process would make bind fail. */
        struct stat st;
        if (!stat(path, &st) && S_ISSOCK(st.st_mode)) {
            unlink(path);
        }
        error = uv_pipe_bind(&l->u.pipe, path);
        if (!error) {
            l->unix_path = xstrdup(path);
        }
    } else if (!strncmp(name, "ptcp:", 5)
               && parse_inet(name + 5, true, &ss)) {
        error = uv_tcp_init(loop, &l->u.tcp);
        if (error) {
            goto error_free;
        }
        error = uv_tcp_bind(&l->u.tcp, (const struct sockaddr *) &ss, 0);
        if (!error) {
            int len = sizeof ss;
            uv_tcp_getsockname(&l->u.tcp, (struct sockaddr *) &ss, &len);
            l->port = ntohs(ss.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *) &ss)->sin6_port
                            : ((struct sockaddr_in *) &ss)->sin_port);
        }
    } else {
        error = -EAFNOSUPPORT;
        goto error_free;
    }
    if (!error) {
        error = uv_listen(&l->u.stream, 128, stream_listener_accept_cb);
    }
    if (error) {
        if (l->unix_path) {
            unlink(l->unix_path);
        }
        uv_close(&l->u.handle, stream_listener_close_cb);
        return error;
    }
    *lp = l;
    return 0;

error_free:
    free(l->name);
    free(l);
    return error;
}

const char *
stream_listener_name(const struct stream_listener *l)
{
    return l->name;
}

/* The bound TCP port, or 0 for a unix listener. */
int
stream_listener_port(const struct stream_listener *l)
{
    return l->port;
}

void
stream_listener_close(struct stream_listener *l)
{
    if (l) {
        if (l->unix_path) {
            unlink(l->unix_path);
        }
        uv_close(&l->u.handle, stream_listener_close_cb);
    }
}
