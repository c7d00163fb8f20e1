/* Load balancers on logical switches and routers (ovn-nb(5)
 * "Load_Balancer").  On switches: the
 * flows of one load balancer on one switch, and the switch-wide flows a
 * switch has once it has a load balancer with a VIP, in the ls_in_pre_lb,
 * ls_in_pre_stateful, ls_in_lb and hairpin stages, as OVN 23.03 writes
 * them.  On routers: the lr_in_defrag and lr_in_dnat (ct_lb_mark) flows of
 * each VIP and the router-wide lr_in_dnat and lr_out_undnat flows.  Built
 * from plain descriptions of the rows so that unit tests need no
 * database.
 *
 * A switch with a VIP also becomes stateful for the ACL machinery
 * (acl.h: acl_build_datapath_flows()'s 'has_lb'). */
#ifndef NORTHD_LB_H
#define NORTHD_LB_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/netaddr.h"
#include "lib/uuid.h"

struct lflow_owner;
struct lflow_table;

/* One VIP of a load balancer. */
struct lb_vip {
    struct ip_prefix vip;       /* The virtual address, full length. */
    int port;                   /* Its L4 port, 0 if none. */
    char *backends;             /* The backends as ct_lb_mark() takes them:
                                 * "IP[:PORT],...", IPv6 in brackets when
                                 * with a port; "" if none.  Owned. */
};

/* One Load_Balancer row, parsed. */
struct lb_desc {
    struct uuid uuid;           /* The row, for stage hints. */
    const char *protocol;       /* "tcp", "udp" or "sctp".  Static. */
    bool reject;                /* options:reject=true. */
    struct lb_vip *vips;        /* The VIPs that parse.  Owned. */
    size_t n_vips;              /* Number of 'vips'. */
};

void lb_desc_init(struct lb_desc *, const struct uuid *,
                  const char *protocol, bool reject,
                  const char *const *vip_keys,
                  const char *const *vip_values, size_t n);
void lb_desc_destroy(struct lb_desc *);

void lb_build_switch_datapath_flows(struct lflow_table *,
                                    struct lflow_owner *,
                                    const struct uuid *dp);
void lb_build_switch_flows(struct lflow_table *, struct lflow_owner *,
                           const struct uuid *dp, const struct lb_desc *);

void lb_build_router_datapath_flows(struct lflow_table *,
                                    struct lflow_owner *,
                                    const struct uuid *dp, bool gateway);
void lb_build_router_flows(struct lflow_table *, struct lflow_owner *,
                           const struct uuid *dp, const struct lb_desc *);

#endif /* northd/lb.h */
