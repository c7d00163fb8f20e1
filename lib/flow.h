/* The flow key: every header and metadata field a packet can be matched on,
 * in one fixed-layout struct shared by flow extraction (datapath/), the
 * classifier and OpenFlow pipeline (switch/), the OpenFlow codec
 * (openflow/) and the controller.
 *
 * Packet header fields are kept in network byte order, as on the wire, so
 * extraction is a copy and masks apply bytewise; metadata that OpenFlow
 * defines as plain integers (registers, in_port, ct_mark, ...) is in host
 * order.  The same struct serves as a mask ('struct flow_wildcards'): a
 * set bit in the mask means "this bit of the key matters".
 *
 * The layout is a sequence of 64-bit words (FLOW_U64S of them), and every
 * group of fields that is usually matched together sits in the same words.
 * A classifier subtable or a megaflow touches only the words its mask has
 * nonzero (struct flow_map), so the rarely used tail (tunnel options) costs
 * nothing unless a rule looks at it.  Padding is always zero: code may
 * hash and compare whole words. */
#ifndef LIB_FLOW_H
#define LIB_FLOW_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/byteorder.h"
#include "lib/netaddr.h"

#define FLOW_N_REGS 16          /* reg0..reg15 (xreg0..7, xxreg0..3). */
#define FLOW_MAX_VLANS 2        /* 802.1Q/802.1ad tags kept in the key. */
#define FLOW_TUN_OPTS_SIZE 256  /* Bytes of Geneve option data (TLV map). */
#define FLOW_TUN_N_METADATA 64  /* tun_metadata0..63. */

/* OpenFlow port numbers used in flow->in_port (OpenFlow 1.0 numbering
 * widened to 32 bits, as OVS's "ofp_port" does). */
#define OFPP_MAX_PORT    0xff00u
#define OFPP_IN_PORT     0xfff8u
#define OFPP_TABLE       0xfff9u
#define OFPP_NORMAL      0xfffau
#define OFPP_FLOOD       0xfffbu
#define OFPP_ALL         0xfffcu
#define OFPP_CONTROLLER  0xfffdu
#define OFPP_LOCAL       0xfffeu
#define OFPP_NONE        0xffffu

/* flow->nw_frag bits. */
#define FLOW_NW_FRAG_ANY   0x01   /* Any fragment (first or later). */
#define FLOW_NW_FRAG_LATER 0x02   /* A fragment with nonzero offset. */

/* flow->ipv6_exthdr bits (OpenFlow 1.3.5 §7.2.3.8, OFPIEH_*). */
#define FLOW_IEH_NONEXT 0x001   /* "No next header" met. */
#define FLOW_IEH_ESP    0x002   /* Encapsulating security payload. */
#define FLOW_IEH_AUTH   0x004   /* Authentication header. */
#define FLOW_IEH_DEST   0x008   /* One or two destination options. */
#define FLOW_IEH_FRAG   0x010   /* Fragment header. */
#define FLOW_IEH_ROUTER 0x020   /* Routing header. */
#define FLOW_IEH_HOP    0x040   /* Hop-by-hop options. */
#define FLOW_IEH_UNREP  0x080   /* A header repeated unexpectedly. */
#define FLOW_IEH_UNSEQ  0x100   /* Headers out of RFC 8200 §4.1 order. */

/* flow->ct_state bits (ovs-fields(7) "ct_state"). */
#define CS_NEW         0x01
#define CS_ESTABLISHED 0x02
#define CS_RELATED     0x04
#define CS_REPLY_DIR   0x08
#define CS_INVALID     0x10
#define CS_TRACKED     0x20
#define CS_SRC_NAT     0x40
#define CS_DST_NAT     0x80

/* flow->tunnel.flags bits. */
#define FLOW_TNL_F_DONT_FRAGMENT 0x01
#define FLOW_TNL_F_CSUM          0x02
#define FLOW_TNL_F_KEY           0x04   /* tun_id present (GRE key). */
#define FLOW_TNL_F_OAM           0x08   /* Geneve/VXLAN-GPE OAM bit. */

/* One 802.1Q tag.  tci has VLAN_CFI (0x1000) set when the tag is present,
 * so "no tag" and "tag with VID 0" differ, as in ovs-fields(7). */
struct flow_vlan {
    be16 tpid;                  /* 0x8100 or 0x88a8; 0 if absent. */
    be16 tci;                   /* PCP, CFI (= present), VID. */
};
#define VLAN_CFI 0x1000
#define VLAN_VID_MASK 0x0fff
#define VLAN_PCP_SHIFT 13

