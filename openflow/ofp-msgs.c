/* OpenFlow message framing, classification and the codecs of the
 * non-multipart standard messages.  Groups and bundles are in
 * ofp-msgs-group.c, multipart bodies in ofp-msgs-stats.c and the Nicira
 * messages in ofp-msgs-nx.c. */
#include "openflow/ofp-msgs.h"

#include <string.h>

#include "openflow/ofp-msgs-private.h"

/* One way of encoding one message type: which versions, which family,
 * which wire numbers. */
struct ofpmsg_def {
    enum ofpmsg_type type;      /* What it decodes to. */
    uint32_t versions;          /* Bitmap of versions with this layout. */
    enum ofpmsg_family family;  /* Standard, NX or ONF. */
    uint8_t wire_type;          /* Standard: ofp_header type. */
    bool mp;                    /* A multipart/stats message. */
    bool reply;                 /* Multipart: a reply. */
    uint16_t mp_type;           /* Multipart: OFPMP_*. */
    uint32_t subtype;           /* NX/ONF: subtype. */
    const char *name;           /* For logs. */
};

#define STD(T, VERS, WT) { OFPMSG_##T, VERS, OFPMSG_STD, WT, false, false, \
                           0, 0, "OFPT_" #T }
#define MP(T, VERS, REPLY, MPT, NAME)                                   \
    { OFPMSG_##T, VERS, OFPMSG_STD, 0, true, REPLY, MPT, 0,             \
      "OFPST_" NAME }
#define NX(T, NAME, SUB) { OFPMSG_##T, VALL, OFPMSG_NX, 0, false, false,  \
                           0, SUB, NAME }
#define NXST(T, NAME, REPLY, SUB) { OFPMSG_##T, VALL, OFPMSG_NX, 0, true, \
                                    REPLY, OFPMP_EXPERIMENTER, SUB, NAME }
#define ONF(T, SUB) { OFPMSG_##T, V13, OFPMSG_ONF, 0, false, false, 0,   \
                      SUB, "ONFT_" #T }

static const struct ofpmsg_def defs[] = {
    STD(HELLO, VALL, 0),
    STD(ERROR, VALL, 1),
    STD(ECHO_REQUEST, VALL, 2),
    STD(ECHO_REPLY, VALL, 3),
    STD(FEATURES_REQUEST, VALL, 5),
    STD(FEATURES_REPLY, VALL, 6),
    STD(GET_CONFIG_REQUEST, VALL, 7),
    STD(GET_CONFIG_REPLY, VALL, 8),
    STD(SET_CONFIG, VALL, 9),
    STD(PACKET_IN, VALL, 10),
    STD(FLOW_REMOVED, VALL, 11),
    STD(PORT_STATUS, VALL, 12),
    STD(PACKET_OUT, VALL, 13),
    STD(FLOW_MOD, VALL, 14),
    STD(PORT_MOD, V10, OFPT10_PORT_MOD),
    STD(BARRIER_REQUEST, V10, OFPT10_BARRIER_REQUEST),
    STD(BARRIER_REPLY, V10, OFPT10_BARRIER_REPLY),
    STD(GROUP_MOD, V13UP, OFPT13_GROUP_MOD),
    STD(PORT_MOD, V13UP, OFPT13_PORT_MOD),
    STD(TABLE_MOD, V13UP, OFPT13_TABLE_MOD),
    STD(BARRIER_REQUEST, V13UP, OFPT13_BARRIER_REQUEST),
    STD(BARRIER_REPLY, V13UP, OFPT13_BARRIER_REPLY),
    STD(ROLE_REQUEST, V13UP, OFPT13_ROLE_REQUEST),
    STD(ROLE_REPLY, V13UP, OFPT13_ROLE_REPLY),
    STD(GET_ASYNC_REQUEST, V13UP, OFPT13_GET_ASYNC_REQUEST),
    STD(GET_ASYNC_REPLY, V13UP, OFPT13_GET_ASYNC_REPLY),
    STD(SET_ASYNC, V13UP, OFPT13_SET_ASYNC),
    STD(METER_MOD, V13UP, OFPT13_METER_MOD),
    STD(BUNDLE_CONTROL, V14UP, OFPT14_BUNDLE_CONTROL),
    { OFPMSG_BUNDLE_ADD, V14UP, OFPMSG_STD, OFPT14_BUNDLE_ADD_MESSAGE, false,
      false, 0, 0, "OFPT_BUNDLE_ADD_MESSAGE" },
    ONF(BUNDLE_CONTROL, ONFT13_BUNDLE_CONTROL),
    { OFPMSG_BUNDLE_ADD, V13, OFPMSG_ONF, 0, false, false, 0,
      ONFT13_BUNDLE_ADD_MESSAGE, "ONFT_BUNDLE_ADD_MESSAGE" },

    MP(DESC_REQUEST, VALL, false, OFPMP_DESC, "DESC request"),
    MP(DESC_REPLY, VALL, true, OFPMP_DESC, "DESC reply"),
    MP(FLOW_STATS_REQUEST, VALL, false, OFPMP_FLOW, "FLOW request"),
    MP(FLOW_STATS_REPLY, VALL, true, OFPMP_FLOW, "FLOW reply"),
    MP(AGGREGATE_REQUEST, VALL, false, OFPMP_AGGREGATE, "AGGREGATE request"),
    MP(AGGREGATE_REPLY, VALL, true, OFPMP_AGGREGATE, "AGGREGATE reply"),
    MP(TABLE_STATS_REQUEST, VALL, false, OFPMP_TABLE, "TABLE request"),
    MP(TABLE_STATS_REPLY, VALL, true, OFPMP_TABLE, "TABLE reply"),
    MP(PORT_STATS_REQUEST, VALL, false, OFPMP_PORT_STATS, "PORT request"),
    MP(PORT_STATS_REPLY, VALL, true, OFPMP_PORT_STATS, "PORT reply"),
    MP(GROUP_STATS_REQUEST, V13UP, false, OFPMP_GROUP, "GROUP request"),
    MP(GROUP_STATS_REPLY, V13UP, true, OFPMP_GROUP, "GROUP reply"),
    MP(GROUP_DESC_REQUEST, V13UP, false, OFPMP_GROUP_DESC,
       "GROUP_DESC request"),
    MP(GROUP_DESC_REPLY, V13UP, true, OFPMP_GROUP_DESC, "GROUP_DESC reply"),
    MP(GROUP_FEATURES_REQUEST, V13UP, false, OFPMP_GROUP_FEATURES,
       "GROUP_FEATURES request"),
    MP(GROUP_FEATURES_REPLY, V13UP, true, OFPMP_GROUP_FEATURES,
       "GROUP_FEATURES reply"),
    MP(METER_STATS_REQUEST, V13UP, false, OFPMP_METER, "METER request"),
    MP(METER_STATS_REPLY, V13UP, true, OFPMP_METER, "METER reply"),
    MP(METER_CONFIG_REQUEST, V13UP, false, OFPMP_METER_CONFIG,
       "METER_CONFIG request"),
    MP(METER_CONFIG_REPLY, V13UP, true, OFPMP_METER_CONFIG,
       "METER_CONFIG reply"),
    MP(METER_FEATURES_REQUEST, V13UP, false, OFPMP_METER_FEATURES,
       "METER_FEATURES request"),
    MP(METER_FEATURES_REPLY, V13UP, true, OFPMP_METER_FEATURES,
       "METER_FEATURES reply"),
    MP(TABLE_FEATURES_REQUEST, V13UP, false, OFPMP_TABLE_FEATURES,
       "TABLE_FEATURES request"),
    MP(TABLE_FEATURES_REPLY, V13UP, true, OFPMP_TABLE_FEATURES,
       "TABLE_FEATURES reply"),
    MP(PORT_DESC_REQUEST, VALL, false, OFPMP_PORT_DESC, "PORT_DESC request"),
    MP(PORT_DESC_REPLY, VALL, true, OFPMP_PORT_DESC, "PORT_DESC reply"),

    NX(ROLE_REQUEST, "NXT_ROLE_REQUEST", NXT_ROLE_REQUEST),
    NX(ROLE_REPLY, "NXT_ROLE_REPLY", NXT_ROLE_REPLY),
    NX(NXT_SET_FLOW_FORMAT, "NXT_SET_FLOW_FORMAT", NXT_SET_FLOW_FORMAT),
    NX(FLOW_MOD, "NXT_FLOW_MOD", NXT_FLOW_MOD),
    NX(NXT_FLOW_MOD_TABLE_ID, "NXT_FLOW_MOD_TABLE_ID",
       NXT_FLOW_MOD_TABLE_ID),
    NX(NXT_SET_PACKET_IN_FORMAT, "NXT_SET_PACKET_IN_FORMAT",
       NXT_SET_PACKET_IN_FORMAT),
    NX(NXT_SET_ASYNC_CONFIG, "NXT_SET_ASYNC_CONFIG", NXT_SET_ASYNC_CONFIG),
    NX(NXT_SET_CONTROLLER_ID, "NXT_SET_CONTROLLER_ID",
       NXT_SET_CONTROLLER_ID),
    NX(NXT_TLV_TABLE_MOD, "NXT_TLV_TABLE_MOD", NXT_TLV_TABLE_MOD),
    NX(NXT_TLV_TABLE_REQUEST, "NXT_TLV_TABLE_REQUEST",
       NXT_TLV_TABLE_REQUEST),
    NX(NXT_TLV_TABLE_REPLY, "NXT_TLV_TABLE_REPLY", NXT_TLV_TABLE_REPLY),
    NX(NXT_RESUME, "NXT_RESUME", NXT_RESUME),
    NX(NXT_CT_FLUSH_ZONE, "NXT_CT_FLUSH_ZONE", NXT_CT_FLUSH_ZONE),
    NX(NXT_PACKET_IN2, "NXT_PACKET_IN2", NXT_PACKET_IN2),
    NXST(FLOW_STATS_REQUEST, "NXST_FLOW request", false, NXST_FLOW),
    NXST(FLOW_STATS_REPLY, "NXST_FLOW reply", true, NXST_FLOW),
    NXST(AGGREGATE_REQUEST, "NXST_AGGREGATE request", false,
         NXST_AGGREGATE),
    NXST(AGGREGATE_REPLY, "NXST_AGGREGATE reply", true, NXST_AGGREGATE),
    NX(NXT_FLOW_MONITOR_CANCEL, "NXT_FLOW_MONITOR_CANCEL",
       NXT_FLOW_MONITOR_CANCEL),
    NX(NXT_FLOW_MONITOR_PAUSED, "NXT_FLOW_MONITOR_PAUSED",
       NXT_FLOW_MONITOR_PAUSED),
    NX(NXT_FLOW_MONITOR_RESUMED, "NXT_FLOW_MONITOR_RESUMED",
       NXT_FLOW_MONITOR_RESUMED),
    NXST(FLOW_MONITOR_REQUEST, "NXST_FLOW_MONITOR request", false,
         NXST_FLOW_MONITOR),
    NXST(FLOW_MONITOR_REPLY, "NXST_FLOW_MONITOR reply", true,
         NXST_FLOW_MONITOR),
};

