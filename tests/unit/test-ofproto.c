/* Unit tests for switch/ofproto.h: flow_mod semantics (add, modify and
 * delete, loose and strict, cookies, out_port, overlap), timeouts with a
 * fake clock, groups, and atomic bundles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-match.h"
#include "openflow/ofpbuf.h"
#include "switch/ofproto.h"

/* Fake clock. */
static long long fake_now = 1000000;

static long long
fake_clock(void)
{
    return fake_now;
}

/* flow_removed notifications seen. */
static int n_removed[4];
static uint64_t last_removed_cookie;

static void
flow_removed_cb(struct ofproto *p, const struct ofproto_rule *rule,
                enum ofproto_removed_reason reason, void *aux)
{
    n_removed[reason]++;
    last_removed_cookie = rule->cookie;
}

static struct ofproto *
new_ofproto(void)
{
    struct ofproto *p = ofproto_create("br0", 1);
    ofproto_set_clock(p, fake_clock);
    static const struct ofproto_callbacks cbs = {
        .flow_removed = flow_removed_cb,
    };
    ofproto_set_callbacks(p, &cbs, NULL);
    memset(n_removed, 0, sizeof n_removed);
    return p;
}

/* A flow_mod built from text, with its own ofpacts buffer. */
struct tfm {
    struct ofproto_flow_mod fm; /* The flow_mod. */
    struct ofpbuf ofpacts;      /* Its actions. */
};

static void
tfm_init(struct tfm *t, enum ofproto_fm_command cmd, int table,
         int priority, const char *match, const char *actions)
{
    ofproto_flow_mod_init(&t->fm, cmd);
    if (table >= 0) {
        t->fm.table_id = table;
    }
    t->fm.priority = priority;
    char *err = ofp_match_from_string(&t->fm.match, NULL, match);
    assert_null(err);
    ofp_match_normalize(&t->fm.match);
    ofpbuf_init(&t->ofpacts);
    err = ofpacts_parse(actions ? actions : "drop", NULL, &t->ofpacts);
    if (err) {
        fail_msg("%s: %s", actions, err);
    }
    t->fm.ofpacts = (const struct ofpact *) (void *) t->ofpacts.data;
    t->fm.ofpacts_size = t->ofpacts.size;
}

static void
tfm_uninit(struct tfm *t)
{
    ofpbuf_uninit(&t->ofpacts);
}

/* Runs one flow_mod and returns its error. */
static enum ofperr
run(struct ofproto *p, enum ofproto_fm_command cmd, int table, int priority,
    const char *match, const char *actions, uint64_t cookie,
    uint64_t cookie_mask, uint16_t flags)
{
    struct tfm t;
    tfm_init(&t, cmd, table, priority, match, actions);
    t.fm.cookie = cookie;
    t.fm.cookie_mask = cookie_mask;
    t.fm.flags = flags;
    enum ofperr err = ofproto_flow_mod(p, &t.fm);
    tfm_uninit(&t);
    return err;
}

static enum ofperr
add(struct ofproto *p, int table, int priority, const char *match,
    const char *actions, uint64_t cookie)
{
    return run(p, OFPROTO_FC_ADD, table, priority, match, actions, cookie, 0,
               0);
}

/* Finds the rule with exactly 'match' and 'priority' in 'table'. */
static struct ofproto_rule *
find(struct ofproto *p, int table, int priority, const char *match)
{
    struct ofp_match m;
    assert_null(ofp_match_from_string(&m, NULL, match));
    ofp_match_normalize(&m);
    struct cls_match cm = { m.flow, m.wc };
    struct cls_rule *cr = classifier_find_exactly(&p->tables[table].cls,
                                                  &cm, priority);
    return cr ? cr->owner : NULL;
}

/* The actions of a rule as text. */
static char *
actions_of(struct ofproto *p, const struct ofproto_rule *rule)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ofpacts_format(ofproto_actions_get(rule->actions), rule->actions->size,
                   NULL, &s);
    return ds_steal_cstr(&s);
}

static void
assert_actions(struct ofproto *p, int table, int priority,
               const char *match, const char *expected)
{
    struct ofproto_rule *rule = find(p, table, priority, match);
    if (!rule) {
        fail_msg("no rule %d %s", priority, match);
    }
    char *s = actions_of(p, rule);
    assert_string_equal(s, expected);
    free(s);
}

