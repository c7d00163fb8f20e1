/* JSON values (RFC 8259): the one value type of every Kiln protocol.
 *
 * Values are reference counted: json_ref() shares, json_unref() releases,
 * and the last release frees.  Containers own the values put in them.
 * Objects keep their members in insertion order and find them by name
 * (linearly in small objects, through an index in large ones).  Nothing
 * changes a scalar or string after it is made, so the parser may give
 * several places in one tree references to one string, true, false or
 * null value. */
#ifndef LIB_JSON_H
#define LIB_JSON_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

struct ds;

enum json_type {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_OBJECT,
    JSON_ARRAY,
    JSON_INTEGER,
    JSON_REAL,
    JSON_STRING,
};

/* An array's elements.  A parsed, cloned or json_array_create_<n>() array
 * keeps 'elems' in the same allocation as its struct json; a
 * json_array_add() beyond that capacity moves them to an allocation of
 * their own. */
struct json_array {
    struct json **elems;        /* 'n' values, owned. */
    size_t n;                   /* Number of values. */
    size_t allocated;           /* Capacity of 'elems'. */
    bool own_elems;             /* Is 'elems' an allocation of its own? */
};

/* One member of an object, stored inline in the object's member array: a
 * pointer to one is valid only until the object next changes. */
struct json_member {
    const char *name;           /* Null-terminated; in the object's storage. */
    struct json *value;         /* Owned. */
    uint32_t hash;              /* hash_string(name, 0). */
};

struct json_object_names;
struct json_object_index;

/* An object's members, in insertion order.  Names live in storage the
 * object owns (no allocation per name).  A parsed or cloned object keeps
 * members and names in the same allocation as its struct json, and so does
 * a new object for its first few members and names; more members move to
 * an allocation of their own, and more names go into further chunks of
 * 'names'.  Objects with more than JSON_OBJECT_LINEAR_MAX members get a
 * hash index on their first lookup, kept up to date as members are
 * added. */
struct json_object {
    struct json_member *members; /* 'n' members in insertion order. */
    uint32_t n;                 /* Number of members. */
    uint32_t allocated;         /* Capacity of 'members'. */
    struct json_object_names *names; /* Chunks of names; NULL if none. */
    struct json_object_index *index; /* By name; NULL if not built. */
    bool own_members;           /* Is 'members' an allocation of its own? */
};

/* Objects with at most this many members are searched linearly. */
#define JSON_OBJECT_LINEAR_MAX 16

/* A JSON value.  Scalars and strings are allocated shorter than
 * sizeof(struct json), with a string's bytes right after 'string', so
 * never copy a struct json by value. */
struct json {
    enum json_type type;        /* Which member of the union is valid. */
    unsigned int refcount;      /* Number of owners; freed at 0. */
    union {
        struct json_array array;       /* JSON_ARRAY. */
        struct json_object object;     /* JSON_OBJECT. */
        long long integer;             /* JSON_INTEGER. */
        double real;                   /* JSON_REAL. */
        struct {
            char *s;                   /* Null-terminated, in the same
                                        * allocation as the value. */
            size_t length;             /* Bytes, not counting the null. */
        } string;                      /* JSON_STRING. */
    };
};

/* Construction.  Every function returns a new value with one reference. */
struct json *json_null_create(void);
struct json *json_boolean_create(bool);
struct json *json_integer_create(long long);
struct json *json_real_create(double);
struct json *json_string_create(const char *);
struct json *json_string_create_nocopy(char *);
struct json *json_string_create_buffer(const char *, size_t length);
struct json *json_array_create_empty(void);
struct json *json_array_create_1(struct json *);
struct json *json_array_create_2(struct json *, struct json *);
struct json *json_array_create_3(struct json *, struct json *, struct json *);
struct json *json_object_create(void);
struct json *json_object_create_1(const char *name, struct json *value);
struct json *json_deep_clone(const struct json *);

/* Takes ownership of 'elem'. */
void json_array_add(struct json *array, struct json *elem);
/* Takes ownership of 'value'; replaces any member named 'name'. */
void json_object_put(struct json *object, const char *name, struct json *value);
void json_object_put_string(struct json *, const char *name, const char *);
/* Like json_object_put() but 'name' must not be present already (faster). */
void json_object_put_new(struct json *, const char *name, struct json *);
/* Removes and returns member 'name' (the caller owns it), or NULL.  Later
 * members move down a place: O(n). */
struct json *json_object_steal(struct json *, const char *name);

static inline struct json *
json_ref(const struct json *json)
{
    struct json *j = (struct json *) json;
    if (j) {
        j->refcount++;
    }
    return j;
}

