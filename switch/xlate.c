/* The translator's core: the switch map (bridges, ports), the entry
 * points, table lookups, output to ports (netdev, tunnel, patch, reserved
 * ports), lazy commits of header changes into datapath actions, NORMAL,
 * recirculation ids, controller cookies, the xlate cache and the queue of
 * side effects for the main thread.  xlate-actions.c interprets ofpacts;
 * xlate-trace.c formats ofproto/trace. */
#include "switch/xlate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/dpif.h"
#include "datapath/flow-extract.h"
#include "datapath/packet.h"
#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-match.h"
#include "switch/connmgr.h"
#include "switch/mac-learning.h"
#include "switch/ofproto.h"
#include "switch/xlate-private.h"

LOG_MODULE(xlate);
static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(60, 10);

/* ---- Deferred side effects. ---- */

enum xlate_deferred_type {
    XLATE_DEFER_PACKET_IN,      /* A packet-in to send. */
    XLATE_DEFER_FLOW_MOD,       /* A learned flow to add. */
};

struct xlate_deferred {
    struct list node;           /* In map 'queue'. */
    enum xlate_deferred_type type; /* What. */
    char *bridge;               /* Owned: bridge name. */
    /* XLATE_DEFER_PACKET_IN. */
    void *packet;               /* Owned frame. */
    size_t packet_size;         /* Bytes. */
    struct flow flow;           /* Pipeline metadata. */
    struct xlate_controller_cookie cc; /* Pointers into 'cookie'. */
    void *cookie;               /* Owned copy of the USERSPACE cookie. */
    /* XLATE_DEFER_FLOW_MOD. */
    struct ofproto_flow_mod fm; /* 'fm.ofpacts' points into 'ofpacts'. */
    struct ofpbuf ofpacts;      /* Owned actions. */
};

static void
xlate_deferred_push(struct xlate_map *map, struct xlate_deferred *d)
{
    pthread_mutex_lock(&map->queue_mutex);
    list_push_back(&map->queue, &d->node);
    uv_async_t *async = map->async;
    pthread_mutex_unlock(&map->queue_mutex);
    if (async) {
        uv_async_send(async);
    }
}

static void
xlate_deferred_free(struct xlate_deferred *d)
{
    free(d->bridge);
    free(d->packet);
    free(d->cookie);
    ofpbuf_uninit(&d->ofpacts);
    free(d);
}

static void
xlate_deferred_run_one(struct xlate_map *map, struct xlate_deferred *d)
{
    pthread_rwlock_rdlock(&map->rwlock);
    struct xlate_bridge *br = xlate_bridge_find(map, d->bridge);
    if (!br) {
        pthread_rwlock_unlock(&map->rwlock);
        return;
    }
    if (d->type == XLATE_DEFER_PACKET_IN) {
        const struct xlate_controller_cookie *cc = &d->cc;
        struct connmgr_packet_in pin = {
            .packet = d->packet,
            .packet_size = d->packet_size,
            .reason = cc->reason,
            .table_id = cc->table_id,
            .cookie = cc->rule_cookie,
            .flow = &d->flow,
            .max_len = cc->max_len,
            .controller_id = cc->controller_id,
            .userdata = cc->userdata_size ? cc->userdata : NULL,
            .userdata_size = cc->userdata_size,
            .continuation = cc->continuation_size ? cc->continuation : NULL,
            .continuation_size = cc->continuation_size,
        };
        if (map->packet_in_cb) {
            map->packet_in_cb(br, &pin, map->packet_in_aux);
        } else if (br->connmgr) {
            connmgr_send_packet_in(br->connmgr, &pin);
        }
        pthread_rwlock_unlock(&map->rwlock);
    } else {
        struct ofproto *p = br->ofproto;
        pthread_rwlock_unlock(&map->rwlock);
        d->fm.ofpacts = (const struct ofpact *) (void *) d->ofpacts.data;
        d->fm.ofpacts_size = d->ofpacts.size;
        enum ofperr err = ofproto_flow_mod(p, &d->fm);
        if (err) {
            LOG_WARN_RL(&rl, "%s: learned flow_mod failed (%d)", d->bridge,
                        (int) err);
        }
    }
}

/* Runs every queued side effect: packet-ins go to the packet-in hook or
 * the bridge's connmgr, learned flow_mods to the bridge's ofproto.  For
 * the main thread; must not be called with the map or an ofproto locked.
 * Returns how many ran. */
size_t
xlate_map_run_deferred(struct xlate_map *map)
{
    struct list todo;
    list_init(&todo);
    pthread_mutex_lock(&map->queue_mutex);
    while (!list_is_empty(&map->queue)) {
        struct list *n = map->queue.next;
        list_remove(n);
        list_push_back(&todo, n);
    }
    pthread_mutex_unlock(&map->queue_mutex);

    size_t count = 0;
    struct xlate_deferred *d;
    LIST_FOR_EACH_POP (d, node, &todo) {
        xlate_deferred_run_one(map, d);
        xlate_deferred_free(d);
        count++;
    }
    return count;
}

static void
xlate_async_cb(uv_async_t *async)
{
    xlate_map_run_deferred(async->data);
}

static void
xlate_async_close_cb(uv_handle_t *h)
{
    free(h);
}

/* Makes queued side effects run from 'loop' (through a uv_async), which
 * must be the caller's thread's loop.  Call at most once. */
void
xlate_map_set_loop(struct xlate_map *map, uv_loop_t *loop)
{
    uv_async_t *async = xmalloc(sizeof *async);
    uv_async_init(loop, async, xlate_async_cb);
    async->data = map;
    pthread_mutex_lock(&map->queue_mutex);
    map->async = async;
    pthread_mutex_unlock(&map->queue_mutex);
}

/* ---- The map. ---- */

/* Creates an empty switch description.  The caller owns it. */
struct xlate_map *
xlate_map_create(void)
{
    struct xlate_map *map = xzalloc(sizeof *map);
    pthread_rwlock_init(&map->rwlock, NULL);
    list_init(&map->bridges);
    hmap_init(&map->dp_ports);
    pthread_mutex_init(&map->recirc_mutex, NULL);
    hmap_init(&map->recirc_ids);
    hmap_init(&map->recirc_states);
    map->next_recirc_id = 1;
    pthread_mutex_init(&map->queue_mutex, NULL);
    list_init(&map->queue);
    return map;
}

/* Frees 'map' (NULL is fine), its bridges, ports, queued work and
 * recirculation ids.  Caches referring to it must be gone. */
void
xlate_map_destroy(struct xlate_map *map)
{
    if (!map) {
        return;
    }
    while (!list_is_empty(&map->bridges)) {
        xlate_bridge_remove(map, CONTAINER_OF(map->bridges.next,
                                              struct xlate_bridge, node));
    }
    struct xlate_deferred *d;
    LIST_FOR_EACH_POP (d, node, &map->queue) {
        xlate_deferred_free(d);
    }
    struct xlate_recirc *r;
    HMAP_FOR_EACH_POP (r, id_node, &map->recirc_ids) {
        free(r->actset);
        free(r);
    }
    hmap_uninit(&map->recirc_ids);
    hmap_uninit(&map->recirc_states);
    hmap_uninit(&map->dp_ports);
    if (map->async) {
        uv_close((uv_handle_t *) map->async, xlate_async_close_cb);
    }
    pthread_mutex_destroy(&map->queue_mutex);
    pthread_mutex_destroy(&map->recirc_mutex);
    pthread_rwlock_destroy(&map->rwlock);
    free(map);
}

/* Sets the function called (from any thread) when megaflows may have gone
 * stale outside the OpenFlow tables (MAC learning). */
void
xlate_map_set_flows_changed_cb(struct xlate_map *map, void (*cb)(void *),
                               void *aux)
{
    map->flows_changed = cb;
    map->flows_changed_aux = aux;
}

/* Routes queued packet-ins to 'cb' instead of the bridges' connmgrs. */
void
xlate_map_set_packet_in_cb(struct xlate_map *map, xlate_packet_in_func *cb,
                           void *aux)
{
    map->packet_in_cb = cb;
    map->packet_in_aux = aux;
}

/* Number of recirculation ids in use. */
size_t
xlate_map_n_recirc(struct xlate_map *map)
{
    pthread_mutex_lock(&map->recirc_mutex);
    size_t n = hmap_count(&map->recirc_ids);
    pthread_mutex_unlock(&map->recirc_mutex);
    return n;
}

/* Adds a bridge for 'ofproto' (borrowed: it must outlive the bridge),
 * with a MAC learning table of default size and aging. */
