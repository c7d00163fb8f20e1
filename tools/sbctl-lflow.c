/* kiln-sbctl's logical flow commands: lflow-list (alias dump-flows) and
 * count-flows, in ovn-sbctl 23.03's output format (see sbctl-private.h).
 *
 * A flow belongs to its logical_datapath or, when it has one, to every
 * datapath of its logical_dp_group.  Flows are listed by datapath (its
 * external_ids:name, then UUID), pipeline (ingress first), table,
 * priority (highest first), match and actions. */
#include "tools/sbctl-private.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"

/* One flow as shown under one datapath. */
struct lflow_entry {
    const struct idl_row *dp;   /* The datapath it is listed under. */
    const struct idl_row *flow; /* The Logical_Flow row. */
    const char *dp_name;        /* external_ids:name of 'dp', or "". */
    int pipeline;               /* 0 for ingress, 1 for egress. */
    long long table;            /* table_id. */
    long long priority;         /* priority. */
    const char *match;          /* match, never NULL. */
    const char *actions;        /* actions, never NULL. */
    const char *stage;          /* external_ids:stage-name, or "". */
};

static const char *const pipeline_names[] = { "ingress", "egress" };

static int
compare_entries(const void *a_, const void *b_)
{
    const struct lflow_entry *a = a_, *b = b_;
    int cmp = strcmp(a->dp_name, b->dp_name);
    if (!cmp) {
        cmp = uuid_compare(idl_row_uuid(a->dp), idl_row_uuid(b->dp));
    }
    if (!cmp) {
        cmp = a->pipeline - b->pipeline;
    }
    if (!cmp && a->table != b->table) {
        cmp = a->table < b->table ? -1 : 1;
    }
    if (!cmp && a->priority != b->priority) {
        cmp = a->priority > b->priority ? -1 : 1;
    }
    if (!cmp) {
        cmp = strcmp(a->match, b->match);
    }
    if (!cmp) {
        cmp = strcmp(a->actions, b->actions);
    }
    if (!cmp) {
        cmp = uuid_compare(idl_row_uuid(a->flow), idl_row_uuid(b->flow));
    }
    return cmp;
}

/* Whether 'arg' can name a logical flow: a UUID or its beginning,
 * optionally after "0x" (an OpenFlow cookie).  Sets '*hex' to the part
 * after the prefix. */
static bool
lflow_arg_parse(const char *arg, const char **hex)
{
    const char *s = arg;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    size_t i;
    for (i = 0; s[i]; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (i >= UUID_LEN
            || (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF",
                                              s[i]))) {
            return false;
        }
    }
    *hex = s;
    return i > 0;
}

/* Whether flow 'uuid' starts with 'hex', leading zeros aside on both
 * sides (an OpenFlow cookie drops them). */
static bool
lflow_matches(const struct uuid *uuid, const char *hex)
{
    char buf[UUID_LEN + 1];
    uuid_to_buffer(uuid, buf);
    const char *u = buf + strspn(buf, "0");
    const char *h = hex + strspn(hex, "0");
    return !strncmp(u, h, strlen(h));
}

/* The flows to show: those of 'only_dp' (all if NULL) whose UUID matches
 * one of 'hexes' ('n_hexes'; all if none), sorted.  The caller frees the
 * array. */
