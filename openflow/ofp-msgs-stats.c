/* Multipart (stats) requests and replies: OF1.0 stats, OF1.3+ multipart
 * and the Nicira NXST_FLOW / NXST_AGGREGATE vendor stats.  Replies are
 * built with struct ofpmsg_mp_reply, which splits them at 64 KiB. */
#include "openflow/ofp-msgs.h"

#include <stdlib.h>
#include <string.h>

#include "openflow/ofp-msgs-private.h"

/* Flow and aggregate stats requests. */

/* Appends a flow stats request, or an aggregate one if 'aggregate': the
 * OF1.0 layout for an OF10 match, NXST_FLOW/NXST_AGGREGATE for NXM, the
 * OF1.3+ layout for OXM (or no match). */
void
ofpmsg_encode_flow_stats_request(uint8_t version, uint32_t xid,
                                 bool aggregate,
                                 const struct ofpmsg_flow_stats_request *r,
                                 struct ofpbuf *b)
{
    enum ofpmsg_type type = (aggregate ? OFPMSG_AGGREGATE_REQUEST
                             : OFPMSG_FLOW_STATS_REQUEST);
    const struct ofpmsg_match *m = &r->match;
    size_t start;
    if (m->format == OFPMSG_MATCH_NXM) {
        start = ofpmsg__start(b, type, OFPMSG_NX, version, xid);
        ofpbuf_put_be16(b, ofpmsg__port_to10(r->out_port));
        size_t len_ofs = b->size;
        ofpbuf_put_be16(b, 0);
        ofpbuf_put_u8(b, r->table_id);
        ofpbuf_put_zeros(b, 3);
        size_t mlen = ofpmsg__put_nxm_match(b, m, r->cookie, r->cookie_mask);
        ofpbuf_set_be16(b, len_ofs, (uint16_t) mlen);
    } else if (m->format == OFPMSG_MATCH_OF10) {
        ASSERT(version == OFP10_VERSION && m->size == 40);
        start = ofpmsg__start(b, type, OFPMSG_STD, version, xid);
        ofpbuf_put(b, m->data, 40);
        ofpbuf_put_u8(b, r->table_id);
        ofpbuf_put_zeros(b, 1);
        ofpbuf_put_be16(b, ofpmsg__port_to10(r->out_port));
    } else {
        ASSERT(version >= OFP13_VERSION);
        start = ofpmsg__start(b, type, OFPMSG_STD, version, xid);
        ofpbuf_put_u8(b, r->table_id);
        ofpbuf_put_zeros(b, 3);
        ofpbuf_put_be32(b, r->out_port);
        ofpbuf_put_be32(b, r->out_group);
        ofpbuf_put_zeros(b, 4);
        ofpbuf_put_be64(b, r->cookie);
        ofpbuf_put_be64(b, r->cookie_mask);
        ofpmsg__put_oxm_match(b, m);
    }
    ofpmsg__finish(b, start);
}

/* Decodes a flow or aggregate stats request of any layout. */
enum ofperr
ofpmsg_decode_flow_stats_request(const struct ofpmsg *msg,
                                 struct ofpmsg_flow_stats_request *r)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    memset(r, 0, sizeof *r);
    r->out_group = OFPG_ANY;
    if (msg->family == OFPMSG_NX) {
        if (left < 8) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        r->out_port = ofpmsg__port_from10(ofpmsg__get16(p));
        uint16_t match_len = ofpmsg__get16(p + 2);
        r->table_id = p[4];
        p += 8;
        left -= 8;
        enum ofperr err = ofpmsg__pull_nxm_match(&p, &left, match_len,
                                              &r->match);
        if (err) {
            return err;
        }
        bool found;
        err = ofpmsg__nxm_cookie(&r->match, &found, &r->cookie,
                                 &r->cookie_mask);
        if (err) {
            return err;
        }
        if (!found) {
            r->cookie = r->cookie_mask = 0;
        }
        return left ? OFPERR_OFPBRC_BAD_LEN : 0;
    }
    if (msg->version == OFP10_VERSION) {
        if (left != 44) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        r->match = (struct ofpmsg_match) { OFPMSG_MATCH_OF10, p, 40 };
        r->table_id = p[40];
        r->out_port = ofpmsg__port_from10(ofpmsg__get16(p + 42));
        return 0;
    }
    if (left < 32) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    r->table_id = p[0];
    r->out_port = ofpmsg__get32(p + 4);
    r->out_group = ofpmsg__get32(p + 8);
    r->cookie = ofpmsg__get64(p + 16);
    r->cookie_mask = ofpmsg__get64(p + 24);
    p += 32;
    left -= 32;
    enum ofperr err = ofpmsg__pull_oxm_match(&p, &left, &r->match);
    return err ? err : left ? OFPERR_OFPBRC_BAD_LEN : 0;
}

/* Group stats and group desc requests select every group with OFPG_ALL;
 * OFPG_ANY there names no group (ovs-vswitchd replies with nothing), so
 * the "any" a caller passes is sent as OFPG_ALL, as ovs-ofctl does. */
static uint32_t
group_on_wire(enum ofpmsg_type type, uint32_t port_or_group)
{
    return ((type == OFPMSG_GROUP_STATS_REQUEST
             || type == OFPMSG_GROUP_DESC_REQUEST)
            && port_or_group == OFPG_ANY ? OFPG_ALL : port_or_group);
}

