/* kiln-nbctl: the ovn-nbctl(8) of Kiln.  Manages the OVN northbound
 * database: logical switches, routers, ACLs, NAT, load balancers, DHCP
 * options and the rest, plus the generic database commands.
 *
 * This file is the program: options, the connection, --wait, and the
 * "init" and "sync" commands.  The command families are in nbctl-*.c, all
 * run by dbctl_run() in one transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/log.h"
#include "lib/util.h"
#include "ovsdb/idl.h"
#include "tools/dbctl.h"
#include "tools/nbctl-private.h"

/* How records are named in the generic commands. */
static const struct dbctl_table_name names[] = {
    { "ACL", "name" },
    { "Address_Set", "name" },
    { "Connection", "target" },
    { "Forwarding_Group", "name" },
    { "HA_Chassis", "chassis_name" },
    { "HA_Chassis_Group", "name" },
    { "Load_Balancer", "name" },
    { "Load_Balancer_Group", "name" },
    { "Load_Balancer_Health_Check", "vip" },
    { "Logical_Router", "name" },
    { "Logical_Router", "external_ids:neutron:router_name" },
    { "Logical_Router_Port", "name" },
    { "Logical_Switch", "name" },
    { "Logical_Switch", "external_ids:neutron:network_name" },
    { "Logical_Switch_Port", "name" },
    { "Logical_Switch_Port", "external_ids:neutron:port_name" },
    { "Meter", "name" },
    { "NAT", "external_ip" },
    { "NB_Global", NULL },
    { "Port_Group", "name" },
    { "SSL", NULL },
};

enum wait_type { WAIT_NONE, WAIT_SB, WAIT_HV };

/* State of the --wait machinery, shared with the dbctl callbacks. */
struct nbctl_wait {
    enum wait_type type;        /* --wait=. */
    bool sync;                  /* A "sync" command ran. */
    bool incremented;           /* nb_cfg was bumped in this transaction. */
    long long next_cfg;         /* nb_cfg after the commit. */
};

static struct nbctl_wait wait_state;

static int
cmd_init(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "NB_Global");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    free(rows);
    if (!n) {
        dbctl_insert(ctx, table);
    }
    return 0;
}

static int
cmd_sync(struct dbctl_context *ctx, int argc, char **argv)
{
    wait_state.sync = true;
    return 0;
}

static const struct dbctl_command main_commands[] = {
    { "init", 0, 0, NULL, cmd_init },
    { "sync", 0, 0, NULL, cmd_sync },
    { NULL, 0, 0, NULL, NULL },
};

static const struct dbctl_command *const command_tables[] = {
    main_commands,
    nbctl_switch_commands,
    nbctl_acl_commands,
    nbctl_router_commands,
    nbctl_lb_commands,
    nbctl_show_commands,
    NULL,
};

/* Bumps NB_Global's nb_cfg when --wait asks for it and there is something
 * to wait for. */
static int
before_commit(struct dbctl_context *ctx, void *aux)
{
    struct nbctl_wait *w = aux;
    w->incremented = false;
    if (w->type == WAIT_NONE || (!w->sync && !dbctl_has_changes(ctx))) {
        return 0;
    }
    struct idl_table *table = dbctl_table(ctx, "NB_Global");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    const struct idl_row *nb = n ? rows[0] : NULL;
    free(rows);
    if (!nb) {
        return dbctl_fail(ctx, "no row in NB_Global: run \"%s init\" "
                          "first", program_name());
    }
    if (!idl_row_find(table, idl_row_uuid(nb))) {
        return 0;               /* Created just now by "init". */
    }
    dbctl_increment(ctx, nb, dbctl_column(table, "nb_cfg"));
    w->incremented = true;
    return 0;
}

static void
committed(struct idl_txn *txn, int status, void *aux)
{
    struct nbctl_wait *w = aux;
    if (w->incremented && status == IDL_TXN_SUCCESS) {
        w->next_cfg = idl_txn_get_increment_new_value(txn);
    } else {
        w->incremented = false;
    }
}

/* Whether northd (for --wait=sb) or every chassis (--wait=hv) has caught
 * up with nb_cfg 'next_cfg'. */
static bool
caught_up(struct idl *idl, void *aux)
{
    const struct nbctl_wait *w = aux;
    struct idl_table *table = idl_get_table(idl, "NB_Global");
    const struct idl_row *nb = idl_table_first_row(table);
    if (!nb) {
        return false;
    }
    const char *column = w->type == WAIT_HV ? "hv_cfg" : "sb_cfg";
    long long cfg = idl_row_get_integer(
        nb, idl_table_find_column(table, column), 0);
    return cfg >= w->next_cfg;
}

