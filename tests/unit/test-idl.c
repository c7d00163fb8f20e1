/* Unit tests for ovsdb/idl.h: the protocol core of a detached IDL, driven
 * by hand-written server messages (no socket, no loop).  They check the
 * requests the IDL sends, how it applies update/update2/update3 to the
 * replica, change tracking, conditions, the JSON of transactions and how
 * their replies are read, locks and the inactivity probe.
 *
 * JSON in this file is written with single quotes for readability; j()
 * turns them into double quotes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/log.h"
#include "lib/uuid.h"
#include "ovsdb/idl-private.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"

static const char schema_text[] =
    "{'name':'Idl','version':'1.0.0','tables':{"
    "'A':{'isRoot':true,'columns':{"
    "'name':{'type':'string'},"
    "'i':{'type':'integer'},"
    "'b':{'type':'boolean'},"
    "'s':{'type':{'key':'string','min':0,'max':'unlimited'}},"
    "'m':{'type':{'key':'string','value':'string','min':0,"
    "'max':'unlimited'}},"
    "'os':{'type':{'key':'string','min':0,'max':1}},"
    "'refs':{'type':{'key':{'type':'uuid','refTable':'B'},'min':0,"
    "'max':'unlimited'}}}},"
    "'B':{'isRoot':true,'columns':{"
    "'name':{'type':'string'},'n':{'type':'integer'}}}}}";

#define U1 "11111111-1111-1111-1111-111111111111"
#define U2 "22222222-2222-2222-2222-222222222222"
#define U3 "33333333-3333-3333-3333-333333333333"
#define UB "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
#define TXN1 "aaaaaaaa-0000-0000-0000-000000000001"
#define TXN2 "aaaaaaaa-0000-0000-0000-000000000002"
#define ZERO "00000000-0000-0000-0000-000000000000"

/* The "where" that selects one row by UUID. */
#define WHERE(U) "[['_uuid','==',['uuid','" U "']]]"
#define W_U1 WHERE(U1)
#define W_U2 WHERE(U2)
#define W_UB WHERE(UB)

/* Parses 'text', JSON with ' for ", failing the test if it is bad. */
static struct json *
j(const char *text)
{
    char *s = xstrdup(text);
    for (char *p = s; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    struct json *json;
    char *error = json_from_string(s, &json);
    if (error) {
        fail_msg("bad JSON in test: %s: %s", s, error);
    }
    free(s);
    return json;
}

static void
assert_json(const struct json *actual, const char *expected_text)
{
    struct json *expected = j(expected_text);
    if (!json_equal(actual, expected)) {
        char *a = json_to_string(actual, JSON_SORT);
        char *e = json_to_string(expected, JSON_SORT);
        fail_msg("JSON mismatch:\n  actual   %s\n  expected %s", a, e);
    }
    json_unref(expected);
}

/* One IDL on the test schema, replicating every column of A and B. */
struct fx {
    struct idl *idl;
    struct idl_table *a, *b;
    const struct idl_column *a_name, *a_i, *a_b, *a_s, *a_m, *a_os,
        *a_refs, *b_name, *b_n;
    int n_changes;              /* Change callbacks so far. */
    struct jsonrpc_msg *queue[32]; /* Sent, not yet examined. */
    size_t n_queue;             /* Number in 'queue'. */
};

static void
change_cb(struct idl *idl, void *fx_)
{
    struct fx *fx = fx_;
    fx->n_changes++;
}

/* Moves what the IDL sent into 'fx''s queue. */
static void
fx_collect(struct fx *fx)
{
    struct jsonrpc_msg *msg;
    while ((msg = idl__pop_sent(fx->idl))) {
        ASSERT(fx->n_queue < ARRAY_SIZE(fx->queue));
        fx->queue[fx->n_queue++] = msg;
    }
}

/* Removes and returns the oldest message the IDL sent that is a request
 * whose method starts with 'method' (all of it unless 'prefix'), or
 * NULL. */
static struct jsonrpc_msg *
fx_take(struct fx *fx, const char *method, bool prefix)
{
    fx_collect(fx);
    for (size_t i = 0; i < fx->n_queue; i++) {
        struct jsonrpc_msg *msg = fx->queue[i];
        if (msg->type == JSONRPC_REQUEST
            && (prefix ? !strncmp(msg->method, method, strlen(method))
                       : !strcmp(msg->method, method))) {
            memmove(&fx->queue[i], &fx->queue[i + 1],
                    (fx->n_queue - i - 1) * sizeof *fx->queue);
            fx->n_queue--;
            return msg;
        }
    }
    return NULL;
}

/* Returns the oldest request for 'method' the IDL sent, failing the test
 * if there is none; the caller frees it. */
static struct jsonrpc_msg *
expect_request(struct fx *fx, const char *method)
{
    struct jsonrpc_msg *msg = fx_take(fx, method, false);
    if (!msg) {
        fail_msg("expected a %s request, none sent", method);
    }
    return msg;
}

static void
expect_nothing_sent(struct fx *fx)
{
    fx_collect(fx);
    if (fx->n_queue) {
        struct jsonrpc_msg *msg = fx->queue[0];
        fail_msg("unexpected message: %s %s",
                 jsonrpc_msg_type_to_string(msg->type),
                 msg->method ? msg->method : "");
    }
}

static void
reply(struct fx *fx, const struct jsonrpc_msg *req, const char *result)
{
    idl__receive(fx->idl, jsonrpc_msg_create_reply(j(result), req->id));
}

static void
reply_error(struct fx *fx, const struct jsonrpc_msg *req, const char *error)
{
    idl__receive(fx->idl, jsonrpc_msg_create_error(j(error), req->id));
}

static void
notify(struct fx *fx, const char *method, const char *params)
{
    idl__receive(fx->idl, jsonrpc_msg_create_notify(method, j(params)));
}

static struct fx *
fx_create(void)
{
    struct fx *fx = xzalloc(sizeof *fx);
    fx->idl = idl__create_detached("Idl");
    idl_set_change_callback(fx->idl, change_cb, fx);
    fx->a = idl_add_table(fx->idl, "A");
    fx->a_name = idl_add_column(fx->a, "name");
    fx->a_i = idl_add_column(fx->a, "i");
    fx->a_b = idl_add_column(fx->a, "b");
    fx->a_s = idl_add_column(fx->a, "s");
    fx->a_m = idl_add_column(fx->a, "m");
    fx->a_os = idl_add_column(fx->a, "os");
    fx->a_refs = idl_add_column(fx->a, "refs");
    fx->b = idl_add_table(fx->idl, "B");
    idl_add_all_columns(fx->b);
    return fx;
}

static void
fx_destroy(struct fx *fx)
{
    fx_collect(fx);
    for (size_t i = 0; i < fx->n_queue; i++) {
        jsonrpc_msg_destroy(fx->queue[i]);
    }
    idl_destroy(fx->idl);
    free(fx);
}

/* Connects and answers get_schema; returns the monitor request. */
static struct jsonrpc_msg *
fx_connect(struct fx *fx)
{
    idl__connected(fx->idl);
    struct jsonrpc_msg *req = expect_request(fx, "get_schema");
    assert_json(req->params, "['Idl']");
    reply(fx, req, schema_text);
    jsonrpc_msg_destroy(req);
    fx->b_name = idl_table_find_column(fx->b, "name");
    fx->b_n = idl_table_find_column(fx->b, "n");
    assert_non_null(fx->b_name);
    assert_non_null(fx->b_n);
    return fx_take(fx, "monitor", true);
}

/* Two rows of A and one of B, as a <table-updates2> of "initial"s. */
static const char initial_rows[] =
    "{'A':{'" U1 "':{'initial':{'name':'one','i':1,'s':['set',['x','y']],"
    "'m':['map',[['k1','v1'],['k2','v2']]],'refs':['uuid','" UB "']}},"
    "'" U2 "':{'initial':{'name':'two','i':2,'os':'opt'}}},"
    "'B':{'" UB "':{'initial':{'name':'bee','n':7}}}}";

/* Connects and syncs with 'initial_rows' through monitor_cond_since. */
static void
fx_sync(struct fx *fx)
{
    struct jsonrpc_msg *req = fx_connect(fx);
    assert_non_null(req);
    assert_string_equal(req->method, "monitor_cond_since");
    char result[4096];
    snprintf(result, sizeof result, "[false,'%s',%s]", TXN1, initial_rows);
    reply(fx, req, result);
    jsonrpc_msg_destroy(req);
    assert_true(idl_has_synced(fx->idl));
}

static const struct idl_row *
find(const struct idl_table *table, const char *uuid_s)
{
    struct uuid uuid;
    assert_true(uuid_from_string(&uuid, uuid_s));
    return idl_row_find(table, &uuid);
}

static size_t
n_tracked(const struct idl_table *table)
{
    size_t n = 0;
    const struct idl_row *row;
    IDL_FOR_EACH_TRACKED (row, table) {
        n++;
    }
    return n;
}

/* Returns the elements of a set of strings as "a,b,c". */
static char *
set_string(const struct datum *d)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < d->n; i++) {
        ds_put_format(&ds, "%s%s", i ? "," : "", d->keys[i].string);
        if (d->values) {
            ds_put_format(&ds, "=%s", d->values[i].string);
        }
    }
    return ds_steal_cstr(&ds);
}

