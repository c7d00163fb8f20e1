/* The kiln-northd compile engine: it replicates OVN_Northbound and
 * OVN_Southbound, compiles the northbound rows into logical flows owned by
 * datapaths and ports (lflow.h), and writes the southbound database: the
 * bookkeeping rows (sb-sync.c) and the difference between the desired
 * flows and the Logical_Flow rows.
 *
 * At start-up, after a reconnection, on request and after a failed
 * transaction it recomputes everything; otherwise it follows the IDL's
 * change tracking, so that a changed port regenerates only that port's
 * flows and a new switch only its own.  Only the holder of the southbound
 * lock "ovn_northd" writes; the others stand by.
 *
 * Everything runs on the caller's libuv loop. */
#ifndef NORTHD_NORTHD_H
#define NORTHD_NORTHD_H 1

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct northd;

/* Counters, for "northd/status" and tests. */
struct northd_stats {
    unsigned long long n_full_recomputes; /* Full compiles. */
    unsigned long long n_incremental;     /* Runs that compiled a change. */
    unsigned long long n_port_updates;    /* Ports regenerated one by one. */
    unsigned long long n_switch_updates;  /* Switch flows regenerated. */
    unsigned long long n_acl_updates;     /* ACL flows regenerated on one
                                           * switch. */
    unsigned long long n_nat_updates;     /* NAT rule flows regenerated
                                           * one by one. */
    unsigned long long n_router_updates;  /* Routers refreshed after a
                                           * change to them, their ports
                                           * or routes. */
    unsigned long long n_sb_txns;         /* Southbound commits sent. */
    unsigned long long n_sb_txn_failures; /* ...that failed. */
    unsigned long long n_flows_inserted;  /* Logical_Flow rows inserted. */
    unsigned long long n_flows_deleted;   /* Logical_Flow rows deleted. */
    size_t n_flows;                       /* Desired flows now. */
    size_t n_switches;                    /* Logical switches now. */
    size_t n_ports;                       /* Their ports now. */
};

struct northd *northd_create(uv_loop_t *, const char *nb_remote,
                             const char *sb_remote);
void northd_destroy(struct northd *);

bool northd_is_active(const struct northd *);
bool northd_is_connected(const struct northd *);
void northd_request_recompute(struct northd *);
void northd_set_paused(struct northd *, bool paused);
bool northd_is_paused(const struct northd *);
void northd_get_stats(const struct northd *, struct northd_stats *);

#endif /* northd/northd.h */
