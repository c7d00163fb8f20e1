/* Unit tests for northd/ipam.h.  The expected dynamic_addresses values
 * marked "ovn-northd" are what Debian's ovn-northd 23.03 wrote for the same
 * northbound contents (NB_Global options:mac_prefix=0a:00:00). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "northd/ipam.h"

/* A dynamic port: its "addresses" entry, current dynamic_addresses (or
 * NULL) and the expected new value (or NULL). */
struct port_case {
    const char *addresses;
    const char *current;
    const char *expected;
};

/* Runs both phases over 'ports' on 'sw' and checks each result. */
static void
run_ports(struct ipam_switch *sw, struct ipam_macs *macs,
          const struct port_case *ports, size_t n)
{
    struct ipam_port *p = calloc(n, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ipam_port_init(&p[i], ports[i].addresses,
                                        ports[i].current), 0);
        ipam_switch_reserve(sw, macs, &p[i]);
    }
    for (size_t i = 0; i < n; i++) {
        char *got = ipam_switch_assign(sw, macs, &p[i]);
        if (ports[i].expected) {
            assert_non_null(got);
            assert_string_equal(got, ports[i].expected);
        } else {
            assert_null(got);
        }
        free(got);
    }
    free(p);
}

/* Configures a switch (must be valid) and a MAC allocator. */
static void
setup(struct ipam_switch *sw, struct ipam_macs *macs, const char *subnet,
      const char *exclude, const char *ip6, const char *mac_only)
{
    ipam_macs_init(macs, "0a:00:00");
    ipam_switch_init(sw);
    assert_int_equal(ipam_switch_configure(sw, subnet, exclude, ip6,
                                           mac_only, NULL), 0);
}

static void
teardown(struct ipam_switch *sw, struct ipam_macs *macs)
{
    ipam_switch_uninit(sw);
    ipam_macs_uninit(macs);
}

/* ovn-northd: a /24 with a static port; MACs derive from the IPv4. */
static void
test_ipam_subnet_24(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.0.0.0/24", NULL, NULL, NULL);
    ipam_switch_add_static(&sw, &macs, "00:11:22:33:44:55 10.0.0.3");
    static const struct port_case ports[] = {
        { "dynamic", NULL, "0a:00:00:00:00:03 10.0.0.2" },
        { "dynamic", NULL, "0a:00:00:00:00:05 10.0.0.4" },
        { "00:00:00:00:00:04 dynamic", NULL, "00:00:00:00:00:04 10.0.0.5" },
        { "dynamic 10.0.0.100", NULL, "0a:00:00:00:00:65 10.0.0.100" },
        { "dynamic", NULL, "0a:00:00:00:00:07 10.0.0.6" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));
    teardown(&sw, &macs);
}

/* ovn-northd: a /29 has 5 addresses (.2-.6); then ports get a MAC only,
 * derived from 0. */
static void
test_ipam_subnet_29_exhausted(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "192.168.1.0/29", NULL, NULL, NULL);
    static const struct port_case ports[] = {
        { "dynamic", NULL, "0a:00:00:a8:01:03 192.168.1.2" },
        { "dynamic", NULL, "0a:00:00:a8:01:04 192.168.1.3" },
        { "dynamic", NULL, "0a:00:00:a8:01:05 192.168.1.4" },
        { "dynamic", NULL, "0a:00:00:a8:01:06 192.168.1.5" },
        { "dynamic", NULL, "0a:00:00:a8:01:07 192.168.1.6" },
        { "dynamic", NULL, "0a:00:00:00:00:01" },
        { "dynamic", NULL, "0a:00:00:00:00:02" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));

    struct ipam_port p;
    assert_int_equal(ipam_port_init(&p, "dynamic", NULL), 0);
    ipam_switch_reserve(&sw, &macs, &p);
    char *s = ipam_switch_assign(&sw, &macs, &p);
    assert_true(p.exhausted);
    assert_string_equal(s, "0a:00:00:00:00:03");
    free(s);
    teardown(&sw, &macs);
}

