/* RFC 4122 UUIDs: random generation, parsing and formatting. */
#ifndef LIB_UUID_H
#define LIB_UUID_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/hash.h"

struct uuid {
    uint32_t parts[4];          /* Most significant word first. */
};

#define UUID_LEN 36
#define UUID_FMT "%08x-%04x-%04x-%04x-%04x%08x"
#define UUID_ARGS(U)                                    \
    (U)->parts[0],                                      \
    (U)->parts[1] >> 16, (U)->parts[1] & 0xffff,        \
    (U)->parts[2] >> 16, (U)->parts[2] & 0xffff,        \
    (U)->parts[3]

void uuid_generate(struct uuid *);
void uuid_zero(struct uuid *);
bool uuid_is_zero(const struct uuid *);
int uuid_compare(const struct uuid *, const struct uuid *);
bool uuid_from_string(struct uuid *, const char *);
bool uuid_from_buffer(struct uuid *, const char *, size_t length);
bool uuid_is_partial_string(const char *);
void uuid_to_buffer(const struct uuid *, char out[UUID_LEN + 1]);

static inline bool
uuid_equals(const struct uuid *a, const struct uuid *b)
{
    return (a->parts[0] == b->parts[0] && a->parts[1] == b->parts[1]
            && a->parts[2] == b->parts[2] && a->parts[3] == b->parts[3]);
}

/* UUIDs are random, so one word is already a good hash. */
static inline uint32_t
uuid_hash(const struct uuid *uuid)
{
    return uuid->parts[0];
}

#endif /* lib/uuid.h */
