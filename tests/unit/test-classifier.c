/* Unit tests for switch/classifier.h: random rule sets against a linear
 * reference, the megaflow property of the reported wildcards, staged and
 * prefix narrowing, conjunctive matches, replace/remove and iteration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "switch/classifier.h"

/* A caller's rule, embedding the classifier's. */
struct test_rule {
    struct cls_rule cr;         /* Classifier rule. */
    int serial;                 /* For messages. */
};

/* Deterministic pseudo-random numbers (xorshift64*). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static uint32_t
rnd_below(uint32_t n)
{
    return rnd() % n;
}

static struct test_rule *
rule_create(const struct flow *key, const struct flow_wildcards *mask,
            int priority)
{
    static int serial;
    struct test_rule *r = xzalloc(sizeof *r);
    cls_rule_init(&r->cr, key, mask, priority);
    r->cr.owner = r;
    r->serial = serial++;
    return r;
}

static void
rule_destroy(struct test_rule *r)
{
    if (r) {
        cls_rule_uninit(&r->cr);
        free(r);
    }
}

/* The rule set kept beside the classifier, for the reference. */
struct rule_set {
    struct test_rule **rules;   /* The rules in the classifier. */
    size_t n;                   /* Number of rules. */
    size_t allocated;           /* Capacity. */
};

/* Inserts 'r' into 'cls' and 'set', dropping the rule it replaces. */
static void
set_insert(struct classifier *cls, struct rule_set *set, struct test_rule *r)
{
    struct cls_rule *old = classifier_replace(cls, &r->cr);
    if (old) {
        size_t i;
        for (i = 0; i < set->n; i++) {
            if (&set->rules[i]->cr == old) {
                break;
            }
        }
        assert_true(i < set->n);
        assert_true(cls_rule_equal(old, &r->cr));
        assert_false(cls_rule_is_in_classifier(old));
        rule_destroy(set->rules[i]);
        set->rules[i] = r;
    } else {
        if (set->n >= set->allocated) {
            set->rules = x2nrealloc(set->rules, &set->allocated,
                                    sizeof *set->rules);
        }
        set->rules[set->n++] = r;
    }
    assert_int_equal(classifier_count(cls), set->n);
}

static void
set_remove_at(struct classifier *cls, struct rule_set *set, size_t i)
{
    classifier_remove(cls, &set->rules[i]->cr);
    rule_destroy(set->rules[i]);
    set->rules[i] = set->rules[--set->n];
    assert_int_equal(classifier_count(cls), set->n);
}

static void
set_clear(struct classifier *cls, struct rule_set *set)
{
    while (set->n) {
        set_remove_at(cls, set, set->n - 1);
    }
    assert_true(classifier_is_empty(cls));
    free(set->rules);
    memset(set, 0, sizeof *set);
}

/* Reference lookup: the best ordinary rule matching 'flow' (the priority,
 * or INT_MIN). */
static int
ref_hard(const struct rule_set *set, const struct flow *flow)
{
    int best = INT_MIN;
    for (size_t i = 0; i < set->n; i++) {
        const struct cls_rule *r = &set->rules[i]->cr;
        if (!r->n_conjs && r->priority > best
            && cls_rule_matches_flow(r, flow)) {
            best = r->priority;
        }
    }
    return best;
}

/* Whether every clause of conjunction ('id', 'n') has a rule of
 * 'priority' matching 'flow'. */
static bool
ref_conj_complete(const struct rule_set *set, const struct flow *flow,
                  int priority, uint32_t id, int n)
{
    uint64_t seen = 0;
    for (size_t i = 0; i < set->n; i++) {
        const struct cls_rule *r = &set->rules[i]->cr;
        if (r->priority != priority || !cls_rule_matches_flow(r, flow)) {
            continue;
        }
        for (size_t c = 0; c < r->n_conjs; c++) {
            if (r->conjs[c].id == id && r->conjs[c].n_clauses == n) {
                seen |= UINT64_C(1) << (r->conjs[c].clause - 1);
            }
        }
    }
    return seen == (UINT64_C(1) << n) - 1;
}

/* Reference for classifier_lookup(), written from ovs-fields(7): returns
 * the result's priority (INT_MIN for none) and in '*conj_id' the conj_id
 * of the search that found it. */
