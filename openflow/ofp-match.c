/* OpenFlow matches: helpers, OXM/NXM and OpenFlow 1.0 codecs.  The text
 * syntax is in this file's second half.  See ofp-match.h. */
#include "openflow/ofp-match.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/netaddr.h"
#include "lib/util.h"
#include "openflow/ofpbuf.h"

/* Sets 'm' to match everything. */
void
ofp_match_init_catchall(struct ofp_match *m)
{
    memset(&m->flow, 0, sizeof m->flow);
    flow_wildcards_init_catchall(&m->wc);
}

/* Matches 'field' == 'value' exactly. */
void
ofp_match_set(struct ofp_match *m, const struct ofp_field *field,
              const struct ofp_tlv_map *map,
              const union ofp_field_value *value)
{
    union ofp_field_value ones;
    memset(&ones, 0xff, sizeof ones);
    ofp_match_set_masked(m, field, map, value, &ones);
}

/* Matches 'field' & 'mask' == 'value' & 'mask'. */
void
ofp_match_set_masked(struct ofp_match *m, const struct ofp_field *field,
                     const struct ofp_tlv_map *map,
                     const union ofp_field_value *value,
                     const union ofp_field_value *mask)
{
    union ofp_field_value v;
    for (size_t i = 0; i < sizeof v.b; i++) {
        v.b[i] = value->b[i] & mask->b[i];
    }
    ofp_field_set_mask(field, map, &m->wc, mask);
    ofp_field_set_value(field, map, &m->flow, &v);
    flow_apply_mask(&m->flow, &m->wc);
}

/* Stops matching 'field'. */
void
ofp_match_clear(struct ofp_match *m, const struct ofp_field *field,
                const struct ofp_tlv_map *map)
{
    union ofp_field_value zero;
    memset(&zero, 0, sizeof zero);
    ofp_field_set_mask(field, map, &m->wc, &zero);
    flow_apply_mask(&m->flow, &m->wc);
}

/* flow &= wc. */
void
ofp_match_normalize(struct ofp_match *m)
{
    flow_apply_mask(&m->flow, &m->wc);
}

/* Whether 'a' and 'b' are the same (normalized) match. */
bool
ofp_match_equal(const struct ofp_match *a, const struct ofp_match *b)
{
    return !memcmp(&a->wc, &b->wc, sizeof a->wc)
           && !memcmp(&a->flow, &b->flow, sizeof a->flow);
}

static bool
field_is_matched(const struct ofp_field *f, const struct ofp_tlv_map *map,
                 const struct ofp_match *m)
{
    union ofp_field_value mask;
    unsigned int n = ofp_field_n_bytes(f, map);
    if (!n) {
        return false;
    }
    ofp_field_get_mask(f, map, &m->wc, &mask);
    return !ofp_field_value_is_zero(&mask, n);
}

/* Checks every matched field's prerequisites. */
enum ofperr
ofp_match_check_prereqs(const struct ofp_match *m,
                        const struct ofp_tlv_map *map)
{
    for (int id = 0; id < OFPF_N_FIELDS; id++) {
        const struct ofp_field *f = ofp_field_from_id(id);
        if (field_is_matched(f, map, m)
            && !ofp_field_prereqs_ok(f, &m->flow, &m->wc)) {
            return OFPERR_OFPBMC_BAD_PREREQ;
        }
    }
    return 0;
}

/* ---- OXM / NXM. ---- */

/* Fields in the order the encoders emit them (the order Debian's
 * ovs-ofctl uses where observed: in_port, Ethernet, VLAN, L3, L4, tunnel,
 * registers, other metadata).  Fields sharing storage are told apart by
 * their prerequisites; 0-terminated per group by OFPF_N_FIELDS. */
static const enum ofp_field_id encode_order[] = {
    OFPF_ETH_DST, OFPF_ETH_SRC, OFPF_ETH_TYPE,
    OFPF_MPLS_LABEL, OFPF_MPLS_TC, OFPF_MPLS_BOS, OFPF_MPLS_TTL,
    OFPF_IPV4_SRC, OFPF_IPV4_DST, OFPF_IPV6_SRC, OFPF_IPV6_DST,
    OFPF_IPV6_LABEL, OFPF_IPV6_EXTHDR, OFPF_IP_FRAG, OFPF_IP_ECN,
    OFPF_IP_TTL, OFPF_IP_PROTO,
    OFPF_TCP_SRC, OFPF_TCP_DST, OFPF_TCP_FLAGS, OFPF_UDP_SRC, OFPF_UDP_DST,
    OFPF_SCTP_SRC, OFPF_SCTP_DST, OFPF_ICMPV4_TYPE, OFPF_ICMPV4_CODE,
    OFPF_ICMPV6_TYPE, OFPF_ICMPV6_CODE, OFPF_ND_TARGET, OFPF_ND_SLL,
    OFPF_ND_TLL, OFPF_ND_RESERVED, OFPF_ND_OPTIONS_TYPE,
    OFPF_ARP_OP, OFPF_ARP_SPA, OFPF_ARP_TPA, OFPF_ARP_SHA, OFPF_ARP_THA,
    OFPF_TUN_ID, OFPF_TUN_SRC, OFPF_TUN_DST, OFPF_TUN_IPV6_SRC,
    OFPF_TUN_IPV6_DST, OFPF_TUN_GBP_ID, OFPF_TUN_GBP_FLAGS, OFPF_TUN_FLAGS,
};
static const enum ofp_field_id encode_order_tail[] = {
    OFPF_PKT_MARK, OFPF_DP_HASH, OFPF_RECIRC_ID, OFPF_CONJ_ID,
    OFPF_CT_STATE, OFPF_CT_ZONE, OFPF_CT_MARK, OFPF_CT_LABEL,
    OFPF_CT_NW_PROTO, OFPF_CT_NW_SRC, OFPF_CT_NW_DST, OFPF_CT_IPV6_SRC,
    OFPF_CT_IPV6_DST, OFPF_CT_TP_SRC, OFPF_CT_TP_DST, OFPF_ACTSET_OUTPUT,
    OFPF_METADATA,
};

/* The code point of 'f' in NXM ('version' 0) or OXM for 'version'. */
static uint64_t
field_header(const struct ofp_field *f, uint8_t version)
{
    if (!version) {
        return f->nxm ? f->nxm : f->oxm13 ? f->oxm13 : f->oxm;
    }
    if (f->oxm && version >= f->oxm_version) {
        return f->oxm;
    }
    if (f->oxm13) {
        return f->oxm13;
    }
    return f->nxm ? f->nxm : f->oxm;
}

