/* The desired logical flows and their owners: see lflow.h. */
#include "northd/lflow.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/util.h"

struct lflow_stage_info {
    enum lflow_pipeline pipeline; /* Ingress or egress. */
    uint8_t table;                /* Logical table number. */
    bool is_switch;               /* A logical switch stage. */
    const char *name;             /* external_ids:stage-name. */
};

static const struct lflow_stage_info stages[LFLOW_N_STAGES] = {
#define S(ID, PIPELINE, TABLE, NAME) \
    [ID] = { LFLOW_##PIPELINE, TABLE, true, NAME },
#define R(ID, PIPELINE, TABLE, NAME) \
    [ID] = { LFLOW_##PIPELINE, TABLE, false, NAME },
    LFLOW_SWITCH_STAGES
    LFLOW_ROUTER_STAGES
#undef S
#undef R
};

/* True if 'stage' belongs to a logical switch, false for a router. */
bool
lflow_stage_is_switch(enum lflow_stage stage)
{
    return stages[stage].is_switch;
}

/* Returns the pipeline of 'stage'. */
enum lflow_pipeline
lflow_stage_pipeline(enum lflow_stage stage)
{
    return stages[stage].pipeline;
}

/* Returns the logical table number of 'stage'. */
uint8_t
lflow_stage_table(enum lflow_stage stage)
{
    return stages[stage].table;
}

/* Returns the ovn-northd(8) name of 'stage', e.g. "ls_in_l2_lkup". */
const char *
lflow_stage_name(enum lflow_stage stage)
{
    return stages[stage].name;
}

/* Returns "ingress" or "egress", as ovn-sb(5) spells them. */
const char *
lflow_pipeline_to_string(enum lflow_pipeline pipeline)
{
    return pipeline == LFLOW_INGRESS ? "ingress" : "egress";
}

/* Returns the stage of a switch ('is_switch') or router datapath at
 * 'pipeline' and 'table', or -1 if there is none. */
int
lflow_stage_find(bool is_switch, enum lflow_pipeline pipeline,
                 unsigned int table)
{
    for (int i = 0; i < LFLOW_N_STAGES; i++) {
        if (stages[i].is_switch == is_switch
            && stages[i].pipeline == pipeline && stages[i].table == table) {
            return i;
        }
    }
    return -1;
}

/* Initializes 'table' empty. */
void
lflow_table_init(struct lflow_table *table)
{
    hmap_init(&table->flows);
    list_init(&table->dirty);
    table->n_live = 0;
    hmap_init(&table->groups);
}

static void
lflow_dp_group_free(struct lflow_table *table, struct lflow_dp_group *g)
{
    hmap_remove(&table->groups, &g->node);
    free(g->dps);
    free(g);
}

static void
lflow_free(struct lflow_table *table, struct lflow *f)
{
    struct lflow_dp_group *g = f->group;
    if (g && !--g->n_flows && g->released) {
        lflow_dp_group_free(table, g);
    }
    free(f->match);
    free(f->actions);
    free(f->in_out_port);
    free(f);
}

/* Frees every flow of 'table'.  Owners must not be used afterwards except
 * with lflow_owner_init(). */
void
lflow_table_uninit(struct lflow_table *table)
{
    struct lflow *f;
    HMAP_FOR_EACH_POP (f, node, &table->flows) {
        f->group = NULL;
        lflow_free(table, f);
    }
    hmap_uninit(&table->flows);
    list_init(&table->dirty);
    table->n_live = 0;
    struct lflow_dp_group *g;
    HMAP_FOR_EACH_SAFE (g, node, &table->groups) {
        lflow_dp_group_free(table, g);
    }
    hmap_uninit(&table->groups);
}

/* Creates an empty datapath group in 'table' with identity 'id' (a new
 * random one if NULL), for the caller to fill (lflow_dp_group_set()) and
 * pass as the datapath of lflow_add(): lflow_add(table, owner,
 * &group->id, ...).  The table owns it; the caller calls
 * lflow_dp_group_release() when done with it.  A group released with the
 * same identity whose flows are still in the table comes back, members
 * and all.  An identity that the same thing gets every time (a northd
 * restart included) keeps its flows' rows in the southbound database. */
struct lflow_dp_group *
lflow_dp_group_create(struct lflow_table *table, const struct uuid *id)
{
    struct lflow_dp_group *g = id ? lflow_dp_group_find(table, id) : NULL;
    if (g) {
        ASSERT(g->released);
        g->released = false;
        return g;
    }
    g = xzalloc(sizeof *g);
    if (id) {
        g->id = *id;
    } else {
        uuid_generate(&g->id);
    }
    hmap_insert(&table->groups, &g->node, uuid_hash(&g->id));
    return g;
}

/* Says that the caller of lflow_dp_group_create() is done with 'g', whose
 * owners must all have dropped their flows: 'g' goes away with the last of
 * them (at lflow_table_sync_done()), or now if it has none. */
void
lflow_dp_group_release(struct lflow_table *table, struct lflow_dp_group *g)
{
    ASSERT(!g->n_live);
    g->released = true;
    if (!g->n_flows) {
        lflow_dp_group_free(table, g);
    }
}

static int
uuid_compare_3way(const void *a_, const void *b_)
{
    const struct uuid *a = a_, *b = b_;
    return memcmp(a, b, sizeof *a);
}

/* Makes the 'n_dps' datapaths in 'dps' (any order, no duplicates) the
 * members of 'g'; marks 'g' changed if they differ from the old ones. */
void
lflow_dp_group_set(struct lflow_dp_group *g, const struct uuid *dps,
                   size_t n_dps)
{
    struct uuid *sorted = xmemdup(dps, n_dps * sizeof *dps);
    qsort(sorted, n_dps, sizeof *sorted, uuid_compare_3way);
    if (n_dps == g->n_dps
        && (!n_dps || !memcmp(sorted, g->dps, n_dps * sizeof *sorted))) {
        free(sorted);
        return;
    }
    free(g->dps);
    g->dps = sorted;
    g->n_dps = g->allocated_dps = n_dps;
    g->changed = true;
}

/* Returns the group of 'table' whose identity is 'id', or NULL. */
struct lflow_dp_group *
lflow_dp_group_find(const struct lflow_table *table, const struct uuid *id)
{
    struct lflow_dp_group *g;
    HMAP_FOR_EACH_WITH_HASH (g, node, uuid_hash(id), &table->groups) {
        if (uuid_equals(&g->id, id)) {
            return g;
        }
    }
    return NULL;
}

/* Returns the hash of a flow's key. */
uint32_t
lflow_hash(const struct uuid *dp, enum lflow_stage stage,
           unsigned int priority, const char *match, const char *actions)
{
    uint32_t h = uuid_hash(dp);
    h = hash_add(h, (uint32_t) stage << 16 | priority);
    h = hash_string(match, h);
    return hash_string(actions, h);
}

/* Returns the flow of 'table' with the given key and its 'hash'
 * (lflow_hash()), owned or not, or NULL. */
struct lflow *
lflow_table_find(const struct lflow_table *table, const struct uuid *dp,
                 enum lflow_stage stage, unsigned int priority,
                 const char *match, const char *actions, uint32_t hash)
{
    struct lflow *f;
    HMAP_FOR_EACH_WITH_HASH (f, node, hash, &table->flows) {
        if (f->stage == stage && f->priority == priority
            && uuid_equals(&f->dp, dp) && !strcmp(f->match, match)
            && !strcmp(f->actions, actions)) {
            return f;
        }
    }
    return NULL;
}

static void
lflow_mark_dirty(struct lflow_table *table, struct lflow *f)
{
    if (!f->dirty) {
        f->dirty = true;
        list_push_back(&table->dirty, &f->dirty_node);
    }
}

/* Adds to 'table' a reference from 'owner' to the flow with the given key,
 * creating the flow if it is new.  'dp' is the northbound UUID of a switch
 * or router, or the 'id' of one of the table's datapath groups.  'hint' (may be NULL) and 'in_out_port'
 * (may be NULL) fill the flow's extra columns when it is created.  Copies
 * the strings. */
void
lflow_add(struct lflow_table *table, struct lflow_owner *owner,
          const struct uuid *dp, enum lflow_stage stage,
          unsigned int priority, const char *match, const char *actions,
          const struct uuid *hint, const char *in_out_port)
{
    uint32_t hash = lflow_hash(dp, stage, priority, match, actions);
    struct lflow *f = lflow_table_find(table, dp, stage, priority, match,
                                       actions, hash);
    if (!f) {
        f = xzalloc(sizeof *f);
        f->dp = *dp;
        f->stage = stage;
        f->priority = priority;
        f->match = xstrdup(match);
        f->actions = xstrdup(actions);
        f->group = (hmap_is_empty(&table->groups) ? NULL
                    : lflow_dp_group_find(table, dp));
        if (f->group) {
            f->group->n_flows++;
        }
        hmap_insert(&table->flows, &f->node, hash);
    }
    if (!f->n_refs++) {
        /* (Re)gaining an owner: the extra columns follow it. */
        if (hint) {
            f->hint = *hint;
        } else {
            uuid_zero(&f->hint);
        }
        free(f->in_out_port);
        f->in_out_port = in_out_port ? xstrdup(in_out_port) : NULL;
        table->n_live++;
        if (f->group) {
            f->group->n_live++;
        }
        lflow_mark_dirty(table, f);
    }
    if (owner->n_flows >= owner->allocated_flows) {
        owner->flows = x2nrealloc(owner->flows, &owner->allocated_flows,
                                  sizeof *owner->flows);
    }
    owner->flows[owner->n_flows++] = f;
}

/* Initializes 'owner' with no flows. */
void
lflow_owner_init(struct lflow_owner *owner)
{
    owner->flows = NULL;
    owner->n_flows = 0;
    owner->allocated_flows = 0;
}

/* Drops every reference of 'owner' to flows of 'table'.  A flow left with
 * no owner stays in 'table', dirty, until lflow_table_sync_done(). */
void
lflow_owner_clear(struct lflow_table *table, struct lflow_owner *owner)
{
    for (size_t i = 0; i < owner->n_flows; i++) {
        struct lflow *f = owner->flows[i];
        ASSERT(f->n_refs > 0);
        if (!--f->n_refs) {
            table->n_live--;
            if (f->group) {
                f->group->n_live--;
            }
            lflow_mark_dirty(table, f);
        }
    }
    owner->n_flows = 0;
}

/* Clears 'owner' and frees its memory. */
void
lflow_owner_uninit(struct lflow_table *table, struct lflow_owner *owner)
{
    lflow_owner_clear(table, owner);
    free(owner->flows);
    lflow_owner_init(owner);
}

/* Ends a sync: empties the dirty list and frees the flows without an
 * owner. */
void
lflow_table_sync_done(struct lflow_table *table)
{
    struct lflow *f;
    LIST_FOR_EACH_POP (f, dirty_node, &table->dirty) {
        f->dirty = false;
        if (!f->n_refs) {
            hmap_remove(&table->flows, &f->node);
            lflow_free(table, f);
        }
    }
}
