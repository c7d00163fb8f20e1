/* The database file in the standalone format of ovsdb(5): framing, checksums,
 * recovery from a torn tail, locking, and atomic replacement (compaction).
 * The records are JSON objects whose meaning belongs to the caller (the
 * database's storage layer). */
#include "ovsdb/journal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/json.h"
#include "lib/list.h"
#include "lib/log.h"
#include "ovsdb/journal-private.h"

/* ovsdb(5): a record's first line is "OVSDB <magic> <length> <hash>", words
 * separated by exactly one space, <magic> "JSON" in a standalone database
 * and "CLUSTER" in a clustered one. */
#define JOURNAL_MAGIC "OVSDB JSON "
#define JOURNAL_CLUSTER_MAGIC "OVSDB CLUSTER "

/* Longest header line accepted, LF included.  A real one is at most
 * "OVSDB JSON " + 19 digits + " " + 40 hex digits + LF = 72 bytes. */
#define JOURNAL_HEADER_MAX 128

#define JOURNAL_SHA1_LEN 20     /* Bytes in a SHA-1 digest. */

/* Bytes read from the file at a time when reading records. */
#define JOURNAL_READ_AHEAD 65536

LOG_MODULE(journal);

struct journal {
    char *name;                 /* File name as the caller gave it. */
    char *path;                 /* Same, symlinks resolved: the real file. */
    enum journal_mode mode;     /* How the file was opened. */
    int fd;                     /* The database file. */

    /* The lock, held unless 'mode' is JOURNAL_READ_ONLY. */
    int lock_fd;                /* Lock file, or -1. */
    dev_t lock_dev;             /* Device of the lock file. */
    ino_t lock_ino;             /* Inode of the lock file. */
    pid_t lock_pid;             /* Process that took the lock. */
    struct list lock_node;      /* In 'journal_locks' while locked. */

    /* Position. */
    off_t offset;               /* End of the last good record. */
    size_t n_records;           /* Good records read or written. */
    bool reading;               /* Records may remain to be read. */
    bool bad_tail;              /* Bytes past 'offset' to cut before writing
                                 * (a torn tail, or a failed write). */
    bool dir_sync_pending;      /* Created: fsync the directory on commit. */

    /* Read state: 'buf' holds the file's bytes at
     * [buf_offset, buf_offset + buf_len). */
    off_t file_size;            /* Size of the file when opened. */
    char *buf;                  /* Owned; NULL until the first read. */
    size_t buf_allocated;       /* Capacity of 'buf'. */
    size_t buf_len;             /* Bytes of 'buf' in use. */
    off_t buf_offset;           /* File offset of buf[0]. */

    /* Test hook (journal-private.h). */
    enum journal_fault fault;   /* Fault for the next write. */
    off_t fault_arg;            /* Its argument. */
};

/* POSIX record locks belong to a process, not to a file descriptor: a
 * second lock on the same file by the same process succeeds, and closing any
 * descriptor of the file drops the lock.  So the process remembers the lock
 * files it holds here, and never opens one of them twice. */
static struct list journal_locks = LIST_INITIALIZER(&journal_locks);
static pthread_mutex_t journal_locks_mutex = PTHREAD_MUTEX_INITIALIZER;

static void journal_error(char **errorp, const char *fmt, ...)
    PRINTF_FORMAT(2, 3);

/* Stores a message made from 'fmt' in '*errorp', if 'errorp' is nonnull. */
static void
journal_error(char **errorp, const char *fmt, ...)
{
    if (errorp) {
        struct ds ds = DS_EMPTY_INITIALIZER;
        va_list args;
        va_start(args, fmt);
        ds_put_format_valist(&ds, fmt, args);
        va_end(args);
        *errorp = ds_steal_cstr(&ds);
    }
}

/* Returns the directory part of 'path' ("." if none), allocated. */
static char *
journal_dir_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        return xstrdup(".");
    } else if (slash == path) {
        return xstrdup("/");
    }
    return xmemdup0(path, slash - path);
}

/* Returns the name of the lock file of 'path', the one ovsdb-server and
 * ovsdb-tool use: ".NAME.~lock~" in the same directory. */