static void
test_ofproto_add_replaces_identical(void **state)
{
    struct ofproto *p = new_ofproto();
    uint64_t v0 = ofproto_get_version(p);
    assert_int_equal(add(p, 0, 100, "ip", "output:1", 1), 0);
    assert_true(ofproto_get_version(p) > v0);
    struct ofproto_rule *r = find(p, 0, 100, "ip");
    ofproto_rule_credit(r, 3, 300, fake_now);

    /* Same match and priority: replaced, counters kept. */
    assert_int_equal(add(p, 0, 100, "ip", "output:2", 2), 0);
    assert_int_equal(ofproto_flow_count(p), 1);
    assert_actions(p, 0, 100, "ip", "output:2");
    r = find(p, 0, 100, "ip");
    assert_int_equal(r->cookie, 2);
    assert_int_equal(atomic_load(&r->packet_count), 3);

    /* reset_counts clears them. */
    assert_int_equal(run(p, OFPROTO_FC_ADD, 0, 100, "ip", "output:3", 0, 0,
                         OFPROTO_FF_RESET_COUNTS), 0);
    r = find(p, 0, 100, "ip");
    assert_int_equal(atomic_load(&r->packet_count), 0);

    /* A different priority or table is another rule. */
    assert_int_equal(add(p, 0, 101, "ip", "drop", 0), 0);
    assert_int_equal(add(p, 3, 100, "ip", "drop", 0), 0);
    assert_int_equal(ofproto_flow_count(p), 3);
    assert_int_equal(ofproto_table_count(p, 3), 1);
    assert_int_equal(ofproto_table_count(p, 0), 2);

    /* An add to table 255 goes to table 0. */
    assert_int_equal(add(p, 255, 1, "", "drop", 0), 0);
    assert_non_null(find(p, 0, 1, ""));
    /* No flow_removed for a replaced rule. */
    assert_int_equal(n_removed[OFPROTO_RR_DELETE], 0);
    ofproto_destroy(p);
}

static void
test_ofproto_check_overlap(void **state)
{
    static const struct {
        int priority;
        const char *match;
        enum ofperr expected;
    } cases[] = {
        { 100, "tcp", OFPERR_OFPFMFC_OVERLAP },  /* ip covers tcp. */
        { 100, "ip,nw_src=10.0.0.1", OFPERR_OFPFMFC_OVERLAP },
        { 200, "tcp", 0 },                       /* Other priority. */
        { 100, "arp", 0 },                       /* Disjoint. */
        { 100, "ipv6", 0 },                      /* Disjoint. */
        { 100, "", OFPERR_OFPFMFC_OVERLAP },     /* Catch-all. */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofproto *p = new_ofproto();
        assert_int_equal(add(p, 0, 100, "ip", "drop", 0), 0);
        enum ofperr err = run(p, OFPROTO_FC_ADD, 0, cases[i].priority,
                              cases[i].match, "drop", 0, 0,
                              OFPROTO_FF_CHECK_OVERLAP);
        if (err != cases[i].expected) {
            fail_msg("case %zu (%s): got %s", i, cases[i].match,
                     ofperr_to_string(err));
        }
        assert_int_equal(ofproto_flow_count(p), err ? 1 : 2);
        ofproto_destroy(p);
    }
}

static void
populate(struct ofproto *p)
{
    assert_int_equal(add(p, 0, 10, "ip,nw_src=1.1.1.1", "output:1", 0x1), 0);
    assert_int_equal(add(p, 0, 20, "ip,nw_src=1.1.1.1", "output:2", 0x2), 0);
    assert_int_equal(add(p, 0, 30, "tcp", "output:2", 0x11), 0);
    assert_int_equal(add(p, 0, 40, "arp", "output:3", 0x12), 0);
    assert_int_equal(add(p, 1, 10, "ip,nw_src=1.1.1.1", "output:4", 0x1),
                     0);
}

