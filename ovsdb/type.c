/* OVSDB column types: parsing and printing RFC 7047 <type> and <base-type>
 * (see type.h).  Enumerations are datums, so this module and datum.c use
 * each other. */
#include "ovsdb/type.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "ovsdb/atom.h"
#include "ovsdb/datum.h"
#include "ovsdb/error.h"
#include "ovsdb/parser.h"

static const char *const db_atomic_type_names[DB_N_ATOMIC_TYPES] = {
    [DB_TYPE_VOID] = "void",
    [DB_TYPE_INTEGER] = "integer",
    [DB_TYPE_REAL] = "real",
    [DB_TYPE_BOOLEAN] = "boolean",
    [DB_TYPE_STRING] = "string",
    [DB_TYPE_UUID] = "uuid",
};

/* Returns the RFC 7047 name of 'type' ("integer", ...; "void" for
 * DB_TYPE_VOID). */
const char *
db_atomic_type_to_string(enum db_atomic_type type)
{
    return (unsigned int) type < DB_N_ATOMIC_TYPES
           ? db_atomic_type_names[type] : "<invalid>";
}

/* Parses 's', an RFC 7047 <atomic-type> name, into '*typep'.  Returns false
 * for "void" and unknown names. */
bool
db_atomic_type_from_string(const char *s, enum db_atomic_type *typep)
{
    for (int i = DB_TYPE_INTEGER; i < DB_N_ATOMIC_TYPES; i++) {
        if (!strcmp(s, db_atomic_type_names[i])) {
            *typep = i;
            return true;
        }
    }
    return false;
}

/* Initializes 'base' as an unconstrained 'type'. */
void
db_base_type_init(struct db_base_type *base, enum db_atomic_type type)
{
    memset(base, 0, sizeof *base);
    base->type = type;
    switch (type) {
    case DB_TYPE_INTEGER:
        base->integer.min = LLONG_MIN;
        base->integer.max = LLONG_MAX;
        break;
    case DB_TYPE_REAL:
        base->real.min = -DBL_MAX;
        base->real.max = DBL_MAX;
        break;
    case DB_TYPE_STRING:
        base->string.min_length = 0;
        base->string.max_length = UINT_MAX;
        break;
    case DB_TYPE_UUID:
        base->uuid.ref_table_name = NULL;
        base->uuid.ref_table = NULL;
        base->uuid.ref_type = DB_REF_STRONG;
        break;
    case DB_TYPE_VOID:
    case DB_TYPE_BOOLEAN:
        break;
    }
}

/* Returns the type of the set of allowed values of 'base' ('base' without
 * its enumeration, 1 or more elements).  The result borrows from 'base' and
 * must not be destroyed. */
static struct db_type
db_base_type_enum_type(const struct db_base_type *base)
{
    struct db_type type;
    type.key = *base;
    type.key.enum_ = NULL;
    db_base_type_init(&type.value, DB_TYPE_VOID);
    type.n_min = 0;
    type.n_max = UINT_MAX;
    return type;
}

/* Initializes 'dst' as a deep copy of 'src'. */
void
db_base_type_clone(struct db_base_type *dst, const struct db_base_type *src)
{
    *dst = *src;
    if (src->enum_) {
        struct db_type type = db_base_type_enum_type(src);
        dst->enum_ = xmalloc(sizeof *dst->enum_);
        datum_clone(dst->enum_, src->enum_, &type);
    }
    if (src->type == DB_TYPE_UUID && src->uuid.ref_table_name) {
        dst->uuid.ref_table_name = xstrdup(src->uuid.ref_table_name);
    }
}

/* Frees what 'base' owns. */
void
db_base_type_destroy(struct db_base_type *base)
{
    if (base->enum_) {
        struct db_type type = db_base_type_enum_type(base);
        datum_destroy(base->enum_, &type);
        free(base->enum_);
        base->enum_ = NULL;
    }
    if (base->type == DB_TYPE_UUID) {
        free(base->uuid.ref_table_name);
        base->uuid.ref_table_name = NULL;
    }
}

