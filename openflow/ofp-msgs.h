/* OpenFlow message framing and codecs, for OpenFlow 1.0, 1.3, 1.4 and 1.5
 * plus the Nicira (NXT_*, NXST_*) and ONF bundle extensions that Debian's
 * ovs-ofctl and ovn-controller use.
 *
 * Decoding is in two steps.  ofpmsg_classify() checks the header of one
 * whole message and names its type (struct ofpmsg); then the decoder for
 * that type fills a plain struct whose pointers borrow from the message
 * bytes, so they stay valid only while those bytes do.  Matches and action
 * or instruction lists are not decoded here: they are left as byte ranges
 * with their format (struct ofpmsg_match, struct ofpmsg_actions) for the
 * match codec (openflow/ofp-match.h) and the action codec.  Their framing
 * (TLV lengths) is checked, so the next codec gets well-formed TLVs.
 *
 * Every decoder validates lengths against the message and returns 0 or an
 * OpenFlow error (enum ofperr), never reading past the end.  The
 * decoders of repeated bodies (ports, stats entries, buckets) are
 * iterators that return OFPMSG_EOF at the end.
 *
 * Encoders append one message to a struct ofpbuf.  Their inputs must fit
 * the version asked for (a caller bug otherwise, caught by ASSERT): e.g. no
 * group_mod in OpenFlow 1.0.  Multipart replies are built with struct
 * ofpmsg_mp_reply, which splits them into several messages with
 * OFPMPF_MORE when they pass 64 KiB.
 *
 * Numbers and layouts follow the OpenFlow 1.0, 1.3.5, 1.4.1 and 1.5.1
 * specifications; the Nicira layouts were checked against the bytes that
 * Debian's ovs-ofctl 3.1 sends and its "ofp-print" command. */
#ifndef OPENFLOW_OFP_MSGS_H
#define OPENFLOW_OFP_MSGS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openflow/ofp-errors.h"
#include "openflow/ofp-protocol.h"
#include "openflow/ofpbuf.h"

/* Decoders return 0 or an OpenFlow error (openflow/ofp-errors.h).  The
 * iterators over repeated entries return OFPMSG_EOF, which is no error
 * value, when no entry is left. */
#define OFPMSG_EOF ((enum ofperr) 1)

/* Every message type Kiln knows, whatever its version or extension. */
enum ofpmsg_type {
    OFPMSG_HELLO,
    OFPMSG_ERROR,
    OFPMSG_ECHO_REQUEST,
    OFPMSG_ECHO_REPLY,
    OFPMSG_FEATURES_REQUEST,
    OFPMSG_FEATURES_REPLY,
    OFPMSG_GET_CONFIG_REQUEST,
    OFPMSG_GET_CONFIG_REPLY,
    OFPMSG_SET_CONFIG,
    OFPMSG_PACKET_IN,
    OFPMSG_FLOW_REMOVED,
    OFPMSG_PORT_STATUS,
    OFPMSG_PACKET_OUT,
    OFPMSG_FLOW_MOD,
    OFPMSG_GROUP_MOD,
    OFPMSG_PORT_MOD,            /* Classified only; body left raw. */
    OFPMSG_TABLE_MOD,           /* Classified only. */
    OFPMSG_METER_MOD,           /* Classified only. */
    OFPMSG_BARRIER_REQUEST,
    OFPMSG_BARRIER_REPLY,
    OFPMSG_ROLE_REQUEST,        /* OF1.3+ and NXT_ROLE_REQUEST. */
    OFPMSG_ROLE_REPLY,          /* OF1.3+ and NXT_ROLE_REPLY. */
    OFPMSG_GET_ASYNC_REQUEST,   /* Classified only. */
    OFPMSG_GET_ASYNC_REPLY,     /* Classified only. */
    OFPMSG_SET_ASYNC,           /* Classified only (OF1.3+ layout). */
    OFPMSG_BUNDLE_CONTROL,      /* OF1.4+ and ONF 2300 in OF1.3. */
    OFPMSG_BUNDLE_ADD,          /* OF1.4+ and ONF 2301 in OF1.3. */

