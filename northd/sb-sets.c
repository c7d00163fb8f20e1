/* Southbound Port_Group and Address_Set rows of kiln-northd.
 *
 * ovn-northd(8): the northbound address sets go south as they are; each
 * Port_Group goes south once per switch it has ports on, named
 * "<datapath tunnel key>_<name>", with its ports there, and as two address
 * sets "<name>_ip4" and "<name>_ip6" with its ports' addresses; a router
 * with load balancers gets "_rtr_lb_<key>_ip4/6" with its VIPs;
 * "svc_monitor_mac" holds NB_Global options:svc_monitor_mac.
 *
 * A port group can hold every port of the deployment (a default security
 * group), so the rows derived from port groups are kept incrementally:
 * 'pg_states' remembers each group's members as last written south (their
 * switch, name and addresses) and a count of each address, so that a
 * port joining, leaving or changing rewrites only the "<key>_<name>" row
 * of its switch and adds or removes its own addresses from the address
 * sets with "mutate" operations.  A full sync rebuilds the states and
 * compares every row. */
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/util.h"
#include "northd/lswitch.h"
#include "northd/northd-private.h"
#include "ovsdb/datum.h"
#include "ovsdb/schema.h"

LOG_MODULE(sb_sets);

/* One member of a port group, as last written south. */
struct pg_member {
    struct hmap_node node;      /* In pg_state.members, by uuid_hash(). */
    struct uuid port;           /* The Logical_Switch_Port. */
    struct uuid sw;             /* Its switch then... */
    long long sw_key;           /* ...with this tunnel key (0 if none). */
    char *name;                 /* Its name then.  Owned. */
    char **ips;                 /* Its IPv4 and IPv6 addresses then.
                                 * Owned, strings too. */
    size_t n_ips;               /* Number of 'ips'. */
    unsigned int mark;          /* Scratch for set differences. */
};

/* One address of a port group's members. */
struct pg_addr {
    struct hmap_node node;      /* In pg_state.addrs, by hash_string(). */
    char *addr;                 /* The address.  Owned. */
    int count;                  /* Members that have it. */
    bool written;               /* The southbound set has it. */
    bool touched;               /* In 'touched' of its state. */
};

/* A northbound Port_Group, as last written south. */
struct pg_state {
    struct hmap_node node;      /* In northd.pg_states, by uuid_hash(). */
    struct uuid uuid;           /* The Port_Group row. */
    char *name;                 /* Its name.  Owned. */
    struct hmap members;        /* Contains "struct pg_member"s. */
    struct hmap addrs;          /* Contains "struct pg_addr"s. */
    struct pg_addr **touched;   /* Addresses whose count changed since
                                 * the last sync. */
    size_t n_touched;           /* Number of 'touched'. */
    size_t allocated_touched;   /* Capacity of 'touched'. */
    bool queued;                /* In the changed list of a sync. */
};

/* Named sets northd wants written. */
struct want_set {
    struct hmap_node node;      /* By hash_string(name, 0). */
    char *name;                 /* Its name.  Owned. */
    struct datum d;             /* Its strings.  Owned. */
    bool found;                 /* A row holds it already. */
};

static const struct db_type *
col_type(const struct idl_column *col)
{
    return &idl_column_schema(col)->type;
}

static struct want_set *
want_set_find(const struct hmap *want, const char *name)
{
    struct want_set *w;
    HMAP_FOR_EACH_WITH_HASH (w, node, hash_string(name, 0), want) {
        if (!strcmp(w->name, name)) {
            return w;
        }
    }
    return NULL;
}

/* Returns the set 'name' of 'want', created empty if need be. */
static struct want_set *
want_set_get(struct hmap *want, const char *name)
{
    struct want_set *w = want_set_find(want, name);
    if (!w) {
        w = xzalloc(sizeof *w);
        w->name = xstrdup(name);
        datum_init_empty(&w->d);
        hmap_insert(want, &w->node, hash_string(name, 0));
    }
    return w;
}

static void
want_set_add(struct want_set *w, const char *value)
{
    w->d.keys = xrealloc(w->d.keys, (w->d.n + 1) * sizeof *w->d.keys);
    w->d.keys[w->d.n++].string = xstrdup(value);
}

