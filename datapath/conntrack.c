/* Connection tracking: the sharded table, lookups, commit, expiry,
 * eviction and management.  Protocol state lives in conntrack-tcp.c and
 * conntrack-other.c, NAT in conntrack-nat.c, ICMP errors in
 * conntrack-icmp-related.c, the FTP ALG in conntrack-ftp.c.
 *
 * Locking: a packet thread holds at most one shard mutex (that of the
 * node it found) and then the connection's spinlock; a connection is
 * reachable only through its two nodes, so whoever holds both shards'
 * mutexes may free it.  Creating or deleting takes 'commit_mutex' first,
 * then the shard mutexes in index order.  The sweeper holds its shard
 * and only trylocks a second one. */
#include "datapath/conntrack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/conntrack-private.h"
#include "datapath/flow-extract.h"
#include "lib/ds.h"
#include "lib/hash.h"

#define ETH_TYPE_IP_ 0x0800
#define ETH_TYPE_IPV6_ 0x86dd
#define SWEEP_BUDGET 32         /* Entries a full table's commit
                                 * sweeps before evicting. */
#define SWEEP_PERIOD_MS 2000    /* conntrack_execute() sweeps the table
                                 * about once in this many ms... */
#define SWEEP_MAX_MS 64         /* ...catching up at most this many ms. */

static const uint32_t default_timeouts[CT_TM_N] = {
    [CT_TM_TCP_SYN_SENT] = 30,
    [CT_TM_TCP_SYN_RECV] = 30,
    [CT_TM_TCP_ESTABLISHED] = 86400,
    [CT_TM_TCP_FIN_WAIT] = 120,
    [CT_TM_TCP_TIME_WAIT] = 30,
    [CT_TM_TCP_CLOSE] = 10,
    [CT_TM_UDP_FIRST] = 30,
    [CT_TM_UDP_MULTIPLE] = 120,
    [CT_TM_ICMP] = 30,
    [CT_TM_OTHER_FIRST] = 60,
    [CT_TM_OTHER_MULTIPLE] = 120,
};

/* Creates an empty tracker.  See conntrack.h. */
struct conntrack *
conntrack_create(void)
{
    struct conntrack *ct;

    if (posix_memalign((void **) &ct, 64, sizeof *ct)) {
        abort();
    }
    memset(ct, 0, sizeof *ct);
    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        struct ct_shard *s = &ct->shards[i];

        pthread_mutex_init(&s->mutex, NULL);
        hmap_init(&s->conns);
        list_init(&s->unreplied);
        list_init(&s->replied);
    }
    pthread_mutex_init(&ct->commit_mutex, NULL);
    pthread_mutex_init(&ct->expect_mutex, NULL);
    atomic_init(&ct->n_conns, 0);
    atomic_init(&ct->last_sweep, 0);
    atomic_init(&ct->maxconns, CONNTRACK_DEFAULT_MAXCONNS);
    memcpy(ct->timeouts, default_timeouts, sizeof ct->timeouts);
    ct->hash_basis = (uint32_t) random();
    list_init(&ct->expectations);
    ct->ipf = ipf_create();
    return ct;
}

static void
conn_free(struct ct_conn *conn)
{
    pthread_spin_destroy(&conn->lock);
    free(conn->ftp);
    free(conn);
}

/* Frees 'ct' and every connection.  See conntrack.h. */
void
conntrack_destroy(struct conntrack *ct)
{
    if (!ct) {
        return;
    }
    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        struct ct_shard *s = &ct->shards[i];
        struct ct_conn *conn;

        LIST_FOR_EACH_POP (conn, list_node, &s->unreplied) {
            conn_free(conn);
        }
        LIST_FOR_EACH_POP (conn, list_node, &s->replied) {
            conn_free(conn);
        }
        hmap_uninit(&s->conns);
        pthread_mutex_destroy(&s->mutex);
    }
    conntrack__expect_flush(ct, 0, true);
    ipf_destroy(ct->ipf);
    pthread_mutex_destroy(&ct->commit_mutex);
    pthread_mutex_destroy(&ct->expect_mutex);
    free(ct);
}

/* The hash of 'key' for the table. */
uint32_t
conntrack__key_hash(const struct ct_key *key, uint32_t basis)
{
    return hash_bytes(key, sizeof *key, basis);
}

/* Stores in 'out' the tuple of a packet going the other way. */
void
conntrack__key_reverse(const struct ct_key *key, struct ct_key *out)
{
    struct ct_key k = *key;

    k.src = key->dst;
    k.dst = key->src;
    k.sport = key->dport;
    k.dport = key->sport;
    *out = k;
}

static struct ct_shard *
shard_of(struct conntrack *ct, uint32_t hash)
{
    return &ct->shards[hash >> 24 & (CT_N_SHARDS - 1)];
}

static size_t
shard_index(struct conntrack *ct, const struct ct_node *node)
{
    return (size_t) (shard_of(ct, node->hmap_node.hash) - ct->shards);
}

