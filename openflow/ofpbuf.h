/* A growable byte buffer for building OpenFlow messages: bytes are appended
 * at the tail ("put"), may be inserted at the head ("push"), and a builder
 * may reserve room first.  The OpenFlow encoders (openflow/ofp-msgs.h) write
 * into one; the connection layer sends its bytes.  Unlike lib/ds it holds
 * binary data and is never null-terminated.
 *
 * Offsets, not pointers, should be kept across puts, because a put may move
 * the data (ofpbuf_at() turns an offset back into a pointer). */
#ifndef OPENFLOW_OFPBUF_H
#define OPENFLOW_OFPBUF_H 1

#include <stddef.h>
#include <stdint.h>

#include "lib/byteorder.h"
#include "lib/util.h"

struct ofpbuf {
    uint8_t *data;              /* Owned by the ofpbuf; NULL when empty and
                                 * never grown. */
    size_t size;                /* Bytes in use. */
    size_t allocated;           /* Bytes allocated at 'data'. */
};

#define OFPBUF_EMPTY_INITIALIZER { NULL, 0, 0 }

void ofpbuf_init(struct ofpbuf *);
void ofpbuf_uninit(struct ofpbuf *);
void ofpbuf_clear(struct ofpbuf *);
void ofpbuf_reserve(struct ofpbuf *, size_t min_free);
uint8_t *ofpbuf_steal(struct ofpbuf *, size_t *sizep);

void *ofpbuf_put_uninit(struct ofpbuf *, size_t n);
void *ofpbuf_put_zeros(struct ofpbuf *, size_t n);
void *ofpbuf_put(struct ofpbuf *, const void *, size_t n);
void ofpbuf_put_u8(struct ofpbuf *, uint8_t);
void ofpbuf_put_be16(struct ofpbuf *, uint16_t host_value);
void ofpbuf_put_be32(struct ofpbuf *, uint32_t host_value);
void ofpbuf_put_be64(struct ofpbuf *, uint64_t host_value);
void ofpbuf_pad_to(struct ofpbuf *, size_t alignment, size_t start_ofs);
void *ofpbuf_push(struct ofpbuf *, const void *, size_t n);
void ofpbuf_truncate(struct ofpbuf *, size_t new_size);

void ofpbuf_set_be16(struct ofpbuf *, size_t ofs, uint16_t host_value);
void ofpbuf_set_be32(struct ofpbuf *, size_t ofs, uint32_t host_value);

/* Returns a pointer to the byte at offset 'ofs' in 'b', which must be in
 * use (or 'ofs' == size).  Valid until the next put or push. */
static inline void *
ofpbuf_at(const struct ofpbuf *b, size_t ofs)
{
    ASSERT(ofs <= b->size);
    return b->data + ofs;
}

#endif /* openflow/ofpbuf.h */
