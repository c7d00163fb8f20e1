/* Bridges, ports and the datapath of kiln-switchd (see bridge.h). */
#include "switch/bridge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "datapath/conntrack.h"
#include "datapath/dp-actions.h"
#include "datapath/dp-meter.h"
#include "datapath/dpif.h"
#include "datapath/flow-extract.h"
#include "datapath/netdev-tunnel.h"
#include "datapath/netdev.h"
#include "datapath/packet.h"
#include "lib/appctl.h"
#include "lib/daemon.h"
#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/log.h"
#include "lib/strmap.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-match.h"
#include "openflow/ofp-protocol.h"
#include "openflow/ofpbuf.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"
#include "switch/connmgr.h"
#include "switch/mac-learning.h"
#include "switch/ofproto-meter.h"
#include "switch/ofproto.h"
#include "switch/xlate.h"

LOG_MODULE(bridge);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 20);

#define BRIDGE_RUN_MSEC 100         /* dpif_run(), MAC aging, links. */
#define BRIDGE_STATS_MSEC 5000      /* Interface statistics to the DB. */
#define OFPPC_PORT_DOWN 1u
#define OFPPS_LINK_DOWN 1u

/* The columns read and written (ovs-vswitchd.conf.db(5)). */
struct bridge_columns {
    struct idl_table *ovs;                  /* Open_vSwitch. */
    const struct idl_column *ovs_dp_types;  /* datapath_types. */
    const struct idl_column *ovs_if_types;  /* iface_types. */
    const struct idl_column *ovs_next_cfg;  /* next_cfg. */
    const struct idl_column *ovs_cur_cfg;   /* cur_cfg (written). */
    struct idl_table *bridge;               /* Bridge. */
    const struct idl_column *br_name;       /* name. */
    const struct idl_column *br_datapath_id; /* datapath_id. */
    const struct idl_column *br_other_config; /* other_config. */
    const struct idl_column *br_fail_mode;  /* fail_mode. */
    const struct idl_column *br_protocols;  /* protocols. */
    const struct idl_column *br_controller; /* controller. */
    const struct idl_column *br_ports;      /* ports. */
    struct idl_table *controller;           /* Controller. */
    const struct idl_column *ctl_target;    /* target. */
    const struct idl_column *ctl_probe;     /* inactivity_probe. */
    struct idl_table *port;                 /* Port. */
    const struct idl_column *port_name;     /* name. */
    const struct idl_column *port_ifaces;   /* interfaces. */
    const struct idl_column *port_tag;      /* tag. */
    const struct idl_column *port_trunks;   /* trunks. */
    struct idl_table *iface;                /* Interface. */
    const struct idl_column *if_name;       /* name. */
    const struct idl_column *if_type;       /* type. */
    const struct idl_column *if_options;    /* options. */
    const struct idl_column *if_ofport;     /* ofport (written). */
    const struct idl_column *if_ofport_request; /* ofport_request. */
    const struct idl_column *if_mac_in_use; /* mac_in_use (written). */
    const struct idl_column *if_link_state; /* link_state (written). */
    const struct idl_column *if_admin_state; /* admin_state (written). */
    const struct idl_column *if_ifindex;    /* ifindex (written). */
    const struct idl_column *if_statistics; /* statistics (written). */
    const struct idl_column *if_error;      /* error (written). */
    const struct idl_column *if_status;     /* status (written). */
};

struct bridge;

/* One Interface row made a port. */
struct iface {
    struct hmap_node node;      /* In bridge_set 'ifaces', by name. */
    struct bridge *br;          /* Its bridge. */
    char *name;                 /* Interface name.  Owned. */
    char *type;                 /* Interface type as in the DB.  Owned. */
    struct strmap options;      /* Interface options it was opened with. */
    long long ofport_request;   /* Requested OpenFlow port, or 0. */
    struct netdev *netdev;      /* Owned; NULL for patch or on error. */
    uint32_t dp_port;           /* Datapath port, UINT32_MAX if none. */
    uint32_t ofp_port;          /* OpenFlow port, OFPP_NONE if none. */
    struct xlate_port *xport;   /* Translator's port, or NULL. */
    char *error;                /* Why it could not be opened, or NULL.
                                 * Owned. */
    int tag;                    /* Applied Port tag, -1 for none. */
    uint16_t *trunks;           /* Applied Port trunks.  Owned. */
    size_t n_trunks;            /* Entries in 'trunks'. */
    char *peer;                 /* Patch peer name, or NULL.  Owned. */
    bool seen;                  /* Still wanted (reconfigure). */
    bool have_link;             /* 'up' and 'carrier' are known. */
    bool up;                    /* Administratively up. */
    bool carrier;               /* Link detected. */
};

/* One Bridge row. */
struct bridge {
    struct list node;           /* In bridge_set 'bridges'. */
    struct bridge_set *bs;      /* Owner. */
    char *name;                 /* Bridge name.  Owned. */
    struct ofproto *ofproto;    /* Owned. */
    struct connmgr *connmgr;    /* Owned. */
    struct xlate_bridge *xbr;   /* In the xlate map. */
    struct eth_addr mac;        /* The LOCAL port's address. */
    bool secure;                /* fail_mode=secure. */
    bool seen;                  /* Still in the database (reconfigure). */
    uint64_t version;           /* ofproto version last seen. */
};

struct bridge_set {
    uv_loop_t *loop;            /* The loop. */
    struct idl *idl;            /* The database (borrowed). */
    struct bridge_columns c;    /* Its columns. */
    struct list bridges;        /* "struct bridge"s. */
    struct hmap ifaces;         /* "struct iface"s by name. */
    struct dpif *dpif;          /* The datapath.  Owned. */
    struct xlate_map *xmap;     /* The translator's map.  Owned. */
    struct conntrack *ct;       /* Connection tracker.  Owned. */
    struct dp_meter_table *meters; /* Datapath meters.  Owned. */
    uv_timer_t run_timer;       /* Every BRIDGE_RUN_MSEC. */
    int n_handles;              /* Handles not closed yet (destroy). */
    uv_prepare_t prepare;       /* Each loop turn: table versions. */
    struct idl_txn *txn;        /* Status transaction in flight, or NULL. */
    bool status_dirty;          /* Status to write when 'txn' is done. */
    long long next_stats;       /* time_msec() of the next statistics. */
    struct netdev_tunnel_tlv tlvs[64]; /* Last TLV map pushed. */
    size_t n_tlvs;              /* Entries in 'tlvs'. */
};

static void bridge_set_write_status(struct bridge_set *, bool with_stats);

/* ---- Interfaces. ---- */

static struct iface *
iface_find(struct bridge_set *bs, const char *name)
{
    struct iface *i;
    HMAP_FOR_EACH_WITH_HASH (i, node, hash_string(name, 0), &bs->ifaces) {
        if (!strcmp(i->name, name)) {
            return i;
        }
    }
    return NULL;
}

static bool
iface_is_local(const struct iface *i)
{
    return !strcmp(i->name, i->br->name) && !strcmp(i->type, "internal");
}

/* The netdev type for DB type 'type', or NULL if unsupported. */
static const char *
netdev_type_for(const char *type)
{
    static const char *const types[] = {
        "system", "internal", "tap", "geneve", "vxlan", "gre", "stt",
        "afxdp",
    };
    if (!type[0]) {
        return "system";
    }
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (!strcmp(type, types[i])) {
            return types[i];
        }
    }
    return NULL;
}

static bool
is_tunnel_type(const char *type)
{
    return (!strcmp(type, "geneve") || !strcmp(type, "vxlan")
            || !strcmp(type, "gre") || !strcmp(type, "stt"));
}

static bool
parse_ip(const char *s, be32 *ip)
{
    struct in_addr a;
    if (!s || inet_pton(AF_INET, s, &a) != 1) {
        return false;
    }
    *ip = a.s_addr;
    return true;
}

