/* The OpenFlow field table: every field ovs-fields(7) documents that struct
 * flow holds, with its names, width, masking, prerequisites, OXM/NXM code
 * points, and where its bits live in struct flow.  ofp-match.c builds the
 * OXM, NXM, OpenFlow 1.0 and text codecs on it; the action codec
 * (set_field, load, move) and the switch use the value accessors.
 *
 * A field's value is carried as 'union ofp_field_value': big-endian bytes,
 * n_bytes of them at the start of the union, exactly as in an OXM/NXM
 * payload, whatever the field's representation inside struct flow (host
 * order registers, sub-word VLAN and DSCP bits, OpenFlow 1.0 port numbers
 * widened to 32 bits, the 128-bit ct_label in two host-order words). */
#ifndef OPENFLOW_OFP_FIELDS_H
#define OPENFLOW_OFP_FIELDS_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/flow.h"

/* Every field, in ovs-fields(7) order (roughly). */
enum ofp_field_id {
    /* Tunnel. */
    OFPF_TUN_ID, OFPF_TUN_SRC, OFPF_TUN_DST, OFPF_TUN_IPV6_SRC,
    OFPF_TUN_IPV6_DST, OFPF_TUN_GBP_ID, OFPF_TUN_GBP_FLAGS, OFPF_TUN_FLAGS,
    OFPF_TUN_METADATA0,
    OFPF_TUN_METADATA63 = OFPF_TUN_METADATA0 + FLOW_TUN_N_METADATA - 1,
    /* Metadata. */
    OFPF_IN_PORT, OFPF_IN_PORT_OXM, OFPF_SKB_PRIORITY, OFPF_PKT_MARK,
    OFPF_ACTSET_OUTPUT, OFPF_PACKET_TYPE, OFPF_METADATA,
    OFPF_REG0, OFPF_REG15 = OFPF_REG0 + FLOW_N_REGS - 1,
    OFPF_XREG0, OFPF_XREG7 = OFPF_XREG0 + FLOW_N_REGS / 2 - 1,
    OFPF_XXREG0, OFPF_XXREG3 = OFPF_XXREG0 + FLOW_N_REGS / 4 - 1,
    /* Connection tracking. */
    OFPF_CT_STATE, OFPF_CT_ZONE, OFPF_CT_MARK, OFPF_CT_LABEL,
    OFPF_CT_NW_SRC, OFPF_CT_NW_DST, OFPF_CT_IPV6_SRC, OFPF_CT_IPV6_DST,
    OFPF_CT_NW_PROTO, OFPF_CT_TP_SRC, OFPF_CT_TP_DST,
    /* Datapath. */
    OFPF_CONJ_ID, OFPF_DP_HASH, OFPF_RECIRC_ID,
    /* L2. */
    OFPF_ETH_SRC, OFPF_ETH_DST, OFPF_ETH_TYPE, OFPF_VLAN_TCI, OFPF_DL_VLAN,
    OFPF_DL_VLAN_PCP, OFPF_VLAN_VID, OFPF_VLAN_PCP,
    OFPF_MPLS_LABEL, OFPF_MPLS_TC, OFPF_MPLS_BOS, OFPF_MPLS_TTL,
    /* L3. */
    OFPF_IPV4_SRC, OFPF_IPV4_DST, OFPF_IPV6_SRC, OFPF_IPV6_DST,
    OFPF_IPV6_LABEL, OFPF_IPV6_EXTHDR, OFPF_IP_PROTO, OFPF_IP_TTL,
    OFPF_IP_FRAG, OFPF_IP_TOS,
    OFPF_IP_DSCP, OFPF_IP_ECN,
    OFPF_ARP_OP, OFPF_ARP_SPA, OFPF_ARP_TPA, OFPF_ARP_SHA, OFPF_ARP_THA,
    /* L4. */
    OFPF_TCP_SRC, OFPF_TCP_DST, OFPF_TCP_FLAGS, OFPF_UDP_SRC, OFPF_UDP_DST,
    OFPF_SCTP_SRC, OFPF_SCTP_DST, OFPF_ICMPV4_TYPE, OFPF_ICMPV4_CODE,
    OFPF_ICMPV6_TYPE, OFPF_ICMPV6_CODE, OFPF_ND_TARGET, OFPF_ND_SLL,
    OFPF_ND_TLL, OFPF_ND_RESERVED, OFPF_ND_OPTIONS_TYPE,
    OFPF_N_FIELDS
};

/* ovs-fields(7) "Masking". */
enum ofp_field_maskable {
    OFPFM_NONE,                 /* Exact match only. */
    OFPFM_BITWISE,              /* Arbitrary bitwise masks. */
};

