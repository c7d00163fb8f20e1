/* Unit tests for datapath/netdev-tunnel.c: Geneve receive over loopback. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "datapath/netdev-tunnel.h"
#include "datapath/netdev.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "lib/strmap.h"
#include "lib/util.h"

/* Sends a Geneve packet with VNI 5 to 127.0.0.1:'port' from 'fd', with
 * one 4-byte option (class 0x102, type 0x80) holding 'opt' if 'with_opt'. */
static void
send_geneve(int fd, int port, bool with_opt, uint32_t opt)
{
    uint8_t buf[64];
    size_t n = 0;

    memset(buf, 0, sizeof buf);
    buf[0] = with_opt ? 2 : 0;  /* Option length in 4-byte words. */
    buf[2] = 0x65;
    buf[3] = 0x58;
    buf[6] = 5;
    n = 8;
    if (with_opt) {
        buf[n++] = 0x01;
        buf[n++] = 0x02;
        buf[n++] = 0x80;
        buf[n++] = 1;
        buf[n++] = (uint8_t) (opt >> 24);
        buf[n++] = (uint8_t) (opt >> 16);
        buf[n++] = (uint8_t) (opt >> 8);
        buf[n++] = (uint8_t) opt;
    }
    /* Inner Ethernet frame: broadcast, type 0x88b5, 20 bytes of data. */
    memset(buf + n, 0xff, 6);
    buf[n + 11] = 1;
    buf[n + 12] = 0x88;
    buf[n + 13] = 0xb5;
    n += 34;

    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t) port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(sendto(fd, buf, n, 0, (struct sockaddr *) &sin,
                            sizeof sin), (ssize_t) n);
}

/* A packet without Geneve options received after one with an option must
 * not carry that option's bytes in md.tunnel (present 0, opts all 0). */
static void
test_geneve_rx_no_stale_opts(void **state)
{
    static const struct netdev_tunnel_tlv map[] = {
        { .opt_class = 0x0102, .type = 0x80, .len = 4, .slot = 0,
          .offset = 0 },
    };
    int port = 30000 + (int) (getpid() % 20000);
    struct strmap options;
    struct netdev *dev = NULL;

    (void) state;
    assert_int_equal(netdev_tunnel_set_tlv_map(map, 1), 0);
    strmap_init(&options);
    strmap_replace(&options, "remote_ip", "127.0.0.1");
    strmap_replace(&options, "key", "flow");
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    strmap_replace(&options, "dst_port", ps);
    assert_int_equal(netdev_open("gnv-test", "geneve", &options, &dev), 0);
    strmap_uninit(&options);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    send_geneve(fd, port, true, 0xaabbccdd);
    send_geneve(fd, port, false, 0);
    send_geneve(fd, port, true, 0x11223344);
    send_geneve(fd, port, false, 0);

    struct packet *got[4];
    size_t n_got = 0;
    for (int tries = 0; tries < 50 && n_got < 4; tries++) {
        struct pollfd pfd = { .fd = netdev_rxq_fd(dev, 0), .events = POLLIN };
        struct packet_batch b;

        (void) poll(&pfd, 1, 100);
        packet_batch_init(&b);
        if (!netdev_rxq_recv(dev, 0, &b)) {
            for (size_t i = 0; i < b.count; i++) {
                if (n_got < 4) {
                    got[n_got++] = b.packets[i];
                } else {
                    packet_destroy(b.packets[i]);
                }
            }
        }
    }
    assert_int_equal(n_got, 4);
    for (size_t i = 0; i < 4; i++) {
        const struct flow_tnl *t = &got[i]->md.tunnel;
        uint8_t zero[FLOW_TUN_OPTS_SIZE];

        memset(zero, 0, sizeof zero);
        assert_int_equal(be64_to_host(t->tun_id), 5);
        if (i % 2 == 0) {
            static const uint8_t want[2][4] = {
                { 0xaa, 0xbb, 0xcc, 0xdd }, { 0x11, 0x22, 0x33, 0x44 },
            };
            assert_int_equal(t->present, 1);
            assert_memory_equal(t->opts, want[i / 2], 4);
            assert_memory_equal(t->opts + 4, zero, sizeof zero - 4);
        } else {
            assert_int_equal(t->present, 0);
            assert_memory_equal(t->opts, zero, sizeof zero);
        }
        packet_destroy(got[i]);
    }
    close(fd);
    netdev_close(dev);
    assert_int_equal(netdev_tunnel_set_tlv_map(NULL, 0), 0);
}

