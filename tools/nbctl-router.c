/* kiln-nbctl: the router command family (see nbctl-private.h): logical
 * routers and their ports, gateway chassis, HA chassis groups and routing
 * policies here; static routes and NAT in nbctl-route.c.  The behaviour
 * to match, messages included, is ovn-nbctl(8)'s of OVN 23.03. */
#include "tools/nbctl-private.h"
#include "tools/nbctl-router-private.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"

/* ------------------------------------------------------------------------
 * Shared helpers. */

/* The rows that the reference set 'column' of 'row' points to as
 * ovn-nbctl's commands see it (nbctl_ref_view()), in the set's (UUID)
 * order.  The caller frees the array. */
static const struct idl_row **
ref_rows(struct dbctl_context *ctx, const struct idl_row *row,
         const struct idl_column *column, const char *table_name,
         size_t *np)
{
    struct idl_table *table = dbctl_table(ctx, table_name);
    const struct datum *d = nbctl_ref_view(ctx, row, column);
    const struct idl_row **rows = xcalloc(d->n + 1, sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++) {
        /* A row deleted earlier in the batch still shows, as with
         * ovn-nbctl. */
        const struct idl_row *r = idl_row_find(table, &d->keys[i].uuid);
        if (r) {
            rows[n++] = r;
        }
    }
    *np = n;
    return rows;
}

/* Appends "UUID (NAME)\n" for each of 'rows' ('n'). */
static void
put_uuid_name_lines(struct dbctl_context *ctx, const struct idl_row **rows,
                    size_t n, const struct idl_column *name)
{
    struct ds *out = dbctl_output(ctx);
    for (size_t i = 0; i < n; i++) {
        const char *s = dbctl_get_string(ctx, rows[i], name);
        ds_put_format(out, UUID_FMT " (%s)\n",
                      UUID_ARGS(idl_row_uuid(rows[i])), s ? s : "");
    }
}

/* Parses a priority in 0...32767 as ovn-nbctl does. */
static int
parse_priority(struct dbctl_context *ctx, const char *s, int *priority)
{
    if (!nbctl__scan_int(s, priority) || *priority < 0
        || *priority > 32767) {
        return dbctl_fail(ctx, "%s: priority must in range 0...32767", s);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Logical routers. */

static int
cmd_lr_add(struct dbctl_context *ctx, int argc, char **argv)
{
    bool may_exist = dbctl_has_option(ctx, "--may-exist");
    bool add_duplicate = dbctl_has_option(ctx, "--add-duplicate");
    const char *name = argc > 1 ? argv[1] : NULL;
    int error;

    if (may_exist && add_duplicate) {
        return dbctl_fail(ctx, "--may-exist and --add-duplicate may not be "
                          "used together");
    }
    if (name && !add_duplicate) {
        const struct idl_row *lr = nbctl_lr_lookup(ctx, name, false, &error);
        if (error) {
            return error;
        }
        if (lr) {
            if (may_exist) {
                return 0;
            }
            return dbctl_fail(ctx, "%s: a router with this name already "
                              "exists", name);
        }
    }
    struct idl_table *table = dbctl_table(ctx, "Logical_Router");
    const struct idl_row *lr = dbctl_insert(ctx, table);
    if (name) {
        dbctl_set_string(ctx, lr, dbctl_column(table, "name"), name);
    }
    return 0;
}

static int
cmd_lr_del(struct dbctl_context *ctx, int argc, char **argv)
{
    bool must_exist = !dbctl_has_option(ctx, "--if-exists");
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], must_exist,
                                               &error);
    if (lr) {
        dbctl_delete(ctx, lr);
    }
    return error;
}

static int
cmd_lr_list(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Logical_Router");
    const struct idl_column *name = dbctl_column(table, "name");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    nbctl_sort_by_string(ctx, rows, n, name);
    put_uuid_name_lines(ctx, rows, n, name);
    free(rows);
    return 0;
}

/* ------------------------------------------------------------------------
 * Logical router ports. */

/* Finds a column of 'table' named 'name' the way the database commands
 * do: exactly (ignoring case), else by a unique prefix. */
static const struct idl_column *
find_column(struct dbctl_context *ctx, struct idl_table *table,
            const char *name)
{
    const struct table_schema *ts = idl_table_schema(table);
    const struct column_schema *match = NULL;
    size_t n_matches = 0;
    for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
        const struct column_schema *cs = ts->columns[i];
        if (!strcasecmp(cs->name, name)) {
            match = cs;
            n_matches = 1;
            break;
        }
        if (!strncasecmp(cs->name, name, strlen(name))) {
            match = cs;
            n_matches++;
        }
    }
    if (n_matches == 1) {
        return dbctl_column(table, match->name);
    }
    if (n_matches > 1) {
        dbctl_fail(ctx, "%s contains more than one column whose name "
                   "matches \"%s\"", ts->name, name);
    } else {
        dbctl_fail(ctx, "%s does not contain a column whose name matches "
                   "\"%s\"", ts->name, name);
    }
    return NULL;
}

/* Parses 's' as one atom of 'base' into 'atom' (caller destroys). */
static int
parse_atom(struct dbctl_context *ctx, const struct db_base_type *base,
           const char *s, union atom *atom)
{
    struct db_type type = { .key = *base, .n_min = 1, .n_max = 1 };
    type.value.type = DB_TYPE_VOID;
    struct datum d;
    char *msg = dbctl_datum_from_string(&d, &type, s, NULL);
    if (msg) {
        dbctl_fail(ctx, "%s", msg);
        free(msg);
        return -EINVAL;
    }
    *atom = d.keys[0];
    free(d.keys);
    return 0;
}

