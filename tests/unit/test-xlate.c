/* Unit tests for switch/xlate.h and switch/mac-learning.h: flows built
 * with ofp-flow text, packets translated, and the datapath actions
 * (dp_actions_format text) and megaflow masks checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "lib/ds.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-flow.h"
#include "openflow/ofp-match.h"
#include "switch/connmgr.h"
#include "switch/mac-learning.h"
#include "datapath/dp-meter.h"
#include "openflow/ofp-meter.h"
#include "switch/ofproto-meter.h"
#include "switch/ofproto.h"
#include "switch/xlate.h"

/* A switch: br0 with ports 1-3 (datapath 11-13) and br1 with port 1
 * (datapath 21), joined by patch ports 10 (br0) and 20 (br1). */
struct sw {
    struct ofproto *p0, *p1;
    struct xlate_map *map;
    struct xlate_bridge *b0, *b1;
    struct xlate_port *ports[4];
};

static int n_changed;

static void
changed_cb(void *aux)
{
    n_changed++;
}

static struct sw *
sw_create(void)
{
    struct sw *s = xzalloc(sizeof *s);
    s->p0 = ofproto_create("br0", 1);
    s->p1 = ofproto_create("br1", 2);
    s->map = xlate_map_create();
    xlate_map_set_flows_changed_cb(s->map, changed_cb, NULL);
    s->b0 = xlate_bridge_add(s->map, s->p0);
    s->b1 = xlate_bridge_add(s->map, s->p1);
    for (int i = 1; i <= 3; i++) {
        char name[8];
        snprintf(name, sizeof name, "p%d", i);
        s->ports[i] = xlate_port_add(s->b0, name, i, 10 + i,
                                     XLATE_PORT_NETDEV);
    }
    xlate_port_add(s->b1, "q1", 1, 21, XLATE_PORT_NETDEV);
    struct xlate_port *a = xlate_port_add(s->b0, "patch-a", 10, UINT32_MAX,
                                          XLATE_PORT_PATCH);
    struct xlate_port *b = xlate_port_add(s->b1, "patch-b", 20, UINT32_MAX,
                                          XLATE_PORT_PATCH);
    xlate_port_set_peer(a, b);
    xlate_port_set_peer(b, a);
    n_changed = 0;
    return s;
}

static void
sw_destroy(struct sw *s)
{
    xlate_map_destroy(s->map);
    ofproto_destroy(s->p0);
    ofproto_destroy(s->p1);
    free(s);
}

/* Adds a flow in ovs-ofctl syntax. */
static void
add_flow(struct ofproto *p, const char *text)
{
    struct ofp_flow_spec spec;
    char *err = ofp_flow_spec_parse(&spec, text, NULL, true, false);
    if (err) {
        fail_msg("%s: %s", text, err);
    }
    struct ofproto_flow_mod fm;
    ofproto_flow_mod_init(&fm, OFPROTO_FC_ADD);
    fm.table_id = spec.table_id == 255 ? 0 : spec.table_id;
    fm.priority = spec.priority;
    fm.match = spec.match;
    fm.cookie = spec.cookie;
    fm.ofpacts = (const struct ofpact *) (void *) spec.ofpacts.data;
    fm.ofpacts_size = spec.ofpacts.size;
    enum ofperr e = ofproto_flow_mod(p, &fm);
    if (e) {
        fail_msg("%s: error %d", text, (int) e);
    }
    ofp_flow_spec_uninit(&spec);
}

/* Parses a flow ("in_port=1,ip,nw_src=...") into 'f'. */
static void
parse_flow(const char *text, struct flow *f)
{
    struct ofp_match m;
    char *err = ofp_match_from_string(&m, NULL, text);
    if (err) {
        fail_msg("%s: %s", text, err);
    }
    ofp_match_normalize(&m);
    *f = m.flow;
}

/* Translates 'f' in 'br' (in_port an OpenFlow port) and returns the
 * datapath actions text (caller frees); 'wc' gets the mask if nonnull. */
static char *
xlate_f(struct sw *s, struct xlate_bridge *br, const struct flow *f,
        struct flow_wildcards *wc, bool *install)
{
    struct xlate_in xin = { .map = s->map, .flow = f, .bridge = br };
    struct xlate_out out;
    assert_int_equal(xlate_flow(&xin, &out), 0);
    struct ds d = DS_EMPTY_INITIALIZER;
    dp_actions_format(dp_actions_get(out.actions), out.actions->size, &d);
    if (wc) {
        *wc = out.wc;
    }
    if (install) {
        *install = out.install;
    }
    xlate_out_uninit(&out);
    return ds_steal_cstr(&d);
}

static char *
xlate_s(struct sw *s, const char *flow)
{
    struct flow f;
    parse_flow(flow, &f);
    return xlate_f(s, s->b0, &f, NULL, NULL);
}

#define ASSERT_XLATE(S, FLOW, EXPECTED)                                 \
    do {                                                                \
        char *got_ = xlate_s(S, FLOW);                                  \
        if (strcmp(got_, EXPECTED)) {                                   \
            fail_msg("%s: got \"%s\", want \"%s\"", FLOW, got_,         \
                     EXPECTED);                                         \
        }                                                               \
        free(got_);                                                     \
    } while (0)

static void
test_xlate_output(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=1,actions=output:2");
    add_flow(s->p0, "in_port=2,actions=output:2");
    add_flow(s->p0, "in_port=3,actions=in_port,LOCAL,output:9");
    ASSERT_XLATE(s, "in_port=1", "12");
    ASSERT_XLATE(s, "in_port=2", "drop");
    ASSERT_XLATE(s, "in_port=3", "13");
    ASSERT_XLATE(s, "in_port=4", "drop");
    sw_destroy(s);
}

static void
test_xlate_flood_all(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=2,actions=FLOOD");
    add_flow(s->p0, "in_port=3,actions=ALL");
    /* Flooding into the patch port continues in br1, which drops. */
    ASSERT_XLATE(s, "in_port=2", "11,13");
    add_flow(s->p1, "in_port=20,actions=output:1");
    ASSERT_XLATE(s, "in_port=3", "11,12,21");
    sw_destroy(s);
}