static void
test_ofproto_modify_loose_strict(void **state)
{
    struct ofproto *p = new_ofproto();
    populate(p);

    /* Loose modify in table 0: every rule at least as specific as "ip". */
    assert_int_equal(run(p, OFPROTO_FC_MODIFY, 0, 0, "ip", "output:9",
                         0, 0, 0), 0);
    assert_actions(p, 0, 10, "ip,nw_src=1.1.1.1", "output:9");
    assert_actions(p, 0, 20, "ip,nw_src=1.1.1.1", "output:9");
    assert_actions(p, 0, 30, "tcp", "output:9");
    assert_actions(p, 0, 40, "arp", "output:3");
    assert_actions(p, 1, 10, "ip,nw_src=1.1.1.1", "output:4");

    /* Strict: exactly that match and priority. */
    assert_int_equal(run(p, OFPROTO_FC_MODIFY_STRICT, 0, 20,
                         "ip,nw_src=1.1.1.1", "output:7", 0, 0, 0), 0);
    assert_actions(p, 0, 10, "ip,nw_src=1.1.1.1", "output:9");
    assert_actions(p, 0, 20, "ip,nw_src=1.1.1.1", "output:7");

    /* Table 255: all tables. */
    assert_int_equal(run(p, OFPROTO_FC_MODIFY, 255, 0, "ip,nw_src=1.1.1.1",
                         "output:5", 0, 0, 0), 0);
    assert_actions(p, 1, 10, "ip,nw_src=1.1.1.1", "output:5");
    assert_actions(p, 0, 30, "tcp", "output:9");

    /* Cookie filter. */
    assert_int_equal(run(p, OFPROTO_FC_MODIFY, 255, 0, "", "output:6",
                         0x12, 0xff, 0), 0);
    assert_actions(p, 0, 40, "arp", "output:6");
    assert_actions(p, 0, 30, "tcp", "output:9");
    assert_int_equal(ofproto_flow_count(p), 5);
    ofproto_destroy(p);
}

static void
test_ofproto_modify_cookie_and_add(void **state)
{
    struct ofproto *p = new_ofproto();
    struct tfm t;

    /* modify_cookie and no match: adds (OpenFlow 1.0, ovs-ofctl). */
    tfm_init(&t, OFPROTO_FC_MODIFY, -1, 5, "udp", "output:1");
    t.fm.modify_cookie = true;
    t.fm.new_cookie = 0x55;
    assert_int_equal(ofproto_flow_mod(p, &t.fm), 0);
    tfm_uninit(&t);
    assert_int_equal(ofproto_flow_count(p), 1);
    assert_int_equal(find(p, 0, 5, "udp")->cookie, 0x55);

    /* modify_cookie on a match: changes the cookie. */
    tfm_init(&t, OFPROTO_FC_MODIFY_STRICT, 0, 5, "udp", "output:2");
    t.fm.modify_cookie = true;
    t.fm.new_cookie = 0x66;
    assert_int_equal(ofproto_flow_mod(p, &t.fm), 0);
    tfm_uninit(&t);
    assert_int_equal(find(p, 0, 5, "udp")->cookie, 0x66);

    /* Cookie-masked modify that matches nothing adds nothing. */
    tfm_init(&t, OFPROTO_FC_MODIFY, -1, 5, "tcp", "output:1");
    t.fm.cookie = 0x77;
    t.fm.cookie_mask = UINT64_MAX;
    assert_int_equal(ofproto_flow_mod(p, &t.fm), 0);
    tfm_uninit(&t);
    /* Plain modify without modify_cookie adds nothing either. */
    assert_int_equal(run(p, OFPROTO_FC_MODIFY, 255, 0, "arp", "drop", 0, 0,
                         0), 0);
    assert_int_equal(ofproto_flow_count(p), 1);
    ofproto_destroy(p);
}

