/* The userspace datapath engine: ports, packet threads, per-thread flow
 * caches, upcalls, revalidation and expiry.  See dpif.h.
 *
 * Locking.  Each packet thread ("pmd") holds its own 'mutex' while it
 * processes what one poll of its queues brought (up to 32 packets per
 * queue), and releases it before it sleeps; the main thread takes it to
 * dump, expire or flush the thread's flow cache.  So the cache itself
 * needs no other synchronization and the hot path takes one uncontended
 * lock per loop, never one per packet.
 *
 * Ports live in 'dp->ports', written by the main thread under
 * 'port_mutex'.  A thread never reads that table while it processes
 * packets: it works from a private copy (its rx queues and a port number
 * to netdev table) that it rebuilds when 'port_seq' changes, and it
 * acknowledges the rebuild, so dpif_port_del() can wait until no thread
 * uses a netdev any more.
 *
 * Every xcache is destroyed, and every statistics push made, in the main
 * thread: a packet thread that drops an xcache only queues it on its
 * 'retired' list, which dpif_run() drains. */
#include "datapath/dpif.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "datapath/conntrack.h"
#include "datapath/dp-actions.h"
#include "datapath/dp-execute.h"
#include "datapath/dp-meter.h"
#include "datapath/flow-cache.h"
#include "datapath/flow-extract.h"
#include "datapath/packet.h"
#include "lib/counter.h"
#include "lib/ds.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(dpif);

#define DPIF_IDLE_POLL_MS 100   /* Longest sleep of an idle thread. */
/* How long a thread polls on after its last packet before it sleeps
 * (--busy-poll-us).  A sleeping thread is woken through the scheduler,
 * which in a virtual machine (an interprocessor interrupt to a halted
 * CPU) costs tens of microseconds, paid by each packet of a
 * request/response exchange; polling on takes that off while traffic
 * flows.  But the spinning thread takes CPU time that the VMs' own stacks
 * need when the machine is small: measured here (2 cores, interleaved
 * runs), 20 us gave 10-20% more short TCP connections per second with 2
 * clients and none with 16, and 15-50% fewer 64-byte UDP packets
 * delivered under a flood (the receiving socket starved).  Off by
 * default; sched_yield() between rounds was worse for TCP throughput. */
#define DPIF_DEFAULT_BUSY_POLL_US 0

/* Tells the CPU that this is a spin-wait (less power, no penalty for the
 * memory-order violation at the loop's exit). */
static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    for (int i = 0; i < 50; i++) {
        __asm__ volatile("pause");
    }
#elif defined(__aarch64__)
    for (int i = 0; i < 50; i++) {
        __asm__ volatile("yield");
    }
#endif
}
#define DPIF_MAX_RECIRC_DEPTH 6 /* Recirculations of one packet. */

/* A port of the datapath. */
struct dp_port {
    uint32_t port_no;           /* Datapath port number. */
    struct netdev *netdev;      /* Borrowed from the caller. */
    int n_rxq;                  /* netdev_n_rxq(). */
    int *rxq_pmd;               /* Thread polling each rx queue. */
};

/* One rx queue as a thread polls it. */
struct pmd_rxq {
    struct netdev *netdev;      /* The port's netdev. */
    uint32_t port_no;           /* The port's number. */
    int qid;                    /* Queue number. */
};

/* An xcache a packet thread dropped, with the statistics it still has to
 * be credited; pushed and destroyed by the main thread. */
struct dp_xcache_push {
    void *xcache;               /* The switch's. */
    void (*destroy)(void *);    /* Frees it, or NULL to keep it. */
    struct dpif_flow_stats delta; /* Not yet credited. */
};

struct dp_xcache_pushes {
    struct dp_xcache_push *items; /* xmalloc()ed. */
    size_t n;                   /* Used. */
    size_t allocated;           /* Allocated. */
};

/* Counters of one thread, written only by it. */
struct pmd_counters {
    atomic_uint_least64_t emc_hit;
    atomic_uint_least64_t megaflow_hit;
    atomic_uint_least64_t missed;
    atomic_uint_least64_t lost;
    atomic_uint_least64_t revalidated;
    atomic_uint_least64_t evicted;
    atomic_uint_least64_t n_flows; /* Live megaflows now. */
};

/* A packet thread. */
struct pmd {
    struct dpif *dp;            /* Owner. */
    int id;                     /* 0..n_threads-1; also its tx queue. */
    pthread_t thread;           /* The thread. */
    bool started;               /* Whether 'thread' runs. */
    int wakeup_fd;              /* eventfd: the main thread's poke. */

    /* Held while the thread processes packets; protects everything in
     * this group. */
    pthread_mutex_t mutex;
    struct flow_cache fc;       /* The thread's caches. */
    struct dp_xcache_pushes retired; /* Dropped xcaches. */

    /* The thread's copy of the ports (touched only by the thread). */
    struct pmd_rxq *rxqs;       /* Queues to poll. */
    size_t n_rxqs;
    struct netdev **tx;         /* Port number -> netdev, or NULL. */
    size_t n_tx;                /* Entries in 'tx'. */
    struct pollfd *pollfds;     /* rxqs' fds then wakeup_fd. */
    atomic_uint_least64_t seen_seq; /* port_seq of the last rebuild. */

    struct flow_extract_stats fx_stats; /* Extraction results. */
    struct pmd_counters ctr;    /* Lookup counters. */
};

