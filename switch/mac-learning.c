/* MAC learning table: see mac-learning.h.  Entries live in one hmap keyed
 * by (VLAN, MAC) under a rwlock; the "seen" time of an entry is an atomic
 * so that a packet thread refreshing a known address needs no write
 * lock. */
#include "switch/mac-learning.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/util.h"

struct mac_entry {
    struct hmap_node node;      /* In 'table', by hash of vlan and mac. */
    uint16_t vlan;              /* VLAN id (0 for untagged). */
    struct eth_addr mac;        /* Ethernet address. */
    _Atomic uint32_t port;      /* Port last seen on. */
    atomic_llong seen;          /* Clock msec of the last sighting. */
};

struct mac_learning {
    pthread_rwlock_t rwlock;    /* Guards 'table'. */
    struct hmap table;          /* "struct mac_entry"s. */
    unsigned int idle_time_s;   /* Aging time in seconds. */
    size_t max_entries;         /* Capacity. */
    long long (*clock)(void);   /* Time source (msec). */
    atomic_ullong generation;   /* Bumped on every add, move or delete. */
};

static uint32_t
mac_hash(uint16_t vlan, const struct eth_addr *mac)
{
    uint64_t x = 0;
    memcpy(&x, mac->ea, 6);
    return hash_uint64(x, vlan);
}

static struct mac_entry *
mac_find(const struct mac_learning *ml, uint16_t vlan,
         const struct eth_addr *mac)
{
    struct mac_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, mac_hash(vlan, mac), &ml->table) {
        if (e->vlan == vlan && !memcmp(&e->mac, mac, sizeof *mac)) {
            return e;
        }
    }
    return NULL;
}

/* Creates an empty table whose entries expire after 'idle_time_s' seconds
 * and which holds at most 'max_entries'.  The caller owns it. */
struct mac_learning *
mac_learning_create(unsigned int idle_time_s, size_t max_entries)
{
    struct mac_learning *ml = xzalloc(sizeof *ml);
    pthread_rwlock_init(&ml->rwlock, NULL);
    hmap_init(&ml->table);
    ml->idle_time_s = idle_time_s ? idle_time_s : 1;
    ml->max_entries = max_entries ? max_entries : 1;
    ml->clock = time_msec;
    atomic_init(&ml->generation, 0);
    return ml;
}

/* Frees 'ml' (NULL is fine) and its entries. */
void
mac_learning_destroy(struct mac_learning *ml)
{
    if (!ml) {
        return;
    }
    struct mac_entry *e;
    HMAP_FOR_EACH_POP (e, node, &ml->table) {
        free(e);
    }
    hmap_uninit(&ml->table);
    pthread_rwlock_destroy(&ml->rwlock);
    free(ml);
}

/* Makes 'ml' read time from 'clock' (tests use a fake clock). */
void
mac_learning_set_clock(struct mac_learning *ml, long long (*clock)(void))
{
    ml->clock = clock;
}

/* Sets the aging time in seconds (at least 1). */
void
mac_learning_set_idle_time(struct mac_learning *ml, unsigned int idle_time_s)
{
    ml->idle_time_s = idle_time_s ? idle_time_s : 1;
}

/* Sets the capacity (at least 1); extra entries go at the next learn. */
void
mac_learning_set_max_entries(struct mac_learning *ml, size_t max)
{
    ml->max_entries = max ? max : 1;
}

static bool
mac_expired(const struct mac_learning *ml, const struct mac_entry *e,
            long long now)
{
    return now - atomic_load_explicit(&e->seen, memory_order_relaxed)
           >= (long long) ml->idle_time_s * 1000;
}

/* Removes the least recently seen entry.  Write lock held. */
static void
mac_evict_lru(struct mac_learning *ml)
{
    struct mac_entry *e, *lru = NULL;
    HMAP_FOR_EACH (e, node, &ml->table) {
        if (!lru || atomic_load(&e->seen) < atomic_load(&lru->seen)) {
            lru = e;
        }
    }
    if (lru) {
        hmap_remove(&ml->table, &lru->node);
        free(lru);
    }
}

/* Records that 'mac' on 'vlan' was seen on 'port'.  Returns whether it
 * was already known there, new, or moved from another port (the last two
 * bump the generation).  Thread-safe. */
enum mac_learning_result
mac_learning_learn(struct mac_learning *ml, uint16_t vlan,
                   const struct eth_addr *mac, uint32_t port)
{
    long long now = ml->clock();

    pthread_rwlock_rdlock(&ml->rwlock);
    struct mac_entry *e = mac_find(ml, vlan, mac);
    if (e && atomic_load(&e->port) == port) {
        atomic_store_explicit(&e->seen, now, memory_order_relaxed);
        pthread_rwlock_unlock(&ml->rwlock);
        return MAC_LEARNING_SAME;
    }
    pthread_rwlock_unlock(&ml->rwlock);

    enum mac_learning_result result;
    pthread_rwlock_wrlock(&ml->rwlock);
    e = mac_find(ml, vlan, mac);
    if (e) {
        result = atomic_load(&e->port) == port ? MAC_LEARNING_SAME
                                                : MAC_LEARNING_MOVED;
        atomic_store(&e->port, port);
    } else {
        while (hmap_count(&ml->table) >= ml->max_entries) {
            mac_evict_lru(ml);
        }
        e = xzalloc(sizeof *e);
        e->vlan = vlan;
        e->mac = *mac;
        atomic_init(&e->port, port);
        hmap_insert(&ml->table, &e->node, mac_hash(vlan, mac));
        result = MAC_LEARNING_NEW;
    }
    atomic_store(&e->seen, now);
    if (result != MAC_LEARNING_SAME) {
        atomic_fetch_add(&ml->generation, 1);
    }
    pthread_rwlock_unlock(&ml->rwlock);
    return result;
}

