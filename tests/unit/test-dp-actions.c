/* Unit tests for datapath/dp-actions.h and dp-execute.h: building,
 * validating and formatting action lists; executing each action on
 * scapy-built packets (dp-actions-fixtures.txt, made by
 * gen-dp-actions-fixtures.py) and comparing the bytes, checksums
 * included, with scapy's; and the batch semantics of dp_execute(): clones
 * only where two consumers need the packets, callbacks, drops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/dp-execute.h"
#include "datapath/flow-extract.h"
#include "datapath/netdev-tunnel.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "lib/ds.h"

static const char *fixtures_path;

/* Helpers. */

static be32
ip4(const char *s)
{
    struct in_addr a;

    assert_int_equal(inet_pton(AF_INET, s, &a), 1);
    return (KILN_FORCE be32) a.s_addr;
}

static struct in6_addr
ip6(const char *s)
{
    struct in6_addr a;

    assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
    return a;
}

static struct eth_addr
mac(const char *s)
{
    struct eth_addr e;

    assert_true(eth_addr_from_string(s, &e));
    return e;
}

/* Formats the list in 'b' (without finishing it). */
static char *
format_builder(const struct dp_actions_builder *b)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    assert_int_equal(dp_actions_validate(b->data, b->size), 0);
    dp_actions_format((const void *) b->data, b->size, &ds);
    return ds_steal_cstr(&ds);
}

static void
assert_format(struct dp_actions_builder *b, const char *expected)
{
    struct dp_actions *acts = dp_actions_builder_finish(b);
    struct ds ds = DS_EMPTY_INITIALIZER;

    assert_int_equal(dp_actions_validate(acts->data, acts->size), 0);
    dp_actions_format(dp_actions_get(acts), acts->size, &ds);
    assert_string_equal(ds_cstr(&ds), expected);
    ds_uninit(&ds);
    dp_actions_destroy(acts);
}

/* The SET_MASKED actions of the fixtures, by name. */
static void
build_fixture_actions(const char *name, struct dp_actions_builder *b)
{
    if (!strcmp(name, "push_vlan") || !strcmp(name, "partial_push_vlan")) {
        dp_actions_put_push_vlan(b, 0x8100, 3 << 13 | 10);
    } else if (!strcmp(name, "pop_vlan")) {
        dp_actions_put_pop_vlan(b);
    } else if (!strcmp(name, "set_eth")) {
        struct dp_key_eth k = { mac("02:00:00:00:00:01"),
                                mac("02:00:00:00:00:02") };
        struct dp_key_eth m;
        memset(&m, 0xff, sizeof m);
        dp_actions_put_set_masked(b, DP_SET_ETH, &k, &m);
    } else if (!strcmp(name, "set_ipv4_src_ttl_tcp")
               || !strcmp(name, "partial_set_ipv4_src")) {
        struct dp_key_ipv4 k = { .src = ip4("192.168.7.9"), .ttl = 63 };
        struct dp_key_ipv4 m = { .src = ip4("255.255.255.255"), .ttl = 0xff };
        dp_actions_put_set_masked(b, DP_SET_IPV4, &k, &m);
    } else if (!strcmp(name, "set_ipv4_dst_udp")) {
        struct dp_key_ipv4 k = { .dst = ip4("172.16.254.1") };
        struct dp_key_ipv4 m = { .dst = ip4("255.255.255.255") };
        dp_actions_put_set_masked(b, DP_SET_IPV4, &k, &m);
    } else if (!strcmp(name, "set_ipv4_src_udp_nocsum")) {
        struct dp_key_ipv4 k = { .src = ip4("10.9.8.7") };
        struct dp_key_ipv4 m = { .src = ip4("255.255.255.255") };
        dp_actions_put_set_masked(b, DP_SET_IPV4, &k, &m);
    } else if (!strcmp(name, "set_ipv4_tos_masked_icmp")) {
        /* DSCP only (ECN kept), and the low 16 bits of dst. */
        struct dp_key_ipv4 k = { .dst = ip4("0.0.9.9"), .tos = 0xb8 };
        struct dp_key_ipv4 m = { .dst = ip4("0.0.255.255"), .tos = 0xfc };
        dp_actions_put_set_masked(b, DP_SET_IPV4, &k, &m);
    } else if (!strcmp(name, "set_ipv6_all")) {
        struct dp_key_ipv6 k = { .src = ip6("fd00::a"), .dst = ip6("fd00::b"),
                                 .label = htonbe32(0x12345), .tclass = 0x28,
                                 .hlimit = 7 };
        struct dp_key_ipv6 m;
        memset(&m, 0xff, sizeof m);
        m.label = htonbe32(0xfffff);
        memset(m.pad, 0, sizeof m.pad);
        dp_actions_put_set_masked(b, DP_SET_IPV6, &k, &m);
    } else if (!strcmp(name, "set_ipv6_dst_icmp6")) {
        struct dp_key_ipv6 k = { .dst = ip6("2001:db8::99") };
        struct dp_key_ipv6 m = { .dst = ip6("ffff:ffff:ffff:ffff:ffff:ffff:"
                                            "ffff:ffff") };
        dp_actions_put_set_masked(b, DP_SET_IPV6, &k, &m);
    } else if (!strcmp(name, "set_tcp_ports")
               || !strcmp(name, "partial_set_tcp_ports")) {
        struct dp_key_l4 k = { htonbe16(4321), htonbe16(8080) };
        struct dp_key_l4 m = { htonbe16(0xffff), htonbe16(0xffff) };
        dp_actions_put_set_masked(b, DP_SET_TCP, &k, &m);
    } else if (!strcmp(name, "set_udp_dst")) {
        struct dp_key_l4 k = { 0, htonbe16(5353) };
        struct dp_key_l4 m = { 0, htonbe16(0xffff) };
        dp_actions_put_set_masked(b, DP_SET_UDP, &k, &m);
    } else if (!strcmp(name, "set_tcp6_src")) {
        struct dp_key_l4 k = { htonbe16(40000), 0 };
        struct dp_key_l4 m = { htonbe16(0xffff), 0 };
        dp_actions_put_set_masked(b, DP_SET_TCP, &k, &m);
    } else if (!strcmp(name, "set_sctp_ports")) {
        struct dp_key_l4 k = { htonbe16(3868), htonbe16(2905) };
        struct dp_key_l4 m = { htonbe16(0xffff), htonbe16(0xffff) };
        dp_actions_put_set_masked(b, DP_SET_SCTP, &k, &m);
    } else if (!strcmp(name, "set_arp")) {
        struct dp_key_arp k = { .spa = ip4("10.0.0.2"), .tpa = ip4("10.0.0.1"),
                                .op = htonbe16(2),
                                .sha = mac("02:aa:bb:cc:dd:ee"),
                                .tha = mac("00:11:22:33:44:55") };
        struct dp_key_arp m;
        memset(&m, 0xff, sizeof m);
        memset(m.pad, 0, sizeof m.pad);
        dp_actions_put_set_masked(b, DP_SET_ARP, &k, &m);
    } else if (!strcmp(name, "set_nd_ns") || !strcmp(name, "set_nd_na")) {
        struct dp_key_nd k = { .sll = mac("02:11:22:33:44:55"),
                               .tll = mac("02:de:ad:be:ef:00") };
        struct dp_key_nd m = { .sll = mac("ff:ff:ff:ff:ff:ff"),
                               .tll = mac("ff:ff:ff:ff:ff:ff") };
        if (!strcmp(name, "set_nd_ns")) {
            k.target = ip6("fe80::77");
            memset(&m.target, 0xff, sizeof m.target);
        }
        dp_actions_put_set_masked(b, DP_SET_ND, &k, &m);
    } else {
        fail_msg("no actions for fixture %s", name);
    }
}

