/* Private to kiln-sbctl: the logical flow commands (sbctl-lflow.c) and the
 * helpers the program file (kiln-sbctl.c) lends them.
 *
 * Every command runs inside dbctl_run()'s transaction (tools/dbctl.h), so
 * it sees the writes of the commands before it in the same batch. */
#ifndef TOOLS_SBCTL_PRIVATE_H
#define TOOLS_SBCTL_PRIVATE_H 1

#include "lib/util.h"
#include "tools/dbctl.h"

/* lflow-list, dump-flows and count-flows (the table ends with a NULL
 * name). */
extern const struct dbctl_command sbctl_lflow_commands[];

/* Column 'column' of table 'table' (both must be in the schema). */
const struct idl_column *sbctl_col(const struct dbctl_context *,
                                   const char *table, const char *column);

/* Logs 'format' as a warning of module "sbctl" on the console, the way
 * ovn-sbctl warns ("...|sbctl|WARN|..."). */
void sbctl_warn(const char *format, ...) PRINTF_FORMAT(1, 2);

/* The external_ids keys that name a Datapath_Binding, in the order
 * ovn-sbctl tries them; NULL-terminated. */
extern const char *const sbctl_datapath_name_keys[];

/* Finds the Datapath_Binding 'id' names: its UUID, then each of
 * sbctl_datapath_name_keys, then a UUID prefix.  Returns 0 with '*dp' the
 * row or NULL if none matches; a negative errno value after dbctl_fail()
 * if several rows match one way ("multiple rows in Datapath_Binding
 * match ..."). */
int sbctl_datapath_lookup(struct dbctl_context *, const char *id,
                          const struct idl_row **dp);

#endif /* tools/sbctl-private.h */
