/* RFC 7047 error objects.  An error is a tag from the RFC's list ("syntax
 * error", "constraint violation", ...), optional human-readable details and,
 * as ovsdb-server(7) §3.1 allows, an optional "syntax" member holding the
 * JSON text that could not be parsed. */
#include "ovsdb/error.h"

#include <stdarg.h>
#include <stdlib.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "ovsdb/type.h"

struct db_error {
    char *tag;                  /* RFC 7047 error string, owned. */
    char *details;              /* Owned; NULL if none. */
    char *syntax;               /* JSON text of the offending input, owned;
                                   NULL if none. */
};

static struct db_error *
db_error_create_valist(const char *tag, const char *fmt, va_list args)
{
    struct db_error *error = xzalloc(sizeof *error);
    error->tag = xstrdup(tag);
    if (fmt) {
        struct ds ds = DS_EMPTY_INITIALIZER;
        ds_put_format_valist(&ds, fmt, args);
        error->details = ds_steal_cstr(&ds);
    }
    return error;
}

/* Returns a new error with 'tag' (an RFC 7047 error string) and details
 * formatted from 'fmt' (printf style), or no details if 'fmt' is NULL.  The
 * caller owns the result. */
struct db_error *
db_error_create(const char *tag, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    struct db_error *error = db_error_create_valist(tag, fmt, args);
    va_end(args);
    return error;
}

/* Like db_error_create(), and also records the JSON text of 'syntax' (if
 * nonnull), the input that was rejected. */
struct db_error *
db_error_syntax(const struct json *syntax, const char *tag,
                const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    struct db_error *error = db_error_create_valist(tag, fmt, args);
    va_end(args);
    db_error_set_syntax(error, syntax);
    return error;
}

/* Returns a copy of 'error' that the caller owns. */
struct db_error *
db_error_clone(const struct db_error *error)
{
    struct db_error *copy = xzalloc(sizeof *copy);
    copy->tag = xstrdup(error->tag);
    copy->details = error->details ? xstrdup(error->details) : NULL;
    copy->syntax = error->syntax ? xstrdup(error->syntax) : NULL;
    return copy;
}

/* Returns the RFC 7047 error string of 'error', e.g. "syntax error". */
const char *
db_error_tag(const struct db_error *error)
{
    return error->tag;
}

/* Returns the details of 'error', or NULL if it has none. */
const char *
db_error_details(const struct db_error *error)
{
    return error->details;
}

/* Returns a copy of 'json' (the caller owns it) in which every integral
 * real is an integer, so that its text reads as ovsdb-server quotes input
 * in a "syntax" member: 2.0 as "2", like the reals of its replies. */
static struct json *
db_error_syntax_copy(const struct json *json)
{
    struct json *copy;
    const struct json_member *m;

    switch (json->type) {
    case JSON_REAL:
        return db_real_to_json(json->real);
    case JSON_ARRAY:
        copy = json_array_create_empty();
        for (size_t i = 0; i < json_array_size(json); i++) {
            json_array_add(copy,
                           db_error_syntax_copy(json_array_at(json, i)));
        }
        return copy;
    case JSON_OBJECT:
        copy = json_object_create();
        JSON_OBJECT_FOR_EACH (m, json) {
            json_object_put_new(copy, m->name,
                                db_error_syntax_copy(m->value));
        }
        return copy;
    case JSON_NULL:
    case JSON_FALSE:
    case JSON_TRUE:
    case JSON_INTEGER:
    case JSON_STRING:
    default:
        return json_ref(json);
    }
}

/* Replaces the recorded syntax of 'error' by the JSON text of 'syntax', or
 * removes it if 'syntax' is NULL.  Does nothing if 'error' already has a
 * syntax and 'syntax' is nonnull, so the innermost caller wins. */
void
db_error_set_syntax(struct db_error *error, const struct json *syntax)
{
    if (!syntax) {
        free(error->syntax);
        error->syntax = NULL;
    } else if (!error->syntax) {
        struct json *copy = db_error_syntax_copy(syntax);
        error->syntax = json_to_string(copy, JSON_SORT);
        json_unref(copy);
    }
}

/* Returns the JSON text of the input that 'error' rejected, or NULL if it
 * records none. */
const char *
db_error_syntax_text(const struct db_error *error)
{
    return error->syntax;
}

/* Prepends the text formatted from 'fmt' to the details of 'error'. */
void
db_error_prefix(struct db_error *error, const char *fmt, ...)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    va_list args;
    va_start(args, fmt);
    ds_put_format_valist(&ds, fmt, args);
    va_end(args);
    if (error->details) {
        ds_put_cstr(&ds, error->details);
    }
    free(error->details);
    error->details = ds_steal_cstr(&ds);
}

/* Returns the RFC 7047 JSON form of 'error': {"error": TAG, "details":
 * DETAILS, "syntax": TEXT}, the last two only when present.  The caller owns
 * the result. */
struct json *
db_error_to_json(const struct db_error *error)
{
    struct json *json = json_object_create();
    json_object_put_new(json, "error", json_string_create(error->tag));
    if (error->details) {
        json_object_put_new(json, "details",
                            json_string_create(error->details));
    }
    if (error->syntax) {
        json_object_put_new(json, "syntax",
                            json_string_create(error->syntax));
    }
    return json;
}

/* Returns "TAG: DETAILS" (or just "TAG"), which the caller frees. */
char *
db_error_to_string(const struct db_error *error)
{
    return (error->details
            ? xasprintf("%s: %s", error->tag, error->details)
            : xstrdup(error->tag));
}

/* Frees 'error'.  Does nothing if 'error' is NULL. */
void
db_error_destroy(struct db_error *error)
{
    if (error) {
        free(error->tag);
        free(error->details);
        free(error->syntax);
        free(error);
    }
}
