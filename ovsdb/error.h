/* RFC 7047 error objects: the tag and details of {"error": ..., "details":
 * ...} that every failing database operation returns.  Parsers and the
 * transaction engine in ovsdb/ return a 'struct db_error *', NULL meaning
 * success; the caller owns a returned error and frees it with
 * db_error_destroy(). */
#ifndef OVSDB_ERROR_H
#define OVSDB_ERROR_H 1

#include "lib/util.h"

struct json;

struct db_error;

struct db_error *db_error_create(const char *tag, const char *fmt, ...)
    PRINTF_FORMAT(2, 3) WARN_UNUSED_RESULT;
struct db_error *db_error_syntax(const struct json *syntax,
                                 const char *tag, const char *fmt, ...)
    PRINTF_FORMAT(3, 4) WARN_UNUSED_RESULT;
struct db_error *db_error_clone(const struct db_error *) WARN_UNUSED_RESULT;

const char *db_error_tag(const struct db_error *);
const char *db_error_details(const struct db_error *);
const char *db_error_syntax_text(const struct db_error *);
void db_error_set_syntax(struct db_error *, const struct json *syntax);
void db_error_prefix(struct db_error *, const char *fmt, ...)
    PRINTF_FORMAT(2, 3);

struct json *db_error_to_json(const struct db_error *);
char *db_error_to_string(const struct db_error *);
void db_error_destroy(struct db_error *);

#endif /* ovsdb/error.h */
