/* Flow key extraction; see flow-extract.h.  Field meanings follow
 * ovs-fields(7); header layouts are those of IEEE 802.3/802.1Q, RFC 826
 * (ARP), RFC 791 (IPv4), RFC 8200 (IPv6), RFC 4302 (AH), RFC 4861 (ND),
 * RFC 9293 (TCP), RFC 768 (UDP) and RFC 9260 (SCTP).
 *
 * Parsing walks a cursor ('data', 'size') down the packet.  Every read is
 * preceded by a length check against what is left, and multi-byte fields
 * are loaded with memcpy, since headers need not be aligned. */
#include "datapath/flow-extract.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"

/* Ethertypes and IP protocols used here. */
#define ETH_TYPE_MIN  0x0600
#define ETH_TYPE_IP   0x0800
#define ETH_TYPE_ARP  0x0806
#define ETH_TYPE_RARP 0x8035
#define ETH_TYPE_VLAN 0x8100
#define ETH_TYPE_QINQ 0x88a8
#define ETH_TYPE_IPV6 0x86dd
#define ETH_TYPE_MPLS 0x8847
#define ETH_TYPE_MPLS_MCAST 0x8848

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_    1
#define IPPROTO_TCP_     6
#define IPPROTO_UDP_     17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAG_    44
#define IPPROTO_ESP_     50
#define IPPROTO_AH_      51
#define IPPROTO_NONE_    59
#define IPPROTO_ICMPV6_  58
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_SCTP_    132

#define ETH_HEADER_LEN 14
#define ARP_ETH_IP_LEN 28
#define IP4_HEADER_LEN 20
#define IP6_HEADER_LEN 40
#define TCP_HEADER_LEN 20
#define UDP_HEADER_LEN 8
#define SCTP_HEADER_LEN 12
#define ICMP_HEADER_LEN 8
#define ICMP6_HEADER_LEN 8      /* Type, code, checksum, 4 bytes of data. */

#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT  136
#define ND_OPT_SLL 1
#define ND_OPT_TLL 2

/* The parse cursor. */
struct cursor {
    const uint8_t *start;       /* First byte of the packet. */
    const uint8_t *data;        /* Next byte to parse. */
    size_t size;                /* Bytes left from 'data'. */
};

static inline uint16_t
cursor_ofs(const struct cursor *c)
{
    return (uint16_t) (c->data - c->start);
}

static inline void
cursor_pull(struct cursor *c, size_t n)
{
    c->data += n;
    c->size -= n;
}

static inline be16
load_be16(const uint8_t *p)
{
    be16 x;
    memcpy(&x, p, sizeof x);
    return x;
}

static inline be32
load_be32(const uint8_t *p)
{
    be32 x;
    memcpy(&x, p, sizeof x);
    return x;
}

static inline uint16_t
load_u16h(const uint8_t *p)
{
    return (uint16_t) ((p[0] << 8) | p[1]);
}

static inline bool
is_vlan_tpid(uint16_t type)
{
    return type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ;
}

/* Parses up to FLOW_MAX_VLANS tags and the Ethertype (or 802.3 length and
 * LLC/SNAP) that follows the MAC addresses.  Sets flow->vlans and
 * flow->dl_type; returns the error, if any. */
static enum flow_extract_error
parse_vlans_and_type(struct cursor *c, struct flow *flow)
{
    enum flow_extract_error err = FLOW_EXTRACT_OK;
    uint16_t type = load_u16h(c->data);

    cursor_pull(c, 2);
    for (int i = 0; i < FLOW_MAX_VLANS && is_vlan_tpid(type); i++) {
        /* A tag is kept only if its TCI and the next Ethertype fit. */
        if (UNLIKELY(c->size < 4)) {
            err = FLOW_EXTRACT_VLAN_TRUNC;
            break;
        }
        flow->vlans[i].tpid = htonbe16(type);
        flow->vlans[i].tci = htonbe16(load_u16h(c->data) | VLAN_CFI);
        type = load_u16h(c->data + 2);
        cursor_pull(c, 4);
    }

    if (LIKELY(type >= ETH_TYPE_MIN)) {
        flow->dl_type = htonbe16(type);
        return err;
    }

    /* 802.3 length: only LLC 0xaa 0xaa 0x03 with SNAP OUI 00:00:00 gives
     * an Ethertype (ovs-fields(7) "dl_type"); anything else is 0x05ff. */
    static const uint8_t llc_snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
    if (c->size >= 8 && !memcmp(c->data, llc_snap, sizeof llc_snap)) {
        type = load_u16h(c->data + 6);
        if (type >= ETH_TYPE_MIN) {
            cursor_pull(c, 8);
            flow->dl_type = htonbe16(type);
            return err;
        }
    }
    flow->dl_type = htonbe16(FLOW_DL_TYPE_NONE);
    return err;
}