static void
test_xlate_resubmit_and_goto(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=1,actions=resubmit(,1),output:3");
    add_flow(s->p0, "table=1,actions=load:5->NXM_NX_REG0[],resubmit(,2)");
    add_flow(s->p0, "table=2,reg0=5,actions=output:2,goto_table:3");
    add_flow(s->p0, "table=3,actions=resubmit(2,4)");
    add_flow(s->p0, "table=4,in_port=2,actions=output:1");
    ASSERT_XLATE(s, "in_port=1", "12,13");
    /* resubmit(2,4) looks up with in_port 2, then output:1 is the real
     * input port, so it is skipped. */
    add_flow(s->p0, "table=4,priority=1,actions=output:1");
    ASSERT_XLATE(s, "in_port=1", "12,13");
    sw_destroy(s);
}

static void
test_xlate_resubmit_loop(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=1,actions=output:2,resubmit(,0)");
    ASSERT_XLATE(s, "in_port=1", "drop");
    add_flow(s->p0, "table=0,in_port=2,actions=output:3,resubmit(,1)");
    add_flow(s->p0, "table=1,actions=resubmit(,2),resubmit(,2)");
    add_flow(s->p0, "table=2,actions=resubmit(,3),resubmit(,3)");
    add_flow(s->p0, "table=3,actions=output:1");
    ASSERT_XLATE(s, "in_port=2", "13,11,11,11,11");
    sw_destroy(s);
}

static void
test_xlate_set_field_commit(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "ip,in_port=1,actions=mod_nw_src:10.0.0.9,output:2,"
             "mod_dl_dst:00:00:00:00:00:07,output:3,output:3");
    char *got = xlate_s(s, "in_port=1,ip,nw_src=10.0.0.1,nw_ttl=64");
    assert_non_null(strstr(got, "set(ipv4(src=10.0.0.9"));
    assert_non_null(strstr(got, "),12,"));
    assert_non_null(strstr(got, "set(eth("));
    /* Only one set per change: the second output:3 commits nothing. */
    assert_non_null(strstr(got, "),13,13"));
    assert_null(strstr(got, "ipv4(src=10.0.0.9,dst"));
    free(got);

    /* Setting a field to the value it has emits nothing but still
     * matches on it. */
    struct flow f;
    struct flow_wildcards wc;
    parse_flow("in_port=1,ip,nw_src=10.0.0.9", &f);
    got = xlate_f(s, s->b0, &f, &wc, NULL);
    assert_null(strstr(got, "ipv4(src"));
    assert_int_equal(wc.masks.nw_src, 0xffffffff);
    free(got);

    /* Registers are pipeline metadata: no datapath action. */
    add_flow(s->p0, "in_port=2,actions=load:1->NXM_NX_REG3[],"
             "move:NXM_NX_REG3[]->NXM_NX_REG4[],resubmit(,1)");
    add_flow(s->p0, "table=1,reg4=1,actions=output:1");
    ASSERT_XLATE(s, "in_port=2", "11");
    sw_destroy(s);
}

static void
test_xlate_dec_ttl(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "ip,in_port=1,actions=dec_ttl,output:2");
    char *got = xlate_s(s, "in_port=1,ip,nw_ttl=64");
    assert_non_null(strstr(got, "ttl=63"));
    free(got);
    got = xlate_s(s, "in_port=1,ip,nw_ttl=1");
    /* To the controller (USERSPACE), not to port 2. */
    assert_non_null(strstr(got, "userspace"));
    assert_null(strstr(got, "12"));
    free(got);
    sw_destroy(s);
}

static void
test_xlate_vlan_actions(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=1,actions=push_vlan:0x8100,"
             "set_field:4196->vlan_vid,output:2");
    add_flow(s->p0, "in_port=2,actions=strip_vlan,output:1");
    add_flow(s->p0, "in_port=3,actions=mod_vlan_vid:7,output:1");
    char *got = xlate_s(s, "in_port=1");
    assert_non_null(strstr(got, "push_vlan("));
    assert_non_null(strstr(got, "vid=100"));
    free(got);
    got = xlate_s(s, "in_port=2,dl_vlan=5");
    assert_non_null(strstr(got, "pop_vlan"));
    free(got);
    ASSERT_XLATE(s, "in_port=2", "11");
    got = xlate_s(s, "in_port=3");
    assert_non_null(strstr(got, "vid=7"));
    free(got);
    sw_destroy(s);
}

/* MPLS: push_mpls takes the IP TTL, set_field and dec_mpls_ttl rewrite
 * the new entry; pop_mpls followed by a table lookup recirculates, and
 * the re-parsed packet resumes in that table with the registers. */

/* Random flows that agree with 'f' on the bits of 'wc' translate the
 * same. */
static void
check_megaflow(struct sw *s, const struct flow *f)
{
    struct flow_wildcards wc;
    char *want = xlate_f(s, s->b0, f, &wc, NULL);
    for (int i = 0; i < 200; i++) {
        struct flow r;
        uint8_t *rb = (uint8_t *) &r;
        for (size_t j = 0; j < sizeof r; j++) {
            rb[j] = random();
        }
        const uint8_t *fb = (const uint8_t *) f;
        const uint8_t *mb = (const uint8_t *) &wc.masks;
        for (size_t j = 0; j < sizeof r; j++) {
            rb[j] = (fb[j] & mb[j]) | (rb[j] & ~mb[j]);
        }
        /* Fields the key never has: keep them as the packet's. */
        r.recirc_id = 0;
        r.in_port = f->in_port;
        memset(r.regs, 0, sizeof r.regs);
        r.metadata = 0;
        r.conj_id = 0;
        r.actset_output = 0;
        r.packet_type = 0;
        r.pad1 = r.pad2 = r.pad4 = 0;
        memset(r.pad3, 0, sizeof r.pad3);
        memset(&r.tunnel, 0, sizeof r.tunnel);
        r.vlans[1] = f->vlans[1];
        char *got = xlate_f(s, s->b0, &r, NULL, NULL);
        if (strcmp(got, want)) {
            fail_msg("megaflow violated: \"%s\" vs \"%s\"", got, want);
        }
        free(got);
    }
    free(want);
}