/* Returns a static name for 'type' in its standard spelling, as
 * ovs-ofctl prints it: "OFPT_GROUP_MOD", "OFPST_FLOW request" (the NXM
 * variants of types that have one come out as the standard message; see
 * ofpmsg_name()). */
const char *
ofpmsg_type_name(enum ofpmsg_type type)
{
    for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
        if (defs[i].type == type) {
            return defs[i].name;
        }
    }
    return "UNKNOWN";
}

/* Returns a static name for classified 'msg' as ovs-ofctl prints it,
 * telling the encodings apart: "OFPT_FLOW_MOD" or "NXT_FLOW_MOD",
 * "OFPST_FLOW request" or "NXST_FLOW request", "ONFT_BUNDLE_CONTROL". */
const char *
ofpmsg_name(const struct ofpmsg *msg)
{
    for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
        if (defs[i].type == msg->type && defs[i].family == msg->family
            && (defs[i].versions & (1u << msg->version))) {
            return defs[i].name;
        }
    }
    return ofpmsg_type_name(msg->type);
}

/* Returns true if 'type' is a reply to a request. */
bool
ofpmsg_is_reply(enum ofpmsg_type type)
{
    for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
        if (defs[i].type == type) {
            if (defs[i].mp) {
                return defs[i].reply;
            }
            break;
        }
    }
    switch (type) {
    case OFPMSG_ECHO_REPLY:
    case OFPMSG_FEATURES_REPLY:
    case OFPMSG_GET_CONFIG_REPLY:
    case OFPMSG_BARRIER_REPLY:
    case OFPMSG_ROLE_REPLY:
    case OFPMSG_GET_ASYNC_REPLY:
    case OFPMSG_NXT_TLV_TABLE_REPLY:
        return true;
    default:
        return false;
    }
}

/* Returns true if 'msg' is a multipart (stats) request or reply. */
bool
ofpmsg_is_multipart(const struct ofpmsg *msg)
{
    return (msg->version == OFP10_VERSION
            ? msg->wire_type == OFPT10_STATS_REQUEST
              || msg->wire_type == OFPT10_STATS_REPLY
            : msg->wire_type == OFPT13_MULTIPART_REQUEST
              || msg->wire_type == OFPT13_MULTIPART_REPLY);
}

/* Framing: looks at the start of a byte stream ('size' bytes at 'data').
 * If it holds a whole message, stores its length in '*msg_size'; if more
 * bytes are needed, stores 0.  Returns 0, or OFPERR_OFPBRC_BAD_LEN if the
 * length field is below the 8-byte header (the stream cannot be
 * resynchronized and the connection should be closed after replying). */
enum ofperr
ofpmsg_frame(const void *data, size_t size, size_t *msg_size)
{
    const uint8_t *p = data;
    *msg_size = 0;
    if (size < OFP_HEADER_LEN) {
        return 0;
    }
    uint16_t len = ofpmsg__get16(p + 2);
    if (len < OFP_HEADER_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if (size >= len) {
        *msg_size = len;
    }
    return 0;
}

static const struct ofpmsg_def *
find_def(uint8_t version, enum ofpmsg_family family, bool mp, bool reply,
         uint8_t wire_type, uint16_t mp_type, uint32_t subtype)
{
    uint32_t vbit = 1u << version;
    for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
        const struct ofpmsg_def *d = &defs[i];
        if (!(d->versions & vbit) || d->family != family || d->mp != mp) {
            continue;
        }
        if (mp) {
            if (d->reply == reply && d->mp_type == mp_type
                && (family == OFPMSG_STD || d->subtype == subtype)) {
                return d;
            }
        } else if (family == OFPMSG_STD ? d->wire_type == wire_type
                   : d->subtype == subtype) {
            return d;
        }
    }
    return NULL;
}

static enum ofpmsg_family
family_of(uint32_t vendor)
{
    return (vendor == NX_VENDOR_ID ? OFPMSG_NX
            : vendor == ONF_VENDOR_ID ? OFPMSG_ONF
            : OFPMSG_STD);
}

static enum ofperr
classify_multipart(const uint8_t *p, size_t size, struct ofpmsg *msg)
{
    bool v10 = msg->version == OFP10_VERSION;
    bool reply = msg->wire_type == (v10 ? OFPT10_STATS_REPLY
                                    : OFPT13_MULTIPART_REPLY);
    size_t hlen = v10 ? 12 : 16;
    if (size < hlen) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    msg->mp_type = ofpmsg__get16(p + 8);
    msg->mp_flags = ofpmsg__get16(p + 10);

    enum ofpmsg_family family = OFPMSG_STD;
    if (msg->mp_type == OFPMP_EXPERIMENTER) {
        /* OF1.0: vendor, subtype, pad[4]; OF1.1+: experimenter, exp_type
         * after the 16-byte multipart header.  Both 24 bytes. */
        if (size < 24) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        uint32_t vendor = ofpmsg__get32(p + (v10 ? 12 : 16));
        msg->subtype = ofpmsg__get32(p + (v10 ? 16 : 20));
        family = family_of(vendor);
        if (family != OFPMSG_NX) {
            return OFPERR_OFPBRC_BAD_EXPERIMENTER;
        }
        hlen = 24;
    }
    const struct ofpmsg_def *d = find_def(msg->version, family, true, reply,
                                          0, msg->mp_type, msg->subtype);
    if (!d) {
        return (family == OFPMSG_STD
                ? OFPERR_OFPBRC_BAD_MULTIPART
                : OFPERR_OFPBRC_BAD_EXP_TYPE);
    }
    msg->type = d->type;
    msg->family = family;
    msg->body = p + hlen;
    msg->body_size = size - hlen;
    return 0;
}

