/* idl-test: drives one ovsdb/idl replica from commands on standard input,
 * for tests/system/test_idl.py.
 *
 *     idl-test --remote REMOTES --db DB --table TABLE[:COL,COL...] ...
 *              [--probe MS] [--backoff MIN:MAX]
 *
 * A table without columns replicates all of them; "--table '*'" replicates
 * every table of the schema.  Tracking accumulates
 * until "track" clears it.  Each command is one line and gets one line of
 * JSON in reply.  While it waits for a command the program runs the IDL's
 * loop, so updates, echo requests and lock notifications are handled at
 * once.
 *
 *   wait-sync [MS]            {"synced": BOOL, "error": TEXT}
 *   seqno                     {"seqno": N}
 *   wait-change N [MS]        waits until the seqno differs from N
 *   dump TABLE                {UUID: {COLUMN: VALUE...}...}
 *   track                     {TABLE: {"new": [UUID...], "deleted": [...],
 *                              "modified": {UUID: [COLUMN...]}}}, then
 *                             clears the tracked changes
 *   cond TABLE JSON|null      sets a condition, waits until acknowledged
 *   stats                     counters and state
 *   lock NAME|-               sets (or, with -, drops) the lock
 *   wait-lock [MS]            waits for the lock: {"has_lock": BOOL}
 *   reconnect                 drops the connection (reconnects after the
 *                             backoff)
 *   txn-begin / txn-op OP / txn-commit    a transaction, one op at a time
 *   txn OP...                 the same in one line (a JSON array of OPs)
 *   quit
 *
 * A transaction OP is a JSON array:
 *   ["insert", TABLE]  ["set", TABLE, ROW, COL, VALUE]  ["verify", TABLE,
 *   ROW, COL]  ["add"|"remove", TABLE, ROW, COL, ELEM]  ["mapset", TABLE,
 *   ROW, COL, KEY, VALUE]  ["mapdel", TABLE, ROW, COL, KEY]  ["delete",
 *   TABLE, ROW]  ["inc", TABLE, ROW, COL]  ["comment", TEXT]
 * where ROW is a UUID, "#NAME" (the row whose "name" column is NAME) or
 * "@N" (the N-th row this transaction inserted), and an atom of a UUID
 * column may also be "@N".  VALUE and ELEM are RFC 7047 JSON.  txn-commit
 * prints {"status": TEXT, "error": TEXT, "inserted": [UUID...], "inc": N}.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/error.h"
#include "ovsdb/idl.h"
#include "ovsdb/schema.h"

/* The program's state. */
struct prog {
    uv_loop_t *loop;            /* The loop. */
    struct idl *idl;            /* The replica. */
    uv_poll_t stdin_poll;       /* Wakes the loop for a command. */
    bool input_ready;           /* stdin is readable. */
    struct ds input;            /* Bytes read, not yet a whole line. */
    struct idl_txn *txn;        /* Open transaction, or NULL. */
    const struct idl_row **inserted; /* Rows 'txn' inserted. */
    size_t n_inserted;          /* Number of 'inserted'. */
    char *txn_error;            /* First bad op of 'txn', or NULL. */
};

static void
print_json(struct json *json)
{
    char *s = json_to_string(json, JSON_SORT);
    printf("%s\n", s);
    fflush(stdout);
    free(s);
    json_unref(json);
}

static void
print_error(const char *format, ...) PRINTF_FORMAT(1, 2);

static void
print_error(const char *format, ...)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    va_list args;
    va_start(args, format);
    ds_put_format_valist(&ds, format, args);
    va_end(args);
    struct json *json = json_object_create();
    json_object_put_new(json, "error", json_string_create(ds_cstr(&ds)));
    ds_uninit(&ds);
    print_json(json);
}

static char *
uuid_string(const struct uuid *uuid)
{
    char *s = xmalloc(UUID_LEN + 1);
    uuid_to_buffer(uuid, s);
    return s;
}

static struct json *
uuid_json(const struct uuid *uuid)
{
    return json_string_create_nocopy(uuid_string(uuid));
}

/* Waiting. */

struct seqno_wait {
    uint64_t seqno;             /* Wait until the seqno is not this. */
};

