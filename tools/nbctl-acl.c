/* kiln-nbctl: the ACL family of commands (see nbctl-private.h): ACLs on
 * logical switches and port groups, QoS rules, port groups, meters,
 * control plane protection (CoPP) policies and mirrors.
 *
 * The behaviour copied is that of ovn-nbctl 23.03 as observed: its output
 * formats, list orders, messages and the order in which it checks its
 * arguments (ovn-nbctl(8), "ACL Commands" to "Mirror commands"). */
#include "tools/nbctl-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"

/* Argument parsing shared by the commands. */

/* Parses a decimal integer the lax way ovn-nbctl reads priorities, labels,
 * rates and bursts: leading white space and a sign allowed, anything after
 * the digits ignored, at least one digit required.  An overflow saturates
 * (so it fails any range check).  Returns false if there is no number. */
static bool
parse_lax_integer(const char *s, long long *value)
{
    char *end;
    errno = 0;
    *value = strtoll(s, &end, 10);
    return end != s;
}

/* Parses a decimal integer that must fill 's' (white space allowed before
 * it, not after) and fit a long long. */
static bool
parse_strict_integer(const char *s, long long *value)
{
    char *end;
    errno = 0;
    *value = strtoll(s, &end, 10);
    return end != s && !*end && !errno;
}

/* ovn-nbctl reads a direction by its first letter only: "t..." is
 * "to-lport", "f..." is "from-lport".  Returns NULL for anything else. */
static const char *
parse_direction(const char *s)
{
    return (s[0] == 't' ? "to-lport"
            : s[0] == 'f' ? "from-lport"
            : NULL);
}

static int
get_direction(struct dbctl_context *ctx, const char *s, const char **dir)
{
    *dir = parse_direction(s);
    if (!*dir) {
        return dbctl_fail(ctx, "%s: direction must be \"to-lport\" or "
                          "\"from-lport\"", s);
    }
    return 0;
}

static int
get_priority(struct dbctl_context *ctx, const char *s, long long *priority)
{
    if (!parse_lax_integer(s, priority) || *priority < 0
        || *priority > 32767) {
        return dbctl_fail(ctx, "%s: priority must in range 0...32767", s);
    }
    return 0;
}

/* Copies the UUIDs of the rows in 'rows' ('n') into a new set datum,
 * sorted and without duplicates, for dbctl_set() to take. */
static int
compare_uuids(const void *a_, const void *b_)
{
    const union atom *a = a_, *b = b_;
    return uuid_compare(&a->uuid, &b->uuid);
}

static struct datum *
uuid_set_datum(struct datum *datum, const struct idl_row **rows, size_t n)
{
    if (!n) {
        datum_init_empty(datum);
        return datum;
    }
    datum_init_alloc(datum, n, false);
    for (size_t i = 0; i < n; i++) {
        datum->keys[i].uuid = *idl_row_uuid(rows[i]);
    }
    qsort(datum->keys, n, sizeof *datum->keys, compare_uuids);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!k || !uuid_equals(&datum->keys[k - 1].uuid,
                               &datum->keys[i].uuid)) {
            datum->keys[k++] = datum->keys[i];
        }
    }
    datum->n = k;
    return datum;
}


/* The live rows of 'table' that the references in 'd' point to, in the
 * order of 'd' (by UUID), in a new array the caller frees. */
static const struct idl_row **
referenced_rows(struct dbctl_context *ctx, const struct datum *d,
                struct idl_table *table, size_t *n)
{
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

static const struct idl_row *
pg_lookup(struct dbctl_context *ctx, const char *id, bool must_exist,
          int *error)
{
    return nbctl_lookup(ctx, "Port_Group", "port group", NULL, id,
                        must_exist, error);
}

/* ACLs. */

/* Where acl-* commands work: a logical switch or a port group. */
struct acl_entity {
    const struct idl_row *row;       /* The switch or port group. */
    const struct idl_column *acls;   /* Its "acls" column. */
};

/* Resolves 'id' per --type, as ovn-nbctl(8) describes: without --type a
 * name may be either kind but not both. */
static int
acl_entity_lookup(struct dbctl_context *ctx, const char *id,
                  struct acl_entity *entity)
{
    const char *type = dbctl_option(ctx, "--type");
    bool want_ls = true, want_pg = true;
    int error;

    if (type) {
        if (!strcmp(type, "switch")) {
            want_pg = false;
        } else if (!strcmp(type, "port-group")) {
            want_ls = false;
        } else {
            return dbctl_fail(ctx, "Invalid value '%s' for option --type",
                              type);
        }
    }

