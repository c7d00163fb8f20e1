/* kiln-nbctl: the load balancer, DHCP options, connection and SSL commands
 * of ovn-nbctl(8) (see nbctl-private.h).
 *
 * The load balancer commands edit Load_Balancer rows and the
 * "load_balancer" sets of Logical_Switch and Logical_Router (ovn-nb(5));
 * the DHCP commands the DHCP_Options table; the connection and SSL
 * commands the "connections" and "ssl" columns of NB_Global.
 *
 * The specification is ovn-nbctl 23.03's observable behaviour: its
 * messages, its output layout, and the address syntax it accepts, which
 * is looser than one might expect ("[1.2.3.4]:+80" is a VIP with port 80,
 * "1.2.3.4:" one without a port, "256.0.0.0/24" a valid DHCP cidr).  Like
 * ovn-nbctl, a VIP or backend that fails to parse may also log a
 * "socket_util" error line on stderr before the command's error. */
#include "tools/nbctl-private.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"

/* ovn-nbctl's stderr shows its address parser's complaints under the
 * module name "socket_util" and its connection target warnings under
 * "nbctl"; one file has one LOG_MODULE(), so these two are registered by
 * hand to print the same lines. */
static struct log_module socket_util_log = { .name = "socket_util" };
static struct log_module nbctl_log = { .name = "nbctl" };

static void nbctl_lb_register_logs(void) __attribute__((constructor));
static void
nbctl_lb_register_logs(void)
{
    log_module_register(&socket_util_log);
    log_module_register(&nbctl_log);
}

/* ------------------------------------------------------------------ */
/* Addresses: "IP", "IP:PORT", "[IPv6]", "[IPv6]:PORT". */

/* A load balancer VIP or backend. */
struct lb_endpoint {
    int family;                 /* AF_INET or AF_INET6. */
    union {
        struct in_addr ip4;     /* AF_INET. */
        struct in6_addr ip6;    /* AF_INET6. */
    };
    int port;                   /* 1...65535, or 0 for none. */
};

/* Parses 's' as a port number: optional blanks and sign, decimal digits,
 * 0...65535.  An empty string is port 0. */
static bool
parse_port(const char *s, int *port)
{
    if (!*s) {
        *port = 0;
        return true;
    }
    char *end;
    errno = 0;
    long value = strtol(s, &end, 10);
    if (errno || end == s || *end || value < 0 || value > 65535) {
        return false;
    }
    *port = value;
    return true;
}

/* Parses 's' into 'ep' the way ovn-nbctl reads a VIP or backend.  Uses
 * the system's inet_pton(), as ovn-nbctl does, so that both accept the
 * same addresses.  Logs, as ovn-nbctl does, a bad port number, and a bad
 * address unless it looked like IPv6.  Returns false on failure. */
static bool
lb_endpoint_parse(const char *s, struct lb_endpoint *ep)
{
    char *copy = xstrdup(s);
    char *host = copy;
    const char *port_s = NULL;
    bool ok = false;

    if (copy[0] == '[') {
        host = copy + 1;
        char *close = strchr(host, ']');
        if (close) {
            *close = '\0';
            const char *rest = close + 1;
            if (*rest == ':') {
                port_s = rest + 1;
            } else if (*rest) {
                goto out;
            }
        }
    } else {
        char *colon = strchr(copy, ':');
        if (colon && !strchr(colon + 1, ':')) {
            *colon = '\0';
            port_s = colon + 1;
        }
    }

    memset(ep, 0, sizeof *ep);
    if (port_s && !parse_port(port_s, &ep->port)) {
        log_write(&socket_util_log, LOG_LEVEL_ERR,
                  "%s: bad port number \"%s\"", s, port_s);
        goto out;
    }
    if (strchr(host, ':')) {
        ep->family = AF_INET6;
        ok = inet_pton(AF_INET6, host, &ep->ip6) == 1;
    } else {
        ep->family = AF_INET;
        ok = inet_pton(AF_INET, host, &ep->ip4) == 1;
        if (!ok) {
            log_write(&socket_util_log, LOG_LEVEL_ERR,
                      "%s: bad IP address \"%s\"", s, host);
        }
    }

out:
    free(copy);
    return ok;
}

/* Appends the address of 'ep' alone. */
static void
lb_endpoint_format_addr(const struct lb_endpoint *ep, struct ds *s)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(ep->family, ep->family == AF_INET ? (const void *) &ep->ip4
              : (const void *) &ep->ip6, buf, sizeof buf);
    ds_put_cstr(s, buf);
}

/* Appends 'ep' as ovn-nb(5) writes VIPs and backends: "IP", "IP:PORT",
 * "IPv6" or "[IPv6]:PORT". */
