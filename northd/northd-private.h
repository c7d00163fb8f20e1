/* Internals of the compile engine shared by northd.c (compiling and flow
 * sync) and sb-sync.c (southbound bookkeeping).  Nothing else includes
 * this. */
#ifndef NORTHD_NORTHD_PRIVATE_H
#define NORTHD_NORTHD_PRIVATE_H 1

#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/uuid.h"
#include "northd/ipam.h"
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
    const struct idl_column *ls_acls;
    const struct idl_column *ls_load_balancer;
    const struct idl_column *ls_dns_records;
    const struct idl_column *ls_other_config;

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
    const struct idl_column *lsp_dhcpv4_options;
    const struct idl_column *lsp_dhcpv6_options;
    const struct idl_column *lsp_dynamic_addresses;
    const struct idl_column *lsp_ha_chassis_group;

    struct idl_table *dhcp;             /* DHCP_Options. */
    const struct idl_column *dhcp_cidr;
    const struct idl_column *dhcp_options;

    struct idl_table *dns;              /* DNS. */
    const struct idl_column *dns_records;

    struct idl_table *lr;               /* Logical_Router. */
    const struct idl_column *lr_name;
    const struct idl_column *lr_ports;
    const struct idl_column *lr_static_routes;
    const struct idl_column *lr_policies;
    const struct idl_column *lr_options;
    const struct idl_column *lr_nat;
    const struct idl_column *lr_load_balancer;

    struct idl_table *lrp;              /* Logical_Router_Port. */
    const struct idl_column *lrp_name;
    const struct idl_column *lrp_mac;
    const struct idl_column *lrp_networks;
    const struct idl_column *lrp_gateway_chassis;
    const struct idl_column *lrp_ha_chassis_group;
    const struct idl_column *lrp_peer;

    struct idl_table *gwc;              /* Gateway_Chassis. */
    const struct idl_column *gwc_chassis_name;
    const struct idl_column *gwc_priority;

    struct idl_table *hacg;             /* HA_Chassis_Group. */
    const struct idl_column *hacg_name;
    const struct idl_column *hacg_ha_chassis;

    struct idl_table *hac;              /* HA_Chassis. */
    const struct idl_column *hac_chassis_name;
    const struct idl_column *hac_priority;

    struct idl_table *lrpol;            /* Logical_Router_Policy. */
    const struct idl_column *lrpol_priority;
    const struct idl_column *lrpol_match;
    const struct idl_column *lrpol_action;
    const struct idl_column *lrpol_nexthop;
    const struct idl_column *lrpol_nexthops;
    const struct idl_column *lrpol_options;

    struct idl_table *lrsr;             /* Logical_Router_Static_Route. */
    const struct idl_column *lrsr_ip_prefix;
    const struct idl_column *lrsr_nexthop;
    const struct idl_column *lrsr_output_port;

    struct idl_table *nat;              /* NAT. */
    const struct idl_column *nat_type;
    const struct idl_column *nat_external_ip;
    const struct idl_column *nat_logical_ip;
    const struct idl_column *nat_logical_port;
    const struct idl_column *nat_external_mac;

    struct idl_table *lb;               /* Load_Balancer. */
    const struct idl_column *lb_name;
    const struct idl_column *lb_vips;
    const struct idl_column *lb_protocol;
    const struct idl_column *lb_options;

    struct idl_table *acl;              /* ACL. */
    const struct idl_column *acl_direction;
    const struct idl_column *acl_action;
    const struct idl_column *acl_match;
    const struct idl_column *acl_priority;
    const struct idl_column *acl_log;
    const struct idl_column *acl_name;
    const struct idl_column *acl_severity;
    const struct idl_column *acl_meter;
    const struct idl_column *acl_label;
    const struct idl_column *acl_options;

    struct idl_table *pg;               /* Port_Group. */
    const struct idl_column *pg_name;
    const struct idl_column *pg_ports;
    const struct idl_column *pg_acls;

    struct idl_table *as;               /* Address_Set. */
    const struct idl_column *as_name;
    const struct idl_column *as_addresses;

    struct idl_table *meter;            /* Meter. */
    const struct idl_column *meter_name;
    const struct idl_column *meter_unit;
    const struct idl_column *meter_bands;

    struct idl_table *band;             /* Meter_Band. */
    const struct idl_column *band_action;
    const struct idl_column *band_rate;
    const struct idl_column *band_burst_size;
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
    const struct idl_column *pb_ha_chassis_group;

    struct idl_table *mc;               /* Multicast_Group. */
    const struct idl_column *mc_datapath;
    const struct idl_column *mc_name;
    const struct idl_column *mc_ports;
    const struct idl_column *mc_tunnel_key;

    struct idl_table *lb;               /* Load_Balancer. */
    const struct idl_column *lb_name;
    const struct idl_column *lb_vips;
    const struct idl_column *lb_protocol;
    const struct idl_column *lb_options;
    const struct idl_column *lb_external_ids;
    const struct idl_column *lb_datapath_group;

    struct idl_table *dpg;              /* Logical_DP_Group. */
    const struct idl_column *dpg_datapaths;

    struct idl_table *chassis;          /* Chassis. */
    const struct idl_column *chassis_name;

    struct idl_table *hacg;             /* HA_Chassis_Group. */
    const struct idl_column *hacg_name;
    const struct idl_column *hacg_ha_chassis;

    struct idl_table *hac;              /* HA_Chassis. */
    const struct idl_column *hac_chassis;
    const struct idl_column *hac_priority;
    const struct idl_column *hac_external_ids;

    struct idl_table *chassis_private;  /* Chassis_Private. */
    const struct idl_column *chp_nb_cfg;

    struct idl_table *pg;               /* Port_Group. */
    const struct idl_column *pg_name;
    const struct idl_column *pg_ports;

    struct idl_table *as;               /* Address_Set. */
    const struct idl_column *as_name;
    const struct idl_column *as_addresses;

    struct idl_table *meter;            /* Meter. */
    const struct idl_column *meter_name;
    const struct idl_column *meter_unit;
    const struct idl_column *meter_bands;

    struct idl_table *band;             /* Meter_Band. */
    const struct idl_column *band_action;
    const struct idl_column *band_rate;
    const struct idl_column *band_burst_size;

    struct idl_table *dhcp;             /* DHCP_Options (codes). */
    const struct idl_column *dhcp_name;
    const struct idl_column *dhcp_code;
    const struct idl_column *dhcp_type;

    struct idl_table *dhcpv6;           /* DHCPv6_Options (codes). */
    const struct idl_column *dhcpv6_name;
    const struct idl_column *dhcpv6_code;
    const struct idl_column *dhcpv6_type;

    struct idl_table *dns;              /* DNS. */
    const struct idl_column *dns_datapaths;
    const struct idl_column *dns_records;
    const struct idl_column *dns_external_ids;

    struct idl_table *mb;               /* MAC_Binding. */
    const struct idl_column *mb_logical_port;
    const struct idl_column *mb_datapath;
};

