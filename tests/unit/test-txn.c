/* Unit tests for ovsdb/txn.h: the commit-time rules (referential
 * integrity, garbage collection, weak references, indexes, maxRows), the
 * changes a commit reports, and ovsdb(5) file records (to_record, then
 * apply_record on a fresh database; records that Debian's ovsdb-tool reads
 * and writes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hmap.h"
#include "lib/json.h"
#include "lib/uuid.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/execute.h"
#include "ovsdb/row.h"
#include "ovsdb/schema.h"
#include "ovsdb/txn.h"
#include "tests/unit/ovsdb-test-util.h"

/* Executes 'ops' (single-quoted) on 'db'.  If it is to commit, stores its
 * record in '*recordp' (if nonnull) and its changes in '*changesp' (if
 * nonnull), else NULLs.  Returns the reply. */
/* Whether execute_full() makes "_is_diff" records. */
static bool diff_records;

/* Checks that db_txn_diff_record_to_ds() prints the same record as
 * db_txn_to_diff_record() built, 'record' (NULL if none), apart from
 * "_date", which may have moved on. */
static void
check_record_text(const struct db_txn *txn, const struct json *record)
{
    struct ds text = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&text, "prefix");
    bool any = db_txn_diff_record_to_ds(txn, NULL, &text);
    assert_int_equal(any, record != NULL);
    if (!any) {
        assert_string_equal(ds_cstr(&text), "prefix");
        ds_uninit(&text);
        return;
    }

    struct json *parsed, *copy = json_deep_clone(record);
    assert_null(json_from_string(ds_cstr(&text) + strlen("prefix"),
                                 &parsed));
    struct json *d1 = json_object_steal(parsed, "_date");
    struct json *d2 = json_object_steal(copy, "_date");
    assert_non_null(d1);
    assert_non_null(d2);
    if (!json_equal(parsed, copy)) {
        fail_msg("record text %s differs from %s", ds_cstr(&text),
                 json_to_string(record, 0));
    }
    json_unref(d1);
    json_unref(d2);
    json_unref(parsed);
    json_unref(copy);
    ds_uninit(&text);
}

static struct json *
execute_full(struct db *db, const char *ops, struct json **recordp,
             struct db_changes **changesp)
{
    char *s = xasprintf("['Test', %s]", ops);
    struct json *params = parse_quoted(s);
    free(s);
    struct db_exec_result result;
    db_execute(db, params, NULL, &result);
    json_unref(params);
    assert_int_not_equal(result.status, DB_EXEC_BLOCKED);

    struct json *record = NULL;
    struct db_changes *changes = NULL;
    if (result.status == DB_EXEC_COMMIT) {
        record = (diff_records
                  ? db_txn_to_diff_record(result.txn, NULL)
                  : db_txn_to_record(result.txn, NULL));
        struct json *diff = db_txn_to_diff_record(result.txn, NULL);
        check_record_text(result.txn, diff);
        json_unref(diff);
        changes = db_txn_commit(result.txn);
    }
    if (recordp) {
        *recordp = record;
    } else {
        json_unref(record);
    }
    if (changesp) {
        *changesp = changes;
    } else {
        db_changes_unref(changes);
    }
    db_assert_valid(db);
    return result.reply;
}

static struct json *
execute(struct db *db, const char *ops)
{
    return execute_full(db, ops, NULL, NULL);
}

static const char *
reply_error(const struct json *reply, size_t i)
{
    assert_true(i < json_array_size(reply));
    const struct json *elem = json_array_at(reply, i);
    return json_is_object(elem) ? json_object_find_string(elem, "error")
                                : NULL;
}

static void
assert_reply_ok(const struct json *reply)
{
    for (size_t i = 0; i < json_array_size(reply); i++) {
        if (reply_error(reply, i)) {
            fail_msg("unexpected error: %s", json_to_string(reply, 0));
        }
    }
}

/* Checks that the last element of 'reply' is an error with 'tag' whose
 * details contain 'details'. */
static void
assert_commit_error(const struct json *reply, const char *tag,
                    const char *details)
{
    size_t n = json_array_size(reply);
    const struct json *elem = json_array_at(reply, n - 1);
    const char *error = json_object_find_string(elem, "error");
    const char *d = json_object_find_string(elem, "details");
    if (!error || strcmp(error, tag) || !d || !strstr(d, details)) {
        fail_msg("expected %s (%s): %s", tag, details,
                 json_to_string(reply, 0));
    }
}

static void
execute_ok(struct db *db, const char *ops)
{
    struct json *reply = execute(db, ops);
    assert_reply_ok(reply);
    json_unref(reply);
}

static const struct table_schema *
table(const struct db *db, const char *name)
{
    const struct table_schema *t = db_schema_find_table(db_get_schema(db),
                                                        name);
    assert_non_null(t);
    return t;
}

static size_t
count_rows(const struct db *db, const char *name)
{
    return hmap_count(db_table_rows(db, table(db, name)));
}

/* Returns the committed row of 'table_name' whose "name" is 'name'. */
static const struct row *
find_named(const struct db *db, const char *table_name, const char *name)
{
    const struct table_schema *t = table(db, table_name);
    const struct column_schema *c = table_schema_find_column(t, "name");
    const struct row *row;
    HMAP_FOR_EACH (row, node, db_table_rows(db, t)) {
        if (!strcmp(row->fields[c->index].keys[0].string, name)) {
            return row;
        }
    }
    return NULL;
}

static void
test_txn_refint_nonexistent_row(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a', "
        "'children': ['uuid', '2dd3b9a6-0000-0000-0000-000000000001']}}");
    assert_commit_error(reply, "referential integrity violation",
                        "2dd3b9a6-0000-0000-0000-000000000001");
    json_unref(reply);
    assert_int_equal(count_rows(db, "Root"), 0);
    db_destroy(db);
}

static void
test_txn_refint_delete_referenced_row(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Child', 'row': {'name': "
               "'c'}, 'uuid-name': 'c'}, {'op': 'insert', 'table': 'Root', "
               "'row': {'name': 'a', 'children': ['named-uuid', 'c']}}");
    struct json *reply = execute(db, "{'op': 'delete', 'table': 'Child', "
                                 "'where': []}");
    assert_commit_error(reply, "referential integrity violation",
                        "Child");
    json_unref(reply);
    assert_int_equal(count_rows(db, "Child"), 1);
    assert_int_equal(find_named(db, "Child", "c")->n_refs, 1);
    db_destroy(db);
}