static void
put_tlv(struct ofpbuf *b, uint64_t hdr, const union ofp_field_value *value,
        const union ofp_field_value *mask, unsigned int n)
{
    bool exp = OFP_HDR_CLASS(hdr) == OXM_CLASS_EXPERIMENTER;
    bool hm = mask && !ofp_field_value_is_ones(mask, n);
    unsigned int len = (exp ? 4 : 0) + n * (hm ? 2 : 1);

    ofpbuf_put_be32(b, ((uint32_t) hdr & ~0x1ffu) | (hm ? 0x100 : 0) | len);
    if (exp) {
        ofpbuf_put_be32(b, OFP_HDR_EXPERIMENTER(hdr));
    }
    ofpbuf_put(b, value->b, n);
    if (hm) {
        ofpbuf_put(b, mask->b, n);
    }
}

static void
put_field(const struct ofp_match *m, const struct ofp_tlv_map *map,
          enum ofp_field_id id, uint8_t version, struct ofpbuf *b)
{
    const struct ofp_field *f = ofp_field_from_id(id);
    union ofp_field_value value, mask;
    unsigned int n = ofp_field_n_bytes(f, map);
    uint64_t hdr = field_header(f, version);

    if (!n || !hdr || !field_is_matched(f, map, m)
        || !ofp_field_prereqs_ok(f, &m->flow, &m->wc)) {
        return;
    }
    ofp_field_get_value(f, map, &m->flow, &value);
    ofp_field_get_mask(f, map, &m->wc, &mask);
    if (f->maskable == OFPFM_NONE && !ofp_field_value_is_ones(&mask, n)) {
        return;                 /* Partial mask: not expressible. */
    }
    put_tlv(b, hdr, &value, &mask, n);
}

/* NXM (version 0) or OXM TLVs of 'm'. */
static size_t
put_tlvs(const struct ofp_match *m, const struct ofp_tlv_map *map,
         uint8_t version, struct ofpbuf *b)
{
    size_t start = b->size;

    put_field(m, map, version ? OFPF_IN_PORT_OXM : OFPF_IN_PORT, version, b);
    for (size_t i = 0; i < ARRAY_SIZE(encode_order); i++) {
        enum ofp_field_id id = encode_order[i];
        if (id == OFPF_ETH_TYPE) {
            put_field(m, map, id, version, b);
            if (version) {
                put_field(m, map, OFPF_VLAN_VID, version, b);
                put_field(m, map, OFPF_VLAN_PCP, version, b);
            } else {
                put_field(m, map, OFPF_VLAN_TCI, version, b);
            }
        } else if (id == OFPF_IP_ECN) {
            put_field(m, map, version ? OFPF_IP_DSCP : OFPF_IP_TOS,
                      version, b);
            put_field(m, map, id, version, b);
        } else {
            put_field(m, map, id, version, b);
        }
    }
    for (int i = 0; i < FLOW_TUN_N_METADATA; i++) {
        put_field(m, map, OFPF_TUN_METADATA0 + i, version, b);
    }
    for (int i = 0; i < FLOW_N_REGS; i++) {
        put_field(m, map, OFPF_REG0 + i, version, b);
    }
    for (size_t i = 0; i < ARRAY_SIZE(encode_order_tail); i++) {
        put_field(m, map, encode_order_tail[i], version, b);
    }
    if (version >= 0x06) {
        put_field(m, map, OFPF_PACKET_TYPE, version, b);
    }
    return b->size - start;
}

/* Appends the nx_match of 'm'. */
size_t
ofp_match_put_nxm(const struct ofp_match *m, const struct ofp_tlv_map *map,
                  struct ofpbuf *b)
{
    return put_tlvs(m, map, 0, b);
}

/* Appends bare OXM TLVs of 'm' for 'version'. */
size_t
ofp_match_put_oxm_tlvs(const struct ofp_match *m,
                       const struct ofp_tlv_map *map, uint8_t version,
                       struct ofpbuf *b)
{
    return put_tlvs(m, map, version ? version : 0x04, b);
}

/* Appends a whole OXM struct ofp_match. */
size_t
ofp_match_put_oxm(const struct ofp_match *m, const struct ofp_tlv_map *map,
                  uint8_t version, struct ofpbuf *b)
{
    size_t start = b->size;
    size_t n;

    ofpbuf_put_be16(b, 1);      /* OFPMT_OXM. */
    ofpbuf_put_be16(b, 0);
    n = ofp_match_put_oxm_tlvs(m, map, version, b);
    ofpbuf_set_be16(b, start + 2, 4 + n);
    ofpbuf_pad_to(b, 8, start);
    return b->size - start;
}

/* Decodes TLVs; see the header. */
enum ofperr
ofp_match_decode_tlvs(const uint8_t *p, size_t size,
                      const struct ofp_tlv_map *map, struct ofp_match *m)
{
    uint8_t seen[(OFPF_N_FIELDS + 7) / 8];

    memset(seen, 0, sizeof seen);
    ofp_match_init_catchall(m);
    while (size) {
        union ofp_field_value value, mask;
        const struct ofp_field *f;
        uint32_t h;
        uint64_t hdr;
        size_t len, n;
        bool hm;

        if (size < 4) {
            return OFPERR_OFPBMC_BAD_LEN;
        }
        h = ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
        len = h & 0xff;
        hm = (h >> 8) & 1;
        if (len > size - 4) {
            return OFPERR_OFPBMC_BAD_LEN;
        }
        hdr = h & ~(uint32_t) 0x1ff;
        if ((h >> 16) == OXM_CLASS_EXPERIMENTER) {
            if (len < 4) {
                return OFPERR_OFPBMC_BAD_LEN;
            }
            hdr |= (uint64_t) (((uint32_t) p[4] << 24) | (p[5] << 16)
                               | (p[6] << 8) | p[7]) << 32;
        }
        if (h >> 9 == 0x00013c00u >> 9 && len == (hm ? 16 : 8)) {
            /* NXM_NX_COOKIE(_W) is no flow field: it selects flows by
             * cookie in NXT_FLOW_MOD and NXST_FLOW requests, whose
             * decoders (ofp-msgs) take it into cookie/cookie_mask. */
            p += 4 + len;
            size -= 4 + len;
            continue;
        }
        f = ofp_field_from_header(hdr);
        if (!f) {
            return OFPERR_OFPBMC_BAD_FIELD;
        }
        n = ofp_field_n_bytes(f, map);
        if (!n) {
            return OFPERR_OFPBMC_BAD_FIELD;
        }
        {
            size_t body = len - ((h >> 16) == OXM_CLASS_EXPERIMENTER ? 4 : 0);
            const uint8_t *v = p + 4 + (len - body);
            size_t k = body / (hm ? 2 : 1);     /* Bytes sent per part. */
            bool tun_md = (f->id >= OFPF_TUN_METADATA0
                           && f->id <= OFPF_TUN_METADATA63);

            /* A tun_metadata value may be shorter than its mapping:
             * ovs-ofctl sends only the bytes the value needs (0x1234: 2
             * bytes).  It is right-aligned; the missing high bytes are 0
             * in the value, and exact (all-ones) unless a mask was sent, in
             * which case they are wildcarded. */
            if (body % (hm ? 2 : 1)
                || (tun_md ? !k || k > n : k != n)) {
                return OFPERR_OFPBMC_BAD_LEN;
            }
            memset(&value, 0, sizeof value);
            memset(&mask, 0xff, sizeof mask);
            memcpy(value.b + (n - k), v, k);
            if (hm) {
                memset(&mask, 0, sizeof mask);
                memcpy(mask.b + (n - k), v + k, k);
            }
        }
        if (seen[f->id / 8] & (1u << (f->id % 8))) {
            return OFPERR_OFPBMC_DUP_FIELD;
        }
        seen[f->id / 8] |= 1u << (f->id % 8);
        if (hm && f->maskable == OFPFM_NONE
            && !ofp_field_value_is_ones(&mask, n)) {
            return OFPERR_OFPBMC_BAD_MASK;
        }
        if (!ofp_field_is_valid_value(f, &value)) {
            return OFPERR_OFPBMC_BAD_VALUE;
        }
        for (size_t i = 0; i < n; i++) {
            if (value.b[i] & ~mask.b[i]) {
                return OFPERR_OFPBMC_BAD_WILDCARDS;
            }
        }
        if (!ofp_field_prereqs_ok(f, &m->flow, &m->wc)) {
            return OFPERR_OFPBMC_BAD_PREREQ;
        }
        ofp_match_set_masked(m, f, map, &value, &mask);
        p += 4 + len;
        size -= 4 + len;
    }
    return 0;
}

