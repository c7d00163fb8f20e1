/* Internals shared by xlate.c (map, entry points, datapath action
 * commits, output, recirculation, deferred work), xlate-actions.c (the
 * ofpact interpreter) and xlate-trace.c.  Nothing else includes it. */
#ifndef SWITCH_XLATE_PRIVATE_H
#define SWITCH_XLATE_PRIVATE_H 1

#include <pthread.h>
#include <stdatomic.h>

#include "datapath/dp-actions.h"
#include "lib/hmap.h"
#include "lib/list.h"
#include "openflow/ofpbuf.h"
#include "switch/xlate.h"

struct ofp_subfield;
struct ofproto_rule;
struct ofpact;

struct xlate_port {
    struct hmap_node ofp_node;  /* In bridge 'ports', by ofp_port. */
    struct hmap_node dp_node;   /* In map 'dp_ports', by dp_port. */
    struct xlate_bridge *bridge; /* Its bridge. */
    char *name;                 /* Owned. */
    uint32_t ofp_port;          /* OpenFlow number (OFPP_LOCAL too). */
    uint32_t dp_port;           /* Datapath number, UINT32_MAX if none. */
    enum xlate_port_type type;  /* Kind. */
    int tag;                    /* Access VLAN, -1 if none. */
    uint64_t *trunks;           /* Owned 4096-bit set, NULL = all. */
    struct xlate_tunnel_config tnl; /* XLATE_PORT_TUNNEL. */
    struct xlate_port *peer;    /* XLATE_PORT_PATCH, or NULL. */
    bool live;                  /* Up (fast failover, flooding). */
};

struct xlate_bridge {
    struct list node;           /* In map 'bridges'. */
    struct xlate_map *map;      /* Owner. */
    struct ofproto *ofproto;    /* Borrowed. */
    struct mac_learning *ml;    /* Owned. */
    struct connmgr *connmgr;    /* Borrowed, or NULL. */
    struct hmap ports;          /* "struct xlate_port"s by ofp_port. */
};

/* Frozen pipeline state behind a recirculation id. */
struct xlate_recirc {
    struct hmap_node id_node;   /* In map 'recirc_ids'. */
    struct hmap_node state_node; /* In map 'recirc_states'. */
    uint32_t id;                /* Datapath recirc_id. */
    atomic_uint ref_cnt;        /* Translations and caches using it. */
    struct xlate_bridge *bridge; /* Where to resume. */
    uint8_t table_id;           /* Table to resume in. */
    uint32_t in_port;           /* OpenFlow in_port. */
    uint64_t metadata;          /* OpenFlow metadata. */
    uint32_t regs[FLOW_N_REGS]; /* Registers. */
    uint32_t actset_size;       /* Bytes at 'actset'. */
    uint64_t *actset;           /* Owned: the action set, or NULL. */
};

struct xlate_map {
    pthread_rwlock_t rwlock;    /* Guards bridges and ports. */
    struct list bridges;        /* "struct xlate_bridge"s. */
    struct hmap dp_ports;       /* "struct xlate_port"s by dp_port. */
    void (*flows_changed)(void *); /* Megaflow invalidation. */
    void *flows_changed_aux;    /* Its argument. */
    xlate_packet_in_func *packet_in_cb; /* Packet-in hook or NULL. */
    void *packet_in_aux;        /* Its argument. */

    pthread_mutex_t recirc_mutex; /* Guards the recirc tables. */
    struct hmap recirc_ids;     /* "struct xlate_recirc"s by id. */
    struct hmap recirc_states;  /* The same by state hash. */
    uint32_t next_recirc_id;    /* Allocation cursor. */

    pthread_mutex_t queue_mutex; /* Guards 'queue'. */
    struct list queue;          /* "struct xlate_deferred"s. */
    uv_async_t *async;          /* Owned; NULL without a loop. */
};

/* What xlate_cache records. */
struct xlate_cache_mac {
    struct mac_learning *ml;    /* Table (the bridge's). */
    uint16_t vlan;              /* VLAN. */
    struct eth_addr mac;        /* Address. */
    uint32_t port;              /* Port. */
};

struct xlate_cache {
    struct xlate_map *map;      /* For recirc unref. */
    struct ofproto_rule **rules; /* Owned references. */
    size_t n_rules, allocated_rules;
    struct xlate_recirc **recircs; /* Owned references. */
    size_t n_recircs, allocated_recircs;
    struct xlate_cache_mac *macs; /* MACs to refresh. */
    size_t n_macs, allocated_macs;
};

/* Translation context. */
struct xlate_ctx {
    const struct xlate_in *xin; /* Input. */
    struct xlate_map *map;      /* The switch. */
    struct xlate_bridge *bridge; /* Current bridge. */
    struct flow flow;           /* The packet as the pipeline sees it. */
    struct flow base;           /* The packet as the datapath has it. */
    struct flow_wildcards *wc;  /* Consulted bits (in 'xout'). */
    struct xlate_out *xout;     /* Output. */
    struct dp_actions_builder b; /* Datapath actions. */
    struct ofpbuf actset;       /* The action set (ofpacts). */
    struct ds *trace;           /* Trace text or NULL. */
    int indent;                 /* Trace indentation level. */
    int bridge_indent;          /* Trace level of the current bridge's
                                 * table lines. */
    int depth;                  /* Resubmit depth. */
    int n_resubmits;            /* Lookups so far. */
    uint8_t table_id;           /* Current table. */
    struct ofproto_rule *rule;  /* Current rule or NULL. */
    bool exit;                  /* Stop all processing. */
    bool error;                 /* Loop / limit: drop everything. */
    bool mpls_popped;           /* A pop_mpls left headers that the flow
                                 * does not describe: the next table
                                 * lookup recirculates (re-parses). */
};

/* xlate.c */
void xlate__commit(struct xlate_ctx *);
void xlate__output(struct xlate_ctx *, uint32_t port, uint16_t max_len,
                   bool may_in_port);
void xlate__table(struct xlate_ctx *, uint8_t table_id, uint32_t in_port,
                  bool with_ct_orig, bool is_goto);
void xlate__controller(struct xlate_ctx *, uint8_t reason, uint16_t max_len,
                       uint16_t controller_id, const void *userdata,
                       size_t userdata_size, bool pause,
                       const struct ofpact *rest, size_t rest_size);
uint32_t xlate__recirc(struct xlate_ctx *, uint8_t table_id);
void xlate__trace(struct xlate_ctx *, const char *fmt, ...)
    PRINTF_FORMAT(2, 3);
void xlate__defer_flow_mod(struct xlate_ctx *,
                           const struct ofproto_flow_mod *);
void xlate__normal(struct xlate_ctx *);
struct xlate_port *xlate__port(struct xlate_bridge *, uint32_t ofp_port);

/* xlate-actions.c */
void xlate__actions(struct xlate_ctx *, const struct ofpact *, size_t size);
void xlate__run_actset(struct xlate_ctx *);
void xlate__write_actset(struct xlate_ctx *, const struct ofpact *,
                         size_t size);
size_t xlate__controller_meter_start(struct xlate_ctx *, uint32_t meter_id,
                                     bool pause);
void xlate__controller_meter_end(struct xlate_ctx *, size_t token);
uint64_t xlate__subfield_get(struct xlate_ctx *, const struct ofp_subfield *);
void xlate__subfield_set(struct xlate_ctx *, const struct ofp_subfield *,
                         uint64_t value);

#endif /* switch/xlate-private.h */
