/* kiln-vsctl: configures a chassis's local Open_vSwitch database, like
 * ovs-vsctl(8): bridges (real and VLAN "fake" bridges), ports, bonds,
 * interfaces, fail modes, controllers and managers, plus the generic
 * database commands of tools/dbctl.h.
 *
 *   kiln-vsctl [--db=REMOTE] [--timeout=SECS] [--no-wait] [OPTIONS]
 *              COMMAND ARGS [-- COMMAND ARGS]...
 *
 * Every command is a dbctl_command run by dbctl_run() in one transaction.
 * The bridge and port commands see the database through a model (struct
 * vs_model) built at the start of each command from the dbctl context,
 * which shows the writes of the commands before it in the batch.
 *
 * A fake bridge is a Port of its parent bridge with fake_bridge=true and
 * tag=VLAN; the parent's ports whose tag is that VLAN belong to it.
 * ovs-vswitchd.conf.db(5), "Port" and ovs-vsctl(8), "Linux VLAN Bridging
 * Compatibility".
 *
 * Known limits: --no-wait is accepted but kiln-vsctl never waits for a
 * switch anyway; set-controller and set-manager do not warn about
 * unusual target types. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "lib/ds.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/error.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"
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

/* Set by "br-exists" when the bridge is missing: exit status 2, no
 * message. */
static bool br_exists_missing;

/* ---------------------------------------------------------------------- */
/* The model of bridges, ports and interfaces. */

/* A real or fake bridge. */
struct vs_bridge {
    const char *name;           /* Name; borrowed from the row. */
    const struct idl_row *row;  /* Bridge row (of the parent, if fake). */
    struct vs_bridge *parent;   /* Parent of a fake bridge, else NULL. */
    int vlan;                   /* VLAN of a fake bridge, else 0. */
    const struct idl_row *fake_port; /* Port that makes a fake bridge. */
};

/* A port. */
struct vs_port {
    const char *name;           /* Name; borrowed from the row. */
    const struct idl_row *row;  /* Port row. */
    struct vs_bridge *bridge;   /* The (possibly fake) bridge it is on. */
};

/* An interface. */
struct vs_iface {
    const char *name;           /* Name; borrowed from the row. */
    const struct idl_row *row;  /* Interface row. */
    struct vs_port *port;       /* The port it is in. */
};

/* The bridges, ports and interfaces reachable from the Open_vSwitch
 * record, as the transaction so far leaves them.  Valid until the
 * command that built it returns. */
struct vs_model {
    struct dbctl_context *ctx;  /* The command's context. */
    const struct idl_row *ovs;  /* The Open_vSwitch record, or NULL. */
    struct vs_bridge **bridges; /* Owned, each owned. */
    size_t n_bridges;           /* Number of 'bridges'. */
    struct vs_port **ports;     /* Owned, each owned. */
    size_t n_ports;             /* Number of 'ports'. */
    struct vs_iface **ifaces;   /* Owned, each owned. */
    size_t n_ifaces;            /* Number of 'ifaces'. */
};

/* Column 'column' of table 'table'. */
static const struct idl_column *
col(const struct dbctl_context *ctx, const char *table, const char *column)
{
    return dbctl_column(dbctl_table(ctx, table), column);
}

/* The Open_vSwitch record, or NULL. */
static const struct idl_row *
ovs_row(const struct dbctl_context *ctx)
{
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx,
                                             dbctl_table(ctx, "Open_vSwitch"),
                                             &n);
    const struct idl_row *row = n ? rows[0] : NULL;
    free(rows);
    return row;
}

static struct vs_bridge *
model_find_bridge(const struct vs_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_bridges; i++) {
        if (!strcmp(m->bridges[i]->name, name)) {
            return m->bridges[i];
        }
    }
    return NULL;
}

static struct vs_port *
model_find_port(const struct vs_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_ports; i++) {
        if (!strcmp(m->ports[i]->name, name)) {
            return m->ports[i];
        }
    }
    return NULL;
}

static struct vs_iface *
model_find_iface(const struct vs_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_ifaces; i++) {
        if (!strcmp(m->ifaces[i]->name, name)) {
            return m->ifaces[i];
        }
    }
    return NULL;
}

static struct vs_bridge *
model_add_bridge(struct vs_model *m, const char *name,
                 const struct idl_row *row, struct vs_bridge *parent,
                 int vlan, const struct idl_row *fake_port)
{
    struct vs_bridge *b = xzalloc(sizeof *b);
    b->name = name;
    b->row = row;
    b->parent = parent;
    b->vlan = vlan;
    b->fake_port = fake_port;
    m->bridges = xrealloc(m->bridges, (m->n_bridges + 1) * sizeof *b);
    m->bridges[m->n_bridges++] = b;
    return b;
}

/* The VLAN of 'port' if it makes a fake bridge, else -1. */
static int
fake_bridge_vlan(const struct dbctl_context *ctx, const struct idl_row *port)
{
    if (!dbctl_get_boolean(ctx, port, col(ctx, "Port", "fake_bridge"),
                           false)) {
        return -1;
    }
    const struct datum *tag = dbctl_get(ctx, port, col(ctx, "Port", "tag"));
    if (tag->n != 1 || tag->keys[0].integer < 0
        || tag->keys[0].integer > 4095) {
        return -1;
    }
    return tag->keys[0].integer;
}

/* The live rows that the set-of-references 'column' of 'row' points to, in
 * 'table' (an array the caller frees, '*n' rows). */
static const struct idl_row **
refs(const struct dbctl_context *ctx, const struct idl_row *row,
     const char *table_name, const char *column, size_t *n)
{
    struct idl_table *table = dbctl_table(ctx, table_name);
    const struct datum *d = dbctl_get(ctx, row,
                                      dbctl_column(idl_row_table(row),
                                                   column));
    const struct idl_row **rows = xcalloc(d->n + 1, sizeof *rows);
    *n = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct idl_row *r = dbctl_row_by_uuid(ctx, table,
                                                    &d->keys[i].uuid);
        if (r) {
            rows[(*n)++] = r;
        }
    }
    return rows;
}

