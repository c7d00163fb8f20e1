/* OpenFlow actions: the ofpact buffer, the standard OpenFlow 1.0 and
 * 1.1+ (1.3-1.5) action and instruction codecs, and validation against a
 * match.  The Nicira vendor actions are in ofp-actions-nx.c, the text
 * syntax in ofp-actions-text.c.  See ofp-actions.h. */

/* ofp-msgs.h (for struct ofpmsg_actions) brings ofp-protocol.h, whose
 * 32-bit OFPP_* names clash with lib/flow.h's 16-bit ones; this file uses
 * only the latter, so it drops the former right away. */
#include "openflow/ofp-msgs.h"
#undef OFPP_MAX
#undef OFPP_IN_PORT
#undef OFPP_CONTROLLER
#undef OFPP_LOCAL
#undef OFPP_ANY

#include "openflow/ofp-actions.h"

#include <string.h>

#include "lib/util.h"
#include "openflow/ofp-actions-private.h"
#include "openflow/ofp-match.h"
#include "openflow/ofpbuf.h"

/* OpenFlow 1.0 action types (OpenFlow 1.0.0 §5.2.4). */
enum {
    OFPAT10_OUTPUT = 0, OFPAT10_SET_VLAN_VID = 1, OFPAT10_SET_VLAN_PCP = 2,
    OFPAT10_STRIP_VLAN = 3, OFPAT10_SET_DL_SRC = 4, OFPAT10_SET_DL_DST = 5,
    OFPAT10_SET_NW_SRC = 6, OFPAT10_SET_NW_DST = 7, OFPAT10_SET_NW_TOS = 8,
    OFPAT10_SET_TP_SRC = 9, OFPAT10_SET_TP_DST = 10, OFPAT10_ENQUEUE = 11,
    OFPAT10_VENDOR = 0xffff,
};

/* OpenFlow 1.1+ action types (OpenFlow 1.5.1 §7.2.6). */
enum {
    OFPAT_OUTPUT = 0, OFPAT_COPY_TTL_OUT = 11, OFPAT_COPY_TTL_IN = 12,
    OFPAT_SET_MPLS_TTL = 15, OFPAT_DEC_MPLS_TTL = 16, OFPAT_PUSH_VLAN = 17,
    OFPAT_POP_VLAN = 18, OFPAT_PUSH_MPLS = 19,
    OFPAT_POP_MPLS = 20, OFPAT_SET_QUEUE = 21, OFPAT_GROUP = 22,
    OFPAT_SET_NW_TTL = 23, OFPAT_DEC_NW_TTL = 24, OFPAT_SET_FIELD = 25,
    OFPAT_COPY_FIELD = 28, OFPAT_METER = 29, OFPAT_EXPERIMENTER = 0xffff,
};

/* Instruction types (OpenFlow 1.3.5 §7.2.5). */
enum {
    OFPIT_GOTO_TABLE = 1, OFPIT_WRITE_METADATA = 2, OFPIT_WRITE_ACTIONS = 3,
    OFPIT_APPLY_ACTIONS = 4, OFPIT_CLEAR_ACTIONS = 5, OFPIT_METER = 6,
    OFPIT_EXPERIMENTER = 0xffff,
};

/* ---- The ofpact buffer. ---- */

void *
ofpact_put(struct ofpbuf *ofpacts, enum ofpact_type type, size_t size)
{
    size_t len = OFPACT_ALIGN(size);
    struct ofpact *a;

    ASSERT(ofpacts->size % OFPACT_ALIGNTO == 0 && len <= UINT16_MAX);
    a = ofpbuf_put_zeros(ofpacts, len);
    a->type = type;
    a->len = len;
    return a;
}

size_t
ofpacts__start(struct ofpbuf *ofpacts, enum ofpact_type type, size_t size)
{
    size_t ofs = ofpacts->size;
    struct ofpact *a = ofpbuf_put_zeros(ofpacts, size);
    a->type = type;
    a->len = size;
    return ofs;
}

/* Pads the ofpact at 'ofs' to 8 bytes and records its length. */
bool
ofpact_finish(struct ofpbuf *ofpacts, size_t ofs)
{
    size_t len;
    struct ofpact *a;

    ofpbuf_put_zeros(ofpacts, OFPACT_ALIGN(ofpacts->size) - ofpacts->size);
    len = ofpacts->size - ofs;
    a = ofpbuf_at(ofpacts, ofs);
    if (len > UINT16_MAX) {
        return false;
    }
    a->len = len;
    return true;
}

/* The nested list of 'a' (clone, write_actions, ct), or NULL. */
const struct ofpact *
ofpact_nested(const struct ofpact *a, size_t *size)
{
    size_t ofs;

    switch (a->type) {
    case OFPACT_CLONE:
    case OFPACT_WRITE_ACTIONS:
        ofs = offsetof(struct ofpact_nest, actions);
        break;
    case OFPACT_CT:
        ofs = offsetof(struct ofpact_ct, actions);
        break;
    default:
        *size = 0;
        return NULL;
    }
    *size = a->len - ofs;
    return (const struct ofpact *) (const void *) ((const uint8_t *) a + ofs);
}

static const char *const type_names[OFPACT_N_TYPES] = {
    [OFPACT_OUTPUT] = "output", [OFPACT_CONTROLLER] = "controller",
    [OFPACT_ENQUEUE] = "enqueue", [OFPACT_OUTPUT_REG] = "output_reg",
    [OFPACT_GROUP] = "group", [OFPACT_SET_FIELD] = "set_field",
    [OFPACT_REG_MOVE] = "move", [OFPACT_PUSH_VLAN] = "push_vlan",
    [OFPACT_POP_VLAN] = "pop_vlan", [OFPACT_SET_VLAN_VID] = "mod_vlan_vid",
    [OFPACT_SET_VLAN_PCP] = "mod_vlan_pcp",
    [OFPACT_SET_ETH_SRC] = "mod_dl_src",
    [OFPACT_SET_ETH_DST] = "mod_dl_dst", [OFPACT_SET_IPV4_SRC] = "mod_nw_src",
    [OFPACT_SET_IPV4_DST] = "mod_nw_dst", [OFPACT_SET_IP_DSCP] = "mod_nw_tos",
    [OFPACT_SET_IP_ECN] = "mod_nw_ecn", [OFPACT_SET_IP_TTL] = "mod_nw_ttl",
    [OFPACT_SET_L4_SRC] = "mod_tp_src", [OFPACT_SET_L4_DST] = "mod_tp_dst",
    [OFPACT_DEC_TTL] = "dec_ttl", [OFPACT_SET_MPLS_TTL] = "set_mpls_ttl",
    [OFPACT_DEC_MPLS_TTL] = "dec_mpls_ttl", [OFPACT_SET_TUNNEL] = "set_tunnel",
    [OFPACT_PUSH_MPLS] = "push_mpls", [OFPACT_POP_MPLS] = "pop_mpls",
    [OFPACT_SET_QUEUE] = "set_queue", [OFPACT_POP_QUEUE] = "pop_queue",
    [OFPACT_FIN_TIMEOUT] = "fin_timeout", [OFPACT_RESUBMIT] = "resubmit",
    [OFPACT_CLONE] = "clone", [OFPACT_CHECK_PKT_LARGER] = "check_pkt_larger",
    [OFPACT_EXIT] = "exit", [OFPACT_CONJUNCTION] = "conjunction",
    [OFPACT_LEARN] = "learn", [OFPACT_MULTIPATH] = "multipath",
    [OFPACT_NOTE] = "note", [OFPACT_CT] = "ct", [OFPACT_NAT] = "nat",
    [OFPACT_CT_CLEAR] = "ct_clear", [OFPACT_METER] = "meter",
    [OFPACT_CLEAR_ACTIONS] = "clear_actions",
    [OFPACT_WRITE_ACTIONS] = "write_actions",
    [OFPACT_WRITE_METADATA] = "write_metadata",
    [OFPACT_GOTO_TABLE] = "goto_table",
};

/* The ovs-ofctl name of 'type'. */
const char *
ofpact_type_name(enum ofpact_type type)
{
    return type < OFPACT_N_TYPES ? type_names[type] : "<unknown>";
}

/* Byte-for-byte list equality. */
bool
ofpacts_equal(const struct ofpact *a, size_t a_size,
              const struct ofpact *b, size_t b_size)
{
    return a_size == b_size && (!a_size || !memcmp(a, b, a_size));
}

