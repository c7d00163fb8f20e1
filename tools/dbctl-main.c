/* The main program of the kiln-*ctl tools (see dbctl.h): global options,
 * the connection, one dbctl_run(), the exit status. */
#include "tools/dbctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/log.h"
#include "lib/util.h"
#include "ovsdb/idl.h"

/* Short options that take their value as the next word or glued on. */
static const char short_with_value[] = "tfd";

/* Parses the global option 'arg' common to every tool, with 'next' the
 * word after it.  Returns how many words it used (1 or 2), 0 if 'arg' is
 * not one of them, -1 after printing an error. */
static int
parse_common_option(const char *arg, const char *next,
                    struct dbctl_options *opts, char **db,
                    long long *timeout_ms)
{
    int parsed = dbctl_parse_output_option(opts, arg);
    if (parsed) {
        return parsed;
    }

    const char *eq = strchr(arg, '=');
    const char *value = eq ? eq + 1 : NULL;
    int used = 1;
    char short_opt = 0;
    if (arg[0] == '-' && arg[1] && arg[1] != '-'
        && strchr(short_with_value, arg[1])) {
        short_opt = arg[1];
        if (arg[2]) {
            value = arg + 2;
        } else if (next) {
            value = next;
            used = 2;
        } else {
            value = NULL;
        }
    }

    if (!strncmp(arg, "--db=", 5)) {
        free(*db);
        *db = xstrdup(value);
    } else if (short_opt == 't' || !strncmp(arg, "--timeout=", 10)) {
        char *end;
        long long secs = value ? strtoll(value, &end, 10) : -1;
        if (!value || *end || secs < 0) {
            fprintf(stderr, "%s: value %s on -t or --timeout is invalid\n",
                    program_name(), value ? value : "(missing)");
            return -1;
        }
        *timeout_ms = secs ? secs * 1000 : -1;
    } else if (short_opt == 'f' || short_opt == 'd') {
        char *long_form = xasprintf("--%s=%s", short_opt == 'f' ? "format"
                                    : "data", value ? value : "");
        /* Only --columns keeps a pointer to its argument. */
        parsed = dbctl_parse_output_option(opts, long_form);
        free(long_form);
        return parsed < 0 ? -1 : used;
    } else if (!strcmp(arg, "--dry-run")) {
        opts->dry_run = true;
    } else if (!strcmp(arg, "--oneline")) {
        opts->oneline = true;
    } else if (!strcmp(arg, "--no-leader-only")
               || !strcmp(arg, "--leader-only")
               || !strcmp(arg, "--no-shuffle-remotes")
               || !strcmp(arg, "--shuffle-remotes")
               || !strcmp(arg, "--no-syslog")) {
        /* Accepted for compatibility: one server, no clustering. */
    } else if (!strncmp(arg, "-v", 2) || !strncmp(arg, "--verbose", 9)) {
        const char *spec = arg[1] == 'v' ? arg + 2 : value ? value : "";
        char *error = log_set_levels_from_string(*spec ? spec : "dbg");
        if (error) {
            fprintf(stderr, "%s: %s\n", program_name(), error);
            free(error);
            return -1;
        }
    } else {
        return 0;
    }
    return used;
}

int
dbctl_main(const struct dbctl_program *prog, int argc, char *argv[])
{
    struct dbctl_options opts;
    char *db = NULL;
    long long timeout_ms = -1;

    util_set_program_name(argv[0]);
    dbctl_options_init(&opts);
    char *error_msg = log_set_levels_from_string("console:warn");
    free(error_msg);

    /* Global options come first; the first option the program does not
     * know belongs to the first command. */
    int optind = 1;
    while (optind < argc && argv[optind][0] == '-' && argv[optind][1]
           && strcmp(argv[optind], "--")) {
        const char *arg = argv[optind];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            prog->usage();
            free(db);
            return 0;
        }
        if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
            printf("%s (Kiln)\n%s", program_name(),
                   prog->version ? prog->version : "");
            free(db);
            return 0;
        }
        int used = parse_common_option(arg, optind + 1 < argc
                                       ? argv[optind + 1] : NULL,
                                       &opts, &db, &timeout_ms);
        if (!used && prog->parse_option) {
            used = prog->parse_option(arg, &opts);
        }
        if (used < 0) {
            free(db);
            return 1;
        } else if (!used) {
            break;
        }
        optind += used;
    }
    if (optind < argc && !strcmp(argv[optind], "--")) {
        optind++;
    }
    if (optind >= argc) {
        fprintf(stderr, "%s: missing command name (use --help for help)\n",
                program_name());
        free(db);
        return 1;
    }
    if (!db) {
        db = prog->default_db();
    }

    uv_loop_t loop;
    uv_loop_init(&loop);
    struct idl *idl = idl_create(&loop, db, prog->db_name);
    idl_add_all_tables(idl);
    int status = 0;
    long long deadline = timeout_ms < 0 ? -1 : time_msec() + timeout_ms;
    int error = idl_wait_synced(idl, timeout_ms < 0 ? 10000 : timeout_ms);
    if (error) {
        const char *why = idl_get_last_error(idl);
        fprintf(stderr, "%s: %s: database connection failed (%s)\n",
                program_name(), db, why ? why : "timed out");
        status = 1;
    } else {
        struct ds out, err;
        ds_init(&out);
        ds_init(&err);
        opts.timeout_ms = timeout_ms;
        error = dbctl_run(idl, prog->tool, &opts, argc - optind,
                          argv + optind, &out, &err);
        if (!error && prog->after_commit) {
            long long left = deadline < 0 ? -1 : deadline - time_msec();
            error = (deadline >= 0 && left <= 0
                     ? (ds_put_cstr(&err, "timeout expired"), -ETIMEDOUT)
                     : prog->after_commit(idl, left, &err));
        }
        if (error) {
            if (err.length) {
                fprintf(stderr, "%s: %s\n", program_name(), ds_cstr(&err));
            }
            status = prog->failure_status ? prog->failure_status() : 1;
        } else {
            fputs(ds_cstr(&out), stdout);
        }
        ds_uninit(&out);
        ds_uninit(&err);
    }
    idl_destroy(idl);
    free(db);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return status;
}
