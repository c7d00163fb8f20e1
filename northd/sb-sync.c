/* Southbound bookkeeping of kiln-northd: SB_Global, Datapath_Binding,
 * Port_Binding and Multicast_Group rows for the compiled switches and
 * ports, Port_Group, Address_Set and Meter copies, with tunnel keys that
 * stay what the southbound rows already say
 * (so they survive recompiles and restarts), and the northbound answers:
 * NB_Global sb_cfg and hv_cfg, Logical_Switch_Port "up".
 *
 * Each sync compares every compiled switch and port with its rows and
 * writes only what differs.  ovn-sb(5) gives the meaning of each column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/strmap.h"
#include "lib/util.h"
#include "northd/dhcp.h"
#include "northd/lswitch.h"
#include "northd/northd-private.h"
#include "ovsdb/datum.h"
#include "ovsdb/schema.h"

LOG_MODULE(sb_sync);

/* ovn-sb(5) Datapath_Binding "tunnel_key" and Port_Binding "tunnel_key"
 * ranges, and Multicast_Group keys: "_MC_flood" is 32768, "_MC_unknown"
 * 32769, "_MC_flood_l2" 32772. */
#define DP_KEY_MAX ((1 << 24) - 1)
#define PORT_KEY_MAX 32767
#define MC_FLOOD_KEY 32768
#define MC_UNKNOWN_KEY 32769
#define MC_FLOOD_L2_KEY 32772

/* A set of tunnel keys in use. */
struct key_set {
    struct hmap keys;           /* Contains "struct key_node"s. */
    long long hint;             /* Where to look for a free key next. */
};

struct key_node {
    struct hmap_node node;      /* In key_set.keys. */
    long long key;              /* The key. */
};

static void
key_set_init(struct key_set *ks)
{
    hmap_init(&ks->keys);
    ks->hint = 1;
}

static void
key_set_uninit(struct key_set *ks)
{
    struct key_node *k;
    HMAP_FOR_EACH_POP (k, node, &ks->keys) {
        free(k);
    }
    hmap_uninit(&ks->keys);
}

static bool
key_set_contains(const struct key_set *ks, long long key)
{
    struct key_node *k;
    HMAP_FOR_EACH_WITH_HASH (k, node, hash_uint64(key, 0), &ks->keys) {
        if (k->key == key) {
            return true;
        }
    }
    return false;
}

/* Adds 'key'; returns false if it was there already. */
static bool
key_set_add(struct key_set *ks, long long key)
{
    if (key_set_contains(ks, key)) {
        return false;
    }
    struct key_node *k = xmalloc(sizeof *k);
    k->key = key;
    hmap_insert(&ks->keys, &k->node, hash_uint64(key, 0));
    return true;
}

/* Removes 'key' if it is there. */
static void
key_set_remove(struct key_set *ks, long long key)
{
    struct key_node *k;
    HMAP_FOR_EACH_WITH_HASH (k, node, hash_uint64(key, 0), &ks->keys) {
        if (k->key == key) {
            hmap_remove(&ks->keys, &k->node);
            free(k);
            return;
        }
    }
}

/* Takes and returns a free key in 1..'max', or 0 if none is left. */
static long long
key_set_alloc(struct key_set *ks, long long max)
{
    for (long long i = 0; i < max; i++) {
        long long key = (ks->hint + i - 1) % max + 1;
        if (!key_set_contains(ks, key)) {
            key_set_add(ks, key);
            ks->hint = key % max + 1;
            return key;
        }
    }
    return 0;
}

/* Column writers that skip unchanged values. */

static const struct db_type *
col_type(const struct idl_column *col)
{
    return &idl_column_schema(col)->type;
}

/* Sets 'col' of 'row' to 'd' (taking its contents) unless 'row' already
 * has that value and was not just inserted. */
static void
set_datum(struct idl_txn *txn, const struct idl_row *row, bool is_new,
          const struct idl_column *col, struct datum *d)
{
    const struct db_type *type = col_type(col);
    struct db_error *error = datum_sort_unique(d, type);
    ASSERT(!error);
    if (is_new || !datum_equals(idl_row_get(row, col), d, type)) {
        idl_txn_set(txn, row, col, d);
    }
    datum_destroy(d, type);
}

/* set_datum(), for sb-sets.c. */
void
northd__set_datum(struct idl_txn *txn, const struct idl_row *row,
                  bool is_new, const struct idl_column *col, struct datum *d)
{
    set_datum(txn, row, is_new, col, d);
}

/* Copies 'src_col' of northbound row 'src' into 'col' of 'row'. */
static void
copy_datum(struct idl_txn *txn, const struct idl_row *row, bool is_new,
           const struct idl_column *col, const struct idl_row *src,
           const struct idl_column *src_col)
{
    struct datum d;
    datum_clone(&d, idl_row_get(src, src_col), col_type(src_col));
    set_datum(txn, row, is_new, col, &d);
}

static void
set_integer(struct idl_txn *txn, const struct idl_row *row, bool is_new,
            const struct idl_column *col, long long value)
{
    if (is_new || idl_row_get_integer(row, col, value - 1) != value) {
        idl_txn_set_integer(txn, row, col, value);
    }
}

static void
set_string(struct idl_txn *txn, const struct idl_row *row, bool is_new,
           const struct idl_column *col, const char *value)
{
    const char *old = idl_row_get_string(row, col);
    if (is_new || !old || strcmp(old, value)) {
        idl_txn_set_string(txn, row, col, value);
    }
}

static void
set_uuid(struct idl_txn *txn, const struct idl_row *row, bool is_new,
         const struct idl_column *col, const struct uuid *value)
{
    const struct datum *d = idl_row_get(row, col);
    if (is_new || d->n != 1 || !uuid_equals(&d->keys[0].uuid, value)) {
        idl_txn_set_uuid(txn, row, col, value);
    }
}

static void
set_strmap(struct idl_txn *txn, const struct idl_row *row, bool is_new,
           const struct idl_column *col, const struct strmap *map)
{
    struct datum d;
    datum_init_alloc(&d, strmap_count(map), true);
    size_t i = 0;
    const struct strmap_node *node;
    STRMAP_FOR_EACH (node, map) {
        d.keys[i].string = xstrdup(node->key);
        d.values[i].string = xstrdup(node->value);
        i++;
    }
    set_datum(txn, row, is_new, col, &d);
}

static void
datum_to_strmap(const struct datum *d, struct strmap *map)
{
    for (size_t i = 0; i < d->n; i++) {
        strmap_replace(map, d->keys[i].string, d->values[i].string);
    }
}

/* SB_Global. */

static void
sync_sb_global(struct northd *nd, struct idl_txn *txn, long long nb_cfg)
{
    const struct idl_row *ng = idl_table_first_row(nd->nbc.global);
    const struct idl_row *sg = idl_table_first_row(nd->sbc.global);
    bool is_new = !sg;
    if (is_new) {
        sg = idl_txn_insert(txn, nd->sbc.global);
    }

    /* ovn-northd(8): the northbound options go south, with the maximum
     * tunnel key. */
    struct strmap options;
    strmap_init(&options);
    if (ng) {
        datum_to_strmap(idl_row_get(ng, nd->nbc.options), &options);
    }
    strmap_replace(&options, "max_tunid", "16711680");
    set_strmap(txn, sg, is_new, nd->sbc.options, &options);
    strmap_uninit(&options);

    set_integer(txn, sg, is_new, nd->sbc.nb_cfg, nb_cfg);
}

/* Datapath_Binding. */

/* Returns true if it deleted a Datapath_Binding. */
static bool
sync_datapaths(struct northd *nd, struct idl_txn *txn)
{
    bool deleted = false;
    const struct northd_sb *c = &nd->sbc;
    struct key_set keys;
    key_set_init(&keys);

    struct northd_switch *sw;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        sw->has_sb_dp = false;
    }
    struct northd_router *lr;
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        lr->has_sb_dp = false;
    }

    /* Claim the existing rows: the first for each switch or router keeps
     * its key. */
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->dp) {
        const char *ls = idl_row_get_map_string(row, c->dp_external_ids,
                                                "logical-switch");
        const char *lrs = idl_row_get_map_string(row, c->dp_external_ids,
                                                 "logical-router");
        struct uuid u;
        sw = ls && uuid_from_string(&u, ls) ? northd__switch_find(nd, &u)
                                            : NULL;
        lr = (!ls && lrs && uuid_from_string(&u, lrs)
              ? northd__router_find(nd, &u) : NULL);
        struct uuid *sb_dp = sw ? &sw->sb_dp : lr ? &lr->sb_dp : NULL;
        bool *has = sw ? &sw->has_sb_dp : lr ? &lr->has_sb_dp : NULL;
        long long key = idl_row_get_integer(row, c->dp_tunnel_key, 0);
        if (!has || *has || !key_set_add(&keys, key)) {
            idl_txn_delete(txn, row);
            deleted = true;
            continue;
        }
        *sb_dp = *idl_row_uuid(row);
        *has = true;
        if (sw) {
            sw->tunnel_key = key;
        } else {
            northd__router_set_key(nd, lr, key);
        }
    }

    HMAP_FOR_EACH (sw, node, &nd->switches) {
        bool is_new = !sw->has_sb_dp;
        if (is_new) {
            long long key = key_set_alloc(&keys, DP_KEY_MAX);
            if (!key) {
                static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(1, 5);
                LOG_WARN_RL(&rl, "out of datapath tunnel keys");
                continue;
            }
            row = idl_txn_insert(txn, c->dp);
            idl_txn_set_integer(txn, row, c->dp_tunnel_key, key);
            sw->sb_dp = *idl_row_uuid(row);
            sw->has_sb_dp = true;
            sw->tunnel_key = key;
        } else {
            row = idl_row_find(c->dp, &sw->sb_dp);
        }
        char u[UUID_LEN + 1];
        uuid_to_buffer(&sw->uuid, u);
        struct strmap ids;
        strmap_init(&ids);
        strmap_add(&ids, "logical-switch", u);
        strmap_add(&ids, "name", sw->name);
        set_strmap(txn, row, is_new, c->dp_external_ids, &ids);
        strmap_uninit(&ids);
    }
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        bool is_new = !lr->has_sb_dp;
        if (is_new) {
            long long key = key_set_alloc(&keys, DP_KEY_MAX);
            if (!key) {
                continue;
            }
            row = idl_txn_insert(txn, c->dp);
            idl_txn_set_integer(txn, row, c->dp_tunnel_key, key);
            lr->sb_dp = *idl_row_uuid(row);
            lr->has_sb_dp = true;
            northd__router_set_key(nd, lr, key);
        } else {
            row = idl_row_find(c->dp, &lr->sb_dp);
        }
        char u[UUID_LEN + 1];
        uuid_to_buffer(&lr->uuid, u);
        struct strmap ids;
        strmap_init(&ids);
        strmap_add(&ids, "logical-router", u);
        strmap_add(&ids, "name", lr->name);
        set_strmap(txn, row, is_new, c->dp_external_ids, &ids);
        strmap_uninit(&ids);
    }
    key_set_uninit(&keys);
    return deleted;
}

