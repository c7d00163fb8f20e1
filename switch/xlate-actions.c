/* The ofpact interpreter of the translator: each OpenFlow action changes
 * the translation context's flow, emits datapath actions (through the
 * lazy commit of xlate.c before anything that sends the packet), marks
 * the flow bits it read in the megaflow mask, or recurses into tables and
 * groups. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "datapath/flow-extract.h"
#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-match.h"
#include "switch/ofproto-meter.h"
#include "switch/ofproto.h"
#include "switch/xlate-private.h"

LOG_MODULE(xlate_actions);

/* ---- Bits of big-endian field values. ---- */

static bool
value_bit(const union ofp_field_value *v, unsigned int n_bytes,
          unsigned int bit)
{
    if (bit >= n_bytes * 8) {
        return false;
    }
    return (v->b[n_bytes - 1 - bit / 8] >> (bit % 8)) & 1;
}

static void
value_set_bit(union ofp_field_value *v, unsigned int n_bytes,
              unsigned int bit, bool on)
{
    if (bit >= n_bytes * 8) {
        return;
    }
    uint8_t *byte = &v->b[n_bytes - 1 - bit / 8];
    uint8_t m = 1u << (bit % 8);
    *byte = on ? *byte | m : *byte & ~m;
}

static const struct ofp_tlv_map *
ctx_tlv_map(const struct xlate_ctx *ctx)
{
    return &ctx->bridge->ofproto->tlv_map;
}

/* Whether setting 'field' changes the packet (so the megaflow must match
 * its old value), as opposed to pipeline-only metadata. */
static bool
field_is_header(const struct ofp_field *field)
{
    return field->id >= OFPF_ETH_SRC || field->id == OFPF_PKT_MARK
           || field->id == OFPF_SKB_PRIORITY;
}

/* Whether subfield 'sf' lies within its field's current width 'n' (in
 * bytes).  A tun_metadata subfield was checked against the TLV map of the
 * time its action was added; connmgr refuses to shrink or drop a mapping
 * in use, and this is the second guard: one that no longer fits is a no-op
 * (reads as 0, writes nothing). */
static bool
subfield_fits(const struct ofp_subfield *sf, unsigned int n)
{
    return sf->n_bits && (unsigned int) sf->ofs + sf->n_bits <= n * 8;
}

/* Copies the 'sf' bits of the flow into the low bits of 'out' (an
 * 'n_out'-byte big-endian value), marking them consulted.  'out' is 0 if
 * 'sf' does not fit its field (subfield_fits()). */
static void
subfield_read(struct xlate_ctx *ctx, const struct ofp_subfield *sf,
              union ofp_field_value *out, unsigned int n_out)
{
    union ofp_field_value v, m;
    unsigned int n = ofp_field_n_bytes(sf->field, ctx_tlv_map(ctx));
    memset(out, 0, sizeof *out);
    if (!subfield_fits(sf, n)) {
        return;
    }
    ofp_field_get_value(sf->field, ctx_tlv_map(ctx), &ctx->flow, &v);
    ofp_field_get_mask(sf->field, ctx_tlv_map(ctx), ctx->wc, &m);
    for (unsigned int i = 0; i < sf->n_bits; i++) {
        value_set_bit(out, n_out, i, value_bit(&v, n, sf->ofs + i));
        value_set_bit(&m, n, sf->ofs + i, true);
    }
    ofp_field_set_mask(sf->field, ctx_tlv_map(ctx), ctx->wc, &m);
}

/* Writes the low 'sf->n_bits' bits of 'in' ('n_in' bytes, big-endian)
 * into the 'sf' bits of the flow. */
static void
subfield_write(struct xlate_ctx *ctx, const struct ofp_subfield *sf,
               const union ofp_field_value *in, unsigned int n_in)
{
    union ofp_field_value v;
    unsigned int n = ofp_field_n_bytes(sf->field, ctx_tlv_map(ctx));
    if (!subfield_fits(sf, n)) {
        return;
    }
    ofp_field_get_value(sf->field, ctx_tlv_map(ctx), &ctx->flow, &v);
    for (unsigned int i = 0; i < sf->n_bits; i++) {
        value_set_bit(&v, n, sf->ofs + i, value_bit(in, n_in, i));
    }
    if (field_is_header(sf->field)) {
        union ofp_field_value m;
        ofp_field_get_mask(sf->field, ctx_tlv_map(ctx), ctx->wc, &m);
        for (unsigned int i = 0; i < sf->n_bits; i++) {
            value_set_bit(&m, n, sf->ofs + i, true);
        }
        ofp_field_set_mask(sf->field, ctx_tlv_map(ctx), ctx->wc, &m);
    }
    if (ofp_field_is_valid_value(sf->field, &v)) {
        ofp_field_set_value(sf->field, ctx_tlv_map(ctx), &ctx->flow, &v);
    }
}

/* The value of subfield 'sf' (up to 64 bits), marking it consulted. */
uint64_t
xlate__subfield_get(struct xlate_ctx *ctx, const struct ofp_subfield *sf)
{
    union ofp_field_value v;
    subfield_read(ctx, sf, &v, 8);
    return be64_to_host(v.be64);
}

/* Stores the low bits of 'value' into subfield 'sf'. */
void
xlate__subfield_set(struct xlate_ctx *ctx, const struct ofp_subfield *sf,
                    uint64_t value)
{
    union ofp_field_value v;
    memset(&v, 0, sizeof v);
    v.be64 = htonbe64(value);
    subfield_write(ctx, sf, &v, 8);
}

