/* Network addresses as people write them: Ethernet MACs, IPv4 and IPv6
 * addresses and prefixes (CIDR), parsed strictly and formatted the
 * canonical way (IPv6 per RFC 5952).  IPv4 addresses are kept in network
 * byte order, as on the wire. */
#ifndef LIB_NETADDR_H
#define LIB_NETADDR_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/util.h"

struct ds;

struct eth_addr {
    uint8_t ea[6];
};
#define ETH_ADDR_FMT "%02x:%02x:%02x:%02x:%02x:%02x"
#define ETH_ADDR_ARGS(E) \
    (E).ea[0], (E).ea[1], (E).ea[2], (E).ea[3], (E).ea[4], (E).ea[5]
#define ETH_ADDR_STRLEN 17

/* "xx:xx:xx:xx:xx:xx", hex digits of either case, nothing else. */
bool eth_addr_from_string(const char *, struct eth_addr *);
bool eth_addr_is_zero(const struct eth_addr *);
bool eth_addr_is_multicast(const struct eth_addr *);

/* An IPv4 or IPv6 address with a prefix length. */
struct ip_prefix {
    int family;                 /* AF_INET or AF_INET6. */
    union {
        uint32_t ip4;           /* AF_INET: network byte order. */
        struct in6_addr ip6;    /* AF_INET6. */
    };
    unsigned int plen;          /* 0..32 or 0..128. */
};

/* Dotted-quad IPv4 address, nothing else. */
bool ip4_from_string(const char *, uint32_t *ip);
/* IPv6 address in any RFC 4291 form, nothing else. */
bool ip6_from_string(const char *, struct in6_addr *);
/* An IPv4 or IPv6 address (plen set to 32 or 128). */
bool ip_from_string(const char *, struct ip_prefix *);

/* "ADDR/PLEN" or "ADDR" (then the full length).  Host bits may be set:
 * "10.0.0.1/24" is a router port's address on 10.0.0.0/24.  Returns false
 * for anything else. */
bool ip_prefix_from_string(const char *, struct ip_prefix *);
/* Same, and also "ADDR/MASK" for IPv4 with a contiguous dotted mask. */
bool ip_prefix_from_string_mask(const char *, struct ip_prefix *);

/* Clears the host bits of 'p'. */
void ip_prefix_mask(struct ip_prefix *p);
/* Whether 'p' has no host bits set. */
bool ip_prefix_is_network(const struct ip_prefix *p);
/* Whether 'a' and 'b' are the same address and length. */
bool ip_prefix_equals(const struct ip_prefix *a, const struct ip_prefix *b);

uint32_t ip4_netmask(unsigned int plen);       /* Network byte order. */
void ip6_netmask(unsigned int plen, struct in6_addr *);

/* Appends the address alone, canonical form. */
void ip_prefix_format_addr(const struct ip_prefix *, struct ds *);
/* Appends "ADDR/PLEN". */
void ip_prefix_format(const struct ip_prefix *, struct ds *);
/* Appends "ADDR" if 'plen' is the full length, else "ADDR/PLEN". */
void ip_prefix_format_short(const struct ip_prefix *, struct ds *);

#endif /* lib/netaddr.h */
