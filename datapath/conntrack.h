/* Connection tracking and NAT for the userspace datapath: the engine
 * behind the `ct` action (ovs-actions(7)).  conntrack_execute() runs a
 * batch through the tracker: it finds or (on commit) creates each packet's
 * connection, runs the protocol state machine (TCP with sequence-window
 * checks, UDP, ICMP/ICMPv6 echo, other IP protocols), recognizes ICMP
 * errors and FTP data connections as related, applies NAT, and sets the
 * packet's md.ct_* fields.  IP fragments are reassembled first (ipf.h).
 *
 * The table is sharded: a connection's two directions live in the shards
 * of their own hashes, each shard with its own lock, so packet threads
 * rarely contend.  Creating and deleting connections takes a commit lock
 * as well.  Expired connections are swept a few at a time by every call
 * and are never returned by lookups once past their time.
 *
 * Thread-safety: every function may be called from any thread. */
#ifndef DATAPATH_CONNTRACK_H
#define DATAPATH_CONNTRACK_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/dp-actions.h"
#include "datapath/packet.h"

struct conntrack;
struct ds;

/* Default limit on connections: 1,000,000.  At the ~200 bytes a
 * connection measured by bench/conntrack-bench that is ~190 MiB, well
 * inside the 512 MiB budget per million, so a full table cannot take a
 * host's memory; conntrack_set_maxconns() raises it. */
#define CONNTRACK_DEFAULT_MAXCONNS 1000000

/* Timeout classes (seconds, conntrack_set_timeout()). */
enum ct_timeout {
    CT_TM_TCP_SYN_SENT,         /* 30 */
    CT_TM_TCP_SYN_RECV,         /* 30 */
    CT_TM_TCP_ESTABLISHED,      /* 86400 */
    CT_TM_TCP_FIN_WAIT,         /* 120: FIN_WAIT, CLOSE_WAIT, LAST_ACK. */
    CT_TM_TCP_TIME_WAIT,        /* 30 */
    CT_TM_TCP_CLOSE,            /* 10: after a RST. */
    CT_TM_UDP_FIRST,            /* 30: no reply yet. */
    CT_TM_UDP_MULTIPLE,         /* 120: replied. */
    CT_TM_ICMP,                 /* 30 */
    CT_TM_OTHER_FIRST,          /* 60 */
    CT_TM_OTHER_MULTIPLE,       /* 120 */
    CT_TM_N
};

/* Creates an empty tracker (and its fragment reassembler).  The caller
 * owns it; conntrack_destroy() frees it. */
struct conntrack *conntrack_create(void);
/* Frees 'ct' and every connection (NULL is fine). */
void conntrack_destroy(struct conntrack *ct);

/* Runs every packet of 'batch' through the tracker as the ct action 'a'
 * says, at time 'now_ms' (a monotonic clock in milliseconds).  Sets each
 * packet's md.ct_state (CS_TRACKED plus NEW/ESTABLISHED/RELATED/REPLY_DIR/
 * INVALID/SRC_NAT/DST_NAT), ct_zone, ct_mark, ct_label and the original-
 * direction tuple (md.ct_nw_src...ct_tp_dst); rewrites headers for NAT.
 * Fragments are held until their datagram is whole: they leave 'batch'
 * (which keeps its order) and the reassembled packet takes the last
 * fragment's place.  Packets 'ct' drops are destroyed. */
void conntrack_execute(struct conntrack *ct, struct packet_batch *batch,
                       const struct dp_action_ct *a, long long now_ms);

/* The ct_clear action: resets every md.ct_* field of 'p'. */
void conntrack_clear(struct packet *p);

/* Removes up to 'max' expired connections (and expectations, fragments);
 * returns how many were removed.  conntrack_execute() calls it at most
 * once per millisecond of its clock, with a budget that covers the table
 * about once in 2 s; tests and the management thread may call it
 * directly. */
size_t conntrack_sweep(struct conntrack *ct, long long now_ms, size_t max);

/* A connection tuple, as flush and tests name one: addresses (IPv4 in
 * s6_addr32[0] when 'family' is AF_INET), ports in host order (ICMP: id in
 * both), IP protocol. */
struct ct_tuple {
    int family;                 /* AF_INET or AF_INET6. */
    struct in6_addr src;        /* Source address. */
    struct in6_addr dst;        /* Destination address. */
    uint16_t sport;             /* Source port / ICMP id. */
    uint16_t dport;             /* Destination port / ICMP id. */
    uint8_t proto;              /* IPPROTO_*. */
};

/* Deletes connections: all (zone < 0 and tuple NULL), those of zone
 * 'zone' (>= 0), or the one whose original or reply tuple is 'tuple' in
 * zone 'zone' (zone < 0 means zone 0 then).  Returns how many went. */
size_t conntrack_flush(struct conntrack *ct, int zone,
                       const struct ct_tuple *tuple);

/* Appends one line per connection ('zone' >= 0: only that zone) in the
 * format of `ovs-appctl dpctl/dump-conntrack`, e.g.
 *   tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1234,dport=80),reply=(src=
 *   10.0.0.2,dst=10.0.0.1,sport=80,dport=1234),zone=5,mark=1,labels=0x2,
 *   protoinfo=(state=ESTABLISHED)
 * Connections past their time as of 'now_ms' are left out. */
void conntrack_dump(struct conntrack *ct, int zone, long long now_ms,
                    struct ds *out);

/* Per-protocol counts and totals. */
struct conntrack_stats {
    size_t n_conns;             /* Connections in the table. */
    size_t n_tcp;               /* ...of them TCP. */
    size_t n_udp;               /* ...UDP. */
    size_t n_icmp;              /* ...ICMP and ICMPv6. */
    size_t n_other;             /* ...other protocols. */
    size_t n_expectations;      /* Pending FTP data expectations. */
    uint64_t n_evicted;         /* Evicted to make room, ever. */
    uint64_t n_refused;         /* Commits refused at the limit, ever. */
    size_t n_frag_bytes;        /* Bytes of fragments held. */
};
void conntrack_get_stats(struct conntrack *ct, struct conntrack_stats *s);
/* Appends the text of `dpctl/ct-stats-show` to 'out'. */
void conntrack_format_stats(struct conntrack *ct, struct ds *out);

/* The connection limit: commits past it evict the oldest connection that
 * never saw a reply, or fail (the packet stays +new, nothing is stored). */
void conntrack_set_maxconns(struct conntrack *ct, size_t maxconns);
size_t conntrack_get_maxconns(const struct conntrack *ct);

/* Sets timeout 'tm' to 'seconds' (> 0); applies to later updates. */
void conntrack_set_timeout(struct conntrack *ct, enum ct_timeout tm,
                           unsigned int seconds);

#endif /* datapath/conntrack.h */