/* Checks the header of the message in the 'size' bytes at 'data', which
 * must be exactly one message, and fills in 'msg' (whose pointers borrow
 * 'data').  Returns 0 or an error: OFPBRC_BAD_LEN if the length field is
 * not 'size' or a header is short, OFPBRC_BAD_VERSION for a version Kiln
 * does not speak (a hello of any version is accepted, for negotiation),
 * OFPBRC_BAD_TYPE, OFPBRC_BAD_MULTIPART, OFPBRC_BAD_EXPERIMENTER or
 * OFPBRC_BAD_EXP_TYPE for an unknown message. */
enum ofperr
ofpmsg_classify(const void *data, size_t size, struct ofpmsg *msg)
{
    const uint8_t *p = data;
    memset(msg, 0, sizeof *msg);
    if (size < OFP_HEADER_LEN || ofpmsg__get16(p + 2) != size) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    msg->version = p[0];
    msg->wire_type = p[1];
    msg->xid = ofpmsg__get32(p + 4);
    msg->data = p;
    msg->size = size;
    msg->body = p + OFP_HEADER_LEN;
    msg->body_size = size - OFP_HEADER_LEN;

    if (msg->wire_type == 0 && msg->version) {
        msg->type = OFPMSG_HELLO;
        return 0;
    }
    if (msg->version >= 32
        || !(OFP_SUPPORTED_VERSIONS & (1u << msg->version))) {
        return OFPERR_OFPBRC_BAD_VERSION;
    }
    if (ofpmsg_is_multipart(msg)) {
        return classify_multipart(p, size, msg);
    }

    enum ofpmsg_family family = OFPMSG_STD;
    if (msg->wire_type == OFPT10_VENDOR) {  /* Same number in OF1.3+. */
        if (size < 16) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        family = family_of(ofpmsg__get32(p + 8));
        if (family == OFPMSG_STD) {
            return OFPERR_OFPBRC_BAD_EXPERIMENTER;
        }
        msg->subtype = ofpmsg__get32(p + 12);
        msg->body = p + 16;
        msg->body_size = size - 16;
    }
    const struct ofpmsg_def *d = find_def(msg->version, family, false, false,
                                          msg->wire_type, 0, msg->subtype);
    if (!d) {
        return (family == OFPMSG_STD
                ? OFPERR_OFPBRC_BAD_TYPE
                : OFPERR_OFPBRC_BAD_EXP_TYPE);
    }
    msg->type = d->type;
    msg->family = family;
    return 0;
}

/* Starts iterating over the 'size' bytes at 'p', entries of a body of
 * 'msg'. */
void
ofpmsg_iter_init(struct ofpmsg_iter *it, const struct ofpmsg *msg,
                 const uint8_t *p, size_t size)
{
    it->p = p;
    it->left = size;
    it->version = msg->version;
    it->family = msg->family;
    it->index = 0;
}

/* Appends the headers of a message of 'type' in 'version' and 'family' to
 * 'b' (the multipart and vendor headers included, with the length left 0)
 * and returns the offset of its start, for ofpmsg__finish().  The type
 * must exist in that version and family. */
size_t
ofpmsg__start(struct ofpbuf *b, enum ofpmsg_type type,
              enum ofpmsg_family family, uint8_t version, uint32_t xid)
{
    const struct ofpmsg_def *d = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
        if (defs[i].type == type && defs[i].family == family
            && (defs[i].versions & (1u << version))) {
            d = &defs[i];
            break;
        }
    }
    ASSERT(d);
    size_t start = b->size;
    bool v10 = version == OFP10_VERSION;
    uint8_t wire_type = d->wire_type;
    if (d->mp) {
        wire_type = (v10 ? (d->reply ? OFPT10_STATS_REPLY
                            : OFPT10_STATS_REQUEST)
                     : (d->reply ? OFPT13_MULTIPART_REPLY
                        : OFPT13_MULTIPART_REQUEST));
    } else if (family != OFPMSG_STD) {
        wire_type = OFPT10_VENDOR;
    }
    ofpbuf_put_u8(b, version);
    ofpbuf_put_u8(b, wire_type);
    ofpbuf_put_be16(b, 0);
    ofpbuf_put_be32(b, xid);
    if (d->mp) {
        ofpbuf_put_be16(b, d->mp_type);
        ofpbuf_put_be16(b, 0);
        if (!v10) {
            ofpbuf_put_zeros(b, 4);
        }
        if (family != OFPMSG_STD) {
            ofpbuf_put_be32(b, NX_VENDOR_ID);
            ofpbuf_put_be32(b, d->subtype);
            if (v10) {
                ofpbuf_put_zeros(b, 4);
            }
        }
    } else if (family != OFPMSG_STD) {
        ofpbuf_put_be32(b, family == OFPMSG_NX ? NX_VENDOR_ID
                        : ONF_VENDOR_ID);
        ofpbuf_put_be32(b, d->subtype);
    }
    return start;
}

/* Sets the length field of the message that starts at 'start' in 'b' and
 * runs to its end.  The message must fit in 64 KiB. */
void
ofpmsg__finish(struct ofpbuf *b, size_t start)
{
    size_t len = b->size - start;
    ASSERT(len >= OFP_HEADER_LEN && len <= OFP_MAX_MSG_LEN);
    ofpbuf_set_be16(b, start + 2, (uint16_t) len);
}

/* Checks that the 'size' bytes at 'p' are a list of TLVs with a 16-bit
 * type and a 16-bit length (counting the header) that is a nonzero
 * multiple of 8 and stays inside.  Returns 0 or 'err'. */
enum ofperr
ofpmsg__check_tlvs(const uint8_t *p, size_t size, enum ofperr err)
{
    while (size) {
        if (size < 4) {
            return err;
        }
        uint16_t len = ofpmsg__get16(p + 2);
        if (len < 8 || len % 8 || len > size) {
            return err;
        }
        p += len;
        size -= len;
    }
    return 0;
}

/* Checks the framing of 'acts' (an action or instruction list). */
enum ofperr
ofpmsg__check_actions(struct ofpmsg_actions *acts)
{
    enum ofperr err = (acts->format == OFPMSG_INSTRUCTIONS
                    ? OFPERR_OFPBIC_BAD_LEN
                    : OFPERR_OFPBAC_BAD_LEN);
    return ofpmsg__check_tlvs(acts->data, acts->size, err);
}

/* Checks that the 'size' bytes at 'p' are a list of OXM/NXM entries (a
 * 32-bit header whose low byte is the payload length). */
static enum ofperr
check_oxms(const uint8_t *p, size_t size)
{
    while (size) {
        if (size < 4) {
            return OFPERR_OFPBMC_BAD_LEN;
        }
        size_t len = 4 + p[3];
        if (len > size || len == 4) {
            return OFPERR_OFPBMC_BAD_LEN;
        }
        p += len;
        size -= len;
    }
    return 0;
}

/* Pulls an OF1.1+ ofp_match (OXM type, with its padding) from '*p'. */
enum ofperr
ofpmsg__pull_oxm_match(const uint8_t **p, size_t *left,
                       struct ofpmsg_match *match)
{
    if (*left < 4) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t type = ofpmsg__get16(*p);
    uint16_t len = ofpmsg__get16(*p + 2);
    if (type != 1) {            /* OFPMT_OXM. */
        return OFPERR_OFPBMC_BAD_TYPE;
    }
    if (len < 4 || OFPMSG_PAD8(len) > *left) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    match->format = OFPMSG_MATCH_OXM;
    match->data = *p + 4;
    match->size = len - 4;
    enum ofperr err = check_oxms(match->data, match->size);
    if (err) {
        return err;
    }
    *p += OFPMSG_PAD8(len);
    *left -= OFPMSG_PAD8(len);
    return 0;
}

