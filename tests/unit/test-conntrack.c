/* Unit tests for datapath/conntrack.h (and ipf.h): TCP state machine and
 * window checks from crafted segment sequences, UDP/ICMP, ICMP errors as
 * related, zones, commit vs. no commit, force, mark/label, NAT tuple
 * choice and reversal with checksums, fragments, expiry, eviction under
 * a SYN flood, the FTP ALG, dump/flush/stats.
 *
 * Expected checksums after NAT come from scapy 2.5:
 *   IP(src="10.0.0.1",dst="10.0.0.2",id=1,ttl=64)/TCP(sport=1234,dport=80,
 *     seq=1000,flags="S",window=65535): IP 0x66cd, TCP 0x92d6;
 *   the same from 192.168.0.100: IP 0xafc1, TCP 0xdbca; with sport=2000:
 *     TCP 0xd8cc, sport=2001: 0xd8cb;
 *   IPv6(src="2001:db8::1",dst="2001:db8::100")/UDP(5000,53)/"hello":
 *     UDP 0x4bd2; to 2001:db8::2 port 5353: UDP 0x381c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/conntrack.h"
#include "datapath/conntrack-private.h"
#include "datapath/flow-extract.h"
#include "datapath/ipf.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "lib/ds.h"

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

#define CS_TRK CS_TRACKED
#define CS_EST CS_ESTABLISHED
#define CS_REL CS_RELATED
#define CS_RPL CS_REPLY_DIR
#define CS_INV CS_INVALID

/* ---- Packet building. ---- */

static void
put16(uint8_t *p, uint16_t x)
{
    p[0] = (uint8_t) (x >> 8);
    p[1] = (uint8_t) x;
}

static void
put32(uint8_t *p, uint32_t x)
{
    put16(p, (uint16_t) (x >> 16));
    put16(p + 2, (uint16_t) x);
}

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t) get16(p) << 16 | get16(p + 2);
}

/* Fills the L4 checksum of 'l4' (already in 'p' after 'l3'). */
static void
fill_l4_csum(uint8_t *l3, uint8_t *l4, size_t l4_size, uint8_t proto,
             bool v6)
{
    size_t ofs = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
    uint32_t sum = 0;

    memset(l4 + ofs, 0, 2);
    if (proto != IPPROTO_ICMP) {
        if (v6) {
            sum = packet_csum_pseudo_ipv6(l3 + 8, l3 + 24, proto,
                                          (uint32_t) l4_size);
        } else {
            be32 s, d;
            memcpy(&s, l3 + 12, 4);
            memcpy(&d, l3 + 16, 4);
            sum = packet_csum_pseudo_ipv4(s, d, proto, (uint16_t) l4_size);
        }
    }
    be16 c = packet_csum_fold(packet_csum_add(sum, l4, l4_size));
    memcpy(l4 + ofs, &c, 2);
}

/* An Ethernet + IP packet src -> dst with the 'l4_size' bytes at 'l4',
 * checksums filled, offsets set. */
static struct packet *
mk_ip(const char *src, const char *dst, uint8_t proto, const uint8_t *l4,
      size_t l4_size)
{
    bool v6 = strchr(src, ':') != NULL;
    size_t l3_size = v6 ? 40 : 20;
    uint8_t buf[2048];

    memset(buf, 0, sizeof buf);
    buf[5] = 2;
    buf[11] = 1;
    put16(buf + 12, v6 ? 0x86dd : 0x0800);
    uint8_t *l3 = buf + 14;
    if (v6) {
        l3[0] = 0x60;
        put16(l3 + 4, (uint16_t) l4_size);
        l3[6] = proto;
        l3[7] = 64;
        inet_pton(AF_INET6, src, l3 + 8);
        inet_pton(AF_INET6, dst, l3 + 24);
    } else {
        l3[0] = 0x45;
        put16(l3 + 2, (uint16_t) (20 + l4_size));
        put16(l3 + 4, 1);
        l3[8] = 64;
        l3[9] = proto;
        inet_pton(AF_INET, src, l3 + 12);
        inet_pton(AF_INET, dst, l3 + 16);
        be16 c = packet_csum_ipv4_header(l3);
        memcpy(l3 + 10, &c, 2);
    }
    memcpy(l3 + l3_size, l4, l4_size);
    if (proto == IPPROTO_TCP || proto == IPPROTO_UDP
        || proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
        fill_l4_csum(l3, l3 + l3_size, l4_size, proto, v6);
    }
    struct packet *p = packet_clone_data(buf, 14 + l3_size + l4_size);
    struct flow flow;
    (void) flow_extract(p, &flow, NULL);
    return p;
}

static struct packet *
tcp(const char *src, const char *dst, uint16_t sp, uint16_t dp,
    uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
    const char *payload)
{
    uint8_t l4[1500];
    size_t plen = payload ? strlen(payload) : 0;

    memset(l4, 0, 20);
    put16(l4, sp);
    put16(l4 + 2, dp);
    put32(l4 + 4, seq);
    put32(l4 + 8, ack);
    l4[12] = 5 << 4;
    l4[13] = flags;
    put16(l4 + 14, win);
    memcpy(l4 + 20, payload ? payload : "", plen);
    return mk_ip(src, dst, IPPROTO_TCP, l4, 20 + plen);
}

static struct packet *
udp(const char *src, const char *dst, uint16_t sp, uint16_t dp,
    const char *payload)
{
    uint8_t l4[1500];
    size_t plen = strlen(payload);

    put16(l4, sp);
    put16(l4 + 2, dp);
    put16(l4 + 4, (uint16_t) (8 + plen));
    put16(l4 + 6, 0);
    memcpy(l4 + 8, payload, plen);
    return mk_ip(src, dst, IPPROTO_UDP, l4, 8 + plen);
}

static struct packet *
icmp_echo(const char *src, const char *dst, uint8_t type, uint16_t id)
{
    uint8_t l4[16] = { type, 0, 0, 0 };
    bool v6 = strchr(src, ':') != NULL;

    put16(l4 + 4, id);
    put16(l4 + 6, 1);
    return mk_ip(src, dst, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, l4, 16);
}

/* An ICMP error of 'type'/'code' from 'src' to 'dst' quoting the IP
 * packet of 'inner' (header + 8 bytes). */
static struct packet *
icmp_error(const char *src, const char *dst, uint8_t type, uint8_t code,
           const struct packet *inner)
{
    uint8_t l4[200] = { type, code, 0, 0, 0, 0, 0, 0 };
    const uint8_t *il3 = packet_l3(inner);
    size_t n = (size_t) (((const uint8_t *) packet_l4(inner) - il3) + 8);
    bool v6 = strchr(src, ':') != NULL;

    memcpy(l4 + 8, il3, n);
    return mk_ip(src, dst, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, l4, 8 + n);
}

