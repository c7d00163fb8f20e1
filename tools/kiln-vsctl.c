/* kiln-vsctl: configures a chassis's local Open_vSwitch database, like
 * ovs-vsctl(8): the bridge and port commands, on top of the generic
 * database commands of tools/dbctl.h.
 *
 *   kiln-vsctl [--db=REMOTE] [--timeout=SECS] [--no-wait] [OPTIONS]
 *              COMMAND ARGS [-- COMMAND ARGS]...
 *
 * The bridge and port commands are checked against a model of the bridges,
 * ports and interfaces read from the replica, which they update as they
 * go, and turn into generic commands; all commands then run in one
 * transaction through dbctl_run().
 *
 * Known limits: no VLAN ("fake") bridges; the output of the bridge and
 * port commands comes before that of the generic commands; the bridge and
 * port commands do not see renames made by generic commands in the same
 * invocation; --no-wait is accepted but kiln-vsctl never waits for a
 * switch anyway. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "lib/ds.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"
#include "tools/dbctl.h"

/* Records named by a name column in the Open_vSwitch schema, and the
 * singletons named ".". */
static const struct dbctl_table_name names[] = {
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

/* One bridge, port or interface of the model. */
struct vs_rec {
    char *name;                 /* Name; owned. */
    char *ref;                  /* UUID string, or "@kv..." symbol of a row
                                   created by this invocation; owned. */
    struct vs_rec *parent;      /* Port's bridge, interface's port; else
                                   NULL. */
    bool deleted;               /* Deleted by an earlier command. */
    bool created;               /* Created by this invocation. */
};

/* The model: all records of one kind. */
struct vs_set {
    struct vs_rec **recs;       /* 'n' records; owned. */
    size_t n;                   /* Number of records. */
};

/* The state of one invocation. */
struct vs_ctx {
    struct vs_set bridges;      /* Bridges. */
    struct vs_set ports;        /* Ports. */
    struct vs_set ifaces;       /* Interfaces. */
    char **gen;                 /* Generic command words; owned. */
    size_t n_gen;               /* Number of words in 'gen'. */
    struct ds out;              /* Output of the bridge and port
                                   commands. */
    struct ds err;              /* Error message. */
    int n_syms;                 /* Symbols made so far. */
    int status;                 /* Exit status on error. */
};

/* Adds a record named 'name' to 'set' and returns it; takes 'ref'. */
static struct vs_rec *
vs_add(struct vs_set *set, const char *name, char *ref,
       struct vs_rec *parent, bool created)
{
    struct vs_rec *r = xzalloc(sizeof *r);
    r->name = xstrdup(name);
    r->ref = ref;
    r->parent = parent;
    r->created = created;
    set->recs = xrealloc(set->recs, (set->n + 1) * sizeof *set->recs);
    set->recs[set->n++] = r;
    return r;
}

/* Returns the live record named 'name' in 'set', or NULL. */
static struct vs_rec *
vs_find(const struct vs_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++) {
        struct vs_rec *r = set->recs[i];
        if (!r->deleted && !strcmp(r->name, name)) {
            return r;
        }
    }
    return NULL;
}

/* Frees the records of 'set'. */
static void
vs_set_destroy(struct vs_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->recs[i]->name);
        free(set->recs[i]->ref);
        free(set->recs[i]);
    }
    free(set->recs);
}

/* Returns 'u' as a string; the caller frees it. */
static char *
uuid_ref(const struct uuid *u)
{
    return xasprintf(UUID_FMT, UUID_ARGS(u));
}