struct xlate_bridge *
xlate_bridge_add(struct xlate_map *map, struct ofproto *ofproto)
{
    struct xlate_bridge *br = xzalloc(sizeof *br);
    br->map = map;
    br->ofproto = ofproto;
    br->ml = mac_learning_create(MAC_LEARNING_DEFAULT_IDLE_TIME,
                                 MAC_LEARNING_DEFAULT_MAX);
    hmap_init(&br->ports);
    pthread_rwlock_wrlock(&map->rwlock);
    list_push_back(&map->bridges, &br->node);
    pthread_rwlock_unlock(&map->rwlock);
    return br;
}

static void
xlate_port_remove__(struct xlate_port *xp)
{
    struct xlate_bridge *br = xp->bridge;
    struct xlate_map *map = br->map;
    hmap_remove(&br->ports, &xp->ofp_node);
    if (xp->dp_port != UINT32_MAX) {
        hmap_remove(&map->dp_ports, &xp->dp_node);
    }
    /* Unlink patch peers pointing here. */
    struct xlate_bridge *b;
    LIST_FOR_EACH (b, node, &map->bridges) {
        struct xlate_port *p;
        HMAP_FOR_EACH (p, ofp_node, &b->ports) {
            if (p->peer == xp) {
                p->peer = NULL;
            }
        }
    }
    free(xp->trunks);
    free(xp->name);
    free(xp);
}

/* Removes and frees 'br' with its ports.  Megaflows whose xlate caches
 * refer to it must have been flushed (dpif_flows_flush()) first. */
void
xlate_bridge_remove(struct xlate_map *map, struct xlate_bridge *br)
{
    pthread_rwlock_wrlock(&map->rwlock);
    struct xlate_port *xp;
    HMAP_FOR_EACH_SAFE (xp, ofp_node, &br->ports) {
        xlate_port_remove__(xp);
    }
    list_remove(&br->node);
    pthread_rwlock_unlock(&map->rwlock);
    hmap_uninit(&br->ports);
    mac_learning_destroy(br->ml);
    free(br);
}

/* The bridge named 'name', or NULL. */
struct xlate_bridge *
xlate_bridge_find(struct xlate_map *map, const char *name)
{
    struct xlate_bridge *br;
    LIST_FOR_EACH (br, node, &map->bridges) {
        if (!strcmp(br->ofproto->name, name)) {
            return br;
        }
    }
    return NULL;
}

/* Sends the bridge's packet-ins to 'mgr' (borrowed). */
void
xlate_bridge_set_connmgr(struct xlate_bridge *br, struct connmgr *mgr)
{
    br->connmgr = mgr;
}

/* The bridge's MAC learning table (owned by the bridge). */
struct mac_learning *
xlate_bridge_get_ml(struct xlate_bridge *br)
{
    return br->ml;
}

/* The bridge's ofproto. */
struct ofproto *
xlate_bridge_get_ofproto(const struct xlate_bridge *br)
{
    return br->ofproto;
}

/* Adds port 'name' to 'br' with OpenFlow number 'ofp_port' and datapath
 * number 'dp_port' (UINT32_MAX for none, e.g. a patch port).  It starts
 * live, as a trunk of every VLAN. */
struct xlate_port *
xlate_port_add(struct xlate_bridge *br, const char *name, uint32_t ofp_port,
               uint32_t dp_port, enum xlate_port_type type)
{
    struct xlate_port *xp = xzalloc(sizeof *xp);
    xp->bridge = br;
    xp->name = xstrdup(name);
    xp->ofp_port = ofp_port;
    xp->dp_port = dp_port;
    xp->type = type;
    xp->tag = -1;
    xp->live = true;
    pthread_rwlock_wrlock(&br->map->rwlock);
    hmap_insert(&br->ports, &xp->ofp_node, hash_int(ofp_port, 0));
    if (dp_port != UINT32_MAX) {
        hmap_insert(&br->map->dp_ports, &xp->dp_node, hash_int(dp_port, 0));
    }
    pthread_rwlock_unlock(&br->map->rwlock);
    return xp;
}

/* Removes and frees 'xp'. */
void
xlate_port_remove(struct xlate_port *xp)
{
    struct xlate_map *map = xp->bridge->map;
    pthread_rwlock_wrlock(&map->rwlock);
    mac_learning_flush_port(xp->bridge->ml, xp->ofp_port);
    xlate_port_remove__(xp);
    pthread_rwlock_unlock(&map->rwlock);
}

/* The port of 'br' numbered 'ofp_port', or NULL.  Map lock held. */
struct xlate_port *
xlate__port(struct xlate_bridge *br, uint32_t ofp_port)
{
    struct xlate_port *xp;
    HMAP_FOR_EACH_WITH_HASH (xp, ofp_node, hash_int(ofp_port, 0),
                             &br->ports) {
        if (xp->ofp_port == ofp_port) {
            return xp;
        }
    }
    return NULL;
}

/* The port of 'br' numbered 'ofp_port', or NULL (main thread). */
struct xlate_port *
xlate_port_find(struct xlate_bridge *br, uint32_t ofp_port)
{
    return xlate__port(br, ofp_port);
}

/* Sets the VLAN mode (ovs-vswitchd.conf.db(5) Port "tag" and "trunks"):
 * 'tag' >= 0 makes an access port of that VLAN; otherwise a trunk of the
 * 'n_trunks' VLANs in 'trunks', or of all VLANs if there are none. */
void
xlate_port_set_vlan(struct xlate_port *xp, int tag, const uint16_t *trunks,
                    size_t n_trunks)
{
    uint64_t *set = NULL;
    if (n_trunks) {
        set = xzalloc(4096 / 8);
        for (size_t i = 0; i < n_trunks; i++) {
            set[(trunks[i] & 0xfff) / 64] |= 1ull << (trunks[i] % 64);
        }
    }
    pthread_rwlock_wrlock(&xp->bridge->map->rwlock);
    xp->tag = tag >= 0 && tag < 4096 ? tag : -1;
    free(xp->trunks);
    xp->trunks = set;
    pthread_rwlock_unlock(&xp->bridge->map->rwlock);
}

/* Sets the tunnel options of a tunnel port. */
void
xlate_port_set_tunnel(struct xlate_port *xp,
                      const struct xlate_tunnel_config *cfg)
{
    pthread_rwlock_wrlock(&xp->bridge->map->rwlock);
    xp->tnl = *cfg;
    pthread_rwlock_unlock(&xp->bridge->map->rwlock);
}

/* Makes 'peer' (a patch port of another bridge, or NULL) the peer of
 * patch port 'xp'. */
void
xlate_port_set_peer(struct xlate_port *xp, struct xlate_port *peer)
{
    pthread_rwlock_wrlock(&xp->bridge->map->rwlock);
    xp->peer = peer;
    pthread_rwlock_unlock(&xp->bridge->map->rwlock);
}

/* Sets whether the port is up (fast failover groups, flooding). */
void
xlate_port_set_live(struct xlate_port *xp, bool live)
{
    xp->live = live;
}

static struct xlate_port *
xlate_port_by_dp(struct xlate_map *map, uint32_t dp_port)
{
    struct xlate_port *xp;
    HMAP_FOR_EACH_WITH_HASH (xp, dp_node, hash_int(dp_port, 0),
                             &map->dp_ports) {
        if (xp->dp_port == dp_port) {
            return xp;
        }
    }
    return NULL;
}

/* ---- The xlate cache. ---- */

static struct xlate_cache *
xlate_cache_create(struct xlate_map *map)
{
    struct xlate_cache *xc = xzalloc(sizeof *xc);
    xc->map = map;
    return xc;
}

static void
xlate_cache_add_rule(struct xlate_cache *xc, struct ofproto_rule *rule)
{
    if (xc->n_rules == xc->allocated_rules) {
        xc->rules = x2nrealloc(xc->rules, &xc->allocated_rules,
                               sizeof *xc->rules);
    }
    ofproto_rule_ref(rule);
    xc->rules[xc->n_rules++] = rule;
}

static void
xlate_cache_add_recirc(struct xlate_cache *xc, struct xlate_recirc *r)
{
    if (xc->n_recircs == xc->allocated_recircs) {
        xc->recircs = x2nrealloc(xc->recircs, &xc->allocated_recircs,
                                 sizeof *xc->recircs);
    }
    xc->recircs[xc->n_recircs++] = r;
}

static void
xlate_cache_add_mac(struct xlate_cache *xc, struct mac_learning *ml,
                    uint16_t vlan, const struct eth_addr *mac, uint32_t port)
{
    if (xc->n_macs == xc->allocated_macs) {
        xc->macs = x2nrealloc(xc->macs, &xc->allocated_macs,
                              sizeof *xc->macs);
    }
    xc->macs[xc->n_macs++] = (struct xlate_cache_mac) {
        .ml = ml, .vlan = vlan, .mac = *mac, .port = port,
    };
}