static void
test_xlate_megaflow_property(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "priority=10,ip,nw_src=10.0.0.0/8,actions=resubmit(,1)");
    add_flow(s->p0, "priority=5,ip,actions=dec_ttl,output:3");
    add_flow(s->p0, "priority=1,actions=output:2");
    add_flow(s->p0, "table=1,priority=10,tcp,tp_dst=80,actions="
             "mod_nw_dst:1.2.3.4,output:2");
    add_flow(s->p0, "table=1,priority=5,udp,actions=mod_tp_src:99,"
             "output:2,output:3");
    add_flow(s->p0, "table=1,priority=1,actions=output:1");

    const char *flows[] = {
        "in_port=1,tcp,nw_src=10.1.1.1,tp_dst=80,nw_ttl=64",
        "in_port=1,udp,nw_src=10.1.1.1,tp_src=5,nw_ttl=64",
        "in_port=2,ip,nw_src=11.1.1.1,nw_ttl=1",
        "in_port=2,ip,nw_src=11.1.1.1,nw_ttl=9",
        "in_port=2,arp",
        "in_port=3,tcp,nw_src=10.1.1.1,nw_dst=1.2.3.4,tp_dst=80",
    };
    for (size_t i = 0; i < ARRAY_SIZE(flows); i++) {
        struct flow f;
        parse_flow(flows[i], &f);
        check_megaflow(s, &f);
    }
    sw_destroy(s);
}

static void
test_xlate_normal_learning(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "actions=NORMAL");
    /* Unknown destination: flood to every port but the input (the patch
     * port goes to br1, which has no flows). */
    ASSERT_XLATE(s, "in_port=1,dl_src=00:00:00:00:00:01,"
                 "dl_dst=00:00:00:00:00:02", "12,13");
    assert_int_equal(n_changed, 1);
    ASSERT_XLATE(s, "in_port=2,dl_src=00:00:00:00:00:02,"
                 "dl_dst=00:00:00:00:00:01", "11");
    ASSERT_XLATE(s, "in_port=1,dl_src=00:00:00:00:00:01,"
                 "dl_dst=00:00:00:00:00:02", "12");
    /* A move invalidates. */
    n_changed = 0;
    ASSERT_XLATE(s, "in_port=3,dl_src=00:00:00:00:00:02,"
                 "dl_dst=ff:ff:ff:ff:ff:ff", "11,12");
    assert_int_equal(n_changed, 1);
    ASSERT_XLATE(s, "in_port=1,dl_src=00:00:00:00:00:01,"
                 "dl_dst=00:00:00:00:00:02", "13");
    /* Learned port is the input port: drop. */
    ASSERT_XLATE(s, "in_port=3,dl_src=00:00:00:00:00:05,"
                 "dl_dst=00:00:00:00:00:02", "drop");

    struct ds d = DS_EMPTY_INITIALIZER;
    assert_int_equal(xlate_fdb_show(s->map, "br0", &d), 0);
    assert_non_null(strstr(ds_cstr(&d), " port  VLAN  MAC                Age\n"
                           "    1     0  00:00:00:00:00:01    0\n"));
    assert_non_null(strstr(ds_cstr(&d),
                           "    3     0  00:00:00:00:00:02    0\n"));
    ds_uninit(&d);
    sw_destroy(s);
}

static void
test_xlate_normal_vlans(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "actions=NORMAL");
    xlate_port_set_vlan(s->ports[1], 10, NULL, 0);  /* Access VLAN 10. */
    xlate_port_set_vlan(s->ports[2], 20, NULL, 0);  /* Access VLAN 20. */
    uint16_t trunks[] = { 10, 30 };
    xlate_port_set_vlan(s->ports[3], -1, trunks, 2); /* Trunk 10, 30. */

    /* Untagged from the VLAN 10 access port: to the trunk, tagged. */
    char *got = xlate_s(s, "in_port=1,dl_src=00:00:00:00:00:01,"
                        "dl_dst=ff:ff:ff:ff:ff:ff");
    assert_non_null(strstr(got, "push_vlan("));
    assert_non_null(strstr(got, "vid=10"));
    assert_non_null(strstr(got, "13"));
    assert_null(strstr(got, "12"));
    free(got);
    /* Tagged VLAN 10 from the trunk: to port 1 untagged. */
    got = xlate_s(s, "in_port=3,dl_vlan=10,dl_src=00:00:00:00:00:03,"
                  "dl_dst=00:00:00:00:00:01");
    assert_string_equal(got, "pop_vlan,11");
    free(got);
    /* VLAN 20 is not trunked on port 3: dropped. */
    ASSERT_XLATE(s, "in_port=3,dl_vlan=20,dl_src=00:00:00:00:00:03,"
                 "dl_dst=ff:ff:ff:ff:ff:ff", "drop");
    /* Tagged frame on an access port: dropped. */
    ASSERT_XLATE(s, "in_port=1,dl_vlan=5,dl_src=00:00:00:00:00:01,"
                 "dl_dst=ff:ff:ff:ff:ff:ff", "drop");
    /* VLAN 20 access port has no one else in VLAN 20. */
    ASSERT_XLATE(s, "in_port=2,dl_src=00:00:00:00:00:02,"
                 "dl_dst=ff:ff:ff:ff:ff:ff", "drop");
    sw_destroy(s);
}

static void
test_xlate_patch(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=1,actions=load:7->NXM_NX_REG1[],output:10,"
             "output:2");
    add_flow(s->p1, "in_port=20,reg1=0,actions=mod_dl_src:00:00:00:00:00:09,"
             "output:1");
    char *got = xlate_s(s, "in_port=1,dl_src=00:00:00:00:00:01");
    /* br1 saw fresh registers, rewrote the source for its port; the
     * source goes back for port 2. */
    assert_non_null(strstr(got, "set(eth(src=00:00:00:00:00:09"));
    assert_non_null(strstr(got, ",21,set(eth(src=00:00:00:00:00:01"));
    assert_true(strlen(got) > 3 && !strcmp(got + strlen(got) - 3, ",12"));
    free(got);
    sw_destroy(s);
}

