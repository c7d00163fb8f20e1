/* Text forms of datapath flows for dpctl/dump-flows: a megaflow's key
 * under its mask in the syntax ovs-appctl dpctl/dump-flows prints for a
 * netdev datapath ("recirc_id(0),in_port(2),packet_type(ns=0,id=0),
 * eth(src=...),eth_type(0x0800),ipv4(frag=no)"), its statistics and its
 * actions.  Only fields the mask selects are printed; a partial mask is
 * written "value/mask". */
#include "datapath/dpif.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/flow-extract.h"
#include "lib/ds.h"
#include "lib/util.h"

/* Whether the 'size' bytes at 'p' are all zero / all ones. */
static bool
is_zero(const void *p, size_t size)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < size; i++) {
        if (b[i]) {
            return false;
        }
    }
    return true;
}

static bool
is_ones(const void *p, size_t size)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < size; i++) {
        if (b[i] != 0xff) {
            return false;
        }
    }
    return true;
}

/* Field-group writer: "name(" on the first field, "," between fields,
 * ")" at the end if anything was written. */
struct group {
    struct ds *ds;              /* Output. */
    const char *name;           /* Group name ("eth"). */
    bool open;                  /* "name(" written. */
};

static void
group_field(struct group *g, const char *field)
{
    if (!g->open) {
        ds_put_format(g->ds, "%s(", g->name);
        g->open = true;
    } else {
        ds_put_char(g->ds, ',');
    }
    ds_put_format(g->ds, "%s=", field);
}

static void
group_end(struct group *g, bool *first)
{
    if (g->open) {
        ds_put_char(g->ds, ')');
        g->open = false;
        *first = false;
    }
}

/* Writes the separator before a new top-level attribute. */
static void
attr_start(struct ds *ds, bool *first)
{
    if (!*first) {
        ds_put_char(ds, ',');
    }
    *first = false;
}

static void
put_uint(struct group *g, const char *field, uint32_t v, uint32_t m,
         uint32_t full, bool hex)
{
    if (!m) {
        return;
    }
    group_field(g, field);
    ds_put_format(g->ds, hex ? "%#"PRIx32 : "%"PRIu32, v);
    if (m != full) {
        ds_put_format(g->ds, "/%#"PRIx32, m);
    }
}

static void
put_mac(struct group *g, const char *field, const struct eth_addr *v,
        const struct eth_addr *m)
{
    if (is_zero(m, sizeof *m)) {
        return;
    }
    group_field(g, field);
    ds_put_format(g->ds, ETH_ADDR_FMT, ETH_ADDR_ARGS(*v));
    if (!is_ones(m, sizeof *m)) {
        ds_put_format(g->ds, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(*m));
    }
}

static void
put_ip4(struct group *g, const char *field, be32 v, be32 m)
{
    char buf[INET_ADDRSTRLEN];

    if (!m) {
        return;
    }
    group_field(g, field);
    ds_put_cstr(g->ds, inet_ntop(AF_INET, &v, buf, sizeof buf));
    if (m != (be32) UINT32_MAX) {
        ds_put_format(g->ds, "/%s", inet_ntop(AF_INET, &m, buf, sizeof buf));
    }
}

static void
put_ip6(struct group *g, const char *field, const struct in6_addr *v,
        const struct in6_addr *m)
{
    char buf[INET6_ADDRSTRLEN];

    if (is_zero(m, sizeof *m)) {
        return;
    }
    group_field(g, field);
    ds_put_cstr(g->ds, inet_ntop(AF_INET6, v, buf, sizeof buf));
    if (!is_ones(m, sizeof *m)) {
        ds_put_format(g->ds, "/%s", inet_ntop(AF_INET6, m, buf, sizeof buf));
    }
}

