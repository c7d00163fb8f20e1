/* kiln-nbctl: static routes and NAT, the second half of the router family
 * (see nbctl-router-private.h), and the lenient address parsers that
 * ovn-nbctl 23.03 applies to prefixes, router port networks and MACs. */
#include "tools/nbctl-router-private.h"
#include "tools/nbctl-private.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"

/* ------------------------------------------------------------------------
 * Parsers. */

/* Reads an unsigned decimal like scanf()'s "%u" family: blanks, a sign,
 * at least one digit; the value wraps as strtoul()'s does.  Advances
 * '*sp' past it. */
static bool
scan_ulong(const char **sp, unsigned long *value)
{
    const char *q = *sp;
    while (isspace((unsigned char) *q)) {
        q++;
    }
    if (*q == '+' || *q == '-') {
        q++;
    }
    if (!isdigit((unsigned char) *q)) {
        return false;
    }
    char *end;
    *value = strtoul(*sp, &end, 10);
    *sp = end;
    return true;
}

/* Reads four dot-separated "%hhu" parts into 'ip' (network order). */
static bool
scan_ip4(const char **sp, uint32_t *ip)
{
    uint8_t b[4];
    const char *q = *sp;
    for (int i = 0; i < 4; i++) {
        unsigned long v;
        if (i && *q++ != '.') {
            return false;
        }
        if (!scan_ulong(&q, &v)) {
            return false;
        }
        b[i] = (uint8_t) v;
    }
    memcpy(ip, b, sizeof *ip);
    *sp = q;
    return true;
}

/* Reads an IPv6 address (the characters that may form one, then
 * inet_pton()) into 'ip6'. */
static bool
scan_ip6(const char **sp, struct in6_addr *ip6)
{
    const char *q = *sp;
    size_t n = strspn(q, "0123456789abcdefABCDEF:.");
    if (!n || n > 46) {
        return false;
    }
    char buf[47];
    memcpy(buf, q, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, ip6) != 1) {
        return false;
    }
    *sp = q + n;
    return true;
}

/* The prefix length of 'mask' ('n' bytes), or -1 if not contiguous. */
static int
mask_plen(const uint8_t *mask, size_t n)
{
    int plen = 0;
    size_t i = 0;
    for (; i < n && mask[i] == 0xff; i++) {
        plen += 8;
    }
    if (i < n) {
        uint8_t b = mask[i++];
        while (b & 0x80) {
            plen++;
            b <<= 1;
        }
        if (b) {
            return -1;
        }
    }
    for (; i < n; i++) {
        if (mask[i]) {
            return -1;
        }
    }
    return plen;
}

/* Parses the "/MASK" or "/PLEN" after an address of 'max' bits. */
static bool
scan_plen(const char *q, int family, unsigned int *plen)
{
    unsigned int max = family == AF_INET ? 32 : 128;
    if (!*q) {
        *plen = max;
        return true;
    }
    if (*q++ != '/') {
        return false;
    }
    const char *m = q;
    if (family == AF_INET) {
        uint32_t mask;
        if (scan_ip4(&m, &mask) && !*m) {
            int n = mask_plen((const uint8_t *) &mask, 4);
            *plen = n;
            return n >= 0;
        }
    } else {
        struct in6_addr mask;
        if (scan_ip6(&m, &mask) && !*m) {
            int n = mask_plen(mask.s6_addr, 16);
            *plen = n;
            return n >= 0;
        }
    }
    unsigned long v;
    m = q;
    if (!scan_ulong(&m, &v) || *m) {
        return false;
    }
    *plen = (unsigned int) v;
    return *plen <= max;
}

bool
nbctl__parse_prefix(const char *s, struct ip_prefix *p)
{
    memset(p, 0, sizeof *p);
    const char *q = s;
    if (scan_ip4(&q, &p->ip4)) {
        p->family = AF_INET;
        return scan_plen(q, AF_INET, &p->plen);
    }
    q = s;
    while (isspace((unsigned char) *q)) {
        q++;
    }
    if (scan_ip6(&q, &p->ip6)) {
        p->family = AF_INET6;
        return scan_plen(q, AF_INET6, &p->plen);
    }
    return false;
}

bool
nbctl__scan_int(const char *s, int *value)
{
    const char *q = s;
    while (isspace((unsigned char) *q)) {
        q++;
    }
    if (*q == '+' || *q == '-') {
        q++;
    }
    if (!isdigit((unsigned char) *q)) {
        return false;
    }
    *value = (int) strtol(s, NULL, 10);
    return true;
}

bool
nbctl__parse_mac(const char *s, struct eth_addr *ea)
{
    unsigned char b[6];
    int n = -1;
    if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx%n", &b[0], &b[1], &b[2],
               &b[3], &b[4], &b[5], &n) != 6 || n < 0 || s[n]) {
        return false;
    }
    memcpy(ea->ea, b, sizeof b);
    return true;
}

/* The canonical text of prefix 's' (host bits cleared, no "/32" or
 * "/128"), or NULL if it does not parse; the caller frees it. */
static char *
normalize_prefix(const char *s, struct ip_prefix *p)
{
    struct ip_prefix tmp;
    if (!p) {
        p = &tmp;
    }
    if (!s || !nbctl__parse_prefix(s, p)) {
        return NULL;
    }
    ip_prefix_mask(p);
    struct ds ds = DS_EMPTY_INITIALIZER;
    ip_prefix_format_short(p, &ds);
    return ds_steal_cstr(&ds);
}

