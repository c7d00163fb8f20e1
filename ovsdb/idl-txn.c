/* IDL transactions (see idl.h): operations collected against the replica,
 * committed as one RFC 7047 "transact" request.
 *
 * A transaction keeps, per row it touches, what to write: the rows it
 * inserts (readable through idl_row_get() like replica rows), whole-column
 * values, partial set and map updates (which become "mutate" operations so
 * that concurrent changes to other elements survive), deletion, and the
 * values the program verified.  Rows are named by table and UUID, never by
 * pointer, so replica updates arriving while a transaction is open cannot
 * leave it dangling.
 *
 * The request starts with the "wait" operations, one per existing row the
 * transaction writes or verifies: each requires the row to exist with the
 * verified values (RFC 7047 §5.2.6, "until": "==", "timeout": 0), so a
 * transaction built on stale data aborts as a whole and reports
 * IDL_TXN_TRY_AGAIN. */
#include "ovsdb/idl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/log.h"
#include "ovsdb/idl-private.h"
#include "ovsdb/schema.h"

LOG_MODULE(idl_txn);

/* A partial update of one set or map column. */
struct idl_txn_mutation {
    struct list node;           /* In idl_txn_row.mutations. */
    size_t column;              /* Column index in the table schema. */
    bool insert;                /* "insert" (true) or "delete". */
    struct datum elems;         /* Elements to insert (set elements or map
                                 * pairs) or delete (set elements or map
                                 * keys, with no values); owned. */
};

/* What a transaction does to one row. */
struct idl_txn_row {
    struct hmap_node node;      /* In idl_txn.rows, by uuid_hash(). */
    struct list order_node;     /* In idl_txn.row_order. */
    struct idl_table *table;    /* The row's table. */
    struct uuid uuid;           /* Replica UUID, or the insert's temporary
                                 * UUID. */
    struct idl_row *insert;     /* For an insert, the new row (owned). */
    bool deleted;               /* Delete the row (or drop the insert). */
    struct uuid real_uuid;      /* Insert: the UUID the server chose. */
    bool has_real_uuid;         /* Is 'real_uuid' known? */
    bool fixed_uuid;            /* Insert: ask the server to give the row
                                 * 'uuid' itself. */

    /* For existing rows; arrays indexed like the table schema's columns,
     * allocated on first use. */
    struct datum *written;      /* New values where 'written_bits'. */
    unsigned long *written_bits; /* Columns set whole. */
    struct datum *verified;     /* Values read, where 'verify_bits'. */
    unsigned long *verify_bits; /* Columns verified. */
    struct list mutations;      /* "struct idl_txn_mutation"s, in order. */
};

/* What to read from the reply. */
struct idl_txn_check {
    size_t op;                  /* Index of the operation's result. */
    struct idl_txn_row *row;    /* Insert: the row; else NULL. */
};

struct idl_txn {
    struct idl *idl;            /* The IDL. */
    struct list list_node;      /* In idl.txns. */
    enum idl_txn_status status; /* Current status. */
    struct hmap rows;           /* "struct idl_txn_row"s. */
    struct list row_order;      /* The same, in first-touch order. */
    struct ds comment;          /* Comments, newline-separated. */
    char *error;                /* Server's error, owned, or NULL. */
    idl_txn_done_func *done_cb; /* Called when the reply arrives. */
    void *done_aux;             /* For 'done_cb'. */
    long long request_id;       /* The "transact" request's id. */
    size_t n_inserts;           /* Rows inserted and not deleted. */

    /* idl_txn_increment(). */
    struct idl_table *inc_table; /* NULL if none. */
    struct uuid inc_uuid;       /* Row to increment. */
    size_t inc_column;          /* Column index. */
    size_t inc_op;              /* Index of the "select" result. */
    long long inc_new_value;    /* Value after the commit. */

    struct idl_txn_check *checks; /* Inserts to read back. */
    size_t n_checks;            /* Number of 'checks'. */
    size_t allocated_checks;    /* Capacity of 'checks'. */
};

/* Creation and destruction. */

/* Returns a new, empty transaction on 'idl', owned by the caller, who
 * frees it with idl_txn_destroy(). */
struct idl_txn *
idl_txn_create(struct idl *idl)
{
    struct idl_txn *txn = xzalloc(sizeof *txn);
    txn->idl = idl;
    txn->status = IDL_TXN_UNCOMMITTED;
    hmap_init(&txn->rows);
    list_init(&txn->row_order);
    list_push_back(&idl->txns, &txn->list_node);
    ds_init(&txn->comment);
    txn->request_id = -1;
    return txn;
}

static void
idl_txn_row_free(struct idl_txn_row *tr)
{
    const struct table_schema *ts = tr->table->schema;
    if (tr->written) {
        for (size_t i = 0; i < ts->n_columns; i++) {
            if (row_bitmap_is_set(tr->written_bits, i)) {
                datum_destroy(&tr->written[i], &ts->columns[i]->type);
            }
        }
    }
    if (tr->verified) {
        for (size_t i = 0; i < ts->n_columns; i++) {
            if (row_bitmap_is_set(tr->verify_bits, i)) {
                datum_destroy(&tr->verified[i], &ts->columns[i]->type);
            }
        }
    }
    free(tr->written);
    free(tr->written_bits);
    free(tr->verified);
    free(tr->verify_bits);
    struct idl_txn_mutation *m;
    LIST_FOR_EACH_POP (m, node, &tr->mutations) {
        struct db_type type = ts->columns[m->column]->type;
        datum_destroy(&m->elems, &type);
        free(m);
    }
    idl__row_free(tr->insert);
    free(tr);
}

