/* Unit tests for ovsdb/execute.h: every "transact" operation of RFC 7047
 * §5.2 and its error paths, conditions, mutations, and the shape of the
 * result array.  Requests are written with single quotes for readability;
 * the helpers turn them into double quotes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
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

/* Executes the operations 'ops' (a comma-separated list, single-quoted) on
 * 'db' in 'env', commits if there is anything to commit, and returns the
 * reply (NULL if blocked, with '*statusp' set). */
static struct json *
execute_env(struct db *db, const char *ops, const struct db_exec_env *env,
            struct db_exec_result *resultp)
{
    char *s = xasprintf("['Test', %s]", ops);
    struct json *params = parse_quoted(s);
    free(s);
    db_execute(db, params, env, resultp);
    json_unref(params);
    if (resultp->status == DB_EXEC_COMMIT) {
        db_changes_unref(db_txn_commit(resultp->txn));
        resultp->txn = NULL;
    }
    db_assert_valid(db);
    return resultp->reply;
}

static struct json *
execute(struct db *db, const char *ops)
{
    struct db_exec_result result;
    struct json *reply = execute_env(db, ops, NULL, &result);
    assert_int_not_equal(result.status, DB_EXEC_BLOCKED);
    return reply;
}

/* Returns the error tag of element 'i' of 'reply', or NULL if it is not an
 * error. */
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

static void
assert_reply_error(const struct json *reply, size_t i, const char *tag)
{
    const char *error = reply_error(reply, i);
    if (!error || strcmp(error, tag)) {
        fail_msg("expected \"%s\" at %zu: %s", tag, i,
                 json_to_string(reply, 0));
    }
}

static long long
reply_count(const struct json *reply, size_t i)
{
    const struct json *count = json_object_find(json_array_at(reply, i),
                                                "count");
    assert_non_null(count);
    return json_integer(count);
}

static const struct json *
reply_rows(const struct json *reply, size_t i)
{
    const struct json *rows = json_object_find(json_array_at(reply, i),
                                               "rows");
    assert_non_null(rows);
    return rows;
}

/* Checks that 'json' equals the single-quoted JSON 'expected'. */
static void
assert_json(const struct json *json, const char *expected)
{
    struct json *e = parse_quoted(expected);
    if (!json_equal(json, e)) {
        fail_msg("got %s, expected %s", json_to_string(json, JSON_SORT),
                 json_to_string(e, JSON_SORT));
    }
    json_unref(e);
}

/* Returns the value of 'column' in the only row of 'table' whose name is
 * 'name' (select), which the caller frees. */
static struct json *
select_column(struct db *db, const char *table, const char *name,
              const char *column)
{
    char *ops = xasprintf("{'op': 'select', 'table': '%s', 'where': "
                          "[['name', '==', '%s']], 'columns': ['%s']}",
                          table, name, column);
    struct json *reply = execute(db, ops);
    free(ops);
    assert_reply_ok(reply);
    const struct json *rows = reply_rows(reply, 0);
    assert_int_equal(json_array_size(rows), 1);
    struct json *value = json_ref(json_object_find(json_array_at(rows, 0),
                                                   column));
    json_unref(reply);
    return value;
}

static size_t
count_rows(const struct db *db, const char *table)
{
    const struct table_schema *ts = db_schema_find_table(db_get_schema(db),
                                                         table);
    return hmap_count(db_table_rows(db, ts));
}

