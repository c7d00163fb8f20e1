/* The desired logical flows of kiln-northd, and who owns them.
 *
 * Every flow northd wants in OVN_Southbound's Logical_Flow table has one or
 * more owners: a logical datapath, a port, later an ACL, a load balancer, a
 * route.  One function generates all of an owner's flows from the
 * northbound rows it depends on; regenerating an owner means dropping its
 * references (lflow_owner_clear()) and adding its flows again.  A flow is
 * keyed by (datapath, pipeline, table, priority, match, actions) and counts
 * its owners, so two owners that want the same flow share one row.
 *
 * The table remembers which keys gained their first owner or lost their
 * last one since the last sync ("dirty" flows), so that syncing to the
 * southbound database looks only at those (see northd.c).
 *
 * A flow that is the same on many datapaths (the flows of a port group's
 * ACLs, on every switch the group has ports on) is kept once, keyed by a
 * datapath group instead of a datapath: struct lflow_dp_group, a set of
 * datapaths with an identity of its own that stays when its members
 * change.  Such a flow goes south as one Logical_Flow row whose
 * "logical_dp_group" is a Logical_DP_Group row with the group's identity
 * as its UUID, so that a switch joining or leaving the group rewrites that
 * one row, not the group's flows.
 *
 * The stages are those of ovn-northd(8), with the table numbers and names
 * that OVN 23.03 gives them ("ls_in_l2_lkup" is ingress table 25,
 * "lr_in_ip_routing" ingress table 13). */
#ifndef NORTHD_LFLOW_H
#define NORTHD_LFLOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/uuid.h"

/* ovn-sb(5) Logical_Flow "pipeline". */
enum lflow_pipeline {
    LFLOW_INGRESS,
    LFLOW_EGRESS,
};

/* The logical switch stages of ovn-northd(8), in table order within each
 * pipeline. */
#define LFLOW_SWITCH_STAGES                                     \
    S(LS_IN_CHECK_PORT_SEC, INGRESS, 0, "ls_in_check_port_sec") \
    S(LS_IN_APPLY_PORT_SEC, INGRESS, 1, "ls_in_apply_port_sec") \
    S(LS_IN_LOOKUP_FDB, INGRESS, 2, "ls_in_lookup_fdb")         \
    S(LS_IN_PUT_FDB, INGRESS, 3, "ls_in_put_fdb")               \
    S(LS_IN_PRE_ACL, INGRESS, 4, "ls_in_pre_acl")               \
    S(LS_IN_PRE_LB, INGRESS, 5, "ls_in_pre_lb")                 \
    S(LS_IN_PRE_STATEFUL, INGRESS, 6, "ls_in_pre_stateful")     \
    S(LS_IN_ACL_HINT, INGRESS, 7, "ls_in_acl_hint")             \
    S(LS_IN_ACL, INGRESS, 8, "ls_in_acl")                       \
    S(LS_IN_QOS_MARK, INGRESS, 9, "ls_in_qos_mark")             \
    S(LS_IN_QOS_METER, INGRESS, 10, "ls_in_qos_meter")          \
    S(LS_IN_LB_AFF_CHECK, INGRESS, 11, "ls_in_lb_aff_check")    \
    S(LS_IN_LB, INGRESS, 12, "ls_in_lb")                        \
    S(LS_IN_LB_AFF_LEARN, INGRESS, 13, "ls_in_lb_aff_learn")    \
    S(LS_IN_PRE_HAIRPIN, INGRESS, 14, "ls_in_pre_hairpin")      \
    S(LS_IN_NAT_HAIRPIN, INGRESS, 15, "ls_in_nat_hairpin")      \
    S(LS_IN_HAIRPIN, INGRESS, 16, "ls_in_hairpin")              \
    S(LS_IN_ACL_AFTER_LB, INGRESS, 17, "ls_in_acl_after_lb")    \
    S(LS_IN_STATEFUL, INGRESS, 18, "ls_in_stateful")            \
    S(LS_IN_ARP_ND_RSP, INGRESS, 19, "ls_in_arp_rsp")           \
    S(LS_IN_DHCP_OPTIONS, INGRESS, 20, "ls_in_dhcp_options")    \
    S(LS_IN_DHCP_RESPONSE, INGRESS, 21, "ls_in_dhcp_response")  \
    S(LS_IN_DNS_LOOKUP, INGRESS, 22, "ls_in_dns_lookup")        \
    S(LS_IN_DNS_RESPONSE, INGRESS, 23, "ls_in_dns_response")    \
    S(LS_IN_EXTERNAL_PORT, INGRESS, 24, "ls_in_external_port")  \
    S(LS_IN_L2_LKUP, INGRESS, 25, "ls_in_l2_lkup")              \
    S(LS_IN_L2_UNKNOWN, INGRESS, 26, "ls_in_l2_unknown")        \
    S(LS_OUT_PRE_ACL, EGRESS, 0, "ls_out_pre_acl")              \
    S(LS_OUT_PRE_LB, EGRESS, 1, "ls_out_pre_lb")                \
    S(LS_OUT_PRE_STATEFUL, EGRESS, 2, "ls_out_pre_stateful")    \
    S(LS_OUT_ACL_HINT, EGRESS, 3, "ls_out_acl_hint")            \
    S(LS_OUT_ACL, EGRESS, 4, "ls_out_acl")                      \
    S(LS_OUT_QOS_MARK, EGRESS, 5, "ls_out_qos_mark")            \
    S(LS_OUT_QOS_METER, EGRESS, 6, "ls_out_qos_meter")          \
    S(LS_OUT_STATEFUL, EGRESS, 7, "ls_out_stateful")            \
    S(LS_OUT_CHECK_PORT_SEC, EGRESS, 8, "ls_out_check_port_sec") \
    S(LS_OUT_APPLY_PORT_SEC, EGRESS, 9, "ls_out_apply_port_sec")

