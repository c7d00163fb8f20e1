/* One OpenFlow switch ("bridge"): its 255 flow tables, groups, ports and
 * bundles, and the OpenFlow semantics of changing them (OpenFlow 1.3.5
 * §6.4 flow table modification, §6.5 group table modification, OpenFlow
 * 1.4.1 §6.8 bundles).  Connections (switch/connmgr.h) decode messages
 * into the plain structs below and call in; the datapath looks rules up
 * and credits their counters.
 *
 * Every modification goes through a transaction (struct ofproto_txn): the
 * changes it makes are logged so that a failure undoes all of them, which
 * is how a bundle commits "all or nothing".  A single flow_mod is a
 * transaction of one.  Flow-removed notifications and the freeing of
 * deleted rules wait for the commit.
 *
 * Concurrency: 'rwlock' guards the tables, groups and ports.  Every
 * function here that changes them takes the write lock itself; packet
 * threads take the read lock around classifier lookups
 * (ofproto_lookup()) and keep what they need past it by reference: rule
 * actions (struct ofproto_actions) are immutable and reference-counted.
 * Counters are atomics, credited without the write lock.  'version' is
 * bumped on every change so the flow cache knows to revalidate.
 *
 * Time comes from a clock function (time_msec() by default) so tests can
 * drive timeouts with a fake clock. */
#ifndef SWITCH_OFPROTO_H
#define SWITCH_OFPROTO_H 1

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/flow.h"
#include "lib/hmap.h"
#include "lib/list.h"
#include "openflow/ofp-errors.h"
#include "openflow/ofp-fields.h"
#include "openflow/ofp-match.h"
#include "switch/classifier.h"

struct dp_meter_table;
struct ds;
struct ofpact;
struct ofproto;

#define OFPROTO_N_TABLES 255    /* Tables 0..254; 255 means "all". */
#define OFPROTO_TABLE_ALL 0xff  /* OFPTT_ALL. */

/* flow_mod commands (OpenFlow 1.3.5 §7.3.4.1). */
enum ofproto_fm_command {
    OFPROTO_FC_ADD = 0,
    OFPROTO_FC_MODIFY = 1,
    OFPROTO_FC_MODIFY_STRICT = 2,
    OFPROTO_FC_DELETE = 3,
    OFPROTO_FC_DELETE_STRICT = 4,
};

/* Flow flags, OpenFlow 1.3 numbering (the OpenFlow 1.0 codec maps its
 * EMERG bit away). */
#define OFPROTO_FF_SEND_FLOW_REM 0x0001
#define OFPROTO_FF_CHECK_OVERLAP 0x0002
#define OFPROTO_FF_RESET_COUNTS 0x0004
#define OFPROTO_FF_NO_PKT_COUNTS 0x0008
#define OFPROTO_FF_NO_BYT_COUNTS 0x0010

/* flow_removed reasons (OFPRR_*). */
enum ofproto_removed_reason {
    OFPROTO_RR_IDLE_TIMEOUT = 0,
    OFPROTO_RR_HARD_TIMEOUT = 1,
    OFPROTO_RR_DELETE = 2,
    OFPROTO_RR_GROUP_DELETE = 3,
};

/* Group types and commands (OpenFlow 1.3.5 §7.3.4.2). */
enum ofproto_group_type {
    OFPROTO_GT_ALL = 0,
    OFPROTO_GT_SELECT = 1,
    OFPROTO_GT_INDIRECT = 2,
    OFPROTO_GT_FF = 3,
};

enum ofproto_gm_command {
    OFPROTO_GC_ADD = 0,
    OFPROTO_GC_MODIFY = 1,
    OFPROTO_GC_DELETE = 2,
};

#define OFPROTO_GROUP_MAX 0xffffff00u  /* OFPG_MAX. */
#define OFPROTO_GROUP_ALL 0xfffffffcu  /* OFPG_ALL (delete all). */
#define OFPROTO_GROUP_ANY 0xffffffffu  /* OFPG_ANY (no filter). */

/* An immutable, reference-counted ofpact list (openflow/ofp-actions.h).
 * Packet threads take a reference under the read lock and may keep it
 * after releasing the lock. */
