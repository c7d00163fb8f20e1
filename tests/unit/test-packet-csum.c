/* Unit tests for datapath/packet-csum.h: checksums against values that
 * scapy computed, RFC 1624 incremental updates against full recomputation,
 * finishing partial checksums, and software segmentation of TCP GSO
 * frames against scapy-built segments.  Also the packet_pool hooks of
 * datapath/packet.c that zero-copy receive relies on.
 *
 * The byte arrays come from scapy 2.5 (the recipes are in the comment
 * below); payloads are pattern(n, seed) bytes, built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/packet-csum.h"
#include "datapath/packet.h"

/* scapy: Ether()/IP(src="192.0.2.1", dst="198.51.100.7", ttl=63,
 * id=0xbeef, options=[IPOption_RR(routers=["1.2.3.4"])])/UDP()/"x": the
 * IP header; scapy's checksum is 0xbd91.
 * tcp4_hdr: Ether/IP(src="10.1.2.3", dst="10.4.5.6", id=7)/TCP(sport=40000,
 * dport=80, seq=12345, ack=999, flags="PA")/pattern(1001, 0): the first
 * 54 bytes; TCP checksum 0x7aec.
 * udp6_hdr: Ether/IPv6(src="2001:db8::1", dst="2001:db8::2:3")/UDP(5353,
 * 53)/pattern(77, 3): the first 62 bytes; UDP checksum 0x0941.
 * gso4_hdr: Ether/IP(src="10.1.2.3", dst="10.4.5.6", id=0xfffe, DF,
 * ttl=64)/TCP(sport=40000, dport=5201, seq=0xfffffc00, ack=77,
 * flags="FPAC", window=500), and gso4_seg_hdrs the headers of the four
 * segments scapy builds by hand for 3500 bytes of payload at MSS 1000
 * (ids and sequence numbers wrap).
 * gso6_hdr: Ether/Dot1Q(vlan=10)/IPv6(2001:db8::1 -> 2001:db8::2)/
 * TCP(1234, 5678, seq=1, ack=2, flags="PA", window=1000), and
 * gso6_seg_hdrs the three segments for 2900 bytes at MSS 1400. */
