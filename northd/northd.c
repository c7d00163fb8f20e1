/* The compile engine of kiln-northd: see northd.h.
 *
 * A run (northd_run()) happens once the loop is idle after any change of
 * either replica or the end of a transaction.  It
 *
 *   1. compiles: everything if 'recompute', else the tracked northbound
 *      changes (switches first, then ports), into the owned flows of
 *      lflow.h;
 *   2. follows the tracked southbound Logical_Flow rows in an index by flow
 *      key;
 *   3. if it holds the lock and no transaction is in flight, writes one
 *      southbound transaction with the bookkeeping (sb-sync.c) and the
 *      flows that gained their first owner or lost their last one (or,
 *      after a failure or reconnection, every difference), and one
 *      northbound transaction with sb_cfg, hv_cfg and the ports' "up". */
#include "northd/northd.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/util.h"
#include "northd/acl.h"
#include "northd/dhcp.h"
#include "northd/lb.h"
#include "northd/lswitch.h"
#include "northd/nat.h"
#include "northd/northd-private.h"
#include "ovsdb/datum.h"
#include "ovsdb/schema.h"

LOG_MODULE(northd);

static void northd_schedule_run(struct northd *);

/* Replica set-up. */

static const struct idl_column *
add_column(struct idl_table *t, const char *name)
{
    return idl_add_column(t, name);
}

static void
northd_nb_init(struct northd_nb *c, struct idl *idl)
{
    c->global = idl_add_table(idl, "NB_Global");
    c->nb_cfg = add_column(c->global, "nb_cfg");
    c->sb_cfg = add_column(c->global, "sb_cfg");
    c->sb_cfg_timestamp = add_column(c->global, "sb_cfg_timestamp");
    c->hv_cfg = add_column(c->global, "hv_cfg");
    c->hv_cfg_timestamp = add_column(c->global, "hv_cfg_timestamp");
    c->options = add_column(c->global, "options");

    c->ls = idl_add_table(idl, "Logical_Switch");
    c->ls_name = add_column(c->ls, "name");
    c->ls_ports = add_column(c->ls, "ports");
    c->ls_acls = add_column(c->ls, "acls");
    c->ls_load_balancer = add_column(c->ls, "load_balancer");
    c->ls_dns_records = add_column(c->ls, "dns_records");
    c->ls_other_config = add_column(c->ls, "other_config");

    c->lsp = idl_add_table(idl, "Logical_Switch_Port");
    c->lsp_name = add_column(c->lsp, "name");
    c->lsp_type = add_column(c->lsp, "type");
    c->lsp_addresses = add_column(c->lsp, "addresses");
    c->lsp_enabled = add_column(c->lsp, "enabled");
    c->lsp_options = add_column(c->lsp, "options");
    c->lsp_parent_name = add_column(c->lsp, "parent_name");
    c->lsp_tag = add_column(c->lsp, "tag");
    c->lsp_tag_request = add_column(c->lsp, "tag_request");
    c->lsp_port_security = add_column(c->lsp, "port_security");
    c->lsp_external_ids = add_column(c->lsp, "external_ids");
    c->lsp_up = add_column(c->lsp, "up");
    c->lsp_dhcpv4_options = add_column(c->lsp, "dhcpv4_options");
    c->lsp_dhcpv6_options = add_column(c->lsp, "dhcpv6_options");
    c->lsp_dynamic_addresses = add_column(c->lsp, "dynamic_addresses");
    c->lsp_ha_chassis_group = add_column(c->lsp, "ha_chassis_group");

    c->dhcp = idl_add_table(idl, "DHCP_Options");
    c->dhcp_cidr = add_column(c->dhcp, "cidr");
    c->dhcp_options = add_column(c->dhcp, "options");

    c->dns = idl_add_table(idl, "DNS");
    c->dns_records = add_column(c->dns, "records");

    c->lr = idl_add_table(idl, "Logical_Router");
    c->lr_name = add_column(c->lr, "name");
    c->lr_ports = add_column(c->lr, "ports");
    c->lr_static_routes = add_column(c->lr, "static_routes");
    c->lr_policies = add_column(c->lr, "policies");
    c->lr_options = add_column(c->lr, "options");
    c->lr_nat = add_column(c->lr, "nat");
    c->lr_load_balancer = add_column(c->lr, "load_balancer");

    c->nat = idl_add_table(idl, "NAT");
    c->nat_type = add_column(c->nat, "type");
    c->nat_external_ip = add_column(c->nat, "external_ip");
    c->nat_logical_ip = add_column(c->nat, "logical_ip");
    c->nat_logical_port = add_column(c->nat, "logical_port");
    c->nat_external_mac = add_column(c->nat, "external_mac");

    c->lb = idl_add_table(idl, "Load_Balancer");
    c->lb_name = add_column(c->lb, "name");
    c->lb_vips = add_column(c->lb, "vips");
    c->lb_protocol = add_column(c->lb, "protocol");
    c->lb_options = add_column(c->lb, "options");

    c->lrp = idl_add_table(idl, "Logical_Router_Port");
    c->lrp_name = add_column(c->lrp, "name");
    c->lrp_mac = add_column(c->lrp, "mac");
    c->lrp_networks = add_column(c->lrp, "networks");
    c->lrp_gateway_chassis = add_column(c->lrp, "gateway_chassis");
    c->lrp_ha_chassis_group = add_column(c->lrp, "ha_chassis_group");
    c->lrp_peer = add_column(c->lrp, "peer");

    c->gwc = idl_add_table(idl, "Gateway_Chassis");
    c->gwc_chassis_name = add_column(c->gwc, "chassis_name");
    c->gwc_priority = add_column(c->gwc, "priority");

    c->hacg = idl_add_table(idl, "HA_Chassis_Group");
    c->hacg_name = add_column(c->hacg, "name");
    c->hacg_ha_chassis = add_column(c->hacg, "ha_chassis");

    c->hac = idl_add_table(idl, "HA_Chassis");
    c->hac_chassis_name = add_column(c->hac, "chassis_name");
    c->hac_priority = add_column(c->hac, "priority");

    c->lrpol = idl_add_table(idl, "Logical_Router_Policy");
    c->lrpol_priority = add_column(c->lrpol, "priority");
    c->lrpol_match = add_column(c->lrpol, "match");
    c->lrpol_action = add_column(c->lrpol, "action");
    c->lrpol_nexthop = add_column(c->lrpol, "nexthop");
    c->lrpol_nexthops = add_column(c->lrpol, "nexthops");
    c->lrpol_options = add_column(c->lrpol, "options");

    c->lrsr = idl_add_table(idl, "Logical_Router_Static_Route");
    c->lrsr_ip_prefix = add_column(c->lrsr, "ip_prefix");
    c->lrsr_nexthop = add_column(c->lrsr, "nexthop");
    c->lrsr_output_port = add_column(c->lrsr, "output_port");

    c->acl = idl_add_table(idl, "ACL");
    c->acl_direction = add_column(c->acl, "direction");
    c->acl_action = add_column(c->acl, "action");
    c->acl_match = add_column(c->acl, "match");
    c->acl_priority = add_column(c->acl, "priority");
    c->acl_log = add_column(c->acl, "log");
    c->acl_name = add_column(c->acl, "name");
    c->acl_severity = add_column(c->acl, "severity");
    c->acl_meter = add_column(c->acl, "meter");
    c->acl_label = add_column(c->acl, "label");
    c->acl_options = add_column(c->acl, "options");

    c->pg = idl_add_table(idl, "Port_Group");
    c->pg_name = add_column(c->pg, "name");
    c->pg_ports = add_column(c->pg, "ports");
    idl_track_column_diffs(c->pg_ports); /* A group may hold every port. */
    c->pg_acls = add_column(c->pg, "acls");

    c->as = idl_add_table(idl, "Address_Set");
    c->as_name = add_column(c->as, "name");
    c->as_addresses = add_column(c->as, "addresses");

    c->meter = idl_add_table(idl, "Meter");
    c->meter_name = add_column(c->meter, "name");
    c->meter_unit = add_column(c->meter, "unit");
    c->meter_bands = add_column(c->meter, "bands");

    c->band = idl_add_table(idl, "Meter_Band");
    c->band_action = add_column(c->band, "action");
    c->band_rate = add_column(c->band, "rate");
    c->band_burst_size = add_column(c->band, "burst_size");
}

static void
northd_sb_init(struct northd_sb *c, struct idl *idl)
{
    c->global = idl_add_table(idl, "SB_Global");
    c->nb_cfg = add_column(c->global, "nb_cfg");
    c->options = add_column(c->global, "options");

    c->lflow = idl_add_table(idl, "Logical_Flow");
    c->lf_datapath = add_column(c->lflow, "logical_datapath");
    c->lf_dp_group = add_column(c->lflow, "logical_dp_group");
    c->lf_pipeline = add_column(c->lflow, "pipeline");
    c->lf_table_id = add_column(c->lflow, "table_id");
    c->lf_priority = add_column(c->lflow, "priority");
    c->lf_match = add_column(c->lflow, "match");
    c->lf_actions = add_column(c->lflow, "actions");
    c->lf_external_ids = add_column(c->lflow, "external_ids");
    c->lf_tags = add_column(c->lflow, "tags");

    c->dp = idl_add_table(idl, "Datapath_Binding");
    c->dp_external_ids = add_column(c->dp, "external_ids");
    c->dp_tunnel_key = add_column(c->dp, "tunnel_key");

    c->pb = idl_add_table(idl, "Port_Binding");
    c->pb_logical_port = add_column(c->pb, "logical_port");
    c->pb_datapath = add_column(c->pb, "datapath");
    c->pb_tunnel_key = add_column(c->pb, "tunnel_key");
    c->pb_mac = add_column(c->pb, "mac");
    c->pb_type = add_column(c->pb, "type");
    c->pb_options = add_column(c->pb, "options");
    c->pb_parent_port = add_column(c->pb, "parent_port");
    c->pb_tag = add_column(c->pb, "tag");
    c->pb_port_security = add_column(c->pb, "port_security");
    c->pb_external_ids = add_column(c->pb, "external_ids");
    c->pb_up = add_column(c->pb, "up");
    c->pb_ha_chassis_group = add_column(c->pb, "ha_chassis_group");

    c->mc = idl_add_table(idl, "Multicast_Group");
    c->mc_datapath = add_column(c->mc, "datapath");
    c->mc_name = add_column(c->mc, "name");
    c->mc_ports = add_column(c->mc, "ports");
    c->mc_tunnel_key = add_column(c->mc, "tunnel_key");

    c->lb = idl_add_table(idl, "Load_Balancer");
    c->lb_name = add_column(c->lb, "name");
    c->lb_vips = add_column(c->lb, "vips");
    c->lb_protocol = add_column(c->lb, "protocol");
    c->lb_options = add_column(c->lb, "options");
    c->lb_external_ids = add_column(c->lb, "external_ids");
    c->lb_datapath_group = add_column(c->lb, "datapath_group");

    c->dpg = idl_add_table(idl, "Logical_DP_Group");
    c->dpg_datapaths = add_column(c->dpg, "datapaths");

    c->chassis = idl_add_table(idl, "Chassis");
    c->chassis_name = add_column(c->chassis, "name");

    c->hacg = idl_add_table(idl, "HA_Chassis_Group");
    c->hacg_name = add_column(c->hacg, "name");
    c->hacg_ha_chassis = add_column(c->hacg, "ha_chassis");

    c->hac = idl_add_table(idl, "HA_Chassis");
    c->hac_chassis = add_column(c->hac, "chassis");
    c->hac_priority = add_column(c->hac, "priority");
    c->hac_external_ids = add_column(c->hac, "external_ids");

    c->chassis_private = idl_add_table(idl, "Chassis_Private");
    c->chp_nb_cfg = add_column(c->chassis_private, "nb_cfg");

    c->pg = idl_add_table(idl, "Port_Group");
    c->pg_name = add_column(c->pg, "name");
    c->pg_ports = add_column(c->pg, "ports");

    c->as = idl_add_table(idl, "Address_Set");
    c->as_name = add_column(c->as, "name");
    c->as_addresses = add_column(c->as, "addresses");

    c->meter = idl_add_table(idl, "Meter");
    c->meter_name = add_column(c->meter, "name");
    c->meter_unit = add_column(c->meter, "unit");
    c->meter_bands = add_column(c->meter, "bands");

    c->band = idl_add_table(idl, "Meter_Band");
    c->band_action = add_column(c->band, "action");
    c->band_rate = add_column(c->band, "rate");
    c->band_burst_size = add_column(c->band, "burst_size");

    c->dhcp = idl_add_table(idl, "DHCP_Options");
    c->dhcp_name = add_column(c->dhcp, "name");
    c->dhcp_code = add_column(c->dhcp, "code");
    c->dhcp_type = add_column(c->dhcp, "type");

    c->dhcpv6 = idl_add_table(idl, "DHCPv6_Options");
    c->dhcpv6_name = add_column(c->dhcpv6, "name");
    c->dhcpv6_code = add_column(c->dhcpv6, "code");
    c->dhcpv6_type = add_column(c->dhcpv6, "type");

    c->dns = idl_add_table(idl, "DNS");
    c->dns_datapaths = add_column(c->dns, "datapaths");
    c->dns_records = add_column(c->dns, "records");
    c->dns_external_ids = add_column(c->dns, "external_ids");

    c->mb = idl_add_table(idl, "MAC_Binding");
    c->mb_logical_port = add_column(c->mb, "logical_port");
    c->mb_datapath = add_column(c->mb, "datapath");
}

static void
northd_idl_changed_cb(struct idl *idl, void *northd_)
{
    northd_schedule_run(northd_);
}

/* Creates an engine that replicates the northbound database at
 * 'nb_remote' and the southbound one at 'sb_remote' (idl_create() syntax)
 * on 'loop', asks for the southbound lock "ovn_northd", and compiles and
 * writes whenever either changes.  The caller owns the result and frees it
 * with northd_destroy(). */
struct northd *
northd_create(uv_loop_t *loop, const char *nb_remote, const char *sb_remote)
{
    struct northd *nd = xzalloc(sizeof *nd);
    nd->loop = loop;
    nd->nb = idl_create(loop, nb_remote, "OVN_Northbound");
    nd->sb = idl_create(loop, sb_remote, "OVN_Southbound");
    northd_nb_init(&nd->nbc, nd->nb);
    northd_sb_init(&nd->sbc, nd->sb);
    idl_track_enable(nd->nb);
    idl_track_enable(nd->sb);
    idl_set_lock(nd->sb, "ovn_northd");

    lflow_table_init(&nd->lflows);
    hmap_init(&nd->switches);
    hmap_init(&nd->ports);
    hmap_init(&nd->routers);
    hmap_init(&nd->rports);
    hmap_init(&nd->router_lsps);
    hmap_init(&nd->lb_groups);
    for (size_t c = 0; c < NORTHD_N_SWITCH_CLASSES; c++) {
        lflow_owner_init(&nd->class_owners[c]);
    }
    list_init(&nd->pb_dirty);
    list_init(&nd->rpb_dirty);
    list_init(&nd->up_check);
    hmap_init(&nd->pb_keys);
    hmap_init(&nd->ports_by_pb);
    hmap_init(&nd->sb_deleted);
    hmap_init(&nd->pg_states);
    hmap_init(&nd->acl_apps);
    hmap_init(&nd->acl_srcs);
    hmap_init(&nd->nats);
    hmap_init(&nd->dhcp_refs);
    ipam_macs_init(&nd->ipam_macs, NULL);
    hmap_init(&nd->sb_lflows);
    hmap_init(&nd->sb_lflows_by_uuid);
    nd->recompute = true;
    nd->full_resync = true;
    nd->dirty = NORTHD_DIRTY_ALL;
    nd->up_dirty = true;

    uv_idle_init(loop, &nd->run_idle);
    nd->run_idle.data = nd;
    idl_set_change_callback(nd->nb, northd_idl_changed_cb, nd);
    idl_set_change_callback(nd->sb, northd_idl_changed_cb, nd);
    return nd;
}

static void northd_clear_model(struct northd *);
static void sb_index_clear(struct northd *);

static void
northd_idle_close_cb(uv_handle_t *handle)
{
    free(handle->data);
}

/* Frees 'nd', abandoning any transaction in flight.  The memory goes when
 * the loop next runs (the idle handle's close callback).  Does nothing if
 * 'nd' is NULL. */
void
northd_destroy(struct northd *nd)
{
    if (!nd) {
        return;
    }
    nd->closing = true;
    idl_txn_destroy(nd->sb_txn);
    idl_txn_destroy(nd->nb_txn);
    northd_clear_model(nd);
    for (size_t c = 0; c < NORTHD_N_SWITCH_CLASSES; c++) {
        lflow_owner_uninit(&nd->lflows, &nd->class_owners[c]);
    }
    struct northd_lb_group *lbg;
    HMAP_FOR_EACH_POP (lbg, node, &nd->lb_groups) {
        lflow_owner_uninit(&nd->lflows, &lbg->owner);
        free(lbg);
    }
    hmap_uninit(&nd->lb_groups);
    northd__pb_state_clear(nd);
    free(nd->pb_gone);
    hmap_uninit(&nd->pb_keys);
    hmap_uninit(&nd->ports_by_pb);
    hmap_uninit(&nd->sb_deleted);
    northd__sets_clear(nd);
    hmap_uninit(&nd->pg_states);
    free(nd->set_ports);
    free(nd->set_pgs);
    free(nd->set_pg_ports);
    northd__acls_destroy(nd);
    sb_index_clear(nd);
    lflow_table_uninit(&nd->lflows);
    hmap_uninit(&nd->switches);
    hmap_uninit(&nd->ports);
    hmap_uninit(&nd->routers);
    hmap_uninit(&nd->rports);
    hmap_uninit(&nd->router_lsps);
    hmap_uninit(&nd->acl_apps);
    hmap_uninit(&nd->acl_srcs);
    hmap_uninit(&nd->nats);
    hmap_uninit(&nd->dhcp_refs);
    ipam_macs_uninit(&nd->ipam_macs);
    hmap_uninit(&nd->sb_lflows);
    hmap_uninit(&nd->sb_lflows_by_uuid);
    idl_destroy(nd->nb);
    idl_destroy(nd->sb);
    uv_close((uv_handle_t *) &nd->run_idle, northd_idle_close_cb);
}

