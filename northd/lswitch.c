/* The logical switch pipeline: see lswitch.h.  The stages, priorities,
 * matches and actions are those ovn-northd(8) documents for a switch, in
 * the spelling OVN 23.03 writes, so that Kiln's southbound database and
 * OVN's compare equal for the same northbound one. */
#include "northd/lswitch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "northd/lflow.h"
#include "northd/lrouter.h"

/* Parses 's', one "addresses" element of the form "MAC [IP]...", into
 * 'a'.  Returns false, with 'a' empty, for anything else (including
 * "unknown", "router" and "dynamic", which have no fixed MAC here). */
bool
lswitch_addresses_parse(const char *s, struct lswitch_addresses *a)
{
    memset(a, 0, sizeof *a);
    char *copy = xstrdup(s);
    char *save = NULL;
    bool ok = true;
    char *tok = strtok_r(copy, " ", &save);
    if (!tok || !eth_addr_from_string(tok, &a->ea)) {
        ok = false;
        goto out;
    }
    snprintf(a->ea_s, sizeof a->ea_s, ETH_ADDR_FMT, ETH_ADDR_ARGS(a->ea));
    while ((tok = strtok_r(NULL, " ", &save))) {
        struct ip_prefix p;
        if (!ip_prefix_from_string(tok, &p)) {
            ok = false;
            goto out;
        }
        if (p.family == AF_INET) {
            a->ip4s = xrealloc(a->ip4s, (a->n_ip4s + 1) * sizeof *a->ip4s);
            a->ip4s[a->n_ip4s++] = p.ip4;
        } else {
            a->ip6s = xrealloc(a->ip6s, (a->n_ip6s + 1) * sizeof *a->ip6s);
            a->ip6s[a->n_ip6s++] = p.ip6;
        }
    }
out:
    free(copy);
    if (!ok) {
        lswitch_addresses_destroy(a);
    }
    return ok;
}

/* Frees what 'a' owns and leaves it empty. */
void
lswitch_addresses_destroy(struct lswitch_addresses *a)
{
    free(a->ip4s);
    free(a->ip6s);
    memset(a, 0, sizeof *a);
}

/* True if 'port' lists "unknown" among its addresses. */
bool
lswitch_port_has_unknown(const struct lswitch_port *port)
{
    for (size_t i = 0; i < port->n_addresses; i++) {
        if (!strcmp(port->addresses[i], "unknown")) {
            return true;
        }
    }
    return false;
}

/* The flows every switch has, whatever its ports. */
struct static_flow {
    enum lflow_stage stage;     /* Where. */
    uint16_t priority;          /* Priority. */
    const char *match;          /* Match. */
    const char *actions;        /* Actions. */
};

#define ND_OR_MLD "nd || nd_rs || nd_ra || mldv1 || mldv2"
#define ND_OR_MLD_ACL "nd || nd_ra || nd_rs || mldv1 || mldv2"
#define CT_COMMIT_0 "ct_commit { ct_mark.blocked = 0; }; next;"
#define CT_COMMIT_1 \
    "ct_commit { ct_mark.blocked = 0; ct_label.label = reg3; }; next;"

