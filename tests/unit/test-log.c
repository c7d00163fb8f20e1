/* Unit tests for lib/log.h: level parsing, line format, destinations, rate
 * limits, the -v option and the appctl command callbacks.
 *
 * The appctl functions are replaced by stubs below that record what was
 * registered and replied, so the callbacks run without a server; because
 * this file defines every appctl symbol lib/log.c uses, the linker does not
 * pull lib/appctl.c's object out of the library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/appctl.h"
#include "lib/ds.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(test_log);

/* appctl stubs. */

struct stub_command {
    const char *name;           /* Registered name (copied). */
    appctl_cb *cb;              /* Its callback. */
    int min_args, max_args;     /* Its argument bounds. */
};

static struct stub_command stub_commands[32];
static size_t stub_n_commands;
static char *stub_reply;        /* Body of the last reply, or NULL. */
static bool stub_reply_ok;      /* Whether the last reply was a success. */
static int stub_n_replies;      /* Replies since the last stub_call(). */

void
appctl_command_register(const char *name, const char *usage,
                        int min_args, int max_args, appctl_cb *cb, void *aux)
{
    assert_true(stub_n_commands < ARRAY_SIZE(stub_commands));
    struct stub_command *c = &stub_commands[stub_n_commands++];
    c->name = xstrdup(name);
    c->cb = cb;
    c->min_args = min_args;
    c->max_args = max_args;
}

static void
stub_record_reply(bool ok, const char *body)
{
    free(stub_reply);
    stub_reply = xstrdup(body ? body : "");
    stub_reply_ok = ok;
    stub_n_replies++;
}

void
appctl_reply(struct appctl_conn *conn, const char *body)
{
    stub_record_reply(true, body);
}

void
appctl_reply_error(struct appctl_conn *conn, const char *body)
{
    stub_record_reply(false, body);
}

static const struct stub_command *
stub_find(const char *name)
{
    for (size_t i = 0; i < stub_n_commands; i++) {
        if (!strcmp(stub_commands[i].name, name)) {
            return &stub_commands[i];
        }
    }
    return NULL;
}

/* Runs registered command argv[0] with the 'argc' strings in 'argv' as
 * appctl would (argv[0] is the command's name) and returns whether it
 * replied with success. */
static bool
stub_call(int argc, const char *argv[])
{
    const struct stub_command *c = stub_find(argv[0]);
    assert_non_null(c);
    assert_true(argc - 1 >= c->min_args && argc - 1 <= c->max_args);
    stub_n_replies = 0;
    c->cb((struct appctl_conn *) &stub_n_replies, argc, argv, NULL);
    assert_int_equal(stub_n_replies, 1);
    return stub_reply_ok;
}

/* Helpers. */

static char tmpdir[64];