struct ofproto_actions {
    atomic_uint ref_cnt;        /* References. */
    size_t size;                /* Bytes of ofpacts. */
    uint64_t ofpacts[];         /* 'size' bytes of struct ofpact, 8-byte
                                 * aligned. */
};

struct ofproto_actions *ofproto_actions_create(const struct ofpact *,
                                               size_t size);
struct ofproto_actions *ofproto_actions_ref(const struct ofproto_actions *);
void ofproto_actions_unref(struct ofproto_actions *);

static inline const struct ofpact *
ofproto_actions_get(const struct ofproto_actions *a)
{
    return (const struct ofpact *) (const void *) a->ofpacts;
}

/* A flow table entry.  Reference-counted: the table holds one reference
 * while the rule is in it; the datapath may hold more. */
struct ofproto_rule {
    struct cls_rule cr;         /* In its table's classifier; 'cr.match' and
                                 * 'cr.priority' are the rule's. */
    atomic_uint ref_cnt;        /* References. */
    uint8_t table_id;           /* Its table. */
    bool removed;               /* No longer in a table. */

    /* Writable only under the write lock. */
    struct ofproto_actions *actions; /* Owned reference. */
    uint64_t cookie;            /* Opaque controller cookie. */
    uint16_t idle_timeout;      /* Seconds, 0 for none. */
    uint16_t hard_timeout;      /* Seconds, 0 for none. */
    uint16_t flags;             /* OFPROTO_FF_*. */
    uint16_t importance;        /* OpenFlow 1.4+ eviction importance. */
    long long created;          /* Clock msec when added. */
    long long modified;         /* Clock msec when added or modified. */
    struct list expirable_node; /* In ofproto 'expirable' if any timeout. */

    /* Credited by the datapath (ofproto_rule_credit()). */
    atomic_ullong packet_count; /* Packets matched. */
    atomic_ullong byte_count;   /* Bytes matched. */
    atomic_llong used;          /* Clock msec of the last packet (or
                                 * 'created'). */
};

void ofproto_rule_ref(struct ofproto_rule *);
void ofproto_rule_unref(struct ofproto_rule *);
void ofproto_rule_credit(struct ofproto_rule *, uint64_t packets,
                         uint64_t bytes, long long used);
void ofproto_rule_get_match(const struct ofproto_rule *, struct ofp_match *);

/* A group bucket. */
struct ofproto_bucket {
    uint32_t bucket_id;         /* OpenFlow 1.5 id, else the index. */
    uint16_t weight;            /* Select groups. */
    uint32_t watch_port;        /* Fast failover: OFPP_* (1.0 numbering),
                                 * OFPP_NONE for none. */
    uint32_t watch_group;       /* Fast failover: group, OFPROTO_GROUP_ANY
                                 * for none. */
    struct ofproto_actions *actions; /* Owned reference. */
    atomic_ullong packet_count; /* Packets. */
    atomic_ullong byte_count;   /* Bytes. */
};

/* A group table entry. */
struct ofproto_group {
    struct hmap_node node;      /* In ofproto 'groups', by id. */
    uint32_t group_id;          /* Id. */
    enum ofproto_group_type type; /* Type. */
    struct ofproto_bucket *buckets; /* Owned array of 'n_buckets'. */
    size_t n_buckets;           /* Buckets. */
    long long created;          /* Clock msec. */
    atomic_ullong packet_count; /* Packets. */
    atomic_ullong byte_count;   /* Bytes. */
};

/* A port of the switch (OpenFlow port numbers in 1.0 numbering: 1..0xfeff
 * and OFPP_LOCAL). */
struct ofproto_port {
    struct hmap_node node;      /* In ofproto 'ports', by number. */
    uint32_t port_no;           /* OFPP_* number. */
    char *name;                 /* Owned. */
    struct eth_addr mac;        /* Hardware address. */
    uint32_t config;            /* OFPPC_*. */
    uint32_t state;             /* OFPPS_*. */
    uint32_t curr;              /* OFPPF_* current features. */
    uint32_t curr_speed;        /* kbps. */
    long long created;          /* Clock msec. */

