/* Unit tests for datapath/netdev-stt.c: STT encapsulation into segments,
 * segment parsing, reassembly (order, duplicates, timeouts, eviction),
 * decapsulation with offloads and VLAN, malformed input, and one frame
 * through an "stt" netdev over loopback. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "datapath/netdev-stt.h"
#include "datapath/netdev.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "lib/strmap.h"
#include "lib/util.h"

#define SRC_IP 0x0a630001       /* 10.99.0.1 */
#define DST_IP 0x0a630002       /* 10.99.0.2 */

/* An Ethernet frame of 'size' bytes: IPv4 EtherType, a pattern after. */
static struct packet *
make_frame(size_t size)
{
    struct packet *p = packet_create(size, PACKET_HEADROOM);
    uint8_t *d = packet_put_uninit(p, size);

    for (size_t i = 0; i < size; i++) {
        d[i] = (uint8_t) (i * 7 + 3);
    }
    memset(d, 0xff, 6);
    d[12] = 0x08;
    d[13] = 0x00;
    return p;
}

static void
default_params(struct netdev_stt_encap_params *prm, size_t max_payload)
{
    memset(prm, 0, sizeof *prm);
    prm->key = htonbe64(UINT64_C(0x1122334455667788));
    prm->ip_src = htonbe32(SRC_IP);
    prm->ip_dst = htonbe32(DST_IP);
    prm->src_port = 50000;
    prm->dst_port = NETDEV_STT_PORT;
    prm->frame_id = 0xabcd0001;
    prm->max_payload = max_payload;
}

/* Builds in 'buf' the IPv4 datagram the kernel would send for segment 's'
 * of 'tx' (outer header with TTL 64); returns its size. */
static size_t
segment_datagram(const struct netdev_stt_tx *tx, size_t s, uint8_t *buf)
{
    size_t n = 20;

    for (size_t i = 0; i < tx->seg_n_iov[s]; i++) {
        const struct iovec *v = &tx->iovs[tx->seg_iov[s] + i];

        memcpy(buf + n, v->iov_base, v->iov_len);
        n += v->iov_len;
    }
    memset(buf, 0, 20);
    buf[0] = 0x45;
    buf[2] = n >> 8;
    buf[3] = n;
    buf[6] = 0x40;              /* DF. */
    buf[8] = 64;
    buf[9] = IPPROTO_TCP;
    uint32_t src = htonl(SRC_IP), dst = htonl(DST_IP);
    memcpy(buf + 12, &src, 4);
    memcpy(buf + 16, &dst, 4);
    be16 c = packet_csum_ipv4_header(buf);
    memcpy(buf + 10, &c, 2);
    return n;
}

static uint8_t dgrams[NETDEV_STT_MAX_SEGS][2048];
static size_t dgram_sizes[NETDEV_STT_MAX_SEGS];

/* Encapsulates 'p' with 'max_payload' into dgrams[]; returns the number
 * of segments. */
static int
encap_to_dgrams(const struct packet *p, size_t max_payload, uint32_t id)
{
    static struct netdev_stt_tx tx;
    struct netdev_stt_encap_params prm;

    default_params(&prm, max_payload);
    prm.frame_id = id;
    netdev_stt_tx_init(&tx);
    int n = netdev_stt_encap(&tx, p, &prm);
    assert_true(n > 0);
    assert_int_equal(tx.n_segs, (size_t) n);
    for (int i = 0; i < n; i++) {
        dgram_sizes[i] = segment_datagram(&tx, i, dgrams[i]);
        assert_true(dgram_sizes[i] <= 20 + 20 + max_payload);
    }
    return n;
}

static void
assert_same_frame(const struct packet *a, const struct packet *b)
{
    assert_int_equal(a->size, b->size);
    assert_memory_equal(packet_data(a), packet_data(b), a->size);
}