    const struct idl_row *pg = NULL, *ls = NULL;
    if (want_pg) {
        pg = pg_lookup(ctx, id, !want_ls, &error);
        if (error) {
            return error;
        }
    }
    if (want_ls) {
        ls = nbctl_ls_lookup(ctx, id, !want_pg, &error);
        if (error) {
            return error;
        }
    }
    if (pg && ls) {
        return dbctl_fail(ctx, "Same name '%s' exists in both port-groups "
                          "and logical switches. Specify --type=port-group "
                          "or switch, or use a UUID.", id);
    }
    if (!pg && !ls) {
        return dbctl_fail(ctx, "'%s' is not found for port-group or "
                          "switch.", id);
    }
    entity->row = pg ? pg : ls;
    entity->acls = nbctl_col(ctx, pg ? "Port_Group" : "Logical_Switch",
                             "acls");
    return 0;
}

/* The fields of an ACL that acl-list sorts and acl-add compares by. */
struct acl_item {
    const struct idl_row *row;  /* The ACL. */
    const char *direction;      /* "from-lport" or "to-lport". */
    long long priority;         /* 0...32767. */
    const char *match;          /* Match expression. */
    bool after_lb;              /* options:apply-after-lb is true. */
};

static bool
acl_after_lb(struct dbctl_context *ctx, const struct idl_row *acl)
{
    const char *v = dbctl_get_map_string(ctx, acl,
                                         nbctl_col(ctx, "ACL", "options"),
                                         "apply-after-lb");
    return v && !strcasecmp(v, "true");
}

/* The ACLs of 'entity' as items, in a new array the caller frees. */
static struct acl_item *
acl_items(struct dbctl_context *ctx, const struct acl_entity *entity,
          size_t *n)
{
    struct idl_table *table = dbctl_table(ctx, "ACL");
    const struct idl_row **rows = referenced_rows(
        ctx, nbctl_ref_view(ctx, entity->row, entity->acls), table, n);
    struct acl_item *items = xcalloc(*n + 1, sizeof *items);
    for (size_t i = 0; i < *n; i++) {
        const char *dir = dbctl_get_string(ctx, rows[i],
                                           dbctl_column(table, "direction"));
        const char *match = dbctl_get_string(ctx, rows[i],
                                             dbctl_column(table, "match"));
        items[i] = (struct acl_item) {
            .row = rows[i],
            .direction = dir ? dir : "",
            .priority = dbctl_get_integer(ctx, rows[i],
                                          dbctl_column(table, "priority"),
                                          0),
            .match = match ? match : "",
            .after_lb = acl_after_lb(ctx, rows[i]),
        };
    }
    free(rows);
    return items;
}

/* acl-list order: direction, then ACLs applied before the load balancer
 * stage, then priority (highest first), then match; UUID breaks ties. */
static int
compare_acl_items(const void *a_, const void *b_)
{
    const struct acl_item *a = a_, *b = b_;
    int cmp = strcmp(a->direction, b->direction);
    if (cmp) {
        return cmp;
    }
    if (a->after_lb != b->after_lb) {
        return a->after_lb ? 1 : -1;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    cmp = strcmp(a->match, b->match);
    return cmp ? cmp : uuid_compare(idl_row_uuid(a->row),
                                    idl_row_uuid(b->row));
}

static const char *const acl_severities[] = {
    "alert", "warning", "notice", "info", "debug",
};

static bool
is_acl_action(const char *action)
{
    static const char *const actions[] = {
        "allow", "allow-related", "allow-stateless", "drop", "reject",
    };
    for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
        if (!strcmp(action, actions[i])) {
            return true;
        }
    }
    return false;
}

/* Checks the arguments and options of acl-add, in ovn-nbctl's order. */
static int
acl_add_check(struct dbctl_context *ctx, char **argv, const char **dir,
              long long *priority, long long *label)
{
    int error = get_direction(ctx, argv[1], dir);
    if (!error) {
        error = get_priority(ctx, argv[2], priority);
    }
    if (error) {
        return error;
    }
    const char *action = argv[4];
    if (!is_acl_action(action)) {
        return dbctl_fail(ctx, "%s: action must be one of \"allow\", "
                          "\"allow-related\", \"allow-stateless\", "
                          "\"drop\", and \"reject\"", action);
    }
    const char *severity = dbctl_option(ctx, "--severity");
    if (severity) {
        size_t i;
        for (i = 0; i < ARRAY_SIZE(acl_severities); i++) {
            if (!strcmp(severity, acl_severities[i])) {
                break;
            }
        }
        if (i == ARRAY_SIZE(acl_severities)) {
            return dbctl_fail(ctx, "bad severity: %s", severity);
        }
    }
    const char *label_s = dbctl_option(ctx, "--label");
    if (label_s) {
        if (strcmp(action, "allow") && strcmp(action, "allow-related")) {
            return dbctl_fail(ctx, "label can only be set with actions "
                              "\"allow\" or \"allow-related\"");
        }
        if (!parse_lax_integer(label_s, label) || *label < 0
            || *label > 4294967295LL) {
            return dbctl_fail(ctx, "%s: label must in range "
                              "0...4294967295", label_s);
        }
    }
    return 0;
}

static int
cmd_acl_add(struct dbctl_context *ctx, int argc, char **argv)
{
    struct acl_entity entity;
    const char *dir;
    long long priority, label = -1;
    int error = acl_entity_lookup(ctx, argv[0], &entity);
    if (!error) {
        error = acl_add_check(ctx, argv, &dir, &priority, &label);
    }
    if (error) {
        return error;
    }
    /* apply-after-lb only means something for from-lport ACLs. */
    bool after_lb = (dbctl_has_option(ctx, "--apply-after-lb")
                     && !strcmp(dir, "from-lport"));

    size_t n;
    struct acl_item *items = acl_items(ctx, &entity, &n);
    bool exists = false;
    for (size_t i = 0; i < n && !exists; i++) {
        exists = (!strcmp(items[i].direction, dir)
                  && items[i].priority == priority
                  && !strcmp(items[i].match, argv[3])
                  && items[i].after_lb == after_lb);
    }
    free(items);
    if (exists) {
        if (dbctl_has_option(ctx, "--may-exist")) {
            return 0;
        }
        return dbctl_fail(ctx, "Same ACL already existed on the ls %s.",
                          argv[0]);
    }

    struct idl_table *table = dbctl_table(ctx, "ACL");
    const struct idl_row *acl = dbctl_insert(ctx, table);
    dbctl_set_integer(ctx, acl, dbctl_column(table, "priority"), priority);
    dbctl_set_string(ctx, acl, dbctl_column(table, "direction"), dir);
    dbctl_set_string(ctx, acl, dbctl_column(table, "match"), argv[3]);
    dbctl_set_string(ctx, acl, dbctl_column(table, "action"), argv[4]);

    const char *name = dbctl_option(ctx, "--name");
    const char *severity = dbctl_option(ctx, "--severity");
    const char *meter = dbctl_option(ctx, "--meter");
    if (dbctl_has_option(ctx, "--log") || name || severity || meter) {
        dbctl_set_boolean(ctx, acl, dbctl_column(table, "log"), true);
    }
    if (name) {
        dbctl_set_string(ctx, acl, dbctl_column(table, "name"), name);
    }
    if (severity) {
        dbctl_set_string(ctx, acl, dbctl_column(table, "severity"),
                         severity);
    }
    if (meter) {
        dbctl_set_string(ctx, acl, dbctl_column(table, "meter"), meter);
    }
    if (label >= 0) {
        dbctl_set_integer(ctx, acl, dbctl_column(table, "label"), label);
    }
    if (after_lb) {
        dbctl_map_set_string(ctx, acl, dbctl_column(table, "options"),
                             "apply-after-lb", "true");
    }
    dbctl_set_add_uuid(ctx, entity.row, entity.acls, acl);
    return 0;
}

static int
cmd_acl_del(struct dbctl_context *ctx, int argc, char **argv)
{
    struct acl_entity entity;
    int error = acl_entity_lookup(ctx, argv[0], &entity);
    if (error) {
        return error;
    }
    if (argc == 1) {
        nbctl_ref_clear(ctx, entity.row, entity.acls);
        return 0;
    }

    const char *dir;
    long long priority = 0;
    error = get_direction(ctx, argv[1], &dir);
    if (!error && argc > 2) {
        error = get_priority(ctx, argv[2], &priority);
        if (!error && argc == 3) {
            error = dbctl_fail(ctx, "cannot specify priority without match");
        }
    }
    if (error) {
        return error;
    }

    /* With a priority and match, only the first such ACL goes. */
    size_t n;
    struct acl_item *items = acl_items(ctx, &entity, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].direction, dir)) {
            continue;
        }
        if (argc == 2) {
            dbctl_set_remove_uuid(ctx, entity.row, entity.acls,
                                  items[i].row);
        } else if (items[i].priority == priority
                   && !strcmp(items[i].match, argv[3])) {
            dbctl_set_remove_uuid(ctx, entity.row, entity.acls,
                                  items[i].row);
            break;
        }
    }
    free(items);
    return 0;
}

