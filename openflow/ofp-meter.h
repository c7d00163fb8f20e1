/* OpenFlow meters (OpenFlow 1.3.5 §7.3.4.4 and §7.3.5.12-14, 1.5.1
 * §7.3.4.5): the meter_mod message, the meter multipart requests and
 * replies (METER stats, METER_CONFIG / METER_DESC, METER_FEATURES), and
 * the ovs-ofctl(8) text syntax of a meter
 * ("meter=1,kbps,burst,stats,bands=type=drop,rate=100,burst_size=10").
 *
 * The layouts are the same in OpenFlow 1.3, 1.4 and 1.5 except the
 * features reply, which 1.5 extends by 8 bytes (decoded in both sizes,
 * sent in the short one, as OVS 3.1 does).  A meter in internal form
 * (struct ofp_meter_config) holds its bands inline, at most
 * OFP_METER_MAX_BANDS of them: no allocation, plain copies.
 *
 * Decoders return 0 or an OpenFlow error (openflow/ofp-errors.h); the
 * iterators over reply entries return OFPMSG_EOF at the end.  Encoders
 * append one message to a struct ofpbuf (replies through struct
 * ofpmsg_mp_reply). */
#ifndef OPENFLOW_OFP_METER_H
#define OPENFLOW_OFP_METER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openflow/ofp-errors.h"
#include "openflow/ofp-msgs.h"
#include "openflow/ofpbuf.h"

struct ds;

/* meter_mod commands. */
enum ofp_meter_command {
    OFPMC_ADD = 0,
    OFPMC_MODIFY = 1,
    OFPMC_DELETE = 2,
};

/* Meter flags. */
#define OFPMF_KBPS 0x0001       /* Rates in kbit/s. */
#define OFPMF_PKTPS 0x0002      /* Rates in packets/s. */
#define OFPMF_BURST 0x0004      /* burst_size is meaningful. */
#define OFPMF_STATS 0x0008      /* Collect statistics. */
#define OFPMF_ALL (OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS)

/* Band types. */
enum ofp_meter_band_type {
    OFPMBT_DROP = 1,
    OFPMBT_DSCP_REMARK = 2,
    OFPMBT_EXPERIMENTER = 0xffff,
};

/* Meter ids. */
#define OFPM_MAX 0xffff0000u        /* Last ordinary meter. */
#define OFPM_SLOWPATH 0xfffffffdu   /* Packets sent to the slow path. */
#define OFPM_CONTROLLER 0xfffffffeu /* Packets sent to controllers. */
#define OFPM_ALL 0xffffffffu        /* All meters (delete, requests). */

#define OFP_METER_MAX_BANDS 16  /* Bands Kiln decodes in one meter. */

/* One band. */
struct ofp_meter_band {
    uint16_t type;              /* enum ofp_meter_band_type. */
    uint8_t prec_level;         /* DSCP remark: drop precedence to add. */
    uint8_t pad;                /* Zero. */
    uint32_t rate;              /* kbit/s or packets/s (meter flags). */
    uint32_t burst_size;        /* kbit or packets; see OFPMF_BURST. */
    uint32_t experimenter;      /* OFPMBT_EXPERIMENTER only. */
};

/* A meter: what meter_mod carries and METER_CONFIG replies describe. */
struct ofp_meter_config {
    uint32_t meter_id;          /* Meter id (OFPM_*). */
    uint16_t flags;             /* OFPMF_*. */
    uint16_t n_bands;           /* Entries used in 'bands'. */
    struct ofp_meter_band bands[OFP_METER_MAX_BANDS]; /* Bands. */
};

/* A meter_mod. */
struct ofp_meter_mod {
    uint16_t command;           /* enum ofp_meter_command (as received). */
    struct ofp_meter_config meter; /* Id, flags and bands. */
};

/* Encodes 'mm' as an OFPT_METER_MOD of 'version' (1.3+). */
void ofp_meter_mod_encode(uint8_t version, uint32_t xid,
                          const struct ofp_meter_mod *mm, struct ofpbuf *);
/* Decodes the OFPT_METER_MOD 'msg' into 'mm'.  Errors: OFPBRC_BAD_LEN for
 * bad framing, OFPMMFC_OUT_OF_BANDS for more than OFP_METER_MAX_BANDS
 * bands.  Band types and values are not judged here (the switch does:
 * an experimenter band is decoded and then refused there). */
enum ofperr ofp_meter_mod_decode(const struct ofpmsg *msg,
                                 struct ofp_meter_mod *mm)
    WARN_UNUSED_RESULT;

