/* OVSDB database schemas: parsing, validation and printing (see schema.h).
 * The printed form is what ovsdb-server's "get_schema" returns for the same
 * schema file, which clients compare against. */
#include "ovsdb/schema.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/json.h"
#include "ovsdb/datum.h"
#include "ovsdb/error.h"
#include "ovsdb/parser.h"

static struct column_schema *
column_schema_create(const char *name, size_t index)
{
    struct column_schema *column = xzalloc(sizeof *column);
    column->name = xstrdup(name);
    column->index = index;
    column->is_mutable = true;
    column->is_persistent = true;
    column->inline_atom = SIZE_MAX;
    db_type_init(&column->type, DB_TYPE_VOID);
    return column;
}

static void
column_schema_destroy(struct column_schema *column)
{
    if (column) {
        db_type_destroy(&column->type);
        free(column->name);
        free(column);
    }
}

static void
table_schema_add_column(struct table_schema *table,
                        struct column_schema *column)
{
    table->columns = xrealloc(table->columns, (table->n_columns + 1)
                              * sizeof *table->columns);
    table->columns[table->n_columns++] = column;
    hmap_insert(&table->columns_by_name, &column->node,
                hash_string(column->name, 0));
}

static struct table_schema *
table_schema_create(const char *name)
{
    struct table_schema *table = xzalloc(sizeof *table);
    table->name = xstrdup(name);
    table->max_rows = LLONG_MAX;
    hmap_init(&table->columns_by_name);

    /* Every table has "_uuid" and "_version", immutable UUIDs. */
    static const char *const builtin[] = { "_uuid", "_version" };
    for (size_t i = 0; i < ARRAY_SIZE(builtin); i++) {
        struct column_schema *column = column_schema_create(builtin[i], i);
        db_type_init(&column->type, DB_TYPE_UUID);
        column->is_mutable = false;
        table_schema_add_column(table, column);
    }
    return table;
}

static void
table_schema_destroy(struct table_schema *table)
{
    if (!table) {
        return;
    }
    for (size_t i = 0; i < table->n_indexes; i++) {
        free(table->indexes[i].columns);
    }
    free(table->indexes);
    for (size_t i = 0; i < table->n_columns; i++) {
        column_schema_destroy(table->columns[i]);
    }
    free(table->columns);
    hmap_uninit(&table->columns_by_name);
    free(table->name);
    free(table);
}

/* Returns the column named 'name' in 'table' (including "_uuid" and
 * "_version"), or NULL. */
const struct column_schema *
table_schema_find_column(const struct table_schema *table, const char *name)
{
    const struct column_schema *column;
    HMAP_FOR_EACH_WITH_HASH (column, node, hash_string(name, 0),
                             &table->columns_by_name) {
        if (!strcmp(column->name, name)) {
            return column;
        }
    }
    return NULL;
}

/* Returns the table named 'name' in 'schema', or NULL. */
const struct table_schema *
db_schema_find_table(const struct db_schema *schema, const char *name)
{
    const struct table_schema *table;
    HMAP_FOR_EACH_WITH_HASH (table, node, hash_string(name, 0),
                             &schema->tables) {
        if (!strcmp(table->name, name)) {
            return table;
        }
    }
    return NULL;
}

static struct db_error *
column_schema_from_json(const char *name, size_t index,
                        const struct json *json,
                        struct column_schema **columnp)
{
    static const char *const members[] = { "type", "ephemeral", "mutable" };
    const struct json *type, *ephemeral, *mutable;

    *columnp = NULL;
    if (!json_is_object(json)) {
        return db_error_syntax(json, "syntax error",
                               "column schema must be an object");
    }
    struct db_error *error = db_parser_check_members(json, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = db_parser_member(json, "type",
                                 DB_PARSER_STRING | DB_PARSER_OBJECT, &type);
    }
    if (!error) {
        error = db_parser_member(json, "ephemeral",
                                 DB_PARSER_BOOLEAN | DB_PARSER_OPTIONAL,
                                 &ephemeral);
    }
    if (!error) {
        error = db_parser_member(json, "mutable",
                                 DB_PARSER_BOOLEAN | DB_PARSER_OPTIONAL,
                                 &mutable);
    }
    if (error) {
        return error;
    }

    struct column_schema *column = column_schema_create(name, index);
    error = db_type_from_json(&column->type, type);
    if (error) {
        column_schema_destroy(column);
        return error;
    }
    column->is_persistent = !ephemeral || !json_boolean(ephemeral);
    column->is_mutable = !mutable || json_boolean(mutable);
    *columnp = column;
    return NULL;
}

