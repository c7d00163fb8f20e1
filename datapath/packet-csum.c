/* Internet checksums and software offload fallbacks; see packet-csum.h. */
#include "datapath/packet-csum.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "datapath/packet.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#define ETH_HDR_SIZE 14
#define VLAN_HDR_SIZE 4
#define IPV4_MIN_HDR_SIZE 20
#define IPV6_HDR_SIZE 40
#define TCP_MIN_HDR_SIZE 20
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static uint16_t
load16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t
load32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t
load64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

static void
store16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof v);
}

static void
store32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

/* Folds a 64-bit accumulator into 32 bits without losing carries. */
static uint32_t
fold64(uint64_t sum)
{
    sum = (sum & 0xffffffff) + (sum >> 32);
    sum = (sum & 0xffffffff) + (sum >> 32);
    return sum;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define CSUM_HAVE_AVX2 1

/* Bytes from which the vector loop pays for its set-up and final
 * reduction. */
#define CSUM_AVX2_MIN 256

/* Returns the sum of the 16-bit words (loaded little-endian, as the scalar
 * loop does) of the 64 * 'n_blocks' bytes at 'p', unfolded, and copies
 * them to 'dst' unless it is null.  Each 32-bit lane of a loaded vector
 * holds two words; masking and shifting put them into 32-bit accumulators,
 * which take 2 * 16384 words of at most 0xffff before they are widened
 * into 64-bit ones: two adds per 16 bytes where the add-with-carry chain
 * does one per 8, and no carry chain to wait on.  Always inlined, so that
 * each caller gets a loop without the test. */
__attribute__((target("avx2"), always_inline)) static inline uint64_t
csum_blocks_avx2__(uint8_t *dst, const uint8_t *p, size_t n_blocks)
{
    const __m256i low = _mm256_set1_epi32(0xffff);
    __m256i wide = _mm256_setzero_si256();

    while (n_blocks) {
        size_t chunk = MIN(n_blocks, (size_t) 16384);
        __m256i a = _mm256_setzero_si256(), b = _mm256_setzero_si256();

        n_blocks -= chunk;
        for (; chunk; chunk--, p += 64) {
            __m256i v0 = _mm256_loadu_si256((const __m256i *) p);
            __m256i v1 = _mm256_loadu_si256((const __m256i *) (p + 32));

            if (dst) {
                _mm256_storeu_si256((__m256i *) dst, v0);
                _mm256_storeu_si256((__m256i *) (dst + 32), v1);
                dst += 64;
            }
            a = _mm256_add_epi32(a, _mm256_and_si256(v0, low));
            b = _mm256_add_epi32(b, _mm256_srli_epi32(v0, 16));
            a = _mm256_add_epi32(a, _mm256_and_si256(v1, low));
            b = _mm256_add_epi32(b, _mm256_srli_epi32(v1, 16));
        }
        a = _mm256_add_epi64(
            _mm256_cvtepu32_epi64(_mm256_castsi256_si128(a)),
            _mm256_cvtepu32_epi64(_mm256_extracti128_si256(a, 1)));
        b = _mm256_add_epi64(
            _mm256_cvtepu32_epi64(_mm256_castsi256_si128(b)),
            _mm256_cvtepu32_epi64(_mm256_extracti128_si256(b, 1)));
        wide = _mm256_add_epi64(wide, _mm256_add_epi64(a, b));
    }
    uint64_t lanes[4];

    _mm256_storeu_si256((__m256i *) lanes, wide);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

__attribute__((target("avx2"))) static uint64_t
csum_blocks_avx2(const uint8_t *p, size_t n_blocks)
{
    return csum_blocks_avx2__(NULL, p, n_blocks);
}

__attribute__((target("avx2"))) static uint64_t
csum_copy_blocks_avx2(uint8_t *dst, const uint8_t *p, size_t n_blocks)
{
    return csum_blocks_avx2__(dst, p, n_blocks);
}

/* Whether this CPU runs csum_blocks_avx2() (a load and a test of what
 * the compiler's run time found at start-up). */
static bool
csum_use_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}
#endif

/* Adds the words of 'data' to 'sum'.  Words are loaded in memory order, so
 * the result is in memory order too (RFC 1071 §2(B): the sum is byte
 * order independent).  The bulk is summed as 64-bit words into a 128-bit
 * accumulator, an add and an add-with-carry per word; the carries out of
 * the low half count as ones, since 2^64 = 1 modulo 2^16 - 1 (RFC 1071
 * §2(C), "deferred carries"). */
uint32_t
packet_csum_add(uint32_t sum, const void *data, size_t size)
{
    const uint8_t *p = data;
    unsigned __int128 wide = sum;
    uint64_t acc;

#if CSUM_HAVE_AVX2
    if (size >= CSUM_AVX2_MIN && csum_use_avx2()) {
        wide += csum_blocks_avx2(p, size / 64);
        p += size / 64 * 64;
        size %= 64;
    }
#endif
#if defined(__x86_64__)
    /* One chain of add-with-carry: a word a cycle, where the portable
     * loop below takes about three instructions a word. */
    uint64_t chain = 0;
    for (; size >= 64; size -= 64, p += 64) {
        __asm__("addq 0(%[p]), %[acc]\n\t"
                "adcq 8(%[p]), %[acc]\n\t"
                "adcq 16(%[p]), %[acc]\n\t"
                "adcq 24(%[p]), %[acc]\n\t"
                "adcq 32(%[p]), %[acc]\n\t"
                "adcq 40(%[p]), %[acc]\n\t"
                "adcq 48(%[p]), %[acc]\n\t"
                "adcq 56(%[p]), %[acc]\n\t"
                "adcq $0, %[acc]"
                : [acc] "+r" (chain)
                : [p] "r" (p), "m" (*(const uint8_t (*)[64]) p)
                : "cc");
    }
    wide += chain;
#endif
    for (; size >= 32; size -= 32, p += 32) {
        wide += load64(p);
        wide += load64(p + 8);
        wide += load64(p + 16);
        wide += load64(p + 24);
    }
    for (; size >= 8; size -= 8, p += 8) {
        wide += load64(p);
    }
    acc = (uint64_t) wide;
    uint64_t carries = (uint64_t) (wide >> 64);
    acc += carries;
    acc += acc < carries;
    acc = (uint64_t) fold64(acc);
    if (size >= 4) {
        acc += load32(p);
        p += 4;
        size -= 4;
    }
    if (size >= 2) {
        acc += load16(p);
        p += 2;
        size -= 2;
    }
    if (size) {
        uint8_t last[2] = { *p, 0 };

        acc += load16(last);
    }
    return fold64(acc);
}

uint32_t
packet_csum_copy(uint32_t sum, void *dst_, const void *src_, size_t size)
{
    uint8_t *dst = dst_;
    const uint8_t *src = src_;

#if CSUM_HAVE_AVX2
    if (size >= CSUM_AVX2_MIN && csum_use_avx2()) {
        size_t bulk = size / 64 * 64;

        sum = fold64(sum + csum_copy_blocks_avx2(dst, src, size / 64));
        dst += bulk;
        src += bulk;
        size -= bulk;
    }
#endif
    memcpy(dst, src, size);
    return packet_csum_add(sum, dst, size);
}

be16
packet_csum_fold(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (be16) (uint16_t) ~sum;
}

uint32_t
packet_csum_pseudo_ipv4(be32 src, be32 dst, uint8_t proto, uint16_t l4_size)
{
    uint64_t acc = (uint64_t) (uint32_t) src + (uint32_t) dst;

    acc += (uint16_t) htonbe16(proto);
    acc += (uint16_t) htonbe16(l4_size);
    return fold64(acc);
}

uint32_t
packet_csum_pseudo_ipv6(const void *src, const void *dst, uint8_t proto,
                        uint32_t l4_size)
{
    uint32_t sum = packet_csum_add(0, src, 16);
    uint64_t acc;

    sum = packet_csum_add(sum, dst, 16);
    acc = (uint64_t) sum + (uint32_t) htonbe32(l4_size)
          + (uint32_t) htonbe32(proto);
    return fold64(acc);
}

be16
packet_csum_ipv4_header(const void *ip)
{
    const uint8_t *h = ip;
    size_t hlen = (h[0] & 0x0f) * 4;
    uint32_t sum = packet_csum_add(0, h, 10);

    /* Bytes 10-11 are the checksum field itself: skipped. */
    sum = packet_csum_add(sum, h + 12, hlen > 12 ? hlen - 12 : 0);
    return packet_csum_fold(sum);
}

be16
packet_csum_update16(be16 csum, be16 old, be16 new)
{
    uint32_t sum = (uint16_t) ~(uint16_t) csum;

    sum += (uint16_t) ~(uint16_t) old;
    sum += (uint16_t) new;
    return packet_csum_fold(sum);
}

be16
packet_csum_update32(be16 csum, be32 old, be32 new)
{
    uint32_t o = (uint32_t) old, n = (uint32_t) new;
    uint32_t sum = (uint16_t) ~(uint16_t) csum;

    sum += (uint16_t) ~(o & 0xffff) + (uint16_t) ~(o >> 16);
    sum += (n & 0xffff) + (n >> 16);
    return packet_csum_fold(sum);
}

be16
packet_csum_update128(be16 csum, const void *old, const void *new)
{
    const uint8_t *o = old, *n = new;

    for (int i = 0; i < 16; i += 4) {
        csum = packet_csum_update32(csum, (be32) load32(o + i),
                                    (be32) load32(n + i));
    }
    return csum;
}

int
packet_csum_finish(struct packet *p)
{
    if (p->csum != PACKET_CSUM_PARTIAL) {
        return 0;
    }

    size_t start = p->csum_start;
    size_t field = start + p->csum_offset;
    if (start > p->size || field + 2 > p->size) {
        return -EINVAL;
    }

    uint8_t *data = packet_data(p);
    be16 csum = packet_csum_fold(packet_csum_add(0, data + start,
                                                 p->size - start));
    /* As the kernel does, a zero result is sent as 0xffff: for UDP a zero
     * would mean "no checksum" (RFC 768); for the others it is the same
     * value in ones' complement. */
    store16(data + field, csum ? (uint16_t) csum : 0xffff);
    p->csum = PACKET_CSUM_NONE;
    return 0;
}

/* Where the headers of a TCP super-frame are. */
struct tcp_frame {
    size_t l3;                  /* Offset of the IP header. */
    size_t l4;                  /* Offset of the TCP header. */
    size_t hdr_size;            /* Bytes of headers, L2 to TCP options. */
    size_t payload;             /* Bytes of TCP payload. */
    bool ipv4;                  /* IPv4, else IPv6. */
};

/* Finds the headers of 'p', a TCP GSO frame.  Returns 0 or a negative
 * errno as packet_csum_segment() documents. */
static int
parse_tcp_frame(const struct packet *p, struct tcp_frame *f)
{
    const uint8_t *d = packet_data(p);
    size_t size = p->size, ofs = 12;
    uint16_t type;

    if (p->gso != PACKET_GSO_TCPV4 && p->gso != PACKET_GSO_TCPV6) {
        return -EPROTONOSUPPORT;
    }
    if (!p->gso_size || size < ETH_HDR_SIZE) {
        return -EINVAL;
    }
    type = be16_to_host((be16) load16(d + ofs));
    for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2;
         tags++) {
        ofs += VLAN_HDR_SIZE;
        if (ofs + 2 > size) {
            return -EINVAL;
        }
        type = be16_to_host((be16) load16(d + ofs));
    }
    f->l3 = ofs + 2;

    if (type == 0x0800) {
        size_t ihl;

        if (f->l3 + IPV4_MIN_HDR_SIZE > size || (d[f->l3] >> 4) != 4) {
            return -EINVAL;
        }
        ihl = (d[f->l3] & 0x0f) * 4;
        if (ihl < IPV4_MIN_HDR_SIZE || d[f->l3 + 9] != 6) {
            return -EINVAL;
        }
        f->l4 = f->l3 + ihl;
        f->ipv4 = true;
    } else if (type == 0x86dd) {
        if (f->l3 + IPV6_HDR_SIZE > size || (d[f->l3] >> 4) != 6
            || d[f->l3 + 6] != 6) {
            return -EINVAL;
        }
        f->l4 = f->l3 + IPV6_HDR_SIZE;
        f->ipv4 = false;
    } else {
        return -EINVAL;
    }

    if (f->l4 + TCP_MIN_HDR_SIZE > size) {
        return -EINVAL;
    }
    size_t thl = (d[f->l4 + 12] >> 4) * 4;
    if (thl < TCP_MIN_HDR_SIZE || f->l4 + thl > size) {
        return -EINVAL;
    }
    f->hdr_size = f->l4 + thl;
    f->payload = size - f->hdr_size;
    if (f->l4 - f->l3 + thl + p->gso_size > 65535) {
        return -EINVAL;
    }
    return 0;
}