/* A small frame: one segment whose headers say what the draft says. */
static void
test_encap_single_segment(void **state)
{
    struct packet *p = make_frame(100);
    struct netdev_stt_reasm *r = netdev_stt_reasm_create();
    struct netdev_stt_seg seg;
    const uint8_t *frame;

    (void) state;
    assert_int_equal(encap_to_dgrams(p, 1460, 0xabcd0001), 1);
    assert_int_equal(dgram_sizes[0], 20 + 20 + 18 + 100);

    const uint8_t *tcp = dgrams[0] + 20;
    assert_int_equal(tcp[0] << 8 | tcp[1], 50000);
    assert_int_equal(tcp[2] << 8 | tcp[3], 7471);
    /* Sequence: frame length in the upper 16 bits, offset 0 below. */
    assert_int_equal(tcp[4] << 8 | tcp[5], 118);
    assert_int_equal(tcp[6] << 8 | tcp[7], 0);
    /* Acknowledgment: the frame id. */
    assert_int_equal(tcp[8], 0xab);
    assert_int_equal(tcp[11], 0x01);
    assert_int_equal(tcp[12], 0x50);            /* 20-byte header. */
    assert_int_equal(tcp[13], 0x18);            /* ACK, PSH. */
    /* STT header: version 0, no flags, context id. */
    const uint8_t *stt = tcp + 20;
    assert_int_equal(stt[0], 0);
    assert_int_equal(stt[1], 0);
    assert_int_equal(stt[8], 0x11);
    assert_int_equal(stt[15], 0x88);

    assert_int_equal(netdev_stt_parse_segment(dgrams[0], dgram_sizes[0],
                                              7471, &seg), 0);
    assert_int_equal(seg.frame_len, 118);
    assert_int_equal(seg.offset, 0);
    assert_int_equal(seg.frame_id, 0xabcd0001);
    assert_int_equal(netdev_stt_reasm_add(r, &seg, 0, &frame), 118);
    assert_ptr_equal(frame, seg.data);         /* Not copied. */

    struct packet *q = netdev_stt_decap(frame, 118, &seg);
    assert_non_null(q);
    assert_same_frame(p, q);
    assert_int_equal(be64_to_host(q->md.tunnel.tun_id),
                     UINT64_C(0x1122334455667788));
    assert_int_equal(be32_to_host(q->md.tunnel.ip_src), SRC_IP);
    assert_int_equal(be32_to_host(q->md.tunnel.ip_dst), DST_IP);
    assert_int_equal(q->md.tunnel.ip_ttl, 64);
    assert_int_equal(be16_to_host(q->md.tunnel.tp_dst), 7471);
    assert_int_equal(be16_to_host(q->md.tunnel.tp_src), 50000);
    assert_true(q->md.tunnel.flags & FLOW_TNL_F_KEY);
    assert_true(q->md.tunnel.flags & FLOW_TNL_F_CSUM);
    assert_int_equal(q->csum, PACKET_CSUM_NONE);
    assert_int_equal(q->gso, PACKET_GSO_NONE);
    packet_destroy(q);
    packet_destroy(p);
    netdev_stt_reasm_destroy(r);
}

/* An 8000-byte frame in segments of 1456 bytes, delivered out of order,
 * comes back whole only when the last piece is in. */
static void
test_segment_and_reassemble(void **state)
{
    struct packet *p = make_frame(8000);
    struct netdev_stt_reasm *r = netdev_stt_reasm_create();
    struct netdev_stt_reasm_stats st;
    const uint8_t *frame = NULL;

    (void) state;
    int n = encap_to_dgrams(p, 1460, 7);
    assert_int_equal(n, 6);     /* 8018 bytes / 1456. */
    static const int order[] = { 3, 0, 5, 1, 4, 2 };
    for (int k = 0; k < n; k++) {
        struct netdev_stt_seg seg;
        int i = order[k];

        assert_int_equal(netdev_stt_parse_segment(dgrams[i], dgram_sizes[i],
                                                  7471, &seg), 0);
        assert_int_equal(seg.offset, i * 1456);
        assert_int_equal(seg.frame_len, 8018);
        int len = netdev_stt_reasm_add(r, &seg, 10 + k, &frame);
        if (k < n - 1) {
            assert_int_equal(len, 0);
            /* A duplicate brings nothing and is refused. */
            if (k == 2) {
                assert_int_equal(netdev_stt_reasm_add(r, &seg, 10, &frame),
                                 -EINVAL);
            }
        } else {
            assert_int_equal(len, 8018);
            struct packet *q = netdev_stt_decap(frame, len, &seg);
            assert_non_null(q);
            assert_same_frame(p, q);
            packet_destroy(q);
        }
    }
    netdev_stt_reasm_get_stats(r, &st);
    assert_int_equal(st.frames, 1);
    assert_int_equal(st.bad, 1);
    assert_int_equal(st.timeouts, 0);
    packet_destroy(p);
    netdev_stt_reasm_destroy(r);
}

