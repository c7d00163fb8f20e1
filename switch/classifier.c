/* The OpenFlow classifier: tuple-space search with staged lookup, prefix
 * tries and conjunctive matches.  See classifier.h for the contract.
 *
 * Megaflow invariant: every decision classifier_lookup() takes depends
 * only on key bits it has ORed into 'wc' by then, so any packet that agrees
 * with the looked-up one on 'wc' takes the same decisions and gets the
 * same rule.  Each decision below notes the bits it adds. */
#include "switch/classifier.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/util.h"

/* One subtable: the rules that share a mask. */
struct cls_subtable {
    struct hmap_node node;      /* In classifier 'subtables'. */
    struct flow_wildcards mask; /* The mask of every rule here. */
    struct flow_map map;        /* Words 'mask' touches. */
    int n_stages;               /* Nonempty stages, 1..CLS_N_STAGES. */
    enum cls_stage stage_kind[CLS_N_STAGES];    /* Each stage's group. */
    struct flow_map stage_maps[CLS_N_STAGES];   /* Its words of 'map'. */
    /* Stage indexes: for stage i < n_stages - 1, the set of hashes
     * rule->hashes[i] of the distinct matches, so that a packet whose
     * partial hash is absent misses after i + 1 stages. */
    struct hmap stage_index[CLS_N_STAGES - 1];
    struct hmap rules;          /* Head of each same-match list. */
    size_t n_rules;             /* All rules, lists included. */
    int max_priority;           /* Highest rule priority. */
    size_t n_max_priority;      /* Rules with 'max_priority'. */
    size_t rank;                /* Index in classifier 'ranked'. */
    /* Per trie: the prefix length of 'mask' on the trie's field if it is
     * a nonzero CIDR mask (rules are then in the trie), else 0. */
    unsigned int trie_plen[CLS_MAX_TRIES];
    /* Per trie with a nonzero 'trie_plen': the stage (index into
     * 'stage_maps') that holds its field. */
    int trie_stage[CLS_MAX_TRIES];
};

/* A stage index entry: how many distinct matches have this hash. */
struct cls_stage_entry {
    struct hmap_node node;      /* In subtable 'stage_index[i]'. */
    size_t n;                   /* Matches with this partial hash. */
};

/* A prefix trie node.  The trie is path-compressed: a node's children
 * extend its prefix by at least one bit, the first extra bit choosing
 * the child. */
struct cls_trie_node {
    uint8_t prefix[16];         /* Leading 'plen' bits; the rest zero. */
    unsigned int plen;          /* Depth in bits. */
    size_t n_rules;             /* Rules with exactly this prefix. */
    struct cls_trie_node *children[2];  /* Owned; by next bit. */
};

/* A prefix field's place in struct flow. */
struct cls_prefix_info {
    size_t offset;              /* Byte offset in struct flow. */
    unsigned int n_bits;        /* Width; the field is big-endian. */
};

static const struct cls_prefix_info prefix_fields[CLS_N_PREFIX_FIELDS] = {
    [CLS_PREFIX_NW_SRC] = { offsetof(struct flow, nw_src), 32 },
    [CLS_PREFIX_NW_DST] = { offsetof(struct flow, nw_dst), 32 },
    [CLS_PREFIX_IPV6_SRC] = { offsetof(struct flow, ipv6_src), 128 },
    [CLS_PREFIX_IPV6_DST] = { offsetof(struct flow, ipv6_dst), 128 },
    [CLS_PREFIX_TUN_ID] = { offsetof(struct flow, tunnel.tun_id), 64 },
    [CLS_PREFIX_TUN_SRC] = { offsetof(struct flow, tunnel.ip_src), 32 },
    [CLS_PREFIX_TUN_DST] = { offsetof(struct flow, tunnel.ip_dst), 32 },
    [CLS_PREFIX_TUN_IPV6_SRC] = { offsetof(struct flow, tunnel.ipv6_src),
                                  128 },
    [CLS_PREFIX_TUN_IPV6_DST] = { offsetof(struct flow, tunnel.ipv6_dst),
                                  128 },
};

/* The stage a word of struct flow belongs to. */
static enum cls_stage
word_stage(size_t word)
{
    if (word >= offsetof(struct flow, tunnel) / 8) {
        return CLS_STAGE_META;
    } else if (word >= offsetof(struct flow, tp_src) / 8) {
        return CLS_STAGE_L4;
    } else if (word >= offsetof(struct flow, nw_src) / 8) {
        return CLS_STAGE_L3;
    } else if (word >= offsetof(struct flow, dl_dst) / 8) {
        return CLS_STAGE_L2;
    }
    return CLS_STAGE_META;
}

static void
map_set(struct flow_map *map, size_t word)
{
    map->bits[word / 64] |= UINT64_C(1) << (word % 64);
}

/* Iterates size_t IDX over the words of flow_map *MAP. */
#define MAP_FOR_EACH_WORD(IDX, MAP)                                     \
    for (size_t map_w_ = 0; map_w_ < FLOW_MAP_WORDS; map_w_++)          \
        for (uint64_t map_b_ = (MAP)->bits[map_w_];                     \
             map_b_ && ((IDX) = map_w_ * 64 + __builtin_ctzll(map_b_), 1); \
             map_b_ &= map_b_ - 1)

/* wc |= mask, over the words of 'map'. */
static void
wc_or_map(struct flow_wildcards *wc, const struct flow_wildcards *mask,
          const struct flow_map *map)
{
    uint64_t *w = flow_u64_rw(&wc->masks);
    const uint64_t *m = flow_u64(&mask->masks);
    size_t i;

    MAP_FOR_EACH_WORD (i, map) {
        w[i] |= m[i];
    }
}

