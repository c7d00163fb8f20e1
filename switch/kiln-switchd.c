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
 * This file wires the database, the bridges and the management commands
 * together: for every Bridge row of the Open_vSwitch database
 * (ovs-vswitchd.conf.db(5)) it keeps an ofproto (switch/ofproto.h) and a
 * connection manager (switch/connmgr.h) listening on
 * punix:RUNDIR/BRIDGE.mgmt and connecting to the bridge's Controller
 * targets, and applies changes live.  Ports and interfaces are listed but
 * not opened yet (the datapath side comes next): each bridge has only its
 * LOCAL port. */
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
#include "lib/hash.h"
#include "lib/list.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-protocol.h"
#include "openflow/ofpbuf.h"
#include "ovsdb/idl.h"
#include "switch/connmgr.h"
#include "switch/ofproto.h"

LOG_MODULE(kiln_switchd);

#define KILN_SWITCHD_VERSION "0.1"

enum {
    OPT_UNIXCTL = 0x100,
    OPT_RUNDIR,
};

/* The columns read. */
struct vs_columns {
    struct idl_table *bridge;               /* Bridge. */
    const struct idl_column *br_name;       /* Bridge name. */
    const struct idl_column *br_datapath_id; /* Bridge datapath_id. */
    const struct idl_column *br_other_config; /* Bridge other_config. */
    const struct idl_column *br_fail_mode;  /* Bridge fail_mode. */
    const struct idl_column *br_protocols;  /* Bridge protocols. */
    const struct idl_column *br_controller; /* Bridge controller. */
    const struct idl_column *br_ports;      /* Bridge ports. */
    struct idl_table *controller;           /* Controller. */
    const struct idl_column *ctl_target;    /* Controller target. */
    const struct idl_column *ctl_probe;     /* Controller inactivity_probe. */
    struct idl_table *port;                 /* Port. */
    const struct idl_column *port_name;     /* Port name. */
};

/* One bridge. */
struct bridge {
    struct list node;           /* In kiln_switchd 'bridges'. */
    char *name;                 /* Bridge name.  Owned. */
    struct ofproto *ofproto;    /* Owned. */
    struct connmgr *connmgr;    /* Owned. */
    bool secure;                /* fail_mode=secure. */
    bool seen;                  /* Still in the database (reconfigure). */
    char **port_names;          /* Port rows of the bridge (listed only).
                                 * Owned. */
    size_t n_port_names;        /* Entries in 'port_names'. */
};

struct kiln_switchd {
    uv_loop_t *loop;            /* The loop. */
    struct idl *idl;            /* Open_vSwitch database.  Owned. */
    struct vs_columns cols;     /* Its columns. */
    struct list bridges;        /* "struct bridge"s. */
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
           "  -h, --help              show this help\n"
           "  -V, --version           show the version\n",
           program_name(), program_name());
    daemon_usage();
    log_usage();
    exit(EXIT_SUCCESS);
}

/* Bridges. */

