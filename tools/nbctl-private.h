/* Private to kiln-nbctl: the command tables of its command families, one
 * file each, and the lookups several families share.
 *
 * Every command runs inside dbctl_run()'s transaction (tools/dbctl.h):
 * it reads and writes through the dbctl_*() context functions, so that
 * "ls-add sw0 -- lsp-add sw0 p0" sees the switch the first command made,
 * and it fails with dbctl_fail() and ovn-nbctl's own message. */
#ifndef TOOLS_NBCTL_PRIVATE_H
#define TOOLS_NBCTL_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "tools/dbctl.h"

/* The command families (each table ends with a NULL name). */
extern const struct dbctl_command nbctl_switch_commands[]; /* ls-, lsp-,
                                                fwd-group-, static-mac- */
extern const struct dbctl_command nbctl_acl_commands[];  /* acl-, qos-, pg-,
                                                meter-, copp-, mirror- */
extern const struct dbctl_command nbctl_router_commands[]; /* lr-, lrp-,
                                                routes, policies, NAT,
                                                gateway chassis, HA groups */
extern const struct dbctl_command nbctl_lb_commands[];   /* lb-, ls-lb-,
                                                lr-lb-, lb-group-, dhcp-,
                                                connection, SSL */
extern const struct dbctl_command nbctl_show_commands[]; /* show */

/* Looks up a logical switch, switch port, router or router port by UUID
 * or name, the way ovn-nbctl does (a UUID first, then the name).  On
 * failure returns NULL and, if 'must_exist', fails the command with
 * ovn-nbctl's message ("sw0: switch name not found", "Multiple logical
 * switches named 'sw0'.  Use a UUID."); without 'must_exist' a missing
 * row is no error, but an ambiguous name still is: '*error' tells them
 * apart (0, or the negative errno value to return). */
const struct idl_row *nbctl_ls_lookup(struct dbctl_context *,
                                      const char *id, bool must_exist,
                                      int *error);
const struct idl_row *nbctl_lsp_lookup(struct dbctl_context *,
                                       const char *id, bool must_exist,
                                       int *error);
const struct idl_row *nbctl_lr_lookup(struct dbctl_context *,
                                      const char *id, bool must_exist,
                                      int *error);
const struct idl_row *nbctl_lrp_lookup(struct dbctl_context *,
                                       const char *id, bool must_exist,
                                       int *error);

/* The same for any table with a "name" column: 'noun' names the kind in
 * "<id>: <noun> UUID|name not found"; 'plural' in "Multiple <plural>
 * named..." for tables whose names may repeat (NULL if they are unique:
 * the first match is taken). */
const struct idl_row *nbctl_lookup(struct dbctl_context *,
                                   const char *table, const char *noun,
                                   const char *plural, const char *id,
                                   bool must_exist, int *error);

/* The switch whose "ports" holds 'lsp' (NULL if none), and the router
 * whose "ports" holds 'lrp'. */
const struct idl_row *nbctl_lsp_switch(struct dbctl_context *,
                                       const struct idl_row *lsp);
const struct idl_row *nbctl_lrp_router(struct dbctl_context *,
                                       const struct idl_row *lrp);

/* Column shorthands: nbctl_col(ctx, "Logical_Switch", "ports"). */
const struct idl_column *nbctl_col(const struct dbctl_context *,
                                   const char *table, const char *column);

/* Sorts 'rows' ('n') by the string 'column' (NULL or empty values first),
 * ties by UUID: the order ovn-nbctl lists things in. */
void nbctl_sort_by_string(const struct dbctl_context *,
                          const struct idl_row **rows, size_t n,
                          const struct idl_column *column);

/* Reference sets that ovn-nbctl changes through "mutate" operations (a
 * router's ports, routes, policies and NAT; a switch's or port group's
 * ACLs and QoS rules; load balancers of switches and routers...) are not
 * seen updated by its later commands in the same batch: they read such a
 * column as the replica has it, or as empty once a command of the batch
 * emptied it.  nbctl_ref_view() gives that view (empty for a row the batch
 * inserted); nbctl_ref_clear() empties the column and remembers it for
 * the rest of the batch. */
const struct datum *nbctl_ref_view(const struct dbctl_context *,
                                   const struct idl_row *,
                                   const struct idl_column *);
void nbctl_ref_clear(struct dbctl_context *, const struct idl_row *,
                     const struct idl_column *);

/* ovn-nbctl prints a string map in the iteration order of its own hash
 * map: keys hashed with hash_string() (lib/hash.h has the same one),
 * inserted in sorted order into buckets that grow as elements arrive, each
 * new element at the head of its bucket's chain.  Replays those
 * insertions and stores the resulting order of the 'n' sorted 'keys' in
 * 'order' (n elements). */
void nbctl_smap_order(const union atom *keys, size_t n, size_t *order);

#endif /* tools/nbctl-private.h */
