/* Internals shared by switch/ofproto.c and switch/ofproto-bundle.c;
 * nothing else includes this file. */
#ifndef SWITCH_OFPROTO_PRIVATE_H
#define SWITCH_OFPROTO_PRIVATE_H 1

#include <stdint.h>

#include "switch/ofproto.h"

/* Drops 'const' from a pointer whose object is known to be writable. */
#define CONST_CAST(TYPE, POINTER) ((TYPE) (uintptr_t) (POINTER))

/* One logged change of a transaction. */
enum txn_op {
    TXN_RULE_ADD,               /* 'rule' inserted, displacing 'old'. */
    TXN_RULE_DEL,               /* 'rule' removed for 'reason'. */
    TXN_RULE_MOD,               /* 'rule' changed; old values saved. */
    TXN_GROUP,                  /* 'old_group' replaced by 'new_group'
                                 * (either may be NULL). */
    TXN_METER,                  /* 'old_meter' replaced by 'new_meter'
                                 * (either may be NULL). */
};

struct txn_entry {
    enum txn_op op;             /* What changed. */
    struct ofproto_rule *rule;  /* Rule changed (owned for DEL). */
    struct ofproto_rule *old;   /* ADD: the displaced rule (owned). */
    enum ofproto_removed_reason reason; /* DEL: why. */
    struct ofproto_actions *old_actions; /* MOD: previous actions (owned). */
    uint64_t old_cookie;        /* MOD: previous cookie. */
    long long old_modified;     /* MOD: previous modify time. */
    uint64_t old_packets;       /* MOD: previous packet count. */
    uint64_t old_bytes;         /* MOD: previous byte count. */
    struct ofproto_group *old_group; /* GROUP: removed group (owned). */
    struct ofproto_group *new_group; /* GROUP: inserted group. */
    struct ofproto_meter *old_meter; /* METER: removed meter (owned). */
    struct ofproto_meter *new_meter; /* METER: inserted meter. */
};

struct ofproto_txn {
    struct ofproto *ofproto;    /* Write-locked for the txn's life. */
    struct txn_entry *log;      /* Changes in order.  Owned. */
    size_t n_log;               /* Entries in 'log'. */
    size_t allocated_log;       /* Slots in 'log'. */
};

/* ofproto.c: the transaction log, for ofproto-meter.c. */
struct txn_entry *ofproto__txn_log(struct ofproto_txn *, enum txn_op);
void ofproto__txn_delete_rule(struct ofproto_txn *, struct ofproto_rule *,
                              enum ofproto_removed_reason);

/* ofproto-meter.c: TXN_METER undo (the table back as it was) and finish
 * (the datapath meter configured or freed, the replaced meter freed), and
 * freeing every meter when the switch goes. */
void ofproto_meter__undo(struct ofproto *, struct txn_entry *);
void ofproto_meter__finish(struct ofproto *, struct txn_entry *);
void ofproto_meter__destroy_all(struct ofproto *);

#endif /* switch/ofproto-private.h */
