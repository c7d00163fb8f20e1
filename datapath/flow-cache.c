/* Exact-match cache and megaflow cache of one packet thread; see
 * flow-cache.h. */
#include "datapath/flow-cache.h"

#include <stdlib.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "lib/hash.h"
#include "lib/util.h"

/* All the megaflows that share one mask. */
struct flow_cache_subtable {
    struct hmap flows;          /* Live "struct megaflow"s, by masked-key
                                 * hash. */
    struct flow_wildcards mask; /* The mask they share. */
    struct flow_map map;        /* Nonzero words of 'mask'. */
    uint64_t hits;              /* Lookups that hit here since the last
                                 * sweep (ordering). */
    size_t n_refs;              /* Megaflows, live or dead, that point
                                 * here. */
    bool orphan;                /* No longer in the cache's array: freed
                                 * when 'n_refs' drops to 0. */
};

/* The EMC hashes the key words up to the tunnel's addresses and flags;
 * the rest (Geneve options) only takes part in the full comparison. */
#define EMC_HASH_WORDS (offsetof(struct flow, tunnel) / 8 + 7)
#define EMC_MAX_ENTRIES 65536

void
flow_cache_init(struct flow_cache *fc, size_t emc_entries)
{
    memset(fc, 0, sizeof *fc);
    if (emc_entries) {
        size_t n = 2;
        while (n < emc_entries && n < EMC_MAX_ENTRIES) {
            n *= 2;
        }
        fc->emc = xcalloc(n, sizeof *fc->emc);
        fc->emc_mask = n - 1;
    }
    list_init(&fc->lru);
    list_init(&fc->dead);
}

void
flow_cache_uninit(struct flow_cache *fc)
{
    struct megaflow *flow;

    LIST_FOR_EACH_SAFE (flow, lru_node, &fc->lru) {
        flow_cache_remove(fc, flow);
    }
    free(fc->emc);
    fc->emc = NULL;
    LIST_FOR_EACH_POP (flow, lru_node, &fc->dead) {
        megaflow_destroy(flow);
    }
    free(fc->subtables);
    fc->subtables = NULL;
    fc->n_subtables = fc->allocated_subtables = 0;
}

/* Per packet, so built for speed: four independent multiply-xor lanes
 * over the words (most of them zero), which the CPU runs side by side,
 * then a full 64-bit avalanche (murmur3's fmix64) of their combination.
 * The chained 32-bit rounds of hash_add64() cost several times more over
 * these ~40 words. */
uint32_t
flow_cache_key_hash(const struct flow *key)
{
    const uint64_t K = UINT64_C(0x9e3779b97f4a7c15);
    const uint64_t *w = flow_u64(key);
    uint64_t h[4] = { 1, 2, 3, 4 };

    for (size_t i = 0; i < EMC_HASH_WORDS; i++) {
        uint64_t *l = &h[i % 4];

        *l = (*l ^ w[i]) * K;
        *l ^= *l >> 29;
    }

    uint64_t x = h[0] ^ (h[1] << 1 | h[1] >> 63) ^ (h[2] << 2 | h[2] >> 62)
                 ^ (h[3] << 3 | h[3] >> 61);
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return (uint32_t) x ^ (uint32_t) (x >> 32);
}

void
flow_cache_emc_account(struct flow_cache *fc, bool hit)
{
    fc->emc_win_hits += hit;
    if (++fc->emc_win_lookups < FLOW_CACHE_EMC_WINDOW) {
        return;
    }
    if (fc->emc_win_hits * FLOW_CACHE_EMC_MIN_HIT_DIV
        < FLOW_CACHE_EMC_WINDOW) {
        fc->emc_bypass = FLOW_CACHE_EMC_BYPASS;
    }
    fc->emc_win_lookups = 0;
    fc->emc_win_hits = 0;
}

static inline uint32_t
emc_slot2(const struct flow_cache *fc, uint32_t hash)
{
    return ((hash >> 16) ^ (hash << 5)) & fc->emc_mask;
}