/* Appends one acl-list line for 'acl'. */
static void
acl_format(struct dbctl_context *ctx, const struct acl_item *item,
           struct ds *out)
{
    struct idl_table *table = dbctl_table(ctx, "ACL");
    const struct idl_row *acl = item->row;
    const char *action = dbctl_get_string(ctx, acl,
                                          dbctl_column(table, "action"));

    ds_put_format(out, "%10s %5lld (%s) %s", item->direction,
                  item->priority, item->match, action ? action : "");
    if (dbctl_get_boolean(ctx, acl, dbctl_column(table, "log"), false)) {
        const char *name = dbctl_get_string(ctx, acl,
                                            dbctl_column(table, "name"));
        const char *severity = dbctl_get_string(
            ctx, acl, dbctl_column(table, "severity"));
        const char *meter = dbctl_get_string(ctx, acl,
                                             dbctl_column(table, "meter"));
        const char *sep = "";
        ds_put_cstr(out, " log(");
        if (name) {
            ds_put_format(out, "name=%s", name);
            sep = ",";
        }
        if (severity) {
            ds_put_format(out, "%sseverity=%s", sep, severity);
            sep = ",";
        }
        if (meter) {
            ds_put_format(out, "%smeter=\"%s\"", sep, meter);
        }
        ds_put_char(out, ')');
    }
    long long label = dbctl_get_integer(ctx, acl,
                                        dbctl_column(table, "label"), 0);
    if (label) {
        ds_put_format(out, " label=%lld", label);
    }
    if (item->after_lb) {
        ds_put_cstr(out, " [after-lb]");
    }
    ds_put_char(out, '\n');
}

static int
cmd_acl_list(struct dbctl_context *ctx, int argc, char **argv)
{
    struct acl_entity entity;
    int error = acl_entity_lookup(ctx, argv[0], &entity);
    if (error) {
        return error;
    }
    size_t n;
    struct acl_item *items = acl_items(ctx, &entity, &n);
    qsort(items, n, sizeof *items, compare_acl_items);
    for (size_t i = 0; i < n; i++) {
        acl_format(ctx, &items[i], dbctl_output(ctx));
    }
    free(items);
    return 0;
}

/* QoS rules. */