/* Fills 'tc' from tunnel options; returns NULL or an error message. */
static const char *
tunnel_config_from_options(const struct strmap *o,
                           struct xlate_tunnel_config *tc)
{
    memset(tc, 0, sizeof *tc);
    const char *s = strmap_find(o, "remote_ip");
    if (!s) {
        return "missing remote_ip";
    } else if (!strcmp(s, "flow")) {
        tc->remote_ip_flow = true;
    } else if (!parse_ip(s, &tc->remote_ip)) {
        return "bad remote_ip";
    }
    s = strmap_find(o, "local_ip");
    if (s && !strcmp(s, "flow")) {
        tc->local_ip_flow = true;
    } else if (s && !parse_ip(s, &tc->local_ip)) {
        return "bad local_ip";
    }
    s = strmap_find(o, "key");
    if (!s) {
        s = strmap_find(o, "in_key");
    }
    if (s && !strcmp(s, "flow")) {
        tc->key_flow = true;
    } else if (s) {
        tc->key = htonbe64(strtoull(s, NULL, 0));
    }
    s = strmap_find(o, "tos");
    if (s && strcmp(s, "inherit")) {
        tc->tos = atoi(s);
    }
    s = strmap_find(o, "ttl");
    if (s && strcmp(s, "inherit")) {
        tc->ttl = atoi(s);
    }
    tc->csum = strmap_find_bool(o, "csum", false);
    int port = strmap_find_int(o, "dst_port", 0);
    if (port < 0 || port > 65535) {
        return "bad dst_port";
    }
    tc->dst_port = htonbe16(port);
    return NULL;
}

static void
iface_set_error(struct iface *i, const char *fmt, ...) PRINTF_FORMAT(2, 3);

static void
iface_set_error(struct iface *i, const char *fmt, ...)
{
    char buf[256];
    va_list args;
    va_start(args, fmt);
    vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    free(i->error);
    i->error = xstrdup(buf);
    LOG_WARN_RL(&rl, "%s: %s", i->name, i->error);
}

/* Opens 'i' (fields name, type, options, ofport_request set). */
static void
iface_open(struct iface *i)
{
    struct bridge *br = i->br;
    struct bridge_set *bs = br->bs;
    enum xlate_port_type xtype = XLATE_PORT_NETDEV;
    struct xlate_tunnel_config tc;
    struct eth_addr mac;
    memset(&mac, 0, sizeof mac);

    i->dp_port = UINT32_MAX;
    i->ofp_port = OFPP_NONE;
    if (!strcmp(i->type, "patch")) {
        xtype = XLATE_PORT_PATCH;
        const char *peer = strmap_find(&i->options, "peer");
        if (!peer) {
            iface_set_error(i, "patch port has no peer option");
            return;
        }
        i->peer = xstrdup(peer);
        uint32_t h = hash_string(i->name, 0);
        uint8_t *m = (uint8_t *) &mac;
        m[0] = 0x02;
        memcpy(m + 1, &h, 4);
        m[5] = 0x01;
    } else {
        const char *ntype = netdev_type_for(i->type);
        if (!ntype) {
            iface_set_error(i, "could not open network device %s (%s)",
                            i->name, "unsupported interface type");
            return;
        }
        if (is_tunnel_type(ntype)) {
            xtype = XLATE_PORT_TUNNEL;
            const char *msg = tunnel_config_from_options(&i->options, &tc);
            if (msg) {
                iface_set_error(i, "%s: %s", i->type, msg);
                return;
            }
        }
        int err = netdev_open(i->name, ntype, &i->options, &i->netdev);
        if (err) {
            iface_set_error(i, "could not open network device %s (%s)",
                            i->name, strerror(-err));
            return;
        }
        if (iface_is_local(i)) {
            netdev_set_etheraddr(i->netdev, &br->mac);
        }
        if (netdev_get_etheraddr(i->netdev, &mac)) {
            memset(&mac, 0, sizeof mac);
        }
        uint32_t dp_port = DPIF_PORT_ANY;
        err = dpif_port_add(bs->dpif, i->netdev, &dp_port);
        if (err) {
            iface_set_error(i, "could not add %s to the datapath (%s)",
                            i->name, strerror(-err));
            netdev_close(i->netdev);
            i->netdev = NULL;
            return;
        }
        i->dp_port = dp_port;
    }

    if (iface_is_local(i)) {
        i->ofp_port = OFPP_LOCAL;
        struct ofproto_port *op = ofproto_port_find(br->ofproto, OFPP_LOCAL);
        if (op) {
            pthread_rwlock_wrlock(&br->ofproto->rwlock);
            op->mac = mac;
            pthread_rwlock_unlock(&br->ofproto->rwlock);
        }
    } else {
        uint32_t req = (i->ofport_request > 0
                        && i->ofport_request < OFPP_MAX_PORT
                        ? i->ofport_request : 0);
        uint32_t ofp = 0;
        int err = ofproto_port_add(br->ofproto, i->name, req, &mac, &ofp);
        if (err == -EEXIST && req) {
            LOG_WARN("%s: requested OpenFlow port %"PRIu32" is in use",
                     i->name, req);
            err = ofproto_port_add(br->ofproto, i->name, 0, &mac, &ofp);
        }
        if (err) {
            iface_set_error(i, "could not add OpenFlow port (%s)",
                            strerror(-err));
            if (i->dp_port != UINT32_MAX) {
                dpif_port_del(bs->dpif, i->dp_port);
                i->dp_port = UINT32_MAX;
            }
            netdev_close(i->netdev);
            i->netdev = NULL;
            return;
        }
        i->ofp_port = ofp;
    }
    i->xport = xlate_port_add(br->xbr, i->name, i->ofp_port, i->dp_port,
                              xtype);
    if (xtype == XLATE_PORT_TUNNEL) {
        xlate_port_set_tunnel(i->xport, &tc);
    }
    if (xtype == XLATE_PORT_PATCH) {
        /* A patch port is always up; its peer is linked later. */
        i->have_link = true;
        i->up = i->carrier = true;
        xlate_port_set_live(i->xport, true);
        ofproto_port_set_state(br->ofproto, i->ofp_port, 0, 0);
    } else if (xtype == XLATE_PORT_TUNNEL) {
        i->have_link = true;
        i->up = i->carrier = true;
        xlate_port_set_live(i->xport, true);
        ofproto_port_set_state(br->ofproto, i->ofp_port, 0, 0);
    }
    LOG_INFO("%s: added %s port %s (OpenFlow %"PRIu32", datapath %"PRId64
             ")", br->name, i->type[0] ? i->type : "system", i->name,
             i->ofp_port, i->dp_port == UINT32_MAX ? -1 : (int64_t)
             i->dp_port);
}

/* Closes 'i' and frees it. */
static void
iface_destroy(struct iface *i)
{
    struct bridge_set *bs = i->br->bs;
    if (i->xport) {
        xlate_port_remove(i->xport);
    }
    if (i->dp_port != UINT32_MAX) {
        dpif_flows_changed(bs->dpif);
        dpif_port_del(bs->dpif, i->dp_port);
    }
    netdev_close(i->netdev);
    if (i->ofp_port != OFPP_NONE) {
        if (i->ofp_port == OFPP_LOCAL) {
            ofproto_port_set_state(i->br->ofproto, OFPP_LOCAL,
                                   OFPPC_PORT_DOWN, OFPPS_LINK_DOWN);
        } else {
            ofproto_port_del(i->br->ofproto, i->ofp_port);
        }
    }
    if (!i->error) {
        LOG_INFO("%s: removed port %s", i->br->name, i->name);
    }
    hmap_remove(&bs->ifaces, &i->node);
    strmap_uninit(&i->options);
    free(i->name);
    free(i->type);
    free(i->error);
    free(i->trunks);
    free(i->peer);
    free(i);
}

