/* UUID generation uses a per-process random key fed through a counter, so
 * generating one costs no system call after the first. */
#include "lib/uuid.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "lib/util.h"

static uint64_t uuid_state[2];
static bool uuid_seeded;

/* xorshift128+: fast, and seeded from the kernel's entropy. */
static uint64_t
uuid_next64(void)
{
    uint64_t s1 = uuid_state[0];
    const uint64_t s0 = uuid_state[1];
    uuid_state[0] = s0;
    s1 ^= s1 << 23;
    uuid_state[1] = s1 ^ s0 ^ (s1 >> 18) ^ (s0 >> 5);
    return uuid_state[1] + s0;
}

void
uuid_generate(struct uuid *uuid)
{
    if (!uuid_seeded) {
        if (getrandom(uuid_state, sizeof uuid_state, 0)
            != sizeof uuid_state) {
            uuid_state[0] = time_wall_msec();
            uuid_state[1] = (uintptr_t) &uuid_state ^ time_msec();
        }
        uuid_state[0] |= 1;
        uuid_seeded = true;
    }
    uint64_t hi = uuid_next64(), lo = uuid_next64();
    uuid->parts[0] = hi >> 32;
    /* Version 4 (random) and the RFC 4122 variant bits. */
    uuid->parts[1] = ((uint32_t) hi & 0xffff0fff) | 0x00004000;
    uuid->parts[2] = ((lo >> 32) & 0x3fffffff) | 0x80000000;
    uuid->parts[3] = (uint32_t) lo;
}

void
uuid_zero(struct uuid *uuid)
{
    memset(uuid, 0, sizeof *uuid);
}

bool
uuid_is_zero(const struct uuid *uuid)
{
    return !(uuid->parts[0] | uuid->parts[1] | uuid->parts[2]
             | uuid->parts[3]);
}

int
uuid_compare(const struct uuid *a, const struct uuid *b)
{
    for (int i = 0; i < 4; i++) {
        if (a->parts[i] != b->parts[i]) {
            return a->parts[i] > b->parts[i] ? 1 : -1;
        }
    }
    return 0;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Parses exactly 'length' bytes at 's' as a UUID in 8-4-4-4-12 form. */
bool
uuid_from_buffer(struct uuid *uuid, const char *s, size_t length)
{
    if (length != UUID_LEN) {
        return false;
    }
    uint32_t parts[4] = { 0, 0, 0, 0 };
    int nibble = 0;
    for (size_t i = 0; i < UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return false;
            }
            continue;
        }
        int v = hex_value(s[i]);
        if (v < 0) {
            return false;
        }
        parts[nibble / 8] = (parts[nibble / 8] << 4) | v;
        nibble++;
    }
    memcpy(uuid->parts, parts, sizeof parts);
    return true;
}

bool
uuid_from_string(struct uuid *uuid, const char *s)
{
    return uuid_from_buffer(uuid, s, strlen(s));
}

/* Returns true if 's' could be the start of a UUID (at least four hex
 * digits, with dashes only where a UUID has them), as CLIs accept. */
bool
uuid_is_partial_string(const char *s)
{
    size_t i;
    for (i = 0; s[i]; i++) {
        if (i >= UUID_LEN) {
            return false;
        }
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : hex_value(s[i]) < 0) {
            return false;
        }
    }
    return i >= 4;
}

/* Formats 'uuid' into 'out' in 8-4-4-4-12 form, null-terminated.  By hand,
 * not with snprintf(): servers print UUIDs by the million. */
void
uuid_to_buffer(const struct uuid *uuid, char out[UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < 4; i++) {
        uint32_t word = uuid->parts[i];
        for (int shift = 28; shift >= 0; shift -= 4) {
            *p++ = hex[(word >> shift) & 15];
            /* Dashes after hex digits 8, 12, 16 and 20. */
            size_t n = p - out;
            if (n == 8 || n == 13 || n == 18 || n == 23) {
                *p++ = '-';
            }
        }
    }
    *p = '\0';
}