/* MAC_Binding: ovn-controller learns them, northd removes those of router
 * ports and routers that are gone (a datapath's, which refer to it
 * strongly, in the transaction that deletes it). */
static void
sync_mac_bindings(struct northd *nd, struct idl_txn *txn)
{
    const struct northd_sb *c = &nd->sbc;
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->mb) {
        const char *port = idl_row_get_string(row, c->mb_logical_port);
        const struct datum *dp = idl_row_get(row, c->mb_datapath);
        const struct northd_rport *rp = port ? northd__rport_find(nd, port)
                                             : NULL;
        if (!rp && port && !strncmp(port, "cr-", 3)) {
            rp = northd__rport_find(nd, port + 3);  /* Its gateway port's. */
            rp = rp && rp->lrp.is_dgp ? rp : NULL;
        }
        if (!rp || !rp->lr->has_sb_dp || dp->n != 1
            || !uuid_equals(&dp->keys[0].uuid, &rp->lr->sb_dp)) {
            idl_txn_delete(txn, row);
        }
    }
}

/* HA_Chassis_Group. */

/* Fills 'members' (chassis name -> priority) with the members of the
 * HA_Chassis_Group that router port 'lrp' (named 'port') wants: its
 * Gateway_Chassis rows, or the HA_Chassis of its northbound
 * HA_Chassis_Group.  Returns the group's name: the northbound group's, or
 * the port's. */
static const char *
hacg_want(const struct northd *nd, const struct idl_row *lrp,
          const char *port, struct strmap *members)
{
    const struct northd_nb *n = &nd->nbc;
    const struct datum *g = idl_row_get(lrp, n->lrp_ha_chassis_group);
    const struct idl_row *grp = g->n ? idl_row_find(n->hacg,
                                                    &g->keys[0].uuid)
                                     : NULL;
    const char *name = port;
    const struct datum *list;
    const struct idl_column *cname, *prio;
    const struct idl_table *table;
    if (grp) {
        const char *gname = idl_row_get_string(grp, n->hacg_name);
        name = gname ? gname : "";
        list = idl_row_get(grp, n->hacg_ha_chassis);
        table = n->hac;
        cname = n->hac_chassis_name;
        prio = n->hac_priority;
    } else {
        list = idl_row_get(lrp, n->lrp_gateway_chassis);
        table = n->gwc;
        cname = n->gwc_chassis_name;
        prio = n->gwc_priority;
    }
    for (size_t i = 0; i < list->n; i++) {
        const struct idl_row *r = idl_row_find(table, &list->keys[i].uuid);
        const char *ch = r ? idl_row_get_string(r, cname) : NULL;
        if (ch) {
            char p[32];
            snprintf(p, sizeof p, "%lld", idl_row_get_integer(r, prio, 0));
            strmap_replace(members, ch, p);
        }
    }
    return name;
}

/* Finds the southbound Chassis named 'name'. */
static const struct idl_row *
chassis_find(const struct northd *nd, const char *name)
{
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, nd->sbc.chassis) {
        const char *n = idl_row_get_string(row, nd->sbc.chassis_name);
        if (n && !strcmp(n, name)) {
            return row;
        }
    }
    return NULL;
}

/* Describes in 'key' the members of the southbound HA_Chassis_Group
 * 'row', as "chassis-name:priority:bound;" sorted. */
static void
hacg_have_key(const struct northd *nd, const struct idl_row *row,
              struct ds *key)
{
    const struct northd_sb *c = &nd->sbc;
    const struct datum *list = idl_row_get(row, c->hacg_ha_chassis);
    struct strmap m;
    strmap_init(&m);
    for (size_t i = 0; i < list->n; i++) {
        const struct idl_row *h = idl_row_find(c->hac, &list->keys[i].uuid);
        const char *ch = h ? idl_row_get_map_string(h, c->hac_external_ids,
                                                    "chassis-name")
                           : NULL;
        if (ch) {
            char v[48];
            snprintf(v, sizeof v, "%lld:%d",
                     idl_row_get_integer(h, c->hac_priority, 0),
                     idl_row_get(h, c->hac_chassis)->n > 0);
            strmap_replace(&m, ch, v);
        }
    }
    const struct strmap_node **sorted = strmap_sort(&m);
    for (size_t i = 0; i < strmap_count(&m); i++) {
        ds_put_format(key, "%s:%s;", sorted[i]->key, sorted[i]->value);
    }
    free(sorted);
    strmap_uninit(&m);
}

/* ovn-northd(8): each distributed gateway port has a southbound
 * HA_Chassis_Group (named after its northbound group, or after the port
 * for "gateway_chassis") with one HA_Chassis per chassis, which
 * ovn-controller uses to bind its "cr-<port>".  A group whose members
 * changed is replaced.  Sets each port's 'sb_hacg'. */
static void
sync_ha_chassis_groups(struct northd *nd, struct idl_txn *txn)
{
    const struct northd_sb *c = &nd->sbc;
    struct strmap want;         /* Group name -> members key. */
    strmap_init(&want);
    struct strmap made;         /* Group name -> row UUID string. */
    strmap_init(&made);
    struct northd_rport *rp;
    HMAP_FOR_EACH (rp, node, &nd->rports) {
        rp->has_sb_hacg = false;
        const struct idl_row *lrp = idl_row_find(nd->nbc.lrp,
                                                 &rp->lrp.uuid);
        if (!rp->lrp.is_dgp || !lrp) {
            continue;
        }
        struct strmap members;
        strmap_init(&members);
        const char *name = hacg_want(nd, lrp, rp->lrp.name, &members);
        struct ds key = DS_EMPTY_INITIALIZER;
        const struct strmap_node **sorted = strmap_sort(&members);
        for (size_t i = 0; i < strmap_count(&members); i++) {
            ds_put_format(&key, "%s:%s:%d;", sorted[i]->key,
                          sorted[i]->value,
                          chassis_find(nd, sorted[i]->key) != NULL);
        }
        free(sorted);
        strmap_replace(&want, name, ds_cstr(&key));
        ds_uninit(&key);
        strmap_uninit(&members);
    }

    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->hacg) {
        const char *name = idl_row_get_string(row, c->hacg_name);
        const char *w = name ? strmap_find(&want, name) : NULL;
        struct ds key = DS_EMPTY_INITIALIZER;
        hacg_have_key(nd, row, &key);
        if (!w || strcmp(w, ds_cstr(&key)) || strmap_contains(&made, name)) {
            idl_txn_delete(txn, row);   /* Its HA_Chassis go with it. */
        } else {
            char u[UUID_LEN + 1];
            uuid_to_buffer(idl_row_uuid(row), u);
            strmap_add(&made, name, u);
        }
        ds_uninit(&key);
    }

    HMAP_FOR_EACH (rp, node, &nd->rports) {
        const struct idl_row *lrp = idl_row_find(nd->nbc.lrp,
                                                 &rp->lrp.uuid);
        if (!rp->lrp.is_dgp || !lrp) {
            continue;
        }
        struct strmap members;
        strmap_init(&members);
        const char *name = hacg_want(nd, lrp, rp->lrp.name, &members);
        const char *u = strmap_find(&made, name);
        if (!u) {
            struct datum d;
            datum_init_empty(&d);
            const struct strmap_node **sorted = strmap_sort(&members);
            for (size_t i = 0; i < strmap_count(&members); i++) {
                const struct strmap_node *node = sorted[i];
                const struct idl_row *h = idl_txn_insert(txn, c->hac);
                idl_txn_set_integer(txn, h, c->hac_priority,
                                    atoll(node->value));
                struct strmap ids;
                strmap_init(&ids);
                strmap_add(&ids, "chassis-name", node->key);
                set_strmap(txn, h, true, c->hac_external_ids, &ids);
                strmap_uninit(&ids);
                const struct idl_row *ch = chassis_find(nd, node->key);
                if (ch) {
                    idl_txn_set_uuid(txn, h, c->hac_chassis,
                                     idl_row_uuid(ch));
                }
                d.keys = xrealloc(d.keys, (d.n + 1) * sizeof *d.keys);
                d.keys[d.n++].uuid = *idl_row_uuid(h);
            }
            free(sorted);
            const struct idl_row *g = idl_txn_insert(txn, c->hacg);
            idl_txn_set_string(txn, g, c->hacg_name, name);
            set_datum(txn, g, true, c->hacg_ha_chassis, &d);
            char us[UUID_LEN + 1];
            uuid_to_buffer(idl_row_uuid(g), us);
            strmap_add(&made, name, us);
            u = strmap_find(&made, name);
        }
        rp->has_sb_hacg = uuid_from_string(&rp->sb_hacg, u);
        strmap_uninit(&members);
    }
    strmap_uninit(&want);
    strmap_uninit(&made);
}

