/* Set of strings: each string lives in the same allocation as its hmap
 * node, hashed with hash_string(). */
#include "lib/strset.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"

static uint32_t
strset_hash(const char *name)
{
    return hash_string(name, 0);
}

/* Initializes 'set' as empty. */
void
strset_init(struct strset *set)
{
    hmap_init(&set->map);
}

/* Frees every string of 'set' and its bucket array.  'set' must be
 * initialized again before reuse.  Accepts NULL. */
void
strset_uninit(struct strset *set)
{
    if (set) {
        strset_clear(set);
        hmap_uninit(&set->map);
    }
}

/* Removes and frees every string of 'set', leaving it empty. */
void
strset_clear(struct strset *set)
{
    struct strset_node *node;
    HMAP_FOR_EACH_POP (node, node, &set->map) {
        free(node);
    }
}

static struct strset_node *
strset_node_create(const char *name, size_t length)
{
    struct strset_node *node = xmalloc(sizeof *node + length + 1);
    memcpy(node->name, name, length);
    node->name[length] = '\0';
    return node;
}

/* Initializes 'dst' as a copy of 'src'. */
void
strset_clone(struct strset *dst, const struct strset *src)
{
    struct strset_node *node;

    strset_init(dst);
    hmap_reserve(&dst->map, strset_count(src));
    HMAP_FOR_EACH (node, node, &src->map) {
        struct strset_node *copy = strset_node_create(node->name,
                                                      strlen(node->name));
        hmap_insert(&dst->map, &copy->node, node->node.hash);
    }
}

/* Exchanges the contents of 'a' and 'b'. */
void
strset_swap(struct strset *a, struct strset *b)
{
    hmap_swap(&a->map, &b->map);
}

static struct strset_node *
strset_find_with_hash(const struct strset *set, const char *name,
                      size_t length, uint32_t hash)
{
    struct strset_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, node, hash, &set->map) {
        if (!strncmp(node->name, name, length) && !node->name[length]) {
            return node;
        }
    }
    return NULL;
}

/* Returns the node holding 'name' in 'set', or NULL.  The node stays owned
 * by the set. */
struct strset_node *
strset_find(const struct strset *set, const char *name)
{
    return strset_find_with_hash(set, name, strlen(name), strset_hash(name));
}

/* Adds the first 'length' bytes of 'name' unless already present.  Returns
 * true if added. */
static bool
strset_add_buffer(struct strset *set, const char *name, size_t length)
{
    uint32_t hash = hash_bytes(name, length, 0);
    if (strset_find_with_hash(set, name, length, hash)) {
        return false;
    }
    struct strset_node *node = strset_node_create(name, length);
    hmap_insert(&set->map, &node->node, hash);
    return true;
}

/* Adds a copy of 'name' to 'set'.  Returns true if added, false if it was
 * already present. */
bool
strset_add(struct strset *set, const char *name)
{
    return strset_add_buffer(set, name, strlen(name));
}

/* Adds copies of the 'n' strings in 'names' (duplicates are ignored). */
void
strset_add_array(struct strset *set, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        strset_add(set, names[i]);
    }
}

/* Splits 's' at any of the characters in 'delimiters' and adds each
 * nonempty piece to 'set': "a, b,,c" with ", " adds "a", "b" and "c". */
void
strset_add_delimited(struct strset *set, const char *s,
                     const char *delimiters)
{
    while (*s) {
        size_t length = strcspn(s, delimiters);
        if (length) {
            strset_add_buffer(set, s, length);
            s += length;
        } else {
            s++;
        }
    }
}

/* Removes 'node', which must be in 'set', and frees it. */
void
strset_remove_node(struct strset *set, struct strset_node *node)
{
    hmap_remove(&set->map, &node->node);
    free(node);
}

/* Removes 'name' from 'set'.  Returns true if it was present. */
bool
strset_remove(struct strset *set, const char *name)
{
    struct strset_node *node = strset_find(set, name);
    if (node) {
        strset_remove_node(set, node);
        return true;
    }
    return false;
}

/* Returns true if 'name' is in 'set'. */
bool
strset_contains(const struct strset *set, const char *name)
{
    return strset_find(set, name) != NULL;
}

/* Returns the number of strings in 'set'. */
size_t
strset_count(const struct strset *set)
{
    return hmap_count(&set->map);
}

/* Returns true if 'set' is empty. */
bool
strset_is_empty(const struct strset *set)
{
    return hmap_is_empty(&set->map);
}

static int
strset_compare(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

/* Returns an array of the strset_count('set') strings of 'set' in strcmp()
 * order, or NULL if 'set' is empty.  The caller frees the array (not the
 * strings, which stay owned by the set and are valid until they are
 * removed). */
const char **
strset_sort(const struct strset *set)
{
    size_t n = strset_count(set);
    if (!n) {
        return NULL;
    }

    const char **names = xmalloc(n * sizeof *names);
    const char *name;
    size_t i = 0;
    STRSET_FOR_EACH (name, set) {
        names[i++] = name;
    }
    ASSERT(i == n);
    qsort(names, n, sizeof *names, strset_compare);
    return names;
}

/* Returns true if 'a' and 'b' hold the same strings. */
bool
strset_equal(const struct strset *a, const struct strset *b)
{
    if (strset_count(a) != strset_count(b)) {
        return false;
    }

    struct strset_node *node;
    HMAP_FOR_EACH (node, node, &a->map) {
        if (!strset_find_with_hash(b, node->name, strlen(node->name),
                                   node->node.hash)) {
            return false;
        }
    }
    return true;
}
