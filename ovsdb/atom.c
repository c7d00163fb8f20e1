/* OVSDB atoms and the named-UUID symbol table (see atom.h). */
#include "ovsdb/atom.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/json.h"
#include "ovsdb/datum.h"
#include "ovsdb/error.h"

/* Initializes 'symtab' as empty. */
void
db_symtab_init(struct db_symtab *symtab)
{
    hmap_init(&symtab->symbols);
}

/* Frees every symbol in 'symtab'. */
void
db_symtab_uninit(struct db_symtab *symtab)
{
    struct db_symbol *symbol;
    HMAP_FOR_EACH_SAFE (symbol, node, &symtab->symbols) {
        free(symbol->name);
        free(symbol);
    }
    hmap_uninit(&symtab->symbols);
}

/* Returns the symbol named 'name' in 'symtab', or NULL. */
struct db_symbol *
db_symtab_find(const struct db_symtab *symtab, const char *name)
{
    struct db_symbol *symbol;
    HMAP_FOR_EACH_WITH_HASH (symbol, node, hash_string(name, 0),
                             &symtab->symbols) {
        if (!strcmp(symbol->name, name)) {
            return symbol;
        }
    }
    return NULL;
}

/* Returns the symbol named 'name' in 'symtab', adding it with a fresh random
 * UUID (not yet 'created') if it is new.  'symtab' owns the result. */
struct db_symbol *
db_symtab_put(struct db_symtab *symtab, const char *name)
{
    struct db_symbol *symbol = db_symtab_find(symtab, name);
    if (!symbol) {
        symbol = xzalloc(sizeof *symbol);
        symbol->name = xstrdup(name);
        uuid_generate(&symbol->uuid);
        hmap_insert(&symtab->symbols, &symbol->node, hash_string(name, 0));
    }
    return symbol;
}

/* Initializes 'atom' as the RFC 7047 §5.2.1 default of 'type': 0, 0.0,
 * false, "", or the all-zeros UUID. */
void
atom_init_default(union atom *atom, enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        atom->integer = 0;
        break;
    case DB_TYPE_REAL:
        atom->real = 0.0;
        break;
    case DB_TYPE_BOOLEAN:
        atom->boolean = false;
        break;
    case DB_TYPE_STRING:
        atom->string = xstrdup("");
        break;
    case DB_TYPE_UUID:
        uuid_zero(&atom->uuid);
        break;
    case DB_TYPE_VOID:
        NOT_REACHED();
    }
}

/* Returns true if 'atom' is the default value of 'type'. */
bool
atom_is_default(const union atom *atom, enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return atom->integer == 0;
    case DB_TYPE_REAL:
        return atom->real == 0.0;
    case DB_TYPE_BOOLEAN:
        return !atom->boolean;
    case DB_TYPE_STRING:
        return !atom->string[0];
    case DB_TYPE_UUID:
        return uuid_is_zero(&atom->uuid);
    case DB_TYPE_VOID:
        break;
    }
    NOT_REACHED();
}

/* Initializes 'dst' as a copy of 'src'; strings are duplicated. */
void
atom_clone(union atom *dst, const union atom *src, enum db_atomic_type type)
{
    if (type == DB_TYPE_STRING) {
        dst->string = xstrdup(src->string);
    } else {
        *dst = *src;
    }
}

/* Frees what 'atom' owns (its string, if any). */
void
atom_destroy(union atom *atom, enum db_atomic_type type)
{
    if (type == DB_TYPE_STRING) {
        free(atom->string);
    }
}

/* Returns a negative, zero or positive value as 'a' sorts before, equal to
 * or after 'b'.  Strings compare bytewise, UUIDs by their 128-bit value,
 * false before true. */
int
atom_compare(const union atom *a, const union atom *b,
             enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return a->integer < b->integer ? -1 : a->integer > b->integer;
    case DB_TYPE_REAL:
        return a->real < b->real ? -1 : a->real > b->real;
    case DB_TYPE_BOOLEAN:
        return (int) a->boolean - (int) b->boolean;
    case DB_TYPE_STRING:
        return strcmp(a->string, b->string);
    case DB_TYPE_UUID:
        return uuid_compare(&a->uuid, &b->uuid);
    case DB_TYPE_VOID:
        break;
    }
    NOT_REACHED();
}

/* Returns a hash of 'atom' with 'basis'; equal atoms hash equal. */
uint32_t
atom_hash(const union atom *atom, enum db_atomic_type type, uint32_t basis)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return hash_uint64(atom->integer, basis);
    case DB_TYPE_REAL:
        /* 0.0 and -0.0 compare equal, so they must hash equal. */
        return hash_double(atom->real == 0.0 ? 0.0 : atom->real, basis);
    case DB_TYPE_BOOLEAN:
        return hash_int(atom->boolean, basis);
    case DB_TYPE_STRING:
        return hash_string(atom->string, basis);
    case DB_TYPE_UUID:
        return hash_int(atom->uuid.parts[0] ^ atom->uuid.parts[3], basis);
    case DB_TYPE_VOID:
        break;
    }
    NOT_REACHED();
}

