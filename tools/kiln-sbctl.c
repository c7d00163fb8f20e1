/* kiln-sbctl: the ovn-sbctl(8) of Kiln.  Manages the OVN southbound
 * database: chassis and their encapsulations, port bindings, the
 * database's connections and SSL settings, plus the generic database
 * commands; the logical flow commands are in sbctl-lflow.c.
 *
 * This file is the program: options, the connection, and the commands
 * other than the logical flow ones, all run by dbctl_run() in one
 * transaction.  Output follows ovn-sbctl 23.03 byte for byte. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/ds.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"
#include "tools/dbctl.h"
#include "tools/sbctl-private.h"

LOG_MODULE(sbctl);

/* How records are named in the generic commands (ovn-sbctl --help). */
static const struct dbctl_table_name names[] = {
    { "Address_Set", "name" },
    { "Chassis", "name" },
    { "Chassis_Private", "name" },
    { "Chassis_Template_Var", "chassis" },
    { "Connection", "target" },
    { "DHCP_Options", "name" },
    { "Datapath_Binding", "external_ids:name" },
    { "Datapath_Binding", "external_ids:name2" },
    { "Datapath_Binding", "external_ids:logical-switch" },
    { "Datapath_Binding", "external_ids:logical-router" },
    { "DHCPv6_Options", "name" },
    { "Gateway_Chassis", "name" },
    { "HA_Chassis_Group", "name" },
    { "Load_Balancer", "name" },
    { "MAC_Binding", "logical_port" },
    { "Meter", "name" },
    { "Mirror", "name" },
    { "Port_Binding", "logical_port" },
    { "Port_Binding", "external_ids:name" },
    { "Port_Group", "name" },
    { "RBAC_Permission", "table" },
    { "RBAC_Role", "name" },
    { "SB_Global", NULL },
    { "SSL", NULL },
    { "Service_Monitor", "logical_port" },
};

const char *const sbctl_datapath_name_keys[] = {
    "name", "name2", "logical-switch", "logical-router", NULL,
};


void
sbctl_warn(const char *format, ...)
{
    struct ds msg;
    va_list args;
    ds_init(&msg);
    va_start(args, format);
    ds_put_format_valist(&msg, format, args);
    va_end(args);
    LOG_WARN("%s", ds_cstr(&msg));
    ds_uninit(&msg);
}

const struct idl_column *
sbctl_col(const struct dbctl_context *ctx, const char *table,
          const char *column)
{
    return dbctl_column(dbctl_table(ctx, table), column);
}

/* The SB_Global row, or NULL if there is none. */
static const struct idl_row *
sb_global(struct dbctl_context *ctx)
{
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, dbctl_table(ctx,
                                                               "SB_Global"),
                                             &n);
    const struct idl_row *row = n ? rows[0] : NULL;
    free(rows);
    return row;
}

/* The one row whose string column 'table'.'column' is 'name', or NULL. */
static const struct idl_row *
row_by_name(struct dbctl_context *ctx, const char *table, const char *column,
            const char *name)
{
    const struct idl_row *found[1];
    size_t n = dbctl_rows_by_string(ctx, sbctl_col(ctx, table, column), name,
                                    found, 1);
    return n ? found[0] : NULL;
}