static struct ct_conn *
conn_of_node(struct ct_node *node, enum ct_dir *dir)
{
    *dir = node->dir;
    return node->dir == CT_DIR_ORIG
           ? CONTAINER_OF(node, struct ct_conn, node[0])
           : CONTAINER_OF(node, struct ct_conn, node[1]);
}

/* Finds 'key' in its shard (whose mutex the caller holds), expired or
 * not. */
static struct ct_conn *
find_any(struct conntrack *ct, const struct ct_key *key, uint32_t hash,
         enum ct_dir *dir)
{
    struct ct_shard *s = shard_of(ct, hash);
    struct ct_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash, &s->conns) {
        if (!memcmp(&node->key, key, sizeof *key)) {
            return conn_of_node(node, dir);
        }
    }
    return NULL;
}

/* Finds the live connection with a direction of tuple 'key' in its shard,
 * whose mutex the caller holds; sets '*dir'. */
struct ct_conn *
conntrack__lookup_locked(struct conntrack *ct, const struct ct_key *key,
                         long long now, enum ct_dir *dir)
{
    uint32_t hash = conntrack__key_hash(key, ct->hash_basis);
    struct ct_conn *conn = find_any(ct, key, hash, dir);

    if (conn && atomic_load_explicit(&conn->expiration,
                                     memory_order_relaxed) <= now) {
        return NULL;
    }
    return conn;
}

/* Whether a connection (live or expired) holds tuple 'key'.  Takes the
 * key's shard mutex; the caller holds 'commit_mutex' and no shard. */
bool
conntrack__key_in_use(struct conntrack *ct, const struct ct_key *key,
                      long long now)
{
    uint32_t hash = conntrack__key_hash(key, ct->hash_basis);
    struct ct_shard *s = shard_of(ct, hash);
    enum ct_dir dir;

    (void) now;
    pthread_mutex_lock(&s->mutex);
    bool found = find_any(ct, key, hash, &dir) != NULL;
    pthread_mutex_unlock(&s->mutex);
    return found;
}

/* Sets 'conn''s timeout class and expiration. */
void
conntrack__set_expiration(struct conntrack *ct, struct ct_conn *conn,
                          enum ct_timeout tm, long long now)
{
    conn->tm = (uint8_t) tm;
    atomic_store_explicit(&conn->expiration,
                          now + (long long) ct->timeouts[tm] * 1000,
                          memory_order_relaxed);
}

static void
lock_two(struct conntrack *ct, size_t a, size_t b)
{
    if (a > b) {
        size_t t = a;
        a = b;
        b = t;
    }
    pthread_mutex_lock(&ct->shards[a].mutex);
    if (b != a) {
        pthread_mutex_lock(&ct->shards[b].mutex);
    }
}

static void
unlock_two(struct conntrack *ct, size_t a, size_t b)
{
    pthread_mutex_unlock(&ct->shards[a].mutex);
    if (b != a) {
        pthread_mutex_unlock(&ct->shards[b].mutex);
    }
}

/* Takes 'conn' out of the table and frees it; the caller holds both of
 * its shards' mutexes. */
static void
conn_remove(struct conntrack *ct, struct ct_conn *conn)
{
    size_t a = shard_index(ct, &conn->node[0]);
    size_t b = shard_index(ct, &conn->node[1]);

    hmap_remove(&ct->shards[a].conns, &conn->node[0].hmap_node);
    hmap_remove(&ct->shards[b].conns, &conn->node[1].hmap_node);
    if (conn->in_list) {
        list_remove(&conn->list_node);
    }
    atomic_fetch_sub(&ct->n_conns, 1);
    conn_free(conn);
}

/* Deletes the connection holding tuple 'key', if any.  Caller holds
 * 'commit_mutex' and no shard.  Returns whether one went. */
static bool
delete_by_key(struct conntrack *ct, const struct ct_key *key)
{
    uint32_t hash = conntrack__key_hash(key, ct->hash_basis);
    struct ct_shard *s = shard_of(ct, hash);
    struct ct_conn *conn;
    enum ct_dir dir;

    pthread_mutex_lock(&s->mutex);
    conn = find_any(ct, key, hash, &dir);
    if (!conn) {
        pthread_mutex_unlock(&s->mutex);
        return false;
    }
    size_t a = shard_index(ct, &conn->node[0]);
    size_t b = shard_index(ct, &conn->node[1]);
    pthread_mutex_unlock(&s->mutex);

    /* Nobody else deletes (we hold commit_mutex) except the sweeper, so
     * look again once both are held. */
    lock_two(ct, a, b);
    conn = find_any(ct, key, hash, &dir);
    if (conn) {
        conn_remove(ct, conn);
    }
    unlock_two(ct, a, b);
    return conn != NULL;
}

/* Removes from shard 's' (mutex held) the unreplied or expired conn
 * 'conn' if the other shard can be had without waiting. */
static bool
try_remove(struct conntrack *ct, struct ct_shard *s, struct ct_conn *conn)
{
    size_t me = (size_t) (s - ct->shards);
    size_t other = shard_index(ct, &conn->node[1]);

    if (other == me) {
        conn_remove(ct, conn);
        return true;
    }
    if (pthread_mutex_trylock(&ct->shards[other].mutex)) {
        return false;
    }
    conn_remove(ct, conn);
    pthread_mutex_unlock(&ct->shards[other].mutex);
    return true;
}

