/* JSON values: construction, comparison, serialization and a recursive
 * descent parser over a contiguous buffer.  Kiln has its own rather than
 * wrapping a library because JSON-RPC streams need framing that libraries
 * lack, and the database's hot path creates and prints millions of small
 * values (bench/json-bench compares this parser with jansson).
 *
 * Memory.  The database parses and builds trees of hundreds of thousands of
 * values, so each value is as few allocations as possible:
 *
 *   - a scalar is one block of JSON_SCALAR_SIZE bytes, shorter than
 *     struct json;
 *   - a string is one block: the header up to 'string', then the bytes;
 *   - a parsed, cloned or json_array_create_<n>() array is one block:
 *     struct json, then 'elems';
 *   - a parsed or cloned object is one block: struct json, then its
 *     members, then their names, each null-terminated;
 *   - a json_object_create() object is one block: struct json, room for
 *     JSON_OBJECT_INLINE members, then a first chunk for names.
 *
 * An array or object that outgrows its block moves 'elems' or 'members'
 * to an allocation of its own ('own_elems', 'own_members'); an object
 * keeps the names put into it in a list of chunks ('struct
 * json_object_names'), so a member costs no allocation of its own.  Small
 * objects are searched linearly, comparing hashes first; larger ones get an
 * open-addressing index of member positions on their first lookup, kept up
 * to date as members are added and dropped when one is stolen. */
#include "lib/json.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"

/* Bytes allocated for a scalar and for a string's header (its bytes
 * follow). */
#define JSON_SCALAR_SIZE (offsetof(struct json, real) + sizeof(double))
#define JSON_STRING_SIZE (offsetof(struct json, string.length) \
                          + sizeof(size_t))

/* Storage for the names of members added to an object after it was made:
 * a list of chunks, newest first, each filled with null-terminated names
 * from the start.  Names stay put until the object is freed, except that
 * json_object_steal() compacts them once most of their bytes are dead. */
struct json_object_names {
    struct json_object_names *next; /* Older chunk, or NULL. */
    size_t size;                /* Bytes in 'bytes'. */
    size_t used;                /* Bytes of 'bytes' in use, dead or live. */
    size_t dead;                /* Newest chunk only: bytes of stolen names
                                 * in the whole list. */
    bool embedded;              /* In the object's own block (not freed)? */
    char bytes[];               /* Names. */
};

/* Chunks double in size from the first up to the largest. */
#define JSON_NAMES_MIN 64
#define JSON_NAMES_MAX 65536

/* Members that a json_object_create() object has room for in its block. */
#define JSON_OBJECT_INLINE 4

/* One slot of an object's index. */
struct json_object_slot {
    uint32_t hash;              /* The member's hash, if 'pos' is nonzero. */
    uint32_t pos;               /* 1 + the member's index, or 0 if free. */
};

/* An open-addressing (linear probing) hash index over the members of an
 * object with more than JSON_OBJECT_LINEAR_MAX of them, filled to at most
 * three quarters. */
struct json_object_index {
    uint32_t mask;              /* Number of slots minus one. */
    struct json_object_slot slots[]; /* 'mask + 1' slots. */
};

/* Hashes the member name 's' ('length' bytes).  Names are short, so this
 * reads them 8 bytes at a time, where hash_bytes() takes 4. */
static uint32_t
json_name_hash(const char *s, size_t length)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ length;
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t word;
        memcpy(&word, &s[i], 8);
        h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
    }
    uint64_t tail = 0;
    for (size_t j = 0; i + j < length; j++) {
        tail |= (uint64_t) (unsigned char) s[i + j] << (8 * j);
    }

    /* The finalizer of splitmix64: every bit of 'h' affects the low ones,
     * which the index uses. */
    h = (h ^ tail) * 0x94d049bb133111ebULL;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h;
}

static struct json *
json_alloc(enum json_type type, size_t size)
{
    struct json *json = xmalloc(size);
    json->type = type;
    json->refcount = 1;
    return json;
}

static struct json *
json_create(enum json_type type)
{
    return json_alloc(type, JSON_SCALAR_SIZE);
}

struct json *
json_null_create(void)
{
    return json_create(JSON_NULL);
}

struct json *
json_boolean_create(bool b)
{
    return json_create(b ? JSON_TRUE : JSON_FALSE);
}

struct json *
json_integer_create(long long integer)
{
    struct json *json = json_create(JSON_INTEGER);
    json->integer = integer;
    return json;
}

struct json *
json_real_create(double real)
{
    struct json *json = json_create(JSON_REAL);
    json->real = real;
    return json;
}

/* Returns a new string value with room for 'length' bytes and a null in
 * 'string.s'; the caller fills them in and sets 'string.length'. */
static struct json *
json_string_alloc(size_t length)
{
    struct json *json = json_alloc(JSON_STRING,
                                   JSON_STRING_SIZE + length + 1);
    json->string.s = (char *) json + JSON_STRING_SIZE;
    return json;
}

/* Takes ownership of 's'.  (The value copies 's' into its own block and
 * frees 's': a value is one allocation.) */
struct json *
json_string_create_nocopy(char *s)
{
    struct json *json = json_string_create(s);
    free(s);
    return json;
}

struct json *
json_string_create_buffer(const char *s, size_t length)
{
    struct json *json = json_string_alloc(length);
    memcpy(json->string.s, s, length);
    json->string.s[length] = '\0';
    json->string.length = length;
    return json;
}

struct json *
json_string_create(const char *s)
{
    return json_string_create_buffer(s, strlen(s));
}

/* Returns a new array of 'n' elements that the caller must fill in, with
 * the elements in the value's own block. */
static struct json *
json_array_alloc(size_t n)
{
    struct json *json = json_alloc(JSON_ARRAY,
                                   sizeof *json + n * sizeof(struct json *));
    json->array.elems = n ? (struct json **) (json + 1) : NULL;
    json->array.n = json->array.allocated = n;
    json->array.own_elems = false;
    return json;
}

struct json *
json_array_create_empty(void)
{
    return json_array_alloc(0);
}

struct json *
json_array_create_1(struct json *a)
{
    struct json *json = json_array_alloc(1);
    json->array.elems[0] = a;
    return json;
}

struct json *
json_array_create_2(struct json *a, struct json *b)
{
    struct json *json = json_array_alloc(2);
    json->array.elems[0] = a;
    json->array.elems[1] = b;
    return json;
}

struct json *
json_array_create_3(struct json *a, struct json *b, struct json *c)
{
    struct json *json = json_array_alloc(3);
    json->array.elems[0] = a;
    json->array.elems[1] = b;
    json->array.elems[2] = c;
    return json;
}

