/* ACL flows: see acl.h.  The stages, priorities, matches and actions are
 * those ovn-northd(8) documents for ACLs ("Ingress Table 4: Pre-ACLs",
 * "Ingress Table 7: from-lport ACL hints", "Ingress Table 8: from-lport
 * ACLs", "Ingress Table 17: from-lport ACLs after LB" and their egress
 * twins), in the spelling OVN 23.03 writes. */
#include "northd/acl.h"

#include <stdio.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "northd/lflow.h"

/* ovn-northd(8) register bits: reg0[0] "send to conntrack", reg0[1]
 * "commit", reg0[7]..reg0[10] the ACL hints (allow new, allow, drop new
 * or unknown, drop/commit established), reg0[13] "label", reg0[16]
 * "stateless", reg0[17] "already allowed (related or reply)". */
#define PRE_ACL_SKIP \
    "nd || nd_rs || nd_ra || mldv1 || mldv2 || " \
    "(udp && udp.src == 546 && udp.dst == 547)"
#define REJECT_BODY \
    "reg0 = 0; reject { /* eth.dst <-> eth.src; ip.dst <-> ip.src; is " \
    "implicit. */ outport <-> inport; next(pipeline=%s,table=%d); };"

/* True if 'acl' makes its switches stateful ("allow-related"). */
bool
acl_is_stateful(const struct acl_desc *acl)
{
    return acl->action && !strcmp(acl->action, "allow-related");
}

/* The ACL hint stage of a stateful switch: what conntrack says about the
 * packet, for the ACLs to match on. */
static const struct {
    uint16_t priority;          /* Priority. */
    const char *match;          /* Match. */
    const char *actions;        /* Actions. */
} hint_flows[] = {
    { 7, "ct.new && !ct.est", "reg0[7] = 1; reg0[9] = 1; next;" },
    { 6, "!ct.new && ct.est && !ct.rpl && ct_mark.blocked == 1",
      "reg0[7] = 1; reg0[9] = 1; next;" },
    { 5, "!ct.trk", "reg0[8] = 1; reg0[9] = 1; next;" },
    { 4, "!ct.new && ct.est && !ct.rpl && ct_mark.blocked == 0",
      "reg0[8] = 1; reg0[10] = 1; next;" },
    { 3, "!ct.est", "reg0[9] = 1; next;" },
    { 2, "ct.est && ct_mark.blocked == 1", "reg0[9] = 1; next;" },
    { 1, "ct.est && ct_mark.blocked == 0", "reg0[10] = 1; next;" },
};

#define CT_REL \
    "!ct.est && ct.rel && !ct.new && !ct.inv && ct_mark.blocked == 0"
#define CT_RPL \
    "ct.est && !ct.rel && !ct.new && !ct.inv && ct.rpl && " \
    "ct_mark.blocked == 0"
#define CT_BAD "ct.inv || (ct.est && ct.rpl && ct_mark.blocked == 1)"

/* Adds to 'table', owned by 'owner', the ACL stages' own flows on switch
 * datapath 'dp': with no ACL ('has_acls' false) every packet passes; with
 * ACLs the stages get their defaults, and a 'stateful' switch sends IP
 * through conntrack, passes replies and related packets of committed
 * connections, drops invalid ones and commits the rest.  A switch with a
 * load balancer VIP ('has_lb') has the stateful ACL stages too, but sends
 * IP to conntrack for load balancing rather than for ACLs (lb.h). */