/* Sweeps up to '*budget' entries of shard 's' (mutex held). */
static size_t
sweep_shard(struct conntrack *ct, struct ct_shard *s, long long now,
            size_t *budget)
{
    size_t n = 0;

    for (int which = 0; which < 2; which++) {
        struct list *l = which ? &s->replied : &s->unreplied;

        /* Rotates through the list, once at most. */
        struct ct_conn *first_kept = NULL;

        for (; !list_is_empty(l) && *budget; (*budget)--) {
            struct ct_conn *conn = CONTAINER_OF(list_front(l),
                                                struct ct_conn, list_node);
            if (conn == first_kept) {
                break;          /* Went all the way round. */
            }
            long long exp = atomic_load_explicit(&conn->expiration,
                                                 memory_order_relaxed);

            if (exp <= now && try_remove(ct, s, conn)) {
                n++;
                continue;
            }
            list_remove(&conn->list_node);
            if (!which && (conn->flags & CT_CONN_F_REPLIED)) {
                conn->in_list = 2;
                list_push_back(&s->replied, &conn->list_node);
            } else {
                list_push_back(l, &conn->list_node);
                if (!first_kept) {
                    first_kept = conn;
                }
            }
        }
    }
    return n;
}

/* The sweep budget for 'ms' milliseconds in a table of 'n_conns': the
 * whole table once per SWEEP_PERIOD_MS, at least one entry a ms. */
size_t
conntrack__sweep_budget(size_t n_conns, long long ms)
{
    if (ms > SWEEP_MAX_MS) {
        ms = SWEEP_MAX_MS;
    }
    return (size_t) ms * (n_conns / SWEEP_PERIOD_MS + 1);
}

/* The incremental sweep of the packet path: at most once per millisecond
 * of 'now_ms' over all threads (whoever moves the clock on does it), with
 * the budget of conntrack__sweep_budget() for the milliseconds since the
 * last one.  Sweeping a fixed SWEEP_BUDGET entries per batch instead
 * walked 32 cold entries (each moved to its list's tail) for every batch,
 * mostly of one or two packets under connection churn: 5-7 % of the
 * switch's CPU with 30,000 live entries.  Expired entries are dead to
 * lookups and commits whether or not swept yet
 * (conntrack__lookup_locked(), commit_new(); a full table sweeps and
 * evicts on its own), so this sweep only frees memory, within about
 * SWEEP_PERIOD_MS of expiry.  See conntrack-private.h. */
bool
conntrack__sweep_tick(struct conntrack *ct, long long now_ms)
{
    long long last = atomic_load_explicit(&ct->last_sweep,
                                          memory_order_relaxed);

    if (now_ms <= last
        || !atomic_compare_exchange_strong(&ct->last_sweep, &last, now_ms)) {
        return false;
    }
    conntrack_sweep(ct, now_ms,
                    conntrack__sweep_budget(atomic_load(&ct->n_conns),
                                            now_ms - last));
    return true;
}

/* Removes up to 'max' expired entries.  See conntrack.h. */
size_t
conntrack_sweep(struct conntrack *ct, long long now, size_t max)
{
    size_t budget = max;
    size_t n = 0;

    for (size_t i = 0; i < CT_N_SHARDS && budget; i++) {
        unsigned int idx = atomic_fetch_add(&ct->sweep_shard, 1)
                           & (CT_N_SHARDS - 1);
        struct ct_shard *s = &ct->shards[idx];

        if (list_is_empty(&s->unreplied) && list_is_empty(&s->replied)) {
            continue;
        }
        pthread_mutex_lock(&s->mutex);
        n += sweep_shard(ct, s, now, &budget);
        pthread_mutex_unlock(&s->mutex);
    }
    conntrack__expect_flush(ct, now, false);
    ipf_sweep(ct->ipf, now);
    return n;
}

/* Evicts one connection that never had a reply, oldest of its shard
 * first, trying the shards round robin.  Caller holds commit_mutex. */
static bool
evict_one(struct conntrack *ct)
{
    static atomic_uint next;
    unsigned int start = atomic_fetch_add(&next, 1);

    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        struct ct_shard *s = &ct->shards[(start + i) & (CT_N_SHARDS - 1)];

        if (list_is_empty(&s->unreplied)) {
            continue;
        }
        pthread_mutex_lock(&s->mutex);
        for (size_t j = 0; j < 64 && !list_is_empty(&s->unreplied); j++) {
            struct ct_conn *conn = CONTAINER_OF(list_front(&s->unreplied),
                                                struct ct_conn, list_node);
            if (!(conn->flags & CT_CONN_F_REPLIED)
                && try_remove(ct, s, conn)) {
                pthread_mutex_unlock(&s->mutex);
                atomic_fetch_add(&ct->n_evicted, 1);
                return true;
            }
            list_remove(&conn->list_node);
            if (conn->flags & CT_CONN_F_REPLIED) {
                conn->in_list = 2;
                list_push_back(&s->replied, &conn->list_node);
            } else {
                list_push_back(&s->unreplied, &conn->list_node);
            }
        }
        pthread_mutex_unlock(&s->mutex);
    }
    return false;
}