void
json_array_add(struct json *array, struct json *elem)
{
    struct json_array *a = &array->array;
    if (a->n >= a->allocated) {
        if (a->own_elems) {
            a->elems = x2nrealloc(a->elems, &a->allocated, sizeof *a->elems);
        } else {
            /* Move the elements out of the value's own block. */
            struct json **elems = a->elems;
            a->allocated = MAX(8, 2 * a->n);
            a->elems = xmalloc(a->allocated * sizeof *a->elems);
            if (a->n) {
                memcpy(a->elems, elems, a->n * sizeof *elems);
            }
            a->own_elems = true;
        }
    }
    a->elems[a->n++] = elem;
}

/* Objects. */

struct json *
json_object_create(void)
{
    size_t members_size = JSON_OBJECT_INLINE * sizeof(struct json_member);
    struct json *json = json_alloc(JSON_OBJECT,
                                   (sizeof *json + members_size
                                    + sizeof(struct json_object_names)
                                    + JSON_NAMES_MIN));
    struct json_object *o = &json->object;
    o->members = (struct json_member *) (json + 1);
    o->n = 0;
    o->allocated = JSON_OBJECT_INLINE;
    o->own_members = false;
    o->index = NULL;

    o->names = (struct json_object_names *) ((char *) o->members
                                             + members_size);
    o->names->next = NULL;
    o->names->size = JSON_NAMES_MIN;
    o->names->used = 0;
    o->names->dead = 0;
    o->names->embedded = true;
    return json;
}

/* Returns a new object of 'n' members that the caller must fill in, with
 * the members and 'names_size' bytes for their names (stored in '*namesp')
 * in the value's own block. */
static struct json *
json_object_alloc(size_t n, size_t names_size, char **namesp)
{
    size_t size = (sizeof(struct json) + n * sizeof(struct json_member)
                   + names_size);
    struct json *json = json_alloc(JSON_OBJECT, size);
    struct json_object *o = &json->object;
    o->members = n ? (struct json_member *) (json + 1) : NULL;
    o->n = o->allocated = n;
    o->own_members = false;
    o->names = NULL;
    o->index = NULL;
    *namesp = (char *) (json + 1) + n * sizeof(struct json_member);
    return json;
}

/* Returns a new object whose one member is 'name': 'value' (whose
 * reference it takes), in one block of just the right size: cheaper to make
 * and to free than json_object_create() then json_object_put_new(), for
 * the many small objects of a large reply. */
struct json *
json_object_create_1(const char *name, struct json *value)
{
    size_t length = strlen(name);
    char *names;
    struct json *json = json_object_alloc(1, length + 1, &names);
    memcpy(names, name, length + 1);
    json->object.members[0] = (struct json_member) {
        .name = names,
        .value = value,
        .hash = json_name_hash(name, length),
    };
    return json;
}

static void
json_object_index_insert(struct json_object_index *index, uint32_t hash,
                         uint32_t i)
{
    uint32_t s = hash & index->mask;
    while (index->slots[s].pos) {
        s = (s + 1) & index->mask;
    }
    index->slots[s].hash = hash;
    index->slots[s].pos = i + 1;
}

/* Replaces 'o''s index by one over its members with room for 'capacity'
 * members. */
static void
json_object_index_build(struct json_object *o, size_t capacity)
{
    size_t n_slots = 32;
    while (n_slots * 3 < capacity * 4) {
        n_slots *= 2;
    }
    free(o->index);
    o->index = xzalloc(sizeof *o->index + n_slots * sizeof *o->index->slots);
    o->index->mask = n_slots - 1;
    for (uint32_t i = 0; i < o->n; i++) {
        json_object_index_insert(o->index, o->members[i].hash, i);
    }
}

/* Returns the member of 'object' named 'name' (whose json_name_hash() is
 * 'hash'), or NULL.  May build the object's index: that changes no value,
 * so 'object' is const, but two threads must not look up in one object at
 * once (they cannot share values anyway: reference counts are not
 * atomic). */
static struct json_member *
json_object_lookup(const struct json_object *object, const char *name,
                   uint32_t hash)
{
    struct json_object *o = (struct json_object *) object;

    if (o->n <= JSON_OBJECT_LINEAR_MAX) {
        /* By index: an empty object's 'members' may be NULL, and NULL + 0
         * is undefined behavior. */
        for (uint32_t i = 0; i < o->n; i++) {
            struct json_member *m = &o->members[i];
            if (m->hash == hash && !strcmp(m->name, name)) {
                return m;
            }
        }
        return NULL;
    }

    if (!o->index) {
        json_object_index_build(o, o->n);
    }
    const struct json_object_index *index = o->index;
    for (uint32_t s = hash & index->mask; index->slots[s].pos;
         s = (s + 1) & index->mask) {
        if (index->slots[s].hash == hash) {
            struct json_member *m = &o->members[index->slots[s].pos - 1];
            if (!strcmp(m->name, name)) {
                return m;
            }
        }
    }
    return NULL;
}

static struct json_member *
json_object_lookup_cstr(const struct json_object *o, const char *name)
{
    return json_object_lookup(o, name, json_name_hash(name, strlen(name)));
}

/* Copies 'name' ('length' bytes plus a null) into 'o''s name storage and
 * returns the copy. */
static const char *
json_object_store_name(struct json_object *o, const char *name,
                       size_t length)
{
    struct json_object_names *c = o->names;
    if (!c || c->size - c->used <= length) {
        size_t size = c ? MIN(2 * c->size, JSON_NAMES_MAX) : JSON_NAMES_MIN;
        size = MAX(size, length + 1);
        struct json_object_names *new = xmalloc(sizeof *new + size);
        new->next = c;
        new->size = size;
        new->used = 0;
        new->dead = c ? c->dead : 0;
        new->embedded = false;
        o->names = c = new;
    }
    char *copy = &c->bytes[c->used];
    memcpy(copy, name, length);
    copy[length] = '\0';
    c->used += length + 1;
    return copy;
}

/* Returns true if 'name' lies in one of the chunks 'c'. */
static bool
json_object_names_contain(const struct json_object_names *c,
                          const char *name)
{
    uintptr_t p = (uintptr_t) name;
    for (; c; c = c->next) {
        if (p >= (uintptr_t) c->bytes && p < (uintptr_t) c->bytes + c->used) {
            return true;
        }
    }
    return false;
}

static void
json_object_names_free(struct json_object_names *c)
{
    while (c) {
        struct json_object_names *next = c->next;
        if (!c->embedded) {
            free(c);
        }
        c = next;
    }
}

