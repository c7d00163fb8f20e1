/* Flow monitors (NXST_FLOW_MONITOR, openflow/ofp-monitor.h): per
 * connection, the monitors a controller asked for; on every commit that
 * changes rules, the updates each monitoring connection gets; the initial
 * reply; cancel; and pausing a connection that falls behind. */
#include <stdlib.h>
#include <string.h>

#include "lib/flow.h"
#include "lib/list.h"
#include "lib/log.h"
#include "lib/stream.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-monitor.h"
#include "openflow/ofp-msgs.h"
#include "switch/connmgr-private.h"
#include "switch/ofproto.h"

LOG_MODULE(connmgr_monitor);

/* One monitor of one connection. */
struct conn_monitor {
    struct list node;           /* In ofconn 'monitors'. */
    uint32_t id;                /* Controller-chosen id. */
    uint16_t flags;             /* NXFMF_*. */
    uint8_t table_id;           /* Table or OFPROTO_TABLE_ALL. */
    uint32_t out_port;          /* OFPP_* (1.0 numbering), OFPP_NONE for
                                 * any. */
    struct cls_match target;    /* Rules must fit it loosely. */
};

static struct conn_monitor *
monitor_find(const struct ofconn *c, uint32_t id)
{
    struct conn_monitor *m;
    LIST_FOR_EACH (m, node, &c->monitors) {
        if (m->id == id) {
            return m;
        }
    }
    return NULL;
}

static void
monitor_destroy(struct ofconn *c, struct conn_monitor *m)
{
    list_remove(&m->node);
    c->mgr->n_monitors--;
    free(m);
}

static bool
outputs_to(const struct ofproto_actions *a, uint32_t port)
{
    return a && ofpacts_output_to_port(ofproto_actions_get(a), a->size,
                                       port);
}

/* Whether 'rule' is one 'm' watches: same table, a match at least as
 * specific as the monitor's, and an output to its port (in its actions
 * or, if nonnull, its 'old_actions'). */
static bool
monitor_selects(const struct conn_monitor *m, const struct ofproto_rule *rule,
                const struct ofproto_actions *old_actions)
{
    if (m->table_id != OFPROTO_TABLE_ALL && m->table_id != rule->table_id) {
        return false;
    }
    const uint64_t *tk = flow_u64(&m->target.key);
    const uint64_t *tm = flow_u64(&m->target.mask.masks);
    const uint64_t *rk = flow_u64(&rule->cr.match.key);
    const uint64_t *rm = flow_u64(&rule->cr.match.mask.masks);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (tm[i] & ~rm[i] || (tk[i] ^ rk[i]) & tm[i]) {
            return false;
        }
    }
    return (m->out_port == OFPP_NONE
            || outputs_to(rule->actions, m->out_port)
            || outputs_to(old_actions, m->out_port));
}

/* Appends a full update for 'rule' to 'r' as 'c' reads it. */
static void
put_full_update(struct ofconn *c, struct ofpmsg_mp_reply *r,
                const struct ofproto_rule *rule, enum ofpmon_event event,
                uint16_t reason, bool actions)
{
    struct ofpbuf mbuf = OFPBUF_EMPTY_INITIALIZER;
    struct ofpbuf abuf = OFPBUF_EMPTY_INITIALIZER;
    struct ofpmon_update u;
    memset(&u, 0, sizeof u);
    u.event = event;
    u.reason = reason;
    u.priority = rule->cr.priority;
    u.idle_timeout = rule->idle_timeout;
    u.hard_timeout = rule->hard_timeout;
    u.table_id = rule->table_id;
    u.cookie = rule->cookie;
    struct ofp_match m;
    ofproto_rule_get_match(rule, &m);
    connmgr__encode_match(c, OFPMSG_MATCH_NXM, c->version, &m, &mbuf,
                          &u.match);
    if (actions) {
        connmgr__encode_actions(c, c->version, rule->actions, &abuf,
                                &u.actions);
    }
    ofpmon_put_update(r, &u);
    ofpbuf_uninit(&mbuf);
    ofpbuf_uninit(&abuf);
}

/* Whether any monitor in 'monitors' with flag 'need' (or any, if 0)
 * selects 'rule' (see monitor_selects()); if so, ORs their flags into
 * '*flags'. */
static bool
monitors_select(const struct list *monitors, const struct ofproto_rule *rule,
                const struct ofproto_actions *old_actions, uint16_t need,
                uint16_t *flags)
{
    bool selected = false;
    struct conn_monitor *m;
    *flags = 0;
    LIST_FOR_EACH (m, node, monitors) {
        if ((!need || m->flags & need)
            && monitor_selects(m, rule, old_actions)) {
            *flags |= m->flags;
            selected = true;
        }
    }
    return selected;
}