static const uint8_t ipv4_hdr_opts[] = {
    0x47, 0x00, 0x00, 0x25, 0xbe, 0xef, 0x00, 0x00, 0x3f, 0x11, 0xbd, 0x91,
    0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, 0x07, 0x07, 0x04, 0x01,
    0x02, 0x03, 0x04, 0x00,
};
static const uint8_t tcp4_hdr[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x00, 0x45, 0x00, 0x04, 0x11, 0x00, 0x07, 0x00, 0x00, 0x40, 0x06,
    0x5b, 0xd3, 0x0a, 0x01, 0x02, 0x03, 0x0a, 0x04, 0x05, 0x06, 0x9c, 0x40,
    0x00, 0x50, 0x00, 0x00, 0x30, 0x39, 0x00, 0x00, 0x03, 0xe7, 0x50, 0x18,
    0x20, 0x00, 0x7a, 0xec, 0x00, 0x00,
};
static const uint8_t udp6_hdr[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x55, 0x11, 0x40, 0x20, 0x01,
    0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x03, 0x14, 0xe9, 0x00, 0x35, 0x00, 0x55,
    0x09, 0x41,
};
static const uint8_t gso4_hdr[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x28, 0xff, 0xfe, 0x40, 0x00, 0x40, 0x06,
    0x1f, 0xc4, 0x0a, 0x01, 0x02, 0x03, 0x0a, 0x04, 0x05, 0x06, 0x9c, 0x40,
    0x14, 0x51, 0xff, 0xff, 0xfc, 0x00, 0x00, 0x00, 0x00, 0x4d, 0x50, 0x99,
    0x01, 0xf4, 0xe5, 0x6a, 0x00, 0x00,
};
static const uint8_t gso4_seg_hdrs[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x00, 0x45, 0x00, 0x04, 0x10, 0xff, 0xfe, 0x40, 0x00, 0x40, 0x06,
    0x1b, 0xdc, 0x0a, 0x01, 0x02, 0x03, 0x0a, 0x04, 0x05, 0x06, 0x9c, 0x40,
    0x14, 0x51, 0xff, 0xff, 0xfc, 0x00, 0x00, 0x00, 0x00, 0x4d, 0x50, 0x90,
    0x01, 0xf4, 0x9b, 0x53, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00, 0x04, 0x10,
    0xff, 0xff, 0x40, 0x00, 0x40, 0x06, 0x1b, 0xdb, 0x0a, 0x01, 0x02, 0x03,
    0x0a, 0x04, 0x05, 0x06, 0x9c, 0x40, 0x14, 0x51, 0xff, 0xff, 0xff, 0xe8,
    0x00, 0x00, 0x00, 0x4d, 0x50, 0x10, 0x01, 0xf4, 0x5f, 0xb3, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x00, 0x45, 0x00, 0x04, 0x10, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06,
    0x1b, 0xdb, 0x0a, 0x01, 0x02, 0x03, 0x0a, 0x04, 0x05, 0x06, 0x9c, 0x40,
    0x14, 0x51, 0x00, 0x00, 0x03, 0xd0, 0x00, 0x00, 0x00, 0x4d, 0x50, 0x10,
    0x01, 0xf4, 0x23, 0x94, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00, 0x02, 0x1c,
    0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x1d, 0xce, 0x0a, 0x01, 0x02, 0x03,
    0x0a, 0x04, 0x05, 0x06, 0x9c, 0x40, 0x14, 0x51, 0x00, 0x00, 0x07, 0xb8,
    0x00, 0x00, 0x00, 0x4d, 0x50, 0x19, 0x01, 0xf4, 0x67, 0xd6, 0x00, 0x00,
};
static const uint8_t gso6_hdr[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x14,
    0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0xd2,
    0x16, 0x2e, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x50, 0x18,
    0x03, 0xe8, 0x35, 0x6d, 0x00, 0x00,
};
static const uint8_t gso6_seg_hdrs[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x05, 0x8c,
    0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0xd2,
    0x16, 0x2e, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x50, 0x10,
    0x03, 0xe8, 0xd3, 0x1d, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd,
    0x60, 0x00, 0x00, 0x00, 0x05, 0x8c, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x04, 0xd2, 0x16, 0x2e, 0x00, 0x00, 0x05, 0x79,
    0x00, 0x00, 0x00, 0x02, 0x50, 0x10, 0x03, 0xe8, 0x1d, 0xfc, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x78,
    0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0xd2,
    0x16, 0x2e, 0x00, 0x00, 0x0a, 0xf1, 0x00, 0x00, 0x00, 0x02, 0x50, 0x18,
    0x03, 0xe8, 0xd8, 0x5e, 0x00, 0x00,
};


/* The payload pattern of the generator: byte i is (7i + seed) mod 251. */
static void
pattern(uint8_t *p, size_t n, int seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (i * 7 + seed) % 251;
    }
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

/* A packet of 'hdr' followed by 'n' bytes of pattern('seed'). */
static struct packet *
make_frame(const uint8_t *hdr, size_t hdr_size, size_t n, int seed)
{
    struct packet *p = packet_create(hdr_size + n, PACKET_HEADROOM);
    uint8_t *d = packet_put_uninit(p, hdr_size + n);

    memcpy(d, hdr, hdr_size);
    pattern(d + hdr_size, n, seed);
    return p;
}

static void
test_packet_csum_ipv4_header(void **state)
{
    uint8_t ip[sizeof ipv4_hdr_opts];

    assert_int_equal((uint16_t) packet_csum_ipv4_header(ipv4_hdr_opts),
                     (uint16_t) htonbe16(0xbd91));
    /* A header checks to zero with its own checksum in place. */
    assert_int_equal(packet_csum_fold(packet_csum_add(0, ipv4_hdr_opts,
                                                      sizeof ip)), 0);
    memcpy(ip, ipv4_hdr_opts, sizeof ip);
    ip[8]--;                    /* TTL */
    assert_int_not_equal((uint16_t) packet_csum_ipv4_header(ip),
                         (uint16_t) htonbe16(0xbd91));
}

