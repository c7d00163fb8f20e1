/* ovsdb-load: a C load generator for any OVSDB server serving an empty
 * OVN_Northbound database.
 *
 * It runs the four workloads of ../shared/bench/ovsdb_bench.py (seq, pipe,
 * bulk, seqmon) over raw JSON-RPC (RFC 7047) on a unix or tcp socket, with
 * the same row contents and the same request bytes, and prints the same JSON
 * record per repetition on stdout, so the two clients are interchangeable
 * under summarize.py and bench/ovsdb-bench.py.  Being C, it can keep a server
 * faster than the Python client busy: the server, not the client, is then
 * the bottleneck.
 *
 * Plain blocking sockets for the writer, poll() for the monitor clients,
 * which run in --monitor-procs forked processes (on the --monitor-cpus
 * given, so that they can be kept off the server's CPU).  Any protocol
 * error or
 * unexpected reply ends the program with a message and exit status 1. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/util.h"

#define DB "OVN_Northbound"

/* Command-line options (names and defaults as in ovsdb_bench.py). */
struct options {
    const char *remote;         /* "unix:PATH" or "tcp:IP:PORT". */
    long pid;                   /* Server PID for CPU and memory, or 0. */
    const char *test;           /* "seq", "pipe", "bulk" or "seqmon". */
    int n;                      /* Rows or transactions per repetition. */
    int reps;                   /* Repetitions. */
    int window;                 /* pipe: requests in flight. */
    int monitors;               /* seqmon: monitor clients. */
    int monitor_procs;          /* seqmon: processes holding them. */
    cpu_set_t monitor_cpus;     /* seqmon: CPUs for those processes. */
    bool pin_monitors;          /* Was --monitor-cpus given? */
    const char *label;          /* Copied to the output. */
};

/* One JSON-RPC connection with its receive buffer. */
struct conn {
    int fd;                     /* Blocking stream socket. */
    const char *remote;         /* For messages; not owned. */
    struct ds in;               /* Received bytes; owned. */
    size_t in_start;            /* Start of the unconsumed bytes in 'in'. */
    struct json_framer framer;  /* Finds message ends in 'in'. */
    long long next_id;          /* Id of the next request. */
    bool eof;                   /* Peer closed the connection? */
};

static noreturn void fatal(const char *fmt, ...) PRINTF_FORMAT(1, 2);

static void
fatal(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "ovsdb-load: ");
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
self_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Python's round(x, digits), near enough for printing. */
static double
round_to(double x, int digits)
{
    double scale = pow(10, digits);
    return round(x * scale) / scale;
}

/* Process and machine accounting, from /proc. */

/* Returns user+system CPU seconds used so far by 'pid', or -1. */
static double
proc_cpu_s(long pid)
{
    char path[64], buf[1024];
    if (!pid) {
        return -1;
    }
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) {
        return -1;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';

    /* Fields after the command name, which may hold spaces: state is
     * field 3, utime 14 and stime 15. */
    char *p = strrchr(buf, ')');
    unsigned long long utime, stime;
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
                     " %llu %llu", &utime, &stime) != 2) {
        return -1;
    }
    return (double) (utime + stime) / sysconf(_SC_CLK_TCK);
}

/* Stores VmRSS and VmHWM of 'pid' in kB, or -1 if unknown. */
static void
proc_mem(long pid, long *rss_kb, long *hwm_kb)
{
    char path[64], line[256];
    *rss_kb = *hwm_kb = -1;
    if (!pid) {
        return;
    }
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) {
        return;
    }
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "VmRSS:", 6)) {
            *rss_kb = atol(line + 6);
        } else if (!strncmp(line, "VmHWM:", 6)) {
            *hwm_kb = atol(line + 6);
        }
    }
    fclose(f);
}

/* Stores the machine's busy and steal CPU seconds so far (busy excludes idle
 * and iowait).  Returns false if /proc/stat is unreadable. */
static bool
machine_cpu_s(double *busy, double *steal)
{
    unsigned long long v[8] = { 0 };
    FILE *f = fopen("/proc/stat", "r");
    if (!f) {
        return false;
    }
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 4) {
        return false;
    }
    double ticks = sysconf(_SC_CLK_TCK);
    /* user nice system idle iowait irq softirq steal */
    *busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / ticks;
    *steal = v[7] / ticks;
    return true;
}

static double
children_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
           + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Connections. */