struct northd_acl_src;

/* A logical switch, as compiled. */
struct northd_switch {
    struct hmap_node node;      /* In northd.switches, by uuid_hash(). */
    struct uuid uuid;           /* Its Logical_Switch row. */
    char *name;                 /* Its name, for logs.  Owned. */
    struct lflow_owner owner;   /* The datapath's own flows. */
    struct list ports;          /* Contains "struct northd_port"s. */
    size_t n_unknown;           /* Enabled ports with "unknown". */
    bool flows_unknown;         /* 'n_unknown > 0' when 'owner' was built. */
    size_t n_ports;             /* Number of 'ports'. */
    size_t n_router_lsps;       /* Those of type "router" when built. */
    bool flows_vifs;            /* 'n_ports > n_router_lsps' when 'owner'
                                 * was built: the routers' ARP and ND go
                                 * to the other ports too. */
    struct list rports;         /* "struct northd_rport"s attached here. */

    /* ACLs (acl.h, acl-apply.c). */
    struct northd_acl_src *own_acls; /* Its own "acls", or NULL if none. */
    struct uuid *pgs;           /* Port_Groups with a port here.  Owned. */
    size_t n_pgs;               /* Number of 'pgs'. */
    size_t allocated_pgs;       /* Capacity of 'pgs'. */
    bool has_acls;              /* An ACL applies here... */
    bool stateful;              /* ...and one of them is "allow-related". */
    bool has_lb;                /* One of its load balancers has a VIP: the
                                 * ACL machinery is stateful (lb.h). */
    struct uuid *lbs;           /* Its load balancers when last built
                                 * (their flows: struct northd_lb_group).
                                 * Owned. */
    size_t n_lbs;               /* Number of 'lbs'. */
    bool acls_dirty;            /* Its own "acls" or load balancers may
                                 * have changed. */
    bool class_dirty;           /* The port groups on it or their ACLs
                                 * changed: recheck 'has_acls' and
                                 * 'stateful'. */
    bool class_changed;         /* 'has_acls', 'stateful' or 'has_lb'
                                 * changed in this run: its own flows and
                                 * those of its router and localnet ports
                                 * must be rebuilt. */
    unsigned int mark;          /* Scratch for set differences. */
    unsigned int shared_class;  /* NORTHD_SWITCH_CLASS_* bits of its
                                 * shared flows when 'owner' was built. */
    struct ipam_switch ipam;    /* Its IPAM state from the last IPAM pass
                                 * (ipam.h). */

