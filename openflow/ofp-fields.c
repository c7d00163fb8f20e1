/* The OpenFlow field table and its value accessors.  The table follows
 * ovs-fields(7) field by field: names, widths, masking, prerequisites and
 * the "OXM"/"NXM" rows; dp_hash (NXM_NX_DP_HASH, 35) and recirc_id
 * (NXM_NX_RECIRC_ID, 36), which the man page leaves out, are numbered as
 * Debian's ovs-ofctl parse-nx-match names them. */
#include "openflow/ofp-fields.h"

#include <stddef.h>
#include <string.h>

#include "lib/util.h"

#define F(FIELD) offsetof(struct flow, FIELD)
#define NXM0(N) OFP_FIELD_HDR(OXM_CLASS_NXM0, N, 0)
#define NXM1(N) OFP_FIELD_HDR(OXM_CLASS_NXM1, N, 0)
#define ERIC(N) OFP_FIELD_HDR(OXM_CLASS_ERICSSON, N, 0)
#define OXM(N) OFP_FIELD_HDR(OXM_CLASS_OPENFLOW, N, 0)
#define PKTREG(N) OFP_FIELD_HDR(OXM_CLASS_PKT_REGS, N, 0)
#define ONF(N) OFP_FIELD_HDR(OXM_CLASS_EXPERIMENTER, N, OXM_EXP_ONF)

/* Field ID, names, bytes, bits, maskable, prereq, format, writable. */
#define DEF(ID, NAME, ALIAS, NXMN, OXMN, NB, BITS, M, P, FMT, W)        \
    .id = ID, .name = NAME, .alias = ALIAS, .nxm_name = NXMN,    \
    .oxm_name = OXMN, .n_bytes = NB, .n_bits = BITS,                    \
    .maskable = OFPFM_##M, .prereq = OFPFP_##P, .format = OFPFF_##FMT,  \
    .writable = W
/* Storage: big-endian bytes at FIELD. */
#define BYTES(FIELD) .kind = OFPFK_BYTES, .ofs = F(FIELD)
/* Storage: an integer, host order or not, shifted and masked. */
#define INT(FIELD, HOST, SHIFT, VMASK)                                  \
    .kind = OFPFK_INT, .ofs = F(FIELD),                                 \
    .size = sizeof ((struct flow *) 0)->FIELD, .host = HOST,            \
    .shift = SHIFT, .vmask = VMASK

#define REG(N)                                                          \
    [OFPF_REG0 + N] = { DEF(OFPF_REG0 + N, "reg" #N, NULL, "NXM_NX_REG" #N, NULL, \
                            4, 32, BITWISE, NONE, HEX, true),           \
                        INT(regs[N], true, 0, UINT32_MAX),              \
                        .index = N, .nxm = NXM1(N) },
#define XREG(N)                                                         \
    [OFPF_XREG0 + N] = { DEF(OFPF_XREG0 + N, "xreg" #N, NULL, NULL,           \
                             "OXM_OF_PKT_REG" #N, 8, 64, BITWISE, NONE, \
                             HEX, true),                                \
                         .kind = OFPFK_XREG,      \
                         .ofs = F(regs[2 * N]), .index = N,             \
                         .oxm = PKTREG(N), .oxm_version = 0x04 },
#define XXREG(N)                                                        \
    [OFPF_XXREG0 + N] = { DEF(OFPF_XXREG0 + N, "xxreg" #N, NULL,              \
                              "NXM_NX_XXREG" #N, NULL, 16, 128,         \
                              BITWISE, NONE, HEX, true),                \
                          .kind = OFPFK_XXREG,   \
                          .ofs = F(regs[4 * N]), .index = N,            \
                          .nxm = NXM1(111 + N) },
#define TUNMD(N)                                                        \
    [OFPF_TUN_METADATA0 + N] = {                                        \
        DEF(OFPF_TUN_METADATA0 + N, "tun_metadata" #N, NULL,                  \
            "NXM_NX_TUN_METADATA" #N, NULL, 124, 992, BITWISE, NONE,    \
            HEX, true),                                                 \
        .kind = OFPFK_TUN_METADATA,       \
        .ofs = F(tunnel.opts), .index = N, .nxm = NXM1(40 + N) },