/* Whether the list (nested lists included) outputs to 'port'. */
bool
ofpacts_output_to_port(const struct ofpact *ofpacts, size_t size,
                       uint32_t port)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, size) {
        const struct ofpact *nested;
        size_t n;

        if (a->type == OFPACT_OUTPUT
            && OFPACT_CAST_CONST(output, a)->port == port) {
            return true;
        }
        if (a->type == OFPACT_ENQUEUE
            && OFPACT_CAST_CONST(enqueue, a)->port == port) {
            return true;
        }
        if (a->type == OFPACT_CONTROLLER && port == OFPP_CONTROLLER) {
            return true;
        }
        nested = ofpact_nested(a, &n);
        if (nested && ofpacts_output_to_port(nested, n, port)) {
            return true;
        }
    }
    return false;
}

/* Whether the list (nested lists included) sends to group 'group_id'. */
bool
ofpacts_output_to_group(const struct ofpact *ofpacts, size_t size,
                        uint32_t group_id)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, size) {
        const struct ofpact *nested;
        size_t n;

        if (a->type == OFPACT_GROUP
            && OFPACT_CAST_CONST(group, a)->group_id == group_id) {
            return true;
        }
        nested = ofpact_nested(a, &n);
        if (nested && ofpacts_output_to_group(nested, n, group_id)) {
            return true;
        }
    }
    return false;
}

/* ---- Shared helpers (ofp-actions-private.h). ---- */

bool
ofpacts__is_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

bool
ofpacts__port_from_ofp11(uint32_t port11, uint32_t *port)
{
    if (port11 < OFPP_MAX_PORT) {
        *port = port11;
        return true;
    }
    if (port11 >= 0xffffff00u) {
        *port = port11 - 0xffff0000u;
        return true;
    }
    return false;
}

uint32_t
ofpacts__port_to_ofp11(uint32_t port)
{
    return port >= OFPP_MAX_PORT ? port + 0xffff0000u : port;
}

bool
ofpacts__pull_header(const uint8_t **p, size_t *left,
                     const struct ofp_field **field, bool *hasmask,
                     unsigned int *length)
{
    uint32_t h, exp = 0;
    unsigned int len;

    if (*left < 4) {
        return false;
    }
    h = ofpa_get32(*p);
    len = h & 0xff;
    *p += 4;
    *left -= 4;
    if ((h >> 16) == 0xffff) {
        if (*left < 4 || len < 4) {
            return false;
        }
        exp = ofpa_get32(*p);
        *p += 4;
        *left -= 4;
        len -= 4;
    }
    *hasmask = (h >> 8) & 1;
    *length = len;
    *field = ofp_field_from_header(OFP_FIELD_HDR(h >> 16, (h >> 9) & 0x7f,
                                                 exp));
    return true;
}

void
ofpacts__put_header(struct ofpbuf *out, const struct ofp_field *f,
                    uint8_t version, bool prefer_nxm, bool hasmask,
                    unsigned int payload)
{
    uint64_t cp;
    uint32_t h;

    if (prefer_nxm && f->nxm) {
        cp = f->nxm;
    } else if (f->oxm && version >= f->oxm_version) {
        cp = f->oxm;
    } else if (f->oxm13 && version >= OFPA_V13) {
        cp = f->oxm13;
    } else if (f->nxm) {
        cp = f->nxm;
    } else {
        cp = f->oxm ? f->oxm : f->oxm13;
    }
    if (OFP_HDR_CLASS(cp) == 0xffff) {
        payload += 4;
    }
    h = (uint32_t) OFP_HDR_CLASS(cp) << 16 | OFP_HDR_FIELD(cp) << 9
        | (hasmask ? 1u << 8 : 0) | (payload & 0xff);
    ofpbuf_put_be32(out, h);
    if (OFP_HDR_CLASS(cp) == 0xffff) {
        ofpbuf_put_be32(out, OFP_HDR_EXPERIMENTER(cp));
    }
}

bool
ofpacts__bit_get(const uint8_t *v, unsigned int n, unsigned int bit)
{
    return (v[n - 1 - bit / 8] >> (bit % 8)) & 1;
}

void
ofpacts__bit_set(uint8_t *v, unsigned int n, unsigned int bit, bool set)
{
    uint8_t *p = &v[n - 1 - bit / 8];
    uint8_t m = 1u << (bit % 8);
    *p = set ? *p | m : *p & ~m;
}

void
ofpacts__bits_copy(const uint8_t *src, unsigned int src_n,
                   unsigned int src_ofs, uint8_t *dst, unsigned int dst_n,
                   unsigned int dst_ofs, unsigned int n_bits)
{
    for (unsigned int i = 0; i < n_bits; i++) {
        ofpacts__bit_set(dst, dst_n, dst_ofs + i,
                         ofpacts__bit_get(src, src_n, src_ofs + i));
    }
}

unsigned int
ofpacts__field_bytes(const struct ofp_field *field,
                     const struct ofp_tlv_map *map)
{
    return ofp_field_n_bytes(field, map);
}

bool
ofpacts__subfield_ok(const struct ofp_subfield *sf,
                     const struct ofp_tlv_map *map, bool write)
{
    unsigned int n;

    if (!sf->field) {
        return false;
    }
    n = ofp_field_n_bytes(sf->field, map);
    if (!n || !sf->n_bits || sf->ofs + sf->n_bits > n * 8
        || (!(sf->field->kind == OFPFK_TUN_METADATA)
            && sf->ofs + sf->n_bits > sf->field->n_bits)) {
        return false;
    }
    return !write || sf->field->writable;
}

bool
ofpacts__mask_is_range(const union ofp_field_value *mask, unsigned int n,
                       unsigned int *ofs, unsigned int *n_bits)
{
    unsigned int bit = 0, end;

    while (bit < n * 8 && !ofpacts__bit_get(mask->b, n, bit)) {
        bit++;
    }
    if (bit == n * 8) {
        return false;
    }
    end = bit;
    while (end < n * 8 && ofpacts__bit_get(mask->b, n, end)) {
        end++;
    }
    for (unsigned int i = end; i < n * 8; i++) {
        if (ofpacts__bit_get(mask->b, n, i)) {
            return false;
        }
    }
    *ofs = bit;
    *n_bits = end - bit;
    return true;
}

struct ofpact_set_field *
ofpacts__put_set_field(struct ofpbuf *ofpacts, const struct ofp_field *field,
                       const union ofp_field_value *value,
                       const union ofp_field_value *mask, bool is_load)
{
    struct ofpact_set_field *sf = ofpact_put(ofpacts, OFPACT_SET_FIELD,
                                             sizeof *sf);
    sf->field = field;
    sf->is_load = is_load;
    sf->mask = *mask;
    for (size_t i = 0; i < sizeof sf->value.b; i++) {
        sf->value.b[i] = value->b[i] & mask->b[i];
    }
    return sf;
}

/* ---- Decoding the standard actions. ---- */

static void
put_u8(struct ofpbuf *ofpacts, enum ofpact_type type, uint8_t v)
{
    OFPACT_CAST(u8, ofpact_put(ofpacts, type, sizeof(struct ofpact_u8)))
        ->value = v;
}

static void
put_u16(struct ofpbuf *ofpacts, enum ofpact_type type, uint16_t v)
{
    OFPACT_CAST(u16, ofpact_put(ofpacts, type, sizeof(struct ofpact_u16)))
        ->value = v;
}

static void
put_u32(struct ofpbuf *ofpacts, enum ofpact_type type, uint32_t v)
{
    OFPACT_CAST(u32, ofpact_put(ofpacts, type, sizeof(struct ofpact_u32)))
        ->value = v;
}

static void
put_output(struct ofpbuf *ofpacts, uint32_t port, uint16_t max_len)
{
    if (port == OFPP_CONTROLLER) {
        struct ofpact_controller *c = ofpact_put(ofpacts, OFPACT_CONTROLLER,
                                                 sizeof *c);
        c->max_len = max_len;
        c->reason = OFPA_OFPR_ACTION;
        c->meter_id = OFPA_NO_METER;
    } else {
        struct ofpact_output *o = ofpact_put(ofpacts, OFPACT_OUTPUT,
                                             sizeof *o);
        o->port = port;
        o->max_len = max_len;
    }
}

static void
put_dec_ttl(struct ofpbuf *ofpacts)
{
    size_t ofs = ofpacts__start(ofpacts, OFPACT_DEC_TTL,
                                offsetof(struct ofpact_dec_ttl, ids));
    struct ofpact_dec_ttl *d;
    bool ok;

    d = ofpbuf_at(ofpacts, ofs);
    d->n_ids = 0;
    ok = ofpact_finish(ofpacts, ofs);
    ASSERT(ok);
}

/* Decodes an OFPAT_SET_FIELD (1.2+) whose OXM starts at 'p' ('left' bytes
 * to the end of the action). */