/* The logical router stages of ovn-northd(8), in table order within each
 * pipeline. */
#define LFLOW_ROUTER_STAGES                                         \
    R(LR_IN_ADMISSION, INGRESS, 0, "lr_in_admission")               \
    R(LR_IN_LOOKUP_NEIGHBOR, INGRESS, 1, "lr_in_lookup_neighbor")   \
    R(LR_IN_LEARN_NEIGHBOR, INGRESS, 2, "lr_in_learn_neighbor")     \
    R(LR_IN_IP_INPUT, INGRESS, 3, "lr_in_ip_input")                 \
    R(LR_IN_UNSNAT, INGRESS, 4, "lr_in_unsnat")                     \
    R(LR_IN_DEFRAG, INGRESS, 5, "lr_in_defrag")                     \
    R(LR_IN_LB_AFF_CHECK, INGRESS, 6, "lr_in_lb_aff_check")         \
    R(LR_IN_DNAT, INGRESS, 7, "lr_in_dnat")                         \
    R(LR_IN_LB_AFF_LEARN, INGRESS, 8, "lr_in_lb_aff_learn")         \
    R(LR_IN_ECMP_STATEFUL, INGRESS, 9, "lr_in_ecmp_stateful")       \
    R(LR_IN_ND_RA_OPTIONS, INGRESS, 10, "lr_in_nd_ra_options")      \
    R(LR_IN_ND_RA_RESPONSE, INGRESS, 11, "lr_in_nd_ra_response")    \
    R(LR_IN_IP_ROUTING_PRE, INGRESS, 12, "lr_in_ip_routing_pre")    \
    R(LR_IN_IP_ROUTING, INGRESS, 13, "lr_in_ip_routing")            \
    R(LR_IN_IP_ROUTING_ECMP, INGRESS, 14, "lr_in_ip_routing_ecmp")  \
    R(LR_IN_POLICY, INGRESS, 15, "lr_in_policy")                    \
    R(LR_IN_POLICY_ECMP, INGRESS, 16, "lr_in_policy_ecmp")          \
    R(LR_IN_ARP_RESOLVE, INGRESS, 17, "lr_in_arp_resolve")          \
    R(LR_IN_CHK_PKT_LEN, INGRESS, 18, "lr_in_chk_pkt_len")          \
    R(LR_IN_LARGER_PKTS, INGRESS, 19, "lr_in_larger_pkts")          \
    R(LR_IN_GW_REDIRECT, INGRESS, 20, "lr_in_gw_redirect")          \
    R(LR_IN_ARP_REQUEST, INGRESS, 21, "lr_in_arp_request")          \
    R(LR_OUT_CHK_DNAT_LOCAL, EGRESS, 0, "lr_out_chk_dnat_local")    \
    R(LR_OUT_UNDNAT, EGRESS, 1, "lr_out_undnat")                    \
    R(LR_OUT_POST_UNDNAT, EGRESS, 2, "lr_out_post_undnat")          \
    R(LR_OUT_SNAT, EGRESS, 3, "lr_out_snat")                        \
    R(LR_OUT_POST_SNAT, EGRESS, 4, "lr_out_post_snat")              \
    R(LR_OUT_EGR_LOOP, EGRESS, 5, "lr_out_egr_loop")                \
    R(LR_OUT_DELIVERY, EGRESS, 6, "lr_out_delivery")

/* One stage: a table of one pipeline of one kind of datapath. */
enum lflow_stage {
#define S(ID, PIPELINE, TABLE, NAME) ID,
#define R(ID, PIPELINE, TABLE, NAME) ID,
    LFLOW_SWITCH_STAGES
    LFLOW_ROUTER_STAGES
#undef S
#undef R
    LFLOW_N_STAGES
};

