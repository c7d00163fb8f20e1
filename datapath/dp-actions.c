/* Datapath action lists: building, validating and formatting them (see
 * dp-actions.h); dp-execute.c runs them. */
#include "datapath/dp-actions.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/netdev-tunnel.h"
#include "lib/ds.h"

static const size_t set_field_sizes[DP_SET_N_FIELDS] = {
    [DP_SET_ETH] = sizeof (struct dp_key_eth),
    [DP_SET_IPV4] = sizeof (struct dp_key_ipv4),
    [DP_SET_IPV6] = sizeof (struct dp_key_ipv6),
    [DP_SET_TCP] = sizeof (struct dp_key_l4),
    [DP_SET_UDP] = sizeof (struct dp_key_l4),
    [DP_SET_SCTP] = sizeof (struct dp_key_l4),
    [DP_SET_ARP] = sizeof (struct dp_key_arp),
    [DP_SET_ND] = sizeof (struct dp_key_nd),
    [DP_SET_META] = sizeof (struct dp_key_meta),
    [DP_SET_MPLS] = sizeof (struct dp_key_mpls),
    [DP_SET_ICMP] = sizeof (struct dp_key_icmp),
};

size_t
dp_set_field_size(enum dp_set_field field)
{
    return field > 0 && field < DP_SET_N_FIELDS ? set_field_sizes[field] : 0;
}

/* Building. */

void
dp_actions_builder_init(struct dp_actions_builder *b)
{
    b->data = NULL;
    b->size = 0;
    b->allocated = 0;
    b->error = false;
}

void
dp_actions_builder_uninit(struct dp_actions_builder *b)
{
    free(b->data);
    dp_actions_builder_init(b);
}

/* Takes the list 'b' holds (which is left empty, as after
 * dp_actions_builder_init()) and returns it as an immutable struct
 * dp_actions that the caller owns (dp_actions_destroy() frees it).  After
 * an overflow the list is empty: the packet is dropped. */
struct dp_actions *
dp_actions_builder_finish(struct dp_actions_builder *b)
{
    size_t size = b->error ? 0 : b->size;
    struct dp_actions *acts = xmalloc(sizeof *acts + size);

    acts->size = size;
    if (size) {
        memcpy(acts->data, b->data, b->size);
    }
    dp_actions_builder_uninit(b);
    return acts;
}

/* See dp-actions.h. */
bool
dp_actions_builder_error(const struct dp_actions_builder *b)
{
    return b->error;
}

/* Frees 'acts' (NULL is fine). */
void
dp_actions_destroy(struct dp_actions *acts)
{
    free(acts);
}

/* Appends an action of 'type' with argument 'arg' and room for
 * 'payload_size' zeroed payload bytes; returns the payload.  The buffer
 * may move: pointers into it are valid until the next put.  An action too
 * large to encode sets b->error and is not appended (the payload returned
 * is scratch room past the list's end). */
static void *
put_action(struct dp_actions_builder *b, enum dp_action_type type,
           uint32_t arg, size_t payload_size)
{
    size_t len = DP_ACTION_HDR_SIZE
                 + ((payload_size + DP_ACTION_ALIGN - 1)
                    & ~(size_t) (DP_ACTION_ALIGN - 1));
    bool too_big = len > DP_ACTIONS_MAX_SIZE;

    if (too_big) {
        b->error = true;
    }
    if (b->size + len > b->allocated) {
        b->allocated = MAX(b->allocated * 2, MAX(b->size + len, 64));
        b->data = xrealloc(b->data, b->allocated);
    }
    uint8_t *p = b->data + b->size;
    struct dp_action *a = (struct dp_action *) (void *) p;

    memset(p, 0, len);
    a->type = type;
    a->len = (uint16_t) len;
    memcpy(p + 4, &arg, sizeof arg);
    if (!too_big) {
        b->size += len;
    }
    return p + DP_ACTION_HDR_SIZE;
}

/* Appends OUTPUT to datapath port 'port'. */
void
dp_actions_put_output(struct dp_actions_builder *b, uint32_t port)
{
    put_action(b, DP_ACTION_OUTPUT, port, 0);
}