static enum ofperr
decode_set_field(const uint8_t *p, size_t left, uint8_t version,
                 const struct ofp_tlv_map *map, struct ofpbuf *ofpacts)
{
    const struct ofp_field *f;
    union ofp_field_value value, mask;
    unsigned int len, n;
    bool hasmask;

    if (!ofpacts__pull_header(&p, &left, &f, &hasmask, &len)) {
        return OFPERR_OFPBAC_BAD_SET_LEN;
    }
    if (!f) {
        return OFPERR_OFPBAC_BAD_SET_TYPE;
    }
    n = ofp_field_n_bytes(f, map);
    if (!n) {
        return OFPERR_OFPBAC_BAD_SET_TYPE;
    }
    if (len != (hasmask ? 2 * n : n) || len > left) {
        return OFPERR_OFPBAC_BAD_SET_LEN;
    }
    if (hasmask && version < OFPA_V15) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    if (!f->writable) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    if (!ofpacts__is_zero(p + len, left - len)) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    memcpy(value.b, p, n);
    if (hasmask) {
        memcpy(mask.b, p + n, n);
    } else {
        memset(mask.b, 0xff, n);
    }
    if (!ofp_field_is_valid_value(f, &value)) {
        return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
    }
    ofpacts__put_set_field(ofpacts, f, &value, &mask, false);
    return 0;
}

/* OF1.5 copy_field: n_bits, src_offset, dst_offset, pad, src, dst. */
static enum ofperr
decode_copy_field(const uint8_t *p, size_t len, const struct ofp_tlv_map *map,
                  struct ofpbuf *ofpacts)
{
    struct ofpact_reg_move *m;
    const struct ofp_field *src, *dst;
    const uint8_t *q = p + 12;
    size_t left;
    unsigned int l;
    bool hm;

    if (len < 24) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    left = len - 12;
    if (!ofpacts__pull_header(&q, &left, &src, &hm, &l)
        || !ofpacts__pull_header(&q, &left, &dst, &hm, &l)) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    if (!ofpacts__is_zero(q, left)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    m = ofpact_put(ofpacts, OFPACT_REG_MOVE, sizeof *m);
    m->src = (struct ofp_subfield) { src, ofpa_get16(p + 6),
                                     ofpa_get16(p + 4) };
    m->dst = (struct ofp_subfield) { dst, ofpa_get16(p + 8),
                                     ofpa_get16(p + 4) };
    if (!ofpacts__subfield_ok(&m->src, map, false)
        || !ofpacts__subfield_ok(&m->dst, map, true)) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    return 0;
}

static enum ofperr
decode_of10(const uint8_t *p, size_t len, const struct ofp_tlv_map *map,
            struct ofpbuf *ofpacts, unsigned int depth)
{
    uint16_t type = ofpa_get16(p);
    static const uint8_t lens[] = {
        [OFPAT10_OUTPUT] = 8, [OFPAT10_SET_VLAN_VID] = 8,
        [OFPAT10_SET_VLAN_PCP] = 8, [OFPAT10_STRIP_VLAN] = 8,
        [OFPAT10_SET_DL_SRC] = 16, [OFPAT10_SET_DL_DST] = 16,
        [OFPAT10_SET_NW_SRC] = 8, [OFPAT10_SET_NW_DST] = 8,
        [OFPAT10_SET_NW_TOS] = 8, [OFPAT10_SET_TP_SRC] = 8,
        [OFPAT10_SET_TP_DST] = 8, [OFPAT10_ENQUEUE] = 16,
    };

    if (type == OFPAT10_VENDOR) {
        if (len < 16) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        if (ofpa_get32(p + 4) != OFPA_NX_VENDOR) {
            return OFPERR_OFPBAC_BAD_EXPERIMENTER;
        }
        return ofpacts__decode_nx(p, len, OFPA_V10, map, ofpacts, depth);
    }
    if (type >= ARRAY_SIZE(lens)) {
        return OFPERR_OFPBAC_BAD_TYPE;
    }
    if (len != lens[type]) {
        return OFPERR_OFPBAC_BAD_LEN;
    }
    switch (type) {
    case OFPAT10_OUTPUT:
        put_output(ofpacts, ofpa_get16(p + 4), ofpa_get16(p + 6));
        return 0;
    case OFPAT10_SET_VLAN_VID:
        if (ofpa_get16(p + 4) > VLAN_VID_MASK) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        put_u16(ofpacts, OFPACT_SET_VLAN_VID, ofpa_get16(p + 4));
        return 0;
    case OFPAT10_SET_VLAN_PCP:
        if (p[4] > 7) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        put_u8(ofpacts, OFPACT_SET_VLAN_PCP, p[4]);
        return 0;
    case OFPAT10_STRIP_VLAN:
        OFPACT_CAST(pop_vlan, ofpact_put(ofpacts, OFPACT_POP_VLAN,
                                         sizeof(struct ofpact_pop_vlan)))
            ->strip_vlan = true;
        return 0;
    case OFPAT10_SET_DL_SRC:
    case OFPAT10_SET_DL_DST: {
        struct ofpact_mac *m = ofpact_put(
            ofpacts, type == OFPAT10_SET_DL_SRC ? OFPACT_SET_ETH_SRC
            : OFPACT_SET_ETH_DST, sizeof *m);
        memcpy(&m->mac, p + 4, 6);
        return 0;
    }
    case OFPAT10_SET_NW_SRC:
    case OFPAT10_SET_NW_DST: {
        uint32_t ip;
        memcpy(&ip, p + 4, 4);
        put_u32(ofpacts, type == OFPAT10_SET_NW_SRC ? OFPACT_SET_IPV4_SRC
                : OFPACT_SET_IPV4_DST, ip);
        return 0;
    }
    case OFPAT10_SET_NW_TOS:
        if (p[4] & 3) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        put_u8(ofpacts, OFPACT_SET_IP_DSCP, p[4]);
        return 0;
    case OFPAT10_SET_TP_SRC:
    case OFPAT10_SET_TP_DST:
        put_u16(ofpacts, type == OFPAT10_SET_TP_SRC ? OFPACT_SET_L4_SRC
                : OFPACT_SET_L4_DST, ofpa_get16(p + 4));
        return 0;
    case OFPAT10_ENQUEUE: {
        struct ofpact_enqueue *e;
        uint32_t port = ofpa_get16(p + 4);
        if (port >= OFPP_MAX_PORT && port != OFPP_IN_PORT
            && port != OFPP_LOCAL) {
            return OFPERR_OFPBAC_BAD_OUT_PORT;
        }
        e = ofpact_put(ofpacts, OFPACT_ENQUEUE, sizeof *e);
        e->port = port;
        e->queue = ofpa_get32(p + 12);
        return 0;
    }
    default:
        return OFPERR_OFPBAC_BAD_TYPE;
    }
}

static enum ofperr
decode_of11(const uint8_t *p, size_t len, uint8_t version,
            const struct ofp_tlv_map *map, struct ofpbuf *ofpacts,
            unsigned int depth)
{
    uint16_t type = ofpa_get16(p);

    switch (type) {
    case OFPAT_OUTPUT: {
        uint32_t port;
        if (len != 16) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        if (!ofpacts__port_from_ofp11(ofpa_get32(p + 4), &port)) {
            return OFPERR_OFPBAC_BAD_OUT_PORT;
        }
        put_output(ofpacts, port, ofpa_get16(p + 8));
        return 0;
    }
    case OFPAT_SET_MPLS_TTL:
    case OFPAT_SET_NW_TTL:
        if (len != 8) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        put_u8(ofpacts, type == OFPAT_SET_MPLS_TTL ? OFPACT_SET_MPLS_TTL
               : OFPACT_SET_IP_TTL, p[4]);
        return 0;
    case OFPAT_DEC_MPLS_TTL:
    case OFPAT_POP_VLAN:
    case OFPAT_DEC_NW_TTL:
        if (len != 8) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        if (type == OFPAT_DEC_NW_TTL) {
            put_dec_ttl(ofpacts);
        } else {
            ofpact_put(ofpacts, type == OFPAT_POP_VLAN ? OFPACT_POP_VLAN
                       : OFPACT_DEC_MPLS_TTL, sizeof(struct ofpact_pop_vlan));
        }
        return 0;
    case OFPAT_PUSH_VLAN: {
        uint16_t et;
        if (len != 8) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        et = ofpa_get16(p + 4);
        if (et != 0x8100 && et != 0x88a8) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        OFPACT_CAST(push_vlan, ofpact_put(ofpacts, OFPACT_PUSH_VLAN,
                                          sizeof(struct ofpact_push_vlan)))
            ->ethertype = et;
        return 0;
    }
    case OFPAT_PUSH_MPLS:
    case OFPAT_POP_MPLS: {
        uint16_t et;
        if (len != 8) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        et = ofpa_get16(p + 4);
        if (type == OFPAT_PUSH_MPLS && et != 0x8847 && et != 0x8848) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        OFPACT_CAST(u16, ofpact_put(ofpacts, type == OFPAT_PUSH_MPLS
                                    ? OFPACT_PUSH_MPLS : OFPACT_POP_MPLS,
                                    sizeof(struct ofpact_u16)))->value = et;
        return 0;
    }
    case OFPAT_SET_QUEUE:
    case OFPAT_GROUP:
    case OFPAT_METER:
        if (len != 8) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        if (type == OFPAT_METER && version < OFPA_V15) {
            return OFPERR_OFPBAC_BAD_TYPE;
        }
        if (type == OFPAT_GROUP) {
            OFPACT_CAST(group, ofpact_put(ofpacts, OFPACT_GROUP,
                                          sizeof(struct ofpact_group)))
                ->group_id = ofpa_get32(p + 4);
        } else {
            put_u32(ofpacts, type == OFPAT_SET_QUEUE ? OFPACT_SET_QUEUE
                    : OFPACT_METER, ofpa_get32(p + 4));
        }
        return 0;
    case OFPAT_SET_FIELD:
        return decode_set_field(p + 4, len - 4, version, map, ofpacts);
    case OFPAT_COPY_FIELD:
        if (version < OFPA_V15) {
            return OFPERR_OFPBAC_BAD_TYPE;
        }
        return decode_copy_field(p, len, map, ofpacts);
    case OFPAT_EXPERIMENTER:
        if (len < 16) {
            return OFPERR_OFPBAC_BAD_LEN;
        }
        if (ofpa_get32(p + 4) != OFPA_NX_VENDOR) {
            return OFPERR_OFPBAC_BAD_EXPERIMENTER;
        }
        return ofpacts__decode_nx(p, len, version, map, ofpacts, depth);
    default:
        return OFPERR_OFPBAC_BAD_TYPE;
    }
}

enum ofperr
ofpacts__decode_actions(const uint8_t *p, size_t size, uint8_t version,
                        const struct ofp_tlv_map *map,
                        struct ofpbuf *ofpacts, unsigned int depth)
{
    size_t orig = ofpacts->size;
    enum ofperr err;