/* ---- Individual actions. ---- */

static void
xlate_set_field(struct xlate_ctx *ctx, const struct ofpact_set_field *sf)
{
    const struct ofp_field *field = sf->field;
    const struct ofp_tlv_map *map = ctx_tlv_map(ctx);
    unsigned int n = ofp_field_n_bytes(field, map);
    union ofp_field_value v;
    ofp_field_get_value(field, map, &ctx->flow, &v);
    for (unsigned int i = 0; i < n; i++) {
        v.b[i] = (v.b[i] & ~sf->mask.b[i]) | (sf->value.b[i] & sf->mask.b[i]);
    }
    if (field_is_header(field)) {
        union ofp_field_value m;
        ofp_field_get_mask(field, map, ctx->wc, &m);
        for (unsigned int i = 0; i < n; i++) {
            m.b[i] |= sf->mask.b[i];
        }
        ofp_field_set_mask(field, map, ctx->wc, &m);
    }
    if (field->id == OFPF_VLAN_VID || field->id == OFPF_DL_VLAN
        || field->id == OFPF_VLAN_PCP || field->id == OFPF_DL_VLAN_PCP) {
        FLOW_WC_SET(ctx->wc, vlans[0]);
    }
    if (ofp_field_is_valid_value(field, &v)) {
        ofp_field_set_value(field, map, &ctx->flow, &v);
    }
}

static void
xlate_reg_move(struct xlate_ctx *ctx, const struct ofpact_reg_move *m)
{
    union ofp_field_value v;
    subfield_read(ctx, &m->src, &v, sizeof v.b);
    subfield_write(ctx, &m->dst, &v, sizeof v.b);
}

static void
xlate_push_vlan(struct xlate_ctx *ctx, uint16_t tpid)
{
    struct flow_vlan *v = ctx->flow.vlans;
    FLOW_WC_SET(ctx->wc, vlans);
    uint16_t tci = be16_to_host(v[0].tci) | VLAN_CFI;
    memmove(&v[1], &v[0], sizeof v[0] * (FLOW_MAX_VLANS - 1));
    v[0].tpid = htonbe16(tpid);
    v[0].tci = htonbe16(tci);
}

static void
xlate_pop_vlan(struct xlate_ctx *ctx)
{
    struct flow_vlan *v = ctx->flow.vlans;
    FLOW_WC_SET(ctx->wc, vlans);
    memmove(&v[0], &v[1], sizeof v[0] * (FLOW_MAX_VLANS - 1));
    memset(&v[FLOW_MAX_VLANS - 1], 0, sizeof v[0]);
}

static void
xlate_set_vlan(struct xlate_ctx *ctx, int vid, int pcp)
{
    struct flow_vlan *v = ctx->flow.vlans;
    FLOW_WC_SET(ctx->wc, vlans);
    if (!(v[0].tci & htonbe16(VLAN_CFI))) {
        memmove(&v[1], &v[0], sizeof v[0] * (FLOW_MAX_VLANS - 1));
        v[0].tpid = htonbe16(0x8100);
        v[0].tci = htonbe16(VLAN_CFI);
    }
    uint16_t tci = be16_to_host(v[0].tci);
    if (vid >= 0) {
        tci = (tci & ~VLAN_VID_MASK) | (vid & VLAN_VID_MASK);
    }
    if (pcp >= 0) {
        tci = (tci & 0x1fff) | ((pcp & 7) << VLAN_PCP_SHIFT);
    }
    v[0].tci = htonbe16(tci);
}

static bool
flow_is_ip(struct xlate_ctx *ctx)
{
    FLOW_WC_SET(ctx->wc, dl_type);
    return ctx->flow.dl_type == htonbe16(0x0800)
           || ctx->flow.dl_type == htonbe16(0x86dd);
}

/* The datapath meter of OpenFlow meter 'meter_id', or
 * OFPROTO_METER_NO_DP.  The bridge's read lock is held. */
static uint32_t
meter_dp_id(struct xlate_ctx *ctx, uint32_t meter_id)
{
    const struct ofproto_meter *m = ofproto_meter_find(ctx->bridge->ofproto,
                                                       meter_id);
    return m ? m->dp_id : OFPROTO_METER_NO_DP;
}

/* The meter instruction (OpenFlow 1.3) or action (1.5): the packets go
 * through the meter's datapath meter, which may drop or remark them. */
static void
xlate_meter(struct xlate_ctx *ctx, uint32_t meter_id)
{
    uint32_t dp_id = meter_dp_id(ctx, meter_id);
    if (dp_id == OFPROTO_METER_NO_DP) {
        xlate__trace(ctx, "meter:%"PRIu32" (no such meter: ignored)",
                     meter_id);
        return;
    }
    xlate__commit(ctx);
    dp_actions_put_meter(&ctx->b, dp_id);
    xlate__trace(ctx, "meter:%"PRIu32" -> datapath meter(%"PRIu32")",
                 meter_id, dp_id);
}

/* Before a controller action (or output to CONTROLLER): if 'meter_id'
 * (UINT32_MAX for none: then the OFPM_CONTROLLER meter) exists, opens a
 * clone whose copy of the packets goes through that meter to the
 * controller, and returns a nonzero token for
 * xlate__controller_meter_end(); else 0.  A paused controller action is
 * not metered (its packet is the pipeline's). */