/* Port_Binding. */

/* A port's binding, found or made. */
struct pb_ref {
    const struct idl_row *row;  /* Its Port_Binding, or NULL. */
    bool is_new;                /* 'row' was inserted by this sync. */
};

static void
pb_fill(struct northd *nd, struct idl_txn *txn, const struct northd_port *p,
        const struct idl_row *lsp, const struct idl_row *pb, bool is_new)
{
    const struct northd_sb *c = &nd->sbc;
    const struct northd_nb *n = &nd->nbc;
    const char *name = idl_row_get_string(lsp, n->lsp_name);
    const char *type = idl_row_get_string(lsp, n->lsp_type);

    set_string(txn, pb, is_new, c->pb_logical_port, name ? name : "");
    set_uuid(txn, pb, is_new, c->pb_datapath, &p->sw->sb_dp);
    copy_datum(txn, pb, is_new, c->pb_mac, lsp, n->lsp_addresses);
    if (type && !strcmp(type, "router")) {
        /* ovn-northd(8): a switch's router port is one end of a patch
         * whose other end is the router port. */
        const char *peer = idl_row_get_map_string(lsp, n->lsp_options,
                                                  "router-port");
        const struct northd_rport *rp = peer ? northd__rport_find(nd, peer)
                                             : NULL;
        const char *chassis = rp ? rp->lr->chassis : NULL;
        /* ...or, on a gateway router, an "l3gateway" pinned to its
         * chassis. */
        set_string(txn, pb, is_new, c->pb_type,
                   chassis ? "l3gateway" : "patch");
        struct strmap options;
        strmap_init(&options);
        if (chassis) {
            strmap_add(&options, "l3gateway-chassis", chassis);
        }
        if (peer) {
            strmap_add(&options, "peer", peer);
        }
        set_strmap(txn, pb, is_new, c->pb_options, &options);
        strmap_uninit(&options);
    } else {
        set_string(txn, pb, is_new, c->pb_type, type ? type : "");
        copy_datum(txn, pb, is_new, c->pb_options, lsp, n->lsp_options);
    }
    copy_datum(txn, pb, is_new, c->pb_parent_port, lsp, n->lsp_parent_name);
    /* ovn-nb(5): a nonzero "tag_request" is the tag. */
    long long tag = idl_row_get_integer(lsp, n->lsp_tag_request, 0);
    if (tag > 0) {
        struct datum d;
        datum_init_alloc(&d, 1, false);
        d.keys[0].integer = tag;
        set_datum(txn, pb, is_new, c->pb_tag, &d);
    } else {
        copy_datum(txn, pb, is_new, c->pb_tag, lsp, n->lsp_tag);
    }
    copy_datum(txn, pb, is_new, c->pb_port_security, lsp,
               n->lsp_port_security);
    copy_datum(txn, pb, is_new, c->pb_external_ids, lsp, n->lsp_external_ids);
    if (is_new) {
        /* ovn-controller sets it true once it binds the port. */
        idl_txn_set_boolean(txn, pb, c->pb_up, false);
    }
}

/* The Port_Binding of a router port: the other end of the patch from its
 * peer switch port. */
static void
pb_fill_router(struct northd *nd, struct idl_txn *txn,
               const struct northd_rport *rp, const struct idl_row *pb,
               bool is_new)
{
    const struct northd_sb *c = &nd->sbc;
    const struct idl_row *lrp = idl_row_find(nd->nbc.lrp, &rp->lrp.uuid);
    set_string(txn, pb, is_new, c->pb_logical_port, rp->lrp.name);
    set_uuid(txn, pb, is_new, c->pb_datapath, &rp->lr->sb_dp);
    set_string(txn, pb, is_new, c->pb_type,
               rp->lr->chassis ? "l3gateway" : "patch");

    struct strmap options;
    strmap_init(&options);
    if (rp->lr->chassis) {
        strmap_add(&options, "l3gateway-chassis", rp->lr->chassis);
    }
    if (rp->peer) {
        strmap_add(&options, "peer", rp->peer);     /* Its switch port. */
    } else if (rp->lrp.peer && northd__rport_find(nd, rp->lrp.peer)) {
        strmap_add(&options, "peer", rp->lrp.peer); /* A router's port. */
    }
    char *cr = xasprintf("cr-%s", rp->lrp.name);
    if (rp->lrp.is_dgp) {
        strmap_add(&options, "chassis-redirect-port", cr);
    }
    set_strmap(txn, pb, is_new, c->pb_options, &options);
    strmap_uninit(&options);
    free(cr);

    /* "mac": the MAC and the networks, as one string. */
    struct ds mac = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&mac, rp->lrp.ea_s);
    const struct datum *nets = lrp ? idl_row_get(lrp, nd->nbc.lrp_networks)
                                   : NULL;
    for (size_t i = 0; nets && i < nets->n; i++) {
        ds_put_format(&mac, " %s", nets->keys[i].string);
    }
    struct datum d;
    datum_init_alloc(&d, 1, false);
    d.keys[0].string = ds_steal_cstr(&mac);
    set_datum(txn, pb, is_new, c->pb_mac, &d);

    const struct idl_column *cols[] = { c->pb_parent_port, c->pb_tag,
                                        c->pb_port_security,
                                        c->pb_external_ids };
    for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
        struct datum e;
        datum_init_empty(&e);
        set_datum(txn, pb, is_new, cols[i], &e);
    }
    if (is_new) {
        idl_txn_set_boolean(txn, pb, c->pb_up, false);
    }
}

/* The Port_Binding "cr-<port>" of distributed gateway port 'rp': a
 * "chassisredirect" port on the router, with the same "mac", that its
 * HA_Chassis_Group binds to the gateway chassis; "always-redirect" unless
 * the router has distributed NAT rules. */
static void
pb_fill_cr(struct northd *nd, struct idl_txn *txn,
           const struct northd_rport *rp, const struct idl_row *pb,
           bool is_new)
{
    const struct northd_sb *c = &nd->sbc;
    const struct idl_row *lrp = idl_row_find(nd->nbc.lrp, &rp->lrp.uuid);
    char *name = xasprintf("cr-%s", rp->lrp.name);
    set_string(txn, pb, is_new, c->pb_logical_port, name);
    free(name);
    set_uuid(txn, pb, is_new, c->pb_datapath, &rp->lr->sb_dp);
    set_string(txn, pb, is_new, c->pb_type, "chassisredirect");
    struct strmap options;
    strmap_init(&options);
    if (!rp->lr->nat_macs || !rp->lr->nat_macs[0]) {
        /* Without distributed NAT, everything goes through the gateway
         * chassis. */
        strmap_add(&options, "always-redirect", "true");
    }
    strmap_add(&options, "distributed-port", rp->lrp.name);
    set_strmap(txn, pb, is_new, c->pb_options, &options);
    strmap_uninit(&options);

    struct ds mac = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&mac, rp->lrp.ea_s);
    const struct datum *nets = lrp ? idl_row_get(lrp, nd->nbc.lrp_networks)
                                   : NULL;
    for (size_t i = 0; nets && i < nets->n; i++) {
        ds_put_format(&mac, " %s", nets->keys[i].string);
    }
    struct datum d;
    datum_init_alloc(&d, 1, false);
    d.keys[0].string = ds_steal_cstr(&mac);
    set_datum(txn, pb, is_new, c->pb_mac, &d);
    if (rp->has_sb_hacg) {
        set_uuid(txn, pb, is_new, c->pb_ha_chassis_group, &rp->sb_hacg);
    }
    const struct idl_column *cols[] = { c->pb_parent_port, c->pb_tag,
                                        c->pb_port_security,
                                        c->pb_external_ids };
    for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
        struct datum e;
        datum_init_empty(&e);
        set_datum(txn, pb, is_new, cols[i], &e);
    }
    if (is_new) {
        idl_txn_set_boolean(txn, pb, c->pb_up, false);
    }
}

/* The tunnel keys of the ports of one switch or router, kept from sync
 * to sync in northd.pb_keys (built by the full Port_Binding sync, kept up
 * to date by the incremental one). */
struct dp_keys {
    struct hmap_node node;      /* In northd.pb_keys by uuid_hash(&owner). */
    struct uuid owner;          /* The switch or router (its northbound
                                 * row). */
    struct key_set keys;        /* Its port keys in use. */
};