/* Builds 'm' from what 'ctx' sees. */
static void
model_init(struct vs_model *m, struct dbctl_context *ctx)
{
    memset(m, 0, sizeof *m);
    m->ctx = ctx;
    m->ovs = ovs_row(ctx);
    if (!m->ovs) {
        return;
    }
    const struct idl_column *bname = col(ctx, "Bridge", "name");
    const struct idl_column *pname = col(ctx, "Port", "name");
    const struct idl_column *iname = col(ctx, "Interface", "name");
    size_t n_brs;
    const struct idl_row **brs = refs(ctx, m->ovs, "Bridge", "bridges",
                                      &n_brs);

    /* The bridges first, real then each one's fake bridges, so that the
     * ports can go to the fake bridge of their VLAN. */
    for (size_t i = 0; i < n_brs; i++) {
        const char *name = dbctl_get_string(ctx, brs[i], bname);
        if (!name || model_find_bridge(m, name)) {
            continue;
        }
        struct vs_bridge *br = model_add_bridge(m, name, brs[i], NULL, 0,
                                                NULL);
        size_t n_ports;
        const struct idl_row **ports = refs(ctx, brs[i], "Port", "ports",
                                            &n_ports);
        for (size_t j = 0; j < n_ports; j++) {
            int vlan = fake_bridge_vlan(ctx, ports[j]);
            const char *pn = dbctl_get_string(ctx, ports[j], pname);
            if (vlan >= 0 && pn && !model_find_bridge(m, pn)) {
                model_add_bridge(m, pn, brs[i], br, vlan, ports[j]);
            }
        }
        free(ports);
    }

    for (size_t i = 0; i < n_brs; i++) {
        const char *name = dbctl_get_string(ctx, brs[i], bname);
        struct vs_bridge *br = name ? model_find_bridge(m, name) : NULL;
        if (!br || br->row != brs[i]) {
            continue;
        }
        size_t n_ports;
        const struct idl_row **ports = refs(ctx, brs[i], "Port", "ports",
                                            &n_ports);
        for (size_t j = 0; j < n_ports; j++) {
            const char *pn = dbctl_get_string(ctx, ports[j], pname);
            if (!pn || model_find_port(m, pn)) {
                continue;
            }
            struct vs_bridge *owner = br;
            const struct datum *tag = dbctl_get(ctx, ports[j],
                                                col(ctx, "Port", "tag"));
            struct vs_bridge *fake = model_find_bridge(m, pn);
            if (fake && fake->fake_port == ports[j]) {
                owner = fake;
            } else if (tag->n == 1) {
                for (size_t k = 0; k < m->n_bridges; k++) {
                    struct vs_bridge *b = m->bridges[k];
                    if (b->parent == br && b->vlan == tag->keys[0].integer) {
                        owner = b;
                        break;
                    }
                }
            }
            struct vs_port *port = xzalloc(sizeof *port);
            port->name = pn;
            port->row = ports[j];
            port->bridge = owner;
            m->ports = xrealloc(m->ports, (m->n_ports + 1) * sizeof port);
            m->ports[m->n_ports++] = port;

            size_t n_ifaces;
            const struct idl_row **ifaces = refs(ctx, ports[j], "Interface",
                                                 "interfaces", &n_ifaces);
            for (size_t k = 0; k < n_ifaces; k++) {
                const char *in = dbctl_get_string(ctx, ifaces[k], iname);
                if (!in || model_find_iface(m, in)) {
                    continue;
                }
                struct vs_iface *iface = xzalloc(sizeof *iface);
                iface->name = in;
                iface->row = ifaces[k];
                iface->port = port;
                m->ifaces = xrealloc(m->ifaces,
                                     (m->n_ifaces + 1) * sizeof iface);
                m->ifaces[m->n_ifaces++] = iface;
            }
            free(ifaces);
        }
        free(ports);
    }
    free(brs);
}

static void
model_uninit(struct vs_model *m)
{
    for (size_t i = 0; i < m->n_bridges; i++) {
        free(m->bridges[i]);
    }
    for (size_t i = 0; i < m->n_ports; i++) {
        free(m->ports[i]);
    }
    for (size_t i = 0; i < m->n_ifaces; i++) {
        free(m->ifaces[i]);
    }
    free(m->bridges);
    free(m->ports);
    free(m->ifaces);
}

/* Whether 'port' is the local port of its bridge (same name). */
static bool
is_local_port(const struct vs_port *port)
{
    return !strcmp(port->name, port->bridge->name);
}

/* The bridge named 'name', or NULL after failing with "no bridge
 * named". */
static struct vs_bridge *
need_bridge(struct vs_model *m, const char *name)
{
    struct vs_bridge *br = model_find_bridge(m, name);
    if (!br) {
        dbctl_fail(m->ctx, "no bridge named %s", name);
    }
    return br;
}

/* Declares model 'M' and builds it from 'CTX'; model_uninit() frees it. */
#define WITH_MODEL(M, CTX) \
    struct vs_model M; \
    model_init(&M, CTX)

/* qsort() comparison of two strings. */
static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

/* Prints the 'n' strings of 'v' sorted, one a line, and frees 'v'. */
static void
print_sorted(struct dbctl_context *ctx, const char **v, size_t n)
{
    qsort(v, n, sizeof *v, compare_strings);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(dbctl_output(ctx), "%s\n", v[i]);
    }
    free(v);
}

/* ---------------------------------------------------------------------- */
/* Writing rows. */

/* Deletes 'port' and its interfaces and takes it off 'br_row'. */
static void
delete_port(struct dbctl_context *ctx, const struct idl_row *br_row,
            const struct idl_row *port)
{
    size_t n;
    const struct idl_row **ifaces = refs(ctx, port, "Interface",
                                         "interfaces", &n);
    for (size_t i = 0; i < n; i++) {
        dbctl_delete(ctx, ifaces[i]);
    }
    free(ifaces);
    dbctl_set_remove_uuid(ctx, br_row, col(ctx, "Bridge", "ports"), port);
    dbctl_delete(ctx, port);
}