static char *
journal_lock_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        return xasprintf(".%s.~lock~", path);
    }
    return xasprintf("%.*s/.%s.~lock~", (int) (slash - path), path,
                     slash + 1);
}

/* fsyncs the directory that holds 'path'.  Returns 0 or a negative errno. */
static int
journal_sync_dir(const char *path)
{
    char *dir = journal_dir_name(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0) {
        return -errno;
    }
    int err = fsync(fd) < 0 ? -errno : 0;
    close(fd);
    return err;
}

/* Returns the journal of this process that holds the lock file with
 * 'dev' and 'ino', or NULL.  (A child of fork() inherits 'journal_locks'
 * but not the locks.)  The caller holds 'journal_locks_mutex'. */
static struct journal *
journal_find_lock(dev_t dev, ino_t ino)
{
    pid_t pid = getpid();
    struct journal *j;
    LIST_FOR_EACH (j, lock_node, &journal_locks) {
        if (j->lock_dev == dev && j->lock_ino == ino && j->lock_pid == pid) {
            return j;
        }
    }
    return NULL;
}

/* Takes the exclusive lock that guards writes to 'j->path'.  Returns 0, or
 * -EBUSY if this process holds it, -EAGAIN if another process does, or
 * another negative errno, with a message in '*errorp'. */
static int
journal_lock(struct journal *j, char **errorp)
{
    char *lock_name = journal_lock_name(j->path);
    struct stat st;
    int err = 0;

    pthread_mutex_lock(&journal_locks_mutex);
    if (!stat(lock_name, &st) && journal_find_lock(st.st_dev, st.st_ino)) {
        journal_error(errorp, "%s: already open for writing in this process "
                      "(pid %ld)", j->name, (long) getpid());
        err = -EBUSY;
        goto out;
    }

    int fd = open(lock_name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || fstat(fd, &st) < 0) {
        err = -errno;
        journal_error(errorp, "%s: cannot open lock file %s (%s)", j->name,
                      lock_name, strerror(-err));
        if (fd >= 0) {
            close(fd);
        }
        goto out;
    }

    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (fcntl(fd, F_SETLK, &lk) < 0) {
        err = errno == EACCES ? -EAGAIN : -errno;
        struct flock holder = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        if (err == -EAGAIN && !fcntl(fd, F_GETLK, &holder)
            && holder.l_type != F_UNLCK && holder.l_pid > 0) {
            journal_error(errorp, "%s: locked by another process (pid %ld) "
                          "through %s", j->name, (long) holder.l_pid,
                          lock_name);
        } else {
            journal_error(errorp, "%s: cannot lock %s (%s)", j->name,
                          lock_name, strerror(-err));
        }
        close(fd);
        goto out;
    }

    j->lock_fd = fd;
    j->lock_dev = st.st_dev;
    j->lock_ino = st.st_ino;
    j->lock_pid = getpid();
    list_push_back(&journal_locks, &j->lock_node);

out:
    pthread_mutex_unlock(&journal_locks_mutex);
    free(lock_name);
    return err;
}

/* Releases the lock of 'j', if it holds one. */
static void
journal_unlock(struct journal *j)
{
    if (j->lock_fd >= 0) {
        pthread_mutex_lock(&journal_locks_mutex);
        list_remove(&j->lock_node);
        close(j->lock_fd);
        j->lock_fd = -1;
        pthread_mutex_unlock(&journal_locks_mutex);
    }
}

/* Checks that the file of 'j' begins like a standalone database file (or a
 * part of one, if a crash cut its first header).  Returns 0, or a negative
 * errno with a message in '*errorp'. */
static int
journal_check_magic(struct journal *j, char **errorp)
{
    char head[sizeof JOURNAL_CLUSTER_MAGIC];
    size_t n = MIN((off_t) sizeof head - 1, j->file_size);
    ssize_t got;
    do {
        got = pread(j->fd, head, n, 0);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        int err = -errno;
        journal_error(errorp, "%s: read failed (%s)", j->name,
                      strerror(-err));
        return err;
    }

    if ((size_t) got >= sizeof JOURNAL_CLUSTER_MAGIC - 1
        && !memcmp(head, JOURNAL_CLUSTER_MAGIC, got)) {
        journal_error(errorp, "%s: clustered database files are not "
                      "supported (only the standalone format of ovsdb(5))",
                      j->name);
        return -ENOTSUP;
    }
    size_t cmp = MIN((size_t) got, sizeof JOURNAL_MAGIC - 1);
    if (memcmp(head, JOURNAL_MAGIC, cmp)) {
        journal_error(errorp, "%s: not an OVSDB standalone database file",
                      j->name);
        return -EINVAL;
    }
    return 0;
}