static const struct ofp_field ofp_fields[OFPF_N_FIELDS] = {
    [OFPF_TUN_ID] = { DEF(OFPF_TUN_ID, "tun_id", "tunnel_id", "NXM_NX_TUN_ID",
                          "OXM_OF_TUNNEL_ID", 8, 64, BITWISE, NONE, HEX,
                          true),
                      BYTES(tunnel.tun_id), .nxm = NXM1(16), .oxm = OXM(38),
                      .oxm_version = 0x04 },
    [OFPF_TUN_SRC] = { DEF(OFPF_TUN_SRC, "tun_src", NULL, "NXM_NX_TUN_IPV4_SRC",
                           NULL, 4, 32, BITWISE, NONE, IPV4, true),
                       BYTES(tunnel.ip_src), .nxm = NXM1(31) },
    [OFPF_TUN_DST] = { DEF(OFPF_TUN_DST, "tun_dst", NULL, "NXM_NX_TUN_IPV4_DST",
                           NULL, 4, 32, BITWISE, NONE, IPV4, true),
                       BYTES(tunnel.ip_dst), .nxm = NXM1(32) },
    [OFPF_TUN_IPV6_SRC] = { DEF(OFPF_TUN_IPV6_SRC, "tun_ipv6_src", NULL,
                                "NXM_NX_TUN_IPV6_SRC", NULL, 16, 128,
                                BITWISE, NONE, IPV6, true),
                            BYTES(tunnel.ipv6_src), .nxm = NXM1(109) },
    [OFPF_TUN_IPV6_DST] = { DEF(OFPF_TUN_IPV6_DST, "tun_ipv6_dst", NULL,
                                "NXM_NX_TUN_IPV6_DST", NULL, 16, 128,
                                BITWISE, NONE, IPV6, true),
                            BYTES(tunnel.ipv6_dst), .nxm = NXM1(110) },
    [OFPF_TUN_GBP_ID] = { DEF(OFPF_TUN_GBP_ID, "tun_gbp_id", NULL,
                              "NXM_NX_TUN_GBP_ID", NULL, 2, 16, BITWISE,
                              NONE, DECIMAL, true),
                          BYTES(tunnel.gbp_id), .nxm = NXM1(38) },
    [OFPF_TUN_GBP_FLAGS] = { DEF(OFPF_TUN_GBP_FLAGS, "tun_gbp_flags", NULL,
                                 "NXM_NX_TUN_GBP_FLAGS", NULL, 1, 8,
                                 BITWISE, NONE, HEX, true),
                             BYTES(tunnel.gbp_flags), .nxm = NXM1(39) },
    /* NXM tun_flags bit 0 is "oam" (ovs-fields(7)); struct flow keeps it
     * as FLOW_TNL_F_OAM. */
    [OFPF_TUN_FLAGS] = { DEF(OFPF_TUN_FLAGS, "tun_flags", NULL,
                             "NXM_NX_TUN_FLAGS", NULL, 2, 1, BITWISE, NONE,
                             TUN_FLAGS, true),
                         INT(tunnel.flags, true, 3, 1), .nxm = NXM1(104) },
    TUNMD(0) TUNMD(1) TUNMD(2) TUNMD(3) TUNMD(4) TUNMD(5)
    TUNMD(6) TUNMD(7) TUNMD(8) TUNMD(9) TUNMD(10) TUNMD(11)
    TUNMD(12) TUNMD(13) TUNMD(14) TUNMD(15) TUNMD(16) TUNMD(17)
    TUNMD(18) TUNMD(19) TUNMD(20) TUNMD(21) TUNMD(22) TUNMD(23)
    TUNMD(24) TUNMD(25) TUNMD(26) TUNMD(27) TUNMD(28) TUNMD(29)
    TUNMD(30) TUNMD(31) TUNMD(32) TUNMD(33) TUNMD(34) TUNMD(35)
    TUNMD(36) TUNMD(37) TUNMD(38) TUNMD(39) TUNMD(40) TUNMD(41)
    TUNMD(42) TUNMD(43) TUNMD(44) TUNMD(45) TUNMD(46) TUNMD(47)
    TUNMD(48) TUNMD(49) TUNMD(50) TUNMD(51) TUNMD(52) TUNMD(53)
    TUNMD(54) TUNMD(55) TUNMD(56) TUNMD(57) TUNMD(58) TUNMD(59)
    TUNMD(60) TUNMD(61) TUNMD(62) TUNMD(63) 

    [OFPF_IN_PORT] = { DEF(OFPF_IN_PORT, "in_port", NULL, "NXM_OF_IN_PORT", NULL,
                           2, 16, NONE, NONE, OFP10_PORT, true),
                       .kind = OFPFK_PORT16, .ofs = F(in_port),
                       .nxm = NXM0(0) },
    [OFPF_IN_PORT_OXM] = { DEF(OFPF_IN_PORT_OXM, "in_port_oxm", NULL, NULL,
                               "OXM_OF_IN_PORT", 4, 32, NONE, NONE,
                               OFP11_PORT, true),
                           .kind = OFPFK_PORT32, .ofs = F(in_port),
                           .oxm = OXM(0), .oxm_version = 0x03 },
    [OFPF_SKB_PRIORITY] = { DEF(OFPF_SKB_PRIORITY, "skb_priority", NULL, NULL,
                                NULL, 4, 32, NONE, NONE, HEX, false),
                            INT(skb_priority, true, 0, UINT32_MAX) },
    [OFPF_PKT_MARK] = { DEF(OFPF_PKT_MARK, "pkt_mark", NULL, "NXM_NX_PKT_MARK",
                            NULL, 4, 32, BITWISE, NONE, HEX, true),
                        INT(pkt_mark, true, 0, UINT32_MAX),
                        .nxm = NXM1(33) },
    [OFPF_ACTSET_OUTPUT] = { DEF(OFPF_ACTSET_OUTPUT, "actset_output", NULL,
                                 "ONFOXM_ET_ACTSET_OUTPUT",
                                 "OXM_OF_ACTSET_OUTPUT", 4, 32, NONE, NONE,
                                 OFP11_PORT, false),
                             .kind = OFPFK_PORT32, .ofs = F(actset_output),
                             .oxm = OXM(43), .oxm13 = ONF(43),
                             .oxm_version = 0x06 },
    [OFPF_PACKET_TYPE] = { DEF(OFPF_PACKET_TYPE, "packet_type", NULL, NULL,
                               "OXM_OF_PACKET_TYPE", 4, 32, NONE, NONE,
                               PACKET_TYPE, false),
                           INT(packet_type, true, 0, UINT32_MAX),
                           .oxm = OXM(44), .oxm_version = 0x06 },
    [OFPF_METADATA] = { DEF(OFPF_METADATA, "metadata", NULL, NULL,
                            "OXM_OF_METADATA", 8, 64, BITWISE, NONE, HEX,
                            true),
                        INT(metadata, true, 0, UINT64_MAX), .oxm = OXM(2),
                        .oxm_version = 0x03 },
    REG(0) REG(1) REG(2) REG(3) REG(4) REG(5) REG(6) REG(7)
    REG(8) REG(9) REG(10) REG(11) REG(12) REG(13) REG(14) REG(15)
    XREG(0) XREG(1) XREG(2) XREG(3) XREG(4) XREG(5) XREG(6) XREG(7)
    XXREG(0) XXREG(1) XXREG(2) XXREG(3)

    [OFPF_CT_STATE] = { DEF(OFPF_CT_STATE, "ct_state", NULL, "NXM_NX_CT_STATE",
                            NULL, 4, 8, BITWISE, NONE, CT_STATE, false),
                        INT(ct_state, true, 0, 0xff), .nxm = NXM1(105) },
    [OFPF_CT_ZONE] = { DEF(OFPF_CT_ZONE, "ct_zone", NULL, "NXM_NX_CT_ZONE", NULL,
                           2, 16, NONE, NONE, DECIMAL, false),
                       INT(ct_zone, true, 0, 0xffff), .nxm = NXM1(106) },
    [OFPF_CT_MARK] = { DEF(OFPF_CT_MARK, "ct_mark", NULL, "NXM_NX_CT_MARK", NULL,
                           4, 32, BITWISE, NONE, HEX, true),
                       INT(ct_mark, true, 0, UINT32_MAX),
                       .nxm = NXM1(107) },
    [OFPF_CT_LABEL] = { DEF(OFPF_CT_LABEL, "ct_label", NULL, "NXM_NX_CT_LABEL",
                            NULL, 16, 128, BITWISE, NONE, HEX, true),
                        .kind = OFPFK_CT_LABEL, .ofs = F(ct_label),
                        .nxm = NXM1(108) },
    [OFPF_CT_NW_SRC] = { DEF(OFPF_CT_NW_SRC, "ct_nw_src", NULL,
                             "NXM_NX_CT_NW_SRC", NULL, 4, 32, BITWISE,
                             CT_IPV4, IPV4, false),
                         BYTES(ct_nw_src), .nxm = NXM1(120) },
    [OFPF_CT_NW_DST] = { DEF(OFPF_CT_NW_DST, "ct_nw_dst", NULL,
                             "NXM_NX_CT_NW_DST", NULL, 4, 32, BITWISE,
                             CT_IPV4, IPV4, false),
                         BYTES(ct_nw_dst), .nxm = NXM1(121) },
    [OFPF_CT_IPV6_SRC] = { DEF(OFPF_CT_IPV6_SRC, "ct_ipv6_src", NULL,
                               "NXM_NX_CT_IPV6_SRC", NULL, 16, 128, BITWISE,
                               CT_IPV6, IPV6, false),
                           BYTES(ct_ipv6_src), .nxm = NXM1(122) },
    [OFPF_CT_IPV6_DST] = { DEF(OFPF_CT_IPV6_DST, "ct_ipv6_dst", NULL,
                               "NXM_NX_CT_IPV6_DST", NULL, 16, 128, BITWISE,
                               CT_IPV6, IPV6, false),
                           BYTES(ct_ipv6_dst), .nxm = NXM1(123) },
    [OFPF_CT_NW_PROTO] = { DEF(OFPF_CT_NW_PROTO, "ct_nw_proto", NULL,
                               "NXM_NX_CT_NW_PROTO", NULL, 1, 8, NONE,
                               CT_IP, DECIMAL, false),
                           BYTES(ct_nw_proto), .nxm = NXM1(119) },
    [OFPF_CT_TP_SRC] = { DEF(OFPF_CT_TP_SRC, "ct_tp_src", NULL,
                             "NXM_NX_CT_TP_SRC", NULL, 2, 16, BITWISE,
                             CT_IP, DECIMAL, false),
                         BYTES(ct_tp_src), .nxm = NXM1(124) },
    [OFPF_CT_TP_DST] = { DEF(OFPF_CT_TP_DST, "ct_tp_dst", NULL,
                             "NXM_NX_CT_TP_DST", NULL, 2, 16, BITWISE,
                             CT_IP, DECIMAL, false),
                         BYTES(ct_tp_dst), .nxm = NXM1(125) },

    [OFPF_CONJ_ID] = { DEF(OFPF_CONJ_ID, "conj_id", NULL, "NXM_NX_CONJ_ID", NULL,
                           4, 32, NONE, NONE, DECIMAL, false),
                       INT(conj_id, true, 0, UINT32_MAX), .nxm = NXM1(37) },
    [OFPF_DP_HASH] = { DEF(OFPF_DP_HASH, "dp_hash", NULL, "NXM_NX_DP_HASH", NULL,
                           4, 32, BITWISE, NONE, HEX, false),
                       INT(dp_hash, true, 0, UINT32_MAX), .nxm = NXM1(35) },
    [OFPF_RECIRC_ID] = { DEF(OFPF_RECIRC_ID, "recirc_id", NULL,
                             "NXM_NX_RECIRC_ID", NULL, 4, 32, NONE, NONE,
                             HEX, false),
                         INT(recirc_id, true, 0, UINT32_MAX),
                         .nxm = NXM1(36) },

    [OFPF_ETH_SRC] = { DEF(OFPF_ETH_SRC, "eth_src", "dl_src", "NXM_OF_ETH_SRC",
                           "OXM_OF_ETH_SRC", 6, 48, BITWISE, NONE, ETHERNET,
                           true),
                       BYTES(dl_src), .nxm = NXM0(2), .oxm = OXM(4),
                       .oxm_version = 0x03 },
    [OFPF_ETH_DST] = { DEF(OFPF_ETH_DST, "eth_dst", "dl_dst", "NXM_OF_ETH_DST",
                           "OXM_OF_ETH_DST", 6, 48, BITWISE, NONE, ETHERNET,
                           true),
                       BYTES(dl_dst), .nxm = NXM0(1), .oxm = OXM(3),
                       .oxm_version = 0x03 },
    [OFPF_ETH_TYPE] = { DEF(OFPF_ETH_TYPE, "eth_type", "dl_type",
                            "NXM_OF_ETH_TYPE", "OXM_OF_ETH_TYPE", 2, 16,
                            NONE, NONE, HEX, false),
                        BYTES(dl_type), .nxm = NXM0(3), .oxm = OXM(5),
                        .oxm_version = 0x03 },
    [OFPF_VLAN_TCI] = { DEF(OFPF_VLAN_TCI, "vlan_tci", NULL, "NXM_OF_VLAN_TCI",
                            NULL, 2, 16, BITWISE, NONE, HEX, true),
                        BYTES(vlans[0].tci), .nxm = NXM0(4) },
    /* dl_vlan and dl_vlan_pcp are ovs-ofctl(8) text fields with OpenFlow
     * 1.0 meaning (a VID or PCP match implies "tagged"); no code point. */
    [OFPF_DL_VLAN] = { DEF(OFPF_DL_VLAN, "dl_vlan", NULL, NULL, NULL, 2, 12,
                           NONE, NONE, DECIMAL, true),
                       INT(vlans[0].tci, false, 0, 0x0fff) },
    [OFPF_DL_VLAN_PCP] = { DEF(OFPF_DL_VLAN_PCP, "dl_vlan_pcp", NULL, NULL, NULL,
                               1, 3, NONE, NONE, DECIMAL, true),
                           INT(vlans[0].tci, false, 13, 0x7) },
    /* OXM vlan_vid includes OFPVID_PRESENT (0x1000), which is VLAN_CFI. */
    [OFPF_VLAN_VID] = { DEF(OFPF_VLAN_VID, "vlan_vid", NULL, NULL,
                            "OXM_OF_VLAN_VID", 2, 13, BITWISE, NONE,
                            DECIMAL, true),
                        INT(vlans[0].tci, false, 0, 0x1fff),
                        .oxm = OXM(6), .oxm_version = 0x03 },
    [OFPF_VLAN_PCP] = { DEF(OFPF_VLAN_PCP, "vlan_pcp", NULL, NULL,
                            "OXM_OF_VLAN_PCP", 1, 3, NONE, VLAN_VID,
                            DECIMAL, true),
                        INT(vlans[0].tci, false, 13, 0x7),
                        .oxm = OXM(7), .oxm_version = 0x03 },

    /* The top MPLS label stack entry (ovs-fields(7) "MPLS"); mpls_bos is
     * read-only. */
    [OFPF_MPLS_LABEL] = { DEF(OFPF_MPLS_LABEL, "mpls_label", NULL, NULL,
                              "OXM_OF_MPLS_LABEL", 4, 20, NONE, MPLS,
                              DECIMAL, true),
                          INT(mpls_lse, false, MPLS_LABEL_SHIFT, 0xfffff),
                          .oxm = OXM(34), .oxm_version = 0x03 },
    [OFPF_MPLS_TC] = { DEF(OFPF_MPLS_TC, "mpls_tc", NULL, NULL,
                           "OXM_OF_MPLS_TC", 1, 3, NONE, MPLS, DECIMAL,
                           true),
                       INT(mpls_lse, false, MPLS_TC_SHIFT, 0x7),
                       .oxm = OXM(35), .oxm_version = 0x03 },
    [OFPF_MPLS_BOS] = { DEF(OFPF_MPLS_BOS, "mpls_bos", NULL, NULL,
                            "OXM_OF_MPLS_BOS", 1, 1, NONE, MPLS, DECIMAL,
                            false),
                        INT(mpls_lse, false, MPLS_BOS_SHIFT, 0x1),
                        .oxm = OXM(36), .oxm_version = 0x04 },
    [OFPF_MPLS_TTL] = { DEF(OFPF_MPLS_TTL, "mpls_ttl", NULL,
                            "NXM_NX_MPLS_TTL", NULL, 1, 8, NONE, MPLS,
                            DECIMAL, true),
                        INT(mpls_lse, false, 0, 0xff), .nxm = NXM1(30) },

    [OFPF_IPV4_SRC] = { DEF(OFPF_IPV4_SRC, "ip_src", "nw_src", "NXM_OF_IP_SRC",
                            "OXM_OF_IPV4_SRC", 4, 32, BITWISE, IPV4, IPV4,
                            true),
                        BYTES(nw_src), .nxm = NXM0(7), .oxm = OXM(11),
                        .oxm_version = 0x03 },
    [OFPF_IPV4_DST] = { DEF(OFPF_IPV4_DST, "ip_dst", "nw_dst", "NXM_OF_IP_DST",
                            "OXM_OF_IPV4_DST", 4, 32, BITWISE, IPV4, IPV4,
                            true),
                        BYTES(nw_dst), .nxm = NXM0(8), .oxm = OXM(12),
                        .oxm_version = 0x03 },
    [OFPF_IPV6_SRC] = { DEF(OFPF_IPV6_SRC, "ipv6_src", NULL, "NXM_NX_IPV6_SRC",
                            "OXM_OF_IPV6_SRC", 16, 128, BITWISE, IPV6, IPV6,
                            true),
                        BYTES(ipv6_src), .nxm = NXM1(19), .oxm = OXM(26),
                        .oxm_version = 0x03 },
    [OFPF_IPV6_DST] = { DEF(OFPF_IPV6_DST, "ipv6_dst", NULL, "NXM_NX_IPV6_DST",
                            "OXM_OF_IPV6_DST", 16, 128, BITWISE, IPV6, IPV6,
                            true),
                        BYTES(ipv6_dst), .nxm = NXM1(20), .oxm = OXM(27),
                        .oxm_version = 0x03 },
    [OFPF_IPV6_LABEL] = { DEF(OFPF_IPV6_LABEL, "ipv6_label", NULL,
                              "NXM_NX_IPV6_LABEL", "OXM_OF_IPV6_FLABEL", 4,
                              20, BITWISE, IPV6, HEX, true),
                          BYTES(ipv6_label), .nxm = NXM1(27),
                          .oxm = OXM(28), .oxm_version = 0x03 },
    /* OpenFlow 1.3's OXM_OF_IPV6_EXTHDR (read-only, OFPIEH_* bits). */
    [OFPF_IPV6_EXTHDR] = { DEF(OFPF_IPV6_EXTHDR, "ipv6_exthdr", NULL, NULL,
                               "OXM_OF_IPV6_EXTHDR", 2, 9, BITWISE, IPV6,
                               HEX, false),
                           INT(ipv6_exthdr, false, 0, 0x1ff),
                           .oxm = OXM(39), .oxm_version = 0x04 },
    [OFPF_IP_PROTO] = { DEF(OFPF_IP_PROTO, "nw_proto", "ip_proto",
                            "NXM_OF_IP_PROTO", "OXM_OF_IP_PROTO", 1, 8,
                            NONE, IP_ANY, DECIMAL, false),
                        BYTES(nw_proto), .nxm = NXM0(6), .oxm = OXM(10),
                        .oxm_version = 0x03 },
    [OFPF_IP_TTL] = { DEF(OFPF_IP_TTL, "nw_ttl", NULL, "NXM_NX_IP_TTL", NULL, 1,
                          8, NONE, IP_ANY, DECIMAL, true),
                      BYTES(nw_ttl), .nxm = NXM1(29) },
    [OFPF_IP_FRAG] = { DEF(OFPF_IP_FRAG, "ip_frag", "nw_frag", "NXM_NX_IP_FRAG",
                           NULL, 1, 2, BITWISE, IP_ANY, FRAG, false),
                       INT(nw_frag, true, 0, 0x3), .nxm = NXM1(26) },
    [OFPF_IP_TOS] = { DEF(OFPF_IP_TOS, "nw_tos", NULL, "NXM_OF_IP_TOS", NULL, 1,
                          8, NONE, IP_ANY, DECIMAL, true),
                      INT(nw_tos, true, 0, 0xfc), .nxm = NXM0(5) },
    [OFPF_IP_DSCP] = { DEF(OFPF_IP_DSCP, "ip_dscp", NULL, NULL, "OXM_OF_IP_DSCP",
                           1, 6, NONE, IP_ANY, DECIMAL, true),
                       INT(nw_tos, true, 2, 0x3f), .oxm = OXM(8),
                       .oxm_version = 0x03 },
    [OFPF_IP_ECN] = { DEF(OFPF_IP_ECN, "nw_ecn", "ip_ecn", "NXM_NX_IP_ECN",
                          "OXM_OF_IP_ECN", 1, 2, NONE, IP_ANY, DECIMAL,
                          true),
                      INT(nw_tos, true, 0, 0x3), .nxm = NXM1(28),
                      .oxm = OXM(9), .oxm_version = 0x03 },

    /* struct flow keeps the low 8 bits of the ARP opcode in nw_proto. */
    [OFPF_ARP_OP] = { DEF(OFPF_ARP_OP, "arp_op", NULL, "NXM_OF_ARP_OP",
                          "OXM_OF_ARP_OP", 2, 16, NONE, ARP, DECIMAL, true),
                      INT(nw_proto, true, 0, 0xff), .nxm = NXM0(15),
                      .oxm = OXM(21), .oxm_version = 0x03 },
    [OFPF_ARP_SPA] = { DEF(OFPF_ARP_SPA, "arp_spa", NULL, "NXM_OF_ARP_SPA",
                           "OXM_OF_ARP_SPA", 4, 32, BITWISE, ARP, IPV4,
                           true),
                       BYTES(nw_src), .nxm = NXM0(16), .oxm = OXM(22),
                       .oxm_version = 0x03 },
    [OFPF_ARP_TPA] = { DEF(OFPF_ARP_TPA, "arp_tpa", NULL, "NXM_OF_ARP_TPA",
                           "OXM_OF_ARP_TPA", 4, 32, BITWISE, ARP, IPV4,
                           true),
                       BYTES(nw_dst), .nxm = NXM0(17), .oxm = OXM(23),
                       .oxm_version = 0x03 },
    [OFPF_ARP_SHA] = { DEF(OFPF_ARP_SHA, "arp_sha", NULL, "NXM_NX_ARP_SHA",
                           "OXM_OF_ARP_SHA", 6, 48, BITWISE, ARP, ETHERNET,
                           true),
                       BYTES(arp_sha), .nxm = NXM1(17), .oxm = OXM(24),
                       .oxm_version = 0x03 },
    [OFPF_ARP_THA] = { DEF(OFPF_ARP_THA, "arp_tha", NULL, "NXM_NX_ARP_THA",
                           "OXM_OF_ARP_THA", 6, 48, BITWISE, ARP, ETHERNET,
                           true),
                       BYTES(arp_tha), .nxm = NXM1(18), .oxm = OXM(25),
                       .oxm_version = 0x03 },

    [OFPF_TCP_SRC] = { DEF(OFPF_TCP_SRC, "tcp_src", "tp_src", "NXM_OF_TCP_SRC",
                           "OXM_OF_TCP_SRC", 2, 16, BITWISE, TCP, DECIMAL,
                           true),
                       BYTES(tp_src), .nxm = NXM0(9), .oxm = OXM(13),
                       .oxm_version = 0x03 },
    [OFPF_TCP_DST] = { DEF(OFPF_TCP_DST, "tcp_dst", "tp_dst", "NXM_OF_TCP_DST",
                           "OXM_OF_TCP_DST", 2, 16, BITWISE, TCP, DECIMAL,
                           true),
                       BYTES(tp_dst), .nxm = NXM0(10), .oxm = OXM(14),
                       .oxm_version = 0x03 },
    [OFPF_TCP_FLAGS] = { DEF(OFPF_TCP_FLAGS, "tcp_flags", NULL,
                             "NXM_NX_TCP_FLAGS", "OXM_OF_TCP_FLAGS", 2, 12,
                             BITWISE, TCP, TCP_FLAGS, false),
                         BYTES(tcp_flags), .nxm = NXM1(34), .oxm = OXM(42),
                         .oxm13 = ONF(42), .oxm_version = 0x06 },
    [OFPF_UDP_SRC] = { DEF(OFPF_UDP_SRC, "udp_src", NULL, "NXM_OF_UDP_SRC",
                           "OXM_OF_UDP_SRC", 2, 16, BITWISE, UDP, DECIMAL,
                           true),
                       BYTES(tp_src), .nxm = NXM0(11), .oxm = OXM(15),
                       .oxm_version = 0x03 },
    [OFPF_UDP_DST] = { DEF(OFPF_UDP_DST, "udp_dst", NULL, "NXM_OF_UDP_DST",
                           "OXM_OF_UDP_DST", 2, 16, BITWISE, UDP, DECIMAL,
                           true),
                       BYTES(tp_dst), .nxm = NXM0(12), .oxm = OXM(16),
                       .oxm_version = 0x03 },
    [OFPF_SCTP_SRC] = { DEF(OFPF_SCTP_SRC, "sctp_src", NULL, NULL,
                            "OXM_OF_SCTP_SRC", 2, 16, BITWISE, SCTP,
                            DECIMAL, true),
                        BYTES(tp_src), .oxm = OXM(17), .oxm_version = 0x03 },
    [OFPF_SCTP_DST] = { DEF(OFPF_SCTP_DST, "sctp_dst", NULL, NULL,
                            "OXM_OF_SCTP_DST", 2, 16, BITWISE, SCTP,
                            DECIMAL, true),
                        BYTES(tp_dst), .oxm = OXM(18), .oxm_version = 0x03 },
    /* ICMP type and code live in tp_src and tp_dst as 16-bit numbers. */
    [OFPF_ICMPV4_TYPE] = { DEF(OFPF_ICMPV4_TYPE, "icmp_type", NULL,
                               "NXM_OF_ICMP_TYPE", "OXM_OF_ICMPV4_TYPE", 1,
                               8, NONE, ICMPV4, DECIMAL, true),
                           INT(tp_src, false, 0, 0xff), .nxm = NXM0(13),
                           .oxm = OXM(19), .oxm_version = 0x03 },
    [OFPF_ICMPV4_CODE] = { DEF(OFPF_ICMPV4_CODE, "icmp_code", NULL,
                               "NXM_OF_ICMP_CODE", "OXM_OF_ICMPV4_CODE", 1,
                               8, NONE, ICMPV4, DECIMAL, true),
                           INT(tp_dst, false, 0, 0xff), .nxm = NXM0(14),
                           .oxm = OXM(20), .oxm_version = 0x03 },
    [OFPF_ICMPV6_TYPE] = { DEF(OFPF_ICMPV6_TYPE, "icmpv6_type", NULL,
                               "NXM_NX_ICMPV6_TYPE", "OXM_OF_ICMPV6_TYPE",
                               1, 8, NONE, ICMPV6, DECIMAL, true),
                           INT(tp_src, false, 0, 0xff), .nxm = NXM1(21),
                           .oxm = OXM(29), .oxm_version = 0x03 },
    [OFPF_ICMPV6_CODE] = { DEF(OFPF_ICMPV6_CODE, "icmpv6_code", NULL,
                               "NXM_NX_ICMPV6_CODE", "OXM_OF_ICMPV6_CODE",
                               1, 8, NONE, ICMPV6, DECIMAL, true),
                           INT(tp_dst, false, 0, 0xff), .nxm = NXM1(22),
                           .oxm = OXM(30), .oxm_version = 0x03 },
    [OFPF_ND_TARGET] = { DEF(OFPF_ND_TARGET, "nd_target", NULL,
                             "NXM_NX_ND_TARGET", "OXM_OF_IPV6_ND_TARGET",
                             16, 128, BITWISE, ND, IPV6, true),
                         BYTES(nd_target), .nxm = NXM1(23), .oxm = OXM(31),
                         .oxm_version = 0x03 },
    [OFPF_ND_SLL] = { DEF(OFPF_ND_SLL, "nd_sll", NULL, "NXM_NX_ND_SLL",
                          "OXM_OF_IPV6_ND_SLL", 6, 48, BITWISE, ND_SOLICIT,
                          ETHERNET, true),
                      BYTES(arp_sha), .nxm = NXM1(24), .oxm = OXM(32),
                      .oxm_version = 0x03 },
    [OFPF_ND_TLL] = { DEF(OFPF_ND_TLL, "nd_tll", NULL, "NXM_NX_ND_TLL",
                          "OXM_OF_IPV6_ND_TLL", 6, 48, BITWISE, ND_ADVERT,
                          ETHERNET, true),
                      BYTES(arp_tha), .nxm = NXM1(25), .oxm = OXM(33),
                      .oxm_version = 0x03 },
    [OFPF_ND_RESERVED] = { DEF(OFPF_ND_RESERVED, "nd_reserved", NULL,
                               "ERICOXM_OF_ICMPV6_ND_RESERVED", NULL, 4, 32,
                               NONE, ND, DECIMAL, true),
                           BYTES(nd_reserved), .nxm = ERIC(1) },
    [OFPF_ND_OPTIONS_TYPE] = { DEF(OFPF_ND_OPTIONS_TYPE, "nd_options_type", NULL,
                                   "ERICOXM_OF_ICMPV6_ND_OPTIONS_TYPE", NULL,
                                   1, 8, NONE, ND, DECIMAL, true),
                               BYTES(nd_options_type), .nxm = ERIC(2) },
};