/* True if 'nd' holds the southbound lock, i.e. it is the active northd. */
bool
northd_is_active(const struct northd *nd)
{
    return idl_has_lock(nd->sb);
}

/* True if both replicas are connected and synced. */
bool
northd_is_connected(const struct northd *nd)
{
    return idl_has_synced(nd->nb) && idl_has_synced(nd->sb);
}

/* Makes the next run compile everything and compare every southbound
 * row. */
void
northd_request_recompute(struct northd *nd)
{
    nd->recompute = true;
    nd->recompute_why = "requested";
    nd->full_resync = true;
    nd->dirty = NORTHD_DIRTY_ALL;
    nd->up_dirty = true;
    northd_schedule_run(nd);
}

/* Stops ('paused') or resumes writing to the databases.  A paused northd
 * keeps compiling and keeps its lock. */
void
northd_set_paused(struct northd *nd, bool paused)
{
    nd->paused = paused;
    if (!paused) {
        northd_schedule_run(nd);
    }
}

/* True if writing is paused. */
bool
northd_is_paused(const struct northd *nd)
{
    return nd->paused;
}

/* Fills 'stats' with 'nd''s counters. */
void
northd_get_stats(const struct northd *nd, struct northd_stats *stats)
{
    *stats = nd->stats;
    stats->n_flows = nd->lflows.n_live;
    stats->n_switches = hmap_count(&nd->switches);
    stats->n_ports = hmap_count(&nd->ports);
}

/* Compiling. */

/* Returns the compiled switch whose Logical_Switch row is 'uuid', or
 * NULL. */
struct northd_switch *
northd__switch_find(const struct northd *nd, const struct uuid *uuid)
{
    struct northd_switch *sw;
    HMAP_FOR_EACH_WITH_HASH (sw, node, uuid_hash(uuid), &nd->switches) {
        if (uuid_equals(&sw->uuid, uuid)) {
            return sw;
        }
    }
    return NULL;
}

/* Returns the compiled router whose Logical_Router row is 'uuid', or
 * NULL. */
struct northd_router *
northd__router_find(const struct northd *nd, const struct uuid *uuid)
{
    struct northd_router *lr;
    HMAP_FOR_EACH_WITH_HASH (lr, node, uuid_hash(uuid), &nd->routers) {
        if (uuid_equals(&lr->uuid, uuid)) {
            return lr;
        }
    }
    return NULL;
}

/* Returns the compiled router port named 'name', or NULL. */
struct northd_rport *
northd__rport_find(const struct northd *nd, const char *name)
{
    struct northd_rport *rp;
    HMAP_FOR_EACH_WITH_HASH (rp, node, hash_string(name, 0), &nd->rports) {
        if (!strcmp(rp->lrp.name, name)) {
            return rp;
        }
    }
    return NULL;
}

/* Returns the compiled switch port whose Logical_Switch_Port row is
 * 'uuid', or NULL. */
struct northd_port *
northd__port_find(const struct northd *nd, const struct uuid *uuid)
{
    struct northd_port *p;
    HMAP_FOR_EACH_WITH_HASH (p, node, uuid_hash(uuid), &nd->ports) {
        if (uuid_equals(&p->uuid, uuid)) {
            return p;
        }
    }
    return NULL;
}

static struct northd_port *
port_find(const struct northd *nd, const struct uuid *uuid)
{
    return northd__port_find(nd, uuid);
}

/* DHCP and DNS (dhcp.h). */

/* Fills 'd' from DHCP_Options row 'row'.  Its strings point into 'row';
 * the caller frees 'd->keys' and 'd->values'. */
static void
dhcp_desc_from_row(const struct northd_nb *c, const struct idl_row *row,
                   bool is_v6, struct dhcp_options_desc *d)
{
    const struct datum *o = idl_row_get(row, c->dhcp_options);
    const char **keys = xcalloc(o->n + 1, sizeof *keys);
    const char **values = xcalloc(o->n + 1, sizeof *values);
    for (size_t i = 0; i < o->n; i++) {
        keys[i] = o->keys[i].string;
        values[i] = o->values[i].string;
    }
    d->uuid = *idl_row_uuid(row);
    d->cidr = idl_row_get_string(row, c->dhcp_cidr);
    d->keys = keys;
    d->values = values;
    d->n_options = o->n;
    d->is_v6 = is_v6;
}

/* Records that 'p' was built with DHCP_Options row 'row' (NULL for none)
 * in slot 'i' (0: DHCPv4, 1: DHCPv6). */
static void
port_dhcp_link(struct northd *nd, struct northd_port *p, int i,
               const struct uuid *row)
{
    struct northd_dhcp_ref *ref = &p->dhcp_refs[i];
    if (ref->linked) {
        if (row && uuid_equals(&ref->row, row)) {
            return;
        }
        hmap_remove(&nd->dhcp_refs, &ref->node);
        ref->linked = false;
    }
    if (row) {
        ref->row = *row;
        ref->port = p;
        ref->linked = true;
        hmap_insert(&nd->dhcp_refs, &ref->node, uuid_hash(row));
    }
}

/* Adds the DHCP flows of 'p', of Logical_Switch_Port 'row' with the
 * "addresses" 'addresses' (dynamic ones resolved), to 'p->owner'.
 * Returns true if it has DHCP options. */
static bool
port_build_dhcp_flows(struct northd *nd, struct northd_port *p,
                      const struct idl_row *row, const struct lswitch_port *lp)
{
    const struct northd_nb *c = &nd->nbc;
    const struct idl_column *cols[2] = { c->lsp_dhcpv4_options,
                                         c->lsp_dhcpv6_options };
    struct dhcp_options_desc descs[2];
    const struct dhcp_options_desc *used[2] = { NULL, NULL };
    for (int i = 0; i < 2; i++) {
        const struct datum *d = idl_row_get(row, cols[i]);
        const struct uuid *u = d->n ? &d->keys[0].uuid : NULL;
        port_dhcp_link(nd, p, i, u);
        const struct idl_row *r = u ? idl_row_find(c->dhcp, u) : NULL;
        if (r) {
            dhcp_desc_from_row(c, r, i == 1, &descs[i]);
            used[i] = &descs[i];
        }
    }
    if (!used[0] && !used[1]) {
        return false;
    }

    const char **localnets = NULL;
    size_t n_localnets = 0;
    if (!strcmp(lp->type, "external")
        && idl_row_get(row, c->lsp_ha_chassis_group)->n) {
        localnets = xcalloc(list_size(&p->sw->ports) + 1, sizeof *localnets);
        struct northd_port *q;
        LIST_FOR_EACH (q, sw_node, &p->sw->ports) {
            const struct idl_row *qr = idl_row_find(c->lsp, &q->uuid);
            const char *t = qr ? idl_row_get_string(qr, c->lsp_type) : NULL;
            const char *n = qr ? idl_row_get_string(qr, c->lsp_name) : NULL;
            if (t && n && !strcmp(t, "localnet")) {
                localnets[n_localnets++] = n;
            }
        }
    }
    struct dhcp_port_desc pd = {
        .name = lp->name,
        .type = lp->type,
        .enabled = lp->enabled,
        .addresses = lp->addresses,
        .n_addresses = lp->n_addresses,
        .hostname = idl_row_get_map_string(row, c->lsp_options, "hostname"),
        .v4 = used[0],
        .v6 = used[1],
        .localnet_ports = localnets,
        .n_localnet_ports = n_localnets,
        .stateful = p->sw->stateful || p->sw->has_lb,
    };
    dhcp_build_port_flows(&nd->lflows, &p->owner, &p->sw->uuid, &pd);
    free(localnets);
    for (int i = 0; i < 2; i++) {
        if (used[i]) {
            free((void *) used[i]->keys);
            free((void *) used[i]->values);
        }
    }
    return true;
}

/* Adds the DNS flows of 'sw' to its own owner. */
static void
switch_build_dns_flows(struct northd *nd, struct northd_switch *sw)
{
    const struct northd_nb *c = &nd->nbc;
    const struct idl_row *ls = idl_row_find(c->ls, &sw->uuid);
    const struct datum *refs = ls ? idl_row_get(ls, c->ls_dns_records)
                                  : NULL;
    if (!refs || !refs->n) {
        return;
    }
    struct dns_desc *descs = xcalloc(refs->n, sizeof *descs);
    const struct dns_desc **ptrs = xcalloc(refs->n, sizeof *ptrs);
    size_t n = 0;
    for (size_t i = 0; i < refs->n; i++) {
        const struct idl_row *r = idl_row_find(c->dns, &refs->keys[i].uuid);
        if (!r) {
            continue;
        }
        const struct datum *rec = idl_row_get(r, c->dns_records);
        const char **keys = xcalloc(rec->n + 1, sizeof *keys);
        const char **values = xcalloc(rec->n + 1, sizeof *values);
        for (size_t k = 0; k < rec->n; k++) {
            keys[k] = rec->keys[k].string;
            values[k] = rec->values[k].string;
        }
        descs[n] = (struct dns_desc) {
            .uuid = *idl_row_uuid(r),
            .keys = keys,
            .values = values,
            .n_records = rec->n,
        };
        ptrs[n] = &descs[n];
        n++;
    }
    dns_build_switch_flows(&nd->lflows, &sw->owner, &sw->uuid, ptrs, n,
                           sw->stateful || sw->has_lb);
    for (size_t i = 0; i < n; i++) {
        free((void *) descs[i].keys);
        free((void *) descs[i].values);
    }
    free(descs);
    free(ptrs);
}

/* True if 'sw' has a port not of type "router". */
static bool
switch_has_vifs(const struct northd_switch *sw)
{
    return sw->n_ports > sw->n_router_lsps;
}

/* True if the switch-wide facts that 'sw''s own flows were built from
 * changed. */
static bool
switch_flows_stale(const struct northd_switch *sw)
{
    return ((sw->n_unknown > 0) != sw->flows_unknown
            || switch_has_vifs(sw) != sw->flows_vifs);
}

static bool port_build_flows(struct northd *, struct northd_port *,
                             const struct idl_row *);

static void
switch_build_flows(struct northd *nd, struct northd_switch *sw)
{
    lflow_owner_clear(&nd->lflows, &sw->owner);
    sw->flows_unknown = sw->n_unknown > 0;
    if (switch_has_vifs(sw) != sw->flows_vifs) {
        /* Its router ports flood ARP and ND to the others, or stop. */
        sw->flows_vifs = switch_has_vifs(sw);
        struct northd_port *p;
        LIST_FOR_EACH (p, sw_node, &sw->ports) {
            const struct idl_row *prow = (p->is_router
                                          ? idl_row_find(nd->nbc.lsp,
                                                         &p->uuid)
                                          : NULL);
            if (prow) {
                port_build_flows(nd, p, prow);
            }
        }
    }
    struct ds macs = DS_EMPTY_INITIALIZER;
    struct northd_rport *rp;
    LIST_FOR_EACH (rp, sw_node, &sw->rports) {
        /* The MACs of the router's distributed NAT rules too: before the
         * port's own on the distributed gateway port's switch, after it
         * elsewhere (as OVN 23.03 lists them). */
        const char *nat_macs = rp->lr->nat_macs;
        bool has_nat_macs = nat_macs && nat_macs[0];
        if (has_nat_macs && rp->lrp.is_dgp) {
            ds_put_format(&macs, "%s%s", macs.length ? ", " : "", nat_macs);
        }
        if (macs.length) {
            ds_put_cstr(&macs, ", ");
        }
        ds_put_cstr(&macs, rp->lrp.ea_s);
        if (has_nat_macs && !rp->lrp.is_dgp) {
            ds_put_format(&macs, ", %s", nat_macs);
        }
    }
    lswitch_build_router_macs_flow(&nd->lflows, &sw->owner, &sw->uuid,
                                   sw->flows_vifs ? ds_cstr(&macs) : NULL);
    unsigned int cls = ((sw->flows_unknown ? NORTHD_SWITCH_UNKNOWN : 0)
                        | (sw->has_acls ? NORTHD_SWITCH_ACLS : 0)
                        | (sw->stateful ? NORTHD_SWITCH_STATEFUL : 0)
                        | (sw->has_lb ? NORTHD_SWITCH_LB : 0));
    if (cls != sw->shared_class) {
        sw->shared_class = cls;
        nd->classes_dirty = true;
    }
    switch_build_dns_flows(nd, sw);
    ds_uninit(&macs);
    nd->stats.n_switch_updates++;
}

/* True if one of the networks of 'rp' contains address 'ip'. */
static bool
rport_has_subnet_of(const struct northd_rport *rp, const char *ip)
{
    struct ip_prefix addr;
    if (!ip_from_string(ip, &addr)) {
        return false;
    }
    for (size_t i = 0; i < rp->lrp.n_networks; i++) {
        struct ip_prefix net = rp->lrp.networks[i];
        struct ip_prefix a = addr;
        if (net.family != a.family) {
            continue;
        }
        a.plen = net.plen;
        ip_prefix_mask(&a);
        ip_prefix_mask(&net);
        if (ip_prefix_equals(&a, &net)) {
            return true;
        }
    }
    return false;
}

/* Makes 'name' the router port that 'p' (of type "router") names, NULL
 * for none, in the index northd.router_lsps. */
static void
port_set_router_port(struct northd *nd, struct northd_port *p,
                     const char *name)
{
    if (p->router_port && name && !strcmp(p->router_port, name)) {
        return;
    }
    if (p->router_port) {
        hmap_remove(&nd->router_lsps, &p->peer_node);
        free(p->router_port);
        p->router_port = NULL;
    }
    if (name) {
        p->router_port = xstrdup(name);
        hmap_insert(&nd->router_lsps, &p->peer_node, hash_string(name, 0));
    }
}

/* Returns a switch port of type "router" that names router port 'name',
 * or NULL. */
static struct northd_port *
router_lsp_find(const struct northd *nd, const char *name)
{
    struct northd_port *p;
    HMAP_FOR_EACH_WITH_HASH (p, peer_node, hash_string(name, 0),
                             &nd->router_lsps) {
        if (!strcmp(p->router_port, name)) {
            return p;
        }
    }
    return NULL;
}

/* Regenerates the flows of 'p' from its row 'row' and keeps its switch's
 * "unknown" count.  Returns true if the switch's own flows must be
 * regenerated. */
static bool
port_build_flows(struct northd *nd, struct northd_port *p,
                 const struct idl_row *row)
{
    const struct northd_nb *c = &nd->nbc;
    const struct datum *addrs = idl_row_get(row, c->lsp_addresses);
    const char **addresses = xmalloc((addrs->n + 1) * sizeof *addresses);
    const char *dynamic = idl_row_get_string(row, c->lsp_dynamic_addresses);
    size_t n_addresses = 0;
    for (size_t i = 0; i < addrs->n; i++) {
        /* A "dynamic" entry stands for the addresses IPAM assigned, once
         * they are in "dynamic_addresses". */
        const char *a = addrs->keys[i].string;
        if (ipam_is_dynamic(a)) {
            a = dynamic && dynamic[0] ? dynamic : NULL;
        }
        if (a) {
            addresses[n_addresses++] = a;
        }
    }
    const char *type = idl_row_get_string(row, c->lsp_type);
    struct lswitch_port lp = {
        .name = idl_row_get_string(row, c->lsp_name),
        .uuid = p->uuid,
        .type = type ? type : "",
        .enabled = idl_row_get_boolean(row, c->lsp_enabled, true),
        .has_port_security = idl_row_get(row, c->lsp_port_security)->n > 0,
        .addresses = addresses,
        .n_addresses = n_addresses,
        .stateful = p->sw->stateful,
        .has_lb = p->sw->has_lb,
    };
    if (!lp.name) {
        lp.name = "";
    }
    const char **arp_ips = NULL;
    p->is_router = !strcmp(lp.type, "router");
    if (p->is_router != p->counts_router) {
        p->counts_router = p->is_router;
        p->sw->n_router_lsps += p->is_router ? 1 : -1;
    }
    lp.switch_has_vifs = switch_has_vifs(p->sw);
    p->uses_stateful = p->is_router || !strcmp(lp.type, "localnet");
    p->is_localnet = !strcmp(lp.type, "localnet");
    port_set_router_port(nd, p, (p->is_router
                                 ? idl_row_get_map_string(row, c->lsp_options,
                                                          "router-port")
                                 : NULL));
    if (p->is_router) {
        const char *peer = p->router_port;
        struct northd_rport *rp = peer ? northd__rport_find(nd, peer) : NULL;
        lp.router_peer = rp ? &rp->lrp : NULL;
        if (rp) {
            /* NAT addresses on every switch, VIPs on those whose subnet
             * has them. */
            const struct northd_router *lr = rp->lr;
            arp_ips = xcalloc(lr->n_nat_arp_ips + 1, sizeof *arp_ips);
            for (size_t i = 0; i < lr->n_nat_arp_ips; i++) {
                const char *ip = lr->nat_arp_ips[i];
                if (i < lr->n_nat_arp_ips - lr->n_lb_ips
                    || rport_has_subnet_of(rp, ip)) {
                    arp_ips[lp.n_nat_arp_ips++] = ip;
                }
            }
            lp.nat_arp_ips = arp_ips;
        }
    }

    lflow_owner_clear(&nd->lflows, &p->owner);
    lswitch_build_port_flows(&nd->lflows, &p->owner, &p->sw->uuid, &lp);
    if (port_build_dhcp_flows(nd, p, row, &lp)) {
        p->uses_stateful = true;
    }
    if ((!lp.type[0] || !strcmp(lp.type, "localport"))
        && !list_is_empty(&p->sw->rports)) {
        /* The routers on the switch resolve the port's addresses. */
        for (size_t i = 0; i < lp.n_addresses; i++) {
            struct lswitch_addresses a;
            if (!lswitch_addresses_parse(lp.addresses[i], &a)) {
                continue;
            }
            struct northd_rport *rp;
            LIST_FOR_EACH (rp, sw_node, &p->sw->rports) {
                lrouter_build_neighbor_flows(&nd->lflows, &p->owner,
                                             &rp->lr->uuid, &rp->lrp, &a,
                                             &p->uuid);
            }
            lswitch_addresses_destroy(&a);
        }
    }
    p->built_run = nd->n_runs;
    bool unknown = lp.enabled && lswitch_port_has_unknown(&lp);
    free(addresses);
    free(arp_ips);

    if (unknown != p->counts_unknown) {
        p->counts_unknown = unknown;
        p->sw->n_unknown += unknown ? 1 : -1;
    }
    nd->stats.n_port_updates++;
    return switch_flows_stale(p->sw);
}