/* Whether the IPv4/L4 checksums of 'p' verify. */
static bool
csums_ok(const struct packet *p)
{
    const uint8_t *l3 = packet_l3(p);
    const uint8_t *l4 = packet_l4(p);
    bool v6 = (l3[0] >> 4) == 6;
    uint8_t proto = v6 ? l3[6] : l3[9];
    size_t l4_size = packet_l4_size(p);
    uint32_t sum = 0;

    if (!v6 && packet_csum_fold(packet_csum_add(0, l3, 20)) != 0) {
        return false;
    }
    if (proto != IPPROTO_ICMP) {
        if (v6) {
            sum = packet_csum_pseudo_ipv6(l3 + 8, l3 + 24, proto,
                                          (uint32_t) l4_size);
        } else {
            be32 s, d;
            memcpy(&s, l3 + 12, 4);
            memcpy(&d, l3 + 16, 4);
            sum = packet_csum_pseudo_ipv4(s, d, proto, (uint16_t) l4_size);
        }
    }
    return packet_csum_fold(packet_csum_add(sum, l4, l4_size)) == 0;
}

/* ---- Running packets. ---- */

static struct dp_action_ct
act(uint16_t zone, bool commit)
{
    struct dp_action_ct a;

    memset(&a, 0, sizeof a);
    a.zone = zone;
    a.flags = commit ? DP_CT_F_COMMIT : 0;
    return a;
}

static long long now = 1000000;

/* Runs 'p' through 'ct' with 'a'; returns its ct_state (p stays the
 * caller's).  Fails the test if the packet was held or dropped. */
static uint8_t
run(struct conntrack *ct, struct packet *p, const struct dp_action_ct *a)
{
    struct packet_batch b;

    packet_batch_init(&b);
    packet_batch_add(&b, p);
    conntrack_execute(ct, &b, a, now);
    assert_int_equal(b.count, 1);
    assert_ptr_equal(b.packets[0], p);
    return p->md.ct_state;
}

/* Runs and frees 'p'; returns its ct_state. */
static uint8_t
run1(struct conntrack *ct, struct packet *p, const struct dp_action_ct *a)
{
    uint8_t s = run(ct, p, a);
    packet_destroy(p);
    return s;
}

static size_t
n_conns(struct conntrack *ct)
{
    struct conntrack_stats st;

    conntrack_get_stats(ct, &st);
    return st.n_conns;
}

static char *
dump(struct conntrack *ct, int zone)
{
    struct ds ds;

    ds_init(&ds);
    conntrack_dump(ct, zone, now, &ds);
    return ds_steal_cstr(&ds);
}

static bool
dump_has(struct conntrack *ct, const char *s)
{
    char *d = dump(ct, -1);
    bool found = strstr(d, s) != NULL;
    if (!found) {
        fprintf(stderr, "dump lacks \"%s\":\n%s", s, d);
    }
    free(d);
    return found;
}

#define C "10.0.0.1"
#define S "10.0.0.2"

/* Client C:1234 -> S:80 handshake, ISNs 1000 and 5000, committed. */
static void
handshake(struct conntrack *ct, uint16_t sport, const struct dp_action_ct *a)
{
    assert_int_equal(run1(ct, tcp(C, S, sport, 80, 1000, 0, F_SYN, 65535,
                                  NULL), a), CS_TRK | CS_NEW);
    assert_int_equal(run1(ct, tcp(S, C, 80, sport, 5000, 1001,
                                  F_SYN | F_ACK, 65535, NULL), a),
                     CS_TRK | CS_EST | CS_RPL);
    assert_int_equal(run1(ct, tcp(C, S, sport, 80, 1001, 5001, F_ACK,
                                  65535, NULL), a), CS_TRK | CS_EST);
}

/* ---- Tests. ---- */

static void
test_tcp_states(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true);

    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1000, 0, F_SYN, 65535,
                                  NULL), &a), CS_TRK | CS_NEW);
    assert_true(dump_has(ct, "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,"
                         "sport=1234,dport=80),reply=(src=10.0.0.2,"
                         "dst=10.0.0.1,sport=80,dport=1234),"
                         "protoinfo=(state=SYN_SENT)"));
    /* A retransmitted SYN is still new. */
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1000, 0, F_SYN, 65535,
                                  NULL), &a), CS_TRK | CS_NEW);
    /* A SYN-ACK acking the wrong sequence is invalid. */
    assert_int_equal(run1(ct, tcp(S, C, 80, 1234, 5000, 77, F_SYN | F_ACK,
                                  65535, NULL), &a),
                     CS_TRK | CS_INV | CS_RPL);
    assert_int_equal(run1(ct, tcp(S, C, 80, 1234, 5000, 1001,
                                  F_SYN | F_ACK, 65535, NULL), &a),
                     CS_TRK | CS_EST | CS_RPL);
    assert_true(dump_has(ct, "state=SYN_RECV"));
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1001, 5001, F_ACK, 65535,
                                  NULL), &a), CS_TRK | CS_EST);
    assert_true(dump_has(ct, "state=ESTABLISHED"));

    /* Data both ways. */
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1001, 5001,
                                  F_ACK | F_PSH, 65535, "GET /\r\n"), &a),
                     CS_TRK | CS_EST);
    assert_int_equal(run1(ct, tcp(S, C, 80, 1234, 5001, 1008,
                                  F_ACK | F_PSH, 65535, "HTTP/1.0 200\r\n"),
                          &a), CS_TRK | CS_EST | CS_RPL);

    /* Client closes first. */
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1008, 5015,
                                  F_FIN | F_ACK, 65535, NULL), &a),
                     CS_TRK | CS_EST);
    assert_true(dump_has(ct, "state=FIN_WAIT"));
    assert_int_equal(run1(ct, tcp(S, C, 80, 1234, 5015, 1009, F_ACK, 65535,
                                  NULL), &a), CS_TRK | CS_EST | CS_RPL);
    assert_int_equal(run1(ct, tcp(S, C, 80, 1234, 5015, 1009,
                                  F_FIN | F_ACK, 65535, NULL), &a),
                     CS_TRK | CS_EST | CS_RPL);
    assert_true(dump_has(ct, "state=LAST_ACK"));
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1009, 5016, F_ACK, 65535,
                                  NULL), &a), CS_TRK | CS_EST);
    assert_true(dump_has(ct, "state=TIME_WAIT"));

    /* TIME_WAIT expires after 30 s. */
    now += 29 * 1000;
    conntrack_sweep(ct, now, SIZE_MAX);
    assert_int_equal(n_conns(ct), 1);
    now += 2 * 1000;
    conntrack_sweep(ct, now, SIZE_MAX);
    assert_int_equal(n_conns(ct), 0);
    conntrack_destroy(ct);
}

