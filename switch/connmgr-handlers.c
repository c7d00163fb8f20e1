/* The OpenFlow requests that read or change a bridge's ofproto (flow_mod,
 * group_mod, port_mod, bundles, packet_out, TLV table, multipart
 * statistics) and the asynchronous messages it causes (flow removed, port
 * status, packet in).  Part of switch/connmgr.h. */
#include "switch/connmgr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/log.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-match.h"
#include "openflow/ofp-meter.h"
#include "openflow/ofp-msgs.h"
#include "openflow/ofp-protocol.h"
#include "openflow/ofpbuf.h"
#include "switch/connmgr-private.h"
#include "switch/ofproto-meter.h"
#include "switch/ofproto.h"

LOG_MODULE(connmgr_handlers);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(60, 20);

/* Port numbers: the codecs use OpenFlow 1.1+ 32-bit numbers, ofproto and
 * ofpacts OpenFlow 1.0 numbers (OFPP_*). */
static uint32_t
port_from11(uint32_t port)
{
    return port >= OFP11_PORT_MAX ? port - 0xffff0000u : port;
}

static uint32_t
port_to11(uint32_t port)
{
    return port >= OFPP_MAX_PORT && port <= 0xffff ? port + 0xffff0000u
                                                    : port;
}

/* Decodes a match of any format into 'm' (normalized). */
static enum ofperr
decode_match(struct ofconn *c, const struct ofpmsg_match *wm,
             struct ofp_match *m)
{
    const struct ofp_tlv_map *map = &c->mgr->ofproto->tlv_map;
    enum ofperr err = 0;
    switch (wm->format) {
    case OFPMSG_MATCH_NONE:
        ofp_match_init_catchall(m);
        break;
    case OFPMSG_MATCH_OF10:
        if (wm->size < OFP10_MATCH_LEN) {
            return OFPERR_OFPBMC_BAD_LEN;
        }
        err = ofp_match_from_ofp10(wm->data, m);
        break;
    case OFPMSG_MATCH_NXM:
        err = ofp_match_decode_nxm(wm->data, wm->size, map, m);
        break;
    case OFPMSG_MATCH_OXM:
        err = ofp_match_decode_tlvs(wm->data, wm->size, map, m);
        break;
    }
    if (!err) {
        ofp_match_normalize(m);
    }
    return err;
}

/* Appends 'm' to 'tmp' in 'format' and points 'out' at it. */
static void
encode_match(struct ofconn *c, enum ofpmsg_match_format format,
             uint8_t version, const struct ofp_match *m, struct ofpbuf *tmp,
             struct ofpmsg_match *out)
{
    const struct ofp_tlv_map *map = &c->mgr->ofproto->tlv_map;
    size_t start = tmp->size;
    switch (format) {
    case OFPMSG_MATCH_OF10:
        ofp_match_to_ofp10(m, ofpbuf_put_uninit(tmp, OFP10_MATCH_LEN));
        break;
    case OFPMSG_MATCH_NXM:
        ofp_match_put_nxm(m, map, tmp);
        break;
    case OFPMSG_MATCH_OXM:
        ofp_match_put_oxm_tlvs(m, map, version, tmp);
        break;
    case OFPMSG_MATCH_NONE:
        break;
    }
    out->format = format;
    out->data = tmp->data ? tmp->data + start : NULL;
    out->size = tmp->size - start;
}

/* Appends 'ofpacts' in the form 'version' carries in flow stats and
 * points 'out' at it. */
static void
encode_actions(struct ofconn *c, uint8_t version,
               const struct ofproto_actions *a, struct ofpbuf *tmp,
               struct ofpmsg_actions *out, bool instructions)
{
    const struct ofp_tlv_map *map = &c->mgr->ofproto->tlv_map;
    size_t start = tmp->size;
    if (version == OFP10_VERSION) {
        ofpacts_encode_actions(ofproto_actions_get(a), a->size, version, map,
                               tmp);
        out->format = OFPMSG_ACTIONS_OF10;
    } else if (instructions) {
        ofpacts_encode_instructions(ofproto_actions_get(a), a->size,
                                    version, map, tmp);
        out->format = OFPMSG_INSTRUCTIONS;
    } else {
        ofpacts_encode_actions(ofproto_actions_get(a), a->size, version, map,
                               tmp);
        out->format = OFPMSG_ACTIONS_OF11;
    }
    out->version = version;
    out->data = tmp->data ? tmp->data + start : NULL;
    out->size = tmp->size - start;
}

/* Wrappers for connmgr-monitor.c. */
enum ofperr
connmgr__decode_match(struct ofconn *c, const struct ofpmsg_match *wm,
                      struct ofp_match *m)
{
    return decode_match(c, wm, m);
}

void
connmgr__encode_match(struct ofconn *c, enum ofpmsg_match_format format,
                      uint8_t version, const struct ofp_match *m,
                      struct ofpbuf *tmp, struct ofpmsg_match *out)
{
    encode_match(c, format, version, m, tmp, out);
}

void
connmgr__encode_actions(struct ofconn *c, uint8_t version,
                        const struct ofproto_actions *a, struct ofpbuf *tmp,
                        struct ofpmsg_actions *out)
{
    encode_actions(c, version, a, tmp, out, false);
}

/* Decodes a flow_mod message into 'fm', with its actions in 'ofpacts'
 * (which 'fm' then points into).  Also stores the buffer id. */
static enum ofperr
decode_flow_mod(struct ofconn *c, const struct ofpmsg *msg,
                struct ofproto_flow_mod *fm, struct ofpbuf *ofpacts,
                uint32_t *buffer_id)
{
    struct ofproto *p = c->mgr->ofproto;
    struct ofpmsg_flow_mod w;
    enum ofperr err = ofpmsg_decode_flow_mod(msg, &w);
    if (err) {
        return err;
    }
    if (w.command > OFPROTO_FC_DELETE_STRICT) {
        return OFPERR_OFPFMFC_BAD_COMMAND;
    }
    ofproto_flow_mod_init(fm, w.command);
    err = decode_match(c, &w.match, &fm->match);
    if (err) {
        return err;
    }
    bool of10 = msg->version == OFP10_VERSION;
    if (of10 && !c->flow_mod_table_id) {
        fm->table_id = w.command == OFPROTO_FC_ADD ? 0 : OFPTT_ALL;
    } else {
        fm->table_id = w.table_id;
    }
    fm->priority = w.priority;
    fm->cookie = w.cookie;
    fm->cookie_mask = w.command == OFPROTO_FC_ADD ? 0 : w.cookie_mask;
    if (of10 && (w.command == OFPROTO_FC_MODIFY
                 || w.command == OFPROTO_FC_MODIFY_STRICT)) {
        /* OpenFlow 1.0 and NXM: a modify carries the rules' new cookie
         * (UINT64_MAX: leave them) and adds a rule if none matches
         * (OpenFlow 1.0 §4.6).  OpenFlow 1.1+ modifies change neither. */
        fm->modify_cookie = w.cookie != UINT64_MAX;
        fm->new_cookie = w.cookie;
        fm->cookie = 0;
        fm->cookie_mask = 0;
    }
    fm->idle_timeout = w.idle_timeout;
    fm->hard_timeout = w.hard_timeout;
    if (of10) {
        if (w.flags & 0x4) {    /* OFPFF10_EMERG. */
            return OFPERR_OFPFMFC_BAD_FLAGS;
        }
        fm->flags = w.flags & (OFPROTO_FF_SEND_FLOW_REM
                               | OFPROTO_FF_CHECK_OVERLAP);
        /* OpenFlow 1.0 has no reset_counts flag: an add always resets
         * (ovs-vswitchd shows such flows with reset_counts too). */
        if (w.command == OFPROTO_FC_ADD) {
            fm->flags |= OFPROTO_FF_RESET_COUNTS;
        }
    } else {
        if (w.flags & ~0x1f) {
            return OFPERR_OFPFMFC_BAD_FLAGS;
        }
        fm->flags = w.flags;
    }
    fm->importance = w.importance;
    fm->out_port = port_from11(w.out_port);
    fm->out_group = w.out_group;
    *buffer_id = w.buffer_id;

    if (w.command <= OFPROTO_FC_MODIFY_STRICT) {
        err = ofpacts_decode_msg(&w.actions, &p->tlv_map, ofpacts);
        if (err) {
            return err;
        }
        err = ofpacts_check((const struct ofpact *) (void *) ofpacts->data,
                            ofpacts->size, &fm->match, &p->tlv_map,
                            p->max_ports, fm->table_id);
        if (err) {
            return err;
        }
        fm->ofpacts = (const struct ofpact *) (void *) ofpacts->data;
        fm->ofpacts_size = ofpacts->size;
    }
    return 0;
}