static void
port_destroy(struct northd *nd, struct northd_port *p)
{
    if (p->counts_unknown) {
        p->sw->n_unknown--;
    }
    if (p->counts_router) {
        p->sw->n_router_lsps--;
    }
    p->sw->n_ports--;
    lflow_owner_uninit(&nd->lflows, &p->owner);
    port_dhcp_link(nd, p, 0, NULL);
    port_dhcp_link(nd, p, 1, NULL);
    port_set_router_port(nd, p, NULL);
    northd__port_pb_gone(nd, p);
    if (p->dynamic) {
        /* Its addresses go back to the pool at the next IPAM pass. */
        nd->ipam_dirty = true;
        free(p->dynamic);
    }
    list_remove(&p->sw_node);
    hmap_remove(&nd->ports, &p->node);
    free(p);
}

static struct northd_switch *
switch_create(struct northd *nd, const struct idl_row *row)
{
    struct northd_switch *sw = xzalloc(sizeof *sw);
    nd->classes_dirty = true;
    sw->uuid = *idl_row_uuid(row);
    const char *name = idl_row_get_string(row, nd->nbc.ls_name);
    sw->name = xstrdup(name ? name : "");
    lflow_owner_init(&sw->owner);
    list_init(&sw->ports);
    list_init(&sw->rports);
    ipam_switch_init(&sw->ipam);
    nd->ipam_dirty = true;
    hmap_insert(&nd->switches, &sw->node, uuid_hash(&sw->uuid));
    return sw;
}


/* ACLs. */

/* Parses ACL row 'row' into 'd', whose strings point into 'row'. */
void
northd__acl_desc_from_row(const struct northd_nb *c,
                          const struct idl_row *row, struct acl_desc *d)
{
    memset(d, 0, sizeof *d);
    d->uuid = *idl_row_uuid(row);
    const char *dir = idl_row_get_string(row, c->acl_direction);
    d->from_lport = dir && !strcmp(dir, "from-lport");
    d->action = idl_row_get_string(row, c->acl_action);
    d->match = idl_row_get_string(row, c->acl_match);
    d->priority = idl_row_get_integer(row, c->acl_priority, 0);
    d->log = idl_row_get_boolean(row, c->acl_log, false);
    d->name = idl_row_get_string(row, c->acl_name);
    d->severity = idl_row_get_string(row, c->acl_severity);
    d->meter = idl_row_get_string(row, c->acl_meter);
    d->label = idl_row_get_integer(row, c->acl_label, 0);
    /* ovn-nb(5): only from-lport ACLs may run after load balancing. */
    const char *after = idl_row_get_map_string(row, c->acl_options,
                                               "apply-after-lb");
    d->apply_after_lb = d->from_lport && after && !strcmp(after, "true");
}

/* Regenerates the flows with which 'lr' answers ARP and ND for its VIPs
 * on each of its ports with a network of the family, through the address
 * sets "_rtr_lb_<key>_ip4" and "_rtr_lb_<key>_ip6" (sb-sync.c writes
 * them). */
static void
router_build_lb_arp_flows(struct northd *nd, struct northd_router *lr)
{
    lflow_owner_clear(&nd->lflows, &lr->lb_arp_owner);
    if (!lr->tunnel_key) {
        return;
    }
    bool v4 = false, v6 = false;
    for (size_t i = 0; i < lr->n_lb_ips; i++) {
        if (strchr(lr->lb_ips[i], ':')) {
            v6 = true;
        } else {
            v4 = true;
        }
    }
    struct ds m = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < lr->n_ports; i++) {
        const struct lrouter_port *lrp = &lr->ports[i]->lrp;
        const char *port = lrp->name;
        bool has4 = false, has6 = false;    /* Link-local aside. */
        for (size_t k = 0; k < lrp->n_networks; k++) {
            if (lrp->networks[k].family == AF_INET) {
                has4 = true;
            } else if (!lrouter_port_is_lla(&lrp->networks[k])) {
                has6 = true;
            }
        }
        if (v4 && has4) {
            ds_clear(&m);
            ds_put_format(&m, "inport == \"%s\" && arp.op == 1 && "
                          "arp.tpa == $_rtr_lb_%lld_ip4", port,
                          lr->tunnel_key);
            lflow_add(&nd->lflows, &lr->lb_arp_owner, &lr->uuid,
                      LR_IN_IP_INPUT, 90, ds_cstr(&m),
                      "eth.dst = eth.src; eth.src = xreg0[0..47]; "
                      "arp.op = 2; /* ARP reply */ arp.tha = arp.sha; "
                      "arp.sha = xreg0[0..47]; arp.tpa <-> arp.spa; "
                      "outport = inport; flags.loopback = 1; output;",
                      NULL, NULL);
        }
        if (v6 && has6) {
            ds_clear(&m);
            ds_put_format(&m, "inport == \"%s\" && nd_ns && "
                          "nd.target == $_rtr_lb_%lld_ip6", port,
                          lr->tunnel_key);
            lflow_add(&nd->lflows, &lr->lb_arp_owner, &lr->uuid,
                      LR_IN_IP_INPUT, 90, ds_cstr(&m),
                      "nd_na { eth.src = xreg0[0..47]; ip6.src = "
                      "nd.target; nd.tll = xreg0[0..47]; outport = inport; "
                      "flags.loopback = 1; output; };", NULL, NULL);
        }
    }
    ds_uninit(&m);
}

/* Records that the Datapath_Binding of 'lr' has 'tunnel_key' (for the
 * bookkeeping, which calls it before the flows of the same transaction
 * are synced) and rebuilds the flows that name it. */
void
northd__router_set_key(struct northd *nd, struct northd_router *lr,
                       long long tunnel_key)
{
    if (lr->tunnel_key != tunnel_key) {
        lr->tunnel_key = tunnel_key;
        router_build_lb_arp_flows(nd, lr);
    }
}

/* Parses the Load_Balancer row 'r' into 'lb'; the caller destroys it. */
static void
lb_desc_from_row(const struct northd_nb *c, const struct idl_row *r,
                 struct lb_desc *lb)
{
    const struct datum *vips = idl_row_get(r, c->lb_vips);
    const char **keys = xcalloc(vips->n + 1, sizeof *keys);
    const char **values = xcalloc(vips->n + 1, sizeof *values);
    for (size_t k = 0; k < vips->n; k++) {
        keys[k] = vips->keys[k].string;
        values[k] = vips->values[k].string;
    }
    const char *reject = idl_row_get_map_string(r, c->lb_options, "reject");
    lb_desc_init(lb, idl_row_uuid(r), idl_row_get_string(r, c->lb_protocol),
                 reject && !strcmp(reject, "true"), keys, values, vips->n);
    free(keys);
    free(values);
}

/* Load balancer groups.
 *
 * A load balancer's flows are the same on every switch that has it: they
 * go south once, for a datapath group of those switches (struct
 * northd_lb_group), so a switch gaining or losing a load balancer changes
 * the members of a group, not the flows. */

static struct northd_lb_group *
lb_group_find(const struct northd *nd, const struct uuid *lb)
{
    struct northd_lb_group *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, uuid_hash(lb), &nd->lb_groups) {
        if (uuid_equals(&e->lb, lb)) {
            return e;
        }
    }
    return NULL;
}

/* Returns the group of load balancer 'lb', created (stale, without
 * members yet) if need be. */
static struct northd_lb_group *
lb_group_get(struct northd *nd, const struct uuid *lb)
{
    struct northd_lb_group *e = lb_group_find(nd, lb);
    if (!e) {
        e = xzalloc(sizeof *e);
        e->lb = *lb;
        lflow_owner_init(&e->owner);
        e->stale = e->members_dirty = true;
        hmap_insert(&nd->lb_groups, &e->node, uuid_hash(lb));
    }
    return e;
}

/* Marks the groups of the load balancers in 'lbs' for a members check. */
static void
lb_groups_members_dirty(struct northd *nd, const struct uuid *lbs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct northd_lb_group *e = lb_group_find(nd, &lbs[i]);
        if (e) {
            e->members_dirty = true;
        }
    }
}

/* Stores in 'members' the switches whose 'lbs' have load balancer 'lb';
 * returns how many. */
static size_t
lb_group_members(const struct northd *nd, const struct uuid *lb,
                 struct uuid *members)
{
    size_t n = 0;
    const struct northd_switch *sw;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        for (size_t i = 0; i < sw->n_lbs; i++) {
            if (uuid_equals(&sw->lbs[i], lb)) {
                members[n++] = sw->uuid;
                break;
            }
        }
    }
    return n;
}

/* Brings the load balancer groups marked in this compile up to date: their
 * members (the switches whose 'lbs' have them) and, if stale, their
 * flows. */
static void
sync_lb_groups(struct northd *nd)
{
    const struct northd_nb *c = &nd->nbc;
    struct uuid *members = NULL;
    struct northd_lb_group *e;
    HMAP_FOR_EACH_SAFE (e, node, &nd->lb_groups) {
        if (!e->members_dirty && !e->stale) {
            continue;
        }
        if (e->members_dirty) {
            e->members_dirty = false;
            members = xrealloc(members, (hmap_count(&nd->switches) + 1)
                                        * sizeof *members);
            size_t n = lb_group_members(nd, &e->lb, members);
            if (!n) {
                lflow_owner_uninit(&nd->lflows, &e->owner);
                if (e->group) {
                    lflow_dp_group_release(&nd->lflows, e->group);
                }
                hmap_remove(&nd->lb_groups, &e->node);
                free(e);
                continue;
            }
            if (!e->group) {
                /* The same identity for the load balancer at every
                 * start. */
                struct uuid id = e->lb;
                id.parts[0] ^= 0x6b6c6267;
                e->group = lflow_dp_group_create(&nd->lflows, &id);
                e->stale = true;
            }
            lflow_dp_group_set(e->group, members, n);
        }
        if (e->stale && e->group) {
            e->stale = false;
            lflow_owner_clear(&nd->lflows, &e->owner);
            const struct idl_row *r = idl_row_find(c->lb, &e->lb);
            if (r) {
                struct lb_desc lb;
                lb_desc_from_row(c, r, &lb);
                lb_build_switch_flows(&nd->lflows, &e->owner, &e->group->id,
                                      &lb);
                lb_desc_destroy(&lb);
            }
        }
    }
    free(members);
}

/* Makes the load balancers of 'sw' those of its row 'row', for the load
 * balancer groups.  Returns true if one of them has a VIP (the switch's
 * class then has the load balancer stages' flows). */
bool
northd__switch_build_lb_flows(struct northd *nd, struct northd_switch *sw,
                              const struct idl_row *row)
{
    const struct northd_nb *c = &nd->nbc;
    const struct datum *lbs = idl_row_get(row, c->ls_load_balancer);
    bool has_vip = false;
    struct uuid *now = xcalloc(lbs->n + 1, sizeof *now);
    size_t n = 0;
    for (size_t i = 0; i < lbs->n; i++) {
        const struct idl_row *r = idl_row_find(c->lb, &lbs->keys[i].uuid);
        if (!r) {
            continue;
        }
        struct lb_desc lb;
        lb_desc_from_row(c, r, &lb);
        has_vip |= lb.n_vips > 0;
        lb_desc_destroy(&lb);
        now[n++] = lbs->keys[i].uuid;
        lb_group_get(nd, &lbs->keys[i].uuid);
    }
    if (n != sw->n_lbs || (n && memcmp(now, sw->lbs, n * sizeof *now))) {
        lb_groups_members_dirty(nd, sw->lbs, sw->n_lbs);
        lb_groups_members_dirty(nd, now, n);
    }
    free(sw->lbs);
    sw->lbs = now;
    sw->n_lbs = n;
    return has_vip;
}


static void
switch_destroy(struct northd *nd, struct northd_switch *sw)
{
    struct northd_port *p;
    LIST_FOR_EACH_SAFE (p, sw_node, &sw->ports) {
        port_destroy(nd, p);
    }
    struct northd_rport *rp;
    LIST_FOR_EACH_POP (rp, sw_node, &sw->rports) {
        rp->sw = NULL;
    }
    northd__switch_acls_gone(nd, sw);
    free(sw->pgs);
    lflow_owner_uninit(&nd->lflows, &sw->owner);
    lb_groups_members_dirty(nd, sw->lbs, sw->n_lbs);
    free(sw->lbs);
    ipam_switch_uninit(&sw->ipam);
    hmap_remove(&nd->switches, &sw->node);
    nd->classes_dirty = true;
    free(sw->name);
    free(sw);
}

/* Rebuilds the ports of 'sw' of type "external" with DHCP options, whose
 * flows name the switch's localnet ports (even those built earlier in
 * this run, maybe before a localnet port joined).  Returns true if
 * 'sw''s own flows must be regenerated. */
static bool
switch_rebuild_externals(struct northd *nd, struct northd_switch *sw)
{
    bool sw_dirty = false;
    struct northd_port *p;
    LIST_FOR_EACH (p, sw_node, &sw->ports) {
        if (!p->dhcp_refs[0].linked && !p->dhcp_refs[1].linked) {
            continue;
        }
        const struct idl_row *r = idl_row_find(nd->nbc.lsp, &p->uuid);
        const char *type = r ? idl_row_get_string(r, nd->nbc.lsp_type)
                             : NULL;
        if (type && !strcmp(type, "external")) {
            sw_dirty |= port_build_flows(nd, p, r);
        }
    }
    return sw_dirty;
}

/* Makes 'sw''s ports those of its row's "ports" column: ports that left
 * lose their flows, ports that joined get theirs.  Marks each port it
 * (re)built with 'nd->mark'.  Returns true if 'sw''s own flows must be
 * regenerated. */
static bool
switch_sync_ports(struct northd *nd, struct northd_switch *sw,
                  const struct idl_row *row)
{
    const struct datum *ports = idl_row_get(row, nd->nbc.ls_ports);
    unsigned int keep = ++nd->mark;
    unsigned int built = ++nd->mark;
    bool sw_dirty = false;
    bool localnets = false;     /* A localnet port came or went. */

    for (size_t i = 0; i < ports->n; i++) {
        const struct uuid *u = &ports->keys[i].uuid;
        struct northd_port *p = port_find(nd, u);
        if (p && p->sw == sw) {
            p->mark = keep;
            continue;
        }
        const struct idl_row *prow = idl_row_find(nd->nbc.lsp, u);
        if (!prow) {
            continue;
        }
        if (p || !idl_row_is_new(prow)) {
            /* A port that moved from another switch, or an existing one
             * that joined: the port groups it is in may now have ports
             * on other switches. */
            nd->pgs_members_dirty = true;
        }
        if (p) {
            /* Moved from another switch in the same batch. */
            struct northd_switch *old = p->sw;
            port_destroy(nd, p);
            if (switch_flows_stale(old)) {
                switch_build_flows(nd, old);
            }
        }
        p = xzalloc(sizeof *p);
        p->uuid = *u;
        p->sw = sw;
        lflow_owner_init(&p->owner);
        hmap_insert(&nd->ports, &p->node, uuid_hash(u));
        list_push_back(&sw->ports, &p->sw_node);
        sw->n_ports++;
        northd__port_pb_dirty(nd, p);
        northd__sets_port_changed(nd, u);
        sw_dirty |= port_build_flows(nd, p, prow);
        localnets |= p->is_localnet;
        p->mark = built;
    }

    struct northd_port *p;
    LIST_FOR_EACH_SAFE (p, sw_node, &sw->ports) {
        if (p->mark != keep && p->mark != built) {
            localnets |= p->is_localnet;
            port_destroy(nd, p);
        }
    }
    if (localnets) {
        sw_dirty |= switch_rebuild_externals(nd, sw);
    }
    return sw_dirty || switch_flows_stale(sw);
}