static void
assert_set(const struct idl_row *row, const struct idl_column *column,
           const char *expected)
{
    char *s = set_string(idl_row_get(row, column));
    assert_string_equal(s, expected);
    free(s);
}

/* Tests. */

static void
test_idl_monitor_request_lists_columns(void **state)
{
    struct fx *fx = fx_create();
    struct jsonrpc_msg *req = fx_connect(fx);
    assert_string_equal(req->method, "monitor_cond_since");
    assert_json(req->params,
                "['Idl','idl1',{"
                "'A':[{'columns':['name','i','b','s','m','os','refs']}],"
                "'B':[{'columns':['name','n']}]},'" ZERO "']");
    jsonrpc_msg_destroy(req);
    assert_false(idl_has_synced(fx->idl));
    assert_true(idl_is_connected(fx->idl));
    fx_destroy(fx);
}

static void
test_idl_initial_sync_fills_replica(void **state)
{
    struct fx *fx = fx_create();
    uint64_t seqno = idl_seqno(fx->idl);
    fx_sync(fx);
    assert_true(idl_seqno(fx->idl) != seqno);
    assert_true(fx->n_changes > 0);
    assert_int_equal(idl_table_count(fx->a), 2);
    assert_int_equal(idl_table_count(fx->b), 1);

    const struct idl_row *one = find(fx->a, U1);
    assert_non_null(one);
    assert_string_equal(idl_row_get_string(one, fx->a_name), "one");
    assert_int_equal(idl_row_get_integer(one, fx->a_i, -1), 1);
    assert_false(idl_row_get_boolean(one, fx->a_b, true));
    assert_set(one, fx->a_s, "x,y");
    assert_string_equal(idl_row_get_map_string(one, fx->a_m, "k2"), "v2");
    assert_null(idl_row_get_map_string(one, fx->a_m, "k3"));
    assert_null(idl_row_get_string(one, fx->a_os));
    assert_int_equal(idl_row_get(one, fx->a_refs)->n, 1);

    const struct idl_row *two = find(fx->a, U2);
    assert_string_equal(idl_row_get_string(two, fx->a_os), "opt");
    assert_int_equal(idl_row_get(two, fx->a_s)->n, 0);

    /* The initial rows are all tracked as new. */
    assert_int_equal(n_tracked(fx->a), 2);
    assert_true(idl_row_is_new(one));
    assert_true(idl_row_column_changed(one, fx->a_i));

    struct idl_stats stats;
    idl_get_stats(fx->idl, &stats);
    assert_int_equal(stats.n_full_syncs, 1);
    assert_int_equal(stats.n_resumes, 0);
    fx_destroy(fx);
}

static void
test_idl_update2_applies_insert_modify_delete(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    uint64_t seqno = idl_seqno(fx->idl);

    /* Set diff: x leaves, z arrives.  Map diff: k1 removed (pair equal),
     * k2 gets a new value, k3 added.  Scalars: the new value.  The
     * optional scalar of U2 loses its value: like a scalar, it carries
     * its new value, the empty set (as ovsdb-server sends it). */
    notify(fx, "update2",
           "['idl1',{'A':{"
           "'" U1 "':{'modify':{'i':10,'s':['set',['x','z']],"
           "'m':['map',[['k1','v1'],['k2','new'],['k3','v3']]]}},"
           "'" U2 "':{'modify':{'os':['set',[]]}},"
           "'" U3 "':{'insert':{'name':'three'}}},"
           "'B':{'" UB "':{'delete':null}}}]");
    assert_true(idl_seqno(fx->idl) != seqno);

    const struct idl_row *one = find(fx->a, U1);
    assert_int_equal(idl_row_get_integer(one, fx->a_i, -1), 10);
    assert_set(one, fx->a_s, "y,z");
    assert_set(one, fx->a_m, "k2=new,k3=v3");
    assert_string_equal(idl_row_get_string(one, fx->a_name), "one");
    assert_null(idl_row_get_string(find(fx->a, U2), fx->a_os));
    assert_string_equal(idl_row_get_string(find(fx->a, U3), fx->a_name),
                        "three");
    assert_null(find(fx->b, UB));

    /* Tracking covers this batch only (no idl_track_enable()). */
    assert_int_equal(n_tracked(fx->a), 3);
    assert_true(idl_row_is_modified(one));
    assert_false(idl_row_is_new(one));
    assert_true(idl_row_column_changed(one, fx->a_i));
    assert_true(idl_row_column_changed(one, fx->a_s));
    assert_true(idl_row_column_changed(one, fx->a_m));
    assert_false(idl_row_column_changed(one, fx->a_name));
    assert_true(idl_row_is_new(find(fx->a, U3)));

    /* The deleted row stays readable until the tracking is cleared. */
    const struct idl_row *bee = idl_track_first(fx->b);
    assert_non_null(bee);
    assert_true(idl_row_is_deleted(bee));
    assert_string_equal(idl_row_get_string(bee, fx->b_name), "bee");
    assert_int_equal(idl_row_get_integer(bee, fx->b_n, 0), 7);
    idl_track_clear(fx->idl);
    assert_null(idl_track_first(fx->b));
    assert_int_equal(n_tracked(fx->a), 0);
    assert_false(idl_row_is_modified(one));
    fx_destroy(fx);
}