    if (depth > OFPACTS_MAX_DEPTH) {
        return OFPERR_OFPBAC_BAD_ARGUMENT;
    }
    while (size) {
        size_t len;

        if (size < 8) {
            err = OFPERR_OFPBAC_BAD_LEN;
            goto error;
        }
        len = ofpa_get16(p + 2);
        if (len < 8 || len % 8 || len > size) {
            err = OFPERR_OFPBAC_BAD_LEN;
            goto error;
        }
        err = (version == OFPA_V10
               ? decode_of10(p, len, map, ofpacts, depth)
               : decode_of11(p, len, version, map, ofpacts, depth));
        if (err) {
            goto error;
        }
        p += len;
        size -= len;
    }
    return 0;

error:
    ofpbuf_truncate(ofpacts, orig);
    return err;
}

/* Decodes an action list of 'size' bytes at 'data'. */
enum ofperr
ofpacts_decode_actions(const void *data, size_t size, uint8_t version,
                       const struct ofp_tlv_map *map, struct ofpbuf *ofpacts)
{
    if (version != OFPA_V10 && (version < OFPA_V13 || version > OFPA_V15)) {
        return OFPERR_OFPBRC_BAD_VERSION;
    }
    return ofpacts__decode_actions(data, size, version, map, ofpacts, 0);
}

/* Whether a list holds an instruction-only ofpact. */
static bool
has_instruction(const struct ofpact *ofpacts, size_t size)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, size) {
        if (a->type >= OFPACT_METER) {
            return true;
        }
    }
    return false;
}

/* Decodes an OpenFlow 1.1+ instruction list, emitting the parts in
 * canonical order whatever their order on the wire. */
enum ofperr
ofpacts_decode_instructions(const void *data, size_t size, uint8_t version,
                            const struct ofp_tlv_map *map,
                            struct ofpbuf *ofpacts)
{
    const uint8_t *inst[OFPIT_METER + 1] = { NULL };
    size_t inst_len[OFPIT_METER + 1] = { 0 };
    const uint8_t *p = data;
    size_t orig = ofpacts->size;
    enum ofperr err;

    if (version < OFPA_V13 || version > OFPA_V15) {
        return OFPERR_OFPBRC_BAD_VERSION;
    }
    while (size) {
        uint16_t type;
        size_t len;

        if (size < 8) {
            return OFPERR_OFPBIC_BAD_LEN;
        }
        type = ofpa_get16(p);
        len = ofpa_get16(p + 2);
        if (len < 8 || len % 8 || len > size) {
            return OFPERR_OFPBIC_BAD_LEN;
        }
        if (type == OFPIT_EXPERIMENTER) {
            return OFPERR_OFPBIC_BAD_EXPERIMENTER;
        }
        if (type < OFPIT_GOTO_TABLE || type > OFPIT_METER) {
            return OFPERR_OFPBIC_UNKNOWN_INST;
        }
        if (inst[type]) {
            return OFPERR_OFPBIC_UNSUP_INST;
        }
        if ((type == OFPIT_GOTO_TABLE || type == OFPIT_CLEAR_ACTIONS
             || type == OFPIT_METER) ? len != 8
            : type == OFPIT_WRITE_METADATA ? len != 24 : false) {
            return OFPERR_OFPBIC_BAD_LEN;
        }
        inst[type] = p;
        inst_len[type] = len;
        p += len;
        size -= len;
    }

    if (inst[OFPIT_METER]) {
        put_u32(ofpacts, OFPACT_METER, ofpa_get32(inst[OFPIT_METER] + 4));
    }
    if (inst[OFPIT_APPLY_ACTIONS]) {
        size_t start = ofpacts->size;
        err = ofpacts__decode_actions(inst[OFPIT_APPLY_ACTIONS] + 8,
                                      inst_len[OFPIT_APPLY_ACTIONS] - 8,
                                      version, map, ofpacts, 0);
        if (err) {
            goto error;
        }
        /* OpenFlow 1.5's meter action may only lead the list. */
        const struct ofpact *a;
        size_t i = 0;
        if (ofpacts->size > start) {
            OFPACT_FOR_EACH (a, (const struct ofpact *) (ofpacts->data
                                                         + start),
                             ofpacts->size - start) {
                if (a->type == OFPACT_METER && (i || inst[OFPIT_METER])) {
                    err = OFPERR_OFPBAC_UNSUPPORTED_ORDER;
                    goto error;
                }
                i++;
            }
        }
    }
    if (inst[OFPIT_CLEAR_ACTIONS]) {
        ofpact_put(ofpacts, OFPACT_CLEAR_ACTIONS, sizeof(struct ofpact));
    }
    if (inst[OFPIT_WRITE_ACTIONS]) {
        size_t ofs = ofpacts__start(ofpacts, OFPACT_WRITE_ACTIONS,
                                    sizeof(struct ofpact_nest));
        const struct ofpact *nested;
        size_t n;

        err = ofpacts__decode_actions(inst[OFPIT_WRITE_ACTIONS] + 8,
                                      inst_len[OFPIT_WRITE_ACTIONS] - 8,
                                      version, map, ofpacts, 1);
        if (err) {
            goto error;
        }
        if (!ofpact_finish(ofpacts, ofs)) {
            err = OFPERR_OFPBAC_TOO_MANY;
            goto error;
        }
        nested = ofpact_nested(ofpbuf_at(ofpacts, ofs), &n);
        if (has_instruction(nested, n)) {
            err = OFPERR_OFPBAC_UNSUPPORTED_ORDER;
            goto error;
        }
    }
    if (inst[OFPIT_WRITE_METADATA]) {
        struct ofpact_metadata *md = ofpact_put(
            ofpacts, OFPACT_WRITE_METADATA, sizeof *md);
        md->metadata = ofpa_get64(inst[OFPIT_WRITE_METADATA] + 8);
        md->mask = ofpa_get64(inst[OFPIT_WRITE_METADATA] + 16);
        if (md->metadata & ~md->mask) {
            err = OFPERR_OFPBIC_UNSUP_METADATA;
            goto error;
        }
    }
    if (inst[OFPIT_GOTO_TABLE]) {
        uint8_t table = inst[OFPIT_GOTO_TABLE][4];
        if (table == 255) {
            err = OFPERR_OFPBIC_BAD_TABLE_ID;
            goto error;
        }
        put_u8(ofpacts, OFPACT_GOTO_TABLE, table);
    }
    return 0;

error:
    ofpbuf_truncate(ofpacts, orig);
    return err;
}