/* The fields of a QoS rule that qos-list sorts and qos-add compares by. */
struct qos_item {
    const struct idl_row *row;  /* The QoS row. */
    const char *direction;      /* "from-lport" or "to-lport". */
    long long priority;         /* 0...32767. */
    const char *match;          /* Match expression. */
};

/* The QoS rules of switch 'ls' as items, in a new array the caller
 * frees. */
static struct qos_item *
qos_items(struct dbctl_context *ctx, const struct idl_row *ls, size_t *n)
{
    struct idl_table *table = dbctl_table(ctx, "QoS");
    const struct idl_row **rows = referenced_rows(
        ctx, nbctl_ref_view(ctx, ls, nbctl_col(ctx, "Logical_Switch",
                                                "qos_rules")),
        table, n);
    struct qos_item *items = xcalloc(*n + 1, sizeof *items);
    for (size_t i = 0; i < *n; i++) {
        const char *dir = dbctl_get_string(ctx, rows[i],
                                           dbctl_column(table, "direction"));
        const char *match = dbctl_get_string(ctx, rows[i],
                                             dbctl_column(table, "match"));
        items[i] = (struct qos_item) {
            .row = rows[i],
            .direction = dir ? dir : "",
            .priority = dbctl_get_integer(ctx, rows[i],
                                          dbctl_column(table, "priority"),
                                          0),
            .match = match ? match : "",
        };
    }
    free(rows);
    return items;
}

static int
compare_qos_items(const void *a_, const void *b_)
{
    const struct qos_item *a = a_, *b = b_;
    int cmp = strcmp(a->direction, b->direction);
    if (cmp) {
        return cmp;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    cmp = strcmp(a->match, b->match);
    return cmp ? cmp : uuid_compare(idl_row_uuid(a->row),
                                    idl_row_uuid(b->row));
}

/* The optional "key=value" arguments of qos-add; -1 when absent. */
struct qos_args {
    long long dscp;             /* DSCP to mark with, 0...63. */
    long long rate;             /* Metering rate in kbps. */
    long long burst;            /* Metering burst in kilobits. */
};

static int
qos_parse_args(struct dbctl_context *ctx, int argc, char **argv,
               struct qos_args *args)
{
    *args = (struct qos_args) { -1, -1, -1 };
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        long long v;
        if (!strncmp(arg, "dscp=", 5)) {
            if (!parse_lax_integer(arg + 5, &v) || v < 0 || v > 63) {
                return dbctl_fail(ctx, "%s: dscp must be in the range "
                                  "0...63", arg + 5);
            }
            args->dscp = v;
        } else if (!strncmp(arg, "rate=", 5)) {
            if (!parse_lax_integer(arg + 5, &v) || v < 1
                || v > 4294967295LL) {
                return dbctl_fail(ctx, "%s: rate must be in the range "
                                  "1...4294967295", arg + 5);
            }
            args->rate = v;
        } else if (!strncmp(arg, "burst=", 6)) {
            if (!parse_lax_integer(arg + 6, &v) || v < 1
                || v > 4294967295LL) {
                return dbctl_fail(ctx, "%s: burst must be in the range "
                                  "1...4294967295", arg + 6);
            }
            args->burst = v;
        } else {
            return dbctl_fail(ctx, "%s: supported arguments are \"dscp=\", "
                              "\"rate=\", and \"burst=\"", arg);
        }
    }
    if (args->dscp < 0 && args->rate < 0) {
        return dbctl_fail(ctx, "Either \"rate\" and/or \"dscp\" must be "
                          "specified");
    }
    return 0;
}

static int
cmd_qos_add(struct dbctl_context *ctx, int argc, char **argv)
{
    const char *dir;
    long long priority;
    int error = get_direction(ctx, argv[1], &dir);
    if (!error) {
        error = get_priority(ctx, argv[2], &priority);
    }
    if (error) {
        return error;
    }
    const struct idl_row *ls = nbctl_ls_lookup(ctx, argv[0], true, &error);
    if (!ls) {
        return error;
    }
    struct qos_args args;
    error = qos_parse_args(ctx, argc - 4, argv + 4, &args);
    if (error) {
        return error;
    }

    size_t n;
    struct qos_item *items = qos_items(ctx, ls, &n);
    bool exists = false;
    for (size_t i = 0; i < n && !exists; i++) {
        exists = (!strcmp(items[i].direction, dir)
                  && items[i].priority == priority
                  && !strcmp(items[i].match, argv[3]));
    }
    free(items);
    if (exists) {
        if (dbctl_has_option(ctx, "--may-exist")) {
            return 0;
        }
        return dbctl_fail(ctx, "Same qos already existed on the ls %s.",
                          argv[0]);
    }

    struct idl_table *table = dbctl_table(ctx, "QoS");
    const struct idl_row *qos = dbctl_insert(ctx, table);
    dbctl_set_integer(ctx, qos, dbctl_column(table, "priority"), priority);
    dbctl_set_string(ctx, qos, dbctl_column(table, "direction"), dir);
    dbctl_set_string(ctx, qos, dbctl_column(table, "match"), argv[3]);
    if (args.dscp >= 0) {
        union atom k = { .string = "dscp" }, v = { .integer = args.dscp };
        dbctl_map_set(ctx, qos, dbctl_column(table, "action"), &k, &v);
    }
    /* A burst without a rate is ignored. */
    const struct idl_column *bw = dbctl_column(table, "bandwidth");
    if (args.rate >= 0) {
        union atom k = { .string = "rate" }, v = { .integer = args.rate };
        dbctl_map_set(ctx, qos, bw, &k, &v);
    }
    if (args.rate >= 0 && args.burst >= 0) {
        union atom k = { .string = "burst" }, v = { .integer = args.burst };
        dbctl_map_set(ctx, qos, bw, &k, &v);
    }
    dbctl_set_add_uuid(ctx, ls, nbctl_col(ctx, "Logical_Switch",
                                          "qos_rules"), qos);
    return 0;
}

