/* Internals shared by conntrack*.c; nothing else includes this. */
#ifndef DATAPATH_CONNTRACK_PRIVATE_H
#define DATAPATH_CONNTRACK_PRIVATE_H 1

#include <pthread.h>
#include <stdatomic.h>

#include "datapath/conntrack.h"
#include "datapath/ipf.h"
#include "lib/hmap.h"
#include "lib/list.h"

#define CT_N_SHARDS 256         /* Power of 2. */

/* The lookup key of one direction of a connection.  40 bytes, no holes:
 * compared and hashed as bytes. */
struct ct_key {
    struct in6_addr src;        /* IPv4: s6_addr32[0], rest zero. */
    struct in6_addr dst;
    be16 sport;                 /* TCP/UDP ports; ICMP echo: the id. */
    be16 dport;
    uint16_t zone;              /* Conntrack zone. */
    uint8_t proto;              /* IP protocol. */
    uint8_t family;             /* 4 or 6. */
};

/* One direction's node: in the shard of its key's hash. */
struct ct_node {
    struct hmap_node hmap_node; /* In struct ct_shard's 'conns'. */
    uint32_t dir;               /* enum ct_dir of this node. */
    struct ct_key key;          /* The tuple packets of this direction
                                 * carry as they arrive. */
};

enum ct_dir { CT_DIR_ORIG, CT_DIR_REPLY };

/* TCP states of a connection (the Linux names dump shows). */
enum ct_tcp_state {
    CT_TCP_NONE, CT_TCP_SYN_SENT, CT_TCP_SYN_RECV, CT_TCP_ESTABLISHED,
    CT_TCP_FIN_WAIT, CT_TCP_CLOSE_WAIT, CT_TCP_LAST_ACK, CT_TCP_TIME_WAIT,
    CT_TCP_CLOSE
};

/* One TCP peer's window tracking (sequence space of that sender). */
struct ct_tcp_peer {
    uint32_t end;               /* Highest seq + len sent. */
    uint32_t maxend;            /* Highest ack + window the other side
                                 * allowed this sender. */
    uint32_t maxwin;            /* Largest window (scaled) announced. */
    uint8_t wscale;             /* Window scale (0xf = none seen). */
    uint8_t flags;              /* CT_PEER_F_*. */
    uint16_t pad;               /* Zero. */
};
#define CT_PEER_F_FIN       0x01    /* Sent a FIN. */
#define CT_PEER_F_FIN_ACKED 0x02    /* Its FIN was acknowledged. */
#define CT_PEER_F_SEEN      0x04    /* Sent anything (window valid). */
#define CT_PEER_F_WSCALE    0x08    /* Sent the window-scale option. */
#define CT_PEER_F_SACK      0x10    /* Sent SACK-permitted. */

/* FTP ALG state, allocated only for alg=ftp connections. */
struct ct_ftp {
    int32_t seq_delta[2];       /* Bytes added to the payload by NAT
                                 * rewriting, per sender direction. */
    uint32_t seq_after[2];      /* ...applied to sequence numbers at or
                                 * after this one (sender's space). */
};

struct ct_conn {
    struct ct_node node[2];     /* [CT_DIR_ORIG], [CT_DIR_REPLY]. */
    struct list list_node;      /* In the owner shard's (that of
                                 * node[0]) 'unreplied' or 'replied'. */
    _Atomic long long expiration; /* Monotonic ms when it times out. */
    uint32_t mark;              /* ct_mark. */
    pthread_spinlock_t lock;    /* Protects the state below. */
    uint64_t label[2];          /* ct_label. */
    struct ct_tcp_peer peer[2]; /* TCP: per sender direction. */
    struct ct_ftp *ftp;         /* FTP ALG state or NULL.  Owned. */
    uint8_t state;              /* TCP: enum ct_tcp_state; others: 0
                                 * first, 1 replied. */
    uint8_t flags;              /* CT_CONN_F_*. */
    uint8_t tm;                 /* enum ct_timeout now in force. */
    uint8_t in_list;            /* 0 none, 1 'unreplied', 2 'replied'. */
};
#define CT_CONN_F_REPLIED 0x01  /* A reply-direction packet was seen. */
#define CT_CONN_F_SNAT    0x02  /* Source NAT in the original direction. */
#define CT_CONN_F_DNAT    0x04  /* Destination NAT. */
#define CT_CONN_F_RELATED 0x08  /* An expected (FTP data) connection. */
#define CT_CONN_F_FTP     0x10  /* alg=ftp control connection. */