static void
usage(void)
{
    printf("%s: OVN northbound database management utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n"
           "\n"
           "General commands:\n"
           "  init                      initialize the database\n"
           "  show [SWITCH|ROUTER]      print an overview of the database\n"
           "  sync                      wait for preceding commands to "
           "take effect\n"
           "\n"
           "Logical switches and ports: ls-add, ls-del, ls-list, lsp-add,\n"
           "  lsp-del, lsp-list, lsp-get-*, lsp-set-*, lsp-attach-mirror,\n"
           "  lsp-detach-mirror, fwd-group-*, static-mac-binding-*\n"
           "ACLs and friends: acl-add, acl-del, acl-list, qos-*, pg-add,\n"
           "  pg-set-ports, pg-del, meter-*, copp-*, ls-copp-add,\n"
           "  lr-copp-add, mirror-*\n"
           "Logical routers: lr-add, lr-del, lr-list, lrp-*, lr-route-*,\n"
           "  lr-policy-*, lr-nat-*, lrp-*-gateway-chassis,\n"
           "  ha-chassis-group-*\n"
           "Load balancers and DHCP: lb-*, ls-lb-*, lr-lb-*,\n"
           "  lb-group-*, dhcp-options-*, {get,set,del}-connection,\n"
           "  {get,set,del}-ssl\n"
           "Database commands: list, find, get, set, add, remove, clear,\n"
           "  create, destroy, wait-until\n"
           "See docs/kiln-nbctl.md for every command.\n"
           "\n"
           "Options:\n"
           "  --db=DATABASE             connect to DATABASE (default: "
           "$OVN_NB_DB, else\n"
           "                            unix:$OVN_RUNDIR/ovnnb_db.sock, "
           "$OVN_RUNDIR\n"
           "                            defaulting to /var/run/ovn)\n"
           "  --no-wait, --wait=none    do not wait for OVN to apply the "
           "change\n"
           "  --wait=sb                 wait for northd to compile it\n"
           "  --wait=hv                 wait for every chassis to apply it\n"
           "  -t, --timeout=SECS        give up after SECS seconds\n"
           "  --dry-run                 do not commit changes\n"
           "  --oneline                 one line of output per command\n"
           "  -f, --format=FORMAT       table, list, csv or json\n"
           "  -d, --data=FORMAT         string, bare or json\n"
           "  --no-headings, --pretty, --bare, --columns=COLUMNS\n"
           "  -h, --help                this help\n",
           program_name(), program_name());
}

/* Returns the database to use without --db; the caller frees it. */
static char *
default_db(void)
{
    const char *db = getenv("OVN_NB_DB");
    if (db && *db) {
        return xstrdup(db);
    }
    const char *dir = getenv("OVN_RUNDIR");
    return xasprintf("unix:%s/ovnnb_db.sock",
                     dir && *dir ? dir : "/var/run/ovn");
}

/* kiln-nbctl's own global options. */
static int
parse_option(const char *arg, struct dbctl_options *opts)
{
    if (!strcmp(arg, "--no-wait") || !strcmp(arg, "--wait=none")) {
        wait_state.type = WAIT_NONE;
    } else if (!strcmp(arg, "--wait=sb")) {
        wait_state.type = WAIT_SB;
    } else if (!strcmp(arg, "--wait=hv")) {
        wait_state.type = WAIT_HV;
    } else if (!strncmp(arg, "--wait=", 7)) {
        fprintf(stderr, "%s: argument to --wait must be \"none\", \"sb\", "
                "or \"hv\"\n", program_name());
        return -1;
    } else if (!strcmp(arg, "--print-wait-time")) {
        /* Accepted; nothing is printed. */
    } else {
        return 0;
    }
    return 1;
}

/* Waits, after the commit, for what --wait asked. */
static int
after_commit(struct idl *idl, long long timeout_ms, struct ds *err)
{
    if (wait_state.incremented
        && idl_run_until(idl, caught_up, &wait_state, timeout_ms)) {
        ds_put_cstr(err, "timeout expired");
        return -ETIMEDOUT;
    }
    return 0;
}

int
main(int argc, char *argv[])
{
    static const struct dbctl_tool tool = {
        .names = names,
        .n_names = ARRAY_SIZE(names),
        .commands = command_tables,
        .before_commit = before_commit,
        .committed = committed,
        .aux = &wait_state,
    };
    static const struct dbctl_program program = {
        .db_name = "OVN_Northbound",
        .default_db = default_db,
        .usage = usage,
        .parse_option = parse_option,
        .tool = &tool,
        .after_commit = after_commit,
    };
    return dbctl_main(&program, argc, argv);
}
