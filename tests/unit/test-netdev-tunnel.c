/* Unit tests for datapath/netdev-tunnel.c: Geneve receive over loopback. */
#include <arpa/inet.h>
#include <netinet/in.h>
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geneve_rx_no_stale_opts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
