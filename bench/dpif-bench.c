/* dpif-bench: small-packet forwarding rate of the userspace datapath
 * (datapath/dpif.h) between two veth pairs.
 *
 *   dpif-bench [--seconds N] [--threads N]
 *
 * Runs in a network namespace of its own (unshare: needs root):
 *
 *   sender thread -> src0 == dpin (port 1) [dpif] dpout (port 2) == sink0
 *
 * A sender thread blasts 64-byte Ethernet/IPv4/UDP frames into src0
 * through AF_PACKET (sendmmsg, qdisc bypass); the datapath forwards each
 * to dpout through a fake switch's upcall; the rate is dpout's transmit
 * counter over the run.  Scenarios:
 *   1 flow            one 5-tuple, one megaflow (EMC hits)
 *   1000 flows/1 mf   1000 UDP source ports, one megaflow (EMC hits)
 *   1000 flows/1000 mf  mask includes the UDP source port
 *   1000 flows, no EMC  the same with the EMC off (megaflow lookups)
 * Each line gives packets/s forwarded, packets/s offered and the lookup
 * counters.  The peer (ovs-vswitchd, datapath_type=netdev) is measured by
 * the switch-level bench, not here: this isolates the datapath engine. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/dp-actions.h"
#include "datapath/dpif.h"
#include "datapath/netdev.h"
#include "datapath/packet.h"
#include "lib/log.h"
#include "lib/util.h"

#define N_FRAMES 1000           /* Distinct frames of the 1000-flow runs. */
#define SEND_BATCH 64           /* Frames per sendmmsg(). */
#define FRAME_SIZE 60           /* 64 on the wire with the FCS. */

static bool match_tp_src;       /* Fake switch: mask the UDP source port. */
static atomic_bool sending;     /* Sender runs while true. */
static atomic_uint_least64_t n_sent; /* Frames the sender handed over. */
static int n_variants;          /* Distinct frames the sender cycles. */
static uint8_t frames[N_FRAMES][FRAME_SIZE];
static int src_ifindex;

static int
bench_upcall(void *aux, const struct flow *flow, const struct packet *p,
             struct dp_upcall_result *r)
{
    struct dp_actions_builder b;

    FLOW_WC_SET(&r->wc, dl_dst);
    FLOW_WC_SET(&r->wc, dl_type);
    FLOW_WC_SET(&r->wc, nw_frag);
    if (match_tp_src) {
        FLOW_WC_SET(&r->wc, nw_proto);
        FLOW_WC_SET(&r->wc, tp_src);
    }
    dp_actions_builder_init(&b);
    dp_actions_put_output(&b, 2);
    r->actions = dp_actions_builder_finish(&b);
    return 0;
}

static void
build_frames(void)
{
    for (int i = 0; i < N_FRAMES; i++) {
        uint8_t *f = frames[i];
        uint16_t sport = 10000 + i;

        memset(f, 0, FRAME_SIZE);
        memcpy(f, (uint8_t[]) { 2, 0, 0, 0, 0, 2 }, 6);
        memcpy(f + 6, (uint8_t[]) { 2, 0, 0, 0, 0, 1 }, 6);
        f[12] = 0x08;
        uint8_t *ip = f + 14;
        ip[0] = 0x45;
        ip[3] = FRAME_SIZE - 14;
        ip[8] = 64;
        ip[9] = 17;
        memcpy(ip + 12, (uint8_t[]) { 10, 0, 0, 1 }, 4);
        memcpy(ip + 16, (uint8_t[]) { 10, 0, 0, 2 }, 4);
        uint8_t *udp = ip + 20;
        udp[0] = sport >> 8;
        udp[1] = sport;
        udp[2] = 0x13;
        udp[3] = 0x88;
        udp[5] = FRAME_SIZE - 34;
    }
}

static void *
sender_main(void *aux)
{
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET, .sll_ifindex = src_ifindex,
    };
    int one = 1;
    struct mmsghdr msgs[SEND_BATCH];
    struct iovec iovs[SEND_BATCH];
    int next = 0;

    if (fd < 0 || bind(fd, (struct sockaddr *) &sll, sizeof sll)) {
        perror("dpif-bench: sender socket");
        exit(1);
    }
    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    while (atomic_load(&sending)) {
        for (int i = 0; i < SEND_BATCH; i++) {
            iovs[i].iov_base = frames[next];
            iovs[i].iov_len = FRAME_SIZE;
            next = (next + 1) % n_variants;
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int n = sendmmsg(fd, msgs, SEND_BATCH, 0);
        if (n > 0) {
            atomic_fetch_add(&n_sent, n);
        } else if (errno == ENOBUFS || errno == EAGAIN) {
            sched_yield();
        }
    }
    close(fd);
    return NULL;
}

static void
run_cmd(const char *cmd)
{
    if (system(cmd)) {
        fprintf(stderr, "dpif-bench: \"%s\" failed\n", cmd);
        exit(1);
    }
}