/* Inserts an Interface 'name' (of 'type' if nonnull). */
static const struct idl_row *
insert_iface(struct dbctl_context *ctx, const char *name, const char *type)
{
    const struct idl_row *iface = dbctl_insert(ctx,
                                               dbctl_table(ctx, "Interface"));
    dbctl_set_string(ctx, iface, col(ctx, "Interface", "name"), name);
    if (type) {
        dbctl_set_string(ctx, iface, col(ctx, "Interface", "type"), type);
    }
    return iface;
}

/* Inserts a Port 'name' holding the 'n' interfaces 'ifaces'. */
static const struct idl_row *
insert_port(struct dbctl_context *ctx, const char *name,
            const struct idl_row **ifaces, size_t n)
{
    const struct idl_row *port = dbctl_insert(ctx, dbctl_table(ctx, "Port"));
    dbctl_set_string(ctx, port, col(ctx, "Port", "name"), name);

    /* The whole set: "interfaces" has at least one element, so a new
     * row's default holds the all-zero UUID, which an insertion into the
     * set would keep. */
    struct datum d;
    datum_init_alloc(&d, n, false);
    for (size_t i = 0; i < n; i++) {
        d.keys[i].uuid = *idl_row_uuid(ifaces[i]);
    }
    const struct idl_column *c = col(ctx, "Port", "interfaces");
    struct db_error *error = datum_sort_unique(&d,
                                               &idl_column_schema(c)->type);
    ASSERT(!error);             /* Distinct new rows. */
    dbctl_set(ctx, port, c, &d);
    return port;
}

/* ---------------------------------------------------------------------- */
/* Bridge commands. */

/* Makes sure the Open_vSwitch record exists, as every ovs-vsctl
 * transaction does before its first command. */
static int
ensure_ovs(struct dbctl_context *ctx, void *aux)
{
    if (!ovs_row(ctx)) {
        dbctl_insert(ctx, dbctl_table(ctx, "Open_vSwitch"));
    }
    return 0;
}

static int
cmd_init(struct dbctl_context *ctx, int argc, char **argv)
{
    return 0;                   /* ensure_ovs() did it. */
}

/* The checks of add-br against an existing bridge 'br' named argv[0]. */
static int
add_br_exists(struct dbctl_context *ctx, struct vs_bridge *br, int argc,
              char **argv, int vlan)
{
    const char *name = argv[0];
    if (!dbctl_has_option(ctx, "--may-exist")) {
        return dbctl_fail(ctx, "cannot create a bridge named %s because a "
                          "bridge named %s already exists", name, name);
    }
    if (argc == 1) {
        if (br->parent) {
            return dbctl_fail(ctx, "\"--may-exist add-br %s\" but %s is a "
                              "VLAN bridge for VLAN %d", name, name,
                              br->vlan);
        }
        return 0;
    }
    if (!br->parent) {
        return dbctl_fail(ctx, "\"--may-exist add-br %s %s %s\" but %s is "
                          "not a VLAN bridge", name, argv[1], argv[2], name);
    }
    if (strcmp(br->parent->name, argv[1])) {
        return dbctl_fail(ctx, "\"--may-exist add-br %s %s %s\" but %s has "
                          "the wrong parent %s", name, argv[1], argv[2],
                          name, br->parent->name);
    }
    if (br->vlan != vlan) {
        return dbctl_fail(ctx, "\"--may-exist add-br %s %s %s\" but %s is a "
                          "VLAN bridge for the wrong VLAN %d", name, argv[1],
                          argv[2], name, br->vlan);
    }
    return 0;
}

/* add-br BRIDGE [PARENT VLAN] in model 'm'. */
static int
add_br(struct vs_model *m, int argc, char **argv)
{
    struct dbctl_context *ctx = m->ctx;
    const char *name = argv[0];
    int vlan = 0;
    if (argc == 2) {
        return dbctl_fail(ctx, "'add-br' command takes exactly 1 or 3 "
                          "arguments");
    }
    if (argc == 3) {
        vlan = atoi(argv[2]);
        if (vlan < 0 || vlan > 4095) {
            return dbctl_fail(ctx, "add-br: vlan must be between 0 and "
                              "4095");
        }
    }
    struct vs_bridge *br = model_find_bridge(m, name);
    if (br) {
        return add_br_exists(ctx, br, argc, argv, vlan);
    }
    struct vs_port *port = model_find_port(m, name);
    if (port) {
        return dbctl_fail(ctx, "cannot create a bridge named %s because a "
                          "port named %s already exists on bridge %s", name,
                          name, port->bridge->name);
    }
    struct vs_iface *iface = model_find_iface(m, name);
    if (iface) {
        return dbctl_fail(ctx, "cannot create a bridge named %s because an "
                          "interface named %s already exists on bridge %s",
                          name, name, iface->port->bridge->name);
    }

    struct vs_bridge *parent = NULL;
    if (argc == 3) {
        parent = model_find_bridge(m, argv[1]);
        if (parent && parent->parent) {
            return dbctl_fail(ctx, "cannot create bridge with fake bridge "
                              "as parent");
        }
        if (!parent) {
            return dbctl_fail(ctx, "parent bridge %s does not exist",
                              argv[1]);
        }
    }

    const struct idl_row *ir = insert_iface(ctx, name, "internal");
    const struct idl_row *pr = insert_port(ctx, name, &ir, 1);
    if (parent) {
        dbctl_set_boolean(ctx, pr, col(ctx, "Port", "fake_bridge"), true);
        dbctl_set_integer(ctx, pr, col(ctx, "Port", "tag"), vlan);
        dbctl_set_add_uuid(ctx, parent->row, col(ctx, "Bridge", "ports"),
                           pr);
    } else {
        const struct idl_row *brow = dbctl_insert(ctx,
                                                  dbctl_table(ctx, "Bridge"));
        dbctl_set_string(ctx, brow, col(ctx, "Bridge", "name"), name);
        dbctl_set_add_uuid(ctx, brow, col(ctx, "Bridge", "ports"), pr);
        dbctl_set_add_uuid(ctx, m->ovs, col(ctx, "Open_vSwitch", "bridges"),
                           brow);
    }
    return 0;
}