/* ovn-northd: /30 has one address; /31 and /32 none. */
static void
test_ipam_tiny_subnets(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.9.0.0/30", NULL, NULL, NULL);
    static const struct port_case p30[] = {
        { "dynamic", NULL, "0a:00:00:09:00:03 10.9.0.2" },
        { "dynamic", NULL, "0a:00:00:00:00:01" },
    };
    run_ports(&sw, &macs, p30, ARRAY_SIZE(p30));
    teardown(&sw, &macs);

    setup(&sw, &macs, "10.9.0.0/31", NULL, NULL, NULL);
    static const struct port_case p31[] = {
        { "dynamic", NULL, "0a:00:00:00:00:01" },
    };
    run_ports(&sw, &macs, p31, ARRAY_SIZE(p31));
    teardown(&sw, &macs);

    setup(&sw, &macs, "10.9.0.7/32", NULL, NULL, NULL);
    run_ports(&sw, &macs, p31, ARRAY_SIZE(p31));
    teardown(&sw, &macs);
}

/* ovn-northd: exclude_ips addresses and ranges are skipped. */
static void
test_ipam_exclude_ips(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.2.0.0/24", "10.2.0.2..10.2.0.5 10.2.0.7", NULL,
          NULL);
    assert_int_equal(sw.n_excluded, 2);
    assert_false(ipam_switch_ip4_is_free(&sw, 0x0a020005));
    assert_true(ipam_switch_ip4_is_free(&sw, 0x0a020006));
    static const struct port_case ports[] = {
        { "dynamic", NULL, "0a:00:00:02:00:07 10.2.0.6" },
        { "dynamic", NULL, "0a:00:00:02:00:09 10.2.0.8" },
        { "dynamic", NULL, "0a:00:00:02:00:0a 10.2.0.9" },
        /* A requested address that is excluded is not given. */
        { "dynamic 10.2.0.3", NULL, "0a:00:00:02:00:04 10.2.0.10" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));
    teardown(&sw, &macs);
}

/* Static ports' and router ports' addresses are skipped (ovn-northd: a
 * router port 10.0.0.7/24 on the switch). */
static void
test_ipam_static_and_router_skipped(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.0.0.0/24", NULL, NULL, NULL);
    static const char *const nets[] = { "10.0.0.7/24", "fd00::1/64" };
    ipam_switch_add_router_port(&sw, &macs, "00:00:00:00:ff:01", nets, 2);
    ipam_switch_add_static(&sw, &macs, "00:11:22:33:44:55 10.0.0.2 "
                           "10.0.0.3");
    ipam_switch_add_static(&sw, &macs, "unknown");
    ipam_switch_add_static(&sw, &macs, "router");
    /* A static MAC that a dynamic one would take is skipped too. */
    ipam_switch_add_static(&sw, &macs, "0a:00:00:00:00:05 10.1.0.9");
    static const struct port_case ports[] = {
        { "dynamic", NULL, "0a:00:00:00:00:06 10.0.0.4" },
        { "dynamic", NULL, "0a:00:00:00:00:07 10.0.0.5" },
        { "dynamic", NULL, "0a:00:00:00:00:08 10.0.0.6" },
        { "dynamic", NULL, "0a:00:00:00:00:09 10.0.0.8" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));
    teardown(&sw, &macs);
}

/* Addresses already assigned stay, whatever the order of the ports; a new
 * port does not take them. */
static void
test_ipam_stable_reassignment(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.0.0.0/24", NULL, NULL, NULL);
    static const struct port_case ports[] = {
        { "dynamic", NULL, "0a:00:00:00:00:04 10.0.0.3" },
        { "dynamic", "0a:00:00:00:00:07 10.0.0.6",
          "0a:00:00:00:00:07 10.0.0.6" },
        { "dynamic", "0a:00:00:00:00:03 10.0.0.2",
          "0a:00:00:00:00:03 10.0.0.2" },
        { "dynamic", NULL, "0a:00:00:00:00:05 10.0.0.4" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));

    /* A restart: the same values come back unchanged. */
    assert_int_equal(ipam_switch_configure(&sw, "10.0.0.0/24", NULL, NULL,
                                           NULL, NULL), 0);
    ipam_macs_clear(&macs);
    static const struct port_case again[] = {
        { "dynamic", "0a:00:00:00:00:05 10.0.0.4",
          "0a:00:00:00:00:05 10.0.0.4" },
        { "dynamic", "0a:00:00:00:00:04 10.0.0.3",
          "0a:00:00:00:00:04 10.0.0.3" },
        { "dynamic", "0a:00:00:00:00:07 10.0.0.6",
          "0a:00:00:00:00:07 10.0.0.6" },
        { "dynamic", "0a:00:00:00:00:03 10.0.0.2",
          "0a:00:00:00:00:03 10.0.0.2" },
    };
    run_ports(&sw, &macs, again, ARRAY_SIZE(again));
    teardown(&sw, &macs);
}

