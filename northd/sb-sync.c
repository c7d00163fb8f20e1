/* Southbound bookkeeping of kiln-northd: SB_Global, Datapath_Binding,
 * Port_Binding and Multicast_Group rows for the compiled switches and
 * ports, with tunnel keys that stay what the southbound rows already say
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

static void
sync_datapaths(struct northd *nd, struct idl_txn *txn)
{
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
            continue;
        }
        *sb_dp = *idl_row_uuid(row);
        *has = true;
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
        set_string(txn, pb, is_new, c->pb_type, "patch");
        struct strmap options;
        strmap_init(&options);
        const char *peer = idl_row_get_map_string(lsp, n->lsp_options,
                                                  "router-port");
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
    set_string(txn, pb, is_new, c->pb_type, "patch");

    struct strmap options;
    strmap_init(&options);
    if (rp->peer) {
        strmap_add(&options, "peer", rp->peer);
    }
    set_strmap(txn, pb, is_new, c->pb_options, &options);
    strmap_uninit(&options);

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

/* Per-datapath tunnel keys of ports. */
struct dp_keys {
    struct hmap_node node;      /* By datapath pointer. */
    const void *sw;             /* The switch or router. */
    struct key_set keys;        /* Its port keys in use. */
};

static struct key_set *
dp_keys_get(struct hmap *map, const void *sw)
{
    struct dp_keys *k;
    HMAP_FOR_EACH_WITH_HASH (k, node, hash_pointer(sw, 0), map) {
        if (k->sw == sw) {
            return &k->keys;
        }
    }
    k = xmalloc(sizeof *k);
    k->sw = sw;
    key_set_init(&k->keys);
    hmap_insert(map, &k->node, hash_pointer(sw, 0));
    return &k->keys;
}