static void
lb_endpoint_format(const struct lb_endpoint *ep, struct ds *s)
{
    if (ep->port && ep->family == AF_INET6) {
        ds_put_char(s, '[');
        lb_endpoint_format_addr(ep, s);
        ds_put_format(s, "]:%d", ep->port);
    } else {
        lb_endpoint_format_addr(ep, s);
        if (ep->port) {
            ds_put_format(s, ":%d", ep->port);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Lookups. */

/* Looks up a load balancer by UUID, then by name, like nbctl_ls_lookup()
 * (see nbctl-private.h). */
static const struct idl_row *
lb_lookup(struct dbctl_context *ctx, const char *id, bool must_exist,
          int *error)
{
    return nbctl_lookup(ctx, "Load_Balancer", "load balancer",
                        "load balancers", id, must_exist, error);
}


/* The live rows of 'table' that the uuid set 'd' refers to (an array the
 * caller frees), in the order of 'd'. */
static const struct idl_row **
datum_rows(struct dbctl_context *ctx, const struct datum *d,
           const char *table_name, size_t *n)
{
    struct idl_table *table = dbctl_table(ctx, table_name);
    const struct idl_row **rows = xmalloc((d->n + 1) * sizeof *rows);
    *n = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct idl_row *ref = dbctl_row_by_uuid(ctx, table,
                                                      &d->keys[i].uuid);
        if (ref) {
            rows[(*n)++] = ref;
        }
    }
    return rows;
}

/* The live rows of 'table' that the uuid set 'column' of 'row' refers to
 * (an array the caller frees), in no particular order. */
static const struct idl_row **
referenced_rows(struct dbctl_context *ctx, const struct idl_row *row,
                const struct idl_column *column, const char *table_name,
                size_t *n)
{
    return datum_rows(ctx, dbctl_get(ctx, row, column), table_name, n);
}

/* The NB_Global row, or NULL; if 'create', inserts one if there is
 * none. */
static const struct idl_row *
nb_global(struct dbctl_context *ctx, bool create)
{
    struct idl_table *table = dbctl_table(ctx, "NB_Global");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    const struct idl_row *nb = n ? rows[0] : NULL;
    free(rows);
    if (!nb && create) {
        nb = dbctl_insert(ctx, table);
    }
    return nb;
}

/* ------------------------------------------------------------------ */
/* lb-add, lb-del, lb-list. */

static bool
is_lb_protocol(const char *s)
{
    return !strcmp(s, "tcp") || !strcmp(s, "udp") || !strcmp(s, "sctp");
}

/* Parses the comma-separated 'list' of backends of 'vip' and appends
 * their canonical form to 'out'.  Returns 0 or the error of dbctl_fail().
 */
static int
parse_backends(struct dbctl_context *ctx, const struct lb_endpoint *vip,
               const char *list, struct ds *out)
{
    static const char need_port[] = "%s: should be an IP address and a "
                                    "port number with : as a separator.";
    static const char need_ip[] = "%s: should be an IP address.";
    char *copy = xstrdup(list);
    char *save = NULL;
    int error = 0;

    for (char *tok = strtok_r(copy, ",", &save); tok && !error;
         tok = strtok_r(NULL, ",", &save)) {
        struct lb_endpoint ep;
        if (!lb_endpoint_parse(tok, &ep)) {
            error = dbctl_fail(ctx, vip->port ? need_port : need_ip, tok);
        } else if (ep.family != vip->family) {
            struct ds addr;
            ds_init(&addr);
            lb_endpoint_format_addr(vip, &addr);
            error = dbctl_fail(ctx, "%s: IP address family is different "
                               "from VIP %s.", tok, ds_cstr(&addr));
            ds_uninit(&addr);
        } else if (vip->port && !ep.port) {
            error = dbctl_fail(ctx, need_port, tok);
        } else if (!vip->port && ep.port) {
            error = dbctl_fail(ctx, need_ip, tok);
        } else {
            if (out->length) {
                ds_put_char(out, ',');
            }
            lb_endpoint_format(&ep, out);
        }
    }
    free(copy);
    return error;
}

/* [--may-exist | --add-duplicate | --reject | --event]
 * lb-add LB VIP[:PORT] IP[:PORT]... [PROTOCOL] */
static int
cmd_lb_add(struct dbctl_context *ctx, int argc, char **argv)
{
    bool may_exist = dbctl_has_option(ctx, "--may-exist");
    bool add_duplicate = dbctl_has_option(ctx, "--add-duplicate");
    bool reject = dbctl_has_option(ctx, "--reject");
    bool event = dbctl_has_option(ctx, "--event");
    const char *protocol = argc > 3 ? argv[3] : NULL;
    struct lb_endpoint vip;
    int error;

    if (reject && event) {
        return dbctl_fail(ctx, "--reject and --event can't specified at "
                          "the same time");
    }
    if (protocol && !is_lb_protocol(protocol)) {
        return dbctl_fail(ctx, "%s: protocol must be one of \"tcp\", "
                          "\"udp\",  or \"sctp\".", protocol);
    }
    if (!lb_endpoint_parse(argv[1], &vip)) {
        return dbctl_fail(ctx, "%s: should be an IP address (or an IP "
                          "address and a port number with : as a "
                          "separator).", argv[1]);
    }
    if (protocol && !vip.port) {
        return dbctl_fail(ctx, "Protocol is unnecessary when no port of vip "
                          "is given.");
    }

    struct ds vip_key, backends;
    ds_init(&vip_key);
    ds_init(&backends);
    lb_endpoint_format(&vip, &vip_key);
    error = parse_backends(ctx, &vip, argv[2], &backends);
    if (error) {
        goto out;
    }

    const struct idl_row *lb = NULL;
    if (!add_duplicate) {
        lb = lb_lookup(ctx, argv[0], false, &error);
        if (error) {
            goto out;
        }
    }
    const struct idl_column *vips = nbctl_col(ctx, "Load_Balancer", "vips");
    const struct idl_column *proto_col = nbctl_col(ctx, "Load_Balancer",
                                                   "protocol");
    if (lb) {
        if (dbctl_get_map_string(ctx, lb, vips, ds_cstr(&vip_key))
            && !may_exist) {
            error = dbctl_fail(ctx, "%s: a load balancer with this vip (%s) "
                               "already exists", argv[0], ds_cstr(&vip_key));
            goto out;
        }
        if (protocol) {
            dbctl_set_string(ctx, lb, proto_col, protocol);
        }
    } else {
        lb = dbctl_insert(ctx, dbctl_table(ctx, "Load_Balancer"));
        dbctl_set_string(ctx, lb, nbctl_col(ctx, "Load_Balancer", "name"),
                         argv[0]);
        dbctl_set_string(ctx, lb, proto_col, protocol ? protocol : "tcp");
        if (reject || event) {
            dbctl_map_set_string(ctx, lb,
                                 nbctl_col(ctx, "Load_Balancer", "options"),
                                 reject ? "reject" : "event", "true");
        }
    }
    dbctl_map_set_string(ctx, lb, vips, ds_cstr(&vip_key),
                         ds_cstr(&backends));

out:
    ds_uninit(&vip_key);
    ds_uninit(&backends);
    return error;
}

/* [--if-exists] lb-del LB [VIP] */
static int
cmd_lb_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lb = lb_lookup(ctx, argv[0], false, &error);
    if (!lb) {
        /* ovn-nbctl 23.03 ignores a missing load balancer, --if-exists or
         * not. */
        return error;
    }
    if (argc < 2) {
        dbctl_delete(ctx, lb);
        return 0;
    }

    const struct idl_column *vips = nbctl_col(ctx, "Load_Balancer", "vips");
    if (!dbctl_get_map_string(ctx, lb, vips, argv[1])) {
        if (dbctl_has_option(ctx, "--if-exists")) {
            return 0;
        }
        return dbctl_fail(ctx, "vip %s is not part of the load balancer.",
                          argv[1]);
    }
    dbctl_map_remove_string(ctx, lb, vips, argv[1]);
    if (!dbctl_get(ctx, lb, vips)->n) {
        dbctl_delete(ctx, lb);
    }
    return 0;
}

/* Appends ovn-nbctl's load balancer table for 'lbs' ('n' rows, sorted
 * here by name) to the command's output: a heading if any has a VIP,
 * then a line per VIP that parses, the first one of each row headed by
 * its UUID and (truncated) name.  VIPs that do not parse are logged and
 * skipped, as ovn-nbctl does. */
static void
print_lbs(struct dbctl_context *ctx, const struct idl_row **lbs, size_t n)
{
    const struct idl_column *name = nbctl_col(ctx, "Load_Balancer", "name");
    const struct idl_column *vips = nbctl_col(ctx, "Load_Balancer", "vips");
    const struct idl_column *proto = nbctl_col(ctx, "Load_Balancer",
                                               "protocol");
    struct ds *out = dbctl_output(ctx);
    size_t width = 0;
    bool any = false;

    nbctl_sort_by_string(ctx, lbs, n, name);
    for (size_t i = 0; i < n; i++) {
        const struct datum *d = dbctl_get(ctx, lbs[i], vips);
        any = any || d->n;
        for (size_t j = 0; j < d->n; j++) {
            size_t len = strlen(d->keys[j].string);
            width = len > width ? len : width;
        }
    }
    if (!any) {
        return;
    }
    width += 4;
    ds_put_format(out, "%-40s%-20s%-11s%-*s%s\n", "UUID", "LB", "PROTO",
                  (int) width, "VIP", "IPs");

    for (size_t i = 0; i < n; i++) {
        const struct datum *d = dbctl_get(ctx, lbs[i], vips);
        if (!d->n) {
            continue;
        }
        const char *lb_name = dbctl_get_string(ctx, lbs[i], name);
        const char *lb_proto = dbctl_get_string(ctx, lbs[i], proto);
        for (size_t j = 0; j < d->n; j++) {
            struct lb_endpoint ep;
            if (!lb_endpoint_parse(d->keys[j].string, &ep)) {
                continue;
            }
            if (j == 0) {
                ds_put_format(out, UUID_FMT "    %-20.16s",
                              UUID_ARGS(idl_row_uuid(lbs[i])),
                              lb_name ? lb_name : "");
            } else {
                ds_put_format(out, "\n%60s", "");
            }
            ds_put_format(out, "%-11s%-*s%s",
                          !ep.port ? "" : lb_proto ? lb_proto : "(null)",
                          (int) width, d->keys[j].string,
                          d->values[j].string);
        }
        ds_put_char(out, '\n');
    }
}

/* lb-list [LB]: every load balancer, or those named LB. */
static int
cmd_lb_list(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Load_Balancer");
    const struct idl_column *name = dbctl_column(table, "name");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = dbctl_get_string(ctx, rows[i], name);
        if (argc < 1 || !strcmp(s ? s : "", argv[0])) {
            rows[k++] = rows[i];
        }
    }
    print_lbs(ctx, rows, k);
    free(rows);
    return 0;
}

