/* Logging: the module registry, level parsing, line formatting, the three
 * destinations and the appctl commands that adjust them.  One mutex guards
 * all of the state, so that threads' lines never interleave and sequence
 * numbers stay in order. */

/* <syslog.h> names two priorities LOG_ERR and LOG_INFO, as lib/log.h names
 * two of its macros, so read the values needed from it first and then drop
 * the clashing names. */
#include <syslog.h>

static const int log_syslog_priorities[] = {
    LOG_EMERG, LOG_EMERG, LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG,
};

#undef LOG_ERR
#undef LOG_INFO

#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lib/appctl.h"
#include "lib/ds.h"

LOG_MODULE(log);

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Everything below is protected by 'log_mutex'. */

/* Registered modules, sorted by name. */
static struct log_module *log_modules;

/* Levels given to a module when it registers; changed by setting a level
 * for every module at once. */
static enum log_level log_default_levels[LOG_N_DESTS] = {
    [LOG_DEST_CONSOLE] = LOG_LEVEL_INFO,
    [LOG_DEST_SYSLOG] = LOG_LEVEL_OFF,
    [LOG_DEST_FILE] = LOG_LEVEL_INFO,
};

static char *log_file_name;     /* Log file's name, or NULL if none. */
static int log_file_fd = -1;    /* Open log file, or -1. */
static unsigned long long log_seq; /* Sequence number of the last line. */
static int log_syslog_facility = LOG_DAEMON; /* syslog(3) facility. */

static const char *const log_level_names[LOG_N_LEVELS] = {
    "OFF", "EMER", "ERR", "WARN", "INFO", "DBG",
};

static const char *const log_dest_names[LOG_N_DESTS] = {
    "console", "syslog", "file",
};

/* RFC 5424 §6.2.1 facility names, as ovs-appctl(8) "vlog/set FACILITY"
 * lists them; a facility's code is its index. */
static const char *const log_facility_names[] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
    "uucp", "clock", "authpriv", "ftp", "ntp", "audit", "alert", "clock2",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6",
    "local7",
};

/* Returns the name of 'level' in capitals ("INFO"), as log lines show it. */
const char *
log_level_to_string(enum log_level level)
{
    return (unsigned) level < LOG_N_LEVELS ? log_level_names[level] : "?";
}

/* Parses 's', a level name in any case ("info", "WARN"), and returns the
 * level, or -1 if 's' names none. */
int
log_level_from_string(const char *s)
{
    for (int i = 0; i < LOG_N_LEVELS; i++) {
        if (!strcasecmp(s, log_level_names[i])) {
            return i;
        }
    }
    return -1;
}

/* Returns the name of 'dest' ("console"). */
const char *
log_dest_to_string(enum log_dest dest)
{
    return (unsigned) dest < LOG_N_DESTS ? log_dest_names[dest] : "?";
}

/* Parses 's', a destination name in any case, and returns the destination,
 * or -1 if 's' names none. */
int
log_dest_from_string(const char *s)
{
    for (int i = 0; i < LOG_N_DESTS; i++) {
        if (!strcasecmp(s, log_dest_names[i])) {
            return i;
        }
    }
    return -1;
}

static bool
log_dest_is_open(enum log_dest dest)
{
    return dest != LOG_DEST_FILE || log_file_fd >= 0;
}

static void
log_update_max_level(struct log_module *module)
{
    int max = LOG_LEVEL_OFF;
    for (int dest = 0; dest < LOG_N_DESTS; dest++) {
        if (log_dest_is_open(dest)) {
            max = MAX(max, (int) module->levels[dest]);
        }
    }
    atomic_store_explicit(&module->max_level, max, memory_order_relaxed);
}

static void
log_update_all_max_levels(void)
{
    for (struct log_module *m = log_modules; m; m = m->next) {
        log_update_max_level(m);
    }
}

/* Adds 'module' to the registry with the current default levels.  Called by
 * LOG_MODULE's constructor; registering the same module twice is a no-op.
 * Two files may declare modules of the same name: setting a level by name
 * sets both. */
