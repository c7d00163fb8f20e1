/* The options every Kiln daemon shares, with the meanings ovsdb-server(1)
 * gives them:
 *
 *   --pidfile[=FILE]     write the process id to FILE (default
 *                        RUNDIR/PROGRAM.pid; a FILE not starting with '/'
 *                        is in RUNDIR), locked while the daemon lives,
 *                        removed when it exits.  If a live process holds
 *                        it, refuse to start.
 *   --overwrite-pidfile  start even if a live process holds the pidfile.
 *   --detach             run in the background: fork, start a new session,
 *                        and let the parent exit only when the daemon says
 *                        it is ready (daemon_ready()); then close the
 *                        standard streams (turning console logging off) and
 *                        chdir("/").
 *   --no-chdir           do not chdir("/") when detaching.
 *   --log-file[=FILE]    log to FILE (default LOGDIR/PROGRAM.log).
 *   --monitor            accepted for compatibility and ignored.
 *
 * RUNDIR is $KILN_RUNDIR, else $OVS_RUNDIR, else /var/run/kiln; LOGDIR is
 * $KILN_LOGDIR, else $OVS_LOGDIR, else /var/log/kiln.  Each is created when
 * first needed.
 *
 * A daemon's main() uses them, with the -v option of lib/log.h, thus:
 *
 *     #include <getopt.h>
 *     #include "lib/daemon.h"
 *     #include "lib/log.h"
 *
 *     int
 *     main(int argc, char *argv[])
 *     {
 *         static const struct option long_options[] = {
 *             {"help", no_argument, NULL, 'h'},
 *             DAEMON_LONG_OPTIONS,
 *             LOG_LONG_OPTIONS,
 *             {NULL, 0, NULL, 0},
 *         };
 *
 *         util_set_program_name(argv[0]);
 *         for (;;) {
 *             int c = getopt_long(argc, argv, "h" LOG_SHORT_OPTIONS,
 *                                 long_options, NULL);
 *             if (c == -1) {
 *                 break;
 *             }
 *             switch (c) {
 *             case 'h':
 *                 usage();          (calls daemon_usage() and log_usage())
 *                 exit(EXIT_SUCCESS);
 *             DAEMON_OPTION_HANDLERS
 *             LOG_OPTION_HANDLERS
 *             default:
 *                 exit(EXIT_FAILURE);
 *             }
 *         }
 *
 *         daemon_start();           (detaches; creates pidfile, log file)
 *         ... open databases, listen, appctl_server_create() ...
 *         daemon_ready();           (the --detach parent exits now)
 *         uv_run(loop, UV_RUN_DEFAULT);
 *     }
 *
 * Everything here is for the main thread, before other threads start. */
#ifndef LIB_DAEMON_H
#define LIB_DAEMON_H 1

#include <stdbool.h>
#include <sys/types.h>

#include "lib/util.h"

/* getopt_long() values of the long options; above any short option. */
enum daemon_option {
    DAEMON_OPT_PIDFILE = 0x4b00,
    DAEMON_OPT_OVERWRITE_PIDFILE,
    DAEMON_OPT_DETACH,
    DAEMON_OPT_NO_CHDIR,
    DAEMON_OPT_LOG_FILE,
    DAEMON_OPT_MONITOR,
};

#define DAEMON_LONG_OPTIONS                                             \
    {"pidfile", optional_argument, NULL, DAEMON_OPT_PIDFILE},           \
    {"overwrite-pidfile", no_argument, NULL,                            \
     DAEMON_OPT_OVERWRITE_PIDFILE},                                     \
    {"detach", no_argument, NULL, DAEMON_OPT_DETACH},                   \
    {"no-chdir", no_argument, NULL, DAEMON_OPT_NO_CHDIR},               \
    {"log-file", optional_argument, NULL, DAEMON_OPT_LOG_FILE},         \
    {"monitor", no_argument, NULL, DAEMON_OPT_MONITOR}

#define DAEMON_OPTION_HANDLERS                                          \
    DAEMON_OPTION_CASE_(DAEMON_OPT_PIDFILE)                             \
    DAEMON_OPTION_CASE_(DAEMON_OPT_OVERWRITE_PIDFILE)                   \
    DAEMON_OPTION_CASE_(DAEMON_OPT_DETACH)                              \
    DAEMON_OPTION_CASE_(DAEMON_OPT_NO_CHDIR)                            \
    DAEMON_OPTION_CASE_(DAEMON_OPT_LOG_FILE)                            \
    DAEMON_OPTION_CASE_(DAEMON_OPT_MONITOR)
#define DAEMON_OPTION_CASE_(OPTION)                                     \
    case OPTION:                                                        \
        daemon_handle_option(OPTION, optarg);                           \
        break;

void daemon_handle_option(int option, const char *arg);
void daemon_usage(void);

void daemon_start(void);
void daemon_ready(void);

/* The settings, as the options left them. */
const char *daemon_rundir(void);
const char *daemon_logdir(void);
const char *daemon_get_pidfile(void);
const char *daemon_get_log_file(void);
bool daemon_get_detach(void);

/* Lower layers of daemon_start(), for tests and special daemons. */
int daemon_pidfile_create(const char *path, bool overwrite, pid_t *holder)
    WARN_UNUSED_RESULT;
void daemon_pidfile_remove(void);
int daemon_make_dirs(const char *path) WARN_UNUSED_RESULT;

#endif /* lib/daemon.h */