static int
ref_lookup(const struct rule_set *set, const struct flow *flow,
           uint32_t *conj_id)
{
    int hard = ref_hard(set, flow);
    int prio = INT_MAX;

    *conj_id = flow->conj_id;
    for (;;) {
        /* Next lower priority with a matching clause rule above 'hard'. */
        int next = INT_MIN;
        for (size_t i = 0; i < set->n; i++) {
            const struct cls_rule *r = &set->rules[i]->cr;
            if (r->n_conjs && r->priority < prio && r->priority > hard
                && r->priority > next && cls_rule_matches_flow(r, flow)) {
                next = r->priority;
            }
        }
        if (next == INT_MIN) {
            return hard;
        }
        prio = next;

        /* Try complete conjunctions by ascending (id, n). */
        uint64_t last = 0;          /* (id << 8 | n) + 1 of the last try. */
        for (;;) {
            uint64_t best = UINT64_MAX;
            for (size_t i = 0; i < set->n; i++) {
                const struct cls_rule *r = &set->rules[i]->cr;
                if (r->priority != prio || !cls_rule_matches_flow(r, flow)) {
                    continue;
                }
                for (size_t c = 0; c < r->n_conjs; c++) {
                    uint64_t cand = ((uint64_t) r->conjs[c].id << 8
                                     | r->conjs[c].n_clauses);
                    if (cand + 1 > last && cand < best
                        && ref_conj_complete(set, flow, prio,
                                             r->conjs[c].id,
                                             r->conjs[c].n_clauses)) {
                        best = cand;
                    }
                }
            }
            if (best == UINT64_MAX) {
                break;
            }
            last = best + 1;
            struct flow f2 = *flow;
            f2.conj_id = best >> 8;
            int p = ref_hard(set, &f2);
            if (p != INT_MIN) {
                *conj_id = f2.conj_id;
                return p;
            }
        }
    }
}

/* Checks classifier_lookup(cls, flow) against the reference. */
static const struct cls_rule *
check_lookup(const struct classifier *cls, const struct rule_set *set,
             const struct flow *flow, struct flow_wildcards *wc)
{
    uint32_t conj_id;
    int prio = ref_lookup(set, flow, &conj_id);
    const struct cls_rule *r = classifier_lookup(cls, flow, wc);

    if (prio == INT_MIN) {
        assert_null(r);
    } else {
        struct flow f2 = *flow;
        f2.conj_id = conj_id;
        assert_non_null(r);
        assert_int_equal(r->priority, prio);
        assert_int_equal(r->n_conjs, 0);
        assert_true(cls_rule_matches_flow(r, &f2));
    }
    return r;
}

/* Random flows and matches over a few fields of each stage. */

static const uint32_t ip4_pool[] = {
    0x0a000000, 0x0a010200, 0x0a800000, 0xc0a80100,
};

static void
rnd_ip6(struct in6_addr *a)
{
    memset(a, 0, sizeof *a);
    a->s6_addr[0] = 0x20;
    a->s6_addr[1] = 0x01;
    a->s6_addr[3] = rnd_below(3);
    a->s6_addr[8] = rnd_below(2) ? 0x80 : 0;
    a->s6_addr[15] = rnd_below(4);
}

/* A random packet, with values that rules generated below often match. */
static void
rnd_flow(struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1 + rnd_below(4);
    f->regs[0] = rnd_below(2) ? 0x12 : (uint32_t) rnd();
    f->metadata = rnd_below(3);
    f->dl_type = htonbe16(rnd_below(2) ? 0x0800 : 0x86dd);
    f->dl_dst.ea[5] = rnd_below(3);
    f->nw_src = htonbe32(ip4_pool[rnd_below(4)] | rnd_below(4) << rnd_below(
                             24));
    f->nw_dst = htonbe32(ip4_pool[rnd_below(4)] | rnd_below(4) << rnd_below(
                             24));
    rnd_ip6(&f->ipv6_src);
    rnd_ip6(&f->ipv6_dst);
    f->nw_proto = rnd_below(2) ? 6 : 17;
    f->tp_src = htonbe16(rnd_below(4));
    f->tp_dst = htonbe16(rnd_below(2) ? 80 : 0x100 * rnd_below(4)
                         + rnd_below(2));
}