static int
socket_connect(const char *remote)
{
    int fd;
    if (!strncmp(remote, "unix:", 5)) {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        if (strlen(remote + 5) >= sizeof sun.sun_path) {
            fatal("%s: socket path too long", remote);
        }
        strcpy(sun.sun_path, remote + 5);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sun, sizeof sun)) {
            fatal("%s: connect failed (%s)", remote, strerror(errno));
        }
        return fd;
    } else if (!strncmp(remote, "tcp:", 4)) {
        char *host = xstrdup(remote + 4);
        char *port = strrchr(host, ':');
        if (!port) {
            fatal("%s: tcp remote needs a port", remote);
        }
        *port++ = '\0';
        if (host[0] == '[' && host[strlen(host) - 1] == ']') {
            host[strlen(host) - 1] = '\0';
            memmove(host, host + 1, strlen(host));
        }
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
        struct addrinfo *ai;
        int err = getaddrinfo(host, port, &hints, &ai);
        if (err) {
            fatal("%s: %s", remote, gai_strerror(err));
        }
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
            fatal("%s: connect failed (%s)", remote, strerror(errno));
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        freeaddrinfo(ai);
        free(host);
        return fd;
    }
    fatal("remote must be tcp:IP:PORT or unix:PATH: %s", remote);
}

static void
conn_open(struct conn *c, const char *remote)
{
    c->fd = socket_connect(remote);
    c->remote = remote;
    ds_init(&c->in);
    c->in_start = 0;
    json_framer_init(&c->framer);
    c->next_id = 1;
    c->eof = false;
}

static void
conn_close(struct conn *c)
{
    close(c->fd);
    ds_uninit(&c->in);
}

static void
conn_send(struct conn *c, const char *data, size_t size)
{
    while (size) {
        ssize_t n = write(c->fd, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fatal("%s: send failed (%s)", c->remote, strerror(errno));
        }
        data += n;
        size -= n;
    }
}

static void
conn_send_json(struct conn *c, const struct json *msg)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    json_to_ds(msg, 0, &ds);
    conn_send(c, ds.string, ds.length);
    ds_uninit(&ds);
}

/* Reads whatever the socket has (blocking until something arrives).
 * Returns the number of bytes read, 0 at end of stream, or -1 if the socket
 * is non-blocking and has nothing. */
static ssize_t
conn_fill(struct conn *c)
{
    if (c->in_start && c->in_start >= c->in.length / 2) {
        size_t left = c->in.length - c->in_start;
        memmove(c->in.string, c->in.string + c->in_start, left);
        c->in.length = left;
        c->in_start = 0;
    }
    ds_reserve(&c->in, c->in.length + 256 * 1024);
    for (;;) {
        ssize_t n = read(c->fd, c->in.string + c->in.length,
                         c->in.allocated - c->in.length);
        if (n > 0) {
            c->in.length += n;
            c->in.string[c->in.length] = '\0';
        } else if (n == 0) {
            c->eof = true;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return -1;
        } else {
            fatal("%s: receive failed (%s)", c->remote, strerror(errno));
        }
        return n;
    }
}

/* Returns the next complete message already received, or NULL.  Answers
 * echo requests itself (RFC 7047 §4.1.11). */
static struct json *
conn_next_buffered(struct conn *c)
{
    for (;;) {
        const char *start = c->in.string + c->in_start;
        size_t avail = c->in.length - c->in_start;
        size_t length;
        if (!avail) {
            return NULL;
        }
        switch (json_framer_scan(&c->framer, start, avail, &length)) {
        case JSON_FRAMER_MORE:
            return NULL;
        case JSON_FRAMER_ERROR:
            fatal("%s: received bytes that are not JSON-RPC", c->remote);
        case JSON_FRAMER_DONE:
            break;
        }

        struct json *msg;
        char *error = json_from_buffer(start, length, &msg);
        if (error) {
            fatal("%s: bad message: %s", c->remote, error);
        }
        c->in_start += length;

        const char *method = json_object_find_string(msg, "method");
        struct json *id = json_object_find(msg, "id");
        if (method && !strcmp(method, "echo") && id && !json_is_null(id)) {
            struct json *reply = json_object_create();
            json_object_put_new(reply, "id", json_ref(id));
            struct json *params = json_object_find(msg, "params");
            json_object_put_new(reply, "result", params
                                ? json_ref(params)
                                : json_array_create_empty());
            json_object_put_new(reply, "error", json_null_create());
            conn_send_json(c, reply);
            json_unref(reply);
            json_unref(msg);
            continue;
        }
        return msg;
    }
}

/* Returns the next message that is not an echo request, blocking.  The
 * caller owns it. */
static struct json *
conn_recv(struct conn *c)
{
    for (;;) {
        struct json *msg = conn_next_buffered(c);
        if (msg) {
            return msg;
        }
        if (c->eof) {
            fatal("%s: connection closed by server", c->remote);
        }
        conn_fill(c);
    }
}