static void
add_group(struct ofproto *p, uint32_t id, enum ofproto_group_type type,
          const char *const *bucket_actions, const uint16_t *weights,
          const uint32_t *watch, size_t n)
{
    struct ofpbuf bufs[8];
    struct ofproto_bucket_spec specs[8];
    for (size_t i = 0; i < n; i++) {
        ofpbuf_init(&bufs[i]);
        assert_null(ofpacts_parse(bucket_actions[i], NULL, &bufs[i]));
        specs[i] = (struct ofproto_bucket_spec) {
            .bucket_id = i,
            .weight = weights ? weights[i] : 1,
            .watch_port = watch ? watch[i] : OFPP_NONE,
            .watch_group = OFPROTO_GROUP_ANY,
            .ofpacts = (const struct ofpact *) (void *) bufs[i].data,
            .ofpacts_size = bufs[i].size,
        };
    }
    struct ofproto_group_mod gm = {
        .command = OFPROTO_GC_ADD, .type = type, .group_id = id,
        .buckets = specs, .n_buckets = n,
    };
    assert_int_equal(ofproto_group_mod(p, &gm), 0);
    for (size_t i = 0; i < n; i++) {
        ofpbuf_uninit(&bufs[i]);
    }
}

static void
test_xlate_groups(void **state)
{
    struct sw *s = sw_create();
    const char *b3[] = { "output:1", "output:2", "output:3" };
    add_group(s->p0, 1, OFPROTO_GT_ALL, b3, NULL, NULL, 3);
    add_group(s->p0, 2, OFPROTO_GT_INDIRECT, b3 + 1, NULL, NULL, 1);
    uint32_t watch[] = { 1, 2, 3 };
    add_group(s->p0, 3, OFPROTO_GT_FF, b3, NULL, watch, 3);
    uint16_t weights[] = { 1, 3, 0 };
    add_group(s->p0, 4, OFPROTO_GT_SELECT, b3, weights, NULL, 3);
    add_flow(s->p0, "in_port=1,actions=group:1");
    add_flow(s->p0, "in_port=2,actions=group:2");
    add_flow(s->p0, "in_port=3,actions=group:3");
    add_flow(s->p0, "in_port=10,actions=group:4");

    ASSERT_XLATE(s, "in_port=1", "12,13");
    ASSERT_XLATE(s, "in_port=2", "drop");
    ASSERT_XLATE(s, "in_port=3", "11");
    xlate_port_set_live(s->ports[1], false);
    ASSERT_XLATE(s, "in_port=3", "12");
    xlate_port_set_live(s->ports[2], false);
    ASSERT_XLATE(s, "in_port=3", "drop");   /* Port 3 is the input. */

    /* Select: weights 1:3:0 over many 5-tuples. */
    int counts[3] = { 0, 0, 0 };
    for (int i = 0; i < 4000; i++) {
        char flow[128];
        snprintf(flow, sizeof flow, "in_port=10,tcp,nw_src=10.0.%d.%d,"
                 "tp_src=%d", i / 256, i % 256, 1000 + i);
        char *got = xlate_s(s, flow);
        int port = atoi(got);
        assert_in_range(port, 11, 13);
        counts[port - 11]++;
        free(got);
    }
    assert_int_equal(counts[2], 0);
    assert_in_range(counts[0], 800, 1200);
    assert_in_range(counts[1], 2800, 3200);

    /* Traffic that differs only in its Ethernet addresses, or ARP in its
     * protocol addresses, spreads too; the megaflow matches what was
     * hashed. */
    for (int kind = 0; kind < 2; kind++) {
        memset(counts, 0, sizeof counts);
        for (int i = 0; i < 2000; i++) {
            char flow[160];
            if (kind) {
                snprintf(flow, sizeof flow, "in_port=10,arp,"
                         "arp_spa=10.1.%d.%d,arp_tpa=10.2.0.1", i / 256,
                         i % 256);
            } else {
                snprintf(flow, sizeof flow, "in_port=10,tcp,nw_src=10.0.0.1,"
                         "dl_src=00:00:00:00:%02x:%02x", i / 256, i % 256);
            }
            struct flow f;
            struct flow_wildcards wc;
            parse_flow(flow, &f);
            char *got = xlate_f(s, s->b0, &f, &wc, NULL);
            int port = atoi(got);
            assert_in_range(port, 11, 13);
            counts[port - 11]++;
            free(got);
            assert_memory_equal(&wc.masks.dl_src,
                                "\xff\xff\xff\xff\xff\xff", 6);
            assert_int_equal(wc.masks.nw_src, htonbe32(0xffffffff));
        }
        assert_int_equal(counts[2], 0);
        assert_in_range(counts[0], 350, 650);
        assert_in_range(counts[1], 1350, 1650);
    }
    sw_destroy(s);
}

/* set_field of ICMP type and code becomes a datapath ICMP set (which
 * fixes the checksum), for ICMPv4 and ICMPv6. */
static void
test_xlate_set_icmp(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "icmp,icmp_type=8,actions=set_field:0->icmp_type,"
             "set_field:10->icmp_code,output:2");
    add_flow(s->p0, "icmp6,icmp_type=128,actions=set_field:1->icmpv6_code,"
             "output:2");
    ASSERT_XLATE(s, "in_port=1,icmp,icmp_type=8,icmp_code=0",
                 "set(icmp(type=0,code=10)),12");
    ASSERT_XLATE(s, "in_port=1,icmp6,icmp_type=128,icmp_code=0",
                 "set(icmp(code=1)),12");
    sw_destroy(s);
}

