/* STT tunnel ports ("stt" netdevs, netdev-stt.c): Stateless Transport
 * Tunneling, draft-davie-stt, over the kernel's IPv4 routing.
 *
 * An STT frame is an 18-byte STT frame header followed by the inner
 * Ethernet frame.  It travels as one or more IPv4 segments that each carry
 * a TCP-like header (destination port 7471); the sequence number holds the
 * frame's length (upper 16 bits) and the segment's offset in the frame
 * (lower 16 bits), the acknowledgment number a frame identifier.  No TCP
 * connection exists: the sender cuts frames larger than the path MTU into
 * segments, the receiver puts them back together.
 *
 * The pieces below are the port's pure parts (no sockets), exposed for the
 * unit tests: encapsulation into segments, segment parsing, reassembly and
 * decapsulation. */
#ifndef DATAPATH_NETDEV_STT_H
#define DATAPATH_NETDEV_STT_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "lib/byteorder.h"

struct packet;

#define NETDEV_STT_PORT 7471    /* The draft's TCP destination port. */
#define NETDEV_STT_HDR_LEN 18   /* STT frame header, padding included. */
#define NETDEV_STT_TCP_LEN 20   /* TCP-like header, no options. */
#define NETDEV_STT_MAX_FRAME 65535 /* Header + inner frame, at most. */
#define NETDEV_STT_MAX_SEGS 128 /* Segments of one frame (576-byte MTU). */

/* STT frame header flags (draft-davie-stt §3.1, bit 0 least significant). */
#define NETDEV_STT_F_CSUM_VERIFIED 0x01
#define NETDEV_STT_F_CSUM_PARTIAL 0x02
#define NETDEV_STT_F_IPV4 0x04
#define NETDEV_STT_F_TCP 0x08

/* Where and how one frame is sent. */
struct netdev_stt_encap_params {
    be64 key;                   /* Context ID (tun_id). */
    be32 ip_src;                /* Outer source (for the TCP checksum). */
    be32 ip_dst;                /* Outer destination. */
    uint16_t src_port;          /* TCP source port (host order). */
    uint16_t dst_port;          /* TCP destination port (host order). */
    uint32_t frame_id;          /* Acknowledgment number. */
    uint8_t ttl;                /* Outer TTL (0: the kernel's default). */
    uint8_t tos;                /* Outer TOS. */
    size_t max_payload;         /* Most bytes of STT frame per segment
                                 * (path MTU - 40), >= 64. */
};

/* Segments being built for one sendmmsg(): each is 1 to 3 iovecs (its
 * TCP-like header, a part of the frame's STT header, a part of the inner
 * frame).  The iovecs point into this struct and into the packets given
 * to netdev_stt_encap(), which must live until the segments are sent. */
struct netdev_stt_tx {
    size_t n_segs;              /* Segments so far. */
    size_t n_iovs;              /* iovecs used in 'iovs'. */
    size_t n_frames;            /* Frames whose STT headers are in 'hdrs'. */
    size_t seg_iov[NETDEV_STT_MAX_SEGS];  /* First iovec of each segment. */
    size_t seg_n_iov[NETDEV_STT_MAX_SEGS]; /* Its number of iovecs. */
    be32 seg_dst[NETDEV_STT_MAX_SEGS];    /* Its outer destination. */
    uint8_t seg_ttl[NETDEV_STT_MAX_SEGS]; /* Its outer TTL (0: default). */
    uint8_t seg_tos[NETDEV_STT_MAX_SEGS]; /* Its outer TOS. */
    uint8_t tcp[NETDEV_STT_MAX_SEGS][NETDEV_STT_TCP_LEN]; /* Headers. */
    uint8_t hdrs[NETDEV_STT_MAX_SEGS][NETDEV_STT_HDR_LEN]; /* STT headers,
                                                            * one a frame. */
    struct iovec iovs[NETDEV_STT_MAX_SEGS * 3];
};

/* Empties 'tx'. */
void netdev_stt_tx_init(struct netdev_stt_tx *tx);

/* Appends to 'tx' the segments that carry packet 'p' (an Ethernet frame)
 * as described by 'params'.  A PACKET_CSUM_PARTIAL packet is sent with
 * the "checksum partial" flag and its L4 offset, a TCP GSO packet with its
 * segment size as the MSS, so the receiver finishes them; one the STT
 * header cannot describe must have been finished by the caller.  Returns
 * the number of segments added, 0 if 'tx' has no room for them (send it
 * and retry), or -EMSGSIZE if the frame can never fit (larger than
 * NETDEV_STT_MAX_FRAME, or more than NETDEV_STT_MAX_SEGS segments). */
