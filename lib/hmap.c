/* Intrusive hash map: the bucket array's growth and iteration. */
#include "lib/hmap.h"

#include <stdlib.h>
#include <string.h>

void
hmap_init(struct hmap *hmap)
{
    hmap->buckets = &hmap->one;
    hmap->one = NULL;
    hmap->mask = 0;
    hmap->n = 0;
}

/* Frees the bucket array; the nodes belong to the caller. */
void
hmap_uninit(struct hmap *hmap)
{
    if (hmap && hmap->buckets != &hmap->one) {
        free(hmap->buckets);
    }
}

void
hmap_clear(struct hmap *hmap)
{
    hmap->n = 0;
    memset(hmap->buckets, 0, (hmap->mask + 1) * sizeof *hmap->buckets);
}

void
hmap_swap(struct hmap *a, struct hmap *b)
{
    struct hmap tmp = *a;
    *a = *b;
    *b = tmp;
    hmap_moved(a);
    hmap_moved(b);
}

/* Fixes up 'hmap' after its struct was copied to a new place. */
void
hmap_moved(struct hmap *hmap)
{
    if (!hmap->mask) {
        hmap->buckets = &hmap->one;
    }
}

static void
hmap_resize(struct hmap *hmap, size_t new_mask)
{
    struct hmap tmp;

    tmp.mask = new_mask;
    tmp.n = hmap->n;
    if (new_mask) {
        tmp.buckets = xcalloc(new_mask + 1, sizeof *tmp.buckets);
    } else {
        tmp.buckets = &tmp.one;
        tmp.one = NULL;
    }
    for (size_t i = 0; i <= hmap->mask; i++) {
        struct hmap_node *node, *next;
        for (node = hmap->buckets[i]; node; node = next) {
            struct hmap_node **bucket = &tmp.buckets[node->hash & new_mask];
            next = node->next;
            node->next = *bucket;
            *bucket = node;
        }
    }
    hmap_uninit(hmap);
    *hmap = tmp;
    hmap_moved(hmap);
}

/* Returns the bucket mask suited to holding 'n' nodes at load factor 1/2. */
static size_t
mask_for(size_t n)
{
    size_t mask = 0;
    while (n / 2 > mask) {
        mask = mask * 2 + 1;
    }
    return mask;
}

void
hmap_expand_(struct hmap *hmap)
{
    hmap_resize(hmap, mask_for(hmap->n * 2));
}

void
hmap_shrink_(struct hmap *hmap)
{
    size_t mask = mask_for(hmap->n);
    if (mask < hmap->mask) {
        hmap_resize(hmap, mask);
    }
}

void
hmap_reserve(struct hmap *hmap, size_t n)
{
    size_t mask = mask_for(n);
    if (mask > hmap->mask) {
        hmap_resize(hmap, mask);
    }
}

static struct hmap_node *
first_from(const struct hmap *hmap, size_t i)
{
    for (; i <= hmap->mask; i++) {
        if (hmap->buckets[i]) {
            return hmap->buckets[i];
        }
    }
    return NULL;
}

struct hmap_node *
hmap_first(const struct hmap *hmap)
{
    return first_from(hmap, 0);
}

struct hmap_node *
hmap_next(const struct hmap *hmap, const struct hmap_node *node)
{
    return node->next ? node->next
                      : first_from(hmap, (node->hash & hmap->mask) + 1);
}