/* Frees 'txn'.  A transaction still waiting for its reply is abandoned:
 * the server may still commit it, and no callback runs.  Does nothing if
 * 'txn' is NULL.  Every transaction must be destroyed before its IDL. */
void
idl_txn_destroy(struct idl_txn *txn)
{
    if (!txn) {
        return;
    }
    list_remove(&txn->list_node);
    if (txn->status == IDL_TXN_INCOMPLETE) {
        struct idl_request *req;
        HMAP_FOR_EACH_WITH_HASH (req, node, hash_uint64(txn->request_id, 0),
                                 &txn->idl->requests) {
            if (req->id == txn->request_id) {
                req->txn = NULL;
            }
        }
    }
    struct idl_txn_row *tr;
    HMAP_FOR_EACH_POP (tr, node, &txn->rows) {
        idl_txn_row_free(tr);
    }
    hmap_uninit(&txn->rows);
    ds_uninit(&txn->comment);
    free(txn->error);
    free(txn->checks);
    free(txn);
}

/* Appends a line to the comment the transaction carries ("comment"
 * operation, RFC 7047 §5.2.9), which the server writes to its log. */
void
idl_txn_add_comment(struct idl_txn *txn, const char *format, ...)
{
    if (txn->comment.length) {
        ds_put_char(&txn->comment, '\n');
    }
    va_list args;
    va_start(args, format);
    ds_put_format_valist(&txn->comment, format, args);
    va_end(args);
}

/* Rows of the transaction. */

static struct idl_txn_row *
idl_txn_row_find(const struct idl_txn *txn, const struct idl_table *table,
                 const struct uuid *uuid)
{
    struct idl_txn_row *tr;
    HMAP_FOR_EACH_WITH_HASH (tr, node, uuid_hash(uuid), &txn->rows) {
        if (tr->table == table && uuid_equals(&tr->uuid, uuid)) {
            return tr;
        }
    }
    return NULL;
}

static struct idl_txn_row *
idl_txn_row_add(struct idl_txn *txn, struct idl_table *table,
                const struct uuid *uuid)
{
    struct idl_txn_row *tr = xzalloc(sizeof *tr);
    tr->table = table;
    tr->uuid = *uuid;
    list_init(&tr->mutations);
    hmap_insert(&txn->rows, &tr->node, uuid_hash(uuid));
    list_push_back(&txn->row_order, &tr->order_node);
    return tr;
}

/* Returns the transaction's record of 'row', a replica row or one that
 * 'txn' inserted, creating it if needed. */
static struct idl_txn_row *
idl_txn_row_get(struct idl_txn *txn, const struct idl_row *row)
{
    ASSERT(txn->status == IDL_TXN_UNCOMMITTED);
    ASSERT(!row->txn || row->txn == txn);
    struct idl_txn_row *tr = idl_txn_row_find(txn, row->table, &row->uuid);
    if (!tr) {
        ASSERT(!row->txn);
        tr = idl_txn_row_add(txn, row->table, &row->uuid);
    }
    return tr;
}

/* Inserts a new row into 'table', whose schema must be known (the IDL has
 * synced), with every column at its default, and returns it.  The row
 * belongs to 'txn': set its columns with idl_txn_set() and friends, and
 * refer to it from other rows' columns by its (temporary) UUID, which the
 * commit replaces by the real one (idl_txn_get_insert_uuid()). */
const struct idl_row *
idl_txn_insert(struct idl_txn *txn, struct idl_table *table)
{
    ASSERT(table->schema);
    struct uuid uuid;
    uuid_generate(&uuid);
    struct idl_txn_row *tr = idl_txn_row_add(txn, table, &uuid);
    tr->insert = idl__row_create(table, &uuid);
    tr->insert->txn = txn;
    tr->written_bits = row_bitmap_create(table->schema->n_columns);
    txn->n_inserts++;
    return tr->insert;
}

/* Like idl_txn_insert(), but the new row gets 'uuid' for good: the
 * request names it (the "uuid" member of "insert", an ovsdb-server(7)
 * extension), so the caller can refer to the row by 'uuid' after the
 * commit without waiting for the reply.  'uuid' must not be the UUID of a
 * row of 'table' or of a row this transaction already inserts; the server
 * refuses the transaction if the table has a row with it. */
const struct idl_row *
idl_txn_insert_uuid(struct idl_txn *txn, struct idl_table *table,
                    const struct uuid *uuid)
{
    ASSERT(table->schema);
    ASSERT(!idl_txn_row_find(txn, table, uuid));
    struct idl_txn_row *tr = idl_txn_row_add(txn, table, uuid);
    tr->insert = idl__row_create(table, uuid);
    tr->insert->txn = txn;
    tr->written_bits = row_bitmap_create(table->schema->n_columns);
    tr->fixed_uuid = true;
    txn->n_inserts++;
    return tr->insert;
}

