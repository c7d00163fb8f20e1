/* Unit tests for ovsdb/monitor.h: request parsing, initial contents, the
 * update formats of "monitor" (update), "monitor_cond" (update2) and
 * "monitor_cond_since" (update3), conditions, merged pending changes, the
 * shared text path, and the transaction history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/uuid.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/execute.h"
#include "ovsdb/monitor.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"
#include "ovsdb/txn.h"
#include "tests/unit/ovsdb-test-util.h"

/* Commits 'ops' (one or more operations, single-quoted) and returns what
 * changed; the caller unrefs it. */
static struct db_changes *
commit(struct db *db, const char *ops)
{
    char *s = xasprintf("['Test', %s]", ops);
    struct json *params = parse_quoted(s);
    free(s);
    struct db_exec_result r;
    db_execute(db, params, NULL, &r);
    json_unref(params);
    if (r.status != DB_EXEC_COMMIT) {
        char *reply = r.reply ? json_to_string(r.reply, 0) : NULL;
        fail_msg("did not commit: %s", reply ? reply : "(blocked)");
    }
    json_unref(r.reply);
    return db_txn_commit(r.txn);
}

/* Returns the uuid of the Root row named 'name' as a string. */
static char *
root_uuid(const struct db *db, const char *name)
{
    const struct table_schema *t = db_schema_find_table(db_get_schema(db),
                                                        "Root");
    const struct column_schema *c = table_schema_find_column(t, "name");
    const struct row *row;
    HMAP_FOR_EACH (row, node, db_table_rows(db, t)) {
        if (!strcmp(row->fields[c->index].keys[0].string, name)) {
            char *s = xmalloc(UUID_LEN + 1);
            uuid_to_buffer(&row->uuid, s);
            return s;
        }
    }
    fail_msg("no row %s", name);
    return NULL;
}

static struct monitor *
make_monitor(struct db *db, enum monitor_version version, const char *req)
{
    struct json *requests = parse_quoted(req);
    struct monitor *m;
    struct db_error *error = monitor_create(db, version, requests, &m);
    json_unref(requests);
    if (error) {
        fail_msg("monitor_create: %s", db_error_to_string(error));
    }
    return m;
}

/* Asserts that 'actual' (consumed) equals 'expected' (single-quoted, with
 * '@NAME' standing for the uuid of Root row NAME). */
static void
check_json(const struct db *db, struct json *actual, const char *expected)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    for (const char *p = expected; *p; p++) {
        if (*p == '@') {
            size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz");
            char *name = xmemdup0(p + 1, n);
            char *uuid = root_uuid(db, name);
            ds_put_cstr(&ds, uuid);
            free(uuid);
            free(name);
            p += n;
        } else {
            ds_put_char(&ds, *p);
        }
    }
    struct json *want = parse_quoted(ds_cstr(&ds));
    if (!actual || !json_equal(actual, want)) {
        fail_msg("got %s\nwant %s",
                 actual ? json_to_string(actual, JSON_SORT) : "NULL",
                 json_to_string(want, JSON_SORT));
    }
    json_unref(want);
    json_unref(actual);
    ds_uninit(&ds);
}

static void
feed(struct monitor *m, struct db_changes *changes)
{
    monitor_add_changes(m, changes);
    db_changes_unref(changes);
}

static void
test_monitor_v1_reports_full_rows(void **state)
{
    struct db *db = test_db();
    db_changes_unref(commit(db, "{'op':'insert','table':'Root',"
                                "'row':{'name':'a','i':1}}"));
    struct monitor *m = make_monitor(
        db, MONITOR_V1, "{'Root':{'columns':['name','i','iset']}}");

    /* Version 1 reports every monitored column, defaults included. */
    check_json(db, monitor_initial(m, db),
               "{'Root':{'@a':{'new':{'name':'a','i':1,'iset':['set',[]]}}}}");

    feed(m, commit(db, "{'op':'update','table':'Root',"
                       "'where':[['name','==','a']],'row':{'i':2}}"));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@a':{'old':{'i':1},"
               "'new':{'name':'a','i':2,'iset':['set',[]]}}}}");

    char *a = root_uuid(db, "a");
    feed(m, commit(db, "{'op':'delete','table':'Root','where':[]}"));
    char *expected = xasprintf("{'Root':{'%s':{'old':{'name':'a','i':2,"
                               "'iset':['set',[]]}}}}", a);
    check_json(db, monitor_take_update(m), expected);
    free(expected);
    free(a);
    monitor_destroy(m);
    db_destroy(db);
}