/* Checks that 'result' is a transact result without errors. */
static void
check_txn_result(const struct json *result, const char *remote)
{
    if (!result || !json_is_array(result)) {
        fatal("%s: bad transact result", remote);
    }
    for (size_t i = 0; i < json_array_size(result); i++) {
        const struct json *r = json_array_at(result, i);
        const struct json *error = (json_is_object(r)
                                    ? json_object_find(r, "error") : NULL);
        if (error && !json_is_null(error)) {
            char *s = json_to_string(r, 0);
            fatal("%s: transaction failed at op %zu: %.300s", remote, i, s);
        }
    }
}

/* If 'msg' is the reply to request 'id', returns its result (still owned
 * by 'msg'); exits if the request failed.  Returns NULL for other
 * messages. */
static const struct json *
reply_result(const struct json *msg, long long id, const char *remote)
{
    const struct json *msg_id = json_object_find(msg, "id");
    if (json_object_find(msg, "method") || !msg_id
        || !json_is_integer(msg_id) || json_integer(msg_id) != id) {
        return NULL;
    }
    const struct json *error = json_object_find(msg, "error");
    if (error && !json_is_null(error)) {
        char *s = json_to_string(error, 0);
        fatal("%s: request %lld failed: %.300s", remote, id, s);
    }
    const struct json *result = json_object_find(msg, "result");
    if (!result) {
        fatal("%s: reply to request %lld has no result", remote, id);
    }
    return result;
}

/* Waits for the reply to request 'id', dropping notifications.  Returns the
 * whole reply, owned by the caller. */
static struct json *
conn_wait_reply(struct conn *c, long long id)
{
    for (;;) {
        struct json *msg = conn_recv(c);
        if (reply_result(msg, id, c->remote)) {
            return msg;
        }
        json_unref(msg);
    }
}

/* Sends request 'method' with 'params' (ownership taken) and returns its
 * id. */
static long long
conn_request(struct conn *c, const char *method, struct json *params)
{
    long long id = c->next_id++;
    struct json *msg = json_object_create();
    json_object_put_new(msg, "method", json_string_create(method));
    json_object_put_new(msg, "params", params);
    json_object_put_new(msg, "id", json_integer_create(id));
    conn_send_json(c, msg);
    json_unref(msg);
    return id;
}

/* Runs one transaction of 'ops' (ownership taken), checks it succeeded and
 * returns the reply, owned by the caller. */
static struct json *
conn_transact(struct conn *c, struct json *ops)
{
    struct json *params = json_array_create_1(json_string_create(DB));
    for (size_t i = 0; i < json_array_size(ops); i++) {
        json_array_add(params, json_ref(json_array_at(ops, i)));
    }
    json_unref(ops);
    long long id = conn_request(c, "transact", params);
    struct json *reply = conn_wait_reply(c, id);
    check_txn_result(json_object_find(reply, "result"), c->remote);
    return reply;
}

static size_t
count_rows(struct conn *c, const char *table)
{
    struct json *op = json_object_create();
    json_object_put_new(op, "op", json_string_create("select"));
    json_object_put_new(op, "table", json_string_create(table));
    json_object_put_new(op, "where", json_array_create_empty());
    json_object_put_new(op, "columns",
                        json_array_create_1(json_string_create("_uuid")));
    struct json *reply = conn_transact(c, json_array_create_1(op));
    const struct json *r0 = json_array_at(json_object_find(reply, "result"),
                                          0);
    const struct json *rows = (json_is_object(r0)
                               ? json_object_find(r0, "rows") : NULL);
    if (!rows || !json_is_array(rows)) {
        fatal("%s: select reply has no rows", c->remote);
    }
    size_t n = json_array_size(rows);
    json_unref(reply);
    return n;
}

/* Empties the tables the tests write.  Logical_Switch_Port rows go with
 * their Logical_Switch: the table is not a root table (ovn-nb(5)). */
static void
cleanup(struct conn *c)
{
    struct json *op = json_object_create();
    json_object_put_new(op, "op", json_string_create("delete"));
    json_object_put_new(op, "table", json_string_create("Logical_Switch"));
    json_object_put_new(op, "where", json_array_create_empty());
    json_unref(conn_transact(c, json_array_create_1(op)));
    size_t n = count_rows(c, "Logical_Switch_Port");
    if (n) {
        fatal("cleanup left %zu Logical_Switch_Port rows", n);
    }
}

/* Workloads. */

/* Appends one single-row insert request to 'out'.  The bytes are those the
 * Python client sends; names are plain ASCII and need no escaping. */
static void
put_ls_insert(struct ds *out, long long id, const char *tag, int i)
{
    ds_put_format(out, "{\"method\":\"transact\",\"id\":%lld,\"params\":"
                  "[\"" DB "\",{\"op\":\"insert\",\"table\":"
                  "\"Logical_Switch\",\"row\":{\"name\":\"%s-%d\"}}]}",
                  id, tag, i);
}