/* Credits 'packets' and 'bytes' (a delta) and 'used' to every rule the
 * translation hit, and refreshes the MACs NORMAL learned from it. */
void
xlate_cache_push_stats(struct xlate_cache *xc, uint64_t packets,
                       uint64_t bytes, long long used)
{
    if (!xc) {
        return;
    }
    for (size_t i = 0; i < xc->n_rules; i++) {
        ofproto_rule_credit(xc->rules[i], packets, bytes, used);
    }
    if (packets) {
        for (size_t i = 0; i < xc->n_macs; i++) {
            const struct xlate_cache_mac *m = &xc->macs[i];
            mac_learning_learn(m->ml, m->vlan, &m->mac, m->port);
        }
    }
}

static void xlate_recirc_unref(struct xlate_map *, struct xlate_recirc *);

/* Frees 'xc' (NULL is fine), releasing its rules and recirc ids. */
void
xlate_cache_destroy(struct xlate_cache *xc)
{
    if (!xc) {
        return;
    }
    for (size_t i = 0; i < xc->n_rules; i++) {
        ofproto_rule_unref(xc->rules[i]);
    }
    for (size_t i = 0; i < xc->n_recircs; i++) {
        xlate_recirc_unref(xc->map, xc->recircs[i]);
    }
    free(xc->rules);
    free(xc->recircs);
    free(xc->macs);
    free(xc);
}

/* Number of rules 'xc' references. */
size_t
xlate_cache_n_rules(const struct xlate_cache *xc)
{
    return xc ? xc->n_rules : 0;
}

/* The i'th rule hit, in pipeline order. */
struct ofproto_rule *
xlate_cache_rule(const struct xlate_cache *xc, size_t i)
{
    ASSERT(i < xc->n_rules);
    return xc->rules[i];
}

/* ---- Recirculation ids. ---- */

static uint32_t
xlate_recirc_hash(const struct xlate_recirc *r)
{
    uint32_t h = hash_pointer(r->bridge, r->table_id);
    h = hash_int(r->in_port, h);
    h = hash_uint64(r->metadata, h);
    h = hash_bytes(r->regs, sizeof r->regs, h);
    return hash_bytes(r->actset, r->actset_size, h);
}

static bool
xlate_recirc_equal(const struct xlate_recirc *a, const struct xlate_recirc *b)
{
    return a->bridge == b->bridge && a->table_id == b->table_id
           && a->in_port == b->in_port && a->metadata == b->metadata
           && !memcmp(a->regs, b->regs, sizeof a->regs)
           && a->actset_size == b->actset_size
           && (!a->actset_size
               || !memcmp(a->actset, b->actset, a->actset_size));
}

static void
xlate_recirc_unref(struct xlate_map *map, struct xlate_recirc *r)
{
    pthread_mutex_lock(&map->recirc_mutex);
    if (atomic_fetch_sub(&r->ref_cnt, 1) == 1) {
        hmap_remove(&map->recirc_ids, &r->id_node);
        hmap_remove(&map->recirc_states, &r->state_node);
        free(r->actset);
        free(r);
    }
    pthread_mutex_unlock(&map->recirc_mutex);
}

static struct xlate_recirc *
xlate_recirc_find_id(struct xlate_map *map, uint32_t id)
{
    struct xlate_recirc *r;
    HMAP_FOR_EACH_WITH_HASH (r, id_node, hash_int(id, 0), &map->recirc_ids) {
        if (r->id == id) {
            return r;
        }
    }
    return NULL;
}

/* Returns the recirculation id of the current state resuming in
 * 'table_id', taking a reference for the translation's cache. */
uint32_t
xlate__recirc(struct xlate_ctx *ctx, uint8_t table_id)
{
    struct xlate_map *map = ctx->map;
    struct xlate_recirc key = {
        .bridge = ctx->bridge,
        .table_id = table_id,
        .in_port = ctx->flow.in_port,
        .metadata = ctx->flow.metadata,
        .actset_size = ctx->actset.size,
        .actset = (uint64_t *) (void *) ctx->actset.data,
    };
    memcpy(key.regs, ctx->flow.regs, sizeof key.regs);
    uint32_t hash = xlate_recirc_hash(&key);

    pthread_mutex_lock(&map->recirc_mutex);
    struct xlate_recirc *r;
    HMAP_FOR_EACH_WITH_HASH (r, state_node, hash, &map->recirc_states) {
        if (xlate_recirc_equal(r, &key)) {
            atomic_fetch_add(&r->ref_cnt, 1);
            goto found;
        }
    }
    r = xmalloc(sizeof *r);
    *r = key;
    r->actset = key.actset_size ? xmemdup(key.actset, key.actset_size)
                                : NULL;
    atomic_init(&r->ref_cnt, 1);
    do {
        r->id = map->next_recirc_id++;
        if (!r->id) {
            r->id = map->next_recirc_id++;
        }
    } while (xlate_recirc_find_id(map, r->id));
    hmap_insert(&map->recirc_ids, &r->id_node, hash_int(r->id, 0));
    hmap_insert(&map->recirc_states, &r->state_node, hash);
found:
    pthread_mutex_unlock(&map->recirc_mutex);
    xlate_cache_add_recirc(ctx->xout->xcache, r);
    return r->id;
}

/* ---- Tracing helpers. ---- */

/* Appends one indented trace line (no-op unless tracing). */
void
xlate__trace(struct xlate_ctx *ctx, const char *fmt, ...)
{
    if (!ctx->trace) {
        return;
    }
    ds_put_char_multiple(ctx->trace, ' ', ctx->indent * 4);
    va_list args;
    va_start(args, fmt);
    ds_put_format_valist(ctx->trace, fmt, args);
    va_end(args);
    ds_put_char(ctx->trace, '\n');
}

static void
xlate_trace_bridge(struct xlate_ctx *ctx)
{
    if (!ctx->trace) {
        return;
    }
    struct ds *s = ctx->trace;
    size_t pad = ctx->indent * 4;
    size_t start = s->length;
    ds_put_char_multiple(s, ' ', pad);
    ds_put_format(s, "bridge(\"%s\")\n", ctx->bridge->ofproto->name);
    size_t len = s->length - start - pad - 1;
    ds_put_char_multiple(s, ' ', pad);
    ds_put_char_multiple(s, '-', len);
    ds_put_char(s, '\n');
}

static void
xlate_trace_rule(struct xlate_ctx *ctx, uint8_t table_id,
                 const struct ofproto_rule *rule)
{
    if (!ctx->trace) {
        return;
    }
    struct ds *s = ctx->trace;
    ds_put_char_multiple(s, ' ', ctx->indent * 4);
    ds_put_format(s, "%2d. ", table_id);
    if (!rule) {
        ds_put_cstr(s, "No match.\n");
        return;
    }
    struct ofp_match m = { rule->cr.match.key, rule->cr.match.mask };
    size_t before = s->length;
    ofp_match_format(&m, &ctx->bridge->ofproto->tlv_map, s);
    if (s->length > before) {
        ds_put_cstr(s, ", ");
    }
    ds_put_format(s, "priority %d", rule->cr.priority);
    if (rule->cookie) {
        ds_put_format(s, ", cookie %#"PRIx64, rule->cookie);
    }
    ds_put_char(s, '\n');
}

/* ---- Table lookups. ---- */

static void
xlate_ct_orig_swap(struct flow *f)
{
    be32 s = f->nw_src, d = f->nw_dst;
    f->nw_src = f->ct_nw_src;
    f->nw_dst = f->ct_nw_dst;
    f->ct_nw_src = s;
    f->ct_nw_dst = d;
    struct in6_addr s6 = f->ipv6_src, d6 = f->ipv6_dst;
    f->ipv6_src = f->ct_ipv6_src;
    f->ipv6_dst = f->ct_ipv6_dst;
    f->ct_ipv6_src = s6;
    f->ct_ipv6_dst = d6;
    be16 ps = f->tp_src, pd = f->tp_dst;
    f->tp_src = f->ct_tp_src;
    f->tp_dst = f->ct_tp_dst;
    f->ct_tp_src = ps;
    f->ct_tp_dst = pd;
    uint8_t p = f->nw_proto;
    f->nw_proto = f->ct_nw_proto;
    f->ct_nw_proto = p;
}

/* Looks up table 'table_id' of the current bridge with in_port 'in_port'
 * (OFPP_IN_PORT: the packet's) and runs the matching rule's actions; a
 * miss drops.  'with_ct_orig' looks up with the conntrack original
 * tuple.  'is_goto' only changes the trace text. */
