/* Unit tests for openflow/ofp-meter.h: meter_mod, METER / METER_CONFIG /
 * METER_FEATURES encode-decode round trips in OpenFlow 1.3 to 1.5, bytes
 * checked against the specification's layout, malformed bodies refused,
 * and the ovs-ofctl text syntax both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "openflow/ofp-meter.h"
#include "openflow/ofp-msgs.h"
#include "openflow/ofpbuf.h"

static const uint8_t versions[] = {
    OFP13_VERSION, OFP14_VERSION, OFP15_VERSION
};

static struct ofp_meter_mod
sample_mod(void)
{
    struct ofp_meter_mod mm;
    memset(&mm, 0, sizeof mm);
    mm.command = OFPMC_ADD;
    mm.meter.meter_id = 7;
    mm.meter.flags = OFPMF_KBPS | OFPMF_BURST | OFPMF_STATS;
    mm.meter.n_bands = 2;
    mm.meter.bands[0].type = OFPMBT_DROP;
    mm.meter.bands[0].rate = 1000;
    mm.meter.bands[0].burst_size = 100;
    mm.meter.bands[1].type = OFPMBT_DSCP_REMARK;
    mm.meter.bands[1].rate = 500;
    mm.meter.bands[1].burst_size = 50;
    mm.meter.bands[1].prec_level = 2;
    return mm;
}

static void
test_meter_mod_round_trip(void **state)
{
    (void) state;
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofp_meter_mod mm = sample_mod(), back;
        struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
        struct ofpmsg msg;
        ofp_meter_mod_encode(versions[v], 42, &mm, &b);
        /* Header 8 + command/flags/id 8 + two 16-byte bands. */
        assert_int_equal(b.size, 48);
        const uint8_t *p = b.data;
        assert_int_equal(p[1], 29);                     /* OFPT_METER_MOD. */
        assert_int_equal(p[16 + 1], OFPMBT_DROP);
        assert_int_equal(p[16 + 3], 16);
        assert_int_equal(p[32 + 12], 2);                /* prec_level. */
        assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
        assert_int_equal(msg.type, OFPMSG_METER_MOD);
        assert_int_equal(ofp_meter_mod_decode(&msg, &back), 0);
        assert_memory_equal(&mm, &back, sizeof mm);
        ofpbuf_uninit(&b);
    }
}

static void
test_meter_mod_malformed(void **state)
{
    (void) state;
    struct ofp_meter_mod mm = sample_mod(), back;
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    struct ofpmsg msg;

    /* A band whose length runs past the message. */
    ofp_meter_mod_encode(OFP13_VERSION, 1, &mm, &b);
    uint8_t *p = b.data;
    p[32 + 3] = 24;
    assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
    assert_int_equal(ofp_meter_mod_decode(&msg, &back),
                     OFPERR_OFPBRC_BAD_LEN);
    /* A band length that is not a multiple of 8. */
    p[32 + 3] = 12;
    assert_int_equal(ofp_meter_mod_decode(&msg, &back),
                     OFPERR_OFPBRC_BAD_LEN);
    ofpbuf_uninit(&b);

    /* A truncated band. */
    ofp_meter_mod_encode(OFP13_VERSION, 1, &mm, &b);
    b.size -= 8;
    p = b.data;
    p[2] = 0;
    p[3] = (uint8_t) b.size;
    assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
    assert_int_equal(ofp_meter_mod_decode(&msg, &back),
                     OFPERR_OFPBRC_BAD_LEN);
    ofpbuf_uninit(&b);

    /* More bands than the codec holds. */
    memset(&mm, 0, sizeof mm);
    mm.meter.meter_id = 1;
    mm.meter.n_bands = OFP_METER_MAX_BANDS;
    for (size_t i = 0; i < OFP_METER_MAX_BANDS; i++) {
        mm.meter.bands[i].type = OFPMBT_DROP;
        mm.meter.bands[i].rate = 1;
    }
    ofp_meter_mod_encode(OFP13_VERSION, 1, &mm, &b);
    static const uint8_t extra[16] = { 0, 1, 0, 16, 0, 0, 0, 1 };
    ofpbuf_put(&b, extra, sizeof extra);
    p = b.data;
    p[2] = (uint8_t) (b.size >> 8);
    p[3] = (uint8_t) b.size;
    assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
    assert_int_equal(ofp_meter_mod_decode(&msg, &back),
                     OFPERR_OFPMMFC_OUT_OF_BANDS);
    ofpbuf_uninit(&b);

    /* An experimenter band decodes (the switch refuses it). */
    memset(&mm, 0, sizeof mm);
    mm.meter.meter_id = 1;
    mm.meter.n_bands = 1;
    mm.meter.bands[0].type = OFPMBT_EXPERIMENTER;
    mm.meter.bands[0].rate = 5;
    mm.meter.bands[0].experimenter = 0x2320;
    ofp_meter_mod_encode(OFP13_VERSION, 1, &mm, &b);
    assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
    assert_int_equal(ofp_meter_mod_decode(&msg, &back), 0);
    assert_int_equal(back.meter.bands[0].experimenter, 0x2320);
    ofpbuf_uninit(&b);
}