struct initial_aux {
    struct ofconn *c;           /* Connection. */
    const struct list *monitors; /* Its monitors to report for. */
    struct ofpmsg_mp_reply *r;  /* Reply being built. */
    uint16_t need;              /* Flag a monitor must have (INITIAL), or
                                 * 0 for any (re-sync). */
};

static void
initial_visit(const struct ofproto_rule *rule, void *aux_)
{
    struct initial_aux *aux = aux_;
    uint16_t flags;
    if (monitors_select(aux->monitors, rule, NULL, aux->need, &flags)) {
        put_full_update(aux->c, aux->r, rule, NXFME_ADDED, 0,
                        flags & NXFMF_ACTIONS);
    }
}

/* Appends to 'r' an ADDED update for every rule that the monitors of 'c'
 * in 'monitors' that have flag 'need' (or any, if 0) select. */
static void
put_current_flows(struct ofconn *c, const struct list *monitors,
                  struct ofpmsg_mp_reply *r, uint16_t need)
{
    struct ofproto_rule_filter f;
    ofproto_rule_filter_init(&f);
    struct initial_aux aux = { c, monitors, r, need };
    ofproto_visit_rules(c->mgr->ofproto, &f, initial_visit, &aux);
}

/* Handles an NXST_FLOW_MONITOR request: adds its monitors (all or none)
 * and replies with the flows they select that asked for NXFMF_INITIAL. */
void
connmgr__monitor_request(struct ofconn *c, const struct ofpmsg *msg)
{
    struct list added = LIST_INITIALIZER(&added);
    struct ofpmsg_iter it;
    ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
    enum ofperr err;
    for (;;) {
        struct ofpmon_request req;
        err = ofpmon_request_pull(&it, &req);
        if (err) {
            break;
        }
        struct ofp_match match;
        err = connmgr__decode_match(c, &req.match, &match);
        if (err) {
            break;
        }
        if (req.table_id != OFPROTO_TABLE_ALL
            && req.table_id >= OFPROTO_N_TABLES) {
            err = OFPERR_OFPMOFC_BAD_TABLE_ID;
            break;
        }
        bool dup = monitor_find(c, req.id) != NULL;
        struct conn_monitor *m;
        LIST_FOR_EACH (m, node, &added) {
            dup = dup || m->id == req.id;
        }
        if (dup) {
            err = OFPERR_OFPMOFC_MONITOR_EXISTS;
            break;
        }
        m = xzalloc(sizeof *m);
        m->id = req.id;
        m->flags = req.flags;
        m->table_id = req.table_id;
        m->out_port = req.out_port;
        m->target.key = match.flow;
        m->target.mask = match.wc;
        flow_apply_mask(&m->target.key, &m->target.mask);
        list_push_back(&added, &m->node);
    }
    if (err != OFPMSG_EOF) {
        struct conn_monitor *m;
        LIST_FOR_EACH_SAFE (m, node, &added) {
            free(m);
        }
        ofconn__send_error(c, msg, err);
        return;
    }
    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, OFPMSG_FLOW_MONITOR_REPLY, OFPMSG_NX,
                         msg->version, msg->xid);
    put_current_flows(c, &added, &r, NXFMF_INITIAL);
    ofconn__send_mp(c, &r);

    c->mgr->n_monitors += list_size(&added);
    list_splice_back(&c->monitors, &added);
}

/* Handles NXT_FLOW_MONITOR_CANCEL. */
void
connmgr__monitor_cancel(struct ofconn *c, const struct ofpmsg *msg)
{
    uint32_t id;
    enum ofperr err = ofpmon_decode_cancel(msg, &id);
    struct conn_monitor *m = err ? NULL : monitor_find(c, id);
    if (!err && !m) {
        err = OFPERR_OFPMOFC_UNKNOWN_MONITOR;
    }
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    monitor_destroy(c, m);
}

/* Frees every monitor of 'c' (the connection is going). */
void
connmgr__monitors_clear(struct ofconn *c)
{
    struct conn_monitor *m;
    LIST_FOR_EACH_SAFE (m, node, &c->monitors) {
        monitor_destroy(c, m);
    }
    if (c->monitor_updates) {
        ofpmsg_mp_reply_uninit(c->monitor_updates);
        free(c->monitor_updates);
        c->monitor_updates = NULL;
    }
}

