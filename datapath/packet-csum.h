/* Internet checksums (RFC 1071, incremental update per RFC 1624) and the
 * software fallbacks for offloads: finishing a partial L4 checksum and
 * segmenting a TCP GSO super-frame, for a packet that leaves through a
 * port that cannot take them (netdev.c) or is rewritten by NAT or
 * dec_ttl (actions).
 *
 * Sums are computed over 16-bit words in memory order, so a folded result
 * is stored as is (it is a be16) whatever the host's byte order.  A
 * partial sum is a uint32_t accumulator that packet_csum_fold() closes. */
#ifndef DATAPATH_PACKET_CSUM_H
#define DATAPATH_PACKET_CSUM_H 1

#include <stddef.h>
#include <stdint.h>

#include "lib/byteorder.h"
#include "lib/util.h"

struct packet;

/* Returns 'sum' plus the 16-bit words of the 'size' bytes at 'data' (a
 * trailing odd byte is padded with zero, so only the last piece of a
 * checksummed range may have an odd size). */
uint32_t packet_csum_add(uint32_t sum, const void *data, size_t size);
/* Copies the 'size' bytes at 'src' to 'dst' (the two must not overlap) and
 * returns 'sum' plus their 16-bit words, as packet_csum_add() would: one
 * pass over the bytes where memcpy() and packet_csum_add() take two. */
uint32_t packet_csum_copy(uint32_t sum, void *dst, const void *src,
                          size_t size);
/* Folds 'sum' to 16 bits and complements it: the checksum to store. */
be16 packet_csum_fold(uint32_t sum);

/* Partial sums of the TCP/UDP pseudo-headers: IPv4 (RFC 793, 768) with
 * 'src' and 'dst' as in the header, and IPv6 (RFC 8200 §8.1) with the
 * 16-byte addresses at 'src' and 'dst'.  'l4_size' is the L4 header plus
 * payload in bytes. */
uint32_t packet_csum_pseudo_ipv4(be32 src, be32 dst, uint8_t proto,
                                 uint16_t l4_size);
uint32_t packet_csum_pseudo_ipv6(const void *src, const void *dst,
                                 uint8_t proto, uint32_t l4_size);

/* The checksum of the IPv4 header at 'ip' (its IHL gives the length),
 * computed as if its checksum field were zero. */
be16 packet_csum_ipv4_header(const void *ip);

/* RFC 1624 eqn. 3: the checksum 'csum' of a range in which a 16-bit word
 * 'old' became 'new' (HC' = ~(~HC + ~m + m')); the 32-bit and 128-bit
 * forms change two or eight aligned words at once (an IPv4 or IPv6
 * address at an even offset). */
be16 packet_csum_update16(be16 csum, be16 old, be16 new);
be16 packet_csum_update32(be16 csum, be32 old, be32 new);
be16 packet_csum_update128(be16 csum, const void *old, const void *new);

/* Completes the PACKET_CSUM_PARTIAL checksum of 'p': sums its data from
 * csum_start to the end (the field at csum_start + csum_offset holds the
 * pseudo-header sum, as virtio_net_hdr defines) and stores the result
 * there; 'p' becomes PACKET_CSUM_NONE.  Does nothing to a packet that is
 * not PARTIAL.  Returns 0, or -EINVAL if the offsets lie outside the data
 * (the packet is left unchanged). */
int packet_csum_finish(struct packet *p) WARN_UNUSED_RESULT;

/* The number of segments packet_csum_segment() makes of 'p' (at least 1),
 * or a negative errno as packet_csum_segment() would return. */
int packet_csum_n_segments(const struct packet *p);

/* Software GSO: cuts the PACKET_GSO_TCPV4 or PACKET_GSO_TCPV6 super-frame
 * 'p' (Ethernet, up to two VLAN tags, IPv4 or IPv6 without extension
 * headers, TCP) into frames carrying at most p->gso_size bytes of TCP
 * payload each, stored as new packets in 'segs' (at most 'max_segs').
 * Each has the headers of 'p' with the IPv4 total length / IPv6 payload
 * length, IPv4 id (+1 per segment) and TCP sequence number adjusted, FIN
 * and PSH kept only on the last, CWR only on the first, and complete IPv4
 * and TCP checksums; its metadata is that of 'p'.  'p' is not changed.
 * Returns the number of segments (the caller owns them), or -EINVAL for a
 * malformed frame, -EPROTONOSUPPORT for another GSO type, -E2BIG if
 * 'max_segs' is too small (no packet is made then). */
int packet_csum_segment(const struct packet *p, struct packet **segs,
                        size_t max_segs) WARN_UNUSED_RESULT;

/* One segment of a super-frame cut by packet_csum_segment_headers(): its
 * headers, then its payload, to be sent one after the other. */
struct packet_segment {
    const uint8_t *hdr;         /* Headers, complete with checksums. */
    size_t hdr_size;            /* Their bytes. */
    const uint8_t *payload;     /* Payload: inside the super-frame. */
    size_t payload_size;        /* Its bytes. */
};

/* Software GSO without copying the payload: cuts 'p' as
 * packet_csum_segment() does, but writes only each segment's headers, one
 * after the other into 'hdrs' ('hdrs_size' bytes), and describes segment
 * i in segs[i], whose payload points into 'p' (so 'p' must outlive its
 * use, unchanged).  Returns the number of segments, or a negative errno as
 * packet_csum_segment() does (-E2BIG also when 'hdrs' is too small). */
int packet_csum_segment_headers(const struct packet *p, uint8_t *hdrs,
                                size_t hdrs_size,
                                struct packet_segment *segs,
                                size_t max_segs) WARN_UNUSED_RESULT;

#endif /* datapath/packet-csum.h */