/* The field 'id', or NULL if out of range. */
const struct ofp_field *
ofp_field_from_id(enum ofp_field_id id)
{
    return (unsigned int) id < OFPF_N_FIELDS ? &ofp_fields[id] : NULL;
}

/* The field named 'name' (canonical, alias, NXM or OXM name), or NULL. */
const struct ofp_field *
ofp_field_from_name(const char *name)
{
    for (size_t i = 0; i < OFPF_N_FIELDS; i++) {
        const struct ofp_field *f = &ofp_fields[i];
        if (!strcmp(f->name, name)
            || (f->alias && !strcmp(f->alias, name))
            || (f->nxm_name && !strcmp(f->nxm_name, name))
            || (f->oxm_name && !strcmp(f->oxm_name, name))) {
            return f;
        }
    }
    return NULL;
}

/* The field with code point 'header' (any of its NXM/OXM forms), or NULL.
 * Only the class, field and experimenter take part. */
const struct ofp_field *
ofp_field_from_header(uint64_t header)
{
    header = (header & ~(uint64_t) 0x1ff) | 1;
    if (OFP_HDR_CLASS(header) != OXM_CLASS_EXPERIMENTER) {
        header &= UINT32_MAX;
    }
    for (size_t i = 0; i < OFPF_N_FIELDS; i++) {
        const struct ofp_field *f = &ofp_fields[i];
        if ((f->nxm && f->nxm == header) || (f->oxm && f->oxm == header)
            || (f->oxm13 && f->oxm13 == header)) {
            return f;
        }
    }
    return NULL;
}