/* Appends USERSPACE with a copy of the 'cookie_size' bytes at 'cookie' and
 * DP_USERSPACE_F_* 'flags'. */
void
dp_actions_put_userspace(struct dp_actions_builder *b, const void *cookie,
                         size_t cookie_size, uint32_t flags)
{
    struct dp_action_userspace *u;

    u = put_action(b, DP_ACTION_USERSPACE, flags, sizeof *u + cookie_size);
    u->cookie_size = cookie_size;
    if (cookie_size) {
        memcpy(u->cookie, cookie, cookie_size);
    }
}

/* Appends PUSH_VLAN of a tag with 'tpid' (0x8100 or 0x88a8) and 'tci'
 * (host order; VLAN_CFI is set on the wire whatever 'tci' says). */
void
dp_actions_put_push_vlan(struct dp_actions_builder *b, uint16_t tpid,
                         uint16_t tci)
{
    put_action(b, DP_ACTION_PUSH_VLAN, ((uint32_t) tpid << 16) | tci, 0);
}

/* Appends POP_VLAN (removes the outermost tag, if any). */
void
dp_actions_put_pop_vlan(struct dp_actions_builder *b)
{
    put_action(b, DP_ACTION_POP_VLAN, 0, 0);
}

void
dp_actions_put_push_mpls(struct dp_actions_builder *b, uint16_t ethertype,
                         be32 lse)
{
    struct dp_action_push_mpls *m = put_action(b, DP_ACTION_PUSH_MPLS,
                                               ethertype, sizeof *m);
    m->lse = lse;
    m->pad = 0;
}

void
dp_actions_put_pop_mpls(struct dp_actions_builder *b, uint16_t ethertype)
{
    put_action(b, DP_ACTION_POP_MPLS, ethertype, 0);
}

/* Appends SET_MASKED of 'field': the bits of the header that 'mask' (a
 * struct dp_key_* of the field) has set take their value from 'key'.  The
 * key is stored already masked. */
void
dp_actions_put_set_masked(struct dp_actions_builder *b,
                          enum dp_set_field field, const void *key,
                          const void *mask)
{
    size_t n = dp_set_field_size(field);
    ASSERT(n);

    uint8_t *p = put_action(b, DP_ACTION_SET_MASKED, field, 2 * n);
    const uint8_t *k = key, *m = mask;

    for (size_t i = 0; i < n; i++) {
        p[i] = k[i] & m[i];
        p[n + i] = m[i];
    }
}

/* Appends SET_TUNNEL: packets get 'tnl' as their tunnel metadata, for
 * output to a tunnel port. */
void
dp_actions_put_set_tunnel(struct dp_actions_builder *b,
                          const struct flow_tnl *tnl)
{
    memcpy(put_action(b, DP_ACTION_SET_TUNNEL, 0, sizeof *tnl), tnl,
           sizeof *tnl);
}

/* Appends RECIRC with recirculation id 'id'. */
void
dp_actions_put_recirc(struct dp_actions_builder *b, uint32_t id)
{
    put_action(b, DP_ACTION_RECIRC, id, 0);
}

/* Appends CT with the parameters 'ct' (copied). */
void
dp_actions_put_ct(struct dp_actions_builder *b, const struct dp_action_ct *ct)
{
    struct dp_action_ct *c = put_action(b, DP_ACTION_CT, 0, sizeof *c);

    *c = *ct;
    c->pad = 0;
    c->helper[DP_CT_HELPER_LEN - 1] = '\0';
}

/* Appends CT_CLEAR. */
void
dp_actions_put_ct_clear(struct dp_actions_builder *b)
{
    put_action(b, DP_ACTION_CT_CLEAR, 0, 0);
}

/* Appends HASH: md.dp_hash becomes the L4 5-tuple hash with 'basis'. */
void
dp_actions_put_hash(struct dp_actions_builder *b, uint32_t basis)
{
    put_action(b, DP_ACTION_HASH, basis, 0);
}

