/* Unit tests for northd/dhcp.h: the DHCPv4, DHCPv6 and DNS flows of
 * kiln-northd.  The expected strings are those ovn-northd 23.03 writes for
 * the same northbound rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "northd/dhcp.h"
#include "northd/lflow.h"

static const struct uuid dp1 = { { 1, 2, 3, 4 } };
static const struct uuid opts_uuid = { { 9, 9, 9, 9 } };

/* A table and an owner, set up and torn down around each test. */
struct fixture {
    struct lflow_table t;       /* The flows. */
    struct lflow_owner o;       /* Their owner. */
};

static int
setup(void **state)
{
    struct fixture *f = xmalloc(sizeof *f);
    lflow_table_init(&f->t);
    lflow_owner_init(&f->o);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    lflow_owner_uninit(&f->t, &f->o);
    lflow_table_uninit(&f->t);
    free(f);
    return 0;
}

/* Asserts that 'f' has the flow, with 'in_out_port' (or none). */
static void
expect(const struct fixture *f, enum lflow_stage stage,
       unsigned int priority, const char *match, const char *actions,
       const char *in_out_port)
{
    struct lflow *fl = lflow_table_find(&f->t, &dp1, stage, priority, match,
                                        actions,
                                        lflow_hash(&dp1, stage, priority,
                                                   match, actions));
    if (!fl) {
        print_error("missing flow: %s %u (%s) (%s)\n",
                    lflow_stage_name(stage), priority, match, actions);
        struct lflow *x;
        HMAP_FOR_EACH (x, node, &f->t.flows) {
            print_error("  have: %s %u (%s) (%s)\n",
                        lflow_stage_name(x->stage), x->priority, x->match,
                        x->actions);
        }
    }
    assert_non_null(fl);
    if (in_out_port) {
        assert_non_null(fl->in_out_port);
        assert_string_equal(fl->in_out_port, in_out_port);
    } else {
        assert_null(fl->in_out_port);
    }
}

/* The DHCPv4 options of the reference: given out of order, with
 * server_mac, which is not an option of the action. */
static const char *const v4_keys[] = {
    "server_id", "server_mac", "lease_time", "router", "dns_server", "mtu",
    "classless_static_route", "domain_name",
};
static const char *const v4_values[] = {
    "10.0.0.1", "c0:ff:ee:00:00:01", "3600", "10.0.0.1",
    "{8.8.8.8,8.8.4.4}", "1400", "{30.0.0.0/24,10.0.0.10, 0.0.0.0/0,10.0.0.1}",
    "\"ovn.org\"",
};
static const struct dhcp_options_desc v4_opts = {
    .uuid = { { 9, 9, 9, 9 } },
    .cidr = "10.0.0.0/24",
    .keys = v4_keys,
    .values = v4_values,
    .n_options = ARRAY_SIZE(v4_keys),
    .is_v6 = false,
};

#define V4_OPTS "classless_static_route = {30.0.0.0/24,10.0.0.10, " \
    "0.0.0.0/0,10.0.0.1}, dns_server = {8.8.8.8,8.8.4.4}, domain_name = " \
    "\"ovn.org\", lease_time = 3600, mtu = 1400, netmask = 255.255.255.0, " \
    "router = 10.0.0.1, server_id = 10.0.0.1"
#define V4_RESPONSE "eth.dst = eth.src; eth.src = c0:ff:ee:00:00:01; " \
    "ip4.src = 10.0.0.1; udp.src = 67; udp.dst = 68; outport = inport; " \
    "flags.loopback = 1; output;"
#define V4_ACL(PORT) "outport == \"" PORT "\" && eth.src == " \
    "c0:ff:ee:00:00:01 && ip4.src == 10.0.0.1 && udp && udp.src == 67 && " \
    "udp.dst == 68"

static void
build(struct fixture *f, const struct dhcp_port_desc *port)
{
    dhcp_build_port_flows(&f->t, &f->o, &dp1, port);
}