static void
test_meter_requests(void **state)
{
    (void) state;
    static const enum ofpmsg_type types[] = {
        OFPMSG_METER_STATS_REQUEST, OFPMSG_METER_CONFIG_REQUEST,
    };
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
            struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
            struct ofpmsg msg;
            uint32_t id;
            ofp_meter_request_encode(types[t], versions[v], 9, OFPM_ALL, &b);
            assert_int_equal(b.size, 24);
            assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
            assert_int_equal(msg.type, types[t]);
            assert_int_equal(msg.mp_type, t ? OFPMP_METER_CONFIG
                             : OFPMP_METER);
            assert_int_equal(ofp_meter_request_decode(&msg, &id), 0);
            assert_int_equal(id, OFPM_ALL);
            ofpbuf_uninit(&b);

            ofp_meter_request_encode(types[t], versions[v], 9, 3, &b);
            assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
            assert_int_equal(ofp_meter_request_decode(&msg, &id), 0);
            assert_int_equal(id, 3);
            ofpbuf_uninit(&b);
        }
        struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
        struct ofpmsg msg;
        uint32_t id;
        ofpmsg_encode_simple(OFPMSG_METER_FEATURES_REQUEST, versions[v], 1,
                             &b);
        assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
        assert_int_equal(msg.type, OFPMSG_METER_FEATURES_REQUEST);
        assert_int_equal(ofp_meter_request_decode(&msg, &id), 0);
        ofpbuf_uninit(&b);
    }
}

/* Builds a one-message multipart reply of 'type' with 'n' entries put by
 * 'put' and classifies it into 'msg' (bytes in 'out'). */
static void
finish_reply(struct ofpmsg_mp_reply *r, struct ofpbuf *out,
             struct ofpmsg *msg)
{
    ofpmsg_mp_reply_finish(r);
    assert_int_equal(r->n_msgs, 1);
    *out = r->msgs[0];
    r->n_msgs = 0;
    ofpmsg_mp_reply_uninit(r);
    assert_int_equal(ofpmsg_classify(out->data, out->size, msg), 0);
}