/* Bits of flow->mpls_lse (host order after be32_to_host). */
#define MPLS_LABEL_SHIFT 12
#define MPLS_LABEL_MASK 0xfffff000u
#define MPLS_TC_SHIFT 9
#define MPLS_TC_MASK 0x00000e00u
#define MPLS_BOS_SHIFT 8
#define MPLS_BOS_MASK 0x00000100u
#define MPLS_TTL_MASK 0x000000ffu

/* Tunnel metadata: where the packet came from (on receive) or is to go
 * (when set before output to a tunnel port). */
struct flow_tnl {
    be64 tun_id;                /* VNI / GRE key / STT context. */
    be32 ip_src;                /* Outer IPv4 source (0 if IPv6/none). */
    be32 ip_dst;                /* Outer IPv4 destination. */
    struct in6_addr ipv6_src;   /* Outer IPv6 source. */
    struct in6_addr ipv6_dst;   /* Outer IPv6 destination. */
    uint16_t flags;             /* FLOW_TNL_F_*. */
    uint8_t ip_tos;             /* Outer TOS. */
    uint8_t ip_ttl;             /* Outer TTL. */
    be16 tp_src;                /* Outer UDP source port. */
    be16 tp_dst;                /* Outer UDP destination port. */
    be16 gbp_id;                /* VXLAN group policy id. */
    uint8_t gbp_flags;          /* VXLAN group policy flags. */
    uint8_t pad0[5];            /* Zero. */
    /* Geneve options mapped to tun_metadata0..63 by the bridge's TLV map:
     * slot i occupies a fixed range of 'opts' (assigned by the map), and
     * bit i of 'present' says the packet carried it. */
    uint64_t present;           /* Bit i: tun_metadata<i> present. */
    uint8_t opts[FLOW_TUN_OPTS_SIZE];
};

struct flow {
    /* Word 0-1: pipeline metadata matched by nearly every table. */
    uint32_t in_port;           /* OpenFlow port (OFPP_*), host order. */
    uint32_t recirc_id;         /* Datapath recirculation id, 0 = none. */
    uint64_t metadata;          /* OpenFlow "metadata", host order. */

    /* Words 2-9: registers, host order. */
    uint32_t regs[FLOW_N_REGS];

    /* Words 10-13: other metadata. */
    uint32_t pkt_mark;          /* skb mark. */
    uint32_t skb_priority;      /* QoS priority. */
    uint32_t dp_hash;           /* Datapath-computed hash. */
    uint32_t conj_id;           /* Conjunction id of the matched rule. */
    uint32_t actset_output;     /* Output port in the action set. */
    uint32_t packet_type;       /* (namespace << 16) | type; 0 = Ethernet. */
    uint8_t ct_state;           /* CS_*. */
    uint8_t ct_nw_proto;        /* Original-direction IP protocol. */
    uint16_t ct_zone;           /* Conntrack zone. */
    uint32_t ct_mark;           /* Conntrack mark. */

    /* Words 14-15: conntrack label. */
    uint64_t ct_label[2];       /* [0] = high 64 bits, host order. */

    /* Words 16-21: conntrack original-direction tuple. */
    be32 ct_nw_src;             /* IPv4 original source. */
    be32 ct_nw_dst;             /* IPv4 original destination. */
    struct in6_addr ct_ipv6_src;
    struct in6_addr ct_ipv6_dst;
    be16 ct_tp_src;             /* Original L4 source port. */
    be16 ct_tp_dst;             /* Original L4 destination port. */
    uint32_t pad1;              /* Zero. */

    /* Words 22-24: L2. */
    struct eth_addr dl_dst;     /* Ethernet destination. */
    struct eth_addr dl_src;     /* Ethernet source. */
    be16 dl_type;               /* Ethertype (after VLAN tags). */
    uint16_t pad2;              /* Zero. */
    struct flow_vlan vlans[FLOW_MAX_VLANS];  /* Outer first. */

    /* Words 25-30: L3. */
    be32 nw_src;                /* IPv4 source; ARP SPA. */
    be32 nw_dst;                /* IPv4 destination; ARP TPA. */
    struct in6_addr ipv6_src;   /* IPv6 source. */
    struct in6_addr ipv6_dst;   /* IPv6 destination. */
    be32 ipv6_label;            /* Flow label (low 20 bits). */
    uint8_t nw_frag;            /* FLOW_NW_FRAG_*. */
    uint8_t nw_tos;             /* DSCP and ECN (IPv4 TOS / IPv6 TC). */
    uint8_t nw_ttl;             /* TTL / hop limit. */
    uint8_t nw_proto;           /* IP protocol; low 8 bits of ARP opcode. */