static uint64_t
port_tx(struct dpif *dp, uint32_t port_no)
{
    struct dpif_port_info *ports;
    size_t n = dpif_port_list(dp, &ports);
    uint64_t tx = 0;

    for (size_t i = 0; i < n; i++) {
        if (ports[i].port_no == port_no) {
            tx = ports[i].stats.tx_packets;
        }
    }
    free(ports);
    return tx;
}

static void
run_scenario(const char *name, int variants, bool mask_port,
             size_t emc_entries, int n_threads, double seconds,
             struct netdev *in, struct netdev *out)
{
    struct dpif_config cfg;
    struct dpif *dp;

    dpif_config_init(&cfg);
    cfg.n_threads = n_threads;
    cfg.emc_entries = emc_entries;
    cfg.upcall = bench_upcall;
    match_tp_src = mask_port;
    n_variants = variants;
    if (dpif_create(&cfg, &dp)) {
        fprintf(stderr, "dpif-bench: dpif_create failed\n");
        exit(1);
    }
    uint32_t p1 = 1, p2 = 2;
    if (dpif_port_add(dp, in, &p1) || dpif_port_add(dp, out, &p2)) {
        fprintf(stderr, "dpif-bench: dpif_port_add failed\n");
        exit(1);
    }

    /* Warm up (flows installed), then measure. */
    pthread_t sender;
    atomic_store(&sending, true);
    pthread_create(&sender, NULL, sender_main, NULL);
    usleep(300 * 1000);

    struct dpif_stats s0, s1;
    dpif_get_stats(dp, &s0);
    uint64_t tx0 = port_tx(dp, 2), sent0 = atomic_load(&n_sent);
    long long t0 = time_msec();
    long long end = t0 + (long long) (seconds * 1000);
    while (time_msec() < end) {
        usleep(100 * 1000);
        dpif_run(dp);
    }
    long long t1 = time_msec();
    uint64_t tx1 = port_tx(dp, 2), sent1 = atomic_load(&n_sent);
    dpif_get_stats(dp, &s1);
    atomic_store(&sending, false);
    pthread_join(sender, NULL);

    double dt = (t1 - t0) / 1000.0;
    printf("%-22s %10.0f pps forwarded  %10.0f pps offered  "
           "flows:%"PRIu64" emc:%"PRIu64" megaflow:%"PRIu64
           " miss:%"PRIu64"\n",
           name, (tx1 - tx0) / dt, (sent1 - sent0) / dt, s1.n_flows,
           s1.n_emc_hit - s0.n_emc_hit,
           s1.n_megaflow_hit - s0.n_megaflow_hit,
           s1.n_missed - s0.n_missed);
    fflush(stdout);
    dpif_destroy(dp);
}

int
main(int argc, char *argv[])
{
    double seconds = 3;
    int n_threads = 1;
    static const struct option long_options[] = {
        { "seconds", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };

    for (int c; (c = getopt_long(argc, argv, "s:t:", long_options,
                                 NULL)) != -1;) {
        switch (c) {
        case 's':
            seconds = atof(optarg);
            break;
        case 't':
            n_threads = atoi(optarg);
            break;
        default:
            fprintf(stderr, "usage: %s [--seconds N] [--threads N]\n",
                    argv[0]);
            return 2;
        }
    }
    free(log_set_levels_from_string("dpif:console:warn"));

    if (unshare(CLONE_NEWNET)) {
        perror("dpif-bench: unshare(CLONE_NEWNET) (needs root)");
        return 1;
    }
    run_cmd("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
    run_cmd("ip link add src0 type veth peer name dpin && "
            "ip link add dpout type veth peer name sink0 && "
            "ip link set src0 up && ip link set dpin up && "
            "ip link set dpout up && ip link set sink0 up");
    src_ifindex = if_nametoindex("src0");
    build_frames();

    struct netdev *in, *out;
    if (netdev_open("dpin", "system", NULL, &in)
        || netdev_open("dpout", "system", NULL, &out)) {
        fprintf(stderr, "dpif-bench: cannot open the veth ends\n");
        return 1;
    }

    printf("dpif-bench: 64-byte UDP, veth -> dpif (%d thread%s) -> veth, "
           "%.1f s per run\n", n_threads, n_threads > 1 ? "s" : "",
           seconds);
    run_scenario("1 flow", 1, false, DPIF_DEFAULT_EMC_ENTRIES, n_threads,
                 seconds, in, out);
    run_scenario("1000 flows / 1 mf", N_FRAMES, false,
                 DPIF_DEFAULT_EMC_ENTRIES, n_threads, seconds, in, out);
    run_scenario("1000 flows / 1000 mf", N_FRAMES, true,
                 DPIF_DEFAULT_EMC_ENTRIES, n_threads, seconds, in, out);
    run_scenario("1000 flows, no EMC", N_FRAMES, true, 0, n_threads,
                 seconds, in, out);
    printf("peer: ovs-vswitchd figures come from the switch-level bench "
           "(issue 4 measured 55-70 kpps through OVS with Geneve)\n");

    netdev_close(in);
    netdev_close(out);
    return 0;
}