struct ct_shard {
    pthread_mutex_t mutex;      /* Protects the members below and the
                                 * removal of nodes in 'conns'. */
    struct hmap conns;          /* Contains struct ct_node's. */
    struct list unreplied;      /* Owned conns, creation order, that had
                                 * no reply when put here. */
    struct list replied;        /* Owned conns that have replied. */
} __attribute__((aligned(64)));

/* An FTP data connection to expect. */
struct ct_expect {
    struct list list_node;      /* In struct conntrack's 'expectations'. */
    struct ct_key key;          /* Tuple of its first packet; sport 0 =
                                 * any source port. */
    struct ct_key reply;        /* Reply tuple to give it (NAT), with
                                 * sport 0 = take the packet's. */
    uint8_t nat_flags;          /* CT_CONN_F_SNAT/DNAT for it. */
    long long expiration;       /* Monotonic ms. */
};

struct conntrack {
    struct ct_shard shards[CT_N_SHARDS];
    pthread_mutex_t commit_mutex; /* Serializes creating and deleting
                                   * connections and expectations. */
    atomic_size_t n_conns;      /* Connections in the table. */
    atomic_size_t maxconns;     /* Limit. */
    atomic_uint_fast64_t n_evicted; /* Stats. */
    atomic_uint_fast64_t n_refused;
    atomic_uint sweep_shard;    /* Next shard for incremental sweeps. */
    _Atomic long long last_sweep; /* now_ms of the last sweep from
                                   * conntrack_execute(). */
    uint32_t timeouts[CT_TM_N]; /* Seconds. */
    uint32_t hash_basis;        /* For the table and NAT port choice. */
    pthread_mutex_t expect_mutex; /* Protects 'expectations'; taken
                                   * last, with any other lock held. */
    struct list expectations;   /* struct ct_expect. */
    atomic_size_t n_expectations; /* Length of 'expectations'. */
    struct ipf *ipf;            /* Fragment reassembly.  Owned. */
};

/* A packet as the tracker sees it: its key and where things are. */
struct ct_pkt {
    struct packet *p;
    struct ct_key key;          /* Its tuple (zone from the action). */
    uint8_t *l3;                /* IP header. */
    uint8_t *l4;                /* L4 header. */
    size_t l4_size;             /* Bytes from l4 to the IP payload end. */
    uint8_t icmp_type;          /* ICMP/ICMPv6 type and code. */
    uint8_t icmp_code;
    bool icmp_error;            /* An ICMP error (carries an inner IP). */
};

/* conntrack.c */
uint32_t conntrack__key_hash(const struct ct_key *, uint32_t basis);
void conntrack__key_reverse(const struct ct_key *, struct ct_key *out);
struct ct_conn *conntrack__lookup_locked(struct conntrack *,
                                         const struct ct_key *,
                                         long long now, enum ct_dir *dir);
bool conntrack__key_in_use(struct conntrack *, const struct ct_key *,
                           long long now);
void conntrack__set_expiration(struct conntrack *, struct ct_conn *,
                               enum ct_timeout, long long now);
int conntrack__parse(struct ct_pkt *, struct packet *, uint16_t zone);
/* The packet path's sweep, at most one per millisecond of 'now_ms' over
 * all threads: sweeps conntrack__sweep_budget() entries for the time
 * since the last one.  Returns whether this call swept. */
bool conntrack__sweep_tick(struct conntrack *, long long now_ms);
/* Entries to sweep for 'ms' milliseconds in a table of 'n_conns': the
 * whole table about once per 2 s, at least one a millisecond, counting
 * at most 64 ms. */
size_t conntrack__sweep_budget(size_t n_conns, long long ms);
int conntrack__parse_l4(struct ct_key *, const uint8_t *l4, size_t size,
                        uint8_t *type, uint8_t *code, bool *error);

/* conntrack-tcp.c: 'dir' is the packet's direction. */
bool conntrack__tcp_valid_new(const struct ct_pkt *);
void conntrack__tcp_init(struct ct_conn *, const struct ct_pkt *);
/* Returns false if the segment is invalid (out of window, bad flags);
 * sets '*tm' to the timeout now in force. */