/* Decodes an nx_match. */
enum ofperr
ofp_match_decode_nxm(const uint8_t *p, size_t size,
                     const struct ofp_tlv_map *map, struct ofp_match *m)
{
    return ofp_match_decode_tlvs(p, size, map, m);
}

/* Decodes an OXM struct ofp_match. */
enum ofperr
ofp_match_decode_oxm(const uint8_t *p, size_t size,
                     const struct ofp_tlv_map *map, struct ofp_match *m,
                     size_t *consumed)
{
    size_t len, padded;

    if (size < 4) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    if (((p[0] << 8) | p[1]) != 1) {
        return OFPERR_OFPBMC_BAD_TYPE;
    }
    len = (p[2] << 8) | p[3];
    padded = (len + 7) / 8 * 8;
    if (len < 4 || padded > size) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    *consumed = padded;
    return ofp_match_decode_tlvs(p + 4, len - 4, map, m);
}

/* ---- OpenFlow 1.0 (OpenFlow 1.0.0 §5.2.3 struct ofp_match). ---- */

static bool
mask_is(const void *mask, size_t n, int byte)
{
    const uint8_t *p = mask;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != byte) {
            return false;
        }
    }
    return true;
}

/* Prefix length of a contiguous big-endian mask, or -1. */
static int
be32_prefix(be32 mask)
{
    uint32_t m = be32_to_host(mask);
    int plen = 0;
    while (plen < 32 && (m & (0x80000000u >> plen))) {
        plen++;
    }
    return m == (plen ? ~0u << (32 - plen) : 0) ? plen : -1;
}

/* Whether 'm' fits an OpenFlow 1.0 match. */
bool
ofp_match_fits_ofp10(const struct ofp_match *m)
{
    struct ofp_match copy = *m;
    const struct flow *w = &m->wc.masks;

    if ((w->in_port && w->in_port != UINT32_MAX)
        || !(mask_is(&w->dl_src, 6, 0) || mask_is(&w->dl_src, 6, 0xff))
        || !(mask_is(&w->dl_dst, 6, 0) || mask_is(&w->dl_dst, 6, 0xff))
        || be32_prefix(w->nw_src) < 0 || be32_prefix(w->nw_dst) < 0
        || (w->nw_proto && w->nw_proto != 0xff)
        || (w->tp_src && w->tp_src != htonbe16(0xffff))
        || (w->tp_dst && w->tp_dst != htonbe16(0xffff))) {
        return false;
    }
    /* Clear what OpenFlow 1.0 can say; anything left does not fit. */
    memset(&copy.wc.masks.in_port, 0, 4);
    memset(&copy.wc.masks.dl_src, 0, 6);
    memset(&copy.wc.masks.dl_dst, 0, 6);
    copy.wc.masks.dl_type = 0;
    copy.wc.masks.vlans[0].tci = 0;
    copy.wc.masks.nw_src = copy.wc.masks.nw_dst = 0;
    copy.wc.masks.nw_proto = 0;
    copy.wc.masks.nw_tos &= ~0xfc;
    copy.wc.masks.tp_src = copy.wc.masks.tp_dst = 0;
    return mask_is(&copy.wc.masks, sizeof copy.wc.masks, 0);
}

