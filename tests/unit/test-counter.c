/* Unit tests for lib/counter.h: increments, per-thread flushing, the rates
 * of "coverage/show" from counter_run()'s samples, and the appctl
 * callbacks.  The appctl functions are stubs (see test-log.c for why that
 * keeps lib/appctl.c out of the link). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/appctl.h"
#include "lib/counter.h"
#include "lib/ds.h"
#include "lib/util.h"

COUNTER_DEFINE(test_basic);
COUNTER_DEFINE(test_threads);
COUNTER_DEFINE(test_rate);
COUNTER_DEFINE(test_zero);

/* appctl stubs. */

static const char *stub_names[8];   /* Registered names. */
static appctl_cb *stub_cbs[8];      /* Their callbacks. */
static size_t stub_n;
static char *stub_reply;            /* Last successful reply. */

void
appctl_command_register(const char *name, const char *usage,
                        int min_args, int max_args, appctl_cb *cb, void *aux)
{
    assert_true(stub_n < ARRAY_SIZE(stub_names));
    stub_names[stub_n] = xstrdup(name);
    stub_cbs[stub_n++] = cb;
}

void
appctl_reply(struct appctl_conn *conn, const char *body)
{
    free(stub_reply);
    stub_reply = xstrdup(body ? body : "");
}

void
appctl_reply_error(struct appctl_conn *conn, const char *body)
{
    fail_msg("unexpected error reply: %s", body);
}

/* Finds the line for counter 'name' in counter_show()'s output 'text' and
 * parses it.  Returns false if there is none. */
static bool
parse_show_line(const char *text, const char *name, double rates[3],
                uint64_t *total)
{
    char *needle = xasprintf("\n%s ", name);
    const char *line = strstr(text, needle);
    free(needle);
    if (!line) {
        return false;
    }

    char parsed[64];
    int n = sscanf(line + 1, "%63s %lf/s %lf/s %lf/s total: %"SCNu64,
                   parsed, &rates[0], &rates[1], &rates[2], total);
    assert_int_equal(n, 5);
    assert_string_equal(parsed, name);
    return true;
}

/* Checks the rates and total that counter_show() gives 'name'. */
static void
assert_show(const char *name, double r5s, double r1m, double r1h,
            uint64_t total)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    double rates[3];
    uint64_t shown_total;

    counter_show(&s);
    if (!parse_show_line(ds_cstr(&s), name, rates, &shown_total)) {
        fail_msg("%s missing from:\n%s", name, ds_cstr(&s));
    }
    const double expected[3] = { r5s, r1m, r1h };
    for (int i = 0; i < 3; i++) {
        /* The columns show 1, 3 and 4 decimals. */
        static const double tolerance[3] = { 0.051, 0.00051, 0.000051 };
        if (fabs(rates[i] - expected[i]) > tolerance[i]) {
            fail_msg("%s: rate %d is %f, expected %f\n%s", name, i,
                     rates[i], expected[i], ds_cstr(&s));
        }
    }
    assert_int_equal(shown_total, total);
    ds_uninit(&s);
}

static void
test_counter_inc_add(void **state)
{
    uint64_t value;

    assert_int_equal(COUNTER_VALUE(test_basic), 0);
    COUNTER_INC(test_basic);
    COUNTER_INC(test_basic);
    COUNTER_ADD(test_basic, 40);
    assert_int_equal(COUNTER_VALUE(test_basic), 42);
    assert_int_equal(counter_read("test_basic", &value), 0);
    assert_int_equal(value, 42);

    /* Flushing moves the count without changing the value. */
    counter_flush();
    assert_int_equal(COUNTER_VALUE(test_basic), 42);
    COUNTER_ADD(test_basic, 8);
    assert_int_equal(COUNTER_VALUE(test_basic), 50);
    counter_flush();
    counter_flush();
    assert_int_equal(COUNTER_VALUE(test_basic), 50);

    assert_int_equal(counter_read("no_such_counter", &value), -ENOENT);
}

enum { N_THREADS = 4, N_INCREMENTS = 200000 };

static void *
counter_thread_main(void *flush_)
{
    bool flush = (intptr_t) flush_;
    for (int i = 0; i < N_INCREMENTS; i++) {
        COUNTER_INC(test_threads);
        if (flush && i % 1000 == 0) {
            counter_flush();
        }
    }
    /* Thread-local: the main thread's count is untouched. */
    if (COUNTER_VALUE(test_threads) < N_INCREMENTS) {
        return (void *) 1;
    }
    if (flush) {
        counter_flush();
    }
    return NULL;
}