    /* Multipart (stats) requests and replies. */
    OFPMSG_DESC_REQUEST,
    OFPMSG_DESC_REPLY,
    OFPMSG_FLOW_STATS_REQUEST,  /* Also NXST_FLOW. */
    OFPMSG_FLOW_STATS_REPLY,    /* Also NXST_FLOW. */
    OFPMSG_AGGREGATE_REQUEST,   /* Also NXST_AGGREGATE. */
    OFPMSG_AGGREGATE_REPLY,     /* Also NXST_AGGREGATE. */
    OFPMSG_TABLE_STATS_REQUEST,
    OFPMSG_TABLE_STATS_REPLY,
    OFPMSG_PORT_STATS_REQUEST,
    OFPMSG_PORT_STATS_REPLY,
    OFPMSG_PORT_DESC_REQUEST,
    OFPMSG_PORT_DESC_REPLY,
    OFPMSG_GROUP_STATS_REQUEST,
    OFPMSG_GROUP_STATS_REPLY,
    OFPMSG_GROUP_DESC_REQUEST,
    OFPMSG_GROUP_DESC_REPLY,
    OFPMSG_GROUP_FEATURES_REQUEST,
    OFPMSG_GROUP_FEATURES_REPLY,
    OFPMSG_TABLE_FEATURES_REQUEST, /* Classified only. */
    OFPMSG_TABLE_FEATURES_REPLY,   /* Classified only. */
    OFPMSG_METER_STATS_REQUEST,    /* Classified only. */
    OFPMSG_METER_STATS_REPLY,      /* Classified only. */
    OFPMSG_METER_CONFIG_REQUEST,   /* openflow/ofp-meter.h (1.5: DESC). */
    OFPMSG_METER_CONFIG_REPLY,     /* openflow/ofp-meter.h. */
    OFPMSG_METER_FEATURES_REQUEST, /* openflow/ofp-meter.h. */
    OFPMSG_METER_FEATURES_REPLY,   /* openflow/ofp-meter.h. */

    /* Nicira extensions. */
    OFPMSG_NXT_SET_FLOW_FORMAT,
    OFPMSG_NXT_FLOW_MOD_TABLE_ID,
    OFPMSG_NXT_SET_PACKET_IN_FORMAT,
    OFPMSG_NXT_PACKET_IN2,
    OFPMSG_NXT_RESUME,
    OFPMSG_NXT_SET_CONTROLLER_ID,
    OFPMSG_NXT_TLV_TABLE_MOD,
    OFPMSG_NXT_TLV_TABLE_REQUEST,
    OFPMSG_NXT_TLV_TABLE_REPLY,
    OFPMSG_NXT_CT_FLUSH_ZONE,
    OFPMSG_NXT_SET_ASYNC_CONFIG,
    OFPMSG_NXT_FLOW_MONITOR_CANCEL,  /* openflow/ofp-monitor.h. */
    OFPMSG_NXT_FLOW_MONITOR_PAUSED,  /* No body. */
    OFPMSG_NXT_FLOW_MONITOR_RESUMED, /* No body. */
    OFPMSG_FLOW_MONITOR_REQUEST,     /* NXST_FLOW_MONITOR; ofp-monitor.h. */
    OFPMSG_FLOW_MONITOR_REPLY,       /* NXST_FLOW_MONITOR; ofp-monitor.h. */

    OFPMSG_N_TYPES
};

const char *ofpmsg_type_name(enum ofpmsg_type);

/* Which extension family a classified message came from. */
enum ofpmsg_family {
    OFPMSG_STD,                 /* Plain OpenFlow. */
    OFPMSG_NX,                  /* Nicira vendor message or stats. */
    OFPMSG_ONF,                 /* ONF experimenter message. */
};

/* A classified message: one whole message, header checked. */
struct ofpmsg {
    enum ofpmsg_type type;      /* What it is. */
    enum ofpmsg_family family;  /* Standard or extension encoding. */
    uint8_t version;            /* OFP10_VERSION...OFP15_VERSION. */
    uint8_t wire_type;          /* ofp_header 'type'. */
    uint32_t xid;               /* Transaction id. */
    uint16_t mp_type;           /* Multipart type, if multipart. */
    uint16_t mp_flags;          /* Multipart flags, if multipart. */
    uint32_t subtype;           /* NXT/NXST subtype or ONF exp_type. */
    const uint8_t *data;        /* The whole message (borrowed). */
    size_t size;                /* Its length (== header length). */
    const uint8_t *body;        /* Past every header (ofp, multipart,
                                 * vendor).  Borrowed. */
    size_t body_size;           /* Bytes at 'body'. */
};

const char *ofpmsg_name(const struct ofpmsg *);

/* Framing. */
enum ofperr ofpmsg_frame(const void *data, size_t size, size_t *msg_size);
enum ofperr ofpmsg_classify(const void *data, size_t size, struct ofpmsg *);
bool ofpmsg_is_multipart(const struct ofpmsg *);
bool ofpmsg_is_reply(enum ofpmsg_type);

/* Byte ranges handed to the match and action codecs. */
enum ofpmsg_match_format {
    OFPMSG_MATCH_NONE,          /* No match present. */
    OFPMSG_MATCH_OF10,          /* 40-byte struct ofp10_match. */
    OFPMSG_MATCH_NXM,           /* NXM entries (no padding). */
    OFPMSG_MATCH_OXM,           /* OXM TLVs of an OF1.1+ ofp_match, without
                                 * its 4-byte header and padding. */
};