static void
put16(uint8_t *p, uint16_t x)
{
    p[0] = x >> 8;
    p[1] = x;
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

/* Encodes 'm' as an OpenFlow 1.0 match. */
void
ofp_match_to_ofp10(const struct ofp_match *m, uint8_t out[OFP10_MATCH_LEN])
{
    const struct flow *f = &m->flow, *w = &m->wc.masks;
    uint32_t wild = OFPFW10_ALL;
    uint16_t tci = be16_to_host(f->vlans[0].tci);
    uint16_t tci_m = be16_to_host(w->vlans[0].tci);
    int plen;

    memset(out, 0, OFP10_MATCH_LEN);
    if (w->in_port) {
        wild &= ~OFPFW10_IN_PORT;
        put16(out + 4, f->in_port);
    }
    if (!mask_is(&w->dl_src, 6, 0)) {
        wild &= ~OFPFW10_DL_SRC;
        memcpy(out + 6, &f->dl_src, 6);
    }
    if (!mask_is(&w->dl_dst, 6, 0)) {
        wild &= ~OFPFW10_DL_DST;
        memcpy(out + 12, &f->dl_dst, 6);
    }
    /* dl_vlan 0xffff means "no tag" (vlan_tci=0/0x1fff). */
    if ((tci_m & 0x1fff) == 0x1fff) {
        wild &= ~OFPFW10_DL_VLAN;
        put16(out + 18, tci & VLAN_CFI ? tci & VLAN_VID_MASK : 0xffff);
    }
    if ((tci_m & 0xf000) == 0xf000 && (tci & VLAN_CFI)) {
        wild &= ~OFPFW10_DL_VLAN_PCP;
        out[20] = tci >> VLAN_PCP_SHIFT;
    }
    if (w->dl_type) {
        wild &= ~OFPFW10_DL_TYPE;
        memcpy(out + 22, &f->dl_type, 2);
    }
    if (w->nw_tos & 0xfc) {
        wild &= ~OFPFW10_NW_TOS;
        out[24] = f->nw_tos & 0xfc;
    }
    if (w->nw_proto) {
        wild &= ~OFPFW10_NW_PROTO;
        out[25] = f->nw_proto;
    }
    plen = be32_prefix(w->nw_src);
    wild = (wild & ~(0x3fu << OFPFW10_NW_SRC_SHIFT))
           | ((uint32_t) (32 - (plen < 0 ? 0 : plen))
              << OFPFW10_NW_SRC_SHIFT);
    memcpy(out + 28, &f->nw_src, 4);
    plen = be32_prefix(w->nw_dst);
    wild = (wild & ~(0x3fu << OFPFW10_NW_DST_SHIFT))
           | ((uint32_t) (32 - (plen < 0 ? 0 : plen))
              << OFPFW10_NW_DST_SHIFT);
    memcpy(out + 32, &f->nw_dst, 4);
    if (w->tp_src) {
        wild &= ~OFPFW10_TP_SRC;
        memcpy(out + 36, &f->tp_src, 2);
    }
    if (w->tp_dst) {
        wild &= ~OFPFW10_TP_DST;
        memcpy(out + 38, &f->tp_dst, 2);
    }
    out[0] = wild >> 24;
    out[1] = wild >> 16;
    out[2] = wild >> 8;
    out[3] = wild;
}

/* Decodes an OpenFlow 1.0 match. */
enum ofperr
ofp_match_from_ofp10(const uint8_t in[OFP10_MATCH_LEN], struct ofp_match *m)
{
    uint32_t wild = ((uint32_t) in[0] << 24) | (in[1] << 16) | (in[2] << 8)
                    | in[3];
    struct flow *f = &m->flow, *w = &m->wc.masks;
    unsigned int bits;

    ofp_match_init_catchall(m);
    if (!(wild & OFPFW10_IN_PORT)) {
        f->in_port = get16(in + 4);
        w->in_port = UINT32_MAX;
    }
    if (!(wild & OFPFW10_DL_SRC)) {
        memcpy(&f->dl_src, in + 6, 6);
        memset(&w->dl_src, 0xff, 6);
    }
    if (!(wild & OFPFW10_DL_DST)) {
        memcpy(&f->dl_dst, in + 12, 6);
        memset(&w->dl_dst, 0xff, 6);
    }
    if (!(wild & OFPFW10_DL_VLAN)) {
        uint16_t vid = get16(in + 18);
        if (vid == 0xffff) {
            f->vlans[0].tci = 0;
        } else if (vid > VLAN_VID_MASK) {
            return OFPERR_OFPBMC_BAD_VALUE;
        } else {
            f->vlans[0].tci = htonbe16(VLAN_CFI | vid);
        }
        w->vlans[0].tci = htonbe16(0x1fff);
    }
    if (!(wild & OFPFW10_DL_VLAN_PCP) && in[20] <= 7) {
        uint16_t t = be16_to_host(f->vlans[0].tci) & 0x0fff;
        uint16_t tm = be16_to_host(w->vlans[0].tci) & 0x0fff;
        f->vlans[0].tci = htonbe16(t | VLAN_CFI | (in[20] << VLAN_PCP_SHIFT));
        w->vlans[0].tci = htonbe16(tm | 0xf000);
    }
    if (!(wild & OFPFW10_DL_TYPE)) {
        memcpy(&f->dl_type, in + 22, 2);
        w->dl_type = htonbe16(0xffff);
    }
    if (!(wild & OFPFW10_NW_TOS)) {
        f->nw_tos = in[24] & 0xfc;
        w->nw_tos = 0xfc;
    }
    if (!(wild & OFPFW10_NW_PROTO)) {
        f->nw_proto = in[25];
        w->nw_proto = 0xff;
    }
    bits = (wild >> OFPFW10_NW_SRC_SHIFT) & 0x3f;
    if (bits < 32) {
        w->nw_src = htonbe32(~0u << bits);
        memcpy(&f->nw_src, in + 28, 4);
    }
    bits = (wild >> OFPFW10_NW_DST_SHIFT) & 0x3f;
    if (bits < 32) {
        w->nw_dst = htonbe32(~0u << bits);
        memcpy(&f->nw_dst, in + 32, 4);
    }
    if (!(wild & OFPFW10_TP_SRC)) {
        memcpy(&f->tp_src, in + 36, 2);
        w->tp_src = htonbe16(0xffff);
    }
    if (!(wild & OFPFW10_TP_DST)) {
        memcpy(&f->tp_dst, in + 38, 2);
        w->tp_dst = htonbe16(0xffff);
    }
    ofp_match_normalize(m);
    return 0;
}

/* ---- Text (ovs-ofctl(8) "Flow Syntax"). ---- */

struct shorthand {
    const char *name;           /* "tcp6". */
    uint16_t dl_type;           /* Ethertype. */
    int nw_proto;               /* -1: not matched. */
};

static const struct shorthand shorthands[] = {
    { "ip", 0x0800, -1 }, { "ipv6", 0x86dd, -1 }, { "icmp", 0x0800, 1 },
    { "icmp6", 0x86dd, 58 }, { "tcp", 0x0800, 6 }, { "tcp6", 0x86dd, 6 },
    { "udp", 0x0800, 17 }, { "udp6", 0x86dd, 17 }, { "sctp", 0x0800, 132 },
    { "sctp6", 0x86dd, 132 }, { "arp", 0x0806, -1 }, { "rarp", 0x8035, -1 },
    { "mpls", 0x8847, -1 }, { "mplsm", 0x8848, -1 },
};

static const char *const ct_state_names[8] = {
    "new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat",
};
static const char *const tcp_flag_names[9] = {
    "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
};

static const struct { const char *name; uint32_t port; } port_names[] = {
    { "IN_PORT", OFPP_IN_PORT }, { "TABLE", OFPP_TABLE },
    { "NORMAL", OFPP_NORMAL }, { "FLOOD", OFPP_FLOOD },
    { "ALL", OFPP_ALL }, { "CONTROLLER", OFPP_CONTROLLER },
    { "LOCAL", OFPP_LOCAL }, { "ANY", OFPP_NONE }, { "NONE", OFPP_NONE },
};

static bool
parse_uint(const char *s, int n, union ofp_field_value *v)
{
    char *end;
    unsigned long long x;

    memset(v, 0, sizeof *v);
    if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
        /* Hex of any length, right-aligned in n bytes. */
        const char *h = s + 2;
        size_t len = strlen(h);
        if (!len || len > (size_t) n * 2) {
            return false;
        }
        for (size_t i = 0; i < len; i++) {
            char c = h[len - 1 - i];
            int d = (c >= '0' && c <= '9' ? c - '0'
                     : c >= 'a' && c <= 'f' ? c - 'a' + 10
                     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1);
            if (d < 0) {
                return false;
            }
            v->b[n - 1 - i / 2] |= d << (4 * (i % 2));
        }
        return true;
    }
    errno = 0;
    x = strtoull(s, &end, 10);
    if (errno || *end || end == s || (n < 8 && x >> (8 * n))) {
        return false;
    }
    for (int i = n - 1; i >= 0 && i >= n - 8; i--) {
        v->b[i] = x;
        x >>= 8;
    }
    return true;
}