static void
test_monitor_v2_modify_is_a_diff(void **state)
{
    struct db *db = test_db();
    db_changes_unref(commit(db, "{'op':'insert','table':'Root',"
                                "'row':{'name':'a','iset':['set',[1,2]],"
                                "'m':['map',[['x',1],['y',2]]]}}"));
    struct monitor *m = make_monitor(db, MONITOR_V2,
                                     "{'Root':[{'columns':['name','i','iset',"
                                     "'m']}]}");
    /* Version 2 leaves out default values. */
    check_json(db, monitor_initial(m, db),
               "{'Root':{'@a':{'initial':{'name':'a','iset':['set',[1,2]],"
               "'m':['map',[['x',1],['y',2]]]}}}}");

    /* A set's diff holds the elements added or removed; a map's, the pairs
     * removed (old values) and added or changed (new values); a scalar's,
     * the new value. */
    feed(m, commit(db, "{'op':'update','table':'Root',"
                       "'where':[['name','==','a']],'row':{'i':5,"
                       "'iset':['set',[2,3]],"
                       "'m':['map',[['y',20],['z',3]]]}}"));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@a':{'modify':{'i':5,'iset':['set',[1,3]],"
               "'m':['map',[['x',1],['y',20],['z',3]]]}}}}");

    /* A change to no monitored column is no update at all. */
    feed(m, commit(db, "{'op':'update','table':'Root',"
                       "'where':[['name','==','a']],'row':{'b':true}}"));
    assert_true(monitor_has_pending(m));
    assert_null(monitor_take_update(m));
    monitor_destroy(m);
    db_destroy(db);
}

/* Mutations of a few elements of a large set carry their difference to
 * the monitor (row_get_diff()); an update that spans two commits still
 * reports the difference across both. */
static void
test_monitor_v2_modify_of_mutated_big_set(void **state)
{
    struct db *db = test_db();
    db_changes_unref(commit(db, "{'op':'insert','table':'Root',"
                                "'row':{'name':'a','iset':['set',[0,1,2,"
                                "3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,"
                                "19]]}}"));
    struct monitor *m = make_monitor(db, MONITOR_V2,
                                     "{'Root':[{'columns':['name','iset']}]}");
    json_unref(monitor_initial(m, db));

    feed(m, commit(db, "{'op':'mutate','table':'Root','where':[],"
                       "'mutations':[['iset','insert',100]]}"));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@a':{'modify':{'iset':100}}}}");

    feed(m, commit(db, "{'op':'mutate','table':'Root','where':[],"
                       "'mutations':[['iset','delete',3],"
                       "['iset','insert',['set',[101,4]]]]}"));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@a':{'modify':{'iset':['set',[3,101]]}}}}");

    /* Two commits before the client hears of them: 200 comes and goes. */
    feed(m, commit(db, "{'op':'mutate','table':'Root','where':[],"
                       "'mutations':[['iset','insert',200]]}"));
    feed(m, commit(db, "{'op':'mutate','table':'Root','where':[],"
                       "'mutations':[['iset','delete',200],"
                       "['iset','insert',300]]}"));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@a':{'modify':{'iset':300}}}}");

    /* An element deleted and put back is no change. */
    feed(m, commit(db, "{'op':'mutate','table':'Root','where':[],"
                       "'mutations':[['iset','delete',7],"
                       "['iset','insert',['set',[7,400]]]]}"));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@a':{'modify':{'iset':400}}}}");
    monitor_destroy(m);
    db_destroy(db);
}

