/* OVSDB datums (see datum.h). */
#include "ovsdb/datum.h"

#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "ovsdb/error.h"

/* Initializes 'datum' as the empty set or map. */
void
datum_init_empty(struct datum *datum)
{
    datum->n = 0;
    datum->keys = NULL;
    datum->values = NULL;
}

/* Initializes 'datum' with room for 'n' elements (uninitialized atoms),
 * with values if 'is_map'. */
void
datum_init_alloc(struct datum *datum, size_t n, bool is_map)
{
    datum->n = n;
    if (!n) {
        datum->keys = datum->values = NULL;
        return;
    }
    datum->keys = xmalloc(n * (is_map ? 2 : 1) * sizeof *datum->keys);
    datum->values = is_map ? datum->keys + n : NULL;
}

/* Initializes 'datum' as the default value of 'type' (RFC 7047 §5.2.1):
 * empty if 'type' allows no elements, otherwise one element of defaults. */
void
datum_init_default(struct datum *datum, const struct db_type *type)
{
    if (!type->n_min) {
        datum_init_empty(datum);
        return;
    }
    datum_init_alloc(datum, 1, db_type_is_map(type));
    atom_init_default(&datum->keys[0], type->key.type);
    if (datum->values) {
        atom_init_default(&datum->values[0], type->value.type);
    }
}

/* Returns true if 'datum' is the default value of 'type'. */
bool
datum_is_default(const struct datum *datum, const struct db_type *type)
{
    if (!type->n_min) {
        return !datum->n;
    }
    return (datum->n == 1
            && atom_is_default(&datum->keys[0], type->key.type)
            && (!datum->values
                || atom_is_default(&datum->values[0], type->value.type)));
}

/* Initializes 'dst' as a deep copy of 'src', of 'type'. */
void
datum_clone(struct datum *dst, const struct datum *src,
            const struct db_type *type)
{
    datum_init_alloc(dst, src->n, src->values != NULL);
    if (type->key.type == DB_TYPE_STRING) {
        for (size_t i = 0; i < src->n; i++) {
            dst->keys[i].string = xstrdup(src->keys[i].string);
        }
    } else if (src->n) {
        memcpy(dst->keys, src->keys, src->n * sizeof *dst->keys);
    }
    if (src->values) {
        if (type->value.type == DB_TYPE_STRING) {
            for (size_t i = 0; i < src->n; i++) {
                dst->values[i].string = xstrdup(src->values[i].string);
            }
        } else {
            memcpy(dst->values, src->values, src->n * sizeof *dst->values);
        }
    }
}

static void
datum_destroy_atoms(struct datum *datum, const struct db_type *type)
{
    if (type->key.type == DB_TYPE_STRING) {
        for (size_t i = 0; i < datum->n; i++) {
            free(datum->keys[i].string);
        }
    }
    if (datum->values && type->value.type == DB_TYPE_STRING) {
        for (size_t i = 0; i < datum->n; i++) {
            free(datum->values[i].string);
        }
    }
}

/* Frees what 'datum', of 'type', owns, and leaves it empty. */
void
datum_destroy(struct datum *datum, const struct db_type *type)
{
    datum_destroy_atoms(datum, type);
    free(datum->keys);
    datum_init_empty(datum);
}

/* Exchanges the contents of 'a' and 'b'. */
void
datum_swap(struct datum *a, struct datum *b)
{
    struct datum tmp = *a;
    *a = *b;
    *b = tmp;
}

/* Sorting with a permutation, so that map values follow their keys. */
struct datum_sort_aux {
    const union atom *keys;     /* Keys being sorted. */
    enum db_atomic_type type;   /* Their type. */
};

static int
datum_sort_cmp(const void *a_, const void *b_, void *aux_)
{
    const struct datum_sort_aux *aux = aux_;
    const size_t *a = a_, *b = b_;
    int cmp = atom_compare(&aux->keys[*a], &aux->keys[*b], aux->type);
    /* Break ties by position so that the result is deterministic. */
    return cmp ? cmp : (*a < *b ? -1 : *a > *b);
}

