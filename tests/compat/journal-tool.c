/* journal-tool: drives ovsdb/journal.h from the command line, so that
 * tests/compat/test_journal_ovsdb_tool.py can check Kiln's database files
 * against Debian's ovsdb-tool in both directions.
 *
 *   journal-tool create DB RECORD...   writes the records to a new file
 *   journal-tool append DB RECORD...   reads DB, then appends the records
 *   journal-tool read DB               prints each record on one line
 *   journal-tool hold DB               locks DB for writing, prints
 *                                      "locked", and holds the lock until
 *                                      standard input reaches its end
 *
 * A RECORD is JSON text, or @FILE for the JSON text in FILE.  Exits 0 on
 * success, 1 with a message on standard error on failure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "ovsdb/journal.h"

noreturn static void usage(void);

static void
usage(void)
{
    fprintf(stderr, "usage: journal-tool create|append DB RECORD...\n"
                    "       journal-tool read|hold DB\n");
    exit(1);
}

noreturn static void fail(const char *fmt, ...) PRINTF_FORMAT(1, 2);

static void
fail(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fputs("journal-tool: ", stderr);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

static struct journal *
open_or_fail(const char *path, enum journal_mode mode)
{
    struct journal *j;
    char *error;
    int err = journal_open(path, mode, &j, &error);
    if (err) {
        fail("%s", error);
    }
    return j;
}

/* Reads every record of 'j', printing each on a line if 'print'. */
static void
read_all(struct journal *j, bool print)
{
    for (;;) {
        struct json *rec;
        char *error;
        if (journal_read(j, &rec, &error)) {
            fail("%s", error);
        } else if (!rec) {
            break;
        }
        if (print) {
            char *s = json_to_string(rec, 0);
            puts(s);
            free(s);
        }
        json_unref(rec);
    }
}

/* Appends the records named by 'args[0..n)' to 'j' and commits them. */
static void
write_records(struct journal *j, char **args, int n)
{
    for (int i = 0; i < n; i++) {
        struct json *rec;
        char *error = (args[i][0] == '@'
                       ? json_from_file(args[i] + 1, &rec)
                       : json_from_string(args[i], &rec));
        if (error) {
            fail("%s: %s", args[i], error);
        }
        int err = journal_write(j, rec);
        if (err) {
            fail("%s: write failed (%s)", journal_name(j), strerror(-err));
        }
        json_unref(rec);
    }
    int err = journal_commit(j);
    if (err) {
        fail("%s: commit failed (%s)", journal_name(j), strerror(-err));
    }
}

int
main(int argc, char *argv[])
{
    if (argc < 3) {
        usage();
    }
    const char *cmd = argv[1];
    const char *db = argv[2];
    struct journal *j;

    if (!strcmp(cmd, "create")) {
        j = open_or_fail(db, JOURNAL_CREATE);
        write_records(j, argv + 3, argc - 3);
    } else if (!strcmp(cmd, "append")) {
        j = open_or_fail(db, JOURNAL_READ_WRITE);
        read_all(j, false);
        write_records(j, argv + 3, argc - 3);
    } else if (!strcmp(cmd, "read") && argc == 3) {
        j = open_or_fail(db, JOURNAL_READ_ONLY);
        read_all(j, true);
    } else if (!strcmp(cmd, "hold") && argc == 3) {
        j = open_or_fail(db, JOURNAL_READ_WRITE);
        puts("locked");
        fflush(stdout);
        while (getchar() != EOF) {
            continue;
        }
    } else {
        usage();
    }
    journal_close(j);
    return 0;
}