/* Loads the model from 'idl'. */
static void
vs_load(struct vs_ctx *c, struct idl *idl)
{
    struct idl_table *bt = idl_get_table(idl, "Bridge");
    struct idl_table *pt = idl_get_table(idl, "Port");
    struct idl_table *it = idl_get_table(idl, "Interface");
    const struct idl_column *bname = idl_table_find_column(bt, "name");
    const struct idl_column *bports = idl_table_find_column(bt, "ports");
    const struct idl_column *pname = idl_table_find_column(pt, "name");
    const struct idl_column *pifaces = idl_table_find_column(pt,
                                                             "interfaces");
    const struct idl_column *iname = idl_table_find_column(it, "name");
    const struct idl_row *b;

    IDL_FOR_EACH_ROW (b, bt) {
        struct vs_rec *br = vs_add(&c->bridges, idl_row_get_string(b, bname),
                                   uuid_ref(idl_row_uuid(b)), NULL, false);
        const struct datum *ports = idl_row_get(b, bports);
        for (size_t i = 0; i < ports->n; i++) {
            const struct idl_row *p = idl_row_find(pt, &ports->keys[i].uuid);
            if (!p) {
                continue;
            }
            struct vs_rec *port = vs_add(&c->ports,
                                         idl_row_get_string(p, pname),
                                         uuid_ref(idl_row_uuid(p)), br,
                                         false);
            const struct datum *ifs = idl_row_get(p, pifaces);
            for (size_t j = 0; j < ifs->n; j++) {
                const struct idl_row *in = idl_row_find(it,
                                                        &ifs->keys[j].uuid);
                if (in) {
                    vs_add(&c->ifaces, idl_row_get_string(in, iname),
                           uuid_ref(idl_row_uuid(in)), port, false);
                }
            }
        }
    }
}

/* Appends one generic command (NULL-terminated words) to the command
 * line given to dbctl_run(). */
static void
gen(struct vs_ctx *c, const char *word, ...)
{
    va_list args;
    va_start(args, word);
    c->gen = xrealloc(c->gen, (c->n_gen + 1) * sizeof *c->gen);
    c->gen[c->n_gen++] = xstrdup("--");
    for (const char *w = word; w; w = va_arg(args, const char *)) {
        c->gen = xrealloc(c->gen, (c->n_gen + 1) * sizeof *c->gen);
        c->gen[c->n_gen++] = xstrdup(w);
    }
    va_end(args);
}

/* Records an error message (exit status 1); returns -1. */
static int
vs_fail(struct vs_ctx *c, const char *format, ...) PRINTF_FORMAT(2, 3);

static int
vs_fail(struct vs_ctx *c, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ds_put_format_valist(&c->err, format, args);
    va_end(args);
    c->status = 1;
    return -1;
}

/* Per-command options of the bridge and port commands. */
struct vs_opts {
    bool may_exist;             /* --may-exist. */
    bool if_exists;             /* --if-exists. */
};

/* Checks that 'cmd' got from 'min' to 'max' arguments; returns 0, or -1
 * with a message. */
static int
check_args(struct vs_ctx *c, const char *cmd, int argc, int min, int max)
{
    if (argc < min) {
        return vs_fail(c, "'%s' command requires at least %d arguments",
                       cmd, min);
    }
    if (argc > max) {
        return vs_fail(c, "'%s' command takes at most %d arguments",
                       cmd, max);
    }
    return 0;
}

/* Returns a new "@name" for a row created here; the caller frees it. */
static char *
new_sym(struct vs_ctx *c)
{
    return xasprintf("@kiln_vsctl_%d", c->n_syms++);
}

/* Generates the creation of a port named 'name' on 'br', with one
 * interface, plus Port column settings 'settings' ('n_settings'). */
static void
create_port(struct vs_ctx *c, struct vs_rec *br, const char *name,
            const char *type, char **settings, int n_settings,
            bool is_bridge)
{
    char *isym = new_sym(c), *psym = new_sym(c);
    char *idopt = xasprintf("--id=%s", isym);
    char *nameset = xasprintf("name=%s", name);
    if (type) {
        char *typeset = xasprintf("type=%s", type);
        gen(c, idopt, "create", "Interface", nameset, typeset, NULL);
        free(typeset);
    } else {
        gen(c, idopt, "create", "Interface", nameset, NULL);
    }
    free(idopt);
    idopt = xasprintf("--id=%s", psym);
    char *ifset = xasprintf("interfaces=%s", isym);
    gen(c, idopt, "create", "Port", nameset, ifset, NULL);
    for (int i = 0; i < n_settings; i++) {
        c->gen = xrealloc(c->gen, (c->n_gen + 1) * sizeof *c->gen);
        c->gen[c->n_gen++] = xstrdup(settings[i]);
    }
    free(ifset);
    free(idopt);
    free(nameset);
    struct vs_rec *port = vs_add(&c->ports, name, psym, br, true);
    vs_add(&c->ifaces, name, isym, port, true);
    if (!is_bridge) {
        gen(c, "add", "Bridge", br->name, "ports", psym, NULL);
    }
}

