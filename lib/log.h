/* Logging: per-file modules, per-destination levels and rate limits.
 *
 * Each .c file that logs declares its module once at file scope and then
 * logs through the level macros:
 *
 *     LOG_MODULE(jsonrpc);
 *
 *     static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 20);
 *     ...
 *     LOG_INFO("%s: connected", name);
 *     LOG_WARN_RL(&rl, "%s: bad message: %s", name, error);
 *
 * A message goes to each destination (the console, i.e. stderr; syslog; a
 * log file) whose level for that module is at least the message's.  The
 * defaults are INFO for the console and the file, OFF for syslog; the file
 * gets messages only once log_set_file() has opened one, and the console
 * goes OFF when lib/daemon detaches.  Lines look like OVS's, so tooling
 * that reads OVS logs reads ours:
 *
 *     2026-11-21T16:00:00.123Z|00042|jsonrpc|INFO|unix:db.sock: connected
 *
 * (UTC time to the millisecond, a per-process sequence number, the module,
 * the level and the message; syslog lines omit the time.)
 *
 * A rate-limited message passes while its 'struct log_rate_limit' has
 * tokens: 'burst' at first, refilled at 'per_minute' a minute.  The first
 * message that passes after some were dropped is preceded by a line saying
 * how many were dropped.
 *
 * Levels change at run time through log_set_levels_from_string(), which
 * accepts the specs of ovs-appctl(8) "vlog/set" and of the daemons' -v /
 * --verbose option ("dbg", "file:info", "jsonrpc:console:dbg", ...), and
 * through the appctl commands of log_register_appctl_commands().
 *
 * <syslog.h> also defines LOG_ERR and LOG_INFO: a file cannot include both
 * it and this header.
 *
 * All functions are thread-safe. */
#ifndef LIB_LOG_H
#define LIB_LOG_H 1

#include <stdatomic.h>
#include <stdbool.h>
#include <stdnoreturn.h>

#include "lib/util.h"

struct ds;

/* Severities, most severe first; a destination's level is the least severe
 * message it takes.  ovs-appctl(8) "Logging Commands" defines them. */
enum log_level {
    LOG_LEVEL_OFF,              /* As a destination's level: take nothing. */
    LOG_LEVEL_EMER,             /* A failure forced the process to stop. */
    LOG_LEVEL_ERR,              /* An operation or subsystem failed. */
    LOG_LEVEL_WARN,             /* A failure that callers may recover. */
    LOG_LEVEL_INFO,             /* Useful in retrospect. */
    LOG_LEVEL_DBG,              /* For developers; voluminous. */
    LOG_N_LEVELS
};

enum log_dest {
    LOG_DEST_CONSOLE,           /* Standard error. */
    LOG_DEST_SYSLOG,            /* syslog(3). */
    LOG_DEST_FILE,              /* The file of log_set_file(). */
    LOG_N_DESTS,
    LOG_DEST_ALL = LOG_N_DESTS  /* For log_set_level(): every one. */
};

/* One per LOG_MODULE().  Only lib/log.c touches the members. */
struct log_module {
    const char *name;           /* The module's name, as LOG_MODULE wrote. */
    enum log_level levels[LOG_N_DESTS]; /* Level for each destination. */
    atomic_int max_level;       /* Least severe level any open destination
                                 * takes, for the fast check. */
    struct log_module *next;    /* Next module in name order. */
};

/* Token bucket for LOG_*_RL().  Static storage, protected by the log
 * module's lock; initialize with LOG_RATE_LIMIT_INIT. */
struct log_rate_limit {
    unsigned int per_minute;    /* Sustained rate, in messages a minute. */
    unsigned int burst;         /* Bucket size, in messages. */
    bool started;               /* False until the first message. */
    unsigned long long tokens;  /* A message costs 60000 tokens; a
                                 * millisecond adds 'per_minute'. */
    long long last_fill;        /* When 'tokens' was last refilled (ms). */

    /* Messages dropped since the last one that passed. */
    unsigned int n_dropped;     /* How many. */
    long long first_dropped;    /* When the first was dropped (ms). */
    long long last_dropped;     /* When the latest was dropped (ms). */
};

#define LOG_RATE_LIMIT_INIT(PER_MINUTE, BURST)                          \
    { .per_minute = (PER_MINUTE), .burst = (BURST) }

/* Declares this file's log module NAME (an identifier) at file scope;
 * write a semicolon after it.  It registers itself before main() runs. */