static void
set_prefix(void *field, unsigned int n_bytes, unsigned int plen)
{
    uint8_t *p = field;
    memset(p, 0, n_bytes);
    memset(p, 0xff, plen / 8);
    if (plen % 8) {
        p[plen / 8] = 0xff << (8 - plen % 8);
    }
}

/* A random mask over the fields rnd_flow() varies. */
static void
rnd_mask(struct flow_wildcards *wc)
{
    struct flow *m = &wc->masks;
    static const unsigned int plens4[] = { 8, 16, 24, 30, 32 };
    static const unsigned int plens6[] = { 16, 32, 64, 120, 128 };

    memset(wc, 0, sizeof *wc);
    if (rnd_below(3) == 0) {
        m->in_port = UINT32_MAX;
    }
    if (rnd_below(4) == 0) {
        static const uint32_t masks[] = { 0xff, 0xffff0000, UINT32_MAX };
        m->regs[0] = masks[rnd_below(3)];
    }
    if (rnd_below(5) == 0) {
        m->metadata = UINT64_MAX;
    }
    if (rnd_below(2)) {
        m->dl_type = htonbe16(0xffff);
    }
    if (rnd_below(4) == 0) {
        memset(&m->dl_dst, 0xff, sizeof m->dl_dst);
    }
    if (rnd_below(2)) {
        set_prefix(&m->nw_src, 4, plens4[rnd_below(5)]);
    }
    if (rnd_below(2)) {
        set_prefix(&m->nw_dst, 4, plens4[rnd_below(5)]);
    }
    if (rnd_below(4) == 0) {
        set_prefix(&m->ipv6_src, 16, plens6[rnd_below(5)]);
    }
    if (rnd_below(3) == 0) {
        set_prefix(&m->ipv6_dst, 16, plens6[rnd_below(5)]);
    }
    if (rnd_below(6) == 0) {
        /* A non-CIDR address mask, which tries must leave alone. */
        m->nw_dst = htonbe32(0xff00ff00);
    }
    if (rnd_below(3) == 0) {
        m->nw_proto = 0xff;
    }
    if (rnd_below(3) == 0) {
        m->tp_dst = htonbe16(rnd_below(2) ? 0xffff : 0xff00);
    }
    if (rnd_below(6) == 0) {
        m->tp_src = htonbe16(0xffff);
    }
}

/* Adds about 'n' random rules (from 'n_masks' masks) to 'cls' and 'set';
 * 'conj' also adds clause rules and conj_id rules. */
static void
add_random_rules(struct classifier *cls, struct rule_set *set, int n,
                 int n_masks, bool conj)
{
    struct flow_wildcards masks[32];

    ASSERT(n_masks <= 32);
    for (int i = 0; i < n_masks; i++) {
        rnd_mask(&masks[i]);
    }
    for (int i = 0; i < n; i++) {
        struct flow key;
        struct flow_wildcards mask = masks[rnd_below(n_masks)];
        rnd_flow(&key);
        int kind = conj ? rnd_below(6) : 5;
        if (kind == 0) {
            /* A conj_id rule. */
            mask.masks.conj_id = UINT32_MAX;
            key.conj_id = rnd_below(4);
        }
        struct test_rule *r = rule_create(&key, &mask, rnd_below(12));
        if (kind == 1 || kind == 2) {
            /* A clause rule with one or two conjunctions. */
            struct cls_conjunction cj[2];
            size_t n_cj = 1 + rnd_below(2);
            for (size_t c = 0; c < n_cj; c++) {
                cj[c].id = 1 + rnd_below(3);
                cj[c].n_clauses = rnd_below(8) ? 2 : 3;
                cj[c].clause = 1 + rnd_below(cj[c].n_clauses);
            }
            cls_rule_set_conjunctions(&r->cr, cj, n_cj);
            assert_true(cls_rule_is_conjunctive(&r->cr));
        }
        set_insert(cls, set, r);
    }
}

/* Checks the megaflow property: flows that agree with 'flow' on 'wc' get
 * 'result' too. */