/* Opens the database file 'path' in 'mode':
 *
 *   - JOURNAL_READ_ONLY: reads records, takes no lock, never writes.
 *   - JOURNAL_READ_WRITE: locks, then reads records with journal_read() and
 *     appends with journal_write().
 *   - JOURNAL_CREATE: locks and creates an empty file (-EEXIST if it
 *     exists); the first record written should be the schema.
 *
 * Opening for writing takes the lock file ovsdb-server and ovsdb-tool use;
 * if another process holds it, fails with -EAGAIN, and with -EBUSY if
 * another journal of this process does.  A clustered-format file fails with
 * -ENOTSUP, a file that is not an OVSDB file with -EINVAL.
 *
 * Returns 0 and stores the new journal in '*journalp' (the caller closes it
 * with journal_close()), or a negative errno, stores NULL in '*journalp'
 * and, if 'errorp' is nonnull, a message in '*errorp' (the caller frees
 * it).  On success '*errorp' is NULL. */
int
journal_open(const char *path, enum journal_mode mode,
             struct journal **journalp, char **errorp)
{
    struct journal *j = xzalloc(sizeof *j);
    int err;

    *journalp = NULL;
    if (errorp) {
        *errorp = NULL;
    }

    j->name = xstrdup(path);
    j->mode = mode;
    j->fd = -1;
    j->lock_fd = -1;
    list_init(&j->lock_node);

    if (mode == JOURNAL_CREATE) {
        j->path = xstrdup(path);
    } else {
        j->path = realpath(path, NULL);
        if (!j->path) {
            err = -errno;
            journal_error(errorp, "%s: open failed (%s)", path,
                          strerror(-err));
            goto error;
        }
    }

    if (mode != JOURNAL_READ_ONLY) {
        err = journal_lock(j, errorp);
        if (err) {
            goto error;
        }
    }

    int flags = (mode == JOURNAL_READ_ONLY ? O_RDONLY
                 : mode == JOURNAL_READ_WRITE ? O_RDWR
                 : O_RDWR | O_CREAT | O_EXCL);
    j->fd = open(j->path, flags | O_CLOEXEC, 0640);
    struct stat st;
    if (j->fd < 0 || fstat(j->fd, &st) < 0) {
        err = -errno;
        journal_error(errorp, "%s: %s failed (%s)", path,
                      mode == JOURNAL_CREATE ? "create" : "open",
                      strerror(-err));
        goto error;
    }
    if (!S_ISREG(st.st_mode)) {
        err = -EINVAL;
        journal_error(errorp, "%s: not a regular file", path);
        goto error;
    }
    j->file_size = st.st_size;

    if (mode == JOURNAL_CREATE) {
        j->dir_sync_pending = true;
    } else {
        err = journal_check_magic(j, errorp);
        if (err) {
            goto error;
        }
        j->reading = true;
    }

    *journalp = j;
    return 0;

error:
    journal_close(j);
    return err;
}

/* Makes 'j->buf' hold the file's bytes from 'offset' on, at least 'n' of
 * them unless the file ends first.  Returns 0, stores a pointer to the
 * bytes in '*datap' (valid until the next call) and in '*availp' how many
 * of the 'n' are there (fewer only at the end of the file), or returns a
 * negative errno. */