/* A VIF with router, DNS, MTU, lease time and classless routes: the
 * options come sorted by name after offerip, with netmask from the cidr;
 * the stage hint is the options row. */
static void
test_v4_full(void **state)
{
    struct fixture *f = *state;
    const char *addrs[] = { "00:00:00:00:00:01 10.0.0.5" };
    struct dhcp_port_desc p = {
        .name = "p1", .type = "", .enabled = true,
        .addresses = addrs, .n_addresses = 1, .v4 = &v4_opts,
    };
    build(f, &p);
    const char *act = "reg0[3] = put_dhcp_opts(offerip = 10.0.0.5, "
                      V4_OPTS "); next;";
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"p1\" && eth.src == 00:00:00:00:00:01 && "
           "ip4.src == 0.0.0.0 && ip4.dst == 255.255.255.255 && "
           "udp.src == 68 && udp.dst == 67", act, "p1");
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"p1\" && eth.src == 00:00:00:00:00:01 && "
           "ip4.src == 10.0.0.5 && ip4.dst == {10.0.0.1, 255.255.255.255} "
           "&& udp.src == 68 && udp.dst == 67", act, "p1");
    expect(f, LS_IN_DHCP_RESPONSE, 100,
           "inport == \"p1\" && eth.src == 00:00:00:00:00:01 && ip4 && "
           "udp.src == 68 && udp.dst == 67 && reg0[3]", V4_RESPONSE, "p1");
    expect(f, LS_OUT_ACL, 34000, V4_ACL("p1"), "next;", "p1");
    assert_int_equal(f->t.n_live, 4);

    struct lflow *fl;
    HMAP_FOR_EACH (fl, node, &f->t.flows) {
        assert_true(uuid_equals(&fl->hint, &opts_uuid));
    }
}

/* Two IPv4 addresses in the cidr: the first is offered.  A switch that
 * is stateful commits the replies. */
static void
test_v4_two_ips_stateful(void **state)
{
    struct fixture *f = *state;
    const char *addrs[] = { "00:00:00:00:00:02 10.0.0.6 10.0.0.7 aef0::5" };
    struct dhcp_port_desc p = {
        .name = "p2", .type = "", .enabled = true,
        .addresses = addrs, .n_addresses = 1, .v4 = &v4_opts,
        .stateful = true,
    };
    build(f, &p);
    const char *act = "reg0[3] = put_dhcp_opts(offerip = 10.0.0.6, "
                      V4_OPTS "); next;";
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"p2\" && eth.src == 00:00:00:00:00:02 && "
           "ip4.src == 10.0.0.6 && ip4.dst == {10.0.0.1, 255.255.255.255} "
           "&& udp.src == 68 && udp.dst == 67", act, "p2");
    expect(f, LS_OUT_ACL, 34000, V4_ACL("p2"), "ct_commit; next;", "p2");
    assert_int_equal(f->t.n_live, 4);
}

/* An address outside the cidr gets no DHCP flows, but the ACL flow that
 * lets replies to the port through stays; so it does for a disabled port,
 * a port with no address and a "router" port. */
