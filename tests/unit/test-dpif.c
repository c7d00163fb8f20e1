/* Unit tests for datapath/dpif.h and datapath/flow-cache.h.
 *
 * The flow-cache tests are pure.  The datapath tests run the real packet
 * threads on veth pairs: main() moves the process into a network
 * namespace of its own (unshare(CLONE_NEWNET), so it needs root) and
 * creates three pairs dp1/h1, dp2/h2, dp3/h3.  The datapath owns dp1..3 as
 * ports 1..3; the test sends and receives frames on h1..3 with AF_PACKET
 * sockets.  A fake switch (a tiny rule table below) answers upcalls and
 * counts them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "datapath/dp-actions.h"
#include "datapath/dpif.h"
#include "datapath/flow-cache.h"
#include "datapath/netdev.h"
#include "datapath/packet.h"
#include "lib/ds.h"
#include "lib/util.h"

/* Flow-cache tests. */

static struct flow
make_key(uint32_t in_port, uint8_t dst_last, uint16_t tp_dst)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.in_port = in_port;
    f.dl_dst = (struct eth_addr) { { 2, 0, 0, 0, 0, dst_last } };
    f.dl_src = (struct eth_addr) { { 2, 0, 0, 0, 1, 1 } };
    f.dl_type = htonbe16(0x0800);
    f.nw_proto = IPPROTO_UDP;
    f.tp_dst = htonbe16(tp_dst);
    return f;
}

static struct flow_wildcards
mask_dst(bool with_port)
{
    struct flow_wildcards wc;
    flow_wildcards_init_catchall(&wc);
    FLOW_WC_SET(&wc, in_port);
    FLOW_WC_SET(&wc, dl_dst);
    if (with_port) {
        FLOW_WC_SET(&wc, dl_type);
        FLOW_WC_SET(&wc, nw_proto);
        FLOW_WC_SET(&wc, tp_dst);
    }
    return wc;
}

static void
test_flow_cache_lookup_by_mask(void **state)
{
    struct flow_cache fc;
    flow_cache_init(&fc, 64);

    struct flow k1 = make_key(1, 1, 80);
    struct flow k2 = make_key(1, 2, 53);
    struct flow_wildcards m1 = mask_dst(false), m2 = mask_dst(true);
    struct megaflow *f1 = flow_cache_insert(&fc, &k1, &m1, NULL, 1, 0);
    struct megaflow *f2 = flow_cache_insert(&fc, &k2, &m2, NULL, 1, 0);
    assert_int_equal(fc.n_flows, 2);
    assert_int_equal(fc.n_subtables, 2);

    /* Any port to dst 1 hits f1; only port 53 to dst 2 hits f2. */
    struct flow q = make_key(1, 1, 9999);
    assert_ptr_equal(flow_cache_lookup(&fc, &q), f1);
    q = make_key(1, 2, 53);
    assert_ptr_equal(flow_cache_lookup(&fc, &q), f2);
    q = make_key(1, 2, 54);
    assert_null(flow_cache_lookup(&fc, &q));
    q = make_key(2, 1, 80);
    assert_null(flow_cache_lookup(&fc, &q));
    q = make_key(1, 1, 80);
    assert_ptr_equal(flow_cache_find_exact(&fc, &q, &m1), f1);
    assert_null(flow_cache_find_exact(&fc, &q, &m2));

    flow_cache_uninit(&fc);
}

/* Counts how many flow_cache_emc_use() calls in a row answer false. */
static int
emc_bypassed_run(struct flow_cache *fc)
{
    int n = 0;
    while (!flow_cache_emc_use(fc)) {
        n++;
        assert_true(n <= FLOW_CACHE_EMC_BYPASS);
    }
    return n;
}

/* A window of EMC lookups that hit less than 1 in 8 sends the next 4096
 * packets past the EMC; then it is measured again. */