static bool
seqno_changed(struct idl *idl, void *w_)
{
    const struct seqno_wait *w = w_;
    return idl_seqno(idl) != w->seqno;
}

static bool
cond_acked(struct idl *idl, void *aux)
{
    return idl_condition_is_acked(idl);
}

static bool
has_lock(struct idl *idl, void *aux)
{
    return idl_has_lock(idl);
}

/* Commands. */

static struct idl_table *
get_table(struct prog *p, const char *name)
{
    struct idl_table *table = idl_get_table(p->idl, name);
    if (!table || !idl_table_schema(table)) {
        return NULL;
    }
    return table;
}

static void
cmd_dump(struct prog *p, const char *name)
{
    struct idl_table *table = get_table(p, name);
    if (!table) {
        print_error("no table %s", name);
        return;
    }
    const struct table_schema *ts = idl_table_schema(table);
    struct json *rows = json_object_create();
    const struct idl_row *row;
    IDL_FOR_EACH_ROW (row, table) {
        struct json *obj = json_object_create();
        for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
            const struct idl_column *column = idl_table_find_column(
                table, ts->columns[i]->name);
            if (column) {
                json_object_put_new(obj, ts->columns[i]->name,
                                    datum_to_json(idl_row_get(row, column),
                                                  &ts->columns[i]->type));
            }
        }
        char *uuid = uuid_string(idl_row_uuid(row));
        json_object_put_new(rows, uuid, obj);
        free(uuid);
    }
    print_json(rows);
}

static struct json *
track_table(struct idl_table *table)
{
    const struct table_schema *ts = idl_table_schema(table);
    struct json *new = json_array_create_empty();
    struct json *deleted = json_array_create_empty();
    struct json *modified = json_object_create();
    const struct idl_row *row;
    IDL_FOR_EACH_TRACKED (row, table) {
        if (idl_row_is_deleted(row)) {
            json_array_add(deleted, uuid_json(idl_row_uuid(row)));
        } else if (idl_row_is_new(row)) {
            json_array_add(new, uuid_json(idl_row_uuid(row)));
        } else if (idl_row_is_modified(row)) {
            struct json *columns = json_array_create_empty();
            for (size_t i = DB_COLUMN_VERSION + 1; i < ts->n_columns; i++) {
                const struct idl_column *column = idl_table_find_column(
                    table, ts->columns[i]->name);
                if (column && idl_row_column_changed(row, column)) {
                    json_array_add(columns,
                                   json_string_create(ts->columns[i]->name));
                }
            }
            char *uuid = uuid_string(idl_row_uuid(row));
            json_object_put_new(modified, uuid, columns);
            free(uuid);
        }
    }
    struct json *obj = json_object_create();
    json_object_put_new(obj, "new", new);
    json_object_put_new(obj, "deleted", deleted);
    json_object_put_new(obj, "modified", modified);
    return obj;
}

static void
cmd_track(struct prog *p, char **tables, size_t n_tables)
{
    struct json *out = json_object_create();
    for (size_t i = 0; i < n_tables; i++) {
        struct idl_table *table = get_table(p, tables[i]);
        if (table) {
            json_object_put_new(out, tables[i], track_table(table));
        }
    }
    idl_track_clear(p->idl);
    print_json(out);
}

static void
cmd_stats(struct prog *p)
{
    struct idl_stats s;
    idl_get_stats(p->idl, &s);
    struct json *out = json_object_create();
    json_object_put_new(out, "connects", json_integer_create(s.n_connects));
    json_object_put_new(out, "syncs", json_integer_create(s.n_syncs));
    json_object_put_new(out, "resumes", json_integer_create(s.n_resumes));
    json_object_put_new(out, "full_syncs",
                        json_integer_create(s.n_full_syncs));
    json_object_put_new(out, "updates", json_integer_create(s.n_updates));
    json_object_put_new(out, "method",
                        json_string_create(s.monitor_method));
    json_object_put_new(out, "connected",
                        json_boolean_create(idl_is_connected(p->idl)));
    json_object_put_new(out, "synced",
                        json_boolean_create(idl_has_synced(p->idl)));
    json_object_put_new(out, "has_lock",
                        json_boolean_create(idl_has_lock(p->idl)));
    json_object_put_new(out, "contended",
                        json_boolean_create(idl_is_lock_contended(p->idl)));
    json_object_put_new(out, "seqno",
                        json_integer_create(idl_seqno(p->idl)));
    print_json(out);
}