/* Polls the link state of 'i'; returns true if it changed. */
static bool
iface_poll_link(struct iface *i)
{
    if (!i->netdev || !i->xport || !strcmp(i->type, "patch")
        || is_tunnel_type(netdev_get_type(i->netdev))) {
        return false;
    }
    bool up = false, carrier = false;
    if (netdev_get_link_state(i->netdev, &up, &carrier)) {
        up = carrier = false;
    }
    if (i->have_link && up == i->up && carrier == i->carrier) {
        return false;
    }
    i->have_link = true;
    i->up = up;
    i->carrier = carrier;
    xlate_port_set_live(i->xport, up && carrier);
    ofproto_port_set_state(i->br->ofproto, i->ofp_port,
                           up ? 0 : OFPPC_PORT_DOWN,
                           carrier ? 0 : OFPPS_LINK_DOWN);
    return true;
}

/* Copies the netdev's counters to its OpenFlow port. */
static void
iface_push_port_stats(struct iface *i)
{
    if (!i->netdev || i->ofp_port == OFPP_NONE) {
        return;
    }
    struct netdev_stats st;
    netdev_get_stats(i->netdev, &st);
    pthread_rwlock_rdlock(&i->br->ofproto->rwlock);
    struct ofproto_port *op = ofproto_port_find(i->br->ofproto, i->ofp_port);
    if (op) {
        atomic_store(&op->rx_packets, st.rx_packets);
        atomic_store(&op->tx_packets, st.tx_packets);
        atomic_store(&op->rx_bytes, st.rx_bytes);
        atomic_store(&op->tx_bytes, st.tx_bytes);
        atomic_store(&op->rx_dropped, st.rx_dropped);
        atomic_store(&op->tx_dropped, st.tx_dropped);
        atomic_store(&op->rx_errors, st.rx_errors);
        atomic_store(&op->tx_errors, st.tx_errors);
    }
    pthread_rwlock_unlock(&i->br->ofproto->rwlock);
}

/* ---- Bridges. ---- */

