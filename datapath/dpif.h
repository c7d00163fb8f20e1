/* The userspace datapath engine: ports, packet threads, flow caches and
 * upcalls.
 *
 * A struct dpif owns a set of ports (netdevs numbered with datapath port
 * numbers; 0 is by convention the bridge's local port) and N packet
 * threads.  The rx queues of the ports are dealt round-robin to the
 * threads.  Each thread loops: it receives a batch of up to 32 packets per
 * queue, extracts each packet's flow key, looks it up in its exact-match
 * cache and then in its megaflow cache (datapath/flow-cache.h), groups
 * the packets of a batch by megaflow and runs each group's actions once
 * (dp_execute()).  When every queue is idle, the thread blocks in poll()
 * on the queues' fds and a wakeup fd, with a short timeout.
 *
 * A cache miss calls the switch's upcall function (in the packet thread),
 * which translates the packet through the OpenFlow pipeline and returns
 * the actions, the mask of the fields its decision consulted and whether
 * the result may be cached.  The datapath installs the megaflow in the
 * thread's caches and runs it.  Packets recirculated by a RECIRC action
 * come back through the same lookup, with recirc_id in their key.
 *
 * Caches are per thread (megaflows are not shared), but dumps, flushes
 * and statistics see all threads.  dpif_flows_changed() bumps a
 * generation number: a megaflow made in an older generation is
 * re-translated on its next hit, and replaced if its result changed.
 * dpif_run(), called from the main thread a few times a second, expires
 * idle megaflows, evicts when over the flow limit, and pushes the
 * megaflows' statistics to the switch through its xcache.
 *
 * Threads: every function here is for the main thread (the one that
 * created the dpif), except the callbacks, which run as documented.  The
 * main thread must not call into the dpif while it holds a lock that the
 * upcall callback takes: dumps and dpif_run() wait for each packet thread
 * to finish its current batch, which may be waiting in an upcall. */
#ifndef DATAPATH_DPIF_H
#define DATAPATH_DPIF_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/netdev.h"
#include "lib/flow.h"
#include "lib/util.h"

struct conntrack;
struct dp_actions;
struct dp_meter_table;
struct ds;
struct dpif;
struct packet;

/* Defaults of struct dpif_config. */
#define DPIF_DEFAULT_MAX_IDLE_MS 10000
#define DPIF_DEFAULT_MAX_FLOWS 200000
#define DPIF_DEFAULT_EMC_ENTRIES 4096

/* dpif_port_add(): pick the lowest free port number above 0. */
#define DPIF_PORT_ANY UINT32_MAX
/* Port numbers are below this. */
#define DPIF_MAX_PORTS 65280

/* What the upcall callback returns about one packet. */
struct dp_upcall_result {
    /* The actions to run on the packet and, if installed, on every packet
     * of the megaflow.  Ownership passes to the datapath.  NULL drops. */
    struct dp_actions *actions;
    /* The bits of the flow key the decision depended on.  The datapath
     * initializes it to match nothing and always adds recirc_id, in_port
     * and packet_type. */
    struct flow_wildcards wc;
    /* Whether to install a megaflow (true when called); false keeps such
     * packets in the slow path (e.g. a controller action with pause). */
    bool install;
    /* The switch's state for crediting the megaflow's statistics to its
     * rules, and the function that frees it (both may be NULL).  Owned by
     * the datapath from then on, also if it does not install. */
    void *xcache;
    void (*xcache_destroy)(void *xcache);
};

/* Translates a packet that missed the caches: 'flow' is its extracted
 * key, 'packet' the packet (read-only).  Fills 'result' and returns 0, or
 * returns a negative errno to drop the packet (counted as lost).  Called
 * in a packet thread, or in the main thread from dpif_execute() and
 * dpif_slow_path(); may run in several threads at once. */
typedef int dpif_upcall_func(void *aux, const struct flow *flow,
                             const struct packet *packet,
                             struct dp_upcall_result *result);

/* A USERSPACE action ran on 'packet' (borrowed: copy what is needed)
 * with the 'cookie_size' bytes of 'cookie' (the action's cookie).  Called
 * in any packet thread or the main thread. */