/* A row of a non-root table that nothing references is garbage. */
static void
test_txn_gc_unreferenced_insert(void **state)
{
    struct db *db = test_db();
    char *s = xasprintf("['Test', {'op': 'insert', 'table': 'Child', "
                        "'row': {'name': 'orphan'}}]");
    struct json *params = parse_quoted(s);
    struct db_exec_result result;
    db_execute(db, params, NULL, &result);
    assert_int_equal(result.status, DB_EXEC_DONE);
    assert_reply_ok(result.reply);
    json_unref(result.reply);
    json_unref(params);
    free(s);
    assert_int_equal(count_rows(db, "Child"), 0);
    db_destroy(db);
}

static void
test_txn_gc_cascades(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Child', 'row': {'name': 'a',"
               " 'next': ['named-uuid', 'b']}, 'uuid-name': 'a'}, "
               "{'op': 'insert', 'table': 'Child', 'row': {'name': 'b', "
               "'next': ['named-uuid', 'c']}, 'uuid-name': 'b'}, "
               "{'op': 'insert', 'table': 'Child', 'row': {'name': 'c'}, "
               "'uuid-name': 'c'}, {'op': 'insert', 'table': 'Root', "
               "'row': {'name': 'r', 'children': ['named-uuid', 'a']}}");
    assert_int_equal(count_rows(db, "Child"), 3);
    assert_int_equal(find_named(db, "Child", "c")->n_refs, 1);

    struct json *record;
    struct db_changes *changes;
    struct json *reply = execute_full(db, "{'op': 'delete', 'table': "
                                      "'Root', 'where': []}", &record,
                                      &changes);
    assert_reply_ok(reply);
    json_unref(reply);
    assert_int_equal(count_rows(db, "Child"), 0);
    assert_int_equal(changes->n_changes, 4);
    for (size_t i = 0; i < changes->n_changes; i++) {
        assert_non_null(changes->changes[i].old);
        assert_null(changes->changes[i].new);
    }
    /* The file records the deletions that garbage collection made. */
    assert_int_equal(json_object_size(json_object_find(record, "Child")), 3);
    json_unref(record);
    db_changes_unref(changes);
    db_destroy(db);
}

/* Deleting a row removes weak references to it from rows the transaction
 * did not otherwise touch. */
static void
test_txn_weak_refs_dropped_on_delete(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Child', 'row': {'name': 'c'},"
               " 'uuid-name': 'c'}, {'op': 'insert', 'table': 'Child', "
               "'row': {'name': 'd'}, 'uuid-name': 'd'}, "
               "{'op': 'insert', 'table': 'Root', 'row': {'name': 'holder', "
               "'children': ['set', [['named-uuid', 'c'], "
               "['named-uuid', 'd']]]}}, "
               "{'op': 'insert', 'table': 'Root', 'row': {'name': 'w', "
               "'weak': ['set', [['named-uuid', 'c'], ['named-uuid', 'd']]], "
               "'wmap': ['map', [['x', ['named-uuid', 'c']], "
               "['y', ['named-uuid', 'd']]]]}}");
    const struct row *c = find_named(db, "Child", "c");
    struct uuid c_uuid = c->uuid;

    /* Drop c from holder's strong set: garbage collection deletes c, and w
     * loses its weak references to c. */
    struct db_changes *changes;
    char *ops = xasprintf("{'op': 'mutate', 'table': 'Root', 'where': "
                          "[['name', '==', 'holder']], 'mutations': "
                          "[['children', 'delete', ['uuid', '"UUID_FMT"']]]}",
                          UUID_ARGS(&c_uuid));
    struct json *reply = execute_full(db, ops, NULL, &changes);
    free(ops);
    assert_reply_ok(reply);
    json_unref(reply);
    assert_int_equal(count_rows(db, "Child"), 1);

    const struct row *w = find_named(db, "Root", "w");
    const struct table_schema *root = table(db, "Root");
    const struct column_schema *weak = table_schema_find_column(root,
                                                                "weak");
    const struct column_schema *wmap = table_schema_find_column(root,
                                                                "wmap");
    assert_int_equal(w->fields[weak->index].n, 1);
    assert_int_equal(w->fields[wmap->index].n, 1);
    assert_string_equal(w->fields[wmap->index].keys[0].string, "y");

    /* holder modified, c deleted, w modified in its two weak columns. */
    assert_int_equal(changes->n_changes, 3);
    bool found = false;
    for (size_t i = 0; i < changes->n_changes; i++) {
        const struct db_row_change *ch = &changes->changes[i];
        if (ch->new == w) {
            found = true;
            assert_true(row_bitmap_is_set(ch->changed, weak->index));
            assert_true(row_bitmap_is_set(ch->changed, wmap->index));
            assert_true(row_bitmap_is_set(ch->changed, DB_COLUMN_VERSION));
            assert_false(row_bitmap_is_set(
                ch->changed, table_schema_find_column(root, "name")->index));
        }
    }
    assert_true(found);
    db_changes_unref(changes);
    db_destroy(db);
}

/* A column that removing dangling weak references leaves below its minimum
 * fails the transaction. */
static void
test_txn_weak_ref_below_min_fails(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Child', 'row': {'name': 'c'},"
               " 'uuid-name': 'c'}, {'op': 'insert', 'table': 'W1', "
               "'row': {'w': ['named-uuid', 'c'], 'strong': "
               "['named-uuid', 'c']}}");
    struct json *reply = execute(db, "{'op': 'update', 'table': 'W1', "
                                 "'where': [], 'row': {'strong': "
                                 "['set', []]}}");
    assert_commit_error(reply, "constraint violation", "\"w\"");
    json_unref(reply);
    assert_int_equal(count_rows(db, "Child"), 1);

    reply = execute(db, "{'op': 'insert', 'table': 'W1', 'row': {'w': "
                    "['uuid', '2dd3b9a6-0000-0000-0000-000000000001']}}");
    assert_commit_error(reply, "constraint violation", "\"w\"");
    json_unref(reply);
    db_destroy(db);
}

/* Weak references to rows that never existed are dropped. */
static void
test_txn_weak_refs_to_missing_rows_dropped(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'w', "
               "'weak': ['uuid', '2dd3b9a6-0000-0000-0000-000000000001']}}");
    const struct row *w = find_named(db, "Root", "w");
    const struct column_schema *weak = table_schema_find_column(
        table(db, "Root"), "weak");
    assert_int_equal(w->fields[weak->index].n, 0);
    db_destroy(db);
}

