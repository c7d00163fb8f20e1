/* NAT: choosing the reply tuple of a new connection within the address
 * and port ranges of a nat() action, and rewriting packets (and their
 * checksums, RFC 1624 incremental updates) to the translated tuple.
 *
 * A connection's translation is entirely in its two keys: a packet of one
 * direction leaves with the reverse of the other direction's key, which
 * covers SNAT, DNAT and both at once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/conntrack-private.h"
#include "datapath/dp-execute.h"
#include "datapath/packet-csum.h"
#include "lib/hash.h"

#define NAT_MAX_TRIES 65536     /* Tuples tried before giving up. */

static uint32_t
addr_low32(const struct in6_addr *a, int family)
{
    uint32_t x;

    memcpy(&x, family == 4 ? &a->s6_addr[0] : &a->s6_addr[12], 4);
    return be32_to_host((be32) x);
}

static void
addr_set_low32(struct in6_addr *a, int family, uint32_t v)
{
    be32 x = htonbe32(v);

    memcpy(family == 4 ? &a->s6_addr[0] : &a->s6_addr[12], &x, 4);
}

/* Picks the reply tuple.  See conntrack-private.h. */
int
conntrack__nat_select(struct conntrack *ct, const struct ct_key *orig,
                      const struct dp_ct_nat *nat, long long now,
                      struct ct_key *reply)
{
    bool snat = nat->flags & DP_NAT_F_SRC;
    bool has_ports = orig->proto == IPPROTO_TCP || orig->proto == IPPROTO_UDP
                     || orig->proto == IPPROTO_SCTP;
    struct ct_key base;

    conntrack__key_reverse(orig, &base);
    /* In the reply, SNAT changes the destination, DNAT the source. */
    struct in6_addr *addr = snat ? &base.dst : &base.src;
    be16 *port = snat ? &base.dport : &base.sport;

    uint32_t a_min = 0, n_addrs = 1;
    if (nat->family) {
        a_min = addr_low32(&nat->addr_min, orig->family);
        uint32_t a_max = addr_low32(&nat->addr_max, orig->family);
        n_addrs = a_max >= a_min ? a_max - a_min + 1 : 1;
        if (n_addrs == 0) {
            n_addrs = UINT32_MAX;
        }
        *addr = nat->addr_min;
        if (orig->family == 4) {
            memset(&addr->s6_addr[4], 0, 12);
        }
    }

    uint16_t p_orig = be16_to_host(*port);
    uint16_t p_min = nat->proto_min, p_max = nat->proto_max;
    if (!has_ports) {
        p_min = p_max = p_orig;
    } else if (!p_min) {
        if (snat) {
            p_min = p_orig < 1024 ? 1 : 1024;
            p_max = p_orig < 1024 ? 1023 : 65535;
        } else {
            p_min = p_max = p_orig;
        }
    }
    if (p_max < p_min) {
        p_max = p_min;
    }
    uint32_t n_ports = (uint32_t) p_max - p_min + 1;

    /* The address: by a hash of the addresses only (so a client keeps
     * its address, as "persistent" asks), or at random. */
    uint32_t h_addr = hash_bytes(&orig->src, 32, ct->hash_basis);
    uint32_t a_start = (nat->flags & DP_NAT_F_RANDOM ? (uint32_t) random()
                        : h_addr) % n_addrs;
    uint32_t h_port = conntrack__key_hash(orig, ct->hash_basis ^ 0x5a5a);
    uint32_t p_start = (nat->flags & DP_NAT_F_RANDOM ? (uint32_t) random()
                        : h_port) % n_ports;
    bool keep_first = p_orig >= p_min && p_orig <= p_max;

    size_t tries = 0;
    for (uint32_t ai = 0; ai < n_addrs && tries < NAT_MAX_TRIES; ai++) {
        if (nat->family) {
            addr_set_low32(addr, orig->family,
                           a_min + (a_start + ai) % n_addrs);
        }
        if (keep_first) {
            *port = htonbe16(p_orig);
            tries++;
            if (!conntrack__key_in_use(ct, &base, now)) {
                *reply = base;
                return 0;
            }
        }
        for (uint32_t pi = 0; pi < n_ports && tries < NAT_MAX_TRIES; pi++) {
            uint16_t p = (uint16_t) (p_min + (p_start + pi) % n_ports);

            if (keep_first && p == p_orig) {
                continue;
            }
            *port = htonbe16(p);
            tries++;
            if (!conntrack__key_in_use(ct, &base, now)) {
                *reply = base;
                return 0;
            }
        }
    }
    return -ENOSPC;
}

/* RFC 1624 on a field that holds an uncomplemented partial sum. */
static be16
partial_update32(be16 sum, be32 old, be32 new)
{
    return (be16) ~packet_csum_update32((be16) ~sum, old, new);
}

static be16
partial_update128(be16 sum, const void *old, const void *new)
{
    return (be16) ~packet_csum_update128((be16) ~sum, old, new);
}

