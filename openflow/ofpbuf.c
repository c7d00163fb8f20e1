/* Growable byte buffer for OpenFlow message building. */
#include "openflow/ofpbuf.h"

#include <stdlib.h>
#include <string.h>

/* Initializes 'b' as empty, with nothing allocated. */
void
ofpbuf_init(struct ofpbuf *b)
{
    b->data = NULL;
    b->size = 0;
    b->allocated = 0;
}

/* Frees what 'b' holds.  'b' may be reused only after ofpbuf_init(). */
void
ofpbuf_uninit(struct ofpbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->size = b->allocated = 0;
}

/* Empties 'b', keeping its allocation. */
void
ofpbuf_clear(struct ofpbuf *b)
{
    b->size = 0;
}

/* Makes sure at least 'min_free' bytes can be put into 'b' without
 * reallocating. */
void
ofpbuf_reserve(struct ofpbuf *b, size_t min_free)
{
    if (b->allocated - b->size >= min_free) {
        return;
    }
    size_t want = b->size + min_free;
    size_t alloc = b->allocated ? b->allocated : 64;
    while (alloc < want) {
        alloc *= 2;
    }
    b->data = xrealloc(b->data, alloc);
    b->allocated = alloc;
}

/* Transfers 'b''s data to the caller, who must free() it, storing its size
 * in '*sizep'; 'b' is left empty.  Returns NULL (size 0) if 'b' never
 * held data. */
uint8_t *
ofpbuf_steal(struct ofpbuf *b, size_t *sizep)
{
    uint8_t *data = b->data;
    *sizep = b->size;
    ofpbuf_init(b);
    return data;
}

/* Appends 'n' uninitialized bytes to 'b' and returns a pointer to them,
 * valid until the next put or push. */
void *
ofpbuf_put_uninit(struct ofpbuf *b, size_t n)
{
    /* Even an empty put returns a valid pointer: callers may hand it to
     * memcpy() with a zero length. */
    ofpbuf_reserve(b, n ? n : 1);
    void *p = b->data + b->size;
    b->size += n;
    return p;
}

/* Appends 'n' zero bytes to 'b' and returns a pointer to them. */
void *
ofpbuf_put_zeros(struct ofpbuf *b, size_t n)
{
    void *p = ofpbuf_put_uninit(b, n);
    if (n) {
        memset(p, 0, n);
    }
    return p;
}

/* Appends a copy of the 'n' bytes at 'p' to 'b' and returns a pointer to
 * the copy. */
void *
ofpbuf_put(struct ofpbuf *b, const void *p, size_t n)
{
    void *dst = ofpbuf_put_uninit(b, n);
    if (n) {
        memcpy(dst, p, n);
    }
    return dst;
}

/* Appends one byte. */
void
ofpbuf_put_u8(struct ofpbuf *b, uint8_t v)
{
    *(uint8_t *) ofpbuf_put_uninit(b, 1) = v;
}

/* Appends 'v' as 2 bytes in network byte order. */
void
ofpbuf_put_be16(struct ofpbuf *b, uint16_t v)
{
    be16 x = htonbe16(v);
    ofpbuf_put(b, &x, sizeof x);
}

/* Appends 'v' as 4 bytes in network byte order. */
void
ofpbuf_put_be32(struct ofpbuf *b, uint32_t v)
{
    be32 x = htonbe32(v);
    ofpbuf_put(b, &x, sizeof x);
}

/* Appends 'v' as 8 bytes in network byte order. */
void
ofpbuf_put_be64(struct ofpbuf *b, uint64_t v)
{
    be64 x = htonbe64(v);
    ofpbuf_put(b, &x, sizeof x);
}

/* Appends zero bytes until the length of the data since 'start_ofs' is a
 * multiple of 'alignment'. */
void
ofpbuf_pad_to(struct ofpbuf *b, size_t alignment, size_t start_ofs)
{
    ASSERT(start_ofs <= b->size && alignment);
    size_t len = b->size - start_ofs;
    size_t pad = (alignment - len % alignment) % alignment;
    ofpbuf_put_zeros(b, pad);
}

/* Inserts a copy of the 'n' bytes at 'p' at the head of 'b' (moving what
 * is there) and returns a pointer to the copy. */
void *
ofpbuf_push(struct ofpbuf *b, const void *p, size_t n)
{
    ofpbuf_reserve(b, n);
    if (b->size) {
        memmove(b->data + n, b->data, b->size);
    }
    if (n) {
        memcpy(b->data, p, n);
    }
    b->size += n;
    return b->data;
}

/* Shortens 'b' to 'new_size' bytes, which must not exceed its size. */
void
ofpbuf_truncate(struct ofpbuf *b, size_t new_size)
{
    ASSERT(new_size <= b->size);
    b->size = new_size;
}

/* Overwrites the 2 bytes at 'ofs' with 'v' in network byte order. */
void
ofpbuf_set_be16(struct ofpbuf *b, size_t ofs, uint16_t v)
{
    ASSERT(ofs + 2 <= b->size);
    be16 x = htonbe16(v);
    memcpy(b->data + ofs, &x, sizeof x);
}

/* Overwrites the 4 bytes at 'ofs' with 'v' in network byte order. */
void
ofpbuf_set_be32(struct ofpbuf *b, size_t ofs, uint32_t v)
{
    ASSERT(ofs + 4 <= b->size);
    be32 x = htonbe32(v);
    memcpy(b->data + ofs, &x, sizeof x);
}
