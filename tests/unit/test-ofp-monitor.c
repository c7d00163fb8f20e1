/* Unit tests for openflow/ofp-monitor.h: NXST_FLOW_MONITOR request and
 * reply (full and abbreviated updates) and NXT_FLOW_MONITOR_CANCEL /
 * PAUSED / RESUMED round trips, bytes checked against what Debian's
 * ovs-ofctl sends and parses ("ovs-ofctl ofp-print"), malformed bodies
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/flow.h"
#include "lib/util.h"
#include "openflow/ofp-monitor.h"
#include "openflow/ofp-msgs.h"
#include "openflow/ofp-protocol.h"
#include "openflow/ofpbuf.h"

/* What `ovs-ofctl monitor br0 watch:` sends (monitor id 7, xid 6). */
static const uint8_t request_bytes[] = {
    0x01, 0x10, 0x00, 0x28, 0x00, 0x00, 0x00, 0x06,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x23, 0x20,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x07, 0x00, 0x3f, 0xff, 0xff,
    0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* NXM_OF_ETH_TYPE = 0x0800. */
static const uint8_t nxm_ip[] = { 0x00, 0x00, 0x06, 0x02, 0x08, 0x00 };
/* OpenFlow 1.0 output:2. */
static const uint8_t output2[] = { 0x00, 0x00, 0x00, 0x08,
                                   0x00, 0x02, 0x00, 0x00 };

static void
test_request_round_trip(void **state)
{
    (void) state;
    struct ofpmon_request reqs[2];
    memset(reqs, 0, sizeof reqs);
    reqs[0].id = 7;
    reqs[0].flags = NXFMF_ALL;
    reqs[0].out_port = OFPP_NONE;
    reqs[0].table_id = 0xff;
    reqs[0].match.format = OFPMSG_MATCH_NXM;
    reqs[1].id = 8;
    reqs[1].flags = NXFMF_ADD | NXFMF_DELETE;
    reqs[1].out_port = 2;
    reqs[1].table_id = 3;
    reqs[1].match.format = OFPMSG_MATCH_NXM;
    reqs[1].match.data = nxm_ip;
    reqs[1].match.size = sizeof nxm_ip;

    /* One request: exactly ovs-ofctl's bytes. */
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmon_encode_request(6, reqs, 1, &b);
    assert_int_equal(b.size, sizeof request_bytes);
    assert_memory_equal(b.data, request_bytes, sizeof request_bytes);
    ofpbuf_clear(&b);

    /* Two requests, the second with a match. */
    ofpmon_encode_request(9, reqs, 2, &b);
    assert_int_equal(b.size, 24 + 16 + 16 + 8);
    struct ofpmsg msg;
    assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
    assert_int_equal(msg.type, OFPMSG_FLOW_MONITOR_REQUEST);
    assert_int_equal(msg.family, OFPMSG_NX);
    assert_string_equal(ofpmsg_name(&msg), "NXST_FLOW_MONITOR request");
    assert_int_equal(msg.xid, 9);
    struct ofpmsg_iter it;
    ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
    struct ofpmon_request r;
    assert_int_equal(ofpmon_request_pull(&it, &r), 0);
    assert_int_equal(r.id, 7);
    assert_int_equal(r.flags, NXFMF_ALL);
    assert_int_equal(r.out_port, OFPP_NONE);
    assert_int_equal(r.table_id, 0xff);
    assert_int_equal(r.match.size, 0);
    assert_int_equal(ofpmon_request_pull(&it, &r), 0);
    assert_int_equal(r.id, 8);
    assert_int_equal(r.flags, NXFMF_ADD | NXFMF_DELETE);
    assert_int_equal(r.out_port, 2);
    assert_int_equal(r.table_id, 3);
    assert_int_equal(r.match.format, OFPMSG_MATCH_NXM);
    assert_int_equal(r.match.size, sizeof nxm_ip);
    assert_memory_equal(r.match.data, nxm_ip, sizeof nxm_ip);
    assert_int_equal(ofpmon_request_pull(&it, &r), OFPMSG_EOF);
    ofpbuf_uninit(&b);
}

static void
test_request_malformed(void **state)
{
    (void) state;
    uint8_t bad[sizeof request_bytes];
    struct ofpmsg msg;
    struct ofpmsg_iter it;
    struct ofpmon_request r;

    /* Unknown flag. */
    memcpy(bad, request_bytes, sizeof bad);
    bad[29] = 0x40;
    assert_int_equal(ofpmsg_classify(bad, sizeof bad, &msg), 0);
    ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
    assert_int_equal(ofpmon_request_pull(&it, &r), OFPERR_OFPMOFC_BAD_FLAGS);

    /* match_len past the end. */
    memcpy(bad, request_bytes, sizeof bad);
    bad[33] = 8;
    assert_int_equal(ofpmsg_classify(bad, sizeof bad, &msg), 0);
    ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
    assert_int_not_equal(ofpmon_request_pull(&it, &r), 0);

    /* Truncated entry. */
    memcpy(bad, request_bytes, sizeof bad);
    bad[3] = 0x20;
    assert_int_equal(ofpmsg_classify(bad, 0x20, &msg), 0);
    ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
    assert_int_equal(ofpmon_request_pull(&it, &r), OFPERR_OFPBRC_BAD_LEN);
}

/* A reply with an ADDED, a DELETED and an ABBREV update; checked against
 * ovs-ofctl ofp-print, which shows it as
 *  event=ADDED table=3 idle_timeout=10 cookie=0x1234 ip actions=output:2
 *  event=DELETED reason=delete table=0 cookie=0 ip
 *  event=ABBREV xid=0x2a */
static const uint8_t reply_bytes[] = {
    0x01, 0x11, 0x00, 0x68, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x23, 0x20,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    /* ADDED: 40 bytes. */
    0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,
    0x00, 0x0a, 0x00, 0x00, 0x00, 0x06, 0x03, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34,
    0x00, 0x00, 0x06, 0x02, 0x08, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00,
    /* DELETED: 32 bytes. */
    0x00, 0x20, 0x00, 0x01, 0x00, 0x02, 0x00, 0x05,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x06, 0x02, 0x08, 0x00, 0x00, 0x00,
    /* ABBREV. */
    0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, 0x2a,
};

static void
test_reply_round_trip(void **state)
{
    (void) state;
    struct ofpmon_update u[3];
    memset(u, 0, sizeof u);
    u[0].event = NXFME_ADDED;
    u[0].priority = 100;
    u[0].idle_timeout = 10;
    u[0].table_id = 3;
    u[0].cookie = 0x1234;
    u[0].match.format = OFPMSG_MATCH_NXM;
    u[0].match.data = nxm_ip;
    u[0].match.size = sizeof nxm_ip;
    u[0].actions.format = OFPMSG_ACTIONS_OF10;
    u[0].actions.data = output2;
    u[0].actions.size = sizeof output2;
    u[1] = u[0];
    u[1].event = NXFME_DELETED;
    u[1].reason = 2;
    u[1].priority = 5;
    u[1].idle_timeout = 0;
    u[1].table_id = 0;
    u[1].cookie = 0;
    u[1].actions.size = 0;
    u[2].event = NXFME_ABBREV;
    u[2].xid = 42;

    struct ofpmsg_mp_reply r;
    ofpmsg_mp_reply_init(&r, OFPMSG_FLOW_MONITOR_REPLY, OFPMSG_NX,
                         OFP10_VERSION, 0);
    for (size_t i = 0; i < 3; i++) {
        ofpmon_put_update(&r, &u[i]);
    }
    ofpmsg_mp_reply_finish(&r);
    assert_int_equal(r.n_msgs, 1);
    struct ofpbuf *b = &r.msgs[0];
    assert_int_equal(b->size, sizeof reply_bytes);
    assert_memory_equal(b->data, reply_bytes, sizeof reply_bytes);

    struct ofpmsg msg;
    assert_int_equal(ofpmsg_classify(b->data, b->size, &msg), 0);
    assert_int_equal(msg.type, OFPMSG_FLOW_MONITOR_REPLY);
    assert_true(ofpmsg_is_reply(msg.type));
    struct ofpmsg_iter it;
    ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
    struct ofpmon_update d;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ofpmon_update_pull(&it, &d), 0);
        assert_int_equal(d.event, u[i].event);
        assert_int_equal(d.xid, u[i].xid);
        assert_int_equal(d.reason, u[i].reason);
        assert_int_equal(d.priority, u[i].priority);
        assert_int_equal(d.idle_timeout, u[i].idle_timeout);
        assert_int_equal(d.table_id, u[i].table_id);
        assert_int_equal(d.cookie, u[i].cookie);
        assert_int_equal(d.match.size, u[i].match.size);
        assert_int_equal(d.actions.size, u[i].actions.size);
        if (d.actions.size) {
            assert_memory_equal(d.actions.data, output2, sizeof output2);
        }
    }
    assert_int_equal(ofpmon_update_pull(&it, &d), OFPMSG_EOF);
    ofpmsg_mp_reply_uninit(&r);

    /* Malformed: a length that is not a multiple of 8, an unknown
     * event, an ABBREV of the wrong length. */
    uint8_t bad[sizeof reply_bytes];
    static const size_t offsets[] = { 25, 27, 97 };
    static const uint8_t values[] = { 0x27, 0x07, 0x10 };
    for (size_t i = 0; i < ARRAY_SIZE(offsets); i++) {
        memcpy(bad, reply_bytes, sizeof bad);
        bad[offsets[i]] = values[i];
        assert_int_equal(ofpmsg_classify(bad, sizeof bad, &msg), 0);
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        enum ofperr err = 0;
        while (!err) {
            err = ofpmon_update_pull(&it, &d);
        }
        assert_int_not_equal(err, OFPMSG_EOF);
    }
}