/* Two frames interleaved (different ids) both complete. */
static void
test_interleaved_frames(void **state)
{
    struct packet *a = make_frame(3000), *b = make_frame(2500);
    static uint8_t da[8][2048], db[8][2048];
    size_t sa[8], sb[8];
    struct netdev_stt_reasm *r = netdev_stt_reasm_create();
    const uint8_t *frame;
    int done = 0;

    (void) state;
    int na = encap_to_dgrams(a, 1000, 1);
    for (int i = 0; i < na; i++) {
        memcpy(da[i], dgrams[i], dgram_sizes[i]);
        sa[i] = dgram_sizes[i];
    }
    int nb = encap_to_dgrams(b, 1000, 2);
    for (int i = 0; i < nb; i++) {
        memcpy(db[i], dgrams[i], dgram_sizes[i]);
        sb[i] = dgram_sizes[i];
    }
    for (int i = 0; i < MAX(na, nb); i++) {
        struct netdev_stt_seg seg;

        if (i < na) {
            assert_int_equal(netdev_stt_parse_segment(da[i], sa[i], 7471,
                                                      &seg), 0);
            if (netdev_stt_reasm_add(r, &seg, 0, &frame) == 3018) {
                struct packet *q = netdev_stt_decap(frame, 3018, &seg);
                assert_same_frame(a, q);
                packet_destroy(q);
                done++;
            }
        }
        if (i < nb) {
            assert_int_equal(netdev_stt_parse_segment(db[i], sb[i], 7471,
                                                      &seg), 0);
            if (netdev_stt_reasm_add(r, &seg, 0, &frame) == 2518) {
                struct packet *q = netdev_stt_decap(frame, 2518, &seg);
                assert_same_frame(b, q);
                packet_destroy(q);
                done++;
            }
        }
    }
    assert_int_equal(done, 2);
    packet_destroy(a);
    packet_destroy(b);
    netdev_stt_reasm_destroy(r);
}

/* A frame whose pieces come too late is dropped; a full table evicts. */
static void
test_timeout_and_eviction(void **state)
{
    struct packet *p = make_frame(3000);
    struct netdev_stt_reasm *r = netdev_stt_reasm_create();
    struct netdev_stt_reasm_stats st;
    struct netdev_stt_seg seg;
    const uint8_t *frame;

    (void) state;
    int n = encap_to_dgrams(p, 1460, 9);
    assert_int_equal(n, 3);
    assert_int_equal(netdev_stt_parse_segment(dgrams[0], dgram_sizes[0],
                                              7471, &seg), 0);
    assert_int_equal(netdev_stt_reasm_add(r, &seg, 1000, &frame), 0);
    for (int i = 1; i < n; i++) {
        assert_int_equal(netdev_stt_parse_segment(dgrams[i], dgram_sizes[i],
                                                  7471, &seg), 0);
        /* After the timeout the first piece is gone: never complete. */
        assert_int_equal(netdev_stt_reasm_add(
                             r, &seg, 1000 + NETDEV_STT_REASM_TIMEOUT_MS + i,
                             &frame), 0);
    }
    netdev_stt_reasm_get_stats(r, &st);
    assert_int_equal(st.timeouts, 1);
    assert_int_equal(st.frames, 0);
    netdev_stt_reasm_expire(r, 100000);
    netdev_stt_reasm_get_stats(r, &st);
    assert_int_equal(st.timeouts, 2);

    /* One more frame begun than there are slots: the oldest goes. */
    for (uint32_t id = 0; id <= NETDEV_STT_REASM_SLOTS; id++) {
        encap_to_dgrams(p, 1460, 100 + id);
        assert_int_equal(netdev_stt_parse_segment(dgrams[0], dgram_sizes[0],
                                                  7471, &seg), 0);
        assert_int_equal(netdev_stt_reasm_add(r, &seg, 200000 + id, &frame),
                         0);
    }
    netdev_stt_reasm_get_stats(r, &st);
    assert_int_equal(st.evicted, 1);
    /* The evicted frame (id 100) cannot complete; the last one can. */
    encap_to_dgrams(p, 1460, 100);
    for (int i = 1; i < n; i++) {
        assert_int_equal(netdev_stt_parse_segment(dgrams[i], dgram_sizes[i],
                                                  7471, &seg), 0);
        assert_true(netdev_stt_reasm_add(r, &seg, 200100, &frame) <= 0);
    }
    encap_to_dgrams(p, 1460, 100 + NETDEV_STT_REASM_SLOTS);
    int len = 0;
    for (int i = 1; i < n; i++) {
        assert_int_equal(netdev_stt_parse_segment(dgrams[i], dgram_sizes[i],
                                                  7471, &seg), 0);
        len = netdev_stt_reasm_add(r, &seg, 200100, &frame);
    }
    assert_int_equal(len, 3018);
    packet_destroy(p);
    netdev_stt_reasm_destroy(r);
}