/* Dropping a map element for its dangling weak value also drops the
 * strong reference in its key, which may make more garbage. */
static void
test_txn_weak_value_drop_releases_strong_key(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Child', 'row': {'name': 'k'},"
               " 'uuid-name': 'k'}, {'op': 'insert', 'table': 'Child', "
               "'row': {'name': 'v'}, 'uuid-name': 'v'}, "
               "{'op': 'insert', 'table': 'Root', 'row': {'name': 'r', "
               "'sm': ['map', [[['named-uuid', 'k'], ['named-uuid', 'v']]]],"
               " 'children': ['named-uuid', 'v']}}");
    assert_int_equal(count_rows(db, "Child"), 2);
    execute_ok(db, "{'op': 'update', 'table': 'Root', 'where': [], 'row': "
               "{'children': ['set', []]}}");
    assert_int_equal(count_rows(db, "Child"), 0);
    db_destroy(db);
}

static void
test_txn_index_duplicate_in_transaction(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'insert', 'table': 'Limited', 'row': {'a': 1, 'b': 'x'}},"
        " {'op': 'insert', 'table': 'Limited', 'row': {'a': 1, 'b': 'x'}}");
    assert_commit_error(reply, "constraint violation", "a, b");
    json_unref(reply);
    assert_int_equal(count_rows(db, "Limited"), 0);
    db_destroy(db);
}

static void
test_txn_index_duplicate_of_committed_row(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Limited', 'row': "
               "{'a': 1, 'b': 'x'}}, {'op': 'insert', 'table': 'Limited', "
               "'row': {'a': 2, 'b': 'x'}}");
    struct json *reply = execute(db, "{'op': 'update', 'table': 'Limited', "
                                 "'where': [['a', '==', 2]], 'row': "
                                 "{'a': 1}}");
    assert_commit_error(reply, "constraint violation", "Limited");
    json_unref(reply);
    db_destroy(db);
}

/* Two rows may exchange their indexed values in one transaction. */
static void
test_txn_index_swap_allowed(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a', "
               "'i': 1}}, {'op': 'insert', 'table': 'Root', 'row': "
               "{'name': 'b', 'i': 2}}");
    execute_ok(db, "{'op': 'update', 'table': 'Root', 'where': "
               "[['i', '==', 1]], 'row': {'name': 'b'}}, "
               "{'op': 'update', 'table': 'Root', 'where': "
               "[['i', '==', 2]], 'row': {'name': 'a'}}");
    const struct column_schema *i = table_schema_find_column(
        table(db, "Root"), "i");
    assert_int_equal(find_named(db, "Root", "a")->fields[i->index]
                     .keys[0].integer, 2);
    db_destroy(db);
}

static void
test_txn_max_rows(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Limited', 'row': {'a': 1}}, "
               "{'op': 'insert', 'table': 'Limited', 'row': {'a': 2}}");
    struct json *reply = execute(db, "{'op': 'insert', 'table': 'Limited', "
                                 "'row': {'a': 3}}");
    assert_commit_error(reply, "constraint violation", "maxRows");
    json_unref(reply);

    /* Deleting one first makes room. */
    execute_ok(db, "{'op': 'delete', 'table': 'Limited', 'where': "
               "[['a', '==', 1]]}, {'op': 'insert', 'table': 'Limited', "
               "'row': {'a': 3}}");
    assert_int_equal(count_rows(db, "Limited"), 2);
    db_destroy(db);
}

static void
test_txn_changes_describe_commit(void **state)
{
    struct db *db = test_db();
    struct db_changes *changes;
    struct json *reply = execute_full(
        db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a'}}, "
        "{'op': 'insert', 'table': 'Root', 'row': {'name': 'b'}}", NULL,
        &changes);
    json_unref(reply);
    assert_int_equal(changes->n_changes, 2);
    assert_null(changes->changes[0].old);
    assert_null(changes->changes[0].changed);
    const struct row *a = changes->changes[0].new;
    assert_ptr_equal(a, find_named(db, "Root", "a"));
    db_changes_unref(changes);

    reply = execute_full(db, "{'op': 'update', 'table': 'Root', 'where': "
                         "[['name', '==', 'a']], 'row': {'i': 9, "
                         "'eph': 'x'}}, {'op': 'delete', 'table': 'Root', "
                         "'where': [['name', '==', 'b']]}", NULL, &changes);
    json_unref(reply);
    assert_int_equal(changes->n_changes, 2);
    const struct db_row_change *mod = &changes->changes[0];
    const struct table_schema *root = table(db, "Root");
    assert_ptr_equal(mod->old, a);  /* The old version lives on. */
    assert_ptr_equal(mod->new, find_named(db, "Root", "a"));
    for (size_t i = 0; i < root->n_columns; i++) {
        const char *name = root->columns[i]->name;
        bool expected = (!strcmp(name, "i") || !strcmp(name, "eph")
                         || !strcmp(name, "_version"));
        assert_int_equal(row_bitmap_is_set(mod->changed, i), expected);
    }
    assert_null(changes->changes[1].new);
    assert_non_null(changes->changes[1].old);
    assert_null(changes->changes[1].changed);

    /* History keeps changes (and their rows) alive. */
    db_changes_ref(changes);
    db_changes_unref(changes);
    assert_int_equal(changes->refcount, 1);
    db_changes_unref(changes);
    db_destroy(db);
}

