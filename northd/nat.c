/* NAT on gateway routers and distributed gateway ports: see nat.h.  The
 * priorities, matches and actions are those ovn-northd(8) documents, in
 * the spelling OVN 23.03 writes. */
#include "northd/nat.h"

#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "northd/lflow.h"

/* Parses a NAT row into 'nat'.  Returns false if "type" is unknown, an
 * address does not parse, or the families differ.  'logical_port' and
 * 'external_mac' (may be NULL or empty) are referenced, not copied. */
bool
nat_desc_init(struct nat_desc *nat, const struct uuid *uuid,
              const char *type, const char *external_ip,
              const char *logical_ip, const char *logical_port,
              const char *external_mac)
{
    memset(nat, 0, sizeof *nat);
    nat->uuid = *uuid;
    if (!type || !external_ip || !logical_ip) {
        return false;
    } else if (!strcmp(type, "snat")) {
        nat->type = NAT_SNAT;
    } else if (!strcmp(type, "dnat")) {
        nat->type = NAT_DNAT;
    } else if (!strcmp(type, "dnat_and_snat")) {
        nat->type = NAT_DNAT_AND_SNAT;
    } else {
        return false;
    }
    if (!ip_from_string(external_ip, &nat->external_ip)
        || !ip_prefix_from_string(logical_ip, &nat->logical_ip)
        || nat->external_ip.family != nat->logical_ip.family) {
        return false;
    }
    unsigned int full = nat->logical_ip.family == AF_INET ? 32 : 128;
    if (nat->type != NAT_SNAT && nat->logical_ip.plen != full) {
        return false;           /* ovn-nb(5): DNAT needs one address. */
    }
    ip_prefix_mask(&nat->logical_ip);
    nat->logical_port = logical_port && logical_port[0] ? logical_port
                                                        : NULL;
    nat->external_mac = external_mac && external_mac[0] ? external_mac
                                                        : NULL;
    return true;
}

/* True if 'nat' is a distributed "dnat_and_snat": with a "logical_port"
 * and an "external_mac", it happens on that port's chassis. */
bool
nat_is_distributed(const struct nat_desc *nat)
{
    return (nat->type == NAT_DNAT_AND_SNAT && nat->logical_port
            && nat->external_mac);
}

/* True if 'nat' translates destinations ("dnat" or "dnat_and_snat"). */
bool
nat_is_dnat(const struct nat_desc *nat)
{
    return nat->type != NAT_SNAT;
}

/* Adds to 'table', owned by 'owner', the flows a gateway router 'dp' has
 * once it has a NAT rule: replies are un-DNATed on the way out and new
 * connections committed. */
void
nat_build_router_flows(struct lflow_table *table, struct lflow_owner *owner,
                       const struct uuid *dp)
{
    lflow_add(table, owner, dp, LR_OUT_CHK_DNAT_LOCAL, 50,
              "ip && ct_mark.natted == 1", "reg9[4] = 1; next;", NULL, NULL);
    lflow_add(table, owner, dp, LR_OUT_UNDNAT, 100, "nd || nd_rs || nd_ra",
              "next;", NULL, NULL);
    lflow_add(table, owner, dp, LR_OUT_UNDNAT, 50, "ip",
              "flags.loopback = 1; ct_dnat;", NULL, NULL);
    lflow_add(table, owner, dp, LR_OUT_POST_UNDNAT, 50, "ip && ct.new",
              "ct_commit { } ; next; ", NULL, NULL);
}

#define ARP_REPLY "eth.dst = eth.src; eth.src = xreg0[0..47]; " \
    "arp.op = 2; /* ARP reply */ arp.tha = arp.sha; " \
    "arp.sha = xreg0[0..47]; arp.tpa <-> arp.spa; " \
    "outport = inport; flags.loopback = 1; output;"