    /* Set by the bookkeeping (sb-sync.c). */
    struct uuid sb_dp;          /* Its Datapath_Binding (maybe a temporary
                                 * UUID of the current transaction). */
    bool has_sb_dp;             /* 'sb_dp' is valid. */
    long long tunnel_key;       /* Its datapath tunnel key, if
                                 * 'has_sb_dp'. */
    bool mc_dirty;              /* The next sync refreshes its
                                 * Multicast_Groups. */
};

/* The flows a switch has in common with others depend only on these
 * facts (its "class"): written once per class, for a datapath group of the
 * switches of the class (northd.c "Switch classes"). */
enum {
    NORTHD_SWITCH_UNKNOWN = 1 << 0,  /* A port has "unknown" addresses. */
    NORTHD_SWITCH_ACLS = 1 << 1,     /* ACLs apply. */
    NORTHD_SWITCH_STATEFUL = 1 << 2, /* One is "allow-related". */
    NORTHD_SWITCH_LB = 1 << 3,       /* A load balancer has a VIP. */
    NORTHD_N_SWITCH_CLASSES = 1 << 4
};

/* A load balancer's flows on switches: alike on every switch that has it,
 * so written once for a datapath group of those switches. */
struct northd_lb_group {
    struct hmap_node node;      /* In northd.lb_groups, by uuid_hash(). */
    struct uuid lb;             /* The Load_Balancer row. */
    struct lflow_dp_group *group; /* Its switches, or NULL if none yet.
                                 * Owned by northd.lflows. */
    struct lflow_owner owner;   /* Its flows, for 'group'. */
    bool stale;                 /* The row changed: rebuild the flows. */
    bool members_dirty;         /* A switch gained or lost it. */
};

/* A source of ACLs: a Port_Group, whose ACLs apply to every switch it
 * has a port on, or a Logical_Switch's own "acls".  An ACL has the same
 * flows on every switch it applies to but for one thing, the switch's
 * class (acl.h: stateful or not), so a port group's ACLs are compiled
 * once per class into the flows of a datapath group (lflow.h) of the
 * group's switches of that class. */
struct northd_acl_src {
    struct hmap_node node;      /* In northd.acl_srcs, by uuid_hash(). */
    struct uuid uuid;           /* Its Port_Group or Logical_Switch row. */
    struct northd_switch *sw;   /* The switch, for a switch's own ACLs;
                                 * NULL for a port group. */
    struct hmap apps;           /* Its "struct northd_acl_app"s, by
                                 * uuid_hash(acl). */
    bool has_stateful;          /* One of its ACLs is "allow-related". */

    /* Port groups only. */
    struct uuid *sws;           /* Switches with one of its ports, sorted.
                                 * Owned. */
    size_t n_sws;               /* Number of 'sws'. */
    struct lflow_dp_group *groups[2]; /* Its switches of each class
                                 * (0: stateless, 1: stateful), or NULL if
                                 * it has none of the class.  Owned by
                                 * northd.lflows. */
    struct hmap members;        /* Its ports ("struct acl_pg_port"s,
                                 * acl-apply.c), each with its switch. */
    struct hmap sw_counts;      /* Its ports per switch ("struct
                                 * acl_pg_count"s). */
    bool members_full;          /* 'members' must be rebuilt from scratch
                                 * (not from the "ports" differences). */

