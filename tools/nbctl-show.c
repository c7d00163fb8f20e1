/* kiln-nbctl: the "show" command of ovn-nbctl(8) (see nbctl-private.h):
 * an overview of the logical switches and routers, their ports and NAT
 * rules, in ovn-nbctl 23.03's layout.
 *
 * ovn-nbctl walks switches and routers in the order of its replica's hash
 * table, which depends on the UUIDs the server chose; here they come
 * sorted by name (then UUID).  Within one switch or router, ports, NAT
 * rules and a port's gateway chassis come in UUID order (not by
 * priority), as in ovn-nbctl. */
#include "tools/nbctl-private.h"

#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"

static int
compare_rows_by_uuid(const void *a_, const void *b_)
{
    const struct idl_row *const *a = a_, *const *b = b_;
    return uuid_compare(idl_row_uuid(*a), idl_row_uuid(*b));
}

/* The live rows of 'table_name' that the uuid set 'column' of 'row'
 * refers to, in UUID order (an array the caller frees). */
static const struct idl_row **
show_refs(struct dbctl_context *ctx, const struct idl_row *row,
          const char *table_name, const char *column, const char *ref_table,
          size_t *n)
{
    struct idl_table *table = dbctl_table(ctx, ref_table);
    const struct datum *d = dbctl_get(ctx, row,
                                      nbctl_col(ctx, table_name, column));
    const struct idl_row **rows = xmalloc((d->n + 1) * sizeof *rows);
    *n = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct idl_row *ref = dbctl_row_by_uuid(ctx, table,
                                                      &d->keys[i].uuid);
        if (ref) {
            rows[(*n)++] = ref;
        }
    }
    qsort(rows, *n, sizeof *rows, compare_rows_by_uuid);
    return rows;
}

/* Appends the string set 'd' as ["a", "b"]: sorted, quoted, unescaped. */
static void
put_string_list(struct ds *out, const struct datum *d)
{
    ds_put_char(out, '[');
    for (size_t i = 0; i < d->n; i++) {
        ds_put_format(out, "%s\"%s\"", i ? ", " : "", d->keys[i].string);
    }
    ds_put_char(out, ']');
}

static void
show_switch_port(struct dbctl_context *ctx, const struct idl_row *lsp,
                 struct ds *out)
{
    static const char t[] = "Logical_Switch_Port";
    const char *name = dbctl_get_string(ctx, lsp, nbctl_col(ctx, t, "name"));
    const char *aka = dbctl_get_map_string(
        ctx, lsp, nbctl_col(ctx, t, "external_ids"), "neutron:port_name");

    ds_put_format(out, "    port %s", name ? name : "");
    if (aka && *aka) {
        ds_put_format(out, " (aka %s)", aka);
    }
    ds_put_char(out, '\n');

    const char *type = dbctl_get_string(ctx, lsp, nbctl_col(ctx, t, "type"));
    if (type && *type) {
        ds_put_format(out, "        type: %s\n", type);
    }
    const struct datum *parent = dbctl_get(ctx, lsp,
                                           nbctl_col(ctx, t, "parent_name"));
    if (parent->n) {
        ds_put_format(out, "        parent: %s\n", parent->keys[0].string);
    }
    const struct datum *tag = dbctl_get(ctx, lsp, nbctl_col(ctx, t, "tag"));
    if (tag->n) {
        ds_put_format(out, "        tag: %lld\n", tag->keys[0].integer);
    }
    /* A lone "router" address, the usual one of a router-type port, is
     * left out. */
    const struct datum *addrs = dbctl_get(ctx, lsp,
                                          nbctl_col(ctx, t, "addresses"));
    if (addrs->n
        && !(addrs->n == 1 && !strcmp(addrs->keys[0].string, "router"))) {
        ds_put_cstr(out, "        addresses: ");
        put_string_list(out, addrs);
        ds_put_char(out, '\n');
    }
    const char *router_port = dbctl_get_map_string(
        ctx, lsp, nbctl_col(ctx, t, "options"), "router-port");
    if (router_port) {
        ds_put_format(out, "        router-port: %s\n", router_port);
    }
}

static void
show_switch(struct dbctl_context *ctx, const struct idl_row *ls,
            struct ds *out)
{
    const char *name = dbctl_get_string(
        ctx, ls, nbctl_col(ctx, "Logical_Switch", "name"));
    ds_put_format(out, "switch " UUID_FMT " (%s)\n",
                  UUID_ARGS(idl_row_uuid(ls)), name ? name : "");

    size_t n;
    const struct idl_row **ports = show_refs(ctx, ls, "Logical_Switch",
                                             "ports", "Logical_Switch_Port",
                                             &n);
    for (size_t i = 0; i < n; i++) {
        show_switch_port(ctx, ports[i], out);
    }
    free(ports);
}