/* ARP/RARP for Ethernet and IPv4 (RFC 826). */
static enum flow_extract_error
parse_arp(struct cursor *c, struct flow *flow)
{
    const uint8_t *a = c->data;

    if (UNLIKELY(c->size < ARP_ETH_IP_LEN)
        || load_u16h(a) != 1 || load_u16h(a + 2) != ETH_TYPE_IP
        || a[4] != 6 || a[5] != 4) {
        return FLOW_EXTRACT_ARP_TRUNC;
    }

    /* Only opcodes that fit the 8-bit nw_proto are kept. */
    uint16_t op = load_u16h(a + 6);
    flow->nw_proto = op <= 0xff ? (uint8_t) op : 0;
    memcpy(&flow->arp_sha, a + 8, 6);
    flow->nw_src = load_be32(a + 14);
    memcpy(&flow->arp_tha, a + 18, 6);
    flow->nw_dst = load_be32(a + 24);
    return FLOW_EXTRACT_OK;
}

/* Parses the IPv4 header.  On success trims 'c' to the IP total length,
 * leaves it at the L4 header and returns FLOW_EXTRACT_OK; '*l4' says
 * whether an L4 header is to be parsed (not for a later fragment). */
static enum flow_extract_error
parse_ipv4(struct cursor *c, struct flow *flow, bool *l4)
{
    const uint8_t *ip = c->data;

    if (UNLIKELY(c->size < IP4_HEADER_LEN)) {
        return FLOW_EXTRACT_IP4_TRUNC;
    }
    size_t hlen = (ip[0] & 0x0f) * 4u;
    if (UNLIKELY(hlen < IP4_HEADER_LEN || hlen > c->size)) {
        return FLOW_EXTRACT_IP4_BAD_HLEN;
    }
    size_t tot_len = load_u16h(ip + 2);
    if (UNLIKELY(tot_len < hlen || tot_len > c->size)) {
        return FLOW_EXTRACT_IP4_BAD_LEN;
    }

    flow->nw_src = load_be32(ip + 12);
    flow->nw_dst = load_be32(ip + 16);
    flow->nw_tos = ip[1];
    flow->nw_ttl = ip[8];
    flow->nw_proto = ip[9];

    /* RFC 791: MF is bit 13 of the flags/offset word, offset the low 13. */
    uint16_t frag = load_u16h(ip + 6);
    bool later = (frag & 0x1fff) != 0;
    flow->nw_frag = ((frag & 0x3fff) ? FLOW_NW_FRAG_ANY : 0)
                    | (later ? FLOW_NW_FRAG_LATER : 0);
    *l4 = !later;

    c->size = tot_len;          /* Drop Ethernet padding. */
    cursor_pull(c, hlen);
    return FLOW_EXTRACT_OK;
}

/* Walks the IPv6 extension headers that come before the upper-layer
 * header: hop-by-hop, routing, destination options, AH and fragment.
 * Sets flow->nw_proto (the first header that is none of these) and
 * nw_frag; '*l4' is false for a later fragment. */
/* Adds header 'next' to flow->ipv6_exthdr.  '*rank' is the place of the
 * furthest header so far in the order RFC 8200 §4.1 recommends (hop-by-
 * hop 0, destination options 1 (right after it or first), routing 2,
 * fragment 3, authentication 4, ESP 5, destination options 6 (anywhere
 * later), no next header 7), -1 at first;
 * '*n_dest' counts destination options headers. */
static void
note_ipv6_ext(struct flow *flow, uint8_t next, int *rank, int *n_dest)
{
    uint16_t bits = be16_to_host(flow->ipv6_exthdr);
    uint16_t bit;
    int r;

    switch (next) {
    case IPPROTO_HOPOPTS_: bit = FLOW_IEH_HOP; r = 0; break;
    case IPPROTO_DSTOPTS_: bit = FLOW_IEH_DEST; r = *rank < 1 ? 1 : 6; break;
    case IPPROTO_ROUTING_: bit = FLOW_IEH_ROUTER; r = 2; break;
    case IPPROTO_FRAG_: bit = FLOW_IEH_FRAG; r = 3; break;
    case IPPROTO_AH_: bit = FLOW_IEH_AUTH; r = 4; break;
    case IPPROTO_ESP_: bit = FLOW_IEH_ESP; r = 5; break;
    case IPPROTO_NONE_: bit = FLOW_IEH_NONEXT; r = 7; break;
    default: return;
    }
    if (bit == FLOW_IEH_DEST ? ++*n_dest > 2 : (bits & bit)) {
        bits |= FLOW_IEH_UNREP;
    } else if (r < *rank) {
        bits |= FLOW_IEH_UNSEQ;
    }
    flow->ipv6_exthdr = htonbe16(bits | bit);
    if (r > *rank) {
        *rank = r;
    }
}