/* Parses the TCP GSO frame 'p' into '*f' and returns the number of
 * segments it makes, or a negative errno as packet_csum_segment() does
 * (-E2BIG for more than 'max_segs'). */
static int
count_segments(const struct packet *p, struct tcp_frame *f, size_t max_segs)
{
    int err = parse_tcp_frame(p, f);

    if (err) {
        return err;
    }
    size_t n = f->payload ? (f->payload + p->gso_size - 1) / p->gso_size : 1;
    return n > max_segs ? -E2BIG : (int) n;
}

/* Where segment 'i' of 'p' (framed as 'f') takes its payload from. */
static void
segment_span(const struct packet *p, const struct tcp_frame *f, size_t i,
             size_t *ofs, size_t *len)
{
    *ofs = f->hdr_size + i * p->gso_size;
    *len = MIN((size_t) p->gso_size, p->size - *ofs);
}

int
packet_csum_n_segments(const struct packet *p)
{
    struct tcp_frame f;

    return count_segments(p, &f, SIZE_MAX);
}

/* Rewrites 'hdr', a copy of the 'f->hdr_size' header bytes of the
 * super-frame, into those of segment number 'i' of 'n', which carries
 * 'len' payload bytes from offset 'payload_ofs' of the super-frame, whose
 * ones' complement sum (packet_csum_add()) is 'payload_sum'. */
