/* Unit tests for northd/lflow.h (owned flows), northd/lswitch.h (the
 * logical switch pipeline) and northd/lrouter.h (the router pipeline). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "northd/lflow.h"
#include "northd/lrouter.h"
#include "northd/lswitch.h"

static const struct uuid dp1 = { { 1, 2, 3, 4 } };
static const struct uuid port_uuid = { { 5, 6, 7, 8 } };

static struct lflow *
find(const struct lflow_table *t, enum lflow_stage stage,
     unsigned int priority, const char *match, const char *actions)
{
    return lflow_table_find(t, &dp1, stage, priority, match, actions,
                            lflow_hash(&dp1, stage, priority, match,
                                       actions));
}

/* Two owners of one flow share it; it goes only with the last owner, and
 * only at the sync. */
static void
test_lflow_shared_by_two_owners(void **state)
{
    struct lflow_table t;
    struct lflow_owner a, b;
    lflow_table_init(&t);
    lflow_owner_init(&a);
    lflow_owner_init(&b);

    lflow_add(&t, &a, &dp1, LS_IN_L2_LKUP, 50, "eth.dst == 1", "drop;",
              NULL, NULL);
    lflow_add(&t, &b, &dp1, LS_IN_L2_LKUP, 50, "eth.dst == 1", "drop;",
              NULL, NULL);
    assert_int_equal(hmap_count(&t.flows), 1);
    assert_int_equal(t.n_live, 1);
    struct lflow *f = find(&t, LS_IN_L2_LKUP, 50, "eth.dst == 1", "drop;");
    assert_non_null(f);
    assert_int_equal(f->n_refs, 2);
    assert_int_equal(list_size(&t.dirty), 1);
    lflow_table_sync_done(&t);
    assert_int_equal(list_size(&t.dirty), 0);

    lflow_owner_clear(&t, &a);
    assert_int_equal(f->n_refs, 1);
    assert_int_equal(list_size(&t.dirty), 0);   /* Still owned. */
    lflow_owner_clear(&t, &b);
    assert_int_equal(t.n_live, 0);
    assert_int_equal(list_size(&t.dirty), 1);   /* Must leave the SB. */
    assert_non_null(find(&t, LS_IN_L2_LKUP, 50, "eth.dst == 1", "drop;"));
    lflow_table_sync_done(&t);
    assert_int_equal(hmap_count(&t.flows), 0);

    lflow_owner_uninit(&t, &a);
    lflow_owner_uninit(&t, &b);
    lflow_table_uninit(&t);
}

/* Regenerating an owner with the same flows leaves them owned; the sync
 * sees them as dirty but they stay. */
static void
test_lflow_regenerate_same(void **state)
{
    struct lflow_table t;
    struct lflow_owner a;
    lflow_table_init(&t);
    lflow_owner_init(&a);
    lswitch_build_datapath_flows(&t, &a, &dp1, false, NULL);
    size_t n = t.n_live;
    lflow_table_sync_done(&t);

    lflow_owner_clear(&t, &a);
    lswitch_build_datapath_flows(&t, &a, &dp1, false, NULL);
    assert_int_equal(t.n_live, n);
    lflow_table_sync_done(&t);
    assert_int_equal(hmap_count(&t.flows), n);

    /* "unknown" changes exactly one flow: one goes, one comes. */
    lflow_owner_clear(&t, &a);
    lswitch_build_datapath_flows(&t, &a, &dp1, true, NULL);
    assert_int_equal(t.n_live, n);
    assert_int_equal(hmap_count(&t.flows), n + 1);
    assert_non_null(find(&t, LS_IN_L2_UNKNOWN, 50, "outport == \"none\"",
                         "outport = \"_MC_unknown\"; output;"));
    lflow_table_sync_done(&t);
    assert_int_equal(hmap_count(&t.flows), n);

    lflow_owner_uninit(&t, &a);
    lflow_table_uninit(&t);
}