/* Parses the L4 header at 'l4' ('size' bytes, at least the first 8 of it
 * needed) into the ports of 'key' (whose proto is set).  Returns 0 or
 * -EINVAL. */
int
conntrack__parse_l4(struct ct_key *key, const uint8_t *l4, size_t size,
                    uint8_t *type, uint8_t *code, bool *error)
{
    *error = false;
    *type = *code = 0;
    switch (key->proto) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_SCTP:
    case 136:                   /* UDP-Lite. */
        if (size < 4) {
            return -EINVAL;
        }
        memcpy(&key->sport, l4, 2);
        memcpy(&key->dport, l4 + 2, 2);
        return 0;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        if (size < 8) {
            return -EINVAL;
        }
        *type = l4[0];
        *code = l4[1];
        if (key->proto == IPPROTO_ICMP) {
            *error = *type == 3 || *type == 4 || *type == 5
                     || *type == 11 || *type == 12;
        } else {
            *error = *type < 128;
        }
        if (!*error) {
            memcpy(&key->sport, l4 + 4, 2);
            key->dport = key->sport;
        }
        return 0;
    default:
        return 0;
    }
}

/* Fills 'pp' from 'p' (flow_extract() set its l3 offset).  Returns 0, or
 * -EINVAL for a packet the tracker cannot follow (not IP, truncated,
 * a fragment). */
int
conntrack__parse(struct ct_pkt *pp, struct packet *p, uint16_t zone)
{
    uint8_t *l3 = packet_l3(p);
    size_t size;

    memset(&pp->key, 0, sizeof pp->key);
    pp->p = p;
    pp->key.zone = zone;
    if (!l3) {
        return -EINVAL;
    }
    size = p->size - p->l3_ofs;
    if (size < 20) {
        return -EINVAL;
    }
    pp->l3 = l3;
    if ((l3[0] >> 4) == 4) {
        size_t ihl = (l3[0] & 15) * 4u;
        size_t tot = ct_get16(l3 + 2);

        if (ihl < 20 || tot < ihl || tot > size
            || (ct_get16(l3 + 6) & 0x3fff)) {
            return -EINVAL;
        }
        pp->key.family = 4;
        memcpy(&pp->key.src, l3 + 12, 4);
        memcpy(&pp->key.dst, l3 + 16, 4);
        pp->key.proto = l3[9];
        pp->l4 = l3 + ihl;
        pp->l4_size = tot - ihl;
    } else if ((l3[0] >> 4) == 6 && size >= 40) {
        size_t plen = ct_get16(l3 + 4);
        uint8_t next = l3[6];
        size_t ofs = 40;

        if (plen + 40 > size) {
            return -EINVAL;
        }
        size = plen + 40;
        for (;;) {
            if (next == 0 || next == 43 || next == 60) {
                if (ofs + 8 > size) {
                    return -EINVAL;
                }
                next = l3[ofs];
                ofs += (l3[ofs + 1] + 1u) * 8;
            } else if (next == 44) {
                if (ofs + 8 > size || (ct_get16(l3 + ofs + 2) & 0xfff9)) {
                    return -EINVAL;
                }
                next = l3[ofs];
                ofs += 8;
            } else {
                break;
            }
            if (ofs > size) {
                return -EINVAL;
            }
        }
        pp->key.family = 6;
        memcpy(&pp->key.src, l3 + 8, 16);
        memcpy(&pp->key.dst, l3 + 24, 16);
        pp->key.proto = next;
        pp->l4 = l3 + ofs;
        pp->l4_size = size - ofs;
    } else {
        return -EINVAL;
    }
    if (pp->key.proto == IPPROTO_TCP && pp->l4_size < 20) {
        return -EINVAL;
    }
    if (pp->key.proto == IPPROTO_UDP && pp->l4_size < 8) {
        return -EINVAL;
    }
    return conntrack__parse_l4(&pp->key, pp->l4, pp->l4_size,
                               &pp->icmp_type, &pp->icmp_code,
                               &pp->icmp_error);
}

static void
set_md_tuple(struct packet_md *md, const struct ct_key *k)
{
    md->ct_nw_proto = k->proto;
    if (k->family == 4) {
        memcpy(&md->ct_nw_src, &k->src, 4);
        memcpy(&md->ct_nw_dst, &k->dst, 4);
        memset(&md->ct_ipv6_src, 0, 16);
        memset(&md->ct_ipv6_dst, 0, 16);
    } else {
        md->ct_nw_src = md->ct_nw_dst = 0;
        md->ct_ipv6_src = k->src;
        md->ct_ipv6_dst = k->dst;
    }
    if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6) {
        md->ct_tp_src = md->ct_tp_dst = 0;
    } else {
        md->ct_tp_src = k->sport;
        md->ct_tp_dst = k->dport;
    }
}