static void
check_wc(const struct classifier *cls, const struct flow *flow,
         const struct flow_wildcards *wc, const struct cls_rule *result)
{
    const uint64_t *m = flow_u64(&wc->masks);
    const uint64_t *f = flow_u64(flow);

    for (int k = 0; k < 6; k++) {
        struct flow other;
        uint64_t *o = flow_u64_rw(&other);
        if (k % 2) {
            rnd_flow(&other);
        } else {
            for (size_t i = 0; i < FLOW_U64S; i++) {
                o[i] = rnd() & rnd();
            }
            other.conj_id = 0;
        }
        for (size_t i = 0; i < FLOW_U64S; i++) {
            o[i] = (f[i] & m[i]) | (o[i] & ~m[i]);
        }
        const struct cls_rule *r = classifier_lookup(cls, &other, NULL);
        if (r != result) {
            fail_msg("flow agreeing on wc got rule %p, expected %p",
                     (void *) r, (void *) result);
        }
    }
}

static void
check_random_lookups(const struct classifier *cls, const struct rule_set *set,
                     int n)
{
    for (int i = 0; i < n; i++) {
        struct flow flow;
        struct flow_wildcards wc;
        rnd_flow(&flow);
        flow_wildcards_init_catchall(&wc);
        const struct cls_rule *r = check_lookup(cls, set, &flow, &wc);
        assert_ptr_equal(classifier_lookup(cls, &flow, NULL), r);
        check_wc(cls, &flow, &wc, r);
    }
}

static void
run_random(int prefix_mode, bool conj)
{
    static const enum cls_prefix_field all[] = {
        CLS_PREFIX_NW_SRC, CLS_PREFIX_NW_DST, CLS_PREFIX_IPV6_SRC,
        CLS_PREFIX_IPV6_DST,
    };

    for (int round = 0; round < 6; round++) {
        struct classifier cls;
        struct rule_set set = { 0 };

        classifier_init(&cls);
        if (prefix_mode == 1) {
            assert_int_equal(classifier_set_prefix_fields(&cls, all, 4), 0);
        } else if (prefix_mode == 2) {
            assert_int_equal(classifier_set_prefix_fields(&cls, NULL, 0), 0);
        }
        add_random_rules(&cls, &set, 150 + round * 40, 4 + round * 3, conj);
        check_random_lookups(&cls, &set, 1500);

        /* Remove a random half, then add more. */
        for (size_t n = set.n / 2; n > 0; n--) {
            set_remove_at(&cls, &set, rnd_below(set.n));
        }
        check_random_lookups(&cls, &set, 800);
        if (prefix_mode == 1 && round % 2) {
            /* Reindex under a different prefix set with rules present. */
            assert_int_equal(classifier_set_prefix_fields(&cls, all + 2, 2),
                             0);
        }
        add_random_rules(&cls, &set, 100, 6, conj);
        check_random_lookups(&cls, &set, 800);

        set_clear(&cls, &set);
        classifier_uninit(&cls);
    }
}

static void
test_classifier_random_plain(void **state)
{
    run_random(0, false);
}

static void
test_classifier_random_all_prefixes(void **state)
{
    run_random(1, false);
}

static void
test_classifier_random_no_prefixes(void **state)
{
    run_random(2, false);
}

static void
test_classifier_random_conjunctions(void **state)
{
    run_random(0, true);
    run_random(1, true);
}

/* Helpers for hand-written rules. */

static void
ip_rule_key(struct flow *key, struct flow_wildcards *mask)
{
    memset(key, 0, sizeof *key);
    flow_wildcards_init_catchall(mask);
    key->dl_type = htonbe16(0x0800);
    mask->masks.dl_type = htonbe16(0xffff);
}

static struct test_rule *
nw_rule(uint32_t src, unsigned int src_plen, uint32_t dst,
        unsigned int dst_plen, int priority)
{
    struct flow key;
    struct flow_wildcards mask;
    ip_rule_key(&key, &mask);
    key.nw_src = htonbe32(src);
    set_prefix(&mask.masks.nw_src, 4, src_plen);
    key.nw_dst = htonbe32(dst);
    set_prefix(&mask.masks.nw_dst, 4, dst_plen);
    return rule_create(&key, &mask, priority);
}

static void
ip_flow(struct flow *f, uint32_t src, uint32_t dst)
{
    memset(f, 0, sizeof *f);
    f->dl_type = htonbe16(0x0800);
    f->nw_src = htonbe32(src);
    f->nw_dst = htonbe32(dst);
}