static int
cmd_add_br(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    int error = add_br(&m, argc, argv);
    model_uninit(&m);
    return error;
}

static int
cmd_del_br(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    int error = 0;
    struct vs_bridge *br = model_find_bridge(&m, argv[0]);
    if (!br) {
        if (!dbctl_has_option(ctx, "--if-exists")) {
            error = dbctl_fail(ctx, "no bridge named %s", argv[0]);
        }
        goto out;
    }
    /* The bridge's ports, and those of its fake bridges if it is real. */
    for (size_t i = 0; i < m.n_ports; i++) {
        struct vs_port *p = m.ports[i];
        if (p->bridge == br || (!br->parent && p->bridge->parent == br)) {
            delete_port(ctx, p->bridge->row, p->row);
        }
    }
    if (!br->parent) {
        dbctl_set_remove_uuid(ctx, m.ovs, col(ctx, "Open_vSwitch",
                                              "bridges"), br->row);
        dbctl_delete(ctx, br->row);
    }
out:
    model_uninit(&m);
    return error;
}

static int
cmd_list_br(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    bool real = dbctl_has_option(ctx, "--real");
    bool fake = dbctl_has_option(ctx, "--fake");
    if (!real && !fake) {
        real = fake = true;
    }
    const char **v = xcalloc(m.n_bridges + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < m.n_bridges; i++) {
        if (m.bridges[i]->parent ? fake : real) {
            v[n++] = m.bridges[i]->name;
        }
    }
    print_sorted(ctx, v, n);
    model_uninit(&m);
    return 0;
}

static int
cmd_br_exists(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    bool exists = model_find_bridge(&m, argv[0]) != NULL;
    model_uninit(&m);
    if (!exists) {
        br_exists_missing = true;
        return -ENOENT;
    }
    return 0;
}

/* br-to-vlan (if 'vlan') or br-to-parent. */
static int
br_to(struct dbctl_context *ctx, const char *name, bool vlan)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_bridge(&m, name);
    int error = -EINVAL;
    if (br) {
        if (vlan) {
            ds_put_format(dbctl_output(ctx), "%d\n", br->vlan);
        } else {
            ds_put_format(dbctl_output(ctx), "%s\n",
                          br->parent ? br->parent->name : br->name);
        }
        error = 0;
    }
    model_uninit(&m);
    return error;
}

static int
cmd_br_to_vlan(struct dbctl_context *ctx, int argc, char **argv)
{
    return br_to(ctx, argv[0], true);
}

static int
cmd_br_to_parent(struct dbctl_context *ctx, int argc, char **argv)
{
    return br_to(ctx, argv[0], false);
}

/* The prefix of a fake bridge's external IDs in its Port record. */
#define FAKE_PREFIX "fake-bridge-"

static int
cmd_br_set_external_id(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_bridge(&m, argv[0]);
    if (!br) {
        model_uninit(&m);
        return -EINVAL;
    }
    const struct idl_row *row = br->parent ? br->fake_port : br->row;
    const struct idl_column *column = col(ctx, br->parent ? "Port"
                                          : "Bridge", "external_ids");
    char *key = xasprintf("%s%s", br->parent ? FAKE_PREFIX : "", argv[1]);
    if (argc > 2) {
        dbctl_map_set_string(ctx, row, column, key, argv[2]);
    } else {
        dbctl_map_remove_string(ctx, row, column, key);
    }
    free(key);
    model_uninit(&m);
    return 0;
}

static int
cmd_br_get_external_id(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_bridge(&m, argv[0]);
    if (!br) {
        model_uninit(&m);
        return -EINVAL;
    }
    const struct idl_row *row = br->parent ? br->fake_port : br->row;
    const struct datum *d = dbctl_get(ctx, row,
                                      col(ctx, br->parent ? "Port" : "Bridge",
                                          "external_ids"));
    const char *prefix = br->parent ? FAKE_PREFIX : "";
    size_t plen = strlen(prefix);
    struct ds *out = dbctl_output(ctx);
    if (argc > 1) {
        char *key = xasprintf("%s%s", prefix, argv[1]);
        for (size_t i = 0; i < d->n; i++) {
            if (!strcmp(d->keys[i].string, key)) {
                ds_put_format(out, "%s\n", d->values[i].string);
            }
        }
        free(key);
    } else {
        /* A map's keys are sorted already. */
        for (size_t i = 0; i < d->n; i++) {
            if (!strncmp(d->keys[i].string, prefix, plen)) {
                ds_put_format(out, "%s=%s\n", d->keys[i].string + plen,
                              d->values[i].string);
            }
        }
    }
    model_uninit(&m);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Port and interface commands. */

/* list-ports (if 'ports') or list-ifaces. */
static int
list_in_bridge(struct dbctl_context *ctx, const char *name, bool ports)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_bridge(&m, name);
    if (!br) {
        model_uninit(&m);
        return -EINVAL;
    }
    size_t max = ports ? m.n_ports : m.n_ifaces;
    const char **v = xcalloc(max + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < max; i++) {
        const char *item = ports ? m.ports[i]->name : m.ifaces[i]->name;
        const struct vs_bridge *b = (ports ? m.ports[i]->bridge
                                     : m.ifaces[i]->port->bridge);
        if (b == br && strcmp(item, br->name)) {
            v[n++] = item;
        }
    }
    print_sorted(ctx, v, n);
    model_uninit(&m);
    return 0;
}

static int
cmd_list_ports(struct dbctl_context *ctx, int argc, char **argv)
{
    return list_in_bridge(ctx, argv[0], true);
}

static int
cmd_list_ifaces(struct dbctl_context *ctx, int argc, char **argv)
{
    return list_in_bridge(ctx, argv[0], false);
}

