/* kiln-nbctl: the switch command family (see nbctl-private.h): logical
 * switches (ls-*), their ports (lsp-*), forwarding groups (fwd-group-*)
 * and static MAC bindings (static-mac-binding-*), as ovn-nbctl(8) has
 * them.  Address parsing lives in nbctl-switch-addr.c.
 *
 * One quirk of ovn-nbctl is kept on purpose, because its output shows it:
 * inside a batch, ovn-nbctl adds ports to a switch ("lsp-add") and
 * mirrors to a port ("lsp-attach-mirror"), and removes them, with partial
 * updates that its own replica does not show until the commit.  So
 * "lsp-list", "lsp-get-ls", the duplicate-IP check of "lsp-set-addresses"
 * and the already-attached check of "lsp-attach-mirror" see a switch's
 * ports and a port's mirrors as they were before the batch (nothing, for
 * a switch the batch created), while everything else sees the batch's own
 * changes.  committed() below gives that older view.  A benefit: a batch
 * of thousands of "lsp-add -- lsp-set-addresses" stays linear. */
#include "tools/nbctl-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/ds.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/error.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"
#include "tools/nbctl-switch-private.h"

/* ovn-nbctl's replica logs a warning when a partial update removes an
 * element that is not there ("lsp-detach-mirror" of a mirror not
 * attached); the module name keeps the line the same. */
LOG_MODULE(ovsdb_idl);

/* ---------------------------------------------------------------------- */
/* Helpers. */

static const struct idl_column *
col(const struct dbctl_context *ctx, const char *table, const char *column)
{
    return nbctl_col(ctx, table, column);
}

/* 'column' of 'row' as the replica had it before this batch: empty for a
 * row the batch inserted.  See the comment at the top of the file. */
static const struct datum *
committed(const struct dbctl_context *ctx, const struct idl_row *row,
          const struct idl_column *column)
{
    static const struct datum empty;
    if (!idl_row_find(idl_row_table(row), idl_row_uuid(row))) {
        return &empty;
    }
    return idl_row_get(row, column);
}

/* Whether the UUID set 'd' holds 'row'. */
static bool
set_has_row(const struct datum *d, const struct idl_row *row)
{
    union atom key = { .uuid = *idl_row_uuid(row) };
    return datum_find_key(d, &key, DB_TYPE_UUID) != SIZE_MAX;
}

/* Appends "UUID (NAME)\n" for 'row', whose name is in 'column'. */
static void
put_uuid_and_name(struct dbctl_context *ctx, const struct idl_row *row,
                  const struct idl_column *column)
{
    const char *name = dbctl_get_string(ctx, row, column);
    char uuid[UUID_LEN + 1];
    uuid_to_buffer(idl_row_uuid(row), uuid);
    ds_put_format(dbctl_output(ctx), "%s (%s)\n", uuid, name ? name : "");
}

/* Appends each string of the set 'column' of 'row' on its own line. */
static void
put_strings(struct dbctl_context *ctx, const struct idl_row *row,
            const struct idl_column *column)
{
    const struct datum *d = dbctl_get(ctx, row, column);
    for (size_t i = 0; i < d->n; i++) {
        ds_put_format(dbctl_output(ctx), "%s\n", d->keys[i].string);
    }
}

/* Writes the strings 'argv' ('argc') to the set 'column' of 'row'. */
static void
set_strings(struct dbctl_context *ctx, const struct idl_row *row,
            const struct idl_column *column, int argc, char **argv)
{
    struct datum d;
    datum_init_alloc(&d, argc, false);
    for (int i = 0; i < argc; i++) {
        d.keys[i].string = xstrdup(argv[i]);
    }
    struct db_type type = { .key = { .type = DB_TYPE_STRING },
                            .n_min = 0, .n_max = UINT_MAX };
    struct db_error *error = datum_sort_unique(&d, &type);
    if (error) {
        /* Sorted, with duplicates: keep the first of each run. */
        db_error_destroy(error);
        size_t n = 0;
        for (size_t i = 0; i < d.n; i++) {
            if (n && !strcmp(d.keys[n - 1].string, d.keys[i].string)) {
                free(d.keys[i].string);
            } else {
                d.keys[n++] = d.keys[i];
            }
        }
        d.n = n;
    }
    dbctl_set(ctx, row, column, &d);
}

/* The port named by 'id', failing the command if there is none. */
static const struct idl_row *
lsp_get(struct dbctl_context *ctx, const char *id, int *error)
{
    return nbctl_lsp_lookup(ctx, id, true, error);
}

/* ---------------------------------------------------------------------- */
/* Logical switches. */

static int
cmd_ls_add(struct dbctl_context *ctx, int argc, char **argv)
{
    bool may_exist = dbctl_has_option(ctx, "--may-exist");
    bool add_duplicate = dbctl_has_option(ctx, "--add-duplicate");
    const char *name = argc > 0 ? argv[0] : NULL;

    if (may_exist && add_duplicate) {
        return dbctl_fail(ctx, "--may-exist and --add-duplicate may not be "
                          "used together");
    }
    if (!name && may_exist) {
        return dbctl_fail(ctx, "--may-exist requires specifying a name");
    }
    if (!name && add_duplicate) {
        return dbctl_fail(ctx, "--add-duplicate requires specifying a name");
    }

    struct idl_table *table = dbctl_table(ctx, "Logical_Switch");
    const struct idl_column *name_col = dbctl_column(table, "name");
    if (name && !add_duplicate) {
        const struct idl_row *found;
        if (dbctl_rows_by_string(ctx, name_col, name, &found, 1)) {
            if (may_exist) {
                return 0;
            }
            return dbctl_fail(ctx, "%s: a switch with this name already "
                              "exists", name);
        }
    }
    const struct idl_row *ls = dbctl_insert(ctx, table);
    if (name) {
        dbctl_set_string(ctx, ls, name_col, name);
    }
    return 0;
}

