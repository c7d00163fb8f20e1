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
struct idl_row;
struct idl_table;
struct idl_column;
struct idl_txn;
struct uuid;

/* How a table's records can be named on the command line, besides by
 * UUID. */
struct dbctl_table_name {
    const char *table;          /* Table name. */
    const char *name_column;    /* String column holding the name, or
                                   "COLUMN:KEY" of a string map, or NULL:
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
    bool dry_run;               /* Build the transaction, do not commit. */
    bool oneline;               /* One output line per command. */
};

void dbctl_options_init(struct dbctl_options *);
int dbctl_parse_output_option(struct dbctl_options *, const char *arg);

/* A command a tool adds to the generic ones.  Its options come before its
 * name on the command line ("--may-exist lsp-add sw0 p0"); dbctl_run()
 * refuses options the command does not list and argument counts outside
 * its bounds before calling 'run'. */
struct dbctl_context;
struct dbctl_command {
    const char *name;           /* Command name, e.g. "lsp-add". */
    int min_args;               /* Fewest arguments after the name. */
    int max_args;               /* Most arguments (INT_MAX: no limit). */
    const char *options;        /* Options it takes, comma-separated, a
                                 * trailing "=" for one with a value:
                                 * "--may-exist,--severity=".  NULL: none. */

    /* Does the command within the transaction being built: reads and
     * writes through the dbctl_*() functions below, appends its output to
     * dbctl_output().  Returns 0; a negative errno value after
     * dbctl_fail(); or 1 to run the whole batch again once the replica
     * changes (a condition it waits for does not hold yet). */
    int (*run)(struct dbctl_context *, int argc, char **argv);
};

/* What a tool brings to dbctl_run(). */
struct dbctl_tool {
    const struct dbctl_table_name *names; /* How records are named. */
    size_t n_names;                       /* Number of 'names'. */

    /* Its own commands: a NULL-terminated list of tables, each ending in
     * an entry whose 'name' is NULL.  May be NULL. */
    const struct dbctl_command *const *commands;

    /* Called, if nonnull, once the command line's syntax checked out and
     * before the first command (e.g. to create a singleton row every
     * transaction needs); may fail like a command; must not print. */
    int (*before_commands)(struct dbctl_context *, void *aux);
    /* Called, if nonnull, after the last command and before the commit
     * (e.g. to bump nb_cfg for --wait); may fail like a command. */
    int (*before_commit)(struct dbctl_context *, void *aux);
    /* Called, if nonnull, once the transaction committed. */
    void (*committed)(struct idl_txn *, int status, void *aux);
    void *aux;                            /* For the callbacks. */
};

/* Runs the commands in 'argv' ('argc' words, commands separated by "--",
 * each with its own leading --options) against 'idl', which must replicate
 * every table and have synced, in one transaction.  Appends the commands'
 * output to 'out'.  Returns 0 on success, else a negative errno value with
 * a message (without the program name) in 'err'.  While a wait-until
 * condition does not hold, or the transaction must be retried, runs the
 * loop until the replica changes and starts over (for at most the options'
 * timeout: then -ETIMEDOUT). */
int dbctl_run(struct idl *, const struct dbctl_tool *,
              const struct dbctl_options *,
              int argc, char **argv, struct ds *out, struct ds *err);

/* A kiln-*ctl program, for dbctl_main(). */
struct dbctl_program {
    const char *db_name;        /* Database to manage: "OVN_Northbound". */
    char *(*default_db)(void);  /* The remote without --db (caller frees). */
    void (*usage)(void);        /* Prints the --help text. */
    const char *version;        /* Text after --version's first line, or
                                 * NULL. */

    /* The program's own global options: returns 1 if 'arg' was one, 0 if
     * not, -1 after printing an error.  May be NULL. */
    int (*parse_option)(const char *arg, struct dbctl_options *);

    const struct dbctl_tool *tool; /* Names and commands. */

    /* Called, if nonnull, once the commands committed (e.g. to wait for
     * northd), with at most 'timeout_ms' left (negative: no limit).
     * Returns 0, or a negative errno value with a message in 'err'. */
    int (*after_commit)(struct idl *, long long timeout_ms, struct ds *err);

    /* The exit status of a failed run, if nonnull (default 1).  A failure
     * with an empty message prints nothing. */
    int (*failure_status)(void);
};

/* The whole main() of a kiln-*ctl tool: the global options every tool
 * takes (--db, -t/--timeout, --dry-run, --oneline, the output options,
 * -v, --help, --version, and ovn-nbctl's clustering options, accepted and
 * ignored), then 'prog''s own, then the commands, run in one transaction
 * against a replica of every table.  Returns the exit status. */
int dbctl_main(const struct dbctl_program *, int argc, char *argv[]);

/* The context of a tool command.
 *
 * Reads see the replica as the commands before in the same transaction
 * left it (rows they inserted, deleted, columns they wrote).  Rows and
 * datums returned stay valid until the command returns. */
struct idl *dbctl_idl(const struct dbctl_context *);
struct ds *dbctl_output(struct dbctl_context *);
const struct dbctl_options *dbctl_output_options(
    const struct dbctl_context *);
int dbctl_fail(struct dbctl_context *, const char *format, ...)
    PRINTF_FORMAT(2, 3);