    bool dirty;                 /* Its "acls" or one of its ACLs changed:
                                 * refresh 'apps' and 'has_stateful'. */
    bool members_dirty;         /* Its "ports" changed: refresh 'sws'. */
    bool groups_dirty;          /* Its switches or their classes changed:
                                 * refresh 'groups'. */
    bool stale_apps;            /* One of 'apps' is stale. */
};

/* One ACL of one source: the owner of the ACL's flows there, one owner
 * per switch class. */
struct northd_acl_app {
    struct hmap_node node;      /* In 'src->apps', by uuid_hash(acl). */
    struct hmap_node acl_node;  /* In northd.acl_apps, by uuid_hash(acl). */
    struct uuid acl;            /* The ACL row. */
    struct northd_acl_src *src; /* Where it comes from. */
    struct lflow_owner owners[2]; /* Its flows for each class. */
    unsigned int mark;          /* Scratch for set differences. */
    bool stale;                 /* The ACL row changed or is new:
                                 * rebuild. */
};

/* A port's use of a DHCP_Options row, so that a changed row rebuilds
 * exactly the ports that use it. */
struct northd_dhcp_ref {
    struct hmap_node node;      /* In northd.dhcp_refs by uuid_hash(&row),
                                 * iff 'linked'. */
    struct uuid row;            /* The DHCP_Options row, if 'linked'. */
    struct northd_port *port;   /* The port that holds this. */
    bool linked;                /* In northd.dhcp_refs. */
};

/* A logical switch port, as compiled. */
struct northd_port {
    struct hmap_node node;      /* In northd.ports, by uuid_hash(). */
    struct list sw_node;        /* In 'sw->ports'. */
    struct northd_switch *sw;   /* Its switch. */
    struct uuid uuid;           /* Its Logical_Switch_Port row. */
    struct lflow_owner owner;   /* Its flows. */
    bool counts_unknown;        /* Counted in 'sw->n_unknown'. */
    bool counts_router;         /* Counted in 'sw->n_router_lsps'. */
    unsigned int mark;          /* Scratch for set differences. */
    unsigned long long built_run; /* 'northd.n_runs' when last built. */
    bool is_router;             /* Type "router" when last built. */
    bool uses_stateful;         /* Type "router" or "localnet", or with
                                 * DHCP options, when last built: its
                                 * flows depend on 'sw->stateful'. */
    struct northd_dhcp_ref dhcp_refs[2]; /* The DHCP_Options rows of its
                                 * "dhcpv4_options" and "dhcpv6_options"
                                 * when last built. */
    char *dynamic;              /* The "dynamic_addresses" IPAM wants for
                                 * it, or NULL for none.  Owned. */
    bool ipam_managed;          /* Its switch had IPAM at the last IPAM
                                 * pass: 'dynamic' is to be written. */
    bool is_localnet;           /* Type "localnet" when last built: the
                                 * DHCP flows of the switch's "external"
                                 * ports name it. */
    char *router_port;          /* Of a port of type "router" when last
                                 * built: its options:router-port, or NULL.
                                 * Owned. */

    /* Set by the bookkeeping (sb-sync.c). */
    struct uuid pb_row;         /* Its Port_Binding row... */
    long long pb_key;           /* ...with this tunnel key... */
    bool has_pb;                /* ...if this is true. */
    struct hmap_node pb_node;   /* In northd.ports_by_pb by
                                 * uuid_hash(&pb_row), iff 'has_pb'. */
    struct list pb_dirty_node;  /* In northd.pb_dirty, iff 'pb_dirty'. */
    bool pb_dirty;              /* The next sync refreshes its
                                 * Port_Binding. */
    struct list up_node;        /* In northd.up_check, iff 'up_check'. */
    bool up_check;              /* The next northbound sync checks its
                                 * "up" and "tag". */
    struct hmap_node peer_node; /* In northd.router_lsps by
                                 * hash_string(router_port), iff
                                 * 'router_port'. */
};

