/* OpenFlow actions: the Nicira vendor actions (experimenter 0x00002320,
 * NXAST_* subtypes), decoded into and encoded from ofpacts.  Layouts are
 * those ovs-actions(7) describes and Debian's ovs-ofctl 3.1 sends (see
 * tests/unit/test-ofp-actions.c for captured bytes).  Every Nicira action
 * starts with type 0xffff, length, vendor and a 16-bit subtype (10
 * bytes); offsets below count from the start of the action. */
#include "openflow/ofp-actions.h"

#include <string.h>
#include <sys/socket.h>

#include "lib/util.h"
#include "openflow/ofp-actions-private.h"
#include "openflow/ofpbuf.h"

/* NXAST_* subtypes. */
enum {
    NXAST_RESUBMIT = 1, NXAST_SET_TUNNEL = 2, NXAST_SET_QUEUE = 4,
    NXAST_POP_QUEUE = 5, NXAST_REG_MOVE = 6, NXAST_REG_LOAD = 7,
    NXAST_NOTE = 8, NXAST_SET_TUNNEL64 = 9, NXAST_MULTIPATH = 10,
    NXAST_RESUBMIT_TABLE = 14, NXAST_OUTPUT_REG = 15, NXAST_LEARN = 16,
    NXAST_EXIT = 17, NXAST_DEC_TTL = 18, NXAST_FIN_TIMEOUT = 19,
    NXAST_CONTROLLER = 20, NXAST_DEC_TTL_CNT_IDS = 21,
    NXAST_WRITE_METADATA = 22, NXAST_PUSH_MPLS = 23,
    NXAST_POP_MPLS = 24, NXAST_SET_MPLS_TTL = 25,
    NXAST_DEC_MPLS_TTL = 26, NXAST_OUTPUT_REG2 = 32, NXAST_REG_LOAD2 = 33,
    NXAST_CONJUNCTION = 34, NXAST_CT = 35, NXAST_NAT = 36,
    NXAST_CONTROLLER2 = 37, NXAST_CLONE = 42, NXAST_CT_CLEAR = 43,
    NXAST_RESUBMIT_TABLE_CT = 44, NXAST_CHECK_PKT_LARGER = 49,
    NXAST_GROUP = 40,
};

/* NXAST_CONTROLLER2 property types. */
enum {
    NXAC2PT_MAX_LEN = 0, NXAC2PT_CONTROLLER_ID = 1, NXAC2PT_REASON = 2,
    NXAC2PT_USERDATA = 3, NXAC2PT_PAUSE = 4, NXAC2PT_METER_ID = 5,
};

/* NXAST_NAT range_present bits. */
enum {
    NX_NAT_RANGE_IPV4_MIN = 1, NX_NAT_RANGE_IPV4_MAX = 2,
    NX_NAT_RANGE_IPV6_MIN = 4, NX_NAT_RANGE_IPV6_MAX = 8,
    NX_NAT_RANGE_PROTO_MIN = 16, NX_NAT_RANGE_PROTO_MAX = 32,
};

/* Fixed lengths per subtype (0: variable, checked by the decoder). */
static const uint8_t nx_lens[] = {
    [NXAST_RESUBMIT] = 16, [NXAST_SET_TUNNEL] = 16, [NXAST_SET_QUEUE] = 16,
    [NXAST_POP_QUEUE] = 16, [NXAST_REG_LOAD] = 24, [NXAST_SET_TUNNEL64] = 24,
    [NXAST_MULTIPATH] = 32, [NXAST_RESUBMIT_TABLE] = 16,
    [NXAST_OUTPUT_REG] = 24, [NXAST_EXIT] = 16, [NXAST_DEC_TTL] = 16,
    [NXAST_FIN_TIMEOUT] = 16, [NXAST_CONTROLLER] = 16,
    [NXAST_WRITE_METADATA] = 32, [NXAST_SET_MPLS_TTL] = 16,
    [NXAST_DEC_MPLS_TTL] = 16, [NXAST_CONJUNCTION] = 16,
    [NXAST_PUSH_MPLS] = 16, [NXAST_POP_MPLS] = 16,
    [NXAST_CT_CLEAR] = 16, [NXAST_RESUBMIT_TABLE_CT] = 16,
    [NXAST_CHECK_PKT_LARGER] = 24, [NXAST_GROUP] = 16,
};

/* "ofs_nbits": offset in the high 10 bits, n_bits - 1 in the low 6. */
static struct ofp_subfield
subfield_from_ofs_nbits(const struct ofp_field *f, uint16_t ofs_nbits)
{
    return (struct ofp_subfield) { f, ofs_nbits >> 6, (ofs_nbits & 63) + 1 };
}

static uint16_t
ofs_nbits(const struct ofp_subfield *sf)
{
    return sf->ofs << 6 | (sf->n_bits - 1);
}

/* Reads a field header at offset 'ofs' of the action for a subfield and
 * checks that the rest of the action is zero. */
static enum ofperr
pull_sf_header(const uint8_t *p, size_t len, size_t ofs,
               const struct ofp_field **f)
{
    const uint8_t *q = p + ofs;
    size_t left = len - ofs;
    unsigned int l;
    bool hm;

    if (!ofpacts__pull_header(&q, &left, f, &hm, &l)) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    if (!*f || hm) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    return ofpacts__is_zero(q, left) ? 0 : OFPERR_OFPBAC_BAD_ARGUMENT;
}

static enum ofperr
decode_reg_move(const uint8_t *p, size_t len, const struct ofp_tlv_map *map,
                struct ofpbuf *ofpacts)
{
    const struct ofp_field *src, *dst;
    const uint8_t *q = p + 16;
    size_t left;
    unsigned int l;
    bool hm;
    struct ofpact_reg_move *m;

    if (len < 24) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    left = len - 16;
    if (!ofpacts__pull_header(&q, &left, &src, &hm, &l)
        || !ofpacts__pull_header(&q, &left, &dst, &hm, &l)) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    if (!ofpacts__is_zero(q, left)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    m = ofpact_put(ofpacts, OFPACT_REG_MOVE, sizeof *m);
    m->src = (struct ofp_subfield) { src, ofpa_get16(p + 12),
                                     ofpa_get16(p + 10) };
    m->dst = (struct ofp_subfield) { dst, ofpa_get16(p + 14),
                                     ofpa_get16(p + 10) };
    return ofpacts__subfield_ok(&m->src, map, false)
           && ofpacts__subfield_ok(&m->dst, map, true)
           ? 0 : OFPERR_OFPBAC_BAD_ARGUMENT;
}

static enum ofperr
decode_reg_load(const uint8_t *p, const struct ofp_tlv_map *map,
                struct ofpbuf *ofpacts)
{
    const struct ofp_field *f;
    struct ofp_subfield sf;
    union ofp_field_value value, mask, imm;
    uint64_t x = ofpa_get64(p + 16);
    enum ofperr err = pull_sf_header(p, 16, 12, &f);
    unsigned int n;

