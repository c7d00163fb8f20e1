/* IP fragment reassembly.  See ipf.h. */
#include "datapath/ipf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/flow-extract.h"
#include "datapath/packet-csum.h"
#include "lib/hash.h"
#include "lib/hmap.h"

/* The identity of a datagram. */
struct ipf_key {
    uint8_t src[16];            /* Source address (IPv4: first 4). */
    uint8_t dst[16];            /* Destination address. */
    uint32_t id;                /* IPv4 id or IPv6 identification. */
    uint16_t zone;              /* Conntrack zone. */
    uint8_t proto;              /* IPv4 protocol / IPv6 next header. */
    uint8_t v6;                 /* 1 for IPv6. */
};

/* One fragment held. */
struct ipf_frag {
    struct packet *p;           /* Owned. */
    uint32_t start;             /* Payload offset in the datagram. */
    uint32_t end;               /* ...and end (exclusive). */
    uint16_t payload_ofs;       /* Offset of its payload in p's data. */
};

/* A datagram being reassembled. */
struct ipf_list {
    struct hmap_node node;      /* In struct ipf's 'lists'. */
    struct ipf_key key;
    long long expiration;       /* Monotonic ms. */
    uint32_t total;             /* Payload size once the last fragment
                                 * came, else 0. */
    size_t n_frags;
    size_t bytes;               /* Packet bytes held. */
    struct ipf_frag frags[IPF_MAX_FRAGS];
};

struct ipf {
    pthread_mutex_t mutex;      /* Protects everything below. */
    struct hmap lists;          /* struct ipf_list's. */
    size_t bytes;               /* Total held. */
    size_t max_bytes;           /* Limit on 'bytes'. */
    unsigned int timeout_ms;    /* Per datagram. */
};

/* See ipf.h. */
struct ipf *
ipf_create(void)
{
    struct ipf *ipf = xzalloc(sizeof *ipf);

    pthread_mutex_init(&ipf->mutex, NULL);
    hmap_init(&ipf->lists);
    ipf->max_bytes = IPF_DEFAULT_MAX_BYTES;
    ipf->timeout_ms = IPF_DEFAULT_TIMEOUT_MS;
    return ipf;
}

static void
list_free(struct ipf *ipf, struct ipf_list *l)
{
    hmap_remove(&ipf->lists, &l->node);
    for (size_t i = 0; i < l->n_frags; i++) {
        packet_destroy(l->frags[i].p);
    }
    ipf->bytes -= l->bytes;
    free(l);
}

/* See ipf.h. */
void
ipf_destroy(struct ipf *ipf)
{
    struct ipf_list *l;

    if (!ipf) {
        return;
    }
    HMAP_FOR_EACH_POP (l, node, &ipf->lists) {
        for (size_t i = 0; i < l->n_frags; i++) {
            packet_destroy(l->frags[i].p);
        }
        free(l);
    }
    hmap_uninit(&ipf->lists);
    pthread_mutex_destroy(&ipf->mutex);
    free(ipf);
}

/* Recognizes a fragment: fills 'key', '*start', '*end', '*more',
 * '*payload_ofs' (from data start) and returns true. */
