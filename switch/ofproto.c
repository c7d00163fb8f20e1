/* One OpenFlow switch: tables, rules, flow_mod and group_mod semantics,
 * transactions with undo, timeouts and ports.  See switch/ofproto.h.
 * Bundles and text dumps are in switch/ofproto-bundle.c. */
#include "switch/ofproto.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "switch/ofproto-meter.h"
#include "switch/ofproto-private.h"

LOG_MODULE(ofproto);

/* Actions. */

/* Returns a new list holding a copy of the 'size' bytes at 'ofpacts', with
 * one reference for the caller. */
struct ofproto_actions *
ofproto_actions_create(const struct ofpact *ofpacts, size_t size)
{
    struct ofproto_actions *a = xmalloc(sizeof *a + size);
    atomic_init(&a->ref_cnt, 1);
    a->size = size;
    if (size) {
        memcpy(a->ofpacts, ofpacts, size);
    }
    return a;
}

/* Takes a new reference to 'a' and returns it. */
struct ofproto_actions *
ofproto_actions_ref(const struct ofproto_actions *a_)
{
    struct ofproto_actions *a = CONST_CAST(struct ofproto_actions *, a_);
    if (a) {
        atomic_fetch_add_explicit(&a->ref_cnt, 1, memory_order_relaxed);
    }
    return a;
}

/* Drops a reference to 'a'; the last frees it.  NULL is a no-op. */
void
ofproto_actions_unref(struct ofproto_actions *a)
{
    if (a && atomic_fetch_sub_explicit(&a->ref_cnt, 1,
                                       memory_order_acq_rel) == 1) {
        free(a);
    }
}

/* Rules. */

/* Takes a reference to 'rule'. */
void
ofproto_rule_ref(struct ofproto_rule *rule)
{
    atomic_fetch_add_explicit(&rule->ref_cnt, 1, memory_order_relaxed);
}

/* Drops a reference to 'rule' (which must be out of its table when the
 * last one goes); the last frees it.  NULL is a no-op. */
void
ofproto_rule_unref(struct ofproto_rule *rule)
{
    if (rule && atomic_fetch_sub_explicit(&rule->ref_cnt, 1,
                                          memory_order_acq_rel) == 1) {
        ofproto_actions_unref(rule->actions);
        cls_rule_uninit(&rule->cr);
        free(rule);
    }
}

/* Credits 'rule' with 'packets' and 'bytes' seen at clock time 'used'.
 * Safe from any thread holding a reference. */
void
ofproto_rule_credit(struct ofproto_rule *rule, uint64_t packets,
                    uint64_t bytes, long long used)
{
    atomic_fetch_add_explicit(&rule->packet_count, packets,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&rule->byte_count, bytes,
                              memory_order_relaxed);
    long long old = atomic_load_explicit(&rule->used, memory_order_relaxed);
    if (used > old) {
        atomic_store_explicit(&rule->used, used, memory_order_relaxed);
    }
}

/* Stores 'rule''s match in 'm'. */
void
ofproto_rule_get_match(const struct ofproto_rule *rule, struct ofp_match *m)
{
    m->flow = rule->cr.match.key;
    m->wc = rule->cr.match.mask;
}

static void
cls_match_from_ofp(struct cls_match *cm, const struct ofp_match *m)
{
    cm->key = m->flow;
    cm->mask = m->wc;
    flow_apply_mask(&cm->key, &cm->mask);
}

/* Sets the conjunctions of 'rule' (not in a classifier) from 'actions'. */
static void
rule_set_conjunctions(struct ofproto_rule *rule,
                      const struct ofproto_actions *actions)
{
    struct cls_conjunction conjs[64];
    size_t n = 0;
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofproto_actions_get(actions), actions->size) {
        if (a->type == OFPACT_CONJUNCTION && n < ARRAY_SIZE(conjs)) {
            const struct ofpact_conjunction *c
                = OFPACT_CAST_CONST(conjunction, a);
            conjs[n].id = c->id;
            conjs[n].clause = c->clause + 1;
            conjs[n].n_clauses = c->n_clauses;
            n++;
        }
    }
    cls_rule_set_conjunctions(&rule->cr, conjs, n);
}

static bool
actions_have_conjunctions(const struct ofproto_actions *actions)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofproto_actions_get(actions), actions->size) {
        if (a->type == OFPACT_CONJUNCTION) {
            return true;
        }
    }
    return false;
}

static struct ofproto_rule *
rule_create(struct ofproto *p, const struct ofproto_flow_mod *fm,
            uint8_t table_id, uint64_t cookie)
{
    struct ofproto_rule *rule = xzalloc(sizeof *rule);
    cls_rule_init(&rule->cr, &fm->match.flow, &fm->match.wc, fm->priority);
    rule->cr.owner = rule;
    atomic_init(&rule->ref_cnt, 1);
    rule->table_id = table_id;
    rule->removed = true;
    rule->actions = ofproto_actions_create(fm->ofpacts, fm->ofpacts_size);
    rule->cookie = cookie;
    rule->idle_timeout = fm->idle_timeout;
    rule->hard_timeout = fm->hard_timeout;
    rule->flags = fm->flags;
    rule->importance = fm->importance;
    rule->created = rule->modified = p->clock();
    list_init(&rule->expirable_node);
    atomic_init(&rule->packet_count, 0);
    atomic_init(&rule->byte_count, 0);
    atomic_init(&rule->used, rule->created);
    rule_set_conjunctions(rule, rule->actions);
    return rule;
}

/* Puts 'rule' into its table.  Returns the rule it displaced (same match
 * and priority), now out of the table, or NULL. */
static struct ofproto_rule *
rule_insert(struct ofproto *p, struct ofproto_rule *rule)
{
    struct cls_rule *old_cr
        = classifier_replace(&p->tables[rule->table_id].cls, &rule->cr);
    rule->removed = false;
    if (rule->idle_timeout || rule->hard_timeout) {
        list_push_back(&p->expirable, &rule->expirable_node);
    }
    struct ofproto_rule *old = old_cr ? old_cr->owner : NULL;
    if (old) {
        old->removed = true;
        list_remove(&old->expirable_node);
        list_init(&old->expirable_node);
    }
    return old;
}