static void
test_execute_insert_and_select(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(db, "{'op': 'insert', 'table': 'Root', "
                                 "'row': {'name': 'a', 'i': 5, "
                                 "'iset': ['set', [3, 1]]}}");
    assert_reply_ok(reply);
    assert_int_equal(json_array_size(reply), 1);
    const struct json *uuid = json_object_find(json_array_at(reply, 0),
                                               "uuid");
    assert_non_null(uuid);
    struct uuid u;
    assert_true(uuid_from_string(&u, json_string(json_array_at(uuid, 1))));
    json_unref(reply);

    const struct table_schema *root = db_schema_find_table(
        db_get_schema(db), "Root");
    const struct row *row = db_find_row(db, root, &u);
    assert_non_null(row);
    assert_true(uuid_equals(&row->uuid, &u));

    reply = execute(db, "{'op': 'select', 'table': 'Root', 'where': [], "
                    "'columns': ['name', 'i', 'iset', 'm', 'b']}");
    assert_json(reply_rows(reply, 0), "[{'name': 'a', 'i': 5, "
                "'iset': ['set', [1, 3]], 'm': ['map', []], 'b': false}]");
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_select_all_columns_includes_uuid_and_version(void **state)
{
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Child', "
                       "'row': {'name': 'c'}, 'uuid-name': 'x'}, "
                       "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'r', 'children': ['named-uuid', 'x']}}"));
    struct json *reply = execute(db, "{'op': 'select', 'table': 'Root', "
                                 "'where': []}");
    const struct json *row = json_array_at(reply_rows(reply, 0), 0);
    const struct table_schema *root = db_schema_find_table(
        db_get_schema(db), "Root");
    assert_int_equal(json_object_size(row), root->n_columns);
    assert_non_null(json_object_find(row, "_uuid"));
    assert_non_null(json_object_find(row, "_version"));
    assert_non_null(json_object_find(row, "eph"));
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_insert_explicit_uuid(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a'}, "
        "'uuid': '2dd3b9a6-0000-0000-0000-000000000001'}");
    assert_json(json_array_at(reply, 0), "{'uuid': ['uuid', "
                "'2dd3b9a6-0000-0000-0000-000000000001']}");
    json_unref(reply);

    /* Unique per table, not per database. */
    reply = execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                    "{'name': 'b'}, 'uuid': "
                    "'2dd3b9a6-0000-0000-0000-000000000001'}");
    assert_reply_error(reply, 0, "duplicate uuid");
    json_unref(reply);
    reply = execute(db, "{'op': 'insert', 'table': 'Limited', 'row': {}, "
                    "'uuid': '2dd3b9a6-0000-0000-0000-000000000001'}");
    assert_reply_ok(reply);
    json_unref(reply);

    /* Nor may it reuse the UUID of a row it deleted. */
    reply = execute(db, "{'op': 'delete', 'table': 'Root', 'where': []}, "
                    "{'op': 'insert', 'table': 'Root', 'row': {}, 'uuid': "
                    "'2dd3b9a6-0000-0000-0000-000000000001'}");
    assert_reply_error(reply, 1, "duplicate uuid");
    json_unref(reply);

    reply = execute(db, "{'op': 'insert', 'table': 'Root', 'row': {}, "
                    "'uuid': 'nope'}");
    assert_reply_error(reply, 0, "syntax error");
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_duplicate_uuid_name(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a'}, "
        "'uuid-name': 'x'}, {'op': 'insert', 'table': 'Root', 'row': "
        "{'name': 'b'}, 'uuid-name': 'x'}");
    assert_int_equal(json_array_size(reply), 2);
    assert_reply_error(reply, 1, "duplicate uuid-name");
    json_unref(reply);
    assert_int_equal(count_rows(db, "Root"), 0);
    db_destroy(db);
}

/* A named UUID may be used before the insert that defines it, including
 * in where clauses and inside maps. */
static void
test_execute_named_uuid_references(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a', "
        "'u': ['named-uuid', 'b'], 'sm': ['map', [[['named-uuid', 'c'], "
        "['named-uuid', 'c']]]]}}, "
        "{'op': 'insert', 'table': 'Root', 'row': {'name': 'b'}, "
        "'uuid-name': 'b'}, "
        "{'op': 'insert', 'table': 'Child', 'row': {'name': 'c'}, "
        "'uuid-name': 'c'}, "
        "{'op': 'select', 'table': 'Root', 'where': "
        "[['_uuid', '==', ['named-uuid', 'b']]], 'columns': ['name']}");
    assert_reply_ok(reply);
    assert_json(reply_rows(reply, 3), "[{'name': 'b'}]");
    struct json *b_uuid = json_object_find(json_array_at(reply, 1), "uuid");
    struct json *u = select_column(db, "Root", "a", "u");
    assert_true(json_equal(u, b_uuid));
    json_unref(u);
    json_unref(reply);
    assert_int_equal(count_rows(db, "Child"), 1);
    db_destroy(db);
}

static void
test_execute_insert_checks_defaults_against_constraints(void **state)
{
    struct db *db = test_db();
    /* W1.w is a weak reference with min 1: its default, the all-zeros
     * UUID, refers to nothing and must be dropped, which fails. */
    struct json *reply = execute(db, "{'op': 'insert', 'table': 'W1', "
                                 "'row': {}}");
    assert_int_equal(json_array_size(reply), 2);
    assert_reply_error(reply, 1, "constraint violation");
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_select_conditions(void **state)
{
    static const struct {
        const char *where;      /* Clauses, single-quoted. */
        size_t n;               /* Rows expected. */
    } cases[] = {
        { "[]", 3 },
        { "[true]", 3 },
        { "[false]", 0 },
        { "[['i', '==', 1]]", 1 },
        { "[['i', '!=', 1]]", 2 },
        { "[['i', '<', 2]]", 1 },
        { "[['i', '<=', 2]]", 2 },
        { "[['i', '>', 2]]", 1 },
        { "[['i', '>=', 1], ['i', '<=', 3]]", 3 },
        { "[['r', '>', 1.5]]", 2 },
        { "[['oi', '<', 5]]", 1 },
        { "[['oi', '>', 0]]", 2 },
        { "[['oi', '==', ['set', []]]]", 1 },
        { "[['iset', 'includes', 1]]", 2 },
        { "[['iset', 'includes', ['set', [1, 2]]]]", 1 },
        { "[['iset', 'includes', ['set', []]]]", 3 },
        { "[['iset', 'excludes', ['set', [2, 9]]]]", 2 },
        { "[['iset', '==', ['set', [1, 2]]]]", 1 },
        { "[['iset', '!=', ['set', [1, 2]]]]", 2 },
        { "[['m', 'includes', ['map', [['k', 1]]]]]", 1 },
        { "[['m', 'includes', ['map', [['k', 2]]]]]", 1 },
        { "[['m', 'excludes', ['map', [['k', 1]]]]]", 2 },
        { "[['name', 'includes', 'a']]", 1 },
        { "[['name', 'excludes', 'a']]", 2 },
        { "[['b', '==', true]]", 1 },
        { "[['e', 'includes', 'a']]", 2 },
        { "[['_uuid', '==', ['uuid', "
          "'2dd3b9a6-0000-0000-0000-000000000002']]]", 1 },
        { "[['_uuid', '!=', ['uuid', "
          "'2dd3b9a6-0000-0000-0000-000000000002']]]", 2 },
        { "[['_uuid', '==', ['uuid', "
          "'2dd3b9a6-0000-0000-0000-000000000009']]]", 0 },
        { "[['_uuid', '==', ['uuid', "
          "'2dd3b9a6-0000-0000-0000-000000000002']], ['i', '==', 1]]", 0 },
    };
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a', "
        "'i': 1, 'r': 1, 'iset': ['set', [1, 2]], 'm': ['map', [['k', 1]]], "
        "'b': true, 'e': 'a'}}, "
        "{'op': 'insert', 'table': 'Root', 'row': {'name': 'b', "
        "'i': 2, 'r': 2, 'oi': 7, 'iset': 1, 'm': ['map', [['k', 2]]], "
        "'e': ['set', ['a', 'b']]}, "
        "'uuid': '2dd3b9a6-0000-0000-0000-000000000002'}, "
        "{'op': 'insert', 'table': 'Root', 'row': {'name': 'c', "
        "'i': 3, 'r': 3, 'oi': 2}}");
    assert_reply_ok(reply);
    json_unref(reply);

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *ops = xasprintf("{'op': 'select', 'table': 'Root', "
                              "'where': %s}", cases[i].where);
        reply = execute(db, ops);
        assert_reply_ok(reply);
        size_t n = json_array_size(reply_rows(reply, 0));
        if (n != cases[i].n) {
            fail_msg("where %s: %zu rows, expected %zu", cases[i].where, n,
                     cases[i].n);
        }
        json_unref(reply);
        free(ops);
    }
    db_destroy(db);
}