static bool
parse_frag(const struct packet *p, struct ipf_key *key, uint32_t *start,
           uint32_t *end, bool *more, uint16_t *payload_ofs, bool *bad)
{
    const uint8_t *l3 = packet_l3(p);
    size_t size;

    *bad = false;
    if (!l3 || p->size - p->l3_ofs < 20) {
        return false;
    }
    size = p->size - p->l3_ofs;
    memset(key, 0, sizeof *key);
    if ((l3[0] >> 4) == 4) {
        uint16_t off = (uint16_t) (l3[6] << 8 | l3[7]);
        size_t ihl = (l3[0] & 15) * 4u;
        size_t tot = (size_t) (l3[2] << 8 | l3[3]);

        if (!(off & 0x3fff)) {
            return false;
        }
        if (ihl < 20 || tot < ihl || tot > size) {
            *bad = true;
            return true;
        }
        memcpy(key->src, l3 + 12, 4);
        memcpy(key->dst, l3 + 16, 4);
        key->id = (uint32_t) (l3[4] << 8 | l3[5]);
        key->proto = l3[9];
        *start = (off & 0x1fffu) * 8;
        *end = *start + (uint32_t) (tot - ihl);
        *more = off & 0x2000;
        *payload_ofs = (uint16_t) (p->l3_ofs + ihl);
    } else if ((l3[0] >> 4) == 6 && size >= 48 && l3[6] == 44) {
        const uint8_t *fh = l3 + 40;
        uint16_t offlg = (uint16_t) (fh[2] << 8 | fh[3]);
        size_t plen = (size_t) (l3[4] << 8 | l3[5]);

        if (!(offlg & 0xfff9)) {
            return false;       /* Atomic fragment. */
        }
        if (plen < 8 || plen + 40 > size) {
            *bad = true;
            return true;
        }
        key->v6 = 1;
        memcpy(key->src, l3 + 8, 16);
        memcpy(key->dst, l3 + 24, 16);
        key->id = (uint32_t) fh[4] << 24 | (uint32_t) fh[5] << 16
                  | (uint32_t) fh[6] << 8 | fh[7];
        key->proto = fh[0];
        *start = offlg & 0xfff8;
        *end = *start + (uint32_t) (plen - 8);
        *more = offlg & 1;
        *payload_ofs = (uint16_t) (p->l3_ofs + 48);
    } else {
        return false;
    }
    if (*end > 65535 || *end < *start || (*more && (*end - *start) % 8)
        || (!key->v6 && *end + ((l3[0] & 15) * 4u) > 65535)) {
        *bad = true;
    }
    return true;
}

/* Builds the whole datagram of list 'l', whose last fragment came.
 * Returns NULL, building nothing, unless the fragments cover [0, total)
 * exactly (sorted, contiguous, none past 'total') and the result fits an
 * IP datagram. */
static struct packet *
reassemble(struct ipf_list *l, const struct packet *last)
{
    const struct ipf_frag *order[IPF_MAX_FRAGS];
    const struct ipf_frag *first;
    uint32_t pos = 0;

    /* Insertion sort by start: at most IPF_MAX_FRAGS entries. */
    for (size_t i = 0; i < l->n_frags; i++) {
        size_t j = i;

        while (j > 0 && order[j - 1]->start > l->frags[i].start) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = &l->frags[i];
    }
    for (size_t i = 0; i < l->n_frags; i++) {
        if (order[i]->start != pos || order[i]->end < order[i]->start
            || order[i]->end > l->total) {
            return NULL;
        }
        pos = order[i]->end;
    }
    if (!l->n_frags || pos != l->total) {
        return NULL;
    }
    first = order[0];
    if (!l->key.v6) {
        const uint8_t *fl3 = packet_l3(first->p);
        size_t ihl = (fl3[0] & 15) * 4u;

        if (ihl + l->total > 65535) {
            return NULL;
        }
    }
    const struct packet *fp = first->p;
    size_t hdr = first->payload_ofs;
    struct packet *np = packet_create(hdr + l->total, PACKET_HEADROOM);
    uint8_t *d = packet_put_uninit(np, hdr + l->total);

    memcpy(d, packet_data(fp), hdr);
    for (size_t i = 0; i < l->n_frags; i++) {
        const struct ipf_frag *f = &l->frags[i];
        memcpy(d + hdr + f->start, packet_data(f->p) + f->payload_ofs,
               f->end - f->start);
    }
    np->md = last->md;

    uint8_t *l3 = d + fp->l3_ofs;
    if (!l->key.v6) {
        size_t ihl = (l3[0] & 15) * 4u;
        uint16_t tot = (uint16_t) (ihl + l->total);
        be16 c;

        l3[2] = (uint8_t) (tot >> 8);
        l3[3] = (uint8_t) tot;
        l3[6] &= 0x40;          /* Keep DF, clear MF and offset. */
        l3[7] = 0;
        c = packet_csum_ipv4_header(l3);
        memcpy(l3 + 10, &c, 2);
    } else {
        /* Drop the Fragment header: move the payload up 8 bytes. */
        uint16_t plen = (uint16_t) l->total;

        l3[6] = l->key.proto;
        l3[4] = (uint8_t) (plen >> 8);
        l3[5] = (uint8_t) plen;
        memmove(l3 + 40, l3 + 48, l->total);
        packet_set_size(np, np->size - 8);
    }
    struct flow flow;
    (void) flow_extract(np, &flow, NULL);
    return np;
}