static void
test_tcp_window(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true);

    handshake(ct, 1234, &a);
    /* Data far beyond the receiver's window. */
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1001 + 10000000, 5001,
                                  F_ACK, 65535, "x"), &a),
                     CS_TRK | CS_INV);
    /* Data far behind (old). */
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1001 - 10000000, 5001,
                                  F_ACK, 65535, "x"), &a),
                     CS_TRK | CS_INV);
    /* Acknowledging data the server never sent. */
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1001, 5001 + 100000,
                                  F_ACK, 65535, NULL), &a),
                     CS_TRK | CS_INV);
    /* In window: fine, and within the window slightly ahead too. */
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1001 + 30000, 5001,
                                  F_ACK, 65535, "y"), &a),
                     CS_TRK | CS_EST);
    /* An out-of-window RST does not close. */
    assert_int_equal(run1(ct, tcp(S, C, 80, 1234, 5001 + 9000000, 0, F_RST,
                                  0, NULL), &a),
                     CS_TRK | CS_INV | CS_RPL);
    assert_true(dump_has(ct, "state=ESTABLISHED"));
    /* An in-window RST does. */
    assert_int_equal(run1(ct, tcp(S, C, 80, 1234, 5001, 0, F_RST, 0, NULL),
                          &a), CS_TRK | CS_EST | CS_RPL);
    assert_true(dump_has(ct, "state=CLOSE"));
    /* After a RST, data is invalid, and a new SYN starts anew. */
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 1002, 5001, F_ACK, 65535,
                                  "z"), &a), CS_TRK | CS_INV);
    assert_int_equal(run1(ct, tcp(C, S, 1234, 80, 777, 0, F_SYN, 65535,
                                  NULL), &a), CS_TRK | CS_NEW);
    assert_true(dump_has(ct, "state=SYN_SENT"));
    assert_int_equal(n_conns(ct), 1);

    /* Bad flag combinations and a first packet that is not a SYN. */
    assert_int_equal(run1(ct, tcp(C, S, 999, 80, 1, 0, F_SYN | F_FIN, 100,
                                  NULL), &a), CS_TRK | CS_INV);
    assert_int_equal(run1(ct, tcp(C, S, 998, 80, 1, 1, F_ACK, 100, NULL),
                          &a), CS_TRK | CS_INV);
    assert_int_equal(n_conns(ct), 1);
    conntrack_destroy(ct);
}

static void
test_udp_icmp(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct nc = act(0, false), a = act(0, true);

    /* Without commit nothing stays. */
    assert_int_equal(run1(ct, udp(C, S, 5000, 53, "q"), &nc),
                     CS_TRK | CS_NEW);
    assert_int_equal(n_conns(ct), 0);
    assert_int_equal(run1(ct, udp(S, C, 53, 5000, "r"), &nc),
                     CS_TRK | CS_NEW);
    assert_int_equal(run1(ct, udp(C, S, 5000, 53, "q"), &a),
                     CS_TRK | CS_NEW);
    assert_int_equal(n_conns(ct), 1);
    assert_int_equal(run1(ct, udp(C, S, 5000, 53, "q"), &nc),
                     CS_TRK | CS_NEW);
    struct packet *r = udp(S, C, 53, 5000, "r");
    assert_int_equal(run(ct, r, &nc), CS_TRK | CS_EST | CS_RPL);
    /* The original-direction tuple rides along. */
    assert_int_equal(r->md.ct_nw_proto, IPPROTO_UDP);
    assert_int_equal(r->md.ct_nw_src, inet_addr(C));
    assert_int_equal(r->md.ct_nw_dst, inet_addr(S));
    assert_int_equal(r->md.ct_tp_src, htons(5000));
    assert_int_equal(r->md.ct_tp_dst, htons(53));
    struct flow flow;
    (void) flow_extract(r, &flow, NULL);
    assert_int_equal(flow.ct_nw_src, inet_addr(C));
    assert_int_equal(flow.ct_tp_dst, htons(53));
    packet_destroy(r);
    assert_int_equal(run1(ct, udp(C, S, 5000, 53, "q"), &nc),
                     CS_TRK | CS_EST);
    assert_true(dump_has(ct, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,"
                         "sport=5000,dport=53),reply=(src=10.0.0.2,"
                         "dst=10.0.0.1,sport=53,dport=5000)\n"));

    /* ICMP echo, IPv4 and IPv6. */
    assert_int_equal(run1(ct, icmp_echo(S, C, 0, 7), &a), CS_TRK | CS_INV);
    assert_int_equal(run1(ct, icmp_echo(C, S, 8, 7), &a), CS_TRK | CS_NEW);
    assert_int_equal(run1(ct, icmp_echo(S, C, 0, 7), &a),
                     CS_TRK | CS_EST | CS_RPL);
    assert_true(dump_has(ct, "icmp,orig=(src=10.0.0.1,dst=10.0.0.2,id=7,"
                         "type=8,code=0),reply=(src=10.0.0.2,dst=10.0.0.1,"
                         "id=7,type=0,code=0)"));
    assert_int_equal(run1(ct, icmp_echo("fd00::1", "fd00::2", 128, 9), &a),
                     CS_TRK | CS_NEW);
    assert_int_equal(run1(ct, icmp_echo("fd00::2", "fd00::1", 129, 9), &a),
                     CS_TRK | CS_EST | CS_RPL);
    assert_true(dump_has(ct, "icmpv6,orig=(src=fd00::1,dst=fd00::2,id=9,"
                         "type=128,code=0)"));

    struct conntrack_stats st;
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_udp, 1);
    assert_int_equal(st.n_icmp, 2);

    /* Non-IP traffic is invalid. */
    uint8_t arp[42] = { [12] = 0x08, [13] = 0x06 };
    struct packet *p = packet_clone_data(arp, sizeof arp);
    struct flow f;
    (void) flow_extract(p, &f, NULL);
    assert_int_equal(run1(ct, p, &a), CS_TRK | CS_INV);
    conntrack_destroy(ct);
}

static void
test_icmp_related(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true);

    struct packet *q = udp(C, S, 5000, 53, "query");
    assert_int_equal(run(ct, q, &a), CS_TRK | CS_NEW);
    /* Port unreachable from the server: related, reply direction. */
    assert_int_equal(run1(ct, icmp_error(S, C, 3, 3, q), &a),
                     CS_TRK | CS_REL | CS_RPL);
    /* Time exceeded from a router on the way: related too. */
    assert_int_equal(run1(ct, icmp_error("10.9.9.9", C, 11, 0, q), &a),
                     CS_TRK | CS_REL | CS_RPL);
    packet_destroy(q);
    /* About a packet of no connection: invalid. */
    q = udp(C, S, 5001, 53, "other");
    assert_int_equal(run1(ct, icmp_error(S, C, 3, 3, q), &a),
                     CS_TRK | CS_INV);
    packet_destroy(q);

    /* IPv6: packet too big about a TCP connection. */
    assert_int_equal(run1(ct, tcp("fd00::1", "fd00::2", 40000, 22, 1, 0,
                                  F_SYN, 1000, NULL), &a), CS_TRK | CS_NEW);
    struct packet *s = tcp("fd00::1", "fd00::2", 40000, 22, 1, 0, F_SYN,
                           1000, NULL);
    assert_int_equal(run1(ct, icmp_error("fd00::99", "fd00::1", 2, 0, s),
                          &a), CS_TRK | CS_REL | CS_RPL);
    packet_destroy(s);
    conntrack_destroy(ct);
}