static void
nat_destroy(struct northd *nd, struct northd_nat *nat)
{
    lflow_owner_uninit(&nd->lflows, &nat->owner);
    hmap_remove(&nd->nats, &nat->node);
    list_remove(&nat->lr_node);
    free(nat->arp_ip);
    free(nat->ext_mac);
    free(nat);
}

/* Removes 'rp' from its switch and from northd, with its flows. */
static void
rport_destroy(struct northd *nd, struct northd_rport *rp)
{
    if (rp->sw) {
        list_remove(&rp->sw_node);
    }
    northd__rport_pb_gone(nd, rp);
    hmap_remove(&nd->rports, &rp->node);
    lflow_owner_uninit(&nd->lflows, &rp->owner);
    lrouter_port_destroy(&rp->lrp);
    free(rp->peer);
    free(rp);
}

static void
router_destroy(struct northd *nd, struct northd_router *lr)
{
    for (size_t i = 0; i < lr->n_ports; i++) {
        rport_destroy(nd, lr->ports[i]);
    }
    free(lr->ports);
    struct northd_nat *nat;
    LIST_FOR_EACH_SAFE (nat, lr_node, &lr->nats) {
        nat_destroy(nd, nat);
    }
    for (size_t i = 0; i < lr->n_nat_arp_ips; i++) {
        free(lr->nat_arp_ips[i]);
    }
    free(lr->nat_arp_ips);
    free(lr->nat_macs);
    for (size_t i = 0; i < lr->n_lb_ips; i++) {
        free(lr->lb_ips[i]);
    }
    free(lr->lb_ips);
    free(lr->chassis);
    lflow_owner_uninit(&nd->lflows, &lr->owner);
    lflow_owner_uninit(&nd->lflows, &lr->nat_owner);
    lflow_owner_uninit(&nd->lflows, &lr->lb_owner);
    lflow_owner_uninit(&nd->lflows, &lr->lb_arp_owner);
    hmap_remove(&nd->routers, &lr->node);
    free(lr->name);
    free(lr);
}

/* Parses the NAT row 'u' into 'nat'.  Returns false if there is no such
 * row or it does not parse. */
static bool
router_nat_parse(const struct northd *nd, const struct uuid *u,
                 struct nat_desc *nat)
{
    const struct northd_nb *c = &nd->nbc;
    const struct idl_row *r = idl_row_find(c->nat, u);
    return r && nat_desc_init(nat, u, idl_row_get_string(r, c->nat_type),
                              idl_row_get_string(r, c->nat_external_ip),
                              idl_row_get_string(r, c->nat_logical_ip),
                              idl_row_get_string(r, c->nat_logical_port),
                              idl_row_get_string(r, c->nat_external_mac));
}

/* Recomputes 'lr->nat_arp_ips' from its NAT rules and VIPs.  Returns true
 * if they changed. */
static bool
router_update_arp_ips(struct northd_router *lr)
{
    size_t n = 0;
    char **ips = xcalloc(list_size(&lr->nats) + lr->n_lb_ips + 1,
                         sizeof *ips);
    struct northd_nat *nat;
    LIST_FOR_EACH (nat, lr_node, &lr->nats) {
        if (nat->arp_ip) {
            ips[n++] = xstrdup(nat->arp_ip);
        }
    }
    for (size_t i = 0; i < lr->n_lb_ips; i++) {
        ips[n++] = xstrdup(lr->lb_ips[i]);
    }
    bool changed = n != lr->n_nat_arp_ips;
    for (size_t i = 0; !changed && i < n; i++) {
        changed = strcmp(ips[i], lr->nat_arp_ips[i]) != 0;
    }
    for (size_t i = 0; i < lr->n_nat_arp_ips; i++) {
        free(lr->nat_arp_ips[i]);
    }
    free(lr->nat_arp_ips);
    lr->nat_arp_ips = ips;
    lr->n_nat_arp_ips = n;
    return changed;
}

/* Returns the first distributed gateway port of 'lr', or NULL. */
static const struct northd_rport *
router_dgp(const struct northd_router *lr)
{
    for (size_t i = 0; i < lr->n_ports; i++) {
        if (lr->ports[i]->lrp.is_dgp) {
            return lr->ports[i];
        }
    }
    return NULL;
}

/* Returns the switch that the distributed gateway port of 'lr' is on, or
 * all zeros if none. */
static struct uuid
router_dgp_switch(const struct northd_router *lr)
{
    const struct northd_rport *dgp = router_dgp(lr);
    struct uuid u;
    if (dgp && dgp->sw) {
        u = dgp->sw->uuid;
    } else {
        uuid_zero(&u);
    }
    return u;
}

/* Recomputes 'lr->nat_macs'.  Returns true if they changed. */
static bool
router_update_nat_macs(struct northd_router *lr)
{
    struct ds macs = DS_EMPTY_INITIALIZER;
    struct northd_nat *nat;
    LIST_FOR_EACH (nat, lr_node, &lr->nats) {
        if (nat->ext_mac) {
            ds_put_format(&macs, "%s%s", macs.length ? ", " : "",
                          nat->ext_mac);
        }
    }
    bool changed = !lr->nat_macs || strcmp(lr->nat_macs, ds_cstr(&macs));
    free(lr->nat_macs);
    lr->nat_macs = ds_steal_cstr(&macs);
    return changed;
}

/* Regenerates the flows of 'nat' on its router and its 'arp_ip'. */
static void
nat_build(struct northd *nd, struct northd_nat *nat)
{
    struct northd_router *lr = nat->lr;
    lflow_owner_clear(&nd->lflows, &nat->owner);
    free(nat->arp_ip);
    nat->arp_ip = NULL;
    free(nat->ext_mac);
    nat->ext_mac = NULL;
    nat->stale = false;
    struct nat_desc d;
    nat->valid = router_nat_parse(nd, &nat->uuid, &d);
    const struct northd_rport *dgp = router_dgp(lr);
    if (nat->valid && !lr->chassis && !dgp) {
        nat_build_plain_flows(&nd->lflows, &nat->owner, &lr->uuid, &d);
    } else if (nat->valid) {
        if (lr->chassis) {
            nat_build_flows(&nd->lflows, &nat->owner, &lr->uuid, &d);
        } else {
            nat_build_dgp_flows(&nd->lflows, &nat->owner, &lr->uuid, &d,
                                dgp->lrp.name, dgp->lrp.ea_s);
            if (nat_is_distributed(&d)) {
                nat->ext_mac = xstrdup(d.external_mac);
                if (dgp->sw && dgp->peer) {
                    /* The switch sends what is for the external MAC to the
                     * router on the logical port's chassis. */
                    char *m = xasprintf("eth.dst == %s && "
                                        "is_chassis_resident(\"%s\")",
                                        d.external_mac, d.logical_port);
                    char *a = xasprintf("outport = \"%s\"; output;",
                                        dgp->peer);
                    lflow_add(&nd->lflows, &nat->owner, &dgp->sw->uuid,
                              LS_IN_L2_LKUP, 50, m, a, &nat->uuid, NULL);
                    free(m);
                    free(a);
                }
            }
        }
        if (nat_is_dnat(&d)) {
            struct ds ip = DS_EMPTY_INITIALIZER;
            ip_prefix_format_addr(&d.external_ip, &ip);
            nat->arp_ip = ds_steal_cstr(&ip);
        }
    }
    nd->stats.n_nat_updates++;
}

/* Makes the NAT rules of 'lr' those of its row's "nat" column (Logical_
 * Router 'row', or none if NULL): rules that left lose their flows, new
 * and stale ones get theirs, and the router-wide NAT flows follow.
 * Returns true if the addresses the router's switches answer ARP for
 * ('lr->nat_arp_ips') changed: the caller rebuilds the router's peer
 * ports. */
static bool
router_sync_nats(struct northd *nd, struct northd_router *lr,
                 const struct idl_row *row)
{
    const struct northd_nb *c = &nd->nbc;
    const struct datum *nats = row ? idl_row_get(row, c->lr_nat) : NULL;
    unsigned int mark = ++nd->mark;
    struct northd_nat *nat;
    for (size_t i = 0; nats && i < nats->n; i++) {
        const struct uuid *u = &nats->keys[i].uuid;
        struct northd_nat *found = NULL;
        HMAP_FOR_EACH_WITH_HASH (nat, node, uuid_hash(u), &nd->nats) {
            if (nat->lr == lr && uuid_equals(&nat->uuid, u)) {
                found = nat;
                break;
            }
        }
        if (!found) {
            found = xzalloc(sizeof *found);
            found->uuid = *u;
            found->lr = lr;
            found->stale = true;
            lflow_owner_init(&found->owner);
            hmap_insert(&nd->nats, &found->node, uuid_hash(u));
            list_push_back(&lr->nats, &found->lr_node);
        }
        found->mark = mark;
    }

    bool has_nat = false;
    LIST_FOR_EACH_SAFE (nat, lr_node, &lr->nats) {
        if (nat->mark != mark) {
            nat_destroy(nd, nat);
            continue;
        }
        if (nat->stale) {
            nat_build(nd, nat);
        }
        has_nat |= nat->valid && (lr->chassis || router_dgp(lr));
    }
    if (has_nat != lr->has_nat_flows) {
        lr->has_nat_flows = has_nat;
        lflow_owner_clear(&nd->lflows, &lr->nat_owner);
        if (has_nat && lr->chassis) {
            nat_build_router_flows(&nd->lflows, &lr->nat_owner, &lr->uuid);
        } else if (has_nat) {
            nat_build_dgp_router_flows(&nd->lflows, &lr->nat_owner,
                                       &lr->uuid);
        }
    }
    if (router_update_nat_macs(lr)) {
        /* The switches the router is on flood ARP from them. */
        for (size_t i = 0; i < lr->n_ports; i++) {
            if (lr->ports[i]->sw) {
                switch_build_flows(nd, lr->ports[i]->sw);
            }
        }
    }
    lr->nat_sw = router_dgp_switch(lr);
    return router_update_arp_ips(lr);
}

/* Regenerates the flows of the load balancers of 'lr' (of Logical_Router
 * 'row', none if NULL) and its 'lb_ips'.  Returns true if the addresses
 * its switches answer ARP for changed. */
static bool
router_sync_lbs(struct northd *nd, struct northd_router *lr,
                const struct idl_row *row)
{
    const struct northd_nb *c = &nd->nbc;
    const struct datum *lbs = row ? idl_row_get(row, c->lr_load_balancer)
                                  : NULL;
    lflow_owner_clear(&nd->lflows, &lr->lb_owner);
    for (size_t i = 0; i < lr->n_lb_ips; i++) {
        free(lr->lb_ips[i]);
    }
    lr->n_lb_ips = 0;
    size_t allocated = 0;
    for (size_t i = 0; lbs && i < lbs->n; i++) {
        const struct idl_row *r = idl_row_find(c->lb, &lbs->keys[i].uuid);
        if (!r) {
            continue;
        }
        struct lb_desc lb;
        lb_desc_from_row(c, r, &lb);
        lb_build_router_flows(&nd->lflows, &lr->lb_owner, &lr->uuid, &lb);
        for (size_t k = 0; k < lb.n_vips; k++) {
            struct ds ip = DS_EMPTY_INITIALIZER;
            ip_prefix_format_addr(&lb.vips[k].vip, &ip);
            bool dup = false;
            for (size_t j = 0; !dup && j < lr->n_lb_ips; j++) {
                dup = !strcmp(lr->lb_ips[j], ds_cstr(&ip));
            }
            if (dup) {
                ds_uninit(&ip);
                continue;
            }
            if (lr->n_lb_ips >= allocated) {
                lr->lb_ips = x2nrealloc(lr->lb_ips, &allocated,
                                        sizeof *lr->lb_ips);
            }
            lr->lb_ips[lr->n_lb_ips++] = ds_steal_cstr(&ip);
        }
        lb_desc_destroy(&lb);
    }
    if (lr->n_lb_ips) {
        lb_build_router_datapath_flows(&nd->lflows, &lr->lb_owner,
                                       &lr->uuid, lr->chassis != NULL);
    }
    router_build_lb_arp_flows(nd, lr);
    return router_update_arp_ips(lr);
}

/* Parses Logical_Router_Port 'prow' into 'lrp'.  Returns false (and
 * logs) if it has no name or its MAC or networks do not parse. */
static bool
rport_parse(const struct northd_nb *c, const struct idl_row *prow,
            struct lrouter_port *lrp)
{
    const char *pname = idl_row_get_string(prow, c->lrp_name);
    if (!pname) {
        return false;
    }
    const struct datum *nets = idl_row_get(prow, c->lrp_networks);
    const char **networks = xmalloc((nets->n + 1) * sizeof *networks);
    for (size_t k = 0; k < nets->n; k++) {
        networks[k] = nets->keys[k].string;
    }
    bool ok = lrouter_port_init(lrp, pname, idl_row_uuid(prow),
                                idl_row_get_string(prow, c->lrp_mac),
                                networks, nets->n);
    free(networks);
    if (!ok) {
        static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(1, 5);
        LOG_WARN_RL(&rl, "router port %s: bad mac or networks", pname);
        return false;
    }
    lrp->is_dgp = (idl_row_get(prow, c->lrp_gateway_chassis)->n > 0
                   || idl_row_get(prow, c->lrp_ha_chassis_group)->n > 0);
    const char *peer = idl_row_get_string(prow, c->lrp_peer);
    lrp->peer = peer ? xstrdup(peer) : NULL;
    return true;
}

/* Creates a port of 'lr' from 'lrp', whose contents it takes (leaving it
 * empty), without flows or a switch, not yet in 'lr->ports'. */
static struct northd_rport *
rport_create(struct northd *nd, struct northd_router *lr,
             struct lrouter_port *lrp)
{
    struct northd_rport *rp = xzalloc(sizeof *rp);
    rp->lrp = *lrp;
    memset(lrp, 0, sizeof *lrp);
    rp->lr = lr;
    lflow_owner_init(&rp->owner);
    hmap_insert(&nd->rports, &rp->node, hash_string(rp->lrp.name, 0));
    northd__rport_pb_dirty(nd, rp);
    return rp;
}

/* Creates the router of Logical_Router 'row' with its ports and NAT rules,
 * without its own flows. */
static void
router_create(struct northd *nd, const struct idl_row *row)
{
    const struct northd_nb *c = &nd->nbc;
    struct northd_router *lr = xzalloc(sizeof *lr);
    lr->uuid = *idl_row_uuid(row);
    const char *name = idl_row_get_string(row, c->lr_name);
    lr->name = xstrdup(name ? name : "");
    lflow_owner_init(&lr->owner);
    hmap_insert(&nd->routers, &lr->node, uuid_hash(&lr->uuid));
    const char *chassis = idl_row_get_map_string(row, c->lr_options,
                                                 "chassis");
    lr->chassis = chassis && chassis[0] ? xstrdup(chassis) : NULL;
    list_init(&lr->nats);
    lflow_owner_init(&lr->nat_owner);
    lflow_owner_init(&lr->lb_owner);
    lflow_owner_init(&lr->lb_arp_owner);

    const struct datum *ports = idl_row_get(row, c->lr_ports);
    lr->ports = xcalloc(ports->n + 1, sizeof *lr->ports);
    for (size_t i = 0; i < ports->n; i++) {
        const struct idl_row *prow = idl_row_find(c->lrp,
                                                  &ports->keys[i].uuid);
        const char *pname = prow ? idl_row_get_string(prow, c->lrp_name)
                                 : NULL;
        struct lrouter_port lrp;
        if (!pname || northd__rport_find(nd, pname)
            || !rport_parse(c, prow, &lrp)) {
            continue;
        }
        lr->ports[lr->n_ports++] = rport_create(nd, lr, &lrp);
    }
    router_sync_nats(nd, lr, row);
    router_sync_lbs(nd, lr, row);
}

/* Returns the parsed ports of 'lr', in order, in an array the caller
 * frees. */
static const struct lrouter_port **
router_lrps(const struct northd_router *lr)
{
    const struct lrouter_port **ports = xcalloc(lr->n_ports + 1,
                                                sizeof *ports);
    for (size_t i = 0; i < lr->n_ports; i++) {
        ports[i] = &lr->ports[i]->lrp;
    }
    return ports;
}

/* Regenerates the flows of 'rp' on its router. */
static void
rport_build_flows(struct northd *nd, struct northd_rport *rp)
{
    lflow_owner_clear(&nd->lflows, &rp->owner);
    const struct northd_rport *peer = (rp->lrp.peer
                                       ? northd__rport_find(nd, rp->lrp.peer)
                                       : NULL);
    lrouter_build_port_flows(&nd->lflows, &rp->owner, &rp->lr->uuid,
                             &rp->lrp, rp->lr->skip_unreachables,
                             peer ? &peer->lrp : NULL);
}

/* Adds to 'lr->owner' the flows of the policies of 'lr' (of row 'row', none
 * if NULL), which reach their next hops by 'ports' (those of 'lr'). */