/* Transactions. */

static const struct idl_row *
find_row(struct prog *p, struct idl_table *table, const char *spec)
{
    if (spec[0] == '@') {
        size_t n = strtoul(spec + 1, NULL, 10);
        return n < p->n_inserted ? p->inserted[n] : NULL;
    }
    if (spec[0] == '#') {
        const struct idl_column *name = idl_table_find_column(table,
                                                              "name");
        const struct idl_row *row;
        IDL_FOR_EACH_ROW (row, table) {
            const char *s = name ? idl_row_get_string(row, name) : NULL;
            if (s && !strcmp(s, spec + 1)) {
                return row;
            }
        }
        return NULL;
    }
    struct uuid uuid;
    return uuid_from_string(&uuid, spec) ? idl_row_find(table, &uuid) : NULL;
}

/* Replaces "@N" strings for UUID atoms in a copy of 'json'. */
static struct json *
resolve_refs(struct prog *p, const struct json *json)
{
    if (json_is_string(json) && json_string(json)[0] == '@') {
        size_t n = strtoul(json_string(json) + 1, NULL, 10);
        if (n < p->n_inserted) {
            char *s = uuid_string(idl_row_uuid(p->inserted[n]));
            struct json *u = json_array_create_2(json_string_create("uuid"),
                                                 json_string_create(s));
            free(s);
            return u;
        }
    }
    if (json_is_array(json)) {
        struct json *copy = json_array_create_empty();
        for (size_t i = 0; i < json_array_size(json); i++) {
            json_array_add(copy, resolve_refs(p, json_array_at(json, i)));
        }
        return copy;
    }
    return json_ref(json);
}

static char *
parse_atom(struct prog *p, const struct db_base_type *type,
           const struct json *json, union atom *atom)
{
    struct json *resolved = resolve_refs(p, json);
    struct db_error *error = atom_from_json(atom, type, resolved, NULL);
    json_unref(resolved);
    if (error) {
        char *s = db_error_to_string(error);
        db_error_destroy(error);
        return s;
    }
    return NULL;
}

static const char *
op_string(const struct json *op, size_t i)
{
    return (i < json_array_size(op) && json_is_string(json_array_at(op, i))
            ? json_string(json_array_at(op, i)) : NULL);
}

/* Adds 'op' to the open transaction.  Returns an error message (caller
 * frees) or NULL. */