static void
test_idl_tracking_accumulates_when_enabled(void **state)
{
    struct fx *fx = fx_create();
    idl_track_enable(fx->idl);
    fx_sync(fx);
    idl_track_clear(fx->idl);

    notify(fx, "update3", "['idl1','" TXN2 "',{'A':{'" U1 "':"
           "{'modify':{'i':5}}}}]");
    notify(fx, "update3", "['idl1','" TXN2 "',{'A':{'" U2 "':"
           "{'modify':{'name':'deux'}}}}]");
    assert_int_equal(n_tracked(fx->a), 2);
    assert_true(idl_row_column_changed(find(fx->a, U1), fx->a_i));
    assert_true(idl_row_column_changed(find(fx->a, U2), fx->a_name));
    assert_false(idl_row_column_changed(find(fx->a, U2), fx->a_i));

    /* A modify that changes nothing is not a change. */
    idl_track_clear(fx->idl);
    uint64_t seqno = idl_seqno(fx->idl);
    notify(fx, "update3", "['idl1','" TXN2 "',{'A':{'" U1 "':"
           "{'modify':{'i':5}}}}]");
    assert_int_equal(n_tracked(fx->a), 0);
    assert_true(idl_seqno(fx->idl) == seqno);
    fx_destroy(fx);
}

/* idl_row_get_diff(): what a set column gained and lost, accumulated
 * across updates until the tracking is cleared. */
static void
test_idl_tracks_set_diffs(void **state)
{
    struct fx *fx = fx_create();
    idl_track_enable(fx->idl);
    idl_track_column_diffs(fx->a_s);
    fx_sync(fx);
    idl_track_clear(fx->idl);

    /* s is x,y: x goes, z comes; then z goes again and w comes. */
    notify(fx, "update2", "['idl1',{'A':{'" U1 "':"
           "{'modify':{'s':['set',['x','z']],'i':3}}}}]");
    const struct idl_row *one = find(fx->a, U1);
    const struct datum *d = idl_row_get_diff(one, fx->a_s);
    assert_non_null(d);
    assert_int_equal(d->n, 2);
    notify(fx, "update2", "['idl1',{'A':{'" U1 "':"
           "{'modify':{'s':['set',['z','w']]}}}}]");
    assert_set(one, fx->a_s, "w,y");
    d = idl_row_get_diff(one, fx->a_s);
    assert_non_null(d);
    assert_int_equal(d->n, 2);      /* z came and went: cancelled. */
    assert_string_equal(d->keys[0].string, "w");
    assert_string_equal(d->keys[1].string, "x");
    /* Columns without diff tracking have none. */
    assert_null(idl_row_get_diff(one, fx->a_i));

    /* After a clear: an unchanged column has an empty difference. */
    idl_track_clear(fx->idl);
    notify(fx, "update2", "['idl1',{'A':{'" U1 "':"
           "{'modify':{'i':4}}}}]");
    d = idl_row_get_diff(one, fx->a_s);
    assert_non_null(d);
    assert_int_equal(d->n, 0);

    /* A new row's difference is not known. */
    notify(fx, "update2", "['idl1',{'A':{'" U3 "':"
           "{'insert':{'name':'three','s':'q'}}}}]");
    assert_null(idl_row_get_diff(find(fx->a, U3), fx->a_s));
    fx_destroy(fx);
}

/* A diff of a few elements of a large set is applied in place: the set
 * stays sorted and exact, and the tracked difference accumulates as for
 * any update. */
static void
test_idl_small_diff_of_big_set(void **state)
{
    struct fx *fx = fx_create();
    idl_track_enable(fx->idl);
    idl_track_column_diffs(fx->a_s);
    fx_sync(fx);

    /* s is x,y; make it x,y and e00..e39. */
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "['idl1',{'A':{'" U1 "':{'modify':{'s':['set',[");
    for (int i = 0; i < 40; i++) {
        ds_put_format(&ds, "%s'e%02d'", i ? "," : "", i);
    }
    ds_put_cstr(&ds, "]]}}}}]");
    notify(fx, "update2", ds_cstr(&ds));
    ds_uninit(&ds);
    idl_track_clear(fx->idl);
    const struct idl_row *one = find(fx->a, U1);
    assert_int_equal(idl_row_get(one, fx->a_s)->n, 42);

    /* e05 and x go, a and e055 come. */
    notify(fx, "update2", "['idl1',{'A':{'" U1 "':"
           "{'modify':{'s':['set',['e05','x','a','e055']]}}}}]");
    const struct datum *s = idl_row_get(one, fx->a_s);
    assert_int_equal(s->n, 42);
    assert_string_equal(s->keys[0].string, "a");
    assert_string_equal(s->keys[1].string, "e00");
    assert_string_equal(s->keys[5].string, "e04");
    assert_string_equal(s->keys[6].string, "e055");
    assert_string_equal(s->keys[7].string, "e06");
    assert_string_equal(s->keys[41].string, "y");
    for (size_t i = 1; i < s->n; i++) {
        assert_true(strcmp(s->keys[i - 1].string, s->keys[i].string) < 0);
    }
    assert_true(idl_row_is_modified(one));
    assert_true(idl_row_column_changed(one, fx->a_s));
    const struct datum *d = idl_row_get_diff(one, fx->a_s);
    assert_non_null(d);
    assert_int_equal(d->n, 4);

    /* a goes again: the difference cancels it. */
    notify(fx, "update2", "['idl1',{'A':{'" U1 "':"
           "{'modify':{'s':'a'}}}}]");
    assert_int_equal(idl_row_get(one, fx->a_s)->n, 41);
    assert_string_equal(idl_row_get(one, fx->a_s)->keys[0].string, "e00");
    d = idl_row_get_diff(one, fx->a_s);
    assert_int_equal(d->n, 3);
    fx_destroy(fx);
}

