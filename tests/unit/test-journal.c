/* Unit tests for ovsdb/journal.h: the record format of ovsdb(5), recovery
 * from torn and corrupt tails, injected write faults, locking and
 * compaction.  Each test works in its own mkdtemp() directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "ovsdb/journal-private.h"
#include "ovsdb/journal.h"

/* Per-test state: a scratch directory and the database path in it. */
struct fixture {
    char dir[64];               /* mkdtemp() directory. */
    char *db;                   /* "DIR/test.db", owned. */
};

static int
remove_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    return remove(path);
}

static int
setup(void **state)
{
    struct fixture *f = xzalloc(sizeof *f);
    strcpy(f->dir, "/tmp/test-journal-XXXXXX");
    if (!mkdtemp(f->dir)) {
        return -1;
    }
    f->db = xasprintf("%s/test.db", f->dir);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    nftw(f->dir, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
    free(f->db);
    free(f);
    return 0;
}

static struct json *
parse(const char *s)
{
    struct json *json;
    char *error = json_from_string(s, &json);
    if (error) {
        fail_msg("%s: %s", s, error);
    }
    return json;
}

/* Returns a record that differs for each 'i', of a size that varies with
 * 'i', holding strings with characters that need escaping. */
static struct json *
make_record(int i)
{
    struct json *rec = json_object_create();
    struct ds ds = DS_EMPTY_INITIALIZER;
    static const char *pieces[] = {
        "a", "b\n", "\"", "\\", "\xc3\xa9", "z",
    };
    for (int k = 0; k < (i * 37) % 300; k++) {
        ds_put_cstr(&ds, pieces[k % ARRAY_SIZE(pieces)]);
    }
    json_object_put_new(rec, "_date", json_integer_create(1700000000000 + i));
    json_object_put_new(rec, "i", json_integer_create(i));
    json_object_put_new(rec, "s", json_string_create(ds_cstr(&ds)));
    ds_uninit(&ds);
    return rec;
}

static char *
slurp(const char *path, size_t *sizep)
{
    char *s = read_whole_file(path, sizep);
    assert_non_null(s);
    return s;
}

static void
spew(const char *path, const char *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, size), (ssize_t) size);
    close(fd);
}

static off_t
file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static struct journal *
open_ok(const char *path, enum journal_mode mode)
{
    struct journal *j;
    char *error;
    int err = journal_open(path, mode, &j, &error);
    if (err) {
        fail_msg("%s: %s", path, error);
    }
    assert_null(error);
    return j;
}

static void
write_ok(struct journal *j, const struct json *record)
{
    assert_int_equal(journal_write(j, record), 0);
}

/* Creates 'path' holding make_record(0..n-1).  Stores each record's end
 * offset in 'ends' if nonnull. */
static void
create_records(const char *path, int n, off_t *ends)
{
    struct journal *j = open_ok(path, JOURNAL_CREATE);
    for (int i = 0; i < n; i++) {
        struct json *rec = make_record(i);
        write_ok(j, rec);
        json_unref(rec);
        if (ends) {
            ends[i] = journal_size(j);
        }
    }
    assert_int_equal(journal_commit(j), 0);
    assert_int_equal(journal_n_records(j), n);
    journal_close(j);
}

/* Reads every record of 'j' and checks they are make_record(0..n-1).
 * Returns how many there were. */
static int
read_records(struct journal *j)
{
    int n = 0;
    for (;;) {
        struct json *rec;
        char *error;
        assert_int_equal(journal_read(j, &rec, &error), 0);
        assert_null(error);
        if (!rec) {
            break;
        }
        struct json *expected = make_record(n);
        if (!json_equal(rec, expected)) {
            fail_msg("record %d differs", n);
        }
        json_unref(expected);
        json_unref(rec);
        n++;
    }
    assert_int_equal(journal_n_records(j), n);
    return n;
}

/* Opens 'path' read-only and returns how many records it has, checking
 * they are make_record(0..). */
static int
count_records(const char *path)
{
    struct journal *j = open_ok(path, JOURNAL_READ_ONLY);
    int n = read_records(j);
    journal_close(j);
    return n;
}

