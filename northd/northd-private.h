/* Internals of the compile engine shared by northd.c (compiling and flow
 * sync) and sb-sync.c (southbound bookkeeping).  Nothing else includes
 * this. */
#ifndef NORTHD_NORTHD_PRIVATE_H
#define NORTHD_NORTHD_PRIVATE_H 1

#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/uuid.h"
#include "northd/lflow.h"
#include "northd/lrouter.h"
#include "northd/northd.h"
#include "ovsdb/idl.h"

/* The northbound tables and columns northd reads or writes. */
struct northd_nb {
    struct idl_table *global;           /* NB_Global. */
    const struct idl_column *nb_cfg;
    const struct idl_column *sb_cfg;
    const struct idl_column *sb_cfg_timestamp;
    const struct idl_column *hv_cfg;
    const struct idl_column *hv_cfg_timestamp;
    const struct idl_column *options;

    struct idl_table *ls;               /* Logical_Switch. */
    const struct idl_column *ls_name;
    const struct idl_column *ls_ports;

    struct idl_table *lsp;              /* Logical_Switch_Port. */
    const struct idl_column *lsp_name;
    const struct idl_column *lsp_type;
    const struct idl_column *lsp_addresses;
    const struct idl_column *lsp_enabled;
    const struct idl_column *lsp_options;
    const struct idl_column *lsp_parent_name;
    const struct idl_column *lsp_tag;
    const struct idl_column *lsp_tag_request;
    const struct idl_column *lsp_port_security;
    const struct idl_column *lsp_external_ids;
    const struct idl_column *lsp_up;

    struct idl_table *lr;               /* Logical_Router. */
    const struct idl_column *lr_name;
    const struct idl_column *lr_ports;
    const struct idl_column *lr_static_routes;

    struct idl_table *lrp;              /* Logical_Router_Port. */
    const struct idl_column *lrp_name;
    const struct idl_column *lrp_mac;
    const struct idl_column *lrp_networks;

    struct idl_table *lrsr;             /* Logical_Router_Static_Route. */
    const struct idl_column *lrsr_ip_prefix;
    const struct idl_column *lrsr_nexthop;
    const struct idl_column *lrsr_output_port;
};

/* The southbound tables and columns northd reads or writes. */
struct northd_sb {
    struct idl_table *global;           /* SB_Global. */
    const struct idl_column *nb_cfg;
    const struct idl_column *options;

    struct idl_table *lflow;            /* Logical_Flow. */
    const struct idl_column *lf_datapath;
    const struct idl_column *lf_dp_group;
    const struct idl_column *lf_pipeline;
    const struct idl_column *lf_table_id;
    const struct idl_column *lf_priority;
    const struct idl_column *lf_match;
    const struct idl_column *lf_actions;
    const struct idl_column *lf_external_ids;
    const struct idl_column *lf_tags;

    struct idl_table *dp;               /* Datapath_Binding. */
    const struct idl_column *dp_external_ids;
    const struct idl_column *dp_tunnel_key;

    struct idl_table *pb;               /* Port_Binding. */
    const struct idl_column *pb_logical_port;
    const struct idl_column *pb_datapath;
    const struct idl_column *pb_tunnel_key;
    const struct idl_column *pb_mac;
    const struct idl_column *pb_type;
    const struct idl_column *pb_options;
    const struct idl_column *pb_parent_port;
    const struct idl_column *pb_tag;
    const struct idl_column *pb_port_security;
    const struct idl_column *pb_external_ids;
    const struct idl_column *pb_up;

    struct idl_table *mc;               /* Multicast_Group. */
    const struct idl_column *mc_datapath;
    const struct idl_column *mc_name;
    const struct idl_column *mc_ports;
    const struct idl_column *mc_tunnel_key;

    struct idl_table *chassis_private;  /* Chassis_Private. */
    const struct idl_column *chp_nb_cfg;
};

/* A logical switch, as compiled. */
struct northd_switch {
    struct hmap_node node;      /* In northd.switches, by uuid_hash(). */
    struct uuid uuid;           /* Its Logical_Switch row. */
    char *name;                 /* Its name, for logs.  Owned. */
    struct lflow_owner owner;   /* The datapath's own flows. */
    struct list ports;          /* Contains "struct northd_port"s. */
    size_t n_unknown;           /* Enabled ports with "unknown". */
    bool flows_unknown;         /* 'n_unknown > 0' when 'owner' was built. */
    struct list rports;         /* "struct northd_rport"s attached here. */

    /* Set by the bookkeeping (sb-sync.c). */
    struct uuid sb_dp;          /* Its Datapath_Binding (maybe a temporary
                                 * UUID of the current transaction). */
    bool has_sb_dp;             /* 'sb_dp' is valid. */
};

