/* The switch as the Open_vSwitch database describes it: every Bridge row
 * (ovs-vswitchd.conf.db(5)) becomes an ofproto (switch/ofproto.h) with a
 * connection manager (switch/connmgr.h) listening on
 * punix:RUNDIR/BRIDGE.mgmt, and every Interface row of its Ports a port:
 * a netdev (datapath/netdev.h) added to ONE datapath (datapath/dpif.h)
 * that all bridges share, as ovs-vswitchd's netdev datapath does, an
 * OpenFlow port of the bridge, and a port of the translator's map
 * (switch/xlate.h) with its VLAN, tunnel and patch configuration.
 *
 * A bridge's "internal" Interface named after the bridge is its LOCAL
 * port.  Interface ofport_request is honoured when free.  Changes apply
 * live: a port whose type and options did not change is left alone.
 *
 * Status goes back to the database: Interface ofport (-1 and error for a
 * port that cannot be opened), mac_in_use, link_state, admin_state,
 * ifindex, statistics (every 5 s), Bridge datapath_id, Open_vSwitch
 * datapath_types and iface_types.
 *
 * The datapath is wired as the translator expects: upcalls translate
 * through xlate_upcall(), USERSPACE actions become packet-ins, megaflow
 * statistics go to the rules, every OpenFlow table change (and TLV table
 * change) revalidates the megaflows, one conntrack serves the ct action.
 *
 * Everything here runs on the loop's thread. */
#ifndef SWITCH_BRIDGE_H
#define SWITCH_BRIDGE_H 1

#include <uv.h>

struct idl;
struct bridge_set;

/* Options of bridge_set_create(). */
struct bridge_set_options {
    int n_threads;              /* Packet threads (>= 1). */
    int busy_poll_us;           /* dpif_config's; negative: default. */
};

/* Creates the switch on 'loop', reading and writing the Open_vSwitch
 * database through 'idl' (borrowed; the caller calls
 * bridge_set_reconfigure() from its change callback).  Adds the tables
 * and columns it needs to 'idl', creates the datapath and its conntrack,
 * and registers the appctl commands (ofproto/trace, dpctl/..., fdb/...,
 * bridge/dump-flows, bridge/show, ofproto/list).  Exits the process if
 * the datapath cannot be created.  The caller owns the result. */
struct bridge_set *bridge_set_create(uv_loop_t *loop, struct idl *idl,
                                     const struct bridge_set_options *);
/* Destroys every bridge, the datapath and its netdevs (NULL is fine).
 * The caller runs the loop once more afterwards (uv_run(UV_RUN_NOWAIT))
 * to finish freeing. */
void bridge_set_destroy(struct bridge_set *);
/* Brings bridges and ports in line with the database (call when the IDL
 * changed and has synced). */
void bridge_set_reconfigure(struct bridge_set *);

#endif /* switch/bridge.h */
