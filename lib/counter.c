/* Event counters: the registry, flushing thread-local counts into totals,
 * the sample history behind the rates, and "coverage/show".
 *
 * Samples: counter_run() records every counter's total into the ring
 * 'short_samples' every COUNTER_SAMPLE_MSEC, and every 12th of those also
 * into the ring 'long_samples'.  A rate is the difference between the
 * newest short sample and an older sample, divided by the time between
 * them, so it is exact whatever the loop's jitter; until the history
 * covers a whole window, the rate covers the history there is.  The hourly
 * rate spans 60 to 61 minutes. */
#include "lib/counter.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/appctl.h"
#include "lib/ds.h"
#include "lib/util.h"

/* Registered counters, sorted by name.  Constructors add to it before
 * main() runs; afterwards it only is read, so counter_flush() reads it
 * without a lock. */
static struct counter *counters;

/* Guards the registry while it is built and the sample history. */
static pthread_mutex_t counter_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Sample times (monotonic ms), parallel to the counters' rings. */
static long long counter_short_times[COUNTER_N_SHORT];
static long long counter_long_times[COUNTER_N_LONG];
static unsigned long long counter_n_short; /* Short samples taken. */
static unsigned long long counter_n_long;  /* Long samples taken. */

/* Adds 'c' to the registry.  Called by COUNTER_DEFINE's constructor. */
void
counter_register(struct counter *c)
{
    pthread_mutex_lock(&counter_mutex);
    struct counter **p = &counters;
    while (*p && *p != c && strcmp((*p)->name, c->name) <= 0) {
        p = &(*p)->next;
    }
    if (*p != c) {
        c->next = *p;
        *p = c;
    }
    pthread_mutex_unlock(&counter_mutex);
}

/* Returns the flushed total of 'c' plus the calling thread's unflushed
 * count. */
uint64_t
counter_value(struct counter *c)
{
    return atomic_load_explicit(&c->total, memory_order_relaxed)
           + *c->local();
}

/* Moves the calling thread's counts into the shared totals.  Any thread
 * may call it; a thread that bumps counters calls it now and then and
 * before it exits. */
void
counter_flush(void)
{
    for (struct counter *c = counters; c; c = c->next) {
        uint64_t *local = c->local();
        if (*local) {
            atomic_fetch_add_explicit(&c->total, *local,
                                      memory_order_relaxed);
            *local = 0;
        }
    }
}

static void
counter_take_sample_locked(long long now_msec)
{
    size_t i = counter_n_short % COUNTER_N_SHORT;
    bool take_long = counter_n_short % (60000 / COUNTER_SAMPLE_MSEC) == 0;
    size_t j = counter_n_long % COUNTER_N_LONG;

    counter_short_times[i] = now_msec;
    if (take_long) {
        counter_long_times[j] = now_msec;
    }
    for (struct counter *c = counters; c; c = c->next) {
        uint64_t total = atomic_load_explicit(&c->total,
                                              memory_order_relaxed);
        c->short_samples[i] = total;
        if (take_long) {
            c->long_samples[j] = total;
        }
    }
    counter_n_short++;
    counter_n_long += take_long;
}

/* Called from the daemon's main loop about once a second with the
 * monotonic time 'now_msec' (time_msec()): flushes the calling thread's
 * counts and records a sample if COUNTER_SAMPLE_MSEC passed since the last
 * one. */
void
counter_run(long long now_msec)
{
    counter_flush();

    pthread_mutex_lock(&counter_mutex);
    if (!counter_n_short) {
        counter_take_sample_locked(now_msec);
    } else {
        size_t last = (counter_n_short - 1) % COUNTER_N_SHORT;
        if (now_msec - counter_short_times[last] >= COUNTER_SAMPLE_MSEC) {
            counter_take_sample_locked(now_msec);
        }
    }
    pthread_mutex_unlock(&counter_mutex);
}

/* Looks up the counter called 'name' and stores its value (as
 * counter_value()) in '*value'.  Returns 0 or -ENOENT. */
int
counter_read(const char *name, uint64_t *value)
{
    for (struct counter *c = counters; c; c = c->next) {
        if (!strcmp(c->name, name)) {
            *value = counter_value(c);
            return 0;
        }
    }
    return -ENOENT;
}

/* Returns the per-second rate between (value, time) pairs 'old' and 'new'. */
static double
counter_rate(uint64_t old_value, long long old_msec,
             uint64_t new_value, long long new_msec)
{
    if (new_msec <= old_msec || new_value < old_value) {
        return 0.0;
    }
    return (new_value - old_value) * 1000.0 / (new_msec - old_msec);
}

/* Computes the rates of 'c' over the last 5 s, minute and hour into
 * 'rates'. */
static void
counter_rates_locked(const struct counter *c, double rates[3])
{
    rates[0] = rates[1] = rates[2] = 0.0;
    if (!counter_n_short) {
        return;
    }

    unsigned long long newest = counter_n_short - 1;
    size_t n = newest % COUNTER_N_SHORT;
    uint64_t value = c->short_samples[n];
    long long when = counter_short_times[n];

    /* 5 s: the previous short sample.  1 min: up to 12 short samples
     * back. */
    static const unsigned long long backs[2] = { 1, COUNTER_N_SHORT - 1 };
    for (int r = 0; r < 2; r++) {
        size_t o = (newest - MIN(backs[r], newest)) % COUNTER_N_SHORT;
        rates[r] = counter_rate(c->short_samples[o], counter_short_times[o],
                                value, when);
    }

    /* 1 h: up to 60 long samples back. */
    unsigned long long newest_long = counter_n_long - 1;
    size_t o = (newest_long - MIN(COUNTER_N_LONG - 1, newest_long))
               % COUNTER_N_LONG;
    rates[2] = counter_rate(c->long_samples[o], counter_long_times[o],
                            value, when);
}

/* Appends to 'ds' a table of every counter that is not zero: its average
 * rate per second over the last 5 s, minute and hour (from the samples of
 * counter_run()) and its total.  Flushes the calling thread first. */
void
counter_show(struct ds *ds)
{
    size_t n_zero = 0;

    counter_flush();
    ds_put_cstr(ds, "Event counters, average rate per second over the last "
                "5 s, 1 min and 1 h:\n");

    pthread_mutex_lock(&counter_mutex);
    for (struct counter *c = counters; c; c = c->next) {
        uint64_t total = counter_value(c);
        if (!total) {
            n_zero++;
            continue;
        }

        double rates[3];
        counter_rates_locked(c, rates);
        ds_put_format(ds, "%-32s %9.1f/s %10.3f/s %11.4f/s   total: %"
                      PRIu64"\n", c->name, rates[0], rates[1], rates[2],
                      total);
    }
    pthread_mutex_unlock(&counter_mutex);
    ds_put_format(ds, "%zu counters are zero\n", n_zero);
}

/* appctl "coverage/show" and "counters/show". */
static void
counter_show_cb(struct appctl_conn *conn, int argc, const char *argv[],
                void *aux)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    counter_show(&s);
    appctl_reply(conn, ds_cstr(&s));
    ds_uninit(&s);
}

/* Registers "coverage/show", the name of ovs-appctl(8) users' habit, and
 * "counters/show", Kiln's own. */
void
counter_register_appctl_commands(void)
{
    appctl_command_register("coverage/show", "", 0, 0, counter_show_cb,
                            NULL);
    appctl_command_register("counters/show", "", 0, 0, counter_show_cb,
                            NULL);
}