/* The canonical text of the address 's' read leniently (no prefix
 * length), or NULL; the caller frees it. */
static char *
normalize_address(const char *s)
{
    struct ip_prefix p;
    if (!s || strchr(s, '/') || !nbctl__parse_prefix(s, &p)) {
        return NULL;
    }
    struct ds ds = DS_EMPTY_INITIALIZER;
    ip_prefix_format_addr(&p, &ds);
    return ds_steal_cstr(&ds);
}

/* The canonical text of the address 's' read strictly, or NULL. */
static char *
strict_address(const char *s, struct ip_prefix *p)
{
    struct ip_prefix tmp;
    if (!p) {
        p = &tmp;
    }
    if (!s || !ip_from_string(s, p)) {
        return NULL;
    }
    struct ds ds = DS_EMPTY_INITIALIZER;
    ip_prefix_format_addr(p, &ds);
    return ds_steal_cstr(&ds);
}

/* Whether 'a' and 'b' are both set and equal. */
static bool
str_eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}


/* The live rows the reference set 'column' of 'row' points to, as
 * ovn-nbctl's commands see it (nbctl_ref_view()), in set order; the
 * caller frees the array. */
static const struct idl_row **
ref_rows(struct dbctl_context *ctx, const struct idl_row *row,
         const char *table_name, const char *column, const char *ref_table,
         size_t *np)
{
    struct idl_table *table = dbctl_table(ctx, ref_table);
    const struct datum *d = nbctl_ref_view(
        ctx, row, nbctl_col(ctx, table_name, column));
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

/* ------------------------------------------------------------------------
 * Static routes. */

/* What the route commands read of one Logical_Router_Static_Route. */
struct route {
    const struct idl_row *row;  /* The route. */
    struct ip_prefix prefix;    /* Parsed "ip_prefix", host bits cleared. */
    char *prefix_s;             /* Canonical "ip_prefix" (owned), or NULL
                                   if it does not parse. */
    const char *ip_prefix;      /* "ip_prefix" as stored. */
    const char *nexthop;        /* "nexthop" as stored. */
    const char *policy;         /* "policy", "dst-ip" if empty. */
    const char *policy_raw;     /* "policy" as stored, or NULL. */
    const char *table;          /* "route_table", "" if empty. */
    const char *port;           /* "output_port", or NULL. */
    bool symmetric;             /* options:ecmp_symmetric_reply=true. */
    bool bfd;                   /* "bfd" is set. */
    bool ecmp;                  /* Shares prefix, policy and table with
                                   another route (set by the listing). */
};

static const char *
route_col_string(struct dbctl_context *ctx, const struct idl_row *row,
                 const char *column)
{
    return dbctl_get_string(ctx, row, nbctl_col(
                                ctx, "Logical_Router_Static_Route", column));
}

/* The static routes of 'lr'; the caller frees with routes_free(). */
static struct route *
routes_get(struct dbctl_context *ctx, const struct idl_row *lr, size_t *np)
{
    size_t n;
    const struct idl_row **rows = ref_rows(ctx, lr, "Logical_Router",
                                           "static_routes",
                                           "Logical_Router_Static_Route",
                                           &n);
    struct route *routes = xcalloc(n + 1, sizeof *routes);
    const char *t = "Logical_Router_Static_Route";
    for (size_t i = 0; i < n; i++) {
        struct route *r = &routes[i];
        r->row = rows[i];
        r->ip_prefix = route_col_string(ctx, rows[i], "ip_prefix");
        r->prefix_s = normalize_prefix(r->ip_prefix, &r->prefix);
        r->nexthop = route_col_string(ctx, rows[i], "nexthop");
        r->policy_raw = route_col_string(ctx, rows[i], "policy");
        r->policy = r->policy_raw ? r->policy_raw : "dst-ip";
        r->table = route_col_string(ctx, rows[i], "route_table");
        r->table = r->table ? r->table : "";
        r->port = route_col_string(ctx, rows[i], "output_port");
        r->symmetric = str_eq(dbctl_get_map_string(
                                  ctx, rows[i], nbctl_col(ctx, t, "options"),
                                  "ecmp_symmetric_reply"), "true");
        r->bfd = dbctl_get(ctx, rows[i], nbctl_col(ctx, t, "bfd"))->n > 0;
    }
    free(rows);
    *np = n;
    return routes;
}

static void
routes_free(struct route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(routes[i].prefix_s);
    }
    free(routes);
}

/* Resolves --bfd for a route to 'nexthop' out of 'port' (or NULL): the
 * BFD row to reference, found or inserted, in '*bfd'. */
static int
route_bfd(struct dbctl_context *ctx, const char *nexthop, const char *port,
          const struct idl_row **bfd)
{
    struct idl_table *table = dbctl_table(ctx, "BFD");
    const char *value = dbctl_option(ctx, "--bfd");
    if (*value) {
        struct uuid uuid;
        *bfd = (uuid_from_string(&uuid, value)
                ? dbctl_row_by_uuid(ctx, table, &uuid) : NULL);
        if (!*bfd) {
            return dbctl_fail(ctx, "no entry found in the BFD table");
        }
        return 0;
    }
    if (port) {
        /* ovn-nbctl 23.03 inserts a new session whenever a port is named,
         * even if one exists (the database then refuses the duplicate). */
        *bfd = dbctl_insert(ctx, table);
        dbctl_set_string(ctx, *bfd, dbctl_column(table, "dst_ip"), nexthop);
        dbctl_set_string(ctx, *bfd, dbctl_column(table, "logical_port"),
                         port);
        return 0;
    }
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    const struct idl_column *dst = dbctl_column(table, "dst_ip");
    *bfd = NULL;
    for (size_t i = 0; i < n && !*bfd; i++) {
        if (str_eq(dbctl_get_string(ctx, rows[i], dst), nexthop)) {
            *bfd = rows[i];
        }
    }
    free(rows);
    if (!*bfd) {
        return dbctl_fail(ctx, "insert entry in the BFD table failed");
    }
    return 0;
}

