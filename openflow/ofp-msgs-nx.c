/* The Nicira vendor messages that ovs-ofctl and ovn-controller send or
 * expect: flow format and packet-in format selection, flow_mod table ids,
 * controller ids, async config, NXT_PACKET_IN2 / NXT_RESUME, the Geneve
 * TLV map and conntrack zone flushes.  NXT_FLOW_MOD, NXT_ROLE_* and the
 * NXST stats share codecs with their standard twins (ofp-msgs.c,
 * ofp-msgs-stats.c).  Layouts per ovs-ofctl(8) and the bytes Debian's
 * ovs-ofctl 3.1 sends. */
#include "openflow/ofp-msgs.h"

#include <string.h>

#include "openflow/ofp-msgs-private.h"

/* Appends one of the small NX messages whose body is one number: 'value'
 * is the format for NXT_SET_FLOW_FORMAT and NXT_SET_PACKET_IN_FORMAT, 0/1
 * for NXT_FLOW_MOD_TABLE_ID, the id for NXT_SET_CONTROLLER_ID, the zone
 * for NXT_CT_FLUSH_ZONE, and ignored for NXT_TLV_TABLE_REQUEST. */
void
ofpmsg_encode_nx_u32(enum ofpmsg_type type, uint8_t version, uint32_t xid,
                     uint32_t value, struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, type, OFPMSG_NX, version, xid);
    switch (type) {
    case OFPMSG_NXT_SET_FLOW_FORMAT:
    case OFPMSG_NXT_SET_PACKET_IN_FORMAT:
        ofpbuf_put_be32(b, value);
        break;
    case OFPMSG_NXT_FLOW_MOD_TABLE_ID:
        ofpbuf_put_u8(b, value != 0);
        ofpbuf_put_zeros(b, 7);
        break;
    case OFPMSG_NXT_SET_CONTROLLER_ID:
    case OFPMSG_NXT_CT_FLUSH_ZONE:
        ofpbuf_put_zeros(b, 6);
        ofpbuf_put_be16(b, (uint16_t) value);
        break;
    case OFPMSG_NXT_TLV_TABLE_REQUEST:
        break;
    default:
        NOT_REACHED();
    }
    ofpmsg__finish(b, start);
}

/* Decodes a message encoded by ofpmsg_encode_nx_u32(). */
enum ofperr
ofpmsg_decode_nx_u32(const struct ofpmsg *msg, uint32_t *value)
{
    const uint8_t *p = msg->body;
    size_t want;
    switch (msg->type) {
    case OFPMSG_NXT_SET_FLOW_FORMAT:
    case OFPMSG_NXT_SET_PACKET_IN_FORMAT:
        want = 4;
        break;
    case OFPMSG_NXT_FLOW_MOD_TABLE_ID:
    case OFPMSG_NXT_SET_CONTROLLER_ID:
    case OFPMSG_NXT_CT_FLUSH_ZONE:
        want = 8;
        break;
    case OFPMSG_NXT_TLV_TABLE_REQUEST:
        want = 0;
        break;
    default:
        return OFPERR_OFPBRC_BAD_EXP_TYPE;
    }
    if (msg->body_size != want) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    switch (msg->type) {
    case OFPMSG_NXT_SET_FLOW_FORMAT:
    case OFPMSG_NXT_SET_PACKET_IN_FORMAT:
        *value = ofpmsg__get32(p);
        break;
    case OFPMSG_NXT_FLOW_MOD_TABLE_ID:
        *value = p[0];
        break;
    case OFPMSG_NXT_SET_CONTROLLER_ID:
    case OFPMSG_NXT_CT_FLUSH_ZONE:
        *value = ofpmsg__get16(p + 6);
        break;
    default:
        *value = 0;
        break;
    }
    return 0;
}

/* Appends NXT_SET_ASYNC_CONFIG (the fixed 24-byte form). */
void
ofpmsg_encode_nx_async_config(uint8_t version, uint32_t xid,
                              const struct ofpmsg_async_config *ac,
                              struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_NXT_SET_ASYNC_CONFIG, OFPMSG_NX,
                                 version, xid);
    for (int i = 0; i < 2; i++) {
        ofpbuf_put_be32(b, ac->packet_in_mask[i]);
    }
    for (int i = 0; i < 2; i++) {
        ofpbuf_put_be32(b, ac->port_status_mask[i]);
    }
    for (int i = 0; i < 2; i++) {
        ofpbuf_put_be32(b, ac->flow_removed_mask[i]);
    }
    ofpmsg__finish(b, start);
}