int
sbctl_datapath_lookup(struct dbctl_context *ctx, const char *id,
                      const struct idl_row **dp)
{
    struct idl_table *table = dbctl_table(ctx, "Datapath_Binding");
    const struct idl_column *ext = dbctl_column(table, "external_ids");
    struct uuid uuid;

    *dp = NULL;
    if (uuid_from_string(&uuid, id)) {
        *dp = dbctl_row_by_uuid(ctx, table, &uuid);
        if (*dp) {
            return 0;
        }
    }

    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    for (size_t k = 0; sbctl_datapath_name_keys[k]; k++) {
        size_t n_found = 0;
        for (size_t i = 0; i < n; i++) {
            const char *v = dbctl_get_map_string(ctx, rows[i], ext,
                                                 sbctl_datapath_name_keys[k]);
            if (v && !strcmp(v, id)) {
                *dp = rows[i];
                n_found++;
            }
        }
        if (n_found) {
            free(rows);
            if (n_found > 1) {
                *dp = NULL;
                return dbctl_fail(ctx, "multiple rows in Datapath_Binding "
                                  "match \"%s\"", id);
            }
            return 0;
        }
    }

    if (uuid_is_partial_string(id)) {
        size_t len = strlen(id);
        for (size_t i = 0; i < n; i++) {
            char buf[UUID_LEN + 1];
            uuid_to_buffer(idl_row_uuid(rows[i]), buf);
            if (!strncmp(buf, id, len)) {
                if (*dp) {
                    free(rows);
                    *dp = NULL;
                    return dbctl_fail(ctx, "multiple rows in "
                                      "Datapath_Binding match \"%s\"", id);
                }
                *dp = rows[i];
            }
        }
    }
    free(rows);
    return 0;
}