/* Deletes 'row' (or, for a row 'txn' inserted, drops the insert). */
void
idl_txn_delete(struct idl_txn *txn, const struct idl_row *row)
{
    struct idl_txn_row *tr = idl_txn_row_get(txn, row);
    if (tr->insert && !tr->deleted) {
        txn->n_inserts--;
    }
    tr->deleted = true;
}

static struct datum *
idl_txn_written(struct idl_txn_row *tr, size_t idx)
{
    if (tr->insert) {
        return row_bitmap_is_set(tr->written_bits, idx)
               ? &tr->insert->data->fields[idx] : NULL;
    }
    return (tr->written && row_bitmap_is_set(tr->written_bits, idx)
            ? &tr->written[idx] : NULL);
}

/* Drops the partial updates of column 'idx' of 'tr'. */
static void
idl_txn_drop_mutations(struct idl_txn_row *tr, size_t idx)
{
    const struct db_type *type = &tr->table->schema->columns[idx]->type;
    struct idl_txn_mutation *m;
    LIST_FOR_EACH_SAFE (m, node, &tr->mutations) {
        if (m->column == idx) {
            list_remove(&m->node);
            datum_destroy(&m->elems, type);
            free(m);
        }
    }
}

/* Sets 'column' of 'row' to 'value', taking its contents (and leaving it
 * empty).  'value' must fit the column's type.  The write replaces any
 * earlier write or partial update of the column in 'txn'. */
void
idl_txn_set(struct idl_txn *txn, const struct idl_row *row,
            const struct idl_column *column, struct datum *value)
{
    const struct column_schema *cs = idl__column(column);
    struct idl_txn_row *tr = idl_txn_row_get(txn, row);
    size_t idx = cs->index;

    idl_txn_drop_mutations(tr, idx);
    if (tr->insert) {
        row_set_field(tr->insert->data, idx, value);
    } else {
        size_t n = tr->table->schema->n_columns;
        if (!tr->written) {
            tr->written = xcalloc(n, sizeof *tr->written);
            tr->written_bits = row_bitmap_create(n);
        }
        if (row_bitmap_is_set(tr->written_bits, idx)) {
            datum_destroy(&tr->written[idx], &cs->type);
        }
        tr->written[idx] = *value;
        datum_init_empty(value);
    }
    row_bitmap_set(tr->written_bits, idx);
}

static void
idl_txn_set_atom(struct idl_txn *txn, const struct idl_row *row,
                 const struct idl_column *column, const union atom *atom,
                 enum db_atomic_type type)
{
    const struct column_schema *cs = idl__column(column);
    ASSERT(cs->type.key.type == type && !db_type_is_map(&cs->type));
    struct datum d;
    datum_init_alloc(&d, 1, false);
    atom_clone(&d.keys[0], atom, type);
    idl_txn_set(txn, row, column, &d);
}

/* Sets 'column', a string column, of 'row' to 'value'. */
void
idl_txn_set_string(struct idl_txn *txn, const struct idl_row *row,
                   const struct idl_column *column, const char *value)
{
    union atom atom = { .string = (char *) value };
    idl_txn_set_atom(txn, row, column, &atom, DB_TYPE_STRING);
}

/* Sets 'column', an integer column, of 'row' to 'value'. */
void
idl_txn_set_integer(struct idl_txn *txn, const struct idl_row *row,
                    const struct idl_column *column, long long value)
{
    union atom atom = { .integer = value };
    idl_txn_set_atom(txn, row, column, &atom, DB_TYPE_INTEGER);
}

/* Sets 'column', a boolean column, of 'row' to 'value'. */
void
idl_txn_set_boolean(struct idl_txn *txn, const struct idl_row *row,
                    const struct idl_column *column, bool value)
{
    union atom atom = { .boolean = value };
    idl_txn_set_atom(txn, row, column, &atom, DB_TYPE_BOOLEAN);
}

/* Sets 'column', a UUID column, of 'row' to 'value'. */
void
idl_txn_set_uuid(struct idl_txn *txn, const struct idl_row *row,
                 const struct idl_column *column, const struct uuid *value)
{
    union atom atom = { .uuid = *value };
    idl_txn_set_atom(txn, row, column, &atom, DB_TYPE_UUID);
}

/* Partial updates. */

/* Applies a partial update to 'value', a whole value the transaction
 * writes. */
static void
idl_txn_apply_mutation(struct datum *value, bool insert,
                       const struct datum *elems,
                       const struct column_schema *cs)
{
    if (insert) {
        datum_union(value, elems, &cs->type);
    } else {
        datum_subtract(value, elems, &cs->type, false);
    }
}

/* Records a partial update of 'column' of 'row': inserting or deleting the
 * one element 'key' (with 'value' for a map insert). */