static void
fix_segment_headers(uint8_t *hdr, const struct tcp_frame *f, size_t i,
                    size_t n, size_t payload_ofs, size_t len,
                    uint32_t payload_sum)
{
    uint8_t *ip = hdr + f->l3, *tcp = hdr + f->l4;
    size_t l4_size = f->hdr_size - f->l4 + len;

    /* TCP: sequence number, flags, then the checksum over it all. */
    uint32_t seq = be32_to_host((be32) load32(tcp + 4));
    store32(tcp + 4, (uint32_t) htonbe32(seq + (uint32_t) (payload_ofs
                                                         - f->hdr_size)));
    if (i + 1 < n) {
        tcp[13] &= ~(TCP_FIN | TCP_PSH);
    }
    if (i > 0) {
        tcp[13] &= ~TCP_CWR;
    }
    store16(tcp + 16, 0);

    uint32_t sum;
    if (f->ipv4) {
        uint16_t id = be16_to_host((be16) load16(ip + 4));

        store16(ip + 2, (uint16_t) htonbe16(f->l4 - f->l3 + l4_size));
        store16(ip + 4, (uint16_t) htonbe16(id + i));
        store16(ip + 10, 0);
        store16(ip + 10, (uint16_t) packet_csum_ipv4_header(ip));
        sum = packet_csum_pseudo_ipv4((be32) load32(ip + 12),
                                      (be32) load32(ip + 16), 6, l4_size);
    } else {
        store16(ip + 4, (uint16_t) htonbe16(l4_size));
        sum = packet_csum_pseudo_ipv6(ip + 8, ip + 24, 6, l4_size);
    }
    sum = packet_csum_add(sum, tcp, f->hdr_size - f->l4);
    /* The TCP header has an even length, so the payload's words line up
     * with the header's and its sum adds in as it is. */
    sum = fold64((uint64_t) sum + payload_sum);
    store16(tcp + 16, (uint16_t) packet_csum_fold(sum));
}

