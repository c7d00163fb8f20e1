/* Unit tests for lib/daemon.h: directories, option parsing, the pidfile's
 * lock and removal, and --detach's handshake.  Everything that calls
 * daemon_start() runs in a forked child, whose exit status carries the
 * result; a child never returns into cmocka.  The appctl functions that
 * lib/log.c refers to are stubs (see test-log.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/appctl.h"
#include "lib/daemon.h"
#include "lib/log.h"
#include "lib/util.h"

/* The forked children below leave through daemon_start()'s own exit()
 * paths, with the test's strings still in use up the stack; LeakSanitizer
 * would call those leaks.  Children check behaviour, not memory. */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_HAS_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_HAS_LSAN 1
#endif
#endif
#ifdef TEST_HAS_LSAN
#include <sanitizer/lsan_interface.h>
#endif

static pid_t
test_fork(void)
{
    pid_t pid = fork();
#ifdef TEST_HAS_LSAN
    if (!pid) {
        __lsan_disable();
    }
#endif
    return pid;
}

LOG_MODULE(test_daemon);

void
appctl_command_register(const char *name, const char *usage,
                        int min_args, int max_args, appctl_cb *cb, void *aux)
{
}

void
appctl_reply(struct appctl_conn *conn, const char *body)
{
}

void
appctl_reply_error(struct appctl_conn *conn, const char *body)
{
}

/* Helpers. */

static char tmpdir[64];

static int
setup_tmpdir(void **state)
{
    strcpy(tmpdir, "/tmp/test-daemon-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    util_set_program_name("kiln-test");

    /* Detached daemons become our children when their parent exits, so
     * that we can reap them. */
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    return 0;
}

static int
teardown_tmpdir(void **state)
{
    char *cmd = xasprintf("rm -rf %s", tmpdir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
}

static char *
tmp_path(const char *name)
{
    return xasprintf("%s/%s", tmpdir, name);
}

static bool
file_exists(const char *path)
{
    struct stat s;
    return !stat(path, &s);
}

/* Returns the process id in pidfile 'path', or 0. */
static pid_t
read_pidfile(const char *path)
{
    char *text = read_whole_file(path, NULL);
    if (!text) {
        return 0;
    }
    char *end;
    long pid = strtol(text, &end, 10);
    bool ok = *end == '\n' && !end[1];
    free(text);
    return ok ? pid : 0;
}

/* Waits for child 'pid' and returns its exit status, or 128 + the signal
 * that killed it. */
static int
wait_status(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        assert_int_equal(errno, EINTR);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status)
                             : 128 + WTERMSIG(status);
}

static long long
now_msec(void)
{
    return time_msec();
}

/* Parses 'argv' (NULL-terminated) with getopt_long() and the daemon and log
 * options, as a daemon's main() would.  Returns optind. */
static int
parse_options(char *argv[])
{
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        DAEMON_LONG_OPTIONS,
        LOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    int argc = 0;
    while (argv[argc]) {
        argc++;
    }

    optind = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "h" LOG_SHORT_OPTIONS, long_options,
                            NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        DAEMON_OPTION_HANDLERS
        LOG_OPTION_HANDLERS
        default:
            fail_msg("unexpected option %d", c);
        }
    }
    return optind;
}

/* Tests. */