size_t
xlate__controller_meter_start(struct xlate_ctx *ctx, uint32_t meter_id,
                              bool pause)
{
    if (pause) {
        return 0;
    }
    uint32_t dp_id = meter_dp_id(ctx, (meter_id != UINT32_MAX
                                       ? meter_id : OFPM_CONTROLLER));
    if (dp_id == OFPROTO_METER_NO_DP) {
        return 0;
    }
    xlate__commit(ctx);
    size_t token = dp_actions_start_clone(&ctx->b);
    dp_actions_put_meter(&ctx->b, dp_id);
    return token + 1;
}

/* Closes what xlate__controller_meter_start() opened. */
void
xlate__controller_meter_end(struct xlate_ctx *ctx, size_t token)
{
    if (token) {
        dp_actions_end_nested(&ctx->b, token - 1);
    }
}

/* dec_ttl: returns false if the pipeline stops (TTL expired). */
static bool
xlate_dec_ttl(struct xlate_ctx *ctx, const struct ofpact_dec_ttl *d)
{
    if (!flow_is_ip(ctx)) {
        return true;
    }
    FLOW_WC_SET(ctx->wc, nw_ttl);
    if (ctx->flow.nw_ttl > 1) {
        ctx->flow.nw_ttl--;
        return true;
    }
    /* OFPR_INVALID_TTL to each controller id (0 by default). */
    if (!d->n_ids) {
        xlate__controller(ctx, 2, UINT16_MAX, 0, NULL, 0, false, NULL, 0);
    }
    for (size_t i = 0; i < d->n_ids; i++) {
        xlate__controller(ctx, 2, UINT16_MAX, d->ids[i], NULL, 0, false,
                          NULL, 0);
    }
    return false;
}

/* ---- MPLS (OpenFlow 1.3.5 §5.12, ovs-actions(7) "push_mpls"). ---- */

static bool
flow_is_mpls(struct xlate_ctx *ctx)
{
    FLOW_WC_SET(ctx->wc, dl_type);
    return ctx->flow.dl_type == htonbe16(0x8847)
           || ctx->flow.dl_type == htonbe16(0x8848);
}

/* push_mpls: a new top entry copies the current top one (BOS clear);
 * onto a packet without labels it has label 0, TC 0, the IP TTL (0 for
 * non-IP) and BOS set (OpenFlow 1.3.5 Table "push" defaults). */
static void
xlate_push_mpls(struct xlate_ctx *ctx, uint16_t ethertype)
{
    uint32_t lse;

    if (flow_is_mpls(ctx)) {
        FLOW_WC_SET(ctx->wc, mpls_lse);
        lse = be32_to_host(ctx->flow.mpls_lse) & ~MPLS_BOS_MASK;
    } else {
        lse = MPLS_BOS_MASK;
        if (flow_is_ip(ctx)) {
            FLOW_WC_SET(ctx->wc, nw_ttl);
            lse |= ctx->flow.nw_ttl;
        }
    }
    /* Header changes so far apply to the headers below the new label. */
    xlate__commit(ctx);
    dp_actions_put_push_mpls(&ctx->b, ethertype, htonbe32(lse));
    ctx->flow.dl_type = ctx->base.dl_type = htonbe16(ethertype);
    ctx->flow.mpls_lse = ctx->base.mpls_lse = htonbe32(lse);
}

/* pop_mpls: no-op without a label.  What is below the popped entry (the
 * next entry, or an 'ethertype' header) is parsed on recirculation, before
 * the next table lookup. */
static void
xlate_pop_mpls(struct xlate_ctx *ctx, uint16_t ethertype)
{
    if (!flow_is_mpls(ctx)) {
        return;
    }
    xlate__commit(ctx);
    dp_actions_put_pop_mpls(&ctx->b, ethertype);
    ctx->flow.dl_type = ctx->base.dl_type = htonbe16(ethertype);
    ctx->flow.mpls_lse = ctx->base.mpls_lse = 0;
    ctx->mpls_popped = true;
}

static void
xlate_set_mpls_ttl(struct xlate_ctx *ctx, uint8_t ttl)
{
    if (!flow_is_mpls(ctx)) {
        return;
    }
    FLOW_WC_SET(ctx->wc, mpls_lse);
    ctx->flow.mpls_lse = htonbe32((be32_to_host(ctx->flow.mpls_lse)
                                   & ~MPLS_TTL_MASK) | ttl);
}

/* dec_mpls_ttl: returns false if the pipeline stops (TTL expired: the
 * packet goes to the controllers with reason invalid_ttl). */
static bool
xlate_dec_mpls_ttl(struct xlate_ctx *ctx)
{
    if (!flow_is_mpls(ctx)) {
        return true;
    }
    FLOW_WC_SET(ctx->wc, mpls_lse);
    uint32_t lse = be32_to_host(ctx->flow.mpls_lse);
    uint8_t ttl = lse & MPLS_TTL_MASK;
    if (ttl > 1) {
        ctx->flow.mpls_lse = htonbe32((lse & ~MPLS_TTL_MASK) | (ttl - 1));
        return true;
    }
    xlate__controller(ctx, 2, UINT16_MAX, 0, NULL, 0, false, NULL, 0);
    return false;
}