/* Removes the QoS rule 'id' (a UUID) from switch 'ls'. */
static int
qos_del_uuid(struct dbctl_context *ctx, const struct idl_row *ls,
             const struct uuid *uuid)
{
    const struct idl_column *rules = nbctl_col(ctx, "Logical_Switch",
                                               "qos_rules");
    union atom key = { .uuid = *uuid };
    if (datum_find_key(nbctl_ref_view(ctx, ls, rules), &key, DB_TYPE_UUID)
        == SIZE_MAX) {
        return dbctl_fail(ctx, "uuid is not found");
    }
    dbctl_set_remove(ctx, ls, rules, &key);
    return 0;
}

static int
cmd_qos_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *ls = nbctl_ls_lookup(ctx, argv[0], true, &error);
    if (!ls) {
        return error;
    }
    const struct idl_column *rules = nbctl_col(ctx, "Logical_Switch",
                                               "qos_rules");
    if (argc == 1) {
        nbctl_ref_clear(ctx, ls, rules);
        return 0;
    }
    struct uuid uuid;
    if (uuid_from_string(&uuid, argv[1])) {
        if (argc > 2) {
            return dbctl_fail(ctx, "uuid must be the only argument");
        }
        return qos_del_uuid(ctx, ls, &uuid);
    }

    const char *dir;
    long long priority = 0;
    error = get_direction(ctx, argv[1], &dir);
    if (!error && argc > 2) {
        error = get_priority(ctx, argv[2], &priority);
        if (!error && argc == 3) {
            error = dbctl_fail(ctx, "cannot specify priority without match");
        }
    }
    if (error) {
        return error;
    }
    size_t n;
    struct qos_item *items = qos_items(ctx, ls, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].direction, dir)) {
            continue;
        }
        if (argc == 2) {
            dbctl_set_remove_uuid(ctx, ls, rules, items[i].row);
        } else if (items[i].priority == priority
                   && !strcmp(items[i].match, argv[3])) {
            dbctl_set_remove_uuid(ctx, ls, rules, items[i].row);
            break;
        }
    }
    free(items);
    return 0;
}

/* The integer value of 'key' in the string-to-integer map 'd', or -1. */
static long long
map_integer(const struct datum *d, const char *key)
{
    union atom k = { .string = (char *) key };
    size_t i = datum_find_key(d, &k, DB_TYPE_STRING);
    return i == SIZE_MAX ? -1 : d->values[i].integer;
}

static int
cmd_qos_list(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *ls = nbctl_ls_lookup(ctx, argv[0], true, &error);
    if (!ls) {
        return error;
    }
    struct idl_table *table = dbctl_table(ctx, "QoS");
    struct ds *out = dbctl_output(ctx);
    size_t n;
    struct qos_item *items = qos_items(ctx, ls, &n);
    qsort(items, n, sizeof *items, compare_qos_items);
    for (size_t i = 0; i < n; i++) {
        const struct datum *bw = dbctl_get(ctx, items[i].row,
                                           dbctl_column(table, "bandwidth"));
        const struct datum *action = dbctl_get(ctx, items[i].row,
                                               dbctl_column(table,
                                                            "action"));
        long long rate = map_integer(bw, "rate");
        long long burst = map_integer(bw, "burst");
        long long dscp = map_integer(action, "dscp");

        ds_put_format(out, "%10s %5lld (%s)", items[i].direction,
                      items[i].priority, items[i].match);
        if (rate >= 0) {
            ds_put_format(out, " rate=%lld", rate);
        }
        if (burst >= 0) {
            ds_put_format(out, " burst=%lld", burst);
        }
        if (dscp >= 0) {
            ds_put_format(out, " dscp=%lld", dscp);
        }
        ds_put_char(out, '\n');
    }
    free(items);
    return 0;
}

/* Port groups. */

/* Sets the "ports" of port group 'pg' to the switch ports named by 'argv'
 * ('argc' of them), which must all exist. */
static int
pg_set_ports(struct dbctl_context *ctx, const struct idl_row *pg,
             int argc, char **argv)
{
    const struct idl_row **ports = xcalloc(argc + 1, sizeof *ports);
    for (int i = 0; i < argc; i++) {
        int error;
        ports[i] = nbctl_lsp_lookup(ctx, argv[i], true, &error);
        if (!ports[i]) {
            free(ports);
            return error;
        }
    }
    struct datum d;
    dbctl_set(ctx, pg, nbctl_col(ctx, "Port_Group", "ports"),
              uuid_set_datum(&d, ports, argc));
    free(ports);
    return 0;
}

static int
cmd_pg_add(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Port_Group");
    const struct idl_row *pg = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, pg, dbctl_column(table, "name"), argv[0]);
    return argc > 1 ? pg_set_ports(ctx, pg, argc - 1, argv + 1) : 0;
}