static void
test_zones_force_mark(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct z1 = act(1, true), z2 = act(2, false);

    z1.mark = 0x5;
    z1.mark_mask = 0xff;
    z1.label[1] = 0x10;
    z1.label_mask[1] = 0xff;
    struct packet *p = udp(C, S, 7, 7, "a");
    assert_int_equal(run(ct, p, &z1), CS_TRK | CS_NEW);
    assert_int_equal(p->md.ct_mark, 5);
    assert_int_equal(p->md.ct_label[1], 0x10);
    assert_int_equal(p->md.ct_zone, 1);
    packet_destroy(p);
    /* Zone 2 knows nothing of it. */
    assert_int_equal(run1(ct, udp(S, C, 7, 7, "b"), &z2), CS_TRK | CS_NEW);
    p = udp(S, C, 7, 7, "b");
    struct dp_action_ct z1nc = act(1, false);
    assert_int_equal(run(ct, p, &z1nc), CS_TRK | CS_EST | CS_RPL);
    assert_int_equal(p->md.ct_mark, 5);
    packet_destroy(p);
    assert_true(dump_has(ct, "zone=1,mark=5,labels=0x10"));
    char *d = dump(ct, 2);
    assert_string_equal(d, "");
    free(d);

    /* force: a reply-direction packet committed with force ends the old
     * connection and starts one in its direction. */
    struct dp_action_ct f = act(1, true);
    f.flags |= DP_CT_F_FORCE;
    assert_int_equal(run1(ct, udp(S, C, 7, 7, "c"), &f), CS_TRK | CS_NEW);
    assert_true(dump_has(ct, "udp,orig=(src=10.0.0.2,dst=10.0.0.1"));
    assert_int_equal(n_conns(ct), 1);

    /* ct_clear. */
    p = udp(S, C, 7, 7, "d");
    assert_int_equal(run(ct, p, &z1nc), CS_TRK | CS_NEW);
    conntrack_clear(p);
    assert_int_equal(p->md.ct_state, 0);
    assert_int_equal(p->md.ct_zone, 0);
    assert_int_equal(p->md.ct_nw_src, 0);
    packet_destroy(p);

    /* Flush by zone and by tuple. */
    assert_int_equal(run1(ct, udp(C, S, 8, 8, "e"), &z1), CS_TRK | CS_NEW);
    struct dp_action_ct z3 = act(3, true);
    assert_int_equal(run1(ct, udp(C, S, 9, 9, "e"), &z3), CS_TRK | CS_NEW);
    assert_int_equal(n_conns(ct), 3);
    struct ct_tuple t = { .family = AF_INET, .sport = 8, .dport = 8,
                          .proto = IPPROTO_UDP };
    inet_pton(AF_INET, C, &t.src);
    inet_pton(AF_INET, S, &t.dst);
    assert_int_equal(conntrack_flush(ct, 1, &t), 1);
    assert_int_equal(conntrack_flush(ct, 3, NULL), 1);
    assert_int_equal(n_conns(ct), 1);
    assert_int_equal(conntrack_flush(ct, -1, NULL), 1);
    assert_int_equal(n_conns(ct), 0);
    conntrack_destroy(ct);
}

static struct dp_action_ct
nat_act(uint16_t flags, int family, const char *amin, const char *amax,
        uint16_t pmin, uint16_t pmax)
{
    struct dp_action_ct a = act(0, true);

    a.flags |= DP_CT_F_NAT;
    a.nat.flags = flags;
    a.nat.family = (uint16_t) family;
    inet_pton(family, amin, &a.nat.addr_min);
    inet_pton(family, amax, &a.nat.addr_max);
    a.nat.proto_min = pmin;
    a.nat.proto_max = pmax;
    return a;
}

static void
test_snat(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = nat_act(DP_NAT_F_SRC, AF_INET, "192.168.0.100",
                                    "192.168.0.100", 0, 0);
    struct dp_action_ct plain = act(0, false);
    plain.flags |= DP_CT_F_NAT;

    struct packet *p = tcp(C, S, 1234, 80, 1000, 0, F_SYN, 65535, NULL);
    uint8_t *l3 = packet_l3(p), *l4 = packet_l4(p);
    assert_int_equal(get16(l3 + 10), 0x66cd);  /* Builder matches scapy. */
    assert_int_equal(get16(l4 + 16), 0x92d6);
    assert_int_equal(run(ct, p, &a), CS_TRK | CS_NEW | CS_SRC_NAT);
    l3 = packet_l3(p);
    l4 = packet_l4(p);
    assert_int_equal(get32(l3 + 12), 0xc0a80064);
    assert_int_equal(get16(l4), 1234);          /* Port kept. */
    assert_int_equal(get16(l3 + 10), 0xafc1);
    assert_int_equal(get16(l4 + 16), 0xdbca);
    /* The original tuple is the pre-NAT one. */
    assert_int_equal(p->md.ct_nw_src, inet_addr(C));
    packet_destroy(p);

    /* The reply is translated back. */
    p = tcp(S, "192.168.0.100", 80, 1234, 5000, 1001, F_SYN | F_ACK, 65535,
            NULL);
    assert_int_equal(run(ct, p, &plain),
                     CS_TRK | CS_EST | CS_RPL | CS_SRC_NAT);
    assert_int_equal(get32((uint8_t *) packet_l3(p) + 16), 0x0a000001);
    assert_true(csums_ok(p));
    packet_destroy(p);
    assert_true(dump_has(ct, "reply=(src=10.0.0.2,dst=192.168.0.100,"
                         "sport=80,dport=1234)"));

    /* Without nat in the action the packet is tracked but not changed. */
    struct dp_action_ct nonat = act(0, false);
    p = tcp(C, S, 1234, 80, 1001, 5001, F_ACK, 65535, NULL);
    assert_int_equal(run(ct, p, &nonat), CS_TRK | CS_EST);
    assert_int_equal(get32((uint8_t *) packet_l3(p) + 12), 0x0a000001);
    packet_destroy(p);

    /* A second client with the same source port gets another port; the
     * range 2000-2001 then runs out at the fourth. */
    struct dp_action_ct r = nat_act(DP_NAT_F_SRC, AF_INET, "192.168.0.100",
                                    "192.168.0.100", 2000, 2001);
    uint16_t seen = 0;
    for (int i = 0; i < 3; i++) {
        char src[16];
        snprintf(src, sizeof src, "10.0.1.%d", i + 1);
        p = tcp(src, S, 1234, 80, 1000, 0, F_SYN, 65535, NULL);
        uint8_t st = run(ct, p, &r);
        uint16_t port = get16(packet_l4(p));
        if (i < 2) {
            assert_int_equal(st, CS_TRK | CS_NEW | CS_SRC_NAT);
            assert_true(port == 2000 || port == 2001);
            assert_int_not_equal(port, seen);
            seen = port;
            assert_true(csums_ok(p));
            /* The translated SYN is scapy's, whatever the source was. */
            assert_int_equal(get16((uint8_t *) packet_l4(p) + 16),
                             port == 2000 ? 0xd8cc : 0xd8cb);
        } else {
            /* Exhausted: not committed, not translated. */
            assert_int_equal(st, CS_TRK | CS_NEW);
            assert_int_equal(port, 1234);
        }
        packet_destroy(p);
    }
    assert_int_equal(n_conns(ct), 3);
    conntrack_destroy(ct);
}