static bool
parse_port(const char *s, bool ofp11, union ofp_field_value *v)
{
    uint32_t port = 0;
    bool found = false;

    for (size_t i = 0; i < ARRAY_SIZE(port_names); i++) {
        if (!strcasecmp(s, port_names[i].name)) {
            port = port_names[i].port;
            found = true;
        }
    }
    if (!found) {
        union ofp_field_value x;
        if (!parse_uint(s, 4, &x)) {
            return false;
        }
        port = be32_to_host(x.be32);
        if (port > OFPP_MAX_PORT) {
            return false;
        }
    }
    memset(v, 0, sizeof *v);
    if (ofp11) {
        v->be32 = htonbe32(port < OFPP_MAX_PORT ? port : port + 0xffff0000u);
    } else {
        v->be16 = htonbe16(port);
    }
    return true;
}

/* Parses "+a-b" flag syntax over 'names' (or a number). */
static bool
parse_flags(const char *s, const char *const *names, int n_names, int n,
            union ofp_field_value *v, union ofp_field_value *m)
{
    uint32_t val = 0, mask = 0;

    if (*s != '+' && *s != '-') {
        return false;
    }
    while (*s) {
        bool set = *s++ == '+';
        int i;
        for (i = 0; i < n_names; i++) {
            size_t len = strlen(names[i]);
            if (!strncmp(s, names[i], len)
                && (s[len] == '\0' || s[len] == '+' || s[len] == '-')) {
                break;
            }
        }
        if (i == n_names) {
            return false;
        }
        s += strlen(names[i]);
        mask |= 1u << i;
        val |= set ? 1u << i : 0;
    }
    memset(v, 0, sizeof *v);
    memset(m, 0, sizeof *m);
    for (int i = n - 1, sh = 0; i >= 0; i--, sh += 8) {
        v->b[i] = val >> sh;
        m->b[i] = mask >> sh;
    }
    return true;
}

static bool
parse_value(const struct ofp_field *f, unsigned int n, const char *s,
            union ofp_field_value *v)
{
    memset(v, 0, sizeof *v);
    switch (f->format) {
    case OFPFF_ETHERNET:
        return eth_addr_from_string(s, &v->mac);
    case OFPFF_IPV4: {
        uint32_t ip;
        if (!ip4_from_string(s, &ip)) {
            return false;
        }
        memcpy(v->b, &ip, 4);
        return true;
    }
    case OFPFF_IPV6:
        return ip6_from_string(s, &v->ipv6);
    case OFPFF_OFP10_PORT:
    case OFPFF_OFP11_PORT:
        return parse_port(s, f->format == OFPFF_OFP11_PORT, v);
    default:
        return parse_uint(s, n, v);
    }
}

/* Whether 's' is a well-formed number (decimal, or 0x hex) that is merely
 * too wide for 'n' bytes. */
static bool
uint_too_large(const char *s, unsigned int n)
{
    union ofp_field_value big;
    char *end;

    if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
        return (s[2] && strspn(s + 2, "0123456789abcdefABCDEF")
                == strlen(s + 2) && strlen(s + 2) > n * 2u);
    }
    errno = 0;
    (void) strtoull(s, &end, 10);
    return end != s && !*end && (errno || !parse_uint(s, n, &big));
}

/* The error ovs-ofctl gives for 'text' (all of "value[/mask]"), whose
 * value (or, with 'is_mask', mask) part 'part' does not parse for 'f'. */
static char *
value_error(const struct ofp_field *f, unsigned int n, const char *text,
            const char *part, bool is_mask)
{
    switch (f->format) {
    case OFPFF_ETHERNET:
        return xasprintf("%s: invalid Ethernet address", text);
    case OFPFF_IPV4:
        return xasprintf("%s: invalid IP address", text);
    case OFPFF_IPV6:
        return xasprintf("%s: invalid IPv6 address", text);
    case OFPFF_OFP10_PORT:
    case OFPFF_OFP11_PORT:
        return xasprintf("%s: invalid or unknown port for %s", text,
                         f->name);
    default:
        if (uint_too_large(part, n)) {
            return xasprintf("%s: value too large for %u-byte field %s",
                             text, n, f->name);
        }
        return xasprintf("%s: bad syntax for %s %s", text, f->name,
                         is_mask ? "mask" : "value");
    }
}

static char *
parse_masked(const struct ofp_field *f, unsigned int n, const char *value,
             union ofp_field_value *v, union ofp_field_value *m)
{
    char *copy = xstrdup(value);
    char *slash = strchr(copy, '/');
    char *err = NULL;
    bool ip = f->format == OFPFF_IPV4 || f->format == OFPFF_IPV6;

    memset(m, 0xff, sizeof *m);
    if (slash) {
        *slash++ = '\0';
    }
    if (!parse_value(f, n, copy, v)
        || (slash && (f->format == OFPFF_OFP10_PORT
                      || f->format == OFPFF_OFP11_PORT))) {
        /* A port takes no mask: "1/2" is not a port name. */
        err = value_error(f, n, value, copy, false);
    } else if (slash) {
        char *end;
        unsigned long plen = strtoul(slash, &end, 10);
        if (ip && *end == '\0' && end != slash) {
            if (plen > n * 8u) {
                err = xasprintf("%s: IPv%d network prefix bits not between "
                                "0 and %u, inclusive", value,
                                f->format == OFPFF_IPV4 ? 4 : 6, n * 8u);
            } else {
                memset(m, 0, sizeof *m);
                for (unsigned long i = 0; i < plen; i++) {
                    m->b[i / 8] |= 0x80 >> (i % 8);
                }
            }
        } else if (!parse_value(f, n, slash, m)) {
            err = value_error(f, n, value, slash, true);
        }
        if (!err && f->maskable == OFPFM_NONE
            && !ofp_field_value_is_ones(m, n)) {
            err = xasprintf("%s: invalid mask for field %s", value,
                            f->name);
        }
    }
    free(copy);
    return err;
}