/* A test output callback: collects what each port gets. */
#define MAX_OUT 16
struct collector {
    size_t n;                          /* Outputs so far. */
    uint32_t ports[MAX_OUT];           /* Port of each. */
    struct packet_batch batches[MAX_OUT]; /* Packets of each (owned). */
    size_t n_upcalls;                  /* Upcalls so far. */
    struct packet *upcalled[MAX_OUT];  /* Packets seen (borrowed). */
    uint8_t cookie[16];                /* Last cookie. */
    size_t cookie_size;
    size_t n_recirc;                   /* Recirculations. */
    uint32_t recirc_id;                /* Last id. */
    struct packet_batch recirc;        /* Last recirculated (owned). */
    size_t n_ct;                       /* Conntrack calls. */
    struct dp_action_ct ct;            /* Last parameters. */
};

static void
collect_output(void *aux, uint32_t port, struct packet_batch *batch)
{
    struct collector *c = aux;

    assert_true(c->n < MAX_OUT);
    assert_true(batch->count > 0);
    c->ports[c->n] = port;
    c->batches[c->n] = *batch;
    c->n++;
    batch->count = 0;
}

static void
collect_upcall(void *aux, struct packet *p, const void *cookie, size_t size)
{
    struct collector *c = aux;

    c->upcalled[c->n_upcalls++] = p;
    assert_true(size <= sizeof c->cookie);
    memcpy(c->cookie, cookie, size);
    c->cookie_size = size;
}

static void
collect_recirc(void *aux, struct packet_batch *batch, uint32_t id)
{
    struct collector *c = aux;

    c->n_recirc++;
    c->recirc_id = id;
    packet_batch_destroy_all(&c->recirc);
    c->recirc = *batch;
    batch->count = 0;
}

static void
collect_ct(void *aux, struct packet_batch *batch,
           const struct dp_action_ct *ct)
{
    struct collector *c = aux;

    c->n_ct++;
    c->ct = *ct;
    for (size_t i = 0; i < batch->count; i++) {
        batch->packets[i]->md.ct_state = CS_TRACKED | CS_NEW;
        batch->packets[i]->md.ct_zone = ct->zone;
    }
}

static const struct dp_exec_ops collect_ops = {
    .output = collect_output,
    .upcall = collect_upcall,
    .recirculate = collect_recirc,
    .conntrack = collect_ct,
};

static void
collector_uninit(struct collector *c)
{
    for (size_t i = 0; i < c->n; i++) {
        packet_batch_destroy_all(&c->batches[i]);
    }
    packet_batch_destroy_all(&c->recirc);
}

/* Counts destroyed packets: a pool whose packets are ordinary ones. */
static size_t n_freed;

static void
count_free_packet(struct packet_pool *pool, struct packet *p)
{
    n_freed++;
    free(p->base);
    free(p);
}

static void
count_release_buffer(struct packet_pool *pool, struct packet *p)
{
    free(p->base);
}

static struct packet_pool counting_pool = {
    .free_packet = count_free_packet,
    .release_buffer = count_release_buffer,
};

