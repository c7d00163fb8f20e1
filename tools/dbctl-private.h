/* Private to tools/dbctl*.c: what the command code (dbctl.c) uses of the
 * value syntax (dbctl-value.c) beyond dbctl.h. */
#ifndef TOOLS_DBCTL_PRIVATE_H
#define TOOLS_DBCTL_PRIVATE_H 1

#include "tools/dbctl.h"

char *dbctl_parse_atom(const char **pp, const struct db_base_type *,
                       const char *delims, struct db_symtab *,
                       union atom *) WARN_UNUSED_RESULT;

#endif /* tools/dbctl-private.h */
