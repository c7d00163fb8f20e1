/* The database file: an append-only sequence of JSON records in the
 * standalone format of ovsdb(5), so that Debian's ovsdb-tool reads the files
 * Kiln writes and Kiln reads the files ovsdb-tool writes.
 *
 * Each record is a header line "OVSDB JSON <LENGTH> <SHA1-HEX>\n" and then
 * LENGTH bytes: one line of JSON text, its final LF included in LENGTH and
 * in the SHA-1.  The first record is the schema, the others transactions;
 * this module knows only JSON objects, not what they mean.
 *
 * A torn or corrupt tail (a crash in the middle of a write) is not an
 * error: reading stops at the last good record and the next write cuts the
 * bad bytes off first.  A writer holds an exclusive lock on the lock file
 * that ovsdb-server and ovsdb-tool use (".NAME.~lock~" beside the file), so
 * Kiln and the OVS tools never write the same file at once.
 *
 * A journal is used by one thread at a time. */
#ifndef OVSDB_JOURNAL_H
#define OVSDB_JOURNAL_H 1

#include <stddef.h>
#include <sys/types.h>

#include "lib/util.h"

struct ds;
struct json;
struct journal;

enum journal_mode {
    JOURNAL_READ_ONLY,          /* Read the records; take no lock. */
    JOURNAL_READ_WRITE,         /* Lock, read the records, then append. */
    JOURNAL_CREATE,             /* Lock and create a new, empty file. */
};

int journal_open(const char *path, enum journal_mode, struct journal **,
                 char **errorp) WARN_UNUSED_RESULT;
int journal_read(struct journal *, struct json **recordp, char **errorp)
    WARN_UNUSED_RESULT;
int journal_write(struct journal *, const struct json *record)
    WARN_UNUSED_RESULT;
void journal_record_init(struct ds *);
int journal_write_buffer(struct journal *, struct ds *) WARN_UNUSED_RESULT;
int journal_commit(struct journal *) WARN_UNUSED_RESULT;
off_t journal_size(const struct journal *);
size_t journal_n_records(const struct journal *);
int journal_replace(struct journal *, struct json *const *records, size_t n)
    WARN_UNUSED_RESULT;
const char *journal_name(const struct journal *);
void journal_close(struct journal *);

#endif /* ovsdb/journal.h */