static const struct static_flow switch_flows[] = {
    /* ovn-northd(8) "Ingress Table 0: Admission Control and Ingress Port
     * Security check": drop broadcast sources and VLAN tags, then let the
     * controller check the port's port_security. */
    { LS_IN_CHECK_PORT_SEC, 100, "eth.src[40]", "drop;" },
    { LS_IN_CHECK_PORT_SEC, 100, "vlan.present", "drop;" },
    { LS_IN_CHECK_PORT_SEC, 50, "1",
      "reg0[15] = check_in_port_sec(); next;" },
    { LS_IN_APPLY_PORT_SEC, 50, "reg0[15] == 1", "drop;" },
    { LS_IN_APPLY_PORT_SEC, 0, "1", "next;" },
    { LS_IN_LOOKUP_FDB, 0, "1", "next;" },
    { LS_IN_PUT_FDB, 0, "1", "next;" },
    { LS_IN_PRE_ACL, 110, "eth.dst == $svc_monitor_mac", "next;" },
    { LS_IN_PRE_ACL, 0, "1", "next;" },
    { LS_IN_PRE_LB, 110, "eth.dst == $svc_monitor_mac", "next;" },
    { LS_IN_PRE_LB, 110, "eth.mcast", "next;" },
    { LS_IN_PRE_LB, 110, ND_OR_MLD, "next;" },
    { LS_IN_PRE_LB, 110, "reg0[16] == 1", "next;" },
    { LS_IN_PRE_LB, 0, "1", "next;" },
    { LS_IN_PRE_STATEFUL, 110, "reg0[2] == 1", "ct_lb_mark;" },
    { LS_IN_PRE_STATEFUL, 100, "reg0[0] == 1", "ct_next;" },
    { LS_IN_PRE_STATEFUL, 0, "1", "next;" },
    { LS_IN_ACL, 65532, ND_OR_MLD_ACL, "next;" },
    { LS_IN_QOS_MARK, 0, "1", "next;" },
    { LS_IN_QOS_METER, 0, "1", "next;" },
    { LS_IN_LB_AFF_CHECK, 0, "1", "next;" },
    { LS_IN_LB, 0, "1", "next;" },
    { LS_IN_LB_AFF_LEARN, 0, "1", "next;" },
    { LS_IN_PRE_HAIRPIN, 0, "1", "next;" },
    { LS_IN_NAT_HAIRPIN, 0, "1", "next;" },
    { LS_IN_HAIRPIN, 0, "1", "next;" },
    { LS_IN_ACL_AFTER_LB, 65532, ND_OR_MLD_ACL, "next;" },
    { LS_IN_ACL_AFTER_LB, 0, "1", "next;" },
    { LS_IN_STATEFUL, 100, "reg0[1] == 1 && reg0[13] == 0", CT_COMMIT_0 },
    { LS_IN_STATEFUL, 100, "reg0[1] == 1 && reg0[13] == 1", CT_COMMIT_1 },
    { LS_IN_STATEFUL, 0, "1", "next;" },
    { LS_IN_ARP_ND_RSP, 0, "1", "next;" },
    { LS_IN_DHCP_OPTIONS, 0, "1", "next;" },
    { LS_IN_DHCP_RESPONSE, 0, "1", "next;" },
    { LS_IN_DNS_LOOKUP, 0, "1", "next;" },
    { LS_IN_DNS_RESPONSE, 0, "1", "next;" },
    { LS_IN_EXTERNAL_PORT, 0, "1", "next;" },
    /* ovn-northd(8) "Ingress Table 25: Destination Lookup". */
    { LS_IN_L2_LKUP, 110,
      "eth.dst == $svc_monitor_mac && (tcp || icmp || icmp6)",
      "handle_svc_check(inport);" },
    { LS_IN_L2_LKUP, 70, "eth.mcast", "outport = \"_MC_flood\"; output;" },
    { LS_IN_L2_LKUP, 0, "1", "outport = get_fdb(eth.dst); next;" },
    { LS_IN_L2_UNKNOWN, 0, "1", "output;" },

    { LS_OUT_PRE_ACL, 110, "eth.src == $svc_monitor_mac", "next;" },
    { LS_OUT_PRE_ACL, 0, "1", "next;" },
    { LS_OUT_PRE_LB, 110, "eth.mcast", "next;" },
    { LS_OUT_PRE_LB, 110, "eth.src == $svc_monitor_mac", "next;" },
    { LS_OUT_PRE_LB, 110, ND_OR_MLD, "next;" },
    { LS_OUT_PRE_LB, 110, "reg0[16] == 1", "next;" },
    { LS_OUT_PRE_LB, 0, "1", "next;" },
    { LS_OUT_PRE_STATEFUL, 110, "reg0[2] == 1", "ct_lb_mark;" },
    { LS_OUT_PRE_STATEFUL, 100, "reg0[0] == 1", "ct_next;" },
    { LS_OUT_PRE_STATEFUL, 0, "1", "next;" },
    { LS_OUT_ACL, 65532, ND_OR_MLD_ACL, "next;" },
    { LS_OUT_QOS_MARK, 0, "1", "next;" },
    { LS_OUT_QOS_METER, 0, "1", "next;" },
    { LS_OUT_STATEFUL, 100, "reg0[1] == 1 && reg0[13] == 0", CT_COMMIT_0 },
    { LS_OUT_STATEFUL, 100, "reg0[1] == 1 && reg0[13] == 1", CT_COMMIT_1 },
    { LS_OUT_STATEFUL, 0, "1", "next;" },
    { LS_OUT_CHECK_PORT_SEC, 100, "eth.mcast", "reg0[15] = 0; next;" },
    { LS_OUT_CHECK_PORT_SEC, 0, "1",
      "reg0[15] = check_out_port_sec(); next;" },
    { LS_OUT_APPLY_PORT_SEC, 50, "reg0[15] == 1", "drop;" },
    { LS_OUT_APPLY_PORT_SEC, 0, "1", "output;" },
};

