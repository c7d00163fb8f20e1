/* The logical router pipeline: see lrouter.h.  The stages, priorities,
 * matches and actions are those ovn-northd(8) documents for a router, in
 * the spelling OVN 23.03 writes, so that Kiln's southbound database and
 * OVN's compare equal for the same northbound one. */
#include "northd/lrouter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "northd/lflow.h"
#include "northd/lswitch.h"

/* True if 'p' is the IPv6 link-local address lrouter_port_init() adds. */
bool
lrouter_port_is_lla(const struct ip_prefix *p)
{
    return (p->family == AF_INET6 && p->ip6.s6_addr[0] == 0xfe
            && (p->ip6.s6_addr[1] & 0xc0) == 0x80);
}

/* Parses a Logical_Router_Port into 'port': its "mac" and "networks"
 * ("ADDR/PLEN" each).  Returns false, with 'port' empty, if 'mac' or a
 * network does not parse.  The caller frees 'port' with
 * lrouter_port_destroy(). */
bool
lrouter_port_init(struct lrouter_port *port, const char *name,
                  const struct uuid *uuid, const char *mac,
                  const char *const *networks, size_t n_networks)
{
    memset(port, 0, sizeof *port);
    if (!mac || !eth_addr_from_string(mac, &port->ea)) {
        return false;
    }
    port->name = xstrdup(name);
    port->uuid = *uuid;
    snprintf(port->ea_s, sizeof port->ea_s, ETH_ADDR_FMT,
             ETH_ADDR_ARGS(port->ea));
    port->networks = xcalloc(n_networks + 1, sizeof *port->networks);
    for (size_t i = 0; i < n_networks; i++) {
        struct ip_prefix *p = &port->networks[port->n_networks];
        if (!ip_prefix_from_string(networks[i], p)) {
            lrouter_port_destroy(port);
            return false;
        }
        if (!lrouter_port_is_lla(p)) {
            port->n_networks++;
        }
    }
    /* RFC 4291 appendix A: the modified EUI-64 interface identifier. */
    struct ip_prefix *lla = &port->networks[port->n_networks++];
    lla->family = AF_INET6;
    lla->plen = 64;
    memset(&lla->ip6, 0, sizeof lla->ip6);
    lla->ip6.s6_addr[0] = 0xfe;
    lla->ip6.s6_addr[1] = 0x80;
    const uint8_t *e = port->ea.ea;
    uint8_t *a = &lla->ip6.s6_addr[8];
    a[0] = e[0] ^ 0x02;
    a[1] = e[1];
    a[2] = e[2];
    a[3] = 0xff;
    a[4] = 0xfe;
    a[5] = e[3];
    a[6] = e[4];
    a[7] = e[5];
    return true;
}

/* Frees what 'port' owns and leaves it empty. */
void
lrouter_port_destroy(struct lrouter_port *port)
{
    free(port->name);
    free(port->networks);
    free(port->peer);
    memset(port, 0, sizeof *port);
}

/* Returns true if 'a' and 'b' describe the same port: same row, name,
 * MAC, networks and gateway role, so that the flows built from one are
 * those of the other. */
bool
lrouter_port_equals(const struct lrouter_port *a,
                    const struct lrouter_port *b)
{
    if (!uuid_equals(&a->uuid, &b->uuid) || strcmp(a->name, b->name)
        || memcmp(&a->ea, &b->ea, sizeof a->ea) || a->is_dgp != b->is_dgp
        || !a->peer != !b->peer || (a->peer && strcmp(a->peer, b->peer))
        || a->n_networks != b->n_networks) {
        return false;
    }
    for (size_t i = 0; i < a->n_networks; i++) {
        if (!ip_prefix_equals(&a->networks[i], &b->networks[i])) {
            return false;
        }
    }
    return true;
}

/* Parses a Logical_Router_Static_Route into 'route'.  Returns false if a
 * field does not parse or the families differ.  'output_port' (may be
 * NULL) is referenced, not copied. */
bool
lrouter_route_init(struct lrouter_route *route, const char *ip_prefix,
                   const char *nexthop, const char *output_port)
{
    memset(route, 0, sizeof *route);
    if (!ip_prefix || !nexthop
        || !ip_prefix_from_string(ip_prefix, &route->prefix)
        || !ip_from_string(nexthop, &route->nexthop)
        || route->prefix.family != route->nexthop.family) {
        return false;
    }
    ip_prefix_mask(&route->prefix);
    route->output_port = output_port && output_port[0] ? output_port : NULL;
    return true;
}

static bool
prefix_contains(const struct ip_prefix *net, const struct ip_prefix *addr)
{
    if (net->family != addr->family) {
        return false;
    }
    struct ip_prefix a = *addr, n = *net;
    a.plen = n.plen;
    ip_prefix_mask(&a);
    ip_prefix_mask(&n);
    return ip_prefix_equals(&a, &n);
}

static void
put_addr(struct ds *s, const struct ip_prefix *p)
{
    ip_prefix_format_addr(p, s);
}

static void
put_net(struct ds *s, const struct ip_prefix *p)
{
    struct ip_prefix n = *p;
    ip_prefix_mask(&n);
    ip_prefix_format(&n, s);
}

/* Appends the IPv4 broadcast address of network 'p'. */
static void
put_bcast(struct ds *s, const struct ip_prefix *p)
{
    struct ip_prefix b = *p;
    b.ip4 |= ~ip4_netmask(p->plen);
    b.plen = 32;
    ip_prefix_format_addr(&b, s);
}

/* Appends the solicited-node multicast address of 'p' (RFC 4291
 * §2.7.1). */
