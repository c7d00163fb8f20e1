/* The value syntax of the generic database commands (see dbctl.h):
 * formatting atoms and datums as ovs-vsctl(8) prints them, and parsing
 * them back.  dbctl.c runs the commands on top of it. */
#include "tools/dbctl-private.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/error.h"

/* ---------------------------------------------------------------------- */
/* Formatting values. */

/* True if string atom 's' must be quoted to read back as the same
 * string. */
static bool
string_needs_quotes(const char *s)
{
    if (!isalpha((unsigned char) s[0]) && s[0] != '_') {
        return true;
    }
    for (const char *p = s + 1; *p; p++) {
        unsigned char c = *p;
        if (!isalnum(c) && c != '_' && c != '-' && c != '.') {
            return true;
        }
    }
    struct uuid uuid;
    return !strcmp(s, "true") || !strcmp(s, "false")
           || uuid_from_string(&uuid, s);
}

/* Appends 'atom', of 'type', to 'ds' in the CLIs' string syntax: strings
 * in double quotes unless they look like an identifier (or always bare if
 * 'bare'). */
void
dbctl_atom_to_string(const union atom *atom, enum db_atomic_type type,
                     bool bare, struct ds *ds)
{
    if (type == DB_TYPE_STRING
        && (bare || !string_needs_quotes(atom->string))) {
        ds_put_cstr(ds, atom->string);
    } else {
        atom_to_ds(atom, type, ds);
    }
}

/* Appends 'datum', of 'type', to 'ds' in the CLIs' string syntax:
 * "{k=v, ...}" for a map, "[a, b]" for a set that may hold other than one
 * element or is empty, else the atom; with 'bare', elements separated by
 * spaces without brackets or quotes. */
void
dbctl_datum_to_string(const struct datum *datum, const struct db_type *type,
                      bool bare, struct ds *ds)
{
    bool is_map = db_type_is_map(type);
    bool brackets = !bare && (is_map || type->n_max > 1 || !datum->n);
    if (brackets) {
        ds_put_char(ds, is_map ? '{' : '[');
    }
    for (size_t i = 0; i < datum->n; i++) {
        if (i) {
            ds_put_cstr(ds, bare ? " " : ", ");
        }
        dbctl_atom_to_string(&datum->keys[i], type->key.type, bare, ds);
        if (is_map) {
            ds_put_char(ds, '=');
            dbctl_atom_to_string(&datum->values[i], type->value.type, bare,
                                 ds);
        }
    }
    if (brackets) {
        ds_put_char(ds, is_map ? '}' : ']');
    }
}

/* ---------------------------------------------------------------------- */
/* Parsing values. */

static void
skip_spaces(const char **pp)
{
    while (isspace((unsigned char) **pp)) {
        (*pp)++;
    }
}

/* Parses one token at '*pp': a double-quoted string (JSON escapes) or the
 * characters up to whitespace or one of 'delims'.  Stores it in '*tokenp'
 * (owned by the caller) and sets '*quoted'.  Returns an error message or
 * NULL. */
static char *
parse_token(const char **pp, const char *delims, char **tokenp,
            bool *quoted)
{
    const char *p = *pp;
    *tokenp = NULL;
    *quoted = *p == '"';
    if (*quoted) {
        const char *q = p + 1;
        while (*q && *q != '"') {
            q += *q == '\\' && q[1] ? 2 : 1;
        }
        if (*q != '"') {
            return xasprintf("%s: missing quote at end of quoted string",
                             p);
        }
        char *text = xmemdup0(p, q + 1 - p);
        struct json *json;
        char *error = json_from_string(text, &json);
        free(text);
        if (error) {
            char *msg = xasprintf("%s: %s", p, error);
            free(error);
            return msg;
        }
        *tokenp = xstrdup(json_string(json));
        json_unref(json);
        *pp = q + 1;
        return NULL;
    }
    const char *q = p;
    while (*q && !isspace((unsigned char) *q) && !strchr(delims, *q)) {
        q++;
    }
    *tokenp = xmemdup0(p, q - p);
    *pp = q;
    return NULL;
}

