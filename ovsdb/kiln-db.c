/* kiln-db: Kiln's OVSDB server.  Takes ovsdb-server's options where they
 * mean the same thing, so that scripts and service units written for OVS
 * work:
 *
 *   kiln-db [--remote=punix:PATH|ptcp:PORT[:IP]]... [--unixctl=PATH]
 *           [--pidfile[=FILE]] [--detach] [--no-chdir] [--log-file[=FILE]]
 *           [--max-message-size=BYTES] [-v[SPEC]] [DBFILE...]
 *   kiln-db create DBFILE SCHEMAFILE
 *
 * This file only wires options, the loop and the modules together. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "lib/appctl.h"
#include "lib/counter.h"
#include "lib/daemon.h"
#include "lib/ds.h"
#include "lib/log.h"
#include "lib/stream.h"
#include "lib/util.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/server.h"
#include "ovsdb/storage.h"

LOG_MODULE(kiln_db);

enum {
    OPT_REMOTE = 0x100,
    OPT_UNIXCTL,
    OPT_MAX_MESSAGE_SIZE,
};

struct kiln_db {
    uv_loop_t *loop;
    struct db_server *server;
    struct appctl_server *appctl;
    uv_signal_t sigterm, sigint;
    uv_timer_t tick;            /* Once a second: counters. */
    bool exiting;
};

static noreturn void
usage(void)
{
    printf("%s: Kiln's OVSDB database server\n"
           "usage: %s [OPTIONS] [DBFILE...]\n"
           "       %s create DBFILE SCHEMAFILE\n"
           "\n"
           "  --remote=REMOTE         listen on REMOTE: punix:PATH or\n"
           "                          ptcp:PORT[:IP] (may repeat)\n"
           "  --unixctl=PATH          management socket (default\n"
           "                          RUNDIR/kiln-db.PID.ctl)\n"
           "  --max-message-size=N    refuse requests over N bytes\n"
           "                          (default 1 GiB)\n"
           "  -h, --help              show this help\n",
           program_name(), program_name(), program_name());
    daemon_usage();
    log_usage();
    exit(EXIT_SUCCESS);
}

