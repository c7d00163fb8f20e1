/* "afxdp" netdevs (netdev-afxdp.c): the parts that can be tested without
 * a device -- the option parsing and the index arithmetic of the AF_XDP
 * single-producer, single-consumer rings shared with the kernel.
 *
 * An AF_XDP ring (the kernel's Documentation/networking/af_xdp.rst) is an
 * array of a power-of-two 'size' entries with two free-running 32-bit
 * indexes, 'producer' and 'consumer', in memory shared with the kernel:
 * entry i lives at slot (i & mask), the producer owns the entries from
 * consumer + size up to producer (the free ones), the consumer those from
 * consumer to producer (the full ones).  Both indexes wrap at 2^32, so
 * every difference is computed in uint32_t.  Each side keeps a cached copy
 * of the other side's index and reads the shared one (acquire) only when
 * the cached view is not enough. */
#ifndef DATAPATH_NETDEV_AFXDP_H
#define DATAPATH_NETDEV_AFXDP_H 1

#include <stdbool.h>
#include <stdint.h>

struct strmap;

/* options:xdp-mode (ovs-vswitchd.conf.db(5)). */
enum afxdp_mode {
    AFXDP_MODE_BEST_EFFORT,     /* Native, else generic (the default). */
    AFXDP_MODE_NATIVE_ZC,       /* Native with zero-copy, or fail. */
    AFXDP_MODE_NATIVE,          /* Driver XDP, copying (XDP_FLAGS_DRV_MODE). */
    AFXDP_MODE_GENERIC,         /* XDP after skb allocation (SKB_MODE). */
};

/* What an "afxdp" port was asked for. */
struct afxdp_config {
    enum afxdp_mode mode;       /* options:xdp-mode. */
    int n_rxq;                  /* options:n_rxq, 1..AFXDP_MAX_RXQ. */
};

#define AFXDP_MAX_RXQ 16

/* Parses 'options' (may be NULL) into '*cfg'.  Returns NULL, or a static
 * string saying what is wrong (then '*cfg' holds the defaults). */
const char *afxdp_parse_options(const struct strmap *options,
                                struct afxdp_config *cfg);
/* The option spelling of 'mode' ("best-effort", "native", ...). */
const char *afxdp_mode_to_string(enum afxdp_mode mode);

/* One side's view of a ring. */
struct afxdp_ring {
    uint32_t *producer;         /* Shared producer index. */
    uint32_t *consumer;         /* Shared consumer index. */
    uint32_t *flags;            /* Shared flags word (need_wakeup). */
    void *ring;                 /* The 'size' entries. */
    uint32_t size;              /* Entries, a power of 2. */
    uint32_t mask;              /* size - 1. */
    uint32_t cached_prod;       /* Producer index as this side knows it
                                 * (its own, if it produces). */
    uint32_t cached_cons;       /* Consumer index as this side knows it
                                 * (its own, if it consumes). */
};

/* Producer side: how many entries, up to 'n', can be written now.  They
 * are at indexes cached_prod .. cached_prod + result - 1. */
static inline uint32_t
afxdp_ring_prod_free(struct afxdp_ring *r, uint32_t n)
{
    uint32_t free_entries = r->size - (r->cached_prod - r->cached_cons);

    if (free_entries < n) {
        r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
        free_entries = r->size - (r->cached_prod - r->cached_cons);
    }
    return free_entries < n ? free_entries : n;
}

/* Producer side: publishes the next 'n' entries (already written). */
static inline void
afxdp_ring_prod_submit(struct afxdp_ring *r, uint32_t n)
{
    r->cached_prod += n;
    __atomic_store_n(r->producer, r->cached_prod, __ATOMIC_RELEASE);
}

/* Consumer side: how many entries, up to 'n', can be read now.  They are
 * at indexes cached_cons .. cached_cons + result - 1. */
static inline uint32_t
afxdp_ring_cons_avail(struct afxdp_ring *r, uint32_t n)
{
    uint32_t avail = r->cached_prod - r->cached_cons;

    if (avail < n) {
        r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
        avail = r->cached_prod - r->cached_cons;
    }
    return avail < n ? avail : n;
}

/* Consumer side: gives the next 'n' entries (already read) back. */
static inline void
afxdp_ring_cons_release(struct afxdp_ring *r, uint32_t n)
{
    r->cached_cons += n;
    __atomic_store_n(r->consumer, r->cached_cons, __ATOMIC_RELEASE);
}

/* The slot of ring index 'idx'. */
static inline uint32_t
afxdp_ring_slot(const struct afxdp_ring *r, uint32_t idx)
{
    return idx & r->mask;
}

#endif /* datapath/netdev-afxdp.h */