static void
test_cancel_paused_resumed(void **state)
{
    (void) state;
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    ofpmon_encode_cancel(5, 0x01020304, &b);
    static const uint8_t cancel[] = {
        0x01, 0x04, 0x00, 0x14, 0x00, 0x00, 0x00, 0x05,
        0x00, 0x00, 0x23, 0x20, 0x00, 0x00, 0x00, 0x15,
        0x01, 0x02, 0x03, 0x04,
    };
    assert_int_equal(b.size, sizeof cancel);
    assert_memory_equal(b.data, cancel, sizeof cancel);
    struct ofpmsg msg;
    assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
    assert_int_equal(msg.type, OFPMSG_NXT_FLOW_MONITOR_CANCEL);
    uint32_t id;
    assert_int_equal(ofpmon_decode_cancel(&msg, &id), 0);
    assert_int_equal(id, 0x01020304);
    msg.body_size = 3;
    assert_int_equal(ofpmon_decode_cancel(&msg, &id), OFPERR_OFPBRC_BAD_LEN);

    static const enum ofpmsg_type simple[] = {
        OFPMSG_NXT_FLOW_MONITOR_PAUSED, OFPMSG_NXT_FLOW_MONITOR_RESUMED,
    };
    for (size_t i = 0; i < ARRAY_SIZE(simple); i++) {
        ofpbuf_clear(&b);
        ofpmsg_encode_simple(simple[i], OFP10_VERSION, 0, &b);
        assert_int_equal(b.size, 16);
        assert_int_equal(((uint8_t *) b.data)[15], 22 + i);
        assert_int_equal(ofpmsg_classify(b.data, b.size, &msg), 0);
        assert_int_equal(msg.type, simple[i]);
    }
    ofpbuf_uninit(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_round_trip),
        cmocka_unit_test(test_request_malformed),
        cmocka_unit_test(test_reply_round_trip),
        cmocka_unit_test(test_cancel_paused_resumed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