static void
idl_txn_mutate(struct idl_txn *txn, const struct idl_row *row,
               const struct idl_column *column, bool insert,
               const union atom *key, const union atom *value)
{
    const struct column_schema *cs = idl__column(column);
    struct idl_txn_row *tr = idl_txn_row_get(txn, row);
    bool is_map = db_type_is_map(&cs->type);
    size_t idx = cs->index;

    struct datum elems;
    datum_init_alloc(&elems, 1, is_map && value);
    atom_clone(&elems.keys[0], key, cs->type.key.type);
    if (is_map && value) {
        atom_clone(&elems.values[0], value, cs->type.value.type);
    }

    struct datum *written = idl_txn_written(tr, idx);
    if (written) {
        if (tr->insert) {
            /* Inline fields of a row cannot grow in place. */
            struct datum copy;
            datum_clone(&copy, written, &cs->type);
            idl_txn_apply_mutation(&copy, insert, &elems, cs);
            row_set_field(tr->insert->data, idx, &copy);
        } else {
            idl_txn_apply_mutation(written, insert, &elems, cs);
        }
        datum_destroy(&elems, &cs->type);
        return;
    }
    if (tr->insert) {
        /* An unwritten column of a new row holds its type's default, a
         * placeholder (for a set of at least one reference, the all-zeros
         * UUID): building the value up starts from nothing. */
        struct datum copy;
        datum_init_empty(&copy);
        idl_txn_apply_mutation(&copy, insert, &elems, cs);
        row_set_field(tr->insert->data, idx, &copy);
        row_bitmap_set(tr->written_bits, idx);
        datum_destroy(&elems, &cs->type);
        return;
    }

    struct idl_txn_mutation *m = xzalloc(sizeof *m);
    m->column = idx;
    m->insert = insert;
    m->elems = elems;
    list_push_back(&tr->mutations, &m->node);
}

/* Adds 'elem' to 'column', a set column, of 'row' ("mutate" "insert"). */
void
idl_txn_add_to_set(struct idl_txn *txn, const struct idl_row *row,
                   const struct idl_column *column, const union atom *elem)
{
    ASSERT(!db_type_is_map(&idl__column(column)->type));
    idl_txn_mutate(txn, row, column, true, elem, NULL);
}

/* Removes 'elem' from 'column', a set column, of 'row' ("mutate"
 * "delete"). */
void
idl_txn_remove_from_set(struct idl_txn *txn, const struct idl_row *row,
                        const struct idl_column *column,
                        const union atom *elem)
{
    ASSERT(!db_type_is_map(&idl__column(column)->type));
    idl_txn_mutate(txn, row, column, false, elem, NULL);
}

/* Sets 'key' to 'value' in 'column', a map column, of 'row', replacing
 * any value 'key' had ("mutate": "delete" the key, then "insert" the
 * pair). */
void
idl_txn_map_set_key(struct idl_txn *txn, const struct idl_row *row,
                    const struct idl_column *column, const union atom *key,
                    const union atom *value)
{
    ASSERT(db_type_is_map(&idl__column(column)->type));
    idl_txn_mutate(txn, row, column, false, key, NULL);
    idl_txn_mutate(txn, row, column, true, key, value);
}

/* Removes 'key' from 'column', a map column, of 'row'. */
void
idl_txn_map_remove_key(struct idl_txn *txn, const struct idl_row *row,
                       const struct idl_column *column,
                       const union atom *key)
{
    ASSERT(db_type_is_map(&idl__column(column)->type));
    idl_txn_mutate(txn, row, column, false, key, NULL);
}

/* idl_txn_map_set_key() for a map from strings to strings. */
void
idl_txn_map_set_string(struct idl_txn *txn, const struct idl_row *row,
                       const struct idl_column *column, const char *key,
                       const char *value)
{
    const struct column_schema *cs = idl__column(column);
    ASSERT(cs->type.key.type == DB_TYPE_STRING
           && cs->type.value.type == DB_TYPE_STRING);
    union atom k = { .string = (char *) key };
    union atom v = { .string = (char *) value };
    idl_txn_map_set_key(txn, row, column, &k, &v);
}

/* Makes the commit fail with IDL_TXN_TRY_AGAIN unless 'column' of 'row', a
 * replica row, still holds the value it holds now, when this is called.
 * Call it for each value read to compute what the transaction writes. */
void
idl_txn_verify(struct idl_txn *txn, const struct idl_row *row,
               const struct idl_column *column)
{
    const struct column_schema *cs = idl__column(column);
    struct idl_txn_row *tr = idl_txn_row_get(txn, row);
    if (tr->insert) {
        return;
    }
    size_t n = tr->table->schema->n_columns;
    if (!tr->verified) {
        tr->verified = xcalloc(n, sizeof *tr->verified);
        tr->verify_bits = row_bitmap_create(n);
    }
    if (!row_bitmap_is_set(tr->verify_bits, cs->index)) {
        datum_clone(&tr->verified[cs->index], idl_row_get(row, column),
                    &cs->type);
        row_bitmap_set(tr->verify_bits, cs->index);
    }
}

/* Adds 1 to 'column', an integer column, of 'row', a replica row, in the
 * database (not from the replica's value: a "mutate" "+="), and reads the
 * result back for idl_txn_get_increment_new_value().  One increment per
 * transaction. */