/* ovn-northd: a static port taking a dynamic port's IPv4 moves only that
 * port's IPv4 (its MAC stays); excluding a requested address moves it. */
static void
test_ipam_conflicts_move_only_ip(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.0.0.0/24", "10.0.0.100", NULL, NULL);
    ipam_switch_add_static(&sw, &macs, "00:11:22:33:44:55 10.0.0.3");
    ipam_switch_add_static(&sw, &macs, "00:11:22:33:44:10 10.0.0.4");
    static const struct port_case ports[] = {
        { "dynamic", "0a:00:00:00:00:03 10.0.0.2",
          "0a:00:00:00:00:03 10.0.0.2" },
        { "dynamic", "0a:00:00:00:00:05 10.0.0.4",
          "0a:00:00:00:00:05 10.0.0.5" },
        { "dynamic 10.0.0.100", "0a:00:00:00:00:65 10.0.0.100",
          "0a:00:00:00:00:65 10.0.0.6" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));
    teardown(&sw, &macs);
}

/* A new mac_prefix, a changed request or a removed subnet change the
 * value (ovn-northd: "dynamic 10.0.0.200" -> .200, MAC 00:00:c9). */
static void
test_ipam_changes(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.0.0.0/24", NULL, NULL, NULL);
    ipam_macs_set_prefix(&macs, "0e:00:00");
    static const struct port_case ports[] = {
        { "dynamic", "0a:00:00:00:00:03 10.0.0.2",
          "0e:00:00:00:00:03 10.0.0.2" },
        { "dynamic 10.0.0.200", "0e:00:00:00:00:05 10.0.0.4",
          "0e:00:00:00:00:05 10.0.0.200" },
        { "dynamic 10.0.0.201", NULL, "0e:00:00:00:00:ca 10.0.0.201" },
        { "02:00:00:00:00:01 dynamic", "0e:00:00:00:00:07 10.0.0.6",
          "02:00:00:00:00:01 10.0.0.6" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));

    assert_int_equal(ipam_switch_configure(&sw, NULL, NULL, NULL, NULL,
                                           NULL), 0);
    assert_false(ipam_switch_enabled(&sw));
    static const struct port_case cleared[] = {
        { "dynamic", "0e:00:00:00:00:03 10.0.0.2", NULL },
    };
    run_ports(&sw, &macs, cleared, ARRAY_SIZE(cleared));
    teardown(&sw, &macs);
}

/* ovn-northd: requests outside the subnet, or of the gateway, get a
 * dynamic address but the MAC still derives from the requested IPv4. */
static void
test_ipam_request_unusable(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.21.0.0/24", NULL, NULL, NULL);
    static const struct port_case ports[] = {
        { "dynamic 10.99.0.5", NULL, "0a:00:00:63:00:06 10.21.0.2" },
        { "dynamic 10.21.0.1", NULL, "0a:00:00:15:00:02 10.21.0.3" },
        { "dynamic 10.21.0.255", NULL, "0a:00:00:15:01:00 10.21.0.4" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));
    teardown(&sw, &macs);
}