/* The bridge and port commands: each checks its arguments against the
 * model, updates it, and appends its output to c->out or generates
 * generic commands.  Each returns 0, or -1 with c->err and c->status set
 * (br-exists: status 2 and no message). */

static int
cmd_add_br(struct vs_ctx *c, const struct vs_opts *o, int argc, char **argv)
{
    if (check_args(c, "add-br", argc, 1, 3)) {
        return -1;
    }
    if (argc == 2) {
        return vs_fail(c, "'add-br' command takes exactly 1 or 3 "
                       "arguments");
    }
    if (argc == 3) {
        return vs_fail(c, "add-br %s %s %s: VLAN bridges are not supported",
                       argv[0], argv[1], argv[2]);
    }
    const char *name = argv[0];
    if (vs_find(&c->bridges, name)) {
        if (o->may_exist) {
            return 0;
        }
        return vs_fail(c, "cannot create a bridge named %s because a bridge "
                       "named %s already exists", name, name);
    }
    struct vs_rec *port = vs_find(&c->ports, name);
    if (port) {
        return vs_fail(c, "cannot create a bridge named %s because a port "
                       "named %s already exists on bridge %s", name, name,
                       port->parent->name);
    }
    struct vs_rec *iface = vs_find(&c->ifaces, name);
    if (iface) {
        return vs_fail(c, "cannot create a bridge named %s because an "
                       "interface named %s already exists on bridge %s",
                       name, name, iface->parent->parent->name);
    }
    char *bsym = new_sym(c);
    struct vs_rec *br = vs_add(&c->bridges, name, bsym, NULL, true);
    create_port(c, br, name, "internal", NULL, 0, true);
    char *idopt = xasprintf("--id=%s", bsym);
    char *nameset = xasprintf("name=%s", name);
    char *portset = xasprintf("ports=%s",
                              c->ports.recs[c->ports.n - 1]->ref);
    gen(c, idopt, "create", "Bridge", nameset, portset, NULL);
    gen(c, "add", "Open_vSwitch", ".", "bridges", bsym, NULL);
    free(idopt);
    free(nameset);
    free(portset);
    return 0;
}

/* Marks 'port' and its interfaces deleted. */
static void
delete_port(struct vs_ctx *c, struct vs_rec *port)
{
    port->deleted = true;
    for (size_t i = 0; i < c->ifaces.n; i++) {
        if (c->ifaces.recs[i]->parent == port) {
            c->ifaces.recs[i]->deleted = true;
        }
    }
}

static int
cmd_del_br(struct vs_ctx *c, const struct vs_opts *o, int argc, char **argv)
{
    if (check_args(c, "del-br", argc, 1, 1)) {
        return -1;
    }
    struct vs_rec *br = vs_find(&c->bridges, argv[0]);
    if (!br) {
        return o->if_exists ? 0 : vs_fail(c, "no bridge named %s", argv[0]);
    }
    /* The ports and interfaces go with the bridge: the server collects
     * rows no longer referenced. */
    gen(c, "remove", "Open_vSwitch", ".", "bridges", br->ref, NULL);
    br->deleted = true;
    for (size_t i = 0; i < c->ports.n; i++) {
        if (c->ports.recs[i]->parent == br && !c->ports.recs[i]->deleted) {
            delete_port(c, c->ports.recs[i]);
        }
    }
    return 0;
}

/* qsort() comparison of two strings. */
static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

/* Prints the names of the live records of 'set' for which 'br' is the
 * bridge (all if 'br' is NULL), sorted, one a line. */
static void
print_names(struct vs_ctx *c, const struct vs_set *set,
            const struct vs_rec *br, bool skip_local)
{
    const char **v = xcalloc(set->n + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++) {
        const struct vs_rec *r = set->recs[i];
        const struct vs_rec *b = r;
        while (b->parent) {
            b = b->parent;
        }
        if (r->deleted || (br && b != br)
            || (skip_local && !strcmp(r->name, b->name))) {
            continue;
        }
        v[n++] = r->name;
    }
    qsort(v, n, sizeof *v, compare_strings);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&c->out, "%s\n", v[i]);
    }
    free(v);
}

static int
cmd_list_br(struct vs_ctx *c, const struct vs_opts *o,
            int argc, char **argv)
{
    if (check_args(c, "list-br", argc, 0, 0)) {
        return -1;
    }
    print_names(c, &c->bridges, NULL, false);
    return 0;
}

