/* Unit tests for northd/lflow.h (owned flows), northd/lswitch.h (the
 * logical switch pipeline), northd/acl.h (ACLs), northd/lrouter.h (the
 * router pipeline), northd/nat.h (NAT) and northd/lb.h (load
 * balancers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "northd/acl.h"
#include "northd/lb.h"
#include "northd/lflow.h"
#include "northd/lrouter.h"
#include "northd/lswitch.h"
#include "northd/nat.h"

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
    lrouter_build_flows(&t, &o, &dp1, ports, 2, routes, 2, false);

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

    /* The IPv6 next hop is looked up by a neighbor solicitation. */
    assert_non_null(find(&t, LR_IN_ARP_REQUEST, 200,
                         "eth.dst == 00:00:00:00:00:00 && ip6 && "
                         "xxreg0 == fd01::9",
                         "nd_ns { eth.dst = 33:33:ff:00:00:09; "
                         "ip6.dst = ff02::1:ff00:9; nd.target = fd01::9; "
                         "output; };"));

    /* A next hop on no network of the router: no flow. */
    size_t n = t.n_live;
    lflow_owner_clear(&t, &o);
    assert_true(lrouter_route_init(&routes[0], "30.0.0.0/8", "99.0.0.1",
                                   NULL));
    lrouter_build_flows(&t, &o, &dp1, ports, 2, routes, 1, false);
    assert_int_equal(t.n_live, n - 3);  /* Two routes, one nd_ns. */

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

/* Router policies: drop, allow, reroute to one hop and to several (an ECMP
 * group numbered from 1), and a hop no port reaches (no flow). */
static void
test_lrouter_policies(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    struct lrouter_port lrps[2];
    static const char *const n0[] = { "10.0.0.1/24" };
    static const char *const n1[] = { "10.1.0.1/24" };
    assert_true(lrouter_port_init(&lrps[0], "lrp0", &port_uuid,
                                  "00:00:00:00:ff:01", n0, 1));
    assert_true(lrouter_port_init(&lrps[1], "lrp1", &port_uuid,
                                  "00:00:00:00:ff:02", n1, 1));
    const struct lrouter_port *ports[2] = { &lrps[0], &lrps[1] };
    static const char *const one[] = { "10.1.0.9" };
    static const char *const two[] = { "10.0.0.7", "10.1.0.8" };
    static const char *const none[] = { "192.0.2.1" };
    const struct lrouter_policy pols[] = {
        { 100, "ip4.src == 10.0.0.0/24", LRP_DROP, NULL, 0, -1 },
        { 200, "tcp", LRP_ALLOW, NULL, 0, -1 },
        { 300, "udp", LRP_REROUTE, one, 1, 5 },
        { 400, "icmp4", LRP_REROUTE, two, 2, -1 },
        { 500, "sctp", LRP_REROUTE, none, 1, -1 },
    };
    lrouter_build_policy_flows(&t, &o, &dp1, ports, 2, pols,
                               ARRAY_SIZE(pols));
    assert_non_null(find(&t, LR_IN_POLICY, 100, "ip4.src == 10.0.0.0/24",
                         "drop;"));
    assert_non_null(find(&t, LR_IN_POLICY, 200, "tcp",
                         "reg8[0..15] = 0; next;"));
    assert_non_null(find(&t, LR_IN_POLICY, 300, "udp",
                         "pkt.mark = 5; reg0 = 10.1.0.9; reg1 = 10.1.0.1; "
                         "eth.src = 00:00:00:00:ff:02; outport = \"lrp1\"; "
                         "flags.loopback = 1; reg8[0..15] = 0; next;"));
    assert_non_null(find(&t, LR_IN_POLICY, 400, "icmp4",
                         "reg8[0..15] = 1; reg8[16..31] = select(1, 2);"));
    assert_non_null(find(&t, LR_IN_POLICY_ECMP, 100,
                         "reg8[0..15] == 1 && reg8[16..31] == 1",
                         "reg0 = 10.0.0.7; reg1 = 10.0.0.1; "
                         "eth.src = 00:00:00:00:ff:01; outport = \"lrp0\"; "
                         "flags.loopback = 1; next;"));
    assert_non_null(find(&t, LR_IN_POLICY_ECMP, 100,
                         "reg8[0..15] == 1 && reg8[16..31] == 2",
                         "reg0 = 10.1.0.8; reg1 = 10.1.0.1; "
                         "eth.src = 00:00:00:00:ff:02; outport = \"lrp1\"; "
                         "flags.loopback = 1; next;"));
    assert_int_equal(t.n_live, 6);  /* None for the unreachable hop. */
    lrouter_port_destroy(&lrps[0]);
    lrouter_port_destroy(&lrps[1]);
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
        .router_peer = &lrp, .switch_has_vifs = true,
    };
    lswitch_build_port_flows(&t, &o, &dp1, &p);
    assert_non_null(find(&t, LS_IN_L2_LKUP, 80,
                         "flags[1] == 0 && arp.op == 1 && "
                         "arp.tpa == 10.0.0.1",
                         "clone {outport = \"sw0-lr0\"; output; }; "
                         "outport = \"_MC_flood_l2\"; output;"));

    /* On a switch with no other port, ARP goes to the router alone. */
    lflow_owner_clear(&t, &o);
    p.switch_has_vifs = false;
    lswitch_build_port_flows(&t, &o, &dp1, &p);
    assert_non_null(find(&t, LS_IN_L2_LKUP, 80,
                         "flags[1] == 0 && arp.op == 1 && "
                         "arp.tpa == 10.0.0.1",
                         "outport = \"sw0-lr0\"; output;"));

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