struct megaflow *
flow_cache_emc_lookup(const struct flow_cache *fc, const struct flow *key,
                      uint32_t hash)
{
    if (!fc->emc) {
        return NULL;
    }
    uint32_t slots[2] = { hash & fc->emc_mask, emc_slot2(fc, hash) };
    for (int i = 0; i < 2; i++) {
        const struct flow_cache_emc_entry *e = &fc->emc[slots[i]];

        if (e->flow && e->hash == hash && !e->flow->dead
            && !memcmp(&e->key, key, sizeof *key)) {
            return e->flow;
        }
    }
    return NULL;
}

void
flow_cache_emc_insert(struct flow_cache *fc, const struct flow *key,
                      uint32_t hash, struct megaflow *flow)
{
    if (!fc->emc) {
        return;
    }
    struct flow_cache_emc_entry *a = &fc->emc[hash & fc->emc_mask];
    struct flow_cache_emc_entry *b = &fc->emc[emc_slot2(fc, hash)];
    struct flow_cache_emc_entry *victim;

    if (a->flow && a->hash == hash && !memcmp(&a->key, key, sizeof *key)) {
        victim = a;
    } else if (b->flow && b->hash == hash
               && !memcmp(&b->key, key, sizeof *key)) {
        victim = b;
    } else if (!a->flow || a->flow->dead) {
        victim = a;
    } else if (!b->flow || b->flow->dead) {
        victim = b;
    } else {
        /* Both taken: evict the one with the smaller hash, a cheap
         * pseudo-random choice. */
        victim = a->hash < b->hash ? a : b;
    }
    if (victim->flow != flow || victim->hash != hash) {
        victim->hash = hash;
        memcpy(&victim->key, key, sizeof *key);
    }
    victim->flow = flow;
}

/* Whether 'key' masked by 'st's mask equals the masked key 'masked',
 * looking only at the words the mask touches. */
static inline bool
subtable_match(const struct flow_cache_subtable *st, const struct flow *key,
               const struct flow *masked)
{
    const uint64_t *k = flow_u64(key);
    const uint64_t *mk = flow_u64(masked);
    const uint64_t *m = flow_u64(&st->mask.masks);

    for (size_t w = 0; w < FLOW_MAP_WORDS; w++) {
        for (uint64_t bits = st->map.bits[w]; bits; bits &= bits - 1) {
            size_t i = w * 64 + __builtin_ctzll(bits);
            if ((k[i] & m[i]) != mk[i]) {
                return false;
            }
        }
    }
    return true;
}

static struct megaflow *
subtable_lookup(const struct flow_cache_subtable *st, const struct flow *key)
{
    uint32_t hash = flow_hash_in_map(key, &st->mask, &st->map, 0);
    struct megaflow *flow;

    HMAP_FOR_EACH_WITH_HASH (flow, node, hash, &st->flows) {
        if (subtable_match(st, key, &flow->key)) {
            return flow;
        }
    }
    return NULL;
}

struct megaflow *
flow_cache_lookup(struct flow_cache *fc, const struct flow *key)
{
    for (size_t i = 0; i < fc->n_subtables; i++) {
        struct flow_cache_subtable *st = fc->subtables[i];
        struct megaflow *flow = subtable_lookup(st, key);

        if (flow) {
            st->hits++;
            return flow;
        }
    }
    return NULL;
}

static struct flow_cache_subtable *
find_subtable(const struct flow_cache *fc, const struct flow_wildcards *mask)
{
    for (size_t i = 0; i < fc->n_subtables; i++) {
        struct flow_cache_subtable *st = fc->subtables[i];
        if (!memcmp(&st->mask, mask, sizeof *mask)) {
            return st;
        }
    }
    return NULL;
}

struct megaflow *
flow_cache_find_exact(const struct flow_cache *fc, const struct flow *key,
                      const struct flow_wildcards *mask)
{
    struct flow_cache_subtable *st = find_subtable(fc, mask);
    return st ? subtable_lookup(st, key) : NULL;
}