/* Resets the ct metadata of 'p'.  See conntrack.h. */
void
conntrack_clear(struct packet *p)
{
    struct packet_md *md = &p->md;

    md->ct_state = 0;
    md->ct_zone = 0;
    md->ct_mark = 0;
    md->ct_label[0] = md->ct_label[1] = 0;
    md->ct_nw_proto = 0;
    md->ct_nw_src = md->ct_nw_dst = 0;
    memset(&md->ct_ipv6_src, 0, 16);
    memset(&md->ct_ipv6_dst, 0, 16);
    md->ct_tp_src = md->ct_tp_dst = 0;
}

static bool
valid_new(const struct ct_pkt *pp)
{
    return pp->key.proto == IPPROTO_TCP ? conntrack__tcp_valid_new(pp)
                                        : conntrack__other_valid_new(pp);
}

/* Creates the connection of new packet 'pp'.  Returns 0, -EEXIST if one
 * appeared meanwhile, -ENOSPC (NAT range or table full). */
static int
commit_new(struct conntrack *ct, struct ct_pkt *pp,
           const struct dp_action_ct *a, long long now)
{
    struct ct_key reply;
    uint8_t nat_flags = 0;
    bool related = false;
    int err = 0;

    pthread_mutex_lock(&ct->commit_mutex);
    if (conntrack__key_in_use(ct, &pp->key, now)) {
        /* Live: someone else committed it.  Expired: replace it. */
        uint32_t hash = conntrack__key_hash(&pp->key, ct->hash_basis);
        struct ct_shard *s = shard_of(ct, hash);
        enum ct_dir dir;

        pthread_mutex_lock(&s->mutex);
        bool live = conntrack__lookup_locked(ct, &pp->key, now, &dir);
        pthread_mutex_unlock(&s->mutex);
        if (live) {
            err = -EEXIST;
            goto out;
        }
        delete_by_key(ct, &pp->key);
    }

    if (conntrack__expect_take(ct, &pp->key, now, &reply, &nat_flags)) {
        related = true;
        if (conntrack__key_in_use(ct, &reply, now)) {
            conntrack__key_reverse(&pp->key, &reply);
            nat_flags = 0;
        }
    } else if ((a->flags & DP_CT_F_NAT)
               && (a->nat.flags & (DP_NAT_F_SRC | DP_NAT_F_DST))) {
        err = conntrack__nat_select(ct, &pp->key, &a->nat, now, &reply);
        if (err) {
            goto out;
        }
        nat_flags = (a->nat.flags & DP_NAT_F_SRC ? CT_CONN_F_SNAT : 0)
                    | (a->nat.flags & DP_NAT_F_DST ? CT_CONN_F_DNAT : 0);
    } else {
        conntrack__key_reverse(&pp->key, &reply);
        if (conntrack__key_in_use(ct, &reply, now)) {
            /* The reverse is an (expired) reply tuple: clear it. */
            if (!delete_by_key(ct, &reply)) {
                err = -EEXIST;
                goto out;
            }
        }
    }

    if (atomic_load(&ct->n_conns) >= atomic_load(&ct->maxconns)) {
        conntrack_sweep(ct, now, SWEEP_BUDGET);
        if (atomic_load(&ct->n_conns) >= atomic_load(&ct->maxconns)
            && !evict_one(ct)) {
            atomic_fetch_add(&ct->n_refused, 1);
            err = -ENOSPC;
            goto out;
        }
    }

    struct ct_conn *conn = xzalloc(sizeof *conn);
    pthread_spin_init(&conn->lock, PTHREAD_PROCESS_PRIVATE);
    conn->node[0].key = pp->key;
    conn->node[1].key = reply;
    conn->node[1].dir = CT_DIR_REPLY;
    conn->flags = nat_flags | (related ? CT_CONN_F_RELATED : 0);
    if (pp->key.proto == IPPROTO_TCP) {
        conntrack__tcp_init(conn, pp);
        if (!strcmp(a->helper, "ftp")) {
            conn->flags |= CT_CONN_F_FTP;
            conn->ftp = xzalloc(sizeof *conn->ftp);
        }
        conntrack__set_expiration(ct, conn, CT_TM_TCP_SYN_SENT, now);
    } else {
        conntrack__set_expiration(ct, conn,
                                  conntrack__other_first_tm(pp->key.proto),
                                  now);
    }

    uint32_t h0 = conntrack__key_hash(&conn->node[0].key, ct->hash_basis);
    uint32_t h1 = conntrack__key_hash(&conn->node[1].key, ct->hash_basis);
    struct ct_shard *s0 = shard_of(ct, h0);
    size_t a0 = (size_t) (s0 - ct->shards);
    size_t a1 = (size_t) (shard_of(ct, h1) - ct->shards);

    lock_two(ct, a0, a1);
    hmap_insert(&s0->conns, &conn->node[0].hmap_node, h0);
    hmap_insert(&ct->shards[a1].conns, &conn->node[1].hmap_node, h1);
    conn->in_list = 1;
    list_push_back(&s0->unreplied, &conn->list_node);
    atomic_fetch_add(&ct->n_conns, 1);
    unlock_two(ct, a0, a1);

out:
    pthread_mutex_unlock(&ct->commit_mutex);
    return err;
}