static void
put_solicited_node(struct ds *s, const struct ip_prefix *p)
{
    struct ip_prefix sn = { .family = AF_INET6, .plen = 128 };
    static const uint8_t sn_prefix[13] = {
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
    memcpy(sn.ip6.s6_addr, sn_prefix, sizeof sn_prefix);
    memcpy(&sn.ip6.s6_addr[13], &p->ip6.s6_addr[13], 3);
    ip_prefix_format_addr(&sn, s);
}

struct static_flow {
    enum lflow_stage stage;     /* Where. */
    uint16_t priority;          /* Priority. */
    const char *match;          /* Match. */
    const char *actions;        /* Actions. */
};

#define LOOKUP_ARP "reg9[2] = lookup_arp(inport, arp.spa, arp.sha); next;"

static const struct static_flow router_flows[] = {
    /* ovn-northd(8) "Ingress Table 0: L2 Admission Control". */
    { LR_IN_ADMISSION, 100, "vlan.present || eth.src[40]", "drop;" },
    { LR_IN_ADMISSION, 0, "1", "drop;" },
    /* "Ingress Table 1: Neighbor lookup" and "Table 2: Learn neighbor". */
    { LR_IN_LOOKUP_NEIGHBOR, 100, "arp.op == 2", LOOKUP_ARP },
    { LR_IN_LOOKUP_NEIGHBOR, 100, "nd_na",
      "reg9[2] = lookup_nd(inport, nd.target, nd.tll); next;" },
    { LR_IN_LOOKUP_NEIGHBOR, 100, "nd_ns",
      "reg9[2] = lookup_nd(inport, ip6.src, nd.sll); next;" },
    { LR_IN_LOOKUP_NEIGHBOR, 0, "1", "reg9[2] = 1; next;" },
    { LR_IN_LEARN_NEIGHBOR, 100, "reg9[2] == 1", "next;" },
    { LR_IN_LEARN_NEIGHBOR, 95, "nd_na && nd.tll == 0",
      "put_nd(inport, nd.target, eth.src); next;" },
    { LR_IN_LEARN_NEIGHBOR, 95, "nd_ns && (ip6.src == 0 || nd.sll == 0)",
      "next;" },
    { LR_IN_LEARN_NEIGHBOR, 90, "arp",
      "put_arp(inport, arp.spa, arp.sha); next;" },
    { LR_IN_LEARN_NEIGHBOR, 90, "nd_na",
      "put_nd(inport, nd.target, nd.tll); next;" },
    { LR_IN_LEARN_NEIGHBOR, 90, "nd_ns",
      "put_nd(inport, ip6.src, nd.sll); next;" },
    { LR_IN_LEARN_NEIGHBOR, 0, "1", "drop;" },
    /* "Ingress Table 3: IP Input": martians, broadcasts, multicast, ARP
     * and ND not for the router, TTL expiry. */
    { LR_IN_IP_INPUT, 100,
      "ip4.src_mcast ||ip4.src == 255.255.255.255 || "
      "ip4.src == 127.0.0.0/8 || ip4.dst == 127.0.0.0/8 || "
      "ip4.src == 0.0.0.0/8 || ip4.dst == 0.0.0.0/8", "drop;" },
    { LR_IN_IP_INPUT, 85, "arp || nd", "drop;" },
    { LR_IN_IP_INPUT, 84, "nd_rs || nd_ra", "next;" },
    { LR_IN_IP_INPUT, 83, "ip6.mcast_rsvd", "drop;" },
    { LR_IN_IP_INPUT, 82, "ip4.mcast || ip6.mcast", "drop;" },
    { LR_IN_IP_INPUT, 50, "eth.bcast", "drop;" },
    { LR_IN_IP_INPUT, 32,
      "ip.ttl == {0, 1} && !ip.later_frag && (ip4.mcast || ip6.mcast)",
      "drop;" },
    { LR_IN_IP_INPUT, 30, "ip.ttl == {0, 1}", "drop;" },
    { LR_IN_IP_INPUT, 0, "1", "next;" },
    { LR_IN_UNSNAT, 0, "1", "next;" },
    { LR_IN_DEFRAG, 0, "1", "next;" },
    { LR_IN_LB_AFF_CHECK, 0, "1", "next;" },
    { LR_IN_DNAT, 0, "1", "next;" },
    { LR_IN_LB_AFF_LEARN, 0, "1", "next;" },
    { LR_IN_ECMP_STATEFUL, 0, "1", "next;" },
    { LR_IN_ND_RA_OPTIONS, 0, "1", "next;" },
    { LR_IN_ND_RA_RESPONSE, 0, "1", "next;" },
    /* "Ingress Table 12-14: IP Routing". */
    { LR_IN_IP_ROUTING_PRE, 0, "1", "reg7 = 0; next;" },
    { LR_IN_IP_ROUTING, 10550, "nd_rs || nd_ra", "drop;" },
    { LR_IN_IP_ROUTING, 0, "1", "drop;" },
    { LR_IN_IP_ROUTING_ECMP, 150, "reg8[0..15] == 0", "next;" },
    { LR_IN_IP_ROUTING_ECMP, 0, "1", "drop;" },
    { LR_IN_POLICY, 0, "1", "reg8[0..15] = 0; next;" },
    { LR_IN_POLICY_ECMP, 150, "reg8[0..15] == 0", "next;" },
    { LR_IN_POLICY_ECMP, 0, "1", "drop;" },
    /* "Ingress Table 17: ARP/ND Resolution". */
    { LR_IN_ARP_RESOLVE, 500, "ip4.mcast || ip6.mcast", "next;" },
    { LR_IN_ARP_RESOLVE, 1, "ip4", "get_arp(outport, reg0); next;" },
    { LR_IN_ARP_RESOLVE, 1, "ip6", "get_nd(outport, xxreg0); next;" },
    { LR_IN_ARP_RESOLVE, 0, "1", "drop;" },
    { LR_IN_CHK_PKT_LEN, 0, "1", "next;" },
    { LR_IN_LARGER_PKTS, 0, "1", "next;" },
    { LR_IN_GW_REDIRECT, 0, "1", "next;" },
    /* "Ingress Table 21: ARP Request": the next hop's MAC is unknown. */
    { LR_IN_ARP_REQUEST, 100, "eth.dst == 00:00:00:00:00:00 && ip4",
      "arp { eth.dst = ff:ff:ff:ff:ff:ff; arp.spa = reg1; arp.tpa = reg0; "
      "arp.op = 1; output; };" },
    { LR_IN_ARP_REQUEST, 100, "eth.dst == 00:00:00:00:00:00 && ip6",
      "nd_ns { nd.target = xxreg0; output; };" },
    { LR_IN_ARP_REQUEST, 0, "1", "output;" },

    { LR_OUT_CHK_DNAT_LOCAL, 0, "1", "reg9[4] = 0; next;" },
    { LR_OUT_UNDNAT, 0, "1", "next;" },
    { LR_OUT_POST_UNDNAT, 0, "1", "next;" },
    { LR_OUT_SNAT, 120, "nd_ns", "next;" },
    { LR_OUT_SNAT, 0, "1", "next;" },
    { LR_OUT_POST_SNAT, 0, "1", "next;" },
    { LR_OUT_EGR_LOOP, 0, "1", "next;" },
};

/* Adds one flow of 'port' (hint = its row). */
static void
add(struct lflow_table *t, struct lflow_owner *o, const struct uuid *dp,
    enum lflow_stage stage, unsigned int priority, struct ds *match,
    struct ds *actions, const struct lrouter_port *port)
{
    lflow_add(t, o, dp, stage, priority, ds_cstr(match),
              ds_cstr(actions), port ? &port->uuid : NULL, NULL);
}

/* Appends to 's' the addresses of 'port' of 'family' as "A" if there is
 * one and "{A, B}" if there are more ('braces' forces them).  Returns the
 * number of addresses. */
static size_t
put_addr_set(struct ds *s, const struct lrouter_port *port, int family,
             bool braces)
{
    size_t n = 0;
    for (size_t i = 0; i < port->n_networks; i++) {
        n += port->networks[i].family == family;
    }
    braces |= n > 1;
    if (braces) {
        ds_put_char(s, '{');
    }
    size_t k = 0;
    for (size_t i = 0; i < port->n_networks; i++) {
        if (port->networks[i].family == family) {
            if (k++) {
                ds_put_cstr(s, ", ");
            }
            put_addr(s, &port->networks[i]);
        }
    }
    if (braces) {
        ds_put_char(s, '}');
    }
    return n;
}

/* Appends to 'm', if 'port' is a distributed gateway port, the condition
 * that its chassisredirect port is bound here. */
static void
put_resident(struct ds *m, const struct lrouter_port *port)
{
    if (port->is_dgp) {
        ds_put_format(m, " && is_chassis_resident(\"cr-%s\")", port->name);
    }
}

/* ovn-northd(8) "IP Input" for one address 'a' of 'port': replies to
 * TCP, UDP and SCTP for the router itself, and the other protocols'
 * "unreachable". */
static void
build_ip_input_addr(struct lflow_table *t, struct lflow_owner *o,
                    const struct uuid *dp, const struct lrouter_port *port,
                    const struct ip_prefix *a, bool gateway, struct ds *m,
                    struct ds *acts)
{
    bool v4 = a->family == AF_INET;
    const char *ip = v4 ? "ip4" : "ip6";
    const char *icmp = v4 ? "icmp4" : "icmp6";
    struct ds addr = DS_EMPTY_INITIALIZER;
    put_addr(&addr, a);

    /* A gateway router leaves the unreachables out: its addresses may
     * be NAT or load balancer addresses too. */
    static const char *const protos[] = { "sctp", "tcp", "udp" };
    for (size_t i = 0; !gateway && i < ARRAY_SIZE(protos); i++) {
        ds_clear(m);
        ds_put_format(m, "%s && %s.dst == %s && !ip.later_frag && %s", ip,
                      ip, ds_cstr(&addr), protos[i]);
        ds_clear(acts);
        if (i == 0) {
            ds_put_format(acts, "sctp_abort {eth.dst <-> eth.src; "
                          "%s.dst <-> %s.src; next; };", ip, ip);
        } else if (i == 1) {
            ds_put_format(acts, "tcp_reset {eth.dst <-> eth.src; "
                          "%s.dst <-> %s.src; next; };", ip, ip);
        } else {
            ds_put_format(acts, "%s {eth.dst <-> eth.src; %s.dst <-> %s.src; "
                          "ip.ttl = 255; %s.type = %d; %s.code = %d; "
                          "next; };", icmp, ip, ip, icmp, v4 ? 3 : 1, icmp,
                          v4 ? 3 : 4);
        }
        add(t, o, dp, LR_IN_IP_INPUT, 80, m, acts, port);
    }
    if (!gateway) {
        ds_clear(m);
        ds_put_format(m, "%s && %s.dst == %s && !ip.later_frag", ip, ip,
                      ds_cstr(&addr));
        ds_clear(acts);
        ds_put_format(acts, "%s {eth.dst <-> eth.src; %s.dst <-> %s.src; "
                      "ip.ttl = 255; %s.type = %d; %s.code = %d; next; };",
                      icmp, ip, ip, icmp, v4 ? 3 : 1, icmp, v4 ? 2 : 3);
        add(t, o, dp, LR_IN_IP_INPUT, 70, m, acts, port);
    }

    if (!v4) {
        ds_clear(m);
        ds_put_format(m, "ip6.dst == %s && udp.src == 547 && udp.dst == 546",
                      ds_cstr(&addr));
        ds_clear(acts);
        ds_put_cstr(acts, "reg0 = 0; handle_dhcpv6_reply;");
        add(t, o, dp, LR_IN_IP_INPUT, 100, m, acts, port);

        ds_clear(m);
        ds_put_format(m, "inport == \"%s\" && ip6.dst == {%s, ", port->name,
                      ds_cstr(&addr));
        put_solicited_node(m, a);
        ds_put_format(m, "} && nd_ns && nd.target == %s", ds_cstr(&addr));
        put_resident(m, port);
        ds_clear(acts);
        ds_put_cstr(acts, "nd_na_router { eth.src = xreg0[0..47]; "
                    "ip6.src = nd.target; nd.tll = xreg0[0..47]; "
                    "outport = inport; flags.loopback = 1; output; };");
        add(t, o, dp, LR_IN_IP_INPUT, 90, m, acts, port);
    }
    ds_uninit(&addr);
}

/* The flows of one router port. */
static void
build_port_flows(struct lflow_table *t, struct lflow_owner *o,
                 const struct uuid *dp, const struct lrouter_port *port,
                 bool gateway, struct ds *m, struct ds *acts)
{
    const char *name = port->name;

    /* Admission: the port's own MAC and multicast, remembering the MAC in
     * xreg0[0..47] for the replies. */
    ds_clear(acts);
    ds_put_format(acts, "xreg0[0..47] = %s; next;", port->ea_s);
    ds_clear(m);
    ds_put_format(m, "eth.mcast && inport == \"%s\"", name);
    add(t, o, dp, LR_IN_ADMISSION, 50, m, acts, port);
    ds_clear(m);
    ds_put_format(m, "eth.dst == %s && inport == \"%s\"", port->ea_s, name);
    put_resident(m, port);
    add(t, o, dp, LR_IN_ADMISSION, 50, m, acts, port);

    size_t n4 = 0, n6 = 0;
    for (size_t i = 0; i < port->n_networks; i++) {
        const struct ip_prefix *p = &port->networks[i];
        if (p->family == AF_INET) {
            n4++;
            ds_clear(m);
            ds_put_format(m, "inport == \"%s\" && arp.spa == ", name);
            put_net(m, p);
            ds_put_cstr(m, " && arp.op == 1");
            put_resident(m, port);
            ds_clear(acts);
            ds_put_cstr(acts, LOOKUP_ARP);
            add(t, o, dp, LR_IN_LOOKUP_NEIGHBOR, 100, m, acts, port);

            /* ARP replies for the router's own address. */
            ds_clear(m);
            ds_put_format(m, "inport == \"%s\" && arp.op == 1 && arp.tpa == ",
                          name);
            put_addr(m, p);
            ds_put_cstr(m, " && arp.spa == ");
            put_net(m, p);
            ds_clear(acts);
            ds_put_cstr(acts, "eth.dst = eth.src; eth.src = xreg0[0..47]; "
                        "arp.op = 2; /* ARP reply */ arp.tha = arp.sha; "
                        "arp.sha = xreg0[0..47]; arp.tpa <-> arp.spa; "
                        "outport = inport; flags.loopback = 1; output;");
            add(t, o, dp, LR_IN_IP_INPUT, 90, m, acts, port);
        } else {
            n6++;
        }
        build_ip_input_addr(t, o, dp, port, p, gateway, m, acts);

        /* Directly connected networks: the next hop is the destination. */
        bool v4 = p->family == AF_INET;
        ds_clear(m);
        unsigned int prio = p->plen * 3 + 2;
        if (lrouter_port_is_lla(p)) {
            ds_put_format(m, "inport == \"%s\" && ", name);
        }
        ds_put_format(m, "%s.dst == ", v4 ? "ip4" : "ip6");
        put_net(m, p);
        ds_clear(acts);
        ds_put_format(acts, "ip.ttl--; reg8[0..15] = 0; %s = %s.dst; %s = ",
                      v4 ? "reg0" : "xxreg0", v4 ? "ip4" : "ip6",
                      v4 ? "reg1" : "xxreg1");
        put_addr(acts, p);
        ds_put_format(acts, "; eth.src = %s; outport = \"%s\"; "
                      "flags.loopback = 1; next;", port->ea_s, name);
        add(t, o, dp, LR_IN_IP_ROUTING, prio, m, acts, port);

        if (!v4 && !lrouter_port_is_lla(p)) {
            ds_clear(m);
            ds_put_format(m, "inport == \"%s\" && ip6 && ip6.src == ", name);
            put_net(m, p);
            ds_put_cstr(m, " && ip.ttl == {0, 1} && !ip.later_frag");
            ds_clear(acts);
            ds_put_cstr(acts, "icmp6 {eth.dst <-> eth.src; "
                        "ip6.dst = ip6.src; ip6.src = ");
            put_addr(acts, p);
            ds_put_format(acts, " ; ip.ttl = 254; icmp6.type = 3; "
                          "/* Time exceeded */ icmp6.code = 0; "
                          "/* TTL exceeded in transit */ outport = \"%s\"; "
                          "flags.loopback = 1; output; };", name);
            add(t, o, dp, LR_IN_IP_INPUT, 31, m, acts, port);
        }
    }

    if (n4) {
        /* Packets from the router's own or broadcast addresses. */
        ds_clear(m);
        ds_put_cstr(m, "ip4.src == {");
        size_t k = 0;
        for (size_t i = 0; i < port->n_networks; i++) {
            const struct ip_prefix *p = &port->networks[i];
            if (p->family == AF_INET) {
                ds_put_cstr(m, k++ ? ", " : "");
                put_addr(m, p);
                ds_put_cstr(m, ", ");
                put_bcast(m, p);
            }
        }
        ds_put_cstr(m, "} && reg9[0] == 0");
        ds_clear(acts);
        ds_put_cstr(acts, "drop;");
        add(t, o, dp, LR_IN_IP_INPUT, 100, m, acts, port);

        ds_clear(m);
        ds_put_cstr(m, "ip4.dst == ");
        put_addr_set(m, port, AF_INET, false);
        ds_put_cstr(m, " && icmp4.type == 8 && icmp4.code == 0");
        ds_clear(acts);
        ds_put_cstr(acts, "ip4.dst <-> ip4.src; ip.ttl = 255; "
                    "icmp4.type = 0; flags.loopback = 1; next; ");
        add(t, o, dp, LR_IN_IP_INPUT, 90, m, acts, port);

        ds_clear(m);
        ds_put_cstr(m, "ip4.dst == ");
        put_addr_set(m, port, AF_INET, true);
        ds_clear(acts);
        ds_put_cstr(acts, "drop;");
        add(t, o, dp, LR_IN_IP_INPUT, 60, m, acts, port);

        /* TTL exceeded: one flow per IPv4 network, each answering from
         * its address, as ovn-northd writes them (same match). */
        for (size_t i = 0; i < port->n_networks; i++) {
            const struct ip_prefix *p = &port->networks[i];
            if (p->family != AF_INET) {
                continue;
            }
            ds_clear(m);
            ds_put_format(m, "inport == \"%s\" && ip4 && "
                          "ip.ttl == {0, 1} && !ip.later_frag", name);
            ds_clear(acts);
            ds_put_cstr(acts, "icmp4 {eth.dst <-> eth.src; icmp4.type = 11; "
                        "/* Time exceeded */ icmp4.code = 0; "
                        "/* TTL exceeded in transit */ ");
            if (port->is_dgp) {
                ds_put_cstr(acts, "ip4.dst <-> ip4.src");
            } else {
                ds_put_cstr(acts, "ip4.dst = ip4.src; ip4.src = ");
                put_addr(acts, p);
            }
            ds_put_format(acts, " ; ip.ttl = 254; outport = \"%s\"; "
                          "flags.loopback = 1; output; };", name);
            add(t, o, dp, LR_IN_IP_INPUT, 31, m, acts, port);
        }
    }
    if (n6) {
        ds_clear(m);
        ds_put_cstr(m, "ip6.dst == ");
        put_addr_set(m, port, AF_INET6, false);
        ds_put_cstr(m, " && icmp6.type == 128 && icmp6.code == 0");
        ds_clear(acts);
        ds_put_cstr(acts, "ip6.dst <-> ip6.src; ip.ttl = 255; "
                    "icmp6.type = 129; flags.loopback = 1; next; ");
        add(t, o, dp, LR_IN_IP_INPUT, 90, m, acts, port);

        ds_clear(m);
        ds_put_cstr(m, "ip6.dst == ");
        put_addr_set(m, port, AF_INET6, true);
        ds_clear(acts);
        ds_put_cstr(acts, "drop;");
        add(t, o, dp, LR_IN_IP_INPUT, 60, m, acts, port);
    }

    ds_clear(m);
    ds_put_format(m, "outport == \"%s\"", name);
    ds_clear(acts);
    ds_put_cstr(acts, "output;");
    add(t, o, dp, LR_OUT_DELIVERY, 100, m, acts, port);
    /* ovn-northd writes the stage's default drop with the ports' delivery
     * flows: a router without ports has none. */
    lflow_add(t, o, dp, LR_OUT_DELIVERY, 0, "1", "drop;", NULL, NULL);
}

/* Finds the port and network through which 'route''s next hop is
 * reached. */
static bool
route_find_port(const struct lrouter_port *const *ports, size_t n_ports,
                const struct lrouter_route *route,
                const struct lrouter_port **portp,
                const struct ip_prefix **netp)
{
    for (size_t i = 0; i < n_ports; i++) {
        const struct lrouter_port *port = ports[i];
        if (route->output_port && strcmp(route->output_port, port->name)) {
            continue;
        }
        const struct ip_prefix *first = NULL;
        for (size_t j = 0; j < port->n_networks; j++) {
            const struct ip_prefix *p = &port->networks[j];
            if (p->family != route->nexthop.family) {
                continue;
            }
            if (!first) {
                first = p;
            }
            if (prefix_contains(p, &route->nexthop)) {
                *portp = port;
                *netp = p;
                return true;
            }
        }
        if (route->output_port && first) {
            *portp = port;
            *netp = first;
            return true;
        }
    }
    return false;
}

/* ovn-northd(8) "ARP Request": a static route's IPv6 next hop is looked
 * up with a neighbor solicitation to its solicited-node address. */
static void
build_nd_ns_flow(struct lflow_table *t, struct lflow_owner *o,
                 const struct uuid *dp, const struct ip_prefix *nexthop,
                 struct ds *m, struct ds *acts)
{
    if (nexthop->family != AF_INET6) {
        return;
    }
    const uint8_t *a = nexthop->ip6.s6_addr;
    ds_clear(m);
    ds_put_cstr(m, "eth.dst == 00:00:00:00:00:00 && ip6 && xxreg0 == ");
    put_addr(m, nexthop);
    ds_clear(acts);
    ds_put_format(acts, "nd_ns { eth.dst = 33:33:ff:%02x:%02x:%02x; "
                  "ip6.dst = ", a[13], a[14], a[15]);
    put_solicited_node(acts, nexthop);
    ds_put_cstr(acts, "; nd.target = ");
    put_addr(acts, nexthop);
    ds_put_cstr(acts, "; output; };");
    add(t, o, dp, LR_IN_ARP_REQUEST, 200, m, acts, NULL);
}

/* ovn-northd(8) "IP Routing" for a static route: priority grows with the
 * prefix length, below a connected network of the same length. */
static void
build_route_flow(struct lflow_table *t, struct lflow_owner *o,
                 const struct uuid *dp,
                 const struct lrouter_port *const *ports, size_t n_ports,
                 const struct lrouter_route *route, struct ds *m,
                 struct ds *acts)
{
    const struct lrouter_port *port;
    const struct ip_prefix *net;
    if (!route_find_port(ports, n_ports, route, &port, &net)) {
        return;
    }
    bool v4 = route->prefix.family == AF_INET;
    ds_clear(m);
    ds_put_format(m, "reg7 == 0 && %s.dst == ", v4 ? "ip4" : "ip6");
    put_net(m, &route->prefix);
    ds_clear(acts);
    ds_put_format(acts, "ip.ttl--; reg8[0..15] = 0; %s = ",
                  v4 ? "reg0" : "xxreg0");
    put_addr(acts, &route->nexthop);
    ds_put_format(acts, "; %s = ", v4 ? "reg1" : "xxreg1");
    put_addr(acts, net);
    ds_put_format(acts, "; eth.src = %s; outport = \"%s\"; "
                  "flags.loopback = 1; next;", port->ea_s, port->name);
    add(t, o, dp, LR_IN_IP_ROUTING, route->prefix.plen * 3 + 1, m, acts,
        NULL);
    build_nd_ns_flow(t, o, dp, &route->nexthop, m, acts);
}

/* Returns true if a router whose ports are 'ports' leaves out the
 * "unreachable" flows for its own addresses: a 'gateway' router
 * (options:chassis) or one with a distributed gateway port (their NAT
 * flows answer instead: nat.h). */
bool
lrouter_skips_unreachables(const struct lrouter_port *const *ports,
                           size_t n_ports, bool gateway)
{
    bool skip = gateway;
    for (size_t i = 0; i < n_ports && !skip; i++) {
        skip = ports[i]->is_dgp;
    }
    return skip;
}

/* ovn-northd(8) "IP Routing" for an ECMP group 'id' of the 'n' routes of
 * 'members' (to one prefix): the routing flow picks a member with
 * select(), lr_in_ip_routing_ecmp sends to it. */
static void
build_ecmp_flows(struct lflow_table *t, struct lflow_owner *o,
                 const struct uuid *dp,
                 const struct lrouter_port *const *ports, size_t n_ports,
                 const struct lrouter_route **members, size_t n,
                 unsigned int id, struct ds *m, struct ds *acts)
{
    const struct ip_prefix *prefix = &members[0]->prefix;
    bool v4 = prefix->family == AF_INET;
    struct ds select = DS_EMPTY_INITIALIZER;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lrouter_port *port;
        const struct ip_prefix *net;
        if (!route_find_port(ports, n_ports, members[i], &port, &net)) {
            continue;
        }
        k++;
        ds_clear(m);
        ds_put_format(m, "reg8[0..15] == %u && reg8[16..31] == %zu", id, k);
        ds_clear(acts);
        ds_put_format(acts, "%s = ", v4 ? "reg0" : "xxreg0");
        put_addr(acts, &members[i]->nexthop);
        ds_put_format(acts, "; %s = ", v4 ? "reg1" : "xxreg1");
        put_addr(acts, net);
        ds_put_format(acts, "; eth.src = %s; outport = \"%s\"; next;",
                      port->ea_s, port->name);
        add(t, o, dp, LR_IN_IP_ROUTING_ECMP, 100, m, acts, NULL);
        build_nd_ns_flow(t, o, dp, &members[i]->nexthop, m, acts);
        ds_put_format(&select, "%s%zu", k > 1 ? ", " : "", k);
    }
    if (k) {
        ds_clear(m);
        ds_put_format(m, "reg7 == 0 && %s.dst == ", v4 ? "ip4" : "ip6");
        put_net(m, prefix);
        ds_clear(acts);
        ds_put_format(acts, "ip.ttl--; flags.loopback = 1; "
                      "reg8[0..15] = %u; reg8[16..31] = select(%s);", id,
                      ds_cstr(&select));
        add(t, o, dp, LR_IN_IP_ROUTING, prefix->plen * 3 + 1, m, acts, NULL);
    }
    ds_uninit(&select);
}