static void
test_meter_stats_and_config_replies(void **state)
{
    (void) state;
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        struct ofpmsg_mp_reply r;
        struct ofpbuf out;
        struct ofpmsg msg;
        struct ofpmsg_iter it;

        /* METER stats: two entries, 1 and 2 bands. */
        struct ofp_meter_stats ms[2];
        memset(ms, 0, sizeof ms);
        ms[0].meter_id = 1;
        ms[0].flow_count = 3;
        ms[0].packet_in_count = 1000;
        ms[0].byte_in_count = 64000;
        ms[0].duration_sec = 5;
        ms[0].duration_nsec = 250000000;
        ms[0].n_bands = 1;
        ms[0].bands[0].packet_count = 10;
        ms[0].bands[0].byte_count = 640;
        ms[1] = ms[0];
        ms[1].meter_id = OFPM_CONTROLLER;
        ms[1].n_bands = 2;
        ms[1].bands[1].packet_count = 77;
        ofpmsg_mp_reply_init(&r, OFPMSG_METER_STATS_REPLY, OFPMSG_STD,
                             versions[v], 5);
        ofp_meter_stats_put(&r, versions[v], &ms[0]);
        ofp_meter_stats_put(&r, versions[v], &ms[1]);
        finish_reply(&r, &out, &msg);
        assert_int_equal(msg.type, OFPMSG_METER_STATS_REPLY);
        assert_int_equal(msg.body_size, 56 + 72);
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        for (size_t i = 0; i < 2; i++) {
            struct ofp_meter_stats back;
            assert_int_equal(ofp_meter_stats_pull(&it, &back), 0);
            assert_memory_equal(&back, &ms[i], sizeof back);
        }
        struct ofp_meter_stats end;
        assert_int_equal(ofp_meter_stats_pull(&it, &end), OFPMSG_EOF);
        ofpbuf_uninit(&out);

        /* METER_CONFIG. */
        struct ofp_meter_mod mm = sample_mod();
        ofpmsg_mp_reply_init(&r, OFPMSG_METER_CONFIG_REPLY, OFPMSG_STD,
                             versions[v], 6);
        ofp_meter_config_put(&r, versions[v], &mm.meter);
        finish_reply(&r, &out, &msg);
        assert_int_equal(msg.type, OFPMSG_METER_CONFIG_REPLY);
        assert_int_equal(msg.body_size, 40);
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        struct ofp_meter_config mc;
        assert_int_equal(ofp_meter_config_pull(&it, &mc), 0);
        assert_memory_equal(&mc, &mm.meter, sizeof mc);
        assert_int_equal(ofp_meter_config_pull(&it, &mc), OFPMSG_EOF);
        ofpbuf_uninit(&out);

        /* METER_FEATURES. */
        struct ofp_meter_features mf = {
            .max_meters = 65536, .band_types = 6, .capabilities = 15,
            .max_bands = 16, .max_color = 0,
        }, mf2;
        struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
        ofp_meter_features_encode(versions[v], 7, &mf, &b);
        assert_int_equal(b.size, 32);
        assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
        assert_int_equal(msg.type, OFPMSG_METER_FEATURES_REPLY);
        assert_int_equal(ofp_meter_features_decode(&msg, &mf2), 0);
        assert_memory_equal(&mf, &mf2, sizeof mf);
        ofpbuf_uninit(&b);
    }
}

static void
test_meter_stats_pull_bad_len(void **state)
{
    (void) state;
    struct ofpmsg_mp_reply r;
    struct ofpbuf out;
    struct ofpmsg msg;
    struct ofpmsg_iter it;
    struct ofp_meter_stats ms;
    memset(&ms, 0, sizeof ms);
    ms.meter_id = 1;
    ms.n_bands = 1;
    ofpmsg_mp_reply_init(&r, OFPMSG_METER_STATS_REPLY, OFPMSG_STD,
                         OFP13_VERSION, 5);
    ofp_meter_stats_put(&r, OFP13_VERSION, &ms);
    finish_reply(&r, &out, &msg);
    uint8_t *p = (uint8_t *) msg.body;
    p[5] = 48;                  /* Not 40 + 16 * n. */
    ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
    assert_int_equal(ofp_meter_stats_pull(&it, &ms), OFPERR_OFPBRC_BAD_LEN);
    p[5] = 72;                  /* Past the end. */
    ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
    assert_int_equal(ofp_meter_stats_pull(&it, &ms), OFPERR_OFPBRC_BAD_LEN);
    ofpbuf_uninit(&out);
}

