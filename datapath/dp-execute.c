/* Datapath action execution (see dp-execute.h). */
#include "datapath/dp-execute.h"

#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#include "datapath/conntrack.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "lib/hash.h"
#include "lib/log.h"

LOG_MODULE(dp_execute);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(1, 5);

#define ETH_HDR_SIZE 14
#define ETH_ADDRS_SIZE 12
#define VLAN_HDR_SIZE 4
#define IPV4_HDR_MIN 20
#define IPV6_HDR_SIZE 40
#define ARP_ETH_IP_SIZE 28
#define ND_HDR_SIZE 24          /* ICMPv6 header, reserved, target. */

struct exec_ctx {
    const struct dp_exec_ops *ops; /* Callbacks. */
    void *aux;                  /* Their first argument. */
};

/* Header access. */

static inline uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline be16
get_be16(const uint8_t *p)
{
    be16 x;

    memcpy(&x, p, sizeof x);
    return x;
}

static inline void
put_be16(uint8_t *p, be16 x)
{
    memcpy(p, &x, sizeof x);
}

/* '*dst' = ('*dst' & ~mask) | key, over 'n' bytes. */
static void
apply_masked(void *dst_, const void *key_, const void *mask_, size_t n)
{
    uint8_t *dst = dst_;
    const uint8_t *key = key_, *mask = mask_;

    for (size_t i = 0; i < n; i++) {
        dst[i] = (dst[i] & ~mask[i]) | key[i];
    }
}

/* The checksum 'csum' of a range in which the 'n' bytes (even, at an even
 * offset from the range's start) at 'old' became those at 'new'. */
static be16
csum_update_bytes(be16 csum, const void *old_, const void *new_, size_t n)
{
    const uint8_t *old = old_, *new = new_;

    for (size_t i = 0; i + 1 < n; i += 2) {
        be16 o = get_be16(old + i), w = get_be16(new + i);

        if (o != w) {
            csum = packet_csum_update16(csum, o, w);
        }
    }
    return csum;
}

/* Whether 'p' has 'n' bytes at offset 'ofs' (PACKET_OFS_NONE: no). */
static inline bool
has_bytes(const struct packet *p, uint16_t ofs, size_t n)
{
    return ofs != PACKET_OFS_NONE && ofs + n <= p->size;
}

/* The final protocol (after extension headers) of the IPv6 packet 'p',
 * whose L4 header starts at p->l4_ofs; -1 if unknown. */
static int
ipv6_l4_proto(const struct packet *p)
{
    const uint8_t *d = packet_data(p);
    size_t ofs = p->l3_ofs + IPV6_HDR_SIZE;
    int nh = d[p->l3_ofs + 6];

    while (ofs < p->l4_ofs) {
        if (ofs + 2 > p->size) {
            return -1;
        }
        size_t len = (nh == 44 ? 8                    /* Fragment. */
                      : nh == 51 ? (d[ofs + 1] + 2) * 4u  /* AH. */
                      : (d[ofs + 1] + 1) * 8u);
        nh = d[ofs];
        ofs += len;
    }
    return ofs == p->l4_ofs ? nh : -1;
}

/* Where the L4 checksum of 'proto' lies in its header, or 0 if the
 * pseudo-header does not cover it (or it has none we update). */
static size_t
l4_csum_ofs(int proto)
{
    return (proto == IPPROTO_TCP ? 16
            : proto == IPPROTO_UDP ? 6
            : proto == IPPROTO_ICMPV6 ? 2 : 0);
}

/* A pseudo-header word range of 'p' changed from 'old' to 'new' ('n'
 * bytes): updates the L4 checksum of 'proto', or, for a partial checksum,
 * the pseudo-header sum that its field holds. */