/* ------------------------------------------------------------------ */
/* ls-lb-* and lr-lb-*: the two differ only in the table and wording. */

/* One of the two kinds of datapath that load balancers attach to. */
struct lb_owner {
    const char *table;          /* "Logical_Switch" or "Logical_Router". */
    const char *what;           /* "logical switch" or "logical router". */
    const struct idl_row *(*lookup)(struct dbctl_context *, const char *,
                                    bool must_exist, int *error);
};

static const struct lb_owner ls_owner = {
    "Logical_Switch", "logical switch", nbctl_ls_lookup,
};
static const struct lb_owner lr_owner = {
    "Logical_Router", "logical router", nbctl_lr_lookup,
};

static int
owner_lb_add(struct dbctl_context *ctx, const struct lb_owner *owner,
             char **argv)
{
    int error;
    const struct idl_row *dp = owner->lookup(ctx, argv[0], true, &error);
    if (!dp) {
        return error;
    }
    const struct idl_row *lb = lb_lookup(ctx, argv[1], true, &error);
    if (!lb) {
        return error;
    }
    const struct idl_column *col = nbctl_col(ctx, owner->table,
                                             "load_balancer");
    union atom key = { .uuid = *idl_row_uuid(lb) };
    if (datum_find_key(nbctl_ref_view(ctx, dp, col), &key, DB_TYPE_UUID)
        != SIZE_MAX) {
        if (dbctl_has_option(ctx, "--may-exist")) {
            return 0;
        }
        return dbctl_fail(ctx, UUID_FMT " : a load balancer with this UUID "
                          "already exists", UUID_ARGS(idl_row_uuid(lb)));
    }
    dbctl_set_add_uuid(ctx, dp, col, lb);
    return 0;
}