/* Appends a multipart request of 'type' whose body is at most a port or
 * group number: port stats (port), group stats (group), port desc and
 * group desc (port or group in 1.5, no body before), or no body at all
 * (desc, table stats, group features, table features, meter).  A group of
 * OFPG_ANY or OFPG_ALL asks for every group (sent as OFPG_ALL).  Port desc
 * exists in every version (OpenFlow 1.0: stats type 13, an Open vSwitch
 * extension that ovs-ofctl -O OpenFlow10 dump-ports-desc sends). */
void
ofpmsg_encode_mp_request(enum ofpmsg_type type, uint8_t version,
                         uint32_t xid, uint32_t port_or_group,
                         struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, type, OFPMSG_STD, version, xid);
    switch (type) {
    case OFPMSG_PORT_STATS_REQUEST:
        if (version == OFP10_VERSION) {
            ofpbuf_put_be16(b, ofpmsg__port_to10(port_or_group));
            ofpbuf_put_zeros(b, 6);
            break;
        }
        /* fall through */
    case OFPMSG_GROUP_STATS_REQUEST:
        ofpbuf_put_be32(b, group_on_wire(type, port_or_group));
        ofpbuf_put_zeros(b, 4);
        break;
    case OFPMSG_PORT_DESC_REQUEST:
    case OFPMSG_GROUP_DESC_REQUEST:
        if (version >= OFP15_VERSION) {
            ofpbuf_put_be32(b, group_on_wire(type, port_or_group));
            ofpbuf_put_zeros(b, 4);
        }
        break;
    default:
        break;
    }
    ofpmsg__finish(b, start);
}

/* Decodes a multipart request handled by ofpmsg_encode_mp_request(),
 * storing its port or group number (OFP11_PORT_ANY / OFPG_ANY if it has none)
 * in '*port_or_group'.  Bodies that should be empty must be. */
enum ofperr
ofpmsg_decode_mp_request(const struct ofpmsg *msg, uint32_t *port_or_group)
{
    const uint8_t *p = msg->body;
    size_t want = 0;
    *port_or_group = (msg->type == OFPMSG_GROUP_STATS_REQUEST
                      || msg->type == OFPMSG_GROUP_DESC_REQUEST)
                     ? OFPG_ANY : OFP11_PORT_ANY;
    switch (msg->type) {
    case OFPMSG_PORT_STATS_REQUEST:
    case OFPMSG_GROUP_STATS_REQUEST:
        want = 8;
        break;
    case OFPMSG_PORT_DESC_REQUEST:
    case OFPMSG_GROUP_DESC_REQUEST:
        want = msg->version >= OFP15_VERSION ? 8 : 0;
        break;
    case OFPMSG_TABLE_FEATURES_REQUEST:
    case OFPMSG_METER_STATS_REQUEST:
        return 0;               /* Bodies not decoded here. */
    default:
        break;
    }
    if (msg->body_size != want) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if (want) {
        *port_or_group = (msg->version == OFP10_VERSION
                          ? ofpmsg__port_from10(ofpmsg__get16(p))
                          : ofpmsg__get32(p));
    }
    return 0;
}

/* Multipart reply builder. */

/* Starts building a multipart reply of 'type' in 'version' and 'family'
 * (OFPMSG_NX for NXST replies) with transaction id 'xid'. */
void
ofpmsg_mp_reply_init(struct ofpmsg_mp_reply *r, enum ofpmsg_type type,
                     enum ofpmsg_family family, uint8_t version, uint32_t xid)
{
    r->allocated = 4;
    r->msgs = xmalloc(r->allocated * sizeof *r->msgs);
    r->n_msgs = 1;
    ofpbuf_init(&r->msgs[0]);
    ofpmsg__start(&r->msgs[0], type, family, version, xid);
    r->header_size = r->msgs[0].size;
    r->max_size = OFP_MAX_MSG_LEN;
}

/* Frees the messages 'r' still owns. */
void
ofpmsg_mp_reply_uninit(struct ofpmsg_mp_reply *r)
{
    for (size_t i = 0; i < r->n_msgs; i++) {
        ofpbuf_uninit(&r->msgs[i]);
    }
    free(r->msgs);
    r->msgs = NULL;
    r->n_msgs = r->allocated = 0;
}

/* Returns the message to append the next entry to, and its current size
 * in '*start_ofs' for ofpmsg_mp_reply_end_entry(). */
struct ofpbuf *
ofpmsg_mp_reply_start_entry(struct ofpmsg_mp_reply *r, size_t *start_ofs)
{
    struct ofpbuf *b = &r->msgs[r->n_msgs - 1];
    *start_ofs = b->size;
    return b;
}

/* Ends the entry begun at 'start_ofs': if it made the message longer than
 * the limit, moves it into a new message.  An entry too big for any
 * message is dropped. */