static void
put_frag(struct group *g, uint8_t v, uint8_t m)
{
    /* Only the two defined bits count (FLOW_WC_SET sets all 8). */
    m &= FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER;
    if (!m) {
        return;
    }
    group_field(g, "frag");
    if (m == (FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER)) {
        ds_put_cstr(g->ds, !(v & FLOW_NW_FRAG_ANY) ? "no"
                    : v & FLOW_NW_FRAG_LATER ? "later" : "first");
    } else if (m == FLOW_NW_FRAG_ANY) {
        ds_put_cstr(g->ds, v & FLOW_NW_FRAG_ANY ? "yes" : "no");
    } else {
        ds_put_format(g->ds, "%#x/%#x", v, m);
    }
}

/* "+name" for set bits and "-name" for clear bits under 'mask'. */
static void
put_flags(struct ds *ds, uint32_t v, uint32_t m,
          const char *const names[], size_t n_names)
{
    for (size_t i = 0; i < n_names; i++) {
        uint32_t bit = UINT32_C(1) << i;
        if (m & bit && names[i]) {
            ds_put_format(ds, "%c%s", v & bit ? '+' : '-', names[i]);
        }
    }
}

static void
format_tunnel(const struct flow_tnl *k, const struct flow_tnl *m,
              struct ds *ds, bool *first)
{
    if (is_zero(m, sizeof *m)) {
        return;
    }
    attr_start(ds, first);
    struct group g = { ds, "tunnel", false };
    bool dummy = true;

    if (m->tun_id) {
        group_field(&g, "tun_id");
        ds_put_format(ds, "%#"PRIx64, be64_to_host(k->tun_id));
        if (m->tun_id != (be64) UINT64_MAX) {
            ds_put_format(ds, "/%#"PRIx64, be64_to_host(m->tun_id));
        }
    }
    put_ip4(&g, "src", k->ip_src, m->ip_src);
    put_ip4(&g, "dst", k->ip_dst, m->ip_dst);
    put_ip6(&g, "ipv6_src", &k->ipv6_src, &m->ipv6_src);
    put_ip6(&g, "ipv6_dst", &k->ipv6_dst, &m->ipv6_dst);
    put_uint(&g, "tos", k->ip_tos, m->ip_tos, 0xff, true);
    put_uint(&g, "ttl", k->ip_ttl, m->ip_ttl, 0xff, false);
    put_uint(&g, "tp_src", be16_to_host(k->tp_src), be16_to_host(m->tp_src),
             0xffff, false);
    put_uint(&g, "tp_dst", be16_to_host(k->tp_dst), be16_to_host(m->tp_dst),
             0xffff, false);
    if (m->present || !is_zero(m->opts, sizeof m->opts)) {
        group_field(&g, "metadata");
        ds_put_format(ds, "%#"PRIx64"/%#"PRIx64, k->present, m->present);
    }
    if (m->flags) {
        static const char *const names[] = { "df", "csum", "key", "oam" };
        if (!g.open) {
            ds_put_cstr(ds, "tunnel(");
            g.open = true;
        } else {
            ds_put_char(ds, ',');
        }
        ds_put_cstr(ds, "flags(");
        put_flags(ds, k->flags, m->flags, names, ARRAY_SIZE(names));
        ds_put_char(ds, ')');
    }
    if (!g.open) {
        ds_put_cstr(ds, "tunnel(");
        g.open = true;
    }
    group_end(&g, &dummy);
}

/* A single-value attribute "name(value[/mask])", if 'm' is nonzero. */
static void
format_scalar(struct ds *ds, bool *first, const char *name, uint64_t v,
              uint64_t m, uint64_t full, bool hex)
{
    if (!m) {
        return;
    }
    attr_start(ds, first);
    ds_put_format(ds, hex ? "%s(%#"PRIx64 : "%s(%"PRIu64, name, v);
    if (m != full) {
        ds_put_format(ds, "/%#"PRIx64, m);
    }
    ds_put_char(ds, ')');
}