static enum flow_extract_error
parse_ipv6_ext(struct cursor *c, struct flow *flow, uint8_t next, bool *l4)
{
    int rank = -1, n_dest = 0;

    for (;;) {
        size_t len;

        note_ipv6_ext(flow, next, &rank, &n_dest);
        switch (next) {
        case IPPROTO_HOPOPTS_:
        case IPPROTO_ROUTING_:
        case IPPROTO_DSTOPTS_:
            if (UNLIKELY(c->size < 8)) {
                return FLOW_EXTRACT_IP6_EXT_TRUNC;
            }
            len = (c->data[1] + 1u) * 8;
            break;
        case IPPROTO_AH_:
            /* RFC 4302: length in 4-byte units, minus 2. */
            if (UNLIKELY(c->size < 8)) {
                return FLOW_EXTRACT_IP6_EXT_TRUNC;
            }
            len = (c->data[1] + 2u) * 4;
            break;
        case IPPROTO_FRAG_: {
            if (UNLIKELY(c->size < 8)) {
                return FLOW_EXTRACT_IP6_EXT_TRUNC;
            }
            /* RFC 8200 §4.5: offset in the top 13 bits, M in bit 0.
             * With both clear (an atomic fragment) it is no fragment. */
            uint16_t offlg = load_u16h(c->data + 2);
            if (offlg & 0xfff9) {
                flow->nw_frag = FLOW_NW_FRAG_ANY;
            }
            if (offlg & 0xfff8) {
                /* Later fragment: the protocol is known, L4 is not. */
                flow->nw_frag |= FLOW_NW_FRAG_LATER;
                flow->nw_proto = c->data[0];
                cursor_pull(c, 8);
                *l4 = false;
                return FLOW_EXTRACT_OK;
            }
            len = 8;
            break;
        }
        default:
            flow->nw_proto = next;
            *l4 = true;
            return FLOW_EXTRACT_OK;
        }

        if (UNLIKELY(len > c->size)) {
            return FLOW_EXTRACT_IP6_EXT_TRUNC;
        }
        next = c->data[0];
        cursor_pull(c, len);
    }
}

/* Parses the IPv6 header and extension headers; like parse_ipv4().  If
 * the extension headers are bad, the addresses and label are kept but
 * the other L3 fields stay zero, as in ovs-vswitchd. */
static enum flow_extract_error
parse_ipv6(struct cursor *c, struct flow *flow, bool *l4)
{
    const uint8_t *ip = c->data;

    if (UNLIKELY(c->size < IP6_HEADER_LEN)) {
        return FLOW_EXTRACT_IP6_TRUNC;
    }
    size_t plen = load_u16h(ip + 4);
    if (UNLIKELY(plen > c->size - IP6_HEADER_LEN)) {
        return FLOW_EXTRACT_IP6_BAD_LEN;
    }

    uint32_t vtc = be32_to_host(load_be32(ip));
    memcpy(&flow->ipv6_src, ip + 8, 16);
    memcpy(&flow->ipv6_dst, ip + 24, 16);
    flow->ipv6_label = htonbe32(vtc & 0x000fffff);

    c->size = IP6_HEADER_LEN + plen;
    cursor_pull(c, IP6_HEADER_LEN);

    enum flow_extract_error err = parse_ipv6_ext(c, flow, ip[6], l4);
    if (UNLIKELY(err)) {
        flow->nw_frag = 0;
        flow->nw_proto = 0;
        flow->ipv6_exthdr = 0;
        return err;
    }
    flow->nw_tos = (uint8_t) (vtc >> 20);
    flow->nw_ttl = ip[7];
    return FLOW_EXTRACT_OK;
}

