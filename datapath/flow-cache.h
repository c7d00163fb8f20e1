/* The flow cache of one datapath packet thread: an exact-match cache
 * (EMC) in front of a megaflow cache.
 *
 * A megaflow is a masked flow key, its mask and the datapath actions to
 * run on every packet whose key agrees with it on the masked bits.  The
 * megaflow cache is a tuple-space search: one subtable per distinct mask,
 * each a hash map of the masked keys, tried in order of recent hits.
 * Megaflows never overlap (the switch computes each mask from what its
 * decision consulted), so the first hit is the answer.
 *
 * The EMC maps a packet's whole extracted key (by hash, compared in full)
 * to the megaflow it hit last time, so most packets skip the subtables.
 * It holds pointers to megaflows: a removed megaflow is only marked dead
 * and put on the cache's dead list, the EMC treats a dead megaflow as a
 * miss, and flow_cache_sweep() later clears the EMC entries that point to
 * dead megaflows before the caller frees them (flow_cache_pop_dead()).
 *
 * Nothing here locks or allocates on lookup: one cache belongs to one
 * thread at a time (datapath/dpif.c serializes the packet thread and the
 * main thread on a per-thread mutex). */
#ifndef DATAPATH_FLOW_CACHE_H
#define DATAPATH_FLOW_CACHE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/flow.h"
#include "lib/hmap.h"
#include "lib/list.h"

struct dp_actions;
struct flow_cache_subtable;

/* Counters of a megaflow since it was installed. */
struct megaflow_stats {
    uint64_t n_packets;         /* Packets that hit it. */
    uint64_t n_bytes;           /* Their bytes. */
    long long used;             /* time_msec() of the last hit; creation
                                 * time if none. */
    uint16_t tcp_flags;         /* OR of the TCP flags seen (host order). */
};

/* A cached datapath flow. */
struct megaflow {
    struct hmap_node node;      /* In subtable->flows (live only). */
    struct list lru_node;       /* In flow_cache 'lru' (live) or 'dead'. */
    struct flow_cache_subtable *subtable; /* Holds the mask; referenced
                                 * until the megaflow is freed. */
    struct flow key;            /* Masked key. */

    struct dp_actions *actions; /* Immutable; owned by the megaflow
                                 * (NULL: drop). */

    uint64_t generation;        /* Pipeline generation it was made in. */
    long long created;          /* time_msec() at install. */
    struct megaflow_stats stats; /* Totals since install. */
    uint64_t pushed_packets;    /* stats.n_packets already credited to
                                 * 'xcache'. */
    uint64_t pushed_bytes;      /* Same for bytes. */
    bool dead;                  /* Removed: no longer matches packets. */

    /* The switch's opaque state for crediting stats to its rules, with
     * the function that frees it; owned by the megaflow (either may be
     * NULL). */
    void *xcache;
    void (*xcache_destroy)(void *xcache);
};

/* One EMC slot. */
struct flow_cache_emc_entry {
    struct megaflow *flow;      /* NULL if the slot is empty. */
    uint32_t hash;              /* flow_cache_key_hash() of 'key'. */
    struct flow key;            /* Whole extracted key. */
};

struct flow_cache {
    /* Exact-match cache: 'emc_mask + 1' slots; a key may live in one of
     * two slots picked by its hash. */
    struct flow_cache_emc_entry *emc;
    uint32_t emc_mask;          /* Slot count minus one. */

    /* Megaflow cache. */
    struct flow_cache_subtable **subtables; /* Tried in this order. */
    size_t n_subtables;         /* Used entries of 'subtables'. */
    size_t allocated_subtables; /* Allocated entries of 'subtables'. */
    struct list lru;            /* Live megaflows, most recently used
                                 * first. */
    size_t n_flows;             /* Live megaflows. */
    struct list dead;           /* Removed megaflows not yet freed. */
    size_t n_dead;              /* Length of 'dead'. */
    bool emc_has_dead;          /* Some EMC slot may point to a dead
                                 * megaflow. */

    /* EMC bypass (see flow_cache_emc_use()). */
    uint32_t emc_win_lookups;   /* EMC lookups in the current window. */
    uint32_t emc_win_hits;      /* ...and how many of them hit. */
    uint32_t emc_bypass;        /* Packets left to send past the EMC. */
};

/* The EMC is worth its cost (hashing the whole key, two cold slots, and
 * copying the key into a slot on every miss) only while packets repeat
 * their exact keys.  Under connection churn they do not: every packet of
 * a short TCP connection differs from the one before in its TCP flags or
 * ct state, and the EMC hit rate falls below 1 %.  So the cache measures
 * its hit rate over windows of FLOW_CACHE_EMC_WINDOW lookups and, after a
 * window with fewer than 1 hit in FLOW_CACHE_EMC_MIN_HIT_DIV, sends the
 * next FLOW_CACHE_EMC_BYPASS packets straight to the megaflow cache
 * (neither looked up in nor inserted into the EMC), then measures again.
 * Skipping the EMC never changes which megaflow a packet gets. */