    if (err) {
        return err;
    }
    sf = subfield_from_ofs_nbits(f, ofpa_get16(p + 10));
    if (!ofpacts__subfield_ok(&sf, map, true)
        || (sf.n_bits < 64 && x >> sf.n_bits)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    n = ofp_field_n_bytes(f, map);
    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    memset(&imm, 0, sizeof imm);
    for (int i = 0; i < 8; i++) {
        imm.b[7 - i] = x >> (8 * i);
    }
    ofpacts__bits_copy(imm.b, 8, 0, value.b, n, sf.ofs, sf.n_bits);
    for (unsigned int i = 0; i < sf.n_bits; i++) {
        ofpacts__bit_set(mask.b, n, sf.ofs + i, true);
    }
    if (!ofp_field_is_valid_value(f, &value)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    ofpacts__put_set_field(ofpacts, f, &value, &mask, true);
    return 0;
}

static enum ofperr
decode_reg_load2(const uint8_t *p, size_t len, const struct ofp_tlv_map *map,
                 struct ofpbuf *ofpacts)
{
    const uint8_t *q = p + 10;
    size_t left = len - 10;
    const struct ofp_field *f;
    union ofp_field_value value, mask;
    unsigned int l, n;
    bool hm;

    if (!ofpacts__pull_header(&q, &left, &f, &hm, &l)) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    if (!f || !f->writable) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    n = ofp_field_n_bytes(f, map);
    if (!n || l != (hm ? 2 * n : n) || l > left
        || !ofpacts__is_zero(q + l, left - l)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    memcpy(value.b, q, n);
    if (hm) {
        memcpy(mask.b, q + n, n);
    } else {
        memset(mask.b, 0xff, n);
    }
    if (!ofp_field_is_valid_value(f, &value)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    ofpacts__put_set_field(ofpacts, f, &value, &mask, false);
    return 0;
}

static enum ofperr
decode_note(const uint8_t *p, size_t len, struct ofpbuf *ofpacts)
{
    size_t ofs = ofpacts__start(ofpacts, OFPACT_NOTE,
                                offsetof(struct ofpact_note, data));
    ofpbuf_put(ofpacts, p + 10, len - 10);
    OFPACT_CAST(note, ofpbuf_at(ofpacts, ofs))->length = len - 10;
    return ofpact_finish(ofpacts, ofs) ? 0 : OFPERR_OFPBAC_BAD_LEN;
}

static enum ofperr
decode_multipath(const uint8_t *p, const struct ofp_tlv_map *map,
                 struct ofpbuf *ofpacts)
{
    struct ofpact_multipath *mp;
    const struct ofp_field *f;
    enum ofperr err = pull_sf_header(p, 32, 28, &f);

    if (err) {
        return err;
    }
    mp = ofpact_put(ofpacts, OFPACT_MULTIPATH, sizeof *mp);
    mp->fields = ofpa_get16(p + 10);
    mp->basis = ofpa_get16(p + 12);
    mp->algorithm = ofpa_get16(p + 16);
    mp->max_link = ofpa_get16(p + 18);
    mp->arg = ofpa_get32(p + 20);
    mp->dst = subfield_from_ofs_nbits(f, ofpa_get16(p + 26));
    if (mp->fields > 6 || mp->algorithm > 3
        || !ofpacts__subfield_ok(&mp->dst, map, true)
        || (mp->dst.n_bits < 16
            && mp->max_link >= (1u << mp->dst.n_bits))) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    return 0;
}

static enum ofperr
decode_output_reg(const uint8_t *p, size_t len, uint16_t subtype,
                  const struct ofp_tlv_map *map, struct ofpbuf *ofpacts)
{
    struct ofpact_output_reg *o;
    const struct ofp_field *f;
    enum ofperr err;
    uint16_t max_len;

    if (subtype == NXAST_OUTPUT_REG) {
        if (!ofpacts__is_zero(p + 18, 6)) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        err = pull_sf_header(p, 16, 12, &f);
        max_len = ofpa_get16(p + 16);
    } else {
        if (len < 24) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        err = pull_sf_header(p, len, 14, &f);
        max_len = ofpa_get16(p + 12);
    }
    if (err) {
        return err;
    }
    o = ofpact_put(ofpacts, OFPACT_OUTPUT_REG, sizeof *o);
    o->src = subfield_from_ofs_nbits(f, ofpa_get16(p + 10));
    o->max_len = max_len;
    return ofpacts__subfield_ok(&o->src, map, false)
           ? 0 : OFPERR_OFPBAC_BAD_ARGUMENT;
}

/* One learn spec's field reference: header and 16-bit offset. */
static bool
pull_learn_sf(const uint8_t **q, size_t *left, uint16_t n_bits,
              struct ofp_subfield *sf)
{
    const struct ofp_field *f;
    unsigned int l;
    bool hm;

    if (!ofpacts__pull_header(q, left, &f, &hm, &l) || *left < 2) {
        return false;
    }
    *sf = (struct ofp_subfield) { f, ofpa_get16(*q), n_bits };
    *q += 2;
    *left -= 2;
    return true;
}

static enum ofperr
decode_learn(const uint8_t *p, size_t len, const struct ofp_tlv_map *map,
             struct ofpbuf *ofpacts)
{
    size_t ofs = ofpacts__start(ofpacts, OFPACT_LEARN,
                                offsetof(struct ofpact_learn, specs));
    const uint8_t *q = p + 32;
    size_t left = len - 32;
    struct ofpact_learn *l;
    uint32_t n_specs = 0;

    if (len < 32) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    while (left >= 2) {
        uint16_t hdr = ofpa_get16(q);
        struct ofpact_learn_spec spec;

        if (!hdr) {
            break;
        }
        q += 2;
        left -= 2;
        memset(&spec, 0, sizeof spec);
        spec.n_bits = hdr & 0x7ff;
        spec.src_type = (hdr >> 13) & 1;
        spec.dst_type = (hdr >> 11) & 3;
        if ((hdr >> 14) || spec.dst_type > OFPACT_LEARN_DST_OUTPUT
            || !spec.n_bits
            || (spec.dst_type == OFPACT_LEARN_DST_OUTPUT
                && spec.src_type != OFPACT_LEARN_SRC_FIELD)) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        if (spec.src_type == OFPACT_LEARN_SRC_FIELD) {
            if (!pull_learn_sf(&q, &left, spec.n_bits, &spec.src)) {
                return OFPERR_OFPBAC_BAD_LEN;
            }
            if (!ofpacts__subfield_ok(&spec.src, map, false)) {
                return OFPERR_OFPBAC_BAD_ARGUMENT;
            }
        } else {
            size_t k = (spec.n_bits + 15) / 16 * 2;
            if (left < k || k > sizeof spec.src_imm.b) {
                return OFPERR_OFPBAC_BAD_LEN;
            }
            memcpy(spec.src_imm.b, q, k);
            q += k;
            left -= k;
        }
        if (spec.dst_type != OFPACT_LEARN_DST_OUTPUT) {
            if (!pull_learn_sf(&q, &left, spec.n_bits, &spec.dst)) {
                return OFPERR_OFPBAC_BAD_LEN;
            }
            if (!ofpacts__subfield_ok(&spec.dst, map,
                                      spec.dst_type
                                      == OFPACT_LEARN_DST_LOAD)) {
                return OFPERR_OFPBAC_BAD_ARGUMENT;
            }
        }
        ofpbuf_put(ofpacts, &spec, sizeof spec);
        n_specs++;
    }
    if (!ofpacts__is_zero(q, left)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    l = ofpbuf_at(ofpacts, ofs);
    l->idle_timeout = ofpa_get16(p + 10);
    l->hard_timeout = ofpa_get16(p + 12);
    l->priority = ofpa_get16(p + 14);
    l->cookie = ofpa_get64(p + 16);
    l->flags = ofpa_get16(p + 24);
    l->table_id = p[26];
    l->fin_idle_timeout = ofpa_get16(p + 28);
    l->fin_hard_timeout = ofpa_get16(p + 30);
    l->n_specs = n_specs;
    if (l->flags & ~(OFPACT_LEARN_SEND_FLOW_REM | OFPACT_LEARN_DELETE_LEARNED)
        || l->table_id == 255) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    return ofpact_finish(ofpacts, ofs) ? 0 : OFPERR_OFPBAC_BAD_LEN;
}

static struct ofpact_controller *
controller_at(struct ofpbuf *ofpacts, size_t ofs)
{
    return ofpbuf_at(ofpacts, ofs);
}

static enum ofperr
decode_controller2(const uint8_t *p, size_t len, struct ofpbuf *ofpacts)
{
    size_t ofs = ofpacts__start(ofpacts, OFPACT_CONTROLLER,
                                offsetof(struct ofpact_controller, userdata));
    const uint8_t *q = p + 16;
    size_t left = len - 16;
    uint32_t seen = 0;

    controller_at(ofpacts, ofs)->max_len = UINT16_MAX;
    controller_at(ofpacts, ofs)->reason = OFPA_OFPR_ACTION;
    controller_at(ofpacts, ofs)->meter_id = OFPA_NO_METER;
    if (!ofpacts__is_zero(p + 10, 6)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    while (left) {
        uint16_t type, plen;
        size_t padded;

        if (left < 4) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        type = ofpa_get16(q);
        plen = ofpa_get16(q + 2);
        padded = (plen + 7u) & ~7u;
        if (plen < 4 || padded > left) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        if (type < 32 && seen & (1u << type)) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        seen |= type < 32 ? 1u << type : 0;
        switch (type) {
        case NXAC2PT_MAX_LEN:
        case NXAC2PT_CONTROLLER_ID:
            if (plen != 6) {
                return OFPERR_OFPBAC_BAD_LEN;
            }
            if (type == NXAC2PT_MAX_LEN) {
                controller_at(ofpacts, ofs)->max_len = ofpa_get16(q + 4);
            } else {
                controller_at(ofpacts, ofs)->controller_id
                    = ofpa_get16(q + 4);
            }
            break;
        case NXAC2PT_REASON:
            if (plen != 5) {
                return OFPERR_OFPBAC_BAD_LEN;
            }
            controller_at(ofpacts, ofs)->reason = q[4];
            break;
        case NXAC2PT_USERDATA:
            if (controller_at(ofpacts, ofs)->userdata_len) {
                return OFPERR_OFPBAC_BAD_ARGUMENT;
            }
            ofpbuf_put(ofpacts, q + 4, plen - 4);
            controller_at(ofpacts, ofs)->userdata_len = plen - 4;
            break;
        case NXAC2PT_PAUSE:
            if (plen != 4) {
                return OFPERR_OFPBAC_BAD_LEN;
            }
            controller_at(ofpacts, ofs)->pause = true;
            break;
        case NXAC2PT_METER_ID:
            if (plen != 8) {
                return OFPERR_OFPBAC_BAD_LEN;
            }
            controller_at(ofpacts, ofs)->meter_id = ofpa_get32(q + 4);
            break;
        default:
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        q += padded;
        left -= padded;
    }
    return ofpact_finish(ofpacts, ofs) ? 0 : OFPERR_OFPBAC_BAD_LEN;
}

static enum ofperr
decode_dec_ttl_cnt_ids(const uint8_t *p, size_t len, struct ofpbuf *ofpacts)
{
    uint16_t n = ofpa_get16(p + 10);
    size_t ofs;

    if (len != OFPACT_ALIGN(16 + 2 * (size_t) n)) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    ofs = ofpacts__start(ofpacts, OFPACT_DEC_TTL,
                         offsetof(struct ofpact_dec_ttl, ids));
    for (uint16_t i = 0; i < n; i++) {
        uint16_t id = ofpa_get16(p + 16 + 2 * i);
        ofpbuf_put(ofpacts, &id, sizeof id);
    }
    OFPACT_CAST(dec_ttl, ofpbuf_at(ofpacts, ofs))->n_ids = n;
    return ofpact_finish(ofpacts, ofs) ? 0 : OFPERR_OFPBAC_BAD_LEN;
}

static enum ofperr
decode_nat(const uint8_t *p, size_t len, struct ofpbuf *ofpacts)
{
    struct ofpact_nat *nat;
    uint16_t flags = ofpa_get16(p + 12), present = ofpa_get16(p + 14);
    const uint8_t *q = p + 16;
    size_t need = 16;

    if (len < 16) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    need += (present & NX_NAT_RANGE_IPV4_MIN ? 4 : 0)
            + (present & NX_NAT_RANGE_IPV4_MAX ? 4 : 0)
            + (present & NX_NAT_RANGE_IPV6_MIN ? 16 : 0)
            + (present & NX_NAT_RANGE_IPV6_MAX ? 16 : 0)
            + (present & NX_NAT_RANGE_PROTO_MIN ? 2 : 0)
            + (present & NX_NAT_RANGE_PROTO_MAX ? 2 : 0);
    if (need > len) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    if (flags & ~0x1f || present & ~0x3f
        || ((flags & OFPACT_NAT_SRC) && (flags & OFPACT_NAT_DST))
        || ((flags & OFPACT_NAT_HASH) && (flags & OFPACT_NAT_RANDOM))
        || (present & 0x3 && present & 0xc)
        || (present & NX_NAT_RANGE_IPV4_MAX
            && !(present & NX_NAT_RANGE_IPV4_MIN))
        || (present & NX_NAT_RANGE_IPV6_MAX
            && !(present & NX_NAT_RANGE_IPV6_MIN))
        || (present & NX_NAT_RANGE_PROTO_MAX
            && !(present & NX_NAT_RANGE_PROTO_MIN))
        || (present && !(flags & (OFPACT_NAT_SRC | OFPACT_NAT_DST)))) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    nat = ofpact_put(ofpacts, OFPACT_NAT, sizeof *nat);
    nat->flags = flags;
    if (present & NX_NAT_RANGE_IPV4_MIN) {
        nat->family = AF_INET;
        memcpy(&nat->addr_min, q, 4);
        q += 4;
        nat->addr_max = nat->addr_min;
        if (present & NX_NAT_RANGE_IPV4_MAX) {
            memcpy(&nat->addr_max, q, 4);
            q += 4;
        }
    }
    if (present & NX_NAT_RANGE_IPV6_MIN) {
        nat->family = AF_INET6;
        memcpy(&nat->addr_min, q, 16);
        q += 16;
        nat->addr_max = nat->addr_min;
        if (present & NX_NAT_RANGE_IPV6_MAX) {
            memcpy(&nat->addr_max, q, 16);
            q += 16;
        }
    }
    if (present & NX_NAT_RANGE_PROTO_MIN) {
        nat->port_min = ofpa_get16(q);
        q += 2;
        if (present & NX_NAT_RANGE_PROTO_MAX) {
            nat->port_max = ofpa_get16(q);
            q += 2;
        }
    }
    return 0;
}

static enum ofperr
decode_ct(const uint8_t *p, size_t len, uint8_t version,
          const struct ofp_tlv_map *map, struct ofpbuf *ofpacts,
          unsigned int depth)
{
    size_t ofs;
    struct ofpact_ct *ct;
    uint32_t zone_hdr;
    enum ofperr err;

    if (len < 24) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    ofs = ofpacts__start(ofpacts, OFPACT_CT, sizeof(struct ofpact_ct));
    ct = ofpbuf_at(ofpacts, ofs);
    ct->flags = ofpa_get16(p + 10);
    zone_hdr = ofpa_get32(p + 12);
    if (zone_hdr) {
        const struct ofp_field *f;
        const uint8_t *q = p + 12;
        size_t left = 4;
        unsigned int l;
        bool hm;

        if (!ofpacts__pull_header(&q, &left, &f, &hm, &l) || !f) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        ct->zone_src = subfield_from_ofs_nbits(f, ofpa_get16(p + 16));
        if (!ofpacts__subfield_ok(&ct->zone_src, map, false)
            || ct->zone_src.n_bits != 16) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
    } else {
        ct->zone_imm = ofpa_get16(p + 16);
    }
    ct->recirc_table = p[18];
    ct->alg = ofpa_get16(p + 22);
    if (ct->flags & ~(OFPACT_CT_COMMIT | OFPACT_CT_FORCE)
        || ((ct->flags & OFPACT_CT_FORCE)
            && !(ct->flags & OFPACT_CT_COMMIT))) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    err = ofpacts__decode_actions(p + 24, len - 24, version, map, ofpacts,
                                  depth + 1);
    if (err) {
        return err;
    }
    return ofpact_finish(ofpacts, ofs) ? 0 : OFPERR_OFPBAC_BAD_LEN;
}

static enum ofperr
decode_clone(const uint8_t *p, size_t len, uint8_t version,
             const struct ofp_tlv_map *map, struct ofpbuf *ofpacts,
             unsigned int depth)
{
    size_t ofs = ofpacts__start(ofpacts, OFPACT_CLONE,
                                sizeof(struct ofpact_nest));
    enum ofperr err;

    if (!ofpacts__is_zero(p + 10, 6)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    err = ofpacts__decode_actions(p + 16, len - 16, version, map, ofpacts,
                                  depth + 1);
    if (err) {
        return err;
    }
    return ofpact_finish(ofpacts, ofs) ? 0 : OFPERR_OFPBAC_BAD_LEN;
}

/* Decodes one Nicira action of 'len' bytes at 'p'.  On error the caller
 * truncates 'ofpacts'. */
enum ofperr
ofpacts__decode_nx(const uint8_t *p, size_t len, uint8_t version,
                   const struct ofp_tlv_map *map, struct ofpbuf *ofpacts,
                   unsigned int depth)
{
    uint16_t subtype = ofpa_get16(p + 8);

    if (subtype < ARRAY_SIZE(nx_lens) && nx_lens[subtype]
        && len != nx_lens[subtype]) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    switch (subtype) {
    case NXAST_RESUBMIT:
    case NXAST_RESUBMIT_TABLE:
    case NXAST_RESUBMIT_TABLE_CT: {
        struct ofpact_resubmit *r;
        if (subtype != NXAST_RESUBMIT && !ofpacts__is_zero(p + 13, 3)) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        r = ofpact_put(ofpacts, OFPACT_RESUBMIT, sizeof *r);
        r->in_port = ofpa_get16(p + 10);
        r->table_id = subtype == NXAST_RESUBMIT ? 255 : p[12];
        r->with_ct_orig = subtype == NXAST_RESUBMIT_TABLE_CT;
        return 0;
    }
    case NXAST_SET_TUNNEL:
    case NXAST_SET_TUNNEL64: {
        struct ofpact_tunnel *t = ofpact_put(ofpacts, OFPACT_SET_TUNNEL,
                                             sizeof *t);
        t->tun64 = subtype == NXAST_SET_TUNNEL64;
        t->tun_id = t->tun64 ? ofpa_get64(p + 16) : ofpa_get32(p + 12);
        return 0;
    }
    case NXAST_SET_QUEUE:
        OFPACT_CAST(u32, ofpact_put(ofpacts, OFPACT_SET_QUEUE,
                                    sizeof(struct ofpact_u32)))
            ->value = ofpa_get32(p + 12);
        return 0;
    case NXAST_POP_QUEUE:
    case NXAST_EXIT:
    case NXAST_CT_CLEAR:
    case NXAST_DEC_MPLS_TTL:
        ofpact_put(ofpacts, (subtype == NXAST_POP_QUEUE ? OFPACT_POP_QUEUE
                             : subtype == NXAST_EXIT ? OFPACT_EXIT
                             : subtype == NXAST_CT_CLEAR ? OFPACT_CT_CLEAR
                             : OFPACT_DEC_MPLS_TTL), sizeof(struct ofpact));
        return 0;
    case NXAST_DEC_TTL: {
        size_t ofs = ofpacts__start(ofpacts, OFPACT_DEC_TTL,
                                    offsetof(struct ofpact_dec_ttl, ids));
        OFPACT_CAST(dec_ttl, ofpbuf_at(ofpacts, ofs))->n_ids = 0;
        return ofpact_finish(ofpacts, ofs) ? 0 : OFPERR_OFPBAC_BAD_LEN;
    }
    case NXAST_REG_MOVE:
        return decode_reg_move(p, len, map, ofpacts);
    case NXAST_REG_LOAD:
        return decode_reg_load(p, map, ofpacts);
    case NXAST_REG_LOAD2:
        return decode_reg_load2(p, len, map, ofpacts);
    case NXAST_NOTE:
        return decode_note(p, len, ofpacts);
    case NXAST_MULTIPATH:
        return decode_multipath(p, map, ofpacts);
    case NXAST_OUTPUT_REG:
    case NXAST_OUTPUT_REG2:
        return decode_output_reg(p, len, subtype, map, ofpacts);
    case NXAST_LEARN:
        return decode_learn(p, len, map, ofpacts);
    case NXAST_FIN_TIMEOUT: {
        struct ofpact_fin_timeout *ft = ofpact_put(
            ofpacts, OFPACT_FIN_TIMEOUT, sizeof *ft);
        ft->idle_timeout = ofpa_get16(p + 10);
        ft->hard_timeout = ofpa_get16(p + 12);
        return 0;
    }
    case NXAST_CONTROLLER: {
        struct ofpact_controller *c = ofpact_put(ofpacts, OFPACT_CONTROLLER,
                                                 sizeof *c);
        c->max_len = ofpa_get16(p + 10);
        c->controller_id = ofpa_get16(p + 12);
        c->reason = p[14];
        c->meter_id = OFPA_NO_METER;
        return 0;
    }
    case NXAST_CONTROLLER2:
        return decode_controller2(p, len, ofpacts);
    case NXAST_DEC_TTL_CNT_IDS:
        return decode_dec_ttl_cnt_ids(p, len, ofpacts);
    case NXAST_WRITE_METADATA: {
        struct ofpact_metadata *md;
        if (!ofpacts__is_zero(p + 10, 6)) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        md = ofpact_put(ofpacts, OFPACT_WRITE_METADATA, sizeof *md);
        md->metadata = ofpa_get64(p + 16);
        md->mask = ofpa_get64(p + 24);
        return md->metadata & ~md->mask ? OFPERR_OFPBAC_BAD_ARGUMENT : 0;
    }
    case NXAST_PUSH_MPLS:
    case NXAST_POP_MPLS: {
        uint16_t et = ofpa_get16(p + 10);
        if (subtype == NXAST_PUSH_MPLS && et != 0x8847 && et != 0x8848) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        OFPACT_CAST(u16, ofpact_put(ofpacts, subtype == NXAST_PUSH_MPLS
                                    ? OFPACT_PUSH_MPLS : OFPACT_POP_MPLS,
                                    sizeof(struct ofpact_u16)))->value = et;
        return 0;
    }
    case NXAST_SET_MPLS_TTL:
        OFPACT_CAST(u8, ofpact_put(ofpacts, OFPACT_SET_MPLS_TTL,
                                   sizeof(struct ofpact_u8)))->value = p[10];
        return 0;
    case NXAST_CONJUNCTION: {
        struct ofpact_conjunction *c;
        if (p[11] < 2 || p[11] > 64 || p[10] >= p[11]) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        c = ofpact_put(ofpacts, OFPACT_CONJUNCTION, sizeof *c);
        c->clause = p[10];
        c->n_clauses = p[11];
        c->id = ofpa_get32(p + 12);
        return 0;
    }
    case NXAST_CT:
        return decode_ct(p, len, version, map, ofpacts, depth);
    case NXAST_NAT:
        return decode_nat(p, len, ofpacts);
    case NXAST_CLONE:
        return decode_clone(p, len, version, map, ofpacts, depth);
    case NXAST_GROUP:
        if (!ofpacts__is_zero(p + 10, 2)) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        OFPACT_CAST(group, ofpact_put(ofpacts, OFPACT_GROUP,
                                      sizeof(struct ofpact_group)))
            ->group_id = ofpa_get32(p + 12);
        return 0;
    case NXAST_CHECK_PKT_LARGER: {
        struct ofpact_check_pkt_larger *c;
        const struct ofp_field *f;
        enum ofperr err = pull_sf_header(p, 24, 14, &f);
        if (err) {
            return err;
        }
        c = ofpact_put(ofpacts, OFPACT_CHECK_PKT_LARGER, sizeof *c);
        c->pkt_len = ofpa_get16(p + 10);
        c->dst = (struct ofp_subfield) { f, ofpa_get16(p + 12), 1 };
        return ofpacts__subfield_ok(&c->dst, map, true)
               ? 0 : OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    default:
        return OFPERR_OFPBAC_BAD_EXP_TYPE;
    }
}

/* ---- Encoding. ---- */

/* Starts a Nicira action; returns its offset in 'out'. */
static size_t
nx_start(struct ofpbuf *out, uint16_t subtype)
{
    size_t start = out->size;
    ofpbuf_put_be16(out, 0xffff);
    ofpbuf_put_be16(out, 0);
    ofpbuf_put_be32(out, OFPA_NX_VENDOR);
    ofpbuf_put_be16(out, subtype);
    return start;
}

/* Pads the action at 'start' to 8 bytes (at least 'min') and sets its
 * length. */
static void
nx_finish(struct ofpbuf *out, size_t start, size_t min)
{
    if (out->size - start < min) {
        ofpbuf_put_zeros(out, min - (out->size - start));
    }
    ofpbuf_pad_to(out, 8, start);
    ofpbuf_set_be16(out, start + 2, out->size - start);
}

static void
nx_simple(struct ofpbuf *out, uint16_t subtype)
{
    nx_finish(out, nx_start(out, subtype), 16);
}

static void
put_sf_header(struct ofpbuf *out, const struct ofp_subfield *sf,
              uint8_t version, const struct ofp_tlv_map *map)
{
    ofpacts__put_header(out, sf->field, version, true, false,
                        ofp_field_n_bytes(sf->field, map));
}

/* Whether 'f' gets a 4-byte header in Nicira actions. */
static bool
has_short_header(const struct ofp_field *f)
{
    uint64_t cp = f->nxm ? f->nxm : f->oxm ? f->oxm : f->oxm13;
    return OFP_HDR_CLASS(cp) != 0xffff;
}

void
ofpacts__encode_reg_load(const struct ofpact_set_field *sf, uint8_t version,
                         const struct ofp_tlv_map *map, struct ofpbuf *out)
{
    unsigned int n = ofp_field_n_bytes(sf->field, map);
    unsigned int bit = 0, width = n * 8;

    if (sf->field->kind != OFPFK_TUN_METADATA
        && sf->field->n_bits < width) {
        width = sf->field->n_bits;
    }

    if (!has_short_header(sf->field)
        || sf->field->kind == OFPFK_TUN_METADATA) {
        bool masked = !ofp_field_value_is_ones(&sf->mask, n);
        size_t start = nx_start(out, NXAST_REG_LOAD2);
        ofpacts__put_header(out, sf->field, version, true, masked,
                            masked ? 2 * n : n);
        ofpbuf_put(out, sf->value.b, n);
        if (masked) {
            ofpbuf_put(out, sf->mask.b, n);
        }
        nx_finish(out, start, 16);
        return;
    }
    /* One NXAST_REG_LOAD per run of mask bits, at most 64 bits each,
     * least significant first. */
    while (bit < width) {
        unsigned int end;
        union ofp_field_value v;
        struct ofp_subfield dst;
        size_t start;
        uint64_t x = 0;

        if (!ofpacts__bit_get(sf->mask.b, n, bit)) {
            bit++;
            continue;
        }
        end = bit;
        while (end < width && end - bit < 64
               && ofpacts__bit_get(sf->mask.b, n, end)) {
            end++;
        }
        memset(&v, 0, sizeof v);
        ofpacts__bits_copy(sf->value.b, n, bit, v.b, 8, 0, end - bit);
        for (int i = 0; i < 8; i++) {
            x = x << 8 | v.b[i];
        }
        dst = (struct ofp_subfield) { sf->field, bit, end - bit };
        start = nx_start(out, NXAST_REG_LOAD);
        ofpbuf_put_be16(out, ofs_nbits(&dst));
        put_sf_header(out, &dst, version, map);
        ofpbuf_put_be64(out, x);
        nx_finish(out, start, 24);
        bit = end;
    }
}

static void
encode_learn(const struct ofpact_learn *l, uint8_t version,
             const struct ofp_tlv_map *map, struct ofpbuf *out)
{
    size_t start = nx_start(out, NXAST_LEARN);

    ofpbuf_put_be16(out, l->idle_timeout);
    ofpbuf_put_be16(out, l->hard_timeout);
    ofpbuf_put_be16(out, l->priority);
    ofpbuf_put_be64(out, l->cookie);
    ofpbuf_put_be16(out, l->flags);
    ofpbuf_put_u8(out, l->table_id);
    ofpbuf_put_u8(out, 0);
    ofpbuf_put_be16(out, l->fin_idle_timeout);
    ofpbuf_put_be16(out, l->fin_hard_timeout);
    for (uint32_t i = 0; i < l->n_specs; i++) {
        const struct ofpact_learn_spec *s = &l->specs[i];
        ofpbuf_put_be16(out, s->src_type << 13 | s->dst_type << 11
                        | s->n_bits);
        if (s->src_type == OFPACT_LEARN_SRC_FIELD) {
            put_sf_header(out, &s->src, version, map);
            ofpbuf_put_be16(out, s->src.ofs);
        } else {
            ofpbuf_put(out, s->src_imm.b, (s->n_bits + 15) / 16 * 2);
        }
        if (s->dst_type != OFPACT_LEARN_DST_OUTPUT) {
            put_sf_header(out, &s->dst, version, map);
            ofpbuf_put_be16(out, s->dst.ofs);
        }
    }
    nx_finish(out, start, 32);
}

static void
put_prop16(struct ofpbuf *out, uint16_t type, uint16_t v)
{
    ofpbuf_put_be16(out, type);
    ofpbuf_put_be16(out, 6);
    ofpbuf_put_be16(out, v);
    ofpbuf_put_zeros(out, 2);
}

static void
encode_controller(const struct ofpact_controller *c, struct ofpbuf *out)
{
    size_t start;

    if (!c->userdata_len && !c->pause && c->meter_id == OFPA_NO_METER) {
        start = nx_start(out, NXAST_CONTROLLER);
        ofpbuf_put_be16(out, c->max_len);
        ofpbuf_put_be16(out, c->controller_id);
        ofpbuf_put_u8(out, c->reason);
        nx_finish(out, start, 16);
        return;
    }
    start = nx_start(out, NXAST_CONTROLLER2);
    ofpbuf_put_zeros(out, 6);
    if (c->max_len != UINT16_MAX) {
        put_prop16(out, NXAC2PT_MAX_LEN, c->max_len);
    }
    if (c->controller_id) {
        put_prop16(out, NXAC2PT_CONTROLLER_ID, c->controller_id);
    }
    if (c->reason != OFPA_OFPR_ACTION) {
        ofpbuf_put_be16(out, NXAC2PT_REASON);
        ofpbuf_put_be16(out, 5);
        ofpbuf_put_u8(out, c->reason);
        ofpbuf_put_zeros(out, 3);
    }
    if (c->userdata_len) {
        size_t ps = out->size;
        ofpbuf_put_be16(out, NXAC2PT_USERDATA);
        ofpbuf_put_be16(out, 4 + c->userdata_len);
        ofpbuf_put(out, c->userdata, c->userdata_len);
        ofpbuf_pad_to(out, 8, ps);
    }
    if (c->pause) {
        ofpbuf_put_be16(out, NXAC2PT_PAUSE);
        ofpbuf_put_be16(out, 4);
        ofpbuf_put_zeros(out, 4);
    }
    if (c->meter_id != OFPA_NO_METER) {
        ofpbuf_put_be16(out, NXAC2PT_METER_ID);
        ofpbuf_put_be16(out, 8);
        ofpbuf_put_be32(out, c->meter_id);
    }
    nx_finish(out, start, 16);
}

static void
encode_nat(const struct ofpact_nat *nat, struct ofpbuf *out)
{
    size_t start = nx_start(out, NXAST_NAT);
    size_t present_ofs;
    uint16_t present = 0;
    size_t alen = nat->family == AF_INET ? 4 : 16;

    ofpbuf_put_zeros(out, 2);
    ofpbuf_put_be16(out, nat->flags);
    present_ofs = out->size;
    ofpbuf_put_be16(out, 0);
    if (nat->family) {
        bool v4 = nat->family == AF_INET;
        ofpbuf_put(out, &nat->addr_min, alen);
        present |= v4 ? NX_NAT_RANGE_IPV4_MIN : NX_NAT_RANGE_IPV6_MIN;
        if (memcmp(&nat->addr_min, &nat->addr_max, alen)) {
            ofpbuf_put(out, &nat->addr_max, alen);
            present |= v4 ? NX_NAT_RANGE_IPV4_MAX : NX_NAT_RANGE_IPV6_MAX;
        }
    }
    if (nat->port_min) {
        ofpbuf_put_be16(out, nat->port_min);
        present |= NX_NAT_RANGE_PROTO_MIN;
        if (nat->port_max && nat->port_max != nat->port_min) {
            ofpbuf_put_be16(out, nat->port_max);
            present |= NX_NAT_RANGE_PROTO_MAX;
        }
    }
    ofpbuf_set_be16(out, present_ofs, present);
    nx_finish(out, start, 16);
}

static void
encode_ct(const struct ofpact_ct *ct, uint8_t version,
          const struct ofp_tlv_map *map, struct ofpbuf *out)
{
    size_t start = nx_start(out, NXAST_CT), n;
    const struct ofpact *nested = ofpact_nested(&ct->ofpact, &n);

    ofpbuf_put_be16(out, ct->flags);
    if (ct->zone_src.field) {
        put_sf_header(out, &ct->zone_src, version, map);
        ofpbuf_put_be16(out, ofs_nbits(&ct->zone_src));
    } else {
        ofpbuf_put_be32(out, 0);
        ofpbuf_put_be16(out, ct->zone_imm);
    }
    ofpbuf_put_u8(out, ct->recirc_table);
    ofpbuf_put_zeros(out, 3);
    ofpbuf_put_be16(out, ct->alg);
    ofpacts_encode_actions(nested, n, version, map, out);
    nx_finish(out, start, 24);
}

/* Encodes 'a' as Nicira action(s) for 'version'. */
bool
ofpacts__encode_nx(const struct ofpact *a, uint8_t version,
                   const struct ofp_tlv_map *map, struct ofpbuf *out)
{
    size_t start;

    switch ((enum ofpact_type) a->type) {
    case OFPACT_CONTROLLER:
        encode_controller(OFPACT_CAST_CONST(controller, a), out);
        return true;
    case OFPACT_OUTPUT_REG: {
        const struct ofpact_output_reg *o = OFPACT_CAST_CONST(output_reg, a);
        if (has_short_header(o->src.field)) {
            start = nx_start(out, NXAST_OUTPUT_REG);
            ofpbuf_put_be16(out, ofs_nbits(&o->src));
            put_sf_header(out, &o->src, version, map);
            ofpbuf_put_be16(out, o->max_len);
        } else {
            start = nx_start(out, NXAST_OUTPUT_REG2);
            ofpbuf_put_be16(out, ofs_nbits(&o->src));
            ofpbuf_put_be16(out, o->max_len);
            put_sf_header(out, &o->src, version, map);
        }
        nx_finish(out, start, 24);
        return true;
    }
    case OFPACT_GROUP:
        /* OpenFlow 1.0 has no group action; ovs-ofctl sends this one. */
        start = nx_start(out, NXAST_GROUP);
        ofpbuf_put_zeros(out, 2);
        ofpbuf_put_be32(out, OFPACT_CAST_CONST(group, a)->group_id);
        nx_finish(out, start, 16);
        return true;
    case OFPACT_SET_FIELD:
        ofpacts__encode_reg_load(OFPACT_CAST_CONST(set_field, a), version,
                                 map, out);
        return true;
    case OFPACT_REG_MOVE: {
        const struct ofpact_reg_move *m = OFPACT_CAST_CONST(reg_move, a);
        start = nx_start(out, NXAST_REG_MOVE);
        ofpbuf_put_be16(out, m->src.n_bits);
        ofpbuf_put_be16(out, m->src.ofs);
        ofpbuf_put_be16(out, m->dst.ofs);
        put_sf_header(out, &m->src, version, map);
        put_sf_header(out, &m->dst, version, map);
        nx_finish(out, start, 24);
        return true;
    }
    case OFPACT_DEC_TTL: {
        const struct ofpact_dec_ttl *d = OFPACT_CAST_CONST(dec_ttl, a);
        if (!d->n_ids) {
            nx_simple(out, NXAST_DEC_TTL);
            return true;
        }
        start = nx_start(out, NXAST_DEC_TTL_CNT_IDS);
        ofpbuf_put_be16(out, d->n_ids);
        ofpbuf_put_zeros(out, 4);
        for (uint16_t i = 0; i < d->n_ids; i++) {
            ofpbuf_put_be16(out, d->ids[i]);
        }
        nx_finish(out, start, 16);
        return true;
    }
    case OFPACT_SET_MPLS_TTL:
        start = nx_start(out, NXAST_SET_MPLS_TTL);
        ofpbuf_put_u8(out, OFPACT_CAST_CONST(u8, a)->value);
        nx_finish(out, start, 16);
        return true;
    case OFPACT_DEC_MPLS_TTL:
        nx_simple(out, NXAST_DEC_MPLS_TTL);
        return true;
    case OFPACT_PUSH_MPLS:
    case OFPACT_POP_MPLS:
        start = nx_start(out, a->type == OFPACT_PUSH_MPLS ? NXAST_PUSH_MPLS
                         : NXAST_POP_MPLS);
        ofpbuf_put_be16(out, OFPACT_CAST_CONST(u16, a)->value);
        nx_finish(out, start, 16);
        return true;
    case OFPACT_SET_TUNNEL: {
        const struct ofpact_tunnel *t = OFPACT_CAST_CONST(tunnel, a);
        if (!t->tun64 && t->tun_id <= UINT32_MAX) {
            start = nx_start(out, NXAST_SET_TUNNEL);
            ofpbuf_put_zeros(out, 2);
            ofpbuf_put_be32(out, t->tun_id);
        } else {
            start = nx_start(out, NXAST_SET_TUNNEL64);
            ofpbuf_put_zeros(out, 6);
            ofpbuf_put_be64(out, t->tun_id);
        }
        nx_finish(out, start, 16);
        return true;
    }
    case OFPACT_SET_QUEUE:
        start = nx_start(out, NXAST_SET_QUEUE);
        ofpbuf_put_zeros(out, 2);
        ofpbuf_put_be32(out, OFPACT_CAST_CONST(u32, a)->value);
        nx_finish(out, start, 16);
        return true;
    case OFPACT_POP_QUEUE:
        nx_simple(out, NXAST_POP_QUEUE);
        return true;
    case OFPACT_FIN_TIMEOUT: {
        const struct ofpact_fin_timeout *ft = OFPACT_CAST_CONST(fin_timeout,
                                                                a);
        start = nx_start(out, NXAST_FIN_TIMEOUT);
        ofpbuf_put_be16(out, ft->idle_timeout);
        ofpbuf_put_be16(out, ft->hard_timeout);
        nx_finish(out, start, 16);
        return true;
    }
    case OFPACT_RESUBMIT: {
        const struct ofpact_resubmit *r = OFPACT_CAST_CONST(resubmit, a);
        /* ovs-ofctl sends NXAST_RESUBMIT_TABLE even without a table. */
        start = nx_start(out, r->with_ct_orig ? NXAST_RESUBMIT_TABLE_CT
                         : NXAST_RESUBMIT_TABLE);
        ofpbuf_put_be16(out, r->in_port);
        ofpbuf_put_u8(out, r->table_id);
        nx_finish(out, start, 16);
        return true;
    }
    case OFPACT_CLONE: {
        size_t n;
        const struct ofpact *nested = ofpact_nested(a, &n);
        start = nx_start(out, NXAST_CLONE);
        ofpbuf_put_zeros(out, 6);
        ofpacts_encode_actions(nested, n, version, map, out);
        nx_finish(out, start, 16);
        return true;
    }
    case OFPACT_CHECK_PKT_LARGER: {
        const struct ofpact_check_pkt_larger *c
            = OFPACT_CAST_CONST(check_pkt_larger, a);
        start = nx_start(out, NXAST_CHECK_PKT_LARGER);
        ofpbuf_put_be16(out, c->pkt_len);
        ofpbuf_put_be16(out, c->dst.ofs);
        put_sf_header(out, &c->dst, version, map);
        nx_finish(out, start, 24);
        return true;
    }
    case OFPACT_EXIT:
        nx_simple(out, NXAST_EXIT);
        return true;
    case OFPACT_CONJUNCTION: {
        const struct ofpact_conjunction *c = OFPACT_CAST_CONST(conjunction,
                                                               a);
        start = nx_start(out, NXAST_CONJUNCTION);
        ofpbuf_put_u8(out, c->clause);
        ofpbuf_put_u8(out, c->n_clauses);
        ofpbuf_put_be32(out, c->id);
        nx_finish(out, start, 16);
        return true;
    }
    case OFPACT_LEARN:
        encode_learn(OFPACT_CAST_CONST(learn, a), version, map, out);
        return true;
    case OFPACT_MULTIPATH: {
        const struct ofpact_multipath *mp = OFPACT_CAST_CONST(multipath, a);
        start = nx_start(out, NXAST_MULTIPATH);
        ofpbuf_put_be16(out, mp->fields);
        ofpbuf_put_be16(out, mp->basis);
        ofpbuf_put_zeros(out, 2);
        ofpbuf_put_be16(out, mp->algorithm);
        ofpbuf_put_be16(out, mp->max_link);
        ofpbuf_put_be32(out, mp->arg);
        ofpbuf_put_zeros(out, 2);
        ofpbuf_put_be16(out, ofs_nbits(&mp->dst));
        put_sf_header(out, &mp->dst, version, map);
        nx_finish(out, start, 32);
        return true;
    }
    case OFPACT_NOTE: {
        const struct ofpact_note *note = OFPACT_CAST_CONST(note, a);
        start = nx_start(out, NXAST_NOTE);
        ofpbuf_put(out, note->data, note->length);
        nx_finish(out, start, 16);
        return true;
    }
    case OFPACT_CT:
        encode_ct(OFPACT_CAST_CONST(ct, a), version, map, out);
        return true;
    case OFPACT_NAT:
        encode_nat(OFPACT_CAST_CONST(nat, a), out);
        return true;
    case OFPACT_CT_CLEAR:
        nx_simple(out, NXAST_CT_CLEAR);
        return true;
    case OFPACT_WRITE_METADATA: {
        const struct ofpact_metadata *md = OFPACT_CAST_CONST(metadata, a);
        start = nx_start(out, NXAST_WRITE_METADATA);
        ofpbuf_put_zeros(out, 6);
        ofpbuf_put_be64(out, md->metadata);
        ofpbuf_put_be64(out, md->mask);
        nx_finish(out, start, 32);
        return true;
    }
    default:
        return false;
    }
}