void
idl_txn_increment(struct idl_txn *txn, const struct idl_row *row,
                  const struct idl_column *column)
{
    const struct column_schema *cs = idl__column(column);
    ASSERT(!txn->inc_table && !row->txn);
    ASSERT(cs->type.key.type == DB_TYPE_INTEGER);
    idl_txn_row_get(txn, row);
    txn->inc_table = row->table;
    txn->inc_uuid = row->uuid;
    txn->inc_column = cs->index;
}

/* Building the request. */

/* Writes "new_" and the hex digits of 'uuid' into 'name': the uuid-name of
 * an inserted row (RFC 7047 <id>). */
static void
idl_txn_uuid_name(const struct uuid *uuid, char name[UUID_LEN + 5])
{
    char s[UUID_LEN + 1];
    uuid_to_buffer(uuid, s);
    char *p = name + sprintf(name, "new_");
    for (const char *q = s; *q; q++) {
        if (*q != '-') {
            *p++ = *q;
        }
    }
    *p = '\0';
}

/* Replaces, in 'json', each ["uuid", U] whose U is a row 'txn' inserts by
 * ["named-uuid", NAME].  Returns the replacement for 'json' itself, or
 * NULL to keep it. */
static struct json *
idl_txn_substitute(const struct idl_txn *txn, struct json *json)
{
    if (!json_is_array(json)) {
        return NULL;
    }
    size_t n = json_array_size(json);
    if (n == 2 && json_is_string(json_array_at(json, 0))
        && !strcmp(json_string(json_array_at(json, 0)), "uuid")
        && json_is_string(json_array_at(json, 1))) {
        struct uuid uuid;
        const struct idl_txn_row *tr;
        if (uuid_from_string(&uuid, json_string(json_array_at(json, 1)))) {
            HMAP_FOR_EACH_WITH_HASH (tr, node, uuid_hash(&uuid),
                                     &txn->rows) {
                if (tr->insert && !tr->deleted
                    && uuid_equals(&tr->uuid, &uuid)) {
                    char name[UUID_LEN + 5];
                    idl_txn_uuid_name(&uuid, name);
                    return json_array_create_2(
                        json_string_create("named-uuid"),
                        json_string_create(name));
                }
            }
        }
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        struct json *sub = idl_txn_substitute(txn, json_array_at(json, i));
        if (sub) {
            json_unref(json->array.elems[i]);
            json->array.elems[i] = sub;
        }
    }
    return NULL;
}

/* Returns the JSON of 'datum', of 'type', for the request. */
static struct json *
idl_txn_datum_to_json(const struct idl_txn *txn, const struct datum *datum,
                      const struct db_type *type)
{
    struct json *json = datum_to_json(datum, type);
    if ((type->key.type == DB_TYPE_UUID || type->value.type == DB_TYPE_UUID)
        && txn->n_inserts) {
        struct json *sub = idl_txn_substitute(txn, json);
        if (sub) {
            json_unref(json);
            json = sub;
        }
    }
    return json;
}

static struct json *
idl_txn_where_uuid(const struct uuid *uuid)
{
    char s[UUID_LEN + 1];
    uuid_to_buffer(uuid, s);
    return json_array_create_1(json_array_create_3(
        json_string_create("_uuid"), json_string_create("=="),
        json_array_create_2(json_string_create("uuid"),
                            json_string_create(s))));
}

static struct json *
idl_txn_op(const char *op, const struct idl_table *table,
           const struct uuid *where)
{
    struct json *json = json_object_create();
    json_object_put_new(json, "op", json_string_create(op));
    json_object_put_new(json, "table", json_string_create(table->name));
    if (where) {
        json_object_put_new(json, "where", idl_txn_where_uuid(where));
    }
    return json;
}

static bool
idl_txn_row_writes(const struct idl_txn_row *tr)
{
    return (tr->deleted || !list_is_empty(&tr->mutations)
            || (tr->written_bits && tr->written));
}

/* The "wait" for an existing row 'tr' that the transaction writes or
 * verifies: the row must exist, with the verified values. */
static struct json *
idl_txn_wait_op(const struct idl_txn *txn, const struct idl_txn_row *tr)
{
    const struct table_schema *ts = tr->table->schema;
    struct json *op = idl_txn_op("wait", tr->table, &tr->uuid);
    struct json *columns = json_array_create_empty();
    struct json *row = json_object_create();
    for (size_t i = 0; tr->verified && i < ts->n_columns; i++) {
        if (row_bitmap_is_set(tr->verify_bits, i)) {
            const struct column_schema *cs = ts->columns[i];
            json_array_add(columns, json_string_create(cs->name));
            json_object_put_new(row, cs->name,
                                idl_txn_datum_to_json(txn, &tr->verified[i],
                                                      &cs->type));
        }
    }
    json_object_put_new(op, "timeout", json_integer_create(0));
    json_object_put_new(op, "columns", columns);
    json_object_put_new(op, "until", json_string_create("=="));
    json_object_put_new(op, "rows", json_array_create_1(row));
    return op;
}