/* Decodes NXT_SET_ASYNC_CONFIG. */
enum ofperr
ofpmsg_decode_nx_async_config(const struct ofpmsg *msg,
                              struct ofpmsg_async_config *ac)
{
    const uint8_t *p = msg->body;
    if (msg->body_size != 24) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    for (int i = 0; i < 2; i++) {
        ac->packet_in_mask[i] = ofpmsg__get32(p + 4 * i);
        ac->port_status_mask[i] = ofpmsg__get32(p + 8 + 4 * i);
        ac->flow_removed_mask[i] = ofpmsg__get32(p + 16 + 4 * i);
    }
    return 0;
}

/* NXT_PACKET_IN2 / NXT_RESUME: a list of properties, each a 16-bit type
 * and a 16-bit length (header included, padding not) padded to 8 bytes.
 * 64-bit values sit after 4 pad bytes, so that they are aligned. */

static void
put_prop(struct ofpbuf *b, uint16_t type, const void *data, size_t size)
{
    size_t start = b->size;
    ofpbuf_put_be16(b, type);
    ofpbuf_put_be16(b, (uint16_t) (4 + size));
    if (size) {
        ofpbuf_put(b, data, size);
    }
    ofpbuf_pad_to(b, 8, start);
}

static void
put_prop_u8(struct ofpbuf *b, uint16_t type, uint8_t v)
{
    put_prop(b, type, &v, 1);
}

static void
put_prop_be32(struct ofpbuf *b, uint16_t type, uint32_t v)
{
    be32 x = htonbe32(v);
    put_prop(b, type, &x, 4);
}

static void
put_prop_be64(struct ofpbuf *b, uint16_t type, uint64_t v)
{
    ofpbuf_put_be16(b, type);
    ofpbuf_put_be16(b, 16);
    ofpbuf_put_zeros(b, 4);
    ofpbuf_put_be64(b, v);
}

/* Appends NXT_PACKET_IN2, or NXT_RESUME if 'resume'.  Optional properties
 * are left out when they hold their default: full_len equal to the packet
 * size, no buffer, empty metadata, userdata or continuation. */
void
ofpmsg_encode_packet_in2(uint8_t version, uint32_t xid, bool resume,
                         const struct ofpmsg_packet_in2 *pi,
                         struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, resume ? OFPMSG_NXT_RESUME
                                 : OFPMSG_NXT_PACKET_IN2,
                                 OFPMSG_NX, version, xid);
    put_prop(b, NXPINT_PACKET, pi->packet, pi->packet_size);
    if (pi->full_len != pi->packet_size) {
        put_prop_be32(b, NXPINT_FULL_LEN, pi->full_len);
    }
    if (pi->buffer_id != OFP_NO_BUFFER) {
        put_prop_be32(b, NXPINT_BUFFER_ID, pi->buffer_id);
    }
    put_prop_u8(b, NXPINT_TABLE_ID, pi->table_id);
    put_prop_be64(b, NXPINT_COOKIE, pi->cookie);
    put_prop_u8(b, NXPINT_REASON, pi->reason);
    if (pi->metadata.size) {
        ASSERT(pi->metadata.format == OFPMSG_MATCH_NXM
               || pi->metadata.format == OFPMSG_MATCH_OXM);
        put_prop(b, NXPINT_METADATA, pi->metadata.data, pi->metadata.size);
    }
    if (pi->userdata_size) {
        put_prop(b, NXPINT_USERDATA, pi->userdata, pi->userdata_size);
    }
    if (pi->continuation_size) {
        put_prop(b, NXPINT_CONTINUATION, pi->continuation,
                 pi->continuation_size);
    }
    ofpmsg__finish(b, start);
}

/* Checks that a property's payload of 'size' bytes is 'want' bytes. */
static enum ofperr
prop_len(size_t size, size_t want)
{
    return size == want ? 0 : OFPERR_OFPBPC_BAD_LEN;
}

static enum ofperr
get_pin2_prop(uint16_t type, const uint8_t *v, size_t size,
              struct ofpmsg_packet_in2 *pi, bool *have_full_len)
{
    enum ofperr err = 0;
    switch (type) {
    case NXPINT_PACKET:
        pi->packet = v;
        pi->packet_size = size;
        break;
    case NXPINT_FULL_LEN:
        if (!(err = prop_len(size, 4))) {
            pi->full_len = ofpmsg__get32(v);
            *have_full_len = true;
        }
        break;
    case NXPINT_BUFFER_ID:
        if (!(err = prop_len(size, 4))) {
            pi->buffer_id = ofpmsg__get32(v);
        }
        break;
    case NXPINT_TABLE_ID:
        if (!(err = prop_len(size, 1))) {
            pi->table_id = v[0];
        }
        break;
    case NXPINT_COOKIE:
        if (!(err = prop_len(size, 12))) {
            pi->cookie = ofpmsg__get64(v + 4);
        }
        break;
    case NXPINT_REASON:
        if (!(err = prop_len(size, 1))) {
            pi->reason = v[0];
        }
        break;
    case NXPINT_METADATA: {
        const uint8_t *p = v;
        size_t left = OFPMSG_PAD8(size);
        /* The padding after the entries belongs to the property. */
        err = ofpmsg__pull_nxm_match(&p, &left, size, &pi->metadata);
        break;
    }
    case NXPINT_USERDATA:
        pi->userdata = v;
        pi->userdata_size = size;
        break;
    case NXPINT_CONTINUATION:
        pi->continuation = v;
        pi->continuation_size = size;
        break;
    default:
        break;                  /* Unknown properties are skipped. */
    }
    return err;
}