    /* Credited by the datapath. */
    atomic_ullong rx_packets, tx_packets; /* Packets. */
    atomic_ullong rx_bytes, tx_bytes;     /* Bytes. */
    atomic_ullong rx_dropped, tx_dropped; /* Drops. */
    atomic_ullong rx_errors, tx_errors;   /* Errors. */
};

/* Per-table counters. */
struct ofproto_table {
    struct classifier cls;      /* The rules ("struct ofproto_rule"s). */
    atomic_ullong lookup_count; /* Lookups (datapath). */
    atomic_ullong matched_count; /* Hits (datapath). */
};

/* A flow_mod in internal form: the connection decoded the match and the
 * actions (borrowed until the call returns). */
struct ofproto_flow_mod {
    enum ofproto_fm_command command; /* What to do. */
    uint8_t table_id;           /* Table, or OFPROTO_TABLE_ALL for modify
                                 * and delete. */
    struct ofp_match match;     /* Normalized match. */
    int priority;               /* Priority (strict commands, add). */
    uint64_t cookie;            /* Add: the new cookie.  Modify, delete:
                                 * cookie to match under 'cookie_mask'. */
    uint64_t cookie_mask;       /* Modify, delete: 0 for any cookie. */
    bool modify_cookie;         /* Modify: set the rules' cookie to
                                 * 'new_cookie' (and add if none matched). */
    uint64_t new_cookie;        /* Modify: see above. */
    uint16_t idle_timeout;      /* Add (and modify-as-add). */
    uint16_t hard_timeout;      /* Same. */
    uint16_t flags;             /* OFPROTO_FF_*. */
    uint16_t importance;        /* Add. */
    uint32_t out_port;          /* Delete (and 1.3+ modify) filter: OFPP_*,
                                 * OFPP_NONE for any. */
    uint32_t out_group;         /* Same for groups, OFPROTO_GROUP_ANY. */
    const struct ofpact *ofpacts; /* Add, modify: the actions. */
    size_t ofpacts_size;        /* Bytes at 'ofpacts'. */
};

void ofproto_flow_mod_init(struct ofproto_flow_mod *,
                           enum ofproto_fm_command);

/* A group_mod in internal form. */
struct ofproto_bucket_spec {
    uint32_t bucket_id;         /* Id (or index). */
    uint16_t weight;            /* Weight. */
    uint32_t watch_port;        /* OFPP_*, OFPP_NONE for none. */
    uint32_t watch_group;       /* OFPROTO_GROUP_ANY for none. */
    const struct ofpact *ofpacts; /* Actions (borrowed). */
    size_t ofpacts_size;        /* Bytes at 'ofpacts'. */
};

struct ofproto_group_mod {
    enum ofproto_gm_command command; /* What to do. */
    uint8_t type;               /* enum ofproto_group_type (as received). */
    uint32_t group_id;          /* Group, or OFPROTO_GROUP_ALL to delete
                                 * all. */
    const struct ofproto_bucket_spec *buckets; /* Borrowed. */
    size_t n_buckets;           /* Entries in 'buckets'. */
};

/* What happened to a rule, for flow monitors. */
enum ofproto_flow_event {
    OFPROTO_FLOW_ADDED = 0,     /* Inserted (also replacing an identical
                                 * rule). */
    OFPROTO_FLOW_DELETED = 1,   /* Removed (with a removed reason). */
    OFPROTO_FLOW_MODIFIED = 2,  /* Its actions or cookie changed. */
};

/* Notifications, called under the write lock at commit. */
struct ofproto_callbacks {
    /* A rule with OFPROTO_FF_SEND_FLOW_REM left the table. */
    void (*flow_removed)(struct ofproto *, const struct ofproto_rule *,
                         enum ofproto_removed_reason, void *aux);
    /* A port was added (reason 0), deleted (1) or modified (2). */
    void (*port_status)(struct ofproto *, const struct ofproto_port *,
                        uint8_t reason, void *aux);
    /* Any rule was added, deleted ('reason' says why) or modified (its
     * actions before were 'old_actions', NULL for other events); then,
     * once per commit that changed rules, 'flows_done'.  Either may be
     * NULL. */
    void (*flow_changed)(struct ofproto *, const struct ofproto_rule *,
                         enum ofproto_flow_event,
                         enum ofproto_removed_reason reason,
                         const struct ofproto_actions *old_actions,
                         void *aux);
    void (*flows_done)(struct ofproto *, void *aux);
};