static struct key_set *
pb_keys_get(struct northd *nd, const struct uuid *owner)
{
    struct dp_keys *k;
    HMAP_FOR_EACH_WITH_HASH (k, node, uuid_hash(owner), &nd->pb_keys) {
        if (uuid_equals(&k->owner, owner)) {
            return &k->keys;
        }
    }
    k = xmalloc(sizeof *k);
    k->owner = *owner;
    key_set_init(&k->keys);
    hmap_insert(&nd->pb_keys, &k->node, uuid_hash(owner));
    return &k->keys;
}

/* Rows this northd deleted, so that their deletion coming back is not
 * taken for somebody else's. */
struct sb_deleted {
    struct hmap_node node;      /* In northd.sb_deleted. */
    struct uuid row;            /* The row. */
};

static void
sb_delete(struct northd *nd, struct idl_txn *txn, const struct idl_row *row)
{
    struct sb_deleted *d = xmalloc(sizeof *d);
    d->row = *idl_row_uuid(row);
    hmap_insert(&nd->sb_deleted, &d->node, uuid_hash(&d->row));
    idl_txn_delete(txn, row);
}

/* Returns true (and forgets it) if this northd deleted row 'u' in its
 * last southbound transaction. */
bool
northd__sb_deleted_echo(struct northd *nd, const struct uuid *u)
{
    struct sb_deleted *d;
    HMAP_FOR_EACH_WITH_HASH (d, node, uuid_hash(u), &nd->sb_deleted) {
        if (uuid_equals(&d->row, u)) {
            hmap_remove(&nd->sb_deleted, &d->node);
            free(d);
            return true;
        }
    }
    return false;
}

static void
sb_deleted_clear(struct northd *nd)
{
    struct sb_deleted *d;
    HMAP_FOR_EACH_POP (d, node, &nd->sb_deleted) {
        free(d);
    }
}

/* Forgets the Port_Binding state kept between syncs: the keys, the rows
 * of the ports, what is dirty, gone or deleted.  The next sync must be a
 * full one. */
void
northd__pb_state_clear(struct northd *nd)
{
    struct dp_keys *k;
    HMAP_FOR_EACH_POP (k, node, &nd->pb_keys) {
        key_set_uninit(&k->keys);
        free(k);
    }
    nd->pb_keys_valid = false;
    struct northd_port *p;
    HMAP_FOR_EACH_POP (p, pb_node, &nd->ports_by_pb) {
        p->has_pb = false;
    }
    struct northd_rport *rp;
    HMAP_FOR_EACH (rp, node, &nd->rports) {
        rp->has_pb = rp->has_cr = false;
    }
    LIST_FOR_EACH_POP (p, pb_dirty_node, &nd->pb_dirty) {
        p->pb_dirty = false;
    }
    LIST_FOR_EACH_POP (rp, pb_dirty_node, &nd->rpb_dirty) {
        rp->pb_dirty = false;
    }
    nd->n_pb_gone = 0;
    sb_deleted_clear(nd);
}

/* Marks the Port_Binding of 'p' for the next sync, and its switch's
 * multicast groups. */
void
northd__port_pb_dirty(struct northd *nd, struct northd_port *p)
{
    if (!p->pb_dirty) {
        p->pb_dirty = true;
        list_push_back(&nd->pb_dirty, &p->pb_dirty_node);
    }
    p->sw->mc_dirty = true;
}

/* Marks the Port_Bindings of 'rp' (and its "cr-" port) for the next
 * sync. */
void
northd__rport_pb_dirty(struct northd *nd, struct northd_rport *rp)
{
    if (!rp->pb_dirty) {
        rp->pb_dirty = true;
        list_push_back(&nd->rpb_dirty, &rp->pb_dirty_node);
    }
}

static void
pb_gone_add(struct northd *nd, const struct uuid *row, const struct uuid *dp,
            long long key)
{
    if (nd->n_pb_gone >= nd->allocated_pb_gone) {
        nd->pb_gone = x2nrealloc(nd->pb_gone, &nd->allocated_pb_gone,
                                 sizeof *nd->pb_gone);
    }
    nd->pb_gone[nd->n_pb_gone++] = (struct northd_pb_gone) {
        .row = *row, .dp = *dp, .key = key,
    };
}

/* 'p' is being destroyed: its Port_Binding goes at the next sync. */
void
northd__port_pb_gone(struct northd *nd, struct northd_port *p)
{
    if (p->pb_dirty) {
        list_remove(&p->pb_dirty_node);
        p->pb_dirty = false;
    }
    if (p->up_check) {
        list_remove(&p->up_node);
        p->up_check = false;
    }
    if (p->has_pb) {
        hmap_remove(&nd->ports_by_pb, &p->pb_node);
        pb_gone_add(nd, &p->pb_row, &p->sw->uuid, p->pb_key);
        p->has_pb = false;
    }
    p->sw->mc_dirty = true;
}

/* 'rp' is being destroyed: its Port_Bindings go at the next sync. */
void
northd__rport_pb_gone(struct northd *nd, struct northd_rport *rp)
{
    if (rp->pb_dirty) {
        list_remove(&rp->pb_dirty_node);
        rp->pb_dirty = false;
    }
    if (rp->has_pb) {
        pb_gone_add(nd, &rp->pb_row, &rp->lr->uuid, rp->pb_key);
    }
    if (rp->has_cr) {
        pb_gone_add(nd, &rp->cr_row, &rp->lr->uuid, rp->cr_key);
    }
    rp->has_pb = rp->has_cr = false;
}

/* Asks the next northbound sync to check the "up" and "tag" of 'p'. */
void
northd__port_up_check(struct northd *nd, struct northd_port *p)
{
    if (!p->up_check) {
        p->up_check = true;
        list_push_back(&nd->up_check, &p->up_node);
    }
}

static void
port_set_pb(struct northd *nd, struct northd_port *p, const struct uuid *row,
            long long key)
{
    if (p->has_pb) {
        hmap_remove(&nd->ports_by_pb, &p->pb_node);
    }
    p->pb_row = *row;
    p->pb_key = key;
    p->has_pb = true;
    hmap_insert(&nd->ports_by_pb, &p->pb_node, uuid_hash(row));
}

/* Inserts a Port_Binding row with a UUID of its own choosing, so that the
 * UUID it keeps for the port is the row's for good. */
static const struct idl_row *
pb_insert(struct idl_txn *txn, const struct northd_sb *c, struct uuid *u)
{
    uuid_generate(u);
    return idl_txn_insert_uuid(txn, c->pb, u);
}

/* One Port_Binding northd wants: a switch port or a router port. */
struct pb_item {
    struct northd_port *p;      /* The switch port, or NULL. */
    struct northd_rport *rp;    /* Or the router port... */
    const struct uuid *dp;      /* Its switch or router, for keys. */
    const struct uuid *sb_dp;   /* Its Datapath_Binding. */
    char *cr;                   /* ...or its "cr-<port>", if not NULL.
                                 * Owned. */
};

/* Syncs the Port_Binding rows with the compiled switch and router ports.
 * Fills 'refs', one per port of 'nd->ports' in iteration order, then one
 * per router port, for the multicast groups. */