struct dpif {
    struct dpif_config config;  /* Copied; 'name' points to 'name'. */
    char *name;                 /* Owned copy of the name. */
    size_t flows_per_pmd;       /* max_flows / n_threads, at least 1. */

    /* Ports: the table is written by the main thread under
     * 'port_mutex'; threads read it only under it. */
    pthread_mutex_t port_mutex;
    pthread_cond_t reload_cond; /* Signalled when a thread rebuilt. */
    struct dp_port **ports;     /* By port number; NULL if free. */
    size_t n_ports_alloc;       /* Entries in 'ports'. */
    unsigned next_pmd;          /* Round-robin cursor for rx queues. */
    atomic_uint_least64_t port_seq; /* Bumped on every port change. */

    atomic_uint_least64_t generation; /* dpif_flows_changed() count. */
    atomic_bool exiting;        /* Tells the threads to stop. */

    struct pmd *pmds;           /* 'config.n_threads' of them. */

    /* Main thread only. */
    uint64_t n_expired;         /* Megaflows expired. */
    atomic_uint_least64_t main_lost; /* Packets lost in the main thread. */
};

/* What dp_execute()'s callbacks need. */
struct dp_exec_ctx {
    struct dpif *dp;            /* The datapath. */
    struct pmd *pmd;            /* The packet thread, NULL in main. */
    int depth;                  /* Recirculations so far. */
    long long now;              /* time_msec() for the batch. */
    uint64_t generation;        /* Generation for the batch. */
};

static void pmd_process(struct pmd *, struct packet_batch *, int depth,
                        long long now, uint64_t generation);
static void main_slow_path(struct dpif *, struct packet *, int depth);

static inline void
ctr_add(atomic_uint_least64_t *c, uint64_t n)
{
    if (n) {
        atomic_store_explicit(c, atomic_load_explicit(
                                  c, memory_order_relaxed) + n,
                              memory_order_relaxed);
    }
}

static inline uint64_t
ctr_get(const atomic_uint_least64_t *c)
{
    return atomic_load_explicit((atomic_uint_least64_t *) c,
                                memory_order_relaxed);
}

static void
pushes_add(struct dp_xcache_pushes *v, void *xcache, void (*destroy)(void *),
           const struct dpif_flow_stats *delta)
{
    if (!xcache && !destroy) {
        return;
    }
    if (v->n == v->allocated) {
        v->items = x2nrealloc(v->items, &v->allocated, sizeof *v->items);
    }
    struct dp_xcache_push *p = &v->items[v->n++];
    p->xcache = xcache;
    p->destroy = destroy;
    p->delta = *delta;
}

/* Pushes and destroys what 'v' holds, in the main thread, and empties
 * it. */
static void
pushes_run(struct dpif *dp, struct dp_xcache_pushes *v)
{
    for (size_t i = 0; i < v->n; i++) {
        struct dp_xcache_push *p = &v->items[i];

        if (dp->config.push_stats && p->xcache
            && (p->delta.n_packets || !p->destroy)) {
            dp->config.push_stats(dp->config.aux, p->xcache, &p->delta);
        }
        if (p->destroy) {
            p->destroy(p->xcache);
        }
    }
    v->n = 0;
}

/* The statistics of 'flow' not yet credited to its xcache; marks them
 * credited. */
static struct dpif_flow_stats
megaflow_take_delta(struct megaflow *flow)
{
    struct dpif_flow_stats d = {
        .n_packets = flow->stats.n_packets - flow->pushed_packets,
        .n_bytes = flow->stats.n_bytes - flow->pushed_bytes,
        .used = flow->stats.used,
        .tcp_flags = flow->stats.tcp_flags,
    };
    flow->pushed_packets = flow->stats.n_packets;
    flow->pushed_bytes = flow->stats.n_bytes;
    return d;
}

/* dp_execute() callbacks. */

static void
exec_output(void *ctx_, uint32_t port, struct packet_batch *batch)
{
    struct dp_exec_ctx *ctx = ctx_;
    struct netdev *netdev = NULL;
    int qid;

    if (ctx->pmd) {
        if (port < ctx->pmd->n_tx) {
            netdev = ctx->pmd->tx[port];
        }
        qid = ctx->pmd->id;
    } else {
        netdev = dpif_port_netdev(ctx->dp, port);
        qid = ctx->dp->config.n_threads;
    }
    if (netdev) {
        netdev_send(netdev, qid, batch);
    } else {
        packet_batch_destroy_all(batch);
    }
}

static void
exec_upcall(void *ctx_, struct packet *packet, const void *cookie,
            size_t cookie_size)
{
    struct dp_exec_ctx *ctx = ctx_;

    if (ctx->dp->config.userspace) {
        ctx->dp->config.userspace(ctx->dp->config.aux, packet, cookie,
                                  cookie_size);
    }
}

static void
exec_recirculate(void *ctx_, struct packet_batch *batch, uint32_t id)
{
    struct dp_exec_ctx *ctx = ctx_;

    if (ctx->depth >= DPIF_MAX_RECIRC_DEPTH) {
        static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 5);
        LOG_WARN_RL(&rl, "%s: recirculation depth exceeded, dropping",
                    ctx->dp->name);
        if (ctx->pmd) {
            ctr_add(&ctx->pmd->ctr.lost, batch->count);
        } else {
            ctr_add(&ctx->dp->main_lost, batch->count);
        }
        packet_batch_destroy_all(batch);
        return;
    }
    if (ctx->pmd) {
        pmd_process(ctx->pmd, batch, ctx->depth + 1, ctx->now,
                    ctx->generation);
    } else {
        for (size_t i = 0; i < batch->count; i++) {
            main_slow_path(ctx->dp, batch->packets[i], ctx->depth + 1);
        }
        batch->count = 0;
    }
}

