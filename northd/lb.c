/* Load balancers on logical switches and routers: see lb.h. */
#include "northd/lb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "northd/lflow.h"

/* Parses "IP", "IP:PORT", "[IP6]" or "[IP6]:PORT" into 'ip' and '*port'
 * (0 if none).  Returns false if it does not parse. */
static bool
parse_endpoint(const char *s, struct ip_prefix *ip, int *port)
{
    char *copy = xstrdup(s);
    char *addr = copy, *port_s = NULL;
    bool ok = false;
    *port = 0;
    if (addr[0] == '[') {
        char *end = strchr(addr, ']');
        if (!end) {
            goto out;
        }
        *end = '\0';
        addr++;
        if (end[1] == ':') {
            port_s = end + 2;
        } else if (end[1]) {
            goto out;
        }
        if (!ip_from_string(addr, ip) || ip->family != AF_INET6) {
            goto out;
        }
    } else {
        char *colon = strchr(addr, ':');
        if (colon && strchr(colon + 1, ':')) {
            /* A bare IPv6 address, no port. */
            if (!ip_from_string(addr, ip)) {
                goto out;
            }
        } else {
            if (colon) {
                *colon = '\0';
                port_s = colon + 1;
            }
            if (!ip_from_string(addr, ip) || ip->family != AF_INET) {
                goto out;
            }
        }
    }
    if (port_s) {
        char *end;
        long p = strtol(port_s, &end, 10);
        if (!*port_s || *end || p < 1 || p > 65535) {
            goto out;
        }
        *port = (int) p;
    }
    ok = true;
out:
    free(copy);
    return ok;
}

/* Parses the Load_Balancer row 'uuid' into 'lb': its "protocol" (NULL or
 * empty means "tcp"), options:reject, and "vips" as 'n' keys and values.
 * VIPs or backends that do not parse, or whose family differs from their
 * VIP's, are left out.  The caller frees 'lb' with lb_desc_destroy(). */
void
lb_desc_init(struct lb_desc *lb, const struct uuid *uuid,
             const char *protocol, bool reject, const char *const *vip_keys,
             const char *const *vip_values, size_t n)
{
    memset(lb, 0, sizeof *lb);
    lb->uuid = *uuid;
    lb->protocol = (protocol && !strcmp(protocol, "udp") ? "udp"
                    : protocol && !strcmp(protocol, "sctp") ? "sctp"
                    : "tcp");
    lb->reject = reject;
    lb->vips = xcalloc(n + 1, sizeof *lb->vips);
    for (size_t i = 0; i < n; i++) {
        struct lb_vip *v = &lb->vips[lb->n_vips];
        if (!parse_endpoint(vip_keys[i], &v->vip, &v->port)) {
            continue;
        }
        struct ds b = DS_EMPTY_INITIALIZER;
        char *values = xstrdup(vip_values[i] ? vip_values[i] : "");
        char *save = NULL;
        bool bad = false;
        for (char *tok = strtok_r(values, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ') {
                tok++;
            }
            struct ip_prefix ip;
            int port;
            if (!*tok) {
                continue;
            }
            if (!parse_endpoint(tok, &ip, &port)
                || ip.family != v->vip.family || (!port) != (!v->port)) {
                bad = true;
                break;
            }
            if (b.length) {
                ds_put_char(&b, ',');
            }
            bool br = ip.family == AF_INET6 && port;
            ds_put_cstr(&b, br ? "[" : "");
            ip_prefix_format_addr(&ip, &b);
            ds_put_cstr(&b, br ? "]" : "");
            if (port) {
                ds_put_format(&b, ":%d", port);
            }
        }
        free(values);
        if (bad) {
            ds_uninit(&b);
            continue;
        }
        v->backends = ds_steal_cstr(&b);
        lb->n_vips++;
    }
}

/* Frees what 'lb' owns. */
void
lb_desc_destroy(struct lb_desc *lb)
{
    for (size_t i = 0; i < lb->n_vips; i++) {
        free(lb->vips[i].backends);
    }
    free(lb->vips);
    memset(lb, 0, sizeof *lb);
}