/* ovsdb(5): "OVSDB JSON <length> <sha1>\n", then the JSON text and an LF,
 * both counted in <length> and in the SHA-1. */
static void
test_journal_exact_format(void **state)
{
    struct fixture *f = *state;
    struct journal *j = open_ok(f->db, JOURNAL_CREATE);
    struct json *rec = parse("{\"a\": 1}");
    write_ok(j, rec);
    json_unref(rec);
    journal_close(j);

    static const char expected[] =
        "OVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n";
    size_t size;
    char *s = slurp(f->db, &size);
    assert_int_equal(size, strlen(expected));
    assert_memory_equal(s, expected, size);
    free(s);

    struct stat st;
    assert_int_equal(stat(f->db, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640 & ~umask(022));
}

static void
test_journal_round_trip(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 20, NULL);

    struct journal *j = open_ok(f->db, JOURNAL_READ_ONLY);
    assert_int_equal(read_records(j), 20);
    assert_int_equal(journal_size(j), file_size(f->db));

    struct json *rec;
    char *error;
    assert_int_equal(journal_read(j, &rec, &error), 0);
    assert_null(rec);
    rec = make_record(0);
    assert_int_equal(journal_write(j, rec), -EBADF);
    json_unref(rec);
    journal_close(j);
}

static void
test_journal_append_after_reading(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 3, NULL);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 3);
    struct json *rec = make_record(3);
    write_ok(j, rec);
    json_unref(rec);
    assert_int_equal(journal_n_records(j), 4);
    assert_int_equal(journal_commit(j), 0);
    journal_close(j);

    assert_int_equal(count_records(f->db), 4);
}

/* Writing before reading everything keeps the unread records. */
static void
test_journal_append_without_reading(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 5, NULL);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    struct json *rec;
    char *error;
    assert_int_equal(journal_read(j, &rec, &error), 0);
    json_unref(rec);
    rec = make_record(5);
    write_ok(j, rec);
    json_unref(rec);
    assert_int_equal(journal_n_records(j), 6);
    journal_close(j);

    assert_int_equal(count_records(f->db), 6);
}

static void
test_journal_open_errors(void **state)
{
    struct fixture *f = *state;
    struct journal *j;
    char *error;

    assert_int_equal(journal_open(f->db, JOURNAL_READ_ONLY, &j, &error),
                     -ENOENT);
    assert_null(j);
    assert_non_null(strstr(error, "test.db"));
    free(error);

    create_records(f->db, 1, NULL);
    assert_int_equal(journal_open(f->db, JOURNAL_CREATE, &j, &error),
                     -EEXIST);
    assert_null(j);
    assert_non_null(error);
    free(error);
    assert_int_equal(count_records(f->db), 1);

    /* An error message is optional. */
    assert_int_equal(journal_open(f->dir, JOURNAL_READ_ONLY, &j, NULL),
                     -EINVAL);
}

/* An empty file is a database file cut before its first byte. */
static void
test_journal_empty_file(void **state)
{
    struct fixture *f = *state;
    spew(f->db, "", 0);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 0);
    struct json *rec = make_record(0);
    write_ok(j, rec);
    json_unref(rec);
    journal_close(j);
    assert_int_equal(count_records(f->db), 1);
}

static void
test_journal_refuses_clustered_and_foreign(void **state)
{
    struct fixture *f = *state;
    static const char clustered[] =
        "OVSDB CLUSTER 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n";
    struct journal *j;
    char *error;

    spew(f->db, clustered, strlen(clustered));
    for (int mode = JOURNAL_READ_ONLY; mode <= JOURNAL_READ_WRITE; mode++) {
        assert_int_equal(journal_open(f->db, mode, &j, &error), -ENOTSUP);
        assert_null(j);
        assert_non_null(strstr(error, "clustered"));
        free(error);
    }

    static const char foreign[] = "SQLite format 3\n";
    spew(f->db, foreign, strlen(foreign));
    assert_int_equal(journal_open(f->db, JOURNAL_READ_WRITE, &j, &error),
                     -EINVAL);
    assert_non_null(strstr(error, "not an OVSDB"));
    free(error);

    /* Refusing must not have changed the file. */
    size_t size;
    char *s = slurp(f->db, &size);
    assert_int_equal(size, strlen(foreign));
    free(s);
}

