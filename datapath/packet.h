/* A packet in the userspace datapath: a byte buffer with headroom (so
 * tunnel and VLAN headers can be pushed without copying), the offsets of
 * its L2/L3/L4 headers as found by flow extraction, the metadata that
 * travels with it through the pipeline, and the offload state the kernel
 * handed us (virtio-net header) so segmentation can be left to the kernel.
 *
 * Packets move in batches of up to PACKET_BATCH_SIZE: every receive,
 * cache lookup and action runs on a batch. */
#ifndef DATAPATH_PACKET_H
#define DATAPATH_PACKET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/flow.h"
#include "lib/util.h"

#define PACKET_BATCH_SIZE 32
#define PACKET_HEADROOM 128     /* Room for outer Eth+IPv6+UDP+Geneve+opts. */
#define PACKET_OFS_NONE UINT16_MAX

/* Offload state (mirrors struct virtio_net_hdr's meaning). */
enum packet_csum {
    PACKET_CSUM_NONE,           /* Checksums are complete and unverified. */
    PACKET_CSUM_PARTIAL,        /* L4 checksum to be finished at
                                 * csum_start + csum_offset. */
    PACKET_CSUM_VALID,          /* Receiver already verified checksums. */
};

enum packet_gso {
    PACKET_GSO_NONE,
    PACKET_GSO_TCPV4,
    PACKET_GSO_TCPV6,
    PACKET_GSO_UDP_L4,
};

/* Metadata that rides with a packet (the non-header part of its key). */
struct packet_md {
    uint32_t in_port;           /* Datapath port number it arrived on. */
    uint32_t recirc_id;         /* 0 on first pass. */
    uint32_t dp_hash;           /* Set by hash actions. */
    uint32_t skb_priority;
    uint32_t pkt_mark;
    uint8_t ct_state;           /* CS_* after a ct() action. */
    uint8_t ct_nw_proto;
    uint16_t ct_zone;
    uint32_t ct_mark;
    uint64_t ct_label[2];
    be32 ct_nw_src;             /* Original-direction tuple of the */
    be32 ct_nw_dst;             /* connection (ovs-fields(7) ct_nw_src */
    struct in6_addr ct_ipv6_src; /* ...ct_tp_dst), set by conntrack; */
    struct in6_addr ct_ipv6_dst; /* IPv4 or IPv6 addresses, the other */
    be16 ct_tp_src;             /* pair zero. */
    be16 ct_tp_dst;
    struct flow_tnl tunnel;     /* Valid if tunnel.ip_dst or ipv6_dst set. */
};

struct packet {
    uint8_t *base;              /* Start of the allocation.  Owned by the
                                 * packet unless 'pool' is set. */
    void *pool;                 /* A struct packet_pool that owns this
                                 * packet and its buffer (e.g. an rx ring),
                                 * or NULL if packet_create() made it. */
    uint32_t allocated;         /* Bytes at 'base'. */
    uint32_t data_ofs;          /* Offset of the first byte of data. */
    uint32_t size;              /* Bytes of data. */
    uint16_t l2_ofs;            /* Offsets from data start, or */
    uint16_t l3_ofs;            /* PACKET_OFS_NONE; set by flow */
    uint16_t l4_ofs;            /* extraction. */
    uint16_t gso_size;          /* Segment size if gso != NONE. */
    uint8_t csum;               /* enum packet_csum. */
    uint8_t gso;                /* enum packet_gso. */
    uint16_t csum_start;        /* PARTIAL: offset from data start. */
    uint16_t csum_offset;       /* PARTIAL: checksum field offset from
                                 * csum_start. */
    struct packet_md md;        /* Pipeline metadata. */
};

/* The owner of packets that a receive ring or buffer pool lends out
 * (zero-copy receive): such a packet's 'pool' points here.  The struct
 * packet belongs to the pool; its 'base' does too until packet_realloc()
 * replaces it by a private xmalloc()ed buffer. */
struct packet_pool {
    /* Gives back 'p' whole: its struct and whatever 'base' is now (the
     * pool's memory, or a private buffer to free()).  packet_destroy()
     * calls it. */
    void (*free_packet)(struct packet_pool *, struct packet *p);
    /* Gives back only the buffer at p->base (pool memory, or a private
     * buffer to free()); the caller then points 'base' at a new private
     * buffer.  packet_realloc() calls it. */
    void (*release_buffer)(struct packet_pool *, struct packet *p);
};

struct packet_batch {
    size_t count;
    struct packet *packets[PACKET_BATCH_SIZE];
};

/* Allocates a packet with 'headroom' bytes before and room for 'size'
 * bytes of data; data size starts at 0.  Caller owns it. */
struct packet *packet_create(size_t size, size_t headroom);
/* A new packet holding a copy of 'size' bytes at 'data', with
 * PACKET_HEADROOM of headroom. */
struct packet *packet_clone_data(const void *data, size_t size);
/* A deep copy of 'p' (data, offsets, metadata). */
struct packet *packet_clone(const struct packet *p);
/* Frees 'p' (NULL is fine). */
void packet_destroy(struct packet *p);

static inline uint8_t *
packet_data(const struct packet *p)
{
    return p->base + p->data_ofs;
}

static inline size_t
packet_size(const struct packet *p)
{
    return p->size;
}

static inline size_t
packet_headroom(const struct packet *p)
{
    return p->data_ofs;
}

static inline size_t
packet_tailroom(const struct packet *p)
{
    return p->allocated - p->data_ofs - p->size;
}

/* Makes room for 'size' more bytes at the head (reallocating if needed;
 * offsets stay relative to the new data start, i.e. they shift by 'size')
 * and returns a pointer to them. */
void *packet_push_uninit(struct packet *p, size_t size);
/* Drops 'size' bytes from the head (which must exist) and returns a
 * pointer to the old head.  l2/l3/l4 offsets shift down by 'size'. */
void *packet_pull(struct packet *p, size_t size);
/* Appends 'size' bytes of room at the tail and returns them. */
void *packet_put_uninit(struct packet *p, size_t size);
/* Sets the data size to 'size' (<= current size + tailroom). */
void packet_set_size(struct packet *p, size_t size);

/* Header pointers, NULL if extraction found no such header. */
static inline void *
packet_l2(const struct packet *p)
{
    return p->l2_ofs == PACKET_OFS_NONE ? NULL : packet_data(p) + p->l2_ofs;
}

static inline void *
packet_l3(const struct packet *p)
{
    return p->l3_ofs == PACKET_OFS_NONE ? NULL : packet_data(p) + p->l3_ofs;
}

static inline void *
packet_l4(const struct packet *p)
{
    return p->l4_ofs == PACKET_OFS_NONE ? NULL : packet_data(p) + p->l4_ofs;
}

/* Bytes from the L4 header to the end of the packet (0 if none). */
static inline size_t
packet_l4_size(const struct packet *p)
{
    return p->l4_ofs == PACKET_OFS_NONE ? 0 : p->size - p->l4_ofs;
}

static inline void
packet_batch_init(struct packet_batch *b)
{
    b->count = 0;
}

static inline void
packet_batch_add(struct packet_batch *b, struct packet *p)
{
    ASSERT(b->count < PACKET_BATCH_SIZE);
    b->packets[b->count++] = p;
}

/* Destroys every packet of 'b' and empties it. */
void packet_batch_destroy_all(struct packet_batch *b);

#endif /* datapath/packet.h */
