/* Which ACLs apply to which switches, in which class, and their flows.
 *
 * The sources of ACLs are port groups and switches' own "acls" (struct
 * northd_acl_src).  A switch's class (stateful or not, acl.h) depends on
 * every ACL that applies to it and on its load balancers; the flows of an
 * ACL on a switch depend only on that class.  So a port group's ACLs are
 * compiled once per class, for a datapath group of its switches of that
 * class, and a switch joining or leaving the port group, or changing
 * class, only changes the members of a group.
 *
 * The compile run marks what changed (northd__acl_changed(),
 * northd__pg_changed(), a switch's 'acls_dirty') and calls
 * northd__sync_acls(), which refreshes, in order: the sources' ACL lists,
 * the port groups' switches, the switches' classes, and then the groups
 * and the flows of the ACLs that changed. */
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "northd/acl.h"
#include "northd/northd-private.h"

LOG_MODULE(northd);

static struct northd_acl_src *
src_find(const struct northd *nd, const struct uuid *uuid)
{
    struct northd_acl_src *src;
    HMAP_FOR_EACH_WITH_HASH (src, node, uuid_hash(uuid), &nd->acl_srcs) {
        if (uuid_equals(&src->uuid, uuid)) {
            return src;
        }
    }
    return NULL;
}

static struct northd_acl_src *
src_create(struct northd *nd, const struct uuid *uuid,
           struct northd_switch *sw)
{
    struct northd_acl_src *src = xzalloc(sizeof *src);
    src->uuid = *uuid;
    src->sw = sw;
    hmap_init(&src->apps);
    hmap_init(&src->members);
    hmap_init(&src->sw_counts);
    src->dirty = true;
    src->members_dirty = true;
    src->members_full = true;
    src->groups_dirty = true;
    hmap_insert(&nd->acl_srcs, &src->node, uuid_hash(uuid));
    return src;
}

static void
app_clear(struct northd *nd, struct northd_acl_app *app)
{
    for (int c = 0; c < 2; c++) {
        lflow_owner_clear(&nd->lflows, &app->owners[c]);
    }
}

static void
app_destroy(struct northd *nd, struct northd_acl_app *app)
{
    for (int c = 0; c < 2; c++) {
        lflow_owner_uninit(&nd->lflows, &app->owners[c]);
    }
    hmap_remove(&app->src->apps, &app->node);
    hmap_remove(&nd->acl_apps, &app->acl_node);
    free(app);
}

static struct northd_acl_app *
app_find(const struct northd_acl_src *src, const struct uuid *acl)
{
    struct northd_acl_app *app;
    HMAP_FOR_EACH_WITH_HASH (app, node, uuid_hash(acl), &src->apps) {
        if (uuid_equals(&app->acl, acl)) {
            return app;
        }
    }
    return NULL;
}

/* The switches' lists of port groups. */

static void
switch_add_pg(struct northd_switch *sw, const struct uuid *pg)
{
    if (sw->n_pgs >= sw->allocated_pgs) {
        sw->pgs = x2nrealloc(sw->pgs, &sw->allocated_pgs, sizeof *sw->pgs);
    }
    sw->pgs[sw->n_pgs++] = *pg;
    sw->class_dirty = true;
}

static void
switch_remove_pg(struct northd_switch *sw, const struct uuid *pg)
{
    for (size_t i = 0; i < sw->n_pgs; i++) {
        if (uuid_equals(&sw->pgs[i], pg)) {
            sw->pgs[i] = sw->pgs[--sw->n_pgs];
            sw->class_dirty = true;
            return;
        }
    }
}

/* Destroys 'src': its ACLs' flows go, its groups are released and its
 * switches recheck their class. */
/* A port of a port group, with the switch it was on when it joined. */
struct acl_pg_port {
    struct hmap_node node;      /* In src->members, by uuid_hash(&port). */
    struct uuid port;           /* The Logical_Switch_Port. */
    struct uuid sw;             /* Its switch. */
};