struct ofpmsg_match {
    enum ofpmsg_match_format format; /* How to read 'data'. */
    const uint8_t *data;        /* Borrowed. */
    size_t size;                /* Bytes at 'data'. */
};

enum ofpmsg_actions_format {
    OFPMSG_ACTIONS_OF10,        /* OF1.0 action list. */
    OFPMSG_ACTIONS_OF11,        /* OF1.1+ action list (1.3, 1.4, 1.5). */
    OFPMSG_INSTRUCTIONS,        /* OF1.1+ instruction list. */
};

struct ofpmsg_actions {
    enum ofpmsg_actions_format format; /* How to read 'data'. */
    uint8_t version;            /* Version of the enclosing message. */
    const uint8_t *data;        /* Borrowed; TLV framing checked. */
    size_t size;                /* Bytes at 'data', a multiple of 8. */
};

/* An iterator over repeated entries of a body (see the *_pull functions). */
struct ofpmsg_iter {
    const uint8_t *p;           /* Next unread byte. */
    size_t left;                /* Bytes left. */
    uint8_t version;            /* Message version. */
    enum ofpmsg_family family;  /* Message family. */
    uint32_t index;             /* Entries returned so far. */
};

void ofpmsg_iter_init(struct ofpmsg_iter *, const struct ofpmsg *,
                      const uint8_t *p, size_t size);

/* Hello and version negotiation (OpenFlow 1.3.5 6.3.1 and 7.5.1). */
struct ofpmsg_hello {
    uint8_t version;            /* Header version: highest the peer has. */
    bool has_bitmap;            /* A VERSIONBITMAP element was present. */
    uint32_t bitmap;            /* Versions 0..31 from the element; else
                                 * derived: every version <= 'version'. */
};

void ofpmsg_encode_hello(uint32_t bitmap, uint32_t xid, struct ofpbuf *);
enum ofperr ofpmsg_decode_hello(const struct ofpmsg *, struct ofpmsg_hello *);
enum ofperr ofpmsg_negotiate(uint32_t local_bitmap,
                             const struct ofpmsg_hello *, uint8_t *version);

/* Echo request/reply and barrier: header plus optional data. */
void ofpmsg_encode_echo(uint8_t version, uint32_t xid, bool reply,
                        const void *data, size_t size, struct ofpbuf *);
void ofpmsg_encode_simple(enum ofpmsg_type, uint8_t version, uint32_t xid,
                          struct ofpbuf *);

/* Error. */
struct ofpmsg_error {
    uint16_t type;              /* OFPET_*, as on the wire. */
    uint16_t code;              /* Code, or exp_code if type 0xffff. */
    uint32_t experimenter;      /* Only for OFPET_EXPERIMENTER. */
    enum ofperr error;          /* Decode: the error it names, or 0 if
                                 * unknown (see ofperr_decode()). */
    const uint8_t *data;        /* Borrowed: the data it carries. */
    size_t size;                /* Bytes at 'data'. */
};

void ofpmsg_encode_error(uint8_t version, uint32_t xid,
                         const struct ofpmsg_error *, struct ofpbuf *);
void ofpmsg_encode_error_reply(enum ofperr err, const void *request,
                               size_t request_size, struct ofpbuf *);
enum ofperr ofpmsg_decode_error(const struct ofpmsg *, struct ofpmsg_error *);

/* Ports (features reply in OF1.0, port_status, port_desc). */
struct ofpmsg_port {
    uint32_t port_no;           /* OF1.1+ numbering (OF1.0 0xff00+ mapped to
                                 * 0xffffff00+). */
    uint8_t hw_addr[6];         /* Ethernet address. */
    char name[17];              /* Null-terminated. */
    uint32_t config;            /* OFPPC_*. */
    uint32_t state;             /* OFPPS_*. */
    uint32_t curr;              /* OFPPF_* features. */
    uint32_t advertised;        /* OFPPF_*. */
    uint32_t supported;         /* OFPPF_*. */
    uint32_t peer;              /* OFPPF_*. */
    uint32_t curr_speed;        /* kbps; OF1.1+ only. */
    uint32_t max_speed;         /* kbps; OF1.1+ only. */
};

enum ofperr ofpmsg_port_pull(struct ofpmsg_iter *, struct ofpmsg_port *);
void ofpmsg_put_port(struct ofpbuf *, uint8_t version,
                     const struct ofpmsg_port *);