/* A condition that fixes an index's columns is an index lookup, which must
 * still see what the transaction did. */
static void
test_execute_select_by_index_sees_transaction(void **state)
{
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a', 'i': 1}}, {'op': 'insert', 'table': "
                       "'Root', 'row': {'name': 'b', 'i': 2}}, "
                       "{'op': 'insert', 'table': 'Limited', 'row': "
                       "{'a': 1, 'b': 'x'}}"));
    struct json *reply = execute(
        db, "{'op': 'select', 'table': 'Root', 'where': "
        "[['name', '==', 'a']], 'columns': ['i']}, "
        "{'op': 'select', 'table': 'Root', 'where': "
        "[['name', '==', 'a'], ['i', '==', 2]]}, "
        "{'op': 'update', 'table': 'Root', 'where': [['name', '==', 'a']], "
        "'row': {'name': 'q'}}, "
        "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a', 'i': 3}}, "
        "{'op': 'select', 'table': 'Root', 'where': "
        "[['name', '==', 'a']], 'columns': ['i']}, "
        "{'op': 'select', 'table': 'Root', 'where': "
        "[['name', '==', 'q']], 'columns': ['i']}, "
        "{'op': 'delete', 'table': 'Root', 'where': [['name', '==', 'b']]}, "
        "{'op': 'select', 'table': 'Root', 'where': [['name', '==', 'b']]}, "
        "{'op': 'select', 'table': 'Limited', 'where': "
        "[['b', '==', 'x'], ['a', '==', 1]], 'columns': ['a']}, "
        "{'op': 'select', 'table': 'Limited', 'where': "
        "[['b', '==', 'x'], ['a', '==', 2]], 'columns': ['a']}");
    assert_reply_ok(reply);
    assert_json(reply_rows(reply, 0), "[{'i': 1}]");
    assert_json(reply_rows(reply, 1), "[]");
    assert_json(reply_rows(reply, 4), "[{'i': 3}]");
    assert_json(reply_rows(reply, 5), "[{'i': 1}]");
    assert_int_equal(reply_count(reply, 6), 1);
    assert_json(reply_rows(reply, 7), "[]");
    assert_json(reply_rows(reply, 8), "[{'a': 1}]");
    assert_json(reply_rows(reply, 9), "[]");
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_condition_errors(void **state)
{
    static const char *const cases[][2] = {
        { "[['nope', '==', 1]]", "unknown column" },
        { "[['i', '~=', 1]]", "unknown function" },
        { "[['i', '<', 'x']]", "syntax error" },
        { "[['iset', '<', 1]]", "syntax error" },
        { "[['name', '<', 'a']]", "syntax error" },
        { "[['m', '>', 1]]", "syntax error" },
        { "[['i', '==']]", "syntax error" },
        { "['bad']", "syntax error" },
        { "[['e', 'includes', 'q']]", "constraint violation" },
    };
    struct db *db = test_db();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *ops = xasprintf("{'op': 'select', 'table': 'Root', "
                              "'where': %s}", cases[i][0]);
        struct json *reply = execute(db, ops);
        assert_reply_error(reply, 0, cases[i][1]);
        json_unref(reply);
        free(ops);
    }
    db_destroy(db);
}