static void
test_flow_cache_emc_bypass(void **state)
{
    struct flow_cache fc;
    flow_cache_init(&fc, 64);

    /* A window with 1 hit in 8 keeps the EMC. */
    for (int i = 0; i < FLOW_CACHE_EMC_WINDOW; i++) {
        assert_true(flow_cache_emc_use(&fc));
        flow_cache_emc_account(&fc, i % 8 == 0);
    }
    assert_int_equal(emc_bypassed_run(&fc), 0);
    flow_cache_emc_account(&fc, true);

    /* One hit fewer (the window restarts after 256): bypassed. */
    for (int i = 1; i < FLOW_CACHE_EMC_WINDOW; i++) {
        assert_true(flow_cache_emc_use(&fc));
        flow_cache_emc_account(&fc, i % 8 == 0 && i < 240);
    }
    assert_int_equal(emc_bypassed_run(&fc), FLOW_CACHE_EMC_BYPASS);

    /* Churn: all misses, bypassed again after each window. */
    for (int i = 0; i < FLOW_CACHE_EMC_WINDOW; i++) {
        flow_cache_emc_account(&fc, false);
    }
    assert_int_equal(emc_bypassed_run(&fc), FLOW_CACHE_EMC_BYPASS);

    /* A bypassed packet still finds its megaflow in the subtables. */
    struct flow k = make_key(1, 1, 80);
    struct flow_wildcards m = mask_dst(false);
    struct megaflow *f = flow_cache_insert(&fc, &k, &m, NULL, 1, 0);
    for (int i = 0; i < FLOW_CACHE_EMC_WINDOW; i++) {
        flow_cache_emc_account(&fc, false);
    }
    assert_false(flow_cache_emc_use(&fc));
    assert_ptr_equal(flow_cache_lookup(&fc, &k), f);
    flow_cache_uninit(&fc);

    /* No EMC: never used. */
    flow_cache_init(&fc, 0);
    assert_false(flow_cache_emc_use(&fc));
    flow_cache_uninit(&fc);
}

static void
test_flow_cache_emc_and_removal(void **state)
{
    struct flow_cache fc;
    flow_cache_init(&fc, 64);

    struct flow k = make_key(1, 1, 80);
    struct flow_wildcards m = mask_dst(false);
    struct megaflow *f = flow_cache_insert(&fc, &k, &m, NULL, 1, 0);
    uint32_t h = flow_cache_key_hash(&k);

    assert_null(flow_cache_emc_lookup(&fc, &k, h));
    flow_cache_emc_insert(&fc, &k, h, f);
    assert_ptr_equal(flow_cache_emc_lookup(&fc, &k, h), f);
    struct flow other = make_key(1, 1, 81);
    assert_null(flow_cache_emc_lookup(&fc, &other,
                                      flow_cache_key_hash(&other)));

    /* A removed megaflow misses in the EMC at once, and the sweep frees
     * it and its subtable. */
    flow_cache_remove(&fc, f);
    assert_null(flow_cache_emc_lookup(&fc, &k, h));
    assert_null(flow_cache_lookup(&fc, &k));
    assert_int_equal(fc.n_flows, 0);
    assert_int_equal(fc.n_subtables, 0);
    flow_cache_sweep(&fc);
    struct megaflow *dead = flow_cache_pop_dead(&fc);
    assert_ptr_equal(dead, f);
    megaflow_destroy(dead);
    assert_null(flow_cache_pop_dead(&fc));
    for (size_t i = 0; i <= fc.emc_mask; i++) {
        assert_null(fc.emc[i].flow);
    }
    flow_cache_uninit(&fc);
}

static void
test_flow_cache_lru_order(void **state)
{
    struct flow_cache fc;
    flow_cache_init(&fc, 0);
    struct flow_wildcards m = mask_dst(false);
    struct megaflow *f[3];

    for (int i = 0; i < 3; i++) {
        struct flow k = make_key(1, i, 0);
        f[i] = flow_cache_insert(&fc, &k, &m, NULL, 1, i);
    }
    assert_ptr_equal(flow_cache_lru_oldest(&fc), f[0]);
    flow_cache_touch(&fc, f[0]);
    assert_ptr_equal(flow_cache_lru_oldest(&fc), f[1]);
    flow_cache_uninit(&fc);
}

/* Key formatting. */