/* Which rows of a table one sync_named_sets() call is about. */
typedef bool set_filter_func(const struct northd *, const char *name);

/* Makes the rows of 'table' (a "name" column 'name_col' and a set of
 * strings 'set_col') for which 'filter' is true (every row if 'filter' is
 * NULL) those of 'want', which it empties.  Rows it deletes are not
 * outside changes. */
static void
sync_named_sets(struct northd *nd, struct idl_txn *txn,
                struct idl_table *table, const struct idl_column *name_col,
                const struct idl_column *set_col, struct hmap *want,
                set_filter_func *filter)
{
    const struct db_type *type = col_type(set_col);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, table) {
        const char *name = idl_row_get_string(row, name_col);
        if (filter && (!name || !filter(nd, name))) {
            continue;
        }
        struct want_set *w = name ? want_set_find(want, name) : NULL;
        if (!w || w->found) {
            idl_txn_delete(txn, row);
            continue;
        }
        w->found = true;
        struct datum d;
        datum_clone(&d, &w->d, type);
        northd__set_datum(txn, row, false, set_col, &d);
    }
    struct want_set *w;
    HMAP_FOR_EACH_POP (w, node, want) {
        if (!w->found) {
            row = idl_txn_insert(txn, table);
            idl_txn_set_string(txn, row, name_col, w->name);
            struct datum d;
            datum_clone(&d, &w->d, type);
            northd__set_datum(txn, row, true, set_col, &d);
        }
        datum_destroy(&w->d, type);
        free(w->name);
        free(w);
    }
    hmap_uninit(want);
}

/* Port group states. */

static struct pg_state *
pg_state_find(const struct northd *nd, const struct uuid *u)
{
    struct pg_state *st;
    HMAP_FOR_EACH_WITH_HASH (st, node, uuid_hash(u), &nd->pg_states) {
        if (uuid_equals(&st->uuid, u)) {
            return st;
        }
    }
    return NULL;
}

/* Returns the state whose "<name>_ip4" or "<name>_ip6" set 'as' is, or
 * NULL. */
static struct pg_state *
pg_state_of_set(const struct northd *nd, const char *as)
{
    size_t len = strlen(as);
    if (len < 5 || (strcmp(as + len - 4, "_ip4")
                    && strcmp(as + len - 4, "_ip6"))) {
        return NULL;
    }
    struct pg_state *st;
    HMAP_FOR_EACH (st, node, &nd->pg_states) {
        if (strlen(st->name) == len - 4 && !strncmp(st->name, as, len - 4)) {
            return st;
        }
    }
    return NULL;
}

static struct pg_member *
pg_member_find(const struct pg_state *st, const struct uuid *port)
{
    struct pg_member *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, uuid_hash(port), &st->members) {
        if (uuid_equals(&m->port, port)) {
            return m;
        }
    }
    return NULL;
}

/* Adds 'delta' to the count of 'addr' in 'st'. */
static void
pg_addr_ref(struct pg_state *st, const char *addr, int delta)
{
    struct pg_addr *a;
    uint32_t hash = hash_string(addr, 0);
    HMAP_FOR_EACH_WITH_HASH (a, node, hash, &st->addrs) {
        if (!strcmp(a->addr, addr)) {
            goto found;
        }
    }
    a = xzalloc(sizeof *a);
    a->addr = xstrdup(addr);
    hmap_insert(&st->addrs, &a->node, hash);
found:
    a->count += delta;
    if (!a->touched) {
        a->touched = true;
        if (st->n_touched >= st->allocated_touched) {
            st->touched = x2nrealloc(st->touched, &st->allocated_touched,
                                     sizeof *st->touched);
        }
        st->touched[st->n_touched++] = a;
    }
}

/* Fills 'm' (port 'p' of row 'lsp') with what it is now and counts its
 * addresses in 'st'. */