static void
test_packet_csum_tcp4_full(void **state)
{
    struct packet *p = make_frame(tcp4_hdr, sizeof tcp4_hdr, 1001, 0);
    uint8_t *d = packet_data(p);
    size_t l4 = 34, l4_size = p->size - l4;
    be32 src, dst;

    memcpy(&src, d + 26, 4);
    memcpy(&dst, d + 30, 4);
    put16(d + l4 + 16, 0);
    uint32_t sum = packet_csum_pseudo_ipv4(src, dst, 6, l4_size);
    be16 csum = packet_csum_fold(packet_csum_add(sum, d + l4, l4_size));
    assert_int_equal(be16_to_host(csum), 0x7aec);
    packet_destroy(p);
}

static void
test_packet_csum_udp6_full(void **state)
{
    struct packet *p = make_frame(udp6_hdr, sizeof udp6_hdr, 77, 3);
    uint8_t *d = packet_data(p);
    size_t l4 = 54, l4_size = p->size - l4;

    put16(d + l4 + 6, 0);
    uint32_t sum = packet_csum_pseudo_ipv6(d + 22, d + 38, 17, l4_size);
    /* Odd length: the last byte is padded with zero. */
    assert_int_equal(l4_size % 2, 1);
    be16 csum = packet_csum_fold(packet_csum_add(sum, d + l4, l4_size));
    assert_int_equal(be16_to_host(csum), 0x0941);
    packet_destroy(p);
}

/* Sums in pieces give the same as one sum, whatever the alignment. */
static void
test_packet_csum_add_pieces(void **state)
{
    uint8_t buf[301];

    pattern(buf, sizeof buf, 9);
    uint32_t whole = packet_csum_add(0, buf + 1, 300);
    for (size_t cut = 0; cut <= 300; cut += 2) {
        uint32_t a = packet_csum_add(0, buf + 1, cut);

        a = packet_csum_add(a, buf + 1 + cut, 300 - cut);
        assert_int_equal((uint16_t) packet_csum_fold(a),
                         (uint16_t) packet_csum_fold(whole));
    }
}

/* RFC 1624: rewriting the IPv4 source (NAT) and TTL (dec_ttl) with
 * incremental updates gives scapy's checksums of the rewritten frame. */
static void
test_packet_csum_incremental(void **state)
{
    struct packet *p = make_frame(tcp4_hdr, sizeof tcp4_hdr, 1001, 0);
    uint8_t *d = packet_data(p), *ip = d + 14, *tcp = d + 34;
    be32 old_src, new_src = htonbe32(0xac100909);   /* 172.16.9.9 */
    be16 old_ttl_word, new_ttl_word, ip_csum, tcp_csum;

    memcpy(&old_src, ip + 12, 4);
    memcpy(&ip_csum, ip + 10, 2);
    memcpy(&tcp_csum, tcp + 16, 2);

    ip_csum = packet_csum_update32(ip_csum, old_src, new_src);
    tcp_csum = packet_csum_update32(tcp_csum, old_src, new_src);
    memcpy(ip + 12, &new_src, 4);

    memcpy(&old_ttl_word, ip + 8, 2);
    ip[8]--;
    memcpy(&new_ttl_word, ip + 8, 2);
    ip_csum = packet_csum_update16(ip_csum, old_ttl_word, new_ttl_word);

    assert_int_equal(be16_to_host(ip_csum), 0xb3bd);
    assert_int_equal(be16_to_host(tcp_csum), 0xd1d6);
    assert_int_equal((uint16_t) ip_csum,
                     (uint16_t) packet_csum_ipv4_header(ip));
    packet_destroy(p);
}

/* An IPv6 address rewrite, checked against a full recomputation. */
static void
test_packet_csum_incremental_ipv6(void **state)
{
    struct packet *p = make_frame(udp6_hdr, sizeof udp6_hdr, 77, 3);
    uint8_t *d = packet_data(p), *udp = d + 54;
    uint8_t new_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xee, 0, 0,
                            0, 0, 0, 0, 0xc0, 0xa8, 0x01, 0x01 };
    size_t l4_size = p->size - 54;
    be16 csum;

    memcpy(&csum, udp + 6, 2);
    csum = packet_csum_update128(csum, d + 38, new_dst);
    memcpy(d + 38, new_dst, 16);

    put16(udp + 6, 0);
    uint32_t sum = packet_csum_pseudo_ipv6(d + 22, d + 38, 17, l4_size);
    be16 full = packet_csum_fold(packet_csum_add(sum, udp, l4_size));
    assert_int_equal((uint16_t) csum, (uint16_t) full);
    packet_destroy(p);
}