/* Decodes whatever 'a' holds. */
enum ofperr
ofpacts_decode_msg(const struct ofpmsg_actions *a,
                   const struct ofp_tlv_map *map, struct ofpbuf *ofpacts)
{
    if (a->format == OFPMSG_INSTRUCTIONS) {
        return ofpacts_decode_instructions(a->data, a->size, a->version, map,
                                           ofpacts);
    }
    return ofpacts_decode_actions(a->data, a->size,
                                  a->format == OFPMSG_ACTIONS_OF10
                                  ? OFPA_V10 : a->version, map, ofpacts);
}

/* ---- Encoding the standard actions. ---- */

static void
put_action_hdr(struct ofpbuf *out, uint16_t type, uint16_t len)
{
    ofpbuf_put_be16(out, type);
    ofpbuf_put_be16(out, len);
}

/* An OFPAT_SET_FIELD for 'field' = 'value' (under 'mask' when not
 * all-ones, OpenFlow 1.5 only). */
static void
put_set_field(struct ofpbuf *out, uint8_t version,
              const struct ofp_tlv_map *map, const struct ofp_field *f,
              const union ofp_field_value *value,
              const union ofp_field_value *mask)
{
    unsigned int n = ofp_field_n_bytes(f, map);
    bool masked = mask && !ofp_field_value_is_ones(mask, n);
    size_t start = out->size;

    put_action_hdr(out, OFPAT_SET_FIELD, 0);
    ofpacts__put_header(out, f, version, false, masked,
                        masked ? 2 * n : n);
    ofpbuf_put(out, value->b, n);
    if (masked) {
        ofpbuf_put(out, mask->b, n);
    }
    ofpbuf_pad_to(out, 8, start);
    ofpbuf_set_be16(out, start + 2, out->size - start);
}

static void
put_set_field_u(struct ofpbuf *out, uint8_t version,
                const struct ofp_tlv_map *map, enum ofp_field_id id,
                uint64_t x)
{
    const struct ofp_field *f = ofp_field_from_id(id);
    union ofp_field_value v;
    unsigned int n = f->n_bytes;

    memset(&v, 0, sizeof v);
    for (unsigned int i = 0; i < n && i < 8; i++) {
        v.b[n - 1 - i] = x >> (8 * i);
    }
    put_set_field(out, version, map, f, &v, NULL);
}

static void
put_simple(struct ofpbuf *out, uint16_t type, uint32_t arg, size_t len)
{
    put_action_hdr(out, type, len);
    ofpbuf_put_be32(out, arg);
    ofpbuf_put_zeros(out, len - 8);
}

/* A set_field as a load of a one-value field, for OpenFlow 1.0. */
static void
put_load_u(struct ofpbuf *out, const struct ofp_tlv_map *map,
           enum ofp_field_id id, uint64_t x)
{
    struct ofpact_set_field sf;
    unsigned int n;

    memset(&sf, 0, sizeof sf);
    sf.field = ofp_field_from_id(id);
    n = sf.field->n_bytes;
    for (unsigned int i = 0; i < n && i < 8; i++) {
        sf.value.b[n - 1 - i] = x >> (8 * i);
    }
    memset(sf.mask.b, 0xff, n);
    sf.is_load = true;
    ofpacts__encode_reg_load(&sf, OFPA_V10, map, out);
}

static void
put_vid_pcp_of11(struct ofpbuf *out, uint8_t version,
                 const struct ofp_tlv_map *map, enum ofp_field_id id,
                 uint16_t x)
{
    put_simple(out, OFPAT_PUSH_VLAN, 0x81000000u, 8);
    put_set_field_u(out, version, map, id, x);
}

/* Legacy OpenFlow 1.0 form of a whole-field set_field, if any. */
static bool
encode_set_field_of10(const struct ofpact_set_field *sf, struct ofpbuf *out)
{
    const uint8_t *v = sf->value.b;

    if (sf->is_load
        || !ofp_field_value_is_ones(&sf->mask, sf->field->n_bytes)) {
        return false;
    }
    switch (sf->field->id) {
    case OFPF_ETH_SRC:
    case OFPF_ETH_DST:
        put_action_hdr(out, sf->field->id == OFPF_ETH_SRC
                       ? OFPAT10_SET_DL_SRC : OFPAT10_SET_DL_DST, 16);
        ofpbuf_put(out, v, 6);
        ofpbuf_put_zeros(out, 6);
        return true;
    case OFPF_IPV4_SRC:
    case OFPF_IPV4_DST:
        put_action_hdr(out, sf->field->id == OFPF_IPV4_SRC
                       ? OFPAT10_SET_NW_SRC : OFPAT10_SET_NW_DST, 8);
        ofpbuf_put(out, v, 4);
        return true;
    case OFPF_IP_DSCP:
        put_simple(out, OFPAT10_SET_NW_TOS, (uint32_t) v[0] << 26, 8);
        return true;
    case OFPF_TCP_SRC:
    case OFPF_UDP_SRC:
    case OFPF_SCTP_SRC:
    case OFPF_TCP_DST:
    case OFPF_UDP_DST:
    case OFPF_SCTP_DST: {
        bool src = (sf->field->id == OFPF_TCP_SRC
                    || sf->field->id == OFPF_UDP_SRC
                    || sf->field->id == OFPF_SCTP_SRC);
        put_simple(out, src ? OFPAT10_SET_TP_SRC : OFPAT10_SET_TP_DST,
                   (uint32_t) ofpa_get16(v) << 16, 8);
        return true;
    }
    default:
        return false;
    }
}

static void
encode_of10(const struct ofpact *a, const struct ofp_tlv_map *map,
            struct ofpbuf *out)
{
    switch ((enum ofpact_type) a->type) {
    case OFPACT_OUTPUT: {
        const struct ofpact_output *o = OFPACT_CAST_CONST(output, a);
        put_simple(out, OFPAT10_OUTPUT, o->port << 16 | o->max_len, 8);
        return;
    }
    case OFPACT_CONTROLLER: {
        const struct ofpact_controller *c = OFPACT_CAST_CONST(controller, a);
        if (c->reason == OFPA_OFPR_ACTION && !c->controller_id
            && !c->userdata_len && !c->pause && c->meter_id == OFPA_NO_METER) {
            put_simple(out, OFPAT10_OUTPUT,
                       (uint32_t) OFPP_CONTROLLER << 16 | c->max_len, 8);
            return;
        }
        break;
    }
    case OFPACT_ENQUEUE: {
        const struct ofpact_enqueue *e = OFPACT_CAST_CONST(enqueue, a);
        put_simple(out, OFPAT10_ENQUEUE, e->port << 16, 12);
        ofpbuf_put_be32(out, e->queue);
        ofpbuf_set_be16(out, out->size - 14, 16);
        return;
    }
    case OFPACT_SET_FIELD:
        if (encode_set_field_of10(OFPACT_CAST_CONST(set_field, a), out)) {
            return;
        }
        ofpacts__encode_reg_load(OFPACT_CAST_CONST(set_field, a), OFPA_V10,
                                 map, out);
        return;
    case OFPACT_POP_VLAN:
        put_simple(out, OFPAT10_STRIP_VLAN, 0, 8);
        return;
    case OFPACT_SET_VLAN_VID:
        put_simple(out, OFPAT10_SET_VLAN_VID,
                   (uint32_t) OFPACT_CAST_CONST(u16, a)->value << 16, 8);
        return;
    case OFPACT_SET_VLAN_PCP:
        put_simple(out, OFPAT10_SET_VLAN_PCP,
                   (uint32_t) OFPACT_CAST_CONST(u8, a)->value << 24, 8);
        return;
    case OFPACT_SET_ETH_SRC:
    case OFPACT_SET_ETH_DST:
        put_action_hdr(out, a->type == OFPACT_SET_ETH_SRC
                       ? OFPAT10_SET_DL_SRC : OFPAT10_SET_DL_DST, 16);
        ofpbuf_put(out, &OFPACT_CAST_CONST(mac, a)->mac, 6);
        ofpbuf_put_zeros(out, 6);
        return;
    case OFPACT_SET_IPV4_SRC:
    case OFPACT_SET_IPV4_DST:
        put_action_hdr(out, a->type == OFPACT_SET_IPV4_SRC
                       ? OFPAT10_SET_NW_SRC : OFPAT10_SET_NW_DST, 8);
        ofpbuf_put(out, &OFPACT_CAST_CONST(u32, a)->value, 4);
        return;
    case OFPACT_SET_IP_DSCP:
        put_simple(out, OFPAT10_SET_NW_TOS,
                   (uint32_t) OFPACT_CAST_CONST(u8, a)->value << 24, 8);
        return;
    case OFPACT_SET_IP_ECN:
        put_load_u(out, map, OFPF_IP_ECN, OFPACT_CAST_CONST(u8, a)->value);
        return;
    case OFPACT_SET_IP_TTL:
        put_load_u(out, map, OFPF_IP_TTL, OFPACT_CAST_CONST(u8, a)->value);
        return;
    case OFPACT_SET_L4_SRC:
    case OFPACT_SET_L4_DST:
        put_simple(out, a->type == OFPACT_SET_L4_SRC ? OFPAT10_SET_TP_SRC
                   : OFPAT10_SET_TP_DST,
                   (uint32_t) OFPACT_CAST_CONST(u16, a)->value << 16, 8);
        return;
    case OFPACT_GOTO_TABLE: {
        struct ofpact_resubmit r;
        memset(&r, 0, sizeof r);
        r.ofpact.type = OFPACT_RESUBMIT;
        r.ofpact.len = sizeof r;
        r.in_port = OFPP_IN_PORT;
        r.table_id = OFPACT_CAST_CONST(u8, a)->value;
        ofpacts__encode_nx(&r.ofpact, OFPA_V10, map, out);
        return;
    }
    case OFPACT_METER:
    case OFPACT_CLEAR_ACTIONS:
    case OFPACT_WRITE_ACTIONS:
    case OFPACT_PUSH_VLAN:
        /* Not expressible in OpenFlow 1.0. */
        return;
    default:
        break;
    }
    if (!ofpacts__encode_nx(a, OFPA_V10, map, out)) {
        NOT_REACHED();
    }
}