static int
cmd_ls_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    bool must_exist = !dbctl_has_option(ctx, "--if-exists");
    const struct idl_row *ls = nbctl_ls_lookup(ctx, argv[0], must_exist,
                                               &error);
    if (ls) {
        dbctl_delete(ctx, ls);
    }
    return error;
}

static int
cmd_ls_list(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Logical_Switch");
    const struct idl_column *name_col = dbctl_column(table, "name");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    nbctl_sort_by_string(ctx, rows, n, name_col);
    for (size_t i = 0; i < n; i++) {
        put_uuid_and_name(ctx, rows[i], name_col);
    }
    free(rows);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Logical switch ports. */

/* Parses a VLAN tag request as ovn-nbctl does (scanf's "%d", then a range
 * check); returns false if it is not a number from 0 to 4095. */
static bool
parse_tag(const char *s, long long *tag)
{
    char *end;
    errno = 0;
    *tag = strtoll(s, &end, 10);
    return end != s && !errno && *tag >= 0 && *tag <= 4095;
}

static int
cmd_lsp_add(struct dbctl_context *ctx, int argc, char **argv)
{
    bool may_exist = dbctl_has_option(ctx, "--may-exist");
    const char *port_name = argv[1];
    const char *parent = NULL;
    long long tag = -1;
    int error;

    const struct idl_row *ls = nbctl_ls_lookup(ctx, argv[0], true, &error);
    if (!ls) {
        return error;
    }
    if (argc == 3) {
        return dbctl_fail(ctx, "lsp-add with parent must also specify a "
                          "tag");
    } else if (argc == 4) {
        parent = argv[2];
        if (!parse_tag(argv[3], &tag)) {
            return dbctl_fail(ctx, "%s: invalid tag (must be in range 0 to "
                              "4095)", argv[3]);
        }
    }

    struct idl_table *lsp_table = dbctl_table(ctx, "Logical_Switch_Port");
    const struct idl_column *parent_col = dbctl_column(lsp_table,
                                                       "parent_name");
    const struct idl_column *tag_col = dbctl_column(lsp_table,
                                                    "tag_request");
    const struct idl_row *lsp = nbctl_lsp_lookup(ctx, port_name, false,
                                                 &error);
    if (error) {
        return error;
    }
    if (lsp) {
        if (!may_exist) {
            return dbctl_fail(ctx, "%s: a port with this name already "
                              "exists", port_name);
        }
        const struct idl_row *owner = nbctl_lsp_switch(ctx, lsp);
        if (owner != ls) {
            const char *owner_name = (owner ? dbctl_get_string(
                ctx, owner, col(ctx, "Logical_Switch", "name")) : NULL);
            return dbctl_fail(ctx, "%s: port already exists but in switch "
                              "%s", port_name,
                              owner_name ? owner_name : "");
        }
        const char *old_parent = dbctl_get_string(ctx, lsp, parent_col);
        if (parent) {
            if (!old_parent) {
                return dbctl_fail(ctx, "%s: port already exists but has no "
                                  "parent", port_name);
            } else if (strcmp(parent, old_parent)) {
                return dbctl_fail(ctx, "%s: port already exists with "
                                  "different parent %s", port_name,
                                  old_parent);
            }
            const struct datum *old_tag = dbctl_get(ctx, lsp, tag_col);
            if (!old_tag->n) {
                return dbctl_fail(ctx, "%s: port already exists but has no "
                                  "tag_request", port_name);
            } else if (old_tag->keys[0].integer != tag) {
                return dbctl_fail(ctx, "%s: port already exists with "
                                  "different tag_request %lld", port_name,
                                  old_tag->keys[0].integer);
            }
        } else if (old_parent) {
            return dbctl_fail(ctx, "%s: port already exists but has parent "
                              "%s", port_name, old_parent);
        }
        return 0;
    }

    lsp = dbctl_insert(ctx, lsp_table);
    dbctl_set_string(ctx, lsp, dbctl_column(lsp_table, "name"), port_name);
    if (parent) {
        dbctl_set_string(ctx, lsp, parent_col, parent);
        dbctl_set_integer(ctx, lsp, tag_col, tag);
    }
    dbctl_set_add_uuid(ctx, ls, col(ctx, "Logical_Switch", "ports"), lsp);
    return 0;
}

static int
cmd_lsp_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    bool must_exist = !dbctl_has_option(ctx, "--if-exists");
    const struct idl_row *lsp = nbctl_lsp_lookup(ctx, argv[0], must_exist,
                                                 &error);
    if (!lsp) {
        return error;
    }
    const struct idl_row *ls = nbctl_lsp_switch(ctx, lsp);
    if (ls) {
        dbctl_set_remove_uuid(ctx, ls, col(ctx, "Logical_Switch", "ports"),
                              lsp);
    }
    dbctl_delete(ctx, lsp);
    return 0;
}

/* The ports of 'ls' as ovn-nbctl's replica shows them (see the top of the
 * file), including any the batch deleted.  The caller frees the array. */