/* Whether 'flow' masked by 'mask' equals 'key' on the words of 'map'. */
static bool
key_matches(const struct flow *key, const struct flow_wildcards *mask,
            const struct flow_map *map, const struct flow *flow)
{
    const uint64_t *k = flow_u64(key);
    const uint64_t *m = flow_u64(&mask->masks);
    const uint64_t *f = flow_u64(flow);
    size_t i;

    MAP_FOR_EACH_WORD (i, map) {
        if ((f[i] & m[i]) != k[i]) {
            return false;
        }
    }
    return true;
}

/* Bit-string helpers for prefix fields (big-endian byte arrays). */

static unsigned int
bit_at(const uint8_t *p, unsigned int i)
{
    return (p[i / 8] >> (7 - i % 8)) & 1;
}

/* The first bit index in [start, end) where 'a' and 'b' differ, or 'end'
 * if none does. */
static unsigned int
first_diff(const uint8_t *a, const uint8_t *b, unsigned int start,
           unsigned int end)
{
    for (unsigned int i = start; i < end; i = (i / 8 + 1) * 8) {
        unsigned int byte = i / 8;
        unsigned int x = (a[byte] ^ b[byte]) & (0xffu >> (i % 8));
        if (x) {
            unsigned int pos = byte * 8 + __builtin_clz(x) - 24;
            return pos < end ? pos : end;
        }
    }
    return end;
}

/* Copies the leading 'n' bits of 'src' to 'dst', zeroing the rest of
 * 'n_bits'. */
static void
copy_prefix(uint8_t *dst, const uint8_t *src, unsigned int n,
            unsigned int n_bits)
{
    memset(dst, 0, n_bits / 8);
    memcpy(dst, src, n / 8);
    if (n % 8) {
        dst[n / 8] = src[n / 8] & (0xff << (8 - n % 8));
    }
}

/* Sets the leading 'n' bits of the field at 'p'. */
static void
set_leading_bits(uint8_t *p, unsigned int n)
{
    memset(p, 0xff, n / 8);
    if (n % 8) {
        p[n / 8] |= 0xff << (8 - n % 8);
    }
}

/* The CIDR prefix length of a mask field, or 0 if it is zero or not a
 * CIDR mask. */
static unsigned int
mask_plen(const uint8_t *m, unsigned int n_bits)
{
    unsigned int plen = 0;
    while (plen < n_bits && bit_at(m, plen)) {
        plen++;
    }
    for (unsigned int i = plen; i < n_bits; i++) {
        if (bit_at(m, i)) {
            return 0;
        }
    }
    return plen;
}

/* Prefix tries. */

static struct cls_trie_node *
trie_node_create(const uint8_t *prefix, unsigned int plen,
                 unsigned int n_bits)
{
    struct cls_trie_node *node = xzalloc(sizeof *node);
    copy_prefix(node->prefix, prefix, plen, n_bits);
    node->plen = plen;
    return node;
}

static void
trie_node_destroy(struct cls_trie_node *node)
{
    if (node) {
        trie_node_destroy(node->children[0]);
        trie_node_destroy(node->children[1]);
        free(node);
    }
}

static void
trie_init(struct cls_trie *trie, enum cls_prefix_field field)
{
    static const uint8_t zero[16];
    trie->field = field;
    trie->root = trie_node_create(zero, 0, prefix_fields[field].n_bits);
}

static void
trie_uninit(struct cls_trie *trie)
{
    trie_node_destroy(trie->root);
    trie->root = NULL;
}

/* Adds one rule with the leading 'plen' bits of 'prefix' (plen > 0). */
static void
trie_insert(struct cls_trie *trie, const uint8_t *prefix, unsigned int plen)
{
    unsigned int n_bits = prefix_fields[trie->field].n_bits;
    struct cls_trie_node *node = trie->root;

    for (;;) {
        if (node->plen == plen) {
            node->n_rules++;
            return;
        }
        unsigned int b = bit_at(prefix, node->plen);
        struct cls_trie_node *child = node->children[b];
        if (!child) {
            child = trie_node_create(prefix, plen, n_bits);
            child->n_rules = 1;
            node->children[b] = child;
            return;
        }
        unsigned int end = MIN(child->plen, plen);
        unsigned int d = first_diff(prefix, child->prefix, node->plen + 1,
                                    end);
        if (d == child->plen) {
            node = child;
            continue;
        }
        /* Split the edge to 'child' at depth 'd'. */
        struct cls_trie_node *mid = trie_node_create(prefix, d, n_bits);
        mid->children[bit_at(child->prefix, d)] = child;
        node->children[b] = mid;
        if (d == plen) {
            mid->n_rules = 1;
        } else {
            struct cls_trie_node *leaf = trie_node_create(prefix, plen,
                                                          n_bits);
            leaf->n_rules = 1;
            mid->children[bit_at(prefix, d)] = leaf;
        }
        return;
    }
}

/* Removes one rule with the leading 'plen' bits of 'prefix', which must
 * have been inserted. */