/* Tracks packet 'pp' in its live connection 'conn' (direction 'dir'),
 * with its shard's mutex held.  Returns the ct_state. */
static uint8_t
track_existing(struct conntrack *ct, struct ct_conn *conn, enum ct_dir dir,
               struct ct_pkt *pp, const struct dp_action_ct *a,
               long long now)
{
    struct packet_md *md = &pp->p->md;
    uint8_t state = CS_TRACKED;
    enum ct_timeout tm;
    bool valid;

    pthread_spin_lock(&conn->lock);
    if (conn->ftp) {
        conntrack__ftp_adjust_in(conn, pp, dir);
    }
    if (pp->key.proto == IPPROTO_TCP) {
        valid = conntrack__tcp_update(conn, pp, dir, &tm);
    } else {
        tm = conntrack__other_update(conn, pp, dir);
        valid = true;
    }
    if (valid) {
        if (dir == CT_DIR_REPLY) {
            conn->flags |= CT_CONN_F_REPLIED;
        }
        conntrack__set_expiration(ct, conn, tm, now);
        if (dir == CT_DIR_ORIG && !(conn->flags & CT_CONN_F_REPLIED)) {
            state |= conn->flags & CT_CONN_F_RELATED
                     ? CS_NEW | CS_RELATED : CS_NEW;
        } else {
            state |= CS_ESTABLISHED;
        }
    } else {
        state |= CS_INVALID;
    }
    if (dir == CT_DIR_REPLY) {
        state |= CS_REPLY_DIR;
    }
    if (a->flags & (DP_CT_F_COMMIT | DP_CT_F_FORCE)) {
        conn->mark = (conn->mark & ~a->mark_mask) | (a->mark & a->mark_mask);
        for (int i = 0; i < 2; i++) {
            conn->label[i] = (conn->label[i] & ~a->label_mask[i])
                             | (a->label[i] & a->label_mask[i]);
        }
    }
    md->ct_mark = conn->mark;
    md->ct_label[0] = conn->label[0];
    md->ct_label[1] = conn->label[1];
    set_md_tuple(md, &conn->node[0].key);

    if (valid && (a->flags & DP_CT_F_NAT)
        && (conn->flags & (CT_CONN_F_SNAT | CT_CONN_F_DNAT))) {
        conntrack__nat_packet(pp, conn, dir);
        if (conn->flags & CT_CONN_F_SNAT) {
            state |= CS_SRC_NAT;
        }
        if (conn->flags & CT_CONN_F_DNAT) {
            state |= CS_DST_NAT;
        }
    }
    if (valid && (conn->flags & CT_CONN_F_FTP)) {
        conntrack__ftp_process(ct, conn, pp, dir, now);
    }
    if (conn->ftp) {
        conntrack__ftp_adjust_out(conn, pp, dir);
    }
    pthread_spin_unlock(&conn->lock);
    return state;
}

/* Whether 'pp' is a SYN that reuses the tuple of a closed TCP
 * connection 'conn' (TIME_WAIT or after a RST): the old one goes. */
static bool
reopens(const struct ct_conn *conn, enum ct_dir dir, const struct ct_pkt *pp)
{
    return (pp->key.proto == IPPROTO_TCP && dir == CT_DIR_ORIG
            && conn->state >= CT_TCP_TIME_WAIT
            && conntrack__tcp_valid_new(pp));
}

static void
process_packet(struct conntrack *ct, struct packet *p,
               const struct dp_action_ct *a, long long now)
{
    struct packet_md *md = &p->md;
    struct ct_pkt pp;

    conntrack_clear(p);
    md->ct_zone = a->zone;
    if (conntrack__parse(&pp, p, a->zone)) {
        md->ct_state = CS_TRACKED | CS_INVALID;
        return;
    }
    if (pp.icmp_error) {
        uint8_t s = conntrack__icmp_related(ct, &pp,
                                            a->flags & DP_CT_F_NAT, now, md);
        md->ct_state = s ? s : CS_TRACKED | CS_INVALID;
        return;
    }

    uint32_t hash = conntrack__key_hash(&pp.key, ct->hash_basis);
    struct ct_shard *s = shard_of(ct, hash);
    for (int tries = 0; tries < 4; tries++) {
        struct ct_conn *conn;
        enum ct_dir dir;

        pthread_mutex_lock(&s->mutex);
        conn = conntrack__lookup_locked(ct, &pp.key, now, &dir);
        if (conn && ((a->flags & DP_CT_F_FORCE && dir == CT_DIR_REPLY)
                     || reopens(conn, dir, &pp))) {
            pthread_mutex_unlock(&s->mutex);
            pthread_mutex_lock(&ct->commit_mutex);
            delete_by_key(ct, &pp.key);
            pthread_mutex_unlock(&ct->commit_mutex);
            continue;
        }
        if (conn) {
            md->ct_state = track_existing(ct, conn, dir, &pp, a, now);
            pthread_mutex_unlock(&s->mutex);
            return;
        }
        pthread_mutex_unlock(&s->mutex);

        if (!valid_new(&pp)) {
            md->ct_state = CS_TRACKED | CS_INVALID;
            set_md_tuple(md, &pp.key);
            return;
        }
        if (!(a->flags & (DP_CT_F_COMMIT | DP_CT_F_FORCE))) {
            md->ct_state = CS_TRACKED | CS_NEW;
            if (conntrack__expect_find(ct, &pp.key, now)) {
                md->ct_state |= CS_RELATED;
            }
            set_md_tuple(md, &pp.key);
            return;
        }
        int err = commit_new(ct, &pp, a, now);
        if (err == -ENOSPC) {
            md->ct_state = CS_TRACKED | CS_NEW;
            set_md_tuple(md, &pp.key);
            return;
        }
        /* 0 or -EEXIST: track it in the connection now in the table. */
    }
    md->ct_state = CS_TRACKED | CS_INVALID;
}