static void
test_daemon_dirs_from_environment(void **state)
{
    static const struct {
        const char *kiln;       /* $KILN_*DIR, or NULL for unset. */
        const char *ovs;        /* $OVS_*DIR, or NULL for unset. */
        const char *rundir;     /* Expected daemon_rundir(). */
        const char *logdir;     /* Expected daemon_logdir(). */
    } cases[] = {
        { NULL, NULL, "/var/run/kiln", "/var/log/kiln" },
        { "/k", NULL, "/k", "/k" },
        { NULL, "/o", "/o", "/o" },
        { "/k", "/o", "/k", "/k" },
        { "", "/o", "/o", "/o" },
        { "", "", "/var/run/kiln", "/var/log/kiln" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        static const char *const kiln_vars[] = { "KILN_RUNDIR",
                                                 "KILN_LOGDIR" };
        static const char *const ovs_vars[] = { "OVS_RUNDIR", "OVS_LOGDIR" };
        for (int v = 0; v < 2; v++) {
            if (cases[i].kiln) {
                setenv(kiln_vars[v], cases[i].kiln, 1);
            } else {
                unsetenv(kiln_vars[v]);
            }
            if (cases[i].ovs) {
                setenv(ovs_vars[v], cases[i].ovs, 1);
            } else {
                unsetenv(ovs_vars[v]);
            }
        }
        assert_string_equal(daemon_rundir(), cases[i].rundir);
        assert_string_equal(daemon_logdir(), cases[i].logdir);
    }
    unsetenv("KILN_RUNDIR");
    unsetenv("KILN_LOGDIR");
    unsetenv("OVS_RUNDIR");
    unsetenv("OVS_LOGDIR");
}

/* In a forked child, where cmocka's assertions cannot be used: exits with
 * the line number if 'COND' is false. */
#define CHECK(COND)                                                     \
    do {                                                                \
        if (!(COND)) {                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,      \
                    __LINE__, #COND);                                   \
            _exit(__LINE__ % 200 + 50);                                 \
        }                                                               \
    } while (0)

#define CHECK_STREQ(A, B) CHECK(streq_nonnull(A, B))

static bool
streq_nonnull(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

/* Runs 'func' in a child process, so that the options it parses do not
 * stay set for the other tests, and checks that it succeeded. */
static void
run_in_child(void (*func)(void))
{
    pid_t pid = test_fork();
    assert_true(pid >= 0);
    if (!pid) {
        func();
        _exit(0);
    }
    assert_int_equal(wait_status(pid), 0);
}

static void
option_parsing(void)
{
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd));
    setenv("KILN_RUNDIR", "/run/k", 1);
    setenv("KILN_LOGDIR", "/log/k", 1);

    CHECK(!daemon_get_pidfile());
    CHECK(!daemon_get_log_file());
    CHECK(!daemon_get_detach());

    int next = parse_options((char *[]) {
        "kiln-test", "--pidfile", "--log-file", "-vconsole:off",
        "--no-chdir", "--monitor", "--overwrite-pidfile", "db.db", NULL });
    CHECK(next == 7);
    CHECK_STREQ(daemon_get_pidfile(), "/run/k/kiln-test.pid");
    CHECK_STREQ(daemon_get_log_file(), "/log/k/kiln-test.log");
    CHECK(!daemon_get_detach());
    CHECK(log_get_level(log_module_find("test_daemon"), LOG_DEST_CONSOLE)
          == LOG_LEVEL_OFF);

    /* A relative pidfile goes in RUNDIR, a relative log file in the working
     * directory. */
    parse_options((char *[]) { "kiln-test", "--pidfile=x.pid",
                               "--log-file=y.log", "--detach", NULL });
    CHECK_STREQ(daemon_get_pidfile(), "/run/k/x.pid");
    char *expected = xasprintf("%s/y.log", cwd);
    CHECK_STREQ(daemon_get_log_file(), expected);
    free(expected);
    CHECK(daemon_get_detach());

    parse_options((char *[]) { "kiln-test", "--pidfile=/abs/p.pid",
                               "--log-file=/abs/l.log", NULL });
    CHECK_STREQ(daemon_get_pidfile(), "/abs/p.pid");
    CHECK_STREQ(daemon_get_log_file(), "/abs/l.log");
}

static void
test_daemon_option_parsing(void **state)
{
    run_in_child(option_parsing);
}