#define ND_REPLY "nd_na { eth.src = xreg0[0..47]; " \
    "ip6.src = nd.target; nd.tll = xreg0[0..47]; " \
    "outport = inport; flags.loopback = 1; output; };"

/* Adds to 'table', owned by 'owner', the one flow of 'nat' on router 'dp'
 * when it is neither a gateway router nor has a distributed gateway port:
 * the router answers ARP or ND for the external address. */
void
nat_build_plain_flows(struct lflow_table *table, struct lflow_owner *owner,
                      const struct uuid *dp, const struct nat_desc *nat)
{
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds ext = DS_EMPTY_INITIALIZER;
    ip_prefix_format_addr(&nat->external_ip, &ext);
    bool v4 = nat->external_ip.family == AF_INET;
    ds_put_format(&m, v4 ? "arp.op == 1 && arp.tpa == %s"
                         : "nd_ns && nd.target == %s", ds_cstr(&ext));
    lflow_add(table, owner, dp, LR_IN_IP_INPUT, 90, ds_cstr(&m),
              v4 ? ARP_REPLY : ND_REPLY, &nat->uuid, NULL);
    ds_uninit(&m);
    ds_uninit(&ext);
}

/* Adds to 'table', owned by 'owner', the flow a router 'dp' with NAT
 * rules on a distributed gateway port has once: DNATed traffic is
 * marked as such on the way out. */
void
nat_build_dgp_router_flows(struct lflow_table *table,
                           struct lflow_owner *owner, const struct uuid *dp)
{
    lflow_add(table, owner, dp, LR_OUT_CHK_DNAT_LOCAL, 50,
              "ip && ct_mark.natted == 1", "reg9[4] = 1; next;", NULL, NULL);
}

/* Adds to 'table', owned by 'owner', the flows of 'nat' on the
 * distributed gateway port 'port' (with MAC 'port_mac') of router 'dp':
 * the translation happens on the chassis where "cr-<port>" is resident,
 * in the port's conntrack zone, and the external address answers ARP
 * there only. */