static void
test_dnat_ipv6_and_partial(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = nat_act(DP_NAT_F_DST, AF_INET6, "2001:db8::2",
                                    "2001:db8::2", 5353, 5353);

    struct packet *p = udp("2001:db8::1", "2001:db8::100", 5000, 53,
                           "hello");
    assert_int_equal(get16((uint8_t *) packet_l4(p) + 6), 0x4bd2);
    assert_int_equal(run(ct, p, &a), CS_TRK | CS_NEW | CS_DST_NAT);
    assert_int_equal(get16((uint8_t *) packet_l4(p) + 2), 5353);
    assert_int_equal(get16((uint8_t *) packet_l4(p) + 6), 0x381c);
    packet_destroy(p);
    p = udp("2001:db8::2", "2001:db8::1", 5353, 5000, "world");
    struct dp_action_ct n = act(0, false);
    n.flags |= DP_CT_F_NAT;
    assert_int_equal(run(ct, p, &n), CS_TRK | CS_EST | CS_RPL | CS_DST_NAT);
    uint8_t *l3 = packet_l3(p);
    struct in6_addr vip;
    inet_pton(AF_INET6, "2001:db8::100", &vip);
    assert_memory_equal(l3 + 8, &vip, 16);
    assert_int_equal(get16((uint8_t *) packet_l4(p)), 53);
    assert_true(csums_ok(p));
    packet_destroy(p);
    conntrack_destroy(ct);

    /* A partial checksum (pseudo-header sum in the field) stays right. */
    ct = conntrack_create();
    struct dp_action_ct s = nat_act(DP_NAT_F_SRC, AF_INET, "172.16.0.9",
                                    "172.16.0.9", 0, 0);
    p = tcp(C, S, 4321, 443, 1, 0, F_SYN, 1000, NULL);
    uint8_t *l4 = packet_l4(p);
    be32 src = inet_addr(C), dst = inet_addr(S);
    be16 ps = (be16) ~packet_csum_fold(packet_csum_pseudo_ipv4(
                                           src, dst, IPPROTO_TCP, 20));
    memcpy(l4 + 16, &ps, 2);
    p->csum = PACKET_CSUM_PARTIAL;
    p->csum_start = p->l4_ofs;
    p->csum_offset = 16;
    assert_int_equal(run(ct, p, &s), CS_TRK | CS_NEW | CS_SRC_NAT);
    assert_int_equal(packet_csum_finish(p), 0);
    assert_true(csums_ok(p));
    packet_destroy(p);
    conntrack_destroy(ct);
}

static void
test_icmp_error_nat(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = nat_act(DP_NAT_F_SRC, AF_INET, "192.168.0.100",
                                    "192.168.0.100", 0, 0);

    struct packet *q = udp(C, S, 5000, 53, "query");
    assert_int_equal(run(ct, q, &a), CS_TRK | CS_NEW | CS_SRC_NAT);
    /* q is now translated: 192.168.0.100:5000 -> S:53.  A router answers
     * the translated address. */
    struct packet *e = icmp_error("10.9.9.9", "192.168.0.100", 11, 0, q);
    assert_int_equal(run(ct, e, &a),
                     CS_TRK | CS_REL | CS_RPL | CS_SRC_NAT);
    uint8_t *l3 = packet_l3(e), *l4 = packet_l4(e);
    assert_int_equal(get32(l3 + 16), 0x0a000001);      /* Outer dst. */
    assert_int_equal(get32(l3 + 12), 0x0a090909);      /* Outer src. */
    assert_int_equal(get32(l4 + 8 + 12), 0x0a000001);  /* Inner src. */
    assert_int_equal(get16(l4 + 8 + 20), 5000);        /* Inner sport. */
    assert_int_equal(packet_csum_fold(packet_csum_add(0, l4 + 8, 20)), 0);
    assert_true(csums_ok(e));
    packet_destroy(e);
    packet_destroy(q);
    conntrack_destroy(ct);
}

static struct packet *
frag4(const uint8_t *dgram_l4, size_t total, size_t ofs, size_t len,
      bool more)
{
    uint8_t buf[2048];

    memset(buf, 0, 14);
    put16(buf + 12, 0x0800);
    uint8_t *l3 = buf + 14;
    memset(l3, 0, 20);
    l3[0] = 0x45;
    put16(l3 + 2, (uint16_t) (20 + len));
    put16(l3 + 4, 0x4242);
    put16(l3 + 6, (uint16_t) ((more ? 0x2000 : 0) | (ofs / 8)));
    l3[8] = 64;
    l3[9] = IPPROTO_UDP;
    inet_pton(AF_INET, C, l3 + 12);
    inet_pton(AF_INET, S, l3 + 16);
    be16 c = packet_csum_ipv4_header(l3);
    memcpy(l3 + 10, &c, 2);
    memcpy(l3 + 20, dgram_l4 + ofs, len);
    (void) total;
    struct packet *p = packet_clone_data(buf, 34 + len);
    struct flow f;
    (void) flow_extract(p, &f, NULL);
    return p;
}

static void
test_fragments(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true);

    /* A 1008-byte UDP datagram in three fragments, out of order. */
    char payload[1001];
    memset(payload, 'z', 1000);
    payload[1000] = 0;
    struct packet *whole = udp(C, S, 6000, 7000, payload);
    const uint8_t *l4 = packet_l4(whole);
    size_t total = packet_l4_size(whole);

    struct packet *f[3] = {
        frag4(l4, total, 400, 400, true),
        frag4(l4, total, 0, 400, true),
        frag4(l4, total, 800, total - 800, false),
    };
    struct packet_batch b;
    packet_batch_init(&b);
    packet_batch_add(&b, f[0]);
    packet_batch_add(&b, f[1]);
    conntrack_execute(ct, &b, &a, now);
    assert_int_equal(b.count, 0);
    struct conntrack_stats st;
    conntrack_get_stats(ct, &st);
    assert_true(st.n_frag_bytes > 800);

    packet_batch_add(&b, f[2]);
    conntrack_execute(ct, &b, &a, now);
    assert_int_equal(b.count, 1);
    struct packet *r = b.packets[0];
    assert_int_equal(r->md.ct_state, CS_TRK | CS_NEW);
    assert_int_equal(packet_size(r), packet_size(whole));
    assert_memory_equal(packet_l4(r), l4, total);
    assert_int_equal(get16((uint8_t *) packet_l3(r) + 6), 0);
    assert_true(csums_ok(r));
    packet_destroy(r);
    packet_batch_init(&b);
    assert_int_equal(n_conns(ct), 1);

    /* Overlapping fragments are dropped; stale ones time out. */
    packet_batch_add(&b, frag4(l4, total, 0, 400, true));
    packet_batch_add(&b, frag4(l4, total, 200, 400, true));
    conntrack_execute(ct, &b, &a, now);
    assert_int_equal(b.count, 0);
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_frag_bytes, 0);
    packet_batch_add(&b, frag4(l4, total, 0, 400, true));
    conntrack_execute(ct, &b, &a, now);
    conntrack_get_stats(ct, &st);
    assert_true(st.n_frag_bytes > 0);
    conntrack_sweep(ct, now + 16000, SIZE_MAX);
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_frag_bytes, 0);
    packet_destroy(whole);
    conntrack_destroy(ct);
}

/* Fragment extents are checked against the datagram's total whichever
 * arrives first, and only fragments tiling [0, total) reassemble. */
