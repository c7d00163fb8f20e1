/* The meter table of a switch: see ofproto-meter.h. */
#include "switch/ofproto-meter.h"

#include <stdlib.h>
#include <string.h>

#include "datapath/dp-meter.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "switch/ofproto-private.h"
#include "switch/ofproto.h"

LOG_MODULE(ofproto_meter);

/* Gives 'p' its datapath meter table. */
void
ofproto_set_dp_meters(struct ofproto *p, struct dp_meter_table *dp)
{
    p->dp_meters = dp;
}

/* Returns meter 'meter_id' of 'p' or NULL (lock held by the caller). */
const struct ofproto_meter *
ofproto_meter_find(const struct ofproto *p, uint32_t meter_id)
{
    const struct ofproto_meter *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash_int(meter_id, 0), &p->meters) {
        if (m->cfg.meter_id == meter_id) {
            return m;
        }
    }
    return NULL;
}

/* Calls 'cb' for each meter id the ofpacts use; stops at the first
 * nonzero return and returns it. */
static int
for_each_meter_id(const struct ofpact *ofpacts, size_t size,
                  int (*cb)(uint32_t id, const void *aux), const void *aux)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, size) {
        int r = 0;
        if (a->type == OFPACT_METER) {
            r = cb(OFPACT_CAST_CONST(u32, a)->value, aux);
        } else if (a->type == OFPACT_CONTROLLER) {
            uint32_t id = OFPACT_CAST_CONST(controller, a)->meter_id;
            if (id != UINT32_MAX) {
                r = cb(id, aux);
            }
        } else if (a->type == OFPACT_CLONE
                   || a->type == OFPACT_WRITE_ACTIONS) {
            size_t n;
            const struct ofpact *inner = ofpact_nested(a, &n);
            r = for_each_meter_id(inner, n, cb, aux);
        }
        if (r) {
            return r;
        }
    }
    return 0;
}

static int
check_cb(uint32_t id, const void *p)
{
    return ofproto_meter_find(p, id) ? 0 : 1;
}

/* Checks that the meters the ofpacts use exist.  A missing one is
 * OFPMMFC_INVALID_METER, the code ovs-vswitchd answers with. */
enum ofperr
ofproto_meter__check(const struct ofproto *p, const struct ofpact *ofpacts,
                     size_t size)
{
    return (for_each_meter_id(ofpacts, size, check_cb, p)
            ? OFPERR_OFPMMFC_INVALID_METER : 0);
}

static int
uses_cb(uint32_t id, const void *target)
{
    return id == *(const uint32_t *) target;
}

/* Whether 'rule' uses meter 'id'. */
static bool
rule_uses_meter(const struct ofproto_rule *rule, uint32_t id)
{
    return for_each_meter_id(ofproto_actions_get(rule->actions),
                             rule->actions->size, uses_cb, &id) != 0;
}

/* Validation of an add or modify. */
static enum ofperr
meter_check(const struct ofp_meter_config *cfg)
{
    uint32_t id = cfg->meter_id;
    if (!id || (id > OFPM_MAX && id != OFPM_CONTROLLER
                && id != OFPM_SLOWPATH)) {
        return OFPERR_OFPMMFC_INVALID_METER;
    }
    if (cfg->flags & ~OFPMF_ALL
        || (cfg->flags & OFPMF_KBPS && cfg->flags & OFPMF_PKTPS)) {
        return OFPERR_OFPMMFC_BAD_FLAGS;
    }
    if (cfg->n_bands > OFPROTO_METER_MAX_BANDS) {
        return OFPERR_OFPMMFC_OUT_OF_BANDS;
    }
    for (size_t i = 0; i < cfg->n_bands; i++) {
        const struct ofp_meter_band *b = &cfg->bands[i];
        if (b->type != OFPMBT_DROP && b->type != OFPMBT_DSCP_REMARK) {
            return OFPERR_OFPMMFC_BAD_BAND;
        }
        if (!b->rate) {
            return OFPERR_OFPMMFC_BAD_RATE;
        }
        /* Buckets count thousandths: keep 1000 * burst in 64 bits with
         * room to spare. */
        if (cfg->flags & OFPMF_BURST && b->burst_size > INT32_MAX) {
            return OFPERR_OFPMMFC_BAD_BURST;
        }
        if (b->type == OFPMBT_DSCP_REMARK && b->prec_level > 63) {
            return OFPERR_OFPMMFC_BAD_BAND_VALUE;
        }
    }
    return 0;
}

static struct ofproto_meter *
meter_create(const struct ofp_meter_config *cfg, uint32_t dp_id,
             long long created)
{
    struct ofproto_meter *m = xzalloc(sizeof *m);
    m->cfg = *cfg;
    if (!(m->cfg.flags & (OFPMF_KBPS | OFPMF_PKTPS))) {
        m->cfg.flags |= OFPMF_KBPS;
    }
    m->dp_id = dp_id;
    m->created = created;
    return m;
}

