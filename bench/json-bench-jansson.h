/* The jansson side of bench/json-bench.c, in its own file because jansson's
 * header and lib/json.h name several functions alike (json_string(),
 * json_integer(), json_is_array()...).  Values are opaque here. */
#ifndef BENCH_JSON_BENCH_JANSSON_H
#define BENCH_JSON_BENCH_JANSSON_H 1

#include <stddef.h>

/* Parses 'size' bytes at 's' into a new jansson value.  Returns NULL and
 * prints the error if 's' is not a JSON object or array. */
void *jansson_bench_parse(const char *s, size_t size);

/* Prints 'value' compactly (members in insertion order) into a
 * null-terminated string that the caller frees with free(). */
char *jansson_bench_print(const void *value);

/* Releases 'value' (NULL is allowed). */
void jansson_bench_free(void *value);

/* Returns jansson's version string, static. */
const char *jansson_bench_version(void);

#endif /* bench/json-bench-jansson.h */
