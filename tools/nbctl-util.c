/* Lookups shared by kiln-nbctl's command families (see nbctl-private.h). */
#include "tools/nbctl-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"

const struct idl_column *
nbctl_col(const struct dbctl_context *ctx, const char *table,
          const char *column)
{
    return dbctl_column(dbctl_table(ctx, table), column);
}

/* What differs between the lookups of the four kinds of objects. */
struct nbctl_kind {
    const char *table;          /* Table name. */
    const char *noun;           /* In "%s: <noun> name not found". */
    const char *plural;         /* In "Multiple <plural> named '%s'". */
};

static const struct nbctl_kind ls_kind = {
    "Logical_Switch", "switch", "logical switches",
};
static const struct nbctl_kind lsp_kind = {
    "Logical_Switch_Port", "port", "logical switch ports",
};
static const struct nbctl_kind lr_kind = {
    "Logical_Router", "router", "logical routers",
};
static const struct nbctl_kind lrp_kind = {
    "Logical_Router_Port", "port", "logical router ports",
};

const struct idl_row *
nbctl_lookup(struct dbctl_context *ctx, const char *table_name,
             const char *noun, const char *plural, const char *id,
             bool must_exist, int *error)
{
    struct idl_table *table = dbctl_table(ctx, table_name);
    const struct idl_row *row = NULL;
    struct uuid uuid;
    bool is_uuid = uuid_from_string(&uuid, id);

    *error = 0;
    if (is_uuid) {
        row = dbctl_row_by_uuid(ctx, table, &uuid);
    }
    if (!row) {
        const struct idl_row *found[2];
        size_t n = dbctl_rows_by_string(ctx, dbctl_column(table, "name"),
                                        id, found, plural ? 2 : 1);
        if (n > 1) {
            *error = dbctl_fail(ctx, "Multiple %s named '%s'.  Use a UUID.",
                                plural, id);
            return NULL;
        }
        row = n ? found[0] : NULL;
    }
    if (!row && must_exist) {
        *error = dbctl_fail(ctx, "%s: %s %s not found", id, noun,
                            is_uuid ? "UUID" : "name");
    }
    return row;
}

static const struct idl_row *
lookup(struct dbctl_context *ctx, const struct nbctl_kind *kind,
       const char *id, bool must_exist, int *error)
{
    return nbctl_lookup(ctx, kind->table, kind->noun, kind->plural, id,
                        must_exist, error);
}

const struct idl_row *
nbctl_ls_lookup(struct dbctl_context *ctx, const char *id, bool must_exist,
                int *error)
{
    return lookup(ctx, &ls_kind, id, must_exist, error);
}

const struct idl_row *
nbctl_lsp_lookup(struct dbctl_context *ctx, const char *id, bool must_exist,
                 int *error)
{
    return lookup(ctx, &lsp_kind, id, must_exist, error);
}

const struct idl_row *
nbctl_lr_lookup(struct dbctl_context *ctx, const char *id, bool must_exist,
                int *error)
{
    return lookup(ctx, &lr_kind, id, must_exist, error);
}

const struct idl_row *
nbctl_lrp_lookup(struct dbctl_context *ctx, const char *id, bool must_exist,
                 int *error)
{
    return lookup(ctx, &lrp_kind, id, must_exist, error);
}

/* The row of 'table' whose set column 'ports' holds 'port'. */
static const struct idl_row *
owner_of(struct dbctl_context *ctx, const char *table_name,
         const struct idl_row *port)
{
    struct idl_table *table = dbctl_table(ctx, table_name);
    const struct idl_column *ports = dbctl_column(table, "ports");
    union atom key = { .uuid = *idl_row_uuid(port) };
    size_t n;
    const struct idl_row **rows = dbctl_rows(ctx, table, &n);
    const struct idl_row *owner = NULL;
    for (size_t i = 0; i < n && !owner; i++) {
        if (datum_find_key(dbctl_get(ctx, rows[i], ports), &key,
                           DB_TYPE_UUID) != SIZE_MAX) {
            owner = rows[i];
        }
    }
    free(rows);
    return owner;
}

const struct idl_row *
nbctl_lsp_switch(struct dbctl_context *ctx, const struct idl_row *lsp)
{
    return owner_of(ctx, "Logical_Switch", lsp);
}

const struct idl_row *
nbctl_lrp_router(struct dbctl_context *ctx, const struct idl_row *lrp)
{
    return owner_of(ctx, "Logical_Router", lrp);
}

/* qsort() can take no context; sorting happens in one thread. */
static const struct dbctl_context *sort_ctx;
static const struct idl_column *sort_column;

static int
compare_by_string(const void *a_, const void *b_)
{
    const struct idl_row *const *a = a_, *const *b = b_;
    const char *sa = dbctl_get_string(sort_ctx, *a, sort_column);
    const char *sb = dbctl_get_string(sort_ctx, *b, sort_column);
    int cmp = strcmp(sa ? sa : "", sb ? sb : "");
    return cmp ? cmp : uuid_compare(idl_row_uuid(*a),
                                    idl_row_uuid(*b));
}