static void
test_ofproto_delete(void **state)
{
    static const struct {
        enum ofproto_fm_command cmd;
        int table;
        int priority;
        const char *match;
        uint64_t cookie, cookie_mask;
        uint32_t out_port;
        size_t left;            /* Rules left of the 5. */
    } cases[] = {
        { OFPROTO_FC_DELETE, 255, 0, "", 0, 0, OFPP_NONE, 0 },
        { OFPROTO_FC_DELETE, 0, 0, "", 0, 0, OFPP_NONE, 1 },
        { OFPROTO_FC_DELETE, 1, 0, "", 0, 0, OFPP_NONE, 4 },
        { OFPROTO_FC_DELETE, 255, 0, "ip", 0, 0, OFPP_NONE, 1 },
        { OFPROTO_FC_DELETE, 255, 0, "tcp", 0, 0, OFPP_NONE, 4 },
        { OFPROTO_FC_DELETE, 255, 0, "ip,nw_src=1.1.1.1", 0, 0, OFPP_NONE,
          2 },
        { OFPROTO_FC_DELETE_STRICT, 0, 10, "ip,nw_src=1.1.1.1", 0, 0,
          OFPP_NONE, 4 },
        { OFPROTO_FC_DELETE_STRICT, 0, 11, "ip,nw_src=1.1.1.1", 0, 0,
          OFPP_NONE, 5 },
        { OFPROTO_FC_DELETE_STRICT, 255, 10, "ip,nw_src=1.1.1.1", 0, 0,
          OFPP_NONE, 3 },
        { OFPROTO_FC_DELETE, 255, 0, "", 0x1, 0xf, OFPP_NONE, 2 },
        { OFPROTO_FC_DELETE, 255, 0, "", 0x1, 0xff, OFPP_NONE, 3 },
        { OFPROTO_FC_DELETE, 255, 0, "", 0x10, 0xf0, OFPP_NONE, 3 },
        { OFPROTO_FC_DELETE, 255, 0, "", 0, 0, 2, 3 },
        { OFPROTO_FC_DELETE, 255, 0, "ip", 0, 0, 2, 3 },
        { OFPROTO_FC_DELETE, 255, 0, "", 0, 0, 8, 5 },
        { OFPROTO_FC_DELETE_STRICT, 0, 20, "ip,nw_src=1.1.1.1", 0, 0, 1, 5 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofproto *p = new_ofproto();
        populate(p);
        struct tfm t;
        tfm_init(&t, cases[i].cmd, cases[i].table, cases[i].priority,
                 cases[i].match, NULL);
        t.fm.cookie = cases[i].cookie;
        t.fm.cookie_mask = cases[i].cookie_mask;
        t.fm.out_port = cases[i].out_port;
        assert_int_equal(ofproto_flow_mod(p, &t.fm), 0);
        tfm_uninit(&t);
        if (ofproto_flow_count(p) != cases[i].left) {
            fail_msg("case %zu: %zu rules left, expected %zu", i,
                     ofproto_flow_count(p), cases[i].left);
        }
        ofproto_destroy(p);
    }
}

static void
test_ofproto_delete_sends_flow_removed(void **state)
{
    struct ofproto *p = new_ofproto();
    assert_int_equal(run(p, OFPROTO_FC_ADD, 0, 1, "ip", "drop", 0xab, 0,
                         OFPROTO_FF_SEND_FLOW_REM), 0);
    assert_int_equal(add(p, 0, 2, "ip", "drop", 0), 0);
    assert_int_equal(run(p, OFPROTO_FC_DELETE, 255, 0, "", NULL, 0, 0, 0),
                     0);
    assert_int_equal(n_removed[OFPROTO_RR_DELETE], 1);
    assert_int_equal(last_removed_cookie, 0xab);
    ofproto_destroy(p);
}

static void
test_ofproto_timeouts(void **state)
{
    struct ofproto *p = new_ofproto();
    struct tfm t;
    tfm_init(&t, OFPROTO_FC_ADD, 0, 1, "ip", "drop");
    t.fm.idle_timeout = 5;
    t.fm.flags = OFPROTO_FF_SEND_FLOW_REM;
    assert_int_equal(ofproto_flow_mod(p, &t.fm), 0);
    tfm_uninit(&t);
    tfm_init(&t, OFPROTO_FC_ADD, 0, 2, "ip", "drop");
    t.fm.hard_timeout = 10;
    t.fm.idle_timeout = 3;
    t.fm.flags = OFPROTO_FF_SEND_FLOW_REM;
    assert_int_equal(ofproto_flow_mod(p, &t.fm), 0);
    tfm_uninit(&t);
    assert_int_equal(add(p, 0, 3, "ip", "drop", 0), 0);

    long long start = fake_now;
    fake_now = start + 2000;
    assert_int_equal(ofproto_run_timeouts(p), 0);
    /* Traffic keeps both alive past their idle timeouts. */
    ofproto_rule_credit(find(p, 0, 1, "ip"), 1, 64, start + 2500);
    ofproto_rule_credit(find(p, 0, 2, "ip"), 1, 64, start + 2500);
    fake_now = start + 4999;
    assert_int_equal(ofproto_run_timeouts(p), 0);
    for (long long t2 = 5000; t2 <= 9000; t2 += 500) {
        ofproto_rule_credit(find(p, 0, 2, "ip"), 1, 64, start + t2);
    }
    fake_now = start + 7500;
    assert_int_equal(ofproto_run_timeouts(p), 1);  /* Idle: priority 1. */
    assert_int_equal(n_removed[OFPROTO_RR_IDLE_TIMEOUT], 1);
    assert_null(find(p, 0, 1, "ip"));
    fake_now = start + 9999;
    assert_int_equal(ofproto_run_timeouts(p), 0);
    fake_now = start + 10000;
    assert_int_equal(ofproto_run_timeouts(p), 1);  /* Hard: priority 2. */
    assert_int_equal(n_removed[OFPROTO_RR_HARD_TIMEOUT], 1);
    fake_now = start + 1000000;
    assert_int_equal(ofproto_run_timeouts(p), 0);  /* No timeout: stays. */
    assert_int_equal(ofproto_flow_count(p), 1);
    ofproto_destroy(p);
}

static enum ofperr
group_mod(struct ofproto *p, enum ofproto_gm_command cmd, uint8_t type,
          uint32_t id, size_t n, const char *actions, uint32_t watch_port)
{
    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts);
    assert_null(ofpacts_parse(actions, NULL, &ofpacts));
    struct ofproto_bucket_spec buckets[4];
    for (size_t i = 0; i < n; i++) {
        buckets[i] = (struct ofproto_bucket_spec) {
            .bucket_id = i, .weight = type == OFPROTO_GT_SELECT ? 1 : 0,
            .watch_port = watch_port, .watch_group = OFPROTO_GROUP_ANY,
            .ofpacts = (const struct ofpact *) (void *) ofpacts.data,
            .ofpacts_size = ofpacts.size,
        };
    }
    struct ofproto_group_mod gm = {
        .command = cmd, .type = type, .group_id = id, .buckets = buckets,
        .n_buckets = n,
    };
    enum ofperr err = ofproto_group_mod(p, &gm);
    ofpbuf_uninit(&ofpacts);
    return err;
}

