/* Unit tests for ovsdb/schema.h and ovsdb/type.h: parsing the Debian
 * schemas, printing them exactly as ovsdb-server's get_schema does, and
 * rejecting malformed schemas with clear errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "ovsdb/error.h"
#include "ovsdb/schema.h"
#include "tests/unit/ovsdb-test-schema.h"

static const char *const debian_schemas[] = {
    "/usr/share/openvswitch/vswitch.ovsschema",
    "/usr/share/ovn/ovn-nb.ovsschema",
    "/usr/share/ovn/ovn-sb.ovsschema",
    "/usr/share/openvswitch/local-config.ovsschema",
};

static struct json *
parse_json(const char *s)
{
    struct json *json;
    char *error = json_from_string(s, &json);
    if (error) {
        fail_msg("bad JSON in test: %s: %s", s, error);
    }
    return json;
}

static struct db_schema *
parse_schema(const char *s)
{
    struct json *json = parse_json(s);
    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(json, &schema);
    if (error) {
        char *msg = db_error_to_string(error);
        fail_msg("schema rejected: %s", msg);
    }
    json_unref(json);
    return schema;
}

static void
test_schema_debian_schemas_load(void **state)
{
    static const char *const names[] = {
        "Open_vSwitch", "OVN_Northbound", "OVN_Southbound", "Local_Config",
    };
    for (size_t i = 0; i < ARRAY_SIZE(debian_schemas); i++) {
        struct db_schema *schema;
        struct db_error *error = db_schema_from_file(debian_schemas[i],
                                                     &schema);
        if (error) {
            fail_msg("%s: %s", debian_schemas[i], db_error_to_string(error));
        }
        assert_string_equal(schema->name, names[i]);
        assert_non_null(schema->version);
        assert_true(schema->n_tables > 0);
        assert_int_equal(hmap_count(&schema->tables), schema->n_tables);
        db_schema_destroy(schema);
    }
}

/* Runs 'command' in a shell and returns its standard output, or NULL if it
 * fails. */
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
    int status = pclose(stream);
    if (status) {
        ds_uninit(&ds);
        return NULL;
    }
    return ds_steal_cstr(&ds);
}

/* db_schema_to_json() must equal what Debian's ovsdb-server returns for
 * "get_schema" on a database made from the same file. */
static void
test_schema_to_json_matches_ovsdb_server(void **state)
{
    char dir[] = "/tmp/kiln-test-schema-XXXXXX";
    assert_non_null(mkdtemp(dir));

    struct ds cmd = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < ARRAY_SIZE(debian_schemas); i++) {
        ds_put_format(&cmd, "ovsdb-tool create %s/db%zu %s && ", dir, i,
                      debian_schemas[i]);
    }
    ds_put_format(&cmd, "ovsdb-server -vconsole:off --remote=punix:%s/sock "
                  "--unixctl=%s/ctl --pidfile=%s/pid --detach --no-chdir "
                  "--log-file=%s/log", dir, dir, dir, dir);
    for (size_t i = 0; i < ARRAY_SIZE(debian_schemas); i++) {
        ds_put_format(&cmd, " %s/db%zu", dir, i);
    }
    char *out = run_command(ds_cstr(&cmd));
    assert_non_null(out);
    free(out);

    for (size_t i = 0; i < ARRAY_SIZE(debian_schemas); i++) {
        struct db_schema *schema;
        struct db_error *error = db_schema_from_file(debian_schemas[i],
                                                     &schema);
        assert_null(error);

        ds_clear(&cmd);
        ds_put_format(&cmd, "ovsdb-client get-schema unix:%s/sock %s", dir,
                      schema->name);
        out = run_command(ds_cstr(&cmd));
        assert_non_null(out);
        struct json *theirs = parse_json(out);
        struct json *ours = db_schema_to_json(schema);
        if (!json_equal(ours, theirs)) {
            fail_msg("%s:\nours:   %s\ntheirs: %s", debian_schemas[i],
                     json_to_string(ours, JSON_SORT),
                     json_to_string(theirs, JSON_SORT));
        }
        json_unref(ours);
        json_unref(theirs);
        free(out);
        db_schema_destroy(schema);
    }

    ds_clear(&cmd);
    ds_put_format(&cmd, "ovs-appctl -t %s/ctl exit; rm -rf %s", dir, dir);
    out = run_command(ds_cstr(&cmd));
    free(out);
    ds_uninit(&cmd);
}