static void
sync_port_bindings(struct northd *nd, struct idl_txn *txn,
                   struct pb_ref *refs)
{
    const struct northd_sb *c = &nd->sbc;
    struct strmap by_name;      /* Port name -> index into 'refs'. */
    strmap_init(&by_name);
    /* A router port may have a chassisredirect port too. */
    size_t n = hmap_count(&nd->ports) + 2 * hmap_count(&nd->rports);
    struct pb_item *items = xcalloc(n + 1, sizeof *items);
    size_t i = 0;
    struct northd_port *p;
    HMAP_FOR_EACH (p, node, &nd->ports) {
        const struct idl_row *lsp = idl_row_find(nd->nbc.lsp, &p->uuid);
        const char *name = lsp ? idl_row_get_string(lsp, nd->nbc.lsp_name)
                               : NULL;
        items[i] = (struct pb_item) { p, NULL, &p->sw->uuid, &p->sw->sb_dp,
                                      NULL };
        if (name && p->sw->has_sb_dp) {
            char idx[32];
            snprintf(idx, sizeof idx, "%zu", i);
            strmap_add(&by_name, name, idx);
        }
        i++;
    }
    struct northd_router *lr;
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        for (size_t k = 0; k < lr->n_ports; k++) {
            struct northd_rport *rp = lr->ports[k];
            items[i] = (struct pb_item) { NULL, rp, &lr->uuid, &lr->sb_dp,
                                          NULL };
            if (lr->has_sb_dp && !strmap_contains(&by_name, rp->lrp.name)) {
                char idx[32];
                snprintf(idx, sizeof idx, "%zu", i);
                strmap_add(&by_name, rp->lrp.name, idx);
            }
            i++;
        }
    }
    /* The chassisredirect ports last: the multicast groups index the
     * others. */
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        for (size_t k = 0; k < lr->n_ports; k++) {
            struct northd_rport *rp = lr->ports[k];
            if (!rp->lrp.is_dgp) {
                continue;
            }
            char *cr = xasprintf("cr-%s", rp->lrp.name);
            items[i] = (struct pb_item) { NULL, rp, &lr->uuid, &lr->sb_dp,
                                          cr };
            if (lr->has_sb_dp && !strmap_contains(&by_name, cr)) {
                char idx[32];
                snprintf(idx, sizeof idx, "%zu", i);
                strmap_add(&by_name, cr, idx);
            }
            i++;
        }
    }
    n = i;
    for (i = 0; i < n; i++) {
        refs[i].row = NULL;
        refs[i].is_new = false;
    }

    /* Claim existing rows; a port keeps its key while on the same
     * datapath.  The keys, rows and what is dirty are rebuilt from
     * scratch. */
    northd__pb_state_clear(nd);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->pb) {
        const char *name = idl_row_get_string(row, c->pb_logical_port);
        const char *idx = name ? strmap_find(&by_name, name) : NULL;
        const struct datum *dp = idl_row_get(row, c->pb_datapath);
        if (!idx || refs[atoi(idx)].row) {
            sb_delete(nd, txn, row);
            continue;
        }
        size_t k = atoi(idx);
        refs[k].row = row;
        if (dp->n == 1 && uuid_equals(&dp->keys[0].uuid, items[k].sb_dp)) {
            long long key = idl_row_get_integer(row, c->pb_tunnel_key, 0);
            if (!key_set_add(pb_keys_get(nd, items[k].dp), key)) {
                refs[k].is_new = true;      /* Needs a new key. */
            }
        } else {
            refs[k].is_new = true;          /* Moved: needs a new key. */
        }
    }

    for (size_t k = 0; k < n; k++) {
        const struct pb_item *it = &items[k];
        const struct idl_row *lsp = NULL;
        if (it->p) {
            lsp = idl_row_find(nd->nbc.lsp, &it->p->uuid);
            if (!lsp || !it->p->sw->has_sb_dp) {
                continue;
            }
        } else {
            const char *pname = it->cr ? it->cr : it->rp->lrp.name;
            if (!it->rp->lr->has_sb_dp || !strmap_find(&by_name, pname)
                || (size_t) atoi(strmap_find(&by_name, pname)) != k) {
                continue;
            }
        }
        bool needs_key = refs[k].is_new || !refs[k].row;
        bool is_new = !refs[k].row;
        long long key = (refs[k].row
                         ? idl_row_get_integer(refs[k].row, c->pb_tunnel_key,
                                               0)
                         : 0);
        struct uuid u = refs[k].row ? *idl_row_uuid(refs[k].row)
                                    : (struct uuid) { { 0 } };
        if (needs_key) {
            key = key_set_alloc(pb_keys_get(nd, it->dp), PORT_KEY_MAX);
            if (!key) {
                static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(1, 5);
                LOG_WARN_RL(&rl, "out of port tunnel keys");
                if (refs[k].row) {
                    sb_delete(nd, txn, refs[k].row);
                    refs[k].row = NULL;
                }
                continue;
            }
            if (is_new) {
                refs[k].row = pb_insert(txn, c, &u);
            }
            idl_txn_set_integer(txn, refs[k].row, c->pb_tunnel_key, key);
        }
        refs[k].is_new = is_new;
        if (it->p) {
            pb_fill(nd, txn, it->p, lsp, refs[k].row, is_new);
            port_set_pb(nd, it->p, &u, key);
        } else if (it->cr) {
            pb_fill_cr(nd, txn, it->rp, refs[k].row, is_new);
            it->rp->cr_row = u;
            it->rp->cr_key = key;
            it->rp->has_cr = true;
        } else {
            pb_fill_router(nd, txn, it->rp, refs[k].row, is_new);
            it->rp->pb_row = u;
            it->rp->pb_key = key;
            it->rp->has_pb = true;
        }
    }
    for (size_t k = 0; k < n; k++) {
        free(items[k].cr);
    }
    nd->pb_keys_valid = true;
    strmap_uninit(&by_name);
    free(items);
}

/* Makes the Port_Binding of 'rp' ('is_cr': of its "cr-" port) what the
 * port says, inserting it if it has none. */
static void
sync_rport_binding(struct northd *nd, struct idl_txn *txn,
                   struct northd_rport *rp, bool is_cr)
{
    const struct northd_sb *c = &nd->sbc;
    struct uuid *row_uuid = is_cr ? &rp->cr_row : &rp->pb_row;
    long long *keyp = is_cr ? &rp->cr_key : &rp->pb_key;
    bool *has = is_cr ? &rp->has_cr : &rp->has_pb;
    struct key_set *ks = pb_keys_get(nd, &rp->lr->uuid);
    const struct idl_row *row = *has ? idl_row_find(c->pb, row_uuid) : NULL;
    bool is_new = !row;
    if (!row) {
        if (*has) {
            key_set_remove(ks, *keyp);  /* Deleted by somebody else. */
        }
        long long key = key_set_alloc(ks, PORT_KEY_MAX);
        if (!key) {
            *has = false;
            return;
        }
        row = pb_insert(txn, c, row_uuid);
        idl_txn_set_integer(txn, row, c->pb_tunnel_key, key);
        *keyp = key;
        *has = true;
    }
    if (is_cr) {
        pb_fill_cr(nd, txn, rp, row, is_new);
    } else {
        pb_fill_router(nd, txn, rp, row, is_new);
    }
}

/* Syncs the Port_Bindings of what changed since the last sync: deletes
 * those of ports that went, refreshes (or inserts) those of dirty ports.
 * Needs the keys a full sync_port_bindings() built. */
static void
sync_port_bindings_incr(struct northd *nd, struct idl_txn *txn)
{
    const struct northd_sb *c = &nd->sbc;
    for (size_t i = 0; i < nd->n_pb_gone; i++) {
        const struct northd_pb_gone *g = &nd->pb_gone[i];
        key_set_remove(pb_keys_get(nd, &g->dp), g->key);
        const struct idl_row *row = idl_row_find(c->pb, &g->row);
        if (row) {
            sb_delete(nd, txn, row);
        }
    }
    nd->n_pb_gone = 0;

    struct northd_port *p;
    LIST_FOR_EACH_POP (p, pb_dirty_node, &nd->pb_dirty) {
        p->pb_dirty = false;
        const struct idl_row *lsp = idl_row_find(nd->nbc.lsp, &p->uuid);
        if (!lsp || !p->sw->has_sb_dp) {
            continue;
        }
        struct key_set *ks = pb_keys_get(nd, &p->sw->uuid);
        const struct idl_row *row = (p->has_pb ? idl_row_find(c->pb,
                                                              &p->pb_row)
                                               : NULL);
        bool is_new = !row;
        if (!row) {
            if (p->has_pb) {
                key_set_remove(ks, p->pb_key);  /* Deleted by somebody
                                                 * else. */
            }
            long long key = key_set_alloc(ks, PORT_KEY_MAX);
            if (!key) {
                static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(1, 5);
                LOG_WARN_RL(&rl, "out of port tunnel keys");
                continue;
            }
            struct uuid u;
            row = pb_insert(txn, c, &u);
            idl_txn_set_integer(txn, row, c->pb_tunnel_key, key);
            port_set_pb(nd, p, &u, key);
        }
        pb_fill(nd, txn, p, lsp, row, is_new);
        northd__port_up_check(nd, p);
    }

    struct northd_rport *rp;
    LIST_FOR_EACH_POP (rp, pb_dirty_node, &nd->rpb_dirty) {
        rp->pb_dirty = false;
        if (!rp->lr->has_sb_dp) {
            continue;
        }
        sync_rport_binding(nd, txn, rp, false);
        if (rp->lrp.is_dgp) {
            sync_rport_binding(nd, txn, rp, true);
        } else if (rp->has_cr) {
            key_set_remove(pb_keys_get(nd, &rp->lr->uuid), rp->cr_key);
            const struct idl_row *row = idl_row_find(c->pb, &rp->cr_row);
            if (row) {
                sb_delete(nd, txn, row);
            }
            rp->has_cr = false;
        }
    }
}

/* Multicast_Group. */

struct mc_want {
    const char *name;           /* Group name. */
    long long key;              /* Its tunnel key. */
    struct datum ports;         /* Port_Binding UUIDs. */
};

/* What one switch wants of its groups. */
struct mc_switch {
    struct hmap_node node;      /* By uuid_hash(&sw->sb_dp). */
    struct northd_switch *sw;   /* The switch. */
    struct mc_want want[3];     /* _MC_flood, _MC_unknown, _MC_flood_l2. */
    bool found[3];              /* A row holds each already. */
};

/* Fills 'ms' with what its switch wants: ovn-northd(8) floods to every
 * enabled port, and sends unknown destinations to the enabled ports with
 * "unknown"; "_MC_flood_l2" leaves the router ports out. */
static void
mc_switch_init(struct northd *nd, struct mc_switch *ms,
               struct northd_switch *sw)
{
    ms->sw = sw;
    ms->want[0] = (struct mc_want) { "_MC_flood", MC_FLOOD_KEY };
    ms->want[1] = (struct mc_want) { "_MC_unknown", MC_UNKNOWN_KEY };
    ms->want[2] = (struct mc_want) { "_MC_flood_l2", MC_FLOOD_L2_KEY };
    size_t n = 0;
    struct northd_port *p;
    LIST_FOR_EACH (p, sw_node, &sw->ports) {
        n += p->has_pb;
    }
    for (int g = 0; g < 3; g++) {
        datum_init_alloc(&ms->want[g].ports, n, false);
        ms->want[g].ports.n = 0;
        ms->found[g] = false;
    }
    LIST_FOR_EACH (p, sw_node, &sw->ports) {
        const struct idl_row *lsp = (p->has_pb
                                     ? idl_row_find(nd->nbc.lsp, &p->uuid)
                                     : NULL);
        if (!lsp || !idl_row_get_boolean(lsp, nd->nbc.lsp_enabled, true)) {
            continue;
        }
        for (int g = 0; g < 3; g++) {
            if ((g == 1 && !p->counts_unknown) || (g == 2 && p->is_router)) {
                continue;
            }
            struct datum *d = &ms->want[g].ports;
            d->keys[d->n++].uuid = p->pb_row;
        }
    }
}