static int
owner_lb_del(struct dbctl_context *ctx, const struct lb_owner *owner,
             int argc, char **argv)
{
    int error;
    const struct idl_row *dp = owner->lookup(ctx, argv[0], true, &error);
    if (!dp) {
        return error;
    }
    const struct idl_column *col = nbctl_col(ctx, owner->table,
                                             "load_balancer");
    if (argc < 2) {
        nbctl_ref_clear(ctx, dp, col);
        return 0;
    }

    const struct idl_row *lb = lb_lookup(ctx, argv[1], true, &error);
    if (!lb) {
        return error;
    }
    union atom key = { .uuid = *idl_row_uuid(lb) };
    if (datum_find_key(nbctl_ref_view(ctx, dp, col), &key, DB_TYPE_UUID)
        == SIZE_MAX) {
        if (dbctl_has_option(ctx, "--if-exists")) {
            return 0;
        }
        const char *name = dbctl_get_string(
            ctx, lb, nbctl_col(ctx, "Load_Balancer", "name"));
        return dbctl_fail(ctx, "load balancer %s is not part of any %s.",
                          name ? name : "", owner->what);
    }
    dbctl_set_remove_uuid(ctx, dp, col, lb);
    return 0;
}

static int
owner_lb_list(struct dbctl_context *ctx, const struct lb_owner *owner,
              char **argv)
{
    int error;
    const struct idl_row *dp = owner->lookup(ctx, argv[0], true, &error);
    if (!dp) {
        return error;
    }
    size_t n;
    const struct idl_row **lbs = datum_rows(
        ctx, nbctl_ref_view(ctx, dp, nbctl_col(ctx, owner->table,
                                                "load_balancer")),
        "Load_Balancer", &n);
    print_lbs(ctx, lbs, n);
    free(lbs);
    return 0;
}