static int
cmd_br_exists(struct vs_ctx *c, const struct vs_opts *o,
              int argc, char **argv)
{
    if (check_args(c, "br-exists", argc, 1, 1)) {
        return -1;
    }
    if (!vs_find(&c->bridges, argv[0])) {
        c->status = 2;
        return -1;
    }
    return 0;
}

/* Returns the bridge named 'name', or NULL with a message. */
static struct vs_rec *
find_bridge(struct vs_ctx *c, const char *name)
{
    struct vs_rec *br = vs_find(&c->bridges, name);
    if (!br) {
        vs_fail(c, "no bridge named %s", name);
    }
    return br;
}

static int
cmd_list_ports(struct vs_ctx *c, const struct vs_opts *o,
               int argc, char **argv)
{
    if (check_args(c, "list-ports", argc, 1, 1)) {
        return -1;
    }
    struct vs_rec *br = find_bridge(c, argv[0]);
    if (!br) {
        return -1;
    }
    print_names(c, &c->ports, br, true);
    return 0;
}

static int
cmd_list_ifaces(struct vs_ctx *c, const struct vs_opts *o,
                int argc, char **argv)
{
    if (check_args(c, "list-ifaces", argc, 1, 1)) {
        return -1;
    }
    struct vs_rec *br = find_bridge(c, argv[0]);
    if (!br) {
        return -1;
    }
    print_names(c, &c->ifaces, br, true);
    return 0;
}

static int
cmd_add_port(struct vs_ctx *c, const struct vs_opts *o, int argc,
             char **argv)
{
    if (check_args(c, "add-port", argc, 2, INT_MAX)) {
        return -1;
    }
    const char *name = argv[1];
    struct vs_rec *port = vs_find(&c->ports, name);
    if (port && o->may_exist && strcmp(port->name, port->parent->name)) {
        if (strcmp(port->parent->name, argv[0])) {
            return vs_fail(c, "\"--may-exist add-port %s %s\" but %s is "
                           "actually attached to bridge %s", argv[0], name,
                           name, port->parent->name);
        }
        return 0;
    }
    struct vs_rec *br = find_bridge(c, argv[0]);
    if (!br) {
        return -1;
    }
    if (vs_find(&c->bridges, name)) {
        return vs_fail(c, "cannot create a port named %s because a bridge "
                       "named %s already exists", name, name);
    }
    if (port) {
        return vs_fail(c, "cannot create a port named %s because a port "
                       "named %s already exists on bridge %s", name, name,
                       port->parent->name);
    }
    struct vs_rec *iface = vs_find(&c->ifaces, name);
    if (iface) {
        return vs_fail(c, "cannot create an interface named %s because an "
                       "interface named %s already exists on bridge %s",
                       name, name, iface->parent->parent->name);
    }
    create_port(c, br, name, NULL, argv + 2, argc - 2, false);
    return 0;
}

static int
cmd_del_port(struct vs_ctx *c, const struct vs_opts *o, int argc,
             char **argv)
{
    if (check_args(c, "del-port", argc, 1, 2)) {
        return -1;
    }
    const char *name = argv[argc - 1];
    struct vs_rec *br = NULL;
    if (argc == 2) {
        br = find_bridge(c, argv[0]);
        if (!br) {
            return -1;
        }
    }
    struct vs_rec *port = vs_find(&c->ports, name);
    if (port && !strcmp(port->name, port->parent->name)) {
        return vs_fail(c, "cannot delete port %s because it is the local "
                       "port for bridge %s (deleting this port requires "
                       "deleting the entire bridge)", name,
                       port->parent->name);
    }
    if (!port) {
        return o->if_exists ? 0 : vs_fail(c, "no port named %s", name);
    }
    if (br && port->parent != br) {
        return vs_fail(c, "bridge %s does not have a port %s", br->name,
                       name);
    }
    gen(c, "remove", "Bridge", port->parent->name, "ports", port->ref,
        NULL);
    delete_port(c, port);
    return 0;
}

static int
cmd_iface_to_br(struct vs_ctx *c, const struct vs_opts *o,
                int argc, char **argv)
{
    if (check_args(c, "iface-to-br", argc, 1, 1)) {
        return -1;
    }
    struct vs_rec *iface = vs_find(&c->ifaces, argv[0]);
    if (!iface || !strcmp(iface->name, iface->parent->parent->name)) {
        return vs_fail(c, "no interface named %s", argv[0]);
    }
    ds_put_format(&c->out, "%s\n", iface->parent->parent->name);
    return 0;
}

