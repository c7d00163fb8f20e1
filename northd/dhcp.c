/* DHCP and DNS flows: see dhcp.h.  The stages, priorities, matches and
 * actions are those ovn-northd(8) documents for "Ingress Table 20: DHCP
 * option processing", "Ingress Table 21: DHCP responses", "Ingress Table
 * 22: DNS Lookup", "Ingress Table 23: DNS Responses" and the DHCP and DNS
 * reply allow flows of "Egress Table 4: to-lport ACLs", in the spelling
 * OVN 23.03 writes. */
#include "northd/dhcp.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/netaddr.h"
#include "lib/util.h"
#include "northd/lflow.h"
#include "northd/lswitch.h"

/* The DHCPv4 options ovn-northd writes to the southbound DHCP_Options
 * table (ovn-sb(5)), in code order. */
static const struct dhcp_code v4_codes[] = {
    { "offerip", 0, "ipv4" },
    { "netmask", 1, "ipv4" },
    { "router", 3, "ipv4" },
    { "dns_server", 6, "ipv4" },
    { "log_server", 7, "ipv4" },
    { "lpr_server", 9, "ipv4" },
    { "hostname", 12, "str" },
    { "domain_name", 15, "str" },
    { "swap_server", 16, "ipv4" },
    { "ip_forward_enable", 19, "bool" },
    { "policy_filter", 21, "ipv4" },
    { "default_ttl", 23, "uint8" },
    { "mtu", 26, "uint16" },
    { "broadcast_address", 28, "ipv4" },
    { "router_discovery", 31, "bool" },
    { "router_solicitation", 32, "ipv4" },
    { "arp_cache_timeout", 35, "uint32" },
    { "ethernet_encap", 36, "bool" },
    { "tcp_ttl", 37, "uint8" },
    { "tcp_keepalive_interval", 38, "uint32" },
    { "nis_server", 41, "ipv4" },
    { "ntp_server", 42, "ipv4" },
    { "netbios_name_server", 44, "ipv4" },
    { "netbios_node_type", 46, "uint8" },
    { "lease_time", 51, "uint32" },
    { "server_id", 54, "ipv4" },
    { "T1", 58, "uint32" },
    { "T2", 59, "uint32" },
    { "tftp_server", 66, "host_id" },
    { "bootfile_name", 67, "str" },
    { "domain_search_list", 119, "domains" },
    { "classless_static_route", 121, "static_routes" },
    { "tftp_server_address", 150, "ipv4" },
    { "path_prefix", 210, "str" },
    { "ms_classless_static_route", 249, "static_routes" },
    { "wpad", 252, "str" },
    { "next_server", 253, "ipv4" },
    { "bootfile_name_alt", 254, "str" },
};

/* The DHCPv6 options ovn-northd writes to the southbound DHCPv6_Options
 * table, in code order. */
static const struct dhcp_code v6_codes[] = {
    { "server_id", 2, "mac" },
    { "ia_addr", 5, "ipv6" },
    { "dns_server", 23, "ipv6" },
    { "domain_search", 24, "str" },
};

/* Returns the DHCPv4 option table, 'n' rows long: the southbound
 * DHCP_Options rows northd keeps (name, code, type).  Static storage. */
const struct dhcp_code *
dhcp_v4_codes(size_t *n)
{
    *n = ARRAY_SIZE(v4_codes);
    return v4_codes;
}

/* Returns the DHCPv6 option table, 'n' rows long: the southbound
 * DHCPv6_Options rows northd keeps.  Static storage. */
const struct dhcp_code *
dhcp_v6_codes(size_t *n)
{
    *n = ARRAY_SIZE(v6_codes);
    return v6_codes;
}

/* One option of a put_dhcp_opts() or put_dhcpv6_opts() action. */
struct opt {
    const char *key;            /* Name. */
    const char *value;          /* Value, as written.  Not owned. */
    size_t rank;                /* Order among options of the same name:
                                 * northd's own before the row's. */
};