static int
journal_fill(struct journal *j, off_t offset, size_t n, const char **datap,
             size_t *availp)
{
    off_t left = j->file_size > offset ? j->file_size - offset : 0;
    size_t need = MIN((off_t) n, left);
    off_t buf_end = j->buf_offset + (off_t) j->buf_len;

    if (offset < j->buf_offset || offset + (off_t) need > buf_end) {
        /* Keep what we have from 'offset' on, then read more. */
        if (offset >= j->buf_offset && offset <= buf_end) {
            size_t skip = offset - j->buf_offset;
            if (skip) {
                memmove(j->buf, j->buf + skip, j->buf_len - skip);
                j->buf_len -= skip;
            }
        } else {
            j->buf_len = 0;
        }
        j->buf_offset = offset;

        size_t want = MIN((off_t) MAX(n, JOURNAL_READ_AHEAD), left);
        if (want > j->buf_allocated) {
            j->buf_allocated = want;
            j->buf = xrealloc(j->buf, want);
        }
        while (j->buf_len < want) {
            ssize_t got = pread(j->fd, j->buf + j->buf_len,
                                want - j->buf_len, offset + j->buf_len);
            if (got < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return -errno;
            } else if (!got) {
                break;          /* Someone cut the file. */
            }
            j->buf_len += got;
        }
    }

    size_t skip = offset - j->buf_offset;
    *datap = j->buf + skip;
    *availp = MIN(n, j->buf_len - skip);
    return 0;
}

/* Parses the header line at the start of 'p[0..n)'.  Returns NULL and
 * stores the header's length (LF included), the body's length and SHA-1,
 * or returns a static string saying what is wrong. */
static const char *
journal_parse_header(const char *p, size_t n, size_t *header_lenp,
                     off_t *body_lenp, uint8_t sha1[JOURNAL_SHA1_LEN])
{
    const char *nl = memchr(p, '\n', n);
    if (!nl) {
        return n >= JOURNAL_HEADER_MAX ? "header line too long"
                                       : "truncated header";
    }
    size_t len = nl - p;
    size_t magic_len = strlen(JOURNAL_MAGIC);
    if (len < magic_len || memcmp(p, JOURNAL_MAGIC, magic_len)) {
        return "bad header magic";
    }

    /* ovsdb(5): <length> is a positive decimal integer. */
    const char *q = p + magic_len;
    off_t body_len = 0;
    if (!isdigit((unsigned char) *q)) {
        return "bad length";
    }
    for (; isdigit((unsigned char) *q); q++) {
        if (body_len > (INT64_MAX - 9) / 10) {
            return "bad length";
        }
        body_len = body_len * 10 + (*q - '0');
    }
    if (*q++ != ' ' || !body_len) {
        return "bad length";
    }

    /* ovsdb(5): <hash> is a SHA-1 checksum as 40 hexadecimal digits. */
    if (nl - q != 2 * JOURNAL_SHA1_LEN) {
        return "bad checksum field";
    }
    for (size_t i = 0; i < 2 * JOURNAL_SHA1_LEN; i++) {
        int c = tolower((unsigned char) q[i]);
        int v = (c >= '0' && c <= '9' ? c - '0'
                 : c >= 'a' && c <= 'f' ? c - 'a' + 10
                 : -1);
        if (v < 0) {
            return "bad checksum field";
        }
        if (i % 2) {
            sha1[i / 2] |= v;
        } else {
            sha1[i / 2] = v << 4;
        }
    }

    *header_lenp = len + 1;
    *body_lenp = body_len;
    return NULL;
}

/* Computes the SHA-1 of 'data[0..n)' into 'sha1'. */
static void
journal_sha1(const void *data, size_t n, uint8_t sha1[JOURNAL_SHA1_LEN])
{
    unsigned int len = 0;
    ASSERT(EVP_Digest(data, n, sha1, &len, EVP_sha1(), NULL) == 1
           && len == JOURNAL_SHA1_LEN);
}

/* Ends reading at 'j->offset' because of bad data there ('why'). */
static void
journal_bad_tail(struct journal *j, const char *why)
{
    LOG_WARN("%s: torn or corrupt record at offset %lld (%s): "
             "ignoring the last %lld bytes of the file",
             j->name, (long long) j->offset, why,
             (long long) (j->file_size - j->offset));
    j->reading = false;
    j->bad_tail = true;
}

/* Reads the next record of 'j' into '*recordp' (a JSON object, owned by the
 * caller), or stores NULL there at the end of the records.
 *
 * A torn or corrupt tail (a short header or body, a bad checksum, a body
 * that is not a JSON object) is an end, not an error: it logs a warning
 * that gives its offset, and the next journal_write() cuts it off first.
 * At the end, journal_size() is the offset of the bad data.  Also returns
 * NULL once writing has begun, and always for JOURNAL_CREATE.
 *
 * Returns 0, or a negative errno for an I/O error with a message in
 * '*errorp' (if nonnull; the caller frees it; NULL on success). */