static void
test_key_format(void **state)
{
    struct flow k = make_key(2, 0x22, 80);
    struct flow_wildcards m;
    struct ds ds;

    ds_init(&ds);
    k.nw_src = htonbe32(0x0a000001);
    k.nw_dst = htonbe32(0x0a000102);
    k.nw_proto = IPPROTO_TCP;
    k.tcp_flags = htonbe16(0x002);
    flow_wildcards_init_catchall(&m);
    FLOW_WC_SET(&m, recirc_id);
    FLOW_WC_SET(&m, in_port);
    FLOW_WC_SET(&m, packet_type);
    FLOW_WC_SET(&m, dl_src);
    FLOW_WC_SET(&m, dl_dst);
    FLOW_WC_SET(&m, dl_type);
    FLOW_WC_SET(&m, nw_frag);
    dpif_flow_key_format(&k, &m, &ds);
    assert_string_equal(ds_cstr(&ds),
                        "recirc_id(0),in_port(2),packet_type(ns=0,id=0),"
                        "eth(src=02:00:00:00:01:01,dst=02:00:00:00:00:22),"
                        "eth_type(0x0800),ipv4(frag=no)");

    ds_clear(&ds);
    k.recirc_id = 5;
    m.masks.nw_dst = htonbe32(0xffffff00);
    FLOW_WC_SET(&m, nw_proto);
    m.masks.tp_dst = htonbe16(0xfff0);
    m.masks.tcp_flags = htonbe16(0x012);
    memset(&m.masks.dl_src, 0, sizeof m.masks.dl_src);
    dpif_flow_key_format(&k, &m, &ds);
    assert_string_equal(ds_cstr(&ds),
                        "recirc_id(0x5),in_port(2),packet_type(ns=0,id=0),"
                        "eth(dst=02:00:00:00:00:22),eth_type(0x0800),"
                        "ipv4(dst=10.0.1.2/255.255.255.0,proto=6,frag=no),"
                        "tcp(dst=80/0xfff0),tcp_flags(+syn-ack)");
    ds_uninit(&ds);
}

/* The datapath on veth pairs. */

#define N_HOSTS 3
static int host_fd[N_HOSTS + 1];      /* AF_PACKET on h1..h3. */
static int host_ifindex[N_HOSTS + 1];
static struct netdev *dp_netdev[N_HOSTS + 1]; /* dp1..dp3. */

/* The fake switch: rules on (recirc_id, in_port, dl_dst), optionally
 * also on the UDP destination port. */
struct rule {
    uint32_t recirc_id;         /* Match. */
    uint32_t in_port;           /* Match. */
    uint8_t dst_last;           /* Match on dl_dst 02:00:00:00:00:XX. */
    int udp_dst;                /* -1: any; else match (consults L4). */
    /* Action: output to 'out_port', or recirculate with 'recirc', or
     * userspace with a cookie if 'userspace'; drop if all are 0. */
    uint32_t out_port;
    uint32_t recirc;
    bool userspace;
    bool no_install;            /* Keep in the slow path. */
};

#define MAX_RULES 16
static struct rule rules[MAX_RULES];
static size_t n_rules;
static pthread_mutex_t rules_mutex = PTHREAD_MUTEX_INITIALIZER;

static atomic_int n_upcalls;
static atomic_int n_xcaches;            /* Alive. */
static atomic_int n_userspace;
static atomic_uint_least64_t pushed_packets;
static char last_cookie[32];

struct test_xcache {
    int rule;                   /* Index into 'rules'. */
};

static void
xcache_destroy(void *x)
{
    atomic_fetch_sub(&n_xcaches, 1);
    free(x);
}

static int
fake_upcall(void *aux, const struct flow *flow, const struct packet *packet,
            struct dp_upcall_result *r)
{
    atomic_fetch_add(&n_upcalls, 1);
    FLOW_WC_SET(&r->wc, dl_dst);
    FLOW_WC_SET(&r->wc, dl_type);
    if (flow->dl_type == htonbe16(0x0800)) {
        FLOW_WC_SET(&r->wc, nw_frag);
    }

    pthread_mutex_lock(&rules_mutex);
    const struct rule *match = NULL;
    for (size_t i = 0; i < n_rules; i++) {
        const struct rule *rl = &rules[i];
        if (rl->udp_dst >= 0) {
            FLOW_WC_SET(&r->wc, nw_proto);
            FLOW_WC_SET(&r->wc, tp_dst);
        }
        if (rl->recirc_id == flow->recirc_id && rl->in_port == flow->in_port
            && flow->dl_dst.ea[5] == rl->dst_last
            && (rl->udp_dst < 0
                || (flow->nw_proto == IPPROTO_UDP
                    && be16_to_host(flow->tp_dst) == rl->udp_dst))) {
            match = rl;
            break;
        }
    }

    struct dp_actions_builder b;
    dp_actions_builder_init(&b);
    if (match) {
        if (match->out_port) {
            dp_actions_put_output(&b, match->out_port);
        } else if (match->recirc) {
            dp_actions_put_recirc(&b, match->recirc);
        } else if (match->userspace) {
            dp_actions_put_userspace(&b, "hello", 6, 0);
        }
        r->install = !match->no_install;
        struct test_xcache *x = xmalloc(sizeof *x);
        x->rule = match - rules;
        r->xcache = x;
        r->xcache_destroy = xcache_destroy;
        atomic_fetch_add(&n_xcaches, 1);
    }
    pthread_mutex_unlock(&rules_mutex);
    r->actions = dp_actions_builder_finish(&b);
    return 0;
}