/* lr-route-add --may-exist without --ecmp on an existing route 'r'. */
static int
route_update(struct dbctl_context *ctx, const struct idl_row *r,
             const char *nexthop, const char *port)
{
    const char *t = "Logical_Router_Static_Route";
    dbctl_set_string(ctx, r, nbctl_col(ctx, t, "nexthop"), nexthop);
    if (port) {
        dbctl_set_string(ctx, r, nbctl_col(ctx, t, "output_port"), port);
    }
    if (dbctl_has_option(ctx, "--bfd")) {
        const struct idl_row *bfd;
        int error = route_bfd(ctx, nexthop, port, &bfd);
        if (error) {
            return error;
        }
        dbctl_set_uuid(ctx, r, nbctl_col(ctx, t, "bfd"), idl_row_uuid(bfd));
    }
    return 0;
}

/* Parses lr-route-add's next hop for a route to 'prefix'. */
static char *
route_add_nexthop(struct dbctl_context *ctx, const char *arg,
                  const struct ip_prefix *prefix)
{
    if (!strcmp(arg, "discard")) {
        return xstrdup("discard");
    }
    struct ip_prefix p;
    char *nexthop = strict_address(arg, &p);
    if (!nexthop || p.family != prefix->family) {
        free(nexthop);
        dbctl_fail(ctx, "bad %s nexthop argument: %s",
                   prefix->family == AF_INET ? "IPv4" : "IPv6", arg);
        return NULL;
    }
    return nexthop;
}

/* Checks an lr-route-add against the routes there: 0 to insert, 1 when
 * done (nothing to add, or an existing route updated), or an error. */
static int
route_add_existing(struct dbctl_context *ctx, const struct idl_row *lr,
                   const char *prefix, const char *nexthop, const char *port,
                   const char *policy, const char *table)
{
    bool ecmp = (dbctl_has_option(ctx, "--ecmp")
                 || dbctl_has_option(ctx, "--ecmp-symmetric-reply"));
    bool may_exist = dbctl_has_option(ctx, "--may-exist");
    size_t n;
    struct route *routes = routes_get(ctx, lr, &n);
    int result = 0;
    for (size_t i = 0; i < n && !result; i++) {
        const struct route *r = &routes[i];
        if (strcmp(r->table, table) || strcmp(r->policy, policy)
            || !str_eq(r->prefix_s, prefix)) {
            continue;
        }
        if (!ecmp) {
            if (!may_exist) {
                result = dbctl_fail(ctx, "duplicate prefix: %s (policy: %s). "
                                    "Use option --ecmp to allow this for "
                                    "ECMP routing.", prefix, policy);
            } else {
                result = route_update(ctx, r->row, nexthop, port);
                result = result ? result : 1;
            }
        } else if (str_eq(r->nexthop, nexthop)) {
            result = (may_exist ? 1
                      : dbctl_fail(ctx, "duplicate nexthop for the same ECMP "
                                   "route"));
        }
    }
    routes_free(routes, n);
    return result;
}

int
nbctl__route_add(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    const char *policy_opt = dbctl_option(ctx, "--policy");
    if (policy_opt && strcmp(policy_opt, "dst-ip")
        && strcmp(policy_opt, "src-ip")) {
        return dbctl_fail(ctx, "bad policy: %s", policy_opt);
    }
    const char *policy = policy_opt ? policy_opt : "dst-ip";
    struct ip_prefix p;
    char *prefix = normalize_prefix(argv[2], &p);
    if (!prefix) {
        return dbctl_fail(ctx, "bad prefix argument: %s", argv[2]);
    }
    char *nexthop = route_add_nexthop(ctx, argv[3], &p);
    if (!nexthop) {
        free(prefix);
        return -EINVAL;
    }
    const char *port = argc > 4 ? argv[4] : NULL;
    bool discard = !strcmp(nexthop, "discard");
    const char *table_opt = dbctl_option(ctx, "--route-table");
    const char *table_name = table_opt ? table_opt : "";
    const struct idl_row *bfd = NULL;

    if (port && !nbctl_lrp_lookup(ctx, port, true, &error)) {
        goto out;
    }
    if (port && discard) {
        error = dbctl_fail(ctx, "outport is not valid for discard routes.");
        goto out;
    }
    if (discard && dbctl_has_option(ctx, "--bfd")) {
        error = dbctl_fail(ctx, "bfd dst_ip cannot be discard.");
        goto out;
    }
    error = route_add_existing(ctx, lr, prefix, nexthop, port, policy,
                               table_name);
    if (error) {
        error = error > 0 ? 0 : error;
        goto out;
    }
    if (dbctl_has_option(ctx, "--bfd")) {
        error = route_bfd(ctx, nexthop, port, &bfd);
        if (error) {
            goto out;
        }
    }

    struct idl_table *table = dbctl_table(ctx,
                                          "Logical_Router_Static_Route");
    const struct idl_row *r = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, r, dbctl_column(table, "ip_prefix"), prefix);
    dbctl_set_string(ctx, r, dbctl_column(table, "nexthop"), nexthop);
    if (port) {
        dbctl_set_string(ctx, r, dbctl_column(table, "output_port"), port);
    }
    if (policy_opt) {
        dbctl_set_string(ctx, r, dbctl_column(table, "policy"), policy_opt);
    }
    if (table_opt) {
        dbctl_set_string(ctx, r, dbctl_column(table, "route_table"),
                         table_opt);
    }
    if (dbctl_has_option(ctx, "--ecmp-symmetric-reply")) {
        dbctl_map_set_string(ctx, r, dbctl_column(table, "options"),
                             "ecmp_symmetric_reply", "true");
    }
    if (bfd) {
        dbctl_set_uuid(ctx, r, dbctl_column(table, "bfd"),
                       idl_row_uuid(bfd));
    }
    dbctl_set_add_uuid(ctx, lr, nbctl_col(ctx, "Logical_Router",
                                          "static_routes"), r);