/* One Port_Binding northd wants: a switch port or a router port. */
struct pb_item {
    struct northd_port *p;      /* The switch port, or NULL. */
    struct northd_rport *rp;    /* Or the router port. */
    const void *dp;             /* Its switch or router, for keys. */
    const struct uuid *sb_dp;   /* Its Datapath_Binding. */
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
    size_t n = hmap_count(&nd->ports) + hmap_count(&nd->rports);
    struct pb_item *items = xcalloc(n + 1, sizeof *items);
    size_t i = 0;
    struct northd_port *p;
    HMAP_FOR_EACH (p, node, &nd->ports) {
        const struct idl_row *lsp = idl_row_find(nd->nbc.lsp, &p->uuid);
        const char *name = lsp ? idl_row_get_string(lsp, nd->nbc.lsp_name)
                               : NULL;
        items[i] = (struct pb_item) { p, NULL, p->sw, &p->sw->sb_dp };
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
            items[i] = (struct pb_item) { NULL, rp, lr, &lr->sb_dp };
            if (lr->has_sb_dp && !strmap_contains(&by_name, rp->lrp.name)) {
                char idx[32];
                snprintf(idx, sizeof idx, "%zu", i);
                strmap_add(&by_name, rp->lrp.name, idx);
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
     * datapath. */
    struct hmap keys = HMAP_INITIALIZER(&keys);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->pb) {
        const char *name = idl_row_get_string(row, c->pb_logical_port);
        const char *idx = name ? strmap_find(&by_name, name) : NULL;
        const struct datum *dp = idl_row_get(row, c->pb_datapath);
        if (!idx || refs[atoi(idx)].row) {
            idl_txn_delete(txn, row);
            continue;
        }
        size_t k = atoi(idx);
        refs[k].row = row;
        if (dp->n == 1 && uuid_equals(&dp->keys[0].uuid, items[k].sb_dp)) {
            long long key = idl_row_get_integer(row, c->pb_tunnel_key, 0);
            if (!key_set_add(dp_keys_get(&keys, items[k].dp), key)) {
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
        } else if (!it->rp->lr->has_sb_dp
                   || !strmap_find(&by_name, it->rp->lrp.name)
                   || (size_t) atoi(strmap_find(&by_name, it->rp->lrp.name))
                      != k) {
            continue;
        }
        bool needs_key = refs[k].is_new || !refs[k].row;
        bool is_new = !refs[k].row;
        if (needs_key) {
            long long key = key_set_alloc(dp_keys_get(&keys, it->dp),
                                          PORT_KEY_MAX);
            if (!key) {
                static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(1, 5);
                LOG_WARN_RL(&rl, "out of port tunnel keys");
                if (refs[k].row) {
                    idl_txn_delete(txn, refs[k].row);
                    refs[k].row = NULL;
                }
                continue;
            }
            if (is_new) {
                refs[k].row = idl_txn_insert(txn, c->pb);
            }
            idl_txn_set_integer(txn, refs[k].row, c->pb_tunnel_key, key);
        }
        refs[k].is_new = is_new;
        if (it->p) {
            pb_fill(nd, txn, it->p, lsp, refs[k].row, is_new);
        } else {
            pb_fill_router(nd, txn, it->rp, refs[k].row, is_new);
        }
    }

    struct dp_keys *dk;
    HMAP_FOR_EACH_POP (dk, node, &keys) {
        key_set_uninit(&dk->keys);
        free(dk);
    }
    hmap_uninit(&keys);
    strmap_uninit(&by_name);
    free(items);
}

/* Multicast_Group. */

struct mc_want {
    const char *name;           /* Group name. */
    long long key;              /* Its tunnel key. */
    struct datum ports;         /* Port_Binding UUIDs. */
};

static void
sync_multicast_groups(struct northd *nd, struct idl_txn *txn,
                      const struct pb_ref *refs)
{
    const struct northd_sb *c = &nd->sbc;
    const struct db_type *ports_type = col_type(c->mc_ports);

    /* What each switch wants: ovn-northd(8) floods to every enabled port,
     * and sends unknown destinations to the enabled ports with
     * "unknown". */
    struct northd_switch *sw;
    size_t n_sw = hmap_count(&nd->switches);
    struct mc_want (*want)[3] = xcalloc(n_sw + 1, sizeof *want);
    struct hmap_node **sw_index = xcalloc(n_sw + 1, sizeof *sw_index);
    size_t s = 0;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        want[s][0] = (struct mc_want) { "_MC_flood", MC_FLOOD_KEY };
        want[s][1] = (struct mc_want) { "_MC_unknown", MC_UNKNOWN_KEY };
        want[s][2] = (struct mc_want) { "_MC_flood_l2", MC_FLOOD_L2_KEY };
        for (int g = 0; g < 3; g++) {
            datum_init_empty(&want[s][g].ports);
        }
        sw_index[s] = &sw->node;
        s++;
    }
    size_t i = 0;
    struct northd_port *p;
    HMAP_FOR_EACH (p, node, &nd->ports) {
        const struct pb_ref *ref = &refs[i++];
        const struct idl_row *lsp = idl_row_find(nd->nbc.lsp, &p->uuid);
        if (!ref->row || !lsp
            || !idl_row_get_boolean(lsp, nd->nbc.lsp_enabled, true)) {
            continue;
        }
        for (s = 0; s < n_sw && sw_index[s] != &p->sw->node; s++) {
            continue;
        }
        for (int g = 0; g < 3; g++) {
            if ((g == 1 && !p->counts_unknown) || (g == 2 && p->is_router)) {
                continue;
            }
            struct datum *d = &want[s][g].ports;
            d->keys = xrealloc(d->keys, (d->n + 1) * sizeof *d->keys);
            d->keys[d->n++].uuid = *idl_row_uuid(ref->row);
        }
    }

    /* Match them with the rows. */
    bool (*found)[3] = xcalloc(n_sw + 1, sizeof *found);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->mc) {
        const struct datum *dp = idl_row_get(row, c->mc_datapath);
        const char *name = idl_row_get_string(row, c->mc_name);
        int g = -1;
        s = n_sw;
        if (dp->n == 1 && name) {
            for (s = 0; s < n_sw; s++) {
                sw = CONTAINER_OF(sw_index[s], struct northd_switch, node);
                if (sw->has_sb_dp
                    && uuid_equals(&sw->sb_dp, &dp->keys[0].uuid)) {
                    break;
                }
            }
            for (int k = 0; s < n_sw && k < 3; k++) {
                if (!strcmp(name, want[s][k].name)) {
                    g = k;
                }
            }
        }
        if (g < 0 || found[s][g] || !want[s][g].ports.n) {
            idl_txn_delete(txn, row);
            continue;
        }
        found[s][g] = true;
        struct datum d;
        datum_clone(&d, &want[s][g].ports, ports_type);
        set_datum(txn, row, false, c->mc_ports, &d);
        set_integer(txn, row, false, c->mc_tunnel_key, want[s][g].key);
    }
    for (s = 0; s < n_sw; s++) {
        sw = CONTAINER_OF(sw_index[s], struct northd_switch, node);
        for (int g = 0; g < 3; g++) {
            if (!found[s][g] && want[s][g].ports.n && sw->has_sb_dp) {
                row = idl_txn_insert(txn, c->mc);
                idl_txn_set_uuid(txn, row, c->mc_datapath, &sw->sb_dp);
                idl_txn_set_string(txn, row, c->mc_name, want[s][g].name);
                idl_txn_set_integer(txn, row, c->mc_tunnel_key,
                                    want[s][g].key);
                struct datum d;
                datum_clone(&d, &want[s][g].ports, ports_type);
                set_datum(txn, row, true, c->mc_ports, &d);
            }
            datum_destroy(&want[s][g].ports, ports_type);
        }
    }
    free(found);
    free(want);
    free(sw_index);
}