static void
test_idl_resume_with_last_txn_id(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    notify(fx, "update3", "['idl1','" TXN2 "',{'A':{'" U1 "':"
           "{'modify':{'i':3}}}}]");
    idl__disconnected(fx->idl, 0);
    assert_false(idl_has_synced(fx->idl));
    assert_int_equal(idl_table_count(fx->a), 2);

    /* Asks for what changed after TXN2, and applies just that. */
    struct jsonrpc_msg *req = fx_connect(fx);
    assert_string_equal(req->method, "monitor_cond_since");
    assert_string_equal(json_string(json_array_at(req->params, 3)), TXN2);
    idl_track_clear(fx->idl);
    reply(fx, req, "[true,'" TXN1 "',{'A':{'" U2 "':{'modify':{'i':20}}}}]");
    jsonrpc_msg_destroy(req);
    assert_true(idl_has_synced(fx->idl));
    assert_int_equal(idl_table_count(fx->a), 2);
    assert_int_equal(idl_row_get_integer(find(fx->a, U1), fx->a_i, 0), 3);
    assert_int_equal(idl_row_get_integer(find(fx->a, U2), fx->a_i, 0), 20);
    assert_int_equal(n_tracked(fx->a), 1);

    struct idl_stats stats;
    idl_get_stats(fx->idl, &stats);
    assert_int_equal(stats.n_resumes, 1);
    assert_int_equal(stats.n_full_syncs, 1);
    assert_int_equal(stats.n_connects, 2);

    /* The next resume starts from the reply's id. */
    idl__disconnected(fx->idl, 0);
    req = fx_connect(fx);
    assert_string_equal(json_string(json_array_at(req->params, 3)), TXN1);
    jsonrpc_msg_destroy(req);
    fx_destroy(fx);
}

static void
test_idl_full_resync_tracks_only_differences(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    idl__disconnected(fx->idl, 0);

    /* found=false: everything again.  U1 unchanged, U2 gone, U3 new, B's
     * row modified. */
    struct jsonrpc_msg *req = fx_connect(fx);
    char result[4096];
    snprintf(result, sizeof result, "[false,'%s',{'A':{'" U1 "':"
             "{'initial':{'name':'one','i':1,'s':['set',['x','y']],"
             "'m':['map',[['k1','v1'],['k2','v2']]],"
             "'refs':['uuid','" UB "']}},"
             "'" U3 "':{'initial':{'name':'three'}}},"
             "'B':{'" UB "':{'initial':{'name':'bee','n':8}}}}]", TXN2);
    reply(fx, req, result);
    jsonrpc_msg_destroy(req);

    assert_int_equal(idl_table_count(fx->a), 2);
    assert_null(find(fx->a, U2));
    const struct idl_row *row;
    int n_new = 0, n_deleted = 0, n_modified = 0;
    IDL_FOR_EACH_TRACKED (row, fx->a) {
        n_new += idl_row_is_new(row);
        n_deleted += idl_row_is_deleted(row);
        n_modified += idl_row_is_modified(row);
    }
    assert_int_equal(n_new, 1);
    assert_int_equal(n_deleted, 1);
    assert_int_equal(n_modified, 0);
    const struct idl_row *bee = find(fx->b, UB);
    assert_true(idl_row_is_modified(bee));
    assert_true(idl_row_column_changed(bee, fx->b_n));
    assert_false(idl_row_column_changed(bee, fx->b_name));
    fx_destroy(fx);
}

static void
test_idl_falls_back_to_older_monitor_methods(void **state)
{
    struct fx *fx = fx_create();
    struct jsonrpc_msg *req = fx_connect(fx);
    assert_string_equal(req->method, "monitor_cond_since");
    reply_error(fx, req, "'unknown method'");
    jsonrpc_msg_destroy(req);

    req = expect_request(fx, "monitor_cond");
    assert_int_equal(json_array_size(req->params), 3);
    reply_error(fx, req, "{'error':'unknown method'}");
    jsonrpc_msg_destroy(req);

    /* "monitor" takes one <monitor-request> per table, not an array. */
    req = expect_request(fx, "monitor");
    assert_json(json_array_at(req->params, 2),
                "{'A':{'columns':['name','i','b','s','m','os','refs']},"
                "'B':{'columns':['name','n']}}");
    reply(fx, req, "{'A':{'" U1 "':{'new':{'name':'one','i':1}}}}");
    jsonrpc_msg_destroy(req);
    assert_true(idl_has_synced(fx->idl));
    assert_int_equal(idl_table_count(fx->a), 1);

    /* v1 "update": "new" is the whole row; "old" alone deletes. */
    notify(fx, "update", "['idl2',{'A':{'" U1 "':{'old':{'i':1},"
           "'new':{'name':'one','i':9}}}}]");
    assert_int_equal(idl_row_get_integer(find(fx->a, U1), fx->a_i, 0), 1);
    notify(fx, "update", "['idl3',{'A':{'" U1 "':{'old':{'i':1},"
           "'new':{'name':'one','i':9}}}}]");
    assert_int_equal(idl_row_get_integer(find(fx->a, U1), fx->a_i, 0), 9);
    assert_true(idl_row_column_changed(find(fx->a, U1), fx->a_i));
    notify(fx, "update", "['idl3',{'A':{'" U1 "':{'old':{'i':9}}}}]");
    assert_int_equal(idl_table_count(fx->a), 0);

    struct idl_stats stats;
    idl_get_stats(fx->idl, &stats);
    assert_string_equal(stats.monitor_method, "monitor");
    fx_destroy(fx);
}

static void
test_idl_condition_change(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    assert_true(idl_condition_is_acked(fx->idl));

    struct json *cond = j("[['name','==','one']]");
    assert_int_equal(idl_set_condition(fx->idl, fx->a, cond), 0);
    json_unref(cond);
    assert_false(idl_condition_is_acked(fx->idl));
    struct jsonrpc_msg *req = expect_request(fx, "monitor_cond_change");
    assert_json(req->params, "['idl1','idl2',{'A':[{'where':"
                "[['name','==','one']]}]}]");

    /* A second change waits for the first's reply. */
    cond = j("[['name','==','two']]");
    assert_int_equal(idl_set_condition(fx->idl, fx->a, cond), 0);
    json_unref(cond);
    expect_nothing_sent(fx);

    /* ovsdb-server sends the update first (new id), then the reply. */
    notify(fx, "update3", "['idl2','" TXN2 "',{'A':{'" U2 "':"
           "{'delete':null}}}]");
    assert_null(find(fx->a, U2));
    reply(fx, req, "{}");
    jsonrpc_msg_destroy(req);

    req = expect_request(fx, "monitor_cond_change");
    assert_json(req->params, "['idl2','idl3',{'A':[{'where':"
                "[['name','==','two']]}]}]");
    reply(fx, req, "{}");
    jsonrpc_msg_destroy(req);
    /* kiln-db sends the reply first, then the update. */
    notify(fx, "update3", "['idl3','" TXN2 "',{'A':{"
           "'" U1 "':{'delete':null},"
           "'" U2 "':{'insert':{'name':'two','i':2}}}}]");
    assert_null(find(fx->a, U1));
    assert_true(idl_row_is_new(find(fx->a, U2)));
    assert_true(idl_condition_is_acked(fx->idl));

    /* Updates for a monitor id the IDL no longer uses are ignored. */
    notify(fx, "update3", "['idl1','" TXN2 "',{'A':{'" U1 "':"
           "{'insert':{'name':'one'}}}}]");
    assert_null(find(fx->a, U1));

    /* A bad condition is refused once the schema is known. */
    cond = j("[['nosuch','==','x']]");
    assert_int_equal(idl_set_condition(fx->idl, fx->a, cond), -EINVAL);
    json_unref(cond);
    expect_nothing_sent(fx);

    /* Reconnecting keeps the condition and, with it acked, resumes. */
    idl__disconnected(fx->idl, 0);
    req = fx_connect(fx);
    assert_json(json_array_at(req->params, 2),
                "{'A':[{'columns':['name','i','b','s','m','os','refs'],"
                "'where':[['name','==','two']]}],"
                "'B':[{'columns':['name','n']}]}");
    assert_string_equal(json_string(json_array_at(req->params, 3)), TXN2);
    jsonrpc_msg_destroy(req);
    fx_destroy(fx);
}