static void
test_monitor_condition_matches_any_clause(void **state)
{
    struct db *db = test_db();
    db_changes_unref(commit(
        db, "{'op':'insert','table':'Root','row':{'name':'a'}},"
            "{'op':'insert','table':'Root','row':{'name':'b'}},"
            "{'op':'insert','table':'Root','row':{'name':'c'}}"));
    struct monitor *m = make_monitor(
        db, MONITOR_V2, "{'Root':[{'columns':['name','i'],'where':"
        "[['name','==','a'],['name','==','b']]}]}");
    check_json(db, monitor_initial(m, db),
               "{'Root':{'@a':{'initial':{'name':'a'}},"
               "'@b':{'initial':{'name':'b'}}}}");

    /* Leaving the condition reads as a delete, entering as an insert. */
    feed(m, commit(db, "{'op':'update','table':'Root','where':"
                       "[['name','==','b']],'row':{'name':'bb'}},"
                       "{'op':'update','table':'Root','where':"
                       "[['name','==','c']],'row':{'name':'b','i':3}}"));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@bb':{'delete':null},"
               "'@b':{'insert':{'name':'b','i':3}}}}");

    /* A new condition reports the rows it adds and drops. */
    struct json *update;
    struct json *req = parse_quoted("{'Root':[{'where':[['name','==','a'],"
                                    "['name','==','bb']]}]}");
    assert_null(monitor_change_conditions(m, db, req, &update));
    json_unref(req);
    check_json(db, update, "{'Root':{'@b':{'delete':null},"
                           "'@bb':{'insert':{'name':'bb'}}}}");
    monitor_destroy(m);
    db_destroy(db);
}

static void
test_monitor_pending_changes_merge(void **state)
{
    struct db *db = test_db();
    struct monitor *m = make_monitor(db, MONITOR_V2,
                                     "{'Root':[{'columns':['name','i']}]}");

    /* Inserted and deleted before the client is told: nothing to say. */
    feed(m, commit(db, "{'op':'insert','table':'Root','row':{'name':'a'}}"));
    feed(m, commit(db, "{'op':'delete','table':'Root','where':[]}"));
    assert_false(monitor_has_pending(m));
    assert_null(monitor_take_update(m));

    /* Inserted then modified: one insert with the latest values. */
    feed(m, commit(db, "{'op':'insert','table':'Root','row':{'name':'b'}}"));
    feed(m, commit(db, "{'op':'update','table':'Root','where':[],"
                       "'row':{'i':7}}"));
    feed(m, commit(db, "{'op':'update','table':'Root','where':[],"
                       "'row':{'i':8}}"));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@b':{'insert':{'name':'b','i':8}}}}");
    assert_false(monitor_has_pending(m));
    monitor_destroy(m);
    db_destroy(db);
}

static void
test_monitor_select_flags(void **state)
{
    struct db *db = test_db();
    db_changes_unref(commit(db, "{'op':'insert','table':'Root',"
                                "'row':{'name':'a'}}"));
    struct monitor *m = make_monitor(
        db, MONITOR_V1, "{'Root':{'columns':['name'],'select':"
        "{'initial':false,'insert':false}}}");
    check_json(db, monitor_initial(m, db), "{}");
    feed(m, commit(db, "{'op':'insert','table':'Root','row':{'name':'b'}}"));
    assert_null(monitor_take_update(m));
    feed(m, commit(db, "{'op':'update','table':'Root','where':"
                       "[['name','==','a']],'row':{'name':'c'}}"));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@c':{'old':{'name':'a'},'new':{'name':'c'}}}}");
    monitor_destroy(m);
    db_destroy(db);
}

/* Checks that the text of 'changes' for monitors of 'version' built by
 * 'req', straight (no cache) and through a shared cache, is the JSON that
 * monitor_take_update() builds. */
static void
check_text_matches_json(struct db *db, enum monitor_version version,
                        const char *req, const char *ops)
{
    struct monitor *a = make_monitor(db, version, req);
    struct monitor *b = make_monitor(db, version, req);
    struct monitor *c = make_monitor(db, version, req);
    struct monitor_text_cache *cache = monitor_text_cache_create();
    struct db_changes *changes = commit(db, ops);
    monitor_add_changes(a, changes);
    monitor_add_changes(b, changes);

    struct json *json = monitor_take_update(a);
    struct ds t1 = DS_EMPTY_INITIALIZER, t2 = DS_EMPTY_INITIALIZER;
    struct ds t3 = DS_EMPTY_INITIALIZER;
    bool any1 = monitor_take_update_text(b, NULL, &t1);
    bool any2 = monitor_changes_update_text(c, changes, cache, &t2);
    bool any3 = monitor_changes_update_text(c, changes, cache, &t3);
    assert_int_equal(any1, json != NULL);
    assert_int_equal(any2, json != NULL);
    assert_int_equal(any3, json != NULL);
    if (json) {
        const struct ds *texts[] = { &t1, &t2, &t3 };
        for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
            struct json *parsed;
            assert_null(json_from_string(texts[i]->string, &parsed));
            if (!json_equal(json, parsed)) {
                fail_msg("v%d text %s differs from %s", (int) version,
                         texts[i]->string, json_to_string(json, 0));
            }
            json_unref(parsed);
        }
    } else {
        assert_int_equal(t1.length + t2.length + t3.length, 0);
    }
    json_unref(json);
    ds_uninit(&t1);
    ds_uninit(&t2);
    ds_uninit(&t3);
    db_changes_unref(changes);
    monitor_text_cache_destroy(cache);
    monitor_destroy(a);
    monitor_destroy(b);
    monitor_destroy(c);
}