static struct bridge *
bridge_find(struct kiln_switchd *k, const char *name)
{
    struct bridge *br;
    LIST_FOR_EACH (br, node, &k->bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

/* The NORMAL flow of a standalone bridge: "priority=0 actions=NORMAL". */
static void
bridge_set_fail_mode(struct bridge *br, bool secure)
{
    struct ofpbuf ofpacts = OFPBUF_EMPTY_INITIALIZER;
    struct ofpact_output *out = ofpact_put(&ofpacts, OFPACT_OUTPUT,
                                           sizeof *out);
    out->port = OFPP_NORMAL;
    struct ofproto_flow_mod fm;
    ofproto_flow_mod_init(&fm, secure ? OFPROTO_FC_DELETE_STRICT
                                      : OFPROTO_FC_ADD);
    fm.table_id = 0;
    fm.priority = 0;
    fm.out_port = secure ? OFPP_NORMAL : OFPP_NONE;
    fm.ofpacts = (const struct ofpact *) (void *) ofpacts.data;
    fm.ofpacts_size = ofpacts.size;
    enum ofperr err = ofproto_flow_mod(br->ofproto, &fm);
    if (err) {
        LOG_WARN("%s: cannot set fail mode (%s)", br->name,
                 ofperr_to_string(err));
    }
    ofpbuf_uninit(&ofpacts);
    br->secure = secure;
}

static uint64_t
bridge_default_dpid(const char *name, struct eth_addr *mac)
{
    /* A locally administered address derived from the name, and the
     * datapath id from it, as ovs-vswitchd derives one from the bridge's
     * address. */
    uint32_t h1 = hash_string(name, 0), h2 = hash_string(name, h1);
    uint8_t *m = (uint8_t *) mac;
    m[0] = 0x02 | ((h1 >> 24) & 0xfc);
    m[1] = h1 >> 16;
    m[2] = h1 >> 8;
    m[3] = h1;
    m[4] = h2 >> 8;
    m[5] = h2;
    uint64_t dpid = 0;
    for (int i = 0; i < 6; i++) {
        dpid = (dpid << 8) | m[i];
    }
    return dpid;
}

static struct bridge *
bridge_create(struct kiln_switchd *k, const char *name)
{
    struct bridge *br = xzalloc(sizeof *br);
    br->name = xstrdup(name);
    struct eth_addr mac;
    uint64_t dpid = bridge_default_dpid(name, &mac);
    br->ofproto = ofproto_create(name, dpid);
    br->connmgr = connmgr_create(k->loop, br->ofproto);
    int err = ofproto_port_add(br->ofproto, name, OFPP_LOCAL, &mac, NULL);
    if (err) {
        LOG_WARN("%s: cannot add local port (%s)", name, strerror(-err));
    }
    char *mgmt = xasprintf("punix:%s/%s.mgmt", daemon_rundir(), name);
    err = connmgr_set_mgmt(br->connmgr, mgmt);
    if (err) {
        LOG_ERR("%s: cannot listen (%s)", mgmt, uv_strerror(err));
    }
    free(mgmt);
    bridge_set_fail_mode(br, false);
    list_push_back(&k->bridges, &br->node);
    LOG_INFO("%s: bridge created", name);
    return br;
}

static void
bridge_free_ports(struct bridge *br)
{
    for (size_t i = 0; i < br->n_port_names; i++) {
        free(br->port_names[i]);
    }
    free(br->port_names);
    br->port_names = NULL;
    br->n_port_names = 0;
}

static void
bridge_destroy(struct bridge *br)
{
    LOG_INFO("%s: bridge deleted", br->name);
    list_remove(&br->node);
    char *path = xasprintf("%s/%s.mgmt", daemon_rundir(), br->name);
    connmgr_destroy(br->connmgr);
    unlink(path);
    free(path);
    ofproto_destroy(br->ofproto);
    bridge_free_ports(br);
    free(br->name);
    free(br);
}

static uint32_t
protocols_to_bitmap(const struct datum *d)
{
    static const struct {
        const char *name;
        uint8_t version;
    } protos[] = {
        { "OpenFlow10", OFP10_VERSION }, { "OpenFlow13", OFP13_VERSION },
        { "OpenFlow14", OFP14_VERSION }, { "OpenFlow15", OFP15_VERSION },
    };
    uint32_t bitmap = 0;
    for (size_t i = 0; d && i < d->n; i++) {
        for (size_t j = 0; j < ARRAY_SIZE(protos); j++) {
            if (!strcmp(d->keys[i].string, protos[j].name)) {
                bitmap |= 1u << protos[j].version;
            }
        }
    }
    return bitmap ? bitmap : OFP_SUPPORTED_VERSIONS;
}

static void
bridge_reconfigure(struct kiln_switchd *k, struct bridge *br,
                   const struct idl_row *row)
{
    const struct vs_columns *c = &k->cols;

    /* Datapath id: other_config:datapath-id (16 hex digits) wins. */
    const char *dpid_s = idl_row_get_map_string(row, c->br_other_config,
                                                "datapath-id");
    if (dpid_s && strlen(dpid_s) == 16
        && strspn(dpid_s, "0123456789abcdefABCDEF") == 16) {
        br->ofproto->datapath_id = strtoull(dpid_s, NULL, 16);
    }

    const char *fail_mode = idl_row_get_string(row, c->br_fail_mode);
    bool secure = fail_mode && !strcmp(fail_mode, "secure");
    if (secure != br->secure) {
        bridge_set_fail_mode(br, secure);
    }

    connmgr_set_allowed_versions(br->connmgr, protocols_to_bitmap(
                                     idl_row_get(row, c->br_protocols)));

    const struct datum *ctls = idl_row_get(row, c->br_controller);
    const char **targets = xcalloc(ctls->n + 1, sizeof *targets);
    size_t n = 0;
    int probe = -1;
    for (size_t i = 0; i < ctls->n; i++) {
        const struct idl_row *ctl = idl_row_find(c->controller,
                                                 &ctls->keys[i].uuid);
        if (ctl) {
            targets[n++] = idl_row_get_string(ctl, c->ctl_target);
            long long p = idl_row_get_integer(ctl, c->ctl_probe, -1);
            if (p >= 0) {
                probe = p;
            }
        }
    }
    connmgr_set_controllers(br->connmgr, targets, n);
    connmgr_set_probe_interval(br->connmgr, probe >= 0 ? probe : 5000);
    free(targets);

    /* XXX(#4): ports and interfaces are only listed until the datapath
     * opens them. */
    bridge_free_ports(br);
    const struct datum *ports = idl_row_get(row, c->br_ports);
    br->port_names = xcalloc(ports->n + 1, sizeof *br->port_names);
    for (size_t i = 0; i < ports->n; i++) {
        const struct idl_row *port = idl_row_find(c->port,
                                                  &ports->keys[i].uuid);
        if (port) {
            br->port_names[br->n_port_names++]
                = xstrdup(idl_row_get_string(port, c->port_name));
        }
    }
}

static void
reconfigure(struct kiln_switchd *k)
{
    const struct idl_row *row;
    struct bridge *br;

    LIST_FOR_EACH (br, node, &k->bridges) {
        br->seen = false;
    }
    IDL_FOR_EACH_ROW (row, k->cols.bridge) {
        const char *name = idl_row_get_string(row, k->cols.br_name);
        if (!name || !name[0]) {
            continue;
        }
        br = bridge_find(k, name);
        if (!br) {
            br = bridge_create(k, name);
        }
        br->seen = true;
        bridge_reconfigure(k, br, row);
    }
    LIST_FOR_EACH_SAFE (br, node, &k->bridges) {
        if (!br->seen) {
            bridge_destroy(br);
        }
    }
}

static void
idl_changed_cb(struct idl *idl, void *k_)
{
    struct kiln_switchd *k = k_;
    if (idl_has_synced(idl)) {
        reconfigure(k);
    }
}

static void
columns_init(struct vs_columns *c, struct idl *idl)
{
    c->bridge = idl_add_table(idl, "Bridge");
    c->br_name = idl_add_column(c->bridge, "name");
    c->br_datapath_id = idl_add_column(c->bridge, "datapath_id");
    c->br_other_config = idl_add_column(c->bridge, "other_config");
    c->br_fail_mode = idl_add_column(c->bridge, "fail_mode");
    c->br_protocols = idl_add_column(c->bridge, "protocols");
    c->br_controller = idl_add_column(c->bridge, "controller");
    c->br_ports = idl_add_column(c->bridge, "ports");
    c->controller = idl_add_table(idl, "Controller");
    c->ctl_target = idl_add_column(c->controller, "target");
    c->ctl_probe = idl_add_column(c->controller, "inactivity_probe");
    c->port = idl_add_table(idl, "Port");
    c->port_name = idl_add_column(c->port, "name");
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
cmd_dump_flows(struct appctl_conn *conn, int argc, const char *argv[],
               void *k_)
{
    struct bridge *br = bridge_find(k_, argv[1]);
    if (!br) {
        appctl_reply_error(conn, "no such bridge\n");
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    ofproto_dump_flows(br->ofproto, &s);
    appctl_reply(conn, ds_cstr(&s));
    ds_uninit(&s);
}

static void
cmd_ofproto_list(struct appctl_conn *conn, int argc, const char *argv[],
                 void *k_)
{
    struct kiln_switchd *k = k_;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct bridge *br;
    LIST_FOR_EACH (br, node, &k->bridges) {
        ds_put_format(&s, "%s\n", br->name);
    }
    appctl_reply(conn, ds_cstr(&s));
    ds_uninit(&s);
}

static void
cmd_bridge_show(struct appctl_conn *conn, int argc, const char *argv[],
                void *k_)
{
    struct kiln_switchd *k = k_;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct bridge *br;
    LIST_FOR_EACH (br, node, &k->bridges) {
        ds_put_format(&s, "%s: dpid %016"PRIx64", %zu flows, fail_mode %s\n",
                      br->name, br->ofproto->datapath_id,
                      ofproto_flow_count(br->ofproto),
                      br->secure ? "secure" : "standalone");
        for (size_t i = 0; i < br->n_port_names; i++) {
            ds_put_format(&s, "  port %s (not opened)\n",
                          br->port_names[i]);
        }
        connmgr_describe(br->connmgr, &s);
    }
    appctl_reply(conn, ds_cstr(&s));
    ds_uninit(&s);
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
    appctl_command_register("bridge/dump-flows", "BRIDGE", 1, 1,
                            cmd_dump_flows, k);
    appctl_command_register("ofproto/list", "", 0, 0, cmd_ofproto_list, k);
    appctl_command_register("bridge/show", "", 0, 0, cmd_bridge_show, k);
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
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        DAEMON_LONG_OPTIONS,
        LOG_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    const char *unixctl = NULL;

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
    list_init(&k.bridges);
    k.idl = idl_create(k.loop, remote, "Open_vSwitch");
    columns_init(&k.cols, k.idl);
    idl_set_change_callback(k.idl, idl_changed_cb, &k);

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

    struct bridge *br;
    LIST_FOR_EACH_SAFE (br, node, &k.bridges) {
        bridge_destroy(br);
    }
    appctl_server_destroy(k.appctl);
    idl_destroy(k.idl);
    uv_run(k.loop, UV_RUN_NOWAIT);
    free(ctl_path);
    free(remote);
    daemon_pidfile_remove();
    return 0;
}