static const struct idl_row **
committed_ports(struct dbctl_context *ctx, const struct idl_row *ls,
                size_t *np)
{
    struct idl_table *lsp_table = dbctl_table(ctx, "Logical_Switch_Port");
    const struct datum *ports = committed(ctx, ls,
                                          col(ctx, "Logical_Switch",
                                              "ports"));
    const struct idl_row **rows = xcalloc(ports->n + 1, sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < ports->n; i++) {
        const struct idl_row *row = idl_row_find(lsp_table,
                                                 &ports->keys[i].uuid);
        if (row) {
            rows[n++] = row;
        }
    }
    *np = n;
    return rows;
}

static int
cmd_lsp_list(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *ls = nbctl_ls_lookup(ctx, argv[0], true, &error);
    if (!ls) {
        return error;
    }
    const struct idl_column *name_col = col(ctx, "Logical_Switch_Port",
                                            "name");
    size_t n;
    const struct idl_row **rows = committed_ports(ctx, ls, &n);
    nbctl_sort_by_string(ctx, rows, n, name_col);
    for (size_t i = 0; i < n; i++) {
        put_uuid_and_name(ctx, rows[i], name_col);
    }
    free(rows);
    return 0;
}

/* Runs the "lsp-get-X PORT" commands that print one string column. */
static int
get_string_column(struct dbctl_context *ctx, const char *port,
                  const char *column)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, port, &error);
    if (!lsp) {
        return error;
    }
    const char *s = dbctl_get_string(ctx, lsp, col(ctx,
                                                    "Logical_Switch_Port",
                                                    column));
    if (s) {
        ds_put_format(dbctl_output(ctx), "%s\n", s);
    }
    return 0;
}

static int
cmd_lsp_get_parent(struct dbctl_context *ctx, int argc, char **argv)
{
    return get_string_column(ctx, argv[0], "parent_name");
}

static int
cmd_lsp_get_tag(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (!lsp) {
        return error;
    }
    const struct datum *tag = dbctl_get(ctx, lsp,
                                        col(ctx, "Logical_Switch_Port",
                                            "tag"));
    if (tag->n) {
        ds_put_format(dbctl_output(ctx), "%lld\n", tag->keys[0].integer);
    }
    return 0;
}

/* Fails the command if another port of 'lsp''s switch, as ovn-nbctl's
 * replica shows the switch, has one of the IP addresses of 'addrs'. */
static int
check_duplicate_ips(struct dbctl_context *ctx, const struct idl_row *lsp,
                    const struct nbctl_switch_addrs *addrs)
{
    const struct idl_row *ls = nbctl_lsp_switch(ctx, lsp);
    if (!ls || !addrs->n) {
        return 0;
    }
    const struct idl_column *addresses_col = col(ctx, "Logical_Switch_Port",
                                                 "addresses");
    const struct idl_column *dynamic_col = col(ctx, "Logical_Switch_Port",
                                               "dynamic_addresses");
    struct nbctl_switch_addrs other;
    nbctl_switch_addrs_init(&other);
    size_t n;
    const struct idl_row **ports = committed_ports(ctx, ls, &n);
    int error = 0;
    for (size_t i = 0; i < n && !error; i++) {
        if (ports[i] == lsp) {
            continue;
        }
        const struct datum *addresses = dbctl_get(ctx, ports[i],
                                                  addresses_col);
        for (size_t j = 0; j < addresses->n && !error; j++) {
            const char *s = addresses->keys[j].string;
            if (nbctl_switch_address_is_dynamic(s)) {
                const char *dyn = dbctl_get_string(ctx, ports[i],
                                                   dynamic_col);
                s = dyn ? dyn : s;
            }
            if (!nbctl_switch_extract(s, &other)) {
                continue;
            }
            for (int family = AF_INET; family; ) {
                for (size_t a = 0; a < addrs->n && !error; a++) {
                    const struct ip_prefix *ip = &addrs->ips[a];
                    if (ip->family != family) {
                        continue;
                    }
                    for (size_t b = 0; b < other.n && !error; b++) {
                        const struct ip_prefix *o = &other.ips[b];
                        if (o->family != family
                            || (family == AF_INET ? ip->ip4 != o->ip4
                                : memcmp(&ip->ip6, &o->ip6,
                                         sizeof ip->ip6))) {
                            continue;
                        }
                        struct ds addr = DS_EMPTY_INITIALIZER;
                        ip_prefix_format_addr(ip, &addr);
                        const char *ls_name = dbctl_get_string(
                            ctx, ls, col(ctx, "Logical_Switch", "name"));
                        const char *port_name = dbctl_get_string(
                            ctx, ports[i], col(ctx, "Logical_Switch_Port",
                                               "name"));
                        error = dbctl_fail(
                            ctx, "Error on switch %s: duplicate %s address "
                            "'%s' found on logical switch port '%s'",
                            ls_name ? ls_name : "",
                            family == AF_INET ? "IPv4" : "IPv6",
                            ds_cstr(&addr), port_name ? port_name : "");
                        ds_uninit(&addr);
                    }
                }
                family = family == AF_INET ? AF_INET6 : 0;
            }
        }
    }
    free(ports);
    nbctl_switch_addrs_uninit(&other);
    return error;
}

