/* The translator: runs a packet's flow key through a bridge's OpenFlow
 * pipeline (switch/ofproto.h) and produces what the datapath caches, a
 * megaflow: the datapath actions (datapath/dp-actions.h) and the mask of
 * every flow bit the decision consulted, such that any packet agreeing
 * with this one on the masked bits gets the same actions.
 *
 * A struct xlate_map describes the switch as the translator needs it: the
 * bridges (each an ofproto with a MAC learning table for NORMAL), their
 * ports with OpenFlow and datapath numbers, VLAN configuration (Port.tag
 * and Port.trunks of ovs-vswitchd.conf.db(5)), tunnel configuration and
 * patch peers.  The main thread changes it; packet threads translate
 * under its read lock and, per bridge, under the ofproto's read lock.
 *
 * Translation has side effects that belong to the main thread: packet-ins
 * (controller actions run in the datapath as USERSPACE actions, whose
 * cookie the switch decodes with xlate_userspace()), flow_mods made by
 * learn actions.  They are queued (thread-safe) and run by
 * xlate_map_run_deferred(), which a uv_async calls when the map has a
 * loop (xlate_map_set_loop()).
 *
 * Recirculation (ct(table=N)) maps a datapath recirculation id to the
 * pipeline state to resume with: bridge, table, registers, metadata,
 * in_port and the action set.  Ids are shared by equal states and
 * reference-counted by the translations' xlate caches, so an id lives as
 * long as a megaflow uses it.
 *
 * ofproto/trace (xlate-trace.c) runs the same translation and narrates it
 * the way `ovs-appctl ofproto/trace` prints. */
#ifndef SWITCH_XLATE_H
#define SWITCH_XLATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "lib/flow.h"
#include "lib/util.h"

struct connmgr;
struct connmgr_packet_in;
struct dp_actions;
struct dp_upcall_result;
struct dpif_flow_stats;
struct ds;
struct mac_learning;
struct ofpact;
struct ofproto;
struct ofproto_flow_mod;
struct packet;
struct xlate_bridge;
struct xlate_cache;
struct xlate_map;
struct xlate_port;

/* Limits (ovs-vswitchd's are the same order). */
#define XLATE_MAX_DEPTH 64          /* Nested resubmits, gotos, patches. */
#define XLATE_MAX_RESUBMITS 4096    /* Table lookups per translation. */

/* The switch's description. */
struct xlate_map *xlate_map_create(void);
void xlate_map_destroy(struct xlate_map *);
/* Runs the deferred side effects from 'loop''s thread (a uv_async). */
void xlate_map_set_loop(struct xlate_map *, uv_loop_t *loop);
/* Called (in any thread) when megaflows may be stale, e.g. a MAC moved:
 * the daemon passes dpif_flows_changed(). */
void xlate_map_set_flows_changed_cb(struct xlate_map *,
                                    void (*cb)(void *aux), void *aux);
/* Test and daemon hook: where queued packet-ins go (default: the
 * bridge's connmgr, if set). */
typedef void xlate_packet_in_func(struct xlate_bridge *,
                                  const struct connmgr_packet_in *,
                                  void *aux);
void xlate_map_set_packet_in_cb(struct xlate_map *, xlate_packet_in_func *,
                                void *aux);
/* Runs the queued side effects (main thread).  Returns how many. */
size_t xlate_map_run_deferred(struct xlate_map *);
/* Number of live recirculation ids. */
size_t xlate_map_n_recirc(struct xlate_map *);

/* Bridges. */
struct xlate_bridge *xlate_bridge_add(struct xlate_map *, struct ofproto *);
void xlate_bridge_remove(struct xlate_map *, struct xlate_bridge *);
struct xlate_bridge *xlate_bridge_find(struct xlate_map *, const char *name);
void xlate_bridge_set_connmgr(struct xlate_bridge *, struct connmgr *);
struct mac_learning *xlate_bridge_get_ml(struct xlate_bridge *);
struct ofproto *xlate_bridge_get_ofproto(const struct xlate_bridge *);

/* Ports. */
enum xlate_port_type {
    XLATE_PORT_NETDEV,          /* system, internal, tap. */
    XLATE_PORT_TUNNEL,          /* geneve, vxlan, gre, stt. */
    XLATE_PORT_PATCH,           /* Continues in the peer's bridge. */
};

/* A tunnel port's options (ovs-vswitchd.conf.db(5) Interface options). */
struct xlate_tunnel_config {
    bool remote_ip_flow;        /* remote_ip=flow: from tun_dst. */
    be32 remote_ip;             /* Otherwise this. */
    bool local_ip_flow;         /* local_ip=flow: from tun_src. */
    be32 local_ip;              /* Otherwise this (0: routing decides). */
    bool key_flow;              /* key=flow: from tun_id. */
    be64 key;                   /* Otherwise this. */
    uint8_t tos;                /* Outer TOS. */
    uint8_t ttl;                /* Outer TTL (0: default 64). */
    bool csum;                  /* csum=true. */
    be16 dst_port;              /* UDP port (0: the type's default). */
};

