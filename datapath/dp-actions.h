/* Datapath actions: the list of actions a cached megaflow executes on the
 * packets that match it (dp-execute.h runs it), built once by the switch
 * when it translates an OpenFlow pipeline into a megaflow, and immutable
 * afterwards.
 *
 * A list is a sequence of actions, each a 'struct dp_action' header, one
 * 32-bit argument word and an optional payload, padded so that every action
 * starts and every payload is aligned on 8 bytes:
 *
 *     offset 0  uint16_t type      (enum dp_action_type)
 *            2  uint16_t len       (bytes of the whole action, a multiple
 *                                   of 8, at least 8)
 *            4  uint32_t arg       (port, id, flags...; 0 if unused)
 *            8  payload            (len - 8 bytes)
 *
 * CLONE and CHECK_PKT_LEN nest lists in their payload.  The text form
 * (dp_actions_format()) is the one `ovs-appctl dpctl/dump-flows` prints
 * after "actions:", e.g.
 *     push_vlan(vid=10,pcp=0),set(ipv4(src=10.0.0.1,ttl=63)),2
 *
 * A list comes from a struct dp_actions_builder, which grows a private
 * buffer; dp_actions_builder_finish() hands back the finished, immutable
 * struct dp_actions. */
#ifndef DATAPATH_DP_ACTIONS_H
#define DATAPATH_DP_ACTIONS_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/byteorder.h"
#include "lib/flow.h"
#include "lib/netaddr.h"
#include "lib/util.h"

struct ds;

enum dp_action_type {
    DP_ACTION_OUTPUT = 1,       /* arg: datapath port number. */
    DP_ACTION_USERSPACE,        /* arg: DP_USERSPACE_F_*; payload:
                                 * struct dp_action_userspace + cookie. */
    DP_ACTION_PUSH_VLAN,        /* arg: tpid (high 16 bits, host order)
                                 * and tci (low 16 bits, host order). */
    DP_ACTION_POP_VLAN,         /* No argument. */
    DP_ACTION_SET_MASKED,       /* arg: enum dp_set_field; payload: key
                                 * then mask, each of the field's size. */
    DP_ACTION_SET_TUNNEL,       /* Payload: struct flow_tnl. */
    DP_ACTION_RECIRC,           /* arg: recirculation id. */
    DP_ACTION_CT,               /* Payload: struct dp_action_ct. */
    DP_ACTION_CT_CLEAR,         /* No argument. */
    DP_ACTION_HASH,             /* arg: hash basis (L4 5-tuple). */
    DP_ACTION_CLONE,            /* Payload: a nested list. */
    DP_ACTION_TRUNCATE,         /* arg: max_len in bytes. */
    DP_ACTION_CHECK_PKT_LEN,    /* arg: packet length; payload: struct
                                 * dp_action_check_pkt_len, then the
                                 * "greater" list, then the "not" list. */
    DP_ACTION_DROP,             /* No argument; ends the list. */
    DP_ACTION_PUSH_MPLS,        /* arg: Ethertype (0x8847/0x8848, host
                                 * order); payload: struct
                                 * dp_action_push_mpls. */
    DP_ACTION_POP_MPLS,         /* arg: Ethertype after the pop. */
    DP_ACTION_METER,            /* arg: datapath meter number
                                 * (datapath/dp-meter.h); drops or
                                 * remarks the packets over its rate. */
    DP_ACTION_N_TYPES
};

/* Every action: header and argument word. */
struct dp_action {
    uint16_t type;              /* enum dp_action_type. */
    uint16_t len;               /* Bytes including header, multiple of 8. */
};

#define DP_ACTION_HDR_SIZE 8    /* Header plus argument word. */
#define DP_ACTION_ALIGN 8
#define DP_ACTIONS_MAX_SIZE 65528   /* Largest 'len' (and list size). */

/* The argument word of 'a'. */
static inline uint32_t
dp_action_arg(const struct dp_action *a)
{
    return ((const uint32_t *) (const void *) a)[1];
}

