/* Native DHCPv4, DHCPv6 and DNS in the logical switch pipeline of
 * ovn-northd(8): the flows of one switch port's DHCP_Options and those of
 * a switch's DNS records, generated from plain descriptions of the
 * northbound rows so that unit tests need no database; and the option
 * code tables northd writes to OVN_Southbound's DHCP_Options and
 * DHCPv6_Options.
 *
 * A port's DHCP flows depend only on that port (its name, type, enabled
 * state, addresses and options:hostname), on the DHCP_Options rows its
 * "dhcpv4_options" and "dhcpv6_options" point to, on whether its switch is
 * stateful (acl.h) and, for an "external" port, on the names of its
 * switch's "localnet" ports.  A switch's DNS flows depend only on whether
 * any of its DNS rows has a record and on whether it is stateful.
 *
 * Option values are used as written: ovn-northd checks only that the
 * DHCPv4 server_id, server_mac and lease_time are present, that a DHCPv6
 * server_id is a MAC, and that the cidr parses; ovn-controller parses the
 * rest. */
#ifndef NORTHD_DHCP_H
#define NORTHD_DHCP_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/uuid.h"

struct lflow_owner;
struct lflow_table;

/* One ovn-nb(5) DHCP_Options row. */
struct dhcp_options_desc {
    struct uuid uuid;           /* The row, for stage hints. */
    const char *cidr;           /* "cidr". */
    const char *const *keys;    /* "options" keys... */
    const char *const *values;  /* ...and their values, in parallel. */
    size_t n_options;           /* Number of 'keys' and 'values'. */
    bool is_v6;                 /* The row is used as DHCPv6 options (a
                                 * port's "dhcpv6_options"); its cidr must
                                 * then be IPv6, else IPv4. */
};

/* What the DHCP flows of one Logical_Switch_Port depend on. */
struct dhcp_port_desc {
    const char *name;           /* "name". */
    const char *type;           /* "type" ("" for a VIF). */
    bool enabled;               /* "enabled", true if empty. */
    const char *const *addresses; /* "addresses", with "dynamic" replaced
                                 * by "dynamic_addresses" if set. */
    size_t n_addresses;         /* Number of 'addresses'. */
    const char *hostname;       /* options:hostname, or NULL. */
    const struct dhcp_options_desc *v4; /* "dhcpv4_options", or NULL. */
    const struct dhcp_options_desc *v6; /* "dhcpv6_options", or NULL. */
    const char *const *localnet_ports; /* Type "external" with an HA
                                 * chassis group: the names of the switch's
                                 * "localnet" ports, where its DHCP
                                 * requests arrive; otherwise none. */
    size_t n_localnet_ports;    /* Number of 'localnet_ports'. */
    bool stateful;              /* The switch is stateful (acl.h) or has a
                                 * load balancer VIP: the ls_out_acl
                                 * allow flows commit. */
};

void dhcp_build_port_flows(struct lflow_table *, struct lflow_owner *,
                           const struct uuid *dp,
                           const struct dhcp_port_desc *);

/* One ovn-nb(5) DNS row. */
struct dns_desc {
    struct uuid uuid;           /* The row. */
    const char *const *keys;    /* "records" keys (host names)... */
    const char *const *values;  /* ...and their values (addresses). */
    size_t n_records;           /* Number of 'keys' and 'values'. */
};

void dns_build_switch_flows(struct lflow_table *, struct lflow_owner *,
                            const struct uuid *dp,
                            const struct dns_desc *const *dns, size_t n_dns,
                            bool stateful);

/* One row of OVN_Southbound's DHCP_Options or DHCPv6_Options table:
 * ovn-sb(5). */
struct dhcp_code {
    const char *name;           /* "name": the option's name in
                                 * put_dhcp_opts / put_dhcpv6_opts. */
    int code;                   /* "code": its DHCP option code. */
    const char *type;           /* "type": how ovn-controller encodes it. */
};

const struct dhcp_code *dhcp_v4_codes(size_t *n);
const struct dhcp_code *dhcp_v6_codes(size_t *n);

#endif /* northd/dhcp.h */