/* Applies one "column[:key]=value" argument of lrp-add to 'row'. */
static int
apply_setting(struct dbctl_context *ctx, struct idl_table *table,
              const struct idl_row *row, const char *arg)
{
    size_t len = strcspn(arg, ":=");
    char *name = xmemdup0(arg, len);
    const struct idl_column *column = find_column(ctx, table, name);
    free(name);
    if (!column) {
        return -EINVAL;
    }
    const struct db_type *type = &idl_column_schema(column)->type;
    const char *p = arg + len;
    if (*p == ':') {
        if (!db_type_is_map(type)) {
            return dbctl_fail(ctx, "cannot specify key to set for non-map "
                              "column %s", idl_column_name(column));
        }
        const char *eq = strchr(p + 1, '=');
        if (!eq) {
            return dbctl_fail(ctx, "%s: argument does not end in \"=\" "
                              "followed by a value.", arg);
        }
        char *key_s = xmemdup0(p + 1, eq - (p + 1));
        union atom key, value;
        int error = parse_atom(ctx, &type->key, key_s, &key);
        free(key_s);
        if (error) {
            return error;
        }
        error = parse_atom(ctx, &type->value, eq + 1, &value);
        if (error) {
            atom_destroy(&key, type->key.type);
            return error;
        }
        dbctl_map_set(ctx, row, column, &key, &value);
        atom_destroy(&key, type->key.type);
        atom_destroy(&value, type->value.type);
        return 0;
    }
    if (*p != '=') {
        return dbctl_fail(ctx, "%s: argument does not end in \"=\" "
                          "followed by a value.", arg);
    }
    struct datum datum;
    char *msg = dbctl_datum_from_string(&datum, type, p + 1, NULL);
    if (msg) {
        dbctl_fail(ctx, "%s", msg);
        free(msg);
        return -EINVAL;
    }
    dbctl_set(ctx, row, column, &datum);
    return 0;
}

/* Stores in 'set' the canonical "NETWORK/PLEN" of each network (host bits
 * cleared: --may-exist compares networks, not addresses); returns false if
 * one does not parse. */
static bool
canonical_networks(char **nets, size_t n, struct datum *set)
{
    struct db_type type = { .n_min = 0, .n_max = UINT_MAX };
    type.key.type = DB_TYPE_STRING;
    type.value.type = DB_TYPE_VOID;
    datum_init_empty(set);
    for (size_t i = 0; i < n; i++) {
        struct ip_prefix p;
        if (!nbctl__parse_prefix(nets[i], &p)) {
            datum_destroy(set, &type);
            datum_init_empty(set);
            return false;
        }
        struct ds s = DS_EMPTY_INITIALIZER;
        ip_prefix_mask(&p);
        ip_prefix_format(&p, &s);
        struct datum one;
        datum_init_alloc(&one, 1, false);
        one.keys[0].string = ds_steal_cstr(&s);
        datum_union(set, &one, &type);
        datum_destroy(&one, &type);
    }
    return true;
}

/* lrp-add --may-exist on an existing port: checks that it matches. */
static int
lrp_add_existing(struct dbctl_context *ctx, const struct idl_row *lr,
                 const struct idl_row *lrp, const char *port_name,
                 const struct eth_addr *mac, char **nets, size_t n_nets,
                 const char *peer)
{
    const struct idl_row *owner = nbctl_lrp_router(ctx, lrp);
    const struct idl_column *lr_name = nbctl_col(ctx, "Logical_Router",
                                                 "name");
    if (owner != lr) {
        const char *s = owner ? dbctl_get_string(ctx, owner, lr_name) : NULL;
        return dbctl_fail(ctx, "%s: port already exists but in router %s",
                          port_name, s ? s : "");
    }

    const char *old_mac = dbctl_get_string(
        ctx, lrp, nbctl_col(ctx, "Logical_Router_Port", "mac"));
    struct eth_addr ea;
    if (!old_mac || !nbctl__parse_mac(old_mac, &ea)
        || memcmp(&ea, mac, sizeof ea)) {
        return dbctl_fail(ctx, "%s: port already exists with mac %s",
                          port_name, old_mac ? old_mac : "");
    }

    struct db_type type = { .n_min = 0, .n_max = UINT_MAX };
    type.key.type = DB_TYPE_STRING;
    type.value.type = DB_TYPE_VOID;
    struct datum new_set, old_set;
    if (!canonical_networks(nets, n_nets, &new_set)) {
        return dbctl_fail(ctx, "%s: Invalid networks configured", port_name);
    }
    const struct datum *old = dbctl_get(
        ctx, lrp, nbctl_col(ctx, "Logical_Router_Port", "networks"));
    char **old_nets = xcalloc(old->n + 1, sizeof *old_nets);
    for (size_t i = 0; i < old->n; i++) {
        old_nets[i] = old->keys[i].string;
    }
    bool ok = canonical_networks(old_nets, old->n, &old_set);
    free(old_nets);
    bool same = ok && datum_equals(&new_set, &old_set, &type);
    datum_destroy(&new_set, &type);
    datum_destroy(&old_set, &type);
    if (!same) {
        return dbctl_fail(ctx, "%s: port already exists with different "
                          "network", port_name);
    }

    if (peer) {
        const char *old_peer = dbctl_get_string(
            ctx, lrp, nbctl_col(ctx, "Logical_Router_Port", "peer"));
        if (!old_peer || strcmp(old_peer, peer)) {
            return dbctl_fail(ctx, "%s: port already exists with "
                              "mismatching peer", port_name);
        }
    }
    return 0;
}