/* Returns the "mutations" of 'tr', one per partial update, in order. */
static struct json *
idl_txn_mutations(const struct idl_txn *txn, const struct idl_txn_row *tr)
{
    const struct table_schema *ts = tr->table->schema;
    struct json *mutations = json_array_create_empty();
    const struct idl_txn_mutation *m;
    LIST_FOR_EACH (m, node, &tr->mutations) {
        const struct column_schema *cs = ts->columns[m->column];
        /* Elements as a set or map of any size; map keys to delete as a
         * set of the key type (RFC 7047 §5.1 <mutation>). */
        struct db_type type = cs->type;
        type.n_min = 0;
        type.n_max = UINT_MAX;
        if (!m->elems.values) {
            type.value.type = DB_TYPE_VOID;
        }
        struct json *value = idl_txn_datum_to_json(txn, &m->elems, &type);
        if (!db_type_is_map(&type) && m->elems.n == 1) {
            /* Always the ["set", ...] form, as for any set. */
            value = json_array_create_2(json_string_create("set"),
                                        json_array_create_1(value));
        }
        json_array_add(mutations, json_array_create_3(
                           json_string_create(cs->name),
                           json_string_create(m->insert ? "insert"
                                                        : "delete"),
                           value));
    }
    return mutations;
}

/* Adds the write operations of 'tr' to 'ops'. */
static void
idl_txn_add_write_ops(struct idl_txn *txn, struct idl_txn_row *tr,
                      struct json *ops, bool *any_writes)
{
    const struct table_schema *ts = tr->table->schema;

    if (tr->insert) {
        if (tr->deleted) {
            return;
        }
        char name[UUID_LEN + 5];
        idl_txn_uuid_name(&tr->uuid, name);
        struct json *op = idl_txn_op("insert", tr->table, NULL);
        json_object_put_new(op, "uuid-name", json_string_create(name));
        if (tr->fixed_uuid) {
            char u[UUID_LEN + 1];
            uuid_to_buffer(&tr->uuid, u);
            json_object_put_new(op, "uuid", json_string_create(u));
        }
        struct json *row = json_object_create();
        for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
            if (row_bitmap_is_set(tr->written_bits, i)) {
                json_object_put_new(row, ts->columns[i]->name,
                                    idl_txn_datum_to_json(
                                        txn, &tr->insert->data->fields[i],
                                        &ts->columns[i]->type));
            }
        }
        json_object_put_new(op, "row", row);
        if (txn->n_checks >= txn->allocated_checks) {
            txn->checks = x2nrealloc(txn->checks, &txn->allocated_checks,
                                     sizeof *txn->checks);
        }
        txn->checks[txn->n_checks++] = (struct idl_txn_check) {
            .op = json_array_size(ops) - 1, .row = tr };
        json_array_add(ops, op);
        *any_writes = true;
        return;
    }

    if (tr->deleted) {
        json_array_add(ops, idl_txn_op("delete", tr->table, &tr->uuid));
        *any_writes = true;
        return;
    }

    if (tr->written) {
        const struct idl_row *cur = idl_row_find(tr->table, &tr->uuid);
        struct json *row = json_object_create();
        for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
            const struct column_schema *cs = ts->columns[i];
            if (!row_bitmap_is_set(tr->written_bits, i)
                || (cur && cur->data->table == ts
                    && datum_equals(&cur->data->fields[i], &tr->written[i],
                                    &cs->type))) {
                continue;
            }
            json_object_put_new(row, cs->name,
                                idl_txn_datum_to_json(txn, &tr->written[i],
                                                      &cs->type));
        }
        if (json_object_size(row)) {
            struct json *op = idl_txn_op("update", tr->table, &tr->uuid);
            json_object_put_new(op, "row", row);
            json_array_add(ops, op);
            *any_writes = true;
        } else {
            json_unref(row);
        }
    }
    if (!list_is_empty(&tr->mutations)) {
        struct json *op = idl_txn_op("mutate", tr->table, &tr->uuid);
        json_object_put_new(op, "mutations", idl_txn_mutations(txn, tr));
        json_array_add(ops, op);
        *any_writes = true;
    }
}

/* Returns the "transact" params for 'txn' (the caller owns them) and sets
 * '*any_writes' if they change the database.  Records where to find the
 * results of inserts and of the increment. */
