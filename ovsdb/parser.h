/* Helpers for parsing the JSON objects of OVSDB schemas and requests:
 * fetching members of an expected JSON type, rejecting unknown members, and
 * recognizing RFC 7047 <id>s.  Every failure is a "syntax error" db_error
 * whose details say what was wrong. */
#ifndef OVSDB_PARSER_H
#define OVSDB_PARSER_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

struct db_error;
struct json;

/* JSON types a member may have, as a bitmask. */
enum {
    DB_PARSER_NULL = 1 << 0,
    DB_PARSER_BOOLEAN = 1 << 1,
    DB_PARSER_OBJECT = 1 << 2,
    DB_PARSER_ARRAY = 1 << 3,
    DB_PARSER_INTEGER = 1 << 4,
    DB_PARSER_REAL = 1 << 5,    /* Integers are accepted as reals too. */
    DB_PARSER_STRING = 1 << 6,
    DB_PARSER_ID = 1 << 7,      /* A string that is an RFC 7047 <id>. */
    DB_PARSER_OPTIONAL = 1 << 8, /* Absence is not an error. */
    DB_PARSER_ANY = (DB_PARSER_NULL | DB_PARSER_BOOLEAN | DB_PARSER_OBJECT
                     | DB_PARSER_ARRAY | DB_PARSER_INTEGER | DB_PARSER_REAL
                     | DB_PARSER_STRING),
};

struct db_error *db_parser_member(const struct json *object,
                                  const char *name, unsigned int types,
                                  const struct json **valuep)
    WARN_UNUSED_RESULT;
struct db_error *db_parser_check_members(const struct json *object,
                                         const char *const allowed[],
                                         size_t n_allowed)
    WARN_UNUSED_RESULT;
bool db_parser_is_id(const char *);

#endif /* ovsdb/parser.h */