static void
test_seq(struct conn *c, int n, const char *tag, double *t0, double *t1)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    *t0 = now_s();
    for (int i = 0; i < n; i++) {
        long long id = c->next_id++;
        ds_clear(&out);
        put_ls_insert(&out, id, tag, i);
        conn_send(c, out.string, out.length);
        struct json *reply = conn_wait_reply(c, id);
        check_txn_result(json_object_find(reply, "result"), c->remote);
        json_unref(reply);
    }
    *t1 = now_s();
    ds_uninit(&out);
}

static void
test_pipe(struct conn *c, int n, const char *tag, int window,
          double *t0, double *t1)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    long long first_id = c->next_id;
    int sent = 0, done = 0;

    /* Replies come in request order (RFC 7047 does not promise it, so any
     * order is accepted as long as each id is answered once). */
    char *answered = xzalloc(n);
    *t0 = now_s();
    while (done < n) {
        if (sent < n && sent - done < window) {
            ds_clear(&out);
            while (sent < n && sent - done < window) {
                put_ls_insert(&out, c->next_id++, tag, sent);
                sent++;
            }
            conn_send(c, out.string, out.length);
        }
        struct json *msg = conn_recv(c);
        const struct json *id = json_object_find(msg, "id");
        if (!json_object_find(msg, "method") && id && json_is_integer(id)
            && json_integer(id) >= first_id
            && json_integer(id) < first_id + sent
            && !answered[json_integer(id) - first_id]) {
            const struct json *result = reply_result(msg, json_integer(id),
                                                     c->remote);
            check_txn_result(result, c->remote);
            answered[json_integer(id) - first_id] = 1;
            done++;
        }
        json_unref(msg);
    }
    *t1 = now_s();
    free(answered);
    ds_uninit(&out);
}

/* Returns the bulk request: 'n' Logical_Switch_Port rows and one
 * Logical_Switch referring to all of them, as the Python client builds
 * it. */