static int
hexval(int c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static size_t
parse_hex(const char *s, uint8_t *buf, size_t max)
{
    size_t n = 0;

    while (s[0] && s[1] && s[0] != '\n') {
        assert_true(n < max);
        buf[n++] = hexval(s[0]) << 4 | hexval(s[1]);
        s += 2;
    }
    return n;
}

/* A packet from 'data' with offsets from flow_extract(). */
static struct packet *
make_packet(const uint8_t *data, size_t size, bool counted)
{
    struct packet *p = packet_clone_data(data, size);
    struct flow flow;

    flow_extract(p, &flow, NULL);
    if (counted) {
        p->pool = &counting_pool;
    }
    return p;
}

/* A 14+20+8+payload UDP/IPv4 packet of 'size' bytes. */
static struct packet *
udp_packet(size_t size)
{
    uint8_t buf[2048] = {
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44,
        0x55, 0x08, 0x00,
        0x45, 0x00, 0, 0, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0, 0,
        10, 0, 0, 1, 10, 0, 0, 2,
        0x13, 0x88, 0x00, 0x35, 0, 0, 0, 0,
    };
    uint16_t iplen = size - 14, udplen = size - 34;

    assert_true(size >= 42 && size <= sizeof buf);
    buf[16] = iplen >> 8;
    buf[17] = iplen;
    buf[38] = udplen >> 8;
    buf[39] = udplen;
    be16 c = packet_csum_ipv4_header(buf + 14);
    memcpy(buf + 24, &c, 2);
    return make_packet(buf, size, true);
}

/* Tests. */

static void
test_dp_actions_fixtures(void **state)
{
    FILE *file = fopen(fixtures_path, "r");
    char line[8192], name[128] = "";
    uint8_t in[2048], out[2048];
    size_t in_size = 0, out_size = 0;
    int n_fixtures = 0;

    assert_non_null(file);
    while (fgets(line, sizeof line, file)) {
        if (!strncmp(line, "fixture ", 8)) {
            snprintf(name, sizeof name, "%.100s", line + 8);
            name[strcspn(name, "\n")] = '\0';
        } else if (!strncmp(line, "in ", 3)) {
            in_size = parse_hex(line + 3, in, sizeof in);
        } else if (!strncmp(line, "out ", 4)) {
            out_size = parse_hex(line + 4, out, sizeof out);
        } else if (!strncmp(line, "end", 3)) {
            struct dp_actions_builder b;
            struct collector c = { 0 };
            struct packet_batch batch;
            bool partial = !strncmp(name, "partial_", 8);

            dp_actions_builder_init(&b);
            build_fixture_actions(name, &b);
            dp_actions_put_output(&b, 7);
            struct dp_actions *acts = dp_actions_builder_finish(&b);

            struct packet *p = make_packet(in, in_size, false);
            uint16_t l3 = p->l3_ofs, l4 = p->l4_ofs;
            if (partial) {
                p->csum = PACKET_CSUM_PARTIAL;
                p->csum_start = p->l4_ofs;
                p->csum_offset = 16;
            }
            packet_batch_init(&batch);
            packet_batch_add(&batch, p);
            dp_execute(&collect_ops, &c, &batch, dp_actions_get(acts),
                       acts->size);
            assert_int_equal(batch.count, 0);
            assert_int_equal(c.n, 1);
            assert_int_equal(c.batches[0].count, 1);
            assert_ptr_equal(c.batches[0].packets[0], p);   /* No copy. */

            int delta = (int) out_size - (int) in_size;  /* VLAN: +-4. */
            assert_int_equal(p->l2_ofs, 0);
            assert_int_equal(p->l3_ofs, l3 + delta);
            assert_int_equal(p->l4_ofs, l4 + delta);
            if (partial) {
                assert_int_equal(p->csum_start, p->l4_ofs);
                assert_int_equal(packet_csum_finish(p), 0);
            }
            if (p->size != out_size
                || memcmp(packet_data(p), out, out_size)) {
                for (size_t i = 0; i < MIN(p->size, out_size); i++) {
                    if (packet_data(p)[i] != out[i]) {
                        fail_msg("%s: byte %zu is %#x, scapy says %#x",
                                 name, i, packet_data(p)[i], out[i]);
                    }
                }
                fail_msg("%s: size %zu, scapy says %zu", name,
                         (size_t) p->size, out_size);
            }
            collector_uninit(&c);
            dp_actions_destroy(acts);
            n_fixtures++;
        }
    }
    fclose(file);
    assert_true(n_fixtures >= 19);
}

static void
test_dp_actions_format(void **state)
{
    struct dp_actions_builder b;

    dp_actions_builder_init(&b);
    assert_format(&b, "drop");

    dp_actions_builder_init(&b);
    dp_actions_put_push_vlan(&b, 0x8100, 10);
    struct dp_key_ipv4 k4 = { .src = ip4("10.0.0.1"), .ttl = 63 };
    struct dp_key_ipv4 m4 = { .src = ip4("255.255.255.255"), .ttl = 0xff };
    dp_actions_put_set_masked(&b, DP_SET_IPV4, &k4, &m4);
    dp_actions_put_output(&b, 2);
    assert_format(&b, "push_vlan(vid=10,pcp=0),"
                  "set(ipv4(src=10.0.0.1,ttl=63)),2");

    /* Masks: partial ones print as VALUE/MASK, zero ones not at all. */
    dp_actions_builder_init(&b);
    struct dp_key_ipv4 k = { .dst = ip4("10.1.0.0"), .tos = 0xb8 };
    struct dp_key_ipv4 m = { .dst = ip4("255.255.0.0"), .tos = 0xfc };
    dp_actions_put_set_masked(&b, DP_SET_IPV4, &k, &m);
    struct dp_key_l4 kl = { htonbe16(80), 0 }, ml = { htonbe16(0xffff), 0 };
    dp_actions_put_set_masked(&b, DP_SET_TCP, &kl, &ml);
    struct dp_key_eth ke = { .dst = mac("02:00:00:00:00:01") };
    struct dp_key_eth me = { .dst = mac("ff:ff:ff:ff:ff:ff") };
    dp_actions_put_set_masked(&b, DP_SET_ETH, &ke, &me);
    struct dp_key_meta km = { .pkt_mark = 5 }, mm = { .pkt_mark = 0xff };
    dp_actions_put_set_masked(&b, DP_SET_META, &km, &mm);
    dp_actions_put_pop_vlan(&b);
    assert_format(&b, "set(ipv4(dst=10.1.0.0/255.255.0.0,tos=0xb8/0xfc)),"
                  "set(tcp(src=80)),set(eth(dst=02:00:00:00:00:01)),"
                  "set(skb_mark(0x5/0xff)),pop_vlan");

    struct dp_key_ipv6 k6 = { .dst = ip6("fd00::1"), .hlimit = 9 };
    struct dp_key_ipv6 m6 = { .dst = ip6("ffff:ffff:ffff:ffff:ffff:ffff:"
                                         "ffff:ffff"), .hlimit = 0xff };
    dp_actions_builder_init(&b);
    dp_actions_put_set_masked(&b, DP_SET_IPV6, &k6, &m6);
    struct dp_key_arp ka = { .op = htonbe16(2) }, ma = { .op = 0xffff };
    dp_actions_put_set_masked(&b, DP_SET_ARP, &ka, &ma);
    struct dp_key_nd kn = { .tll = mac("02:00:00:00:00:09") };
    struct dp_key_nd mn = { .tll = mac("ff:ff:ff:ff:ff:ff") };
    dp_actions_put_set_masked(&b, DP_SET_ND, &kn, &mn);
    assert_format(&b, "set(ipv6(dst=fd00::1,hlimit=9)),set(arp(op=2)),"
                  "set(nd(tll=02:00:00:00:00:09))");

    /* Tunnel, with a Geneve option through the TLV map. */
    static const struct netdev_tunnel_tlv map[] = {
        { .opt_class = 0x0102, .type = 0x80, .len = 4, .slot = 0,
          .offset = 0 },
    };
    assert_int_equal(netdev_tunnel_set_tlv_map(map, 1), 0);
    struct flow_tnl tnl = { .tun_id = htonbe64(5),
                            .ip_dst = ip4("192.168.1.2"), .ip_ttl = 64,
                            .tp_dst = htonbe16(6081),
                            .flags = FLOW_TNL_F_KEY | FLOW_TNL_F_CSUM,
                            .present = 1 };
    memcpy(tnl.opts, "\xa0\x00\x00\x01", 4);
    dp_actions_builder_init(&b);
    dp_actions_put_set_tunnel(&b, &tnl);
    dp_actions_put_output(&b, 3);
    assert_format(&b, "set(tunnel(tun_id=0x5,dst=192.168.1.2,ttl=64,"
                  "tp_dst=6081,geneve({class=0x102,type=0x80,len=4,"
                  "0xa0000001}),flags(csum|key))),3");
    assert_int_equal(netdev_tunnel_set_tlv_map(NULL, 0), 0);

    /* Conntrack, recirculation, userspace, hash, truncate. */
    struct dp_action_ct ct = {
        .zone = 5, .flags = DP_CT_F_COMMIT | DP_CT_F_NAT,
        .mark = 1, .mark_mask = 0xff,
        .nat = { .flags = DP_NAT_F_SRC | DP_NAT_F_RANDOM,
                 .family = AF_INET, .proto_min = 1000, .proto_max = 2000 },
    };
    be32 lo = ip4("10.0.0.1"), hi = ip4("10.0.0.5");
    memcpy(&ct.nat.addr_min, &lo, 4);
    memcpy(&ct.nat.addr_max, &hi, 4);
    dp_actions_builder_init(&b);
    dp_actions_put_ct(&b, &ct);
    dp_actions_put_recirc(&b, 1);
    dp_actions_put_ct_clear(&b);
    dp_actions_put_userspace(&b, "\x01\x02\xff", 3, DP_USERSPACE_F_CONTINUE);
    dp_actions_put_userspace(&b, NULL, 0, 0);
    dp_actions_put_hash(&b, 0);
    dp_actions_put_truncate(&b, 100);
    dp_actions_put_drop(&b);
    assert_format(&b, "ct(commit,zone=5,mark=0x1/0xff,"
                  "nat(src=10.0.0.1-10.0.0.5:1000-2000,random)),"
                  "recirc(0x1),ct_clear,"
                  "userspace(pid=0,userdata(0102ff),continue),"
                  "userspace(pid=0),hash(l4(0)),trunc(100),drop");

    struct dp_action_ct ct2 = { .flags = DP_CT_F_FORCE | DP_CT_F_NAT,
                                .helper = "ftp",
                                .label = { 0, 1 },
                                .label_mask = { UINT64_MAX, UINT64_MAX } };
    dp_actions_builder_init(&b);
    dp_actions_put_ct(&b, &ct2);
    assert_format(&b, "ct(force_commit,label=0x0000000000000000"
                  "0000000000000001,helper=ftp,nat)");

    /* Nesting. */
    dp_actions_builder_init(&b);
    size_t t = dp_actions_start_clone(&b);
    dp_actions_put_pop_vlan(&b);
    dp_actions_put_output(&b, 2);
    dp_actions_end_nested(&b, t);
    t = dp_actions_start_check_pkt_len(&b, 200);
    dp_actions_put_output(&b, 4);
    dp_actions_check_pkt_len_else(&b, t);
    size_t t2 = dp_actions_start_clone(&b);
    dp_actions_put_output(&b, 5);
    dp_actions_end_nested(&b, t2);
    dp_actions_put_drop(&b);
    dp_actions_end_nested(&b, t);
    char *s = format_builder(&b);
    assert_string_equal(s, "clone(pop_vlan,2),check_pkt_len(size=200,gt(4),"
                        "le(clone(5),drop))");
    free(s);
    dp_actions_builder_uninit(&b);
}

/* Actions or nested lists too large to encode flag the builder (no
 * ASSERT) and finish as an empty list; sizes at the limit still work. */
static void
test_dp_actions_builder_overflow(void **state)
{
    static uint8_t cookie[70000];
    struct dp_actions_builder b;
    struct dp_actions *acts;

    (void) state;
    /* Huge userspace userdata. */
    dp_actions_builder_init(&b);
    dp_actions_put_output(&b, 1);
    assert_false(dp_actions_builder_error(&b));
    dp_actions_put_userspace(&b, cookie, 66000, 0);
    assert_true(dp_actions_builder_error(&b));
    acts = dp_actions_builder_finish(&b);
    assert_int_equal(acts->size, 0);
    dp_actions_destroy(acts);

    /* The largest userspace action that fits is fine. */
    dp_actions_builder_init(&b);
    dp_actions_put_userspace(&b, cookie, DP_ACTIONS_MAX_SIZE - 64, 0);
    assert_false(dp_actions_builder_error(&b));
    acts = dp_actions_builder_finish(&b);
    assert_true(acts->size > 0);
    assert_int_equal(dp_actions_validate(dp_actions_get(acts), acts->size),
                     0);
    dp_actions_destroy(acts);

    /* A clone around a huge flood: 10000 outputs of 8 bytes. */
    dp_actions_builder_init(&b);
    size_t t = dp_actions_start_clone(&b);
    for (uint32_t i = 0; i < 10000; i++) {
        dp_actions_put_output(&b, i);
    }
    dp_actions_end_nested(&b, t);
    assert_true(dp_actions_builder_error(&b));
    dp_actions_put_output(&b, 1);
    acts = dp_actions_builder_finish(&b);
    assert_int_equal(acts->size, 0);
    dp_actions_destroy(acts);

    /* A builder is usable again after init. */
    dp_actions_builder_init(&b);
    assert_false(dp_actions_builder_error(&b));
    dp_actions_put_output(&b, 3);
    acts = dp_actions_builder_finish(&b);
    assert_int_equal(acts->size, 8);
    dp_actions_destroy(acts);
}

static void
test_dp_actions_layout_and_validate(void **state)
{
    struct dp_actions_builder b;

    dp_actions_builder_init(&b);
    dp_actions_put_output(&b, 9);
    dp_actions_put_userspace(&b, "abc", 3, 0);
    assert_int_equal(b.size, 8 + 24);
    const struct dp_action *a = (const void *) b.data;
    assert_int_equal(a->type, DP_ACTION_OUTPUT);
    assert_int_equal(a->len, 8);
    assert_int_equal(dp_action_arg(a), 9);
    a = dp_action_next(a);
    assert_int_equal(a->type, DP_ACTION_USERSPACE);
    assert_int_equal(a->len % 8, 0);
    assert_int_equal(dp_actions_validate(b.data, b.size), 0);

    /* Malformed lists. */
    uint8_t bad[64] __attribute__((aligned(8)));
    memcpy(bad, b.data, b.size);
    struct dp_action *h = (void *) bad;
    assert_int_equal(dp_actions_validate(bad, 4), -EINVAL);   /* Short. */
    h->len = 12;                                              /* Unaligned. */
    assert_int_equal(dp_actions_validate(bad, b.size), -EINVAL);
    h->len = 0;                                               /* Zero len. */
    assert_int_equal(dp_actions_validate(bad, b.size), -EINVAL);
    h->len = 8;
    h->type = DP_ACTION_N_TYPES;                              /* Type. */
    assert_int_equal(dp_actions_validate(bad, b.size), -EINVAL);
    h->type = DP_ACTION_OUTPUT;
    h->len = 64;                                              /* Past end. */
    assert_int_equal(dp_actions_validate(bad, b.size), -EINVAL);
    h->len = 8;
    struct dp_action_userspace *u = (void *) (bad + 16);
    u->cookie_size = 100;                                     /* Cookie. */
    assert_int_equal(dp_actions_validate(bad, b.size), -EINVAL);
    dp_actions_builder_uninit(&b);

    /* A SET_MASKED of an unknown field, a CHECK_PKT_LEN whose lists
     * overrun. */
    dp_actions_builder_init(&b);
    size_t t = dp_actions_start_check_pkt_len(&b, 10);
    dp_actions_put_output(&b, 1);
    dp_actions_check_pkt_len_else(&b, t);
    dp_actions_end_nested(&b, t);
    assert_int_equal(dp_actions_validate(b.data, b.size), 0);
    ((struct dp_action_check_pkt_len *) (void *) (b.data + 8))->gt_size = 64;
    assert_int_equal(dp_actions_validate(b.data, b.size), -EINVAL);
    dp_actions_builder_uninit(&b);
}

/* Runs 'b' over 'n' packets of 'sizes', collecting into 'c'. */
static struct packet_batch
run(struct dp_actions_builder *b, struct collector *c, const size_t *sizes,
    size_t n, const struct dp_exec_ops *ops)
{
    struct dp_actions *acts = dp_actions_builder_finish(b);
    struct packet_batch batch, orig;

    assert_int_equal(dp_actions_validate(acts->data, acts->size), 0);
    packet_batch_init(&batch);
    for (size_t i = 0; i < n; i++) {
        packet_batch_add(&batch, udp_packet(sizes[i]));
    }
    orig = batch;
    dp_execute(ops, c, &batch, dp_actions_get(acts), acts->size);
    assert_int_equal(batch.count, 0);
    dp_actions_destroy(acts);
    return orig;
}

static void
test_dp_execute_output_clones_only_when_needed(void **state)
{
    static const size_t sizes[] = { 100, 200, 300 };
    struct dp_actions_builder b;
    struct collector c = { 0 };

    /* 1,2,3: two copies, the last output gets the originals. */
    dp_actions_builder_init(&b);
    dp_actions_put_output(&b, 1);
    dp_actions_put_output(&b, 2);
    dp_actions_put_output(&b, 3);
    struct packet_batch orig = run(&b, &c, sizes, 3, &collect_ops);
    assert_int_equal(c.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(c.ports[i], i + 1);
        assert_int_equal(c.batches[i].count, 3);
        for (size_t j = 0; j < 3; j++) {
            struct packet *p = c.batches[i].packets[j];

            assert_int_equal(p->size, sizes[j]);
            if (i == 2) {
                assert_ptr_equal(p, orig.packets[j]);
            } else {
                assert_ptr_not_equal(p, orig.packets[j]);
            }
        }
    }
    collector_uninit(&c);

    /* 2,set(ttl),3: port 2 sees the old TTL, port 3 (the originals) the
     * new one; an action after the last consumer is skipped. */
    memset(&c, 0, sizeof c);
    dp_actions_builder_init(&b);
    dp_actions_put_output(&b, 2);
    struct dp_key_ipv4 k = { .ttl = 9 }, m = { .ttl = 0xff };
    dp_actions_put_set_masked(&b, DP_SET_IPV4, &k, &m);
    dp_actions_put_output(&b, 3);
    dp_actions_put_pop_vlan(&b);
    orig = run(&b, &c, sizes, 1, &collect_ops);
    assert_int_equal(c.n, 2);
    assert_int_equal(packet_data(c.batches[0].packets[0])[22], 64);
    assert_int_equal(packet_data(c.batches[1].packets[0])[22], 9);
    assert_ptr_equal(c.batches[1].packets[0], orig.packets[0]);
    collector_uninit(&c);
}

static void
test_dp_execute_drop_destroys(void **state)
{
    static const size_t sizes[] = { 64, 64, 64, 64 };
    struct dp_actions_builder b;
    struct collector c = { 0 };

    n_freed = 0;
    dp_actions_builder_init(&b);
    dp_actions_put_drop(&b);
    run(&b, &c, sizes, 4, &collect_ops);
    assert_int_equal(n_freed, 4);
    assert_int_equal(c.n, 0);

    /* An empty list drops too, and so does a list with no consumer. */
    n_freed = 0;
    dp_actions_builder_init(&b);
    run(&b, &c, sizes, 2, &collect_ops);
    assert_int_equal(n_freed, 2);
    n_freed = 0;
    dp_actions_builder_init(&b);
    dp_actions_put_hash(&b, 1);
    run(&b, &c, sizes, 3, &collect_ops);
    assert_int_equal(n_freed, 3);
}

static void
test_dp_execute_userspace_recirc_ct(void **state)
{
    static const size_t sizes[] = { 64, 80 };
    struct dp_actions_builder b;
    struct collector c = { 0 };

    /* USERSPACE with continue, CT, RECIRC. */
    dp_actions_builder_init(&b);
    dp_actions_put_userspace(&b, "\x07\x08", 2, DP_USERSPACE_F_CONTINUE);
    struct dp_action_ct ct = { .zone = 7, .flags = DP_CT_F_COMMIT };
    dp_actions_put_ct(&b, &ct);
    dp_actions_put_recirc(&b, 0x42);
    struct packet_batch orig = run(&b, &c, sizes, 2, &collect_ops);
    assert_int_equal(c.n_upcalls, 2);
    assert_ptr_equal(c.upcalled[0], orig.packets[0]);
    assert_int_equal(c.cookie_size, 2);
    assert_memory_equal(c.cookie, "\x07\x08", 2);
    assert_int_equal(c.n_ct, 1);
    assert_int_equal(c.ct.zone, 7);
    assert_int_equal(c.ct.flags, DP_CT_F_COMMIT);
    assert_int_equal(c.n_recirc, 1);
    assert_int_equal(c.recirc_id, 0x42);
    assert_int_equal(c.recirc.count, 2);
    assert_ptr_equal(c.recirc.packets[1], orig.packets[1]);
    assert_int_equal(c.recirc.packets[0]->md.recirc_id, 0x42);
    assert_int_equal(c.recirc.packets[0]->md.ct_state, CS_TRACKED | CS_NEW);
    assert_int_equal(c.recirc.packets[0]->md.ct_zone, 7);
    collector_uninit(&c);

    /* USERSPACE without continue consumes: nothing reaches port 1. */
    memset(&c, 0, sizeof c);
    n_freed = 0;
    dp_actions_builder_init(&b);
    dp_actions_put_userspace(&b, "x", 1, 0);
    dp_actions_put_output(&b, 1);
    run(&b, &c, sizes, 2, &collect_ops);
    assert_int_equal(c.n_upcalls, 2);
    assert_int_equal(c.n, 0);
    assert_int_equal(n_freed, 2);

    /* No conntrack: trk|inv; then ct_clear clears it. */
    static const struct dp_exec_ops no_ct_ops = {
        .output = collect_output,
    };
    memset(&c, 0, sizeof c);
    dp_actions_builder_init(&b);
    dp_actions_put_ct(&b, &ct);
    dp_actions_put_output(&b, 1);
    dp_actions_put_ct_clear(&b);
    dp_actions_put_output(&b, 2);
    run(&b, &c, sizes, 1, &no_ct_ops);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.batches[0].packets[0]->md.ct_state,
                     CS_TRACKED | CS_INVALID);
    assert_int_equal(c.batches[1].packets[0]->md.ct_state, 0);
    collector_uninit(&c);

    /* No recirculate callback: RECIRC drops. */
    memset(&c, 0, sizeof c);
    n_freed = 0;
    dp_actions_builder_init(&b);
    dp_actions_put_recirc(&b, 1);
    run(&b, &c, sizes, 2, &no_ct_ops);
    assert_int_equal(n_freed, 2);
}