/* A logical switch port, as compiled. */
struct northd_port {
    struct hmap_node node;      /* In northd.ports, by uuid_hash(). */
    struct list sw_node;        /* In 'sw->ports'. */
    struct northd_switch *sw;   /* Its switch. */
    struct uuid uuid;           /* Its Logical_Switch_Port row. */
    struct lflow_owner owner;   /* Its flows. */
    bool counts_unknown;        /* Counted in 'sw->n_unknown'. */
    unsigned int mark;          /* Scratch for set differences. */
    unsigned long long built_run; /* 'northd.n_runs' when last built. */
    bool is_router;             /* Type "router" when last built. */
};

/* A logical router, as compiled.  Any change to a router, its ports, its
 * routes or a switch port of type "router" recompiles everything (the
 * flow table keeps unchanged flows, so only differences go south). */
struct northd_router {
    struct hmap_node node;      /* In northd.routers, by uuid_hash(). */
    struct uuid uuid;           /* Its Logical_Router row. */
    char *name;                 /* Its name.  Owned. */
    struct lflow_owner owner;   /* All its own flows. */
    struct northd_rport **ports; /* Its ports.  Array owned, ports owned
                                 * by northd.rports. */
    size_t n_ports;             /* Number of 'ports'. */

    /* Set by the bookkeeping (sb-sync.c). */
    struct uuid sb_dp;          /* Its Datapath_Binding. */
    bool has_sb_dp;             /* 'sb_dp' is valid. */
};

/* A logical router port, as compiled. */
struct northd_rport {
    struct hmap_node node;      /* In northd.rports, by name. */
    struct list sw_node;        /* In 'sw->rports', iff 'sw'. */
    struct lrouter_port lrp;    /* Parsed row.  Owned. */
    struct northd_router *lr;   /* Its router. */
    struct northd_switch *sw;   /* Switch of its peer, or NULL. */
    char *peer;                 /* Name of the switch port of type "router"
                                 * that names it, or NULL.  Owned. */
};

/* One Logical_Flow row of the southbound replica, indexed by the key of
 * the flow it holds. */
struct northd_sb_lflow {
    struct hmap_node by_key;    /* In northd.sb_lflows, by lflow_hash(). */
    struct hmap_node by_uuid;   /* In northd.sb_lflows_by_uuid. */
    struct uuid row;            /* Its row UUID. */
    bool keyed;                 /* In 'by_key' (its datapath is known). */
    struct uuid dp;             /* Northbound datapath, if 'keyed'. */
    enum lflow_stage stage;     /* If 'keyed'. */
    unsigned int priority;      /* If 'keyed'. */
};

struct northd {
    uv_loop_t *loop;            /* Not owned. */
    struct idl *nb;             /* OVN_Northbound replica.  Owned. */
    struct idl *sb;             /* OVN_Southbound replica.  Owned. */
    struct northd_nb nbc;       /* Its tables and columns. */
    struct northd_sb sbc;       /* Its tables and columns. */
    uv_idle_t run_idle;         /* Runs northd_run() once the loop is
                                 * idle after a change. */
    bool run_pending;           /* 'run_idle' is started. */
    bool closing;               /* northd_destroy() started. */

    /* The compiled northbound state. */
    struct lflow_table lflows;  /* Desired flows. */
    struct hmap switches;       /* Contains "struct northd_switch"s. */
    struct hmap ports;          /* Contains "struct northd_port"s. */
    struct hmap routers;        /* Contains "struct northd_router"s. */
    struct hmap rports;         /* Contains "struct northd_rport"s. */
    unsigned int mark;          /* Last value used for 'port->mark'. */
    unsigned long long n_runs;  /* Compiles so far. */
    bool recompute;             /* Next run compiles everything. */
    unsigned long long nb_syncs; /* NB IDL syncs seen. */

    /* The southbound replica's flows. */
    struct hmap sb_lflows;      /* Contains "struct northd_sb_lflow"s. */
    struct hmap sb_lflows_by_uuid; /* The same, by row UUID. */
    unsigned long long sb_syncs; /* SB IDL syncs seen. */
    bool full_resync;           /* Next sync compares every flow. */
    bool bindings_dirty;        /* Next sync redoes the bookkeeping. */
    bool was_active;            /* Held the lock at the last run. */
    bool paused;                /* "pause": do not write. */

    /* Transactions in flight. */
    struct idl_txn *sb_txn;     /* Owned; NULL if none. */
    long long sb_txn_nb_cfg;    /* NB_Global.nb_cfg 'sb_txn' carries. */
    struct idl_txn *nb_txn;     /* Owned; NULL if none. */
    bool nb_sync_pending;       /* A run found 'nb_txn' in flight and did
                                 * not sync the northbound: its end
                                 * schedules another run. */

    struct northd_stats stats;  /* Counters. */
};

/* sb-sync.c */
void northd__sync_bindings(struct northd *, struct idl_txn *,
                           long long nb_cfg);
void northd__sync_nb(struct northd *, struct idl_txn *);
struct northd_switch *northd__switch_find(const struct northd *,
                                          const struct uuid *);
struct northd_router *northd__router_find(const struct northd *,
                                          const struct uuid *);
struct northd_rport *northd__rport_find(const struct northd *,
                                        const char *name);

#endif /* northd/northd-private.h */