static void
xlate_group_bucket(struct xlate_ctx *ctx, const struct ofproto_bucket *b)
{
    struct flow old = ctx->flow, old_base = ctx->base;
    bool old_exit = ctx->exit, old_popped = ctx->mpls_popped;
    const struct ofpact *acts = ofproto_actions_get(b->actions), *a;
    size_t size = b->actions->size;

    /* Header changes of a bucket are undone for what follows by the lazy
     * commit, but an MPLS push or pop is emitted at once: such a bucket
     * works on a clone of the packet. */
    bool mpls = false;
    OFPACT_FOR_EACH (a, acts, size) {
        mpls |= a->type == OFPACT_PUSH_MPLS || a->type == OFPACT_POP_MPLS;
    }
    size_t token = mpls ? dp_actions_start_clone(&ctx->b) : 0;
    xlate__trace(ctx, "bucket %u", b->bucket_id);
    ctx->indent++;
    xlate__actions(ctx, acts, size);
    ctx->indent--;
    if (mpls) {
        dp_actions_end_nested(&ctx->b, token);
        ctx->base = old_base;
    }
    ctx->flow = old;
    ctx->exit = old_exit;
    ctx->mpls_popped = old_popped;
}

static bool
bucket_is_live(struct xlate_ctx *ctx, const struct ofproto_bucket *b,
               int depth)
{
    if (b->watch_port != OFPP_NONE) {
        const struct xlate_port *xp = xlate__port(ctx->bridge,
                                                  b->watch_port);
        if (!xp || !xp->live) {
            return false;
        }
    }
    if (b->watch_group != OFPROTO_GROUP_ANY && depth < 8) {
        const struct ofproto_group *g
            = ofproto_group_find(ctx->bridge->ofproto, b->watch_group);
        if (!g) {
            return false;
        }
        for (size_t i = 0; i < g->n_buckets; i++) {
            if (bucket_is_live(ctx, &g->buckets[i], depth + 1)) {
                return true;
            }
        }
        return false;
    }
    return true;
}

/* The hash that picks a select group's bucket: the Ethernet addresses,
 * then the IP 5-tuple (flow_hash_5tuple()), or for ARP the protocol
 * addresses, so that traffic that differs in any of them spreads.  Marks
 * the fields hashed in the megaflow. */
static uint32_t
select_hash(struct xlate_ctx *ctx)
{
    const struct flow *f = &ctx->flow;
    struct flow_wildcards *wc = ctx->wc;

    FLOW_WC_SET(wc, dl_src);
    FLOW_WC_SET(wc, dl_dst);
    FLOW_WC_SET(wc, dl_type);
    uint32_t h = hash_bytes(&f->dl_src, sizeof f->dl_src, 0);
    h = hash_bytes(&f->dl_dst, sizeof f->dl_dst, h);
    if (f->dl_type == htonbe16(0x0806) || f->dl_type == htonbe16(0x8035)) {
        FLOW_WC_SET(wc, nw_src);
        FLOW_WC_SET(wc, nw_dst);
        return hash_finish(hash_add(hash_add(h, (KILN_FORCE uint32_t)
                                                f->nw_src),
                                    (KILN_FORCE uint32_t) f->nw_dst), 8);
    }
    FLOW_WC_SET(wc, nw_src);
    FLOW_WC_SET(wc, nw_dst);
    FLOW_WC_SET(wc, ipv6_src);
    FLOW_WC_SET(wc, ipv6_dst);
    FLOW_WC_SET(wc, nw_proto);
    FLOW_WC_SET(wc, tp_src);
    FLOW_WC_SET(wc, tp_dst);
    return flow_hash_5tuple(f, h);
}

static void
xlate_group(struct xlate_ctx *ctx, uint32_t group_id)
{
    const struct ofproto_group *g = ofproto_group_find(ctx->bridge->ofproto,
                                                       group_id);
    if (!g) {
        xlate__trace(ctx, " >> no group %u", group_id);
        return;
    }
    if (ctx->depth >= XLATE_MAX_DEPTH) {
        ctx->error = true;
        return;
    }
    ctx->depth++;
    switch (g->type) {
    case OFPROTO_GT_ALL:
        for (size_t i = 0; i < g->n_buckets; i++) {
            xlate_group_bucket(ctx, &g->buckets[i]);
        }
        break;
    case OFPROTO_GT_INDIRECT:
        if (g->n_buckets) {
            xlate_group_bucket(ctx, &g->buckets[0]);
        }
        break;
    case OFPROTO_GT_SELECT: {
        uint64_t total = 0;
        for (size_t i = 0; i < g->n_buckets; i++) {
            total += g->buckets[i].weight;
        }
        if (!total) {
            break;
        }
        uint32_t h = select_hash(ctx);
        uint64_t pick = ((uint64_t) h * total) >> 32;
        for (size_t i = 0; i < g->n_buckets; i++) {
            if (pick < g->buckets[i].weight) {
                xlate_group_bucket(ctx, &g->buckets[i]);
                break;
            }
            pick -= g->buckets[i].weight;
        }
        break;
    }
    case OFPROTO_GT_FF:
        for (size_t i = 0; i < g->n_buckets; i++) {
            if (bucket_is_live(ctx, &g->buckets[i], 0)) {
                xlate_group_bucket(ctx, &g->buckets[i]);
                break;
            }
        }
        break;
    }
    ctx->depth--;
}