static void
test_ipf_bad_extents(void **state)
{
    (void) state;
    static uint8_t l4[65536];
    struct ipf *ipf = ipf_create();

    for (size_t i = 0; i < sizeof l4; i++) {
        l4[i] = (uint8_t) (i * 7);
    }
    /* [0,8) MF, [24,32) MF, last [16,24): lengths sum to the total but
     * [24,32) lies past it: the datagram is dropped. */
    assert_null(ipf_process(ipf, frag4(l4, 24, 0, 8, true), 0, now));
    assert_null(ipf_process(ipf, frag4(l4, 24, 24, 8, true), 0, now));
    assert_null(ipf_process(ipf, frag4(l4, 24, 16, 8, false), 0, now));
    assert_int_equal(ipf_bytes(ipf), 0);
    /* The missing [8,16) does not complete anything either. */
    assert_null(ipf_process(ipf, frag4(l4, 24, 8, 8, true), 0, now));
    ipf_sweep(ipf, now + 16000);
    assert_int_equal(ipf_bytes(ipf), 0);

    /* No fragment at 0: [8,16) MF, [24,32) MF, then last [16,24). */
    assert_null(ipf_process(ipf, frag4(l4, 24, 8, 8, true), 0, now));
    assert_null(ipf_process(ipf, frag4(l4, 24, 24, 8, true), 0, now));
    assert_null(ipf_process(ipf, frag4(l4, 24, 16, 8, false), 0, now));
    assert_int_equal(ipf_bytes(ipf), 0);

    /* Last first, then a fragment past it. */
    assert_null(ipf_process(ipf, frag4(l4, 24, 16, 8, false), 0, now));
    assert_null(ipf_process(ipf, frag4(l4, 24, 24, 8, true), 0, now));
    assert_int_equal(ipf_bytes(ipf), 0);

    /* A good datagram after all that still reassembles. */
    assert_null(ipf_process(ipf, frag4(l4, 24, 16, 8, false), 0, now));
    assert_null(ipf_process(ipf, frag4(l4, 24, 0, 8, true), 0, now));
    struct packet *r = ipf_process(ipf, frag4(l4, 24, 8, 8, true), 0, now);
    assert_non_null(r);
    assert_int_equal(packet_size(r), 14 + 20 + 24);
    assert_memory_equal((uint8_t *) packet_l3(r) + 20, l4, 24);
    packet_destroy(r);
    assert_int_equal(ipf_bytes(ipf), 0);

    /* IPv4: ihl + total must fit in 16 bits.  65515 bytes does, 65532
     * does not (the last fragment is refused; nothing completes). */
    for (int pass = 0; pass < 2; pass++) {
        size_t total = pass ? 65532 : 65515;
        size_t step = 1472, ofs;

        r = NULL;
        for (ofs = 0; ofs + step < total; ofs += step) {
            assert_null(ipf_process(ipf, frag4(l4, total, ofs, step, true),
                                    0, now));
        }
        r = ipf_process(ipf, frag4(l4, total, ofs, total - ofs, false), 0,
                        now);
        if (!pass) {
            assert_non_null(r);
            assert_int_equal(get16((uint8_t *) packet_l3(r) + 2),
                             20 + total);
            assert_memory_equal((uint8_t *) packet_l3(r) + 20, l4, total);
            packet_destroy(r);
        } else {
            assert_null(r);
        }
        ipf_sweep(ipf, now + 16000);
        assert_int_equal(ipf_bytes(ipf), 0);
    }
    ipf_destroy(ipf);
}

static void
test_expiry_timeouts(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true), nc = act(0, false);

    conntrack_set_timeout(ct, CT_TM_UDP_FIRST, 5);
    assert_int_equal(run1(ct, udp(C, S, 1, 2, "x"), &a), CS_TRK | CS_NEW);
    now += 4000;
    assert_int_equal(run1(ct, udp(S, C, 2, 1, "y"), &nc),
                     CS_TRK | CS_EST | CS_RPL);
    /* Replied: the 120 s timeout now applies. */
    now += 100 * 1000;
    assert_int_equal(run1(ct, udp(C, S, 1, 2, "x"), &nc), CS_TRK | CS_EST);
    now += 121 * 1000;
    /* Expired: lookups no longer see it even before a sweep. */
    assert_int_equal(run1(ct, udp(C, S, 1, 2, "x"), &nc), CS_TRK | CS_NEW);
    conntrack_sweep(ct, now, SIZE_MAX);
    assert_int_equal(n_conns(ct), 0);
    /* An expired entry is replaced by a new commit. */
    assert_int_equal(run1(ct, udp(C, S, 1, 2, "x"), &a), CS_TRK | CS_NEW);
    now += 6000;
    assert_int_equal(run1(ct, udp(C, S, 1, 2, "x"), &a), CS_TRK | CS_NEW);
    assert_int_equal(n_conns(ct), 1);
    conntrack_destroy(ct);
}

static void
test_syn_flood_eviction(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true);

    conntrack_set_maxconns(ct, 100);
    assert_int_equal(conntrack_get_maxconns(ct), 100);
    for (uint16_t i = 0; i < 10; i++) {
        handshake(ct, (uint16_t) (2000 + i), &a);
    }
    for (uint32_t i = 0; i < 1000; i++) {
        char src[20];
        snprintf(src, sizeof src, "10.%u.%u.%u", 100 + (i >> 16),
                 (i >> 8) & 255, i & 255);
        assert_int_equal(run1(ct, tcp(src, S, 40000, 80, i, 0, F_SYN, 1000,
                                      NULL), &a), CS_TRK | CS_NEW);
    }
    struct conntrack_stats st;
    conntrack_get_stats(ct, &st);
    assert_true(st.n_conns <= 100);
    assert_true(st.n_evicted >= 900);
    /* The established connections are all still there. */
    for (uint16_t i = 0; i < 10; i++) {
        assert_int_equal(run1(ct, tcp(C, S, (uint16_t) (2000 + i), 80, 1001,
                                      5001, F_ACK, 65535, NULL), &a),
                         CS_TRK | CS_EST);
    }
    /* With only established entries, a new commit is refused. */
    conntrack_flush(ct, -1, NULL);
    conntrack_set_maxconns(ct, 3);
    for (uint16_t i = 0; i < 3; i++) {
        handshake(ct, (uint16_t) (3000 + i), &a);
    }
    assert_int_equal(run1(ct, tcp(C, S, 4000, 80, 1, 0, F_SYN, 1000, NULL),
                          &a), CS_TRK | CS_NEW);
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_conns, 3);
    assert_true(st.n_refused >= 1);
    conntrack_destroy(ct);
}

/* FTP control connection C:40000 -> S:21 (helper ftp), established. */
static void
ftp_setup(struct conntrack *ct, const struct dp_action_ct *a,
          const char *server_seen)
{
    assert_int_equal(run1(ct, tcp(C, S, 40000, 21, 1000, 0, F_SYN, 65535,
                                  NULL), a) & ~(CS_SRC_NAT), CS_TRK | CS_NEW);
    assert_int_equal(run1(ct, tcp(S, server_seen, 21, 40000, 5000, 1001,
                                  F_SYN | F_ACK, 65535, NULL), a)
                     & ~CS_SRC_NAT, CS_TRK | CS_EST | CS_RPL);
    assert_int_equal(run1(ct, tcp(C, S, 40000, 21, 1001, 5001, F_ACK, 65535,
                                  NULL), a) & ~CS_SRC_NAT, CS_TRK | CS_EST);
}