/* Features reply. */
struct ofpmsg_features {
    uint64_t datapath_id;       /* Datapath id. */
    uint32_t n_buffers;         /* Packets the switch can buffer. */
    uint8_t n_tables;           /* Number of tables. */
    uint8_t auxiliary_id;       /* OF1.3+. */
    uint32_t capabilities;      /* OFPC_*. */
    uint32_t actions;           /* OF1.0 only: OFPAT10 bitmap. */
    /* OF1.0 only: the port list.  Decoding sets 'ports_raw' (iterate with
     * ofpmsg_iter_init() and ofpmsg_port_pull()); encoding reads 'ports'. */
    const struct ofpmsg_port *ports; /* Encode: array of 'n_ports'. */
    size_t n_ports;             /* Encode: entries in 'ports'. */
    const uint8_t *ports_raw;   /* Decode: the port list (borrowed). */
    size_t ports_raw_size;      /* Decode: bytes at 'ports_raw'. */
};

void ofpmsg_encode_features_reply(uint8_t version, uint32_t xid,
                                  const struct ofpmsg_features *,
                                  struct ofpbuf *);
enum ofperr ofpmsg_decode_features_reply(const struct ofpmsg *,
                                         struct ofpmsg_features *);

/* Get config reply / set config. */
struct ofpmsg_switch_config {
    uint16_t flags;             /* OFPC_FRAG_*. */
    uint16_t miss_send_len;     /* Bytes of a table-miss packet to send. */
};

void ofpmsg_encode_switch_config(uint8_t version, uint32_t xid, bool set,
                                 const struct ofpmsg_switch_config *,
                                 struct ofpbuf *);
enum ofperr ofpmsg_decode_switch_config(const struct ofpmsg *,
                                        struct ofpmsg_switch_config *);

/* Role request/reply (OF1.3+ or NXT_ROLE_*; roles as OFPCR_ROLE_*). */
struct ofpmsg_role {
    uint32_t role;              /* OFPCR_ROLE_*. */
    uint64_t generation_id;     /* OF1.3+; UINT64_MAX for NXT_ROLE. */
};

void ofpmsg_encode_role(uint8_t version, uint32_t xid, bool reply,
                        const struct ofpmsg_role *, struct ofpbuf *);
enum ofperr ofpmsg_decode_role(const struct ofpmsg *, struct ofpmsg_role *);

/* Port status. */
struct ofpmsg_port_status {
    uint8_t reason;             /* OFPPR_ADD, _DELETE, _MODIFY. */
    struct ofpmsg_port port;    /* The port. */
};

void ofpmsg_encode_port_status(uint8_t version, uint32_t xid,
                               const struct ofpmsg_port_status *,
                               struct ofpbuf *);
enum ofperr ofpmsg_decode_port_status(const struct ofpmsg *,
                                      struct ofpmsg_port_status *);

/* Flow removed. */
struct ofpmsg_flow_removed {
    struct ofpmsg_match match;  /* OF10 or OXM. */
    uint64_t cookie;            /* Flow cookie. */
    uint16_t priority;          /* Flow priority. */
    uint8_t reason;             /* OFPRR_*. */
    uint8_t table_id;           /* OF1.3+. */
    uint32_t duration_sec;      /* Time the flow was alive. */
    uint32_t duration_nsec;     /* ...nanoseconds beyond. */
    uint16_t idle_timeout;      /* From the flow_mod. */
    uint16_t hard_timeout;      /* OF1.3+. */
    uint64_t packet_count;      /* Packets matched. */
    uint64_t byte_count;        /* Bytes matched. */
};

void ofpmsg_encode_flow_removed(uint8_t version, uint32_t xid,
                                const struct ofpmsg_flow_removed *,
                                struct ofpbuf *);
enum ofperr ofpmsg_decode_flow_removed(const struct ofpmsg *,
                                       struct ofpmsg_flow_removed *);

/* Packet in (OF1.0 layout; OF1.3/1.4/1.5 layout with a match). */
struct ofpmsg_packet_in {
    uint32_t buffer_id;         /* OFP_NO_BUFFER if not buffered. */
    uint16_t total_len;         /* Full length of the frame. */
    uint32_t in_port;           /* OF1.0 only (OF1.1+: in the match). */
    uint8_t reason;             /* OFPR_*. */
    uint8_t table_id;           /* OF1.3+. */
    uint64_t cookie;            /* OF1.3+. */
    struct ofpmsg_match match;  /* OF1.3+: OXM metadata. */
    const uint8_t *packet;      /* Frame bytes (borrowed). */
    size_t packet_size;         /* Bytes at 'packet'. */
};

void ofpmsg_encode_packet_in(uint8_t version, uint32_t xid,
                             const struct ofpmsg_packet_in *,
                             struct ofpbuf *);
enum ofperr ofpmsg_decode_packet_in(const struct ofpmsg *,
                                    struct ofpmsg_packet_in *);

/* Packet out. */
struct ofpmsg_packet_out {
    uint32_t buffer_id;         /* OFP_NO_BUFFER if 'packet' is given. */
    uint32_t in_port;           /* OF1.0-1.4 (1.5: in 'match'). */
    struct ofpmsg_match match;  /* OF1.5 only: OXM packet metadata. */
    struct ofpmsg_actions actions; /* Action list. */
    const uint8_t *packet;      /* Frame bytes (borrowed). */
    size_t packet_size;         /* Bytes at 'packet'. */
};