static int
cmd_lsp_set_addresses(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (!lsp) {
        return error;
    }
    struct nbctl_switch_addrs addrs;
    nbctl_switch_addrs_init(&addrs);
    for (int i = 1; i < argc && !error; i++) {
        if (!nbctl_switch_address_is_valid(argv[i])) {
            error = dbctl_fail(ctx, "%s: Invalid address format. See "
                               "ovn-nb(5). Hint: An Ethernet address must "
                               "be listed before an IP address, together "
                               "as a single argument.", argv[i]);
        } else if (nbctl_switch_extract(argv[i], &addrs)) {
            error = check_duplicate_ips(ctx, lsp, &addrs);
        }
    }
    nbctl_switch_addrs_uninit(&addrs);
    if (!error) {
        set_strings(ctx, lsp, col(ctx, "Logical_Switch_Port", "addresses"),
                    argc - 1, argv + 1);
    }
    return error;
}

/* Runs "lsp-get-addresses" and "lsp-get-port-security". */
static int
get_string_set(struct dbctl_context *ctx, const char *port,
               const char *column)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, port, &error);
    if (lsp) {
        put_strings(ctx, lsp, col(ctx, "Logical_Switch_Port", column));
    }
    return error;
}

static int
cmd_lsp_get_addresses(struct dbctl_context *ctx, int argc, char **argv)
{
    return get_string_set(ctx, argv[0], "addresses");
}

static int
cmd_lsp_set_port_security(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (lsp) {
        set_strings(ctx, lsp,
                    col(ctx, "Logical_Switch_Port", "port_security"),
                    argc - 1, argv + 1);
    }
    return error;
}

static int
cmd_lsp_get_port_security(struct dbctl_context *ctx, int argc, char **argv)
{
    return get_string_set(ctx, argv[0], "port_security");
}

static int
cmd_lsp_get_up(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (lsp) {
        bool up = dbctl_get_boolean(ctx, lsp,
                                    col(ctx, "Logical_Switch_Port", "up"),
                                    false);
        ds_put_cstr(dbctl_output(ctx), up ? "up\n" : "down\n");
    }
    return error;
}

static int
cmd_lsp_set_enabled(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (!lsp) {
        return error;
    }
    const struct idl_column *enabled = col(ctx, "Logical_Switch_Port",
                                           "enabled");
    if (!strcasecmp(argv[1], "enabled")) {
        dbctl_set_boolean(ctx, lsp, enabled, true);
    } else if (!strcasecmp(argv[1], "disabled")) {
        dbctl_set_boolean(ctx, lsp, enabled, false);
    } else {
        return dbctl_fail(ctx, "%s: state must be \"enabled\" or "
                          "\"disabled\"", argv[1]);
    }
    return 0;
}

static int
cmd_lsp_get_enabled(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (lsp) {
        bool enabled = dbctl_get_boolean(ctx, lsp,
                                         col(ctx, "Logical_Switch_Port",
                                             "enabled"), true);
        ds_put_cstr(dbctl_output(ctx),
                    enabled ? "enabled\n" : "disabled\n");
    }
    return error;
}

/* The port types ovn-nb(5) defines for Logical_Switch_Port "type". */
static bool
lsp_type_is_valid(const char *type)
{
    static const char *const types[] = {
        "", "router", "localnet", "localport", "l2gateway", "vtep",
        "external", "virtual", "remote",
    };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (!strcmp(type, types[i])) {
            return true;
        }
    }
    return false;
}

static int
cmd_lsp_set_type(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (!lsp) {
        return error;
    }
    if (!lsp_type_is_valid(argv[1])) {
        return dbctl_fail(ctx, "Logical switch port type '%s' is "
                          "unrecognized. Not setting type.", argv[1]);
    }
    dbctl_set_string(ctx, lsp, col(ctx, "Logical_Switch_Port", "type"),
                     argv[1]);
    return 0;
}

static int
cmd_lsp_get_type(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (lsp) {
        const char *type = dbctl_get_string(
            ctx, lsp, col(ctx, "Logical_Switch_Port", "type"));
        ds_put_format(dbctl_output(ctx), "%s\n", type ? type : "");
    }
    return error;
}

static int
cmd_lsp_set_options(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (!lsp) {
        return error;
    }
    /* "KEY=VALUE" words; a word without "=" is ignored, and of two words
     * with one key the first counts. */
    struct datum d;
    datum_init_alloc(&d, argc, true);
    d.n = 0;
    for (int i = 1; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq) {
            continue;
        }
        char *key = xmemdup0(argv[i], eq - argv[i]);
        union atom k = { .string = key };
        if (datum_find_key(&d, &k, DB_TYPE_STRING) != SIZE_MAX) {
            free(key);
            continue;
        }
        d.keys[d.n].string = key;
        d.values[d.n].string = xstrdup(eq + 1);
        d.n++;
        /* datum_find_key() needs sorted keys. */
        for (size_t j = d.n - 1; j > 0
             && strcmp(d.keys[j - 1].string, d.keys[j].string) > 0; j--) {
            union atom tk = d.keys[j], tv = d.values[j];
            d.keys[j] = d.keys[j - 1];
            d.values[j] = d.values[j - 1];
            d.keys[j - 1] = tk;
            d.values[j - 1] = tv;
        }
    }
    dbctl_set(ctx, lsp, col(ctx, "Logical_Switch_Port", "options"), &d);
    return 0;
}

static int
cmd_lsp_get_options(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (lsp) {
        const struct datum *d = dbctl_get(ctx, lsp,
                                          col(ctx, "Logical_Switch_Port",
                                              "options"));
        for (size_t i = 0; i < d->n; i++) {
            ds_put_format(dbctl_output(ctx), "%s=%s\n", d->keys[i].string,
                          d->values[i].string);
        }
    }
    return error;
}