static void
test_txn_record_format(void **state)
{
    struct db *db = test_db();
    struct json *record;
    struct json *reply = execute_full(
        db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a', "
        "'i': 0, 'iset': ['set', [2, 1]], 'eph': 'x'}, "
        "'uuid': '2dd3b9a6-0000-0000-0000-000000000001'}, "
        "{'op': 'comment', 'comment': 'one'}, "
        "{'op': 'comment', 'comment': 'two'}", &record, NULL);
    json_unref(reply);
    /* Defaults (i) and ephemeral columns (eph) are left out. */
    struct json *expected = parse_quoted(
        "{'Root': {'2dd3b9a6-0000-0000-0000-000000000001': "
        "{'name': 'a', 'iset': ['set', [1, 2]]}}, '_comment': 'one\\ntwo'}");
    assert_non_null(json_object_find(record, "_date"));
    json_unref(json_object_steal(record, "_date"));
    assert_true(json_equal(record, expected));
    json_unref(expected);
    json_unref(record);

    /* A modification lists only the changed persistent columns. */
    reply = execute_full(db, "{'op': 'update', 'table': 'Root', 'where': "
                         "[], 'row': {'i': 4, 'name': 'a', 'eph': 'y'}}",
                         &record, NULL);
    json_unref(reply);
    json_unref(json_object_steal(record, "_date"));
    expected = parse_quoted("{'Root': {'2dd3b9a6-0000-0000-0000-000000000001':"
                            " {'i': 4}}}");
    assert_true(json_equal(record, expected));
    json_unref(expected);
    json_unref(record);

    /* Only an ephemeral column changed: nothing to write. */
    reply = execute_full(db, "{'op': 'update', 'table': 'Root', 'where': "
                         "[], 'row': {'eph': 'z'}}", &record, NULL);
    json_unref(reply);
    assert_null(record);

    reply = execute_full(db, "{'op': 'delete', 'table': 'Root', 'where': "
                         "[]}", &record, NULL);
    json_unref(reply);
    json_unref(json_object_steal(record, "_date"));
    expected = parse_quoted("{'Root': {'2dd3b9a6-0000-0000-0000-000000000001':"
                            " null}}");
    assert_true(json_equal(record, expected));
    json_unref(expected);
    json_unref(record);
    db_destroy(db);
}

/* Returns all rows of 'db' as one JSON object (a snapshot record without
 * its date) for comparisons. */
static struct json *
db_contents(const struct db *db)
{
    struct json *json = db_to_snapshot_record(db);
    json_unref(json_object_steal(json, "_date"));
    return json;
}

static const char *const history[] = {
    ("{'op': 'insert', 'table': 'Child', 'row': {'name': 'a', 'next': "
     "['named-uuid', 'b']}, 'uuid-name': 'a'}, {'op': 'insert', 'table': "
     "'Child', 'row': {'name': 'b'}, 'uuid-name': 'b'}, {'op': 'insert', "
     "'table': 'Root', 'row': {'name': 'r', 'children': ['named-uuid', 'a'], "
     "'weak': ['named-uuid', 'b'], 'm': ['map', [['k', 1], ['l', 2]]], "
     "'r': 1.25, 'b': true, 'u': ['named-uuid', 'a'], 'eph': 'e'}}"),
    ("{'op': 'insert', 'table': 'Root', 'row': {'name': 's', 'iset': "
     "['set', [1, 2, 3]]}}, {'op': 'insert', 'table': 'Limited', 'row': "
     "{'a': 1, 'b': 'x'}}"),
    ("{'op': 'mutate', 'table': 'Root', 'where': [['name', '==', 's']], "
     "'mutations': [['iset', 'delete', 2], ['iset', 'insert', 9]]}, "
     "{'op': 'mutate', 'table': 'Root', 'where': [['name', '==', 'r']], "
     "'mutations': [['m', 'delete', 'k'], ['m', 'insert', ['map', "
     "[['z', 26]]]]]}"),
    ("{'op': 'update', 'table': 'Root', 'where': [['name', '==', 'r']], "
     "'row': {'children': ['set', []]}}"),
    "{'op': 'delete', 'table': 'Limited', 'where': []}",
};

static void
records_replay_to_same_rows(bool diff)
{
    diff_records = diff;
    struct db *db = test_db();
    struct db *replica = test_db();
    for (size_t i = 0; i < ARRAY_SIZE(history); i++) {
        struct json *record;
        struct json *reply = execute_full(db, history[i], &record, NULL);
        assert_reply_ok(reply);
        json_unref(reply);
        assert_non_null(record);

        struct db_changes *changes;
        struct db_error *error = db_apply_record(replica, record, &changes);
        if (error) {
            fail_msg("record %s: %s", json_to_string(record, 0),
                     db_error_to_string(error));
        }
        assert_true(changes->n_changes > 0);
        db_changes_unref(changes);
        db_assert_valid(replica);
        json_unref(record);

        struct json *a = db_contents(db);
        struct json *b = db_contents(replica);
        if (!json_equal(a, b)) {
            fail_msg("after %zu: %s\nvs %s", i, json_to_string(a, JSON_SORT),
                     json_to_string(b, JSON_SORT));
        }
        json_unref(a);
        json_unref(b);
    }
    db_destroy(db);
    db_destroy(replica);
    diff_records = false;
}

static void
test_txn_records_replay_to_same_rows(void **state)
{
    records_replay_to_same_rows(false);
}

static void
test_txn_diff_records_replay_to_same_rows(void **state)
{
    records_replay_to_same_rows(true);
}

/* A diff record holds only what changed in a set. */
static void
test_txn_diff_record_holds_changes(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a', "
               "'iset': ['set', [1, 2, 3, 4, 5]]}, "
               "'uuid': '2dd3b9a6-0000-0000-0000-000000000001'}");
    diff_records = true;
    struct json *record;
    json_unref(execute_full(db, "{'op': 'mutate', 'table': 'Root', 'where': "
                            "[], 'mutations': [['iset', 'insert', 6], "
                            "['iset', 'delete', 1]]}", &record, NULL));
    diff_records = false;
    json_unref(json_object_steal(record, "_date"));
    struct json *expected = parse_quoted(
        "{'Root': {'2dd3b9a6-0000-0000-0000-000000000001': "
        "{'iset': ['set', [1, 6]]}}, '_is_diff': true}");
    assert_true(json_equal(record, expected));
    json_unref(expected);
    json_unref(record);
    db_destroy(db);
}

static void
test_txn_snapshot_recreates_database(void **state)
{
    struct db *db = test_db();
    for (size_t i = 0; i < ARRAY_SIZE(history) - 1; i++) {
        execute_ok(db, history[i]);
    }
    struct json *snapshot = db_to_snapshot_record(db);
    struct db *copy = test_db();
    assert_null(db_apply_record(copy, snapshot, NULL));
    db_assert_valid(copy);
    assert_int_equal(db_count_rows(copy), db_count_rows(db));
    struct json *a = db_contents(db);
    struct json *b = db_contents(copy);
    assert_true(json_equal(a, b));
    json_unref(a);
    json_unref(b);
    json_unref(snapshot);
    db_destroy(db);
    db_destroy(copy);
}

