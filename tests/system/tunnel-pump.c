/* tunnel-pump: a one-host datapath for the tunnel system tests.  Bridges a
 * local port to a tunnel port with datapath actions built through
 * dp-actions.h and run by dp_execute():
 *
 *   local -> tunnel:  set(tunnel(tun_id=ID,dst=DST,ttl=64,geneve(OPT))),2
 *   tunnel -> local:  1
 *
 *   tunnel-pump [--timeout SECS] [--tun-id N] [--tun-dst IP] [--opt HEX32]
 *               LOCAL-PORT TUNNEL-PORT
 *   PORT is TYPE:NAME[,KEY=VALUE...]: "system:veth0",
 *   "geneve:tun0,remote_ip=10.99.0.2,key=flow".
 *
 * The Geneve option map has one entry, OVN's (class 0x0102, type 0x80,
 * 4 bytes) in tun_metadata0; --opt sets the value sent.  Once running it
 * prints one JSON line ({"out": actions, "in": actions}), and at SIGTERM
 * or the timeout a second one with each port's counters and what the
 * received tunnel metadata said ({"stats": [...], "rx": {"packets",
 * "segments", "with_opt", "opt", "tun_id", "ip_src", "ip_dst",
 * "tp_dst"}}; "segments" counts a TCP GSO packet that the receive side
 * coalesced as the segments it holds).  Exits 1
 * if a port cannot be opened. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/dp-execute.h"
#include "datapath/netdev-tunnel.h"
#include "datapath/netdev.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "lib/ds.h"
#include "lib/strmap.h"
#include "lib/util.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    stop = 1;
}

/* Datapath ports: 1 = local, 2 = tunnel. */
static struct netdev *ports[3];

/* What the tunnel delivered. */
static struct {
    uint64_t packets;           /* Packets received from the tunnel. */
    uint64_t segments;          /* The segments they hold. */
    uint64_t with_opt;          /* Of which carried tun_metadata0. */
    uint32_t opt;               /* Its last value. */
    uint64_t tun_id;            /* Last tun_id. */
    be32 ip_src, ip_dst;        /* Last outer addresses. */
    uint16_t tp_dst;            /* Last outer UDP port. */
} rx;

static void
pump_output(void *aux, uint32_t port, struct packet_batch *batch)
{
    int err = netdev_send(ports[port], 0, batch);

    (void) err;                 /* Counted in the port's statistics. */
}

static const struct dp_exec_ops pump_ops = {
    .output = pump_output,
};

static struct netdev *
open_port(const char *spec)
{
    char *copy = xstrdup(spec), *save = NULL;
    char *colon = strchr(copy, ':');
    struct strmap options;
    struct netdev *netdev;

    if (!colon) {
        fprintf(stderr, "tunnel-pump: %s: want TYPE:NAME\n", spec);
        exit(2);
    }
    *colon = '\0';
    strmap_init(&options);
    char *name = strtok_r(colon + 1, ",", &save);
    for (char *kv; (kv = strtok_r(NULL, ",", &save));) {
        char *eq = strchr(kv, '=');

        if (eq) {
            *eq = '\0';
            strmap_replace(&options, kv, eq + 1);
        }
    }
    int err = netdev_open(name ? name : "", copy, &options, &netdev);
    if (err) {
        fprintf(stderr, "tunnel-pump: %s: %s\n", spec, strerror(-err));
        exit(1);
    }
    strmap_uninit(&options);
    free(copy);
    return netdev;
}

static void
print_stats(const struct netdev *netdev, bool comma)
{
    struct netdev_stats s;

    netdev_get_stats(netdev, &s);
    printf("{\"name\": \"%s\", \"rx_packets\": %llu, \"rx_bytes\": %llu, "
           "\"rx_dropped\": %llu, \"rx_errors\": %llu, "
           "\"tx_packets\": %llu, \"tx_bytes\": %llu, \"tx_errors\": %llu, "
           "\"tx_sw_segments\": %llu, \"tx_sw_csum\": %llu}%s",
           netdev_get_name(netdev),
           (unsigned long long) s.rx_packets,
           (unsigned long long) s.rx_bytes,
           (unsigned long long) s.rx_dropped,
           (unsigned long long) s.rx_errors,
           (unsigned long long) s.tx_packets,
           (unsigned long long) s.tx_bytes,
           (unsigned long long) s.tx_errors,
           (unsigned long long) s.tx_sw_segments,
           (unsigned long long) s.tx_sw_csum, comma ? ", " : "");
}