/* A localnet port keeps out of load balancing and, on a stateful switch,
 * out of conntrack; a localport has a VIF's flows. */
static void
test_lswitch_localnet_and_localport(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    static const char *const unk[] = { "unknown" };
    struct lswitch_port p = {
        .name = "ln0", .uuid = port_uuid, .type = "localnet",
        .enabled = true, .addresses = unk, .n_addresses = 1,
    };
    lswitch_build_port_flows(&t, &o, &dp1, &p);
    assert_int_equal(t.n_live, 3);
    assert_non_null(find(&t, LS_IN_PRE_LB, 110, "ip && inport == \"ln0\"",
                         "next;"));
    assert_non_null(find(&t, LS_OUT_PRE_LB, 110, "ip && outport == \"ln0\"",
                         "ct_clear; next;"));
    assert_non_null(find(&t, LS_IN_ARP_ND_RSP, 100, "inport == \"ln0\"",
                         "next;"));
    assert_null(find(&t, LS_IN_LOOKUP_FDB, 100, "inport == \"ln0\"",
                     "reg0[11] = lookup_fdb(inport, eth.src); next;"));

    lflow_owner_clear(&t, &o);
    p.stateful = true;
    lswitch_build_port_flows(&t, &o, &dp1, &p);
    assert_int_equal(t.n_live, 5);
    assert_non_null(find(&t, LS_OUT_PRE_LB, 110, "ip && outport == \"ln0\"",
                         "next;"));
    assert_non_null(find(&t, LS_IN_PRE_ACL, 110, "ip && inport == \"ln0\"",
                         "next;"));
    assert_non_null(find(&t, LS_OUT_PRE_ACL, 110,
                         "ip && outport == \"ln0\"", "next;"));

    lflow_owner_clear(&t, &o);
    static const char *const addrs[] = { "00:00:00:00:00:aa 10.0.0.100" };
    struct lswitch_port lp = {
        .name = "lp0", .uuid = port_uuid, .type = "localport",
        .enabled = true, .addresses = addrs, .n_addresses = 1,
    };
    lswitch_build_port_flows(&t, &o, &dp1, &lp);
    assert_int_equal(t.n_live, 3);
    assert_non_null(find(&t, LS_IN_L2_LKUP, 50, "eth.dst == 00:00:00:00:00:aa",
                         "outport = \"lp0\"; output;"));

    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

static const struct uuid acl_uuid = { { 9, 9, 9, 9 } };

#define REJECT_TO_EGRESS \
    "reg0 = 0; reject { /* eth.dst <-> eth.src; ip.dst <-> ip.src; is " \
    "implicit. */ outport <-> inport; next(pipeline=egress,table=5); };"
#define REJECT_TO_INGRESS \
    "reg0 = 0; reject { /* eth.dst <-> eth.src; ip.dst <-> ip.src; is " \
    "implicit. */ outport <-> inport; next(pipeline=ingress,table=25); };"

/* The ACL stages' own flows: none, stateless, stateful. */
static void
test_acl_datapath_flows(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    acl_build_datapath_flows(&t, &o, &dp1, false, false, false);
    assert_int_equal(t.n_live, 4);
    assert_non_null(find(&t, LS_IN_ACL, 65535, "1", "next;"));
    assert_non_null(find(&t, LS_OUT_ACL_HINT, 65535, "1", "next;"));

    lflow_owner_clear(&t, &o);
    lflow_table_sync_done(&t);
    acl_build_datapath_flows(&t, &o, &dp1, true, false, false);
    assert_int_equal(t.n_live, 6);
    assert_null(find(&t, LS_IN_ACL, 65535, "1", "next;"));
    assert_non_null(find(&t, LS_IN_ACL, 34000, "eth.dst == $svc_monitor_mac",
                         "next;"));
    assert_non_null(find(&t, LS_OUT_ACL, 0, "1", "next;"));

    lflow_owner_clear(&t, &o);
    acl_build_datapath_flows(&t, &o, &dp1, true, true, false);
    /* 6, then per direction 3 pre-ACL, 7 hint, 3 conntrack and 2
     * commit flows, and the after-LB pass for allowed replies. */
    assert_int_equal(t.n_live, 6 + 2 * 15 + 1);
    assert_non_null(find(&t, LS_IN_PRE_ACL, 100, "ip",
                         "reg0[0] = 1; next;"));
    assert_non_null(find(&t, LS_OUT_ACL_HINT, 4,
                         "!ct.new && ct.est && !ct.rpl && "
                         "ct_mark.blocked == 0",
                         "reg0[8] = 1; reg0[10] = 1; next;"));
    assert_non_null(find(&t, LS_IN_ACL, 65532,
                         "ct.est && !ct.rel && !ct.new && !ct.inv && "
                         "ct.rpl && ct_mark.blocked == 0",
                         "reg0[9] = 0; reg0[10] = 0; reg0[17] = 1; next;"));
    assert_non_null(find(&t, LS_OUT_ACL, 65532,
                         "ct.inv || (ct.est && ct.rpl && "
                         "ct_mark.blocked == 1)", "drop;"));
    assert_non_null(find(&t, LS_IN_ACL_AFTER_LB, 65532, "reg0[17] == 1",
                         "next;"));

    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

/* On a stateless switch an ACL is one flow with its own match. */
static void
test_acl_stateless(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    struct acl_desc acl = {
        .uuid = acl_uuid, .from_lport = true, .action = "allow",
        .match = "ip4.src == $as1", .priority = 1001,
    };
    acl_build_flows(&t, &o, &dp1, &acl, false);
    assert_int_equal(t.n_live, 1);
    struct lflow *f = find(&t, LS_IN_ACL, 2001, "ip4.src == $as1", "next;");
    assert_non_null(f);
    assert_true(uuid_equals(&f->hint, &acl_uuid));

    lflow_owner_clear(&t, &o);
    acl.from_lport = false;
    acl.action = "drop";
    acl.log = true;
    acl.meter = "m1";
    acl_build_flows(&t, &o, &dp1, &acl, false);
    assert_non_null(find(&t, LS_OUT_ACL, 2001, "ip4.src == $as1",
                         "log(severity=info, verdict=drop, meter=\"m1\"); "
                         "/* drop */"));

    lflow_owner_clear(&t, &o);
    acl.from_lport = true;
    acl.action = "reject";
    acl.name = "r";
    acl.severity = "alert";
    acl.meter = NULL;
    acl.apply_after_lb = true;
    acl_build_flows(&t, &o, &dp1, &acl, false);
    assert_int_equal(t.n_live, 1);
    assert_non_null(find(&t, LS_IN_ACL_AFTER_LB, 2001, "ip4.src == $as1",
                         "log(name=\"r\", severity=alert, verdict=reject); "
                         REJECT_TO_EGRESS));

    /* Not an action ovn-nb(5) knows: nothing. */
    lflow_owner_clear(&t, &o);
    acl.action = "pass";
    acl_build_flows(&t, &o, &dp1, &acl, false);
    assert_int_equal(t.n_live, 0);

    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

/* On a stateful switch ACLs match conntrack's hints: allows commit new
 * connections (with their label), drops and rejects block established
 * ones, stateless allows keep out of conntrack. */
static void
test_acl_stateful(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    struct acl_desc acl = {
        .uuid = acl_uuid, .from_lport = false, .action = "allow-related",
        .match = "tcp", .priority = 10, .label = 1234, .log = true,
    };
    assert_true(acl_is_stateful(&acl));
    acl_build_flows(&t, &o, &dp1, &acl, true);
    assert_int_equal(t.n_live, 2);
    static const char label[] = "reg0[1] = 1; reg0[13] = 1; reg3 = 1234; "
        "log(severity=info, verdict=allow); next;";
    assert_non_null(find(&t, LS_OUT_ACL, 1010, "reg0[7] == 1 && (tcp)",
                         label));
    assert_non_null(find(&t, LS_OUT_ACL, 1010, "reg0[8] == 1 && (tcp)",
                         label));

    lflow_owner_clear(&t, &o);
    acl.action = "allow";
    acl.label = 0;
    acl.log = false;
    assert_false(acl_is_stateful(&acl));
    acl_build_flows(&t, &o, &dp1, &acl, true);
    assert_non_null(find(&t, LS_OUT_ACL, 1010, "reg0[7] == 1 && (tcp)",
                         "reg0[1] = 1; next;"));
    assert_non_null(find(&t, LS_OUT_ACL, 1010, "reg0[8] == 1 && (tcp)",
                         "next;"));

    lflow_owner_clear(&t, &o);
    acl.action = "drop";
    acl_build_flows(&t, &o, &dp1, &acl, true);
    assert_non_null(find(&t, LS_OUT_ACL, 1010, "reg0[10] == 1 && (tcp)",
                         "ct_commit { ct_mark.blocked = 1; }; /* drop */"));
    assert_non_null(find(&t, LS_OUT_ACL, 1010, "reg0[9] == 1 && (tcp)",
                         "/* drop */"));

    lflow_owner_clear(&t, &o);
    acl.action = "reject";
    acl.match = "tcp || udp";
    acl_build_flows(&t, &o, &dp1, &acl, true);
    assert_non_null(find(&t, LS_OUT_ACL, 1010, "(reg0[10] == 1) && tcp || udp",
                         "ct_commit { ct_mark.blocked = 1; };  "
                         REJECT_TO_INGRESS));
    assert_non_null(find(&t, LS_OUT_ACL, 1010, "(reg0[9] == 1) && tcp || udp",
                         REJECT_TO_INGRESS));

    lflow_owner_clear(&t, &o);
    acl.action = "allow-stateless";
    acl.from_lport = true;
    acl_build_flows(&t, &o, &dp1, &acl, true);
    assert_int_equal(t.n_live, 2);
    assert_non_null(find(&t, LS_IN_PRE_ACL, 1010, "tcp || udp",
                         "reg0[16] = 1; next;"));
    assert_non_null(find(&t, LS_IN_ACL, 1010, "tcp || udp", "next;"));

    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

/* NAT rules parse as ovn-nb(5) has them; each type has its flows on a
 * gateway router. */
static void
test_nat_flows(void **state)
{
    struct nat_desc nat;
    assert_false(nat_desc_init(&nat, &port_uuid, "masquerade", "1.1.1.1",
                               "10.0.0.1", NULL, NULL));
    assert_false(nat_desc_init(&nat, &port_uuid, "dnat", "1.1.1.1",
                               "10.0.0.0/24", NULL, NULL));
    assert_false(nat_desc_init(&nat, &port_uuid, "snat", "1.1.1.1",
                               "fd00::/64", NULL, NULL));
    assert_false(nat_desc_init(&nat, &port_uuid, "snat", "1.1.1", "10.0.0.1",
                               NULL, NULL));

    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    assert_true(nat_desc_init(&nat, &port_uuid, "snat", "172.16.0.100",
                              "10.10.0.7/24", "", ""));
    assert_null(nat.logical_port);
    assert_false(nat_is_dnat(&nat));
    nat_build_flows(&t, &o, &dp1, &nat);
    assert_int_equal(t.n_live, 3);
    assert_non_null(find(&t, LR_IN_UNSNAT, 90, "ip && ip4.dst == 172.16.0.100",
                         "ct_snat;"));
    /* Host bits cleared; priority one above the prefix length. */
    assert_non_null(find(&t, LR_OUT_SNAT, 25,
                         "ip && ip4.src == 10.10.0.0/24 && "
                         "(!ct.trk || !ct.rpl)", "ct_snat(172.16.0.100);"));
    assert_non_null(find(&t, LR_IN_IP_INPUT, 90,
                         "arp.op == 1 && arp.tpa == 172.16.0.100",
                         "eth.dst = eth.src; eth.src = xreg0[0..47]; "
                         "arp.op = 2; /* ARP reply */ arp.tha = arp.sha; "
                         "arp.sha = xreg0[0..47]; arp.tpa <-> arp.spa; "
                         "outport = inport; flags.loopback = 1; output;"));

    lflow_owner_clear(&t, &o);
    assert_true(nat_desc_init(&nat, &port_uuid, "dnat", "172.16.0.110",
                              "10.10.0.2", NULL, NULL));
    assert_true(nat_is_dnat(&nat));
    nat_build_flows(&t, &o, &dp1, &nat);
    assert_int_equal(t.n_live, 2);
    assert_non_null(find(&t, LR_IN_DNAT, 100, "ip && ip4.dst == 172.16.0.110",
                         "flags.loopback = 1; ct_dnat(10.10.0.2);"));

    lflow_owner_clear(&t, &o);
    assert_true(nat_desc_init(&nat, &port_uuid, "dnat_and_snat",
                              "172.16.0.120", "10.10.0.3", NULL, NULL));
    nat_build_flows(&t, &o, &dp1, &nat);
    assert_int_equal(t.n_live, 4);
    assert_non_null(find(&t, LR_OUT_SNAT, 33,
                         "ip && ip4.src == 10.10.0.3 && (!ct.trk || !ct.rpl)",
                         "ct_snat(172.16.0.120);"));
    nat_build_router_flows(&t, &o, &dp1);
    assert_int_equal(t.n_live, 8);
    assert_non_null(find(&t, LR_OUT_UNDNAT, 50, "ip",
                         "flags.loopback = 1; ct_dnat;"));

    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

/* VIPs and backends parse as ovn-nb(5) writes them; each VIP has its
 * conntrack and balancing flows on a switch. */
static void
test_lb_flows(void **state)
{
    static const char *const keys[] = {
        "10.9.0.100:80", "10.9.0.101", "[fd00::100]:8080", "10.9.0.102:53",
        "bogus", "10.9.0.104:80", "10.9.0.105:70000",
    };
    static const char *const values[] = {
        "10.9.0.2:80, 10.9.0.3:80", "10.9.0.2", "[fd00::2]:80,[fd00::3]:80",
        "", "10.9.0.2", "fd00::2", "10.9.0.2:1",
    };
    struct lb_desc lb;
    lb_desc_init(&lb, &port_uuid, "udp", true, keys, values,
                 ARRAY_SIZE(keys));
    assert_int_equal(lb.n_vips, 4);     /* Bad VIP, family, port left. */
    assert_string_equal(lb.vips[0].backends, "10.9.0.2:80,10.9.0.3:80");
    assert_int_equal(lb.vips[2].port, 8080);
    assert_string_equal(lb.vips[3].backends, "");

    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    lb_build_switch_flows(&t, &o, &dp1, &lb);
    assert_int_equal(t.n_live, 8);
    assert_non_null(find(&t, LS_IN_PRE_STATEFUL, 120,
                         "reg0[2] == 1 && ip4.dst == 10.9.0.100 && "
                         "udp.dst == 80",
                         "reg1 = 10.9.0.100; reg2[0..15] = 80; "
                         "ct_lb_mark;"));
    assert_non_null(find(&t, LS_IN_LB, 110, "ct.new && ip4.dst == 10.9.0.101",
                         "reg0[1] = 0; ct_lb_mark(backends=10.9.0.2);"));
    assert_non_null(find(&t, LS_IN_PRE_STATEFUL, 120,
                         "reg0[2] == 1 && ip6.dst == fd00::100 && "
                         "udp.dst == 8080",
                         "xxreg1 = fd00::100; reg2[0..15] = 8080; "
                         "ct_lb_mark;"));
    assert_non_null(find(&t, LS_IN_LB, 120,
                         "ct.new && ip4.dst == 10.9.0.102 && udp.dst == 53",
                         "reg0 = 0; reject { outport <-> inport; "
                         "next(pipeline=egress,table=5);};"));
    lb_desc_destroy(&lb);

    /* Without "reject", no backend drops. */
    lflow_owner_clear(&t, &o);
    lb_desc_init(&lb, &port_uuid, NULL, false, &keys[3], &values[3], 1);
    lb_build_switch_flows(&t, &o, &dp1, &lb);
    assert_non_null(find(&t, LS_IN_LB, 120,
                         "ct.new && ip4.dst == 10.9.0.102 && tcp.dst == 53",
                         "drop;"));
    lb_desc_destroy(&lb);

    lflow_owner_clear(&t, &o);
    lb_build_switch_datapath_flows(&t, &o, &dp1);
    assert_int_equal(t.n_live, 7);
    assert_non_null(find(&t, LS_IN_PRE_LB, 100, "ip", "reg0[2] = 1; next;"));
    assert_non_null(find(&t, LS_IN_NAT_HAIRPIN, 100,
                         "ip && ct.new && ct.trk && reg0[6] == 1",
                         "ct_snat_to_vip; next;"));

    /* A VIP makes the ACL stages stateful, without ACL conntrack. */
    lflow_owner_clear(&t, &o);
    acl_build_datapath_flows(&t, &o, &dp1, false, false, true);
    assert_null(find(&t, LS_IN_ACL, 65535, "1", "next;"));
    assert_null(find(&t, LS_IN_PRE_ACL, 100, "ip", "reg0[0] = 1; next;"));
    assert_non_null(find(&t, LS_IN_ACL, 1, "ip && !ct.est",
                         "reg0[1] = 1; next;"));

    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
}

/* A router's load balancers: defrag and ct_lb_mark per VIP, none for a
 * VIP without backends; un-DNAT only on a gateway router. */
static void
test_lb_router_flows(void **state)
{
    static const char *const keys[] = {
        "172.16.0.200:80", "172.16.0.201", "172.16.0.202:99",
    };
    static const char *const values[] = {
        "10.10.0.2:80,10.10.0.3:80", "10.10.0.2", "",
    };
    struct lb_desc lb;
    lb_desc_init(&lb, &port_uuid, NULL, false, keys, values,
                 ARRAY_SIZE(keys));
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    lb_build_router_flows(&t, &o, &dp1, &lb);
    /* Three defrag flows, two DNAT flows. */
    assert_int_equal(t.n_live, 5);
    assert_non_null(find(&t, LR_IN_DEFRAG, 100,
                         "ip && ip4.dst == 172.16.0.202", "ct_dnat;"));
    assert_non_null(find(&t, LR_IN_DNAT, 120,
                         "ct.new && !ct.rel && ip4 && ip4.dst == "
                         "172.16.0.200 && tcp && tcp.dst == 80",
                         "ct_lb_mark(backends=10.10.0.2:80,10.10.0.3:80);"));
    assert_non_null(find(&t, LR_IN_DNAT, 110,
                         "ct.new && !ct.rel && ip4 && ip4.dst == "
                         "172.16.0.201", "ct_lb_mark(backends=10.10.0.2);"));
    lflow_owner_clear(&t, &o);
    lb_build_router_datapath_flows(&t, &o, &dp1, false);
    assert_int_equal(t.n_live, 6);
    assert_null(find(&t, LR_OUT_UNDNAT, 50, "ip",
                     "flags.loopback = 1; ct_dnat;"));
    lflow_owner_clear(&t, &o);
    lb_build_router_datapath_flows(&t, &o, &dp1, true);
    assert_int_equal(t.n_live, 9);
    assert_non_null(find(&t, LR_OUT_UNDNAT, 50, "ip",
                         "flags.loopback = 1; ct_dnat;"));
    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
    lb_desc_destroy(&lb);
    (void) state;
}

/* A distributed gateway port: residency checks, the redirect to its
 * "cr-" port, no unreachables; NAT on it in the port's zone, and a
 * distributed rule on its logical port's chassis. */
static void
test_dgp_flows(void **state)
{
    struct lflow_table t;
    struct lflow_owner o;
    lflow_table_init(&t);
    lflow_owner_init(&o);
    struct lrouter_port ports[2];
    static const char *const n0[] = { "10.0.0.1/24" };
    static const char *const n1[] = { "172.16.0.1/24" };
    assert_true(lrouter_port_init(&ports[0], "lrp0", &port_uuid,
                                  "00:00:00:00:ff:01", n0, 1));
    assert_true(lrouter_port_init(&ports[1], "lrp1", &port_uuid,
                                  "00:00:00:00:ff:02", n1, 1));
    ports[1].is_dgp = true;
    lrouter_build_flows(&t, &o, &dp1, ports, 2, NULL, 0, false);
    assert_non_null(find(&t, LR_IN_ADMISSION, 50,
                         "eth.dst == 00:00:00:00:ff:02 && inport == \"lrp1\" "
                         "&& is_chassis_resident(\"cr-lrp1\")",
                         "xreg0[0..47] = 00:00:00:00:ff:02; next;"));
    assert_non_null(find(&t, LR_IN_ADMISSION, 50,
                         "eth.dst == 00:00:00:00:ff:01 && inport == \"lrp0\"",
                         "xreg0[0..47] = 00:00:00:00:ff:01; next;"));
    assert_non_null(find(&t, LR_IN_GW_REDIRECT, 50, "outport == \"lrp1\"",
                         "outport = \"cr-lrp1\"; next;"));
    assert_null(find(&t, LR_IN_IP_INPUT, 70,
                     "ip4 && ip4.dst == 10.0.0.1 && !ip.later_frag",
                     "icmp4 {eth.dst <-> eth.src; ip4.dst <-> ip4.src; "
                     "ip.ttl = 255; icmp4.type = 3; icmp4.code = 2; "
                     "next; };"));
    lflow_owner_clear(&t, &o);

    struct nat_desc nat;
    assert_true(nat_desc_init(&nat, &port_uuid, "snat", "172.16.0.100",
                              "10.0.0.0/24", NULL, NULL));
    nat_build_dgp_flows(&t, &o, &dp1, &nat, "lrp1", "00:00:00:00:ff:02");
    assert_non_null(find(&t, LR_OUT_SNAT, 153,
                         "ip && ip4.src == 10.0.0.0/24 && outport == "
                         "\"lrp1\" && is_chassis_resident(\"cr-lrp1\")",
                         "ct_snat_in_czone(172.16.0.100);"));
    assert_non_null(find(&t, LR_IN_IP_INPUT, 120,
                         "inport == \"lrp1\" && ip4.src == 172.16.0.100",
                         "next;"));
    assert_null(find(&t, LR_IN_GW_REDIRECT, 100,
                     "ip4.src == 10.0.0.0/24 && outport == \"lrp1\"",
                     "next;"));
    lflow_owner_clear(&t, &o);

    assert_true(nat_desc_init(&nat, &port_uuid, "dnat_and_snat",
                              "172.16.0.130", "10.0.0.2", "vm1",
                              "00:00:00:00:99:01"));
    assert_true(nat_is_distributed(&nat));
    nat_build_dgp_flows(&t, &o, &dp1, &nat, "lrp1", "00:00:00:00:ff:02");
    assert_non_null(find(&t, LR_IN_GW_REDIRECT, 100,
                         "ip4.src == 10.0.0.2 && outport == \"lrp1\" && "
                         "is_chassis_resident(\"vm1\")",
                         "eth.src = 00:00:00:00:99:01; reg1 = 172.16.0.130; "
                         "next;"));
    assert_non_null(find(&t, LR_IN_DNAT, 100,
                         "ip && ip4.dst == 172.16.0.130 && inport == "
                         "\"lrp1\"", "ct_dnat_in_czone(10.0.0.2);"));
    assert_non_null(find(&t, LR_OUT_UNDNAT, 100,
                         "ip && ip4.src == 10.0.0.2 && outport == \"lrp1\"",
                         "eth.src = 00:00:00:00:99:01; ct_dnat_in_czone;"));
    assert_non_null(find(&t, LR_IN_ARP_RESOLVE, 100,
                         "outport == \"lrp1\" && reg0 == 172.16.0.130",
                         "eth.dst = 00:00:00:00:99:01; next;"));
    lflow_owner_uninit(&t, &o);
    lflow_table_uninit(&t);
    lrouter_port_destroy(&ports[0]);
    lrouter_port_destroy(&ports[1]);
    (void) state;
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
        cmocka_unit_test(test_lrouter_policies),
        cmocka_unit_test(test_lswitch_router_port),
        cmocka_unit_test(test_lswitch_localnet_and_localport),
        cmocka_unit_test(test_acl_datapath_flows),
        cmocka_unit_test(test_acl_stateless),
        cmocka_unit_test(test_acl_stateful),
        cmocka_unit_test(test_nat_flows),
        cmocka_unit_test(test_lb_flows),
        cmocka_unit_test(test_lb_router_flows),
        cmocka_unit_test(test_dgp_flows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