static void
test_txn_apply_record_rejects_bad_records(void **state)
{
    static const char *const cases[] = {
        "[]",
        "{'Nope': {}}",
        "{'Root': []}",
        "{'Root': {'not-a-uuid': {}}}",
        "{'Root': {'2dd3b9a6-0000-0000-0000-000000000001': {'zz': 1}}}",
        "{'Root': {'2dd3b9a6-0000-0000-0000-000000000001': {'i': 'x'}}}",
        "{'Root': {'2dd3b9a6-0000-0000-0000-000000000001': 5}}",
        "{'Root': {'2dd3b9a6-0000-0000-0000-000000000002': null}}",
        /* A good row, then a bad one: neither is applied. */
        ("{'Root': {'2dd3b9a6-0000-0000-0000-000000000003': {'name': 'ok'}, "
         "'2dd3b9a6-0000-0000-0000-000000000004': {'i': 1.5}}}"),
    };
    struct db *db = test_db();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json *record = parse_quoted(cases[i]);
        struct db_changes *changes;
        struct db_error *error = db_apply_record(db, record, &changes);
        if (!error) {
            fail_msg("accepted bad record %s", cases[i]);
        }
        assert_null(changes);
        db_error_destroy(error);
        json_unref(record);
        assert_int_equal(db_count_rows(db), 0);
    }
    db_destroy(db);
}

/* Writes 'records' as an ovsdb(5) standalone database file at 'path', the
 * schema first. */
static void
write_db_file(const char *path, struct json **records, size_t n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i <= n; i++) {
        char *text;
        if (!i) {
            text = xstrdup(ovsdb_test_schema);
        } else {
            text = json_to_string(records[i - 1], 0);
        }
        size_t len = strlen(text);
        text = xrealloc(text, len + 2);
        text[len++] = '\n';
        text[len] = '\0';
        unsigned char sha[SHA_DIGEST_LENGTH];
        SHA1((const unsigned char *) text, len, sha);
        fprintf(f, "OVSDB JSON %zu ", len);
        for (size_t j = 0; j < sizeof sha; j++) {
            fprintf(f, "%02x", sha[j]);
        }
        fprintf(f, "\n%s", text);
        free(text);
    }
    fclose(f);
}

static char *
run_command(const char *command)
{
    FILE *stream = popen(command, "r");
    assert_non_null(stream);
    struct ds ds = DS_EMPTY_INITIALIZER;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stream)) > 0) {
        ds_put_buffer(&ds, buf, n);
    }
    if (pclose(stream)) {
        fail_msg("command failed: %s\n%s", command, ds_cstr(&ds));
    }
    return ds_steal_cstr(&ds);
}

/* Debian's ovsdb-tool reads the records and sees the same rows. */
static void
records_readable_by_ovsdb_tool(bool diff)
{
    diff_records = diff;
    struct db *db = test_db();
    struct json *records[ARRAY_SIZE(history)];
    for (size_t i = 0; i < ARRAY_SIZE(history); i++) {
        struct json *reply = execute_full(db, history[i], &records[i], NULL);
        json_unref(reply);
    }
    char dir[] = "/tmp/kiln-test-txn-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/db", dir);
    write_db_file(path, records, ARRAY_SIZE(history));

    static const char *const tables[] = { "Root", "Child", "Limited" };
    for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
        char *cmd = xasprintf("ovsdb-tool query %s '[\"Test\", {\"op\": "
                              "\"select\", \"table\": \"%s\", \"where\": "
                              "[]}]'", path, tables[t]);
        char *out = run_command(cmd);
        struct json *theirs;
        assert_null(json_from_string(out, &theirs));
        const struct json *rows = json_object_find(json_array_at(theirs, 0),
                                                   "rows");
        assert_non_null(rows);
        assert_int_equal(json_array_size(rows), count_rows(db, tables[t]));
        for (size_t i = 0; i < json_array_size(rows); i++) {
            const struct json *row = json_array_at(rows, i);
            struct uuid uuid;
            assert_true(uuid_from_string(&uuid, json_string(json_array_at(
                json_object_find(row, "_uuid"), 1))));
            const struct row *ours = db_find_row(db, table(db, tables[t]),
                                                 &uuid);
            assert_non_null(ours);
            struct json *mine = row_to_json(ours, NULL);
            /* ovsdb-tool does not know the ephemeral values. */
            json_unref(json_object_steal(mine, "eph"));
            const struct json_member *m;
            JSON_OBJECT_FOR_EACH (m, mine) {
                const struct json *v = json_object_find(row, m->name);
                if (!v || !json_equal(v, m->value)) {
                    fail_msg("%s.%s: ours %s, theirs %s", tables[t],
                             m->name, json_to_string(m->value, 0),
                             v ? json_to_string(v, 0) : "(none)");
                }
            }
            json_unref(mine);
        }
        json_unref(theirs);
        free(out);
        free(cmd);
    }
    for (size_t i = 0; i < ARRAY_SIZE(history); i++) {
        json_unref(records[i]);
    }
    char *rm = xasprintf("rm -rf %s", dir);
    free(run_command(rm));
    free(rm);
    free(path);
    db_destroy(db);
    diff_records = false;
}

static void
test_txn_records_readable_by_ovsdb_tool(void **state)
{
    records_readable_by_ovsdb_tool(false);
}

static void
test_txn_diff_records_readable_by_ovsdb_tool(void **state)
{
    records_readable_by_ovsdb_tool(true);
}

/* Records that ovsdb-tool writes ("_is_diff" records) replay to the rows
 * ovsdb-tool itself reports. */