/* Decodes NXT_PACKET_IN2 or NXT_RESUME.  A packet property is required. */
enum ofperr
ofpmsg_decode_packet_in2(const struct ofpmsg *msg,
                         struct ofpmsg_packet_in2 *pi)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    bool have_full_len = false;
    bool have_packet = false;
    memset(pi, 0, sizeof *pi);
    pi->buffer_id = OFP_NO_BUFFER;
    pi->metadata.format = OFPMSG_MATCH_NXM;
    while (left) {
        if (left < 4) {
            return OFPERR_OFPBPC_BAD_LEN;
        }
        uint16_t type = ofpmsg__get16(p);
        uint16_t len = ofpmsg__get16(p + 2);
        if (len < 4 || len > left) {
            return OFPERR_OFPBPC_BAD_LEN;
        }
        size_t padded = OFPMSG_PAD8(len);
        if (padded > left) {
            return OFPERR_OFPBPC_BAD_LEN;
        }
        enum ofperr err = get_pin2_prop(type, p + 4, len - 4u, pi,
                                     &have_full_len);
        if (err) {
            return err;
        }
        have_packet |= type == NXPINT_PACKET;
        p += padded;
        left -= padded;
    }
    if (!have_packet) {
        return OFPERR_OFPBRC_BAD_PACKET;
    }
    if (!have_full_len) {
        pi->full_len = (uint32_t) pi->packet_size;
    }
    return 0;
}

/* Appends NXT_TLV_TABLE_MOD, or NXT_TLV_TABLE_REPLY if 'reply'. */
void
ofpmsg_encode_tlv_table(uint8_t version, uint32_t xid, bool reply,
                        const struct ofpmsg_tlv_table *t, struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, reply ? OFPMSG_NXT_TLV_TABLE_REPLY
                                 : OFPMSG_NXT_TLV_TABLE_MOD,
                                 OFPMSG_NX, version, xid);
    if (reply) {
        ofpbuf_put_be32(b, t->max_option_space);
        ofpbuf_put_be16(b, t->max_fields);
        ofpbuf_put_zeros(b, 10);
    } else {
        ofpbuf_put_be16(b, t->command);
        ofpbuf_put_zeros(b, 6);
    }
    ASSERT(t->n_maps <= OFPMSG_MAX_TLV_MAPS);
    for (size_t i = 0; i < t->n_maps; i++) {
        const struct ofpmsg_tlv_map *m = &t->maps[i];
        ofpbuf_put_be16(b, m->option_class);
        ofpbuf_put_u8(b, m->option_type);
        ofpbuf_put_u8(b, m->option_len);
        ofpbuf_put_be16(b, m->index);
        ofpbuf_put_zeros(b, 2);
    }
    ofpmsg__finish(b, start);
}

/* Decodes NXT_TLV_TABLE_MOD or NXT_TLV_TABLE_REPLY.  More than
 * OFPMSG_MAX_TLV_MAPS mappings is an error (OVS calls it "too many"; the
 * nearest standard error is OFPBRC_BAD_LEN). */
enum ofperr
ofpmsg_decode_tlv_table(const struct ofpmsg *msg, struct ofpmsg_tlv_table *t)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    memset(t, 0, sizeof *t);
    if (left < 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if (msg->type == OFPMSG_NXT_TLV_TABLE_REPLY) {
        if (left < 16) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        t->max_option_space = ofpmsg__get32(p);
        t->max_fields = ofpmsg__get16(p + 4);
        p += 16;
        left -= 16;
    } else {
        t->command = ofpmsg__get16(p);
        p += 8;
        left -= 8;
    }
    if (left % 8 || left / 8 > OFPMSG_MAX_TLV_MAPS) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    for (; left; p += 8, left -= 8) {
        struct ofpmsg_tlv_map *m = &t->maps[t->n_maps++];
        m->option_class = ofpmsg__get16(p);
        m->option_type = p[2];
        m->option_len = p[3];
        m->index = ofpmsg__get16(p + 4);
    }
    return 0;
}