out:
    free(prefix);
    free(nexthop);
    return error;
}

/* Deletes route 'r' of 'lr', and the BFD session it refers to. */
static void
route_delete(struct dbctl_context *ctx, const struct idl_row *lr,
             const struct idl_row *r)
{
    const struct datum *bfd = dbctl_get(
        ctx, r, nbctl_col(ctx, "Logical_Router_Static_Route", "bfd"));
    if (bfd->n) {
        const struct idl_row *b = dbctl_row_by_uuid(
            ctx, dbctl_table(ctx, "BFD"), &bfd->keys[0].uuid);
        if (b) {
            dbctl_delete(ctx, b);
        }
    }
    dbctl_set_remove_uuid(ctx, lr, nbctl_col(ctx, "Logical_Router",
                                             "static_routes"), r);
    dbctl_delete(ctx, r);
}

int
nbctl__route_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    const char *policy = dbctl_option(ctx, "--policy");
    if (policy && strcmp(policy, "dst-ip") && strcmp(policy, "src-ip")) {
        return dbctl_fail(ctx, "bad policy: %s", policy);
    }
    size_t n;
    struct route *routes = routes_get(ctx, lr, &n);
    if (argc == 2 && !policy) {
        for (size_t i = 0; i < n; i++) {
            route_delete(ctx, lr, routes[i].row);
        }
        nbctl_ref_clear(ctx, lr, nbctl_col(ctx, "Logical_Router",
                                            "static_routes"));
        routes_free(routes, n);
        return 0;
    }

    char *prefix = NULL, *nexthop = NULL;
    const char *port = argc > 4 ? argv[4] : NULL;
    const char *table_opt = dbctl_option(ctx, "--route-table");
    const char *table_name = table_opt ? table_opt : "";
    if (argc > 2 && !(prefix = normalize_prefix(argv[2], NULL))) {
        error = dbctl_fail(ctx, "bad prefix argument: %s", argv[2]);
        goto out;
    }
    if (argc > 3) {
        nexthop = (!strcmp(argv[3], "discard") ? xstrdup("discard")
                   : normalize_address(argv[3]));
        if (!nexthop) {
            error = dbctl_fail(ctx, "bad nexthop argument: %s", argv[3]);
            goto out;
        }
    }

    bool found = false;
    for (size_t i = 0; i < n; i++) {
        const struct route *r = &routes[i];
        char *r_nexthop = NULL;
        if (nexthop) {
            r_nexthop = (str_eq(r->nexthop, "discard") ? xstrdup("discard")
                         : normalize_address(r->nexthop));
        }
        if (!strcmp(r->table, table_name)
            && (!policy || !strcmp(r->policy, policy))
            && (!prefix || str_eq(r->prefix_s, prefix))
            && (!nexthop || str_eq(r_nexthop, nexthop))
            && (!port || str_eq(r->port, port))) {
            route_delete(ctx, lr, r->row);
            found = true;
        }
        free(r_nexthop);
    }
    if (!found && !dbctl_has_option(ctx, "--if-exists")) {
        error = dbctl_fail(ctx, "no matching route: policy '%s', prefix '%s', "
                           "nexthop '%s', output_port '%s'.",
                           policy ? policy : "any",
                           prefix ? prefix : "(null)",
                           nexthop ? nexthop : "any", port ? port : "any");
    }
out:
    free(prefix);
    free(nexthop);
    routes_free(routes, n);
    return error;
}

/* Route listing order: longest prefix first, then dst-ip before src-ip,
 * then by address, then by next hop text. */
static int
compare_routes(const void *a_, const void *b_)
{
    const struct route *a = a_, *b = b_;
    if (a->prefix.plen != b->prefix.plen) {
        return a->prefix.plen > b->prefix.plen ? -1 : 1;
    }
    int cmp = strcmp(a->policy, b->policy);
    if (cmp) {
        return cmp;
    }
    if (a->prefix.family == AF_INET) {
        uint32_t x = ntohl(a->prefix.ip4), y = ntohl(b->prefix.ip4);
        cmp = x < y ? -1 : x > y;
    } else {
        cmp = memcmp(&a->prefix.ip6, &b->prefix.ip6, sizeof a->prefix.ip6);
    }
    if (cmp) {
        return cmp;
    }
    cmp = strcmp(a->nexthop ? a->nexthop : "", b->nexthop ? b->nexthop : "");
    return cmp ? cmp : uuid_compare(idl_row_uuid(a->row),
                                    idl_row_uuid(b->row));
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_, *const *b = b_;
    return strcmp(*a, *b);
}