static void
rule_remove(struct ofproto *p, struct ofproto_rule *rule)
{
    classifier_remove(&p->tables[rule->table_id].cls, &rule->cr);
    rule->removed = true;
    list_remove(&rule->expirable_node);
    list_init(&rule->expirable_node);
}

/* Replaces 'rule''s actions by 'actions' (taking the reference), moving
 * the rule out and back into its table if its conjunctions change.
 * Returns the old actions (the caller's reference). */
static struct ofproto_actions *
rule_swap_actions(struct ofproto *p, struct ofproto_rule *rule,
                  struct ofproto_actions *actions)
{
    struct ofproto_actions *old = rule->actions;
    bool conj = rule->cr.n_conjs || actions_have_conjunctions(actions);
    if (conj && !rule->removed) {
        classifier_remove(&p->tables[rule->table_id].cls, &rule->cr);
        rule_set_conjunctions(rule, actions);
        classifier_replace(&p->tables[rule->table_id].cls, &rule->cr);
    }
    rule->actions = actions;
    return old;
}

/* Life cycle. */

static long long
ofproto_default_clock(void)
{
    return time_msec();
}

/* Creates a switch named 'name' (copied) with 'datapath_id', empty tables,
 * and no ports.  The caller owns the result (ofproto_destroy()). */
struct ofproto *
ofproto_create(const char *name, uint64_t datapath_id)
{
    struct ofproto *p = xzalloc(sizeof *p);
    p->name = xstrdup(name);
    p->datapath_id = datapath_id;
    pthread_rwlock_init(&p->rwlock, NULL);
    atomic_init(&p->version, 1);
    for (size_t i = 0; i < OFPROTO_N_TABLES; i++) {
        classifier_init(&p->tables[i].cls);
        atomic_init(&p->tables[i].lookup_count, 0);
        atomic_init(&p->tables[i].matched_count, 0);
    }
    hmap_init(&p->groups);
    hmap_init(&p->meters);
    hmap_init(&p->ports);
    list_init(&p->expirable);
    p->max_ports = OFPP_MAX_PORT;
    p->clock = ofproto_default_clock;
    return p;
}

static void
group_destroy(struct ofproto_group *g)
{
    if (g) {
        for (size_t i = 0; i < g->n_buckets; i++) {
            ofproto_actions_unref(g->buckets[i].actions);
        }
        free(g->buckets);
        free(g);
    }
}

/* Frees 'p' with its rules, groups and ports (the datapath must hold no
 * rule references it will still use).  NULL is a no-op. */
void
ofproto_destroy(struct ofproto *p)
{
    if (!p) {
        return;
    }
    for (size_t i = 0; i < OFPROTO_N_TABLES; i++) {
        struct ofproto_rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[i].cls) {
            rule_remove(p, rule);
            ofproto_rule_unref(rule);
        }
        classifier_uninit(&p->tables[i].cls);
    }
    struct ofproto_group *g;
    HMAP_FOR_EACH_SAFE (g, node, &p->groups) {
        hmap_remove(&p->groups, &g->node);
        group_destroy(g);
    }
    hmap_uninit(&p->groups);
    ofproto_meter__destroy_all(p);
    struct ofproto_port *port;
    HMAP_FOR_EACH_SAFE (port, node, &p->ports) {
        hmap_remove(&p->ports, &port->node);
        free(port->name);
        free(port);
    }
    hmap_uninit(&p->ports);
    pthread_rwlock_destroy(&p->rwlock);
    free(p->name);
    free(p);
}

/* Sets the clock (msec) timeouts and durations use. */
void
ofproto_set_clock(struct ofproto *p, long long (*clock)(void))
{
    p->clock = clock ? clock : ofproto_default_clock;
}

/* Sets the notification callbacks ('cbs' copied) and their 'aux'. */
void
ofproto_set_callbacks(struct ofproto *p, const struct ofproto_callbacks *cbs,
                      void *aux)
{
    p->cbs = *cbs;
    p->cbs_aux = aux;
}

/* Returns the change counter: it differs after any change. */
uint64_t
ofproto_get_version(const struct ofproto *p)
{
    return atomic_load_explicit(&CONST_CAST(struct ofproto *, p)->version,
                                memory_order_acquire);
}

/* Sets 'fm' to a 'command' with no filters, match-all, priority 32768
 * (OFP_DEFAULT_PRIORITY), all tables for modify/delete, table 0 for add. */
void
ofproto_flow_mod_init(struct ofproto_flow_mod *fm,
                      enum ofproto_fm_command command)
{
    memset(fm, 0, sizeof *fm);
    fm->command = command;
    fm->table_id = command == OFPROTO_FC_ADD ? 0 : OFPROTO_TABLE_ALL;
    ofp_match_init_catchall(&fm->match);
    fm->priority = 32768;
    fm->out_port = OFPP_NONE;
    fm->out_group = OFPROTO_GROUP_ANY;
}

/* Transactions. */

static struct txn_entry *
txn_log(struct ofproto_txn *txn, enum txn_op op)
{
    if (txn->n_log >= txn->allocated_log) {
        txn->log = x2nrealloc(txn->log, &txn->allocated_log,
                              sizeof *txn->log);
    }
    struct txn_entry *e = &txn->log[txn->n_log++];
    memset(e, 0, sizeof *e);
    e->op = op;
    return e;
}

/* Starts a transaction on 'p', taking its write lock until
 * ofproto_txn_commit() or ofproto_txn_abort(), which free the result. */
struct ofproto_txn *
ofproto_txn_begin(struct ofproto *p)
{
    struct ofproto_txn *txn = xzalloc(sizeof *txn);
    txn->ofproto = p;
    pthread_rwlock_wrlock(&p->rwlock);
    return txn;
}