static void
update_l4_pseudo(struct packet *p, int proto, const void *old,
                 const void *new, size_t n)
{
    size_t cofs = l4_csum_ofs(proto);

    if (!cofs || !has_bytes(p, p->l4_ofs, cofs + 2)) {
        return;
    }
    uint8_t *field = packet_data(p) + p->l4_ofs + cofs;
    be16 csum = get_be16(field);

    if (p->csum == PACKET_CSUM_PARTIAL
        && p->csum_start == p->l4_ofs && p->csum_offset == cofs) {
        /* The field holds the pseudo-header sum, not complemented. */
        csum = (KILN_FORCE be16) ~(KILN_FORCE uint16_t) csum_update_bytes(
            (KILN_FORCE be16) ~(KILN_FORCE uint16_t) csum, old, new, n);
    } else if (proto == IPPROTO_UDP && !csum) {
        return;                 /* No checksum (IPv4 only). */
    } else {
        csum = csum_update_bytes(csum, old, new, n);
        if (proto == IPPROTO_UDP && !csum) {
            csum = (KILN_FORCE be16) 0xffff;
        }
    }
    put_be16(field, csum);
}

/* Payload bytes of the L4 header changed: updates the full checksum
 * (nothing to do for a partial one, which is summed at send). */
static void
update_l4_payload(struct packet *p, int proto, const void *old,
                  const void *new, size_t n)
{
    size_t cofs = l4_csum_ofs(proto);

    if (!cofs || p->csum == PACKET_CSUM_PARTIAL
        || !has_bytes(p, p->l4_ofs, cofs + 2)) {
        return;
    }
    uint8_t *field = packet_data(p) + p->l4_ofs + cofs;
    be16 csum = get_be16(field);

    if (proto == IPPROTO_UDP && !csum) {
        return;
    }
    csum = csum_update_bytes(csum, old, new, n);
    if (proto == IPPROTO_UDP && !csum) {
        csum = (KILN_FORCE be16) 0xffff;
    }
    put_be16(field, csum);
}

/* SET_MASKED, one function per header. */

static void
set_eth(struct packet *p, const struct dp_key_eth *k,
        const struct dp_key_eth *m)
{
    if (!has_bytes(p, p->l2_ofs, ETH_ADDRS_SIZE)) {
        return;
    }
    uint8_t *eth = packet_data(p) + p->l2_ofs;

    apply_masked(eth, &k->dst, &m->dst, 6);
    apply_masked(eth + 6, &k->src, &m->src, 6);
}

static void
set_ipv4(struct packet *p, const struct dp_key_ipv4 *k,
         const struct dp_key_ipv4 *m)
{
    if (!has_bytes(p, p->l3_ofs, IPV4_HDR_MIN)) {
        return;
    }
    uint8_t *ip = packet_data(p) + p->l3_ofs;
    if ((ip[0] >> 4) != 4) {
        return;
    }
    uint8_t old[IPV4_HDR_MIN];
    be16 csum = get_be16(ip + 10);
    int proto = ip[9];

    memcpy(old, ip, sizeof old);
    /* TOS at byte 1, TTL at 8, addresses at 12 and 16. */
    ip[1] = (ip[1] & ~m->tos) | k->tos;
    ip[8] = (ip[8] & ~m->ttl) | k->ttl;
    apply_masked(ip + 12, &k->src, &m->src, 4);
    apply_masked(ip + 16, &k->dst, &m->dst, 4);
    csum = csum_update_bytes(csum, old, ip, 2);
    csum = csum_update_bytes(csum, old + 8, ip + 8, 2);
    csum = csum_update_bytes(csum, old + 12, ip + 12, 8);
    put_be16(ip + 10, csum);
    if (memcmp(old + 12, ip + 12, 8)) {
        update_l4_pseudo(p, proto == IPPROTO_ICMP ? -1 : proto, old + 12,
                         ip + 12, 8);
    }
}