static void
meter_insert(struct ofproto *p, struct ofproto_meter *m)
{
    hmap_insert(&p->meters, &m->node, hash_int(m->cfg.meter_id, 0));
}

static void
txn_meter_delete(struct ofproto_txn *txn, struct ofproto_meter *m)
{
    struct ofproto *p = txn->ofproto;
    /* OpenFlow 1.3.5 §6.6: deleting a meter deletes the flows that use
     * it. */
    for (size_t t = 0; t < OFPROTO_N_TABLES; t++) {
        struct ofproto_rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
            if (rule_uses_meter(rule, m->cfg.meter_id)) {
                ofproto__txn_delete_rule(txn, rule, OFPROTO_RR_DELETE);
            }
        }
    }
    hmap_remove(&p->meters, &m->node);
    struct txn_entry *e = ofproto__txn_log(txn, TXN_METER);
    e->old_meter = m;
}

/* Applies 'mm' within 'txn'. */
enum ofperr
ofproto_txn_meter_mod(struct ofproto_txn *txn, const struct ofp_meter_mod *mm)
{
    struct ofproto *p = txn->ofproto;
    const struct ofp_meter_config *cfg = &mm->meter;
    struct ofproto_meter *old;

    switch (mm->command) {
    case OFPMC_ADD:
    case OFPMC_MODIFY: {
        enum ofperr err = meter_check(cfg);
        if (err) {
            return err;
        }
        old = CONST_CAST(struct ofproto_meter *,
                         ofproto_meter_find(p, cfg->meter_id));
        if (mm->command == OFPMC_ADD && old) {
            return OFPERR_OFPMMFC_METER_EXISTS;
        }
        if (mm->command == OFPMC_MODIFY && !old) {
            return OFPERR_OFPMMFC_UNKNOWN_METER;
        }
        uint32_t dp_id = OFPROTO_METER_NO_DP;
        if (old) {
            dp_id = old->dp_id;
        } else {
            if (hmap_count(&p->meters) >= OFPROTO_METER_MAX) {
                return OFPERR_OFPMMFC_OUT_OF_METERS;
            }
            if (p->dp_meters && dp_meter_alloc(p->dp_meters, &dp_id)) {
                return OFPERR_OFPMMFC_OUT_OF_METERS;
            }
        }
        struct ofproto_meter *m = meter_create(cfg, dp_id, (old
                                                            ? old->created
                                                            : p->clock()));
        if (old) {
            hmap_remove(&p->meters, &old->node);
        }
        meter_insert(p, m);
        struct txn_entry *e = ofproto__txn_log(txn, TXN_METER);
        e->old_meter = old;
        e->new_meter = m;
        return 0;
    }
    case OFPMC_DELETE:
        if (cfg->meter_id == OFPM_ALL) {
            struct ofproto_meter *m;
            HMAP_FOR_EACH_SAFE (m, node, &p->meters) {
                txn_meter_delete(txn, m);
            }
            return 0;
        }
        if (!cfg->meter_id || (cfg->meter_id > OFPM_MAX
                               && cfg->meter_id != OFPM_CONTROLLER
                               && cfg->meter_id != OFPM_SLOWPATH)) {
            return OFPERR_OFPMMFC_INVALID_METER;
        }
        old = CONST_CAST(struct ofproto_meter *,
                         ofproto_meter_find(p, cfg->meter_id));
        if (old) {
            txn_meter_delete(txn, old);
        }
        return 0;
    default:
        return OFPERR_OFPMMFC_BAD_COMMAND;
    }
}

/* Applies 'mm' to 'p' alone. */
enum ofperr
ofproto_meter_mod(struct ofproto *p, const struct ofp_meter_mod *mm)
{
    struct ofproto_txn *txn = ofproto_txn_begin(p);
    enum ofperr err = ofproto_txn_meter_mod(txn, mm);
    if (err) {
        ofproto_txn_abort(txn);
    } else {
        ofproto_txn_commit(txn);
    }
    return err;
}

/* Undoes one TXN_METER entry. */
void
ofproto_meter__undo(struct ofproto *p, struct txn_entry *e)
{
    if (e->new_meter) {
        hmap_remove(&p->meters, &e->new_meter->node);
        if (!e->old_meter && e->new_meter->dp_id != OFPROTO_METER_NO_DP) {
            dp_meter_free(p->dp_meters, e->new_meter->dp_id);
        }
        free(e->new_meter);
    }
    if (e->old_meter) {
        meter_insert(p, e->old_meter);
    }
}

static void
dp_config_from_ofp(const struct ofp_meter_config *cfg,
                   struct dp_meter_config *dc)
{
    memset(dc, 0, sizeof *dc);
    dc->flags = ((cfg->flags & OFPMF_PKTPS ? DP_METER_F_PKTPS : 0)
                 | (cfg->flags & OFPMF_BURST ? DP_METER_F_BURST : 0));
    dc->n_bands = cfg->n_bands;
    for (size_t i = 0; i < cfg->n_bands; i++) {
        dc->bands[i].type = (cfg->bands[i].type == OFPMBT_DROP
                             ? DP_METER_BAND_DROP
                             : DP_METER_BAND_DSCP_REMARK);
        dc->bands[i].prec_level = cfg->bands[i].prec_level;
        dc->bands[i].rate = cfg->bands[i].rate;
        dc->bands[i].burst_size = cfg->bands[i].burst_size;
    }
}