/* Adds to 'table', owned by 'owner', the flows switch 'dp' has once one
 * of its load balancers has a VIP: IP goes through conntrack for load
 * balancing, and traffic a backend sends back to its own VIP hairpins. */
void
lb_build_switch_datapath_flows(struct lflow_table *table,
                               struct lflow_owner *owner,
                               const struct uuid *dp)
{
    lflow_add(table, owner, dp, LS_IN_PRE_LB, 100, "ip",
              "reg0[2] = 1; next;", NULL, NULL);
    lflow_add(table, owner, dp, LS_OUT_PRE_LB, 100, "ip",
              "reg0[2] = 1; next;", NULL, NULL);
    lflow_add(table, owner, dp, LS_IN_PRE_HAIRPIN, 100, "ip && ct.trk",
              "reg0[6] = chk_lb_hairpin(); "
              "reg0[12] = chk_lb_hairpin_reply(); next;", NULL, NULL);
    lflow_add(table, owner, dp, LS_IN_NAT_HAIRPIN, 100,
              "ip && ct.est && ct.trk && reg0[6] == 1", "ct_snat;",
              NULL, NULL);
    lflow_add(table, owner, dp, LS_IN_NAT_HAIRPIN, 100,
              "ip && ct.new && ct.trk && reg0[6] == 1",
              "ct_snat_to_vip; next;", NULL, NULL);
    lflow_add(table, owner, dp, LS_IN_NAT_HAIRPIN, 90, "ip && reg0[12] == 1",
              "ct_snat;", NULL, NULL);
    lflow_add(table, owner, dp, LS_IN_HAIRPIN, 1,
              "(reg0[6] == 1 || reg0[12] == 1)",
              "eth.dst <-> eth.src; outport = inport; flags.loopback = 1; "
              "output;", NULL, NULL);
}

/* Adds to 'table', owned by 'owner', the flows of 'lb' on switch 'dp':
 * each VIP's traffic is marked for conntrack with its VIP remembered, and
 * new connections go to a backend, or are rejected or dropped when there
 * is none. */
void
lb_build_switch_flows(struct lflow_table *table, struct lflow_owner *owner,
                      const struct uuid *dp, const struct lb_desc *lb)
{
    struct ds vip = DS_EMPTY_INITIALIZER;
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds a = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < lb->n_vips; i++) {
        const struct lb_vip *v = &lb->vips[i];
        bool v4 = v->vip.family == AF_INET;
        ds_clear(&vip);
        ip_prefix_format_addr(&v->vip, &vip);

        /* The VIP's match, after "reg0[2] == 1 && " or "ct.new && ". */
        struct ds l3 = DS_EMPTY_INITIALIZER;
        ds_put_format(&l3, "%s.dst == %s", v4 ? "ip4" : "ip6",
                      ds_cstr(&vip));
        if (v->port) {
            ds_put_format(&l3, " && %s.dst == %d", lb->protocol, v->port);
        }

        ds_clear(&m);
        ds_put_format(&m, "reg0[2] == 1 && %s", ds_cstr(&l3));
        ds_clear(&a);
        ds_put_format(&a, "%s = %s; ", v4 ? "reg1" : "xxreg1",
                      ds_cstr(&vip));
        if (v->port) {
            ds_put_format(&a, "reg2[0..15] = %d; ", v->port);
        }
        ds_put_cstr(&a, "ct_lb_mark;");
        lflow_add(table, owner, dp, LS_IN_PRE_STATEFUL, 120, ds_cstr(&m),
                  ds_cstr(&a), &lb->uuid, NULL);

        ds_clear(&m);
        ds_put_format(&m, "ct.new && %s", ds_cstr(&l3));
        ds_clear(&a);
        if (v->backends[0]) {
            ds_put_format(&a, "reg0[1] = 0; ct_lb_mark(backends=%s);",
                          v->backends);
        } else if (lb->reject) {
            ds_put_format(&a, "reg0 = 0; reject { outport <-> inport; "
                          "next(pipeline=egress,table=%u);};",
                          (unsigned int) lflow_stage_table(LS_OUT_QOS_MARK));
        } else {
            ds_put_cstr(&a, "drop;");
        }
        lflow_add(table, owner, dp, LS_IN_LB, v->port ? 120 : 110,
                  ds_cstr(&m), ds_cstr(&a), &lb->uuid, NULL);
        ds_uninit(&l3);
    }
    ds_uninit(&vip);
    ds_uninit(&m);
    ds_uninit(&a);
}