/* "eth_type(0x0800)", with a mask if partial; nothing if wildcarded. */
static void
format_eth_type(struct ds *ds, bool *first, uint16_t v, uint16_t m)
{
    if (!m) {
        return;
    }
    attr_start(ds, first);
    ds_put_format(ds, "eth_type(0x%04"PRIx16, v);
    if (m != 0xffff) {
        ds_put_format(ds, "/0x%04"PRIx16, m);
    }
    ds_put_char(ds, ')');
}

static void
format_l2(const struct flow *k, const struct flow *m, struct ds *ds,
          bool *first)
{
    struct group g = { ds, "eth", false };

    if (!is_zero(&m->dl_src, sizeof m->dl_src)
        || !is_zero(&m->dl_dst, sizeof m->dl_dst)) {
        attr_start(ds, first);
        put_mac(&g, "src", &k->dl_src, &m->dl_src);
        put_mac(&g, "dst", &k->dl_dst, &m->dl_dst);
        group_end(&g, first);
    }
}

static void
format_l3_l4(const struct flow *k, const struct flow *m, struct ds *ds,
             bool *first)
{
    uint16_t dl_type = be16_to_host(k->dl_type);
    bool ip4 = dl_type == 0x0800, ip6 = dl_type == 0x86dd;
    bool arp = dl_type == 0x0806 || dl_type == 0x8035;

    format_eth_type(ds, first, dl_type, be16_to_host(m->dl_type));
    if (m->dl_type != (be16) 0xffff) {
        return;
    }

    if (ip4 || ip6) {
        struct group g = { ds, ip4 ? "ipv4" : "ipv6", false };
        size_t mark = ds->length;

        ds_put_char(ds, ',');
        if (ip4) {
            put_ip4(&g, "src", k->nw_src, m->nw_src);
            put_ip4(&g, "dst", k->nw_dst, m->nw_dst);
        } else {
            put_ip6(&g, "src", &k->ipv6_src, &m->ipv6_src);
            put_ip6(&g, "dst", &k->ipv6_dst, &m->ipv6_dst);
            put_uint(&g, "label", be32_to_host(k->ipv6_label),
                     be32_to_host(m->ipv6_label), 0xfffff, true);
        }
        put_uint(&g, "proto", k->nw_proto, m->nw_proto, 0xff, false);
        put_uint(&g, ip4 ? "tos" : "tclass", k->nw_tos, m->nw_tos, 0xff,
                 true);
        put_uint(&g, ip4 ? "ttl" : "hlimit", k->nw_ttl, m->nw_ttl, 0xff,
                 false);
        put_frag(&g, k->nw_frag, m->nw_frag);
        if (g.open) {
            group_end(&g, first);
        } else {
            ds_truncate(ds, mark);
        }
    } else if (arp) {
        struct group g = { ds, "arp", false };
        size_t mark = ds->length;

        ds_put_char(ds, ',');
        put_ip4(&g, "sip", k->nw_src, m->nw_src);
        put_ip4(&g, "tip", k->nw_dst, m->nw_dst);
        put_uint(&g, "op", k->nw_proto, m->nw_proto, 0xff, false);
        put_mac(&g, "sha", &k->arp_sha, &m->arp_sha);
        put_mac(&g, "tha", &k->arp_tha, &m->arp_tha);
        if (g.open) {
            group_end(&g, first);
        } else {
            ds_truncate(ds, mark);
        }
        return;
    } else {
        return;
    }

    if (m->nw_proto != 0xff || k->nw_frag & FLOW_NW_FRAG_LATER) {
        return;             /* No L4 header to show. */
    }
    const char *l4 = NULL;
    bool icmp = false;
    switch (k->nw_proto) {
    case IPPROTO_TCP:
        l4 = "tcp";
        break;
    case IPPROTO_UDP:
        l4 = "udp";
        break;
    case IPPROTO_SCTP:
        l4 = "sctp";
        break;
    case IPPROTO_ICMP:
        l4 = ip4 ? "icmp" : NULL;
        icmp = true;
        break;
    case IPPROTO_ICMPV6:
        l4 = ip6 ? "icmpv6" : NULL;
        icmp = true;
        break;
    default:
        break;
    }
    if (!l4) {
        return;
    }

    struct group g = { ds, l4, false };
    size_t mark = ds->length;
    ds_put_char(ds, ',');
    if (icmp) {
        put_uint(&g, "type", be16_to_host(k->tp_src),
                 be16_to_host(m->tp_src), 0xff, false);
        put_uint(&g, "code", be16_to_host(k->tp_dst),
                 be16_to_host(m->tp_dst), 0xff, false);
    } else {
        put_uint(&g, "src", be16_to_host(k->tp_src),
                 be16_to_host(m->tp_src), 0xffff, false);
        put_uint(&g, "dst", be16_to_host(k->tp_dst),
                 be16_to_host(m->tp_dst), 0xffff, false);
    }
    if (g.open) {
        group_end(&g, first);
    } else {
        ds_truncate(ds, mark);
    }

    if (k->nw_proto == IPPROTO_TCP && m->tcp_flags) {
        static const char *const names[] = {
            "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
        };
        attr_start(ds, first);
        ds_put_cstr(ds, "tcp_flags(");
        put_flags(ds, be16_to_host(k->tcp_flags), be16_to_host(m->tcp_flags),
                  names, ARRAY_SIZE(names));
        ds_put_char(ds, ')');
    }

    uint16_t icmp_type = be16_to_host(k->tp_src);
    if (icmp && ip6 && m->tp_src && (icmp_type == 135 || icmp_type == 136)) {
        struct group nd = { ds, "nd", false };
        mark = ds->length;
        ds_put_char(ds, ',');
        put_ip6(&nd, "target", &k->nd_target, &m->nd_target);
        put_mac(&nd, "sll", &k->arp_sha, &m->arp_sha);
        put_mac(&nd, "tll", &k->arp_tha, &m->arp_tha);
        if (nd.open) {
            group_end(&nd, first);
        } else {
            ds_truncate(ds, mark);
        }
    }
}