static void
xlate_ct(struct xlate_ctx *ctx, const struct ofpact_ct *c)
{
    struct dp_action_ct ct;
    memset(&ct, 0, sizeof ct);
    ct.zone = c->zone_src.field ? xlate__subfield_get(ctx, &c->zone_src)
                                : c->zone_imm;
    if (c->flags & OFPACT_CT_COMMIT) {
        ct.flags |= DP_CT_F_COMMIT;
    }
    if (c->flags & OFPACT_CT_FORCE) {
        ct.flags |= DP_CT_F_FORCE | DP_CT_F_COMMIT;
    }
    if (c->alg == 21) {
        strcpy(ct.helper, "ftp");
    } else if (c->alg == 69) {
        strcpy(ct.helper, "tftp");
    }
    size_t size;
    const struct ofpact *nested = ofpact_nested(&c->ofpact, &size), *a;
    OFPACT_FOR_EACH (a, nested, size) {
        if (a->type == OFPACT_SET_FIELD) {
            const struct ofpact_set_field *sf = OFPACT_CAST_CONST(set_field,
                                                                  a);
            if (sf->field->id == OFPF_CT_MARK) {
                ct.mark = be32_to_host(sf->value.be32);
                ct.mark_mask = be32_to_host(sf->mask.be32);
            } else if (sf->field->id == OFPF_CT_LABEL) {
                for (int i = 0; i < 2; i++) {
                    be64 v, m;
                    memcpy(&v, &sf->value.b[i * 8], 8);
                    memcpy(&m, &sf->mask.b[i * 8], 8);
                    ct.label[i] = be64_to_host(v);
                    ct.label_mask[i] = be64_to_host(m);
                }
            }
        } else if (a->type == OFPACT_NAT) {
            const struct ofpact_nat *n = OFPACT_CAST_CONST(nat, a);
            ct.flags |= DP_CT_F_NAT;
            ct.nat.flags = n->flags;
            ct.nat.family = n->family;
            ct.nat.proto_min = n->port_min;
            ct.nat.proto_max = n->port_max;
            ct.nat.addr_min = n->addr_min;
            ct.nat.addr_max = n->addr_max;
        }
    }
    xlate__commit(ctx);
    dp_actions_put_ct(&ctx->b, &ct);
    if (c->recirc_table != OFPACT_CT_NO_RECIRC) {
        uint32_t id = xlate__recirc(ctx, c->recirc_table);
        dp_actions_put_recirc(&ctx->b, id);
        xlate__trace(ctx, " -> A clone of the packet is forked to recirculate."
                     " The forked pipeline will be resumed at table %u.",
                     c->recirc_table);
        xlate__trace(ctx, " -> Sets the packet to an untracked state, and "
                     "clears all the conntrack fields.");
    }
    ctx->flow.ct_state = 0;
    ctx->flow.ct_zone = 0;
    ctx->flow.ct_mark = 0;
    memset(ctx->flow.ct_label, 0, sizeof ctx->flow.ct_label);
}

static void
xlate_learn(struct xlate_ctx *ctx, const struct ofpact_learn *l)
{
    struct ofproto_flow_mod fm;
    ofproto_flow_mod_init(&fm, OFPROTO_FC_ADD);
    fm.table_id = l->table_id;
    fm.priority = l->priority;
    fm.idle_timeout = l->idle_timeout;
    fm.hard_timeout = l->hard_timeout;
    fm.cookie = l->cookie;
    fm.flags = l->flags & OFPACT_LEARN_SEND_FLOW_REM
               ? OFPROTO_FF_SEND_FLOW_REM : 0;
    ofp_match_init_catchall(&fm.match);
    struct ofpbuf acts;
    ofpbuf_init(&acts);
    const struct ofp_tlv_map *map = ctx_tlv_map(ctx);

    for (uint32_t i = 0; i < l->n_specs; i++) {
        const struct ofpact_learn_spec *s = &l->specs[i];
        union ofp_field_value v;
        unsigned int nv;
        if (s->src_type == OFPACT_LEARN_SRC_FIELD) {
            subfield_read(ctx, &s->src, &v, sizeof v.b);
            nv = sizeof v.b;
        } else {
            v = s->src_imm;
            nv = (s->n_bits + 15) / 16 * 2;
        }
        if (s->dst_type == OFPACT_LEARN_DST_OUTPUT) {
            uint32_t port = 0;
            for (unsigned int b = 0; b < s->n_bits && b < 32; b++) {
                port |= (uint32_t) value_bit(&v, nv, b) << b;
            }
            struct ofpact_output *o = ofpact_put(&acts, OFPACT_OUTPUT,
                                                 sizeof *o);
            o->port = port;
            continue;
        }
        const struct ofp_subfield *dst = &s->dst;
        unsigned int n = ofp_field_n_bytes(dst->field, map);
        if (!subfield_fits(dst, n)) {
            continue;
        }
        union ofp_field_value dv, dm;
        memset(&dv, 0, sizeof dv);
        memset(&dm, 0, sizeof dm);
        if (s->dst_type == OFPACT_LEARN_DST_MATCH) {
            ofp_field_get_value(dst->field, map, &fm.match.flow, &dv);
            ofp_field_get_mask(dst->field, map, &fm.match.wc, &dm);
        }
        for (unsigned int b = 0; b < s->n_bits; b++) {
            value_set_bit(&dv, n, dst->ofs + b, value_bit(&v, nv, b));
            value_set_bit(&dm, n, dst->ofs + b, true);
        }
        if (s->dst_type == OFPACT_LEARN_DST_MATCH) {
            ofp_match_set_masked(&fm.match, dst->field, map, &dv, &dm);
        } else {
            struct ofpact_set_field *sf = ofpact_put(&acts, OFPACT_SET_FIELD,
                                                     sizeof *sf);
            sf->field = dst->field;
            sf->is_load = true;
            sf->value = dv;
            sf->mask = dm;
        }
    }
    ofp_match_normalize(&fm.match);
    fm.ofpacts = (const struct ofpact *) (void *) acts.data;
    fm.ofpacts_size = acts.size;
    xlate__trace(ctx, " >> learned flow queued for table %u", l->table_id);
    xlate__defer_flow_mod(ctx, &fm);
    ofpbuf_uninit(&acts);
    ctx->xout->install = false;
}