/* Appends the listing of the routes of 'family' among 'routes' ('n'). */
static void
put_route_family(struct ds *out, struct route *routes, size_t n,
                 int family, bool *first_section)
{
    const char **tables = xcalloc(n + 1, sizeof *tables);
    size_t n_tables = 0;
    for (size_t i = 0; i < n; i++) {
        if (routes[i].prefix_s && routes[i].prefix.family == family) {
            tables[n_tables++] = routes[i].table;
        }
    }
    if (!n_tables) {
        free(tables);
        return;
    }
    qsort(tables, n_tables, sizeof *tables, compare_strings);
    if (!*first_section) {
        ds_put_char(out, '\n');
    }
    *first_section = false;
    ds_put_format(out, "%s Routes\n", family == AF_INET ? "IPv4" : "IPv6");

    struct route *sel = xcalloc(n + 1, sizeof *sel);
    for (size_t t = 0; t < n_tables; t++) {
        if (t && !strcmp(tables[t], tables[t - 1])) {
            continue;
        }
        size_t n_sel = 0;
        for (size_t i = 0; i < n; i++) {
            if (routes[i].prefix_s && routes[i].prefix.family == family
                && !strcmp(routes[i].table, tables[t])) {
                sel[n_sel++] = routes[i];
            }
        }
        qsort(sel, n_sel, sizeof *sel, compare_routes);
        for (size_t i = 0; i < n_sel; i++) {
            for (size_t j = 0; j < n_sel; j++) {
                if (i != j && !strcmp(sel[i].prefix_s, sel[j].prefix_s)
                    && !strcmp(sel[i].policy, sel[j].policy)) {
                    sel[i].ecmp = true;
                }
            }
        }
        if (t) {
            ds_put_char(out, '\n');
        }
        ds_put_format(out, "Route Table %s:\n",
                      *tables[t] ? tables[t] : "<main>");
        for (size_t i = 0; i < n_sel; i++) {
            const struct route *r = &sel[i];
            ds_put_format(out, "%25s %25s %s", r->ip_prefix,
                          r->nexthop ? r->nexthop : "", r->policy);
            if (r->port) {
                ds_put_format(out, " %s", r->port);
            }
            if (r->ecmp) {
                ds_put_cstr(out, " ecmp");
            }
            if (r->symmetric) {
                ds_put_cstr(out, " ecmp-symmetric-reply");
            }
            if (r->bfd) {
                ds_put_cstr(out, " bfd");
            }
            ds_put_char(out, '\n');
        }
    }
    free(sel);
    free(tables);
}

int
nbctl__route_list(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    size_t n;
    struct route *routes = routes_get(ctx, lr, &n);
    const char *table_opt = dbctl_option(ctx, "--route-table");
    size_t n_keep = 0;
    for (size_t i = 0; i < n; i++) {
        if (!table_opt || !strcmp(routes[i].table, table_opt)) {
            struct route tmp = routes[n_keep];
            routes[n_keep++] = routes[i];
            routes[i] = tmp;
        }
    }
    bool first_section = true;
    put_route_family(dbctl_output(ctx), routes, n_keep, AF_INET,
                     &first_section);
    put_route_family(dbctl_output(ctx), routes, n_keep, AF_INET6,
                     &first_section);
    routes_free(routes, n);
    return 0;
}

/* ------------------------------------------------------------------------
 * NAT. */

/* What the NAT commands read of one NAT row. */
struct nat {
    const struct idl_row *row;  /* The NAT. */
    const char *type;           /* "type". */
    const char *external_ip;    /* "external_ip" as stored. */
    char *external_s;           /* Canonical external address, or NULL;
                                   owned. */
    const char *logical_ip;     /* "logical_ip" as stored. */
    char *logical_s;            /* Canonical logical prefix, or NULL;
                                   owned. */
    const char *gateway_port;   /* Name of "gateway_port", or NULL. */
    const struct idl_row *gw;   /* "gateway_port" row, or NULL. */
    bool stateless;             /* options:stateless=true. */
};

static const char *
nat_string(struct dbctl_context *ctx, const struct idl_row *row,
           const char *column)
{
    return dbctl_get_string(ctx, row, nbctl_col(ctx, "NAT", column));
}

/* The NATs of 'lr'; the caller frees with nats_free(). */
static struct nat *
nats_get(struct dbctl_context *ctx, const struct idl_row *lr, size_t *np)
{
    size_t n;
    const struct idl_row **rows = ref_rows(ctx, lr, "Logical_Router", "nat",
                                           "NAT", &n);
    struct nat *nats = xcalloc(n + 1, sizeof *nats);
    struct idl_table *lrp_table = dbctl_table(ctx, "Logical_Router_Port");
    for (size_t i = 0; i < n; i++) {
        struct nat *nat = &nats[i];
        nat->row = rows[i];
        nat->type = nat_string(ctx, rows[i], "type");
        nat->external_ip = nat_string(ctx, rows[i], "external_ip");
        nat->external_s = normalize_prefix(nat->external_ip, NULL);
        nat->logical_ip = nat_string(ctx, rows[i], "logical_ip");
        nat->logical_s = normalize_prefix(nat->logical_ip, NULL);
        const struct datum *gw = dbctl_get(
            ctx, rows[i], nbctl_col(ctx, "NAT", "gateway_port"));
        if (gw->n) {
            nat->gw = dbctl_row_by_uuid(ctx, lrp_table, &gw->keys[0].uuid);
            nat->gateway_port = (nat->gw ? dbctl_get_string(
                                     ctx, nat->gw, dbctl_column(lrp_table,
                                                                "name"))
                                 : NULL);
        }
        nat->stateless = str_eq(dbctl_get_map_string(
                                    ctx, rows[i],
                                    nbctl_col(ctx, "NAT", "options"),
                                    "stateless"), "true");
    }
    free(rows);
    *np = n;
    return nats;
}