/* How many ports of a port group a switch has. */
struct acl_pg_count {
    struct hmap_node node;      /* In src->sw_counts, by uuid_hash(&sw). */
    struct uuid sw;             /* The switch. */
    size_t n;                   /* Its ports in the group. */
};

static void
pg_members_clear(struct northd_acl_src *src)
{
    struct acl_pg_port *m;
    HMAP_FOR_EACH_POP (m, node, &src->members) {
        free(m);
    }
    struct acl_pg_count *k;
    HMAP_FOR_EACH_POP (k, node, &src->sw_counts) {
        free(k);
    }
}

static struct acl_pg_port *
pg_member_find(const struct northd_acl_src *src, const struct uuid *port)
{
    struct acl_pg_port *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, uuid_hash(port), &src->members) {
        if (uuid_equals(&m->port, port)) {
            return m;
        }
    }
    return NULL;
}

/* Adds 'delta' to the ports 'src' has on switch 'sw'.  Returns true if the
 * switch joined (count 0 -> 1) or left (1 -> 0) the group. */
static bool
pg_count_add(struct northd_acl_src *src, const struct uuid *sw, int delta)
{
    struct acl_pg_count *k;
    HMAP_FOR_EACH_WITH_HASH (k, node, uuid_hash(sw), &src->sw_counts) {
        if (uuid_equals(&k->sw, sw)) {
            k->n += delta;
            if (!k->n) {
                hmap_remove(&src->sw_counts, &k->node);
                free(k);
                return true;
            }
            return false;
        }
    }
    ASSERT(delta > 0);
    k = xmalloc(sizeof *k);
    k->sw = *sw;
    k->n = delta;
    hmap_insert(&src->sw_counts, &k->node, uuid_hash(sw));
    return true;
}

static void
src_destroy(struct northd *nd, struct northd_acl_src *src)
{
    struct northd_acl_app *app;
    HMAP_FOR_EACH_SAFE (app, node, &src->apps) {
        app_destroy(nd, app);
    }
    hmap_uninit(&src->apps);
    for (int c = 0; c < 2; c++) {
        if (src->groups[c]) {
            lflow_dp_group_release(&nd->lflows, src->groups[c]);
        }
    }
    for (size_t i = 0; i < src->n_sws; i++) {
        struct northd_switch *sw = northd__switch_find(nd, &src->sws[i]);
        if (sw) {
            switch_remove_pg(sw, &src->uuid);
        }
    }
    if (src->sw) {
        src->sw->own_acls = NULL;
        src->sw->class_dirty = true;
    }
    pg_members_clear(src);
    hmap_uninit(&src->members);
    hmap_uninit(&src->sw_counts);
    free(src->sws);
    hmap_remove(&nd->acl_srcs, &src->node);
    free(src);
}

/* Makes the ACLs of 'src' those of 'acls' (its row's "acls" column, NULL
 * if the row is gone): ACLs that left lose their flows, new ones are
 * stale until built.  Recomputes 'has_stateful'.  Returns true if 'src'
 * now has ACLs or is stateful when it was not before, or the reverse. */
static bool
src_refresh_acls(struct northd *nd, struct northd_acl_src *src,
                 const struct datum *acls)
{
    const struct northd_nb *c = &nd->nbc;
    bool had = !hmap_is_empty(&src->apps);
    bool was_stateful = src->has_stateful;
    unsigned int mark = ++nd->mark;

    src->has_stateful = false;
    for (size_t i = 0; acls && i < acls->n; i++) {
        const struct uuid *u = &acls->keys[i].uuid;
        const struct idl_row *row = idl_row_find(c->acl, u);
        if (!row) {
            continue;
        }
        struct northd_acl_app *app = app_find(src, u);
        if (!app) {
            app = xzalloc(sizeof *app);
            app->acl = *u;
            app->src = src;
            app->stale = true;
            src->stale_apps = true;
            lflow_owner_init(&app->owners[0]);
            lflow_owner_init(&app->owners[1]);
            hmap_insert(&src->apps, &app->node, uuid_hash(u));
            hmap_insert(&nd->acl_apps, &app->acl_node, uuid_hash(u));
        }
        app->mark = mark;
        const char *action = idl_row_get_string(row, c->acl_action);
        if (action && !strcmp(action, "allow-related")) {
            src->has_stateful = true;
        }
    }
    struct northd_acl_app *app;
    HMAP_FOR_EACH_SAFE (app, node, &src->apps) {
        if (app->mark != mark) {
            app_destroy(nd, app);
        }
    }
    src->dirty = false;
    return (had != !hmap_is_empty(&src->apps)
            || was_stateful != src->has_stateful);
}

