/* Test hooks of ovsdb/journal.c: storage faults injected into the next
 * write, so that unit tests can check recovery.  Nothing but tests includes
 * this header. */
#ifndef OVSDB_JOURNAL_PRIVATE_H
#define OVSDB_JOURNAL_PRIVATE_H 1

#include <sys/types.h>

struct journal;

enum journal_fault {
    JOURNAL_FAULT_NONE,         /* Writes behave normally. */

    /* The next write stores only its first 'arg' bytes and fails with
     * -EIO, leaving those bytes in the file as a crash in the middle of the
     * write would (no clean-up runs). */
    JOURNAL_FAULT_SHORT_WRITE,

    /* The next write stores its first 'arg' bytes and then fails with
     * -ENOSPC, like a full disk; the journal's error handling runs. */
    JOURNAL_FAULT_ENOSPC,

    /* The next write succeeds, then the file is cut to 'arg' bytes, as if a
     * crash lost every byte past 'arg' that was not yet durable. */
    JOURNAL_FAULT_CUT,
};

/* Arms 'fault' with argument 'arg' for the next write of 'journal' (a record
 * by journal_write() or the temporary file of journal_replace()).  The fault
 * fires once, then writes behave normally again. */
void journal__set_fault(struct journal *, enum journal_fault, off_t arg);

#endif /* ovsdb/journal-private.h */