struct xlate_port *xlate_port_add(struct xlate_bridge *, const char *name,
                                  uint32_t ofp_port, uint32_t dp_port,
                                  enum xlate_port_type);
void xlate_port_remove(struct xlate_port *);
struct xlate_port *xlate_port_find(struct xlate_bridge *, uint32_t ofp_port);
void xlate_port_set_vlan(struct xlate_port *, int tag,
                         const uint16_t *trunks, size_t n_trunks);
void xlate_port_set_tunnel(struct xlate_port *,
                           const struct xlate_tunnel_config *);
void xlate_port_set_peer(struct xlate_port *, struct xlate_port *peer);
void xlate_port_set_live(struct xlate_port *, bool live);

/* Translation. */
struct xlate_in {
    struct xlate_map *map;      /* The switch. */
    const struct flow *flow;    /* The packet's key.  in_port is a datapath
                                 * port, unless 'bridge' is set. */
    const struct packet *packet; /* May be NULL. */
    struct xlate_bridge *bridge; /* Packet-out or trace: flow->in_port is
                                  * an OpenFlow port of this bridge. */
    const struct ofpact *ofpacts; /* Packet-out: run these instead of
                                   * table 0 (OFPP_TABLE goes to table 0).*/
    size_t ofpacts_size;        /* Bytes at 'ofpacts'. */
    struct ds *trace;           /* If nonnull, the ofproto/trace text of
                                 * the pipeline is appended. */
    bool no_side_effects;       /* Trace: learn nothing, queue nothing. */
};

struct xlate_out {
    struct dp_actions *actions; /* Owned: the datapath actions. */
    struct flow_wildcards wc;   /* Consulted bits. */
    bool install;               /* Whether a megaflow may be cached. */
    struct xlate_cache *xcache; /* Owned: rules hit, recirc ids, MACs. */
    struct flow final_flow;     /* The flow at the end (trace). */
};

int xlate_flow(const struct xlate_in *, struct xlate_out *)
    WARN_UNUSED_RESULT;
void xlate_out_uninit(struct xlate_out *);

/* The xlate cache: credits statistics to the rules a megaflow hit and
 * refreshes the MACs NORMAL learned. */
void xlate_cache_push_stats(struct xlate_cache *, uint64_t packets,
                            uint64_t bytes, long long used);
void xlate_cache_destroy(struct xlate_cache *);
size_t xlate_cache_n_rules(const struct xlate_cache *);
struct ofproto_rule *xlate_cache_rule(const struct xlate_cache *, size_t i);

/* dpif glue, with the map as 'aux' (datapath/dpif.h callbacks). */
int xlate_upcall(void *map, const struct flow *flow,
                 const struct packet *packet,
                 struct dp_upcall_result *result);
void xlate_userspace(void *map, struct packet *packet, const void *cookie,
                     size_t cookie_size);
void xlate_push_stats(void *map, void *xcache,
                      const struct dpif_flow_stats *delta);

/* The USERSPACE cookie of a controller action (decoded form). */
struct xlate_controller_cookie {
    uint8_t reason;             /* OFPR_*. */
    uint8_t table_id;           /* Table of the rule. */
    bool pause;                 /* controller(pause). */
    uint16_t max_len;           /* Bytes to send. */
    uint16_t controller_id;     /* Connection id. */
    uint64_t rule_cookie;       /* Cookie of the rule. */
    const char *bridge;         /* Bridge name (points into the cookie). */
    struct flow md;             /* in_port (OpenFlow), regs, metadata. */
    const void *userdata;       /* Points into the cookie. */
    size_t userdata_size;       /* Bytes. */
    const void *continuation;   /* Pause: points into the cookie. */
    size_t continuation_size;   /* Bytes. */
};
bool xlate_controller_cookie_decode(const void *cookie, size_t size,
                                    struct xlate_controller_cookie *);

/* NXT_RESUME: continues a paused pipeline from 'continuation' for
 * 'packet' (Ethernet frame).  Fills 'out' like xlate_flow(). */
int xlate_resume(struct xlate_map *, struct xlate_bridge *,
                 const void *continuation, size_t size,
                 const struct flow *flow, struct xlate_out *out)
    WARN_UNUSED_RESULT;

/* ofproto/trace: appends the ovs-appctl ofproto/trace text for 'flow'
 * (in_port an OpenFlow port) in 'bridge' to 's'.  Returns 0 or a negative
 * errno (unknown bridge). */
int xlate_trace(struct xlate_map *, const char *bridge,
                const struct flow *flow, const struct packet *packet,
                struct ds *s);

/* fdb/show for 'bridge'. */
int xlate_fdb_show(struct xlate_map *, const char *bridge, struct ds *s);

#endif /* switch/xlate.h */
