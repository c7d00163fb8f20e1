/* OVSDB datums: the value of one column of one row, a set of atoms or a map
 * from atoms to atoms (RFC 7047 <value>).  Elements are kept sorted by key
 * with no duplicate keys, so lookups are binary searches and set operations
 * linear merges. */
#ifndef OVSDB_DATUM_H
#define OVSDB_DATUM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "ovsdb/atom.h"
#include "ovsdb/type.h"

struct db_error;
struct ds;
struct json;

/* A set (values == NULL) or map.  'keys' and 'values' are one allocation
 * ('values' == 'keys' + 'n'), owned by the datum, except for the fields of a
 * row that the row keeps inline (see row.h). */
struct datum {
    size_t n;                   /* Number of elements. */
    union atom *keys;           /* 'n' keys, sorted, unique; NULL if 0. */
    union atom *values;         /* 'n' values for a map, else NULL. */
};

void datum_init_empty(struct datum *);
void datum_init_default(struct datum *, const struct db_type *);
void datum_init_alloc(struct datum *, size_t n, bool is_map);
bool datum_is_default(const struct datum *, const struct db_type *);
void datum_clone(struct datum *dst, const struct datum *src,
                 const struct db_type *);
void datum_destroy(struct datum *, const struct db_type *);
void datum_swap(struct datum *, struct datum *);

struct db_error *datum_from_json(struct datum *, const struct db_type *,
                                 const struct json *, struct db_symtab *)
    WARN_UNUSED_RESULT;
struct json *datum_to_json(const struct datum *, const struct db_type *);
void datum_to_json_ds(const struct datum *, const struct db_type *,
                      struct ds *);
struct db_error *datum_check_constraints(const struct datum *,
                                         const struct db_type *)
    WARN_UNUSED_RESULT;
struct db_error *datum_sort_unique(struct datum *, const struct db_type *)
    WARN_UNUSED_RESULT;

bool datum_equals(const struct datum *, const struct datum *,
                  const struct db_type *);
uint32_t datum_hash(const struct datum *, const struct db_type *,
                    uint32_t basis);

size_t datum_find_key(const struct datum *, const union atom *key,
                      enum db_atomic_type);
size_t datum_lower_bound(const struct datum *, const union atom *,
                         enum db_atomic_type, bool *found);
bool datum_contains(const struct datum *, size_t i_other,
                    const struct datum *other, const struct db_type *);
bool datum_includes_all(const struct datum *a, const struct datum *b,
                        const struct db_type *);
bool datum_excludes_all(const struct datum *a, const struct datum *b,
                        const struct db_type *);

void datum_union(struct datum *a, const struct datum *b,
                 const struct db_type *);
void datum_subtract(struct datum *a, const struct datum *b,
                    const struct db_type *a_type, bool match_values);
void datum_diff(struct datum *diff, const struct datum *old,
                const struct datum *new, const struct db_type *);
void datum_apply_diff(struct datum *, const struct datum *diff,
                      const struct db_type *);
void datum_remove_marked(struct datum *, const bool *marked,
                         const struct db_type *);

#endif /* ovsdb/datum.h */
