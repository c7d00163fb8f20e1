/* Connection tracker speed and size, in process (no ports, no switch):
 *   1. new TCP connections per second: SYN (commit), SYN-ACK, ACK,
 *      FIN-ACK, FIN-ACK, ACK through conntrack_execute() in batches of 32
 *      connections;
 *   2. lookups per second: ACK segments of established connections;
 *   3. memory for 1,000,000 connections: the RSS growth while committing
 *      them (UDP), and bytes per connection.
 * Usage: conntrack-bench [N_CONNS_FOR_RATE (default 200000)] */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datapath/conntrack.h"
#include "datapath/flow-extract.h"
#include "datapath/packet.h"

static double
now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long
rss_bytes(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2) {
            rss = 0;
        }
        fclose(f);
    }
    return rss * sysconf(_SC_PAGESIZE);
}

static void
put16(uint8_t *p, uint16_t x)
{
    p[0] = (uint8_t) (x >> 8);
    p[1] = (uint8_t) x;
}

static void
put32(uint8_t *p, uint32_t x)
{
    put16(p, (uint16_t) (x >> 16));
    put16(p + 2, (uint16_t) x);
}

/* A 54-byte Ethernet/IPv4/TCP (or 42-byte UDP) packet template. */
static struct packet *
mk(uint8_t proto)
{
    uint8_t buf[64];
    size_t l4 = proto == 6 ? 20 : 8;

    memset(buf, 0, sizeof buf);
    put16(buf + 12, 0x0800);
    buf[14] = 0x45;
    put16(buf + 16, (uint16_t) (20 + l4));
    buf[22] = 64;
    buf[23] = proto;
    if (proto == 6) {
        buf[34 + 12] = 5 << 4;
        put16(buf + 34 + 14, 65535);
    } else {
        put16(buf + 34 + 4, 8);
    }
    struct packet *p = packet_clone_data(buf, 34 + l4);
    struct flow flow;
    (void) flow_extract(p, &flow, NULL);
    return p;
}

/* Sets the tuple and TCP fields of 'p'. */
static void
set_tcp(struct packet *p, uint32_t src, uint32_t dst, uint16_t sp,
        uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags)
{
    uint8_t *d = packet_data(p);

    put32(d + 26, src);
    put32(d + 30, dst);
    put16(d + 34, sp);
    put16(d + 36, dp);
    put32(d + 38, seq);
    put32(d + 42, ack);
    d[47] = flags;
}