static char *
bulk_request(long long id, int n, const char *tag, size_t *sizep)
{
    struct json *params = json_array_create_1(json_string_create(DB));
    struct json *refs = json_array_create_empty();
    for (int i = 0; i < n; i++) {
        char uname[32], name[128], addr[128];
        snprintf(uname, sizeof uname, "p%d", i);
        snprintf(name, sizeof name, "%s-lsp-%d", tag, i);
        snprintf(addr, sizeof addr, "0a:00:%02x:%02x:%02x:%02x 10.%d.%d.%d",
                 (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255,
                 (i >> 16) & 255, (i >> 8) & 255, i & 255);
        struct json *row = json_object_create();
        json_object_put_new(row, "name", json_string_create(name));
        json_object_put_new(row, "addresses", json_string_create(addr));
        struct json *op = json_object_create();
        json_object_put_new(op, "op", json_string_create("insert"));
        json_object_put_new(op, "table",
                            json_string_create("Logical_Switch_Port"));
        json_object_put_new(op, "uuid-name", json_string_create(uname));
        json_object_put_new(op, "row", row);
        json_array_add(params, op);
        json_array_add(refs, json_array_create_2(
                           json_string_create("named-uuid"),
                           json_string_create(uname)));
    }
    char name[128];
    snprintf(name, sizeof name, "%s-ls", tag);
    struct json *row = json_object_create();
    json_object_put_new(row, "name", json_string_create(name));
    json_object_put_new(row, "ports", json_array_create_2(
                            json_string_create("set"), refs));
    struct json *op = json_object_create();
    json_object_put_new(op, "op", json_string_create("insert"));
    json_object_put_new(op, "table", json_string_create("Logical_Switch"));
    json_object_put_new(op, "row", row);
    json_array_add(params, op);

    struct json *msg = json_object_create();
    json_object_put_new(msg, "method", json_string_create("transact"));
    json_object_put_new(msg, "id", json_integer_create(id));
    json_object_put_new(msg, "params", params);
    struct ds ds = DS_EMPTY_INITIALIZER;
    json_to_ds(msg, 0, &ds);
    json_unref(msg);
    *sizep = ds.length;
    return ds_steal_cstr(&ds);
}

static void
test_bulk(struct conn *c, int n, const char *tag, double *t0, double *t1,
          size_t *sizep)
{
    long long id = c->next_id++;
    char *payload = bulk_request(id, n, tag, sizep);
    *t0 = now_s();
    conn_send(c, payload, *sizep);
    struct json *reply = conn_wait_reply(c, id);
    *t1 = now_s();
    check_txn_result(json_object_find(reply, "result"), c->remote);
    json_unref(reply);
    free(payload);
}

/* Monitors. */

/* One monitor client in a monitor process. */
struct monitor {
    struct conn conn;           /* The session. */
    long long count;            /* Logical_Switch inserts seen. */
    double t_done;              /* When 'count' reached the goal, or 0. */
    long long msgs;             /* update2 notifications received. */
};

/* Counts the Logical_Switch inserts in 'msg' if it is an update2
 * notification (RFC 7047 as extended by ovsdb-server(7)). */
static void
monitor_handle(struct monitor *m, const struct json *msg)
{
    const char *method = json_object_find_string(msg, "method");
    if (!method || strcmp(method, "update2")) {
        return;
    }
    m->msgs++;
    const struct json *params = json_object_find(msg, "params");
    if (!params || !json_is_array(params) || json_array_size(params) < 2
        || !json_is_object(json_array_at(params, 1))) {
        fatal("%s: malformed update2", m->conn.remote);
    }
    const struct json *ls = json_object_find(json_array_at(params, 1),
                                             "Logical_Switch");
    if (!ls || !json_is_object(ls)) {
        return;
    }
    struct json_member *row;
    JSON_OBJECT_FOR_EACH (row, ls) {
        if (json_is_object(row->value)
            && json_object_find(row->value, "insert")) {
            m->count++;
        }
    }
}

/* Opens 'n_mons' monitor_cond sessions and waits for their initial
 * replies. */
static struct monitor *
monitors_attach(const char *remote, int n_mons, int wid)
{
    struct monitor *mons = xcalloc(n_mons, sizeof *mons);
    for (int k = 0; k < n_mons; k++) {
        struct monitor *m = &mons[k];
        conn_open(&m->conn, remote);
        struct json *req = json_object_create();
        json_object_put_new(req, "Logical_Switch",
                            json_array_create_1(json_object_create()));
        json_object_put_new(req, "Logical_Switch_Port",
                            json_array_create_1(json_object_create()));
        struct json *mon_id = json_array_create_3(
            json_string_create("bench-mon"), json_integer_create(wid),
            json_integer_create(k));
        conn_request(&m->conn, "monitor_cond",
                     json_array_create_3(json_string_create(DB), mon_id,
                                         req));
    }
    for (int k = 0; k < n_mons; k++) {
        struct monitor *m = &mons[k];
        struct json *reply = conn_wait_reply(&m->conn, 1);
        const struct json *init = json_object_find(reply, "result");
        const struct json *ls = (json_is_object(init)
                                 ? json_object_find(init, "Logical_Switch")
                                 : NULL);
        m->count = ls && json_is_object(ls) ? json_object_size(ls) : 0;
        json_unref(reply);
    }
    return mons;
}

/* Reads from the monitors until each has seen 'expect' inserts. */
static void
monitors_run(struct monitor *mons, int n_mons, long long expect)
{
    struct pollfd *pfds = xcalloc(n_mons, sizeof *pfds);
    int left = 0;

    for (int k = 0; k < n_mons; k++) {
        struct monitor *m = &mons[k];
        struct json *msg;
        while ((msg = conn_next_buffered(&m->conn))) {
            monitor_handle(m, msg);
            json_unref(msg);
        }
        if (m->count >= expect) {
            m->t_done = now_s();
        } else {
            left++;
        }
        pfds[k].fd = m->conn.fd;
        pfds[k].events = POLLIN;
    }
    while (left) {
        int n = poll(pfds, n_mons, 60 * 1000);
        if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0) {
            fatal("poll failed (%s)", strerror(errno));
        } else if (!n) {
            fatal("monitors idle for 60 s with %d not done", left);
        }
        for (int k = 0; k < n_mons; k++) {
            struct monitor *m = &mons[k];
            if (!pfds[k].revents) {
                continue;
            }
            conn_fill(&m->conn);
            struct json *msg;
            while ((msg = conn_next_buffered(&m->conn))) {
                monitor_handle(m, msg);
                json_unref(msg);
            }
            if (m->conn.eof) {
                fatal("monitor connection closed by server");
            }
            if (m->count >= expect && !m->t_done) {
                m->t_done = now_s();
                left--;
            }
        }
    }
    free(pfds);
}

/* The body of one monitor process: attaches, says so on 'ready_fd', waits
 * for end of file on 'go_fd', runs, and writes one line to 'result_fd':
 * "ok T_DONE MSGS ..." per monitor, or "error TEXT". */