/* The switch. */
struct ofproto {
    char *name;                 /* Bridge name.  Owned. */
    uint64_t datapath_id;       /* Datapath id. */
    pthread_rwlock_t rwlock;    /* Guards everything below (see above). */
    atomic_ullong version;      /* Bumped on every change. */
    struct ofproto_table tables[OFPROTO_N_TABLES]; /* Flow tables. */
    struct hmap groups;         /* "struct ofproto_group"s by id. */
    struct hmap ports;          /* "struct ofproto_port"s by number. */
    struct list expirable;      /* Rules with a timeout. */
    struct ofp_tlv_map tlv_map; /* Geneve option map (tun_metadata). */
    uint32_t max_ports;         /* For action validation. */
    long long (*clock)(void);   /* Time source (msec). */
    struct ofproto_callbacks cbs; /* Notifications. */
    void *cbs_aux;              /* Their argument. */
    struct hmap meters;         /* "struct ofproto_meter"s by id
                                 * (switch/ofproto-meter.h). */
    struct dp_meter_table *dp_meters; /* Their datapath meters (borrowed),
                                       * or NULL. */
};

struct ofproto *ofproto_create(const char *name, uint64_t datapath_id);
void ofproto_destroy(struct ofproto *);
void ofproto_set_clock(struct ofproto *, long long (*clock)(void));
void ofproto_set_callbacks(struct ofproto *, const struct ofproto_callbacks *,
                           void *aux);
uint64_t ofproto_get_version(const struct ofproto *);

/* Transactions.  A transaction holds the write lock from begin to commit
 * or abort. */
struct ofproto_txn;

struct ofproto_txn *ofproto_txn_begin(struct ofproto *);
enum ofperr ofproto_txn_flow_mod(struct ofproto_txn *,
                                 const struct ofproto_flow_mod *)
    WARN_UNUSED_RESULT;
enum ofperr ofproto_txn_group_mod(struct ofproto_txn *,
                                  const struct ofproto_group_mod *)
    WARN_UNUSED_RESULT;
void ofproto_txn_commit(struct ofproto_txn *);
void ofproto_txn_abort(struct ofproto_txn *);

/* One-shot helpers: a transaction of one change. */
enum ofperr ofproto_flow_mod(struct ofproto *,
                             const struct ofproto_flow_mod *)
    WARN_UNUSED_RESULT;
enum ofperr ofproto_group_mod(struct ofproto *,
                              const struct ofproto_group_mod *)
    WARN_UNUSED_RESULT;

/* Adds a rule with a catch-all match (e.g. the NORMAL flow of a
 * standalone bridge). */
enum ofperr ofproto_add_catchall(struct ofproto *, uint8_t table_id,
                                 int priority, const struct ofpact *,
                                 size_t ofpacts_size) WARN_UNUSED_RESULT;

/* Timeouts: removes rules whose idle or hard timeout passed at the
 * current clock, sending flow_removed.  Returns the number removed. */
size_t ofproto_run_timeouts(struct ofproto *);

/* Lookup for packet threads: call with the read lock held. */
struct ofproto_rule *ofproto_lookup(struct ofproto *, uint8_t table_id,
                                    const struct flow *,
                                    struct flow_wildcards *wc);

/* Queries (take the read lock themselves).  The visitor gets every rule of
 * 'table_id' (or all tables) that fits 'match' loosely (or strictly with
 * 'priority'), passes the cookie filter and the out_port/out_group
 * filters. */