static void
set_ipv6(struct packet *p, const struct dp_key_ipv6 *k,
         const struct dp_key_ipv6 *m)
{
    if (!has_bytes(p, p->l3_ofs, IPV6_HDR_SIZE)) {
        return;
    }
    uint8_t *ip = packet_data(p) + p->l3_ofs;
    if ((ip[0] >> 4) != 6) {
        return;
    }
    uint8_t old[32];

    /* Version (4 bits), traffic class (8), flow label (20). */
    uint32_t w = (uint32_t) ip[0] << 24 | ip[1] << 16 | ip[2] << 8 | ip[3];
    uint32_t label = be32_to_host(k->label), lmask = be32_to_host(m->label);
    uint32_t tc = (w >> 20) & 0xff;

    tc = (tc & ~m->tclass) | k->tclass;
    w = (w & 0xf0000000) | tc << 20
        | ((((w & 0xfffff) & ~lmask) | (label & lmask)) & 0xfffff);
    ip[0] = w >> 24;
    ip[1] = w >> 16;
    ip[2] = w >> 8;
    ip[3] = w;
    ip[7] = (ip[7] & ~m->hlimit) | k->hlimit;

    memcpy(old, ip + 8, sizeof old);
    apply_masked(ip + 8, &k->src, &m->src, 16);
    apply_masked(ip + 24, &k->dst, &m->dst, 16);
    if (memcmp(old, ip + 8, sizeof old) && p->l4_ofs != PACKET_OFS_NONE) {
        update_l4_pseudo(p, ipv6_l4_proto(p), old, ip + 8, sizeof old);
    }
}

/* The IP protocol of 'p' (IPv4 or IPv6), or -1. */
static int
l4_proto(const struct packet *p)
{
    if (!has_bytes(p, p->l3_ofs, 1) || p->l4_ofs == PACKET_OFS_NONE) {
        return -1;
    }
    const uint8_t *ip = packet_data(p) + p->l3_ofs;

    if ((ip[0] >> 4) == 4 && has_bytes(p, p->l3_ofs, IPV4_HDR_MIN)) {
        return ip[9];
    } else if ((ip[0] >> 4) == 6 && has_bytes(p, p->l3_ofs, IPV6_HDR_SIZE)) {
        return ipv6_l4_proto(p);
    }
    return -1;
}

static void
set_l4_ports(struct packet *p, enum dp_set_field field,
             const struct dp_key_l4 *k, const struct dp_key_l4 *m)
{
    int want = (field == DP_SET_TCP ? IPPROTO_TCP
                : field == DP_SET_UDP ? IPPROTO_UDP : IPPROTO_SCTP);
    size_t hlen = want == IPPROTO_TCP ? 20 : want == IPPROTO_UDP ? 8 : 12;

    if (l4_proto(p) != want || !has_bytes(p, p->l4_ofs, hlen)) {
        return;
    }
    uint8_t *l4 = packet_data(p) + p->l4_ofs;
    uint8_t old[4];

    memcpy(old, l4, 4);
    apply_masked(l4, &k->src, &m->src, 2);
    apply_masked(l4 + 2, &k->dst, &m->dst, 2);
    if (!memcmp(old, l4, 4)) {
        return;
    }
    if (want == IPPROTO_SCTP) {
        if (p->csum != PACKET_CSUM_PARTIAL) {
            uint32_t crc;

            memset(l4 + 8, 0, 4);
            crc = dp_execute_crc32c(l4, packet_l4_size(p));
            /* Stored least significant byte first (RFC 3309). */
            l4[8] = crc;
            l4[9] = crc >> 8;
            l4[10] = crc >> 16;
            l4[11] = crc >> 24;
        }
    } else {
        update_l4_payload(p, want, old, l4, 4);
    }
}

/* ICMPv4 (checksum over the message) or ICMPv6 (pseudo-header too): the
 * type and code, with an incremental checksum update. */