/* The width of 'field' in bytes, given 'map' for tun_metadata. */
unsigned int
ofp_field_n_bytes(const struct ofp_field *field,
                  const struct ofp_tlv_map *map)
{
    if (field->kind == OFPFK_TUN_METADATA) {
        return map ? map->slots[field->index].len : 0;
    }
    return field->n_bytes;
}

static uint64_t
get_uint(const uint8_t *p, unsigned int size, bool host)
{
    uint64_t x = 0;
    if (host) {
        switch (size) {
        case 1: return *p;
        case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
        case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
        case 8: { uint64_t v; memcpy(&v, p, 8); return v; }
        default: NOT_REACHED();
        }
    }
    for (unsigned int i = 0; i < size; i++) {
        x = (x << 8) | p[i];
    }
    return x;
}

static void
put_uint(uint8_t *p, unsigned int size, bool host, uint64_t x)
{
    if (host) {
        switch (size) {
        case 1: *p = x; return;
        case 2: { uint16_t v = x; memcpy(p, &v, 2); return; }
        case 4: { uint32_t v = x; memcpy(p, &v, 4); return; }
        case 8: memcpy(p, &x, 8); return;
        default: NOT_REACHED();
        }
    }
    for (int i = size - 1; i >= 0; i--) {
        p[i] = x;
        x >>= 8;
    }
}