int
journal_read(struct journal *j, struct json **recordp, char **errorp)
{
    *recordp = NULL;
    if (errorp) {
        *errorp = NULL;
    }
    if (!j->reading) {
        return 0;
    }
    if (j->offset >= j->file_size) {
        j->reading = false;
        return 0;
    }

    const char *data;
    size_t avail;
    int err = journal_fill(j, j->offset, JOURNAL_HEADER_MAX, &data, &avail);
    if (err) {
        goto io_error;
    }

    size_t header_len;
    off_t body_len;
    uint8_t expected[JOURNAL_SHA1_LEN];
    const char *why = journal_parse_header(data, avail, &header_len,
                                           &body_len, expected);
    if (why) {
        journal_bad_tail(j, why);
        return 0;
    }
    if (body_len > j->file_size - j->offset - (off_t) header_len) {
        journal_bad_tail(j, "truncated record");
        return 0;
    }

    err = journal_fill(j, j->offset, header_len + body_len, &data, &avail);
    if (err) {
        goto io_error;
    }
    if (avail < header_len + body_len) {
        journal_bad_tail(j, "truncated record");
        return 0;
    }

    const char *body = data + header_len;
    uint8_t actual[JOURNAL_SHA1_LEN];
    journal_sha1(body, body_len, actual);
    if (memcmp(actual, expected, sizeof actual)) {
        journal_bad_tail(j, "checksum mismatch");
        return 0;
    }

    struct json *json;
    char *json_error = json_from_buffer(body, body_len, &json);
    if (json_error) {
        journal_bad_tail(j, json_error);
        free(json_error);
        return 0;
    } else if (!json_is_object(json)) {
        json_unref(json);
        journal_bad_tail(j, "record is not a JSON object");
        return 0;
    }

    j->offset += header_len + body_len;
    j->n_records++;
    *recordp = json;
    return 0;

io_error:
    journal_error(errorp, "%s: read failed at offset %lld (%s)", j->name,
                  (long long) j->offset, strerror(-err));
    return err;
}

/* Writes 'data[0..n)' to 'fd' at 'offset', applying the fault armed in 'j',
 * if any.  Returns 0 or a negative errno.  Sets '*crashedp' if the fault
 * simulates a crash, after which no clean-up may run. */
static int
journal_pwrite(struct journal *j, int fd, off_t offset, const char *data,
               size_t n, bool *crashedp)
{
    enum journal_fault fault = j->fault;
    int fault_err = 0;

    *crashedp = false;
    j->fault = JOURNAL_FAULT_NONE;
    if (fault == JOURNAL_FAULT_SHORT_WRITE || fault == JOURNAL_FAULT_ENOSPC) {
        n = MIN(n, (size_t) j->fault_arg);
        fault_err = fault == JOURNAL_FAULT_ENOSPC ? -ENOSPC : -EIO;
        *crashedp = fault == JOURNAL_FAULT_SHORT_WRITE;
    }

    while (n > 0) {
        ssize_t done = pwrite(fd, data, n, offset);
        if (done < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        } else if (!done) {
            return -EIO;
        }
        data += done;
        offset += done;
        n -= done;
    }

    if (fault == JOURNAL_FAULT_CUT && ftruncate(fd, j->fault_arg) < 0) {
        return -errno;
    }
    return fault_err;
}

/* Starts 'buf', which must be empty, as a record for
 * journal_write_buffer(): reserves room for the header line, which is
 * filled in once the body's length and hash are known, so that the body
 * never has to be copied. */
void
journal_record_init(struct ds *buf)
{
    ASSERT(!buf->length);
    ds_put_char_multiple(buf, ' ', JOURNAL_HEADER_MAX);
}

/* Completes the record in 'buf' (journal_record_init() then the body,
 * without its final new-line): appends the new-line, writes the header
 * right before the body and returns where the framed record starts in
 * 'buf->string'. */