/* Adds to 'table', owned by 'owner', the flows router 'dp' has once one of
 * its load balancers has a VIP: established and related load-balanced
 * traffic passes (keeping its SNAT flags), and on a 'gateway' router
 * replies are un-DNATed on the way out. */
void
lb_build_router_datapath_flows(struct lflow_table *table,
                               struct lflow_owner *owner,
                               const struct uuid *dp, bool gateway)
{
    static const char *const flags[2] = { "force_snat", "skip_snat" };
    for (size_t i = 0; i < 2; i++) {
        char m[128], a[128];
        snprintf(m, sizeof m, "ct.est && !ct.rel && !ct.new && "
                 "ct_mark.natted && ct_mark.%s == 1", flags[i]);
        snprintf(a, sizeof a, "flags.%s_for_lb = 1; next;", flags[i]);
        lflow_add(table, owner, dp, LR_IN_DNAT, 70, m, a, NULL, NULL);
        snprintf(m, sizeof m, "ct.rel && !ct.est && !ct.new && "
                 "ct_mark.%s == 1", flags[i]);
        snprintf(a, sizeof a, "flags.%s_for_lb = 1; ct_commit_nat;",
                 flags[i]);
        lflow_add(table, owner, dp, LR_IN_DNAT, 70, m, a, NULL, NULL);
    }
    lflow_add(table, owner, dp, LR_IN_DNAT, 50,
              "ct.est && !ct.rel && !ct.new && ct_mark.natted", "next;",
              NULL, NULL);
    lflow_add(table, owner, dp, LR_IN_DNAT, 50, "ct.rel && !ct.est && !ct.new",
              "ct_commit_nat;", NULL, NULL);
    if (!gateway) {
        return;
    }
    lflow_add(table, owner, dp, LR_OUT_UNDNAT, 100, "nd || nd_rs || nd_ra",
              "next;", NULL, NULL);
    lflow_add(table, owner, dp, LR_OUT_UNDNAT, 50, "ip",
              "flags.loopback = 1; ct_dnat;", NULL, NULL);
    lflow_add(table, owner, dp, LR_OUT_POST_UNDNAT, 50, "ip && ct.new",
              "ct_commit { } ; next; ", NULL, NULL);
}

/* Adds to 'table', owned by 'owner', the flows of 'lb' on router 'dp':
 * traffic to each VIP is defragmented and tracked, and new connections
 * go to a backend.  VIPs without backends have no flows. */
void
lb_build_router_flows(struct lflow_table *table, struct lflow_owner *owner,
                      const struct uuid *dp, const struct lb_desc *lb)
{
    struct ds vip = DS_EMPTY_INITIALIZER;
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds a = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < lb->n_vips; i++) {
        const struct lb_vip *v = &lb->vips[i];
        const char *ip = v->vip.family == AF_INET ? "ip4" : "ip6";
        ds_clear(&vip);
        ip_prefix_format_addr(&v->vip, &vip);

        ds_clear(&m);
        ds_put_format(&m, "ip && %s.dst == %s", ip, ds_cstr(&vip));
        lflow_add(table, owner, dp, LR_IN_DEFRAG, 100, ds_cstr(&m),
                  "ct_dnat;", &lb->uuid, NULL);
        if (!v->backends[0]) {
            continue;
        }
        ds_clear(&m);
        ds_put_format(&m, "ct.new && !ct.rel && %s && %s.dst == %s", ip, ip,
                      ds_cstr(&vip));
        if (v->port) {
            ds_put_format(&m, " && %s && %s.dst == %d", lb->protocol,
                          lb->protocol, v->port);
        }
        ds_clear(&a);
        ds_put_format(&a, "ct_lb_mark(backends=%s);", v->backends);
        lflow_add(table, owner, dp, LR_IN_DNAT, v->port ? 120 : 110,
                  ds_cstr(&m), ds_cstr(&a), &lb->uuid, NULL);
    }
    ds_uninit(&vip);
    ds_uninit(&m);
    ds_uninit(&a);
}