static void
fake_userspace(void *aux, struct packet *packet, const void *cookie,
               size_t size)
{
    snprintf(last_cookie, sizeof last_cookie, "%.*s", (int) size,
             (const char *) cookie);
    atomic_fetch_add(&n_userspace, 1);
}

static void
fake_push_stats(void *aux, void *xcache,
                const struct dpif_flow_stats *delta)
{
    atomic_fetch_add(&pushed_packets, delta->n_packets);
}

static void
add_rule(struct rule r)
{
    pthread_mutex_lock(&rules_mutex);
    ASSERT(n_rules < MAX_RULES);
    rules[n_rules++] = r;
    pthread_mutex_unlock(&rules_mutex);
}

static void
run_cmd(const char *cmd)
{
    if (system(cmd)) {
        fprintf(stderr, "test-dpif: \"%s\" failed\n", cmd);
        exit(1);
    }
}

/* Sends an Ethernet/IPv4/UDP frame of 64 bytes from h'host' to
 * 02:00:00:00:00:'dst_last', from 02:00:00:00:01:'src_last'. */
static void
send_frame(int host, uint8_t dst_last, uint8_t src_last, uint16_t udp_dst)
{
    uint8_t f[60];
    memset(f, 0, sizeof f);
    uint8_t dst[6] = { 2, 0, 0, 0, 0, dst_last };
    uint8_t src[6] = { 2, 0, 0, 0, 1, src_last };
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[3] = 46;                 /* Total length: 60 - 14. */
    ip[8] = 64;
    ip[9] = IPPROTO_UDP;
    memcpy(ip + 12, (uint8_t[]) { 10, 0, 0, 1 }, 4);
    memcpy(ip + 16, (uint8_t[]) { 10, 0, 0, 2 }, 4);
    uint8_t *udp = ip + 20;
    udp[0] = 0x30;
    udp[1] = 0x39;
    udp[2] = udp_dst >> 8;
    udp[3] = udp_dst;
    udp[5] = 26;                /* UDP length: 46 - 20. */

    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET, .sll_ifindex = host_ifindex[host],
        .sll_halen = 6,
    };
    memcpy(sll.sll_addr, dst, 6);
    ssize_t n = sendto(host_fd[host], f, sizeof f, 0,
                       (struct sockaddr *) &sll, sizeof sll);
    assert_int_equal(n, sizeof f);
}

/* Receives frames arriving at h'host' for up to 'ms' milliseconds or
 * until 'want' arrived; returns how many arrived.  The last one's
 * destination MAC's last byte goes to '*dst_last' if nonnull. */
static int
recv_frames(int host, int want, int ms, uint8_t *dst_last)
{
    int n = 0;
    while (n < want || !want) {
        struct pollfd pfd = { .fd = host_fd[host], .events = POLLIN };
        if (poll(&pfd, 1, ms) <= 0) {
            break;
        }
        uint8_t buf[2048];
        struct sockaddr_ll sll;
        socklen_t len = sizeof sll;
        ssize_t r = recvfrom(host_fd[host], buf, sizeof buf, MSG_DONTWAIT,
                             (struct sockaddr *) &sll, &len);
        if (r < 0 || sll.sll_pkttype == PACKET_OUTGOING) {
            continue;
        }
        if (dst_last && r >= 6) {
            *dst_last = buf[5];
        }
        n++;
    }
    return n;
}

static void
drain_hosts(void)
{
    for (int h = 1; h <= N_HOSTS; h++) {
        recv_frames(h, 0, 20, NULL);
    }
}

static long long
now_ms(void)
{
    return time_msec();
}

/* Waits until the datapath's counters have seen 'n' lookups. */
static void
wait_lookups(struct dpif *dp, uint64_t n)
{
    long long deadline = now_ms() + 3000;
    struct dpif_stats s;
    do {
        dpif_get_stats(dp, &s);
        if (s.n_emc_hit + s.n_megaflow_hit + s.n_missed + s.n_lost >= n) {
            return;
        }
        usleep(1000);
    } while (now_ms() < deadline);
    fail_msg("only %"PRIu64" lookups of %"PRIu64,
             s.n_emc_hit + s.n_megaflow_hit + s.n_missed, n);
}

