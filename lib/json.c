/* JSON values: construction, comparison, serialization and a recursive
 * descent parser over a contiguous buffer.  Kiln has its own rather than
 * wrapping a library because JSON-RPC streams need framing that libraries
 * lack, and the database's hot path creates and prints millions of small
 * values (bench/json-bench compares this parser with jansson). */
#include "lib/json.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"

static struct json *
json_create(enum json_type type)
{
    struct json *json = xmalloc(sizeof *json);
    json->type = type;
    json->refcount = 1;
    return json;
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

/* Takes ownership of 's'. */
struct json *
json_string_create_nocopy(char *s)
{
    struct json *json = json_create(JSON_STRING);
    json->string.s = s;
    json->string.length = strlen(s);
    return json;
}

struct json *
json_string_create_buffer(const char *s, size_t length)
{
    struct json *json = json_create(JSON_STRING);
    json->string.s = xmemdup0(s, length);
    json->string.length = length;
    return json;
}

struct json *
json_string_create(const char *s)
{
    return json_string_create_buffer(s, strlen(s));
}

struct json *
json_array_create_empty(void)
{
    struct json *json = json_create(JSON_ARRAY);
    json->array.elems = NULL;
    json->array.n = json->array.allocated = 0;
    return json;
}

struct json *
json_array_create_1(struct json *a)
{
    struct json *json = json_array_create_empty();
    json_array_add(json, a);
    return json;
}

struct json *
json_array_create_2(struct json *a, struct json *b)
{
    struct json *json = json_array_create_1(a);
    json_array_add(json, b);
    return json;
}

struct json *
json_array_create_3(struct json *a, struct json *b, struct json *c)
{
    struct json *json = json_array_create_2(a, b);
    json_array_add(json, c);
    return json;
}

void
json_array_add(struct json *array, struct json *elem)
{
    struct json_array *a = &array->array;
    if (a->n >= a->allocated) {
        a->elems = x2nrealloc(a->elems, &a->allocated, sizeof *a->elems);
    }
    a->elems[a->n++] = elem;
}

struct json *
json_object_create(void)
{
    struct json *json = json_create(JSON_OBJECT);
    hmap_init(&json->object.by_name);
    json->object.order = NULL;
    json->object.n = json->object.allocated = 0;
    return json;
}

static struct json_member *
json_object_find_member(const struct json *json, const char *name,
                        uint32_t hash)
{
    struct json_member *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash, &json->object.by_name) {
        if (!strcmp(m->name, name)) {
            return m;
        }
    }
    return NULL;
}

static void
json_object_append(struct json *json, char *name, uint32_t hash,
                   struct json *value)
{
    struct json_object *o = &json->object;
    struct json_member *m = xmalloc(sizeof *m);
    m->name = name;
    m->value = value;
    hmap_insert(&o->by_name, &m->node, hash);
    if (o->n >= o->allocated) {
        o->order = x2nrealloc(o->order, &o->allocated, sizeof *o->order);
    }
    o->order[o->n++] = m;
}

void
json_object_put(struct json *json, const char *name, struct json *value)
{
    uint32_t hash = hash_string(name, 0);
    struct json_member *m = json_object_find_member(json, name, hash);
    if (m) {
        json_unref(m->value);
        m->value = value;
    } else {
        json_object_append(json, xstrdup(name), hash, value);
    }
}

void
json_object_put_new(struct json *json, const char *name, struct json *value)
{
    json_object_append(json, xstrdup(name), hash_string(name, 0), value);
}

void
json_object_put_string(struct json *json, const char *name, const char *s)
{
    json_object_put(json, name, json_string_create(s));
}

struct json *
json_object_steal(struct json *json, const char *name)
{
    struct json_member *m = json_object_find_member(json, name,
                                                    hash_string(name, 0));
    if (!m) {
        return NULL;
    }

    struct json_object *o = &json->object;
    for (size_t i = 0; i < o->n; i++) {
        if (o->order[i] == m) {
            memmove(&o->order[i], &o->order[i + 1],
                    (o->n - i - 1) * sizeof *o->order);
            o->n--;
            break;
        }
    }
    hmap_remove(&o->by_name, &m->node);
    struct json *value = m->value;
    free(m->name);
    free(m);
    return value;
}

