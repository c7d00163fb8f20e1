/* kiln-switchd: the userspace OpenFlow switch.  Takes ovs-vswitchd's
 * options where they mean the same thing:
 *
 *   kiln-switchd [DATABASE] [--rundir=DIR] [--unixctl=PATH]
 *                [--pidfile[=FILE]] [--detach] [--no-chdir]
 *                [--log-file[=FILE]] [-v[SPEC]]
 *
 * DATABASE defaults to unix:RUNDIR/db.sock; RUNDIR is --rundir (which must
 * come before --pidfile), else $KILN_RUNDIR, $OVS_RUNDIR, /var/run/kiln.
 *
 * --n-threads=N sets the number of packet threads (default 1);
 * --busy-poll-us=N how long a packet thread polls on after its last
 * packet before it sleeps (default 0: sleep at once).
 *
 * This file wires the database, the switch (switch/bridge.h: bridges,
 * ports, the shared datapath) and the management commands together. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
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
#include "lib/util.h"
#include "ovsdb/idl.h"
#include "switch/bridge.h"

LOG_MODULE(kiln_switchd);

#define KILN_SWITCHD_VERSION "0.1"

enum {
    OPT_UNIXCTL = 0x100,
    OPT_RUNDIR,
    OPT_BUSY_POLL_US,
    OPT_N_THREADS,
};

struct kiln_switchd {
    uv_loop_t *loop;            /* The loop. */
    struct idl *idl;            /* Open_vSwitch database.  Owned. */
    struct bridge_set *bridges; /* The switch.  Owned. */
    struct appctl_server *appctl; /* Management socket.  Owned. */
    uv_signal_t sigterm;        /* SIGTERM: exit. */
    uv_signal_t sigint;         /* SIGINT: exit. */
    uv_timer_t tick;            /* Once a second: counters. */
    bool exiting;               /* uv_stop() called. */
};

static noreturn void
usage(void)
{
    printf("%s: Kiln's userspace OpenFlow switch\n"
           "usage: %s [OPTIONS] [DATABASE]\n"
           "where DATABASE is a socket on which the Open_vSwitch database\n"
           "listens (default: unix:RUNDIR/db.sock).\n"
           "\n"
           "  --rundir=DIR            run directory (before --pidfile)\n"
           "  --unixctl=PATH          management socket (default\n"
           "                          RUNDIR/kiln-switchd.PID.ctl)\n"
           "  --n-threads=N           packet threads (default 1)\n"
           "  --busy-poll-us=N        poll N us after the last packet before\n"
           "                          sleeping (default 0: off)\n"
           "  -h, --help              show this help\n"
           "  -V, --version           show the version\n",
           program_name(), program_name());
    daemon_usage();
    log_usage();
    exit(EXIT_SUCCESS);
}

static void
idl_changed_cb(struct idl *idl, void *k_)
{
    struct kiln_switchd *k = k_;
    if (idl_has_synced(idl) && !k->exiting) {
        bridge_set_reconfigure(k->bridges);
    }
}

/* Management commands. */

static void
kiln_switchd_exit(struct kiln_switchd *k)
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
    kiln_switchd_exit(k_);
}

static void
cmd_version(struct appctl_conn *conn, int argc, const char *argv[],
            void *k_)
{
    appctl_reply(conn, "kiln-switchd " KILN_SWITCHD_VERSION "\n");
}

static void
cmd_vlog_set(struct appctl_conn *conn, int argc, const char *argv[],
             void *k_)
{
    for (int i = 1; i < argc; i++) {
        char *err = log_set_levels_from_string(argv[i]);
        if (err) {
            appctl_reply_error(conn, err);
            free(err);
            return;
        }
    }
    appctl_reply(conn, NULL);
}

static void
cmd_coverage_show(struct appctl_conn *conn, int argc, const char *argv[],
                  void *k_)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    counter_show(&s);
    appctl_reply(conn, ds_cstr(&s));
    ds_uninit(&s);
}

static void
register_commands(struct kiln_switchd *k)
{
    appctl_command_register("exit", "", 0, 1, cmd_exit, k);
    appctl_command_register("version", "", 0, 0, cmd_version, k);
    appctl_command_register("vlog/set", "SPEC...", 1, 8, cmd_vlog_set, k);
    appctl_command_register("coverage/show", "", 0, 0, cmd_coverage_show,
                            k);
    log_register_appctl_commands();
    counter_register_appctl_commands();
}