/* The --may-exist check of add-port/add-bond for an existing 'port';
 * 'ifaces' ('n') are add-bond's interfaces, or NULL. */
static int
add_port_exists(struct dbctl_context *ctx, struct vs_port *port,
                const char *cmd, const char *br_name, char **ifaces,
                size_t n)
{
    if (strcmp(port->bridge->name, br_name)) {
        struct ds args;
        ds_init(&args);
        for (size_t i = 0; ifaces && i < n; i++) {
            ds_put_format(&args, " %s", ifaces[i]);
        }
        int error = dbctl_fail(ctx, "\"--may-exist %s %s %s%s\" but %s is "
                               "actually attached to bridge %s", cmd, br_name,
                               port->name, ds_cstr(&args), port->name,
                               port->bridge->name);
        ds_uninit(&args);
        return error;
    }
    if (!ifaces) {
        return 0;
    }
    size_t n_have;
    const struct idl_row **have = refs(ctx, port->row, "Interface",
                                       "interfaces", &n_have);
    const char **have_names = xcalloc(n_have + 1, sizeof *have_names);
    for (size_t i = 0; i < n_have; i++) {
        const char *s = dbctl_get_string(ctx, have[i],
                                         col(ctx, "Interface", "name"));
        have_names[i] = s ? s : "";
    }
    free(have);
    const char **want = xcalloc(n + 1, sizeof *want);
    for (size_t i = 0; i < n; i++) {
        want[i] = ifaces[i];
    }
    qsort(have_names, n_have, sizeof *have_names, compare_strings);
    qsort(want, n, sizeof *want, compare_strings);
    bool same = n == n_have;
    for (size_t i = 0; same && i < n; i++) {
        same = !strcmp(want[i], have_names[i]);
    }
    int error = 0;
    if (!same) {
        struct ds list;
        ds_init(&list);
        for (size_t i = 0; i < n_have; i++) {
            ds_put_format(&list, "%s%s", i ? ", " : "", have_names[i]);
        }
        struct ds args;
        ds_init(&args);
        for (size_t i = 0; i < n; i++) {
            ds_put_format(&args, " %s", ifaces[i]);
        }
        error = dbctl_fail(ctx, "\"--may-exist %s %s %s%s\" but %s actually "
                           "has interface(s) %s", cmd, br_name, port->name,
                           ds_cstr(&args), port->name, ds_cstr(&list));
        ds_uninit(&args);
        ds_uninit(&list);
    }
    free(want);
    free(have_names);
    return error;
}

/* add-port (ifaces NULL: one interface named like the port) or add-bond:
 * argv[0] bridge, argv[1] port, then 'n_ifaces' interface names at
 * 'ifaces', then 'n_settings' settings at 'settings'. */
static int
add_port(struct dbctl_context *ctx, const char *cmd, char **argv,
         char **ifaces, size_t n_ifaces, char **settings, size_t n_settings)
{
    WITH_MODEL(m, ctx);
    const char *name = argv[1];
    int error = -EINVAL;
    struct vs_port *port = model_find_port(&m, name);
    if (port && dbctl_has_option(ctx, "--may-exist")) {
        error = add_port_exists(ctx, port, cmd, argv[0], ifaces, n_ifaces);
        goto out;
    }
    struct vs_bridge *br = need_bridge(&m, argv[0]);
    if (!br) {
        goto out;
    }
    if (model_find_bridge(&m, name)) {
        dbctl_fail(ctx, "cannot create a port named %s because a bridge "
                   "named %s already exists", name, name);
        goto out;
    }
    if (port) {
        dbctl_fail(ctx, "cannot create a port named %s because a port named "
                   "%s already exists on bridge %s", name, name,
                   port->bridge->name);
        goto out;
    }
    char *one[1] = { (char *) name };
    if (!ifaces) {
        ifaces = one;
        n_ifaces = 1;
    }
    for (size_t i = 0; i < n_ifaces; i++) {
        struct vs_iface *iface = model_find_iface(&m, ifaces[i]);
        if (ifaces != one && model_find_bridge(&m, ifaces[i])) {
            dbctl_fail(ctx, "cannot create an interface named %s because a "
                       "bridge named %s already exists", ifaces[i],
                       ifaces[i]);
            goto out;
        }
        if (iface) {
            dbctl_fail(ctx, "cannot create an interface named %s because an "
                       "interface named %s already exists on bridge %s",
                       ifaces[i], ifaces[i], iface->port->bridge->name);
            goto out;
        }
    }

    const struct idl_row **irows = xcalloc(n_ifaces, sizeof *irows);
    for (size_t i = 0; i < n_ifaces; i++) {
        irows[i] = insert_iface(ctx, ifaces[i], NULL);
    }
    const struct idl_row *pr = insert_port(ctx, name, irows, n_ifaces);
    free(irows);
    if (br->parent) {
        dbctl_set_integer(ctx, pr, col(ctx, "Port", "tag"), br->vlan);
    }
    if (dbctl_has_option(ctx, "--fake-iface")) {
        dbctl_set_boolean(ctx, pr, col(ctx, "Port", "bond_fake_iface"),
                          true);
    }
    error = 0;
    for (size_t i = 0; i < n_settings && !error; i++) {
        error = dbctl_set_column(ctx, pr, settings[i]);
    }
    if (!error) {
        dbctl_set_add_uuid(ctx, br->row, col(ctx, "Bridge", "ports"), pr);
    }
out:
    model_uninit(&m);
    return error;
}

static int
cmd_add_port(struct dbctl_context *ctx, int argc, char **argv)
{
    return add_port(ctx, "add-port", argv, NULL, 0, argv + 2, argc - 2);
}

static int
cmd_add_bond(struct dbctl_context *ctx, int argc, char **argv)
{
    int n_ifaces = 0;
    while (2 + n_ifaces < argc && !strchr(argv[2 + n_ifaces], '=')) {
        n_ifaces++;
    }
    if (n_ifaces < 2) {
        return dbctl_fail(ctx, "add-bond requires at least 2 interfaces, but "
                          "only %d were specified", n_ifaces);
    }
    return add_port(ctx, "add-bond", argv, argv + 2, n_ifaces,
                    argv + 2 + n_ifaces, argc - 2 - n_ifaces);
}