/* Returns true if 'base' restricts the values of its atomic type. */
bool
db_base_type_has_constraints(const struct db_base_type *base)
{
    if (base->enum_) {
        return true;
    }
    switch (base->type) {
    case DB_TYPE_INTEGER:
        return base->integer.min != LLONG_MIN
               || base->integer.max != LLONG_MAX;
    case DB_TYPE_REAL:
        return base->real.min != -DBL_MAX || base->real.max != DBL_MAX;
    case DB_TYPE_STRING:
        return base->string.min_length != 0
               || base->string.max_length != UINT_MAX;
    case DB_TYPE_UUID:
        return base->uuid.ref_table_name != NULL;
    case DB_TYPE_VOID:
    case DB_TYPE_BOOLEAN:
        return false;
    }
    return false;
}

static struct db_error *
db_base_type_parse_length(const struct json *object, const char *name,
                          unsigned int *lengthp)
{
    const struct json *value;
    struct db_error *error = db_parser_member(
        object, name, DB_PARSER_INTEGER | DB_PARSER_OPTIONAL, &value);
    if (error || !value) {
        return error;
    }
    long long n = json_integer(value);
    if (n < 0 || n > UINT_MAX) {
        return db_error_syntax(object, "syntax error",
                               "%s out of valid range 0 to %u", name,
                               UINT_MAX);
    }
    *lengthp = n;
    return NULL;
}

static struct db_error *
db_base_type_parse_constraints(struct db_base_type *base,
                               const struct json *json)
{
    static const char *const integer_members[] = {
        "type", "enum", "minInteger", "maxInteger" };
    static const char *const real_members[] = {
        "type", "enum", "minReal", "maxReal" };
    static const char *const string_members[] = {
        "type", "enum", "minLength", "maxLength" };
    static const char *const uuid_members[] = {
        "type", "enum", "refTable", "refType" };
    static const char *const other_members[] = { "type", "enum" };
    const struct json *min, *max;
    struct db_error *error;

    switch (base->type) {
    case DB_TYPE_INTEGER:
        error = db_parser_check_members(json, integer_members,
                                        ARRAY_SIZE(integer_members));
        if (!error) {
            error = db_parser_member(json, "minInteger",
                                     DB_PARSER_INTEGER | DB_PARSER_OPTIONAL,
                                     &min);
        }
        if (!error) {
            error = db_parser_member(json, "maxInteger",
                                     DB_PARSER_INTEGER | DB_PARSER_OPTIONAL,
                                     &max);
        }
        if (error) {
            return error;
        }
        if (min) {
            base->integer.min = json_integer(min);
        }
        if (max) {
            base->integer.max = json_integer(max);
        }
        if (base->integer.min > base->integer.max) {
            return db_error_syntax(json, "syntax error",
                                   "minInteger exceeds maxInteger");
        }
        return NULL;

    case DB_TYPE_REAL:
        error = db_parser_check_members(json, real_members,
                                        ARRAY_SIZE(real_members));
        if (!error) {
            error = db_parser_member(json, "minReal",
                                     DB_PARSER_REAL | DB_PARSER_OPTIONAL,
                                     &min);
        }
        if (!error) {
            error = db_parser_member(json, "maxReal",
                                     DB_PARSER_REAL | DB_PARSER_OPTIONAL,
                                     &max);
        }
        if (error) {
            return error;
        }
        if (min) {
            base->real.min = json_real(min);
        }
        if (max) {
            base->real.max = json_real(max);
        }
        if (base->real.min > base->real.max) {
            return db_error_syntax(json, "syntax error",
                                   "minReal exceeds maxReal");
        }
        return NULL;

    case DB_TYPE_STRING:
        error = db_parser_check_members(json, string_members,
                                        ARRAY_SIZE(string_members));
        if (!error) {
            error = db_base_type_parse_length(json, "minLength",
                                              &base->string.min_length);
        }
        if (!error) {
            error = db_base_type_parse_length(json, "maxLength",
                                              &base->string.max_length);
        }
        if (error) {
            return error;
        }
        if (base->string.min_length > base->string.max_length) {
            return db_error_syntax(json, "syntax error",
                                   "minLength exceeds maxLength");
        }
        return NULL;

    case DB_TYPE_UUID: {
        const struct json *ref_table, *ref_type;
        error = db_parser_check_members(json, uuid_members,
                                        ARRAY_SIZE(uuid_members));
        if (!error) {
            error = db_parser_member(json, "refTable",
                                     DB_PARSER_ID | DB_PARSER_OPTIONAL,
                                     &ref_table);
        }
        if (!error) {
            error = db_parser_member(json, "refType",
                                     DB_PARSER_STRING | DB_PARSER_OPTIONAL,
                                     &ref_type);
        }
        if (error) {
            return error;
        }
        if (ref_type && !ref_table) {
            return db_error_syntax(json, "syntax error",
                                   "refType requires refTable");
        }
        if (ref_table) {
            base->uuid.ref_table_name = xstrdup(json_string(ref_table));
            if (!ref_type || !strcmp(json_string(ref_type), "strong")) {
                base->uuid.ref_type = DB_REF_STRONG;
            } else if (!strcmp(json_string(ref_type), "weak")) {
                base->uuid.ref_type = DB_REF_WEAK;
            } else {
                return db_error_syntax(json, "syntax error",
                                       "refType must be \"strong\" or "
                                       "\"weak\" (not \"%s\")",
                                       json_string(ref_type));
            }
        }
        return NULL;
    }

    case DB_TYPE_BOOLEAN:
    case DB_TYPE_VOID:
        return db_parser_check_members(json, other_members,
                                       ARRAY_SIZE(other_members));
    }
    NOT_REACHED();
}

