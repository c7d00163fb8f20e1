/* The logical router pipeline of ovn-northd(8): the flows of one router
 * datapath, and the neighbor flows a switch port owns on the routers of
 * its switch, generated from plain descriptions of the northbound rows so
 * that unit tests need no database.
 *
 * A router's flows depend on the router, its ports and its static routes
 * only: those of one port (lrouter_build_port_flows()) on that port and on
 * whether the router skips "unreachable" flows, the rest
 * (lrouter_build_datapath_flows()) on the routes and the ports they
 * leave by, so that a caller can give each port its own owner.  The
 * "lr_in_arp_resolve" flows that map the addresses of a switch's ports to
 * their MACs belong to those switch ports (lrouter_build_neighbor_flows()),
 * so that a port change on a switch rewrites only that port's flows. */
#ifndef NORTHD_LROUTER_H
#define NORTHD_LROUTER_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/netaddr.h"
#include "lib/uuid.h"

struct lflow_owner;
struct lflow_table;
struct lswitch_addresses;

/* One Logical_Router_Port, parsed. */
struct lrouter_port {
    char *name;                 /* "name".  Owned. */
    struct uuid uuid;           /* Its row, for stage hints. */
    struct eth_addr ea;         /* "mac". */
    char ea_s[ETH_ADDR_STRLEN + 1]; /* 'ea', lower-case. */
    struct ip_prefix *networks; /* "networks" in order (host bits kept),
                                 * then the IPv6 link-local address derived
                                 * from 'ea' (fe80::/64, EUI-64).  Owned. */
    size_t n_networks;          /* Number of 'networks', link-local
                                 * included. */
    char *peer;                 /* "peer": the router port at the other
                                 * end of a router-to-router link, or
                                 * NULL.  Owned.  Set by the caller. */
    bool is_dgp;                /* A distributed gateway port (it has
                                 * "gateway_chassis" or
                                 * "ha_chassis_group"): its traffic goes
                                 * through "cr-<name>" on the gateway
                                 * chassis.  Set by the caller. */
};

bool lrouter_port_init(struct lrouter_port *, const char *name,
                       const struct uuid *, const char *mac,
                       const char *const *networks, size_t n_networks);
void lrouter_port_destroy(struct lrouter_port *);
bool lrouter_port_equals(const struct lrouter_port *,
                         const struct lrouter_port *);
bool lrouter_port_is_lla(const struct ip_prefix *);

/* One Logical_Router_Static_Route, parsed. */
struct lrouter_route {
    struct ip_prefix prefix;    /* "ip_prefix", host bits cleared. */
    struct ip_prefix nexthop;   /* "nexthop", full length. */
    const char *output_port;    /* "output_port", or NULL.  Not owned. */
};

bool lrouter_route_init(struct lrouter_route *, const char *ip_prefix,
                        const char *nexthop, const char *output_port);

/* One Logical_Router_Policy. */
enum lrouter_policy_action {
    LRP_ALLOW,                  /* "allow". */
    LRP_DROP,                   /* "drop". */
    LRP_REROUTE,                /* "reroute" to 'nexthops'. */
};

struct lrouter_policy {
    unsigned int priority;      /* "priority". */
    const char *match;          /* "match".  Not owned. */
    enum lrouter_policy_action action;
    const char *const *nexthops; /* "nexthops" (or "nexthop"), sorted as
                                 * the column is.  Not owned. */
    size_t n_nexthops;          /* Number of 'nexthops'. */
    long long pkt_mark;         /* options:pkt_mark, or -1 for none. */
};

bool lrouter_policy_action_from_string(const char *,
                                       enum lrouter_policy_action *);

bool lrouter_skips_unreachables(const struct lrouter_port *const *ports,
                                size_t n_ports, bool gateway);
void lrouter_build_datapath_flows(struct lflow_table *, struct lflow_owner *,
                                  const struct uuid *dp,
                                  const struct lrouter_port *const *ports,
                                  size_t n_ports,
                                  const struct lrouter_route *routes,
                                  size_t n_routes);
void lrouter_build_policy_flows(struct lflow_table *, struct lflow_owner *,
                                const struct uuid *dp,
                                const struct lrouter_port *const *ports,
                                size_t n_ports,
                                const struct lrouter_policy *policies,
                                size_t n_policies);
void lrouter_build_port_flows(struct lflow_table *, struct lflow_owner *,
                              const struct uuid *dp,
                              const struct lrouter_port *,
                              bool skip_unreachables,
                              const struct lrouter_port *peer);
void lrouter_build_flows(struct lflow_table *, struct lflow_owner *,
                         const struct uuid *dp,
                         const struct lrouter_port *ports, size_t n_ports,
                         const struct lrouter_route *routes,
                         size_t n_routes, bool gateway);
void lrouter_build_neighbor_flows(struct lflow_table *, struct lflow_owner *,
                                  const struct uuid *dp,
                                  const struct lrouter_port *,
                                  const struct lswitch_addresses *,
                                  const struct uuid *hint);

#endif /* northd/lrouter.h */