static void
test_dp_execute_clone_truncate_check_pkt_len(void **state)
{
    static const size_t sizes[] = { 60, 300, 100, 101 };
    struct dp_actions_builder b;
    struct collector c = { 0 };

    /* clone(set(ttl=1),2),trunc(64),3,4 */
    dp_actions_builder_init(&b);
    size_t t = dp_actions_start_clone(&b);
    struct dp_key_ipv4 k = { .ttl = 1 }, m = { .ttl = 0xff };
    dp_actions_put_set_masked(&b, DP_SET_IPV4, &k, &m);
    dp_actions_put_output(&b, 2);
    dp_actions_end_nested(&b, t);
    dp_actions_put_truncate(&b, 64);
    dp_actions_put_output(&b, 3);
    dp_actions_put_output(&b, 4);
    struct packet_batch orig = run(&b, &c, sizes, 2, &collect_ops);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.ports[0], 2);
    assert_int_equal(packet_data(c.batches[0].packets[1])[22], 1);
    assert_ptr_not_equal(c.batches[0].packets[1], orig.packets[1]);
    assert_int_equal(c.ports[1], 3);
    assert_int_equal(c.batches[1].packets[0]->size, 60);
    assert_int_equal(c.batches[1].packets[1]->size, 64);
    assert_int_equal(c.ports[2], 4);
    assert_ptr_equal(c.batches[2].packets[1], orig.packets[1]);
    assert_int_equal(c.batches[2].packets[1]->size, 300);
    assert_int_equal(packet_data(c.batches[2].packets[1])[22], 64);
    collector_uninit(&c);

    /* check_pkt_len(size=100,gt(5),le(6)): split, originals, no copy. */
    memset(&c, 0, sizeof c);
    dp_actions_builder_init(&b);
    t = dp_actions_start_check_pkt_len(&b, 100);
    dp_actions_put_output(&b, 5);
    dp_actions_check_pkt_len_else(&b, t);
    dp_actions_put_output(&b, 6);
    dp_actions_end_nested(&b, t);
    orig = run(&b, &c, sizes, 4, &collect_ops);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.ports[0], 5);
    assert_int_equal(c.batches[0].count, 2);
    assert_ptr_equal(c.batches[0].packets[0], orig.packets[1]);
    assert_ptr_equal(c.batches[0].packets[1], orig.packets[3]);
    assert_int_equal(c.ports[1], 6);
    assert_int_equal(c.batches[1].count, 2);
    assert_ptr_equal(c.batches[1].packets[0], orig.packets[0]);
    assert_ptr_equal(c.batches[1].packets[1], orig.packets[2]);
    collector_uninit(&c);
}

