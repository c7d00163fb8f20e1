/* Set of strings on lib/hmap, for OVSDB "set" columns of strings (a port's
 * addresses, a chassis's encaps) and for name bookkeeping in the CLIs and
 * daemons.  The set owns copies of its strings.
 *
 *     struct strset names = STRSET_INITIALIZER(&names);
 *     strset_add(&names, "lsp1");
 *     const char *name;
 *     STRSET_FOR_EACH (name, &names) {
 *         ...
 *     }
 *     strset_uninit(&names);
 *
 * Iteration order is unspecified; strset_sort() gives the strings in
 * strcmp() order. */
#ifndef LIB_STRSET_H
#define LIB_STRSET_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/hmap.h"
#include "lib/util.h"

struct strset_node {
    struct hmap_node node;      /* In strset's 'map', hashed on 'name'. */
    char name[];                /* The string, allocated with the node. */
};

struct strset {
    struct hmap map;            /* Contains "struct strset_node"s. */
};

#define STRSET_INITIALIZER(STRSET) { HMAP_INITIALIZER(&(STRSET)->map) }

void strset_init(struct strset *);
void strset_uninit(struct strset *);
void strset_clear(struct strset *);
void strset_clone(struct strset *dst, const struct strset *src);
void strset_swap(struct strset *, struct strset *);

bool strset_add(struct strset *, const char *name);
void strset_add_array(struct strset *, const char *const *names, size_t n);
void strset_add_delimited(struct strset *, const char *s,
                          const char *delimiters);
bool strset_remove(struct strset *, const char *name);
void strset_remove_node(struct strset *, struct strset_node *);

struct strset_node *strset_find(const struct strset *, const char *name);
bool strset_contains(const struct strset *, const char *name);
size_t strset_count(const struct strset *);
bool strset_is_empty(const struct strset *);
const char **strset_sort(const struct strset *);
bool strset_equal(const struct strset *, const struct strset *);

/* Iterates NAME (a "const char *") over the strings of STRSET, in no
 * particular order.  The body must not add or remove strings. */
#define STRSET_FOR_EACH(NAME, STRSET)                                   \
    for (struct hmap_node *strset_n_ = hmap_first(&(STRSET)->map);      \
         strset_n_                                                      \
             ? ((NAME) = CONTAINER_OF(strset_n_, struct strset_node,    \
                                      node)->name, 1)                   \
             : ((NAME) = NULL, 0);                                      \
         strset_n_ = hmap_next(&(STRSET)->map, strset_n_))

/* Like STRSET_FOR_EACH, but the body may remove NAME with strset_remove(),
 * after which NAME must not be used. */
#define STRSET_FOR_EACH_SAFE(NAME, STRSET)                              \
    for (struct hmap_node *strset_n_ = hmap_first(&(STRSET)->map),      \
             *strset_nx_ = NULL;                                        \
         strset_n_                                                      \
             ? ((NAME) = CONTAINER_OF(strset_n_, struct strset_node,    \
                                      node)->name,                      \
                strset_nx_ = hmap_next(&(STRSET)->map, strset_n_), 1)   \
             : ((NAME) = NULL, 0);                                      \
         strset_n_ = strset_nx_)

#endif /* lib/strset.h */
