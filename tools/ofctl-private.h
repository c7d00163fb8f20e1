/* kiln-ofctl internals shared by tools/kiln-ofctl.c (commands, options)
 * and tools/ofctl-conn.c (the OpenFlow connection) and tools/ofctl-print.c
 * (ovs-ofctl style printing of replies). */
#ifndef TOOLS_OFCTL_PRIVATE_H
#define TOOLS_OFCTL_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "openflow/ofp-msgs.h"
#include "openflow/ofpbuf.h"

struct ds;

/* Options that the whole program shares. */
struct ofctl_options {
    uint32_t versions;          /* Bitmap of allowed wire versions. */
    bool versions_given;        /* -O was given. */
    bool verbose;               /* -v: log messages to stderr. */
    int timeout;                /* --timeout seconds, 0 for none. */
};

extern struct ofctl_options ofctl_opts;

/* Prints "kiln-ofctl: MSG" (plus ": strerror(-err)" when err != 0) on
 * stderr and exits 1. */
noreturn void ofctl_fatal(int err, const char *fmt, ...) PRINTF_FORMAT(2, 3);

/* One OpenFlow connection to a switch. */
struct ofctl_conn {
    int fd;                     /* Connected socket. */
    char *name;                 /* "unix:PATH" or "tcp:IP:PORT" (owned). */
    uint8_t version;            /* Negotiated wire version. */
    uint32_t next_xid;          /* Next transaction id to use. */
};

/* Resolves 'target' (bridge name, socket path, unix:PATH or tcp:IP:PORT)
 * and connects, negotiating a version from 'versions'.  Exits on
 * failure. */
void ofctl_conn_open(struct ofctl_conn *, const char *target,
                     uint32_t versions);
void ofctl_conn_close(struct ofctl_conn *);
/* Returns a fresh transaction id. */
uint32_t ofctl_conn_xid(struct ofctl_conn *);
/* Sends the message in 'b' (one whole message). */
void ofctl_conn_send(struct ofctl_conn *, const struct ofpbuf *b);
/* Receives one message into 'b' (cleared first), answering echo
 * requests.  Returns 0, or -errno / EOF as a negative value. */
int ofctl_conn_recv(struct ofctl_conn *, struct ofpbuf *b);
/* Sends 'req' (a request with xid 'xid') and collects its reply
 * messages (several for a multipart reply) into '*replies' (an array of
 * '*n' ofpbufs that the caller frees with ofctl_free_replies()).  An error
 * reply is printed and the program exits 1. */
void ofctl_conn_transact(struct ofctl_conn *, const struct ofpbuf *req,
                         struct ofpbuf **replies, size_t *n);
/* Sends the messages then a barrier and waits for it; an error reply to
 * any of them is printed and the program exits 1. */
void ofctl_conn_transact_noreply(struct ofctl_conn *,
                                 const struct ofpbuf *reqs, size_t n);
void ofctl_free_replies(struct ofpbuf *, size_t n);

/* " (OF1.3)" for 'version', "" for OpenFlow 1.0. */
const char *ofctl_version_tag(uint8_t version);
/* Prints an OFPT_ERROR message as ovs-ofctl does to 's'. */
void ofctl_format_error(const struct ofpmsg *, struct ds *s);

/* Meter commands (tools/ofctl-meter.c); argv[0] is the command name. */
void ofctl_cmd_add_meter(int argc, char *argv[]);
void ofctl_cmd_mod_meter(int argc, char *argv[]);
void ofctl_cmd_del_meters(int argc, char *argv[]);
void ofctl_cmd_dump_meters(int argc, char *argv[]);
void ofctl_cmd_meter_stats(int argc, char *argv[]);
void ofctl_cmd_meter_features(int argc, char *argv[]);
/* Appends a METER_MOD's body as ovs-ofctl prints it after the message
 * name (" ADD meter=1 kbps bands=\ntype=drop rate=100\n"). */
void ofctl_format_meter_mod(const struct ofpmsg *, struct ds *s);

#endif /* tools/ofctl-private.h */