void ofpmsg_encode_packet_out(uint8_t version, uint32_t xid,
                              const struct ofpmsg_packet_out *,
                              struct ofpbuf *);
enum ofperr ofpmsg_decode_packet_out(const struct ofpmsg *,
                                     struct ofpmsg_packet_out *);

/* Flow mod: OF1.0 (match OF10), NXT_FLOW_MOD (match NXM, OF1.0 actions),
 * OF1.3+ (match OXM, instructions).  In the OF1.0 and NXM layouts the
 * command's high byte is a table id when NXT_FLOW_MOD_TABLE_ID is on:
 * decoding splits it into 'table_id', encoding puts 'table_id' there, so
 * callers without that extension keep table_id 0. */
struct ofpmsg_flow_mod {
    struct ofpmsg_match match;  /* Its format picks the OF1.0 layouts. */
    uint64_t cookie;            /* New cookie, or cookie to match.  NXM:
                                 * the match's NXM_NX_COOKIE(_W) if it has
                                 * one (not allowed in an add), else the
                                 * fixed cookie field. */
    uint64_t cookie_mask;       /* OF1.3+; NXM: from NXM_NX_COOKIE(_W),
                                 * else 0.  Encoding NXM: nonzero puts
                                 * cookie/cookie_mask in the match and
                                 * new_cookie in the fixed field. */
    uint64_t new_cookie;        /* Decoded: the fixed cookie field (OF1.0
                                 * and NXM: a modify's new cookie), in
                                 * every layout.  Encoded: see above. */
    uint8_t table_id;           /* See above for OF1.0/NXM. */
    uint8_t command;            /* OFPFC_*. */
    uint16_t idle_timeout;      /* Seconds, 0 for none. */
    uint16_t hard_timeout;      /* Seconds, 0 for none. */
    uint16_t priority;          /* Priority. */
    uint32_t buffer_id;         /* Buffered packet, or OFP_NO_BUFFER. */
    uint32_t out_port;          /* For deletes; OFP11_PORT_ANY for any. */
    uint32_t out_group;         /* OF1.3+, for deletes; OFPG_ANY. */
    uint16_t flags;             /* OFPFF_*. */
    uint16_t importance;        /* OF1.4+. */
    struct ofpmsg_actions actions; /* Actions (OF1.0/NXM) or
                                    * instructions (OF1.3+). */
};

void ofpmsg_encode_flow_mod(uint8_t version, uint32_t xid,
                            const struct ofpmsg_flow_mod *, struct ofpbuf *);
enum ofperr ofpmsg_decode_flow_mod(const struct ofpmsg *,
                                   struct ofpmsg_flow_mod *);

/* Groups (OF1.3+). */
struct ofpmsg_bucket {
    uint32_t bucket_id;         /* OF1.5 id; before 1.5, the index. */
    uint16_t weight;            /* Select groups. */
    uint32_t watch_port;        /* Fast failover; OFP11_PORT_ANY for none. */
    uint32_t watch_group;       /* Fast failover; OFPG_ANY for none. */
    struct ofpmsg_actions actions; /* OF1.1+ action list. */
};

enum ofperr ofpmsg_bucket_pull(struct ofpmsg_iter *, struct ofpmsg_bucket *);

struct ofpmsg_group_mod {
    uint16_t command;           /* OFPGC_*. */
    uint8_t type;               /* OFPGT_*. */
    uint32_t group_id;          /* Group. */
    uint32_t command_bucket_id; /* OF1.5; OFPG_BUCKET_ALL otherwise. */
    const struct ofpmsg_bucket *buckets; /* Encode: 'n_buckets' buckets. */
    size_t n_buckets;           /* Encode. */
    const uint8_t *buckets_raw; /* Decode: bucket list (iterate with
                                 * ofpmsg_bucket_pull()). */
    size_t buckets_raw_size;    /* Decode: bytes at 'buckets_raw'. */
};

void ofpmsg_encode_group_mod(uint8_t version, uint32_t xid,
                             const struct ofpmsg_group_mod *,
                             struct ofpbuf *);
enum ofperr ofpmsg_decode_group_mod(const struct ofpmsg *,
                                    struct ofpmsg_group_mod *);

/* Bundles: OF1.4+ messages, or the ONF extension in OF1.3. */
struct ofpmsg_bundle_ctrl {
    uint32_t bundle_id;         /* Bundle. */
    uint16_t type;              /* OFPBCT_*. */
    uint16_t flags;             /* OFPBF_ATOMIC 1, OFPBF_ORDERED 2. */
    const uint8_t *props;       /* Properties (borrowed). */
    size_t props_size;          /* Bytes at 'props'. */
};

