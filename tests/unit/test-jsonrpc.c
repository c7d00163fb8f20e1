/* Unit tests for lib/jsonrpc.h: message codec and stream parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/jsonrpc.h"

static void
collect(struct jsonrpc_msg *msg, void *list_)
{
    struct jsonrpc_msg **list = list_;
    for (int i = 0; i < 8; i++) {
        if (!list[i]) {
            list[i] = msg;
            return;
        }
    }
    jsonrpc_msg_destroy(msg);
}

static void
test_jsonrpc_classifies_messages(void **state)
{
    static const struct {
        const char *text;
        int type;               /* -1: invalid. */
    } cases[] = {
        { "{\"method\":\"echo\",\"params\":[],\"id\":1}", JSONRPC_REQUEST },
        { "{\"method\":\"update\",\"params\":[1],\"id\":null}",
          JSONRPC_NOTIFY },
        { "{\"result\":{},\"error\":null,\"id\":\"x\"}", JSONRPC_REPLY },
        { "{\"result\":null,\"error\":\"bad\",\"id\":2}", JSONRPC_ERROR },
        { "[1,2]", -1 },
        { "{\"method\":1,\"params\":[],\"id\":1}", -1 },
        { "{\"method\":\"x\",\"params\":{},\"id\":1}", -1 },
        { "{\"result\":1,\"error\":null}", -1 },
        { "{\"result\":1,\"error\":2,\"id\":3}", -1 },
        { "{\"method\":\"x\",\"params\":[],\"id\":1,\"extra\":0}", -1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct json *json;
        char *error = json_from_string(cases[i].text, &json);
        assert_null(error);
        struct jsonrpc_msg *msg;
        error = jsonrpc_msg_from_json(json, &msg);
        if (cases[i].type < 0) {
            assert_non_null(error);
            assert_null(msg);
            free(error);
        } else {
            if (error) {
                fail_msg("%s: %s", cases[i].text, error);
            }
            assert_int_equal(msg->type, cases[i].type);
            jsonrpc_msg_destroy(msg);
        }
    }
}

static void
test_jsonrpc_serialize_round_trip(void **state)
{
    struct jsonrpc_msg *msgs[] = {
        jsonrpc_msg_create_request(
            "transact", json_array_create_1(json_string_create("db")),
            json_integer_create(7)),
        jsonrpc_msg_create_notify("update",
                                  json_array_create_1(json_null_create())),
        jsonrpc_msg_create_reply(json_object_create(), NULL),
        jsonrpc_msg_create_error(json_string_create("oops"), NULL),
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        struct ds ds = DS_EMPTY_INITIALIZER;
        jsonrpc_msg_to_ds(msgs[i], &ds);

        struct json *json;
        assert_null(json_from_string(ds_cstr(&ds), &json));
        struct json *expected = jsonrpc_msg_to_json(msgs[i]);
        assert_true(json_equal(json, expected));
        json_unref(expected);

        struct jsonrpc_msg *back;
        assert_null(jsonrpc_msg_from_json(json, &back));
        assert_int_equal(back->type, msgs[i]->type);
        jsonrpc_msg_destroy(back);
        jsonrpc_msg_destroy(msgs[i]);
        ds_uninit(&ds);
    }
}

static void
test_jsonrpc_parser_handles_partial_input(void **state)
{
    const char *text = "{\"method\":\"echo\",\"params\":[\"}\"],\"id\":1}"
                       "{\"method\":\"echo\",\"params\":[],\"id\":2}{\"meth";
    struct jsonrpc_parser p;
    struct jsonrpc_msg *got[8] = { NULL };
    struct ds buf = DS_EMPTY_INITIALIZER;
    char *error;

    jsonrpc_parser_init(&p);
    /* Feed in 5-byte pieces, as a slow socket would. */
    for (size_t i = 0; i < strlen(text); i += 5) {
        size_t n = strlen(text) - i < 5 ? strlen(text) - i : 5;
        ds_put_buffer(&buf, text + i, n);
        assert_int_equal(jsonrpc_parser_run(&p, &buf, collect, got, &error),
                         0);
    }
    assert_non_null(got[0]);
    assert_non_null(got[1]);
    assert_null(got[2]);
    assert_int_equal(json_integer(got[1]->id), 2);
    assert_string_equal(ds_cstr(&buf), "{\"meth");
    jsonrpc_msg_destroy(got[0]);
    jsonrpc_msg_destroy(got[1]);
    ds_uninit(&buf);
}

static void
test_jsonrpc_parser_rejects_garbage_and_oversize(void **state)
{
    struct jsonrpc_parser p;
    struct jsonrpc_msg *got[8] = { NULL };
    struct ds buf = DS_EMPTY_INITIALIZER;
    char *error;

    jsonrpc_parser_init(&p);
    ds_put_cstr(&buf, "hello");
    assert_int_equal(jsonrpc_parser_run(&p, &buf, collect, got, &error),
                     -EPROTO);
    free(error);

    jsonrpc_parser_init(&p);
    p.max_msg_size = 16;
    ds_clear(&buf);
    ds_put_cstr(&buf, "{\"method\":\"echo\",\"params\":[\"");
    assert_int_equal(jsonrpc_parser_run(&p, &buf, collect, got, &error),
                     -EMSGSIZE);
    free(error);

    jsonrpc_parser_init(&p);
    ds_clear(&buf);
    ds_put_cstr(&buf, "{\"method\":\"echo\",\"params\":[],\"id\":1,}");
    assert_int_equal(jsonrpc_parser_run(&p, &buf, collect, got, &error),
                     -EPROTO);
    assert_non_null(error);
    free(error);
    assert_null(got[0]);
    ds_uninit(&buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonrpc_classifies_messages),
        cmocka_unit_test(test_jsonrpc_serialize_round_trip),
        cmocka_unit_test(test_jsonrpc_parser_handles_partial_input),
        cmocka_unit_test(test_jsonrpc_parser_rejects_garbage_and_oversize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