static int
cmd_del_port(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    const char *name = argv[argc - 1];
    bool with_iface = dbctl_has_option(ctx, "--with-iface");
    int error = -EINVAL;
    struct vs_bridge *br = NULL;
    if (argc == 2) {
        br = need_bridge(&m, argv[0]);
        if (!br) {
            goto out;
        }
    }
    struct vs_port *port = model_find_port(&m, name);
    if (!port && with_iface) {
        struct vs_iface *iface = model_find_iface(&m, name);
        port = iface ? iface->port : NULL;
    }
    if (port && is_local_port(port)) {
        dbctl_fail(ctx, "cannot delete port %s because it is the local port "
                   "for bridge %s (deleting this port requires deleting the "
                   "entire bridge)", name, port->bridge->name);
        goto out;
    }
    if (!port) {
        if (dbctl_has_option(ctx, "--if-exists")) {
            error = 0;
        } else {
            dbctl_fail(ctx, "no %s named %s",
                       with_iface ? "port or interface" : "port", name);
        }
        goto out;
    }
    if (br && port->bridge != br) {
        if (port->bridge->parent == br) {
            dbctl_fail(ctx, "bridge %s does not have a port %s (although "
                       "its child bridge %s does)", br->name, name,
                       port->bridge->name);
        } else {
            dbctl_fail(ctx, "bridge %s does not have a port %s", br->name,
                       name);
        }
        goto out;
    }
    delete_port(ctx, port->bridge->row, port->row);
    error = 0;
out:
    model_uninit(&m);
    return error;
}

static int
cmd_port_to_br(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_port *port = model_find_port(&m, argv[0]);
    int error = 0;
    if (!port || is_local_port(port)) {
        error = dbctl_fail(ctx, "no port named %s", argv[0]);
    } else {
        ds_put_format(dbctl_output(ctx), "%s\n", port->bridge->name);
    }
    model_uninit(&m);
    return error;
}

static int
cmd_iface_to_br(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_iface *iface = model_find_iface(&m, argv[0]);
    int error = 0;
    if (!iface || !strcmp(iface->name, iface->port->bridge->name)) {
        error = dbctl_fail(ctx, "no interface named %s", argv[0]);
    } else {
        ds_put_format(dbctl_output(ctx), "%s\n", iface->port->bridge->name);
    }
    model_uninit(&m);
    return error;
}

/* ---------------------------------------------------------------------- */
/* Fail mode, controllers, managers. */

/* The bridge 'name', which must be real if 'real'; NULL after failing the
 * command. */
static struct vs_bridge *
need_real_bridge(struct vs_model *m, const char *name, bool real)
{
    struct vs_bridge *br = need_bridge(m, name);
    if (br && real && br->parent) {
        dbctl_fail(m->ctx, "%s is a fake bridge", name);
        return NULL;
    }
    return br;
}

static int
cmd_get_fail_mode(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_bridge(&m, argv[0]);
    if (br) {
        const char *mode = dbctl_get_string(ctx, br->row,
                                            col(ctx, "Bridge", "fail_mode"));
        if (mode) {
            ds_put_format(dbctl_output(ctx), "%s\n", mode);
        }
    }
    model_uninit(&m);
    return br ? 0 : -EINVAL;
}

static int
cmd_set_fail_mode(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_real_bridge(&m, argv[0], true);
    int error = br ? 0 : -EINVAL;
    if (br && strcmp(argv[1], "standalone") && strcmp(argv[1], "secure")) {
        error = dbctl_fail(ctx, "fail-mode must be \"standalone\" or "
                           "\"secure\"");
    } else if (br) {
        dbctl_set_string(ctx, br->row, col(ctx, "Bridge", "fail_mode"),
                         argv[1]);
    }
    model_uninit(&m);
    return error;
}

static int
cmd_del_fail_mode(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_real_bridge(&m, argv[0], true);
    if (br) {
        dbctl_set_string(ctx, br->row, col(ctx, "Bridge", "fail_mode"),
                         NULL);
    }
    model_uninit(&m);
    return br ? 0 : -EINVAL;
}

/* Prints the "target"s of the rows of 'table' that 'column' of 'row'
 * references, sorted. */
static void
print_targets(struct dbctl_context *ctx, const struct idl_row *row,
              const char *table, const char *column)
{
    size_t n;
    const struct idl_row **rows = refs(ctx, row, table, column, &n);
    const char **v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const char *t = dbctl_get_string(ctx, rows[i],
                                         col(ctx, table, "target"));
        v[i] = t ? t : "";
    }
    free(rows);
    print_sorted(ctx, v, n);
}

/* Deletes the rows of 'table' that 'column' of 'row' references and
 * empties 'column'. */
static void
delete_targets(struct dbctl_context *ctx, const struct idl_row *row,
               const char *table, const char *column)
{
    size_t n;
    const struct idl_row **rows = refs(ctx, row, table, column, &n);
    const struct idl_column *c = dbctl_column(idl_row_table(row), column);
    for (size_t i = 0; i < n; i++) {
        dbctl_set_remove_uuid(ctx, row, c, rows[i]);
        dbctl_delete(ctx, rows[i]);
    }
    free(rows);
}

/* Replaces the targets of 'column' of 'row' by new rows of 'table' with
 * the 'n' targets 'targets'. */
static void
set_targets(struct dbctl_context *ctx, const struct idl_row *row,
            const char *table, const char *column, char **targets, int n)
{
    delete_targets(ctx, row, table, column);
    const struct idl_column *c = dbctl_column(idl_row_table(row), column);
    for (int i = 0; i < n; i++) {
        const struct idl_row *t = dbctl_insert(ctx, dbctl_table(ctx, table));
        dbctl_set_string(ctx, t, col(ctx, table, "target"), targets[i]);
        dbctl_set_add_uuid(ctx, row, c, t);
    }
}

