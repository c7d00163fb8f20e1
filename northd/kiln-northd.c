/* kiln-northd: compiles the OVN northbound database into the southbound
 * one.  Takes ovn-northd's options where they mean the same thing:
 *
 *   kiln-northd [--ovnnb-db=REMOTE] [--ovnsb-db=REMOTE] [--unixctl=PATH]
 *               [--pidfile[=FILE]] [--detach] [--no-chdir]
 *               [--log-file[=FILE]] [-v[SPEC]]
 *
 * REMOTEs default to $OVN_NB_DB and $OVN_SB_DB, else to the sockets
 * ovn-northd(8) names.  This file only wires options, the loop, the
 * management commands and the engine (northd.h) together. */
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
#include "lib/util.h"
#include "northd/northd.h"

LOG_MODULE(kiln_northd);

enum {
    OPT_OVNNB_DB = 0x100,
    OPT_OVNSB_DB,
    OPT_UNIXCTL,
};

struct kiln_northd {
    uv_loop_t *loop;            /* The loop. */
    struct northd *northd;      /* The engine.  Owned. */
    struct appctl_server *appctl; /* Management socket.  Owned. */
    uv_signal_t sigterm;        /* SIGTERM: exit. */
    uv_signal_t sigint;         /* SIGINT: exit. */
    uv_timer_t tick;            /* Once a second: counters. */
    bool exiting;               /* uv_stop() called. */
};

static noreturn void
usage(void)
{
    printf("%s: Kiln's northbound to southbound compiler\n"
           "usage: %s [OPTIONS]\n"
           "\n"
           "  --ovnnb-db=REMOTE       northbound database (default\n"
           "                          $OVN_NB_DB or "
           "unix:/var/run/ovn/ovnnb_db.sock)\n"
           "  --ovnsb-db=REMOTE       southbound database (default\n"
           "                          $OVN_SB_DB or "
           "unix:/var/run/ovn/ovnsb_db.sock)\n"
           "  --unixctl=PATH          management socket (default\n"
           "                          RUNDIR/kiln-northd.PID.ctl)\n"
           "  -h, --help              show this help\n",
           program_name(), program_name());
    daemon_usage();
    log_usage();
    exit(EXIT_SUCCESS);
}

static const char *
default_remote(const char *env, const char *dflt)
{
    const char *s = getenv(env);
    return s && s[0] ? s : dflt;
}

/* Management commands. */

static void
kiln_northd_exit(struct kiln_northd *k)
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
    kiln_northd_exit(k_);
}

/* "status": what ovn-northd answers, "Status: active" or "standby" (or
 * "paused"), then Kiln's counters. */
static void
cmd_status(struct appctl_conn *conn, int argc, const char *argv[], void *k_)
{
    struct kiln_northd *k = k_;
    struct northd_stats s;
    northd_get_stats(k->northd, &s);

    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_format(&ds, "Status: %s\n",
                  northd_is_paused(k->northd) ? "paused"
                  : northd_is_active(k->northd) ? "active" : "standby");
    if (argc > 1 || !strcmp(argv[0], "northd/status")) {
        ds_put_format(&ds, "connected: %s\n"
                      "switches: %zu\nports: %zu\nlogical flows: %zu\n"
                      "full recomputes: %llu\nincremental runs: %llu\n"
                      "switch flow rebuilds: %llu\nport flow rebuilds: %llu\n"
                      "acl flow rebuilds: %llu\n"
                      "nat flow rebuilds: %llu\n"
                      "router refreshes: %llu\n"
                      "southbound transactions: %llu (%llu failed)\n"
                      "flows inserted: %llu\nflows deleted: %llu\n",
                      northd_is_connected(k->northd) ? "yes" : "no",
                      s.n_switches, s.n_ports, s.n_flows,
                      s.n_full_recomputes, s.n_incremental,
                      s.n_switch_updates, s.n_port_updates,
                      s.n_acl_updates, s.n_nat_updates,
                      s.n_router_updates, s.n_sb_txns,
                      s.n_sb_txn_failures, s.n_flows_inserted,
                      s.n_flows_deleted);
    }
    appctl_reply(conn, ds_cstr(&ds));
    ds_uninit(&ds);
}