static void
pg_member_fill(struct pg_state *st, struct pg_member *m,
               const struct northd_nb *c, const struct northd_port *p,
               const struct idl_row *lsp)
{
    m->sw = p->sw->uuid;
    m->sw_key = p->sw->has_sb_dp ? p->sw->tunnel_key : 0;
    const char *name = idl_row_get_string(lsp, c->lsp_name);
    m->name = xstrdup(name ? name : "");
    const struct datum *addrs = idl_row_get(lsp, c->lsp_addresses);
    size_t allocated = 0;
    struct ds ip = DS_EMPTY_INITIALIZER;
    for (size_t k = 0; k < addrs->n; k++) {
        struct lswitch_addresses a;
        if (!lswitch_addresses_parse(addrs->keys[k].string, &a)) {
            continue;
        }
        for (size_t j = 0; j < a.n_ip4s + a.n_ip6s; j++) {
            struct ip_prefix pfx;
            if (j < a.n_ip4s) {
                pfx = (struct ip_prefix) { .family = AF_INET,
                                           .ip4 = a.ip4s[j], .plen = 32 };
            } else {
                pfx = (struct ip_prefix) { .family = AF_INET6,
                                           .ip6 = a.ip6s[j - a.n_ip4s],
                                           .plen = 128 };
            }
            ds_clear(&ip);
            ip_prefix_format_addr(&pfx, &ip);
            if (m->n_ips >= allocated) {
                m->ips = x2nrealloc(m->ips, &allocated, sizeof *m->ips);
            }
            m->ips[m->n_ips++] = xstrdup(ds_cstr(&ip));
            pg_addr_ref(st, ds_cstr(&ip), 1);
        }
        lswitch_addresses_destroy(&a);
    }
    ds_uninit(&ip);
}

/* Uncounts the addresses of 'm' and frees what it owns. */
static void
pg_member_clear(struct pg_state *st, struct pg_member *m)
{
    for (size_t i = 0; i < m->n_ips; i++) {
        pg_addr_ref(st, m->ips[i], -1);
        free(m->ips[i]);
    }
    free(m->ips);
    m->ips = NULL;
    m->n_ips = 0;
    free(m->name);
    m->name = NULL;
}

static void
pg_state_destroy(struct northd *nd, struct pg_state *st)
{
    struct pg_member *m;
    HMAP_FOR_EACH_POP (m, node, &st->members) {
        pg_member_clear(st, m);
        free(m);
    }
    struct pg_addr *a;
    HMAP_FOR_EACH_POP (a, node, &st->addrs) {
        free(a->addr);
        free(a);
    }
    hmap_uninit(&st->members);
    hmap_uninit(&st->addrs);
    free(st->touched);
    hmap_remove(&nd->pg_states, &st->node);
    free(st->name);
    free(st);
}

/* Forgets every port group state and what is pending. */
void
northd__sets_clear(struct northd *nd)
{
    struct pg_state *st;
    HMAP_FOR_EACH_SAFE (st, node, &nd->pg_states) {
        pg_state_destroy(nd, st);
    }
    nd->pg_states_valid = false;
    nd->n_set_ports = 0;
    nd->n_set_pgs = 0;
    nd->n_set_pg_ports = 0;
}

/* Marks each touched address of 'st' written or not as the southbound set
 * will have it, freeing those no member has. */
static void
pg_state_settle(struct pg_state *st)
{
    for (size_t i = 0; i < st->n_touched; i++) {
        struct pg_addr *a = st->touched[i];
        a->touched = false;
        a->written = a->count > 0;
        if (!a->count) {
            hmap_remove(&st->addrs, &a->node);
            free(a->addr);
            free(a);
        }
    }
    st->n_touched = 0;
}

/* Makes the state of Port_Group row 'pg' from scratch. */
static struct pg_state *
pg_state_build(struct northd *nd, const struct idl_row *pg)
{
    const struct northd_nb *c = &nd->nbc;
    struct pg_state *st = xzalloc(sizeof *st);
    st->uuid = *idl_row_uuid(pg);
    st->name = xstrdup(idl_row_get_string(pg, c->pg_name));
    hmap_init(&st->members);
    hmap_init(&st->addrs);
    hmap_insert(&nd->pg_states, &st->node, uuid_hash(&st->uuid));
    const struct datum *ports = idl_row_get(pg, c->pg_ports);
    for (size_t i = 0; i < ports->n; i++) {
        const struct uuid *u = &ports->keys[i].uuid;
        struct northd_port *p = northd__port_find(nd, u);
        const struct idl_row *lsp = p ? idl_row_find(c->lsp, u) : NULL;
        if (!lsp || pg_member_find(st, u)) {
            continue;
        }
        struct pg_member *m = xzalloc(sizeof *m);
        m->port = *u;
        pg_member_fill(st, m, c, p, lsp);
        hmap_insert(&st->members, &m->node, uuid_hash(u));
    }
    return st;
}