static struct ofpmsg_mp_reply *
pending_updates(struct ofconn *c)
{
    if (!c->monitor_updates) {
        c->monitor_updates = xmalloc(sizeof *c->monitor_updates);
        ofpmsg_mp_reply_init(c->monitor_updates, OFPMSG_FLOW_MONITOR_REPLY,
                             OFPMSG_NX, c->version, 0);
    }
    return c->monitor_updates;
}

/* ofproto callback: 'rule' was added, deleted or modified. */
void
connmgr__monitor_flow_changed(struct ofproto *p,
                              const struct ofproto_rule *rule,
                              enum ofproto_flow_event event,
                              enum ofproto_removed_reason reason,
                              const struct ofproto_actions *old_actions,
                              void *mgr_)
{
    (void) p;
    struct connmgr *mgr = mgr_;
    if (!mgr->n_monitors) {
        return;
    }
    uint16_t need = (event == OFPROTO_FLOW_ADDED ? NXFMF_ADD
                     : event == OFPROTO_FLOW_DELETED ? NXFMF_DELETE
                     : NXFMF_MODIFY);
    struct ofconn *c;
    LIST_FOR_EACH (c, node, &mgr->conns) {
        if (list_is_empty(&c->monitors) || c->monitor_paused
            || !c->negotiated) {
            continue;
        }
        uint16_t flags;
        if (!monitors_select(&c->monitors, rule, old_actions, need,
                             &flags)) {
            continue;
        }
        struct ofpmsg_mp_reply *r = pending_updates(c);
        if (c == mgr->origin && !(flags & NXFMF_OWN)) {
            if (!c->monitor_abbrev_sent) {
                struct ofpmon_update u;
                memset(&u, 0, sizeof u);
                u.event = NXFME_ABBREV;
                u.xid = mgr->origin_xid;
                ofpmon_put_update(r, &u);
                c->monitor_abbrev_sent = true;
            }
        } else {
            put_full_update(c, r, rule, (enum ofpmon_event) event,
                            event == OFPROTO_FLOW_DELETED ? reason : 0,
                            flags & NXFMF_ACTIONS);
        }
    }
}

static bool
over_backlog(const struct ofconn *c, size_t limit)
{
    return c->stream && stream_backlog(c->stream) >= limit;
}

static void
send_simple(struct ofconn *c, enum ofpmsg_type type)
{
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_simple(type, c->version, 0, &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

/* ofproto callback: the commit's changes are all reported; sends each
 * connection its updates, or pauses it if it is behind. */
void
connmgr__monitor_flows_done(struct ofproto *p, void *mgr_)
{
    (void) p;
    struct connmgr *mgr = mgr_;
    if (!mgr->n_monitors) {
        return;
    }
    struct ofconn *c;
    LIST_FOR_EACH (c, node, &mgr->conns) {
        struct ofpmsg_mp_reply *r = c->monitor_updates;
        if (!r) {
            continue;
        }
        c->monitor_updates = NULL;
        c->monitor_abbrev_sent = false;
        if (over_backlog(c, CONNMGR_MONITOR_PAUSE_BACKLOG)) {
            LOG_DBG("%s: flow monitor paused", c->name);
            ofpmsg_mp_reply_uninit(r);
            c->monitor_paused = true;
            send_simple(c, OFPMSG_NXT_FLOW_MONITOR_PAUSED);
        } else {
            ofconn__send_mp(c, r);
        }
        free(r);
    }
}

/* Resumes the paused connections whose backlog drained: a re-sync of
 * every flow their monitors select, then NXT_FLOW_MONITOR_RESUMED. */
void
connmgr__monitors_run(struct connmgr *mgr)
{
    if (!mgr->n_monitors) {
        return;
    }
    struct ofconn *c;
    LIST_FOR_EACH (c, node, &mgr->conns) {
        if (!c->monitor_paused
            || over_backlog(c, CONNMGR_MONITOR_PAUSE_BACKLOG / 4)) {
            continue;
        }
        c->monitor_paused = false;
        LOG_DBG("%s: flow monitor resumed", c->name);
        struct ofpmsg_mp_reply r;
        ofpmsg_mp_reply_init(&r, OFPMSG_FLOW_MONITOR_REPLY, OFPMSG_NX,
                             c->version, 0);
        put_current_flows(c, &c->monitors, &r, 0);
        ofconn__send_mp(c, &r);
        send_simple(c, OFPMSG_NXT_FLOW_MONITOR_RESUMED);
    }
}