/* Parses ND (RFC 4861 §4.3, §4.4) after the 8-byte ICMPv6 header. */
static enum flow_extract_error
parse_nd(struct cursor *c, struct flow *flow)
{
    if (UNLIKELY(c->size < 16)) {
        return FLOW_EXTRACT_ND_TRUNC;
    }
    memcpy(&flow->nd_target, c->data, 16);
    cursor_pull(c, 16);

    bool have_sll = false, have_tll = false;
    while (c->size >= 8) {
        uint8_t type = c->data[0];
        size_t len = c->data[1] * 8u;

        if (UNLIKELY(!len || len > c->size)) {
            return FLOW_EXTRACT_ND_TRUNC;
        }
        if (len == 8 && (type == ND_OPT_SLL || type == ND_OPT_TLL)) {
            bool *seen = type == ND_OPT_SLL ? &have_sll : &have_tll;
            if (UNLIKELY(*seen)) {
                /* A repeated link-layer option voids the ND fields. */
                memset(&flow->nd_target, 0, sizeof flow->nd_target);
                memset(&flow->arp_sha, 0, sizeof flow->arp_sha);
                memset(&flow->arp_tha, 0, sizeof flow->arp_tha);
                return FLOW_EXTRACT_ND_BAD_OPT;
            }
            *seen = true;
            memcpy(type == ND_OPT_SLL ? &flow->arp_sha : &flow->arp_tha,
                   c->data + 2, 6);
            if (!flow->nd_options_type) {
                flow->nd_options_type = type;
            }
        }
        cursor_pull(c, len);
    }
    return FLOW_EXTRACT_OK;
}

/* Parses the L4 header of IP protocol flow->nw_proto; 'ipv6' says which
 * ICMP applies. */
static enum flow_extract_error
parse_l4(struct cursor *c, struct flow *flow, bool ipv6)
{
    const uint8_t *l4 = c->data;

    switch (flow->nw_proto) {
    case IPPROTO_TCP_: {
        size_t off = c->size >= TCP_HEADER_LEN ? (l4[12] >> 4) * 4u : 0;
        if (UNLIKELY(off < TCP_HEADER_LEN || off > c->size)) {
            return FLOW_EXTRACT_L4_TRUNC;
        }
        flow->tp_src = load_be16(l4);
        flow->tp_dst = load_be16(l4 + 2);
        flow->tcp_flags = htonbe16(load_u16h(l4 + 12) & 0x0fff);
        return FLOW_EXTRACT_OK;
    }
    case IPPROTO_UDP_:
    case IPPROTO_SCTP_:
        if (UNLIKELY(c->size < (flow->nw_proto == IPPROTO_UDP_
                                ? UDP_HEADER_LEN : SCTP_HEADER_LEN))) {
            return FLOW_EXTRACT_L4_TRUNC;
        }
        flow->tp_src = load_be16(l4);
        flow->tp_dst = load_be16(l4 + 2);
        return FLOW_EXTRACT_OK;
    case IPPROTO_ICMP_:
        if (ipv6) {
            return FLOW_EXTRACT_OK;
        }
        if (UNLIKELY(c->size < ICMP_HEADER_LEN)) {
            return FLOW_EXTRACT_L4_TRUNC;
        }
        flow->tp_src = htonbe16(l4[0]);
        flow->tp_dst = htonbe16(l4[1]);
        return FLOW_EXTRACT_OK;
    case IPPROTO_ICMPV6_:
        if (!ipv6) {
            return FLOW_EXTRACT_OK;
        }
        if (UNLIKELY(c->size < ICMP6_HEADER_LEN)) {
            return FLOW_EXTRACT_L4_TRUNC;
        }
        flow->tp_src = htonbe16(l4[0]);
        flow->tp_dst = htonbe16(l4[1]);
        if ((l4[0] == ND_NEIGHBOR_SOLICIT || l4[0] == ND_NEIGHBOR_ADVERT)
            && l4[1] == 0) {
            flow->nd_reserved = load_be32(l4 + 4);
            cursor_pull(c, ICMP6_HEADER_LEN);
            return parse_nd(c, flow);
        }
        return FLOW_EXTRACT_OK;
    default:
        return FLOW_EXTRACT_OK;
    }
}