static void
set_icmp(struct packet *p, const struct dp_key_icmp *k,
         const struct dp_key_icmp *m)
{
    int proto = l4_proto(p);

    if ((proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6)
        || !has_bytes(p, p->l4_ofs, 4)) {
        return;
    }
    uint8_t *icmp = packet_data(p) + p->l4_ofs;
    uint8_t old[2] = { icmp[0], icmp[1] };

    icmp[0] = (icmp[0] & ~m->type) | k->type;
    icmp[1] = (icmp[1] & ~m->code) | k->code;
    if (proto == IPPROTO_ICMPV6) {
        update_l4_payload(p, proto, old, icmp, 2);
    } else if (p->csum != PACKET_CSUM_PARTIAL) {
        put_be16(icmp + 2, csum_update_bytes(get_be16(icmp + 2), old, icmp,
                                             2));
    }
}

static void
set_arp(struct packet *p, const struct dp_key_arp *k,
        const struct dp_key_arp *m)
{
    if (!has_bytes(p, p->l3_ofs, ARP_ETH_IP_SIZE)) {
        return;
    }
    uint8_t *arp = packet_data(p) + p->l3_ofs;

    /* htype(2) ptype(2) hlen plen op(2) sha(6) spa(4) tha(6) tpa(4). */
    if (get16(arp) != 1 || get16(arp + 2) != 0x0800 || arp[4] != 6
        || arp[5] != 4) {
        return;
    }
    apply_masked(arp + 6, &k->op, &m->op, 2);
    apply_masked(arp + 8, &k->sha, &m->sha, 6);
    apply_masked(arp + 14, &k->spa, &m->spa, 4);
    apply_masked(arp + 18, &k->tha, &m->tha, 6);
    apply_masked(arp + 24, &k->tpa, &m->tpa, 4);
}

static void
set_nd(struct packet *p, const struct dp_key_nd *k,
       const struct dp_key_nd *m)
{
    if (l4_proto(p) != IPPROTO_ICMPV6
        || !has_bytes(p, p->l4_ofs, ND_HDR_SIZE)) {
        return;
    }
    uint8_t *icmp = packet_data(p) + p->l4_ofs;
    size_t size = packet_l4_size(p);

    if (icmp[0] != 135 && icmp[0] != 136) {
        return;
    }
    uint8_t old[16];
    memcpy(old, icmp + 8, 16);
    apply_masked(icmp + 8, &k->target, &m->target, 16);
    update_l4_payload(p, IPPROTO_ICMPV6, old, icmp + 8, 16);

    /* Options: type(1) length(1, in 8 bytes) data. */
    for (size_t ofs = ND_HDR_SIZE; ofs + 8 <= size;) {
        size_t len = icmp[ofs + 1] * 8u;

        if (!len || ofs + len > size) {
            break;
        }
        const struct eth_addr *key = NULL, *mask = NULL;
        if (icmp[ofs] == 1 && icmp[0] == 135) {
            key = &k->sll;
            mask = &m->sll;
        } else if (icmp[ofs] == 2 && icmp[0] == 136) {
            key = &k->tll;
            mask = &m->tll;
        }
        if (key) {
            memcpy(old, icmp + ofs + 2, 6);
            apply_masked(icmp + ofs + 2, key, mask, 6);
            update_l4_payload(p, IPPROTO_ICMPV6, old, icmp + ofs + 2, 6);
        }
        ofs += len;
    }
}

static void set_mpls(struct packet *, const struct dp_key_mpls *,
                     const struct dp_key_mpls *);