static void
trie_remove(struct cls_trie *trie, const uint8_t *prefix, unsigned int plen)
{
    struct cls_trie_node **path[130];
    size_t depth = 0;
    struct cls_trie_node **slot = &trie->root;

    while ((*slot)->plen != plen) {
        path[depth++] = slot;
        slot = &(*slot)->children[bit_at(prefix, (*slot)->plen)];
        ASSERT(*slot);
    }
    struct cls_trie_node *node = *slot;
    ASSERT(node->n_rules > 0);
    if (--node->n_rules || node == trie->root) {
        return;
    }
    /* Prune 'node', then possibly its parent, which may now be a rule-less
     * node with one child. */
    for (;;) {
        struct cls_trie_node *c0 = node->children[0];
        struct cls_trie_node *c1 = node->children[1];
        if (node->n_rules || (c0 && c1) || node == trie->root) {
            return;
        }
        *slot = c0 ? c0 : c1;
        free(node);
        if (*slot || !depth) {
            return;
        }
        slot = path[--depth];
        node = *slot;
    }
}

/* The result of one trie lookup. */
struct trie_result {
    bool done;                  /* Looked up yet? */
    unsigned int checkbits;     /* Leading bits the result depends on. */
    uint64_t plens[3];          /* Bit p: a rule prefix of length p
                                 * matches. */
};

static void
trie_lookup(const struct cls_trie *trie, const uint8_t *value,
            struct trie_result *res)
{
    unsigned int n_bits = prefix_fields[trie->field].n_bits;
    const struct cls_trie_node *node = trie->root;

    memset(res->plens, 0, sizeof res->plens);
    res->done = true;
    for (;;) {
        if (node->n_rules) {
            res->plens[node->plen / 64] |= UINT64_C(1) << (node->plen % 64);
        }
        if (node->plen == n_bits) {
            res->checkbits = n_bits;
            return;
        }
        if (!node->children[0] && !node->children[1]) {
            res->checkbits = node->plen;
            return;
        }
        const struct cls_trie_node *child
            = node->children[bit_at(value, node->plen)];
        if (!child) {
            res->checkbits = node->plen + 1;
            return;
        }
        unsigned int d = first_diff(value, child->prefix, node->plen + 1,
                                    child->plen);
        if (d < child->plen) {
            res->checkbits = d + 1;
            return;
        }
        node = child;
    }
}

/* Adds or removes 'rule' in the tries its subtable takes part in. */
static void
tries_update(struct classifier *cls, const struct cls_rule *rule, bool add)
{
    const struct cls_subtable *st = rule->subtable;

    for (size_t t = 0; t < cls->n_tries; t++) {
        if (st->trie_plen[t]) {
            const uint8_t *p = (const uint8_t *) &rule->match.key
                + prefix_fields[cls->tries[t].field].offset;
            if (add) {
                trie_insert(&cls->tries[t], p, st->trie_plen[t]);
            } else {
                trie_remove(&cls->tries[t], p, st->trie_plen[t]);
            }
        }
    }
}

static void
subtable_set_trie_plens(const struct classifier *cls, struct cls_subtable *st)
{
    memset(st->trie_plen, 0, sizeof st->trie_plen);
    for (size_t t = 0; t < cls->n_tries; t++) {
        const struct cls_prefix_info *f = &prefix_fields[cls->tries[t].field];
        st->trie_plen[t] = mask_plen((const uint8_t *) &st->mask.masks
                                     + f->offset, f->n_bits);
        st->trie_stage[t] = -1;
        for (int i = 0; i < st->n_stages; i++) {
            if (st->stage_kind[i] == word_stage(f->offset / 8)) {
                st->trie_stage[t] = i;
            }
        }
    }
}

/* Rules. */

/* Initializes 'rule' to match 'key' under 'mask' (the key is masked here)
 * with 'priority' (not INT_MIN), no conjunctions and a NULL owner. */
void
cls_rule_init(struct cls_rule *rule, const struct flow *key,
              const struct flow_wildcards *mask, int priority)
{
    ASSERT(priority != INT_MIN);
    memset(rule, 0, sizeof *rule);
    rule->match.key = *key;
    rule->match.mask = *mask;
    flow_apply_mask(&rule->match.key, mask);
    rule->priority = priority;
}

/* Makes 'rule' (not in a classifier) a clause of the 'n' conjunctions in
 * 'conjs', copied; n = 0 makes it an ordinary rule again. */
void
cls_rule_set_conjunctions(struct cls_rule *rule,
                          const struct cls_conjunction *conjs, size_t n)
{
    ASSERT(!rule->subtable);
    free(rule->conjs);
    rule->conjs = n ? xmemdup(conjs, n * sizeof *conjs) : NULL;
    rule->n_conjs = n;
}

/* Frees what 'rule' owns.  It must not be in a classifier. */
void
cls_rule_uninit(struct cls_rule *rule)
{
    ASSERT(!rule->subtable);
    free(rule->conjs);
    rule->conjs = NULL;
    rule->n_conjs = 0;
}

/* Whether 'rule' is a clause of conjunctive flows. */
bool
cls_rule_is_conjunctive(const struct cls_rule *rule)
{
    return rule->n_conjs > 0;
}

/* Whether 'flow' matches 'rule' (priority aside). */
bool
cls_rule_matches_flow(const struct cls_rule *rule, const struct flow *flow)
{
    const uint64_t *k = flow_u64(&rule->match.key);
    const uint64_t *m = flow_u64(&rule->match.mask.masks);
    const uint64_t *f = flow_u64(flow);

    for (size_t i = 0; i < FLOW_U64S; i++) {
        if ((f[i] & m[i]) != k[i]) {
            return false;
        }
    }
    return true;
}

/* Whether 'a' and 'b' have the same match and priority. */
bool
cls_rule_equal(const struct cls_rule *a, const struct cls_rule *b)
{
    return (a->priority == b->priority
            && !memcmp(&a->match, &b->match, sizeof a->match));
}