/* Reads the flow-side bits of 'field' in 'flow' (a key or a mask) into
 * 'v', without port translation. */
static void
field_read(const struct ofp_field *field, const struct ofp_tlv_map *map,
           const struct flow *flow, union ofp_field_value *v)
{
    const uint8_t *base = (const uint8_t *) flow;
    unsigned int n = ofp_field_n_bytes(field, map);

    memset(v, 0, sizeof *v);
    switch (field->kind) {
    case OFPFK_BYTES:
        memcpy(v->b, base + field->ofs, n);
        break;
    case OFPFK_INT: {
        uint64_t x = get_uint(base + field->ofs, field->size, field->host);
        put_uint(v->b, n, false, (x >> field->shift) & field->vmask);
        break;
    }
    case OFPFK_PORT16:
    case OFPFK_PORT32:
        put_uint(v->b, 4, false, get_uint(base + field->ofs, 4, true));
        break;
    case OFPFK_XREG:
    case OFPFK_XXREG:
        for (unsigned int i = 0; i < n / 4; i++) {
            put_uint(v->b + 4 * i, 4, false,
                     get_uint(base + field->ofs + 4 * i, 4, true));
        }
        break;
    case OFPFK_CT_LABEL:
        put_uint(v->b, 8, false, flow->ct_label[0]);
        put_uint(v->b + 8, 8, false, flow->ct_label[1]);
        break;
    case OFPFK_TUN_METADATA:
        if (n) {
            memcpy(v->b, flow->tunnel.opts + map->slots[field->index].ofs,
                   n);
        }
        break;
    }
}