/* Sorts the elements of 'datum', of 'type', by key.  Returns NULL if the
 * keys are unique, else an "ovsdb error" (ovsdb-server(7) §3.1) and
 * 'datum' is sorted but still holds the duplicates. */
struct db_error *
datum_sort_unique(struct datum *datum, const struct db_type *type)
{
    enum db_atomic_type kt = type->key.type;
    size_t i;

    /* Values usually arrive sorted already: check that first. */
    for (i = 1; i < datum->n; i++) {
        if (atom_compare(&datum->keys[i - 1], &datum->keys[i], kt) >= 0) {
            break;
        }
    }
    if (i >= datum->n) {
        return NULL;
    }

    size_t *perm = xmalloc(datum->n * sizeof *perm);
    for (i = 0; i < datum->n; i++) {
        perm[i] = i;
    }
    struct datum_sort_aux aux = { datum->keys, kt };
    qsort_r(perm, datum->n, sizeof *perm, datum_sort_cmp, &aux);

    struct datum sorted;
    datum_init_alloc(&sorted, datum->n, datum->values != NULL);
    for (i = 0; i < datum->n; i++) {
        sorted.keys[i] = datum->keys[perm[i]];
        if (datum->values) {
            sorted.values[i] = datum->values[perm[i]];
        }
    }
    free(perm);
    free(datum->keys);
    *datum = sorted;

    for (i = 1; i < datum->n; i++) {
        if (atom_equals(&datum->keys[i - 1], &datum->keys[i], kt)) {
            return db_error_create("ovsdb error",
                                   datum->values
                                   ? "map contains duplicate key"
                                   : "set contains duplicate");
        }
    }
    return NULL;
}

/* Checks the element count of 'datum' and every atom against 'type''s
 * constraints.  Returns NULL or a "constraint violation". */
