/* Daemon options: run directories, the pidfile (locked while the process
 * lives, so that a stale file left by a crash never blocks a restart), the
 * --detach handshake over a pipe, and the log file. */
#include "lib/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"

LOG_MODULE(daemon);

/* Settings from the options. */
static char *daemon_pidfile_name;   /* Absolute pidfile name, or NULL. */
static bool daemon_overwrite;       /* --overwrite-pidfile. */
static bool daemon_detach;          /* --detach. */
static bool daemon_chdir = true;    /* Not --no-chdir. */
static char *daemon_log_file_name;  /* Absolute log file name, or NULL. */
static bool daemon_monitor;         /* --monitor (ignored). */

/* The pidfile we hold.  daemon_pidfile_path is allocated once and never
 * freed while 'daemon_pidfile_fd' is open, so that the signal handler may
 * use it. */
static char *daemon_pidfile_path;   /* Name of the held pidfile, or NULL. */
static int daemon_pidfile_fd = -1;  /* Open, locked pidfile, or -1. */
static pid_t daemon_pidfile_pid;    /* Process that created it. */

/* Write end of the pipe to the waiting parent while detaching, or -1. */
static int daemon_ready_fd = -1;

/* Returns the value of the first of environment variables 'a' and 'b' that
 * is set and not empty, else 'def'. */
static const char *
daemon_env_dir(const char *a, const char *b, const char *def)
{
    const char *value = getenv(a);
    if (value && *value) {
        return value;
    }
    value = getenv(b);
    return value && *value ? value : def;
}

/* Returns the directory for pidfiles and control sockets: $KILN_RUNDIR,
 * else $OVS_RUNDIR, else /var/run/kiln.  The string is valid until the
 * environment changes. */
const char *
daemon_rundir(void)
{
    return daemon_env_dir("KILN_RUNDIR", "OVS_RUNDIR", "/var/run/kiln");
}

/* Returns the directory for log files: $KILN_LOGDIR, else $OVS_LOGDIR, else
 * /var/log/kiln.  The string is valid until the environment changes. */
const char *
daemon_logdir(void)
{
    return daemon_env_dir("KILN_LOGDIR", "OVS_LOGDIR", "/var/log/kiln");
}

/* Creates directory 'path' and any missing parents, mode 0755 (less the
 * umask).  Returns 0 (also if it exists) or a negative errno. */
int
daemon_make_dirs(const char *path)
{
    char *copy = xstrdup(path);
    int err = 0;

    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || !*p) {
            char saved = *p;
            *p = '\0';
            if (mkdir(copy, 0755) && errno != EEXIST) {
                err = -errno;
                break;
            }
            *p = saved;
            if (!saved) {
                break;
            }
        }
    }
    free(copy);
    if (!err) {
        struct stat s;
        if (stat(path, &s)) {
            err = -errno;
        } else if (!S_ISDIR(s.st_mode)) {
            err = -ENOTDIR;
        }
    }
    return err;
}

/* Returns 'name' made absolute: as is if it starts with '/', else under
 * 'dir', or under the working directory if 'dir' is NULL.  The caller frees
 * the result. */
static char *
daemon_abs_name(const char *name, const char *dir)
{
    if (name[0] == '/') {
        return xstrdup(name);
    }
    if (dir) {
        return xasprintf("%s/%s", dir, name);
    }

    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        LOG_FATAL("getcwd failed (%s)", strerror(errno));
    }
    char *abs = xasprintf("%s/%s", cwd, name);
    free(cwd);
    return abs;
}

/* Handles 'option', one of enum daemon_option, with 'arg' (optarg: NULL if
 * the option has none).  Paths are resolved now, from the environment and
 * working directory of the moment. */
void
daemon_handle_option(int option, const char *arg)
{
    switch ((enum daemon_option) option) {
    case DAEMON_OPT_PIDFILE:
        free(daemon_pidfile_name);
        if (arg && *arg) {
            daemon_pidfile_name = daemon_abs_name(arg, daemon_rundir());
        } else {
            daemon_pidfile_name = xasprintf("%s/%s.pid", daemon_rundir(),
                                            program_name());
        }
        break;

    case DAEMON_OPT_OVERWRITE_PIDFILE:
        daemon_overwrite = true;
        break;

    case DAEMON_OPT_DETACH:
        daemon_detach = true;
        break;

    case DAEMON_OPT_NO_CHDIR:
        daemon_chdir = false;
        break;

    case DAEMON_OPT_LOG_FILE:
        free(daemon_log_file_name);
        if (arg && *arg) {
            daemon_log_file_name = daemon_abs_name(arg, NULL);
        } else {
            daemon_log_file_name = xasprintf("%s/%s.log", daemon_logdir(),
                                             program_name());
        }
        break;

    case DAEMON_OPT_MONITOR:
        daemon_monitor = true;
        break;

    default:
        NOT_REACHED();
    }
}