static struct dpif *
make_dp(int n_threads, long long max_idle, size_t max_flows)
{
    struct dpif_config cfg;
    struct dpif *dp;

    dpif_config_init(&cfg);
    cfg.n_threads = n_threads;
    if (max_idle) {
        cfg.max_idle_ms = max_idle;
    }
    if (max_flows) {
        cfg.max_flows = max_flows;
    }
    cfg.upcall = fake_upcall;
    cfg.userspace = fake_userspace;
    cfg.push_stats = fake_push_stats;
    assert_int_equal(dpif_create(&cfg, &dp), 0);
    for (uint32_t i = 1; i <= N_HOSTS; i++) {
        uint32_t port_no = i;
        assert_int_equal(dpif_port_add(dp, dp_netdev[i], &port_no), 0);
        assert_int_equal(port_no, i);
    }
    return dp;
}

static int
dp_test_setup(void **state)
{
    n_rules = 0;
    atomic_store(&n_upcalls, 0);
    atomic_store(&n_userspace, 0);
    atomic_store(&pushed_packets, 0);
    drain_hosts();
    return 0;
}

static int
dp_test_teardown(void **state)
{
    struct dpif *dp = *state;
    dpif_destroy(dp);
    *state = NULL;
    assert_int_equal(atomic_load(&n_xcaches), 0);
    return 0;
}

static void
test_dpif_one_upcall_per_megaflow(void **state)
{
    struct dpif *dp = *state = make_dp(1, 0, 0);
    add_rule((struct rule) { .in_port = 1, .dst_last = 2, .udp_dst = -1,
                             .out_port = 2 });

    /* 5 source MACs x 2 packets each: one megaflow (mask on dl_dst), so
     * one upcall; each new source misses the EMC but hits the megaflow;
     * each repeat hits the EMC. */
    for (int i = 0; i < 5; i++) {
        send_frame(1, 2, i, 1000);
        wait_lookups(dp, 2 * i + 1);
        send_frame(1, 2, i, 1000);
        wait_lookups(dp, 2 * i + 2);
    }
    assert_int_equal(recv_frames(2, 10, 1000, NULL), 10);
    assert_int_equal(recv_frames(3, 0, 50, NULL), 0);
    assert_int_equal(atomic_load(&n_upcalls), 1);

    struct dpif_stats s;
    dpif_get_stats(dp, &s);
    assert_int_equal(s.n_missed, 1);
    assert_int_equal(s.n_megaflow_hit, 4);
    assert_int_equal(s.n_emc_hit, 5);
    assert_int_equal(s.n_lost, 0);
    assert_int_equal(s.n_flows, 1);
    assert_int_equal(dpif_flow_count(dp), 1);

    /* Statistics reach the xcache through dpif_run(). */
    dpif_run(dp);
    assert_int_equal(atomic_load(&pushed_packets), 10);
}

static void
test_dpif_dump_format(void **state)
{
    struct dpif *dp = *state = make_dp(1, 0, 0);
    add_rule((struct rule) { .in_port = 1, .dst_last = 3, .udp_dst = 53,
                             .out_port = 3 });
    struct dpif_port_info *before;
    assert_int_equal(dpif_port_list(dp, &before), 3);
    uint64_t rx_before = before[0].stats.rx_packets;
    uint64_t tx_before = before[2].stats.tx_packets;
    free(before);
    for (int i = 0; i < 3; i++) {
        send_frame(1, 3, 1, 53);
    }
    wait_lookups(dp, 3);
    assert_int_equal(recv_frames(3, 3, 1000, NULL), 3);

    struct ds ds;
    ds_init(&ds);
    dpif_flows_format(dp, &ds);
    /* "used:" depends on timing: cut the line there and check the rest
     * separately. */
    const char *s = ds_cstr(&ds);
    const char *used = strstr(s, ", used:");
    assert_non_null(used);
    char *head = xmemdup0(s, used - s);
    assert_string_equal(head,
                        "recirc_id(0),in_port(1),packet_type(ns=0,id=0),"
                        "eth(dst=02:00:00:00:00:03),eth_type(0x0800),"
                        "ipv4(proto=17,frag=no),udp(dst=53), "
                        "packets:3, bytes:180");
    free(head);
    assert_non_null(strstr(used, "s, actions:3\n"));
    assert_null(strchr(strchr(s, '\n') + 1, '\n'));

    ds_clear(&ds);
    dpif_show_format(dp, true, &ds);
    s = ds_cstr(&ds);
    assert_non_null(strstr(s, "netdev@ovs-netdev:\n  lookups: hit:2 "
                           "missed:1 lost:0\n  flows: 1\n"));
    assert_non_null(strstr(s, "  port 1: dp1\n    RX packets:"));
    assert_non_null(strstr(s, "  port 3: dp3\n    RX packets:0 errors:0 "
                           "dropped:0 overruns:0 frame:0\n    TX packets:"));

    /* The port counters moved by what went through. */
    struct dpif_port_info *ports;
    assert_int_equal(dpif_port_list(dp, &ports), 3);
    assert_int_equal(ports[0].stats.rx_packets - rx_before, 3);
    assert_int_equal(ports[2].stats.tx_packets - tx_before, 3);
    free(ports);
    ds_uninit(&ds);

    dpif_flows_flush(dp);
    assert_int_equal(dpif_flow_count(dp), 0);
    assert_int_equal(atomic_load(&pushed_packets), 3);
    assert_int_equal(atomic_load(&n_xcaches), 0);
}