/* Looks up 'mac' on 'vlan'.  Returns true and stores the port in '*port'
 * if it is known and not expired.  Thread-safe. */
bool
mac_learning_lookup(struct mac_learning *ml, uint16_t vlan,
                    const struct eth_addr *mac, uint32_t *port)
{
    long long now = ml->clock();
    bool found = false;

    pthread_rwlock_rdlock(&ml->rwlock);
    const struct mac_entry *e = mac_find(ml, vlan, mac);
    if (e && !mac_expired(ml, e, now)) {
        *port = atomic_load(&e->port);
        found = true;
    }
    pthread_rwlock_unlock(&ml->rwlock);
    return found;
}

/* Removes expired entries and returns how many. */
size_t
mac_learning_run(struct mac_learning *ml)
{
    long long now = ml->clock();
    size_t n = 0;

    pthread_rwlock_wrlock(&ml->rwlock);
    struct mac_entry *e;
    HMAP_FOR_EACH_SAFE (e, node, &ml->table) {
        if (mac_expired(ml, e, now)) {
            hmap_remove(&ml->table, &e->node);
            free(e);
            n++;
        }
    }
    if (n) {
        atomic_fetch_add(&ml->generation, 1);
    }
    pthread_rwlock_unlock(&ml->rwlock);
    return n;
}

/* Removes every entry (fdb/flush). */
void
mac_learning_flush(struct mac_learning *ml)
{
    pthread_rwlock_wrlock(&ml->rwlock);
    struct mac_entry *e;
    HMAP_FOR_EACH_POP (e, node, &ml->table) {
        free(e);
    }
    atomic_fetch_add(&ml->generation, 1);
    pthread_rwlock_unlock(&ml->rwlock);
}

/* Removes the entries on 'port' (a port went away) and returns how
 * many. */
size_t
mac_learning_flush_port(struct mac_learning *ml, uint32_t port)
{
    size_t n = 0;
    pthread_rwlock_wrlock(&ml->rwlock);
    struct mac_entry *e;
    HMAP_FOR_EACH_SAFE (e, node, &ml->table) {
        if (atomic_load(&e->port) == port) {
            hmap_remove(&ml->table, &e->node);
            free(e);
            n++;
        }
    }
    if (n) {
        atomic_fetch_add(&ml->generation, 1);
    }
    pthread_rwlock_unlock(&ml->rwlock);
    return n;
}

/* Number of entries (expired ones not yet run out included). */
size_t
mac_learning_count(struct mac_learning *ml)
{
    pthread_rwlock_rdlock(&ml->rwlock);
    size_t n = hmap_count(&ml->table);
    pthread_rwlock_unlock(&ml->rwlock);
    return n;
}

/* A number that changes whenever an entry is added, moved or removed. */
uint64_t
mac_learning_generation(const struct mac_learning *ml)
{
    return atomic_load(&((struct mac_learning *) ml)->generation);
}

static int
mac_entry_cmp(const void *a_, const void *b_)
{
    const struct mac_entry *a = *(const struct mac_entry *const *) a_;
    const struct mac_entry *b = *(const struct mac_entry *const *) b_;
    uint32_t pa = atomic_load(&((struct mac_entry *) a)->port);
    uint32_t pb = atomic_load(&((struct mac_entry *) b)->port);
    if (pa != pb) {
        return pa < pb ? -1 : 1;
    }
    if (a->vlan != b->vlan) {
        return a->vlan < b->vlan ? -1 : 1;
    }
    return memcmp(&a->mac, &b->mac, sizeof a->mac);
}

/* Appends the `ovs-appctl fdb/show` text of 'ml' to 's': a header line,
 * then " port  VLAN  MAC  Age" rows sorted by port, VLAN and MAC, the port
 * named by 'port_name' (or its number when that is NULL or returns
 * NULL). */
void
mac_learning_format(struct mac_learning *ml, struct ds *s,
                    mac_learning_port_name_func *port_name, void *aux)
{
    long long now = ml->clock();

    ds_put_cstr(s, " port  VLAN  MAC                Age\n");
    pthread_rwlock_rdlock(&ml->rwlock);
    size_t n = hmap_count(&ml->table), i = 0;
    struct mac_entry **v = xcalloc(n ? n : 1, sizeof *v);
    struct mac_entry *e;
    HMAP_FOR_EACH (e, node, &ml->table) {
        v[i++] = e;
    }
    qsort(v, n, sizeof *v, mac_entry_cmp);
    for (i = 0; i < n; i++) {
        e = v[i];
        uint32_t port = atomic_load(&e->port);
        char buf[16];
        const char *name = port_name ? port_name(port, aux, buf) : NULL;
        if (!name) {
            snprintf(buf, sizeof buf, "%"PRIu32, port);
            name = buf;
        }
        long long age = (now - atomic_load(&e->seen)) / 1000;
        ds_put_format(s, "%5s  %4d  "ETH_ADDR_FMT"  %3lld\n", name,
                      e->vlan, ETH_ADDR_ARGS(e->mac), age < 0 ? 0 : age);
    }
    pthread_rwlock_unlock(&ml->rwlock);
    free(v);
}
