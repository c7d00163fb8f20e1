/* The jansson side of bench/json-bench.c: thin wrappers that give the
 * benchmark the same four operations for jansson as for lib/json. */
#include "bench/json-bench-jansson.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* See json-bench-jansson.h. */
void *
jansson_bench_parse(const char *s, size_t size)
{
    json_error_t error;
    json_t *value = json_loadb(s, size, 0, &error);
    if (!value) {
        fprintf(stderr, "jansson: %s at byte %d\n", error.text,
                error.position);
    }
    return value;
}

/* See json-bench-jansson.h.  JSON_COMPACT prints no spaces, like
 * json_to_string(value, 0); jansson 2.8 and later keep insertion order. */
char *
jansson_bench_print(const void *value)
{
    return json_dumps(value, JSON_COMPACT);
}

/* See json-bench-jansson.h. */
void
jansson_bench_free(void *value)
{
    json_decref(value);
}

/* See json-bench-jansson.h. */
const char *
jansson_bench_version(void)
{
    return JANSSON_VERSION;
}