static void
test_journal_rejects_non_objects(void **state)
{
    struct fixture *f = *state;
    struct journal *j = open_ok(f->db, JOURNAL_CREATE);
    struct json *array = parse("[1, 2]");
    assert_int_equal(journal_write(j, array), -EINVAL);
    assert_int_equal(journal_replace(j, &array, 1), -EINVAL);
    json_unref(array);
    assert_int_equal(journal_size(j), 0);
    journal_close(j);
    assert_int_equal(file_size(f->db), 0);
}

/* A record printed by the caller into a buffer (journal_write_buffer())
 * is written byte for byte as journal_write() writes it. */
static void
test_journal_write_buffer(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 10, NULL);
    size_t size1;
    char *s1 = slurp(f->db, &size1);
    assert_int_equal(unlink(f->db), 0);

    struct journal *j = open_ok(f->db, JOURNAL_CREATE);
    for (int i = 0; i < 10; i++) {
        struct json *rec = make_record(i);
        if (i % 2) {
            write_ok(j, rec);
        } else {
            struct ds buf = DS_EMPTY_INITIALIZER;
            journal_record_init(&buf);
            json_to_ds(rec, 0, &buf);
            assert_int_equal(journal_write_buffer(j, &buf), 0);
            ds_uninit(&buf);
        }
        json_unref(rec);
    }

    /* Not an object: refused, nothing written. */
    off_t size = journal_size(j);
    struct ds buf = DS_EMPTY_INITIALIZER;
    journal_record_init(&buf);
    ds_put_cstr(&buf, "[1,2]");
    assert_int_equal(journal_write_buffer(j, &buf), -EINVAL);
    ds_uninit(&buf);
    assert_int_equal(journal_size(j), size);
    journal_close(j);

    size_t size2;
    char *s2 = slurp(f->db, &size2);
    assert_int_equal(size1, size2);
    assert_memory_equal(s1, s2, size1);
    assert_int_equal(count_records(f->db), 10);
    free(s1);
    free(s2);

    /* Read-only. */
    j = open_ok(f->db, JOURNAL_READ_ONLY);
    journal_record_init(&buf);
    ds_put_cstr(&buf, "{}");
    assert_int_equal(journal_write_buffer(j, &buf), -EBADF);
    ds_uninit(&buf);
    journal_close(j);
}

/* A writer locks ".NAME.~lock~", as ovsdb-server and ovsdb-tool do; a
 * second writer in this or another process fails; readers don't lock. */
static void
test_journal_lock(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 2, NULL);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    char *lock_name = xasprintf("%s/.test.db.~lock~", f->dir);
    struct stat st;
    assert_int_equal(stat(lock_name, &st), 0);
    free(lock_name);

    struct journal *j2;
    char *error;
    assert_int_equal(journal_open(f->db, JOURNAL_READ_WRITE, &j2, &error),
                     -EBUSY);
    assert_null(j2);
    assert_non_null(strstr(error, "this process"));
    free(error);

    /* Another process is told who holds the lock. */
    char pid[32];
    snprintf(pid, sizeof pid, "pid %ld", (long) getpid());
    pid_t child = fork();
    assert_true(child >= 0);
    if (!child) {
        int err = journal_open(f->db, JOURNAL_READ_WRITE, &j2, &error);
        _exit(err == -EAGAIN && error && strstr(error, pid) ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* The failed attempts did not drop the lock. */
    assert_int_equal(journal_open(f->db, JOURNAL_READ_WRITE, &j2, &error),
                     -EBUSY);
    free(error);

    assert_int_equal(count_records(f->db), 2);

    journal_close(j);
    j2 = open_ok(f->db, JOURNAL_READ_WRITE);
    journal_close(j2);
}

/* A failed write returns its error and leaves the file readable up to the
 * last good record; the journal stays usable. */
static void
test_journal_enospc(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 3, NULL);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 3);
    off_t good = journal_size(j);

    struct json *rec = make_record(3);
    journal__set_fault(j, JOURNAL_FAULT_ENOSPC, 10);
    assert_int_equal(journal_write(j, rec), -ENOSPC);
    assert_int_equal(journal_size(j), good);
    assert_int_equal(journal_n_records(j), 3);
    assert_int_equal(file_size(f->db), good);
    assert_int_equal(count_records(f->db), 3);

    write_ok(j, rec);
    json_unref(rec);
    assert_int_equal(journal_commit(j), 0);
    journal_close(j);
    assert_int_equal(count_records(f->db), 4);
}