/* Prints the help for the options of DAEMON_LONG_OPTIONS. */
void
daemon_usage(void)
{
    printf("\nDaemon options:\n"
           "  --detach                run in background as daemon\n"
           "  --no-chdir              do not chdir to '/' when detached\n"
           "  --pidfile[=FILE]        create pidfile (default %s/%s.pid)\n"
           "  --overwrite-pidfile     with --pidfile, start even if it is "
           "already locked\n"
           "  --log-file[=FILE]       log to FILE (default %s/%s.log)\n"
           "  --monitor               accepted and ignored\n",
           daemon_rundir(), program_name(), daemon_logdir(), program_name());
}

/* Returns the absolute pidfile name from --pidfile, or NULL. */
const char *
daemon_get_pidfile(void)
{
    return daemon_pidfile_name;
}

/* Returns the absolute log file name from --log-file, or NULL. */
const char *
daemon_get_log_file(void)
{
    return daemon_log_file_name;
}

/* Returns true if --detach was given. */
bool
daemon_get_detach(void)
{
    return daemon_detach;
}

/* Removes the pidfile, if this process created it and it was not since
 * replaced (by --overwrite-pidfile in another process).  Safe in a signal
 * handler. */
static void
daemon_pidfile_unlink(void)
{
    struct stat ours, named;

    if (daemon_pidfile_fd >= 0 && daemon_pidfile_pid == getpid()
        && !fstat(daemon_pidfile_fd, &ours)
        && !stat(daemon_pidfile_path, &named)
        && ours.st_dev == named.st_dev && ours.st_ino == named.st_ino) {
        unlink(daemon_pidfile_path);
    }
}

static void
daemon_atexit(void)
{
    daemon_pidfile_unlink();
}

/* Termination signals remove the pidfile and then take their default
 * action, unless the daemon installs its own handlers (with libuv), which
 * end in exit() and so in daemon_atexit(). */
static void
daemon_signal_handler(int signo)
{
    daemon_pidfile_unlink();
    signal(signo, SIG_DFL);
    raise(signo);
}

static void
daemon_install_handlers(void)
{
    static bool installed;
    static const int signals[] = { SIGTERM, SIGINT, SIGHUP };

    if (installed) {
        return;
    }
    installed = true;
    atexit(daemon_atexit);
    for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
        struct sigaction old, sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = daemon_signal_handler;
        sigemptyset(&sa.sa_mask);
        if (!sigaction(signals[i], NULL, &old)
            && old.sa_handler == SIG_DFL) {
            sigaction(signals[i], &sa, NULL);
        }
    }
}

/* Returns the process id written in the pidfile open as 'fd', or 0. */
static pid_t
daemon_read_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) {
        return 0;
    }
    buf[n] = '\0';

    char *end;
    long pid = strtol(buf, &end, 10);
    return pid > 0 && (*end == '\n' || !*end) ? pid : 0;
}

/* Opens and locks 'path' into '*fd'.  Returns 0, -EBUSY if a live process
 * holds it (storing its id in '*holder', if nonnull), -EAGAIN if the file
 * was removed or replaced meanwhile (by its exiting holder), or another
 * negative errno. */
static int
daemon_pidfile_lock(const char *path, pid_t *holder, int *fd)
{
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f < 0) {
        return -errno;
    }

    /* An open file description lock (Linux 3.15) belongs to this
     * descriptor, so that, unlike a classic fcntl() lock, no other close()
     * of the same file in this process drops it.  It conflicts with the
     * classic locks OVS daemons take on their pidfiles. */
    struct flock lock = {
        .l_type = F_WRLCK,
        .l_whence = SEEK_SET,
        .l_start = 0,
        .l_len = 0,
    };
    if (fcntl(f, F_OFD_SETLK, &lock) < 0) {
        int err = errno;
        if (err == EAGAIN || err == EACCES) {
            if (holder) {
                *holder = daemon_read_pid(f);
            }
            err = EBUSY;
        }
        close(f);
        return -err;
    }

    struct stat ours, named;
    if (fstat(f, &ours) || stat(path, &named)
        || ours.st_dev != named.st_dev || ours.st_ino != named.st_ino) {
        close(f);
        return -EAGAIN;
    }
    *fd = f;
    return 0;
}

/* Creates and locks pidfile 'path' holding this process's id; the lock
 * lasts while the process lives, and the file is removed when it exits
 * (normally or on SIGTERM, SIGINT or SIGHUP).  If another live process
 * holds 'path' locked, fails with -EBUSY and stores that process's id in
 * '*holder' (if nonnull), unless 'overwrite', in which case the old file is
 * replaced.  Returns 0 or a negative errno.  Only one pidfile per process:
 * a second call first releases the first. */
int
daemon_pidfile_create(const char *path, bool overwrite, pid_t *holder)
{
    daemon_pidfile_remove();
    if (overwrite && unlink(path) && errno != ENOENT) {
        return -errno;
    }

    int fd = -1, err, attempts = 0;
    do {
        err = daemon_pidfile_lock(path, holder, &fd);
    } while (err == -EAGAIN && ++attempts < 10);
    if (err) {
        return err == -EAGAIN ? -EBUSY : err;
    }

    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long) getpid());
    errno = 0;
    if (ftruncate(fd, 0) || write(fd, buf, n) != n) {
        err = errno ? errno : EIO;
        close(fd);
        unlink(path);
        return -err;
    }

    daemon_pidfile_path = xstrdup(path);
    daemon_pidfile_pid = getpid();
    daemon_pidfile_fd = fd;
    daemon_install_handlers();
    return 0;
}