struct ofpmsg_bundle_add {
    uint32_t bundle_id;         /* Bundle. */
    uint16_t flags;             /* As in the bundle_control. */
    const uint8_t *msg;         /* The inner message (borrowed): classify it
                                 * with ofpmsg_classify(). */
    size_t msg_size;            /* Its length. */
    const uint8_t *props;       /* Properties after it (borrowed). */
    size_t props_size;          /* Bytes at 'props'. */
};

void ofpmsg_encode_bundle_ctrl(uint8_t version, uint32_t xid,
                               const struct ofpmsg_bundle_ctrl *,
                               struct ofpbuf *);
enum ofperr ofpmsg_decode_bundle_ctrl(const struct ofpmsg *,
                                      struct ofpmsg_bundle_ctrl *);
void ofpmsg_encode_bundle_add(uint8_t version, uint32_t xid,
                              const struct ofpmsg_bundle_add *,
                              struct ofpbuf *);
enum ofperr ofpmsg_decode_bundle_add(const struct ofpmsg *,
                                     struct ofpmsg_bundle_add *);

/* Multipart requests.  Requests without a body (desc, table stats, group
 * features, and port desc / group desc before 1.5) use
 * ofpmsg_encode_simple(); ofpmsg_encode_mp_request() covers the ones that
 * take just a port or group number. */
struct ofpmsg_flow_stats_request {
    uint8_t table_id;           /* OFPTT_ALL for all. */
    uint32_t out_port;          /* OFP11_PORT_ANY for any. */
    uint32_t out_group;         /* OF1.3+; OFPG_ANY for any. */
    uint64_t cookie;            /* OF1.3+ and NXM (NXM_NX_COOKIE(_W) in
                                 * the match, both ways). */
    uint64_t cookie_mask;       /* Same; 0 selects any cookie. */
    struct ofpmsg_match match;  /* NXM selects NXST_FLOW/NXST_AGGREGATE. */
};

void ofpmsg_encode_flow_stats_request(uint8_t version, uint32_t xid,
                                      bool aggregate,
                                      const struct ofpmsg_flow_stats_request *,
                                      struct ofpbuf *);
enum ofperr ofpmsg_decode_flow_stats_request(
    const struct ofpmsg *, struct ofpmsg_flow_stats_request *);
void ofpmsg_encode_mp_request(enum ofpmsg_type, uint8_t version,
                              uint32_t xid, uint32_t port_or_group,
                              struct ofpbuf *);
enum ofperr ofpmsg_decode_mp_request(const struct ofpmsg *,
                                     uint32_t *port_or_group);

/* Multipart replies: built into several messages of at most 64 KiB. */
struct ofpmsg_mp_reply {
    struct ofpbuf *msgs;        /* Owned: the messages, in order. */
    size_t n_msgs;              /* Messages in 'msgs'. */
    size_t allocated;           /* Slots in 'msgs'. */
    size_t header_size;         /* Bytes of headers at each message's
                                 * start (copied into each new one). */
    size_t max_size;            /* Split threshold (OFP_MAX_MSG_LEN). */
};

void ofpmsg_mp_reply_init(struct ofpmsg_mp_reply *, enum ofpmsg_type,
                          enum ofpmsg_family, uint8_t version, uint32_t xid);
void ofpmsg_mp_reply_uninit(struct ofpmsg_mp_reply *);
struct ofpbuf *ofpmsg_mp_reply_start_entry(struct ofpmsg_mp_reply *,
                                           size_t *start_ofs);
void ofpmsg_mp_reply_end_entry(struct ofpmsg_mp_reply *, size_t start_ofs);
void ofpmsg_mp_reply_finish(struct ofpmsg_mp_reply *);

/* Desc reply. */
struct ofpmsg_desc {
    char mfr_desc[257];         /* Manufacturer. */
    char hw_desc[257];          /* Hardware. */
    char sw_desc[257];          /* Software. */
    char serial_num[33];        /* Serial number. */
    char dp_desc[257];          /* Datapath. */
};

void ofpmsg_encode_desc_reply(uint8_t version, uint32_t xid,
                              const struct ofpmsg_desc *, struct ofpbuf *);
enum ofperr ofpmsg_decode_desc_reply(const struct ofpmsg *,
                                     struct ofpmsg_desc *);

/* Flow stats reply entries (OF1.0, NXST_FLOW, OF1.3/1.4, and OF1.5 with
 * its OXS statistics). */