/* Runs 'batch' through the tracker.  See conntrack.h. */
void
conntrack_execute(struct conntrack *ct, struct packet_batch *batch,
                  const struct dp_action_ct *a, long long now_ms)
{
    size_t n = 0;

    for (size_t i = 0; i < batch->count; i++) {
        struct packet *p = ipf_process(ct->ipf, batch->packets[i], a->zone,
                                       now_ms);
        if (!p) {
            continue;
        }
        process_packet(ct, p, a, now_ms);
        batch->packets[n++] = p;
    }
    batch->count = n;
    conntrack__sweep_tick(ct, now_ms);
}

static bool
tuple_matches(const struct ct_key *k, const struct ct_tuple *t)
{
    struct ct_key want;

    memset(&want, 0, sizeof want);
    want.family = t->family == AF_INET6 ? 6 : 4;
    if (want.family == 4) {
        memcpy(&want.src, &t->src, 4);
        memcpy(&want.dst, &t->dst, 4);
    } else {
        want.src = t->src;
        want.dst = t->dst;
    }
    want.sport = htonbe16(t->sport);
    want.dport = htonbe16(t->dport);
    want.proto = t->proto;
    want.zone = k->zone;
    return !memcmp(&want, k, sizeof want);
}

/* Deletes connections.  See conntrack.h. */
size_t
conntrack_flush(struct conntrack *ct, int zone, const struct ct_tuple *tuple)
{
    size_t n = 0;

    pthread_mutex_lock(&ct->commit_mutex);
    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        struct ct_shard *s = &ct->shards[i];
        struct ct_node *node;
        bool again;

        do {
            again = false;
            pthread_mutex_lock(&s->mutex);
            HMAP_FOR_EACH (node, hmap_node, &s->conns) {
                enum ct_dir dir;
                struct ct_conn *conn = conn_of_node(node, &dir);
                const struct ct_key *k = &conn->node[0].key;

                if (dir != CT_DIR_ORIG) {
                    continue;
                }
                if (zone >= 0 && k->zone != zone) {
                    continue;
                }
                if (tuple && !tuple_matches(&conn->node[0].key, tuple)
                    && !tuple_matches(&conn->node[1].key, tuple)) {
                    continue;
                }
                if (tuple && zone < 0 && k->zone != 0) {
                    continue;
                }
                struct ct_key key = *k;
                pthread_mutex_unlock(&s->mutex);
                n += delete_by_key(ct, &key);
                again = true;
                break;
            }
            if (!again) {
                pthread_mutex_unlock(&s->mutex);
            }
        } while (again);
    }
    pthread_mutex_unlock(&ct->commit_mutex);
    if (!tuple && zone < 0) {
        conntrack__expect_flush(ct, 0, true);
    }
    return n;
}

static void
format_addr(struct ds *out, const char *name, const struct in6_addr *a,
            int family)
{
    char buf[INET6_ADDRSTRLEN];

    inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, sizeof buf);
    ds_put_format(out, "%s=%s,", name, buf);
}

static void
format_tuple(struct ds *out, const struct ct_key *k, bool icmp_reply)
{
    format_addr(out, "src", &k->src, k->family);
    format_addr(out, "dst", &k->dst, k->family);
    if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6) {
        int type = k->proto == IPPROTO_ICMP ? (icmp_reply ? 0 : 8)
                                            : (icmp_reply ? 129 : 128);
        ds_put_format(out, "id=%u,type=%d,code=0",
                      be16_to_host(k->sport), type);
    } else if (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP
               || k->proto == IPPROTO_SCTP) {
        ds_put_format(out, "sport=%u,dport=%u", be16_to_host(k->sport),
                      be16_to_host(k->dport));
    } else {
        out->length--;          /* The last comma. */
    }
}

static const char *
proto_name(const struct ct_key *k)
{
    bool v6 = k->family == 6;

    switch (k->proto) {
    case IPPROTO_TCP: return v6 ? "tcp6" : "tcp";
    case IPPROTO_UDP: return v6 ? "udp6" : "udp";
    case IPPROTO_SCTP: return v6 ? "sctp6" : "sctp";
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_ICMPV6: return "icmpv6";
    default: return NULL;
    }
}