/* A miss in the metadata stage reports metadata bits only. */
static void
test_classifier_staged_wc(void **state)
{
    struct classifier cls;
    struct rule_set set = { 0 };
    struct flow key, flow;
    struct flow_wildcards mask, wc;

    classifier_init(&cls);
    ip_rule_key(&key, &mask);
    key.in_port = 1;
    mask.masks.in_port = UINT32_MAX;
    key.nw_dst = htonbe32(0x0a000001);
    mask.masks.nw_dst = htonbe32(UINT32_MAX);
    key.tp_dst = htonbe16(80);
    mask.masks.tp_dst = htonbe16(0xffff);
    set_insert(&cls, &set, rule_create(&key, &mask, 10));

    flow = key;
    flow.in_port = 2;
    flow_wildcards_init_catchall(&wc);
    assert_null(check_lookup(&cls, &set, &flow, &wc));
    assert_int_equal(wc.masks.in_port, UINT32_MAX);
    assert_int_equal(wc.masks.dl_type, 0);
    assert_int_equal(wc.masks.nw_dst, 0);
    assert_int_equal(wc.masks.tp_dst, 0);

    /* An L3 miss found by the nw_dst trie reports only the 31 leading
     * bits of nw_dst that the trie walk read. */
    flow.in_port = 1;
    flow.nw_dst = htonbe32(0x0a000002);
    flow_wildcards_init_catchall(&wc);
    assert_null(check_lookup(&cls, &set, &flow, &wc));
    check_wc(&cls, &flow, &wc, NULL);
    assert_int_equal(wc.masks.in_port, 0);
    assert_int_equal(wc.masks.nw_dst, htonbe32(0xfffffffe));
    assert_int_equal(wc.masks.tp_dst, 0);

    /* Without tries, an L3 miss reports metadata, L2 and L3, not L4. */
    assert_int_equal(classifier_set_prefix_fields(&cls, NULL, 0), 0);
    flow_wildcards_init_catchall(&wc);
    assert_null(check_lookup(&cls, &set, &flow, &wc));
    check_wc(&cls, &flow, &wc, NULL);
    assert_int_equal(wc.masks.in_port, UINT32_MAX);
    assert_int_equal(wc.masks.dl_type, htonbe16(0xffff));
    assert_int_equal(wc.masks.nw_dst, htonbe32(UINT32_MAX));
    assert_int_equal(wc.masks.tp_dst, 0);

    /* A hit reports the whole mask. */
    flow.nw_dst = key.nw_dst;
    flow_wildcards_init_catchall(&wc);
    assert_non_null(check_lookup(&cls, &set, &flow, &wc));
    assert_int_equal(wc.masks.tp_dst, htonbe16(0xffff));

    set_clear(&cls, &set);
    classifier_uninit(&cls);
}

/* The length of the CIDR prefix 'm' (32 - trailing zeros). */
static unsigned int
plen32(be32 m)
{
    uint32_t h = be32_to_host(m);
    return h ? 32 - __builtin_ctz(h) : 0;
}

/* Prefix tracking: a packet under 10/8 but far from 10.1.2.3/32 reports
 * only a short prefix of nw_dst, unless prefix tracking is off. */
static void
test_classifier_prefix_wc(void **state)
{
    for (int tracking = 0; tracking < 2; tracking++) {
        struct classifier cls;
        struct rule_set set = { 0 };
        struct flow flow;
        struct flow_wildcards wc;

        classifier_init(&cls);
        if (!tracking) {
            assert_int_equal(classifier_set_prefix_fields(&cls, NULL, 0), 0);
        }
        set_insert(&cls, &set, nw_rule(0, 0, 0x0a000000, 8, 10));
        set_insert(&cls, &set, nw_rule(0, 0, 0x0a010203, 32, 20));
        set_insert(&cls, &set, nw_rule(0xc0a80000, 16, 0x0a010200, 24, 30));

        ip_flow(&flow, 0x01020304, 0x0a020304);
        flow_wildcards_init_catchall(&wc);
        const struct cls_rule *r = check_lookup(&cls, &set, &flow, &wc);
        assert_non_null(r);
        assert_int_equal(r->priority, 10);
        check_wc(&cls, &flow, &wc, r);
        if (tracking) {
            /* 10.2.x.x leaves the trie at bit 14: 15 bits suffice. */
            assert_int_equal(plen32(wc.masks.nw_dst), 15);
            assert_true(plen32(wc.masks.nw_src) <= 2);
        } else {
            assert_int_equal(plen32(wc.masks.nw_dst), 32);
            assert_int_equal(plen32(wc.masks.nw_src), 16);
        }

        set_clear(&cls, &set);
        classifier_uninit(&cls);
    }
}