static int
setup_tmpdir(void **state)
{
    strcpy(tmpdir, "/tmp/test-log-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int
teardown_tmpdir(void **state)
{
    char *cmd = xasprintf("rm -rf %s", tmpdir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    assert_int_equal(log_set_file(NULL), 0);
    return 0;
}

static char *
tmp_path(const char *name)
{
    return xasprintf("%s/%s", tmpdir, name);
}

/* Sets every level of every module to 'level'. */
static void
set_all(enum log_level level)
{
    log_set_level(NULL, LOG_DEST_ALL, level);
}

/* Returns the number of lines in 'path' that contain 'needle'. */
static int
count_lines_with(const char *path, const char *needle)
{
    char *text = read_whole_file(path, NULL);
    assert_non_null(text);
    int n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        n += strstr(line, needle) != NULL;
    }
    free(text);
    return n;
}

/* The regular expression of one log line from module 'module' at
 * 'level'. */
static void
compile_line_regex(regex_t *re, const char *module, const char *level)
{
    char *pattern = xasprintf("^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
                              "[0-9]{2}:[0-9]{2})\\.[0-9]{3}Z\\|"
                              "([0-9]{5,})\\|%s\\|%s\\|(.*)$",
                              module, level);
    assert_int_equal(regcomp(re, pattern, REG_EXTENDED), 0);
    free(pattern);
}

/* Tests. */

static void
test_log_format_line(void **state)
{
    static const struct {
        long long msec;         /* Wall time. */
        unsigned long long seq; /* Sequence number. */
        const char *module;     /* Module name. */
        enum log_level level;   /* Level. */
        const char *message;    /* Message. */
        const char *expected;   /* log_format_line() output. */
    } cases[] = {
        { 1795276800123LL, 42, "jsonrpc", LOG_LEVEL_INFO, "hello",
          "2026-11-21T16:00:00.123Z|00042|jsonrpc|INFO|hello" },
        { 0, 1, "m", LOG_LEVEL_EMER, "",
          "1970-01-01T00:00:00.000Z|00001|m|EMER|" },
        { 951868799999LL, 123456, "x", LOG_LEVEL_DBG, "a|b",
          "2000-02-29T23:59:59.999Z|123456|x|DBG|a|b" },
        { 1795276800007LL, 99999, "y", LOG_LEVEL_WARN, "w",
          "2026-11-21T16:00:00.007Z|99999|y|WARN|w" },
        { 1795276800120LL, 0, "z", LOG_LEVEL_ERR, "e",
          "2026-11-21T16:00:00.120Z|00000|z|ERR|e" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ds s = DS_EMPTY_INITIALIZER;
        log_format_line(&s, cases[i].msec, cases[i].seq, cases[i].module,
                        cases[i].level, cases[i].message);
        assert_string_equal(ds_cstr(&s), cases[i].expected);
        ds_uninit(&s);
    }
}

static void
test_log_level_and_dest_names(void **state)
{
    static const char *const names[] = {
        "OFF", "EMER", "ERR", "WARN", "INFO", "DBG",
    };
    for (int i = 0; i < LOG_N_LEVELS; i++) {
        assert_string_equal(log_level_to_string(i), names[i]);
        assert_int_equal(log_level_from_string(names[i]), i);
    }
    assert_int_equal(log_level_from_string("dbg"), LOG_LEVEL_DBG);
    assert_int_equal(log_level_from_string("Warn"), LOG_LEVEL_WARN);
    assert_int_equal(log_level_from_string("debug"), -1);
    assert_int_equal(log_level_from_string(""), -1);

    assert_int_equal(log_dest_from_string("console"), LOG_DEST_CONSOLE);
    assert_int_equal(log_dest_from_string("SYSLOG"), LOG_DEST_SYSLOG);
    assert_int_equal(log_dest_from_string("File"), LOG_DEST_FILE);
    assert_int_equal(log_dest_from_string("stderr"), -1);
    assert_string_equal(log_dest_to_string(LOG_DEST_FILE), "file");
}

static void
test_log_module_registry(void **state)
{
    assert_ptr_equal(log_module_find("test_log"), &log_this_module_);
    assert_ptr_equal(log_module_find("TEST_LOG"), &log_this_module_);
    assert_non_null(log_module_find("log"));
    assert_null(log_module_find("no_such_module"));

    /* A module registering late takes the levels last set for all. */
    log_set_level(NULL, LOG_DEST_ALL, LOG_LEVEL_WARN);
    log_set_level(NULL, LOG_DEST_FILE, LOG_LEVEL_DBG);
    static struct log_module late = { .name = "late_module" };
    log_module_register(&late);
    log_module_register(&late);
    assert_ptr_equal(log_module_find("late_module"), &late);
    assert_int_equal(log_get_level(&late, LOG_DEST_CONSOLE), LOG_LEVEL_WARN);
    assert_int_equal(log_get_level(&late, LOG_DEST_FILE), LOG_LEVEL_DBG);

    /* vlog/list shows it once, in name order. */
    struct ds s = DS_EMPTY_INITIALIZER;
    log_list(&s);
    const char *late_line = strstr(ds_cstr(&s), "\nlate_module ");
    const char *log_line = strstr(ds_cstr(&s), "\nlog ");
    const char *test_line = strstr(ds_cstr(&s), "\ntest_log ");
    assert_non_null(late_line);
    assert_non_null(log_line);
    assert_non_null(test_line);
    assert_true(late_line < log_line && log_line < test_line);
    assert_null(strstr(late_line + 1, "\nlate_module "));
    ds_uninit(&s);
}

static void
test_log_default_levels(void **state)
{
    /* Run in a child, so that no other test has changed the levels. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        struct log_module *m = log_module_find("test_log");
        _exit(!(m
                && log_get_level(m, LOG_DEST_CONSOLE) == LOG_LEVEL_INFO
                && log_get_level(m, LOG_DEST_SYSLOG) == LOG_LEVEL_OFF
                && log_get_level(m, LOG_DEST_FILE) == LOG_LEVEL_INFO
                && LOG_IS_ENABLED(LOG_LEVEL_INFO)
                && !LOG_IS_DBG_ENABLED()));
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_log_set_levels_from_string(void **state)
{
    enum { O = LOG_LEVEL_OFF, E = LOG_LEVEL_ERR, W = LOG_LEVEL_WARN,
           I = LOG_LEVEL_INFO, D = LOG_LEVEL_DBG };
    static const struct {
        const char *spec;       /* Input. */
        bool ok;                /* Whether it is valid. */
        int test_log[3];        /* Levels of module test_log afterward. */
        int log[3];             /* Levels of module log afterward. */
    } cases[] = {
        /* Everything starts at WARN. */
        { "dbg", true, { D, D, D }, { D, D, D } },
        { "", true, { D, D, D }, { D, D, D } },
        { "any", true, { D, D, D }, { D, D, D } },
        { "off", true, { O, O, O }, { O, O, O } },
        { "file:info", true, { W, W, I }, { W, W, I } },
        { "info:file", true, { W, W, I }, { W, W, I } },
        { "console", true, { D, W, W }, { D, W, W } },
        { "test_log:console:dbg", true, { D, W, W }, { W, W, W } },
        { "TEST_LOG:Console:DBG", true, { D, W, W }, { W, W, W } },
        { "test_log", true, { D, D, D }, { W, W, W } },
        { "test_log,syslog,err", true, { W, E, W }, { W, W, W } },
        { " syslog  err ", true, { W, E, W }, { W, E, W } },
        { "ANY:ANY:info", true, { I, I, I }, { I, I, I } },
        { "log:any:off", true, { W, W, W }, { O, O, O } },
        { "emer", true, { LOG_LEVEL_EMER, LOG_LEVEL_EMER, LOG_LEVEL_EMER },
          { LOG_LEVEL_EMER, LOG_LEVEL_EMER, LOG_LEVEL_EMER } },
        { "FACILITY:local0", true, { W, W, W }, { W, W, W } },

        /* Errors change nothing. */
        { "nosuch:dbg", false, { W, W, W }, { W, W, W } },
        { "console:file:dbg", false, { W, W, W }, { W, W, W } },
        { "dbg:info", false, { W, W, W }, { W, W, W } },
        { "test_log:log:dbg", false, { W, W, W }, { W, W, W } },
        { "debug", false, { W, W, W }, { W, W, W } },
        { "PATTERN:console:%m", false, { W, W, W }, { W, W, W } },
        { "FACILITY:bogus", false, { W, W, W }, { W, W, W } },
        { "FACILITY", false, { W, W, W }, { W, W, W } },
        { "FACILITY:daemon:user", false, { W, W, W }, { W, W, W } },
    };
    struct log_module *log_module = log_module_find("log");

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        set_all(LOG_LEVEL_WARN);
        char *error = log_set_levels_from_string(cases[i].spec);
        if (cases[i].ok) {
            assert_null(error);
        } else {
            assert_non_null(error);
            assert_true(strlen(error) > 0);
            free(error);
        }
        for (int d = 0; d < LOG_N_DESTS; d++) {
            if ((int) log_get_level(&log_this_module_, d)
                != cases[i].test_log[d]
                || (int) log_get_level(log_module, d) != cases[i].log[d]) {
                fail_msg("spec \"%s\": destination %s: test_log %s, log %s",
                         cases[i].spec, log_dest_to_string(d),
                         log_level_to_string(
                             log_get_level(&log_this_module_, d)),
                         log_level_to_string(log_get_level(log_module, d)));
            }
        }
    }

    /* The error names the bad word. */
    char *error = log_set_levels_from_string("console:frobnicate");
    assert_non_null(strstr(error, "frobnicate"));
    free(error);
}

static void
test_log_limit_level_only_lowers(void **state)
{
    assert_int_equal(log_set_file(NULL), 0);
    set_all(LOG_LEVEL_OFF);
    struct log_module *other = log_module_find("log");
    assert_non_null(other);

    log_set_level(&log_this_module_, LOG_DEST_CONSOLE, LOG_LEVEL_DBG);
    log_set_level(other, LOG_DEST_CONSOLE, LOG_LEVEL_ERR);
    log_limit_level(LOG_DEST_CONSOLE, LOG_LEVEL_WARN);

    /* DBG came down to WARN; ERR, already quieter, stayed. */
    assert_true(LOG_IS_ENABLED(LOG_LEVEL_WARN));
    assert_false(LOG_IS_ENABLED(LOG_LEVEL_INFO));
    assert_int_equal(other->levels[LOG_DEST_CONSOLE], LOG_LEVEL_ERR);
    set_all(LOG_LEVEL_OFF);
}

static void
test_log_is_enabled(void **state)
{
    assert_int_equal(log_set_file(NULL), 0);
    set_all(LOG_LEVEL_OFF);
    assert_false(LOG_IS_ENABLED(LOG_LEVEL_EMER));

    log_set_level(&log_this_module_, LOG_DEST_CONSOLE, LOG_LEVEL_INFO);
    assert_true(LOG_IS_ENABLED(LOG_LEVEL_ERR));
    assert_true(LOG_IS_ENABLED(LOG_LEVEL_INFO));
    assert_false(LOG_IS_DBG_ENABLED());

    /* A file level counts only while a file is open. */
    log_set_level(&log_this_module_, LOG_DEST_FILE, LOG_LEVEL_DBG);
    assert_false(LOG_IS_DBG_ENABLED());
    char *path = tmp_path("enabled.log");
    assert_int_equal(log_set_file(path), 0);
    assert_true(LOG_IS_DBG_ENABLED());
    log_close_file();
    assert_false(LOG_IS_DBG_ENABLED());
    assert_int_equal(log_reopen(), 0);
    assert_true(LOG_IS_DBG_ENABLED());
    assert_int_equal(log_set_file(NULL), 0);
    assert_false(LOG_IS_DBG_ENABLED());
    free(path);

    /* Disabled levels do not evaluate their arguments. */
    int evaluated = 0;
    LOG_DBG("%d", ++evaluated);
    assert_int_equal(evaluated, 0);
    set_all(LOG_LEVEL_OFF);
}

static void
test_log_file_output(void **state)
{
    char *path = tmp_path("out.log");
    regex_t re;

    set_all(LOG_LEVEL_OFF);
    log_set_level(&log_this_module_, LOG_DEST_FILE, LOG_LEVEL_INFO);
    assert_int_equal(log_set_file(path), 0);
    assert_string_equal(log_get_file(), path);

    time_t before = time(NULL);
    LOG_INFO("hello %d", 42);
    LOG_DBG("not shown");
    LOG_WARN("warning %s", "text");
    LOG_ERR("error");
    LOG_EMER("emergency");

    char *text = read_whole_file(path, NULL);
    assert_non_null(text);
    char *lines[8];
    int n = 0;
    for (char *line = strtok(text, "\n"); line && n < 8;
         line = strtok(NULL, "\n")) {
        lines[n++] = line;
    }
    assert_int_equal(n, 4);

    static const char *const levels[] = { "INFO", "WARN", "ERR", "EMER" };
    static const char *const messages[] = {
        "hello 42", "warning text", "error", "emergency",
    };
    unsigned long long prev_seq = 0;
    for (int i = 0; i < n; i++) {
        regmatch_t m[4];
        compile_line_regex(&re, "test_log", levels[i]);
        if (regexec(&re, lines[i], 4, m, 0)) {
            fail_msg("line \"%s\" does not match", lines[i]);
        }
        regfree(&re);

        assert_string_equal(lines[i] + m[3].rm_so, messages[i]);
        unsigned long long seq = strtoull(lines[i] + m[2].rm_so, NULL, 10);
        if (i) {
            assert_int_equal(seq, prev_seq + 1);
        }
        prev_seq = seq;

        struct tm tm;
        memset(&tm, 0, sizeof tm);
        assert_non_null(strptime(lines[i], "%Y-%m-%dT%H:%M:%S", &tm));
        time_t t = timegm(&tm);
        assert_true(t >= before - 1 && t <= time(NULL) + 1);
    }
    free(text);

    /* Raising the bar drops INFO. */
    log_set_level(&log_this_module_, LOG_DEST_FILE, LOG_LEVEL_WARN);
    LOG_INFO("quiet");
    LOG_WARN("loud");
    assert_int_equal(count_lines_with(path, "quiet"), 0);
    assert_int_equal(count_lines_with(path, "|WARN|loud"), 1);

    assert_int_equal(log_set_file(NULL), 0);
    assert_null(log_get_file());
    LOG_WARN("after close");
    assert_int_equal(count_lines_with(path, "after close"), 0);
    free(path);
}

static void
test_log_reopen_after_rotation(void **state)
{
    char *path = tmp_path("rotate.log");
    char *rotated = tmp_path("rotate.log.1");

    set_all(LOG_LEVEL_OFF);
    log_set_level(&log_this_module_, LOG_DEST_FILE, LOG_LEVEL_INFO);
    assert_int_equal(log_set_file(path), 0);
    LOG_INFO("before rotation");
    assert_int_equal(rename(path, rotated), 0);
    LOG_INFO("still old file");
    assert_int_equal(log_reopen(), 0);
    LOG_INFO("after rotation");

    assert_int_equal(count_lines_with(rotated, "before rotation"), 1);
    assert_int_equal(count_lines_with(rotated, "still old file"), 1);
    assert_int_equal(count_lines_with(rotated, "after rotation"), 0);
    assert_int_equal(count_lines_with(path, "after rotation"), 1);
    assert_int_equal(count_lines_with(path, "before rotation"), 0);

    /* Closing stops file logging but keeps the name for reopening. */
    log_close_file();
    assert_string_equal(log_get_file(), path);
    LOG_INFO("while closed");
    assert_int_equal(log_reopen(), 0);
    LOG_INFO("reopened");
    assert_int_equal(count_lines_with(path, "while closed"), 0);
    assert_int_equal(count_lines_with(path, "reopened"), 1);

    /* A file that cannot be opened leaves the old one in use. */
    char *bad = tmp_path("no/such/dir/x.log");
    assert_int_equal(log_set_file(bad), -ENOENT);
    assert_string_equal(log_get_file(), path);
    LOG_INFO("kept");
    assert_int_equal(count_lines_with(path, "kept"), 1);

    assert_int_equal(log_set_file(NULL), 0);
    assert_int_equal(log_reopen(), 0);
    free(bad);
    free(path);
    free(rotated);
}

/* Runs 'func' with stderr going to a file and returns what it wrote. */
static char *
capture_stderr(void (*func)(void))
{
    char *path = tmp_path("stderr.txt");
    int saved = dup(STDERR_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    close(fd);

    func();

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char *text = read_whole_file(path, NULL);
    assert_non_null(text);
    free(path);
    return text;
}

static void
log_to_console(void)
{
    LOG_WARN("to the console");
    LOG_INFO("filtered");
}

static void
test_log_console_output(void **state)
{
    regex_t re;

    set_all(LOG_LEVEL_OFF);
    log_set_level(&log_this_module_, LOG_DEST_CONSOLE, LOG_LEVEL_WARN);
    char *text = capture_stderr(log_to_console);
    compile_line_regex(&re, "test_log", "WARN");
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    assert_string_equal(nl + 1, "");
    *nl = '\0';
    assert_int_equal(regexec(&re, text, 0, NULL, 0), 0);
    assert_non_null(strstr(text, "|to the console"));
    regfree(&re);
    free(text);

    log_set_level(&log_this_module_, LOG_DEST_CONSOLE, LOG_LEVEL_OFF);
    text = capture_stderr(log_to_console);
    assert_string_equal(text, "");
    free(text);
}

static void
test_log_rate_limit_check(void **state)
{
    /* 6 a minute (one per 10 s), bursts of 3. */
    struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(6, 3);
    static const struct {
        long long now;          /* Time of the message (ms). */
        bool pass;              /* Expected result. */
        unsigned int n_dropped; /* Expected count afterward. */
    } steps[] = {
        { 1000, true, 0 }, { 1000, true, 0 }, { 1000, true, 0 },
        { 1000, false, 1 }, { 5000, false, 2 }, { 10999, false, 3 },
        { 11000, true, 3 },     /* One token after 10 s. */
        { 11001, false, 4 },
        { 31000, true, 4 }, { 31000, true, 4 }, /* Two more after 20 s. */
        { 31000, false, 5 },
        { 3631000, true, 5 }, { 3631000, true, 5 }, { 3631000, true, 5 },
        { 3631000, false, 6 }, /* An hour refills only the burst. */
        { 3630000, false, 7 }, /* Time going backward adds nothing. */
    };

    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        bool pass = log_rate_limit_check(&rl, steps[i].now);
        if (pass != steps[i].pass || rl.n_dropped != steps[i].n_dropped) {
            fail_msg("step %zu: pass %d, n_dropped %u", i, pass,
                     rl.n_dropped);
        }
    }
    assert_int_equal(rl.first_dropped, 1000);
    assert_int_equal(rl.last_dropped, 3630000);

    /* No refill at all: only the burst ever passes. */
    struct log_rate_limit once = LOG_RATE_LIMIT_INIT(0, 2);
    assert_true(log_rate_limit_check(&once, 0));
    assert_true(log_rate_limit_check(&once, 0));
    assert_false(log_rate_limit_check(&once, 100000000));

    /* A burst of 0 acts as 1. */
    struct log_rate_limit zero = LOG_RATE_LIMIT_INIT(60, 0);
    assert_true(log_rate_limit_check(&zero, 0));
    assert_false(log_rate_limit_check(&zero, 10));
    assert_true(log_rate_limit_check(&zero, 1010));
}

static void
test_log_rate_limited_output(void **state)
{
    static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(60, 2);
    char *path = tmp_path("rl.log");

    set_all(LOG_LEVEL_OFF);
    assert_int_equal(log_set_file(path), 0);

    /* Messages below the level take no tokens. */
    log_set_level(&log_this_module_, LOG_DEST_FILE, LOG_LEVEL_ERR);
    for (int i = 0; i < 10; i++) {
        LOG_WARN_RL(&rl, "hidden %d", i);
    }
    assert_false(rl.started);

    log_set_level(&log_this_module_, LOG_DEST_FILE, LOG_LEVEL_INFO);
    for (int i = 0; i < 10; i++) {
        LOG_WARN_RL(&rl, "burst %d", i);
    }
    assert_int_equal(count_lines_with(path, "|WARN|burst "), 2);
    assert_int_equal(count_lines_with(path, "dropped"), 0);
    assert_int_equal(rl.n_dropped, 8);

    /* Pretend 3 s passed: the next message passes, after a summary. */
    rl.last_fill -= 3000;
    rl.first_dropped -= 3000;
    rl.last_dropped -= 3000;
    LOG_WARN_RL(&rl, "resumed");
    assert_int_equal(rl.n_dropped, 0);
    assert_int_equal(count_lines_with(path, "|test_log|WARN|8 messages "
                                      "dropped by rate limit in the last 3 "
                                      "seconds"), 1);

    char *text = read_whole_file(path, NULL);
    char *summary = strstr(text, "8 messages dropped");
    char *resumed = strstr(text, "|resumed");
    assert_true(summary && resumed && summary < resumed);
    free(text);

    /* The other levels' macros rate-limit too. */
    static struct log_rate_limit rl2 = LOG_RATE_LIMIT_INIT(1, 1);
    LOG_ERR_RL(&rl2, "err-rl");
    LOG_INFO_RL(&rl2, "info-rl");
    LOG_DBG_RL(&rl2, "dbg-rl");
    assert_int_equal(count_lines_with(path, "|ERR|err-rl"), 1);
    assert_int_equal(count_lines_with(path, "info-rl"), 0);
    assert_int_equal(rl2.n_dropped, 1);     /* DBG is below the level. */

    assert_int_equal(log_set_file(NULL), 0);
    free(path);
}

static void *
log_thread_main(void *arg)
{
    for (int i = 0; i < 500; i++) {
        LOG_INFO("thread %d message %d", (int) (intptr_t) arg, i);
    }
    return NULL;
}

static void
test_log_threads_do_not_interleave(void **state)
{
    enum { N_THREADS = 4 };
    pthread_t threads[N_THREADS];
    char *path = tmp_path("threads.log");
    regex_t re;

    set_all(LOG_LEVEL_OFF);
    log_set_level(&log_this_module_, LOG_DEST_FILE, LOG_LEVEL_INFO);
    assert_int_equal(log_set_file(path), 0);
    for (int i = 0; i < N_THREADS; i++) {
        pthread_create(&threads[i], NULL, log_thread_main,
                       (void *) (intptr_t) i);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    assert_int_equal(log_set_file(NULL), 0);

    char *text = read_whole_file(path, NULL);
    compile_line_regex(&re, "test_log", "INFO");
    int n = 0;
    unsigned long long prev = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        regmatch_t m[4];
        assert_int_equal(regexec(&re, line, 4, m, 0), 0);
        unsigned long long seq = strtoull(line + m[2].rm_so, NULL, 10);
        if (n) {
            assert_int_equal(seq, prev + 1);
        }
        prev = seq;
        n++;
    }
    assert_int_equal(n, N_THREADS * 500);
    regfree(&re);
    free(text);
    free(path);
}

static void
test_log_appctl_commands(void **state)
{
    static const char *const names[] = {
        "vlog/set", "vlog/list", "vlog/reopen", "vlog/close",
        "vlog/list-pattern", "log/set", "log/list", "log/reopen",
        "log/close",
    };

    log_register_appctl_commands();
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!stub_find(names[i])) {
            fail_msg("%s not registered", names[i]);
        }
    }

    /* vlog/set with specs. */
    set_all(LOG_LEVEL_WARN);
    assert_true(stub_call(2, (const char *[]) { "vlog/set",
                                                "test_log:file:dbg" }));
    assert_int_equal(log_get_level(&log_this_module_, LOG_DEST_FILE),
                     LOG_LEVEL_DBG);
    assert_true(stub_call(3, (const char *[]) { "log/set", "console:err",
                                                "syslog:info" }));
    assert_int_equal(log_get_level(&log_this_module_, LOG_DEST_CONSOLE),
                     LOG_LEVEL_ERR);
    assert_int_equal(log_get_level(&log_this_module_, LOG_DEST_SYSLOG),
                     LOG_LEVEL_INFO);

    /* A bad spec applies none of them. */
    set_all(LOG_LEVEL_WARN);
    assert_false(stub_call(3, (const char *[]) { "vlog/set", "file:off",
                                                 "bogus" }));
    assert_non_null(strstr(stub_reply, "bogus"));
    assert_int_equal(log_get_level(&log_this_module_, LOG_DEST_FILE),
                     LOG_LEVEL_WARN);

    /* No spec: everything to DBG. */
    assert_true(stub_call(1, (const char *[]) { "vlog/set" }));
    for (int d = 0; d < LOG_N_DESTS; d++) {
        assert_int_equal(log_get_level(&log_this_module_, d), LOG_LEVEL_DBG);
    }

    /* vlog/list. */
    log_set_level(&log_this_module_, LOG_DEST_SYSLOG, LOG_LEVEL_OFF);
    assert_true(stub_call(1, (const char *[]) { "vlog/list" }));
    assert_non_null(strstr(stub_reply, "console"));
    const char *line = strstr(stub_reply, "\ntest_log ");
    assert_non_null(line);
    regex_t re;
    assert_int_equal(regcomp(&re, "^test_log +DBG +OFF +DBG$",
                             REG_EXTENDED | REG_NEWLINE), 0);
    assert_int_equal(regexec(&re, line + 1, 0, NULL, 0), 0);
    regfree(&re);
    assert_true(stub_call(1, (const char *[]) { "log/list" }));

    assert_true(stub_call(1, (const char *[]) { "vlog/list-pattern" }));
    assert_non_null(strstr(stub_reply, "|%05N|%c|%p|%m"));

    /* vlog/reopen and vlog/close. */
    assert_int_equal(log_set_file(NULL), 0);
    assert_false(stub_call(1, (const char *[]) { "vlog/reopen" }));
    assert_non_null(strstr(stub_reply, "not configured"));

    char *path = tmp_path("appctl.log");
    set_all(LOG_LEVEL_OFF);
    log_set_level(&log_this_module_, LOG_DEST_FILE, LOG_LEVEL_INFO);
    assert_int_equal(log_set_file(path), 0);
    assert_true(stub_call(1, (const char *[]) { "vlog/close" }));
    LOG_INFO("while closed");
    assert_true(stub_call(1, (const char *[]) { "log/reopen" }));
    LOG_INFO("after reopen");
    assert_int_equal(count_lines_with(path, "while closed"), 0);
    assert_int_equal(count_lines_with(path, "after reopen"), 1);

    /* Reopen fails if the directory went away. */
    assert_int_equal(unlink(path), 0);
    char *dir = tmp_path("gone");
    char *inner = tmp_path("gone/x.log");
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(log_set_file(inner), 0);
    assert_int_equal(unlink(inner), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_false(stub_call(1, (const char *[]) { "vlog/reopen" }));
    assert_non_null(strstr(stub_reply, "reopen failed"));
    assert_int_equal(log_set_file(NULL), 0);
    free(dir);
    free(inner);
    free(path);
}