void
log_module_register(struct log_module *module)
{
    pthread_mutex_lock(&log_mutex);
    struct log_module **p = &log_modules;
    while (*p && *p != module && strcmp((*p)->name, module->name) <= 0) {
        p = &(*p)->next;
    }
    if (*p != module) {
        memcpy(module->levels, log_default_levels, sizeof module->levels);
        module->next = *p;
        *p = module;
        log_update_max_level(module);
    }
    pthread_mutex_unlock(&log_mutex);
}

/* Returns the registered module called 'name' (in any case), or NULL. */
struct log_module *
log_module_find(const char *name)
{
    struct log_module *m;

    pthread_mutex_lock(&log_mutex);
    for (m = log_modules; m; m = m->next) {
        if (!strcasecmp(m->name, name)) {
            break;
        }
    }
    pthread_mutex_unlock(&log_mutex);
    return m;
}

static void
log_set_module_level_locked(struct log_module *module, enum log_dest dest,
                            enum log_level level)
{
    for (int d = 0; d < LOG_N_DESTS; d++) {
        if (dest == LOG_DEST_ALL || dest == (enum log_dest) d) {
            module->levels[d] = level;
        }
    }
    log_update_max_level(module);
}

/* Lowers every module's level for 'dest' (and the default for modules that
 * register later) to at most 'max', leaving quieter ones alone. */
void
log_limit_level(enum log_dest dest, enum log_level max)
{
    ASSERT((unsigned) max < LOG_N_LEVELS);
    ASSERT((unsigned) dest < LOG_N_DESTS);

    pthread_mutex_lock(&log_mutex);
    if (log_default_levels[dest] > max) {
        log_default_levels[dest] = max;
    }
    for (struct log_module *m = log_modules; m; m = m->next) {
        if (m->levels[dest] > max) {
            log_set_module_level_locked(m, dest, max);
        }
    }
    pthread_mutex_unlock(&log_mutex);
}

/* Sets the level of 'module' (NULL: every module, including those that
 * register later) for 'dest' (LOG_DEST_ALL: every destination). */
void
log_set_level(struct log_module *module, enum log_dest dest,
              enum log_level level)
{
    ASSERT((unsigned) level < LOG_N_LEVELS);
    ASSERT((unsigned) dest <= LOG_DEST_ALL);

    pthread_mutex_lock(&log_mutex);
    if (module) {
        /* Modules of the same name, from different files, move together. */
        for (struct log_module *m = log_modules; m; m = m->next) {
            if (m == module || !strcmp(m->name, module->name)) {
                log_set_module_level_locked(m, dest, level);
            }
        }
    } else {
        for (int d = 0; d < LOG_N_DESTS; d++) {
            if (dest == LOG_DEST_ALL || dest == (enum log_dest) d) {
                log_default_levels[d] = level;
            }
        }
        for (struct log_module *m = log_modules; m; m = m->next) {
            log_set_module_level_locked(m, dest, level);
        }
    }
    pthread_mutex_unlock(&log_mutex);
}

/* Returns the level of 'module' for 'dest'. */
enum log_level
log_get_level(const struct log_module *module, enum log_dest dest)
{
    ASSERT((unsigned) dest < LOG_N_DESTS);
    pthread_mutex_lock(&log_mutex);
    enum log_level level = module->levels[dest];
    pthread_mutex_unlock(&log_mutex);
    return level;
}

/* A parsed level spec. */
struct log_spec {
    struct log_module *module;  /* NULL for every module. */
    int dest;                   /* Destination or LOG_DEST_ALL. */
    int level;                  /* Level to set. */
    int facility;               /* Syslog facility to set, or -1. */
};

static char *
log_parse_facility(const char *name, struct log_spec *spec)
{
    for (size_t i = 0; i < ARRAY_SIZE(log_facility_names); i++) {
        if (!strcasecmp(name, log_facility_names[i])) {
            spec->facility = i << 3;
            return NULL;
        }
    }
    return xasprintf("unknown syslog facility \"%s\"", name);
}

/* Parses 's' as ovs-appctl(8) "vlog/set" describes it: words separated by
 * spaces, commas or colons, at most one module, one destination and one
 * level, in any order and case; "any" is ignored; the level defaults to
 * DBG.  "FACILITY:NAME" sets the syslog facility instead.  Returns NULL and
 * fills in 'spec', or returns an error message for the caller to free. */