static bool
rule_passes_filter(const struct ofproto_rule *rule, uint64_t cookie,
                   uint64_t cookie_mask, uint32_t out_port,
                   uint32_t out_group)
{
    if ((rule->cookie ^ cookie) & cookie_mask) {
        return false;
    }
    if (out_port != OFPP_NONE
        && !ofpacts_output_to_port(ofproto_actions_get(rule->actions),
                                   rule->actions->size, out_port)) {
        return false;
    }
    if (out_group != OFPROTO_GROUP_ANY
        && !ofpacts_output_to_group(ofproto_actions_get(rule->actions),
                                    rule->actions->size, out_group)) {
        return false;
    }
    return true;
}

/* Appends to '*rules' (an array of '*n' with '*allocated' slots) every rule
 * that 'filter' selects. */
static void
collect_rules(struct ofproto *p, const struct ofproto_rule_filter *f,
              struct ofproto_rule ***rules, size_t *n, size_t *allocated)
{
    struct cls_match target;
    cls_match_from_ofp(&target, &f->match);
    size_t first = f->table_id == OFPROTO_TABLE_ALL ? 0 : f->table_id;
    size_t last = (f->table_id == OFPROTO_TABLE_ALL
                   ? OFPROTO_N_TABLES - 1 : f->table_id);
    for (size_t t = first; t <= last; t++) {
        struct ofproto_rule *rule;
        CLS_FOR_EACH_TARGET (rule, cr, &p->tables[t].cls, &target,
                             f->priority, f->strict) {
            if (rule_passes_filter(rule, f->cookie, f->cookie_mask,
                                   f->out_port, f->out_group)) {
                if (*n >= *allocated) {
                    *rules = x2nrealloc(*rules, allocated, sizeof **rules);
                }
                (*rules)[(*n)++] = rule;
            }
        }
    }
}

/* Whether 'a' and 'b' could both match some packet. */
static bool
matches_overlap(const struct cls_match *a, const struct cls_match *b)
{
    const uint64_t *ak = flow_u64(&a->key), *bk = flow_u64(&b->key);
    const uint64_t *am = flow_u64(&a->mask.masks);
    const uint64_t *bm = flow_u64(&b->mask.masks);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if ((ak[i] ^ bk[i]) & am[i] & bm[i]) {
            return false;
        }
    }
    return true;
}

/* Checks that every group the list 'ofpacts' sends to exists. */
static enum ofperr
check_groups(const struct ofproto *p, const struct ofpact *ofpacts,
             size_t size)
{
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, ofpacts, size) {
        if (a->type == OFPACT_GROUP) {
            uint32_t id = OFPACT_CAST_CONST(group, a)->group_id;
            if (!ofproto_group_find(p, id)) {
                return OFPERR_OFPBAC_BAD_OUT_GROUP;
            }
        } else if (a->type == OFPACT_CLONE
                   || a->type == OFPACT_WRITE_ACTIONS) {
            size_t n;
            const struct ofpact *inner = ofpact_nested(a, &n);
            enum ofperr err = check_groups(p, inner, n);
            if (err) {
                return err;
            }
        }
    }
    return 0;
}

static enum ofperr
txn_add_flow(struct ofproto_txn *txn, const struct ofproto_flow_mod *fm,
             uint8_t table_id, uint64_t cookie)
{
    struct ofproto *p = txn->ofproto;
    if (table_id >= OFPROTO_N_TABLES) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    if (fm->priority < 0 || fm->priority > UINT16_MAX) {
        return OFPERR_OFPFMFC_UNKNOWN;
    }
    struct cls_match target;
    cls_match_from_ofp(&target, &fm->match);
    if (fm->flags & OFPROTO_FF_CHECK_OVERLAP) {
        struct ofproto_rule *r;
        CLS_FOR_EACH (r, cr, &p->tables[table_id].cls) {
            if (r->cr.priority == fm->priority
                && matches_overlap(&r->cr.match, &target)) {
                return OFPERR_OFPFMFC_OVERLAP;
            }
        }
    }
    struct ofproto_rule *rule = rule_create(p, fm, table_id, cookie);
    struct ofproto_rule *old = rule_insert(p, rule);
    if (old) {
        /* OpenFlow 1.3.5 §6.4: an identical entry is replaced; Kiln keeps
         * its counters and creation time unless asked to reset them. */
        if (!(fm->flags & OFPROTO_FF_RESET_COUNTS)) {
            atomic_store(&rule->packet_count, atomic_load(&old->packet_count));
            atomic_store(&rule->byte_count, atomic_load(&old->byte_count));
            rule->created = old->created;
        }
    }
    struct txn_entry *e = txn_log(txn, TXN_RULE_ADD);
    e->rule = rule;
    e->old = old;
    return 0;
}

static void
txn_modify_rule(struct ofproto_txn *txn, struct ofproto_rule *rule,
                const struct ofproto_flow_mod *fm)
{
    struct txn_entry *e = txn_log(txn, TXN_RULE_MOD);
    e->rule = rule;
    e->old_cookie = rule->cookie;
    e->old_modified = rule->modified;
    e->old_packets = atomic_load(&rule->packet_count);
    e->old_bytes = atomic_load(&rule->byte_count);

    struct ofproto_actions *new
        = ofproto_actions_create(fm->ofpacts, fm->ofpacts_size);
    e->old_actions = rule_swap_actions(txn->ofproto, rule, new);
    if (fm->modify_cookie) {
        rule->cookie = fm->new_cookie;
    }
    if (fm->flags & OFPROTO_FF_RESET_COUNTS) {
        atomic_store(&rule->packet_count, 0);
        atomic_store(&rule->byte_count, 0);
    }
    rule->modified = txn->ofproto->clock();
}

static void
txn_delete_rule(struct ofproto_txn *txn, struct ofproto_rule *rule,
                enum ofproto_removed_reason reason)
{
    rule_remove(txn->ofproto, rule);
    struct txn_entry *e = txn_log(txn, TXN_RULE_DEL);
    e->rule = rule;
    e->reason = reason;
}

