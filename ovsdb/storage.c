/* Database files: loading, appending and compaction on top of the journal.
 * The record formats are ovsdb(5)'s: the schema first, then transactions
 * ({"TABLE": {"UUID": ROW-or-null}, "_date": MS, "_comment": TEXT}). */
#include "ovsdb/storage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "ovsdb/db.h"
#include "ovsdb/error.h"
#include "ovsdb/journal.h"
#include "ovsdb/schema.h"
#include "ovsdb/txn.h"

LOG_MODULE(storage);

/* Compact once the file is this many times the size it had just after the
 * last compaction, at least MIN_COMPACT_SIZE bytes, and MIN_COMPACT_TXNS
 * transactions longer: rewriting a file costs as much as writing all of
 * it, so it must pay for itself over many commits. */
#define COMPACT_GROWTH 4
#define MIN_COMPACT_SIZE (10 * 1024 * 1024)
#define MIN_COMPACT_TXNS 100

struct storage {
    struct journal *journal;    /* The open file, locked. */
    char *path;                 /* As given. */
    long long base_size;        /* Size just after loading or compacting. */
    size_t base_records;        /* Records then. */
};

static struct db_error *
journal_error(const char *what, const char *path, int err, char *msg)
{
    struct db_error *e = db_error_create("I/O error", "%s %s: %s", what,
                                         path, msg ? msg : strerror(-err));
    free(msg);
    return e;
}

/* Creates database file 'path' holding only the schema read from
 * 'schema_path', as `ovsdb-tool create` does. */
struct db_error *
storage_create(const char *path, const char *schema_path)
{
    struct db_schema *schema;
    struct db_error *error = db_schema_from_file(schema_path, &schema);
    if (error) {
        return error;
    }

    struct journal *j;
    char *msg = NULL;
    int err = journal_open(path, JOURNAL_CREATE, &j, &msg);
    if (err) {
        db_schema_destroy(schema);
        return journal_error("creating", path, err, msg);
    }
    struct json *json = db_schema_to_json(schema);
    err = journal_write(j, json);
    if (!err) {
        err = journal_commit(j);
    }
    json_unref(json);
    journal_close(j);
    db_schema_destroy(schema);
    if (err) {
        unlink(path);
        return journal_error("writing", path, err, NULL);
    }
    return NULL;
}

/* Opens and locks database file 'path' and loads it into a new database.
 * On success, the caller owns '*storagep' and '*dbp'. */
struct db_error *
storage_open(const char *path, struct storage **storagep, struct db **dbp)
{
    struct journal *j;
    struct json *record;
    struct db_error *error;
    char *msg = NULL;

    *storagep = NULL;
    *dbp = NULL;
    int err = journal_open(path, JOURNAL_READ_WRITE, &j, &msg);
    if (err) {
        return journal_error("opening", path, err, msg);
    }
    err = journal_read(j, &record, &msg);
    if (err || !record) {
        journal_close(j);
        if (!err) {
            return db_error_create("I/O error", "%s: file holds no schema",
                                   path);
        }
        return journal_error("reading", path, err, msg);
    }

    struct db_schema *schema;
    error = db_schema_from_json(record, &schema);
    json_unref(record);
    if (error) {
        journal_close(j);
        return error;
    }
    struct db *db = db_create(schema);

    size_t n = 0;
    for (;;) {
        err = journal_read(j, &record, &msg);
        if (err) {
            error = journal_error("reading", path, err, msg);
            break;
        }
        if (!record) {
            break;
        }
        error = db_apply_record(db, record, NULL);
        json_unref(record);
        if (error) {
            /* A record that parsed but does not apply means the file is
             * not what we think; refuse it rather than lose data. */
            char *s = db_error_to_string(error);
            db_error_destroy(error);
            error = db_error_create("I/O error", "%s: transaction %zu: %s",
                                    path, n + 1, s);
            free(s);
            break;
        }
        n++;
    }
    if (error) {
        db_destroy(db);
        journal_close(j);
        return error;
    }

    struct storage *s = xzalloc(sizeof *s);
    s->journal = j;
    s->path = xstrdup(path);
    s->base_size = journal_size(j);
    s->base_records = journal_n_records(j);
    LOG_INFO("%s: loaded %zu transactions, %zu rows", path, n,
             db_count_rows(db));
    *storagep = s;
    *dbp = db;
    return NULL;
}

void
storage_close(struct storage *s)
{
    if (s) {
        journal_close(s->journal);
        free(s->path);
        free(s);
    }
}

const char *
storage_path(const struct storage *s)
{
    return s->path;
}

/* Appends 'record' to the file; if 'durable', also waits until it is on
 * disk.  Once this returns success, the transaction survives the process
 * being killed (and, if durable, the machine crashing). */
struct db_error *
storage_commit(struct storage *s, const struct json *record, bool durable)
{
    int err = journal_write(s->journal, record);
    if (!err && durable) {
        err = journal_commit(s->journal);
    }
    if (err) {
        LOG_ERR("%s: writing transaction failed (%s)", s->path,
                strerror(-err));
        return db_error_create("I/O error", "%s: writing transaction failed "
                               "(%s)", s->path, strerror(-err));
    }
    return NULL;
}

/* Starts 'buf', which must be empty, for storage_commit_buffer(): append
 * the transaction record's JSON object text after this. */
void
storage_record_init(struct ds *buf)
{
    journal_record_init(buf);
}

/* Like storage_commit(), for a record whose JSON object text the caller
 * appended to 'buf' after storage_record_init(): the text is framed in
 * place and written without a copy.  The caller keeps owning 'buf'. */
struct db_error *
storage_commit_buffer(struct storage *s, struct ds *buf, bool durable)
{
    int err = journal_write_buffer(s->journal, buf);
    if (!err && durable) {
        err = journal_commit(s->journal);
    }
    if (err) {
        LOG_ERR("%s: writing transaction failed (%s)", s->path,
                strerror(-err));
        return db_error_create("I/O error", "%s: writing transaction failed "
                               "(%s)", s->path, strerror(-err));
    }
    return NULL;
}

bool
storage_should_compact(const struct storage *s)
{
    long long size = journal_size(s->journal);
    return (size >= MIN_COMPACT_SIZE
            && size >= COMPACT_GROWTH * s->base_size
            && journal_n_records(s->journal)
               >= s->base_records + MIN_COMPACT_TXNS);
}

/* Rewrites the file as the schema plus one record holding every row of
 * 'db'. */
struct db_error *
storage_compact(struct storage *s, const struct db *db)
{
    long long before = journal_size(s->journal);
    struct json *records[2] = {
        db_schema_to_json(db_get_schema(db)),
        db_to_snapshot_record(db),
    };
    int err = journal_replace(s->journal, records, 2);
    json_unref(records[0]);
    json_unref(records[1]);
    if (err) {
        LOG_ERR("%s: compaction failed (%s)", s->path, strerror(-err));
        return db_error_create("I/O error", "%s: compaction failed (%s)",
                               s->path, strerror(-err));
    }
    s->base_size = journal_size(s->journal);
    s->base_records = journal_n_records(s->journal);
    LOG_INFO("%s: compacted %lld bytes to %lld", s->path, before,
             s->base_size);
    return NULL;
}

size_t
storage_n_records(const struct storage *s)
{
    return journal_n_records(s->journal);
}

long long
storage_size(const struct storage *s)
{
    return journal_size(s->journal);
}