/* The ct action, with the config's tracker. */
static void
exec_conntrack(void *ctx_, struct packet_batch *batch,
               const struct dp_action_ct *ct)
{
    struct dp_exec_ctx *ctx = ctx_;

    conntrack_execute(ctx->dp->config.conntrack, batch, ct, ctx->now);
}

/* The meter action, with the config's meter table (dp_meter_execute()
 * passes everything without one). */
static void
exec_meter(void *ctx_, struct packet_batch *batch, uint32_t meter_id)
{
    struct dp_exec_ctx *ctx = ctx_;

    dp_meter_execute(ctx->dp->config.meters, meter_id, batch, ctx->now);
}

/* Without a tracker (config.conntrack NULL), dp_execute() marks packets of
 * a ct action trk|inv. */
static const struct dp_exec_ops exec_ops = {
    .output = exec_output,
    .upcall = exec_upcall,
    .recirculate = exec_recirculate,
    .conntrack = NULL,
    .meter = exec_meter,
};

static const struct dp_exec_ops exec_ops_ct = {
    .output = exec_output,
    .upcall = exec_upcall,
    .recirculate = exec_recirculate,
    .conntrack = exec_conntrack,
    .meter = exec_meter,
};

/* Runs 'actions' (NULL drops) on 'batch'. */
static void
run_actions(struct dp_exec_ctx *ctx, struct packet_batch *batch,
            const struct dp_actions *actions)
{
    if (!actions || !actions->size) {
        packet_batch_destroy_all(batch);
        return;
    }
    dp_execute(ctx->dp->config.conntrack ? &exec_ops_ct : &exec_ops, ctx,
               batch, dp_actions_get(actions),
               actions->size);
}

/* Upcalls. */

/* Calls the upcall for 'packet' with key 'key', filling 'result' and
 * forcing the always-exact bits into its mask.  Returns its result. */
static int
do_upcall(struct dpif *dp, const struct flow *key,
          const struct packet *packet, struct dp_upcall_result *result)
{
    memset(result, 0, sizeof *result);
    result->install = true;
    int err = dp->config.upcall(dp->config.aux, key, packet, result);
    if (err) {
        dp_actions_destroy(result->actions);
        if (result->xcache_destroy) {
            result->xcache_destroy(result->xcache);
        }
        return err;
    }
    FLOW_WC_SET(&result->wc, recirc_id);
    FLOW_WC_SET(&result->wc, in_port);
    FLOW_WC_SET(&result->wc, packet_type);
    return 0;
}

static bool
dp_actions_equal(const struct dp_actions *a, const struct dp_actions *b)
{
    size_t sa = a ? a->size : 0;
    size_t sb = b ? b->size : 0;
    return sa == sb && (!sa || !memcmp(a->data, b->data, sa));
}

/* Installs 'result' (consumed) for 'packet' with key 'key' in 'pmd's
 * cache (and in its EMC under '*hash', unless 'hash' is NULL: the EMC is
 * bypassed) and returns the megaflow; or, if it is not to
 * be installed or the cache cannot take it, runs its actions on 'packet'
 * alone (consuming it) and returns NULL. */
static struct megaflow *
pmd_install(struct dp_exec_ctx *ctx, struct packet *packet,
            const struct flow *key, const uint32_t *hash,
            struct dp_upcall_result *result)
{
    struct pmd *pmd = ctx->pmd;
    struct flow_cache *fc = &pmd->fc;

    if (result->install
        && flow_cache_find_exact(fc, key, &result->wc)) {
        /* Cannot happen with well-formed masks (a lookup just missed);
         * keep the cache consistent anyway. */
        result->install = false;
    }
    if (!result->install) {
        struct dpif_flow_stats d = {
            .n_packets = 1, .n_bytes = packet_size(packet),
            .used = ctx->now, .tcp_flags = be16_to_host(key->tcp_flags),
        };
        struct packet_batch b;

        pushes_add(&pmd->retired, result->xcache, result->xcache_destroy,
                   &d);
        packet_batch_init(&b);
        packet_batch_add(&b, packet);
        run_actions(ctx, &b, result->actions);
        dp_actions_destroy(result->actions);
        return NULL;
    }

    while (fc->n_flows >= pmd->dp->flows_per_pmd) {
        flow_cache_remove(fc, flow_cache_lru_oldest(fc));
        ctr_add(&pmd->ctr.evicted, 1);
    }
    struct megaflow *flow = flow_cache_insert(fc, key, &result->wc,
                                              result->actions,
                                              ctx->generation, ctx->now);
    flow->xcache = result->xcache;
    flow->xcache_destroy = result->xcache_destroy;
    if (hash) {
        flow_cache_emc_insert(fc, key, *hash, flow);
    }
    return flow;
}

/* 'flow' was made in an older generation: translates 'packet' again
 * ('hash' as for pmd_install()).  Returns the megaflow to use for it (the
 * same one, refreshed, or a new one), or NULL if the packet was
 * consumed. */
