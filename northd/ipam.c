/* IPAM for kiln-northd: picks the MAC, IPv4 and IPv6 addresses of logical
 * switch ports whose "addresses" say "dynamic", as ovn-northd(8) does, and
 * formats them as the Logical_Switch_Port dynamic_addresses column
 * (ovn-nb(5)).  The compiler (northd.c) feeds it strings from the
 * northbound database and writes back what it returns. */
#include "northd/ipam.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/uuid.h"

/* Dynamic MACs are the 3-byte prefix and a 24-bit suffix in 1...0xfffffe. */
#define IPAM_MAC_SPACE 0xffffffu

/* A MAC in use, counted, so that a duplicate static MAC is released only
 * when its last user is. */
struct ipam_mac {
    struct hmap_node node;      /* In 'struct ipam_macs' 'used'. */
    uint64_t mac;               /* The 48-bit MAC. */
    unsigned int n_refs;        /* Number of users, >= 1. */
};

static uint64_t
ipam_mac_to_u64(const struct eth_addr *ea)
{
    uint64_t x = 0;
    for (int i = 0; i < 6; i++) {
        x = (x << 8) | ea->ea[i];
    }
    return x;
}

static struct eth_addr
ipam_mac_from_u64(uint64_t x)
{
    struct eth_addr ea;
    for (int i = 5; i >= 0; i--) {
        ea.ea[i] = x & 0xff;
        x >>= 8;
    }
    return ea;
}

static struct ipam_mac *
ipam_mac_find(const struct ipam_macs *macs, uint64_t mac)
{
    struct ipam_mac *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash_uint64(mac, 0), &macs->used) {
        if (m->mac == mac) {
            return m;
        }
    }
    return NULL;
}

/* Parses "xx:xx:xx" into the first 3 bytes of '*prefix'.  Returns false,
 * leaving '*prefix' unchanged, if 's' is anything else. */
static bool
ipam_parse_prefix(const char *s, struct eth_addr *prefix)
{
    char full[ETH_ADDR_STRLEN + 10];
    struct eth_addr ea;
    if (!s || strlen(s) != 8) {
        return false;
    }
    snprintf(full, sizeof full, "%s:00:00:00", s);
    if (!eth_addr_from_string(full, &ea)) {
        return false;
    }
    *prefix = ea;
    return true;
}

/* Sets the prefix of dynamic MACs from 'mac_prefix' (NB_Global
 * options:mac_prefix, "xx:xx:xx").  If 'mac_prefix' is NULL or invalid,
 * keeps the current prefix. */
void
ipam_macs_set_prefix(struct ipam_macs *macs, const char *mac_prefix)
{
    ipam_parse_prefix(mac_prefix, &macs->prefix);
}

/* Initializes 'macs' with no MAC in use and the prefix 'mac_prefix'
 * (NB_Global options:mac_prefix, may be NULL); if it is NULL or invalid,
 * picks a random unicast, locally administered prefix, which the caller
 * should write back to options:mac_prefix (ipam_macs_prefix_to_string()) as
 * ovn-northd does. */
void
ipam_macs_init(struct ipam_macs *macs, const char *mac_prefix)
{
    hmap_init(&macs->used);
    memset(&macs->prefix, 0, sizeof macs->prefix);
    if (!ipam_parse_prefix(mac_prefix, &macs->prefix)) {
        struct uuid r;
        uuid_generate(&r);
        const uint8_t *b = (const uint8_t *) &r;
        macs->prefix.ea[0] = (b[0] & 0xfe) | 0x02;
        macs->prefix.ea[1] = b[1];
        macs->prefix.ea[2] = b[2];
    }
}

/* Forgets every MAC in use, keeping the prefix (before a full recompute). */
void
ipam_macs_clear(struct ipam_macs *macs)
{
    struct ipam_mac *m;
    HMAP_FOR_EACH_POP (m, node, &macs->used) {
        free(m);
    }
}

/* Frees what 'macs' owns. */
void
ipam_macs_uninit(struct ipam_macs *macs)
{
    ipam_macs_clear(macs);
    hmap_uninit(&macs->used);
}

/* Returns the prefix as "xx:xx:xx"; the caller frees it. */
char *
ipam_macs_prefix_to_string(const struct ipam_macs *macs)
{
    return xasprintf("%02x:%02x:%02x", macs->prefix.ea[0],
                     macs->prefix.ea[1], macs->prefix.ea[2]);
}