/* Parses 'json', an RFC 7047 <base-type>, into 'base', which the caller must
 * later destroy even on error.  References are left unresolved ('ref_table'
 * NULL): the schema resolves them.  Returns NULL or a "syntax error". */
struct db_error *
db_base_type_from_json(struct db_base_type *base, const struct json *json)
{
    enum db_atomic_type type;

    db_base_type_init(base, DB_TYPE_VOID);
    if (json_is_string(json)) {
        if (!db_atomic_type_from_string(json_string(json), &type)) {
            return db_error_syntax(json, "syntax error",
                                   "unknown atomic type \"%s\"",
                                   json_string(json));
        }
        db_base_type_init(base, type);
        return NULL;
    }
    if (!json_is_object(json)) {
        return db_error_syntax(json, "syntax error",
                               "base type must be a string or an object");
    }

    const struct json *type_json;
    struct db_error *error = db_parser_member(json, "type", DB_PARSER_STRING,
                                              &type_json);
    if (error) {
        return error;
    }
    if (!db_atomic_type_from_string(json_string(type_json), &type)) {
        return db_error_syntax(json, "syntax error",
                               "unknown atomic type \"%s\"",
                               json_string(type_json));
    }
    db_base_type_init(base, type);
    error = db_base_type_parse_constraints(base, json);
    if (error) {
        return error;
    }

    const struct json *enum_json;
    error = db_parser_member(json, "enum", DB_PARSER_ANY | DB_PARSER_OPTIONAL,
                             &enum_json);
    if (error || !enum_json) {
        return error;
    }
    struct db_type enum_type = db_base_type_enum_type(base);
    struct datum *values = xmalloc(sizeof *values);
    error = datum_from_json(values, &enum_type, enum_json, NULL);
    if (error) {
        free(values);
        db_error_prefix(error, "enum: ");
        return error;
    }
    base->enum_ = values;
    return NULL;
}

/* Returns a JSON number for 'd': an integer if 'd' is integral and exactly
 * representable, as ovsdb-server prints such reals, else a real. */