/* Runs "lsp-set-dhcpv4-options" ('family' AF_INET) and
 * "lsp-set-dhcpv6-options" (AF_INET6). */
static int
set_dhcp_options(struct dbctl_context *ctx, int argc, char **argv,
                 int family)
{
    const char *column = family == AF_INET ? "dhcpv4_options"
                                           : "dhcpv6_options";
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (!lsp) {
        return error;
    }
    const struct idl_column *dhcp_col = col(ctx, "Logical_Switch_Port",
                                            column);
    if (argc < 2) {
        dbctl_set_uuid(ctx, lsp, dhcp_col, NULL);
        return 0;
    }

    struct idl_table *table = dbctl_table(ctx, "DHCP_Options");
    struct uuid uuid;
    const struct idl_row *dhcp = NULL;
    if (uuid_from_string(&uuid, argv[1])) {
        dhcp = dbctl_row_by_uuid(ctx, table, &uuid);
    }
    if (!dhcp) {
        return dbctl_fail(ctx, "%s: dhcp options UUID not found", argv[1]);
    }
    const char *cidr = dbctl_get_string(ctx, dhcp,
                                        dbctl_column(table, "cidr"));
    if (!nbctl_switch_is_cidr(cidr ? cidr : "", family)) {
        return dbctl_fail(ctx, "DHCP options cidr '%s' is not IPv%d",
                          cidr ? cidr : "", family == AF_INET ? 4 : 6);
    }
    dbctl_set_uuid(ctx, lsp, dhcp_col, &uuid);
    return 0;
}

/* Runs "lsp-get-dhcpv4-options" and "lsp-get-dhcpv6-options". */
static int
get_dhcp_options(struct dbctl_context *ctx, const char *port,
                 const char *column)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, port, &error);
    if (!lsp) {
        return error;
    }
    const struct datum *d = dbctl_get(ctx, lsp,
                                      col(ctx, "Logical_Switch_Port",
                                          column));
    struct idl_table *table = dbctl_table(ctx, "DHCP_Options");
    const struct idl_row *dhcp = (d->n ? dbctl_row_by_uuid(
                                      ctx, table, &d->keys[0].uuid)
                                  : NULL);
    if (dhcp) {
        put_uuid_and_name(ctx, dhcp, dbctl_column(table, "cidr"));
    }
    return 0;
}

static int
cmd_lsp_set_dhcpv4_options(struct dbctl_context *ctx, int argc,
                           char **argv)
{
    return set_dhcp_options(ctx, argc, argv, AF_INET);
}

static int
cmd_lsp_get_dhcpv4_options(struct dbctl_context *ctx, int argc,
                           char **argv)
{
    return get_dhcp_options(ctx, argv[0], "dhcpv4_options");
}

static int
cmd_lsp_set_dhcpv6_options(struct dbctl_context *ctx, int argc,
                           char **argv)
{
    return set_dhcp_options(ctx, argc, argv, AF_INET6);
}

static int
cmd_lsp_get_dhcpv6_options(struct dbctl_context *ctx, int argc,
                           char **argv)
{
    return get_dhcp_options(ctx, argv[0], "dhcpv6_options");
}

static int
cmd_lsp_get_ls(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (!lsp) {
        return error;
    }
    struct idl_table *table = dbctl_table(ctx, "Logical_Switch");
    const struct idl_column *ports = dbctl_column(table, "ports");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    for (size_t i = 0; i < n; i++) {
        if (set_has_row(committed(ctx, rows[i], ports), lsp)) {
            put_uuid_and_name(ctx, rows[i], dbctl_column(table, "name"));
            break;
        }
    }
    free(rows);
    return 0;
}

/* The mirror named (or with the UUID) 'id', failing the command if there
 * is none. */
static const struct idl_row *
mirror_lookup(struct dbctl_context *ctx, const char *id, int *error)
{
    struct idl_table *table = dbctl_table(ctx, "Mirror");
    struct uuid uuid;
    bool is_uuid = uuid_from_string(&uuid, id);
    const struct idl_row *row = is_uuid ? dbctl_row_by_uuid(ctx, table,
                                                            &uuid)
                                        : NULL;
    if (!row) {
        dbctl_rows_by_string(ctx, dbctl_column(table, "name"), id, &row, 1);
    }
    *error = row ? 0 : dbctl_fail(ctx, "%s: mirror %s not found", id,
                                  is_uuid ? "UUID" : "name");
    return row;
}

static int
cmd_lsp_attach_mirror(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (!lsp) {
        return error;
    }
    const struct idl_row *mirror = mirror_lookup(ctx, argv[1], &error);
    if (!mirror) {
        return error;
    }
    const struct idl_column *rules = col(ctx, "Logical_Switch_Port",
                                         "mirror_rules");
    if (set_has_row(committed(ctx, lsp, rules), mirror)) {
        return dbctl_fail(ctx, "mirror %s is already attached to the "
                          "logical port %s.", argv[1], argv[0]);
    }
    dbctl_set_add_uuid(ctx, lsp, rules, mirror);
    return 0;
}

