/* ofproto/trace: runs a translation with tracing on and wraps its
 * narrative the way `ovs-appctl ofproto/trace` prints it: the flow, the
 * tables and actions bridge by bridge, then the final flow, the megaflow
 * and the datapath actions. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/flow-extract.h"
#include "lib/ds.h"
#include "openflow/ofp-match.h"
#include "switch/ofproto.h"
#include "switch/xlate-private.h"

/* Appends 'f' the way ofproto/trace prints a flow: the protocol
 * shorthand, in_port, the L2 fields always, then what the protocol has. */
static void
xlate_trace_format_flow(const struct flow *f, struct ds *s)
{
    uint16_t dl_type = be16_to_host(f->dl_type);
    bool ip = dl_type == 0x0800, ip6 = dl_type == 0x86dd;
    const char *proto = NULL;
    if (ip || ip6) {
        switch (f->nw_proto) {
        case 6: proto = ip ? "tcp" : "tcp6"; break;
        case 17: proto = ip ? "udp" : "udp6"; break;
        case 132: proto = ip ? "sctp" : "sctp6"; break;
        case 1: proto = ip ? "icmp" : NULL; break;
        case 58: proto = ip6 ? "icmp6" : NULL; break;
        default: break;
        }
        if (!proto) {
            proto = ip ? "ip" : "ipv6";
        }
    } else if (dl_type == 0x0806) {
        proto = "arp";
    }
    if (proto) {
        ds_put_format(s, "%s,", proto);
    }
    if (f->recirc_id) {
        ds_put_format(s, "recirc_id=%#"PRIx32",", f->recirc_id);
    }
    ds_put_format(s, "in_port=%"PRIu32",vlan_tci=0x%04x,dl_src="ETH_ADDR_FMT
                  ",dl_dst="ETH_ADDR_FMT, f->in_port,
                  be16_to_host(f->vlans[0].tci), ETH_ADDR_ARGS(f->dl_src),
                  ETH_ADDR_ARGS(f->dl_dst));
    if (!proto) {
        ds_put_format(s, ",dl_type=0x%04x", dl_type);
        return;
    }
    if (ip || dl_type == 0x0806) {
        const uint8_t *a = (const uint8_t *) &f->nw_src;
        const uint8_t *b = (const uint8_t *) &f->nw_dst;
        ds_put_format(s, ",%s=%d.%d.%d.%d,%s=%d.%d.%d.%d",
                      ip ? "nw_src" : "arp_spa", a[0], a[1], a[2], a[3],
                      ip ? "nw_dst" : "arp_tpa", b[0], b[1], b[2], b[3]);
    }
    if (dl_type == 0x0806) {
        ds_put_format(s, ",arp_op=%d,arp_sha="ETH_ADDR_FMT",arp_tha="
                      ETH_ADDR_FMT, f->nw_proto, ETH_ADDR_ARGS(f->arp_sha),
                      ETH_ADDR_ARGS(f->arp_tha));
        return;
    }
    if (!strcmp(proto, "ip") || !strcmp(proto, "ipv6")) {
        ds_put_format(s, ",nw_proto=%d", f->nw_proto);
    }
    ds_put_format(s, ",nw_tos=%d,nw_ecn=%d,nw_ttl=%d,nw_frag=%s",
                  f->nw_tos & 0xfc, f->nw_tos & 3, f->nw_ttl,
                  f->nw_frag & FLOW_NW_FRAG_LATER ? "later"
                  : f->nw_frag & FLOW_NW_FRAG_ANY ? "first" : "no");
    if (f->nw_proto == 1 || f->nw_proto == 58) {
        ds_put_format(s, ",icmp_type=%d,icmp_code=%d",
                      be16_to_host(f->tp_src), be16_to_host(f->tp_dst));
    } else if (f->nw_proto == 6 || f->nw_proto == 17
               || f->nw_proto == 132) {
        ds_put_format(s, ",tp_src=%d,tp_dst=%d", be16_to_host(f->tp_src),
                      be16_to_host(f->tp_dst));
        if (f->nw_proto == 6) {
            ds_put_format(s, ",tcp_flags=%d", be16_to_host(f->tcp_flags));
        }
    }
}

/* Appends the trace text of 'flow' (in_port an OpenFlow port of
 * 'bridge', recirc_id 0) to 's'.  Learns nothing and queues nothing.
 * Returns 0, or -ENOENT if there is no such bridge. */
int
xlate_trace(struct xlate_map *map, const char *bridge,
            const struct flow *flow, const struct packet *packet,
            struct ds *s)
{
    pthread_rwlock_rdlock(&map->rwlock);
    struct xlate_bridge *br = xlate_bridge_find(map, bridge);
    pthread_rwlock_unlock(&map->rwlock);
    if (!br) {
        return -ENOENT;
    }

    ds_put_cstr(s, "Flow: ");
    xlate_trace_format_flow(flow, s);
    ds_put_cstr(s, "\n\n");

    struct xlate_in xin = {
        .map = map,
        .flow = flow,
        .packet = packet,
        .bridge = br,
        .trace = s,
        .no_side_effects = true,
    };
    struct xlate_out out;
    int err = xlate_flow(&xin, &out);
    if (err) {
        xlate_out_uninit(&out);
        return err;
    }

    ds_put_cstr(s, "\nFinal flow: ");
    if (!memcmp(&out.final_flow, flow, sizeof *flow)) {
        ds_put_cstr(s, "unchanged");
    } else {
        xlate_trace_format_flow(&out.final_flow, s);
    }

    struct ofp_match m;
    m.flow = *flow;
    m.wc = out.wc;
    FLOW_WC_SET(&m.wc, in_port);
    m.flow.recirc_id = 0;
    m.wc.masks.recirc_id = 0;
    ofp_match_normalize(&m);
    ds_put_format(s, "\nMegaflow: recirc_id=%"PRIu32",eth,", flow->recirc_id);
    ofp_match_format(&m, &br->ofproto->tlv_map, s);

    ds_put_cstr(s, "\nDatapath actions: ");
    dp_actions_format(dp_actions_get(out.actions), out.actions->size, s);
    ds_put_char(s, '\n');
    xlate_out_uninit(&out);
    return 0;
}