/* qsort() order of "struct opt": by name, then by rank. */
static int
opt_cmp(const void *a_, const void *b_)
{
    const struct opt *a = a_;
    const struct opt *b = b_;
    int c = strcmp(a->key, b->key);
    return c ? c : a->rank < b->rank ? -1 : a->rank > b->rank;
}

/* Returns the value of option 'key' of 'o', or NULL. */
static const char *
opt_get(const struct dhcp_options_desc *o, const char *key)
{
    for (size_t i = 0; i < o->n_options; i++) {
        if (!strcmp(o->keys[i], key)) {
            return o->values[i];
        }
    }
    return NULL;
}

/* Appends to 's' 'extra' (n_extra, northd's own) and the options of 'o'
 * except 'skip1' and 'skip2' (either may be NULL), as "key = value"
 * separated by ", ", sorted by name (bytewise), northd's own first among
 * options of one name. */
static void
put_sorted_opts(struct ds *s, const struct opt *extra, size_t n_extra,
                const struct dhcp_options_desc *o, const char *skip1,
                const char *skip2)
{
    struct opt *opts = xmalloc((n_extra + o->n_options + 1) * sizeof *opts);
    size_t n = 0;
    for (size_t i = 0; i < n_extra; i++) {
        opts[n] = extra[i];
        opts[n].rank = n;
        n++;
    }
    for (size_t i = 0; i < o->n_options; i++) {
        if ((skip1 && !strcmp(o->keys[i], skip1))
            || (skip2 && !strcmp(o->keys[i], skip2))) {
            continue;
        }
        opts[n] = (struct opt) { o->keys[i], o->values[i], n };
        n++;
    }
    qsort(opts, n, sizeof *opts, opt_cmp);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(s, "%s%s = %s", i ? ", " : "", opts[i].key,
                      opts[i].value);
    }
    free(opts);
}

/* Parses 'o''s cidr into 'p': true if it is of the family 'o' is used
 * for. */
static bool
parse_cidr(const struct dhcp_options_desc *o, struct ip_prefix *p)
{
    return (o->cidr && ip_prefix_from_string(o->cidr, p)
            && p->family == (o->is_v6 ? AF_INET6 : AF_INET));
}

/* The DHCPv4 row 'o', checked as ovn-northd does before using it. */
struct v4_server {
    struct ip_prefix cidr;      /* Parsed "cidr". */
    const char *server_id;      /* options:server_id. */
    const char *server_mac;     /* options:server_mac. */
};

/* Fills 'v' from 'o': false if 'o' is NULL or not usable. */
static bool
v4_server_init(const struct dhcp_options_desc *o, struct v4_server *v)
{
    if (!o || o->is_v6 || !parse_cidr(o, &v->cidr)) {
        return false;
    }
    v->server_id = opt_get(o, "server_id");
    v->server_mac = opt_get(o, "server_mac");
    return v->server_id && v->server_mac && opt_get(o, "lease_time");
}

/* The DHCPv6 row 'o', checked as ovn-northd does before using it. */
struct v6_server {
    struct ip_prefix cidr;      /* Parsed "cidr". */
    const char *server_id;      /* options:server_id, a MAC as written. */
    char lla[INET6_ADDRSTRLEN]; /* The link-local address of server_id. */
    bool stateless;             /* options:dhcpv6_stateless=true. */
};

/* Fills 'v' from 'o': false if 'o' is NULL or not usable. */
static bool
v6_server_init(const struct dhcp_options_desc *o, struct v6_server *v)
{
    struct eth_addr ea;
    if (!o || !o->is_v6 || !parse_cidr(o, &v->cidr)) {
        return false;
    }
    v->server_id = opt_get(o, "server_id");
    if (!v->server_id || !eth_addr_from_string(v->server_id, &ea)) {
        return false;
    }
    /* RFC 4291 appendix A: modified EUI-64 under fe80::/64. */
    struct in6_addr lla;
    memset(&lla, 0, sizeof lla);
    lla.s6_addr[0] = 0xfe;
    lla.s6_addr[1] = 0x80;
    lla.s6_addr[8] = ea.ea[0] ^ 0x02;
    lla.s6_addr[9] = ea.ea[1];
    lla.s6_addr[10] = ea.ea[2];
    lla.s6_addr[11] = 0xff;
    lla.s6_addr[12] = 0xfe;
    lla.s6_addr[13] = ea.ea[3];
    lla.s6_addr[14] = ea.ea[4];
    lla.s6_addr[15] = ea.ea[5];
    inet_ntop(AF_INET6, &lla, v->lla, sizeof v->lla);
    const char *sl = opt_get(o, "dhcpv6_stateless");
    v->stateless = sl && !strcmp(sl, "true");
    return true;
}