static char *
txn_op(struct prog *p, const struct json *op)
{
    const char *kind = op_string(op, 0);
    if (!kind) {
        return xstrdup("op must be an array starting with a string");
    }
    if (!strcmp(kind, "comment")) {
        idl_txn_add_comment(p->txn, "%s", op_string(op, 1));
        return NULL;
    }
    const char *table_name = op_string(op, 1);
    struct idl_table *table = table_name ? get_table(p, table_name) : NULL;
    if (!table) {
        return xasprintf("%s: unknown table", kind);
    }
    if (!strcmp(kind, "insert")) {
        p->inserted = xrealloc(p->inserted,
                               (p->n_inserted + 1) * sizeof *p->inserted);
        p->inserted[p->n_inserted++] = idl_txn_insert(p->txn, table);
        return NULL;
    }
    const char *row_spec = op_string(op, 2);
    const struct idl_row *row = row_spec ? find_row(p, table, row_spec)
                                         : NULL;
    if (!row) {
        return xasprintf("%s: no row %s", kind, row_spec ? row_spec : "");
    }
    if (!strcmp(kind, "delete")) {
        idl_txn_delete(p->txn, row);
        return NULL;
    }
    const char *column_name = op_string(op, 3);
    const struct idl_column *column = (column_name
                                       ? idl_table_find_column(table,
                                                               column_name)
                                       : NULL);
    if (!column) {
        return xasprintf("%s: no column %s", kind,
                         column_name ? column_name : "");
    }
    const struct db_type *type = &idl_column_schema(column)->type;
    const struct json *arg1 = (json_array_size(op) > 4
                               ? json_array_at(op, 4) : NULL);
    const struct json *arg2 = (json_array_size(op) > 5
                               ? json_array_at(op, 5) : NULL);
    union atom key, value;
    char *error = NULL;

    if (!strcmp(kind, "verify")) {
        idl_txn_verify(p->txn, row, column);
    } else if (!strcmp(kind, "inc")) {
        idl_txn_increment(p->txn, row, column);
    } else if (!strcmp(kind, "set") && arg1) {
        struct json *resolved = resolve_refs(p, arg1);
        struct datum datum;
        struct db_error *e = datum_from_json(&datum, type, resolved, NULL);
        json_unref(resolved);
        if (e) {
            error = db_error_to_string(e);
            db_error_destroy(e);
        } else {
            idl_txn_set(p->txn, row, column, &datum);
        }
    } else if ((!strcmp(kind, "add") || !strcmp(kind, "remove")) && arg1) {
        error = parse_atom(p, &type->key, arg1, &key);
        if (!error) {
            if (kind[0] == 'a') {
                idl_txn_add_to_set(p->txn, row, column, &key);
            } else {
                idl_txn_remove_from_set(p->txn, row, column, &key);
            }
            atom_destroy(&key, type->key.type);
        }
    } else if (!strcmp(kind, "mapset") && arg1 && arg2) {
        error = parse_atom(p, &type->key, arg1, &key);
        if (!error) {
            error = parse_atom(p, &type->value, arg2, &value);
            if (!error) {
                idl_txn_map_set_key(p->txn, row, column, &key, &value);
                atom_destroy(&value, type->value.type);
            }
            atom_destroy(&key, type->key.type);
        }
    } else if (!strcmp(kind, "mapdel") && arg1) {
        error = parse_atom(p, &type->key, arg1, &key);
        if (!error) {
            idl_txn_map_remove_key(p->txn, row, column, &key);
            atom_destroy(&key, type->key.type);
        }
    } else {
        error = xasprintf("bad op %s", kind);
    }
    return error;
}

static void
txn_begin(struct prog *p)
{
    idl_txn_destroy(p->txn);
    p->txn = idl_txn_create(p->idl);
    free(p->inserted);
    p->inserted = NULL;
    p->n_inserted = 0;
    free(p->txn_error);
    p->txn_error = NULL;
}

static void
txn_add_op(struct prog *p, const struct json *op)
{
    if (!p->txn_error) {
        p->txn_error = txn_op(p, op);
    }
}

static void
txn_commit(struct prog *p)
{
    if (!p->txn) {
        print_error("no transaction");
        return;
    }
    if (p->txn_error) {
        print_error("%s", p->txn_error);
        idl_txn_destroy(p->txn);
        p->txn = NULL;
        return;
    }
    enum idl_txn_status status = idl_txn_commit_block(p->txn);
    struct json *out = json_object_create();
    json_object_put_new(out, "status", json_string_create(
                            idl_txn_status_to_string(status)));
    const char *error = idl_txn_get_error(p->txn);
    if (error) {
        json_object_put_new(out, "error", json_string_create(error));
    }
    struct json *inserted = json_array_create_empty();
    for (size_t i = 0; i < p->n_inserted; i++) {
        const struct uuid *u = idl_txn_get_insert_uuid(p->txn,
                                                       p->inserted[i]);
        json_array_add(inserted, u ? uuid_json(u) : json_null_create());
    }
    json_object_put_new(out, "inserted", inserted);
    json_object_put_new(out, "inc", json_integer_create(
                            idl_txn_get_increment_new_value(p->txn)));
    idl_txn_destroy(p->txn);
    p->txn = NULL;
    print_json(out);
}

static struct json *
parse_arg(const char *text)
{
    struct json *json;
    char *error = json_from_string(text, &json);
    if (error) {
        print_error("bad JSON: %s", error);
        free(error);
        return NULL;
    }
    return json;
}