/* The value of the last "peer=" setting among 'settings', or NULL. */
static const char *
settings_peer(char **settings, size_t n)
{
    const char *peer = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(settings[i], "peer=", 5)) {
            peer = settings[i] + 5;
        }
    }
    return peer;
}

static int
cmd_lrp_add(struct dbctl_context *ctx, int argc, char **argv)
{
    bool may_exist = dbctl_has_option(ctx, "--may-exist");
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    const char *port_name = argv[2];
    struct eth_addr mac;
    if (!nbctl__parse_mac(argv[3], &mac)) {
        return dbctl_fail(ctx, "%s: invalid mac address %s", port_name,
                          argv[3]);
    }

    /* Networks run up to the first "column=value" setting. */
    int first_setting = 4;
    while (first_setting < argc && !strchr(argv[first_setting], '=')) {
        first_setting++;
    }
    char **nets = argv + 4;
    size_t n_nets = first_setting - 4;
    char **settings = argv + first_setting;
    size_t n_settings = argc - first_setting;
    if (!n_nets) {
        return dbctl_fail(ctx, "%s: router port requires specifying a "
                          "network", port_name);
    }

    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, port_name, false,
                                                 &error);
    if (error) {
        return error;
    }
    if (lrp) {
        if (!may_exist) {
            return dbctl_fail(ctx, "%s: a port with this name already "
                              "exists", port_name);
        }
        return lrp_add_existing(ctx, lr, lrp, port_name, &mac, nets, n_nets,
                                settings_peer(settings, n_settings));
    }

    for (size_t i = 0; i < n_nets; i++) {
        struct ip_prefix p;
        if (!nbctl__parse_prefix(nets[i], &p)) {
            return dbctl_fail(ctx, "%s: invalid network address: %s",
                              port_name, nets[i]);
        }
    }

    struct idl_table *table = dbctl_table(ctx, "Logical_Router_Port");
    lrp = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, lrp, dbctl_column(table, "name"), port_name);
    dbctl_set_string(ctx, lrp, dbctl_column(table, "mac"), argv[3]);
    const struct idl_column *networks = dbctl_column(table, "networks");
    for (size_t i = 0; i < n_nets; i++) {
        union atom a = { .string = nets[i] };
        dbctl_set_add(ctx, lrp, networks, &a);
    }
    for (size_t i = 0; i < n_settings; i++) {
        error = apply_setting(ctx, table, lrp, settings[i]);
        if (error) {
            return error;
        }
    }
    dbctl_set_add_uuid(ctx, lr, nbctl_col(ctx, "Logical_Router", "ports"),
                       lrp);
    return 0;
}

static int
cmd_lrp_del(struct dbctl_context *ctx, int argc, char **argv)
{
    bool must_exist = !dbctl_has_option(ctx, "--if-exists");
    int error;
    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, argv[1], must_exist,
                                                 &error);
    if (!lrp) {
        return error;
    }
    const struct idl_row *lr = nbctl_lrp_router(ctx, lrp);
    if (lr) {
        dbctl_set_remove_uuid(ctx, lr, nbctl_col(ctx, "Logical_Router",
                                                 "ports"), lrp);
    }
    dbctl_delete(ctx, lrp);
    return 0;
}

static int
cmd_lrp_list(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    size_t n;
    const struct idl_row **rows = ref_rows(
        ctx, lr, nbctl_col(ctx, "Logical_Router", "ports"),
        "Logical_Router_Port", &n);
    const struct idl_column *name = nbctl_col(ctx, "Logical_Router_Port",
                                              "name");
    nbctl_sort_by_string(ctx, rows, n, name);
    put_uuid_name_lines(ctx, rows, n, name);
    free(rows);
    return 0;
}

static int
cmd_lrp_set_enabled(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, argv[1], true,
                                                 &error);
    if (!lrp) {
        return error;
    }
    bool enabled;
    if (!strcasecmp(argv[2], "enabled")) {
        enabled = true;
    } else if (!strcasecmp(argv[2], "disabled")) {
        enabled = false;
    } else {
        return dbctl_fail(ctx, "%s: state must be \"enabled\" or "
                          "\"disabled\"", argv[2]);
    }
    dbctl_set_boolean(ctx, lrp, nbctl_col(ctx, "Logical_Router_Port",
                                          "enabled"), enabled);
    return 0;
}

static int
cmd_lrp_get_enabled(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, argv[1], true,
                                                 &error);
    if (!lrp) {
        return error;
    }
    bool enabled = dbctl_get_boolean(
        ctx, lrp, nbctl_col(ctx, "Logical_Router_Port", "enabled"), true);
    ds_put_format(dbctl_output(ctx), "%s\n",
                  enabled ? "enabled" : "disabled");
    return 0;
}

static int
cmd_lrp_set_options(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, argv[1], true,
                                                 &error);
    if (!lrp) {
        return error;
    }
    const struct idl_column *options = nbctl_col(ctx, "Logical_Router_Port",
                                                 "options");
    const struct db_type *type = &idl_column_schema(options)->type;
    struct datum map;
    datum_init_empty(&map);
    for (int i = 2; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq) {
            continue;
        }
        /* The first value given for a key wins. */
        struct datum one;
        datum_init_alloc(&one, 1, true);
        one.keys[0].string = xmemdup0(argv[i], eq - argv[i]);
        one.values[0].string = xstrdup(eq + 1);
        if (datum_find_key(&map, &one.keys[0], DB_TYPE_STRING)
            == SIZE_MAX) {
            datum_union(&map, &one, type);
        }
        datum_destroy(&one, type);
    }
    dbctl_set(ctx, lrp, options, &map);
    return 0;
}