static void
test_execute_update(void **state)
{
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a', 'i': 1}}, {'op': 'insert', 'table': "
                       "'Root', 'row': {'name': 'b', 'i': 1}}, "
                       "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'c', 'i': 2}}"));
    struct json *reply = execute(db, "{'op': 'update', 'table': 'Root', "
                                 "'where': [['i', '==', 1]], 'row': "
                                 "{'s': 'x', 'm': ['map', [['a', 1]]]}}");
    assert_int_equal(reply_count(reply, 0), 2);
    json_unref(reply);

    struct json *s = select_column(db, "Root", "b", "s");
    assert_json(s, "'x'");
    json_unref(s);
    s = select_column(db, "Root", "c", "s");
    assert_json(s, "['set', []]");
    json_unref(s);
    db_destroy(db);
}

static void
test_execute_update_immutable_column_rejected(void **state)
{
    static const char *const columns[] = { "imm", "_uuid", "_version" };
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a', 'imm': 3}}"));
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        const char *value = i ? "['uuid', "
                                "'2dd3b9a6-0000-0000-0000-000000000002']"
                              : "4";
        char *ops = xasprintf("{'op': 'update', 'table': 'Root', 'where': "
                              "[], 'row': {'%s': %s}}", columns[i], value);
        struct json *reply = execute(db, ops);
        assert_reply_error(reply, 0, "constraint violation");
        json_unref(reply);
        free(ops);

        ops = xasprintf("{'op': 'mutate', 'table': 'Root', 'where': [], "
                        "'mutations': [['%s', '+=', 1]]}", columns[i]);
        reply = execute(db, ops);
        assert_reply_error(reply, 0, "constraint violation");
        json_unref(reply);
        free(ops);
    }
    struct json *imm = select_column(db, "Root", "a", "imm");
    assert_json(imm, "3");
    json_unref(imm);
    db_destroy(db);
}

static void
test_execute_mutate(void **state)
{
    static const char *const cases[][3] = {
        /* mutation, column, value afterward (each applies to the last) */
        { "['i', '+=', 5]", "i", "15" },
        { "['i', '-=', 3]", "i", "12" },
        { "['i', '*=', 4]", "i", "48" },
        { "['i', '/=', 5]", "i", "9" },
        { "['i', '%=', 4]", "i", "1" },
        { "['r', '*=', 3]", "r", "7.5" },
        { "['r', '/=', 2]", "r", "3.75" },
        { "['iset', '+=', 10]", "iset", "['set', [11, 12, 13]]" },
        { "['iset', 'insert', ['set', [1, 12]]]", "iset",
          "['set', [1, 11, 12, 13]]" },
        { "['iset', 'delete', ['set', [11, 99]]]", "iset",
          "['set', [1, 12, 13]]" },
        { "['iset', 'delete', 13]", "iset", "['set', [1, 12]]" },
        { "['oi', 'insert', 4]", "oi", "4" },
        { "['oi', '*=', 2]", "oi", "8" },
        { "['oi', 'delete', 8]", "oi", "['set', []]" },
        { "['m', 'insert', ['map', [['a', 9], ['c', 3]]]]", "m",
          "['map', [['a', 1], ['b', 2], ['c', 3]]]" },
        { "['m', 'delete', ['map', [['a', 9], ['b', 2]]]]", "m",
          "['map', [['a', 1], ['c', 3]]]" },
        { "['m', 'delete', ['set', ['c']]]", "m", "['map', [['a', 1]]]" },
        { "['e', 'insert', 'b']", "e", "['set', ['a', 'b']]" },
        /* A "delete" operand may exceed the column's maximum. */
        { "['rset', 'delete', ['set', [1, 2, 3, 4]]]", "rset",
          "['set', []]" },
    };
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a', 'i': 10, 'r': 2.5, "
                       "'iset': ['set', [1, 2, 3]], 'e': 'a', "
                       "'m': ['map', [['a', 1], ['b', 2]]]}}"));
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *ops = xasprintf("{'op': 'mutate', 'table': 'Root', 'where': "
                              "[['name', '==', 'a']], 'mutations': [%s]}",
                              cases[i][0]);
        struct json *reply = execute(db, ops);
        assert_reply_ok(reply);
        assert_int_equal(reply_count(reply, 0), 1);
        json_unref(reply);
        free(ops);
        struct json *value = select_column(db, "Root", "a", cases[i][1]);
        assert_json(value, cases[i][2]);
        json_unref(value);
    }
    db_destroy(db);
}