/* Whether 'rule' is in a classifier. */
bool
cls_rule_is_in_classifier(const struct cls_rule *rule)
{
    return rule->subtable != NULL;
}

/* Subtables. */

static uint32_t
mask_hash(const struct flow_wildcards *mask)
{
    return hash_bytes(mask, sizeof *mask, 0);
}

static struct cls_subtable *
find_subtable(const struct classifier *cls, const struct flow_wildcards *mask)
{
    struct cls_subtable *st;

    HMAP_FOR_EACH_WITH_HASH (st, node, mask_hash(mask), &cls->subtables) {
        if (!memcmp(&st->mask, mask, sizeof *mask)) {
            return st;
        }
    }
    return NULL;
}

/* Swaps ranked[i] and ranked[j]. */
static void
rank_swap(struct classifier *cls, size_t i, size_t j)
{
    struct cls_subtable *a = cls->ranked[i];
    cls->ranked[i] = cls->ranked[j];
    cls->ranked[j] = a;
    cls->ranked[i]->rank = i;
    cls->ranked[j]->rank = j;
}

/* Restores the order of 'ranked' after 'st''s max_priority changed. */
static void
rerank(struct classifier *cls, struct cls_subtable *st)
{
    while (st->rank > 0
           && cls->ranked[st->rank - 1]->max_priority < st->max_priority) {
        rank_swap(cls, st->rank - 1, st->rank);
    }
    while (st->rank + 1 < cls->n_ranked
           && cls->ranked[st->rank + 1]->max_priority > st->max_priority) {
        rank_swap(cls, st->rank, st->rank + 1);
    }
}

static struct cls_subtable *
subtable_create(struct classifier *cls, const struct flow_wildcards *mask)
{
    struct cls_subtable *st = xzalloc(sizeof *st);
    struct flow_map per_stage[CLS_N_STAGES];
    size_t i;

    st->mask = *mask;
    flow_map_from_mask(&st->map, mask);
    memset(per_stage, 0, sizeof per_stage);
    MAP_FOR_EACH_WORD (i, &st->map) {
        map_set(&per_stage[word_stage(i)], i);
    }
    for (int s = 0; s < CLS_N_STAGES; s++) {
        bool empty = true;
        for (size_t w = 0; w < FLOW_MAP_WORDS; w++) {
            empty = empty && !per_stage[s].bits[w];
        }
        if (!empty || (s == CLS_N_STAGES - 1 && !st->n_stages)) {
            st->stage_kind[st->n_stages] = s;
            st->stage_maps[st->n_stages++] = per_stage[s];
        }
    }
    for (int s = 0; s < CLS_N_STAGES - 1; s++) {
        hmap_init(&st->stage_index[s]);
    }
    hmap_init(&st->rules);
    st->max_priority = INT_MIN;
    subtable_set_trie_plens(cls, st);

    hmap_insert(&cls->subtables, &st->node, mask_hash(mask));
    if (cls->n_ranked >= cls->allocated_ranked) {
        cls->ranked = x2nrealloc(cls->ranked, &cls->allocated_ranked,
                                 sizeof *cls->ranked);
    }
    st->rank = cls->n_ranked;
    cls->ranked[cls->n_ranked++] = st;
    return st;
}

static void
subtable_destroy(struct classifier *cls, struct cls_subtable *st)
{
    ASSERT(hmap_is_empty(&st->rules));
    hmap_remove(&cls->subtables, &st->node);
    for (size_t i = st->rank; i + 1 < cls->n_ranked; i++) {
        cls->ranked[i] = cls->ranked[i + 1];
        cls->ranked[i]->rank = i;
    }
    cls->n_ranked--;
    for (int s = 0; s < CLS_N_STAGES - 1; s++) {
        hmap_uninit(&st->stage_index[s]);
    }
    hmap_uninit(&st->rules);
    free(st);
}

/* Sets rule->hashes[] for 'st'. */
static void
rule_compute_hashes(const struct cls_subtable *st, struct cls_rule *rule)
{
    uint32_t hash = 0;
    for (int i = 0; i < st->n_stages; i++) {
        hash = flow_hash_in_map(&rule->match.key, &st->mask,
                                &st->stage_maps[i], hash);
        rule->hashes[i] = hash;
    }
}

static uint32_t
rule_hash(const struct cls_rule *rule)
{
    return rule->hashes[rule->subtable->n_stages - 1];
}

/* The head of the list of rules in 'st' with the same key as 'rule'. */
static struct cls_rule *
find_head(const struct cls_subtable *st, uint32_t hash, const struct flow *key)
{
    struct cls_rule *head;

    HMAP_FOR_EACH_WITH_HASH (head, node, hash, &st->rules) {
        if (key_matches(&head->match.key, &st->mask, &st->map, key)) {
            return head;
        }
    }
    return NULL;
}

static void
stage_index_update(struct cls_subtable *st, const struct cls_rule *rule,
                   bool add)
{
    for (int i = 0; i + 1 < st->n_stages; i++) {
        struct hmap *index = &st->stage_index[i];
        struct hmap_node *node = hmap_first_with_hash(index,
                                                      rule->hashes[i]);
        struct cls_stage_entry *e = node
            ? CONTAINER_OF(node, struct cls_stage_entry, node) : NULL;
        if (add) {
            if (!e) {
                e = xzalloc(sizeof *e);
                hmap_insert(index, &e->node, rule->hashes[i]);
            }
            e->n++;
        } else {
            ASSERT(e);
            if (!--e->n) {
                hmap_remove(index, &e->node);
                free(e);
            }
        }
    }
}