/* Parses 'argv' with getopt_long() and the log options, as a daemon
 * would. */
static void
parse_options(int argc, char *argv[])
{
    static const struct option long_options[] = {
        LOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };

    optind = 0;
    for (;;) {
        int c = getopt_long(argc, argv, LOG_SHORT_OPTIONS, long_options,
                            NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        LOG_OPTION_HANDLERS
        default:
            fail_msg("unexpected option %d", c);
        }
    }
}

static void
test_log_verbose_option(void **state)
{
    set_all(LOG_LEVEL_WARN);
    parse_options(3, (char *[]) { "prog", "--verbose=test_log:file:err",
                                  "-vconsole:off", NULL });
    assert_int_equal(log_get_level(&log_this_module_, LOG_DEST_FILE),
                     LOG_LEVEL_ERR);
    assert_int_equal(log_get_level(&log_this_module_, LOG_DEST_CONSOLE),
                     LOG_LEVEL_OFF);
    assert_int_equal(log_get_level(&log_this_module_, LOG_DEST_SYSLOG),
                     LOG_LEVEL_WARN);

    parse_options(2, (char *[]) { "prog", "-v", NULL });
    for (int d = 0; d < LOG_N_DESTS; d++) {
        assert_int_equal(log_get_level(&log_this_module_, d), LOG_LEVEL_DBG);
    }

    set_all(LOG_LEVEL_WARN);
    parse_options(2, (char *[]) { "prog", "--verbose", NULL });
    assert_int_equal(log_get_level(&log_this_module_, LOG_DEST_FILE),
                     LOG_LEVEL_DBG);

    /* A bad spec exits with status 1. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        int null_fd = open("/dev/null", O_WRONLY);
        dup2(null_fd, STDERR_FILENO);
        parse_options(2, (char *[]) { "prog", "--verbose=loud", NULL });
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), EXIT_FAILURE);
}

static void
test_log_fatal(void **state)
{
    char *path = tmp_path("fatal.log");
    char *err_path = tmp_path("fatal.err");

    for (int console = 0; console <= 1; console++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (!pid) {
            int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(fd, STDERR_FILENO);
            set_all(LOG_LEVEL_OFF);
            log_set_level(&log_this_module_, LOG_DEST_FILE, LOG_LEVEL_ERR);
            if (console) {
                log_set_level(&log_this_module_, LOG_DEST_CONSOLE,
                              LOG_LEVEL_EMER);
            }
            if (log_set_file(path)) {
                _exit(99);
            }
            LOG_FATAL("fatal %d", console);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), EXIT_FAILURE);

        char *expected = xasprintf("|test_log|EMER|fatal %d", console);
        assert_int_equal(count_lines_with(path, expected), 1);
        /* On stderr as a log line if the console takes EMER, else as
         * "program: message". */
        assert_int_equal(count_lines_with(err_path, expected), console);
        free(expected);
        expected = xasprintf(": fatal %d", console);
        assert_int_equal(count_lines_with(err_path, expected), !console);
        free(expected);
    }
    free(path);
    free(err_path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_default_levels),
        cmocka_unit_test(test_log_format_line),
        cmocka_unit_test(test_log_level_and_dest_names),
        cmocka_unit_test(test_log_module_registry),
        cmocka_unit_test(test_log_set_levels_from_string),
        cmocka_unit_test(test_log_is_enabled),
        cmocka_unit_test(test_log_limit_level_only_lowers),
        cmocka_unit_test(test_log_file_output),
        cmocka_unit_test(test_log_reopen_after_rotation),
        cmocka_unit_test(test_log_console_output),
        cmocka_unit_test(test_log_rate_limit_check),
        cmocka_unit_test(test_log_rate_limited_output),
        cmocka_unit_test(test_log_threads_do_not_interleave),
        cmocka_unit_test(test_log_appctl_commands),
        cmocka_unit_test(test_log_verbose_option),
        cmocka_unit_test(test_log_fatal),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