/* Syncs the Multicast_Group rows of every switch ('all') or of those
 * marked 'mc_dirty', from the Port_Bindings the ports have now. */
static void
sync_multicast_groups(struct northd *nd, struct idl_txn *txn, bool all)
{
    const struct northd_sb *c = &nd->sbc;
    const struct db_type *ports_type = col_type(c->mc_ports);
    struct hmap want = HMAP_INITIALIZER(&want);
    struct northd_switch *sw;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        if ((all || sw->mc_dirty) && sw->has_sb_dp) {
            struct mc_switch *ms = xmalloc(sizeof *ms);
            mc_switch_init(nd, ms, sw);
            hmap_insert(&want, &ms->node, uuid_hash(&sw->sb_dp));
        }
        sw->mc_dirty = false;
    }
    if (hmap_is_empty(&want) && !all) {
        hmap_uninit(&want);
        return;
    }

    /* Match them with the rows. */
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->mc) {
        const struct datum *dp = idl_row_get(row, c->mc_datapath);
        const char *name = idl_row_get_string(row, c->mc_name);
        struct mc_switch *ms = NULL, *m;
        if (dp->n == 1) {
            HMAP_FOR_EACH_WITH_HASH (m, node, uuid_hash(&dp->keys[0].uuid),
                                     &want) {
                if (uuid_equals(&m->sw->sb_dp, &dp->keys[0].uuid)) {
                    ms = m;
                    break;
                }
            }
        }
        if (!ms) {
            if (all) {
                sb_delete(nd, txn, row);    /* Not a switch's. */
            }
            continue;
        }
        int g = -1;
        for (int k = 0; name && k < 3; k++) {
            if (!strcmp(name, ms->want[k].name)) {
                g = k;
            }
        }
        if (g < 0 || ms->found[g] || !ms->want[g].ports.n) {
            sb_delete(nd, txn, row);
            continue;
        }
        ms->found[g] = true;
        struct datum d;
        datum_clone(&d, &ms->want[g].ports, ports_type);
        set_datum(txn, row, false, c->mc_ports, &d);
        set_integer(txn, row, false, c->mc_tunnel_key, ms->want[g].key);
    }
    struct mc_switch *ms;
    HMAP_FOR_EACH_POP (ms, node, &want) {
        for (int g = 0; g < 3; g++) {
            if (!ms->found[g] && ms->want[g].ports.n) {
                row = idl_txn_insert(txn, c->mc);
                idl_txn_set_uuid(txn, row, c->mc_datapath, &ms->sw->sb_dp);
                idl_txn_set_string(txn, row, c->mc_name, ms->want[g].name);
                idl_txn_set_integer(txn, row, c->mc_tunnel_key,
                                    ms->want[g].key);
                struct datum d;
                datum_clone(&d, &ms->want[g].ports, ports_type);
                set_datum(txn, row, true, c->mc_ports, &d);
            }
            datum_destroy(&ms->want[g].ports, ports_type);
        }
        free(ms);
    }
    hmap_uninit(&want);
}


/* Meter. */

/* Appends to 'out' one "action/rate/burst" string per band of 'bands' (a
 * "bands" column of 'band_table'), sorted as 'type' (a set of strings)
 * sorts, so that two meters compare. */
static void
meter_bands_key(const struct datum *bands, const struct idl_table *band_table,
                const struct idl_column *action,
                const struct idl_column *rate,
                const struct idl_column *burst,
                const struct db_type *type, struct ds *out)
{
    struct datum d;
    datum_init_empty(&d);
    for (size_t i = 0; i < bands->n; i++) {
        const struct idl_row *b = idl_row_find(band_table,
                                               &bands->keys[i].uuid);
        if (!b) {
            continue;
        }
        const char *a = idl_row_get_string(b, action);
        d.keys = xrealloc(d.keys, (d.n + 1) * sizeof *d.keys);
        d.keys[d.n++].string = xasprintf(
            "%s/%lld/%lld", a ? a : "", idl_row_get_integer(b, rate, 0),
            idl_row_get_integer(b, burst, 0));
    }
    struct db_error *error = datum_sort_unique(&d, type);
    ASSERT(!error);
    for (size_t i = 0; i < d.n; i++) {
        ds_put_format(out, "%s;", d.keys[i].string);
    }
    datum_destroy(&d, type);
}

/* ovn-northd(8): the northbound meters go south with their bands.  A
 * meter whose unit or bands changed is replaced. */
static void
sync_meters(struct northd *nd, struct idl_txn *txn)
{
    const struct northd_nb *n = &nd->nbc;
    const struct northd_sb *c = &nd->sbc;
    struct strmap have;         /* Name -> "unit:bands" of kept rows. */
    strmap_init(&have);
    struct strmap want;         /* Name -> "unit:bands". */
    strmap_init(&want);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, n->meter) {
        const char *name = idl_row_get_string(row, n->meter_name);
        const char *unit = idl_row_get_string(row, n->meter_unit);
        if (!name || !unit) {
            continue;
        }
        struct ds key = DS_EMPTY_INITIALIZER;
        ds_put_format(&key, "%s:", unit);
        meter_bands_key(idl_row_get(row, n->meter_bands), n->band,
                        n->band_action, n->band_rate, n->band_burst_size,
                        col_type(c->pg_ports), &key);
        strmap_replace(&want, name, ds_cstr(&key));
        ds_uninit(&key);
    }
    IDL_FOR_EACH_ROW (row, c->meter) {
        const char *name = idl_row_get_string(row, c->meter_name);
        const char *unit = idl_row_get_string(row, c->meter_unit);
        const char *w = name ? strmap_find(&want, name) : NULL;
        struct ds key = DS_EMPTY_INITIALIZER;
        ds_put_format(&key, "%s:", unit ? unit : "");
        meter_bands_key(idl_row_get(row, c->meter_bands), c->band,
                        c->band_action, c->band_rate, c->band_burst_size,
                        col_type(c->pg_ports), &key);
        if (!w || strcmp(w, ds_cstr(&key)) || strmap_contains(&have, name)) {
            idl_txn_delete(txn, row);   /* Its bands go with it. */
        } else {
            strmap_add(&have, name, "");
        }
        ds_uninit(&key);
    }
    IDL_FOR_EACH_ROW (row, n->meter) {
        const char *name = idl_row_get_string(row, n->meter_name);
        const char *unit = idl_row_get_string(row, n->meter_unit);
        if (!name || !unit || strmap_contains(&have, name)) {
            continue;
        }
        strmap_add(&have, name, "");
        const struct datum *bands = idl_row_get(row, n->meter_bands);
        struct datum d;
        datum_init_empty(&d);
        for (size_t i = 0; i < bands->n; i++) {
            const struct idl_row *b = idl_row_find(n->band,
                                                   &bands->keys[i].uuid);
            if (!b) {
                continue;
            }
            const char *action = idl_row_get_string(b, n->band_action);
            const struct idl_row *sb = idl_txn_insert(txn, c->band);
            idl_txn_set_string(txn, sb, c->band_action,
                               action ? action : "drop");
            idl_txn_set_integer(txn, sb, c->band_rate,
                                idl_row_get_integer(b, n->band_rate, 1));
            idl_txn_set_integer(txn, sb, c->band_burst_size,
                                idl_row_get_integer(b, n->band_burst_size,
                                                    0));
            d.keys = xrealloc(d.keys, (d.n + 1) * sizeof *d.keys);
            d.keys[d.n++].uuid = *idl_row_uuid(sb);
        }
        if (!d.n) {
            datum_destroy(&d, col_type(c->meter_bands));
            continue;           /* ovn-sb(5): a meter has a band. */
        }
        const struct idl_row *m = idl_txn_insert(txn, c->meter);
        idl_txn_set_string(txn, m, c->meter_name, name);
        idl_txn_set_string(txn, m, c->meter_unit, unit);
        set_datum(txn, m, true, c->meter_bands, &d);
    }
    strmap_uninit(&have);
    strmap_uninit(&want);
}

/* Load_Balancer. */

/* A load balancer that goes south: a northbound Load_Balancer and the
 * Datapath_Bindings of its switches. */
struct want_lb {
    struct hmap_node node;      /* By uuid_hash(&lb). */
    struct uuid lb;             /* Northbound Load_Balancer. */
    struct datum dps;           /* Datapath_Binding UUIDs.  Owned. */
    bool done;                  /* A row holds it. */
};

static struct want_lb *
want_lb_find(const struct hmap *want, const struct uuid *u)
{
    struct want_lb *w;
    HMAP_FOR_EACH_WITH_HASH (w, node, uuid_hash(u), want) {
        if (uuid_equals(&w->lb, u)) {
            return w;
        }
    }
    return NULL;
}

/* ovn-northd(8): each load balancer of a switch goes south with its
 * "vips", "protocol" and "options" (plus hairpin_orig_tuple=true), the
 * northbound row's UUID as external_ids:lb_id, and the switches that have
 * it as a Logical_DP_Group.  A row whose group lacks or has extra
 * switches gets a new group (the old one goes unreferenced). */