static int
cmd_port_to_br(struct vs_ctx *c, const struct vs_opts *o,
               int argc, char **argv)
{
    if (check_args(c, "port-to-br", argc, 1, 1)) {
        return -1;
    }
    struct vs_rec *port = vs_find(&c->ports, argv[0]);
    if (!port || !strcmp(port->name, port->parent->name)) {
        return vs_fail(c, "no port named %s", argv[0]);
    }
    ds_put_format(&c->out, "%s\n", port->parent->name);
    return 0;
}

static int
cmd_init(struct vs_ctx *c, const struct vs_opts *o,
         int argc, char **argv)
{
    return check_args(c, "init", argc, 0, 0);
}

/* A bridge or port command. */
struct vs_command {
    const char *name;           /* Command name. */
    const char *option;         /* The per-command option it takes, or
                                   NULL. */
    int (*run)(struct vs_ctx *, const struct vs_opts *, int argc,
               char **argv);    /* Checks, updates the model, generates. */
};

static const struct vs_command vs_commands[] = {
    { "init", NULL, cmd_init },
    { "add-br", "--may-exist", cmd_add_br },
    { "del-br", "--if-exists", cmd_del_br },
    { "list-br", NULL, cmd_list_br },
    { "br-exists", NULL, cmd_br_exists },
    { "add-port", "--may-exist", cmd_add_port },
    { "del-port", "--if-exists", cmd_del_port },
    { "list-ports", NULL, cmd_list_ports },
    { "list-ifaces", NULL, cmd_list_ifaces },
    { "iface-to-br", NULL, cmd_iface_to_br },
    { "port-to-br", NULL, cmd_port_to_br },
};

/* Prints the --help text. */
static void
usage(void)
{
    printf("%s: configures the local Open_vSwitch database\n"
           "usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n"
           "\nBridge commands:\n"
           "  init                        create the Open_vSwitch record\n"
           "  add-br BRIDGE               create a bridge\n"
           "  del-br BRIDGE               delete a bridge and its ports\n"
           "  list-br                     print the bridges\n"
           "  br-exists BRIDGE            exit 2 if BRIDGE does not exist\n"
           "\nPort commands:\n"
           "  add-port BRIDGE PORT [COLUMN[:KEY]=VALUE]...\n"
           "                              add PORT to BRIDGE\n"
           "  del-port [BRIDGE] PORT      delete PORT\n"
           "  list-ports BRIDGE           print the ports of BRIDGE\n"
           "  list-ifaces BRIDGE          print the interfaces of BRIDGE\n"
           "  iface-to-br IFACE           print the bridge of IFACE\n"
           "  port-to-br PORT             print the bridge of PORT\n"
           "\nDatabase commands: list, find, get, set, add, remove, clear,\n"
           "  create, destroy, wait-until (see ovs-vsctl(8)).\n"
           "\nOptions:\n"
           "  --db=REMOTE       database (default unix:RUNDIR/db.sock, "
           "RUNDIR being\n"
           "                    $KILN_RUNDIR, else $OVS_RUNDIR, else "
           "/var/run/kiln)\n"
           "  --timeout=SECS    give up after SECS seconds\n"
           "  --no-wait         accepted; kiln-vsctl never waits for a "
           "switch to\n"
           "                    apply the configuration (yet)\n"
           "  --format=list|table|csv|json --data=string|bare|json\n"
           "  --no-headings --bare --pretty --columns=COLS\n"
           "Per-command options: --may-exist, --if-exists, --id=@NAME, "
           "--all\n", program_name(), program_name());
}

/* Returns the default remote; the caller frees it. */
static char *
default_remote(void)
{
    const char *dir = getenv("KILN_RUNDIR");
    if (!dir || !*dir) {
        dir = getenv("OVS_RUNDIR");
    }
    if (!dir || !*dir) {
        dir = "/var/run/kiln";
    }
    return xasprintf("unix:%s/db.sock", dir);
}

/* Handles the bridge and port commands of argv ('argc' words, commands
 * separated by "--"), generating generic commands for them and passing
 * the generic commands through.  Returns 0 or -1 (with a message and
 * status in 'c'). */