static void
test_v4_outside_cidr(void **state)
{
    struct fixture *f = *state;
    const char *addrs[] = { "00:00:00:00:00:03 20.0.0.5" };
    struct dhcp_port_desc p = {
        .name = "p3", .type = "", .enabled = true,
        .addresses = addrs, .n_addresses = 1, .v4 = &v4_opts,
    };
    build(f, &p);
    expect(f, LS_OUT_ACL, 34000, V4_ACL("p3"), "next;", "p3");
    assert_int_equal(f->t.n_live, 1);

    const char *in[] = { "00:00:00:00:00:04 10.0.0.9" };
    struct dhcp_port_desc d = {
        .name = "p4", .type = "", .enabled = false,
        .addresses = in, .n_addresses = 1, .v4 = &v4_opts,
    };
    build(f, &d);
    expect(f, LS_OUT_ACL, 34000, V4_ACL("p4"), "next;", "p4");
    struct dhcp_port_desc r = {
        .name = "p5", .type = "router", .enabled = true,
        .addresses = in, .n_addresses = 1, .v4 = &v4_opts,
    };
    build(f, &r);
    expect(f, LS_OUT_ACL, 34000, V4_ACL("p5"), "next;", "p5");
    struct dhcp_port_desc n = {
        .name = "p6", .type = "", .enabled = true, .v4 = &v4_opts,
    };
    build(f, &n);
    expect(f, LS_OUT_ACL, 34000, V4_ACL("p6"), "next;", "p6");
    assert_int_equal(f->t.n_live, 4);
}

/* Without lease_time, server_id or server_mac, or with an IPv6 cidr, the
 * options are not used at all. */
static void
test_v4_invalid(void **state)
{
    struct fixture *f = *state;
    const char *addrs[] = { "00:00:00:00:00:01 10.0.0.5" };
    static const char *const k[] = { "server_id", "server_mac", "router" };
    static const char *const v[] = { "10.0.0.1", "c0:ff:ee:00:00:01",
                                     "10.0.0.1" };
    struct dhcp_options_desc o = {
        .cidr = "10.0.0.0/24", .keys = k, .values = v, .n_options = 3,
    };
    struct dhcp_port_desc p = {
        .name = "p1", .type = "", .enabled = true,
        .addresses = addrs, .n_addresses = 1, .v4 = &o,
    };
    build(f, &p);
    assert_int_equal(f->t.n_live, 0);

    struct dhcp_options_desc o6 = v4_opts;
    o6.cidr = "aef0::/64";
    p.v4 = &o6;
    build(f, &p);
    assert_int_equal(f->t.n_live, 0);
}

/* options:hostname of the port replaces the row's; netmask from the cidr
 * comes before the row's own; names sort bytewise (T1 before b...); values
 * are used as written (an upper-case MAC, a cidr with host bits); unknown
 * options pass through. */
static void
test_v4_hostname_netmask_order(void **state)
{
    struct fixture *f = *state;
    static const char *const k[] = {
        "server_id", "server_mac", "lease_time", "netmask", "hostname",
        "wpad", "foo", "T2", "T1", "bootfile_name",
    };
    static const char *const v[] = {
        "192.168.4.1", "C0:FF:EE:00:00:0A", "100", "255.255.0.0", "\"h1\"",
        "\"http://x\"", "bar", "80", "50", "\"pxe\"",
    };
    struct dhcp_options_desc o = {
        .uuid = { { 9, 9, 9, 9 } }, .cidr = "192.168.4.7/24",
        .keys = k, .values = v, .n_options = ARRAY_SIZE(k),
    };
    const char *a3[] = { "00:00:00:00:02:03 192.168.4.11" };
    struct dhcp_port_desc p3 = {
        .name = "r3", .type = "", .enabled = true, .hostname = "other",
        .addresses = a3, .n_addresses = 1, .v4 = &o,
    };
    build(f, &p3);
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"r3\" && eth.src == 00:00:00:00:02:03 && "
           "ip4.src == 0.0.0.0 && ip4.dst == 255.255.255.255 && "
           "udp.src == 68 && udp.dst == 67",
           "reg0[3] = put_dhcp_opts(offerip = 192.168.4.11, T1 = 50, "
           "T2 = 80, bootfile_name = \"pxe\", foo = bar, hostname = other, "
           "lease_time = 100, netmask = 255.255.255.0, "
           "netmask = 255.255.0.0, server_id = 192.168.4.1, "
           "wpad = \"http://x\"); next;", "r3");
    expect(f, LS_IN_DHCP_RESPONSE, 100,
           "inport == \"r3\" && eth.src == 00:00:00:00:02:03 && ip4 && "
           "udp.src == 68 && udp.dst == 67 && reg0[3]",
           "eth.dst = eth.src; eth.src = C0:FF:EE:00:00:0A; "
           "ip4.src = 192.168.4.1; udp.src = 67; udp.dst = 68; "
           "outport = inport; flags.loopback = 1; output;", "r3");

    const char *a4[] = { "00:00:00:00:02:04 192.168.4.12" };
    struct dhcp_port_desc p4 = {
        .name = "r4", .type = "", .enabled = true,
        .addresses = a4, .n_addresses = 1, .v4 = &o,
    };
    build(f, &p4);
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"r4\" && eth.src == 00:00:00:00:02:04 && "
           "ip4.src == 0.0.0.0 && ip4.dst == 255.255.255.255 && "
           "udp.src == 68 && udp.dst == 67",
           "reg0[3] = put_dhcp_opts(offerip = 192.168.4.12, T1 = 50, "
           "T2 = 80, bootfile_name = \"pxe\", foo = bar, hostname = \"h1\", "
           "lease_time = 100, netmask = 255.255.255.0, "
           "netmask = 255.255.0.0, server_id = 192.168.4.1, "
           "wpad = \"http://x\"); next;", "r4");
    assert_int_equal(f->t.n_live, 8);
}