/* Runs command 'line'.  Returns false for "quit". */
static bool
run_command(struct prog *p, char *line)
{
    char *args[64];
    size_t n = 0;
    char *rest = line;
    /* The first word is the command; for commands taking JSON, the rest of
     * the line after the words they need is one argument. */
    while (*rest == ' ') {
        rest++;
    }
    char *cmd = strsep(&rest, " ");
    if (!cmd || !*cmd) {
        print_error("empty command");
        return true;
    }
    long long timeout = 10000;

    if (!strcmp(cmd, "quit")) {
        return false;
    } else if (!strcmp(cmd, "wait-sync")) {
        if (rest && *rest) {
            timeout = atoll(rest);
        }
        int error = idl_wait_synced(p->idl, timeout);
        struct json *out = json_object_create();
        json_object_put_new(out, "synced", json_boolean_create(!error));
        const char *msg = idl_get_last_error(p->idl);
        if (error && msg) {
            json_object_put_new(out, "error", json_string_create(msg));
        }
        print_json(out);
    } else if (!strcmp(cmd, "seqno")) {
        struct json *out = json_object_create();
        json_object_put_new(out, "seqno",
                            json_integer_create(idl_seqno(p->idl)));
        print_json(out);
    } else if (!strcmp(cmd, "wait-change")) {
        struct seqno_wait w = { .seqno = strtoull(rest ? rest : "0",
                                                  &rest, 10) };
        if (rest && *rest) {
            timeout = atoll(rest);
        }
        int error = idl_run_until(p->idl, seqno_changed, &w, timeout);
        struct json *out = json_object_create();
        json_object_put_new(out, "seqno",
                            json_integer_create(idl_seqno(p->idl)));
        json_object_put_new(out, "changed", json_boolean_create(!error));
        print_json(out);
    } else if (!strcmp(cmd, "dump") && rest) {
        cmd_dump(p, rest);
    } else if (!strcmp(cmd, "track")) {
        char *tok;
        while (rest && (tok = strsep(&rest, " "))) {
            if (*tok && n < ARRAY_SIZE(args)) {
                args[n++] = tok;
            }
        }
        cmd_track(p, args, n);
    } else if (!strcmp(cmd, "cond") && rest) {
        char *table_name = strsep(&rest, " ");
        struct idl_table *table = get_table(p, table_name);
        struct json *cond = rest ? parse_arg(rest) : NULL;
        if (!table || !cond) {
            json_unref(cond);
            if (!table) {
                print_error("no table %s", table_name);
            }
            return true;
        }
        int error = idl_set_condition(p->idl, table,
                                      json_is_null(cond) ? NULL : cond);
        json_unref(cond);
        if (!error) {
            error = idl_run_until(p->idl, cond_acked, NULL, timeout);
        }
        struct json *out = json_object_create();
        json_object_put_new(out, "acked", json_boolean_create(!error));
        print_json(out);
    } else if (!strcmp(cmd, "stats")) {
        cmd_stats(p);
    } else if (!strcmp(cmd, "lock") && rest) {
        idl_set_lock(p->idl, strcmp(rest, "-") ? rest : NULL);
        cmd_stats(p);
    } else if (!strcmp(cmd, "wait-lock")) {
        if (rest && *rest) {
            timeout = atoll(rest);
        }
        idl_run_until(p->idl, has_lock, NULL, timeout);
        cmd_stats(p);
    } else if (!strcmp(cmd, "reconnect")) {
        idl_force_reconnect(p->idl);
        cmd_stats(p);
    } else if (!strcmp(cmd, "txn-begin")) {
        txn_begin(p);
        print_json(json_object_create());
    } else if (!strcmp(cmd, "txn-op") && rest && p->txn) {
        struct json *op = parse_arg(rest);
        if (op) {
            txn_add_op(p, op);
            json_unref(op);
            print_json(json_object_create());
        }
    } else if (!strcmp(cmd, "txn-commit")) {
        txn_commit(p);
    } else if (!strcmp(cmd, "txn") && rest) {
        struct json *ops = parse_arg(rest);
        if (ops) {
            txn_begin(p);
            for (size_t i = 0; json_is_array(ops) && i < json_array_size(ops);
                 i++) {
                txn_add_op(p, json_array_at(ops, i));
            }
            json_unref(ops);
            txn_commit(p);
        }
    } else {
        print_error("unknown command %s", cmd);
    }
    return true;
}

