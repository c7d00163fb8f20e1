/* The generic database commands of Kiln's CLIs (list, find, get, set, add,
 * remove, clear, create, destroy), with ovs-vsctl(8)'s value syntax and
 * output formats, on top of the client replica (ovsdb/idl.h).
 *
 * A caller connects an IDL that replicates every table, waits for it to
 * sync, and hands dbctl_run() the command line after the global options.
 * Output goes to a string buffer, printed by the caller only on success. */
#ifndef TOOLS_DBCTL_H
#define TOOLS_DBCTL_H 1

#include <stdbool.h>
#include <stddef.h>

#include "ovsdb/atom.h"
#include "ovsdb/datum.h"
#include "ovsdb/type.h"

struct ds;
struct idl;

/* How a table's records can be named on the command line, besides by
 * UUID. */
struct dbctl_table_name {
    const char *table;          /* Table name. */
    const char *name_column;    /* String column holding the name, or NULL:
                                   the table's single row is named ".". */
};

enum dbctl_format {
    DBCTL_FORMAT_LIST,          /* "column : value" lines (default). */
    DBCTL_FORMAT_TABLE,         /* Aligned columns. */
    DBCTL_FORMAT_CSV,           /* Comma-separated values. */
    DBCTL_FORMAT_JSON,          /* {"data":[...],"headings":[...]}. */
};

enum dbctl_data {
    DBCTL_DATA_STRING,          /* ovs-vsctl's string syntax. */
    DBCTL_DATA_BARE,            /* No quotes or brackets. */
    DBCTL_DATA_JSON,            /* RFC 7047 <value>. */
};

/* Global output options. */
struct dbctl_options {
    enum dbctl_format format;   /* Output format. */
    enum dbctl_data data;       /* Cell format. */
    bool headings;              /* Print column headings. */
    bool pretty;                /* Pretty-print JSON output. */
    const char *columns;        /* Default --columns, or NULL; borrowed. */
    long long timeout_ms;       /* How long wait-until may wait; negative
                                   for ever. */
};

void dbctl_options_init(struct dbctl_options *);
int dbctl_parse_output_option(struct dbctl_options *, const char *arg);

/* Runs the commands in 'argv' ('argc' words, commands separated by "--",
 * each with its own leading --options) against 'idl', which must replicate
 * every table and have synced, in one transaction.  'names' ('n_names'
 * entries, borrowed) says how records are named.  Appends the commands'
 * output to 'out'.  Returns 0 on success, else a negative errno value with
 * a message (without the program name) in 'err'.  While a wait-until
 * condition does not hold, or the transaction must be retried, runs the
 * loop until the replica changes and starts over (for at most the options'
 * timeout: then -ETIMEDOUT). */
int dbctl_run(struct idl *, const struct dbctl_options *,
              const struct dbctl_table_name *names, size_t n_names,
              int argc, char **argv, struct ds *out, struct ds *err);

/* Value syntax, exposed for tests. */

/* Appends 'atom' of 'type' in string syntax (bare if 'bare'). */
void dbctl_atom_to_string(const union atom *, enum db_atomic_type,
                          bool bare, struct ds *);

/* Appends 'datum' of 'type' in string syntax (bare if 'bare'). */
void dbctl_datum_to_string(const struct datum *, const struct db_type *,
                           bool bare, struct ds *);

/* Parses 's' as a datum of 'type' into 'datum' (initialized here; the
 * caller destroys it on success).  "@name" references resolve through
 * 'symtab' if nonnull.  Returns NULL, or an error message the caller
 * frees. */
char *dbctl_datum_from_string(struct datum *, const struct db_type *,
                              const char *s, struct db_symtab *symtab)
    WARN_UNUSED_RESULT;

#endif /* tools/dbctl.h */