static void
test_txn_apply_ovsdb_tool_records(void **state)
{
    char dir[] = "/tmp/kiln-test-txn-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *schema_path = xasprintf("%s/schema", dir);
    FILE *f = fopen(schema_path, "w");
    fputs(ovsdb_test_schema, f);
    fclose(f);

    struct ds cmd = DS_EMPTY_INITIALIZER;
    ds_put_format(&cmd, "ovsdb-tool create %s/db %s", dir, schema_path);
    for (size_t i = 0; i < ARRAY_SIZE(history); i++) {
        char *ops = xasprintf("[\"Test\", %s]", history[i]);
        for (char *p = ops; *p; p++) {
            if (*p == '\'') {
                *p = '"';
            }
        }
        ds_put_format(&cmd, " && ovsdb-tool transact %s/db '%s' >/dev/null",
                      dir, ops);
        free(ops);
    }
    ds_put_format(&cmd, " && cat %s/db", dir);
    char *file = run_command(ds_cstr(&cmd));

    /* Every second line is a record; the first is the schema. */
    struct db *db = test_db();
    size_t n_records = 0;
    char *save = NULL;
    int line = 0;
    for (char *s = strtok_r(file, "\n", &save); s;
         s = strtok_r(NULL, "\n", &save), line++) {
        if (line % 2 == 0 || line == 1) {
            continue;
        }
        struct json *record;
        assert_null(json_from_string(s, &record));
        assert_non_null(json_object_find(record, "_is_diff"));
        struct db_error *error = db_apply_record(db, record, NULL);
        if (error) {
            fail_msg("%s: %s", s, db_error_to_string(error));
        }
        db_assert_valid(db);
        json_unref(record);
        n_records++;
    }
    assert_int_equal(n_records, ARRAY_SIZE(history));

    /* Compare with the same history executed here. */
    struct db *expected = test_db();
    for (size_t i = 0; i < ARRAY_SIZE(history); i++) {
        execute_ok(expected, history[i]);
    }
    /* UUIDs differ between the two; compare row counts and values. */
    assert_int_equal(db_count_rows(db), db_count_rows(expected));
    const struct row *r = find_named(db, "Root", "r");
    const struct row *r2 = find_named(expected, "Root", "r");
    const struct table_schema *root = table(db, "Root");
    for (size_t i = 2; i < root->n_columns; i++) {
        const struct column_schema *c = root->columns[i];
        if (c->type.key.type != DB_TYPE_UUID && c->is_persistent) {
            assert_true(datum_equals(&r->fields[i], &r2->fields[i],
                                     &c->type));
        }
    }
    db_destroy(expected);
    db_destroy(db);
    free(file);
    char *rm = xasprintf("rm -rf %s", dir);
    free(run_command(rm));
    free(rm);
    free(schema_path);
    ds_uninit(&cmd);
}

/* Strong reference counts stay exact through a long random history
 * (db_assert_valid() recounts them after every commit). */
static void
test_txn_refcounts_stay_consistent(void **state)
{
    struct db *db = test_db();
    execute_ok(db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'r'}}");
    unsigned int seed = 12345;
    for (int i = 0; i < 300; i++) {
        seed = seed * 1103515245 + 12345;
        const char *ops;
        switch ((seed >> 16) % 4) {
        case 0:
            ops = "{'op': 'insert', 'table': 'Child', 'row': {'name': 'c', "
                  "'next': ['named-uuid', 'n']}, 'uuid-name': 'c'}, "
                  "{'op': 'insert', 'table': 'Child', 'row': {'name': 'n'}, "
                  "'uuid-name': 'n'}, {'op': 'mutate', 'table': 'Root', "
                  "'where': [], 'mutations': [['children', 'insert', "
                  "['named-uuid', 'c']], ['weak', 'insert', "
                  "['named-uuid', 'n']]]}";
            break;
        case 1:
            ops = "{'op': 'update', 'table': 'Child', 'where': "
                  "[['name', '==', 'c']], 'row': {'next': ['set', []]}}";
            break;
        case 2:
            ops = "{'op': 'update', 'table': 'Root', 'where': [], 'row': "
                  "{'children': ['set', []]}}";
            break;
        default:
            ops = "{'op': 'delete', 'table': 'Child', 'where': "
                  "[['name', '==', 'n']]}";
            break;
        }
        json_unref(execute(db, ops));
    }
    db_destroy(db);
}

/* Executes 'ops' on 'db', which must succeed, and applies its diff record
 * (if it changes anything) to 'replica', whose contents must then equal
 * 'db''s.  Returns the changes (the caller unrefs them). */
static struct db_changes *
execute_and_replay(struct db *db, struct db *replica, const char *ops)
{
    struct json *record;
    struct db_changes *changes;
    bool saved = diff_records;
    diff_records = true;
    struct json *reply = execute_full(db, ops, &record, &changes);
    diff_records = saved;
    assert_reply_ok(reply);
    json_unref(reply);
    if (record) {
        struct db_error *error = db_apply_record(replica, record, NULL);
        if (error) {
            fail_msg("record %s: %s", json_to_string(record, 0),
                     db_error_to_string(error));
        }
        db_assert_valid(replica);
        json_unref(record);
    }
    struct json *a = db_contents(db);
    struct json *b = db_contents(replica);
    if (!json_equal(a, b)) {
        fail_msg("%s\nvs %s", json_to_string(a, JSON_SORT),
                 json_to_string(b, JSON_SORT));
    }
    json_unref(a);
    json_unref(b);
    return changes;
}

/* Returns the change of 'changes' whose new version is 'row', or NULL. */
static const struct db_row_change *
find_change(const struct db_changes *changes, const struct row *row)
{
    for (size_t i = 0; changes && i < changes->n_changes; i++) {
        if (changes->changes[i].new == row) {
            return &changes->changes[i];
        }
    }
    return NULL;
}

/* "insert" and "delete" mutations of a few elements of large sets change
 * them in place and track their differences (row_get_diff()): strong and
 * weak reference bookkeeping (db_assert_valid()), weak references dropped
 * for rows deleted or missing, no-op changes, diff records (replayed on a
 * replica) all stay exact through a random history. */