/* Converts 'token' to an atom of 'base' in 'atom'. */
static char *
atom_from_token(union atom *atom, const struct db_base_type *base,
                const char *token, bool quoted, struct db_symtab *symtab)
{
    char *end;
    switch (base->type) {
    case DB_TYPE_INTEGER:
        errno = 0;
        atom->integer = strtoll(token, &end, 10);
        if (!*token || *end || errno) {
            return xasprintf("\"%s\" is not a valid integer or range",
                             token);
        }
        break;
    case DB_TYPE_REAL:
        errno = 0;
        atom->real = strtod(token, &end);
        if (!*token || *end || errno) {
            return xasprintf("\"%s\" is not a valid real number", token);
        }
        break;
    case DB_TYPE_BOOLEAN:
        if (!strcmp(token, "true")) {
            atom->boolean = true;
        } else if (!strcmp(token, "false")) {
            atom->boolean = false;
        } else {
            return xasprintf("\"%s\" is not a valid boolean (use \"true\" "
                             "or \"false\")", token);
        }
        break;
    case DB_TYPE_STRING:
        if (!*token && !quoted) {
            return xstrdup("syntax error: expecting string or identifier");
        }
        atom->string = xstrdup(token);
        break;
    case DB_TYPE_UUID:
        if (token[0] == '@' && symtab) {
            struct db_symbol *symbol = db_symtab_find(symtab, token);
            if (!symbol) {
                return xasprintf("row id \"%s\" is referenced but never "
                                 "created (e.g. with \"-- --id=%s create "
                                 "...\")", token, token);
            }
            atom->uuid = symbol->uuid;
        } else if (!uuid_from_string(&atom->uuid, token)) {
            return xasprintf("\"%s\" is not a valid UUID", token);
        }
        break;
    case DB_TYPE_VOID:
        NOT_REACHED();
    }
    if (base->enum_
        && datum_find_key(base->enum_, atom, base->type) == SIZE_MAX) {
        struct db_type set;
        struct ds ds;
        db_type_init(&set, base->type);
        set.n_min = 0;
        set.n_max = UINT_MAX;
        ds_init(&ds);
        dbctl_atom_to_string(atom, base->type, false, &ds);
        ds_put_cstr(&ds, " is not one of the allowed values (");
        dbctl_datum_to_string(base->enum_, &set, false, &ds);
        ds_put_char(&ds, ')');
        db_type_destroy(&set);
        atom_destroy(atom, base->type);
        char *msg = xasprintf("constraint violation: %s", ds_cstr(&ds));
        ds_uninit(&ds);
        return msg;
    }
    struct db_error *error = atom_check_constraints(atom, base);
    if (error) {
        char *msg = db_error_to_string(error);
        db_error_destroy(error);
        atom_destroy(atom, base->type);
        return msg;
    }
    return NULL;
}

/* Parses one atom of 'base' at '*pp' into 'atom' (the caller owns it on
 * success): a double-quoted string or the text up to whitespace or one of
 * 'delims'.  "@name" UUIDs resolve through 'symtab' if nonnull.  Advances
 * '*pp' past it.  Returns NULL, or an error message the caller frees. */
char *
dbctl_parse_atom(const char **pp, const struct db_base_type *base,
                 const char *delims, struct db_symtab *symtab,
                 union atom *atom)
{
    char *token;
    bool quoted;
    skip_spaces(pp);
    char *error = parse_token(pp, delims, &token, &quoted);
    if (!error) {
        error = atom_from_token(atom, base, token, quoted, symtab);
    }
    free(token);
    return error;
}

/* Parses 's' as a value of 'type' into 'datum', which this initializes
 * (the caller destroys it on success; on error it is left empty): a set
 * "[a, b]" or "a,b", a map "{k=v, ...}" or "k=v,...", or an atom.
 * "@name" UUIDs resolve through 'symtab' if nonnull.  Returns NULL, or an
 * error message the caller frees. */
char *
dbctl_datum_from_string(struct datum *datum, const struct db_type *type,
                        const char *s, struct db_symtab *symtab)
{
    bool is_map = db_type_is_map(type);
    const char *p = s;
    size_t n = 0, allocated = 0;
    union atom *keys = NULL, *values = NULL;
    char *error = NULL;

    datum_init_empty(datum);
    skip_spaces(&p);
    char close = 0;
    if (*p == '[' || *p == '{') {
        close = *p == '[' ? ']' : '}';
        p++;
    }
    for (;;) {
        skip_spaces(&p);
        if (!*p || (close && *p == close)) {
            break;
        }
        if (n >= allocated) {
            keys = x2nrealloc(keys, &allocated, sizeof *keys);
            if (is_map) {
                values = xrealloc(values, allocated * sizeof *values);
            }
        }
        error = dbctl_parse_atom(&p, &type->key, is_map ? ",]}=" : ",]}",
                           symtab, &keys[n]);
        if (error) {
            break;
        }
        if (is_map) {
            skip_spaces(&p);
            if (*p != '=') {
                atom_destroy(&keys[n], type->key.type);
                error = xasprintf("%s: syntax error at \"%s\": missing "
                                  "\"=\"", s, p);
                break;
            }
            p++;
            error = dbctl_parse_atom(&p, &type->value, ",]}", symtab,
                               &values[n]);
            if (error) {
                atom_destroy(&keys[n], type->key.type);
                break;
            }
        }
        n++;
        skip_spaces(&p);
        if (*p == ',') {
            p++;
        }
    }
    if (!error) {
        if (close && *p != close) {
            error = xasprintf("%s: missing \"%c\" at end of %s", s, close,
                              is_map ? "map" : "set");
        } else if (close) {
            p++;
        }
    }
    if (!error) {
        skip_spaces(&p);
        if (*p) {
            error = xasprintf("%s: trailing garbage after value (\"%s\")", s,
                              p);
        }
    }

    datum_init_alloc(datum, n, is_map);
    for (size_t i = 0; i < n; i++) {
        datum->keys[i] = keys[i];
        if (is_map) {
            datum->values[i] = values[i];
        }
    }
    free(keys);
    free(values);
    if (!error) {
        struct db_error *dberr = datum_sort_unique(datum, type);
        if (dberr) {
            db_error_destroy(dberr);
            error = xasprintf("%s: %s contains duplicate %s", s,
                              is_map ? "map" : "set",
                              is_map ? "key" : "value");
        }
    }
    if (!error && (datum->n < type->n_min || datum->n > type->n_max)) {
        error = xasprintf("\"%s\" is not a valid value for a column of "
                          "type %s", s, "this");
    }
    if (error) {
        datum_destroy(datum, type);
        datum_init_empty(datum);
    }
    return error;
}
