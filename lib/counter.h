/* Always-on event counters, cheap enough for hot paths.
 *
 * A file defines each counter once at file scope and bumps it in code:
 *
 *     COUNTER_DEFINE(jsonrpc_partial_read);
 *     ...
 *     COUNTER_INC(jsonrpc_partial_read);
 *     COUNTER_ADD(jsonrpc_bytes_read, n);
 *
 * An increment adds to a thread-local variable (one instruction, no lock,
 * no shared cache line).  counter_flush() moves the calling thread's counts
 * into shared totals; the daemon loop calls counter_run() about once a
 * second, which flushes the main thread and every 5 s records a sample from
 * which "coverage/show" computes rates over the last 5 s, minute and hour.
 * Other threads (the datapath's) call counter_flush() from their own loops
 * and before they exit; counts not yet flushed show up in no total.
 *
 * Counter names are global: two files should not define the same one.
 * The thread-local variables use the "initial-exec" TLS model, which is
 * right for code linked into an executable (as kiln-lib is) and would not
 * do for a dlopen()ed module. */
#ifndef LIB_COUNTER_H
#define LIB_COUNTER_H 1

#include <stdatomic.h>
#include <stdint.h>

struct ds;

/* The samples kept for rates: one every COUNTER_SAMPLE_MSEC for the last
 * minute, and one a minute for the last hour. */
#define COUNTER_SAMPLE_MSEC 5000
#define COUNTER_N_SHORT 13      /* 12 intervals of 5 s = 1 minute. */
#define COUNTER_N_LONG 61       /* 60 intervals of 1 minute = 1 hour. */

/* One per COUNTER_DEFINE().  Only lib/counter.c touches the members. */
struct counter {
    const char *name;           /* As COUNTER_DEFINE wrote it. */
    uint64_t *(*local)(void);   /* The calling thread's unflushed count. */
    atomic_uint_least64_t total; /* Flushed counts of all threads. */
    struct counter *next;       /* Next counter in name order. */

    /* Values of 'total' at the sample times; see lib/counter.c. */
    uint64_t short_samples[COUNTER_N_SHORT]; /* Every 5 s. */
    uint64_t long_samples[COUNTER_N_LONG];   /* Every minute. */
};

/* Defines counter NAME (an identifier) at file scope; write a semicolon
 * after it.  It registers itself before main() runs. */
#define COUNTER_DEFINE(NAME)                                            \
    static _Thread_local uint64_t counter_local_##NAME                  \
        __attribute__((tls_model("initial-exec")));                     \
    static uint64_t *                                                   \
    counter_local_get_##NAME(void)                                      \
    {                                                                   \
        return &counter_local_##NAME;                                   \
    }                                                                   \
    static struct counter counter_##NAME;                               \
    static void counter_ctor_##NAME##_(void) __attribute__((constructor)); \
    static void                                                         \
    counter_ctor_##NAME##_(void)                                        \
    {                                                                   \
        counter_register(&counter_##NAME);                              \
    }                                                                   \
    static struct counter counter_##NAME = {                            \
        .name = #NAME, .local = counter_local_get_##NAME }

#define COUNTER_INC(NAME) ((void) counter_local_##NAME++)
#define COUNTER_ADD(NAME, N) ((void) (counter_local_##NAME += (N)))

/* Flushed total plus the calling thread's unflushed count of NAME. */
#define COUNTER_VALUE(NAME) counter_value(&counter_##NAME)

void counter_register(struct counter *);
uint64_t counter_value(struct counter *);

void counter_flush(void);
void counter_run(long long now_msec);
int counter_read(const char *name, uint64_t *value);
void counter_show(struct ds *);

/* appctl "coverage/show" (the name ovs-appctl users know) and
 * "counters/show". */
void counter_register_appctl_commands(void);

#endif /* lib/counter.h */