static void
test_dp_execute_hash_and_tunnel_and_meta(void **state)
{
    static const size_t sizes[] = { 90 };
    struct dp_actions_builder b;
    struct collector c = { 0 };
    struct flow_tnl tnl = { .tun_id = htonbe64(0x77),
                            .ip_dst = ip4("10.99.0.2"), .ip_ttl = 33 };

    dp_actions_builder_init(&b);
    dp_actions_put_hash(&b, 12345);
    dp_actions_put_set_tunnel(&b, &tnl);
    struct dp_key_meta k = { .pkt_mark = 0xab, .skb_priority = 3 };
    struct dp_key_meta m = { .pkt_mark = 0xff, .skb_priority = UINT32_MAX };
    dp_actions_put_set_masked(&b, DP_SET_META, &k, &m);
    dp_actions_put_output(&b, 1);
    run(&b, &c, sizes, 1, &collect_ops);
    assert_int_equal(c.n, 1);

    struct packet *p = c.batches[0].packets[0];
    struct flow flow;
    flow_extract(p, &flow, NULL);
    assert_int_equal(p->md.dp_hash, flow_hash_5tuple(&flow, 12345));
    assert_memory_equal(&p->md.tunnel, &tnl, sizeof tnl);
    assert_int_equal(p->md.pkt_mark, 0xab);
    assert_int_equal(p->md.skb_priority, 3);
    collector_uninit(&c);
}