void
acl_build_datapath_flows(struct lflow_table *table, struct lflow_owner *owner,
                         const struct uuid *dp, bool has_acls, bool stateful,
                         bool has_lb)
{
    bool stateful_acl = stateful;
    has_acls |= has_lb;
    stateful |= has_lb;
    if (!has_acls) {
        lflow_add(table, owner, dp, LS_IN_ACL_HINT, 65535, "1", "next;",
                  NULL, NULL);
        lflow_add(table, owner, dp, LS_IN_ACL, 65535, "1", "next;",
                  NULL, NULL);
        lflow_add(table, owner, dp, LS_OUT_ACL_HINT, 65535, "1", "next;",
                  NULL, NULL);
        lflow_add(table, owner, dp, LS_OUT_ACL, 65535, "1", "next;",
                  NULL, NULL);
        return;
    }
    lflow_add(table, owner, dp, LS_IN_ACL_HINT, 0, "1", "next;", NULL, NULL);
    lflow_add(table, owner, dp, LS_OUT_ACL_HINT, 0, "1", "next;", NULL,
              NULL);
    lflow_add(table, owner, dp, LS_IN_ACL, 34000,
              "eth.dst == $svc_monitor_mac", "next;", NULL, NULL);
    lflow_add(table, owner, dp, LS_OUT_ACL, 34000,
              "eth.src == $svc_monitor_mac", "next;", NULL, NULL);
    lflow_add(table, owner, dp, LS_IN_ACL, 0, "1", "next;", NULL, NULL);
    lflow_add(table, owner, dp, LS_OUT_ACL, 0, "1", "next;", NULL, NULL);
    if (!stateful) {
        return;
    }

    static const enum lflow_stage pre[2] = { LS_IN_PRE_ACL, LS_OUT_PRE_ACL };
    static const enum lflow_stage hint[2] = { LS_IN_ACL_HINT,
                                              LS_OUT_ACL_HINT };
    static const enum lflow_stage acl[2] = { LS_IN_ACL, LS_OUT_ACL };
    for (int d = 0; d < 2; d++) {
        if (stateful_acl) {
            lflow_add(table, owner, dp, pre[d], 110, "eth.mcast", "next;",
                      NULL, NULL);
            lflow_add(table, owner, dp, pre[d], 110, PRE_ACL_SKIP, "next;",
                      NULL, NULL);
            lflow_add(table, owner, dp, pre[d], 100, "ip",
                      "reg0[0] = 1; next;", NULL, NULL);
        }
        for (size_t i = 0; i < ARRAY_SIZE(hint_flows); i++) {
            lflow_add(table, owner, dp, hint[d], hint_flows[i].priority,
                      hint_flows[i].match, hint_flows[i].actions, NULL,
                      NULL);
        }
        lflow_add(table, owner, dp, acl[d], 65532, CT_REL,
                  d == 0 ? "reg0[17] = 1; ct_commit_nat;" : "ct_commit_nat;",
                  NULL, NULL);
        lflow_add(table, owner, dp, acl[d], 65532, CT_RPL,
                  d == 0 ? "reg0[9] = 0; reg0[10] = 0; reg0[17] = 1; next;"
                         : "next;", NULL, NULL);
        lflow_add(table, owner, dp, acl[d], 65532, CT_BAD, "drop;", NULL,
                  NULL);
        lflow_add(table, owner, dp, acl[d], 1, "ip && !ct.est",
                  "reg0[1] = 1; next;", NULL, NULL);
        lflow_add(table, owner, dp, acl[d], 1,
                  "ip && ct.est && ct_mark.blocked == 1",
                  "reg0[1] = 1; next;", NULL, NULL);
    }
    lflow_add(table, owner, dp, LS_IN_ACL_AFTER_LB, 65532, "reg0[17] == 1",
              "next;", NULL, NULL);
}

/* Appends to 's' the log() action of 'acl' with 'verdict', if it logs. */
static void
put_log(struct ds *s, const struct acl_desc *acl, const char *verdict)
{
    if (!acl->log) {
        return;
    }
    ds_put_cstr(s, "log(");
    if (acl->name) {
        ds_put_format(s, "name=\"%s\", ", acl->name);
    }
    ds_put_format(s, "severity=%s, verdict=%s",
                  acl->severity ? acl->severity : "info", verdict);
    if (acl->meter) {
        ds_put_format(s, ", meter=\"%s\"", acl->meter);
    }
    ds_put_cstr(s, "); ");
}

/* Appends to 's' the "reject" action of an ACL of direction
 * 'from_lport': the reply goes the other way. */
static void
put_reject(struct ds *s, bool from_lport)
{
    enum lflow_stage next = from_lport ? LS_OUT_QOS_MARK : LS_IN_L2_LKUP;
    ds_put_format(s, REJECT_BODY, lflow_pipeline_to_string(
                      lflow_stage_pipeline(next)),
                  lflow_stage_table(next));
}

/* Adds to 'table', owned by 'owner', the flows of 'acl' on the switch
 * datapath 'dp', which is 'stateful' (acl.h) or not.  An ACL with an
 * action outside ovn-nb(5)'s list has no flows. */