static struct db_error *
atom_uuid_from_json(struct uuid *uuid, const struct json *json,
                    struct db_symtab *symtab)
{
    if (json_is_array(json) && json_array_size(json) == 2
        && json_is_string(json_array_at(json, 0))
        && json_is_string(json_array_at(json, 1))) {
        const char *kind = json_string(json_array_at(json, 0));
        const char *value = json_string(json_array_at(json, 1));
        if (!strcmp(kind, "uuid")) {
            if (!uuid_from_string(uuid, value)) {
                return db_error_syntax(json, "syntax error",
                                       "\"%s\" is not a valid UUID", value);
            }
            return NULL;
        } else if (!strcmp(kind, "named-uuid")) {
            if (!symtab) {
                return db_error_syntax(json, "syntax error",
                                       "named-uuid is not allowed here");
            }
            *uuid = db_symtab_put(symtab, value)->uuid;
            return NULL;
        }
    }
    return db_error_syntax(json, "syntax error",
                           "expected [\"uuid\", <uuid>] or "
                           "[\"named-uuid\", <id>]");
}

/* Parses 'json' as an atom of 'base''s atomic type into 'atom', without
 * checking 'base''s constraints (see atom_check_constraints()).  Integers
 * are accepted where reals are expected.  ["named-uuid", NAME] resolves
 * through 'symtab', adding NAME if new, and is a syntax error if 'symtab' is
 * NULL.  On success the caller owns 'atom' and NULL is returned; on error
 * 'atom' is unset and a "syntax error" is returned. */
struct db_error *
atom_from_json(union atom *atom, const struct db_base_type *base,
               const struct json *json, struct db_symtab *symtab)
{
    switch (base->type) {
    case DB_TYPE_INTEGER:
        if (json->type == JSON_INTEGER) {
            atom->integer = json_integer(json);
            return NULL;
        }
        break;
    case DB_TYPE_REAL:
        if (json_is_number(json)) {
            atom->real = json_real(json);
            return NULL;
        }
        break;
    case DB_TYPE_BOOLEAN:
        if (json_is_boolean(json)) {
            atom->boolean = json_boolean(json);
            return NULL;
        }
        break;
    case DB_TYPE_STRING:
        if (json_is_string(json)) {
            atom->string = xmemdup0(json->string.s, json->string.length);
            return NULL;
        }
        break;
    case DB_TYPE_UUID:
        return atom_uuid_from_json(&atom->uuid, json, symtab);
    case DB_TYPE_VOID:
        NOT_REACHED();
    }
    return db_error_syntax(json, "syntax error", "expected %s",
                           db_atomic_type_to_string(base->type));
}

/* Returns the RFC 7047 JSON form of 'atom'.  The caller owns it. */
struct json *
atom_to_json(const union atom *atom, enum db_atomic_type type)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        return json_integer_create(atom->integer);
    case DB_TYPE_REAL:
        return db_real_to_json(atom->real);
    case DB_TYPE_BOOLEAN:
        return json_boolean_create(atom->boolean);
    case DB_TYPE_STRING:
        return json_string_create(atom->string);
    case DB_TYPE_UUID: {
        char s[UUID_LEN + 1];
        uuid_to_buffer(&atom->uuid, s);
        return json_array_create_2(json_string_create("uuid"),
                                   json_string_create_buffer(s, UUID_LEN));
    }
    case DB_TYPE_VOID:
        break;
    }
    NOT_REACHED();
}

/* Appends to 'ds' the text of atom_to_json('atom', 'type'), exactly as
 * json_to_ds() would print it, without building the value. */
void
atom_to_json_ds(const union atom *atom, enum db_atomic_type type,
                struct ds *ds)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        json_integer_to_ds(atom->integer, ds);
        return;
    case DB_TYPE_REAL: {
        /* As db_real_to_json(): an integral value prints as an integer. */
        double d = atom->real;
        if (d == floor(d) && fabs(d) < 9007199254740992.0) {
            json_integer_to_ds((long long) d, ds);
        } else {
            json_real_to_ds(d, ds);
        }
        return;
    }
    case DB_TYPE_BOOLEAN:
        ds_put_cstr(ds, atom->boolean ? "true" : "false");
        return;
    case DB_TYPE_STRING:
        json_string_to_ds(atom->string, strlen(atom->string), ds);
        return;
    case DB_TYPE_UUID: {
        char *p = ds_put_uninit(ds, UUID_LEN + 12);
        memcpy(p, "[\"uuid\",\"", 9);
        uuid_to_buffer(&atom->uuid, p + 9);
        memcpy(p + 9 + UUID_LEN, "\"]", 2);
        ds_truncate(ds, ds->length - 1);
        return;
    }
    case DB_TYPE_VOID:
        break;
    }
    NOT_REACHED();
}

/* Appends a readable form of 'atom' to 'ds', for messages: strings in
 * double quotes, reals in their shortest exact form. */