static int
cmd_pg_set_ports(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *pg = pg_lookup(ctx, argv[0], true, &error);
    return pg ? pg_set_ports(ctx, pg, argc - 1, argv + 1) : error;
}

static int
cmd_pg_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *pg = pg_lookup(ctx, argv[0], true, &error);
    if (!pg) {
        return error;
    }
    dbctl_delete(ctx, pg);
    return 0;
}

/* Meters. */

static int
meter_add_check(struct dbctl_context *ctx, int argc, char **argv,
                long long *rate, long long *burst)
{
    if (!strncmp(argv[0], "__", 2)) {
        return dbctl_fail(ctx, "meter names that begin with \"__\" are "
                          "reserved");
    }
    if (strcmp(argv[1], "drop")) {
        return dbctl_fail(ctx, "action must be \"drop\"");
    }
    if (!parse_lax_integer(argv[2], rate) || *rate < 1
        || *rate > 4294967295LL) {
        return dbctl_fail(ctx, "rate must be in the range 1...4294967295");
    }
    if (strcmp(argv[3], "kbps") && strcmp(argv[3], "pktps")) {
        return dbctl_fail(ctx, "unit must be \"kbps\" or \"pktps\"");
    }
    *burst = 0;
    if (argc > 4 && (!parse_lax_integer(argv[4], burst) || *burst < 0
                     || *burst > 4294967295LL)) {
        return dbctl_fail(ctx, "burst must be in the range "
                          "0...4294967295");
    }
    return 0;
}

/* meter-add: with --may-exist, an existing meter of that name is updated
 * in place: its unit, and its first band, which becomes its only one. */
static int
cmd_meter_add(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Meter");
    struct idl_table *bands = dbctl_table(ctx, "Meter_Band");
    const struct idl_row *meter = NULL, *band = NULL;
    if (dbctl_rows_by_string(ctx, dbctl_column(table, "name"), argv[0],
                             &meter, 1)
        && !dbctl_has_option(ctx, "--may-exist")) {
        return dbctl_fail(ctx, "meter with name \"%s\" already exists",
                          argv[0]);
    }
    long long rate = 0, burst = 0;
    int error = meter_add_check(ctx, argc, argv, &rate, &burst);
    if (error) {
        return error;
    }

    if (meter) {
        size_t n;
        const struct idl_row **rows = referenced_rows(
            ctx, dbctl_get(ctx, meter, dbctl_column(table, "bands")), bands,
            &n);
        band = n ? rows[0] : NULL;
        free(rows);
    } else {
        meter = dbctl_insert(ctx, table);
        dbctl_set_string(ctx, meter, dbctl_column(table, "name"), argv[0]);
    }
    if (!band) {
        band = dbctl_insert(ctx, bands);
    }
    dbctl_set_string(ctx, band, dbctl_column(bands, "action"), "drop");
    dbctl_set_integer(ctx, band, dbctl_column(bands, "rate"), rate);
    dbctl_set_integer(ctx, band, dbctl_column(bands, "burst_size"), burst);

    dbctl_set_string(ctx, meter, dbctl_column(table, "unit"), argv[3]);
    struct datum d;
    dbctl_set(ctx, meter, dbctl_column(table, "bands"),
              uuid_set_datum(&d, &band, 1));
    if (dbctl_has_option(ctx, "--fair")) {
        struct datum fair;
        datum_init_alloc(&fair, 1, false);
        fair.keys[0].boolean = true;
        dbctl_set(ctx, meter, dbctl_column(table, "fair"), &fair);
    }
    return 0;
}

static int
cmd_meter_del(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Meter");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    const struct idl_column *name = dbctl_column(table, "name");
    for (size_t i = 0; i < n; i++) {
        const char *s = dbctl_get_string(ctx, rows[i], name);
        if (!argc || (s && !strcmp(s, argv[0]))) {
            dbctl_delete(ctx, rows[i]);
        }
    }
    free(rows);
    return 0;
}

/* Appends a meter's meter-list entry. */
static void
meter_format(struct dbctl_context *ctx, const struct idl_row *meter,
             struct ds *out)
{
    struct idl_table *table = dbctl_table(ctx, "Meter");
    struct idl_table *bands = dbctl_table(ctx, "Meter_Band");
    const char *name = dbctl_get_string(ctx, meter,
                                        dbctl_column(table, "name"));
    const char *unit = dbctl_get_string(ctx, meter,
                                        dbctl_column(table, "unit"));
    const struct datum *fair = dbctl_get(ctx, meter,
                                         dbctl_column(table, "fair"));
    bool pktps = unit && !strcmp(unit, "pktps");

    ds_put_format(out, "%s:", name ? name : "");
    if (fair->n) {
        ds_put_cstr(out, fair->keys[0].boolean ? " (fair)" : " (shared)");
    }
    ds_put_cstr(out, " bands:\n");

    size_t n;
    const struct idl_row **rows = referenced_rows(
        ctx, dbctl_get(ctx, meter, dbctl_column(table, "bands")), bands, &n);
    for (size_t i = 0; i < n; i++) {
        const char *action = dbctl_get_string(
            ctx, rows[i], dbctl_column(bands, "action"));
        long long burst = dbctl_get_integer(
            ctx, rows[i], dbctl_column(bands, "burst_size"), 0);
        ds_put_format(out, "  %s: %lld %s", action ? action : "",
                      dbctl_get_integer(ctx, rows[i],
                                        dbctl_column(bands, "rate"), 0),
                      unit ? unit : "");
        if (burst) {
            ds_put_format(out, ", %lld %s burst", burst,
                          pktps ? "packet" : "kb");
        }
    }
    ds_put_char(out, '\n');
    free(rows);
}