void
dpif_flow_key_format(const struct flow *key,
                     const struct flow_wildcards *mask, struct ds *ds)
{
    const struct flow *m = &mask->masks;
    bool first = true;

    format_tunnel(&key->tunnel, &m->tunnel, ds, &first);
    format_scalar(ds, &first, "skb_priority", key->skb_priority,
                  m->skb_priority, UINT32_MAX, true);
    format_scalar(ds, &first, "skb_mark", key->pkt_mark, m->pkt_mark,
                  UINT32_MAX, true);
    if (m->ct_state) {
        static const char *const names[] = {
            "new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat",
        };
        attr_start(ds, &first);
        ds_put_cstr(ds, "ct_state(");
        put_flags(ds, key->ct_state, m->ct_state, names, ARRAY_SIZE(names));
        ds_put_char(ds, ')');
    }
    format_scalar(ds, &first, "ct_zone", key->ct_zone, m->ct_zone, 0xffff,
                  true);
    format_scalar(ds, &first, "ct_mark", key->ct_mark, m->ct_mark,
                  UINT32_MAX, true);
    if (m->ct_label[0] || m->ct_label[1]) {
        attr_start(ds, &first);
        ds_put_format(ds, "ct_label(%#"PRIx64"%016"PRIx64,
                      key->ct_label[0], key->ct_label[1]);
        if (~m->ct_label[0] || ~m->ct_label[1]) {
            ds_put_format(ds, "/%#"PRIx64"%016"PRIx64,
                          m->ct_label[0], m->ct_label[1]);
        }
        ds_put_char(ds, ')');
    }
    attr_start(ds, &first);
    ds_put_format(ds, "recirc_id(%#"PRIx32")", key->recirc_id);
    format_scalar(ds, &first, "dp_hash", key->dp_hash, m->dp_hash,
                  UINT32_MAX, true);
    attr_start(ds, &first);
    ds_put_format(ds, "in_port(%"PRIu32")", key->in_port);
    attr_start(ds, &first);
    ds_put_format(ds, "packet_type(ns=%"PRIu32",id=%"PRIu32")",
                  key->packet_type >> 16, key->packet_type & 0xffff);
    format_l2(key, m, ds, &first);

    /* VLAN tags: "eth_type(0x8100),vlan(vid=..,pcp=..),encap(...)". */
    int n_encap = 0;
    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        if (!m->vlans[i].tci && !m->vlans[i].tpid) {
            break;
        }
        if (!(key->vlans[i].tci & htonbe16(VLAN_CFI))) {
            attr_start(ds, &first);
            ds_put_cstr(ds, "vlan(cfi=0)");
            break;
        }
        uint16_t tci = be16_to_host(key->vlans[i].tci);
        uint16_t tci_m = be16_to_host(m->vlans[i].tci);
        struct group g = { ds, "vlan", false };

        format_eth_type(ds, &first, be16_to_host(key->vlans[i].tpid),
                        0xffff);
        attr_start(ds, &first);
        put_uint(&g, "vid", tci & VLAN_VID_MASK, tci_m & VLAN_VID_MASK,
                 VLAN_VID_MASK, false);
        put_uint(&g, "pcp", tci >> VLAN_PCP_SHIFT, tci_m >> VLAN_PCP_SHIFT,
                 7, false);
        if (!g.open) {
            ds_put_cstr(ds, "vlan(");
            g.open = true;
        }
        group_end(&g, &first);
        ds_put_cstr(ds, ",encap(");
        first = true;
        n_encap++;
    }
    format_l3_l4(key, m, ds, &first);
    while (n_encap-- > 0) {
        ds_put_char(ds, ')');
    }
}