static size_t
journal_record_finish(struct ds *buf)
{
    ds_put_char(buf, '\n');
    const char *body = buf->string + JOURNAL_HEADER_MAX;
    size_t body_len = buf->length - JOURNAL_HEADER_MAX;

    uint8_t sha1[JOURNAL_SHA1_LEN];
    journal_sha1(body, body_len, sha1);

    char header[JOURNAL_HEADER_MAX];
    int n = snprintf(header, sizeof header, JOURNAL_MAGIC "%zu ", body_len);
    for (size_t i = 0; i < sizeof sha1; i++) {
        n += snprintf(header + n, sizeof header - n, "%02x", sha1[i]);
    }
    header[n++] = '\n';
    ASSERT(n <= JOURNAL_HEADER_MAX);
    size_t start = JOURNAL_HEADER_MAX - n;
    memcpy(buf->string + start, header, n);
    return start;
}

/* Returns true if the body of the record in 'buf' (after
 * journal_record_init()) is a JSON object, judging by its first
 * character. */
static bool
journal_record_is_object(const struct ds *buf)
{
    const char *p = buf->string + JOURNAL_HEADER_MAX;
    const char *end = buf->string + buf->length;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }
    return p < end && *p == '{';
}

/* Appends the record prepared in 'buf', framed as ovsdb(5) says, to 'fd' at
 * '*offsetp', and advances '*offsetp' past it.  On failure returns a
 * negative errno and leaves '*offsetp' alone; sets '*crashedp' as
 * journal_pwrite() does.  Leaves the framed record in 'buf'. */
static int
journal_put_buffer(struct journal *j, int fd, off_t *offsetp,
                   struct ds *buf, bool *crashedp)
{
    size_t start = journal_record_finish(buf);
    size_t n = buf->length - start;
    int err = journal_pwrite(j, fd, *offsetp, buf->string + start, n,
                             crashedp);
    if (!err) {
        *offsetp += n;
    }
    return err;
}

/* Appends 'record', framed as ovsdb(5) says, to 'fd' at '*offsetp', as
 * journal_put_buffer() does. */
static int
journal_put_record(struct journal *j, int fd, off_t *offsetp,
                   const struct json *record, bool *crashedp)
{
    struct ds buf = DS_EMPTY_INITIALIZER;
    journal_record_init(&buf);
    json_to_ds(record, 0, &buf);
    int err = journal_put_buffer(j, fd, offsetp, &buf, crashedp);
    ds_uninit(&buf);
    return err;
}

static int
journal_write__(struct journal *j, const struct json *record, struct ds *buf)
{
    while (j->reading) {
        struct json *skipped;
        int err = journal_read(j, &skipped, NULL);
        if (err) {
            return err;
        }
        json_unref(skipped);
    }

    if (j->bad_tail) {
        if (ftruncate(j->fd, j->offset) < 0) {
            return -errno;
        }
        j->bad_tail = false;
    }

    bool crashed;
    int err = (record
               ? journal_put_record(j, j->fd, &j->offset, record, &crashed)
               : journal_put_buffer(j, j->fd, &j->offset, buf, &crashed));
    if (err) {
        /* Cut the partial record off now if possible, else before the next
         * write.  (A simulated crash leaves it for reopening to find.) */
        j->bad_tail = crashed || ftruncate(j->fd, j->offset) < 0;
        return err;
    }
    j->n_records++;
    return 0;
}

/* Appends 'record' (a JSON object, which the caller keeps) to 'j' and
 * write()s it at once, without fsync (see journal_commit()).  Records not
 * yet read are kept: they are read and skipped first.  A torn or corrupt
 * tail found by reading, or left by an earlier failed write, is cut off
 * first.
 *
 * Returns 0, or a negative errno: -EBADF for a read-only journal, -EINVAL
 * if 'record' is not an object, else the error of reading, truncating or
 * writing.  After a failed write the file still holds every record before
 * it, and the journal stays usable: the next write cuts off what the failed
 * one left. */
int
journal_write(struct journal *j, const struct json *record)
{
    if (j->mode == JOURNAL_READ_ONLY) {
        return -EBADF;
    } else if (!json_is_object(record)) {
        return -EINVAL;
    }
    return journal_write__(j, record, NULL);
}

/* Like journal_write(), for a record whose JSON object text the caller
 * appended to 'buf' after journal_record_init(), and that is written
 * without being parsed or copied.  The text must be one valid JSON object
 * (only its first character is checked: -EINVAL if not '{').  Adds the
 * framing to 'buf', which the caller still owns. */