static void
sync_load_balancers(struct northd *nd, struct idl_txn *txn)
{
    const struct northd_nb *n = &nd->nbc;
    const struct northd_sb *c = &nd->sbc;
    const struct db_type *dps_type = col_type(c->dpg_datapaths);

    struct hmap want = HMAP_INITIALIZER(&want);
    struct northd_switch *sw;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        const struct idl_row *ls = idl_row_find(n->ls, &sw->uuid);
        if (!ls || !sw->has_sb_dp) {
            continue;
        }
        const struct datum *lbs = idl_row_get(ls, n->ls_load_balancer);
        for (size_t i = 0; i < lbs->n; i++) {
            const struct uuid *u = &lbs->keys[i].uuid;
            if (!idl_row_find(n->lb, u)) {
                continue;
            }
            struct want_lb *w = want_lb_find(&want, u);
            if (!w) {
                w = xzalloc(sizeof *w);
                w->lb = *u;
                datum_init_empty(&w->dps);
                hmap_insert(&want, &w->node, uuid_hash(u));
            }
            w->dps.keys = xrealloc(w->dps.keys,
                                   (w->dps.n + 1) * sizeof *w->dps.keys);
            w->dps.keys[w->dps.n++].uuid = sw->sb_dp;
        }
    }
    struct want_lb *w;
    HMAP_FOR_EACH (w, node, &want) {
        struct db_error *error = datum_sort_unique(&w->dps, dps_type);
        ASSERT(!error);
    }

    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->lb) {
        const char *id = idl_row_get_map_string(row, c->lb_external_ids,
                                                "lb_id");
        struct uuid u;
        w = id && uuid_from_string(&u, id) ? want_lb_find(&want, &u) : NULL;
        if (!w || w->done) {
            idl_txn_delete(txn, row);
            continue;
        }
        w->done = true;
        const struct idl_row *nbr = idl_row_find(n->lb, &w->lb);
        copy_datum(txn, row, false, c->lb_vips, nbr, n->lb_vips);
        copy_datum(txn, row, false, c->lb_protocol, nbr, n->lb_protocol);
        const char *name = idl_row_get_string(nbr, n->lb_name);
        set_string(txn, row, false, c->lb_name, name ? name : "");
        struct strmap opts;
        strmap_init(&opts);
        datum_to_strmap(idl_row_get(nbr, n->lb_options), &opts);
        strmap_replace(&opts, "hairpin_orig_tuple", "true");
        set_strmap(txn, row, false, c->lb_options, &opts);
        strmap_uninit(&opts);

        const struct datum *g = idl_row_get(row, c->lb_datapath_group);
        const struct idl_row *grp = g->n ? idl_row_find(c->dpg,
                                                        &g->keys[0].uuid)
                                         : NULL;
        if (!grp || !datum_equals(idl_row_get(grp, c->dpg_datapaths),
                                  &w->dps, dps_type)) {
            const struct idl_row *ng = idl_txn_insert(txn, c->dpg);
            struct datum d;
            datum_clone(&d, &w->dps, dps_type);
            set_datum(txn, ng, true, c->dpg_datapaths, &d);
            idl_txn_set_uuid(txn, row, c->lb_datapath_group,
                             idl_row_uuid(ng));
        }
    }
    HMAP_FOR_EACH (w, node, &want) {
        if (w->done) {
            continue;
        }
        const struct idl_row *nbr = idl_row_find(n->lb, &w->lb);
        row = idl_txn_insert(txn, c->lb);
        copy_datum(txn, row, true, c->lb_vips, nbr, n->lb_vips);
        copy_datum(txn, row, true, c->lb_protocol, nbr, n->lb_protocol);
        const char *name = idl_row_get_string(nbr, n->lb_name);
        idl_txn_set_string(txn, row, c->lb_name, name ? name : "");
        struct strmap map;
        strmap_init(&map);
        datum_to_strmap(idl_row_get(nbr, n->lb_options), &map);
        strmap_replace(&map, "hairpin_orig_tuple", "true");
        set_strmap(txn, row, true, c->lb_options, &map);
        strmap_uninit(&map);
        char u[UUID_LEN + 1];
        uuid_to_buffer(&w->lb, u);
        strmap_init(&map);
        strmap_add(&map, "lb_id", u);
        set_strmap(txn, row, true, c->lb_external_ids, &map);
        strmap_uninit(&map);
        const struct idl_row *ng = idl_txn_insert(txn, c->dpg);
        struct datum d;
        datum_clone(&d, &w->dps, dps_type);
        set_datum(txn, ng, true, c->dpg_datapaths, &d);
        idl_txn_set_uuid(txn, row, c->lb_datapath_group, idl_row_uuid(ng));
    }
    HMAP_FOR_EACH_POP (w, node, &want) {
        datum_destroy(&w->dps, dps_type);
        free(w);
    }
    hmap_uninit(&want);
}

/* DHCP_Options, DHCPv6_Options, DNS. */

/* Makes southbound code table 'table' hold exactly the 'n' rows of
 * 'codes' (ovn-sb(5)), rewriting nothing that is already there. */
static void
sync_dhcp_code_table(struct idl_txn *txn, struct idl_table *table,
                     const struct idl_column *name_col,
                     const struct idl_column *code_col,
                     const struct idl_column *type_col,
                     const struct dhcp_code *codes, size_t n)
{
    bool *done = xcalloc(n + 1, sizeof *done);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, table) {
        const char *name = idl_row_get_string(row, name_col);
        const char *type = idl_row_get_string(row, type_col);
        long long code = idl_row_get_integer(row, code_col, -1);
        size_t i;
        for (i = 0; i < n; i++) {
            if (!done[i] && name && !strcmp(name, codes[i].name)
                && type && !strcmp(type, codes[i].type)
                && code == codes[i].code) {
                break;
            }
        }
        if (i < n) {
            done[i] = true;
        } else {
            idl_txn_delete(txn, row);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!done[i]) {
            row = idl_txn_insert(txn, table);
            idl_txn_set_string(txn, row, name_col, codes[i].name);
            idl_txn_set_integer(txn, row, code_col, codes[i].code);
            idl_txn_set_string(txn, row, type_col, codes[i].type);
        }
    }
    free(done);
}

/* A northbound DNS row that goes south, with the Datapath_Bindings of the
 * switches whose "dns_records" name it. */
struct want_dns {
    struct hmap_node node;      /* By uuid_hash(&dns). */
    struct uuid dns;            /* Northbound DNS row. */
    struct datum dps;           /* Datapath_Binding UUIDs.  Owned. */
    bool done;                  /* A row holds it. */
};

static struct want_dns *
want_dns_find(const struct hmap *want, const struct uuid *u)
{
    struct want_dns *w;
    HMAP_FOR_EACH_WITH_HASH (w, node, uuid_hash(u), want) {
        if (uuid_equals(&w->dns, u)) {
            return w;
        }
    }
    return NULL;
}

/* Fills the southbound DNS row 'row' from 'w'. */
static void
dns_fill(struct northd *nd, struct idl_txn *txn, const struct idl_row *row,
         bool is_new, const struct want_dns *w)
{
    const struct northd_sb *c = &nd->sbc;
    const struct idl_row *nbr = idl_row_find(nd->nbc.dns, &w->dns);
    copy_datum(txn, row, is_new, c->dns_records, nbr, nd->nbc.dns_records);
    struct datum d;
    datum_clone(&d, &w->dps, col_type(c->dns_datapaths));
    set_datum(txn, row, is_new, c->dns_datapaths, &d);
    char u[UUID_LEN + 1];
    uuid_to_buffer(&w->dns, u);
    struct strmap map;
    strmap_init(&map);
    strmap_add(&map, "dns_id", u);
    set_strmap(txn, row, is_new, c->dns_external_ids, &map);
    strmap_uninit(&map);
}

/* ovn-northd(8): each DNS row named by a switch's "dns_records" goes
 * south with its "records", the switches' datapaths and the northbound
 * row's UUID as external_ids:dns_id; the DHCP code tables hold the codes
 * ovn-controller knows (dhcp.h). */