static void
test_counter_threads(void **state)
{
    pthread_t threads[N_THREADS];
    void *result;

    counter_flush();
    uint64_t before = COUNTER_VALUE(test_threads);

    for (int i = 0; i < N_THREADS; i++) {
        pthread_create(&threads[i], NULL, counter_thread_main,
                       (void *) (intptr_t) true);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(threads[i], &result);
        assert_null(result);
    }
    assert_int_equal(COUNTER_VALUE(test_threads),
                     before + (uint64_t) N_THREADS * N_INCREMENTS);

    /* A thread that never flushes contributes nothing to the totals. */
    pthread_create(&threads[0], NULL, counter_thread_main,
                   (void *) (intptr_t) false);
    pthread_join(threads[0], &result);
    assert_null(result);
    assert_int_equal(COUNTER_VALUE(test_threads),
                     before + (uint64_t) N_THREADS * N_INCREMENTS);
}

/* Runs counter_run() for the 5-s interval ending at 'base' + 5000 * 'k',
 * with a call in the middle that must not take a sample, after adding
 * 'add' to test_rate. */
static void
run_interval(long long base, int k, int add)
{
    COUNTER_ADD(test_rate, add);
    counter_run(base + 5000LL * k - 2500);
    counter_run(base + 5000LL * k);
}

static void
test_counter_rates(void **state)
{
    const long long base = 1000000;

    /* The first sample. */
    counter_run(base);
    COUNTER_ADD(test_rate, 50);
    counter_run(base + 1000);   /* Too soon for a sample. */
    assert_show("test_rate", 0, 0, 0, 50);

    /* After 5 s, every window covers the 5 s there are. */
    counter_run(base + 5000);
    assert_show("test_rate", 10.0, 10.0, 10.0, 50);

    /* Up to one minute: 10 per interval. */
    for (int k = 2; k <= 12; k++) {
        run_interval(base, k, 10);
    }
    assert_show("test_rate", 2.0, 160.0 / 60, 160.0 / 60, 160);

    /* Up to 61 minutes: 1 per interval, then 6 in each of the last 11 but
     * one, then 11 in the last. */
    for (int k = 13; k <= 720; k++) {
        run_interval(base, k, 1);
    }
    for (int k = 721; k <= 731; k++) {
        run_interval(base, k, 6);
    }
    run_interval(base, 732, 11);

    /* 5 s: the last interval.  1 min: the last 12.  1 h: since the long
     * sample of minute 1, 60 minutes before that of minute 61. */
    assert_show("test_rate", 11.0 / 5, 77.0 / 60, (945.0 - 160) / 3600, 945);

    /* Counts not yet sampled show in the total, not in the rates. */
    COUNTER_ADD(test_rate, 5);
    assert_show("test_rate", 11.0 / 5, 77.0 / 60, (945.0 - 160) / 3600, 950);
}

static void
test_counter_show_skips_zero(void **state)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    double rates[3];
    uint64_t total;

    COUNTER_INC(test_basic);
    counter_show(&s);
    const char *text = ds_cstr(&s);
    assert_true(parse_show_line(text, "test_basic", rates, &total));
    assert_false(parse_show_line(text, "test_zero", rates, &total));

    /* Lines come in name order. */
    assert_true(strstr(text, "\ntest_basic ") < strstr(text, "\ntest_rate "));
    assert_true(strstr(text, "\ntest_rate ")
                < strstr(text, "\ntest_threads "));

    const char *zero = strstr(text, " counters are zero\n");
    assert_non_null(zero);
    while (zero > text && zero[-1] != '\n') {
        zero--;
    }
    assert_true(atoi(zero) >= 1);
    ds_uninit(&s);
}

static void
test_counter_appctl(void **state)
{
    counter_register_appctl_commands();
    assert_int_equal(stub_n, 2);

    struct ds expected = DS_EMPTY_INITIALIZER;
    counter_show(&expected);
    for (size_t i = 0; i < stub_n; i++) {
        assert_true(!strcmp(stub_names[i], "coverage/show")
                    || !strcmp(stub_names[i], "counters/show"));
        const char *argv[] = { stub_names[i], NULL };
        stub_cbs[i]((struct appctl_conn *) &stub_n, 1, argv, NULL);
        assert_non_null(stub_reply);
        assert_string_equal(stub_reply, ds_cstr(&expected));
    }
    assert_string_not_equal(stub_names[0], stub_names[1]);
    ds_uninit(&expected);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_inc_add),
        cmocka_unit_test(test_counter_threads),
        cmocka_unit_test(test_counter_rates),
        cmocka_unit_test(test_counter_show_skips_zero),
        cmocka_unit_test(test_counter_appctl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