/* Malformed segments and frames are refused, never read past. */
static void
test_malformed(void **state)
{
    struct packet *p = make_frame(3000);
    struct netdev_stt_reasm *r = netdev_stt_reasm_create();
    struct netdev_stt_seg seg;
    const uint8_t *frame;
    uint8_t buf[2048];

    (void) state;
    int n = encap_to_dgrams(p, 1460, 5);
    assert_int_equal(n, 3);
    size_t sz = dgram_sizes[0];

    /* Truncated anywhere. */
    for (size_t cut = 0; cut < 60; cut++) {
        assert_int_equal(netdev_stt_parse_segment(dgrams[0], cut, 7471, &seg),
                         -EINVAL);
    }
    /* Another port. */
    assert_int_equal(netdev_stt_parse_segment(dgrams[0], sz, 7472, &seg),
                     -EINVAL);
    /* A flipped payload bit: bad TCP checksum. */
    memcpy(buf, dgrams[0], sz);
    buf[100] ^= 1;
    assert_int_equal(netdev_stt_parse_segment(buf, sz, 7471, &seg), -EINVAL);
    /* Not IPv4, not TCP, a fragment. */
    memcpy(buf, dgrams[0], sz);
    buf[0] = 0x65;
    assert_int_equal(netdev_stt_parse_segment(buf, sz, 7471, &seg), -EINVAL);
    memcpy(buf, dgrams[0], sz);
    buf[9] = IPPROTO_UDP;
    assert_int_equal(netdev_stt_parse_segment(buf, sz, 7471, &seg), -EINVAL);
    memcpy(buf, dgrams[0], sz);
    buf[6] |= 0x20;             /* More fragments. */
    assert_int_equal(netdev_stt_parse_segment(buf, sz, 7471, &seg), -EINVAL);
    /* IP total length beyond what was read. */
    memcpy(buf, dgrams[0], sz);
    buf[2] = 0xff;
    assert_int_equal(netdev_stt_parse_segment(buf, sz, 7471, &seg), -EINVAL);

    /* Offset + size beyond the frame length: the last segment with its
     * offset moved on (checksum fixed up, so only the range is wrong). */
    memcpy(buf, dgrams[2], dgram_sizes[2]);
    uint8_t *tcp = buf + 20;
    be16 old_ofs, new_ofs;
    memcpy(&old_ofs, tcp + 6, 2);
    new_ofs = htonbe16(be16_to_host(old_ofs) + 1000);
    memcpy(tcp + 6, &new_ofs, 2);
    be16 c;
    memcpy(&c, tcp + 16, 2);
    c = packet_csum_update16(c, old_ofs, new_ofs);
    memcpy(tcp + 16, &c, 2);
    assert_int_equal(netdev_stt_parse_segment(buf, dgram_sizes[2], 7471,
                                              &seg), -EINVAL);
    /* The same segment with only its checksum fixed back is fine. */
    memcpy(buf, dgrams[2], dgram_sizes[2]);
    assert_int_equal(netdev_stt_parse_segment(buf, dgram_sizes[2], 7471,
                                              &seg), 0);

    /* Segments of one frame id that disagree on the length. */
    assert_int_equal(netdev_stt_parse_segment(dgrams[0], sz, 7471, &seg), 0);
    assert_int_equal(netdev_stt_reasm_add(r, &seg, 0, &frame), 0);
    seg.frame_len -= 2;
    seg.offset = 1456;
    assert_int_equal(netdev_stt_reasm_add(r, &seg, 0, &frame), -EINVAL);
    struct netdev_stt_reasm_stats st;
    netdev_stt_reasm_get_stats(r, &st);
    assert_int_equal(st.bad, 1);

    /* Frames: bad version; shorter than an STT header + Ethernet. */
    uint8_t f[200];
    memset(f, 0, sizeof f);
    memset(&seg, 0, sizeof seg);
    struct packet *ok = netdev_stt_decap(f, sizeof f, &seg);
    assert_non_null(ok);
    packet_destroy(ok);
    f[0] = 1;
    assert_null(netdev_stt_decap(f, sizeof f, &seg));
    f[0] = 0;
    assert_null(netdev_stt_decap(f, 18 + 13, &seg));
    /* Checksum partial with an L4 offset past the frame. */
    f[1] = NETDEV_STT_F_CSUM_PARTIAL | NETDEV_STT_F_TCP;
    f[2] = 190;
    assert_null(netdev_stt_decap(f, sizeof f, &seg));
    packet_destroy(p);
    netdev_stt_reasm_destroy(r);
}