static struct bridge *
bridge_find(struct bridge_set *bs, const char *name)
{
    struct bridge *br;
    LIST_FOR_EACH (br, node, &bs->bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

/* The NORMAL flow of a standalone bridge: "priority=0 actions=NORMAL". */
static void
bridge_set_fail_mode(struct bridge *br, bool secure)
{
    struct ofpbuf ofpacts = OFPBUF_EMPTY_INITIALIZER;
    struct ofpact_output *out = ofpact_put(&ofpacts, OFPACT_OUTPUT,
                                           sizeof *out);
    out->port = OFPP_NORMAL;
    struct ofproto_flow_mod fm;
    ofproto_flow_mod_init(&fm, secure ? OFPROTO_FC_DELETE_STRICT
                                      : OFPROTO_FC_ADD);
    fm.table_id = 0;
    fm.priority = 0;
    fm.out_port = secure ? OFPP_NORMAL : OFPP_NONE;
    fm.ofpacts = (const struct ofpact *) (void *) ofpacts.data;
    fm.ofpacts_size = ofpacts.size;
    enum ofperr err = ofproto_flow_mod(br->ofproto, &fm);
    if (err) {
        LOG_WARN("%s: cannot set fail mode (%s)", br->name,
                 ofperr_to_string(err));
    }
    ofpbuf_uninit(&ofpacts);
    br->secure = secure;
}

static uint64_t
bridge_default_dpid(const char *name, struct eth_addr *mac)
{
    /* A locally administered address derived from the name, and the
     * datapath id from it, as ovs-vswitchd derives one from the bridge's
     * address. */
    uint32_t h1 = hash_string(name, 0), h2 = hash_string(name, h1);
    uint8_t *m = (uint8_t *) mac;
    m[0] = 0x02 | ((h1 >> 24) & 0xfc);
    m[1] = h1 >> 16;
    m[2] = h1 >> 8;
    m[3] = h1;
    m[4] = h2 >> 8;
    m[5] = h2;
    uint64_t dpid = 0;
    for (int i = 0; i < 6; i++) {
        dpid = (dpid << 8) | m[i];
    }
    return dpid;
}

/* 'flow' = (flow & ~mask) | (md & mask), word by word: the pipeline
 * fields a packet_out or NXT_RESUME carries. */
static void
flow_overlay(struct flow *flow, const struct ofp_match *md)
{
    uint64_t *f = (uint64_t *) (void *) flow;
    const uint64_t *v = (const uint64_t *) (const void *) &md->flow;
    const uint64_t *m = (const uint64_t *) (const void *) &md->wc.masks;
    for (size_t k = 0; k < sizeof *flow / sizeof *f; k++) {
        f[k] = (f[k] & ~m[k]) | (v[k] & m[k]);
    }
}

/* The datapath port of OpenFlow port 'ofp_port' of 'br', or 0 (never a
 * port number dpif_port_add() hands out). */
static uint32_t
bridge_dp_port(struct bridge *br, uint32_t ofp_port)
{
    struct iface *i;
    HMAP_FOR_EACH (i, node, &br->bs->ifaces) {
        if (i->br == br && i->ofp_port == ofp_port
            && i->dp_port != UINT32_MAX) {
            return i->dp_port;
        }
    }
    return 0;
}

/* Runs 'out' (from a translation of 'p') and frees both. */
static void
bridge_execute(struct bridge *br, struct packet *p, int err,
               struct xlate_out *out, const char *what)
{
    if (err) {
        LOG_WARN_RL(&rl, "%s: %s translation failed (%s)", br->name, what,
                    strerror(-err));
        packet_destroy(p);
    } else {
        dpif_execute(br->bs->dpif, p, out->actions);
    }
    xlate_out_uninit(out);
}

static enum ofperr
bridge_packet_out_cb(struct connmgr *mgr,
                     const struct connmgr_packet_out *po, void *br_)
{
    struct bridge *br = br_;
    struct packet *p = packet_clone_data(po->packet, po->packet_size);
    struct flow flow;

    flow_extract(p, &flow, NULL);
    flow_overlay(&flow, &po->metadata);
    flow.in_port = po->metadata.flow.in_port;
    p->md.in_port = bridge_dp_port(br, flow.in_port);

    struct xlate_in xin = {
        .map = br->bs->xmap,
        .flow = &flow,
        .packet = p,
        .bridge = br->xbr,
        .ofpacts = po->ofpacts,
        .ofpacts_size = po->ofpacts_size,
    };
    struct xlate_out out;
    int err = xlate_flow(&xin, &out);
    bridge_execute(br, p, err, &out, "packet_out");
    return 0;
}

static enum ofperr
bridge_resume_cb(struct connmgr *mgr,
                 const struct connmgr_resume *r, void *br_)
{
    struct bridge *br = br_;
    struct packet *p = packet_clone_data(r->packet, r->packet_size);
    struct flow flow;

    flow_extract(p, &flow, NULL);
    flow_overlay(&flow, &r->metadata);
    p->md.in_port = bridge_dp_port(br, flow.in_port);

    struct xlate_out out;
    int err = xlate_resume(br->bs->xmap, br->xbr, r->continuation,
                           r->continuation_size, &flow, &out);
    if (err == -EINVAL) {
        packet_destroy(p);
        return OFPERR_OFPBRC_BAD_PACKET;
    }
    bridge_execute(br, p, err, &out, "resume");
    return 0;
}

static struct bridge *
bridge_create(struct bridge_set *bs, const char *name)
{
    struct bridge *br = xzalloc(sizeof *br);
    br->bs = bs;
    br->name = xstrdup(name);
    uint64_t dpid = bridge_default_dpid(name, &br->mac);
    br->ofproto = ofproto_create(name, dpid);
    ofproto_set_dp_meters(br->ofproto, bs->meters);
    br->connmgr = connmgr_create(bs->loop, br->ofproto);
    br->xbr = xlate_bridge_add(bs->xmap, br->ofproto);
    xlate_bridge_set_connmgr(br->xbr, br->connmgr);
    connmgr_set_packet_out_cb(br->connmgr, bridge_packet_out_cb, br);
    connmgr_set_resume_cb(br->connmgr, bridge_resume_cb, br);
    int err = ofproto_port_add(br->ofproto, name, OFPP_LOCAL, &br->mac,
                               NULL);
    if (err) {
        LOG_WARN("%s: cannot add local port (%s)", name, strerror(-err));
    }
    char *mgmt = xasprintf("punix:%s/%s.mgmt", daemon_rundir(), name);
    err = connmgr_set_mgmt(br->connmgr, mgmt);
    if (err) {
        LOG_ERR("%s: cannot listen (%s)", mgmt, uv_strerror(err));
    }
    free(mgmt);
    bridge_set_fail_mode(br, false);
    br->version = ofproto_get_version(br->ofproto);
    list_push_back(&bs->bridges, &br->node);
    dpif_flows_changed(bs->dpif);
    LOG_INFO("%s: bridge created", name);
    return br;
}

static void
bridge_destroy(struct bridge *br)
{
    struct bridge_set *bs = br->bs;
    struct iface *i;

    LOG_INFO("%s: bridge deleted", br->name);
    HMAP_FOR_EACH_SAFE (i, node, &bs->ifaces) {
        if (i->br == br && i->xport) {
            xlate_port_remove(i->xport);
            i->xport = NULL;
        }
    }
    /* No translation can enter the bridge any more: flush the megaflows
     * whose caches refer to it before it goes. */
    dpif_flows_flush(bs->dpif);
    HMAP_FOR_EACH_SAFE (i, node, &bs->ifaces) {
        if (i->br == br) {
            iface_destroy(i);
        }
    }
    xlate_bridge_remove(bs->xmap, br->xbr);
    list_remove(&br->node);
    char *path = xasprintf("%s/%s.mgmt", daemon_rundir(), br->name);
    connmgr_destroy(br->connmgr);
    unlink(path);
    free(path);
    ofproto_destroy(br->ofproto);
    free(br->name);
    free(br);
}

static uint32_t
protocols_to_bitmap(const struct datum *d)
{
    static const struct {
        const char *name;
        uint8_t version;
    } protos[] = {
        { "OpenFlow10", OFP10_VERSION }, { "OpenFlow13", OFP13_VERSION },
        { "OpenFlow14", OFP14_VERSION }, { "OpenFlow15", OFP15_VERSION },
    };
    uint32_t bitmap = 0;
    for (size_t i = 0; d && i < d->n; i++) {
        for (size_t j = 0; j < ARRAY_SIZE(protos); j++) {
            if (!strcmp(d->keys[i].string, protos[j].name)) {
                bitmap |= 1u << protos[j].version;
            }
        }
    }
    return bitmap ? bitmap : OFP_SUPPORTED_VERSIONS;
}

static void
bridge_reconfigure_settings(struct bridge *br, const struct idl_row *row)
{
    const struct bridge_columns *c = &br->bs->c;

    /* Datapath id: other_config:datapath-id (16 hex digits) wins. */
    const char *dpid_s = idl_row_get_map_string(row, c->br_other_config,
                                                "datapath-id");
    if (dpid_s && strlen(dpid_s) == 16
        && strspn(dpid_s, "0123456789abcdefABCDEF") == 16) {
        br->ofproto->datapath_id = strtoull(dpid_s, NULL, 16);
    }

    const char *fail_mode = idl_row_get_string(row, c->br_fail_mode);
    bool secure = fail_mode && !strcmp(fail_mode, "secure");
    if (secure != br->secure) {
        bridge_set_fail_mode(br, secure);
    }

    const char *aging = idl_row_get_map_string(row, c->br_other_config,
                                               "mac-aging-time");
    struct mac_learning *ml = xlate_bridge_get_ml(br->xbr);
    mac_learning_set_idle_time(ml, aging && atoi(aging) > 0
                               ? (unsigned) atoi(aging)
                               : MAC_LEARNING_DEFAULT_IDLE_TIME);
    const char *size = idl_row_get_map_string(row, c->br_other_config,
                                              "mac-table-size");
    mac_learning_set_max_entries(ml, size && atoi(size) > 0
                                 ? (size_t) atoi(size)
                                 : MAC_LEARNING_DEFAULT_MAX);

    connmgr_set_allowed_versions(br->connmgr, protocols_to_bitmap(
                                     idl_row_get(row, c->br_protocols)));

    const struct datum *ctls = idl_row_get(row, c->br_controller);
    const char **targets = xcalloc(ctls->n + 1, sizeof *targets);
    size_t n = 0;
    int probe = -1;
    for (size_t i = 0; i < ctls->n; i++) {
        const struct idl_row *ctl = idl_row_find(c->controller,
                                                 &ctls->keys[i].uuid);
        if (ctl) {
            targets[n++] = idl_row_get_string(ctl, c->ctl_target);
            long long p = idl_row_get_integer(ctl, c->ctl_probe, -1);
            if (p >= 0) {
                probe = p;
            }
        }
    }
    connmgr_set_controllers(br->connmgr, targets, n);
    connmgr_set_probe_interval(br->connmgr, probe >= 0 ? probe : 5000);
    free(targets);
}

/* ---- Reconfiguration. ---- */

/* What the database wants of one interface. */
struct iface_cfg {
    struct hmap_node node;      /* In a temporary map, by name. */
    struct bridge *br;          /* Its bridge. */
    const char *name;           /* Interface name (the row's). */
    const char *type;           /* Interface type (the row's), "" if none. */
    struct strmap options;      /* Interface options (copied). */
    long long ofport_request;   /* 0 if none. */
    int tag;                    /* Port tag, -1 if none. */
    uint16_t *trunks;           /* Port trunks.  Owned. */
    size_t n_trunks;            /* Entries in 'trunks'. */
    bool used;                  /* An iface exists for it. */
};

static struct iface_cfg *
cfg_find(struct hmap *cfgs, const char *name)
{
    struct iface_cfg *cfg;
    HMAP_FOR_EACH_WITH_HASH (cfg, node, hash_string(name, 0), cfgs) {
        if (!strcmp(cfg->name, name)) {
            return cfg;
        }
    }
    return NULL;
}

static void
collect_bridge_cfgs(struct bridge *br, const struct idl_row *row,
                    struct hmap *cfgs)
{
    const struct bridge_columns *c = &br->bs->c;
    const struct datum *ports = idl_row_get(row, c->br_ports);
    for (size_t p = 0; p < ports->n; p++) {
        const struct idl_row *port = idl_row_find(c->port,
                                                  &ports->keys[p].uuid);
        if (!port) {
            continue;
        }
        long long tag = idl_row_get_integer(port, c->port_tag, -1);
        const struct datum *trunks = idl_row_get(port, c->port_trunks);
        const struct datum *ifs = idl_row_get(port, c->port_ifaces);
        for (size_t k = 0; k < ifs->n; k++) {
            const struct idl_row *ir = idl_row_find(c->iface,
                                                    &ifs->keys[k].uuid);
            const char *name = ir ? idl_row_get_string(ir, c->if_name)
                                  : NULL;
            if (!name || !name[0] || cfg_find(cfgs, name)) {
                continue;
            }
            struct iface_cfg *cfg = xzalloc(sizeof *cfg);
            cfg->br = br;
            cfg->name = name;
            const char *type = idl_row_get_string(ir, c->if_type);
            cfg->type = type ? type : "";
            strmap_init(&cfg->options);
            const struct datum *o = idl_row_get(ir, c->if_options);
            for (size_t j = 0; j < o->n; j++) {
                strmap_add(&cfg->options, o->keys[j].string,
                           o->values[j].string);
            }
            cfg->ofport_request = idl_row_get_integer(ir,
                                                      c->if_ofport_request,
                                                      0);
            cfg->tag = tag >= 0 && tag < 4096 ? (int) tag : -1;
            cfg->n_trunks = trunks->n;
            cfg->trunks = xcalloc(trunks->n + 1, sizeof *cfg->trunks);
            for (size_t j = 0; j < trunks->n; j++) {
                cfg->trunks[j] = trunks->keys[j].integer;
            }
            hmap_insert(cfgs, &cfg->node, hash_string(name, 0));
        }
    }
}

/* Whether 'i' must be reopened to match 'cfg'. */
static bool
iface_needs_reopen(const struct iface *i, const struct iface_cfg *cfg)
{
    if (!cfg || cfg->br != i->br || strcmp(cfg->type, i->type)
        || !strmap_equal(&cfg->options, &i->options) || i->error) {
        return true;
    }
    return (cfg->ofport_request != i->ofport_request
            && i->ofp_port != OFPP_LOCAL);
}

/* Applies the VLAN configuration; returns true if it changed. */
static bool
iface_apply_vlan(struct iface *i, const struct iface_cfg *cfg)
{
    if (i->tag == cfg->tag && i->n_trunks == cfg->n_trunks
        && !memcmp(i->trunks, cfg->trunks,
                   cfg->n_trunks * sizeof *cfg->trunks)) {
        return false;
    }
    i->tag = cfg->tag;
    free(i->trunks);
    i->trunks = xmemdup(cfg->trunks, (cfg->n_trunks + 1)
                        * sizeof *cfg->trunks);
    i->n_trunks = cfg->n_trunks;
    if (i->xport) {
        xlate_port_set_vlan(i->xport, i->tag, i->trunks, i->n_trunks);
    }
    return true;
}

void
bridge_set_reconfigure(struct bridge_set *bs)
{
    const struct bridge_columns *c = &bs->c;
    const struct idl_row *row;
    struct bridge *br;
    struct hmap cfgs = HMAP_INITIALIZER(&cfgs);
    bool changed = false;

    LIST_FOR_EACH (br, node, &bs->bridges) {
        br->seen = false;
    }
    IDL_FOR_EACH_ROW (row, c->bridge) {
        const char *name = idl_row_get_string(row, c->br_name);
        if (!name || !name[0]) {
            continue;
        }
        br = bridge_find(bs, name);
        if (!br) {
            br = bridge_create(bs, name);
            changed = true;
        }
        br->seen = true;
        bridge_reconfigure_settings(br, row);
        collect_bridge_cfgs(br, row, &cfgs);
    }

    /* Close what went away or changed first, so that a name can move. */
    struct iface *i;
    HMAP_FOR_EACH_SAFE (i, node, &bs->ifaces) {
        struct iface_cfg *cfg = cfg_find(&cfgs, i->name);
        if (iface_needs_reopen(i, cfg)) {
            iface_destroy(i);
            changed = true;
        } else {
            cfg->used = true;
        }
    }
    LIST_FOR_EACH_SAFE (br, node, &bs->bridges) {
        if (!br->seen) {
            bridge_destroy(br);
            changed = true;
        }
    }

    /* Open the new ones. */
    struct iface_cfg *cfg;
    HMAP_FOR_EACH (cfg, node, &cfgs) {
        if (cfg->used) {
            continue;
        }
        i = xzalloc(sizeof *i);
        i->br = cfg->br;
        i->name = xstrdup(cfg->name);
        i->type = xstrdup(cfg->type);
        strmap_init(&i->options);
        strmap_clone(&i->options, &cfg->options);
        i->ofport_request = cfg->ofport_request;
        i->tag = -1;
        i->trunks = xzalloc(sizeof *i->trunks);
        hmap_insert(&bs->ifaces, &i->node, hash_string(i->name, 0));
        iface_open(i);
        iface_poll_link(i);
        changed = true;
    }

    /* VLANs and patch peers. */
    HMAP_FOR_EACH (i, node, &bs->ifaces) {
        cfg = cfg_find(&cfgs, i->name);
        if (cfg && iface_apply_vlan(i, cfg)) {
            changed = true;
        }
        if (i->xport && i->peer) {
            struct iface *peer = iface_find(bs, i->peer);
            xlate_port_set_peer(i->xport,
                                (peer && peer->xport && peer->peer
                                 && !strcmp(peer->peer, i->name)
                                 ? peer->xport : NULL));
        }
    }

    HMAP_FOR_EACH_SAFE (cfg, node, &cfgs) {
        hmap_remove(&cfgs, &cfg->node);
        strmap_uninit(&cfg->options);
        free(cfg->trunks);
        free(cfg);
    }
    hmap_uninit(&cfgs);

    if (changed) {
        dpif_flows_changed(bs->dpif);
    }
    bridge_set_write_status(bs, false);
}

/* ---- Status written back. ---- */

/* Sets 'col' of 'row' to 'd' (consumed) unless it already holds it. */
static void
txn_set_datum(struct idl_txn *txn, const struct idl_row *row,
              const struct idl_column *col, struct datum *d)
{
    const struct db_type *type = &idl_column_schema(col)->type;
    struct db_error *error = datum_sort_unique(d, type);
    if (error) {
        LOG_WARN_RL(&rl, "%s: bad status value", idl_column_name(col));
        free(error);
    } else if (!datum_equals(idl_row_get(row, col), d, type)) {
        idl_txn_set(txn, row, col, d);
    }
    datum_destroy(d, type);
}

static void
txn_set_int(struct idl_txn *txn, const struct idl_row *row,
            const struct idl_column *col, long long v)
{
    struct datum d;
    datum_init_alloc(&d, 1, false);
    d.keys[0].integer = v;
    txn_set_datum(txn, row, col, &d);
}

/* Sets an optional string column: 's' NULL clears it. */
static void
txn_set_str(struct idl_txn *txn, const struct idl_row *row,
            const struct idl_column *col, const char *s)
{
    struct datum d;
    if (s) {
        datum_init_alloc(&d, 1, false);
        d.keys[0].string = xstrdup(s);
    } else {
        datum_init_empty(&d);
    }
    txn_set_datum(txn, row, col, &d);
}

static void
txn_set_str_set(struct idl_txn *txn, const struct idl_row *row,
                const struct idl_column *col, const char *const *v,
                size_t n)
{
    struct datum d;
    datum_init_alloc(&d, n, false);
    for (size_t i = 0; i < n; i++) {
        d.keys[i].string = xstrdup(v[i]);
    }
    txn_set_datum(txn, row, col, &d);
}

static void
iface_write_stats(struct iface *i, struct idl_txn *txn,
                  const struct idl_row *row, const struct idl_column *col)
{
    struct netdev_stats st;
    netdev_get_stats(i->netdev, &st);
    const struct {
        const char *name;
        uint64_t value;
    } kv[] = {
        { "rx_packets", st.rx_packets }, { "rx_bytes", st.rx_bytes },
        { "rx_dropped", st.rx_dropped }, { "rx_errors", st.rx_errors },
        { "tx_packets", st.tx_packets }, { "tx_bytes", st.tx_bytes },
        { "tx_dropped", st.tx_dropped }, { "tx_errors", st.tx_errors },
    };
    struct datum d;
    datum_init_alloc(&d, ARRAY_SIZE(kv), true);
    for (size_t k = 0; k < ARRAY_SIZE(kv); k++) {
        d.keys[k].string = xstrdup(kv[k].name);
        d.values[k].integer = kv[k].value;
    }
    txn_set_datum(txn, row, col, &d);
}

/* Writes the 'status' column of 'i': the packet I/O in use
 * (netdev_get_status()), empty for a port without a netdev. */
static void
iface_write_status(struct iface *i, struct idl_txn *txn,
                   const struct idl_row *row, const struct idl_column *col)
{
    struct strmap status;
    strmap_init(&status);
    if (i->netdev) {
        netdev_get_status(i->netdev, &status);
    }
    const struct strmap_node **nodes = strmap_sort(&status);
    size_t n = strmap_count(&status);
    struct datum d;
    datum_init_alloc(&d, n, true);
    for (size_t k = 0; k < n; k++) {
        d.keys[k].string = xstrdup(nodes[k]->key);
        d.values[k].string = xstrdup(nodes[k]->value);
    }
    free(nodes);
    strmap_uninit(&status);
    txn_set_datum(txn, row, col, &d);
}

static void
status_txn_done(struct idl_txn *txn, enum idl_txn_status status, void *bs_)
{
    struct bridge_set *bs = bs_;
    if (status != IDL_TXN_SUCCESS && status != IDL_TXN_UNCHANGED) {
        LOG_WARN_RL(&rl, "status transaction: %s%s%s",
                    idl_txn_status_to_string(status),
                    status == IDL_TXN_ERROR ? ": " : "",
                    status == IDL_TXN_ERROR ? idl_txn_get_error(txn) : "");
    }
    idl_txn_destroy(txn);
    bs->txn = NULL;
    if (bs->status_dirty) {
        bs->status_dirty = false;
        bridge_set_write_status(bs, false);
    }
}

static void
bridge_set_write_status(struct bridge_set *bs, bool with_stats)
{
    const struct bridge_columns *c = &bs->c;
    if (bs->txn || !idl_has_synced(bs->idl)) {
        bs->status_dirty = true;
        return;
    }
    struct idl_txn *txn = idl_txn_create(bs->idl);
    const struct idl_row *row;

    IDL_FOR_EACH_ROW (row, c->ovs) {
        static const char *const dp_types[] = { "netdev", "system" };
        static const char *const if_types[] = {
            "afxdp", "geneve", "gre", "internal", "patch", "stt", "system",
            "tap", "vxlan",
        };
        txn_set_str_set(txn, row, c->ovs_dp_types, dp_types,
                        ARRAY_SIZE(dp_types));
        txn_set_str_set(txn, row, c->ovs_if_types, if_types,
                        ARRAY_SIZE(if_types));
        /* The configuration is applied: ovs-vsctl (without --no-wait)
         * waits for this. */
        txn_set_int(txn, row, c->ovs_cur_cfg,
                    idl_row_get_integer(row, c->ovs_next_cfg, 0));
    }
    IDL_FOR_EACH_ROW (row, c->bridge) {
        const char *name = idl_row_get_string(row, c->br_name);
        struct bridge *br = name ? bridge_find(bs, name) : NULL;
        if (br) {
            char dpid[17];
            snprintf(dpid, sizeof dpid, "%016"PRIx64,
                     br->ofproto->datapath_id);
            txn_set_str(txn, row, c->br_datapath_id, dpid);
        }
    }
    IDL_FOR_EACH_ROW (row, c->iface) {
        const char *name = idl_row_get_string(row, c->if_name);
        struct iface *i = name ? iface_find(bs, name) : NULL;
        if (!i) {
            continue;
        }
        if (i->error) {
            txn_set_int(txn, row, c->if_ofport, -1);
            txn_set_str(txn, row, c->if_error, i->error);
            txn_set_str(txn, row, c->if_link_state, NULL);
            txn_set_str(txn, row, c->if_admin_state, NULL);
            txn_set_str(txn, row, c->if_mac_in_use, NULL);
            iface_write_status(i, txn, row, c->if_status);
            continue;
        }
        txn_set_str(txn, row, c->if_error, NULL);
        txn_set_int(txn, row, c->if_ofport,
                    i->ofp_port == OFPP_LOCAL ? 65534 : i->ofp_port);
        if (i->have_link) {
            txn_set_str(txn, row, c->if_link_state,
                        i->carrier && i->up ? "up" : "down");
            txn_set_str(txn, row, c->if_admin_state, i->up ? "up" : "down");
        }
        if (i->netdev) {
            struct eth_addr mac;
            if (!netdev_get_etheraddr(i->netdev, &mac)) {
                char s[32];
                snprintf(s, sizeof s, ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
                txn_set_str(txn, row, c->if_mac_in_use, s);
            }
            iface_write_status(i, txn, row, c->if_status);
            int ifindex = netdev_get_ifindex(i->netdev);
            txn_set_int(txn, row, c->if_ifindex, ifindex > 0 ? ifindex : 0);
            if (with_stats) {
                iface_write_stats(i, txn, row, c->if_statistics);
            }
        }
    }
    enum idl_txn_status st = idl_txn_commit(txn, status_txn_done, bs);
    if (st == IDL_TXN_INCOMPLETE) {
        bs->txn = txn;
    } else {
        idl_txn_destroy(txn);
    }
}

/* ---- Periodic work. ---- */

/* Pushes the union of the bridges' TLV tables to the tunnel ports. */
static void
bridge_set_sync_tlvs(struct bridge_set *bs)
{
    struct netdev_tunnel_tlv tlvs[64];
    size_t n = 0;
    struct bridge *br;
    LIST_FOR_EACH (br, node, &bs->bridges) {
        for (unsigned int k = 0; k < 64 && n < ARRAY_SIZE(tlvs); k++) {
            uint16_t cls;
            uint8_t type, len;
            if (!connmgr_get_tlv(br->connmgr, k, &cls, &type, &len)
                || !br->ofproto->tlv_map.slots[k].len) {
                continue;
            }
            bool dup = false;
            for (size_t j = 0; j < n; j++) {
                if (tlvs[j].slot == k
                    || (tlvs[j].opt_class == cls && tlvs[j].type == type)) {
                    dup = true;
                }
            }
            if (!dup) {
                tlvs[n++] = (struct netdev_tunnel_tlv) {
                    .opt_class = cls, .type = type, .len = len, .slot = k,
                    .offset = br->ofproto->tlv_map.slots[k].ofs,
                };
            }
        }
    }
    if (n == bs->n_tlvs && !memcmp(tlvs, bs->tlvs, n * sizeof *tlvs)) {
        return;
    }
    int err = netdev_tunnel_set_tlv_map(tlvs, n);
    if (err) {
        LOG_WARN("cannot set the Geneve option map (%s)", strerror(-err));
        return;
    }
    memcpy(bs->tlvs, tlvs, n * sizeof *tlvs);
    bs->n_tlvs = n;
}

/* Each loop turn: an OpenFlow table change revalidates the megaflows. */
static void
prepare_cb(uv_prepare_t *handle)
{
    struct bridge_set *bs = handle->data;
    bool changed = false;
    struct bridge *br;
    LIST_FOR_EACH (br, node, &bs->bridges) {
        uint64_t v = ofproto_get_version(br->ofproto);
        if (v != br->version) {
            br->version = v;
            changed = true;
        }
    }
    if (changed) {
        dpif_flows_changed(bs->dpif);
        bridge_set_sync_tlvs(bs);
    }
    xlate_map_run_deferred(bs->xmap);
}

static void
run_timer_cb(uv_timer_t *timer)
{
    struct bridge_set *bs = timer->data;
    dpif_run(bs->dpif);
    struct bridge *br;
    LIST_FOR_EACH (br, node, &bs->bridges) {
        if (mac_learning_run(xlate_bridge_get_ml(br->xbr))) {
            dpif_flows_changed(bs->dpif);
        }
    }
    bool links = false;
    struct iface *i;
    HMAP_FOR_EACH (i, node, &bs->ifaces) {
        if (iface_poll_link(i)) {
            links = true;
        }
    }
    if (links) {
        dpif_flows_changed(bs->dpif);
    }
    long long now = time_msec();
    if (now >= bs->next_stats) {
        bs->next_stats = now + BRIDGE_STATS_MSEC;
        HMAP_FOR_EACH (i, node, &bs->ifaces) {
            iface_push_port_stats(i);
        }
        bridge_set_write_status(bs, true);
    } else if (links) {
        bridge_set_write_status(bs, false);
    }
}

/* ---- Management commands. ---- */

static int
parse_zone(int argc, const char *argv[])
{
    for (int k = 1; k < argc; k++) {
        if (!strncmp(argv[k], "zone=", 5)) {
            return atoi(argv[k] + 5);
        }
    }
    return -1;
}

static bool
has_flag(int argc, const char *argv[], const char *flag)
{
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], flag)) {
            return true;
        }
    }
    return false;
}

