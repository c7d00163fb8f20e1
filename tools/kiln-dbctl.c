/* kiln-dbctl: the generic database commands of tools/dbctl.h against any
 * database.
 *
 *   kiln-dbctl --db=REMOTE [--dbname=NAME] [--format=...] [--data=...]
 *              [--no-headings] [--bare] [--pretty] [--columns=...]
 *              [--timeout=SECS] COMMAND ARGS [-- COMMAND ARGS]...
 *
 * Without --dbname, the database is the server's single database other
 * than _Server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "lib/ds.h"
#include "lib/log.h"
#include "lib/util.h"
#include "ovsdb/idl.h"
#include "tools/dbctl.h"

/* Records named by a name column in the schemas Kiln serves, and the
 * singletons named ".". */
static const struct dbctl_table_name names[] = {
    /* OVN_Northbound. */
    { "NB_Global", NULL },
    { "Logical_Switch", "name" },
    { "Logical_Switch_Port", "name" },
    { "Logical_Router", "name" },
    { "Logical_Router_Port", "name" },
    { "Port_Group", "name" },
    { "Address_Set", "name" },
    { "Meter", "name" },
    { "Load_Balancer", "name" },
    { "Load_Balancer_Group", "name" },
    { "Gateway_Chassis", "name" },
    { "HA_Chassis_Group", "name" },
    { "Logical_Router_Static_Route", NULL },
    /* Open_vSwitch. */
    { "Open_vSwitch", NULL },
    { "Bridge", "name" },
    { "Port", "name" },
    { "Interface", "name" },
    { "Controller", "target" },
    { "Manager", "target" },
    { "Flow_Table", "name" },
    { "QoS", NULL },
    { "Queue", NULL },
    { "Mirror", "name" },
    { "SSL", NULL },
    { "AutoAttach", NULL },
};

static void
usage(void)
{
    printf("%s: generic OVSDB database commands\n"
           "usage: %s --db=REMOTE [OPTIONS] COMMAND [ARG...] "
           "[-- COMMAND [ARG...]]...\n"
           "Commands: list, find, get, set, add, remove, clear, create, "
           "destroy,\n          wait-until\n"
           "Options: --dbname=NAME --format=list|table|csv|json "
           "--data=string|bare|json\n"
           "         --no-headings --bare --pretty --columns=COLS "
           "--timeout=SECS\n", program_name(), program_name());
}

/* Returns the name of the single non-_Server database at 'remote', or
 * NULL; the caller frees it. */
static char *
discover_db_name(uv_loop_t *loop, const char *remote, long long timeout_ms)
{
    struct idl *idl = idl_create(loop, remote, "_Server");
    struct idl_table *table = idl_add_table(idl, "Database");
    const struct idl_column *name_col = idl_add_column(table, "name");
    char *name = NULL;
    if (!idl_wait_synced(idl, timeout_ms)) {
        const struct idl_row *row;
        IDL_FOR_EACH_ROW (row, table) {
            const char *s = idl_row_get_string(row, name_col);
            if (s && strcmp(s, "_Server")) {
                if (name) {
                    free(name);
                    name = NULL;
                    break;
                }
                name = xstrdup(s);
            }
        }
    }
    idl_destroy(idl);
    return name;
}

/* Exits 0 if every command succeeded, else 1 with a message on stderr. */
int
main(int argc, char *argv[])
{
    struct dbctl_options opts;
    const char *remote = NULL;
    char *dbname = NULL;
    long long timeout_ms = -1;

    util_set_program_name(argv[0]);
    dbctl_options_init(&opts);
    char *error_msg = log_set_levels_from_string("console:warn");
    free(error_msg);

    /* Global options come first; the first option this program does not
     * know starts the first command (with its per-command options). */
    int optind = 1;
    for (; optind < argc && !strncmp(argv[optind], "--", 2); optind++) {
        const char *arg = argv[optind];
        int parsed = dbctl_parse_output_option(&opts, arg);
        if (parsed < 0) {
            return 1;
        } else if (parsed) {
            continue;
        }
        const char *value = strchr(arg, '=');
        value = value ? value + 1 : NULL;
        if (!strncmp(arg, "--db=", 5)) {
            remote = value;
        } else if (!strncmp(arg, "--dbname=", 9)) {
            free(dbname);
            dbname = xstrdup(value);
        } else if (!strncmp(arg, "--timeout=", 10)) {
            timeout_ms = atoll(value) * 1000;
            if (timeout_ms <= 0) {
                timeout_ms = -1;
            }
        } else if (!strcmp(arg, "--no-wait")) {
            /* Accepted for compatibility: there is nothing to wait for. */
        } else if (!strcmp(arg, "--help")) {
            usage();
            return 0;
        } else {
            break;
        }
    }
    if (!remote) {
        fprintf(stderr, "%s: --db=REMOTE is required\n", program_name());
        return 1;
    }
    if (optind >= argc) {
        fprintf(stderr, "%s: missing command name (use --help for help)\n",
                program_name());
        return 1;
    }

    uv_loop_t loop;
    uv_loop_init(&loop);
    if (!dbname) {
        dbname = discover_db_name(&loop, remote,
                                  timeout_ms < 0 ? 10000 : timeout_ms);
        if (!dbname) {
            fprintf(stderr, "%s: %s: cannot tell which database to use "
                    "(use --dbname)\n", program_name(), remote);
            return 1;
        }
    }
    struct idl *idl = idl_create(&loop, remote, dbname);
    idl_add_all_tables(idl);
    int status = 0;
    int error = idl_wait_synced(idl, timeout_ms < 0 ? 10000 : timeout_ms);
    if (error) {
        const char *why = idl_get_last_error(idl);
        fprintf(stderr, "%s: %s: database connection failed (%s)\n",
                program_name(), remote, why ? why : "timed out");
        status = 1;
    } else {
        struct ds out, err;
        ds_init(&out);
        ds_init(&err);
        opts.timeout_ms = timeout_ms;   /* wait-until: for ever by default. */
        const struct dbctl_tool tool = {
            .names = names, .n_names = ARRAY_SIZE(names),
        };
        error = dbctl_run(idl, &tool, &opts, argc - optind, argv + optind, &out, &err);
        if (error) {
            fprintf(stderr, "%s: %s\n", program_name(), ds_cstr(&err));
            status = 1;
        } else {
            fputs(ds_cstr(&out), stdout);
        }
        ds_uninit(&out);
        ds_uninit(&err);
    }
    idl_destroy(idl);
    free(dbname);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return status;
}