struct json *
idl__txn_build(struct idl_txn *txn, bool *any_writes)
{
    struct idl *idl = txn->idl;
    struct json *ops = json_array_create_1(json_string_create(idl->db_name));
    struct idl_txn_row *tr;

    *any_writes = false;
    txn->n_checks = 0;
    if (idl->lock_name) {
        struct json *op = json_object_create();
        json_object_put_new(op, "op", json_string_create("assert"));
        json_object_put_new(op, "lock", json_string_create(idl->lock_name));
        json_array_add(ops, op);
    }

    /* Waits first, so that they see the database as the program read it,
     * before this transaction's own writes. */
    LIST_FOR_EACH (tr, order_node, &txn->row_order) {
        if (!tr->insert && (tr->verified || idl_txn_row_writes(tr)
                            || (txn->inc_table == tr->table
                                && uuid_equals(&txn->inc_uuid,
                                               &tr->uuid)))) {
            json_array_add(ops, idl_txn_wait_op(txn, tr));
        }
    }
    LIST_FOR_EACH (tr, order_node, &txn->row_order) {
        idl_txn_add_write_ops(txn, tr, ops, any_writes);
    }

    if (txn->inc_table) {
        const char *name = txn->inc_table->schema->columns[
            txn->inc_column]->name;
        struct json *op = idl_txn_op("mutate", txn->inc_table,
                                     &txn->inc_uuid);
        json_object_put_new(op, "mutations", json_array_create_1(
                                json_array_create_3(
                                    json_string_create(name),
                                    json_string_create("+="),
                                    json_integer_create(1))));
        json_array_add(ops, op);
        op = idl_txn_op("select", txn->inc_table, &txn->inc_uuid);
        json_object_put_new(op, "columns", json_array_create_1(
                                json_string_create(name)));
        txn->inc_op = json_array_size(ops) - 1;
        json_array_add(ops, op);
        *any_writes = true;
    }

    if (txn->comment.length) {
        struct json *op = json_object_create();
        json_object_put_new(op, "op", json_string_create("comment"));
        json_object_put_new(op, "comment",
                            json_string_create(ds_cstr(&txn->comment)));
        json_array_add(ops, op);
    }
    return ops;
}

/* Committing. */

/* Sends 'txn' to the server.  Returns IDL_TXN_INCOMPLETE if it did, in
 * which case 'done'('txn', status, 'aux') runs when the outcome is known
 * ('done' may be NULL).  Otherwise returns the final status at once and
 * 'done' never runs: IDL_TXN_UNCHANGED if 'txn' writes nothing,
 * IDL_TXN_NOT_LOCKED if the IDL wants a lock it does not hold,
 * IDL_TXN_TRY_AGAIN if the IDL is not synced.  A transaction is committed
 * once. */
enum idl_txn_status
idl_txn_commit(struct idl_txn *txn, idl_txn_done_func *done, void *aux)
{
    ASSERT(txn->status == IDL_TXN_UNCOMMITTED);
    struct idl *idl = txn->idl;

    bool any_writes;
    struct json *params = idl__txn_build(txn, &any_writes);
    if (!any_writes) {
        txn->status = IDL_TXN_UNCHANGED;
    } else if (idl->lock_name && !idl->has_lock) {
        txn->status = IDL_TXN_NOT_LOCKED;
    } else if (idl->state != IDL_S_SYNCED) {
        txn->status = IDL_TXN_TRY_AGAIN;
    }
    if (txn->status != IDL_TXN_UNCOMMITTED) {
        json_unref(params);
        return txn->status;
    }

    struct idl_request *req;
    txn->request_id = idl__send_request(idl, "transact", params,
                                        IDL_REQ_TRANSACT, &req);
    req->txn = txn;
    txn->done_cb = done;
    txn->done_aux = aux;
    txn->status = IDL_TXN_INCOMPLETE;
    return txn->status;
}

static bool
idl_txn_is_done(struct idl *idl, void *txn_)
{
    const struct idl_txn *txn = txn_;
    return txn->status != IDL_TXN_INCOMPLETE;
}

/* Commits 'txn' and runs the IDL's loop until the outcome is known, which
 * it returns.  For CLIs; not from a loop callback. */
enum idl_txn_status
idl_txn_commit_block(struct idl_txn *txn)
{
    enum idl_txn_status status = idl_txn_commit(txn, NULL, NULL);
    if (status == IDL_TXN_INCOMPLETE) {
        if (idl_run_until(txn->idl, idl_txn_is_done, txn, -1)) {
            /* The loop ran dry: the connection is gone for good. */
            idl__txn_finish(txn, IDL_TXN_TRY_AGAIN);
        }
        status = txn->status;
    }
    return status;
}

/* Reply processing. */

static void
idl_txn_set_error(struct idl_txn *txn, const char *format, ...)
    PRINTF_FORMAT(2, 3);

static void
idl_txn_set_error(struct idl_txn *txn, const char *format, ...)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    va_list args;
    va_start(args, format);
    ds_put_format_valist(&ds, format, args);
    va_end(args);
    free(txn->error);
    txn->error = ds_steal_cstr(&ds);
}

/* Classifies the first RFC 7047 error object in 'results'. */
static enum idl_txn_status
idl_txn_reply_error(struct idl_txn *txn, const struct json *results)
{
    for (size_t i = 0; i < json_array_size(results); i++) {
        const struct json *r = json_array_at(results, i);
        const char *tag = (json_is_object(r)
                           ? json_object_find_string(r, "error") : NULL);
        if (!tag) {
            continue;
        }
        const char *details = json_object_find_string(r, "details");
        idl_txn_set_error(txn, "%s%s%s", tag, details ? ": " : "",
                          details ? details : "");
        if (!strcmp(tag, "timed out")) {
            return IDL_TXN_TRY_AGAIN;
        } else if (!strcmp(tag, "not owner")) {
            return IDL_TXN_NOT_LOCKED;
        }
        return IDL_TXN_ERROR;
    }
    return IDL_TXN_SUCCESS;
}

/* Reads the results the transaction needs from 'results', a successful
 * reply. */