/* Appends METER through datapath meter 'meter_id'. */
void
dp_actions_put_meter(struct dp_actions_builder *b, uint32_t meter_id)
{
    put_action(b, DP_ACTION_METER, meter_id, 0);
}

/* Appends TRUNCATE: the next OUTPUT sends at most 'max_len' bytes. */
void
dp_actions_put_truncate(struct dp_actions_builder *b, uint32_t max_len)
{
    put_action(b, DP_ACTION_TRUNCATE, max_len, 0);
}

/* Appends DROP. */
void
dp_actions_put_drop(struct dp_actions_builder *b)
{
    put_action(b, DP_ACTION_DROP, 0, 0);
}

/* Opens a CLONE; returns its token. */
size_t
dp_actions_start_clone(struct dp_actions_builder *b)
{
    size_t token = b->size;

    put_action(b, DP_ACTION_CLONE, 0, 0);
    return token;
}

/* Opens a CHECK_PKT_LEN on 'pkt_len'; returns its token. */
size_t
dp_actions_start_check_pkt_len(struct dp_actions_builder *b,
                               uint32_t pkt_len)
{
    size_t token = b->size;

    put_action(b, DP_ACTION_CHECK_PKT_LEN, pkt_len,
               sizeof (struct dp_action_check_pkt_len));
    return token;
}

/* Ends the "greater" list of the CHECK_PKT_LEN opened as 'token'. */
void
dp_actions_check_pkt_len_else(struct dp_actions_builder *b, size_t token)
{
    struct dp_action_check_pkt_len *c;
    size_t start = token + DP_ACTION_HDR_SIZE + sizeof *c;

    c = (void *) (b->data + token + DP_ACTION_HDR_SIZE);
    c->gt_size = b->size - start;
}

/* Closes the CLONE or CHECK_PKT_LEN opened as 'token'. */
void
dp_actions_end_nested(struct dp_actions_builder *b, size_t token)
{
    struct dp_action *a = (struct dp_action *) (void *) (b->data + token);

    ASSERT(a->type == DP_ACTION_CLONE || a->type == DP_ACTION_CHECK_PKT_LEN);
    if (b->size - token > DP_ACTIONS_MAX_SIZE) {
        /* Too large to encode: drop the nested actions, flag the list. */
        b->error = true;
        b->size = token + DP_ACTION_HDR_SIZE;
        a->len = DP_ACTION_HDR_SIZE;
        return;
    }
    a->len = (uint16_t) (b->size - token);
}

/* Validation. */

static int validate_list(const uint8_t *p, size_t size, int depth);

static int
validate_action(const struct dp_action *a, int depth)
{
    size_t psize = dp_action_payload_size(a);
    const uint8_t *payload = dp_action_payload(a);

    switch ((enum dp_action_type) a->type) {
    case DP_ACTION_OUTPUT:
    case DP_ACTION_PUSH_VLAN:
    case DP_ACTION_POP_VLAN:
    case DP_ACTION_RECIRC:
    case DP_ACTION_CT_CLEAR:
    case DP_ACTION_HASH:
    case DP_ACTION_TRUNCATE:
    case DP_ACTION_DROP:
    case DP_ACTION_POP_MPLS:
    case DP_ACTION_METER:
        return psize == 0 ? 0 : -EINVAL;
    case DP_ACTION_PUSH_MPLS:
        return psize == sizeof (struct dp_action_push_mpls) ? 0 : -EINVAL;
    case DP_ACTION_USERSPACE: {
        const struct dp_action_userspace *u = (const void *) payload;

        return (psize >= sizeof *u && u->cookie_size <= psize - sizeof *u
                ? 0 : -EINVAL);
    }
    case DP_ACTION_SET_MASKED: {
        size_t n = dp_set_field_size(dp_action_arg(a));

        return n && psize >= 2 * n && psize < 2 * n + 8 ? 0 : -EINVAL;
    }
    case DP_ACTION_SET_TUNNEL:
        return psize == sizeof (struct flow_tnl) ? 0 : -EINVAL;
    case DP_ACTION_CT:
        return psize == sizeof (struct dp_action_ct) ? 0 : -EINVAL;
    case DP_ACTION_CLONE:
        return validate_list(payload, psize, depth + 1);
    case DP_ACTION_CHECK_PKT_LEN: {
        const struct dp_action_check_pkt_len *c = (const void *) payload;

        if (psize < sizeof *c || c->gt_size > psize - sizeof *c) {
            return -EINVAL;
        }
        payload += sizeof *c;
        psize -= sizeof *c;
        int err = validate_list(payload, c->gt_size, depth + 1);
        return err ? err : validate_list(payload + c->gt_size,
                                         psize - c->gt_size, depth + 1);
    }
    case DP_ACTION_N_TYPES:
    default:
        return -EINVAL;
    }
}