static struct db_error *
table_schema_parse_indexes(struct table_schema *table,
                           const struct json *indexes)
{
    for (size_t i = 0; i < json_array_size(indexes); i++) {
        const struct json *index = json_array_at(indexes, i);
        if (!json_is_array(index) || !json_array_size(index)) {
            return db_error_syntax(index, "syntax error",
                                   "index must be a nonempty array of "
                                   "column names");
        }
        size_t n = json_array_size(index);
        const struct column_schema **columns = xmalloc(n * sizeof *columns);
        for (size_t j = 0; j < n; j++) {
            const struct json *name = json_array_at(index, j);
            const struct column_schema *column
                = (json_is_string(name)
                   ? table_schema_find_column(table, json_string(name))
                   : NULL);
            struct db_error *error = NULL;
            if (!column) {
                error = db_error_syntax(index, "syntax error",
                                        "table %s index %zu: no column "
                                        "named %s", table->name, i,
                                        (json_is_string(name)
                                         ? json_string(name) : "(?)"));
            }
            for (size_t k = 0; !error && k < j; k++) {
                if (columns[k] == column) {
                    error = db_error_syntax(
                        index, "syntax error", "table %s index %zu names "
                        "column %s twice", table->name, i, column->name);
                }
            }
            if (error) {
                free(columns);
                return error;
            }
            columns[j] = column;
        }
        table->indexes = xrealloc(table->indexes, (table->n_indexes + 1)
                                  * sizeof *table->indexes);
        table->indexes[table->n_indexes].columns = columns;
        table->indexes[table->n_indexes].n_columns = n;
        table->n_indexes++;
    }
    return NULL;
}

static struct db_error *
table_schema_from_json(const char *name, const struct json *json,
                       struct table_schema **tablep)
{
    static const char *const members[] = {
        "columns", "maxRows", "isRoot", "indexes" };
    const struct json *columns, *max_rows, *is_root, *indexes;

    *tablep = NULL;
    if (!json_is_object(json)) {
        return db_error_syntax(json, "syntax error",
                               "table schema must be an object");
    }
    struct db_error *error = db_parser_check_members(json, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = db_parser_member(json, "columns", DB_PARSER_OBJECT,
                                 &columns);
    }
    if (!error) {
        error = db_parser_member(json, "maxRows",
                                 DB_PARSER_INTEGER | DB_PARSER_OPTIONAL,
                                 &max_rows);
    }
    if (!error) {
        error = db_parser_member(json, "isRoot",
                                 DB_PARSER_BOOLEAN | DB_PARSER_OPTIONAL,
                                 &is_root);
    }
    if (!error) {
        error = db_parser_member(json, "indexes",
                                 DB_PARSER_ARRAY | DB_PARSER_OPTIONAL,
                                 &indexes);
    }
    if (error) {
        return error;
    }
    if (max_rows && json_integer(max_rows) < 1) {
        return db_error_syntax(json, "syntax error",
                               "maxRows must be at least 1");
    }

    struct table_schema *table = table_schema_create(name);
    table->max_rows = max_rows ? json_integer(max_rows) : LLONG_MAX;
    table->declared_root = is_root && json_boolean(is_root);

    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, columns) {
        struct column_schema *column;
        if (m->name[0] == '_') {
            error = db_error_syntax(json, "syntax error", "names beginning "
                                    "with \"_\" are reserved (column %s)",
                                    m->name);
        } else if (!db_parser_is_id(m->name)) {
            error = db_error_syntax(json, "syntax error",
                                    "column name %s is not a valid "
                                    "identifier", m->name);
        } else {
            error = column_schema_from_json(m->name, table->n_columns,
                                            m->value, &column);
        }
        if (error) {
            db_error_prefix(error, "table %s column %s: ", name, m->name);
            table_schema_destroy(table);
            return error;
        }
        table_schema_add_column(table, column);
    }

    if (indexes) {
        error = table_schema_parse_indexes(table, indexes);
        if (error) {
            table_schema_destroy(table);
            return error;
        }
    }
    *tablep = table;
    return NULL;
}

static bool
db_schema_version_is_valid(const char *s)
{
    /* <version>: three decimal numbers separated by dots. */
    for (int part = 0; part < 3; part++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        while (*s >= '0' && *s <= '9') {
            s++;
        }
        if (part < 2 && *s++ != '.') {
            return false;
        }
    }
    return *s == '\0';
}

static void
db_schema_add_table(struct db_schema *schema, struct table_schema *table)
{
    table->index = schema->n_tables;
    schema->table_array = xrealloc(schema->table_array,
                                   (schema->n_tables + 1)
                                   * sizeof *schema->table_array);
    schema->table_array[schema->n_tables++] = table;
    hmap_insert(&schema->tables, &table->node, hash_string(table->name, 0));
}