/* A PARTIAL packet (pseudo-header sum in the field, as the kernel hands
 * it over) finished in software has scapy's checksum. */
static void
test_packet_csum_finish_tcp4(void **state)
{
    struct packet *p = make_frame(tcp4_hdr, sizeof tcp4_hdr, 1001, 0);
    uint8_t *d = packet_data(p);
    be32 src, dst;

    memcpy(&src, d + 26, 4);
    memcpy(&dst, d + 30, 4);
    be16 pseudo = packet_csum_fold(packet_csum_pseudo_ipv4(src, dst, 6,
                                                           p->size - 34));
    put16(d + 50, (uint16_t) ~be16_to_host(pseudo));
    p->csum = PACKET_CSUM_PARTIAL;
    p->csum_start = 34;
    p->csum_offset = 16;

    assert_int_equal(packet_csum_finish(p), 0);
    assert_int_equal(p->csum, PACKET_CSUM_NONE);
    assert_int_equal(get16(d + 50), 0x7aec);
    /* Not PARTIAL any more: a second call changes nothing. */
    assert_int_equal(packet_csum_finish(p), 0);
    assert_int_equal(get16(d + 50), 0x7aec);
    packet_destroy(p);
}

static void
test_packet_csum_finish_bad_offsets(void **state)
{
    struct packet *p = make_frame(tcp4_hdr, sizeof tcp4_hdr, 10, 0);

    p->csum = PACKET_CSUM_PARTIAL;
    p->csum_start = 34;
    p->csum_offset = p->size - 34 - 1;  /* Field would end past the data. */
    assert_int_equal(packet_csum_finish(p), -EINVAL);
    assert_int_equal(p->csum, PACKET_CSUM_PARTIAL);
    p->csum_start = p->size + 1;
    p->csum_offset = 0;
    assert_int_equal(packet_csum_finish(p), -EINVAL);
    packet_destroy(p);
}

/* Checks the 'n' segments of a GSO frame against scapy's headers
 * ('hdrs', 'hdr_size' bytes each) and the payload pattern. */
static void
check_segments(struct packet **segs, int n, const uint8_t *hdrs,
               size_t hdr_size, size_t mss, size_t total)
{
    uint8_t *expect = malloc(total);

    pattern(expect, total, 0);
    for (int i = 0; i < n; i++) {
        struct packet *s = segs[i];
        size_t len = MIN(mss, total - i * mss);

        assert_int_equal(s->size, hdr_size + len);
        assert_memory_equal(packet_data(s), hdrs + i * hdr_size, hdr_size);
        assert_memory_equal(packet_data(s) + hdr_size, expect + i * mss,
                            len);
        assert_int_equal(s->gso, PACKET_GSO_NONE);
        assert_int_not_equal(s->csum, PACKET_CSUM_PARTIAL);
        assert_int_equal(s->md.in_port, 7);
        packet_destroy(s);
    }
    free(expect);
}

static void
test_packet_csum_segment_tcp4(void **state)
{
    struct packet *p = make_frame(gso4_hdr, sizeof gso4_hdr, 3500, 0);
    struct packet *segs[8];

    p->gso = PACKET_GSO_TCPV4;
    p->gso_size = 1000;
    p->csum = PACKET_CSUM_PARTIAL;
    p->csum_start = 34;
    p->csum_offset = 16;
    p->md.in_port = 7;
    assert_int_equal(packet_csum_n_segments(p), 4);
    int n = packet_csum_segment(p, segs, ARRAY_SIZE(segs));
    assert_int_equal(n, 4);
    check_segments(segs, n, gso4_seg_hdrs, 54, 1000, 3500);
    packet_destroy(p);
}