static void
encode_of11(const struct ofpact *a, uint8_t version,
            const struct ofp_tlv_map *map, struct ofpbuf *out)
{
    switch ((enum ofpact_type) a->type) {
    case OFPACT_OUTPUT: {
        const struct ofpact_output *o = OFPACT_CAST_CONST(output, a);
        put_simple(out, OFPAT_OUTPUT, ofpacts__port_to_ofp11(o->port), 16);
        ofpbuf_set_be16(out, out->size - 8, o->max_len);
        return;
    }
    case OFPACT_CONTROLLER: {
        const struct ofpact_controller *c = OFPACT_CAST_CONST(controller, a);
        if (c->reason == OFPA_OFPR_ACTION && !c->controller_id
            && !c->userdata_len && !c->pause && c->meter_id == OFPA_NO_METER) {
            put_simple(out, OFPAT_OUTPUT,
                       ofpacts__port_to_ofp11(OFPP_CONTROLLER), 16);
            ofpbuf_set_be16(out, out->size - 8, c->max_len);
            return;
        }
        break;
    }
    case OFPACT_ENQUEUE: {
        const struct ofpact_enqueue *e = OFPACT_CAST_CONST(enqueue, a);
        put_simple(out, OFPAT_SET_QUEUE, e->queue, 8);
        put_simple(out, OFPAT_OUTPUT, ofpacts__port_to_ofp11(e->port), 16);
        ofpbuf_set_be16(out, out->size - 8, UINT16_MAX);
        ofpacts__encode_nx(&(struct ofpact) { OFPACT_POP_QUEUE, 8 },
                           version, map, out);
        return;
    }
    case OFPACT_GROUP:
        put_simple(out, OFPAT_GROUP, OFPACT_CAST_CONST(group, a)->group_id, 8);
        return;
    case OFPACT_SET_FIELD: {
        const struct ofpact_set_field *sf = OFPACT_CAST_CONST(set_field, a);
        unsigned int n = ofp_field_n_bytes(sf->field, map);
        bool whole = ofp_field_value_is_ones(&sf->mask, n);
        if (version >= OFPA_V15 || (whole && !sf->is_load)) {
            put_set_field(out, version, map, sf->field, &sf->value,
                          &sf->mask);
        } else {
            ofpacts__encode_reg_load(sf, version, map, out);
        }
        return;
    }
    case OFPACT_REG_MOVE:
        if (version >= OFPA_V15) {
            const struct ofpact_reg_move *m = OFPACT_CAST_CONST(reg_move, a);
            size_t start = out->size;
            put_action_hdr(out, OFPAT_COPY_FIELD, 0);
            ofpbuf_put_be16(out, m->src.n_bits);
            ofpbuf_put_be16(out, m->src.ofs);
            ofpbuf_put_be16(out, m->dst.ofs);
            ofpbuf_put_zeros(out, 2);
            ofpacts__put_header(out, m->src.field, version, false, false,
                                ofp_field_n_bytes(m->src.field, map));
            ofpacts__put_header(out, m->dst.field, version, false, false,
                                ofp_field_n_bytes(m->dst.field, map));
            ofpbuf_pad_to(out, 8, start);
            ofpbuf_set_be16(out, start + 2, out->size - start);
            return;
        }
        break;
    case OFPACT_PUSH_VLAN:
        put_simple(out, OFPAT_PUSH_VLAN,
                   (uint32_t) OFPACT_CAST_CONST(push_vlan, a)->ethertype << 16,
                   8);
        return;
    case OFPACT_POP_VLAN:
        put_simple(out, OFPAT_POP_VLAN, 0, 8);
        return;
    case OFPACT_SET_VLAN_VID:
        put_vid_pcp_of11(out, version, map, OFPF_VLAN_VID,
                         OFPACT_CAST_CONST(u16, a)->value | VLAN_CFI);
        return;
    case OFPACT_SET_VLAN_PCP:
        put_vid_pcp_of11(out, version, map, OFPF_VLAN_PCP,
                         OFPACT_CAST_CONST(u8, a)->value);
        return;
    case OFPACT_SET_ETH_SRC:
    case OFPACT_SET_ETH_DST: {
        union ofp_field_value v;
        memset(&v, 0, sizeof v);
        v.mac = OFPACT_CAST_CONST(mac, a)->mac;
        put_set_field(out, version, map,
                      ofp_field_from_id(a->type == OFPACT_SET_ETH_SRC
                                        ? OFPF_ETH_SRC : OFPF_ETH_DST),
                      &v, NULL);
        return;
    }
    case OFPACT_SET_IPV4_SRC:
    case OFPACT_SET_IPV4_DST: {
        union ofp_field_value v;
        memset(&v, 0, sizeof v);
        memcpy(v.b, &OFPACT_CAST_CONST(u32, a)->value, 4);
        put_set_field(out, version, map,
                      ofp_field_from_id(a->type == OFPACT_SET_IPV4_SRC
                                        ? OFPF_IPV4_SRC : OFPF_IPV4_DST),
                      &v, NULL);
        return;
    }
    case OFPACT_SET_IP_DSCP:
        put_set_field_u(out, version, map, OFPF_IP_DSCP,
                        OFPACT_CAST_CONST(u8, a)->value >> 2);
        return;
    case OFPACT_SET_IP_ECN:
        put_set_field_u(out, version, map, OFPF_IP_ECN,
                        OFPACT_CAST_CONST(u8, a)->value);
        return;
    case OFPACT_SET_IP_TTL:
        put_simple(out, OFPAT_SET_NW_TTL,
                   (uint32_t) OFPACT_CAST_CONST(u8, a)->value << 24, 8);
        return;
    case OFPACT_SET_L4_SRC:
    case OFPACT_SET_L4_DST:
        /* XXX(#4): the protocol is in the match, not here; TCP assumed. */
        put_set_field_u(out, version, map,
                        a->type == OFPACT_SET_L4_SRC ? OFPF_TCP_SRC
                        : OFPF_TCP_DST, OFPACT_CAST_CONST(u16, a)->value);
        return;
    case OFPACT_DEC_TTL: {
        const struct ofpact_dec_ttl *d = OFPACT_CAST_CONST(dec_ttl, a);
        if (!d->n_ids) {
            put_simple(out, OFPAT_DEC_NW_TTL, 0, 8);
            return;
        }
        break;
    }
    case OFPACT_SET_MPLS_TTL:
        put_simple(out, OFPAT_SET_MPLS_TTL,
                   (uint32_t) OFPACT_CAST_CONST(u8, a)->value << 24, 8);
        return;
    case OFPACT_DEC_MPLS_TTL:
        put_simple(out, OFPAT_DEC_MPLS_TTL, 0, 8);
        return;
    case OFPACT_PUSH_MPLS:
    case OFPACT_POP_MPLS:
        put_simple(out, a->type == OFPACT_PUSH_MPLS ? OFPAT_PUSH_MPLS
                   : OFPAT_POP_MPLS,
                   (uint32_t) OFPACT_CAST_CONST(u16, a)->value << 16, 8);
        return;
    case OFPACT_SET_TUNNEL:
        put_set_field_u(out, version, map, OFPF_TUN_ID,
                        OFPACT_CAST_CONST(tunnel, a)->tun_id);
        return;
    case OFPACT_SET_QUEUE:
        put_simple(out, OFPAT_SET_QUEUE, OFPACT_CAST_CONST(u32, a)->value, 8);
        return;
    case OFPACT_METER:
        if (version >= OFPA_V15) {
            put_simple(out, OFPAT_METER, OFPACT_CAST_CONST(u32, a)->value, 8);
        }
        return;
    case OFPACT_CLEAR_ACTIONS:
    case OFPACT_WRITE_ACTIONS:
    case OFPACT_WRITE_METADATA:
    case OFPACT_GOTO_TABLE:
        /* Instructions: see ofpacts_encode_instructions(). */
        return;
    default:
        break;
    }
    if (!ofpacts__encode_nx(a, version, map, out)) {
        NOT_REACHED();
    }
}