enum lflow_pipeline lflow_stage_pipeline(enum lflow_stage);
uint8_t lflow_stage_table(enum lflow_stage);
const char *lflow_stage_name(enum lflow_stage);
const char *lflow_pipeline_to_string(enum lflow_pipeline);
bool lflow_stage_is_switch(enum lflow_stage);
int lflow_stage_find(bool is_switch, enum lflow_pipeline, unsigned int table);

/* A set of datapaths that share flows. */
struct lflow_dp_group {
    struct hmap_node node;      /* In lflow_table.groups, by uuid_hash(id). */
    struct uuid id;             /* Its identity: the key of its flows in
                                 * place of a datapath, and the UUID of its
                                 * southbound Logical_DP_Group row. */
    struct uuid *dps;           /* Northbound UUIDs of the member switches
                                 * or routers, sorted.  Owned. */
    size_t n_dps;               /* Number of 'dps'. */
    size_t allocated_dps;       /* Capacity of 'dps'. */
    size_t n_flows;             /* Flows keyed on it, live or not. */
    size_t n_live;              /* Those with at least one owner. */
    bool released;              /* Its owner is done with it: freed once
                                 * 'n_flows' is 0. */
    bool changed;               /* Members changed since the last sync. */
    bool in_sb;                 /* Scratch for the southbound sync: the
                                 * Logical_DP_Group row is there (or in the
                                 * transaction in flight). */
};

/* One desired logical flow. */
struct lflow {
    struct hmap_node node;      /* In lflow_table.flows, by lflow_hash(). */
    struct list dirty_node;     /* In lflow_table.dirty, iff 'dirty'. */

    /* The key. */
    struct uuid dp;             /* Northbound row of the switch or router,
                                 * or the 'id' of 'group'. */
    enum lflow_stage stage;     /* Pipeline and table. */
    uint16_t priority;          /* 0..65535. */
    char *match;                /* Owned. */
    char *actions;              /* Owned. */

    struct lflow_dp_group *group; /* The datapath group it is for, or NULL
                                 * for one datapath. */

    /* Extra columns, from the first owner that added the flow. */
    struct uuid hint;           /* external_ids:stage-hint, or zero. */
    char *in_out_port;          /* tags:in_out_port, or NULL.  Owned. */

    size_t n_refs;              /* Number of owner references. */
    unsigned int sync_mark;     /* Scratch for the southbound sync. */
    bool dirty;                 /* Gained its first or lost its last owner
                                 * since the last lflow_table_sync_done(). */
};

/* The flows one owner (a datapath, a port...) generated. */
struct lflow_owner {
    struct lflow **flows;       /* References, one per add; not owned. */
    size_t n_flows;             /* Number of 'flows'. */
    size_t allocated_flows;     /* Capacity of 'flows'. */
};

/* All desired flows. */
struct lflow_table {
    struct hmap flows;          /* Contains "struct lflow"s, incl. those with
                                 * no owner left until the next sync. */
    struct list dirty;          /* Contains the dirty "struct lflow"s. */
    size_t n_live;              /* Flows with at least one owner. */
    struct hmap groups;         /* Contains "struct lflow_dp_group"s. */
};

void lflow_table_init(struct lflow_table *);
void lflow_table_uninit(struct lflow_table *);

uint32_t lflow_hash(const struct uuid *dp, enum lflow_stage,
                    unsigned int priority, const char *match,
                    const char *actions);
struct lflow *lflow_table_find(const struct lflow_table *,
                               const struct uuid *dp, enum lflow_stage,
                               unsigned int priority, const char *match,
                               const char *actions, uint32_t hash);

struct lflow_dp_group *lflow_dp_group_create(struct lflow_table *,
                                             const struct uuid *id);
void lflow_dp_group_release(struct lflow_table *, struct lflow_dp_group *);
void lflow_dp_group_set(struct lflow_dp_group *, const struct uuid *dps,
                        size_t n_dps);
struct lflow_dp_group *lflow_dp_group_find(const struct lflow_table *,
                                           const struct uuid *id);

void lflow_add(struct lflow_table *, struct lflow_owner *,
               const struct uuid *dp, enum lflow_stage,
               unsigned int priority, const char *match, const char *actions,
               const struct uuid *hint, const char *in_out_port);

void lflow_owner_init(struct lflow_owner *);
void lflow_owner_clear(struct lflow_table *, struct lflow_owner *);
void lflow_owner_uninit(struct lflow_table *, struct lflow_owner *);

/* Syncing: the caller walks 'dirty' (LIST_FOR_EACH over dirty_node),
 * writes each flow that has owners and removes each that has none, then
 * calls lflow_table_sync_done(). */
void lflow_table_sync_done(struct lflow_table *);

#endif /* northd/lflow.h */
