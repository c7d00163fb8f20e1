/* FTP ALG (RFC 959, RFC 2428): watches the control connection of an
 * alg=ftp connection for the client's PORT/EPRT commands (active mode)
 * and the server's 227/229 replies to PASV/EPSV (passive mode), and
 * expects the data connection they announce: its first packet is +rel
 * and it gets the NAT of the control connection.  Under NAT the address
 * in PORT (SNAT) or 227 (DNAT) is rewritten; the length change is carried
 * into the sequence numbers of later segments of that direction and the
 * acknowledgements of the other. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/conntrack-private.h"
#include "datapath/packet-csum.h"
#include "lib/log.h"

LOG_MODULE(conntrack_ftp);

/* Announcements of an address other than the control connection's. */
static struct log_rate_limit bad_addr_rl = LOG_RATE_LIMIT_INIT(60, 5);

#define EXPECT_TIMEOUT_MS 30000
#define MAX_EXPECTATIONS 4096

static void
expect_add(struct conntrack *ct, const struct ct_key *key,
           const struct ct_key *reply, uint8_t nat_flags, long long now)
{
    struct ct_expect *e = xzalloc(sizeof *e);

    e->key = *key;
    e->reply = *reply;
    e->nat_flags = nat_flags;
    e->expiration = now + EXPECT_TIMEOUT_MS;
    pthread_mutex_lock(&ct->expect_mutex);
    if (atomic_load(&ct->n_expectations) >= MAX_EXPECTATIONS) {
        struct ct_expect *old = CONTAINER_OF(list_pop_front(
                                                 &ct->expectations),
                                             struct ct_expect, list_node);
        free(old);
        atomic_fetch_sub(&ct->n_expectations, 1);
    }
    list_push_back(&ct->expectations, &e->list_node);
    atomic_fetch_add(&ct->n_expectations, 1);
    pthread_mutex_unlock(&ct->expect_mutex);
}

static struct ct_expect *
expect_match(struct conntrack *ct, const struct ct_key *key, long long now)
{
    struct ct_expect *e;

    LIST_FOR_EACH (e, list_node, &ct->expectations) {
        struct ct_key k = *key;

        if (!e->key.sport) {
            k.sport = 0;
        }
        if (e->expiration > now && !memcmp(&k, &e->key, sizeof k)) {
            return e;
        }
    }
    return NULL;
}

/* See conntrack-private.h. */
bool
conntrack__expect_find(struct conntrack *ct, const struct ct_key *key,
                       long long now)
{
    if (!atomic_load_explicit(&ct->n_expectations, memory_order_relaxed)) {
        return false;
    }
    pthread_mutex_lock(&ct->expect_mutex);
    bool found = expect_match(ct, key, now) != NULL;
    pthread_mutex_unlock(&ct->expect_mutex);
    return found;
}

/* See conntrack-private.h. */
bool
conntrack__expect_take(struct conntrack *ct, const struct ct_key *key,
                       long long now, struct ct_key *reply,
                       uint8_t *nat_flags)
{
    if (!atomic_load_explicit(&ct->n_expectations, memory_order_relaxed)) {
        return false;
    }
    pthread_mutex_lock(&ct->expect_mutex);
    struct ct_expect *e = expect_match(ct, key, now);
    if (e) {
        *reply = e->reply;
        if (!reply->dport) {
            reply->dport = key->sport;
        }
        *nat_flags = e->nat_flags;
        list_remove(&e->list_node);
        atomic_fetch_sub(&ct->n_expectations, 1);
        free(e);
    }
    pthread_mutex_unlock(&ct->expect_mutex);
    return e != NULL;
}

/* See conntrack-private.h. */
void
conntrack__expect_flush(struct conntrack *ct, long long now, bool all)
{
    struct ct_expect *e;

    if (!atomic_load(&ct->n_expectations)) {
        return;
    }
    pthread_mutex_lock(&ct->expect_mutex);
    LIST_FOR_EACH_SAFE (e, list_node, &ct->expectations) {
        if (all || e->expiration <= now) {
            list_remove(&e->list_node);
            atomic_fetch_sub(&ct->n_expectations, 1);
            free(e);
        }
    }
    pthread_mutex_unlock(&ct->expect_mutex);
}

/* Parses "h1,h2,h3,h4,p1,p2" at 's' (up to 'end'): IPv4 address (network
 * order bytes at 'addr') and port.  Returns bytes used or 0. */