void
xlate__table(struct xlate_ctx *ctx, uint8_t table_id, uint32_t in_port,
             bool with_ct_orig, bool is_goto)
{
    if (ctx->error || ctx->exit) {
        return;
    }
    if (ctx->mpls_popped) {
        /* What a pop_mpls uncovered is known only once the datapath has
         * parsed the packet again: freeze here (the action set goes with
         * the recirculation state) and resume in 'table_id'. */
        xlate__commit(ctx);
        uint32_t id = xlate__recirc(ctx, table_id);
        dp_actions_put_recirc(&ctx->b, id);
        xlate__trace(ctx, " -> recirculates to table %u to parse the "
                     "headers below the popped MPLS label", table_id);
        ofpbuf_clear(&ctx->actset);
        ctx->exit = true;
        return;
    }
    if (ctx->depth >= XLATE_MAX_DEPTH) {
        LOG_WARN_RL(&rl, "%s: over %d resubmit actions deep: loop? "
                    "dropping", ctx->bridge->ofproto->name,
                    XLATE_MAX_DEPTH);
        xlate__trace(ctx, ">>>> Over max translation depth %d <<<<",
                     XLATE_MAX_DEPTH);
        ctx->error = true;
        return;
    }
    if (++ctx->n_resubmits > XLATE_MAX_RESUBMITS) {
        LOG_WARN_RL(&rl, "%s: over %d resubmit actions: dropping",
                    ctx->bridge->ofproto->name, XLATE_MAX_RESUBMITS);
        xlate__trace(ctx, ">>>> Too many resubmits <<<<");
        ctx->error = true;
        return;
    }

    uint32_t old_in_port = ctx->flow.in_port;
    if (in_port != OFPP_IN_PORT) {
        ctx->flow.in_port = in_port;
    }
    bool swap = with_ct_orig && (ctx->flow.ct_state & CS_TRACKED);
    if (with_ct_orig) {
        ctx->wc->masks.ct_state |= CS_TRACKED;
    }
    if (swap) {
        xlate_ct_orig_swap(&ctx->flow);
    }
    struct ofproto_rule *rule = ofproto_lookup(ctx->bridge->ofproto, table_id,
                                               &ctx->flow, ctx->wc);
    if (swap) {
        xlate_ct_orig_swap(&ctx->flow);
        /* The lookup's mask of the swapped fields applies to both. */
        struct flow_wildcards *wc = ctx->wc;
        wc->masks.ct_nw_src |= wc->masks.nw_src;
        wc->masks.ct_nw_dst |= wc->masks.nw_dst;
        wc->masks.ct_tp_src |= wc->masks.tp_src;
        wc->masks.ct_tp_dst |= wc->masks.tp_dst;
        wc->masks.ct_nw_proto |= wc->masks.nw_proto;
        for (int i = 0; i < 16; i++) {
            wc->masks.ct_ipv6_src.s6_addr[i] |= wc->masks.ipv6_src.s6_addr[i];
            wc->masks.ct_ipv6_dst.s6_addr[i] |= wc->masks.ipv6_dst.s6_addr[i];
        }
    }
    ctx->flow.in_port = old_in_port;

    (void) is_goto;
    /* ovs-vswitchd prints every table of a bridge at the same level. */
    int old_indent = ctx->indent;
    ctx->indent = ctx->bridge_indent;
    xlate_trace_rule(ctx, table_id, rule);
    if (!rule) {
        ctx->indent++;
        xlate__trace(ctx, "drop");
        ctx->indent = old_indent;
        return;
    }
    xlate_cache_add_rule(ctx->xout->xcache, rule);

    uint8_t old_table = ctx->table_id;
    struct ofproto_rule *old_rule = ctx->rule;
    ctx->table_id = table_id;
    ctx->rule = rule;
    ctx->depth++;
    ctx->indent++;
    xlate__actions(ctx, ofproto_actions_get(rule->actions),
                   rule->actions->size);
    ctx->indent = old_indent;
    ctx->depth--;
    ctx->table_id = old_table;
    ctx->rule = old_rule;
}

/* ---- Committing header changes. ---- */

static bool
vlan_present(const struct flow_vlan *v)
{
    return v->tci & htonbe16(VLAN_CFI);
}

static int
vlan_count(const struct flow *f)
{
    int n = 0;
    while (n < FLOW_MAX_VLANS && vlan_present(&f->vlans[n])) {
        n++;
    }
    return n;
}

static void
xlate_commit_vlans(struct xlate_ctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    if (!memcmp(f->vlans, b->vlans, sizeof f->vlans)) {
        return;
    }
    FLOW_WC_SET(ctx->wc, vlans);
    int nf = vlan_count(f), nb = vlan_count(b);
    /* Tags are outer first; the innermost ones are at the end.  Keep the
     * longest common inner part, pop the rest, push the new ones. */
    int common = 0;
    while (common < nf && common < nb
           && !memcmp(&f->vlans[nf - 1 - common], &b->vlans[nb - 1 - common],
                      sizeof f->vlans[0])) {
        common++;
    }
    for (int i = 0; i < nb - common; i++) {
        dp_actions_put_pop_vlan(&ctx->b);
    }
    for (int i = nf - common - 1; i >= 0; i--) {
        dp_actions_put_push_vlan(&ctx->b, be16_to_host(f->vlans[i].tpid),
                                 be16_to_host(f->vlans[i].tci));
    }
    memcpy(b->vlans, f->vlans, sizeof b->vlans);
}

#define COMMIT_FIELD(KEY, MASK, DST, SRC, CHANGED)                      \
    do {                                                                \
        memcpy(&(KEY)->DST, &f->SRC, sizeof (KEY)->DST);                \
        if (memcmp(&f->SRC, &b->SRC, sizeof f->SRC)) {                  \
            memset(&(MASK)->DST, 0xff, sizeof (MASK)->DST);             \
            CHANGED = true;                                             \
        }                                                               \
    } while (0)