static void
test_xlate_mpls(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=2,ip,actions=push_mpls:0x8847,"
             "set_field:10->mpls_label,dec_mpls_ttl,output:3");
    add_flow(s->p0, "in_port=1,mpls,actions=load:7->NXM_NX_REG1[],"
             "pop_mpls:0x0800,goto_table:1");
    add_flow(s->p0, "in_port=3,actions=pop_mpls:0x0800,output:1");
    add_flow(s->p0, "table=1,ip,reg1=7,nw_src=10.0.0.1,actions=output:2");
    ASSERT_XLATE(s, "in_port=2,ip,nw_ttl=64",
                 "push_mpls(label=0,tc=0,ttl=64,bos=1,eth_type=0x8847),"
                 "set(mpls(label=10,ttl=63)),13");
    /* pop_mpls of a packet that is not MPLS does nothing. */
    ASSERT_XLATE(s, "in_port=3,ip", "11");
    ASSERT_XLATE(s, "in_port=3,mpls,mpls_label=9,mpls_bos=1",
                 "pop_mpls(eth_type=0x800),11");

    struct flow f;
    parse_flow("in_port=1,mpls,mpls_label=5,mpls_ttl=64,mpls_bos=1", &f);
    struct xlate_in xin = { .map = s->map, .flow = &f, .bridge = s->b0 };
    struct xlate_out out;
    assert_int_equal(xlate_flow(&xin, &out), 0);
    struct ds d = DS_EMPTY_INITIALIZER;
    dp_actions_format(dp_actions_get(out.actions), out.actions->size, &d);
    assert_string_equal(ds_cstr(&d), "pop_mpls(eth_type=0x800),recirc(0x1)");
    assert_int_equal(xlate_map_n_recirc(s->map), 1);
    /* The megaflow matches the Ethertype; the popped entry's value does
     * not matter (the datapath parses what is below it again). */
    assert_int_equal(out.wc.masks.dl_type, htonbe16(0xffff));
    assert_int_equal(out.wc.masks.mpls_lse, 0);

    struct flow r;
    parse_flow("ip,nw_src=10.0.0.1", &r);
    r.recirc_id = 1;
    r.in_port = 11;             /* Datapath port. */
    struct xlate_in xin2 = { .map = s->map, .flow = &r };
    struct xlate_out out2;
    assert_int_equal(xlate_flow(&xin2, &out2), 0);
    ds_clear(&d);
    dp_actions_format(dp_actions_get(out2.actions), out2.actions->size, &d);
    assert_string_equal(ds_cstr(&d), "12");
    xlate_out_uninit(&out2);
    xlate_out_uninit(&out);
    assert_int_equal(xlate_map_n_recirc(s->map), 0);
    ds_uninit(&d);

    /* A group bucket that pops works on a clone: the next bucket sees
     * the label. */
    const char *b2[] = { "pop_mpls:0x0800,output:2", "output:3" };
    add_group(s->p0, 9, OFPROTO_GT_ALL, b2, NULL, NULL, 2);
    add_flow(s->p0, "in_port=4,actions=group:9");
    ASSERT_XLATE(s, "in_port=4,mpls,mpls_label=9,mpls_bos=1",
                 "clone(pop_mpls(eth_type=0x800),12),13");
    sw_destroy(s);
}

static void
test_xlate_ct_recirc(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "ip,in_port=1,actions=load:3->NXM_NX_REG5[],"
             "ct(commit,zone=5,table=2,exec(load:1->NXM_NX_CT_MARK[]))");
    add_flow(s->p0, "table=2,ip,reg5=3,ct_state=+trk,actions=output:2");
    add_flow(s->p0, "table=2,priority=1,actions=output:3");
    add_flow(s->p0, "ip,in_port=2,actions=ct_clear,output:3");

    struct flow f;
    parse_flow("in_port=1,ip,nw_src=10.0.0.1", &f);
    struct xlate_in xin = { .map = s->map, .flow = &f, .bridge = s->b0 };
    struct xlate_out out;
    assert_int_equal(xlate_flow(&xin, &out), 0);
    struct ds d = DS_EMPTY_INITIALIZER;
    dp_actions_format(dp_actions_get(out.actions), out.actions->size, &d);
    assert_non_null(strstr(ds_cstr(&d), "ct(commit,zone=5"));
    assert_non_null(strstr(ds_cstr(&d), "recirc(0x1)"));
    assert_int_equal(xlate_map_n_recirc(s->map), 1);

    /* The recirculated packet resumes in table 2 with reg5 restored. */
    struct flow r = f;
    r.recirc_id = 1;
    r.in_port = 11;             /* Datapath port. */
    r.ct_state = CS_TRACKED | CS_NEW;
    struct xlate_in xin2 = { .map = s->map, .flow = &r };
    struct xlate_out out2;
    assert_int_equal(xlate_flow(&xin2, &out2), 0);
    ds_clear(&d);
    dp_actions_format(dp_actions_get(out2.actions), out2.actions->size, &d);
    assert_string_equal(ds_cstr(&d), "12");
    xlate_out_uninit(&out2);
    r.ct_state = 0;
    xlate_out_uninit(&out2);

    /* The same state shares the id; the last reference frees it. */
    struct xlate_out out3;
    assert_int_equal(xlate_flow(&xin, &out3), 0);
    assert_int_equal(xlate_map_n_recirc(s->map), 1);
    xlate_out_uninit(&out3);
    xlate_out_uninit(&out);
    assert_int_equal(xlate_map_n_recirc(s->map), 0);

    /* Unknown recirc id: error, drop. */
    struct xlate_out out4;
    assert_int_equal(xlate_flow(&xin2, &out4), -2);
    xlate_out_uninit(&out4);

    char *got = xlate_s(s, "in_port=2,ip");
    assert_string_equal(got, "ct_clear,13");
    free(got);
    ds_uninit(&d);
    sw_destroy(s);
}

/* Meters: the instruction (1.3) and action (1.5) become the datapath
 * meter of the OpenFlow meter; controller actions go through their
 * meter_id's meter, or the controller meter, in a clone. */
