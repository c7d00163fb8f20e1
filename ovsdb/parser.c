/* Helpers for parsing OVSDB JSON objects (see parser.h). */
#include "ovsdb/parser.h"

#include <string.h>

#include "lib/json.h"
#include "ovsdb/error.h"

static bool
db_parser_type_ok(const struct json *value, unsigned int types)
{
    switch (value->type) {
    case JSON_NULL:
        return types & DB_PARSER_NULL;
    case JSON_FALSE:
    case JSON_TRUE:
        return types & DB_PARSER_BOOLEAN;
    case JSON_OBJECT:
        return types & DB_PARSER_OBJECT;
    case JSON_ARRAY:
        return types & DB_PARSER_ARRAY;
    case JSON_INTEGER:
        return types & (DB_PARSER_INTEGER | DB_PARSER_REAL);
    case JSON_REAL:
        return types & DB_PARSER_REAL;
    case JSON_STRING:
        return ((types & DB_PARSER_STRING)
                || ((types & DB_PARSER_ID)
                    && db_parser_is_id(json_string(value))));
    }
    return false;
}

/* Looks up member 'name' of JSON object 'object' and checks that its JSON
 * type is one of 'types' (DB_PARSER_* bits).  On success stores the member
 * (borrowed from 'object') in '*valuep', or NULL if it is absent and
 * 'types' includes DB_PARSER_OPTIONAL, and returns NULL.  Otherwise returns
 * a "syntax error" and stores NULL. */
struct db_error *
db_parser_member(const struct json *object, const char *name,
                 unsigned int types, const struct json **valuep)
{
    const struct json *value = json_object_find(object, name);
    *valuep = NULL;
    if (!value) {
        if (types & DB_PARSER_OPTIONAL) {
            return NULL;
        }
        return db_error_syntax(object, "syntax error",
                               "Required '%s' member is missing.", name);
    }
    if (!db_parser_type_ok(value, types)) {
        if ((types & DB_PARSER_ID) && json_is_string(value)) {
            return db_error_syntax(object, "syntax error",
                                   "Member '%s' is not a valid identifier.",
                                   name);
        }
        return db_error_syntax(object, "syntax error",
                               "Type mismatch for member '%s'.", name);
    }
    *valuep = value;
    return NULL;
}

/* Returns a "syntax error" naming the first member of 'object' whose name is
 * not among the 'n_allowed' names in 'allowed', or NULL if there is none. */
struct db_error *
db_parser_check_members(const struct json *object,
                        const char *const allowed[], size_t n_allowed)
{
    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, object) {
        size_t i;
        for (i = 0; i < n_allowed; i++) {
            if (!strcmp(m->name, allowed[i])) {
                break;
            }
        }
        if (i == n_allowed) {
            return db_error_syntax(object, "syntax error",
                                   "Member '%s' is present but not allowed "
                                   "here.", m->name);
        }
    }
    return NULL;
}

/* Returns true if 's' is an RFC 7047 <id>: a letter or underscore followed
 * by letters, digits and underscores. */
bool
db_parser_is_id(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
          || *s == '_')) {
        return false;
    }
    for (s++; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
              || (*s >= '0' && *s <= '9') || *s == '_')) {
            return false;
        }
    }
    return true;
}