/* ovn-northd: IPv6 from the EUI-64 of the MAC, or as requested. */
static void
test_ipam_ipv6_prefix(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.3.0.0/24", NULL, "aef0::", NULL);
    static const struct port_case ports[] = {
        { "dynamic", NULL, "0a:00:00:03:00:03 10.3.0.2 aef0::800:ff:fe03:3" },
        { "00:11:22:33:44:66 dynamic", NULL,
          "00:11:22:33:44:66 10.3.0.3 aef0::211:22ff:fe33:4466" },
        { "dynamic 10.3.0.50", NULL,
          "0a:00:00:03:00:33 10.3.0.50 aef0::800:ff:fe03:33" },
        { "dynamic aef0::1", NULL, "0a:00:00:03:00:05 10.3.0.4 aef0::1" },
        { "dynamic 10.3.0.60 aef0::5", NULL,
          "0a:00:00:03:00:3d 10.3.0.60 aef0::5" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));
    teardown(&sw, &macs);

    /* IPv6 only; three MACs taken before, as in the ovn-northd run. */
    setup(&sw, &macs, NULL, NULL, "bef0:1234:a890:5678::", NULL);
    for (int i = 1; i <= 3; i++) {
        struct eth_addr ea = { { 0x0a, 0, 0, 0, 0, i } };
        ipam_macs_add(&macs, &ea);
    }
    static const struct port_case v6[] = {
        { "dynamic", NULL,
          "0a:00:00:00:00:04 bef0:1234:a890:5678:800:ff:fe00:4" },
        { "00:11:22:33:44:77 dynamic", NULL,
          "00:11:22:33:44:77 bef0:1234:a890:5678:211:22ff:fe33:4477" },
    };
    run_ports(&sw, &macs, v6, ARRAY_SIZE(v6));
    teardown(&sw, &macs);

    /* ovn-northd uses the upper 64 bits of any IPv6 prefix. */
    static const char *const prefixes[] = {
        "aef0::/64", "aef0::1", "aef0:1:2:3:4::"
    };
    static const char *const want[] = {
        "0a:00:00:00:00:01 aef0::800:ff:fe00:1",
        "0a:00:00:00:00:01 aef0::800:ff:fe00:1",
        "0a:00:00:00:00:01 aef0:1:2:3:800:ff:fe00:1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
        setup(&sw, &macs, NULL, NULL, prefixes[i], NULL);
        struct port_case pc = { "dynamic", NULL, want[i] };
        run_ports(&sw, &macs, &pc, 1);
        teardown(&sw, &macs);
    }
}

/* ovn-northd: mac_only=true gives a MAC alone; with a subnet it changes
 * nothing; any other value, and no option at all, give nothing. */
static void
test_ipam_mac_only(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, NULL, NULL, NULL, "true");
    static const struct port_case ports[] = {
        { "dynamic", NULL, "0a:00:00:00:00:01" },
        { "dynamic", NULL, "0a:00:00:00:00:02" },
        { "dynamic 10.99.0.6 aef0::9", NULL, "0a:00:00:63:00:07" },
        { "dynamic", "0a:00:00:00:00:09", "0a:00:00:00:00:09" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));
    teardown(&sw, &macs);

    setup(&sw, &macs, "10.20.0.0/24", NULL, NULL, "true");
    static const struct port_case with_subnet[] = {
        { "dynamic", NULL, "0a:00:00:14:00:03 10.20.0.2" },
    };
    run_ports(&sw, &macs, with_subnet, ARRAY_SIZE(with_subnet));
    teardown(&sw, &macs);

    static const struct port_case none[] = {
        { "dynamic", "0a:00:00:00:00:01", NULL },
    };
    setup(&sw, &macs, NULL, NULL, NULL, "yes");
    assert_false(ipam_switch_enabled(&sw));
    run_ports(&sw, &macs, none, ARRAY_SIZE(none));
    teardown(&sw, &macs);
    setup(&sw, &macs, NULL, NULL, NULL, NULL);
    run_ports(&sw, &macs, none, ARRAY_SIZE(none));
    teardown(&sw, &macs);
}

/* Invalid other_config values: an error, never a crash, and the valid
 * parts apply as in ovn-northd. */