static void
test_execute_mutate_errors(void **state)
{
    static const char *const cases[][2] = {
        { "['i', '/=', 0]", "domain error" },
        { "['i', '%=', 0]", "domain error" },
        { "['r', '/=', 0]", "domain error" },
        { "['i', '+=', 9223372036854775807]", "range error" },
        { "['r', '*=', 1e308]", "range error" },
        { "['i', '*=', 1000]", "constraint violation" },
        { "['iset', '*=', 0]", "constraint violation" },
        { "['rset', 'insert', ['set', [5, 6, 7]]]", "constraint violation" },
        { "['e', 'insert', 'q']", "constraint violation" },
        { "['s', 'insert', 'toolong']", "constraint violation" },
        { "['r', '%=', 2]", "syntax error" },
        { "['name', '+=', 1]", "syntax error" },
        { "['i', 'insert', 1]", "syntax error" },
        { "['m', '+=', 1]", "syntax error" },
        { "['iset', '+=', 1.5]", "syntax error" },
        { "['iset', 'frob', 1]", "unknown mutator" },
        /* RFC 7047 §5.1: an "insert" operand has the column's type, with
         * no minimum but the maximum kept; a "delete" operand keeps the
         * atoms' constraints; on a map, one that is not a valid map is
         * read as a set of keys. */
        { "['rset', 'insert', ['set', [5, 6, 7, 8]]]", "syntax error" },
        { "['e', 'delete', 'q']", "constraint violation" },
        { "['m', 'delete', ['map', [['a', 'x']]]]", "syntax error" },
        { "['nope', '+=', 1]", "unknown column" },
        { "'bad'", "syntax error" },
    };
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a', 'i': 10, 'r': 2.5, "
                       "'iset': ['set', [1, 2]], 'rset': 1}}"));
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *ops = xasprintf("{'op': 'mutate', 'table': 'Root', 'where': "
                              "[], 'mutations': [['i', '+=', 1], %s]}",
                              cases[i][0]);
        struct json *reply = execute(db, ops);
        assert_reply_error(reply, 0, cases[i][1]);
        json_unref(reply);
        free(ops);
    }
    /* Nothing changed, not even the first mutation of each. */
    struct json *value = select_column(db, "Root", "a", "i");
    assert_json(value, "10");
    json_unref(value);
    db_destroy(db);
}

static void
test_execute_delete(void **state)
{
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a', 'i': 1}}, {'op': 'insert', 'table': "
                       "'Root', 'row': {'name': 'b', 'i': 1}}, "
                       "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'c', 'i': 2}}"));
    struct json *reply = execute(db, "{'op': 'delete', 'table': 'Root', "
                                 "'where': [['i', '==', 1]]}, "
                                 "{'op': 'select', 'table': 'Root', "
                                 "'where': [], 'columns': ['name']}");
    assert_int_equal(reply_count(reply, 0), 2);
    assert_json(reply_rows(reply, 1), "[{'name': 'c'}]");
    json_unref(reply);
    assert_int_equal(count_rows(db, "Root"), 1);

    reply = execute(db, "{'op': 'delete', 'table': 'Root', 'where': "
                    "[['i', '==', 1]]}");
    assert_int_equal(reply_count(reply, 0), 0);
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_wait_satisfied(void **state)
{
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a', 'i': 1}, 'uuid': "
                       "'2dd3b9a6-0000-0000-0000-000000000001'}"));
    struct json *reply = execute(
        db, "{'op': 'wait', 'table': 'Root', 'where': [], 'columns': "
        "['name', 'i'], 'until': '==', 'rows': [{'name': 'a', 'i': 1}], "
        "'timeout': 0}, "
        "{'op': 'wait', 'table': 'Root', 'where': [], 'columns': "
        "['_uuid'], 'until': '==', 'rows': [{'_uuid': ['uuid', "
        "'2dd3b9a6-0000-0000-0000-000000000001']}], 'timeout': 0}, "
        "{'op': 'wait', 'table': 'Root', 'where': [], 'columns': "
        "['i'], 'until': '!=', 'rows': [{'i': 2}], 'timeout': 0}, "
        "{'op': 'wait', 'table': 'Root', 'where': [['i', '==', 5]], "
        "'columns': ['i'], 'until': '==', 'rows': []}");
    assert_reply_ok(reply);
    assert_json(reply, "[{}, {}, {}, {}]");
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_wait_timeout_zero_fails_at_once(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'wait', 'table': 'Root', 'where': [], 'columns': "
        "['name'], 'until': '==', 'rows': [{'name': 'q'}], 'timeout': 0}");
    assert_reply_error(reply, 0, "timed out");
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_wait_blocks_until_timeout(void **state)
{
    struct db *db = test_db();
    const char *ops = "{'op': 'insert', 'table': 'Root', 'row': "
                      "{'name': 'x'}}, {'op': 'wait', 'table': 'Root', "
                      "'where': [['name', '==', 'a']], 'columns': ['name'], "
                      "'until': '==', 'rows': [{'name': 'a'}], "
                      "'timeout': 1000}";
    struct db_exec_env env = { NULL, NULL, 300 };
    struct db_exec_result result;
    struct json *reply = execute_env(db, ops, &env, &result);
    assert_null(reply);
    assert_int_equal(result.status, DB_EXEC_BLOCKED);
    assert_int_equal(result.retry_ms, 700);
    assert_null(result.txn);
    assert_int_equal(count_rows(db, "Root"), 0);

    /* Once satisfied, the whole request runs. */
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a'}}"));
    reply = execute_env(db, ops, &env, &result);
    assert_int_equal(result.status, DB_EXEC_COMMIT);
    assert_reply_ok(reply);
    json_unref(reply);
    assert_int_equal(count_rows(db, "Root"), 2);

    /* Past the timeout it fails. */
    env.elapsed_ms = 1000;
    reply = execute_env(db, "{'op': 'wait', 'table': 'Root', 'where': [], "
                        "'columns': ['name'], 'until': '==', 'rows': [], "
                        "'timeout': 1000}", &env, &result);
    assert_reply_error(reply, 0, "timed out");
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_wait_without_timeout_blocks_forever(void **state)
{
    struct db *db = test_db();
    struct db_exec_result result;
    struct db_exec_env env = { NULL, NULL, 1000000 };
    struct json *reply = execute_env(
        db, "{'op': 'wait', 'table': 'Root', 'where': [], 'columns': [], "
        "'until': '!=', 'rows': []}", &env, &result);
    assert_null(reply);
    assert_int_equal(result.status, DB_EXEC_BLOCKED);
    assert_int_equal(result.retry_ms, -1);
    db_destroy(db);
}

static void
test_execute_commit_durable(void **state)
{
    struct db *db = test_db();
    struct db_exec_result result;
    struct json *reply = execute_env(
        db, "{'op': 'insert', 'table': 'Root', 'row': {}}, "
        "{'op': 'commit', 'durable': true}", NULL, &result);
    assert_true(result.durable);
    assert_json(json_array_at(reply, 1), "{}");
    json_unref(reply);

    reply = execute_env(db, "{'op': 'commit', 'durable': false}", NULL,
                        &result);
    assert_false(result.durable);
    json_unref(reply);

    reply = execute_env(db, "{'op': 'commit'}", NULL, &result);
    assert_reply_error(reply, 0, "syntax error");
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_abort(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(db, "{'op': 'insert', 'table': 'Root', "
                                 "'row': {}}, {'op': 'abort'}, "
                                 "{'op': 'comment', 'comment': 'x'}");
    assert_int_equal(json_array_size(reply), 3);
    assert_reply_error(reply, 1, "aborted");
    assert_true(json_is_null(json_array_at(reply, 2)));
    json_unref(reply);
    assert_int_equal(count_rows(db, "Root"), 0);
    db_destroy(db);
}

static bool
has_lock_cb(const char *name, void *aux)
{
    return !strcmp(name, aux);
}

static void
test_execute_assert_lock(void **state)
{
    struct db *db = test_db();
    struct db_exec_env env = { has_lock_cb, "mine", 0 };
    struct db_exec_result result;
    struct json *reply = execute_env(db, "{'op': 'assert', 'lock': 'mine'}",
                                     &env, &result);
    assert_reply_ok(reply);
    json_unref(reply);

    reply = execute_env(db, "{'op': 'assert', 'lock': 'theirs'}", &env,
                        &result);
    assert_reply_error(reply, 0, "not owner");
    json_unref(reply);

    reply = execute(db, "{'op': 'assert', 'lock': 'mine'}");
    assert_reply_error(reply, 0, "not owner");
    json_unref(reply);
    db_destroy(db);
}

/* RFC 7047 §4.1.3: a failing operation's error is followed by nulls for the
 * operations not executed. */
static void
test_execute_failed_op_pads_with_nulls(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'insert', 'table': 'Root', 'row': {}}, "
        "{'op': 'select', 'table': 'Nope', 'where': []}, "
        "{'op': 'insert', 'table': 'Root', 'row': {}}, "
        "{'op': 'comment', 'comment': 'x'}");
    assert_int_equal(json_array_size(reply), 4);
    assert_non_null(json_object_find(json_array_at(reply, 0), "uuid"));
    assert_reply_error(reply, 1, "syntax error");
    assert_true(json_is_null(json_array_at(reply, 2)));
    assert_true(json_is_null(json_array_at(reply, 3)));
    json_unref(reply);
    assert_int_equal(count_rows(db, "Root"), 0);
    db_destroy(db);
}

