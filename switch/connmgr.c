/* OpenFlow connections of one bridge: listeners, controllers with
 * reconnection, and the per-connection session (switch/connmgr.h).  The
 * requests that read or change the ofproto are in connmgr-handlers.c. */
#include "switch/connmgr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/log.h"
#include "lib/stream.h"
#include "lib/util.h"
#include "openflow/ofp-msgs.h"
#include "openflow/ofp-protocol.h"
#include "openflow/ofpbuf.h"
#include "switch/connmgr-private.h"
#include "switch/ofproto.h"

LOG_MODULE(connmgr);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(60, 20);

static void ofconn_destroy(struct ofconn *);
static void ofconn_attach(struct ofconn *, struct stream *);
static void controller_schedule_reconnect(struct controller *);

static uint32_t
get_be32_(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
           | ((uint32_t) p[2] << 8) | p[3];
}

/* Output. */

/* Sends the 'n' bytes at 'data' on 'c' (dropped if 'c' is closing). */
void
ofconn__send(struct ofconn *c, const void *data, size_t n)
{
    if (c->stream && !c->closing) {
        stream_send(c->stream, data, n);
    }
}

/* Sends the messages in 'b' and clears it. */
void
ofconn__send_buf(struct ofconn *c, struct ofpbuf *b)
{
    ofconn__send(c, b->data, b->size);
    ofpbuf_clear(b);
}