/* Once most of the bytes in 'o''s name chunks belong to stolen members,
 * copies the live names into one new chunk and frees the old ones, so that
 * an object whose members are put and stolen over and over stays
 * bounded. */
static void
json_object_compact_names(struct json_object *o)
{
    struct json_object_names *old = o->names;
    size_t used = 0;
    for (const struct json_object_names *c = old; c; c = c->next) {
        used += c->used;
    }
    if (old->dead < 4096 || old->dead * 2 < used) {
        return;
    }

    size_t live = used - old->dead;
    o->names = NULL;
    if (live) {
        o->names = xmalloc(sizeof *o->names + live);
        o->names->next = NULL;
        o->names->size = live;
        o->names->used = 0;
        o->names->dead = 0;
        o->names->embedded = false;
        for (uint32_t i = 0; i < o->n; i++) {
            struct json_member *m = &o->members[i];
            if (json_object_names_contain(old, m->name)) {
                m->name = json_object_store_name(o, m->name,
                                                 strlen(m->name));
            }
        }
    }
    json_object_names_free(old);
}

/* Makes room in 'o''s member array for one more member. */
static void
json_object_grow(struct json_object *o)
{
    ASSERT(o->n < UINT32_MAX);
    size_t capacity = o->n < 4 ? 4 : MIN(2 * (size_t) o->n, UINT32_MAX);
    if (o->own_members) {
        o->members = xrealloc(o->members, capacity * sizeof *o->members);
    } else {
        /* Move the members out of the value's own block. */
        struct json_member *members = o->members;
        o->members = xmalloc(capacity * sizeof *o->members);
        if (o->n) {
            memcpy(o->members, members, o->n * sizeof *members);
        }
        o->own_members = true;
    }
    o->allocated = capacity;
}

/* Appends a member named 'name' ('length' bytes) whose json_name_hash() is
 * 'hash', taking ownership of 'value'. */
static void
json_object_append(struct json *json, const char *name, size_t length,
                   uint32_t hash, struct json *value)
{
    struct json_object *o = &json->object;
    if (o->n >= o->allocated) {
        json_object_grow(o);
    }
    struct json_member *m = &o->members[o->n++];
    m->name = json_object_store_name(o, name, length);
    m->value = value;
    m->hash = hash;

    if (o->index) {
        size_t n_slots = (size_t) o->index->mask + 1;
        if ((size_t) o->n * 4 > n_slots * 3) {
            json_object_index_build(o, o->n * 2);
        } else {
            json_object_index_insert(o->index, hash, o->n - 1);
        }
    }
}

void
json_object_put(struct json *json, const char *name, struct json *value)
{
    size_t length = strlen(name);
    uint32_t hash = json_name_hash(name, length);
    struct json_member *m = json_object_lookup(&json->object, name, hash);
    if (m) {
        json_unref(m->value);
        m->value = value;
    } else {
        json_object_append(json, name, length, hash, value);
    }
}

void
json_object_put_new(struct json *json, const char *name, struct json *value)
{
    size_t length = strlen(name);
    json_object_append(json, name, length, json_name_hash(name, length),
                       value);
}

void
json_object_put_string(struct json *json, const char *name, const char *s)
{
    json_object_put(json, name, json_string_create(s));
}

struct json *
json_object_steal(struct json *json, const char *name)
{
    struct json_object *o = &json->object;
    struct json_member *m = json_object_lookup_cstr(&json->object, name);
    if (!m) {
        return NULL;
    }

    struct json *value = m->value;
    if (o->names && json_object_names_contain(o->names, m->name)) {
        o->names->dead += strlen(m->name) + 1;
    }
    size_t i = m - o->members;
    memmove(m, m + 1, (o->n - i - 1) * sizeof *m);
    o->n--;

    /* Every later member moved down one place: rather than renumber the
     * index, drop it; the next lookup rebuilds it if still needed. */
    free(o->index);
    o->index = NULL;
    if (o->names) {
        json_object_compact_names(o);
    }
    return value;
}

/* Parsing (and nothing else) can give an object several members with the
 * same name: keeps the last value of each name in the place of its first,
 * as json_object_put() would, and builds the index of a large object. */
static void
json_object_dedup(struct json_object *o)
{
    uint32_t n = o->n;
    o->n = 0;
    if (n > JSON_OBJECT_LINEAR_MAX) {
        json_object_index_build(o, n);
    }
    for (uint32_t i = 0; i < n; i++) {
        struct json_member m = o->members[i];
        struct json_member *dup = json_object_lookup(o, m.name, m.hash);
        if (dup) {
            json_unref(dup->value);
            dup->value = m.value;
        } else {
            if (o->index) {
                json_object_index_insert(o->index, m.hash, o->n);
            }
            o->members[o->n++] = m;
        }
    }
}

struct json *
json_object_find(const struct json *json, const char *name)
{
    struct json_member *m = json_object_lookup_cstr(&json->object, name);
    return m ? m->value : NULL;
}

const char *
json_object_find_string(const struct json *json, const char *name)
{
    const struct json *value = json_object_find(json, name);
    return value && value->type == JSON_STRING ? value->string.s : NULL;
}

static void
json_free(struct json *json)
{
    switch (json->type) {
    case JSON_ARRAY:
        for (size_t i = 0; i < json->array.n; i++) {
            json_unref(json->array.elems[i]);
        }
        if (json->array.own_elems) {
            free(json->array.elems);
        }
        break;
    case JSON_OBJECT: {
        struct json_object *o = &json->object;
        for (uint32_t i = 0; i < o->n; i++) {
            json_unref(o->members[i].value);
        }
        if (o->own_members) {
            free(o->members);
        }
        json_object_names_free(o->names);
        free(o->index);
        break;
    }
    case JSON_STRING:
    case JSON_NULL:
    case JSON_FALSE:
    case JSON_TRUE:
    case JSON_INTEGER:
    case JSON_REAL:
        break;
    }
    free(json);
}

void
json_unref(struct json *json)
{
    if (json && !--json->refcount) {
        json_free(json);
    }
}