/* Marks every switch 'src' applies to for a class check. */
static void
src_dirty_switches(struct northd *nd, struct northd_acl_src *src)
{
    if (src->sw) {
        src->sw->class_dirty = true;
        return;
    }
    for (size_t i = 0; i < src->n_sws; i++) {
        struct northd_switch *sw = northd__switch_find(nd, &src->sws[i]);
        if (sw) {
            sw->class_dirty = true;
        }
    }
}

static int
uuid_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct uuid));
}

/* Makes 'src->sws' the switches of 'src->sw_counts', sorted; switches that
 * joined or left it recheck their class. */
static void
pg_update_sws(struct northd *nd, struct northd_acl_src *src)
{
    size_t n = hmap_count(&src->sw_counts);
    struct uuid *sws = xcalloc(n + 1, sizeof *sws);
    size_t k = 0;
    const struct acl_pg_count *c;
    HMAP_FOR_EACH (c, node, &src->sw_counts) {
        sws[k++] = c->sw;
    }
    if (n) {
        qsort(sws, n, sizeof *sws, uuid_cmp);
    }

    /* Both lists are sorted: walk them side by side. */
    size_t i = 0, j = 0;
    bool changed = false;
    while (i < src->n_sws || j < n) {
        int cmp = (i >= src->n_sws ? 1 : j >= n ? -1
                   : uuid_cmp(&src->sws[i], &sws[j]));
        if (cmp < 0) {
            struct northd_switch *sw = northd__switch_find(nd,
                                                           &src->sws[i]);
            if (sw) {
                switch_remove_pg(sw, &src->uuid);
            }
            changed = true;
            i++;
        } else if (cmp > 0) {
            struct northd_switch *sw = northd__switch_find(nd, &sws[j]);
            if (sw) {
                switch_add_pg(sw, &src->uuid);
            }
            changed = true;
            j++;
        } else {
            i++;
            j++;
        }
    }
    free(src->sws);
    src->sws = sws;
    src->n_sws = n;
    if (changed) {
        src->groups_dirty = true;
    }
}

/* Recomputes the ports and switches of port group 'src' (row 'row') from
 * scratch. */
static void
pg_refresh_members(struct northd *nd, struct northd_acl_src *src,
                   const struct idl_row *row)
{
    pg_members_clear(src);
    const struct datum *ports = idl_row_get(row, nd->nbc.pg_ports);
    for (size_t i = 0; i < ports->n; i++) {
        const struct uuid *u = &ports->keys[i].uuid;
        struct northd_port *p = northd__port_find(nd, u);
        if (p && !pg_member_find(src, u)) {
            struct acl_pg_port *m = xmalloc(sizeof *m);
            m->port = *u;
            m->sw = p->sw->uuid;
            hmap_insert(&src->members, &m->node, uuid_hash(u));
            pg_count_add(src, &m->sw, 1);
        }
    }
    pg_update_sws(nd, src);
    src->members_dirty = false;
    src->members_full = false;
    src->groups_dirty = true;
}

/* Follows 'diff', the ports that came to or went from port group 'src'
 * (row 'row'). */