static void
monitor_process(const char *remote, int n_mons, int wid, long long expect,
                int ready_fd, int go_fd, int result_fd)
{
    struct monitor *mons = monitors_attach(remote, n_mons, wid);
    char c = 'r', buf[16];
    if (write(ready_fd, &c, 1) != 1) {
        fatal("ready pipe: %s", strerror(errno));
    }
    while (read(go_fd, buf, sizeof buf) > 0) {
        continue;
    }
    monitors_run(mons, n_mons, expect);

    struct ds out = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&out, "ok");
    for (int k = 0; k < n_mons; k++) {
        ds_put_format(&out, " %.9f %lld", mons[k].t_done, mons[k].msgs);
        conn_close(&mons[k].conn);
    }
    ds_put_char(&out, '\n');
    if (write(result_fd, out.string, out.length) != (ssize_t) out.length) {
        fatal("result pipe: %s", strerror(errno));
    }
    ds_uninit(&out);
    free(mons);
}

/* Figures of one seqmon run. */
struct seqmon_result {
    double t0, t1;              /* Start and end of the writer's run. */
    double t_last;              /* When the last monitor was done. */
    double t_attach;            /* Time to attach every monitor. */
    long long median_msgs;      /* update2 messages per monitor, median. */
};

static int
compare_ll(const void *a_, const void *b_)
{
    const long long *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}

/* Reads a monitor process's result line from 'fd' into 't_last' and
 * 'msgs' (appending at '*n_msgs'). */
static void
read_monitor_result(int fd, double *t_last, long long *msgs, int *n_msgs)
{
    struct ds in = DS_EMPTY_INITIALIZER;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0) {
            ds_put_buffer(&in, buf, n);
        }
    }
    const char *s = ds_cstr(&in);
    if (strncmp(s, "ok", 2)) {
        fatal("monitor process failed (see its message above)");
    }
    s += 2;
    double t;
    long long m;
    int used;
    while (sscanf(s, " %lf %lld%n", &t, &m, &used) == 2) {
        if (t == 0) {
            fatal("some monitors never saw the last update");
        }
        *t_last = MAX(*t_last, t);
        msgs[(*n_msgs)++] = m;
        s += used;
    }
    ds_uninit(&in);
}

static void
test_seqmon(struct conn *c, const struct options *o, const char *tag,
            struct seqmon_result *r)
{
    int ready[2], go[2];
    int n_procs = MAX(1, MIN(o->monitor_procs, o->monitors));
    int *result_fds = xcalloc(n_procs, sizeof *result_fds);
    pid_t *pids = xcalloc(n_procs, sizeof *pids);

    if (pipe(ready) || pipe(go)) {
        fatal("pipe: %s", strerror(errno));
    }
    fflush(stdout);
    for (int w = 0; w < n_procs; w++) {
        int n_mons = o->monitors / n_procs + (w < o->monitors % n_procs);
        int res[2];
        if (pipe(res)) {
            fatal("pipe: %s", strerror(errno));
        }
        pids[w] = fork();
        if (pids[w] < 0) {
            fatal("fork: %s", strerror(errno));
        } else if (!pids[w]) {
            if (o->pin_monitors
                && sched_setaffinity(0, sizeof o->monitor_cpus,
                                     &o->monitor_cpus)) {
                fatal("--monitor-cpus: %s", strerror(errno));
            }
            close(go[1]);
            close(res[0]);
            close(c->fd);
            monitor_process(o->remote, n_mons, w, o->n, ready[1], go[0],
                            res[1]);
            _exit(0);
        }
        close(res[1]);
        result_fds[w] = res[0];
    }
    close(ready[1]);
    close(go[0]);

    double t_attach0 = now_s();
    for (int w = 0; w < n_procs; w++) {
        char ch;
        if (read(ready[0], &ch, 1) != 1) {
            fatal("a monitor process failed to attach");
        }
    }
    r->t_attach = now_s() - t_attach0;
    close(go[1]);               /* End of file is the start signal. */

    test_seq(c, o->n, tag, &r->t0, &r->t1);

    long long *msgs = xcalloc(o->monitors, sizeof *msgs);
    int n_msgs = 0;
    r->t_last = 0;
    for (int w = 0; w < n_procs; w++) {
        read_monitor_result(result_fds[w], &r->t_last, msgs, &n_msgs);
        close(result_fds[w]);
        int status;
        if (waitpid(pids[w], &status, 0) < 0 || !WIFEXITED(status)
            || WEXITSTATUS(status)) {
            fatal("monitor process %d failed", w);
        }
    }
    close(ready[0]);
    qsort(msgs, n_msgs, sizeof *msgs, compare_ll);
    r->median_msgs = n_msgs ? msgs[n_msgs / 2] : 0;
    free(msgs);
    free(result_fds);
    free(pids);
}

/* Driver. */

static void
put_real(struct json *rec, const char *name, double x, int digits)
{
    json_object_put_new(rec, name,
                        json_real_create(round_to(x, digits)));
}

