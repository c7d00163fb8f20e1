/* Fuzz target for the JSON parser and values (lib/json.h): parse, then
 *
 *   - the round trip: print (plain, pretty and sorted), parse again, and
 *     check the values are equal and hash equal;
 *   - clone: json_deep_clone() gives an equal value, which can grow;
 *   - build: the same value built member by member with json_array_add()
 *     and json_object_put() is equal, every member of every object is
 *     found by name, and stealing half the members of each object and
 *     putting them back in reverse order (which drops and rebuilds an
 *     object's index and may compact its names) keeps it equal. */
#include <stdint.h>
#include <stdlib.h>

#include "lib/json.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Returns a copy of 'json' made through the construction API, checking
 * lookups by name on the way. */
static struct json *
rebuild(const struct json *json)
{
    switch (json->type) {
    case JSON_ARRAY: {
        struct json *copy = json_array_create_empty();
        for (size_t i = 0; i < json_array_size(json); i++) {
            json_array_add(copy, rebuild(json_array_at(json, i)));
        }
        return copy;
    }
    case JSON_OBJECT: {
        struct json *copy = json_object_create();
        const struct json_member *m;
        JSON_OBJECT_FOR_EACH (m, json) {
            ASSERT(json_object_find(json, m->name) == m->value);
            json_object_put(copy, m->name, rebuild(m->value));
        }
        ASSERT(json_object_size(copy) == json_object_size(json));
        return copy;
    }
    case JSON_STRING:
        return json_string_create_buffer(json_string(json),
                                         json->string.length);
    case JSON_INTEGER:
        return json_integer_create(json_integer(json));
    case JSON_REAL:
        return json_real_create(json_real(json));
    case JSON_NULL:
        return json_null_create();
    case JSON_FALSE:
    case JSON_TRUE:
        return json_boolean_create(json_boolean(json));
    }
    NOT_REACHED();
}

/* Steals every other member of each object in 'json' (built by rebuild())
 * and puts it back. */
static void
shuffle(struct json *json)
{
    if (json_is_array(json)) {
        for (size_t i = 0; i < json_array_size(json); i++) {
            shuffle(json_array_at(json, i));
        }
    } else if (json_is_object(json)) {
        size_t n = json_object_size(json);
        char **names = xmalloc((n + 1) * sizeof *names);
        for (size_t i = 0; i < n; i++) {
            const struct json_member *m = &json->object.members[i];
            names[i] = xstrdup(m->name);
            shuffle(m->value);
        }
        struct json **values = xmalloc((n + 1) * sizeof *values);
        for (size_t i = 0; i < n; i += 2) {
            values[i] = json_object_steal(json, names[i]);
            ASSERT(values[i]);
            ASSERT(!json_object_find(json, names[i]));
        }
        ASSERT(json_object_size(json) == n / 2);
        for (size_t i = (n - 1) & ~(size_t) 1; i < n; i -= 2) {
            json_object_put(json, names[i], values[i]);
            ASSERT(json_object_find(json, names[i]) == values[i]);
        }
        ASSERT(json_object_size(json) == n);
        free(values);
        for (size_t i = 0; i < n; i++) {
            ASSERT(json_object_find(json, names[i]));
            free(names[i]);
        }
        free(names);
    }
}

/* Grows a clone of 'json' (a clone keeps its elements or members in its
 * own block, which growing moves them out of) and checks it. */
static void
check_grow(const struct json *json)
{
    struct json *clone = json_deep_clone(json);
    if (json_is_array(clone)) {
        size_t n = json_array_size(json);
        json_array_add(clone, json_null_create());
        ASSERT(json_array_size(clone) == n + 1);
        ASSERT(json_is_null(json_array_at(clone, n)));
        for (size_t i = 0; i < n; i++) {
            ASSERT(json_equal(json_array_at(clone, i),
                              json_array_at(json, i)));
        }
    } else if (json_is_object(clone)) {
        /* Replacing every value by an equal one changes nothing. */
        const struct json_member *m;
        JSON_OBJECT_FOR_EACH (m, json) {
            json_object_put(clone, m->name, json_ref(m->value));
        }
        ASSERT(json_equal(json, clone));

        static const char name[] = "fuzz-json";
        size_t n = json_object_size(json) + !json_object_find(json, name);
        json_object_put(clone, name, json_null_create());
        ASSERT(json_object_size(clone) == n);
        ASSERT(json_is_null(json_object_find(clone, name)));
    }
    json_unref(clone);
}

/* Checks that 'json' printed with 'flags' parses back equal. */
static void
check_round_trip(const struct json *json, int flags)
{
    char *text = json_to_string(json, flags);
    struct json *again;
    char *error = json_from_string(text, &again);
    ASSERT(!error);
    ASSERT(json_equal(json, again));
    ASSERT(json_equal(again, json));
    ASSERT(json_hash(json, 0) == json_hash(again, 0));
    json_unref(again);
    free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json *json;
    char *error = json_from_buffer((const char *) data, size, &json);
    if (error) {
        free(error);
        return 0;
    }

    check_round_trip(json, 0);
    check_round_trip(json, JSON_PRETTY | JSON_SORT);

    struct json *clone = json_deep_clone(json);
    ASSERT(json_equal(json, clone));
    ASSERT(json_hash(json, 0) == json_hash(clone, 0));
    json_unref(clone);
    check_grow(json);

    struct json *built = rebuild(json);
    ASSERT(json_equal(json, built));
    shuffle(built);
    ASSERT(json_equal(json, built));
    ASSERT(json_equal(built, json));
    ASSERT(json_hash(json, 0) == json_hash(built, 0));
    check_round_trip(built, 0);
    json_unref(built);

    json_unref(json);
    return 0;
}