/* Adds to 'table', owned by 'owner', the flows of switch datapath 'dp'
 * that every switch has alike (but for 'has_unknown'): every stage's
 * default (but those of the ACL stages: acl_build_datapath_flows()) and
 * the flows that depend on no port.  'has_unknown' says whether an
 * enabled port of the switch has "unknown" addresses, which makes
 * ls_in_l2_unknown flood unknown destinations to "_MC_unknown".  'dp' may
 * be a datapath group of switches (lflow.h). */
void
lswitch_build_shared_flows(struct lflow_table *table,
                           struct lflow_owner *owner, const struct uuid *dp,
                           bool has_unknown)
{
    for (size_t i = 0; i < ARRAY_SIZE(switch_flows); i++) {
        const struct static_flow *sf = &switch_flows[i];
        lflow_add(table, owner, dp, sf->stage, sf->priority, sf->match,
                  sf->actions, NULL, NULL);
    }
    lflow_add(table, owner, dp, LS_IN_L2_UNKNOWN, 50, "outport == \"none\"",
              has_unknown ? "outport = \"_MC_unknown\"; output;" : "drop;",
              NULL, NULL);
}

/* Adds to 'table', owned by 'owner', the flow of switch datapath 'dp' that
 * sends the ARP and ND requests of the router ports attached to it (their
 * MACs, comma-separated, in 'router_macs'; none if NULL or empty) to the
 * switch's VIFs only. */
void
lswitch_build_router_macs_flow(struct lflow_table *table,
                               struct lflow_owner *owner,
                               const struct uuid *dp, const char *router_macs)
{
    if (router_macs && router_macs[0]) {
        struct ds match = DS_EMPTY_INITIALIZER;
        ds_put_format(&match, "eth.src == {%s} && "
                      "(arp.op == 1 || rarp.op == 3 || nd_ns)", router_macs);
        lflow_add(table, owner, dp, LS_IN_L2_LKUP, 75, ds_cstr(&match),
                  "outport = \"_MC_flood_l2\"; output;", NULL, NULL);
        ds_uninit(&match);
    }
}

/* Adds to 'table', owned by 'owner', the flows of the switch datapath
 * 'dp' (its northbound row's UUID) itself: lswitch_build_shared_flows()
 * and lswitch_build_router_macs_flow(). */
void
lswitch_build_datapath_flows(struct lflow_table *table,
                             struct lflow_owner *owner,
                             const struct uuid *dp, bool has_unknown,
                             const char *router_macs)
{
    lswitch_build_router_macs_flow(table, owner, dp, router_macs);
    lswitch_build_shared_flows(table, owner, dp, has_unknown);
}

/* ARP and ND responders for 'a' of port 'port' (ovn-northd(8) "Ingress
 * Table 19: ARP/ND responder"): a port's own requests pass on to the
 * port (priority 100), everybody else's get an answer (priority 50). */