/* Nesting deeper than this is refused (each level is a stack frame). */
#define DP_ACTIONS_MAX_DEPTH 8

static int
validate_list(const uint8_t *p, size_t size, int depth)
{
    if (depth > DP_ACTIONS_MAX_DEPTH || size % DP_ACTION_ALIGN
        || (uintptr_t) p % DP_ACTION_ALIGN) {
        return -EINVAL;
    }
    while (size) {
        const struct dp_action *a = (const void *) p;

        if (size < DP_ACTION_HDR_SIZE || a->len < DP_ACTION_HDR_SIZE
            || a->len > size || a->len % DP_ACTION_ALIGN) {
            return -EINVAL;
        }
        int err = validate_action(a, depth);
        if (err) {
            return err;
        }
        p += a->len;
        size -= a->len;
    }
    return 0;
}

int
dp_actions_validate(const void *actions, size_t size)
{
    return size > DP_ACTIONS_MAX_SIZE ? -EINVAL
                                      : validate_list(actions, size, 0);
}

/* Formatting. */

static void
put_ip4(struct ds *ds, be32 ip)
{
    char buf[INET_ADDRSTRLEN];

    ds_put_cstr(ds, inet_ntop(AF_INET, &ip, buf, sizeof buf));
}

static void
put_ip6(struct ds *ds, const struct in6_addr *ip)
{
    char buf[INET6_ADDRSTRLEN];

    ds_put_cstr(ds, inet_ntop(AF_INET6, ip, buf, sizeof buf));
}

static bool
all_ones(const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xff) {
            return false;
        }
    }
    return true;
}