/* METER and METER_CONFIG requests: 'type' is OFPMSG_METER_STATS_REQUEST
 * or OFPMSG_METER_CONFIG_REQUEST, 'meter_id' a meter or OFPM_ALL.  The
 * METER_FEATURES request has no body: ofpmsg_encode_simple(). */
void ofp_meter_request_encode(enum ofpmsg_type type, uint8_t version,
                              uint32_t xid, uint32_t meter_id,
                              struct ofpbuf *);
enum ofperr ofp_meter_request_decode(const struct ofpmsg *msg,
                                     uint32_t *meter_id)
    WARN_UNUSED_RESULT;

/* One band's counters in a METER stats reply. */
struct ofp_meter_band_stats {
    uint64_t packet_count;      /* Packets the band was applied to. */
    uint64_t byte_count;        /* Their bytes. */
};

/* A METER stats reply entry. */
struct ofp_meter_stats {
    uint32_t meter_id;          /* Meter. */
    uint32_t flow_count;        /* Flows that use it. */
    uint64_t packet_in_count;   /* Packets it saw. */
    uint64_t byte_in_count;     /* Their bytes. */
    uint32_t duration_sec;      /* Age. */
    uint32_t duration_nsec;     /* ...nanoseconds beyond. */
    uint16_t n_bands;           /* Entries used in 'bands'. */
    struct ofp_meter_band_stats bands[OFP_METER_MAX_BANDS]; /* Per band. */
};

void ofp_meter_stats_put(struct ofpmsg_mp_reply *, uint8_t version,
                         const struct ofp_meter_stats *);
/* Pulls the next entry of a METER stats reply.  Returns 0, OFPMSG_EOF or
 * an error; more than OFP_METER_MAX_BANDS band counters are an error. */
enum ofperr ofp_meter_stats_pull(struct ofpmsg_iter *,
                                 struct ofp_meter_stats *);

/* METER_CONFIG (OpenFlow 1.5: METER_DESC) reply entries. */
void ofp_meter_config_put(struct ofpmsg_mp_reply *, uint8_t version,
                          const struct ofp_meter_config *);
enum ofperr ofp_meter_config_pull(struct ofpmsg_iter *,
                                  struct ofp_meter_config *);

/* METER_FEATURES reply. */
struct ofp_meter_features {
    uint32_t max_meters;        /* Meters the switch can hold. */
    uint32_t band_types;        /* Bit (1 << OFPMBT_*) per band type. */
    uint32_t capabilities;      /* OFPMF_* flags supported. */
    uint8_t max_bands;          /* Bands per meter. */
    uint8_t max_color;          /* Largest color value. */
    uint32_t features;          /* OpenFlow 1.5 OFPMFF_* (0 before). */
};

void ofp_meter_features_encode(uint8_t version, uint32_t xid,
                               const struct ofp_meter_features *,
                               struct ofpbuf *);
enum ofperr ofp_meter_features_decode(const struct ofpmsg *msg,
                                      struct ofp_meter_features *)
    WARN_UNUSED_RESULT;

/* Text syntax (ovs-ofctl(8) "Meter Syntax").  Parses 'text' into 'mm'
 * for 'command': "meter=ID" (a number, "all", "controller" or
 * "slowpath"), the flags "kbps", "pktps", "burst", "stats", then
 * "bands=" and bands of "type=drop|dscp_remark,rate=N[,burst_size=N]
 * [,prec_level=N]", each "type=" starting a new band.  For delete (and
 * the requests) an empty text or no "meter=" means OFPM_ALL; add and
 * modify need an id and, as ovs-ofctl, at least one band.  Returns NULL
 * or an error message the caller frees. */
char *ofp_meter_mod_parse(const char *text, uint16_t command,
                          struct ofp_meter_mod *mm) WARN_UNUSED_RESULT;
/* Appends a meter id as ovs-ofctl prints it: a number, "all",
 * "controller" or "slowpath". */
void ofp_meter_id_format(uint32_t meter_id, struct ds *);
/* Appends "meter=1 kbps burst stats bands=\ntype=drop rate=100
 * burst_size=10\n" (one line per band, as ovs-ofctl dump-meters). */
void ofp_meter_config_format(const struct ofp_meter_config *, struct ds *);
/* Appends "meter:1 flow_count:0 packet_in_count:0 byte_in_count:0
 * duration:0.123s bands:\n0: packet_count:0 byte_count:0\n". */
void ofp_meter_stats_format(const struct ofp_meter_stats *, struct ds *);
/* Appends the three lines of ovs-ofctl meter-features. */
void ofp_meter_features_format(const struct ofp_meter_features *,
                               struct ds *);

#endif /* openflow/ofp-meter.h */