static struct megaflow *
pmd_revalidate(struct dp_exec_ctx *ctx, struct megaflow *flow,
               struct packet *packet, const struct flow *key,
               const uint32_t *hash)
{
    struct pmd *pmd = ctx->pmd;
    struct dp_upcall_result result;

    ctr_add(&pmd->ctr.revalidated, 1);
    int err = do_upcall(pmd->dp, key, packet, &result);
    if (err) {
        flow_cache_remove(&pmd->fc, flow);
        ctr_add(&pmd->ctr.lost, 1);
        packet_destroy(packet);
        return NULL;
    }
    if (result.install
        && !memcmp(megaflow_mask(flow), &result.wc, sizeof result.wc)
        && dp_actions_equal(flow->actions, result.actions)) {
        struct dpif_flow_stats d = megaflow_take_delta(flow);

        pushes_add(&pmd->retired, flow->xcache, flow->xcache_destroy, &d);
        flow->xcache = result.xcache;
        flow->xcache_destroy = result.xcache_destroy;
        flow->generation = ctx->generation;
        dp_actions_destroy(result.actions);
        return flow;
    }
    flow_cache_remove(&pmd->fc, flow);
    return pmd_install(ctx, packet, key, hash, &result);
}

/* Packets of one megaflow within a batch. */
struct pmd_group {
    struct megaflow *flow;      /* The megaflow. */
    struct packet_batch batch;  /* Its packets. */
    uint64_t n_bytes;           /* Their bytes. */
    uint16_t tcp_flags;         /* OR of their TCP flags. */
};

/* Looks up, groups and runs the packets of 'batch' (consumed) in 'pmd'.
 * 'depth' counts recirculations. */
static void
pmd_process(struct pmd *pmd, struct packet_batch *batch, int depth,
            long long now, uint64_t generation)
{
    struct dp_exec_ctx ctx = {
        .dp = pmd->dp, .pmd = pmd, .depth = depth, .now = now,
        .generation = generation,
    };
    struct flow_cache *fc = &pmd->fc;
    struct pmd_group groups[PACKET_BATCH_SIZE];
    size_t n_groups = 0;
    uint64_t n_emc = 0, n_mf = 0, n_miss = 0, n_lost = 0;
    struct flow key;

    for (size_t i = 0; i < batch->count; i++) {
        struct packet *p = batch->packets[i];
        enum flow_extract_error fe = flow_extract(p, &key, &pmd->fx_stats);

        if (flow_extract_error_is_drop(fe)) {
            n_lost++;
            packet_destroy(p);
            continue;
        }

        /* The EMC first, unless it is bypassed for missing too often
         * (flow_cache_emc_use()). */
        bool emc = flow_cache_emc_use(fc);
        uint32_t hash = 0;
        struct megaflow *flow = NULL;
        if (emc) {
            hash = flow_cache_key_hash(&key);
            flow = flow_cache_emc_lookup(fc, &key, hash);
            flow_cache_emc_account(fc, flow != NULL);
        }
        if (flow) {
            n_emc++;
        } else {
            flow = flow_cache_lookup(fc, &key);
            if (flow) {
                n_mf++;
                if (emc) {
                    flow_cache_emc_insert(fc, &key, hash, flow);
                }
            }
        }
        if (flow && flow->generation != generation) {
            flow = pmd_revalidate(&ctx, flow, p, &key, emc ? &hash : NULL);
        } else if (!flow) {
            struct dp_upcall_result result;

            n_miss++;
            if (do_upcall(pmd->dp, &key, p, &result)) {
                n_lost++;
                packet_destroy(p);
                continue;
            }
            flow = pmd_install(&ctx, p, &key, emc ? &hash : NULL,
                               &result);
        }
        if (!flow) {
            continue;
        }

        struct pmd_group *g = NULL;
        for (size_t j = n_groups; j-- > 0;) {
            if (groups[j].flow == flow) {
                g = &groups[j];
                break;
            }
        }
        if (!g) {
            g = &groups[n_groups++];
            g->flow = flow;
            g->n_bytes = 0;
            g->tcp_flags = 0;
            packet_batch_init(&g->batch);
        }
        packet_batch_add(&g->batch, p);
        g->n_bytes += packet_size(p);
        g->tcp_flags |= be16_to_host(key.tcp_flags);
    }
    batch->count = 0;

    ctr_add(&pmd->ctr.emc_hit, n_emc);
    ctr_add(&pmd->ctr.megaflow_hit, n_mf);
    ctr_add(&pmd->ctr.missed, n_miss);
    ctr_add(&pmd->ctr.lost, n_lost);

    for (size_t j = 0; j < n_groups; j++) {
        struct pmd_group *g = &groups[j];
        struct megaflow *flow = g->flow;

        flow->stats.n_packets += g->batch.count;
        flow->stats.n_bytes += g->n_bytes;
        flow->stats.used = now;
        flow->stats.tcp_flags |= g->tcp_flags;
        if (!flow->dead) {
            flow_cache_touch(fc, flow);
        }
        run_actions(&ctx, &g->batch, flow->actions);
    }
}

/* The packet threads. */