/* Adds to 'table', owned by 'owner', the flows of router datapath 'dp'
 * (its northbound row's UUID) that belong to no one port: the stages'
 * defaults and the flows of 'routes' (which name the ports they leave
 * by, from 'ports'). */
void
lrouter_build_datapath_flows(struct lflow_table *table,
                             struct lflow_owner *owner,
                             const struct uuid *dp,
                             const struct lrouter_port *const *ports,
                             size_t n_ports,
                             const struct lrouter_route *routes,
                             size_t n_routes)
{
    for (size_t i = 0; i < ARRAY_SIZE(router_flows); i++) {
        const struct static_flow *sf = &router_flows[i];
        lflow_add(table, owner, dp, sf->stage, sf->priority, sf->match,
                  sf->actions, NULL, NULL);
    }
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds acts = DS_EMPTY_INITIALIZER;
    /* Two or more routes to one prefix make an ECMP group, numbered from 1
     * in the order of 'routes' (the order of the column, which is
     * ovn-northd's too); its members are numbered in the same order. */
    bool *done = xcalloc(n_routes + 1, sizeof *done);
    const struct lrouter_route **members = xcalloc(n_routes + 1,
                                                   sizeof *members);
    unsigned int ecmp_id = 0;
    for (size_t i = 0; i < n_routes; i++) {
        if (done[i]) {
            continue;
        }
        size_t n = 0;
        for (size_t j = i; j < n_routes; j++) {
            if (!done[j] && ip_prefix_equals(&routes[j].prefix,
                                             &routes[i].prefix)) {
                done[j] = true;
                members[n++] = &routes[j];
            }
        }
        if (n == 1) {
            build_route_flow(table, owner, dp, ports, n_ports, &routes[i],
                             &m, &acts);
        } else {
            build_ecmp_flows(table, owner, dp, ports, n_ports, members, n,
                             ++ecmp_id, &m, &acts);
        }
    }
    free(done);
    free(members);
    ds_uninit(&m);
    ds_uninit(&acts);
}