/* The stage table numbers and names OVN 23.03 uses. */
static void
test_lflow_stage_numbers(void **state)
{
    assert_int_equal(lflow_stage_table(LS_IN_ARP_ND_RSP), 19);
    assert_string_equal(lflow_stage_name(LS_IN_ARP_ND_RSP), "ls_in_arp_rsp");
    assert_int_equal(lflow_stage_table(LS_IN_L2_UNKNOWN), 26);
    assert_int_equal(lflow_stage_table(LS_OUT_APPLY_PORT_SEC), 9);
    assert_int_equal(lflow_stage_pipeline(LS_OUT_PRE_ACL), LFLOW_EGRESS);
    assert_int_equal(lflow_stage_find(true, LFLOW_INGRESS, 25),
                     LS_IN_L2_LKUP);
    assert_int_equal(lflow_stage_find(true, LFLOW_EGRESS, 10), -1);
}

static void
test_lswitch_addresses_parse(void **state)
{
    struct lswitch_addresses a;
    assert_true(lswitch_addresses_parse("0A:00:00:00:00:01 10.0.0.1 fd00::1",
                                        &a));
    assert_string_equal(a.ea_s, "0a:00:00:00:00:01");
    assert_int_equal(a.n_ip4s, 1);
    assert_int_equal(a.n_ip6s, 1);
    lswitch_addresses_destroy(&a);

    static const char *const bad[] = {
        "unknown", "router", "dynamic", "", "00:00:00:00:00:01 10.0.0.300",
        "00:00:00:00:00 10.0.0.1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(lswitch_addresses_parse(bad[i], &a));
        assert_int_equal(a.n_ip4s, 0);
    }
}

static void
build_port(struct lflow_table *t, struct lflow_owner *o, bool enabled,
           const char *const *addrs, size_t n)
{
    struct lswitch_port p = {
        .name = "p1", .uuid = port_uuid, .type = "", .enabled = enabled,
        .addresses = addrs, .n_addresses = n,
    };
    lswitch_build_port_flows(t, o, &dp1, &p);
}

/* A VIF with a MAC and IPv4 and IPv6 addresses: ARP and ND responders and
 * an L2 lookup flow, in OVN's spelling. */