static void
filter_from_flow_mod(struct ofproto_rule_filter *f,
                     const struct ofproto_flow_mod *fm, bool strict)
{
    f->table_id = fm->table_id;
    f->match = fm->match;
    f->strict = strict;
    f->priority = fm->priority;
    f->cookie = fm->cookie;
    f->cookie_mask = fm->cookie_mask;
    f->out_port = fm->out_port;
    f->out_group = fm->out_group;
}

/* Applies 'fm' within 'txn'.  Returns 0 or an OpenFlow error; on error
 * nothing of 'fm' was applied (earlier changes of 'txn' stay until
 * commit or abort). */
enum ofperr
ofproto_txn_flow_mod(struct ofproto_txn *txn,
                     const struct ofproto_flow_mod *fm)
{
    struct ofproto *p = txn->ofproto;
    bool strict = (fm->command == OFPROTO_FC_MODIFY_STRICT
                   || fm->command == OFPROTO_FC_DELETE_STRICT);
    enum ofperr err;

    if (fm->command == OFPROTO_FC_ADD
        || fm->command == OFPROTO_FC_MODIFY
        || fm->command == OFPROTO_FC_MODIFY_STRICT) {
        err = check_groups(p, fm->ofpacts, fm->ofpacts_size);
        if (!err) {
            err = ofproto_meter__check(p, fm->ofpacts, fm->ofpacts_size);
        }
        if (err) {
            return err;
        }
    }
    if (fm->table_id >= OFPROTO_N_TABLES
        && fm->table_id != OFPROTO_TABLE_ALL) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }

    switch (fm->command) {
    case OFPROTO_FC_ADD:
        /* An add to "all tables" goes to table 0, as in ovs-vswitchd. */
        return txn_add_flow(txn, fm, (fm->table_id == OFPROTO_TABLE_ALL
                                      ? 0 : fm->table_id), fm->cookie);

    case OFPROTO_FC_MODIFY:
    case OFPROTO_FC_MODIFY_STRICT:
    case OFPROTO_FC_DELETE:
    case OFPROTO_FC_DELETE_STRICT: {
        struct ofproto_rule_filter f;
        filter_from_flow_mod(&f, fm, strict);
        bool delete = fm->command >= OFPROTO_FC_DELETE;
        if (!delete) {
            /* OpenFlow 1.3.5 §6.4: modify ignores out_port/out_group. */
            f.out_port = OFPP_NONE;
            f.out_group = OFPROTO_GROUP_ANY;
        }
        struct ofproto_rule **rules = NULL;
        size_t n = 0, allocated = 0;
        collect_rules(p, &f, &rules, &n, &allocated);
        if (delete) {
            for (size_t i = 0; i < n; i++) {
                txn_delete_rule(txn, rules[i], OFPROTO_RR_DELETE);
            }
        } else if (n) {
            for (size_t i = 0; i < n; i++) {
                txn_modify_rule(txn, rules[i], fm);
            }
        } else if (fm->modify_cookie && !fm->cookie_mask) {
            /* No rule matched: OpenFlow 1.0 §4.6 (and ovs-ofctl's
             * mod-flows) add one. */
            free(rules);
            uint8_t table = (fm->table_id == OFPROTO_TABLE_ALL
                             ? 0 : fm->table_id);
            return txn_add_flow(txn, fm, table, fm->new_cookie);
        }
        free(rules);
        return 0;
    }
    default:
        return OFPERR_OFPFMFC_BAD_COMMAND;
    }
}

static void
txn_undo(struct ofproto *p, struct txn_entry *e)
{
    switch (e->op) {
    case TXN_RULE_ADD:
        rule_remove(p, e->rule);
        if (e->old) {
            rule_insert(p, e->old);
        }
        ofproto_rule_unref(e->rule);
        break;
    case TXN_RULE_DEL:
        rule_insert(p, e->rule);
        break;
    case TXN_RULE_MOD:
        ofproto_actions_unref(rule_swap_actions(p, e->rule,
                                                e->old_actions));
        e->rule->cookie = e->old_cookie;
        e->rule->modified = e->old_modified;
        atomic_store(&e->rule->packet_count, e->old_packets);
        atomic_store(&e->rule->byte_count, e->old_bytes);
        break;
    case TXN_GROUP:
        if (e->new_group) {
            hmap_remove(&p->groups, &e->new_group->node);
            group_destroy(e->new_group);
        }
        if (e->old_group) {
            hmap_insert(&p->groups, &e->old_group->node,
                        hash_int(e->old_group->group_id, 0));
        }
        break;
    case TXN_METER:
        ofproto_meter__undo(p, e);
        break;
    }
}

/* Whether the TXN_RULE_MOD 'e' changed what a flow monitor reports. */
static bool
rule_mod_visible(const struct txn_entry *e)
{
    const struct ofproto_actions *a = e->rule->actions, *b = e->old_actions;
    return (e->rule->cookie != e->old_cookie
            || a->size != b->size
            || memcmp(a->ofpacts, b->ofpacts, a->size));
}

static void
txn_finish(struct ofproto *p, struct txn_entry *e)
{
    if (p->cbs.flow_changed) {
        if (e->op == TXN_RULE_ADD) {
            p->cbs.flow_changed(p, e->rule, OFPROTO_FLOW_ADDED, 0, NULL,
                                p->cbs_aux);
        } else if (e->op == TXN_RULE_DEL) {
            p->cbs.flow_changed(p, e->rule, OFPROTO_FLOW_DELETED, e->reason,
                                NULL, p->cbs_aux);
        } else if (e->op == TXN_RULE_MOD && rule_mod_visible(e)) {
            p->cbs.flow_changed(p, e->rule, OFPROTO_FLOW_MODIFIED, 0,
                                e->old_actions, p->cbs_aux);
        }
    }
    switch (e->op) {
    case TXN_RULE_ADD:
        ofproto_rule_unref(e->old);
        break;
    case TXN_RULE_DEL:
        if (e->rule->flags & OFPROTO_FF_SEND_FLOW_REM
            && p->cbs.flow_removed) {
            p->cbs.flow_removed(p, e->rule, e->reason, p->cbs_aux);
        }
        ofproto_rule_unref(e->rule);
        break;
    case TXN_RULE_MOD:
        ofproto_actions_unref(e->old_actions);
        break;
    case TXN_GROUP:
        group_destroy(e->old_group);
        break;
    case TXN_METER:
        ofproto_meter__finish(p, e);
        break;
    }
}

