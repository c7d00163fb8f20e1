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

static const struct idl_row *
lookup(struct dbctl_context *ctx, const struct nbctl_kind *kind,
       const char *id, bool must_exist, int *error)
{
    struct idl_table *table = dbctl_table(ctx, kind->table);
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
                                        id, found, 2);
        if (n > 1) {
            *error = dbctl_fail(ctx, "Multiple %s named '%s'.  Use a UUID.",
                                kind->plural, id);
            return NULL;
        }
        row = n ? found[0] : NULL;
    }
    if (!row && must_exist) {
        *error = dbctl_fail(ctx, "%s: %s %s not found", id, kind->noun,
                            is_uuid ? "UUID" : "name");
    }
    return row;
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