/* IPv6 prefix tracking. */
static void
test_classifier_prefix_ipv6(void **state)
{
    static const enum cls_prefix_field f[] = { CLS_PREFIX_IPV6_DST };
    struct classifier cls;
    struct rule_set set = { 0 };
    struct flow key, flow;
    struct flow_wildcards mask, wc;

    classifier_init(&cls);
    assert_int_equal(classifier_set_prefix_fields(&cls, f, 1), 0);
    memset(&key, 0, sizeof key);
    flow_wildcards_init_catchall(&mask);
    key.ipv6_dst.s6_addr[0] = 0x20;
    key.ipv6_dst.s6_addr[1] = 0x01;
    set_prefix(&mask.masks.ipv6_dst, 16, 16);
    set_insert(&cls, &set, rule_create(&key, &mask, 1));
    key.ipv6_dst.s6_addr[15] = 1;
    set_prefix(&mask.masks.ipv6_dst, 16, 128);
    set_insert(&cls, &set, rule_create(&key, &mask, 2));

    memset(&flow, 0, sizeof flow);
    flow.ipv6_dst.s6_addr[0] = 0x20;
    flow.ipv6_dst.s6_addr[1] = 0x01;
    flow.ipv6_dst.s6_addr[2] = 0x80;
    flow_wildcards_init_catchall(&wc);
    const struct cls_rule *r = check_lookup(&cls, &set, &flow, &wc);
    assert_int_equal(r->priority, 1);
    check_wc(&cls, &flow, &wc, r);
    /* Bit 16 differs from the /128 rule: 17 bits suffice. */
    assert_int_equal(wc.masks.ipv6_dst.s6_addr[2], 0x80);
    assert_int_equal(wc.masks.ipv6_dst.s6_addr[3], 0);

    set_clear(&cls, &set);
    classifier_uninit(&cls);
}

static struct test_rule *
clause_rule(bool src, uint32_t ip, uint32_t id, int k, int n, int priority)
{
    struct test_rule *r = src ? nw_rule(ip, 32, 0, 0, priority)
                              : nw_rule(0, 0, ip, 32, priority);
    struct cls_conjunction cj = { .id = id, .clause = k, .n_clauses = n };
    cls_rule_set_conjunctions(&r->cr, &cj, 1);
    return r;
}

/* The example of ovs-fields(7) "Conjunctive Match Fields", and how
 * conjunctive flows interact with ordinary ones. */
static void
test_classifier_conjunction(void **state)
{
    static const uint32_t srcs[] = { 0x0a000001, 0x0a000004, 0x0a000006,
                                     0x0a000007 };
    static const uint32_t dsts[] = { 0x0a000002, 0x0a000005, 0x0a000007,
                                     0x0a000008 };
    struct classifier cls;
    struct rule_set set = { 0 };
    struct flow key, flow;
    struct flow_wildcards mask, wc;

    classifier_init(&cls);
    memset(&key, 0, sizeof key);
    flow_wildcards_init_catchall(&mask);
    key.conj_id = 1234;
    mask.masks.conj_id = UINT32_MAX;
    struct test_rule *c = rule_create(&key, &mask, 100);
    set_insert(&cls, &set, c);
    for (int i = 0; i < 4; i++) {
        set_insert(&cls, &set, clause_rule(true, srcs[i], 1234, 1, 2, 100));
        set_insert(&cls, &set, clause_rule(false, dsts[i], 1234, 2, 2, 100));
    }

    /* Both dimensions: the conj_id flow. */
    ip_flow(&flow, 0x0a000004, 0x0a000005);
    flow_wildcards_init_catchall(&wc);
    assert_ptr_equal(check_lookup(&cls, &set, &flow, &wc), &c->cr);
    check_wc(&cls, &flow, &wc, &c->cr);
    /* One dimension only: nothing. */
    ip_flow(&flow, 0x0a000004, 0x0a000009);
    assert_null(check_lookup(&cls, &set, &flow, NULL));

    /* A lower-priority ordinary flow applies when the conjunction does
     * not match, not when it does. */
    struct test_rule *low = nw_rule(0, 0, 0, 0, 50);
    set_insert(&cls, &set, low);
    assert_ptr_equal(check_lookup(&cls, &set, &flow, NULL), &low->cr);
    ip_flow(&flow, 0x0a000007, 0x0a000007);
    assert_ptr_equal(check_lookup(&cls, &set, &flow, NULL), &c->cr);

    /* A higher-priority ordinary flow wins over the conjunction. */
    struct test_rule *high = nw_rule(0x0a000007, 32, 0, 0, 200);
    set_insert(&cls, &set, high);
    flow_wildcards_init_catchall(&wc);
    assert_ptr_equal(check_lookup(&cls, &set, &flow, &wc), &high->cr);
    check_wc(&cls, &flow, &wc, &high->cr);

    /* Without the conj_id flow the search fails and the table acts as if
     * the conjunction had not matched. */
    ip_flow(&flow, 0x0a000001, 0x0a000002);
    for (size_t i = 0; i < set.n; i++) {
        if (set.rules[i] == c) {
            set_remove_at(&cls, &set, i);
            break;
        }
    }
    flow_wildcards_init_catchall(&wc);
    assert_ptr_equal(check_lookup(&cls, &set, &flow, &wc), &low->cr);
    check_wc(&cls, &flow, &wc, &low->cr);

    set_clear(&cls, &set);
    classifier_uninit(&cls);
}