static char *
log_parse_spec(const char *s, struct log_spec *spec)
{
    static const char delimiters[] = " \t,:";
    char *copy = xstrdup(s);
    char *save = NULL;
    char *error = NULL;

    spec->module = NULL;
    spec->dest = LOG_DEST_ALL;
    spec->level = -1;
    spec->facility = -1;

    char *word = strtok_r(copy, delimiters, &save);
    if (word && !strcasecmp(word, "PATTERN")) {
        error = xstrdup("custom log patterns are not supported");
        goto out;
    } else if (word && !strcasecmp(word, "FACILITY")) {
        word = strtok_r(NULL, delimiters, &save);
        if (!word || strtok_r(NULL, delimiters, &save)) {
            error = xstrdup("FACILITY takes exactly one facility name");
        } else {
            error = log_parse_facility(word, spec);
        }
        goto out;
    }

    bool have_module = false;
    for (; word; word = strtok_r(NULL, delimiters, &save)) {
        int dest, level;
        struct log_module *module;

        if (!strcasecmp(word, "any")) {
            continue;
        } else if ((dest = log_dest_from_string(word)) >= 0) {
            if (spec->dest != LOG_DEST_ALL) {
                error = xasprintf("cannot specify multiple destinations "
                                  "(\"%s\")", word);
                goto out;
            }
            spec->dest = dest;
        } else if ((level = log_level_from_string(word)) >= 0) {
            if (spec->level >= 0) {
                error = xasprintf("cannot specify multiple levels (\"%s\")",
                                  word);
                goto out;
            }
            spec->level = level;
        } else if ((module = log_module_find(word)) != NULL) {
            if (have_module) {
                error = xasprintf("cannot specify multiple modules (\"%s\")",
                                  word);
                goto out;
            }
            have_module = true;
            spec->module = module;
        } else {
            error = xasprintf("unknown module, destination, or level "
                              "\"%s\"", word);
            goto out;
        }
    }
    if (spec->level < 0) {
        spec->level = LOG_LEVEL_DBG;
    }

out:
    free(copy);
    return error;
}

static void
log_apply_spec(const struct log_spec *spec)
{
    if (spec->facility >= 0) {
        pthread_mutex_lock(&log_mutex);
        log_syslog_facility = spec->facility;
        pthread_mutex_unlock(&log_mutex);
    } else {
        log_set_level(spec->module, spec->dest, spec->level);
    }
}

/* Applies 'spec', a level setting as ovs-appctl(8) "vlog/set" and the -v
 * option of ovsdb-server(1) take it: "dbg", "console:off",
 * "jsonrpc:file:info", "ANY:syslog:err", "FACILITY:local0", or "" (every
 * module and destination at DBG).  Returns NULL on success, else an error
 * message that the caller must free, with nothing changed. */
char *
log_set_levels_from_string(const char *spec)
{
    struct log_spec parsed;
    char *error = log_parse_spec(spec, &parsed);
    if (!error) {
        log_apply_spec(&parsed);
    }
    return error;
}

/* Handles the -v / --verbose option: applies 'spec' (NULL means every
 * module and destination at DBG) or prints the error and exits. */
void
log_set_verbosity(const char *spec)
{
    char *error = log_set_levels_from_string(spec ? spec : "");
    if (error) {
        fprintf(stderr, "%s: %s\n", program_name(), error);
        free(error);
        exit(EXIT_FAILURE);
    }
}

/* Prints the help for the options of LOG_LONG_OPTIONS. */
void
log_usage(void)
{
    printf("\nLogging options:\n"
           "  -vSPEC, --verbose=SPEC   set log levels; SPEC is "
           "[MODULE][:DEST][:LEVEL]\n"
           "                           with DEST console, syslog or file "
           "and LEVEL off,\n"
           "                           emer, err, warn, info or dbg\n"
           "  -v, --verbose            set every log level to dbg\n");
}

