/* Execution of one OVSDB "transact" request (RFC 7047 §4.1.3 and §5.2,
 * with the ovsdb-server(7) extensions): parses each operation, runs it
 * against a transaction on the database, and produces the "result" array.
 * A pure function of the database and the request: it does no I/O, so the
 * server decides when to write and commit. */
#ifndef OVSDB_EXECUTE_H
#define OVSDB_EXECUTE_H 1

#include <stdbool.h>

struct db;
struct db_txn;
struct json;

/* What the server knows about the client and the request. */
struct db_exec_env {
    /* "assert" op: does the client hold lock 'name'?  (NULL: no locks.) */
    bool (*has_lock)(const char *name, void *aux);
    void *aux;                  /* Passed to 'has_lock'. */
    long long elapsed_ms;       /* Since this transaction was first
                                   attempted; "wait" timeouts count from
                                   there. */
};

enum db_exec_status {
    DB_EXEC_DONE,       /* Nothing to commit: 'reply' is final (read-only,
                           or failed, or aborted). */
    DB_EXEC_COMMIT,     /* Changes in 'txn': the caller writes the record to
                           storage, then db_txn_commit() or db_txn_abort(). */
    DB_EXEC_BLOCKED,    /* A "wait" is not satisfied and has not timed out:
                           the caller retries the whole request later (after
                           any commit, or after 'retry_ms'). */
};

struct db_exec_result {
    enum db_exec_status status; /* What the caller must do next. */
    struct json *reply;     /* DONE/COMMIT: the "result" array, owned by the
                               caller; NULL if BLOCKED. */
    struct db_txn *txn;     /* COMMIT only: precommitted, owned by the
                               caller. */
    bool durable;           /* A "commit" op asked "durable": true. */
    long long retry_ms;     /* BLOCKED: ms until the nearest wait timeout,
                               or -1 for none. */
};

void db_execute(struct db *, const struct json *params,
                const struct db_exec_env *, struct db_exec_result *);

#endif /* ovsdb/execute.h */