struct megaflow *
flow_cache_insert(struct flow_cache *fc, const struct flow *key,
                  const struct flow_wildcards *mask,
                  struct dp_actions *actions, uint64_t generation,
                  long long now)
{
    struct flow_cache_subtable *st = find_subtable(fc, mask);

    if (!st) {
        st = xzalloc(sizeof *st);
        hmap_init(&st->flows);
        st->mask = *mask;
        flow_map_from_mask(&st->map, mask);
        if (fc->n_subtables == fc->allocated_subtables) {
            fc->subtables = x2nrealloc(fc->subtables,
                                       &fc->allocated_subtables,
                                       sizeof *fc->subtables);
        }
        fc->subtables[fc->n_subtables++] = st;
    }

    struct megaflow *flow = xzalloc(sizeof *flow);
    flow->subtable = st;
    st->n_refs++;
    flow->key = *key;
    flow_apply_mask(&flow->key, mask);
    flow->actions = actions;
    flow->generation = generation;
    flow->created = now;
    flow->stats.used = now;
    hmap_insert(&st->flows, &flow->node,
                flow_hash_in_map(&flow->key, &st->mask, &st->map, 0));
    list_push_front(&fc->lru, &flow->lru_node);
    fc->n_flows++;
    return flow;
}

void
flow_cache_remove(struct flow_cache *fc, struct megaflow *flow)
{
    struct flow_cache_subtable *st = flow->subtable;

    ASSERT(!flow->dead);
    hmap_remove(&st->flows, &flow->node);
    list_remove(&flow->lru_node);
    list_push_back(&fc->dead, &flow->lru_node);
    flow->dead = true;
    fc->n_flows--;
    fc->n_dead++;
    fc->emc_has_dead = true;

    if (hmap_is_empty(&st->flows)) {
        for (size_t i = 0; i < fc->n_subtables; i++) {
            if (fc->subtables[i] == st) {
                memmove(&fc->subtables[i], &fc->subtables[i + 1],
                        (fc->n_subtables - i - 1) * sizeof *fc->subtables);
                fc->n_subtables--;
                break;
            }
        }
        st->orphan = true;
    }
}

void
flow_cache_touch(struct flow_cache *fc, struct megaflow *flow)
{
    if (fc->lru.next != &flow->lru_node) {
        list_remove(&flow->lru_node);
        list_push_front(&fc->lru, &flow->lru_node);
    }
}

struct megaflow *
flow_cache_lru_oldest(const struct flow_cache *fc)
{
    if (list_is_empty(&fc->lru)) {
        return NULL;
    }
    struct megaflow *flow;
    return OBJECT_CONTAINING(list_back(&fc->lru), flow, lru_node);
}

const struct flow_wildcards *
megaflow_mask(const struct megaflow *flow)
{
    return &flow->subtable->mask;
}

static int
subtable_cmp_hits(const void *a_, const void *b_)
{
    const struct flow_cache_subtable *const *a = a_;
    const struct flow_cache_subtable *const *b = b_;
    return (*a)->hits < (*b)->hits ? 1 : (*a)->hits > (*b)->hits ? -1 : 0;
}

void
flow_cache_sweep(struct flow_cache *fc)
{
    if (fc->emc_has_dead && fc->emc) {
        for (size_t i = 0; i <= fc->emc_mask; i++) {
            struct flow_cache_emc_entry *e = &fc->emc[i];
            if (e->flow && e->flow->dead) {
                e->flow = NULL;
            }
        }
    }
    fc->emc_has_dead = false;

    if (fc->n_subtables > 1) {
        qsort(fc->subtables, fc->n_subtables, sizeof *fc->subtables,
              subtable_cmp_hits);
    }
    for (size_t i = 0; i < fc->n_subtables; i++) {
        fc->subtables[i]->hits /= 2;
    }
}

struct megaflow *
flow_cache_pop_dead(struct flow_cache *fc)
{
    if (list_is_empty(&fc->dead)) {
        return NULL;
    }
    struct megaflow *flow;
    flow = OBJECT_CONTAINING(list_pop_front(&fc->dead), flow, lru_node);
    fc->n_dead--;
    return flow;
}

void
megaflow_destroy(struct megaflow *flow)
{
    if (!flow) {
        return;
    }
    struct flow_cache_subtable *st = flow->subtable;
    if (!--st->n_refs && st->orphan) {
        hmap_uninit(&st->flows);
        free(st);
    }
    if (flow->xcache_destroy) {
        flow->xcache_destroy(flow->xcache);
    }
    dp_actions_destroy(flow->actions);
    free(flow);
}