/* A write cut short by a crash: reopening finds every record before it and
 * the next write replaces the torn bytes. */
static void
test_journal_short_write_then_reopen(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 3, NULL);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 3);
    off_t good = journal_size(j);
    struct json *rec = make_record(3);
    journal__set_fault(j, JOURNAL_FAULT_SHORT_WRITE, 70);
    assert_int_equal(journal_write(j, rec), -EIO);
    journal_close(j);
    assert_int_equal(file_size(f->db), good + 70);

    /* The warning gives the offset of the torn record. */
    char *log_name = xasprintf("%s/log", f->dir);
    assert_int_equal(log_set_file(log_name), 0);
    log_set_level(log_module_find("journal"), LOG_DEST_FILE, LOG_LEVEL_WARN);
    j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 3);
    assert_int_equal(journal_size(j), good);
    assert_int_equal(log_set_file(NULL), 0);
    size_t size;
    char *log = slurp(log_name, &size);
    char *expected = xasprintf("|journal|WARN|%s: torn or corrupt record at "
                               "offset %lld (truncated record)", f->db,
                               (long long) good);
    if (!strstr(log, expected)) {
        fail_msg("log lacks \"%s\": %s", expected, log);
    }
    free(expected);
    free(log);
    free(log_name);

    write_ok(j, rec);
    json_unref(rec);
    journal_close(j);

    assert_int_equal(count_records(f->db), 4);
}

/* After a short write, the same journal cuts the torn bytes off before its
 * next write. */
static void
test_journal_short_write_then_write(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 3, NULL);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 3);
    struct json *rec = make_record(3);
    for (int cut = 0; cut < 3; cut++) {
        journal__set_fault(j, JOURNAL_FAULT_SHORT_WRITE, 1 + 40 * cut);
        assert_int_equal(journal_write(j, rec), -EIO);
        assert_int_equal(journal_n_records(j), 3);
    }
    assert_true(file_size(f->db) > journal_size(j));
    write_ok(j, rec);
    json_unref(rec);
    assert_int_equal(file_size(f->db), journal_size(j));
    journal_close(j);

    assert_int_equal(count_records(f->db), 4);
}

/* A crash that loses unsynced bytes past some offset leaves a prefix. */
static void
test_journal_cut(void **state)
{
    struct fixture *f = *state;
    off_t ends[4];
    create_records(f->db, 4, ends);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 4);
    struct json *rec = make_record(4);
    journal__set_fault(j, JOURNAL_FAULT_CUT, ends[1] + 5);
    write_ok(j, rec);
    json_unref(rec);
    journal_close(j);

    j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 2);
    assert_int_equal(journal_size(j), ends[1]);
    rec = make_record(2);
    write_ok(j, rec);
    json_unref(rec);
    journal_close(j);
    assert_int_equal(count_records(f->db), 3);
}

/* Cutting a file of many records anywhere reopens to a prefix of them, and
 * the journal appends to that prefix. */
static void
test_journal_random_truncation(void **state)
{
    struct fixture *f = *state;
    enum { N = 60 };
    off_t ends[N];
    create_records(f->db, N, ends);

    size_t size;
    char *whole = slurp(f->db, &size);
    assert_int_equal(size, ends[N - 1]);

    srand(12345);
    for (int trial = 0; trial < 300; trial++) {
        size_t cut;
        if (trial < 3 * N) {
            /* Each record boundary, and one byte either side. */
            cut = ends[trial / 3] + trial % 3 - 1;
        } else {
            cut = rand() % (size + 1);
        }
        spew(f->db, whole, cut);

        int expected = 0;
        while (expected < N && ends[expected] <= (off_t) cut) {
            expected++;
        }
        struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
        assert_int_equal(read_records(j), expected);
        assert_int_equal(journal_size(j), expected ? ends[expected - 1] : 0);

        if (trial % 10 == 0 && expected < N) {
            struct json *rec = make_record(expected);
            write_ok(j, rec);
            json_unref(rec);
            journal_close(j);
            assert_int_equal(count_records(f->db), expected + 1);
        } else {
            journal_close(j);
        }
    }
    free(whole);
}