static struct db_error *
db_schema_resolve_base(struct db_schema *schema, struct table_schema *table,
                       struct column_schema *column,
                       struct db_base_type *base)
{
    if (!db_base_type_is_ref(base)) {
        return NULL;
    }
    struct table_schema *ref = (struct table_schema *)
        db_schema_find_table(schema, base->uuid.ref_table_name);
    if (!ref) {
        return db_error_create("syntax error", "table %s column %s refers "
                               "to undefined table %s", table->name,
                               column->name, base->uuid.ref_table_name);
    }
    base->uuid.ref_table = ref;
    if (base->uuid.ref_type == DB_REF_WEAK) {
        table->has_weak_refs = true;
        ref->is_weak_target = true;
        /* ovsdb-server(7) §3.2: columns with weak references are always
         * mutable, so that deleting the referenced rows can change them. */
        column->is_mutable = true;
    } else {
        table->has_strong_refs = true;
    }
    return NULL;
}

/* Resolves references, sets up the garbage-collection root set and the
 * inline atom layout of rows, once all tables are known. */
static struct db_error *
db_schema_finish(struct db_schema *schema)
{
    bool any_root = false;
    for (size_t i = 0; i < schema->n_tables; i++) {
        any_root |= schema->table_array[i]->declared_root;
    }

    for (size_t i = 0; i < schema->n_tables; i++) {
        struct table_schema *table = schema->table_array[i];

        /* A schema that names no root table predates garbage collection:
         * every table is a root then. */
        table->is_root = table->declared_root || !any_root;

        table->n_inline_atoms = 0;
        for (size_t j = 0; j < table->n_columns; j++) {
            struct column_schema *column = table->columns[j];
            struct db_error *error = db_schema_resolve_base(
                schema, table, column, &column->type.key);
            if (!error) {
                error = db_schema_resolve_base(schema, table, column,
                                               &column->type.value);
            }
            if (error) {
                return error;
            }
            if (db_type_is_fixed_one(&column->type)) {
                column->inline_atom = table->n_inline_atoms;
                table->n_inline_atoms += db_type_is_map(&column->type)
                                         ? 2 : 1;
            }
        }
    }
    return NULL;
}

/* Parses 'json', an RFC 7047 <database-schema>, into a new schema stored in
 * '*schemap' (owned by the caller).  Returns NULL on success, else a "syntax
 * error" whose details say what is wrong, and stores NULL. */
struct db_error *
db_schema_from_json(const struct json *json, struct db_schema **schemap)
{
    static const char *const members[] = {
        "name", "version", "cksum", "tables" };
    const struct json *name, *version, *cksum, *tables;

    *schemap = NULL;
    if (!json_is_object(json)) {
        return db_error_syntax(json, "syntax error",
                               "database schema must be an object");
    }
    struct db_error *error = db_parser_check_members(json, members,
                                                     ARRAY_SIZE(members));
    if (!error) {
        error = db_parser_member(json, "name", DB_PARSER_ID, &name);
    }
    if (!error) {
        error = db_parser_member(json, "version",
                                 DB_PARSER_STRING | DB_PARSER_OPTIONAL,
                                 &version);
    }
    if (!error) {
        error = db_parser_member(json, "cksum",
                                 DB_PARSER_STRING | DB_PARSER_OPTIONAL,
                                 &cksum);
    }
    if (!error) {
        error = db_parser_member(json, "tables", DB_PARSER_OBJECT, &tables);
    }
    if (error) {
        return error;
    }
    if (version && !db_schema_version_is_valid(json_string(version))) {
        return db_error_create("syntax error", "schema version \"%s\" is "
                               "not of the form x.y.z",
                               json_string(version));
    }

    struct db_schema *schema = xzalloc(sizeof *schema);
    schema->name = xstrdup(json_string(name));
    schema->version = version ? xstrdup(json_string(version)) : NULL;
    schema->cksum = cksum ? xstrdup(json_string(cksum)) : NULL;
    hmap_init(&schema->tables);

    const struct json_member *m;
    JSON_OBJECT_FOR_EACH (m, tables) {
        struct table_schema *table;
        if (m->name[0] == '_') {
            error = db_error_create("syntax error", "names beginning with "
                                    "\"_\" are reserved (table %s)",
                                    m->name);
        } else if (!db_parser_is_id(m->name)) {
            error = db_error_create("syntax error", "table name %s is not a "
                                    "valid identifier", m->name);
        } else {
            error = table_schema_from_json(m->name, m->value, &table);
        }
        if (error) {
            db_schema_destroy(schema);
            return error;
        }
        db_schema_add_table(schema, table);
    }

    error = db_schema_finish(schema);
    if (error) {
        db_schema_destroy(schema);
        return error;
    }
    *schemap = schema;
    return NULL;
}