static void
test_ftp_active_passive(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true), nc = act(0, false);

    strcpy(a.helper, "ftp");
    ftp_setup(ct, &a, C);
    assert_true(dump_has(ct, "helper=ftp"));
    /* Active: PORT 10,0,0,1,200,10 -> the server connects from port 20
     * to 10.0.0.1:51210. */
    const char *port = "PORT 10,0,0,1,200,10\r\n";
    assert_int_equal(run1(ct, tcp(C, S, 40000, 21, 1001, 5001,
                                  F_ACK | F_PSH, 65535, port), &a),
                     CS_TRK | CS_EST);
    struct conntrack_stats st;
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_expectations, 1);
    assert_int_equal(run1(ct, tcp(S, C, 20, 51210, 9000, 0, F_SYN, 65535,
                                  NULL), &nc), CS_TRK | CS_NEW | CS_REL);
    /* Some other port is not expected. */
    assert_int_equal(run1(ct, tcp(S, C, 20, 51211, 9000, 0, F_SYN, 65535,
                                  NULL), &nc), CS_TRK | CS_NEW);
    struct dp_action_ct c = act(0, true);
    assert_int_equal(run1(ct, tcp(S, C, 20, 51210, 9000, 0, F_SYN, 65535,
                                  NULL), &c), CS_TRK | CS_NEW | CS_REL);
    assert_int_equal(run1(ct, tcp(C, S, 51210, 20, 7000, 9001,
                                  F_SYN | F_ACK, 65535, NULL), &c),
                     CS_TRK | CS_EST | CS_RPL);
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_expectations, 0);

    /* Passive: 227 from the server. */
    const char *pasv = "227 Entering Passive Mode (10,0,0,2,100,50).\r\n";
    assert_int_equal(run1(ct, tcp(S, C, 21, 40000, 5001, 1023,
                                  F_ACK | F_PSH, 65535, pasv), &a),
                     CS_TRK | CS_EST | CS_RPL);
    assert_int_equal(run1(ct, tcp(C, S, 45555, 25650, 1, 0, F_SYN, 65535,
                                  NULL), &c), CS_TRK | CS_NEW | CS_REL);
    /* EPSV. */
    const char *epsv = "229 Entering Extended Passive Mode (|||6446|)\r\n";
    assert_int_equal(run1(ct, tcp(S, C, 21, 40000, 5001 + strlen(pasv),
                                  1023, F_ACK | F_PSH, 65535, epsv), &a),
                     CS_TRK | CS_EST | CS_RPL);
    assert_int_equal(run1(ct, tcp(C, S, 45556, 6446, 1, 0, F_SYN, 65535,
                                  NULL), &nc), CS_TRK | CS_NEW | CS_REL);
    conntrack_destroy(ct);
}

static void
test_ftp_snat_rewrite(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = nat_act(DP_NAT_F_SRC, AF_INET, "192.168.0.100",
                                    "192.168.0.100", 0, 0);

    strcpy(a.helper, "ftp");
    ftp_setup(ct, &a, "192.168.0.100");
    const char *port = "PORT 10,0,0,1,200,10\r\n";
    struct packet *p = tcp(C, S, 40000, 21, 1001, 5001, F_ACK | F_PSH,
                           65535, port);
    assert_int_equal(run(ct, p, &a), CS_TRK | CS_EST | CS_SRC_NAT);
    const char *want = "PORT 192,168,0,100,200,10\r\n";
    size_t doff = 20;
    assert_int_equal(packet_l4_size(p), doff + strlen(want));
    assert_memory_equal((uint8_t *) packet_l4(p) + doff, want, strlen(want));
    assert_int_equal(get16((uint8_t *) packet_l3(p) + 2),
                     20 + 20 + strlen(want));
    assert_true(csums_ok(p));
    packet_destroy(p);
    int delta = (int) (strlen(want) - strlen(port));

    /* The next client segment's sequence number is shifted... */
    p = tcp(C, S, 40000, 21, 1001 + (uint32_t) strlen(port), 5001, F_ACK,
            65535, "LIST\r\n");
    assert_int_equal(run(ct, p, &a), CS_TRK | CS_EST | CS_SRC_NAT);
    assert_int_equal(get32((uint8_t *) packet_l4(p) + 4),
                     1001 + strlen(port) + (uint32_t) delta);
    assert_true(csums_ok(p));
    packet_destroy(p);
    /* ...and the server's acknowledgement of it shifted back. */
    uint32_t sack = 1001 + (uint32_t) strlen(port) + 6 + (uint32_t) delta;
    p = tcp(S, "192.168.0.100", 21, 40000, 5001, sack, F_ACK, 65535, NULL);
    assert_int_equal(run(ct, p, &a), CS_TRK | CS_EST | CS_RPL | CS_SRC_NAT);
    assert_int_equal(get32((uint8_t *) packet_l4(p) + 8),
                     sack - (uint32_t) delta);
    assert_int_equal(get32((uint8_t *) packet_l3(p) + 16), 0x0a000001);
    assert_true(csums_ok(p));
    packet_destroy(p);

    /* The server's data connection to the NAT address reaches the client
     * and is related. */
    p = tcp(S, "192.168.0.100", 20, 51210, 9000, 0, F_SYN, 65535, NULL);
    assert_int_equal(run(ct, p, &a), CS_TRK | CS_NEW | CS_REL | CS_DST_NAT);
    assert_int_equal(get32((uint8_t *) packet_l3(p) + 16), 0x0a000001);
    assert_true(csums_ok(p));
    packet_destroy(p);
    conntrack_destroy(ct);
}

/* PORT/EPRT must name the client of the control connection and 227 the
 * server; anything else (a bounce to a third host) expects nothing. */
static void
test_ftp_foreign_address(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true), nc = act(0, false);
    struct conntrack_stats st;
    uint32_t cseq = 1001, sseq = 5001;

    strcpy(a.helper, "ftp");
    ftp_setup(ct, &a, C);
    const char *port = "PORT 10,0,0,99,200,10\r\n";
    assert_int_equal(run1(ct, tcp(C, S, 40000, 21, cseq, sseq,
                                  F_ACK | F_PSH, 65535, port), &a),
                     CS_TRK | CS_EST);
    cseq += (uint32_t) strlen(port);
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_expectations, 0);
    assert_int_equal(run1(ct, tcp(S, "10.0.0.99", 20, 51210, 9000, 0, F_SYN,
                                  65535, NULL), &nc), CS_TRK | CS_NEW);

    const char *eprt = "EPRT |1|10.0.0.98|6000|\r\n";
    assert_int_equal(run1(ct, tcp(C, S, 40000, 21, cseq, sseq,
                                  F_ACK | F_PSH, 65535, eprt), &a),
                     CS_TRK | CS_EST);
    cseq += (uint32_t) strlen(eprt);
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_expectations, 0);

    const char *pasv = "227 Entering Passive Mode (10,0,0,77,100,50).\r\n";
    assert_int_equal(run1(ct, tcp(S, C, 21, 40000, sseq, cseq,
                                  F_ACK | F_PSH, 65535, pasv), &a),
                     CS_TRK | CS_EST | CS_RPL);
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_expectations, 0);
    assert_int_equal(run1(ct, tcp(C, "10.0.0.77", 45555, 25650, 1, 0, F_SYN,
                                  65535, NULL), &nc), CS_TRK | CS_NEW);

    /* The right addresses still work. */
    const char *good = "PORT 10,0,0,1,200,11\r\n";
    assert_int_equal(run1(ct, tcp(C, S, 40000, 21, cseq, sseq,
                                  F_ACK | F_PSH, 65535, good), &a),
                     CS_TRK | CS_EST);
    conntrack_get_stats(ct, &st);
    assert_int_equal(st.n_expectations, 1);
    conntrack_destroy(ct);
}