static void
test_monitor_text_every_kind_of_change(void **state)
{
    static const enum monitor_version versions[] = {
        MONITOR_V1, MONITOR_V2, MONITOR_V3,
    };
    static const char *const reqs[] = {
        "{'Root':[{'columns':['name','i','r','b','u','s','iset','m']}]}",
        "{'Root':[{'columns':['name','iset'],"
        "'select':{'insert':false,'delete':true,'modify':true}}]}",
        "{'Root':[{'columns':['i']}]}",
    };
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        for (size_t r = 0; r < ARRAY_SIZE(reqs); r++) {
            struct db *db = test_db();
            const char *req = reqs[r];
            enum monitor_version ver = versions[v];
            /* Inserts, with escapes, reals, uuids, sets and maps. */
            check_text_matches_json(
                db, ver, req,
                "{'op':'insert','table':'Root','row':{'name':'a\\\"\\n',"
                "'r':2.5,'u':['uuid','01234567-89ab-cdef-0123-456789abcdef'],"
                "'iset':['set',[1,2]],'m':['map',[['k',1],['l',2]]]}},"
                "{'op':'insert','table':'Root','row':{'name':'b','r':3,"
                "'s':'x','b':true}}");
            /* Modifications, one invisible to the third request. */
            check_text_matches_json(
                db, ver, req,
                "{'op':'update','table':'Root','where':[['name','==','b']],"
                "'row':{'iset':['set',[7]],'m':['map',[['k',5]]]}},"
                "{'op':'update','table':'Root','where':[['r','==',2.5]],"
                "'row':{'i':4}}");
            /* Deletions. */
            check_text_matches_json(
                db, ver, req, "{'op':'delete','table':'Root','where':[]}");
            db_destroy(db);
        }
    }
}

static void
test_monitor_text_matches_json(void **state)
{
    struct db *db = test_db();
    const char *req = "{'Root':[{'columns':['name','i','iset','m']}]}";
    struct monitor *a = make_monitor(db, MONITOR_V2, req);
    struct monitor *b = make_monitor(db, MONITOR_V2, req);
    struct monitor *c = make_monitor(db, MONITOR_V2, req);
    struct monitor_text_cache *cache = monitor_text_cache_create();

    struct db_changes *changes = commit(
        db, "{'op':'insert','table':'Root','row':{'name':'a',"
            "'iset':['set',[1]]}},"
            "{'op':'insert','table':'Root','row':{'name':'b'}}");
    monitor_add_changes(a, changes);
    monitor_add_changes(b, changes);

    /* The same update three ways: as JSON, as text from pending changes
     * (twice, sharing the cache), and as text from the changes alone. */
    struct json *json = monitor_take_update(a);
    struct ds text1 = DS_EMPTY_INITIALIZER, text2 = DS_EMPTY_INITIALIZER;
    assert_true(monitor_take_update_text(b, cache, &text1));
    assert_true(monitor_changes_update_text(c, changes, cache, &text2));
    assert_false(monitor_has_pending(b));
    db_changes_unref(changes);

    struct json *j1, *j2;
    assert_null(json_from_string(ds_cstr(&text1), &j1));
    assert_null(json_from_string(ds_cstr(&text2), &j2));
    assert_true(json_equal(json, j1));
    assert_true(json_equal(json, j2));

    /* Nothing visible: nothing appended. */
    struct ds empty = DS_EMPTY_INITIALIZER;
    changes = commit(db, "{'op':'update','table':'Root','where':[],"
                         "'row':{'b':true}}");
    assert_false(monitor_changes_update_text(c, changes, cache, &empty));
    assert_int_equal(empty.length, 0);
    db_changes_unref(changes);

    json_unref(json);
    json_unref(j1);
    json_unref(j2);
    ds_uninit(&text1);
    ds_uninit(&text2);
    ds_uninit(&empty);
    monitor_text_cache_destroy(cache);
    monitor_destroy(a);
    monitor_destroy(b);
    monitor_destroy(c);
    db_destroy(db);
}