static void
test_ofproto_groups(void **state)
{
    struct ofproto *p = new_ofproto();
    assert_int_equal(group_mod(p, OFPROTO_GC_ADD, OFPROTO_GT_ALL, 1, 2,
                               "output:1", OFPP_NONE), 0);
    assert_int_equal(group_mod(p, OFPROTO_GC_ADD, OFPROTO_GT_ALL, 1, 2,
                               "output:1", OFPP_NONE),
                     OFPERR_OFPGMFC_GROUP_EXISTS);
    assert_int_equal(group_mod(p, OFPROTO_GC_MODIFY, OFPROTO_GT_SELECT, 1, 3,
                               "output:2", OFPP_NONE), 0);
    assert_int_equal(ofproto_group_find(p, 1)->n_buckets, 3);
    assert_int_equal(group_mod(p, OFPROTO_GC_MODIFY, OFPROTO_GT_ALL, 2, 1,
                               "output:2", OFPP_NONE),
                     OFPERR_OFPGMFC_UNKNOWN_GROUP);
    assert_int_equal(group_mod(p, OFPROTO_GC_ADD, OFPROTO_GT_INDIRECT, 3, 2,
                               "output:2", OFPP_NONE),
                     OFPERR_OFPGMFC_INVALID_GROUP);
    assert_int_equal(group_mod(p, OFPROTO_GC_ADD, OFPROTO_GT_FF, 4, 2,
                               "output:2", OFPP_NONE),
                     OFPERR_OFPGMFC_BAD_WATCH);
    assert_int_equal(group_mod(p, OFPROTO_GC_ADD, OFPROTO_GT_FF, 4, 2,
                               "output:2", 1), 0);
    assert_int_equal(group_mod(p, OFPROTO_GC_ADD, 7, 5, 1, "output:2",
                               OFPP_NONE), OFPERR_OFPGMFC_BAD_TYPE);
    assert_int_equal(group_mod(p, OFPROTO_GC_ADD, OFPROTO_GT_ALL, 6, 1,
                               "group:99", OFPP_NONE),
                     OFPERR_OFPGMFC_UNKNOWN_GROUP);

    /* Flows must name existing groups. */
    assert_int_equal(add(p, 0, 1, "ip", "group:9", 0),
                     OFPERR_OFPBAC_BAD_OUT_GROUP);
    assert_int_equal(add(p, 0, 1, "ip", "group:1", 0), 0);
    assert_int_equal(add(p, 0, 2, "ip", "group:4", 0), 0);
    assert_int_equal(ofproto_group_ref_count(p, 1), 1);

    /* out_group filter. */
    struct tfm t;
    tfm_init(&t, OFPROTO_FC_DELETE, 255, 0, "", NULL);
    t.fm.out_group = 4;
    assert_int_equal(ofproto_flow_mod(p, &t.fm), 0);
    tfm_uninit(&t);
    assert_int_equal(ofproto_flow_count(p), 1);

    /* Deleting a group deletes its flows. */
    assert_int_equal(group_mod(p, OFPROTO_GC_DELETE, 0, 1, 0, "drop",
                               OFPP_NONE), 0);
    assert_null(ofproto_group_find(p, 1));
    assert_int_equal(ofproto_flow_count(p), 0);
    assert_int_equal(group_mod(p, OFPROTO_GC_DELETE, 0, OFPROTO_GROUP_ALL,
                               0, "drop", OFPP_NONE), 0);
    assert_true(hmap_is_empty(&p->groups));
    ofproto_destroy(p);
}

