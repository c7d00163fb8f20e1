/* Byte-order types.  A be16/be32/be64 holds a value in network byte order,
 * exactly as on the wire; sparse's "bitwise" attribute (when checking with
 * sparse) makes mixing them with host-order integers an error. */
#ifndef LIB_BYTEORDER_H
#define LIB_BYTEORDER_H 1

#include <arpa/inet.h>
#include <endian.h>
#include <stdint.h>

#ifdef __CHECKER__
#define KILN_BITWISE __attribute__((bitwise))
#define KILN_FORCE __attribute__((force))
#else
#define KILN_BITWISE
#define KILN_FORCE
#endif

typedef uint16_t KILN_BITWISE be16;
typedef uint32_t KILN_BITWISE be32;
typedef uint64_t KILN_BITWISE be64;

static inline be16 htonbe16(uint16_t x) { return (KILN_FORCE be16) htons(x); }
static inline be32 htonbe32(uint32_t x) { return (KILN_FORCE be32) htonl(x); }
static inline be64
htonbe64(uint64_t x)
{
    return (KILN_FORCE be64) htobe64(x);
}
static inline uint16_t be16_to_host(be16 x) { return ntohs((KILN_FORCE uint16_t) x); }
static inline uint32_t be32_to_host(be32 x) { return ntohl((KILN_FORCE uint32_t) x); }
static inline uint64_t
be64_to_host(be64 x)
{
    return be64toh((KILN_FORCE uint64_t) x);
}

/* Constants usable in static initializers and case labels. */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define BE16_CONST(X) ((be16) ((((X) & 0xff) << 8) | (((X) >> 8) & 0xff)))
#define BE32_CONST(X) ((be32) (((uint32_t) BE16_CONST((X) & 0xffff) << 16) \
                               | BE16_CONST(((X) >> 16) & 0xffff)))
#else
#define BE16_CONST(X) ((be16) (X))
#define BE32_CONST(X) ((be32) (X))
#endif

#endif /* lib/byteorder.h */