/* PUSH_MPLS, SET_MASKED(MPLS) and POP_MPLS: the label stack entry goes
 * between the L2 header and the IP header and the Ethertype follows;
 * flow extraction reads the top entry back; a pop restores the packet's
 * bytes. */
static void
test_dp_execute_mpls(void **state)
{
    static const size_t sizes[] = { 100 };
    struct dp_actions_builder b;
    struct collector c = { 0 };
    uint32_t lse = 100u << MPLS_LABEL_SHIFT | MPLS_BOS_MASK | 64;

    dp_actions_builder_init(&b);
    dp_actions_put_push_mpls(&b, 0x8847, htonbe32(lse));
    dp_actions_put_output(&b, 1);
    struct dp_key_mpls k = { .lse = htonbe32(203u << MPLS_LABEL_SHIFT) };
    struct dp_key_mpls m = { .lse = htonbe32(MPLS_LABEL_MASK) };
    dp_actions_put_set_masked(&b, DP_SET_MPLS, &k, &m);
    dp_actions_put_output(&b, 2);
    dp_actions_put_pop_mpls(&b, 0x0800);
    dp_actions_put_output(&b, 3);
    char *s = format_builder(&b);
    assert_string_equal(s, "push_mpls(label=100,tc=0,ttl=64,bos=1,"
                        "eth_type=0x8847),1,set(mpls(label=203)),2,"
                        "pop_mpls(eth_type=0x800),3");
    free(s);

    struct packet *ref = udp_packet(100);
    struct packet_batch orig = run(&b, &c, sizes, 1, &collect_ops);
    assert_int_equal(c.n, 3);

    const uint8_t *d = packet_data(c.batches[0].packets[0]);
    assert_int_equal(c.batches[0].packets[0]->size, 104);
    assert_memory_equal(d, packet_data(ref), 12);
    assert_int_equal(d[12], 0x88);
    assert_int_equal(d[13], 0x47);
    assert_int_equal(d[14] << 24 | d[15] << 16 | d[16] << 8 | d[17], lse);
    assert_memory_equal(d + 18, packet_data(ref) + 14, 86);
    struct flow flow;
    assert_int_equal(flow_extract(c.batches[0].packets[0], &flow, NULL),
                     FLOW_EXTRACT_OK);
    assert_int_equal(be16_to_host(flow.dl_type), 0x8847);
    assert_int_equal(be32_to_host(flow.mpls_lse), lse);
    assert_int_equal(flow.nw_src, 0);      /* Nothing read past the label. */

    d = packet_data(c.batches[1].packets[0]);
    uint32_t lse2 = (lse & ~MPLS_LABEL_MASK) | 203u << MPLS_LABEL_SHIFT;
    assert_int_equal(d[14] << 24 | d[15] << 16 | d[16] << 8 | d[17], lse2);

    struct packet *p = c.batches[2].packets[0];
    assert_ptr_equal(p, orig.packets[0]);
    assert_int_equal(p->size, 100);
    assert_memory_equal(packet_data(p), packet_data(ref), 100);
    assert_int_equal(p->l3_ofs, 14);
    packet_destroy(ref);
    collector_uninit(&c);
}