/* One NAT rule of a router, as compiled: the owner of its flows. */
struct northd_nat {
    struct hmap_node node;      /* In northd.nats, by uuid_hash(). */
    struct list lr_node;        /* In 'lr->nats'. */
    struct uuid uuid;           /* Its NAT row. */
    struct northd_router *lr;   /* The router whose "nat" names it. */
    struct lflow_owner owner;   /* Its flows (none on a router that is not
                                 * a gateway, or if it does not parse). */
    bool valid;                 /* Parsed when last built. */
    char *arp_ip;               /* External IP the router's switches
                                 * answer ARP/ND for ("dnat" and
                                 * "dnat_and_snat" on a gateway router),
                                 * or NULL.  Owned. */
    char *ext_mac;              /* "external_mac" of a distributed
                                 * "dnat_and_snat" on a distributed gateway
                                 * port, or NULL.  Owned. */
    unsigned int mark;          /* Scratch for set differences. */
    bool stale;                 /* The NAT row changed: rebuild. */
};

/* A logical router, as compiled.  A change to a router, its ports or its
 * routes rebuilds the router's datapath-wide flows and the flows of the
 * ports that changed, and relinks the switches those ports attach to
 * (northd.c "Router changes"); a NAT change rebuilds only that rule's
 * flows (and the router-type switch ports peering with the router, if
 * the addresses they answer ARP for changed). */
struct northd_router {
    struct hmap_node node;      /* In northd.routers, by uuid_hash(). */
    struct uuid uuid;           /* Its Logical_Router row. */
    char *name;                 /* Its name.  Owned. */
    struct lflow_owner owner;   /* Its flows that belong to no port: the
                                 * stages' defaults and its routes. */
    bool skip_unreachables;     /* As lrouter_skips_unreachables() said
                                 * when its ports' flows were built. */
    char *chassis;              /* options:chassis (a gateway router), or
                                 * NULL.  Owned. */
    struct uuid nat_sw;         /* The switch its distributed gateway port
                                 * was on when its NAT rules were built
                                 * (all zeros if none): a distributed rule
                                 * has a flow there. */
    struct list nats;           /* Its "struct northd_nat"s. */
    struct lflow_owner nat_owner; /* Router-wide NAT flows. */
    bool has_nat_flows;         /* 'nat_owner' holds them (a gateway router
                                 * with a valid NAT rule). */
    struct lflow_owner lb_owner; /* Its load balancers' flows. */
    struct lflow_owner lb_arp_owner; /* ARP/ND answers for 'lb_ips', which
                                 * name the "_rtr_lb_<key>_ip4/6" address
                                 * sets: rebuilt when 'tunnel_key' is
                                 * known or changes. */
    char **lb_ips;              /* Its load balancers' VIP addresses.
                                 * Owned, strings too. */
    size_t n_lb_ips;            /* Number of 'lb_ips'. */
    char **nat_arp_ips;         /* The 'arp_ip's of 'nats' and 'lb_ips',
                                 * as the switches it is on answer ARP for
                                 * them (NAT ones first).  Owned, copies
                                 * of the strings too. */
    size_t n_nat_arp_ips;       /* Number of 'nat_arp_ips'. */
    char *nat_macs;             /* The 'ext_mac's of 'nats', ", "-separated,
                                 * which its switches flood ARP from like
                                 * its own MACs.  Owned, never NULL once
                                 * created. */
    struct northd_rport **ports; /* Its ports.  Array owned, ports owned
                                 * by northd.rports. */
    size_t n_ports;             /* Number of 'ports'. */

    /* Set by the bookkeeping (sb-sync.c). */
    struct uuid sb_dp;          /* Its Datapath_Binding. */
    bool has_sb_dp;             /* 'sb_dp' is valid. */
    long long tunnel_key;       /* Its datapath tunnel key, 0 if not known
                                 * yet. */
};

