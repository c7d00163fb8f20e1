/* OVSDB atoms: single values of an atomic type (RFC 7047 <atom>), and the
 * symbol table of "uuid-name"s that lets one transaction refer to rows it
 * inserts. */
#ifndef OVSDB_ATOM_H
#define OVSDB_ATOM_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/hmap.h"
#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/type.h"

struct db_error;
struct ds;
struct json;

/* One value.  Which member is valid depends on the enum db_atomic_type kept
 * beside it (in the column's type). */
union atom {
    long long integer;          /* DB_TYPE_INTEGER. */
    double real;                /* DB_TYPE_REAL. */
    bool boolean;               /* DB_TYPE_BOOLEAN. */
    char *string;               /* DB_TYPE_STRING: UTF-8, owned. */
    struct uuid uuid;           /* DB_TYPE_UUID. */
};

/* Named UUIDs of one transaction: "uuid-name" on insert defines a name,
 * ["named-uuid", NAME] anywhere in the transaction refers to it (even
 * before the insert that defines it). */
struct db_symbol {
    struct hmap_node node;      /* In db_symtab.symbols, by name hash. */
    char *name;                 /* Owned. */
    struct uuid uuid;           /* The row UUID the name stands for. */
    bool created;               /* An insert defined it with "uuid-name". */
};

struct db_symtab {
    struct hmap symbols;        /* Contains "struct db_symbol"s. */
};

void db_symtab_init(struct db_symtab *);
void db_symtab_uninit(struct db_symtab *);
struct db_symbol *db_symtab_find(const struct db_symtab *, const char *name);
struct db_symbol *db_symtab_put(struct db_symtab *, const char *name);

/* Atoms. */
void atom_init_default(union atom *, enum db_atomic_type);
bool atom_is_default(const union atom *, enum db_atomic_type);
void atom_clone(union atom *dst, const union atom *src, enum db_atomic_type);
void atom_destroy(union atom *, enum db_atomic_type);
int atom_compare(const union atom *, const union atom *, enum db_atomic_type);
uint32_t atom_hash(const union atom *, enum db_atomic_type, uint32_t basis);

static inline bool
atom_equals(const union atom *a, const union atom *b,
            enum db_atomic_type type)
{
    return !atom_compare(a, b, type);
}

struct db_error *atom_from_json(union atom *, const struct db_base_type *,
                                const struct json *, struct db_symtab *)
    WARN_UNUSED_RESULT;
struct json *atom_to_json(const union atom *, enum db_atomic_type);
void atom_to_json_ds(const union atom *, enum db_atomic_type, struct ds *);
struct db_error *atom_check_constraints(const union atom *,
                                        const struct db_base_type *)
    WARN_UNUSED_RESULT;
void atom_to_ds(const union atom *, enum db_atomic_type, struct ds *);

size_t atom_utf8_length(const char *);

#endif /* ovsdb/atom.h */
