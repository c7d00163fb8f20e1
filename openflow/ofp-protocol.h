/* OpenFlow wire constants shared by the codecs: protocol versions, message
 * type numbers per version, multipart types, the Nicira and ONF extension
 * ids, and error type/code numbers.  Numbers come from the OpenFlow 1.0,
 * 1.3.5, 1.4.1 and 1.5.1 specifications and, for the Nicira extensions,
 * from ovs-ofctl(8) / ovs-fields(7) and observation of Debian's ovs-ofctl
 * 3.1.  Only constants live here; openflow/ofp-msgs.h has the codecs. */
#ifndef OPENFLOW_OFP_PROTOCOL_H
#define OPENFLOW_OFP_PROTOCOL_H 1

/* Protocol versions ("wire" version byte).  1.1 (2) and 1.2 (3) are not
 * supported and are refused at negotiation. */
#define OFP10_VERSION 0x01
#define OFP11_VERSION 0x02
#define OFP12_VERSION 0x03
#define OFP13_VERSION 0x04
#define OFP14_VERSION 0x05
#define OFP15_VERSION 0x06

/* Bitmap (bit N = version N) of the versions Kiln speaks. */
#define OFP_SUPPORTED_VERSIONS ((1u << OFP10_VERSION) | (1u << OFP13_VERSION) \
                                | (1u << OFP14_VERSION)                  \
                                | (1u << OFP15_VERSION))

#define OFP_HEADER_LEN 8        /* version, type, length, xid. */
#define OFP_MAX_MSG_LEN 65535   /* The length field is 16 bits. */

/* OpenFlow 1.0 message types. */
enum {
    OFPT10_HELLO = 0,
    OFPT10_ERROR = 1,
    OFPT10_ECHO_REQUEST = 2,
    OFPT10_ECHO_REPLY = 3,
    OFPT10_VENDOR = 4,
    OFPT10_FEATURES_REQUEST = 5,
    OFPT10_FEATURES_REPLY = 6,
    OFPT10_GET_CONFIG_REQUEST = 7,
    OFPT10_GET_CONFIG_REPLY = 8,
    OFPT10_SET_CONFIG = 9,
    OFPT10_PACKET_IN = 10,
    OFPT10_FLOW_REMOVED = 11,
    OFPT10_PORT_STATUS = 12,
    OFPT10_PACKET_OUT = 13,
    OFPT10_FLOW_MOD = 14,
    OFPT10_PORT_MOD = 15,
    OFPT10_STATS_REQUEST = 16,
    OFPT10_STATS_REPLY = 17,
    OFPT10_BARRIER_REQUEST = 18,
    OFPT10_BARRIER_REPLY = 19,
};

/* OpenFlow 1.3 to 1.5 message types (1.4 and 1.5 only add numbers). */
enum {
    OFPT13_HELLO = 0,
    OFPT13_ERROR = 1,
    OFPT13_ECHO_REQUEST = 2,
    OFPT13_ECHO_REPLY = 3,
    OFPT13_EXPERIMENTER = 4,
    OFPT13_FEATURES_REQUEST = 5,
    OFPT13_FEATURES_REPLY = 6,
    OFPT13_GET_CONFIG_REQUEST = 7,
    OFPT13_GET_CONFIG_REPLY = 8,
    OFPT13_SET_CONFIG = 9,
    OFPT13_PACKET_IN = 10,
    OFPT13_FLOW_REMOVED = 11,
    OFPT13_PORT_STATUS = 12,
    OFPT13_PACKET_OUT = 13,
    OFPT13_FLOW_MOD = 14,
    OFPT13_GROUP_MOD = 15,
    OFPT13_PORT_MOD = 16,
    OFPT13_TABLE_MOD = 17,
    OFPT13_MULTIPART_REQUEST = 18,
    OFPT13_MULTIPART_REPLY = 19,
    OFPT13_BARRIER_REQUEST = 20,
    OFPT13_BARRIER_REPLY = 21,
    OFPT13_ROLE_REQUEST = 24,
    OFPT13_ROLE_REPLY = 25,
    OFPT13_GET_ASYNC_REQUEST = 26,
    OFPT13_GET_ASYNC_REPLY = 27,
    OFPT13_SET_ASYNC = 28,
    OFPT13_METER_MOD = 29,
    OFPT14_ROLE_STATUS = 30,
    OFPT14_TABLE_STATUS = 31,
    OFPT14_REQUESTFORWARD = 32,
    OFPT14_BUNDLE_CONTROL = 33,
    OFPT14_BUNDLE_ADD_MESSAGE = 34,
};

/* Multipart (1.3+) / stats (1.0) types. */
enum {
    OFPMP_DESC = 0,
    OFPMP_FLOW = 1,
    OFPMP_AGGREGATE = 2,
    OFPMP_TABLE = 3,
    OFPMP_PORT_STATS = 4,
    OFPMP_QUEUE = 5,
    OFPMP_GROUP = 6,
    OFPMP_GROUP_DESC = 7,
    OFPMP_GROUP_FEATURES = 8,
    OFPMP_METER = 9,
    OFPMP_METER_CONFIG = 10,
    OFPMP_METER_FEATURES = 11,
    OFPMP_TABLE_FEATURES = 12,
    OFPMP_PORT_DESC = 13,
    OFPMP_EXPERIMENTER = 0xffff, /* OF1.0 calls it OFPST_VENDOR. */
};

/* Multipart flags. */
#define OFPMPF_MORE 0x0001      /* More messages of this reply follow. */

/* Extension ids (vendor/experimenter field). */
#define NX_VENDOR_ID 0x00002320     /* Nicira. */
#define ONF_VENDOR_ID 0x4f4e4600    /* Open Networking Foundation. */