static void
xlate_commit_l3l4(struct xlate_ctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    bool changed;

    {
        struct dp_key_eth k, m;
        memset(&m, 0, sizeof m);
        changed = false;
        COMMIT_FIELD(&k, &m, src, dl_src, changed);
        COMMIT_FIELD(&k, &m, dst, dl_dst, changed);
        if (changed) {
            dp_actions_put_set_masked(&ctx->b, DP_SET_ETH, &k, &m);
        }
    }
    {
        struct dp_key_meta k, m;
        memset(&m, 0, sizeof m);
        changed = false;
        COMMIT_FIELD(&k, &m, pkt_mark, pkt_mark, changed);
        COMMIT_FIELD(&k, &m, skb_priority, skb_priority, changed);
        if (changed) {
            dp_actions_put_set_masked(&ctx->b, DP_SET_META, &k, &m);
        }
    }

    uint16_t dl_type = be16_to_host(f->dl_type);
    bool l4 = false;
    if (dl_type == 0x0800) {
        struct dp_key_ipv4 k, m;
        memset(&k, 0, sizeof k);
        memset(&m, 0, sizeof m);
        changed = false;
        COMMIT_FIELD(&k, &m, src, nw_src, changed);
        COMMIT_FIELD(&k, &m, dst, nw_dst, changed);
        COMMIT_FIELD(&k, &m, tos, nw_tos, changed);
        COMMIT_FIELD(&k, &m, ttl, nw_ttl, changed);
        if (changed) {
            FLOW_WC_SET(ctx->wc, dl_type);
            dp_actions_put_set_masked(&ctx->b, DP_SET_IPV4, &k, &m);
        }
        l4 = !(f->nw_frag & FLOW_NW_FRAG_LATER);
    } else if (dl_type == 0x86dd) {
        struct dp_key_ipv6 k, m;
        memset(&k, 0, sizeof k);
        memset(&m, 0, sizeof m);
        changed = false;
        COMMIT_FIELD(&k, &m, src, ipv6_src, changed);
        COMMIT_FIELD(&k, &m, dst, ipv6_dst, changed);
        COMMIT_FIELD(&k, &m, label, ipv6_label, changed);
        COMMIT_FIELD(&k, &m, tclass, nw_tos, changed);
        COMMIT_FIELD(&k, &m, hlimit, nw_ttl, changed);
        if (changed) {
            FLOW_WC_SET(ctx->wc, dl_type);
            dp_actions_put_set_masked(&ctx->b, DP_SET_IPV6, &k, &m);
        }
        l4 = !(f->nw_frag & FLOW_NW_FRAG_LATER);
        if (f->nw_proto == 58 && (f->tp_src == htonbe16(135)
                                  || f->tp_src == htonbe16(136))) {
            struct dp_key_nd nk, nm;
            memset(&nm, 0, sizeof nm);
            changed = false;
            COMMIT_FIELD(&nk, &nm, target, nd_target, changed);
            COMMIT_FIELD(&nk, &nm, sll, arp_sha, changed);
            COMMIT_FIELD(&nk, &nm, tll, arp_tha, changed);
            if (changed) {
                FLOW_WC_SET(ctx->wc, nw_proto);
                FLOW_WC_SET(ctx->wc, tp_src);
                dp_actions_put_set_masked(&ctx->b, DP_SET_ND, &nk, &nm);
            }
        }
    } else if (dl_type == 0x0806) {
        struct dp_key_arp k, m;
        memset(&k, 0, sizeof k);
        memset(&m, 0, sizeof m);
        changed = false;
        COMMIT_FIELD(&k, &m, spa, nw_src, changed);
        COMMIT_FIELD(&k, &m, tpa, nw_dst, changed);
        COMMIT_FIELD(&k, &m, sha, arp_sha, changed);
        COMMIT_FIELD(&k, &m, tha, arp_tha, changed);
        k.op = htonbe16(f->nw_proto);
        if (f->nw_proto != b->nw_proto) {
            m.op = htonbe16(0xffff);
            changed = true;
        }
        if (changed) {
            FLOW_WC_SET(ctx->wc, dl_type);
            dp_actions_put_set_masked(&ctx->b, DP_SET_ARP, &k, &m);
        }
    }
    if ((f->tp_src != b->tp_src || f->tp_dst != b->tp_dst)
        && (dl_type == 0x0800 || dl_type == 0x86dd)) {
        /* Whether the ports get set depends on these. */
        FLOW_WC_SET(ctx->wc, nw_frag);
        FLOW_WC_SET(ctx->wc, nw_proto);
        FLOW_WC_SET(ctx->wc, dl_type);
    }
    if (l4 && (f->nw_proto == 6 || f->nw_proto == 17
               || f->nw_proto == 132)) {
        struct dp_key_l4 k, m;
        memset(&m, 0, sizeof m);
        changed = false;
        COMMIT_FIELD(&k, &m, src, tp_src, changed);
        COMMIT_FIELD(&k, &m, dst, tp_dst, changed);
        if (changed) {
            FLOW_WC_SET(ctx->wc, nw_proto);
            FLOW_WC_SET(ctx->wc, dl_type);
            enum dp_set_field fld = f->nw_proto == 6 ? DP_SET_TCP
                                    : f->nw_proto == 17 ? DP_SET_UDP
                                    : DP_SET_SCTP;
            dp_actions_put_set_masked(&ctx->b, fld, &k, &m);
        }
    } else if (l4 && ((dl_type == 0x0800 && f->nw_proto == 1)
                      || (dl_type == 0x86dd && f->nw_proto == 58))) {
        /* ICMP type and code live in tp_src and tp_dst. */
        struct dp_key_icmp k = {
            .type = be16_to_host(f->tp_src),
            .code = be16_to_host(f->tp_dst),
        };
        struct dp_key_icmp m = {
            .type = f->tp_src != b->tp_src ? 0xff : 0,
            .code = f->tp_dst != b->tp_dst ? 0xff : 0,
        };
        if (m.type || m.code) {
            FLOW_WC_SET(ctx->wc, nw_proto);
            FLOW_WC_SET(ctx->wc, dl_type);
            dp_actions_put_set_masked(&ctx->b, DP_SET_ICMP, &k, &m);
        }
    }
    /* The datapath packet now looks like the flow (but for the metadata
     * the datapath does not carry). */
    struct flow_vlan vlans[FLOW_MAX_VLANS];
    memcpy(vlans, b->vlans, sizeof vlans);
    struct flow_tnl tnl = b->tunnel;
    *b = *f;
    memcpy(b->vlans, vlans, sizeof vlans);
    b->tunnel = tnl;
}

/* A changed top MPLS label stack entry (push and pop are emitted by the
 * actions themselves, so 'base' and 'flow' agree on whether there is
 * one). */
static void
xlate_commit_mpls(struct xlate_ctx *ctx)
{
    struct flow *f = &ctx->flow, *b = &ctx->base;
    uint16_t dl_type = be16_to_host(f->dl_type);

    if (f->mpls_lse == b->mpls_lse || (dl_type != 0x8847 && dl_type != 0x8848)
        || f->dl_type != b->dl_type) {
        return;
    }
    struct dp_key_mpls k = { .lse = f->mpls_lse };
    struct dp_key_mpls m = { .lse = f->mpls_lse ^ b->mpls_lse };
    FLOW_WC_SET(ctx->wc, dl_type);
    dp_actions_put_set_masked(&ctx->b, DP_SET_MPLS, &k, &m);
    b->mpls_lse = f->mpls_lse;
}

/* Emits the datapath actions that make the packet look like the flow:
 * VLAN pushes and pops, then SET_MASKED for each header with changed
 * fields (only the changed fields in the mask). */
void
xlate__commit(struct xlate_ctx *ctx)
{
    xlate_commit_vlans(ctx);
    xlate_commit_mpls(ctx);
    xlate_commit_l3l4(ctx);
}

/* ---- Output. ---- */

static void
xlate_output_tunnel(struct xlate_ctx *ctx, const struct xlate_port *xp)
{
    const struct xlate_tunnel_config *cfg = &xp->tnl;
    struct flow_tnl tnl;
    memset(&tnl, 0, sizeof tnl);
    struct flow_wildcards *wc = ctx->wc;

    if (cfg->key_flow) {
        tnl.tun_id = ctx->flow.tunnel.tun_id;
        FLOW_WC_SET(wc, tunnel.tun_id);
    } else {
        tnl.tun_id = cfg->key;
    }
    if (cfg->remote_ip_flow) {
        tnl.ip_dst = ctx->flow.tunnel.ip_dst;
        FLOW_WC_SET(wc, tunnel.ip_dst);
    } else {
        tnl.ip_dst = cfg->remote_ip;
    }
    if (cfg->local_ip_flow) {
        tnl.ip_src = ctx->flow.tunnel.ip_src;
        FLOW_WC_SET(wc, tunnel.ip_src);
    } else {
        tnl.ip_src = cfg->local_ip;
    }
    if (!tnl.ip_dst) {
        xlate__trace(ctx, " -> tunnel port %s has no remote IP, dropping",
                     xp->name);
        return;
    }
    tnl.ip_tos = cfg->tos;
    tnl.ip_ttl = cfg->ttl ? cfg->ttl : 64;
    tnl.flags = FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_KEY
                | (cfg->csum ? FLOW_TNL_F_CSUM : 0);
    tnl.tp_dst = cfg->dst_port;
    /* Geneve options: tun_metadata set by the pipeline or carried from a
     * tunnel the packet came in on. */
    if (ctx->flow.tunnel.present) {
        tnl.present = ctx->flow.tunnel.present;
        memcpy(tnl.opts, ctx->flow.tunnel.opts, sizeof tnl.opts);
        FLOW_WC_SET(wc, tunnel.opts);
    }
    FLOW_WC_SET(wc, tunnel.present);
    xlate__commit(ctx);
    dp_actions_put_set_tunnel(&ctx->b, &tnl);
    dp_actions_put_output(&ctx->b, xp->dp_port);
}

static void
xlate_output_patch(struct xlate_ctx *ctx, const struct xlate_port *xp)
{
    const struct xlate_port *peer = xp->peer;
    if (!peer) {
        xlate__trace(ctx, " -> patch port %s has no peer, dropping",
                     xp->name);
        return;
    }
    struct flow old_flow = ctx->flow;
    struct xlate_bridge *old_bridge = ctx->bridge;
    struct ofpbuf old_actset = ctx->actset;
    uint8_t old_table = ctx->table_id;
    struct ofproto_rule *old_rule = ctx->rule;

    struct ofproto *p = peer->bridge->ofproto;
    bool lock = p != ctx->bridge->ofproto;

    /* The peer sees a fresh pipeline: metadata and registers cleared. */
    ctx->flow.in_port = peer->ofp_port;
    ctx->flow.metadata = 0;
    memset(ctx->flow.regs, 0, sizeof ctx->flow.regs);
    memset(&ctx->flow.tunnel, 0, sizeof ctx->flow.tunnel);
    ctx->flow.actset_output = OFPP_NONE;
    ofpbuf_init(&ctx->actset);
    ctx->bridge = peer->bridge;

    if (lock) {
        pthread_rwlock_rdlock(&p->rwlock);
    }
    int old_indent = ctx->indent, old_bridge_indent = ctx->bridge_indent;
    ctx->indent++;
    ctx->bridge_indent = ctx->indent;
    if (ctx->trace) {
        ds_put_char(ctx->trace, '\n');
        xlate_trace_bridge(ctx);
    }
    xlate__table(ctx, 0, OFPP_IN_PORT, false, false);
    if (!ctx->error) {
        xlate__run_actset(ctx);
    }
    ctx->indent = old_indent;
    ctx->bridge_indent = old_bridge_indent;
    ctx->exit = false;
    if (lock) {
        pthread_rwlock_unlock(&p->rwlock);
    }

    ofpbuf_uninit(&ctx->actset);
    ctx->actset = old_actset;
    ctx->bridge = old_bridge;
    ctx->table_id = old_table;
    ctx->rule = old_rule;
    /* The datapath packet keeps what the peer did; the flow goes back, so
     * a later output commits the difference. */
    struct flow_tnl tnl = ctx->flow.tunnel;
    ctx->flow = old_flow;
    (void) tnl;
}

