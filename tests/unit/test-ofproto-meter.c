/* Unit tests for switch/ofproto-meter.h: meter_mod errors, flows refused
 * for unknown meters and deleted with their meter, OFPM_ALL, statistics
 * (flow count, datapath counters, duration with a fake clock), bundles
 * that add meters atomically, and the datapath meter kept across a modify
 * and freed by a delete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-meter.h"
#include "datapath/flow-extract.h"
#include "datapath/packet.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-match.h"
#include "openflow/ofp-meter.h"
#include "openflow/ofpbuf.h"
#include "switch/ofproto-meter.h"
#include "switch/ofproto.h"

static long long fake_now = 1000000;

static long long
fake_clock(void)
{
    return fake_now;
}

static struct ofp_meter_mod
mod(uint16_t command, uint32_t id, uint16_t flags, uint32_t rate)
{
    struct ofp_meter_mod mm;
    memset(&mm, 0, sizeof mm);
    mm.command = command;
    mm.meter.meter_id = id;
    mm.meter.flags = flags;
    if (rate) {
        mm.meter.n_bands = 1;
        mm.meter.bands[0].type = OFPMBT_DROP;
        mm.meter.bands[0].rate = rate;
    }
    return mm;
}

static enum ofperr
meter(struct ofproto *p, uint16_t command, uint32_t id, uint16_t flags,
      uint32_t rate)
{
    struct ofp_meter_mod mm = mod(command, id, flags, rate);
    return ofproto_meter_mod(p, &mm);
}

/* Adds a flow to table 0 with 'match' and 'actions'. */
static enum ofperr
flow(struct ofproto *p, const char *match, const char *actions)
{
    struct ofproto_flow_mod fm;
    struct ofpbuf ofpacts;
    ofproto_flow_mod_init(&fm, OFPROTO_FC_ADD);
    assert_null(ofp_match_from_string(&fm.match, NULL, match));
    ofp_match_normalize(&fm.match);
    ofpbuf_init(&ofpacts);
    char *err = ofpacts_parse(actions, NULL, &ofpacts);
    if (err) {
        fail_msg("%s: %s", actions, err);
    }
    fm.ofpacts = (const struct ofpact *) (void *) ofpacts.data;
    fm.ofpacts_size = ofpacts.size;
    enum ofperr e = ofproto_flow_mod(p, &fm);
    ofpbuf_uninit(&ofpacts);
    return e;
}

struct seen {
    size_t n;                   /* Meters visited. */
    struct ofp_meter_config cfg[8]; /* Their configurations. */
    struct ofp_meter_stats stats[8]; /* Their statistics. */
};

static void
seen_cb(const struct ofp_meter_config *cfg,
        const struct ofp_meter_stats *stats, void *aux)
{
    struct seen *s = aux;
    if (s->n < 8) {
        s->cfg[s->n] = *cfg;
        s->stats[s->n] = *stats;
    }
    s->n++;
}