/* Each "addresses" element gets its own flows. */
static void
test_v4_two_macs(void **state)
{
    struct fixture *f = *state;
    const char *addrs[] = { "00:00:00:00:01:04 10.0.0.11",
                            "00:00:00:00:01:05 10.0.0.12", "unknown" };
    struct dhcp_port_desc p = {
        .name = "q4", .type = "", .enabled = true,
        .addresses = addrs, .n_addresses = 3, .v4 = &v4_opts,
    };
    build(f, &p);
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"q4\" && eth.src == 00:00:00:00:01:05 && "
           "ip4.src == 10.0.0.12 && ip4.dst == {10.0.0.1, 255.255.255.255} "
           "&& udp.src == 68 && udp.dst == 67",
           "reg0[3] = put_dhcp_opts(offerip = 10.0.0.12, " V4_OPTS
           "); next;", "q4");
    expect(f, LS_IN_DHCP_RESPONSE, 100,
           "inport == \"q4\" && eth.src == 00:00:00:00:01:04 && ip4 && "
           "udp.src == 68 && udp.dst == 67 && reg0[3]", V4_RESPONSE, "q4");
    assert_int_equal(f->t.n_live, 7);
}

static const char *const v6_keys[] = { "server_id", "dns_server" };
static const char *const v6_values[] = { "00:00:00:10:00:01",
                                         "{ae70::1,ae70::2}" };
static const struct dhcp_options_desc v6_opts = {
    .uuid = { { 9, 9, 9, 9 } }, .cidr = "aef0::/64",
    .keys = v6_keys, .values = v6_values, .n_options = 2, .is_v6 = true,
};

/* Stateful DHCPv6: ia_addr (the first address in the cidr) first; the
 * server's link-local address comes from server_id. */