static void
xlate_output_port(struct xlate_ctx *ctx, const struct xlate_port *xp,
                  uint16_t max_len)
{
    switch (xp->type) {
    case XLATE_PORT_PATCH:
        xlate_output_patch(ctx, xp);
        return;
    case XLATE_PORT_TUNNEL:
        xlate_output_tunnel(ctx, xp);
        return;
    case XLATE_PORT_NETDEV:
        if (xp->dp_port == UINT32_MAX) {
            return;
        }
        xlate__commit(ctx);
        if (max_len && max_len != UINT16_MAX) {
            size_t token = dp_actions_start_clone(&ctx->b);
            dp_actions_put_truncate(&ctx->b, max_len);
            dp_actions_put_output(&ctx->b, xp->dp_port);
            dp_actions_end_nested(&ctx->b, token);
        } else {
            dp_actions_put_output(&ctx->b, xp->dp_port);
        }
        return;
    }
}

static int
xlate_port_cmp(const void *a_, const void *b_)
{
    const struct xlate_port *a = *(const struct xlate_port *const *) a_;
    const struct xlate_port *b = *(const struct xlate_port *const *) b_;
    return a->ofp_port < b->ofp_port ? -1 : a->ofp_port > b->ofp_port;
}

/* The ports of 'br' sorted by OpenFlow number, in an array the caller
 * frees; '*n' gets the count. */
static struct xlate_port **
xlate_sorted_ports(struct xlate_bridge *br, size_t *n)
{
    struct xlate_port **v = xcalloc(hmap_count(&br->ports) + 1, sizeof *v);
    size_t i = 0;
    struct xlate_port *xp;
    HMAP_FOR_EACH (xp, ofp_node, &br->ports) {
        v[i++] = xp;
    }
    qsort(v, i, sizeof *v, xlate_port_cmp);
    *n = i;
    return v;
}

/* Outputs to OpenFlow port 'port' of the current bridge (reserved ports
 * included).  Output to the input port is skipped unless 'may_in_port'
 * (OFPP_IN_PORT). */
void
xlate__output(struct xlate_ctx *ctx, uint32_t port, uint16_t max_len,
              bool may_in_port)
{
    if (ctx->error) {
        return;
    }
    uint32_t in_port = ctx->flow.in_port;
    switch (port) {
    case OFPP_IN_PORT:
        port = in_port;
        may_in_port = true;
        break;
    case OFPP_TABLE:
        xlate__table(ctx, 0, OFPP_IN_PORT, false, false);
        return;
    case OFPP_NORMAL:
        xlate__normal(ctx);
        return;
    case OFPP_CONTROLLER: {
        size_t token = xlate__controller_meter_start(ctx, UINT32_MAX,
                                                     false);
        xlate__controller(ctx, 1, max_len, 0, NULL, 0, false, NULL, 0);
        xlate__controller_meter_end(ctx, token);
        return;
    }
    case OFPP_FLOOD:
    case OFPP_ALL: {
        size_t n;
        struct xlate_port **v = xlate_sorted_ports(ctx->bridge, &n);
        for (size_t i = 0; i < n; i++) {
            if (v[i]->ofp_port != in_port
                && (port == OFPP_ALL || v[i]->live)) {
                xlate_output_port(ctx, v[i], max_len);
            }
        }
        free(v);
        return;
    }
    case OFPP_NONE:
        return;
    default:
        break;
    }
    if (port == in_port && !may_in_port) {
        xlate__trace(ctx, " >> skipping output to input port");
        return;
    }
    const struct xlate_port *xp = xlate__port(ctx->bridge, port);
    if (!xp) {
        xlate__trace(ctx, " >> Nonexistent output port");
        return;
    }
    xlate_output_port(ctx, xp, max_len);
}

/* ---- NORMAL. ---- */

static bool
port_trunks(const struct xlate_port *xp, uint16_t vlan)
{
    return !xp->trunks || (xp->trunks[vlan / 64] >> (vlan % 64)) & 1;
}

static void
xlate_normal_output(struct xlate_ctx *ctx, const struct xlate_port *xp,
                    uint16_t vlan, bool *printed)
{
    struct flow_vlan saved[FLOW_MAX_VLANS];
    memcpy(saved, ctx->flow.vlans, sizeof saved);
    bool tagged_in = vlan_present(&ctx->flow.vlans[0]);
    bool want_tag;
    if (xp->tag >= 0) {
        if (vlan != xp->tag) {
            return;
        }
        want_tag = false;
    } else {
        if (!port_trunks(xp, vlan)) {
            return;
        }
        want_tag = vlan != 0;
    }
    struct flow_vlan *v = ctx->flow.vlans;
    if (tagged_in && !want_tag) {
        memmove(&v[0], &v[1], sizeof v[0] * (FLOW_MAX_VLANS - 1));
        memset(&v[FLOW_MAX_VLANS - 1], 0, sizeof v[0]);
    } else if (want_tag) {
        uint16_t pcp_cfi = tagged_in
                           ? be16_to_host(v[0].tci) & 0xf000 : VLAN_CFI;
        if (!tagged_in) {
            memmove(&v[1], &v[0], sizeof v[0] * (FLOW_MAX_VLANS - 1));
            v[0].tpid = htonbe16(0x8100);
        }
        v[0].tci = htonbe16(pcp_cfi | VLAN_CFI | vlan);
    }
    (void) printed;
    xlate_output_port(ctx, xp, 0);
    memcpy(ctx->flow.vlans, saved, sizeof saved);
}

/* The NORMAL action: a VLAN-aware MAC learning switch over the bridge's
 * ports, with access ports (Port.tag) and trunks (Port.trunks) as in
 * ovs-vswitchd.conf.db(5). */
void
xlate__normal(struct xlate_ctx *ctx)
{
    struct flow *f = &ctx->flow;
    struct flow_wildcards *wc = ctx->wc;
    struct xlate_bridge *br = ctx->bridge;

    FLOW_WC_SET(wc, in_port);
    FLOW_WC_SET(wc, dl_src);
    FLOW_WC_SET(wc, dl_dst);
    wc->masks.vlans[0].tci = htonbe16(0xffff);
    wc->masks.vlans[0].tpid = htonbe16(0xffff);

    const struct xlate_port *in = xlate__port(br, f->in_port);
    if (!in) {
        xlate__trace(ctx, " -> no input bundle, dropping");
        return;
    }
    bool tagged = vlan_present(&f->vlans[0]);
    uint16_t vid = tagged ? be16_to_host(f->vlans[0].tci) & VLAN_VID_MASK
                          : 0;
    uint16_t vlan;
    if (in->tag >= 0) {
        if (tagged && vid) {
            xlate__trace(ctx, " -> dropping VLAN %d tagged packet received "
                         "on port %s configured as VLAN %d access port",
                         vid, in->name, in->tag);
            return;
        }
        vlan = in->tag;
    } else {
        if (!port_trunks(in, vid)) {
            xlate__trace(ctx, " -> dropping VLAN %d packet received on port "
                         "%s not configured for trunking VLAN %d",
                         vid, in->name, vid);
            return;
        }
        vlan = vid;
    }

    static const uint8_t reserved[5] = { 0x01, 0x80, 0xc2, 0x00, 0x00 };
    if (!memcmp(f->dl_dst.ea, reserved, 5) && (f->dl_dst.ea[5] & 0xf0) == 0) {
        xlate__trace(ctx, " -> dropping packet to reserved multicast "
                     "address");
        return;
    }

    if (!eth_addr_is_multicast(&f->dl_src) && !ctx->xin->no_side_effects) {
        enum mac_learning_result r = mac_learning_learn(br->ml, vlan,
                                                        &f->dl_src,
                                                        f->in_port);
        xlate_cache_add_mac(ctx->xout->xcache, br->ml, vlan, &f->dl_src,
                            f->in_port);
        if (r != MAC_LEARNING_SAME) {
            xlate__trace(ctx, " -> learned that "ETH_ADDR_FMT" is on port "
                         "%s in VLAN %d", ETH_ADDR_ARGS(f->dl_src), in->name,
                         vlan);
            if (ctx->map->flows_changed) {
                ctx->map->flows_changed(ctx->map->flows_changed_aux);
            }
        }
    }

    uint32_t out_port;
    if (!eth_addr_is_multicast(&f->dl_dst)
        && mac_learning_lookup(br->ml, vlan, &f->dl_dst, &out_port)) {
        if (out_port == f->in_port) {
            xlate__trace(ctx, " -> learned port is input port, dropping");
            return;
        }
        const struct xlate_port *out = xlate__port(br, out_port);
        if (!out) {
            return;
        }
        xlate__trace(ctx, " -> forwarding to learned port");
        xlate_normal_output(ctx, out, vlan, NULL);
        return;
    }
    xlate__trace(ctx, eth_addr_is_multicast(&f->dl_dst)
                      ? " -> multicast/broadcast, flooding"
                      : " -> no learned MAC for destination, flooding");
    size_t n;
    struct xlate_port **v = xlate_sorted_ports(br, &n);
    for (size_t i = 0; i < n; i++) {
        if (v[i] != in && v[i]->live && v[i]->ofp_port != OFPP_LOCAL) {
            xlate_normal_output(ctx, v[i], vlan, NULL);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] != in && v[i]->live && v[i]->ofp_port == OFPP_LOCAL) {
            xlate_normal_output(ctx, v[i], vlan, NULL);
        }
    }
    free(v);
}