/* Full sync. */

/* Adds to 'want' the named sets of 'st': its "<key>_<name>" port groups,
 * if 'pgs', else its two address sets. */
static void
pg_state_want(struct northd *nd, const struct pg_state *st,
              struct hmap *want, bool pgs)
{
    if (pgs) {
        const struct pg_member *m;
        HMAP_FOR_EACH (m, node, &st->members) {
            const struct northd_switch *sw = northd__switch_find(nd, &m->sw);
            if (!sw || !sw->has_sb_dp) {
                continue;
            }
            char *sb_name = xasprintf("%lld_%s", sw->tunnel_key, st->name);
            want_set_add(want_set_get(want, sb_name), m->name);
            free(sb_name);
        }
        return;
    }
    char *s4 = xasprintf("%s_ip4", st->name);
    char *s6 = xasprintf("%s_ip6", st->name);
    struct want_set *w4 = want_set_get(want, s4);
    struct want_set *w6 = want_set_get(want, s6);
    free(s4);
    free(s6);
    const struct pg_addr *a;
    HMAP_FOR_EACH (a, node, &st->addrs) {
        if (a->count > 0) {
            want_set_add(strchr(a->addr, ':') ? w6 : w4, a->addr);
        }
    }
}

/* ovn-northd(8): a router's VIPs, for its ARP and ND answers on its ports
 * of the same family. */
static void
want_router_sets(struct northd *nd, struct hmap *want)
{
    struct northd_router *lr;
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        bool has4 = false, has6 = false;    /* Link-local aside. */
        for (size_t i = 0; i < lr->n_ports; i++) {
            const struct lrouter_port *lrp = &lr->ports[i]->lrp;
            for (size_t k = 0; k < lrp->n_networks; k++) {
                if (lrp->networks[k].family == AF_INET) {
                    has4 = true;
                } else if (!lrouter_port_is_lla(&lrp->networks[k])) {
                    has6 = true;
                }
            }
        }
        if (!lr->has_sb_dp) {
            continue;
        }
        for (size_t i = 0; i < lr->n_lb_ips; i++) {
            const char *ip = lr->lb_ips[i];
            if (!(strchr(ip, ':') ? has6 : has4)) {
                continue;
            }
            char *name = xasprintf("_rtr_lb_%lld_ip%c", lr->tunnel_key,
                                   strchr(ip, ':') ? '6' : '4');
            want_set_add(want_set_get(want, name), ip);
            free(name);
        }
    }
}

/* The northbound address sets, and "svc_monitor_mac". */
static void
want_nb_sets(struct northd *nd, struct hmap *want)
{
    const struct northd_nb *n = &nd->nbc;
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, n->as) {
        const char *name = idl_row_get_string(row, n->as_name);
        if (!name) {
            continue;
        }
        struct want_set *w = want_set_get(want, name);
        const struct datum *addrs = idl_row_get(row, n->as_addresses);
        for (size_t i = 0; i < addrs->n; i++) {
            want_set_add(w, addrs->keys[i].string);
        }
    }
    const struct idl_row *ng = idl_table_first_row(n->global);
    const char *svc_mac = ng ? idl_row_get_map_string(ng, n->options,
                                                      "svc_monitor_mac")
                             : NULL;
    if (svc_mac) {
        want_set_add(want_set_get(want, "svc_monitor_mac"), svc_mac);
    }
}