static struct lflow_entry *
collect_flows(struct dbctl_context *ctx, const struct idl_row *only_dp,
              const char **hexes, size_t n_hexes, size_t *np)
{
    struct idl_table *flows = dbctl_table(ctx, "Logical_Flow");
    struct idl_table *dps = dbctl_table(ctx, "Datapath_Binding");
    struct idl_table *groups = dbctl_table(ctx, "Logical_DP_Group");
    const struct idl_column *c_dp = dbctl_column(flows, "logical_datapath");
    const struct idl_column *c_group = dbctl_column(flows,
                                                    "logical_dp_group");
    const struct idl_column *c_pipeline = dbctl_column(flows, "pipeline");
    const struct idl_column *c_table = dbctl_column(flows, "table_id");
    const struct idl_column *c_priority = dbctl_column(flows, "priority");
    const struct idl_column *c_match = dbctl_column(flows, "match");
    const struct idl_column *c_actions = dbctl_column(flows, "actions");
    const struct idl_column *c_ext = dbctl_column(flows, "external_ids");
    const struct idl_column *c_members = dbctl_column(groups, "datapaths");
    const struct idl_column *c_dp_ext = dbctl_column(dps, "external_ids");

    size_t n_rows;
    const struct idl_row **rows = dbctl_rows(ctx, flows, &n_rows);
    struct lflow_entry *entries = NULL;
    size_t n = 0, allocated = 0;

    for (size_t i = 0; i < n_rows; i++) {
        const struct idl_row *flow = rows[i];
        bool wanted = !n_hexes;
        for (size_t h = 0; h < n_hexes && !wanted; h++) {
            wanted = lflow_matches(idl_row_uuid(flow), hexes[h]);
        }
        if (!wanted) {
            continue;
        }

        /* The datapaths the flow is listed under: its logical_datapath
         * and every member of its logical_dp_group.  Listing them all,
         * ovn-sbctl shows a flow that has both twice under a datapath in
         * both; listing one datapath, once. */
        const struct datum *group = dbctl_get(ctx, flow, c_group);
        const struct datum *own = dbctl_get(ctx, flow, c_dp);
        const struct datum *members = NULL;
        if (group->n) {
            const struct idl_row *g = dbctl_row_by_uuid(
                ctx, groups, &group->keys[0].uuid);
            members = g ? dbctl_get(ctx, g, c_members) : NULL;
        }
        size_t n_members = members ? members->n : 0;
        size_t n_dps = 0;
        struct uuid *dp_uuids = xmalloc((own->n + n_members + 1)
                                        * sizeof *dp_uuids);
        for (size_t m = 0; m < own->n; m++) {
            dp_uuids[n_dps++] = own->keys[m].uuid;
        }
        for (size_t m = 0; m < n_members; m++) {
            bool dup = false;
            for (size_t k = 0; only_dp && k < n_dps && !dup; k++) {
                dup = uuid_equals(&dp_uuids[k], &members->keys[m].uuid);
            }
            if (!dup) {
                dp_uuids[n_dps++] = members->keys[m].uuid;
            }
        }

        const char *pipeline = dbctl_get_string(ctx, flow, c_pipeline);
        const char *match = dbctl_get_string(ctx, flow, c_match);
        const char *actions = dbctl_get_string(ctx, flow, c_actions);
        const char *stage = dbctl_get_map_string(ctx, flow, c_ext,
                                                 "stage-name");
        for (size_t m = 0; m < n_dps; m++) {
            const struct idl_row *dp = dbctl_row_by_uuid(ctx, dps,
                                                         &dp_uuids[m]);
            if (!dp || (only_dp && dp != only_dp)) {
                continue;
            }
            if (n >= allocated) {
                allocated = allocated ? 2 * allocated : 64;
                entries = xrealloc(entries, allocated * sizeof *entries);
            }
            const char *dp_name = dbctl_get_map_string(ctx, dp, c_dp_ext,
                                                       "name");
            entries[n++] = (struct lflow_entry) {
                .dp = dp,
                .flow = flow,
                .dp_name = dp_name ? dp_name : "",
                .pipeline = pipeline && !strcmp(pipeline, "egress"),
                .table = dbctl_get_integer(ctx, flow, c_table, 0),
                .priority = dbctl_get_integer(ctx, flow, c_priority, 0),
                .match = match ? match : "",
                .actions = actions ? actions : "",
                .stage = stage ? stage : "",
            };
        }
        free(dp_uuids);
    }
    free(rows);
    if (n) {
        qsort(entries, n, sizeof *entries, compare_entries);
    }
    *np = n;
    return entries;
}

/* Appends the "Datapath: ..." heading of 'e' (without a newline). */
static void
put_datapath(struct dbctl_context *ctx, const struct lflow_entry *e,
             bool in_total, struct ds *out)
{
    const struct idl_column *ext = sbctl_col(ctx, "Datapath_Binding",
                                             "external_ids");
    const char *name = dbctl_get_map_string(ctx, e->dp, ext, "name");
    if (!name) {
        name = dbctl_get_map_string(ctx, e->dp, ext, "name2");
    }
    char *quoted = name ? xasprintf("\"%s\"", name) : xstrdup("");
    ds_put_format(out, "%s (" UUID_FMT ")%sPipeline: %s", quoted,
                  UUID_ARGS(idl_row_uuid(e->dp)), in_total ? " " : "  ",
                  pipeline_names[e->pipeline]);
    free(quoted);
}

static bool
same_group(const struct lflow_entry *a, const struct lflow_entry *b)
{
    return a && a->dp == b->dp && a->pipeline == b->pipeline;
}

/* --ovs[=REMOTE] asks for the OpenFlow flows of a switch, which Kiln does
 * not fetch: warns as ovn-sbctl does when it cannot connect. */
