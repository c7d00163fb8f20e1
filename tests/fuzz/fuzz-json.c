/* Fuzz target for the JSON parser: parse, print, parse again, and check the
 * two values are equal (the round trip). */
#include <stdint.h>
#include <stdlib.h>

#include "lib/json.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json *json;
    char *error = json_from_buffer((const char *) data, size, &json);
    if (error) {
        free(error);
        return 0;
    }

    char *text = json_to_string(json, 0);
    struct json *again;
    error = json_from_string(text, &again);
    ASSERT(!error);
    ASSERT(json_equal(json, again));
    ASSERT(json_hash(json, 0) == json_hash(again, 0));

    json_unref(again);
    free(text);
    json_unref(json);
    return 0;
}