/* Rewrites one address at 'field' to 'new' (4 or 16 bytes), fixing the
 * IPv4 header checksum (ip4 != NULL) and the L4 checksum at 'csum'. */
static void
set_addr(uint8_t *field, const struct in6_addr *new, int family,
         uint8_t *ip4, uint8_t *csum, bool partial, bool udp)
{
    be16 c;

    if (family == 4) {
        be32 o, n;

        memcpy(&o, field, 4);
        memcpy(&n, new, 4);
        if (o == n) {
            return;
        }
        if (ip4) {
            memcpy(&c, ip4 + 10, 2);
            c = packet_csum_update32(c, o, n);
            memcpy(ip4 + 10, &c, 2);
        }
        if (csum) {
            memcpy(&c, csum, 2);
            if (partial) {
                c = partial_update32(c, o, n);
            } else if (!(udp && !c)) {
                c = packet_csum_update32(c, o, n);
                if (udp && !c) {
                    c = (be16) 0xffff;
                }
            }
            memcpy(csum, &c, 2);
        }
        memcpy(field, &n, 4);
    } else {
        if (!memcmp(field, new, 16)) {
            return;
        }
        if (csum) {
            memcpy(&c, csum, 2);
            c = partial ? partial_update128(c, field, new)
                        : packet_csum_update128(c, field, new);
            memcpy(csum, &c, 2);
        }
        memcpy(field, new, 16);
    }
}

static void
set_port(uint8_t *field, be16 new, uint8_t *csum, bool partial, bool udp)
{
    be16 old, c;

    memcpy(&old, field, 2);
    if (old == new) {
        return;
    }
    if (csum && !partial) {
        memcpy(&c, csum, 2);
        if (!(udp && !c)) {
            c = packet_csum_update16(c, old, new);
            if (udp && !c) {
                c = (be16) 0xffff;
            }
            memcpy(csum, &c, 2);
        }
    }
    memcpy(field, &new, 2);
}

/* Rewrites tuple 'from' to 'to'.  See conntrack-private.h. */
void
conntrack__nat_rewrite(uint8_t *l3, uint8_t *l4, size_t l4_size,
                       uint8_t proto, int family, const struct ct_key *from,
                       const struct ct_key *to, bool partial, bool l4_csum)
{
    uint8_t *csum = NULL;
    bool pseudo = true;
    bool udp = false;

    (void) from;
    switch (proto) {
    case IPPROTO_TCP:
        csum = l4_size >= 18 ? l4 + 16 : NULL;
        break;
    case IPPROTO_UDP:
        csum = l4_size >= 8 ? l4 + 6 : NULL;
        udp = family == 4;
        break;
    case IPPROTO_ICMPV6:
        csum = l4_size >= 4 ? l4 + 2 : NULL;
        break;
    case IPPROTO_ICMP:
        csum = l4_size >= 4 ? l4 + 2 : NULL;
        pseudo = false;
        break;
    default:
        break;
    }
    if (!l4_csum) {
        csum = NULL;
    }

    uint8_t *ip4 = family == 4 ? l3 : NULL;
    uint8_t *src = family == 4 ? l3 + 12 : l3 + 8;
    uint8_t *dst = family == 4 ? l3 + 16 : l3 + 24;
    set_addr(src, &to->src, family, ip4, pseudo ? csum : NULL, partial, udp);
    set_addr(dst, &to->dst, family, ip4, pseudo ? csum : NULL, partial, udp);
    if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP
         || proto == IPPROTO_SCTP) && l4_size >= 4) {
        set_port(l4, to->sport, csum, partial, udp);
        set_port(l4 + 2, to->dport, csum, partial, udp);
    }
}

/* Rewrites 'pp' to its translated tuple.  See conntrack-private.h. */
void
conntrack__nat_packet(struct ct_pkt *pp, const struct ct_conn *conn,
                      enum ct_dir dir)
{
    struct ct_key to;

    conntrack__key_reverse(&conn->node[!dir].key, &to);
    if (!memcmp(&to, &pp->key, sizeof to)) {
        return;
    }
    bool partial = pp->p->csum == PACKET_CSUM_PARTIAL;
    conntrack__nat_rewrite(pp->l3, pp->l4, pp->l4_size, pp->key.proto,
                           pp->key.family, &pp->key, &to, partial, true);
    if (pp->key.proto == IPPROTO_SCTP && pp->l4_size >= 12) {
        /* SCTP's CRC32c covers the ports: recompute it. */
        memset(pp->l4 + 8, 0, 4);
        uint32_t crc = dp_execute_crc32c(pp->l4, pp->l4_size);
        pp->l4[8] = (uint8_t) crc;
        pp->l4[9] = (uint8_t) (crc >> 8);
        pp->l4[10] = (uint8_t) (crc >> 16);
        pp->l4[11] = (uint8_t) (crc >> 24);
    }
    pp->key.src = to.src;
    pp->key.dst = to.dst;
    pp->key.sport = to.sport;
    pp->key.dport = to.dport;
}
