/* Tunnel ports ("geneve", "vxlan", "gre" netdevs, netdev-tunnel.c): the
 * Geneve option map they share.
 *
 * Geneve options travel in struct flow_tnl as tun_metadata slots: slot i
 * holds one option's data at a fixed range of flow_tnl.opts, and bit i of
 * flow_tnl.present says the packet carried it.  The map from an option's
 * (class, type, length) to its slot is the switch's (the bridge's TLV
 * table, ovs-ofctl(8) "add-tlv-map"); the tunnel ports use it to fill
 * the slots on receive and to write options on send. */
#ifndef DATAPATH_NETDEV_TUNNEL_H
#define DATAPATH_NETDEV_TUNNEL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/byteorder.h"

struct ds;

/* One mapping: option (opt_class, type) of 'len' bytes (a multiple of 4,
 * at most 124) <-> tun_metadata'slot' at opts['offset'...]. */
struct netdev_tunnel_tlv {
    uint16_t opt_class;         /* Geneve option class (OVN: 0x0102). */
    uint8_t type;               /* Option type (bit 7: critical). */
    uint8_t len;                /* Option data bytes. */
    uint8_t slot;               /* tun_metadata slot, < FLOW_TUN_N_METADATA. */
    uint8_t pad;                /* Zero. */
    uint16_t offset;            /* Start in flow_tnl.opts. */
};

/* Replaces the process-wide TLV map by the 'n' entries of 'tlvs' (copied).
 * Returns 0, or -EINVAL (map unchanged) if an entry's length, slot or
 * range in opts is out of bounds, or two entries share a slot or an
 * (opt_class, type). */
int netdev_tunnel_set_tlv_map(const struct netdev_tunnel_tlv *tlvs,
                              size_t n);

/* Appends to 'ds' the options that 'present' and 'opts' (a flow_tnl's)
 * hold in Geneve form, "{class=0x102,type=0x80,len=4,0xa0000001}" each,
 * for the slots the current map knows. */
void netdev_tunnel_format_opts(uint64_t present, const uint8_t *opts,
                               struct ds *ds);

struct strmap;
int netdev_tunnel_parse_ip_option(const struct strmap *options,
                                  const char *name, bool allow_flow,
                                  be32 *ipp);

#endif /* datapath/netdev-tunnel.h */