struct ofproto_rule_filter {
    uint8_t table_id;           /* Table or OFPROTO_TABLE_ALL. */
    struct ofp_match match;     /* Loose target. */
    bool strict;                /* Strict match with 'priority'. */
    int priority;               /* Strict only. */
    uint64_t cookie;            /* Matched under 'cookie_mask'. */
    uint64_t cookie_mask;       /* 0 for any. */
    uint32_t out_port;          /* OFPP_NONE for any. */
    uint32_t out_group;         /* OFPROTO_GROUP_ANY for any. */
};

void ofproto_rule_filter_init(struct ofproto_rule_filter *);
typedef void ofproto_rule_visitor(const struct ofproto_rule *, void *aux);
size_t ofproto_visit_rules(struct ofproto *,
                           const struct ofproto_rule_filter *,
                           ofproto_rule_visitor *, void *aux);
void ofproto_aggregate(struct ofproto *, const struct ofproto_rule_filter *,
                       uint64_t *packets, uint64_t *bytes, uint32_t *flows);
size_t ofproto_table_count(struct ofproto *, uint8_t table_id);
size_t ofproto_flow_count(struct ofproto *);

/* Groups (read lock held by the caller for the returned pointer). */
struct ofproto_group *ofproto_group_find(const struct ofproto *,
                                         uint32_t group_id);
uint32_t ofproto_group_ref_count(const struct ofproto *, uint32_t group_id);
enum ofperr ofproto_check_groups(struct ofproto *, const struct ofpact *,
                                 size_t size) WARN_UNUSED_RESULT;

/* Geneve TLV map users: bit i of each result is set when tun_metadata<i>
 * is used.  ofproto_ofpacts_tlv_usage() covers the fields the 'size' bytes
 * of ofpacts read or write (nested clone/write_actions/ct lists and learn
 * specs included).  ofproto_tlv_usage() covers every rule's match and
 * actions and every group bucket; the caller holds the lock (read or
 * write).  ofproto_bundle_tlv_usage() covers the flow_mods' matches and
 * actions and the group_mods' buckets stored in 'b'.  A mapping in use
 * must not be deleted or change length (switch/connmgr). */
uint64_t ofproto_ofpacts_tlv_usage(const struct ofpact *, size_t size);
uint64_t ofproto_tlv_usage(const struct ofproto *);

/* Ports. */
int ofproto_port_add(struct ofproto *, const char *name, uint32_t port_no,
                     const struct eth_addr *mac, uint32_t *port_nop);
int ofproto_port_del(struct ofproto *, uint32_t port_no);
struct ofproto_port *ofproto_port_find(const struct ofproto *,
                                       uint32_t port_no);
struct ofproto_port *ofproto_port_find_by_name(const struct ofproto *,
                                               const char *name);
void ofproto_port_set_state(struct ofproto *, uint32_t port_no,
                            uint32_t config, uint32_t state);

/* Bundles (OpenFlow 1.4 §6.8): messages stored until commit.  A bundle
 * belongs to one connection (the caller keeps a list). */
struct ofproto_bundle;

struct ofproto_bundle *ofproto_bundle_create(uint32_t id, uint16_t flags);
void ofproto_bundle_destroy(struct ofproto_bundle *);
uint32_t ofproto_bundle_id(const struct ofproto_bundle *);
uint16_t ofproto_bundle_flags(const struct ofproto_bundle *);
bool ofproto_bundle_is_closed(const struct ofproto_bundle *);
void ofproto_bundle_close(struct ofproto_bundle *);
void ofproto_bundle_add_flow_mod(struct ofproto_bundle *,
                                 const struct ofproto_flow_mod *);
void ofproto_bundle_add_group_mod(struct ofproto_bundle *,
                                  const struct ofproto_group_mod *);
size_t ofproto_bundle_n_msgs(const struct ofproto_bundle *);
uint64_t ofproto_bundle_tlv_usage(const struct ofproto_bundle *);
enum ofperr ofproto_bundle_commit(struct ofproto *, struct ofproto_bundle *,
                                  size_t *failed_index) WARN_UNUSED_RESULT;

/* Text dump of every flow, as `ovs-appctl bridge/dump-flows` shows it. */
void ofproto_dump_flows(struct ofproto *, struct ds *);

#endif /* switch/ofproto.h */