static void
router_build_policy_flows(struct northd *nd, struct northd_router *lr,
                          const struct idl_row *row,
                          const struct lrouter_port **ports)
{
    const struct northd_nb *c = &nd->nbc;
    const struct datum *pols = row ? idl_row_get(row, c->lr_policies) : NULL;
    if (!pols || !pols->n) {
        return;
    }
    struct lrouter_policy *policies = xcalloc(pols->n, sizeof *policies);
    const char ***hops = xcalloc(pols->n, sizeof *hops);
    size_t n = 0;
    for (size_t i = 0; i < pols->n; i++) {
        const struct idl_row *r = idl_row_find(c->lrpol,
                                               &pols->keys[i].uuid);
        struct lrouter_policy *p = &policies[n];
        const char *match = r ? idl_row_get_string(r, c->lrpol_match) : NULL;
        if (!match || !lrouter_policy_action_from_string(
                idl_row_get_string(r, c->lrpol_action), &p->action)) {
            continue;
        }
        p->priority = idl_row_get_integer(r, c->lrpol_priority, 0);
        p->match = match;
        const char *mark = idl_row_get_map_string(r, c->lrpol_options,
                                                  "pkt_mark");
        p->pkt_mark = -1;
        if (mark) {
            /* A mark that is not a number in 1..2^32-1 is none. */
            char *end;
            long long v = strtoll(mark, &end, 10);
            if (*mark && !*end && v > 0 && v <= UINT32_MAX) {
                p->pkt_mark = v;
            }
        }
        /* "nexthops", or the older "nexthop". */
        const struct datum *nhs = idl_row_get(r, c->lrpol_nexthops);
        const char *nh = idl_row_get_string(r, c->lrpol_nexthop);
        hops[n] = xcalloc(nhs->n + 1, sizeof *hops[n]);
        for (size_t k = 0; k < nhs->n; k++) {
            hops[n][p->n_nexthops++] = nhs->keys[k].string;
        }
        if (!p->n_nexthops && nh) {
            hops[n][p->n_nexthops++] = nh;
        }
        p->nexthops = hops[n];
        n++;
    }
    lrouter_build_policy_flows(&nd->lflows, &lr->owner, &lr->uuid, ports,
                               lr->n_ports, policies, n);
    for (size_t i = 0; i < n; i++) {
        free(hops[i]);
    }
    free(hops);
    free(policies);
}

/* Regenerates the flows of 'lr' that belong to none of its ports (the
 * stages' defaults, its static routes and policies). */
static void
router_build_dp_flows(struct northd *nd, struct northd_router *lr)
{
    const struct northd_nb *c = &nd->nbc;
    const struct idl_row *row = idl_row_find(c->lr, &lr->uuid);
    const struct lrouter_port **ports = router_lrps(lr);
    const struct datum *srs = row ? idl_row_get(row, c->lr_static_routes)
                                  : NULL;
    size_t n_routes = 0;
    struct lrouter_route *routes = xcalloc((srs ? srs->n : 0) + 1,
                                           sizeof *routes);
    for (size_t i = 0; srs && i < srs->n; i++) {
        const struct idl_row *r = idl_row_find(c->lrsr, &srs->keys[i].uuid);
        if (r && lrouter_route_init(
                &routes[n_routes],
                idl_row_get_string(r, c->lrsr_ip_prefix),
                idl_row_get_string(r, c->lrsr_nexthop),
                idl_row_get_string(r, c->lrsr_output_port))) {
            n_routes++;
        }
    }
    lflow_owner_clear(&nd->lflows, &lr->owner);
    lrouter_build_datapath_flows(&nd->lflows, &lr->owner, &lr->uuid, ports,
                                 lr->n_ports, routes, n_routes);
    router_build_policy_flows(nd, lr, row, ports);
    free(ports);
    free(routes);
}

/* Recomputes 'lr->skip_unreachables'.  Returns true if it changed: every
 * port's flows must be rebuilt. */
static bool
router_update_skip(struct northd_router *lr)
{
    const struct lrouter_port **ports = router_lrps(lr);
    bool skip = lrouter_skips_unreachables(ports, lr->n_ports,
                                           lr->chassis != NULL);
    free(ports);
    bool changed = skip != lr->skip_unreachables;
    lr->skip_unreachables = skip;
    return changed;
}

/* Regenerates every flow of 'lr' but its NAT and load balancer flows. */
static void
router_build_flows(struct northd *nd, struct northd_router *lr)
{
    router_update_skip(lr);
    router_build_dp_flows(nd, lr);
    for (size_t i = 0; i < lr->n_ports; i++) {
        rport_build_flows(nd, lr->ports[i]);
    }
}

/* Attaches to 'sw' (of Logical_Switch 'row') the router ports its ports
 * of type "router" name. */
static void
switch_link_routers(struct northd *nd, struct northd_switch *sw,
                    const struct idl_row *row)
{
    const struct northd_nb *c = &nd->nbc;
    const struct datum *ports = idl_row_get(row, c->ls_ports);
    for (size_t i = 0; i < ports->n; i++) {
        const struct idl_row *prow = idl_row_find(c->lsp,
                                                  &ports->keys[i].uuid);
        const char *type = prow ? idl_row_get_string(prow, c->lsp_type)
                                : NULL;
        if (!type || strcmp(type, "router")) {
            continue;
        }
        const char *peer = idl_row_get_map_string(prow, c->lsp_options,
                                                  "router-port");
        struct northd_rport *rp = peer ? northd__rport_find(nd, peer) : NULL;
        const char *name = idl_row_get_string(prow, c->lsp_name);
        if (rp && !rp->sw && name) {
            rp->sw = sw;
            rp->peer = xstrdup(name);
            list_push_back(&sw->rports, &rp->sw_node);
        }
    }
}

static void
northd_clear_model(struct northd *nd)
{
    struct northd_router *lr;
    HMAP_FOR_EACH_SAFE (lr, node, &nd->routers) {
        router_destroy(nd, lr);
    }
    struct northd_switch *sw;
    HMAP_FOR_EACH_SAFE (sw, node, &nd->switches) {
        switch_destroy(nd, sw);
    }
}

/* Compiles the whole northbound replica from scratch.  Flows that come
 * back unchanged are not rewritten: dropping and re-adding an owner's
 * reference leaves the flow in the table. */
/* If the ACL sync changed the class of 'sw', rebuilds the flows of its
 * ports that depend on it; returns true if it did (the switch's own flows
 * must be rebuilt too). */
static bool
apply_class_change(struct northd *nd, struct northd_switch *sw)
{
    if (!sw->class_changed) {
        return false;
    }
    sw->class_changed = false;
    struct northd_port *p;
    LIST_FOR_EACH (p, sw_node, &sw->ports) {
        const struct idl_row *prow = idl_row_find(nd->nbc.lsp, &p->uuid);
        if (p->uses_stateful && prow) {
            port_build_flows(nd, p, prow);
        }
    }
    return true;
}

/* IPAM (ipam.h). */

static void
port_set_dynamic(struct northd *nd, struct northd_port *p, char *dynamic)
{
    free(p->dynamic);
    p->dynamic = dynamic;
}

/* Configures the IPAM of 'sw' from Logical_Switch 'ls' and marks its
 * static and router addresses used.  Returns true if IPAM is enabled on
 * it. */
static bool
switch_ipam_configure(struct northd *nd, struct northd_switch *sw,
                      const struct idl_row *ls)
{
    const struct northd_nb *c = &nd->nbc;
    const struct idl_column *oc = c->ls_other_config;
    ipam_switch_uninit(&sw->ipam);
    ipam_switch_init(&sw->ipam);
    char *error = NULL;
    if (ipam_switch_configure(&sw->ipam,
                              idl_row_get_map_string(ls, oc, "subnet"),
                              idl_row_get_map_string(ls, oc, "exclude_ips"),
                              idl_row_get_map_string(ls, oc, "ipv6_prefix"),
                              idl_row_get_map_string(ls, oc, "mac_only"),
                              &error)) {
        LOG_WARN("switch %s: %s", sw->name, error ? error : "bad IPAM");
    }
    free(error);
    return ipam_switch_enabled(&sw->ipam);
}

/* Marks the static addresses of the ports of Logical_Switch 'ls' and of
 * the router ports connected to it as used in 'sw->ipam'. */
static void
switch_ipam_add_statics(struct northd *nd, struct northd_switch *sw,
                        const struct idl_row *ls)
{
    const struct northd_nb *c = &nd->nbc;
    const struct datum *ports = idl_row_get(ls, c->ls_ports);
    for (size_t i = 0; i < ports->n; i++) {
        const struct idl_row *r = idl_row_find(c->lsp, &ports->keys[i].uuid);
        if (!r) {
            continue;
        }
        const char *type = idl_row_get_string(r, c->lsp_type);
        if (type && !strcmp(type, "router")) {
            const char *peer = idl_row_get_map_string(r, c->lsp_options,
                                                      "router-port");
            struct northd_rport *rp = peer ? northd__rport_find(nd, peer)
                                           : NULL;
            const struct idl_row *lrp = rp ? idl_row_find(c->lrp,
                                                          &rp->lrp.uuid)
                                           : NULL;
            if (lrp) {
                const struct datum *nets = idl_row_get(lrp, c->lrp_networks);
                const char **v = xcalloc(nets->n + 1, sizeof *v);
                for (size_t k = 0; k < nets->n; k++) {
                    v[k] = nets->keys[k].string;
                }
                const char *mac = idl_row_get_string(lrp, c->lrp_mac);
                ipam_switch_add_router_port(&sw->ipam, &nd->ipam_macs,
                                            mac ? mac : "", v, nets->n);
                free(v);
            }
            continue;
        }
        const struct datum *addrs = idl_row_get(r, c->lsp_addresses);
        for (size_t k = 0; k < addrs->n; k++) {
            const char *a = addrs->keys[k].string;
            if (!ipam_is_dynamic(a)) {
                ipam_switch_add_static(&sw->ipam, &nd->ipam_macs, a);
            }
        }
    }
}

/* The first "dynamic" entry of Logical_Switch_Port 'r' (not of type
 * "router"), or NULL. */
static const char *
lsp_dynamic_entry(const struct northd_nb *c, const struct idl_row *r)
{
    const char *type = idl_row_get_string(r, c->lsp_type);
    if (type && !strcmp(type, "router")) {
        return NULL;
    }
    const struct datum *addrs = idl_row_get(r, c->lsp_addresses);
    for (size_t k = 0; k < addrs->n; k++) {
        if (ipam_is_dynamic(addrs->keys[k].string)) {
            return addrs->keys[k].string;
        }
    }
    return NULL;
}

/* Reruns IPAM over the whole northbound replica (MACs are unique across
 * switches): all switches' static addresses first, then every dynamic
 * port keeps what it has if still valid, then the others get new
 * addresses, in the order of their switch's "ports".  Sets each port's
 * 'dynamic', which northd__sync_nb() writes to "dynamic_addresses". */
static void
northd_ipam_run(struct northd *nd)
{
    const struct northd_nb *c = &nd->nbc;
    nd->ipam_dirty = false;
    const struct idl_row *ng = idl_table_first_row(c->global);
    if (ng) {
        ipam_macs_set_prefix(&nd->ipam_macs,
                             idl_row_get_map_string(ng, c->options,
                                                    "mac_prefix"));
    }
    ipam_macs_clear(&nd->ipam_macs);

    bool enabled = false;
    struct northd_switch *sw;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        const struct idl_row *ls = idl_row_find(c->ls, &sw->uuid);
        if (ls) {
            enabled |= switch_ipam_configure(nd, sw, ls);
        }
    }
    if (!enabled && !nd->ipam_enabled) {
        return;
    }
    nd->ipam_enabled = enabled;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        const struct idl_row *ls = idl_row_find(c->ls, &sw->uuid);
        if (ls) {
            switch_ipam_add_statics(nd, sw, ls);
        }
    }

    size_t n = 0;
    struct ipam_port *ips = xcalloc(hmap_count(&nd->ports) + 1,
                                    sizeof *ips);
    struct northd_port **ps = xcalloc(hmap_count(&nd->ports) + 1,
                                      sizeof *ps);
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        const struct idl_row *ls = idl_row_find(c->ls, &sw->uuid);
        const struct datum *ports = ls ? idl_row_get(ls, c->ls_ports) : NULL;
        for (size_t i = 0; ports && i < ports->n; i++) {
            const struct uuid *u = &ports->keys[i].uuid;
            struct northd_port *p = port_find(nd, u);
            const struct idl_row *r = idl_row_find(c->lsp, u);
            if (!p || p->sw != sw || !r) {
                continue;
            }
            /* As ovn-northd, leaves "dynamic_addresses" alone on a switch
             * without IPAM. */
            p->ipam_managed = ipam_switch_enabled(&sw->ipam);
            const char *entry = lsp_dynamic_entry(c, r);
            if (!entry || !p->ipam_managed
                || ipam_port_init(&ips[n], entry,
                                  idl_row_get_string(
                                      r, c->lsp_dynamic_addresses))) {
                port_set_dynamic(nd, p, NULL);
                continue;
            }
            ipam_switch_reserve(&sw->ipam, &nd->ipam_macs, &ips[n]);
            ps[n++] = p;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct northd_port *p = ps[i];
        port_set_dynamic(nd, p, ipam_switch_assign(&p->sw->ipam,
                                                   &nd->ipam_macs, &ips[i]));
    }
    free(ips);
    free(ps);
    nd->dynamic_dirty = true;
}

/* Switch classes.
 *
 * The flows a switch has in common with every switch of its class
 * (NORTHD_SWITCH_*: the stages' defaults, the ACL stages' flows) go south
 * once per class, for a datapath group of its switches, as ovn-northd
 * writes them: a new switch or one that changes class changes the
 * members of one or two groups, not thousands of flows. */
static void
sync_switch_classes(struct northd *nd)
{
    if (!nd->classes_dirty) {
        return;
    }
    nd->classes_dirty = false;
    size_t n_sws = hmap_count(&nd->switches);
    struct uuid *members = xcalloc(n_sws + 1, sizeof *members);
    for (unsigned int c = 0; c < NORTHD_N_SWITCH_CLASSES; c++) {
        size_t n = 0;
        struct northd_switch *sw;
        HMAP_FOR_EACH (sw, node, &nd->switches) {
            if (sw->shared_class == c) {
                members[n++] = sw->uuid;
            }
        }
        struct lflow_dp_group **g = &nd->class_groups[c];
        if (!n) {
            if (*g) {
                lflow_owner_clear(&nd->lflows, &nd->class_owners[c]);
                lflow_dp_group_release(&nd->lflows, *g);
                *g = NULL;
            }
            continue;
        }
        if (!*g) {
            /* The same identity for the class at every start. */
            struct uuid id = { { 0x6b696c6e, 0x73770000, 0x636c6173,
                                 c } };
            *g = lflow_dp_group_create(&nd->lflows, &id);
            struct lflow_owner *o = &nd->class_owners[c];
            lswitch_build_shared_flows(&nd->lflows, o, &(*g)->id,
                                       c & NORTHD_SWITCH_UNKNOWN);
            acl_build_datapath_flows(&nd->lflows, o, &(*g)->id,
                                     c & NORTHD_SWITCH_ACLS,
                                     c & NORTHD_SWITCH_STATEFUL,
                                     c & NORTHD_SWITCH_LB);
            if (c & NORTHD_SWITCH_LB) {
                lb_build_switch_datapath_flows(&nd->lflows, o, &(*g)->id);
            }
        }
        lflow_dp_group_set(*g, members, n);
    }
    free(members);
}

static void router_rebuild_nats(struct northd *, struct northd_router *,
                                bool lbs);

static void
northd_full_compute(struct northd *nd)
{
    long long start = time_msec();
    northd_clear_model(nd);
    northd__acls_reset(nd);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, nd->nbc.lr) {
        router_create(nd, row);
    }
    IDL_FOR_EACH_ROW (row, nd->nbc.ls) {
        struct northd_switch *sw = switch_create(nd, row);
        switch_link_routers(nd, sw, row);
        switch_sync_ports(nd, sw, row);
    }
    struct northd_router *lr;
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        /* Distributed NAT rules have a flow on the switch of the
         * distributed gateway port, linked only now. */
        struct uuid u = router_dgp_switch(lr);
        if (!uuid_equals(&u, &lr->nat_sw)) {
            router_rebuild_nats(nd, lr, false);
        }
    }
    struct northd_switch *sw;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        sw->acls_dirty = true;
    }
    northd__sync_acls(nd);
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        apply_class_change(nd, sw);
        switch_build_flows(nd, sw);
    }
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        router_build_flows(nd, lr);
    }
    northd_ipam_run(nd);
    nd->dns_dirty = true;
    sync_switch_classes(nd);
    sync_lb_groups(nd);
    nd->stats.n_full_recomputes++;
    LOG_INFO("full recompute (%s): %zu switches, %zu ports, %zu routers, "
             "%zu ACL applications, %zu flows in %lld ms",
             nd->recompute_why ? nd->recompute_why : "start-up",
             hmap_count(&nd->switches), hmap_count(&nd->ports),
             hmap_count(&nd->routers), hmap_count(&nd->acl_apps),
             nd->lflows.n_live, time_msec() - start);
}

static bool
lsp_flow_columns_changed(const struct northd_nb *c, const struct idl_row *r)
{
    return (idl_row_column_changed(r, c->lsp_name)
            || idl_row_column_changed(r, c->lsp_type)
            || idl_row_column_changed(r, c->lsp_addresses)
            || idl_row_column_changed(r, c->lsp_enabled)
            || idl_row_column_changed(r, c->lsp_port_security)
            || idl_row_column_changed(r, c->lsp_dynamic_addresses)
            || idl_row_column_changed(r, c->lsp_dhcpv4_options)
            || idl_row_column_changed(r, c->lsp_dhcpv6_options)
            || idl_row_column_changed(r, c->lsp_ha_chassis_group)
            || idl_row_column_changed(r, c->lsp_options));
}

static bool
lsp_binding_columns_changed(const struct northd_nb *c,
                            const struct idl_row *r)
{
    return (lsp_flow_columns_changed(c, r)
            || idl_row_column_changed(r, c->lsp_options)
            || idl_row_column_changed(r, c->lsp_parent_name)
            || idl_row_column_changed(r, c->lsp_tag)
            || idl_row_column_changed(r, c->lsp_tag_request)
            || idl_row_column_changed(r, c->lsp_external_ids));
}