static void
reply_ds(struct appctl_conn *conn, struct ds *s)
{
    appctl_reply(conn, ds_cstr(s));
    ds_uninit(s);
}

static void
cmd_dump_flows(struct appctl_conn *conn, int argc, const char *argv[],
               void *bs)
{
    struct bridge *br = bridge_find(bs, argv[1]);
    if (!br) {
        appctl_reply_error(conn, "no such bridge\n");
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    ofproto_dump_flows(br->ofproto, &s);
    reply_ds(conn, &s);
}

static void
cmd_ofproto_list(struct appctl_conn *conn, int argc, const char *argv[],
                 void *bs_)
{
    struct bridge_set *bs = bs_;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct bridge *br;
    LIST_FOR_EACH (br, node, &bs->bridges) {
        ds_put_format(&s, "%s\n", br->name);
    }
    reply_ds(conn, &s);
}

static void
cmd_bridge_show(struct appctl_conn *conn, int argc, const char *argv[],
                void *bs_)
{
    struct bridge_set *bs = bs_;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct bridge *br;
    LIST_FOR_EACH (br, node, &bs->bridges) {
        ds_put_format(&s, "%s: dpid %016"PRIx64", %zu flows, fail_mode %s\n",
                      br->name, br->ofproto->datapath_id,
                      ofproto_flow_count(br->ofproto),
                      br->secure ? "secure" : "standalone");
        struct iface *i;
        HMAP_FOR_EACH (i, node, &bs->ifaces) {
            if (i->br != br) {
                continue;
            }
            ds_put_format(&s, "  port %s: %s", i->name,
                          i->type[0] ? i->type : "system");
            if (i->error) {
                ds_put_format(&s, " (error: %s)\n", i->error);
                continue;
            }
            if (i->ofp_port == OFPP_LOCAL) {
                ds_put_cstr(&s, " ofport LOCAL");
            } else {
                ds_put_format(&s, " ofport %"PRIu32, i->ofp_port);
            }
            if (i->dp_port != UINT32_MAX) {
                ds_put_format(&s, " dp %"PRIu32, i->dp_port);
            }
            if (i->tag >= 0) {
                ds_put_format(&s, " tag %d", i->tag);
            }
            ds_put_char(&s, '\n');
        }
        connmgr_describe(br->connmgr, &s);
    }
    reply_ds(conn, &s);
}

/* Replaces a port name after "in_port=" in 'flow' by its number. */
static char *
trace_resolve_in_port(struct bridge *br, const char *flow)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    char *copy = xstrdup(flow);
    char *save = NULL;
    const char *sep = "";
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        ds_put_cstr(&out, sep);
        sep = ",";
        const char *v = !strncmp(tok, "in_port=", 8) ? tok + 8 : NULL;
        struct ofproto_port *op;
        if (v && (*v < '0' || *v > '9')
            && (op = ofproto_port_find_by_name(br->ofproto, v))) {
            if (op->port_no == OFPP_LOCAL) {
                ds_put_cstr(&out, "in_port=LOCAL");
            } else {
                ds_put_format(&out, "in_port=%"PRIu32, op->port_no);
            }
        } else {
            ds_put_cstr(&out, tok);
        }
    }
    free(copy);
    return ds_steal_cstr(&out);
}