static void
test_ofproto_bundle_atomic(void **state)
{
    struct ofproto *p = new_ofproto();
    assert_int_equal(run(p, OFPROTO_FC_ADD, 0, 7, "arp", "output:1", 0x9, 0,
                         OFPROTO_FF_SEND_FLOW_REM), 0);
    assert_int_equal(add(p, 0, 8, "ip", "output:1", 0), 0);
    uint64_t version = ofproto_get_version(p);

    struct ofproto_bundle *b = ofproto_bundle_create(1, 1);
    struct tfm t[4];
    tfm_init(&t[0], OFPROTO_FC_ADD, 0, 1, "tcp", "output:1");
    tfm_init(&t[1], OFPROTO_FC_DELETE, 255, 0, "arp", NULL);
    tfm_init(&t[2], OFPROTO_FC_MODIFY, 255, 0, "ip", "output:3");
    tfm_init(&t[3], OFPROTO_FC_ADD, 0, 2, "udp", "group:5");
    for (size_t i = 0; i < 4; i++) {
        ofproto_bundle_add_flow_mod(b, &t[i].fm);
        tfm_uninit(&t[i]);
    }
    assert_int_equal(ofproto_bundle_n_msgs(b), 4);
    size_t failed = 99;
    assert_int_equal(ofproto_bundle_commit(p, b, &failed),
                     OFPERR_OFPBAC_BAD_OUT_GROUP);
    assert_int_equal(failed, 3);
    /* Nothing applied: same rules, actions, no flow_removed. */
    assert_int_equal(ofproto_flow_count(p), 2);
    assert_actions(p, 0, 8, "ip", "output:1");
    assert_actions(p, 0, 7, "arp", "output:1");
    assert_null(find(p, 0, 1, "tcp"));
    assert_int_equal(n_removed[OFPROTO_RR_DELETE], 0);
    assert_int_equal(ofproto_get_version(p), version);
    ofproto_bundle_destroy(b);

    /* The same without the bad message: everything applied. */
    b = ofproto_bundle_create(2, 1);
    for (size_t i = 0; i < 3; i++) {
        tfm_init(&t[i], i == 0 ? OFPROTO_FC_ADD
                 : i == 1 ? OFPROTO_FC_DELETE : OFPROTO_FC_MODIFY,
                 i == 0 ? 0 : 255, 1, i == 0 ? "tcp" : i == 1 ? "arp" : "ip",
                 i == 1 ? NULL : "output:3");
        ofproto_bundle_add_flow_mod(b, &t[i].fm);
        tfm_uninit(&t[i]);
    }
    assert_int_equal(ofproto_bundle_commit(p, b, NULL), 0);
    ofproto_bundle_destroy(b);
    assert_int_equal(ofproto_flow_count(p), 2);
    assert_actions(p, 0, 1, "tcp", "output:3");
    assert_actions(p, 0, 8, "ip", "output:3");
    assert_int_equal(n_removed[OFPROTO_RR_DELETE], 1);
    assert_true(ofproto_get_version(p) > version);
    ofproto_destroy(p);
}

static void
test_ofproto_bundle_group_rollback(void **state)
{
    struct ofproto *p = new_ofproto();
    assert_int_equal(group_mod(p, OFPROTO_GC_ADD, OFPROTO_GT_ALL, 1, 1,
                               "output:1", OFPP_NONE), 0);
    assert_int_equal(add(p, 0, 1, "ip", "group:1", 0), 0);

    struct ofproto_bundle *b = ofproto_bundle_create(1, 1);
    struct ofproto_group_mod gm = {
        .command = OFPROTO_GC_DELETE, .group_id = 1,
    };
    ofproto_bundle_add_group_mod(b, &gm);
    struct tfm t;
    tfm_init(&t, OFPROTO_FC_ADD, 0, 1, "arp", "group:1");  /* Gone now. */
    ofproto_bundle_add_flow_mod(b, &t.fm);
    tfm_uninit(&t);
    assert_int_equal(ofproto_bundle_commit(p, b, NULL),
                     OFPERR_OFPBAC_BAD_OUT_GROUP);
    ofproto_bundle_destroy(b);
    assert_non_null(ofproto_group_find(p, 1));
    assert_actions(p, 0, 1, "ip", "group:1");
    ofproto_destroy(p);
}