static void
test_monitor_rejects_bad_requests(void **state)
{
    static const char *bad[] = {
        "[]",
        "{'Nope':{}}",
        "{'Root':{'columns':['nope']}}",
        "{'Root':{'columns':'name'}}",
        "{'Root':{'select':{'insert':1}}}",
        "{'Root':[{'where':[['nope','==',1]]}]}",
    };
    struct db *db = test_db();
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct json *req = parse_quoted(bad[i]);
        struct monitor *m;
        struct db_error *error = monitor_create(db, MONITOR_V2, req, &m);
        if (!error) {
            fail_msg("accepted %s", bad[i]);
        }
        assert_null(m);
        db_error_destroy(error);
        json_unref(req);
    }
    db_destroy(db);
}

static void
test_history_replays_what_a_client_missed(void **state)
{
    struct db *db = test_db();
    struct history h;
    struct uuid ids[3];
    history_init(&h, 2, SIZE_MAX);
    assert_null(history_last_id(&h));

    static const char *names[] = { "a", "b", "c" };
    for (int i = 0; i < 3; i++) {
        char *op = xasprintf("{'op':'insert','table':'Root',"
                             "'row':{'name':'%s'}}", names[i]);
        struct db_changes *changes = commit(db, op);
        free(op);
        uuid_generate(&ids[i]);
        history_add(&h, &ids[i], changes);
        db_changes_unref(changes);
    }
    assert_int_equal(h.n_entries, 2);
    assert_true(uuid_equals(history_last_id(&h), &ids[2]));

    /* The oldest entry was dropped: a client that saw only it resyncs. */
    struct monitor *m = make_monitor(db, MONITOR_V3,
                                     "{'Root':[{'columns':['name']}]}");
    assert_false(history_replay_since(&h, &ids[0], m));
    assert_false(monitor_has_pending(m));

    /* A client that saw the second gets only the third. */
    assert_true(history_replay_since(&h, &ids[1], m));
    check_json(db, monitor_take_update(m),
               "{'Root':{'@c':{'insert':{'name':'c'}}}}");

    /* One that saw the newest gets nothing. */
    assert_true(history_replay_since(&h, &ids[2], m));
    assert_false(monitor_has_pending(m));

    monitor_destroy(m);
    history_uninit(&h);
    db_destroy(db);
}

static void
test_history_memory_bound_keeps_newest(void **state)
{
    struct db *db = test_db();
    struct history h;
    history_init(&h, 100, 1);   /* Any entry is over one byte. */
    for (int i = 0; i < 3; i++) {
        char *op = xasprintf("{'op':'insert','table':'Root',"
                             "'row':{'name':'r%d'}}", i);
        struct db_changes *changes = commit(db, op);
        free(op);
        struct uuid id;
        uuid_generate(&id);
        history_add(&h, &id, changes);
        db_changes_unref(changes);
        assert_int_equal(h.n_entries, 1);
        assert_true(uuid_equals(history_last_id(&h), &id));
    }
    history_uninit(&h);
    db_destroy(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monitor_v1_reports_full_rows),
        cmocka_unit_test(test_monitor_v2_modify_is_a_diff),
        cmocka_unit_test(test_monitor_v2_modify_of_mutated_big_set),
        cmocka_unit_test(test_monitor_condition_matches_any_clause),
        cmocka_unit_test(test_monitor_pending_changes_merge),
        cmocka_unit_test(test_monitor_select_flags),
        cmocka_unit_test(test_monitor_text_matches_json),
        cmocka_unit_test(test_monitor_text_every_kind_of_change),
        cmocka_unit_test(test_monitor_rejects_bad_requests),
        cmocka_unit_test(test_history_replays_what_a_client_missed),
        cmocka_unit_test(test_history_memory_bound_keeps_newest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