static void
test_dpif_revalidation(void **state)
{
    struct dpif *dp = *state = make_dp(1, 0, 0);
    add_rule((struct rule) { .in_port = 1, .dst_last = 4, .udp_dst = -1,
                             .out_port = 2 });
    send_frame(1, 4, 1, 1);
    assert_int_equal(recv_frames(2, 1, 1000, NULL), 1);

    /* A change that does not affect the flow: re-translated once, kept. */
    dpif_flows_changed(dp);
    send_frame(1, 4, 1, 1);
    assert_int_equal(recv_frames(2, 1, 1000, NULL), 1);
    send_frame(1, 4, 1, 1);
    assert_int_equal(recv_frames(2, 1, 1000, NULL), 1);
    assert_int_equal(atomic_load(&n_upcalls), 2);

    /* A change of the rule's output: the flow is replaced. */
    pthread_mutex_lock(&rules_mutex);
    rules[0].out_port = 3;
    pthread_mutex_unlock(&rules_mutex);
    dpif_flows_changed(dp);
    send_frame(1, 4, 1, 1);
    assert_int_equal(recv_frames(3, 1, 1000, NULL), 1);
    assert_int_equal(recv_frames(2, 0, 50, NULL), 0);
    send_frame(1, 4, 1, 1);
    assert_int_equal(recv_frames(3, 1, 1000, NULL), 1);
    assert_int_equal(atomic_load(&n_upcalls), 3);

    struct dpif_stats s;
    dpif_get_stats(dp, &s);
    assert_int_equal(s.n_revalidated, 2);
    assert_int_equal(s.n_flows, 1);
    dpif_run(dp);
    assert_int_equal(atomic_load(&pushed_packets), 5);
    /* One xcache alive: the new flow's. */
    assert_int_equal(atomic_load(&n_xcaches), 1);
}

static void
test_dpif_expiry(void **state)
{
    struct dpif *dp = *state = make_dp(1, 200, 0);
    add_rule((struct rule) { .in_port = 1, .dst_last = 5, .udp_dst = -1,
                             .out_port = 2 });
    send_frame(1, 5, 1, 1);
    assert_int_equal(recv_frames(2, 1, 1000, NULL), 1);
    dpif_run(dp);
    assert_int_equal(dpif_flow_count(dp), 1);
    usleep(300 * 1000);
    dpif_run(dp);
    assert_int_equal(dpif_flow_count(dp), 0);

    struct dpif_stats s;
    dpif_get_stats(dp, &s);
    assert_int_equal(s.n_expired, 1);
    assert_int_equal(atomic_load(&n_xcaches), 0);
    assert_int_equal(atomic_load(&pushed_packets), 1);

    /* The next packet installs it again. */
    send_frame(1, 5, 1, 1);
    assert_int_equal(recv_frames(2, 1, 1000, NULL), 1);
    assert_int_equal(atomic_load(&n_upcalls), 2);
}

static void
test_dpif_eviction(void **state)
{
    struct dpif *dp = *state = make_dp(1, 0, 4);
    for (int i = 0; i < 6; i++) {
        add_rule((struct rule) { .in_port = 1, .dst_last = 10 + i,
                                 .udp_dst = -1, .out_port = 2 });
    }
    for (int i = 0; i < 6; i++) {
        send_frame(1, 10 + i, 1, 1);
    }
    assert_int_equal(recv_frames(2, 6, 1000, NULL), 6);
    wait_lookups(dp, 6);
    dpif_run(dp);
    struct dpif_stats s;
    dpif_get_stats(dp, &s);
    assert_int_equal(s.n_flows, 4);
    assert_int_equal(s.n_evicted, 2);
    assert_int_equal(atomic_load(&n_xcaches), 4);
    assert_int_equal(atomic_load(&pushed_packets), 6);
}

