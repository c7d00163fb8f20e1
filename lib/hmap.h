/* Intrusive hash map.  The caller embeds a 'struct hmap_node' in each element,
 * computes the hash itself, and compares keys itself while walking the nodes
 * that share a hash (HMAP_FOR_EACH_WITH_HASH).  The map never allocates
 * anything but its bucket array. */
#ifndef LIB_HMAP_H
#define LIB_HMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

struct hmap_node {
    struct hmap_node *next;     /* Next node in the same bucket. */
    uint32_t hash;              /* Hash supplied by the caller. */
};

struct hmap {
    struct hmap_node **buckets; /* 'mask + 1' bucket heads. */
    struct hmap_node *one;      /* The only bucket while 'mask' is 0. */
    size_t mask;                /* Number of buckets minus one. */
    size_t n;                   /* Number of nodes. */
};

#define HMAP_INITIALIZER(HMAP) { &(HMAP)->one, NULL, 0, 0 }

void hmap_init(struct hmap *);
void hmap_uninit(struct hmap *);
void hmap_clear(struct hmap *);
void hmap_swap(struct hmap *, struct hmap *);
void hmap_moved(struct hmap *);
void hmap_reserve(struct hmap *, size_t n);
void hmap_expand_(struct hmap *);
void hmap_shrink_(struct hmap *);

static inline size_t hmap_count(const struct hmap *hmap) { return hmap->n; }
static inline bool hmap_is_empty(const struct hmap *hmap) { return !hmap->n; }

/* Inserts 'node' with 'hash' into 'hmap'.  Duplicates are allowed. */
static inline void
hmap_insert(struct hmap *hmap, struct hmap_node *node, uint32_t hash)
{
    struct hmap_node **bucket = &hmap->buckets[hash & hmap->mask];
    node->hash = hash;
    node->next = *bucket;
    *bucket = node;
    hmap->n++;
    if (hmap->n / 2 > hmap->mask) {
        hmap_expand_(hmap);
    }
}

/* Removes 'node' from 'hmap'.  Never shrinks the bucket array, so removing
 * during iteration with HMAP_FOR_EACH_SAFE is fine. */
static inline void
hmap_remove(struct hmap *hmap, struct hmap_node *node)
{
    struct hmap_node **p = &hmap->buckets[node->hash & hmap->mask];
    while (*p != node) {
        p = &(*p)->next;
    }
    *p = node->next;
    hmap->n--;
}

/* Puts 'new_node' in the place of 'old_node', which must have the same
 * hash. */
static inline void
hmap_replace(struct hmap *hmap, const struct hmap_node *old_node,
             struct hmap_node *new_node)
{
    struct hmap_node **p = &hmap->buckets[old_node->hash & hmap->mask];
    while (*p != old_node) {
        p = &(*p)->next;
    }
    new_node->hash = old_node->hash;
    new_node->next = old_node->next;
    *p = new_node;
}

static inline struct hmap_node *
hmap_next_with_hash_(const struct hmap_node *node, uint32_t hash)
{
    while (node && node->hash != hash) {
        node = node->next;
    }
    return (struct hmap_node *) node;
}

static inline struct hmap_node *
hmap_first_with_hash(const struct hmap *hmap, uint32_t hash)
{
    return hmap_next_with_hash_(hmap->buckets[hash & hmap->mask], hash);
}

static inline struct hmap_node *
hmap_next_with_hash(const struct hmap_node *node)
{
    return hmap_next_with_hash_(node->next, node->hash);
}

struct hmap_node *hmap_first(const struct hmap *);
struct hmap_node *hmap_next(const struct hmap *, const struct hmap_node *);

/* Iterates NODE (a pointer to the element type) over the elements of HMAP
 * whose hash is HASH; the caller compares keys. */
#define HMAP_FOR_EACH_WITH_HASH(NODE, MEMBER, HASH, HMAP)               \
    for (struct hmap_node *hmap_n_ = hmap_first_with_hash(HMAP, HASH);  \
         hmap_n_ ? ((NODE) = OBJECT_CONTAINING(hmap_n_, NODE, MEMBER), 1) \
                 : ((NODE) = NULL, 0);                                  \
         hmap_n_ = hmap_next_with_hash(hmap_n_))

#define HMAP_FOR_EACH(NODE, MEMBER, HMAP)                               \
    for (struct hmap_node *hmap_n_ = hmap_first(HMAP);                  \
         hmap_n_ ? ((NODE) = OBJECT_CONTAINING(hmap_n_, NODE, MEMBER), 1) \
                 : ((NODE) = NULL, 0);                                  \
         hmap_n_ = hmap_next(HMAP, hmap_n_))

/* Like HMAP_FOR_EACH, but NODE may be removed (and freed) in the body. */
#define HMAP_FOR_EACH_SAFE(NODE, MEMBER, HMAP)                          \
    for (struct hmap_node *hmap_n_ = hmap_first(HMAP), *hmap_nx_ = NULL; \
         hmap_n_ ? ((NODE) = OBJECT_CONTAINING(hmap_n_, NODE, MEMBER),  \
                    hmap_nx_ = hmap_next(HMAP, hmap_n_), 1)             \
                 : ((NODE) = NULL, 0);                                  \
         hmap_n_ = hmap_nx_)

/* Removes and returns a node of 'hmap', looking from bucket '*bucket' on and
 * leaving '*bucket' where it found one, or returns NULL if none is left.
 * Removal never shrinks the bucket array, so the cursor stays valid and
 * emptying a map costs one pass over its buckets. */
static inline struct hmap_node *
hmap_pop_from_(struct hmap *hmap, size_t *bucket)
{
    for (; *bucket <= hmap->mask; (*bucket)++) {
        struct hmap_node *node = hmap->buckets[*bucket];
        if (node) {
            hmap->buckets[*bucket] = node->next;
            hmap->n--;
            return node;
        }
    }
    return NULL;
}

/* Removes each element from HMAP in turn, leaving it empty; the body usually
 * frees NODE.  The body must not insert into HMAP. */
#define HMAP_FOR_EACH_POP(NODE, MEMBER, HMAP)                           \
    for (struct { size_t bucket; struct hmap_node *node; } hmap_p_ = {0}; \
         (hmap_p_.node = hmap_pop_from_(HMAP, &hmap_p_.bucket))         \
             ? ((NODE) = OBJECT_CONTAINING(hmap_p_.node, NODE, MEMBER), 1) \
             : ((NODE) = NULL, 0);)

#endif /* lib/hmap.h */