static void
put_kb(struct json *rec, const char *name, long kb)
{
    json_object_put_new(rec, name, kb < 0 ? json_null_create()
                                          : json_integer_create(kb));
}

/* Runs repetition 'rep' and prints its record. */
static void
run_rep(struct conn *c, const struct options *o, int rep, long start_rss)
{
    char tag[64];
    snprintf(tag, sizeof tag, "b%s%d", o->test, rep);

    double mcpu0 = 0, steal0 = 0, mcpu1 = 0, steal1 = 0;
    bool have_mcpu = machine_cpu_s(&mcpu0, &steal0);
    double cpu0 = proc_cpu_s(o->pid);
    double ccpu0 = self_cpu_s();
    double kids0 = children_cpu_s();

    struct json *rec = json_object_create();
    json_object_put_new(rec, "bench", json_string_create("ovsdb"));
    json_object_put_new(rec, "test", json_string_create(o->test));
    json_object_put_new(rec, "rep", json_integer_create(rep));
    json_object_put_new(rec, "n", json_integer_create(o->n));
    json_object_put_new(rec, "remote", json_string_create(o->remote));
    json_object_put_new(rec, "label", json_string_create(o->label));

    double t0, t1;
    bool seqmon = !strcmp(o->test, "seqmon");
    bool bulk = !strcmp(o->test, "bulk");
    if (!strcmp(o->test, "seq")) {
        test_seq(c, o->n, tag, &t0, &t1);
    } else if (!strcmp(o->test, "pipe")) {
        test_pipe(c, o->n, tag, o->window, &t0, &t1);
        json_object_put_new(rec, "window", json_integer_create(o->window));
    } else if (bulk) {
        size_t size;
        test_bulk(c, o->n, tag, &t0, &t1, &size);
        json_object_put_new(rec, "request_bytes", json_integer_create(size));
    } else {
        struct seqmon_result r;
        test_seqmon(c, o, tag, &r);
        t0 = r.t0;
        t1 = r.t1;
        json_object_put_new(rec, "monitors",
                            json_integer_create(o->monitors));
        put_real(rec, "attach_s", r.t_attach, 4);
        put_real(rec, "all_monitors_done_s", r.t_last - t0, 4);
        put_real(rec, "monitor_lag_after_last_reply_s", r.t_last - t1, 4);
        json_object_put_new(rec, "update_msgs_per_monitor_median",
                            json_integer_create(r.median_msgs));
    }

    double cpu1 = proc_cpu_s(o->pid);
    if (have_mcpu) {
        have_mcpu = machine_cpu_s(&mcpu1, &steal1);
    }
    double ours = self_cpu_s() - ccpu0;
    put_real(rec, "client_cpu_s", ours, 3);
    if (seqmon) {
        double mon = children_cpu_s() - kids0;
        put_real(rec, "monitor_clients_cpu_s", mon, 3);
        ours += mon;
    }
    if (cpu0 >= 0 && cpu1 >= 0) {
        ours += cpu1 - cpu0;
    }
    if (have_mcpu) {
        put_real(rec, "foreign_cpu_s", mcpu1 - mcpu0 - ours, 3);
        put_real(rec, "steal_s", steal1 - steal0, 3);
    }
    double elapsed = t1 - t0;
    put_real(rec, "elapsed_s", elapsed, 4);
    if (bulk) {
        put_real(rec, "rows_per_s", (o->n + 1) / elapsed, 1);
    } else {
        put_real(rec, "tx_per_s", o->n / elapsed, 1);
    }
    if (cpu0 >= 0 && cpu1 >= 0) {
        put_real(rec, "server_cpu_s", cpu1 - cpu0, 3);
    }
    long rss, hwm;
    proc_mem(o->pid, &rss, &hwm);
    put_kb(rec, "server_rss_kb", rss);
    put_kb(rec, "server_hwm_kb", hwm);
    put_kb(rec, "server_rss_kb_at_start", start_rss);

    /* Sanity: the rows are really there. */
    size_t got = count_rows(c, bulk ? "Logical_Switch_Port"
                                    : "Logical_Switch");
    if (got != (size_t) o->n) {
        fatal("expected %d rows after test, found %zu", o->n, got);
    }
    cleanup(c);

    char *s = json_to_string(rec, 0);
    printf("%s\n", s);
    fflush(stdout);
    free(s);
    json_unref(rec);
}

static noreturn void
usage(void)
{
    printf("usage: ovsdb-load --remote tcp:IP:PORT|unix:PATH "
           "--test seq|pipe|bulk|seqmon\n"
           "         [--pid PID | --pidfile FILE] [--n 10000] [--reps 5]\n"
           "         [--window 64] [--monitors 50] [--monitor-procs 2]"
           " [--label TEXT]\n"
           "         [--monitor-cpus LIST]   (e.g. 1 or 1-3,5)\n"
           "Runs the workloads of ovsdb_bench.py against an OVSDB server "
           "serving an\nempty OVN_Northbound database and prints one JSON "
           "record per repetition.\n");
    exit(0);
}