struct json *
json_deep_clone(const struct json *json)
{
    switch (json->type) {
    case JSON_ARRAY: {
        struct json *copy = json_array_alloc(json->array.n);
        for (size_t i = 0; i < json->array.n; i++) {
            copy->array.elems[i] = json_deep_clone(json->array.elems[i]);
        }
        return copy;
    }
    case JSON_OBJECT: {
        const struct json_object *o = &json->object;
        size_t names_size = 0;
        for (uint32_t i = 0; i < o->n; i++) {
            names_size += strlen(o->members[i].name) + 1;
        }
        char *names;
        struct json *copy = json_object_alloc(o->n, names_size, &names);
        for (uint32_t i = 0; i < o->n; i++) {
            const struct json_member *m = &o->members[i];
            size_t size = strlen(m->name) + 1;
            memcpy(names, m->name, size);
            copy->object.members[i] = (struct json_member) {
                .name = names,
                .value = json_deep_clone(m->value),
                .hash = m->hash,
            };
            names += size;
        }
        return copy;
    }
    case JSON_STRING:
        return json_string_create_buffer(json->string.s, json->string.length);
    case JSON_INTEGER:
        return json_integer_create(json->integer);
    case JSON_REAL:
        return json_real_create(json->real);
    case JSON_NULL:
    case JSON_FALSE:
    case JSON_TRUE:
        return json_create(json->type);
    }
    NOT_REACHED();
}

const char *
json_type_to_string(enum json_type type)
{
    switch (type) {
    case JSON_NULL: return "null";
    case JSON_FALSE: return "false";
    case JSON_TRUE: return "true";
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "real";
    case JSON_STRING: return "string";
    }
    return "<invalid>";
}

/* Objects compare equal regardless of member order. */
bool
json_equal(const struct json *a, const struct json *b)
{
    if (a->type != b->type) {
        return false;
    }
    switch (a->type) {
    case JSON_ARRAY:
        if (a->array.n != b->array.n) {
            return false;
        }
        for (size_t i = 0; i < a->array.n; i++) {
            if (!json_equal(a->array.elems[i], b->array.elems[i])) {
                return false;
            }
        }
        return true;
    case JSON_OBJECT:
        if (a->object.n != b->object.n) {
            return false;
        }
        for (uint32_t i = 0; i < a->object.n; i++) {
            const struct json_member *m = &a->object.members[i];
            const struct json_member *n
                = json_object_lookup(&b->object, m->name, m->hash);
            if (!n || !json_equal(m->value, n->value)) {
                return false;
            }
        }
        return true;
    case JSON_STRING:
        return (a->string.length == b->string.length
                && !memcmp(a->string.s, b->string.s, a->string.length));
    case JSON_INTEGER:
        return a->integer == b->integer;
    case JSON_REAL:
        return a->real == b->real;
    case JSON_NULL:
    case JSON_FALSE:
    case JSON_TRUE:
        return true;
    }
    NOT_REACHED();
}

uint32_t
json_hash(const struct json *json, uint32_t basis)
{
    switch (json->type) {
    case JSON_ARRAY:
        for (size_t i = 0; i < json->array.n; i++) {
            basis = json_hash(json->array.elems[i], basis);
        }
        return hash_int(json->array.n, basis);
    case JSON_OBJECT: {
        /* Order-independent, to agree with json_equal(). */
        uint32_t h = 0;
        for (uint32_t i = 0; i < json->object.n; i++) {
            const struct json_member *m = &json->object.members[i];
            h ^= json_hash(m->value, m->hash);
        }
        return hash_int(h, basis);
    }
    case JSON_STRING:
        return hash_bytes(json->string.s, json->string.length, basis);
    case JSON_INTEGER:
        return hash_uint64(json->integer, basis);
    case JSON_REAL:
        return hash_double(json->real, basis);
    case JSON_NULL:
    case JSON_FALSE:
    case JSON_TRUE:
        return hash_int(json->type, basis);
    }
    NOT_REACHED();
}

/* Serialization. */

static void
json_put_string(const char *s, size_t length, struct ds *ds)
{
    static const char hex[] = "0123456789abcdef";
    const char *end = s + length;

    ds_reserve(ds, ds->length + length + 2);
    ds_put_char(ds, '"');
    while (s < end) {
        /* Copy the longest run that needs no escaping in one go. */
        const char *run = s;
        while (s < end && (unsigned char) *s >= 0x20 && *s != '"'
               && *s != '\\') {
            s++;
        }
        if (s > run) {
            ds_put_buffer(ds, run, s - run);
        }
        if (s >= end) {
            break;
        }
        unsigned char c = *s++;
        switch (c) {
        case '"': ds_put_buffer(ds, "\\\"", 2); break;
        case '\\': ds_put_buffer(ds, "\\\\", 2); break;
        case '\b': ds_put_buffer(ds, "\\b", 2); break;
        case '\f': ds_put_buffer(ds, "\\f", 2); break;
        case '\n': ds_put_buffer(ds, "\\n", 2); break;
        case '\r': ds_put_buffer(ds, "\\r", 2); break;
        case '\t': ds_put_buffer(ds, "\\t", 2); break;
        default: {
            char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            ds_put_buffer(ds, esc, 6);
            break;
        }
        }
    }
    ds_put_char(ds, '"');
}

static void
json_put_real(double d, struct ds *ds)
{
    if (!isfinite(d)) {
        /* JSON has no infinities or NaNs; print what a parser accepts. */
        ds_put_cstr(ds, "0");
        return;
    }
    /* The shortest form that reads back as the same double. */
    char buf[32];
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, sizeof buf, "%.*g", precision, d);
        if (strtod(buf, NULL) == d) {
            break;
        }
    }
    ds_put_cstr(ds, buf);
    if (strspn(buf, "-0123456789") == strlen(buf)) {
        /* Keep it a real when read back, not an integer. */
        ds_put_cstr(ds, ".0");
    }
}

/* Appends 'integer' in decimal: snprintf() costs several times more. */
static void
json_put_integer(long long integer, struct ds *ds)
{
    char buf[24];
    char *end = buf + sizeof buf;
    char *s = end;
    unsigned long long u = (integer < 0
                            ? -(unsigned long long) integer
                            : (unsigned long long) integer);
    do {
        *--s = '0' + u % 10;
        u /= 10;
    } while (u);
    if (integer < 0) {
        *--s = '-';
    }
    ds_put_buffer(ds, s, end - s);
}

static void
json_put_indent(int level, struct ds *ds)
{
    ds_put_char(ds, '\n');
    ds_put_char_multiple(ds, ' ', level * 2);
}

