/* Fuzz target for the OpenFlow message codec (openflow/ofp-msgs.h).  The
 * input is a byte stream: it is split into messages with ofpmsg_frame(),
 * and each message is classified and decoded with the decoder of its type
 * (iterating every entry of repeated bodies, and the inner message of a
 * bundle add).  For the types with an encoder, a message that decodes is
 * re-encoded, and the re-encoding must classify, decode and re-encode to
 * the same bytes again (decode, encode, decode, encode, compare). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "openflow/ofp-meter.h"
#include "openflow/ofp-monitor.h"
#include "openflow/ofp-msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encoders may grow a message (e.g. an OF1.5 bucket gains a weight
 * property), and messages must stay within 64 KiB, so only inputs well
 * below that are re-encoded. */
#define MAX_REENCODE 16384

static void
drain_ports(struct ofpmsg_iter *it)
{
    struct ofpmsg_port port;
    while (!ofpmsg_port_pull(it, &port)) {
        continue;
    }
}

static void
drain_buckets(const struct ofpmsg *msg, const uint8_t *p, size_t n)
{
    struct ofpmsg_iter it;
    struct ofpmsg_bucket bk;
    ofpmsg_iter_init(&it, msg, p, n);
    while (!ofpmsg_bucket_pull(&it, &bk)) {
        continue;
    }
}

/* Re-encodes the flow stats reply 'msg' into 'out'.  Returns false if an
 * entry failed to decode. */
static bool
reencode_flow_stats(const struct ofpmsg *msg, struct ofpbuf *out)
{
    struct ofpmsg_mp_reply r;
    struct ofpmsg_iter it;
    struct ofpmsg_flow_stats fs;
    enum ofperr err;
    ofpmsg_mp_reply_init(&r, OFPMSG_FLOW_STATS_REPLY, msg->family,
                         msg->version, msg->xid);
    ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
    while (!(err = ofpmsg_flow_stats_pull(&it, &fs))) {
        ofpmsg_put_flow_stats(&r, msg->version, &fs);
    }
    ofpmsg_mp_reply_finish(&r);
    for (size_t i = 0; i < r.n_msgs; i++) {
        ofpbuf_put(out, r.msgs[i].data, r.msgs[i].size);
    }
    ofpmsg_mp_reply_uninit(&r);
    return err == OFPMSG_EOF;
}

/* Decodes 'msg' with its type's decoder; if that succeeds and the type has
 * an encoder, appends the re-encoding to 'out' and returns true. */
