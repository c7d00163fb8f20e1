/* kiln-ofctl's OpenFlow connection: target resolution, blocking socket
 * I/O, hello negotiation, request/reply matching by xid. */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/daemon.h"
#include "lib/ds.h"
#include "tools/ofctl-private.h"

/* Prints a fatal error and exits 1. */
void
ofctl_fatal(int err, const char *fmt, ...)
{
    va_list args;

    fflush(stdout);
    fprintf(stderr, "kiln-ofctl: ");
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    if (err) {
        fprintf(stderr, " (%s)", strerror(err < 0 ? -err : err));
    }
    fputc('\n', stderr);
    exit(1);
}

/* " (OF1.x)" tags. */
const char *
ofctl_version_tag(uint8_t version)
{
    switch (version) {
    case OFP10_VERSION: return "";
    case OFP11_VERSION: return " (OF1.1)";
    case OFP12_VERSION: return " (OF1.2)";
    case OFP13_VERSION: return " (OF1.3)";
    case OFP14_VERSION: return " (OF1.4)";
    case OFP15_VERSION: return " (OF1.5)";
    default: return " (OF?)";
    }
}

/* Connects to "unix:PATH"; returns fd or -errno. */
static int
connect_unix(const char *path)
{
    struct sockaddr_un sun;
    int fd;

    if (strlen(path) >= sizeof sun.sun_path) {
        return -ENAMETOOLONG;
    }
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        return -errno;
    }
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, path);
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    return fd;
}

/* Connects to "IP:PORT" (IPv4, port default 6653); returns fd or
 * -errno. */
static int
connect_tcp(const char *spec)
{
    char *copy = xstrdup(spec);
    char *colon = strrchr(copy, ':');
    struct sockaddr_in sin;
    int port = 6653;
    int fd;

    if (colon) {
        *colon = '\0';
        port = atoi(colon + 1);
    }
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    if (inet_pton(AF_INET, copy, &sin.sin_addr) != 1) {
        free(copy);
        return -EAFNOSUPPORT;
    }
    free(copy);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -errno;
    }
    if (connect(fd, (struct sockaddr *) &sin, sizeof sin) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    return fd;
}

/* Writes all of 'n' bytes. */
static int
write_all(int fd, const void *p_, size_t n)
{
    const uint8_t *p = p_;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        p += w;
        n -= w;
    }
    return 0;
}

/* Reads exactly 'n' bytes; -EPIPE on EOF. */
static int
read_all(int fd, void *p_, size_t n)
{
    uint8_t *p = p_;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (r == 0) {
            return -EPIPE;
        }
        p += r;
        n -= r;
    }
    return 0;
}

/* Sends one message. */
void
ofctl_conn_send(struct ofctl_conn *c, const struct ofpbuf *b)
{
    int err = write_all(c->fd, b->data, b->size);
    if (err) {
        ofctl_fatal(err, "%s: send failed", c->name);
    }
}

/* Receives one message, answering echo requests. */
int
ofctl_conn_recv(struct ofctl_conn *c, struct ofpbuf *b)
{
    for (;;) {
        uint8_t hdr[OFP_HEADER_LEN];
        int err = read_all(c->fd, hdr, sizeof hdr);
        if (err) {
            return err;
        }
        size_t len = ((size_t) hdr[2] << 8) | hdr[3];
        if (len < OFP_HEADER_LEN) {
            return -EPROTO;
        }
        ofpbuf_clear(b);
        ofpbuf_put(b, hdr, sizeof hdr);
        err = read_all(c->fd, ofpbuf_put_uninit(b, len - OFP_HEADER_LEN),
                       len - OFP_HEADER_LEN);
        if (err) {
            return err;
        }
        struct ofpmsg msg;
        if (!ofpmsg_classify(b->data, b->size, &msg)
            && msg.type == OFPMSG_ECHO_REQUEST) {
            struct ofpbuf reply = OFPBUF_EMPTY_INITIALIZER;
            ofpmsg_encode_echo(msg.version, msg.xid, true, msg.body,
                               msg.body_size, &reply);
            ofctl_conn_send(c, &reply);
            ofpbuf_uninit(&reply);
            continue;
        }
        return 0;
    }
}

/* Picks the connection name for 'target'. */
static char *
resolve_target(const char *target)
{
    struct stat st;

    if (!strncmp(target, "unix:", 5) || !strncmp(target, "tcp:", 4)) {
        return xstrdup(target);
    }
    if (strchr(target, '/') || !stat(target, &st)) {
        if (!stat(target, &st) && S_ISSOCK(st.st_mode)) {
            return xasprintf("unix:%s", target);
        }
        if (strchr(target, '/')) {
            ofctl_fatal(0, "%s is not a bridge or a socket", target);
        }
    }
    char *path = xasprintf("%s/%s.mgmt", daemon_rundir(), target);
    if (stat(path, &st) || !S_ISSOCK(st.st_mode)) {
        ofctl_fatal(0, "%s is not a bridge or a socket", target);
    }
    char *name = xasprintf("unix:%s", path);
    free(path);
    return name;
}