/* True if 'ip' (network order) is in 'cidr'. */
static bool
ip4_in(uint32_t ip, const struct ip_prefix *cidr)
{
    return !((ip ^ cidr->ip4) & ip4_netmask(cidr->plen));
}

/* True if 'ip' is in 'cidr'. */
static bool
ip6_in(const struct in6_addr *ip, const struct ip_prefix *cidr)
{
    struct in6_addr mask;
    ip6_netmask(cidr->plen, &mask);
    for (int i = 0; i < 16; i++) {
        if ((ip->s6_addr[i] ^ cidr->ip6.s6_addr[i]) & mask.s6_addr[i]) {
            return false;
        }
    }
    return true;
}

/* Adds the DHCPv4 flows for one "addresses" element 'a' of 'port', whose
 * requests arrive on 'inport' ('port' itself, or a localnet port with
 * 'resident' the external port's is_chassis_resident() condition). */
static void
build_v4(struct lflow_table *table, struct lflow_owner *owner,
         const struct uuid *dp, const struct dhcp_port_desc *port,
         const struct v4_server *v, const struct lswitch_addresses *a,
         const char *inport, const char *resident)
{
    size_t i;
    for (i = 0; i < a->n_ip4s; i++) {
        if (ip4_in(a->ip4s[i], &v->cidr)) {
            break;
        }
    }
    if (i == a->n_ip4s) {
        return;
    }
    char ip[INET_ADDRSTRLEN], mask[INET_ADDRSTRLEN];
    uint32_t m = ip4_netmask(v->cidr.plen);
    inet_ntop(AF_INET, &a->ip4s[i], ip, sizeof ip);
    inet_ntop(AF_INET, &m, mask, sizeof mask);

    struct ds actions = DS_EMPTY_INITIALIZER;
    struct opt extra[2] = { { "netmask", mask, 0 } };
    size_t n_extra = 1;
    if (port->hostname) {
        extra[n_extra++] = (struct opt) { "hostname", port->hostname, 0 };
    }
    ds_put_format(&actions, "reg0[3] = put_dhcp_opts(offerip = %s, ", ip);
    put_sorted_opts(&actions, extra, n_extra, port->v4, "server_mac",
                    port->hostname ? "hostname" : NULL);
    ds_put_cstr(&actions, "); next;");

    const struct uuid *hint = &port->v4->uuid;
    struct ds match = DS_EMPTY_INITIALIZER;
    ds_put_format(&match, "inport == \"%s\" && eth.src == %s && "
                  "ip4.src == 0.0.0.0 && ip4.dst == 255.255.255.255 && "
                  "udp.src == 68 && udp.dst == 67%s", inport, a->ea_s,
                  resident);
    lflow_add(table, owner, dp, LS_IN_DHCP_OPTIONS, 100, ds_cstr(&match),
              ds_cstr(&actions), hint, inport);

    ds_clear(&match);
    ds_put_format(&match, "inport == \"%s\" && eth.src == %s && "
                  "ip4.src == %s && ip4.dst == {%s, 255.255.255.255} && "
                  "udp.src == 68 && udp.dst == 67%s", inport, a->ea_s, ip,
                  v->server_id, resident);
    lflow_add(table, owner, dp, LS_IN_DHCP_OPTIONS, 100, ds_cstr(&match),
              ds_cstr(&actions), hint, inport);

    ds_clear(&match);
    ds_put_format(&match, "inport == \"%s\" && eth.src == %s && ip4 && "
                  "udp.src == 68 && udp.dst == 67 && reg0[3]%s", inport,
                  a->ea_s, resident);
    ds_clear(&actions);
    ds_put_format(&actions, "eth.dst = eth.src; eth.src = %s; "
                  "ip4.src = %s; udp.src = 67; udp.dst = 68; "
                  "outport = inport; flags.loopback = 1; output;",
                  v->server_mac, v->server_id);
    lflow_add(table, owner, dp, LS_IN_DHCP_RESPONSE, 100, ds_cstr(&match),
              ds_cstr(&actions), hint, inport);
    ds_uninit(&match);
    ds_uninit(&actions);
}