struct db_error *
datum_check_constraints(const struct datum *datum,
                        const struct db_type *type)
{
    if (datum->n < type->n_min || datum->n > type->n_max) {
        char *english = db_type_to_english(type);
        struct db_error *error = db_error_create(
            "constraint violation", "%zu element(s) cannot be stored in a "
            "%s", datum->n, english);
        free(english);
        return error;
    }
    for (size_t i = 0; i < datum->n; i++) {
        struct db_error *error = atom_check_constraints(&datum->keys[i],
                                                        &type->key);
        if (!error && datum->values) {
            error = atom_check_constraints(&datum->values[i], &type->value);
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}

static bool
datum_is_set_json(const struct json *json, const char *kind)
{
    return (json_is_array(json) && json_array_size(json) == 2
            && json_is_string(json_array_at(json, 0))
            && !strcmp(json_string(json_array_at(json, 0)), kind));
}

/* Parses 'n' atoms (and values, for maps) from the JSON array 'elems' into
 * 'datum', which must have room for them. */
static struct db_error *
datum_parse_elems(struct datum *datum, const struct db_type *type,
                  const struct json *elems, struct db_symtab *symtab)
{
    bool is_map = db_type_is_map(type);
    size_t n = json_array_size(elems);
    size_t i;

    for (i = 0; i < n; i++) {
        const struct json *elem = json_array_at(elems, i);
        const struct json *key = elem;
        const struct json *value = NULL;
        struct db_error *error;

        if (is_map) {
            if (!json_is_array(elem) || json_array_size(elem) != 2) {
                error = db_error_syntax(elem, "syntax error",
                                        "expected 2-element array as "
                                        "map pair");
                goto error;
            }
            key = json_array_at(elem, 0);
            value = json_array_at(elem, 1);
        }
        error = atom_from_json(&datum->keys[i], &type->key, key, symtab);
        if (error) {
            goto error;
        }
        if (is_map) {
            error = atom_from_json(&datum->values[i], &type->value, value,
                                   symtab);
            if (error) {
                atom_destroy(&datum->keys[i], type->key.type);
                goto error;
            }
        }
        continue;

    error:
        datum->n = i;
        datum_destroy(datum, type);
        return error;
    }
    return NULL;
}

/* Parses 'json', an RFC 7047 <value> of 'type', into 'datum'.  A scalar or
 * set may be given as a bare atom or as ["set", [ATOM...]], a map only as
 * ["map", [[KEY, VALUE]...]].  Checks the element count ("syntax error"),
 * each atom's constraints ("constraint violation") and uniqueness ("ovsdb
 * error").  Named UUIDs resolve through 'symtab' (NULL: not allowed).  On
 * success the caller owns 'datum'; on error 'datum' is left empty. */
struct db_error *
datum_from_json(struct datum *datum, const struct db_type *type,
                const struct json *json, struct db_symtab *symtab)
{
    struct db_error *error;
    bool is_map = db_type_is_map(type);

    if (is_map || datum_is_set_json(json, "set")) {
        const char *kind = is_map ? "map" : "set";
        if (!datum_is_set_json(json, kind)
            || !json_is_array(json_array_at(json, 1))) {
            datum_init_empty(datum);
            return db_error_syntax(json, "syntax error",
                                   "expected [\"%s\", <array>]", kind);
        }
        const struct json *elems = json_array_at(json, 1);
        size_t n = json_array_size(elems);
        if (n < type->n_min || n > type->n_max) {
            datum_init_empty(datum);
            if (type->n_max == UINT_MAX) {
                return db_error_syntax(json, "syntax error",
                                       "%s must have at least %u member(s) "
                                       "but %zu are present", kind,
                                       type->n_min, n);
            }
            return db_error_syntax(json, "syntax error",
                                   "%s must have %u to %u member(s) but "
                                   "%zu are present", kind, type->n_min,
                                   type->n_max, n);
        }
        datum_init_alloc(datum, n, is_map);
        error = datum_parse_elems(datum, type, elems, symtab);
        if (error) {
            return error;
        }
    } else {
        if (type->n_max < 1) {
            datum_init_empty(datum);
            return db_error_syntax(json, "syntax error",
                                   "value must be an empty set");
        }
        datum_init_alloc(datum, 1, false);
        error = atom_from_json(&datum->keys[0], &type->key, json, symtab);
        if (error) {
            free(datum->keys);
            datum_init_empty(datum);
            return error;
        }
    }

    for (size_t i = 0; i < datum->n; i++) {
        error = atom_check_constraints(&datum->keys[i], &type->key);
        if (!error && datum->values) {
            error = atom_check_constraints(&datum->values[i], &type->value);
        }
        if (error) {
            datum_destroy(datum, type);
            return error;
        }
    }
    error = datum_sort_unique(datum, type);
    if (error) {
        datum_destroy(datum, type);
    }
    return error;
}

/* Returns the RFC 7047 JSON form of 'datum', of 'type': a map as ["map",
 * [[K, V]...]], a set of exactly one element as the bare atom (as
 * ovsdb-server prints it), any other set as ["set", [...]].  The caller owns
 * the result. */
struct json *
datum_to_json(const struct datum *datum, const struct db_type *type)
{
    if (db_type_is_map(type)) {
        struct json *pairs = json_array_create_empty();
        for (size_t i = 0; i < datum->n; i++) {
            json_array_add(pairs, json_array_create_2(
                               atom_to_json(&datum->keys[i], type->key.type),
                               atom_to_json(&datum->values[i],
                                            type->value.type)));
        }
        return json_array_create_2(json_string_create("map"), pairs);
    } else if (datum->n == 1) {
        return atom_to_json(&datum->keys[0], type->key.type);
    } else {
        struct json *elems = json_array_create_empty();
        for (size_t i = 0; i < datum->n; i++) {
            json_array_add(elems,
                           atom_to_json(&datum->keys[i], type->key.type));
        }
        return json_array_create_2(json_string_create("set"), elems);
    }
}

/* Appends to 'ds' the text of datum_to_json('datum', 'type'), exactly as
 * json_to_ds() would print it, without building the value. */
void
datum_to_json_ds(const struct datum *datum, const struct db_type *type,
                 struct ds *ds)
{
    enum db_atomic_type kt = type->key.type;
    if (db_type_is_map(type)) {
        enum db_atomic_type vt = type->value.type;
        ds_put_cstr(ds, "[\"map\",[");
        for (size_t i = 0; i < datum->n; i++) {
            ds_put_cstr(ds, i ? ",[" : "[");
            atom_to_json_ds(&datum->keys[i], kt, ds);
            ds_put_char(ds, ',');
            atom_to_json_ds(&datum->values[i], vt, ds);
            ds_put_char(ds, ']');
        }
        ds_put_cstr(ds, "]]");
    } else if (datum->n == 1) {
        atom_to_json_ds(&datum->keys[0], kt, ds);
    } else {
        ds_put_cstr(ds, "[\"set\",[");
        for (size_t i = 0; i < datum->n; i++) {
            if (i) {
                ds_put_char(ds, ',');
            }
            atom_to_json_ds(&datum->keys[i], kt, ds);
        }
        ds_put_cstr(ds, "]]");
    }
}

/* Returns true if 'a' and 'b', both of 'type', hold the same elements. */
bool
datum_equals(const struct datum *a, const struct datum *b,
             const struct db_type *type)
{
    if (a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (!atom_equals(&a->keys[i], &b->keys[i], type->key.type)) {
            return false;
        }
    }
    if (a->values && b->values) {
        for (size_t i = 0; i < a->n; i++) {
            if (!atom_equals(&a->values[i], &b->values[i],
                             type->value.type)) {
                return false;
            }
        }
    }
    return true;
}

/* Returns a hash of 'datum', of 'type', with 'basis'.  Equal datums hash
 * equal. */
uint32_t
datum_hash(const struct datum *datum, const struct db_type *type,
           uint32_t basis)
{
    uint32_t hash = basis;
    for (size_t i = 0; i < datum->n; i++) {
        hash = atom_hash(&datum->keys[i], type->key.type, hash);
        if (datum->values) {
            hash = atom_hash(&datum->values[i], type->value.type, hash);
        }
    }
    return hash_finish(hash, datum->n);
}

/* Returns the position of 'key', of atomic type 'type', among the keys of
 * 'datum', or SIZE_MAX if it is absent.  Binary search. */
size_t
datum_find_key(const struct datum *datum, const union atom *key,
               enum db_atomic_type type)
{
    size_t lo = 0, hi = datum->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = atom_compare(key, &datum->keys[mid], type);
        if (!cmp) {
            return mid;
        } else if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return SIZE_MAX;
}

/* Returns the position of 'atom' (of 'type') among the sorted keys of
 * 'datum' if it is there, setting '*found', else the position where it
 * would go. */
size_t
datum_lower_bound(const struct datum *datum, const union atom *atom,
                  enum db_atomic_type type, bool *found)
{
    size_t lo = 0, hi = datum->n;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = atom_compare(&datum->keys[mid], atom, type);
        if (!cmp) {
            *found = true;
            return mid;
        } else if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Returns true if element 'i' of 'other' is in 'datum' (for maps, the key
 * with the same value), both of 'type'. */
bool
datum_contains(const struct datum *datum, size_t i,
               const struct datum *other, const struct db_type *type)
{
    size_t j = datum_find_key(datum, &other->keys[i], type->key.type);
    return (j != SIZE_MAX
            && (!datum->values
                || atom_equals(&datum->values[j], &other->values[i],
                               type->value.type)));
}

/* Returns true if every element of 'b' is in 'a' (RFC 7047 "includes"). */
bool
datum_includes_all(const struct datum *a, const struct datum *b,
                   const struct db_type *type)
{
    for (size_t i = 0; i < b->n; i++) {
        if (!datum_contains(a, i, b, type)) {
            return false;
        }
    }
    return true;
}

/* Returns true if no element of 'b' is in 'a' (RFC 7047 "excludes"). */
bool
datum_excludes_all(const struct datum *a, const struct datum *b,
                   const struct db_type *type)
{
    for (size_t i = 0; i < b->n; i++) {
        if (datum_contains(a, i, b, type)) {
            return false;
        }
    }
    return true;
}

/* Adds to 'a' each element of 'b' whose key 'a' lacks (for maps, an
 * existing key keeps its value in 'a').  Both are of 'type'.  A linear
 * merge; 'b' is unchanged. */
void
datum_union(struct datum *a, const struct datum *b,
            const struct db_type *type)
{
    enum db_atomic_type kt = type->key.type;
    bool is_map = a->values != NULL || b->values != NULL;
    struct datum out;
    size_t i = 0, j = 0, k = 0;

    if (!b->n) {
        return;
    }
    datum_init_alloc(&out, a->n + b->n, is_map);
    while (i < a->n || j < b->n) {
        int cmp = (i >= a->n ? 1 : j >= b->n ? -1
                   : atom_compare(&a->keys[i], &b->keys[j], kt));
        if (cmp <= 0) {
            out.keys[k] = a->keys[i];
            if (is_map) {
                out.values[k] = a->values[i];
            }
            i++;
            if (!cmp) {
                j++;
            }
        } else {
            atom_clone(&out.keys[k], &b->keys[j], kt);
            if (is_map) {
                atom_clone(&out.values[k], &b->values[j], type->value.type);
            }
            j++;
        }
        k++;
    }
    free(a->keys);
    if (k < out.n && is_map) {
        /* Close the gap between keys and values. */
        memmove(out.keys + k, out.values, k * sizeof *out.keys);
        out.values = out.keys + k;
    }
    out.n = k;
    *a = out;
}

/* Removes from 'a', of 'a_type', each element whose key is a key of 'b'; if
 * 'match_values' (and both are maps), only elements whose value matches
 * too.  A linear merge; 'b' is unchanged. */
void
datum_subtract(struct datum *a, const struct datum *b,
               const struct db_type *a_type, bool match_values)
{
    enum db_atomic_type kt = a_type->key.type;
    size_t i = 0, j = 0;

    if (!a->n || !b->n) {
        return;
    }
    bool *drop = xcalloc(a->n, sizeof *drop);
    size_t n_drop = 0;
    while (i < a->n && j < b->n) {
        int cmp = atom_compare(&a->keys[i], &b->keys[j], kt);
        if (cmp < 0) {
            i++;
        } else if (cmp > 0) {
            j++;
        } else {
            if (!match_values || !a->values || !b->values
                || atom_equals(&a->values[i], &b->values[j],
                               a_type->value.type)) {
                drop[i] = true;
                n_drop++;
            }
            i++;
            j++;
        }
    }
    if (n_drop) {
        datum_remove_marked(a, drop, a_type);
    }
    free(drop);
}

/* Removes from 'datum', of 'type', each element 'i' with 'marked[i]'
 * true, freeing it. */
void
datum_remove_marked(struct datum *datum, const bool *marked,
                    const struct db_type *type)
{
    size_t k = 0;
    for (size_t i = 0; i < datum->n; i++) {
        if (marked[i]) {
            atom_destroy(&datum->keys[i], type->key.type);
            if (datum->values) {
                atom_destroy(&datum->values[i], type->value.type);
            }
        } else {
            datum->keys[k++] = datum->keys[i];
        }
    }
    if (datum->values) {
        size_t kv = 0;
        for (size_t i = 0; i < datum->n; i++) {
            if (!marked[i]) {
                datum->values[kv++] = datum->values[i];
            }
        }
        /* Keys now occupy [0, k); move values right after them. */
        memmove(datum->keys + k, datum->values, k * sizeof *datum->keys);
        datum->values = datum->keys + k;
    }
    datum->n = k;
    if (!k) {
        free(datum->keys);
        datum_init_empty(datum);
    }
}

/* Initializes 'diff' as the difference from 'old' to 'new', all of 'type',
 * such that datum_apply_diff() of 'diff' to 'old' gives 'new': for a
 * scalar, 'new' itself; for a set, the elements in just one of them; for a
 * map, the pairs of 'old' whose keys 'new' lacks and the pairs of 'new'
 * that 'old' lacks or maps differently.  'diff' may break 'type''s size
 * bounds. */
void
datum_diff(struct datum *diff, const struct datum *old,
           const struct datum *new, const struct db_type *type)
{
    enum db_atomic_type kt = type->key.type;
    enum db_atomic_type vt = type->value.type;
    bool is_map = db_type_is_map(type);

    /* A column of at most one value carries its new value, as
     * ovsdb-server sends it: an exclusive-or of {a} and {b} would not fit
     * the column's type. */
    if (db_type_is_scalar(type) || db_type_is_optional_scalar(type)) {
        datum_clone(diff, new, type);
        return;
    }

    size_t i = 0, j = 0, k = 0;
    datum_init_alloc(diff, old->n + new->n, is_map);
    while (i < old->n || j < new->n) {
        int cmp = (i >= old->n ? 1 : j >= new->n ? -1
                   : atom_compare(&old->keys[i], &new->keys[j], kt));
        const struct datum *src;
        size_t idx;
        if (cmp < 0) {
            src = old;
            idx = i++;
        } else if (cmp > 0) {
            src = new;
            idx = j++;
        } else {
            bool same = !is_map || atom_equals(&old->values[i],
                                               &new->values[j], vt);
            i++;
            idx = j++;
            if (same) {
                continue;
            }
            src = new;
        }
        atom_clone(&diff->keys[k], &src->keys[idx], kt);
        if (is_map) {
            atom_clone(&diff->values[k], &src->values[idx], vt);
        }
        k++;
    }
    if (is_map && k < diff->n) {
        memmove(diff->keys + k, diff->values, k * sizeof *diff->keys);
        diff->values = diff->keys + k;
    }
    diff->n = k;
    if (!k) {
        free(diff->keys);
        datum_init_empty(diff);
    }
}

/* Applies 'diff' to 'datum', both of 'type', as in an ovsdb-server file
 * record with "_is_diff": for a scalar, 'diff' is the new value; for a set,
 * each element of 'diff' is added if absent and removed if present; for a
 * map, a pair equal to an existing one is removed, a key with a new value is
 * replaced, and a new key is added. */
void
datum_apply_diff(struct datum *datum, const struct datum *diff,
                 const struct db_type *type)
{
    enum db_atomic_type kt = type->key.type;
    enum db_atomic_type vt = type->value.type;
    bool is_map = db_type_is_map(type);

    if (db_type_is_scalar(type) || db_type_is_optional_scalar(type)) {
        datum_destroy(datum, type);
        datum_clone(datum, diff, type);
        return;
    }

    struct datum out;
    size_t i = 0, j = 0, k = 0;
    datum_init_alloc(&out, datum->n + diff->n, is_map);
    while (i < datum->n || j < diff->n) {
        int cmp = (i >= datum->n ? 1 : j >= diff->n ? -1
                   : atom_compare(&datum->keys[i], &diff->keys[j], kt));
        if (cmp < 0) {
            out.keys[k] = datum->keys[i];
            if (is_map) {
                out.values[k] = datum->values[i];
            }
            i++;
            k++;
        } else if (cmp > 0) {
            atom_clone(&out.keys[k], &diff->keys[j], kt);
            if (is_map) {
                atom_clone(&out.values[k], &diff->values[j], vt);
            }
            j++;
            k++;
        } else {
            if (is_map && !atom_equals(&datum->values[i], &diff->values[j],
                                       vt)) {
                out.keys[k] = datum->keys[i];
                atom_destroy(&datum->values[i], vt);
                atom_clone(&out.values[k], &diff->values[j], vt);
                k++;
            } else {
                atom_destroy(&datum->keys[i], kt);
                if (is_map) {
                    atom_destroy(&datum->values[i], vt);
                }
            }
            i++;
            j++;
        }
    }
    free(datum->keys);
    if (is_map && k < out.n) {
        memmove(out.keys + k, out.values, k * sizeof *out.keys);
        out.values = out.keys + k;
    }
    out.n = k;
    if (!k) {
        free(out.keys);
        datum_init_empty(&out);
    }
    *datum = out;
}