/* See ipf.h. */
struct packet *
ipf_process(struct ipf *ipf, struct packet *p, uint16_t zone,
            long long now_ms)
{
    struct ipf_key key;
    uint32_t start, end;
    uint16_t payload_ofs;
    bool more, bad;

    if (!parse_frag(p, &key, &start, &end, &more, &payload_ofs, &bad)) {
        return p;
    }
    if (bad) {
        packet_destroy(p);
        return NULL;
    }
    key.zone = zone;

    uint32_t hash = hash_bytes(&key, sizeof key, 0);
    struct ipf_list *l = NULL, *it;
    struct packet *out = NULL;

    pthread_mutex_lock(&ipf->mutex);
    HMAP_FOR_EACH_WITH_HASH (it, node, hash, &ipf->lists) {
        if (!memcmp(&it->key, &key, sizeof key)) {
            l = it;
            break;
        }
    }
    if (ipf->bytes + p->size > ipf->max_bytes) {
        packet_destroy(p);
        goto out;
    }
    if (!l) {
        l = xzalloc(sizeof *l);
        l->key = key;
        l->expiration = now_ms + ipf->timeout_ms;
        hmap_insert(&ipf->lists, &l->node, hash);
    }
    /* Overlaps, duplicates of the end, fragments past the end (whichever
     * came first), or too many: drop the datagram. */
    bool drop = l->n_frags >= IPF_MAX_FRAGS || (!more && l->total)
                || (l->total && end > l->total);
    for (size_t i = 0; i < l->n_frags && !drop; i++) {
        if (start < l->frags[i].end && l->frags[i].start < end) {
            drop = true;
        } else if (!more && l->frags[i].end > end) {
            drop = true;        /* An earlier fragment ends past the end. */
        }
    }
    if (drop) {
        packet_destroy(p);
        list_free(ipf, l);
        goto out;
    }
    l->frags[l->n_frags++] = (struct ipf_frag) {
        .p = p, .start = start, .end = end, .payload_ofs = payload_ofs,
    };
    l->bytes += p->size;
    ipf->bytes += p->size;
    if (!more) {
        l->total = end;
    }

    if (l->total) {
        uint32_t have = 0;
        for (size_t i = 0; i < l->n_frags; i++) {
            have += l->frags[i].end - l->frags[i].start;
        }
        if (have == l->total) {
            /* NULL if the extents do not tile [0, total): drop all. */
            out = reassemble(l, p);
            list_free(ipf, l);
        }
    }
out:
    pthread_mutex_unlock(&ipf->mutex);
    return out;
}

/* See ipf.h. */
void
ipf_sweep(struct ipf *ipf, long long now_ms)
{
    struct ipf_list *l;

    if (hmap_is_empty(&ipf->lists)) {
        return;
    }
    pthread_mutex_lock(&ipf->mutex);
    HMAP_FOR_EACH_SAFE (l, node, &ipf->lists) {
        if (l->expiration <= now_ms) {
            list_free(ipf, l);
        }
    }
    pthread_mutex_unlock(&ipf->mutex);
}

/* See ipf.h. */
size_t
ipf_bytes(struct ipf *ipf)
{
    pthread_mutex_lock(&ipf->mutex);
    size_t n = ipf->bytes;
    pthread_mutex_unlock(&ipf->mutex);
    return n;
}

/* See ipf.h. */
void
ipf_set_limits(struct ipf *ipf, size_t max_bytes, unsigned int timeout_ms)
{
    pthread_mutex_lock(&ipf->mutex);
    if (max_bytes) {
        ipf->max_bytes = max_bytes;
    }
    if (timeout_ms) {
        ipf->timeout_ms = timeout_ms;
    }
    pthread_mutex_unlock(&ipf->mutex);
}