static void
subtable_add_priority(struct classifier *cls, struct cls_subtable *st,
                      int priority)
{
    if (priority > st->max_priority) {
        st->max_priority = priority;
        st->n_max_priority = 1;
        rerank(cls, st);
    } else if (priority == st->max_priority) {
        st->n_max_priority++;
    }
}

static void
subtable_remove_priority(struct classifier *cls, struct cls_subtable *st,
                         int priority)
{
    if (priority != st->max_priority || --st->n_max_priority) {
        return;
    }
    st->max_priority = INT_MIN;
    struct cls_rule *head;
    HMAP_FOR_EACH (head, node, &st->rules) {
        /* The head has its list's highest priority. */
        if (head->priority > st->max_priority) {
            st->max_priority = head->priority;
            st->n_max_priority = 0;
        }
        if (head->priority == st->max_priority) {
            for (const struct cls_rule *r = head; r; r = r->next_same) {
                st->n_max_priority += r->priority == st->max_priority;
            }
        }
    }
    rerank(cls, st);
}

/* Frees 'st' (already out of its classifier), detaching its rules. */
static void
subtable_free(struct cls_subtable *st)
{
    struct cls_rule *head;

    HMAP_FOR_EACH (head, node, &st->rules) {
        for (struct cls_rule *r = head; r; r = r->next_same) {
            r->subtable = NULL;
        }
    }
    for (int s = 0; s < CLS_N_STAGES - 1; s++) {
        struct cls_stage_entry *e;
        HMAP_FOR_EACH_POP (e, node, &st->stage_index[s]) {
            free(e);
        }
        hmap_uninit(&st->stage_index[s]);
    }
    hmap_uninit(&st->rules);
    free(st);
}

/* Classifier. */

/* Initializes 'cls' empty, tracking prefixes of ip_dst and ip_src (the
 * default of ovs-vswitchd.conf.db(5) Flow_Table "prefixes"). */
void
classifier_init(struct classifier *cls)
{
    static const enum cls_prefix_field defaults[] = {
        CLS_PREFIX_NW_DST, CLS_PREFIX_NW_SRC,
    };

    memset(cls, 0, sizeof *cls);
    hmap_init(&cls->subtables);
    cls->n_tries = ARRAY_SIZE(defaults);
    for (size_t t = 0; t < cls->n_tries; t++) {
        trie_init(&cls->tries[t], defaults[t]);
    }
}

/* Frees what 'cls' owns.  Rules still in it are detached (left to their
 * owners, who may then uninit them). */
void
classifier_uninit(struct classifier *cls)
{
    struct cls_subtable *st;

    HMAP_FOR_EACH_POP (st, node, &cls->subtables) {
        subtable_free(st);
    }
    hmap_uninit(&cls->subtables);
    free(cls->ranked);
    for (size_t t = 0; t < cls->n_tries; t++) {
        trie_uninit(&cls->tries[t]);
    }
    memset(cls, 0, sizeof *cls);
}

/* Tracks prefixes on the 'n' distinct 'fields' (n <= CLS_MAX_TRIES; 0 for
 * none), replacing the previous set and reindexing existing rules.
 * Returns 0, or -EINVAL (and changes nothing) for too many or repeated
 * fields. */
int
classifier_set_prefix_fields(struct classifier *cls,
                             const enum cls_prefix_field *fields, size_t n)
{
    if (n > CLS_MAX_TRIES) {
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i] >= CLS_N_PREFIX_FIELDS) {
            return -EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (fields[i] == fields[j]) {
                return -EINVAL;
            }
        }
    }

    for (size_t t = 0; t < cls->n_tries; t++) {
        trie_uninit(&cls->tries[t]);
    }
    cls->n_tries = n;
    for (size_t t = 0; t < n; t++) {
        trie_init(&cls->tries[t], fields[t]);
    }
    for (size_t i = 0; i < cls->n_ranked; i++) {
        struct cls_subtable *st = cls->ranked[i];
        struct cls_rule *head;
        subtable_set_trie_plens(cls, st);
        HMAP_FOR_EACH (head, node, &st->rules) {
            for (struct cls_rule *r = head; r; r = r->next_same) {
                tries_update(cls, r, true);
            }
        }
    }
    return 0;
}

/* Inserts 'rule' (initialized, not in a classifier) into 'cls'.  If a rule
 * with the same match and priority was there, 'rule' takes its place and
 * the old rule is returned (out of the classifier, back to its owner);
 * otherwise returns NULL. */
struct cls_rule *
classifier_replace(struct classifier *cls, struct cls_rule *rule)
{
    struct cls_subtable *st = find_subtable(cls, &rule->match.mask);
    struct cls_rule *old = NULL;

    ASSERT(!rule->subtable);
    if (!st) {
        st = subtable_create(cls, &rule->match.mask);
    }
    rule->subtable = st;
    rule_compute_hashes(st, rule);

    uint32_t hash = rule_hash(rule);
    struct cls_rule *head = find_head(st, hash, &rule->match.key);
    if (!head) {
        rule->next_same = NULL;
        hmap_insert(&st->rules, &rule->node, hash);
        stage_index_update(st, rule, true);
    } else {
        struct cls_rule **prev = &head;
        while (*prev && (*prev)->priority > rule->priority) {
            prev = &(*prev)->next_same;
        }
        if (*prev && (*prev)->priority == rule->priority) {
            old = *prev;
            rule->next_same = old->next_same;
        } else {
            rule->next_same = *prev;
        }
        if (prev == &head) {
            /* 'rule' becomes the list's head. */
            hmap_replace(&st->rules, &head->node, &rule->node);
        } else {
            *prev = rule;
        }
    }

    if (old) {
        tries_update(cls, old, false);
        cls->n_soft -= old->n_conjs > 0;
        old->subtable = NULL;
        old->next_same = NULL;
    } else {
        st->n_rules++;
        cls->n_rules++;
        subtable_add_priority(cls, st, rule->priority);
    }
    tries_update(cls, rule, true);
    cls->n_soft += rule->n_conjs > 0;
    return old;
}