static void
test_ipam_invalid_config(void **state)
{
    static const char *const bad_subnets[] = {
        "foo", "10.0.0.0/33", "10.27.0.0", "", "10.0.0.0/", "aef0::/64",
        "10.0.0.0/255.0.255.0", "10.0.0.0/4", "10.0.0.0/24 junk",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad_subnets); i++) {
        struct ipam_switch sw;
        char *error = NULL;
        ipam_switch_init(&sw);
        assert_int_equal(ipam_switch_configure(&sw, bad_subnets[i],
                                               "10.0.0.5", NULL, NULL,
                                               &error), -EINVAL);
        assert_non_null(error);
        assert_false(ipam_switch_enabled(&sw));
        free(error);
        ipam_switch_uninit(&sw);
    }

    /* Host bits and a dotted mask are accepted (ovn-northd). */
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.0.0.5/24", NULL, NULL, NULL);
    assert_int_equal(sw.network, 0x0a000000);
    teardown(&sw, &macs);
    setup(&sw, &macs, "10.9.0.0/255.255.255.0", NULL, NULL, NULL);
    assert_int_equal(sw.plen, 24);
    teardown(&sw, &macs);

    /* exclude_ips: ovn-northd stops at a bad word, keeping what came
     * before; skips ranges outside the subnet, clamps ranges across it. */
    static const struct {
        const char *exclude;
        int err;
        const char *expected;
    } excl[] = {
        { "10.9.0.x", -EINVAL, "0a:00:00:09:00:03 10.9.0.2" },
        { "10.9.0.9..10.9.0.3", -EINVAL, "0a:00:00:09:00:03 10.9.0.2" },
        { "10.8.0.1", -EINVAL, "0a:00:00:09:00:03 10.9.0.2" },
        { "10.9.0.2..10.9.0.254", 0, "0a:00:00:00:00:01" },
        { "10.9.0.2, 10.9.0.3", -EINVAL, "0a:00:00:09:00:04 10.9.0.3" },
        { "10.9.0.2,10.9.0.3", -EINVAL, "0a:00:00:09:00:04 10.9.0.3" },
        { "10.9.0.2..10.9.0.3..10.9.0.4", -EINVAL,
          "0a:00:00:09:00:05 10.9.0.4" },
        { "10.9.0.2 junk", -EINVAL, "0a:00:00:09:00:04 10.9.0.3" },
        { "10.9.0.4 10.8.0.1 10.9.0.2", -EINVAL,
          "0a:00:00:09:00:04 10.9.0.3" },
        { "10.8.0.1..10.9.0.3", -EINVAL, "0a:00:00:09:00:05 10.9.0.4" },
        { "10.9.0.2..10.10.0.5 10.9.0.3", -EINVAL, "0a:00:00:00:00:01" },
        { "10.9.0.2..", -EINVAL, "0a:00:00:09:00:03 10.9.0.2" },
        { "..", -EINVAL, "0a:00:00:09:00:03 10.9.0.2" },
        { "  10.9.0.2   10.9.0.3  ", 0, "0a:00:00:09:00:05 10.9.0.4" },
        { "", 0, "0a:00:00:09:00:03 10.9.0.2" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(excl); i++) {
        char *error = NULL;
        ipam_macs_init(&macs, "0a:00:00");
        ipam_switch_init(&sw);
        assert_int_equal(ipam_switch_configure(&sw, "10.9.0.0/24",
                                               excl[i].exclude, NULL, NULL,
                                               &error), excl[i].err);
        assert_true((error != NULL) == (excl[i].err != 0));
        free(error);
        struct port_case pc = { "dynamic", NULL, excl[i].expected };
        run_ports(&sw, &macs, &pc, 1);
        teardown(&sw, &macs);
    }

    /* A bad ipv6_prefix disables IPv6 only. */
    static const char *const bad_ip6[] = { "zz::", "10.0.0.0", "", "::/x" };
    for (size_t i = 0; i < ARRAY_SIZE(bad_ip6); i++) {
        ipam_macs_init(&macs, "0a:00:00");
        ipam_switch_init(&sw);
        assert_int_equal(ipam_switch_configure(&sw, "10.9.0.0/24", NULL,
                                               bad_ip6[i], NULL, NULL),
                         -EINVAL);
        assert_false(sw.has_ip6);
        struct port_case pc = { "dynamic", NULL,
                                "0a:00:00:09:00:03 10.9.0.2" };
        run_ports(&sw, &macs, &pc, 1);
        teardown(&sw, &macs);
    }
}

/* Malformed "addresses" entries and dynamic_addresses values. */
static void
test_ipam_bad_port_strings(void **state)
{
    static const char *const bad[] = {
        "dynamic foo", "foo dynamic", "dynamic 10.0.0.1 10.0.0.2",
        "dynamic aef0::1 aef0::2", "00:11:22:33:44:55 dynamic 10.0.0.2",
        "00:11:22:33:44:55 10.0.0.2", "", "dynamic dynamic",
        "dynamic 10.0.0.1 aef0::1 x", "unknown", "router",
    };
    struct ipam_port p;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_int_equal(ipam_port_init(&p, bad[i], NULL), -EINVAL);
    }
    assert_true(ipam_is_dynamic("dynamic"));
    assert_true(ipam_is_dynamic("00:11:22:33:44:55 dynamic"));
    assert_false(ipam_is_dynamic("00:11:22:33:44:55 10.0.0.2"));
    assert_false(ipam_is_dynamic("dynamically"));

    /* Garbage in dynamic_addresses is treated as no value. */
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.0.0.0/24", NULL, NULL, NULL);
    static const struct port_case ports[] = {
        { "dynamic", "garbage", "0a:00:00:00:00:03 10.0.0.2" },
        { "dynamic", "", "0a:00:00:00:00:04 10.0.0.3" },
        { "dynamic", "0a:00:00:00:00:09 10.0.0.999",
          "0a:00:00:00:00:09 10.0.0.4" },
        { "dynamic", "0a:00:00:00:00:0a 10.1.0.7",
          "0a:00:00:00:00:0a 10.0.0.5" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));
    teardown(&sw, &macs);
}