static void
signal_cb(uv_signal_t *handle, int signum)
{
    LOG_INFO("exiting on signal %d", signum);
    kiln_switchd_exit(handle->data);
}

static void
tick_cb(uv_timer_t *timer)
{
    counter_run(time_msec());
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        { "unixctl", required_argument, NULL, OPT_UNIXCTL },
        { "rundir", required_argument, NULL, OPT_RUNDIR },
        { "n-threads", required_argument, NULL, OPT_N_THREADS },
        { "busy-poll-us", required_argument, NULL, OPT_BUSY_POLL_US },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        DAEMON_LONG_OPTIONS,
        LOG_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    const char *unixctl = NULL;
    struct bridge_set_options bopts = { .n_threads = 1,
                                        .busy_poll_us = -1 };

    util_set_program_name(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        int c = getopt_long(argc, argv, "hV" LOG_SHORT_OPTIONS, long_options,
                            NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_UNIXCTL:
            unixctl = optarg;
            break;
        case OPT_RUNDIR:
            setenv("KILN_RUNDIR", optarg, 1);
            break;
        case OPT_N_THREADS:
            bopts.n_threads = atoi(optarg);
            if (bopts.n_threads < 1 || bopts.n_threads > 64) {
                fprintf(stderr, "%s: --n-threads: 1 to 64\n",
                        program_name());
                exit(EXIT_FAILURE);
            }
            break;
        case OPT_BUSY_POLL_US: {
            char *end;
            long us = strtol(optarg, &end, 10);

            if (*end || end == optarg || us < 0 || us > 1000000) {
                fprintf(stderr, "%s: --busy-poll-us: 0 to 1000000\n",
                        program_name());
                exit(EXIT_FAILURE);
            }
            bopts.busy_poll_us = us;
            break;
        }
        case 'h':
            usage();
        case 'V':
            printf("kiln-switchd " KILN_SWITCHD_VERSION "\n");
            exit(EXIT_SUCCESS);
        DAEMON_OPTION_HANDLERS
        LOG_OPTION_HANDLERS
        default:
            exit(EXIT_FAILURE);
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "%s: at most one database remote expected\n",
                program_name());
        exit(EXIT_FAILURE);
    }

    char *remote = (optind < argc ? xstrdup(argv[optind])
                    : xasprintf("unix:%s/db.sock", daemon_rundir()));
    int error = daemon_make_dirs(daemon_rundir());
    if (error) {
        fprintf(stderr, "%s: %s: cannot create (%s)\n", program_name(),
                daemon_rundir(), strerror(-error));
    }
    daemon_start();

    struct kiln_switchd k = { .loop = uv_default_loop() };
    k.idl = idl_create(k.loop, remote, "Open_vSwitch");

    char *ctl_path = (unixctl
                      ? xstrdup(unixctl)
                      : xasprintf("%s/%s.%ld.ctl", daemon_rundir(),
                                  program_name(), (long) getpid()));
    error = appctl_server_create(k.loop, ctl_path, &k.appctl);
    if (error) {
        LOG_FATAL("%s: cannot create management socket (%s)", ctl_path,
                  uv_strerror(error));
    }
    register_commands(&k);
    k.bridges = bridge_set_create(k.loop, k.idl, &bopts);
    idl_set_change_callback(k.idl, idl_changed_cb, &k);

    uv_signal_init(k.loop, &k.sigterm);
    k.sigterm.data = &k;
    uv_signal_start(&k.sigterm, signal_cb, SIGTERM);
    uv_signal_init(k.loop, &k.sigint);
    k.sigint.data = &k;
    uv_signal_start(&k.sigint, signal_cb, SIGINT);
    uv_timer_init(k.loop, &k.tick);
    uv_timer_start(&k.tick, tick_cb, 1000, 1000);

    daemon_ready();
    LOG_INFO("%s: database %s", program_name(), remote);
    uv_run(k.loop, UV_RUN_DEFAULT);

    k.exiting = true;
    bridge_set_destroy(k.bridges);
    appctl_server_destroy(k.appctl);
    idl_destroy(k.idl);
    uv_run(k.loop, UV_RUN_NOWAIT);
    free(ctl_path);
    free(remote);
    daemon_pidfile_remove();
    return 0;
}