/* [--may-exist] ls-lb-add SWITCH LB */
static int
cmd_ls_lb_add(struct dbctl_context *ctx, int argc, char **argv)
{
    return owner_lb_add(ctx, &ls_owner, argv);
}

/* [--if-exists] ls-lb-del SWITCH [LB] */
static int
cmd_ls_lb_del(struct dbctl_context *ctx, int argc, char **argv)
{
    return owner_lb_del(ctx, &ls_owner, argc, argv);
}

/* ls-lb-list SWITCH */
static int
cmd_ls_lb_list(struct dbctl_context *ctx, int argc, char **argv)
{
    return owner_lb_list(ctx, &ls_owner, argv);
}

/* [--may-exist] lr-lb-add ROUTER LB */
static int
cmd_lr_lb_add(struct dbctl_context *ctx, int argc, char **argv)
{
    return owner_lb_add(ctx, &lr_owner, argv);
}

/* [--if-exists] lr-lb-del ROUTER [LB] */
static int
cmd_lr_lb_del(struct dbctl_context *ctx, int argc, char **argv)
{
    return owner_lb_del(ctx, &lr_owner, argc, argv);
}

/* lr-lb-list ROUTER */
static int
cmd_lr_lb_list(struct dbctl_context *ctx, int argc, char **argv)
{
    return owner_lb_list(ctx, &lr_owner, argv);
}

/* ------------------------------------------------------------------ */
/* DHCP options. */

/* Skips blanks, then reads an optional sign and decimal digits the way
 * scanf()'s %u does (a minus sign negates modulo 2**64, overflow
 * saturates), advancing '*s'.  Returns false if there are no digits. */
static bool
scan_unsigned(const char **s, unsigned long long *value)
{
    const char *p = *s;
    while (isspace((unsigned char) *p)) {
        p++;
    }
    if (!isdigit((unsigned char) p[*p == '+' || *p == '-'])) {
        return false;
    }
    char *end;
    errno = 0;
    *value = strtoull(p, &end, 10);
    *s = end;
    return true;
}

/* Scans "N.N.N.N" as scanf("%hhu.%hhu.%hhu.%hhu") would (each number
 * truncated to 8 bits) into 'ip' (network byte order). */
static bool
scan_ip4(const char **s, uint32_t *ip)
{
    uint8_t bytes[4];
    for (int i = 0; i < 4; i++) {
        unsigned long long v;
        if (i && *(*s)++ != '.') {
            return false;
        }
        if (!scan_unsigned(s, &v)) {
            return false;
        }
        bytes[i] = v;
    }
    memcpy(ip, bytes, 4);
    return true;
}

/* Scans optional blanks and then up to INET6_ADDRSTRLEN - 1 characters of
 * IPv6 address syntax (hex digits, ':' and '.') and parses them into
 * 'ip6', advancing '*s'. */