/* The same, for the test schema, which has every kind of constraint. */
static void
test_schema_test_schema_matches_ovsdb_server(void **state)
{
    char dir[] = "/tmp/kiln-test-schema-XXXXXX";
    assert_non_null(mkdtemp(dir));

    struct ds path = DS_EMPTY_INITIALIZER;
    ds_put_format(&path, "%s/test.ovsschema", dir);
    FILE *f = fopen(ds_cstr(&path), "w");
    assert_non_null(f);
    fputs(ovsdb_test_schema, f);
    fclose(f);

    struct ds cmd = DS_EMPTY_INITIALIZER;
    ds_put_format(&cmd, "ovsdb-tool create %s/db %s && "
                  "ovsdb-server -vconsole:off --remote=punix:%s/sock "
                  "--unixctl=%s/ctl --detach --no-chdir --pidfile=%s/pid "
                  "--log-file=%s/log "
                  "%s/db && ovsdb-client get-schema unix:%s/sock Test; "
                  "ovs-appctl -t %s/ctl exit",
                  dir, ds_cstr(&path), dir, dir, dir, dir, dir, dir, dir);
    char *out = run_command(ds_cstr(&cmd));
    assert_non_null(out);
    struct json *theirs = parse_json(out);
    struct db_schema *schema = parse_schema(ovsdb_test_schema);
    struct json *ours = db_schema_to_json(schema);
    if (!json_equal(ours, theirs)) {
        fail_msg("ours:   %s\ntheirs: %s", json_to_string(ours, JSON_SORT),
                 json_to_string(theirs, JSON_SORT));
    }
    json_unref(ours);
    json_unref(theirs);
    db_schema_destroy(schema);
    free(out);

    ds_clear(&cmd);
    ds_put_format(&cmd, "rm -rf %s", dir);
    free(run_command(ds_cstr(&cmd)));
    ds_uninit(&cmd);
    ds_uninit(&path);
}

static void
test_schema_round_trip(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(debian_schemas); i++) {
        struct db_schema *schema, *again;
        assert_null(db_schema_from_file(debian_schemas[i], &schema));
        struct json *json = db_schema_to_json(schema);
        assert_null(db_schema_from_json(json, &again));
        assert_true(db_schema_equal(schema, again));
        struct db_schema *clone = db_schema_clone(schema);
        assert_true(db_schema_equal(schema, clone));
        json_unref(json);
        db_schema_destroy(schema);
        db_schema_destroy(again);
        db_schema_destroy(clone);
    }
}

static void
test_schema_columns_layout(void **state)
{
    struct db_schema *schema = parse_schema(ovsdb_test_schema);
    const struct table_schema *root = db_schema_find_table(schema, "Root");
    assert_non_null(root);
    assert_string_equal(root->columns[0]->name, "_uuid");
    assert_string_equal(root->columns[1]->name, "_version");
    assert_string_equal(root->columns[2]->name, "name");
    for (size_t i = 0; i < root->n_columns; i++) {
        assert_int_equal(root->columns[i]->index, i);
        assert_ptr_equal(table_schema_find_column(root,
                                                  root->columns[i]->name),
                         root->columns[i]);
    }
    assert_null(table_schema_find_column(root, "nope"));
    assert_null(db_schema_find_table(schema, "Nope"));

    const struct column_schema *imm = table_schema_find_column(root, "imm");
    assert_false(imm->is_mutable);
    assert_true(imm->is_persistent);
    const struct column_schema *eph = table_schema_find_column(root, "eph");
    assert_false(eph->is_persistent);
    assert_false(root->columns[0]->is_mutable);

    const struct column_schema *i = table_schema_find_column(root, "i");
    assert_int_equal(i->type.key.integer.min, -10);
    assert_int_equal(i->type.key.integer.max, 1000);
    const struct column_schema *iset = table_schema_find_column(root, "iset");
    assert_int_equal(iset->type.n_min, 0);
    assert_int_equal(iset->type.n_max, UINT_MAX);

    assert_true(root->is_root);
    assert_false(db_schema_find_table(schema, "Child")->is_root);
    assert_int_equal(root->n_indexes, 1);
    assert_int_equal(db_schema_find_table(schema, "Limited")->max_rows, 2);
    assert_int_equal(root->max_rows, LLONG_MAX);
    db_schema_destroy(schema);
}

/* A schema that names no root table predates garbage collection: every
 * table is then a root (and "isRoot" is not printed). */
static void
test_schema_no_root_means_all_roots(void **state)
{
    struct db_schema *schema = parse_schema(
        "{\"name\": \"S\", \"tables\": {"
        "\"A\": {\"columns\": {\"x\": {\"type\": \"integer\"}}},"
        "\"B\": {\"columns\": {}, \"isRoot\": false}}}");
    assert_true(db_schema_find_table(schema, "A")->is_root);
    assert_true(db_schema_find_table(schema, "B")->is_root);
    assert_null(schema->version);
    struct json *json = db_schema_to_json(schema);
    struct json *expected = parse_json(
        "{\"name\": \"S\", \"tables\": {"
        "\"A\": {\"columns\": {\"x\": {\"type\": \"integer\"}}},"
        "\"B\": {\"columns\": {}}}}");
    assert_true(json_equal(json, expected));
    json_unref(json);
    json_unref(expected);
    db_schema_destroy(schema);
}