/* Offloads travel in the STT header: a partial checksum and a TCP GSO
 * frame come out with the same state; a VLAN TCI goes back in the
 * frame. */
static void
test_offloads_and_vlan(void **state)
{
    struct packet *p = make_frame(14 + 20 + 20 + 4000);
    struct netdev_stt_reasm *r = netdev_stt_reasm_create();
    uint8_t *d = packet_data(p);
    struct netdev_stt_seg seg;
    const uint8_t *frame = NULL;
    int len = 0;

    (void) state;
    d[14] = 0x45;
    d[14 + 9] = IPPROTO_TCP;
    d[34 + 12] = 0x50;          /* TCP header length 20. */
    p->csum = PACKET_CSUM_PARTIAL;
    p->csum_start = 34;
    p->csum_offset = 16;
    p->gso = PACKET_GSO_TCPV4;
    p->gso_size = 1448;
    assert_true(netdev_stt_can_encap(p));
    int n = encap_to_dgrams(p, 1460, 77);
    const uint8_t *stt = dgrams[0] + 40;
    assert_int_equal(stt[1], NETDEV_STT_F_CSUM_PARTIAL | NETDEV_STT_F_TCP
                             | NETDEV_STT_F_IPV4);
    assert_int_equal(stt[2], 34);
    assert_int_equal(stt[4] << 8 | stt[5], 1448);
    for (int i = 0; i < n; i++) {
        assert_int_equal(netdev_stt_parse_segment(dgrams[i], dgram_sizes[i],
                                                  7471, &seg), 0);
        len = netdev_stt_reasm_add(r, &seg, 0, &frame);
    }
    assert_int_equal(len, 18 + p->size);
    struct packet *q = netdev_stt_decap(frame, len, &seg);
    assert_non_null(q);
    assert_same_frame(p, q);
    assert_int_equal(q->csum, PACKET_CSUM_PARTIAL);
    assert_int_equal(q->csum_start, 34);
    assert_int_equal(q->csum_offset, 16);
    assert_int_equal(q->gso, PACKET_GSO_TCPV4);
    assert_int_equal(q->gso_size, 1448);
    packet_destroy(q);

    /* UDP GSO and an L4 offset beyond 255 are not for STT. */
    p->gso = PACKET_GSO_UDP_L4;
    assert_false(netdev_stt_can_encap(p));
    p->gso = PACKET_GSO_NONE;
    p->csum_start = 300;
    assert_false(netdev_stt_can_encap(p));
    p->csum = PACKET_CSUM_VALID;
    assert_true(netdev_stt_can_encap(p));

    /* A frame whose header carries VLAN 100, PCP 5. */
    uint8_t f[18 + 60];
    memset(f, 0, sizeof f);
    f[1] = NETDEV_STT_F_CSUM_VERIFIED;
    f[6] = 0xa0 | 0x10;         /* PCP 5, V. */
    f[7] = 100;
    memset(f + 18, 0xaa, 12);
    f[18 + 12] = 0x08;
    memset(&seg, 0, sizeof seg);
    q = netdev_stt_decap(f, sizeof f, &seg);
    assert_non_null(q);
    assert_int_equal(q->size, 64);
    d = packet_data(q);
    assert_int_equal(d[12], 0x81);
    assert_int_equal(d[13], 0x00);
    assert_int_equal(d[14], 0xa0);  /* PCP 5, DEI 0. */
    assert_int_equal(d[15], 100);
    assert_int_equal(d[16], 0x08);
    assert_int_equal(q->csum, PACKET_CSUM_VALID);
    packet_destroy(q);
    packet_destroy(p);
    netdev_stt_reasm_destroy(r);
}