void json_unref(struct json *);

/* Access. */
static inline bool json_is_array(const struct json *j)
{ return j->type == JSON_ARRAY; }
static inline bool json_is_object(const struct json *j)
{ return j->type == JSON_OBJECT; }
static inline bool json_is_string(const struct json *j)
{ return j->type == JSON_STRING; }
static inline bool json_is_integer(const struct json *j)
{ return j->type == JSON_INTEGER; }
static inline bool json_is_number(const struct json *j)
{ return j->type == JSON_INTEGER || j->type == JSON_REAL; }
static inline bool json_is_boolean(const struct json *j)
{ return j->type == JSON_TRUE || j->type == JSON_FALSE; }
static inline bool json_is_null(const struct json *j)
{ return j->type == JSON_NULL; }

static inline size_t json_array_size(const struct json *j)
{ return j->array.n; }
static inline struct json *json_array_at(const struct json *j, size_t i)
{ return j->array.elems[i]; }
static inline const char *json_string(const struct json *j)
{ return j->string.s; }
static inline long long json_integer(const struct json *j)
{ return j->integer; }
static inline double json_real(const struct json *j)
{ return j->type == JSON_REAL ? j->real : (double) j->integer; }
static inline bool json_boolean(const struct json *j)
{ return j->type == JSON_TRUE; }
static inline size_t json_object_size(const struct json *j)
{ return j->object.n; }

struct json *json_object_find(const struct json *, const char *name);
/* Returns the member named 'name' if it is a string, else NULL. */
const char *json_object_find_string(const struct json *, const char *name);

/* Iterates MEMBER ("struct json_member *") over OBJECT in insertion order.
 * OBJECT must not change during the iteration. */
#define JSON_OBJECT_FOR_EACH(MEMBER, OBJECT)                            \
    for (size_t json_i_ = 0;                                            \
         json_i_ < (OBJECT)->object.n                                   \
             ? ((MEMBER) = &(OBJECT)->object.members[json_i_], 1)       \
             : ((MEMBER) = NULL, 0);                                    \
         json_i_++)

const char *json_type_to_string(enum json_type);
bool json_equal(const struct json *, const struct json *);
uint32_t json_hash(const struct json *, uint32_t basis);

/* Serialization. */
enum {
    JSON_PRETTY = 1 << 0,       /* Indent and break lines. */
    JSON_SORT = 1 << 1,         /* Print object members sorted by name. */
};
void json_to_ds(const struct json *, int flags, struct ds *);
char *json_to_string(const struct json *, int flags);

/* Pieces of json_to_ds()'s output, for code that prints JSON text without
 * building the values first: each appends exactly what json_to_ds() would
 * for the corresponding value. */
void json_string_to_ds(const char *, size_t length, struct ds *);
void json_integer_to_ds(long long, struct ds *);
void json_real_to_ds(double, struct ds *);

/* Parsing.  Both return NULL on success and store the value in '*jsonp';
 * on failure they return an error message (the caller frees it) and store
 * NULL.  Nesting deeper than JSON_MAX_DEPTH is an error. */
#define JSON_MAX_DEPTH 1000
char *json_from_buffer(const char *, size_t length, struct json **jsonp)
    WARN_UNUSED_RESULT;
char *json_from_string(const char *, struct json **jsonp) WARN_UNUSED_RESULT;
char *json_from_file(const char *path, struct json **jsonp) WARN_UNUSED_RESULT;

/* Stream framing: finds where each top-level JSON object ends in a byte
 * stream that carries a sequence of them (as JSON-RPC does), without
 * parsing the values.  Feed bytes as they arrive; the framer remembers its
 * state between calls. */
struct json_framer {
    size_t scanned;             /* Bytes of the current message scanned. */
    unsigned int depth;         /* Nesting depth of {} and []. */
    bool in_string;             /* Inside a string literal? */
    bool escaped;               /* Just after a backslash in a string? */
    bool started;               /* Seen the opening '{'? */
};

enum json_framer_result {
    JSON_FRAMER_MORE,           /* No complete message yet. */
    JSON_FRAMER_DONE,           /* A complete message was found. */
    JSON_FRAMER_ERROR,          /* The stream is not a sequence of objects. */
};

void json_framer_init(struct json_framer *);
/* Scans 'buf[0..n)', the whole unconsumed input starting at the current
 * message.  On JSON_FRAMER_DONE, '*lengthp' is the message's length from
 * 'buf' (leading whitespace included) and the framer is reset for the next
 * message. */
enum json_framer_result json_framer_scan(struct json_framer *,
                                         const char *buf, size_t n,
                                         size_t *lengthp);

#endif /* lib/json.h */