static void
test_txn_big_set_mutations_tracked(void **state)
{
    struct db *db = test_db();
    struct db *replica = test_db();
    const struct table_schema *root = table(db, "Root");
    const size_t children = table_schema_find_column(root,
                                                     "children")->index;
    const size_t weak = table_schema_find_column(root, "weak")->index;
    const size_t iset = table_schema_find_column(root, "iset")->index;

    /* 40 children, each referenced strongly and weakly; 100 integers. */
    struct ds ops = DS_EMPTY_INITIALIZER;
    struct ds refs = DS_EMPTY_INITIALIZER;
    struct ds ints = DS_EMPTY_INITIALIZER;
    for (int i = 0; i < 40; i++) {
        ds_put_format(&ops, "{'op': 'insert', 'table': 'Child', 'row': "
                      "{'name': 'c%d'}, 'uuid-name': 'c%d'}, ", i, i);
        ds_put_format(&refs, "%s['named-uuid', 'c%d']", i ? ", " : "", i);
    }
    for (int i = 0; i < 100; i++) {
        ds_put_format(&ints, "%s%d", i ? ", " : "", i * 2);
    }
    ds_put_format(&ops, "{'op': 'insert', 'table': 'Root', 'row': {'name': "
                  "'r', 'children': ['set', [%s]], 'weak': ['set', [%s]], "
                  "'iset': ['set', [%s]]}}", ds_cstr(&refs), ds_cstr(&refs),
                  ds_cstr(&ints));
    db_changes_unref(execute_and_replay(db, replica, ds_cstr(&ops)));
    ds_uninit(&refs);
    ds_uninit(&ints);

    unsigned int seed = 4321;
    int n_tracked = 0, n_noop = 0, n_dropped = 0;
    for (int step = 0; step < 400; step++) {
        seed = seed * 1103515245 + 12345;
        unsigned int r = seed >> 16;
        const struct row *before = find_named(db, "Root", "r");
        const struct datum *kids = &before->fields[children];
        size_t n_weak = before->fields[weak].n;
        bool noop = false;
        ds_clear(&ops);
        switch (r % 6) {
        case 0:
            /* A new child, in both sets. */
            ds_put_format(&ops, "{'op': 'insert', 'table': 'Child', 'row': "
                          "{'name': 'n%d'}, 'uuid-name': 'n'}, {'op': "
                          "'mutate', 'table': 'Root', 'where': [], "
                          "'mutations': [['children', 'insert', "
                          "['named-uuid', 'n']], ['weak', 'insert', "
                          "['named-uuid', 'n']]]}", step);
            break;
        case 1:
            /* Drop a child from the strong set: it is collected, and the
             * weak set loses it too. */
            if (kids->n <= 16) {
                continue;
            }
            ds_put_format(&ops, "{'op': 'mutate', 'table': 'Root', "
                          "'where': [], 'mutations': [['children', "
                          "'delete', ['uuid', '"UUID_FMT"']]]}",
                          UUID_ARGS(&kids->keys[(r / 5) % kids->n].uuid));
            n_dropped++;
            break;
        case 2:
            /* A weak reference to a row that does not exist vanishes. */
            ds_put_format(&ops, "{'op': 'mutate', 'table': 'Root', "
                          "'where': [], 'mutations': [['weak', 'insert', "
                          "['uuid', '2dd3b9a6-0000-0000-0000-%012u']]]}", r);
            noop = true;
            break;
        case 3:
            /* Inserting and deleting one element changes nothing. */
            ds_put_format(&ops, "{'op': 'mutate', 'table': 'Root', "
                          "'where': [], 'mutations': [['iset', 'insert', "
                          "%u], ['iset', 'delete', %u]]}", r * 2 + 1,
                          r * 2 + 1);
            noop = true;
            break;
        case 4:
            /* Drop a child from the weak set only. */
            if (!n_weak) {
                continue;
            }
            ds_put_format(&ops, "{'op': 'mutate', 'table': 'Root', "
                          "'where': [], 'mutations': [['weak', "
                          "'delete', ['uuid', '"UUID_FMT"']]]}",
                          UUID_ARGS(&before->fields[weak].keys[
                                        (r / 6) % n_weak].uuid));
            break;
        default:
            /* Two added, one removed (maybe one just added). */
            ds_put_format(&ops, "{'op': 'mutate', 'table': 'Root', "
                          "'where': [], 'mutations': [['iset', 'insert', "
                          "['set', [%u, %u]]], ['iset', 'delete', %u]]}",
                          r % 1000, (r / 7) % 1000, (r / 3) % 1000);
            break;
        }
        struct row *old = row_ref(before);
        struct db_changes *changes = execute_and_replay(db, replica,
                                                        ds_cstr(&ops));
        const struct row *after = find_named(db, "Root", "r");
        const struct db_row_change *ch = find_change(changes, after);
        if (noop) {
            assert_ptr_equal(after, before);
            assert_null(ch);
            n_noop++;
        } else if (ch) {
            /* The changes were tracked, and the diffs are exact. */
            for (size_t c = 0; c < root->n_columns; c++) {
                const struct datum *diff = row_get_diff(after, old, c);
                if (c != children && c != weak && c != iset) {
                    /* Untouched columns report no difference. */
                    if (diff) {
                        assert_int_equal(diff->n, 0);
                        assert_true(datum_equals(
                                        &old->fields[c], &after->fields[c],
                                        &root->columns[c]->type));
                    }
                    assert_true(c <= DB_COLUMN_VERSION || diff);
                    continue;
                }
                const struct db_type *type = &root->columns[c]->type;
                struct datum expect;
                datum_diff(&expect, &old->fields[c], &after->fields[c],
                           type);
                if (diff) {
                    n_tracked++;
                    assert_true(datum_equals(diff, &expect, type));
                }
                assert_int_equal(row_bitmap_is_set(ch->changed, c),
                                 expect.n > 0);
                datum_destroy(&expect, type);
            }
        }
        row_unref(old);
        db_changes_unref(changes);

        /* Every child is in the strong set, and the weak set holds only
         * children. */
        assert_true(datum_includes_all(&after->fields[children],
                                       &after->fields[weak],
                                       &root->columns[weak]->type));
        assert_int_equal(after->fields[children].n,
                         count_rows(db, "Child"));
    }
    assert_true(n_tracked > 100);
    assert_true(n_noop > 50);
    assert_true(n_dropped > 20);
    ds_uninit(&ops);
    db_destroy(db);
    db_destroy(replica);
}

/* A database with one table holding a large set of strings. */
static struct db *
strings_db(void)
{
    struct json *json = parse_quoted(
        "{'name':'Test','version':'1.0.0','tables':{'S':{'isRoot':true,"
        "'columns':{'name':{'type':'string'},'strs':{'type':{'key':"
        "'string','min':0,'max':'unlimited'}}}}}}");
    struct db_schema *schema;
    assert_null(db_schema_from_json(json, &schema));
    json_unref(json);
    return db_create(schema);
}

/* A committed version kept alive as a monitor history would, with its
 * contents when it was current. */
struct kept_version {
    struct db_changes *changes; /* Holds the old version. */
    struct row *old;            /* The version replaced (a reference). */
    struct json *snapshot;      /* row_to_json() of it when committed. */
};

/* Mutations of a large set of strings borrow the committed version's
 * strings rather than copying them (row_clone_for_update()), and commits
 * hand them over (row_commit_replace()): through a random history of
 * inserts, deletes, elements put back, aborted transactions and whole
 * replacements, contents match a replica fed the diff records, and old
 * versions kept alive in any order keep their contents. */