void
nat_build_dgp_flows(struct lflow_table *table, struct lflow_owner *owner,
                    const struct uuid *dp, const struct nat_desc *nat,
                    const char *port, const char *port_mac)
{
    bool v4 = nat->external_ip.family == AF_INET;
    const char *ip = v4 ? "ip4" : "ip6";
    struct ds ext = DS_EMPTY_INITIALIZER;
    struct ds lip = DS_EMPTY_INITIALIZER;
    struct ds res = DS_EMPTY_INITIALIZER;
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds a = DS_EMPTY_INITIALIZER;
    ip_prefix_format_addr(&nat->external_ip, &ext);
    ip_prefix_format_short(&nat->logical_ip, &lip);
    /* A distributed dnat_and_snat rule happens on the chassis of its
     * logical port, with its own MAC. */
    bool dist = nat_is_distributed(nat);
    ds_put_format(&res, "is_chassis_resident(\"%s%s\")", dist ? "" : "cr-",
                  dist ? nat->logical_port : port);
    const struct uuid *hint = &nat->uuid;
    const char *e = ds_cstr(&ext);
    const char *l = ds_cstr(&lip);
    const char *r = ds_cstr(&res);
    /* Where the translation needs no residency check ("" or " && R"). */
    const char *r_cz = dist ? "" : NULL;
    struct ds rr = DS_EMPTY_INITIALIZER;
    ds_put_format(&rr, " && %s", r);
    if (!r_cz) {
        r_cz = ds_cstr(&rr);
    }
    struct ds esrc = DS_EMPTY_INITIALIZER;     /* "eth.src = EM; " or "". */
    if (dist) {
        ds_put_format(&esrc, "eth.src = %s; ", nat->external_mac);
        ds_put_format(&m, "eth.dst == %s && inport == \"%s\" && %s",
                      nat->external_mac, port, r);
        ds_put_format(&a, "xreg0[0..47] = %s; next;", port_mac);
        lflow_add(table, owner, dp, LR_IN_ADMISSION, 50, ds_cstr(&m),
                  ds_cstr(&a), hint, NULL);
        ds_clear(&m);
        ds_put_format(&m, "%s.src == %s && outport == \"%s\" && %s", ip, l,
                      port, r);
        ds_clear(&a);
        ds_put_format(&a, "eth.src = %s; %s = %s; next;", nat->external_mac,
                      v4 ? "reg1" : "xxreg1", e);
        lflow_add(table, owner, dp, LR_IN_GW_REDIRECT, 100, ds_cstr(&m),
                  ds_cstr(&a), hint, NULL);
        ds_clear(&m);
        ds_clear(&a);
    }
    const char *es = ds_cstr(&esrc);
    const char *reply_mac = dist ? nat->external_mac : "xreg0[0..47]";

    /* ARP and ND for the external address: answered on the gateway
     * chassis, dropped elsewhere; from any other port, as a gateway
     * router does. */
    if (v4) {
        ds_put_format(&m, "inport == \"%s\" && arp.op == 1 && "
                      "arp.tpa == %s && %s", port, e, r);
        ds_put_format(&a, "eth.dst = eth.src; eth.src = %s; arp.op = 2; "
                      "/* ARP reply */ arp.tha = arp.sha; arp.sha = %s; "
                      "arp.tpa <-> arp.spa; outport = inport; "
                      "flags.loopback = 1; output;", reply_mac, reply_mac);
        lflow_add(table, owner, dp, LR_IN_IP_INPUT, 92, ds_cstr(&m),
                  ds_cstr(&a), hint, NULL);
        ds_clear(&m);
        ds_put_format(&m, "inport == \"%s\" && arp.op == 1 && "
                      "arp.tpa == %s", port, e);
        lflow_add(table, owner, dp, LR_IN_IP_INPUT, 91, ds_cstr(&m),
                  "drop;", hint, NULL);
        ds_clear(&m);
        ds_put_format(&m, "arp.op == 1 && arp.tpa == %s", e);
        lflow_add(table, owner, dp, LR_IN_IP_INPUT, 90, ds_cstr(&m),
                  ARP_REPLY, hint, NULL);
    } else {
        ds_put_format(&m, "inport == \"%s\" && nd_ns && nd.target == %s "
                      "&& %s", port, e, r);
        ds_put_format(&a, "nd_na { eth.src = %s; ip6.src = nd.target; "
                      "nd.tll = %s; outport = inport; flags.loopback = 1; "
                      "output; };", reply_mac, reply_mac);
        lflow_add(table, owner, dp, LR_IN_IP_INPUT, 92, ds_cstr(&m),
                  ds_cstr(&a), hint, NULL);
        ds_clear(&m);
        ds_put_format(&m, "inport == \"%s\" && nd_ns && nd.target == %s",
                      port, e);
        lflow_add(table, owner, dp, LR_IN_IP_INPUT, 91, ds_cstr(&m),
                  "drop;", hint, NULL);
        ds_clear(&m);
        ds_put_format(&m, "nd_ns && nd.target == %s", e);
        lflow_add(table, owner, dp, LR_IN_IP_INPUT, 90, ds_cstr(&m),
                  ND_REPLY, hint, NULL);
    }

    /* Traffic to the external address from the port itself does not hairpin
     * out; the router resolves it to its own MAC. */
    ds_clear(&m);
    ds_put_format(&m, "inport == \"%s\" && outport == \"%s\" && %s.dst == %s",
                  port, port, ip, e);
    lflow_add(table, owner, dp, LR_IN_ARP_RESOLVE, 150, ds_cstr(&m),
              "drop;", hint, NULL);
    ds_clear(&m);
    ds_put_format(&m, "outport == \"%s\" && %s == %s", port,
                  v4 ? "reg0" : "xxreg0", e);
    ds_clear(&a);
    ds_put_format(&a, "eth.dst = %s; next;",
                  dist ? nat->external_mac : port_mac);
    lflow_add(table, owner, dp, LR_IN_ARP_RESOLVE, 100, ds_cstr(&m),
              ds_cstr(&a), hint, NULL);

    ds_clear(&m);
    ds_put_format(&m, "ip && %s.dst == %s && %s", ip, e, r);
    lflow_add(table, owner, dp, LR_OUT_CHK_DNAT_LOCAL, 50, ds_cstr(&m),
              "reg9[4] = 1; next;", hint, NULL);

    /* Traffic between two external addresses of the router loops back
     * into it. */
    ds_clear(&m);
    ds_put_format(&m, "%s.dst == %s && outport == \"%s\" && %s", ip, e, port,
                  r);
    lflow_add(table, owner, dp, LR_OUT_EGR_LOOP, 100, ds_cstr(&m),
              "clone { ct_clear; inport = outport; outport = \"\"; "
              "eth.dst <-> eth.src; flags = 0; flags.loopback = 1; "
              "flags.use_snat_zone = reg9[4]; reg0 = 0; reg1 = 0; reg2 = 0; "
              "reg3 = 0; reg4 = 0; reg5 = 0; reg6 = 0; reg7 = 0; reg8 = 0; "
              "reg9 = 0; reg9[0] = 1; next(pipeline=ingress, table=0); };",
              hint, NULL);

    if (nat->type == NAT_SNAT) {
        ds_clear(&m);
        ds_put_format(&m, "inport == \"%s\" && %s.src == %s", port, ip, e);
        lflow_add(table, owner, dp, LR_IN_IP_INPUT, 120, ds_cstr(&m),
                  "next;", hint, NULL);
    }
    if (nat->type != NAT_DNAT) {
        ds_clear(&m);
        ds_put_format(&m, "ip && %s.dst == %s && inport == \"%s\" && "
                      "flags.loopback == 0%s", ip, e, port, r_cz);
        lflow_add(table, owner, dp, LR_IN_UNSNAT, 100, ds_cstr(&m),
                  "ct_snat_in_czone;", hint, NULL);
        ds_clear(&m);
        ds_put_format(&m, "ip && %s.dst == %s && inport == \"%s\" && "
                      "flags.loopback == 1 && flags.use_snat_zone == 1%s",
                      ip, e, port, r_cz);
        lflow_add(table, owner, dp, LR_IN_UNSNAT, 100, ds_cstr(&m),
                  "ct_snat;", hint, NULL);

        unsigned int prio = nat->logical_ip.plen + 1 + 128;
        ds_clear(&m);
        ds_put_format(&m, "ip && %s.src == %s && outport == \"%s\" && %s",
                      ip, l, port, r);
        ds_clear(&a);
        ds_put_format(&a, "%sct_snat_in_czone(%s);", es, e);
        lflow_add(table, owner, dp, LR_OUT_SNAT, prio, ds_cstr(&m),
                  ds_cstr(&a), hint, NULL);
        ds_put_cstr(&m, " && reg9[4] == 1");
        ds_clear(&a);
        ds_put_format(&a, "%sreg9[4] = 0; ct_snat(%s);", es, e);
        lflow_add(table, owner, dp, LR_OUT_SNAT, prio + 1, ds_cstr(&m),
                  ds_cstr(&a), hint, NULL);
    }
    if (nat->type != NAT_SNAT) {
        ds_clear(&m);
        ds_put_format(&m, "ip && %s.dst == %s && inport == \"%s\"%s",
                      ip, e, port, r_cz);
        ds_clear(&a);
        ds_put_format(&a, "ct_dnat_in_czone(%s);", l);
        lflow_add(table, owner, dp, LR_IN_DNAT, 100, ds_cstr(&m),
                  ds_cstr(&a), hint, NULL);
        ds_clear(&m);
        ds_put_format(&m, "ip && %s.src == %s && outport == \"%s\"%s",
                      ip, l, port, r_cz);
        ds_clear(&a);
        ds_put_format(&a, "%sct_dnat_in_czone;", es);
        lflow_add(table, owner, dp, LR_OUT_UNDNAT, 100, ds_cstr(&m),
                  ds_cstr(&a), hint, NULL);
    }
    ds_uninit(&ext);
    ds_uninit(&lip);
    ds_uninit(&res);
    ds_uninit(&rr);
    ds_uninit(&esrc);
    ds_uninit(&m);
    ds_uninit(&a);
}