static int
compare_members(const void *a_, const void *b_)
{
    const struct json_member *const *a = a_;
    const struct json_member *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void json_put(const struct json *, int flags, int level, struct ds *);

static void
json_put_object(const struct json *json, int flags, int level, struct ds *ds)
{
    const struct json_object *o = &json->object;
    const struct json_member **sorted = NULL;

    if (!o->n) {
        ds_put_cstr(ds, "{}");
        return;
    }
    if (flags & JSON_SORT) {
        sorted = xmalloc(o->n * sizeof *sorted);
        for (uint32_t i = 0; i < o->n; i++) {
            sorted[i] = &o->members[i];
        }
        qsort(sorted, o->n, sizeof *sorted, compare_members);
    }
    ds_put_char(ds, '{');
    for (uint32_t i = 0; i < o->n; i++) {
        const struct json_member *m = sorted ? sorted[i] : &o->members[i];
        if (i) {
            ds_put_char(ds, ',');
        }
        if (flags & JSON_PRETTY) {
            json_put_indent(level + 1, ds);
        }
        json_put_string(m->name, strlen(m->name), ds);
        ds_put_char(ds, ':');
        if (flags & JSON_PRETTY) {
            ds_put_char(ds, ' ');
        }
        json_put(m->value, flags, level + 1, ds);
    }
    if (flags & JSON_PRETTY) {
        json_put_indent(level, ds);
    }
    ds_put_char(ds, '}');
    free(sorted);
}

static void
json_put(const struct json *json, int flags, int level, struct ds *ds)
{
    switch (json->type) {
    case JSON_NULL:
        ds_put_buffer(ds, "null", 4);
        break;
    case JSON_FALSE:
        ds_put_buffer(ds, "false", 5);
        break;
    case JSON_TRUE:
        ds_put_buffer(ds, "true", 4);
        break;
    case JSON_INTEGER:
        json_put_integer(json->integer, ds);
        break;
    case JSON_REAL:
        json_put_real(json->real, ds);
        break;
    case JSON_STRING:
        json_put_string(json->string.s, json->string.length, ds);
        break;
    case JSON_ARRAY:
        ds_put_char(ds, '[');
        for (size_t i = 0; i < json->array.n; i++) {
            if (i) {
                ds_put_char(ds, ',');
            }
            if (flags & JSON_PRETTY) {
                json_put_indent(level + 1, ds);
            }
            json_put(json->array.elems[i], flags, level + 1, ds);
        }
        if ((flags & JSON_PRETTY) && json->array.n) {
            json_put_indent(level, ds);
        }
        ds_put_char(ds, ']');
        break;
    case JSON_OBJECT:
        json_put_object(json, flags, level, ds);
        break;
    }
}

/* Appends the JSON string literal for 's[0..length)' to 'ds', escaped
 * exactly as json_to_ds() escapes a string value. */
void
json_string_to_ds(const char *s, size_t length, struct ds *ds)
{
    json_put_string(s, length, ds);
}

/* Appends 'integer' to 'ds' as json_to_ds() prints an integer value. */
void
json_integer_to_ds(long long integer, struct ds *ds)
{
    json_put_integer(integer, ds);
}

/* Appends 'd' to 'ds' as json_to_ds() prints a real value. */
void
json_real_to_ds(double d, struct ds *ds)
{
    json_put_real(d, ds);
}

/* Appends 'json' to 'ds'. */
void
json_to_ds(const struct json *json, int flags, struct ds *ds)
{
    json_put(json, flags, 0, ds);
}

/* Returns 'json' as a string that the caller must free. */
char *
json_to_string(const struct json *json, int flags)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    json_to_ds(json, flags, &ds);
    return ds_steal_cstr(&ds);
}

/* Parsing. */

/* A value parsed as an element or member of an array or object that is
 * still being parsed.  Each array or object is built in one allocation when
 * its closing bracket is reached, from the items on the parser's stack. */
struct json_parse_item {
    struct json *value;         /* Owned. */

    /* Objects only: the name, in the input if it needed no decoding, else
     * at 'name_ofs' in the parser's 'names'. */
    const char *name;           /* In the input, or NULL. */
    size_t name_ofs;            /* Offset in 'names' if 'name' is NULL. */
    size_t name_length;         /* Bytes, not counting a null. */
    uint32_t hash;              /* json_name_hash() of the name. */
};

/* Items a parser holds on the stack before it allocates. */
#define JSON_PARSE_STUB 64

/* OVSDB messages repeat short strings ("insert", table and column names,
 * "set", "map", "uuid", references to rows), so after parsing a few string
 * values, a parser gives repeats of a recently parsed short string a new
 * reference to the same value instead of a new value.  (Values are
 * immutable, so nothing can tell but the reference count.)  The cache is
 * direct-mapped and holds a reference to each value in it. */
#define JSON_PARSE_CACHE_AFTER 32 /* String values parsed before caching. */
#define JSON_PARSE_CACHE_SIZE 256 /* Entries; a power of 2. */
#define JSON_PARSE_CACHE_MAX 40 /* Longest string cached, in bytes. */

struct json_parser {
    const char *start;          /* Beginning of the input. */
    const char *p;              /* Next byte to read. */
    const char *end;            /* End of the input. */
    char *error;                /* First error, owned; NULL if none yet. */

    /* The values of all arrays and objects being parsed, outermost first,
     * and the member names that needed decoding. */
    struct json_parse_item *items; /* 'n_items' items: 'stub' or owned. */
    size_t n_items;             /* Number of items. */
    size_t allocated_items;     /* Capacity of 'items'. */
    struct ds names;            /* Decoded names. */
    struct json_parse_item stub[JSON_PARSE_STUB]; /* Initial 'items'. */

    /* Values shared within the parse (see JSON_PARSE_CACHE_AFTER). */
    size_t n_strings;           /* String values parsed so far. */
    struct json **cache;        /* JSON_PARSE_CACHE_SIZE strings, each NULL
                                 * or referenced; NULL until in use. */
    struct json *literals[3];   /* null, false, true; each NULL or
                                 * referenced. */
};

static struct json *parse_value(struct json_parser *, int depth);

static void *
parse_error(struct json_parser *p, const char *msg)
{
    if (!p->error) {
        p->error = xasprintf("syntax error at byte %zu: %s",
                             (size_t) (p->p - p->start), msg);
    }
    return NULL;
}

static void
skip_space(struct json_parser *p)
{
    while (p->p < p->end && (*p->p == ' ' || *p->p == '\n' || *p->p == '\t'
                             || *p->p == '\r')) {
        p->p++;
    }
}

static bool
parse_literal(struct json_parser *p, const char *word, size_t n)
{
    if ((size_t) (p->end - p->p) >= n && !memcmp(p->p, word, n)) {
        p->p += n;
        return true;
    }
    return false;
}