static size_t
parse_hostport(const char *s, const char *end, uint8_t addr[4],
               uint16_t *port)
{
    unsigned int v[6];
    const char *p = s;

    for (int i = 0; i < 6; i++) {
        unsigned int x = 0;
        int digits = 0;

        while (p < end && isdigit((unsigned char) *p) && digits < 4) {
            x = x * 10 + (unsigned int) (*p++ - '0');
            digits++;
        }
        if (!digits || x > 255) {
            return 0;
        }
        v[i] = x;
        if (i < 5) {
            if (p >= end || *p != ',') {
                return 0;
            }
            p++;
        }
    }
    for (int i = 0; i < 4; i++) {
        addr[i] = (uint8_t) v[i];
    }
    *port = (uint16_t) (v[4] << 8 | v[5]);
    return (size_t) (p - s);
}

/* Parses "|1|a.b.c.d|port|" (or "|2|v6|port|" when 'v6'; "|||port|"
 * when 'no_addr').  Returns bytes used or 0. */
static size_t
parse_ext(const char *s, const char *end, bool no_addr,
          struct in6_addr *addr, int *family, uint16_t *port)
{
    char buf[64];
    size_t n = (size_t) (end - s) < sizeof buf - 1 ? (size_t) (end - s)
                                                   : sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (n < 4 || buf[0] != '|') {
        return 0;
    }
    char d = buf[0];
    char *p = buf + 1;
    char *q = strchr(p, d);
    if (!q) {
        return 0;
    }
    *family = 0;
    if (!no_addr || q != p) {
        *family = *p == '1' ? 4 : *p == '2' ? 6 : 0;
    }
    p = q + 1;
    q = strchr(p, d);
    if (!q) {
        return 0;
    }
    *q = 0;
    if (*family) {
        memset(addr, 0, sizeof *addr);
        if (inet_pton(*family == 4 ? AF_INET : AF_INET6, p, addr) != 1) {
            return 0;
        }
    } else if (!no_addr) {
        return 0;
    }
    p = q + 1;
    char *after;
    unsigned long v = strtoul(p, &after, 10);
    if (after == p || *after != d || v == 0 || v > 65535) {
        return 0;
    }
    *port = (uint16_t) v;
    return (size_t) (after + 1 - buf);
}

/* Replaces 'old_len' bytes at payload offset 'ofs' of 'pp' by 'text';
 * fixes lengths and checksums.  Returns the size change. */
static int
replace_text(struct ct_pkt *pp, size_t ofs, size_t old_len, const char *text)
{
    struct packet *p = pp->p;
    size_t new_len = strlen(text);
    int delta = (int) new_len - (int) old_len;
    size_t l3_ofs = p->l3_ofs, l4_ofs = (size_t) (pp->l4 - packet_data(p));
    size_t tail = p->size - (l4_ofs + ofs + old_len);

    if (p->csum == PACKET_CSUM_PARTIAL && packet_csum_finish(p)) {
        return 0;
    }
    if (delta > 0) {
        packet_put_uninit(p, (size_t) delta);
    }
    uint8_t *d = packet_data(p);
    memmove(d + l4_ofs + ofs + new_len, d + l4_ofs + ofs + old_len, tail);
    memcpy(d + l4_ofs + ofs, text, new_len);
    if (delta < 0) {
        packet_set_size(p, p->size - (size_t) -delta);
    }
    pp->l3 = d + l3_ofs;
    pp->l4 = d + l4_ofs;
    pp->l4_size = (size_t) ((int) pp->l4_size + delta);

    uint8_t *l3 = pp->l3;
    uint32_t sum;
    be16 c;
    if (pp->key.family == 4) {
        uint16_t tot = (uint16_t) (ct_get16(l3 + 2) + delta);
        ct_put16(l3 + 2, tot);
        c = packet_csum_ipv4_header(l3);
        memcpy(l3 + 10, &c, 2);
        be32 src, dst;
        memcpy(&src, l3 + 12, 4);
        memcpy(&dst, l3 + 16, 4);
        sum = packet_csum_pseudo_ipv4(src, dst, IPPROTO_TCP,
                                      (uint16_t) pp->l4_size);
    } else {
        ct_put16(l3 + 4, (uint16_t) (ct_get16(l3 + 4) + delta));
        sum = packet_csum_pseudo_ipv6(l3 + 8, l3 + 24, IPPROTO_TCP,
                                      (uint32_t) pp->l4_size);
    }
    memset(pp->l4 + 16, 0, 2);
    sum = packet_csum_add(sum, pp->l4, pp->l4_size);
    c = packet_csum_fold(sum);
    memcpy(pp->l4 + 16, &c, 2);
    return delta;
}

