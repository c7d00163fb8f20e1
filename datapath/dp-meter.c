/* Datapath meters: token buckets behind the METER action.  See
 * dp-meter.h. */
#include "datapath/dp-meter.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/dp-execute.h"
#include "datapath/packet.h"
#include "lib/util.h"

/* Elapsed time counted at most this many msec at once (keeps
 * 'elapsed * rate' far from overflowing; a full bucket needs 1000). */
#define DP_METER_MAX_ELAPSED 1000000LL

#define DP_METER_QUARANTINE 256  /* Frees before a number is reused. */

struct dp_meter {
    atomic_flag lock;           /* Guards everything below. */
    bool configured;            /* dp_meter_set() since the last alloc. */
    bool allocated;             /* Between alloc and free (main thread
                                 * only; a quarantined number is not). */
    struct dp_meter_config cfg; /* Configuration. */
    uint64_t tokens[DP_METER_MAX_BANDS];   /* Bucket contents. */
    uint64_t capacity[DP_METER_MAX_BANDS]; /* Bucket sizes. */
    long long last;             /* Clock msec of the last refill. */
    struct dp_meter_stats stats; /* Counters. */
};

struct dp_meter_table {
    /* Slots, allocated on first use and kept until the table goes; packet
     * threads load them with acquire order. */
    struct dp_meter *_Atomic meters[DP_METER_MAX];
    uint64_t used[DP_METER_MAX / 64]; /* Numbers allocated or quarantined
                                       * (main thread). */
    /* Freed numbers wait here, still marked used, for DP_METER_QUARANTINE
     * more frees before they can be taken again: a megaflow that names a
     * freed meter runs until the revalidator replaces it (the same main
     * loop turn or the next), and must not meter against a new meter
     * meanwhile. */
    uint32_t quarantine[DP_METER_QUARANTINE];
    size_t n_quarantined;       /* Entries in use... */
    size_t quarantine_head;     /* ...from this one (the oldest), in a
                                 * ring. */
};

static void
meter_lock(struct dp_meter *m)
{
    while (atomic_flag_test_and_set_explicit(&m->lock,
                                             memory_order_acquire)) {
        sched_yield();
    }
}

static void
meter_unlock(struct dp_meter *m)
{
    atomic_flag_clear_explicit(&m->lock, memory_order_release);
}

/* Creates an empty table. */
struct dp_meter_table *
dp_meter_table_create(void)
{
    struct dp_meter_table *t = xzalloc(sizeof *t);
    for (size_t i = 0; i < DP_METER_MAX; i++) {
        atomic_init(&t->meters[i], NULL);
    }
    return t;
}

/* Frees 't' and its meters. */
void
dp_meter_table_destroy(struct dp_meter_table *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < DP_METER_MAX; i++) {
        free(atomic_load_explicit(&t->meters[i], memory_order_relaxed));
    }
    free(t);
}

static struct dp_meter *
meter_get(struct dp_meter_table *t, uint32_t id)
{
    if (!t || id >= DP_METER_MAX) {
        return NULL;
    }
    return atomic_load_explicit(&t->meters[id], memory_order_acquire);
}

/* Reserves a free meter number. */
int
dp_meter_alloc(struct dp_meter_table *t, uint32_t *idp)
{
    for (size_t w = 0; w < ARRAY_SIZE(t->used); w++) {
        if (t->used[w] == UINT64_MAX) {
            continue;
        }
        unsigned bit = (unsigned) __builtin_ctzll(~t->used[w]);
        uint32_t id = (uint32_t) (w * 64 + bit);
        t->used[w] |= UINT64_C(1) << bit;
        struct dp_meter *m = meter_get(t, id);
        if (!m) {
            m = xzalloc(sizeof *m);
            atomic_flag_clear(&m->lock);
            atomic_store_explicit(&t->meters[id], m, memory_order_release);
        } else {
            meter_lock(m);
            m->configured = false;
            meter_unlock(m);
        }
        m->allocated = true;
        *idp = id;
        return 0;
    }
    return -ENOSPC;
}