/* Reads and parses the schema in file 'path' (a .ovsschema) into
 * '*schemap', like db_schema_from_json().  An unreadable file or invalid
 * JSON is an "I/O error" or "syntax error" naming the file. */
struct db_error *
db_schema_from_file(const char *path, struct db_schema **schemap)
{
    struct json *json;
    char *msg = json_from_file(path, &json);
    *schemap = NULL;
    if (msg) {
        struct db_error *error = db_error_create("syntax error", "%s: %s",
                                                 path, msg);
        free(msg);
        return error;
    }
    struct db_error *error = db_schema_from_json(json, schemap);
    json_unref(json);
    if (error) {
        db_error_prefix(error, "%s: ", path);
    }
    return error;
}

static struct json *
column_schema_to_json(const struct column_schema *column)
{
    struct json *json = json_object_create();
    json_object_put_new(json, "type", db_type_to_json(&column->type));
    if (!column->is_persistent) {
        json_object_put_new(json, "ephemeral", json_boolean_create(true));
    }
    if (!column->is_mutable) {
        json_object_put_new(json, "mutable", json_boolean_create(false));
    }
    return json;
}

static struct json *
table_schema_to_json(const struct table_schema *table)
{
    struct json *json = json_object_create();
    struct json *columns = json_object_create();
    for (size_t i = DB_COLUMN_VERSION + 1; i < table->n_columns; i++) {
        const struct column_schema *column = table->columns[i];
        json_object_put_new(columns, column->name,
                            column_schema_to_json(column));
    }
    json_object_put_new(json, "columns", columns);
    if (table->max_rows != LLONG_MAX) {
        json_object_put_new(json, "maxRows",
                            json_integer_create(table->max_rows));
    }
    if (table->declared_root) {
        json_object_put_new(json, "isRoot", json_boolean_create(true));
    }
    if (table->n_indexes) {
        struct json *indexes = json_array_create_empty();
        for (size_t i = 0; i < table->n_indexes; i++) {
            const struct table_schema_index *index = &table->indexes[i];
            struct json *names = json_array_create_empty();
            for (size_t j = 0; j < index->n_columns; j++) {
                json_array_add(names,
                               json_string_create(index->columns[j]->name));
            }
            json_array_add(indexes, names);
        }
        json_object_put_new(json, "indexes", indexes);
    }
    return json;
}

/* Returns the RFC 7047 JSON form of 'schema', equal (json_equal()) to what
 * ovsdb-server's "get_schema" returns for the same schema.  The caller owns
 * the result. */
struct json *
db_schema_to_json(const struct db_schema *schema)
{
    struct json *json = json_object_create();
    json_object_put_new(json, "name", json_string_create(schema->name));
    if (schema->version) {
        json_object_put_new(json, "version",
                            json_string_create(schema->version));
    }
    if (schema->cksum) {
        json_object_put_new(json, "cksum", json_string_create(schema->cksum));
    }
    struct json *tables = json_object_create();
    for (size_t i = 0; i < schema->n_tables; i++) {
        const struct table_schema *table = schema->table_array[i];
        json_object_put_new(tables, table->name,
                            table_schema_to_json(table));
    }
    json_object_put_new(json, "tables", tables);
    return json;
}

/* Returns a deep copy of 'schema', which the caller owns. */
struct db_schema *
db_schema_clone(const struct db_schema *schema)
{
    struct json *json = db_schema_to_json(schema);
    struct db_schema *copy;
    struct db_error *error = db_schema_from_json(json, &copy);
    ASSERT(!error);
    json_unref(json);
    return copy;
}

/* Returns true if 'a' and 'b' describe the same database. */
bool
db_schema_equal(const struct db_schema *a, const struct db_schema *b)
{
    struct json *ja = db_schema_to_json(a);
    struct json *jb = db_schema_to_json(b);
    bool equal = json_equal(ja, jb);
    json_unref(ja);
    json_unref(jb);
    return equal;
}

/* Frees 'schema'.  Does nothing if 'schema' is NULL. */
void
db_schema_destroy(struct db_schema *schema)
{
    if (!schema) {
        return;
    }
    for (size_t i = 0; i < schema->n_tables; i++) {
        table_schema_destroy(schema->table_array[i]);
    }
    free(schema->table_array);
    hmap_uninit(&schema->tables);
    free(schema->name);
    free(schema->version);
    free(schema->cksum);
    free(schema);
}