static int
cmd_meter_list(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Meter");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    nbctl_sort_by_string(ctx, rows, n, dbctl_column(table, "name"));
    for (size_t i = 0; i < n; i++) {
        meter_format(ctx, rows[i], dbctl_output(ctx));
    }
    free(rows);
    return 0;
}

/* Control plane protection. */

/* The protocols a CoPP policy can name, in the order ovn-nbctl lists
 * them in its error message. */
static const char *const copp_protocols[] = {
    "arp", "arp-resolve", "dhcpv4-opts", "dhcpv6-opts", "dns", "event-elb",
    "icmp4-error", "icmp6-error", "igmp", "nd-na", "nd-ns", "nd-ns-resolve",
    "nd-ra-opts", "tcp-reset", "bfd", "reject", "svc-monitor",
};

static int
copp_check_protocol(struct dbctl_context *ctx, const char *proto)
{
    for (size_t i = 0; i < ARRAY_SIZE(copp_protocols); i++) {
        if (!strcmp(proto, copp_protocols[i])) {
            return 0;
        }
    }
    struct ds msg;
    ds_init(&msg);
    for (size_t i = 0; i < ARRAY_SIZE(copp_protocols); i++) {
        ds_put_format(&msg, "%s%s", i ? ", " : "", copp_protocols[i]);
    }
    int error = dbctl_fail(ctx, "Invalid control protocol. Allowed values: "
                           "%s.", ds_cstr(&msg));
    ds_uninit(&msg);
    return error;
}

static const struct idl_row *
copp_lookup(struct dbctl_context *ctx, const char *id, bool must_exist,
            int *error)
{
    return nbctl_lookup(ctx, "Copp", "copp", NULL, id, must_exist,
                        error);
}

static int
cmd_copp_add(struct dbctl_context *ctx, int argc, char **argv)
{
    int error = copp_check_protocol(ctx, argv[1]);
    if (error) {
        return error;
    }
    struct idl_table *table = dbctl_table(ctx, "Copp");
    const struct idl_row *copp = copp_lookup(ctx, argv[0], false, &error);
    if (!copp) {
        copp = dbctl_insert(ctx, table);
        dbctl_set_string(ctx, copp, dbctl_column(table, "name"), argv[0]);
    }
    dbctl_map_set_string(ctx, copp, dbctl_column(table, "meters"), argv[1],
                         argv[2]);
    return 0;
}

static int
cmd_copp_del(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    if (argc > 1) {
        error = copp_check_protocol(ctx, argv[1]);
        if (error) {
            return error;
        }
    }
    const struct idl_row *copp = copp_lookup(ctx, argv[0], false, &error);
    if (!copp) {
        return 0;
    }
    if (argc > 1) {
        /* A policy left without any protocol goes away. */
        const struct idl_column *meters = nbctl_col(ctx, "Copp", "meters");
        const struct datum *d = dbctl_get(ctx, copp, meters);
        union atom key = { .string = argv[1] };
        size_t n_left = d->n;
        if (datum_find_key(d, &key, DB_TYPE_STRING) != SIZE_MAX) {
            n_left--;
        }
        if (n_left) {
            dbctl_map_remove_string(ctx, copp, meters, argv[1]);
            return 0;
        }
    }
    dbctl_delete(ctx, copp);
    return 0;
}


static int
cmd_copp_list(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *copp = copp_lookup(ctx, argv[0], false, &error);
    if (!copp) {
        return 0;
    }
    const struct datum *d = dbctl_get(ctx, copp,
                                      nbctl_col(ctx, "Copp", "meters"));
    size_t *order = xcalloc(d->n + 1, sizeof *order);
    nbctl_smap_order(d->keys, d->n, order);
    for (size_t i = 0; i < d->n; i++) {
        ds_put_format(dbctl_output(ctx), "%s: %s\n",
                      d->keys[order[i]].string, d->values[order[i]].string);
    }
    free(order);
    return 0;
}

/* Points the "copp" column of 'row' at the policy named 'name'. */
static int
copp_attach(struct dbctl_context *ctx, const char *name,
            const struct idl_row *row, const char *table)
{
    int error;
    const struct idl_row *copp = copp_lookup(ctx, name, true, &error);
    if (!copp) {
        return error;
    }
    dbctl_set_uuid(ctx, row, nbctl_col(ctx, table, "copp"),
                   idl_row_uuid(copp));
    return 0;
}

static int
cmd_ls_copp_add(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *ls = nbctl_ls_lookup(ctx, argv[1], true, &error);
    return ls ? copp_attach(ctx, argv[0], ls, "Logical_Switch") : error;
}

static int
cmd_lr_copp_add(struct dbctl_context *ctx, int argc, char **argv)
{
    int error;
    const struct idl_row *lr = nbctl_lr_lookup(ctx, argv[1], true, &error);
    return lr ? copp_attach(ctx, argv[0], lr, "Logical_Router") : error;
}

/* Mirrors. */