/* ---- Controller actions and their USERSPACE cookies. ---- */

#define XLATE_COOKIE_MAGIC 0x4b584331u     /* Arbitrary. */
#define XLATE_CONT_MAGIC 0x4b58524du

struct xlate_cookie_hdr {
    uint32_t magic;             /* XLATE_COOKIE_MAGIC. */
    uint8_t reason;             /* OFPR_*. */
    uint8_t table_id;           /* Table of the rule. */
    uint8_t pause;              /* Pause flag. */
    uint8_t pad;                /* Zero. */
    uint16_t max_len;           /* Bytes to send. */
    uint16_t controller_id;     /* Connection id. */
    uint16_t bridge_len;        /* Bytes of bridge name. */
    uint16_t userdata_len;      /* Bytes of userdata. */
    uint32_t continuation_len;  /* Bytes of continuation. */
    uint64_t rule_cookie;       /* Cookie of the rule. */
    uint32_t in_port;           /* OpenFlow in_port. */
    uint32_t pad2;              /* Zero. */
    uint64_t metadata;          /* OpenFlow metadata. */
    uint32_t regs[FLOW_N_REGS]; /* Registers. */
};

/* Continuation: how to resume a paused pipeline. */
struct xlate_cont_hdr {
    uint32_t magic;             /* XLATE_CONT_MAGIC. */
    uint8_t table_id;           /* Table the pause was in. */
    uint8_t pad[3];             /* Zero. */
    uint32_t actset_size;       /* Bytes of action set. */
    uint32_t actions_size;      /* Bytes of remaining actions. */
    /* Then: the action set, then the remaining actions. */
};

/* Sends the packet to the controller(s): emits a USERSPACE action whose
 * cookie holds everything the packet-in needs.  With 'pause', the
 * pipeline stops here and the 'rest_size' bytes of ofpacts at 'rest' (and
 * the action set) go into the continuation; the megaflow is not
 * installed. */
void
xlate__controller(struct xlate_ctx *ctx, uint8_t reason, uint16_t max_len,
                  uint16_t controller_id, const void *userdata,
                  size_t userdata_size, bool pause,
                  const struct ofpact *rest, size_t rest_size)
{
    struct ofpbuf cont;
    ofpbuf_init(&cont);
    if (pause) {
        struct xlate_cont_hdr ch = {
            .magic = XLATE_CONT_MAGIC,
            .table_id = ctx->table_id,
            .actset_size = ctx->actset.size,
            .actions_size = rest_size,
        };
        ofpbuf_put(&cont, &ch, sizeof ch);
        ofpbuf_put(&cont, ctx->actset.data, ctx->actset.size);
        ofpbuf_put(&cont, rest, rest_size);
        ctx->xout->install = false;
    }

    const char *name = ctx->bridge->ofproto->name;
    struct xlate_cookie_hdr h = {
        .magic = XLATE_COOKIE_MAGIC,
        .reason = reason,
        .table_id = ctx->table_id,
        .pause = pause,
        .max_len = max_len,
        .controller_id = controller_id,
        .bridge_len = strlen(name),
        .userdata_len = userdata_size,
        .continuation_len = cont.size,
        .rule_cookie = ctx->rule ? ctx->rule->cookie : 0,
        .in_port = ctx->flow.in_port,
        .metadata = ctx->flow.metadata,
    };
    memcpy(h.regs, ctx->flow.regs, sizeof h.regs);
    struct ofpbuf c;
    ofpbuf_init(&c);
    ofpbuf_put(&c, &h, sizeof h);
    ofpbuf_put(&c, name, h.bridge_len);
    ofpbuf_put(&c, userdata, userdata_size);
    ofpbuf_put(&c, cont.data, cont.size);

    xlate__commit(ctx);
    dp_actions_put_userspace(&ctx->b, c.data, c.size,
                             pause ? 0 : DP_USERSPACE_F_CONTINUE);
    xlate__trace(ctx, " -> sent to controller (reason %d)%s", reason,
                 pause ? ", pipeline paused" : "");
    ofpbuf_uninit(&c);
    ofpbuf_uninit(&cont);
    if (pause) {
        ctx->exit = true;
    }
}

/* Decodes a USERSPACE cookie made for a controller action.  Returns false
 * if it is not one.  The pointers in 'cc' point into 'cookie'. */
bool
xlate_controller_cookie_decode(const void *cookie, size_t size,
                               struct xlate_controller_cookie *cc)
{
    struct xlate_cookie_hdr h;
    if (size < sizeof h) {
        return false;
    }
    memcpy(&h, cookie, sizeof h);
    if (h.magic != XLATE_COOKIE_MAGIC
        || size != sizeof h + h.bridge_len + h.userdata_len
                   + (size_t) h.continuation_len) {
        return false;
    }
    const uint8_t *p = (const uint8_t *) cookie + sizeof h;
    memset(cc, 0, sizeof *cc);
    cc->reason = h.reason;
    cc->table_id = h.table_id;
    cc->pause = h.pause;
    cc->max_len = h.max_len;
    cc->controller_id = h.controller_id;
    cc->rule_cookie = h.rule_cookie;
    cc->bridge = (const char *) p;
    cc->md.in_port = h.in_port;
    cc->md.metadata = h.metadata;
    memcpy(cc->md.regs, h.regs, sizeof h.regs);
    cc->userdata = p + h.bridge_len;
    cc->userdata_size = h.userdata_len;
    cc->continuation = p + h.bridge_len + h.userdata_len;
    cc->continuation_size = h.continuation_len;
    return true;
}

/* dpif_userspace_func: a USERSPACE action ran.  Queues the packet-in its
 * cookie describes for the main thread.  'map' is the struct xlate_map. */
void
xlate_userspace(void *map_, struct packet *packet, const void *cookie,
                size_t cookie_size)
{
    struct xlate_map *map = map_;
    struct xlate_deferred *d = xzalloc(sizeof *d);
    d->cookie = xmemdup(cookie, cookie_size);
    if (!xlate_controller_cookie_decode(d->cookie, cookie_size, &d->cc)) {
        LOG_WARN_RL(&rl, "unknown userspace cookie (%zu bytes)", cookie_size);
        xlate_deferred_free(d);
        return;
    }
    d->type = XLATE_DEFER_PACKET_IN;
    /* The bridge name is not NUL-terminated in the cookie. */
    struct xlate_cookie_hdr h;
    memcpy(&h, cookie, sizeof h);
    d->bridge = xmemdup0(d->cc.bridge, h.bridge_len);
    ofpbuf_init(&d->ofpacts);

    struct packet *copy = packet_clone(packet);
    flow_extract(copy, &d->flow, NULL);
    d->packet_size = packet_size(copy);
    d->packet = xmemdup(packet_data(copy), d->packet_size);
    packet_destroy(copy);
    d->flow.in_port = d->cc.md.in_port;
    d->flow.metadata = d->cc.md.metadata;
    memcpy(d->flow.regs, d->cc.md.regs, sizeof d->flow.regs);
    xlate_deferred_push(map, d);
}