/* A logical router port, as compiled. */
struct northd_rport {
    struct hmap_node node;      /* In northd.rports, by name. */
    struct list sw_node;        /* In 'sw->rports', iff 'sw'. */
    struct lrouter_port lrp;    /* Parsed row.  Owned. */
    struct lflow_owner owner;   /* Its flows on its router. */
    unsigned int mark;          /* Scratch for set differences. */
    struct uuid pb_row;         /* Set by the bookkeeping: its
                                 * Port_Binding... */
    long long pb_key;           /* ...with this key... */
    bool has_pb;                /* ...if this is true... */
    struct uuid cr_row;         /* ...and that of "cr-<name>"... */
    long long cr_key;           /* ...with this key... */
    bool has_cr;                /* ...if this is true. */
    struct list pb_dirty_node;  /* In northd.rpb_dirty, iff 'pb_dirty'. */
    bool pb_dirty;              /* The next sync refreshes its
                                 * Port_Bindings. */
    struct northd_router *lr;   /* Its router. */
    struct northd_switch *sw;   /* Switch of its peer, or NULL. */
    char *peer;                 /* Name of the switch port of type "router"
                                 * that names it, or NULL.  Owned. */
    struct uuid sb_hacg;        /* If 'lrp.is_dgp', its HA_Chassis_Group in
                                 * the southbound (set by the bookkeeping,
                                 * maybe a temporary UUID)... */
    bool has_sb_hacg;           /* ...if this is true. */
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

/* The parts of the southbound bookkeeping (sb-sync.c), redone only when
 * something they depend on changed.  SB_Global, Datapath_Binding and
 * HA_Chassis_Group, which are small, are synced every time. */
enum {
    NORTHD_DIRTY_PORTS = 1 << 0,    /* Port_Binding, Multicast_Group. */
    NORTHD_DIRTY_SETS = 1 << 1,     /* Port_Group, Address_Set. */
    NORTHD_DIRTY_METERS = 1 << 2,   /* Meter. */
    NORTHD_DIRTY_LBS = 1 << 3,      /* Load_Balancer. */
    NORTHD_DIRTY_ALL = (1 << 4) - 1
};

/* A Port_Binding row of a port that is gone, to delete. */
struct northd_pb_gone {
    struct uuid row;            /* The row. */
    struct uuid dp;             /* Its switch or router (northbound). */
    long long key;              /* Its tunnel key there. */
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
    struct hmap router_lsps;    /* Contains the "struct northd_port"s with
                                 * a 'router_port', by peer_node. */
    struct lflow_dp_group *class_groups[NORTHD_N_SWITCH_CLASSES];
                                /* The switches of each class, or NULL if
                                 * none.  Owned by 'lflows'. */
    struct lflow_owner class_owners[NORTHD_N_SWITCH_CLASSES];
                                /* The flows of each class's group. */
    bool classes_dirty;         /* A switch came, went or changed class:
                                 * the groups follow at the end of the
                                 * compile. */
    struct hmap lb_groups;      /* Contains "struct northd_lb_group"s. */
    struct hmap acl_srcs;       /* Contains "struct northd_acl_src"s. */
    bool pgs_members_dirty;     /* Ports may have moved between switches:
                                 * every port group recomputes its
                                 * switches. */
    struct hmap acl_apps;       /* Contains every "struct northd_acl_app",
                                 * by acl_node. */
    struct hmap nats;           /* Contains "struct northd_nat"s. */
    struct hmap dhcp_refs;      /* Contains the linked "struct
                                 * northd_dhcp_ref"s of the ports. */
    struct ipam_macs ipam_macs; /* MACs in use, dynamic MAC prefix. */
    bool ipam_dirty;            /* Next compile reruns IPAM. */
    bool ipam_enabled;          /* A switch had IPAM at the last pass. */
    bool dynamic_dirty;         /* Next northbound sync writes the
                                 * ports' 'dynamic'. */
    bool dns_dirty;             /* Next southbound sync redoes the DNS
                                 * table and the DHCP code tables. */
    unsigned int mark;          /* Last value used for 'port->mark'. */
    unsigned long long n_runs;  /* Compiles so far. */
    bool recompute;             /* Next run compiles everything... */
    const char *recompute_why;  /* ...for this reason (static string). */
    unsigned long long nb_syncs; /* NB IDL syncs seen. */