static void
test_packet_csum_segment_tcp6_vlan(void **state)
{
    struct packet *p = make_frame(gso6_hdr, sizeof gso6_hdr, 2900, 0);
    struct packet *segs[3];

    p->gso = PACKET_GSO_TCPV6;
    p->gso_size = 1400;
    p->md.in_port = 7;
    int n = packet_csum_segment(p, segs, ARRAY_SIZE(segs));
    assert_int_equal(n, 3);
    check_segments(segs, n, gso6_seg_hdrs, 78, 1400, 2900);
    packet_destroy(p);
}

/* packet_csum_segment_headers() writes the same headers as
 * packet_csum_segment() (checked against scapy's) and points at the
 * payload in place. */
static void
test_packet_csum_segment_headers(void **state)
{
    struct packet *p = make_frame(gso4_hdr, sizeof gso4_hdr, 3500, 0);
    struct packet_segment segs[8];
    uint8_t hdrs[4 * 54];
    uint8_t *expect = malloc(3500);

    p->gso = PACKET_GSO_TCPV4;
    p->gso_size = 1000;
    pattern(expect, 3500, 0);
    assert_int_equal(packet_csum_segment_headers(p, hdrs, sizeof hdrs - 1,
                                                 segs, 8), -E2BIG);
    assert_int_equal(packet_csum_segment_headers(p, hdrs, sizeof hdrs,
                                                 segs, 3), -E2BIG);
    int n = packet_csum_segment_headers(p, hdrs, sizeof hdrs, segs, 8);
    assert_int_equal(n, 4);
    for (int i = 0; i < n; i++) {
        size_t len = MIN(1000, 3500 - i * 1000);

        assert_int_equal(segs[i].hdr_size, 54);
        assert_memory_equal(segs[i].hdr, gso4_seg_hdrs + i * 54, 54);
        assert_ptr_equal(segs[i].payload, packet_data(p) + 54 + i * 1000);
        assert_int_equal(segs[i].payload_size, len);
        assert_memory_equal(segs[i].payload, expect + i * 1000, len);
    }
    packet_destroy(p);

    /* IPv6 under a VLAN tag. */
    uint8_t hdrs6[3 * 78];
    p = make_frame(gso6_hdr, sizeof gso6_hdr, 2900, 0);
    p->gso = PACKET_GSO_TCPV6;
    p->gso_size = 1400;
    n = packet_csum_segment_headers(p, hdrs6, sizeof hdrs6, segs, 8);
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++) {
        assert_memory_equal(segs[i].hdr, gso6_seg_hdrs + i * 78, 78);
        assert_int_equal(segs[i].payload_size, MIN(1400, 2900 - i * 1400));
    }
    packet_destroy(p);
    free(expect);
}

/* The reference: 'start' plus the 16-bit words of the 'len' bytes at 'd'
 * (a last odd byte padded with zero), added one by one and folded to 32
 * bits. */
static uint32_t
ref_sum(uint32_t start, const uint8_t *d, size_t len)
{
    uint64_t ref = start;

    for (size_t k = 0; k + 1 < len; k += 2) {
        uint16_t w;

        memcpy(&w, d + k, 2);
        ref += w;
    }
    if (len & 1) {
        uint8_t last[2] = { d[len - 1], 0 };
        uint16_t w;

        memcpy(&w, last, 2);
        ref += w;
    }
    while (ref >> 32) {
        ref = (ref & 0xffffffff) + (ref >> 32);
    }
    return ref;
}

/* packet_csum_add() sums 64-bit words with deferred carries: check it
 * against a plain 16-bit ones' complement sum for every length up to 300
 * at every alignment, on bytes that make many carries. */
static void
test_packet_csum_add_reference(void **state)
{
    uint8_t buf[320];

    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t) (0xff - (i * 7 % 13));
    }
    for (size_t align = 0; align < 8; align++) {
        for (size_t len = 0; len <= 300; len++) {
            const uint8_t *d = buf + align;

            /* A start value with carries. */
            assert_int_equal(packet_csum_fold(packet_csum_add(0xfffe, d,
                                                              len)),
                             packet_csum_fold(ref_sum(0xfffe, d, len)));
        }
    }
}