int netdev_stt_encap(struct netdev_stt_tx *tx, const struct packet *p,
                     const struct netdev_stt_encap_params *params);

/* True if 'p' can be sent as it is (its offload state fits an STT header
 * and it fits one frame); false if the caller must finish its checksum or
 * segment it first. */
bool netdev_stt_can_encap(const struct packet *p);

/* One received segment, as netdev_stt_parse_segment() found it. */
struct netdev_stt_seg {
    be32 ip_src, ip_dst;        /* Outer addresses. */
    uint8_t ip_tos, ip_ttl;     /* Outer TOS and TTL. */
    uint16_t src_port;          /* TCP ports (host order). */
    uint16_t dst_port;
    uint16_t frame_len;         /* Whole STT frame's bytes. */
    uint16_t offset;            /* This segment's offset in the frame. */
    uint32_t frame_id;          /* Acknowledgment number. */
    const uint8_t *data;        /* The segment's part of the frame... */
    size_t size;                /* ...and its bytes (> 0). */
};

/* Parses the IPv4 datagram 'ip' ('size' bytes, as a raw socket reads it)
 * as an STT segment to 'dst_port', verifying the TCP checksum.  Returns 0,
 * or -EINVAL for anything malformed: bad IP or TCP header, wrong port, bad
 * checksum, offset and size outside the frame length, a first segment too
 * short for the STT header. */
int netdev_stt_parse_segment(const uint8_t *ip, size_t size,
                             uint16_t dst_port, struct netdev_stt_seg *seg);

/* Bounded reassembly of multi-segment frames. */
#define NETDEV_STT_REASM_SLOTS 32       /* Frames being put together. */
#define NETDEV_STT_REASM_TIMEOUT_MS 1000 /* A frame's time to complete. */

struct netdev_stt_reasm_stats {
    uint64_t frames;            /* Frames completed from >1 segment. */
    uint64_t timeouts;          /* Frames dropped: incomplete in time. */
    uint64_t evicted;           /* Frames dropped: slots all in use. */
    uint64_t bad;               /* Segments dropped: disagree with the
                                 * frame begun (length), or duplicate. */
};

struct netdev_stt_reasm;

/* Creates an empty reassembly state (the caller owns it; buffers are
 * allocated per slot on first use and kept). */
struct netdev_stt_reasm *netdev_stt_reasm_create(void);
/* Frees 'r' (NULL is fine). */
void netdev_stt_reasm_destroy(struct netdev_stt_reasm *r);

/* Adds segment 'seg' at time 'now_ms'.  A segment that is a whole frame
 * is not copied.  Returns the frame's length once complete, with the frame
 * in '*framep' (valid until the next call on 'r'), 0 while incomplete, or
 * -EINVAL if the segment was dropped (counted in the stats).  Frames
 * older than NETDEV_STT_REASM_TIMEOUT_MS are dropped on the way. */
int netdev_stt_reasm_add(struct netdev_stt_reasm *r,
                         const struct netdev_stt_seg *seg, long long now_ms,
                         const uint8_t **framep);

/* Drops the frames of 'r' that have expired at 'now_ms'. */
void netdev_stt_reasm_expire(struct netdev_stt_reasm *r, long long now_ms);

/* The counters of 'r'. */
void netdev_stt_reasm_get_stats(const struct netdev_stt_reasm *r,
                                struct netdev_stt_reasm_stats *stats);

/* Makes a packet of the complete STT frame 'frame' ('size' bytes) that
 * arrived as 'seg' (its outer fields): the inner Ethernet frame (with the
 * header's VLAN tag put back into it), its offload state from the flags,
 * and md.tunnel (tun_id = context ID, outer addresses, TOS, TTL, ports,
 * flags key and csum).  Returns the packet (the caller owns it), or NULL
 * for a malformed frame (bad version, inner frame shorter than Ethernet,
 * L4 offset or MSS that do not fit it). */
struct packet *netdev_stt_decap(const uint8_t *frame, size_t size,
                                const struct netdev_stt_seg *seg);

#endif /* datapath/netdev-stt.h */