static void
test_meter_mod_errors(void **state)
{
    (void) state;
    struct ofproto *p = ofproto_create("br0", 1);
    assert_int_equal(meter(p, OFPMC_ADD, 1, OFPMF_KBPS, 100), 0);
    assert_int_equal(meter(p, OFPMC_ADD, 1, OFPMF_KBPS, 100),
                     OFPERR_OFPMMFC_METER_EXISTS);
    assert_int_equal(meter(p, OFPMC_MODIFY, 2, OFPMF_KBPS, 100),
                     OFPERR_OFPMMFC_UNKNOWN_METER);
    assert_int_equal(meter(p, OFPMC_ADD, 0, OFPMF_KBPS, 100),
                     OFPERR_OFPMMFC_INVALID_METER);
    assert_int_equal(meter(p, OFPMC_ADD, OFPM_MAX + 1, OFPMF_KBPS, 100),
                     OFPERR_OFPMMFC_INVALID_METER);
    assert_int_equal(meter(p, OFPMC_ADD, OFPM_ALL, OFPMF_KBPS, 100),
                     OFPERR_OFPMMFC_INVALID_METER);
    assert_int_equal(meter(p, OFPMC_ADD, 3, 0x10, 100),
                     OFPERR_OFPMMFC_BAD_FLAGS);
    assert_int_equal(meter(p, OFPMC_ADD, 3, OFPMF_KBPS | OFPMF_PKTPS, 100),
                     OFPERR_OFPMMFC_BAD_FLAGS);
    assert_int_equal(meter(p, OFPMC_ADD, 3, OFPMF_KBPS, 0), 0);
    assert_int_equal(meter(p, 7, 4, OFPMF_KBPS, 100),
                     OFPERR_OFPMMFC_BAD_COMMAND);

    struct ofp_meter_mod mm = mod(OFPMC_ADD, 5, OFPMF_KBPS, 100);
    mm.meter.bands[0].rate = 0;
    assert_int_equal(ofproto_meter_mod(p, &mm), OFPERR_OFPMMFC_BAD_RATE);
    mm.meter.bands[0].rate = 10;
    mm.meter.bands[0].type = OFPMBT_EXPERIMENTER;
    assert_int_equal(ofproto_meter_mod(p, &mm), OFPERR_OFPMMFC_BAD_BAND);
    mm.meter.bands[0].type = 7;
    assert_int_equal(ofproto_meter_mod(p, &mm), OFPERR_OFPMMFC_BAD_BAND);
    mm.meter.bands[0].type = OFPMBT_DSCP_REMARK;
    mm.meter.bands[0].prec_level = 64;
    assert_int_equal(ofproto_meter_mod(p, &mm),
                     OFPERR_OFPMMFC_BAD_BAND_VALUE);
    mm.meter.bands[0].prec_level = 1;
    mm.meter.flags |= OFPMF_BURST;
    mm.meter.bands[0].burst_size = 0x80000000u;
    assert_int_equal(ofproto_meter_mod(p, &mm), OFPERR_OFPMMFC_BAD_BURST);
    mm.meter.bands[0].burst_size = 10;
    assert_int_equal(ofproto_meter_mod(p, &mm), 0);

    /* Special meters. */
    assert_int_equal(meter(p, OFPMC_ADD, OFPM_CONTROLLER, OFPMF_PKTPS, 10),
                     0);
    assert_int_equal(meter(p, OFPMC_ADD, OFPM_SLOWPATH, OFPMF_PKTPS, 10), 0);

    /* The configuration is echoed as given (burst_size 0 stays 0). */
    struct seen s = { 0 };
    assert_int_equal(ofproto_meter_visit(p, OFPM_ALL, seen_cb, &s), 5);
    assert_int_equal(s.cfg[0].meter_id, 1);
    assert_int_equal(s.cfg[0].bands[0].burst_size, 0);
    assert_int_equal(s.cfg[2].meter_id, 5);
    assert_int_equal(s.cfg[2].bands[0].burst_size, 10);
    assert_int_equal(s.cfg[3].meter_id, OFPM_SLOWPATH);
    assert_int_equal(s.cfg[4].meter_id, OFPM_CONTROLLER);

    /* Deletes: unknown is fine, 0 is not, "all" empties the table. */
    assert_int_equal(meter(p, OFPMC_DELETE, 99, 0, 0), 0);
    assert_int_equal(meter(p, OFPMC_DELETE, 0, 0, 0),
                     OFPERR_OFPMMFC_INVALID_METER);
    assert_int_equal(meter(p, OFPMC_DELETE, OFPM_ALL, 0, 0), 0);
    s.n = 0;
    assert_int_equal(ofproto_meter_visit(p, OFPM_ALL, seen_cb, &s), 0);
    ofproto_destroy(p);
}

static void
test_meter_flows(void **state)
{
    (void) state;
    struct ofproto *p = ofproto_create("br0", 1);
    ofproto_set_clock(p, fake_clock);
    struct dp_meter_table *dp = dp_meter_table_create();
    ofproto_set_dp_meters(p, dp);

    /* A flow naming a missing meter is refused. */
    assert_int_equal(flow(p, "in_port=1", "meter:1,output:2"),
                     OFPERR_OFPMMFC_INVALID_METER);
    assert_int_equal(flow(p, "in_port=1", "controller(meter_id=4)"),
                     OFPERR_OFPMMFC_INVALID_METER);
    assert_int_equal(meter(p, OFPMC_ADD, 1, OFPMF_PKTPS, 10), 0);
    assert_int_equal(meter(p, OFPMC_ADD, 2, OFPMF_PKTPS, 10), 0);
    assert_int_equal(flow(p, "in_port=1", "meter:1,output:2"), 0);
    assert_int_equal(flow(p, "in_port=2", "meter:1,output:1"), 0);
    assert_int_equal(flow(p, "in_port=3", "meter:2,output:1"), 0);
    assert_int_equal(flow(p, "in_port=4", "output:1"), 0);
    assert_int_equal(ofproto_flow_count(p), 4);

    /* Stats: flow counts, datapath counters, duration. */
    const struct ofproto_meter *m1 = ofproto_meter_find(p, 1);
    assert_non_null(m1);
    assert_int_not_equal(m1->dp_id, OFPROTO_METER_NO_DP);
    struct packet_batch b;
    uint8_t frame[60] = {
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x01, 0x02, 0x03, 0x04, 0x05,
        0x07, 0x08, 0x06,
    };
    packet_batch_init(&b);
    for (int i = 0; i < 25; i++) {
        packet_batch_add(&b, packet_clone_data(frame, sizeof frame));
    }
    dp_meter_execute(dp, m1->dp_id, &b, fake_now);
    assert_int_equal(b.count, 10);  /* 10 packets/s: one second's worth. */
    packet_batch_destroy_all(&b);
    fake_now += 2500;
    struct seen s = { 0 };
    assert_int_equal(ofproto_meter_visit(p, 1, seen_cb, &s), 1);
    assert_int_equal(s.stats[0].flow_count, 2);
    assert_int_equal(s.stats[0].packet_in_count, 25);
    assert_int_equal(s.stats[0].byte_in_count, 25 * 60);
    assert_int_equal(s.stats[0].n_bands, 1);
    assert_int_equal(s.stats[0].bands[0].packet_count, 15);
    assert_int_equal(s.stats[0].duration_sec, 2);
    assert_int_equal(s.stats[0].duration_nsec, 500000000);

    /* A modify keeps the datapath meter and its counters. */
    uint32_t dp_id = m1->dp_id;
    assert_int_equal(meter(p, OFPMC_MODIFY, 1, OFPMF_PKTPS, 20), 0);
    m1 = ofproto_meter_find(p, 1);
    assert_int_equal(m1->dp_id, dp_id);
    assert_int_equal(m1->cfg.bands[0].rate, 20);
    s.n = 0;
    ofproto_meter_visit(p, 1, seen_cb, &s);
    assert_int_equal(s.stats[0].packet_in_count, 25);
    assert_int_equal(s.stats[0].duration_sec, 2);
    assert_int_equal(ofproto_flow_count(p), 4);

    /* Deleting meter 1 deletes its two flows and frees its datapath
     * meter (which then passes everything). */
    assert_int_equal(meter(p, OFPMC_DELETE, 1, 0, 0), 0);
    assert_int_equal(ofproto_flow_count(p), 2);
    assert_null(ofproto_meter_find(p, 1));
    struct dp_meter_stats ds;
    assert_int_equal(dp_meter_get_stats(dp, dp_id, &ds), -ENOENT);

    /* OFPM_ALL deletes the rest and its flow. */
    assert_int_equal(meter(p, OFPMC_DELETE, OFPM_ALL, 0, 0), 0);
    assert_int_equal(ofproto_flow_count(p), 1);

    ofproto_destroy(p);
    dp_meter_table_destroy(dp);
}