static void
nats_free(struct nat *nats, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(nats[i].external_s);
        free(nats[i].logical_s);
    }
    free(nats);
}

static bool
is_nat_type(const char *type)
{
    return (!strcmp(type, "dnat") || !strcmp(type, "snat")
            || !strcmp(type, "dnat_and_snat"));
}

/* Validates an lr-nat-add port range ("PORT" or "LOW-HIGH"). */
static bool
valid_port_range(const char *s)
{
    if (!strchr(s, '-')) {
        return atoi(s) > 0;
    }
    char *copy = xstrdup(s);
    char *save = NULL;
    char *lo = strtok_r(copy, "-", &save);
    char *hi = lo ? strtok_r(NULL, "-", &save) : NULL;
    char *extra = hi ? strtok_r(NULL, "-", &save) : NULL;
    bool ok = (lo && hi && !extra && atoi(lo) > 0 && atoi(hi) <= 65535
               && atoi(lo) < atoi(hi));
    free(copy);
    return ok;
}

/* Whether router port 'lrp' is a distributed gateway port. */
static bool
is_dgp(struct dbctl_context *ctx, const struct idl_row *lrp)
{
    const char *t = "Logical_Router_Port";
    return (dbctl_get(ctx, lrp, nbctl_col(ctx, t, "gateway_chassis"))->n
            || dbctl_get(ctx, lrp, nbctl_col(ctx, t, "ha_chassis_group"))->n
            || dbctl_get_map_string(ctx, lrp, nbctl_col(ctx, t, "options"),
                                    "redirect-chassis"));
}

/* Whether address 'ip' is within one of the networks of 'lrp'. */
static bool
lrp_has_network_of(struct dbctl_context *ctx, const struct idl_row *lrp,
                   const struct ip_prefix *ip)
{
    const struct datum *nets = dbctl_get(
        ctx, lrp, nbctl_col(ctx, "Logical_Router_Port", "networks"));
    for (size_t i = 0; i < nets->n; i++) {
        struct ip_prefix net, addr = *ip;
        if (!nbctl__parse_prefix(nets->keys[i].string, &net)
            || net.family != ip->family) {
            continue;
        }
        ip_prefix_mask(&net);
        addr.plen = net.plen;
        ip_prefix_mask(&addr);
        if (ip_prefix_equals(&net, &addr)) {
            return true;
        }
    }
    return false;
}

/* Resolves lr-nat-add's gateway port: the --gateway-port= row in '*gw', or
 * NULL; fails if the router has several distributed gateway ports and
 * none fits 'ext'. */
static int
nat_gateway_port(struct dbctl_context *ctx, const struct idl_row *lr,
                 const char *lr_name, const struct ip_prefix *ext,
                 const struct idl_row **gw)
{
    const char *opt = dbctl_option(ctx, "--gateway-port");
    size_t n;
    const struct idl_row **ports = ref_rows(ctx, lr, "Logical_Router",
                                            "ports", "Logical_Router_Port",
                                            &n);
    int error = 0;
    *gw = NULL;
    if (opt) {
        *gw = nbctl_lrp_lookup(ctx, opt, true, &error);
        bool mine = false;
        for (size_t i = 0; i < n; i++) {
            mine = mine || ports[i] == *gw;
        }
        if (!*gw) {
            /* Error set. */
        } else if (!mine) {
            error = dbctl_fail(ctx, "%s is not a router port of logical "
                               "router: %s.", opt, lr_name);
        } else if (!is_dgp(ctx, *gw)) {
            error = dbctl_fail(ctx, "%s is not a distributed gateway router "
                               "port.", opt);
        }
    } else {
        size_t n_dgps = 0;
        bool fits = false;
        for (size_t i = 0; i < n; i++) {
            if (is_dgp(ctx, ports[i])) {
                n_dgps++;
                fits = fits || lrp_has_network_of(ctx, ports[i], ext);
            }
        }
        if (n_dgps > 1 && !fits) {
            error = dbctl_fail(ctx, "logical router: %s has multiple "
                               "distributed gateway ports and gateway_port "
                               "can not be determined from external IP of "
                               "NAT rule.", lr_name);
        }
    }
    free(ports);
    return error;
}

/* Checks an lr-nat-add against the router's NATs: 0 to insert, 1 when
 * done, or an error. */