/* Releasing a port's value frees its IPv4 and MAC for the next one. */
static void
test_ipam_release(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.0.0.0/24", NULL, NULL, NULL);
    static const struct port_case ports[] = {
        { "dynamic", NULL, "0a:00:00:00:00:03 10.0.0.2" },
        { "dynamic", NULL, "0a:00:00:00:00:04 10.0.0.3" },
    };
    run_ports(&sw, &macs, ports, ARRAY_SIZE(ports));
    ipam_switch_release(&sw, &macs, "0a:00:00:00:00:03 10.0.0.2");
    struct eth_addr ea = { { 0x0a, 0, 0, 0, 0, 3 } };
    assert_false(ipam_macs_contains(&macs, &ea));
    assert_true(ipam_switch_ip4_is_free(&sw, 0x0a000002));
    static const struct port_case next[] = {
        { "dynamic", NULL, "0a:00:00:00:00:03 10.0.0.2" },
        { "dynamic", NULL, "0a:00:00:00:00:05 10.0.0.4" },
    };
    run_ports(&sw, &macs, next, ARRAY_SIZE(next));
    teardown(&sw, &macs);
}

/* A missing or bad mac_prefix gives a random unicast, local prefix. */
static void
test_ipam_mac_prefix(void **state)
{
    struct ipam_macs macs;
    static const char *const bad[] = { NULL, "zz:00:00", "0a:00", "" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        ipam_macs_init(&macs, bad[i]);
        assert_int_equal(macs.prefix.ea[0] & 3, 2);
        char *s = ipam_macs_prefix_to_string(&macs);
        assert_int_equal(strlen(s), 8);
        free(s);
        ipam_macs_uninit(&macs);
    }
    ipam_macs_init(&macs, "0A:bC:01");
    char *s = ipam_macs_prefix_to_string(&macs);
    assert_string_equal(s, "0a:bc:01");
    free(s);
    ipam_macs_uninit(&macs);
}

/* A /16 fills up without quadratic time: 65,533 ports. */
static void
test_ipam_large_subnet(void **state)
{
    struct ipam_switch sw;
    struct ipam_macs macs;
    setup(&sw, &macs, "10.9.0.0/16", "10.9.1.0..10.9.1.255", NULL, NULL);
    unsigned int n = 0;
    for (;;) {
        struct ipam_port p;
        assert_int_equal(ipam_port_init(&p, "dynamic", NULL), 0);
        ipam_switch_reserve(&sw, &macs, &p);
        char *v = ipam_switch_assign(&sw, &macs, &p);
        assert_non_null(v);
        free(v);
        if (p.exhausted) {
            break;
        }
        n++;
    }
    assert_int_equal(n, 65536 - 3 - 256);
    teardown(&sw, &macs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipam_subnet_24),
        cmocka_unit_test(test_ipam_subnet_29_exhausted),
        cmocka_unit_test(test_ipam_tiny_subnets),
        cmocka_unit_test(test_ipam_exclude_ips),
        cmocka_unit_test(test_ipam_static_and_router_skipped),
        cmocka_unit_test(test_ipam_stable_reassignment),
        cmocka_unit_test(test_ipam_conflicts_move_only_ip),
        cmocka_unit_test(test_ipam_changes),
        cmocka_unit_test(test_ipam_request_unusable),
        cmocka_unit_test(test_ipam_ipv6_prefix),
        cmocka_unit_test(test_ipam_mac_only),
        cmocka_unit_test(test_ipam_invalid_config),
        cmocka_unit_test(test_ipam_bad_port_strings),
        cmocka_unit_test(test_ipam_release),
        cmocka_unit_test(test_ipam_mac_prefix),
        cmocka_unit_test(test_ipam_large_subnet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