/* init: creates the SB_Global record if there is none. */
static int
cmd_init(struct dbctl_context *ctx, int argc, char **argv)
{
    if (!sb_global(ctx)) {
        dbctl_insert(ctx, dbctl_table(ctx, "SB_Global"));
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * show. */

/* Appends 's' in the database's string syntax (quoted when it must be). */
static void
put_string(struct ds *out, const char *s)
{
    union atom atom = { .string = (char *) s };
    dbctl_atom_to_string(&atom, DB_TYPE_STRING, false, out);
}

static void
show_encap(struct dbctl_context *ctx, const struct idl_row *encap,
           struct ds *out)
{
    struct idl_table *table = dbctl_table(ctx, "Encap");
    const struct idl_column *options = dbctl_column(table, "options");
    const char *type = dbctl_get_string(ctx, encap, dbctl_column(table,
                                                                 "type"));
    const char *ip = dbctl_get_string(ctx, encap, dbctl_column(table, "ip"));

    ds_put_cstr(out, "    Encap ");
    put_string(out, type ? type : "");
    ds_put_cstr(out, "\n        ip: ");
    put_string(out, ip ? ip : "");
    ds_put_cstr(out, "\n");
    const struct datum *opts = dbctl_get(ctx, encap, options);
    if (opts->n) {
        ds_put_cstr(out, "        options: ");
        dbctl_datum_to_string(opts, &idl_column_schema(options)->type,
                              false, out);
        ds_put_cstr(out, "\n");
    }
}

/* show: every chassis with its hostname, encapsulations and the ports
 * bound to it, as ovn-sbctl prints them. */
static int
cmd_show(struct dbctl_context *ctx, int argc, char **argv)
{
    struct ds *out = dbctl_output(ctx);
    struct idl_table *chassis_table = dbctl_table(ctx, "Chassis");
    struct idl_table *encap_table = dbctl_table(ctx, "Encap");
    struct idl_table *pb_table = dbctl_table(ctx, "Port_Binding");
    const struct idl_column *pb_chassis = dbctl_column(pb_table, "chassis");
    const struct idl_column *pb_name = dbctl_column(pb_table,
                                                    "logical_port");
    size_t n_chassis, n_pbs;
    const struct idl_row **chassis = dbctl_rows(ctx, chassis_table,
                                                &n_chassis);
    const struct idl_row **pbs = dbctl_rows(ctx, pb_table, &n_pbs);

    for (size_t i = 0; i < n_chassis; i++) {
        const struct idl_row *ch = chassis[i];
        const char *name = dbctl_get_string(ctx, ch, dbctl_column(
                                                chassis_table, "name"));
        const char *host = dbctl_get_string(ctx, ch, dbctl_column(
                                                chassis_table, "hostname"));
        ds_put_cstr(out, "Chassis ");
        put_string(out, name ? name : "");
        ds_put_cstr(out, "\n");
        if (host && *host) {
            ds_put_cstr(out, "    hostname: ");
            put_string(out, host);
            ds_put_cstr(out, "\n");
        }

        const struct datum *encaps = dbctl_get(ctx, ch, dbctl_column(
                                                   chassis_table, "encaps"));
        for (size_t e = 0; e < encaps->n; e++) {
            const struct idl_row *encap = dbctl_row_by_uuid(
                ctx, encap_table, &encaps->keys[e].uuid);
            if (encap) {
                show_encap(ctx, encap, out);
            }
        }

        for (size_t p = 0; p < n_pbs; p++) {
            const struct datum *d = dbctl_get(ctx, pbs[p], pb_chassis);
            if (d->n && uuid_equals(&d->keys[0].uuid, idl_row_uuid(ch))) {
                const char *port = dbctl_get_string(ctx, pbs[p], pb_name);
                ds_put_cstr(out, "    Port_Binding ");
                put_string(out, port ? port : "");
                ds_put_cstr(out, "\n");
            }
        }
    }
    free(chassis);
    free(pbs);
    return 0;
}

/* ------------------------------------------------------------------------
 * Chassis and port bindings. */

/* chassis-add CHASSIS ENCAP-TYPE[,ENCAP-TYPE...] ENCAP-IP */
static int
cmd_chassis_add(struct dbctl_context *ctx, int argc, char **argv)
{
    const char *name = argv[0];
    if (row_by_name(ctx, "Chassis", "name", name)) {
        if (dbctl_has_option(ctx, "--may-exist")) {
            return 0;
        }
        return dbctl_fail(ctx, "cannot create a chassis named %s because a "
                          "chassis named %s already exists", name, name);
    }

    struct idl_table *encap_table = dbctl_table(ctx, "Encap");
    struct idl_table *chassis_table = dbctl_table(ctx, "Chassis");
    const struct idl_row *ch = dbctl_insert(ctx, chassis_table);
    dbctl_set_string(ctx, ch, dbctl_column(chassis_table, "name"), name);

    /* One Encap per distinct type, in the order given. */
    char *types = xstrdup(argv[1]);
    char *save = NULL;
    char **seen = NULL;
    size_t n_seen = 0;
    const struct idl_row **encaps = NULL;
    for (char *type = strtok_r(types, ",", &save); type;
         type = strtok_r(NULL, ",", &save)) {
        bool dup = false;
        for (size_t i = 0; i < n_seen && !dup; i++) {
            dup = !strcmp(seen[i], type);
        }
        if (dup) {
            continue;
        }
        seen = xrealloc(seen, (n_seen + 1) * sizeof *seen);
        encaps = xrealloc(encaps, (n_seen + 1) * sizeof *encaps);
        seen[n_seen] = type;

        const struct idl_row *encap = dbctl_insert(ctx, encap_table);
        dbctl_set_string(ctx, encap, dbctl_column(encap_table, "type"),
                         type);
        dbctl_set_string(ctx, encap, dbctl_column(encap_table, "ip"),
                         argv[2]);
        dbctl_set_string(ctx, encap, dbctl_column(encap_table,
                                                  "chassis_name"), name);
        dbctl_map_set_string(ctx, encap, dbctl_column(encap_table,
                                                      "options"),
                             "csum", "true");
        encaps[n_seen++] = encap;
    }

    /* The whole set at once: a new row's "encaps" (at least one element)
     * starts out as one all-zeros UUID, which adding to would keep. */
    const struct idl_column *c_encaps = dbctl_column(chassis_table,
                                                     "encaps");
    const struct db_type *type = &idl_column_schema(c_encaps)->type;
    struct datum d;
    datum_init_alloc(&d, n_seen, false);
    for (size_t i = 0; i < n_seen; i++) {
        d.keys[i].uuid = *idl_row_uuid(encaps[i]);
    }
    struct db_error *error = datum_sort_unique(&d, type);
    ASSERT(!error);             /* Distinct rows have distinct UUIDs. */
    dbctl_set(ctx, ch, c_encaps, &d);
    free(encaps);
    free(seen);
    free(types);
    return 0;
}

/* chassis-del CHASSIS: the chassis, its encaps and its Chassis_Private. */
static int
cmd_chassis_del(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *ch = row_by_name(ctx, "Chassis", "name", argv[0]);
    if (!ch) {
        if (dbctl_has_option(ctx, "--if-exists")) {
            return 0;
        }
        return dbctl_fail(ctx, "no chassis named %s", argv[0]);
    }

    struct idl_table *encap_table = dbctl_table(ctx, "Encap");
    const struct datum *encaps = dbctl_get(ctx, ch, sbctl_col(ctx, "Chassis",
                                                              "encaps"));
    /* Deleting rows changes what dbctl_get() returns: copy first. */
    size_t n = encaps->n;
    struct uuid *uuids = xmalloc((n + 1) * sizeof *uuids);
    for (size_t i = 0; i < n; i++) {
        uuids[i] = encaps->keys[i].uuid;
    }
    for (size_t i = 0; i < n; i++) {
        const struct idl_row *encap = dbctl_row_by_uuid(ctx, encap_table,
                                                        &uuids[i]);
        if (encap) {
            dbctl_delete(ctx, encap);
        }
    }
    free(uuids);

    const struct idl_row *priv = row_by_name(ctx, "Chassis_Private", "name",
                                             argv[0]);
    if (priv) {
        dbctl_delete(ctx, priv);
    }
    dbctl_delete(ctx, ch);
    return 0;
}

/* lsp-bind PORT CHASSIS: binds the port and marks it up, as ovn-sbctl
 * does. */
static int
cmd_lsp_bind(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *pb = row_by_name(ctx, "Port_Binding",
                                           "logical_port", argv[0]);
    if (!pb) {
        return dbctl_fail(ctx, "no port named %s", argv[0]);
    }
    const struct idl_row *ch = row_by_name(ctx, "Chassis", "name", argv[1]);
    if (!ch) {
        return dbctl_fail(ctx, "no chassis named %s", argv[1]);
    }

    const struct idl_column *col = sbctl_col(ctx, "Port_Binding", "chassis");
    const struct datum *cur = dbctl_get(ctx, pb, col);
    if (cur->n) {
        const struct idl_row *bound = dbctl_row_by_uuid(
            ctx, dbctl_table(ctx, "Chassis"), &cur->keys[0].uuid);
        if (bound == ch && dbctl_has_option(ctx, "--may-exist")) {
            return 0;
        }
        const char *bound_name = bound ? dbctl_get_string(
            ctx, bound, sbctl_col(ctx, "Chassis", "name")) : NULL;
        return dbctl_fail(ctx, "lport (%s) has already been binded to "
                          "chassis (%s)", argv[0],
                          bound_name ? bound_name : "");
    }
    dbctl_set_uuid(ctx, pb, col, idl_row_uuid(ch));
    dbctl_set_boolean(ctx, pb, sbctl_col(ctx, "Port_Binding", "up"), true);
    return 0;
}

/* lsp-unbind PORT: clears the binding and "up". */
static int
cmd_lsp_unbind(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *pb = row_by_name(ctx, "Port_Binding",
                                           "logical_port", argv[0]);
    if (!pb) {
        if (dbctl_has_option(ctx, "--if-exists")) {
            return 0;
        }
        return dbctl_fail(ctx, "no port named %s", argv[0]);
    }
    dbctl_set_uuid(ctx, pb, sbctl_col(ctx, "Port_Binding", "chassis"),
                   NULL);
    struct datum empty;
    datum_init_empty(&empty);
    dbctl_set(ctx, pb, sbctl_col(ctx, "Port_Binding", "up"), &empty);
    return 0;
}

/* ------------------------------------------------------------------------
 * Connections and SSL. */

static int
compare_strings(const void *a_, const void *b_)
{
    char *const *a = a_, *const *b = b_;
    return strcmp(*a, *b);
}

/* get-connection: one line per connection, in sorted order. */
static int
cmd_get_connection(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *global = sb_global(ctx);
    if (!global) {
        return 0;
    }
    struct idl_table *table = dbctl_table(ctx, "Connection");
    const struct datum *conns = dbctl_get(ctx, global, sbctl_col(
                                              ctx, "SB_Global",
                                              "connections"));
    char **lines = xmalloc((conns->n + 1) * sizeof *lines);
    size_t n = 0;
    for (size_t i = 0; i < conns->n; i++) {
        const struct idl_row *c = dbctl_row_by_uuid(ctx, table,
                                                    &conns->keys[i].uuid);
        if (!c) {
            continue;
        }
        const char *role = dbctl_get_string(ctx, c, dbctl_column(table,
                                                                 "role"));
        const char *target = dbctl_get_string(ctx, c, dbctl_column(
                                                  table, "target"));
        bool ro = dbctl_get_boolean(ctx, c, dbctl_column(table, "read_only"),
                                    false);
        lines[n++] = xasprintf("%s role=\"%s\" %s",
                               ro ? "read-only" : "read-write",
                               role ? role : "", target ? target : "");
    }
    qsort(lines, n, sizeof *lines, compare_strings);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(dbctl_output(ctx), "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
    return 0;
}

/* Deletes the rows SB_Global's 'column' refers to and clears it. */
static void
delete_refs(struct dbctl_context *ctx, const struct idl_row *global,
            const char *column, const char *ref_table)
{
    const struct idl_column *col = sbctl_col(ctx, "SB_Global", column);
    struct idl_table *table = dbctl_table(ctx, ref_table);
    const struct datum *refs = dbctl_get(ctx, global, col);
    size_t n = refs->n;
    struct uuid *uuids = xmalloc((n + 1) * sizeof *uuids);
    for (size_t i = 0; i < n; i++) {
        uuids[i] = refs->keys[i].uuid;
    }
    for (size_t i = 0; i < n; i++) {
        const struct idl_row *row = dbctl_row_by_uuid(ctx, table, &uuids[i]);
        if (row) {
            dbctl_delete(ctx, row);
        }
    }
    free(uuids);
    struct datum empty;
    datum_init_empty(&empty);
    dbctl_set(ctx, global, col, &empty);
}

static int
cmd_del_connection(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *global = sb_global(ctx);
    if (global) {
        delete_refs(ctx, global, "connections", "Connection");
    }
    return 0;
}

/* Whether 'target' names a stream or listener type ovn-sbctl knows. */
static bool
target_type_is_known(const char *target)
{
    static const char *const types[] = {
        "tcp:", "ssl:", "unix:", "ptcp:", "pssl:", "punix:",
    };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (!strncmp(target, types[i], strlen(types[i]))) {
            return true;
        }
    }
    return false;
}

/* [--inactivity-probe=MSECS] set-connection TARGET... */
static int
cmd_set_connection(struct dbctl_context *ctx, int argc, char **argv)
{
    const char *probe = dbctl_option(ctx, "--inactivity-probe");
    long long probe_ms = 0;
    if (probe) {
        char *end;
        errno = 0;
        probe_ms = strtoll(probe, &end, 10);
        if (!*probe || *end || errno) {
            return dbctl_fail(ctx, "--inactivity-probe requires an integer "
                              "argument");
        }
    }
    for (int i = 0; i < argc; i++) {
        if (!target_type_is_known(argv[i])) {
            sbctl_warn("target type \"%s\" is possibly erroneous", argv[i]);
        }
    }

    const struct idl_row *global = sb_global(ctx);
    if (!global) {
        return 0;
    }
    delete_refs(ctx, global, "connections", "Connection");

    struct idl_table *table = dbctl_table(ctx, "Connection");
    const struct idl_column *conns = sbctl_col(ctx, "SB_Global",
                                               "connections");
    for (int i = 0; i < argc; i++) {
        const struct idl_row *c = dbctl_insert(ctx, table);
        dbctl_set_string(ctx, c, dbctl_column(table, "target"), argv[i]);
        if (probe) {
            dbctl_set_integer(ctx, c, dbctl_column(table,
                                                   "inactivity_probe"),
                              probe_ms);
        }
        dbctl_set_add_uuid(ctx, global, conns, c);
    }
    return 0;
}

static int
cmd_get_ssl(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *global = sb_global(ctx);
    if (!global) {
        return 0;
    }
    const struct datum *ref = dbctl_get(ctx, global, sbctl_col(
                                            ctx, "SB_Global", "ssl"));
    struct idl_table *table = dbctl_table(ctx, "SSL");
    const struct idl_row *ssl = ref->n ? dbctl_row_by_uuid(
        ctx, table, &ref->keys[0].uuid) : NULL;
    if (!ssl) {
        return 0;
    }
    const char *key = dbctl_get_string(ctx, ssl, dbctl_column(
                                           table, "private_key"));
    const char *cert = dbctl_get_string(ctx, ssl, dbctl_column(
                                            table, "certificate"));
    const char *ca = dbctl_get_string(ctx, ssl, dbctl_column(table,
                                                             "ca_cert"));
    bool bootstrap = dbctl_get_boolean(ctx, ssl, dbctl_column(
                                           table, "bootstrap_ca_cert"),
                                       false);
    ds_put_format(dbctl_output(ctx), "Private key: %s\nCertificate: %s\n"
                  "CA Certificate: %s\nBootstrap: %s\n", key ? key : "",
                  cert ? cert : "", ca ? ca : "",
                  bootstrap ? "true" : "false");
    return 0;
}

static int
cmd_del_ssl(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *global = sb_global(ctx);
    if (global) {
        delete_refs(ctx, global, "ssl", "SSL");
    }
    return 0;
}

/* [--bootstrap] set-ssl PRIV-KEY CERT CA-CERT [SSL-PROTOS [SSL-CIPHERS]] */
static int
cmd_set_ssl(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *global = sb_global(ctx);
    if (!global) {
        return 0;
    }
    delete_refs(ctx, global, "ssl", "SSL");

    struct idl_table *table = dbctl_table(ctx, "SSL");
    const struct idl_row *ssl = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, ssl, dbctl_column(table, "private_key"), argv[0]);
    dbctl_set_string(ctx, ssl, dbctl_column(table, "certificate"), argv[1]);
    dbctl_set_string(ctx, ssl, dbctl_column(table, "ca_cert"), argv[2]);
    dbctl_set_boolean(ctx, ssl, dbctl_column(table, "bootstrap_ca_cert"),
                      dbctl_has_option(ctx, "--bootstrap"));
    if (argc > 3) {
        dbctl_set_string(ctx, ssl, dbctl_column(table, "ssl_protocols"),
                         argv[3]);
    }
    if (argc > 4) {
        dbctl_set_string(ctx, ssl, dbctl_column(table, "ssl_ciphers"),
                         argv[4]);
    }
    dbctl_set_uuid(ctx, global, sbctl_col(ctx, "SB_Global", "ssl"),
                   idl_row_uuid(ssl));
    return 0;
}

static const struct dbctl_command main_commands[] = {
    { "init", 0, 0, NULL, cmd_init },
    { "show", 0, 0, NULL, cmd_show },
    { "chassis-add", 3, 3, "--may-exist", cmd_chassis_add },
    { "chassis-del", 1, 1, "--if-exists", cmd_chassis_del },
    { "lsp-bind", 2, 2, "--may-exist", cmd_lsp_bind },
    { "lsp-unbind", 1, 1, "--if-exists", cmd_lsp_unbind },
    { "get-connection", 0, 0, NULL, cmd_get_connection },
    { "del-connection", 0, 0, NULL, cmd_del_connection },
    { "set-connection", 1, INT_MAX, "--inactivity-probe=",
      cmd_set_connection },
    { "get-ssl", 0, 0, NULL, cmd_get_ssl },
    { "del-ssl", 0, 0, NULL, cmd_del_ssl },
    { "set-ssl", 3, 5, "--bootstrap", cmd_set_ssl },
    { NULL, 0, 0, NULL, NULL },
};

static const struct dbctl_command *const command_tables[] = {
    main_commands,
    sbctl_lflow_commands,
    NULL,
};

/* ------------------------------------------------------------------------
 * The program. */

static void
usage(void)
{
    printf("%s: OVN southbound database management utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n"
           "\n"
           "General commands:\n"
           "  init                        create the SB_Global record\n"
           "  show                        print an overview of the "
           "database\n"
           "\n"
           "Chassis commands:\n"
           "  [--may-exist] chassis-add CHASSIS ENCAP-TYPE[,TYPE...] "
           "ENCAP-IP\n"
           "                              add CHASSIS with one encap per "
           "type\n"
           "  [--if-exists] chassis-del CHASSIS\n"
           "                              delete CHASSIS and its encaps\n"
           "\n"
           "Port binding commands:\n"
           "  [--may-exist] lsp-bind PORT CHASSIS  bind PORT to CHASSIS\n"
           "  [--if-exists] lsp-unbind PORT        unbind PORT\n"
           "\n"
           "Logical flow commands:\n"
           "  [--uuid] lflow-list [DATAPATH] [LFLOW...]\n"
           "                              list the logical flows (of "
           "DATAPATH,\n"
           "                              or with UUIDs starting LFLOW)\n"
           "  [--uuid] dump-flows [DATAPATH] [LFLOW...]  the same\n"
           "  count-flows [DATAPATH]      count them per table\n"
           "  (--ovs, --stats and --vflows are accepted; showing the "
           "OpenFlow\n"
           "  flows of a switch is not supported)\n"
           "\n"
           "Connection and SSL commands:\n"
           "  get-connection, del-connection,\n"
           "  [--inactivity-probe=MSECS] set-connection TARGET...\n"
           "  get-ssl, del-ssl,\n"
           "  [--bootstrap] set-ssl PRIV-KEY CERT CA-CERT [PROTOS "
           "[CIPHERS]]\n"
           "\n"
           "Database commands: list, find, get, set, add, remove, clear,\n"
           "  create, destroy, wait-until.  Records are named by UUID, or "
           "as\n"
           "  ovn-sbctl names them (Chassis by name, Port_Binding by\n"
           "  logical_port, Datapath_Binding by external_ids:name...).\n"
           "See docs/kiln-sbctl.md for every command.\n"
           "\n"
           "Options:\n"
           "  --db=DATABASE             connect to DATABASE (default: "
           "$OVN_SB_DB, else\n"
           "                            unix:$OVN_RUNDIR/ovnsb_db.sock, "
           "$OVN_RUNDIR\n"
           "                            defaulting to /var/run/ovn)\n"
           "  -t, --timeout=SECS        give up after SECS seconds\n"
           "  --dry-run                 do not commit changes\n"
           "  --oneline                 one line of output per command\n"
           "  -f, --format=FORMAT       table, list, csv or json\n"
           "  -d, --data=FORMAT         string, bare or json\n"
           "  --no-headings, --pretty, --bare, --columns=COLUMNS\n"
           "  --no-leader-only          accepted (one server, no "
           "clustering)\n"
           "  -v, --verbose[=SPEC]      set logging levels\n"
           "  -h, --help                this help\n"
           "  -V, --version             print the version\n",
           program_name(), program_name());
}

/* Returns the database to use without --db; the caller frees it. */
static char *
default_db(void)
{
    const char *db = getenv("OVN_SB_DB");
    if (db && *db) {
        return xstrdup(db);
    }
    const char *dir = getenv("OVN_RUNDIR");
    return xasprintf("unix:%s/ovnsb_db.sock",
                     dir && *dir ? dir : "/var/run/ovn");
}

int
main(int argc, char *argv[])
{
    static const struct dbctl_tool tool = {
        .names = names,
        .n_names = ARRAY_SIZE(names),
        .commands = command_tables,
    };
    static const struct dbctl_program program = {
        .db_name = "OVN_Southbound",
        .default_db = default_db,
        .usage = usage,
        .version = "DB Schema 20.27.0\n",
        .tool = &tool,
    };
    return dbctl_main(&program, argc, argv);
}