static void
build_arp_nd_flows(struct lflow_table *table, struct lflow_owner *owner,
                   const struct uuid *dp, const struct lswitch_port *port,
                   const struct lswitch_addresses *a, struct ds *match,
                   struct ds *actions, bool is_router)
{
    for (size_t i = 0; i < a->n_ip4s; i++) {
        struct ip_prefix p = { .family = AF_INET, .ip4 = a->ip4s[i],
                               .plen = 32 };
        struct ds ip = DS_EMPTY_INITIALIZER;
        ip_prefix_format_addr(&p, &ip);

        ds_clear(match);
        ds_put_format(match, "arp.tpa == %s && arp.op == 1", ds_cstr(&ip));
        ds_clear(actions);
        ds_put_format(actions,
                      "eth.dst = eth.src; eth.src = %s; arp.op = 2; "
                      "/* ARP reply */ arp.tha = arp.sha; arp.sha = %s; "
                      "arp.tpa = arp.spa; arp.spa = %s; outport = inport; "
                      "flags.loopback = 1; output;",
                      a->ea_s, a->ea_s, ds_cstr(&ip));
        lflow_add(table, owner, dp, LS_IN_ARP_ND_RSP, 50, ds_cstr(match),
                  ds_cstr(actions), &port->uuid, NULL);
        ds_put_format(match, " && inport == \"%s\"", port->name);
        lflow_add(table, owner, dp, LS_IN_ARP_ND_RSP, 100, ds_cstr(match),
                  "next;", &port->uuid, port->name);
        ds_uninit(&ip);
    }
    for (size_t i = 0; i < a->n_ip6s; i++) {
        struct ip_prefix p = { .family = AF_INET6, .ip6 = a->ip6s[i],
                               .plen = 128 };
        /* RFC 4291 §2.7.1: the solicited-node multicast address. */
        struct ip_prefix sn = { .family = AF_INET6, .plen = 128 };
        static const uint8_t sn_prefix[13] = {
            0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
        memcpy(sn.ip6.s6_addr, sn_prefix, sizeof sn_prefix);
        memcpy(&sn.ip6.s6_addr[13], &a->ip6s[i].s6_addr[13], 3);
        struct ds ip = DS_EMPTY_INITIALIZER;
        struct ds sn_s = DS_EMPTY_INITIALIZER;
        ip_prefix_format_addr(&p, &ip);
        ip_prefix_format_addr(&sn, &sn_s);

        ds_clear(match);
        ds_put_format(match, "nd_ns && ip6.dst == {%s, %s} && "
                      "nd.target == %s", ds_cstr(&ip), ds_cstr(&sn_s),
                      ds_cstr(&ip));
        ds_clear(actions);
        ds_put_format(actions,
                      "%s { eth.src = %s; ip6.src = %s; nd.target = %s; "
                      "nd.tll = %s; outport = inport; flags.loopback = 1; "
                      "output; };", is_router ? "nd_na_router" : "nd_na",
                      a->ea_s, ds_cstr(&ip), ds_cstr(&ip), a->ea_s);
        lflow_add(table, owner, dp, LS_IN_ARP_ND_RSP, 50, ds_cstr(match),
                  ds_cstr(actions), &port->uuid, NULL);
        ds_put_format(match, " && inport == \"%s\"", port->name);
        lflow_add(table, owner, dp, LS_IN_ARP_ND_RSP, 100, ds_cstr(match),
                  "next;", &port->uuid, port->name);
        ds_uninit(&ip);
        ds_uninit(&sn_s);
    }
}

/* The flows of a port that leads out of the switch (a router or localnet
 * port): no load balancing towards it or from it and, on a stateful
 * switch, no conntrack either (ovn-northd(8) "Pre-ACLs" and "Pre-LB").
 * Off a stateful switch, what leaves through it forgets its conntrack
 * state. */
static void
build_no_conntrack_flows(struct lflow_table *table, struct lflow_owner *owner,
                         const struct uuid *dp,
                         const struct lswitch_port *port)
{
    struct ds in = DS_EMPTY_INITIALIZER;
    struct ds out = DS_EMPTY_INITIALIZER;
    ds_put_format(&in, "ip && inport == \"%s\"", port->name);
    ds_put_format(&out, "ip && outport == \"%s\"", port->name);
    /* A load balancer on the switch balances what comes in from the
     * localnet too. */
    if (strcmp(port->type, "localnet") || !port->has_lb) {
        lflow_add(table, owner, dp, LS_IN_PRE_LB, 110, ds_cstr(&in),
                  "next;", &port->uuid, NULL);
        lflow_add(table, owner, dp, LS_OUT_PRE_LB, 110, ds_cstr(&out),
                  port->stateful ? "next;" : "ct_clear; next;",
                  &port->uuid, NULL);
    }
    if (port->stateful) {
        lflow_add(table, owner, dp, LS_IN_PRE_ACL, 110, ds_cstr(&in),
                  "next;", &port->uuid, NULL);
        lflow_add(table, owner, dp, LS_OUT_PRE_ACL, 110, ds_cstr(&out),
                  "next;", &port->uuid, NULL);
    }
    ds_uninit(&in);
    ds_uninit(&out);
}

/* The flows of a switch port of type "router" whose peer is 'lrp'
 * (ovn-northd(8)): no load balancing or conntrack towards the router, ARP
 * and ND answered for the router's addresses, and L2 lookup of its MAC. */
static void
build_router_port_flows(struct lflow_table *table, struct lflow_owner *owner,
                        const struct uuid *dp,
                        const struct lswitch_port *port,
                        const struct lrouter_port *lrp)
{
    struct ds match = DS_EMPTY_INITIALIZER;
    struct ds actions = DS_EMPTY_INITIALIZER;
    const struct uuid *hint = &port->uuid;

    if (!lrp) {
        goto out;               /* ovn-northd(8): no peer, no flows. */
    }
    build_no_conntrack_flows(table, owner, dp, port);

    bool has_router_addr = false;
    for (size_t i = 0; i < port->n_addresses; i++) {
        has_router_addr |= !strcmp(port->addresses[i], "router");
    }
    if (!has_router_addr) {
        goto out;
    }

    /* The router's addresses, as a VIF's. */
    struct lswitch_addresses a;
    memset(&a, 0, sizeof a);
    a.ea = lrp->ea;
    memcpy(a.ea_s, lrp->ea_s, sizeof a.ea_s);
    for (size_t i = 0; i < lrp->n_networks; i++) {
        const struct ip_prefix *p = &lrp->networks[i];
        if (p->family == AF_INET) {
            a.ip4s = xrealloc(a.ip4s, (a.n_ip4s + 1) * sizeof *a.ip4s);
            a.ip4s[a.n_ip4s++] = p->ip4;
        } else {
            a.ip6s = xrealloc(a.ip6s, (a.n_ip6s + 1) * sizeof *a.ip6s);
            a.ip6s[a.n_ip6s++] = p->ip6;
        }
    }
    build_arp_nd_flows(table, owner, dp, port, &a, &match, &actions, true);

    /* ARP and ND for the router go to it and to the VIFs, if any. */
    ds_clear(&actions);
    if (port->switch_has_vifs) {
        ds_put_format(&actions, "clone {outport = \"%s\"; output; }; "
                      "outport = \"_MC_flood_l2\"; output;", port->name);
    } else {
        ds_put_format(&actions, "outport = \"%s\"; output;", port->name);
    }
    for (size_t i = 0; i < lrp->n_networks; i++) {
        const struct ip_prefix *p = &lrp->networks[i];
        struct ip_prefix host = *p;
        host.plen = p->family == AF_INET ? 32 : 128;
        ds_clear(&match);
        ds_put_cstr(&match, p->family == AF_INET
                    ? "flags[1] == 0 && arp.op == 1 && arp.tpa == "
                    : "flags[1] == 0 && nd_ns && nd.target == ");
        ip_prefix_format_addr(&host, &match);
        lflow_add(table, owner, dp, LS_IN_L2_LKUP, 80, ds_cstr(&match),
                  ds_cstr(&actions), hint, NULL);
    }
    for (size_t i = 0; i < port->n_nat_arp_ips; i++) {
        const char *ip = port->nat_arp_ips[i];
        ds_clear(&match);
        ds_put_format(&match, strchr(ip, ':')
                      ? "flags[1] == 0 && nd_ns && nd.target == %s"
                      : "flags[1] == 0 && arp.op == 1 && arp.tpa == %s", ip);
        lflow_add(table, owner, dp, LS_IN_L2_LKUP, 80, ds_cstr(&match),
                  ds_cstr(&actions), hint, NULL);
    }

    ds_clear(&match);
    ds_put_format(&match, "eth.dst == %s", lrp->ea_s);
    ds_clear(&actions);
    ds_put_format(&actions, "outport = \"%s\"; output;", port->name);
    lflow_add(table, owner, dp, LS_IN_L2_LKUP, 50, ds_cstr(&match),
              ds_cstr(&actions), hint, NULL);
    lswitch_addresses_destroy(&a);
out:
    ds_uninit(&match);
    ds_uninit(&actions);
}

/* Adds to 'table', owned by 'owner', the flows of switch port 'port' on
 * the switch datapath 'dp'.  VIF ports (type ""), "localport" ports (as
 * VIFs), "router" and "localnet" ports have flows for now. */
void
lswitch_build_port_flows(struct lflow_table *table,
                         struct lflow_owner *owner, const struct uuid *dp,
                         const struct lswitch_port *port)
{
    if (!strcmp(port->type, "router")) {
        build_router_port_flows(table, owner, dp, port, port->router_peer);
        return;
    }
    if (!strcmp(port->type, "localnet")) {
        /* ovn-northd(8): the physical network answers its own ARP and ND;
         * its "unknown" makes it a member of "_MC_unknown". */
        struct ds match = DS_EMPTY_INITIALIZER;
        build_no_conntrack_flows(table, owner, dp, port);
        ds_put_format(&match, "inport == \"%s\"", port->name);
        lflow_add(table, owner, dp, LS_IN_ARP_ND_RSP, 100, ds_cstr(&match),
                  "next;", &port->uuid, NULL);
        ds_uninit(&match);
        return;
    }
    if (port->type[0] && strcmp(port->type, "localport")) {
        return;
    }

    struct ds match = DS_EMPTY_INITIALIZER;
    struct ds actions = DS_EMPTY_INITIALIZER;
    const struct uuid *hint = &port->uuid;
    bool unknown = lswitch_port_has_unknown(port);

    if (!port->enabled) {
        /* ovn-northd(8): a disabled port's packets are dropped on the way
         * in and on the way out. */
        ds_put_format(&match, "inport == \"%s\"", port->name);
        lflow_add(table, owner, dp, LS_IN_CHECK_PORT_SEC, 100,
                  ds_cstr(&match), "reg0[15] = 1; next;", hint, NULL);
        ds_clear(&match);
        ds_put_format(&match, "outport == \"%s\"", port->name);
        lflow_add(table, owner, dp, LS_IN_L2_UNKNOWN, 50, ds_cstr(&match),
                  "drop;", hint, NULL);
    } else if (unknown && !port->has_port_security) {
        /* ovn-northd(8) "Ingress Table 2" and "3": learn the MACs behind a
         * port with unknown addresses and no port security. */
        ds_put_format(&match, "inport == \"%s\"", port->name);
        lflow_add(table, owner, dp, LS_IN_LOOKUP_FDB, 100, ds_cstr(&match),
                  "reg0[11] = lookup_fdb(inport, eth.src); next;", hint,
                  NULL);
        ds_put_cstr(&match, " && reg0[11] == 0");
        lflow_add(table, owner, dp, LS_IN_PUT_FDB, 100, ds_cstr(&match),
                  "put_fdb(inport, eth.src); next;", hint, NULL);
    }

    for (size_t i = 0; i < port->n_addresses; i++) {
        struct lswitch_addresses a;
        if (!lswitch_addresses_parse(port->addresses[i], &a)) {
            continue;
        }
        if (!unknown) {
            /* ovn-northd(8): no responder for a port with unknown
             * addresses, which may own more than it says. */
            build_arp_nd_flows(table, owner, dp, port, &a, &match, &actions,
                               false);
        }

        ds_clear(&match);
        ds_put_format(&match, "eth.dst == %s", a.ea_s);
        ds_clear(&actions);
        if (port->enabled) {
            ds_put_format(&actions, "outport = \"%s\"; output;", port->name);
        } else {
            ds_put_cstr(&actions, "drop;");
        }
        lflow_add(table, owner, dp, LS_IN_L2_LKUP, 50, ds_cstr(&match),
                  ds_cstr(&actions), hint, NULL);
        lswitch_addresses_destroy(&a);
    }
    ds_uninit(&match);
    ds_uninit(&actions);
}
