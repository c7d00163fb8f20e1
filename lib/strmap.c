/* String-to-string map: each node is one allocation for the node plus two
 * for its strings, hashed on the key with hash_string(). */
#include "lib/strmap.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/ds.h"
#include "lib/hash.h"

static uint32_t
strmap_hash(const char *key)
{
    return hash_string(key, 0);
}

/* Initializes 'map' as empty. */
void
strmap_init(struct strmap *map)
{
    hmap_init(&map->map);
}

/* Frees every node of 'map' and its strings, and the bucket array.  'map'
 * must be initialized again before reuse.  Accepts NULL. */
void
strmap_uninit(struct strmap *map)
{
    if (map) {
        strmap_clear(map);
        hmap_uninit(&map->map);
    }
}

static void
strmap_node_free(struct strmap_node *node)
{
    free(node->key);
    free(node->value);
    free(node);
}

/* Removes and frees every node of 'map', leaving it empty. */
void
strmap_clear(struct strmap *map)
{
    struct strmap_node *node;
    HMAP_FOR_EACH_POP (node, node, &map->map) {
        strmap_node_free(node);
    }
}

/* Initializes 'dst' as a deep copy of 'src'. */
void
strmap_clone(struct strmap *dst, const struct strmap *src)
{
    struct strmap_node *node;

    strmap_init(dst);
    hmap_reserve(&dst->map, strmap_count(src));
    STRMAP_FOR_EACH (node, src) {
        struct strmap_node *copy = xmalloc(sizeof *copy);
        copy->key = xstrdup(node->key);
        copy->value = xstrdup(node->value);
        hmap_insert(&dst->map, &copy->node, node->node.hash);
    }
}

/* Exchanges the contents of 'a' and 'b'. */
void
strmap_swap(struct strmap *a, struct strmap *b)
{
    hmap_swap(&a->map, &b->map);
}

static struct strmap_node *
strmap_find_node_with_hash(const struct strmap *map, const char *key,
                           uint32_t hash)
{
    struct strmap_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, node, hash, &map->map) {
        if (!strcmp(node->key, key)) {
            return node;
        }
    }
    return NULL;
}

/* Returns the node of 'map' whose key is 'key', or NULL.  The node stays
 * owned by the map. */
struct strmap_node *
strmap_find_node(const struct strmap *map, const char *key)
{
    return strmap_find_node_with_hash(map, key, strmap_hash(key));
}

/* Adds 'key' with 'value', taking ownership of both (even when it fails).
 * Returns true if added, false (freeing both) if 'key' was already present,
 * in which case 'map' is unchanged. */
bool
strmap_add_nocopy(struct strmap *map, char *key, char *value)
{
    uint32_t hash = strmap_hash(key);
    if (strmap_find_node_with_hash(map, key, hash)) {
        free(key);
        free(value);
        return false;
    }

    struct strmap_node *node = xmalloc(sizeof *node);
    node->key = key;
    node->value = value;
    hmap_insert(&map->map, &node->node, hash);
    return true;
}

/* Adds copies of 'key' and 'value'.  Returns true if added, false if 'key'
 * was already present, in which case 'map' is unchanged. */
bool
strmap_add(struct strmap *map, const char *key, const char *value)
{
    if (strmap_contains(map, key)) {
        return false;
    }
    return strmap_add_nocopy(map, xstrdup(key), xstrdup(value));
}

/* Like strmap_add(), with the value formatted printf-style. */
bool
strmap_add_format(struct strmap *map, const char *key,
                  const char *format, ...)
{
    if (strmap_contains(map, key)) {
        return false;
    }

    struct ds value = DS_EMPTY_INITIALIZER;
    va_list args;
    va_start(args, format);
    ds_put_format_valist(&value, format, args);
    va_end(args);
    return strmap_add_nocopy(map, xstrdup(key), ds_steal_cstr(&value));
}

/* Sets 'key' to 'value' (copying both), adding the key if absent or
 * replacing its old value. */
void
strmap_replace(struct strmap *map, const char *key, const char *value)
{
    strmap_replace_nocopy(map, key, xstrdup(value));
}

/* Like strmap_replace(), but takes ownership of 'value'.  'key' is copied
 * only if added. */
void
strmap_replace_nocopy(struct strmap *map, const char *key, char *value)
{
    struct strmap_node *node = strmap_find_node(map, key);
    if (node) {
        free(node->value);
        node->value = value;
    } else {
        strmap_add_nocopy(map, xstrdup(key), value);
    }
}