static void
sync_sets_full(struct northd *nd, struct idl_txn *txn)
{
    const struct northd_nb *n = &nd->nbc;
    northd__sets_clear(nd);
    const struct idl_row *pg;
    IDL_FOR_EACH_ROW (pg, n->pg) {
        if (idl_row_get_string(pg, n->pg_name)) {
            pg_state_build(nd, pg);
        }
    }
    struct hmap want = HMAP_INITIALIZER(&want);
    struct pg_state *st;
    HMAP_FOR_EACH (st, node, &nd->pg_states) {
        pg_state_want(nd, st, &want, true);
    }
    sync_named_sets(nd, txn, nd->sbc.pg, nd->sbc.pg_name, nd->sbc.pg_ports,
                    &want, NULL);

    hmap_init(&want);
    want_nb_sets(nd, &want);
    HMAP_FOR_EACH (st, node, &nd->pg_states) {
        pg_state_want(nd, st, &want, false);
    }
    want_router_sets(nd, &want);
    sync_named_sets(nd, txn, nd->sbc.as, nd->sbc.as_name,
                    nd->sbc.as_addresses, &want, NULL);
    HMAP_FOR_EACH (st, node, &nd->pg_states) {
        pg_state_settle(st);
    }
    nd->pg_states_valid = true;
    nd->nb_as_dirty = false;
    nd->rtr_sets_dirty = false;
}

/* Incremental sync. */

static bool
is_router_set(const struct northd *nd, const char *name)
{
    (void) nd;
    return !strncmp(name, "_rtr_lb_", 8);
}

static bool
is_nb_set(const struct northd *nd, const char *name)
{
    return !is_router_set(nd, name) && !pg_state_of_set(nd, name);
}

/* A "<key>_<name>" port group row to recompute. */
struct pg_row_todo {
    struct pg_state *st;        /* The group. */
    struct uuid sw;             /* The switch... */
    long long sw_key;           /* ...with this tunnel key, if known. */
};

struct pg_todo {
    struct pg_row_todo *v;      /* Owned. */
    size_t n;                   /* Number of 'v'. */
    size_t allocated;           /* Capacity of 'v'. */
};

static void
pg_todo_add(struct pg_todo *t, struct pg_state *st,
            const struct pg_member *m)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].st == st && uuid_equals(&t->v[i].sw, &m->sw)) {
            return;
        }
    }
    if (t->n >= t->allocated) {
        t->v = x2nrealloc(t->v, &t->allocated, sizeof *t->v);
    }
    t->v[t->n++] = (struct pg_row_todo) { .st = st, .sw = m->sw,
                                          .sw_key = m->sw_key };
}

/* Makes member 'm' of 'st' what port 'p' (row 'lsp') is now; queues the
 * rows of its switches then and now if anything changed. */
static void
pg_member_refresh(struct northd *nd, struct pg_state *st, struct pg_member *m,
                  const struct northd_port *p, const struct idl_row *lsp,
                  struct pg_todo *todo)
{
    pg_todo_add(todo, st, m);
    pg_member_clear(st, m);
    pg_member_fill(st, m, &nd->nbc, p, lsp);
    pg_todo_add(todo, st, m);
}

/* Brings 'st' up to date with the members of its row 'pg'. */
static void
pg_state_diff(struct northd *nd, struct pg_state *st, const struct idl_row *pg,
              struct pg_todo *todo)
{
    const struct northd_nb *c = &nd->nbc;
    unsigned int mark = ++nd->mark;
    const struct datum *ports = idl_row_get(pg, c->pg_ports);
    for (size_t i = 0; i < ports->n; i++) {
        const struct uuid *u = &ports->keys[i].uuid;
        struct pg_member *m = pg_member_find(st, u);
        if (m) {
            m->mark = mark;
            continue;
        }
        struct northd_port *p = northd__port_find(nd, u);
        const struct idl_row *lsp = p ? idl_row_find(c->lsp, u) : NULL;
        if (!lsp) {
            continue;
        }
        m = xzalloc(sizeof *m);
        m->port = *u;
        m->mark = mark;
        pg_member_fill(st, m, c, p, lsp);
        hmap_insert(&st->members, &m->node, uuid_hash(u));
        pg_todo_add(todo, st, m);
    }
    struct pg_member *m;
    HMAP_FOR_EACH_SAFE (m, node, &st->members) {
        if (m->mark != mark) {
            pg_todo_add(todo, st, m);
            pg_member_clear(st, m);
            hmap_remove(&st->members, &m->node);
            free(m);
        }
    }
}