/* Long ranges take a vector loop on CPUs that have one: same sums, at
 * every alignment, over lengths that end anywhere in a 64-byte block and
 * over 3 MiB of 0xff bytes (its 32-bit lanes are widened every MiB; a
 * missed widening would overflow them). */
static void
test_packet_csum_add_long(void **state)
{
    size_t big = 3 << 20;
    uint8_t *buf = xmalloc(big + 8);

    for (size_t i = 0; i < 8200; i++) {
        buf[i] = (uint8_t) (i * 131 + (i >> 8));
    }
    for (size_t align = 0; align < 8; align += 3) {
        for (size_t len = 250; len <= 8192; len += len < 400 ? 1 : 61) {
            const uint8_t *d = buf + align;

            assert_int_equal(packet_csum_fold(packet_csum_add(0x1234, d,
                                                              len)),
                             packet_csum_fold(ref_sum(0x1234, d, len)));
        }
    }

    /* 0xff bytes: each word is 0xffff, which is 0 in ones' complement, so
     * the sum of any even number of them folds to 0xffff (or to 0 for
     * none). */
    memset(buf, 0xff, big + 8);
    uint32_t sum = packet_csum_add(0, buf + 1, big);
    assert_int_equal(packet_csum_fold(sum), 0);
    /* ...and 0x01 bytes sum to 0x0101 per word: 'big' / 2 words. */
    memset(buf, 0x01, big + 8);
    uint64_t want = (uint64_t) 0x0101 * (big / 2);
    while (want >> 16) {
        want = (want & 0xffff) + (want >> 16);
    }
    sum = packet_csum_add(0, buf, big);
    assert_int_equal(packet_csum_fold(sum),
                     packet_csum_fold((uint32_t) want));
    free(buf);
}

/* packet_csum_copy() copies exactly the range, and sums it as
 * packet_csum_add() does, at source and destination alignments that
 * differ, over short ranges (no vector loop) and long ones. */
static void
test_packet_csum_copy(void **state)
{
    enum { MAX_LEN = 8192, GUARD = 16 };
    uint8_t *src = xmalloc(MAX_LEN + 8);
    uint8_t *dst = xmalloc(MAX_LEN + 8 + GUARD);

    for (size_t i = 0; i < MAX_LEN + 8; i++) {
        src[i] = (uint8_t) (i * 151 + (i >> 7) + 0xc0);
    }
    for (size_t sa = 0; sa < 4; sa++) {
        for (size_t da = 0; da < 8; da += 5) {
            for (size_t len = 0; len <= MAX_LEN;
                 len += len < 300 ? 1 : 61) {
                memset(dst, 0xa5, MAX_LEN + 8 + GUARD);
                uint32_t sum = packet_csum_copy(0xfff3, dst + da, src + sa,
                                                len);

                assert_int_equal(packet_csum_fold(sum),
                                 packet_csum_fold(ref_sum(0xfff3, src + sa,
                                                          len)));
                assert_memory_equal(dst + da, src + sa, len);
                for (size_t g = 0; g < GUARD; g++) {
                    assert_int_equal(dst[da + len + g], 0xa5);
                }
                for (size_t g = 0; g < da; g++) {
                    assert_int_equal(dst[g], 0xa5);
                }
            }
        }
    }
    free(src);
    free(dst);
}