static void
xlate_multipath(struct xlate_ctx *ctx, const struct ofpact_multipath *mp)
{
    struct flow_wildcards *wc = ctx->wc;
    const struct flow *f = &ctx->flow;
    uint32_t h;
    if (mp->fields == 0) {
        FLOW_WC_SET(wc, dl_src);
        h = hash_bytes(&f->dl_src, sizeof f->dl_src, mp->basis);
    } else {
        FLOW_WC_SET(wc, dl_type);
        FLOW_WC_SET(wc, nw_src);
        FLOW_WC_SET(wc, nw_dst);
        FLOW_WC_SET(wc, ipv6_src);
        FLOW_WC_SET(wc, ipv6_dst);
        FLOW_WC_SET(wc, nw_proto);
        FLOW_WC_SET(wc, tp_src);
        FLOW_WC_SET(wc, tp_dst);
        /* Symmetric: the same for both directions. */
        uint32_t a = be32_to_host(f->nw_src) ^ be32_to_host(f->nw_dst);
        uint32_t p = be16_to_host(f->tp_src) ^ be16_to_host(f->tp_dst);
        h = hash_int(a, mp->basis);
        h = hash_int(p | ((uint32_t) f->nw_proto << 16), h);
        h = hash_bytes(&f->ipv6_src, 16, h) ^ hash_bytes(&f->ipv6_dst, 16, 0);
    }
    uint32_t n = (uint32_t) mp->max_link + 1, link;
    switch (mp->algorithm) {
    case 1:
        link = ((uint64_t) h * n) >> 32;
        break;
    case 2: {
        uint32_t best = 0;
        link = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t s = hash_int(i, h);
            if (s > best) {
                best = s;
                link = i;
            }
        }
        break;
    }
    default:
        link = h % n;
        break;
    }
    xlate__subfield_set(ctx, &mp->dst, link);
}

static void
xlate_check_pkt_larger(struct xlate_ctx *ctx,
                       const struct ofpact_check_pkt_larger *c,
                       const struct ofpact *rest, size_t rest_size)
{
    xlate__commit(ctx);
    struct flow old_flow = ctx->flow, old_base = ctx->base;
    size_t token = dp_actions_start_check_pkt_len(&ctx->b, c->pkt_len);
    xlate__subfield_set(ctx, &c->dst, 1);
    xlate__actions(ctx, rest, rest_size);
    ctx->flow = old_flow;
    ctx->base = old_base;
    ctx->exit = false;
    dp_actions_check_pkt_len_else(&ctx->b, token);
    xlate__subfield_set(ctx, &c->dst, 0);
    xlate__actions(ctx, rest, rest_size);
    dp_actions_end_nested(&ctx->b, token);
    ctx->flow = old_flow;
    ctx->base = old_base;
}

static void
xlate_clone(struct xlate_ctx *ctx, const struct ofpact *a)
{
    size_t size;
    const struct ofpact *nested = ofpact_nested(a, &size);
    struct flow old_flow = ctx->flow, old_base = ctx->base;
    bool old_exit = ctx->exit, old_popped = ctx->mpls_popped;
    size_t token = dp_actions_start_clone(&ctx->b);
    xlate__actions(ctx, nested, size);
    dp_actions_end_nested(&ctx->b, token);
    ctx->flow = old_flow;
    ctx->base = old_base;
    ctx->exit = old_exit;
    ctx->mpls_popped = old_popped;
}

