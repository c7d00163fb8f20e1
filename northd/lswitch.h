/* The logical switch pipeline of ovn-northd(8): the flows of one switch
 * datapath and those of one switch port, generated from plain descriptions
 * of the northbound rows so that unit tests need no database.
 *
 * A switch's own flows depend only on whether any of its enabled ports has
 * "unknown" among its addresses (ls_in_l2_unknown) and on the MACs of the
 * router ports it is attached to; a port's flows depend only on that port
 * (and, for a "router" port, on its peer router port).  So a port change
 * regenerates that port's flows, plus the switch's when the "has unknown"
 * answer changes, and those of its "router" and "localnet" ports when the
 * switch becomes stateful or stateless (acl.h). */
#ifndef NORTHD_LSWITCH_H
#define NORTHD_LSWITCH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/netaddr.h"
#include "lib/uuid.h"

struct lflow_owner;
struct lflow_table;
struct lrouter_port;

/* One element of Logical_Switch_Port "addresses" of the form
 * "MAC [IP]...": ovn-nb(5). */
struct lswitch_addresses {
    struct eth_addr ea;         /* The Ethernet address. */
    char ea_s[ETH_ADDR_STRLEN + 1]; /* 'ea', lower-case. */
    uint32_t *ip4s;             /* IPv4 addresses, network order.  Owned. */
    size_t n_ip4s;              /* Number of 'ip4s'. */
    struct in6_addr *ip6s;      /* IPv6 addresses.  Owned. */
    size_t n_ip6s;              /* Number of 'ip6s'. */
};

bool lswitch_addresses_parse(const char *, struct lswitch_addresses *);
void lswitch_addresses_destroy(struct lswitch_addresses *);

/* What the flows of one switch port depend on. */
struct lswitch_port {
    const char *name;           /* Logical_Switch_Port "name". */
    struct uuid uuid;           /* Its row, for stage hints. */
    const char *type;           /* "type" ("" for a VIF). */
    bool enabled;               /* "enabled", true if empty. */
    bool has_port_security;     /* "port_security" is not empty. */
    const char *const *addresses; /* "addresses". */
    size_t n_addresses;         /* Number of 'addresses'. */
    const struct lrouter_port *router_peer; /* Type "router": the router
                                 * port of options:router-port, or NULL. */
    const char *const *nat_arp_ips; /* Type "router": the external IPs of
                                 * the DNAT rules of the peer's router,
                                 * answered for like its own (nat.h). */
    size_t n_nat_arp_ips;       /* Number of 'nat_arp_ips'. */
    bool has_lb;                /* The switch has a load balancer VIP
                                 * (lb.h): "localnet" ports' flows depend
                                 * on it. */
    bool stateful;              /* The switch is stateful (acl.h): the
                                 * flows of "router" and "localnet" ports
                                 * depend on it. */
    bool switch_has_vifs;       /* The switch has a port not of type
                                 * "router": ARP and ND for a router port's
                                 * addresses go to them too. */
};

bool lswitch_port_has_unknown(const struct lswitch_port *);

void lswitch_build_datapath_flows(struct lflow_table *, struct lflow_owner *,
                                  const struct uuid *dp, bool has_unknown,
                                  const char *router_macs);
void lswitch_build_shared_flows(struct lflow_table *, struct lflow_owner *,
                                const struct uuid *dp, bool has_unknown);
void lswitch_build_router_macs_flow(struct lflow_table *,
                                    struct lflow_owner *,
                                    const struct uuid *dp,
                                    const char *router_macs);
void lswitch_build_port_flows(struct lflow_table *, struct lflow_owner *,
                              const struct uuid *dp,
                              const struct lswitch_port *);

#endif /* northd/lswitch.h */