static int
cmd_lsp_detach_mirror(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lsp = lsp_get(ctx, argv[0], &error);
    if (!lsp) {
        return error;
    }
    const struct idl_row *mirror = mirror_lookup(ctx, argv[1], &error);
    if (!mirror) {
        return error;
    }
    const struct idl_column *rules = col(ctx, "Logical_Switch_Port",
                                         "mirror_rules");
    if (!set_has_row(committed(ctx, lsp, rules), mirror)
        && !set_has_row(dbctl_get(ctx, lsp, rules), mirror)) {
        /* ovn-nbctl's replica logs this as it commits, so it does not when
         * a later command of the batch attaches the mirror again; here it
         * does. */
        LOG_WARN("Trying to delete a key that doesn't exist in the set.");
    }
    dbctl_set_remove_uuid(ctx, lsp, rules, mirror);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Forwarding groups. */

/* The live forwarding group named (or with the UUID) 'id', or NULL. */
static const struct idl_row *
fwd_group_lookup(struct dbctl_context *ctx, const char *id)
{
    struct idl_table *table = dbctl_table(ctx, "Forwarding_Group");
    struct uuid uuid;
    const struct idl_row *row = NULL;
    if (uuid_from_string(&uuid, id)) {
        row = dbctl_row_by_uuid(ctx, table, &uuid);
    }
    if (!row) {
        dbctl_rows_by_string(ctx, dbctl_column(table, "name"), id, &row, 1);
    }
    return row;
}

static int
cmd_fwd_group_add(struct dbctl_context *ctx, int argc, char **argv)
{
    if (argc < 5) {
        return dbctl_fail(ctx, "Usage : %s fwd-group-add group switch vip "
                          "vmac child_ports...", program_name());
    }
    const char *name = argv[0];
    const char *vip = argv[2];
    const char *vmac = argv[3];
    int error;

    struct idl_table *table = dbctl_table(ctx, "Forwarding_Group");
    const struct idl_row *found;
    if (dbctl_rows_by_string(ctx, dbctl_column(table, "name"), name,
                             &found, 1)) {
        return dbctl_fail(ctx, "%s: a forwarding group by this name "
                          "already exists", name);
    }
    const struct idl_row *ls = nbctl_ls_lookup(ctx, argv[1], true, &error);
    if (!ls) {
        return error;
    }
    uint32_t ip4;
    if (!ip4_from_string(vip, &ip4)) {
        return dbctl_fail(ctx, "invalid ip address %s", vip);
    }
    if (!nbctl_switch_is_mac(vmac)) {
        return dbctl_fail(ctx, "invalid mac address %s", vmac);
    }
    for (int i = 4; i < argc; i++) {
        const struct idl_row *lsp = nbctl_lsp_lookup(ctx, argv[i], false,
                                                     &error);
        if (error) {
            return error;
        } else if (!lsp) {
            return dbctl_fail(ctx, "%s: logical switch port does not exist",
                              argv[i]);
        }
        const struct idl_row *owner = nbctl_lsp_switch(ctx, lsp);
        if (owner != ls) {
            const char *owner_name = (owner ? dbctl_get_string(
                ctx, owner, col(ctx, "Logical_Switch", "name")) : NULL);
            return dbctl_fail(ctx, "%s: port already exists but in logical "
                              "switch %s", argv[i],
                              owner_name ? owner_name : "");
        }
    }

    const struct idl_row *fg = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, fg, dbctl_column(table, "name"), name);
    dbctl_set_string(ctx, fg, dbctl_column(table, "vip"), vip);
    dbctl_set_string(ctx, fg, dbctl_column(table, "vmac"), vmac);
    if (dbctl_has_option(ctx, "--liveness")) {
        dbctl_set_boolean(ctx, fg, dbctl_column(table, "liveness"), true);
    }
    set_strings(ctx, fg, dbctl_column(table, "child_port"), argc - 4,
                argv + 4);
    dbctl_set_add_uuid(ctx, ls, col(ctx, "Logical_Switch",
                                    "forwarding_groups"), fg);
    return 0;
}

static int
cmd_fwd_group_del(struct dbctl_context *ctx, int argc, char **argv)
{
    /* ovn-nbctl deletes nothing, silently, if the group does not exist or
     * the batch itself created it (it looks for the group's switch in its
     * replica, which does not show the group in the switch yet). */
    const struct idl_row *fg = fwd_group_lookup(ctx, argv[0]);
    if (!fg) {
        return 0;
    }
    struct idl_table *table = dbctl_table(ctx, "Logical_Switch");
    const struct idl_column *groups = dbctl_column(table,
                                                   "forwarding_groups");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    for (size_t i = 0; i < n; i++) {
        if (set_has_row(committed(ctx, rows[i], groups), fg)) {
            dbctl_set_remove_uuid(ctx, rows[i], groups, fg);
            dbctl_delete(ctx, fg);
            break;
        }
    }
    free(rows);
    return 0;
}