/* ...and a commit-time failure is one extra element. */
static void
test_execute_commit_failure_appends_error(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'x'}}, "
        "{'op': 'insert', 'table': 'Root', 'row': {'name': 'x'}}");
    assert_int_equal(json_array_size(reply), 3);
    assert_reply_error(reply, 2, "constraint violation");
    json_unref(reply);
    assert_int_equal(count_rows(db, "Root"), 0);
    db_destroy(db);
}

static void
test_execute_error_tags(void **state)
{
    static const char *const cases[][2] = {
        { "'foo'", "syntax error" },
        { "{'table': 'Root'}", "syntax error" },
        { "{'op': 'frob'}", "syntax error" },
        { "{'op': 'select', 'where': []}", "syntax error" },
        { "{'op': 'select', 'table': 'Root'}", "syntax error" },
        { "{'op': 'select', 'table': 'Root', 'where': [], 'x': 1}",
          "syntax error" },
        { "{'op': 'select', 'table': 'Root', 'where': [], "
          "'columns': ['zzz']}", "syntax error" },
        { "{'op': 'insert', 'table': 'Root', 'row': {'zz': 1}}",
          "unknown column" },
        { "{'op': 'insert', 'table': 'Root', 'row': {'i': 2000}}",
          "constraint violation" },
        { "{'op': 'insert', 'table': 'Root', 'row': {'i': 'x'}}",
          "syntax error" },
        { "{'op': 'insert', 'table': 'Root', 'row': {'e': 'z'}}",
          "constraint violation" },
        { "{'op': 'insert', 'table': 'Root', 'row': "
          "{'iset': ['set', [1, 1]]}}", "ovsdb error" },
        { "{'op': 'insert', 'table': 'Root', 'row': "
          "{'rset': ['set', [1, 2, 3, 4]]}}", "syntax error" },
        { "{'op': 'insert', 'table': 'Root', 'row': {}, 'uuid-name': 5}",
          "syntax error" },
        { "{'op': 'update', 'table': 'Root', 'where': [], 'row': "
          "{'zz': 1}}", "unknown column" },
        { "{'op': 'update', 'table': 'Root', 'where': []}", "syntax error" },
        { "{'op': 'mutate', 'table': 'Root', 'where': []}", "syntax error" },
        { "{'op': 'delete', 'table': 'Root'}", "syntax error" },
        { "{'op': 'wait', 'table': 'Root', 'where': [], 'columns': [], "
          "'until': '<', 'rows': []}", "syntax error" },
        { "{'op': 'wait', 'table': 'Root', 'where': [], 'columns': [], "
          "'until': '=='}", "syntax error" },
        { "{'op': 'comment'}", "syntax error" },
        { "{'op': 'assert'}", "syntax error" },
    };
    struct db *db = test_db();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json *reply = execute(db, cases[i][0]);
        assert_int_equal(json_array_size(reply), 1);
        const char *tag = reply_error(reply, 0);
        if (!tag || strcmp(tag, cases[i][1])) {
            fail_msg("%s: got %s, expected %s", cases[i][0],
                     json_to_string(reply, 0), cases[i][1]);
        }
        /* Errors say what was wrong. */
        assert_non_null(json_object_find_string(json_array_at(reply, 0),
                                                "details"));
        json_unref(reply);
    }
    db_destroy(db);
}