static bool
scan_ip6(const char **s, struct in6_addr *ip6)
{
    char buf[INET6_ADDRSTRLEN];
    const char *p = *s;
    size_t n = 0;
    while (isspace((unsigned char) *p)) {
        p++;
    }
    while (n < sizeof buf - 1
           && (isxdigit((unsigned char) p[n]) || p[n] == ':'
               || p[n] == '.')) {
        n++;
    }
    if (!n) {
        return false;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    *s = p + n;
    return inet_pton(AF_INET6, buf, ip6) == 1;
}

/* Whether the 'n' bytes at 'mask' are a contiguous netmask: ones, then
 * zeros. */
static bool
is_cidr_mask(const uint8_t *mask, size_t n)
{
    size_t i = 0;
    while (i < n && mask[i] == 0xff) {
        i++;
    }
    if (i < n) {
        /* The host part of a partial byte, ~b, must be 0...01...1. */
        uint8_t host = ~mask[i++];
        if (host & (uint8_t) (host + 1)) {
            return false;
        }
    }
    for (; i < n; i++) {
        if (mask[i]) {
            return false;
        }
    }
    return true;
}

/* Whether what follows '/' in a cidr, 'p', is a prefix length up to
 * 'max_plen' or a contiguous mask of the family 'max_plen' implies. */
static bool
dhcp_cidr_suffix_is_valid(const char *p, unsigned int max_plen)
{
    const char *q = p;
    unsigned long long plen;
    if (scan_unsigned(&q, &plen) && !*q) {
        return (unsigned int) plen <= max_plen;
    }
    q = p;
    if (max_plen == 32) {
        uint32_t mask;
        return scan_ip4(&q, &mask) && !*q
               && is_cidr_mask((const uint8_t *) &mask, 4);
    } else {
        struct in6_addr mask;
        return scan_ip6(&q, &mask) && !*q
               && is_cidr_mask(mask.s6_addr, 16);
    }
}

/* Whether 's' is a cidr that dhcp-options-create accepts: "IP", "IP/PLEN"
 * or "IP/MASK", IPv4 or IPv6, with ovn-nbctl's scanf-based leniency (the
 * IPv4 numbers and the prefix length may have blanks and a sign before
 * them, IPv4 numbers wrap at 256). */
static bool
dhcp_cidr_is_valid(const char *s)
{
    const char *p = s;
    uint32_t ip4;
    if (scan_ip4(&p, &ip4)
        && (!*p || (*p == '/' && dhcp_cidr_suffix_is_valid(p + 1, 32)))) {
        return true;
    }
    struct in6_addr ip6;
    p = s;
    return (scan_ip6(&p, &ip6)
            && (!*p || (*p == '/' && dhcp_cidr_suffix_is_valid(p + 1,
                                                               128))));
}

/* Sets the string map 'column' of 'row' to the KEY=VALUE words in 'argv'
 * ('argc' of them); words without '=' are ignored, and the first of
 * several equal keys wins. */
static void
set_map_from_args(struct dbctl_context *ctx, const struct idl_row *row,
                  const struct idl_column *column, int argc, char **argv)
{
    const struct db_type *type = &idl_column_schema(column)->type;
    struct datum d;
    datum_init_alloc(&d, argc, true);
    d.n = 0;
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq) {
            continue;
        }
        char *key = xmemdup0(argv[i], eq - argv[i]);
        bool dup = false;
        for (size_t j = 0; j < d.n && !dup; j++) {
            dup = !strcmp(d.keys[j].string, key);
        }
        if (dup) {
            free(key);
            continue;
        }
        d.keys[d.n].string = key;
        d.values[d.n].string = xstrdup(eq + 1);
        d.n++;
    }
    struct db_error *error = datum_sort_unique(&d, type);
    ASSERT(!error);             /* The keys are unique. */
    dbctl_set(ctx, row, column, &d);
}

/* Looks up a DHCP_Options row by full UUID; fails the command if there is
 * none. */
static const struct idl_row *
dhcp_lookup(struct dbctl_context *ctx, const char *id, int *error)
{
    struct uuid uuid;
    const struct idl_row *row = NULL;
    if (uuid_from_string(&uuid, id)) {
        row = dbctl_row_by_uuid(ctx, dbctl_table(ctx, "DHCP_Options"),
                                &uuid);
    }
    *error = row ? 0 : dbctl_fail(ctx, "%s: dhcp options UUID not found",
                                  id);
    return row;
}

/* dhcp-options-create CIDR [KEY=VALUE]... */
static int
cmd_dhcp_options_create(struct dbctl_context *ctx, int argc, char **argv)
{
    if (!dhcp_cidr_is_valid(argv[0])) {
        return dbctl_fail(ctx, "Invalid cidr format '%s'", argv[0]);
    }
    struct idl_table *table = dbctl_table(ctx, "DHCP_Options");
    const struct idl_row *row = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, row, dbctl_column(table, "cidr"), argv[0]);
    if (argc > 1) {
        set_map_from_args(ctx, row, dbctl_column(table, "external_ids"),
                          argc - 1, argv + 1);
    }
    return 0;
}

/* dhcp-options-del UUID */
static int
cmd_dhcp_options_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *row = dhcp_lookup(ctx, argv[0], &error);
    if (row) {
        dbctl_delete(ctx, row);
    }
    return error;
}

static int
compare_rows_by_uuid(const void *a_, const void *b_)
{
    const struct idl_row *const *a = a_, *const *b = b_;
    return uuid_compare(idl_row_uuid(*a), idl_row_uuid(*b));
}

/* dhcp-options-list: one UUID a line, in UUID order. */
static int
cmd_dhcp_options_list(struct dbctl_context *ctx, int argc, char **argv)
{
    size_t n;
    const struct idl_row **rows = dbctl_rows(
        ctx, dbctl_table(ctx, "DHCP_Options"), &n);
    qsort(rows, n, sizeof *rows, compare_rows_by_uuid);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(dbctl_output(ctx), UUID_FMT "\n",
                      UUID_ARGS(idl_row_uuid(rows[i])));
    }
    free(rows);
    return 0;
}

/* dhcp-options-set-options UUID [KEY=VALUE]... */
static int
cmd_dhcp_options_set_options(struct dbctl_context *ctx, int argc,
                             char **argv)
{
    int error;
    const struct idl_row *row = dhcp_lookup(ctx, argv[0], &error);
    if (row) {
        set_map_from_args(ctx, row,
                          nbctl_col(ctx, "DHCP_Options", "options"),
                          argc - 1, argv + 1);
    }
    return error;
}