static enum idl_txn_status
idl_txn_read_results(struct idl_txn *txn, const struct json *results)
{
    for (size_t i = 0; i < txn->n_checks; i++) {
        const struct idl_txn_check *c = &txn->checks[i];
        const struct json *r = (c->op < json_array_size(results)
                                ? json_array_at(results, c->op) : NULL);
        const struct json *u = (r && json_is_object(r)
                                ? json_object_find(r, "uuid") : NULL);
        if (!u || !json_is_array(u) || json_array_size(u) != 2
            || !json_is_string(json_array_at(u, 1))
            || !uuid_from_string(&c->row->real_uuid,
                                 json_string(json_array_at(u, 1)))) {
            idl_txn_set_error(txn, "bad insert result in reply");
            return IDL_TXN_ERROR;
        }
        c->row->has_real_uuid = true;
    }
    if (txn->inc_table) {
        const struct json *r = (txn->inc_op < json_array_size(results)
                                ? json_array_at(results, txn->inc_op)
                                : NULL);
        const struct json *rows = (r && json_is_object(r)
                                   ? json_object_find(r, "rows") : NULL);
        const char *name = txn->inc_table->schema->columns[
            txn->inc_column]->name;
        const struct json *value = (rows && json_is_array(rows)
                                    && json_array_size(rows) == 1
                                    && json_is_object(json_array_at(rows, 0))
                                    ? json_object_find(json_array_at(rows, 0),
                                                       name)
                                    : NULL);
        if (!value || !json_is_integer(value)) {
            idl_txn_set_error(txn, "bad increment result in reply");
            return IDL_TXN_ERROR;
        }
        txn->inc_new_value = json_integer(value);
    }
    return IDL_TXN_SUCCESS;
}

/* Returns the status 'msg', the reply to 'txn''s "transact", gives it. */
enum idl_txn_status
idl__txn_process_reply(struct idl_txn *txn, const struct jsonrpc_msg *msg)
{
    if (msg->type == JSONRPC_ERROR) {
        char *s = json_to_string(msg->error, 0);
        idl_txn_set_error(txn, "%s", s);
        free(s);
        return IDL_TXN_ERROR;
    }
    const struct json *results = msg->result;
    if (!json_is_array(results)) {
        idl_txn_set_error(txn, "transact reply is not an array");
        return IDL_TXN_ERROR;
    }
    enum idl_txn_status status = idl_txn_reply_error(txn, results);
    if (status == IDL_TXN_SUCCESS) {
        status = idl_txn_read_results(txn, results);
    }
    return status;
}

/* Gives 'txn', which is waiting for its reply, its final 'status' and
 * calls its callback. */
void
idl__txn_finish(struct idl_txn *txn, enum idl_txn_status status)
{
    if (txn->status != IDL_TXN_INCOMPLETE) {
        return;
    }
    txn->status = status;
    if (status != IDL_TXN_SUCCESS) {
        LOG_DBG("transaction: %s%s%s", idl_txn_status_to_string(status),
                txn->error ? ": " : "", txn->error ? txn->error : "");
    }
    if (txn->done_cb) {
        txn->done_cb(txn, status, txn->done_aux);
    }
}

/* Ends every transaction of 'idl' waiting for a reply with 'status',
 * calling its callback. */
void
idl__txn_fail_all(struct idl *idl, enum idl_txn_status status)
{
    struct idl_txn *txn;
    LIST_FOR_EACH_SAFE (txn, list_node, &idl->txns) {
        if (txn->status == IDL_TXN_INCOMPLETE) {
            idl_txn_set_error(txn, "connection to the server lost");
            idl__txn_finish(txn, status);
        }
    }
}

/* Results. */

/* Returns the status of 'txn'. */
enum idl_txn_status
idl_txn_get_status(const struct idl_txn *txn)
{
    return txn->status;
}

/* Returns the server's error for a transaction that ended with
 * IDL_TXN_ERROR (or why it had to be tried again), or NULL. */
const char *
idl_txn_get_error(const struct idl_txn *txn)
{
    return txn->error;
}

/* Returns the UUID the server gave 'row', which 'txn' inserted, once the
 * commit succeeded; else NULL. */
const struct uuid *
idl_txn_get_insert_uuid(const struct idl_txn *txn, const struct idl_row *row)
{
    const struct idl_txn_row *tr = idl_txn_row_find(txn, row->table,
                                                    &row->uuid);
    return tr && tr->has_real_uuid ? &tr->real_uuid : NULL;
}

/* Returns the incremented column's value after a successful commit. */
long long
idl_txn_get_increment_new_value(const struct idl_txn *txn)
{
    return txn->inc_new_value;
}

/* Returns a name for 'status' ("success", "try again", ...). */
const char *
idl_txn_status_to_string(enum idl_txn_status status)
{
    switch (status) {
    case IDL_TXN_UNCOMMITTED: return "uncommitted";
    case IDL_TXN_INCOMPLETE: return "incomplete";
    case IDL_TXN_UNCHANGED: return "unchanged";
    case IDL_TXN_SUCCESS: return "success";
    case IDL_TXN_TRY_AGAIN: return "try again";
    case IDL_TXN_NOT_LOCKED: return "not locked";
    case IDL_TXN_ERROR: return "error";
    }
    return "<unknown>";
}