void
ofpmsg_mp_reply_end_entry(struct ofpmsg_mp_reply *r, size_t start_ofs)
{
    struct ofpbuf *b = &r->msgs[r->n_msgs - 1];
    if (b->size <= r->max_size) {
        return;
    }
    size_t entry = b->size - start_ofs;
    if (entry + r->header_size > r->max_size) {
        ofpbuf_truncate(b, start_ofs);
        return;
    }
    if (r->n_msgs == r->allocated) {
        r->msgs = x2nrealloc(r->msgs, &r->allocated, sizeof *r->msgs);
        b = &r->msgs[r->n_msgs - 1];
    }
    struct ofpbuf *next = &r->msgs[r->n_msgs++];
    ofpbuf_init(next);
    ofpbuf_reserve(next, r->header_size + entry);
    ofpbuf_put(next, b->data, r->header_size);
    ofpbuf_put(next, b->data + start_ofs, entry);
    ofpbuf_truncate(b, start_ofs);
}

/* Sets the length of every message and OFPMPF_MORE on all but the last.
 * The caller then sends (and may steal) r->msgs[0..n_msgs). */
void
ofpmsg_mp_reply_finish(struct ofpmsg_mp_reply *r)
{
    for (size_t i = 0; i < r->n_msgs; i++) {
        ofpmsg__finish(&r->msgs[i], 0);
        ofpbuf_set_be16(&r->msgs[i], 10,
                        i + 1 < r->n_msgs ? OFPMPF_MORE : 0);
    }
}

/* Desc. */

/* Appends a desc reply. */
void
ofpmsg_encode_desc_reply(uint8_t version, uint32_t xid,
                         const struct ofpmsg_desc *d, struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_DESC_REPLY, OFPMSG_STD, version,
                                 xid);
    ofpmsg__put_str(b, d->mfr_desc, 256);
    ofpmsg__put_str(b, d->hw_desc, 256);
    ofpmsg__put_str(b, d->sw_desc, 256);
    ofpmsg__put_str(b, d->serial_num, 32);
    ofpmsg__put_str(b, d->dp_desc, 256);
    ofpmsg__finish(b, start);
}

/* Decodes a desc reply. */
enum ofperr
ofpmsg_decode_desc_reply(const struct ofpmsg *msg, struct ofpmsg_desc *d)
{
    const uint8_t *p = msg->body;
    if (msg->body_size != 1056) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    ofpmsg__get_str(d->mfr_desc, p, 256);
    ofpmsg__get_str(d->hw_desc, p + 256, 256);
    ofpmsg__get_str(d->sw_desc, p + 512, 256);
    ofpmsg__get_str(d->serial_num, p + 768, 32);
    ofpmsg__get_str(d->dp_desc, p + 800, 256);
    return 0;
}

/* OpenFlow 1.5 flow statistics (OXS, OpenFlow 1.5.1 7.2.4): an ofp_stats
 * of class 0x8002 entries. */
#define OXS_DURATION 0
#define OXS_IDLE_TIME 1
#define OXS_FLOW_COUNT 3
#define OXS_PACKET_COUNT 4
#define OXS_BYTE_COUNT 5

static void
put_oxs(struct ofpbuf *b, uint8_t field, uint64_t v, size_t len)
{
    ofpbuf_put_be16(b, 0x8002);
    ofpbuf_put_u8(b, field << 1);
    ofpbuf_put_u8(b, (uint8_t) len);
    if (len == 4) {
        ofpbuf_put_be32(b, (uint32_t) v);
    } else {
        ofpbuf_put_be64(b, v);
    }
}

/* The counters an OF1.5 ofp_stats carries. */
struct oxs_stats {
    uint32_t duration_sec, duration_nsec; /* OXS_DURATION. */
    uint32_t idle_sec;          /* OXS_IDLE_TIME, seconds part. */
    uint32_t flow_count;        /* OXS_FLOW_COUNT. */
    uint64_t packet_count;      /* OXS_PACKET_COUNT. */
    uint64_t byte_count;        /* OXS_BYTE_COUNT. */
};

/* Pulls an ofp_stats, with its padding, from '*p'. */
static enum ofperr
pull_oxs(const uint8_t **p, size_t *left, struct oxs_stats *st)
{
    memset(st, 0, sizeof *st);
    if (*left < 4) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t len = ofpmsg__get16(*p + 2);
    if (len < 4 || OFPMSG_PAD8(len) > *left) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *q = *p + 4;
    size_t n = len - 4;
    while (n) {
        if (n < 4 || 4u + q[3] > n) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        uint8_t field = q[2] >> 1;
        uint8_t vlen = q[3];
        if (ofpmsg__get16(q) == 0x8002 && (vlen == 4 || vlen == 8)) {
            uint64_t v = vlen == 8 ? ofpmsg__get64(q + 4)
                         : ofpmsg__get32(q + 4);
            switch (field) {
            case OXS_DURATION:
                st->duration_sec = (uint32_t) (v >> 32);
                st->duration_nsec = (uint32_t) v;
                break;
            case OXS_IDLE_TIME:
                st->idle_sec = (uint32_t) (v >> 32);
                break;
            case OXS_FLOW_COUNT:
                st->flow_count = (uint32_t) v;
                break;
            case OXS_PACKET_COUNT:
                st->packet_count = v;
                break;
            case OXS_BYTE_COUNT:
                st->byte_count = v;
                break;
            }
        }
        q += 4 + vlen;
        n -= 4 + vlen;
    }
    *p += OFPMSG_PAD8(len);
    *left -= OFPMSG_PAD8(len);
    return 0;
}

