/* NAT on logical routers (ovn-nb(5) "NAT"): the flows of one NAT rule on
 * a gateway router (Logical_Router options:chassis) or on a router's
 * distributed gateway port (conntrack on the gateway chassis, in the
 * port's zone), and the router-wide
 * NAT flows, in the lr_in_unsnat, lr_in_dnat, lr_out_undnat,
 * lr_out_post_undnat, lr_out_snat and lr_in_ip_input stages, as OVN 23.03
 * writes them.  Built from plain descriptions of the rows so that unit
 * tests need no database.
 *
 * A NAT rule's flows depend on that rule alone; the router-wide ones on
 * whether the router has any NAT rule.  The external addresses of "dnat"
 * and "dnat_and_snat" rules are also answered for on the switches the
 * router is attached to (lswitch.h: lswitch_port.nat_arp_ips). */
#ifndef NORTHD_NAT_H
#define NORTHD_NAT_H 1

#include <stdbool.h>

#include "lib/netaddr.h"
#include "lib/uuid.h"

struct lflow_owner;
struct lflow_table;

/* ovn-nb(5) NAT "type". */
enum nat_type {
    NAT_SNAT,                   /* "snat". */
    NAT_DNAT,                   /* "dnat". */
    NAT_DNAT_AND_SNAT,          /* "dnat_and_snat". */
};

/* One NAT row, parsed. */
struct nat_desc {
    struct uuid uuid;           /* The NAT row, for stage hints. */
    enum nat_type type;         /* "type". */
    struct ip_prefix external_ip; /* "external_ip", full length. */
    struct ip_prefix logical_ip; /* "logical_ip"; a network for "snat",
                                 * host bits cleared. */
    const char *logical_port;   /* "logical_port", or NULL.  Not owned. */
    const char *external_mac;   /* "external_mac", or NULL.  Not owned. */
};

bool nat_desc_init(struct nat_desc *, const struct uuid *, const char *type,
                   const char *external_ip, const char *logical_ip,
                   const char *logical_port, const char *external_mac);
bool nat_is_dnat(const struct nat_desc *);
bool nat_is_distributed(const struct nat_desc *);

void nat_build_router_flows(struct lflow_table *, struct lflow_owner *,
                            const struct uuid *dp);
void nat_build_flows(struct lflow_table *, struct lflow_owner *,
                     const struct uuid *dp, const struct nat_desc *);

void nat_build_plain_flows(struct lflow_table *, struct lflow_owner *,
                           const struct uuid *dp, const struct nat_desc *);
void nat_build_dgp_router_flows(struct lflow_table *, struct lflow_owner *,
                                const struct uuid *dp);
void nat_build_dgp_flows(struct lflow_table *, struct lflow_owner *,
                         const struct uuid *dp, const struct nat_desc *,
                         const char *port, const char *port_mac);

#endif /* northd/nat.h */