/* Writes 'v' into the flow-side bits of 'field' in 'flow'. */
static void
field_write(const struct ofp_field *field, const struct ofp_tlv_map *map,
            struct flow *flow, const union ofp_field_value *v)
{
    uint8_t *base = (uint8_t *) flow;
    unsigned int n = ofp_field_n_bytes(field, map);

    switch (field->kind) {
    case OFPFK_BYTES:
        memcpy(base + field->ofs, v->b, n);
        break;
    case OFPFK_INT: {
        uint8_t *p = base + field->ofs;
        uint64_t x = get_uint(p, field->size, field->host);
        uint64_t m = (uint64_t) field->vmask << field->shift;
        uint64_t y = (get_uint(v->b, n, false) & field->vmask)
                     << field->shift;
        put_uint(p, field->size, field->host, (x & ~m) | y);
        break;
    }
    case OFPFK_PORT16:
    case OFPFK_PORT32:
        put_uint(base + field->ofs, 4, true, get_uint(v->b, 4, false));
        break;
    case OFPFK_XREG:
    case OFPFK_XXREG:
        for (unsigned int i = 0; i < n / 4; i++) {
            put_uint(base + field->ofs + 4 * i, 4, true,
                     get_uint(v->b + 4 * i, 4, false));
        }
        break;
    case OFPFK_CT_LABEL:
        flow->ct_label[0] = get_uint(v->b, 8, false);
        flow->ct_label[1] = get_uint(v->b + 8, 8, false);
        break;
    case OFPFK_TUN_METADATA:
        if (n) {
            memcpy(flow->tunnel.opts + map->slots[field->index].ofs, v->b,
                   n);
        }
        break;
    }
}