/* A flow_mod built from text under p's TLV map (tun_metadata fields). */
static void
tfm_init_tlv(struct tfm *t, struct ofproto *p, enum ofproto_fm_command cmd,
             int priority, const char *match, const char *actions)
{
    ofproto_flow_mod_init(&t->fm, cmd);
    t->fm.table_id = 0;
    t->fm.priority = priority;
    char *err = ofp_match_from_string(&t->fm.match, &p->tlv_map, match);
    if (err) {
        fail_msg("%s: %s", match, err);
    }
    ofp_match_normalize(&t->fm.match);
    ofpbuf_init(&t->ofpacts);
    err = ofpacts_parse(actions, &p->tlv_map, &t->ofpacts);
    if (err) {
        fail_msg("%s: %s", actions, err);
    }
    t->fm.ofpacts = (const struct ofpact *) (void *) t->ofpacts.data;
    t->fm.ofpacts_size = t->ofpacts.size;
}

static enum ofperr
run_tlv(struct ofproto *p, enum ofproto_fm_command cmd, int priority,
        const char *match, const char *actions)
{
    struct tfm t;
    tfm_init_tlv(&t, p, cmd, priority, match, actions);
    enum ofperr err = ofproto_flow_mod(p, &t.fm);
    tfm_uninit(&t);
    return err;
}

static uint64_t
ofpacts_usage(struct ofproto *p, const char *actions)
{
    struct ofpbuf b;
    ofpbuf_init(&b);
    char *err = ofpacts_parse(actions, &p->tlv_map, &b);
    if (err) {
        fail_msg("%s: %s", actions, err);
    }
    uint64_t bits = ofproto_ofpacts_tlv_usage(
        (const struct ofpact *) (void *) b.data, b.size);
    ofpbuf_uninit(&b);
    return bits;
}

#define BIT(N) (UINT64_C(1) << (N))

/* Which tun_metadata mappings rules, groups and bundles use (what the
 * switch checks before deleting or changing a TLV mapping). */