static int
cmd_lrp_set_redirect_type(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, argv[1], true,
                                                 &error);
    if (!lrp) {
        return error;
    }
    if (strcasecmp(argv[2], "overlay") && strcasecmp(argv[2], "bridged")) {
        return dbctl_fail(ctx, "Invalid redirect type: %s", argv[2]);
    }
    dbctl_map_set_string(ctx, lrp, nbctl_col(ctx, "Logical_Router_Port",
                                             "options"),
                         "redirect-type", argv[2]);
    return 0;
}

static int
cmd_lrp_get_redirect_type(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, argv[1], true,
                                                 &error);
    if (!lrp) {
        return error;
    }
    const char *type = dbctl_get_map_string(
        ctx, lrp, nbctl_col(ctx, "Logical_Router_Port", "options"),
        "redirect-type");
    ds_put_format(dbctl_output(ctx), "%s\n", type ? type : "overlay");
    return 0;
}

/* ------------------------------------------------------------------------
 * Gateway chassis. */

/* The Gateway_Chassis row of 'lrp' for chassis 'chassis', or NULL. */
static const struct idl_row *
find_gateway_chassis(struct dbctl_context *ctx, const struct idl_row *lrp,
                     const char *chassis)
{
    size_t n;
    const struct idl_row **rows = ref_rows(
        ctx, lrp, nbctl_col(ctx, "Logical_Router_Port", "gateway_chassis"),
        "Gateway_Chassis", &n);
    const struct idl_column *cname = nbctl_col(ctx, "Gateway_Chassis",
                                               "chassis_name");
    const struct idl_row *found = NULL;
    for (size_t i = 0; i < n && !found; i++) {
        const char *s = dbctl_get_string(ctx, rows[i], cname);
        if (s && !strcmp(s, chassis)) {
            found = rows[i];
        }
    }
    free(rows);
    return found;
}

static int
cmd_lrp_set_gateway_chassis(struct dbctl_context *ctx, int argc,
                            char **argv)
{
    int error;
    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, argv[1], true,
                                                 &error);
    if (!lrp) {
        return error;
    }
    int priority = 0;
    if (argc > 3) {
        error = parse_priority(ctx, argv[3], &priority);
        if (error) {
            return error;
        }
    }
    /* An entry is found by its name, in the whole table, so that one
     * added earlier in the batch counts. */
    struct idl_table *table = dbctl_table(ctx, "Gateway_Chassis");
    const struct idl_column *prio = dbctl_column(table, "priority");
    const char *port_name = dbctl_get_string(
        ctx, lrp, nbctl_col(ctx, "Logical_Router_Port", "name"));
    char *name = xasprintf("%s-%s", port_name ? port_name : "", argv[2]);
    const struct idl_row *gc;
    if (dbctl_rows_by_string(ctx, dbctl_column(table, "name"), name, &gc,
                             1)) {
        dbctl_set_integer(ctx, gc, prio, priority);
        free(name);
        return 0;
    }
    gc = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, gc, dbctl_column(table, "name"), name);
    dbctl_set_string(ctx, gc, dbctl_column(table, "chassis_name"), argv[2]);
    dbctl_set_integer(ctx, gc, prio, priority);
    dbctl_set_add_uuid(ctx, lrp, nbctl_col(ctx, "Logical_Router_Port",
                                           "gateway_chassis"), gc);
    free(name);
    return 0;
}

static int
cmd_lrp_del_gateway_chassis(struct dbctl_context *ctx, int argc,
                            char **argv)
{
    int error;
    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, argv[1], true,
                                                 &error);
    if (!lrp) {
        return error;
    }
    const struct idl_row *gc = find_gateway_chassis(ctx, lrp, argv[2]);
    if (!gc) {
        return dbctl_fail(ctx, "chassis %s is not added to logical port %s",
                          argv[2], argv[1]);
    }
    dbctl_set_remove_uuid(ctx, lrp, nbctl_col(ctx, "Logical_Router_Port",
                                              "gateway_chassis"), gc);
    dbctl_delete(ctx, gc);
    return 0;
}

/* qsort() takes no context; commands run in one thread. */
static const struct dbctl_context *sort_ctx;

/* Gateway chassis: highest priority first, ties by name, highest first. */
static int
compare_gateway_chassis(const void *a_, const void *b_)
{
    const struct idl_row *const *a = a_, *const *b = b_;
    const struct idl_column *prio = nbctl_col(sort_ctx, "Gateway_Chassis",
                                              "priority");
    const struct idl_column *name = nbctl_col(sort_ctx, "Gateway_Chassis",
                                              "name");
    long long pa = dbctl_get_integer(sort_ctx, *a, prio, 0);
    long long pb = dbctl_get_integer(sort_ctx, *b, prio, 0);
    if (pa != pb) {
        return pa > pb ? -1 : 1;
    }
    const char *na = dbctl_get_string(sort_ctx, *a, name);
    const char *nb = dbctl_get_string(sort_ctx, *b, name);
    return -strcmp(na ? na : "", nb ? nb : "");
}