static void
test_idl_condition_changed_offline_syncs_in_full(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    notify(fx, "update3", "['idl1','" TXN2 "',{}]");
    idl__disconnected(fx->idl, 0);
    struct json *cond = j("[['i','>',1]]");
    assert_int_equal(idl_set_condition(fx->idl, fx->a, cond), 0);
    json_unref(cond);
    expect_nothing_sent(fx);

    struct jsonrpc_msg *req = fx_connect(fx);
    assert_string_equal(json_string(json_array_at(req->params, 3)), ZERO);
    jsonrpc_msg_destroy(req);
    fx_destroy(fx);
}

static void
test_idl_v1_filters_rows_client_side(void **state)
{
    struct fx *fx = fx_create();
    struct json *cond = j("[['i','>=',2]]");
    assert_int_equal(idl_set_condition(fx->idl, fx->a, cond), 0);
    json_unref(cond);
    struct jsonrpc_msg *req = fx_connect(fx);
    reply_error(fx, req, "'unknown method'");
    jsonrpc_msg_destroy(req);
    req = expect_request(fx, "monitor_cond");
    reply_error(fx, req, "'unknown method'");
    jsonrpc_msg_destroy(req);
    req = expect_request(fx, "monitor");
    reply(fx, req, "{'A':{'" U1 "':{'new':{'name':'one','i':1}},"
          "'" U2 "':{'new':{'name':'two','i':2}}}}");
    jsonrpc_msg_destroy(req);
    assert_int_equal(idl_table_count(fx->a), 1);
    assert_non_null(find(fx->a, U2));

    /* U2 leaves the condition by a modification: deleted. */
    notify(fx, "update", "['idl3',{'A':{'" U2 "':{'old':{'i':2},"
           "'new':{'name':'two','i':0}}}}]");
    assert_int_equal(idl_table_count(fx->a), 0);

    /* A new condition re-monitors and syncs in full. */
    cond = j("[['i','<',5]]");
    assert_int_equal(idl_set_condition(fx->idl, fx->a, cond), 0);
    json_unref(cond);
    jsonrpc_msg_destroy(expect_request(fx, "monitor_cancel"));
    req = expect_request(fx, "monitor");
    reply(fx, req, "{'A':{'" U1 "':{'new':{'name':'one','i':1}},"
          "'" U2 "':{'new':{'name':'two','i':0}}}}");
    jsonrpc_msg_destroy(req);
    assert_int_equal(idl_table_count(fx->a), 2);
    fx_destroy(fx);
}

static void
test_idl_bad_update_forces_full_resync(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    notify(fx, "update3", "['idl1','" TXN2 "',{'A':{'" U3 "':"
           "{'modify':{'i':1}}}}]");
    assert_false(idl_is_connected(fx->idl));
    assert_non_null(idl_get_last_error(fx->idl));
    struct jsonrpc_msg *req = fx_connect(fx);
    assert_string_equal(json_string(json_array_at(req->params, 3)), ZERO);
    jsonrpc_msg_destroy(req);

    /* Malformed values too. */
    fx_destroy(fx);
    fx = fx_create();
    fx_sync(fx);
    notify(fx, "update2", "['idl1',{'A':{'" U1 "':"
           "{'modify':{'i':'not an integer'}}}}]");
    assert_false(idl_is_connected(fx->idl));
    fx_destroy(fx);
}

static void
test_idl_schema_mismatch_is_reported(void **state)
{
    struct fx *fx = fx_create();
    idl_add_column(fx->a, "nosuch");
    idl__connected(fx->idl);
    struct jsonrpc_msg *req = expect_request(fx, "get_schema");
    reply(fx, req, schema_text);
    jsonrpc_msg_destroy(req);
    expect_nothing_sent(fx);
    assert_false(idl_is_connected(fx->idl));
    assert_non_null(strstr(idl_get_last_error(fx->idl), "nosuch"));
    fx_destroy(fx);
}

/* Transactions. */

/* Returns the uuid-name the insert op at 'ops'[i] uses. */
static const char *
insert_name(const struct json *ops, size_t i)
{
    const struct json *op = json_array_at(ops, i);
    assert_string_equal(json_object_find_string(op, "op"), "insert");
    return json_object_find_string(op, "uuid-name");
}