/* Appends the OF1.5 flow stats entry 'fs' (length left 0). */
static void
put_flow_stats15(struct ofpbuf *b, const struct ofpmsg_flow_stats *fs)
{
    ofpbuf_put_be16(b, 0);
    ofpbuf_put_zeros(b, 2);
    ofpbuf_put_u8(b, fs->table_id);
    ofpbuf_put_u8(b, 0);        /* Reason: OFPFSR_STATS_REQUEST. */
    ofpbuf_put_be16(b, fs->priority);
    ofpbuf_put_be16(b, fs->idle_timeout);
    ofpbuf_put_be16(b, fs->hard_timeout);
    ofpbuf_put_be16(b, fs->flags);
    ofpbuf_put_be16(b, 0);      /* Importance. */
    ofpbuf_put_be64(b, fs->cookie);
    ofpmsg__put_oxm_match(b, &fs->match);
    size_t stats = b->size;
    ofpbuf_put_be16(b, 0);
    ofpbuf_put_be16(b, 0);
    put_oxs(b, OXS_DURATION,
            (uint64_t) fs->duration_sec << 32 | fs->duration_nsec, 8);
    put_oxs(b, OXS_IDLE_TIME, (uint64_t) fs->idle_age << 32, 8);
    put_oxs(b, OXS_PACKET_COUNT, fs->packet_count, 8);
    put_oxs(b, OXS_BYTE_COUNT, fs->byte_count, 8);
    ofpbuf_set_be16(b, stats + 2, (uint16_t) (b->size - stats));
    ofpbuf_pad_to(b, 8, stats);
    ofpmsg__put_actions(b, &fs->actions);
}

/* Decodes the OF1.5 flow stats entry of 'len' bytes at 'p'. */
static enum ofperr
get_flow_stats15(const uint8_t *p, size_t len, uint8_t version,
                 struct ofpmsg_flow_stats *fs)
{
    fs->table_id = p[4];
    fs->priority = ofpmsg__get16(p + 6);
    fs->idle_timeout = ofpmsg__get16(p + 8);
    fs->hard_timeout = ofpmsg__get16(p + 10);
    fs->flags = ofpmsg__get16(p + 12);
    fs->cookie = ofpmsg__get64(p + 16);
    const uint8_t *rest = p + 24;
    size_t left = len - 24;
    struct oxs_stats st;
    enum ofperr err = ofpmsg__pull_oxm_match(&rest, &left, &fs->match);
    if (!err) {
        err = pull_oxs(&rest, &left, &st);
    }
    if (err) {
        return err;
    }
    fs->duration_sec = st.duration_sec;
    fs->duration_nsec = st.duration_nsec;
    fs->idle_age = (uint16_t) MIN(st.idle_sec, 0xffff);
    fs->packet_count = st.packet_count;
    fs->byte_count = st.byte_count;
    fs->actions = (struct ofpmsg_actions) {
        OFPMSG_INSTRUCTIONS, version, rest, left
    };
    return ofpmsg__check_actions(&fs->actions);
}

/* Flow stats. */

/* Appends one flow stats entry to 'r' in the layout its match picks: OF10
 * (OF1.0), NXM (NXST_FLOW; 'r' must have been started with OFPMSG_NX), or
 * OXM (OF1.3+). */
void
ofpmsg_put_flow_stats(struct ofpmsg_mp_reply *r, uint8_t version,
                      const struct ofpmsg_flow_stats *fs)
{
    size_t start;
    struct ofpbuf *b = ofpmsg_mp_reply_start_entry(r, &start);
    const struct ofpmsg_match *m = &fs->match;
    if (version >= OFP15_VERSION && m->format != OFPMSG_MATCH_NXM) {
        put_flow_stats15(b, fs);
        ofpbuf_set_be16(b, start, (uint16_t) MIN(b->size - start, 0xffff));
        ofpmsg_mp_reply_end_entry(r, start);
        return;
    }
    ofpbuf_put_be16(b, 0);
    ofpbuf_put_u8(b, fs->table_id);
    ofpbuf_put_zeros(b, 1);
    if (m->format == OFPMSG_MATCH_OF10) {
        ASSERT(m->size == 40);
        ofpbuf_put(b, m->data, 40);
    }
    ofpbuf_put_be32(b, fs->duration_sec);
    ofpbuf_put_be32(b, fs->duration_nsec);
    ofpbuf_put_be16(b, fs->priority);
    ofpbuf_put_be16(b, fs->idle_timeout);
    ofpbuf_put_be16(b, fs->hard_timeout);
    if (m->format == OFPMSG_MATCH_OF10) {
        ofpbuf_put_zeros(b, 6);
    } else if (m->format == OFPMSG_MATCH_NXM) {
        ofpbuf_put_be16(b, (uint16_t) m->size);
        ofpbuf_put_be16(b, fs->idle_age);
        ofpbuf_put_be16(b, fs->hard_age);
    } else {
        ofpbuf_put_be16(b, fs->flags);
        ofpbuf_put_zeros(b, 4);
    }
    ofpbuf_put_be64(b, fs->cookie);
    ofpbuf_put_be64(b, fs->packet_count);
    ofpbuf_put_be64(b, fs->byte_count);
    if (m->format == OFPMSG_MATCH_NXM) {
        size_t mstart = b->size;
        if (m->size) {
            ofpbuf_put(b, m->data, m->size);
        }
        ofpbuf_pad_to(b, 8, mstart);
    } else if (m->format != OFPMSG_MATCH_OF10) {
        ASSERT(version >= OFP13_VERSION);
        ofpmsg__put_oxm_match(b, m);
    }
    ofpmsg__put_actions(b, &fs->actions);
    ofpbuf_set_be16(b, start, (uint16_t) MIN(b->size - start, 0xffff));
    ofpmsg_mp_reply_end_entry(r, start);
}