/* ovs-fields(7) "Prerequisites". */
enum ofp_field_prereq {
    OFPFP_NONE,
    OFPFP_VLAN_VID,             /* vlan_tci=0x1000/0x1000. */
    OFPFP_ARP,                  /* eth_type 0x0806 or 0x8035. */
    OFPFP_MPLS,                 /* eth_type 0x8847 or 0x8848. */
    OFPFP_IPV4,                 /* eth_type 0x0800. */
    OFPFP_IPV6,                 /* eth_type 0x86dd. */
    OFPFP_IP_ANY,               /* IPv4 or IPv6. */
    OFPFP_TCP,                  /* IP and nw_proto 6 (not a later frag). */
    OFPFP_UDP,                  /* IP and nw_proto 17. */
    OFPFP_SCTP,                 /* IP and nw_proto 132. */
    OFPFP_ICMPV4,               /* IPv4 and nw_proto 1. */
    OFPFP_ICMPV6,               /* IPv6 and nw_proto 58. */
    OFPFP_ND,                   /* ICMPv6 type 135 or 136, code 0. */
    OFPFP_ND_SOLICIT,           /* ICMPv6 type 135, code 0. */
    OFPFP_ND_ADVERT,            /* ICMPv6 type 136, code 0. */
    OFPFP_CT_IPV4,              /* ct_state +trk-inv, and IPv4. */
    OFPFP_CT_IPV6,              /* ct_state +trk-inv, and IPv6. */
    OFPFP_CT_IP,                /* ct_state +trk-inv, and IPv4 or IPv6. */
};

/* How ovs-ofctl writes and reads a value (ovs-fields(7) "Format"). */
enum ofp_field_format {
    OFPFF_DECIMAL, OFPFF_HEX, OFPFF_ETHERNET, OFPFF_IPV4, OFPFF_IPV6,
    OFPFF_OFP10_PORT, OFPFF_OFP11_PORT, OFPFF_FRAG, OFPFF_TCP_FLAGS,
    OFPFF_CT_STATE, OFPFF_TUN_FLAGS, OFPFF_PACKET_TYPE,
};

/* Where a field's bits are in struct flow (internal to ofp-fields.c, but
 * public so the table can be a plain array). */
enum ofp_field_kind {
    OFPFK_BYTES,        /* Big-endian bytes at 'ofs', 'n_bytes' long. */
    OFPFK_INT,          /* ((int at 'ofs', 'size', 'host') >> shift) & vmask. */
    OFPFK_PORT16,       /* in_port as a 16-bit OpenFlow 1.0 port. */
    OFPFK_PORT32,       /* A 32-bit OpenFlow 1.1+ port (in_port, actset). */
    OFPFK_XREG,         /* regs[2i] (high) and regs[2i+1]. */
    OFPFK_XXREG,        /* regs[4i] (high) .. regs[4i+3]. */
    OFPFK_CT_LABEL,     /* ct_label[0] (high), ct_label[1]. */
    OFPFK_TUN_METADATA, /* tunnel.opts through a TLV map. */
};

/* An OXM/NXM code point: class (16) and field (7) in the low 32 bits as on
 * the wire, the experimenter id (for class 0xffff) in the high 32 bits.
 * In place of the hasmask and length bits, bit 0 is set so that a code
 * point is never 0 (NXM_OF_IN_PORT is class 0, field 0); 0 means "none". */
#define OFP_FIELD_HDR(CLASS, FIELD, EXP)                                \
    (((uint64_t) (EXP) << 32) | ((uint32_t) (CLASS) << 16)              \
     | ((FIELD) << 9) | 1)
#define OFP_HDR_CLASS(H) ((uint16_t) ((H) >> 16))
#define OFP_HDR_FIELD(H) (((uint32_t) (H) >> 9) & 0x7f)
#define OFP_HDR_EXPERIMENTER(H) ((uint32_t) ((H) >> 32))

#define OXM_CLASS_NXM0 0x0000       /* NXM_OF_*. */
#define OXM_CLASS_NXM1 0x0001       /* NXM_NX_*. */
#define OXM_CLASS_ERICSSON 0x1000   /* ERICOXM_OF_*. */
#define OXM_CLASS_OPENFLOW 0x8000   /* OXM_OF_*. */
#define OXM_CLASS_PKT_REGS 0x8001   /* OXM_OF_PKT_REG*. */
#define OXM_CLASS_EXPERIMENTER 0xffff
#define OXM_EXP_NICIRA 0x00002320   /* NXOXM_ET_*. */
#define OXM_EXP_ONF 0x4f4e4600      /* ONFOXM_ET_*. */

/* The longest value: a tun_metadata field (ovs-fields(7): 124 bytes). */
#define OFP_FIELD_MAX_BYTES 124

/* A field value or mask: big-endian, in the first n_bytes bytes. */
union ofp_field_value {
    uint8_t b[128];
    uint8_t u8;
    be16 be16;
    be32 be32;
    be64 be64;
    struct eth_addr mac;
    struct in6_addr ipv6;
};