static void
test_dpif_slow_path_and_userspace(void **state)
{
    struct dpif *dp = *state = make_dp(1, 0, 0);
    add_rule((struct rule) { .in_port = 1, .dst_last = 6, .udp_dst = -1,
                             .out_port = 2, .no_install = true });
    add_rule((struct rule) { .in_port = 1, .dst_last = 7, .udp_dst = -1,
                             .userspace = true });
    for (int i = 0; i < 3; i++) {
        send_frame(1, 6, 1, 1);
        assert_int_equal(recv_frames(2, 1, 1000, NULL), 1);
    }
    assert_int_equal(atomic_load(&n_upcalls), 3);
    assert_int_equal(dpif_flow_count(dp), 0);

    send_frame(1, 7, 1, 1);
    send_frame(1, 7, 1, 1);
    wait_lookups(dp, 5);
    long long deadline = now_ms() + 1000;
    while (atomic_load(&n_userspace) < 2 && now_ms() < deadline) {
        usleep(1000);
    }
    assert_int_equal(atomic_load(&n_userspace), 2);
    assert_string_equal(last_cookie, "hello");
    assert_int_equal(atomic_load(&n_upcalls), 4);

    dpif_run(dp);
    assert_int_equal(atomic_load(&pushed_packets), 5);
    assert_int_equal(atomic_load(&n_xcaches), 1);
}

static void
test_dpif_recirculation(void **state)
{
    struct dpif *dp = *state = make_dp(1, 0, 0);
    add_rule((struct rule) { .in_port = 1, .dst_last = 8, .udp_dst = -1,
                             .recirc = 7 });
    add_rule((struct rule) { .recirc_id = 7, .in_port = 1, .dst_last = 8,
                             .udp_dst = -1, .out_port = 3 });
    send_frame(1, 8, 1, 1);
    assert_int_equal(recv_frames(3, 1, 1000, NULL), 1);
    send_frame(1, 8, 1, 1);
    assert_int_equal(recv_frames(3, 1, 1000, NULL), 1);
    assert_int_equal(atomic_load(&n_upcalls), 2);
    assert_int_equal(dpif_flow_count(dp), 2);

    struct ds ds;
    ds_init(&ds);
    dpif_flows_format(dp, &ds);
    assert_non_null(strstr(ds_cstr(&ds), "recirc_id(0x7),in_port(1),"));
    assert_non_null(strstr(ds_cstr(&ds), "actions:recirc(0x7)"));
    ds_uninit(&ds);
}

static void
test_dpif_execute_and_slow_path(void **state)
{
    struct dpif *dp = *state = make_dp(1, 0, 0);
    struct dp_actions_builder b;
    uint8_t frame[60] = { 2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 1, 1, 0x88, 0xb5 };

    dp_actions_builder_init(&b);
    dp_actions_put_output(&b, 3);
    struct dp_actions *acts = dp_actions_builder_finish(&b);
    dpif_execute(dp, packet_clone_data(frame, sizeof frame), acts);
    dp_actions_destroy(acts);
    assert_int_equal(recv_frames(3, 1, 1000, NULL), 1);

    /* Through the upcall from the main thread, caching nothing. */
    add_rule((struct rule) { .in_port = 2, .dst_last = 9, .udp_dst = -1,
                             .out_port = 1 });
    struct packet *p = packet_clone_data(frame, sizeof frame);
    p->md.in_port = 2;
    assert_int_equal(dpif_slow_path(dp, p), 0);
    assert_int_equal(recv_frames(1, 1, 1000, NULL), 1);
    assert_int_equal(atomic_load(&n_upcalls), 1);
    assert_int_equal(dpif_flow_count(dp), 0);
    assert_int_equal(atomic_load(&pushed_packets), 1);
}