static void
show_router_port(struct dbctl_context *ctx, const struct idl_row *lrp,
                 struct ds *out)
{
    static const char t[] = "Logical_Router_Port";
    const char *name = dbctl_get_string(ctx, lrp, nbctl_col(ctx, t, "name"));
    const char *mac = dbctl_get_string(ctx, lrp, nbctl_col(ctx, t, "mac"));

    ds_put_format(out, "    port %s\n", name ? name : "");
    ds_put_format(out, "        mac: \"%s\"\n", mac ? mac : "");
    ds_put_cstr(out, "        networks: ");
    put_string_list(out, dbctl_get(ctx, lrp,
                                   nbctl_col(ctx, t, "networks")));
    ds_put_char(out, '\n');

    size_t n;
    const struct idl_row **gws = show_refs(ctx, lrp, t, "gateway_chassis",
                                           "Gateway_Chassis", &n);
    if (n) {
        const struct idl_column *chassis = nbctl_col(ctx, "Gateway_Chassis",
                                                     "chassis_name");
        ds_put_cstr(out, "        gateway chassis: [");
        for (size_t i = 0; i < n; i++) {
            const char *s = dbctl_get_string(ctx, gws[i], chassis);
            ds_put_format(out, "%s%s", i ? " " : "", s ? s : "");
        }
        ds_put_cstr(out, "]\n");
    }
    free(gws);
}

static void
show_nat(struct dbctl_context *ctx, const struct idl_row *nat,
         struct ds *out)
{
    const char *ext_ip = dbctl_get_string(ctx, nat,
                                          nbctl_col(ctx, "NAT",
                                                    "external_ip"));
    const char *range = dbctl_get_string(
        ctx, nat, nbctl_col(ctx, "NAT", "external_port_range"));
    const char *log_ip = dbctl_get_string(ctx, nat,
                                          nbctl_col(ctx, "NAT",
                                                    "logical_ip"));
    const char *type = dbctl_get_string(ctx, nat,
                                        nbctl_col(ctx, "NAT", "type"));

    ds_put_format(out, "    nat " UUID_FMT "\n",
                  UUID_ARGS(idl_row_uuid(nat)));
    ds_put_format(out, "        external ip: \"%s\"\n",
                  ext_ip ? ext_ip : "");
    if (range && *range) {
        ds_put_format(out, "        external port(s): \"%s\"\n", range);
    }
    ds_put_format(out, "        logical ip: \"%s\"\n", log_ip ? log_ip : "");
    ds_put_format(out, "        type: \"%s\"\n", type ? type : "");
}

static void
show_router(struct dbctl_context *ctx, const struct idl_row *lr,
            struct ds *out)
{
    const char *name = dbctl_get_string(
        ctx, lr, nbctl_col(ctx, "Logical_Router", "name"));
    ds_put_format(out, "router " UUID_FMT " (%s)\n",
                  UUID_ARGS(idl_row_uuid(lr)), name ? name : "");

    size_t n;
    const struct idl_row **rows = show_refs(ctx, lr, "Logical_Router",
                                            "ports", "Logical_Router_Port",
                                            &n);
    for (size_t i = 0; i < n; i++) {
        show_router_port(ctx, rows[i], out);
    }
    free(rows);

    rows = show_refs(ctx, lr, "Logical_Router", "nat", "NAT", &n);
    for (size_t i = 0; i < n; i++) {
        show_nat(ctx, rows[i], out);
    }
    free(rows);
}

/* Shows every row of 'table_name' with 'show', sorted by name. */
static void
show_all(struct dbctl_context *ctx, const char *table_name,
         void (*show)(struct dbctl_context *, const struct idl_row *,
                      struct ds *))
{
    struct idl_table *table = dbctl_table(ctx, table_name);
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    nbctl_sort_by_string(ctx, rows, n, dbctl_column(table, "name"));
    for (size_t i = 0; i < n; i++) {
        show(ctx, rows[i], dbctl_output(ctx));
    }
    free(rows);
}

/* show [SWITCH|ROUTER]: every switch, then every router; or the switch
 * and the router that SWITCH|ROUTER names (neither is no error). */
static int
cmd_show(struct dbctl_context *ctx, int argc, char **argv)
{
    if (!argc) {
        show_all(ctx, "Logical_Switch", show_switch);
        show_all(ctx, "Logical_Router", show_router);
        return 0;
    }

    int error;
    const struct idl_row *ls = nbctl_ls_lookup(ctx, argv[0], false, &error);
    if (error) {
        return error;
    }
    if (ls) {
        show_switch(ctx, ls, dbctl_output(ctx));
    }
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[0], false, &error);
    if (error) {
        return error;
    }
    if (lr) {
        show_router(ctx, lr, dbctl_output(ctx));
    }
    return 0;
}

const struct dbctl_command nbctl_show_commands[] = {
    { "show", 0, 1, NULL, cmd_show },
    { NULL, 0, 0, NULL, NULL },
};