/* Appends TCP flags as dpctl does ("S", "F", ... and "." for ACK). */
static void
format_tcp_flags(uint16_t flags, struct ds *ds)
{
    static const struct {
        uint16_t bit;
        char c;
    } map[] = {
        { 0x002, 'S' }, { 0x001, 'F' }, { 0x008, 'P' }, { 0x004, 'R' },
        { 0x020, 'U' }, { 0x010, '.' }, { 0x040, 'E' }, { 0x080, 'C' },
        { 0x100, 'N' },
    };
    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        if (flags & map[i].bit) {
            ds_put_char(ds, map[i].c);
        }
    }
}

void
dpif_flow_format(const struct dpif_flow *flow, long long now, struct ds *ds)
{
    dpif_flow_key_format(flow->key, flow->mask, ds);
    ds_put_format(ds, ", packets:%"PRIu64", bytes:%"PRIu64", used:",
                  flow->stats.n_packets, flow->stats.n_bytes);
    if (flow->stats.used) {
        long long age = MAX(0, now - flow->stats.used);
        ds_put_format(ds, "%lld.%03llds", age / 1000, age % 1000);
    } else {
        ds_put_cstr(ds, "never");
    }
    if (flow->stats.tcp_flags) {
        ds_put_cstr(ds, ", flags:");
        format_tcp_flags(flow->stats.tcp_flags, ds);
    }
    ds_put_cstr(ds, ", actions:");
    if (flow->actions && flow->actions->size) {
        dp_actions_format(dp_actions_get(flow->actions), flow->actions->size,
                          ds);
    } else {
        ds_put_cstr(ds, "drop");
    }
}

struct flows_format_aux {
    struct ds *ds;              /* Output. */
    long long now;              /* time_msec(). */
    int thread;                 /* Thread of the last header, or -1. */
};

static void
flows_format_cb(void *aux_, const struct dpif_flow *flow)
{
    struct flows_format_aux *aux = aux_;

    dpif_flow_format(flow, aux->now, aux->ds);
    ds_put_char(aux->ds, '\n');
}

void
dpif_flows_format(struct dpif *dp, struct ds *ds)
{
    struct flows_format_aux aux = { ds, time_msec(), -1 };
    dpif_flow_for_each(dp, flows_format_cb, &aux);
}