static void
sync_dhcp_dns(struct northd *nd, struct idl_txn *txn)
{
    const struct northd_nb *n = &nd->nbc;
    const struct northd_sb *c = &nd->sbc;
    size_t n_codes;
    const struct dhcp_code *codes = dhcp_v4_codes(&n_codes);
    sync_dhcp_code_table(txn, c->dhcp, c->dhcp_name, c->dhcp_code,
                         c->dhcp_type, codes, n_codes);
    codes = dhcp_v6_codes(&n_codes);
    sync_dhcp_code_table(txn, c->dhcpv6, c->dhcpv6_name, c->dhcpv6_code,
                         c->dhcpv6_type, codes, n_codes);

    const struct db_type *dps_type = col_type(c->dns_datapaths);
    struct hmap want = HMAP_INITIALIZER(&want);
    struct northd_switch *sw;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        const struct idl_row *ls = idl_row_find(n->ls, &sw->uuid);
        if (!ls || !sw->has_sb_dp) {
            continue;
        }
        const struct datum *refs = idl_row_get(ls, n->ls_dns_records);
        for (size_t i = 0; i < refs->n; i++) {
            const struct uuid *u = &refs->keys[i].uuid;
            if (!idl_row_find(n->dns, u)) {
                continue;
            }
            struct want_dns *w = want_dns_find(&want, u);
            if (!w) {
                w = xzalloc(sizeof *w);
                w->dns = *u;
                datum_init_empty(&w->dps);
                hmap_insert(&want, &w->node, uuid_hash(u));
            }
            w->dps.keys = xrealloc(w->dps.keys,
                                   (w->dps.n + 1) * sizeof *w->dps.keys);
            w->dps.keys[w->dps.n++].uuid = sw->sb_dp;
        }
    }
    struct want_dns *w;
    HMAP_FOR_EACH (w, node, &want) {
        struct db_error *error = datum_sort_unique(&w->dps, dps_type);
        ASSERT(!error);
    }
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->dns) {
        const char *id = idl_row_get_map_string(row, c->dns_external_ids,
                                                "dns_id");
        struct uuid u;
        w = id && uuid_from_string(&u, id) ? want_dns_find(&want, &u) : NULL;
        if (!w || w->done) {
            idl_txn_delete(txn, row);
            continue;
        }
        w->done = true;
        dns_fill(nd, txn, row, false, w);
    }
    HMAP_FOR_EACH_POP (w, node, &want) {
        if (!w->done) {
            dns_fill(nd, txn, idl_txn_insert(txn, c->dns), true, w);
        }
        datum_destroy(&w->dps, dps_type);
        free(w);
    }
    hmap_uninit(&want);
}

/* Adds to 'txn', a southbound transaction, the bookkeeping rows for the
 * compiled switches and ports, with SB_Global.nb_cfg set to 'nb_cfg' (the
 * northbound configuration the transaction realizes).  Sets each switch's
 * 'sb_dp' for the flows that follow in 'txn'. */
void
northd__sync_bindings(struct northd *nd, struct idl_txn *txn,
                      long long nb_cfg, unsigned int dirty)
{
    sync_sb_global(nd, txn, nb_cfg);

    bool dp_deleted = sync_datapaths(nd, txn);
    sync_ha_chassis_groups(nd, txn);
    sb_deleted_clear(nd);
    if (dirty & NORTHD_DIRTY_PORTS || nd->n_pb_gone || dp_deleted) {
        sync_mac_bindings(nd, txn);
    }
    if (dirty & NORTHD_DIRTY_PORTS || !nd->pb_keys_valid) {
        struct pb_ref *refs = xcalloc(hmap_count(&nd->ports)
                                      + 2 * hmap_count(&nd->rports) + 1,
                                      sizeof *refs);
        sync_port_bindings(nd, txn, refs);
        free(refs);
        sync_multicast_groups(nd, txn, true);
    } else {
        sync_port_bindings_incr(nd, txn);
        sync_multicast_groups(nd, txn, false);
    }
    northd__sync_sets(nd, txn, dirty & NORTHD_DIRTY_SETS);
    if (dirty & NORTHD_DIRTY_METERS) {
        sync_meters(nd, txn);
    }
    if (dirty & NORTHD_DIRTY_LBS) {
        sync_load_balancers(nd, txn);
    }
    if (nd->dns_dirty || dirty == NORTHD_DIRTY_ALL) {
        sync_dhcp_dns(nd, txn);
        nd->dns_dirty = false;
    }
}

/* Sets the "up" of Logical_Switch_Port 'lsp' to 'up' and its "tag" to
 * its "tag_request", where they differ. */
static void
port_sync_up(struct idl_txn *txn, const struct northd_nb *n,
             const struct idl_row *lsp, bool up)
{
    long long tag = idl_row_get_integer(lsp, n->lsp_tag_request, 0);
    if (tag > 0 && idl_row_get_integer(lsp, n->lsp_tag, 0) != tag) {
        idl_txn_set_integer(txn, lsp, n->lsp_tag, tag);
    }
    const struct datum *d = idl_row_get(lsp, n->lsp_up);
    if (d->n != 1 || d->keys[0].boolean != up) {
        idl_txn_set_boolean(txn, lsp, n->lsp_up, up);
    }
}

/* Adds to 'txn', a northbound transaction, what the southbound state
 * tells the northbound clients: NB_Global sb_cfg (the nb_cfg the
 * southbound database has caught up with), hv_cfg (the lowest nb_cfg the
 * chassis have caught up with, as ovn-nbctl --wait=hv expects), and each
 * port's "up" from its Port_Binding. */
void
northd__sync_nb(struct northd *nd, struct idl_txn *txn)
{
    const struct northd_nb *n = &nd->nbc;
    const struct northd_sb *c = &nd->sbc;
    const struct idl_row *ng = idl_table_first_row(n->global);
    const struct idl_row *sg = idl_table_first_row(c->global);
    long long now = time_wall_msec();

    if (!ng) {
        /* As ovn-northd does: the clients of an empty northbound database
         * find its NB_Global row there. */
        idl_txn_insert(txn, n->global);
        return;
    }
    if (ng) {
        /* ovn-northd(8) picks a MAC prefix for dynamic addresses and a MAC
         * for service monitors once, in NB_Global options; they go south
         * with the other options. */
        static const char *const keys[] = { "mac_prefix", "svc_monitor_mac" };
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
            if (!idl_row_get_map_string(ng, n->options, keys[i])) {
                struct uuid r;
                uuid_generate(&r);
                const uint8_t *b = (const uint8_t *) &r;
                char mac[ETH_ADDR_STRLEN + 1];
                if (i == 0) {
                    /* The one IPAM already uses (ipam.h). */
                    char *s = ipam_macs_prefix_to_string(&nd->ipam_macs);
                    snprintf(mac, sizeof mac, "%s", s);
                    free(s);
                } else {
                    snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x",
                             (b[0] & 0xfe) | 0x02, b[1], b[2], b[3], b[4],
                             b[5]);
                }
                idl_txn_map_set_string(txn, ng, n->options, keys[i], mac);
            }
        }
    }
    if (ng && sg) {
        long long sb_cfg = idl_row_get_integer(sg, c->nb_cfg, 0);
        if (idl_row_get_integer(ng, n->sb_cfg, 0) != sb_cfg) {
            idl_txn_set_integer(txn, ng, n->sb_cfg, sb_cfg);
            idl_txn_set_integer(txn, ng, n->sb_cfg_timestamp, now);
        }
        long long hv_cfg = sb_cfg;
        const struct idl_row *row;
        IDL_FOR_EACH_ROW (row, c->chassis_private) {
            long long cfg = idl_row_get_integer(row, c->chp_nb_cfg, 0);
            if (cfg < hv_cfg) {
                hv_cfg = cfg;
            }
        }
        if (idl_row_get_integer(ng, n->hv_cfg, 0) != hv_cfg) {
            idl_txn_set_integer(txn, ng, n->hv_cfg, hv_cfg);
            idl_txn_set_integer(txn, ng, n->hv_cfg_timestamp, now);
        }
    }

    /* ovn-nb(5) Logical_Switch_Port "dynamic_addresses", as the last IPAM
     * pass assigned them, on the switches with IPAM. */
    if (nd->dynamic_dirty) {
        nd->dynamic_dirty = false;
        struct northd_port *p;
        HMAP_FOR_EACH (p, node, &nd->ports) {
            const struct idl_row *lsp = idl_row_find(n->lsp, &p->uuid);
            if (!lsp || !p->ipam_managed) {
                continue;
            }
            const char *have = idl_row_get_string(lsp,
                                                  n->lsp_dynamic_addresses);
            if (!p->dynamic && have) {
                struct datum d;
                datum_init_empty(&d);
                idl_txn_set(txn, lsp, n->lsp_dynamic_addresses, &d);
            } else if (p->dynamic && (!have || strcmp(have, p->dynamic))) {
                idl_txn_set_string(txn, lsp, n->lsp_dynamic_addresses,
                                   p->dynamic);
            }
        }
    }

    /* ovn-nb(5) Logical_Switch_Port "up": true once a chassis bound the
     * port and set Port_Binding "up". */
    if (!nd->up_dirty) {
        /* Only the ports whose binding changed. */
        struct northd_port *p;
        LIST_FOR_EACH_POP (p, up_node, &nd->up_check) {
            p->up_check = false;
            const struct idl_row *lsp = idl_row_find(n->lsp, &p->uuid);
            if (!lsp) {
                continue;
            }
            const struct idl_row *pb = (p->has_pb
                                        ? idl_row_find(c->pb, &p->pb_row)
                                        : NULL);
            port_sync_up(txn, n, lsp,
                         pb && idl_row_get_boolean(pb, c->pb_up, false));
        }
        return;
    }
    nd->up_dirty = false;
    struct northd_port *p;
    LIST_FOR_EACH_POP (p, up_node, &nd->up_check) {
        p->up_check = false;
    }
    struct strmap up;           /* Port name -> "1" if up. */
    strmap_init(&up);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->pb) {
        const char *name = idl_row_get_string(row, c->pb_logical_port);
        if (name && idl_row_get_boolean(row, c->pb_up, false)) {
            strmap_replace(&up, name, "1");
        }
    }
    HMAP_FOR_EACH (p, node, &nd->ports) {
        const struct idl_row *lsp = idl_row_find(n->lsp, &p->uuid);
        if (!lsp) {
            continue;
        }
        const char *name = idl_row_get_string(lsp, n->lsp_name);
        port_sync_up(txn, n, lsp, name && strmap_contains(&up, name));
    }
    strmap_uninit(&up);
}