/* Rebuilds 'pmd's copy of the ports from the datapath's table. */
static void
pmd_reload(struct pmd *pmd)
{
    struct dpif *dp = pmd->dp;

    pthread_mutex_lock(&dp->port_mutex);
    uint64_t seq = atomic_load(&dp->port_seq);

    pmd->n_rxqs = 0;
    free(pmd->rxqs);
    free(pmd->tx);
    pmd->rxqs = NULL;
    pmd->n_tx = dp->n_ports_alloc;
    pmd->tx = xcalloc(pmd->n_tx ? pmd->n_tx : 1, sizeof *pmd->tx);
    size_t n_alloc = 0;
    for (size_t i = 0; i < dp->n_ports_alloc; i++) {
        struct dp_port *port = dp->ports[i];
        if (!port) {
            continue;
        }
        pmd->tx[i] = port->netdev;
        for (int q = 0; q < port->n_rxq; q++) {
            if (port->rxq_pmd[q] != pmd->id) {
                continue;
            }
            if (pmd->n_rxqs == n_alloc) {
                pmd->rxqs = x2nrealloc(pmd->rxqs, &n_alloc,
                                       sizeof *pmd->rxqs);
            }
            pmd->rxqs[pmd->n_rxqs++] = (struct pmd_rxq) {
                .netdev = port->netdev, .port_no = port->port_no, .qid = q,
            };
        }
    }
    free(pmd->pollfds);
    pmd->pollfds = xcalloc(pmd->n_rxqs + 1, sizeof *pmd->pollfds);
    for (size_t i = 0; i < pmd->n_rxqs; i++) {
        pmd->pollfds[i].fd = netdev_rxq_fd(pmd->rxqs[i].netdev,
                                           pmd->rxqs[i].qid);
        pmd->pollfds[i].events = POLLIN;
    }
    pmd->pollfds[pmd->n_rxqs].fd = pmd->wakeup_fd;
    pmd->pollfds[pmd->n_rxqs].events = POLLIN;

    atomic_store(&pmd->seen_seq, seq);
    pthread_cond_broadcast(&dp->reload_cond);
    pthread_mutex_unlock(&dp->port_mutex);
}

/* The monotonic clock in nanoseconds (vDSO: no system call). */
static int64_t
monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleeps until a queue or the wakeup fd is readable, or a short
 * timeout. */
static void
pmd_wait(struct pmd *pmd)
{
    int n = poll(pmd->pollfds, pmd->n_rxqs + 1, DPIF_IDLE_POLL_MS);
    if (n > 0 && pmd->pollfds[pmd->n_rxqs].revents) {
        uint64_t x;
        if (read(pmd->wakeup_fd, &x, sizeof x) < 0) {
            /* EAGAIN: someone else drained it. */
        }
    }
}

static void *
pmd_main(void *pmd_)
{
    struct pmd *pmd = pmd_;
    struct dpif *dp = pmd->dp;
    long long last_flush = 0;
    int64_t busy_poll_ns = (int64_t) dp->config.busy_poll_us * 1000;
    int64_t last_packet_ns = 0;

    pmd_reload(pmd);
    while (!atomic_load(&dp->exiting)) {
        if (atomic_load(&dp->port_seq) != atomic_load(&pmd->seen_seq)) {
            pmd_reload(pmd);
            continue;
        }

        size_t n_packets = 0;
        pthread_mutex_lock(&pmd->mutex);
        long long now = time_msec();
        uint64_t generation = atomic_load(&dp->generation);
        for (size_t i = 0; i < pmd->n_rxqs; i++) {
            struct pmd_rxq *rxq = &pmd->rxqs[i];
            struct packet_batch batch;

            packet_batch_init(&batch);
            if (netdev_rxq_recv(rxq->netdev, rxq->qid, &batch)) {
                continue;
            }
            for (size_t j = 0; j < batch.count; j++) {
                batch.packets[j]->md.in_port = rxq->port_no;
            }
            n_packets += batch.count;
            pmd_process(pmd, &batch, 0, now, generation);
        }
        atomic_store_explicit(&pmd->ctr.n_flows, pmd->fc.n_flows,
                              memory_order_relaxed);
        pthread_mutex_unlock(&pmd->mutex);

        if (now - last_flush >= 1000) {
            counter_flush();
            last_flush = now;
        }
        if (n_packets) {
            last_packet_ns = monotonic_ns();
        } else if (busy_poll_ns
                   && monotonic_ns() - last_packet_ns < busy_poll_ns) {
            cpu_relax();
        } else {
            pmd_wait(pmd);
        }
    }
    counter_flush();
    return NULL;
}

static void
pmd_poke(struct pmd *pmd)
{
    uint64_t one = 1;
    if (write(pmd->wakeup_fd, &one, sizeof one) < 0) {
        /* The counter is saturated: the thread will wake anyway. */
    }
}

/* Makes every thread rebuild its port copy and waits until they have.
 * Called with 'port_mutex' held, after changing the table. */
static void
dp_reload_pmds(struct dpif *dp)
{
    uint64_t seq = atomic_fetch_add(&dp->port_seq, 1) + 1;

    for (int i = 0; i < dp->config.n_threads; i++) {
        pmd_poke(&dp->pmds[i]);
    }
    for (int i = 0; i < dp->config.n_threads; i++) {
        while (atomic_load(&dp->pmds[i].seen_seq) < seq) {
            pthread_cond_wait(&dp->reload_cond, &dp->port_mutex);
        }
    }
}

/* Creation and destruction. */

void
dpif_config_init(struct dpif_config *config)
{
    memset(config, 0, sizeof *config);
    config->name = "ovs-netdev";
    config->n_threads = 1;
    config->max_idle_ms = DPIF_DEFAULT_MAX_IDLE_MS;
    config->max_flows = DPIF_DEFAULT_MAX_FLOWS;
    config->emc_entries = DPIF_DEFAULT_EMC_ENTRIES;
    config->busy_poll_us = DPIF_DEFAULT_BUSY_POLL_US;
}