/* Appends to 'ds' a table of every module's level for each destination. */
void
log_list(struct ds *ds)
{
    ds_put_format(ds, "%-24s %-8s %-8s %-8s\n", "module",
                  log_dest_names[0], log_dest_names[1], log_dest_names[2]);
    ds_put_format(ds, "%-24s %-8s %-8s %-8s\n", "------",
                  "-------", "------", "----");

    pthread_mutex_lock(&log_mutex);
    const char *previous = NULL;
    for (struct log_module *m = log_modules; m; m = m->next) {
        if (previous && !strcmp(previous, m->name)) {
            continue;
        }
        previous = m->name;
        ds_put_format(ds, "%-24s", m->name);
        for (int dest = 0; dest < LOG_N_DESTS; dest++) {
            ds_put_format(ds, " %-8s", log_level_names[m->levels[dest]]);
        }
        ds_chomp(ds, ' ');
        ds_put_char(ds, '\n');
    }
    pthread_mutex_unlock(&log_mutex);
}

/* Appends to 'ds' the log line for 'message' logged by 'module' at 'level'
 * at 'wall_msec' (ms since the epoch) with sequence number 'seq':
 * "2026-11-21T16:00:00.123Z|00042|module|INFO|message", without a newline.
 * This is the default pattern of ovs-appctl(8) "vlog/set PATTERN" with
 * milliseconds added, as OVS's log files have them. */
void
log_format_line(struct ds *ds, long long wall_msec, unsigned long long seq,
                const char *module, enum log_level level,
                const char *message)
{
    time_t seconds = wall_msec / 1000;
    int msec = wall_msec % 1000;
    struct tm tm;
    char stamp[64];

    if (msec < 0) {
        seconds--;
        msec += 1000;
    }
    if (!gmtime_r(&seconds, &tm)
        || !strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm)) {
        strcpy(stamp, "0000-00-00T00:00:00");
    }
    ds_put_format(ds, "%s.%03dZ|%05llu|%s|%s|%s", stamp, msec, seq, module,
                  log_level_to_string(level), message);
}

static void
log_write_fd(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t retval = write(fd, s, n);
        if (retval < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        s += retval;
        n -= retval;
    }
}

/* Sends 'message' to each destination of 'module' that takes 'level'. */
static void
log_emit_locked(const struct log_module *module, enum log_level level,
                const char *message)
{
    bool to_console = level <= module->levels[LOG_DEST_CONSOLE];
    bool to_syslog = level <= module->levels[LOG_DEST_SYSLOG];
    bool to_file = level <= module->levels[LOG_DEST_FILE]
                   && log_file_fd >= 0;
    if (level == LOG_LEVEL_OFF || (!to_console && !to_syslog && !to_file)) {
        return;
    }

    unsigned long long seq = ++log_seq;
    if (to_console || to_file) {
        struct ds line = DS_EMPTY_INITIALIZER;
        log_format_line(&line, time_wall_msec(), seq, module->name, level,
                        message);
        ds_put_char(&line, '\n');
        if (to_console) {
            log_write_fd(STDERR_FILENO, line.string, line.length);
        }
        if (to_file) {
            log_write_fd(log_file_fd, line.string, line.length);
        }
        ds_uninit(&line);
    }
    if (to_syslog) {
        syslog(log_syslog_priorities[level] | log_syslog_facility,
               "%05llu|%s|%s|%s", seq, module->name,
               log_level_to_string(level), message);
    }
}

static char *
log_format_message(const char *format, va_list args)
{
    struct ds message = DS_EMPTY_INITIALIZER;
    ds_put_format_valist(&message, format, args);
    return ds_steal_cstr(&message);
}

/* Logs the printf-style message at 'level' for 'module'.  LOG_INFO and the
 * other macros call this after checking the level. */
void
log_write(struct log_module *module, enum log_level level,
          const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = log_format_message(format, args);
    va_end(args);

    pthread_mutex_lock(&log_mutex);
    log_emit_locked(module, level, message);
    pthread_mutex_unlock(&log_mutex);
    free(message);
}

/* Refills 'rl' for the time up to 'now_msec' (monotonic ms) and takes one
 * message's worth of tokens.  Returns true if the message may pass; if not,
 * counts it as dropped.  The caller serializes calls for one 'rl'. */