/* ONF extension message types used with OpenFlow 1.3 (bundles). */
#define ONFT13_BUNDLE_CONTROL 2300
#define ONFT13_BUNDLE_ADD_MESSAGE 2301

/* Nicira message subtypes (NXT_*). */
enum {
    NXT_ROLE_REQUEST = 10,
    NXT_ROLE_REPLY = 11,
    NXT_SET_FLOW_FORMAT = 12,
    NXT_FLOW_MOD = 13,
    NXT_FLOW_MOD_TABLE_ID = 15,
    NXT_SET_PACKET_IN_FORMAT = 16,
    NXT_SET_ASYNC_CONFIG = 19,
    NXT_SET_CONTROLLER_ID = 20,
    NXT_FLOW_MONITOR_CANCEL = 21,
    NXT_FLOW_MONITOR_PAUSED = 22,
    NXT_FLOW_MONITOR_RESUMED = 23,
    NXT_TLV_TABLE_MOD = 24,
    NXT_TLV_TABLE_REQUEST = 25,
    NXT_TLV_TABLE_REPLY = 26,
    NXT_RESUME = 28,
    NXT_CT_FLUSH_ZONE = 29,
    NXT_PACKET_IN2 = 30,
};

/* Nicira stats subtypes (NXST_*). */
enum {
    NXST_FLOW = 0,
    NXST_AGGREGATE = 1,
    NXST_FLOW_MONITOR = 2,
};

/* NXT_SET_FLOW_FORMAT formats. */
enum {
    NXFF_OPENFLOW10 = 0,
    NXFF_NXM = 2,
};

/* NXT_SET_PACKET_IN_FORMAT formats. */
enum {
    NXPIF_STANDARD = 0,
    NXPIF_NXT_PACKET_IN = 1,
    NXPIF_NXT_PACKET_IN2 = 2,
};

/* NXT_PACKET_IN2 / NXT_RESUME property types. */
enum {
    NXPINT_PACKET = 0,
    NXPINT_FULL_LEN = 1,
    NXPINT_BUFFER_ID = 2,
    NXPINT_TABLE_ID = 3,
    NXPINT_COOKIE = 4,
    NXPINT_REASON = 5,
    NXPINT_METADATA = 6,
    NXPINT_USERDATA = 7,
    NXPINT_CONTINUATION = 8,
};

/* NXT_TLV_TABLE_MOD commands. */
enum {
    NXTTMC_ADD = 0,
    NXTTMC_DELETE = 1,
    NXTTMC_CLEAR = 2,
};

/* Bundle control types (OpenFlow 1.4 7.3.9.1). */
enum {
    OFPBCT_OPEN_REQUEST = 0,
    OFPBCT_OPEN_REPLY = 1,
    OFPBCT_CLOSE_REQUEST = 2,
    OFPBCT_CLOSE_REPLY = 3,
    OFPBCT_COMMIT_REQUEST = 4,
    OFPBCT_COMMIT_REPLY = 5,
    OFPBCT_DISCARD_REQUEST = 6,
    OFPBCT_DISCARD_REPLY = 7,
};

/* Hello element types. */
#define OFPHET_VERSIONBITMAP 1

/* Special buffer, port and group numbers. */
#define OFP_NO_BUFFER 0xffffffffu
#define OFP11_PORT_MAX 0xffffff00u    /* OF1.1+ numbering; OF1.0 adds 0xffff0000. */
#define OFP11_PORT_IN_PORT 0xfffffff8u
#define OFP11_PORT_CONTROLLER 0xfffffffdu
#define OFP11_PORT_LOCAL 0xfffffffeu
#define OFP11_PORT_ANY 0xffffffffu    /* OF1.0 "OFPP_NONE". */
#define OFPG_ANY 0xffffffffu
#define OFPG_ALL 0xfffffffcu
#define OFPG_BUCKET_ALL 0xffffffffu /* OF1.5 command_bucket_id. */
#define OFPTT_ALL 0xff

/* Controller roles. */
enum {
    OFPCR_ROLE_NOCHANGE = 0,
    OFPCR_ROLE_EQUAL = 1,
    OFPCR_ROLE_MASTER = 2,
    OFPCR_ROLE_SLAVE = 3,
};

/* Error types (OpenFlow 1.3 7.4.4; 1.0 uses the same numbers for the types
 * below it has, except where noted).  The error values themselves, with
 * their codes, are enum ofperr in openflow/ofp-errors.h. */
enum {
    OFPET_HELLO_FAILED = 0,
    OFPET_BAD_REQUEST = 1,
    OFPET_BAD_ACTION = 2,
    OFPET_BAD_INSTRUCTION = 3,  /* 1.1+. */
    OFPET_BAD_MATCH = 4,        /* 1.1+. */
    OFPET_FLOW_MOD_FAILED = 5,  /* 1.0: 3. */
    OFPET_GROUP_MOD_FAILED = 6,
    OFPET_PORT_MOD_FAILED = 7,
    OFPET_TABLE_MOD_FAILED = 8,
    OFPET_QUEUE_OP_FAILED = 9,
    OFPET_SWITCH_CONFIG_FAILED = 10,
    OFPET_ROLE_REQUEST_FAILED = 11,
    OFPET_METER_MOD_FAILED = 12,
    OFPET_TABLE_FEATURES_FAILED = 13,
    OFPET_BAD_PROPERTY = 14,    /* 1.4+. */
    OFPET_ASYNC_CONFIG_FAILED = 15,
    OFPET_FLOW_MONITOR_FAILED = 16,
    OFPET_BUNDLE_FAILED = 17,
    OFPET_EXPERIMENTER = 0xffff,
};

#endif /* openflow/ofp-protocol.h */
