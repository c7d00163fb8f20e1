/* netdev-pump: a two-port wire for the netdev system tests.  Opens two
 * netdevs and forwards every packet received on one to the other, in
 * batches, blocking in poll() when both are idle.
 *
 *   netdev-pump [--timeout SECS] PORT PORT
 *   PORT is TYPE:NAME[,KEY=VALUE...]: "system:veth0",
 *   "internal:int0,mac=02:00:00:00:00:01", "tap:tap0,tx-offload=false".
 *
 * Once both ports are open it prints one JSON line describing them
 * ({"ports": [{"name", "type", "ifindex", "mtu", "mac", "up", "carrier",
 * "tx_offloads"}, ...]}), then runs until SIGTERM, SIGINT or the timeout,
 * and prints a second line with each port's counters ({"stats": [...]}).
 * Exits 1 if a port cannot be opened. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/netdev.h"
#include "datapath/packet.h"
#include "lib/strmap.h"
#include "lib/util.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    stop = 1;
}

/* Parses "TYPE:NAME[,K=V...]" into its parts and 'options', opens it. */
static struct netdev *
open_port(const char *spec, struct eth_addr *mac, bool *set_mac)
{
    char *copy = xstrdup(spec), *save = NULL;
    char *colon = strchr(copy, ':');
    struct strmap options;
    struct netdev *netdev;

    if (!colon) {
        fprintf(stderr, "netdev-pump: %s: want TYPE:NAME\n", spec);
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

    const char *m = strmap_find(&options, "mac");
    *set_mac = m != NULL;
    if (m && sscanf(m, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac->ea[0],
                    &mac->ea[1], &mac->ea[2], &mac->ea[3], &mac->ea[4],
                    &mac->ea[5]) != 6) {
        fprintf(stderr, "netdev-pump: %s: bad mac\n", m);
        exit(2);
    }

    int err = netdev_open(name ? name : "", copy, &options, &netdev);
    if (err) {
        fprintf(stderr, "netdev-pump: %s: %s\n", spec, strerror(-err));
        exit(1);
    }
    strmap_uninit(&options);
    free(copy);
    return netdev;
}

static void
print_port(const struct netdev *netdev, bool comma)
{
    struct eth_addr mac = { { 0 } };
    bool up = false, carrier = false;
    int mtu = 0;

    if (netdev_get_etheraddr(netdev, &mac) || netdev_get_mtu(netdev, &mtu)
        || netdev_get_link_state(netdev, &up, &carrier)) {
        fprintf(stderr, "netdev-pump: %s: cannot read properties\n",
                netdev_get_name(netdev));
        exit(1);
    }
    printf("{\"name\": \"%s\", \"type\": \"%s\", \"ifindex\": %d, "
           "\"mtu\": %d, \"mac\": \"%02x:%02x:%02x:%02x:%02x:%02x\", "
           "\"up\": %s, \"carrier\": %s, \"tx_offloads\": %u}%s",
           netdev_get_name(netdev), netdev_get_type(netdev),
           netdev_get_ifindex(netdev), mtu, mac.ea[0], mac.ea[1], mac.ea[2],
           mac.ea[3], mac.ea[4], mac.ea[5], up ? "true" : "false",
           carrier ? "true" : "false", netdev_get_tx_offloads(netdev),
           comma ? ", " : "");
}

static void
print_stats(const struct netdev *netdev, bool comma)
{
    struct netdev_stats s;

    netdev_get_stats(netdev, &s);
    printf("{\"name\": \"%s\", \"rx_packets\": %llu, \"rx_bytes\": %llu, "
           "\"rx_dropped\": %llu, \"rx_errors\": %llu, "
           "\"rx_gso_packets\": %llu, \"tx_packets\": %llu, "
           "\"tx_bytes\": %llu, \"tx_dropped\": %llu, \"tx_errors\": %llu, "
           "\"tx_sw_csum\": %llu, \"tx_sw_segments\": %llu}%s",
           netdev_get_name(netdev),
           (unsigned long long) s.rx_packets,
           (unsigned long long) s.rx_bytes,
           (unsigned long long) s.rx_dropped,
           (unsigned long long) s.rx_errors,
           (unsigned long long) s.rx_gso_packets,
           (unsigned long long) s.tx_packets,
           (unsigned long long) s.tx_bytes,
           (unsigned long long) s.tx_dropped,
           (unsigned long long) s.tx_errors,
           (unsigned long long) s.tx_sw_csum,
           (unsigned long long) s.tx_sw_segments, comma ? ", " : "");
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        { "timeout", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    long long timeout_ms = 600 * 1000;
    struct netdev *ports[2];
    int c;

    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (c == 't') {
            timeout_ms = atof(optarg) * 1000;
        } else {
            return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "usage: netdev-pump [--timeout SECS] PORT PORT\n");
        return 2;
    }

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    for (int i = 0; i < 2; i++) {
        struct eth_addr mac;
        bool set_mac;

        ports[i] = open_port(argv[optind + i], &mac, &set_mac);
        if (set_mac && netdev_set_etheraddr(ports[i], &mac)) {
            fprintf(stderr, "netdev-pump: cannot set mac\n");
            return 1;
        }
        if (netdev_set_up(ports[i], true)) {
            fprintf(stderr, "netdev-pump: cannot bring port up\n");
            return 1;
        }
    }
    printf("{\"ports\": [");
    print_port(ports[0], true);
    print_port(ports[1], false);
    printf("]}\n");
    fflush(stdout);

    long long deadline = time_msec() + timeout_ms;
    while (!stop && time_msec() < deadline) {
        struct pollfd pfds[2];

        for (int i = 0; i < 2; i++) {
            pfds[i].fd = netdev_rxq_fd(ports[i], 0);
            pfds[i].events = POLLIN;
        }
        if (poll(pfds, 2, 100) < 0 && errno != EINTR) {
            perror("netdev-pump: poll");
            return 1;
        }
        /* Drain both sides even without POLLIN: a ring may hold blocks
         * retired while we were busy. */
        for (int busy = 1; busy && !stop;) {
            busy = 0;
            for (int i = 0; i < 2; i++) {
                struct packet_batch batch;

                packet_batch_init(&batch);
                if (!netdev_rxq_recv(ports[i], 0, &batch)) {
                    /* Errors are counted in the port's statistics. */
                    int err = netdev_send(ports[!i], 0, &batch);

                    (void) err;
                    busy = 1;
                }
            }
        }
    }

    printf("{\"stats\": [");
    print_stats(ports[0], true);
    print_stats(ports[1], false);
    printf("]}\n");
    fflush(stdout);
    netdev_close(ports[0]);
    netdev_close(ports[1]);
    return 0;
}