static bool
decode_and_reencode(const struct ofpmsg *msg, struct ofpbuf *out)
{
    uint8_t v = msg->version;
    uint32_t xid = msg->xid;
    switch (msg->type) {
    case OFPMSG_HELLO: {
        struct ofpmsg_hello h;
        uint8_t version;
        if (!ofpmsg_decode_hello(msg, &h)) {
            (void) ofpmsg_negotiate(OFP_SUPPORTED_VERSIONS, &h, &version);
        }
        return false;
    }
    case OFPMSG_ERROR: {
        struct ofpmsg_error e;
        if (ofpmsg_decode_error(msg, &e)) {
            return false;
        }
        ofpmsg_encode_error(v, xid, &e, out);
        return true;
    }
    case OFPMSG_FEATURES_REPLY: {
        struct ofpmsg_features f;
        struct ofpmsg_iter it;
        if (ofpmsg_decode_features_reply(msg, &f)) {
            return false;
        }
        size_t n = f.ports_raw_size / 48;
        struct ofpmsg_port *ports = xcalloc(n ? n : 1, sizeof *ports);
        ofpmsg_iter_init(&it, msg, f.ports_raw, f.ports_raw_size);
        for (size_t i = 0; i < n; i++) {
            ASSERT(!ofpmsg_port_pull(&it, &ports[i]));
        }
        f.ports = ports;
        f.n_ports = n;
        ofpmsg_encode_features_reply(v, xid, &f, out);
        free(ports);
        return true;
    }
    case OFPMSG_GET_CONFIG_REPLY:
    case OFPMSG_SET_CONFIG: {
        struct ofpmsg_switch_config c;
        if (ofpmsg_decode_switch_config(msg, &c)) {
            return false;
        }
        ofpmsg_encode_switch_config(v, xid, msg->type == OFPMSG_SET_CONFIG,
                                    &c, out);
        return true;
    }
    case OFPMSG_ROLE_REQUEST:
    case OFPMSG_ROLE_REPLY: {
        struct ofpmsg_role r;
        if (ofpmsg_decode_role(msg, &r)) {
            return false;
        }
        if (msg->family == OFPMSG_NX && v != OFP10_VERSION) {
            return false;       /* Re-encodes as the standard message. */
        }
        ofpmsg_encode_role(v, xid, msg->type == OFPMSG_ROLE_REPLY, &r, out);
        return true;
    }
    case OFPMSG_PORT_STATUS: {
        struct ofpmsg_port_status ps;
        if (ofpmsg_decode_port_status(msg, &ps)) {
            return false;
        }
        ofpmsg_encode_port_status(v, xid, &ps, out);
        return true;
    }
    case OFPMSG_FLOW_REMOVED: {
        struct ofpmsg_flow_removed fr;
        if (ofpmsg_decode_flow_removed(msg, &fr)) {
            return false;
        }
        ofpmsg_encode_flow_removed(v, xid, &fr, out);
        return true;
    }
    case OFPMSG_PACKET_IN: {
        struct ofpmsg_packet_in pi;
        if (ofpmsg_decode_packet_in(msg, &pi)) {
            return false;
        }
        ofpmsg_encode_packet_in(v, xid, &pi, out);
        return true;
    }
    case OFPMSG_PACKET_OUT: {
        struct ofpmsg_packet_out po;
        if (ofpmsg_decode_packet_out(msg, &po)) {
            return false;
        }
        ofpmsg_encode_packet_out(v, xid, &po, out);
        return true;
    }
    case OFPMSG_FLOW_MOD: {
        struct ofpmsg_flow_mod fm;
        if (ofpmsg_decode_flow_mod(msg, &fm)) {
            return false;
        }
        ofpmsg_encode_flow_mod(v, xid, &fm, out);
        return true;
    }
    case OFPMSG_GROUP_MOD: {
        struct ofpmsg_group_mod gm;
        if (ofpmsg_decode_group_mod(msg, &gm)) {
            return false;
        }
        struct ofpmsg_iter it;
        size_t n = 0;
        struct ofpmsg_bucket *bks = NULL;
        size_t alloc = 0;
        ofpmsg_iter_init(&it, msg, gm.buckets_raw, gm.buckets_raw_size);
        for (;;) {
            if (n == alloc) {
                bks = x2nrealloc(bks, &alloc, sizeof *bks);
            }
            if (ofpmsg_bucket_pull(&it, &bks[n])) {
                break;
            }
            n++;
        }
        gm.buckets = bks;
        gm.n_buckets = n;
        ofpmsg_encode_group_mod(v, xid, &gm, out);
        free(bks);
        return true;
    }
    case OFPMSG_BUNDLE_CONTROL: {
        struct ofpmsg_bundle_ctrl bc;
        if (ofpmsg_decode_bundle_ctrl(msg, &bc)) {
            return false;
        }
        ofpmsg_encode_bundle_ctrl(v, xid, &bc, out);
        return true;
    }
    case OFPMSG_BUNDLE_ADD: {
        struct ofpmsg_bundle_add ba;
        struct ofpmsg inner;
        struct ofpbuf scratch = OFPBUF_EMPTY_INITIALIZER;
        if (ofpmsg_decode_bundle_add(msg, &ba)) {
            return false;
        }
        if (!ofpmsg_classify(ba.msg, ba.msg_size, &inner)
            && inner.type != OFPMSG_BUNDLE_ADD) {
            decode_and_reencode(&inner, &scratch);
        }
        ofpbuf_uninit(&scratch);
        ofpmsg_encode_bundle_add(v, xid, &ba, out);
        return true;
    }
    case OFPMSG_DESC_REPLY: {
        struct ofpmsg_desc d;
        if (ofpmsg_decode_desc_reply(msg, &d)) {
            return false;
        }
        ofpmsg_encode_desc_reply(v, xid, &d, out);
        return true;
    }
    case OFPMSG_FLOW_STATS_REQUEST:
    case OFPMSG_AGGREGATE_REQUEST: {
        struct ofpmsg_flow_stats_request r;
        if (ofpmsg_decode_flow_stats_request(msg, &r)) {
            return false;
        }
        ofpmsg_encode_flow_stats_request(
            v, xid, msg->type == OFPMSG_AGGREGATE_REQUEST, &r, out);
        return true;
    }
    case OFPMSG_FLOW_STATS_REPLY:
        return reencode_flow_stats(msg, out);
    case OFPMSG_AGGREGATE_REPLY: {
        struct ofpmsg_aggregate a;
        if (ofpmsg_decode_aggregate_reply(msg, &a)) {
            return false;
        }
        ofpmsg_encode_aggregate_reply(v, xid, msg->family, &a, out);
        return true;
    }
    case OFPMSG_TABLE_STATS_REPLY: {
        struct ofpmsg_iter it;
        struct ofpmsg_table_stats ts;
        ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
        while (!ofpmsg_table_stats_pull(&it, &ts)) {
            continue;
        }
        return false;
    }
    case OFPMSG_PORT_STATS_REPLY: {
        struct ofpmsg_iter it;
        struct ofpmsg_port_stats ps;
        ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
        while (!ofpmsg_port_stats_pull(&it, &ps)) {
            continue;
        }
        return false;
    }
    case OFPMSG_PORT_DESC_REPLY: {
        struct ofpmsg_iter it;
        ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
        drain_ports(&it);
        return false;
    }
    case OFPMSG_GROUP_STATS_REPLY: {
        struct ofpmsg_iter it;
        struct ofpmsg_group_stats gs;
        uint64_t p, b;
        ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
        while (!ofpmsg_group_stats_pull(&it, &gs)) {
            for (size_t i = 0; i < gs.n_buckets; i++) {
                ofpmsg_group_stats_bucket(&gs, i, &p, &b);
            }
        }
        return false;
    }
    case OFPMSG_GROUP_DESC_REPLY: {
        struct ofpmsg_iter it;
        struct ofpmsg_group_desc gd;
        ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
        while (!ofpmsg_group_desc_pull(&it, &gd)) {
            drain_buckets(msg, gd.buckets_raw, gd.buckets_raw_size);
        }
        return false;
    }
    case OFPMSG_METER_MOD: {
        struct ofp_meter_mod mm;
        if (ofp_meter_mod_decode(msg, &mm)) {
            return false;
        }
        ofp_meter_mod_encode(v, xid, &mm, out);
        return true;
    }
    case OFPMSG_METER_STATS_REQUEST:
    case OFPMSG_METER_CONFIG_REQUEST: {
        uint32_t id;
        if (ofp_meter_request_decode(msg, &id)) {
            return false;
        }
        ofp_meter_request_encode(msg->type, v, xid, id, out);
        return true;
    }
    case OFPMSG_METER_STATS_REPLY: {
        struct ofpmsg_iter it;
        struct ofp_meter_stats ms;
        ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
        while (!ofp_meter_stats_pull(&it, &ms)) {
            continue;
        }
        return false;
    }
    case OFPMSG_METER_CONFIG_REPLY: {
        struct ofpmsg_iter it;
        struct ofp_meter_config mc;
        ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
        while (!ofp_meter_config_pull(&it, &mc)) {
            continue;
        }
        return false;
    }
    case OFPMSG_FLOW_MONITOR_REQUEST: {
        struct ofpmsg_iter it;
        struct ofpmon_request req;
        ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
        while (!ofpmon_request_pull(&it, &req)) {
            continue;
        }
        return false;
    }
    case OFPMSG_FLOW_MONITOR_REPLY: {
        struct ofpmsg_iter it;
        struct ofpmon_update u;
        ofpmsg_iter_init(&it, msg, msg->body, msg->body_size);
        while (!ofpmon_update_pull(&it, &u)) {
            continue;
        }
        return false;
    }
    case OFPMSG_NXT_FLOW_MONITOR_CANCEL: {
        uint32_t id;
        if (ofpmon_decode_cancel(msg, &id)) {
            return false;
        }
        ofpmon_encode_cancel(xid, id, out);
        return true;
    }
    case OFPMSG_METER_FEATURES_REPLY: {
        struct ofp_meter_features mf;
        if (ofp_meter_features_decode(msg, &mf)) {
            return false;
        }
        ofp_meter_features_encode(v, xid, &mf, out);
        return true;
    }
    case OFPMSG_GROUP_FEATURES_REPLY: {
        struct ofpmsg_group_features gf;
        if (ofpmsg_decode_group_features_reply(msg, &gf)) {
            return false;
        }
        ofpmsg_encode_group_features_reply(v, xid, &gf, out);
        return true;
    }
    case OFPMSG_PORT_STATS_REQUEST:
    case OFPMSG_PORT_DESC_REQUEST:
    case OFPMSG_GROUP_STATS_REQUEST:
    case OFPMSG_GROUP_DESC_REQUEST: {
        uint32_t x;
        if (ofpmsg_decode_mp_request(msg, &x)) {
            return false;
        }
        ofpmsg_encode_mp_request(msg->type, v, xid, x, out);
        return true;
    }
    case OFPMSG_NXT_SET_FLOW_FORMAT:
    case OFPMSG_NXT_FLOW_MOD_TABLE_ID:
    case OFPMSG_NXT_SET_PACKET_IN_FORMAT:
    case OFPMSG_NXT_SET_CONTROLLER_ID:
    case OFPMSG_NXT_CT_FLUSH_ZONE:
    case OFPMSG_NXT_TLV_TABLE_REQUEST: {
        uint32_t x;
        if (ofpmsg_decode_nx_u32(msg, &x)) {
            return false;
        }
        ofpmsg_encode_nx_u32(msg->type, v, xid, x, out);
        return true;
    }
    case OFPMSG_NXT_SET_ASYNC_CONFIG: {
        struct ofpmsg_async_config ac;
        if (ofpmsg_decode_nx_async_config(msg, &ac)) {
            return false;
        }
        ofpmsg_encode_nx_async_config(v, xid, &ac, out);
        return true;
    }
    case OFPMSG_NXT_PACKET_IN2:
    case OFPMSG_NXT_RESUME: {
        struct ofpmsg_packet_in2 pi;
        if (ofpmsg_decode_packet_in2(msg, &pi)) {
            return false;
        }
        ofpmsg_encode_packet_in2(v, xid, msg->type == OFPMSG_NXT_RESUME, &pi,
                                 out);
        return true;
    }
    case OFPMSG_NXT_TLV_TABLE_MOD:
    case OFPMSG_NXT_TLV_TABLE_REPLY: {
        struct ofpmsg_tlv_table t;
        if (ofpmsg_decode_tlv_table(msg, &t)) {
            return false;
        }
        ofpmsg_encode_tlv_table(v, xid,
                                msg->type == OFPMSG_NXT_TLV_TABLE_REPLY, &t,
                                out);
        return true;
    }
    default:
        return false;
    }
}