/* Pulls 'match_len' bytes of NXM entries plus padding to 8 from '*p'. */
enum ofperr
ofpmsg__pull_nxm_match(const uint8_t **p, size_t *left, size_t match_len,
                       struct ofpmsg_match *match)
{
    if (OFPMSG_PAD8(match_len) > *left) {
        return OFPERR_OFPBMC_BAD_LEN;
    }
    match->format = OFPMSG_MATCH_NXM;
    match->data = *p;
    match->size = match_len;
    enum ofperr err = check_oxms(match->data, match->size);
    if (err) {
        return err;
    }
    *p += OFPMSG_PAD8(match_len);
    *left -= OFPMSG_PAD8(match_len);
    return 0;
}

/* NXM_NX_COOKIE / NXM_NX_COOKIE_W (class 1, field 30): in an NXST_FLOW /
 * NXST_AGGREGATE request or an NXT_FLOW_MOD, the cookie to select flows
 * by travels inside the nx_match. */
#define NXM_COOKIE_FIELD (0x00013c00u >> 9)

/* Looks for NXM_NX_COOKIE(_W) in NXM 'match' (already framed by
 * ofpmsg__pull_nxm_match()).  Sets '*found' and, if found, '*cookie' and
 * '*cookie_mask' (all-ones for the unmasked form).  Returns 0 or an
 * OFPBMC_* error (wrong length, twice, value bits outside the mask). */
enum ofperr
ofpmsg__nxm_cookie(const struct ofpmsg_match *match, bool *found,
                   uint64_t *cookie, uint64_t *cookie_mask)
{
    const uint8_t *p = match->data;
    size_t left = match->format == OFPMSG_MATCH_NXM ? match->size : 0;
    *found = false;
    while (left >= 4) {
        uint32_t h = ofpmsg__get32(p);
        size_t len = 4 + (h & 0xff);
        if (len > left) {
            break;              /* Framing is check_oxms()'s job. */
        }
        if (h >> 9 == NXM_COOKIE_FIELD) {
            bool hm = (h >> 8) & 1;
            if ((h & 0xff) != (hm ? 16 : 8)) {
                return OFPERR_OFPBMC_BAD_LEN;
            }
            if (*found) {
                return OFPERR_OFPBMC_DUP_FIELD;
            }
            *found = true;
            *cookie = ofpmsg__get64(p + 4);
            *cookie_mask = hm ? ofpmsg__get64(p + 12) : UINT64_MAX;
            if (*cookie & ~*cookie_mask) {
                return OFPERR_OFPBMC_BAD_WILDCARDS;
            }
        }
        p += len;
        left -= len;
    }
    return 0;
}

/* Appends NXM 'match' and, if 'cookie_mask' is nonzero, an
 * NXM_NX_COOKIE(_W) entry for 'cookie' (unmasked for an all-ones mask, as
 * ovs-ofctl sends it), then pads to 8 bytes.  Returns the match length
 * without the padding, for the caller's match_len field. */
size_t
ofpmsg__put_nxm_match(struct ofpbuf *b, const struct ofpmsg_match *match,
                      uint64_t cookie, uint64_t cookie_mask)
{
    size_t start = b->size;
    if (match->size) {
        ofpbuf_put(b, match->data, match->size);
    }
    if (cookie_mask == UINT64_MAX) {
        ofpbuf_put_be32(b, NXM_COOKIE_FIELD << 9 | 8);
        ofpbuf_put_be64(b, cookie);
    } else if (cookie_mask) {
        ofpbuf_put_be32(b, NXM_COOKIE_FIELD << 9 | 1u << 8 | 16);
        ofpbuf_put_be64(b, cookie & cookie_mask);
        ofpbuf_put_be64(b, cookie_mask);
    }
    size_t len = b->size - start;
    ofpbuf_pad_to(b, 8, start);
    return len;
}

/* Appends 'match' (OXM, or none for an empty one) as an OF1.1+ ofp_match
 * with its padding. */
void
ofpmsg__put_oxm_match(struct ofpbuf *b, const struct ofpmsg_match *match)
{
    ASSERT(match->format == OFPMSG_MATCH_OXM
           || match->format == OFPMSG_MATCH_NONE);
    size_t start = b->size;
    size_t size = match->format == OFPMSG_MATCH_OXM ? match->size : 0;
    ofpbuf_put_be16(b, 1);
    ofpbuf_put_be16(b, (uint16_t) (4 + size));
    if (size) {
        ofpbuf_put(b, match->data, size);
    }
    ofpbuf_pad_to(b, 8, start);
}

/* Appends the bytes of 'acts'. */
void
ofpmsg__put_actions(struct ofpbuf *b, const struct ofpmsg_actions *acts)
{
    if (acts->size) {
        ofpbuf_put(b, acts->data, acts->size);
    }
}

/* Hello. */

/* Appends a hello offering the versions in 'bitmap' (bit N = version N):
 * the header carries the highest, and a VERSIONBITMAP element follows when
 * that is 1.3 or later (a 1.0-only hello is the plain 8-byte one, as 1.0
 * peers expect). */
void
ofpmsg_encode_hello(uint32_t bitmap, uint32_t xid, struct ofpbuf *b)
{
    ASSERT(bitmap);
    uint8_t version = 31 - __builtin_clz(bitmap);
    size_t start = b->size;
    ofpbuf_put_u8(b, version);
    ofpbuf_put_u8(b, 0);
    ofpbuf_put_be16(b, 0);
    ofpbuf_put_be32(b, xid);
    if (version >= OFP13_VERSION) {
        ofpbuf_put_be16(b, OFPHET_VERSIONBITMAP);
        ofpbuf_put_be16(b, 8);
        ofpbuf_put_be32(b, bitmap);
    }
    ofpmsg__finish(b, start);
}

/* Decodes a hello.  Elements other than the version bitmap are skipped, as
 * OpenFlow 1.3.5 7.5.1 asks. */
enum ofperr
ofpmsg_decode_hello(const struct ofpmsg *msg, struct ofpmsg_hello *hello)
{
    hello->version = msg->version;
    hello->has_bitmap = false;
    hello->bitmap = (msg->version >= 31 ? UINT32_MAX
                     : (2u << msg->version) - 1) & ~1u;
    if (msg->version < OFP13_VERSION) {
        return 0;               /* 1.0-1.2: the body means nothing. */
    }
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    while (left >= 4) {
        uint16_t type = ofpmsg__get16(p);
        uint16_t len = ofpmsg__get16(p + 2);
        if (len < 4 || len > left) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        if (type == OFPHET_VERSIONBITMAP) {
            if (len < 8) {
                return OFPERR_OFPBRC_BAD_LEN;
            }
            hello->has_bitmap = true;
            hello->bitmap = ofpmsg__get32(p + 4);
        }
        size_t padded = OFPMSG_PAD8(len);
        if (padded > left) {
            padded = left;      /* Tolerate a missing final pad. */
        }
        p += padded;
        left -= padded;
    }
    return 0;
}

/* Picks the version to speak with a peer whose hello is 'peer', given the
 * versions Kiln offers in 'local_bitmap': the highest version in both
 * bitmaps (a hello without a bitmap offers every version up to its
 * header's), OpenFlow 1.3.5 6.3.1.  Versions Kiln does not implement
 * (1.1, 1.2) never count.  Returns 0 and sets '*version', or
 * OFPET_HELLO_FAILED/OFPHFC_INCOMPATIBLE. */
enum ofperr
ofpmsg_negotiate(uint32_t local_bitmap, const struct ofpmsg_hello *peer,
                 uint8_t *version)
{
    uint32_t common = local_bitmap & peer->bitmap & OFP_SUPPORTED_VERSIONS;
    if (!common) {
        return OFPERR_OFPHFC_INCOMPATIBLE;
    }
    *version = 31 - __builtin_clz(common);
    return 0;
}

/* Echo and header-only messages. */

/* Appends an echo request or reply carrying the 'size' bytes at 'data'. */
void
ofpmsg_encode_echo(uint8_t version, uint32_t xid, bool reply,
                   const void *data, size_t size, struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, reply ? OFPMSG_ECHO_REPLY
                                 : OFPMSG_ECHO_REQUEST,
                                 OFPMSG_STD, version, xid);
    if (size) {
        ofpbuf_put(b, data, size);
    }
    ofpmsg__finish(b, start);
}