static bool
all_zeros(const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

/* A field of a set(): nothing if 'mask' is zero, "NAME=VALUE" if it is all
 * ones, else "NAME=VALUE/MASK", with a separating comma. */
enum fmt_kind { FMT_DEC, FMT_HEX, FMT_IP4, FMT_IP6, FMT_MAC };

static void
put_field(struct ds *ds, bool *first, const char *name, enum fmt_kind kind,
          const void *key, const void *mask, size_t n)
{
    if (all_zeros(mask, n)) {
        return;
    }
    ds_put_format(ds, "%s%s=", *first ? "" : ",", name);
    *first = false;
    for (int i = 0; i < 2; i++) {
        const void *v = i ? mask : key;
        uint32_t x = 0;

        if (i) {
            if (all_ones(mask, n)) {
                break;
            }
            ds_put_char(ds, '/');
        }
        switch (kind) {
        case FMT_DEC:
        case FMT_HEX:
            if (n == 1) {
                x = *(const uint8_t *) v;
            } else if (n == 2) {
                be16 b;
                memcpy(&b, v, 2);
                x = be16_to_host(b);
            } else {
                be32 b;
                memcpy(&b, v, 4);
                x = be32_to_host(b);
            }
            ds_put_format(ds, kind == FMT_DEC && !i ? "%"PRIu32 : "%#"PRIx32,
                          x);
            break;
        case FMT_IP4: {
            be32 ip;
            memcpy(&ip, v, 4);
            put_ip4(ds, ip);
            break;
        }
        case FMT_IP6:
            put_ip6(ds, v);
            break;
        case FMT_MAC: {
            const uint8_t *e = v;
            ds_put_format(ds, "%02x:%02x:%02x:%02x:%02x:%02x", e[0], e[1],
                          e[2], e[3], e[4], e[5]);
            break;
        }
        }
    }
}

#define FIELD(NAME, KIND, MEMBER) \
    put_field(ds, &first, NAME, KIND, &k->MEMBER, &m->MEMBER, \
              sizeof k->MEMBER)

static void
format_set_masked(const struct dp_action *a, struct ds *ds)
{
    enum dp_set_field field = dp_action_arg(a);
    size_t n = dp_set_field_size(field);
    const uint8_t *key = dp_action_payload(a), *mask = key + n;
    bool first = true;

    switch (field) {
    case DP_SET_ETH: {
        const struct dp_key_eth *k = (const void *) key, *m = (const void *) mask;
        ds_put_cstr(ds, "set(eth(");
        FIELD("src", FMT_MAC, src);
        FIELD("dst", FMT_MAC, dst);
        break;
    }
    case DP_SET_IPV4: {
        const struct dp_key_ipv4 *k = (const void *) key;
        const struct dp_key_ipv4 *m = (const void *) mask;
        ds_put_cstr(ds, "set(ipv4(");
        FIELD("src", FMT_IP4, src);
        FIELD("dst", FMT_IP4, dst);
        FIELD("tos", FMT_HEX, tos);
        FIELD("ttl", FMT_DEC, ttl);
        break;
    }
    case DP_SET_IPV6: {
        const struct dp_key_ipv6 *k = (const void *) key;
        const struct dp_key_ipv6 *m = (const void *) mask;
        ds_put_cstr(ds, "set(ipv6(");
        FIELD("src", FMT_IP6, src);
        FIELD("dst", FMT_IP6, dst);
        FIELD("label", FMT_HEX, label);
        FIELD("tclass", FMT_HEX, tclass);
        FIELD("hlimit", FMT_DEC, hlimit);
        break;
    }
    case DP_SET_TCP:
    case DP_SET_UDP:
    case DP_SET_SCTP: {
        const struct dp_key_l4 *k = (const void *) key, *m = (const void *) mask;
        ds_put_format(ds, "set(%s(", (field == DP_SET_TCP ? "tcp"
                                      : field == DP_SET_UDP ? "udp"
                                      : "sctp"));
        FIELD("src", FMT_DEC, src);
        FIELD("dst", FMT_DEC, dst);
        break;
    }
    case DP_SET_ARP: {
        const struct dp_key_arp *k = (const void *) key, *m = (const void *) mask;
        ds_put_cstr(ds, "set(arp(");
        FIELD("sip", FMT_IP4, spa);
        FIELD("tip", FMT_IP4, tpa);
        FIELD("op", FMT_DEC, op);
        FIELD("sha", FMT_MAC, sha);
        FIELD("tha", FMT_MAC, tha);
        break;
    }
    case DP_SET_ND: {
        const struct dp_key_nd *k = (const void *) key, *m = (const void *) mask;
        ds_put_cstr(ds, "set(nd(");
        FIELD("target", FMT_IP6, target);
        FIELD("sll", FMT_MAC, sll);
        FIELD("tll", FMT_MAC, tll);
        break;
    }
    case DP_SET_META: {
        /* ovs-vswitchd prints these as separate set()s. */
        const struct dp_key_meta *k = (const void *) key;
        const struct dp_key_meta *m = (const void *) mask;
        const char *sep = "";

        if (m->skb_priority) {
            ds_put_format(ds, "set(skb_priority(%#"PRIx32, k->skb_priority);
            if (m->skb_priority != UINT32_MAX) {
                ds_put_format(ds, "/%#"PRIx32, m->skb_priority);
            }
            ds_put_cstr(ds, "))");
            sep = ",";
        }
        if (m->pkt_mark || !m->skb_priority) {
            ds_put_format(ds, "%sset(skb_mark(%#"PRIx32, sep, k->pkt_mark);
            if (m->pkt_mark != UINT32_MAX) {
                ds_put_format(ds, "/%#"PRIx32, m->pkt_mark);
            }
            ds_put_cstr(ds, "))");
        }
        return;
    }
    case DP_SET_ICMP: {
        const struct dp_key_icmp *k = (const void *) key;
        const struct dp_key_icmp *m = (const void *) mask;
        ds_put_cstr(ds, "set(icmp(");
        FIELD("type", FMT_DEC, type);
        FIELD("code", FMT_DEC, code);
        break;
    }
    case DP_SET_MPLS: {
        const struct dp_key_mpls *k = (const void *) key;
        const struct dp_key_mpls *m = (const void *) mask;
        uint32_t kv = be32_to_host(k->lse), mv = be32_to_host(m->lse);
        const char *sep = "";

        ds_put_cstr(ds, "set(mpls(");
        if (mv & MPLS_LABEL_MASK) {
            ds_put_format(ds, "label=%"PRIu32, kv >> MPLS_LABEL_SHIFT);
            sep = ",";
        }
        if (mv & MPLS_TC_MASK) {
            ds_put_format(ds, "%stc=%"PRIu32, sep,
                          (kv & MPLS_TC_MASK) >> MPLS_TC_SHIFT);
            sep = ",";
        }
        if (mv & MPLS_TTL_MASK) {
            ds_put_format(ds, "%sttl=%"PRIu32, sep, kv & MPLS_TTL_MASK);
            sep = ",";
        }
        if (mv & MPLS_BOS_MASK) {
            ds_put_format(ds, "%sbos=%"PRIu32, sep,
                          (kv & MPLS_BOS_MASK) >> MPLS_BOS_SHIFT);
        }
        break;
    }
    case DP_SET_N_FIELDS:
    default:
        ds_put_format(ds, "set(unknown%d(", (int) field);
        break;
    }
    ds_put_cstr(ds, "))");
}
#undef FIELD

static void
format_tunnel(const struct flow_tnl *t, struct ds *ds)
{
    ds_put_format(ds, "set(tunnel(tun_id=%#"PRIx64, be64_to_host(t->tun_id));
    if (t->ip_src) {
        ds_put_cstr(ds, ",src=");
        put_ip4(ds, t->ip_src);
    }
    if (t->ip_dst) {
        ds_put_cstr(ds, ",dst=");
        put_ip4(ds, t->ip_dst);
    }
    if (!all_zeros(&t->ipv6_src, sizeof t->ipv6_src)) {
        ds_put_cstr(ds, ",ipv6_src=");
        put_ip6(ds, &t->ipv6_src);
    }
    if (!all_zeros(&t->ipv6_dst, sizeof t->ipv6_dst)) {
        ds_put_cstr(ds, ",ipv6_dst=");
        put_ip6(ds, &t->ipv6_dst);
    }
    if (t->ip_tos) {
        ds_put_format(ds, ",tos=%#x", t->ip_tos);
    }
    ds_put_format(ds, ",ttl=%u", t->ip_ttl);
    if (t->tp_src) {
        ds_put_format(ds, ",tp_src=%u", be16_to_host(t->tp_src));
    }
    if (t->tp_dst) {
        ds_put_format(ds, ",tp_dst=%u", be16_to_host(t->tp_dst));
    }
    if (t->gbp_id || t->gbp_flags) {
        ds_put_format(ds, ",vxlan(gbp(id=%u,flags=%#x))",
                      be16_to_host(t->gbp_id), t->gbp_flags);
    }
    if (t->present) {
        ds_put_cstr(ds, ",geneve(");
        netdev_tunnel_format_opts(t->present, t->opts, ds);
        ds_put_char(ds, ')');
    }
    ds_put_cstr(ds, ",flags(");
    static const struct { uint16_t bit; const char *name; } flags[] = {
        { FLOW_TNL_F_DONT_FRAGMENT, "df" },
        { FLOW_TNL_F_CSUM, "csum" },
        { FLOW_TNL_F_KEY, "key" },
        { FLOW_TNL_F_OAM, "oam" },
    };
    const char *sep = "";
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        if (t->flags & flags[i].bit) {
            ds_put_format(ds, "%s%s", sep, flags[i].name);
            sep = "|";
        }
    }
    ds_put_cstr(ds, ")))");
}