static void
test_idl_txn_json(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    const struct idl_row *one = find(fx->a, U1);
    const struct idl_row *two = find(fx->a, U2);
    const struct idl_row *bee = find(fx->b, UB);

    struct idl_txn *txn = idl_txn_create(fx->idl);
    idl_txn_verify(txn, one, fx->a_i);
    idl_txn_verify(txn, one, fx->a_s);
    idl_txn_set_string(txn, one, fx->a_name, "uno");
    idl_txn_set_integer(txn, one, fx->a_i, 1);     /* Unchanged: omitted. */
    union atom z = { .string = "z" }, x = { .string = "x" };
    idl_txn_add_to_set(txn, one, fx->a_s, &z);
    idl_txn_remove_from_set(txn, one, fx->a_s, &x);
    idl_txn_map_set_string(txn, one, fx->a_m, "k1", "w");
    union atom k2 = { .string = "k2" };
    idl_txn_map_remove_key(txn, one, fx->a_m, &k2);

    const struct idl_row *new = idl_txn_insert(txn, fx->b);
    idl_txn_set_string(txn, new, fx->b_name, "new");
    union atom ref = { .uuid = *idl_row_uuid(new) };
    idl_txn_add_to_set(txn, one, fx->a_refs, &ref);
    idl_txn_delete(txn, two);
    idl_txn_increment(txn, bee, fx->b_n);
    idl_txn_add_comment(txn, "hello");

    bool any_writes;
    struct json *params = idl__txn_build(txn, &any_writes);
    assert_true(any_writes);
    /* params[0] is the database; the insert is operation 6. */
    const char *name = insert_name(params, 6);
    char expected[8192];
    snprintf(expected, sizeof expected,
        "['Idl',"
        "{'op':'wait','table':'A','where':" W_U1 ","
        "'timeout':0,'columns':['i','s'],'until':'==',"
        "'rows':[{'i':1,'s':['set',['x','y']]}]},"
        "{'op':'wait','table':'A','where':" W_U2 ","
        "'timeout':0,'columns':[],'until':'==','rows':[{}]},"
        "{'op':'wait','table':'B','where':" W_UB ","
        "'timeout':0,'columns':[],'until':'==','rows':[{}]},"
        "{'op':'update','table':'A','where':" W_U1 ","
        "'row':{'name':'uno'}},"
        "{'op':'mutate','table':'A','where':" W_U1 ","
        "'mutations':[['s','insert',['set',['z']]],"
        "['s','delete',['set',['x']]],"
        "['m','delete',['set',['k1']]],"
        "['m','insert',['map',[['k1','w']]]],"
        "['m','delete',['set',['k2']]],"
        "['refs','insert',['set',[['named-uuid','%s']]]]]},"
        "{'op':'insert','table':'B','uuid-name':'%s','row':{'name':'new'}},"
        "{'op':'delete','table':'A','where':" W_U2 "},"
        "{'op':'mutate','table':'B','where':" W_UB ","
        "'mutations':[['n','+=',1]]},"
        "{'op':'select','table':'B','where':" W_UB ","
        "'columns':['n']},"
        "{'op':'comment','comment':'hello'}]", name, name);
    assert_json(params, expected);
    json_unref(params);
    idl_txn_destroy(txn);
    fx_destroy(fx);
}

static void
test_idl_txn_whole_value_absorbs_partial_updates(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    const struct idl_row *one = find(fx->a, U1);

    /* Partial updates after a whole write change the written value;
     * a whole write drops earlier partial updates. */
    struct idl_txn *txn = idl_txn_create(fx->idl);
    union atom q = { .string = "q" }, y = { .string = "y" };
    idl_txn_add_to_set(txn, one, fx->a_s, &q);
    struct datum d;
    datum_init_alloc(&d, 1, false);
    d.keys[0].string = xstrdup("w");
    idl_txn_set(txn, one, fx->a_s, &d);
    idl_txn_add_to_set(txn, one, fx->a_s, &y);
    idl_txn_map_set_string(txn, one, fx->a_m, "k2", "v2");  /* No-op. */

    /* An inserted row's partial updates go into its "row". */
    const struct idl_row *new = idl_txn_insert(txn, fx->a);
    idl_txn_add_to_set(txn, new, fx->a_s, &q);
    idl_txn_map_set_string(txn, new, fx->a_m, "a", "b");
    assert_set(new, fx->a_s, "q");

    bool any_writes;
    struct json *params = idl__txn_build(txn, &any_writes);
    assert_int_equal(json_array_size(params), 5);
    assert_json(json_object_find(json_array_at(params, 2), "row"),
                "{'s':['set',['w','y']]}");
    assert_json(json_object_find(json_array_at(params, 3), "mutations"),
                "[['m','delete',['set',['k2']]],"
                "['m','insert',['map',[['k2','v2']]]]]");
    assert_json(json_object_find(json_array_at(params, 4), "row"),
                "{'s':'q','m':['map',[['a','b']]]}");
    json_unref(params);

    /* Deleting an inserted row drops the insert. */
    idl_txn_delete(txn, new);
    params = idl__txn_build(txn, &any_writes);
    assert_int_equal(json_array_size(params), 4);
    json_unref(params);
    idl_txn_destroy(txn);
    fx_destroy(fx);
}

/* An insert with a caller-chosen UUID names it in the request, and
 * references to the row in the same transaction still go by name. */
static void
test_idl_txn_insert_with_uuid(void **state)
{
    (void) state;
    struct fx *fx = fx_create();
    fx_sync(fx);
    struct idl_txn *txn = idl_txn_create(fx->idl);
    struct uuid u;
    assert_true(uuid_from_string(&u,
                                 "01234567-89ab-cdef-0123-456789abcdef"));
    const struct idl_row *new = idl_txn_insert_uuid(txn, fx->a, &u);
    assert_true(uuid_equals(idl_row_uuid(new), &u));
    idl_txn_map_set_string(txn, new, fx->a_m, "a", "b");

    bool any_writes;
    struct json *params = idl__txn_build(txn, &any_writes);
    assert_true(any_writes);
    const struct json *op = json_array_at(params, 1);
    assert_json(json_object_find(op, "uuid"),
                "'01234567-89ab-cdef-0123-456789abcdef'");
    assert_json(json_object_find(op, "uuid-name"),
                "'new_0123456789abcdef0123456789abcdef'");
    json_unref(params);
    idl_txn_destroy(txn);
    fx_destroy(fx);
}

struct done {
    int n;                      /* Callbacks. */
    enum idl_txn_status status; /* Last status reported. */
};

static void
done_cb(struct idl_txn *txn, enum idl_txn_status status, void *done_)
{
    struct done *done = done_;
    done->n++;
    done->status = status;
}

/* Commits 'txn' and returns the transact request it sent. */
static struct jsonrpc_msg *
commit(struct fx *fx, struct idl_txn *txn, struct done *done)
{
    assert_int_equal(idl_txn_commit(txn, done_cb, done), IDL_TXN_INCOMPLETE);
    assert_int_equal(idl_txn_get_status(txn), IDL_TXN_INCOMPLETE);
    return expect_request(fx, "transact");
}

static void
test_idl_txn_success_reads_results(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    struct idl_txn *txn = idl_txn_create(fx->idl);
    const struct idl_row *new = idl_txn_insert(txn, fx->b);
    idl_txn_set_string(txn, new, fx->b_name, "x");
    idl_txn_increment(txn, find(fx->b, UB), fx->b_n);
    assert_null(idl_txn_get_insert_uuid(txn, new));

    struct done done = { 0 };
    struct jsonrpc_msg *req = commit(fx, txn, &done);
    /* wait, insert, mutate, select. */
    assert_int_equal(json_array_size(req->params), 5);
    reply(fx, req, "[{},{'uuid':['uuid','" U3 "']},{'count':1},"
          "{'rows':[{'n':8}]}]");
    jsonrpc_msg_destroy(req);
    assert_int_equal(done.n, 1);
    assert_int_equal(done.status, IDL_TXN_SUCCESS);
    const struct uuid *uuid = idl_txn_get_insert_uuid(txn, new);
    assert_non_null(uuid);
    char s[UUID_LEN + 1];
    uuid_to_buffer(uuid, s);
    assert_string_equal(s, U3);
    assert_int_equal(idl_txn_get_increment_new_value(txn), 8);
    idl_txn_destroy(txn);
    fx_destroy(fx);
}