struct ofpmsg_flow_stats {
    uint8_t table_id;           /* Table. */
    uint32_t duration_sec;      /* Age. */
    uint32_t duration_nsec;     /* ...nanoseconds beyond. */
    uint16_t priority;          /* Priority. */
    uint16_t idle_timeout;      /* Seconds. */
    uint16_t hard_timeout;      /* Seconds. */
    uint16_t flags;             /* OFPFF_*; OF1.3+. */
    uint16_t idle_age;          /* NXST: seconds since last hit (plus 1,
                                 * 0 = unknown); OF1.5: OXS idle_time. */
    uint16_t hard_age;          /* NXST only: seconds since last modify. */
    uint64_t cookie;            /* Cookie. */
    uint64_t packet_count;      /* Packets. */
    uint64_t byte_count;        /* Bytes. */
    struct ofpmsg_match match;  /* OF10, NXM or OXM. */
    struct ofpmsg_actions actions; /* Actions or instructions. */
};

void ofpmsg_put_flow_stats(struct ofpmsg_mp_reply *, uint8_t version,
                           const struct ofpmsg_flow_stats *);
enum ofperr ofpmsg_flow_stats_pull(struct ofpmsg_iter *,
                                   struct ofpmsg_flow_stats *);

/* Aggregate reply. */
struct ofpmsg_aggregate {
    uint64_t packet_count;      /* Packets. */
    uint64_t byte_count;        /* Bytes. */
    uint32_t flow_count;        /* Flows. */
};

void ofpmsg_encode_aggregate_reply(uint8_t version, uint32_t xid,
                                   enum ofpmsg_family,
                                   const struct ofpmsg_aggregate *,
                                   struct ofpbuf *);
enum ofperr ofpmsg_decode_aggregate_reply(const struct ofpmsg *,
                                          struct ofpmsg_aggregate *);

/* Table stats reply entries. */
struct ofpmsg_table_stats {
    uint8_t table_id;           /* Table. */
    char name[33];              /* OF1.0 only. */
    uint32_t wildcards;         /* OF1.0 only. */
    uint32_t max_entries;       /* OF1.0 only. */
    uint32_t active_count;      /* Flows. */
    uint64_t lookup_count;      /* Lookups. */
    uint64_t matched_count;     /* Hits. */
};

void ofpmsg_put_table_stats(struct ofpmsg_mp_reply *, uint8_t version,
                            const struct ofpmsg_table_stats *);
enum ofperr ofpmsg_table_stats_pull(struct ofpmsg_iter *,
                                    struct ofpmsg_table_stats *);

/* Port stats reply entries. */
struct ofpmsg_port_stats {
    uint32_t port_no;           /* OF1.1+ numbering. */
    uint32_t pad;               /* Zero (so the struct has no holes). */
    uint64_t rx_packets, tx_packets; /* Packets. */
    uint64_t rx_bytes, tx_bytes;     /* Bytes. */
    uint64_t rx_dropped, tx_dropped; /* Drops. */
    uint64_t rx_errors, tx_errors;   /* Errors. */
    uint64_t rx_frame_err;      /* Frame alignment errors. */
    uint64_t rx_over_err;       /* Overruns. */
    uint64_t rx_crc_err;        /* CRC errors. */
    uint64_t collisions;        /* Collisions. */
    uint32_t duration_sec;      /* OF1.3+. */
    uint32_t duration_nsec;     /* OF1.3+. */
};

void ofpmsg_put_port_stats(struct ofpmsg_mp_reply *, uint8_t version,
                           const struct ofpmsg_port_stats *);
enum ofperr ofpmsg_port_stats_pull(struct ofpmsg_iter *,
                                   struct ofpmsg_port_stats *);

/* Port desc reply entries: ofpmsg_put_port_desc(), ofpmsg_port_pull(). */
void ofpmsg_put_port_desc(struct ofpmsg_mp_reply *, uint8_t version,
                          const struct ofpmsg_port *);

/* Group stats reply entries. */
struct ofpmsg_group_stats {
    uint32_t group_id;          /* Group. */
    uint32_t ref_count;         /* Flows or groups forwarding to it. */
    uint64_t packet_count;      /* Packets. */
    uint64_t byte_count;        /* Bytes. */
    uint32_t duration_sec;      /* Age. */
    uint32_t duration_nsec;     /* ...nanoseconds beyond. */
    size_t n_buckets;           /* Bucket counter pairs. */
    const uint64_t *bucket_counts; /* Encode: 2 * n_buckets values, packets
                                    * then bytes for each bucket. */
    const uint8_t *buckets_raw; /* Decode: 16 bytes per bucket, read with
                                 * ofpmsg_group_stats_bucket(). */
};

void ofpmsg_put_group_stats(struct ofpmsg_mp_reply *, uint8_t version,
                            const struct ofpmsg_group_stats *);
enum ofperr ofpmsg_group_stats_pull(struct ofpmsg_iter *,
                                    struct ofpmsg_group_stats *);
void ofpmsg_group_stats_bucket(const struct ofpmsg_group_stats *, size_t i,
                               uint64_t *packets, uint64_t *bytes);