/* Appends a message of 'type' that has no body in 'version': features,
 * get-config and barrier requests, barrier replies, the body-less
 * multipart requests (desc, table, group features, port desc and group
 * desc before 1.5), NXT_TLV_TABLE_REQUEST. */
void
ofpmsg_encode_simple(enum ofpmsg_type type, uint8_t version, uint32_t xid,
                     struct ofpbuf *b)
{
    enum ofpmsg_family family = (type >= OFPMSG_NXT_SET_FLOW_FORMAT
                                 ? OFPMSG_NX : OFPMSG_STD);
    size_t start = ofpmsg__start(b, type, family, version, xid);
    ofpmsg__finish(b, start);
}

/* Error. */

/* Appends an error message. */
void
ofpmsg_encode_error(uint8_t version, uint32_t xid,
                    const struct ofpmsg_error *e, struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_ERROR, OFPMSG_STD, version, xid);
    ofpbuf_put_be16(b, e->type);
    ofpbuf_put_be16(b, e->code);
    if (e->type == OFPET_EXPERIMENTER && version != OFP10_VERSION) {
        ofpbuf_put_be32(b, e->experimenter);
    }
    size_t room = OFP_MAX_MSG_LEN - (b->size - start);
    if (e->size) {
        ofpbuf_put(b, e->data, MIN(e->size, room));
    }
    ofpmsg__finish(b, start);
}

/* Appends the error reply for 'err' to the request in the 'request_size'
 * bytes at 'request', with the same version (or 1.0 for a version Kiln
 * lacks) and xid and the request's first 64 bytes as data (OpenFlow 1.3.5
 * 7.4.4).  The type and code are those of that version (ofperr_encode());
 * an error the version cannot express goes out as OFPBRC_EPERM. */
void
ofpmsg_encode_error_reply(enum ofperr err, const void *request,
                          size_t request_size, struct ofpbuf *b)
{
    const uint8_t *p = request;
    uint8_t version = request_size >= 1 ? p[0] : OFP10_VERSION;
    uint32_t xid = request_size >= 8 ? ofpmsg__get32(p + 4) : 0;
    if (version >= 32 || !(OFP_SUPPORTED_VERSIONS & (1u << version))) {
        version = OFP10_VERSION;
    }
    struct ofpmsg_error e = {
        .data = request,
        .size = MIN(request_size, 64),
    };
    if (!ofperr_encode(err, version, &e.type, &e.code)
        && !ofperr_encode(OFPERR_OFPBRC_EPERM, version, &e.type, &e.code)) {
        e.type = 1;
        e.code = 5;
    }
    ofpmsg_encode_error(version, xid, &e, b);
}

/* Decodes an error message. */
enum ofperr
ofpmsg_decode_error(const struct ofpmsg *msg, struct ofpmsg_error *e)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    if (left < 4) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    e->type = ofpmsg__get16(p);
    e->code = ofpmsg__get16(p + 2);
    e->experimenter = 0;
    p += 4;
    left -= 4;
    if (e->type == OFPET_EXPERIMENTER && msg->version != OFP10_VERSION) {
        if (left < 4) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        e->experimenter = ofpmsg__get32(p);
        p += 4;
        left -= 4;
    }
    e->error = ofperr_decode(msg->version, e->type, e->code);
    e->data = p;
    e->size = left;
    return 0;
}

/* Ports. */

static size_t
port_size(uint8_t version)
{
    return version == OFP10_VERSION ? 48 : version == OFP13_VERSION ? 64
           : 72;
}

/* Appends 'port' in the layout of 'version' (OF1.0 48 bytes, OF1.3 64,
 * OF1.4+ 40 plus an Ethernet property). */
void
ofpmsg_put_port(struct ofpbuf *b, uint8_t version,
                const struct ofpmsg_port *port)
{
    if (version == OFP10_VERSION) {
        ofpbuf_put_be16(b, ofpmsg__port_to10(port->port_no));
        ofpbuf_put(b, port->hw_addr, 6);
        ofpmsg__put_str(b, port->name, 16);
    } else {
        ofpbuf_put_be32(b, port->port_no);
        if (version == OFP13_VERSION) {
            ofpbuf_put_zeros(b, 4);
        } else {
            ofpbuf_put_be16(b, 72);
            ofpbuf_put_zeros(b, 2);
        }
        ofpbuf_put(b, port->hw_addr, 6);
        ofpbuf_put_zeros(b, 2);
        ofpmsg__put_str(b, port->name, 16);
    }
    ofpbuf_put_be32(b, port->config);
    ofpbuf_put_be32(b, port->state);
    if (version >= OFP14_VERSION) {
        ofpbuf_put_be16(b, 0);  /* OFPPDPT_ETHERNET. */
        ofpbuf_put_be16(b, 32);
        ofpbuf_put_zeros(b, 4);
    }
    ofpbuf_put_be32(b, port->curr);
    ofpbuf_put_be32(b, port->advertised);
    ofpbuf_put_be32(b, port->supported);
    ofpbuf_put_be32(b, port->peer);
    if (version != OFP10_VERSION) {
        ofpbuf_put_be32(b, port->curr_speed);
        ofpbuf_put_be32(b, port->max_speed);
    }
}

static void
get_port_features(const uint8_t *p, bool speeds, struct ofpmsg_port *port)
{
    port->curr = ofpmsg__get32(p);
    port->advertised = ofpmsg__get32(p + 4);
    port->supported = ofpmsg__get32(p + 8);
    port->peer = ofpmsg__get32(p + 12);
    if (speeds) {
        port->curr_speed = ofpmsg__get32(p + 16);
        port->max_speed = ofpmsg__get32(p + 20);
    }
}

/* Decodes the OF1.4+ port at 'p' of 'len' bytes (checked >= 40). */
static enum ofperr
get_port14(const uint8_t *p, size_t len, struct ofpmsg_port *port)
{
    port->port_no = ofpmsg__get32(p);
    memcpy(port->hw_addr, p + 8, 6);
    ofpmsg__get_str(port->name, p + 16, 16);
    port->config = ofpmsg__get32(p + 32);
    port->state = ofpmsg__get32(p + 36);
    const uint8_t *prop = p + 40;
    size_t left = len - 40;
    while (left) {
        if (left < 4) {
            return OFPERR_OFPBPC_BAD_LEN;
        }
        uint16_t type = ofpmsg__get16(prop);
        uint16_t plen = ofpmsg__get16(prop + 2);
        if (plen < 4 || OFPMSG_PAD8(plen) > left) {
            return OFPERR_OFPBPC_BAD_LEN;
        }
        if (type == 0) {        /* OFPPDPT_ETHERNET. */
            if (plen < 32) {
                return OFPERR_OFPBPC_BAD_LEN;
            }
            get_port_features(prop + 8, true, port);
        }
        prop += OFPMSG_PAD8(plen);
        left -= OFPMSG_PAD8(plen);
    }
    return 0;
}

/* Pulls the next port from 'it' (a features reply's port list, a port desc
 * reply).  Returns 0, OFPMSG_EOF at the end, or an error. */
enum ofperr
ofpmsg_port_pull(struct ofpmsg_iter *it, struct ofpmsg_port *port)
{
    memset(port, 0, sizeof *port);
    if (!it->left) {
        return OFPMSG_EOF;
    }
    const uint8_t *p = it->p;
    size_t len = port_size(it->version);
    if (it->version >= OFP14_VERSION) {
        if (it->left < 40) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        len = ofpmsg__get16(p + 4);
        if (len < 40 || len % 8 || len > it->left) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        enum ofperr err = get_port14(p, len, port);
        if (err) {
            return err;
        }
    } else if (it->left < len) {
        return OFPERR_OFPBRC_BAD_LEN;
    } else if (it->version == OFP10_VERSION) {
        port->port_no = ofpmsg__port_from10(ofpmsg__get16(p));
        memcpy(port->hw_addr, p + 2, 6);
        ofpmsg__get_str(port->name, p + 8, 16);
        port->config = ofpmsg__get32(p + 24);
        port->state = ofpmsg__get32(p + 28);
        get_port_features(p + 32, false, port);
    } else {
        port->port_no = ofpmsg__get32(p);
        memcpy(port->hw_addr, p + 8, 6);
        ofpmsg__get_str(port->name, p + 16, 16);
        port->config = ofpmsg__get32(p + 32);
        port->state = ofpmsg__get32(p + 36);
        get_port_features(p + 40, true, port);
    }
    it->p += len;
    it->left -= len;
    it->index++;
    return 0;
}