struct json *
db_real_to_json(double d)
{
    if (d == floor(d) && fabs(d) < 9007199254740992.0) {
        return json_integer_create((long long) d);
    }
    return json_real_create(d);
}

/* Returns the RFC 7047 JSON form of 'base': a bare atomic type name if it
 * has no constraints, else an object.  The caller owns the result. */
struct json *
db_base_type_to_json(const struct db_base_type *base)
{
    if (!db_base_type_has_constraints(base)) {
        return json_string_create(db_atomic_type_to_string(base->type));
    }

    struct json *json = json_object_create();
    json_object_put_new(json, "type", json_string_create(
                            db_atomic_type_to_string(base->type)));
    if (base->enum_) {
        struct db_type type = db_base_type_enum_type(base);
        type.n_min = 1;
        json_object_put_new(json, "enum", datum_to_json(base->enum_, &type));
    }
    switch (base->type) {
    case DB_TYPE_INTEGER:
        if (base->integer.min != LLONG_MIN) {
            json_object_put_new(json, "minInteger",
                                json_integer_create(base->integer.min));
        }
        if (base->integer.max != LLONG_MAX) {
            json_object_put_new(json, "maxInteger",
                                json_integer_create(base->integer.max));
        }
        break;
    case DB_TYPE_REAL:
        if (base->real.min != -DBL_MAX) {
            json_object_put_new(json, "minReal",
                                db_real_to_json(base->real.min));
        }
        if (base->real.max != DBL_MAX) {
            json_object_put_new(json, "maxReal",
                                db_real_to_json(base->real.max));
        }
        break;
    case DB_TYPE_STRING:
        if (base->string.min_length != 0) {
            json_object_put_new(json, "minLength",
                                json_integer_create(
                                    base->string.min_length));
        }
        if (base->string.max_length != UINT_MAX) {
            json_object_put_new(json, "maxLength",
                                json_integer_create(
                                    base->string.max_length));
        }
        break;
    case DB_TYPE_UUID:
        if (base->uuid.ref_table_name) {
            json_object_put_new(json, "refTable", json_string_create(
                                    base->uuid.ref_table_name));
            if (base->uuid.ref_type == DB_REF_WEAK) {
                json_object_put_new(json, "refType",
                                    json_string_create("weak"));
            }
        }
        break;
    case DB_TYPE_VOID:
    case DB_TYPE_BOOLEAN:
        break;
    }
    return json;
}

/* Initializes 'type' as a scalar of unconstrained 'key'. */
void
db_type_init(struct db_type *type, enum db_atomic_type key)
{
    db_base_type_init(&type->key, key);
    db_base_type_init(&type->value, DB_TYPE_VOID);
    type->n_min = 1;
    type->n_max = 1;
}

/* Initializes 'dst' as a deep copy of 'src'. */
void
db_type_clone(struct db_type *dst, const struct db_type *src)
{
    db_base_type_clone(&dst->key, &src->key);
    db_base_type_clone(&dst->value, &src->value);
    dst->n_min = src->n_min;
    dst->n_max = src->n_max;
}

/* Frees what 'type' owns. */
void
db_type_destroy(struct db_type *type)
{
    db_base_type_destroy(&type->key);
    db_base_type_destroy(&type->value);
}

/* Parses 'json', an RFC 7047 <type>, into 'type', which the caller must
 * later destroy even on error.  Returns NULL or a "syntax error". */