static void
test_dpif_ports(void **state)
{
    struct dpif *dp = *state = make_dp(2, 0, 0);
    struct dpif_port_info *ports;

    assert_int_equal(dpif_port_list(dp, &ports), 3);
    assert_int_equal(ports[2].port_no, 3);
    assert_string_equal(netdev_get_name(ports[2].netdev), "dp3");
    free(ports);

    uint32_t port_no = 2;
    assert_int_equal(dpif_port_add(dp, dp_netdev[1], &port_no), -EEXIST);
    assert_int_equal(dpif_port_del(dp, 2), 0);
    assert_int_equal(dpif_port_del(dp, 2), -ENOENT);
    assert_null(dpif_port_netdev(dp, 2));
    assert_int_equal(dpif_port_list(dp, &ports), 2);
    free(ports);

    /* Output to a removed port drops; other ports still forward (two
     * threads share the queues). */
    add_rule((struct rule) { .in_port = 1, .dst_last = 2, .udp_dst = -1,
                             .out_port = 2 });
    add_rule((struct rule) { .in_port = 3, .dst_last = 1, .udp_dst = -1,
                             .out_port = 1 });
    send_frame(1, 2, 1, 1);
    send_frame(3, 1, 1, 1);
    assert_int_equal(recv_frames(1, 1, 1000, NULL), 1);
    assert_int_equal(recv_frames(2, 0, 100, NULL), 0);

    /* The number is reusable, and DPIF_PORT_ANY takes the lowest free. */
    port_no = DPIF_PORT_ANY;
    assert_int_equal(dpif_port_add(dp, dp_netdev[2], &port_no), 0);
    assert_int_equal(port_no, 2);
    dpif_flows_flush(dp);
    send_frame(1, 2, 1, 1);
    assert_int_equal(recv_frames(2, 1, 1000, NULL), 1);
}

/* Creates the namespace and veth pairs and opens the netdevs. */
static void
setup_network(void)
{
    if (unshare(CLONE_NEWNET)) {
        fprintf(stderr, "test-dpif: unshare(CLONE_NEWNET): %s (needs "
                "root)\n", strerror(errno));
        exit(1);
    }
    int fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY);
    if (fd >= 0) {
        if (write(fd, "1\n", 2) != 2) {
            /* IPv6 noise only costs extra upcalls. */
        }
        close(fd);
    }
    for (int i = 1; i <= N_HOSTS; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd,
                 "ip link add dp%d type veth peer name h%d && "
                 "ip link set dp%d up && ip link set h%d up", i, i, i, i);
        run_cmd(cmd);

        char name[16];
        snprintf(name, sizeof name, "h%d", i);
        host_ifindex[i] = if_nametoindex(name);
        host_fd[i] = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
        struct sockaddr_ll sll = {
            .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
            .sll_ifindex = host_ifindex[i],
        };
        if (host_fd[i] < 0
            || bind(host_fd[i], (struct sockaddr *) &sll, sizeof sll)) {
            fprintf(stderr, "test-dpif: h%d: %s\n", i, strerror(errno));
            exit(1);
        }

        snprintf(name, sizeof name, "dp%d", i);
        int err = netdev_open(name, "system", NULL, &dp_netdev[i]);
        if (err) {
            fprintf(stderr, "test-dpif: %s: %s\n", name, strerror(-err));
            exit(1);
        }
    }
    usleep(100 * 1000);
}

int
main(void)
{
    const struct CMUnitTest pure_tests[] = {
        cmocka_unit_test(test_flow_cache_lookup_by_mask),
        cmocka_unit_test(test_flow_cache_emc_and_removal),
        cmocka_unit_test(test_flow_cache_emc_bypass),
        cmocka_unit_test(test_flow_cache_lru_order),
        cmocka_unit_test(test_key_format),
    };
#define DP_TEST(F) cmocka_unit_test_setup_teardown(F, dp_test_setup, \
                                                   dp_test_teardown)
    const struct CMUnitTest dp_tests[] = {
        DP_TEST(test_dpif_one_upcall_per_megaflow),
        DP_TEST(test_dpif_dump_format),
        DP_TEST(test_dpif_revalidation),
        DP_TEST(test_dpif_expiry),
        DP_TEST(test_dpif_eviction),
        DP_TEST(test_dpif_slow_path_and_userspace),
        DP_TEST(test_dpif_recirculation),
        DP_TEST(test_dpif_execute_and_slow_path),
        DP_TEST(test_dpif_ports),
    };

    int failed = cmocka_run_group_tests_name("flow-cache", pure_tests,
                                             NULL, NULL);
    setup_network();
    failed += cmocka_run_group_tests_name("dpif", dp_tests, NULL, NULL);
    for (int i = 1; i <= N_HOSTS; i++) {
        netdev_close(dp_netdev[i]);
        close(host_fd[i]);
    }
    return failed;
}