/* A row of a table of named sets, in an index by name. */
struct named_row {
    struct hmap_node node;      /* By hash_string(name, 0). */
    const char *name;           /* Its name (the row's).  Not owned. */
    const struct idl_row *row;  /* The row. */
};

/* Builds 'index' (of "struct named_row"s) of the rows of 'table' by their
 * 'name_col'; the first of a name only. */
static void
named_rows_index(struct hmap *index, struct idl_table *table,
                 const struct idl_column *name_col)
{
    hmap_init(index);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, table) {
        const char *name = idl_row_get_string(row, name_col);
        if (name) {
            struct named_row *r = xmalloc(sizeof *r);
            r->name = name;
            r->row = row;
            hmap_insert(index, &r->node, hash_string(name, 0));
        }
    }
}

/* Finds the row named 'name' in 'index', or NULL. */
static const struct idl_row *
named_row_find(const struct hmap *index, const char *name)
{
    const struct named_row *r;
    HMAP_FOR_EACH_WITH_HASH (r, node, hash_string(name, 0), index) {
        if (!strcmp(r->name, name)) {
            return r->row;
        }
    }
    return NULL;
}

static void
named_rows_index_destroy(struct hmap *index)
{
    struct named_row *r;
    HMAP_FOR_EACH_POP (r, node, index) {
        free(r);
    }
    hmap_uninit(index);
}

/* Writes the "<key>_<name>" row of each of 'todo'. */
static void
sync_pg_rows(struct northd *nd, struct idl_txn *txn,
             const struct pg_todo *todo)
{
    const struct northd_sb *c = &nd->sbc;
    const struct db_type *type = col_type(c->pg_ports);
    struct hmap index;
    named_rows_index(&index, c->pg, c->pg_name);
    for (size_t i = 0; i < todo->n; i++) {
        struct pg_state *st = todo->v[i].st;
        const struct northd_switch *sw = northd__switch_find(
            nd, &todo->v[i].sw);
        if (!sw || !sw->has_sb_dp) {
            /* A switch that went: its row goes. */
            char *name = xasprintf("%lld_%s", todo->v[i].sw_key, st->name);
            const struct idl_row *row = named_row_find(&index, name);
            if (row && todo->v[i].sw_key) {
                idl_txn_delete(txn, row);
            }
            free(name);
            continue;
        }
        struct datum d;
        datum_init_empty(&d);
        size_t allocated = 0;
        const struct northd_port *p;
        LIST_FOR_EACH (p, sw_node, &sw->ports) {
            const struct pg_member *m = pg_member_find(st, &p->uuid);
            if (m && uuid_equals(&m->sw, &sw->uuid)) {
                if (d.n >= allocated) {
                    d.keys = x2nrealloc(d.keys, &allocated, sizeof *d.keys);
                }
                d.keys[d.n++].string = xstrdup(m->name);
            }
        }
        char *name = xasprintf("%lld_%s", sw->tunnel_key, st->name);
        const struct idl_row *row = named_row_find(&index, name);
        if (!d.n) {
            if (row) {
                idl_txn_delete(txn, row);
            }
            datum_destroy(&d, type);
        } else if (row) {
            northd__set_datum(txn, row, false, c->pg_ports, &d);
        } else {
            row = idl_txn_insert(txn, c->pg);
            idl_txn_set_string(txn, row, c->pg_name, name);
            northd__set_datum(txn, row, true, c->pg_ports, &d);
        }
        free(name);
    }
    named_rows_index_destroy(&index);
}

/* Writes the address set changes of 'st': the addresses whose count went
 * from or to zero, as mutations (or the whole set into a new row). */