/* SET_MASKED(ICMP): type and code of an ICMPv4 echo, the ICMP checksum
 * updated to what a full computation gives. */
static void
test_dp_execute_set_icmp(void **state)
{
    uint8_t buf[50] = {
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44,
        0x55, 0x08, 0x00,
        0x45, 0x00, 0x00, 36, 0x00, 0x01, 0x00, 0x00, 0x40, 0x01, 0, 0,
        10, 0, 0, 1, 10, 0, 0, 2,
        8, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, 'k', 'i', 'l', 'n', 'i', 'c',
        'm', 'p',
    };
    be16 c = packet_csum_ipv4_header(buf + 14);
    memcpy(buf + 24, &c, 2);
    c = packet_csum_fold(packet_csum_add(0, buf + 34, 16));
    memcpy(buf + 36, &c, 2);

    struct dp_actions_builder b;
    dp_actions_builder_init(&b);
    struct dp_key_icmp k = { .type = 0, .code = 10 };
    struct dp_key_icmp m = { .type = 0xff, .code = 0xff };
    dp_actions_put_set_masked(&b, DP_SET_ICMP, &k, &m);
    char *s = format_builder(&b);
    assert_string_equal(s, "set(icmp(type=0,code=10))");
    free(s);
    struct dp_actions *acts = dp_actions_builder_finish(&b);
    struct packet *p = make_packet(buf, sizeof buf, false);
    dp_execute_set_masked(p, dp_actions_get(acts));
    const uint8_t *d = packet_data(p);
    assert_int_equal(d[34], 0);
    assert_int_equal(d[35], 10);
    uint8_t icmp[16];
    memcpy(icmp, d + 34, 16);
    memset(icmp + 2, 0, 2);
    c = packet_csum_fold(packet_csum_add(0, icmp, 16));
    assert_memory_equal(d + 36, &c, 2);
    /* Not ICMP: untouched. */
    struct packet *u = udp_packet(64);
    uint8_t before[64];
    memcpy(before, packet_data(u), 64);
    dp_execute_set_masked(u, dp_actions_get(acts));
    assert_memory_equal(packet_data(u), before, 64);
    packet_destroy(u);
    packet_destroy(p);
    dp_actions_destroy(acts);
}