    /* The southbound replica's flows. */
    struct hmap sb_lflows;      /* Contains "struct northd_sb_lflow"s. */
    struct hmap sb_lflows_by_uuid; /* The same, by row UUID. */
    unsigned long long sb_syncs; /* SB IDL syncs seen. */
    bool full_resync;           /* Next sync compares every flow. */
    unsigned int dirty;         /* NORTHD_DIRTY_*: the parts of the
                                 * bookkeeping the next sync redoes. */
    struct list pb_dirty;       /* "struct northd_port"s whose Port_Binding
                                 * the next sync refreshes. */
    struct list rpb_dirty;      /* "struct northd_rport"s likewise. */
    struct northd_pb_gone *pb_gone; /* Port_Bindings of ports that went,
                                 * for the next sync to delete. */
    size_t n_pb_gone;           /* Number of 'pb_gone'. */
    size_t allocated_pb_gone;   /* Capacity of 'pb_gone'. */
    struct hmap pb_keys;        /* Port tunnel keys in use per switch or
                                 * router (sb-sync.c), once a full sync
                                 * built them. */
    bool pb_keys_valid;         /* 'pb_keys' is built. */
    struct hmap ports_by_pb;    /* "struct northd_port"s by pb_node. */
    struct hmap sb_deleted;     /* Southbound rows this northd deleted
                                 * whose deletion has not come back
                                 * (sb-sync.c). */
    struct list up_check;       /* "struct northd_port"s whose "up" and
                                 * "tag" the next northbound sync
                                 * checks. */
    struct hmap pg_states;      /* sb-sets.c: the port groups as last
                                 * written south. */
    bool pg_states_valid;       /* 'pg_states' is built. */
    struct uuid *set_ports;     /* Ports queued for the next sync of the
                                 * port groups they are in. */
    size_t n_set_ports;         /* Number of 'set_ports'. */
    size_t allocated_set_ports; /* Capacity of 'set_ports'. */
    struct uuid *set_pgs;       /* Port_Groups queued for the next
                                 * sync. */
    size_t n_set_pgs;           /* Number of 'set_pgs'. */
    size_t allocated_set_pgs;   /* Capacity of 'set_pgs'. */
    struct uuid *set_pg_ports;  /* Pairs (Port_Group, port): a port that
                                 * came to or went from a group. */
    size_t n_set_pg_ports;      /* Number of pairs in 'set_pg_ports'. */
    size_t allocated_set_pg_ports; /* Capacity of 'set_pg_ports'
                                 * (UUIDs). */
    bool nb_as_dirty;           /* The next sync rewrites the copies of
                                 * the northbound Address_Sets. */
    bool rtr_sets_dirty;        /* The next sync rewrites the routers'
                                 * "_rtr_lb_" address sets. */
    bool up_dirty;              /* Next northbound sync recomputes the
                                 * ports' "up". */
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
                           long long nb_cfg, unsigned int dirty);
void northd__port_pb_dirty(struct northd *, struct northd_port *);
void northd__rport_pb_dirty(struct northd *, struct northd_rport *);
void northd__port_pb_gone(struct northd *, struct northd_port *);
void northd__rport_pb_gone(struct northd *, struct northd_rport *);
void northd__port_up_check(struct northd *, struct northd_port *);
bool northd__sb_deleted_echo(struct northd *, const struct uuid *);
void northd__pb_state_clear(struct northd *);
struct datum;
void northd__set_datum(struct idl_txn *, const struct idl_row *, bool is_new,
                       const struct idl_column *, struct datum *);

/* sb-sets.c */
void northd__sync_sets(struct northd *, struct idl_txn *, bool full);
void northd__sets_port_changed(struct northd *, const struct uuid *port);
void northd__sets_pg_changed(struct northd *, const struct uuid *pg,
                             const struct datum *ports_diff);
void northd__sets_clear(struct northd *);
void northd__sync_nb(struct northd *, struct idl_txn *);
struct northd_switch *northd__switch_find(const struct northd *,
                                          const struct uuid *);
struct northd_router *northd__router_find(const struct northd *,
                                          const struct uuid *);
struct northd_rport *northd__rport_find(const struct northd *,
                                        const char *name);
struct northd_port *northd__port_find(const struct northd *,
                                      const struct uuid *);
void northd__router_set_key(struct northd *, struct northd_router *,
                            long long tunnel_key);
bool northd__switch_build_lb_flows(struct northd *, struct northd_switch *,
                                   const struct idl_row *);
struct acl_desc;
void northd__acl_desc_from_row(const struct northd_nb *,
                               const struct idl_row *, struct acl_desc *);

/* acl-apply.c */
void northd__acls_reset(struct northd *);
void northd__acl_changed(struct northd *, const struct uuid *acl);
void northd__pg_changed(struct northd *, const struct uuid *pg, bool acls,
                        bool ports);
void northd__switch_acls_gone(struct northd *, struct northd_switch *);
void northd__sync_acls(struct northd *);
void northd__acls_destroy(struct northd *);

#endif /* northd/northd-private.h */