/* ovsdb-server(7) §3.2: columns with weak references are always mutable. */
static void
test_schema_weak_refs_forced_mutable(void **state)
{
    struct db_schema *schema = parse_schema(
        "{\"name\": \"S\", \"tables\": {"
        "\"A\": {\"columns\": {\"w\": {\"type\": {\"key\": {\"type\": "
        "\"uuid\", \"refTable\": \"A\", \"refType\": \"weak\"}, \"min\": 0},"
        " \"mutable\": false}}}}}");
    const struct table_schema *a = db_schema_find_table(schema, "A");
    assert_true(table_schema_find_column(a, "w")->is_mutable);
    assert_true(a->has_weak_refs);
    assert_true(a->is_weak_target);
    db_schema_destroy(schema);
}

static void
test_schema_rejects_malformed(void **state)
{
    static const struct {
        const char *json;       /* The schema. */
        const char *details;    /* A substring of the error details. */
    } cases[] = {
        { "[]", "must be an object" },
        { "{\"tables\": {}}", "'name'" },
        { "{\"name\": \"1x\", \"tables\": {}}", "'name'" },
        { "{\"name\": \"S\"}", "'tables'" },
        { "{\"name\": \"S\", \"tables\": {}, \"x\": 1}", "'x'" },
        { "{\"name\": \"S\", \"version\": \"1.2\", \"tables\": {}}",
          "x.y.z" },
        { "{\"name\": \"S\", \"tables\": {\"_T\": {\"columns\": {}}}}",
          "reserved" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {}}}", "'columns'" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"_c\": {\"type\": \"integer\"}}}}}", "reserved" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": \"float\"}}}}}", "float" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {}}}}}", "'type'" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": {\"key\": \"integer\", \"min\": 2}}}}}}",
          "min" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": {\"key\": \"integer\", \"max\": 0}}}}}}",
          "max" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": {\"key\": \"integer\", \"max\": \"lots\"}}}}}}",
          "max" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": {\"key\": {\"type\": \"integer\", "
          "\"minInteger\": 5, \"maxInteger\": 4}}}}}}}", "exceeds" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": {\"key\": {\"type\": \"string\", "
          "\"minInteger\": 5}}}}}}}", "minInteger" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": {\"key\": {\"type\": \"uuid\", "
          "\"refTable\": \"U\"}}}}}}}", "undefined table U" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": {\"key\": {\"type\": \"uuid\", "
          "\"refTable\": \"T\", \"refType\": \"soft\"}}}}}}}", "soft" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": {\"key\": {\"type\": \"string\", "
          "\"enum\": [\"set\", [1]]}}}}}}}", "enum" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": \"integer\"}}, \"indexes\": [[\"d\"]]}}}",
          "no column named d" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": \"integer\"}}, \"indexes\": [[]]}}}",
          "nonempty" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": \"integer\"}}, \"maxRows\": 0}}}", "maxRows" },
        { "{\"name\": \"S\", \"tables\": {\"T\": {\"columns\": {"
          "\"c\": {\"type\": \"integer\", \"ephemeral\": 1}}}}}",
          "'ephemeral'" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json *json = parse_json(cases[i].json);
        struct db_schema *schema;
        struct db_error *error = db_schema_from_json(json, &schema);
        if (!error) {
            fail_msg("accepted malformed schema %s", cases[i].json);
        }
        assert_null(schema);
        assert_string_equal(db_error_tag(error), "syntax error");
        const char *details = db_error_details(error);
        if (!details || !strstr(details, cases[i].details)) {
            fail_msg("schema %s: details \"%s\" lack \"%s\"", cases[i].json,
                     details ? details : "(null)", cases[i].details);
        }
        db_error_destroy(error);
        json_unref(json);
    }
}

static void
test_schema_from_file_reports_missing_file(void **state)
{
    struct db_schema *schema;
    struct db_error *error = db_schema_from_file("/nonexistent/x.ovsschema",
                                                 &schema);
    assert_non_null(error);
    assert_null(schema);
    assert_non_null(strstr(db_error_details(error), "/nonexistent"));
    db_error_destroy(error);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_debian_schemas_load),
        cmocka_unit_test(test_schema_to_json_matches_ovsdb_server),
        cmocka_unit_test(test_schema_test_schema_matches_ovsdb_server),
        cmocka_unit_test(test_schema_round_trip),
        cmocka_unit_test(test_schema_columns_layout),
        cmocka_unit_test(test_schema_no_root_means_all_roots),
        cmocka_unit_test(test_schema_weak_refs_forced_mutable),
        cmocka_unit_test(test_schema_rejects_malformed),
        cmocka_unit_test(test_schema_from_file_reports_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