/* Records corrupted in various ways end the good records at the damaged
 * one.  'text' is the damaged record. */
static void
check_bad_second_record(const char *path, const char *text)
{
    static const char good[] =
        "OVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n";
    char *data = xasprintf("%s%s", good, text);
    spew(path, data, strlen(data));

    struct journal *j = open_ok(path, JOURNAL_READ_WRITE);
    struct json *rec;
    char *error;
    assert_int_equal(journal_read(j, &rec, &error), 0);
    assert_non_null(rec);
    json_unref(rec);
    assert_int_equal(journal_read(j, &rec, &error), 0);
    if (rec) {
        fail_msg("accepted bad record %s", text);
    }
    assert_int_equal(journal_size(j), strlen(good));
    assert_int_equal(journal_n_records(j), 1);

    /* Writing replaces the damaged record. */
    rec = parse("{\"b\":2}");
    write_ok(j, rec);
    json_unref(rec);
    journal_close(j);

    size_t size;
    char *s = slurp(path, &size);
    assert_int_equal(size, strlen(good) + strlen(good));
    assert_memory_equal(s, good, strlen(good));
    free(s);
    free(data);
}

static void
test_journal_corrupt_records(void **state)
{
    struct fixture *f = *state;
    static const char *cases[] = {
        /* Body byte changed: checksum mismatch. */
        "OVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":2}\n",
        /* Checksum changed. */
        "OVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be85058\n"
        "{\"a\":1}\n",
        /* Two spaces between words. */
        "OVSDB JSON  8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n",
        /* Length zero, or not a number, or too long. */
        "OVSDB JSON 0 da39a3ee5e6b4b0d3255bfef95601890afd80709\n",
        "OVSDB JSON x8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n",
        "OVSDB JSON 99999999999999999999999 "
        "8a3d961f7fe8ef7b41d461059884a9461be85059\n{\"a\":1}\n",
        "OVSDB JSON 9 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n",
        /* Short checksum, or not hex. */
        "OVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be8505\n{\"a\":1}\n",
        "OVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be8505g\n{\"a\":1}\n",
        /* Clustered record in a standalone file. */
        "OVSDB CLUSTER 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n",
        /* Right checksum of bad JSON, of an array, of white space. */
        "OVSDB JSON 7 30c5533fdb94b05d18213868879c5c51a85a626a\n{\"a\":}\n",
        "OVSDB JSON 4 6d7e0100a388d5914d5a530b405235ce85fea122\n[1]\n",
        "OVSDB JSON 1 adc83b19e793491b1c6ea0fd8b46cd9f32e592fc\n\n",
        /* Garbage, and a header without its LF. */
        "\n\n\n",
        "OVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be85059",
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        check_bad_second_record(f->db, cases[i]);
    }
}

/* ovsdb(5) lets readers accept LFs inside the JSON text as long as the
 * length and checksum are right; upper-case hex digits are accepted too. */
static void
test_journal_tolerant_reading(void **state)
{
    struct fixture *f = *state;
    static const char text[] =
        "OVSDB JSON 8 8A3D961F7FE8EF7B41D461059884A9461BE85059\n"
        "{\"a\":1}\n"
        "OVSDB JSON 10 4ee7e90324c95555d3c9e889ed6369a679a54236\n"
        "{\n\"a\":\n1}\n";
    spew(f->db, text, strlen(text));

    struct journal *j = open_ok(f->db, JOURNAL_READ_ONLY);
    struct json *rec;
    char *error;
    struct json *expected = parse("{\"a\":1}");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(journal_read(j, &rec, &error), 0);
        if (!rec) {
            fail_msg("record %d not read", i);
        }
        assert_true(json_equal(rec, expected));
        json_unref(rec);
    }
    json_unref(expected);
    assert_int_equal(journal_size(j), strlen(text));
    journal_close(j);
}

/* Compaction replaces the file atomically, keeps its permissions, leaves no
 * temporary file, and the journal appends to the new file. */