/* Features reply. */

/* Appends a features reply; in OF1.0 with the port list. */
void
ofpmsg_encode_features_reply(uint8_t version, uint32_t xid,
                             const struct ofpmsg_features *f,
                             struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_FEATURES_REPLY, OFPMSG_STD,
                                 version, xid);
    ofpbuf_put_be64(b, f->datapath_id);
    ofpbuf_put_be32(b, f->n_buffers);
    ofpbuf_put_u8(b, f->n_tables);
    if (version == OFP10_VERSION) {
        ofpbuf_put_zeros(b, 3);
        ofpbuf_put_be32(b, f->capabilities);
        ofpbuf_put_be32(b, f->actions);
        for (size_t i = 0; i < f->n_ports; i++) {
            ofpmsg_put_port(b, version, &f->ports[i]);
        }
    } else {
        ofpbuf_put_u8(b, f->auxiliary_id);
        ofpbuf_put_zeros(b, 2);
        ofpbuf_put_be32(b, f->capabilities);
        ofpbuf_put_be32(b, 0);
    }
    ofpmsg__finish(b, start);
}

/* Decodes a features reply. */
enum ofperr
ofpmsg_decode_features_reply(const struct ofpmsg *msg,
                             struct ofpmsg_features *f)
{
    const uint8_t *p = msg->body;
    memset(f, 0, sizeof *f);
    if (msg->body_size < 24) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    f->datapath_id = ofpmsg__get64(p);
    f->n_buffers = ofpmsg__get32(p + 8);
    f->n_tables = p[12];
    f->capabilities = ofpmsg__get32(p + 16);
    if (msg->version == OFP10_VERSION) {
        f->actions = ofpmsg__get32(p + 20);
        f->ports_raw = p + 24;
        f->ports_raw_size = msg->body_size - 24;
        if (f->ports_raw_size % 48) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
    } else {
        f->auxiliary_id = p[13];
        if (msg->body_size != 24) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
    }
    return 0;
}

/* Switch config. */

/* Appends a get-config reply, or a set-config if 'set'. */
void
ofpmsg_encode_switch_config(uint8_t version, uint32_t xid, bool set,
                            const struct ofpmsg_switch_config *c,
                            struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, set ? OFPMSG_SET_CONFIG
                                 : OFPMSG_GET_CONFIG_REPLY,
                                 OFPMSG_STD, version, xid);
    ofpbuf_put_be16(b, c->flags);
    ofpbuf_put_be16(b, c->miss_send_len);
    ofpmsg__finish(b, start);
}

/* Decodes a get-config reply or set-config. */
enum ofperr
ofpmsg_decode_switch_config(const struct ofpmsg *msg,
                            struct ofpmsg_switch_config *c)
{
    if (msg->body_size != 4) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    c->flags = ofpmsg__get16(msg->body);
    c->miss_send_len = ofpmsg__get16(msg->body + 2);
    return 0;
}

/* Role. */

/* Appends a role request or reply: OF1.3+ layout, or NXT_ROLE_* in 1.0
 * (whose roles are other/master/slave = 0/1/2). */
void
ofpmsg_encode_role(uint8_t version, uint32_t xid, bool reply,
                   const struct ofpmsg_role *r, struct ofpbuf *b)
{
    enum ofpmsg_type type = reply ? OFPMSG_ROLE_REPLY : OFPMSG_ROLE_REQUEST;
    if (version == OFP10_VERSION) {
        size_t start = ofpmsg__start(b, type, OFPMSG_NX, version, xid);
        ofpbuf_put_be32(b, r->role == OFPCR_ROLE_MASTER ? 1
                        : r->role == OFPCR_ROLE_SLAVE ? 2 : 0);
        ofpmsg__finish(b, start);
    } else {
        size_t start = ofpmsg__start(b, type, OFPMSG_STD, version, xid);
        ofpbuf_put_be32(b, r->role);
        ofpbuf_put_zeros(b, 4);
        ofpbuf_put_be64(b, r->generation_id);
        ofpmsg__finish(b, start);
    }
}

/* Decodes a role request or reply (either layout). */
enum ofperr
ofpmsg_decode_role(const struct ofpmsg *msg, struct ofpmsg_role *r)
{
    const uint8_t *p = msg->body;
    if (msg->family == OFPMSG_NX) {
        if (msg->body_size != 4) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        uint32_t nx = ofpmsg__get32(p);
        if (nx > 2) {
            return OFPERR_OFPRRFC_BAD_ROLE;
        }
        r->role = nx == 1 ? OFPCR_ROLE_MASTER : nx == 2 ? OFPCR_ROLE_SLAVE
                  : OFPCR_ROLE_EQUAL;
        r->generation_id = UINT64_MAX;
        return 0;
    }
    if (msg->body_size != 16) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    r->role = ofpmsg__get32(p);
    r->generation_id = ofpmsg__get64(p + 8);
    return 0;
}

/* Port status. */

/* Appends a port status message. */
void
ofpmsg_encode_port_status(uint8_t version, uint32_t xid,
                          const struct ofpmsg_port_status *ps,
                          struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_PORT_STATUS, OFPMSG_STD, version,
                                 xid);
    ofpbuf_put_u8(b, ps->reason);
    ofpbuf_put_zeros(b, 7);
    ofpmsg_put_port(b, version, &ps->port);
    ofpmsg__finish(b, start);
}

/* Decodes a port status message. */
enum ofperr
ofpmsg_decode_port_status(const struct ofpmsg *msg,
                          struct ofpmsg_port_status *ps)
{
    if (msg->body_size < 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    ps->reason = msg->body[0];
    struct ofpmsg_iter it;
    ofpmsg_iter_init(&it, msg, msg->body + 8, msg->body_size - 8);
    enum ofperr err = ofpmsg_port_pull(&it, &ps->port);
    if (err == OFPMSG_EOF || (!err && it.left)) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    return err;
}

/* Flow removed. */

/* Appends 'v' as an OXS entry (OpenFlow 1.5.1 7.2.4) of class 0x8002,
 * field 'field', with 'len' value bytes. */
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

/* Appends a flow removed message. */
void
ofpmsg_encode_flow_removed(uint8_t version, uint32_t xid,
                           const struct ofpmsg_flow_removed *fr,
                           struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_FLOW_REMOVED, OFPMSG_STD,
                                 version, xid);
    if (version == OFP10_VERSION) {
        ASSERT(fr->match.format == OFPMSG_MATCH_OF10
               && fr->match.size == 40);
        ofpbuf_put(b, fr->match.data, 40);
        ofpbuf_put_be64(b, fr->cookie);
        ofpbuf_put_be16(b, fr->priority);
        ofpbuf_put_u8(b, fr->reason);
        ofpbuf_put_zeros(b, 1);
        ofpbuf_put_be32(b, fr->duration_sec);
        ofpbuf_put_be32(b, fr->duration_nsec);
        ofpbuf_put_be16(b, fr->idle_timeout);
        ofpbuf_put_zeros(b, 2);
        ofpbuf_put_be64(b, fr->packet_count);
        ofpbuf_put_be64(b, fr->byte_count);
    } else if (version <= OFP14_VERSION) {
        ofpbuf_put_be64(b, fr->cookie);
        ofpbuf_put_be16(b, fr->priority);
        ofpbuf_put_u8(b, fr->reason);
        ofpbuf_put_u8(b, fr->table_id);
        ofpbuf_put_be32(b, fr->duration_sec);
        ofpbuf_put_be32(b, fr->duration_nsec);
        ofpbuf_put_be16(b, fr->idle_timeout);
        ofpbuf_put_be16(b, fr->hard_timeout);
        ofpbuf_put_be64(b, fr->packet_count);
        ofpbuf_put_be64(b, fr->byte_count);
        ofpmsg__put_oxm_match(b, &fr->match);
    } else {
        ofpbuf_put_u8(b, fr->table_id);
        ofpbuf_put_u8(b, fr->reason);
        ofpbuf_put_be16(b, fr->priority);
        ofpbuf_put_be16(b, fr->idle_timeout);
        ofpbuf_put_be16(b, fr->hard_timeout);
        ofpbuf_put_be64(b, fr->cookie);
        ofpmsg__put_oxm_match(b, &fr->match);
        size_t stats = b->size;
        ofpbuf_put_be16(b, 0);
        ofpbuf_put_be16(b, 0);
        put_oxs(b, 0, (uint64_t) fr->duration_sec << 32 | fr->duration_nsec,
                8);
        put_oxs(b, 4, fr->packet_count, 8);
        put_oxs(b, 5, fr->byte_count, 8);
        ofpbuf_set_be16(b, stats + 2, (uint16_t) (b->size - stats));
        ofpbuf_pad_to(b, 8, stats);
    }
    ofpmsg__finish(b, start);
}