/* Unconfigures meter 'id' and frees its number. */
void
dp_meter_free(struct dp_meter_table *t, uint32_t id)
{
    struct dp_meter *m = meter_get(t, id);
    if (!m) {
        return;
    }
    if (!m->allocated) {
        return;
    }
    meter_lock(m);
    m->configured = false;
    meter_unlock(m);
    m->allocated = false;

    if (t->n_quarantined == DP_METER_QUARANTINE) {
        uint32_t old = t->quarantine[t->quarantine_head];

        t->used[old / 64] &= ~(UINT64_C(1) << (old % 64));
        t->quarantine_head = (t->quarantine_head + 1) % DP_METER_QUARANTINE;
        t->n_quarantined--;
    }
    t->quarantine[(t->quarantine_head + t->n_quarantined)
                  % DP_METER_QUARANTINE] = id;
    t->n_quarantined++;
}

/* The bucket size of 'band' in tokens. */
static uint64_t
band_capacity(const struct dp_meter_config *cfg,
              const struct dp_meter_band_config *band)
{
    uint64_t burst = ((cfg->flags & DP_METER_F_BURST) && band->burst_size
                      ? band->burst_size : band->rate);
    return burst * 1000;        /* kbit -> bits, packets -> 1/1000s. */
}

/* Configures meter 'id'. */
int
dp_meter_set(struct dp_meter_table *t, uint32_t id,
             const struct dp_meter_config *cfg, bool reset_stats,
             long long now)
{
    struct dp_meter *m = meter_get(t, id);
    if (!m || !m->allocated
        || cfg->n_bands > DP_METER_MAX_BANDS) {
        return -EINVAL;
    }
    for (size_t i = 0; i < cfg->n_bands; i++) {
        const struct dp_meter_band_config *b = &cfg->bands[i];
        if (!b->rate || (b->type != DP_METER_BAND_DROP
                         && b->type != DP_METER_BAND_DSCP_REMARK)) {
            return -EINVAL;
        }
    }
    meter_lock(m);
    m->cfg = *cfg;
    for (size_t i = 0; i < cfg->n_bands; i++) {
        m->capacity[i] = band_capacity(cfg, &cfg->bands[i]);
        m->tokens[i] = m->capacity[i];
    }
    m->last = now;
    if (reset_stats || !m->configured) {
        memset(&m->stats, 0, sizeof m->stats);
    }
    m->stats.n_bands = cfg->n_bands;
    m->configured = true;
    meter_unlock(m);
    return 0;
}

/* Copies the counters of meter 'id'. */
int
dp_meter_get_stats(struct dp_meter_table *t, uint32_t id,
                   struct dp_meter_stats *stats)
{
    struct dp_meter *m = meter_get(t, id);
    if (!m || !m->allocated) {
        memset(stats, 0, sizeof *stats);
        return -ENOENT;
    }
    meter_lock(m);
    *stats = m->stats;
    meter_unlock(m);
    return 0;
}

/* Adds the tokens earned since the last refill.  Lock held. */
static void
meter_refill(struct dp_meter *m, long long now)
{
    long long elapsed = now - m->last;
    if (elapsed <= 0) {
        return;
    }
    m->last = now;
    if (elapsed > DP_METER_MAX_ELAPSED) {
        elapsed = DP_METER_MAX_ELAPSED;
    }
    for (size_t i = 0; i < m->cfg.n_bands; i++) {
        uint64_t add = (uint64_t) elapsed * m->cfg.bands[i].rate;
        uint64_t room = m->capacity[i] - m->tokens[i];
        m->tokens[i] += add < room ? add : room;
    }
}

/* Runs one packet of 'size' bytes through the buckets.  Returns the
 * index of the band that applies, or -1.  Lock held. */
static int
meter_packet(struct dp_meter *m, size_t size)
{
    uint64_t cost = (m->cfg.flags & DP_METER_F_PKTPS
                     ? 1000 : (uint64_t) size * 8);
    int band = -1;
    m->stats.packets++;
    m->stats.bytes += size;
    for (size_t i = 0; i < m->cfg.n_bands; i++) {
        if (m->tokens[i] >= cost) {
            m->tokens[i] -= cost;
        } else if (band < 0
                   || m->cfg.bands[i].rate > m->cfg.bands[band].rate) {
            band = (int) i;
        }
    }
    if (band >= 0) {
        m->stats.band_packets[band]++;
        m->stats.band_bytes[band] += size;
    }
    return band;
}