static void
warn_ovs(const char *remote)
{
    char *dflt = NULL;
    if (!remote || !*remote) {
        const char *dir = getenv("OVS_RUNDIR");
        dflt = xasprintf("unix:%s/br-int.mgmt",
                         dir && *dir ? dir : "/var/run/openvswitch");
        remote = dflt;
    }
    struct stat st;
    if (!strncmp(remote, "unix:", 5) && stat(remote + 5, &st)) {
        sbctl_warn("%s: connection failed (%s)", remote, strerror(errno));
    } else {
        sbctl_warn("%s: --ovs is not supported: kiln-sbctl shows no "
                   "OpenFlow flows", remote);
    }
    free(dflt);
}

/* [--uuid] [--ovs[=REMOTE]] [--stats] [--vflows] lflow-list [DATAPATH]
 * [LFLOW...] */
static int
cmd_lflow_list(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *dp = NULL;
    int first = 0;
    if (argc > 0) {
        int error = sbctl_datapath_lookup(ctx, argv[0], &dp);
        if (error) {
            return error;
        }
        if (dp) {
            first = 1;
        }
    }

    const char **hexes = xmalloc((argc + 1) * sizeof *hexes);
    size_t n_hexes = 0;
    for (int i = first; i < argc; i++) {
        if (!lflow_arg_parse(argv[i], &hexes[n_hexes])) {
            free(hexes);
            return dbctl_fail(ctx, "%s is not a UUID or the beginning of a "
                              "UUID", argv[i]);
        }
        n_hexes++;
    }

    if (dbctl_has_option(ctx, "--ovs")) {
        warn_ovs(dbctl_option(ctx, "--ovs"));
    }
    if (dbctl_has_option(ctx, "--vflows")) {
        sbctl_warn("--vflows is not supported: kiln-sbctl lists the "
                   "logical flows only");
    }

    bool print_uuid = dbctl_has_option(ctx, "--uuid");
    size_t n;
    struct lflow_entry *entries = collect_flows(ctx, dp, hexes, n_hexes, &n);
    struct ds *out = dbctl_output(ctx);
    for (size_t i = 0; i < n; i++) {
        const struct lflow_entry *e = &entries[i];
        if (!same_group(i ? &entries[i - 1] : NULL, e)) {
            ds_put_cstr(out, "Datapath: ");
            put_datapath(ctx, e, false, out);
            ds_put_cstr(out, "\n");
        }
        ds_put_cstr(out, "  ");
        if (print_uuid) {
            ds_put_format(out, "uuid=0x%08x, ",
                          (unsigned int) idl_row_uuid(e->flow)->parts[0]);
        }
        ds_put_format(out, "table=%-2lld(%-19s), priority=%-5lld, "
                      "match=(%s), action=(%s)\n", e->table, e->stage,
                      e->priority, e->match, e->actions);
    }
    free(entries);
    free(hexes);
    return 0;
}

/* count-flows [DATAPATH] */
static int
cmd_count_flows(struct dbctl_context *ctx, int argc, char **argv)
{
    const struct idl_row *dp = NULL;
    if (argc > 0) {
        int error = sbctl_datapath_lookup(ctx, argv[0], &dp);
        if (error) {
            return error;
        }
    }

    size_t n = 0;
    struct lflow_entry *entries = NULL;
    if (!argc || dp) {
        entries = collect_flows(ctx, dp, NULL, 0, &n);
    }
    struct ds *out = dbctl_output(ctx);
    size_t i = 0;
    while (i < n) {
        /* One datapath and pipeline. */
        size_t end = i;
        while (end < n && same_group(&entries[i], &entries[end])) {
            end++;
        }
        ds_put_cstr(out, "Datapath: ");
        put_datapath(ctx, &entries[i], false, out);
        ds_put_cstr(out, "\n");
        size_t t = i;
        while (t < end) {
            /* One table: named by the stage of its last flow. */
            size_t t_end = t;
            while (t_end < end && entries[t_end].table == entries[t].table) {
                t_end++;
            }
            ds_put_format(out, "  table=%-2lld(%-19s) lflows=%zu\n",
                          entries[t].table, entries[t_end - 1].stage,
                          t_end - t);
            t = t_end;
        }
        ds_put_cstr(out, "Total number of logical flows in the datapath ");
        put_datapath(ctx, &entries[i], true, out);
        ds_put_format(out, " = %zu\n\n", end - i);
        i = end;
    }
    ds_put_format(out, "Total number of logical flows = %zu\n", n);
    free(entries);
    return 0;
}

const struct dbctl_command sbctl_lflow_commands[] = {
    { "lflow-list", 0, INT_MAX, "--uuid,--ovs,--ovs=,--stats,--vflows",
      cmd_lflow_list },
    { "dump-flows", 0, INT_MAX, "--uuid,--ovs,--ovs=,--stats,--vflows",
      cmd_lflow_list },
    { "count-flows", 0, 1, NULL, cmd_count_flows },
    { NULL, 0, 0, NULL, NULL },
};