/* dhcp-options-get-options UUID: KEY=VALUE lines, in ovn-nbctl's order. */
static int
cmd_dhcp_options_get_options(struct dbctl_context *ctx, int argc,
                             char **argv)
{
    int error;
    const struct idl_row *row = dhcp_lookup(ctx, argv[0], &error);
    if (row) {
        const struct datum *d = dbctl_get(
            ctx, row, nbctl_col(ctx, "DHCP_Options", "options"));
        size_t *order = xcalloc(d->n + 1, sizeof *order);
        nbctl_smap_order(d->keys, d->n, order);
        for (size_t i = 0; i < d->n; i++) {
            ds_put_format(dbctl_output(ctx), "%s=%s\n",
                          d->keys[order[i]].string,
                          d->values[order[i]].string);
        }
        free(order);
    }
    return error;
}

/* ------------------------------------------------------------------ */
/* Connections and SSL. */

/* get-connection: the targets of NB_Global's connections, sorted. */
static int
cmd_get_connection(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *nb = nb_global(ctx, false);
    if (!nb) {
        return 0;
    }
    size_t n;
    const struct idl_row **rows = referenced_rows(
        ctx, nb, nbctl_col(ctx, "NB_Global", "connections"), "Connection",
        &n);
    const struct idl_column *target = nbctl_col(ctx, "Connection",
                                                "target");
    nbctl_sort_by_string(ctx, rows, n, target);
    for (size_t i = 0; i < n; i++) {
        const char *s = dbctl_get_string(ctx, rows[i], target);
        ds_put_format(dbctl_output(ctx), "%s\n", s ? s : "");
    }
    free(rows);
    return 0;
}

/* Deletes every connection of 'nb' and empties its "connections". */
static void
delete_connections(struct dbctl_context *ctx, const struct idl_row *nb)
{
    const struct idl_column *col = nbctl_col(ctx, "NB_Global",
                                             "connections");
    size_t n;
    const struct idl_row **rows = referenced_rows(ctx, nb, col,
                                                  "Connection", &n);
    for (size_t i = 0; i < n; i++) {
        dbctl_delete(ctx, rows[i]);
    }
    free(rows);
    struct datum empty;
    datum_init_empty(&empty);
    dbctl_set(ctx, nb, col, &empty);
}

/* del-connection */
static int
cmd_del_connection(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *nb = nb_global(ctx, false);
    if (nb) {
        delete_connections(ctx, nb);
    }
    return 0;
}

/* Whether 'target' names a stream or listener type that OVSDB servers
 * know (ovsdb-server(1) "--remote"). */