static void
sync_pg_addrs(struct northd *nd, struct idl_txn *txn, struct pg_state *st,
              const struct hmap *as_index)
{
    const struct northd_sb *c = &nd->sbc;
    for (int v6 = 0; v6 < 2; v6++) {
        char *name = xasprintf("%s_ip%c", st->name, v6 ? '6' : '4');
        const struct idl_row *row = named_row_find(as_index, name);
        if (!row) {
            /* Its first address of the family, or the row went. */
            struct datum d;
            datum_init_empty(&d);
            size_t allocated = 0;
            const struct pg_addr *a;
            HMAP_FOR_EACH (a, node, &st->addrs) {
                if (a->count > 0 && !strchr(a->addr, ':') == !v6) {
                    if (d.n >= allocated) {
                        d.keys = x2nrealloc(d.keys, &allocated,
                                            sizeof *d.keys);
                    }
                    d.keys[d.n++].string = xstrdup(a->addr);
                }
            }
            row = idl_txn_insert(txn, c->as);
            idl_txn_set_string(txn, row, c->as_name, name);
            northd__set_datum(txn, row, true, c->as_addresses, &d);
            free(name);
            continue;
        }
        for (size_t i = 0; i < st->n_touched; i++) {
            const struct pg_addr *a = st->touched[i];
            bool want = a->count > 0;
            if (!strchr(a->addr, ':') != !v6 || want == a->written) {
                continue;
            }
            union atom atom = { .string = a->addr };
            if (want) {
                idl_txn_add_to_set(txn, row, c->as_addresses, &atom);
            } else {
                idl_txn_remove_from_set(txn, row, c->as_addresses, &atom);
            }
        }
        free(name);
    }
    pg_state_settle(st);
}

/* Follows the changes queued since the last sync.  Returns false if it
 * cannot (a port group was renamed): the caller syncs in full. */
static bool
sync_sets_incr(struct northd *nd, struct idl_txn *txn)
{
    const struct northd_nb *c = &nd->nbc;
    struct pg_todo todo = { .v = NULL };
    struct hmap as_index;
    bool ok = true;

    /* Port groups that changed: new, deleted, members. */
    struct pg_state **changed = xcalloc(nd->n_set_pgs + 1, sizeof *changed);
    size_t n_changed = 0;
    for (size_t i = 0; i < nd->n_set_pgs && ok; i++) {
        const struct uuid *u = &nd->set_pgs[i];
        const struct idl_row *pg = idl_row_find(c->pg, u);
        const char *name = pg ? idl_row_get_string(pg, c->pg_name) : NULL;
        struct pg_state *st = pg_state_find(nd, u);
        if (st && (!name || strcmp(name, st->name))) {
            ok = false;         /* Deleted or renamed: rows to remove. */
        } else if (!st && name) {
            ok = !pg_state_of_set(nd, name);
            st = pg_state_build(nd, pg);
            struct pg_member *m;
            HMAP_FOR_EACH (m, node, &st->members) {
                pg_todo_add(&todo, st, m);
            }
        } else if (st) {
            pg_state_diff(nd, st, pg, &todo);
        }
        if (st && !st->queued) {
            st->queued = true;
            changed[n_changed++] = st;
        }
    }
    /* Ports that came to or went from a group. */
    for (size_t i = 0; i + 1 < nd->n_set_pg_ports && ok; i += 2) {
        const struct uuid *u = &nd->set_pg_ports[i + 1];
        struct pg_state *st = pg_state_find(nd, &nd->set_pg_ports[i]);
        const struct idl_row *pg = st ? idl_row_find(c->pg, &st->uuid)
                                      : NULL;
        if (!pg) {
            continue;           /* New or deleted: in 'set_pgs'. */
        }
        union atom key = { .uuid = *u };
        bool in = datum_find_key(idl_row_get(pg, c->pg_ports), &key,
                                 DB_TYPE_UUID) != SIZE_MAX;
        struct pg_member *m = pg_member_find(st, u);
        if (in && !m) {
            struct northd_port *p = northd__port_find(nd, u);
            const struct idl_row *lsp = p ? idl_row_find(c->lsp, u) : NULL;
            if (!lsp) {
                continue;
            }
            m = xzalloc(sizeof *m);
            m->port = *u;
            pg_member_fill(st, m, c, p, lsp);
            hmap_insert(&st->members, &m->node, uuid_hash(u));
            pg_todo_add(&todo, st, m);
        } else if (!in && m) {
            pg_todo_add(&todo, st, m);
            pg_member_clear(st, m);
            hmap_remove(&st->members, &m->node);
            free(m);
        } else {
            continue;
        }
        if (!st->queued) {
            st->queued = true;
            changed = xrealloc(changed, (n_changed + 1) * sizeof *changed);
            changed[n_changed++] = st;
        }
    }

    /* Ports whose name, addresses or switch may have changed. */
    for (size_t i = 0; i < nd->n_set_ports && ok; i++) {
        const struct uuid *u = &nd->set_ports[i];
        struct northd_port *p = northd__port_find(nd, u);
        const struct idl_row *lsp = p ? idl_row_find(c->lsp, u) : NULL;
        if (!lsp) {
            continue;           /* Gone: left its groups' "ports" too. */
        }
        for (size_t k = 0; k < p->sw->n_pgs; k++) {
            struct pg_state *st = pg_state_find(nd, &p->sw->pgs[k]);
            struct pg_member *m = st ? pg_member_find(st, u) : NULL;
            if (m) {
                pg_member_refresh(nd, st, m, p, lsp, &todo);
                if (!st->queued) {
                    st->queued = true;
                    changed = xrealloc(changed,
                                       (n_changed + 1) * sizeof *changed);
                    changed[n_changed++] = st;
                }
            }
        }
    }
    if (ok) {
        sync_pg_rows(nd, txn, &todo);
        named_rows_index(&as_index, nd->sbc.as, nd->sbc.as_name);
        for (size_t i = 0; i < n_changed; i++) {
            sync_pg_addrs(nd, txn, changed[i], &as_index);
        }
        named_rows_index_destroy(&as_index);
        if (nd->nb_as_dirty) {
            struct hmap want = HMAP_INITIALIZER(&want);
            want_nb_sets(nd, &want);
            sync_named_sets(nd, txn, nd->sbc.as, nd->sbc.as_name,
                            nd->sbc.as_addresses, &want, is_nb_set);
            nd->nb_as_dirty = false;
        }
        if (nd->rtr_sets_dirty) {
            struct hmap want = HMAP_INITIALIZER(&want);
            want_router_sets(nd, &want);
            sync_named_sets(nd, txn, nd->sbc.as, nd->sbc.as_name,
                            nd->sbc.as_addresses, &want, is_router_set);
            nd->rtr_sets_dirty = false;
        }
    }
    for (size_t i = 0; i < n_changed; i++) {
        changed[i]->queued = false;
    }
    free(changed);
    free(todo.v);
    nd->n_set_ports = 0;
    nd->n_set_pgs = 0;
    nd->n_set_pg_ports = 0;
    return ok;
}