/* Queues a flow_mod (learn) for the main thread. */
void
xlate__defer_flow_mod(struct xlate_ctx *ctx,
                      const struct ofproto_flow_mod *fm)
{
    if (ctx->xin->no_side_effects) {
        return;
    }
    struct xlate_deferred *d = xzalloc(sizeof *d);
    d->type = XLATE_DEFER_FLOW_MOD;
    d->bridge = xstrdup(ctx->bridge->ofproto->name);
    d->fm = *fm;
    ofpbuf_init(&d->ofpacts);
    ofpbuf_put(&d->ofpacts, fm->ofpacts, fm->ofpacts_size);
    d->fm.ofpacts = NULL;
    xlate_deferred_push(ctx->map, d);
}

/* ---- Entry points. ---- */

static void
xlate_ctx_init(struct xlate_ctx *ctx, const struct xlate_in *xin,
               struct xlate_out *xout)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->xin = xin;
    ctx->map = xin->map;
    ctx->xout = xout;
    ctx->wc = &xout->wc;
    ctx->trace = xin->trace;
    dp_actions_builder_init(&ctx->b);
    ofpbuf_init(&ctx->actset);
    memset(xout, 0, sizeof *xout);
    flow_wildcards_init_catchall(&xout->wc);
    xout->install = true;
    xout->xcache = xlate_cache_create(xin->map);
}

static void
xlate_ctx_finish(struct xlate_ctx *ctx)
{
    if (dp_actions_builder_error(&ctx->b)) {
        /* An action or clone too large to encode (huge userdata, a clone
         * around a huge flood): drop the packet rather than run part of
         * the actions. */
        ctx->error = true;
    }
    if (ctx->error) {
        dp_actions_builder_uninit(&ctx->b);
        dp_actions_builder_init(&ctx->b);
    }
    ctx->xout->actions = dp_actions_builder_finish(&ctx->b);
    ctx->xout->final_flow = ctx->flow;
    ofpbuf_uninit(&ctx->actset);
}

/* Runs the pipeline of the current bridge from 'table_id', then the
 * action set, under the ofproto's read lock. */
static void
xlate_pipeline(struct xlate_ctx *ctx, uint8_t table_id,
               const struct ofpact *ofpacts, size_t ofpacts_size)
{
    struct ofproto *p = ctx->bridge->ofproto;
    pthread_rwlock_rdlock(&p->rwlock);
    if (ofpacts) {
        xlate__actions(ctx, ofpacts, ofpacts_size);
    } else {
        xlate__table(ctx, table_id, OFPP_IN_PORT, false, false);
    }
    if (!ctx->error) {
        xlate__run_actset(ctx);
    }
    pthread_rwlock_unlock(&p->rwlock);
}

/* Translates 'xin->flow' through the pipeline: fills 'out' (which the
 * caller later passes to xlate_out_uninit()) with the datapath actions
 * (empty: drop), the consulted bits, whether to install, and the xlate
 * cache.  Returns 0, or -ENOENT if the packet's port or recirculation id
 * is unknown (then 'out' holds a drop). */
int
xlate_flow(const struct xlate_in *xin, struct xlate_out *out)
{
    struct xlate_ctx ctx;
    xlate_ctx_init(&ctx, xin, out);
    ctx.flow = *xin->flow;
    int err = 0;
    uint8_t table_id = 0;

    pthread_rwlock_rdlock(&xin->map->rwlock);
    if (ctx.flow.recirc_id) {
        struct xlate_map *map = xin->map;
        pthread_mutex_lock(&map->recirc_mutex);
        struct xlate_recirc *r = xlate_recirc_find_id(map,
                                                      ctx.flow.recirc_id);
        if (r) {
            atomic_fetch_add(&r->ref_cnt, 1);
        }
        pthread_mutex_unlock(&map->recirc_mutex);
        if (!r) {
            err = -ENOENT;
            goto done;
        }
        xlate_cache_add_recirc(out->xcache, r);
        ctx.bridge = r->bridge;
        table_id = r->table_id;
        ctx.flow.in_port = r->in_port;
        ctx.flow.metadata = r->metadata;
        memcpy(ctx.flow.regs, r->regs, sizeof r->regs);
        if (r->actset_size) {
            ofpbuf_put(&ctx.actset, r->actset, r->actset_size);
        }
    } else if (xin->bridge) {
        ctx.bridge = xin->bridge;
    } else {
        struct xlate_port *xp = xlate_port_by_dp(xin->map, ctx.flow.in_port);
        if (!xp) {
            err = -ENOENT;
            goto done;
        }
        ctx.bridge = xp->bridge;
        ctx.flow.in_port = xp->ofp_port;
    }
    ctx.base = ctx.flow;
    /* As ovs-vswitchd does, every megaflow matches the Ethertype, and IP
     * ones the fragment type. */
    FLOW_WC_SET(&out->wc, dl_type);
    if (ctx.flow.dl_type == htonbe16(0x0800)
        || ctx.flow.dl_type == htonbe16(0x86dd)) {
        FLOW_WC_SET(&out->wc, nw_frag);
    }
    if (ctx.trace) {
        xlate_trace_bridge(&ctx);
    }
    xlate_pipeline(&ctx, table_id, xin->ofpacts, xin->ofpacts_size);
done:
    pthread_rwlock_unlock(&xin->map->rwlock);
    xlate_ctx_finish(&ctx);
    return err;
}

/* Frees what 'out' owns. */
void
xlate_out_uninit(struct xlate_out *out)
{
    dp_actions_destroy(out->actions);
    out->actions = NULL;
    xlate_cache_destroy(out->xcache);
    out->xcache = NULL;
}

/* Continues a pipeline paused by controller(pause) in 'br': runs the
 * remaining actions and the action set the continuation holds, for a
 * packet whose key (in_port an OpenFlow port, pipeline metadata restored)
 * is 'flow'.  Fills 'out' like xlate_flow().  Returns 0 or -EINVAL for a
 * malformed continuation ('out' then untouched). */
int
xlate_resume(struct xlate_map *map, struct xlate_bridge *br,
             const void *continuation, size_t size, const struct flow *flow,
             struct xlate_out *out)
{
    struct xlate_cont_hdr ch;
    if (size < sizeof ch) {
        return -EINVAL;
    }
    memcpy(&ch, continuation, sizeof ch);
    if (ch.magic != XLATE_CONT_MAGIC
        || size != sizeof ch + (size_t) ch.actset_size + ch.actions_size
        || ch.actset_size % 8 || ch.actions_size % 8) {
        return -EINVAL;
    }
    const uint8_t *p = (const uint8_t *) continuation + sizeof ch;
    uint64_t *acts = xmalloc(ch.actions_size + 8);
    memcpy(acts, p + ch.actset_size, ch.actions_size);

    struct xlate_in xin = { .map = map, .flow = flow, .bridge = br };
    struct xlate_ctx ctx;
    xlate_ctx_init(&ctx, &xin, out);
    ctx.flow = *flow;
    ctx.base = *flow;
    ctx.bridge = br;
    ctx.table_id = ch.table_id;
    if (ch.actset_size) {
        ofpbuf_put(&ctx.actset, p, ch.actset_size);
    }
    pthread_rwlock_rdlock(&map->rwlock);
    xlate_pipeline(&ctx, 0, (const struct ofpact *) (void *) acts,
                   ch.actions_size);
    pthread_rwlock_unlock(&map->rwlock);
    xlate_ctx_finish(&ctx);
    free(acts);
    return 0;
}

/* dpif_upcall_func: translates a packet that missed the datapath caches.
 * 'map' is the struct xlate_map. */
int
xlate_upcall(void *map, const struct flow *flow, const struct packet *packet,
             struct dp_upcall_result *result)
{
    struct xlate_in xin = {
        .map = map,
        .flow = flow,
        .packet = packet,
    };
    struct xlate_out out;
    int err = xlate_flow(&xin, &out);
    if (err) {
        xlate_out_uninit(&out);
        return err;
    }
    result->actions = out.actions;
    flow_wildcards_or(&result->wc, &out.wc);
    result->install = out.install;
    result->xcache = out.xcache;
    result->xcache_destroy = (void (*)(void *)) xlate_cache_destroy;
    return 0;
}

/* dpif_push_stats_func: credits a megaflow's statistics to its rules. */
void
xlate_push_stats(void *map, void *xcache,
                 const struct dpif_flow_stats *delta)
{
    (void) map;
    xlate_cache_push_stats(xcache, delta->n_packets, delta->n_bytes,
                           delta->used);
}

/* Appends fdb/show text of 'bridge'; returns 0 or -ENOENT. */
int
xlate_fdb_show(struct xlate_map *map, const char *bridge, struct ds *s)
{
    pthread_rwlock_rdlock(&map->rwlock);
    struct xlate_bridge *br = xlate_bridge_find(map, bridge);
    if (br) {
        mac_learning_format(br->ml, s, NULL, NULL);
    }
    pthread_rwlock_unlock(&map->rwlock);
    return br ? 0 : -ENOENT;
}