/* The log and rule deletion, for ofproto-meter.c. */
struct txn_entry *
ofproto__txn_log(struct ofproto_txn *txn, enum txn_op op)
{
    return txn_log(txn, op);
}

void
ofproto__txn_delete_rule(struct ofproto_txn *txn, struct ofproto_rule *rule,
                         enum ofproto_removed_reason reason)
{
    txn_delete_rule(txn, rule, reason);
}

/* Makes the changes of 'txn' final: sends flow_removed for deleted rules
 * that asked for it, frees what was replaced, bumps the version, releases
 * the write lock and frees 'txn'. */
void
ofproto_txn_commit(struct ofproto_txn *txn)
{
    struct ofproto *p = txn->ofproto;
    for (size_t i = 0; i < txn->n_log; i++) {
        txn_finish(p, &txn->log[i]);
    }
    if (txn->n_log) {
        atomic_fetch_add_explicit(&p->version, 1, memory_order_release);
        if (p->cbs.flows_done) {
            p->cbs.flows_done(p, p->cbs_aux);
        }
    }
    pthread_rwlock_unlock(&p->rwlock);
    free(txn->log);
    free(txn);
}

/* Undoes every change of 'txn', newest first, releases the write lock and
 * frees 'txn'. */
void
ofproto_txn_abort(struct ofproto_txn *txn)
{
    struct ofproto *p = txn->ofproto;
    for (size_t i = txn->n_log; i-- > 0;) {
        txn_undo(p, &txn->log[i]);
    }
    pthread_rwlock_unlock(&p->rwlock);
    free(txn->log);
    free(txn);
}

/* Applies 'fm' to 'p' alone.  Returns 0 or an OpenFlow error (then 'p' is
 * unchanged). */
enum ofperr
ofproto_flow_mod(struct ofproto *p, const struct ofproto_flow_mod *fm)
{
    struct ofproto_txn *txn = ofproto_txn_begin(p);
    enum ofperr err = ofproto_txn_flow_mod(txn, fm);
    if (err) {
        ofproto_txn_abort(txn);
    } else {
        ofproto_txn_commit(txn);
    }
    return err;
}

/* Adds a catch-all rule with 'priority' and the given actions to table
 * 'table_id'. */
enum ofperr
ofproto_add_catchall(struct ofproto *p, uint8_t table_id, int priority,
                     const struct ofpact *ofpacts, size_t ofpacts_size)
{
    struct ofproto_flow_mod fm;
    ofproto_flow_mod_init(&fm, OFPROTO_FC_ADD);
    fm.table_id = table_id;
    fm.priority = priority;
    fm.ofpacts = ofpacts;
    fm.ofpacts_size = ofpacts_size;
    return ofproto_flow_mod(p, &fm);
}

/* Groups. */

/* Returns the group with 'group_id' in 'p', or NULL.  The caller holds the
 * lock. */
struct ofproto_group *
ofproto_group_find(const struct ofproto *p, uint32_t group_id)
{
    struct ofproto_group *g;
    HMAP_FOR_EACH_WITH_HASH (g, node, hash_int(group_id, 0), &p->groups) {
        if (g->group_id == group_id) {
            return g;
        }
    }
    return NULL;
}

/* Checks, under the read lock, that every group the 'size' bytes of
 * ofpacts at 'ofpacts' send to exists (for packet_out).  Returns 0 or
 * OFPBAC_BAD_OUT_GROUP. */
enum ofperr
ofproto_check_groups(struct ofproto *p, const struct ofpact *ofpacts,
                     size_t size)
{
    pthread_rwlock_rdlock(&p->rwlock);
    enum ofperr err = check_groups(p, ofpacts, size);
    pthread_rwlock_unlock(&p->rwlock);
    return err;
}

/* Returns how many rules send to 'group_id' (for group stats).  The caller
 * holds the lock. */
uint32_t
ofproto_group_ref_count(const struct ofproto *p, uint32_t group_id)
{
    uint32_t n = 0;
    for (size_t t = 0; t < OFPROTO_N_TABLES; t++) {
        struct ofproto_rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
            if (ofpacts_output_to_group(ofproto_actions_get(rule->actions),
                                        rule->actions->size, group_id)) {
                n++;
            }
        }
    }
    return n;
}

static uint64_t
field_tlv_bit(const struct ofp_field *field)
{
    return (field && field->kind == OFPFK_TUN_METADATA
            ? UINT64_C(1) << field->index : 0);
}