/* Adds the DHCPv6 flows for one "addresses" element 'a' of 'port': as
 * build_v4(). */
static void
build_v6(struct lflow_table *table, struct lflow_owner *owner,
         const struct uuid *dp, const struct dhcp_port_desc *port,
         const struct v6_server *v, const struct lswitch_addresses *a,
         const char *inport, const char *resident)
{
    size_t i;
    for (i = 0; i < a->n_ip6s; i++) {
        if (ip6_in(&a->ip6s[i], &v->cidr)) {
            break;
        }
    }
    if (i == a->n_ip6s) {
        return;
    }
    struct ds actions = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&actions, "reg0[3] = put_dhcpv6_opts(");
    if (!v->stateless) {
        char ip[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &a->ip6s[i], ip, sizeof ip);
        ds_put_format(&actions, "ia_addr = %s, ", ip);
    }
    put_sorted_opts(&actions, NULL, 0, port->v6, "dhcpv6_stateless", NULL);
    ds_put_cstr(&actions, "); next;");

    const struct uuid *hint = &port->v6->uuid;
    struct ds match = DS_EMPTY_INITIALIZER;
    ds_put_format(&match, "inport == \"%s\" && eth.src == %s && "
                  "ip6.dst == ff02::1:2 && udp.src == 546 && "
                  "udp.dst == 547%s", inport, a->ea_s, resident);
    lflow_add(table, owner, dp, LS_IN_DHCP_OPTIONS, 100, ds_cstr(&match),
              ds_cstr(&actions), hint, inport);

    ds_put_cstr(&match, " && reg0[3]");
    ds_clear(&actions);
    ds_put_format(&actions, "eth.dst = eth.src; eth.src = %s; "
                  "ip6.dst = ip6.src; ip6.src = %s; udp.src = 547; "
                  "udp.dst = 546; outport = inport; flags.loopback = 1; "
                  "output;", v->server_id, v->lla);
    lflow_add(table, owner, dp, LS_IN_DHCP_RESPONSE, 100, ds_cstr(&match),
              ds_cstr(&actions), hint, inport);
    ds_uninit(&match);
    ds_uninit(&actions);
}

/* Adds to 'table', owned by 'owner', the DHCP flows of 'port' on switch
 * datapath 'dp':
 *
 *   - for each "addresses" element with an IPv4 address in the cidr of a
 *     valid "dhcpv4_options" row (the first such address is offered),
 *     the two ls_in_dhcp_options flows (DISCOVER from 0.0.0.0, and
 *     REQUEST/renewal from the address) and the ls_in_dhcp_response
 *     flow; likewise for an IPv6 address and "dhcpv6_options" (ia_addr
 *     offered unless options:dhcpv6_stateless=true).  None for a
 *     disabled port or one of type "router"; an "external" port's flows
 *     are on each of 'localnet_ports' and only on the chassis where it
 *     is resident;
 *
 *   - for each valid options row of a port not "external", the
 *     ls_out_acl flow that lets the server's replies to it through the
 *     ACLs (committing them on a 'stateful' switch), whatever its
 *     addresses and enabled state. */