/* Whether 'version' can carry 'a' (see ofpacts_check_version()). */
static bool
version_carries(const struct ofpact *a, uint8_t version, bool instructions)
{
    switch ((enum ofpact_type) a->type) {
    case OFPACT_PUSH_VLAN:
        return version != OFPA_V10;
    case OFPACT_METER:
        return (version >= OFPA_V15
                || (version >= OFPA_V13 && instructions));
    case OFPACT_CLEAR_ACTIONS:
    case OFPACT_WRITE_ACTIONS:
        /* ovs-ofctl drops these from an OpenFlow 1.0 flow mod. */
        return version == OFPA_V10 || instructions;
    case OFPACT_WRITE_METADATA:
    case OFPACT_GOTO_TABLE:
        /* OpenFlow 1.0 has Nicira actions for these. */
        return version == OFPA_V10 || instructions;
    default:
        return true;
    }
}

/* Checks that wire 'version' can carry 'ofpacts'; see the header. */
enum ofperr
ofpacts_check_version(const struct ofpact *ofpacts, size_t size,
                      uint8_t version, bool instructions,
                      const struct ofpact **bad)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, size) {
        if (!version_carries(a, version, instructions)) {
            if (bad) {
                *bad = a;
            }
            return (a->type >= OFPACT_METER ? OFPERR_OFPBIC_UNSUP_INST
                    : OFPERR_OFPBAC_BAD_TYPE);
        }
    }
    if (bad) {
        *bad = NULL;
    }
    return 0;
}

/* The versions whose flow mods can carry 'ofpacts'; see the header. */
uint32_t
ofpacts_usable_versions(const struct ofpact *ofpacts, size_t size)
{
    static const uint8_t versions[] = {
        OFPA_V10, OFPA_V13, OFPA_V13 + 1, OFPA_V15,
    };
    uint32_t bitmap = 0;

    for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
        if (!ofpacts_check_version(ofpacts, size, versions[i],
                                   versions[i] >= OFPA_V13, NULL)) {
            bitmap |= 1u << versions[i];
        }
    }
    return bitmap;
}

/* Encodes an action list for 'version'. */
size_t
ofpacts_encode_actions(const struct ofpact *ofpacts, size_t size,
                       uint8_t version, const struct ofp_tlv_map *map,
                       struct ofpbuf *out)
{
    size_t start = out->size;
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, size) {
        if (version == OFPA_V10) {
            encode_of10(a, map, out);
        } else {
            encode_of11(a, version, map, out);
        }
    }
    return out->size - start;
}

/* Encodes an instruction list for 'version' (1.3+). */
size_t
ofpacts_encode_instructions(const struct ofpact *ofpacts, size_t size,
                            uint8_t version, const struct ofp_tlv_map *map,
                            struct ofpbuf *out)
{
    size_t start = out->size, apply = SIZE_MAX;
    const struct ofpact *a;

    ASSERT(version >= OFPA_V13);
    OFPACT_FOR_EACH (a, ofpacts, size) {
        bool action = a->type < OFPACT_METER
                      || (a->type == OFPACT_METER && version >= OFPA_V15);

        if (action) {
            if (apply == SIZE_MAX) {
                apply = out->size;
                put_action_hdr(out, OFPIT_APPLY_ACTIONS, 0);
                ofpbuf_put_zeros(out, 4);
            }
            encode_of11(a, version, map, out);
            continue;
        }
        if (apply != SIZE_MAX) {
            ofpbuf_set_be16(out, apply + 2, out->size - apply);
            apply = SIZE_MAX;
        }
        switch ((enum ofpact_type) a->type) {
        case OFPACT_METER:
            put_simple(out, OFPIT_METER, OFPACT_CAST_CONST(u32, a)->value, 8);
            break;
        case OFPACT_CLEAR_ACTIONS:
            put_simple(out, OFPIT_CLEAR_ACTIONS, 0, 8);
            break;
        case OFPACT_WRITE_ACTIONS: {
            size_t ws = out->size, n;
            const struct ofpact *nested = ofpact_nested(a, &n);
            put_simple(out, OFPIT_WRITE_ACTIONS, 0, 8);
            ofpacts_encode_actions(nested, n, version, map, out);
            ofpbuf_set_be16(out, ws + 2, out->size - ws);
            break;
        }
        case OFPACT_WRITE_METADATA: {
            const struct ofpact_metadata *md = OFPACT_CAST_CONST(metadata, a);
            put_simple(out, OFPIT_WRITE_METADATA, 0, 8);
            ofpbuf_put_be64(out, md->metadata);
            ofpbuf_put_be64(out, md->mask);
            ofpbuf_set_be16(out, out->size - 22, 24);
            break;
        }
        case OFPACT_GOTO_TABLE:
            put_simple(out, OFPIT_GOTO_TABLE,
                       (uint32_t) OFPACT_CAST_CONST(u8, a)->value << 24, 8);
            break;
        default:
            NOT_REACHED();
        }
    }
    if (apply != SIZE_MAX) {
        ofpbuf_set_be16(out, apply + 2, out->size - apply);
    }
    return out->size - start;
}

/* ---- Validation. ---- */

struct check_ctx {
    struct ofp_match match;     /* The flow's match, updated by vlan
                                 * pushes and pops. */
    bool has_match;             /* False for packet_out (no checks of
                                 * prerequisites). */
    const struct ofp_tlv_map *map; /* TLV map. */
    uint32_t max_ports;         /* Ports are below this. */
    uint8_t table_id;           /* Table of the flow, 255 for none. */
};

static bool
prereqs_ok(const struct check_ctx *ctx, const struct ofp_field *f)
{
    return !ctx->has_match
           || ofp_field_prereqs_ok(f, &ctx->match.flow, &ctx->match.wc);
}

static bool
prereq_id_ok(const struct check_ctx *ctx, enum ofp_field_id id)
{
    return prereqs_ok(ctx, ofp_field_from_id(id));
}

static enum ofperr
check_port(const struct check_ctx *ctx, uint32_t port)
{
    switch (port) {
    case OFPP_IN_PORT:
    case OFPP_TABLE:
    case OFPP_NORMAL:
    case OFPP_FLOOD:
    case OFPP_ALL:
    case OFPP_CONTROLLER:
    case OFPP_LOCAL:
        return 0;
    default:
        return port < ctx->max_ports && port < OFPP_MAX_PORT
               ? 0 : OFPERR_OFPBAC_BAD_OUT_PORT;
    }
}

static bool
is_ct_field(const struct ofp_field *f)
{
    return f->id == OFPF_CT_MARK || f->id == OFPF_CT_LABEL;
}

/* Whether the match pins a valid conntrack state (ovs-actions(7)
 * "resubmit": +new, +est, +rel, or +trk-inv). */
static bool
ct_state_valid(const struct check_ctx *ctx)
{
    uint8_t v = ctx->match.flow.ct_state, m = ctx->match.wc.masks.ct_state;
    uint8_t set = v & m;

    if (!ctx->has_match) {
        return true;
    }
    return (set & (CS_NEW | CS_ESTABLISHED | CS_RELATED))
           || ((set & CS_TRACKED) && (m & CS_INVALID) && !(v & CS_INVALID));
}

static bool
nw_proto_is(const struct check_ctx *ctx, uint8_t proto)
{
    return !ctx->has_match || (ctx->match.wc.masks.nw_proto == 0xff
                               && ctx->match.flow.nw_proto == proto);
}

static bool
dl_type_is(const struct check_ctx *ctx, uint16_t type)
{
    return !ctx->has_match
           || (ctx->match.wc.masks.dl_type == htonbe16(0xffff)
               && ctx->match.flow.dl_type == htonbe16(type));
}

static enum ofperr check_list(struct check_ctx *, const struct ofpact *,
                              size_t, enum ofpact_type outer);