static struct json *
parse_number(struct json_parser *p)
{
    const char *s = p->p;
    bool is_real = false;

    if (s < p->end && *s == '-') {
        s++;
    }
    if (s >= p->end || *s < '0' || *s > '9') {
        return parse_error(p, "bad number");
    }
    if (*s == '0' && s + 1 < p->end && s[1] >= '0' && s[1] <= '9') {
        return parse_error(p, "leading zeros not allowed");
    }
    while (s < p->end && *s >= '0' && *s <= '9') {
        s++;
    }
    if (s < p->end && *s == '.') {
        is_real = true;
        s++;
        if (s >= p->end || *s < '0' || *s > '9') {
            return parse_error(p, "decimal point must be followed by digit");
        }
        while (s < p->end && *s >= '0' && *s <= '9') {
            s++;
        }
    }
    if (s < p->end && (*s == 'e' || *s == 'E')) {
        is_real = true;
        s++;
        if (s < p->end && (*s == '+' || *s == '-')) {
            s++;
        }
        if (s >= p->end || *s < '0' || *s > '9') {
            return parse_error(p, "exponent must contain a digit");
        }
        while (s < p->end && *s >= '0' && *s <= '9') {
            s++;
        }
    }

    if (!is_real) {
        /* Up to 18 digits cannot overflow: no need for strtoll(). */
        const char *d = p->p + (*p->p == '-');
        if (s - d <= 18) {
            long long ll = 0;
            for (; d < s; d++) {
                ll = ll * 10 + (*d - '0');
            }
            ll = *p->p == '-' ? -ll : ll;
            p->p = s;
            return json_integer_create(ll);
        }
    }

    /* strtoll/strtod need a terminator: copy the (short) token. */
    size_t len = s - p->p;
    char buf[64];
    if (len >= sizeof buf) {
        return parse_error(p, "number too long");
    }
    memcpy(buf, p->p, len);
    buf[len] = '\0';
    p->p = s;

    if (!is_real) {
        errno = 0;
        long long ll = strtoll(buf, NULL, 10);
        if (!errno) {
            return json_integer_create(ll);
        }
    }
    errno = 0;
    double d = strtod(buf, NULL);
    if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)) {
        return parse_error(p, "number out of range");
    }
    return json_real_create(d);
}

static int
hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = (c >= '0' && c <= '9' ? c - '0'
                 : c >= 'a' && c <= 'f' ? c - 'a' + 10
                 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1);
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* Writes 'c' in UTF-8 at 'd' and returns the end of what it wrote. */
static char *
put_utf8(char *d, unsigned int c)
{
    if (c < 0x80) {
        *d++ = c;
    } else if (c < 0x800) {
        *d++ = 0xc0 | (c >> 6);
        *d++ = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
        *d++ = 0xe0 | (c >> 12);
        *d++ = 0x80 | ((c >> 6) & 0x3f);
        *d++ = 0x80 | (c & 0x3f);
    } else {
        *d++ = 0xf0 | (c >> 18);
        *d++ = 0x80 | ((c >> 12) & 0x3f);
        *d++ = 0x80 | ((c >> 6) & 0x3f);
        *d++ = 0x80 | (c & 0x3f);
    }
    return d;
}

/* Returns the length of the valid UTF-8 sequence at 's' (at most 'n' bytes
 * available), or 0 if it is not valid (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
static size_t
utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    } else if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80) {
            return 0;
        }
        if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f)) {
            return 0;
        }
        return 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80
            || (s[3] & 0xc0) != 0x80) {
            return 0;
        }
        if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f)) {
            return 0;
        }
        return 4;
    }
    return 0;
}

/* Finds the end of the string literal whose opening quote is just before
 * 'p->p', without checking its contents.  Returns its closing quote, or
 * NULL if it has none.  Sets '*plainp' to true if the contents are only
 * printable ASCII without escapes, so that they are the string itself. */
static const char *
scan_string(const struct json_parser *p, bool *plainp)
{
    const char *s = p->p;

    while (s < p->end && *s != '"' && *s != '\\'
           && (unsigned char) *s >= 0x20 && (unsigned char) *s < 0x80) {
        s++;
    }
    *plainp = s < p->end && *s == '"';
    while (s < p->end) {
        if (*s == '"') {
            return s;
        } else if (*s == '\\') {
            if (p->end - s < 2) {
                break;
            }
            s += 2;
        } else {
            s++;
        }
    }
    return NULL;
}

/* Decodes and checks the contents of the string literal from 'p->p' to
 * 'limit' (its closing quote, or the end of the input if it has none) into
 * 'dst', which has room for 'limit - p->p' bytes: decoding never makes a
 * string longer.  On success moves past the closing quote and returns the
 * end of the decoded bytes in 'dst'; otherwise records an error and returns
 * NULL. */
static char *
decode_string(struct json_parser *p, const char *limit, char *dst)
{
    const char *s = p->p;
    char *d = dst;

    while (s < limit) {
        unsigned char c = *s;
        if (c == '"') {
            break;
        } else if (c < 0x20) {
            p->p = s;
            return parse_error(p, "U+0000 through U+001F must be escaped");
        } else if (c == '\\') {
            if (s + 1 >= limit) {
                break;
            }
            char e = s[1];
            s += 2;
            switch (e) {
            case '"': *d++ = '"'; break;
            case '\\': *d++ = '\\'; break;
            case '/': *d++ = '/'; break;
            case 'b': *d++ = '\b'; break;
            case 'f': *d++ = '\f'; break;
            case 'n': *d++ = '\n'; break;
            case 'r': *d++ = '\r'; break;
            case 't': *d++ = '\t'; break;
            case 'u': {
                int c1 = limit - s >= 4 ? hex4(s) : -1;
                if (c1 < 0) {
                    p->p = s;
                    return parse_error(p, "malformed \\u escape");
                }
                s += 4;
                unsigned int code = c1;
                if (c1 >= 0xd800 && c1 <= 0xdbff) {
                    int c2 = (limit - s >= 6 && s[0] == '\\' && s[1] == 'u'
                              ? hex4(s + 2) : -1);
                    if (c2 < 0xdc00 || c2 > 0xdfff) {
                        p->p = s;
                        return parse_error(p, "unpaired surrogate");
                    }
                    s += 6;
                    code = 0x10000 + ((c1 - 0xd800) << 10) + (c2 - 0xdc00);
                } else if (c1 >= 0xdc00 && c1 <= 0xdfff) {
                    p->p = s;
                    return parse_error(p, "unpaired surrogate");
                } else if (!c1) {
                    p->p = s;
                    return parse_error(p, "null bytes not supported");
                }
                d = put_utf8(d, code);
                break;
            }
            default:
                p->p = s - 1;
                return parse_error(p, "bad escape");
            }
        } else if (c < 0x80) {
            *d++ = c;
            s++;
        } else {
            size_t n = utf8_sequence_length((const unsigned char *) s,
                                            limit - s);
            if (!n) {
                p->p = s;
                return parse_error(p, "invalid UTF-8");
            }
            memcpy(d, s, n);
            d += n;
            s += n;
        }
    }
    if (s >= p->end || *s != '"') {
        p->p = p->end;
        return parse_error(p, "unterminated string");
    }
    p->p = s + 1;
    return d;
}