void
dp_execute_set_masked(struct packet *p, const struct dp_action *a)
{
    enum dp_set_field field = dp_action_arg(a);
    const uint8_t *key = dp_action_payload(a);
    const uint8_t *mask = key + dp_set_field_size(field);

    switch (field) {
    case DP_SET_ETH:
        set_eth(p, (const void *) key, (const void *) mask);
        break;
    case DP_SET_IPV4:
        set_ipv4(p, (const void *) key, (const void *) mask);
        break;
    case DP_SET_IPV6:
        set_ipv6(p, (const void *) key, (const void *) mask);
        break;
    case DP_SET_TCP:
    case DP_SET_UDP:
    case DP_SET_SCTP:
        set_l4_ports(p, field, (const void *) key, (const void *) mask);
        break;
    case DP_SET_ARP:
        set_arp(p, (const void *) key, (const void *) mask);
        break;
    case DP_SET_ND:
        set_nd(p, (const void *) key, (const void *) mask);
        break;
    case DP_SET_MPLS:
        set_mpls(p, (const void *) key, (const void *) mask);
        break;
    case DP_SET_ICMP:
        set_icmp(p, (const void *) key, (const void *) mask);
        break;
    case DP_SET_META: {
        const struct dp_key_meta *k = (const void *) key;
        const struct dp_key_meta *m = (const void *) mask;

        p->md.pkt_mark = (p->md.pkt_mark & ~m->pkt_mark) | k->pkt_mark;
        p->md.skb_priority = ((p->md.skb_priority & ~m->skb_priority)
                              | k->skb_priority);
        break;
    }
    case DP_SET_N_FIELDS:
    default:
        NOT_REACHED();
    }
}

/* VLANs. */

static void
push_vlan(struct packet *p, uint32_t arg)
{
    if (p->size < ETH_ADDRS_SIZE) {
        return;
    }
    bool has_l2 = p->l2_ofs != PACKET_OFS_NONE;
    uint8_t *d = packet_push_uninit(p, VLAN_HDR_SIZE);
    uint16_t tpid = arg >> 16, tci = (arg & 0xffff) & ~VLAN_CFI;

    /* The tag goes after the addresses: l3/l4 and csum_start moved by 4
     * with the push, the Ethernet header stays at the start. */
    memmove(d, d + VLAN_HDR_SIZE, ETH_ADDRS_SIZE);
    d[12] = tpid >> 8;
    d[13] = tpid;
    d[14] = tci >> 8;
    d[15] = tci;
    p->l2_ofs = has_l2 ? 0 : PACKET_OFS_NONE;
}

static void
pop_vlan(struct packet *p)
{
    if (p->size < ETH_HDR_SIZE + VLAN_HDR_SIZE) {
        return;
    }
    uint8_t *d = packet_data(p);
    uint16_t tpid = get16(d + 12);

    if (tpid != 0x8100 && tpid != 0x88a8) {
        return;
    }
    bool has_l2 = p->l2_ofs != PACKET_OFS_NONE;

    memmove(d + VLAN_HDR_SIZE, d, ETH_ADDRS_SIZE);
    packet_pull(p, VLAN_HDR_SIZE);
    p->l2_ofs = has_l2 ? 0 : PACKET_OFS_NONE;
}

/* MPLS.  An MPLS packet's l3 offset is its label stack (as flow
 * extraction leaves it), with the Ethertype in the two bytes before. */

static bool
is_mpls_type(uint16_t type)
{
    return type == 0x8847 || type == 0x8848;
}

static void
push_mpls(struct packet *p, uint16_t ethertype, be32 lse)
{
    size_t o = p->l3_ofs;

    if (o == PACKET_OFS_NONE || o < ETH_HDR_SIZE || o > p->size) {
        return;
    }
    bool has_l2 = p->l2_ofs != PACKET_OFS_NONE;
    uint8_t *d = packet_push_uninit(p, sizeof lse);

    /* The L2 header (VLAN tags included) moves to the new start; the new
     * entry goes between it and what was at l3. */
    memmove(d, d + sizeof lse, o);
    d[o - 2] = ethertype >> 8;
    d[o - 1] = ethertype;
    memcpy(d + o, &lse, sizeof lse);
    p->l2_ofs = has_l2 ? 0 : PACKET_OFS_NONE;
    p->l3_ofs = o;
}