/* Inner TCP segments for the coalescing test: Ethernet, IPv4 (no
 * options), TCP with 12 bytes of options (as timestamps take). */
#define CO_HDR (14 + 20 + 32)
#define CO_MSS 100

/* Writes into 'buf' a Geneve packet (VNI 5, no options) holding a TCP
 * segment with sequence number 'seq', 'payload' bytes of data (byte i of
 * the stream is (uint8_t) i), and TCP flags 'flags'.  Returns its size. */
static size_t
make_tcp_segment(uint8_t *buf, uint32_t seq, size_t payload, uint8_t flags)
{
    uint8_t *f = buf + 8, *ip = f + 14, *th = ip + 20;
    size_t ip_len = 20 + 32 + payload;

    memset(buf, 0, 8 + CO_HDR);
    buf[2] = 0x65;
    buf[3] = 0x58;
    buf[6] = 5;
    memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
    f[12] = 0x08;
    ip[0] = 0x45;
    ip[2] = ip_len >> 8;
    ip[3] = ip_len;
    ip[4] = seq >> 8;             /* Some IP ID: it differs per segment. */
    ip[5] = seq;
    ip[6] = 0x40;                 /* DF. */
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    be16 c = packet_csum_ipv4_header(ip);
    memcpy(ip + 10, &c, 2);
    th[0] = 0x30;                 /* Ports 12345 -> 80. */
    th[1] = 0x39;
    th[3] = 80;
    th[4] = seq >> 24;
    th[5] = seq >> 16;
    th[6] = seq >> 8;
    th[7] = seq;
    th[11] = 1;                   /* ACK number 1. */
    th[12] = 8 << 4;              /* 32-byte header. */
    th[13] = flags;
    th[14] = 0x01;                /* Window. */
    memcpy(th + 20, "\x01\x01\x08\x0a\x00\x00\x00\x07\x00\x00\x00\x09",
           12);
    for (size_t i = 0; i < payload; i++) {
        th[32 + i] = (uint8_t) (seq - 1000 + i);
    }
    be32 src, dst;
    memcpy(&src, ip + 12, 4);
    memcpy(&dst, ip + 16, 4);
    uint32_t sum = packet_csum_pseudo_ipv4(src, dst, 6, 32 + payload);
    c = packet_csum_fold(packet_csum_add(sum, th, 32 + payload));
    memcpy(th + 16, &c, 2);
    return 8 + CO_HDR + payload;
}

/* Sends the 'n' Geneve packets of sequence numbers 'seqs', payload sizes
 * 'pays' and TCP flags 'flags' as one UDP GSO datagram (segments of a
 * full-sized packet's size) to 127.0.0.1:'port'.  Packet i gets a wrong
 * TCP checksum if bit i of 'bad' is set. */
static void
send_gso(int fd, int port, const uint32_t *seqs, const size_t *pays,
         const uint8_t *flags, size_t n, unsigned int bad)
{
    uint8_t buf[8 * (8 + CO_HDR + CO_MSS)];
    size_t len = 0, seg = 8 + CO_HDR + CO_MSS;

    for (size_t i = 0; i < n; i++) {
        size_t k = make_tcp_segment(buf + len, seqs[i], pays[i], flags[i]);

        if (bad & (1u << i)) {
            buf[len + k - 1] ^= 0x5a;   /* A payload byte. */
        }
        len += k;
    }
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons((uint16_t) port),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    uint16_t gso = seg;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof gso)];
    } control;
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr mh = {
        .msg_name = &sin, .msg_namelen = sizeof sin,
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = &control, .msg_controllen = sizeof control,
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof gso);
    memcpy(CMSG_DATA(c), &gso, sizeof gso);
    assert_int_equal(sendmsg(fd, &mh, 0), (ssize_t) len);
}

/* Checks that 'p' is the inner frame of the segments from 'seq' with
 * 'payload' bytes in all, as one packet (a TCP GSO one with a partial
 * checksum if 'gso') with PSH set or not as 'psh' says. */
