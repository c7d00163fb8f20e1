/* Datapath meters: rate limiters that the METER datapath action
 * (dp-actions.h) runs packets through, numbered 0..DP_METER_MAX-1.  The
 * switch maps OpenFlow meters onto them (switch/ofproto-meter.h).
 *
 * Each band of a meter is a token bucket.  Rates are in kbit/s (tokens
 * are bits) or, with DP_METER_F_PKTPS, in packets/s (tokens are
 * thousandths of a packet); a bucket gains 'rate' tokens per millisecond
 * and holds at most the band's burst (burst_size kbit or packets with
 * DP_METER_F_BURST and a nonzero burst_size, else one second at the
 * rate).  A packet costs its length in bits (or 1000) in every bucket
 * that has that much; the bands whose bucket has too little are the ones
 * it exceeds, and the one of them with the highest rate applies (OpenFlow
 * 1.3.5 §5.7): DROP drops the packet, DSCP_REMARK raises the drop
 * precedence of an IPv4/IPv6 AF codepoint (RFC 2597) by prec_level.
 *
 * Concurrency: any number of packet threads may run one meter; each
 * meter has a spinlock held only for the bucket arithmetic of one batch
 * (no allocation, no system call under it).  Configuration (set, free)
 * is for one thread (the switch's main thread) and takes the same lock,
 * so a packet never sees half a configuration.  Meter slots are
 * allocated once and live until the table is destroyed, so a packet
 * thread that still runs a megaflow naming a freed meter finds an
 * unconfigured meter, which passes every packet. */
#ifndef DATAPATH_DP_METER_H
#define DATAPATH_DP_METER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

struct packet_batch;

#define DP_METER_MAX 65536      /* Meters in a table. */
#define DP_METER_MAX_BANDS 16   /* Bands in a meter. */

#define DP_METER_F_PKTPS 0x1    /* Rates in packets/s (else kbit/s). */
#define DP_METER_F_BURST 0x2    /* Use the bands' burst sizes. */

enum dp_meter_band_type {
    DP_METER_BAND_DROP = 1,     /* Drop the packet. */
    DP_METER_BAND_DSCP_REMARK = 2, /* Raise the drop precedence. */
};

struct dp_meter_band_config {
    uint16_t type;              /* enum dp_meter_band_type. */
    uint8_t prec_level;         /* DSCP_REMARK: precedence levels to add. */
    uint32_t rate;              /* kbit/s or packets/s, nonzero. */
    uint32_t burst_size;        /* kbit or packets (DP_METER_F_BURST). */
};

struct dp_meter_config {
    uint16_t flags;             /* DP_METER_F_*. */
    uint16_t n_bands;           /* Entries used in 'bands'. */
    struct dp_meter_band_config bands[DP_METER_MAX_BANDS]; /* Bands. */
};

struct dp_meter_stats {
    uint64_t packets;           /* Packets the meter saw. */
    uint64_t bytes;             /* Their bytes. */
    uint16_t n_bands;           /* Entries used in 'band_packets/bytes'. */
    uint64_t band_packets[DP_METER_MAX_BANDS]; /* Packets each band
                                                * applied to. */
    uint64_t band_bytes[DP_METER_MAX_BANDS]; /* Their bytes. */
};

struct dp_meter_table;

/* Creates an empty table.  The caller owns it. */
struct dp_meter_table *dp_meter_table_create(void);
/* Frees 't' (NULL is fine); no thread may use it any more. */
void dp_meter_table_destroy(struct dp_meter_table *t);

/* Reserves a free meter number, stored in '*idp'; the meter passes every
 * packet until dp_meter_set().  Returns 0 or -ENOSPC. */
int dp_meter_alloc(struct dp_meter_table *t, uint32_t *idp)
    WARN_UNUSED_RESULT;
/* Unconfigures meter 'id' (it passes every packet from now on) and makes
 * its number free again after 256 more frees, so that a megaflow still
 * naming it until revalidation never meters against a new meter. */
void dp_meter_free(struct dp_meter_table *t, uint32_t id);
/* Configures allocated meter 'id' from 'cfg' (copied), filling every
 * bucket; 'reset_stats' zeroes its counters (a new meter), else they go
 * on (a modified one).  'now' is the clock in msec.  Returns 0, or
 * -EINVAL for a bad id, band count, type or a zero rate. */
int dp_meter_set(struct dp_meter_table *t, uint32_t id,
                 const struct dp_meter_config *cfg, bool reset_stats,
                 long long now) WARN_UNUSED_RESULT;
/* Copies the counters of meter 'id' to '*stats'.  Returns 0 or -ENOENT
 * (not allocated). */
int dp_meter_get_stats(struct dp_meter_table *t, uint32_t id,
                       struct dp_meter_stats *stats);

/* Runs every packet of 'batch' through meter 'id' at time 'now' (msec):
 * packets a DROP band applies to are destroyed and removed from 'batch'
 * (the others keep their order); a DSCP_REMARK band rewrites them.  An
 * unknown or unconfigured meter passes everything.  'now' must not go
 * backwards by much (an older time adds no tokens). */
void dp_meter_execute(struct dp_meter_table *t, uint32_t id,
                      struct packet_batch *batch, long long now);

#endif /* datapath/dp-meter.h */