static void
test_lswitch_port_flows(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    static const char *const addrs[] = {
        "00:00:00:00:00:03 10.0.0.3 fd00::3" };
    build_port(&t, &o, true, addrs, 1);

    assert_int_equal(t.n_live, 5);
    assert_non_null(find(&t, LS_IN_L2_LKUP, 50, "eth.dst == 00:00:00:00:00:03",
                         "outport = \"p1\"; output;"));
    assert_non_null(find(&t, LS_IN_ARP_ND_RSP, 100,
                         "arp.tpa == 10.0.0.3 && arp.op == 1 && "
                         "inport == \"p1\"", "next;"));
    struct lflow *f = find(
        &t, LS_IN_ARP_ND_RSP, 50,
        "nd_ns && ip6.dst == {fd00::3, ff02::1:ff00:3} && "
        "nd.target == fd00::3",
        "nd_na { eth.src = 00:00:00:00:00:03; ip6.src = fd00::3; "
        "nd.target = fd00::3; nd.tll = 00:00:00:00:00:03; "
        "outport = inport; flags.loopback = 1; output; };");
    assert_non_null(f);
    assert_true(uuid_equals(&f->hint, &port_uuid));

    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

/* A disabled port drops; a port with "unknown" learns MACs and has no
 * responder. */
static void
test_lswitch_port_disabled_and_unknown(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    static const char *const addrs[] = { "00:00:00:00:00:04 10.0.0.4" };
    build_port(&t, &o, false, addrs, 1);
    assert_non_null(find(&t, LS_IN_CHECK_PORT_SEC, 100, "inport == \"p1\"",
                         "reg0[15] = 1; next;"));
    assert_non_null(find(&t, LS_IN_L2_LKUP, 50,
                         "eth.dst == 00:00:00:00:00:04", "drop;"));
    assert_non_null(find(&t, LS_IN_L2_UNKNOWN, 50, "outport == \"p1\"",
                         "drop;"));
    lflow_owner_clear(&t, &o);
    lflow_table_sync_done(&t);
    assert_int_equal(hmap_count(&t.flows), 0);

    static const char *const unk[] = { "00:00:00:00:00:02 10.0.0.2",
                                       "unknown" };
    build_port(&t, &o, true, unk, 2);
    assert_int_equal(t.n_live, 3);
    assert_non_null(find(&t, LS_IN_LOOKUP_FDB, 100, "inport == \"p1\"",
                         "reg0[11] = lookup_fdb(inport, eth.src); next;"));
    assert_non_null(find(&t, LS_IN_PUT_FDB, 100,
                         "inport == \"p1\" && reg0[11] == 0",
                         "put_fdb(inport, eth.src); next;"));

    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

/* A router port's networks, with the link-local address from its MAC. */
static void
test_lrouter_port_parse(void **state)
{
    struct lrouter_port lrp;
    static const char *const nets[] = { "10.0.0.1/24", "fd00::1/64" };
    assert_true(lrouter_port_init(&lrp, "lrp0", &port_uuid,
                                  "00:00:00:00:ff:01", nets, 2));
    assert_int_equal(lrp.n_networks, 3);
    struct ds s = DS_EMPTY_INITIALIZER;
    ip_prefix_format(&lrp.networks[0], &s);
    ds_put_char(&s, ' ');
    ip_prefix_format(&lrp.networks[2], &s);
    assert_string_equal(ds_cstr(&s), "10.0.0.1/24 fe80::200:ff:fe00:ff01/64");
    ds_uninit(&s);
    assert_true(lrouter_port_is_lla(&lrp.networks[2]));
    assert_false(lrouter_port_is_lla(&lrp.networks[1]));
    lrouter_port_destroy(&lrp);

    static const char *const bad[] = { "10.0.0.1/24", "nonsense" };
    assert_false(lrouter_port_init(&lrp, "lrp0", &port_uuid,
                                   "00:00:00:00:ff:01", bad, 2));
    assert_false(lrouter_port_init(&lrp, "lrp0", &port_uuid, "zz", nets, 1));
    struct lrouter_route r;
    assert_false(lrouter_route_init(&r, "10.0.0.0/8", "fd00::1", NULL));
    assert_true(lrouter_route_init(&r, "20.1.2.3/16", "10.0.0.9", ""));
    assert_null(r.output_port);
    assert_int_equal(r.prefix.plen, 16);
}

/* Connected networks and a static route: priorities by prefix length, the
 * route leaves by the port whose network holds the next hop. */
static void
test_lrouter_routing(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    struct lrouter_port ports[2];
    static const char *const n0[] = { "10.0.0.1/24" };
    static const char *const n1[] = { "10.1.0.1/24", "fd01::1/64" };
    assert_true(lrouter_port_init(&ports[0], "lrp0", &port_uuid,
                                  "00:00:00:00:ff:01", n0, 1));
    assert_true(lrouter_port_init(&ports[1], "lrp1", &port_uuid,
                                  "00:00:00:00:ff:02", n1, 2));
    struct lrouter_route routes[2];
    assert_true(lrouter_route_init(&routes[0], "20.0.0.0/24", "10.1.0.9",
                                   NULL));
    assert_true(lrouter_route_init(&routes[1], "fd99::/48", "fd01::9",
                                   NULL));
    lrouter_build_flows(&t, &o, &dp1, ports, 2, routes, 2);

    assert_non_null(find(&t, LR_IN_IP_ROUTING, 74, "ip4.dst == 10.0.0.0/24",
                         "ip.ttl--; reg8[0..15] = 0; reg0 = ip4.dst; "
                         "reg1 = 10.0.0.1; eth.src = 00:00:00:00:ff:01; "
                         "outport = \"lrp0\"; flags.loopback = 1; next;"));
    assert_non_null(find(&t, LR_IN_IP_ROUTING, 73,
                         "reg7 == 0 && ip4.dst == 20.0.0.0/24",
                         "ip.ttl--; reg8[0..15] = 0; reg0 = 10.1.0.9; "
                         "reg1 = 10.1.0.1; eth.src = 00:00:00:00:ff:02; "
                         "outport = \"lrp1\"; flags.loopback = 1; next;"));
    assert_non_null(find(&t, LR_IN_IP_ROUTING, 145,
                         "reg7 == 0 && ip6.dst == fd99::/48",
                         "ip.ttl--; reg8[0..15] = 0; xxreg0 = fd01::9; "
                         "xxreg1 = fd01::1; eth.src = 00:00:00:00:ff:02; "
                         "outport = \"lrp1\"; flags.loopback = 1; next;"));
    assert_non_null(find(&t, LR_IN_IP_INPUT, 90,
                         "ip4.dst == 10.0.0.1 && icmp4.type == 8 && "
                         "icmp4.code == 0",
                         "ip4.dst <-> ip4.src; ip.ttl = 255; "
                         "icmp4.type = 0; flags.loopback = 1; next; "));
    assert_non_null(find(&t, LR_IN_IP_INPUT, 60,
                         "ip6.dst == {fd01::1, fe80::200:ff:fe00:ff02}",
                         "drop;"));
    assert_non_null(find(&t, LR_OUT_DELIVERY, 100, "outport == \"lrp1\"",
                         "output;"));
    assert_int_equal(lflow_stage_table(LR_IN_ARP_REQUEST), 21);
    assert_false(lflow_stage_is_switch(LR_OUT_DELIVERY));
    assert_int_equal(lflow_stage_find(false, LFLOW_INGRESS, 13),
                     LR_IN_IP_ROUTING);

    /* A next hop on no network of the router: no flow. */
    size_t n = t.n_live;
    lflow_owner_clear(&t, &o);
    assert_true(lrouter_route_init(&routes[0], "30.0.0.0/8", "99.0.0.1",
                                   NULL));
    lrouter_build_flows(&t, &o, &dp1, ports, 2, routes, 1);
    assert_int_equal(t.n_live, n - 2);

    /* Neighbors: only the addresses inside the router port's networks. */
    lflow_owner_clear(&t, &o);
    struct lswitch_addresses a;
    assert_true(lswitch_addresses_parse(
                    "00:00:00:00:00:05 10.1.0.5 10.9.0.5 fd01::5", &a));
    lrouter_build_neighbor_flows(&t, &o, &dp1, &ports[1], &a, &port_uuid);
    assert_int_equal(t.n_live, 2);
    assert_non_null(find(&t, LR_IN_ARP_RESOLVE, 100,
                         "outport == \"lrp1\" && xxreg0 == fd01::5",
                         "eth.dst = 00:00:00:00:00:05; next;"));
    lswitch_addresses_destroy(&a);

    lrouter_port_destroy(&ports[0]);
    lrouter_port_destroy(&ports[1]);
    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

/* A switch's "router" port: ARP for the router goes to it and the VIFs. */
static void
test_lswitch_router_port(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    struct lrouter_port lrp;
    static const char *const nets[] = { "10.0.0.1/24" };
    assert_true(lrouter_port_init(&lrp, "lrp0", &port_uuid,
                                  "00:00:00:00:ff:01", nets, 1));
    static const char *const addrs[] = { "router" };
    struct lswitch_port p = {
        .name = "sw0-lr0", .uuid = port_uuid, .type = "router",
        .enabled = true, .addresses = addrs, .n_addresses = 1,
        .router_peer = &lrp,
    };
    lswitch_build_port_flows(&t, &o, &dp1, &p);
    assert_non_null(find(&t, LS_IN_L2_LKUP, 80,
                         "flags[1] == 0 && arp.op == 1 && "
                         "arp.tpa == 10.0.0.1",
                         "clone {outport = \"sw0-lr0\"; output; }; "
                         "outport = \"_MC_flood_l2\"; output;"));
    assert_non_null(find(&t, LS_IN_L2_LKUP, 50,
                         "eth.dst == 00:00:00:00:ff:01",
                         "outport = \"sw0-lr0\"; output;"));
    assert_non_null(find(&t, LS_OUT_PRE_LB, 110,
                         "ip && outport == \"sw0-lr0\"",
                         "ct_clear; next;"));

    /* Without its router port: nothing. */
    lflow_owner_clear(&t, &o);
    p.router_peer = NULL;
    lswitch_build_port_flows(&t, &o, &dp1, &p);
    assert_int_equal(t.n_live, 0);

    lrouter_port_destroy(&lrp);
    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lflow_shared_by_two_owners),
        cmocka_unit_test(test_lflow_regenerate_same),
        cmocka_unit_test(test_lflow_stage_numbers),
        cmocka_unit_test(test_lswitch_addresses_parse),
        cmocka_unit_test(test_lswitch_port_flows),
        cmocka_unit_test(test_lswitch_port_disabled_and_unknown),
        cmocka_unit_test(test_lrouter_port_parse),
        cmocka_unit_test(test_lrouter_routing),
        cmocka_unit_test(test_lswitch_router_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