#define LOG_MODULE(NAME)                                                \
    static struct log_module log_this_module_;                          \
    static void log_module_ctor_##NAME##_(void)                         \
        __attribute__((constructor));                                   \
    static void                                                         \
    log_module_ctor_##NAME##_(void)                                     \
    {                                                                   \
        log_module_register(&log_this_module_);                         \
    }                                                                   \
    static struct log_module log_this_module_ = { .name = #NAME }

/* True if a message at LEVEL from this file's module would go anywhere:
 * use it to skip costly work done only for a message. */
#define LOG_IS_ENABLED(LEVEL) log_is_enabled(&log_this_module_, LEVEL)
#define LOG_IS_DBG_ENABLED() LOG_IS_ENABLED(LOG_LEVEL_DBG)

/* printf-style logging from this file's module.  Arguments are evaluated
 * only if the level is enabled. */
#define LOG_EMER(...) LOG_AT_(LOG_LEVEL_EMER, __VA_ARGS__)
#define LOG_ERR(...) LOG_AT_(LOG_LEVEL_ERR, __VA_ARGS__)
#define LOG_WARN(...) LOG_AT_(LOG_LEVEL_WARN, __VA_ARGS__)
#define LOG_INFO(...) LOG_AT_(LOG_LEVEL_INFO, __VA_ARGS__)
#define LOG_DBG(...) LOG_AT_(LOG_LEVEL_DBG, __VA_ARGS__)

/* The same, rate-limited by RL, a "struct log_rate_limit *". */
#define LOG_ERR_RL(RL, ...) LOG_RL_AT_(RL, LOG_LEVEL_ERR, __VA_ARGS__)
#define LOG_WARN_RL(RL, ...) LOG_RL_AT_(RL, LOG_LEVEL_WARN, __VA_ARGS__)
#define LOG_INFO_RL(RL, ...) LOG_RL_AT_(RL, LOG_LEVEL_INFO, __VA_ARGS__)
#define LOG_DBG_RL(RL, ...) LOG_RL_AT_(RL, LOG_LEVEL_DBG, __VA_ARGS__)

/* Logs at EMER (and to stderr if the console would not show it), then
 * exits with EXIT_FAILURE. */
#define LOG_FATAL(...) log_fatal(&log_this_module_, __VA_ARGS__)

#define LOG_AT_(LEVEL, ...)                                             \
    do {                                                                \
        if (log_is_enabled(&log_this_module_, LEVEL)) {                 \
            log_write(&log_this_module_, LEVEL, __VA_ARGS__);           \
        }                                                               \
    } while (0)
#define LOG_RL_AT_(RL, LEVEL, ...)                                      \
    do {                                                                \
        if (log_is_enabled(&log_this_module_, LEVEL)) {                 \
            log_write_rl(&log_this_module_, LEVEL, RL, __VA_ARGS__);    \
        }                                                               \
    } while (0)

/* The daemons' -v / --verbose option.  Put LOG_SHORT_OPTIONS in the short
 * option string given to getopt_long(), LOG_LONG_OPTIONS in the long option
 * table and LOG_OPTION_HANDLERS among the cases of the switch on its
 * result; see lib/daemon.h for a whole main().  log_usage() prints the
 * option's help. */
#define LOG_SHORT_OPTIONS "v::"
#define LOG_LONG_OPTIONS {"verbose", optional_argument, NULL, 'v'}
#define LOG_OPTION_HANDLERS                                             \
    case 'v':                                                           \
        log_set_verbosity(optarg);                                      \
        break;
void log_set_verbosity(const char *spec);
void log_usage(void);

/* Used by the macros above. */
void log_module_register(struct log_module *);
void log_write(struct log_module *, enum log_level, const char *format, ...)
    PRINTF_FORMAT(3, 4);
void log_write_rl(struct log_module *, enum log_level,
                  struct log_rate_limit *, const char *format, ...)
    PRINTF_FORMAT(4, 5);
noreturn void log_fatal(struct log_module *, const char *format, ...)
    PRINTF_FORMAT(2, 3);

static inline bool
log_is_enabled(struct log_module *module, enum log_level level)
{
    return (int) level <= atomic_load_explicit(&module->max_level,
                                               memory_order_relaxed);
}

/* Levels. */
struct log_module *log_module_find(const char *name);
void log_set_level(struct log_module *, enum log_dest, enum log_level);
void log_limit_level(enum log_dest, enum log_level max);
enum log_level log_get_level(const struct log_module *, enum log_dest);
char *log_set_levels_from_string(const char *spec) WARN_UNUSED_RESULT;
void log_list(struct ds *);

const char *log_level_to_string(enum log_level);
int log_level_from_string(const char *);
const char *log_dest_to_string(enum log_dest);
int log_dest_from_string(const char *);

/* The log file. */
int log_set_file(const char *path) WARN_UNUSED_RESULT;
int log_reopen(void) WARN_UNUSED_RESULT;
void log_close_file(void);
const char *log_get_file(void);

/* Line format and rate limiting, exposed for tests. */
void log_format_line(struct ds *, long long wall_msec,
                     unsigned long long seq, const char *module,
                     enum log_level, const char *message);
bool log_rate_limit_check(struct log_rate_limit *, long long now_msec);

/* appctl: vlog/set, vlog/list, vlog/list-pattern, vlog/reopen, vlog/close,
 * and log/set, log/list, log/reopen, log/close as aliases. */
void log_register_appctl_commands(void);

#endif /* lib/log.h */