static int
cmd_lrp_get_gateway_chassis(struct dbctl_context *ctx, int argc,
                            char **argv)
{
    int error;
    const struct idl_row *lrp = nbctl_lrp_lookup(ctx, argv[1], true,
                                                 &error);
    if (!lrp) {
        return error;
    }
    size_t n;
    const struct idl_row **rows = ref_rows(
        ctx, lrp, nbctl_col(ctx, "Logical_Router_Port", "gateway_chassis"),
        "Gateway_Chassis", &n);
    sort_ctx = ctx;
    qsort(rows, n, sizeof *rows, compare_gateway_chassis);
    sort_ctx = NULL;
    const struct idl_column *name = nbctl_col(ctx, "Gateway_Chassis",
                                              "name");
    const struct idl_column *prio = nbctl_col(ctx, "Gateway_Chassis",
                                              "priority");
    for (size_t i = 0; i < n; i++) {
        const char *s = dbctl_get_string(ctx, rows[i], name);
        ds_put_format(dbctl_output(ctx), "%s %5lld\n", s ? s : "",
                      dbctl_get_integer(ctx, rows[i], prio, 0));
    }
    free(rows);
    return 0;
}

/* ------------------------------------------------------------------------
 * HA chassis groups. */

static const struct idl_row *
ha_group_lookup(struct dbctl_context *ctx, const char *id)
{
    struct idl_table *table = dbctl_table(ctx, "HA_Chassis_Group");
    struct uuid uuid;
    const struct idl_row *row = NULL;
    if (uuid_from_string(&uuid, id)) {
        row = dbctl_row_by_uuid(ctx, table, &uuid);
    }
    if (!row) {
        const struct idl_row *found[1];
        if (dbctl_rows_by_string(ctx, dbctl_column(table, "name"), id,
                                 found, 1)) {
            row = found[0];
        }
    }
    if (!row) {
        dbctl_fail(ctx, "%s: ha_chassi_group name not found", id);
    }
    return row;
}

static int
cmd_ha_group_add(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "HA_Chassis_Group");
    const struct idl_row *g = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, g, dbctl_column(table, "name"), argv[1]);
    return 0;
}

static int
cmd_ha_group_del(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *g = ha_group_lookup(ctx, argv[1]);
    if (!g) {
        return -EINVAL;
    }
    dbctl_delete(ctx, g);
    return 0;
}

static int
cmd_ha_group_list(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "HA_Chassis_Group");
    const struct idl_column *name = dbctl_column(table, "name");
    const struct idl_column *ha_chassis = dbctl_column(table, "ha_chassis");
    const struct idl_column *cname = nbctl_col(ctx, "HA_Chassis",
                                               "chassis_name");
    const struct idl_column *prio = nbctl_col(ctx, "HA_Chassis",
                                              "priority");
    struct ds *out = dbctl_output(ctx);
    size_t n;
    const struct idl_row **groups = dbctl_rows(ctx, table, &n);
    nbctl_sort_by_string(ctx, groups, n, name);
    for (size_t i = 0; i < n; i++) {
        const char *s = dbctl_get_string(ctx, groups[i], name);
        ds_put_format(out, UUID_FMT " (%s)\n",
                      UUID_ARGS(idl_row_uuid(groups[i])), s ? s : "");
        size_t n_ch;
        const struct idl_row **chs = ref_rows(ctx, groups[i], ha_chassis,
                                              "HA_Chassis", &n_ch);
        for (size_t j = 0; j < n_ch; j++) {
            const char *c = dbctl_get_string(ctx, chs[j], cname);
            ds_put_format(out, "    " UUID_FMT " (%s)\n",
                          UUID_ARGS(idl_row_uuid(chs[j])), c ? c : "");
            ds_put_format(out, "    priority %lld\n\n",
                          dbctl_get_integer(ctx, chs[j], prio, 0));
        }
        free(chs);
        ds_put_char(out, '\n');
    }
    free(groups);
    return 0;
}

/* The HA_Chassis of group 'g' for chassis 'chassis', or NULL. */
static const struct idl_row *
find_ha_chassis(struct dbctl_context *ctx, const struct idl_row *g,
                const char *chassis)
{
    size_t n;
    const struct idl_row **rows = ref_rows(
        ctx, g, nbctl_col(ctx, "HA_Chassis_Group", "ha_chassis"),
        "HA_Chassis", &n);
    const struct idl_column *cname = nbctl_col(ctx, "HA_Chassis",
                                               "chassis_name");
    const struct idl_row *found = NULL;
    for (size_t i = 0; i < n && !found; i++) {
        const char *s = dbctl_get_string(ctx, rows[i], cname);
        if (s && !strcmp(s, chassis)) {
            found = rows[i];
        }
    }
    free(rows);
    return found;
}

static int
cmd_ha_group_add_chassis(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *g = ha_group_lookup(ctx, argv[1]);
    if (!g) {
        return -EINVAL;
    }
    int priority;
    int error = parse_priority(ctx, argv[3], &priority);
    if (error) {
        return error;
    }
    struct idl_table *table = dbctl_table(ctx, "HA_Chassis");
    const struct idl_column *prio = dbctl_column(table, "priority");
    const struct idl_row *ch = find_ha_chassis(ctx, g, argv[2]);
    if (!ch) {
        ch = dbctl_insert(ctx, table);
        dbctl_set_string(ctx, ch, dbctl_column(table, "chassis_name"),
                         argv[2]);
        dbctl_set_add_uuid(ctx, g, nbctl_col(ctx, "HA_Chassis_Group",
                                             "ha_chassis"), ch);
    }
    dbctl_set_integer(ctx, ch, prio, priority);
    return 0;
}

static int
cmd_ha_group_remove_chassis(struct dbctl_context *ctx, int argc,
                            char **argv)
{
    const struct idl_row *g = ha_group_lookup(ctx, argv[1]);
    if (!g) {
        return -EINVAL;
    }
    const struct idl_row *ch = find_ha_chassis(ctx, g, argv[2]);
    if (!ch) {
        return dbctl_fail(ctx, "%s: ha chassis not found in %s ha chassis "
                          "group", argv[2], argv[1]);
    }
    dbctl_set_remove_uuid(ctx, g, nbctl_col(ctx, "HA_Chassis_Group",
                                            "ha_chassis"), ch);
    dbctl_delete(ctx, ch);
    return 0;
}