static void
format_nat(const struct dp_ct_nat *nat, struct ds *ds)
{
    ds_put_cstr(ds, "nat");
    if (!(nat->flags & (DP_NAT_F_SRC | DP_NAT_F_DST))) {
        return;
    }
    ds_put_format(ds, "(%s", nat->flags & DP_NAT_F_SRC ? "src" : "dst");
    if (nat->family) {
        bool v6 = nat->family == AF_INET6;
        bool range = memcmp(&nat->addr_min, &nat->addr_max,
                            sizeof nat->addr_min);

        ds_put_char(ds, '=');
        for (int i = 0; i < 1 + range; i++) {
            const struct in6_addr *a = i ? &nat->addr_max : &nat->addr_min;

            ds_put_cstr(ds, i ? "-" : "");
            if (v6) {
                ds_put_char(ds, '[');
                put_ip6(ds, a);
                ds_put_char(ds, ']');
            } else {
                be32 ip;
                memcpy(&ip, a, 4);
                put_ip4(ds, ip);
            }
        }
        if (nat->proto_min) {
            ds_put_format(ds, ":%u", nat->proto_min);
            if (nat->proto_max != nat->proto_min) {
                ds_put_format(ds, "-%u", nat->proto_max);
            }
        }
    }
    if (nat->flags & DP_NAT_F_PERSISTENT) {
        ds_put_cstr(ds, ",persistent");
    }
    if (nat->flags & DP_NAT_F_HASH) {
        ds_put_cstr(ds, ",hash");
    }
    if (nat->flags & DP_NAT_F_RANDOM) {
        ds_put_cstr(ds, ",random");
    }
    ds_put_char(ds, ')');
}