static void
copy_metadata(const struct packet_md *md, struct flow *flow)
{
    flow->in_port = md->in_port;
    flow->recirc_id = md->recirc_id;
    flow->dp_hash = md->dp_hash;
    flow->pkt_mark = md->pkt_mark;
    flow->skb_priority = md->skb_priority;
    flow->ct_state = md->ct_state;
    flow->ct_nw_proto = md->ct_nw_proto;
    flow->ct_zone = md->ct_zone;
    flow->ct_mark = md->ct_mark;
    flow->ct_label[0] = md->ct_label[0];
    flow->ct_label[1] = md->ct_label[1];
    flow->ct_nw_src = md->ct_nw_src;
    flow->ct_nw_dst = md->ct_nw_dst;
    flow->ct_ipv6_src = md->ct_ipv6_src;
    flow->ct_ipv6_dst = md->ct_ipv6_dst;
    flow->ct_tp_src = md->ct_tp_src;
    flow->ct_tp_dst = md->ct_tp_dst;
    flow->tunnel = md->tunnel;
}

/* Everything below L2; returns the first error. */
static enum flow_extract_error
parse_l3(struct cursor *c, struct packet *p, struct flow *flow)
{
    enum flow_extract_error err;
    bool l4 = false;
    bool ipv6;

    switch (be16_to_host(flow->dl_type)) {
    case ETH_TYPE_IP:
        err = parse_ipv4(c, flow, &l4);
        ipv6 = false;
        break;
    case ETH_TYPE_IPV6:
        err = parse_ipv6(c, flow, &l4);
        ipv6 = true;
        break;
    case ETH_TYPE_ARP:
    case ETH_TYPE_RARP:
        return parse_arp(c, flow);
    case ETH_TYPE_MPLS:
    case ETH_TYPE_MPLS_MCAST:
        /* Only the top label stack entry is in the key; what lies below
         * it is unknown until pop_mpls names its type (ovs-fields(7)
         * "MPLS"), so parsing stops here with l3 at the label stack. */
        if (c->size >= 4) {
            flow->mpls_lse = load_be32(c->data);
        }
        return FLOW_EXTRACT_OK;
    default:
        return FLOW_EXTRACT_OK;
    }
    if (UNLIKELY(err) || !l4) {
        return err;
    }
    p->l4_ofs = cursor_ofs(c);
    return parse_l4(c, flow, ipv6);
}

/* Overwrites 'flow' with the key of 'p' (headers from its data start,
 * metadata from p->md) and sets p's l2/l3/l4 offsets; counts the result in
 * 'stats' if nonnull.  Returns FLOW_EXTRACT_OK or the first reason parsing
 * stopped early.  Reads no byte at or past p->size and allocates nothing. */
enum flow_extract_error
flow_extract(struct packet *p, struct flow *flow,
             struct flow_extract_stats *stats)
{
    enum flow_extract_error err, err2;
    struct cursor c;

    /* The tunnel, last in struct flow, is copied whole from p->md. */
    memset(flow, 0, offsetof(struct flow, tunnel));
    copy_metadata(&p->md, flow);
    p->l2_ofs = p->l3_ofs = p->l4_ofs = PACKET_OFS_NONE;

    c.start = c.data = packet_data(p);
    c.size = p->size;
    if (UNLIKELY(c.size < ETH_HEADER_LEN)) {
        err = FLOW_EXTRACT_ETH_TRUNC;
        goto out;
    }
    p->l2_ofs = 0;
    memcpy(&flow->dl_dst, c.data, 6);
    memcpy(&flow->dl_src, c.data + 6, 6);
    cursor_pull(&c, 12);

    err = parse_vlans_and_type(&c, flow);
    p->l3_ofs = cursor_ofs(&c);
    err2 = parse_l3(&c, p, flow);
    if (!err) {
        err = err2;
    }

out:
    if (stats) {
        stats->counts[err]++;
    }
    return err;
}

/* Whether the datapath drops a packet whose extraction returned 'error':
 * true for a runt Ethernet frame and broken IPv4/IPv6 headers (see the
 * enum), false for clean packets and for errors that only stop parsing. */
bool
flow_extract_error_is_drop(enum flow_extract_error error)
{
    return error >= FLOW_EXTRACT_ETH_TRUNC
           && error <= FLOW_EXTRACT_IP6_EXT_TRUNC;
}