static void
test_journal_replace(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 10, NULL);
    assert_int_equal(chmod(f->db, 0600), 0);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 10);
    struct json *recs[2] = { make_record(0), make_record(1) };
    assert_int_equal(journal_replace(j, recs, 2), 0);
    json_unref(recs[0]);
    json_unref(recs[1]);
    assert_int_equal(journal_n_records(j), 2);
    assert_int_equal(journal_size(j), file_size(f->db));

    struct json *rec = make_record(2);
    write_ok(j, rec);
    json_unref(rec);
    assert_int_equal(journal_commit(j), 0);

    /* The lock survives the rename. */
    struct journal *j2;
    char *error;
    assert_int_equal(journal_open(f->db, JOURNAL_READ_WRITE, &j2, &error),
                     -EBUSY);
    free(error);
    journal_close(j);

    assert_int_equal(count_records(f->db), 3);
    struct stat st;
    assert_int_equal(stat(f->db, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *tmp = xasprintf("%s.tmp", f->db);
    assert_int_equal(stat(tmp, &st), -1);
    free(tmp);
}

/* A compaction that fails leaves the old file and the journal as they
 * were. */
static void
test_journal_replace_fails(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 5, NULL);

    struct journal *j = open_ok(f->db, JOURNAL_READ_WRITE);
    assert_int_equal(read_records(j), 5);
    off_t size = journal_size(j);
    struct json *recs[2] = { make_record(0), make_record(1) };
    journal__set_fault(j, JOURNAL_FAULT_ENOSPC, 30);
    assert_int_equal(journal_replace(j, recs, 2), -ENOSPC);
    json_unref(recs[0]);
    json_unref(recs[1]);
    assert_int_equal(journal_n_records(j), 5);
    assert_int_equal(journal_size(j), size);
    assert_int_equal(count_records(f->db), 5);

    char *tmp = xasprintf("%s.tmp", f->db);
    struct stat st;
    assert_int_equal(stat(tmp, &st), -1);
    free(tmp);

    struct json *rec = make_record(5);
    write_ok(j, rec);
    json_unref(rec);
    journal_close(j);
    assert_int_equal(count_records(f->db), 6);
}

/* A database reached through a symlink is locked and replaced at its real
 * location, as ovsdb-tool does. */
static void
test_journal_symlink(void **state)
{
    struct fixture *f = *state;
    create_records(f->db, 2, NULL);
    char *link = xasprintf("%s/link.db", f->dir);
    assert_int_equal(symlink("test.db", link), 0);

    struct journal *j = open_ok(link, JOURNAL_READ_WRITE);
    assert_string_equal(journal_name(j), link);
    struct journal *j2;
    char *error;
    assert_int_equal(journal_open(f->db, JOURNAL_READ_WRITE, &j2, &error),
                     -EBUSY);
    free(error);

    assert_int_equal(read_records(j), 2);
    struct json *rec = make_record(0);
    assert_int_equal(journal_replace(j, &rec, 1), 0);
    json_unref(rec);
    journal_close(j);

    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(count_records(link), 1);
    free(link);
}

#define T(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)

int
main(void)
{
    /* Torn tails are logged at WARN; keep them off the test's output. */
    struct log_module *module = log_module_find("journal");
    ASSERT(module);
    log_set_level(module, LOG_DEST_CONSOLE, LOG_LEVEL_OFF);
    const struct CMUnitTest tests[] = {
        T(test_journal_exact_format),
        T(test_journal_round_trip),
        T(test_journal_append_after_reading),
        T(test_journal_append_without_reading),
        T(test_journal_open_errors),
        T(test_journal_empty_file),
        T(test_journal_refuses_clustered_and_foreign),
        T(test_journal_rejects_non_objects),
        T(test_journal_write_buffer),
        T(test_journal_lock),
        T(test_journal_enospc),
        T(test_journal_short_write_then_reopen),
        T(test_journal_short_write_then_write),
        T(test_journal_cut),
        T(test_journal_random_truncation),
        T(test_journal_corrupt_records),
        T(test_journal_tolerant_reading),
        T(test_journal_replace),
        T(test_journal_replace_fails),
        T(test_journal_symlink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