static int
do_create(int argc, char *argv[])
{
    if (argc != 4) {
        fprintf(stderr, "%s: usage: %s create DBFILE SCHEMAFILE\n",
                program_name(), program_name());
        return EXIT_FAILURE;
    }
    struct db_error *error = storage_create(argv[2], argv[3]);
    if (error) {
        char *s = db_error_to_string(error);
        fprintf(stderr, "%s: %s\n", program_name(), s);
        free(s);
        db_error_destroy(error);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

/* Management commands. */

static void
kiln_db_exit(struct kiln_db *k)
{
    if (!k->exiting) {
        k->exiting = true;
        uv_stop(k->loop);
    }
}

static void
cmd_exit(struct appctl_conn *conn, int argc, const char *argv[], void *k_)
{
    appctl_reply(conn, NULL);
    kiln_db_exit(k_);
}

static void
cmd_memory_show(struct appctl_conn *conn, int argc, const char *argv[],
                void *k_)
{
    struct kiln_db *k = k_;
    struct ds ds = DS_EMPTY_INITIALIZER;
    db_server_memory_report(k->server, &ds);
    appctl_reply(conn, ds_cstr(&ds));
    ds_uninit(&ds);
}

static void
cmd_compact(struct appctl_conn *conn, int argc, const char *argv[], void *k_)
{
    struct kiln_db *k = k_;
    struct db_error *error = db_server_compact(k->server,
                                               argc > 1 ? argv[1] : NULL);
    if (error) {
        char *s = db_error_to_string(error);
        appctl_reply_error(conn, s);
        free(s);
        db_error_destroy(error);
    } else {
        appctl_reply(conn, NULL);
    }
}

static void
cmd_list_dbs(struct appctl_conn *conn, int argc, const char *argv[],
             void *k_)
{
    struct kiln_db *k = k_;
    struct ds ds = DS_EMPTY_INITIALIZER;
    db_server_list_dbs(k->server, &ds);
    appctl_reply(conn, ds_cstr(&ds));
    ds_uninit(&ds);
}

static void
cmd_list_remotes(struct appctl_conn *conn, int argc, const char *argv[],
                 void *k_)
{
    struct kiln_db *k = k_;
    struct ds ds = DS_EMPTY_INITIALIZER;
    db_server_list_remotes(k->server, &ds);
    appctl_reply(conn, ds_cstr(&ds));
    ds_uninit(&ds);
}

static void
cmd_add_remote(struct appctl_conn *conn, int argc, const char *argv[],
               void *k_)
{
    struct kiln_db *k = k_;
    if (!stream_name_is_valid(argv[1], true)) {
        appctl_reply_error(conn, "remote must be punix:PATH or "
                           "ptcp:PORT[:IP]");
        return;
    }
    int error = db_server_add_remote(k->server, argv[1]);
    if (error) {
        char *s = xasprintf("%s: %s", argv[1], uv_strerror(error));
        appctl_reply_error(conn, s);
        free(s);
    } else {
        appctl_reply(conn, NULL);
    }
}

static void
cmd_remove_remote(struct appctl_conn *conn, int argc, const char *argv[],
                  void *k_)
{
    struct kiln_db *k = k_;
    if (db_server_remove_remote(k->server, argv[1])) {
        appctl_reply_error(conn, "no such remote");
    } else {
        appctl_reply(conn, NULL);
    }
}

/* Registers each command under its own name and under the name
 * ovsdb-server gives it, so admins' ovs-appctl habits work. */
static void
register_commands(struct kiln_db *k)
{
    static const struct {
        const char *name;
        const char *usage;
        int min, max;
        appctl_cb *cb;
    } cmds[] = {
        { "exit", "", 0, 0, cmd_exit },
        { "memory/show", "", 0, 0, cmd_memory_show },
        { "compact", "[DB]", 0, 1, cmd_compact },
        { "list-dbs", "", 0, 0, cmd_list_dbs },
        { "list-remotes", "", 0, 0, cmd_list_remotes },
        { "add-remote", "REMOTE", 1, 1, cmd_add_remote },
        { "remove-remote", "REMOTE", 1, 1, cmd_remove_remote },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
        appctl_command_register(cmds[i].name, cmds[i].usage, cmds[i].min,
                                cmds[i].max, cmds[i].cb, k);
        if (strcmp(cmds[i].name, "exit")
            && strcmp(cmds[i].name, "memory/show")) {
            char *alias = xasprintf("ovsdb-server/%s", cmds[i].name);
            appctl_command_register(alias, cmds[i].usage, cmds[i].min,
                                    cmds[i].max, cmds[i].cb, k);
            free(alias);
        }
    }
    log_register_appctl_commands();
    counter_register_appctl_commands();
}

static void
signal_cb(uv_signal_t *handle, int signum)
{
    LOG_INFO("exiting on signal %d", signum);
    kiln_db_exit(handle->data);
}

static void
tick_cb(uv_timer_t *timer)
{
    counter_run(time_msec());
}

static const char *
default_db_file(void)
{
    const char *dir = getenv("KILN_DBDIR");
    static char *path;
    if (!path) {
        path = xasprintf("%s/conf.db", dir ? dir : "/etc/kiln");
    }
    return path;
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        { "remote", required_argument, NULL, OPT_REMOTE },
        { "unixctl", required_argument, NULL, OPT_UNIXCTL },
        { "max-message-size", required_argument, NULL,
          OPT_MAX_MESSAGE_SIZE },
        { "help", no_argument, NULL, 'h' },
        DAEMON_LONG_OPTIONS,
        LOG_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct db_server_options opts;
    size_t n_remotes = 0;
    const char *unixctl = NULL;

    util_set_program_name(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && !strcmp(argv[1], "create")) {
        return do_create(argc, argv);
    }
    const char **remotes = xcalloc(argc, sizeof *remotes);

    db_server_options_init(&opts);
    for (;;) {
        int c = getopt_long(argc, argv, "h" LOG_SHORT_OPTIONS, long_options,
                            NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_REMOTE:
            if (!stream_name_is_valid(optarg, true)) {
                fprintf(stderr, "%s: %s: remote must be punix:PATH or "
                        "ptcp:PORT[:IP]\n", program_name(), optarg);
                exit(EXIT_FAILURE);
            }
            remotes[n_remotes++] = optarg;
            break;
        case OPT_UNIXCTL:
            unixctl = optarg;
            break;
        case OPT_MAX_MESSAGE_SIZE: {
            char *end;
            unsigned long long n = strtoull(optarg, &end, 10);
            if (*end || !n) {
                fprintf(stderr, "%s: bad --max-message-size %s\n",
                        program_name(), optarg);
                exit(EXIT_FAILURE);
            }
            opts.max_msg_size = n;
            break;
        }
        case 'h':
            usage();
        DAEMON_OPTION_HANDLERS
        LOG_OPTION_HANDLERS
        default:
            exit(EXIT_FAILURE);
        }
    }

    daemon_start();

    struct kiln_db k = { .loop = uv_default_loop() };
    k.server = db_server_create(k.loop, &opts);

    /* Databases: each file named, or the default one. */
    const char *default_file = default_db_file();
    char **files = argv + optind;
    int n_files = argc - optind;
    if (!n_files) {
        files = (char **) &default_file;
        n_files = 1;
    }
    for (int i = 0; i < n_files; i++) {
        struct storage *storage;
        struct db *db;
        struct db_error *error = storage_open(files[i], &storage, &db);
        if (!error) {
            error = db_server_add_db(k.server, db, storage);
        }
        if (error) {
            char *s = db_error_to_string(error);
            LOG_FATAL("%s", s);
        }
    }

    for (size_t i = 0; i < n_remotes; i++) {
        int error = db_server_add_remote(k.server, remotes[i]);
        if (error) {
            LOG_FATAL("%s: listen failed (%s)", remotes[i],
                      uv_strerror(error));
        }
    }
    free(remotes);

    char *ctl_path = (unixctl
                      ? xstrdup(unixctl)
                      : xasprintf("%s/%s.%ld.ctl", daemon_rundir(),
                                  program_name(), (long) getpid()));
    int error = appctl_server_create(k.loop, ctl_path, &k.appctl);
    if (error) {
        LOG_FATAL("%s: cannot create management socket (%s)", ctl_path,
                  uv_strerror(error));
    }
    register_commands(&k);

    uv_signal_init(k.loop, &k.sigterm);
    k.sigterm.data = &k;
    uv_signal_start(&k.sigterm, signal_cb, SIGTERM);
    uv_signal_init(k.loop, &k.sigint);
    k.sigint.data = &k;
    uv_signal_start(&k.sigint, signal_cb, SIGINT);
    uv_timer_init(k.loop, &k.tick);
    uv_timer_start(&k.tick, tick_cb, 1000, 1000);

    daemon_ready();
    LOG_INFO("%s: serving %d database(s)", program_name(), n_files);
    uv_run(k.loop, UV_RUN_DEFAULT);

    appctl_server_destroy(k.appctl);
    db_server_destroy(k.server);
    free(ctl_path);
    daemon_pidfile_remove();
    return 0;
}