/* Syncs the NAT rules of 'lr' (and its load balancers, if 'lbs') and, if
 * the addresses its switches answer ARP for changed, rebuilds its peer
 * switch ports. */
static void
router_update_nats(struct northd *nd, struct northd_router *lr, bool lbs)
{
    const struct northd_nb *c = &nd->nbc;
    const struct idl_row *row = idl_row_find(c->lr, &lr->uuid);
    bool changed = router_sync_nats(nd, lr, row);
    if (lbs) {
        changed |= router_sync_lbs(nd, lr, row);
    }
    if (!changed) {
        return;
    }
    for (size_t i = 0; i < lr->n_ports; i++) {
        struct northd_rport *rp = lr->ports[i];
        if (!rp->sw || !rp->peer) {
            continue;
        }
        struct northd_port *p;
        LIST_FOR_EACH (p, sw_node, &rp->sw->ports) {
            const struct idl_row *prow = idl_row_find(c->lsp, &p->uuid);
            const char *name = prow ? idl_row_get_string(prow, c->lsp_name)
                                    : NULL;
            if (p->is_router && name && !strcmp(name, rp->peer)
                && port_build_flows(nd, p, prow)) {
                switch_build_flows(nd, p->sw);
            }
        }
    }
}

/* Router changes.
 *
 * A change to a router, its ports or its static routes refreshes that
 * router (router_refresh()): its flows that belong to no port are
 * rebuilt, each port that is gone or changed loses its flows and its
 * switch, each new port gets its flows.  A switch whose attached router
 * ports may have changed (a router port came, went or changed; a port of
 * type "router" came, went or changed) is relinked (relink_switches()):
 * if the router ports attached to it are not the same as before, its own
 * flows and its ports' flows (router peers, neighbor flows on the
 * routers) are rebuilt.  Nothing else is: adding a switch with a router
 * port rebuilds the router's own flows, the new port's and the new
 * switch's, not the router's other ports nor their switches. */

/* A switch whose attached router ports may have changed in this run. */
struct relink {
    struct uuid sw;             /* Its Logical_Switch row. */
    bool changed;               /* They did: rebuild it even if relinking
                                 * finds the same router ports. */
};

/* The switches to relink in this run. */
struct relinks {
    struct relink *v;           /* Owned. */
    size_t n;                   /* Number of 'v'. */
    size_t allocated;           /* Capacity of 'v'. */
};

static void
relinks_add(struct relinks *r, const struct uuid *sw, bool changed)
{
    if (r->n >= r->allocated) {
        r->v = x2nrealloc(r->v, &r->allocated, sizeof *r->v);
    }
    r->v[r->n++] = (struct relink) { .sw = *sw, .changed = changed };
}

/* Rebuilds every NAT rule of 'lr' (of row 'row') and its router-wide NAT
 * flows, and its load balancers' flows too if 'lbs'. */
static void
router_rebuild_nats(struct northd *nd, struct northd_router *lr, bool lbs)
{
    struct northd_nat *nat;
    LIST_FOR_EACH (nat, lr_node, &lr->nats) {
        nat->stale = true;
    }
    lflow_owner_clear(&nd->lflows, &lr->nat_owner);
    lr->has_nat_flows = false;
    router_update_nats(nd, lr, lbs);
}

/* Brings router 'lr' up to date with its row 'row' after a change to the
 * router, its ports or its static routes (see "Router changes" above).
 * Adds to 'relinks' the switches whose router ports changed. */
static void
router_refresh(struct northd *nd, struct northd_router *lr,
               const struct idl_row *row, struct relinks *relinks)
{
    const struct northd_nb *c = &nd->nbc;
    const char *name = idl_row_get_string(row, c->lr_name);
    if (strcmp(lr->name, name ? name : "")) {
        free(lr->name);
        lr->name = xstrdup(name ? name : "");
    }
    const char *chassis = idl_row_get_map_string(row, c->lr_options,
                                                 "chassis");
    if (chassis && !chassis[0]) {
        chassis = NULL;
    }
    bool gateway_changed = (!chassis != !lr->chassis
                            || (chassis && strcmp(chassis, lr->chassis)));
    if (gateway_changed) {
        free(lr->chassis);
        lr->chassis = chassis ? xstrdup(chassis) : NULL;
    }

    /* The ports that stay as they are. */
    const struct datum *ports = idl_row_get(row, c->lr_ports);
    struct lrouter_port *parsed = xcalloc(ports->n + 1, sizeof *parsed);
    unsigned int keep = ++nd->mark;
    for (size_t i = 0; i < ports->n; i++) {
        const struct idl_row *prow = idl_row_find(c->lrp,
                                                  &ports->keys[i].uuid);
        if (!prow || !rport_parse(c, prow, &parsed[i])) {
            continue;           /* 'parsed[i].name' stays NULL. */
        }
        struct northd_rport *rp = northd__rport_find(nd, parsed[i].name);
        if (rp && rp->lr == lr && rp->mark != keep
            && lrouter_port_equals(&rp->lrp, &parsed[i])) {
            rp->mark = keep;
        }
    }
    const struct northd_rport *old_dgp = router_dgp(lr);
    bool dgp_kept = old_dgp && old_dgp->mark == keep;

    /* Those that are gone or changed go, with their flows. */
    size_t n_kept = 0;
    for (size_t i = 0; i < lr->n_ports; i++) {
        struct northd_rport *rp = lr->ports[i];
        if (rp->mark == keep) {
            lr->ports[n_kept++] = rp;
            continue;
        }
        if (rp->sw) {
            relinks_add(relinks, &rp->sw->uuid, true);
        }
        rport_destroy(nd, rp);
    }
    bool ports_changed = n_kept != lr->n_ports;
    lr->n_ports = n_kept;

    /* The ports in the row's order, new ones created. */
    unsigned int fresh = ++nd->mark;
    unsigned int placed = ++nd->mark;
    struct northd_rport **new_ports = xcalloc(ports->n + 1,
                                              sizeof *new_ports);
    size_t n = 0;
    for (size_t i = 0; i < ports->n; i++) {
        if (!parsed[i].name) {
            continue;
        }
        struct northd_rport *rp = northd__rport_find(nd, parsed[i].name);
        if (!rp) {
            rp = rport_create(nd, lr, &parsed[i]);
            rp->mark = fresh;
            new_ports[n++] = rp;
            struct northd_port *p = router_lsp_find(nd, rp->lrp.name);
            if (p) {
                relinks_add(relinks, &p->sw->uuid, true);
            }
        } else if (rp->lr == lr && rp->mark == keep) {
            rp->mark = placed;
            new_ports[n++] = rp;
        }
        /* Else a second port of the same name, left out as
         * router_create() does. */
    }
    for (size_t i = 0; i < ports->n; i++) {
        lrouter_port_destroy(&parsed[i]);
    }
    free(parsed);
    if (n != lr->n_ports) {
        ports_changed = true;
    }
    for (size_t i = 0; !ports_changed && i < n; i++) {
        ports_changed = new_ports[i] != lr->ports[i];
    }
    free(lr->ports);
    lr->ports = new_ports;
    lr->n_ports = n;

    bool all_ports = router_update_skip(lr) || gateway_changed;
    for (size_t i = 0; i < lr->n_ports; i++) {
        struct northd_rport *rp = lr->ports[i];
        if (all_ports || rp->mark == fresh) {
            rport_build_flows(nd, rp);
        }
    }
    router_build_dp_flows(nd, lr);
    if (ports_changed) {
        router_build_lb_arp_flows(nd, lr);
        if (lr->n_lb_ips) {
            nd->rtr_sets_dirty = true;  /* "_rtr_lb_" sets. */
        }
    }
    const struct northd_rport *dgp = router_dgp(lr);
    if (gateway_changed || (dgp != old_dgp || (old_dgp && !dgp_kept))) {
        /* The NAT flows are of another kind now, or name another
         * distributed gateway port. */
        router_rebuild_nats(nd, lr, gateway_changed);
    }
    if (gateway_changed) {
        for (size_t i = 0; i < lr->n_ports; i++) {
            if (lr->ports[i]->sw) {
                relinks_add(relinks, &lr->ports[i]->sw->uuid, true);
            }
        }
        /* Its ports and their peers turn "l3gateway" or "patch". */
        nd->dirty |= NORTHD_DIRTY_PORTS;
    }
    nd->stats.n_router_updates++;
}

/* Returns the router with a port of row 'lrp' (known as a compiled port
 * or named in a router's "ports"), or NULL. */
static struct northd_router *
router_of_lrp(const struct northd *nd, const struct uuid *lrp)
{
    const struct northd_nb *c = &nd->nbc;
    struct northd_router *lr;
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        for (size_t i = 0; i < lr->n_ports; i++) {
            if (uuid_equals(&lr->ports[i]->lrp.uuid, lrp)) {
                return lr;
            }
        }
    }
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        const struct idl_row *row = idl_row_find(c->lr, &lr->uuid);
        const struct datum *ports = row ? idl_row_get(row, c->lr_ports)
                                        : NULL;
        for (size_t i = 0; ports && i < ports->n; i++) {
            if (uuid_equals(&ports->keys[i].uuid, lrp)) {
                return lr;
            }
        }
    }
    return NULL;
}

/* Returns the router whose 'column' (of Logical_Router) names row 'u', or
 * NULL. */
static struct northd_router *
router_naming(const struct northd *nd, const struct idl_column *column,
              const struct uuid *u)
{
    struct northd_router *lr;
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        const struct idl_row *lrr = idl_row_find(nd->nbc.lr, &lr->uuid);
        const struct datum *d = lrr ? idl_row_get(lrr, column) : NULL;
        for (size_t i = 0; d && i < d->n; i++) {
            if (uuid_equals(&d->keys[i].uuid, u)) {
                return lr;
            }
        }
    }
    return NULL;
}

/* Adds router 'lr' to the 'n' routers of 'todo' unless it is there. */
static void
router_todo_add(struct northd_router ***todo, size_t *n, size_t *allocated,
                struct northd_router *lr)
{
    for (size_t i = 0; i < *n; i++) {
        if ((*todo)[i] == lr) {
            return;
        }
    }
    if (*n >= *allocated) {
        *todo = x2nrealloc(*todo, allocated, sizeof **todo);
    }
    (*todo)[(*n)++] = lr;
}

/* Follows the tracked changes to routers (but for their NAT rules and
 * load balancers: northd_incremental_compute()), their ports, their
 * static routes and gateway chassis: creates, refreshes and destroys
 * routers.  Adds to 'relinks' the switches whose router ports changed.
 * Returns true if a router changed. */
static bool
northd_router_changes(struct northd *nd, struct relinks *relinks)
{
    const struct northd_nb *c = &nd->nbc;
    struct northd_router **todo = NULL;
    size_t n_todo = 0, allocated = 0;
    bool any = false;
    const struct idl_row *row;

    IDL_FOR_EACH_TRACKED (row, c->lr) {
        struct northd_router *lr = northd__router_find(nd,
                                                       idl_row_uuid(row));
        if (idl_row_is_deleted(row)) {
            if (lr) {
                for (size_t i = 0; i < lr->n_ports; i++) {
                    if (lr->ports[i]->sw) {
                        relinks_add(relinks, &lr->ports[i]->sw->uuid, true);
                    }
                }
                LOG_DBG("router %s deleted", lr->name);
                router_destroy(nd, lr);
                any = true;
            }
            continue;
        }
        if (!lr) {
            router_create(nd, row);
            lr = northd__router_find(nd, idl_row_uuid(row));
            router_build_flows(nd, lr);
            for (size_t i = 0; i < lr->n_ports; i++) {
                struct northd_port *p = router_lsp_find(
                    nd, lr->ports[i]->lrp.name);
                if (p) {
                    relinks_add(relinks, &p->sw->uuid, true);
                }
            }
            LOG_DBG("router %s created", lr->name);
            any = true;
            continue;
        }
        if (idl_row_column_changed(row, c->lr_name)
            || idl_row_column_changed(row, c->lr_ports)
            || idl_row_column_changed(row, c->lr_static_routes)
            || idl_row_column_changed(row, c->lr_policies)
            || idl_row_column_changed(row, c->lr_options)) {
            router_todo_add(&todo, &n_todo, &allocated, lr);
        }
    }
    IDL_FOR_EACH_TRACKED (row, c->lrp) {
        if (idl_row_is_new(row) || idl_row_is_deleted(row)) {
            continue;           /* Came or went with a router's "ports". */
        }
        struct northd_router *lr = router_of_lrp(nd, idl_row_uuid(row));
        if (lr) {
            router_todo_add(&todo, &n_todo, &allocated, lr);
        }
    }
    /* Static routes and policies that changed in place (those that came
     * or went did with their router's column). */
    const struct idl_table *tables[2] = { c->lrsr, c->lrpol };
    const struct idl_column *columns[2] = { c->lr_static_routes,
                                            c->lr_policies };
    for (int t = 0; t < 2; t++) {
        IDL_FOR_EACH_TRACKED (row, tables[t]) {
            if (idl_row_is_new(row) || idl_row_is_deleted(row)) {
                continue;
            }
            struct northd_router *lr = router_naming(nd, columns[t],
                                                     idl_row_uuid(row));
            if (lr) {
                router_todo_add(&todo, &n_todo, &allocated, lr);
            }
        }
    }
    if (idl_track_first(c->gwc) || idl_track_first(c->hacg)
        || idl_track_first(c->hac)) {
        /* The HA chassis groups and chassisredirect ports follow (a port
         * becomes a gateway port only by its own columns). */
        nd->dirty |= NORTHD_DIRTY_PORTS;
    }
    for (size_t i = 0; i < n_todo; i++) {
        struct northd_router *lr = todo[i];
        router_refresh(nd, lr, idl_row_find(c->lr, &lr->uuid), relinks);
        LOG_DBG("router %s refreshed", lr->name);
        any = true;
    }
    if (any) {
        /* A router-to-router link's ends resolve each other's addresses:
         * the other end may have changed. */
        struct northd_rport *rp;
        HMAP_FOR_EACH (rp, node, &nd->rports) {
            if (rp->lrp.peer) {
                rport_build_flows(nd, rp);
                northd__rport_pb_dirty(nd, rp);
            }
        }
    }
    free(todo);
    return any;
}

/* Relinks the switches of 'relinks' to the router ports that their ports
 * of type "router" name and, for each whose router ports changed,
 * rebuilds its own flows and its ports' flows.  Then rebuilds the NAT
 * rules of every router whose distributed gateway port moved. */