/* Adds to 'table', owned by 'owner', the flows of 'nat' on the gateway
 * router 'dp'. */
void
nat_build_flows(struct lflow_table *table, struct lflow_owner *owner,
                const struct uuid *dp, const struct nat_desc *nat)
{
    bool v4 = nat->external_ip.family == AF_INET;
    const char *ip = v4 ? "ip4" : "ip6";
    struct ds ext = DS_EMPTY_INITIALIZER;
    struct ds lip = DS_EMPTY_INITIALIZER;
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds a = DS_EMPTY_INITIALIZER;
    ip_prefix_format_addr(&nat->external_ip, &ext);
    ip_prefix_format_short(&nat->logical_ip, &lip);
    const struct uuid *hint = &nat->uuid;

    /* The router answers ARP and ND for the external address. */
    if (v4) {
        ds_put_format(&m, "arp.op == 1 && arp.tpa == %s", ds_cstr(&ext));
        ds_put_cstr(&a, "eth.dst = eth.src; eth.src = xreg0[0..47]; "
                    "arp.op = 2; /* ARP reply */ arp.tha = arp.sha; "
                    "arp.sha = xreg0[0..47]; arp.tpa <-> arp.spa; "
                    "outport = inport; flags.loopback = 1; output;");
    } else {
        ds_put_format(&m, "nd_ns && nd.target == %s", ds_cstr(&ext));
        ds_put_cstr(&a, "nd_na { eth.src = xreg0[0..47]; "
                    "ip6.src = nd.target; nd.tll = xreg0[0..47]; "
                    "outport = inport; flags.loopback = 1; output; };");
    }
    lflow_add(table, owner, dp, LR_IN_IP_INPUT, 90, ds_cstr(&m),
              ds_cstr(&a), hint, NULL);

    if (nat->type != NAT_DNAT) {
        /* Replies to SNATed traffic come back to the external address. */
        ds_clear(&m);
        ds_put_format(&m, "ip && %s.dst == %s", ip, ds_cstr(&ext));
        lflow_add(table, owner, dp, LR_IN_UNSNAT, 90, ds_cstr(&m),
                  "ct_snat;", hint, NULL);

        ds_clear(&m);
        ds_put_format(&m, "ip && %s.src == %s && (!ct.trk || !ct.rpl)", ip,
                      ds_cstr(&lip));
        ds_clear(&a);
        ds_put_format(&a, "ct_snat(%s);", ds_cstr(&ext));
        lflow_add(table, owner, dp, LR_OUT_SNAT, nat->logical_ip.plen + 1,
                  ds_cstr(&m), ds_cstr(&a), hint, NULL);
    }
    if (nat->type != NAT_SNAT) {
        ds_clear(&m);
        ds_put_format(&m, "ip && %s.dst == %s", ip, ds_cstr(&ext));
        ds_clear(&a);
        ds_put_format(&a, "flags.loopback = 1; ct_dnat(%s);",
                      ds_cstr(&lip));
        lflow_add(table, owner, dp, LR_IN_DNAT, 100, ds_cstr(&m),
                  ds_cstr(&a), hint, NULL);
    }
    ds_uninit(&ext);
    ds_uninit(&lip);
    ds_uninit(&m);
    ds_uninit(&a);
}