static int
cmd_get_controller(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_bridge(&m, argv[0]);
    if (br) {
        print_targets(ctx, br->row, "Controller", "controller");
    }
    model_uninit(&m);
    return br ? 0 : -EINVAL;
}

static int
cmd_del_controller(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_real_bridge(&m, argv[0], true);
    if (br) {
        delete_targets(ctx, br->row, "Controller", "controller");
    }
    model_uninit(&m);
    return br ? 0 : -EINVAL;
}

static int
cmd_set_controller(struct dbctl_context *ctx, int argc, char **argv)
{
    WITH_MODEL(m, ctx);
    struct vs_bridge *br = need_real_bridge(&m, argv[0], true);
    if (br) {
        set_targets(ctx, br->row, "Controller", "controller", argv + 1,
                    argc - 1);
    }
    model_uninit(&m);
    return br ? 0 : -EINVAL;
}

static int
cmd_get_manager(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *ovs = ovs_row(ctx);
    if (ovs) {
        print_targets(ctx, ovs, "Manager", "manager_options");
    }
    return 0;
}

static int
cmd_del_manager(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *ovs = ovs_row(ctx);
    if (ovs) {
        delete_targets(ctx, ovs, "Manager", "manager_options");
    }
    return 0;
}

static int
cmd_set_manager(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *ovs = ovs_row(ctx);
    if (ovs) {
        set_targets(ctx, ovs, "Manager", "manager_options", argv, argc);
    }
    return 0;
}

/* Deletes every row of 'table'. */
static void
delete_all(struct dbctl_context *ctx, const char *table)
{
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, dbctl_table(ctx, table),
                                             &n);
    for (size_t i = 0; i < n; i++) {
        dbctl_delete(ctx, rows[i]);
    }
    free(rows);
}

/* Empties 'column' of every row of 'table'. */
static void
clear_all(struct dbctl_context *ctx, const char *table, const char *column)
{
    struct idl_table *t = dbctl_table(ctx, table);
    const struct idl_column *c = dbctl_column(t, column);
    const struct db_type *type = &idl_column_schema(c)->type;
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, t, &n);
    for (size_t i = 0; i < n; i++) {
        if (dbctl_get(ctx, rows[i], c)->n) {
            struct datum d;
            datum_init_default(&d, type);
            dbctl_set(ctx, rows[i], c, &d);
        }
    }
    free(rows);
}

/* emer-reset: ovs-vsctl(8) "Open vSwitch Commands": drops controllers,
 * managers, SSL, mirrors, fail modes, NetFlow, sFlow and IPFIX, and the
 * other_config keys of bridges (but hwaddr) and ports, and resets the
 * interfaces' ingress policing. */
static int
cmd_emer_reset(struct dbctl_context *ctx, int argc, char **argv)
{
    static const char *const bridge_columns[] = {
        "controller", "fail_mode", "mirrors", "netflow", "sflow", "ipfix",
        "flood_vlans",
    };
    const struct idl_row *ovs = ovs_row(ctx);
    if (ovs) {
        clear_all(ctx, "Open_vSwitch", "ssl");
        clear_all(ctx, "Open_vSwitch", "manager_options");
    }
    for (size_t i = 0; i < ARRAY_SIZE(bridge_columns); i++) {
        clear_all(ctx, "Bridge", bridge_columns[i]);
    }
    struct idl_table *bt = dbctl_table(ctx, "Bridge");
    const struct idl_column *boc = dbctl_column(bt, "other_config");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, bt, &n);
    for (size_t i = 0; i < n; i++) {
        const struct datum *d = dbctl_get(ctx, rows[i], boc);
        for (size_t k = d->n; k-- > 0;) {
            if (strcmp(d->keys[k].string, "hwaddr")) {
                dbctl_map_remove_string(ctx, rows[i], boc,
                                        d->keys[k].string);
                d = dbctl_get(ctx, rows[i], boc);
            }
        }
    }
    free(rows);
    clear_all(ctx, "Port", "other_config");

    struct idl_table *it = dbctl_table(ctx, "Interface");
    rows = dbctl_rows(ctx, it, &n);
    for (size_t i = 0; i < n; i++) {
        static const char *const zeroed[] = {
            "ingress_policing_rate", "ingress_policing_burst",
        };
        for (size_t k = 0; k < ARRAY_SIZE(zeroed); k++) {
            const struct idl_column *c = dbctl_column(it, zeroed[k]);
            if (dbctl_get_integer(ctx, rows[i], c, 0)) {
                dbctl_set_integer(ctx, rows[i], c, 0);
            }
        }
    }
    free(rows);

    static const char *const dropped[] = {
        "Mirror", "Controller", "Manager", "NetFlow", "sFlow",
        "Flow_Sample_Collector_Set", "IPFIX", "SSL",
    };
    for (size_t i = 0; i < ARRAY_SIZE(dropped); i++) {
        delete_all(ctx, dropped[i]);
    }
    return 0;
}