/* Parses a Logical_Router_Policy "action" into '*action'. */
bool
lrouter_policy_action_from_string(const char *s,
                                  enum lrouter_policy_action *action)
{
    if (!s) {
        return false;
    } else if (!strcmp(s, "allow")) {
        *action = LRP_ALLOW;
    } else if (!strcmp(s, "drop")) {
        *action = LRP_DROP;
    } else if (!strcmp(s, "reroute")) {
        *action = LRP_REROUTE;
    } else {
        return false;
    }
    return true;
}

/* Appends to 'acts' what sends a packet to next hop 'nexthop' (a string
 * address) by the port of 'ports' whose network has it, as ovn-northd's
 * reroute policies do ("reg0 = <hop>; reg1 = <port address>; eth.src =
 * ...; outport = ...; flags.loopback = 1;").  Returns false if no port's
 * network has it. */
static bool
put_reroute(struct ds *acts, const struct lrouter_port *const *ports,
            size_t n_ports, const char *nexthop)
{
    struct ip_prefix hop;
    if (!ip_from_string(nexthop, &hop)) {
        return false;
    }
    struct lrouter_route route = { .nexthop = hop };
    const struct lrouter_port *port;
    const struct ip_prefix *net;
    if (!route_find_port(ports, n_ports, &route, &port, &net)) {
        return false;
    }
    bool v4 = hop.family == AF_INET;
    ds_put_format(acts, "%s = ", v4 ? "reg0" : "xxreg0");
    put_addr(acts, &hop);
    ds_put_format(acts, "; %s = ", v4 ? "reg1" : "xxreg1");
    put_addr(acts, net);
    ds_put_format(acts, "; eth.src = %s; outport = \"%s\"; "
                  "flags.loopback = 1; ", port->ea_s, port->name);
    return true;
}