/* Records that rewriting the segment starting at 'seq' sent in 'dir' grew
 * the payload by 'delta' bytes, unless a rewrite of that segment was
 * already counted (a retransmission: 'seq' is not after the last rewritten
 * one), so that the shift applies once per segment. */
static void
record_delta(struct ct_ftp *f, enum ct_dir dir, uint32_t seq, int delta)
{
    if (!delta) {
        return;
    }
    if (f->seq_delta[dir] && !ct_seq_after(seq, f->seq_after[dir])) {
        return;                 /* Retransmission: already shifted. */
    }
    f->seq_delta[dir] += delta;
    f->seq_after[dir] = seq;
}

static bool
addr_eq4(const struct in6_addr *a, const uint8_t b[4])
{
    return !memcmp(a, b, 4);
}

/* See conntrack-private.h. */
void
conntrack__ftp_process(struct conntrack *ct, struct ct_conn *conn,
                       struct ct_pkt *pp, enum ct_dir dir, long long now)
{
    size_t doff = (pp->l4[12] >> 4) * 4u;
    const struct ct_key *o = &conn->node[CT_DIR_ORIG].key;
    const struct ct_key *r = &conn->node[CT_DIR_REPLY].key;
    uint32_t seq = ct_get32(pp->l4 + 4);

    if (!conn->ftp || pp->l4_size <= doff) {
        return;
    }
    const char *pl = (const char *) pp->l4 + doff;
    const char *end = (const char *) pp->l4 + pp->l4_size;
    size_t len = pp->l4_size - doff;
    struct ct_key key, reply;
    struct in6_addr x;
    int family = o->family;
    uint16_t port;
    uint8_t nat = 0;
    char text[80];

    memset(&key, 0, sizeof key);
    key.zone = o->zone;
    key.proto = IPPROTO_TCP;
    key.family = o->family;
    reply = key;
    memset(&x, 0, sizeof x);

