/* Fuzz target for JSON-RPC framing and message parsing: the input is a byte
 * stream as a server would receive it, fed in two pieces split at a point
 * the input chooses.  Every message parsed must serialize and parse back to
 * an equal message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/jsonrpc.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_message(struct jsonrpc_msg *msg, void *aux)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    jsonrpc_msg_to_ds(msg, &ds);

    struct json *json;
    char *error = json_from_buffer(ds.string, ds.length, &json);
    ASSERT(!error);
    struct jsonrpc_msg *back;
    error = jsonrpc_msg_from_json(json, &back);
    ASSERT(!error);
    ASSERT(back->type == msg->type);

    struct json *a = jsonrpc_msg_to_json(msg);
    struct json *b = jsonrpc_msg_to_json(back);
    ASSERT(json_equal(a, b));
    json_unref(a);
    json_unref(b);
    jsonrpc_msg_destroy(back);
    jsonrpc_msg_destroy(msg);
    ds_uninit(&ds);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) {
        return 0;
    }
    size_t split = data[0] % size;
    data++;
    size--;
    if (split > size) {
        split = size;
    }

    struct jsonrpc_parser parser;
    struct ds buf = DS_EMPTY_INITIALIZER;
    char *error = NULL;

    jsonrpc_parser_init(&parser);
    parser.max_msg_size = 1 << 20;
    ds_put_buffer(&buf, (const char *) data, split);
    int status = jsonrpc_parser_run(&parser, &buf, check_message, NULL,
                                    &error);
    if (!status) {
        ds_put_buffer(&buf, (const char *) data + split, size - split);
        status = jsonrpc_parser_run(&parser, &buf, check_message, NULL,
                                    &error);
    }
    free(error);
    ds_uninit(&buf);
    return 0;
}