static int
parse_int(const char *s, const char *name, int min)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || end == s || v < min || v > 100 * 1000 * 1000) {
        fatal("--%s: bad value '%s'", name, s);
    }
    return v;
}

/* Parses a CPU list such as "1" or "0,2-3" into 'set'. */
static void
parse_cpus(const char *s, cpu_set_t *set)
{
    CPU_ZERO(set);
    while (*s) {
        char *end;
        long lo = strtol(s, &end, 10), hi = lo;
        if (end != s && *end == '-') {
            s = end + 1;
            hi = strtol(s, &end, 10);
        }
        if (end == s || lo < 0 || hi < lo || hi >= CPU_SETSIZE
            || (*end && *end != ',')) {
            fatal("--monitor-cpus: bad CPU list");
        }
        for (long cpu = lo; cpu <= hi; cpu++) {
            CPU_SET(cpu, set);
        }
        s = *end ? end + 1 : end;
    }
    if (!CPU_COUNT(set)) {
        fatal("--monitor-cpus: empty CPU list");
    }
}

static void
parse_options(int argc, char *argv[], struct options *o)
{
    static const struct option longopts[] = {
        { "remote", required_argument, NULL, 'r' },
        { "pid", required_argument, NULL, 'p' },
        { "pidfile", required_argument, NULL, 'P' },
        { "test", required_argument, NULL, 't' },
        { "n", required_argument, NULL, 'n' },
        { "reps", required_argument, NULL, 'R' },
        { "window", required_argument, NULL, 'w' },
        { "monitors", required_argument, NULL, 'm' },
        { "monitor-procs", required_argument, NULL, 'M' },
        { "monitor-cpus", required_argument, NULL, 'C' },
        { "label", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    *o = (struct options) {
        .n = 10000, .reps = 5, .window = 64, .monitors = 50,
        .monitor_procs = 2, .label = "",
    };
    const char *pidfile = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': o->remote = optarg; break;
        case 'p': o->pid = parse_int(optarg, "pid", 1); break;
        case 'P': pidfile = optarg; break;
        case 't': o->test = optarg; break;
        case 'n': o->n = parse_int(optarg, "n", 1); break;
        case 'R': o->reps = parse_int(optarg, "reps", 0); break;
        case 'w': o->window = parse_int(optarg, "window", 1); break;
        case 'm': o->monitors = parse_int(optarg, "monitors", 1); break;
        case 'M': o->monitor_procs = parse_int(optarg, "monitor-procs", 1);
            break;
        case 'l': o->label = optarg; break;
        case 'C':
            parse_cpus(optarg, &o->monitor_cpus);
            o->pin_monitors = true;
            break;
        case 'h': usage();
        default: exit(2);
        }
    }
    if (optind != argc || !o->remote || !o->test) {
        fatal("--remote and --test are required (--help for usage)");
    }
    if (strcmp(o->test, "seq") && strcmp(o->test, "pipe")
        && strcmp(o->test, "bulk") && strcmp(o->test, "seqmon")) {
        fatal("--test must be seq, pipe, bulk or seqmon");
    }
    if (!o->pid && pidfile) {
        size_t size;
        char *s = read_whole_file(pidfile, &size);
        if (!s) {
            fatal("%s: %s", pidfile, strerror(errno));
        }
        const char *word = strtok(s, " \n");
        o->pid = parse_int(word ? word : "", "pidfile", 1);
        free(s);
    }
}

int
main(int argc, char *argv[])
{
    struct options o;
    util_set_program_name(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    parse_options(argc, argv, &o);

    struct conn c;
    conn_open(&c, o.remote);
    long long id = conn_request(&c, "list_dbs", json_array_create_empty());
    struct json *reply = conn_wait_reply(&c, id);
    const struct json *dbs = json_object_find(reply, "result");
    bool found = false;
    for (size_t i = 0; json_is_array(dbs) && i < json_array_size(dbs); i++) {
        const struct json *db = json_array_at(dbs, i);
        found |= json_is_string(db) && !strcmp(json_string(db), DB);
    }
    if (!found) {
        fatal("server at %s does not serve " DB, o.remote);
    }
    json_unref(reply);

    cleanup(&c);
    long start_rss, start_hwm;
    proc_mem(o.pid, &start_rss, &start_hwm);
    for (int rep = 0; rep < o.reps; rep++) {
        run_rep(&c, &o, rep, start_rss);
    }
    conn_close(&c);
    return 0;
}