/* Marks 'ea' in use (once more).  Returns true if nobody used it before,
 * false for a duplicate, which is still counted. */
bool
ipam_macs_add(struct ipam_macs *macs, const struct eth_addr *ea)
{
    uint64_t mac = ipam_mac_to_u64(ea);
    struct ipam_mac *m = ipam_mac_find(macs, mac);
    if (m) {
        m->n_refs++;
        return false;
    }
    m = xmalloc(sizeof *m);
    m->mac = mac;
    m->n_refs = 1;
    hmap_insert(&macs->used, &m->node, hash_uint64(mac, 0));
    return true;
}

/* Drops one use of 'ea'; a MAC not in use is ignored. */
void
ipam_macs_remove(struct ipam_macs *macs, const struct eth_addr *ea)
{
    struct ipam_mac *m = ipam_mac_find(macs, ipam_mac_to_u64(ea));
    if (m && !--m->n_refs) {
        hmap_remove(&macs->used, &m->node);
        free(m);
    }
}

/* Returns whether 'ea' is in use. */
bool
ipam_macs_contains(const struct ipam_macs *macs, const struct eth_addr *ea)
{
    return ipam_mac_find(macs, ipam_mac_to_u64(ea)) != NULL;
}

/* ovn-northd(8): a dynamic MAC is the prefix and a suffix derived from
 * 'base' (the port's IPv4 address, or 0): the first unused of
 * (base + i) mod 0xfffffe + 1 for i = 0, 1, ...  Returns false if all
 * 16 million are taken. */
static bool
ipam_macs_allocate(struct ipam_macs *macs, uint32_t base,
                   struct eth_addr *ea)
{
    uint64_t prefix = ipam_mac_to_u64(&macs->prefix) & ~(uint64_t) 0xffffff;
    base &= IPAM_MAC_SPACE;
    for (uint32_t i = 0; i < IPAM_MAC_SPACE; i++) {
        uint64_t suffix = (base + i) % (IPAM_MAC_SPACE - 1) + 1;
        struct eth_addr cand = ipam_mac_from_u64(prefix | suffix);
        if (!ipam_macs_contains(macs, &cand)) {
            ipam_macs_add(macs, &cand);
            *ea = cand;
            return true;
        }
    }
    return false;
}

/* Initializes 'sw' with IPAM disabled. */
void
ipam_switch_init(struct ipam_switch *sw)
{
    memset(sw, 0, sizeof *sw);
}

/* Frees what 'sw' owns. */
void
ipam_switch_uninit(struct ipam_switch *sw)
{
    free(sw->used);
    free(sw->excluded);
    memset(sw, 0, sizeof *sw);
}

/* Appends a problem to '*error' (NULL or owned by the caller). */
static void PRINTF_FORMAT(2, 3)
ipam_error(char **error, const char *fmt, ...)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    va_list args;
    if (*error) {
        ds_put_format(&s, "%s; ", *error);
        free(*error);
    }
    va_start(args, fmt);
    ds_put_format_valist(&s, fmt, args);
    va_end(args);
    *error = ds_steal_cstr(&s);
}

static bool
ipam_parse_subnet(struct ipam_switch *sw, const char *subnet)
{
    struct ip_prefix p;
    if (!strchr(subnet, '/')
        || !ip_prefix_from_string_mask(subnet, &p)
        || p.family != AF_INET || p.plen < 8) {
        return false;
    }
    sw->plen = p.plen;
    sw->network = ntohl(p.ip4) & ntohl(ip4_netmask(p.plen));
    sw->n_addrs = p.plen ? (uint32_t) 1 << (32 - p.plen) : 0;
    sw->used = xcalloc((sw->n_addrs + 63) / 64, sizeof *sw->used);
    sw->has_ip4 = true;
    return true;
}

/* Reads one word of exclude_ips at '*sp': everything up to a space, a
 * comma or "..".  Returns its length, 0 at the end or at a comma or "..",
 * which ovn-northd does not take as separators. */
static size_t
ipam_exclude_word(const char **sp)
{
    const char *s = *sp;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    *sp = s;
    size_t n = 0;
    while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != ','
           && strncmp(&s[n], "..", 2)) {
        n++;
    }
    return n;
}

