/* OVSDB column types (RFC 7047 §3.2 <type> and <base-type>): an atomic
 * type, its constraints (ranges, lengths, enumerations, references), and
 * the set/map shape of a column with its element-count bounds. */
#ifndef OVSDB_TYPE_H
#define OVSDB_TYPE_H 1

#include <limits.h>
#include <stdbool.h>

#include "lib/util.h"

struct datum;
struct db_error;
struct json;
struct table_schema;

enum db_atomic_type {
    DB_TYPE_VOID,               /* No value: the value type of a set. */
    DB_TYPE_INTEGER,            /* 64-bit signed integer. */
    DB_TYPE_REAL,               /* IEEE 754 double. */
    DB_TYPE_BOOLEAN,            /* true or false. */
    DB_TYPE_STRING,             /* UTF-8 string. */
    DB_TYPE_UUID,               /* RFC 4122 UUID. */
};
#define DB_N_ATOMIC_TYPES 6

const char *db_atomic_type_to_string(enum db_atomic_type);
bool db_atomic_type_from_string(const char *, enum db_atomic_type *);

enum db_ref_type {
    DB_REF_STRONG,              /* Referenced row must exist; counts for GC. */
    DB_REF_WEAK,                /* Dangling references are dropped. */
};

/* An atomic type with its constraints. */
struct db_base_type {
    enum db_atomic_type type;   /* DB_TYPE_VOID only as a set's value. */
    struct datum *enum_;        /* Allowed values (a set of 'type'), owned;
                                   NULL if any value is allowed. */
    union {
        struct {
            long long min;      /* LLONG_MIN if unconstrained. */
            long long max;      /* LLONG_MAX if unconstrained. */
        } integer;              /* DB_TYPE_INTEGER. */
        struct {
            double min;         /* -DBL_MAX if unconstrained. */
            double max;         /* DBL_MAX if unconstrained. */
        } real;                 /* DB_TYPE_REAL. */
        struct {
            unsigned int min_length;  /* In UTF-8 characters; 0 if none. */
            unsigned int max_length;  /* UINT_MAX if unconstrained. */
        } string;               /* DB_TYPE_STRING. */
        struct {
            char *ref_table_name;     /* Owned; NULL if not a reference. */
            const struct table_schema *ref_table; /* Resolved by the
                                                     schema; NULL until
                                                     then. */
            enum db_ref_type ref_type; /* Strong or weak. */
        } uuid;                 /* DB_TYPE_UUID. */
    };
};

/* The type of a column.  A scalar has 'n_min' == 'n_max' == 1 and a VOID
 * 'value'; a set has a VOID 'value'; a map has both. */
struct db_type {
    struct db_base_type key;    /* Type of a scalar, or set/map keys. */
    struct db_base_type value;  /* Map values, or DB_TYPE_VOID. */
    unsigned int n_min;         /* Minimum number of elements: 0 or 1. */
    unsigned int n_max;         /* Maximum, >= 1; UINT_MAX if unlimited. */
};

/* Base types. */
void db_base_type_init(struct db_base_type *, enum db_atomic_type);
void db_base_type_clone(struct db_base_type *, const struct db_base_type *);
void db_base_type_destroy(struct db_base_type *);
bool db_base_type_has_constraints(const struct db_base_type *);
struct db_error *db_base_type_from_json(struct db_base_type *,
                                        const struct json *)
    WARN_UNUSED_RESULT;
struct json *db_base_type_to_json(const struct db_base_type *);

static inline bool
db_base_type_is_ref(const struct db_base_type *b)
{
    return b->type == DB_TYPE_UUID && b->uuid.ref_table_name;
}

static inline bool
db_base_type_is_strong_ref(const struct db_base_type *b)
{
    return db_base_type_is_ref(b) && b->uuid.ref_type == DB_REF_STRONG;
}

static inline bool
db_base_type_is_weak_ref(const struct db_base_type *b)
{
    return db_base_type_is_ref(b) && b->uuid.ref_type == DB_REF_WEAK;
}

/* Column types. */
void db_type_init(struct db_type *, enum db_atomic_type key);
void db_type_clone(struct db_type *, const struct db_type *);
void db_type_destroy(struct db_type *);
struct db_error *db_type_from_json(struct db_type *, const struct json *)
    WARN_UNUSED_RESULT;
struct json *db_type_to_json(const struct db_type *);
char *db_type_to_english(const struct db_type *);

struct json *db_real_to_json(double);

static inline bool
db_type_is_map(const struct db_type *t)
{
    return t->value.type != DB_TYPE_VOID;
}

static inline bool
db_type_is_scalar(const struct db_type *t)
{
    return t->n_min == 1 && t->n_max == 1 && !db_type_is_map(t);
}

/* A scalar, or a set of at most one element ("optional"). */
static inline bool
db_type_is_optional_scalar(const struct db_type *t)
{
    return t->n_min == 0 && t->n_max == 1 && !db_type_is_map(t);
}

static inline bool
db_type_is_set(const struct db_type *t)
{
    return !db_type_is_map(t) && !db_type_is_scalar(t);
}

/* True if a datum of this type always holds exactly one element. */
static inline bool
db_type_is_fixed_one(const struct db_type *t)
{
    return t->n_min == 1 && t->n_max == 1;
}

static inline bool
db_type_has_refs(const struct db_type *t)
{
    return db_base_type_is_ref(&t->key) || db_base_type_is_ref(&t->value);
}

#endif /* ovsdb/type.h */