/* The payload of 'a' and its size in bytes. */
static inline const void *
dp_action_payload(const struct dp_action *a)
{
    return (const uint8_t *) a + DP_ACTION_HDR_SIZE;
}

static inline size_t
dp_action_payload_size(const struct dp_action *a)
{
    return a->len - DP_ACTION_HDR_SIZE;
}

/* The action after 'a'. */
static inline const struct dp_action *
dp_action_next(const struct dp_action *a)
{
    return (const struct dp_action *) (const void *)
        ((const uint8_t *) a + a->len);
}

/* Iterates 'A' over the 'SIZE' bytes of actions at 'ACTIONS' (a list that
 * dp_actions_validate() accepted). */
#define DP_ACTION_FOR_EACH(A, ACTIONS, SIZE)                            \
    for (const struct dp_action *A = (ACTIONS),                         \
             *A##_end_ = dp_action_next_at_((ACTIONS), (SIZE));         \
         A < A##_end_; A = dp_action_next(A))

static inline const struct dp_action *
dp_action_next_at_(const struct dp_action *a, size_t size)
{
    return (const struct dp_action *) (const void *)
        ((const uint8_t *) a + size);
}

/* USERSPACE. */
#define DP_USERSPACE_F_CONTINUE 0x1 /* The packet also goes on with the rest
                                     * of the list (else it is consumed). */
struct dp_action_userspace {
    uint32_t cookie_size;       /* Bytes of 'cookie'. */
    uint32_t pad;               /* Zero. */
    uint8_t cookie[];           /* Opaque to the datapath: e.g. a
                                 * controller action's reason and
                                 * userdata, as the switch encodes them. */
};

/* SET_MASKED fields: which header a SET_MASKED action rewrites, and the
 * struct that holds its key and its mask. */
enum dp_set_field {
    DP_SET_ETH = 1,             /* struct dp_key_eth. */
    DP_SET_IPV4,                /* struct dp_key_ipv4. */
    DP_SET_IPV6,                /* struct dp_key_ipv6. */
    DP_SET_TCP,                 /* struct dp_key_l4. */
    DP_SET_UDP,                 /* struct dp_key_l4. */
    DP_SET_SCTP,                /* struct dp_key_l4. */
    DP_SET_ARP,                 /* struct dp_key_arp. */
    DP_SET_ND,                  /* struct dp_key_nd. */
    DP_SET_META,                /* struct dp_key_meta. */
    DP_SET_MPLS,                /* struct dp_key_mpls. */
    DP_SET_ICMP,                /* struct dp_key_icmp (ICMPv4 or ICMPv6,
                                 * whichever the packet has). */
    DP_SET_N_FIELDS
};

struct dp_key_eth {
    struct eth_addr src;        /* Ethernet source. */
    struct eth_addr dst;        /* Ethernet destination. */
};

struct dp_key_ipv4 {
    be32 src;                   /* Source address. */
    be32 dst;                   /* Destination address. */
    uint8_t tos;                /* DSCP and ECN. */
    uint8_t ttl;                /* Time to live. */
    uint8_t pad[2];             /* Zero in key and mask. */
};

struct dp_key_ipv6 {
    struct in6_addr src;        /* Source address. */
    struct in6_addr dst;        /* Destination address. */
    be32 label;                 /* Flow label, low 20 bits. */
    uint8_t tclass;             /* Traffic class. */
    uint8_t hlimit;             /* Hop limit. */
    uint8_t pad[2];             /* Zero in key and mask. */
};

struct dp_key_l4 {
    be16 src;                   /* Source port. */
    be16 dst;                   /* Destination port. */
};

struct dp_key_arp {
    be32 spa;                   /* Sender protocol address. */
    be32 tpa;                   /* Target protocol address. */
    be16 op;                    /* Opcode. */
    struct eth_addr sha;        /* Sender hardware address. */
    struct eth_addr tha;        /* Target hardware address. */
    uint8_t pad[2];             /* Zero in key and mask. */
};

struct dp_key_nd {
    struct in6_addr target;     /* Target address (NS and NA). */
    struct eth_addr sll;        /* Source link-layer address option. */
    struct eth_addr tll;        /* Target link-layer address option. */
};

/* ICMP (v4 or v6) type and code; the checksum follows. */
struct dp_key_icmp {
    uint8_t type;               /* ICMP type. */
    uint8_t code;               /* ICMP code. */
};

/* The top MPLS label stack entry. */
struct dp_key_mpls {
    be32 lse;                   /* Label 20, TC 3, BOS 1, TTL 8 bits. */
};

/* PUSH_MPLS's payload: the new top entry. */
struct dp_action_push_mpls {
    be32 lse;                   /* Label stack entry to push. */
    uint32_t pad;               /* Zero. */
};

struct dp_key_meta {
    uint32_t pkt_mark;          /* skb mark. */
    uint32_t skb_priority;      /* QoS priority. */
};

/* The size of the key (and of the mask) of 'field', or 0 if unknown. */
size_t dp_set_field_size(enum dp_set_field field);

/* CT: send the packets through connection tracking (ovs-actions(7)
 * "ct"), then on with the list (usually RECIRC next). */
#define DP_CT_F_COMMIT 0x01     /* Commit the connection. */
#define DP_CT_F_FORCE  0x02     /* Commit, ending an opposite-direction
                                 * connection first. */
#define DP_CT_F_NAT    0x04     /* 'nat' is valid. */

#define DP_NAT_F_SRC        0x01    /* Source NAT. */
#define DP_NAT_F_DST        0x02    /* Destination NAT. */
#define DP_NAT_F_PERSISTENT 0x04    /* Same mapping across restarts. */
#define DP_NAT_F_HASH       0x08    /* Hash-based port selection. */
#define DP_NAT_F_RANDOM     0x10    /* Random port selection. */

/* A NAT spec: no SRC/DST flag means "apply the NAT of an existing
 * connection" (ovs-actions(7) "nat" with no arguments). */
struct dp_ct_nat {
    uint16_t flags;             /* DP_NAT_F_*. */
    uint16_t family;            /* AF_INET or AF_INET6; 0 = no range. */
    uint16_t proto_min;         /* Port range, host order; 0 = none. */
    uint16_t proto_max;
    struct in6_addr addr_min;   /* AF_INET: IPv4 in s6_addr32[0]. */
    struct in6_addr addr_max;
};

#define DP_CT_HELPER_LEN 16
struct dp_action_ct {
    uint16_t zone;              /* Conntrack zone. */
    uint16_t flags;             /* DP_CT_F_*. */
    uint32_t mark;              /* ct_mark bits to set... */
    uint32_t mark_mask;         /* ...where this is 1 (0 = leave). */
    uint32_t pad;               /* Zero. */
    uint64_t label[2];          /* ct_label to set ([0] high 64 bits)... */
    uint64_t label_mask[2];     /* ...where this is 1 (0 = leave). */
    char helper[DP_CT_HELPER_LEN]; /* ALG name ("ftp"), "" = none. */
    struct dp_ct_nat nat;       /* If flags has DP_CT_F_NAT. */
};

/* CHECK_PKT_LEN: packets longer than 'arg' bytes take the first nested
 * list, the others the second. */
struct dp_action_check_pkt_len {
    uint32_t gt_size;           /* Bytes of the "greater" list. */
    uint32_t pad;               /* Zero. */
};

/* A list under construction: a growable buffer of actions.  Use it once:
 * init, put actions, finish (or uninit to give up). */
struct dp_actions_builder {
    uint8_t *data;              /* The actions so far.  Owned. */
    size_t size;                /* Bytes used. */
    size_t allocated;           /* Bytes at 'data'. */
    bool error;                 /* An action or nested list would have
                                 * exceeded DP_ACTIONS_MAX_SIZE. */
};

/* A finished, immutable action list. */
struct dp_actions {
    size_t size;                /* Bytes of actions. */
    uint64_t data[];            /* The actions (struct dp_action...). */
};

static inline const struct dp_action *
dp_actions_get(const struct dp_actions *acts)
{
    return (const struct dp_action *) (const void *) acts->data;
}

void dp_actions_builder_init(struct dp_actions_builder *);
void dp_actions_builder_uninit(struct dp_actions_builder *);
/* Returns the list built; after an overflow (dp_actions_builder_error())
 * an empty list (drop) instead. */
struct dp_actions *dp_actions_builder_finish(struct dp_actions_builder *);
/* True if an action or nested list put on 'b' was too large to encode
 * (over DP_ACTIONS_MAX_SIZE bytes, e.g. huge userspace userdata or a clone
 * holding a huge flood); what 'b' holds is then not the list asked for
 * and must not be executed. */
bool dp_actions_builder_error(const struct dp_actions_builder *);
void dp_actions_destroy(struct dp_actions *);

/* Appending actions.  Each appends one action to 'b'. */
void dp_actions_put_output(struct dp_actions_builder *b, uint32_t port);
void dp_actions_put_userspace(struct dp_actions_builder *b,
                              const void *cookie, size_t cookie_size,
                              uint32_t flags);
void dp_actions_put_push_vlan(struct dp_actions_builder *b, uint16_t tpid,
                              uint16_t tci);
void dp_actions_put_pop_vlan(struct dp_actions_builder *b);
/* Appends PUSH_MPLS: a label stack entry 'lse' goes in front of the L3
 * header (or the current label stack) and the Ethertype becomes
 * 'ethertype' (0x8847 or 0x8848). */
void dp_actions_put_push_mpls(struct dp_actions_builder *b,
                              uint16_t ethertype, be32 lse);
/* Appends POP_MPLS: the top label stack entry is removed and the
 * Ethertype becomes 'ethertype'. */
void dp_actions_put_pop_mpls(struct dp_actions_builder *b,
                             uint16_t ethertype);
void dp_actions_put_set_masked(struct dp_actions_builder *b,
                               enum dp_set_field field, const void *key,
                               const void *mask);
void dp_actions_put_set_tunnel(struct dp_actions_builder *b,
                               const struct flow_tnl *tnl);
void dp_actions_put_recirc(struct dp_actions_builder *b, uint32_t id);
void dp_actions_put_ct(struct dp_actions_builder *b,
                       const struct dp_action_ct *ct);
void dp_actions_put_ct_clear(struct dp_actions_builder *b);
void dp_actions_put_hash(struct dp_actions_builder *b, uint32_t basis);
void dp_actions_put_truncate(struct dp_actions_builder *b, uint32_t max_len);
/* Appends METER: the packets go through datapath meter 'meter_id'. */
void dp_actions_put_meter(struct dp_actions_builder *b, uint32_t meter_id);
void dp_actions_put_drop(struct dp_actions_builder *b);

/* Nesting: dp_actions_start_clone() opens a CLONE and returns a token
 * for dp_actions_end_nested(); the actions put in between are the clone's
 * list.  CHECK_PKT_LEN takes two lists: start it, put the "greater" list,
 * call dp_actions_check_pkt_len_else(), put the "not greater" list, then
 * dp_actions_end_nested(). */
size_t dp_actions_start_clone(struct dp_actions_builder *b);
size_t dp_actions_start_check_pkt_len(struct dp_actions_builder *b,
                                      uint32_t pkt_len);
void dp_actions_check_pkt_len_else(struct dp_actions_builder *b,
                                   size_t token);
void dp_actions_end_nested(struct dp_actions_builder *b, size_t token);

/* Whether the 'size' bytes at 'actions' are a well-formed list: lengths,
 * alignment, known types, argument and payload sizes, nesting.  Returns 0
 * or -EINVAL. */
int dp_actions_validate(const void *actions, size_t size)
    WARN_UNUSED_RESULT;

/* Appends the text form of the list to 'ds' ("drop" for an empty list). */
void dp_actions_format(const struct dp_action *actions, size_t size,
                       struct ds *ds);

#endif /* datapath/dp-actions.h */