static void
relink_switches(struct northd *nd, const struct relinks *relinks)
{
    const struct northd_nb *c = &nd->nbc;
    struct relink_state {
        struct northd_switch *sw;
        const struct idl_row *row;
        struct northd_rport **old;  /* Router ports before, in order. */
        size_t n_old;
        bool changed;
    } *st = xcalloc(relinks->n + 1, sizeof *st);
    size_t n = 0;
    unsigned int mark = ++nd->mark;

    /* Unlink all first: a router port may move from one to another. */
    for (size_t i = 0; i < relinks->n; i++) {
        struct northd_switch *sw = northd__switch_find(nd,
                                                       &relinks->v[i].sw);
        const struct idl_row *row = sw ? idl_row_find(c->ls, &sw->uuid)
                                       : NULL;
        if (!row) {
            continue;
        }
        if (sw->mark == mark) {
            for (size_t k = 0; k < n; k++) {
                if (st[k].sw == sw) {
                    st[k].changed |= relinks->v[i].changed;
                }
            }
            continue;
        }
        sw->mark = mark;
        struct relink_state *s = &st[n++];
        s->sw = sw;
        s->row = row;
        s->changed = relinks->v[i].changed;
        s->old = xcalloc(list_size(&sw->rports) + 1, sizeof *s->old);
        struct northd_rport *rp;
        LIST_FOR_EACH_POP (rp, sw_node, &sw->rports) {
            s->old[s->n_old++] = rp;
            rp->sw = NULL;
            free(rp->peer);
            rp->peer = NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct relink_state *s = &st[i];
        switch_link_routers(nd, s->sw, s->row);
        size_t k = 0;
        struct northd_rport *rp;
        LIST_FOR_EACH (rp, sw_node, &s->sw->rports) {
            if (k >= s->n_old || s->old[k] != rp) {
                s->changed = true;
            }
            k++;
        }
        if (k != s->n_old) {
            s->changed = true;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct relink_state *s = &st[i];
        if (s->changed) {
            /* The patch ends on both sides name their peers. */
            for (size_t k = 0; k < s->n_old; k++) {
                northd__rport_pb_dirty(nd, s->old[k]);
            }
            struct northd_rport *rp;
            LIST_FOR_EACH (rp, sw_node, &s->sw->rports) {
                northd__rport_pb_dirty(nd, rp);
            }
            struct northd_port *p;
            LIST_FOR_EACH (p, sw_node, &s->sw->ports) {
                const struct idl_row *prow = idl_row_find(c->lsp, &p->uuid);
                if (prow) {
                    port_build_flows(nd, p, prow);
                }
                if (p->is_router) {
                    northd__port_pb_dirty(nd, p);
                }
            }
            switch_build_flows(nd, s->sw);
            LOG_DBG("switch %s relinked to its routers", s->sw->name);
        }
        free(s->old);
    }
    free(st);

    struct northd_router *lr;
    HMAP_FOR_EACH (lr, node, &nd->routers) {
        struct uuid u = router_dgp_switch(lr);
        if (!uuid_equals(&u, &lr->nat_sw)) {
            router_rebuild_nats(nd, lr, false);
        }
    }
}

/* Follows the tracked northbound changes that DHCP, DNS and IPAM depend
 * on: rebuilds the ports that use a changed DHCP_Options row and the
 * switches that name a changed DNS row or whose "dns_records" changed;
 * marks IPAM (run at the end of the compile) and the southbound DNS table
 * dirty as needed. */
static void
northd_dhcp_dns_changes(struct northd *nd)
{
    const struct northd_nb *c = &nd->nbc;
    const struct idl_row *row;

    IDL_FOR_EACH_TRACKED (row, c->dhcp) {
        /* Collected first: rebuilding a port relinks its references. */
        const struct uuid *u = idl_row_uuid(row);
        struct northd_port **ps = NULL;
        size_t n = 0, allocated = 0;
        struct northd_dhcp_ref *ref;
        HMAP_FOR_EACH_WITH_HASH (ref, node, uuid_hash(u), &nd->dhcp_refs) {
            if (uuid_equals(&ref->row, u)
                && ref->port->built_run != nd->n_runs) {
                if (n >= allocated) {
                    ps = x2nrealloc(ps, &allocated, sizeof *ps);
                }
                ps[n++] = ref->port;
            }
        }
        for (size_t i = 0; i < n; i++) {
            struct northd_port *p = ps[i];
            if (p->built_run == nd->n_runs) {
                continue;       /* Uses the row twice. */
            }
            const struct idl_row *prow = idl_row_find(c->lsp, &p->uuid);
            if (prow && port_build_flows(nd, p, prow)) {
                switch_build_flows(nd, p->sw);
            }
        }
        free(ps);
    }
    IDL_FOR_EACH_TRACKED (row, c->ls) {
        if (idl_row_is_deleted(row) || idl_row_is_new(row)
            || idl_row_column_changed(row, c->ls_dns_records)) {
            nd->dns_dirty = true;
        }
        if (idl_row_is_deleted(row)) {
            continue;
        }
        struct northd_switch *sw = northd__switch_find(nd, idl_row_uuid(row));
        if (sw && !idl_row_is_new(row)
            && idl_row_column_changed(row, c->ls_dns_records)) {
            switch_build_flows(nd, sw);
        }
        if (idl_row_column_changed(row, c->ls_other_config)
            || idl_row_column_changed(row, c->ls_ports)) {
            nd->ipam_dirty = true;
        }
    }
    IDL_FOR_EACH_TRACKED (row, c->dns) {
        nd->dns_dirty = true;
        if (idl_row_is_new(row) || idl_row_is_deleted(row)) {
            continue;           /* Came or went with "dns_records". */
        }
        const struct idl_row *ls;
        IDL_FOR_EACH_ROW (ls, c->ls) {
            const struct datum *refs = idl_row_get(ls, c->ls_dns_records);
            for (size_t i = 0; i < refs->n; i++) {
                if (uuid_equals(&refs->keys[i].uuid, idl_row_uuid(row))) {
                    struct northd_switch *sw = northd__switch_find(
                        nd, idl_row_uuid(ls));
                    if (sw) {
                        switch_build_flows(nd, sw);
                    }
                    break;
                }
            }
        }
    }
    IDL_FOR_EACH_TRACKED (row, c->lsp) {
        if (idl_row_is_new(row) || idl_row_is_deleted(row)
            || idl_row_column_changed(row, c->lsp_addresses)
            || idl_row_column_changed(row, c->lsp_dynamic_addresses)
            || idl_row_column_changed(row, c->lsp_type)) {
            nd->ipam_dirty = true;
        }
    }
    IDL_FOR_EACH_TRACKED (row, c->global) {
        if (idl_row_is_new(row)
            || idl_row_column_changed(row, c->options)) {
            nd->ipam_dirty = true;  /* options:mac_prefix may be new. */
        }
    }
}

/* Marks the Port_Bindings of the ports of 'lr' for the next sync. */
static void
router_pb_dirty(struct northd *nd, struct northd_router *lr)
{
    for (size_t i = 0; i < lr->n_ports; i++) {
        northd__rport_pb_dirty(nd, lr->ports[i]);
    }
}

/* Compiles the tracked northbound changes.  Sets the bits of 'dirty' of
 * the bookkeeping that has something to follow. */
static void
northd_incremental_compute(struct northd *nd)
{
    const struct northd_nb *c = &nd->nbc;
    const struct idl_row *row;
    bool changed = false;
    unsigned int dirty = 0;     /* NORTHD_DIRTY_*. */

    struct northd_stats st0 = nd->stats;
    struct relinks relinks = { .v = NULL };
    bool routers_changed = northd_router_changes(nd, &relinks);

    /* Switches: deleted ones go with their ports; new ones get their own
     * flows; a changed "ports" column adds and removes ports. */
    IDL_FOR_EACH_TRACKED (row, c->ls) {
        struct northd_switch *sw = northd__switch_find(nd, idl_row_uuid(row));
        changed = true;
        /* Ports that come and go mark their own bindings, their
         * switch's multicast groups and their port groups' copies for
         * the bookkeeping. */
        if (!sw || idl_row_is_deleted(row)
            || idl_row_column_changed(row, c->ls_load_balancer)) {
            dirty |= NORTHD_DIRTY_LBS;
        }
        if (idl_row_is_deleted(row)) {
            if (sw) {
                LOG_DBG("switch %s deleted", sw->name);
                switch_destroy(nd, sw);
            }
            continue;
        }
        bool build = false;
        if (!sw) {
            sw = switch_create(nd, row);
            build = true;
        } else if (idl_row_column_changed(row, c->ls_name)) {
            const char *name = idl_row_get_string(row, c->ls_name);
            free(sw->name);
            sw->name = xstrdup(name ? name : "");
        }
        if (build || idl_row_column_changed(row, c->ls_ports)) {
            build |= switch_sync_ports(nd, sw, row);
            relinks_add(&relinks, &sw->uuid, false);
        }
        if (build || idl_row_column_changed(row, c->ls_acls)
            || idl_row_column_changed(row, c->ls_load_balancer)) {
            sw->acls_dirty = true;
        }
        if (build) {
            switch_build_flows(nd, sw);
        }
    }

    /* Ports whose own columns changed, except those built above. */
    IDL_FOR_EACH_TRACKED (row, c->lsp) {
        if (idl_row_is_deleted(row)) {
            continue;           /* Left its switch's "ports" above. */
        }
        struct northd_port *p = port_find(nd, idl_row_uuid(row));
        if (lsp_binding_columns_changed(c, row)) {
            changed = true;
            if (p) {
                northd__port_pb_dirty(nd, p);
                northd__sets_port_changed(nd, &p->uuid);
            }
        }
        if (p && lsp_flow_columns_changed(c, row)) {
            const char *type = idl_row_get_string(row, c->lsp_type);
            if (p->is_router || (type && !strcmp(type, "router"))) {
                relinks_add(&relinks, &p->sw->uuid, false);
            }
        }
        if (!p || p->built_run == nd->n_runs
            || !lsp_flow_columns_changed(c, row)) {
            continue;
        }
        bool was_localnet = p->is_localnet;
        bool sw_dirty = port_build_flows(nd, p, row);
        if (p->is_localnet != was_localnet) {
            sw_dirty |= switch_rebuild_externals(nd, p->sw);
        }
        if (sw_dirty) {
            switch_build_flows(nd, p->sw);
        }
    }
    relink_switches(nd, &relinks);
    if (routers_changed || relinks.n) {
        changed = true;
    }
    free(relinks.v);
    northd_dhcp_dns_changes(nd);

    /* NAT rules: a changed rule is rebuilt on its router; a router whose
     * "nat" column changed gains and loses rules. */
    IDL_FOR_EACH_TRACKED (row, c->nat) {
        if (idl_row_is_new(row) || idl_row_is_deleted(row)) {
            continue;           /* Came or went with a "nat" column. */
        }
        const struct uuid *u = idl_row_uuid(row);
        struct northd_nat *nat;
        HMAP_FOR_EACH_WITH_HASH (nat, node, uuid_hash(u), &nd->nats) {
            if (uuid_equals(&nat->uuid, u)) {
                nat->stale = true;
                router_update_nats(nd, nat->lr, false);
                router_pb_dirty(nd, nat->lr);
            }
        }
        changed = true;
    }
    IDL_FOR_EACH_TRACKED (row, c->lr) {
        struct northd_router *lr = northd__router_find(nd,
                                                       idl_row_uuid(row));
        bool lbs = idl_row_column_changed(row, c->lr_load_balancer);
        if (lr) {
            router_update_nats(nd, lr, lbs);
            if (idl_row_column_changed(row, c->lr_nat)) {
                /* "cr-" ports redirect always without distributed NAT. */
                router_pb_dirty(nd, lr);
            }
        }
        if (lbs) {
            dirty |= NORTHD_DIRTY_LBS;
            nd->rtr_sets_dirty = true;
        }
        changed = true;
    }

    /* ACLs: a changed ACL is rebuilt wherever it applies (and may make
     * its switches stateful or stateless); a changed port group
     * refreshes its ACLs and switches (acl-apply.c). */
    bool acl_changed = false;
    IDL_FOR_EACH_TRACKED (row, c->acl) {
        acl_changed = true;
        if (!idl_row_is_new(row) && !idl_row_is_deleted(row)) {
            northd__acl_changed(nd, idl_row_uuid(row));
        }
    }
    IDL_FOR_EACH_TRACKED (row, c->pg) {
        changed = true;
        northd__sets_pg_changed(nd, idl_row_uuid(row),
                                (idl_row_column_changed(row, c->pg_name)
                                 ? NULL
                                 : idl_row_get_diff(row, c->pg_ports)));
        northd__pg_changed(nd, idl_row_uuid(row),
                           idl_row_column_changed(row, c->pg_acls),
                           idl_row_column_changed(row, c->pg_ports));
    }
    /* Load balancers: a changed one is rebuilt on the switches that have
     * it (with the ACL sync, since it makes them stateful) and on the
     * routers that have it. */
    IDL_FOR_EACH_TRACKED (row, c->lb) {
        changed = true;
        dirty |= NORTHD_DIRTY_LBS;
        nd->rtr_sets_dirty = true;      /* Router VIPs. */
        struct northd_lb_group *lbg = lb_group_find(nd, idl_row_uuid(row));
        if (lbg) {
            lbg->stale = true;
        }
        const struct idl_row *lrr;
        IDL_FOR_EACH_ROW (lrr, c->lr) {
            const struct datum *lbs = idl_row_get(lrr, c->lr_load_balancer);
            for (size_t i = 0; i < lbs->n; i++) {
                struct northd_router *lr = northd__router_find(
                    nd, idl_row_uuid(lrr));
                if (lr && uuid_equals(&lbs->keys[i].uuid,
                                      idl_row_uuid(row))) {
                    router_update_nats(nd, lr, true);
                }
            }
        }
        const struct idl_row *lsr;
        IDL_FOR_EACH_ROW (lsr, c->ls) {
            const struct datum *lbs = idl_row_get(lsr, c->ls_load_balancer);
            for (size_t i = 0; i < lbs->n; i++) {
                if (uuid_equals(&lbs->keys[i].uuid, idl_row_uuid(row))) {
                    struct northd_switch *lsw = northd__switch_find(
                        nd, idl_row_uuid(lsr));
                    if (lsw) {
                        lsw->acls_dirty = true;
                    }
                }
            }
        }
    }
    northd__sync_acls(nd);
    struct northd_switch *sw;
    HMAP_FOR_EACH (sw, node, &nd->switches) {
        if (apply_class_change(nd, sw)) {
            acl_changed = true;
            switch_build_flows(nd, sw);
        }
    }

    if (idl_track_first(c->as)) {
        changed = true;
        nd->nb_as_dirty = true;
    }
    if (idl_track_first(c->meter) || idl_track_first(c->band)) {
        changed = true;
        dirty |= NORTHD_DIRTY_METERS;
    }
    IDL_FOR_EACH_TRACKED (row, c->global) {
        /* nb_cfg alone is the writer's business (northd_write()); the
         * options go south and name the MAC prefixes. */
        if (idl_row_is_new(row) || idl_row_is_deleted(row)
            || idl_row_column_changed(row, c->options)) {
            changed = true;
            dirty |= NORTHD_DIRTY_ALL;
        }
    }
    nd->dirty |= dirty;
    if (nd->ipam_dirty) {
        northd_ipam_run(nd);
    }
    sync_switch_classes(nd);
    sync_lb_groups(nd);
    if (changed || acl_changed) {
        nd->stats.n_incremental++;
        LOG_DBG("incremental: rebuilt %llu ports, %llu switches, %llu ACL "
                "applications, %llu NAT rules, %llu routers",
                nd->stats.n_port_updates - st0.n_port_updates,
                nd->stats.n_switch_updates - st0.n_switch_updates,
                nd->stats.n_acl_updates - st0.n_acl_updates,
                nd->stats.n_nat_updates - st0.n_nat_updates,
                nd->stats.n_router_updates - st0.n_router_updates);
    }
}

/* The southbound flow index. */

static void
sb_index_clear(struct northd *nd)
{
    struct northd_sb_lflow *s;
    HMAP_FOR_EACH_POP (s, by_uuid, &nd->sb_lflows_by_uuid) {
        free(s);
    }
    hmap_clear(&nd->sb_lflows);
}

static struct northd_sb_lflow *
sb_index_find_uuid(const struct northd *nd, const struct uuid *u)
{
    struct northd_sb_lflow *s;
    HMAP_FOR_EACH_WITH_HASH (s, by_uuid, uuid_hash(u),
                             &nd->sb_lflows_by_uuid) {
        if (uuid_equals(&s->row, u)) {
            return s;
        }
    }
    return NULL;
}

/* Finds the northbound datapath of the southbound Datapath_Binding 'u'. */
static bool
sb_dp_to_nb(const struct northd *nd, const struct uuid *u, struct uuid *nb)
{
    const struct idl_row *dp = idl_row_find(nd->sbc.dp, u);
    if (!dp) {
        return false;
    }
    const char *s = idl_row_get_map_string(dp, nd->sbc.dp_external_ids,
                                           "logical-switch");
    if (!s) {
        s = idl_row_get_map_string(dp, nd->sbc.dp_external_ids,
                                   "logical-router");
    }
    return s && uuid_from_string(nb, s);
}

/* Finds the Datapath_Binding of northbound datapath 'nb', a switch or a
 * router. */
static bool
nb_dp_to_sb(const struct northd *nd, const struct uuid *nb, struct uuid *sb)
{
    const struct northd_switch *sw = northd__switch_find(nd, nb);
    if (sw) {
        *sb = sw->sb_dp;
        return sw->has_sb_dp;
    }
    const struct northd_router *lr = northd__router_find(nd, nb);
    if (lr) {
        *sb = lr->sb_dp;
        return lr->has_sb_dp;
    }
    return false;
}

static void
sb_index_add(struct northd *nd, const struct idl_row *row)
{
    const struct northd_sb *c = &nd->sbc;
    struct northd_sb_lflow *s = xzalloc(sizeof *s);
    s->row = *idl_row_uuid(row);
    hmap_insert(&nd->sb_lflows_by_uuid, &s->by_uuid, uuid_hash(&s->row));

    const struct datum *dp = idl_row_get(row, c->lf_datapath);
    const struct datum *group = idl_row_get(row, c->lf_dp_group);
    const char *pipeline = idl_row_get_string(row, c->lf_pipeline);
    const char *match = idl_row_get_string(row, c->lf_match);
    const char *actions = idl_row_get_string(row, c->lf_actions);
    if (!pipeline || !match || !actions) {
        return;                 /* Matches no desired flow. */
    }

    /* A flow for one datapath is keyed by its northbound UUID, one for a
     * datapath group by the group's UUID (lflow.h).  The datapaths say
     * whether the table is a switch's or a router's. */
    const struct uuid *sb_dp;
    if (dp->n == 1 && !group->n) {
        sb_dp = &dp->keys[0].uuid;
        if (!sb_dp_to_nb(nd, sb_dp, &s->dp)) {
            return;
        }
    } else if (!dp->n && group->n == 1) {
        s->dp = group->keys[0].uuid;
        const struct idl_row *g = idl_row_find(c->dpg, &s->dp);
        const struct datum *members = (g ? idl_row_get(g, c->dpg_datapaths)
                                       : NULL);
        if (!members || !members->n) {
            return;
        }
        sb_dp = &members->keys[0].uuid;
    } else {
        return;
    }
    enum lflow_pipeline pl = (!strcmp(pipeline, "egress")
                              ? LFLOW_EGRESS : LFLOW_INGRESS);
    const struct idl_row *dp_row = idl_row_find(c->dp, sb_dp);
    bool is_switch = dp_row && idl_row_get_map_string(
        dp_row, c->dp_external_ids, "logical-switch") != NULL;
    int stage = lflow_stage_find(is_switch, pl,
                                 idl_row_get_integer(row, c->lf_table_id, 0));
    if (stage < 0) {
        return;
    }
    s->stage = stage;
    s->priority = idl_row_get_integer(row, c->lf_priority, 0);
    s->keyed = true;
    hmap_insert(&nd->sb_lflows, &s->by_key,
                lflow_hash(&s->dp, s->stage, s->priority, match, actions));
}

static void
sb_index_remove(struct northd *nd, struct northd_sb_lflow *s)
{
    if (s->keyed) {
        hmap_remove(&nd->sb_lflows, &s->by_key);
    }
    hmap_remove(&nd->sb_lflows_by_uuid, &s->by_uuid);
    free(s);
}

static void
sb_index_rebuild(struct northd *nd)
{
    sb_index_clear(nd);
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, nd->sbc.lflow) {
        sb_index_add(nd, row);
    }
}

static void
sb_index_update(struct northd *nd)
{
    const struct idl_row *row;
    IDL_FOR_EACH_TRACKED (row, nd->sbc.lflow) {
        struct northd_sb_lflow *s = sb_index_find_uuid(nd, idl_row_uuid(row));
        if (s) {
            sb_index_remove(nd, s);
        }
        if (!idl_row_is_deleted(row)) {
            sb_index_add(nd, row);
        }
    }
}

/* True if the southbound row of 's' holds flow 'f'. */
static bool
sb_lflow_is(const struct northd *nd, const struct northd_sb_lflow *s,
            const struct lflow *f)
{
    if (!s->keyed || s->stage != f->stage || s->priority != f->priority
        || !uuid_equals(&s->dp, &f->dp)) {
        return false;
    }
    const struct idl_row *row = idl_row_find(nd->sbc.lflow, &s->row);
    if (!row) {
        return false;
    }
    const char *match = idl_row_get_string(row, nd->sbc.lf_match);
    const char *actions = idl_row_get_string(row, nd->sbc.lf_actions);
    return (match && actions && !strcmp(match, f->match)
            && !strcmp(actions, f->actions));
}

/* Writing flows. */

static void
set_string_map(struct idl_txn *txn, const struct idl_row *row,
               const struct idl_column *col, const char **kv, size_t n)
{
    struct datum d;
    datum_init_alloc(&d, n, true);
    for (size_t i = 0; i < n; i++) {
        d.keys[i].string = xstrdup(kv[2 * i]);
        d.values[i].string = xstrdup(kv[2 * i + 1]);
    }
    const struct db_type *type = &idl_column_schema(col)->type;
    struct db_error *error = datum_sort_unique(&d, type);
    ASSERT(!error);
    idl_txn_set(txn, row, col, &d);
    datum_destroy(&d, type);
}

/* Inserts flow 'f' for Datapath_Binding 'sb_dp', or for its datapath
 * group if it has one. */
static void
sb_lflow_insert(struct northd *nd, struct idl_txn *txn, const struct lflow *f,
                const struct uuid *sb_dp)
{
    const struct northd_sb *c = &nd->sbc;
    const struct idl_row *row = idl_txn_insert(txn, c->lflow);
    if (f->group) {
        idl_txn_set_uuid(txn, row, c->lf_dp_group, &f->group->id);
    } else {
        idl_txn_set_uuid(txn, row, c->lf_datapath, sb_dp);
    }
    idl_txn_set_string(txn, row, c->lf_pipeline, lflow_pipeline_to_string(
                           lflow_stage_pipeline(f->stage)));
    idl_txn_set_integer(txn, row, c->lf_table_id,
                        lflow_stage_table(f->stage));
    idl_txn_set_integer(txn, row, c->lf_priority, f->priority);
    idl_txn_set_string(txn, row, c->lf_match, f->match);
    idl_txn_set_string(txn, row, c->lf_actions, f->actions);

    char hint[9];
    const char *ext[4] = { "stage-name", lflow_stage_name(f->stage) };
    size_t n_ext = 1;
    if (!uuid_is_zero(&f->hint)) {
        char u[UUID_LEN + 1];
        uuid_to_buffer(&f->hint, u);
        memcpy(hint, u, 8);
        hint[8] = '\0';
        ext[2] = "stage-hint";
        ext[3] = hint;
        n_ext = 2;
    }
    set_string_map(txn, row, c->lf_external_ids, ext, n_ext);
    if (f->in_out_port) {
        const char *tags[2] = { "in_out_port", f->in_out_port };
        set_string_map(txn, row, c->lf_tags, tags, 1);
    }
    nd->stats.n_flows_inserted++;
}

static void
sb_lflow_delete(struct northd *nd, struct idl_txn *txn,
                const struct northd_sb_lflow *s)
{
    const struct idl_row *row = idl_row_find(nd->sbc.lflow, &s->row);
    if (row) {
        idl_txn_delete(txn, row);
        nd->stats.n_flows_deleted++;
    }
}

/* Writes flow 'f' if it has owners and the southbound database lacks it,
 * deletes its rows if it has none. */
static void
sync_one_flow(struct northd *nd, struct idl_txn *txn, struct lflow *f,
              uint32_t hash)
{
    bool have = false;
    struct northd_sb_lflow *s;
    HMAP_FOR_EACH_WITH_HASH (s, by_key, hash, &nd->sb_lflows) {
        if (!sb_lflow_is(nd, s, f)) {
            continue;
        }
        if (f->n_refs && !have) {
            have = true;
        } else {
            sb_lflow_delete(nd, txn, s);
        }
    }
    if (f->n_refs && !have) {
        struct uuid sb_dp;
        if (f->group) {
            sb_lflow_insert(nd, txn, f, NULL);
        } else if (nb_dp_to_sb(nd, &f->dp, &sb_dp)) {
            sb_lflow_insert(nd, txn, f, &sb_dp);
        } else {
            nd->full_resync = true;
        }
    }
}

/* Writes the Logical_DP_Group row of each datapath group with flows whose
 * members changed or that the southbound database lacks (or of every
 * group with flows, if 'full').  The server deletes a group row nothing
 * refers to any more (Logical_DP_Group is not a root table), so a group
 * whose flows are all gone is no longer in the southbound database. */
static void
sync_groups(struct northd *nd, struct idl_txn *txn, bool full)
{
    const struct northd_sb *c = &nd->sbc;
    const struct db_type *type = &idl_column_schema(c->dpg_datapaths)->type;
    struct lflow_dp_group *g;
    HMAP_FOR_EACH (g, node, &nd->lflows.groups) {
        if (!g->n_live) {
            g->in_sb = false;
            continue;
        }
        if (!full && g->in_sb && !g->changed) {
            continue;
        }
        struct datum d;
        datum_init_alloc(&d, g->n_dps, false);
        d.n = 0;
        for (size_t i = 0; i < g->n_dps; i++) {
            if (nb_dp_to_sb(nd, &g->dps[i], &d.keys[d.n].uuid)) {
                d.n++;
            } else {
                nd->full_resync = true;
            }
        }
        struct db_error *error = datum_sort_unique(&d, type);
        ASSERT(!error);
        /* A row this northd inserted may be missing from the replica for
         * a moment after its commit; inserting it again then fails the
         * transaction, and the full resync that follows sets it right. */
        const struct idl_row *row = idl_row_find(c->dpg, &g->id);
        if (!row) {
            row = idl_txn_insert_uuid(txn, c->dpg, &g->id);
            idl_txn_set(txn, row, c->dpg_datapaths, &d);
        } else if (!datum_equals(idl_row_get(row, c->dpg_datapaths), &d,
                                 type)) {
            idl_txn_set(txn, row, c->dpg_datapaths, &d);
        }
        datum_destroy(&d, type);
        g->in_sb = true;
        g->changed = false;
    }
}

/* Adds to 'txn' the flow differences: those of the dirty flows, or all of
 * them if 'full'. */
static void
sync_flows(struct northd *nd, struct idl_txn *txn, bool full)
{
    sync_groups(nd, txn, full);
    if (!full) {
        struct lflow *f;
        LIST_FOR_EACH (f, dirty_node, &nd->lflows.dirty) {
            sync_one_flow(nd, txn, f, f->node.hash);
        }
        lflow_table_sync_done(&nd->lflows);
        return;
    }

    /* Every southbound row must hold a live desired flow, once. */
    unsigned int mark = ++nd->mark;
    struct northd_sb_lflow *s;
    HMAP_FOR_EACH (s, by_uuid, &nd->sb_lflows_by_uuid) {
        struct lflow *f = NULL;
        if (s->keyed) {
            const struct idl_row *row = idl_row_find(nd->sbc.lflow, &s->row);
            f = lflow_table_find(&nd->lflows, &s->dp, s->stage, s->priority,
                                 idl_row_get_string(row, nd->sbc.lf_match),
                                 idl_row_get_string(row, nd->sbc.lf_actions),
                                 s->by_key.hash);
        }
        if (f && f->n_refs && f->sync_mark != mark) {
            f->sync_mark = mark;
        } else {
            sb_lflow_delete(nd, txn, s);
        }
    }
    struct lflow *f;
    HMAP_FOR_EACH (f, node, &nd->lflows.flows) {
        if (f->n_refs && f->sync_mark != mark) {
            struct uuid sb_dp;
            if (f->group) {
                sb_lflow_insert(nd, txn, f, NULL);
            } else if (nb_dp_to_sb(nd, &f->dp, &sb_dp)) {
                sb_lflow_insert(nd, txn, f, &sb_dp);
            }
        }
    }
    lflow_table_sync_done(&nd->lflows);
}

/* Running. */

static void
sb_txn_done_cb(struct idl_txn *txn, enum idl_txn_status status, void *nd_)
{
    struct northd *nd = nd_;
    if (nd->closing) {
        return;
    }
    if (status != IDL_TXN_SUCCESS && status != IDL_TXN_UNCHANGED) {
        nd->stats.n_sb_txn_failures++;
        LOG_WARN("southbound transaction: %s%s%s",
                 idl_txn_status_to_string(status),
                 status == IDL_TXN_ERROR ? ": " : "",
                 status == IDL_TXN_ERROR ? idl_txn_get_error(txn) : "");
        nd->full_resync = true;
        nd->dirty = NORTHD_DIRTY_ALL;
        nd->up_dirty = true;
    }
    /* On success, newly inserted datapaths get their real UUIDs at the
     * next sync, which always redoes the datapaths. */
    idl_txn_destroy(txn);
    nd->sb_txn = NULL;
    northd_schedule_run(nd);
}

static void
nb_txn_done_cb(struct idl_txn *txn, enum idl_txn_status status, void *nd_)
{
    struct northd *nd = nd_;
    if (nd->closing) {
        return;
    }
    if (status == IDL_TXN_ERROR) {
        LOG_WARN("northbound transaction: %s", idl_txn_get_error(txn));
    }
    if (status != IDL_TXN_SUCCESS && status != IDL_TXN_UNCHANGED) {
        nd->up_dirty = true;
    }
    idl_txn_destroy(txn);
    nd->nb_txn = NULL;
    /* A change that came while 'txn' was in flight (a chassis catching up
     * with nb_cfg, say) found the northbound busy: without another run now,
     * hv_cfg and "up" would wait for some unrelated change. */
    if (status == IDL_TXN_TRY_AGAIN || status == IDL_TXN_ERROR
        || nd->nb_sync_pending) {
        nd->nb_sync_pending = false;
        northd_schedule_run(nd);
    }
}

static long long
nb_global_nb_cfg(const struct northd *nd)
{
    const struct idl_row *g = idl_table_first_row(nd->nbc.global);
    return g ? idl_row_get_integer(g, nd->nbc.nb_cfg, 0) : 0;
}

/* True if ports, router ports or port groups wait for their southbound
 * rows. */
static bool
bookkeeping_pending(const struct northd *nd)
{
    return (!list_is_empty(&nd->pb_dirty) || !list_is_empty(&nd->rpb_dirty)
            || nd->n_pb_gone || nd->n_set_ports || nd->n_set_pgs
            || nd->n_set_pg_ports || nd->nb_as_dirty || nd->rtr_sets_dirty);
}

/* Writes what has to be written, if this northd is the active one. */
static void
northd_write(struct northd *nd)
{
    if (!nd->sb_txn) {
        bool full = nd->full_resync;
        long long nb_cfg = nb_global_nb_cfg(nd);
        const struct idl_row *sg = idl_table_first_row(nd->sbc.global);
        bool cfg_stale = (!sg
                          || idl_row_get_integer(sg, nd->sbc.nb_cfg, 0)
                             != nb_cfg);
        if (full || nd->dirty || cfg_stale || nd->dns_dirty
            || bookkeeping_pending(nd)
            || !list_is_empty(&nd->lflows.dirty)) {
            struct idl_txn *txn = idl_txn_create(nd->sb);
            idl_txn_add_comment(txn, "kiln-northd");
            unsigned int dirty = full ? NORTHD_DIRTY_ALL : nd->dirty;
            nd->full_resync = false;
            nd->dirty = 0;
            northd__sync_bindings(nd, txn, nb_cfg, dirty);
            sync_flows(nd, txn, full);
            enum idl_txn_status st = idl_txn_commit(txn, sb_txn_done_cb, nd);
            if (st == IDL_TXN_INCOMPLETE) {
                nd->sb_txn = txn;
                nd->sb_txn_nb_cfg = nb_cfg;
                nd->stats.n_sb_txns++;
            } else {
                if (st != IDL_TXN_UNCHANGED) {
                    nd->full_resync = true;
                    nd->dirty = NORTHD_DIRTY_ALL;
                    nd->up_dirty = true;
                }
                idl_txn_destroy(txn);
            }
        }
    }
    if (nd->nb_txn) {
        nd->nb_sync_pending = true;
    } else {
        struct idl_txn *txn = idl_txn_create(nd->nb);
        northd__sync_nb(nd, txn);
        enum idl_txn_status st = idl_txn_commit(txn, nb_txn_done_cb, nd);
        if (st == IDL_TXN_INCOMPLETE) {
            nd->nb_txn = txn;
        } else {
            idl_txn_destroy(txn);
        }
    }
}

/* Returns the NORTHD_DIRTY_* bits of the bookkeeping that the tracked
 * southbound changes call for (and sets 'up_dirty' if a port's "up" may
 * have changed).  Most southbound changes are this northd's own writes
 * coming back; others' changes to the rows it writes are set right when
 * they delete one, or at the next change of the same kind. */
static unsigned int
sb_changes(struct northd *nd)
{
    const struct northd_sb *c = &nd->sbc;
    unsigned int dirty = 0;
    const struct idl_row *row;
    IDL_FOR_EACH_TRACKED (row, c->pb) {
        const struct uuid *u = idl_row_uuid(row);
        if (idl_row_is_deleted(row)) {
            if (!northd__sb_deleted_echo(nd, u)) {
                dirty |= NORTHD_DIRTY_PORTS | NORTHD_DIRTY_SETS;
                nd->up_dirty = true;
            }
            continue;
        }
        /* Its port's "up" may follow. */
        struct northd_port *p;
        HMAP_FOR_EACH_WITH_HASH (p, pb_node, uuid_hash(u), &nd->ports_by_pb) {
            if (uuid_equals(&p->pb_row, u)) {
                northd__port_up_check(nd, p);
            }
        }
    }
    IDL_FOR_EACH_TRACKED (row, c->mc) {
        if (idl_row_is_deleted(row)
            && !northd__sb_deleted_echo(nd, idl_row_uuid(row))) {
            dirty |= NORTHD_DIRTY_PORTS;
        }
    }
    IDL_FOR_EACH_TRACKED (row, c->lb) {
        if (idl_row_is_deleted(row)) {
            dirty |= NORTHD_DIRTY_LBS;
        }
    }
    IDL_FOR_EACH_TRACKED (row, c->dp) {
        if (idl_row_is_deleted(row)) {
            dirty |= NORTHD_DIRTY_ALL;
        }
    }
    if (idl_track_first(c->chassis) || idl_track_first(c->hacg)) {
        /* Gateway chassis come and go: chassisredirect ports follow. */
        dirty |= NORTHD_DIRTY_PORTS;
    }
    return dirty;
}

static void
northd_run(struct northd *nd)
{
    struct idl_stats nbs, sbs;
    idl_get_stats(nd->nb, &nbs);
    idl_get_stats(nd->sb, &sbs);

    if (idl_has_synced(nd->nb)) {
        if (nbs.n_syncs != nd->nb_syncs) {
            nd->recompute_why = (nd->nb_syncs
                                 ? "northbound replica synced again"
                                 : "start-up");
            nd->nb_syncs = nbs.n_syncs;
            nd->recompute = true;
        }
        nd->n_runs++;
        if (nd->recompute) {
            nd->recompute = false;
            nd->full_resync = true;
            nd->dirty = NORTHD_DIRTY_ALL;
            nd->up_dirty = true;
            northd_full_compute(nd);
        } else {
            northd_incremental_compute(nd);
        }
        idl_track_clear(nd->nb);
    }
    if (idl_has_synced(nd->sb)) {
        if (sbs.n_syncs != nd->sb_syncs) {
            nd->sb_syncs = sbs.n_syncs;
            sb_index_rebuild(nd);
            nd->full_resync = true;
            nd->dirty = NORTHD_DIRTY_ALL;
            nd->up_dirty = true;
        } else {
            sb_index_update(nd);
            nd->dirty |= sb_changes(nd);
        }
        idl_track_clear(nd->sb);
    }

    bool active = idl_has_lock(nd->sb);
    if (active != nd->was_active) {
        LOG_INFO("%s", active ? "this northd is now active"
                 : "this northd is now on standby");
        nd->was_active = active;
        if (active) {
            nd->full_resync = true;
            nd->dirty = NORTHD_DIRTY_ALL;
            nd->up_dirty = true;
        }
    }
    if (active && !nd->paused && northd_is_connected(nd)) {
        northd_write(nd);
    }
}

static void
northd_run_idle_cb(uv_idle_t *idle)
{
    struct northd *nd = idle->data;
    uv_idle_stop(idle);
    nd->run_pending = false;
    northd_run(nd);
}

static void
northd_schedule_run(struct northd *nd)
{
    if (!nd->run_pending && !nd->closing) {
        nd->run_pending = true;
        uv_idle_start(&nd->run_idle, northd_run_idle_cb);
    }
}