/* Removes 'rule', which must be in 'cls', and gives it back to its
 * owner. */
void
classifier_remove(struct classifier *cls, struct cls_rule *rule)
{
    struct cls_subtable *st = rule->subtable;
    uint32_t hash = rule_hash(rule);
    struct cls_rule *head = find_head(st, hash, &rule->match.key);

    ASSERT(head);
    if (head == rule) {
        if (rule->next_same) {
            hmap_replace(&st->rules, &rule->node, &rule->next_same->node);
        } else {
            hmap_remove(&st->rules, &rule->node);
            stage_index_update(st, rule, false);
        }
    } else {
        struct cls_rule *prev = head;
        while (prev->next_same != rule) {
            prev = prev->next_same;
            ASSERT(prev);
        }
        prev->next_same = rule->next_same;
    }
    tries_update(cls, rule, false);
    cls->n_soft -= rule->n_conjs > 0;
    cls->n_rules--;
    rule->subtable = NULL;
    rule->next_same = NULL;
    if (!--st->n_rules) {
        subtable_destroy(cls, st);
    } else {
        subtable_remove_priority(cls, st, rule->priority);
    }
}

/* The number of rules in 'cls'. */
size_t
classifier_count(const struct classifier *cls)
{
    return cls->n_rules;
}

/* Whether 'cls' has no rules. */
bool
classifier_is_empty(const struct classifier *cls)
{
    return !cls->n_rules;
}

/* The rule in 'cls' with exactly 'match' and 'priority', or NULL. */
struct cls_rule *
classifier_find_exactly(const struct classifier *cls,
                        const struct cls_match *match, int priority)
{
    const struct cls_subtable *st = find_subtable(cls, &match->mask);
    if (!st) {
        return NULL;
    }

    struct cls_rule probe;
    probe.subtable = (struct cls_subtable *) st;
    probe.match.key = match->key;
    flow_apply_mask(&probe.match.key, &match->mask);
    rule_compute_hashes(st, &probe);
    struct cls_rule *r = find_head(st, rule_hash(&probe), &probe.match.key);
    while (r && r->priority > priority) {
        r = r->next_same;
    }
    return r && r->priority == priority ? r : NULL;
}

/* Lookup. */

/* Per-lookup state, on the stack. */
struct lookup_ctx {
    const struct classifier *cls;   /* Classifier searched. */
    const struct flow *flow;        /* Packet. */
    struct flow_wildcards *wc;      /* Consulted bits, or NULL. */
    struct trie_result tries[CLS_MAX_TRIES];    /* Lazily filled. */
};

/* Whether the prefix trie 't' proves that no rule of 'st' can match; if
 * so, adds the leading address bits that proof depends on to wc. */
static bool
trie_skips(struct lookup_ctx *ctx, const struct cls_subtable *st, size_t t)
{
    const struct cls_trie *trie = &ctx->cls->tries[t];
    const struct cls_prefix_info *f = &prefix_fields[trie->field];
    struct trie_result *res = &ctx->tries[t];
    unsigned int plen = st->trie_plen[t];

    if (!res->done) {
        trie_lookup(trie, (const uint8_t *) ctx->flow + f->offset, res);
    }
    if ((res->plens[plen / 64] >> (plen % 64)) & 1) {
        return false;
    }
    /* No rule prefix of length 'plen' equals the packet's first 'plen'
     * bits.  That depends on those bits only, and the trie walk settled it
     * after 'checkbits' bits. */
    if (ctx->wc) {
        set_leading_bits((uint8_t *) &ctx->wc->masks + f->offset,
                         MIN(plen, res->checkbits));
    }
    return true;
}

/* Searches 'st' for the packet, returning the head of the matching list
 * or NULL, and adds the bits the outcome depends on to ctx->wc. */
static const struct cls_rule *
subtable_lookup(struct lookup_ctx *ctx, const struct cls_subtable *st)
{
    uint32_t hash = 0;

    for (int i = 0; i < st->n_stages; i++) {
        for (size_t t = 0; t < ctx->cls->n_tries; t++) {
            if (st->trie_plen[t] && st->trie_stage[t] == i
                && trie_skips(ctx, st, t)) {
                return NULL;
            }
        }
        hash = flow_hash_in_map(ctx->flow, &st->mask, &st->stage_maps[i],
                                hash);
        if (i + 1 < st->n_stages) {
            if (!hmap_first_with_hash(&st->stage_index[i], hash)) {
                /* No match agrees with the packet on stages 0..i. */
                if (ctx->wc) {
                    for (int j = 0; j <= i; j++) {
                        wc_or_map(ctx->wc, &st->mask, &st->stage_maps[j]);
                    }
                }
                return NULL;
            }
        } else {
            if (ctx->wc) {
                wc_or_map(ctx->wc, &st->mask, &st->map);
            }
            return find_head(st, hash, ctx->flow);
        }
    }
    NOT_REACHED();
}