/* Same match, different priorities; same match and priority replaces. */
static void
test_classifier_replace_remove(void **state)
{
    struct classifier cls;
    struct flow flow;

    classifier_init(&cls);
    struct test_rule *r1 = nw_rule(0x0a000001, 32, 0, 0, 5);
    struct test_rule *r2 = nw_rule(0x0a000001, 32, 0, 0, 5);
    struct test_rule *r3 = nw_rule(0x0a000001, 32, 0, 0, 7);
    struct test_rule *r4 = nw_rule(0x0a000001, 32, 0, 0, 3);
    ip_flow(&flow, 0x0a000001, 0);

    assert_null(classifier_replace(&cls, &r1->cr));
    assert_ptr_equal(classifier_replace(&cls, &r2->cr), &r1->cr);
    assert_false(cls_rule_is_in_classifier(&r1->cr));
    assert_int_equal(classifier_count(&cls), 1);
    assert_ptr_equal(classifier_find_exactly(&cls, &r1->cr.match, 5),
                     &r2->cr);
    assert_null(classifier_find_exactly(&cls, &r1->cr.match, 6));
    assert_ptr_equal(classifier_lookup(&cls, &flow, NULL), &r2->cr);

    assert_null(classifier_replace(&cls, &r3->cr));
    assert_null(classifier_replace(&cls, &r4->cr));
    assert_int_equal(classifier_count(&cls), 3);
    assert_ptr_equal(classifier_lookup(&cls, &flow, NULL), &r3->cr);
    classifier_remove(&cls, &r3->cr);
    assert_ptr_equal(classifier_lookup(&cls, &flow, NULL), &r2->cr);
    classifier_remove(&cls, &r2->cr);
    assert_ptr_equal(classifier_lookup(&cls, &flow, NULL), &r4->cr);
    /* Replace the last rule of a list, then remove it. */
    assert_ptr_equal(classifier_replace(&cls, &r1->cr), NULL);
    assert_ptr_equal(classifier_lookup(&cls, &flow, NULL), &r1->cr);
    classifier_remove(&cls, &r1->cr);
    classifier_remove(&cls, &r4->cr);
    assert_true(classifier_is_empty(&cls));
    assert_null(classifier_lookup(&cls, &flow, NULL));

    rule_destroy(r1);
    rule_destroy(r2);
    rule_destroy(r3);
    rule_destroy(r4);
    classifier_uninit(&cls);
}

/* Whether 'r' fits the loose target 'm'. */
static bool
ref_loose(const struct cls_rule *r, const struct cls_match *m)
{
    const uint64_t *rm = flow_u64(&r->match.mask.masks);
    const uint64_t *tm = flow_u64(&m->mask.masks);
    const uint64_t *rk = flow_u64(&r->match.key);
    const uint64_t *tk = flow_u64(&m->key);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if ((tm[i] & ~rm[i]) || ((rk[i] ^ tk[i]) & tm[i])) {
            return false;
        }
    }
    return true;
}