/* Adds to 'table', owned by 'owner', the flows of router datapath 'dp'
 * for its 'policies' ("lr_in_policy", and "lr_in_policy_ecmp" for a
 * reroute to several next hops, numbered in the order of 'policies' from
 * 1), reaching their next hops by 'ports'.  A reroute to a next hop no
 * port's network has goes without flows, as in ovn-northd. */
void
lrouter_build_policy_flows(struct lflow_table *table,
                           struct lflow_owner *owner, const struct uuid *dp,
                           const struct lrouter_port *const *ports,
                           size_t n_ports,
                           const struct lrouter_policy *policies,
                           size_t n_policies)
{
    struct ds acts = DS_EMPTY_INITIALIZER;
    struct ds m = DS_EMPTY_INITIALIZER;
    unsigned int ecmp_id = 0;
    for (size_t i = 0; i < n_policies; i++) {
        const struct lrouter_policy *p = &policies[i];
        ds_clear(&acts);
        if (p->pkt_mark >= 0) {
            ds_put_format(&acts, "pkt.mark = %lld; ", p->pkt_mark);
        }
        if (p->action == LRP_DROP) {
            ds_put_cstr(&acts, "drop;");
        } else if (p->action == LRP_ALLOW) {
            ds_put_cstr(&acts, "reg8[0..15] = 0; next;");
        } else if (p->n_nexthops == 1) {
            if (!put_reroute(&acts, ports, n_ports, p->nexthops[0])) {
                continue;
            }
            ds_put_cstr(&acts, "reg8[0..15] = 0; next;");
        } else if (p->n_nexthops > 1) {
            /* Each next hop must be reachable. */
            struct ds probe = DS_EMPTY_INITIALIZER;
            bool ok = true;
            for (size_t k = 0; k < p->n_nexthops && ok; k++) {
                ok = put_reroute(&probe, ports, n_ports, p->nexthops[k]);
            }
            ds_uninit(&probe);
            if (!ok) {
                continue;
            }
            unsigned int id = ++ecmp_id;
            ds_put_format(&acts, "reg8[0..15] = %u; reg8[16..31] = select(",
                          id);
            for (size_t k = 0; k < p->n_nexthops; k++) {
                struct ds ecmp = DS_EMPTY_INITIALIZER;
                put_reroute(&ecmp, ports, n_ports, p->nexthops[k]);
                ds_put_cstr(&ecmp, "next;");
                ds_clear(&m);
                ds_put_format(&m, "reg8[0..15] == %u && reg8[16..31] == %zu",
                              id, k + 1);
                lflow_add(table, owner, dp, LR_IN_POLICY_ECMP, 100,
                          ds_cstr(&m), ds_cstr(&ecmp), NULL, NULL);
                ds_uninit(&ecmp);
                ds_put_format(&acts, "%s%zu", k ? ", " : "", k + 1);
            }
            ds_put_cstr(&acts, ");");
        } else {
            continue;
        }
        lflow_add(table, owner, dp, LR_IN_POLICY, p->priority, p->match,
                  ds_cstr(&acts), NULL, NULL);
    }
    ds_uninit(&acts);
    ds_uninit(&m);
}