bool
log_rate_limit_check(struct log_rate_limit *rl, long long now_msec)
{
    const unsigned long long cost = 60000;
    unsigned long long capacity = MAX(rl->burst, 1u) * cost;

    if (!rl->started) {
        rl->started = true;
        rl->tokens = capacity;
        rl->last_fill = now_msec;
    } else if (now_msec > rl->last_fill) {
        unsigned long long elapsed = now_msec - rl->last_fill;
        if (rl->per_minute && elapsed < capacity / rl->per_minute) {
            rl->tokens = MIN(capacity, rl->tokens + elapsed * rl->per_minute);
        } else if (rl->per_minute) {
            rl->tokens = capacity;
        }
        rl->last_fill = now_msec;
    }

    if (rl->tokens >= cost) {
        rl->tokens -= cost;
        return true;
    }
    if (!rl->n_dropped++) {
        rl->first_dropped = now_msec;
    }
    rl->last_dropped = now_msec;
    return false;
}

/* Returns 'msec' in whole seconds, rounded to nearest but at least 1. */
static long long
log_msec_to_sec(long long msec)
{
    return MAX((msec + 500) / 1000, 1);
}

/* Like log_write(), but drops the message if 'rl' has run out of tokens;
 * the first message to pass after some were dropped is preceded by a line
 * that counts them. */
void
log_write_rl(struct log_module *module, enum log_level level,
             struct log_rate_limit *rl, const char *format, ...)
{
    long long now = time_msec();

    pthread_mutex_lock(&log_mutex);
    bool pass = log_rate_limit_check(rl, now);
    char *summary = NULL;
    if (pass && rl->n_dropped) {
        summary = xasprintf("%u messages dropped by rate limit in the last "
                            "%lld seconds (latest %lld seconds ago)",
                            rl->n_dropped,
                            log_msec_to_sec(now - rl->first_dropped),
                            (now - rl->last_dropped + 500) / 1000);
        rl->n_dropped = 0;
    }
    pthread_mutex_unlock(&log_mutex);
    if (!pass) {
        return;
    }

    va_list args;
    va_start(args, format);
    char *message = log_format_message(format, args);
    va_end(args);

    pthread_mutex_lock(&log_mutex);
    if (summary) {
        log_emit_locked(module, level, summary);
    }
    log_emit_locked(module, level, message);
    pthread_mutex_unlock(&log_mutex);
    free(summary);
    free(message);
}

/* Logs the printf-style message at EMER, also to stderr if the console does
 * not take EMER from 'module', and exits with EXIT_FAILURE. */
void
log_fatal(struct log_module *module, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = log_format_message(format, args);
    va_end(args);

    pthread_mutex_lock(&log_mutex);
    log_emit_locked(module, LOG_LEVEL_EMER, message);
    bool on_console = module->levels[LOG_DEST_CONSOLE] >= LOG_LEVEL_EMER;
    pthread_mutex_unlock(&log_mutex);
    if (!on_console) {
        fprintf(stderr, "%s: %s\n", program_name(), message);
    }
    free(message);
    exit(EXIT_FAILURE);
}

static int
log_open_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    return fd >= 0 ? fd : -errno;
}

/* Makes 'fd' (-1 for none) the log file's descriptor and closes the old
 * one.  If 'name' is nonnull, it becomes the log file's name (ownership
 * transfers; the old name is freed). */
static void
log_install_file(int fd, char *name)
{
    pthread_mutex_lock(&log_mutex);
    int old_fd = log_file_fd;
    log_file_fd = fd;
    if (name) {
        free(log_file_name);
        log_file_name = name;
    }
    log_update_all_max_levels();
    pthread_mutex_unlock(&log_mutex);

    if (old_fd >= 0) {
        close(old_fd);
    }
}

/* Starts logging to the file 'path', appending to it (created mode 0640 if
 * missing), instead of any earlier log file; NULL stops logging to a file
 * and forgets its name.  Returns 0 or a negative errno, in which case
 * nothing changed. */
int
log_set_file(const char *path)
{
    if (!path) {
        log_install_file(-1, NULL);
        pthread_mutex_lock(&log_mutex);
        free(log_file_name);
        log_file_name = NULL;
        pthread_mutex_unlock(&log_mutex);
        return 0;
    }

    int fd = log_open_file(path);
    if (fd < 0) {
        return fd;
    }
    log_install_file(fd, xstrdup(path));
    LOG_INFO("opened log file %s", path);
    return 0;
}

/* Closes and reopens the log file by name, after a rotation moved the old
 * one away, or after log_close_file().  Returns 0 (also when no log file
 * is configured) or a negative errno, in which case the old file, if any,
 * stays in use. */