/* Returns a static name for 'error', or "?" if out of range. */
const char *
flow_extract_error_to_string(enum flow_extract_error error)
{
    static const char *const names[FLOW_EXTRACT_N_ERRORS] = {
        [FLOW_EXTRACT_OK] = "ok",
        [FLOW_EXTRACT_ETH_TRUNC] = "eth_trunc",
        [FLOW_EXTRACT_IP4_TRUNC] = "ip4_trunc",
        [FLOW_EXTRACT_IP4_BAD_HLEN] = "ip4_bad_hlen",
        [FLOW_EXTRACT_IP4_BAD_LEN] = "ip4_bad_len",
        [FLOW_EXTRACT_IP6_TRUNC] = "ip6_trunc",
        [FLOW_EXTRACT_IP6_BAD_LEN] = "ip6_bad_len",
        [FLOW_EXTRACT_IP6_EXT_TRUNC] = "ip6_ext_trunc",
        [FLOW_EXTRACT_VLAN_TRUNC] = "vlan_trunc",
        [FLOW_EXTRACT_ARP_TRUNC] = "arp_trunc",
        [FLOW_EXTRACT_L4_TRUNC] = "l4_trunc",
        [FLOW_EXTRACT_ND_TRUNC] = "nd_trunc",
        [FLOW_EXTRACT_ND_BAD_OPT] = "nd_bad_opt",
    };
    return (unsigned) error < FLOW_EXTRACT_N_ERRORS ? names[error] : "?";
}

/* Returns the TCP flags of the 'size'-byte TCP header at 'tcp', network
 * order, or 0 if 'size' is too small for a TCP header. */
be16
flow_tcp_flags(const void *tcp, size_t size)
{
    return size < TCP_HEADER_LEN
           ? 0
           : htonbe16(load_u16h((const uint8_t *) tcp + 12) & 0x0fff);
}

/* Hashes the addresses, protocol and (TCP/UDP/SCTP) ports of 'flow' with
 * 'basis'.  Non-IP flows hash to a function of 'basis' alone. */
uint32_t
flow_hash_5tuple(const struct flow *flow, uint32_t basis)
{
    uint16_t dl_type = be16_to_host(flow->dl_type);
    uint32_t hash = basis;

    if (dl_type == ETH_TYPE_IP) {
        hash = hash_add(hash, (KILN_FORCE uint32_t) flow->nw_src);
        hash = hash_add(hash, (KILN_FORCE uint32_t) flow->nw_dst);
    } else if (dl_type == ETH_TYPE_IPV6) {
        uint32_t w[8];
        memcpy(w, &flow->ipv6_src, 16);
        memcpy(w + 4, &flow->ipv6_dst, 16);
        for (int i = 0; i < 8; i++) {
            hash = hash_add(hash, w[i]);
        }
    } else {
        return hash_finish(basis, 0);
    }

    hash = hash_add(hash, flow->nw_proto);
    if (flow->nw_proto == IPPROTO_TCP_ || flow->nw_proto == IPPROTO_UDP_
        || flow->nw_proto == IPPROTO_SCTP_) {
        hash = hash_add(hash, ((uint32_t) (KILN_FORCE uint16_t) flow->tp_src
                               << 16)
                              | (KILN_FORCE uint16_t) flow->tp_dst);
    }
    return hash_finish(hash, 42);
}

static void
format_ip6(struct ds *ds, const char *name, const struct in6_addr *a)
{
    char buf[INET6_ADDRSTRLEN];

    inet_ntop(AF_INET6, a, buf, sizeof buf);
    ds_put_format(ds, "%s=%s,", name, buf);
}

static void
format_ip4(struct ds *ds, const char *name, be32 a)
{
    uint32_t h = be32_to_host(a);

    ds_put_format(ds, "%s=%u.%u.%u.%u,", name, h >> 24, (h >> 16) & 0xff,
                  (h >> 8) & 0xff, h & 0xff);
}

static void
format_eth(struct ds *ds, const char *name, const struct eth_addr *e)
{
    ds_put_format(ds, "%s=" ETH_ADDR_FMT ",", name, ETH_ADDR_ARGS(*e));
}

static bool
ip6_is_zero(const struct in6_addr *a)
{
    static const struct in6_addr zero;
    return !memcmp(a, &zero, sizeof zero);
}

static void
format_flags(struct ds *ds, const char *name, uint32_t flags,
             const char *const names[], size_t n, char prefix)
{
    ds_put_format(ds, "%s=", name);
    for (size_t i = 0; i < n; i++) {
        if (flags & (1u << i)) {
            if (prefix) {
                ds_put_char(ds, prefix);
            } else if (flags & ((1u << i) - 1)) {
                ds_put_char(ds, '|');
            }
            ds_put_cstr(ds, names[i]);
        }
    }
    ds_put_char(ds, ',');
}