int
journal_write_buffer(struct journal *j, struct ds *buf)
{
    if (j->mode == JOURNAL_READ_ONLY) {
        return -EBADF;
    } else if (buf->length < JOURNAL_HEADER_MAX
               || !journal_record_is_object(buf)) {
        return -EINVAL;
    }
    return journal_write__(j, NULL, buf);
}

/* Makes every record written to 'j' so far durable (fsync), and after
 * JOURNAL_CREATE also the file's name in its directory.  Returns 0 or a
 * negative errno.  Does nothing for a read-only journal. */
int
journal_commit(struct journal *j)
{
    if (j->mode == JOURNAL_READ_ONLY) {
        return 0;
    }
    if (fsync(j->fd) < 0) {
        return -errno;
    }
    if (j->dir_sync_pending) {
        int err = journal_sync_dir(j->path);
        if (err) {
            return err;
        }
        j->dir_sync_pending = false;
    }
    return 0;
}

/* Returns the size in bytes of the good records of 'j' read or written so
 * far: where the next record will be written. */
off_t
journal_size(const struct journal *j)
{
    return j->offset;
}

/* Returns the number of good records of 'j' read or written so far. */
size_t
journal_n_records(const struct journal *j)
{
    return j->n_records;
}

/* Returns the file name of 'j' as given to journal_open(). */
const char *
journal_name(const struct journal *j)
{
    return j->name;
}

/* Compaction: atomically replaces the file of 'j' with one holding the 'n'
 * JSON objects in 'records' (normally the schema, then one record with the
 * whole database), which the caller keeps.  Writes them to NAME.tmp in the
 * same directory (the name ovsdb-tool uses), fsyncs it, renames it over the
 * file and fsyncs the directory; 'j' then appends to the new file.
 *
 * Returns 0, or a negative errno: -EBADF for a read-only journal, -EINVAL
 * if a record is not an object, else an I/O error.  If the rename did not
 * happen the old file and 'j' are unchanged.  (If only the final directory
 * fsync fails, 'j' has moved to the new file, which may not survive a
 * crash.) */
int
journal_replace(struct journal *j, struct json *const *records, size_t n)
{
    if (j->mode == JOURNAL_READ_ONLY) {
        return -EBADF;
    }
    for (size_t i = 0; i < n; i++) {
        if (!json_is_object(records[i])) {
            return -EINVAL;
        }
    }

    struct stat st;
    if (fstat(j->fd, &st) < 0) {
        return -errno;
    }

    char *tmp = xasprintf("%s.tmp", j->path);
    int err = 0;
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        err = -errno;
        goto out;
    }

    off_t offset = 0;
    if (fchmod(fd, st.st_mode & 07777) < 0) {
        err = -errno;
    }
    for (size_t i = 0; !err && i < n; i++) {
        bool crashed;
        err = journal_put_record(j, fd, &offset, records[i], &crashed);
    }
    if (!err && fsync(fd) < 0) {
        err = -errno;
    }
    if (!err && rename(tmp, j->path) < 0) {
        err = -errno;
    }
    if (err) {
        close(fd);
        unlink(tmp);
        goto out;
    }

    close(j->fd);
    j->fd = fd;
    j->offset = offset;
    j->file_size = offset;
    j->n_records = n;
    j->reading = false;
    j->bad_tail = false;
    free(j->buf);
    j->buf = NULL;
    j->buf_allocated = j->buf_len = 0;
    j->dir_sync_pending = false;
    err = journal_sync_dir(j->path);

out:
    free(tmp);
    return err;
}

/* Closes 'j' and releases its lock, without fsync: call journal_commit()
 * first for durability.  Accepts NULL. */
void
journal_close(struct journal *j)
{
    if (!j) {
        return;
    }
    if (j->fd >= 0) {
        close(j->fd);
    }
    journal_unlock(j);
    free(j->buf);
    free(j->path);
    free(j->name);
    free(j);
}

/* See journal-private.h. */
void
journal__set_fault(struct journal *j, enum journal_fault fault, off_t arg)
{
    j->fault = fault;
    j->fault_arg = arg;
}