void
nbctl_sort_by_string(const struct dbctl_context *ctx,
                     const struct idl_row **rows, size_t n,
                     const struct idl_column *column)
{
    sort_ctx = ctx;
    sort_column = column;
    qsort(rows, n, sizeof *rows, compare_by_string);
    sort_ctx = NULL;
    sort_column = NULL;
}

/* Columns emptied by the current batch (see nbctl_ref_view()).  A batch
 * runs again only after the replica changed, so a different sequence
 * number (or context) means a new run. */
struct cleared_ref {
    struct uuid row;                    /* The row whose column... */
    const struct idl_column *column;    /* ...was emptied. */
};

static struct {
    const struct dbctl_context *ctx;    /* The batch run they belong to. */
    uint64_t seqno;                     /* Replica sequence number then. */
    struct cleared_ref *refs;           /* Emptied columns. */
    size_t n, allocated;                /* Used and allocated 'refs'. */
} cleared;

static bool
ref_cleared(const struct dbctl_context *ctx, const struct idl_row *row,
            const struct idl_column *column)
{
    uint64_t seqno = idl_seqno(dbctl_idl(ctx));
    if (cleared.ctx != ctx || cleared.seqno != seqno) {
        cleared.ctx = ctx;
        cleared.seqno = seqno;
        cleared.n = 0;
    }
    for (size_t i = 0; i < cleared.n; i++) {
        if (cleared.refs[i].column == column
            && uuid_equals(&cleared.refs[i].row, idl_row_uuid(row))) {
            return true;
        }
    }
    return false;
}

const struct datum *
nbctl_ref_view(const struct dbctl_context *ctx, const struct idl_row *row,
               const struct idl_column *column)
{
    static struct datum empty;
    if (ref_cleared(ctx, row, column)) {
        return &empty;
    }
    const struct idl_row *replica = idl_row_find(idl_row_table(row),
                                                 idl_row_uuid(row));
    return replica ? idl_row_get(replica, column) : &empty;
}

void
nbctl_ref_clear(struct dbctl_context *ctx, const struct idl_row *row,
                const struct idl_column *column)
{
    /* ovn-nbctl writes the empty set; earlier and later insertions of the
     * batch still apply on top of it, so removing what the replica has
     * gives the same result. */
    const struct datum *d = nbctl_ref_view(ctx, row, column);
    for (size_t i = 0; i < d->n; i++) {
        dbctl_set_remove(ctx, row, column, &d->keys[i]);
    }
    if (cleared.n >= cleared.allocated) {
        cleared.refs = x2nrealloc(cleared.refs, &cleared.allocated,
                                  sizeof *cleared.refs);
    }
    cleared.refs[cleared.n++] = (struct cleared_ref) {
        .row = *idl_row_uuid(row),
        .column = column,
    };
}

/* The bucket mask of ovn-nbctl's string-map hash table holding 'n'
 * elements. */
static size_t
smap_mask_for(size_t n)
{
    size_t mask = n / 2;
    for (unsigned int shift = 1; shift < 8 * sizeof mask; shift *= 2) {
        mask |= mask >> shift;
    }
    mask |= (mask & 1) << 1;    /* Never 1 bucket more than needed. */
    return mask;
}

void
nbctl_smap_order(const union atom *keys, size_t n, size_t *order)
{
    uint32_t *hashes = xcalloc(n + 1, sizeof *hashes);
    size_t *next = xcalloc(n + 1, sizeof *next);
    size_t mask = 0;
    size_t *heads = xmalloc(sizeof *heads);
    heads[0] = SIZE_MAX;

    for (size_t i = 0; i < n; i++) {
        hashes[i] = hash_string(keys[i].string, 0);
        size_t *bucket = &heads[hashes[i] & mask];
        next[i] = *bucket;
        *bucket = i;
        size_t count = i + 1;
        if (count / 2 > mask && smap_mask_for(count) > mask) {
            size_t new_mask = smap_mask_for(count);
            size_t *new_heads = xmalloc((new_mask + 1) * sizeof *new_heads);
            for (size_t b = 0; b <= new_mask; b++) {
                new_heads[b] = SIZE_MAX;
            }
            for (size_t b = 0; b <= mask; b++) {
                for (size_t e = heads[b], nx; e != SIZE_MAX; e = nx) {
                    nx = next[e];
                    size_t *nb = &new_heads[hashes[e] & new_mask];
                    next[e] = *nb;
                    *nb = e;
                }
            }
            free(heads);
            heads = new_heads;
            mask = new_mask;
        }
    }
    size_t k = 0;
    for (size_t b = 0; b <= mask; b++) {
        for (size_t e = heads[b]; e != SIZE_MAX; e = next[e]) {
            order[k++] = e;
        }
    }
    free(heads);
    free(next);
    free(hashes);
}