static void
pg_apply_members_diff(struct northd *nd, struct northd_acl_src *src,
                      const struct idl_row *row, const struct datum *diff)
{
    const struct datum *ports = idl_row_get(row, nd->nbc.pg_ports);
    bool sws_changed = false;
    for (size_t i = 0; i < diff->n; i++) {
        const struct uuid *u = &diff->keys[i].uuid;
        bool in = datum_find_key(ports, &diff->keys[i], DB_TYPE_UUID)
                  != SIZE_MAX;
        struct acl_pg_port *m = pg_member_find(src, u);
        if (in && !m) {
            struct northd_port *p = northd__port_find(nd, u);
            if (p) {
                m = xmalloc(sizeof *m);
                m->port = *u;
                m->sw = p->sw->uuid;
                hmap_insert(&src->members, &m->node, uuid_hash(u));
                sws_changed |= pg_count_add(src, &m->sw, 1);
            }
        } else if (!in && m) {
            sws_changed |= pg_count_add(src, &m->sw, -1);
            hmap_remove(&src->members, &m->node);
            free(m);
        }
    }
    if (sws_changed) {
        pg_update_sws(nd, src);
    }
    src->members_dirty = false;
}

/* Recomputes the class of 'sw' from its own ACLs (refreshed first if
 * 'sw->acls_dirty'), its port groups' and its load balancers.  On a
 * change, sets 'sw->class_changed' and marks what depends on the class:
 * the groups of its port groups and its own ACLs. */
static void
switch_refresh_class(struct northd *nd, struct northd_switch *sw)
{
    const struct northd_nb *c = &nd->nbc;
    bool has_lb = sw->has_lb;
    if (sw->acls_dirty) {
        const struct idl_row *row = idl_row_find(c->ls, &sw->uuid);
        const struct datum *acls = row ? idl_row_get(row, c->ls_acls) : NULL;
        if (acls && acls->n && !sw->own_acls) {
            sw->own_acls = src_create(nd, &sw->uuid, sw);
        }
        if (sw->own_acls) {
            src_refresh_acls(nd, sw->own_acls, acls);
            if (hmap_is_empty(&sw->own_acls->apps)) {
                src_destroy(nd, sw->own_acls);
            }
        }
        has_lb = row && northd__switch_build_lb_flows(nd, sw, row);
        sw->acls_dirty = false;
    }
    sw->class_dirty = false;

    struct northd_acl_src *own = sw->own_acls;
    bool has_acls = own && !hmap_is_empty(&own->apps);
    bool stateful = own && own->has_stateful;
    for (size_t i = 0; i < sw->n_pgs; i++) {
        const struct northd_acl_src *pg = src_find(nd, &sw->pgs[i]);
        if (pg) {
            has_acls |= !hmap_is_empty(&pg->apps);
            stateful |= pg->has_stateful;
        }
    }
    bool old_class = sw->stateful || sw->has_lb;
    if (has_acls == sw->has_acls && stateful == sw->stateful
        && has_lb == sw->has_lb) {
        return;
    }
    sw->has_acls = has_acls;
    sw->stateful = stateful;
    sw->has_lb = has_lb;
    sw->class_changed = true;
    LOG_DBG("switch %s: %s ACLs%s", sw->name,
            !has_acls ? "no" : stateful ? "stateful" : "stateless",
            has_lb ? ", load balancers" : "");
    if (old_class != (stateful || has_lb)) {
        for (size_t i = 0; i < sw->n_pgs; i++) {
            struct northd_acl_src *pg = src_find(nd, &sw->pgs[i]);
            if (pg) {
                pg->groups_dirty = true;
            }
        }
        if (own) {
            struct northd_acl_app *app;
            HMAP_FOR_EACH (app, node, &own->apps) {
                app->stale = true;
            }
            own->stale_apps = true;
        }
    }
}

static int
switch_class(const struct northd_switch *sw)
{
    return sw->stateful || sw->has_lb;
}

/* Regenerates the flows of 'app''s ACL for class 'cls' on datapath (or
 * datapath group) 'dp'. */