static int
nat_add_existing(struct dbctl_context *ctx, const struct idl_row *lr,
                 const char *type, const char *ext_arg, const char *ext,
                 const char *logical, const struct idl_row *gw,
                 const char *lport, const char *mac)
{
    bool stateless = dbctl_has_option(ctx, "--stateless");
    size_t n;
    struct nat *nats = nats_get(ctx, lr, &n);
    int result = 0;
    for (size_t i = 0; i < n && !result; i++) {
        const struct nat *nat = &nats[i];
        bool same_type = str_eq(nat->type, type);
        bool same_ext = str_eq(nat->external_s, ext);
        bool same_log = str_eq(nat->logical_s, logical);
        if (same_type && same_ext && same_log && nat->gw == gw) {
            if (!dbctl_has_option(ctx, "--may-exist")) {
                result = dbctl_fail(ctx, "%s, %s: a NAT with this "
                                    "external_ip and logical_ip already "
                                    "exists", ext_arg, logical);
            } else {
                if (lport) {
                    dbctl_set_string(ctx, nat->row,
                                     nbctl_col(ctx, "NAT", "logical_port"),
                                     lport);
                    dbctl_set_string(ctx, nat->row,
                                     nbctl_col(ctx, "NAT", "external_mac"),
                                     mac);
                }
                result = 1;
            }
        } else if (same_type && !strcmp(type, "snat") && same_log
                   && nat->gw == gw) {
            result = dbctl_fail(ctx, "a NAT with this type (snat), "
                                "logical_ip (%s) already exists", logical);
        } else if (same_type && strcmp(type, "snat") && same_ext
                   && nat->gw == gw) {
            result = dbctl_fail(ctx, "a NAT with this type (%s), external_ip "
                                "(%s) already exists", type, ext_arg);
        } else if (same_ext && nat->stateless != stateless) {
            result = dbctl_fail(ctx, "%s, %s: External ip cannot be shared "
                                "across stateless and stateful NATs",
                                ext_arg, logical);
        }
    }
    nats_free(nats, n);
    return result;
}

/* Parses lr-nat-add's LOGICAL_IP for a NAT of 'type' whose external
 * address is of 'family'; returns its canonical text or NULL. */
static char *
nat_logical_ip(struct dbctl_context *ctx, const char *type, const char *s,
               int family)
{
    const char *fam = family == AF_INET ? "IPv4" : "IPv6";
    struct ip_prefix p;
    char *logical;
    if (!strcmp(type, "snat")) {
        logical = normalize_prefix(s, &p);
        if (!logical || p.family != family) {
            free(logical);
            dbctl_fail(ctx, "%s: should be an %s address or network.", s,
                       fam);
            return NULL;
        }
    } else {
        logical = strict_address(s, &p);
        if (!logical || p.family != family) {
            free(logical);
            dbctl_fail(ctx, "%s: Not a valid %s address.", s, fam);
            return NULL;
        }
    }
    return logical;
}

/* Parses lr-nat-add's optional arguments after LOGICAL_IP. */
static int
nat_add_options(struct dbctl_context *ctx, int argc, char **argv,
                const char *type, const char **lport, const char **mac,
                const char **range)
{
    *lport = *mac = *range = NULL;
    if (argc == 6) {
        if (!dbctl_has_option(ctx, "--portrange")) {
            return dbctl_fail(ctx, "lr-nat-add with logical_port must also "
                              "specify external_mac.");
        }
        *range = argv[5];
    } else if (argc >= 7) {
        if (strcmp(type, "dnat_and_snat")) {
            return dbctl_fail(ctx, "logical_port and external_mac are only "
                              "valid when type is \"dnat_and_snat\".");
        }
        int error;
        if (!nbctl_lsp_lookup(ctx, argv[5], true, &error)) {
            return error;
        }
        struct eth_addr ea;
        if (!nbctl__parse_mac(argv[6], &ea)) {
            return dbctl_fail(ctx, "invalid mac address %s.", argv[6]);
        }
        *lport = argv[5];
        *mac = argv[6];
        *range = argc > 7 ? argv[7] : NULL;
    }
    if (*range && !valid_port_range(*range)) {
        return dbctl_fail(ctx, "invalid port range %s.", *range);
    }
    return 0;
}

int
nbctl__nat_add(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    const char *type = argv[2];
    if (!is_nat_type(type)) {
        return dbctl_fail(ctx, "%s: type must be one of \"dnat\", \"snat\" "
                          "and \"dnat_and_snat\".", type);
    }
    bool stateless = dbctl_has_option(ctx, "--stateless");
    if (stateless && strcmp(type, "dnat_and_snat")) {
        return dbctl_fail(ctx, "stateless is not applicable to dnat or snat "
                          "types");
    }
    struct ip_prefix ext_p;
    char *ext = strict_address(argv[3], &ext_p);
    if (!ext) {
        return dbctl_fail(ctx, "%s: Not a valid IPv4 or IPv6 address.",
                          argv[3]);
    }
    char *logical = nat_logical_ip(ctx, type, argv[4], ext_p.family);
    const char *lport, *mac, *range;
    const struct idl_row *gw = NULL;
    if (!logical) {
        error = -EINVAL;
        goto out;
    }
    error = nat_add_options(ctx, argc, argv, type, &lport, &mac, &range);
    if (error) {
        goto out;
    }
    error = nat_gateway_port(ctx, lr, argv[1], &ext_p, &gw);
    if (error) {
        goto out;
    }
    error = nat_add_existing(ctx, lr, type, argv[3], ext, logical, gw,
                             lport, mac);
    if (error) {
        error = error > 0 ? 0 : error;
        goto out;
    }

    struct idl_table *table = dbctl_table(ctx, "NAT");
    const struct idl_row *nat = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, nat, dbctl_column(table, "type"), type);
    dbctl_set_string(ctx, nat, dbctl_column(table, "external_ip"), argv[3]);
    dbctl_set_string(ctx, nat, dbctl_column(table, "logical_ip"), logical);
    if (lport) {
        dbctl_set_string(ctx, nat, dbctl_column(table, "logical_port"),
                         lport);
        dbctl_set_string(ctx, nat, dbctl_column(table, "external_mac"), mac);
    }
    if (range) {
        dbctl_set_string(ctx, nat, dbctl_column(table,
                                                "external_port_range"),
                         range);
    }
    if (gw && dbctl_option(ctx, "--gateway-port")) {
        dbctl_set_uuid(ctx, nat, dbctl_column(table, "gateway_port"),
                       idl_row_uuid(gw));
    }
    const struct idl_column *options = dbctl_column(table, "options");
    dbctl_map_set_string(ctx, nat, options, "stateless",
                         stateless ? "true" : "false");
    if (dbctl_has_option(ctx, "--add-route")) {
        dbctl_map_set_string(ctx, nat, options, "add_route", "true");
    }
    dbctl_set_add_uuid(ctx, lr, nbctl_col(ctx, "Logical_Router", "nat"),
                       nat);