struct db_error *
db_type_from_json(struct db_type *type, const struct json *json)
{
    static const char *const members[] = { "key", "value", "min", "max" };

    db_type_init(type, DB_TYPE_VOID);
    if (json_is_string(json)) {
        return db_base_type_from_json(&type->key, json);
    }
    if (!json_is_object(json)) {
        return db_error_syntax(json, "syntax error",
                               "type must be a string or an object");
    }

    const struct json *key, *value, *min, *max;
    struct db_error *error = db_parser_check_members(json, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = db_parser_member(json, "key",
                                 DB_PARSER_STRING | DB_PARSER_OBJECT, &key);
    }
    if (!error) {
        error = db_parser_member(json, "value", (DB_PARSER_STRING
                                                 | DB_PARSER_OBJECT
                                                 | DB_PARSER_OPTIONAL),
                                 &value);
    }
    if (!error) {
        error = db_parser_member(json, "min",
                                 DB_PARSER_INTEGER | DB_PARSER_OPTIONAL,
                                 &min);
    }
    if (!error) {
        error = db_parser_member(json, "max", (DB_PARSER_INTEGER
                                               | DB_PARSER_STRING
                                               | DB_PARSER_OPTIONAL),
                                 &max);
    }
    if (!error) {
        error = db_base_type_from_json(&type->key, key);
    }
    if (!error && value) {
        error = db_base_type_from_json(&type->value, value);
    }
    if (error) {
        return error;
    }

    if (min) {
        long long n = json_integer(min);
        if (n < 0 || n > 1) {
            return db_error_syntax(json, "syntax error",
                                   "min must be 0 or 1");
        }
        type->n_min = n;
    }
    if (max) {
        if (json_is_string(max)) {
            if (strcmp(json_string(max), "unlimited")) {
                return db_error_syntax(json, "syntax error",
                                       "max must be a positive integer or "
                                       "\"unlimited\"");
            }
            type->n_max = UINT_MAX;
        } else {
            long long n = json_integer(max);
            if (n < 1 || n >= UINT_MAX) {
                return db_error_syntax(json, "syntax error",
                                       "max must be a positive integer or "
                                       "\"unlimited\"");
            }
            type->n_max = n;
        }
    }
    if (type->n_min > type->n_max) {
        return db_error_syntax(json, "syntax error",
                               "min may not be greater than max");
    }
    return NULL;
}

/* Returns the RFC 7047 JSON form of 'type', as compact as ovsdb-server
 * prints it: a bare base type for an unconstrained scalar, else an object
 * whose "min" and "max" appear only when not 1.  The caller owns it. */
struct json *
db_type_to_json(const struct db_type *type)
{
    if (db_type_is_scalar(type) && !db_base_type_has_constraints(&type->key)) {
        return db_base_type_to_json(&type->key);
    }

    struct json *json = json_object_create();
    json_object_put_new(json, "key", db_base_type_to_json(&type->key));
    if (type->value.type != DB_TYPE_VOID) {
        json_object_put_new(json, "value",
                            db_base_type_to_json(&type->value));
    }
    if (type->n_min != 1) {
        json_object_put_new(json, "min", json_integer_create(type->n_min));
    }
    if (type->n_max == UINT_MAX) {
        json_object_put_new(json, "max", json_string_create("unlimited"));
    } else if (type->n_max != 1) {
        json_object_put_new(json, "max", json_integer_create(type->n_max));
    }
    return json;
}

/* Returns an English description of 'type' for error messages, e.g. "set of
 * up to 3 integers" or "map of (string, integer) pairs".  The caller frees
 * it. */
char *
db_type_to_english(const struct db_type *type)
{
    const char *key = db_atomic_type_to_string(type->key.type);
    if (db_type_is_scalar(type)) {
        return xstrdup(key);
    }

    struct ds ds = DS_EMPTY_INITIALIZER;
    if (db_type_is_map(type)) {
        ds_put_format(&ds, "map of (%s, %s) pairs", key,
                      db_atomic_type_to_string(type->value.type));
    } else {
        ds_put_cstr(&ds, "set of ");
        if (type->n_max != UINT_MAX) {
            if (type->n_min == type->n_max) {
                ds_put_format(&ds, "exactly %u ", type->n_max);
            } else {
                ds_put_format(&ds, "up to %u ", type->n_max);
            }
        }
        ds_put_format(&ds, "%ss", key);
    }
    return ds_steal_cstr(&ds);
}