bool conntrack__tcp_update(struct ct_conn *, const struct ct_pkt *,
                           enum ct_dir, enum ct_timeout *tm);
const char *conntrack__tcp_state_name(enum ct_tcp_state);

/* conntrack-other.c */
bool conntrack__other_valid_new(const struct ct_pkt *);
enum ct_timeout conntrack__other_update(struct ct_conn *,
                                        const struct ct_pkt *, enum ct_dir);
enum ct_timeout conntrack__other_first_tm(uint8_t proto);

/* conntrack-icmp-related.c: for an ICMP error 'pp', finds the connection
 * its inner packet belongs to; if found, NATs the inner and outer headers
 * when 'nat' and returns the CS_* bits, else 0. */
uint8_t conntrack__icmp_related(struct conntrack *, struct ct_pkt *pp,
                                bool nat, long long now,
                                struct packet_md *md);

/* conntrack-nat.c */
/* Picks the reply tuple of a new connection from 'orig' and 'nat';
 * returns 0 or -ENOSPC when every tuple in range is taken. */
int conntrack__nat_select(struct conntrack *, const struct ct_key *orig,
                          const struct dp_ct_nat *nat, long long now,
                          struct ct_key *reply);
/* Rewrites the packet of direction 'dir' of 'conn' to the tuple the
 * other side expects (reverse of the other node's key). */
void conntrack__nat_packet(struct ct_pkt *, const struct ct_conn *,
                           enum ct_dir dir);
/* Rewrites addresses/ports of the IP header at 'l3' (with L4 'l4' of
 * 'l4_size' bytes, 'partial' = pseudo-header sum in the checksum field)
 * from tuple 'from' to 'to'; 'l4_csum' whether the L4 checksum may be
 * updated (false for a truncated inner header). */
void conntrack__nat_rewrite(uint8_t *l3, uint8_t *l4, size_t l4_size,
                            uint8_t proto, int family,
                            const struct ct_key *from,
                            const struct ct_key *to, bool partial,
                            bool l4_csum);

/* conntrack-ftp.c */
/* Inspects (and for NAT rewrites) an FTP control packet of 'conn' after
 * tracking; may add expectations.  Call with no locks held but the
 * packet's shard's. */
void conntrack__ftp_process(struct conntrack *, struct ct_conn *,
                            struct ct_pkt *, enum ct_dir, long long now);
/* Applies the sequence adjustments of 'conn' before tracking ('dir' =
 * packet direction): fixes the ack of packets from the other side. */
void conntrack__ftp_adjust_in(struct ct_conn *, struct ct_pkt *,
                              enum ct_dir);
/* ...and after: fixes the seq of packets from the rewritten side. */
void conntrack__ftp_adjust_out(struct ct_conn *, struct ct_pkt *,
                               enum ct_dir);
/* Finds and removes an expectation matching 'key'; fills '*reply' and
 * '*nat_flags' for the new connection. */
bool conntrack__expect_take(struct conntrack *, const struct ct_key *key,
                            long long now, struct ct_key *reply,
                            uint8_t *nat_flags);
/* Whether an expectation matches 'key' (takes expect_mutex). */
bool conntrack__expect_find(struct conntrack *, const struct ct_key *key,
                            long long now);
void conntrack__expect_flush(struct conntrack *, long long now, bool all);

/* Byte helpers. */
static inline uint16_t
ct_get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t
ct_get32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

static inline void
ct_put16(uint8_t *p, uint16_t x)
{
    p[0] = (uint8_t) (x >> 8);
    p[1] = (uint8_t) x;
}

static inline void
ct_put32(uint8_t *p, uint32_t x)
{
    p[0] = (uint8_t) (x >> 24);
    p[1] = (uint8_t) (x >> 16);
    p[2] = (uint8_t) (x >> 8);
    p[3] = (uint8_t) x;
}

static inline bool
ct_seq_before(uint32_t a, uint32_t b)
{
    return (int32_t) (a - b) < 0;
}

static inline bool
ct_seq_after(uint32_t a, uint32_t b)
{
    return (int32_t) (b - a) < 0;
}

#endif /* datapath/conntrack-private.h */