/* Appends the fwd-group-list lines of the groups of 'ls'. */
static void
list_fwd_groups(struct dbctl_context *ctx, const struct idl_row *ls)
{
    struct idl_table *table = dbctl_table(ctx, "Forwarding_Group");
    const struct idl_column *groups = col(ctx, "Logical_Switch",
                                          "forwarding_groups");
    const struct datum *all = dbctl_get(ctx, ls, groups);
    const char *ls_name = dbctl_get_string(ctx, ls,
                                           col(ctx, "Logical_Switch",
                                               "name"));
    struct ds *out = dbctl_output(ctx);
    for (size_t i = 0; i < all->n; i++) {
        const struct idl_row *fg = dbctl_row_by_uuid(ctx, table,
                                                     &all->keys[i].uuid);
        if (!fg) {
            continue;
        }
        const char *name = dbctl_get_string(ctx, fg,
                                            dbctl_column(table, "name"));
        const char *vip = dbctl_get_string(ctx, fg,
                                           dbctl_column(table, "vip"));
        const char *vmac = dbctl_get_string(ctx, fg,
                                            dbctl_column(table, "vmac"));
        ds_put_format(out, "%-16.16s%-14.18s%-15.16s%s      ",
                      name ? name : "", ls_name ? ls_name : "",
                      vip ? vip : "", vmac ? vmac : "");
        const struct datum *ports = dbctl_get(ctx, fg,
                                              dbctl_column(table,
                                                           "child_port"));
        for (size_t j = 0; j < ports->n; j++) {
            ds_put_format(out, "%s%s", j ? " " : "",
                          ports->keys[j].string);
        }
        ds_put_char(out, '\n');
    }
}

static int
cmd_fwd_group_list(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *ls = NULL;
    int error;
    if (argc > 0) {
        ls = nbctl_ls_lookup(ctx, argv[0], true, &error);
        if (!ls) {
            return error;
        }
    }
    ds_put_format(dbctl_output(ctx), "%-16.16s%-14.14s%-16.16s%-22.22s%s\n",
                  "FWD_GROUP", "LS", "VIP", "VMAC", "CHILD_PORTS");
    if (ls) {
        list_fwd_groups(ctx, ls);
    } else {
        struct idl_table *table = dbctl_table(ctx, "Logical_Switch");
        size_t n;
        const struct idl_row **rows = dbctl_rows(ctx, table, &n);
        for (size_t i = 0; i < n; i++) {
            list_fwd_groups(ctx, rows[i]);
        }
        free(rows);
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Static MAC bindings. */

/* Parses 's' as an IPv4 or IPv6 address and stores its canonical text in
 * 'out'; fails the command if it is neither. */
static int
normalize_ip(struct dbctl_context *ctx, const char *s, struct ds *out)
{
    struct ip_prefix p;
    if (!ip_from_string(s, &p)) {
        return dbctl_fail(ctx, "%s: Not a valid IPv4 or IPv6 address.", s);
    }
    ip_prefix_format_addr(&p, out);
    return 0;
}

/* The live binding of 'port' and 'ip' (canonical), or NULL. */
static const struct idl_row *
static_mac_binding_find(struct dbctl_context *ctx, const char *port,
                        const char *ip)
{
    struct idl_table *table = dbctl_table(ctx, "Static_MAC_Binding");
    const struct idl_column *ip_col = dbctl_column(table, "ip");
    const struct idl_row *rows[64];
    size_t n = dbctl_rows_by_string(ctx, dbctl_column(table, "logical_port"),
                                    port, rows, ARRAY_SIZE(rows));
    if (n > ARRAY_SIZE(rows)) {
        /* Rare: more bindings on one port than fit; scan the table. */
        size_t n_all;
        const struct idl_row **all = dbctl_rows(ctx, table, &n_all);
        const struct idl_row *found = NULL;
        for (size_t i = 0; i < n_all && !found; i++) {
            const char *p = dbctl_get_string(
                ctx, all[i], dbctl_column(table, "logical_port"));
            const char *a = dbctl_get_string(ctx, all[i], ip_col);
            if (p && a && !strcmp(p, port) && !strcmp(a, ip)) {
                found = all[i];
            }
        }
        free(all);
        return found;
    }
    for (size_t i = 0; i < n; i++) {
        const char *a = dbctl_get_string(ctx, rows[i], ip_col);
        if (a && !strcmp(a, ip)) {
            return rows[i];
        }
    }
    return NULL;
}

static int
cmd_static_mac_binding_add(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    if (!nbctl_lrp_lookup(ctx, argv[0], true, &error)) {
        return error;
    }
    struct ds ip = DS_EMPTY_INITIALIZER;
    error = normalize_ip(ctx, argv[1], &ip);
    if (!error && !nbctl_switch_is_mac(argv[2])) {
        error = dbctl_fail(ctx, "invalid mac address %s.", argv[2]);
    }
    if (error) {
        ds_uninit(&ip);
        return error;
    }

    struct idl_table *table = dbctl_table(ctx, "Static_MAC_Binding");
    const struct idl_column *mac_col = dbctl_column(table, "mac");
    const struct idl_row *smb = static_mac_binding_find(ctx, argv[0],
                                                        ds_cstr(&ip));
    if (smb) {
        if (!dbctl_has_option(ctx, "--may-exist")) {
            error = dbctl_fail(ctx, "%s, %s: a Static_MAC_Binding with this "
                               "logical_port and ip already exists",
                               argv[0], ds_cstr(&ip));
        } else {
            dbctl_set_string(ctx, smb, mac_col, argv[2]);
        }
    } else {
        smb = dbctl_insert(ctx, table);
        dbctl_set_string(ctx, smb, dbctl_column(table, "logical_port"),
                         argv[0]);
        dbctl_set_string(ctx, smb, dbctl_column(table, "ip"), ds_cstr(&ip));
        dbctl_set_string(ctx, smb, mac_col, argv[2]);
    }
    ds_uninit(&ip);
    return error;
}

static int
cmd_static_mac_binding_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    if (!nbctl_lrp_lookup(ctx, argv[0], true, &error)) {
        return error;
    }
    struct ds ip = DS_EMPTY_INITIALIZER;
    error = normalize_ip(ctx, argv[1], &ip);
    if (!error) {
        const struct idl_row *smb = static_mac_binding_find(ctx, argv[0],
                                                            ds_cstr(&ip));
        if (smb) {
            dbctl_delete(ctx, smb);
        } else if (!dbctl_has_option(ctx, "--if-exists")) {
            error = dbctl_fail(ctx, "no matching Static_MAC_Binding with "
                               "port %s and ip %s", argv[0], ds_cstr(&ip));
        }
    }
    ds_uninit(&ip);
    return error;
}

/* qsort() comparison for static-mac-binding-list: port, then IP. */
static const struct dbctl_context *smb_ctx;

static int
compare_static_mac_bindings(const void *a_, const void *b_)
{
    const struct idl_row *const *a = a_, *const *b = b_;
    struct idl_table *table = dbctl_table(smb_ctx, "Static_MAC_Binding");
    static const char *const keys[] = { "logical_port", "ip" };
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        const struct idl_column *c = dbctl_column(table, keys[i]);
        const char *sa = dbctl_get_string(smb_ctx, *a, c);
        const char *sb = dbctl_get_string(smb_ctx, *b, c);
        int cmp = strcmp(sa ? sa : "", sb ? sb : "");
        if (cmp) {
            return cmp;
        }
    }
    return uuid_compare(idl_row_uuid(*a), idl_row_uuid(*b));
}