/* Pulls the next flow stats entry of a flow stats reply. */
enum ofperr
ofpmsg_flow_stats_pull(struct ofpmsg_iter *it, struct ofpmsg_flow_stats *fs)
{
    memset(fs, 0, sizeof *fs);
    if (!it->left) {
        return OFPMSG_EOF;
    }
    const uint8_t *p = it->p;
    bool v10 = it->version == OFP10_VERSION && it->family != OFPMSG_NX;
    bool v15 = it->version >= OFP15_VERSION && it->family != OFPMSG_NX;
    size_t fixed = v10 ? 88 : v15 ? 24 : 48;
    if (it->left < fixed) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t len = ofpmsg__get16(p);
    if (len < fixed || len > it->left || len % 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if (v15) {
        enum ofperr err = get_flow_stats15(p, len, it->version, fs);
        if (err) {
            return err;
        }
        it->p += len;
        it->left -= len;
        it->index++;
        return 0;
    }
    fs->table_id = p[2];
    const uint8_t *q = p + 4;
    if (v10) {
        fs->match = (struct ofpmsg_match) { OFPMSG_MATCH_OF10, q, 40 };
        q += 40;
    }
    fs->duration_sec = ofpmsg__get32(q);
    fs->duration_nsec = ofpmsg__get32(q + 4);
    fs->priority = ofpmsg__get16(q + 8);
    fs->idle_timeout = ofpmsg__get16(q + 10);
    fs->hard_timeout = ofpmsg__get16(q + 12);
    uint16_t match_len = 0;
    if (it->family == OFPMSG_NX) {
        match_len = ofpmsg__get16(q + 14);
        fs->idle_age = ofpmsg__get16(q + 16);
        fs->hard_age = ofpmsg__get16(q + 18);
    } else if (!v10) {
        fs->flags = ofpmsg__get16(q + 14);
    }
    fs->cookie = ofpmsg__get64(q + 20);
    fs->packet_count = ofpmsg__get64(q + 28);
    fs->byte_count = ofpmsg__get64(q + 36);
    const uint8_t *rest = p + fixed;
    size_t left = len - fixed;
    enum ofperr err = 0;
    if (it->family == OFPMSG_NX) {
        err = ofpmsg__pull_nxm_match(&rest, &left, match_len, &fs->match);
    } else if (!v10) {
        err = ofpmsg__pull_oxm_match(&rest, &left, &fs->match);
    }
    if (err) {
        return err;
    }
    fs->actions = (struct ofpmsg_actions) {
        (v10 || it->family == OFPMSG_NX ? OFPMSG_ACTIONS_OF10
         : OFPMSG_INSTRUCTIONS),
        it->version, rest, left
    };
    err = ofpmsg__check_actions(&fs->actions);
    if (err) {
        return err;
    }
    it->p += len;
    it->left -= len;
    it->index++;
    return 0;
}

/* Aggregate. */

/* Appends an aggregate reply (NXST_AGGREGATE if 'family' is OFPMSG_NX). */
void
ofpmsg_encode_aggregate_reply(uint8_t version, uint32_t xid,
                              enum ofpmsg_family family,
                              const struct ofpmsg_aggregate *a,
                              struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_AGGREGATE_REPLY, family, version,
                                 xid);
    if (version >= OFP15_VERSION && family == OFPMSG_STD) {
        size_t stats = b->size;
        ofpbuf_put_be16(b, 0);
        ofpbuf_put_be16(b, 0);
        put_oxs(b, OXS_FLOW_COUNT, a->flow_count, 4);
        put_oxs(b, OXS_PACKET_COUNT, a->packet_count, 8);
        put_oxs(b, OXS_BYTE_COUNT, a->byte_count, 8);
        ofpbuf_set_be16(b, stats + 2, (uint16_t) (b->size - stats));
        ofpbuf_pad_to(b, 8, stats);
        ofpmsg__finish(b, start);
        return;
    }
    ofpbuf_put_be64(b, a->packet_count);
    ofpbuf_put_be64(b, a->byte_count);
    ofpbuf_put_be32(b, a->flow_count);
    ofpbuf_put_zeros(b, 4);
    ofpmsg__finish(b, start);
}