int
dpif_create(const struct dpif_config *config, struct dpif **dpifp)
{
    *dpifp = NULL;
    if (!config->upcall || config->n_threads < 1
        || config->n_threads > 64) {
        return -EINVAL;
    }

    struct dpif *dp = xzalloc(sizeof *dp);
    dp->config = *config;
    dp->name = xstrdup(config->name ? config->name : "ovs-netdev");
    dp->config.name = dp->name;
    if (!dp->config.max_flows) {
        dp->config.max_flows = DPIF_DEFAULT_MAX_FLOWS;
    }
    dp->flows_per_pmd = MAX(1, dp->config.max_flows / config->n_threads);
    pthread_mutex_init(&dp->port_mutex, NULL);
    pthread_cond_init(&dp->reload_cond, NULL);
    atomic_init(&dp->port_seq, 1);
    atomic_init(&dp->generation, 1);
    atomic_init(&dp->exiting, false);

    dp->pmds = xcalloc(config->n_threads, sizeof *dp->pmds);
    for (int i = 0; i < config->n_threads; i++) {
        struct pmd *pmd = &dp->pmds[i];

        pmd->dp = dp;
        pmd->id = i;
        pthread_mutex_init(&pmd->mutex, NULL);
        flow_cache_init(&pmd->fc, config->emc_entries);
        pmd->wakeup_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (pmd->wakeup_fd < 0) {
            int err = -errno;
            LOG_ERR("%s: eventfd: %s", dp->name, strerror(errno));
            dpif_destroy(dp);
            return err;
        }
    }
    for (int i = 0; i < config->n_threads; i++) {
        struct pmd *pmd = &dp->pmds[i];
        int err = pthread_create(&pmd->thread, NULL, pmd_main, pmd);
        if (err) {
            LOG_ERR("%s: pthread_create: %s", dp->name, strerror(err));
            dpif_destroy(dp);
            return -err;
        }
        pmd->started = true;
    }
    *dpifp = dp;
    return 0;
}

void
dpif_destroy(struct dpif *dp)
{
    if (!dp) {
        return;
    }
    atomic_store(&dp->exiting, true);
    for (int i = 0; i < dp->config.n_threads; i++) {
        struct pmd *pmd = &dp->pmds[i];
        if (pmd->started) {
            pmd_poke(pmd);
            pthread_join(pmd->thread, NULL);
        }
    }
    for (int i = 0; i < dp->config.n_threads; i++) {
        struct pmd *pmd = &dp->pmds[i];

        if (!pmd->dp) {
            continue;
        }
        flow_cache_uninit(&pmd->fc);
        for (size_t j = 0; j < pmd->retired.n; j++) {
            struct dp_xcache_push *p = &pmd->retired.items[j];
            if (p->destroy) {
                p->destroy(p->xcache);
            }
        }
        free(pmd->retired.items);
        free(pmd->rxqs);
        free(pmd->tx);
        free(pmd->pollfds);
        if (pmd->dp) {
            if (pmd->wakeup_fd >= 0) {
                close(pmd->wakeup_fd);
            }
            pthread_mutex_destroy(&pmd->mutex);
        }
    }
    for (size_t i = 0; i < dp->n_ports_alloc; i++) {
        if (dp->ports[i]) {
            free(dp->ports[i]->rxq_pmd);
            free(dp->ports[i]);
        }
    }
    free(dp->ports);
    free(dp->pmds);
    pthread_cond_destroy(&dp->reload_cond);
    pthread_mutex_destroy(&dp->port_mutex);
    free(dp->name);
    free(dp);
}

const char *
dpif_name(const struct dpif *dp)
{
    return dp->name;
}

/* Ports. */

int
dpif_port_add(struct dpif *dp, struct netdev *netdev, uint32_t *port_nop)
{
    uint32_t port_no = *port_nop;

    pthread_mutex_lock(&dp->port_mutex);
    for (size_t i = 0; i < dp->n_ports_alloc; i++) {
        if (dp->ports[i] && dp->ports[i]->netdev == netdev) {
            pthread_mutex_unlock(&dp->port_mutex);
            return -EEXIST;
        }
    }
    if (port_no == DPIF_PORT_ANY) {
        for (port_no = 1; port_no < DPIF_MAX_PORTS; port_no++) {
            if (port_no >= dp->n_ports_alloc || !dp->ports[port_no]) {
                break;
            }
        }
    }
    if (port_no >= DPIF_MAX_PORTS) {
        pthread_mutex_unlock(&dp->port_mutex);
        return -EINVAL;
    }
    if (port_no < dp->n_ports_alloc && dp->ports[port_no]) {
        pthread_mutex_unlock(&dp->port_mutex);
        return -EEXIST;
    }
    if (port_no >= dp->n_ports_alloc) {
        size_t n = MAX(port_no + 1, dp->n_ports_alloc * 2);
        dp->ports = xrealloc(dp->ports, n * sizeof *dp->ports);
        memset(&dp->ports[dp->n_ports_alloc], 0,
               (n - dp->n_ports_alloc) * sizeof *dp->ports);
        dp->n_ports_alloc = n;
    }

    struct dp_port *port = xzalloc(sizeof *port);
    port->port_no = port_no;
    port->netdev = netdev;
    port->n_rxq = netdev_n_rxq(netdev);
    port->rxq_pmd = xcalloc(port->n_rxq, sizeof *port->rxq_pmd);
    for (int q = 0; q < port->n_rxq; q++) {
        port->rxq_pmd[q] = dp->next_pmd++ % dp->config.n_threads;
    }
    dp->ports[port_no] = port;
    dp_reload_pmds(dp);
    pthread_mutex_unlock(&dp->port_mutex);

    *port_nop = port_no;
    LOG_INFO("%s: added port %u (%s)", dp->name, port_no,
             netdev_get_name(netdev));
    return 0;
}