static void
pop_mpls(struct packet *p, uint16_t ethertype)
{
    size_t o = p->l3_ofs;

    if (o == PACKET_OFS_NONE || o < ETH_HDR_SIZE || !has_bytes(p, o, 4)) {
        return;
    }
    uint8_t *d = packet_data(p);
    if (!is_mpls_type(get16(d + o - 2))) {
        return;
    }
    bool has_l2 = p->l2_ofs != PACKET_OFS_NONE;

    d[o - 2] = ethertype >> 8;
    d[o - 1] = ethertype;
    memmove(d + 4, d, o);
    packet_pull(p, 4);
    p->l2_ofs = has_l2 ? 0 : PACKET_OFS_NONE;
    /* What follows is parsed again only on recirculation. */
    p->l3_ofs = o;
    p->l4_ofs = PACKET_OFS_NONE;
}

static void
set_mpls(struct packet *p, const struct dp_key_mpls *key,
         const struct dp_key_mpls *mask)
{
    size_t o = p->l3_ofs;

    if (o == PACKET_OFS_NONE || o < ETH_HDR_SIZE || !has_bytes(p, o, 4)
        || !is_mpls_type(get16(packet_data(p) + o - 2))) {
        return;
    }
    apply_masked(packet_data(p) + o, &key->lse, &mask->lse, sizeof key->lse);
}

/* HASH: the same value flow_hash_5tuple() gives for the packet's key. */
static uint32_t
hash_5tuple(const struct packet *p, uint32_t basis)
{
    const uint8_t *d = packet_data(p);
    uint32_t hash = basis;
    int proto;

    if (has_bytes(p, p->l3_ofs, IPV4_HDR_MIN)
        && (d[p->l3_ofs] >> 4) == 4) {
        uint32_t a[2];

        memcpy(a, d + p->l3_ofs + 12, 8);
        hash = hash_add(hash_add(hash, a[0]), a[1]);
        proto = d[p->l3_ofs + 9];
    } else if (has_bytes(p, p->l3_ofs, IPV6_HDR_SIZE)
               && (d[p->l3_ofs] >> 4) == 6) {
        uint32_t w[8];

        memcpy(w, d + p->l3_ofs + 8, 32);
        for (int i = 0; i < 8; i++) {
            hash = hash_add(hash, w[i]);
        }
        proto = (p->l4_ofs != PACKET_OFS_NONE ? ipv6_l4_proto(p)
                 : d[p->l3_ofs + 6]);
    } else {
        return hash_finish(basis, 0);
    }
    hash = hash_add(hash, proto & 0xff);
    if (proto == IPPROTO_TCP || proto == IPPROTO_UDP
        || proto == IPPROTO_SCTP) {
        uint16_t ports[2] = { 0, 0 };

        if (has_bytes(p, p->l4_ofs, 4)) {
            memcpy(ports, d + p->l4_ofs, 4);
        }
        hash = hash_add(hash, (uint32_t) ports[0] << 16 | ports[1]);
    }
    return hash_finish(hash, 42);
}

/* CRC32c, reflected polynomial 0x82f63b78, one table of 256 entries. */
static uint32_t crc32c_table[256];

static void
crc32c_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;

        for (int j = 0; j < 8; j++) {
            c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
        }
        crc32c_table[i] = c;
    }
}