static void
test_v6_stateful(void **state)
{
    struct fixture *f = *state;
    const char *addrs[] = {
        "00:00:00:00:00:02 10.0.0.6 ae00::9 aef0::5 aef0::6",
    };
    struct dhcp_port_desc p = {
        .name = "p2", .type = "", .enabled = true,
        .addresses = addrs, .n_addresses = 1, .v6 = &v6_opts,
    };
    build(f, &p);
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"p2\" && eth.src == 00:00:00:00:00:02 && "
           "ip6.dst == ff02::1:2 && udp.src == 546 && udp.dst == 547",
           "reg0[3] = put_dhcpv6_opts(ia_addr = aef0::5, "
           "dns_server = {ae70::1,ae70::2}, server_id = 00:00:00:10:00:01); "
           "next;", "p2");
    expect(f, LS_IN_DHCP_RESPONSE, 100,
           "inport == \"p2\" && eth.src == 00:00:00:00:00:02 && "
           "ip6.dst == ff02::1:2 && udp.src == 546 && udp.dst == 547 && "
           "reg0[3]",
           "eth.dst = eth.src; eth.src = 00:00:00:10:00:01; "
           "ip6.dst = ip6.src; ip6.src = fe80::200:ff:fe10:1; "
           "udp.src = 547; udp.dst = 546; outport = inport; "
           "flags.loopback = 1; output;", "p2");
    expect(f, LS_OUT_ACL, 34000,
           "outport == \"p2\" && eth.src == 00:00:00:10:00:01 && "
           "ip6.src == fe80::200:ff:fe10:1 && udp && udp.src == 547 && "
           "udp.dst == 546", "next;", "p2");
    assert_int_equal(f->t.n_live, 3);
}

/* Stateless DHCPv6: no ia_addr, and dhcpv6_stateless is not an option of
 * the action; an address in the cidr is still needed. */
static void
test_v6_stateless(void **state)
{
    struct fixture *f = *state;
    static const char *const k[] = { "server_id", "dhcpv6_stateless",
                                     "domain_search", "dns_server" };
    static const char *const v[] = { "00:00:00:10:00:0A", "true",
                                     "ovn.org", "{ae70::1}" };
    struct dhcp_options_desc o = {
        .uuid = { { 9, 9, 9, 9 } }, .cidr = "aef0::/64",
        .keys = k, .values = v, .n_options = 4, .is_v6 = true,
    };
    const char *addrs[] = { "00:00:00:00:00:04 aef0::4" };
    struct dhcp_port_desc p = {
        .name = "p4", .type = "", .enabled = true,
        .addresses = addrs, .n_addresses = 1, .v6 = &o, .stateful = true,
    };
    build(f, &p);
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"p4\" && eth.src == 00:00:00:00:00:04 && "
           "ip6.dst == ff02::1:2 && udp.src == 546 && udp.dst == 547",
           "reg0[3] = put_dhcpv6_opts(dns_server = {ae70::1}, "
           "domain_search = ovn.org, server_id = 00:00:00:10:00:0A); "
           "next;", "p4");
    expect(f, LS_IN_DHCP_RESPONSE, 100,
           "inport == \"p4\" && eth.src == 00:00:00:00:00:04 && "
           "ip6.dst == ff02::1:2 && udp.src == 546 && udp.dst == 547 && "
           "reg0[3]",
           "eth.dst = eth.src; eth.src = 00:00:00:10:00:0A; "
           "ip6.dst = ip6.src; ip6.src = fe80::200:ff:fe10:a; "
           "udp.src = 547; udp.dst = 546; outport = inport; "
           "flags.loopback = 1; output;", "p4");
    expect(f, LS_OUT_ACL, 34000,
           "outport == \"p4\" && eth.src == 00:00:00:10:00:0A && "
           "ip6.src == fe80::200:ff:fe10:a && udp && udp.src == 547 && "
           "udp.dst == 546", "ct_commit; next;", "p4");
    assert_int_equal(f->t.n_live, 3);

    /* No IPv6 address, or none in the cidr: only the ACL flow. */
    const char *none[] = { "00:00:00:00:00:05 10.0.0.5",
                           "00:00:00:00:00:06 ae09::5" };
    struct dhcp_port_desc q = {
        .name = "p5", .type = "", .enabled = true,
        .addresses = none, .n_addresses = 2, .v6 = &o,
    };
    build(f, &q);
    assert_int_equal(f->t.n_live, 4);
}