/* Decodes an aggregate reply. */
enum ofperr
ofpmsg_decode_aggregate_reply(const struct ofpmsg *msg,
                              struct ofpmsg_aggregate *a)
{
    if (msg->version >= OFP15_VERSION && msg->family == OFPMSG_STD) {
        const uint8_t *p = msg->body;
        size_t left = msg->body_size;
        struct oxs_stats st;
        enum ofperr err = pull_oxs(&p, &left, &st);
        if (err) {
            return err;
        }
        a->packet_count = st.packet_count;
        a->byte_count = st.byte_count;
        a->flow_count = st.flow_count;
        return left ? OFPERR_OFPBRC_BAD_LEN : 0;
    }
    if (msg->body_size != 24) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    a->packet_count = ofpmsg__get64(msg->body);
    a->byte_count = ofpmsg__get64(msg->body + 8);
    a->flow_count = ofpmsg__get32(msg->body + 16);
    return 0;
}

/* Table stats. */

/* Appends one table stats entry. */
void
ofpmsg_put_table_stats(struct ofpmsg_mp_reply *r, uint8_t version,
                       const struct ofpmsg_table_stats *ts)
{
    size_t start;
    struct ofpbuf *b = ofpmsg_mp_reply_start_entry(r, &start);
    ofpbuf_put_u8(b, ts->table_id);
    ofpbuf_put_zeros(b, 3);
    if (version == OFP10_VERSION) {
        ofpmsg__put_str(b, ts->name, 32);
        ofpbuf_put_be32(b, ts->wildcards);
        ofpbuf_put_be32(b, ts->max_entries);
    }
    ofpbuf_put_be32(b, ts->active_count);
    ofpbuf_put_be64(b, ts->lookup_count);
    ofpbuf_put_be64(b, ts->matched_count);
    ofpmsg_mp_reply_end_entry(r, start);
}

/* Pulls the next table stats entry. */
enum ofperr
ofpmsg_table_stats_pull(struct ofpmsg_iter *it,
                        struct ofpmsg_table_stats *ts)
{
    memset(ts, 0, sizeof *ts);
    if (!it->left) {
        return OFPMSG_EOF;
    }
    bool v10 = it->version == OFP10_VERSION;
    size_t len = v10 ? 64 : 24;
    if (it->left < len) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *p = it->p;
    ts->table_id = p[0];
    if (v10) {
        ofpmsg__get_str(ts->name, p + 4, 32);
        ts->wildcards = ofpmsg__get32(p + 36);
        ts->max_entries = ofpmsg__get32(p + 40);
        p += 40;
    }
    ts->active_count = ofpmsg__get32(p + 4);
    ts->lookup_count = ofpmsg__get64(p + 8);
    ts->matched_count = ofpmsg__get64(p + 16);
    it->p += len;
    it->left -= len;
    it->index++;
    return 0;
}

/* Port stats. */

static void
put_port_counters(struct ofpbuf *b, const struct ofpmsg_port_stats *ps,
                  bool errors_too)
{
    ofpbuf_put_be64(b, ps->rx_packets);
    ofpbuf_put_be64(b, ps->tx_packets);
    ofpbuf_put_be64(b, ps->rx_bytes);
    ofpbuf_put_be64(b, ps->tx_bytes);
    ofpbuf_put_be64(b, ps->rx_dropped);
    ofpbuf_put_be64(b, ps->tx_dropped);
    ofpbuf_put_be64(b, ps->rx_errors);
    ofpbuf_put_be64(b, ps->tx_errors);
    if (errors_too) {
        ofpbuf_put_be64(b, ps->rx_frame_err);
        ofpbuf_put_be64(b, ps->rx_over_err);
        ofpbuf_put_be64(b, ps->rx_crc_err);
        ofpbuf_put_be64(b, ps->collisions);
    }
}

static void
get_port_counters(const uint8_t *p, struct ofpmsg_port_stats *ps,
                  bool errors_too)
{
    ps->rx_packets = ofpmsg__get64(p);
    ps->tx_packets = ofpmsg__get64(p + 8);
    ps->rx_bytes = ofpmsg__get64(p + 16);
    ps->tx_bytes = ofpmsg__get64(p + 24);
    ps->rx_dropped = ofpmsg__get64(p + 32);
    ps->tx_dropped = ofpmsg__get64(p + 40);
    ps->rx_errors = ofpmsg__get64(p + 48);
    ps->tx_errors = ofpmsg__get64(p + 56);
    if (errors_too) {
        ps->rx_frame_err = ofpmsg__get64(p + 64);
        ps->rx_over_err = ofpmsg__get64(p + 72);
        ps->rx_crc_err = ofpmsg__get64(p + 80);
        ps->collisions = ofpmsg__get64(p + 88);
    }
}

/* Appends one port stats entry. */
void
ofpmsg_put_port_stats(struct ofpmsg_mp_reply *r, uint8_t version,
                      const struct ofpmsg_port_stats *ps)
{
    size_t start;
    struct ofpbuf *b = ofpmsg_mp_reply_start_entry(r, &start);
    if (version == OFP10_VERSION) {
        ofpbuf_put_be16(b, ofpmsg__port_to10(ps->port_no));
        ofpbuf_put_zeros(b, 6);
        put_port_counters(b, ps, true);
    } else if (version == OFP13_VERSION) {
        ofpbuf_put_be32(b, ps->port_no);
        ofpbuf_put_zeros(b, 4);
        put_port_counters(b, ps, true);
        ofpbuf_put_be32(b, ps->duration_sec);
        ofpbuf_put_be32(b, ps->duration_nsec);
    } else {
        ofpbuf_put_be16(b, 120);
        ofpbuf_put_zeros(b, 2);
        ofpbuf_put_be32(b, ps->port_no);
        ofpbuf_put_be32(b, ps->duration_sec);
        ofpbuf_put_be32(b, ps->duration_nsec);
        put_port_counters(b, ps, false);
        ofpbuf_put_be16(b, 0);  /* OFPPSPT_ETHERNET. */
        ofpbuf_put_be16(b, 40);
        ofpbuf_put_zeros(b, 4);
        ofpbuf_put_be64(b, ps->rx_frame_err);
        ofpbuf_put_be64(b, ps->rx_over_err);
        ofpbuf_put_be64(b, ps->rx_crc_err);
        ofpbuf_put_be64(b, ps->collisions);
    }
    ofpmsg_mp_reply_end_entry(r, start);
}