static int
cmd_static_mac_binding_list(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Static_MAC_Binding");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    struct ds *out = dbctl_output(ctx);
    if (n) {
        ds_put_format(out, "%-25s%-25s%s\n", "LOGICAL_PORT", "IP", "MAC");
    }
    smb_ctx = ctx;
    qsort(rows, n, sizeof *rows, compare_static_mac_bindings);
    smb_ctx = NULL;
    for (size_t i = 0; i < n; i++) {
        static const char *const columns[] = { "logical_port", "ip", "mac" };
        const char *v[3];
        for (size_t j = 0; j < 3; j++) {
            v[j] = dbctl_get_string(ctx, rows[i],
                                    dbctl_column(table, columns[j]));
            v[j] = v[j] ? v[j] : "";
        }
        ds_put_format(out, "%-25s%-25s%s\n", v[0], v[1], v[2]);
    }
    free(rows);
    return 0;
}

const struct dbctl_command nbctl_switch_commands[] = {
    { "ls-add", 0, 1, "--may-exist,--add-duplicate", cmd_ls_add },
    { "ls-del", 1, 1, "--if-exists", cmd_ls_del },
    { "ls-list", 0, 0, NULL, cmd_ls_list },

    { "lsp-add", 2, 4, "--may-exist", cmd_lsp_add },
    { "lsp-del", 1, 1, "--if-exists", cmd_lsp_del },
    { "lsp-list", 1, 1, NULL, cmd_lsp_list },
    { "lsp-get-parent", 1, 1, NULL, cmd_lsp_get_parent },
    { "lsp-get-tag", 1, 1, NULL, cmd_lsp_get_tag },
    { "lsp-set-addresses", 1, INT_MAX, NULL, cmd_lsp_set_addresses },
    { "lsp-get-addresses", 1, 1, NULL, cmd_lsp_get_addresses },
    { "lsp-set-port-security", 1, INT_MAX, NULL, cmd_lsp_set_port_security },
    { "lsp-get-port-security", 1, 1, NULL, cmd_lsp_get_port_security },
    { "lsp-get-up", 1, 1, NULL, cmd_lsp_get_up },
    { "lsp-set-enabled", 2, 2, NULL, cmd_lsp_set_enabled },
    { "lsp-get-enabled", 1, 1, NULL, cmd_lsp_get_enabled },
    { "lsp-set-type", 2, 2, NULL, cmd_lsp_set_type },
    { "lsp-get-type", 1, 1, NULL, cmd_lsp_get_type },
    { "lsp-set-options", 1, INT_MAX, NULL, cmd_lsp_set_options },
    { "lsp-get-options", 1, 1, NULL, cmd_lsp_get_options },
    { "lsp-set-dhcpv4-options", 1, 2, NULL, cmd_lsp_set_dhcpv4_options },
    { "lsp-get-dhcpv4-options", 1, 1, NULL, cmd_lsp_get_dhcpv4_options },
    { "lsp-set-dhcpv6-options", 1, 2, NULL, cmd_lsp_set_dhcpv6_options },
    { "lsp-get-dhcpv6-options", 1, 1, NULL, cmd_lsp_get_dhcpv6_options },
    { "lsp-get-ls", 1, 1, NULL, cmd_lsp_get_ls },
    { "lsp-attach-mirror", 2, 2, NULL, cmd_lsp_attach_mirror },
    { "lsp-detach-mirror", 2, 2, NULL, cmd_lsp_detach_mirror },

    { "fwd-group-add", 4, INT_MAX, "--liveness", cmd_fwd_group_add },
    { "fwd-group-del", 1, 1, "--if-exists", cmd_fwd_group_del },
    { "fwd-group-list", 0, 1, NULL, cmd_fwd_group_list },

    { "static-mac-binding-add", 3, 3, "--may-exist",
      cmd_static_mac_binding_add },
    { "static-mac-binding-del", 2, 2, "--if-exists",
      cmd_static_mac_binding_del },
    { "static-mac-binding-list", 0, 0, NULL, cmd_static_mac_binding_list },

    { NULL, 0, 0, NULL, NULL },
};
