/* The OpenFlow classifier: a set of rules, each a masked match on struct
 * flow with a priority, and a lookup that finds the highest-priority rule
 * matching a packet's flow key.  One classifier serves one OpenFlow table
 * (switch/); the megaflow cache (datapath/) installs the mask lookup
 * reports, so lookup also says which key bits its decision depended on.
 *
 * Tuple-space search: rules with the same mask share a subtable, a hash
 * table keyed by the masked key.  Subtables are ranked by their highest
 * rule priority, so a lookup stops once no remaining subtable can beat the
 * best rule found.  Each subtable is searched in stages (metadata, L2, L3,
 * L4 words), and a miss in an early stage reports only that stage's bits.
 * Prefix tries over IP address fields (ovs-vswitchd.conf.db(5)
 * Flow_Table "prefixes") let a lookup skip subtables whose address prefix
 * cannot match while reporting only the leading address bits it looked at.
 *
 * Conjunctive matches (ovs-fields(7) "Conjunctive Match Fields"): a rule
 * with conjunctions is a clause of one or more conjunctive flows; lookup
 * combines the clauses and searches again with conj_id set.
 *
 * Ownership: the caller owns its rules (usually embedded in a larger
 * struct); the classifier only links them into its index.  A rule must
 * stay in place and unmodified while it is in a classifier.
 *
 * Concurrency: none inside.  The caller serializes: modifications
 * (classifier_replace, classifier_remove, classifier_set_prefix_fields,
 * classifier_uninit) under a write lock, lookups and iteration under a read
 * lock.  Any number of concurrent lookups is safe, since lookup writes only
 * to its own stack and its 'wc' argument. */
#ifndef SWITCH_CLASSIFIER_H
#define SWITCH_CLASSIFIER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/flow.h"
#include "lib/hmap.h"

struct cls_subtable;

/* Lookup stages: groups of struct flow words searched in this order. */
enum cls_stage {
    CLS_STAGE_META,             /* Pipeline metadata and tunnel. */
    CLS_STAGE_L2,               /* Ethernet and VLAN. */
    CLS_STAGE_L3,               /* IP, ARP, ND. */
    CLS_STAGE_L4,               /* Ports and TCP flags. */
    CLS_N_STAGES
};

/* Fields a prefix trie can track (ovs-vswitchd.conf.db(5) Flow_Table
 * "prefixes"). */
enum cls_prefix_field {
    CLS_PREFIX_NW_SRC,          /* nw_src (ip_src). */
    CLS_PREFIX_NW_DST,          /* nw_dst (ip_dst). */
    CLS_PREFIX_IPV6_SRC,        /* ipv6_src. */
    CLS_PREFIX_IPV6_DST,        /* ipv6_dst. */
    CLS_PREFIX_TUN_ID,          /* tun_id. */
    CLS_PREFIX_TUN_SRC,         /* tun_src. */
    CLS_PREFIX_TUN_DST,         /* tun_dst. */
    CLS_PREFIX_TUN_IPV6_SRC,    /* tun_ipv6_src. */
    CLS_PREFIX_TUN_IPV6_DST,    /* tun_ipv6_dst. */
    CLS_N_PREFIX_FIELDS
};

/* At most this many prefix fields per classifier. */
#define CLS_MAX_TRIES 4

/* A match: 'key' is always masked by 'mask' (no bit outside the mask). */
struct cls_match {
    struct flow key;            /* Values of the bits that matter. */
    struct flow_wildcards mask; /* 1-bits matter. */
};

/* One conjunction(id, k/n) action (ovs-actions(7)). */
struct cls_conjunction {
    uint32_t id;                /* Conjunctive flow id. */
    uint8_t clause;             /* k: this rule's dimension, 1..n. */
    uint8_t n_clauses;          /* n: number of dimensions, 2..64. */
};

/* A classifier rule.  The caller fills in the public part with
 * cls_rule_init() (and cls_rule_set_conjunctions()); the rest belongs to
 * the classifier. */
struct cls_rule {
    struct cls_match match;     /* What the rule matches. */
    int priority;               /* Higher wins; never INT_MIN. */
    struct cls_conjunction *conjs;  /* Owned; NULL if 'n_conjs' is 0. */
    size_t n_conjs;             /* Nonzero: a conjunctive clause rule. */
    void *owner;                /* Opaque to the classifier. */