/* Reads the OF1.4+ port stats properties at 'p'. */
static enum ofperr
get_port_stats_props(const uint8_t *p, size_t left,
                     struct ofpmsg_port_stats *ps)
{
    while (left) {
        if (left < 4) {
            return OFPERR_OFPBPC_BAD_LEN;
        }
        uint16_t type = ofpmsg__get16(p);
        uint16_t len = ofpmsg__get16(p + 2);
        if (len < 4 || OFPMSG_PAD8(len) > left) {
            return OFPERR_OFPBPC_BAD_LEN;
        }
        if (type == 0) {
            if (len < 40) {
                return OFPERR_OFPBPC_BAD_LEN;
            }
            ps->rx_frame_err = ofpmsg__get64(p + 8);
            ps->rx_over_err = ofpmsg__get64(p + 16);
            ps->rx_crc_err = ofpmsg__get64(p + 24);
            ps->collisions = ofpmsg__get64(p + 32);
        }
        p += OFPMSG_PAD8(len);
        left -= OFPMSG_PAD8(len);
    }
    return 0;
}

/* Pulls the next port stats entry. */
enum ofperr
ofpmsg_port_stats_pull(struct ofpmsg_iter *it, struct ofpmsg_port_stats *ps)
{
    memset(ps, 0, sizeof *ps);
    if (!it->left) {
        return OFPMSG_EOF;
    }
    const uint8_t *p = it->p;
    size_t len;
    if (it->version == OFP10_VERSION) {
        len = 104;
        if (it->left < len) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        ps->port_no = ofpmsg__port_from10(ofpmsg__get16(p));
        get_port_counters(p + 8, ps, true);
    } else if (it->version == OFP13_VERSION) {
        len = 112;
        if (it->left < len) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        ps->port_no = ofpmsg__get32(p);
        get_port_counters(p + 8, ps, true);
        ps->duration_sec = ofpmsg__get32(p + 104);
        ps->duration_nsec = ofpmsg__get32(p + 108);
    } else {
        if (it->left < 80) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        len = ofpmsg__get16(p);
        if (len < 80 || len % 8 || len > it->left) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        ps->port_no = ofpmsg__get32(p + 4);
        ps->duration_sec = ofpmsg__get32(p + 8);
        ps->duration_nsec = ofpmsg__get32(p + 12);
        get_port_counters(p + 16, ps, false);
        enum ofperr err = get_port_stats_props(p + 80, len - 80, ps);
        if (err) {
            return err;
        }
    }
    it->p += len;
    it->left -= len;
    it->index++;
    return 0;
}

/* Port desc. */

/* Appends one port to a port desc reply. */
void
ofpmsg_put_port_desc(struct ofpmsg_mp_reply *r, uint8_t version,
                     const struct ofpmsg_port *port)
{
    size_t start;
    struct ofpbuf *b = ofpmsg_mp_reply_start_entry(r, &start);
    ofpmsg_put_port(b, version, port);
    ofpmsg_mp_reply_end_entry(r, start);
}

/* Group stats. */

/* Appends one group stats entry. */
void
ofpmsg_put_group_stats(struct ofpmsg_mp_reply *r, uint8_t version,
                       const struct ofpmsg_group_stats *gs)
{
    size_t start;
    struct ofpbuf *b = ofpmsg_mp_reply_start_entry(r, &start);
    ofpbuf_put_be16(b, 0);
    ofpbuf_put_zeros(b, 2);
    ofpbuf_put_be32(b, gs->group_id);
    ofpbuf_put_be32(b, gs->ref_count);
    ofpbuf_put_zeros(b, 4);
    ofpbuf_put_be64(b, gs->packet_count);
    ofpbuf_put_be64(b, gs->byte_count);
    ofpbuf_put_be32(b, gs->duration_sec);
    ofpbuf_put_be32(b, gs->duration_nsec);
    for (size_t i = 0; i < gs->n_buckets; i++) {
        ofpbuf_put_be64(b, gs->bucket_counts[2 * i]);
        ofpbuf_put_be64(b, gs->bucket_counts[2 * i + 1]);
    }
    ofpbuf_set_be16(b, start, (uint16_t) MIN(b->size - start, 0xffff));
    ofpmsg_mp_reply_end_entry(r, start);
}

