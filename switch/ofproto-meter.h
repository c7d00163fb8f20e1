/* The meter table of one switch (OpenFlow 1.3.5 §5.7 and §6.6): meter_mod
 * semantics with the specification's errors, inside the same transactions
 * as flow_mods and group_mods (so a bundle applies meters atomically too),
 * statistics and features.
 *
 * Each OpenFlow meter is backed by a datapath meter (datapath/dp-meter.h)
 * from the table ofproto_set_dp_meters() gave the switch; translation
 * (switch/xlate) turns a meter instruction or action into the datapath
 * METER action of that number.  The datapath meter is configured when
 * the transaction commits: a modify keeps the number (megaflows stay
 * valid and see the new rates at once), a delete frees it after the flows
 * that use the meter were deleted with it (which revalidates the
 * megaflows).  Without a datapath table the switch still keeps meters,
 * whose counters then stay zero.
 *
 * OFPM_CONTROLLER (meter=controller) limits the packets that controller
 * actions without a meter_id and output to CONTROLLER send; OFPM_SLOWPATH is stored and reported
 * but, as in ovs-vswitchd's userspace datapath, not applied.
 *
 * Locking: as the rest of struct ofproto (switch/ofproto.h): changes take
 * the write lock inside a transaction; the queries take the read lock
 * themselves except ofproto_meter_find(), whose caller holds it. */
#ifndef SWITCH_OFPROTO_METER_H
#define SWITCH_OFPROTO_METER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hmap.h"
#include "openflow/ofp-errors.h"
#include "openflow/ofp-meter.h"

struct dp_meter_table;
struct ofpact;
struct ofproto;
struct ofproto_bundle;
struct ofproto_txn;

#define OFPROTO_METER_MAX 65536u    /* Meters per switch. */
#define OFPROTO_METER_MAX_BANDS 16  /* Bands per meter. */
#define OFPROTO_METER_NO_DP UINT32_MAX /* No datapath meter. */

/* A meter.  Immutable once in the table (a modify replaces it). */
struct ofproto_meter {
    struct hmap_node node;      /* In ofproto 'meters', by id. */
    struct ofp_meter_config cfg; /* As configured (echoed by replies). */
    uint32_t dp_id;             /* Datapath meter or OFPROTO_METER_NO_DP. */
    long long created;          /* Clock msec of the add. */
};

/* Gives 'p' the datapath meter table 'dp' (borrowed; it must outlive
 * 'p').  Call before adding meters. */
void ofproto_set_dp_meters(struct ofproto *p, struct dp_meter_table *dp);

/* Applies 'mm' within 'txn'.  Returns 0 or an OpenFlow error, with nothing
 * of 'mm' applied: OFPMMFC_METER_EXISTS, UNKNOWN_METER, INVALID_METER (id
 * 0, above OFPM_MAX, or "all" for add/modify), BAD_COMMAND, BAD_FLAGS,
 * BAD_BAND (unknown or experimenter band), BAD_RATE (zero), BAD_BURST,
 * BAD_BAND_VALUE (prec_level above 63), OUT_OF_BANDS, OUT_OF_METERS.
 * Deleting meter M (or OFPM_ALL) deletes the flows that use M. */
enum ofperr ofproto_txn_meter_mod(struct ofproto_txn *txn,
                                  const struct ofp_meter_mod *mm)
    WARN_UNUSED_RESULT;
/* The same as a transaction of one. */
enum ofperr ofproto_meter_mod(struct ofproto *p,
                              const struct ofp_meter_mod *mm)
    WARN_UNUSED_RESULT;

/* The meter 'meter_id' of 'p', or NULL.  The caller holds the read (or
 * write) lock. */
const struct ofproto_meter *ofproto_meter_find(const struct ofproto *p,
                                               uint32_t meter_id);
/* Checks that every meter the 'size' bytes of 'ofpacts' use (meter
 * instruction or action, controller meter_id) exists: 0 or
 * OFPMMFC_INVALID_METER (as ovs-vswitchd).  The caller holds the lock. */
enum ofperr ofproto_meter__check(const struct ofproto *p,
                                 const struct ofpact *ofpacts, size_t size);

/* Visits meter 'meter_id' (or every meter, for OFPM_ALL), in id order,
 * with its configuration and its statistics as of now.  Takes the read
 * lock.  Returns the number visited. */
typedef void ofproto_meter_visitor(const struct ofp_meter_config *cfg,
                                   const struct ofp_meter_stats *stats,
                                   void *aux);
size_t ofproto_meter_visit(struct ofproto *p, uint32_t meter_id,
                           ofproto_meter_visitor *cb, void *aux);

/* What the switch supports (the METER_FEATURES reply). */
void ofproto_meter_features(struct ofp_meter_features *mf);

/* Bundles: stores a copy of 'mm' in 'b' (switch/ofproto-bundle.c). */
void ofproto_bundle_add_meter_mod(struct ofproto_bundle *b,
                                  const struct ofp_meter_mod *mm);

#endif /* switch/ofproto-meter.h */