typedef void dpif_userspace_func(void *aux, struct packet *packet,
                                 const void *cookie, size_t cookie_size);

/* Statistics of a megaflow. */
struct dpif_flow_stats {
    uint64_t n_packets;         /* Packets. */
    uint64_t n_bytes;           /* Bytes. */
    long long used;             /* time_msec() of the last packet, or 0. */
    uint16_t tcp_flags;         /* OR of TCP flags seen, host order. */
};

/* Credits 'delta' (packets and bytes since the last push; 'used' and
 * 'tcp_flags' as of now) to the rules behind 'xcache'.  Called from
 * dpif_run() and dpif_flows_flush() in the main thread, also right before
 * the xcache is destroyed. */
typedef void dpif_push_stats_func(void *aux, void *xcache,
                                  const struct dpif_flow_stats *delta);

struct dpif_config {
    const char *name;           /* "ovs-netdev" style name for dumps. */
    int n_threads;              /* Packet threads (>= 1; default 1). */
    long long max_idle_ms;      /* Idle megaflows expire after this. */
    size_t max_flows;           /* Megaflows over all threads. */
    size_t emc_entries;         /* EMC slots per thread (0: no EMC). */
    int busy_poll_us;           /* After packets, a thread keeps polling
                                 * (yielding the CPU to anyone runnable)
                                 * this long before it sleeps; 0: sleeps
                                 * at once. */
    dpif_upcall_func *upcall;   /* Required. */
    dpif_userspace_func *userspace; /* May be NULL: packets dropped. */
    dpif_push_stats_func *push_stats; /* May be NULL. */
    void *aux;                  /* For the callbacks. */
    struct conntrack *conntrack; /* Runs the CT action (borrowed: it must
                                  * outlive the dpif); NULL marks such
                                  * packets trk|inv. */
    struct dp_meter_table *meters; /* Runs the METER action (borrowed: it
                                    * must outlive the dpif); NULL passes
                                    * every packet. */
};

/* Fills 'config' with the defaults (no callbacks). */
void dpif_config_init(struct dpif_config *config);

/* Creates a datapath from 'config' (copied) and starts its packet
 * threads, with no ports yet.  Returns 0 and stores it in '*dpifp', or a
 * negative errno.  The caller owns the datapath. */
int dpif_create(const struct dpif_config *config, struct dpif **dpifp)
    WARN_UNUSED_RESULT;
/* Stops the threads and frees 'dp' (NULL is fine) with its megaflows
 * (their statistics are not pushed).  The netdevs are not closed. */
void dpif_destroy(struct dpif *dp);
/* The name from the config. */
const char *dpif_name(const struct dpif *dp);

/* Ports. */

/* Adds 'netdev' (borrowed: it must stay open until dpif_port_del() or
 * dpif_destroy() returns) as port '*port_nop', or, if that is
 * DPIF_PORT_ANY, as the lowest free number above 0, stored back in
 * '*port_nop'.  Its rx queues join the threads.  Returns 0, -EEXIST if
 * the number or the netdev is in use, -EINVAL if out of range. */
int dpif_port_add(struct dpif *dp, struct netdev *netdev,
                  uint32_t *port_nop) WARN_UNUSED_RESULT;
/* Removes port 'port_no'; on return no thread uses its netdev any more,
 * so the caller may close it.  Returns 0 or -ENOENT. */
int dpif_port_del(struct dpif *dp, uint32_t port_no);
/* The netdev of 'port_no', or NULL. */
struct netdev *dpif_port_netdev(const struct dpif *dp, uint32_t port_no);

struct dpif_port_info {
    uint32_t port_no;           /* Datapath port number. */
    struct netdev *netdev;      /* Borrowed from the port. */
    struct netdev_stats stats;  /* The netdev's counters. */
};
/* Stores in '*ports' an xmalloc()ed array of the ports, by number, and
 * returns its length.  The caller frees the array. */
size_t dpif_port_list(const struct dpif *dp, struct dpif_port_info **ports);