static void
trace_action(struct xlate_ctx *ctx, const struct ofpact *a)
{
    if (!ctx->trace) {
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    ofpacts_format(a, a->len, ctx_tlv_map(ctx), &s);
    xlate__trace(ctx, "%s", ds_cstr(&s));
    ds_uninit(&s);
}

/* Interprets the 'size' bytes of ofpacts at 'ofpacts'. */
void
xlate__actions(struct xlate_ctx *ctx, const struct ofpact *ofpacts,
               size_t size)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, size) {
        if (ctx->exit || ctx->error) {
            break;
        }
        if (a->type != OFPACT_CONJUNCTION) {
            trace_action(ctx, a);
        }
        const struct ofpact *next = OFPACT_NEXT(a);
        size_t rest = (const uint8_t *) ofpacts + size
                      - (const uint8_t *) next;
        switch ((enum ofpact_type) a->type) {
        case OFPACT_OUTPUT: {
            const struct ofpact_output *o = OFPACT_CAST_CONST(output, a);
            xlate__output(ctx, o->port, o->max_len, false);
            break;
        }
        case OFPACT_CONTROLLER: {
            const struct ofpact_controller *c
                = OFPACT_CAST_CONST(controller, a);
            size_t token = xlate__controller_meter_start(ctx, c->meter_id,
                                                         c->pause);
            xlate__controller(ctx, c->reason, c->max_len, c->controller_id,
                              c->userdata, c->userdata_len, c->pause,
                              next, rest);
            xlate__controller_meter_end(ctx, token);
            break;
        }
        case OFPACT_ENQUEUE:
            xlate__output(ctx, OFPACT_CAST_CONST(enqueue, a)->port,
                          0, false);
            break;
        case OFPACT_OUTPUT_REG: {
            const struct ofpact_output_reg *o
                = OFPACT_CAST_CONST(output_reg, a);
            uint64_t port = xlate__subfield_get(ctx, &o->src);
            xlate__output(ctx, port > 0xffff ? OFPP_NONE : (uint32_t) port,
                          o->max_len, false);
            break;
        }
        case OFPACT_GROUP:
            xlate_group(ctx, OFPACT_CAST_CONST(group, a)->group_id);
            break;
        case OFPACT_SET_FIELD:
            xlate_set_field(ctx, OFPACT_CAST_CONST(set_field, a));
            break;
        case OFPACT_REG_MOVE:
            xlate_reg_move(ctx, OFPACT_CAST_CONST(reg_move, a));
            break;
        case OFPACT_PUSH_VLAN:
            xlate_push_vlan(ctx, OFPACT_CAST_CONST(push_vlan, a)->ethertype);
            break;
        case OFPACT_POP_VLAN:
            xlate_pop_vlan(ctx);
            break;
        case OFPACT_SET_VLAN_VID:
            xlate_set_vlan(ctx, OFPACT_CAST_CONST(u16, a)->value, -1);
            break;
        case OFPACT_SET_VLAN_PCP:
            xlate_set_vlan(ctx, -1, OFPACT_CAST_CONST(u8, a)->value);
            break;
        case OFPACT_SET_ETH_SRC:
            FLOW_WC_SET(ctx->wc, dl_src);
            ctx->flow.dl_src = OFPACT_CAST_CONST(mac, a)->mac;
            break;
        case OFPACT_SET_ETH_DST:
            FLOW_WC_SET(ctx->wc, dl_dst);
            ctx->flow.dl_dst = OFPACT_CAST_CONST(mac, a)->mac;
            break;
        case OFPACT_SET_IPV4_SRC:
            FLOW_WC_SET(ctx->wc, nw_src);
            ctx->flow.nw_src = OFPACT_CAST_CONST(u32, a)->value;
            break;
        case OFPACT_SET_IPV4_DST:
            FLOW_WC_SET(ctx->wc, nw_dst);
            ctx->flow.nw_dst = OFPACT_CAST_CONST(u32, a)->value;
            break;
        case OFPACT_SET_IP_DSCP:
            FLOW_WC_SET(ctx->wc, nw_tos);
            ctx->flow.nw_tos = (ctx->flow.nw_tos & 0x03)
                               | (OFPACT_CAST_CONST(u8, a)->value & 0xfc);
            break;
        case OFPACT_SET_IP_ECN:
            FLOW_WC_SET(ctx->wc, nw_tos);
            ctx->flow.nw_tos = (ctx->flow.nw_tos & 0xfc)
                               | (OFPACT_CAST_CONST(u8, a)->value & 0x03);
            break;
        case OFPACT_SET_IP_TTL:
            FLOW_WC_SET(ctx->wc, nw_ttl);
            ctx->flow.nw_ttl = OFPACT_CAST_CONST(u8, a)->value;
            break;
        case OFPACT_SET_L4_SRC:
            FLOW_WC_SET(ctx->wc, tp_src);
            ctx->flow.tp_src = htonbe16(OFPACT_CAST_CONST(u16, a)->value);
            break;
        case OFPACT_SET_L4_DST:
            FLOW_WC_SET(ctx->wc, tp_dst);
            ctx->flow.tp_dst = htonbe16(OFPACT_CAST_CONST(u16, a)->value);
            break;
        case OFPACT_DEC_TTL:
            if (!xlate_dec_ttl(ctx, OFPACT_CAST_CONST(dec_ttl, a))) {
                ctx->exit = true;
            }
            break;
        case OFPACT_SET_MPLS_TTL:
            xlate_set_mpls_ttl(ctx, OFPACT_CAST_CONST(u8, a)->value);
            break;
        case OFPACT_DEC_MPLS_TTL:
            if (!xlate_dec_mpls_ttl(ctx)) {
                ctx->exit = true;
            }
            break;
        case OFPACT_PUSH_MPLS:
            xlate_push_mpls(ctx, OFPACT_CAST_CONST(u16, a)->value);
            break;
        case OFPACT_POP_MPLS:
            xlate_pop_mpls(ctx, OFPACT_CAST_CONST(u16, a)->value);
            break;
        case OFPACT_FIN_TIMEOUT:
        case OFPACT_NOTE:
        case OFPACT_CONJUNCTION:
        case OFPACT_NAT:
            break;
        case OFPACT_METER:
            xlate_meter(ctx, OFPACT_CAST_CONST(u32, a)->value);
            break;
        case OFPACT_SET_TUNNEL:
            ctx->flow.tunnel.tun_id
                = htonbe64(OFPACT_CAST_CONST(tunnel, a)->tun_id);
            break;
        case OFPACT_SET_QUEUE:
            ctx->flow.skb_priority = OFPACT_CAST_CONST(u32, a)->value;
            break;
        case OFPACT_POP_QUEUE:
            ctx->flow.skb_priority = ctx->xin->flow->skb_priority;
            break;
        case OFPACT_RESUBMIT: {
            const struct ofpact_resubmit *r = OFPACT_CAST_CONST(resubmit, a);
            xlate__table(ctx, r->table_id == 255 ? ctx->table_id
                                                 : r->table_id,
                         r->in_port, r->with_ct_orig, false);
            break;
        }
        case OFPACT_CLONE:
            xlate_clone(ctx, a);
            break;
        case OFPACT_CHECK_PKT_LARGER:
            xlate_check_pkt_larger(ctx,
                                   OFPACT_CAST_CONST(check_pkt_larger, a),
                                   next, rest);
            return;
        case OFPACT_EXIT:
            ctx->exit = true;
            break;
        case OFPACT_LEARN:
            xlate_learn(ctx, OFPACT_CAST_CONST(learn, a));
            break;
        case OFPACT_MULTIPATH:
            xlate_multipath(ctx, OFPACT_CAST_CONST(multipath, a));
            break;
        case OFPACT_CT:
            xlate_ct(ctx, OFPACT_CAST_CONST(ct, a));
            break;
        case OFPACT_CT_CLEAR:
            ctx->flow.ct_state = 0;
            ctx->flow.ct_zone = 0;
            ctx->flow.ct_mark = 0;
            memset(ctx->flow.ct_label, 0, sizeof ctx->flow.ct_label);
            dp_actions_put_ct_clear(&ctx->b);
            break;
        case OFPACT_CLEAR_ACTIONS:
            ofpbuf_clear(&ctx->actset);
            break;
        case OFPACT_WRITE_ACTIONS: {
            size_t n;
            const struct ofpact *nested = ofpact_nested(a, &n);
            xlate__write_actset(ctx, nested, n);
            break;
        }
        case OFPACT_WRITE_METADATA: {
            const struct ofpact_metadata *m = OFPACT_CAST_CONST(metadata, a);
            ctx->flow.metadata = (ctx->flow.metadata & ~m->mask)
                                 | (m->metadata & m->mask);
            break;
        }
        case OFPACT_GOTO_TABLE:
            xlate__table(ctx, OFPACT_CAST_CONST(u8, a)->value, OFPP_IN_PORT,
                         false, true);
            break;
        case OFPACT_N_TYPES:
        default:
            break;
        }
    }
}