static bool
is_known_target(const char *target)
{
    static const char *const prefixes[] = {
        "tcp:", "ssl:", "unix:", "ptcp:", "pssl:", "punix:",
    };
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
        if (!strncmp(target, prefixes[i], strlen(prefixes[i]))) {
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
    const struct idl_row *nb = nb_global(ctx, true);
    struct idl_table *table = dbctl_table(ctx, "Connection");

    for (int i = 0; i < argc; i++) {
        if (!is_known_target(argv[i])) {
            log_write(&nbctl_log, LOG_LEVEL_WARN,
                      "target type \"%s\" is possibly erroneous", argv[i]);
        }
    }
    delete_connections(ctx, nb);
    for (int i = 0; i < argc; i++) {
        const struct idl_row *row = dbctl_insert(ctx, table);
        dbctl_set_string(ctx, row, dbctl_column(table, "target"), argv[i]);
        if (probe) {
            /* Like atoll(): leading digits, else 0; saturating. */
            dbctl_set_integer(ctx, row,
                              dbctl_column(table, "inactivity_probe"),
                              strtoll(probe, NULL, 10));
        }
        dbctl_set_add_uuid(ctx, nb,
                           nbctl_col(ctx, "NB_Global", "connections"), row);
    }
    return 0;
}

/* The SSL row of NB_Global, or NULL. */
static const struct idl_row *
nb_ssl(struct dbctl_context *ctx, const struct idl_row *nb)
{
    const struct datum *d = dbctl_get(ctx, nb,
                                      nbctl_col(ctx, "NB_Global", "ssl"));
    return d->n ? dbctl_row_by_uuid(ctx, dbctl_table(ctx, "SSL"),
                                    &d->keys[0].uuid) : NULL;
}

/* get-ssl */
static int
cmd_get_ssl(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *nb = nb_global(ctx, false);
    const struct idl_row *ssl = nb ? nb_ssl(ctx, nb) : NULL;
    if (ssl) {
        struct idl_table *t = dbctl_table(ctx, "SSL");
        const char *key = dbctl_get_string(ctx, ssl,
                                           dbctl_column(t, "private_key"));
        const char *cert = dbctl_get_string(ctx, ssl,
                                            dbctl_column(t, "certificate"));
        const char *ca = dbctl_get_string(ctx, ssl,
                                          dbctl_column(t, "ca_cert"));
        bool bootstrap = dbctl_get_boolean(
            ctx, ssl, dbctl_column(t, "bootstrap_ca_cert"), false);
        ds_put_format(dbctl_output(ctx),
                      "Private key: %s\nCertificate: %s\n"
                      "CA Certificate: %s\nBootstrap: %s\n",
                      key ? key : "", cert ? cert : "", ca ? ca : "",
                      bootstrap ? "true" : "false");
    }
    return 0;
}

/* Deletes the SSL row of 'nb', if any, and empties its "ssl". */
static void
delete_ssl(struct dbctl_context *ctx, const struct idl_row *nb)
{
    const struct idl_row *ssl = nb_ssl(ctx, nb);
    if (ssl) {
        dbctl_delete(ctx, ssl);
    }
    dbctl_set_uuid(ctx, nb, nbctl_col(ctx, "NB_Global", "ssl"), NULL);
}

/* del-ssl */
static int
cmd_del_ssl(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *nb = nb_global(ctx, false);
    if (nb) {
        delete_ssl(ctx, nb);
    }
    return 0;
}

/* [--bootstrap] set-ssl PRIV-KEY CERT CA-CERT [PROTOS [CIPHERS]] */
static int
cmd_set_ssl(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *nb = nb_global(ctx, true);
    struct idl_table *t = dbctl_table(ctx, "SSL");

    delete_ssl(ctx, nb);
    const struct idl_row *ssl = dbctl_insert(ctx, t);
    dbctl_set_string(ctx, ssl, dbctl_column(t, "private_key"), argv[0]);
    dbctl_set_string(ctx, ssl, dbctl_column(t, "certificate"), argv[1]);
    dbctl_set_string(ctx, ssl, dbctl_column(t, "ca_cert"), argv[2]);
    dbctl_set_boolean(ctx, ssl, dbctl_column(t, "bootstrap_ca_cert"),
                      dbctl_has_option(ctx, "--bootstrap"));
    if (argc > 3) {
        dbctl_set_string(ctx, ssl, dbctl_column(t, "ssl_protocols"),
                         argv[3]);
    }
    if (argc > 4) {
        dbctl_set_string(ctx, ssl, dbctl_column(t, "ssl_ciphers"), argv[4]);
    }
    dbctl_set_uuid(ctx, nb, nbctl_col(ctx, "NB_Global", "ssl"),
                   idl_row_uuid(ssl));
    return 0;
}

const struct dbctl_command nbctl_lb_commands[] = {
    /* ovn-nbctl 23.03 takes, and ignores, a fifth argument. */
    { "lb-add", 3, 5, "--may-exist,--add-duplicate,--reject,--event",
      cmd_lb_add },
    { "lb-del", 1, 2, "--if-exists", cmd_lb_del },
    { "lb-list", 0, 1, NULL, cmd_lb_list },
    { "ls-lb-add", 2, 2, "--may-exist", cmd_ls_lb_add },
    { "ls-lb-del", 1, 2, "--if-exists", cmd_ls_lb_del },
    { "ls-lb-list", 1, 1, NULL, cmd_ls_lb_list },
    { "lr-lb-add", 2, 2, "--may-exist", cmd_lr_lb_add },
    { "lr-lb-del", 1, 2, "--if-exists", cmd_lr_lb_del },
    { "lr-lb-list", 1, 1, NULL, cmd_lr_lb_list },
    { "dhcp-options-create", 1, INT_MAX, NULL, cmd_dhcp_options_create },
    { "dhcp-options-del", 1, 1, NULL, cmd_dhcp_options_del },
    { "dhcp-options-list", 0, 0, NULL, cmd_dhcp_options_list },
    { "dhcp-options-set-options", 1, INT_MAX, NULL,
      cmd_dhcp_options_set_options },
    { "dhcp-options-get-options", 1, 1, NULL,
      cmd_dhcp_options_get_options },
    { "get-connection", 0, 0, NULL, cmd_get_connection },
    { "del-connection", 0, 0, NULL, cmd_del_connection },
    { "set-connection", 1, INT_MAX, "--inactivity-probe=",
      cmd_set_connection },
    { "get-ssl", 0, 0, NULL, cmd_get_ssl },
    { "del-ssl", 0, 0, NULL, cmd_del_ssl },
    { "set-ssl", 3, 5, "--bootstrap", cmd_set_ssl },
    { NULL, 0, 0, NULL, NULL },
};