/* OpenFlow 1.1+ ports number the reserved ports 0xffffff00 and up; OpenFlow
 * 1.0 (and struct flow) number them 0xff00 and up. */
static uint32_t
port_to_ofp11(uint32_t port)
{
    return port < OFPP_MAX_PORT ? port : port + 0xffff0000u;
}

/* Reads 'field''s value from 'flow'. */
void
ofp_field_get_value(const struct ofp_field *field,
                    const struct ofp_tlv_map *map, const struct flow *flow,
                    union ofp_field_value *value)
{
    field_read(field, map, flow, value);
    if (field->kind == OFPFK_TUN_METADATA
        && !(flow->tunnel.present & (UINT64_C(1) << field->index))) {
        /* An option the packet did not carry reads as 0, whatever stale
         * bytes its range of opts holds. */
        memset(value, 0, sizeof *value);
    } else if (field->kind == OFPFK_PORT16) {
        uint32_t port = get_uint(value->b, 4, false);
        memset(value, 0, sizeof *value);
        put_uint(value->b, 2, false, port);
    } else if (field->kind == OFPFK_PORT32) {
        put_uint(value->b, 4, false,
                 port_to_ofp11(get_uint(value->b, 4, false)));
    }
}

/* Writes 'value' (valid for 'field') into 'flow'. */
void
ofp_field_set_value(const struct ofp_field *field,
                    const struct ofp_tlv_map *map, struct flow *flow,
                    const union ofp_field_value *value)
{
    if (field->kind == OFPFK_PORT16 || field->kind == OFPFK_PORT32) {
        uint32_t port = (field->kind == OFPFK_PORT16
                         ? get_uint(value->b, 2, false)
                         : get_uint(value->b, 4, false));
        union ofp_field_value v;
        if (field->kind == OFPFK_PORT32 && port >= 0xffffff00u) {
            port -= 0xffff0000u;
        }
        memset(&v, 0, sizeof v);
        put_uint(v.b, 4, false, port);
        field_write(field, map, flow, &v);
    } else {
        field_write(field, map, flow, value);
    }
    if (field->kind == OFPFK_TUN_METADATA) {
        flow->tunnel.present |= UINT64_C(1) << field->index;
    }
}

/* Reads 'field''s mask from 'wc'. */
void
ofp_field_get_mask(const struct ofp_field *field,
                   const struct ofp_tlv_map *map,
                   const struct flow_wildcards *wc,
                   union ofp_field_value *mask)
{
    unsigned int n = ofp_field_n_bytes(field, map);

    field_read(field, map, &wc->masks, mask);
    switch (field->kind) {
    case OFPFK_PORT16:
    case OFPFK_PORT32:
        if (!ofp_field_value_is_zero(mask, 4)) {
            memset(mask->b, 0xff, n);
        }
        break;
    case OFPFK_INT:
        if (get_uint(mask->b, n, false) == field->vmask) {
            memset(mask->b, 0xff, n);
        }
        break;
    default:
        break;
    }
}

/* Writes 'mask' for 'field' into 'wc'. */
void
ofp_field_set_mask(const struct ofp_field *field,
                   const struct ofp_tlv_map *map, struct flow_wildcards *wc,
                   const union ofp_field_value *mask)
{
    unsigned int n = ofp_field_n_bytes(field, map);
    union ofp_field_value m = *mask;

    if (field->maskable == OFPFM_NONE && !ofp_field_value_is_zero(&m, n)) {
        memset(m.b, 0xff, n);
    }
    if (field->kind == OFPFK_PORT16 || field->kind == OFPFK_PORT32) {
        memset((uint8_t *) &wc->masks + field->ofs,
               ofp_field_value_is_zero(&m, n) ? 0 : 0xff, 4);
        return;
    }
    field_write(field, map, &wc->masks, &m);
    if (field->kind == OFPFK_TUN_METADATA) {
        if (ofp_field_value_is_zero(&m, n)) {
            wc->masks.tunnel.present &= ~(UINT64_C(1) << field->index);
        } else {
            wc->masks.tunnel.present |= UINT64_C(1) << field->index;
        }
    }
}

/* Whether the first 'n' bytes of 'v' are zero. */
bool
ofp_field_value_is_zero(const union ofp_field_value *v, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        if (v->b[i]) {
            return false;
        }
    }
    return true;
}