static void
check_coalesced(struct packet *p, uint32_t seq, size_t payload, bool gso,
                bool psh)
{
    const uint8_t *f = packet_data(p), *ip = f + 14, *th = ip + 20;

    assert_int_equal(p->size, CO_HDR + payload);
    assert_int_equal((ip[2] << 8 | ip[3]), 20 + 32 + payload);
    assert_int_equal(packet_csum_fold(packet_csum_add(0, ip, 20)), 0);
    assert_int_equal((uint32_t) th[4] << 24 | th[5] << 16 | th[6] << 8
                     | th[7], seq);
    assert_int_equal(th[13], psh ? 0x18 : 0x10);
    for (size_t i = 0; i < payload; i++) {
        assert_int_equal(th[32 + i], (uint8_t) (seq - 1000 + i));
    }
    if (gso) {
        assert_int_equal(p->gso, PACKET_GSO_TCPV4);
        assert_int_equal(p->gso_size, CO_MSS);
        assert_int_equal(p->csum, PACKET_CSUM_PARTIAL);
        assert_int_equal(p->csum_start, 34);
        assert_int_equal(p->csum_offset, 16);
        /* Finishing the partial checksum gives a valid TCP checksum. */
        assert_int_equal(packet_csum_finish(p), 0);
    } else {
        assert_int_equal(p->gso, PACKET_GSO_NONE);
    }
    be32 src, dst;
    memcpy(&src, ip + 12, 4);
    memcpy(&dst, ip + 16, 4);
    uint32_t sum = packet_csum_pseudo_ipv4(src, dst, 6, 32 + payload);
    assert_int_equal(packet_csum_fold(packet_csum_add(sum, th,
                                                      32 + payload)), 0);
}

/* A UDP GRO datagram of consecutive segments of one TCP flow comes out
 * as one TCP GSO packet, ended by a short segment or PSH; a gap in the
 * sequence numbers starts another packet, and a segment with a wrong
 * checksum is never merged (the ones before it are). */
static void
test_geneve_rx_coalesces_tcp(void **state)
{
    int port = 30000 + (int) ((getpid() + 13) % 20000);
    struct netdev *dev = NULL;
    struct strmap options;
    char ps[16];

    (void) state;
    snprintf(ps, sizeof ps, "%d", port);
    strmap_init(&options);
    strmap_replace(&options, "remote_ip", "127.0.0.1");
    strmap_replace(&options, "key", "5");
    strmap_replace(&options, "dst_port", ps);
    assert_int_equal(netdev_open("gnv-gro", "geneve", &options, &dev), 0);
    strmap_uninit(&options);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    /* Four segments, the last short with PSH: one packet. */
    send_gso(fd, port, (uint32_t[]) { 1000, 1100, 1200, 1300 },
             (size_t[]) { CO_MSS, CO_MSS, CO_MSS, 40 },
             (uint8_t[]) { 0x10, 0x10, 0x10, 0x18 }, 4, 0);
    /* Two in sequence, then a gap: two packets. */
    send_gso(fd, port, (uint32_t[]) { 5000, 5100, 5300 },
             (size_t[]) { CO_MSS, CO_MSS, CO_MSS },
             (uint8_t[]) { 0x10, 0x10, 0x10 }, 3, 0);
    /* In sequence, but the middle one's checksum is wrong: each goes
     * alone (its receiver drops the bad one), none is merged. */
    send_gso(fd, port, (uint32_t[]) { 7000, 7100, 7200 },
             (size_t[]) { CO_MSS, CO_MSS, CO_MSS },
             (uint8_t[]) { 0x10, 0x10, 0x10 }, 3, 2);
    /* The third of four is wrong: the first two are merged (without the
     * last one's PSH), the other two go alone. */
    send_gso(fd, port, (uint32_t[]) { 9000, 9100, 9200, 9300 },
             (size_t[]) { CO_MSS, CO_MSS, CO_MSS, CO_MSS },
             (uint8_t[]) { 0x10, 0x10, 0x10, 0x18 }, 4, 4);

    struct packet *got[12];
    size_t n_got = 0;
    for (int tries = 0; tries < 20 && n_got < 9; tries++) {
        struct pollfd pfd = { .fd = netdev_rxq_fd(dev, 0), .events = POLLIN };
        struct packet_batch b;

        (void) poll(&pfd, 1, 100);
        packet_batch_init(&b);
        if (!netdev_rxq_recv(dev, 0, &b)) {
            for (size_t i = 0; i < b.count; i++) {
                if (n_got < ARRAY_SIZE(got)) {
                    got[n_got++] = b.packets[i];
                } else {
                    packet_destroy(b.packets[i]);
                }
            }
        }
    }
    assert_int_equal(n_got, 9);
    check_coalesced(got[0], 1000, 3 * CO_MSS + 40, true, true);
    check_coalesced(got[1], 5000, 2 * CO_MSS, true, false);
    check_coalesced(got[2], 5300, CO_MSS, false, false);
    check_coalesced(got[3], 7000, CO_MSS, false, false);
    assert_int_equal(got[4]->size, CO_HDR + CO_MSS);
    assert_int_equal(got[4]->gso, PACKET_GSO_NONE);
    const uint8_t *ip = packet_data(got[4]) + 14;
    be32 src, dst;
    memcpy(&src, ip + 12, 4);
    memcpy(&dst, ip + 16, 4);
    uint32_t sum = packet_csum_pseudo_ipv4(src, dst, 6, 32 + CO_MSS);
    assert_int_not_equal(packet_csum_fold(packet_csum_add(sum, ip + 20,
                                                          32 + CO_MSS)), 0);
    check_coalesced(got[5], 7200, CO_MSS, false, false);
    check_coalesced(got[6], 9000, 2 * CO_MSS, true, false);
    assert_int_equal(got[7]->size, CO_HDR + CO_MSS);
    assert_int_equal(got[7]->gso, PACKET_GSO_NONE);
    check_coalesced(got[8], 9300, CO_MSS, false, true);
    for (size_t i = 0; i < n_got; i++) {
        assert_int_equal(be64_to_host(got[i]->md.tunnel.tun_id), 5);
        packet_destroy(got[i]);
    }
    close(fd);
    netdev_close(dev);
}