uint32_t
dp_execute_crc32c(const void *data_, size_t size)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    const uint8_t *data = data_;
    uint32_t crc = 0xffffffff;

    pthread_once(&once, crc32c_init);
    for (size_t i = 0; i < size; i++) {
        crc = crc32c_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

/* Cuts 'p' to at most 'max_len' bytes; a cut packet loses its offloads
 * (its checksum is finished first). */
static void
truncate_packet(struct packet *p, uint32_t max_len)
{
    if (p->size <= max_len) {
        return;
    }
    if (p->csum == PACKET_CSUM_PARTIAL && packet_csum_finish(p)) {
        p->csum = PACKET_CSUM_NONE;
    }
    p->gso = PACKET_GSO_NONE;
    p->gso_size = 0;
    packet_set_size(p, max_len);
}

/* The list walk. */

/* Whether an action from 'a' to 'end' hands packets on (so an earlier
 * one must copy them). */
static bool
consumer_follows(const struct dp_action *a, const struct dp_action *end)
{
    for (; a < end; a = dp_action_next(a)) {
        switch (a->type) {
        case DP_ACTION_OUTPUT:
        case DP_ACTION_USERSPACE:
        case DP_ACTION_RECIRC:
        case DP_ACTION_CLONE:
        case DP_ACTION_CHECK_PKT_LEN:
            return true;
        default:
            break;
        }
    }
    return false;
}

static void exec_list(const struct exec_ctx *, struct packet_batch *,
                      const struct dp_action *, size_t);

/* 'copy' gets clones of the packets of 'batch'. */
static void
clone_batch(struct packet_batch *copy, const struct packet_batch *batch)
{
    packet_batch_init(copy);
    for (size_t i = 0; i < batch->count; i++) {
        packet_batch_add(copy, packet_clone(batch->packets[i]));
    }
}

static void
do_output(const struct exec_ctx *ctx, struct packet_batch *batch,
          uint32_t port, uint32_t trunc)
{
    if (trunc) {
        for (size_t i = 0; i < batch->count; i++) {
            truncate_packet(batch->packets[i], trunc);
        }
    }
    ctx->ops->output(ctx->aux, port, batch);
    batch->count = 0;
}

static void
do_userspace(const struct exec_ctx *ctx, struct packet_batch *batch,
             const struct dp_action *a)
{
    const struct dp_action_userspace *u = dp_action_payload(a);

    if (ctx->ops->upcall) {
        for (size_t i = 0; i < batch->count; i++) {
            ctx->ops->upcall(ctx->aux, batch->packets[i], u->cookie,
                             u->cookie_size);
        }
    }
    if (!(dp_action_arg(a) & DP_USERSPACE_F_CONTINUE)) {
        packet_batch_destroy_all(batch);
    }
}

static void
do_recirc(const struct exec_ctx *ctx, struct packet_batch *batch,
          uint32_t id)
{
    for (size_t i = 0; i < batch->count; i++) {
        batch->packets[i]->md.recirc_id = id;
    }
    if (ctx->ops->recirculate) {
        ctx->ops->recirculate(ctx->aux, batch, id);
        batch->count = 0;
    } else {
        packet_batch_destroy_all(batch);
    }
}

static void
do_ct(const struct exec_ctx *ctx, struct packet_batch *batch,
      const struct dp_action_ct *ct)
{
    if (ctx->ops->conntrack) {
        ctx->ops->conntrack(ctx->aux, batch, ct);
        return;
    }
    LOG_WARN_RL(&rl, "ct action without connection tracking: packets are "
                "marked invalid");
    for (size_t i = 0; i < batch->count; i++) {
        struct packet_md *md = &batch->packets[i]->md;

        md->ct_state = CS_TRACKED | CS_INVALID;
        md->ct_zone = ct->zone;
    }
}

static void
do_check_pkt_len(const struct exec_ctx *ctx, struct packet_batch *batch,
                 const struct dp_action *a, bool last)
{
    const struct dp_action_check_pkt_len *c = dp_action_payload(a);
    const struct dp_action *gt_list = (const void *) (c + 1);
    const struct dp_action *le_list = dp_action_next_at_(gt_list,
                                                         c->gt_size);
    size_t le_size = dp_action_payload_size(a) - sizeof *c - c->gt_size;
    struct packet_batch gt, le;
    uint32_t len = dp_action_arg(a);

    packet_batch_init(&gt);
    packet_batch_init(&le);
    for (size_t i = 0; i < batch->count; i++) {
        struct packet *p = batch->packets[i];

        if (!last) {
            p = packet_clone(p);
        }
        packet_batch_add(p->size > len ? &gt : &le, p);
    }
    if (last) {
        batch->count = 0;
    }
    exec_list(ctx, &gt, gt_list, c->gt_size);
    exec_list(ctx, &le, le_list, le_size);
}

static void
exec_list(const struct exec_ctx *ctx, struct packet_batch *batch,
          const struct dp_action *actions, size_t size)
{
    const struct dp_action *end = dp_action_next_at_(actions, size);
    uint32_t trunc = 0;

    for (const struct dp_action *a = actions; a < end && batch->count;
         a = dp_action_next(a)) {
        uint32_t arg = dp_action_arg(a);
        bool last = !consumer_follows(dp_action_next(a), end);
        struct packet_batch copy;

        switch ((enum dp_action_type) a->type) {
        case DP_ACTION_OUTPUT:
            if (last) {
                do_output(ctx, batch, arg, trunc);
                return;
            }
            clone_batch(&copy, batch);
            do_output(ctx, &copy, arg, trunc);
            trunc = 0;
            break;
        case DP_ACTION_USERSPACE:
            do_userspace(ctx, batch, a);
            break;
        case DP_ACTION_PUSH_VLAN:
            for (size_t i = 0; i < batch->count; i++) {
                push_vlan(batch->packets[i], arg);
            }
            break;
        case DP_ACTION_POP_VLAN:
            for (size_t i = 0; i < batch->count; i++) {
                pop_vlan(batch->packets[i]);
            }
            break;
        case DP_ACTION_SET_MASKED:
            for (size_t i = 0; i < batch->count; i++) {
                dp_execute_set_masked(batch->packets[i], a);
            }
            break;
        case DP_ACTION_PUSH_MPLS: {
            const struct dp_action_push_mpls *m = dp_action_payload(a);
            for (size_t i = 0; i < batch->count; i++) {
                push_mpls(batch->packets[i], arg, m->lse);
            }
            break;
        }
        case DP_ACTION_POP_MPLS:
            for (size_t i = 0; i < batch->count; i++) {
                pop_mpls(batch->packets[i], arg);
            }
            break;
        case DP_ACTION_SET_TUNNEL:
            for (size_t i = 0; i < batch->count; i++) {
                batch->packets[i]->md.tunnel = *(const struct flow_tnl *)
                                               dp_action_payload(a);
            }
            break;
        case DP_ACTION_RECIRC:
            if (last) {
                do_recirc(ctx, batch, arg);
                return;
            }
            clone_batch(&copy, batch);
            do_recirc(ctx, &copy, arg);
            break;
        case DP_ACTION_CT:
            do_ct(ctx, batch, dp_action_payload(a));
            break;
        case DP_ACTION_CT_CLEAR:
            for (size_t i = 0; i < batch->count; i++) {
                conntrack_clear(batch->packets[i]);
            }
            break;
        case DP_ACTION_HASH:
            for (size_t i = 0; i < batch->count; i++) {
                struct packet *p = batch->packets[i];

                p->md.dp_hash = hash_5tuple(p, arg);
            }
            break;
        case DP_ACTION_CLONE:
            if (last) {
                exec_list(ctx, batch, dp_action_payload(a),
                          dp_action_payload_size(a));
                return;
            }
            clone_batch(&copy, batch);
            exec_list(ctx, &copy, dp_action_payload(a),
                      dp_action_payload_size(a));
            break;
        case DP_ACTION_TRUNCATE:
            trunc = arg;
            break;
        case DP_ACTION_CHECK_PKT_LEN:
            do_check_pkt_len(ctx, batch, a, last);
            if (last) {
                return;
            }
            break;
        case DP_ACTION_DROP:
            packet_batch_destroy_all(batch);
            return;
        case DP_ACTION_METER:
            if (ctx->ops->meter) {
                ctx->ops->meter(ctx->aux, batch, arg);
            }
            break;
        case DP_ACTION_N_TYPES:
        default:
            NOT_REACHED();
        }
    }
    /* Whatever no action consumed is dropped. */
    packet_batch_destroy_all(batch);
}

void
dp_execute(const struct dp_exec_ops *ops, void *aux,
           struct packet_batch *batch, const struct dp_action *actions,
           size_t size)
{
    struct exec_ctx ctx = { .ops = ops, .aux = aux };

    exec_list(&ctx, batch, actions, size);
    batch->count = 0;
}