static void
test_daemon_make_dirs(void **state)
{
    char *deep = tmp_path("a/b/c");
    assert_int_equal(daemon_make_dirs(deep), 0);
    assert_true(file_exists(deep));
    assert_int_equal(daemon_make_dirs(deep), 0);

    char *file = tmp_path("a/file");
    int fd = open(file, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(daemon_make_dirs(file), -ENOTDIR);
    char *under_file = tmp_path("a/file/sub");
    assert_int_equal(daemon_make_dirs(under_file), -ENOTDIR);

    free(deep);
    free(file);
    free(under_file);
}

/* A child that holds a pidfile.  It writes a byte to 'ready' once it has
 * the pidfile, then exits normally when 'go' reaches end of file. */
static pid_t
spawn_holder(const char *path, int *go_fd)
{
    int ready[2], go[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);

    pid_t pid = test_fork();
    assert_true(pid >= 0);
    if (!pid) {
        close(ready[0]);
        close(go[1]);
        if (daemon_pidfile_create(path, false, NULL)) {
            _exit(10);
        }
        if (write(ready[1], "", 1) != 1) {
            _exit(11);
        }
        char c;
        while (read(go[0], &c, 1) > 0) {
            continue;
        }
        exit(0);                /* Runs the atexit handler. */
    }

    close(ready[1]);
    close(go[0]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    *go_fd = go[1];
    return pid;
}

static void
test_daemon_pidfile_lock(void **state)
{
    char *path = tmp_path("lock.pid");
    pid_t holder;
    int go;

    /* A live holder blocks us, and its pid is reported. */
    pid_t pid = spawn_holder(path, &go);
    assert_int_equal(read_pidfile(path), pid);
    holder = 0;
    assert_int_equal(daemon_pidfile_create(path, false, &holder), -EBUSY);
    assert_int_equal(holder, pid);
    assert_int_equal(read_pidfile(path), pid);

    /* When it exits, it removes the file, and we can take it. */
    close(go);
    assert_int_equal(wait_status(pid), 0);
    assert_false(file_exists(path));
    assert_int_equal(daemon_pidfile_create(path, false, &holder), 0);
    assert_int_equal(read_pidfile(path), getpid());

    /* Reading the file through another descriptor keeps our lock (a classic
     * fcntl() lock would be lost here). */
    assert_int_equal(read_pidfile(path), getpid());
    pid_t child = test_fork();
    assert_true(child >= 0);
    if (!child) {
        _exit(daemon_pidfile_create(path, false, NULL) == -EBUSY ? 0 : 1);
    }
    assert_int_equal(wait_status(child), 0);

    daemon_pidfile_remove();
    assert_false(file_exists(path));
    free(path);
}

static void
test_daemon_pidfile_stale(void **state)
{
    char *path = tmp_path("stale.pid");

    /* A holder that dies without cleaning up leaves a stale file, which
     * blocks nobody. */
    pid_t pid = test_fork();
    assert_true(pid >= 0);
    if (!pid) {
        _exit(daemon_pidfile_create(path, false, NULL) ? 1 : 0);
    }
    assert_int_equal(wait_status(pid), 0);
    assert_true(file_exists(path));
    assert_int_equal(read_pidfile(path), pid);

    assert_int_equal(daemon_pidfile_create(path, false, NULL), 0);
    assert_int_equal(read_pidfile(path), getpid());
    daemon_pidfile_remove();
    assert_false(file_exists(path));
    free(path);
}

static void
test_daemon_pidfile_overwrite(void **state)
{
    char *path = tmp_path("over.pid");
    int go;

    pid_t pid = spawn_holder(path, &go);
    assert_int_equal(daemon_pidfile_create(path, true, NULL), 0);
    assert_int_equal(read_pidfile(path), getpid());

    /* The old holder's exit does not remove our new file. */
    close(go);
    assert_int_equal(wait_status(pid), 0);
    assert_int_equal(read_pidfile(path), getpid());

    daemon_pidfile_remove();
    assert_false(file_exists(path));
    free(path);
}

static void
test_daemon_pidfile_removed_on_sigterm(void **state)
{
    char *path = tmp_path("term.pid");
    int ready[2];
    assert_int_equal(pipe(ready), 0);

    pid_t pid = test_fork();
    assert_true(pid >= 0);
    if (!pid) {
        if (daemon_pidfile_create(path, false, NULL)) {
            _exit(1);
        }
        if (write(ready[1], "", 1) != 1) {
            _exit(2);
        }
        for (;;) {
            pause();
        }
    }
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    assert_true(file_exists(path));

    assert_int_equal(kill(pid, SIGTERM), 0);
    assert_int_equal(wait_status(pid), 128 + SIGTERM);
    assert_false(file_exists(path));
    free(path);
}

/* Redirects stderr to 'path'. */
static void
stderr_to(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
        _exit(100);
    }
    close(fd);
}

static void
test_daemon_start_refuses_locked_pidfile(void **state)
{
    char *path = tmp_path("busy.pid");
    char *err_path = tmp_path("busy.err");

    assert_int_equal(daemon_pidfile_create(path, false, NULL), 0);
    for (int detach = 0; detach <= 1; detach++) {
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (!pid) {
            stderr_to(err_path);
            char *pidfile_arg = xasprintf("--pidfile=%s", path);
            parse_options((char *[]) { "kiln-test", pidfile_arg,
                                       detach ? "--detach" : "--no-chdir",
                                       NULL });
            daemon_start();
            _exit(0);
        }
        assert_int_equal(wait_status(pid), EXIT_FAILURE);
        assert_int_equal(read_pidfile(path), getpid());

        char *text = read_whole_file(err_path, NULL);
        char *expected = xasprintf("already running as pid %ld",
                                   (long) getpid());
        if (!strstr(text, expected)) {
            fail_msg("stderr: %s", text);
        }
        free(expected);
        free(text);
    }
    daemon_pidfile_remove();
    free(path);
    free(err_path);
}

/* Runs a daemon with --detach and the options in 'extra' (or NULL), that
 * waits 'delay_msec' before daemon_ready() and then waits for SIGTERM.
 * Returns the exit status of the process started, and stores how long it
 * took to exit in '*elapsed'. */
static int
run_detached(char *extra, int delay_msec, long long *elapsed)
{
    long long start = now_msec();
    pid_t pid = test_fork();
    assert_true(pid >= 0);
    if (!pid) {
        char *run = tmp_path("run/sub");
        char *log = tmp_path("log");
        char *err_path = tmp_path("detach.err");
        setenv("KILN_RUNDIR", run, 1);
        setenv("KILN_LOGDIR", log, 1);
        stderr_to(err_path);
        parse_options((char *[]) { "kiln-test", "--pidfile", "--detach",
                                   "--log-file", "--monitor",
                                   extra ? extra : "--detach", NULL });
        daemon_start();

        /* The daemon. */
        LOG_INFO("started");
        struct timespec ts = { delay_msec / 1000,
                               (delay_msec % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        daemon_ready();
        daemon_ready();
        LOG_INFO("after ready");
        alarm(60);              /* Never outlive a failed test for long. */
        for (;;) {
            pause();
        }
    }

    int status = wait_status(pid);
    *elapsed = now_msec() - start;
    return status;
}

/* Returns the target of symbolic link 'path' (caller frees), or NULL. */
static char *
read_link(const char *path)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n < 0) {
        return NULL;
    }
    buf[n] = '\0';
    return xstrdup(buf);
}

/* Sends SIGTERM to daemon 'pid', reaps it, and checks that it removed its
 * pidfile 'path'. */
static void
stop_daemon(pid_t pid, const char *path)
{
    assert_int_equal(kill(pid, SIGTERM), 0);
    assert_int_equal(wait_status(pid), 128 + SIGTERM);
    assert_false(file_exists(path));
}

static void
test_daemon_detach(void **state)
{
    char *pidfile = tmp_path("run/sub/kiln-test.pid");
    char *logfile = tmp_path("log/kiln-test.log");
    long long elapsed;

    /* The parent exits only once the daemon is ready. */
    assert_int_equal(run_detached(NULL, 300, &elapsed), 0);
    assert_true(elapsed >= 300);

    /* The daemon runs, in its own session, with its pidfile, in "/", with
     * its standard streams on /dev/null and its log in the log file. */
    pid_t pid = read_pidfile(pidfile);
    assert_true(pid > 0);
    assert_int_not_equal(pid, getpid());
    assert_int_equal(kill(pid, 0), 0);
    assert_int_equal(getsid(pid), pid);

    char *proc = xasprintf("/proc/%ld/cwd", (long) pid);
    char *cwd = read_link(proc);
    assert_string_equal(cwd, "/");
    free(cwd);
    free(proc);
    for (int fd = 0; fd <= 2; fd++) {
        proc = xasprintf("/proc/%ld/fd/%d", (long) pid, fd);
        char *target = read_link(proc);
        assert_string_equal(target, "/dev/null");
        free(target);
        free(proc);
    }

    char *log = read_whole_file(logfile, NULL);
    assert_non_null(log);
    assert_non_null(strstr(log, "|log|INFO|opened log file "));
    assert_non_null(strstr(log, "|test_daemon|INFO|started\n"));
    free(log);

    /* The daemon logs "after ready" once the parent has exited. */
    bool found = false;
    for (int i = 0; i < 500 && !found; i++) {
        log = read_whole_file(logfile, NULL);
        found = strstr(log, "|test_daemon|INFO|after ready") != NULL;
        free(log);
        if (!found) {
            usleep(10000);
        }
    }
    assert_true(found);

    /* The --monitor note went to the terminal, before detaching. */
    char *err_path = tmp_path("detach.err");
    char *err = read_whole_file(err_path, NULL);
    assert_non_null(strstr(err, "--monitor"));
    assert_null(strstr(err, "after ready"));
    free(err);
    free(err_path);

    /* A second instance refuses to start while the first runs. */
    assert_int_equal(run_detached(NULL, 0, &elapsed), EXIT_FAILURE);
    assert_int_equal(read_pidfile(pidfile), pid);

    stop_daemon(pid, pidfile);

    /* --no-chdir keeps the working directory. */
    char here[PATH_MAX];
    assert_non_null(getcwd(here, sizeof here));
    assert_int_equal(run_detached("--no-chdir", 0, &elapsed), 0);
    pid = read_pidfile(pidfile);
    assert_true(pid > 0);
    proc = xasprintf("/proc/%ld/cwd", (long) pid);
    cwd = read_link(proc);
    assert_string_equal(cwd, here);
    free(cwd);
    free(proc);
    stop_daemon(pid, pidfile);

    free(pidfile);
    free(logfile);
}

static void
test_daemon_detach_failure_before_ready(void **state)
{
    /* The daemon exits with status 7 before it is ready: so does the
     * parent.  Killed by a signal: the parent exits with failure. */
    for (int how = 0; how < 2; how++) {
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (!pid) {
            char *err_path = tmp_path("fail.err");
            stderr_to(err_path);
            parse_options((char *[]) { "kiln-test", "--detach", NULL });
            daemon_start();
            if (how == 0) {
                _exit(7);
            }
            raise(SIGKILL);
            _exit(8);
        }
        assert_int_equal(wait_status(pid), how == 0 ? 7 : EXIT_FAILURE);
    }
}

static void
test_daemon_ready_without_detach(void **state)
{
    pid_t pid = test_fork();
    assert_true(pid >= 0);
    if (!pid) {
        char before[PATH_MAX], after[PATH_MAX];
        CHECK(getcwd(before, sizeof before));
        parse_options((char *[]) { "kiln-test", NULL });
        daemon_start();
        daemon_ready();
        CHECK(getcwd(after, sizeof after));
        CHECK_STREQ(before, after);
        CHECK(getsid(0) != getpid());
        CHECK(log_get_level(log_module_find("test_daemon"),
                            LOG_DEST_CONSOLE) == LOG_LEVEL_INFO);
        _exit(0);
    }
    assert_int_equal(wait_status(pid), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daemon_dirs_from_environment),
        cmocka_unit_test(test_daemon_option_parsing),
        cmocka_unit_test(test_daemon_make_dirs),
        cmocka_unit_test(test_daemon_pidfile_lock),
        cmocka_unit_test(test_daemon_pidfile_stale),
        cmocka_unit_test(test_daemon_pidfile_overwrite),
        cmocka_unit_test(test_daemon_pidfile_removed_on_sigterm),
        cmocka_unit_test(test_daemon_start_refuses_locked_pidfile),
        cmocka_unit_test(test_daemon_detach),
        cmocka_unit_test(test_daemon_detach_failure_before_ready),
        cmocka_unit_test(test_daemon_ready_without_detach),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