/* Flows. */

/* Tells the datapath that the OpenFlow tables changed: every megaflow is
 * re-translated on its next hit.  Thread-safe and cheap. */
void dpif_flows_changed(struct dpif *dp);
/* Housekeeping, for the main thread about every 100 ms to 1 s: pushes
 * megaflow statistics, expires idle megaflows, evicts the least recently
 * used ones over the flow limit, frees removed ones. */
void dpif_run(struct dpif *dp);
/* Removes every megaflow (dpctl/del-flows), pushing their final
 * statistics first. */
void dpif_flows_flush(struct dpif *dp);

/* One megaflow as a dump sees it.  Everything is borrowed and valid only
 * during the callback. */
struct dpif_flow {
    int thread;                 /* Index of the packet thread. */
    const struct flow *key;     /* Masked key. */
    const struct flow_wildcards *mask; /* Mask. */
    const struct dp_actions *actions; /* NULL means drop. */
    struct dpif_flow_stats stats; /* Totals since install. */
    void *xcache;               /* The switch's, from the upcall. */
};
typedef void dpif_flow_cb(void *aux, const struct dpif_flow *flow);
/* Calls 'cb' for every live megaflow of every thread, thread by thread,
 * each thread's while that thread is stopped between batches.  'cb' must
 * not call into 'dp'. */
void dpif_flow_for_each(struct dpif *dp, dpif_flow_cb *cb, void *aux);
/* Number of live megaflows over all threads. */
size_t dpif_flow_count(const struct dpif *dp);

/* Appends the dpctl/dump-flows text of every megaflow to 'ds', one line
 * each, as ovs-appctl dpctl/dump-flows prints a netdev datapath's:
 *   recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth(...),
 *   eth_type(0x0800),ipv4(frag=no), packets:3, bytes:294, used:0.5s,
 *   actions:3 */
void dpif_flows_format(struct dpif *dp, struct ds *ds);
/* Appends the line of one flow (without newline); 'now' is time_msec(). */
void dpif_flow_format(const struct dpif_flow *flow, long long now,
                      struct ds *ds);
/* Appends 'key' under 'mask' in the datapath flow syntax: only the fields
 * 'mask' selects, partial masks as "value/mask". */
void dpif_flow_key_format(const struct flow *key,
                          const struct flow_wildcards *mask,
                          struct ds *ds);

/* Packets from the main thread. */

/* Runs 'actions' (borrowed; NULL drops) on 'packet' (owned by the
 * datapath from now on) in the main thread: for packet_out and tests.
 * Packets recirculated go through the upcall without being cached. */
void dpif_execute(struct dpif *dp, struct packet *packet,
                  const struct dp_actions *actions);
/* The slow path: extracts the flow of 'packet' (owned by the datapath
 * from now on; packet->md.in_port says where it came from), calls the
 * upcall and runs its actions, caching nothing.  Returns 0 or the
 * upcall's negative errno. */
int dpif_slow_path(struct dpif *dp, struct packet *packet);

/* Statistics. */

struct dpif_stats {
    uint64_t n_emc_hit;         /* Lookups answered by an EMC. */
    uint64_t n_megaflow_hit;    /* Lookups answered by a megaflow cache. */
    uint64_t n_missed;          /* Lookups that went to the upcall. */
    uint64_t n_lost;            /* Packets dropped: upcall failed or bad
                                 * key. */
    uint64_t n_revalidated;     /* Stale megaflows re-translated. */
    uint64_t n_flows;           /* Live megaflows now. */
    uint64_t n_expired;         /* Megaflows removed for being idle. */
    uint64_t n_evicted;         /* Megaflows removed over the limit. */
};
/* Sums the counters of all threads. */
void dpif_get_stats(const struct dpif *dp, struct dpif_stats *stats);
/* Appends dpctl/show's text ("netdev@NAME:", lookups, flows, ports; with
 * 'with_stats', each port's counters). */
void dpif_show_format(const struct dpif *dp, bool with_stats,
                      struct ds *ds);

#endif /* datapath/dpif.h */