/* The tun_metadata fields that ofpacts use; see the header. */
uint64_t
ofproto_ofpacts_tlv_usage(const struct ofpact *ofpacts, size_t size)
{
    uint64_t bits = 0;
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, size) {
        switch (a->type) {
        case OFPACT_SET_FIELD:
            bits |= field_tlv_bit(OFPACT_CAST_CONST(set_field, a)->field);
            break;
        case OFPACT_REG_MOVE: {
            const struct ofpact_reg_move *m = OFPACT_CAST_CONST(reg_move, a);
            bits |= field_tlv_bit(m->src.field) | field_tlv_bit(m->dst.field);
            break;
        }
        case OFPACT_OUTPUT_REG:
            bits |= field_tlv_bit(OFPACT_CAST_CONST(output_reg, a)->src.field);
            break;
        case OFPACT_CHECK_PKT_LARGER:
            bits |= field_tlv_bit(
                OFPACT_CAST_CONST(check_pkt_larger, a)->dst.field);
            break;
        case OFPACT_MULTIPATH:
            bits |= field_tlv_bit(OFPACT_CAST_CONST(multipath, a)->dst.field);
            break;
        case OFPACT_LEARN: {
            const struct ofpact_learn *l = OFPACT_CAST_CONST(learn, a);
            for (uint32_t i = 0; i < l->n_specs; i++) {
                const struct ofpact_learn_spec *sp = &l->specs[i];
                if (sp->src_type == OFPACT_LEARN_SRC_FIELD) {
                    bits |= field_tlv_bit(sp->src.field);
                }
                if (sp->dst_type != OFPACT_LEARN_DST_OUTPUT) {
                    bits |= field_tlv_bit(sp->dst.field);
                }
            }
            break;
        }
        case OFPACT_CT:
            bits |= field_tlv_bit(OFPACT_CAST_CONST(ct, a)->zone_src.field);
            break;
        default:
            break;
        }
        size_t n_nested;
        const struct ofpact *nested = ofpact_nested(a, &n_nested);
        if (nested) {
            bits |= ofproto_ofpacts_tlv_usage(nested, n_nested);
        }
    }
    return bits;
}

/* The tun_metadata fields that rules and groups use; see the header. */
uint64_t
ofproto_tlv_usage(const struct ofproto *p)
{
    uint64_t bits = 0;
    for (size_t t = 0; t < OFPROTO_N_TABLES; t++) {
        struct ofproto_rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
            bits |= rule->cr.match.mask.masks.tunnel.present;
            bits |= ofproto_ofpacts_tlv_usage(
                ofproto_actions_get(rule->actions), rule->actions->size);
        }
    }
    const struct ofproto_group *g;
    HMAP_FOR_EACH (g, node, &p->groups) {
        for (size_t i = 0; i < g->n_buckets; i++) {
            const struct ofproto_actions *acts = g->buckets[i].actions;
            bits |= ofproto_ofpacts_tlv_usage(ofproto_actions_get(acts),
                                              acts->size);
        }
    }
    return bits;
}

static enum ofperr
group_check(const struct ofproto *p, const struct ofproto_group_mod *gm)
{
    if (gm->type > OFPROTO_GT_FF) {
        return OFPERR_OFPGMFC_BAD_TYPE;
    }
    if (gm->group_id > OFPROTO_GROUP_MAX) {
        return OFPERR_OFPGMFC_INVALID_GROUP;
    }
    if (gm->type == OFPROTO_GT_INDIRECT && gm->n_buckets != 1) {
        return OFPERR_OFPGMFC_INVALID_GROUP;
    }
    for (size_t i = 0; i < gm->n_buckets; i++) {
        const struct ofproto_bucket_spec *b = &gm->buckets[i];
        if (gm->type == OFPROTO_GT_FF && b->watch_port == OFPP_NONE
            && b->watch_group == OFPROTO_GROUP_ANY) {
            return OFPERR_OFPGMFC_BAD_WATCH;
        }
        if (gm->type != OFPROTO_GT_SELECT && b->weight > 1) {
            return OFPERR_OFPGMFC_WEIGHT_UNSUPPORTED;
        }
        if (b->watch_group != OFPROTO_GROUP_ANY
            && b->watch_group == gm->group_id) {
            return OFPERR_OFPGMFC_LOOP;
        }
        const struct ofpact *a;
        OFPACT_FOR_EACH (a, b->ofpacts, b->ofpacts_size) {
            if (a->type == OFPACT_GROUP) {
                uint32_t id = OFPACT_CAST_CONST(group, a)->group_id;
                if (id == gm->group_id) {
                    return OFPERR_OFPGMFC_LOOP;
                }
                if (!ofproto_group_find(p, id)) {
                    return OFPERR_OFPGMFC_UNKNOWN_GROUP;
                }
            }
        }
    }
    return 0;
}

static struct ofproto_group *
group_create(const struct ofproto *p, const struct ofproto_group_mod *gm,
             long long created)
{
    struct ofproto_group *g = xzalloc(sizeof *g);
    g->group_id = gm->group_id;
    g->type = gm->type;
    g->n_buckets = gm->n_buckets;
    g->buckets = xcalloc(gm->n_buckets ? gm->n_buckets : 1,
                         sizeof *g->buckets);
    for (size_t i = 0; i < gm->n_buckets; i++) {
        const struct ofproto_bucket_spec *s = &gm->buckets[i];
        struct ofproto_bucket *b = &g->buckets[i];
        b->bucket_id = s->bucket_id;
        b->weight = s->weight;
        b->watch_port = s->watch_port;
        b->watch_group = s->watch_group;
        b->actions = ofproto_actions_create(s->ofpacts, s->ofpacts_size);
        atomic_init(&b->packet_count, 0);
        atomic_init(&b->byte_count, 0);
    }
    g->created = created;
    atomic_init(&g->packet_count, 0);
    atomic_init(&g->byte_count, 0);
    return g;
}

static void
txn_group_delete(struct ofproto_txn *txn, struct ofproto_group *g)
{
    struct ofproto *p = txn->ofproto;
    /* OpenFlow 1.3.5 §6.5: deleting a group deletes the flows that
     * forward to it. */
    for (size_t t = 0; t < OFPROTO_N_TABLES; t++) {
        struct ofproto_rule *rule;
        CLS_FOR_EACH (rule, cr, &p->tables[t].cls) {
            if (ofpacts_output_to_group(ofproto_actions_get(rule->actions),
                                        rule->actions->size, g->group_id)) {
                txn_delete_rule(txn, rule, OFPROTO_RR_GROUP_DELETE);
            }
        }
    }
    hmap_remove(&p->groups, &g->node);
    struct txn_entry *e = txn_log(txn, TXN_GROUP);
    e->old_group = g;
}

/* Applies 'gm' within 'txn'.  Returns 0 or an OpenFlow error, with nothing
 * of 'gm' applied. */
