/* String-to-string map on lib/hmap, for OVSDB "map" columns whose keys and
 * values are strings (external_ids, options, other_config) in the CLIs and
 * daemons.  Keys are unique; the map owns copies of its keys and values.
 *
 *     struct strmap options = STRMAP_INITIALIZER(&options);
 *     strmap_replace(&options, "mtu", "1442");
 *     int mtu = strmap_find_int(&options, "mtu", 1500);
 *     strmap_uninit(&options);
 *
 * Iteration order is unspecified; strmap_sort() gives the nodes by key. */
#ifndef LIB_STRMAP_H
#define LIB_STRMAP_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"
#include "lib/util.h"

struct strmap_node {
    struct hmap_node node;      /* In strmap's 'map', hashed on 'key'. */
    char *key;                  /* Owned by the map. */
    char *value;                /* Owned by the map. */
};

struct strmap {
    struct hmap map;            /* Contains "struct strmap_node"s. */
};

#define STRMAP_INITIALIZER(STRMAP) { HMAP_INITIALIZER(&(STRMAP)->map) }

void strmap_init(struct strmap *);
void strmap_uninit(struct strmap *);
void strmap_clear(struct strmap *);
void strmap_clone(struct strmap *dst, const struct strmap *src);
void strmap_swap(struct strmap *, struct strmap *);

bool strmap_add(struct strmap *, const char *key, const char *value);
bool strmap_add_nocopy(struct strmap *, char *key, char *value);
bool strmap_add_format(struct strmap *, const char *key,
                       const char *format, ...) PRINTF_FORMAT(3, 4);
void strmap_replace(struct strmap *, const char *key, const char *value);
void strmap_replace_nocopy(struct strmap *, const char *key, char *value);

bool strmap_remove(struct strmap *, const char *key);
void strmap_remove_node(struct strmap *, struct strmap_node *);
char *strmap_steal(struct strmap *, const char *key);

struct strmap_node *strmap_find_node(const struct strmap *, const char *key);
const char *strmap_find(const struct strmap *, const char *key);
const char *strmap_find_default(const struct strmap *, const char *key,
                                const char *def);
const char *strmap_get(const struct strmap *, const char *key);
bool strmap_contains(const struct strmap *, const char *key);
int strmap_find_int(const struct strmap *, const char *key, int def);
bool strmap_find_bool(const struct strmap *, const char *key, bool def);

size_t strmap_count(const struct strmap *);
bool strmap_is_empty(const struct strmap *);
const struct strmap_node **strmap_sort(const struct strmap *);
bool strmap_equal(const struct strmap *, const struct strmap *);

/* Iterates NODE (a "struct strmap_node *") over the nodes of STRMAP, in no
 * particular order.  The body must not add or remove nodes. */
#define STRMAP_FOR_EACH(NODE, STRMAP)                                   \
    HMAP_FOR_EACH (NODE, node, &(STRMAP)->map)

/* Like STRMAP_FOR_EACH, but the body may remove NODE (strmap_remove_node()
 * or strmap_remove() on its key). */
#define STRMAP_FOR_EACH_SAFE(NODE, STRMAP)                              \
    HMAP_FOR_EACH_SAFE (NODE, node, &(STRMAP)->map)

#endif /* lib/strmap.h */