int
dpif_port_del(struct dpif *dp, uint32_t port_no)
{
    pthread_mutex_lock(&dp->port_mutex);
    struct dp_port *port = (port_no < dp->n_ports_alloc
                            ? dp->ports[port_no] : NULL);
    if (!port) {
        pthread_mutex_unlock(&dp->port_mutex);
        return -ENOENT;
    }
    dp->ports[port_no] = NULL;
    dp_reload_pmds(dp);
    pthread_mutex_unlock(&dp->port_mutex);

    LOG_INFO("%s: deleted port %u (%s)", dp->name, port_no,
             netdev_get_name(port->netdev));
    free(port->rxq_pmd);
    free(port);
    return 0;
}

struct netdev *
dpif_port_netdev(const struct dpif *dp, uint32_t port_no)
{
    /* Only the main thread writes the table, and it is the caller. */
    return (port_no < dp->n_ports_alloc && dp->ports[port_no]
            ? dp->ports[port_no]->netdev : NULL);
}

size_t
dpif_port_list(const struct dpif *dp, struct dpif_port_info **portsp)
{
    size_t n = 0;

    *portsp = xcalloc(dp->n_ports_alloc ? dp->n_ports_alloc : 1,
                      sizeof **portsp);
    for (size_t i = 0; i < dp->n_ports_alloc; i++) {
        if (dp->ports[i]) {
            struct dpif_port_info *info = &(*portsp)[n++];
            info->port_no = i;
            info->netdev = dp->ports[i]->netdev;
            netdev_get_stats(info->netdev, &info->stats);
        }
    }
    return n;
}

/* Flows. */

void
dpif_flows_changed(struct dpif *dp)
{
    atomic_fetch_add(&dp->generation, 1);
}

/* With 'pmd->mutex' held: expires (or, with 'flush', removes) megaflows,
 * collects statistics deltas and dropped xcaches into 'out', and frees
 * the removed megaflows. */
static void
pmd_housekeep(struct dpif *dp, struct pmd *pmd, long long now, bool flush,
              struct dp_xcache_pushes *out)
{
    struct flow_cache *fc = &pmd->fc;
    struct megaflow *flow;

    if (flush) {
        while ((flow = flow_cache_lru_oldest(fc))) {
            flow_cache_remove(fc, flow);
        }
    } else {
        /* The LRU list is in order of use, so the idle ones are at the
         * tail. */
        while ((flow = flow_cache_lru_oldest(fc))
               && now - flow->stats.used >= dp->config.max_idle_ms) {
            flow_cache_remove(fc, flow);
            dp->n_expired++;
        }
    }

    FLOW_CACHE_FOR_EACH (flow, fc) {
        if (flow->xcache && flow->stats.n_packets != flow->pushed_packets) {
            struct dpif_flow_stats d = megaflow_take_delta(flow);
            pushes_add(out, flow->xcache, NULL, &d);
        }
    }

    flow_cache_sweep(fc);
    while ((flow = flow_cache_pop_dead(fc))) {
        struct dpif_flow_stats d = megaflow_take_delta(flow);

        pushes_add(out, flow->xcache, flow->xcache_destroy, &d);
        flow->xcache = NULL;
        flow->xcache_destroy = NULL;
        megaflow_destroy(flow);
    }

    for (size_t i = 0; i < pmd->retired.n; i++) {
        struct dp_xcache_push *p = &pmd->retired.items[i];
        pushes_add(out, p->xcache, p->destroy, &p->delta);
    }
    pmd->retired.n = 0;
    atomic_store_explicit(&pmd->ctr.n_flows, fc->n_flows,
                          memory_order_relaxed);
}

static void
dp_housekeep(struct dpif *dp, bool flush)
{
    struct dp_xcache_pushes out = { NULL, 0, 0 };
    long long now = time_msec();

    for (int i = 0; i < dp->config.n_threads; i++) {
        struct pmd *pmd = &dp->pmds[i];

        pthread_mutex_lock(&pmd->mutex);
        pmd_housekeep(dp, pmd, now, flush, &out);
        pthread_mutex_unlock(&pmd->mutex);
        pushes_run(dp, &out);
    }
    free(out.items);
}

void
dpif_run(struct dpif *dp)
{
    dp_housekeep(dp, false);
}

void
dpif_flows_flush(struct dpif *dp)
{
    dp_housekeep(dp, true);
}

void
dpif_flow_for_each(struct dpif *dp, dpif_flow_cb *cb, void *aux)
{
    for (int i = 0; i < dp->config.n_threads; i++) {
        struct pmd *pmd = &dp->pmds[i];
        struct megaflow *flow;

        pthread_mutex_lock(&pmd->mutex);
        FLOW_CACHE_FOR_EACH (flow, &pmd->fc) {
            struct dpif_flow f = {
                .thread = i,
                .key = &flow->key,
                .mask = megaflow_mask(flow),
                .actions = flow->actions,
                .stats = {
                    .n_packets = flow->stats.n_packets,
                    .n_bytes = flow->stats.n_bytes,
                    .used = flow->stats.n_packets ? flow->stats.used : 0,
                    .tcp_flags = flow->stats.tcp_flags,
                },
                .xcache = flow->xcache,
            };
            cb(aux, &f);
        }
        pthread_mutex_unlock(&pmd->mutex);
    }
}