static enum ofperr
check_learn(struct check_ctx *ctx, const struct ofpact_learn *l)
{
    for (uint32_t i = 0; i < l->n_specs; i++) {
        const struct ofpact_learn_spec *s = &l->specs[i];
        if (s->src_type == OFPACT_LEARN_SRC_FIELD
            && !prereqs_ok(ctx, s->src.field)) {
            return OFPERR_OFPBAC_MATCH_INCONSISTENT;
        }
    }
    return 0;
}

static enum ofperr
check_one(struct check_ctx *ctx, const struct ofpact *a,
          enum ofpact_type outer)
{
    switch ((enum ofpact_type) a->type) {
    case OFPACT_OUTPUT:
        return check_port(ctx, OFPACT_CAST_CONST(output, a)->port);
    case OFPACT_ENQUEUE: {
        uint32_t port = OFPACT_CAST_CONST(enqueue, a)->port;
        return (port < ctx->max_ports || port == OFPP_IN_PORT
                || port == OFPP_LOCAL) ? 0 : OFPERR_OFPBAC_BAD_OUT_PORT;
    }
    case OFPACT_OUTPUT_REG:
        return prereqs_ok(ctx, OFPACT_CAST_CONST(output_reg, a)->src.field)
               ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
    case OFPACT_SET_FIELD: {
        const struct ofp_field *f = OFPACT_CAST_CONST(set_field, a)->field;
        if (is_ct_field(f) != (outer == OFPACT_CT)) {
            return OFPERR_OFPBAC_BAD_SET_ARGUMENT;
        }
        if (f->id == OFPF_VLAN_VID || f->id == OFPF_VLAN_PCP) {
            /* Setting a VLAN field needs a tag (matched or pushed). */
            return !ctx->has_match
                   || (ctx->match.wc.masks.vlans[0].tci & htonbe16(VLAN_CFI)
                       && ctx->match.flow.vlans[0].tci & htonbe16(VLAN_CFI))
                   ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
        }
        return prereqs_ok(ctx, f) ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
    }
    case OFPACT_REG_MOVE: {
        const struct ofpact_reg_move *m = OFPACT_CAST_CONST(reg_move, a);
        return prereqs_ok(ctx, m->src.field) && prereqs_ok(ctx, m->dst.field)
               ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
    }
    case OFPACT_PUSH_VLAN:
        ctx->match.wc.masks.vlans[0].tci |= htonbe16(VLAN_CFI);
        ctx->match.flow.vlans[0].tci |= htonbe16(VLAN_CFI);
        return 0;
    case OFPACT_POP_VLAN:
        ctx->match.wc.masks.vlans[0].tci = htonbe16(0xffff);
        ctx->match.flow.vlans[0].tci = 0;
        return 0;
    case OFPACT_PUSH_MPLS:
    case OFPACT_POP_MPLS:
        /* What follows sees the new Ethertype (a pop of a packet that is
         * not MPLS does nothing, as in ovs-actions(7)). */
        ctx->match.wc.masks.dl_type = htonbe16(0xffff);
        ctx->match.flow.dl_type = htonbe16(OFPACT_CAST_CONST(u16, a)->value);
        return 0;
    case OFPACT_SET_VLAN_VID:
    case OFPACT_SET_VLAN_PCP:
        /* These push a tag when there is none. */
        ctx->match.wc.masks.vlans[0].tci |= htonbe16(VLAN_CFI);
        ctx->match.flow.vlans[0].tci |= htonbe16(VLAN_CFI);
        return 0;
    case OFPACT_SET_IPV4_SRC:
    case OFPACT_SET_IPV4_DST:
        return prereq_id_ok(ctx, OFPF_IPV4_SRC)
               ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
    case OFPACT_SET_IP_DSCP:
    case OFPACT_SET_IP_ECN:
    case OFPACT_SET_IP_TTL:
        return prereq_id_ok(ctx, OFPF_IP_DSCP)
               ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
    case OFPACT_SET_L4_SRC:
    case OFPACT_SET_L4_DST:
        /* OpenFlow 1.0 semantics: no effect on a packet without L4. */
        return prereq_id_ok(ctx, OFPF_IP_DSCP)
               ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
    case OFPACT_RESUBMIT:
        return !OFPACT_CAST_CONST(resubmit, a)->with_ct_orig
               || ct_state_valid(ctx) ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
    case OFPACT_CLONE:
    case OFPACT_WRITE_ACTIONS: {
        size_t n;
        const struct ofpact *nested = ofpact_nested(a, &n);
        struct check_ctx inner = *ctx;
        return check_list(&inner, nested, n, a->type);
    }
    case OFPACT_CHECK_PKT_LARGER:
        return prereqs_ok(ctx,
                          OFPACT_CAST_CONST(check_pkt_larger, a)->dst.field)
               ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
    case OFPACT_CONJUNCTION:
        return 0;
    case OFPACT_LEARN:
        return check_learn(ctx, OFPACT_CAST_CONST(learn, a));
    case OFPACT_MULTIPATH:
        return prereqs_ok(ctx, OFPACT_CAST_CONST(multipath, a)->dst.field)
               ? 0 : OFPERR_OFPBAC_MATCH_INCONSISTENT;
    case OFPACT_CT: {
        const struct ofpact_ct *ct = OFPACT_CAST_CONST(ct, a);
        const struct ofpact *inner;
        size_t n;

        if (ct->zone_src.field && !prereqs_ok(ctx, ct->zone_src.field)) {
            return OFPERR_OFPBAC_MATCH_INCONSISTENT;
        }
        if ((ct->alg == 21 && !nw_proto_is(ctx, 6))
            || (ct->alg == 69 && !nw_proto_is(ctx, 17))) {
            return OFPERR_OFPBAC_MATCH_INCONSISTENT;
        }
        if (outer == OFPACT_CT) {
            return OFPERR_OFPBAC_BAD_ARGUMENT;
        }
        inner = ofpact_nested(a, &n);
        OFPACT_FOR_EACH (a, inner, n) {
            if (a->type == OFPACT_NAT) {
                const struct ofpact_nat *nat = OFPACT_CAST_CONST(nat, a);
                if ((nat->family == AF_INET && !dl_type_is(ctx, 0x0800))
                    || (nat->family == AF_INET6
                        && !dl_type_is(ctx, 0x86dd))) {
                    return OFPERR_OFPBAC_MATCH_INCONSISTENT;
                }
            } else if (a->type != OFPACT_SET_FIELD
                       || !is_ct_field(OFPACT_CAST_CONST(set_field,
                                                         a)->field)) {
                return OFPERR_OFPBAC_BAD_ARGUMENT;
            }
        }
        return 0;
    }
    case OFPACT_NAT:
        return outer == OFPACT_CT ? 0 : OFPERR_OFPBAC_BAD_ARGUMENT;
    case OFPACT_GOTO_TABLE:
        if (ctx->table_id != 255
            && OFPACT_CAST_CONST(u8, a)->value <= ctx->table_id) {
            return OFPERR_OFPBRC_BAD_TABLE_ID;
        }
        return 0;
    default:
        return 0;
    }
}

static int
inst_rank(enum ofpact_type type)
{
    switch (type) {
    case OFPACT_METER:
        return 0;
    case OFPACT_CLEAR_ACTIONS:
        return 2;
    case OFPACT_WRITE_ACTIONS:
        return 3;
    case OFPACT_WRITE_METADATA:
        return 4;
    case OFPACT_GOTO_TABLE:
        return 5;
    default:
        return 1;
    }
}

static enum ofperr
check_list(struct check_ctx *ctx, const struct ofpact *ofpacts, size_t size,
           enum ofpact_type outer)
{
    const struct ofpact *a;
    int last = -1;

    OFPACT_FOR_EACH (a, ofpacts, size) {
        int r = inst_rank(a->type);
        enum ofperr err;

        if (r != 1 && outer != OFPACT_N_TYPES) {
            return OFPERR_OFPBAC_UNSUPPORTED_ORDER;
        }
        if (r < last || (r == last && r != 1)) {
            return OFPERR_OFPBIC_UNSUP_INST;
        }
        last = r;
        err = check_one(ctx, a, outer);
        if (err) {
            return err;
        }
    }
    return 0;
}

/* Validates 'ofpacts' against 'match'. */
enum ofperr
ofpacts_check(const struct ofpact *ofpacts, size_t size,
              const struct ofp_match *match, const struct ofp_tlv_map *map,
              uint32_t max_ports, uint8_t table_id)
{
    struct check_ctx ctx;

    memset(&ctx, 0, sizeof ctx);
    if (match) {
        ctx.match = *match;
        ctx.has_match = true;
    }
    ctx.map = map;
    ctx.max_ports = max_ports;
    ctx.table_id = table_id;
    return check_list(&ctx, ofpacts, size, OFPACT_N_TYPES);
}