/* Sends an error reply for 'err' to the request 'msg'. */
void
ofconn__send_error(struct ofconn *c, const struct ofpmsg *msg,
                   enum ofperr err)
{
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_error_reply(err, msg->data, msg->size, &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

/* Sends the messages of a finished multipart reply. */
void
ofconn__send_mp(struct ofconn *c, struct ofpmsg_mp_reply *r)
{
    ofpmsg_mp_reply_finish(r);
    for (size_t i = 0; i < r->n_msgs; i++) {
        ofconn__send(c, r->msgs[i].data, r->msgs[i].size);
    }
    ofpmsg_mp_reply_uninit(r);
}

/* Whether 'c' may take another asynchronous message. */
bool
ofconn__has_room(const struct ofconn *c)
{
    return (c->stream && !c->closing && c->negotiated
            && stream_backlog(c->stream) < CONNMGR_MAX_BACKLOG);
}

/* Session messages. */

static void
handle_hello(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofpmsg_hello hello;
    uint8_t version;
    enum ofperr err = ofpmsg_decode_hello(msg, &hello);
    if (!err) {
        err = ofpmsg_negotiate(c->allowed_versions, &hello, &version);
    }
    if (err) {
        LOG_WARN_RL(&rl, "%s: version negotiation failed (%s)",
                    c->name, ofperr_to_string(err));
        struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
        struct ofpmsg_error e = {
            .type = OFPET_HELLO_FAILED, .code = 0,
            .data = (const uint8_t *) "incompatible versions",
            .size = strlen("incompatible versions"),
        };
        ofpmsg_encode_error(msg->version < OFP13_VERSION
                            ? OFP10_VERSION : msg->version, msg->xid, &e,
                            &b);
        ofconn__send_buf(c, &b);
        ofpbuf_uninit(&b);
        c->closing = true;
        return;
    }
    c->version = version;
    c->negotiated = true;
    LOG_DBG("%s: negotiated OpenFlow version 0x%02x", c->name, version);
}

static void
handle_role_request(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofpmsg_role role;
    enum ofperr err = ofpmsg_decode_role(msg, &role);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    struct connmgr *mgr = c->mgr;
    if (role.role != OFPCR_ROLE_NOCHANGE) {
        if (role.role > OFPCR_ROLE_SLAVE) {
            ofconn__send_error(c, msg, OFPERR_OFPRRFC_BAD_ROLE);
            return;
        }
        if (role.role != OFPCR_ROLE_EQUAL
            && role.generation_id != UINT64_MAX) {
            if (mgr->have_generation_id
                && (int64_t) (role.generation_id
                              - mgr->generation_id) < 0) {
                ofconn__send_error(c, msg, OFPERR_OFPRRFC_STALE);
                return;
            }
            mgr->generation_id = role.generation_id;
            mgr->have_generation_id = true;
        }
        if (role.role == OFPCR_ROLE_MASTER) {
            struct ofconn *other;
            LIST_FOR_EACH (other, node, &mgr->conns) {
                if (other != c && other->role == OFPCR_ROLE_MASTER) {
                    other->role = OFPCR_ROLE_SLAVE;
                }
            }
        }
        c->role = role.role;
    }
    struct ofpmsg_role reply = {
        .role = c->role,
        .generation_id = mgr->have_generation_id ? mgr->generation_id
                                                 : UINT64_MAX,
    };
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_role(msg->version, msg->xid, true, &reply, &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

static uint32_t
get_be32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
           | ((uint32_t) p[2] << 8) | p[3];
}

/* OpenFlow 1.3 ofp_async_config body: six 32-bit masks.  OpenFlow 1.4+
 * carries the same masks as properties (type, length 8, mask). */
static enum ofperr
decode_async(const struct ofpmsg *msg, struct ofpmsg_async_config *ac)
{
    uint32_t *masks[6] = {
        &ac->packet_in_mask[0], &ac->packet_in_mask[1],
        &ac->port_status_mask[0], &ac->port_status_mask[1],
        &ac->flow_removed_mask[0], &ac->flow_removed_mask[1],
    };
    if (msg->version == OFP13_VERSION) {
        if (msg->body_size != 24) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        for (size_t i = 0; i < 6; i++) {
            *masks[i] = get_be32(msg->body + 4 * i);
        }
        return 0;
    }
    /* OpenFlow 1.4 §7.3.10: property n (0..5) is the slave (even) or
     * master (odd) mask of packet-in, port-status, flow-removed. */
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    while (left >= 4) {
        uint16_t type = (p[0] << 8) | p[1];
        uint16_t len = (p[2] << 8) | p[3];
        if (len < 4 || len > left) {
            return OFPERR_OFPBPC_BAD_LEN;
        }
        if (type <= 5) {
            if (len != 8) {
                return OFPERR_OFPBPC_BAD_LEN;
            }
            /* Kiln's index: [0] master/equal, [1] slave. */
            size_t kind = type / 2, slave = !(type & 1);
            *masks[kind * 2 + slave] = get_be32(p + 4);
        } else if (type < 0xfffe) {
            return OFPERR_OFPBPC_BAD_TYPE;
        }
        size_t padded = (len + 7) & ~7u;
        if (padded > left) {
            padded = left;
        }
        p += padded;
        left -= padded;
    }
    return 0;
}

static void
handle_get_async(struct ofconn *c, const struct ofpmsg *msg)
{
    const struct ofpmsg_async_config *ac = &c->async;
    const uint32_t masks[6] = {
        ac->packet_in_mask[0], ac->packet_in_mask[1],
        ac->port_status_mask[0], ac->port_status_mask[1],
        ac->flow_removed_mask[0], ac->flow_removed_mask[1],
    };
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpbuf_put_u8(&b, msg->version);
    ofpbuf_put_u8(&b, OFPT13_GET_ASYNC_REPLY);
    ofpbuf_put_be16(&b, 0);
    ofpbuf_put_be32(&b, msg->xid);
    if (msg->version == OFP13_VERSION) {
        for (size_t i = 0; i < 6; i++) {
            ofpbuf_put_be32(&b, masks[i]);
        }
    } else {
        for (uint16_t type = 0; type < 6; type++) {
            size_t kind = type / 2, slave = !(type & 1);
            ofpbuf_put_be16(&b, type);
            ofpbuf_put_be16(&b, 8);
            ofpbuf_put_be32(&b, masks[kind * 2 + slave]);
        }
    }
    ofpbuf_set_be16(&b, 2, b.size);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

static void
handle_features_request(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofproto *p = c->mgr->ofproto;
    struct ofpmsg_features f = {
        .datapath_id = p->datapath_id,
        .n_buffers = 0,
        .n_tables = 254,
        .capabilities = (msg->version == OFP10_VERSION
                         ? 0x1 | 0x2 | 0x4 | 0x40 | 0x80
                         : 0x1 | 0x2 | 0x4 | 0x8 | 0x40),
        .actions = 0xfff,
    };
    struct ofpmsg_port *ports = NULL;
    size_t n = 0;
    if (msg->version == OFP10_VERSION) {
        ports = connmgr__collect_ports(p, msg->version, &n);
        f.ports = ports;
        f.n_ports = n;
    }
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_features_reply(msg->version, msg->xid, &f, &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
    free(ports);
}

static void
handle_nx_u32(struct ofconn *c, const struct ofpmsg *msg)
{
    uint32_t value;
    enum ofperr err = ofpmsg_decode_nx_u32(msg, &value);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    switch (msg->type) {
    case OFPMSG_NXT_SET_FLOW_FORMAT:
        if (value != NXFF_OPENFLOW10 && value != NXFF_NXM) {
            ofconn__send_error(c, msg, OFPERR_OFPBRC_EPERM);
            return;
        }
        c->nxm = value == NXFF_NXM;
        break;
    case OFPMSG_NXT_FLOW_MOD_TABLE_ID:
        c->flow_mod_table_id = value != 0;
        break;
    case OFPMSG_NXT_SET_PACKET_IN_FORMAT:
        if (value != NXPIF_STANDARD && value != NXPIF_NXT_PACKET_IN2) {
            ofconn__send_error(c, msg, OFPERR_OFPBRC_EPERM);
            return;
        }
        c->packet_in_format = value;
        break;
    case OFPMSG_NXT_SET_CONTROLLER_ID:
        c->controller_id = value;
        break;
    default:
        NOT_REACHED();
    }
}

static void
handle_set_config(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofpmsg_switch_config sc;
    enum ofperr err = ofpmsg_decode_switch_config(msg, &sc);
    if (err) {
        ofconn__send_error(c, msg, err);
        return;
    }
    if ((sc.flags & 3) == 3) {  /* OFPC_FRAG_MASK: "reasm" unsupported. */
        ofconn__send_error(c, msg, OFPERR_OFPSCFC_BAD_FLAGS);
        return;
    }
    c->mgr->frag_flags = sc.flags & 3;
    c->miss_send_len = sc.miss_send_len;
}

/* Handles one whole, classified message. */
static void
ofconn_handle(struct ofconn *c, const struct ofpmsg *msg)
{
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;

    if (!c->negotiated) {
        if (msg->type == OFPMSG_HELLO) {
            handle_hello(c, msg);
        } else {
            /* OpenFlow 1.3.5 §6.3.1: hello comes first. */
            ofconn__send_error(c, msg, OFPERR_OFPBRC_BAD_TYPE);
        }
        return;
    }
    if (msg->version != c->version && msg->type != OFPMSG_HELLO) {
        ofconn__send_error(c, msg, OFPERR_OFPBRC_BAD_VERSION);
        return;
    }

    switch (msg->type) {
    case OFPMSG_HELLO:
        break;
    case OFPMSG_ECHO_REQUEST:
        ofpmsg_encode_echo(msg->version, msg->xid, true, msg->body,
                           msg->body_size, &b);
        ofconn__send_buf(c, &b);
        break;
    case OFPMSG_ECHO_REPLY:
    case OFPMSG_ERROR:
        break;
    case OFPMSG_FEATURES_REQUEST:
        handle_features_request(c, msg);
        break;
    case OFPMSG_GET_CONFIG_REQUEST: {
        struct ofpmsg_switch_config sc = {
            .flags = c->mgr->frag_flags, .miss_send_len = c->miss_send_len,
        };
        ofpmsg_encode_switch_config(msg->version, msg->xid, false, &sc, &b);
        ofconn__send_buf(c, &b);
        break;
    }
    case OFPMSG_SET_CONFIG:
        handle_set_config(c, msg);
        break;
    case OFPMSG_BARRIER_REQUEST:
        ofpmsg_encode_simple(OFPMSG_BARRIER_REPLY, msg->version, msg->xid,
                             &b);
        ofconn__send_buf(c, &b);
        break;
    case OFPMSG_ROLE_REQUEST:
        handle_role_request(c, msg);
        break;
    case OFPMSG_GET_ASYNC_REQUEST:
        handle_get_async(c, msg);
        break;
    case OFPMSG_SET_ASYNC: {
        struct ofpmsg_async_config ac = c->async;
        enum ofperr err = decode_async(msg, &ac);
        if (err) {
            ofconn__send_error(c, msg, err);
        } else {
            c->async = ac;
        }
        break;
    }
    case OFPMSG_NXT_SET_ASYNC_CONFIG: {
        struct ofpmsg_async_config ac;
        enum ofperr err = ofpmsg_decode_nx_async_config(msg, &ac);
        if (err) {
            ofconn__send_error(c, msg, err);
        } else {
            c->async = ac;
        }
        break;
    }
    case OFPMSG_NXT_SET_FLOW_FORMAT:
    case OFPMSG_NXT_FLOW_MOD_TABLE_ID:
    case OFPMSG_NXT_SET_PACKET_IN_FORMAT:
    case OFPMSG_NXT_SET_CONTROLLER_ID:
        handle_nx_u32(c, msg);
        break;
    default:
        connmgr__handle_request(c, msg);
        break;
    }
    ofpbuf_uninit(&b);
}

/* Feeds the bytes in 'buf' to 'c', consuming whole messages. */
static void
ofconn_read_cb(struct stream *s, struct ds *buf, size_t n, void *c_)
{
    struct ofconn *c = c_;
    size_t ofs = 0;

    c->last_rx = time_msec();
    c->echo_sent = false;
    while (!c->closing) {
        const uint8_t *data = (const uint8_t *) buf->string + ofs;
        size_t left = buf->length - ofs;
        size_t msg_size;
        enum ofperr err = ofpmsg_frame(data, left, &msg_size);
        if (err) {
            /* The stream cannot be resynchronized. */
            LOG_WARN_RL(&rl, "%s: bad message length, closing", c->name);
            struct ofpmsg fake = { .data = data, .size = OFP_HEADER_LEN };
            ofconn__send_error(c, &fake, err);
            c->closing = true;
            break;
        }
        if (!msg_size) {
            break;
        }
        struct ofpmsg msg;
        err = ofpmsg_classify(data, msg_size, &msg);
        if (err) {
            LOG_DBG("%s: bad message (%s)", c->name, ofperr_to_string(err));
            struct ofpmsg raw = { .data = data, .size = msg_size };
            if (!c->negotiated && data[1] == OFPT10_HELLO) {
                /* A hello of a version Kiln lacks: negotiate from its
                 * header version alone. */
                struct ofpmsg_hello h = {
                    .version = data[0], .bitmap = 0,
                };
                for (uint8_t v = 1; v <= data[0] && v < 32; v++) {
                    h.bitmap |= 1u << v;
                }
                /* OpenFlow 1.3.5 §7.5.1: a VERSIONBITMAP element, if
                 * any, replaces the header's version. */
                if (msg_size >= 16 && data[8] == 0
                    && data[9] == OFPHET_VERSIONBITMAP) {
                    h.has_bitmap = true;
                    h.bitmap = get_be32_(data + 12);
                }
                uint8_t version;
                if (!ofpmsg_negotiate(c->allowed_versions, &h, &version)) {
                    c->version = version;
                    c->negotiated = true;
                } else {
                    ofconn__send_error(c, &raw, OFPERR_OFPHFC_INCOMPATIBLE);
                    c->closing = true;
                }
            } else {
                ofconn__send_error(c, &raw, err);
            }
        } else {
            ofconn_handle(c, &msg);
        }
        ofs += msg_size;
    }
    if (c->closing) {
        stream_flush(s);
        ofconn_destroy(c);
        return;
    }
    if (ofs) {
        memmove(buf->string, buf->string + ofs, buf->length - ofs);
        ds_truncate(buf, buf->length - ofs);
    }
}

static void
ofconn_closed_cb(struct stream *s, int error, void *c_)
{
    struct ofconn *c = c_;
    if (error) {
        LOG_INFO("%s: connection dropped (%s)", c->name, uv_strerror(error));
    } else {
        LOG_DBG("%s: connection closed by peer", c->name);
    }
    ofconn_destroy(c);
}

static void
ofconn_connected_cb(struct stream *s, int error, void *c_)
{
    struct ofconn *c = c_;
    if (error) {
        LOG_DBG("%s: connection failed (%s)", c->name, uv_strerror(error));
        ofconn_destroy(c);
        return;
    }
    LOG_INFO("%s: connected", c->name);
    if (c->controller) {
        c->controller->backoff_ms = 0;
    }
}

static const struct stream_callbacks ofconn_callbacks = {
    .read = ofconn_read_cb,
    .closed = ofconn_closed_cb,
    .connected = ofconn_connected_cb,
};

/* Creates a connection on 'stream' (owned from now on; NULL to set
 * later with ofconn_attach()). */
static struct ofconn *
ofconn_create(struct connmgr *mgr, struct stream *stream, bool service,
              struct controller *ctl)
{
    struct ofconn *c = xzalloc(sizeof *c);
    c->mgr = mgr;
    c->service = service;
    c->controller = ctl;
    c->allowed_versions = mgr->allowed_versions;
    c->role = OFPCR_ROLE_EQUAL;
    c->miss_send_len = service ? 0 : 128;
    /* Defaults of OpenFlow 1.3.5 §6.1.1 (Kiln's masks include the 1.4
     * reasons). */
    c->async.packet_in_mask[0] = 0x3f;
    c->async.packet_in_mask[1] = 0;
    c->async.port_status_mask[0] = c->async.port_status_mask[1] = 0x7;
    c->async.flow_removed_mask[0] = 0x3f;
    c->async.flow_removed_mask[1] = 0;
    c->last_rx = time_msec();
    list_init(&c->bundles);
    list_init(&c->monitors);
    list_push_back(&mgr->conns, &c->node);
    if (stream) {
        ofconn_attach(c, stream);
    }
    return c;
}

/* Gives 'c' its 'stream' (owned) and sends hello. */
static void
ofconn_attach(struct ofconn *c, struct stream *stream)
{
    c->stream = stream;
    free(c->name);
    c->name = xstrdup(stream_name(stream));
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_hello(c->allowed_versions, 0, &b);
    ofconn__send_buf(c, &b);
    ofpbuf_uninit(&b);
}

static void
ofconn_destroy(struct ofconn *c)
{
    connmgr__bundles_clear(c);
    connmgr__monitors_clear(c);
    if (c->controller) {
        c->controller->conn = NULL;
        controller_schedule_reconnect(c->controller);
    }
    list_remove(&c->node);
    stream_close(c->stream);
    free(c->name);
    free(c);
}

/* Listeners and controllers. */

static void
service_accept_cb(struct stream_listener *l, struct stream *s, void *mgr_)
{
    struct connmgr *mgr = mgr_;
    struct ofconn *c = ofconn_create(mgr, s, true, NULL);
    stream_start(s, &ofconn_callbacks, c);
}

static void
controller_accept_cb(struct stream_listener *l, struct stream *s,
                     void *ctl_)
{
    struct controller *ctl = ctl_;
    struct ofconn *c = ofconn_create(ctl->mgr, s, false, NULL);
    stream_start(s, &ofconn_callbacks, c);
}

static void
controller_connect(struct controller *ctl)
{
    struct ofconn *c = ofconn_create(ctl->mgr, NULL, false, ctl);
    c->name = xstrdup(ctl->target);
    ctl->conn = c;
    struct stream *s;
    int err = stream_connect(ctl->mgr->loop, ctl->target, &ofconn_callbacks,
                             c, &s);
    if (err) {
        LOG_WARN_RL(&rl, "%s: cannot connect (%s)", ctl->target,
                    uv_strerror(err));
        ofconn_destroy(c);
        return;
    }
    ofconn_attach(c, s);
}

static void
controller_timer_cb(uv_timer_t *timer)
{
    struct controller *ctl = timer->data;
    if (!ctl->conn && !ctl->removed) {
        controller_connect(ctl);
    }
}

static void
controller_schedule_reconnect(struct controller *ctl)
{
    if (ctl->removed) {
        return;
    }
    /* Exponential backoff from 1 s to 8 s, like ovs-vswitchd's default
     * max_backoff. */
    ctl->backoff_ms = (ctl->backoff_ms
                       ? MIN(ctl->backoff_ms * 2, 8000) : 1000);
    uv_timer_start(&ctl->reconnect, controller_timer_cb, ctl->backoff_ms,
                   0);
}

static void
controller_close_cb(uv_handle_t *h)
{
    struct controller *ctl = h->data;
    free(ctl->target);
    free(ctl);
}

static void
controller_destroy(struct controller *ctl)
{
    ctl->removed = true;
    list_remove(&ctl->node);
    if (ctl->conn) {
        ctl->conn->controller = NULL;
        ofconn_destroy(ctl->conn);
    }
    stream_listener_close(ctl->listener);
    uv_timer_stop(&ctl->reconnect);
    uv_close((uv_handle_t *) &ctl->reconnect, controller_close_cb);
}

static struct controller *
controller_create(struct connmgr *mgr, const char *target)
{
    struct controller *ctl = xzalloc(sizeof *ctl);
    ctl->mgr = mgr;
    ctl->target = xstrdup(target);
    uv_timer_init(mgr->loop, &ctl->reconnect);
    ctl->reconnect.data = ctl;
    list_push_back(&mgr->controllers, &ctl->node);
    if (!strncmp(target, "ptcp:", 5) || !strncmp(target, "punix:", 6)) {
        int err = stream_listen(mgr->loop, target, controller_accept_cb,
                                ctl, &ctl->listener);
        if (err) {
            LOG_WARN("%s: cannot listen (%s)", target, uv_strerror(err));
        }
    } else {
        controller_connect(ctl);
    }
    return ctl;
}

/* Sets the controller targets of 'mgr' to 'targets'. */
void
connmgr_set_controllers(struct connmgr *mgr, const char *const *targets,
                        size_t n)
{
    struct controller *ctl;
    LIST_FOR_EACH_SAFE (ctl, node, &mgr->controllers) {
        bool keep = false;
        for (size_t i = 0; i < n; i++) {
            if (!strcmp(targets[i], ctl->target)) {
                keep = true;
            }
        }
        if (!keep) {
            controller_destroy(ctl);
        }
    }
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        LIST_FOR_EACH (ctl, node, &mgr->controllers) {
            if (!strcmp(targets[i], ctl->target)) {
                found = true;
            }
        }
        if (!found) {
            if (!stream_name_is_valid(targets[i], false)
                && !stream_name_is_valid(targets[i], true)) {
                LOG_WARN("%s: bad controller target", targets[i]);
                continue;
            }
            controller_create(mgr, targets[i]);
        }
    }
}

/* Timer: probes and timeouts. */

static void
connmgr_tick_cb(uv_timer_t *timer)
{
    struct connmgr *mgr = timer->data;
    long long now = time_msec();
    struct ofconn *c;

    ofproto_run_timeouts(mgr->ofproto);
    connmgr__monitors_run(mgr);
    if (mgr->probe_interval <= 0) {
        return;
    }
    LIST_FOR_EACH_SAFE (c, node, &mgr->conns) {
        if (c->service || !c->negotiated) {
            continue;
        }
        long long idle = now - c->last_rx;
        if (idle >= 2LL * mgr->probe_interval) {
            LOG_WARN("%s: no response to inactivity probe after %lld ms, "
                     "disconnecting", c->name, idle);
            ofconn_destroy(c);
        } else if (idle >= mgr->probe_interval && !c->echo_sent) {
            struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
            ofpmsg_encode_echo(c->version, 0, false, NULL, 0, &b);
            ofconn__send_buf(c, &b);
            ofpbuf_uninit(&b);
            c->echo_sent = true;
        }
    }
}

/* Life cycle. */

/* Creates the connection manager of 'ofproto' (not owned) on 'loop', with
 * no listener or controller yet, and registers for the ofproto's
 * notifications. */
struct connmgr *
connmgr_create(uv_loop_t *loop, struct ofproto *ofproto)
{
    struct connmgr *mgr = xzalloc(sizeof *mgr);
    mgr->loop = loop;
    mgr->ofproto = ofproto;
    mgr->allowed_versions = OFP_SUPPORTED_VERSIONS;
    mgr->probe_interval = 5000;
    list_init(&mgr->conns);
    list_init(&mgr->controllers);
    uv_timer_init(loop, &mgr->tick);
    mgr->tick.data = mgr;
    uv_timer_start(&mgr->tick, connmgr_tick_cb, 1000, 1000);
    connmgr__register_callbacks(mgr);
    return mgr;
}

static void
connmgr_close_cb(uv_handle_t *h)
{
    free(h->data);
}

/* Closes every connection, listener and controller of 'mgr' and frees it
 * (once libuv releases its timer).  NULL is a no-op. */
void
connmgr_destroy(struct connmgr *mgr)
{
    if (!mgr) {
        return;
    }
    struct controller *ctl;
    LIST_FOR_EACH_SAFE (ctl, node, &mgr->controllers) {
        controller_destroy(ctl);
    }
    struct ofconn *c;
    LIST_FOR_EACH_SAFE (c, node, &mgr->conns) {
        ofconn_destroy(c);
    }
    stream_listener_close(mgr->mgmt);
    free(mgr->mgmt_name);
    static const struct ofproto_callbacks none;
    ofproto_set_callbacks(mgr->ofproto, &none, NULL);
    uv_timer_stop(&mgr->tick);
    uv_close((uv_handle_t *) &mgr->tick, connmgr_close_cb);
}

/* Sets the versions later connections may negotiate. */
void
connmgr_set_allowed_versions(struct connmgr *mgr, uint32_t bitmap)
{
    bitmap &= OFP_SUPPORTED_VERSIONS;
    mgr->allowed_versions = bitmap ? bitmap : OFP_SUPPORTED_VERSIONS;
}

/* Listens for service connections on 'name', replacing any previous
 * listener.  Returns 0 or a negative errno. */
int
connmgr_set_mgmt(struct connmgr *mgr, const char *name)
{
    if (mgr->mgmt_name && !strcmp(mgr->mgmt_name, name)) {
        return 0;
    }
    stream_listener_close(mgr->mgmt);
    mgr->mgmt = NULL;
    free(mgr->mgmt_name);
    mgr->mgmt_name = NULL;
    int err = stream_listen(mgr->loop, name, service_accept_cb, mgr,
                            &mgr->mgmt);
    if (!err) {
        mgr->mgmt_name = xstrdup(name);
    }
    return err;
}

/* Sets the inactivity probe interval (msec, 0 for none). */
void
connmgr_set_probe_interval(struct connmgr *mgr, int msec)
{
    mgr->probe_interval = msec;
}

/* Sets the packet_out executor. */
void
connmgr_set_packet_out_cb(struct connmgr *mgr, connmgr_packet_out_func *cb,
                          void *aux)
{
    mgr->packet_out_cb = cb;
    mgr->packet_out_aux = aux;
}

/* Returns the number of OpenFlow connections. */
size_t
connmgr_n_connections(const struct connmgr *mgr)
{
    return list_size(&mgr->conns);
}

static const char *
role_name(uint32_t role)
{
    return (role == OFPCR_ROLE_MASTER ? "master"
            : role == OFPCR_ROLE_SLAVE ? "slave" : "equal");
}

/* Appends a line per connection to 's'. */
void
connmgr_describe(const struct connmgr *mgr, struct ds *s)
{
    const struct ofconn *c;
    LIST_FOR_EACH (c, node, &mgr->conns) {
        ds_put_format(s, "%s: %s, version 0x%02x, role %s\n", c->name,
                      c->service ? "service" : "controller", c->version,
                      role_name(c->role));
    }
}