static void
cmd_trace(struct appctl_conn *conn, int argc, const char *argv[], void *bs_)
{
    struct bridge_set *bs = bs_;
    const char *args[4];
    int n = 0;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-generate") && n < 4) {
            args[n++] = argv[k];
        }
    }
    struct bridge *br = NULL;
    const char *flow_s = NULL;
    if (n == 2) {
        br = bridge_find(bs, args[0]);
        flow_s = args[1];
    } else if (n == 1 && list_size(&bs->bridges) == 1) {
        br = CONTAINER_OF(list_front(&bs->bridges), struct bridge, node);
        flow_s = args[0];
    }
    if (!br || !flow_s) {
        appctl_reply_error(conn, n == 2 ? "no such bridge\n"
                           : "usage: ofproto/trace BRIDGE FLOW "
                           "[-generate]\n");
        return;
    }
    char *resolved = trace_resolve_in_port(br, flow_s);
    struct ofp_match m;
    ofp_match_init_catchall(&m);
    char *err = ofp_match_from_string(&m, &br->ofproto->tlv_map, resolved);
    free(resolved);
    if (err) {
        char *msg = xasprintf("%s\n", err);
        appctl_reply_error(conn, msg);
        free(msg);
        free(err);
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    int e = xlate_trace(bs->xmap, br->name, &m.flow, NULL, &s);
    if (e) {
        ds_put_format(&s, "trace failed (%s)\n", strerror(-e));
        appctl_reply_error(conn, ds_cstr(&s));
        ds_uninit(&s);
        return;
    }
    reply_ds(conn, &s);
}