/* Frames too big for one STT frame or too many segments are refused; a
 * full 'tx' asks to be flushed. */
static void
test_encap_limits(void **state)
{
    static struct netdev_stt_tx tx;
    struct netdev_stt_encap_params prm;
    struct packet *big = make_frame(NETDEV_STT_MAX_FRAME);
    struct packet *mid = make_frame(60000);

    (void) state;
    default_params(&prm, 1460);
    netdev_stt_tx_init(&tx);
    assert_int_equal(netdev_stt_encap(&tx, big, &prm), -EMSGSIZE);
    prm.max_payload = 300;      /* 200 segments. */
    assert_int_equal(netdev_stt_encap(&tx, mid, &prm), -EMSGSIZE);
    prm.max_payload = 1460;
    assert_int_equal(netdev_stt_encap(&tx, mid, &prm), 42);
    assert_int_equal(netdev_stt_encap(&tx, mid, &prm), 42);
    assert_int_equal(netdev_stt_encap(&tx, mid, &prm), 42);
    assert_int_equal(netdev_stt_encap(&tx, mid, &prm), 0);  /* Full. */
    assert_int_equal(tx.n_segs, 126);
    packet_destroy(big);
    packet_destroy(mid);
}

/* One frame through an "stt" netdev to itself over loopback: the socket,
 * filter, checksums against the kernel's addresses, and decapsulation. */
static void
test_netdev_loopback(void **state)
{
    struct strmap options;
    struct netdev *dev = NULL;
    char ps[16];

    (void) state;
    strmap_init(&options);
    strmap_replace(&options, "remote_ip", "127.0.0.1");
    strmap_replace(&options, "key", "flow");
    snprintf(ps, sizeof ps, "%d", 20000 + (int) (getpid() % 20000));
    strmap_replace(&options, "dst_port", ps);
    int err = netdev_open("stt-test", "stt", &options, &dev);
    strmap_uninit(&options);
    assert_int_equal(err, 0);
    assert_string_equal(netdev_get_type(dev), "stt");

    struct packet_batch b;
    struct packet *p = make_frame(3000);
    p->md.tunnel.tun_id = htonbe64(42);
    p->md.tunnel.ip_ttl = 17;
    p->md.tunnel.ip_tos = 0x20;
    packet_batch_init(&b);
    packet_batch_add(&b, packet_clone(p));
    assert_int_equal(netdev_send(dev, 0, &b), 0);

    struct packet *got = NULL;
    for (int tries = 0; tries < 30 && !got; tries++) {
        struct pollfd pfd = { .fd = netdev_rxq_fd(dev, 0), .events = POLLIN };

        (void) poll(&pfd, 1, 100);
        packet_batch_init(&b);
        if (!netdev_rxq_recv(dev, 0, &b)) {
            got = b.packets[0];
            for (size_t i = 1; i < b.count; i++) {
                packet_destroy(b.packets[i]);
            }
        }
    }
    assert_non_null(got);
    assert_same_frame(p, got);
    assert_int_equal(be64_to_host(got->md.tunnel.tun_id), 42);
    assert_int_equal(be32_to_host(got->md.tunnel.ip_src), 0x7f000001);
    assert_int_equal(got->md.tunnel.ip_ttl, 17);
    assert_int_equal(got->md.tunnel.ip_tos, 0x20);
    assert_int_equal(be16_to_host(got->md.tunnel.tp_dst), atoi(ps));

    struct netdev_stats st;
    netdev_get_stats(dev, &st);
    assert_int_equal(st.tx_packets, 1);
    assert_int_equal(st.rx_packets, 1);
    assert_int_equal(st.rx_errors, 0);
    packet_destroy(got);
    packet_destroy(p);
    netdev_close(dev);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encap_single_segment),
        cmocka_unit_test(test_segment_and_reassemble),
        cmocka_unit_test(test_interleaved_frames),
        cmocka_unit_test(test_timeout_and_eviction),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_offloads_and_vlan),
        cmocka_unit_test(test_encap_limits),
        cmocka_unit_test(test_netdev_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