static const struct shorthand *
find_shorthand(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
        if (!strcmp(shorthands[i].name, name)) {
            return &shorthands[i];
        }
    }
    return NULL;
}

static const struct { const char *name; uint8_t v, m; } frag_names[] = {
    { "no", 0, 1 }, { "yes", 1, 1 }, { "first", 1, 3 }, { "later", 3, 3 },
    { "not_later", 0, 2 },
};

/* Parses one item into 'm'. */
char *
ofp_match_parse_field(struct ofp_match *m, const struct ofp_tlv_map *map,
                      const char *name, const char *value)
{
    const struct shorthand *sh = find_shorthand(name);
    const struct ofp_field *f;
    union ofp_field_value v, mask;
    unsigned int n;
    char *err;

    if (sh) {
        /* ovs-ofctl ignores a value given to a shorthand ("tcp=1"). */
        memset(&v, 0, sizeof v);
        v.be16 = htonbe16(sh->dl_type);
        ofp_match_set(m, ofp_field_from_id(OFPF_ETH_TYPE), map, &v);
        if (sh->nw_proto >= 0) {
            v.b[0] = sh->nw_proto;
            ofp_match_set(m, ofp_field_from_id(OFPF_IP_PROTO), map, &v);
        }
        return NULL;
    }
    f = ofp_field_from_name(name);
    if (!f) {
        /* ovs-ofctl's words: a bare unknown name reads as a field
         * without its value. */
        return value ? xasprintf("unknown keyword %s", name)
                     : xasprintf("field %s missing value", name);
    }
    if (!value) {
        value = "0/0";          /* As ovs-ofctl: a bare field name. */
    }
    /* icmp_type/icmp_code name the ICMPv6 fields in an IPv6 match. */
    if ((f->id == OFPF_ICMPV4_TYPE || f->id == OFPF_ICMPV4_CODE)
        && m->wc.masks.dl_type && m->flow.dl_type == htonbe16(0x86dd)) {
        f = ofp_field_from_id(f->id == OFPF_ICMPV4_TYPE
                              ? OFPF_ICMPV6_TYPE : OFPF_ICMPV6_CODE);
    }
    n = ofp_field_n_bytes(f, map);
    if (!n) {
        return xasprintf("%s: field not mapped", name);
    }
    if (f->format == OFPFF_FRAG) {
        for (size_t i = 0; i < ARRAY_SIZE(frag_names); i++) {
            if (!strcmp(value, frag_names[i].name)) {
                memset(&v, 0, sizeof v);
                memset(&mask, 0, sizeof mask);
                v.b[0] = frag_names[i].v;
                mask.b[0] = frag_names[i].m;
                ofp_match_set_masked(m, f, map, &v, &mask);
                return NULL;
            }
        }
        return xasprintf("%s: unknown fragment type (valid types are \"no\", "
                         "\"yes\", \"first\", \"later\", \"not_later\"",
                         value);
    }
    if ((f->format == OFPFF_CT_STATE
         && parse_flags(value, ct_state_names, 8, n, &v, &mask))
        || (f->format == OFPFF_TCP_FLAGS
            && parse_flags(value, tcp_flag_names, 9, n, &v, &mask))
        || (f->format == OFPFF_TUN_FLAGS
            && parse_flags(value, (const char *const[]) { "oam" }, 1, n,
                           &v, &mask))) {
        ofp_match_set_masked(m, f, map, &v, &mask);
        return NULL;
    }
    if (f->format == OFPFF_CT_STATE && (*value == '+' || *value == '-')) {
        /* Name the first flag that is not one. */
        const char *p = value;
        while (*p == '+' || *p == '-') {
            size_t len = strcspn(p + 1, "+-");
            bool known = false;
            for (int i = 0; i < 8; i++) {
                known |= (strlen(ct_state_names[i]) == len
                          && !strncmp(p + 1, ct_state_names[i], len));
            }
            if (!known) {
                return xasprintf("%.*s: unknown ct_state flag(s)", (int) len,
                                 p + 1);
            }
            p += 1 + len;
        }
    }
    if (f->id == OFPF_DL_VLAN || f->id == OFPF_DL_VLAN_PCP) {
        /* OpenFlow 1.0 meaning: a VID or PCP match implies a tag;
         * dl_vlan=0xffff means "no tag". */
        const struct ofp_field *tci = ofp_field_from_id(OFPF_VLAN_TCI);
        union ofp_field_value x;
        uint16_t t, tm;
        if (!parse_uint(value, 2, &x)) {
            return xasprintf("%s: bad value for %s", value, name);
        }
        ofp_field_get_value(tci, map, &m->flow, &v);
        ofp_field_get_mask(tci, map, &m->wc, &mask);
        t = be16_to_host(v.be16);
        tm = be16_to_host(mask.be16);
        if (f->id == OFPF_DL_VLAN) {
            uint16_t vid = be16_to_host(x.be16);
            if (vid == 0xffff) {
                t = 0;
                tm = 0x1fff;
            } else if (vid > VLAN_VID_MASK) {
                return xasprintf("%s: bad value for %s", value, name);
            } else {
                t = (t & 0xe000) | VLAN_CFI | vid;
                tm |= 0x1fff;
            }
        } else {
            if (be16_to_host(x.be16) > 7) {
                return xasprintf("%s: bad value for %s", value, name);
            }
            t = (t & 0x0fff) | VLAN_CFI | (be16_to_host(x.be16) << 13);
            tm |= 0xf000;
        }
        v.be16 = htonbe16(t);
        mask.be16 = htonbe16(tm);
        ofp_match_set_masked(m, tci, map, &v, &mask);
        return NULL;
    }
    err = parse_masked(f, n, value, &v, &mask);
    if (err) {
        return err;
    }
    if (!ofp_field_is_valid_value(f, &v)) {
        return xasprintf("%s: value out of range for %s", value, name);
    }
    ofp_match_set_masked(m, f, map, &v, &mask);
    return NULL;
}

/* Parses a whole match string. */
char *
ofp_match_from_string(struct ofp_match *m, const struct ofp_tlv_map *map,
                      const char *s)
{
    char *copy = xstrdup(s), *save = NULL, *err = NULL;

    ofp_match_init_catchall(m);
    for (char *tok = strtok_r(copy, ", \t", &save); tok && !err;
         tok = strtok_r(NULL, ", \t", &save)) {
        char *eq = strchr(tok, '=');
        if (eq) {
            *eq++ = '\0';
        }
        err = ofp_match_parse_field(m, map, tok, eq);
    }
    free(copy);
    return err;
}