static int
mirror_add_check(struct dbctl_context *ctx, char **argv, long long *index,
                 const char **filter)
{
    if (strcmp(argv[1], "gre") && strcmp(argv[1], "erspan")) {
        return dbctl_fail(ctx, "%s: type must be \"gre\" or \"erspan\"",
                          argv[1]);
    }
    if (!parse_strict_integer(argv[2], index)) {
        return dbctl_fail(ctx, "Invalid Index");
    }
    *filter = parse_direction(argv[3]);
    if (!*filter) {
        return dbctl_fail(ctx, "%s: selection must be \"to-lport\" or "
                          "\"from-lport\"", argv[3]);
    }
    unsigned char addr[16];
    if (inet_pton(AF_INET, argv[4], addr) != 1
        && inet_pton(AF_INET6, argv[4], addr) != 1) {
        return dbctl_fail(ctx, "Invalid sink ip: %s", argv[4]);
    }
    return 0;
}

static int
cmd_mirror_add(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Mirror");
    const struct idl_row *found[1];
    if (dbctl_rows_by_string(ctx, dbctl_column(table, "name"), argv[0],
                             found, 1)) {
        return dbctl_fail(ctx, "Mirror with %s name already exists.",
                          argv[0]);
    }
    long long index = 0;
    const char *filter = NULL;
    int error = mirror_add_check(ctx, argv, &index, &filter);
    if (error) {
        return error;
    }
    const struct idl_row *mirror = dbctl_insert(ctx, table);
    dbctl_set_string(ctx, mirror, dbctl_column(table, "name"), argv[0]);
    dbctl_set_string(ctx, mirror, dbctl_column(table, "type"), argv[1]);
    dbctl_set_integer(ctx, mirror, dbctl_column(table, "index"), index);
    dbctl_set_string(ctx, mirror, dbctl_column(table, "filter"), filter);
    dbctl_set_string(ctx, mirror, dbctl_column(table, "sink"), argv[4]);
    return 0;
}

static int
cmd_mirror_del(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Mirror");
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    const struct idl_column *name = dbctl_column(table, "name");
    for (size_t i = 0; i < n; i++) {
        const char *s = dbctl_get_string(ctx, rows[i], name);
        if (!argc || (s && !strcmp(s, argv[0]))) {
            dbctl_delete(ctx, rows[i]);
        }
    }
    free(rows);
    return 0;
}

static int
cmd_mirror_list(struct dbctl_context *ctx, int argc, char **argv)
{
    struct idl_table *table = dbctl_table(ctx, "Mirror");
    struct ds *out = dbctl_output(ctx);
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    nbctl_sort_by_string(ctx, rows, n, dbctl_column(table, "name"));
    for (size_t i = 0; i < n; i++) {
        const char *name = dbctl_get_string(ctx, rows[i],
                                            dbctl_column(table, "name"));
        const char *type = dbctl_get_string(ctx, rows[i],
                                            dbctl_column(table, "type"));
        const char *sink = dbctl_get_string(ctx, rows[i],
                                            dbctl_column(table, "sink"));
        const char *filter = dbctl_get_string(
            ctx, rows[i], dbctl_column(table, "filter"));
        ds_put_format(out, "%s:\n", name ? name : "");
        ds_put_format(out, "  Type     :  %s\n", type ? type : "");
        ds_put_format(out, "  Sink     :  %s\n", sink ? sink : "");
        ds_put_format(out, "  Filter   :  %s\n", filter ? filter : "");
        ds_put_format(out, "  Index/Key:  %lld\n\n",
                      dbctl_get_integer(ctx, rows[i],
                                        dbctl_column(table, "index"), 0));
    }
    free(rows);
    return 0;
}

const struct dbctl_command nbctl_acl_commands[] = {
    { "acl-add", 5, 5, "--type=,--log,--severity=,--name=,--meter=,"
      "--label=,--may-exist,--apply-after-lb", cmd_acl_add },
    { "acl-del", 1, 4, "--type=", cmd_acl_del },
    { "acl-list", 1, 1, "--type=", cmd_acl_list },
    { "qos-add", 5, 7, "--may-exist", cmd_qos_add },
    { "qos-del", 1, 4, NULL, cmd_qos_del },
    { "qos-list", 1, 1, NULL, cmd_qos_list },
    { "pg-add", 1, INT_MAX, NULL, cmd_pg_add },
    { "pg-set-ports", 2, INT_MAX, NULL, cmd_pg_set_ports },
    { "pg-del", 1, 1, NULL, cmd_pg_del },
    { "meter-add", 4, 5, "--fair,--may-exist", cmd_meter_add },
    { "meter-del", 0, 1, NULL, cmd_meter_del },
    { "meter-list", 0, 0, NULL, cmd_meter_list },
    { "copp-add", 3, 3, NULL, cmd_copp_add },
    { "copp-del", 1, 2, NULL, cmd_copp_del },
    { "copp-list", 1, 1, NULL, cmd_copp_list },
    { "ls-copp-add", 2, 2, NULL, cmd_ls_copp_add },
    { "lr-copp-add", 2, 2, NULL, cmd_lr_copp_add },
    { "mirror-add", 5, 5, "--may-exist", cmd_mirror_add },
    { "mirror-del", 0, 1, NULL, cmd_mirror_del },
    { "mirror-list", 0, 0, NULL, cmd_mirror_list },
    { NULL, 0, 0, NULL, NULL },
};