int
main(int argc, char *argv[])
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    struct dp_action_ct commit, track;
    struct packet_batch b;
    struct packet *pk[32];
    long long t_ms = 1000;

    memset(&commit, 0, sizeof commit);
    commit.flags = DP_CT_F_COMMIT;
    commit.zone = 1;
    track = commit;
    track.flags = 0;
    for (int i = 0; i < 32; i++) {
        pk[i] = mk(6);
    }
    n = (n + 31) / 32 * 32;

    /* 1. Connection setup and teardown. */
    struct conntrack *ct = conntrack_create();
    conntrack_set_maxconns(ct, 4 * n);
    static const struct {
        int reply;
        uint8_t flags;
        uint32_t seq, ack;
    } steps[] = {
        { 0, 0x02, 100, 0 }, { 1, 0x12, 500, 101 }, { 0, 0x10, 101, 501 },
        { 0, 0x11, 101, 501 }, { 1, 0x11, 501, 102 }, { 0, 0x10, 102, 502 },
    };
    double elapsed = 0;
    for (size_t base = 0; base < n; base += 32) {
        for (size_t s = 0; s < ARRAY_SIZE(steps); s++) {
            packet_batch_init(&b);
            for (uint32_t i = 0; i < 32; i++) {
                uint32_t c = (uint32_t) (base + i);
                uint32_t ca = 0x0a000000 | (c >> 15), sa = 0x0b000001;
                uint16_t cp = (uint16_t) (1024 + (c & 0x7fff));
                if (steps[s].reply) {
                    set_tcp(pk[i], sa, ca, 80, cp, steps[s].seq,
                            steps[s].ack, steps[s].flags);
                } else {
                    set_tcp(pk[i], ca, sa, cp, 80, steps[s].seq,
                            steps[s].ack, steps[s].flags);
                }
                packet_batch_add(&b, pk[i]);
            }
            double t0 = now_sec();
            conntrack_execute(ct, &b, s == 0 ? &commit : &track, t_ms);
            elapsed += now_sec() - t0;
            if ((pk[0]->md.ct_state & CS_INVALID) || b.count != 32) {
                fprintf(stderr, "step %zu: unexpected state %#x\n", s,
                        pk[0]->md.ct_state);
                return 1;
            }
        }
    }
    printf("new TCP connections/s (6 segments each): %.0f  "
           "(%zu conns, %.3f s)\n", n / elapsed, n, elapsed);

    /* 2. Lookups on established connections: re-open them as
     * ESTABLISHED in a fresh tracker, then send ACKs. */
    conntrack_destroy(ct);
    ct = conntrack_create();
    conntrack_set_maxconns(ct, 4 * n);
    for (size_t base = 0; base < n; base += 32) {
        for (size_t s = 0; s < 3; s++) {
            packet_batch_init(&b);
            for (uint32_t i = 0; i < 32; i++) {
                uint32_t c = (uint32_t) (base + i);
                uint32_t ca = 0x0a000000 | (c >> 15), sa = 0x0b000001;
                uint16_t cp = (uint16_t) (1024 + (c & 0x7fff));
                if (steps[s].reply) {
                    set_tcp(pk[i], sa, ca, 80, cp, steps[s].seq,
                            steps[s].ack, steps[s].flags);
                } else {
                    set_tcp(pk[i], ca, sa, cp, 80, steps[s].seq,
                            steps[s].ack, steps[s].flags);
                }
                packet_batch_add(&b, pk[i]);
            }
            conntrack_execute(ct, &b, s == 0 ? &commit : &track, t_ms);
        }
    }
    size_t lookups = 0;
    elapsed = 0;
    for (int round = 0; round < 10; round++) {
        for (size_t base = 0; base < n; base += 32) {
            packet_batch_init(&b);
            for (uint32_t i = 0; i < 32; i++) {
                uint32_t c = (uint32_t) (base + i);
                set_tcp(pk[i], 0x0a000000 | (c >> 15), 0x0b000001,
                        (uint16_t) (1024 + (c & 0x7fff)), 80, 101,
                        501, 0x10);
                packet_batch_add(&b, pk[i]);
            }
            double t0 = now_sec();
            conntrack_execute(ct, &b, &track, t_ms);
            elapsed += now_sec() - t0;
            if (pk[31]->md.ct_state != (CS_TRACKED | CS_ESTABLISHED)) {
                fprintf(stderr, "lookup: unexpected state %#x\n",
                        pk[31]->md.ct_state);
                return 1;
            }
            lookups += 32;
        }
    }
    printf("lookups/s on established connections: %.0f  (%zu lookups)\n",
           lookups / elapsed, lookups);
    conntrack_destroy(ct);

    /* 3. Memory for 1,000,000 connections. */
    const size_t m = 1000000;
    long rss0 = rss_bytes();
    ct = conntrack_create();
    conntrack_set_maxconns(ct, 2 * m);
    struct packet *u[32];
    for (int i = 0; i < 32; i++) {
        u[i] = mk(17);
    }
    for (size_t base = 0; base < m; base += 32) {
        packet_batch_init(&b);
        for (uint32_t i = 0; i < 32 && base + i < m; i++) {
            uint32_t c = (uint32_t) (base + i);
            set_tcp(u[i], 0x0a000000 | (c >> 15), 0x0b000001,
                    (uint16_t) (c & 0xffff), 53, 0, 0, 0);
            packet_batch_add(&b, u[i]);
        }
        conntrack_execute(ct, &b, &commit, t_ms);
    }
    long rss1 = rss_bytes();
    struct conntrack_stats st;
    conntrack_get_stats(ct, &st);
    printf("memory: %zu connections, RSS +%.1f MiB, %.0f bytes/connection"
           " (goal: 1,000,000 within 512 MiB)\n", st.n_conns,
           (rss1 - rss0) / 1048576.0,
           st.n_conns ? (double) (rss1 - rss0) / st.n_conns : 0.0);
    conntrack_destroy(ct);
    for (int i = 0; i < 32; i++) {
        packet_destroy(pk[i]);
        packet_destroy(u[i]);
    }
    return 0;
}