/* Removes and unlocks the pidfile this process created, if any. */
void
daemon_pidfile_remove(void)
{
    if (daemon_pidfile_fd >= 0) {
        daemon_pidfile_unlink();
        close(daemon_pidfile_fd);
        daemon_pidfile_fd = -1;
        free(daemon_pidfile_path);
        daemon_pidfile_path = NULL;
    }
}

/* Forks.  The parent waits until the child calls daemon_ready() and exits
 * with status 0, or, if the child exits first, exits with the child's
 * status.  The child starts a new session and returns. */
static void
daemon_fork(void)
{
    int fds[2];

    if (pipe2(fds, O_CLOEXEC)) {
        LOG_FATAL("pipe failed (%s)", strerror(errno));
    }
    fflush(stdout);
    fflush(stderr);

    pid_t pid = fork();
    if (pid < 0) {
        LOG_FATAL("fork failed (%s)", strerror(errno));
    } else if (pid > 0) {
        char c;
        ssize_t n;

        close(fds[1]);
        do {
            n = read(fds[0], &c, 1);
        } while (n < 0 && errno == EINTR);
        if (n == 1) {
            _exit(EXIT_SUCCESS);
        }

        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            continue;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status)) {
            _exit(WEXITSTATUS(status));
        } else if (WIFSIGNALED(status)) {
            fprintf(stderr, "%s: daemon died before it was ready (%s)\n",
                    program_name(), strsignal(WTERMSIG(status)));
        } else {
            fprintf(stderr, "%s: daemon exited before it was ready\n",
                    program_name());
        }
        _exit(EXIT_FAILURE);
    }

    close(fds[0]);
    daemon_ready_fd = fds[1];
    if (setsid() < 0) {
        LOG_FATAL("setsid failed (%s)", strerror(errno));
    }
}

/* Creates the directory that holds absolute file name 'name', or exits
 * with a message. */
static void
daemon_make_parent_dir(const char *name)
{
    char *dir = xstrdup(name);
    *strrchr(dir, '/') = '\0';
    int err = *dir ? daemon_make_dirs(dir) : 0;
    if (err) {
        LOG_FATAL("%s: could not create directory (%s)", dir,
                  strerror(-err));
    }
    free(dir);
}

/* Acts on the options: with --detach, forks and continues in the child
 * (the parent exits when the child calls daemon_ready()); creates the
 * pidfile and the run directory; opens the log file, creating the log
 * directory.  Exits with a message on failure, e.g. when a live process
 * holds the pidfile. */
void
daemon_start(void)
{
    if (daemon_monitor) {
        LOG_INFO("--monitor is not supported and is ignored");
    }
    if (daemon_detach) {
        daemon_fork();
        /* The terminal that started a daemon wants its problems, not its
         * progress: INFO lines go to the log file only from here on. */
        log_limit_level(LOG_DEST_CONSOLE, LOG_LEVEL_WARN);
    }

    if (daemon_pidfile_name) {
        daemon_make_parent_dir(daemon_pidfile_name);

        pid_t holder = 0;
        int err = daemon_pidfile_create(daemon_pidfile_name,
                                        daemon_overwrite, &holder);
        if (err == -EBUSY) {
            LOG_FATAL("%s: already running as pid %ld, aborting",
                      daemon_pidfile_name, (long) holder);
        } else if (err) {
            LOG_FATAL("%s: could not create pidfile (%s)",
                      daemon_pidfile_name, strerror(-err));
        }
    }

    if (daemon_log_file_name) {
        daemon_make_parent_dir(daemon_log_file_name);
        int err = log_set_file(daemon_log_file_name);
        if (err) {
            LOG_FATAL("%s: could not open log file (%s)",
                      daemon_log_file_name, strerror(-err));
        }
    }
}

/* Says that the daemon has finished starting (it listens on its sockets):
 * with --detach, changes to "/" unless --no-chdir, turns console logging
 * off, points the standard streams at /dev/null and lets the waiting
 * parent exit.  Without --detach, or when called again, does nothing. */
void
daemon_ready(void)
{
    if (daemon_ready_fd < 0) {
        return;
    }

    if (daemon_chdir && chdir("/")) {
        LOG_WARN("chdir(\"/\") failed (%s)", strerror(errno));
    }

    log_set_level(NULL, LOG_DEST_CONSOLE, LOG_LEVEL_OFF);
    fflush(stdout);
    fflush(stderr);
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        if (null_fd > STDERR_FILENO) {
            close(null_fd);
        }
    }

    ssize_t n;
    do {
        n = write(daemon_ready_fd, "", 1);
    } while (n < 0 && errno == EINTR);
    close(daemon_ready_fd);
    daemon_ready_fd = -1;
}