static void
format_conn(struct ds *out, struct ct_conn *conn)
{
    const struct ct_key *o = &conn->node[0].key;
    const char *name = proto_name(o);

    if (name) {
        ds_put_format(out, "%s,", name);
    } else {
        ds_put_format(out, "%s,proto=%u,", o->family == 6 ? "ipv6" : "ip",
                      o->proto);
    }
    ds_put_cstr(out, "orig=(");
    format_tuple(out, o, false);
    ds_put_cstr(out, "),reply=(");
    format_tuple(out, &conn->node[1].key, true);
    ds_put_cstr(out, ")");
    if (o->zone) {
        ds_put_format(out, ",zone=%u", o->zone);
    }
    if (conn->mark) {
        ds_put_format(out, ",mark=%u", conn->mark);
    }
    if (conn->label[0] || conn->label[1]) {
        if (conn->label[0]) {
            ds_put_format(out, ",labels=0x%"PRIx64"%016"PRIx64,
                          conn->label[0], conn->label[1]);
        } else {
            ds_put_format(out, ",labels=0x%"PRIx64, conn->label[1]);
        }
    }
    if (o->proto == IPPROTO_TCP) {
        ds_put_format(out, ",protoinfo=(state=%s)",
                      conntrack__tcp_state_name(conn->state));
    }
    if (conn->flags & CT_CONN_F_FTP) {
        ds_put_cstr(out, ",helper=ftp");
    }
    ds_put_char(out, '\n');
}

/* Appends the connections' text.  See conntrack.h. */
void
conntrack_dump(struct conntrack *ct, int zone, long long now_ms,
               struct ds *out)
{
    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        struct ct_shard *s = &ct->shards[i];
        struct ct_node *node;

        pthread_mutex_lock(&s->mutex);
        HMAP_FOR_EACH (node, hmap_node, &s->conns) {
            enum ct_dir dir;
            struct ct_conn *conn = conn_of_node(node, &dir);

            if (dir != CT_DIR_ORIG
                || (zone >= 0 && conn->node[0].key.zone != zone)
                || atomic_load(&conn->expiration) <= now_ms) {
                continue;
            }
            pthread_spin_lock(&conn->lock);
            format_conn(out, conn);
            pthread_spin_unlock(&conn->lock);
        }
        pthread_mutex_unlock(&s->mutex);
    }
}

/* Fills 's'.  See conntrack.h. */
void
conntrack_get_stats(struct conntrack *ct, struct conntrack_stats *st)
{
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < CT_N_SHARDS; i++) {
        struct ct_shard *s = &ct->shards[i];
        struct ct_node *node;

        pthread_mutex_lock(&s->mutex);
        HMAP_FOR_EACH (node, hmap_node, &s->conns) {
            enum ct_dir dir;
            struct ct_conn *conn = conn_of_node(node, &dir);

            if (dir != CT_DIR_ORIG) {
                continue;
            }
            st->n_conns++;
            switch (conn->node[0].key.proto) {
            case IPPROTO_TCP: st->n_tcp++; break;
            case IPPROTO_UDP: st->n_udp++; break;
            case IPPROTO_ICMP: case IPPROTO_ICMPV6: st->n_icmp++; break;
            default: st->n_other++; break;
            }
        }
        pthread_mutex_unlock(&s->mutex);
    }
    st->n_expectations = atomic_load(&ct->n_expectations);
    st->n_evicted = atomic_load(&ct->n_evicted);
    st->n_refused = atomic_load(&ct->n_refused);
    st->n_frag_bytes = ipf_bytes(ct->ipf);
}

/* The text of dpctl/ct-stats-show.  See conntrack.h. */
void
conntrack_format_stats(struct conntrack *ct, struct ds *out)
{
    struct conntrack_stats st;

    conntrack_get_stats(ct, &st);
    ds_put_format(out, "Connections Stats:\n    Total: %zu\n", st.n_conns);
    if (st.n_tcp) {
        ds_put_format(out, "    TCP: %zu\n", st.n_tcp);
    }
    if (st.n_udp) {
        ds_put_format(out, "    UDP: %zu\n", st.n_udp);
    }
    if (st.n_icmp) {
        ds_put_format(out, "    ICMP: %zu\n", st.n_icmp);
    }
    if (st.n_other) {
        ds_put_format(out, "    Others: %zu\n", st.n_other);
    }
}

/* See conntrack.h. */
void
conntrack_set_maxconns(struct conntrack *ct, size_t maxconns)
{
    atomic_store(&ct->maxconns, maxconns);
}

/* See conntrack.h. */
size_t
conntrack_get_maxconns(const struct conntrack *ct)
{
    return atomic_load(&((struct conntrack *) ct)->maxconns);
}

/* See conntrack.h. */
void
conntrack_set_timeout(struct conntrack *ct, enum ct_timeout tm,
                      unsigned int seconds)
{
    if (tm < CT_TM_N && seconds) {
        ct->timeouts[tm] = seconds;
    }
}