static void
test_txn_big_string_set_borrowed(void **state)
{
    struct db *db = strings_db();
    struct db *replica = strings_db();
    const struct table_schema *t = table(db, "S");
    const size_t strs = table_schema_find_column(t, "strs")->index;

    struct ds ops = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ops, "{'op': 'insert', 'table': 'S', 'row': {'name': 's', "
                "'strs': ['set', [");
    for (int i = 0; i < 40; i++) {
        ds_put_format(&ops, "%s'init%d'", i ? ", " : "", i);
    }
    ds_put_cstr(&ops, "]]}}");
    db_changes_unref(execute_and_replay(db, replica, ds_cstr(&ops)));

    enum { N_KEPT = 7 };
    struct kept_version kept[N_KEPT];
    memset(kept, 0, sizeof kept);
    unsigned int seed = 777;
    int n_borrowed = 0;
    for (int step = 0; step < 400; step++) {
        seed = seed * 1103515245 + 12345;
        unsigned int r = seed >> 16;
        const struct row *cur = find_named(db, "S", "s");
        const struct datum *f = &cur->fields[strs];
        const char *some = f->n ? f->keys[(r / 8) % f->n].string : "none";
        bool commits = true;
        ds_clear(&ops);
        const char *mutate = "{'op': 'mutate', 'table': 'S', 'where': [], "
                             "'mutations': ";
        switch (r % 8) {
        case 0:
        case 1:
            ds_put_format(&ops, "%s[['strs', 'insert', ['set', ['a%d', "
                          "'b%u']]]]}", mutate, step, r % 50);
            break;
        case 2:
            ds_put_format(&ops, "%s[['strs', 'delete', '%s']]}", mutate,
                          some);
            break;
        case 3:
            /* Deleted and put back, with a new one. */
            ds_put_format(&ops, "%s[['strs', 'delete', '%s'], ['strs', "
                          "'insert', ['set', ['%s', 'c%d']]]]}", mutate,
                          some, some, step);
            break;
        case 4:
            /* Added and deleted again, with one deleted. */
            ds_put_format(&ops, "%s[['strs', 'insert', 'd%d'], ['strs', "
                          "'delete', ['set', ['d%d', '%s']]]]}", mutate,
                          step, step, some);
            break;
        case 5:
            /* Aborted after the mutation. */
            ds_put_format(&ops, "%s[['strs', 'insert', 'e%d'], ['strs', "
                          "'delete', '%s']]}, {'op': 'abort'}", mutate,
                          step, some);
            commits = false;
            break;
        case 6:
            /* Mutated, then replaced as a whole, then mutated. */
            if (r % 32 != 6) {
                ds_put_format(&ops, "%s[['strs', 'delete', '%s']]}",
                              mutate, some);
                break;
            }
            ds_put_format(&ops, "%s[['strs', 'insert', 'f%d']]}, {'op': "
                          "'update', 'table': 'S', 'where': [], 'row': "
                          "{'strs': ['set', [", mutate, step);
            for (int i = 0; i < 30; i++) {
                ds_put_format(&ops, "%s'g%d_%d'", i ? ", " : "", step, i);
            }
            ds_put_format(&ops, "]]}}, %s[['strs', 'insert', 'h%d']]}",
                          mutate, step);
            break;
        default:
            /* A large change: copied, not borrowed. */
            ds_put_format(&ops, "%s[['strs', 'insert', ['set', [", mutate);
            for (int i = 0; i < 20; i++) {
                ds_put_format(&ops, "%s'i%d_%d'", i ? ", " : "", step, i);
            }
            ds_put_cstr(&ops, "]]]]}");
            break;
        }

        if (!commits) {
            struct json *reply = execute(db, ds_cstr(&ops));
            assert_non_null(reply_error(reply, json_array_size(reply) - 1));
            json_unref(reply);
            continue;
        }
        struct row *before = row_ref(cur);
        struct json *snapshot = row_to_json(before, NULL);
        struct db_changes *changes = execute_and_replay(db, replica,
                                                        ds_cstr(&ops));
        const struct row *after = find_named(db, "S", "s");
        if (after != before && row_get_diff(after, before, strs)) {
            n_borrowed++;
        }

        /* Keep this version for a while; release an older one, not
         * always the oldest. */
        size_t slot = (r / 16) % N_KEPT;
        struct kept_version *k = &kept[slot];
        if (k->old) {
            struct json *now = row_to_json(k->old, NULL);
            assert_true(json_equal(now, k->snapshot));
            json_unref(now);
            json_unref(k->snapshot);
            row_unref(k->old);
            db_changes_unref(k->changes);
        }
        k->old = before;
        k->snapshot = snapshot;
        k->changes = changes;
    }
    for (size_t i = 0; i < N_KEPT; i++) {
        if (kept[i].old) {
            struct json *now = row_to_json(kept[i].old, NULL);
            assert_true(json_equal(now, kept[i].snapshot));
            json_unref(now);
            json_unref(kept[i].snapshot);
            row_unref(kept[i].old);
            db_changes_unref(kept[i].changes);
        }
    }
    assert_true(n_borrowed > 100);
    ds_uninit(&ops);
    db_destroy(db);
    /* Versions outlive the database that committed them. */
    db_destroy(replica);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_txn_refint_nonexistent_row),
        cmocka_unit_test(test_txn_refint_delete_referenced_row),
        cmocka_unit_test(test_txn_gc_unreferenced_insert),
        cmocka_unit_test(test_txn_gc_cascades),
        cmocka_unit_test(test_txn_weak_refs_dropped_on_delete),
        cmocka_unit_test(test_txn_weak_ref_below_min_fails),
        cmocka_unit_test(test_txn_weak_refs_to_missing_rows_dropped),
        cmocka_unit_test(test_txn_weak_value_drop_releases_strong_key),
        cmocka_unit_test(test_txn_index_duplicate_in_transaction),
        cmocka_unit_test(test_txn_index_duplicate_of_committed_row),
        cmocka_unit_test(test_txn_index_swap_allowed),
        cmocka_unit_test(test_txn_max_rows),
        cmocka_unit_test(test_txn_changes_describe_commit),
        cmocka_unit_test(test_txn_record_format),
        cmocka_unit_test(test_txn_records_replay_to_same_rows),
        cmocka_unit_test(test_txn_diff_records_replay_to_same_rows),
        cmocka_unit_test(test_txn_diff_record_holds_changes),
        cmocka_unit_test(test_txn_snapshot_recreates_database),
        cmocka_unit_test(test_txn_apply_record_rejects_bad_records),
        cmocka_unit_test(test_txn_records_readable_by_ovsdb_tool),
        cmocka_unit_test(test_txn_diff_records_readable_by_ovsdb_tool),
        cmocka_unit_test(test_txn_apply_ovsdb_tool_records),
        cmocka_unit_test(test_txn_refcounts_stay_consistent),
        cmocka_unit_test(test_txn_big_set_mutations_tracked),
        cmocka_unit_test(test_txn_big_string_set_borrowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