/* The command's option 'name' ("--severity"): its value, "" if it was
 * given without one, NULL if it was not given. */
const char *dbctl_option(const struct dbctl_context *, const char *name);
bool dbctl_has_option(const struct dbctl_context *, const char *name);

/* Tables and columns by name; the name must be in the schema. */
struct idl_table *dbctl_table(const struct dbctl_context *,
                              const char *name);
const struct idl_column *dbctl_column(const struct idl_table *,
                                      const char *name);

const struct datum *dbctl_get(const struct dbctl_context *,
                              const struct idl_row *,
                              const struct idl_column *);
const char *dbctl_get_string(const struct dbctl_context *,
                             const struct idl_row *,
                             const struct idl_column *); /* NULL if empty. */
long long dbctl_get_integer(const struct dbctl_context *,
                            const struct idl_row *,
                            const struct idl_column *, long long dflt);
bool dbctl_get_boolean(const struct dbctl_context *, const struct idl_row *,
                       const struct idl_column *, bool dflt);
const char *dbctl_get_map_string(const struct dbctl_context *,
                                 const struct idl_row *,
                                 const struct idl_column *, const char *key);

/* The live rows of a table, replica order then inserts (an array the
 * caller frees). */
const struct idl_row **dbctl_rows(const struct dbctl_context *,
                                  struct idl_table *, size_t *n);
const struct idl_row *dbctl_row_by_uuid(const struct dbctl_context *,
                                        struct idl_table *,
                                        const struct uuid *);
/* Stores up to 'max' live rows whose 'column' (a string, or set of
 * strings, column) holds 'value' in 'rows'; returns how many there are.
 * Indexed: cheap to call once per command of a large batch. */
size_t dbctl_rows_by_string(struct dbctl_context *,
                            const struct idl_column *, const char *value,
                            const struct idl_row **rows, size_t max);
/* A record named as the generic commands name them (UUID, name column of
 * the tool's name table, UUID prefix); NULL with an error set unless
 * 'quiet'. */
const struct idl_row *dbctl_find_record(struct dbctl_context *,
                                        struct idl_table *, const char *id,
                                        bool quiet);
bool dbctl_row_is_live(const struct dbctl_context *, const struct idl_row *);
/* Whether the commands so far wrote anything. */
bool dbctl_has_changes(const struct dbctl_context *);

/* Writes.  Set and map element updates become "mutate" operations, so
 * that a concurrent change to other elements survives. */
const struct idl_row *dbctl_insert(struct dbctl_context *,
                                   struct idl_table *);
void dbctl_set(struct dbctl_context *, const struct idl_row *,
               const struct idl_column *, struct datum *value /* taken */);
void dbctl_set_string(struct dbctl_context *, const struct idl_row *,
                      const struct idl_column *, const char *); /* NULL:
                                                                   empty */
void dbctl_set_integer(struct dbctl_context *, const struct idl_row *,
                       const struct idl_column *, long long);
void dbctl_set_boolean(struct dbctl_context *, const struct idl_row *,
                       const struct idl_column *, bool);
void dbctl_set_uuid(struct dbctl_context *, const struct idl_row *,
                    const struct idl_column *,
                    const struct uuid *); /* NULL: empty */
void dbctl_set_add(struct dbctl_context *, const struct idl_row *,
                   const struct idl_column *, const union atom *);
void dbctl_set_remove(struct dbctl_context *, const struct idl_row *,
                      const struct idl_column *, const union atom *);
void dbctl_set_add_uuid(struct dbctl_context *, const struct idl_row *,
                        const struct idl_column *,
                        const struct idl_row *ref);
void dbctl_set_remove_uuid(struct dbctl_context *, const struct idl_row *,
                           const struct idl_column *,
                           const struct idl_row *ref);
void dbctl_map_set(struct dbctl_context *, const struct idl_row *,
                   const struct idl_column *, const union atom *key,
                   const union atom *value);
void dbctl_map_remove(struct dbctl_context *, const struct idl_row *,
                      const struct idl_column *, const union atom *key);
void dbctl_map_set_string(struct dbctl_context *, const struct idl_row *,
                          const struct idl_column *, const char *key,
                          const char *value);
void dbctl_map_remove_string(struct dbctl_context *, const struct idl_row *,
                             const struct idl_column *, const char *key);
/* Applies one "COLUMN[:KEY]=VALUE" of the generic commands' syntax to
 * 'row' (column names may be abbreviated; "@name"s of --id resolve).
 * Returns 0 or a negative errno value after setting the error. */
int dbctl_set_column(struct dbctl_context *, const struct idl_row *,
                     const char *arg);
void dbctl_delete(struct dbctl_context *, const struct idl_row *);
/* Makes the commit fail (and the batch rerun) if 'column' of 'row'
 * changed in the database since it was read. */
void dbctl_verify(struct dbctl_context *, const struct idl_row *,
                  const struct idl_column *);
/* Adds 1 to an integer column in the database ("mutate" "+="); the new
 * value is idl_txn_get_increment_new_value() in 'committed'. */
void dbctl_increment(struct dbctl_context *, const struct idl_row *,
                     const struct idl_column *);
/* After the commit, prints the final UUID of 'row', an inserted row, as
 * the command's last output line. */
void dbctl_print_insert_uuid(struct dbctl_context *,
                             const struct idl_row *);

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