/* A decoded group_mod with the storage it points into. */
struct group_mod_buf {
    struct ofproto_group_mod gm;    /* The group_mod. */
    struct ofproto_bucket_spec *buckets; /* Owned. */
    struct ofpbuf *ofpacts;     /* Owned: one list per bucket. */
    size_t n;                   /* Buckets. */
};

static void
group_mod_buf_uninit(struct group_mod_buf *g)
{
    for (size_t i = 0; i < g->n; i++) {
        ofpbuf_uninit(&g->ofpacts[i]);
    }
    free(g->ofpacts);
    free(g->buckets);
}

static enum ofperr
decode_group_mod(struct ofconn *c, const struct ofpmsg *msg,
                 struct group_mod_buf *g)
{
    struct ofproto *p = c->mgr->ofproto;
    struct ofpmsg_group_mod w;
    memset(g, 0, sizeof *g);
    enum ofperr err = ofpmsg_decode_group_mod(msg, &w);
    if (err) {
        return err;
    }
    if (w.command > OFPROTO_GC_DELETE) {
        return OFPERR_OFPGMFC_BAD_COMMAND;
    }
    g->gm.command = w.command;
    g->gm.type = w.type;
    g->gm.group_id = w.group_id;

    struct ofpmsg_iter it;
    ofpmsg_iter_init(&it, msg, w.buckets_raw, w.buckets_raw_size);
    size_t allocated = 0;
    for (;;) {
        struct ofpmsg_bucket wb;
        err = ofpmsg_bucket_pull(&it, &wb);
        if (err == OFPMSG_EOF) {
            break;
        } else if (err) {
            return err;
        }
        if (g->n >= allocated) {
            g->buckets = x2nrealloc(g->buckets, &allocated,
                                    sizeof *g->buckets);
            g->ofpacts = xrealloc(g->ofpacts, allocated * sizeof *g->ofpacts);
        }
        struct ofpbuf *acts = &g->ofpacts[g->n];
        ofpbuf_init(acts);
        struct ofproto_bucket_spec *b = &g->buckets[g->n++];
        b->bucket_id = wb.bucket_id;
        b->weight = wb.weight;
        b->watch_port = (wb.watch_port == OFP11_PORT_ANY ? OFPP_NONE
                         : port_from11(wb.watch_port));
        b->watch_group = wb.watch_group;
        err = ofpacts_decode_msg(&wb.actions, &p->tlv_map, acts);
        if (!err) {
            err = ofpacts_check((const struct ofpact *) (void *) acts->data,
                                acts->size, NULL, &p->tlv_map, p->max_ports,
                                OFPTT_ALL);
        }
        if (err) {
            return err;
        }
    }
    for (size_t i = 0; i < g->n; i++) {
        g->buckets[i].ofpacts
            = (const struct ofpact *) (void *) g->ofpacts[i].data;
        g->buckets[i].ofpacts_size = g->ofpacts[i].size;
    }
    g->gm.buckets = g->buckets;
    g->gm.n_buckets = g->n;
    return 0;
}

static bool
is_slave(const struct ofconn *c)
{
    return c->role == OFPCR_ROLE_SLAVE;
}

static void
handle_flow_mod(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofproto_flow_mod fm;
    struct ofpbuf ofpacts = OFPBUF_EMPTY_INITIALIZER;
    uint32_t buffer_id;
    enum ofperr err = decode_flow_mod(c, msg, &fm, &ofpacts, &buffer_id);
    if (!err) {
        err = ofproto_flow_mod(c->mgr->ofproto, &fm);
    }
    if (!err && buffer_id != OFP_NO_BUFFER) {
        err = OFPERR_OFPBRC_BUFFER_UNKNOWN;
    }
    if (err) {
        LOG_DBG("%s: flow_mod failed (%s)", c->name, ofperr_to_string(err));
        ofconn__send_error(c, msg, err);
    }
    ofpbuf_uninit(&ofpacts);
}

static void
handle_group_mod(struct ofconn *c, const struct ofpmsg *msg)
{
    struct group_mod_buf g;
    enum ofperr err = decode_group_mod(c, msg, &g);
    if (!err) {
        err = ofproto_group_mod(c->mgr->ofproto, &g.gm);
    }
    if (err) {
        ofconn__send_error(c, msg, err);
    }
    group_mod_buf_uninit(&g);
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
           | ((uint32_t) p[2] << 8) | p[3];
}

/* port_mod: OpenFlow 1.0 §5.3.3 / 1.3.5 §7.3.4.3.  Only the config bits
 * are applied; the hardware address must match. */
static void
handle_port_mod(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofproto *p = c->mgr->ofproto;
    const uint8_t *b = msg->body;
    uint32_t port_no, config, mask;
    const uint8_t *hw;
    if (msg->version == OFP10_VERSION) {
        if (msg->body_size < 24) {
            ofconn__send_error(c, msg, OFPERR_OFPBRC_BAD_LEN);
            return;
        }
        port_no = port_from11(port_to11((b[0] << 8) | b[1]));
        hw = b + 2;
        config = get32(b + 8);
        mask = get32(b + 12);
    } else {
        if (msg->body_size < 32) {
            ofconn__send_error(c, msg, OFPERR_OFPBRC_BAD_LEN);
            return;
        }
        port_no = port_from11(get32(b));
        hw = b + 8;
        config = get32(b + 16);
        mask = get32(b + 20);
    }
    struct ofproto_port *port = ofproto_port_find(p, port_no);
    if (!port) {
        ofconn__send_error(c, msg, OFPERR_OFPPMFC_BAD_PORT);
        return;
    }
    if (memcmp(hw, &port->mac, 6)) {
        ofconn__send_error(c, msg, OFPERR_OFPPMFC_BAD_HW_ADDR);
        return;
    }
    ofproto_port_set_state(p, port_no, (port->config & ~mask)
                           | (config & mask), port->state);
}

/* Bundles. */

struct conn_bundle {
    struct list node;           /* In ofconn 'bundles'. */
    struct ofproto_bundle *b;   /* Owned. */
};

static struct conn_bundle *
bundle_find(struct ofconn *c, uint32_t id)
{
    struct conn_bundle *cb;
    LIST_FOR_EACH (cb, node, &c->bundles) {
        if (ofproto_bundle_id(cb->b) == id) {
            return cb;
        }
    }
    return NULL;
}

static void
bundle_destroy(struct conn_bundle *cb)
{
    list_remove(&cb->node);
    ofproto_bundle_destroy(cb->b);
    free(cb);
}

/* Discards every bundle of 'c' (on disconnection). */
void
connmgr__bundles_clear(struct ofconn *c)
{
    while (!list_is_empty(&c->bundles)) {
        struct list *n = list_front(&c->bundles);
        bundle_destroy(OBJECT_CONTAINING(n, (struct conn_bundle *) NULL,
                                         node));
    }
}

static struct conn_bundle *
bundle_open(struct ofconn *c, uint32_t id, uint16_t flags)
{
    struct conn_bundle *cb = xzalloc(sizeof *cb);
    cb->b = ofproto_bundle_create(id, flags);
    list_push_back(&c->bundles, &cb->node);
    return cb;
}