static bool
ipam_exclude_ip(const char *s, size_t n, uint32_t *ip)
{
    char buf[16];
    uint32_t be;
    if (n == 0 || n >= sizeof buf) {
        return false;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (!ip4_from_string(buf, &be)) {
        return false;
    }
    *ip = ntohl(be);
    return true;
}

/* ovn-nb(5) exclude_ips: addresses and "A..B" ranges separated by
 * spaces.  As ovn-northd does, a parse error stops at that word and
 * keeps what came before; a range partly outside the subnet is clamped to
 * it, one wholly outside is skipped.  Returns false on any problem. */
static bool
ipam_parse_exclude(struct ipam_switch *sw, const char *s, char **error)
{
    uint32_t first = sw->network;
    uint32_t last = sw->network + (sw->n_addrs - 1);
    size_t allocated = 0;
    bool ok = true;

    for (;;) {
        size_t n = ipam_exclude_word(&s);
        uint32_t start, end;
        if (!n && !*s) {
            break;
        }
        if (!ipam_exclude_ip(s, n, &start)) {
            ipam_error(error, "bad exclude_ips word \"%.*s\"", (int) n, s);
            return false;
        }
        s += n;
        end = start;
        if (!strncmp(s, "..", 2)) {
            s += 2;
            n = ipam_exclude_word(&s);
            if (!ipam_exclude_ip(s, n, &end) || end < start) {
                ipam_error(error, "bad exclude_ips range end \"%.*s\"",
                           (int) n, s);
                return false;
            }
            s += n;
        }
        if (end < first || start > last) {
            ipam_error(error, "excluded addresses not in subnet");
            ok = false;
            continue;
        }
        if (start < first || end > last) {
            ipam_error(error, "excluded addresses not in subnet");
            ok = false;
        }
        if (sw->n_excluded >= allocated) {
            sw->excluded = x2nrealloc(sw->excluded, &allocated,
                                      sizeof *sw->excluded);
        }
        sw->excluded[sw->n_excluded].start = MAX(start, first);
        sw->excluded[sw->n_excluded].end = MIN(end, last);
        sw->n_excluded++;
    }
    return ok;
}

static bool
ipam_parse_ip6_prefix(struct ipam_switch *sw, const char *s)
{
    struct ip_prefix p;
    if (!ip_prefix_from_string(s, &p) || p.family != AF_INET6) {
        return false;
    }
    /* ovn-northd uses the upper 64 bits whatever the length or the rest. */
    memset(&sw->ip6_prefix, 0, sizeof sw->ip6_prefix);
    memcpy(&sw->ip6_prefix, &p.ip6, 8);
    sw->has_ip6 = true;
    return true;
}

/* Configures 'sw' from its Logical_Switch other_config values (each NULL if
 * absent): 'subnet' ("A.B.C.D/PLEN" or "A.B.C.D/MASK", PLEN 8...32),
 * 'exclude_ips', 'ipv6_prefix' and 'mac_only' ("true" enables).  Forgets
 * every address marked used before.
 *
 * Returns 0, or -EINVAL if some value is invalid, with '*errorp' (if
 * 'errorp' is nonnull) set to a message the caller frees and logs.  Valid
 * parts apply anyway, as in ovn-northd: a bad subnet disables IPv4 (and
 * exclude_ips), a bad exclude_ips keeps the ranges before the bad word, a
 * bad ipv6_prefix disables IPv6. */
int
ipam_switch_configure(struct ipam_switch *sw, const char *subnet,
                      const char *exclude_ips, const char *ipv6_prefix,
                      const char *mac_only, char **errorp)
{
    char *error = NULL;
    bool ok = true;

    ipam_switch_uninit(sw);
    if (subnet && !ipam_parse_subnet(sw, subnet)) {
        ipam_error(&error, "bad subnet \"%s\"", subnet);
        ok = false;
    }
    if (sw->has_ip4 && exclude_ips
        && !ipam_parse_exclude(sw, exclude_ips, &error)) {
        ok = false;
    }
    if (ipv6_prefix && !ipam_parse_ip6_prefix(sw, ipv6_prefix)) {
        ipam_error(&error, "bad ipv6_prefix \"%s\"", ipv6_prefix);
        ok = false;
    }
    sw->mac_only = mac_only && !strcmp(mac_only, "true");
    sw->hint = 2;

    if (errorp) {
        *errorp = error;
    } else {
        free(error);
    }
    return ok ? 0 : -EINVAL;
}

/* Returns whether 'sw' assigns anything: a valid subnet or IPv6 prefix, or
 * mac_only.  If not, dynamic ports of the switch get no dynamic_addresses
 * (ipam_switch_assign() returns NULL). */
bool
ipam_switch_enabled(const struct ipam_switch *sw)
{
    return sw->has_ip4 || sw->has_ip6 || sw->mac_only;
}

/* Returns the index of 'ip4' in the subnet, or -1 if it is outside. */
static int64_t
ipam_index(const struct ipam_switch *sw, uint32_t ip4)
{
    if (!sw->has_ip4 || ip4 - sw->network >= sw->n_addrs) {
        return -1;
    }
    return ip4 - sw->network;
}

static bool
ipam_bit(const struct ipam_switch *sw, uint32_t idx)
{
    return (sw->used[idx / 64] >> (idx % 64)) & 1;
}

static void
ipam_set_bit(struct ipam_switch *sw, uint32_t idx, bool value)
{
    if (value) {
        sw->used[idx / 64] |= (uint64_t) 1 << (idx % 64);
    } else {
        sw->used[idx / 64] &= ~((uint64_t) 1 << (idx % 64));
        sw->hint = MIN(sw->hint, MAX(idx, 2));
    }
}

/* Returns the excluded range that holds 'ip4', or NULL. */
static const struct ipam_range *
ipam_excluded(const struct ipam_switch *sw, uint32_t ip4)
{
    for (size_t i = 0; i < sw->n_excluded; i++) {
        if (ip4 >= sw->excluded[i].start && ip4 <= sw->excluded[i].end) {
            return &sw->excluded[i];
        }
    }
    return NULL;
}

/* Returns whether 'ip4' (host byte order) can be given to a port: in the
 * subnet, neither the network, the gateway (network + 1) nor the broadcast
 * address, not excluded and not used. */
bool
ipam_switch_ip4_is_free(const struct ipam_switch *sw, uint32_t ip4)
{
    int64_t idx = ipam_index(sw, ip4);
    return (idx >= 2 && idx + 1 < sw->n_addrs && !ipam_bit(sw, idx)
            && !ipam_excluded(sw, ip4));
}

/* Finds, marks and returns in '*ip4' the lowest free address. */
static bool
ipam_allocate_ip4(struct ipam_switch *sw, uint32_t *ip4)
{
    uint32_t idx = MAX(sw->hint, 2);
    while (idx + 1 < sw->n_addrs) {
        if (idx % 64 == 0 && sw->used[idx / 64] == UINT64_MAX) {
            idx += 64;
            continue;
        }
        const struct ipam_range *r = ipam_excluded(sw, sw->network + idx);
        if (r) {
            idx = r->end - sw->network + 1;
            continue;
        }
        if (!ipam_bit(sw, idx)) {
            ipam_set_bit(sw, idx, true);
            sw->hint = idx + 1;
            *ip4 = sw->network + idx;
            return true;
        }
        idx++;
    }
    sw->hint = idx;
    return false;
}

/* Marks 'ip4' used if it is in the subnet. */
static void
ipam_mark_ip4(struct ipam_switch *sw, uint32_t ip4, bool value)
{
    int64_t idx = ipam_index(sw, ip4);
    if (idx >= 0) {
        ipam_set_bit(sw, idx, value);
    }
}

/* Marks as used the MAC and the IPv4 addresses in 'addresses', a static
 * Logical_Switch_Port "addresses" entry ("MAC [IP]..."; "ADDR/PLEN" words
 * count as ADDR).  Entries without a MAC ("router", "unknown", "dynamic")
 * and unparsable words are ignored: the caller handles those. */
void
ipam_switch_add_static(struct ipam_switch *sw, struct ipam_macs *macs,
                       const char *addresses)
{
    char *copy = xstrdup(addresses);
    char *save = NULL;
    char *word = strtok_r(copy, " \t", &save);
    struct eth_addr ea;

    if (word && eth_addr_from_string(word, &ea)) {
        ipam_macs_add(macs, &ea);
        while ((word = strtok_r(NULL, " \t", &save))) {
            struct ip_prefix p;
            if (ip_prefix_from_string(word, &p) && p.family == AF_INET) {
                ipam_mark_ip4(sw, ntohl(p.ip4), true);
            }
        }
    }
    free(copy);
}

/* Marks as used the MAC 'mac' and the IPv4 addresses of 'networks'
 * ("A.B.C.D/PLEN" or IPv6) of a Logical_Router_Port connected to the
 * switch through a port of type "router". */
void
ipam_switch_add_router_port(struct ipam_switch *sw, struct ipam_macs *macs,
                            const char *mac, const char *const *networks,
                            size_t n_networks)
{
    struct eth_addr ea;
    if (mac && eth_addr_from_string(mac, &ea)) {
        ipam_macs_add(macs, &ea);
    }
    for (size_t i = 0; i < n_networks; i++) {
        struct ip_prefix p;
        if (ip_prefix_from_string(networks[i], &p) && p.family == AF_INET) {
            ipam_mark_ip4(sw, ntohl(p.ip4), true);
        }
    }
}

/* Parses 'dynamic_addresses' ("MAC [IPv4] [IPv6]") into 'port''s current
 * MAC and IPv4.  Leaves them unset if the MAC does not parse. */
static void
ipam_port_parse_current(struct ipam_port *port, const char *dyn)
{
    char *copy = xstrdup(dyn);
    char *save = NULL;
    char *word = strtok_r(copy, " \t", &save);

    if (word && eth_addr_from_string(word, &port->cur_mac)) {
        port->cur_mac_set = true;
        while ((word = strtok_r(NULL, " \t", &save))) {
            uint32_t be;
            if (!port->cur_ip4_set && ip4_from_string(word, &be)) {
                port->cur_ip4_set = true;
                port->cur_ip4 = ntohl(be);
            }
        }
    }
    free(copy);
}

/* Drops the uses that 'dynamic_addresses' (a port's value being cleared or
 * replaced, or a deleted port's) holds on 'macs' and 'sw', for incremental
 * processing. */
void
ipam_switch_release(struct ipam_switch *sw, struct ipam_macs *macs,
                    const char *dynamic_addresses)
{
    struct ipam_port port;
    memset(&port, 0, sizeof port);
    ipam_port_parse_current(&port, dynamic_addresses);
    if (port.cur_mac_set) {
        ipam_macs_remove(macs, &port.cur_mac);
    }
    if (port.cur_ip4_set) {
        ipam_mark_ip4(sw, port.cur_ip4, false);
    }
}

/* Returns whether 'addresses', one entry of a Logical_Switch_Port
 * "addresses" column, holds the word "dynamic". */
bool
ipam_is_dynamic(const char *addresses)
{
    char *copy = xstrdup(addresses);
    char *save = NULL;
    bool found = false;
    for (char *w = strtok_r(copy, " \t", &save); w && !found;
         w = strtok_r(NULL, " \t", &save)) {
        found = !strcmp(w, "dynamic");
    }
    free(copy);
    return found;
}

/* Parses a word after "dynamic": an IPv4 or IPv6 address, once each. */
static bool
ipam_port_parse_request_ip(struct ipam_port *port, const char *word)
{
    uint32_t be;
    if (ip4_from_string(word, &be)) {
        if (port->req_ip4_set) {
            return false;
        }
        port->req_ip4_set = true;
        port->req_ip4 = ntohl(be);
        return true;
    }
    if (ip6_from_string(word, &port->req_ip6) && !port->req_ip6_set) {
        port->req_ip6_set = true;
        return true;
    }
    return false;
}

/* Initializes 'port' from a dynamic "addresses" entry (ovn-nb(5):
 * "dynamic", "MAC dynamic", "dynamic IP", "dynamic IPv6" or
 * "dynamic IP IPv6") and the port's current 'dynamic_addresses' (NULL if
 * empty).  Returns 0, or -EINVAL if 'addresses' is none of these forms
 * (then the port gets no dynamic addresses). */
int
ipam_port_init(struct ipam_port *port, const char *addresses,
               const char *dynamic_addresses)
{
    char *words[4];
    size_t n = 0;
    char *copy = xstrdup(addresses);
    char *save = NULL;
    int err = 0;

    memset(port, 0, sizeof *port);
    for (char *w = strtok_r(copy, " \t", &save); w;
         w = strtok_r(NULL, " \t", &save)) {
        if (n >= ARRAY_SIZE(words)) {
            err = -EINVAL;
            goto out;
        }
        words[n++] = w;
    }
    if (n == 2 && !strcmp(words[1], "dynamic")) {
        if (!eth_addr_from_string(words[0], &port->req_mac)) {
            err = -EINVAL;
            goto out;
        }
        port->req_mac_set = true;
    } else if (n >= 1 && n <= 3 && !strcmp(words[0], "dynamic")) {
        for (size_t i = 1; i < n; i++) {
            if (!ipam_port_parse_request_ip(port, words[i])) {
                err = -EINVAL;
                goto out;
            }
        }
    } else {
        err = -EINVAL;
        goto out;
    }
    if (dynamic_addresses) {
        ipam_port_parse_current(port, dynamic_addresses);
    }

out:
    free(copy);
    if (err) {
        memset(port, 0, sizeof *port);
    }
    return err;
}

/* Phase 1, for every dynamic port of 'sw' before any ipam_switch_assign():
 * decides and marks used what 'port' keeps.  The MAC asked for, or else
 * the current MAC if it still has the prefix of 'macs' (ovn-northd keeps it
 * even if a static port has the same MAC).  The IPv4 address asked for if
 * free, or else the current one if still free (in the subnet, not
 * excluded, not used by a static port, a router or an earlier port). */
void
ipam_switch_reserve(struct ipam_switch *sw, struct ipam_macs *macs,
                    struct ipam_port *port)
{
    if (!ipam_switch_enabled(sw)) {
        return;
    }
    if (port->req_mac_set) {
        port->mac = port->req_mac;
        port->mac_kept = true;
    } else if (port->cur_mac_set
               && !memcmp(port->cur_mac.ea, macs->prefix.ea, 3)) {
        port->mac = port->cur_mac;
        port->mac_kept = true;
    }
    if (port->mac_kept) {
        ipam_macs_add(macs, &port->mac);
    }

    if (port->req_ip4_set && ipam_switch_ip4_is_free(sw, port->req_ip4)) {
        port->ip4 = port->req_ip4;
        port->ip4_kept = true;
    } else if (port->cur_ip4_set
               && ipam_switch_ip4_is_free(sw, port->cur_ip4)) {
        port->ip4 = port->cur_ip4;
        port->ip4_kept = true;
    }
    if (port->ip4_kept) {
        ipam_mark_ip4(sw, port->ip4, true);
    }
}

/* Phase 2: completes 'port' after ipam_switch_reserve() ran for every
 * dynamic port of 'sw', and returns its new dynamic_addresses value as
 * ovn-northd writes it, "MAC[ IPv4][ IPv6]", which the caller frees; or
 * NULL if the port gets none (IPAM disabled on 'sw', or no MAC left), and
 * then the caller clears the column.
 *
 * A missing IPv4 address is the lowest free one; if the subnet is full,
 * 'port->exhausted' is set and the value has no IPv4 address.  A missing
 * MAC derives from the IPv4 address asked for, else the one assigned,
 * else 0 (see ipam_macs_allocate()).  IPv6 is the one asked for, else the
 * prefix with the EUI-64 of the MAC. */
char *
ipam_switch_assign(struct ipam_switch *sw, struct ipam_macs *macs,
                   struct ipam_port *port)
{
    if (!ipam_switch_enabled(sw)) {
        return NULL;
    }
    if (sw->has_ip4 && !port->ip4_kept) {
        if (ipam_allocate_ip4(sw, &port->ip4)) {
            port->ip4_kept = true;
        } else {
            port->exhausted = true;
        }
    }
    if (!port->mac_kept) {
        uint32_t base = (port->req_ip4_set ? port->req_ip4
                         : port->ip4_kept ? port->ip4 : 0);
        if (!ipam_macs_allocate(macs, base, &port->mac)) {
            return NULL;
        }
        port->mac_kept = true;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, ETH_ADDR_FMT, ETH_ADDR_ARGS(port->mac));
    if (sw->has_ip4 && port->ip4_kept) {
        ds_put_format(&s, " %u.%u.%u.%u", port->ip4 >> 24,
                      (port->ip4 >> 16) & 0xff, (port->ip4 >> 8) & 0xff,
                      port->ip4 & 0xff);
    }
    if (sw->has_ip6) {
        struct ip_prefix p = { .family = AF_INET6, .plen = 128 };
        if (port->req_ip6_set) {
            p.ip6 = port->req_ip6;
        } else {
            const uint8_t *m = port->mac.ea;
            uint8_t *b = p.ip6.s6_addr;
            p.ip6 = sw->ip6_prefix;
            b[8] = m[0] ^ 0x02;
            b[9] = m[1];
            b[10] = m[2];
            b[11] = 0xff;
            b[12] = 0xfe;
            b[13] = m[3];
            b[14] = m[4];
            b[15] = m[5];
        }
        ds_put_char(&s, ' ');
        ip_prefix_format_addr(&p, &s);
    }
    return ds_steal_cstr(&s);
}