#define FLOW_CACHE_EMC_WINDOW 256
#define FLOW_CACHE_EMC_MIN_HIT_DIV 8
#define FLOW_CACHE_EMC_BYPASS 4096

/* Initializes 'fc' with an EMC of 'emc_entries' slots (rounded up to a
 * power of 2; 0 disables the EMC). */
void flow_cache_init(struct flow_cache *fc, size_t emc_entries);
/* Frees everything 'fc' holds, calling each megaflow's xcache_destroy
 * (with no final stats push: take the flows out first with
 * flow_cache_remove() and flow_cache_pop_dead() for that). */
void flow_cache_uninit(struct flow_cache *fc);

/* Whether the next packet should go through the EMC: false if 'fc' has
 * none or bypasses it now (then counts the packet as bypassed).  A caller
 * that gets true reports the lookup's result with
 * flow_cache_emc_account(); one that gets false neither looks up nor
 * inserts. */
static inline bool
flow_cache_emc_use(struct flow_cache *fc)
{
    if (fc->emc_bypass) {
        fc->emc_bypass--;
        return false;
    }
    return fc->emc != NULL;
}

/* Counts one EMC lookup ('hit' or not) towards the bypass decision. */
void flow_cache_emc_account(struct flow_cache *fc, bool hit);

/* The EMC hash of a whole extracted key. */
uint32_t flow_cache_key_hash(const struct flow *key);

/* The live megaflow the EMC remembers for 'key' (whose hash is 'hash'),
 * or NULL. */
struct megaflow *flow_cache_emc_lookup(const struct flow_cache *fc,
                                       const struct flow *key,
                                       uint32_t hash);
/* Remembers that 'key' (hash 'hash') hit 'flow', replacing an older or
 * empty slot. */
void flow_cache_emc_insert(struct flow_cache *fc, const struct flow *key,
                           uint32_t hash, struct megaflow *flow);

/* The live megaflow that matches 'key' (an unmasked extracted key), or
 * NULL.  Counts the hit on the subtable for ordering. */
struct megaflow *flow_cache_lookup(struct flow_cache *fc,
                                   const struct flow *key);
/* The live megaflow whose mask is 'mask' and whose masked key equals
 * 'key' masked by it, or NULL. */
struct megaflow *flow_cache_find_exact(const struct flow_cache *fc,
                                       const struct flow *key,
                                       const struct flow_wildcards *mask);

/* Installs a megaflow for 'key' masked by 'mask', taking ownership of
 * 'actions' (NULL means drop).  The caller may then set the megaflow's
 * xcache.  No megaflow with the same mask and masked key may exist.
 * Returns the new megaflow. */
struct megaflow *flow_cache_insert(struct flow_cache *fc,
                                   const struct flow *key,
                                   const struct flow_wildcards *mask,
                                   struct dp_actions *actions,
                                   uint64_t generation, long long now);

/* Unlinks live 'flow' from the lookup structures and puts it on the dead
 * list (it stays allocated: the EMC and callers may still point to it). */
void flow_cache_remove(struct flow_cache *fc, struct megaflow *flow);
/* Marks 'flow' as used now: moves it to the head of the LRU list. */
void flow_cache_touch(struct flow_cache *fc, struct megaflow *flow);
/* The least recently used live megaflow, or NULL. */
struct megaflow *flow_cache_lru_oldest(const struct flow_cache *fc);
/* The mask of 'flow' (live or dead). */
const struct flow_wildcards *megaflow_mask(const struct megaflow *flow);

/* Clears the EMC slots that point to dead megaflows and re-sorts the
 * subtables by recent hits.  After it, every dead megaflow may be freed. */
void flow_cache_sweep(struct flow_cache *fc);
/* Removes and returns a dead megaflow, or NULL if none is left.  Only
 * valid right after flow_cache_sweep().  The caller owns the result and
 * frees it with megaflow_destroy(). */
struct megaflow *flow_cache_pop_dead(struct flow_cache *fc);
/* Frees 'flow' (NULL is fine): its actions and, through xcache_destroy,
 * its xcache. */
void megaflow_destroy(struct megaflow *flow);

/* Live megaflows, most recently used first.  The body must not remove. */
#define FLOW_CACHE_FOR_EACH(FLOW, FC) \
    LIST_FOR_EACH (FLOW, lru_node, &(FC)->lru)

#endif /* datapath/flow-cache.h */