    if (dir == CT_DIR_ORIG && len > 5 && !strncasecmp(pl, "PORT ", 5)) {
        uint8_t a[4];
        size_t n = parse_hostport(pl + 5, end, a, &port);
        if (!n || o->family != 4) {
            return;
        }
        if (!addr_eq4(&o->src, a)) {
            /* Only the client itself may be the data connection's end. */
            LOG_WARN_RL(&bad_addr_rl, "ftp: PORT names %u.%u.%u.%u, not "
                        "the client: no expectation", a[0], a[1], a[2],
                        a[3]);
            return;
        }
        memcpy(&x, a, 4);
        struct in6_addr xp = x;
        if (conn->flags & CT_CONN_F_SNAT) {
            const uint8_t *na = (const uint8_t *) &r->dst;
            xp = r->dst;
            snprintf(text, sizeof text, "%u,%u,%u,%u,%u,%u", na[0], na[1],
                     na[2], na[3], port >> 8, port & 0xff);
            int delta = replace_text(pp, doff + 5, n, text);
            record_delta(conn->ftp, dir, seq, delta);
            nat = CT_CONN_F_DNAT;
        }
        key.src = r->src;
        key.dst = xp;
        key.dport = htonbe16(port);
        reply.src = x;
        reply.sport = htonbe16(port);
        reply.dst = r->src;
    } else if (dir == CT_DIR_ORIG && len > 5
               && !strncasecmp(pl, "EPRT ", 5)) {
        size_t n = parse_ext(pl + 5, end, false, &x, &family, &port);
        if (!n || family != o->family) {
            return;
        }
        if (memcmp(&o->src, &x, sizeof x)) {
            LOG_WARN_RL(&bad_addr_rl, "ftp: EPRT names an address other "
                        "than the client's: no expectation");
            return;
        }
        struct in6_addr xp = x;
        if (conn->flags & CT_CONN_F_SNAT) {
            char buf[INET6_ADDRSTRLEN];
            xp = r->dst;
            inet_ntop(family == 4 ? AF_INET : AF_INET6, &xp, buf, sizeof buf);
            snprintf(text, sizeof text, "|%d|%s|%u|", family == 4 ? 1 : 2,
                     buf, port);
            int delta = replace_text(pp, doff + 5, n, text);
            record_delta(conn->ftp, dir, seq, delta);
            nat = CT_CONN_F_DNAT;
        }
        key.src = r->src;
        key.dst = xp;
        key.dport = htonbe16(port);
        reply.src = x;
        reply.sport = htonbe16(port);
        reply.dst = r->src;
    } else if (dir == CT_DIR_REPLY && len > 4 && !strncmp(pl, "227 ", 4)) {
        const char *paren = memchr(pl, '(', len);
        uint8_t a[4];
        size_t n = paren ? parse_hostport(paren + 1, end, a, &port) : 0;
        if (!n || o->family != 4) {
            return;
        }
        if (!addr_eq4(&r->src, a)) {
            /* Only the server itself may be the data connection's end. */
            LOG_WARN_RL(&bad_addr_rl, "ftp: 227 names %u.%u.%u.%u, not "
                        "the server: no expectation", a[0], a[1], a[2],
                        a[3]);
            return;
        }
        memcpy(&x, a, 4);
        struct in6_addr xp = x;
        if (conn->flags & CT_CONN_F_DNAT) {
            const uint8_t *na = (const uint8_t *) &o->dst;
            xp = o->dst;
            snprintf(text, sizeof text, "%u,%u,%u,%u,%u,%u", na[0], na[1],
                     na[2], na[3], port >> 8, port & 0xff);
            int delta = replace_text(pp, (size_t) (paren + 1 - pl) + doff,
                                     n, text);
            record_delta(conn->ftp, dir, seq, delta);
            nat |= CT_CONN_F_DNAT;
        }
        key.src = o->src;
        key.dst = xp;
        key.dport = htonbe16(port);
        reply.src = x;
        reply.sport = htonbe16(port);
        reply.dst = r->dst;
        if (memcmp(&r->dst, &o->src, sizeof r->dst)) {
            nat |= CT_CONN_F_SNAT;
        }
    } else if (dir == CT_DIR_REPLY && len > 4 && !strncmp(pl, "229 ", 4)) {
        const char *paren = memchr(pl, '(', len);
        size_t n = paren ? parse_ext(paren + 1, end, true, &x, &family,
                                     &port) : 0;
        if (!n) {
            return;
        }
        key.src = o->src;
        key.dst = o->dst;
        key.dport = htonbe16(port);
        reply.src = r->src;
        reply.sport = htonbe16(port);
        reply.dst = r->dst;
        if (memcmp(&r->src, &o->dst, sizeof r->src)) {
            nat |= CT_CONN_F_DNAT;
        }
        if (memcmp(&r->dst, &o->src, sizeof r->dst)) {
            nat |= CT_CONN_F_SNAT;
        }
    } else {
        return;
    }
    expect_add(ct, &key, &reply, nat, now);
}

static void
set_seq_field(struct ct_pkt *pp, size_t ofs, uint32_t v)
{
    be32 old, new = htonbe32(v);
    be16 c;

    memcpy(&old, pp->l4 + ofs, 4);
    if (pp->p->csum != PACKET_CSUM_PARTIAL) {
        memcpy(&c, pp->l4 + 16, 2);
        c = packet_csum_update32(c, old, new);
        memcpy(pp->l4 + 16, &c, 2);
    }
    memcpy(pp->l4 + ofs, &new, 4);
}

/* See conntrack-private.h. */
void
conntrack__ftp_adjust_in(struct ct_conn *conn, struct ct_pkt *pp,
                         enum ct_dir dir)
{
    struct ct_ftp *f = conn->ftp;
    int32_t delta = f->seq_delta[!dir];

    if (delta && (pp->l4[13] & 0x10)) {
        uint32_t ack = ct_get32(pp->l4 + 8);
        if (ct_seq_after(ack - (uint32_t) delta, f->seq_after[!dir])) {
            set_seq_field(pp, 8, ack - (uint32_t) delta);
        }
    }
}

/* See conntrack-private.h. */
void
conntrack__ftp_adjust_out(struct ct_conn *conn, struct ct_pkt *pp,
                          enum ct_dir dir)
{
    struct ct_ftp *f = conn->ftp;
    int32_t delta = f->seq_delta[dir];
    uint32_t seq = ct_get32(pp->l4 + 4);

    if (delta && ct_seq_after(seq, f->seq_after[dir])) {
        set_seq_field(pp, 4, seq + (uint32_t) delta);
    }
}