/* A retransmitted PORT that NAT rewrites is rewritten again, but its
 * length change shifts later sequence numbers only once. */
static void
test_ftp_snat_retransmit(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = nat_act(DP_NAT_F_SRC, AF_INET, "192.168.0.100",
                                    "192.168.0.100", 0, 0);

    strcpy(a.helper, "ftp");
    ftp_setup(ct, &a, "192.168.0.100");
    const char *port = "PORT 10,0,0,1,200,10\r\n";
    const char *want = "PORT 192,168,0,100,200,10\r\n";
    int delta = (int) (strlen(want) - strlen(port));
    for (int i = 0; i < 3; i++) {
        struct packet *p = tcp(C, S, 40000, 21, 1001, 5001, F_ACK | F_PSH,
                               65535, port);
        assert_int_equal(run(ct, p, &a), CS_TRK | CS_EST | CS_SRC_NAT);
        assert_memory_equal((uint8_t *) packet_l4(p) + 20, want,
                            strlen(want));
        assert_int_equal(get32((uint8_t *) packet_l4(p) + 4), 1001);
        assert_true(csums_ok(p));
        packet_destroy(p);
    }
    struct packet *p = tcp(C, S, 40000, 21, 1001 + (uint32_t) strlen(port),
                           5001, F_ACK, 65535, "LIST\r\n");
    assert_int_equal(run(ct, p, &a), CS_TRK | CS_EST | CS_SRC_NAT);
    assert_int_equal(get32((uint8_t *) packet_l4(p) + 4),
                     1001 + strlen(port) + (uint32_t) delta);
    packet_destroy(p);
    conntrack_destroy(ct);
}

static void
test_stats_format(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true);
    struct ds ds;

    handshake(ct, 1, &a);
    assert_int_equal(run1(ct, udp(C, S, 1, 2, "x"), &a), CS_TRK | CS_NEW);
    ds_init(&ds);
    conntrack_format_stats(ct, &ds);
    assert_string_equal(ds_cstr(&ds), "Connections Stats:\n    Total: 2\n"
                        "    TCP: 1\n    UDP: 1\n");
    ds_uninit(&ds);
    assert_int_equal(conntrack_get_maxconns(ct), CONNTRACK_DEFAULT_MAXCONNS);
    conntrack_destroy(ct);
}

struct thread_arg {
    struct conntrack *ct;       /* Shared tracker. */
    int id;                     /* 0 or 1. */
};

/* Each thread opens and closes its own connections and sends replies on
 * the other thread's, so both shards of a connection see traffic. */

/* The packet path sweeps at most once per millisecond, over all callers,
 * with a budget that covers the table about once per 2 s. */
static void
test_sweep_tick(void **state)
{
    (void) state;

    assert_int_equal(conntrack__sweep_budget(0, 1), 1);
    assert_int_equal(conntrack__sweep_budget(3999, 1), 2);
    assert_int_equal(conntrack__sweep_budget(1000000, 2), 2 * 501);
    assert_int_equal(conntrack__sweep_budget(100, 1000), 64);

    struct conntrack *ct = conntrack_create();
    struct dp_action_ct a = act(0, true);

    assert_true(conntrack__sweep_tick(ct, 5000));
    assert_false(conntrack__sweep_tick(ct, 5000));
    assert_false(conntrack__sweep_tick(ct, 4999));
    assert_true(conntrack__sweep_tick(ct, 5001));

    /* 100 UDP connections, then their first timeout (30 s) runs out. */
    for (int i = 0; i < 100; i++) {
        assert_int_equal(run1(ct, udp(C, S, 1000 + i, 53, "q"), &a),
                         CS_TRK | CS_NEW);
    }
    assert_int_equal(n_conns(ct), 100);
    now += 31 * 1000;

    /* Many batches within one millisecond sweep once: 64 entries visited
     * (the budget catches up 64 ms at most; the new live one may be among
     * them), not 32 per batch. */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(run1(ct, udp(C, S, 7, 7, "r"), &a),
                         CS_TRK | CS_NEW);
    }
    assert_in_range(n_conns(ct), 100 + 1 - 64, 100 + 1 - 63);

    /* Expired but not yet swept: already gone for lookups and commits. */
    assert_int_equal(run1(ct, udp(S, C, 53, 1099, "a"), &a), CS_TRK | CS_NEW);

    /* The next milliseconds sweep the rest. */
    for (int i = 0; i < 64; i++) {
        now++;
        run1(ct, udp(C, S, 7, 7, "r"), &a);
    }
    assert_int_equal(n_conns(ct), 2);
    conntrack_destroy(ct);
}

static void *
thread_main(void *arg_)
{
    struct thread_arg *arg = arg_;
    struct dp_action_ct a = act(0, true);

    for (uint16_t i = 0; i < 2000; i++) {
        uint16_t sport = (uint16_t) (10000 + arg->id * 5000 + i);
        struct packet *p = udp(C, S, sport, 53, "q");
        (void) run1(arg->ct, p, &a);
        p = udp(S, C, 53, (uint16_t) (10000 + (1 - arg->id) * 5000 + i),
                "r");
        (void) run1(arg->ct, p, &a);
        if (i % 3 == 0) {
            struct ct_tuple t = { .family = AF_INET, .sport = sport,
                                  .dport = 53, .proto = IPPROTO_UDP };
            inet_pton(AF_INET, C, &t.src);
            inet_pton(AF_INET, S, &t.dst);
            conntrack_flush(arg->ct, 0, &t);
        }
    }
    return NULL;
}

static void
test_threads(void **state)
{
    (void) state;
    struct conntrack *ct = conntrack_create();
    struct thread_arg args[2] = { { ct, 0 }, { ct, 1 } };
    pthread_t th[2];

    for (int i = 0; i < 2; i++) {
        pthread_create(&th[i], NULL, thread_main, &args[i]);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
    }
    /* 4000 committed by the clients, a third of them flushed; replies
     * to flushed ones may have re-created reply-direction entries. */
    size_t n = n_conns(ct);
    assert_true(n >= 2666 && n <= 4000);
    char *d = dump(ct, 0);
    size_t lines = 0;
    for (char *c = d; *c; c++) {
        lines += *c == '\n';
    }
    free(d);
    assert_int_equal(lines, n);
    conntrack_destroy(ct);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_states),
        cmocka_unit_test(test_tcp_window),
        cmocka_unit_test(test_udp_icmp),
        cmocka_unit_test(test_icmp_related),
        cmocka_unit_test(test_zones_force_mark),
        cmocka_unit_test(test_snat),
        cmocka_unit_test(test_dnat_ipv6_and_partial),
        cmocka_unit_test(test_icmp_error_nat),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_ipf_bad_extents),
        cmocka_unit_test(test_expiry_timeouts),
        cmocka_unit_test(test_syn_flood_eviction),
        cmocka_unit_test(test_ftp_active_passive),
        cmocka_unit_test(test_ftp_snat_rewrite),
        cmocka_unit_test(test_ftp_foreign_address),
        cmocka_unit_test(test_ftp_snat_retransmit),
        cmocka_unit_test(test_stats_format),
        cmocka_unit_test(test_sweep_tick),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