/* Loose and strict iteration against the reference. */
static void
test_classifier_iteration(void **state)
{
    struct classifier cls;
    struct rule_set set = { 0 };

    classifier_init(&cls);
    add_random_rules(&cls, &set, 400, 10, true);

    size_t n = 0;
    struct test_rule *r;
    CLS_FOR_EACH (r, cr, &cls) {
        n++;
    }
    assert_int_equal(n, set.n);

    for (int k = 0; k < 200; k++) {
        struct cls_match target;
        /* A target from some rule's match with bits dropped, or a random
         * one. */
        if (k % 2) {
            const struct cls_rule *src = &set.rules[rnd_below(set.n)]->cr;
            target = src->match;
            uint64_t *m = flow_u64_rw(&target.mask.masks);
            for (size_t i = 0; i < FLOW_U64S; i++) {
                m[i] &= rnd_below(2) ? UINT64_MAX : 0;
            }
        } else {
            rnd_flow(&target.key);
            rnd_mask(&target.mask);
        }
        flow_apply_mask(&target.key, &target.mask);

        size_t expected = 0;
        for (size_t i = 0; i < set.n; i++) {
            expected += ref_loose(&set.rules[i]->cr, &target);
        }
        n = 0;
        CLS_FOR_EACH_TARGET (r, cr, &cls, &target, 0, false) {
            assert_true(ref_loose(&r->cr, &target));
            n++;
        }
        assert_int_equal(n, expected);
    }

    /* Strict: exactly the rule with that match and priority. */
    for (size_t i = 0; i < set.n; i++) {
        const struct cls_rule *want = &set.rules[i]->cr;
        n = 0;
        CLS_FOR_EACH_TARGET (r, cr, &cls, &want->match, want->priority,
                             true) {
            assert_ptr_equal(&r->cr, want);
            n++;
        }
        assert_int_equal(n, 1);
        n = 0;
        CLS_FOR_EACH_TARGET (r, cr, &cls, &want->match, want->priority + 100,
                             true) {
            n++;
        }
        assert_int_equal(n, 0);
    }

    /* Removing the current rule while iterating a loose target. */
    struct cls_match all = { 0 };
    size_t removed = 0;
    CLS_FOR_EACH_TARGET (r, cr, &cls, &all, 0, false) {
        classifier_remove(&cls, &r->cr);
        removed++;
    }
    assert_int_equal(removed, set.n);
    assert_true(classifier_is_empty(&cls));
    for (size_t i = 0; i < set.n; i++) {
        rule_destroy(set.rules[i]);
    }
    free(set.rules);
    classifier_uninit(&cls);
}

/* Bad prefix field sets are refused. */
static void
test_classifier_prefix_fields_invalid(void **state)
{
    static const enum cls_prefix_field dup[] = {
        CLS_PREFIX_NW_SRC, CLS_PREFIX_NW_SRC,
    };
    static const enum cls_prefix_field many[] = {
        CLS_PREFIX_NW_SRC, CLS_PREFIX_NW_DST, CLS_PREFIX_IPV6_SRC,
        CLS_PREFIX_IPV6_DST, CLS_PREFIX_TUN_ID,
    };
    struct classifier cls;

    classifier_init(&cls);
    assert_int_equal(classifier_set_prefix_fields(&cls, dup, 2), -EINVAL);
    assert_int_equal(classifier_set_prefix_fields(&cls, many, 5), -EINVAL);
    assert_int_equal(classifier_set_prefix_fields(&cls, many + 1, 4), 0);
    classifier_uninit(&cls);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classifier_random_plain),
        cmocka_unit_test(test_classifier_random_all_prefixes),
        cmocka_unit_test(test_classifier_random_no_prefixes),
        cmocka_unit_test(test_classifier_random_conjunctions),
        cmocka_unit_test(test_classifier_staged_wc),
        cmocka_unit_test(test_classifier_prefix_wc),
        cmocka_unit_test(test_classifier_prefix_ipv6),
        cmocka_unit_test(test_classifier_conjunction),
        cmocka_unit_test(test_classifier_replace_remove),
        cmocka_unit_test(test_classifier_iteration),
        cmocka_unit_test(test_classifier_prefix_fields_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