static void
test_xlate_meter(void **state)
{
    struct sw *s = sw_create();
    struct dp_meter_table *dp = dp_meter_table_create();
    ofproto_set_dp_meters(s->p0, dp);
    struct ofp_meter_mod mm;
    memset(&mm, 0, sizeof mm);
    mm.command = OFPMC_ADD;
    mm.meter.flags = OFPMF_PKTPS;
    mm.meter.n_bands = 1;
    mm.meter.bands[0].type = OFPMBT_DROP;
    mm.meter.bands[0].rate = 10;
    for (uint32_t id = 1; id <= 3; id++) {
        mm.meter.meter_id = id;
        assert_int_equal(ofproto_meter_mod(s->p0, &mm), 0);
    }
    uint32_t dp2 = ofproto_meter_find(s->p0, 2)->dp_id;
    uint32_t dp3 = ofproto_meter_find(s->p0, 3)->dp_id;
    add_flow(s->p0, "in_port=1,actions=meter:2,output:2");
    add_flow(s->p0, "in_port=2,actions=controller(meter_id=3),output:3");
    add_flow(s->p0, "in_port=3,actions=controller,output:1");
    add_flow(s->p0, "in_port=4,actions=output:CONTROLLER");
    char want[128];
    snprintf(want, sizeof want, "meter(%u),12", dp2);
    ASSERT_XLATE(s, "in_port=1", want);

    char *got = xlate_s(s, "in_port=2");
    snprintf(want, sizeof want, "clone(meter(%u),userspace(", dp3);
    assert_true(!strncmp(got, want, strlen(want)));
    assert_non_null(strstr(got, ")),13"));
    free(got);
    /* No controller meter yet: the controller action is not metered. */
    got = xlate_s(s, "in_port=3");
    assert_null(strstr(got, "meter("));
    free(got);
    mm.meter.meter_id = OFPM_CONTROLLER;
    assert_int_equal(ofproto_meter_mod(s->p0, &mm), 0);
    uint32_t dpc = ofproto_meter_find(s->p0, OFPM_CONTROLLER)->dp_id;
    got = xlate_s(s, "in_port=3");
    snprintf(want, sizeof want, "clone(meter(%u),userspace(", dpc);
    assert_true(!strncmp(got, want, strlen(want)));
    free(got);
    got = xlate_s(s, "in_port=4");
    assert_true(!strncmp(got, want, strlen(want)));
    free(got);

    /* A modify keeps the datapath meter; a delete takes the flow. */
    mm.meter.meter_id = 2;
    mm.command = OFPMC_MODIFY;
    mm.meter.bands[0].rate = 99;
    assert_int_equal(ofproto_meter_mod(s->p0, &mm), 0);
    snprintf(want, sizeof want, "meter(%u),12", dp2);
    ASSERT_XLATE(s, "in_port=1", want);
    mm.command = OFPMC_DELETE;
    assert_int_equal(ofproto_meter_mod(s->p0, &mm), 0);
    ASSERT_XLATE(s, "in_port=1", "drop");
    sw_destroy(s);
    dp_meter_table_destroy(dp);
}

static void
test_xlate_controller(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "table=0,in_port=1,cookie=0x77,actions="
             "load:9->NXM_NX_REG2[],"
             "controller(userdata=01.02.03,max_len=100),output:2");
    add_flow(s->p0, "in_port=2,actions=controller(pause),output:3");
    struct flow f;
    parse_flow("in_port=1", &f);
    struct xlate_in xin = { .map = s->map, .flow = &f, .bridge = s->b0 };
    struct xlate_out out;
    assert_int_equal(xlate_flow(&xin, &out), 0);
    assert_true(out.install);
    const struct dp_action *a = dp_actions_get(out.actions);
    assert_int_equal(a->type, DP_ACTION_USERSPACE);
    assert_int_equal(dp_action_next(a)->type, DP_ACTION_OUTPUT);
    const struct dp_action_userspace *u = dp_action_payload(a);
    struct xlate_controller_cookie cc;
    assert_true(xlate_controller_cookie_decode(u->cookie, u->cookie_size,
                                               &cc));
    assert_int_equal(cc.reason, 1);
    assert_int_equal(cc.max_len, 100);
    assert_int_equal(cc.rule_cookie, 0x77);
    assert_int_equal(cc.md.regs[2], 9);
    assert_int_equal(cc.md.in_port, 1);
    assert_int_equal(cc.userdata_size, 3);
    assert_false(xlate_controller_cookie_decode(u->cookie,
                                                u->cookie_size - 1, &cc));
    xlate_out_uninit(&out);

    /* Pause: not installed, the continuation resumes with output:3. */
    parse_flow("in_port=2", &f);
    assert_int_equal(xlate_flow(&xin, &out), 0);
    assert_false(out.install);
    a = dp_actions_get(out.actions);
    assert_int_equal(a->type, DP_ACTION_USERSPACE);
    assert_int_equal(out.actions->size, a->len);
    u = dp_action_payload(a);
    assert_true(xlate_controller_cookie_decode(u->cookie, u->cookie_size,
                                               &cc));
    assert_true(cc.pause);
    struct xlate_out out2;
    assert_int_equal(xlate_resume(s->map, s->b0, cc.continuation,
                                  cc.continuation_size, &f, &out2), 0);
    struct ds d = DS_EMPTY_INITIALIZER;
    dp_actions_format(dp_actions_get(out2.actions), out2.actions->size, &d);
    assert_string_equal(ds_cstr(&d), "13");
    ds_uninit(&d);
    xlate_out_uninit(&out2);
    assert_int_equal(xlate_resume(s->map, s->b0, cc.continuation, 3, &f,
                                  &out2), -22);
    xlate_out_uninit(&out);
    sw_destroy(s);
}

static void
test_xlate_learn(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=1,actions=learn(table=5,priority=9,"
             "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],"
             "load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],"
             "output:NXM_OF_IN_PORT[]),"
             "output:2");
    struct flow f;
    parse_flow("in_port=1,dl_src=00:00:00:00:00:42", &f);
    bool install;
    char *got = xlate_f(s, s->b0, &f, NULL, &install);
    assert_string_equal(got, "12");
    assert_false(install);
    free(got);
    assert_int_equal(ofproto_table_count(s->p0, 5), 0);
    assert_int_equal(xlate_map_run_deferred(s->map), 1);
    assert_int_equal(ofproto_table_count(s->p0, 5), 1);

    struct ds d = DS_EMPTY_INITIALIZER;
    ofproto_dump_flows(s->p0, &d);
    assert_non_null(strstr(ds_cstr(&d), "dl_dst=00:00:00:00:00:42"));
    ds_uninit(&d);

    /* The learned flow works. */
    add_flow(s->p0, "in_port=3,actions=resubmit(,5)");
    ASSERT_XLATE(s, "in_port=3,dl_dst=00:00:00:00:00:42", "11");
    sw_destroy(s);
}

