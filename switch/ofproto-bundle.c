/* Bundles (OpenFlow 1.4.1 §6.8, and the ONF extension 230 that carries
 * them in OpenFlow 1.3): flow_mods, group_mods and meter_mods stored until
 * commit, then applied in one transaction that either applies them all or,
 * on the first failure, undoes them all.  Also the text dump of every flow for
 * `ovs-appctl bridge/dump-flows`. */
#include "switch/ofproto.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "switch/ofproto-meter.h"
#include "switch/ofproto-private.h"

/* A stored message: a deep copy of a flow_mod, group_mod or meter_mod. */
struct bundle_msg {
    bool is_group;              /* 'gm' rather than 'fm'. */
    bool is_meter;              /* 'mm' rather than 'fm'. */
    struct ofp_meter_mod mm;    /* Meter mod (no pointers). */
    struct ofproto_flow_mod fm; /* Flow mod; 'ofpacts' owned. */
    struct ofproto_group_mod gm; /* Group mod; 'buckets' and their
                                  * 'ofpacts' owned. */
};

struct ofproto_bundle {
    uint32_t id;                /* Bundle id. */
    uint16_t flags;             /* OFPBF_*. */
    bool closed;                /* Close request received. */
    struct bundle_msg *msgs;    /* Stored messages.  Owned. */
    size_t n_msgs;              /* Entries in 'msgs'. */
    size_t allocated;           /* Slots in 'msgs'. */
};

/* Returns a new, open, empty bundle 'id' with 'flags'.  The caller owns it
 * (ofproto_bundle_destroy()). */
struct ofproto_bundle *
ofproto_bundle_create(uint32_t id, uint16_t flags)
{
    struct ofproto_bundle *b = xzalloc(sizeof *b);
    b->id = id;
    b->flags = flags;
    return b;
}

/* Frees 'b' and the messages it stores.  NULL is a no-op. */
void
ofproto_bundle_destroy(struct ofproto_bundle *b)
{
    if (!b) {
        return;
    }
    for (size_t i = 0; i < b->n_msgs; i++) {
        struct bundle_msg *m = &b->msgs[i];
        if (m->is_meter) {
            continue;
        } else if (m->is_group) {
            for (size_t j = 0; j < m->gm.n_buckets; j++) {
                free(CONST_CAST(void *, m->gm.buckets[j].ofpacts));
            }
            free(CONST_CAST(void *, m->gm.buckets));
        } else {
            free(CONST_CAST(void *, m->fm.ofpacts));
        }
    }
    free(b->msgs);
    free(b);
}

/* Returns the id of 'b'. */
uint32_t
ofproto_bundle_id(const struct ofproto_bundle *b)
{
    return b->id;
}

/* Returns the flags 'b' was opened with. */
uint16_t
ofproto_bundle_flags(const struct ofproto_bundle *b)
{
    return b->flags;
}

/* Whether 'b' was closed (no more messages may be added). */
bool
ofproto_bundle_is_closed(const struct ofproto_bundle *b)
{
    return b->closed;
}

/* Closes 'b'. */
void
ofproto_bundle_close(struct ofproto_bundle *b)
{
    b->closed = true;
}

/* Returns the number of messages stored in 'b'. */
size_t
ofproto_bundle_n_msgs(const struct ofproto_bundle *b)
{
    return b->n_msgs;
}

/* The tun_metadata fields the messages of 'b' use; see ofproto.h. */
uint64_t
ofproto_bundle_tlv_usage(const struct ofproto_bundle *b)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < b->n_msgs; i++) {
        const struct bundle_msg *m = &b->msgs[i];
        if (m->is_meter) {
            continue;
        } else if (m->is_group) {
            for (size_t j = 0; j < m->gm.n_buckets; j++) {
                const struct ofproto_bucket_spec *bs = &m->gm.buckets[j];
                bits |= ofproto_ofpacts_tlv_usage(bs->ofpacts,
                                                  bs->ofpacts_size);
            }
        } else {
            bits |= m->fm.match.wc.masks.tunnel.present;
            bits |= ofproto_ofpacts_tlv_usage(m->fm.ofpacts,
                                              m->fm.ofpacts_size);
        }
    }
    return bits;
}

static struct bundle_msg *
bundle_add(struct ofproto_bundle *b)
{
    if (b->n_msgs >= b->allocated) {
        b->msgs = x2nrealloc(b->msgs, &b->allocated, sizeof *b->msgs);
    }
    struct bundle_msg *m = &b->msgs[b->n_msgs++];
    memset(m, 0, sizeof *m);
    return m;
}

static void *
copy_ofpacts(const struct ofpact *ofpacts, size_t size)
{
    /* malloc() memory is 8-byte aligned, as ofpacts need. */
    return size ? xmemdup(ofpacts, size) : NULL;
}