/* Removes 'node', which must be in 'map', and frees it and its strings. */
void
strmap_remove_node(struct strmap *map, struct strmap_node *node)
{
    hmap_remove(&map->map, &node->node);
    strmap_node_free(node);
}

/* Removes 'key' and its value from 'map'.  Returns true if it was present. */
bool
strmap_remove(struct strmap *map, const char *key)
{
    struct strmap_node *node = strmap_find_node(map, key);
    if (node) {
        strmap_remove_node(map, node);
        return true;
    }
    return false;
}

/* Removes 'key' from 'map' and returns its value, which the caller must
 * free, or NULL if 'key' was absent. */
char *
strmap_steal(struct strmap *map, const char *key)
{
    struct strmap_node *node = strmap_find_node(map, key);
    if (!node) {
        return NULL;
    }

    char *value = node->value;
    hmap_remove(&map->map, &node->node);
    free(node->key);
    free(node);
    return value;
}

/* Returns the value of 'key' in 'map', or NULL if absent.  The string stays
 * owned by the map: valid until the key is removed or replaced. */
const char *
strmap_find(const struct strmap *map, const char *key)
{
    const struct strmap_node *node = strmap_find_node(map, key);
    return node ? node->value : NULL;
}

/* Returns the value of 'key' in 'map', or 'def' if absent. */
const char *
strmap_find_default(const struct strmap *map, const char *key,
                    const char *def)
{
    const char *value = strmap_find(map, key);
    return value ? value : def;
}

/* Returns the value of 'key', which must be present in 'map' (a caller's
 * invariant, such as a column the schema makes mandatory). */
const char *
strmap_get(const struct strmap *map, const char *key)
{
    const char *value = strmap_find(map, key);
    ASSERT(value);
    return value;
}

/* Returns true if 'key' is in 'map'. */
bool
strmap_contains(const struct strmap *map, const char *key)
{
    return strmap_find_node(map, key) != NULL;
}

/* Returns the value of 'key' parsed as a decimal int (with optional sign,
 * no trailing garbage), or 'def' if 'key' is absent or not such an int. */
int
strmap_find_int(const struct strmap *map, const char *key, int def)
{
    const char *value = strmap_find(map, key);
    if (!value || !*value) {
        return def;
    }

    char *end;
    errno = 0;
    long n = strtol(value, &end, 10);
    if (*end || errno || n < INT_MIN || n > INT_MAX) {
        return def;
    }
    return n;
}

/* Returns true if the value of 'key' is "true", false if it is "false"
 * (case-insensitively, as the OVN and OVS options columns spell them), and
 * 'def' otherwise. */
bool
strmap_find_bool(const struct strmap *map, const char *key, bool def)
{
    const char *value = strmap_find(map, key);
    if (value && !strcasecmp(value, "true")) {
        return true;
    } else if (value && !strcasecmp(value, "false")) {
        return false;
    }
    return def;
}

/* Returns the number of keys in 'map'. */
size_t
strmap_count(const struct strmap *map)
{
    return hmap_count(&map->map);
}

/* Returns true if 'map' has no keys. */
bool
strmap_is_empty(const struct strmap *map)
{
    return hmap_is_empty(&map->map);
}

static int
strmap_node_compare(const void *a_, const void *b_)
{
    const struct strmap_node *const *a = a_;
    const struct strmap_node *const *b = b_;
    return strcmp((*a)->key, (*b)->key);
}

/* Returns an array of the strmap_count('map') nodes of 'map', sorted by key
 * in strcmp() order, or NULL if 'map' is empty.  The caller frees the array
 * (not the nodes), which is valid until 'map' changes. */
const struct strmap_node **
strmap_sort(const struct strmap *map)
{
    size_t n = strmap_count(map);
    if (!n) {
        return NULL;
    }

    const struct strmap_node **nodes = xmalloc(n * sizeof *nodes);
    struct strmap_node *node;
    size_t i = 0;
    STRMAP_FOR_EACH (node, map) {
        nodes[i++] = node;
    }
    ASSERT(i == n);
    qsort(nodes, n, sizeof *nodes, strmap_node_compare);
    return nodes;
}

/* Returns true if 'a' and 'b' have the same keys with the same values. */
bool
strmap_equal(const struct strmap *a, const struct strmap *b)
{
    if (strmap_count(a) != strmap_count(b)) {
        return false;
    }

    struct strmap_node *node;
    STRMAP_FOR_EACH (node, a) {
        const struct strmap_node *other
            = strmap_find_node_with_hash(b, node->key, node->node.hash);
        if (!other || strcmp(node->value, other->value)) {
            return false;
        }
    }
    return true;
}