static void
cmd_dpctl_dump_flows(struct appctl_conn *conn, int argc, const char *argv[],
                     void *bs_)
{
    struct bridge_set *bs = bs_;
    struct ds s = DS_EMPTY_INITIALIZER;
    dpif_flows_format(bs->dpif, &s);
    reply_ds(conn, &s);
}

static void
cmd_dpctl_show(struct appctl_conn *conn, int argc, const char *argv[],
               void *bs_)
{
    struct bridge_set *bs = bs_;
    struct ds s = DS_EMPTY_INITIALIZER;
    dpif_show_format(bs->dpif, has_flag(argc, argv, "-s")
                     || has_flag(argc, argv, "--statistics"), &s);
    reply_ds(conn, &s);
}

static void
cmd_dpctl_del_flows(struct appctl_conn *conn, int argc, const char *argv[],
                    void *bs_)
{
    struct bridge_set *bs = bs_;
    dpif_flows_flush(bs->dpif);
    appctl_reply(conn, NULL);
}

static void
cmd_fdb_show(struct appctl_conn *conn, int argc, const char *argv[],
             void *bs_)
{
    struct bridge_set *bs = bs_;
    struct ds s = DS_EMPTY_INITIALIZER;
    if (xlate_fdb_show(bs->xmap, argv[1], &s)) {
        ds_uninit(&s);
        appctl_reply_error(conn, "no such bridge\n");
        return;
    }
    reply_ds(conn, &s);
}

static void
cmd_fdb_flush(struct appctl_conn *conn, int argc, const char *argv[],
              void *bs_)
{
    struct bridge_set *bs = bs_;
    struct bridge *br;
    if (argc > 1 && !bridge_find(bs, argv[1])) {
        appctl_reply_error(conn, "no such bridge\n");
        return;
    }
    LIST_FOR_EACH (br, node, &bs->bridges) {
        if (argc < 2 || !strcmp(argv[1], br->name)) {
            mac_learning_flush(xlate_bridge_get_ml(br->xbr));
        }
    }
    dpif_flows_changed(bs->dpif);
    appctl_reply(conn, "table successfully flushed\n");
}

static void
cmd_ct_dump(struct appctl_conn *conn, int argc, const char *argv[],
            void *bs_)
{
    struct bridge_set *bs = bs_;
    struct ds s = DS_EMPTY_INITIALIZER;
    conntrack_dump(bs->ct, parse_zone(argc, argv), time_msec(), &s);
    reply_ds(conn, &s);
}

static void
cmd_ct_flush(struct appctl_conn *conn, int argc, const char *argv[],
             void *bs_)
{
    struct bridge_set *bs = bs_;
    conntrack_flush(bs->ct, parse_zone(argc, argv), NULL);
    appctl_reply(conn, NULL);
}

static void
cmd_ct_stats(struct appctl_conn *conn, int argc, const char *argv[],
             void *bs_)
{
    struct bridge_set *bs = bs_;
    struct ds s = DS_EMPTY_INITIALIZER;
    conntrack_format_stats(bs->ct, &s);
    reply_ds(conn, &s);
}

static void
cmd_ct_set_maxconns(struct appctl_conn *conn, int argc, const char *argv[],
                    void *bs_)
{
    struct bridge_set *bs = bs_;
    char *end;
    unsigned long long n = strtoull(argv[argc - 1], &end, 10);
    if (*end || argv[argc - 1][0] == '-' || !argv[argc - 1][0]) {
        appctl_reply_error(conn, "maxconns: a number is expected\n");
        return;
    }
    conntrack_set_maxconns(bs->ct, n);
    appctl_reply(conn, "setting maxconns successful\n");
}