static void
test_idl_txn_failed_wait_is_try_again(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    struct idl_txn *txn = idl_txn_create(fx->idl);
    idl_txn_verify(txn, find(fx->a, U1), fx->a_name);
    idl_txn_set_integer(txn, find(fx->a, U1), fx->a_i, 4);
    struct done done = { 0 };
    struct jsonrpc_msg *req = commit(fx, txn, &done);
    reply(fx, req, "[{'error':'timed out','details':'not met'},null]");
    jsonrpc_msg_destroy(req);
    assert_int_equal(done.status, IDL_TXN_TRY_AGAIN);
    idl_txn_destroy(txn);
    fx_destroy(fx);
}

static void
test_idl_txn_errors(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);

    /* A commit error after the operations' results. */
    struct idl_txn *txn = idl_txn_create(fx->idl);
    idl_txn_set_integer(txn, find(fx->a, U1), fx->a_i, 4);
    struct done done = { 0 };
    struct jsonrpc_msg *req = commit(fx, txn, &done);
    reply(fx, req, "[{},{'count':1},{'error':'constraint violation',"
          "'details':'too big'}]");
    jsonrpc_msg_destroy(req);
    assert_int_equal(done.status, IDL_TXN_ERROR);
    assert_string_equal(idl_txn_get_error(txn),
                        "constraint violation: too big");
    idl_txn_destroy(txn);

    /* A JSON-RPC error. */
    txn = idl_txn_create(fx->idl);
    idl_txn_set_integer(txn, find(fx->a, U1), fx->a_i, 4);
    req = commit(fx, txn, &done);
    reply_error(fx, req, "{'error':'unknown database'}");
    jsonrpc_msg_destroy(req);
    assert_int_equal(done.status, IDL_TXN_ERROR);
    assert_non_null(strstr(idl_txn_get_error(txn), "unknown database"));
    idl_txn_destroy(txn);

    /* A lost connection. */
    txn = idl_txn_create(fx->idl);
    idl_txn_set_integer(txn, find(fx->a, U1), fx->a_i, 4);
    req = commit(fx, txn, &done);
    jsonrpc_msg_destroy(req);
    done.n = 0;
    idl__disconnected(fx->idl, 0);
    assert_int_equal(done.n, 1);
    assert_int_equal(done.status, IDL_TXN_TRY_AGAIN);
    idl_txn_destroy(txn);

    /* Not synced: nothing sent. */
    txn = idl_txn_create(fx->idl);
    idl_txn_set_integer(txn, find(fx->a, U1), fx->a_i, 4);
    assert_int_equal(idl_txn_commit(txn, done_cb, &done), IDL_TXN_TRY_AGAIN);
    idl_txn_destroy(txn);
    expect_nothing_sent(fx);
    fx_destroy(fx);
}

static void
test_idl_txn_unchanged_is_not_sent(void **state)
{
    struct fx *fx = fx_create();
    fx_sync(fx);
    struct idl_txn *txn = idl_txn_create(fx->idl);
    idl_txn_verify(txn, find(fx->a, U1), fx->a_name);
    idl_txn_set_string(txn, find(fx->a, U1), fx->a_name, "one");
    idl_txn_add_comment(txn, "nothing");
    assert_int_equal(idl_txn_commit(txn, NULL, NULL), IDL_TXN_UNCHANGED);
    expect_nothing_sent(fx);
    idl_txn_destroy(txn);

    /* Destroying a transaction in flight ignores its reply. */
    txn = idl_txn_create(fx->idl);
    idl_txn_set_string(txn, find(fx->a, U1), fx->a_name, "eins");
    struct done done = { 0 };
    struct jsonrpc_msg *req = commit(fx, txn, &done);
    idl_txn_destroy(txn);
    reply(fx, req, "[{},{'count':1}]");
    jsonrpc_msg_destroy(req);
    assert_int_equal(done.n, 0);
    fx_destroy(fx);
}

static void
test_idl_lock_and_txn_assert(void **state)
{
    struct fx *fx = fx_create();
    idl_set_lock(fx->idl, "L");
    expect_nothing_sent(fx);            /* Not connected yet. */

    idl__connected(fx->idl);
    jsonrpc_msg_destroy(expect_request(fx, "get_schema"));
    struct jsonrpc_msg *lock = expect_request(fx, "lock");
    assert_json(lock->params, "['L']");
    reply(fx, lock, "{'locked':false}");
    jsonrpc_msg_destroy(lock);
    assert_false(idl_has_lock(fx->idl));
    assert_true(idl_is_lock_contended(fx->idl));
    idl__disconnected(fx->idl, 0);

    fx_sync(fx);
    lock = expect_request(fx, "lock");
    reply(fx, lock, "{'locked':false}");
    jsonrpc_msg_destroy(lock);

    /* Without the lock, transactions fail at once. */
    struct idl_txn *txn = idl_txn_create(fx->idl);
    idl_txn_set_integer(txn, find(fx->a, U1), fx->a_i, 4);
    assert_int_equal(idl_txn_commit(txn, NULL, NULL), IDL_TXN_NOT_LOCKED);
    idl_txn_destroy(txn);

    uint64_t seqno = idl_seqno(fx->idl);
    notify(fx, "locked", "['L']");
    assert_true(idl_has_lock(fx->idl));
    assert_true(idl_seqno(fx->idl) != seqno);

    /* With it, they assert it first. */
    txn = idl_txn_create(fx->idl);
    idl_txn_set_integer(txn, find(fx->a, U1), fx->a_i, 4);
    struct done done = { 0 };
    struct jsonrpc_msg *req = commit(fx, txn, &done);
    assert_json(json_array_at(req->params, 1), "{'op':'assert','lock':'L'}");
    reply(fx, req, "[{'error':'not owner'},null,null]");
    jsonrpc_msg_destroy(req);
    assert_int_equal(done.status, IDL_TXN_NOT_LOCKED);
    idl_txn_destroy(txn);

    notify(fx, "stolen", "['L']");
    assert_false(idl_has_lock(fx->idl));

    /* Changing the lock releases the old one. */
    idl_set_lock(fx->idl, "M");
    struct jsonrpc_msg *unlock = expect_request(fx, "unlock");
    assert_json(unlock->params, "['L']");
    jsonrpc_msg_destroy(unlock);
    lock = expect_request(fx, "lock");
    assert_json(lock->params, "['M']");
    /* A late "locked" for the old lock means nothing. */
    notify(fx, "locked", "['L']");
    assert_false(idl_has_lock(fx->idl));
    reply(fx, lock, "{'locked':true}");
    jsonrpc_msg_destroy(lock);
    assert_true(idl_has_lock(fx->idl));
    fx_destroy(fx);
}

