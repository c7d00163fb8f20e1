/* Flow text for kiln-ofctl: the flow syntax of ovs-ofctl(8) add-flow,
 * mod-flows and del-flows ("table=1,priority=10,ip,actions=drop") parsed
 * into a struct ofp_flow_spec, and flow statistics formatted the way
 * `ovs-ofctl dump-flows` prints them.  Builds on ofp-match.h (the match
 * fields) and ofp-actions.h (the actions). */
#ifndef OPENFLOW_OFP_FLOW_H
#define OPENFLOW_OFP_FLOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-match.h"
#include "openflow/ofpbuf.h"

struct ds;

/* Flow flags (OFPFF_*, OpenFlow 1.3+ numbering). */
#define OFP_FLOW_SEND_FLOW_REM 0x01
#define OFP_FLOW_CHECK_OVERLAP 0x02
#define OFP_FLOW_RESET_COUNTS 0x04
#define OFP_FLOW_NO_PKT_COUNTS 0x08
#define OFP_FLOW_NO_BYT_COUNTS 0x10

/* A parsed flow. */
struct ofp_flow_spec {
    struct ofp_match match;     /* Normalized match. */
    uint8_t table_id;           /* Table, 255 if not given. */
    uint16_t priority;          /* Default 32768. */
    uint64_t cookie;            /* New cookie, or cookie to match. */
    uint64_t cookie_mask;       /* 0 unless "cookie=C/M" was given. */
    uint16_t idle_timeout;      /* Seconds, 0 for none. */
    uint16_t hard_timeout;      /* Seconds, 0 for none. */
    uint16_t importance;        /* OpenFlow 1.4+ eviction importance. */
    uint16_t flags;             /* OFP_FLOW_*. */
    uint32_t out_port;          /* OFPP_* (16-bit numbering), OFPP_NONE if
                                 * not given. */
    uint32_t out_group;         /* UINT32_MAX if not given. */
    bool has_actions;           /* "actions=" was present. */
    struct ofpbuf ofpacts;      /* Owned: the actions (ofp-actions.h). */
};

/* Parses 's' into 'spec' (which the caller later passes to
 * ofp_flow_spec_uninit(), also on error).  With 'need_actions' an
 * "actions=" part is required (add-flow); otherwise it is optional and
 * refused if 'forbid_actions' (del-flows).  The actions are checked
 * against the match (ofpacts_check()).  Returns NULL or an error message
 * the caller frees. */
char *ofp_flow_spec_parse(struct ofp_flow_spec *spec, const char *s,
                          const struct ofp_tlv_map *map, bool need_actions,
                          bool forbid_actions) WARN_UNUSED_RESULT;
/* Frees what 'spec' owns. */
void ofp_flow_spec_uninit(struct ofp_flow_spec *spec);

/* One flow's statistics, as a flow stats reply carries them. */
struct ofp_flow_stats_entry {
    const struct ofp_match *match; /* Borrowed. */
    uint8_t table_id;           /* Table. */
    uint16_t priority;          /* Priority. */
    uint64_t cookie;            /* Cookie. */
    uint16_t idle_timeout;      /* Seconds, 0 for none. */
    uint16_t hard_timeout;      /* Seconds, 0 for none. */
    uint16_t importance;        /* 0 for none. */
    uint16_t flags;             /* OFP_FLOW_*. */
    uint32_t duration_sec;      /* Age. */
    uint32_t duration_nsec;     /* ...nanoseconds beyond. */
    uint64_t n_packets;         /* Packets. */
    uint64_t n_bytes;           /* Bytes. */
    int idle_age;               /* Seconds since last hit, -1 if unknown
                                 * (OpenFlow 1.3/1.4 replies). */
    int hard_age;               /* Seconds since last change, -1 if
                                 * unknown. */
    const struct ofpact *ofpacts; /* Borrowed actions. */
    size_t ofpacts_size;        /* Bytes at 'ofpacts'. */
};

/* Appends one dump-flows line (with its leading space, without a newline)
 * for 'e' to 's'; 'no_stats' gives the --no-stats form. */
void ofp_flow_format_stats(struct ds *s, const struct ofp_flow_stats_entry *e,
                           const struct ofp_tlv_map *map, bool no_stats);

#endif /* openflow/ofp-flow.h */