/* One field. */
struct ofp_field {
    enum ofp_field_id id;       /* Its index in the table. */
    const char *name;           /* Name ovs-ofctl prints ("eth_src"). */
    const char *alias;          /* Other name it accepts ("dl_src"), or
                                 * NULL. */
    const char *nxm_name;       /* "NXM_OF_ETH_SRC", "NXM_NX_REG0", or
                                 * NULL. */
    const char *oxm_name;       /* "OXM_OF_ETH_SRC", or NULL. */
    uint8_t n_bytes;            /* Value width (tun_metadata: the maximum;
                                 * the TLV map gives the real one). */
    uint16_t n_bits;            /* Bits that may be nonzero. */
    enum ofp_field_maskable maskable;
    enum ofp_field_prereq prereq;
    enum ofp_field_format format;
    bool writable;              /* ovs-fields(7) "Access": read/write. */

    /* Place in struct flow. */
    enum ofp_field_kind kind;
    uint16_t ofs;               /* Byte offset in struct flow. */
    uint8_t size;               /* OFPFK_INT: integer size in bytes. */
    bool host;                  /* OFPFK_INT: host (not network) order. */
    uint8_t shift;              /* OFPFK_INT: bit offset of the field. */
    uint64_t vmask;             /* OFPFK_INT: value bits (after shift). */
    uint8_t index;              /* Register / tun_metadata number. */

    /* Code points (OFP_FIELD_HDR), 0 if none. */
    uint64_t nxm;               /* NXM (or Nicira/Ericsson experimenter). */
    uint64_t oxm;               /* OXM for OpenFlow 1.2+ (1.5 for
                                 * fields standardized then). */
    uint64_t oxm13;             /* ONF experimenter form that OpenFlow 1.3
                                 * and 1.4 use instead of 'oxm', or 0. */
    uint8_t oxm_version;        /* First wire version 'oxm' is valid for. */
};

/* The Geneve option map of a bridge (ovs-ofctl(8) add-tlv-map): where each
 * tun_metadata<i> lives in flow->tunnel.opts. */
struct ofp_tlv_map {
    struct {
        uint16_t ofs;           /* Byte offset in tunnel.opts. */
        uint8_t len;            /* Bytes (1..124), 0 if unmapped. */
    } slots[FLOW_TUN_N_METADATA];
};

/* Table lookups: NULL if there is no such field. */
const struct ofp_field *ofp_field_from_id(enum ofp_field_id);
/* By name, alias, or NXM/OXM name ("reg0", "NXM_NX_REG0", "dl_src"). */
const struct ofp_field *ofp_field_from_name(const char *name);
/* By the class/field/experimenter of a code point (OFP_FIELD_HDR form;
 * the length and hasmask bits are ignored). */
const struct ofp_field *ofp_field_from_header(uint64_t header);

/* The value width of 'field' under 'map' (only tun_metadata depends on it;
 * 0 for an unmapped one; 'map' may be NULL). */
unsigned int ofp_field_n_bytes(const struct ofp_field *field,
                               const struct ofp_tlv_map *map);

/* Reads 'field' from 'flow' into 'value' (n_bytes bytes; the rest of
 * 'value' is zeroed).  A tun_metadata field whose bit in
 * flow->tunnel.present is clear reads as 0. */
void ofp_field_get_value(const struct ofp_field *field,
                         const struct ofp_tlv_map *map,
                         const struct flow *flow,
                         union ofp_field_value *value);
/* Writes 'value' into 'flow'.  'value' must satisfy
 * ofp_field_is_valid_value(). */
void ofp_field_set_value(const struct ofp_field *field,
                         const struct ofp_tlv_map *map,
                         struct flow *flow,
                         const union ofp_field_value *value);
/* The same for a mask in 'wc'.  Setting a mask of an exact-only field
 * treats any nonzero mask as all-ones; getting a mask whose every value bit
 * is set returns all-ones bytes (so that "exact" is simply all-ones). */
void ofp_field_get_mask(const struct ofp_field *field,
                        const struct ofp_tlv_map *map,
                        const struct flow_wildcards *wc,
                        union ofp_field_value *mask);
void ofp_field_set_mask(const struct ofp_field *field,
                        const struct ofp_tlv_map *map,
                        struct flow_wildcards *wc,
                        const union ofp_field_value *mask);

/* Whether 'value' is acceptable for 'field': no bits beyond n_bits, a
 * representable port number, ... */
bool ofp_field_is_valid_value(const struct ofp_field *field,
                              const union ofp_field_value *value);
/* Whether the first 'n' bytes of 'v' are all zero / all ones. */
bool ofp_field_value_is_zero(const union ofp_field_value *v, unsigned int n);
bool ofp_field_value_is_ones(const union ofp_field_value *v, unsigned int n);

/* Whether a match ('flow', 'wc') satisfies 'field''s prerequisites. */
bool ofp_field_prereqs_ok(const struct ofp_field *field,
                          const struct flow *flow,
                          const struct flow_wildcards *wc);

#endif /* openflow/ofp-fields.h */