/* Matching clause rules collected by a lookup, on the stack unless many. */
struct soft_set {
    const struct cls_rule **rules;  /* 'stub' or allocated. */
    size_t n;                   /* Number of rules. */
    size_t allocated;           /* Capacity of 'rules'. */
    const struct cls_rule *stub[32];    /* Initial storage. */
};

static void
soft_add(struct soft_set *soft, const struct cls_rule *rule)
{
    if (soft->n >= soft->allocated) {
        size_t n = soft->allocated * 2;
        const struct cls_rule **rules = xmalloc(n * sizeof *rules);
        memcpy(rules, soft->rules, soft->n * sizeof *rules);
        if (soft->rules != soft->stub) {
            free(soft->rules);
        }
        soft->rules = rules;
        soft->allocated = n;
    }
    soft->rules[soft->n++] = rule;
}

/* Finds the highest-priority ordinary rule matching ctx->flow.  If 'soft'
 * is nonnull, also adds to it the matching clause rules of priority
 * higher than the result's (and possibly some lower). */
static const struct cls_rule *
lookup_hard(struct lookup_ctx *ctx, struct soft_set *soft)
{
    const struct classifier *cls = ctx->cls;
    const struct cls_rule *best = NULL;
    int best_priority = INT_MIN;

    memset(ctx->tries, 0, sizeof ctx->tries);
    for (size_t i = 0; i < cls->n_ranked; i++) {
        const struct cls_subtable *st = cls->ranked[i];
        /* Ranked order: no later subtable can beat 'best'.  This depends
         * on the bits that gave 'best'. */
        if (st->max_priority <= best_priority) {
            break;
        }
        const struct cls_rule *r = subtable_lookup(ctx, st);
        for (; r && r->priority > best_priority; r = r->next_same) {
            if (!r->n_conjs) {
                best = r;
                best_priority = r->priority;
                break;
            } else if (soft) {
                soft_add(soft, r);
            }
        }
    }
    return best;
}

/* One conjunction's clauses seen at one priority. */
struct conj_state {
    uint32_t id;                /* Conjunction id. */
    uint8_t n_clauses;          /* n. */
    bool tried;                 /* Already looked up. */
    uint64_t clauses;           /* Bit k-1: clause k matched. */
};

/* Finds, among the clause rules in 'soft' with 'priority', the complete
 * conjunction with the lowest (id, n) not yet tried, marks it tried and
 * returns it, or returns NULL.  'states' has room for every conjunction
 * of those rules. */
static struct conj_state *
conj_next_complete(const struct soft_set *soft, int priority,
                   struct conj_state *states, size_t *n_states)
{
    if (*n_states == SIZE_MAX) {
        *n_states = 0;
        for (size_t i = 0; i < soft->n; i++) {
            const struct cls_rule *r = soft->rules[i];
            if (r->priority != priority) {
                continue;
            }
            for (size_t c = 0; c < r->n_conjs; c++) {
                const struct cls_conjunction *cj = &r->conjs[c];
                if (!cj->clause || cj->clause > cj->n_clauses
                    || cj->n_clauses > 64) {
                    continue;
                }
                size_t j;
                for (j = 0; j < *n_states; j++) {
                    if (states[j].id == cj->id
                        && states[j].n_clauses == cj->n_clauses) {
                        break;
                    }
                }
                if (j == *n_states) {
                    states[j] = (struct conj_state) {
                        .id = cj->id, .n_clauses = cj->n_clauses,
                    };
                    (*n_states)++;
                }
                states[j].clauses |= UINT64_C(1) << (cj->clause - 1);
            }
        }
    }

    struct conj_state *best = NULL;
    for (size_t j = 0; j < *n_states; j++) {
        struct conj_state *s = &states[j];
        uint64_t all = s->n_clauses == 64
            ? UINT64_MAX : (UINT64_C(1) << s->n_clauses) - 1;
        if (!s->tried && s->clauses == all
            && (!best || s->id < best->id
                || (s->id == best->id && s->n_clauses < best->n_clauses))) {
            best = s;
        }
    }
    if (best) {
        best->tried = true;
    }
    return best;
}

/* Orders clause rules by descending priority. */
static int
compare_priority_desc(const void *a_, const void *b_)
{
    const struct cls_rule *const *a = a_;
    const struct cls_rule *const *b = b_;
    return ((*a)->priority < (*b)->priority) - ((*a)->priority
                                                > (*b)->priority);
}

/* Resolves conjunctive flows among 'soft' above 'hard': returns the rule
 * of the first successful conj_id search, or 'hard'. */
static const struct cls_rule *
lookup_conjunctions(struct lookup_ctx *ctx, struct soft_set *soft,
                    const struct cls_rule *hard)
{
    int hard_priority = hard ? hard->priority : INT_MIN;
    struct conj_state stub[16];
    struct conj_state *states = stub;
    size_t n_conjs = 0;

    qsort(soft->rules, soft->n, sizeof *soft->rules, compare_priority_desc);
    for (size_t i = 0; i < soft->n; i++) {
        n_conjs += soft->rules[i]->n_conjs;
    }
    if (n_conjs > ARRAY_SIZE(stub)) {
        states = xmalloc(n_conjs * sizeof *states);
    }

    const struct cls_rule *result = hard;
    for (size_t i = 0; i < soft->n; ) {
        int priority = soft->rules[i]->priority;
        if (priority <= hard_priority) {
            break;
        }
        /* ovs-fields(7): when every clause of a conjunction matches, search
         * again with conj_id set, ignoring clause rules; if that fails, act
         * as if the conjunction had not matched and go on. */
        size_t n_states = SIZE_MAX;
        struct conj_state *s;
        while ((s = conj_next_complete(soft, priority, states, &n_states))) {
            struct flow flow2 = *ctx->flow;
            struct lookup_ctx ctx2 = { .cls = ctx->cls, .flow = &flow2,
                                       .wc = ctx->wc };
            flow2.conj_id = s->id;
            const struct cls_rule *r = lookup_hard(&ctx2, NULL);
            if (r) {
                result = r;
                goto out;
            }
        }
        while (i < soft->n && soft->rules[i]->priority == priority) {
            i++;
        }
    }
out:
    if (states != stub) {
        free(states);
    }
    return result;
}

