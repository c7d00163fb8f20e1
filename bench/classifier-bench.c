/* Classifier lookup rate: 10,000 rules in 20 subtables (masks over
 * in_port, reg0, dl_type, nw_src/nw_dst prefixes, nw_proto, tp_dst),
 * looked up with random packets of which about half hit a rule (nw_dst
 * in 10/8 or 11/8).  Prints
 * lookups per second with and without megaflow wildcards.
 *
 * Usage: classifier-bench [N_LOOKUPS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "switch/classifier.h"

#define N_RULES 10000
#define N_MASKS 20
#define N_FLOWS 4096

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng >> 16;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Mask number 'i': a distinct combination of fields and prefix lengths. */
static void
make_mask(int i, struct flow_wildcards *wc)
{
    static const unsigned int plens[] = { 8, 16, 24, 32 };
    memset(wc, 0, sizeof *wc);
    wc->masks.dl_type = htonbe16(0xffff);
    if (i & 1) {
        wc->masks.in_port = UINT32_MAX;
    }
    if (i & 2) {
        wc->masks.nw_proto = 0xff;
        wc->masks.tp_dst = htonbe16(0xffff);
    }
    wc->masks.nw_dst = htonbe32(~0u << (32 - plens[(i >> 2) % 4]));
    if (i >= 16) {
        wc->masks.nw_src = htonbe32(0xffffff00);
        wc->masks.regs[0] = UINT32_MAX;
    }
}

/* A random flow from the rules' value space: 10.x.y.z, small ports. */
static void
make_flow(struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1 + rnd() % 8;
    f->regs[0] = rnd() % 4;
    f->dl_type = htonbe16(0x0800);
    f->nw_src = htonbe32(0x0a000000 | (rnd() % 64) << 8 | (rnd() % 256));
    f->nw_dst = htonbe32((10 + rnd() % 4) << 24 | (rnd() % 64) << 16
                         | (rnd() % 64) << 8 | rnd() % 64);
    f->nw_proto = rnd() % 2 ? 6 : 17;
    f->tp_dst = htonbe16(rnd() % 64);
}

int
main(int argc, char *argv[])
{
    long n_lookups = argc > 1 ? atol(argv[1]) : 5000000;
    struct classifier cls;
    struct cls_rule *rules = xcalloc(N_RULES, sizeof *rules);
    struct flow *flows = xmalloc(N_FLOWS * sizeof *flows);

    classifier_init(&cls);
    double t0 = now();
    for (int i = 0; i < N_RULES; i++) {
        struct flow_wildcards mask;
        struct flow key;
        make_mask(i % N_MASKS, &mask);
        make_flow(&key);
        /* Rules cover 10/8 and 11/8; flows also 12/8 and 13/8. */
        key.nw_dst &= htonbe32(0x01ffffff);
        key.nw_dst |= htonbe32(0x0a000000);
        cls_rule_init(&rules[i], &key, &mask, rnd() % 1000);
        struct cls_rule *old = classifier_replace(&cls, &rules[i]);
        if (old) {
            cls_rule_uninit(old);
        }
    }
    double t_insert = now() - t0;

    for (int i = 0; i < N_FLOWS; i++) {
        make_flow(&flows[i]);
    }

    long hits = 0;
    t0 = now();
    for (long i = 0; i < n_lookups; i++) {
        hits += classifier_lookup(&cls, &flows[i % N_FLOWS], NULL) != NULL;
    }
    double t_plain = now() - t0;

    t0 = now();
    for (long i = 0; i < n_lookups; i++) {
        struct flow_wildcards wc;
        flow_wildcards_init_catchall(&wc);
        classifier_lookup(&cls, &flows[i % N_FLOWS], &wc);
    }
    double t_wc = now() - t0;

    printf("classifier: %zu rules in %d subtables, inserted in %.1f ms\n",
           classifier_count(&cls), N_MASKS, t_insert * 1e3);
    printf("lookups (no wc): %.0f/s (%.1f%% hit)\n", n_lookups / t_plain,
           100.0 * hits / n_lookups);
    printf("lookups (wc):    %.0f/s\n", n_lookups / t_wc);
    printf("(no ovs-vswitchd peer figure: Debian ships no classifier "
           "benchmark binary)\n");

    for (int i = 0; i < N_RULES; i++) {
        if (cls_rule_is_in_classifier(&rules[i])) {
            classifier_remove(&cls, &rules[i]);
        }
        cls_rule_uninit(&rules[i]);
    }
    classifier_uninit(&cls);
    free(rules);
    free(flows);
    return 0;
}