static int
vs_translate(struct vs_ctx *c, int argc, char **argv)
{
    for (int i = 0; i < argc;) {
        int start = i;
        while (i < argc && strcmp(argv[i], "--")) {
            i++;
        }
        int end = i++;
        struct vs_opts o = { false, false };
        int j = start;
        for (; j < end && !strncmp(argv[j], "--", 2); j++) {
            if (!strcmp(argv[j], "--may-exist")) {
                o.may_exist = true;
            } else if (!strcmp(argv[j], "--if-exists")) {
                o.if_exists = true;
            }
        }
        const struct vs_command *cmd = NULL;
        for (size_t k = 0; j < end && k < ARRAY_SIZE(vs_commands); k++) {
            if (!strcmp(vs_commands[k].name, argv[j])) {
                cmd = &vs_commands[k];
            }
        }
        if (cmd) {
            for (int k = start; k < j; k++) {
                if (!cmd->option || strcmp(argv[k], cmd->option)) {
                    return vs_fail(c, "'%s' command has no '%s' option",
                                   cmd->name, argv[k]);
                }
            }
            if (cmd->run(c, &o, end - j - 1, argv + j + 1)) {
                return -1;
            }
        } else if (o.may_exist && j < end) {
            return vs_fail(c, "'%s' command has no '--may-exist' option",
                           argv[j]);
        } else {
            /* A generic command (dbctl_run() checks it). */
            c->gen = xrealloc(c->gen, (c->n_gen + 1 + end - start)
                              * sizeof *c->gen);
            c->gen[c->n_gen++] = xstrdup("--");
            for (int k = start; k < end; k++) {
                c->gen[c->n_gen++] = xstrdup(argv[k]);
            }
        }
    }
    return 0;
}

/* Whether 'uuid' names a bridge, port or interface in 'idl'. */
static bool
is_live(struct idl *idl, const struct uuid *uuid)
{
    static const char *const tables[] = { "Bridge", "Port", "Interface" };
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        if (idl_row_find(idl_get_table(idl, tables[i]), uuid)) {
            return true;
        }
    }
    return false;
}

/* Removes from 'out' the first line equal to 'line' (without its new-line),
 * or if 'line' is NULL, the first line holding a UUID that names no
 * bridge, port or interface in 'idl'. */
static void
remove_line(struct idl *idl, struct ds *out, const char *line)
{
    const char *text = ds_cstr(out);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen(p);
        struct uuid u;
        if (line ? len == strlen(line) && !strncmp(p, line, len)
            : uuid_from_buffer(&u, p, len) && !is_live(idl, &u)) {
            size_t ofs = p - text;
            len += nl != NULL;
            memmove(out->string + ofs, out->string + ofs + len,
                    out->length - ofs - len + 1);
            out->length -= len;
            return;
        }
        if (!nl) {
            return;
        }
        p = nl + 1;
    }
}

/* Removes from 'out' the first line equal to the UUID of the row named
 * 'name' in 'table' (the output of a "create" that kiln-vsctl
 * generated). */
static void
strip_uuid_line(struct idl *idl, struct ds *out, const char *table,
                const char *name)
{
    struct idl_table *t = idl_get_table(idl, table);
    const struct idl_column *col = name ? idl_table_find_column(t, "name")
                                        : NULL;
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, t) {
        const char *s = col ? idl_row_get_string(row, col) : NULL;
        if (!col || (s && !strcmp(s, name))) {
            break;
        }
    }
    if (!row) {
        return;
    }
    char *line = xasprintf(UUID_FMT, UUID_ARGS(idl_row_uuid(row)));
    remove_line(idl, out, line);
    free(line);
}


/* Frees what 'c' owns. */
static void
vs_ctx_uninit(struct vs_ctx *c)
{
    vs_set_destroy(&c->bridges);
    vs_set_destroy(&c->ports);
    vs_set_destroy(&c->ifaces);
    for (size_t i = 0; i < c->n_gen; i++) {
        free(c->gen[i]);
    }
    free(c->gen);
    ds_uninit(&c->out);
    ds_uninit(&c->err);
}

/* Runs the command line against a synced 'idl'.  Returns the exit
 * status. */