/* Pulls the next group stats entry. */
enum ofperr
ofpmsg_group_stats_pull(struct ofpmsg_iter *it,
                        struct ofpmsg_group_stats *gs)
{
    memset(gs, 0, sizeof *gs);
    if (!it->left) {
        return OFPMSG_EOF;
    }
    const uint8_t *p = it->p;
    if (it->left < 40) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t len = ofpmsg__get16(p);
    if (len < 40 || (len - 40) % 16 || len > it->left) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    gs->group_id = ofpmsg__get32(p + 4);
    gs->ref_count = ofpmsg__get32(p + 8);
    gs->packet_count = ofpmsg__get64(p + 16);
    gs->byte_count = ofpmsg__get64(p + 24);
    gs->duration_sec = ofpmsg__get32(p + 32);
    gs->duration_nsec = ofpmsg__get32(p + 36);
    gs->n_buckets = (len - 40) / 16;
    gs->buckets_raw = p + 40;
    it->p += len;
    it->left -= len;
    it->index++;
    return 0;
}

/* Reads the counters of bucket 'i' (< n_buckets) of a decoded 'gs'. */
void
ofpmsg_group_stats_bucket(const struct ofpmsg_group_stats *gs, size_t i,
                          uint64_t *packets, uint64_t *bytes)
{
    ASSERT(i < gs->n_buckets && gs->buckets_raw);
    *packets = ofpmsg__get64(gs->buckets_raw + 16 * i);
    *bytes = ofpmsg__get64(gs->buckets_raw + 16 * i + 8);
}

/* Group desc. */

/* Appends one group desc entry. */
void
ofpmsg_put_group_desc(struct ofpmsg_mp_reply *r, uint8_t version,
                      const struct ofpmsg_group_desc *gd)
{
    size_t start;
    struct ofpbuf *b = ofpmsg_mp_reply_start_entry(r, &start);
    ofpbuf_put_be16(b, 0);
    ofpbuf_put_u8(b, gd->type);
    ofpbuf_put_zeros(b, 1);
    ofpbuf_put_be32(b, gd->group_id);
    if (version <= OFP14_VERSION) {
        ofpmsg__put_buckets(b, version, gd->buckets, gd->n_buckets);
    } else {
        size_t len_ofs = b->size;
        ofpbuf_put_be16(b, 0);
        ofpbuf_put_zeros(b, 6);
        size_t bstart = b->size;
        ofpmsg__put_buckets(b, version, gd->buckets, gd->n_buckets);
        ofpbuf_set_be16(b, len_ofs, (uint16_t) (b->size - bstart));
    }
    ofpbuf_set_be16(b, start, (uint16_t) MIN(b->size - start, 0xffff));
    ofpmsg_mp_reply_end_entry(r, start);
}

/* Pulls the next group desc entry; its buckets are checked. */
enum ofperr
ofpmsg_group_desc_pull(struct ofpmsg_iter *it, struct ofpmsg_group_desc *gd)
{
    memset(gd, 0, sizeof *gd);
    if (!it->left) {
        return OFPMSG_EOF;
    }
    const uint8_t *p = it->p;
    size_t fixed = it->version >= OFP15_VERSION ? 16 : 8;
    if (it->left < fixed) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t len = ofpmsg__get16(p);
    if (len < fixed || len > it->left) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    gd->type = p[2];
    gd->group_id = ofpmsg__get32(p + 4);
    gd->buckets_raw = p + fixed;
    gd->buckets_raw_size = len - fixed;
    if (it->version >= OFP15_VERSION) {
        uint16_t blen = ofpmsg__get16(p + 8);
        if (blen > len - fixed) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        gd->buckets_raw_size = blen;
    }
    struct ofpmsg_iter bit = {
        gd->buckets_raw, gd->buckets_raw_size, it->version, it->family, 0
    };
    struct ofpmsg_bucket bk;
    enum ofperr err;
    while (!(err = ofpmsg_bucket_pull(&bit, &bk))) {
        continue;
    }
    if (err != OFPMSG_EOF) {
        return err;
    }
    it->p += len;
    it->left -= len;
    it->index++;
    return 0;
}

/* Group features. */

/* Appends a group features reply. */
void
ofpmsg_encode_group_features_reply(uint8_t version, uint32_t xid,
                                   const struct ofpmsg_group_features *gf,
                                   struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_GROUP_FEATURES_REPLY, OFPMSG_STD,
                                 version, xid);
    ofpbuf_put_be32(b, gf->types);
    ofpbuf_put_be32(b, gf->capabilities);
    for (int i = 0; i < 4; i++) {
        ofpbuf_put_be32(b, gf->max_groups[i]);
    }
    for (int i = 0; i < 4; i++) {
        ofpbuf_put_be32(b, gf->actions[i]);
    }
    ofpmsg__finish(b, start);
}

/* Decodes a group features reply. */
enum ofperr
ofpmsg_decode_group_features_reply(const struct ofpmsg *msg,
                                   struct ofpmsg_group_features *gf)
{
    const uint8_t *p = msg->body;
    if (msg->body_size != 40) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    gf->types = ofpmsg__get32(p);
    gf->capabilities = ofpmsg__get32(p + 4);
    for (int i = 0; i < 4; i++) {
        gf->max_groups[i] = ofpmsg__get32(p + 8 + 4 * i);
        gf->actions[i] = ofpmsg__get32(p + 24 + 4 * i);
    }
    return 0;
}
