/* kiln-nbctl: how the switch command family reads addresses (see
 * nbctl-switch-private.h).
 *
 * ovn-nbctl(8) is lenient in a particular way: a port's "addresses" entry
 * is accepted if it merely begins with something MAC-shaped, and when it
 * looks for duplicate IP addresses it reads as many addresses as it can
 * and stops at the first word it cannot read.  The scanners here reproduce
 * that observable behaviour, with the conventions of C's scanf(): white
 * space before a number is skipped, a number may carry a sign, hex
 * numbers may start with "0x", and a number is read as far as its digits
 * go. */
#include "tools/nbctl-switch-private.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/netaddr.h"
#include "lib/util.h"

/* The characters an IPv6 address (or an IPv4 one) is made of. */
static bool
is_ip6_char(char c)
{
    return isxdigit((unsigned char) c) || c == ':' || c == '.';
}

static const char *
skip_space(const char *s)
{
    while (isspace((unsigned char) *s)) {
        s++;
    }
    return s;
}

/* Reads a number in 'base' at 's' as scanf() would; returns the number of
 * characters read (0 if there is no number there) and the value, cut to
 * its low bits as scanf's "hh" would, in '*value'. */
static size_t
scan_number(const char *s, int base, uint8_t *value)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    *value = (uint8_t) v;
    return end - s;
}

bool
nbctl_switch_scan_mac(const char *s, size_t *n)
{
    size_t pos = 0;
    for (int i = 0; i < 6; i++) {
        if (i > 0) {
            if (s[pos] != ':') {
                return false;
            }
            pos++;
        }
        uint8_t byte;
        size_t len = scan_number(s + pos, 16, &byte);
        if (!len) {
            return false;
        }
        pos += len;
    }
    *n = pos;
    return true;
}

bool
nbctl_switch_is_mac(const char *s)
{
    size_t n;
    return nbctl_switch_scan_mac(s, &n) && s[n] == '\0';
}

/* Reads a dotted-quad IPv4 address at 's' the lenient way; on success
 * stores it (network byte order) and the length read. */
static bool
scan_ip4(const char *s, size_t *n, uint32_t *ip)
{
    uint8_t octets[4];
    size_t pos = 0;
    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            if (s[pos] != '.') {
                return false;
            }
            pos++;
        }
        size_t len = scan_number(s + pos, 10, &octets[i]);
        if (!len) {
            return false;
        }
        pos += len;
    }
    memcpy(ip, octets, sizeof *ip);
    *n = pos;
    return true;
}

/* Reads the characters of an IPv6 address at 's' (after white space) and
 * converts them; on success stores the address and the length read. */
static bool
scan_ip6(const char *s, size_t *n, struct in6_addr *ip6)
{
    const char *start = skip_space(s);
    size_t len = 0;
    while (len < 46 && is_ip6_char(start[len])) {
        len++;
    }
    if (!len) {
        return false;
    }
    char buf[47];
    memcpy(buf, start, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET6, buf, ip6) != 1) {
        return false;
    }
    *n = (start - s) + len;
    return true;
}

/* Reads a decimal prefix length at 's'; returns the characters read, 0 if
 * there is no number. */
static size_t
scan_plen(const char *s, long *plen)
{
    char *end;
    errno = 0;
    *plen = strtol(s, &end, 10);
    if (errno) {
        *plen = -1;
    }
    return end - s;
}

/* Whether 'mask' (network byte order) is a run of 1-bits then 0-bits. */
static bool
ip4_mask_is_cidr(uint32_t mask)
{
    uint32_t host = ~ntohl(mask);
    return !(host & (host + 1));
}

bool
nbctl_switch_scan_ip4_cidr(const char *s, size_t *n, struct ip_prefix *p)
{
    size_t len;
    uint32_t ip;
    if (!scan_ip4(s, &len, &ip)) {
        return false;
    }
    memset(p, 0, sizeof *p);
    p->family = AF_INET;
    p->ip4 = ip;
    p->plen = 32;
    if (s[len] == '/') {
        const char *rest = s + len + 1;
        size_t mlen;
        uint32_t mask;
        long plen;
        if (scan_ip4(rest, &mlen, &mask)) {
            if (!ip4_mask_is_cidr(mask)) {
                return false;
            }
            p->plen = __builtin_popcount(mask);
            len += 1 + mlen;
        } else if ((mlen = scan_plen(rest, &plen)) != 0) {
            if (plen < 0 || plen > 32) {
                return false;
            }
            p->plen = plen;
            len += 1 + mlen;
        }
    }
    *n = len;
    return true;
}