static void
format_ct(const struct dp_action_ct *ct, struct ds *ds)
{
    const char *sep = "";

    ds_put_cstr(ds, "ct(");
    if (ct->flags & DP_CT_F_FORCE) {
        ds_put_cstr(ds, "force_commit");
        sep = ",";
    } else if (ct->flags & DP_CT_F_COMMIT) {
        ds_put_cstr(ds, "commit");
        sep = ",";
    }
    if (ct->zone) {
        ds_put_format(ds, "%szone=%u", sep, ct->zone);
        sep = ",";
    }
    if (ct->mark_mask) {
        ds_put_format(ds, "%smark=%#"PRIx32, sep, ct->mark);
        if (ct->mark_mask != UINT32_MAX) {
            ds_put_format(ds, "/%#"PRIx32, ct->mark_mask);
        }
        sep = ",";
    }
    if (ct->label_mask[0] || ct->label_mask[1]) {
        ds_put_format(ds, "%slabel=0x%016"PRIx64"%016"PRIx64, sep,
                      ct->label[0], ct->label[1]);
        if (ct->label_mask[0] != UINT64_MAX
            || ct->label_mask[1] != UINT64_MAX) {
            ds_put_format(ds, "/0x%016"PRIx64"%016"PRIx64,
                          ct->label_mask[0], ct->label_mask[1]);
        }
        sep = ",";
    }
    if (ct->helper[0]) {
        ds_put_format(ds, "%shelper=%.*s", sep, DP_CT_HELPER_LEN,
                      ct->helper);
        sep = ",";
    }
    if (ct->flags & DP_CT_F_NAT) {
        ds_put_cstr(ds, sep);
        format_nat(&ct->nat, ds);
    }
    ds_put_char(ds, ')');
}

static void
format_userspace(const struct dp_action *a, struct ds *ds)
{
    const struct dp_action_userspace *u = dp_action_payload(a);

    ds_put_cstr(ds, "userspace(pid=0");
    if (u->cookie_size) {
        ds_put_cstr(ds, ",userdata(");
        for (size_t i = 0; i < u->cookie_size; i++) {
            ds_put_format(ds, "%02x", u->cookie[i]);
        }
        ds_put_char(ds, ')');
    }
    if (dp_action_arg(a) & DP_USERSPACE_F_CONTINUE) {
        ds_put_cstr(ds, ",continue");
    }
    ds_put_char(ds, ')');
}

