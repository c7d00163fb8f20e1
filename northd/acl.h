/* ACLs in the logical switch pipeline of ovn-northd(8): the flows of one
 * ACL on one switch, and the ACL stages' own flows on a switch, generated
 * from plain descriptions of the northbound rows so that unit tests need
 * no database.
 *
 * An ACL (ovn-nb(5) "ACL", from a Logical_Switch's "acls" or from the
 * "acls" of a Port_Group with a port on the switch) has the same flows on
 * every switch it applies to, except that they depend on whether that
 * switch is "stateful": whether any ACL applied to it is "allow-related".
 * A stateful switch sends IP traffic through conntrack (ls_in_pre_acl,
 * ls_in_acl_hint, ls_in_stateful) and its ACLs match on the hints; a
 * stateless one matches each ACL as written.  $address_set and @port_group
 * references stay in the matches: ovn-controller expands them from the
 * southbound Address_Set and Port_Group tables. */
#ifndef NORTHD_ACL_H
#define NORTHD_ACL_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/uuid.h"

struct lflow_owner;
struct lflow_table;

/* One ACL row, as its flows need it. */
struct acl_desc {
    struct uuid uuid;           /* The ACL row, for stage hints. */
    bool from_lport;            /* "direction" is "from-lport". */
    const char *action;         /* "allow", "allow-related",
                                 * "allow-stateless", "drop" or "reject". */
    const char *match;          /* "match". */
    int priority;               /* "priority", 0..32767. */
    bool log;                   /* "log". */
    const char *name;           /* "name", or NULL. */
    const char *severity;       /* "severity", or NULL (then "info"). */
    const char *meter;          /* "meter", or NULL. */
    long long label;            /* "label", 0 if none. */
    bool apply_after_lb;        /* options:apply-after-lb=true. */
};

bool acl_is_stateful(const struct acl_desc *);

void acl_build_flows(struct lflow_table *, struct lflow_owner *,
                     const struct uuid *dp, const struct acl_desc *,
                     bool stateful);
void acl_build_datapath_flows(struct lflow_table *, struct lflow_owner *,
                              const struct uuid *dp, bool has_acls,
                              bool stateful, bool has_lb);

#endif /* northd/acl.h */