static void
test_xlate_misc_actions(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=1,actions=note:01.02,clone(mod_dl_src:"
             "00:00:00:00:00:05,output:2),output:3,exit,output:2");
    char *got = xlate_s(s, "in_port=1,dl_src=00:00:00:00:00:01");
    assert_non_null(strstr(got, "clone("));
    assert_true(strlen(got) > 3 && !strcmp(got + strlen(got) - 3, ",13"));
    free(got);

    add_flow(s->p0, "in_port=2,actions=write_actions(output:3),"
             "write_metadata:0x5/0xff,goto_table:1");
    add_flow(s->p0, "table=1,metadata=5,actions=write_actions(output:1)");
    ASSERT_XLATE(s, "in_port=2", "11");
    add_flow(s->p0, "table=1,priority=40000,metadata=5,ip,"
             "actions=clear_actions");
    ASSERT_XLATE(s, "in_port=2,ip", "drop");

    add_flow(s->p0, "in_port=3,actions=load:2->NXM_NX_REG0[],"
             "output:NXM_NX_REG0[]");
    ASSERT_XLATE(s, "in_port=3", "12");

    add_flow(s->p0, "in_port=10,ip,actions=check_pkt_larger(200)->"
             "NXM_NX_REG0[0],resubmit(,3)");
    add_flow(s->p0, "table=3,reg0=1,actions=output:1");
    add_flow(s->p0, "table=3,reg0=0,actions=output:2");
    got = xlate_s(s, "in_port=10,ip");
    assert_non_null(strstr(got, "check_pkt_len("));
    assert_non_null(strstr(got, "11"));
    assert_non_null(strstr(got, "12"));
    free(got);
    sw_destroy(s);
}

static void
test_xlate_tunnel(void **state)
{
    struct sw *s = sw_create();
    struct xlate_port *t = xlate_port_add(s->b0, "gnv0", 5, 15,
                                          XLATE_PORT_TUNNEL);
    struct xlate_tunnel_config cfg = {
        .remote_ip_flow = true, .key_flow = true,
    };
    xlate_port_set_tunnel(t, &cfg);
    add_flow(s->p0, "in_port=1,actions=set_field:0x1234->tun_id,"
             "set_field:192.168.0.2->tun_dst,output:5");
    add_flow(s->p0, "in_port=2,actions=output:5");
    char *got = xlate_s(s, "in_port=1");
    assert_non_null(strstr(got, "set(tunnel("));
    assert_non_null(strstr(got, "192.168.0.2"));
    assert_non_null(strstr(got, "0x1234"));
    assert_true(!strcmp(got + strlen(got) - 3, ",15"));
    free(got);
    /* No remote IP: dropped. */
    ASSERT_XLATE(s, "in_port=2", "drop");
    sw_destroy(s);
}

/* A subfield of a tun_metadata field beyond its current mapped width (the
 * TLV map shrank or went away after the flow was added) is a no-op: it
 * reads as 0 and writes nothing, rather than a partial or out-of-range
 * access. */
static void
test_xlate_tun_metadata_shrunk(void **state)
{
    struct sw *s = sw_create();
    struct ofp_tlv_map *map = &s->p0->tlv_map;
    map->slots[0].ofs = 0;
    map->slots[0].len = 8;

    const char *flows[] = {
        "in_port=1,actions=move:tun_metadata0[16..47]->NXM_NX_REG0[],"
        "resubmit(,1)",
        "in_port=2,actions=load:0x7->NXM_NX_REG1[],"
        "move:NXM_NX_REG1[]->tun_metadata0[16..47],"
        "move:tun_metadata0[16..47]->NXM_NX_REG0[],resubmit(,1)",
        "table=1,reg0=0xabcd1234,actions=output:2",
        "table=1,reg0=0x7,actions=output:1",
        "table=1,reg0=0,actions=output:3",
    };
    for (size_t i = 0; i < ARRAY_SIZE(flows); i++) {
        struct ofp_flow_spec spec;
        char *err = ofp_flow_spec_parse(&spec, flows[i], map, true, false);
        if (err) {
            fail_msg("%s: %s", flows[i], err);
        }
        struct ofproto_flow_mod fm;
        ofproto_flow_mod_init(&fm, OFPROTO_FC_ADD);
        fm.table_id = spec.table_id == 255 ? 0 : spec.table_id;
        fm.priority = spec.priority;
        fm.match = spec.match;
        fm.ofpacts = (const struct ofpact *) (void *) spec.ofpacts.data;
        fm.ofpacts_size = spec.ofpacts.size;
        assert_int_equal(ofproto_flow_mod(s->p0, &fm), 0);
        ofp_flow_spec_uninit(&spec);
    }

    struct flow f;
    parse_flow("in_port=1", &f);
    static const uint8_t opts[8] = {
        0x11, 0x22, 0xab, 0xcd, 0x12, 0x34, 0x56, 0x78,
    };
    memcpy(f.tunnel.opts, opts, sizeof opts);
    f.tunnel.present = 1;
    struct flow f2;
    parse_flow("in_port=2", &f2);

    char *got = xlate_f(s, s->b0, &f, NULL, NULL);
    assert_string_equal(got, "12");
    free(got);
    got = xlate_f(s, s->b0, &f2, NULL, NULL);
    assert_string_equal(got, "11");
    free(got);

    /* Shorter (4 bytes: bits 16..47 no longer fit) and then unmapped: the
     * read gives 0, the write does nothing. */
    for (int len = 4; len >= 0; len -= 4) {
        map->slots[0].len = len;
        got = xlate_f(s, s->b0, &f, NULL, NULL);
        assert_string_equal(got, "13");
        free(got);
        got = xlate_f(s, s->b0, &f2, NULL, NULL);
        assert_string_equal(got, "13");
        free(got);
    }
    sw_destroy(s);
}

static void
test_xlate_dp_port_entry(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=2,actions=output:1");
    struct flow f;
    parse_flow("in_port=12", &f);   /* Datapath port 12 = OpenFlow 2. */
    struct xlate_in xin = { .map = s->map, .flow = &f };
    struct xlate_out out;
    assert_int_equal(xlate_flow(&xin, &out), 0);
    assert_int_equal(xlate_cache_n_rules(out.xcache), 1);
    struct ofproto_rule *rule = xlate_cache_rule(out.xcache, 0);
    xlate_cache_push_stats(out.xcache, 3, 300, 5);
    assert_int_equal(atomic_load(&rule->packet_count), 3);
    assert_int_equal(atomic_load(&rule->byte_count), 300);
    xlate_out_uninit(&out);
    parse_flow("in_port=99", &f);
    assert_int_equal(xlate_flow(&xin, &out), -2);
    xlate_out_uninit(&out);
    sw_destroy(s);
}