/* Records the error in the unterminated string literal at 'p->p'. */
static void
parse_unterminated_string(struct json_parser *p)
{
    char *scratch = xmalloc(p->end - p->p + 1);
    char *end = decode_string(p, p->end, scratch);
    ASSERT(!end);
    free(scratch);
}

/* Returns a value for the string literal from 'p->p' to 'quote', which
 * needs no decoding, from the cache or else new (and then cached). */
static struct json *
parse_cached_string(struct json_parser *p, const char *quote)
{
    size_t length = quote - p->p;
    uint32_t hash = json_name_hash(p->p, length);
    struct json **slot = &p->cache[hash & (JSON_PARSE_CACHE_SIZE - 1)];
    struct json *json = *slot;
    if (!json || json->string.length != length
        || memcmp(json->string.s, p->p, length)) {
        json = json_string_create_buffer(p->p, length);
        json_unref(*slot);
        *slot = json_ref(json);
    } else {
        json_ref(json);
    }
    p->p = quote + 1;
    return json;
}

/* Returns a value for the literal null, false or true ('type'), shared
 * within the parse. */
static struct json *
parse_shared_literal(struct json_parser *p, enum json_type type)
{
    struct json **slot = &p->literals[type - JSON_NULL];
    if (!*slot) {
        *slot = json_create(type);
    }
    return json_ref(*slot);
}

/* Parses a string literal whose opening quote is just before 'p->p' into a
 * value, or returns NULL on error. */
static struct json *
parse_string(struct json_parser *p)
{
    bool plain;
    const char *quote = scan_string(p, &plain);
    if (!quote) {
        parse_unterminated_string(p);
        return NULL;
    }

    size_t length = quote - p->p;
    if (plain && length <= JSON_PARSE_CACHE_MAX && p->cache) {
        return parse_cached_string(p, quote);
    } else if (++p->n_strings == JSON_PARSE_CACHE_AFTER) {
        p->cache = xcalloc(JSON_PARSE_CACHE_SIZE, sizeof *p->cache);
    }

    struct json *json = json_string_alloc(length);
    if (plain) {
        memcpy(json->string.s, p->p, length);
        p->p = quote + 1;
    } else {
        char *end = decode_string(p, quote, json->string.s);
        if (!end) {
            free(json);
            return NULL;
        }
        size_t decoded = end - json->string.s;
        if (length - decoded > 64) {
            /* Escapes shrank it a lot: give back the room. */
            json = xrealloc(json, JSON_STRING_SIZE + decoded + 1);
            json->string.s = (char *) json + JSON_STRING_SIZE;
        }
        length = decoded;
    }
    json->string.s[length] = '\0';
    json->string.length = length;
    return json;
}

/* Parses a member name whose opening quote is just before 'p->p' into
 * 'item': pointing into the input if it needs no decoding, else decoded
 * onto the end of 'p->names'.  Returns false on error. */
static bool
parse_name(struct json_parser *p, struct json_parse_item *item)
{
    bool plain;
    const char *quote = scan_string(p, &plain);
    if (!quote) {
        parse_unterminated_string(p);
        return false;
    }

    if (plain) {
        item->name = p->p;
        item->name_length = quote - p->p;
        p->p = quote + 1;
    } else {
        size_t ofs = p->names.length;
        char *dst = ds_put_uninit(&p->names, quote - p->p);
        char *end = decode_string(p, quote, dst);
        if (!end) {
            return false;
        }
        ds_truncate(&p->names, ofs + (end - dst));
        item->name = NULL;
        item->name_ofs = ofs;
        item->name_length = end - dst;
    }
    return true;
}

/* Returns 'item''s name (not null-terminated). */
static const char *
parse_item_name(const struct json_parser *p,
                const struct json_parse_item *item)
{
    return item->name ? item->name : &p->names.string[item->name_ofs];
}

/* Pushes an item with a null value onto 'p''s stack of items, for the
 * caller to fill in, and returns its index.  (Filling in the item in place
 * rather than copying one is measurably faster.) */
static size_t
parse_push(struct json_parser *p)
{
    if (p->n_items >= p->allocated_items) {
        if (p->items == p->stub) {
            p->allocated_items *= 2;
            p->items = xmalloc(p->allocated_items * sizeof *p->items);
            memcpy(p->items, p->stub, sizeof p->stub);
        } else {
            p->items = x2nrealloc(p->items, &p->allocated_items,
                                  sizeof *p->items);
        }
    }
    p->items[p->n_items].value = NULL;
    return p->n_items++;
}

/* Drops the items from 'base' on and the names from 'names_base' on. */
static void
parse_pop(struct json_parser *p, size_t base, size_t names_base)
{
    for (size_t i = base; i < p->n_items; i++) {
        json_unref(p->items[i].value);
    }
    p->n_items = base;
    ds_truncate(&p->names, names_base);
}

/* Makes an array of the items from 'base' on and pops them. */
static struct json *
parse_array_finish(struct json_parser *p, size_t base)
{
    struct json *array = json_array_alloc(p->n_items - base);
    for (size_t i = 0; i < array->array.n; i++) {
        array->array.elems[i] = p->items[base + i].value;
    }
    p->n_items = base;
    return array;
}

static struct json *
parse_array(struct json_parser *p, int depth)
{
    size_t base = p->n_items;

    skip_space(p);
    if (p->p < p->end && *p->p == ']') {
        p->p++;
        return json_array_alloc(0);
    }
    for (;;) {
        size_t i = parse_push(p);
        struct json *elem = parse_value(p, depth);
        if (!elem) {
            goto error;
        }
        p->items[i].value = elem;
        skip_space(p);
        if (p->p >= p->end) {
            parse_error(p, "unexpected end of input in array");
            goto error;
        } else if (*p->p == ',') {
            p->p++;
        } else if (*p->p == ']') {
            p->p++;
            return parse_array_finish(p, base);
        } else {
            parse_error(p, "expected ',' or ']'");
            goto error;
        }
    }
error:
    parse_pop(p, base, p->names.length);
    return NULL;
}

/* Makes an object of the items from 'base' on, whose names start at
 * 'names_base', and pops them. */
