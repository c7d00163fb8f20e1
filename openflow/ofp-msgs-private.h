/* Helpers shared by ofp-msgs.c, ofp-msgs-stats.c and ofp-msgs-nx.c, and
 * included by nothing else. */
#ifndef OPENFLOW_OFP_MSGS_PRIVATE_H
#define OPENFLOW_OFP_MSGS_PRIVATE_H 1

#include <string.h>

#include "openflow/ofp-msgs.h"

#define V10 (1u << OFP10_VERSION)
#define V13 (1u << OFP13_VERSION)
#define V14 (1u << OFP14_VERSION)
#define V15 (1u << OFP15_VERSION)
#define V13UP (V13 | V14 | V15)
#define V14UP (V14 | V15)
#define VALL (V10 | V13UP)

#define OFPMSG_PAD8(N) (((N) + 7) & ~(size_t) 7)

/* Unaligned network-order reads. */
static inline uint16_t
ofpmsg__get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t
ofpmsg__get32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

static inline uint64_t
ofpmsg__get64(const uint8_t *p)
{
    return (uint64_t) ofpmsg__get32(p) << 32 | ofpmsg__get32(p + 4);
}

/* OF1.0 16-bit port numbers <-> OF1.1+ 32-bit ones. */
static inline uint32_t
ofpmsg__port_from10(uint16_t port)
{
    return port >= 0xff00 ? port + 0xffff0000u : port;
}

static inline uint16_t
ofpmsg__port_to10(uint32_t port)
{
    return port >= 0xffffff00u ? (uint16_t) (port - 0xffff0000u)
           : port >= 0xff00 ? 0 : (uint16_t) port;
}

/* Copies the null-padded string field of 'size' bytes at 'p' into 'dst'
 * (size + 1 bytes), always null-terminating. */
static inline void
ofpmsg__get_str(char *dst, const uint8_t *p, size_t size)
{
    memcpy(dst, p, size);
    dst[size] = '\0';
}

/* Appends 'src' as a null-padded field of 'size' bytes (truncating). */
static inline void
ofpmsg__put_str(struct ofpbuf *b, const char *src, size_t size)
{
    uint8_t *dst = ofpbuf_put_zeros(b, size);
    size_t n = strnlen(src, size);
    memcpy(dst, src, n);
}

size_t ofpmsg__start(struct ofpbuf *, enum ofpmsg_type, enum ofpmsg_family,
                     uint8_t version, uint32_t xid);
void ofpmsg__finish(struct ofpbuf *, size_t start_ofs);

enum ofperr ofpmsg__check_tlvs(const uint8_t *, size_t, enum ofperr err);
enum ofperr ofpmsg__check_actions(struct ofpmsg_actions *);
enum ofperr ofpmsg__pull_oxm_match(const uint8_t **p, size_t *left,
                                struct ofpmsg_match *);
enum ofperr ofpmsg__pull_nxm_match(const uint8_t **p, size_t *left,
                                size_t match_len, struct ofpmsg_match *);
void ofpmsg__put_oxm_match(struct ofpbuf *, const struct ofpmsg_match *);
enum ofperr ofpmsg__nxm_cookie(const struct ofpmsg_match *, bool *found,
                               uint64_t *cookie, uint64_t *cookie_mask);
size_t ofpmsg__put_nxm_match(struct ofpbuf *, const struct ofpmsg_match *,
                             uint64_t cookie, uint64_t cookie_mask);
void ofpmsg__put_actions(struct ofpbuf *, const struct ofpmsg_actions *);
void ofpmsg__put_buckets(struct ofpbuf *, uint8_t version,
                         const struct ofpmsg_bucket *, size_t n);

#endif /* openflow/ofp-msgs-private.h */