/* Opens the connection and negotiates. */
void
ofctl_conn_open(struct ofctl_conn *c, const char *target, uint32_t versions)
{
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    struct ofpmsg msg;
    struct ofpmsg_hello hello;
    int err;

    c->name = resolve_target(target);
    c->next_xid = 1;
    if (!strncmp(c->name, "unix:", 5)) {
        c->fd = connect_unix(c->name + 5);
    } else {
        c->fd = connect_tcp(c->name + 4);
    }
    if (c->fd < 0) {
        ofctl_fatal(c->fd, "connecting to %s", c->name);
    }
    int high = 31;
    while (high > 0 && !(versions & (1u << high))) {
        high--;
    }
    ofpmsg_encode_hello(versions, ofctl_conn_xid(c), &b);
    if (b.size > OFP_HEADER_LEN) {
        ((uint8_t *) b.data)[0] = high;
    }
    ofctl_conn_send(c, &b);
    err = ofctl_conn_recv(c, &b);
    if (err) {
        ofctl_fatal(err, "%s: receive failed", c->name);
    }
    if (ofpmsg_classify(b.data, b.size, &msg) || msg.type != OFPMSG_HELLO
        || ofpmsg_decode_hello(&msg, &hello)
        || ofpmsg_negotiate(versions, &hello, &c->version)) {
        ofctl_fatal(0, "%s: version negotiation failed", c->name);
    }
    ofpbuf_uninit(&b);
}

/* Closes 'c'. */
void
ofctl_conn_close(struct ofctl_conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    free(c->name);
    c->name = NULL;
}

/* Next xid. */
uint32_t
ofctl_conn_xid(struct ofctl_conn *c)
{
    return c->next_xid++;
}

/* Prints an error reply and exits: for a dump (multipart request) on
 * stdout with status 0, as ovs-ofctl does, else on stderr with status 1. */
static void
fail_with_error(const struct ofpmsg *msg, bool dump)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ofctl_format_error(msg, &s);
    fflush(stdout);
    fputs(ds_cstr(&s), dump ? stdout : stderr);
    ds_uninit(&s);
    exit(dump ? 0 : 1);
}

/* Sends a request and collects its replies. */
void
ofctl_conn_transact(struct ofctl_conn *c, const struct ofpbuf *req,
                    struct ofpbuf **replies, size_t *n)
{
    struct ofpmsg rq;
    size_t allocated = 0;

    if (ofpmsg_classify(req->data, req->size, &rq)) {
        /* A request the codec does not classify (OpenFlow 1.0 port desc):
         * take its xid from the header. */
        const uint8_t *h = req->data;
        memset(&rq, 0, sizeof rq);
        rq.xid = ((uint32_t) h[4] << 24) | (h[5] << 16) | (h[6] << 8) | h[7];
        rq.mp_type = 1;
    }
    ofctl_conn_send(c, req);
    *replies = NULL;
    *n = 0;
    for (;;) {
        struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
        struct ofpmsg msg;
        int err = ofctl_conn_recv(c, &b);
        if (err) {
            ofctl_fatal(err, "%s: transaction error", c->name);
        }
        if (ofpmsg_classify(b.data, b.size, &msg) || msg.xid != rq.xid) {
            ofpbuf_uninit(&b);
            continue;
        }
        if (msg.type == OFPMSG_ERROR) {
            fail_with_error(&msg, rq.mp_type != 0 || ofpmsg_is_multipart(&rq));
        }
        if (*n >= allocated) {
            *replies = x2nrealloc(*replies, &allocated, sizeof **replies);
        }
        (*replies)[(*n)++] = b;
        if (!ofpmsg_is_multipart(&msg) || !(msg.mp_flags & OFPMPF_MORE)) {
            return;
        }
    }
}

/* Sends requests plus a barrier. */
void
ofctl_conn_transact_noreply(struct ofctl_conn *c, const struct ofpbuf *reqs,
                            size_t n)
{
    struct ofpbuf barrier = OFPBUF_EMPTY_INITIALIZER;
    uint32_t bxid = ofctl_conn_xid(c);

    for (size_t i = 0; i < n; i++) {
        ofctl_conn_send(c, &reqs[i]);
    }
    ofpmsg_encode_simple(OFPMSG_BARRIER_REQUEST, c->version, bxid, &barrier);
    ofctl_conn_send(c, &barrier);
    ofpbuf_uninit(&barrier);
    for (;;) {
        struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
        struct ofpmsg msg;
        int err = ofctl_conn_recv(c, &b);
        if (err) {
            ofctl_fatal(err, "%s: transaction error", c->name);
        }
        if (!ofpmsg_classify(b.data, b.size, &msg)) {
            if (msg.type == OFPMSG_ERROR) {
                fail_with_error(&msg, false);
            }
            if (msg.type == OFPMSG_BARRIER_REPLY && msg.xid == bxid) {
                ofpbuf_uninit(&b);
                return;
            }
        }
        ofpbuf_uninit(&b);
    }
}

/* Frees replies. */
void
ofctl_free_replies(struct ofpbuf *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ofpbuf_uninit(&r[i]);
    }
    free(r);
}