/* Adds to 'txn', a southbound transaction, the bookkeeping rows for the
 * compiled switches and ports, with SB_Global.nb_cfg set to 'nb_cfg' (the
 * northbound configuration the transaction realizes).  Sets each switch's
 * 'sb_dp' for the flows that follow in 'txn'. */
void
northd__sync_bindings(struct northd *nd, struct idl_txn *txn,
                      long long nb_cfg)
{
    sync_sb_global(nd, txn, nb_cfg);

    sync_datapaths(nd, txn);

    struct pb_ref *refs = xcalloc(hmap_count(&nd->ports)
                                  + hmap_count(&nd->rports) + 1,
                                  sizeof *refs);
    sync_port_bindings(nd, txn, refs);
    sync_multicast_groups(nd, txn, refs);
    free(refs);
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
                    snprintf(mac, sizeof mac, "%02x:%02x:%02x",
                             (b[0] & 0xfe) | 0x02, b[1], b[2]);
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

    /* ovn-nb(5) Logical_Switch_Port "up": true once a chassis bound the
     * port and set Port_Binding "up". */
    struct strmap up;           /* Port name -> "1" if up. */
    strmap_init(&up);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, c->pb) {
        const char *name = idl_row_get_string(row, c->pb_logical_port);
        if (name && idl_row_get_boolean(row, c->pb_up, false)) {
            strmap_replace(&up, name, "1");
        }
    }
    struct northd_port *p;
    HMAP_FOR_EACH (p, node, &nd->ports) {
        const struct idl_row *lsp = idl_row_find(n->lsp, &p->uuid);
        if (!lsp) {
            continue;
        }
        long long tag = idl_row_get_integer(lsp, n->lsp_tag_request, 0);
        if (tag > 0 && idl_row_get_integer(lsp, n->lsp_tag, 0) != tag) {
            idl_txn_set_integer(txn, lsp, n->lsp_tag, tag);
        }
        const char *name = idl_row_get_string(lsp, n->lsp_name);
        bool want = name && strmap_contains(&up, name);
        const struct datum *d = idl_row_get(lsp, n->lsp_up);
        if (d->n != 1 || d->keys[0].boolean != want) {
            idl_txn_set_boolean(txn, lsp, n->lsp_up, want);
        }
    }
    strmap_uninit(&up);
}