static void
test_ofproto_tlv_usage(void **state)
{
    struct ofproto *p = new_ofproto();
    for (int i = 0; i < 6; i++) {
        p->tlv_map.slots[i].ofs = 8 * i;
        p->tlv_map.slots[i].len = 8;
    }
    assert_int_equal(ofproto_tlv_usage(p), 0);

    /* Every kind of action that names a field, nested lists included. */
    assert_int_equal(ofpacts_usage(p, "output:1,load:1->reg0[]"), 0);
    assert_true(ofpacts_usage(p, "move:tun_metadata1[0..7]->reg0[0..7]")
                == BIT(1));
    assert_true(ofpacts_usage(p, "move:reg0[0..7]->tun_metadata2[8..15]")
                == BIT(2));
    assert_true(ofpacts_usage(p, "set_field:0x5->tun_metadata3") == BIT(3));
    assert_true(ofpacts_usage(p, "clone(output:1,clone(move:"
                              "tun_metadata4[0..7]->reg1[0..7]))")
                == BIT(4));
    assert_true(ofpacts_usage(p, "write_actions(set_field:0x1->"
                              "tun_metadata5)") == BIT(5));
    assert_true(ofpacts_usage(p, "learn(table=1,tun_metadata0[0..7]"
                              "=reg2[0..7],load:tun_metadata1[0..7]"
                              "->reg3[0..7])") == (BIT(0) | BIT(1)));

    /* A rule's match and its actions. */
    assert_int_equal(run_tlv(p, OFPROTO_FC_ADD, 5, "tun_metadata0=0x1",
                             "output:1"), 0);
    assert_true(ofproto_tlv_usage(p) == BIT(0));
    assert_int_equal(run_tlv(p, OFPROTO_FC_ADD, 6, "ip",
                             "clone(move:tun_metadata1[0..31]->reg0[])"), 0);
    assert_true(ofproto_tlv_usage(p) == (BIT(0) | BIT(1)));

    /* A group bucket. */
    struct ofpbuf acts;
    ofpbuf_init(&acts);
    assert_null(ofpacts_parse("set_field:0x7->tun_metadata2,output:1",
                              &p->tlv_map, &acts));
    struct ofproto_bucket_spec bucket = {
        .weight = 0, .watch_port = OFPP_NONE,
        .watch_group = OFPROTO_GROUP_ANY,
        .ofpacts = (const struct ofpact *) (void *) acts.data,
        .ofpacts_size = acts.size,
    };
    struct ofproto_group_mod gm = {
        .command = OFPROTO_GC_ADD, .type = OFPROTO_GT_ALL, .group_id = 1,
        .buckets = &bucket, .n_buckets = 1,
    };
    assert_int_equal(ofproto_group_mod(p, &gm), 0);
    assert_true(ofproto_tlv_usage(p) == (BIT(0) | BIT(1) | BIT(2)));

    /* An open bundle: its stored flow_mod's match and actions. */
    struct ofproto_bundle *b = ofproto_bundle_create(1, 0);
    assert_int_equal(ofproto_bundle_tlv_usage(b), 0);
    struct tfm t;
    tfm_init_tlv(&t, p, OFPROTO_FC_ADD, 7, "tun_metadata3=0x2",
                 "move:reg0[0..7]->tun_metadata4[0..7]");
    ofproto_bundle_add_flow_mod(b, &t.fm);
    tfm_uninit(&t);
    gm.group_id = 2;
    ofproto_bundle_add_group_mod(b, &gm);
    assert_true(ofproto_bundle_tlv_usage(b)
                == (BIT(2) | BIT(3) | BIT(4)));
    ofproto_bundle_destroy(b);
    ofpbuf_uninit(&acts);

    /* Removing the users frees the mappings. */
    assert_int_equal(run_tlv(p, OFPROTO_FC_DELETE_STRICT, 5,
                             "tun_metadata0=0x1", "drop"), 0);
    assert_true(ofproto_tlv_usage(p) == (BIT(1) | BIT(2)));
    assert_int_equal(run(p, OFPROTO_FC_DELETE, 255, 0, "", NULL, 0, 0, 0),
                     0);
    gm.command = OFPROTO_GC_DELETE;
    gm.group_id = OFPROTO_GROUP_ALL;
    gm.n_buckets = 0;
    assert_int_equal(ofproto_group_mod(p, &gm), 0);
    assert_int_equal(ofproto_tlv_usage(p), 0);
    ofproto_destroy(p);
}

static void
test_ofproto_ports(void **state)
{
    struct ofproto *p = new_ofproto();
    uint32_t no;
    assert_int_equal(ofproto_port_add(p, "br0", OFPP_LOCAL, NULL, &no), 0);
    assert_int_equal(no, OFPP_LOCAL);
    assert_int_equal(ofproto_port_add(p, "p1", 0, NULL, &no), 0);
    assert_int_equal(no, 1);
    assert_int_equal(ofproto_port_add(p, "p2", 5, NULL, &no), 0);
    assert_int_equal(ofproto_port_add(p, "p3", 0, NULL, &no), 0);
    assert_int_equal(no, 2);
    assert_int_equal(ofproto_port_add(p, "p1", 0, NULL, NULL), -EEXIST);
    assert_int_equal(ofproto_port_add(p, "p9", 5, NULL, NULL), -EEXIST);
    assert_int_equal(ofproto_port_add(p, "p9", 0xfff0, NULL, NULL),
                     -EINVAL);
    assert_string_equal(ofproto_port_find(p, 5)->name, "p2");
    assert_int_equal(ofproto_port_del(p, 5), 0);
    assert_null(ofproto_port_find_by_name(p, "p2"));
    assert_int_equal(ofproto_port_del(p, 5), -ENOENT);
    ofproto_destroy(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ofproto_add_replaces_identical),
        cmocka_unit_test(test_ofproto_check_overlap),
        cmocka_unit_test(test_ofproto_modify_loose_strict),
        cmocka_unit_test(test_ofproto_modify_cookie_and_add),
        cmocka_unit_test(test_ofproto_delete),
        cmocka_unit_test(test_ofproto_delete_sends_flow_removed),
        cmocka_unit_test(test_ofproto_timeouts),
        cmocka_unit_test(test_ofproto_groups),
        cmocka_unit_test(test_ofproto_bundle_atomic),
        cmocka_unit_test(test_ofproto_bundle_group_rollback),
        cmocka_unit_test(test_ofproto_tlv_usage),
        cmocka_unit_test(test_ofproto_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