/* Whether the first 'n' bytes of 'v' are 0xff. */
bool
ofp_field_value_is_ones(const union ofp_field_value *v, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        if (v->b[i] != 0xff) {
            return false;
        }
    }
    return true;
}

/* Whether 'value' fits 'field'. */
bool
ofp_field_is_valid_value(const struct ofp_field *field,
                         const union ofp_field_value *value)
{
    unsigned int n = field->n_bytes;

    if (field->kind == OFPFK_TUN_METADATA) {
        return true;
    }
    if (field->kind == OFPFK_PORT32) {
        uint32_t port = get_uint(value->b, 4, false);
        return port <= OFPP_MAX_PORT || port >= 0xffffff00u;
    }
    if (field->kind == OFPFK_INT) {
        return !(get_uint(value->b, n, false) & ~field->vmask);
    }
    /* Bits beyond n_bits (counted from the least significant end). */
    for (unsigned int bit = field->n_bits; bit < n * 8u; bit++) {
        if (value->b[n - 1 - bit / 8] & (1u << (bit % 8))) {
            return false;
        }
    }
    return true;
}

static bool
exact_be16(const struct flow *flow, const struct flow_wildcards *wc,
           size_t ofs, uint16_t want)
{
    be16 v, m;
    memcpy(&v, (const uint8_t *) flow + ofs, 2);
    memcpy(&m, (const uint8_t *) &wc->masks + ofs, 2);
    return m == htonbe16(0xffff) && v == htonbe16(want);
}

static bool
is_eth_type(const struct flow *flow, const struct flow_wildcards *wc,
            uint16_t type)
{
    return exact_be16(flow, wc, F(dl_type), type);
}

static bool
is_ip_any(const struct flow *flow, const struct flow_wildcards *wc)
{
    return is_eth_type(flow, wc, 0x0800) || is_eth_type(flow, wc, 0x86dd);
}

static bool
is_ip_proto(const struct flow *flow, const struct flow_wildcards *wc,
            uint8_t proto)
{
    return wc->masks.nw_proto == 0xff && flow->nw_proto == proto;
}

/* ovs-fields(7) "CT": ct_state must match +trk-inv. */
static bool
is_ct_valid(const struct flow *flow, const struct flow_wildcards *wc)
{
    uint8_t want = CS_TRACKED | CS_INVALID;
    return (wc->masks.ct_state & want) == want
           && (flow->ct_state & want) == CS_TRACKED;
}

/* Whether the 8-bit ICMP type or code kept in the low byte of tp_src or
 * tp_dst (at 'ofs') is matched exactly and equals 'want'. */
static bool
exact_icmp(const struct flow *flow, const struct flow_wildcards *wc,
           size_t ofs, uint8_t want)
{
    be16 v, m;
    memcpy(&v, (const uint8_t *) flow + ofs, 2);
    memcpy(&m, (const uint8_t *) &wc->masks + ofs, 2);
    return ((be16_to_host(m) & 0xff) == 0xff
            && (be16_to_host(v) & 0xff) == want);
}

/* ND fields need an ICMPv6 type of 135 or 136 (OpenFlow 1.3.5 Table 12);
 * the code, if matched, must be 0 (only then are they parsed), but as in
 * ovs-ofctl it need not be matched. */
static bool
is_nd(const struct flow *flow, const struct flow_wildcards *wc, int type)
{
    if (!is_eth_type(flow, wc, 0x86dd) || !is_ip_proto(flow, wc, 58)
        || (wc->masks.tp_dst && !exact_icmp(flow, wc, F(tp_dst), 0))) {
        return false;
    }
    return (type >= 0 ? exact_icmp(flow, wc, F(tp_src), type)
            : (exact_icmp(flow, wc, F(tp_src), 135)
               || exact_icmp(flow, wc, F(tp_src), 136)));
}

/* Whether ('flow', 'wc') satisfies 'field''s prerequisites. */
bool
ofp_field_prereqs_ok(const struct ofp_field *field, const struct flow *flow,
                     const struct flow_wildcards *wc)
{
    bool later_frag = ((wc->masks.nw_frag & FLOW_NW_FRAG_LATER)
                       && (flow->nw_frag & FLOW_NW_FRAG_LATER));

    switch (field->prereq) {
    case OFPFP_NONE:
        return true;
    case OFPFP_VLAN_VID:
        return ((be16_to_host(wc->masks.vlans[0].tci) & VLAN_CFI)
                && (be16_to_host(flow->vlans[0].tci) & VLAN_CFI));
    case OFPFP_ARP:
        return is_eth_type(flow, wc, 0x0806) || is_eth_type(flow, wc, 0x8035);
    case OFPFP_MPLS:
        return is_eth_type(flow, wc, 0x8847) || is_eth_type(flow, wc, 0x8848);
    case OFPFP_IPV4:
        return is_eth_type(flow, wc, 0x0800);
    case OFPFP_IPV6:
        return is_eth_type(flow, wc, 0x86dd);
    case OFPFP_IP_ANY:
        return is_ip_any(flow, wc);
    case OFPFP_TCP:
        return is_ip_any(flow, wc) && is_ip_proto(flow, wc, 6) && !later_frag;
    case OFPFP_UDP:
        return (is_ip_any(flow, wc) && is_ip_proto(flow, wc, 17)
                && !later_frag);
    case OFPFP_SCTP:
        return (is_ip_any(flow, wc) && is_ip_proto(flow, wc, 132)
                && !later_frag);
    case OFPFP_ICMPV4:
        return is_eth_type(flow, wc, 0x0800) && is_ip_proto(flow, wc, 1);
    case OFPFP_ICMPV6:
        return is_eth_type(flow, wc, 0x86dd) && is_ip_proto(flow, wc, 58);
    case OFPFP_ND:
        return is_nd(flow, wc, -1);
    case OFPFP_ND_SOLICIT:
        return is_nd(flow, wc, 135);
    case OFPFP_ND_ADVERT:
        return is_nd(flow, wc, 136);
    case OFPFP_CT_IPV4:
        return is_ct_valid(flow, wc) && is_eth_type(flow, wc, 0x0800);
    case OFPFP_CT_IPV6:
        return is_ct_valid(flow, wc) && is_eth_type(flow, wc, 0x86dd);
    case OFPFP_CT_IP:
        return is_ct_valid(flow, wc) && is_ip_any(flow, wc);
    }
    return false;
}