static void
send_bundle_reply(struct ofconn *c, const struct ofpmsg *msg,
                  const struct ofpmsg_bundle_ctrl *req, uint16_t type)
{
    struct ofpmsg_bundle_ctrl reply = {
        .bundle_id = req->bundle_id, .type = type, .flags = req->flags,
    };
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_bundle_ctrl(msg->version, msg->xid, &reply, &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

static void
handle_bundle_ctrl(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofpmsg_bundle_ctrl bc;
    enum ofperr err = ofpmsg_decode_bundle_ctrl(msg, &bc);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    if (is_slave(c)) {
        ofconn__send_error(c, msg, OFPERR_OFPBRC_IS_SLAVE);
        return;
    }
    struct conn_bundle *cb = bundle_find(c, bc.bundle_id);
    if (bc.flags & ~3) {
        ofconn__send_error(c, msg, OFPERR_OFPBFC_BAD_FLAGS);
        return;
    }
    switch (bc.type) {
    case OFPBCT_OPEN_REQUEST:
        if (cb) {
            err = OFPERR_OFPBFC_BUNDLE_EXIST;
        } else if (list_size(&c->bundles) >= CONNMGR_MAX_BUNDLES) {
            err = OFPERR_OFPBFC_OUT_OF_BUNDLES;
        } else {
            bundle_open(c, bc.bundle_id, bc.flags);
            send_bundle_reply(c, msg, &bc, OFPBCT_OPEN_REPLY);
        }
        break;
    case OFPBCT_CLOSE_REQUEST:
        if (!cb) {
            err = OFPERR_OFPBFC_BAD_ID;
        } else if (ofproto_bundle_is_closed(cb->b)) {
            err = OFPERR_OFPBFC_BUNDLE_CLOSED;
        } else if (ofproto_bundle_flags(cb->b) != bc.flags) {
            err = OFPERR_OFPBFC_BAD_FLAGS;
        } else {
            ofproto_bundle_close(cb->b);
            send_bundle_reply(c, msg, &bc, OFPBCT_CLOSE_REPLY);
        }
        break;
    case OFPBCT_COMMIT_REQUEST:
        if (!cb) {
            err = OFPERR_OFPBFC_BAD_ID;
        } else if (ofproto_bundle_flags(cb->b) != bc.flags) {
            err = OFPERR_OFPBFC_BAD_FLAGS;
            bundle_destroy(cb);
        } else {
            size_t failed;
            err = ofproto_bundle_commit(c->mgr->ofproto, cb->b, &failed);
            if (err) {
                LOG_DBG("%s: bundle %u message %zu failed (%s)", c->name,
                        bc.bundle_id, failed, ofperr_to_string(err));
                /* OpenFlow 1.4.1 §7.3.9.4: the failing message's error,
                 * then OFPBFC_MSG_FAILED for the commit. */
                ofconn__send_error(c, msg, err);
                err = OFPERR_OFPBFC_MSG_FAILED;
            } else {
                send_bundle_reply(c, msg, &bc, OFPBCT_COMMIT_REPLY);
            }
            bundle_destroy(cb);
        }
        break;
    case OFPBCT_DISCARD_REQUEST:
        if (!cb) {
            err = OFPERR_OFPBFC_BAD_ID;
        } else {
            bundle_destroy(cb);
            send_bundle_reply(c, msg, &bc, OFPBCT_DISCARD_REPLY);
        }
        break;
    default:
        err = OFPERR_OFPBFC_BAD_TYPE;
        break;
    }
    if (err) {
        ofconn__send_error(c, msg, err);
    }
}

static void
handle_bundle_add(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofpmsg_bundle_add ba;
    enum ofperr err = ofpmsg_decode_bundle_add(msg, &ba);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    if (is_slave(c)) {
        ofconn__send_error(c, msg, OFPERR_OFPBRC_IS_SLAVE);
        return;
    }
    struct conn_bundle *cb = bundle_find(c, ba.bundle_id);
    if (!cb) {
        if (list_size(&c->bundles) >= CONNMGR_MAX_BUNDLES) {
            ofconn__send_error(c, msg, OFPERR_OFPBFC_OUT_OF_BUNDLES);
            return;
        }
        /* OpenFlow 1.4.1 §7.3.9.6: adding to an unknown id opens it. */
        cb = bundle_open(c, ba.bundle_id, ba.flags);
    } else if (ofproto_bundle_is_closed(cb->b)) {
        ofconn__send_error(c, msg, OFPERR_OFPBFC_BUNDLE_CLOSED);
        return;
    } else if (ofproto_bundle_flags(cb->b) != ba.flags) {
        ofconn__send_error(c, msg, OFPERR_OFPBFC_BAD_FLAGS);
        return;
    }

    struct ofpmsg inner;
    err = ofpmsg_classify(ba.msg, ba.msg_size, &inner);
    if (err) {
        ofconn__send_error(c, msg, OFPERR_OFPBFC_MSG_BAD_LEN);
        return;
    }
    if (inner.xid != msg->xid) {
        ofconn__send_error(c, msg, OFPERR_OFPBFC_MSG_BAD_XID);
        return;
    }
    if (inner.version != msg->version) {
        ofconn__send_error(c, msg, OFPERR_OFPBFC_MSG_UNSUP);
        return;
    }
    if (inner.type == OFPMSG_FLOW_MOD) {
        struct ofproto_flow_mod fm;
        struct ofpbuf ofpacts = OFPBUF_EMPTY_INITIALIZER;
        uint32_t buffer_id;
        err = decode_flow_mod(c, &inner, &fm, &ofpacts, &buffer_id);
        if (!err) {
            ofproto_bundle_add_flow_mod(cb->b, &fm);
        }
        ofpbuf_uninit(&ofpacts);
    } else if (inner.type == OFPMSG_GROUP_MOD) {
        struct group_mod_buf g;
        err = decode_group_mod(c, &inner, &g);
        if (!err) {
            ofproto_bundle_add_group_mod(cb->b, &g.gm);
        }
        group_mod_buf_uninit(&g);
    } else if (inner.type == OFPMSG_METER_MOD) {
        struct ofp_meter_mod mm;
        err = ofp_meter_mod_decode(&inner, &mm);
        if (!err) {
            ofproto_bundle_add_meter_mod(cb->b, &mm);
        }
    } else {
        err = OFPERR_OFPBFC_MSG_UNSUP;
    }
    if (err) {
        /* The error is about the inner message. */
        ofconn__send_error(c, &inner, err);
    }
}

/* packet_out. */

void
connmgr_set_resume_cb(struct connmgr *mgr, connmgr_resume_func *cb,
                      void *aux)
{
    mgr->resume_cb = cb;
    mgr->resume_aux = aux;
}

static void
handle_resume(struct ofconn *c, const struct ofpmsg *msg)
{
    struct connmgr *mgr = c->mgr;
    struct ofpmsg_packet_in2 pi;
    struct connmgr_resume r;

    if (!mgr->resume_cb) {
        ofconn__send_error(c, msg, OFPERR_OFPBRC_BAD_TYPE);
        return;
    }
    enum ofperr err = ofpmsg_decode_packet_in2(msg, &pi);
    if (!err && !pi.continuation) {
        err = OFPERR_OFPBRC_BAD_LEN;
    }
    if (!err) {
        err = decode_match(c, &pi.metadata, &r.metadata);
    }
    if (!err) {
        r.packet = pi.packet;
        r.packet_size = pi.packet_size;
        r.continuation = pi.continuation;
        r.continuation_size = pi.continuation_size;
        err = mgr->resume_cb(mgr, &r, mgr->resume_aux);
    }
    if (err) {
        ofconn__send_error(c, msg, err);
    }
}

static void
handle_packet_out(struct ofconn *c, const struct ofpmsg *msg)
{
    struct connmgr *mgr = c->mgr;
    struct ofproto *p = mgr->ofproto;
    struct ofpmsg_packet_out po;
    struct ofpbuf ofpacts = OFPBUF_EMPTY_INITIALIZER;
    struct connmgr_packet_out cpo;

    enum ofperr err = ofpmsg_decode_packet_out(msg, &po);
    if (err) {
        goto out;
    }
    if (msg->version >= OFP15_VERSION) {
        err = decode_match(c, &po.match, &cpo.metadata);
        if (err) {
            goto out;
        }
    } else {
        ofp_match_init_catchall(&cpo.metadata);
        const struct ofp_field *f = ofp_field_from_name("in_port");
        union ofp_field_value v;
        memset(&v, 0, sizeof v);
        uint32_t in_port = port_from11(po.in_port);
        v.be16 = htonbe16(in_port);
        if (f) {
            ofp_match_set(&cpo.metadata, f, &p->tlv_map, &v);
        }
        cpo.metadata.flow.in_port = in_port;
    }
    uint32_t in_port = cpo.metadata.flow.in_port;
    if (in_port >= OFPP_MAX_PORT && in_port != OFPP_LOCAL
        && in_port != OFPP_CONTROLLER && in_port != OFPP_NONE) {
        err = OFPERR_OFPBRC_BAD_PORT;
        goto out;
    }
    err = ofpacts_decode_msg(&po.actions, &p->tlv_map, &ofpacts);
    if (err) {
        goto out;
    }
    err = ofpacts_check((const struct ofpact *) (void *) ofpacts.data,
                        ofpacts.size, NULL, &p->tlv_map, p->max_ports,
                        OFPTT_ALL);
    if (err) {
        goto out;
    }
    err = ofproto_check_groups(p, (const struct ofpact *) (void *)
                               ofpacts.data, ofpacts.size);
    if (err) {
        goto out;
    }
    if (po.buffer_id != OFP_NO_BUFFER) {
        err = OFPERR_OFPBRC_BUFFER_UNKNOWN;
        goto out;
    }
    if (is_slave(c)) {
        err = OFPERR_OFPBRC_IS_SLAVE;
        goto out;
    }
    cpo.packet = po.packet;
    cpo.packet_size = po.packet_size;
    cpo.ofpacts = (const struct ofpact *) (void *) ofpacts.data;
    cpo.ofpacts_size = ofpacts.size;
    if (mgr->packet_out_cb) {
        err = mgr->packet_out_cb(mgr, &cpo, mgr->packet_out_aux);
    }

out:
    if (err) {
        ofconn__send_error(c, msg, err);
    }
    ofpbuf_uninit(&ofpacts);
}

/* TLV table (Geneve option map, ovs-ofctl(8) "add-tlv-map"). */

static void
tlv_rebuild_map(struct connmgr *mgr)
{
    struct ofp_tlv_map *map = &mgr->ofproto->tlv_map;
    /* Keep existing offsets; place new options first-fit. */
    uint8_t used[FLOW_TUN_OPTS_SIZE];
    memset(used, 0, sizeof used);
    for (size_t i = 0; i < 64; i++) {
        if (!mgr->tlvs[i].option_len) {
            map->slots[i].len = 0;
            map->slots[i].ofs = 0;
        } else if (map->slots[i].len) {
            memset(used + map->slots[i].ofs, 1, map->slots[i].len);
        }
    }
    for (size_t i = 0; i < 64; i++) {
        uint8_t len = mgr->tlvs[i].option_len;
        if (!len || map->slots[i].len) {
            continue;
        }
        for (size_t ofs = 0; ofs + len <= FLOW_TUN_OPTS_SIZE; ofs += 4) {
            if (!memchr(used + ofs, 1, len)) {
                memset(used + ofs, 1, len);
                map->slots[i].ofs = ofs;
                map->slots[i].len = len;
                break;
            }
        }
    }
}

bool
connmgr_get_tlv(const struct connmgr *mgr, unsigned int index,
                uint16_t *opt_class, uint8_t *type, uint8_t *len)
{
    if (index >= 64 || !mgr->tlvs[index].option_len) {
        return false;
    }
    *opt_class = mgr->tlvs[index].option_class;
    *type = mgr->tlvs[index].option_type;
    *len = mgr->tlvs[index].option_len;
    return true;
}

/* The tun_metadata fields (bit i: tun_metadata<i>) the open bundles of
 * 'c' use. */
static uint64_t
conn_bundles_tlv_usage(const struct ofconn *c)
{
    uint64_t used = 0;
    struct conn_bundle *cb;
    LIST_FOR_EACH (cb, node, &c->bundles) {
        used |= ofproto_bundle_tlv_usage(cb->b);
    }
    return used;
}

static void
handle_tlv_table_mod(struct ofconn *c, const struct ofpmsg *msg)
{
    struct connmgr *mgr = c->mgr;
    struct ofpmsg_tlv_table t;
    enum ofperr err = ofpmsg_decode_tlv_table(msg, &t);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    if (is_slave(c)) {
        ofconn__send_error(c, msg, OFPERR_OFPBRC_IS_SLAVE);
        return;
    }
    struct connmgr_tlv tlvs[64];
    memcpy(tlvs, mgr->tlvs, sizeof tlvs);
    size_t total = 0;
    switch (t.command) {
    case NXTTMC_ADD:
        for (size_t i = 0; i < t.n_maps; i++) {
            const struct ofpmsg_tlv_map *m = &t.maps[i];
            if (m->index >= 64 || tlvs[m->index].option_len) {
                err = OFPERR_OFPBRC_EPERM;      /* Index in use. */
                break;
            }
            if (!m->option_len || m->option_len % 4 || m->option_len > 124) {
                err = OFPERR_OFPBRC_BAD_LEN;
                break;
            }
            for (size_t j = 0; j < 64; j++) {
                if (tlvs[j].option_len
                    && tlvs[j].option_class == m->option_class
                    && tlvs[j].option_type == m->option_type) {
                    err = OFPERR_OFPBRC_EPERM;  /* Option mapped. */
                }
            }
            tlvs[m->index] = (struct connmgr_tlv) {
                m->option_class, m->option_type, m->option_len,
            };
        }
        break;
    case NXTTMC_DELETE:
        for (size_t i = 0; i < t.n_maps; i++) {
            const struct ofpmsg_tlv_map *m = &t.maps[i];
            if (m->index >= 64 || !tlvs[m->index].option_len
                || tlvs[m->index].option_class != m->option_class
                || tlvs[m->index].option_type != m->option_type) {
                err = OFPERR_OFPBRC_EPERM;
                break;
            }
            tlvs[m->index].option_len = 0;
        }
        break;
    case NXTTMC_CLEAR:
        memset(tlvs, 0, sizeof tlvs);
        break;
    default:
        err = OFPERR_OFPBRC_BAD_TYPE;
        break;
    }
    for (size_t i = 0; !err && i < 64; i++) {
        total += tlvs[i].option_len;
    }
    if (!err && total > FLOW_TUN_OPTS_SIZE) {
        err = OFPERR_OFPBRC_EPERM;
    }
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    /* Rules, groups and bundled messages were checked against the current
     * widths of the tun_metadata fields they use: such a mapping may not
     * go away or change (OVS answers NXTTMFC_INVALID_TLV_DEL; Kiln has no
     * Nicira error codes, so OFPBRC_EPERM). */
    uint64_t changed = 0;
    for (size_t i = 0; i < 64; i++) {
        if (mgr->tlvs[i].option_len
            && memcmp(&mgr->tlvs[i], &tlvs[i], sizeof tlvs[i])) {
            changed |= UINT64_C(1) << i;
        }
    }
    pthread_rwlock_wrlock(&mgr->ofproto->rwlock);
    if (changed) {
        uint64_t used = ofproto_tlv_usage(mgr->ofproto);
        struct ofconn *oc;
        LIST_FOR_EACH (oc, node, &mgr->conns) {
            used |= conn_bundles_tlv_usage(oc);
        }
        if (used & changed) {
            pthread_rwlock_unlock(&mgr->ofproto->rwlock);
            ofconn__send_error(c, msg, OFPERR_OFPBRC_EPERM);
            return;
        }
    }
    memcpy(mgr->tlvs, tlvs, sizeof tlvs);
    tlv_rebuild_map(mgr);
    atomic_fetch_add(&mgr->ofproto->version, 1);
    pthread_rwlock_unlock(&mgr->ofproto->rwlock);
}

static void
handle_tlv_table_request(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofpmsg_tlv_table t = {
        .max_option_space = FLOW_TUN_OPTS_SIZE,
        .max_fields = 64,
    };
    for (size_t i = 0; i < 64; i++) {
        const struct connmgr_tlv *tlv = &c->mgr->tlvs[i];
        if (tlv->option_len && t.n_maps < OFPMSG_MAX_TLV_MAPS) {
            t.maps[t.n_maps++] = (struct ofpmsg_tlv_map) {
                tlv->option_class, tlv->option_type, tlv->option_len, i,
            };
        }
    }
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_tlv_table(msg->version, msg->xid, true, &t, &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

/* Multipart requests. */

static void
stats_duration(long long ms, uint32_t *sec, uint32_t *nsec)
{
    if (ms < 0) {
        ms = 0;
    }
    *sec = ms / 1000;
    *nsec = (ms % 1000) * 1000000;
}

static void
handle_desc(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofpmsg_desc d;
    memset(&d, 0, sizeof d);
    snprintf(d.mfr_desc, sizeof d.mfr_desc, "Kiln");
    snprintf(d.hw_desc, sizeof d.hw_desc, "Kiln userspace switch");
    snprintf(d.sw_desc, sizeof d.sw_desc, "0.1");
    snprintf(d.serial_num, sizeof d.serial_num, "None");
    snprintf(d.dp_desc, sizeof d.dp_desc, "None");
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_desc_reply(msg->version, msg->xid, &d, &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

static enum ofperr
decode_flow_filter(struct ofconn *c, const struct ofpmsg *msg,
                   struct ofproto_rule_filter *f)
{
    struct ofpmsg_flow_stats_request r;
    enum ofperr err = ofpmsg_decode_flow_stats_request(msg, &r);
    if (err) {
        return err;
    }
    ofproto_rule_filter_init(f);
    err = decode_match(c, &r.match, &f->match);
    if (err) {
        return err;
    }
    f->table_id = r.table_id;
    f->out_port = port_from11(r.out_port);
    f->out_group = r.out_group;
    f->cookie = r.cookie;
    f->cookie_mask = r.cookie_mask;
    if (f->table_id != OFPTT_ALL && f->table_id >= OFPROTO_N_TABLES) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    return 0;
}

struct flow_stats_aux {
    struct ofconn *c;           /* Connection. */
    const struct ofpmsg *msg;   /* Request. */
    struct ofpmsg_mp_reply *r;  /* Reply. */
    long long now;              /* Clock. */
};

static void
flow_stats_visit(const struct ofproto_rule *rule_, void *aux_)
{
    struct flow_stats_aux *aux = aux_;
    struct ofproto_rule *rule = (struct ofproto_rule *) (uintptr_t) rule_;
    const struct ofpmsg *msg = aux->msg;
    uint8_t version = msg->version;
    enum ofpmsg_match_format format
        = (msg->family == OFPMSG_NX ? OFPMSG_MATCH_NXM
           : version == OFP10_VERSION ? OFPMSG_MATCH_OF10
           : OFPMSG_MATCH_OXM);
    struct ofpbuf mbuf = OFPBUF_EMPTY_INITIALIZER;
    struct ofpbuf abuf = OFPBUF_EMPTY_INITIALIZER;
    struct ofpmsg_flow_stats fs;
    memset(&fs, 0, sizeof fs);

    struct ofp_match m;
    ofproto_rule_get_match(rule, &m);
    encode_match(aux->c, format, version, &m, &mbuf, &fs.match);
    encode_actions(aux->c, version, rule->actions, &abuf, &fs.actions,
                   true);
    long long used = atomic_load(&rule->used);
    fs.table_id = rule->table_id;
    stats_duration(aux->now - rule->created, &fs.duration_sec,
                   &fs.duration_nsec);
    fs.priority = rule->cr.priority;
    fs.idle_timeout = rule->idle_timeout;
    fs.hard_timeout = rule->hard_timeout;
    fs.flags = rule->flags;
    fs.idle_age = (aux->now - used) / 1000 + 1;
    fs.hard_age = (rule->modified > rule->created
                   ? (aux->now - rule->modified) / 1000 + 1 : 0);
    fs.cookie = rule->cookie;
    fs.packet_count = atomic_load(&rule->packet_count);
    fs.byte_count = atomic_load(&rule->byte_count);
    ofpmsg_put_flow_stats(aux->r, version, &fs);
    ofpbuf_uninit(&mbuf);
    ofpbuf_uninit(&abuf);
}

static void
handle_flow_stats(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofproto_rule_filter f;
    enum ofperr err = decode_flow_filter(c, msg, &f);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, OFPMSG_FLOW_STATS_REPLY, msg->family,
                         msg->version, msg->xid);
    struct flow_stats_aux aux = {
        c, msg, &r, c->mgr->ofproto->clock(),
    };
    ofproto_visit_rules(c->mgr->ofproto, &f, flow_stats_visit, &aux);
    ofconn__send_mp(c, &r);
}

static void
handle_aggregate(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofproto_rule_filter f;
    enum ofperr err = decode_flow_filter(c, msg, &f);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    struct ofpmsg_aggregate a;
    ofproto_aggregate(c->mgr->ofproto, &f, &a.packet_count, &a.byte_count,
                      &a.flow_count);
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_aggregate_reply(msg->version, msg->xid, msg->family, &a,
                                  &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

static void
handle_table_stats(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofproto *p = c->mgr->ofproto;
    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, OFPMSG_TABLE_STATS_REPLY, OFPMSG_STD,
                         msg->version, msg->xid);
    pthread_rwlock_rdlock(&p->rwlock);
    for (size_t i = 0; i < 254; i++) {
        struct ofpmsg_table_stats ts;
        memset(&ts, 0, sizeof ts);
        ts.table_id = i;
        if (i == 0) {
            snprintf(ts.name, sizeof ts.name, "table0");
        } else {
            snprintf(ts.name, sizeof ts.name, "table%zu", i);
        }
        ts.wildcards = 0x3fffff;
        ts.max_entries = 1000000;
        ts.active_count = classifier_count(&p->tables[i].cls);
        ts.lookup_count = atomic_load(&p->tables[i].lookup_count);
        ts.matched_count = atomic_load(&p->tables[i].matched_count);
        ofpmsg_put_table_stats(&r, msg->version, &ts);
    }
    pthread_rwlock_unlock(&p->rwlock);
    ofconn__send_mp(c, &r);
}

static int
port_cmp(const void *a_, const void *b_)
{
    const struct ofpmsg_port *a = a_, *b = b_;
    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

/* 'port' in wire form for 'version' (features are kept in OpenFlow 1.3
 * bits; OpenFlow 1.0 numbers the medium and autonegotiation bits 4
 * lower and lacks 40GB..OTHER). */
static void
port_to_msg(const struct ofproto_port *port, uint8_t version,
            struct ofpmsg_port *m)
{
    memset(m, 0, sizeof *m);
    m->port_no = port_to11(port->port_no);
    memcpy(m->hw_addr, &port->mac, 6);
    snprintf(m->name, sizeof m->name, "%s", port->name);
    m->config = port->config;
    m->state = port->state;
    m->curr = (version == OFP10_VERSION
               ? (port->curr & 0x7f) | ((port->curr >> 4) & 0xf80)
               : port->curr);
    m->curr_speed = port->curr_speed;
    m->max_speed = 0;
}

/* Returns the ports of 'p' in wire form, by number; stores their number in
 * '*n'.  The caller frees the result. */
struct ofpmsg_port *
connmgr__collect_ports(struct ofproto *p, uint8_t version, size_t *n)
{
    struct ofpmsg_port *ports = xcalloc(hmap_count(&p->ports) + 1,
                                        sizeof *ports);
    struct ofproto_port *port;
    *n = 0;
    HMAP_FOR_EACH (port, node, &p->ports) {
        port_to_msg(port, version, &ports[(*n)++]);
    }
    qsort(ports, *n, sizeof *ports, port_cmp);
    return ports;
}

static void
handle_port_desc(struct ofconn *c, const struct ofpmsg *msg)
{
    size_t n;
    struct ofpmsg_port *ports = connmgr__collect_ports(c->mgr->ofproto,
                                                       msg->version, &n);
    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, OFPMSG_PORT_DESC_REPLY, OFPMSG_STD,
                         msg->version, msg->xid);
    for (size_t i = 0; i < n; i++) {
        ofpmsg_put_port_desc(&r, msg->version, &ports[i]);
    }
    free(ports);
    ofconn__send_mp(c, &r);
}

static void
handle_port_stats(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofproto *p = c->mgr->ofproto;
    uint32_t which;
    enum ofperr err = ofpmsg_decode_mp_request(msg, &which);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    which = which == OFP11_PORT_ANY ? OFPP_NONE : port_from11(which);
    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, OFPMSG_PORT_STATS_REPLY, OFPMSG_STD,
                         msg->version, msg->xid);
    long long now = p->clock();
    size_t n;
    struct ofpmsg_port *ports = connmgr__collect_ports(p, msg->version,
                                                       &n);
    for (size_t i = 0; i < n; i++) {
        uint32_t no = port_from11(ports[i].port_no);
        struct ofproto_port *port = ofproto_port_find(p, no);
        if (!port || (which != OFPP_NONE && which != no)) {
            continue;
        }
        struct ofpmsg_port_stats ps;
        memset(&ps, 0, sizeof ps);
        ps.port_no = ports[i].port_no;
        ps.rx_packets = atomic_load(&port->rx_packets);
        ps.tx_packets = atomic_load(&port->tx_packets);
        ps.rx_bytes = atomic_load(&port->rx_bytes);
        ps.tx_bytes = atomic_load(&port->tx_bytes);
        ps.rx_dropped = atomic_load(&port->rx_dropped);
        ps.tx_dropped = atomic_load(&port->tx_dropped);
        ps.rx_errors = atomic_load(&port->rx_errors);
        ps.tx_errors = atomic_load(&port->tx_errors);
        stats_duration(now - port->created, &ps.duration_sec,
                       &ps.duration_nsec);
        ofpmsg_put_port_stats(&r, msg->version, &ps);
    }
    free(ports);
    ofconn__send_mp(c, &r);
}

static int
group_cmp(const void *a_, const void *b_)
{
    const struct ofproto_group *const *a = a_, *const *b = b_;
    return ((*a)->group_id < (*b)->group_id ? -1
            : (*a)->group_id > (*b)->group_id);
}

/* Returns the groups of 'p' that 'which' selects (OFPG_ALL/ANY: all), by
 * id, in an array the caller frees; the caller holds the read lock. */
static struct ofproto_group **
collect_groups(struct ofproto *p, uint32_t which, size_t *n)
{
    struct ofproto_group **groups = xcalloc(hmap_count(&p->groups) + 1,
                                            sizeof *groups);
    struct ofproto_group *g;
    *n = 0;
    HMAP_FOR_EACH (g, node, &p->groups) {
        if (which >= OFPROTO_GROUP_ALL || which == g->group_id) {
            groups[(*n)++] = g;
        }
    }
    qsort(groups, *n, sizeof *groups, group_cmp);
    return groups;
}

static void
handle_group_stats(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofproto *p = c->mgr->ofproto;
    uint32_t which;
    enum ofperr err = ofpmsg_decode_mp_request(msg, &which);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, OFPMSG_GROUP_STATS_REPLY, OFPMSG_STD,
                         msg->version, msg->xid);
    long long now = p->clock();
    pthread_rwlock_rdlock(&p->rwlock);
    size_t n;
    struct ofproto_group **groups = collect_groups(p, which, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofproto_group *g = groups[i];
        uint64_t *counts = xcalloc(2 * g->n_buckets + 1, sizeof *counts);
        for (size_t j = 0; j < g->n_buckets; j++) {
            counts[2 * j] = atomic_load(&g->buckets[j].packet_count);
            counts[2 * j + 1] = atomic_load(&g->buckets[j].byte_count);
        }
        struct ofpmsg_group_stats gs = {
            .group_id = g->group_id,
            .ref_count = ofproto_group_ref_count(p, g->group_id),
            .packet_count = atomic_load(&g->packet_count),
            .byte_count = atomic_load(&g->byte_count),
            .n_buckets = g->n_buckets,
            .bucket_counts = counts,
        };
        stats_duration(now - g->created, &gs.duration_sec,
                       &gs.duration_nsec);
        ofpmsg_put_group_stats(&r, msg->version, &gs);
        free(counts);
    }
    pthread_rwlock_unlock(&p->rwlock);
    free(groups);
    ofconn__send_mp(c, &r);
}

static void
handle_group_desc(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofproto *p = c->mgr->ofproto;
    uint32_t which = OFPROTO_GROUP_ALL;
    if (msg->version >= OFP15_VERSION) {
        enum ofperr err = ofpmsg_decode_mp_request(msg, &which);
        if (err) {
            ofconn__send_error(c, msg, err);
            return;
        }
    }
    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, OFPMSG_GROUP_DESC_REPLY, OFPMSG_STD,
                         msg->version, msg->xid);
    pthread_rwlock_rdlock(&p->rwlock);
    size_t n;
    struct ofproto_group **groups = collect_groups(p, which, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofproto_group *g = groups[i];
        struct ofpmsg_bucket *buckets = xcalloc(g->n_buckets + 1,
                                                sizeof *buckets);
        struct ofpbuf *bufs = xcalloc(g->n_buckets + 1, sizeof *bufs);
        for (size_t j = 0; j < g->n_buckets; j++) {
            const struct ofproto_bucket *b = &g->buckets[j];
            buckets[j].bucket_id = b->bucket_id;
            buckets[j].weight = b->weight;
            buckets[j].watch_port = (b->watch_port == OFPP_NONE
                                     ? OFP11_PORT_ANY
                                     : port_to11(b->watch_port));
            buckets[j].watch_group = b->watch_group;
            ofpbuf_init(&bufs[j]);
            encode_actions(c, msg->version, b->actions, &bufs[j],
                           &buckets[j].actions, false);
        }
        struct ofpmsg_group_desc gd = {
            .type = g->type, .group_id = g->group_id,
            .buckets = buckets, .n_buckets = g->n_buckets,
        };
        ofpmsg_put_group_desc(&r, msg->version, &gd);
        for (size_t j = 0; j < g->n_buckets; j++) {
            ofpbuf_uninit(&bufs[j]);
        }
        free(bufs);
        free(buckets);
    }
    pthread_rwlock_unlock(&p->rwlock);
    free(groups);
    ofconn__send_mp(c, &r);
}

static void
handle_group_features(struct ofconn *c, const struct ofpmsg *msg)
{
    /* OFPAT_* bits of OpenFlow 1.3: output, copy TTLs, MPLS and VLAN
     * push/pop and TTLs, group, nw TTL, set_field, PBB. */
    uint32_t actions = ((1u << 0) | (1u << 11) | (1u << 12) | (1u << 15)
                        | (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19)
                        | (1u << 20) | (1u << 21) | (1u << 22) | (1u << 23)
                        | (1u << 24) | (1u << 25) | (1u << 26)
                        | (1u << 27));
    struct ofpmsg_group_features gf = {
        .types = 0xf,
        .capabilities = 0x1 | 0x2 | 0x4,   /* Weight, liveness, chaining. */
        .max_groups = { 0xffffff00, 0xffffff00, 0xffffff00, 0xffffff00 },
        .actions = { actions, actions, actions, actions },
    };
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_group_features_reply(msg->version, msg->xid, &gf, &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

static void
handle_table_features(struct ofconn *c, const struct ofpmsg *msg)
{
    if (msg->body_size) {
        /* Setting table features is not supported. */
        ofconn__send_error(c, msg, OFPERR_OFPTFFC_EPERM);
        return;
    }
    /* One ofp_table_features per table (OpenFlow 1.3.5 §7.3.5.5) with
     * empty properties: ovs-ofctl asks before some commands and needs only a
     * well-formed answer. */
    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, OFPMSG_TABLE_FEATURES_REPLY, OFPMSG_STD,
                         msg->version, msg->xid);
    for (size_t i = 0; i < 254; i++) {
        size_t start;
        struct ofpbuf *b = ofpmsg_mp_reply_start_entry(&r, &start);
        ofpbuf_put_be16(b, 128);
        ofpbuf_put_u8(b, i);
        ofpbuf_put_zeros(b, 5);
        char name[32];
        memset(name, 0, sizeof name);
        snprintf(name, sizeof name, "table%zu", i);
        ofpbuf_put(b, name, sizeof name);
        ofpbuf_put_be64(b, UINT64_MAX);     /* metadata_match. */
        ofpbuf_put_be64(b, UINT64_MAX);     /* metadata_write. */
        ofpbuf_put_be32(b, 0);              /* capabilities/config. */
        ofpbuf_put_be32(b, 1000000);        /* max_entries. */
        /* The eight properties OpenFlow 1.3.5 §7.3.5.5.2 requires
         * (instructions, next tables, write/apply actions, match,
         * wildcards, write/apply set-field), empty. */
        for (uint16_t type = 0; type <= 14; type += 2) {
            ofpbuf_put_be16(b, type);
            ofpbuf_put_be16(b, 4);
            ofpbuf_put_zeros(b, 4);
        }
        ofpmsg_mp_reply_end_entry(&r, start);
    }
    ofconn__send_mp(c, &r);
}

/* Meters (OpenFlow 1.3.5 §7.3.4.4, §7.3.5.12-14). */

static void
handle_meter_mod(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofp_meter_mod mm;
    enum ofperr err = ofp_meter_mod_decode(msg, &mm);
    if (!err) {
        err = ofproto_meter_mod(c->mgr->ofproto, &mm);
    }
    if (err) {
        ofconn__send_error(c, msg, err);
    }
}

struct meter_reply_aux {
    struct ofpmsg_mp_reply *r;  /* Reply being built. */
    uint8_t version;            /* Its version. */
    bool config;                /* METER_CONFIG rather than METER stats. */
};

static void
meter_reply_visit(const struct ofp_meter_config *cfg,
                  const struct ofp_meter_stats *stats, void *aux_)
{
    struct meter_reply_aux *aux = aux_;
    if (aux->config) {
        ofp_meter_config_put(aux->r, aux->version, cfg);
    } else {
        ofp_meter_stats_put(aux->r, aux->version, stats);
    }
}

static void
handle_meter_request(struct ofconn *c, const struct ofpmsg *msg)
{
    uint32_t meter_id;
    enum ofperr err = ofp_meter_request_decode(msg, &meter_id);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    if (msg->type == OFPMSG_METER_FEATURES_REQUEST) {
        struct ofp_meter_features mf;
        struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
        ofproto_meter_features(&mf);
        ofp_meter_features_encode(msg->version, msg->xid, &mf, &b);
        ofconn__send_buf(c, &b);
        ofpbuf_uninit(&b);
        return;
    }
    bool config = msg->type == OFPMSG_METER_CONFIG_REQUEST;
    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, (config ? OFPMSG_METER_CONFIG_REPLY
                              : OFPMSG_METER_STATS_REPLY),
                         OFPMSG_STD, msg->version, msg->xid);
    struct meter_reply_aux aux = { &r, msg->version, config };
    ofproto_meter_visit(c->mgr->ofproto, meter_id, meter_reply_visit, &aux);
    ofconn__send_mp(c, &r);
}

static bool
needs_master(enum ofpmsg_type type)
{
    return (type == OFPMSG_FLOW_MOD || type == OFPMSG_GROUP_MOD
            || type == OFPMSG_PORT_MOD || type == OFPMSG_TABLE_MOD
            || type == OFPMSG_METER_MOD || type == OFPMSG_PACKET_OUT
            || type == OFPMSG_NXT_TLV_TABLE_MOD);
}

/* Handles every request that is not a session message. */
void
connmgr__handle_request(struct ofconn *c, const struct ofpmsg *msg)
{
    if (ofpmsg_is_multipart(msg) && msg->mp_flags & OFPMPF_MORE) {
        /* Kiln's requests all fit one message. */
        ofconn__send_error(c, msg, OFPERR_OFPBRC_MULTIPART_BUFFER_OVERFLOW);
        return;
    }
    if (needs_master(msg->type) && is_slave(c)) {
        ofconn__send_error(c, msg, OFPERR_OFPBRC_IS_SLAVE);
        return;
    }
    c->mgr->origin = c;
    c->mgr->origin_xid = msg->xid;
    switch (msg->type) {
    case OFPMSG_FLOW_MOD:
        handle_flow_mod(c, msg);
        break;
    case OFPMSG_FLOW_MONITOR_REQUEST:
        connmgr__monitor_request(c, msg);
        break;
    case OFPMSG_NXT_FLOW_MONITOR_CANCEL:
        connmgr__monitor_cancel(c, msg);
        break;
    case OFPMSG_GROUP_MOD:
        handle_group_mod(c, msg);
        break;
    case OFPMSG_PORT_MOD:
        handle_port_mod(c, msg);
        break;
    case OFPMSG_TABLE_MOD:
        /* OpenFlow 1.3 table config bits are deprecated; accepted. */
        break;
    case OFPMSG_METER_MOD:
        handle_meter_mod(c, msg);
        break;
    case OFPMSG_BUNDLE_CONTROL:
        handle_bundle_ctrl(c, msg);
        break;
    case OFPMSG_BUNDLE_ADD:
        handle_bundle_add(c, msg);
        break;
    case OFPMSG_PACKET_OUT:
        handle_packet_out(c, msg);
        break;
    case OFPMSG_NXT_RESUME:
        handle_resume(c, msg);
        break;
    case OFPMSG_NXT_TLV_TABLE_MOD:
        handle_tlv_table_mod(c, msg);
        break;
    case OFPMSG_NXT_TLV_TABLE_REQUEST:
        handle_tlv_table_request(c, msg);
        break;
    case OFPMSG_NXT_CT_FLUSH_ZONE:
        /* Nothing to flush until conntrack exists. */
        break;
    case OFPMSG_DESC_REQUEST:
        handle_desc(c, msg);
        break;
    case OFPMSG_FLOW_STATS_REQUEST:
        handle_flow_stats(c, msg);
        break;
    case OFPMSG_AGGREGATE_REQUEST:
        handle_aggregate(c, msg);
        break;
    case OFPMSG_TABLE_STATS_REQUEST:
        handle_table_stats(c, msg);
        break;
    case OFPMSG_PORT_STATS_REQUEST:
        handle_port_stats(c, msg);
        break;
    case OFPMSG_PORT_DESC_REQUEST:
        handle_port_desc(c, msg);
        break;
    case OFPMSG_GROUP_STATS_REQUEST:
        handle_group_stats(c, msg);
        break;
    case OFPMSG_GROUP_DESC_REQUEST:
        handle_group_desc(c, msg);
        break;
    case OFPMSG_GROUP_FEATURES_REQUEST:
        handle_group_features(c, msg);
        break;
    case OFPMSG_TABLE_FEATURES_REQUEST:
        handle_table_features(c, msg);
        break;
    case OFPMSG_METER_STATS_REQUEST:
    case OFPMSG_METER_CONFIG_REQUEST:
    case OFPMSG_METER_FEATURES_REQUEST:
        handle_meter_request(c, msg);
        break;
    default:
        LOG_DBG_RL(&rl, "%s: unsupported %s", c->name,
                   ofpmsg_type_name(msg->type));
        ofconn__send_error(c, msg, (ofpmsg_is_multipart(msg)
                                    ? OFPERR_OFPBRC_BAD_MULTIPART
                                    : msg->family == OFPMSG_STD
                                    ? OFPERR_OFPBRC_BAD_TYPE
                                    : OFPERR_OFPBRC_BAD_EXP_TYPE));
        break;
    }
    c->mgr->origin = NULL;
}

/* Asynchronous messages. */

static bool
async_allowed(const struct ofconn *c, const uint32_t masks[2],
              unsigned int reason)
{
    if (!c->negotiated || reason >= 32) {
        return false;
    }
    return masks[c->role == OFPCR_ROLE_SLAVE] & (1u << reason);
}

static void
flow_removed_cb(struct ofproto *p, const struct ofproto_rule *rule,
                enum ofproto_removed_reason reason, void *mgr_)
{
    struct connmgr *mgr = mgr_;
    struct ofconn *c;
    long long now = p->clock();
    LIST_FOR_EACH (c, node, &mgr->conns) {
        if (!async_allowed(c, c->async.flow_removed_mask, reason)
            || !ofconn__has_room(c)) {
            continue;
        }
        if (c->version == OFP10_VERSION
            && reason == OFPROTO_RR_GROUP_DELETE) {
            continue;
        }
        struct ofpbuf mbuf = OFPBUF_EMPTY_INITIALIZER;
        struct ofpmsg_flow_removed fr;
        memset(&fr, 0, sizeof fr);
        struct ofp_match m;
        ofproto_rule_get_match(rule, &m);
        encode_match(c, (c->version == OFP10_VERSION ? OFPMSG_MATCH_OF10
                         : OFPMSG_MATCH_OXM), c->version, &m, &mbuf,
                     &fr.match);
        fr.cookie = rule->cookie;
        fr.priority = rule->cr.priority;
        fr.reason = reason;
        fr.table_id = rule->table_id;
        stats_duration(now - rule->created, &fr.duration_sec,
                       &fr.duration_nsec);
        fr.idle_timeout = rule->idle_timeout;
        fr.hard_timeout = rule->hard_timeout;
        fr.packet_count = atomic_load(&((struct ofproto_rule *) (uintptr_t)
                                        rule)->packet_count);
        fr.byte_count = atomic_load(&((struct ofproto_rule *) (uintptr_t)
                                      rule)->byte_count);
        struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
        ofpmsg_encode_flow_removed(c->version, 0, &fr, &b);
        ofconn__send_buf(c, &b);
        ofpbuf_uninit(&b);
        ofpbuf_uninit(&mbuf);
    }
}

static void
port_status_cb(struct ofproto *p, const struct ofproto_port *port,
               uint8_t reason, void *mgr_)
{
    struct connmgr *mgr = mgr_;
    struct ofconn *c;
    struct ofpmsg_port_status ps = { .reason = reason };
    LIST_FOR_EACH (c, node, &mgr->conns) {
        if (async_allowed(c, c->async.port_status_mask, reason)
            && ofconn__has_room(c)) {
            port_to_msg(port, c->version, &ps.port);
            struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
            ofpmsg_encode_port_status(c->version, 0, &ps, &b);
            ofconn__send_buf(c, &b);
            ofpbuf_uninit(&b);
        }
    }
}

/* Registers 'mgr' for its ofproto's notifications. */
void
connmgr__register_callbacks(struct connmgr *mgr)
{
    static const struct ofproto_callbacks cbs = {
        .flow_removed = flow_removed_cb,
        .port_status = port_status_cb,
        .flow_changed = connmgr__monitor_flow_changed,
        .flows_done = connmgr__monitor_flows_done,
    };
    ofproto_set_callbacks(mgr->ofproto, &cbs, mgr);
}

/* Builds the packet-in metadata match of 'flow': in_port always, and the
 * pipeline fields that are nonzero. */
static void
packet_in_metadata(const struct connmgr *mgr, const struct flow *flow,
                   struct ofp_match *m)
{
    static const char *const names[] = {
        "in_port", "metadata", "tun_id", "tun_src", "tun_dst", "pkt_mark",
        "ct_state", "ct_zone", "ct_mark", "ct_label",
        "reg0", "reg1", "reg2", "reg3", "reg4", "reg5", "reg6", "reg7",
        "reg8", "reg9", "reg10", "reg11", "reg12", "reg13", "reg14",
        "reg15",
    };
    const struct ofp_tlv_map *map = &mgr->ofproto->tlv_map;
    ofp_match_init_catchall(m);
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        const struct ofp_field *f = ofp_field_from_name(names[i]);
        if (!f) {
            continue;
        }
        union ofp_field_value v;
        ofp_field_get_value(f, map, flow, &v);
        if (i == 0 || !ofp_field_value_is_zero(&v, f->n_bytes)) {
            ofp_match_set(m, f, map, &v);
        }
    }
}

#define PAD8(N) (((N) + 7) & ~(size_t) 7)

/* NXT_PACKET_IN2 with 'md_size' bytes of metadata, 'ud_size' of userdata
 * and 'cont_size' of continuation: the most packet bytes that keep the
 * message within OFP_MAX_MSG_LEN, or -1 if even an empty packet does not
 * fit.  Counts the optional properties (full_len, buffer_id) as present,
 * so it never overestimates. */
static long
pin2_packet_room(size_t md_size, size_t ud_size, size_t cont_size)
{
    /* Header 16; full_len 8, buffer_id 8, table_id 8, cookie 16,
     * reason 8; the packet property's own 4-byte header. */
    size_t fixed = 16 + 8 + 8 + 8 + 16 + 8 + 4;

    fixed += md_size ? PAD8(4 + md_size) : 0;
    fixed += ud_size ? PAD8(4 + ud_size) : 0;
    fixed += cont_size ? PAD8(4 + cont_size) : 0;
    if (fixed > OFP_MAX_MSG_LEN) {
        return -1;
    }
    /* The packet property is padded to 8 bytes. */
    return (long) (((OFP_MAX_MSG_LEN - (fixed - 4)) & ~(size_t) 7) - 4);
}

/* OFPT_PACKET_IN of 'version' with an OXM match of 'match_size' bytes (OF
 * 1.1+): the most packet bytes that keep it within OFP_MAX_MSG_LEN. */
static size_t
pin_packet_room(uint8_t version, size_t match_size)
{
    size_t fixed = (version == OFP10_VERSION ? 8 + 10
                    : 8 + 16 + PAD8(4 + match_size) + 2);

    return fixed < OFP_MAX_MSG_LEN ? OFP_MAX_MSG_LEN - fixed : 0;
}

/* Sends 'pi' to every connection that wants it, in the format each
 * chose.  The packet is truncated to what fits in one OpenFlow message
 * after the header, metadata and userdata; a continuation that does not
 * fit is left out (the pipeline then ends at the pause), and a packet-in
 * whose userdata alone does not fit is not sent.  Call on the loop's
 * thread. */
void
connmgr_send_packet_in(struct connmgr *mgr,
                       const struct connmgr_packet_in *pi)
{
    struct ofp_match md;
    packet_in_metadata(mgr, pi->flow, &md);
    size_t send_len = MIN(pi->packet_size, pi->max_len);
    struct ofconn *c;
    LIST_FOR_EACH (c, node, &mgr->conns) {
        if (!async_allowed(c, c->async.packet_in_mask, pi->reason)
            || !ofconn__has_room(c) || c->controller_id != pi->controller_id
            || (pi->reason == 0 && !c->miss_send_len)) {
            continue;
        }
        struct ofpbuf mbuf = OFPBUF_EMPTY_INITIALIZER;
        struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
        if (c->packet_in_format == NXPIF_NXT_PACKET_IN2) {
            struct ofpmsg_packet_in2 p2 = {
                .packet = pi->packet, .packet_size = send_len,
                .full_len = pi->packet_size, .buffer_id = OFP_NO_BUFFER,
                .table_id = pi->table_id, .cookie = pi->cookie,
                .reason = pi->reason,
                .userdata = pi->userdata, .userdata_size = pi->userdata_size,
                .continuation = pi->continuation,
                .continuation_size = pi->continuation_size,
            };
            encode_match(c, OFPMSG_MATCH_OXM, c->version, &md, &mbuf,
                         &p2.metadata);
            long room = pin2_packet_room(p2.metadata.size,
                                         p2.userdata_size,
                                         p2.continuation_size);
            if (room < 0 && p2.continuation_size) {
                /* No room for the continuation: send without pause. */
                p2.continuation = NULL;
                p2.continuation_size = 0;
                room = pin2_packet_room(p2.metadata.size, p2.userdata_size,
                                        0);
            }
            if (room < 0) {
                LOG_WARN_RL(&rl, "packet-in userdata too large (%zu bytes): "
                            "not sent", p2.userdata_size);
                ofpbuf_uninit(&mbuf);
                continue;
            }
            if (p2.packet_size > (size_t) room) {
                p2.packet_size = (size_t) room;
            }
            ofpmsg_encode_packet_in2(c->version, 0, false, &p2, &b);
        } else {
            /* total_len is 16 bits in this format: saturate it. */
            struct ofpmsg_packet_in p1 = {
                .buffer_id = OFP_NO_BUFFER,
                .total_len = (uint16_t) MIN(pi->packet_size, UINT16_MAX),
                .in_port = port_to11(pi->flow->in_port),
                .reason = pi->reason, .table_id = pi->table_id,
                .cookie = pi->cookie,
                .packet = pi->packet, .packet_size = send_len,
            };
            if (c->version != OFP10_VERSION) {
                encode_match(c, OFPMSG_MATCH_OXM, c->version, &md, &mbuf,
                             &p1.match);
            }
            p1.packet_size = MIN(p1.packet_size,
                                 pin_packet_room(c->version, p1.match.size));
            ofpmsg_encode_packet_in(c->version, 0, &p1, &b);
        }
        ofconn__send_buf(c, &b);
        ofpbuf_uninit(&b);
        ofpbuf_uninit(&mbuf);
    }
}