/* Makes one TXN_METER entry final. */
void
ofproto_meter__finish(struct ofproto *p, struct txn_entry *e)
{
    struct ofproto_meter *m = e->new_meter;
    if (m && m->dp_id != OFPROTO_METER_NO_DP) {
        struct dp_meter_config dc;
        dp_config_from_ofp(&m->cfg, &dc);
        if (dp_meter_set(p->dp_meters, m->dp_id, &dc, !e->old_meter,
                         p->clock())) {
            LOG_WARN("%s: meter %u: datapath refused its configuration",
                     p->name, m->cfg.meter_id);
        }
    }
    if (e->old_meter) {
        if (!m && e->old_meter->dp_id != OFPROTO_METER_NO_DP) {
            dp_meter_free(p->dp_meters, e->old_meter->dp_id);
        }
        free(e->old_meter);
    }
}

/* Frees every meter of 'p' (and its datapath meter). */
void
ofproto_meter__destroy_all(struct ofproto *p)
{
    struct ofproto_meter *m;
    HMAP_FOR_EACH_SAFE (m, node, &p->meters) {
        hmap_remove(&p->meters, &m->node);
        if (m->dp_id != OFPROTO_METER_NO_DP && p->dp_meters) {
            dp_meter_free(p->dp_meters, m->dp_id);
        }
        free(m);
    }
    hmap_uninit(&p->meters);
}

/* Statistics. */

static int
meter_cmp(const void *a_, const void *b_)
{
    const struct ofproto_meter *const *a = a_, *const *b = b_;
    uint32_t x = (*a)->cfg.meter_id, y = (*b)->cfg.meter_id;
    return x < y ? -1 : x > y;
}

/* Visits meter 'meter_id' or all of them. */
size_t
ofproto_meter_visit(struct ofproto *p, uint32_t meter_id,
                    ofproto_meter_visitor *cb, void *aux)
{
    pthread_rwlock_rdlock(&p->rwlock);
    size_t n = 0;
    const struct ofproto_meter **v = xcalloc(hmap_count(&p->meters) + 1,
                                             sizeof *v);
    const struct ofproto_meter *m;
    HMAP_FOR_EACH (m, node, &p->meters) {
        if (meter_id == OFPM_ALL || m->cfg.meter_id == meter_id) {
            v[n++] = m;
        }
    }
    qsort(v, n, sizeof *v, meter_cmp);

    /* Flow counts: one pass over the rules. */
    uint32_t *flows = xcalloc(n + 1, sizeof *flows);
    if (n) {
        for (size_t t = 0; t < OFPROTO_N_TABLES; t++) {
            struct ofproto_rule *rule;
            CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
                for (size_t i = 0; i < n; i++) {
                    if (rule_uses_meter(rule, v[i]->cfg.meter_id)) {
                        flows[i]++;
                    }
                }
            }
        }
    }

    long long now = p->clock();
    for (size_t i = 0; i < n; i++) {
        m = v[i];
        struct ofp_meter_stats st;
        memset(&st, 0, sizeof st);
        st.meter_id = m->cfg.meter_id;
        st.flow_count = flows[i];
        long long age = now - m->created;
        if (age < 0) {
            age = 0;
        }
        st.duration_sec = (uint32_t) (age / 1000);
        st.duration_nsec = (uint32_t) (age % 1000 * 1000000);
        st.n_bands = m->cfg.n_bands;
        struct dp_meter_stats ds;
        if (m->dp_id != OFPROTO_METER_NO_DP
            && !dp_meter_get_stats(p->dp_meters, m->dp_id, &ds)) {
            st.packet_in_count = ds.packets;
            st.byte_in_count = ds.bytes;
            for (size_t b = 0; b < st.n_bands && b < ds.n_bands; b++) {
                st.bands[b].packet_count = ds.band_packets[b];
                st.bands[b].byte_count = ds.band_bytes[b];
            }
        }
        cb(&m->cfg, &st, aux);
    }
    pthread_rwlock_unlock(&p->rwlock);
    free(flows);
    free(v);
    return n;
}

/* Features. */
void
ofproto_meter_features(struct ofp_meter_features *mf)
{
    memset(mf, 0, sizeof *mf);
    mf->max_meters = OFPROTO_METER_MAX;
    mf->band_types = (1u << OFPMBT_DROP) | (1u << OFPMBT_DSCP_REMARK);
    mf->capabilities = OFPMF_ALL;
    mf->max_bands = OFPROTO_METER_MAX_BANDS;
    mf->max_color = 0;
}
