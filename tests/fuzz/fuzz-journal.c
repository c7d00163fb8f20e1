/* Fuzz target for the database file reader (ovsdb/journal.h): the input is
 * the whole content of a database file.  It is written to a temporary file,
 * opened read-only and read to the end.  Then, as the invariants:
 *
 *   - every record read is a JSON object, and journal_n_records() and
 *     journal_size() agree with what was read;
 *   - the good prefix alone (the file cut at journal_size(), as the next
 *     writer would cut it) reads back the same records, to its very end;
 *   - the round trip: the records written to a new file by journal_write()
 *     read back equal, to the new file's very end.
 *
 * It must never crash. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "ovsdb/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Temporary directory and the two files in it, made on the first call. */
static char *dir;
static char *in_path;           /* The input. */
static char *out_path;          /* The records written back. */

/* Removes the temporary files at exit. */
static void
cleanup(void)
{
    char *lock = xasprintf("%s/.out.db.~lock~", dir);
    unlink(in_path);
    unlink(out_path);
    unlink(lock);
    rmdir(dir);
    free(lock);
}

static void
init(void)
{
    const char *tmp = getenv("TMPDIR");
    char *template = xasprintf("%s/fuzz-journal.XXXXXX",
                               tmp && *tmp ? tmp : "/tmp");
    dir = mkdtemp(template);
    ASSERT(dir);
    in_path = xasprintf("%s/in.db", dir);
    out_path = xasprintf("%s/out.db", dir);
    atexit(cleanup);

    /* Torn and corrupt tails are logged at WARN: keep them quiet. */
    struct log_module *module = log_module_find("journal");
    ASSERT(module);
    log_set_level(module, LOG_DEST_CONSOLE, LOG_LEVEL_OFF);
}

/* Makes 'path' hold exactly 'data[0..size)'. */
static void
write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT(fd >= 0);
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        ASSERT(n > 0 || (n < 0 && errno == EINTR));
        if (n > 0) {
            data += n;
            size -= n;
        }
    }
    ASSERT(!close(fd));
}

/* Reads every record of 'path' into a new array '*recordsp' (the caller
 * frees it and each record) and returns how many, or returns -1 if the file
 * does not open as a database file.  Stores journal_size() at the end in
 * '*good_sizep'. */
static int
read_all(const char *path, struct json ***recordsp, off_t *good_sizep)
{
    struct journal *j;
    char *error;
    int err = journal_open(path, JOURNAL_READ_ONLY, &j, &error);
    *recordsp = NULL;
    if (err) {
        /* Only a file that does not begin like a database file fails. */
        ASSERT(err == -EINVAL || err == -ENOTSUP);
        ASSERT(error);
        free(error);
        return -1;
    }
    ASSERT(!error);

    struct json **records = NULL;
    size_t n = 0, allocated = 0;
    for (;;) {
        struct json *record;
        err = journal_read(j, &record, &error);
        ASSERT(!err && !error);
        if (!record) {
            break;
        }
        ASSERT(json_is_object(record));
        if (n >= allocated) {
            records = x2nrealloc(records, &allocated, sizeof *records);
        }
        records[n++] = record;
        ASSERT(journal_n_records(j) == n);
    }

    /* The end stays the end. */
    struct json *record;
    err = journal_read(j, &record, &error);
    ASSERT(!err && !error && !record);
    ASSERT(journal_n_records(j) == n);

    *good_sizep = journal_size(j);
    journal_close(j);
    *recordsp = records;
    return n;
}

static void
free_records(struct json **records, int n)
{
    for (int i = 0; i < n; i++) {
        json_unref(records[i]);
    }
    free(records);
}

/* Asserts that 'path' holds exactly the 'n' records in 'records'. */
static void
check_reads_back(const char *path, struct json **records, int n)
{
    struct stat st;
    ASSERT(!stat(path, &st));

    struct json **again;
    off_t good_size;
    int n_again = read_all(path, &again, &good_size);
    ASSERT(n_again == n);
    ASSERT(good_size == st.st_size);
    for (int i = 0; i < n; i++) {
        ASSERT(json_equal(records[i], again[i]));
    }
    free_records(again, n_again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir) {
        init();
    }

    write_file(in_path, data, size);
    struct json **records;
    off_t good_size;
    int n = read_all(in_path, &records, &good_size);
    if (n < 0) {
        return 0;
    }
    ASSERT(good_size >= 0 && (size_t) good_size <= size);
    ASSERT(n || !good_size);

    /* The good prefix. */
    if ((size_t) good_size < size) {
        write_file(in_path, data, good_size);
        check_reads_back(in_path, records, n);
    }

    /* The round trip. */
    unlink(out_path);
    struct journal *j;
    char *error;
    int err = journal_open(out_path, JOURNAL_CREATE, &j, &error);
    ASSERT(!err && !error);
    for (int i = 0; i < n; i++) {
        ASSERT(!journal_write(j, records[i]));
    }
    ASSERT(journal_n_records(j) == (size_t) n);
    journal_close(j);
    check_reads_back(out_path, records, n);

    free_records(records, n);
    return 0;
}