/* ------------------------------------------------------------------------
 * Routing policies. */

/* Parses the comma-separated next hops of a reroute policy into 'set' (a
 * set of canonical addresses). */
static int
parse_policy_nexthops(struct dbctl_context *ctx, const char *arg,
                      struct datum *set)
{
    struct db_type type = { .n_min = 0, .n_max = UINT_MAX };
    type.key.type = DB_TYPE_STRING;
    type.value.type = DB_TYPE_VOID;
    char *copy = xstrdup(arg);
    char *save = NULL;
    int family = 0;
    int error = 0;
    datum_init_empty(set);
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        struct ip_prefix p;
        if (!ip_from_string(tok, &p)) {
            error = dbctl_fail(ctx, "bad next hop argument: %s", arg);
            break;
        }
        if (family && p.family != family) {
            error = dbctl_fail(ctx, "bad next hops argument, not in the same "
                               "addr family : %s", arg);
            break;
        }
        family = p.family;
        struct ds s = DS_EMPTY_INITIALIZER;
        ip_prefix_format_addr(&p, &s);
        struct datum one;
        datum_init_alloc(&one, 1, false);
        one.keys[0].string = ds_steal_cstr(&s);
        datum_union(set, &one, &type);
        datum_destroy(&one, &type);
    }
    free(copy);
    if (error) {
        datum_destroy(set, &type);
        datum_init_empty(set);
    }
    return error;
}

/* Parses "KEY=VALUE" policy options from 'args' ('n') into 'map'. */
static int
parse_policy_options(struct dbctl_context *ctx, char **args, int n,
                     const struct db_type *type, struct datum *map)
{
    datum_init_empty(map);
    for (int i = 0; i < n; i++) {
        const char *p = args[i];
        size_t key_len = strcspn(p, "=");
        const char *value = p[key_len] ? p + key_len + 1 : "";
        if (!*value) {
            char *key = xmemdup0(p, key_len);
            dbctl_fail(ctx, "No value specified for the option : %s", key);
            free(key);
            datum_destroy(map, type);
            datum_init_empty(map);
            return -EINVAL;
        }
        struct datum one;
        datum_init_alloc(&one, 1, true);
        one.keys[0].string = xmemdup0(p, key_len);
        one.values[0].string = xstrdup(value);
        if (datum_find_key(map, &one.keys[0], DB_TYPE_STRING) == SIZE_MAX) {
            datum_union(map, &one, type);
        }
        datum_destroy(&one, type);
    }
    return 0;
}

/* The policy of 'lr' with 'priority' and 'match', or NULL. */
static const struct idl_row *
find_policy(struct dbctl_context *ctx, const struct idl_row *lr,
            int priority, const char *match)
{
    size_t n;
    const struct idl_row **rows = ref_rows(
        ctx, lr, nbctl_col(ctx, "Logical_Router", "policies"),
        "Logical_Router_Policy", &n);
    const struct idl_column *prio = nbctl_col(ctx, "Logical_Router_Policy",
                                              "priority");
    const struct idl_column *mcol = nbctl_col(ctx, "Logical_Router_Policy",
                                              "match");
    const struct idl_row *found = NULL;
    for (size_t i = 0; i < n && !found; i++) {
        const char *m = dbctl_get_string(ctx, rows[i], mcol);
        if (dbctl_get_integer(ctx, rows[i], prio, 0) == priority
            && !strcmp(m ? m : "", match)) {
            found = rows[i];
        }
    }
    free(rows);
    return found;
}

static int
cmd_lr_policy_add(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    int priority;
    error = parse_priority(ctx, argv[2], &priority);
    if (error) {
        return error;
    }
    const char *action = argv[4];
    bool reroute = !strcmp(action, "reroute");
    if (!reroute && strcmp(action, "allow") && strcmp(action, "drop")) {
        return dbctl_fail(ctx, "%s: action must be one of \"allow\", "
                          "\"drop\", and \"reroute\"", action);
    }
    if (reroute && argc < 6) {
        return dbctl_fail(ctx, "Nexthop is required when action is "
                          "reroute.");
    }

    struct idl_table *table = dbctl_table(ctx, "Logical_Router_Policy");
    const struct idl_column *nexthops_col = dbctl_column(table, "nexthops");
    const struct idl_column *options_col = dbctl_column(table, "options");
    const struct db_type *options_type
        = &idl_column_schema(options_col)->type;
    struct datum nexthops, options;
    datum_init_empty(&nexthops);
    if (reroute) {
        error = parse_policy_nexthops(ctx, argv[5], &nexthops);
        if (error) {
            return error;
        }
    }
    int first_option = reroute ? 6 : 5;
    error = parse_policy_options(ctx, argv + first_option,
                                 argc - first_option, options_type,
                                 &options);
    if (!error && find_policy(ctx, lr, priority, argv[3])) {
        if (!dbctl_has_option(ctx, "--may-exist")) {
            error = dbctl_fail(ctx, "Same routing policy already existed on "
                               "the logical router %s.", argv[1]);
        } else {
            error = 1;
        }
    }
    if (error) {
        datum_destroy(&nexthops, &idl_column_schema(nexthops_col)->type);
        datum_destroy(&options, options_type);
        return error > 0 ? 0 : error;
    }

    const struct idl_row *p = dbctl_insert(ctx, table);
    dbctl_set_integer(ctx, p, dbctl_column(table, "priority"), priority);
    dbctl_set_string(ctx, p, dbctl_column(table, "match"), argv[3]);
    dbctl_set_string(ctx, p, dbctl_column(table, "action"), action);
    if (nexthops.n) {
        dbctl_set(ctx, p, nexthops_col, &nexthops);
    } else {
        datum_destroy(&nexthops, &idl_column_schema(nexthops_col)->type);
    }
    if (options.n) {
        dbctl_set(ctx, p, options_col, &options);
    } else {
        datum_destroy(&options, options_type);
    }
    dbctl_set_add_uuid(ctx, lr, nbctl_col(ctx, "Logical_Router", "policies"),
                       p);
    return 0;
}