static void
format_metadata(const struct flow *f, struct ds *ds)
{
    static const char *const ct_names[] = {
        "new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat",
    };
    const struct flow_tnl *t = &f->tunnel;

    if (f->recirc_id) {
        ds_put_format(ds, "recirc_id=%#"PRIx32",", f->recirc_id);
    }
    if (f->dp_hash) {
        ds_put_format(ds, "dp_hash=%#"PRIx32",", f->dp_hash);
    }
    if (f->skb_priority) {
        ds_put_format(ds, "skb_priority=%#"PRIx32",", f->skb_priority);
    }
    if (f->pkt_mark) {
        ds_put_format(ds, "pkt_mark=%#"PRIx32",", f->pkt_mark);
    }
    if (f->ct_state) {
        format_flags(ds, "ct_state", f->ct_state, ct_names,
                     ARRAY_SIZE(ct_names), '+');
    }
    if (f->ct_zone) {
        ds_put_format(ds, "ct_zone=%u,", f->ct_zone);
    }
    if (f->ct_mark) {
        ds_put_format(ds, "ct_mark=%#"PRIx32",", f->ct_mark);
    }
    if (f->ct_label[0] || f->ct_label[1]) {
        if (f->ct_label[0]) {
            ds_put_format(ds, "ct_label=%#"PRIx64"%016"PRIx64",",
                          f->ct_label[0], f->ct_label[1]);
        } else {
            ds_put_format(ds, "ct_label=%#"PRIx64",", f->ct_label[1]);
        }
    }
    if (f->ct_nw_proto) {
        ds_put_format(ds, "ct_nw_proto=%u,", f->ct_nw_proto);
    }
    if (t->tun_id) {
        ds_put_format(ds, "tun_id=%#"PRIx64",", be64_to_host(t->tun_id));
    }
    if (t->ip_src) {
        format_ip4(ds, "tun_src", t->ip_src);
    }
    if (t->ip_dst) {
        format_ip4(ds, "tun_dst", t->ip_dst);
    }
    if (!ip6_is_zero(&t->ipv6_src)) {
        format_ip6(ds, "tun_ipv6_src", &t->ipv6_src);
    }
    if (!ip6_is_zero(&t->ipv6_dst)) {
        format_ip6(ds, "tun_ipv6_dst", &t->ipv6_dst);
    }
    if (t->ip_tos) {
        ds_put_format(ds, "tun_tos=%u,", t->ip_tos);
    }
    if (t->ip_ttl) {
        ds_put_format(ds, "tun_ttl=%u,", t->ip_ttl);
    }
    if (t->tp_src) {
        ds_put_format(ds, "tun_tp_src=%u,", be16_to_host(t->tp_src));
    }
    if (t->tp_dst) {
        ds_put_format(ds, "tun_tp_dst=%u,", be16_to_host(t->tp_dst));
    }
    if (f->in_port) {
        ds_put_format(ds, "in_port=%"PRIu32",", f->in_port);
    }
}

static void
format_l2(const struct flow *f, struct ds *ds)
{
    static const struct eth_addr zero_eth;

    if (memcmp(&f->dl_src, &zero_eth, sizeof zero_eth)) {
        format_eth(ds, "dl_src", &f->dl_src);
    }
    if (memcmp(&f->dl_dst, &zero_eth, sizeof zero_eth)) {
        format_eth(ds, "dl_dst", &f->dl_dst);
    }
    for (int i = 0; i < FLOW_MAX_VLANS; i++) {
        uint16_t tci = be16_to_host(f->vlans[i].tci);
        if (!tci) {
            break;
        }
        const char *sfx = i ? "1" : "";
        if (be16_to_host(f->vlans[i].tpid) != ETH_TYPE_VLAN) {
            ds_put_format(ds, "vlan_tpid%s=%#06x,", sfx,
                          be16_to_host(f->vlans[i].tpid));
        }
        ds_put_format(ds, "vlan_tci%s=%#06x,", sfx, tci);
    }
    if (f->dl_type) {
        ds_put_format(ds, "dl_type=%#06x,", be16_to_host(f->dl_type));
    }
    if (f->mpls_lse) {
        uint32_t lse = be32_to_host(f->mpls_lse);
        ds_put_format(ds, "mpls_label=%"PRIu32",mpls_tc=%"PRIu32","
                      "mpls_bos=%"PRIu32",mpls_ttl=%"PRIu32",",
                      lse >> MPLS_LABEL_SHIFT,
                      (lse & MPLS_TC_MASK) >> MPLS_TC_SHIFT,
                      (lse & MPLS_BOS_MASK) >> MPLS_BOS_SHIFT,
                      lse & MPLS_TTL_MASK);
    }
}