static void
format_action(const struct dp_action *a, struct ds *ds)
{
    uint32_t arg = dp_action_arg(a);

    switch ((enum dp_action_type) a->type) {
    case DP_ACTION_OUTPUT:
        ds_put_format(ds, "%"PRIu32, arg);
        break;
    case DP_ACTION_USERSPACE:
        format_userspace(a, ds);
        break;
    case DP_ACTION_PUSH_VLAN: {
        uint16_t tpid = arg >> 16, tci = arg & 0xffff;

        ds_put_cstr(ds, "push_vlan(");
        if (tpid != 0x8100) {
            ds_put_format(ds, "tpid=%#x,", tpid);
        }
        ds_put_format(ds, "vid=%u,pcp=%u)", tci & VLAN_VID_MASK,
                      tci >> VLAN_PCP_SHIFT);
        break;
    }
    case DP_ACTION_POP_VLAN:
        ds_put_cstr(ds, "pop_vlan");
        break;
    case DP_ACTION_PUSH_MPLS: {
        const struct dp_action_push_mpls *m = dp_action_payload(a);
        uint32_t lse = be32_to_host(m->lse);

        ds_put_format(ds, "push_mpls(label=%"PRIu32",tc=%"PRIu32
                      ",ttl=%"PRIu32",bos=%"PRIu32",eth_type=%#"PRIx32")",
                      lse >> MPLS_LABEL_SHIFT,
                      (lse & MPLS_TC_MASK) >> MPLS_TC_SHIFT,
                      lse & MPLS_TTL_MASK,
                      (lse & MPLS_BOS_MASK) >> MPLS_BOS_SHIFT, arg);
        break;
    }
    case DP_ACTION_POP_MPLS:
        ds_put_format(ds, "pop_mpls(eth_type=%#"PRIx32")", arg);
        break;
    case DP_ACTION_SET_MASKED:
        format_set_masked(a, ds);
        break;
    case DP_ACTION_SET_TUNNEL:
        format_tunnel(dp_action_payload(a), ds);
        break;
    case DP_ACTION_RECIRC:
        ds_put_format(ds, "recirc(%#"PRIx32")", arg);
        break;
    case DP_ACTION_CT:
        format_ct(dp_action_payload(a), ds);
        break;
    case DP_ACTION_CT_CLEAR:
        ds_put_cstr(ds, "ct_clear");
        break;
    case DP_ACTION_HASH:
        ds_put_format(ds, "hash(l4(%"PRIu32"))", arg);
        break;
    case DP_ACTION_CLONE:
        ds_put_cstr(ds, "clone(");
        dp_actions_format(dp_action_payload(a), dp_action_payload_size(a),
                          ds);
        ds_put_char(ds, ')');
        break;
    case DP_ACTION_TRUNCATE:
        ds_put_format(ds, "trunc(%"PRIu32")", arg);
        break;
    case DP_ACTION_METER:
        ds_put_format(ds, "meter(%"PRIu32")", arg);
        break;
    case DP_ACTION_CHECK_PKT_LEN: {
        const struct dp_action_check_pkt_len *c = dp_action_payload(a);
        const struct dp_action *gt = (const void *) (c + 1);

        ds_put_format(ds, "check_pkt_len(size=%"PRIu32",gt(", arg);
        dp_actions_format(gt, c->gt_size, ds);
        ds_put_cstr(ds, "),le(");
        dp_actions_format(dp_action_next_at_(gt, c->gt_size),
                          dp_action_payload_size(a) - sizeof *c - c->gt_size,
                          ds);
        ds_put_cstr(ds, "))");
        break;
    }
    case DP_ACTION_DROP:
        ds_put_cstr(ds, "drop");
        break;
    case DP_ACTION_N_TYPES:
    default:
        ds_put_format(ds, "unknown(%u)", a->type);
        break;
    }
}

void
dp_actions_format(const struct dp_action *actions, size_t size,
                  struct ds *ds)
{
    if (!size) {
        ds_put_cstr(ds, "drop");
        return;
    }
    DP_ACTION_FOR_EACH (a, actions, size) {
        if (a != actions) {
            ds_put_char(ds, ',');
        }
        format_action(a, ds);
    }
}