/* Input. */

static void
stdin_poll_cb(uv_poll_t *poll, int status, int events)
{
    struct prog *p = poll->data;
    p->input_ready = true;
    uv_poll_stop(poll);
    uv_stop(p->loop);
}

/* Runs the loop until a line is available; returns it (owned by the
 * caller), or NULL at end of input. */
static char *
read_line(struct prog *p)
{
    for (;;) {
        char *nl = p->input.length ? memchr(p->input.string, '\n',
                                            p->input.length) : NULL;
        if (nl) {
            size_t len = nl - p->input.string;
            char *line = xmemdup0(p->input.string, len);
            memmove(p->input.string, nl + 1, p->input.length - len - 1);
            ds_truncate(&p->input, p->input.length - len - 1);
            return line;
        }
        p->input_ready = false;
        uv_poll_start(&p->stdin_poll, UV_READABLE, stdin_poll_cb);
        while (!p->input_ready) {
            uv_run(p->loop, UV_RUN_DEFAULT);
        }
        char buf[4096];
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return NULL;
        }
        ds_put_buffer(&p->input, buf, n);
    }
}

static void
usage(void)
{
    printf("usage: idl-test --remote REMOTES --db DB "
           "--table TABLE[:COL,...]... [--probe MS] [--backoff MIN:MAX]\n");
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        {"remote", required_argument, NULL, 'r'},
        {"db", required_argument, NULL, 'd'},
        {"table", required_argument, NULL, 't'},
        {"probe", required_argument, NULL, 'p'},
        {"backoff", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *remote = NULL, *db = NULL;
    char *tables[64];
    size_t n_tables = 0;
    int probe = -1, backoff_min = -1, backoff_max = -1;

    for (;;) {
        int c = getopt_long(argc, argv, "", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'r':
            remote = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 't':
            if (n_tables < ARRAY_SIZE(tables)) {
                tables[n_tables++] = optarg;
            }
            break;
        case 'p':
            probe = atoi(optarg);
            break;
        case 'b':
            if (sscanf(optarg, "%d:%d", &backoff_min, &backoff_max) != 2) {
                usage();
                exit(EXIT_FAILURE);
            }
            break;
        case 'h':
            usage();
            exit(EXIT_SUCCESS);
        default:
            exit(EXIT_FAILURE);
        }
    }
    if (!remote || !db || !n_tables) {
        usage();
        exit(EXIT_FAILURE);
    }

    struct prog p = { .loop = uv_default_loop() };
    ds_init(&p.input);
    p.idl = idl_create(p.loop, remote, db);
    idl_track_enable(p.idl);
    if (probe >= 0) {
        idl_set_probe_interval(p.idl, probe);
    }
    if (backoff_min >= 0) {
        idl_set_backoff(p.idl, backoff_min, backoff_max);
    }
    for (size_t i = 0; i < n_tables; i++) {
        char *spec = tables[i];
        char *name = strsep(&spec, ":");
        if (!strcmp(name, "*")) {
            idl_add_all_tables(p.idl);
            continue;
        }
        struct idl_table *table = idl_add_table(p.idl, name);
        if (!spec) {
            idl_add_all_columns(table);
            continue;
        }
        char *column;
        while ((column = strsep(&spec, ","))) {
            if (*column) {
                idl_add_column(table, column);
            }
        }
    }

    uv_poll_init(p.loop, &p.stdin_poll, STDIN_FILENO);
    p.stdin_poll.data = &p;

    char *line;
    while ((line = read_line(&p))) {
        bool more = run_command(&p, line);
        free(line);
        if (!more) {
            break;
        }
    }

    idl_txn_destroy(p.txn);
    free(p.inserted);
    free(p.txn_error);
    idl_destroy(p.idl);
    uv_close((uv_handle_t *) &p.stdin_poll, NULL);
    uv_run(p.loop, UV_RUN_NOWAIT);
    ds_uninit(&p.input);
    return 0;
}