static void
test_dp_execute_crc32c(void **state)
{
    /* RFC 3720 B.4: 32 bytes of zeros. */
    uint8_t zeros[32] = { 0 };

    assert_int_equal(dp_execute_crc32c(zeros, 32), 0x8a9136aa);
    assert_int_equal(dp_execute_crc32c("123456789", 9), 0xe3069283);
}

int
main(int argc, char *argv[])
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dp_actions_fixtures),
        cmocka_unit_test(test_dp_actions_format),
        cmocka_unit_test(test_dp_actions_layout_and_validate),
        cmocka_unit_test(test_dp_actions_builder_overflow),
        cmocka_unit_test(test_dp_execute_output_clones_only_when_needed),
        cmocka_unit_test(test_dp_execute_drop_destroys),
        cmocka_unit_test(test_dp_execute_userspace_recirc_ct),
        cmocka_unit_test(test_dp_execute_clone_truncate_check_pkt_len),
        cmocka_unit_test(test_dp_execute_hash_and_tunnel_and_meta),
        cmocka_unit_test(test_dp_execute_crc32c),
        cmocka_unit_test(test_dp_execute_mpls),
        cmocka_unit_test(test_dp_execute_set_icmp),
    };

    /* The fixtures file: the argument, else the source tree's. */
    fixtures_path = argc > 1 ? argv[1]
                            : TEST_UNIT_SRCDIR "/dp-actions-fixtures.txt";
    return cmocka_run_group_tests(tests, NULL, NULL);
}