/* The DSCP of an AF codepoint (RFC 2597: class 1..4, drop precedence
 * 1..3) with its precedence raised by 'levels' (at most to 3); other
 * codepoints unchanged. */
static uint8_t
dscp_raise(uint8_t dscp, unsigned int levels)
{
    unsigned int class = dscp >> 3, prec = (dscp & 7) >> 1;
    if (class < 1 || class > 4 || (dscp & 1) || prec < 1) {
        return dscp;
    }
    prec = prec + levels > 3 ? 3 : prec + levels;
    return (uint8_t) (class << 3 | prec << 1);
}

/* Rewrites the DSCP of IPv4 or IPv6 packet 'p' for a DSCP_REMARK band
 * of 'levels'; other packets are left alone. */
static void
remark_packet(struct packet *p, unsigned int levels)
{
    const uint8_t *l3 = packet_l3(p);
    if (!l3 || p->l3_ofs < 2 || packet_size(p) < p->l3_ofs + 2u) {
        return;
    }
    uint16_t ethertype = (uint16_t) (l3[-2] << 8 | l3[-1]);
    uint64_t buf[16];
    memset(buf, 0, sizeof buf);
    struct dp_action *a = (struct dp_action *) buf;
    uint8_t *payload = (uint8_t *) buf + DP_ACTION_HDR_SIZE;
    a->type = DP_ACTION_SET_MASKED;
    if (ethertype == 0x0800 && packet_size(p) >= p->l3_ofs + 20u) {
        uint8_t tos = l3[1];
        uint8_t dscp = dscp_raise(tos >> 2, levels);
        if (dscp == tos >> 2) {
            return;
        }
        struct dp_key_ipv4 *key = (struct dp_key_ipv4 *) payload;
        struct dp_key_ipv4 *mask = key + 1;
        key->tos = (uint8_t) (dscp << 2);
        mask->tos = 0xfc;
        ((uint32_t *) buf)[1] = DP_SET_IPV4;
        a->len = (uint16_t) (DP_ACTION_HDR_SIZE + 2 * sizeof *key);
    } else if (ethertype == 0x86dd && packet_size(p) >= p->l3_ofs + 40u) {
        uint8_t tclass = (uint8_t) ((l3[0] & 0x0f) << 4 | l3[1] >> 4);
        uint8_t dscp = dscp_raise(tclass >> 2, levels);
        if (dscp == tclass >> 2) {
            return;
        }
        struct dp_key_ipv6 *key = (struct dp_key_ipv6 *) payload;
        struct dp_key_ipv6 *mask = key + 1;
        key->tclass = (uint8_t) (dscp << 2);
        mask->tclass = 0xfc;
        ((uint32_t *) buf)[1] = DP_SET_IPV6;
        a->len = (uint16_t) (DP_ACTION_HDR_SIZE + 2 * sizeof *key);
    } else {
        return;
    }
    dp_execute_set_masked(p, a);
}

/* Runs 'batch' through meter 'id'. */
void
dp_meter_execute(struct dp_meter_table *t, uint32_t id,
                 struct packet_batch *batch, long long now)
{
    struct dp_meter *m = meter_get(t, id);
    if (!m || !batch->count) {
        return;
    }
    int8_t verdict[PACKET_BATCH_SIZE];     /* Band index or -1. */
    uint16_t type[DP_METER_MAX_BANDS];
    uint8_t prec[DP_METER_MAX_BANDS];

    meter_lock(m);
    if (!m->configured) {
        meter_unlock(m);
        return;
    }
    meter_refill(m, now);
    for (size_t i = 0; i < batch->count; i++) {
        verdict[i] = (int8_t) meter_packet(m, packet_size(batch->packets[i]));
    }
    for (size_t i = 0; i < m->cfg.n_bands; i++) {
        type[i] = m->cfg.bands[i].type;
        prec[i] = m->cfg.bands[i].prec_level;
    }
    meter_unlock(m);

    size_t n = 0;
    for (size_t i = 0; i < batch->count; i++) {
        struct packet *p = batch->packets[i];
        int band = verdict[i];
        if (band >= 0 && type[band] == DP_METER_BAND_DROP) {
            packet_destroy(p);
            continue;
        }
        if (band >= 0) {
            remark_packet(p, prec[band]);
        }
        batch->packets[n++] = p;
    }
    batch->count = n;
}