static void
format_hex(struct ds *s, const union ofp_field_value *v, unsigned int n,
           bool zero_as_0)
{
    unsigned int i = 0;
    while (i < n - 1 && !v->b[i]) {
        i++;
    }
    if (zero_as_0 && i == n - 1 && !v->b[i]) {
        ds_put_cstr(s, "0");
        return;
    }
    ds_put_format(s, "0x%x", v->b[i]);
    for (i++; i < n; i++) {
        ds_put_format(s, "%02x", v->b[i]);
    }
}

static uint64_t
value_uint(const union ofp_field_value *v, unsigned int n)
{
    uint64_t x = 0;
    for (unsigned int i = 0; i < n && i < 8; i++) {
        x = (x << 8) | v->b[n > 8 ? n - 8 + i : i];
    }
    return x;
}

static void
format_flags(struct ds *s, const char *const *names, int n_names,
             uint32_t val, uint32_t mask)
{
    for (int i = 0; i < n_names; i++) {
        if (mask & (1u << i)) {
            ds_put_format(s, "%c%s", val & (1u << i) ? '+' : '-', names[i]);
        }
    }
}

static void
format_port(struct ds *s, uint32_t port)
{
    for (size_t i = 0; i < ARRAY_SIZE(port_names); i++) {
        if (port_names[i].port == port) {
            ds_put_cstr(s, port_names[i].name);
            return;
        }
    }
    ds_put_format(s, "%"PRIu32, port);
}

/* Appends "name=value[/mask]," for 'f' if matched, using 'label'. */
static void
format_field(struct ds *s, const struct ofp_match *m,
             const struct ofp_tlv_map *map, enum ofp_field_id id,
             const char *label)
{
    const struct ofp_field *f = ofp_field_from_id(id);
    union ofp_field_value v, mask;
    unsigned int n = ofp_field_n_bytes(f, map);
    bool exact;

    if (!field_is_matched(f, map, m)) {
        return;
    }
    ofp_field_get_value(f, map, &m->flow, &v);
    ofp_field_get_mask(f, map, &m->wc, &mask);
    exact = ofp_field_value_is_ones(&mask, n);
    ds_put_format(s, "%s=", label ? label : f->name);
    switch (f->format) {
    case OFPFF_ETHERNET:
        ds_put_format(s, ETH_ADDR_FMT, ETH_ADDR_ARGS(v.mac));
        if (!exact) {
            ds_put_format(s, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(mask.mac));
        }
        break;
    case OFPFF_IPV4:
    case OFPFF_IPV6: {
        struct ip_prefix p;
        int plen = 0;
        memset(&p, 0, sizeof p);
        p.family = f->format == OFPFF_IPV4 ? AF_INET : AF_INET6;
        memcpy(p.family == AF_INET ? (void *) &p.ip4 : (void *) &p.ip6,
               v.b, n);
        while (plen < (int) n * 8 && (mask.b[plen / 8] & (0x80 >> plen % 8))) {
            plen++;
        }
        p.plen = plen;
        for (int i = plen; i < (int) n * 8; i++) {
            if (mask.b[i / 8] & (0x80 >> i % 8)) {
                plen = -1;
                break;
            }
        }
        ip_prefix_format_addr(&p, s);
        if (plen < 0) {
            memcpy(p.family == AF_INET ? (void *) &p.ip4 : (void *) &p.ip6,
                   mask.b, n);
            ds_put_char(s, '/');
            ip_prefix_format_addr(&p, s);
        } else if (!exact) {
            ds_put_format(s, "/%d", plen);
        }
        break;
    }
    case OFPFF_OFP10_PORT:
        format_port(s, value_uint(&v, n));
        break;
    case OFPFF_OFP11_PORT: {
        uint32_t port = value_uint(&v, n);
        format_port(s, port >= 0xffffff00u ? port - 0xffff0000u : port);
        break;
    }
    case OFPFF_CT_STATE:
        format_flags(s, ct_state_names, 8, value_uint(&v, n),
                     value_uint(&mask, n));
        break;
    case OFPFF_TCP_FLAGS:
        format_flags(s, tcp_flag_names, 9, value_uint(&v, n),
                     value_uint(&mask, n) & 0x1ff);
        break;
    case OFPFF_TUN_FLAGS:
        format_flags(s, (const char *const[]) { "oam" }, 1,
                     value_uint(&v, n), value_uint(&mask, n));
        break;
    case OFPFF_FRAG: {
        /* Every value/mask pair gets a name, as ovs-ofctl prints them:
         * bit 0 is "a fragment", bit 1 "a later fragment" (which implies
         * bit 0; the one impossible pair prints "<error>" like OVS). */
        static const char *const by_mask[4][4] = {
            [1] = { "no", "yes", "no", "yes" },
            [2] = { "not_later", "not_later", "later", "later" },
            [3] = { "no", "first", "<error>", "later" },
        };
        uint8_t fm = mask.b[0] & 3;
        ds_put_cstr(s, fm ? by_mask[fm][v.b[0] & fm] : "no");
        break;
    }
    case OFPFF_PACKET_TYPE: {
        uint32_t pt = value_uint(&v, n);
        ds_put_format(s, "(%u,%#x)", pt >> 16, pt & 0xffff);
        break;
    }
    case OFPFF_DECIMAL:
        if (exact) {
            ds_put_format(s, "%"PRIu64, value_uint(&v, n));
            break;
        }
        /* fall through */
    case OFPFF_HEX:
        if (id == OFPF_IPV6_LABEL) {
            ds_put_format(s, "0x%05"PRIx64, value_uint(&v, n));
            if (!exact) {
                ds_put_format(s, "/0x%05"PRIx64, value_uint(&mask, n));
            }
            break;
        }
        format_hex(s, &v, n, true);
        if (!exact) {
            ds_put_char(s, '/');
            format_hex(s, &mask, n, false);
        }
        break;
    }
    ds_put_char(s, ',');
}

/* Appends 'm' as ovs-ofctl prints it; 'megaflow': as ovs-appctl
 * ofproto/trace prints a "Megaflow:" line, where a packet without a VLAN
 * tag carries no VLAN in its datapath key, so a match on "untagged"
 * (a vlan_tci value without the CFI bit) is left out. */