void
atom_to_ds(const union atom *atom, enum db_atomic_type type, struct ds *ds)
{
    switch (type) {
    case DB_TYPE_INTEGER:
        ds_put_format(ds, "%lld", atom->integer);
        break;
    case DB_TYPE_REAL: {
        char buf[64];
        snprintf(buf, sizeof buf, "%.15g", atom->real);
        if (strtod(buf, NULL) != atom->real) {
            snprintf(buf, sizeof buf, "%.17g", atom->real);
        }
        ds_put_cstr(ds, buf);
        break;
    }
    case DB_TYPE_BOOLEAN:
        ds_put_cstr(ds, atom->boolean ? "true" : "false");
        break;
    case DB_TYPE_STRING: {
        struct json *json = json_string_create(atom->string);
        json_to_ds(json, 0, ds);
        json_unref(json);
        break;
    }
    case DB_TYPE_UUID:
        ds_put_format(ds, UUID_FMT, UUID_ARGS(&atom->uuid));
        break;
    case DB_TYPE_VOID:
        NOT_REACHED();
    }
}

/* Returns the number of characters in 's', which must be valid UTF-8 (as
 * every JSON string Kiln parses is). */
size_t
atom_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        /* Count every byte that does not continue a multibyte sequence. */
        n += ((unsigned char) *s & 0xc0) != 0x80;
    }
    return n;
}

static struct db_error *
atom_enum_error(const union atom *atom, const struct db_base_type *base)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    atom_to_ds(atom, base->type, &ds);
    ds_put_cstr(&ds, " is not one of the allowed values (");
    for (size_t i = 0; i < base->enum_->n; i++) {
        if (i) {
            ds_put_cstr(&ds, ", ");
        }
        atom_to_ds(&base->enum_->keys[i], base->type, &ds);
    }
    ds_put_char(&ds, ')');
    struct db_error *error = db_error_create("constraint violation", "%s",
                                             ds_cstr(&ds));
    ds_uninit(&ds);
    return error;
}

/* Checks 'atom' against the constraints of 'base' (range, length,
 * enumeration).  Returns NULL if it satisfies them, else a "constraint
 * violation".  References are checked at commit, not here. */
struct db_error *
atom_check_constraints(const union atom *atom,
                       const struct db_base_type *base)
{
    if (base->enum_
        && datum_find_key(base->enum_, atom, base->type) == SIZE_MAX) {
        return atom_enum_error(atom, base);
    }

    switch (base->type) {
    case DB_TYPE_INTEGER:
        if (atom->integer < base->integer.min
            || atom->integer > base->integer.max) {
            struct ds ds = DS_EMPTY_INITIALIZER;
            ds_put_format(&ds, "%lld is ", atom->integer);
            if (base->integer.min == LLONG_MIN) {
                ds_put_format(&ds, "greater than the maximum %lld",
                              base->integer.max);
            } else if (base->integer.max == LLONG_MAX) {
                ds_put_format(&ds, "less than the minimum %lld",
                              base->integer.min);
            } else {
                ds_put_format(&ds, "outside the allowed range %lld to %lld",
                              base->integer.min, base->integer.max);
            }
            struct db_error *error = db_error_create("constraint violation",
                                                     "%s", ds_cstr(&ds));
            ds_uninit(&ds);
            return error;
        }
        return NULL;

    case DB_TYPE_REAL:
        if (atom->real < base->real.min || atom->real > base->real.max) {
            struct ds ds = DS_EMPTY_INITIALIZER;
            atom_to_ds(atom, DB_TYPE_REAL, &ds);
            ds_put_cstr(&ds, " is outside the allowed range ");
            union atom bound = { .real = base->real.min };
            atom_to_ds(&bound, DB_TYPE_REAL, &ds);
            ds_put_cstr(&ds, " to ");
            bound.real = base->real.max;
            atom_to_ds(&bound, DB_TYPE_REAL, &ds);
            struct db_error *error = db_error_create("constraint violation",
                                                     "%s", ds_cstr(&ds));
            ds_uninit(&ds);
            return error;
        }
        return NULL;

    case DB_TYPE_STRING:
        if (base->string.min_length || base->string.max_length != UINT_MAX) {
            size_t length = atom_utf8_length(atom->string);
            if (length < base->string.min_length
                || length > base->string.max_length) {
                struct ds ds = DS_EMPTY_INITIALIZER;
                atom_to_ds(atom, DB_TYPE_STRING, &ds);
                ds_put_format(&ds, " has %zu characters, but the allowed "
                              "length is %u to %u", length,
                              base->string.min_length,
                              base->string.max_length);
                struct db_error *error = db_error_create(
                    "constraint violation", "%s", ds_cstr(&ds));
                ds_uninit(&ds);
                return error;
            }
        }
        return NULL;

    case DB_TYPE_BOOLEAN:
    case DB_TYPE_UUID:
        return NULL;
    case DB_TYPE_VOID:
        break;
    }
    NOT_REACHED();
}