enum ofperr
ofproto_txn_group_mod(struct ofproto_txn *txn,
                      const struct ofproto_group_mod *gm)
{
    struct ofproto *p = txn->ofproto;
    struct ofproto_group *old;
    enum ofperr err;

    switch (gm->command) {
    case OFPROTO_GC_ADD:
    case OFPROTO_GC_MODIFY: {
        err = group_check(p, gm);
        if (err) {
            return err;
        }
        old = ofproto_group_find(p, gm->group_id);
        if (gm->command == OFPROTO_GC_ADD && old) {
            return OFPERR_OFPGMFC_GROUP_EXISTS;
        }
        if (gm->command == OFPROTO_GC_MODIFY && !old) {
            return OFPERR_OFPGMFC_UNKNOWN_GROUP;
        }
        struct ofproto_group *g = group_create(p, gm, old ? old->created
                                               : p->clock());
        if (old) {
            hmap_remove(&p->groups, &old->node);
        }
        hmap_insert(&p->groups, &g->node, hash_int(g->group_id, 0));
        struct txn_entry *e = txn_log(txn, TXN_GROUP);
        e->old_group = old;
        e->new_group = g;
        return 0;
    }
    case OFPROTO_GC_DELETE:
        if (gm->group_id == OFPROTO_GROUP_ALL) {
            struct ofproto_group *g;
            HMAP_FOR_EACH_SAFE (g, node, &p->groups) {
                txn_group_delete(txn, g);
            }
        } else {
            old = ofproto_group_find(p, gm->group_id);
            if (old) {
                txn_group_delete(txn, old);
            }
        }
        return 0;
    default:
        return OFPERR_OFPGMFC_BAD_COMMAND;
    }
}

/* Applies 'gm' to 'p' alone.  Returns 0 or an OpenFlow error. */
enum ofperr
ofproto_group_mod(struct ofproto *p, const struct ofproto_group_mod *gm)
{
    struct ofproto_txn *txn = ofproto_txn_begin(p);
    enum ofperr err = ofproto_txn_group_mod(txn, gm);
    if (err) {
        ofproto_txn_abort(txn);
    } else {
        ofproto_txn_commit(txn);
    }
    return err;
}

/* Timeouts. */

/* Removes every rule whose idle timeout (since its last use) or hard
 * timeout (since it was added or modified) has passed at the current
 * clock, sending flow_removed for those that asked.  Returns how many. */
size_t
ofproto_run_timeouts(struct ofproto *p)
{
    long long now = p->clock();
    struct ofproto_txn *txn = ofproto_txn_begin(p);
    struct ofproto_rule *rule;
    LIST_FOR_EACH_SAFE (rule, expirable_node, &p->expirable) {
        long long used = atomic_load(&rule->used);
        if (rule->hard_timeout
            && now >= rule->modified + rule->hard_timeout * 1000LL) {
            txn_delete_rule(txn, rule, OFPROTO_RR_HARD_TIMEOUT);
        } else if (rule->idle_timeout
                   && now >= used + rule->idle_timeout * 1000LL) {
            txn_delete_rule(txn, rule, OFPROTO_RR_IDLE_TIMEOUT);
        }
    }
    size_t n = txn->n_log;
    ofproto_txn_commit(txn);
    return n;
}

/* Lookups and queries. */

/* Returns the highest-priority rule of table 'table_id' matching 'flow'
 * (ORing the bits consulted into 'wc' if nonnull), or NULL.  The caller
 * holds the read lock, and takes a reference to keep the rule past it. */
struct ofproto_rule *
ofproto_lookup(struct ofproto *p, uint8_t table_id, const struct flow *flow,
               struct flow_wildcards *wc)
{
    if (table_id >= OFPROTO_N_TABLES) {
        return NULL;
    }
    struct ofproto_table *t = &p->tables[table_id];
    atomic_fetch_add_explicit(&t->lookup_count, 1, memory_order_relaxed);
    const struct cls_rule *cr = classifier_lookup(&t->cls, flow, wc);
    if (!cr) {
        return NULL;
    }
    atomic_fetch_add_explicit(&t->matched_count, 1, memory_order_relaxed);
    return cr->owner;
}

/* Sets 'f' to select every rule of every table. */
void
ofproto_rule_filter_init(struct ofproto_rule_filter *f)
{
    memset(f, 0, sizeof *f);
    f->table_id = OFPROTO_TABLE_ALL;
    ofp_match_init_catchall(&f->match);
    f->out_port = OFPP_NONE;
    f->out_group = OFPROTO_GROUP_ANY;
}

/* Orders rules by table, then priority from high to low. */
static int
rule_order_cmp(const void *a_, const void *b_)
{
    const struct ofproto_rule *a = *(const struct ofproto_rule *const *) a_;
    const struct ofproto_rule *b = *(const struct ofproto_rule *const *) b_;
    if (a->table_id != b->table_id) {
        return a->table_id < b->table_id ? -1 : 1;
    }
    return a->cr.priority > b->cr.priority ? -1
           : a->cr.priority < b->cr.priority;
}

/* Calls 'visit' for every rule 'f' selects, by table and descending
 * priority, under the read lock, and returns how many it visited. */
size_t
ofproto_visit_rules(struct ofproto *p, const struct ofproto_rule_filter *f,
                    ofproto_rule_visitor *visit, void *aux)
{
    struct ofproto_rule **rules = NULL;
    size_t n = 0, allocated = 0;
    pthread_rwlock_rdlock(&p->rwlock);
    collect_rules(p, f, &rules, &n, &allocated);
    if (n > 1) {
        qsort(rules, n, sizeof *rules, rule_order_cmp);
    }
    for (size_t i = 0; i < n; i++) {
        visit(rules[i], aux);
    }
    pthread_rwlock_unlock(&p->rwlock);
    free(rules);
    return n;
}

struct aggregate_aux {
    uint64_t packets, bytes;
};