    /* Private to the classifier. */
    struct hmap_node node;      /* In subtable 'rules' (head of list). */
    struct cls_rule *next_same; /* Same match, lower priority. */
    struct cls_subtable *subtable;  /* NULL when not in a classifier. */
    uint32_t hashes[CLS_N_STAGES];  /* Hash of the key, stage by stage. */
};

/* One prefix trie's bookkeeping, private to classifier.c. */
struct cls_trie {
    enum cls_prefix_field field;    /* Which field. */
    struct cls_trie_node *root;     /* Owned: depth-0 node, never NULL. */
};

/* A classifier.  Members are private; the struct is public only so that
 * callers can embed it. */
struct classifier {
    struct hmap subtables;      /* "struct cls_subtable"s by mask hash. */
    struct cls_subtable **ranked;   /* By max priority, descending. */
    size_t n_ranked;            /* Number of subtables. */
    size_t allocated_ranked;    /* Capacity of 'ranked'. */
    size_t n_rules;             /* Number of rules. */
    size_t n_soft;              /* Rules with conjunctions. */
    struct cls_trie tries[CLS_MAX_TRIES];   /* Prefix tries. */
    size_t n_tries;             /* Number of tries in use. */
};

/* Rules. */
void cls_rule_init(struct cls_rule *, const struct flow *key,
                   const struct flow_wildcards *mask, int priority);
void cls_rule_set_conjunctions(struct cls_rule *,
                               const struct cls_conjunction *, size_t n);
void cls_rule_uninit(struct cls_rule *);
bool cls_rule_is_conjunctive(const struct cls_rule *);
bool cls_rule_matches_flow(const struct cls_rule *, const struct flow *);
bool cls_rule_equal(const struct cls_rule *, const struct cls_rule *);
bool cls_rule_is_in_classifier(const struct cls_rule *);

/* Classifiers. */
void classifier_init(struct classifier *);
void classifier_uninit(struct classifier *);
int classifier_set_prefix_fields(struct classifier *,
                                 const enum cls_prefix_field *, size_t n);
struct cls_rule *classifier_replace(struct classifier *, struct cls_rule *);
void classifier_remove(struct classifier *, struct cls_rule *);
size_t classifier_count(const struct classifier *);
bool classifier_is_empty(const struct classifier *);
struct cls_rule *classifier_find_exactly(const struct classifier *,
                                         const struct cls_match *,
                                         int priority);
const struct cls_rule *classifier_lookup(const struct classifier *,
                                         const struct flow *,
                                         struct flow_wildcards *wc);

/* Iteration.  Visits each rule once, in no particular order; optionally
 * only the rules that fit a target (loose: every rule whose match is at
 * least as specific as the target, as OpenFlow's non-strict flow_mod and
 * flow stats; strict: the rule with exactly the target's match and
 * priority).  The body may remove (and free) the rule it was given, but
 * must not insert rules or remove others. */
struct cls_cursor {
    const struct classifier *cls;   /* The classifier iterated. */
    const struct cls_match *target; /* NULL: every rule. */
    int priority;               /* Strict only: target priority. */
    bool strict;                /* Strict rather than loose target. */
    struct cls_rule *next;      /* Next rule to return, NULL at the end. */
};

struct cls_cursor cls_cursor_start(const struct classifier *,
                                   const struct cls_match *target,
                                   int priority, bool strict);
struct cls_rule *cls_cursor_next(struct cls_cursor *);

/* Iterates RULE (a pointer to the caller's struct, which embeds a
 * struct cls_rule as MEMBER) over every rule of CLS. */
#define CLS_FOR_EACH(RULE, MEMBER, CLS) \
    CLS_FOR_EACH_TARGET(RULE, MEMBER, CLS, NULL, 0, false)

/* Same, over the rules that fit TARGET (a const struct cls_match *, or
 * NULL for all), loosely or, if STRICT, with exactly PRIORITY. */
#define CLS_FOR_EACH_TARGET(RULE, MEMBER, CLS, TARGET, PRIORITY, STRICT) \
    for (struct cls_cursor cls_c_ = cls_cursor_start(CLS, TARGET,       \
                                                     PRIORITY, STRICT); \
         cls_c_.next                                                    \
             ? ((RULE) = OBJECT_CONTAINING(cls_cursor_next(&cls_c_),    \
                                           RULE, MEMBER), 1)            \
             : ((RULE) = NULL, 0);)

#endif /* switch/classifier.h */