/* DHCPv6 options need a server_id that is a MAC. */
static void
test_v6_invalid(void **state)
{
    struct fixture *f = *state;
    static const char *const k[] = { "server_id" };
    static const char *const v[] = { "zz" };
    struct dhcp_options_desc o = {
        .cidr = "ae06::/64", .keys = k, .values = v, .n_options = 1,
        .is_v6 = true,
    };
    const char *addrs[] = { "00:00:00:00:05:05 ae06::4" };
    struct dhcp_port_desc p = {
        .name = "t5", .type = "", .enabled = true,
        .addresses = addrs, .n_addresses = 1, .v6 = &o,
    };
    build(f, &p);
    assert_int_equal(f->t.n_live, 0);
}

/* An "external" port's requests arrive on the switch's localnet ports,
 * and are answered only where it is resident; no ACL flow. */
static void
test_external(void **state)
{
    struct fixture *f = *state;
    static const char *const k[] = { "server_id", "dhcpv6_stateless" };
    static const char *const v[] = { "00:00:00:10:00:0b", "true" };
    struct dhcp_options_desc o6 = {
        .uuid = { { 9, 9, 9, 9 } }, .cidr = "ae03::/64",
        .keys = k, .values = v, .n_options = 2, .is_v6 = true,
    };
    const char *addrs[] = { "00:00:00:00:01:08 10.0.0.15 ae03::77" };
    const char *ln[] = { "ln1", "ln2" };
    struct dhcp_port_desc p = {
        .name = "q7", .type = "external", .enabled = true,
        .addresses = addrs, .n_addresses = 1, .v4 = &v4_opts, .v6 = &o6,
        .localnet_ports = ln, .n_localnet_ports = 2,
    };
    build(f, &p);
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"ln2\" && eth.src == 00:00:00:00:01:08 && "
           "ip4.src == 0.0.0.0 && ip4.dst == 255.255.255.255 && "
           "udp.src == 68 && udp.dst == 67 && is_chassis_resident(\"q7\")",
           "reg0[3] = put_dhcp_opts(offerip = 10.0.0.15, " V4_OPTS
           "); next;", "ln2");
    expect(f, LS_IN_DHCP_RESPONSE, 100,
           "inport == \"ln1\" && eth.src == 00:00:00:00:01:08 && ip4 && "
           "udp.src == 68 && udp.dst == 67 && reg0[3] && "
           "is_chassis_resident(\"q7\")", V4_RESPONSE, "ln1");
    expect(f, LS_IN_DHCP_OPTIONS, 100,
           "inport == \"ln1\" && eth.src == 00:00:00:00:01:08 && "
           "ip6.dst == ff02::1:2 && udp.src == 546 && udp.dst == 547 && "
           "is_chassis_resident(\"q7\")",
           "reg0[3] = put_dhcpv6_opts(server_id = 00:00:00:10:00:0b); "
           "next;", "ln1");
    expect(f, LS_IN_DHCP_RESPONSE, 100,
           "inport == \"ln2\" && eth.src == 00:00:00:00:01:08 && "
           "ip6.dst == ff02::1:2 && udp.src == 546 && udp.dst == 547 && "
           "is_chassis_resident(\"q7\") && reg0[3]",
           "eth.dst = eth.src; eth.src = 00:00:00:10:00:0b; "
           "ip6.dst = ip6.src; ip6.src = fe80::200:ff:fe10:b; "
           "udp.src = 547; udp.dst = 546; outport = inport; "
           "flags.loopback = 1; output;", "ln2");
    assert_int_equal(f->t.n_live, 10);
}

/* DNS: the lookup, the two responses and the ACL allow flow, only for a
 * switch with a record; the ACL flow commits on a stateful switch. */