struct json *
json_object_find(const struct json *json, const char *name)
{
    struct json_member *m = json_object_find_member(json, name,
                                                    hash_string(name, 0));
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
        free(json->array.elems);
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < json->object.n; i++) {
            struct json_member *m = json->object.order[i];
            json_unref(m->value);
            free(m->name);
            free(m);
        }
        free(json->object.order);
        hmap_uninit(&json->object.by_name);
        break;
    case JSON_STRING:
        free(json->string.s);
        break;
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
        struct json *copy = json_array_create_empty();
        for (size_t i = 0; i < json->array.n; i++) {
            json_array_add(copy, json_deep_clone(json->array.elems[i]));
        }
        return copy;
    }
    case JSON_OBJECT: {
        struct json *copy = json_object_create();
        for (size_t i = 0; i < json->object.n; i++) {
            const struct json_member *m = json->object.order[i];
            json_object_append(copy, xstrdup(m->name), m->node.hash,
                               json_deep_clone(m->value));
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
        for (size_t i = 0; i < a->object.n; i++) {
            const struct json_member *m = a->object.order[i];
            const struct json_member *n
                = json_object_find_member(b, m->name, m->node.hash);
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
        for (size_t i = 0; i < json->object.n; i++) {
            const struct json_member *m = json->object.order[i];
            h ^= json_hash(m->value, m->node.hash);
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
    struct json_member **members = o->order;

    if (!o->n) {
        ds_put_cstr(ds, "{}");
        return;
    }
    if (flags & JSON_SORT) {
        members = xmemdup(o->order, o->n * sizeof *members);
        qsort(members, o->n, sizeof *members, compare_members);
    }
    ds_put_char(ds, '{');
    for (size_t i = 0; i < o->n; i++) {
        if (i) {
            ds_put_char(ds, ',');
        }
        if (flags & JSON_PRETTY) {
            json_put_indent(level + 1, ds);
        }
        json_put_string(members[i]->name, strlen(members[i]->name), ds);
        ds_put_char(ds, ':');
        if (flags & JSON_PRETTY) {
            ds_put_char(ds, ' ');
        }
        json_put(members[i]->value, flags, level + 1, ds);
    }
    if (flags & JSON_PRETTY) {
        json_put_indent(level, ds);
    }
    ds_put_char(ds, '}');
    if (members != o->order) {
        free(members);
    }
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
        ds_put_format(ds, "%lld", json->integer);
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

struct json_parser {
    const char *start;          /* Beginning of the input. */
    const char *p;              /* Next byte to read. */
    const char *end;            /* End of the input. */
    char *error;                /* First error, owned; NULL if none yet. */
    struct ds scratch;          /* Buffer for strings with escapes. */
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

static void
put_utf8(struct ds *ds, unsigned int c)
{
    if (c < 0x80) {
        ds_put_char(ds, c);
    } else if (c < 0x800) {
        ds_put_char(ds, 0xc0 | (c >> 6));
        ds_put_char(ds, 0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        ds_put_char(ds, 0xe0 | (c >> 12));
        ds_put_char(ds, 0x80 | ((c >> 6) & 0x3f));
        ds_put_char(ds, 0x80 | (c & 0x3f));
    } else {
        ds_put_char(ds, 0xf0 | (c >> 18));
        ds_put_char(ds, 0x80 | ((c >> 12) & 0x3f));
        ds_put_char(ds, 0x80 | ((c >> 6) & 0x3f));
        ds_put_char(ds, 0x80 | (c & 0x3f));
    }
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

/* Parses a string literal; 'p->p' is just past the opening quote.  Returns
 * an allocated string and its length, or NULL on error. */
static char *
parse_string_raw(struct json_parser *p, size_t *lengthp)
{
    const char *s = p->p;

    /* Fast path: no escapes and plain ASCII. */
    while (s < p->end && *s != '"' && *s != '\\'
           && (unsigned char) *s >= 0x20 && (unsigned char) *s < 0x80) {
        s++;
    }
    if (s < p->end && *s == '"') {
        char *result = xmemdup0(p->p, s - p->p);
        *lengthp = s - p->p;
        p->p = s + 1;
        return result;
    }

    struct ds *ds = &p->scratch;
    ds_clear(ds);
    ds_put_buffer(ds, p->p, s - p->p);
    while (s < p->end) {
        unsigned char c = *s;
        if (c == '"') {
            p->p = s + 1;
            *lengthp = ds->length;
            return xmemdup0(ds_cstr(ds), ds->length);
        } else if (c < 0x20) {
            p->p = s;
            return parse_error(p, "U+0000 through U+001F must be escaped");
        } else if (c == '\\') {
            if (s + 1 >= p->end) {
                break;
            }
            char e = s[1];
            s += 2;
            switch (e) {
            case '"': ds_put_char(ds, '"'); break;
            case '\\': ds_put_char(ds, '\\'); break;
            case '/': ds_put_char(ds, '/'); break;
            case 'b': ds_put_char(ds, '\b'); break;
            case 'f': ds_put_char(ds, '\f'); break;
            case 'n': ds_put_char(ds, '\n'); break;
            case 'r': ds_put_char(ds, '\r'); break;
            case 't': ds_put_char(ds, '\t'); break;
            case 'u': {
                int c1 = p->end - s >= 4 ? hex4(s) : -1;
                if (c1 < 0) {
                    p->p = s;
                    return parse_error(p, "malformed \\u escape");
                }
                s += 4;
                unsigned int code = c1;
                if (c1 >= 0xd800 && c1 <= 0xdbff) {
                    int c2 = (p->end - s >= 6 && s[0] == '\\' && s[1] == 'u'
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
                put_utf8(ds, code);
                break;
            }
            default:
                p->p = s - 1;
                return parse_error(p, "bad escape");
            }
        } else if (c < 0x80) {
            ds_put_char(ds, c);
            s++;
        } else {
            size_t n = utf8_sequence_length((const unsigned char *) s,
                                            p->end - s);
            if (!n) {
                p->p = s;
                return parse_error(p, "invalid UTF-8");
            }
            ds_put_buffer(ds, s, n);
            s += n;
        }
    }
    p->p = p->end;
    return parse_error(p, "unterminated string");
}

static struct json *
parse_array(struct json_parser *p, int depth)
{
    struct json *array = json_array_create_empty();

    skip_space(p);
    if (p->p < p->end && *p->p == ']') {
        p->p++;
        return array;
    }
    for (;;) {
        struct json *elem = parse_value(p, depth);
        if (!elem) {
            goto error;
        }
        json_array_add(array, elem);
        skip_space(p);
        if (p->p >= p->end) {
            parse_error(p, "unexpected end of input in array");
            goto error;
        } else if (*p->p == ',') {
            p->p++;
        } else if (*p->p == ']') {
            p->p++;
            return array;
        } else {
            parse_error(p, "expected ',' or ']'");
            goto error;
        }
    }
error:
    json_unref(array);
    return NULL;
}

static struct json *
parse_object(struct json_parser *p, int depth)
{
    struct json *object = json_object_create();

    skip_space(p);
    if (p->p < p->end && *p->p == '}') {
        p->p++;
        return object;
    }
    for (;;) {
        skip_space(p);
        if (p->p >= p->end || *p->p != '"') {
            parse_error(p, "expected member name");
            goto error;
        }
        p->p++;
        size_t length;
        char *name = parse_string_raw(p, &length);
        if (!name) {
            goto error;
        }
        skip_space(p);
        if (p->p >= p->end || *p->p != ':') {
            free(name);
            parse_error(p, "expected ':'");
            goto error;
        }
        p->p++;
        struct json *value = parse_value(p, depth);
        if (!value) {
            free(name);
            goto error;
        }
        /* A repeated name keeps the last value, as most parsers do. */
        uint32_t hash = hash_bytes(name, length, 0);
        struct json_member *m = json_object_find_member(object, name, hash);
        if (m) {
            json_unref(m->value);
            m->value = value;
            free(name);
        } else {
            json_object_append(object, name, hash, value);
        }

        skip_space(p);
        if (p->p >= p->end) {
            parse_error(p, "unexpected end of input in object");
            goto error;
        } else if (*p->p == ',') {
            p->p++;
        } else if (*p->p == '}') {
            p->p++;
            return object;
        } else {
            parse_error(p, "expected ',' or '}'");
            goto error;
        }
    }
error:
    json_unref(object);
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
    case '"': {
        p->p++;
        size_t length;
        char *s = parse_string_raw(p, &length);
        if (!s) {
            return NULL;
        }
        struct json *json = json_create(JSON_STRING);
        json->string.s = s;
        json->string.length = length;
        return json;
    }
    case 't':
        if (parse_literal(p, "true", 4)) {
            return json_boolean_create(true);
        }
        break;
    case 'f':
        if (parse_literal(p, "false", 5)) {
            return json_boolean_create(false);
        }
        break;
    case 'n':
        if (parse_literal(p, "null", 4)) {
            return json_null_create();
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
    struct json_parser p = {
        .start = s, .p = s, .end = s + length, .error = NULL,
        .scratch = DS_EMPTY_INITIALIZER,
    };

    struct json *json = parse_value(&p, 0);
    if (json) {
        skip_space(&p);
        if (p.p != p.end) {
            parse_error(&p, "trailing garbage after value");
            json_unref(json);
            json = NULL;
        }
    }
    ds_uninit(&p.scratch);
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