/* Reads the OF1.5 ofp_stats at '*p' into 'fr'. */
static enum ofperr
get_oxs_stats(const uint8_t *p, size_t left, struct ofpmsg_flow_removed *fr)
{
    if (left < 4) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t len = ofpmsg__get16(p + 2);
    if (len < 4 || OFPMSG_PAD8(len) != left) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *q = p + 4;
    size_t n = len - 4;
    while (n) {
        if (n < 4 || 4u + q[3] > n) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        uint16_t class = ofpmsg__get16(q);
        uint8_t field = q[2] >> 1;
        uint8_t vlen = q[3];
        if (class == 0x8002) {
            uint64_t v = vlen == 8 ? ofpmsg__get64(q + 4)
                         : vlen == 4 ? ofpmsg__get32(q + 4) : 0;
            if (field == 0) {
                fr->duration_sec = (uint32_t) (v >> 32);
                fr->duration_nsec = (uint32_t) v;
            } else if (field == 4) {
                fr->packet_count = v;
            } else if (field == 5) {
                fr->byte_count = v;
            }
        }
        q += 4 + vlen;
        n -= 4 + vlen;
    }
    return 0;
}

/* Decodes a flow removed message. */
enum ofperr
ofpmsg_decode_flow_removed(const struct ofpmsg *msg,
                           struct ofpmsg_flow_removed *fr)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    memset(fr, 0, sizeof *fr);
    if (msg->version == OFP10_VERSION) {
        if (left != 80) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        fr->match = (struct ofpmsg_match) { OFPMSG_MATCH_OF10, p, 40 };
        fr->cookie = ofpmsg__get64(p + 40);
        fr->priority = ofpmsg__get16(p + 48);
        fr->reason = p[50];
        fr->duration_sec = ofpmsg__get32(p + 52);
        fr->duration_nsec = ofpmsg__get32(p + 56);
        fr->idle_timeout = ofpmsg__get16(p + 60);
        fr->packet_count = ofpmsg__get64(p + 64);
        fr->byte_count = ofpmsg__get64(p + 72);
        return 0;
    }
    if (msg->version <= OFP14_VERSION) {
        if (left < 40) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        fr->cookie = ofpmsg__get64(p);
        fr->priority = ofpmsg__get16(p + 8);
        fr->reason = p[10];
        fr->table_id = p[11];
        fr->duration_sec = ofpmsg__get32(p + 12);
        fr->duration_nsec = ofpmsg__get32(p + 16);
        fr->idle_timeout = ofpmsg__get16(p + 20);
        fr->hard_timeout = ofpmsg__get16(p + 22);
        fr->packet_count = ofpmsg__get64(p + 24);
        fr->byte_count = ofpmsg__get64(p + 32);
        p += 40;
        left -= 40;
        enum ofperr err = ofpmsg__pull_oxm_match(&p, &left, &fr->match);
        return err ? err : left ? OFPERR_OFPBRC_BAD_LEN : 0;
    }
    if (left < 16) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    fr->table_id = p[0];
    fr->reason = p[1];
    fr->priority = ofpmsg__get16(p + 2);
    fr->idle_timeout = ofpmsg__get16(p + 4);
    fr->hard_timeout = ofpmsg__get16(p + 6);
    fr->cookie = ofpmsg__get64(p + 8);
    p += 16;
    left -= 16;
    enum ofperr err = ofpmsg__pull_oxm_match(&p, &left, &fr->match);
    return err ? err : get_oxs_stats(p, left, fr);
}

/* Packet in. */

/* Appends a packet in message, with as much of the packet as fits in one
 * message (OFP_MAX_MSG_LEN). */
void
ofpmsg_encode_packet_in(uint8_t version, uint32_t xid,
                        const struct ofpmsg_packet_in *pi, struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_PACKET_IN, OFPMSG_STD, version,
                                 xid);
    ofpbuf_put_be32(b, pi->buffer_id);
    ofpbuf_put_be16(b, pi->total_len);
    if (version == OFP10_VERSION) {
        ofpbuf_put_be16(b, ofpmsg__port_to10(pi->in_port));
        ofpbuf_put_u8(b, pi->reason);
        ofpbuf_put_zeros(b, 1);
    } else {
        ofpbuf_put_u8(b, pi->reason);
        ofpbuf_put_u8(b, pi->table_id);
        ofpbuf_put_be64(b, pi->cookie);
        ofpmsg__put_oxm_match(b, &pi->match);
        ofpbuf_put_zeros(b, 2);
    }
    /* Only what fits in one message: the length field is 16 bits. */
    size_t room = OFP_MAX_MSG_LEN - (b->size - start);
    size_t n = MIN(pi->packet_size, room);
    if (n) {
        ofpbuf_put(b, pi->packet, n);
    }
    ofpmsg__finish(b, start);
}

/* Decodes a packet in message. */
enum ofperr
ofpmsg_decode_packet_in(const struct ofpmsg *msg, struct ofpmsg_packet_in *pi)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    memset(pi, 0, sizeof *pi);
    if (msg->version == OFP10_VERSION) {
        if (left < 10) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        pi->buffer_id = ofpmsg__get32(p);
        pi->total_len = ofpmsg__get16(p + 4);
        pi->in_port = ofpmsg__port_from10(ofpmsg__get16(p + 6));
        pi->reason = p[8];
        p += 10;
        left -= 10;
    } else {
        if (left < 16) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        pi->buffer_id = ofpmsg__get32(p);
        pi->total_len = ofpmsg__get16(p + 4);
        pi->reason = p[6];
        pi->table_id = p[7];
        pi->cookie = ofpmsg__get64(p + 8);
        p += 16;
        left -= 16;
        enum ofperr err = ofpmsg__pull_oxm_match(&p, &left, &pi->match);
        if (err) {
            return err;
        }
        if (left < 2) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        p += 2;
        left -= 2;
    }
    pi->packet = p;
    pi->packet_size = left;
    return 0;
}

/* Packet out. */

/* Appends a packet out message. */
void
ofpmsg_encode_packet_out(uint8_t version, uint32_t xid,
                         const struct ofpmsg_packet_out *po,
                         struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_PACKET_OUT, OFPMSG_STD, version,
                                 xid);
    ofpbuf_put_be32(b, po->buffer_id);
    if (version == OFP10_VERSION) {
        ofpbuf_put_be16(b, ofpmsg__port_to10(po->in_port));
        ofpbuf_put_be16(b, (uint16_t) po->actions.size);
    } else if (version <= OFP14_VERSION) {
        ofpbuf_put_be32(b, po->in_port);
        ofpbuf_put_be16(b, (uint16_t) po->actions.size);
        ofpbuf_put_zeros(b, 6);
    } else {
        ofpbuf_put_be16(b, (uint16_t) po->actions.size);
        ofpbuf_put_zeros(b, 2);
        ofpmsg__put_oxm_match(b, &po->match);
    }
    ofpmsg__put_actions(b, &po->actions);
    if (po->packet_size) {
        ofpbuf_put(b, po->packet, po->packet_size);
    }
    ofpmsg__finish(b, start);
}