/* The "syntax" member of an error quotes the input ovsdb-server quotes:
 * none for an unknown function or mutator or an operation that is not an
 * object, the member's value for a bad "until" or "timeout", and reals
 * that are integral as integers. */
static void
test_execute_error_syntax_members(void **state)
{
    static const char *const cases[][2] = {
        { "{'op': 'mutate', 'table': 'Root', 'where': [], "
          "'mutations': [['i', 'frob', 1]]}", NULL },
        { "{'op': 'select', 'table': 'Root', 'where': [['i', '~', 1]]}",
          NULL },
        { "'foo'", NULL },
        { "{'op': 'wait', 'table': 'Root', 'where': [], 'columns': [], "
          "'until': '<', 'rows': []}", "\"<\"" },
        { "{'op': 'wait', 'table': 'Root', 'where': [], 'columns': [], "
          "'until': '==', 'rows': [], 'timeout': -1}", "-1" },
        { "{'op': 'mutate', 'table': 'Root', 'where': [], "
          "'mutations': [['r', '%=', 2.0]]}", "[\"r\",\"%=\",2]" },
        { "{'op': 'insert', 'table': 'Root'}",
          "{\"op\":\"insert\",\"table\":\"Root\"}" },
        { "{'op': 'select', 'table': 'Root', 'where': [], "
          "'columns': ['i', 'i']}", "[\"i\",\"i\"]" },
    };
    struct db *db = test_db();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json *reply = execute(db, cases[i][0]);
        assert_int_equal(json_array_size(reply), 1);
        const struct json *error = json_array_at(reply, 0);
        assert_non_null(json_object_find_string(error, "error"));
        const char *syntax = json_object_find_string(error, "syntax");
        if (cases[i][1] ? !syntax || strcmp(syntax, cases[i][1])
                        : syntax != NULL) {
            fail_msg("%s: got %s, expected syntax %s", cases[i][0],
                     json_to_string(reply, 0),
                     cases[i][1] ? cases[i][1] : "(none)");
        }
        json_unref(reply);
    }
    db_destroy(db);
}

