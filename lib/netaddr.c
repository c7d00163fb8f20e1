/* Network address parsing and formatting (see netaddr.h). */
#include "lib/netaddr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/ds.h"

static int
hex_value(char c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

bool
eth_addr_from_string(const char *s, struct eth_addr *ea)
{
    for (int i = 0; i < 6; i++) {
        int hi = hex_value(s[0]);
        int lo = hi < 0 ? -1 : hex_value(s[1]);
        if (lo < 0 || s[2] != (i < 5 ? ':' : '\0')) {
            return false;
        }
        ea->ea[i] = hi << 4 | lo;
        s += 3;
    }
    return true;
}

bool
eth_addr_is_zero(const struct eth_addr *ea)
{
    static const struct eth_addr zero;
    return !memcmp(ea, &zero, sizeof zero);
}

bool
eth_addr_is_multicast(const struct eth_addr *ea)
{
    return ea->ea[0] & 1;
}

bool
ip4_from_string(const char *s, uint32_t *ip)
{
    /* inet_pton() takes exactly four decimal parts, no leading zeros
     * beyond one digit, no trailing text: what we want. */
    struct in_addr in;
    if (inet_pton(AF_INET, s, &in) != 1) {
        return false;
    }
    *ip = in.s_addr;
    return true;
}

bool
ip6_from_string(const char *s, struct in6_addr *ip6)
{
    return inet_pton(AF_INET6, s, ip6) == 1;
}

bool
ip_from_string(const char *s, struct ip_prefix *p)
{
    memset(p, 0, sizeof *p);
    if (ip4_from_string(s, &p->ip4)) {
        p->family = AF_INET;
        p->plen = 32;
        return true;
    }
    if (ip6_from_string(s, &p->ip6)) {
        p->family = AF_INET6;
        p->plen = 128;
        return true;
    }
    return false;
}

/* Parses a decimal prefix length no greater than 'max'. */
static bool
parse_plen(const char *s, unsigned int max, unsigned int *plen)
{
    if (!isdigit((unsigned char) s[0]) || strlen(s) > 3) {
        return false;
    }
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v > max) {
        return false;
    }
    *plen = v;
    return true;
}

/* Parses "ADDR/REST" or "ADDR" into 'p', leaving '*rest' at REST (NULL if
 * there was no '/'). */
static bool
parse_addr_part(const char *s, struct ip_prefix *p, const char **rest)
{
    const char *slash = strchr(s, '/');
    char buf[INET6_ADDRSTRLEN + 1];
    size_t len = slash ? (size_t) (slash - s) : strlen(s);
    if (len >= sizeof buf) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    *rest = slash ? slash + 1 : NULL;
    return ip_from_string(buf, p);
}

bool
ip_prefix_from_string(const char *s, struct ip_prefix *p)
{
    const char *rest;
    if (!parse_addr_part(s, p, &rest)) {
        return false;
    }
    return !rest || parse_plen(rest, p->plen, &p->plen);
}

bool
ip_prefix_from_string_mask(const char *s, struct ip_prefix *p)
{
    const char *rest;
    if (!parse_addr_part(s, p, &rest)) {
        return false;
    }
    if (!rest || parse_plen(rest, p->plen, &p->plen)) {
        return true;
    }
    uint32_t mask;
    if (p->family != AF_INET || !ip4_from_string(rest, &mask)) {
        return false;
    }
    uint32_t m = ntohl(mask);
    unsigned int plen = 0;
    while (plen < 32 && (m & (UINT32_C(0x80000000) >> plen))) {
        plen++;
    }
    if (ntohl(ip4_netmask(plen)) != m) {
        return false;           /* Not contiguous. */
    }
    p->plen = plen;
    return true;
}

uint32_t
ip4_netmask(unsigned int plen)
{
    return plen ? htonl(UINT32_MAX << (32 - plen)) : 0;
}

void
ip6_netmask(unsigned int plen, struct in6_addr *mask)
{
    memset(mask, 0, sizeof *mask);
    for (unsigned int i = 0; i < 16; i++) {
        unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;
        mask->s6_addr[i] = bits >= 8 ? 0xff : (uint8_t) (0xff00 >> bits);
    }
}

void
ip_prefix_mask(struct ip_prefix *p)
{
    if (p->family == AF_INET) {
        p->ip4 &= ip4_netmask(p->plen);
    } else {
        struct in6_addr mask;
        ip6_netmask(p->plen, &mask);
        for (int i = 0; i < 16; i++) {
            p->ip6.s6_addr[i] &= mask.s6_addr[i];
        }
    }
}

bool
ip_prefix_is_network(const struct ip_prefix *p)
{
    struct ip_prefix masked = *p;
    ip_prefix_mask(&masked);
    return ip_prefix_equals(&masked, p);
}

bool
ip_prefix_equals(const struct ip_prefix *a, const struct ip_prefix *b)
{
    if (a->family != b->family || a->plen != b->plen) {
        return false;
    }
    return (a->family == AF_INET
            ? a->ip4 == b->ip4
            : !memcmp(&a->ip6, &b->ip6, sizeof a->ip6));
}

void
ip_prefix_format_addr(const struct ip_prefix *p, struct ds *ds)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(p->family, p->family == AF_INET ? (const void *) &p->ip4
              : (const void *) &p->ip6, buf, sizeof buf);
    ds_put_cstr(ds, buf);
}

void
ip_prefix_format(const struct ip_prefix *p, struct ds *ds)
{
    ip_prefix_format_addr(p, ds);
    ds_put_format(ds, "/%u", p->plen);
}

void
ip_prefix_format_short(const struct ip_prefix *p, struct ds *ds)
{
    ip_prefix_format_addr(p, ds);
    if (p->plen != (p->family == AF_INET ? 32u : 128u)) {
        ds_put_format(ds, "/%u", p->plen);
    }
}