static void
format_l3(const struct flow *f, struct ds *ds)
{
    uint16_t dl_type = be16_to_host(f->dl_type);
    bool arp = dl_type == ETH_TYPE_ARP || dl_type == ETH_TYPE_RARP;
    static const struct eth_addr zero_eth;

    if (f->nw_src) {
        format_ip4(ds, arp ? "arp_spa" : "nw_src", f->nw_src);
    }
    if (f->nw_dst) {
        format_ip4(ds, arp ? "arp_tpa" : "nw_dst", f->nw_dst);
    }
    if (!ip6_is_zero(&f->ipv6_src)) {
        format_ip6(ds, "ipv6_src", &f->ipv6_src);
    }
    if (!ip6_is_zero(&f->ipv6_dst)) {
        format_ip6(ds, "ipv6_dst", &f->ipv6_dst);
    }
    if (f->ipv6_label) {
        ds_put_format(ds, "ipv6_label=%#07"PRIx32",",
                      be32_to_host(f->ipv6_label));
    }
    if (f->nw_proto) {
        ds_put_format(ds, "%s=%u,", arp ? "arp_op" : "nw_proto",
                      f->nw_proto);
    }
    if (f->nw_tos & 0xfc) {
        ds_put_format(ds, "nw_tos=%u,", f->nw_tos & 0xfc);
    }
    if (f->nw_tos & 0x03) {
        ds_put_format(ds, "nw_ecn=%u,", f->nw_tos & 0x03);
    }
    if (f->nw_ttl) {
        ds_put_format(ds, "nw_ttl=%u,", f->nw_ttl);
    }
    if (f->nw_frag) {
        ds_put_format(ds, "nw_frag=%s,",
                      f->nw_frag & FLOW_NW_FRAG_LATER ? "later" : "first");
    }
    if (memcmp(&f->arp_sha, &zero_eth, sizeof zero_eth)) {
        format_eth(ds, arp ? "arp_sha" : "nd_sll", &f->arp_sha);
    }
    if (memcmp(&f->arp_tha, &zero_eth, sizeof zero_eth)) {
        format_eth(ds, arp ? "arp_tha" : "nd_tll", &f->arp_tha);
    }
    if (!ip6_is_zero(&f->nd_target)) {
        format_ip6(ds, "nd_target", &f->nd_target);
    }
    if (f->nd_reserved) {
        ds_put_format(ds, "nd_reserved=%"PRIu32",",
                      be32_to_host(f->nd_reserved));
    }
    if (f->nd_options_type) {
        ds_put_format(ds, "nd_options_type=%u,", f->nd_options_type);
    }
}

static void
format_l4(const struct flow *f, struct ds *ds)
{
    static const char *const tcp_names[] = {
        "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns",
        "[200]", "[400]", "[800]",
    };
    uint16_t dl_type = be16_to_host(f->dl_type);
    bool icmp = (dl_type == ETH_TYPE_IP && f->nw_proto == IPPROTO_ICMP_)
                || (dl_type == ETH_TYPE_IPV6
                    && f->nw_proto == IPPROTO_ICMPV6_);

    if (f->tp_src) {
        ds_put_format(ds, "%s=%u,", icmp ? "icmp_type" : "tp_src",
                      be16_to_host(f->tp_src));
    }
    if (f->tp_dst) {
        ds_put_format(ds, "%s=%u,", icmp ? "icmp_code" : "tp_dst",
                      be16_to_host(f->tp_dst));
    }
    if (f->tcp_flags) {
        format_flags(ds, "tcp_flags", be16_to_host(f->tcp_flags),
                     tcp_names, ARRAY_SIZE(tcp_names), 0);
    }
}

/* Appends the nonzero fields of 'flow' to 'ds', comma-separated, in
 * ovs-ofctl(8) field syntax; appends nothing for an all-zero key. */
void
flow_format(const struct flow *flow, struct ds *ds)
{
    size_t start = ds->length;

    format_metadata(flow, ds);
    for (int i = 0; i < FLOW_N_REGS; i++) {
        if (flow->regs[i]) {
            ds_put_format(ds, "reg%d=%#"PRIx32",", i, flow->regs[i]);
        }
    }
    if (flow->metadata) {
        ds_put_format(ds, "metadata=%#"PRIx64",", flow->metadata);
    }
    format_l2(flow, ds);
    format_l3(flow, ds);
    format_l4(flow, ds);
    if (ds->length > start) {
        ds_truncate(ds, ds->length - 1);    /* The last ','. */
    }
}