    /* Words 31-35: ARP and neighbor discovery; the MPLS top label. */
    struct in6_addr nd_target;  /* ND target address. */
    struct eth_addr arp_sha;    /* ARP SHA; ND source link-layer addr. */
    struct eth_addr arp_tha;    /* ARP THA; ND target link-layer addr. */
    be32 nd_reserved;           /* ND reserved/flags word. */
    uint8_t nd_options_type;    /* First ND option type. */
    uint8_t pad3[1];            /* Zero. */
    be16 ipv6_exthdr;           /* IPv6 extension headers seen: FLOW_IEH_*
                                 * (OpenFlow 1.3 OFPIEH_* bits). */
    be32 mpls_lse;              /* Top MPLS label stack entry (label 20,
                                 * TC 3, BOS 1, TTL 8 bits) when dl_type
                                 * is 0x8847/0x8848, else 0. */

    /* Word 36: L4. */
    be16 tp_src;                /* TCP/UDP/SCTP source; ICMP type. */
    be16 tp_dst;                /* TCP/UDP/SCTP destination; ICMP code. */
    be16 tcp_flags;             /* TCP flags (low 12 bits). */
    uint16_t pad4;              /* Zero. */

    /* Words 37-77: tunnel (last: large and rarely matched). */
    struct flow_tnl tunnel;
};

#define FLOW_U64S (sizeof(struct flow) / sizeof(uint64_t))
_Static_assert(sizeof(struct flow) % sizeof(uint64_t) == 0,
               "struct flow is a whole number of 64-bit words");
_Static_assert(offsetof(struct flow, dl_dst) % 8 == 0, "L2 word-aligned");
_Static_assert(offsetof(struct flow, nw_src) % 8 == 0, "L3 word-aligned");
_Static_assert(offsetof(struct flow, tp_src) % 8 == 0, "L4 word-aligned");
_Static_assert(offsetof(struct flow, tunnel) % 8 == 0, "tnl word-aligned");

/* A mask over struct flow: a 1 bit means the key's bit matters. */
struct flow_wildcards {
    struct flow masks;
};

/* Which 64-bit words of a struct flow a mask touches. */
#define FLOW_MAP_WORDS ((FLOW_U64S + 63) / 64)
struct flow_map {
    uint64_t bits[FLOW_MAP_WORDS];
};

static inline const uint64_t *
flow_u64(const struct flow *flow)
{
    return (const uint64_t *) flow;
}

static inline uint64_t *
flow_u64_rw(struct flow *flow)
{
    return (uint64_t *) flow;
}

/* Sets 'wc' to match nothing exactly (every field wildcarded). */
static inline void
flow_wildcards_init_catchall(struct flow_wildcards *wc)
{
    memset(&wc->masks, 0, sizeof wc->masks);
}

/* Sets 'wc' to match every bit. */
static inline void
flow_wildcards_init_exact(struct flow_wildcards *wc)
{
    memset(&wc->masks, 0xff, sizeof wc->masks);
}

/* Marks the whole of a field as consulted: FLOW_WC_SET(wc, nw_src). */
#define FLOW_WC_SET(WC, FIELD) \
    memset(&(WC)->masks.FIELD, 0xff, sizeof (WC)->masks.FIELD)

/* 'dst' &= 'mask', word by word. */
void flow_apply_mask(struct flow *dst, const struct flow_wildcards *mask);
/* Whether 'a' and 'b' agree on every bit 'mask' selects. */
bool flow_equal_except(const struct flow *a, const struct flow *b,
                       const struct flow_wildcards *mask);
/* 'dst' |= 'src' (union of consulted bits). */
void flow_wildcards_or(struct flow_wildcards *dst,
                       const struct flow_wildcards *src);
/* The words 'mask' has nonzero. */
void flow_map_from_mask(struct flow_map *, const struct flow_wildcards *);
/* Hash of the bits of 'flow' selected by 'mask', over the words of 'map'
 * (which must be flow_map_from_mask(mask)), seeded with 'basis'. */
uint32_t flow_hash_in_map(const struct flow *flow,
                          const struct flow_wildcards *mask,
                          const struct flow_map *map, uint32_t basis);

#endif /* lib/flow.h */