/* ---- The action set (OpenFlow 1.3.5 §5.10). ---- */

/* Whether 'a' and 'b' take the same slot of the action set. */
static bool
actset_same_slot(const struct ofpact *a, const struct ofpact *b)
{
    if (a->type != b->type) {
        return false;
    }
    if (a->type == OFPACT_SET_FIELD) {
        return OFPACT_CAST_CONST(set_field, a)->field
               == OFPACT_CAST_CONST(set_field, b)->field;
    }
    return true;
}

/* write_actions: merges 'size' bytes of ofpacts into the action set, each
 * replacing an action of the same kind. */
void
xlate__write_actset(struct xlate_ctx *ctx, const struct ofpact *ofpacts,
                    size_t size)
{
    struct ofpbuf merged;
    ofpbuf_init(&merged);
    const struct ofpact *a, *b;
    const struct ofpact *old = (const struct ofpact *) (void *)
                               ctx->actset.data;
    OFPACT_FOR_EACH (a, old, ctx->actset.size) {
        bool replaced = false;
        OFPACT_FOR_EACH (b, ofpacts, size) {
            if (actset_same_slot(a, b)) {
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            ofpbuf_put(&merged, a, a->len);
        }
    }
    ofpbuf_put(&merged, ofpacts, size);
    ofpbuf_uninit(&ctx->actset);
    ctx->actset = merged;
    OFPACT_FOR_EACH (a, ofpacts, size) {
        if (a->type == OFPACT_OUTPUT) {
            ctx->flow.actset_output = OFPACT_CAST_CONST(output, a)->port;
        }
    }
}

/* Runs the action set in the order OpenFlow prescribes, then empties
 * it.  A group supersedes an output. */
void
xlate__run_actset(struct xlate_ctx *ctx)
{
    if (!ctx->actset.size) {
        return;
    }
    struct ofpbuf set = ctx->actset;
    ofpbuf_init(&ctx->actset);
    ctx->exit = false;
    xlate__trace(ctx, "Action set:");

    static const enum ofpact_type order[] = {
        OFPACT_POP_VLAN, OFPACT_POP_MPLS, OFPACT_PUSH_MPLS,
        OFPACT_PUSH_VLAN, OFPACT_DEC_TTL, OFPACT_DEC_MPLS_TTL,
        OFPACT_SET_FIELD, OFPACT_SET_MPLS_TTL, OFPACT_SET_VLAN_VID,
        OFPACT_SET_VLAN_PCP,
        OFPACT_SET_ETH_SRC, OFPACT_SET_ETH_DST, OFPACT_SET_IPV4_SRC,
        OFPACT_SET_IPV4_DST, OFPACT_SET_IP_DSCP, OFPACT_SET_IP_ECN,
        OFPACT_SET_IP_TTL, OFPACT_SET_L4_SRC, OFPACT_SET_L4_DST,
        OFPACT_SET_TUNNEL, OFPACT_REG_MOVE, OFPACT_SET_QUEUE,
        OFPACT_GROUP, OFPACT_OUTPUT,
    };
    const struct ofpact *acts = (const struct ofpact *) (void *) set.data;
    bool has_group = false;
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, acts, set.size) {
        has_group |= a->type == OFPACT_GROUP;
    }
    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        if (order[i] == OFPACT_OUTPUT && has_group) {
            break;
        }
        OFPACT_FOR_EACH (a, acts, set.size) {
            if (a->type == order[i] && !ctx->exit && !ctx->error) {
                xlate__actions(ctx, a, a->len);
            }
        }
    }
    ofpbuf_uninit(&set);
}