static void
app_build(struct northd *nd, struct northd_acl_app *app, int cls,
          const struct uuid *dp)
{
    const struct idl_row *row = idl_row_find(nd->nbc.acl, &app->acl);
    if (row) {
        struct acl_desc d;
        northd__acl_desc_from_row(&nd->nbc, row, &d);
        acl_build_flows(&nd->lflows, &app->owners[cls], dp, &d, cls);
    }
    nd->stats.n_acl_updates++;
}

/* Refreshes the datapath groups of port group 'src' from its switches'
 * classes and rebuilds the flows that need it: those of stale ACLs, and
 * all of a class that gained or lost its group. */
static void
pg_build(struct northd *nd, struct northd_acl_src *src)
{
    bool rebuild[2] = { false, false };
    if (src->groups_dirty) {
        struct uuid *members[2];
        size_t n[2] = { 0, 0 };
        members[0] = xmalloc((src->n_sws + 1) * sizeof *members[0]);
        members[1] = xmalloc((src->n_sws + 1) * sizeof *members[1]);
        for (size_t i = 0; i < src->n_sws; i++) {
            struct northd_switch *sw = northd__switch_find(nd, &src->sws[i]);
            if (sw) {
                int cls = switch_class(sw);
                members[cls][n[cls]++] = sw->uuid;
            }
        }
        for (int c = 0; c < 2; c++) {
            struct lflow_dp_group **g = &src->groups[c];
            if (!n[c] || hmap_is_empty(&src->apps)) {
                if (*g) {
                    struct northd_acl_app *app;
                    HMAP_FOR_EACH (app, node, &src->apps) {
                        lflow_owner_clear(&nd->lflows, &app->owners[c]);
                    }
                    lflow_dp_group_release(&nd->lflows, *g);
                    *g = NULL;
                }
                continue;
            }
            if (!*g) {
                /* The same identity for the port group and class at
                 * every start. */
                struct uuid id = src->uuid;
                id.parts[0] ^= 0x6b696c6e;
                id.parts[3] ^= c + 1;
                *g = lflow_dp_group_create(&nd->lflows, &id);
                rebuild[c] = true;
            }
            lflow_dp_group_set(*g, members[c], n[c]);
        }
        free(members[0]);
        free(members[1]);
        src->groups_dirty = false;
    }
    if (!src->stale_apps && !rebuild[0] && !rebuild[1]) {
        return;
    }
    src->stale_apps = false;

    struct northd_acl_app *app;
    HMAP_FOR_EACH (app, node, &src->apps) {
        for (int c = 0; c < 2; c++) {
            if (app->stale || rebuild[c]) {
                lflow_owner_clear(&nd->lflows, &app->owners[c]);
                if (src->groups[c]) {
                    app_build(nd, app, c, &src->groups[c]->id);
                }
            }
        }
        app->stale = false;
    }
}

/* Rebuilds the stale ACLs of switch 'src->sw''s own ACLs. */
static void
own_build(struct northd *nd, struct northd_acl_src *src)
{
    struct northd_switch *sw = src->sw;
    if (!src->stale_apps) {
        return;
    }
    src->stale_apps = false;
    struct northd_acl_app *app;
    HMAP_FOR_EACH (app, node, &src->apps) {
        if (app->stale) {
            app_clear(nd, app);
            app_build(nd, app, switch_class(sw), &sw->uuid);
            app->stale = false;
        }
    }
}

/* Marks every ACL application of 'acl' stale (the ACL row changed). */
void
northd__acl_changed(struct northd *nd, const struct uuid *acl)
{
    struct northd_acl_app *app;
    HMAP_FOR_EACH_WITH_HASH (app, acl_node, uuid_hash(acl), &nd->acl_apps) {
        if (uuid_equals(&app->acl, acl)) {
            app->stale = true;
            app->src->stale_apps = true;
            app->src->dirty = true;
            if (app->src->sw) {
                app->src->sw->acls_dirty = true;
            }
        }
    }
}

/* Notes that Port_Group 'pg' is new, changed or deleted: its "acls" (or one
 * of them) if 'acls', its "ports" if 'ports'. */