static int
vs_run(struct idl *idl, const struct dbctl_options *opts, int argc,
       char **argv)
{
    struct vs_ctx c;
    memset(&c, 0, sizeof c);
    ds_init(&c.out);
    ds_init(&c.err);
    vs_load(&c, idl);

    /* Every invocation makes sure the Open_vSwitch record exists. */
    struct idl_table *ovs = idl_get_table(idl, "Open_vSwitch");
    bool create_ovs = !idl_table_count(ovs);
    if (create_ovs) {
        gen(&c, "create", "Open_vSwitch", NULL);
    }
    int status = 0;
    if (vs_translate(&c, argc, argv)) {
        if (c.err.length) {
            fprintf(stderr, "%s: %s\n", program_name(), ds_cstr(&c.err));
        }
        status = c.status;
    } else if (c.n_gen) {
        struct ds out, err;
        ds_init(&out);
        ds_init(&err);
        const struct dbctl_tool tool = {
            .names = names, .n_names = ARRAY_SIZE(names),
        };
        int error = dbctl_run(idl, &tool, opts, c.n_gen - 1, c.gen + 1, &out, &err);
        if (error) {
            fprintf(stderr, "%s: %s\n", program_name(), ds_cstr(&err));
            status = 1;
        } else {
            if (create_ovs) {
                strip_uuid_line(idl, &out, "Open_vSwitch", NULL);
            }
            for (size_t i = 0; i < c.bridges.n; i++) {
                const struct vs_rec *r = c.bridges.recs[i];
                if (r->created && !r->deleted) {
                    strip_uuid_line(idl, &out, "Bridge", r->name);
                } else if (r->created) {
                    remove_line(idl, &out, NULL);
                }
            }
            for (size_t i = 0; i < c.ports.n; i++) {
                const struct vs_rec *r = c.ports.recs[i];
                if (r->created && !r->deleted) {
                    strip_uuid_line(idl, &out, "Port", r->name);
                } else if (r->created) {
                    remove_line(idl, &out, NULL);
                }
            }
            for (size_t i = 0; i < c.ifaces.n; i++) {
                const struct vs_rec *r = c.ifaces.recs[i];
                if (r->created && !r->deleted) {
                    strip_uuid_line(idl, &out, "Interface", r->name);
                } else if (r->created) {
                    remove_line(idl, &out, NULL);
                }
            }
            fputs(ds_cstr(&c.out), stdout);
            fputs(ds_cstr(&out), stdout);
        }
        ds_uninit(&out);
        ds_uninit(&err);
    } else {
        fputs(ds_cstr(&c.out), stdout);
    }
    vs_ctx_uninit(&c);
    return status;
}

/* Exits 0 on success, 2 if br-exists found no bridge, else 1 with a
 * message on stderr. */
int
main(int argc, char *argv[])
{
    struct dbctl_options opts;
    char *remote = NULL;
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
            free(remote);
            return 1;
        } else if (parsed) {
            continue;
        }
        const char *value = strchr(arg, '=');
        value = value ? value + 1 : "";
        if (!strncmp(arg, "--db=", 5)) {
            free(remote);
            remote = xstrdup(value);
        } else if (!strncmp(arg, "--timeout=", 10)) {
            timeout_ms = atoll(value) * 1000;
            if (timeout_ms <= 0) {
                timeout_ms = -1;
            }
        } else if (!strcmp(arg, "--no-wait")) {
            /* Accepted: kiln-vsctl never waits for a switch. */
        } else if (!strcmp(arg, "--help")) {
            usage();
            free(remote);
            return 0;
        } else {
            break;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "%s: missing command name (use --help for help)\n",
                program_name());
        free(remote);
        return 1;
    }
    if (!remote) {
        remote = default_remote();
    }

    uv_loop_t loop;
    uv_loop_init(&loop);
    struct idl *idl = idl_create(&loop, remote, "Open_vSwitch");
    idl_add_all_tables(idl);
    int status;
    int error = idl_wait_synced(idl, timeout_ms < 0 ? 10000 : timeout_ms);
    if (error) {
        const char *why = idl_get_last_error(idl);
        fprintf(stderr, "%s: %s: database connection failed (%s)\n",
                program_name(), remote, why ? why : "timed out");
        status = 1;
    } else {
        opts.timeout_ms = timeout_ms;
        status = vs_run(idl, &opts, argc - optind, argv + optind);
    }
    idl_destroy(idl);
    free(remote);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return status;
}