/* A datagram that one port's receive reads for another port of the same
 * socket waits in that port's backlog, and makes that port's rx fd
 * readable until it is received (no poll timeout to wait for). */
static void
test_backlog_wakes_its_port(void **state)
{
    int port = 30000 + (int) ((getpid() + 7) % 20000);
    struct netdev *a = NULL, *b = NULL;
    struct strmap options;
    char ps[16];

    (void) state;
    snprintf(ps, sizeof ps, "%d", port);
    strmap_init(&options);
    strmap_replace(&options, "key", "flow");
    strmap_replace(&options, "dst_port", ps);
    strmap_replace(&options, "remote_ip", "127.0.0.1");
    assert_int_equal(netdev_open("gnv-a", "geneve", &options, &a), 0);
    strmap_replace(&options, "remote_ip", "127.0.0.2");
    assert_int_equal(netdev_open("gnv-b", "geneve", &options, &b), 0);
    strmap_uninit(&options);

    /* From 127.0.0.1: port a's. */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    send_geneve(fd, port, false, 0);

    struct pollfd pfd = { .fd = netdev_rxq_fd(b, 0), .events = POLLIN };
    assert_int_equal(poll(&pfd, 1, 1000), 1);
    struct packet_batch batch;
    packet_batch_init(&batch);
    assert_int_equal(netdev_rxq_recv(b, 0, &batch), -EAGAIN);

    /* Nothing left on the socket, yet a's fd is readable for its
     * backlog, and stops being so once a has taken it. */
    pfd.fd = netdev_rxq_fd(a, 0);
    assert_int_equal(poll(&pfd, 1, 0), 1);
    assert_int_equal(netdev_rxq_recv(a, 0, &batch), 0);
    assert_int_equal(batch.count, 1);
    assert_int_equal(be64_to_host(batch.packets[0]->md.tunnel.tun_id), 5);
    packet_batch_destroy_all(&batch);
    pfd.revents = 0;
    assert_int_equal(poll(&pfd, 1, 0), 0);

    close(fd);
    netdev_close(b);
    netdev_close(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geneve_rx_no_stale_opts),
        cmocka_unit_test(test_backlog_wakes_its_port),
        cmocka_unit_test(test_geneve_rx_coalesces_tcp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