static void
delete_policy(struct dbctl_context *ctx, const struct idl_row *lr,
              const struct idl_row *p)
{
    dbctl_set_remove_uuid(ctx, lr, nbctl_col(ctx, "Logical_Router",
                                             "policies"), p);
    dbctl_delete(ctx, p);
}

static int
cmd_lr_policy_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    size_t n;
    const struct idl_row **rows = ref_rows(
        ctx, lr, nbctl_col(ctx, "Logical_Router", "policies"),
        "Logical_Router_Policy", &n);
    const struct idl_column *prio = nbctl_col(ctx, "Logical_Router_Policy",
                                              "priority");
    const struct idl_column *mcol = nbctl_col(ctx, "Logical_Router_Policy",
                                              "match");
    struct uuid uuid;
    int priority = 0;

    if (argc == 3 && uuid_from_string(&uuid, argv[2])) {
        bool found = false;
        for (size_t i = 0; i < n; i++) {
            if (uuid_equals(idl_row_uuid(rows[i]), &uuid)) {
                delete_policy(ctx, lr, rows[i]);
                found = true;
            }
        }
        if (!found && !dbctl_has_option(ctx, "--if-exists")) {
            error = dbctl_fail(ctx, "Logical router policy uuid is not "
                               "found.");
        }
    } else if (argc >= 3 && (error = parse_priority(ctx, argv[2],
                                                    &priority))) {
        /* Error set. */
    } else {
        if (argc < 3) {
            nbctl_ref_clear(ctx, lr, nbctl_col(ctx, "Logical_Router",
                                                "policies"));
        }
        for (size_t i = 0; i < n; i++) {
            const char *m = dbctl_get_string(ctx, rows[i], mcol);
            if (argc < 3
                || (dbctl_get_integer(ctx, rows[i], prio, 0) == priority
                    && (argc < 4 || !strcmp(m ? m : "", argv[3])))) {
                delete_policy(ctx, lr, rows[i]);
            }
        }
    }
    free(rows);
    return error;
}

/* Policies: highest priority first, then by match. */
static int
compare_policies(const void *a_, const void *b_)
{
    const struct idl_row *const *a = a_, *const *b = b_;
    const struct idl_column *prio = nbctl_col(sort_ctx,
                                              "Logical_Router_Policy",
                                              "priority");
    const struct idl_column *mcol = nbctl_col(sort_ctx,
                                              "Logical_Router_Policy",
                                              "match");
    long long pa = dbctl_get_integer(sort_ctx, *a, prio, 0);
    long long pb = dbctl_get_integer(sort_ctx, *b, prio, 0);
    if (pa != pb) {
        return pa > pb ? -1 : 1;
    }
    const char *ma = dbctl_get_string(sort_ctx, *a, mcol);
    const char *mb = dbctl_get_string(sort_ctx, *b, mcol);
    int cmp = strcmp(ma ? ma : "", mb ? mb : "");
    return cmp ? cmp : uuid_compare(idl_row_uuid(*a), idl_row_uuid(*b));
}

static int
cmd_lr_policy_list(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    size_t n;
    const struct idl_row **rows = ref_rows(
        ctx, lr, nbctl_col(ctx, "Logical_Router", "policies"),
        "Logical_Router_Policy", &n);
    sort_ctx = ctx;
    qsort(rows, n, sizeof *rows, compare_policies);
    sort_ctx = NULL;

    struct idl_table *table = dbctl_table(ctx, "Logical_Router_Policy");
    const struct idl_column *prio = dbctl_column(table, "priority");
    const struct idl_column *mcol = dbctl_column(table, "match");
    const struct idl_column *acol = dbctl_column(table, "action");
    const struct idl_column *nhs = dbctl_column(table, "nexthops");
    const struct idl_column *nh = dbctl_column(table, "nexthop");
    const struct idl_column *opts = dbctl_column(table, "options");
    struct ds *out = dbctl_output(ctx);
    if (n) {
        ds_put_cstr(out, "Routing Policies\n");
    }
    for (size_t i = 0; i < n; i++) {
        const char *m = dbctl_get_string(ctx, rows[i], mcol);
        const char *a = dbctl_get_string(ctx, rows[i], acol);
        ds_put_format(out, "%10lld %50s %15s",
                      dbctl_get_integer(ctx, rows[i], prio, 0),
                      m ? m : "", a ? a : "");
        const struct datum *d = dbctl_get(ctx, rows[i], nhs);
        const char *single = dbctl_get_string(ctx, rows[i], nh);
        if (d->n) {
            for (size_t j = 0; j < d->n; j++) {
                ds_put_format(out, j ? ", %s" : " %25s",
                              d->keys[j].string);
            }
        } else if (single) {
            ds_put_format(out, " %25s", single);
        }
        const struct datum *o = dbctl_get(ctx, rows[i], opts);
        if (o->n) {
            ds_put_cstr(out, "               ");
            for (size_t j = 0; j < o->n; j++) {
                ds_put_format(out, "%s%s=%s", j ? "," : "",
                              o->keys[j].string, o->values[j].string);
            }
        }
        ds_put_char(out, '\n');
    }
    free(rows);
    return 0;
}