void
dhcp_build_port_flows(struct lflow_table *table, struct lflow_owner *owner,
                      const struct uuid *dp,
                      const struct dhcp_port_desc *port)
{
    struct v4_server v4;
    struct v6_server v6;
    bool has_v4 = v4_server_init(port->v4, &v4);
    bool has_v6 = v6_server_init(port->v6, &v6);
    if (!has_v4 && !has_v6) {
        return;
    }
    const char *type = port->type ? port->type : "";
    bool external = !strcmp(type, "external");
    const char *acl_actions = port->stateful ? "ct_commit; next;" : "next;";
    struct ds match = DS_EMPTY_INITIALIZER;

    if (!external) {
        if (has_v4) {
            ds_put_format(&match, "outport == \"%s\" && eth.src == %s && "
                          "ip4.src == %s && udp && udp.src == 67 && "
                          "udp.dst == 68", port->name, v4.server_mac,
                          v4.server_id);
            lflow_add(table, owner, dp, LS_OUT_ACL, 34000, ds_cstr(&match),
                      acl_actions, &port->v4->uuid, port->name);
        }
        if (has_v6) {
            ds_clear(&match);
            ds_put_format(&match, "outport == \"%s\" && eth.src == %s && "
                          "ip6.src == %s && udp && udp.src == 547 && "
                          "udp.dst == 546", port->name, v6.server_id,
                          v6.lla);
            lflow_add(table, owner, dp, LS_OUT_ACL, 34000, ds_cstr(&match),
                      acl_actions, &port->v6->uuid, port->name);
        }
    }

    if (!port->enabled || !strcmp(type, "router")) {
        goto out;
    }
    /* The ports the requests arrive on, and the condition to add. */
    const char *const *inports = &port->name;
    size_t n_inports = 1;
    if (external) {
        inports = port->localnet_ports;
        n_inports = port->n_localnet_ports;
        ds_clear(&match);
        ds_put_format(&match, " && is_chassis_resident(\"%s\")",
                      port->name);
    }
    const char *resident = external ? ds_cstr(&match) : "";

    for (size_t i = 0; i < port->n_addresses; i++) {
        struct lswitch_addresses a;
        if (!lswitch_addresses_parse(port->addresses[i], &a)) {
            continue;
        }
        for (size_t j = 0; j < n_inports; j++) {
            if (has_v4) {
                build_v4(table, owner, dp, port, &v4, &a, inports[j],
                         resident);
            }
            if (has_v6) {
                build_v6(table, owner, dp, port, &v6, &a, inports[j],
                         resident);
            }
        }
        lswitch_addresses_destroy(&a);
    }
out:
    ds_uninit(&match);
}

/* Adds to 'table', owned by 'owner', the DNS flows of switch datapath
 * 'dp', whose "dns_records" are the 'n_dns' rows 'dns': if any of them has
 * a record, the ls_in_dns_lookup flow that answers queries with
 * dns_lookup(), the two ls_in_dns_response flows (IPv4 and IPv6) that send
 * the answers back, and the ls_out_acl flow that lets answers through the
 * ACLs (committing them on a 'stateful' switch).  Otherwise none: the
 * stages' priority-0 defaults are lswitch.h's. */
void
dns_build_switch_flows(struct lflow_table *table, struct lflow_owner *owner,
                       const struct uuid *dp,
                       const struct dns_desc *const *dns, size_t n_dns,
                       bool stateful)
{
    bool has_records = false;
    for (size_t i = 0; i < n_dns; i++) {
        has_records |= dns[i]->n_records > 0;
    }
    if (!has_records) {
        return;
    }
    lflow_add(table, owner, dp, LS_IN_DNS_LOOKUP, 100, "udp.dst == 53",
              "reg0[4] = dns_lookup(); next;", NULL, NULL);
    static const char *const families[2][2] = { { "ip4.src", "ip4.dst" },
                                                { "ip6.src", "ip6.dst" } };
    for (int f = 0; f < 2; f++) {
        char *actions = xasprintf("eth.dst <-> eth.src; %s <-> %s; "
                                  "udp.dst = udp.src; udp.src = 53; "
                                  "outport = inport; flags.loopback = 1; "
                                  "output;", families[f][0],
                                  families[f][1]);
        lflow_add(table, owner, dp, LS_IN_DNS_RESPONSE, 100,
                  "udp.dst == 53 && reg0[4]", actions, NULL, NULL);
        free(actions);
    }
    lflow_add(table, owner, dp, LS_OUT_ACL, 34000, "udp.src == 53",
              stateful ? "ct_commit; next;" : "next;", NULL, NULL);
}