/* Adds to 'table', owned by 'owner', the flows of router datapath 'dp'
 * for its port 'port' ('skip_unreachables' as
 * lrouter_skips_unreachables() says for the router).  A distributed
 * gateway port's flows check that its chassisredirect port is resident,
 * and what leaves by it is redirected there.  'peer' is the router port
 * at the other end of its router-to-router link, or NULL: its addresses
 * resolve to its MAC. */
void
lrouter_build_port_flows(struct lflow_table *table, struct lflow_owner *owner,
                         const struct uuid *dp,
                         const struct lrouter_port *port,
                         bool skip_unreachables,
                         const struct lrouter_port *peer)
{
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds acts = DS_EMPTY_INITIALIZER;
    build_port_flows(table, owner, dp, port, skip_unreachables, &m, &acts);
    for (int family = AF_INET; peer && family; ) {
        /* One flow per family, its addresses in a set if several. */
        size_t n = 0;
        struct ds addrs = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < peer->n_networks; i++) {
            if (peer->networks[i].family == family) {
                ds_put_cstr(&addrs, n++ ? ", " : "");
                put_addr(&addrs, &peer->networks[i]);
            }
        }
        if (n) {
            ds_clear(&m);
            /* (ovn-northd 23.03 writes the IPv4 one without a space.) */
            ds_put_format(&m, "outport == \"%s\" && %s %s%s%s",
                          port->name,
                          family == AF_INET ? "reg0==" : "xxreg0 ==",
                          n > 1 ? "{" : "", ds_cstr(&addrs),
                          n > 1 ? "}" : "");
            ds_clear(&acts);
            ds_put_format(&acts, "eth.dst = %s; next;", peer->ea_s);
            add(table, owner, dp, LR_IN_ARP_RESOLVE, 100, &m, &acts, port);
        }
        ds_uninit(&addrs);
        family = family == AF_INET ? AF_INET6 : 0;
    }
    if (port->is_dgp) {
        /* What leaves by the port goes through its gateway chassis. */
        ds_clear(&m);
        ds_put_format(&m, "outport == \"%s\"", port->name);
        ds_clear(&acts);
        ds_put_format(&acts, "outport = \"cr-%s\"; next;", port->name);
        add(table, owner, dp, LR_IN_GW_REDIRECT, 50, &m, &acts, port);
    }
    ds_uninit(&m);
    ds_uninit(&acts);
}