static void
cmd_recompute(struct appctl_conn *conn, int argc, const char *argv[],
              void *k_)
{
    struct kiln_northd *k = k_;
    northd_request_recompute(k->northd);
    appctl_reply(conn, NULL);
}

static void
cmd_pause(struct appctl_conn *conn, int argc, const char *argv[], void *k_)
{
    struct kiln_northd *k = k_;
    northd_set_paused(k->northd, true);
    appctl_reply(conn, NULL);
}

static void
cmd_resume(struct appctl_conn *conn, int argc, const char *argv[], void *k_)
{
    struct kiln_northd *k = k_;
    northd_set_paused(k->northd, false);
    appctl_reply(conn, NULL);
}

static void
cmd_is_paused(struct appctl_conn *conn, int argc, const char *argv[],
              void *k_)
{
    struct kiln_northd *k = k_;
    appctl_reply(conn, northd_is_paused(k->northd) ? "true" : "false");
}

static void
register_commands(struct kiln_northd *k)
{
    static const struct {
        const char *name;
        const char *usage;
        appctl_cb *cb;
    } cmds[] = {
        { "exit", "", cmd_exit },
        { "status", "", cmd_status },
        { "northd/status", "", cmd_status },
        { "recompute", "", cmd_recompute },
        { "northd/recompute", "", cmd_recompute },
        { "pause", "", cmd_pause },
        { "resume", "", cmd_resume },
        { "is-paused", "", cmd_is_paused },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
        appctl_command_register(cmds[i].name, cmds[i].usage, 0, 0,
                                cmds[i].cb, k);
    }
    log_register_appctl_commands();
    counter_register_appctl_commands();
}

static void
signal_cb(uv_signal_t *handle, int signum)
{
    LOG_INFO("exiting on signal %d", signum);
    kiln_northd_exit(handle->data);
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
        { "ovnnb-db", required_argument, NULL, OPT_OVNNB_DB },
        { "ovnsb-db", required_argument, NULL, OPT_OVNSB_DB },
        { "unixctl", required_argument, NULL, OPT_UNIXCTL },
        { "help", no_argument, NULL, 'h' },
        DAEMON_LONG_OPTIONS,
        LOG_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    const char *nb = default_remote("OVN_NB_DB",
                                    "unix:/var/run/ovn/ovnnb_db.sock");
    const char *sb = default_remote("OVN_SB_DB",
                                    "unix:/var/run/ovn/ovnsb_db.sock");
    const char *unixctl = NULL;

    util_set_program_name(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        int c = getopt_long(argc, argv, "h" LOG_SHORT_OPTIONS, long_options,
                            NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_OVNNB_DB:
            nb = optarg;
            break;
        case OPT_OVNSB_DB:
            sb = optarg;
            break;
        case OPT_UNIXCTL:
            unixctl = optarg;
            break;
        case 'h':
            usage();
        DAEMON_OPTION_HANDLERS
        LOG_OPTION_HANDLERS
        default:
            exit(EXIT_FAILURE);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: no arguments expected\n", program_name());
        exit(EXIT_FAILURE);
    }

    daemon_start();

    struct kiln_northd k = { .loop = uv_default_loop() };
    k.northd = northd_create(k.loop, nb, sb);

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
    LOG_INFO("%s: northbound %s, southbound %s", program_name(), nb, sb);
    uv_run(k.loop, UV_RUN_DEFAULT);

    appctl_server_destroy(k.appctl);
    northd_destroy(k.northd);
    uv_run(k.loop, UV_RUN_NOWAIT);
    free(ctl_path);
    daemon_pidfile_remove();
    return 0;
}