static void
test_idl_echo_and_inactivity_probe(void **state)
{
    struct fx *fx = fx_create();
    idl__set_time(fx->idl, 1000);
    fx_sync(fx);

    /* The server's echo gets its params back. */
    idl__receive(fx->idl, jsonrpc_msg_create_request(
                     "echo", j("['ping']"), json_string_create("e1")));
    fx_collect(fx);
    assert_int_equal(fx->n_queue, 1);
    struct jsonrpc_msg *msg = fx->queue[--fx->n_queue];
    assert_int_equal(msg->type, JSONRPC_REPLY);
    assert_json(msg->result, "['ping']");
    assert_json(msg->id, "'e1'");
    jsonrpc_msg_destroy(msg);

    /* Default interval 5 s: quiet for 4 s, nothing; at 5 s, an echo. */
    idl__set_time(fx->idl, 5000);
    assert_int_equal(idl__probe_tick(fx->idl), 1000);
    expect_nothing_sent(fx);
    idl__set_time(fx->idl, 6000);
    assert_int_equal(idl__probe_tick(fx->idl), 5000);
    struct jsonrpc_msg *echo = expect_request(fx, "echo");

    /* An answer (anything) resets the clock. */
    idl__set_time(fx->idl, 6500);
    reply(fx, echo, "[]");
    jsonrpc_msg_destroy(echo);
    assert_int_equal(idl__probe_tick(fx->idl), 5000);

    /* No answer within another interval: dropped. */
    idl__set_time(fx->idl, 11500);
    idl__probe_tick(fx->idl);
    jsonrpc_msg_destroy(expect_request(fx, "echo"));
    idl__set_time(fx->idl, 16400);
    assert_int_equal(idl__probe_tick(fx->idl), 100);
    assert_true(idl_is_connected(fx->idl));
    idl__set_time(fx->idl, 16500);
    assert_int_equal(idl__probe_tick(fx->idl), -1);
    assert_false(idl_is_connected(fx->idl));

    /* Interval 0: off. */
    idl_set_probe_interval(fx->idl, 0);
    fx_sync(fx);
    idl__set_time(fx->idl, 100000);
    assert_int_equal(idl__probe_tick(fx->idl), -1);
    expect_nothing_sent(fx);
    fx_destroy(fx);
}

static void
test_idl_schema_change_empties_replica(void **state)
{
    struct fx *fx = fx_create();
    idl_track_enable(fx->idl);
    fx_sync(fx);
    idl_track_clear(fx->idl);
    idl__disconnected(fx->idl, 0);

    /* Same tables and columns, one more column in B: a new schema. */
    idl__connected(fx->idl);
    struct jsonrpc_msg *req = expect_request(fx, "get_schema");
    char *text = xstrdup(schema_text);
    char *p = strstr(text, "'n':{'type':'integer'}");
    assert_non_null(p);
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_buffer(&ds, text, p - text);
    ds_put_cstr(&ds, "'extra':{'type':'string'},");
    ds_put_cstr(&ds, p);
    reply(fx, req, ds_cstr(&ds));
    ds_uninit(&ds);
    free(text);
    jsonrpc_msg_destroy(req);

    /* The rows are gone (tracked, still readable) and the monitor asks for
     * everything, including B's new column. */
    assert_int_equal(idl_table_count(fx->a), 0);
    assert_int_equal(n_tracked(fx->a), 2);
    assert_string_equal(idl_row_get_string(idl_track_first(fx->b),
                                           fx->b_name), "bee");
    req = expect_request(fx, "monitor_cond_since");
    assert_json(json_array_at(req->params, 2),
                "{'A':[{'columns':['name','i','b','s','m','os','refs']}],"
                "'B':[{'columns':['name','extra','n']}]}");
    assert_string_equal(json_string(json_array_at(req->params, 3)), ZERO);
    jsonrpc_msg_destroy(req);
    fx_destroy(fx);
}

static void
test_idl_all_tables(void **state)
{
    struct idl *idl = idl__create_detached("Idl");
    idl_add_all_tables(idl);
    assert_null(idl_get_table(idl, "A"));
    idl__connected(idl);
    struct jsonrpc_msg *req = idl__pop_sent(idl);
    assert_string_equal(req->method, "get_schema");
    idl__receive(idl, jsonrpc_msg_create_reply(j(schema_text), req->id));
    jsonrpc_msg_destroy(req);
    req = idl__pop_sent(idl);
    assert_string_equal(req->method, "monitor_cond_since");
    assert_json(json_array_at(req->params, 2),
                "{'A':[{'columns':['name','i','b','s','m','os','refs']}],"
                "'B':[{'columns':['name','n']}]}");
    jsonrpc_msg_destroy(req);
    assert_non_null(idl_table_find_column(idl_get_table(idl, "A"), "refs"));
    idl_destroy(idl);
}

int
main(void)
{
    /* The IDL logs every connection; keep the warnings only. */
    free(log_set_levels_from_string("console:warn"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idl_monitor_request_lists_columns),
        cmocka_unit_test(test_idl_initial_sync_fills_replica),
        cmocka_unit_test(test_idl_update2_applies_insert_modify_delete),
        cmocka_unit_test(test_idl_tracking_accumulates_when_enabled),
        cmocka_unit_test(test_idl_tracks_set_diffs),
        cmocka_unit_test(test_idl_small_diff_of_big_set),
        cmocka_unit_test(test_idl_resume_with_last_txn_id),
        cmocka_unit_test(test_idl_full_resync_tracks_only_differences),
        cmocka_unit_test(test_idl_falls_back_to_older_monitor_methods),
        cmocka_unit_test(test_idl_condition_change),
        cmocka_unit_test(test_idl_condition_changed_offline_syncs_in_full),
        cmocka_unit_test(test_idl_v1_filters_rows_client_side),
        cmocka_unit_test(test_idl_bad_update_forces_full_resync),
        cmocka_unit_test(test_idl_schema_mismatch_is_reported),
        cmocka_unit_test(test_idl_txn_json),
        cmocka_unit_test(test_idl_txn_whole_value_absorbs_partial_updates),
        cmocka_unit_test(test_idl_txn_success_reads_results),
        cmocka_unit_test(test_idl_txn_failed_wait_is_try_again),
        cmocka_unit_test(test_idl_txn_errors),
        cmocka_unit_test(test_idl_txn_unchanged_is_not_sent),
        cmocka_unit_test(test_idl_lock_and_txn_assert),
        cmocka_unit_test(test_idl_echo_and_inactivity_probe),
        cmocka_unit_test(test_idl_schema_change_empties_replica),
        cmocka_unit_test(test_idl_all_tables),
        cmocka_unit_test(test_idl_txn_insert_with_uuid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