static void
test_meter_bundle(void **state)
{
    (void) state;
    struct ofproto *p = ofproto_create("br0", 1);
    struct dp_meter_table *dp = dp_meter_table_create();
    ofproto_set_dp_meters(p, dp);

    /* A bundle that adds a meter and a flow using it: both or none. */
    struct ofp_meter_mod mm = mod(OFPMC_ADD, 9, OFPMF_KBPS, 100);
    struct ofproto_flow_mod fm;
    struct ofpbuf ofpacts;
    ofproto_flow_mod_init(&fm, OFPROTO_FC_ADD);
    ofpbuf_init(&ofpacts);
    assert_null(ofpacts_parse("meter:9,output:1", NULL, &ofpacts));
    fm.ofpacts = (const struct ofpact *) (void *) ofpacts.data;
    fm.ofpacts_size = ofpacts.size;

    /* Failing bundle: meter, flow, then a duplicate meter. */
    struct ofproto_bundle *b = ofproto_bundle_create(1, 1);
    ofproto_bundle_add_meter_mod(b, &mm);
    ofproto_bundle_add_flow_mod(b, &fm);
    ofproto_bundle_add_meter_mod(b, &mm);
    size_t failed = 99;
    assert_int_equal(ofproto_bundle_commit(p, b, &failed),
                     OFPERR_OFPMMFC_METER_EXISTS);
    assert_int_equal(failed, 2);
    ofproto_bundle_destroy(b);
    assert_null(ofproto_meter_find(p, 9));
    assert_int_equal(ofproto_flow_count(p), 0);
    /* The rolled-back add gave its datapath meter (number 0, the first)
     * back: freed, and in quarantine, so the next one is another. */
    uint32_t probe;
    struct dp_meter_stats st;
    assert_int_equal(dp_meter_get_stats(dp, 0, &st), -ENOENT);
    assert_int_equal(dp_meter_alloc(dp, &probe), 0);
    assert_int_equal(probe, 1);
    dp_meter_free(dp, probe);

    /* The same without the duplicate commits both. */
    b = ofproto_bundle_create(2, 1);
    ofproto_bundle_add_meter_mod(b, &mm);
    ofproto_bundle_add_flow_mod(b, &fm);
    assert_int_equal(ofproto_bundle_commit(p, b, NULL), 0);
    ofproto_bundle_destroy(b);
    assert_non_null(ofproto_meter_find(p, 9));
    assert_int_equal(ofproto_flow_count(p), 1);
    struct dp_meter_stats ds;
    assert_int_equal(dp_meter_get_stats(dp, ofproto_meter_find(p, 9)->dp_id,
                                        &ds), 0);
    ofpbuf_uninit(&ofpacts);
    ofproto_destroy(p);
    dp_meter_table_destroy(dp);
}

static void
test_meter_features(void **state)
{
    (void) state;
    struct ofp_meter_features mf;
    ofproto_meter_features(&mf);
    assert_int_equal(mf.max_meters, OFPROTO_METER_MAX);
    assert_int_equal(mf.band_types,
                     (1u << OFPMBT_DROP) | (1u << OFPMBT_DSCP_REMARK));
    assert_int_equal(mf.capabilities, OFPMF_ALL);
    assert_int_equal(mf.max_bands, OFPROTO_METER_MAX_BANDS);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meter_mod_errors),
        cmocka_unit_test(test_meter_flows),
        cmocka_unit_test(test_meter_bundle),
        cmocka_unit_test(test_meter_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