/* Re-encodes the messages in 'in' (a whole number of them) into 'out'. */
static void
reencode_all(const struct ofpbuf *in, struct ofpbuf *out)
{
    size_t ofs = 0;
    while (ofs < in->size) {
        size_t n;
        struct ofpmsg msg;
        ASSERT(!ofpmsg_frame(in->data + ofs, in->size - ofs, &n) && n);
        ASSERT(!ofpmsg_classify(in->data + ofs, n, &msg));
        ASSERT(decode_and_reencode(&msg, out));
        ofs += n;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t ofs = 0;
    while (ofs < size) {
        size_t n;
        if (ofpmsg_frame(data + ofs, size - ofs, &n) || !n) {
            break;
        }
        /* A private copy, so that a read past the message is caught. */
        uint8_t *copy = xmemdup(data + ofs, n);
        struct ofpmsg msg;
        struct ofpbuf once = OFPBUF_EMPTY_INITIALIZER;
        if (!ofpmsg_classify(copy, n, &msg)
            && decode_and_reencode(&msg, &once) && n <= MAX_REENCODE) {
            struct ofpbuf twice = OFPBUF_EMPTY_INITIALIZER;
            reencode_all(&once, &twice);
            ASSERT(once.size == twice.size);
            ASSERT(!memcmp(once.data, twice.data, once.size));
            ofpbuf_uninit(&twice);
        }
        ofpbuf_uninit(&once);
        free(copy);
        ofs += n;
    }
    return 0;
}