/* Makes segment number 'i' of 'n', with 'len' bytes of payload from
 * 'payload_ofs' of the super-frame 'p' framed as 'f' says. */
static struct packet *
make_segment(const struct packet *p, const struct tcp_frame *f,
             size_t i, size_t n, size_t payload_ofs, size_t len)
{
    struct packet *s = packet_create(f->hdr_size + len, PACKET_HEADROOM);
    const uint8_t *src = packet_data(p);
    uint8_t *d = packet_put_uninit(s, f->hdr_size + len);

    memcpy(d, src, f->hdr_size);
    memcpy(d + f->hdr_size, src + payload_ofs, len);
    s->md = p->md;
    s->l2_ofs = 0;
    s->l3_ofs = f->l3;
    s->l4_ofs = f->l4;
    fix_segment_headers(d, f, i, n, payload_ofs, len,
                        packet_csum_add(0, d + f->hdr_size, len));
    return s;
}

int
packet_csum_segment_headers(const struct packet *p, uint8_t *hdrs,
                            size_t hdrs_size, struct packet_segment *segs,
                            size_t max_segs)
{
    struct tcp_frame f;
    int n = count_segments(p, &f, max_segs);

    if (n < 0) {
        return n;
    }
    if ((size_t) n * f.hdr_size > hdrs_size) {
        return -E2BIG;
    }
    const uint8_t *src = packet_data(p);
    for (int i = 0; i < n; i++) {
        uint8_t *h = hdrs + i * f.hdr_size;
        size_t ofs, len;

        segment_span(p, &f, i, &ofs, &len);
        memcpy(h, src, f.hdr_size);
        fix_segment_headers(h, &f, i, n, ofs, len,
                            packet_csum_add(0, src + ofs, len));
        segs[i] = (struct packet_segment) {
            .hdr = h, .hdr_size = f.hdr_size,
            .payload = src + ofs, .payload_size = len,
        };
    }
    return n;
}

int
packet_csum_segment(const struct packet *p, struct packet **segs,
                    size_t max_segs)
{
    struct tcp_frame f;
    int n = count_segments(p, &f, max_segs);

    for (int i = 0; i < n; i++) {
        size_t ofs, len;

        segment_span(p, &f, i, &ofs, &len);
        segs[i] = make_segment(p, &f, i, n, ofs, len);
    }
    return n;
}