/* Without "columns", a "wait" compares the rows on every column. */
static void
test_execute_wait_without_columns_compares_all(void **state)
{
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a', 'i': 5}}"));
    struct json *reply = execute(
        db, "{'op': 'wait', 'table': 'Root', 'where': [], 'until': '==', "
        "'rows': [{'i': 5}], 'timeout': 0}");
    assert_reply_error(reply, 0, "timed out");
    json_unref(reply);
    reply = execute(db, "{'op': 'wait', 'table': 'Root', 'where': [], "
                    "'columns': ['i'], 'until': '==', 'rows': [{'i': 5}], "
                    "'timeout': 0}");
    assert_reply_ok(reply);
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_read_only_is_done(void **state)
{
    struct db *db = test_db();
    struct db_exec_result result;
    struct json *reply = execute_env(
        db, "{'op': 'select', 'table': 'Root', 'where': []}, "
        "{'op': 'comment', 'comment': 'only a comment'}", NULL, &result);
    assert_int_equal(result.status, DB_EXEC_DONE);
    assert_null(result.txn);
    json_unref(reply);
    db_destroy(db);
}

/* An update that changes nothing commits nothing. */
static void
test_execute_noop_update_is_done(void **state)
{
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a', 'i': 3}}"));
    struct db_exec_result result;
    struct json *reply = execute_env(
        db, "{'op': 'update', 'table': 'Root', 'where': [], 'row': "
        "{'i': 3}}", NULL, &result);
    assert_int_equal(result.status, DB_EXEC_DONE);
    assert_int_equal(reply_count(reply, 0), 1);
    json_unref(reply);

    /* Insert then delete in one transaction is nothing, too. */
    reply = execute_env(db, "{'op': 'insert', 'table': 'Root', 'row': {}}, "
                        "{'op': 'delete', 'table': 'Root', 'where': "
                        "[['name', '==', '']]}", NULL, &result);
    assert_int_equal(result.status, DB_EXEC_DONE);
    assert_int_equal(reply_count(reply, 1), 1);
    json_unref(reply);
    db_destroy(db);
}

/* Later operations see what earlier ones did. */
static void
test_execute_ops_see_earlier_changes(void **state)
{
    struct db *db = test_db();
    struct json *reply = execute(
        db, "{'op': 'insert', 'table': 'Root', 'row': {'name': 'a'}}, "
        "{'op': 'update', 'table': 'Root', 'where': [['name', '==', 'a']], "
        "'row': {'i': 4}}, "
        "{'op': 'mutate', 'table': 'Root', 'where': [['i', '==', 4]], "
        "'mutations': [['i', '+=', 1]]}, "
        "{'op': 'select', 'table': 'Root', 'where': [], 'columns': ['i']}, "
        "{'op': 'delete', 'table': 'Root', 'where': [['i', '==', 5]]}, "
        "{'op': 'select', 'table': 'Root', 'where': []}");
    assert_reply_ok(reply);
    assert_int_equal(reply_count(reply, 1), 1);
    assert_int_equal(reply_count(reply, 2), 1);
    assert_json(reply_rows(reply, 3), "[{'i': 5}]");
    assert_int_equal(reply_count(reply, 4), 1);
    assert_json(reply_rows(reply, 5), "[]");
    json_unref(reply);
    db_destroy(db);
}

static void
test_execute_version_changes_on_modify(void **state)
{
    struct db *db = test_db();
    json_unref(execute(db, "{'op': 'insert', 'table': 'Root', 'row': "
                       "{'name': 'a'}}"));
    struct json *v1 = select_column(db, "Root", "a", "_version");
    json_unref(execute(db, "{'op': 'update', 'table': 'Root', 'where': [], "
                       "'row': {'i': 1}}"));
    struct json *v2 = select_column(db, "Root", "a", "_version");
    assert_false(json_equal(v1, v2));
    json_unref(v1);
    json_unref(v2);
    db_destroy(db);
}

static void
test_execute_rejects_bad_params(void **state)
{
    struct db *db = test_db();
    static const char *const cases[][2] = {
        { "[]", "syntax error" },
        { "[1]", "syntax error" },
        { "{}", "syntax error" },
        { "['Other', {'op': 'comment', 'comment': 'x'}]",
          "unknown database" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json *params = parse_quoted(cases[i][0]);
        struct db_exec_result result;
        db_execute(db, params, NULL, &result);
        assert_int_equal(result.status, DB_EXEC_DONE);
        assert_reply_error(result.reply, 0, cases[i][1]);
        json_unref(result.reply);
        json_unref(params);
    }

    /* No operations: an empty result. */
    struct json *reply = execute(db, "{'op': 'comment', 'comment': 'x'}");
    json_unref(reply);
    struct json *params = parse_quoted("['Test']");
    struct db_exec_result result;
    db_execute(db, params, NULL, &result);
    assert_json(result.reply, "[]");
    json_unref(result.reply);
    json_unref(params);
    db_destroy(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_execute_insert_and_select),
        cmocka_unit_test(
            test_execute_select_all_columns_includes_uuid_and_version),
        cmocka_unit_test(test_execute_insert_explicit_uuid),
        cmocka_unit_test(test_execute_duplicate_uuid_name),
        cmocka_unit_test(test_execute_named_uuid_references),
        cmocka_unit_test(
            test_execute_insert_checks_defaults_against_constraints),
        cmocka_unit_test(test_execute_select_conditions),
        cmocka_unit_test(test_execute_select_by_index_sees_transaction),
        cmocka_unit_test(test_execute_condition_errors),
        cmocka_unit_test(test_execute_update),
        cmocka_unit_test(test_execute_update_immutable_column_rejected),
        cmocka_unit_test(test_execute_mutate),
        cmocka_unit_test(test_execute_mutate_errors),
        cmocka_unit_test(test_execute_delete),
        cmocka_unit_test(test_execute_wait_satisfied),
        cmocka_unit_test(test_execute_wait_timeout_zero_fails_at_once),
        cmocka_unit_test(test_execute_wait_blocks_until_timeout),
        cmocka_unit_test(test_execute_wait_without_timeout_blocks_forever),
        cmocka_unit_test(test_execute_commit_durable),
        cmocka_unit_test(test_execute_abort),
        cmocka_unit_test(test_execute_assert_lock),
        cmocka_unit_test(test_execute_failed_op_pads_with_nulls),
        cmocka_unit_test(test_execute_commit_failure_appends_error),
        cmocka_unit_test(test_execute_error_tags),
        cmocka_unit_test(test_execute_error_syntax_members),
        cmocka_unit_test(test_execute_wait_without_columns_compares_all),
        cmocka_unit_test(test_execute_read_only_is_done),
        cmocka_unit_test(test_execute_noop_update_is_done),
        cmocka_unit_test(test_execute_ops_see_earlier_changes),
        cmocka_unit_test(test_execute_version_changes_on_modify),
        cmocka_unit_test(test_execute_rejects_bad_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