static void
match_format(const struct ofp_match *m, const struct ofp_tlv_map *map,
             bool megaflow, struct ds *s)
{
    const struct flow *f = &m->flow, *w = &m->wc.masks;
    size_t start = s->length;
    const struct shorthand *sh = NULL;
    bool is_ip, is_ipv6, is_arp;
    uint16_t tci = be16_to_host(f->vlans[0].tci);
    uint16_t tci_m = be16_to_host(w->vlans[0].tci);

    static const enum ofp_field_id head[] = {
        OFPF_SKB_PRIORITY, OFPF_PKT_MARK, OFPF_RECIRC_ID, OFPF_DP_HASH,
        OFPF_CONJ_ID, OFPF_CT_STATE, OFPF_CT_ZONE, OFPF_CT_MARK,
        OFPF_CT_LABEL, OFPF_CT_NW_SRC, OFPF_CT_NW_DST, OFPF_CT_IPV6_SRC,
        OFPF_CT_IPV6_DST, OFPF_CT_NW_PROTO, OFPF_CT_TP_SRC, OFPF_CT_TP_DST,
        OFPF_ACTSET_OUTPUT, OFPF_PACKET_TYPE,
    };
    for (size_t i = 0; i < ARRAY_SIZE(head); i++) {
        format_field(s, m, map, head[i], NULL);
    }
    if (w->dl_type == htonbe16(0xffff)) {
        for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
            const struct shorthand *c = &shorthands[i];
            if (f->dl_type == htonbe16(c->dl_type)
                && (c->nw_proto < 0
                    ? !w->nw_proto || (c->dl_type != 0x0800
                                       && c->dl_type != 0x86dd)
                    : w->nw_proto == 0xff && f->nw_proto == c->nw_proto)) {
                sh = c;
                break;
            }
        }
    }
    if (sh) {
        ds_put_format(s, "%s,", sh->name);
    }
    for (int i = 0; i < FLOW_N_REGS; i++) {
        format_field(s, m, map, OFPF_REG0 + i, NULL);
    }
    for (int id = OFPF_TUN_ID; id <= OFPF_TUN_METADATA63; id++) {
        format_field(s, m, map, id, NULL);
    }
    format_field(s, m, map, OFPF_METADATA, NULL);
    format_field(s, m, map, OFPF_IN_PORT, NULL);
    if ((tci_m == 0xffff || tci_m == 0x1fff || tci_m == 0xf000
         || tci_m == 0xefff) && (tci & VLAN_CFI)) {
        if (tci_m & 0x0fff) {
            ds_put_format(s, "dl_vlan=%u,", tci & VLAN_VID_MASK);
        }
        if (tci_m & 0xe000) {
            ds_put_format(s, "dl_vlan_pcp=%u,", tci >> VLAN_PCP_SHIFT);
        }
    } else if (!tci_m || (megaflow && !(tci & VLAN_CFI))) {
        /* No VLAN match, or an untagged megaflow. */
    } else if (tci_m == 0xffff) {
        ds_put_format(s, "vlan_tci=0x%04x,", tci);
    } else {
        ds_put_format(s, "vlan_tci=0x%04x/0x%04x,", tci, tci_m);
    }
    format_field(s, m, map, OFPF_ETH_SRC, "dl_src");
    format_field(s, m, map, OFPF_ETH_DST, "dl_dst");
    if (!sh && w->dl_type) {
        ds_put_format(s, "dl_type=0x%04x,", be16_to_host(f->dl_type));
    }
    if (w->dl_type && (f->dl_type == htonbe16(0x8847)
                       || f->dl_type == htonbe16(0x8848))) {
        format_field(s, m, map, OFPF_MPLS_LABEL, NULL);
        format_field(s, m, map, OFPF_MPLS_TC, NULL);
        format_field(s, m, map, OFPF_MPLS_TTL, NULL);
        format_field(s, m, map, OFPF_MPLS_BOS, NULL);
    }
    is_ip = w->dl_type && f->dl_type == htonbe16(0x0800);
    is_ipv6 = w->dl_type && f->dl_type == htonbe16(0x86dd);
    is_arp = w->dl_type && (f->dl_type == htonbe16(0x0806)
                            || f->dl_type == htonbe16(0x8035));
    if (is_ipv6) {
        format_field(s, m, map, OFPF_IPV6_SRC, NULL);
        format_field(s, m, map, OFPF_IPV6_DST, NULL);
        format_field(s, m, map, OFPF_IPV6_LABEL, NULL);
        format_field(s, m, map, OFPF_IPV6_EXTHDR, NULL);
    }
    if (is_arp) {
        format_field(s, m, map, OFPF_ARP_SPA, NULL);
        format_field(s, m, map, OFPF_ARP_TPA, NULL);
        format_field(s, m, map, OFPF_ARP_OP, NULL);
        format_field(s, m, map, OFPF_ARP_SHA, NULL);
        format_field(s, m, map, OFPF_ARP_THA, NULL);
    } else {
        format_field(s, m, map, OFPF_IPV4_SRC, "nw_src");
        format_field(s, m, map, OFPF_IPV4_DST, "nw_dst");
        if (!sh || sh->nw_proto < 0) {
            format_field(s, m, map, OFPF_IP_PROTO, NULL);
        }
    }
    if (is_ip || is_ipv6) {
        format_field(s, m, map, OFPF_IP_TOS, NULL);
        format_field(s, m, map, OFPF_IP_ECN, NULL);
        format_field(s, m, map, OFPF_IP_TTL, NULL);
        format_field(s, m, map, OFPF_IP_FRAG, "nw_frag");
        if (w->nw_proto && (f->nw_proto == 1 || f->nw_proto == 58)) {
            bool v6 = f->nw_proto == 58;
            format_field(s, m, map, v6 ? OFPF_ICMPV6_TYPE : OFPF_ICMPV4_TYPE,
                         "icmp_type");
            format_field(s, m, map, v6 ? OFPF_ICMPV6_CODE : OFPF_ICMPV4_CODE,
                         "icmp_code");
            format_field(s, m, map, OFPF_ND_TARGET, NULL);
            format_field(s, m, map, OFPF_ND_SLL, NULL);
            format_field(s, m, map, OFPF_ND_TLL, NULL);
            format_field(s, m, map, OFPF_ND_RESERVED, NULL);
            format_field(s, m, map, OFPF_ND_OPTIONS_TYPE, NULL);
        } else {
            format_field(s, m, map, OFPF_TCP_SRC, "tp_src");
            format_field(s, m, map, OFPF_TCP_DST, "tp_dst");
            if (w->nw_proto && f->nw_proto == 6) {
                format_field(s, m, map, OFPF_TCP_FLAGS, NULL);
            }
        }
    }
    if (s->length > start) {
        ds_truncate(s, s->length - 1);
    }
}

/* Appends 'm' as ovs-ofctl prints it. */
void
ofp_match_format(const struct ofp_match *m, const struct ofp_tlv_map *map,
                 struct ds *s)
{
    match_format(m, map, false, s);
}

/* Appends 'm' as the match of an ovs-appctl ofproto/trace "Megaflow:"
 * line (after its "recirc_id=N,eth," prefix, which the caller writes). */
void
ofp_match_format_megaflow(const struct ofp_match *m,
                          const struct ofp_tlv_map *map, struct ds *s)
{
    match_format(m, map, true, s);
}
