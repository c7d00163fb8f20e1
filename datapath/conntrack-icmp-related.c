/* ICMP and ICMPv6 errors (destination unreachable, time exceeded,
 * parameter problem, packet too big...) carry the start of the packet
 * that caused them.  That inner packet went the opposite way of the
 * error, so the error is related (+rel) to the connection whose tuple is
 * the inner tuple reversed; under NAT both the inner packet and the
 * outer addresses are translated back to what the receiver knows. */
#include <string.h>

#include "datapath/conntrack-private.h"
#include "datapath/packet-csum.h"

/* Parses the inner IP packet of ICMP error 'pp' into 'key' (zone kept);
 * sets '*l3', '*l4', '*l4_size'.  Returns false if it is unusable. */
static bool
parse_inner(const struct ct_pkt *pp, struct ct_key *key, uint8_t **l3,
            uint8_t **l4, size_t *l4_size)
{
    uint8_t *ip = pp->l4 + 8;
    size_t size = pp->l4_size - 8;
    uint8_t type, code;
    bool error;

    if (pp->l4_size < 8 + 20) {
        return false;
    }
    memset(key, 0, sizeof *key);
    key->zone = pp->key.zone;
    if (pp->key.family == 4) {
        size_t ihl = (ip[0] & 15) * 4u;

        if ((ip[0] >> 4) != 4 || ihl < 20 || ihl > size) {
            return false;
        }
        key->family = 4;
        memcpy(&key->src, ip + 12, 4);
        memcpy(&key->dst, ip + 16, 4);
        key->proto = ip[9];
        *l4 = ip + ihl;
        *l4_size = size - ihl;
    } else {
        if ((ip[0] >> 4) != 6 || size < 40) {
            return false;
        }
        key->family = 6;
        memcpy(&key->src, ip + 8, 16);
        memcpy(&key->dst, ip + 24, 16);
        key->proto = ip[6];
        *l4 = ip + 40;
        *l4_size = size - 40;
    }
    *l3 = ip;
    if (conntrack__parse_l4(key, *l4, *l4_size, &type, &code, &error)
        || error) {
        return false;       /* No errors about errors (RFC 1122). */
    }
    if ((key->proto == IPPROTO_ICMP || key->proto == IPPROTO_ICMPV6)
        && *l4_size < 8) {
        return false;
    }
    return true;
}

/* Recomputes the ICMP/ICMPv6 checksum of 'pp' from scratch. */
static void
icmp_csum(struct ct_pkt *pp)
{
    uint32_t sum = 0;
    be16 c;

    memset(pp->l4 + 2, 0, 2);
    if (pp->key.family == 6) {
        sum = packet_csum_pseudo_ipv6(pp->l3 + 8, pp->l3 + 24,
                                      IPPROTO_ICMPV6,
                                      (uint32_t) pp->l4_size);
    }
    sum = packet_csum_add(sum, pp->l4, pp->l4_size);
    c = packet_csum_fold(sum);
    memcpy(pp->l4 + 2, &c, 2);
}

/* See conntrack-private.h. */
uint8_t
conntrack__icmp_related(struct conntrack *ct, struct ct_pkt *pp, bool nat,
                        long long now, struct packet_md *md)
{
    struct ct_key inner, k;
    uint8_t *il3, *il4;
    size_t il4_size;
    uint8_t state = 0;

    if (!parse_inner(pp, &inner, &il3, &il4, &il4_size)) {
        return 0;
    }
    conntrack__key_reverse(&inner, &k);

    uint32_t hash = conntrack__key_hash(&k, ct->hash_basis);
    struct ct_shard *s = &ct->shards[hash >> 24 & (CT_N_SHARDS - 1)];
    struct ct_conn *conn;
    enum ct_dir dir;

    pthread_mutex_lock(&s->mutex);
    conn = conntrack__lookup_locked(ct, &k, now, &dir);
    if (conn) {
        pthread_spin_lock(&conn->lock);
        state = CS_TRACKED | CS_RELATED
                | (dir == CT_DIR_REPLY ? CS_REPLY_DIR : 0);
        md->ct_mark = conn->mark;
        md->ct_label[0] = conn->label[0];
        md->ct_label[1] = conn->label[1];
        md->ct_nw_proto = conn->node[0].key.proto;
        if (conn->node[0].key.family == 4) {
            memcpy(&md->ct_nw_src, &conn->node[0].key.src, 4);
            memcpy(&md->ct_nw_dst, &conn->node[0].key.dst, 4);
        } else {
            md->ct_ipv6_src = conn->node[0].key.src;
            md->ct_ipv6_dst = conn->node[0].key.dst;
        }
        if (conn->node[0].key.proto != IPPROTO_ICMP
            && conn->node[0].key.proto != IPPROTO_ICMPV6) {
            md->ct_tp_src = conn->node[0].key.sport;
            md->ct_tp_dst = conn->node[0].key.dport;
        }

        if (nat && (conn->flags & (CT_CONN_F_SNAT | CT_CONN_F_DNAT))) {
            const struct ct_key *kd = &conn->node[dir].key;
            const struct ct_key *ko = &conn->node[!dir].key;
            struct ct_key outer = pp->key;

            /* The inner packet becomes the one the receiver sent. */
            conntrack__nat_rewrite(il3, il4, il4_size, inner.proto,
                                   inner.family, &inner, ko, false, true);
            outer.dst = ko->src;
            if (!memcmp(&pp->key.src, &kd->src, sizeof kd->src)) {
                outer.src = ko->dst;
            }
            conntrack__nat_rewrite(pp->l3, pp->l4, pp->l4_size,
                                   pp->key.proto, pp->key.family, &pp->key,
                                   &outer, false, false);
            icmp_csum(pp);
            state |= conn->flags & CT_CONN_F_SNAT ? CS_SRC_NAT : 0;
            state |= conn->flags & CT_CONN_F_DNAT ? CS_DST_NAT : 0;
        }
        pthread_spin_unlock(&conn->lock);
    }
    pthread_mutex_unlock(&s->mutex);
    return state;
}