static void
aggregate_visit(const struct ofproto_rule *rule, void *aux_)
{
    struct aggregate_aux *aux = aux_;
    aux->packets += atomic_load(&CONST_CAST(struct ofproto_rule *,
                                            rule)->packet_count);
    aux->bytes += atomic_load(&CONST_CAST(struct ofproto_rule *,
                                          rule)->byte_count);
}

/* Sums the counters of the rules 'f' selects. */
void
ofproto_aggregate(struct ofproto *p, const struct ofproto_rule_filter *f,
                  uint64_t *packets, uint64_t *bytes, uint32_t *flows)
{
    struct aggregate_aux aux = { 0, 0 };
    *flows = ofproto_visit_rules(p, f, aggregate_visit, &aux);
    *packets = aux.packets;
    *bytes = aux.bytes;
}

/* Returns the number of rules in table 'table_id'. */
size_t
ofproto_table_count(struct ofproto *p, uint8_t table_id)
{
    if (table_id >= OFPROTO_N_TABLES) {
        return 0;
    }
    pthread_rwlock_rdlock(&p->rwlock);
    size_t n = classifier_count(&p->tables[table_id].cls);
    pthread_rwlock_unlock(&p->rwlock);
    return n;
}

/* Returns the number of rules in all tables. */
size_t
ofproto_flow_count(struct ofproto *p)
{
    size_t n = 0;
    pthread_rwlock_rdlock(&p->rwlock);
    for (size_t t = 0; t < OFPROTO_N_TABLES; t++) {
        n += classifier_count(&p->tables[t].cls);
    }
    pthread_rwlock_unlock(&p->rwlock);
    return n;
}

/* Ports. */

/* Returns port 'port_no' of 'p' or NULL (caller holds the lock, or is the
 * main thread, which is the only writer). */
struct ofproto_port *
ofproto_port_find(const struct ofproto *p, uint32_t port_no)
{
    struct ofproto_port *port;
    HMAP_FOR_EACH_WITH_HASH (port, node, hash_int(port_no, 0), &p->ports) {
        if (port->port_no == port_no) {
            return port;
        }
    }
    return NULL;
}

/* Returns the port named 'name' or NULL. */
struct ofproto_port *
ofproto_port_find_by_name(const struct ofproto *p, const char *name)
{
    struct ofproto_port *port;
    HMAP_FOR_EACH (port, node, &p->ports) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

/* Adds port 'name' with number 'port_no' (0 to pick the lowest free one)
 * and hardware address 'mac' (NULL for zero), sending port_status ADD.
 * Stores the number in '*port_nop' if nonnull.  Returns 0, -EEXIST if the
 * name or number is taken, -ENOSPC if no number is free, -EINVAL for a
 * reserved number. */
int
ofproto_port_add(struct ofproto *p, const char *name, uint32_t port_no,
                 const struct eth_addr *mac, uint32_t *port_nop)
{
    if (ofproto_port_find_by_name(p, name)) {
        return -EEXIST;
    }
    if (port_no == 0) {
        for (port_no = 1; port_no < OFPP_MAX_PORT; port_no++) {
            if (!ofproto_port_find(p, port_no)) {
                break;
            }
        }
        if (port_no >= OFPP_MAX_PORT) {
            return -ENOSPC;
        }
    } else if (port_no >= OFPP_MAX_PORT && port_no != OFPP_LOCAL) {
        return -EINVAL;
    } else if (ofproto_port_find(p, port_no)) {
        return -EEXIST;
    }

    struct ofproto_port *port = xzalloc(sizeof *port);
    port->port_no = port_no;
    port->name = xstrdup(name);
    if (mac) {
        port->mac = *mac;
    }
    port->curr = (1u << 6) | (1u << 11); /* OFPPF_10GB_FD, OFPPF_COPPER. */
    if (port_no == OFPP_LOCAL) {
        /* Down until the datapath brings the internal device up. */
        port->config = 1;       /* OFPPC_PORT_DOWN. */
        port->state = 1;        /* OFPPS_LINK_DOWN. */
    }
    port->curr_speed = 10000000;
    port->created = p->clock();
    pthread_rwlock_wrlock(&p->rwlock);
    hmap_insert(&p->ports, &port->node, hash_int(port_no, 0));
    atomic_fetch_add(&p->version, 1);
    pthread_rwlock_unlock(&p->rwlock);
    if (p->cbs.port_status) {
        p->cbs.port_status(p, port, 0, p->cbs_aux);
    }
    if (port_nop) {
        *port_nop = port_no;
    }
    return 0;
}

/* Removes port 'port_no', sending port_status DELETE.  Returns 0 or
 * -ENOENT. */
int
ofproto_port_del(struct ofproto *p, uint32_t port_no)
{
    struct ofproto_port *port = ofproto_port_find(p, port_no);
    if (!port) {
        return -ENOENT;
    }
    pthread_rwlock_wrlock(&p->rwlock);
    hmap_remove(&p->ports, &port->node);
    atomic_fetch_add(&p->version, 1);
    pthread_rwlock_unlock(&p->rwlock);
    if (p->cbs.port_status) {
        p->cbs.port_status(p, port, 1, p->cbs_aux);
    }
    free(port->name);
    free(port);
    return 0;
}

/* Changes the OFPPC_* 'config' and OFPPS_* 'state' of 'port_no', sending
 * port_status MODIFY if either changed. */
void
ofproto_port_set_state(struct ofproto *p, uint32_t port_no, uint32_t config,
                       uint32_t state)
{
    struct ofproto_port *port = ofproto_port_find(p, port_no);
    if (port && (port->config != config || port->state != state)) {
        pthread_rwlock_wrlock(&p->rwlock);
        port->config = config;
        port->state = state;
        atomic_fetch_add(&p->version, 1);
        pthread_rwlock_unlock(&p->rwlock);
        if (p->cbs.port_status) {
            p->cbs.port_status(p, port, 2, p->cbs_aux);
        }
    }
}