/* Group desc reply entries. */
struct ofpmsg_group_desc {
    uint8_t type;               /* OFPGT_*. */
    uint32_t group_id;          /* Group. */
    const struct ofpmsg_bucket *buckets; /* Encode. */
    size_t n_buckets;           /* Encode. */
    const uint8_t *buckets_raw; /* Decode: ofpmsg_bucket_pull(). */
    size_t buckets_raw_size;    /* Decode. */
};

void ofpmsg_put_group_desc(struct ofpmsg_mp_reply *, uint8_t version,
                           const struct ofpmsg_group_desc *);
enum ofperr ofpmsg_group_desc_pull(struct ofpmsg_iter *,
                                   struct ofpmsg_group_desc *);

/* Group features reply. */
struct ofpmsg_group_features {
    uint32_t types;             /* Bitmap of OFPGT_* supported. */
    uint32_t capabilities;      /* OFPGFC_*. */
    uint32_t max_groups[4];     /* Per type. */
    uint32_t actions[4];        /* Per type: OFPAT_* bitmaps. */
};

void ofpmsg_encode_group_features_reply(uint8_t version, uint32_t xid,
                                        const struct ofpmsg_group_features *,
                                        struct ofpbuf *);
enum ofperr ofpmsg_decode_group_features_reply(const struct ofpmsg *,
                                               struct ofpmsg_group_features *);

/* Nicira extensions (openflow/ofp-msgs-nx.c). */
void ofpmsg_encode_nx_u32(enum ofpmsg_type, uint8_t version, uint32_t xid,
                          uint32_t value, struct ofpbuf *);
enum ofperr ofpmsg_decode_nx_u32(const struct ofpmsg *, uint32_t *value);

struct ofpmsg_async_config {
    uint32_t packet_in_mask[2];  /* [0] master/equal, [1] slave. */
    uint32_t port_status_mask[2]; /* Same. */
    uint32_t flow_removed_mask[2]; /* Same. */
};

void ofpmsg_encode_nx_async_config(uint8_t version, uint32_t xid,
                                   const struct ofpmsg_async_config *,
                                   struct ofpbuf *);
enum ofperr ofpmsg_decode_nx_async_config(const struct ofpmsg *,
                                          struct ofpmsg_async_config *);

/* NXT_PACKET_IN2 and NXT_RESUME (same property list). */
struct ofpmsg_packet_in2 {
    const uint8_t *packet;      /* Frame (borrowed). */
    size_t packet_size;         /* Bytes at 'packet'. */
    uint32_t full_len;          /* Length before truncation. */
    uint32_t buffer_id;         /* OFP_NO_BUFFER if none. */
    uint8_t table_id;           /* Table. */
    uint64_t cookie;            /* Flow cookie. */
    uint8_t reason;             /* OFPR_*. */
    struct ofpmsg_match metadata; /* NXM pipeline fields. */
    const uint8_t *userdata;    /* controller(userdata=...) (borrowed). */
    size_t userdata_size;       /* Bytes at 'userdata'. */
    const uint8_t *continuation; /* Opaque continuation (borrowed). */
    size_t continuation_size;   /* Bytes at 'continuation'. */
};

void ofpmsg_encode_packet_in2(uint8_t version, uint32_t xid, bool resume,
                              const struct ofpmsg_packet_in2 *,
                              struct ofpbuf *);
enum ofperr ofpmsg_decode_packet_in2(const struct ofpmsg *,
                                     struct ofpmsg_packet_in2 *);

/* NXT_TLV_TABLE_MOD / _REQUEST / _REPLY (Geneve option map). */
#define OFPMSG_MAX_TLV_MAPS 64

struct ofpmsg_tlv_map {
    uint16_t option_class;      /* Geneve option class. */
    uint8_t option_type;        /* Geneve option type. */
    uint8_t option_len;         /* Bytes, multiple of 4, at most 124. */
    uint16_t index;             /* tun_metadata<index>. */
};

struct ofpmsg_tlv_table {
    uint16_t command;           /* Mod: NXTTMC_*. */
    uint32_t max_option_space;  /* Reply: bytes of option space. */
    uint16_t max_fields;        /* Reply: number of tun_metadata fields. */
    size_t n_maps;              /* Entries in 'maps'. */
    struct ofpmsg_tlv_map maps[OFPMSG_MAX_TLV_MAPS]; /* Mappings. */
};

void ofpmsg_encode_tlv_table(uint8_t version, uint32_t xid, bool reply,
                             const struct ofpmsg_tlv_table *,
                             struct ofpbuf *);
enum ofperr ofpmsg_decode_tlv_table(const struct ofpmsg *,
                                    struct ofpmsg_tlv_table *);

#endif /* openflow/ofp-msgs.h */