/* Syncs the Port_Group and Address_Set rows: all of them if 'full' or no
 * full sync built the port group states yet, else what changed. */
void
northd__sync_sets(struct northd *nd, struct idl_txn *txn, bool full)
{
    if (full || !nd->pg_states_valid || !sync_sets_incr(nd, txn)) {
        sync_sets_full(nd, txn);
    }
}

static void
uuid_list_add(struct uuid **v, size_t *n, size_t *allocated,
              const struct uuid *u)
{
    if (*n >= *allocated) {
        *v = x2nrealloc(*v, allocated, sizeof **v);
    }
    (*v)[(*n)++] = *u;
}

/* Queues port 'port' (new, moved, renamed or readdressed) for the next
 * sync of the port groups it is in. */
void
northd__sets_port_changed(struct northd *nd, const struct uuid *port)
{
    if (nd->pg_states_valid) {
        uuid_list_add(&nd->set_ports, &nd->n_set_ports,
                      &nd->allocated_set_ports, port);
    }
}

/* Queues Port_Group 'pg' (new, changed or deleted) for the next sync:
 * only the ports of 'ports_diff' (those that came or went) if it is not
 * NULL, else the whole group. */
void
northd__sets_pg_changed(struct northd *nd, const struct uuid *pg,
                        const struct datum *ports_diff)
{
    if (!nd->pg_states_valid) {
        return;
    }
    if (!ports_diff) {
        uuid_list_add(&nd->set_pgs, &nd->n_set_pgs, &nd->allocated_set_pgs,
                      pg);
        return;
    }
    for (size_t i = 0; i < ports_diff->n; i++) {
        uuid_list_add(&nd->set_pg_ports, &nd->n_set_pg_ports,
                      &nd->allocated_set_pg_ports, pg);
        uuid_list_add(&nd->set_pg_ports, &nd->n_set_pg_ports,
                      &nd->allocated_set_pg_ports,
                      &ports_diff->keys[i].uuid);
    }
}