/* Whether 'mask' is a run of 1-bits then 0-bits; sets '*plen'. */
static bool
ip6_mask_is_cidr(const struct in6_addr *mask, unsigned int *plen)
{
    unsigned int bits = 0;
    bool zero_seen = false;
    for (int i = 0; i < 16; i++) {
        for (int b = 7; b >= 0; b--) {
            bool one = mask->s6_addr[i] & (1u << b);
            if (one && zero_seen) {
                return false;
            }
            zero_seen |= !one;
            bits += one;
        }
    }
    *plen = bits;
    return true;
}

bool
nbctl_switch_scan_ip6_cidr(const char *s, size_t *n, struct ip_prefix *p)
{
    size_t len;
    struct in6_addr ip6;
    if (!scan_ip6(s, &len, &ip6)) {
        return false;
    }
    memset(p, 0, sizeof *p);
    p->family = AF_INET6;
    p->ip6 = ip6;
    p->plen = 128;
    if (s[len] == '/') {
        const char *rest = s + len + 1;
        size_t mlen;
        long plen;
        struct in6_addr mask;
        if (scan_ip6(rest, &mlen, &mask)) {
            if (!ip6_mask_is_cidr(&mask, &p->plen)) {
                return false;
            }
            len += 1 + mlen;
        } else if ((mlen = scan_plen(rest, &plen)) != 0) {
            if (plen < 0 || plen > 128) {
                return false;
            }
            p->plen = plen;
            len += 1 + mlen;
        }
    }
    *n = len;
    return true;
}

bool
nbctl_switch_is_cidr(const char *s, int family)
{
    struct ip_prefix p;
    size_t n;
    bool ok = (family == AF_INET
               ? nbctl_switch_scan_ip4_cidr(s, &n, &p)
               : nbctl_switch_scan_ip6_cidr(s, &n, &p));
    return ok && s[n] == '\0';
}

bool
nbctl_switch_address_is_valid(const char *s)
{
    size_t n;
    if (!strcmp(s, "unknown") || !strcmp(s, "dynamic")
        || !strcmp(s, "router")) {
        return true;
    }
    if (!strncmp(s, "dynamic", 7) && is_ip6_char(*skip_space(s + 7))) {
        return true;
    }
    return nbctl_switch_scan_mac(s, &n);
}

bool
nbctl_switch_address_is_dynamic(const char *s)
{
    size_t n;
    if (!strcmp(s, "dynamic")) {
        return true;
    }
    if (!strncmp(s, "dynamic", 7)) {
        const char *p = skip_space(s + 7);
        uint32_t ip;
        if (scan_ip4(p, &n, &ip)) {
            if (p[n] == '\0') {
                return true;
            }
            const char *q = skip_space(p + n);
            size_t len = 0;
            while (is_ip6_char(q[len])) {
                len++;
            }
            if (len && q[len] == '\0') {
                return true;
            }
        }
        size_t len = 0;
        while (is_ip6_char(p[len])) {
            len++;
        }
        return len && p[len] == '\0';
    }
    if (nbctl_switch_scan_mac(s, &n)) {
        const char *p = skip_space(s + n);
        return !strcmp(p, "dynamic");
    }
    return false;
}

void
nbctl_switch_addrs_init(struct nbctl_switch_addrs *a)
{
    a->ips = NULL;
    a->n = 0;
    a->allocated = 0;
}

void
nbctl_switch_addrs_uninit(struct nbctl_switch_addrs *a)
{
    free(a->ips);
}

static void
addrs_add(struct nbctl_switch_addrs *a, const struct ip_prefix *p)
{
    if (a->n >= a->allocated) {
        a->ips = x2nrealloc(a->ips, &a->allocated, sizeof *a->ips);
    }
    a->ips[a->n++] = *p;
}

bool
nbctl_switch_extract(const char *s, struct nbctl_switch_addrs *a)
{
    size_t n;
    a->n = 0;
    if (!nbctl_switch_scan_mac(s, &n)) {
        return false;
    }
    s += n;
    while (*s) {
        struct ip_prefix p;
        if (!nbctl_switch_scan_ip4_cidr(s, &n, &p)
            && !nbctl_switch_scan_ip6_cidr(s, &n, &p)) {
            break;
        }
        addrs_add(a, &p);
        s += n;
    }
    return true;
}