static void
test_dns(void **state)
{
    struct fixture *f = *state;
    static const char *const k[] = { "vm1.ovn.org", "vm2.ovn.org" };
    static const char *const v[] = { "10.0.0.4 aef0::4", "10.0.0.5" };
    struct dns_desc empty = { .n_records = 0 };
    struct dns_desc full = { .keys = k, .values = v, .n_records = 2 };
    const struct dns_desc *only_empty[] = { &empty };
    dns_build_switch_flows(&f->t, &f->o, &dp1, only_empty, 1, false);
    dns_build_switch_flows(&f->t, &f->o, &dp1, NULL, 0, false);
    assert_int_equal(f->t.n_live, 0);

    const struct dns_desc *both[] = { &empty, &full };
    dns_build_switch_flows(&f->t, &f->o, &dp1, both, 2, false);
    expect(f, LS_IN_DNS_LOOKUP, 100, "udp.dst == 53",
           "reg0[4] = dns_lookup(); next;", NULL);
    expect(f, LS_IN_DNS_RESPONSE, 100, "udp.dst == 53 && reg0[4]",
           "eth.dst <-> eth.src; ip4.src <-> ip4.dst; udp.dst = udp.src; "
           "udp.src = 53; outport = inport; flags.loopback = 1; output;",
           NULL);
    expect(f, LS_IN_DNS_RESPONSE, 100, "udp.dst == 53 && reg0[4]",
           "eth.dst <-> eth.src; ip6.src <-> ip6.dst; udp.dst = udp.src; "
           "udp.src = 53; outport = inport; flags.loopback = 1; output;",
           NULL);
    expect(f, LS_OUT_ACL, 34000, "udp.src == 53", "next;", NULL);
    assert_int_equal(f->t.n_live, 4);

    lflow_owner_clear(&f->t, &f->o);
    dns_build_switch_flows(&f->t, &f->o, &dp1, both, 2, true);
    expect(f, LS_OUT_ACL, 34000, "udp.src == 53", "ct_commit; next;", NULL);
    assert_int_equal(f->t.n_live, 4);
}

/* The code tables: every name once, codes as ovn-sb(5) has them. */
static void
test_codes(void **state)
{
    (void) state;
    size_t n4, n6;
    const struct dhcp_code *c4 = dhcp_v4_codes(&n4);
    const struct dhcp_code *c6 = dhcp_v6_codes(&n6);
    assert_int_equal(n4, 38);
    assert_int_equal(n6, 4);
    int found = 0;
    for (size_t i = 0; i < n4; i++) {
        for (size_t j = i + 1; j < n4; j++) {
            assert_true(strcmp(c4[i].name, c4[j].name));
            assert_true(c4[i].code != c4[j].code);
        }
        if (!strcmp(c4[i].name, "classless_static_route")) {
            assert_int_equal(c4[i].code, 121);
            assert_string_equal(c4[i].type, "static_routes");
            found++;
        } else if (!strcmp(c4[i].name, "lease_time")) {
            assert_int_equal(c4[i].code, 51);
            assert_string_equal(c4[i].type, "uint32");
            found++;
        } else if (!strcmp(c4[i].name, "tftp_server")) {
            assert_int_equal(c4[i].code, 66);
            assert_string_equal(c4[i].type, "host_id");
            found++;
        }
    }
    assert_int_equal(found, 3);
    found = 0;
    for (size_t i = 0; i < n6; i++) {
        if (!strcmp(c6[i].name, "server_id")) {
            assert_int_equal(c6[i].code, 2);
            assert_string_equal(c6[i].type, "mac");
            found++;
        } else if (!strcmp(c6[i].name, "ia_addr")) {
            assert_int_equal(c6[i].code, 5);
            assert_string_equal(c6[i].type, "ipv6");
            found++;
        }
    }
    assert_int_equal(found, 2);
}

#define T(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_v4_full),
        T(test_v4_two_ips_stateful),
        T(test_v4_outside_cidr),
        T(test_v4_invalid),
        T(test_v4_hostname_netmask_order),
        T(test_v4_two_macs),
        T(test_v6_stateful),
        T(test_v6_stateless),
        T(test_v6_invalid),
        T(test_external),
        T(test_dns),
        cmocka_unit_test(test_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