static void
test_meter_text(void **state)
{
    (void) state;
    struct ofp_meter_mod mm;
    struct ds s = DS_EMPTY_INITIALIZER;

    assert_null(ofp_meter_mod_parse(
                    "meter=1,kbps,burst,stats,bands=type=drop,rate=100,"
                    "burst_size=10", OFPMC_ADD, &mm));
    assert_int_equal(mm.meter.meter_id, 1);
    assert_int_equal(mm.meter.flags,
                     OFPMF_KBPS | OFPMF_BURST | OFPMF_STATS);
    assert_int_equal(mm.meter.n_bands, 1);
    assert_int_equal(mm.meter.bands[0].rate, 100);
    assert_int_equal(mm.meter.bands[0].burst_size, 10);
    ofp_meter_config_format(&mm.meter, &s);
    assert_string_equal(ds_cstr(&s), "meter=1 kbps burst stats bands=\n"
                        "type=drop rate=100 burst_size=10\n");
    ds_clear(&s);

    /* Two bands separated by a space; pktps; no burst shown without the
     * flag. */
    assert_null(ofp_meter_mod_parse(
                    "meter=controller pktps bands=type=drop rate=5 "
                    "type=dscp_remark rate=9 prec_level=1",
                    OFPMC_MODIFY, &mm));
    assert_int_equal(mm.meter.meter_id, OFPM_CONTROLLER);
    assert_int_equal(mm.meter.n_bands, 2);
    assert_int_equal(mm.meter.bands[1].type, OFPMBT_DSCP_REMARK);
    assert_int_equal(mm.meter.bands[1].prec_level, 1);
    ofp_meter_config_format(&mm.meter, &s);
    assert_string_equal(ds_cstr(&s), "meter=controller pktps bands=\n"
                        "type=drop rate=5\n"
                        "type=dscp_remark rate=9 prec_level=1\n");
    ds_clear(&s);

    /* Delete: default all. */
    assert_null(ofp_meter_mod_parse("", OFPMC_DELETE, &mm));
    assert_int_equal(mm.meter.meter_id, OFPM_ALL);
    assert_null(ofp_meter_mod_parse("meter=slowpath", OFPMC_DELETE, &mm));
    assert_int_equal(mm.meter.meter_id, OFPM_SLOWPATH);

    /* Errors. */
    static const char *bad[] = {
        "meter=0,kbps,bands=type=drop,rate=1",
        "meter=x,kbps,bands=type=drop,rate=1",
        "kbps,bands=type=drop,rate=1",
        "meter=1,kbps",
        "meter=1,kbps,bands=type=explode,rate=1",
        "meter=1,kbps,bands=rate=1",
        "meter=1,kbps,bands=type=drop",
        "meter=1,kbps,bands=type=drop,rate=4294967296",
        "meter=1,fast,bands=type=drop,rate=1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *err = ofp_meter_mod_parse(bad[i], OFPMC_ADD, &mm);
        assert_non_null(err);
        free(err);
    }

    /* Stats and features text. */
    struct ofp_meter_stats ms;
    memset(&ms, 0, sizeof ms);
    ms.meter_id = 2;
    ms.flow_count = 1;
    ms.packet_in_count = 10;
    ms.byte_in_count = 600;
    ms.duration_sec = 3;
    ms.duration_nsec = 5;
    ms.n_bands = 1;
    ms.bands[0].packet_count = 4;
    ms.bands[0].byte_count = 240;
    ofp_meter_stats_format(&ms, &s);
    assert_string_equal(ds_cstr(&s), "meter:2 flow_count:1 "
                        "packet_in_count:10 byte_in_count:600 "
                        "duration:3.000000005s bands:\n"
                        "0: packet_count:4 byte_count:240\n");
    ds_clear(&s);
    struct ofp_meter_features mf = {
        .max_meters = 100, .band_types = 1u << OFPMBT_DROP,
        .capabilities = OFPMF_KBPS | OFPMF_STATS, .max_bands = 1,
    };
    ofp_meter_features_format(&mf, &s);
    assert_string_equal(ds_cstr(&s), "max_meter:100 max_bands:1 "
                        "max_color:0\nband_types: drop\n"
                        "capabilities: kbps stats\n");
    ds_uninit(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meter_mod_round_trip),
        cmocka_unit_test(test_meter_mod_malformed),
        cmocka_unit_test(test_meter_requests),
        cmocka_unit_test(test_meter_stats_and_config_replies),
        cmocka_unit_test(test_meter_stats_pull_bad_len),
        cmocka_unit_test(test_meter_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