static void
note_rx(const struct packet_batch *batch)
{
    for (size_t i = 0; i < batch->count; i++) {
        const struct flow_tnl *t = &batch->packets[i]->md.tunnel;

        rx.packets++;
        int n = packet_csum_n_segments(batch->packets[i]);
        rx.segments += n > 0 ? n : 1;
        if (t->present & 1) {
            rx.with_opt++;
            rx.opt = (uint32_t) t->opts[0] << 24 | t->opts[1] << 16
                     | t->opts[2] << 8 | t->opts[3];
        }
        rx.tun_id = be64_to_host(t->tun_id);
        rx.ip_src = t->ip_src;
        rx.ip_dst = t->ip_dst;
        rx.tp_dst = be16_to_host(t->tp_dst);
    }
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        { "timeout", required_argument, NULL, 't' },
        { "tun-id", required_argument, NULL, 'i' },
        { "tun-dst", required_argument, NULL, 'd' },
        { "opt", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    long long timeout_ms = 600 * 1000;
    struct flow_tnl tnl = { .ip_ttl = 64, .flags = FLOW_TNL_F_KEY };
    int c;

    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (c == 't') {
            timeout_ms = atof(optarg) * 1000;
        } else if (c == 'i') {
            tnl.tun_id = htonbe64(strtoull(optarg, NULL, 0));
        } else if (c == 'd') {
            struct in_addr a;

            if (inet_pton(AF_INET, optarg, &a) != 1) {
                return 2;
            }
            tnl.ip_dst = (KILN_FORCE be32) a.s_addr;
        } else if (c == 'o') {
            uint32_t v = strtoul(optarg, NULL, 0);

            tnl.present = 1;
            tnl.opts[0] = v >> 24;
            tnl.opts[1] = v >> 16;
            tnl.opts[2] = v >> 8;
            tnl.opts[3] = v;
        } else {
            return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "usage: tunnel-pump [OPTIONS] LOCAL TUNNEL\n");
        return 2;
    }

    static const struct netdev_tunnel_tlv map[] = {
        { .opt_class = 0x0102, .type = 0x80, .len = 4, .slot = 0,
          .offset = 0 },
    };
    if (netdev_tunnel_set_tlv_map(map, ARRAY_SIZE(map))) {
        return 1;
    }

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    ports[1] = open_port(argv[optind]);
    ports[2] = open_port(argv[optind + 1]);
    if (netdev_set_up(ports[1], true)) {
        fprintf(stderr, "tunnel-pump: cannot bring port up\n");
        return 1;
    }

    /* The two megaflows' actions. */
    struct dp_actions_builder b;
    dp_actions_builder_init(&b);
    dp_actions_put_set_tunnel(&b, &tnl);
    dp_actions_put_output(&b, 2);
    struct dp_actions *to_tunnel = dp_actions_builder_finish(&b);
    dp_actions_builder_init(&b);
    dp_actions_put_output(&b, 1);
    struct dp_actions *to_local = dp_actions_builder_finish(&b);

    struct ds s1 = DS_EMPTY_INITIALIZER, s2 = DS_EMPTY_INITIALIZER;
    dp_actions_format(dp_actions_get(to_tunnel), to_tunnel->size, &s1);
    dp_actions_format(dp_actions_get(to_local), to_local->size, &s2);
    printf("{\"out\": \"%s\", \"in\": \"%s\"}\n", ds_cstr(&s1),
           ds_cstr(&s2));
    fflush(stdout);
    ds_uninit(&s1);
    ds_uninit(&s2);

    long long deadline = time_msec() + timeout_ms;
    while (!stop && time_msec() < deadline) {
        struct pollfd pfds[2];

        for (int i = 0; i < 2; i++) {
            pfds[i].fd = netdev_rxq_fd(ports[i + 1], 0);
            pfds[i].events = POLLIN;
        }
        if (poll(pfds, 2, 100) < 0 && errno != EINTR) {
            perror("tunnel-pump: poll");
            return 1;
        }
        for (int busy = 1; busy && !stop;) {
            struct packet_batch batch;

            busy = 0;
            packet_batch_init(&batch);
            if (!netdev_rxq_recv(ports[1], 0, &batch)) {
                dp_execute(&pump_ops, NULL, &batch,
                           dp_actions_get(to_tunnel), to_tunnel->size);
                busy = 1;
            }
            packet_batch_init(&batch);
            if (!netdev_rxq_recv(ports[2], 0, &batch)) {
                note_rx(&batch);
                dp_execute(&pump_ops, NULL, &batch,
                           dp_actions_get(to_local), to_local->size);
                busy = 1;
            }
        }
    }

    char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &rx.ip_src, src, sizeof src);
    inet_ntop(AF_INET, &rx.ip_dst, dst, sizeof dst);
    printf("{\"stats\": [");
    print_stats(ports[1], true);
    print_stats(ports[2], false);
    printf("], \"rx\": {\"packets\": %"PRIu64", \"segments\": %"PRIu64", "
           "\"with_opt\": %"PRIu64", "
           "\"opt\": %"PRIu32", \"tun_id\": %"PRIu64", \"ip_src\": \"%s\", "
           "\"ip_dst\": \"%s\", \"tp_dst\": %u}}\n",
           rx.packets, rx.segments, rx.with_opt, rx.opt, rx.tun_id, src,
           dst, rx.tp_dst);
    fflush(stdout);
    netdev_close(ports[1]);
    netdev_close(ports[2]);
    dp_actions_destroy(to_tunnel);
    dp_actions_destroy(to_local);
    return 0;
}
