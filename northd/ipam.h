/* IPAM: the "dynamic" addresses of logical switch ports (ovn-nb(5)
 * Logical_Switch other_config:subnet, exclude_ips, ipv6_prefix, mac_only;
 * NB_Global options:mac_prefix; Logical_Switch_Port dynamic_addresses).
 *
 * Pure code: strings in, strings out, no database access.  northd keeps one
 * 'struct ipam_macs' for the whole northbound database (MACs are unique
 * across switches) and one 'struct ipam_switch' per logical switch.  A
 * compile of one switch runs, in this order:
 *
 *   1. ipam_switch_configure() from the switch's other_config;
 *   2. ipam_switch_add_static() for each static "addresses" entry of the
 *      switch's ports, ipam_switch_add_router_port() for each router port
 *      connected to the switch;
 *   3. ipam_port_init() and ipam_switch_reserve() for every dynamic port,
 *      so that addresses already assigned and still valid stay put;
 *   4. ipam_switch_assign() for every dynamic port, which returns the new
 *      dynamic_addresses value. */
#ifndef NORTHD_IPAM_H
#define NORTHD_IPAM_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/hmap.h"
#include "lib/netaddr.h"
#include "lib/util.h"

/* The MACs in use in the whole northbound database, and the prefix that
 * dynamic MACs get. */
struct ipam_macs {
    struct eth_addr prefix;     /* Only the first 3 bytes count. */
    struct hmap used;           /* Contains "struct ipam_mac"s, by MAC. */
};

void ipam_macs_init(struct ipam_macs *, const char *mac_prefix);
void ipam_macs_uninit(struct ipam_macs *);
void ipam_macs_clear(struct ipam_macs *);
void ipam_macs_set_prefix(struct ipam_macs *, const char *mac_prefix);
char *ipam_macs_prefix_to_string(const struct ipam_macs *);
bool ipam_macs_add(struct ipam_macs *, const struct eth_addr *);
void ipam_macs_remove(struct ipam_macs *, const struct eth_addr *);
bool ipam_macs_contains(const struct ipam_macs *, const struct eth_addr *);

/* An IPv4 range excluded by other_config:exclude_ips, host byte order. */
struct ipam_range {
    uint32_t start;             /* First excluded address. */
    uint32_t end;               /* Last excluded address, >= 'start'. */
};

/* One logical switch's IPAM configuration and used IPv4 addresses. */
struct ipam_switch {
    /* IPv4, from other_config:subnet and exclude_ips. */
    bool has_ip4;               /* Whether 'subnet' is valid. */
    uint32_t network;           /* Network address, host byte order. */
    unsigned int plen;          /* Prefix length, 8...32. */
    uint32_t n_addrs;           /* 2**(32 - plen) addresses in the subnet. */
    uint64_t *used;             /* Bitmap of 'n_addrs' bits: addresses
                                 * that ports or routers use.  Owned. */
    uint32_t hint;              /* No free address below this index. */
    struct ipam_range *excluded; /* Clamped to the subnet.  Owned. */
    size_t n_excluded;          /* Number of 'excluded' ranges. */

    /* IPv6, from other_config:ipv6_prefix. */
    bool has_ip6;               /* Whether 'ipv6_prefix' is valid. */
    struct in6_addr ip6_prefix; /* Upper 64 bits set, lower 64 zero. */

    bool mac_only;              /* other_config:mac_only is "true". */
};

void ipam_switch_init(struct ipam_switch *);
void ipam_switch_uninit(struct ipam_switch *);
int ipam_switch_configure(struct ipam_switch *, const char *subnet,
                          const char *exclude_ips, const char *ipv6_prefix,
                          const char *mac_only, char **errorp);
bool ipam_switch_enabled(const struct ipam_switch *);
void ipam_switch_add_static(struct ipam_switch *, struct ipam_macs *,
                            const char *addresses);
void ipam_switch_add_router_port(struct ipam_switch *, struct ipam_macs *,
                                 const char *mac,
                                 const char *const *networks,
                                 size_t n_networks);
void ipam_switch_release(struct ipam_switch *, struct ipam_macs *,
                         const char *dynamic_addresses);
bool ipam_switch_ip4_is_free(const struct ipam_switch *, uint32_t ip4);

/* One dynamic port between ipam_switch_reserve() and ipam_switch_assign():
 * what it asks for and what it keeps.  Caller's storage; owns nothing. */
struct ipam_port {
    /* The request, from the port's "addresses" entry. */
    bool req_mac_set;           /* "MAC dynamic". */
    struct eth_addr req_mac;    /* The MAC asked for. */
    bool req_ip4_set;           /* "dynamic IP [IPv6]". */
    uint32_t req_ip4;           /* Host byte order. */
    bool req_ip6_set;           /* "dynamic [IP] IPv6". */
    struct in6_addr req_ip6;    /* The IPv6 address asked for. */

    /* The current dynamic_addresses, if it parses. */
    bool cur_mac_set;           /* Whether it had a MAC. */
    struct eth_addr cur_mac;    /* Its MAC. */
    bool cur_ip4_set;           /* Whether it had an IPv4 address. */
    uint32_t cur_ip4;           /* Host byte order. */

    /* Set by ipam_switch_reserve(). */
    bool mac_kept;              /* 'mac' is decided and marked used. */
    struct eth_addr mac;        /* The port's MAC, once decided. */
    bool ip4_kept;              /* 'ip4' is decided and marked used. */
    uint32_t ip4;               /* Host byte order, once decided. */

    /* Set by ipam_switch_assign(). */
    bool exhausted;             /* The subnet had no address left. */
};

bool ipam_is_dynamic(const char *addresses);
int ipam_port_init(struct ipam_port *, const char *addresses,
                   const char *dynamic_addresses) WARN_UNUSED_RESULT;
void ipam_switch_reserve(struct ipam_switch *, struct ipam_macs *,
                         struct ipam_port *);
char *ipam_switch_assign(struct ipam_switch *, struct ipam_macs *,
                         struct ipam_port *);

#endif /* northd/ipam.h */