/* Adds to 'table', owned by 'owner', every flow of the router datapath
 * 'dp': lrouter_build_datapath_flows() and lrouter_build_port_flows() for
 * each of 'ports'. */
void
lrouter_build_flows(struct lflow_table *table, struct lflow_owner *owner,
                    const struct uuid *dp, const struct lrouter_port *ports,
                    size_t n_ports, const struct lrouter_route *routes,
                    size_t n_routes, bool gateway)
{
    const struct lrouter_port **pp = xcalloc(n_ports + 1, sizeof *pp);
    for (size_t i = 0; i < n_ports; i++) {
        pp[i] = &ports[i];
    }
    lrouter_build_datapath_flows(table, owner, dp, pp, n_ports, routes,
                                 n_routes);
    bool skip = lrouter_skips_unreachables(pp, n_ports, gateway);
    for (size_t i = 0; i < n_ports; i++) {
        lrouter_build_port_flows(table, owner, dp, pp[i], skip, NULL);
    }
    free(pp);
}

/* Adds to 'table', owned by 'owner' (a switch port), the "lr_in_arp_resolve"
 * flows of router 'dp' that resolve the addresses of 'a' within the
 * networks of 'port', the router's port on the switch. */
void
lrouter_build_neighbor_flows(struct lflow_table *table,
                             struct lflow_owner *owner, const struct uuid *dp,
                             const struct lrouter_port *port,
                             const struct lswitch_addresses *a,
                             const struct uuid *hint)
{
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds acts = DS_EMPTY_INITIALIZER;
    ds_put_format(&acts, "eth.dst = %s; next;", a->ea_s);
    size_t n = a->n_ip4s + a->n_ip6s;
    for (size_t i = 0; i < n; i++) {
        struct ip_prefix ip;
        if (i < a->n_ip4s) {
            ip = (struct ip_prefix) { .family = AF_INET, .ip4 = a->ip4s[i],
                                      .plen = 32 };
        } else {
            ip = (struct ip_prefix) { .family = AF_INET6,
                                      .ip6 = a->ip6s[i - a->n_ip4s],
                                      .plen = 128 };
        }
        bool inside = false;
        for (size_t j = 0; j < port->n_networks && !inside; j++) {
            inside = prefix_contains(&port->networks[j], &ip);
        }
        if (!inside) {
            continue;
        }
        ds_clear(&m);
        ds_put_format(&m, "outport == \"%s\" && %s == ", port->name,
                      ip.family == AF_INET ? "reg0" : "xxreg0");
        put_addr(&m, &ip);
        lflow_add(table, owner, dp, LR_IN_ARP_RESOLVE, 100, ds_cstr(&m),
                  ds_cstr(&acts), hint, NULL);
    }
    ds_uninit(&m);
    ds_uninit(&acts);
}