/* Decodes a packet out message. */
enum ofperr
ofpmsg_decode_packet_out(const struct ofpmsg *msg,
                         struct ofpmsg_packet_out *po)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    size_t actions_len;
    memset(po, 0, sizeof *po);
    po->actions.version = msg->version;
    po->actions.format = OFPMSG_ACTIONS_OF11;
    if (msg->version == OFP10_VERSION) {
        if (left < 8) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        po->buffer_id = ofpmsg__get32(p);
        po->in_port = ofpmsg__port_from10(ofpmsg__get16(p + 4));
        actions_len = ofpmsg__get16(p + 6);
        po->actions.format = OFPMSG_ACTIONS_OF10;
        p += 8;
        left -= 8;
    } else if (msg->version <= OFP14_VERSION) {
        if (left < 16) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        po->buffer_id = ofpmsg__get32(p);
        po->in_port = ofpmsg__get32(p + 4);
        actions_len = ofpmsg__get16(p + 8);
        p += 16;
        left -= 16;
    } else {
        if (left < 8) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        po->buffer_id = ofpmsg__get32(p);
        actions_len = ofpmsg__get16(p + 4);
        p += 8;
        left -= 8;
        enum ofperr err = ofpmsg__pull_oxm_match(&p, &left, &po->match);
        if (err) {
            return err;
        }
    }
    if (actions_len > left) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    po->actions.data = p;
    po->actions.size = actions_len;
    po->packet = p + actions_len;
    po->packet_size = left - actions_len;
    return ofpmsg__check_actions(&po->actions);
}

/* Flow mod. */

/* Appends a flow mod: OF1.0 if 'fm->match' is OF10, NXT_FLOW_MOD if it is
 * NXM (with OF1.0 actions), else the OF1.3+ layout with instructions. */
void
ofpmsg_encode_flow_mod(uint8_t version, uint32_t xid,
                       const struct ofpmsg_flow_mod *fm, struct ofpbuf *b)
{
    const struct ofpmsg_match *m = &fm->match;
    if (m->format == OFPMSG_MATCH_OF10 || m->format == OFPMSG_MATCH_NXM) {
        bool nxm = m->format == OFPMSG_MATCH_NXM;
        size_t start = ofpmsg__start(b, OFPMSG_FLOW_MOD,
                                     nxm ? OFPMSG_NX : OFPMSG_STD,
                                     version, xid);
        if (!nxm) {
            ASSERT(version == OFP10_VERSION && m->size == 40);
            ofpbuf_put(b, m->data, 40);
        }
        /* NXM: a cookie to select flows by goes in the match and the
         * fixed field keeps the new cookie. */
        bool match_cookie = nxm && fm->cookie_mask;
        ofpbuf_put_be64(b, match_cookie ? fm->new_cookie : fm->cookie);
        ofpbuf_put_be16(b, (uint16_t) (fm->table_id << 8 | fm->command));
        ofpbuf_put_be16(b, fm->idle_timeout);
        ofpbuf_put_be16(b, fm->hard_timeout);
        ofpbuf_put_be16(b, fm->priority);
        ofpbuf_put_be32(b, fm->buffer_id);
        ofpbuf_put_be16(b, ofpmsg__port_to10(fm->out_port));
        ofpbuf_put_be16(b, fm->flags);
        if (nxm) {
            size_t len_ofs = b->size;
            ofpbuf_put_be16(b, 0);
            ofpbuf_put_zeros(b, 6);
            size_t mlen = ofpmsg__put_nxm_match(b, m, fm->cookie,
                                                match_cookie
                                                ? fm->cookie_mask : 0);
            ofpbuf_set_be16(b, len_ofs, (uint16_t) mlen);
        }
        ofpmsg__put_actions(b, &fm->actions);
        ofpmsg__finish(b, start);
        return;
    }
    ASSERT(version >= OFP13_VERSION);
    size_t start = ofpmsg__start(b, OFPMSG_FLOW_MOD, OFPMSG_STD, version,
                                 xid);
    ofpbuf_put_be64(b, fm->cookie);
    ofpbuf_put_be64(b, fm->cookie_mask);
    ofpbuf_put_u8(b, fm->table_id);
    ofpbuf_put_u8(b, fm->command);
    ofpbuf_put_be16(b, fm->idle_timeout);
    ofpbuf_put_be16(b, fm->hard_timeout);
    ofpbuf_put_be16(b, fm->priority);
    ofpbuf_put_be32(b, fm->buffer_id);
    ofpbuf_put_be32(b, fm->out_port);
    ofpbuf_put_be32(b, fm->out_group);
    ofpbuf_put_be16(b, fm->flags);
    ofpbuf_put_be16(b, version >= OFP14_VERSION ? fm->importance : 0);
    ofpmsg__put_oxm_match(b, m);
    ofpmsg__put_actions(b, &fm->actions);
    ofpmsg__finish(b, start);
}

/* Decodes the OF1.0 and NXT_FLOW_MOD layouts. */
static enum ofperr
decode_flow_mod10(const struct ofpmsg *msg, struct ofpmsg_flow_mod *fm)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    bool nxm = msg->family == OFPMSG_NX;
    if (!nxm) {
        if (left < 40) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        fm->match = (struct ofpmsg_match) { OFPMSG_MATCH_OF10, p, 40 };
        p += 40;
        left -= 40;
    }
    if (left < (nxm ? 32 : 24)) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    fm->cookie = ofpmsg__get64(p);
    fm->new_cookie = fm->cookie;
    uint16_t command = ofpmsg__get16(p + 8);
    fm->command = command & 0xff;
    fm->table_id = command >> 8;
    fm->idle_timeout = ofpmsg__get16(p + 10);
    fm->hard_timeout = ofpmsg__get16(p + 12);
    fm->priority = ofpmsg__get16(p + 14);
    fm->buffer_id = ofpmsg__get32(p + 16);
    fm->out_port = ofpmsg__port_from10(ofpmsg__get16(p + 20));
    fm->out_group = OFPG_ANY;
    fm->flags = ofpmsg__get16(p + 22);
    p += 24;
    left -= 24;
    if (nxm) {
        uint16_t match_len = ofpmsg__get16(p);
        p += 8;
        left -= 8;
        enum ofperr err = ofpmsg__pull_nxm_match(&p, &left, match_len,
                                              &fm->match);
        if (err) {
            return err;
        }
        bool found;
        uint64_t cookie, mask;
        err = ofpmsg__nxm_cookie(&fm->match, &found, &cookie, &mask);
        if (err) {
            return err;
        }
        if (found) {
            if (fm->command == 0) {         /* OFPFC_ADD. */
                /* An add sets the fixed cookie; ovs-vswitchd refuses a
                 * match cookie with NXBRC_NXM_INVALID (a Nicira code this
                 * table lacks): the nearest standard one. */
                return OFPERR_OFPBMC_BAD_FIELD;
            }
            fm->cookie = cookie;
            fm->cookie_mask = mask;
        }
    }
    fm->actions = (struct ofpmsg_actions) {
        OFPMSG_ACTIONS_OF10, msg->version, p, left
    };
    return ofpmsg__check_actions(&fm->actions);
}

/* Decodes a flow mod (OF1.0, NXT_FLOW_MOD or OF1.3+). */
enum ofperr
ofpmsg_decode_flow_mod(const struct ofpmsg *msg, struct ofpmsg_flow_mod *fm)
{
    memset(fm, 0, sizeof *fm);
    if (msg->version == OFP10_VERSION || msg->family == OFPMSG_NX) {
        return decode_flow_mod10(msg, fm);
    }
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    if (left < 40) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    fm->cookie = ofpmsg__get64(p);
    fm->new_cookie = fm->cookie;
    fm->cookie_mask = ofpmsg__get64(p + 8);
    fm->table_id = p[16];
    fm->command = p[17];
    fm->idle_timeout = ofpmsg__get16(p + 18);
    fm->hard_timeout = ofpmsg__get16(p + 20);
    fm->priority = ofpmsg__get16(p + 22);
    fm->buffer_id = ofpmsg__get32(p + 24);
    fm->out_port = ofpmsg__get32(p + 28);
    fm->out_group = ofpmsg__get32(p + 32);
    fm->flags = ofpmsg__get16(p + 36);
    fm->importance = msg->version >= OFP14_VERSION ? ofpmsg__get16(p + 38)
                     : 0;
    p += 40;
    left -= 40;
    enum ofperr err = ofpmsg__pull_oxm_match(&p, &left, &fm->match);
    if (err) {
        return err;
    }
    fm->actions = (struct ofpmsg_actions) {
        OFPMSG_INSTRUCTIONS, msg->version, p, left
    };
    return ofpmsg__check_actions(&fm->actions);
}