/* Finds the highest-priority rule in 'cls' matching 'flow', resolving
 * conjunctive matches (ovs-fields(7) "Conjunctive Match Fields"): clause
 * rules above the best ordinary match combine into conjunctions, highest
 * priority first (lowest id first within a priority), and the first whose
 * conj_id search succeeds gives the result; otherwise the best ordinary
 * rule does.  Among equal-priority matches the choice is unspecified but
 * deterministic.  Returns NULL if nothing matches.
 *
 * If 'wc' is nonnull, ORs into it every bit of 'flow' the result depended
 * on (including those of conj_id searches), so every flow that agrees
 * with 'flow' on 'wc' gets the same result.  The result is borrowed: valid
 * while the caller holds its read lock. */
const struct cls_rule *
classifier_lookup(const struct classifier *cls, const struct flow *flow,
                  struct flow_wildcards *wc)
{
    struct lookup_ctx ctx = { .cls = cls, .flow = flow, .wc = wc };

    if (!cls->n_soft) {
        return lookup_hard(&ctx, NULL);
    }

    struct soft_set soft = { .allocated = ARRAY_SIZE(soft.stub) };
    soft.rules = soft.stub;
    const struct cls_rule *result = lookup_hard(&ctx, &soft);
    if (soft.n) {
        result = lookup_conjunctions(&ctx, &soft, result);
    }
    if (soft.rules != soft.stub) {
        free(soft.rules);
    }
    return result;
}

/* Iteration. */

/* Whether 'st''s rules can fit the cursor's target. */
static bool
cursor_subtable_fits(const struct cls_cursor *c, const struct cls_subtable *st)
{
    if (!c->target) {
        return true;
    } else if (c->strict) {
        return !memcmp(&st->mask, &c->target->mask, sizeof st->mask);
    } else {
        /* Loose: the subtable's mask covers the target's. */
        const uint64_t *m = flow_u64(&st->mask.masks);
        const uint64_t *t = flow_u64(&c->target->mask.masks);
        for (size_t i = 0; i < FLOW_U64S; i++) {
            if (t[i] & ~m[i]) {
                return false;
            }
        }
        return true;
    }
}

static bool
cursor_rule_fits(const struct cls_cursor *c, const struct cls_rule *r)
{
    if (!c->target) {
        return true;
    } else if (c->strict && r->priority != c->priority) {
        return false;
    }
    /* The subtable fits, so only the target's bits of the key matter. */
    return flow_equal_except(&r->match.key, &c->target->key,
                             &c->target->mask);
}

/* The first rule of the first fitting subtable at or after 'node' in
 * cls->subtables. */
static struct cls_rule *
cursor_first_from(const struct cls_cursor *c, const struct hmap_node *node)
{
    for (; node; node = hmap_next(&c->cls->subtables, node)) {
        const struct cls_subtable *st
            = CONTAINER_OF(node, struct cls_subtable, node);
        if (cursor_subtable_fits(c, st)) {
            struct hmap_node *first = hmap_first(&st->rules);
            if (first) {
                return CONTAINER_OF(first, struct cls_rule, node);
            }
        }
    }
    return NULL;
}

/* The rule after 'r' in iteration order, fitting or not. */
static struct cls_rule *
cursor_after(const struct cls_cursor *c, const struct cls_rule *r)
{
    if (r->next_same) {
        return r->next_same;
    }
    const struct cls_subtable *st = r->subtable;
    const struct cls_rule *head = find_head(st, rule_hash(r), &r->match.key);
    struct hmap_node *next = hmap_next(&st->rules, &head->node);
    if (next) {
        return CONTAINER_OF(next, struct cls_rule, node);
    }
    return cursor_first_from(c, hmap_next(&c->cls->subtables, &st->node));
}

static struct cls_rule *
cursor_skip(const struct cls_cursor *c, struct cls_rule *r)
{
    while (r && !cursor_rule_fits(c, r)) {
        r = cursor_after(c, r);
    }
    return r;
}

/* Starts iterating over the rules of 'cls' that fit 'target' (borrowed for
 * the iteration; NULL for every rule): loosely, the rules whose match is
 * at least as specific as 'target' (any priority); if 'strict', the rule
 * whose match and priority equal 'target' and 'priority'. */
struct cls_cursor
cls_cursor_start(const struct classifier *cls, const struct cls_match *target,
                 int priority, bool strict)
{
    struct cls_cursor c = {
        .cls = cls, .target = target, .priority = priority, .strict = strict,
    };
    c.next = cursor_skip(&c, cursor_first_from(&c,
                                               hmap_first(&cls->subtables)));
    return c;
}

/* Returns the cursor's next rule (which must exist: c->next nonnull) and
 * advances.  The caller may remove the returned rule before the next
 * call. */
struct cls_rule *
cls_cursor_next(struct cls_cursor *c)
{
    struct cls_rule *r = c->next;
    ASSERT(r);
    c->next = cursor_skip(c, cursor_after(c, r));
    return r;
}