size_t
dpif_flow_count(const struct dpif *dp)
{
    size_t n = 0;
    for (int i = 0; i < dp->config.n_threads; i++) {
        n += ctr_get(&dp->pmds[i].ctr.n_flows);
    }
    return n;
}

/* Packets from the main thread. */

/* Translates and runs 'packet' (consumed) without caching, in the main
 * thread.  Returns 0 or a negative errno. */
static int
main_slow_path__(struct dpif *dp, struct packet *packet, int depth)
{
    struct dp_exec_ctx ctx = {
        .dp = dp, .pmd = NULL, .depth = depth, .now = time_msec(),
        .generation = atomic_load(&dp->generation),
    };
    struct dp_upcall_result result;
    struct flow key;

    if (flow_extract_error_is_drop(flow_extract(packet, &key, NULL))) {
        ctr_add(&dp->main_lost, 1);
        packet_destroy(packet);
        return -EINVAL;
    }
    int err = do_upcall(dp, &key, packet, &result);
    if (err) {
        ctr_add(&dp->main_lost, 1);
        packet_destroy(packet);
        return err;
    }

    struct dpif_flow_stats d = {
        .n_packets = 1, .n_bytes = packet_size(packet), .used = ctx.now,
        .tcp_flags = be16_to_host(key.tcp_flags),
    };
    struct packet_batch b;
    packet_batch_init(&b);
    packet_batch_add(&b, packet);
    run_actions(&ctx, &b, result.actions);
    dp_actions_destroy(result.actions);

    if (result.xcache) {
        if (dp->config.push_stats) {
            dp->config.push_stats(dp->config.aux, result.xcache, &d);
        }
    }
    if (result.xcache_destroy) {
        result.xcache_destroy(result.xcache);
    }
    return 0;
}

static void
main_slow_path(struct dpif *dp, struct packet *packet, int depth)
{
    (void) main_slow_path__(dp, packet, depth);
}

int
dpif_slow_path(struct dpif *dp, struct packet *packet)
{
    return main_slow_path__(dp, packet, 0);
}

void
dpif_execute(struct dpif *dp, struct packet *packet,
             const struct dp_actions *actions)
{
    struct dp_exec_ctx ctx = {
        .dp = dp, .pmd = NULL, .depth = 0, .now = time_msec(),
        .generation = atomic_load(&dp->generation),
    };
    struct packet_batch b;

    packet_batch_init(&b);
    packet_batch_add(&b, packet);
    run_actions(&ctx, &b, actions);
}

/* Statistics. */

void
dpif_get_stats(const struct dpif *dp, struct dpif_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < dp->config.n_threads; i++) {
        const struct pmd_counters *c = &dp->pmds[i].ctr;

        s->n_emc_hit += ctr_get(&c->emc_hit);
        s->n_megaflow_hit += ctr_get(&c->megaflow_hit);
        s->n_missed += ctr_get(&c->missed);
        s->n_lost += ctr_get(&c->lost);
        s->n_revalidated += ctr_get(&c->revalidated);
        s->n_evicted += ctr_get(&c->evicted);
        s->n_flows += ctr_get(&c->n_flows);
    }
    s->n_lost += ctr_get(&dp->main_lost);
    s->n_expired = dp->n_expired;
}

void
dpif_show_format(const struct dpif *dp, bool with_stats, struct ds *ds)
{
    struct dpif_stats s;
    struct dpif_port_info *ports;
    size_t n_ports = dpif_port_list(dp, &ports);

    dpif_get_stats(dp, &s);
    ds_put_format(ds, "netdev@%s:\n", dp->name);
    ds_put_format(ds, "  lookups: hit:%"PRIu64" missed:%"PRIu64
                  " lost:%"PRIu64"\n",
                  s.n_emc_hit + s.n_megaflow_hit, s.n_missed, s.n_lost);
    ds_put_format(ds, "  flows: %"PRIu64"\n", s.n_flows);
    ds_put_format(ds, "  hits: emc:%"PRIu64" megaflow:%"PRIu64"\n",
                  s.n_emc_hit, s.n_megaflow_hit);
    for (size_t i = 0; i < n_ports; i++) {
        const struct dpif_port_info *p = &ports[i];
        const char *type = netdev_get_type(p->netdev);

        ds_put_format(ds, "  port %"PRIu32": %s", p->port_no,
                      netdev_get_name(p->netdev));
        if (strcmp(type, "system")) {
            ds_put_format(ds, " (%s)", type);
        }
        ds_put_char(ds, '\n');
        if (with_stats) {
            const struct netdev_stats *st = &p->stats;
            ds_put_format(ds, "    RX packets:%"PRIu64" errors:%"PRIu64
                          " dropped:%"PRIu64" overruns:0 frame:0\n",
                          st->rx_packets, st->rx_errors, st->rx_dropped);
            ds_put_format(ds, "    TX packets:%"PRIu64" errors:%"PRIu64
                          " dropped:%"PRIu64" aborted:0 carrier:0\n",
                          st->tx_packets, st->tx_errors, st->tx_dropped);
            ds_put_format(ds, "    collisions:0\n");
            ds_put_format(ds, "    RX bytes:%"PRIu64"  TX bytes:%"PRIu64
                          "\n", st->rx_bytes, st->tx_bytes);
        }
    }
    free(ports);
}