static void
test_xlate_trace(void **state)
{
    struct sw *s = sw_create();
    add_flow(s->p0, "in_port=1,priority=100,cookie=0x5,"
             "actions=resubmit(,1)");
    add_flow(s->p0, "table=1,priority=0,actions=output:2");
    struct flow f;
    parse_flow("in_port=1", &f);
    struct ds d = DS_EMPTY_INITIALIZER;
    assert_int_equal(xlate_trace(s->map, "br0", &f, NULL, &d), 0);
    const char *t = ds_cstr(&d);
    /* Expected text from Debian's ovs-vswitchd 3.1 (netdev bridge, the
     * same flows): only the datapath port numbers differ. */
    const char *want =
        "Flow: in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,"
        "dl_dst=00:00:00:00:00:00,dl_type=0x0000\n"
        "\n"
        "bridge(\"br0\")\n"
        "-------------\n"
        " 0. in_port=1, priority 100, cookie 0x5\n"
        "    resubmit(,1)\n"
        " 1. priority 0\n"
        "    output:2\n"
        "\n"
        "Final flow: unchanged\n"
        "Megaflow: recirc_id=0,eth,in_port=1,dl_type=0x0000\n"
        "Datapath actions: 12\n";
    assert_string_equal(t, want);
    assert_int_equal(xlate_trace(s->map, "nope", &f, NULL, &d), -2);

    ds_clear(&d);
    parse_flow("in_port=3", &f);
    assert_int_equal(xlate_trace(s->map, "br0", &f, NULL, &d), 0);
    assert_non_null(strstr(ds_cstr(&d), "-------------\n"
                           " 0. No match.\n    drop\n\n"
                           "Final flow: unchanged\n"
                           "Megaflow: recirc_id=0,eth,in_port=3,"
                           "dl_type=0x0000\n"));
    assert_non_null(strstr(ds_cstr(&d), "Datapath actions: drop\n"));

    /* NORMAL on a TCP flow, also from Debian's ovs-vswitchd. */
    ds_clear(&d);
    add_flow(s->p0, "in_port=2,actions=NORMAL");
    parse_flow("in_port=2,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_dst=80,"
               "dl_dst=00:00:00:00:00:02", &f);
    assert_int_equal(xlate_trace(s->map, "br0", &f, NULL, &d), 0);
    assert_non_null(strstr(ds_cstr(&d),
        "Flow: tcp,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,"
        "dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,"
        "nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0\n"));
    assert_non_null(strstr(ds_cstr(&d),
        " 0. in_port=2, priority 32768\n"
        "    NORMAL\n"
        "     -> no learned MAC for destination, flooding\n"));
    ds_uninit(&d);
    sw_destroy(s);
}

static long long ml_now;

static long long
ml_clock(void)
{
    return ml_now;
}

static void
test_mac_learning_aging_and_lru(void **state)
{
    struct mac_learning *ml = mac_learning_create(300, 2);
    mac_learning_set_clock(ml, ml_clock);
    ml_now = 1000;
    struct eth_addr a = { { 0, 0, 0, 0, 0, 1 } };
    struct eth_addr b = { { 0, 0, 0, 0, 0, 2 } };
    struct eth_addr c = { { 0, 0, 0, 0, 0, 3 } };
    uint32_t port;
    assert_int_equal(mac_learning_learn(ml, 1, &a, 5), MAC_LEARNING_NEW);
    assert_int_equal(mac_learning_learn(ml, 1, &a, 5), MAC_LEARNING_SAME);
    assert_true(mac_learning_lookup(ml, 1, &a, &port));
    assert_int_equal(port, 5);
    assert_false(mac_learning_lookup(ml, 2, &a, &port));
    ml_now += 10;
    assert_int_equal(mac_learning_learn(ml, 1, &b, 6), MAC_LEARNING_NEW);
    ml_now += 10;
    assert_int_equal(mac_learning_learn(ml, 1, &a, 7), MAC_LEARNING_MOVED);
    /* Full: c evicts b, the least recently seen. */
    assert_int_equal(mac_learning_learn(ml, 1, &c, 8), MAC_LEARNING_NEW);
    assert_int_equal(mac_learning_count(ml), 2);
    assert_false(mac_learning_lookup(ml, 1, &b, &port));
    assert_true(mac_learning_lookup(ml, 1, &a, &port));
    assert_int_equal(port, 7);
    /* Aging. */
    ml_now += 300 * 1000;
    assert_false(mac_learning_lookup(ml, 1, &a, &port));
    uint64_t gen = mac_learning_generation(ml);
    assert_int_equal(mac_learning_run(ml), 2);
    assert_true(mac_learning_generation(ml) != gen);
    assert_int_equal(mac_learning_count(ml), 0);
    mac_learning_destroy(ml);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlate_output),
        cmocka_unit_test(test_xlate_meter),
        cmocka_unit_test(test_xlate_flood_all),
        cmocka_unit_test(test_xlate_resubmit_and_goto),
        cmocka_unit_test(test_xlate_resubmit_loop),
        cmocka_unit_test(test_xlate_set_field_commit),
        cmocka_unit_test(test_xlate_dec_ttl),
        cmocka_unit_test(test_xlate_vlan_actions),
        cmocka_unit_test(test_xlate_megaflow_property),
        cmocka_unit_test(test_xlate_normal_learning),
        cmocka_unit_test(test_xlate_normal_vlans),
        cmocka_unit_test(test_xlate_patch),
        cmocka_unit_test(test_xlate_groups),
        cmocka_unit_test(test_xlate_mpls),
        cmocka_unit_test(test_xlate_set_icmp),
        cmocka_unit_test(test_xlate_ct_recirc),
        cmocka_unit_test(test_xlate_controller),
        cmocka_unit_test(test_xlate_learn),
        cmocka_unit_test(test_xlate_misc_actions),
        cmocka_unit_test(test_xlate_tunnel),
        cmocka_unit_test(test_xlate_tun_metadata_shrunk),
        cmocka_unit_test(test_xlate_dp_port_entry),
        cmocka_unit_test(test_xlate_trace),
        cmocka_unit_test(test_mac_learning_aging_and_lru),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