static void
test_packet_csum_segment_errors(void **state)
{
    struct packet *segs[8];
    struct packet *p = make_frame(gso4_hdr, sizeof gso4_hdr, 3500, 0);

    p->gso = PACKET_GSO_TCPV4;
    p->gso_size = 1000;
    /* Too many segments for the room given: none made. */
    assert_int_equal(packet_csum_segment(p, segs, 3), -E2BIG);

    p->gso = PACKET_GSO_UDP_L4;
    assert_int_equal(packet_csum_segment(p, segs, 8), -EPROTONOSUPPORT);
    p->gso = PACKET_GSO_NONE;
    assert_int_equal(packet_csum_segment(p, segs, 8), -EPROTONOSUPPORT);

    p->gso = PACKET_GSO_TCPV4;
    p->gso_size = 0;
    assert_int_equal(packet_csum_segment(p, segs, 8), -EINVAL);

    /* Truncated inside the TCP header, then not TCP, then not IP. */
    p->gso_size = 1000;
    packet_set_size(p, 40);
    assert_int_equal(packet_csum_segment(p, segs, 8), -EINVAL);
    packet_set_size(p, sizeof gso4_hdr + 3500);
    packet_data(p)[23] = 17;
    assert_int_equal(packet_csum_segment(p, segs, 8), -EINVAL);
    packet_data(p)[23] = 6;
    packet_data(p)[12] = 0x88;
    assert_int_equal(packet_csum_segment(p, segs, 8), -EINVAL);
    /* A TCP data offset pointing past the frame. */
    packet_data(p)[12] = 0x08;
    packet_set_size(p, sizeof gso4_hdr);
    packet_data(p)[46] = 0xf0;
    assert_int_equal(packet_csum_segment(p, segs, 8), -EINVAL);
    packet_destroy(p);
}

/* The packet_pool hooks: packet_destroy() hands a pool packet back whole,
 * packet_realloc() (a push beyond the headroom) only its buffer. */
struct test_pool {
    struct packet_pool pool;
    struct packet packet;
    uint8_t buf[256];
    int n_free, n_release;
};

static void
test_pool_release_buffer(struct packet_pool *pool, struct packet *p)
{
    struct test_pool *tp = CONTAINER_OF(pool, struct test_pool, pool);

    if (p->base != tp->buf) {
        free(p->base);
    }
    tp->n_release++;
}

static void
test_pool_free_packet(struct packet_pool *pool, struct packet *p)
{
    struct test_pool *tp = CONTAINER_OF(pool, struct test_pool, pool);

    if (p->base != tp->buf) {
        free(p->base);
    }
    tp->n_free++;
}

static void
test_packet_pool_hooks(void **state)
{
    struct test_pool tp = {
        .pool = { test_pool_free_packet, test_pool_release_buffer },
    };
    struct packet *p = &tp.packet;

    p->base = tp.buf;
    p->pool = &tp.pool;
    p->allocated = sizeof tp.buf;
    p->data_ofs = 16;
    p->size = 64;
    p->l2_ofs = p->l3_ofs = p->l4_ofs = PACKET_OFS_NONE;
    memset(packet_data(p), 0xab, 64);

    packet_push_uninit(p, 8);       /* Fits: no realloc. */
    assert_ptr_equal(p->base, tp.buf);
    assert_int_equal(tp.n_release, 0);
    packet_push_uninit(p, 32);      /* Does not: private buffer. */
    assert_ptr_not_equal(p->base, tp.buf);
    assert_ptr_equal(p->pool, &tp.pool);
    assert_int_equal(tp.n_release, 1);
    assert_int_equal(packet_data(p)[40], 0xab);
    assert_int_equal(p->size, 104);
    packet_put_uninit(p, 4096);     /* Again: the private one is freed. */
    assert_int_equal(tp.n_release, 2);
    packet_destroy(p);
    assert_int_equal(tp.n_free, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet_csum_ipv4_header),
        cmocka_unit_test(test_packet_csum_tcp4_full),
        cmocka_unit_test(test_packet_csum_udp6_full),
        cmocka_unit_test(test_packet_csum_add_pieces),
        cmocka_unit_test(test_packet_csum_add_long),
        cmocka_unit_test(test_packet_csum_copy),
        cmocka_unit_test(test_packet_csum_incremental),
        cmocka_unit_test(test_packet_csum_incremental_ipv6),
        cmocka_unit_test(test_packet_csum_finish_tcp4),
        cmocka_unit_test(test_packet_csum_finish_bad_offsets),
        cmocka_unit_test(test_packet_csum_segment_tcp4),
        cmocka_unit_test(test_packet_csum_segment_tcp6_vlan),
        cmocka_unit_test(test_packet_csum_segment_errors),
        cmocka_unit_test(test_packet_csum_segment_headers),
        cmocka_unit_test(test_packet_csum_add_reference),
        cmocka_unit_test(test_packet_pool_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