int
log_reopen(void)
{
    pthread_mutex_lock(&log_mutex);
    char *name = log_file_name ? xstrdup(log_file_name) : NULL;
    pthread_mutex_unlock(&log_mutex);
    if (!name) {
        return 0;
    }

    int fd = log_open_file(name);
    if (fd < 0) {
        free(name);
        return fd;
    }
    log_install_file(fd, NULL);
    LOG_INFO("reopened log file %s", name);
    free(name);
    return 0;
}

/* Closes the log file, if one is open, but remembers its name for
 * log_reopen(). */
void
log_close_file(void)
{
    log_install_file(-1, NULL);
}

/* Returns the log file's name, or NULL if none was set.  Valid until the
 * next log_set_file(). */
const char *
log_get_file(void)
{
    pthread_mutex_lock(&log_mutex);
    const char *name = log_file_name;
    pthread_mutex_unlock(&log_mutex);
    return name;
}

/* appctl "vlog/set [SPEC...]": applies each SPEC, or sets every level to
 * DBG if there is none.  Checks every SPEC before applying any. */
static void
log_set_cb(struct appctl_conn *conn, int argc, const char *argv[],
           void *aux)
{
    int n = argc > 1 ? argc - 1 : 1;
    struct log_spec *specs = xcalloc(n, sizeof *specs);

    for (int i = 0; i < n; i++) {
        char *error = log_parse_spec(argc > 1 ? argv[i + 1] : "", &specs[i]);
        if (error) {
            appctl_reply_error(conn, error);
            free(error);
            free(specs);
            return;
        }
    }
    for (int i = 0; i < n; i++) {
        log_apply_spec(&specs[i]);
    }
    free(specs);
    appctl_reply(conn, NULL);
}

/* appctl "vlog/list". */
static void
log_list_cb(struct appctl_conn *conn, int argc, const char *argv[],
            void *aux)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    log_list(&s);
    appctl_reply(conn, ds_cstr(&s));
    ds_uninit(&s);
}

/* appctl "vlog/list-pattern": the fixed formats Kiln writes. */
static void
log_list_pattern_cb(struct appctl_conn *conn, int argc, const char *argv[],
                    void *aux)
{
    appctl_reply(conn,
                 "console: %D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c|%p|%m\n"
                 "syslog: %05N|%c|%p|%m\n"
                 "file: %D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c|%p|%m\n");
}

/* appctl "vlog/reopen". */
static void
log_reopen_cb(struct appctl_conn *conn, int argc, const char *argv[],
              void *aux)
{
    if (!log_get_file()) {
        appctl_reply_error(conn, "Logging to file not configured");
        return;
    }

    int err = log_reopen();
    if (err) {
        char *msg = xasprintf("%s: reopen failed (%s)", log_get_file(),
                              strerror(-err));
        appctl_reply_error(conn, msg);
        free(msg);
    } else {
        appctl_reply(conn, NULL);
    }
}

/* appctl "vlog/close". */
static void
log_close_cb(struct appctl_conn *conn, int argc, const char *argv[],
             void *aux)
{
    log_close_file();
    appctl_reply(conn, NULL);
}

/* Registers the logging commands of ovs-appctl(8) under their "vlog/"
 * names, which Debian's ovs-appctl users know, and "log/" aliases. */
void
log_register_appctl_commands(void)
{
    static const struct {
        const char *names[2];   /* "vlog/" name and "log/" alias. */
        const char *usage;      /* For "list-commands". */
        int max_args;           /* Most arguments taken. */
        appctl_cb *cb;          /* Handler. */
    } commands[] = {
        { { "vlog/set", "log/set" }, "[[MODULE][:DEST][:LEVEL]]...",
          INT_MAX, log_set_cb },
        { { "vlog/list", "log/list" }, "", 0, log_list_cb },
        { { "vlog/list-pattern", "log/list-pattern" }, "", 0,
          log_list_pattern_cb },
        { { "vlog/reopen", "log/reopen" }, "", 0, log_reopen_cb },
        { { "vlog/close", "log/close" }, "", 0, log_close_cb },
    };

    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(commands[i].names); j++) {
            appctl_command_register(commands[i].names[j], commands[i].usage,
                                    0, commands[i].max_args,
                                    commands[i].cb, NULL);
        }
    }
}