static void
cmd_ct_get_maxconns(struct appctl_conn *conn, int argc, const char *argv[],
                    void *bs_)
{
    struct bridge_set *bs = bs_;
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%zu\n", conntrack_get_maxconns(bs->ct));
    reply_ds(conn, &s);
}

static void
register_commands(struct bridge_set *bs)
{
    appctl_command_register("bridge/dump-flows", "BRIDGE", 1, 1,
                            cmd_dump_flows, bs);
    appctl_command_register("ofproto/list", "", 0, 0, cmd_ofproto_list, bs);
    appctl_command_register("bridge/show", "", 0, 0, cmd_bridge_show, bs);
    appctl_command_register("ofproto/trace", "[BRIDGE] FLOW [-generate]", 1,
                            3, cmd_trace, bs);
    appctl_command_register("dpctl/dump-flows", "[DP] [-m]", 0, 3,
                            cmd_dpctl_dump_flows, bs);
    appctl_command_register("dpctl/show", "[-s] [DP]", 0, 3,
                            cmd_dpctl_show, bs);
    appctl_command_register("dpctl/del-flows", "[DP]", 0, 1,
                            cmd_dpctl_del_flows, bs);
    appctl_command_register("fdb/show", "BRIDGE", 1, 1, cmd_fdb_show, bs);
    appctl_command_register("fdb/flush", "[BRIDGE]", 0, 1, cmd_fdb_flush,
                            bs);
    appctl_command_register("dpctl/dump-conntrack", "[DP] [zone=N]", 0, 3,
                            cmd_ct_dump, bs);
    appctl_command_register("dpctl/flush-conntrack", "[DP] [zone=N]", 0, 3,
                            cmd_ct_flush, bs);
    appctl_command_register("dpctl/ct-stats-show", "[DP]", 0, 2,
                            cmd_ct_stats, bs);
    appctl_command_register("dpctl/ct-set-maxconns", "[DP] N", 1, 2,
                            cmd_ct_set_maxconns, bs);
    appctl_command_register("dpctl/ct-get-maxconns", "[DP]", 0, 1,
                            cmd_ct_get_maxconns, bs);
}

/* ---- Life cycle. ---- */

static void
columns_init(struct bridge_columns *c, struct idl *idl)
{
    c->ovs = idl_add_table(idl, "Open_vSwitch");
    c->ovs_dp_types = idl_add_column(c->ovs, "datapath_types");
    c->ovs_if_types = idl_add_column(c->ovs, "iface_types");
    c->ovs_next_cfg = idl_add_column(c->ovs, "next_cfg");
    c->ovs_cur_cfg = idl_add_column(c->ovs, "cur_cfg");
    c->bridge = idl_add_table(idl, "Bridge");
    c->br_name = idl_add_column(c->bridge, "name");
    c->br_datapath_id = idl_add_column(c->bridge, "datapath_id");
    c->br_other_config = idl_add_column(c->bridge, "other_config");
    c->br_fail_mode = idl_add_column(c->bridge, "fail_mode");
    c->br_protocols = idl_add_column(c->bridge, "protocols");
    c->br_controller = idl_add_column(c->bridge, "controller");
    c->br_ports = idl_add_column(c->bridge, "ports");
    c->controller = idl_add_table(idl, "Controller");
    c->ctl_target = idl_add_column(c->controller, "target");
    c->ctl_probe = idl_add_column(c->controller, "inactivity_probe");
    c->port = idl_add_table(idl, "Port");
    c->port_name = idl_add_column(c->port, "name");
    c->port_ifaces = idl_add_column(c->port, "interfaces");
    c->port_tag = idl_add_column(c->port, "tag");
    c->port_trunks = idl_add_column(c->port, "trunks");
    c->iface = idl_add_table(idl, "Interface");
    c->if_name = idl_add_column(c->iface, "name");
    c->if_type = idl_add_column(c->iface, "type");
    c->if_options = idl_add_column(c->iface, "options");
    c->if_ofport = idl_add_column(c->iface, "ofport");
    c->if_ofport_request = idl_add_column(c->iface, "ofport_request");
    c->if_mac_in_use = idl_add_column(c->iface, "mac_in_use");
    c->if_link_state = idl_add_column(c->iface, "link_state");
    c->if_admin_state = idl_add_column(c->iface, "admin_state");
    c->if_ifindex = idl_add_column(c->iface, "ifindex");
    c->if_statistics = idl_add_column(c->iface, "statistics");
    c->if_error = idl_add_column(c->iface, "error");
    c->if_status = idl_add_column(c->iface, "status");
}

static void
flows_changed_cb(void *dpif)
{
    dpif_flows_changed(dpif);
}

struct bridge_set *
bridge_set_create(uv_loop_t *loop, struct idl *idl,
                  const struct bridge_set_options *opts)
{
    struct bridge_set *bs = xzalloc(sizeof *bs);
    bs->loop = loop;
    bs->idl = idl;
    columns_init(&bs->c, idl);
    list_init(&bs->bridges);
    hmap_init(&bs->ifaces);
    bs->xmap = xlate_map_create();
    bs->ct = conntrack_create();
    bs->meters = dp_meter_table_create();

    struct dpif_config cfg;
    dpif_config_init(&cfg);
    cfg.name = "ovs-netdev";
    cfg.n_threads = opts && opts->n_threads > 0 ? opts->n_threads : 1;
    if (opts && opts->busy_poll_us >= 0) {
        cfg.busy_poll_us = opts->busy_poll_us;
    }
    cfg.upcall = xlate_upcall;
    cfg.userspace = xlate_userspace;
    cfg.push_stats = xlate_push_stats;
    cfg.aux = bs->xmap;
    cfg.conntrack = bs->ct;
    cfg.meters = bs->meters;
    int err = dpif_create(&cfg, &bs->dpif);
    if (err) {
        LOG_FATAL("cannot create the datapath (%s)", strerror(-err));
    }
    xlate_map_set_loop(bs->xmap, loop);
    xlate_map_set_flows_changed_cb(bs->xmap, flows_changed_cb, bs->dpif);

    uv_timer_init(loop, &bs->run_timer);
    bs->run_timer.data = bs;
    uv_timer_start(&bs->run_timer, run_timer_cb, BRIDGE_RUN_MSEC,
                   BRIDGE_RUN_MSEC);
    uv_prepare_init(loop, &bs->prepare);
    bs->prepare.data = bs;
    uv_prepare_start(&bs->prepare, prepare_cb);
    bs->next_stats = time_msec() + BRIDGE_STATS_MSEC;
    register_commands(bs);
    return bs;
}

static void
handle_closed_cb(uv_handle_t *handle)
{
    struct bridge_set *bs = handle->data;
    if (!--bs->n_handles) {
        free(bs);
    }
}

void
bridge_set_destroy(struct bridge_set *bs)
{
    if (!bs) {
        return;
    }
    struct bridge *br;
    LIST_FOR_EACH_SAFE (br, node, &bs->bridges) {
        bridge_destroy(br);
    }
    if (bs->txn) {
        idl_txn_destroy(bs->txn);
        bs->txn = NULL;
    }
    dpif_destroy(bs->dpif);
    xlate_map_destroy(bs->xmap);
    conntrack_destroy(bs->ct);
    dp_meter_table_destroy(bs->meters);
    hmap_uninit(&bs->ifaces);
    /* 'bs' goes when both handles are closed (next loop turn). */
    bs->n_handles = 2;
    uv_timer_stop(&bs->run_timer);
    uv_close((uv_handle_t *) &bs->run_timer, handle_closed_cb);
    uv_prepare_stop(&bs->prepare);
    uv_close((uv_handle_t *) &bs->prepare, handle_closed_cb);
}
