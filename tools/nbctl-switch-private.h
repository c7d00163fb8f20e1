/* Private to the switch command family of kiln-nbctl (nbctl-switch.c and
 * nbctl-switch-addr.c): reading addresses the way ovn-nbctl(8) reads
 * them. */
#ifndef TOOLS_NBCTL_SWITCH_PRIVATE_H
#define TOOLS_NBCTL_SWITCH_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/netaddr.h"

/* Whether 's' begins with six hex numbers separated by colons, scanf()
 * style ("0:1:2:3:4:5", " 00:11:22:33:44:55 10.0.0.1"); sets '*n' to the
 * length they take. */
bool nbctl_switch_scan_mac(const char *s, size_t *n);
/* The same, with nothing after the sixth number. */
bool nbctl_switch_is_mac(const char *s);

/* Reads "IPv4[/PLEN|/MASK]" (or "IPv6[/PLEN|/MASK]") at the start of 's'
 * into '*p', setting '*n' to the length read.  False if there is no
 * address there or its prefix length or mask is invalid. */
bool nbctl_switch_scan_ip4_cidr(const char *s, size_t *n,
                                struct ip_prefix *p);
bool nbctl_switch_scan_ip6_cidr(const char *s, size_t *n,
                                struct ip_prefix *p);
/* Whether all of 's' is an address with optional prefix of 'family'
 * (AF_INET or AF_INET6), as a DHCP_Options "cidr" must be. */
bool nbctl_switch_is_cidr(const char *s, int family);

/* Whether lsp-set-addresses accepts 's': "unknown", "dynamic", "router",
 * "dynamic" followed by something address-like, or a MAC (and anything
 * after it). */
bool nbctl_switch_address_is_valid(const char *s);
/* Whether 's' asks northd to assign addresses: "dynamic", "dynamic IP",
 * "dynamic IPv6", "dynamic IP IPv6" or "MAC dynamic". */
bool nbctl_switch_address_is_dynamic(const char *s);

/* The IP addresses of one "MAC IP..." entry. */
struct nbctl_switch_addrs {
    struct ip_prefix *ips;      /* IPv4 and IPv6 addresses, in order. */
    size_t n;                   /* Number of 'ips'. */
    size_t allocated;           /* Allocated size of 'ips'. */
};

void nbctl_switch_addrs_init(struct nbctl_switch_addrs *);
void nbctl_switch_addrs_uninit(struct nbctl_switch_addrs *);
/* Reads the IP addresses after the MAC that begins 's' into 'a' (its
 * earlier content dropped), up to the first word that is not an address.
 * Returns false, with 'a' empty, if 's' does not begin with a MAC. */
bool nbctl_switch_extract(const char *s, struct nbctl_switch_addrs *a);

#endif /* tools/nbctl-switch-private.h */
