/* Intrusive circular doubly linked list.  An empty list is a head whose
 * 'prev' and 'next' point to itself. */
#ifndef LIB_LIST_H
#define LIB_LIST_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct list {
    struct list *prev;          /* Previous element, or the head. */
    struct list *next;          /* Next element, or the head. */
};

#define LIST_INITIALIZER(LIST) { LIST, LIST }

static inline void
list_init(struct list *list)
{
    list->prev = list->next = list;
}

static inline bool
list_is_empty(const struct list *list)
{
    return list->next == list;
}

/* Inserts 'elem' just before 'before'. */
static inline void
list_insert(struct list *before, struct list *elem)
{
    elem->prev = before->prev;
    elem->next = before;
    before->prev->next = elem;
    before->prev = elem;
}

static inline void
list_push_back(struct list *list, struct list *elem)
{
    list_insert(list, elem);
}

static inline void
list_push_front(struct list *list, struct list *elem)
{
    list_insert(list->next, elem);
}

/* Removes 'elem' from its list and returns the element after it. */
static inline struct list *
list_remove(struct list *elem)
{
    elem->prev->next = elem->next;
    elem->next->prev = elem->prev;
    return elem->next;
}

static inline struct list *
list_pop_front(struct list *list)
{
    struct list *front = list->next;
    list_remove(front);
    return front;
}

static inline struct list *
list_front(const struct list *list)
{
    return list->next;
}

static inline struct list *
list_back(const struct list *list)
{
    return list->prev;
}

static inline size_t
list_size(const struct list *list)
{
    size_t n = 0;
    for (const struct list *e = list->next; e != list; e = e->next) {
        n++;
    }
    return n;
}

/* Moves all of 'src' to the back of 'dst', leaving 'src' empty. */
static inline void
list_splice_back(struct list *dst, struct list *src)
{
    if (!list_is_empty(src)) {
        src->next->prev = dst->prev;
        dst->prev->next = src->next;
        src->prev->next = dst;
        dst->prev = src->prev;
        list_init(src);
    }
}

#define LIST_FOR_EACH(ITER, MEMBER, LIST)                               \
    for (struct list *list_e_ = (LIST)->next;                           \
         list_e_ != (LIST)                                              \
             ? ((ITER) = OBJECT_CONTAINING(list_e_, ITER, MEMBER), 1)   \
             : ((ITER) = NULL, 0);                                      \
         list_e_ = list_e_->next)

#define LIST_FOR_EACH_REVERSE(ITER, MEMBER, LIST)                       \
    for (struct list *list_e_ = (LIST)->prev;                           \
         list_e_ != (LIST)                                              \
             ? ((ITER) = OBJECT_CONTAINING(list_e_, ITER, MEMBER), 1)   \
             : ((ITER) = NULL, 0);                                      \
         list_e_ = list_e_->prev)

/* Like LIST_FOR_EACH, but ITER may be removed (and freed) in the body. */
#define LIST_FOR_EACH_SAFE(ITER, MEMBER, LIST)                          \
    for (struct list *list_e_ = (LIST)->next, *list_nx_ = NULL;         \
         list_e_ != (LIST)                                              \
             ? ((ITER) = OBJECT_CONTAINING(list_e_, ITER, MEMBER),      \
                list_nx_ = list_e_->next, 1)                            \
             : ((ITER) = NULL, 0);                                      \
         list_e_ = list_nx_)

#define LIST_FOR_EACH_POP(ITER, MEMBER, LIST)                           \
    while (!list_is_empty(LIST)                                         \
           && ((ITER) = OBJECT_CONTAINING(list_pop_front(LIST),         \
                                          ITER, MEMBER), 1))

#endif /* lib/list.h */