void
acl_build_flows(struct lflow_table *table, struct lflow_owner *owner,
                const struct uuid *dp, const struct acl_desc *acl,
                bool stateful)
{
    const char *action = acl->action ? acl->action : "";
    const char *match = acl->match ? acl->match : "";
    bool from = acl->from_lport;
    enum lflow_stage stage = (!from ? LS_OUT_ACL
                              : acl->apply_after_lb ? LS_IN_ACL_AFTER_LB
                              : LS_IN_ACL);
    unsigned int prio = acl->priority + 1000;
    const struct uuid *hint = &acl->uuid;
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds a = DS_EMPTY_INITIALIZER;
    bool is_allow = !strcmp(action, "allow");
    bool is_related = !strcmp(action, "allow-related");
    bool is_stateless = !strcmp(action, "allow-stateless");
    bool is_drop = !strcmp(action, "drop");
    bool is_reject = !strcmp(action, "reject");

    if (!stateful || is_stateless) {
        if (is_allow || is_related || is_stateless) {
            put_log(&a, acl, "allow");
            ds_put_cstr(&a, "next;");
        } else if (is_drop) {
            put_log(&a, acl, "drop");
            ds_put_cstr(&a, "/* drop */");
        } else if (is_reject) {
            put_log(&a, acl, "reject");
            put_reject(&a, from);
        } else {
            goto out;
        }
        lflow_add(table, owner, dp, stage, prio, match, ds_cstr(&a), hint,
                  NULL);
        if (stateful) {
            /* ovn-northd(8): a stateless ACL keeps its packets out of
             * conntrack. */
            lflow_add(table, owner, dp, from ? LS_IN_PRE_ACL : LS_OUT_PRE_ACL,
                      prio, match, "reg0[16] = 1; next;", hint, NULL);
        }
        goto out;
    }

    if (is_allow || is_related) {
        /* New connections are committed, established ones pass; with a
         * label, both commit it. */
        struct ds label = DS_EMPTY_INITIALIZER;
        if (acl->label) {
            ds_put_format(&label, "reg0[13] = 1; reg3 = %lld; ", acl->label);
        }
        ds_put_format(&m, "reg0[7] == 1 && (%s)", match);
        ds_put_format(&a, "reg0[1] = 1; %s", ds_cstr(&label));
        put_log(&a, acl, "allow");
        ds_put_cstr(&a, "next;");
        lflow_add(table, owner, dp, stage, prio, ds_cstr(&m), ds_cstr(&a),
                  hint, NULL);

        ds_clear(&m);
        ds_clear(&a);
        ds_put_format(&m, "reg0[8] == 1 && (%s)", match);
        if (acl->label) {
            ds_put_format(&a, "reg0[1] = 1; %s", ds_cstr(&label));
        }
        put_log(&a, acl, "allow");
        ds_put_cstr(&a, "next;");
        lflow_add(table, owner, dp, stage, prio, ds_cstr(&m), ds_cstr(&a),
                  hint, NULL);
        ds_uninit(&label);
    } else if (is_drop) {
        /* An established connection the ACL now drops is marked blocked,
         * so that its replies stop too. */
        ds_put_format(&m, "reg0[10] == 1 && (%s)", match);
        ds_put_cstr(&a, "ct_commit { ct_mark.blocked = 1; }; ");
        put_log(&a, acl, "drop");
        ds_put_cstr(&a, "/* drop */");
        lflow_add(table, owner, dp, stage, prio, ds_cstr(&m), ds_cstr(&a),
                  hint, NULL);
        ds_clear(&m);
        ds_clear(&a);
        ds_put_format(&m, "reg0[9] == 1 && (%s)", match);
        put_log(&a, acl, "drop");
        ds_put_cstr(&a, "/* drop */");
        lflow_add(table, owner, dp, stage, prio, ds_cstr(&m), ds_cstr(&a),
                  hint, NULL);
    } else if (is_reject) {
        /* OVN 23.03 writes these matches without parentheses around the
         * ACL's own. */
        ds_put_format(&m, "(reg0[10] == 1) && %s", match);
        put_log(&a, acl, "reject");
        ds_put_cstr(&a, "ct_commit { ct_mark.blocked = 1; };  ");
        put_reject(&a, from);
        lflow_add(table, owner, dp, stage, prio, ds_cstr(&m), ds_cstr(&a),
                  hint, NULL);
        ds_clear(&m);
        ds_clear(&a);
        ds_put_format(&m, "(reg0[9] == 1) && %s", match);
        put_log(&a, acl, "reject");
        put_reject(&a, from);
        lflow_add(table, owner, dp, stage, prio, ds_cstr(&m), ds_cstr(&a),
                  hint, NULL);
    }
out:
    ds_uninit(&m);
    ds_uninit(&a);
}