void
northd__pg_changed(struct northd *nd, const struct uuid *pg, bool acls,
                   bool ports)
{
    struct northd_acl_src *src = src_find(nd, pg);
    if (!src) {
        src = src_create(nd, pg, NULL);
        acls = ports = true;
    }
    src->dirty |= acls;
    src->members_dirty |= ports;
}

/* Drops what 'sw', about to be destroyed, has in the ACL state: its own
 * ACLs, and its membership in port groups (which recompute their
 * switches). */
void
northd__switch_acls_gone(struct northd *nd, struct northd_switch *sw)
{
    if (sw->own_acls) {
        src_destroy(nd, sw->own_acls);
    }
    for (size_t i = 0; i < sw->n_pgs; i++) {
        struct northd_acl_src *src = src_find(nd, &sw->pgs[i]);
        if (src) {
            src->members_dirty = src->members_full = true;
        }
    }
    sw->n_pgs = 0;
}

/* Before a full compute (the switches are about to be destroyed and
 * rebuilt): every port group starts over with no switches, keeping its
 * datapath groups (and so their identities, and the flows that come back
 * unchanged), and every ACL is stale. */
void
northd__acls_reset(struct northd *nd)
{
    struct northd_acl_src *src;
    HMAP_FOR_EACH (src, node, &nd->acl_srcs) {
        if (src->sw) {
            continue;           /* Goes with its switch. */
        }
        free(src->sws);
        src->sws = NULL;
        src->n_sws = 0;
        pg_members_clear(src);
        src->dirty = src->members_dirty = src->groups_dirty = true;
        src->members_full = true;
        src->stale_apps = true;
    }
    struct northd_acl_app *app;
    HMAP_FOR_EACH (app, acl_node, &nd->acl_apps) {
        app->stale = true;
    }
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, nd->nbc.pg) {
        northd__pg_changed(nd, idl_row_uuid(row), true, true);
    }
}

/* Brings the ACL state and flows up to date with what the run marked. */
void
northd__sync_acls(struct northd *nd)
{
    const struct northd_nb *c = &nd->nbc;

    /* Port groups: their ACLs, then their switches. */
    struct northd_acl_src *src;
    if (nd->pgs_members_dirty) {
        nd->pgs_members_dirty = false;
        HMAP_FOR_EACH (src, node, &nd->acl_srcs) {
            src->members_dirty = src->members_full = !src->sw;
        }
    }
    HMAP_FOR_EACH_SAFE (src, node, &nd->acl_srcs) {
        if (src->sw || (!src->dirty && !src->members_dirty)) {
            continue;
        }
        const struct idl_row *row = idl_row_find(c->pg, &src->uuid);
        if (!row) {
            src_destroy(nd, src);
            continue;
        }
        if (src->dirty
            && src_refresh_acls(nd, src, idl_row_get(row, c->pg_acls))) {
            src_dirty_switches(nd, src);
            src->groups_dirty = true;
        }
        if (src->members_dirty) {
            const struct datum *diff = (src->members_full ? NULL
                                        : idl_row_get_diff(row,
                                                           c->pg_ports));
            if (diff) {
                pg_apply_members_diff(nd, src, row, diff);
            } else {
                pg_refresh_members(nd, src, row);
            }
        }
    }

    /* Switches: their own ACLs, then their class. */
    struct northd_switch *sw;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        if (sw->acls_dirty || sw->class_dirty) {
            switch_refresh_class(nd, sw);
        }
    }

    /* Flows. */
    HMAP_FOR_EACH (src, node, &nd->acl_srcs) {
        if (src->sw) {
            own_build(nd, src);
        } else if (src->groups_dirty || src->stale_apps) {
            pg_build(nd, src);
        }
    }
}

/* Frees every ACL source (at northd_destroy()). */
void
northd__acls_destroy(struct northd *nd)
{
    struct northd_acl_src *src;
    HMAP_FOR_EACH_SAFE (src, node, &nd->acl_srcs) {
        src_destroy(nd, src);
    }
}