/* dbctl_run() passes a command's arguments alone; the functions above
 * number them from 1, after the command's name, as ovn-nbctl(8)'s
 * synopses do ("lrp-add ROUTER PORT ...": argv[1] is ROUTER).  Each table
 * entry goes through call_with_name(). */
typedef int command_func(struct dbctl_context *, int argc, char **argv);

static int
call_with_name(struct dbctl_context *ctx, int argc, char **argv,
               command_func *func)
{
    char **args = xcalloc(argc + 2, sizeof *args);
    args[0] = (char *) "";
    memcpy(args + 1, argv, argc * sizeof *argv);
    int error = func(ctx, argc + 1, args);
    free(args);
    return error;
}

#define NAMED(FUNC)                                                     \
    static int                                                          \
    FUNC##_named(struct dbctl_context *ctx, int argc, char **argv)      \
    {                                                                   \
        return call_with_name(ctx, argc, argv, FUNC);                   \
    }
NAMED(cmd_lr_add)
NAMED(cmd_lr_del)
NAMED(cmd_lr_list)
NAMED(cmd_lrp_add)
NAMED(cmd_lrp_del)
NAMED(cmd_lrp_list)
NAMED(cmd_lrp_set_enabled)
NAMED(cmd_lrp_get_enabled)
NAMED(cmd_lrp_set_options)
NAMED(cmd_lrp_set_redirect_type)
NAMED(cmd_lrp_get_redirect_type)
NAMED(cmd_lrp_set_gateway_chassis)
NAMED(cmd_lrp_del_gateway_chassis)
NAMED(cmd_lrp_get_gateway_chassis)
NAMED(nbctl__route_add)
NAMED(nbctl__route_del)
NAMED(nbctl__route_list)
NAMED(cmd_lr_policy_add)
NAMED(cmd_lr_policy_del)
NAMED(cmd_lr_policy_list)
NAMED(nbctl__nat_add)
NAMED(nbctl__nat_del)
NAMED(nbctl__nat_list)
NAMED(cmd_ha_group_add)
NAMED(cmd_ha_group_del)
NAMED(cmd_ha_group_list)
NAMED(cmd_ha_group_add_chassis)
NAMED(cmd_ha_group_remove_chassis)

const struct dbctl_command nbctl_router_commands[] = {
    { "lr-add", 0, 1, "--may-exist,--add-duplicate", cmd_lr_add_named },
    { "lr-del", 1, 1, "--if-exists", cmd_lr_del_named },
    { "lr-list", 0, 0, NULL, cmd_lr_list_named },
    { "lrp-add", 4, INT_MAX, "--may-exist", cmd_lrp_add_named },
    { "lrp-del", 1, 1, "--if-exists", cmd_lrp_del_named },
    { "lrp-list", 1, 1, NULL, cmd_lrp_list_named },
    { "lrp-set-enabled", 2, 2, NULL, cmd_lrp_set_enabled_named },
    { "lrp-get-enabled", 1, 1, NULL, cmd_lrp_get_enabled_named },
    { "lrp-set-options", 1, INT_MAX, NULL, cmd_lrp_set_options_named },
    { "lrp-set-redirect-type", 2, 2, NULL, cmd_lrp_set_redirect_type_named },
    { "lrp-get-redirect-type", 1, 1, NULL, cmd_lrp_get_redirect_type_named },
    { "lrp-set-gateway-chassis", 2, 3, NULL,
      cmd_lrp_set_gateway_chassis_named },
    { "lrp-del-gateway-chassis", 2, 2, NULL,
      cmd_lrp_del_gateway_chassis_named },
    { "lrp-get-gateway-chassis", 1, 1, NULL,
      cmd_lrp_get_gateway_chassis_named },
    { "lr-route-add", 3, 4,
      "--may-exist,--ecmp,--ecmp-symmetric-reply,--policy=,--route-table=,"
      "--bfd,--bfd=", nbctl__route_add_named },
    { "lr-route-del", 1, 4, "--if-exists,--policy=,--route-table=",
      nbctl__route_del_named },
    { "lr-route-list", 1, 1, "--route-table=", nbctl__route_list_named },
    { "lr-policy-add", 4, INT_MAX, "--may-exist", cmd_lr_policy_add_named },
    { "lr-policy-del", 1, 3, "--if-exists", cmd_lr_policy_del_named },
    { "lr-policy-list", 1, 1, NULL, cmd_lr_policy_list_named },
    { "lr-nat-add", 4, 7,
      "--may-exist,--stateless,--portrange,--add-route,--gateway-port=",
      nbctl__nat_add_named },
    { "lr-nat-del", 1, 4, "--if-exists", nbctl__nat_del_named },
    { "lr-nat-list", 1, 1, NULL, nbctl__nat_list_named },
    { "ha-chassis-group-add", 1, 1, NULL, cmd_ha_group_add_named },
    { "ha-chassis-group-del", 1, 1, NULL, cmd_ha_group_del_named },
    { "ha-chassis-group-list", 0, 0, NULL, cmd_ha_group_list_named },
    { "ha-chassis-group-add-chassis", 3, 3, NULL,
      cmd_ha_group_add_chassis_named },
    { "ha-chassis-group-remove-chassis", 2, 2, NULL,
      cmd_ha_group_remove_chassis_named },
    { NULL, 0, 0, NULL, NULL },
};