static const struct dbctl_command vsctl_commands[] = {
    { "init", 0, 0, NULL, cmd_init },
    { "emer-reset", 0, 0, NULL, cmd_emer_reset },

    /* Bridges. */
    { "add-br", 1, 3, "--may-exist", cmd_add_br },
    { "del-br", 1, 1, "--if-exists", cmd_del_br },
    { "list-br", 0, 0, "--real,--fake", cmd_list_br },
    { "br-exists", 1, 1, NULL, cmd_br_exists },
    { "br-to-vlan", 1, 1, NULL, cmd_br_to_vlan },
    { "br-to-parent", 1, 1, NULL, cmd_br_to_parent },
    { "br-set-external-id", 2, 3, NULL, cmd_br_set_external_id },
    { "br-get-external-id", 1, 2, NULL, cmd_br_get_external_id },

    /* Ports and interfaces. */
    { "list-ports", 1, 1, NULL, cmd_list_ports },
    { "add-port", 2, INT_MAX, "--may-exist", cmd_add_port },
    { "add-bond", 4, INT_MAX, "--may-exist,--fake-iface", cmd_add_bond },
    { "del-port", 1, 2, "--if-exists,--with-iface", cmd_del_port },
    { "port-to-br", 1, 1, NULL, cmd_port_to_br },
    { "list-ifaces", 1, 1, NULL, cmd_list_ifaces },
    { "iface-to-br", 1, 1, NULL, cmd_iface_to_br },

    /* Controllers, fail mode, managers. */
    { "get-controller", 1, 1, NULL, cmd_get_controller },
    { "del-controller", 1, 1, NULL, cmd_del_controller },
    { "set-controller", 1, INT_MAX, NULL, cmd_set_controller },
    { "get-fail-mode", 1, 1, NULL, cmd_get_fail_mode },
    { "del-fail-mode", 1, 1, NULL, cmd_del_fail_mode },
    { "set-fail-mode", 2, 2, NULL, cmd_set_fail_mode },
    { "get-manager", 0, 0, NULL, cmd_get_manager },
    { "del-manager", 0, 0, NULL, cmd_del_manager },
    { "set-manager", 1, INT_MAX, NULL, cmd_set_manager },
    { NULL, 0, 0, NULL, NULL },
};

static const struct dbctl_command *const command_tables[] = {
    vsctl_commands,
    NULL,
};

/* ---------------------------------------------------------------------- */
/* The program. */

/* Prints the --help text. */
static void
usage(void)
{
    printf("%s: configures the local Open_vSwitch database\n"
           "usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n"
           "\nOpen vSwitch commands:\n"
           "  init                        create the Open_vSwitch record\n"
           "  emer-reset                  reset to a clean configuration\n"
           "\nBridge commands:\n"
           "  add-br BRIDGE               create a bridge\n"
           "  add-br BRIDGE PARENT VLAN   create a fake bridge on PARENT\n"
           "  del-br BRIDGE               delete a bridge and its ports\n"
           "  list-br                     print the bridges (--real, "
           "--fake)\n"
           "  br-exists BRIDGE            exit 2 if BRIDGE does not exist\n"
           "  br-to-vlan BRIDGE           print the VLAN of BRIDGE (0 if "
           "real)\n"
           "  br-to-parent BRIDGE         print the parent of BRIDGE\n"
           "  br-set-external-id BRIDGE KEY [VALUE]\n"
           "                              set or clear an external ID\n"
           "  br-get-external-id BRIDGE [KEY]\n"
           "                              print one or all external IDs\n"
           "\nPort commands:\n"
           "  list-ports BRIDGE           print the ports of BRIDGE\n"
           "  add-port BRIDGE PORT [COLUMN[:KEY]=VALUE]...\n"
           "                              add PORT to BRIDGE\n"
           "  add-bond BRIDGE PORT IFACE... [COLUMN[:KEY]=VALUE]...\n"
           "                              add a bond of IFACEs\n"
           "  del-port [BRIDGE] PORT      delete PORT (--with-iface: "
           "or the\n"
           "                              port of interface PORT)\n"
           "  port-to-br PORT             print the bridge of PORT\n"
           "\nInterface commands:\n"
           "  list-ifaces BRIDGE          print the interfaces of BRIDGE\n"
           "  iface-to-br IFACE           print the bridge of IFACE\n"
           "\nController and fail mode commands:\n"
           "  get-controller BRIDGE       print the controllers of BRIDGE\n"
           "  del-controller BRIDGE       delete them\n"
           "  set-controller BRIDGE TARGET...  replace them\n"
           "  get-fail-mode BRIDGE        print the fail mode\n"
           "  del-fail-mode BRIDGE        clear it\n"
           "  set-fail-mode BRIDGE MODE   set it (standalone or secure)\n"
           "\nManager commands:\n"
           "  get-manager                 print the managers\n"
           "  del-manager                 delete them\n"
           "  set-manager TARGET...       replace them\n"
           "\nDatabase commands: list, find, get, set, add, remove, clear,\n"
           "  create, destroy, wait-until (see docs/kiln-vsctl.md).\n"
           "\nOptions:\n"
           "  --db=REMOTE       database (default unix:RUNDIR/db.sock, "
           "RUNDIR being\n"
           "                    $KILN_RUNDIR, else $OVS_RUNDIR, else "
           "/var/run/kiln)\n"
           "  --timeout=SECS    give up after SECS seconds\n"
           "  --no-wait         accepted; kiln-vsctl never waits for a "
           "switch to\n"
           "                    apply the configuration (yet)\n"
           "  --dry-run         do not commit the changes\n"
           "  --oneline         print one line per command\n"
           "  --format=list|table|csv|json --data=string|bare|json\n"
           "  --no-headings --bare --pretty --columns=COLS\n"
           "Per-command options: --may-exist, --if-exists, --real, --fake,\n"
           "  --fake-iface, --with-iface, --id=@NAME, --all\n",
           program_name(), program_name());
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

/* br-exists reports a missing bridge by its exit status alone. */
static int
failure_status(void)
{
    return br_exists_missing ? 2 : 1;
}

/* kiln-vsctl's own global options. */
static int
parse_option(const char *arg, struct dbctl_options *opts)
{
    /* Accepted: kiln-vsctl never waits for a switch. */
    return !strcmp(arg, "--no-wait");
}

/* Exits 0 on success, 2 if br-exists found no bridge, else 1 with a
 * message on stderr. */
int
main(int argc, char *argv[])
{
    static const struct dbctl_tool tool = {
        .names = names,
        .n_names = ARRAY_SIZE(names),
        .commands = command_tables,
        .before_commands = ensure_ovs,
    };
    static const struct dbctl_program program = {
        .db_name = "Open_vSwitch",
        .default_db = default_remote,
        .usage = usage,
        .parse_option = parse_option,
        .tool = &tool,
        .failure_status = failure_status,
    };
    return dbctl_main(&program, argc, argv);
}