static struct json *
parse_object_finish(struct json_parser *p, size_t base, size_t names_base)
{
    size_t n = p->n_items - base;
    const struct json_parse_item *items = &p->items[base];
    size_t names_size = 0;
    for (size_t i = 0; i < n; i++) {
        names_size += items[i].name_length + 1;
    }

    char *names;
    struct json *object = json_object_alloc(n, names_size, &names);
    for (size_t i = 0; i < n; i++) {
        const struct json_parse_item *item = &items[i];
        memcpy(names, parse_item_name(p, item), item->name_length);
        names[item->name_length] = '\0';
        object->object.members[i] = (struct json_member) {
            .name = names,
            .value = item->value,
            .hash = item->hash,
        };
        names += item->name_length + 1;
    }
    p->n_items = base;
    ds_truncate(&p->names, names_base);

    /* A repeated name keeps the last value, as most parsers do. */
    json_object_dedup(&object->object);
    return object;
}

static struct json *
parse_object(struct json_parser *p, int depth)
{
    size_t base = p->n_items;
    size_t names_base = p->names.length;

    skip_space(p);
    if (p->p < p->end && *p->p == '}') {
        p->p++;
        return parse_object_finish(p, base, names_base);
    }
    for (;;) {
        skip_space(p);
        if (p->p >= p->end || *p->p != '"') {
            parse_error(p, "expected member name");
            goto error;
        }
        if (p->n_items - base >= UINT32_MAX) {
            parse_error(p, "too many members in object");
            goto error;
        }
        p->p++;
        size_t i = parse_push(p);
        if (!parse_name(p, &p->items[i])) {
            goto error;
        }
        skip_space(p);
        if (p->p >= p->end || *p->p != ':') {
            parse_error(p, "expected ':'");
            goto error;
        }
        p->p++;
        struct json *value = parse_value(p, depth);
        if (!value) {
            goto error;
        }
        struct json_parse_item *item = &p->items[i];
        item->value = value;
        item->hash = json_name_hash(parse_item_name(p, item),
                                    item->name_length);

        skip_space(p);
        if (p->p >= p->end) {
            parse_error(p, "unexpected end of input in object");
            goto error;
        } else if (*p->p == ',') {
            p->p++;
        } else if (*p->p == '}') {
            p->p++;
            return parse_object_finish(p, base, names_base);
        } else {
            parse_error(p, "expected ',' or '}'");
            goto error;
        }
    }
error:
    parse_pop(p, base, names_base);
    return NULL;
}

static struct json *
parse_value(struct json_parser *p, int depth)
{
    skip_space(p);
    if (p->p >= p->end) {
        return parse_error(p, "unexpected end of input");
    }
    if (depth >= JSON_MAX_DEPTH) {
        return parse_error(p, "input exceeds maximum nesting depth");
    }
    switch (*p->p) {
    case '{':
        p->p++;
        return parse_object(p, depth + 1);
    case '[':
        p->p++;
        return parse_array(p, depth + 1);
    case '"':
        p->p++;
        return parse_string(p);
    case 't':
        if (parse_literal(p, "true", 4)) {
            return parse_shared_literal(p, JSON_TRUE);
        }
        break;
    case 'f':
        if (parse_literal(p, "false", 5)) {
            return parse_shared_literal(p, JSON_FALSE);
        }
        break;
    case 'n':
        if (parse_literal(p, "null", 4)) {
            return parse_shared_literal(p, JSON_NULL);
        }
        break;
    default:
        if (*p->p == '-' || (*p->p >= '0' && *p->p <= '9')) {
            return parse_number(p);
        }
        break;
    }
    return parse_error(p, "invalid character");
}

char *
json_from_buffer(const char *s, size_t length, struct json **jsonp)
{
    struct json_parser p;
    p.start = p.p = s;
    p.end = s + length;
    p.error = NULL;
    p.items = p.stub;
    p.n_items = 0;
    p.allocated_items = JSON_PARSE_STUB;
    ds_init(&p.names);
    p.n_strings = 0;
    p.cache = NULL;
    memset(p.literals, 0, sizeof p.literals);

    struct json *json = parse_value(&p, 0);
    if (json) {
        skip_space(&p);
        if (p.p != p.end) {
            parse_error(&p, "trailing garbage after value");
            json_unref(json);
            json = NULL;
        }
    }
    ASSERT(!p.n_items);
    if (p.items != p.stub) {
        free(p.items);
    }
    ds_uninit(&p.names);
    if (p.cache) {
        for (size_t i = 0; i < JSON_PARSE_CACHE_SIZE; i++) {
            json_unref(p.cache[i]);
        }
        free(p.cache);
    }
    for (size_t i = 0; i < ARRAY_SIZE(p.literals); i++) {
        json_unref(p.literals[i]);
    }
    *jsonp = json;
    return json ? NULL : p.error;
}

char *
json_from_string(const char *s, struct json **jsonp)
{
    return json_from_buffer(s, strlen(s), jsonp);
}

char *
json_from_file(const char *path, struct json **jsonp)
{
    size_t size;
    char *contents = read_whole_file(path, &size);
    if (!contents) {
        *jsonp = NULL;
        return xasprintf("%s: read failed (%s)", path, strerror(errno));
    }
    char *error = json_from_buffer(contents, size, jsonp);
    free(contents);
    if (error) {
        char *e = xasprintf("%s: %s", path, error);
        free(error);
        error = e;
    }
    return error;
}

/* Framing. */

void
json_framer_init(struct json_framer *f)
{
    memset(f, 0, sizeof *f);
}

enum json_framer_result
json_framer_scan(struct json_framer *f, const char *buf, size_t n,
                 size_t *lengthp)
{
    for (size_t i = f->scanned; i < n; i++) {
        char c = buf[i];
        if (f->in_string) {
            if (f->escaped) {
                f->escaped = false;
            } else if (c == '\\') {
                f->escaped = true;
            } else if (c == '"') {
                f->in_string = false;
            }
            continue;
        }
        switch (c) {
        case '"':
            if (!f->started) {
                return JSON_FRAMER_ERROR;
            }
            f->in_string = true;
            break;
        case '{':
        case '[':
            if (!f->started) {
                if (c == '[') {
                    return JSON_FRAMER_ERROR;
                }
                f->started = true;
            }
            if (++f->depth > JSON_MAX_DEPTH) {
                return JSON_FRAMER_ERROR;
            }
            break;
        case '}':
        case ']':
            if (!f->started || !f->depth) {
                return JSON_FRAMER_ERROR;
            }
            if (!--f->depth) {
                *lengthp = i + 1;
                json_framer_init(f);
                return JSON_FRAMER_DONE;
            }
            break;
        case ' ':
        case '\t':
        case '\r':
        case '\n':
            break;
        default:
            if (!f->started) {
                return JSON_FRAMER_ERROR;
            }
            break;
        }
    }
    f->scanned = n;
    return JSON_FRAMER_MORE;
}