/* Stores a copy of 'fm' in 'b'. */
void
ofproto_bundle_add_flow_mod(struct ofproto_bundle *b,
                            const struct ofproto_flow_mod *fm)
{
    struct bundle_msg *m = bundle_add(b);
    m->fm = *fm;
    m->fm.ofpacts = copy_ofpacts(fm->ofpacts, fm->ofpacts_size);
}

/* Stores a copy of 'gm' in 'b'. */
void
ofproto_bundle_add_group_mod(struct ofproto_bundle *b,
                             const struct ofproto_group_mod *gm)
{
    struct bundle_msg *m = bundle_add(b);
    m->is_group = true;
    m->gm = *gm;
    struct ofproto_bucket_spec *buckets
        = xcalloc(gm->n_buckets ? gm->n_buckets : 1, sizeof *buckets);
    for (size_t i = 0; i < gm->n_buckets; i++) {
        buckets[i] = gm->buckets[i];
        buckets[i].ofpacts = copy_ofpacts(gm->buckets[i].ofpacts,
                                          gm->buckets[i].ofpacts_size);
    }
    m->gm.buckets = buckets;
}

/* Stores a copy of 'mm' in 'b'. */
void
ofproto_bundle_add_meter_mod(struct ofproto_bundle *b,
                             const struct ofp_meter_mod *mm)
{
    struct bundle_msg *m = bundle_add(b);
    m->is_meter = true;
    m->mm = *mm;
}

/* Applies every message of 'b' to 'p' in order, atomically: if one fails,
 * none stays applied, its index goes to '*failed_index' (if nonnull) and
 * its error is returned.  Returns 0 on success.  'b' is unchanged (the
 * caller destroys it). */
enum ofperr
ofproto_bundle_commit(struct ofproto *p, struct ofproto_bundle *b,
                      size_t *failed_index)
{
    struct ofproto_txn *txn = ofproto_txn_begin(p);
    for (size_t i = 0; i < b->n_msgs; i++) {
        const struct bundle_msg *m = &b->msgs[i];
        enum ofperr err = (m->is_meter
                           ? ofproto_txn_meter_mod(txn, &m->mm)
                           : m->is_group
                           ? ofproto_txn_group_mod(txn, &m->gm)
                           : ofproto_txn_flow_mod(txn, &m->fm));
        if (err) {
            ofproto_txn_abort(txn);
            if (failed_index) {
                *failed_index = i;
            }
            return err;
        }
    }
    ofproto_txn_commit(txn);
    return 0;
}

/* Text dump. */

struct dump_aux {
    struct ofproto *ofproto;    /* The switch. */
    struct ds *s;               /* Output. */
    long long now;              /* Clock msec. */
};

static void
dump_visit(const struct ofproto_rule *rule_, void *aux_)
{
    struct dump_aux *aux = aux_;
    struct ofproto_rule *rule = CONST_CAST(struct ofproto_rule *, rule_);
    struct ds *s = aux->s;
    long long age = aux->now - rule->created;

    ds_put_format(s, "duration=%lld.%03llds, n_packets=%llu, n_bytes=%llu, ",
                  age / 1000, age % 1000,
                  (unsigned long long) atomic_load(&rule->packet_count),
                  (unsigned long long) atomic_load(&rule->byte_count));
    if (rule->cookie) {
        ds_put_format(s, "cookie=0x%"PRIx64", ", rule->cookie);
    }
    if (rule->table_id) {
        ds_put_format(s, "table_id=%u, ", rule->table_id);
    }
    if (rule->idle_timeout) {
        ds_put_format(s, "idle_timeout=%u, ", rule->idle_timeout);
    }
    if (rule->hard_timeout) {
        ds_put_format(s, "hard_timeout=%u, ", rule->hard_timeout);
    }
    ds_put_format(s, "priority=%d", rule->cr.priority);
    struct ofp_match m;
    ofproto_rule_get_match(rule, &m);
    size_t len = s->length;
    ds_put_char(s, ',');
    size_t before = s->length;
    ofp_match_format(&m, &aux->ofproto->tlv_map, s);
    if (s->length == before) {
        ds_truncate(s, len);
    }
    ds_put_cstr(s, ",actions=");
    ofpacts_format(ofproto_actions_get(rule->actions), rule->actions->size,
                   &aux->ofproto->tlv_map, s);
    ds_put_char(s, '\n');
}

/* Appends one line per flow of 'p', every table, to 's'. */
void
ofproto_dump_flows(struct ofproto *p, struct ds *s)
{
    struct ofproto_rule_filter f;
    ofproto_rule_filter_init(&f);
    struct dump_aux aux = { p, s, p->clock() };
    ofproto_visit_rules(p, &f, dump_visit, &aux);
}