out:
    free(ext);
    free(logical);
    return error;
}

static void
nat_delete(struct dbctl_context *ctx, const struct idl_row *lr,
           const struct idl_row *nat)
{
    dbctl_set_remove_uuid(ctx, lr, nbctl_col(ctx, "Logical_Router", "nat"),
                          nat);
    dbctl_delete(ctx, nat);
}

int
nbctl__nat_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    const char *type = argc > 2 ? argv[2] : NULL;
    if (type && !is_nat_type(type)) {
        return dbctl_fail(ctx, "%s: type must be one of \"dnat\", \"snat\" "
                          "and \"dnat_and_snat\".", type);
    }

    /* The third argument is an address, or else a gateway port. */
    char *ip = NULL;
    const struct idl_row *gw = NULL;
    const char *gw_name = NULL;
    if (argc > 3) {
        ip = normalize_prefix(argv[3], NULL);
        if (!ip || argc > 4) {
            gw_name = ip ? argv[4] : argv[3];
            gw = nbctl_lrp_lookup(ctx, gw_name, true, &error);
            if (!gw) {
                free(ip);
                return error;
            }
        }
    }

    size_t n;
    struct nat *nats = nats_get(ctx, lr, &n);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        const struct nat *nat = &nats[i];
        const char *nat_ip = (type && !strcmp(type, "snat") ? nat->logical_s
                              : nat->external_s);
        if ((!type || str_eq(nat->type, type))
            && (!ip || str_eq(nat_ip, ip))
            && (!gw || nat->gw == gw)) {
            nat_delete(ctx, lr, nat->row);
            found = true;
        }
    }
    if (!type) {
        nbctl_ref_clear(ctx, lr, nbctl_col(ctx, "Logical_Router", "nat"));
    }
    if (ip && gw && !found && !dbctl_has_option(ctx, "--if-exists")) {
        error = dbctl_fail(ctx, "no matching NAT with the type (%s), %s (%s) "
                           "and gateway_port (%s)", type,
                           !strcmp(type, "snat") ? "logical_ip"
                           : "external_ip", argv[3], gw_name);
    }
    nats_free(nats, n);
    free(ip);
    return error;
}

/* NAT listing order: by type, gateway port, external address text. */
static int
compare_nats(const void *a_, const void *b_)
{
    const struct nat *a = a_, *b = b_;
    int cmp = strcmp(a->type ? a->type : "", b->type ? b->type : "");
    if (!cmp) {
        cmp = strcmp(a->gateway_port ? a->gateway_port : "",
                     b->gateway_port ? b->gateway_port : "");
    }
    if (!cmp) {
        cmp = strcmp(a->external_ip ? a->external_ip : "",
                     b->external_ip ? b->external_ip : "");
    }
    return cmp ? cmp : uuid_compare(idl_row_uuid(a->row),
                                    idl_row_uuid(b->row));
}

int
nbctl__nat_list(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    if (!lr) {
        return error;
    }
    size_t n;
    struct nat *nats = nats_get(ctx, lr, &n);
    qsort(nats, n, sizeof *nats, compare_nats);
    struct ds *out = dbctl_output(ctx);
    if (n) {
        ds_put_cstr(out, "TYPE             GATEWAY_PORT          "
                    "EXTERNAL_IP        EXTERNAL_PORT    LOGICAL_IP          "
                    "EXTERNAL_MAC         LOGICAL_PORT\n");
    }
    for (size_t i = 0; i < n; i++) {
        const struct nat *nat = &nats[i];
        const char *range = nat_string(ctx, nat->row, "external_port_range");
        const char *mac = nat_string(ctx, nat->row, "external_mac");
        const char *lport = nat_string(ctx, nat->row, "logical_port");
        size_t start = out->length;
        ds_put_format(out, "%-17s%-22s%-19s%-17s%-20s",
                      nat->type ? nat->type : "",
                      nat->gateway_port ? nat->gateway_port : "",
                      nat->external_ip ? nat->external_ip : "",
                      range ? range : "",
                      nat->logical_ip ? nat->logical_ip : "");
        if (mac || lport) {
            ds_put_format(out, "%-21s%s", mac ? mac : "",
                          lport ? lport : "");
        }
        size_t len = out->length;
        while (len > start && out->string[len - 1] == ' ') {
            len--;
        }
        ds_truncate(out, len);
        ds_put_char(out, '\n');
    }
    nats_free(nats, n);
    return 0;
}
