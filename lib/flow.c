/* Word-wise operations on flow keys and masks; see flow.h. */
#include "lib/flow.h"

#include "lib/hash.h"

void
flow_apply_mask(struct flow *dst, const struct flow_wildcards *mask)
{
    uint64_t *d = flow_u64_rw(dst);
    const uint64_t *m = flow_u64(&mask->masks);

    for (size_t i = 0; i < FLOW_U64S; i++) {
        d[i] &= m[i];
    }
}

bool
flow_equal_except(const struct flow *a, const struct flow *b,
                  const struct flow_wildcards *mask)
{
    const uint64_t *pa = flow_u64(a);
    const uint64_t *pb = flow_u64(b);
    const uint64_t *m = flow_u64(&mask->masks);

    for (size_t i = 0; i < FLOW_U64S; i++) {
        if ((pa[i] ^ pb[i]) & m[i]) {
            return false;
        }
    }
    return true;
}

void
flow_wildcards_or(struct flow_wildcards *dst,
                  const struct flow_wildcards *src)
{
    uint64_t *d = flow_u64_rw(&dst->masks);
    const uint64_t *s = flow_u64(&src->masks);

    for (size_t i = 0; i < FLOW_U64S; i++) {
        d[i] |= s[i];
    }
}

void
flow_map_from_mask(struct flow_map *map, const struct flow_wildcards *mask)
{
    const uint64_t *m = flow_u64(&mask->masks);

    memset(map, 0, sizeof *map);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (m[i]) {
            map->bits[i / 64] |= UINT64_C(1) << (i % 64);
        }
    }
}

uint32_t
flow_hash_in_map(const struct flow *flow, const struct flow_wildcards *mask,
                 const struct flow_map *map, uint32_t basis)
{
    const uint64_t *f = flow_u64(flow);
    const uint64_t *m = flow_u64(&mask->masks);
    uint32_t hash = basis;
    uint32_t n = 0;

    for (size_t w = 0; w < FLOW_MAP_WORDS; w++) {
        for (uint64_t bits = map->bits[w]; bits; bits &= bits - 1) {
            size_t i = w * 64 + __builtin_ctzll(bits);
            hash = hash_add64(hash, f[i] & m[i]);
            n++;
        }
    }
    return hash_finish(hash, n * 8);
}
