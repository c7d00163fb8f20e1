/* Unit tests for datapath/dp-meter.h: token buckets driven by a fake clock
 * (kbps and pktps rates, bursts, the highest exceeded band, DSCP remark
 * of IPv4 and IPv6 AF codepoints with the IPv4 checksum kept right,
 * statistics, alloc/free, and an unconfigured meter passing everything);
 * and the METER action through dp_execute(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-actions.h"
#include "datapath/dp-execute.h"
#include "datapath/dp-meter.h"
#include "datapath/flow-extract.h"
#include "datapath/packet.h"
#include "lib/ds.h"
#include "lib/flow.h"
#include "lib/util.h"

/* An Ethernet + IPv4/UDP (or IPv6/UDP) frame of 'size' bytes with DSCP
 * 'dscp', offsets set by flow_extract(). */
static struct packet *
make_packet(size_t size, bool ipv6, uint8_t dscp)
{
    uint8_t frame[1600];
    memset(frame, 0, sizeof frame);
    ASSERT(size <= sizeof frame && size >= 62);
    memcpy(frame, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
    uint8_t *l3 = frame + 14;
    if (!ipv6) {
        frame[12] = 0x08;
        frame[13] = 0x00;
        size_t len = size - 14;
        l3[0] = 0x45;
        l3[1] = (uint8_t) (dscp << 2);
        l3[2] = (uint8_t) (len >> 8);
        l3[3] = (uint8_t) len;
        l3[8] = 64;
        l3[9] = 17;
        memcpy(l3 + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
        uint32_t sum = 0;
        for (size_t i = 0; i < 20; i += 2) {
            sum += (uint32_t) (l3[i] << 8 | l3[i + 1]);
        }
        while (sum >> 16) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        l3[10] = (uint8_t) (~sum >> 8);
        l3[11] = (uint8_t) ~sum;
        uint8_t *udp = l3 + 20;
        udp[1] = 1;
        udp[3] = 2;
        udp[4] = (uint8_t) ((len - 20) >> 8);
        udp[5] = (uint8_t) (len - 20);
    } else {
        frame[12] = 0x86;
        frame[13] = 0xdd;
        size_t len = size - 14 - 40;
        uint8_t tclass = (uint8_t) (dscp << 2);
        l3[0] = (uint8_t) (0x60 | tclass >> 4);
        l3[1] = (uint8_t) ((tclass & 0xf) << 4);
        l3[4] = (uint8_t) (len >> 8);
        l3[5] = (uint8_t) len;
        l3[6] = 17;
        l3[7] = 64;
        l3[23] = 1;
        l3[39] = 2;
        uint8_t *udp = l3 + 40;
        udp[1] = 1;
        udp[3] = 2;
        udp[4] = (uint8_t) (len >> 8);
        udp[5] = (uint8_t) len;
    }
    struct packet *p = packet_clone_data(frame, size);
    struct flow flow;
    flow_extract(p, &flow, NULL);
    return p;
}

static void
fill_batch(struct packet_batch *b, size_t n, size_t size, bool ipv6,
           uint8_t dscp)
{
    packet_batch_init(b);
    for (size_t i = 0; i < n; i++) {
        packet_batch_add(b, make_packet(size, ipv6, dscp));
    }
}

static uint8_t
packet_dscp(const struct packet *p)
{
    const uint8_t *l3 = packet_l3(p);
    if ((l3[0] >> 4) == 4) {
        return l3[1] >> 2;
    }
    return (uint8_t) (((l3[0] & 0xf) << 4 | l3[1] >> 4) >> 2);
}

static bool
ipv4_csum_ok(const struct packet *p)
{
    const uint8_t *l3 = packet_l3(p);
    uint32_t sum = 0;
    for (size_t i = 0; i < 20; i += 2) {
        sum += (uint32_t) (l3[i] << 8 | l3[i + 1]);
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum == 0xffff;
}

static struct dp_meter_config
one_band(uint16_t flags, uint16_t type, uint32_t rate, uint32_t burst)
{
    struct dp_meter_config c;
    memset(&c, 0, sizeof c);
    c.flags = flags;
    c.n_bands = 1;
    c.bands[0].type = type;
    c.bands[0].rate = rate;
    c.bands[0].burst_size = burst;
    return c;
}

/* Runs 'n' packets in batches of 'per' through meter 'id' at 'now';
 * returns how many passed (destroying them). */
static size_t
run(struct dp_meter_table *t, uint32_t id, size_t n, size_t per,
    size_t size, long long now)
{
    size_t passed = 0;
    while (n) {
        size_t k = n < per ? n : per;
        struct packet_batch b;
        fill_batch(&b, k, size, false, 0);
        dp_meter_execute(t, id, &b, now);
        passed += b.count;
        packet_batch_destroy_all(&b);
        n -= k;
    }
    return passed;
}

static void
test_pktps_burst_and_rate(void **state)
{
    (void) state;
    struct dp_meter_table *t = dp_meter_table_create();
    uint32_t id;
    assert_int_equal(dp_meter_alloc(t, &id), 0);
    struct dp_meter_config c = one_band(DP_METER_F_PKTPS | DP_METER_F_BURST,
                                        DP_METER_BAND_DROP, 100, 10);
    long long now = 5000;
    assert_int_equal(dp_meter_set(t, id, &c, true, now), 0);

    /* A full bucket holds the burst: 10 of 32 pass. */
    assert_int_equal(run(t, id, 32, 32, 100, now), 10);
    /* Nothing more at the same instant. */
    assert_int_equal(run(t, id, 5, 5, 100, now), 0);
    /* 100 packets/s: 10 ms earns one packet. */
    now += 10;
    assert_int_equal(run(t, id, 5, 5, 100, now), 1);
    now += 55;
    assert_int_equal(run(t, id, 32, 32, 100, now), 5);
    /* One second of a 1000 packets/s offer: about 100 pass. */
    size_t passed = 0;
    for (int ms = 0; ms < 1000; ms++) {
        now++;
        passed += run(t, id, 1, 1, 100, now);
    }
    assert_in_range(passed, 99, 101);
    /* A long pause refills only up to the burst. */
    now += 100000;
    assert_int_equal(run(t, id, 32, 32, 100, now), 10);

    struct dp_meter_stats st;
    assert_int_equal(dp_meter_get_stats(t, id, &st), 0);
    assert_int_equal(st.packets, 32 + 5 + 5 + 32 + 1000 + 32);
    assert_int_equal(st.packets - st.band_packets[0],
                     10 + 0 + 1 + 5 + passed + 10);
    assert_int_equal(st.bytes, st.packets * 100);
    assert_int_equal(st.band_bytes[0], st.band_packets[0] * 100);
    dp_meter_table_destroy(t);
}

static void
test_kbps(void **state)
{
    (void) state;
    struct dp_meter_table *t = dp_meter_table_create();
    uint32_t id;
    assert_int_equal(dp_meter_alloc(t, &id), 0);
    /* 1000 kbit/s, burst 100 kbit = 12500 bytes = 12 packets of 1000. */
    struct dp_meter_config c = one_band(DP_METER_F_BURST,
                                        DP_METER_BAND_DROP, 1000, 100);
    long long now = 0;
    assert_int_equal(dp_meter_set(t, id, &c, true, now), 0);
    assert_int_equal(run(t, id, 32, 32, 1000, now), 12);
    /* 8 ms earn 8000 bits: one more 1000-byte packet (4000 bits were
     * left, 4000 stay). */
    now += 8;
    assert_int_equal(run(t, id, 4, 4, 1000, now), 1);
    /* Over one second at 2 Mbit/s offered: about 1 Mbit/s gets
     * through. */
    size_t passed = 0;
    for (int ms = 0; ms < 1000; ms += 4) {
        now += 4;
        passed += run(t, id, 1, 1, 1000, now);
    }
    assert_in_range(passed, 124, 126);

    /* Small packets cost less: 100-byte packets are 800 bits each. */
    now += 100000;
    assert_int_equal(run(t, id, 200, 32, 100, now), 125);

    /* Without the burst flag the bucket is one second at the rate. */
    c.flags = 0;
    assert_int_equal(dp_meter_set(t, id, &c, false, now), 0);
    assert_int_equal(run(t, id, 200, 32, 1000, now), 125);
    dp_meter_table_destroy(t);
}

static void
test_highest_band_and_remark(void **state)
{
    (void) state;
    struct dp_meter_table *t = dp_meter_table_create();
    uint32_t id;
    assert_int_equal(dp_meter_alloc(t, &id), 0);
    /* Remark above 10 packets, drop above 20 (pktps, bursts 10/20). */
    struct dp_meter_config c;
    memset(&c, 0, sizeof c);
    c.flags = DP_METER_F_PKTPS | DP_METER_F_BURST;
    c.n_bands = 2;
    c.bands[0].type = DP_METER_BAND_DSCP_REMARK;
    c.bands[0].rate = 10;
    c.bands[0].burst_size = 10;
    c.bands[0].prec_level = 1;
    c.bands[1].type = DP_METER_BAND_DROP;
    c.bands[1].rate = 20;
    c.bands[1].burst_size = 20;
    assert_int_equal(dp_meter_set(t, id, &c, true, 0), 0);

    struct packet_batch b;
    fill_batch(&b, 30, 100, false, 18);     /* AF21. */
    dp_meter_execute(t, id, &b, 0);
    /* 20 pass the drop band; of them the first 10 fit the remark band. */
    assert_int_equal(b.count, 20);
    for (size_t i = 0; i < b.count; i++) {
        assert_int_equal(packet_dscp(b.packets[i]), i < 10 ? 18 : 20);
        assert_true(ipv4_csum_ok(b.packets[i]));
    }
    packet_batch_destroy_all(&b);
    struct dp_meter_stats st;
    assert_int_equal(dp_meter_get_stats(t, id, &st), 0);
    assert_int_equal(st.band_packets[0], 10);
    assert_int_equal(st.band_packets[1], 10);

    /* IPv6, AF33 stays AF33 (already highest precedence); AF11 + 1 is
     * AF12; a non-AF codepoint (EF, 46) is left alone. */
    static const struct { uint8_t in, out; } cases[] = {
        { 30, 30 }, { 10, 12 }, { 46, 46 }, { 0, 0 },
    };
    for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
        assert_int_equal(dp_meter_set(t, id, &c, true, 0), 0);
        fill_batch(&b, 15, 100, true, cases[k].in);
        dp_meter_execute(t, id, &b, 0);
        assert_int_equal(b.count, 15);
        assert_int_equal(packet_dscp(b.packets[14]), cases[k].out);
        assert_int_equal(packet_dscp(b.packets[0]), cases[k].in);
        packet_batch_destroy_all(&b);
    }
    dp_meter_table_destroy(t);
}

static void
test_alloc_free_and_unconfigured(void **state)
{
    (void) state;
    struct dp_meter_table *t = dp_meter_table_create();
    uint32_t a, b2, c2;
    assert_int_equal(dp_meter_alloc(t, &a), 0);
    assert_int_equal(dp_meter_alloc(t, &b2), 0);
    assert_int_not_equal(a, b2);
    /* Allocated but not configured: passes everything. */
    assert_int_equal(run(t, a, 40, 32, 100, 0), 40);
    /* Unknown number: passes everything too. */
    assert_int_equal(run(t, 60000, 40, 32, 100, 0), 40);
    struct dp_meter_config c = one_band(DP_METER_F_PKTPS | DP_METER_F_BURST,
                                        DP_METER_BAND_DROP, 1, 1);
    assert_int_equal(dp_meter_set(t, a, &c, true, 0), 0);
    assert_int_equal(run(t, a, 40, 32, 100, 0), 1);
    /* Bad configurations. */
    c.bands[0].rate = 0;
    assert_int_equal(dp_meter_set(t, a, &c, true, 0), -EINVAL);
    c.bands[0].rate = 1;
    c.bands[0].type = 9;
    assert_int_equal(dp_meter_set(t, a, &c, true, 0), -EINVAL);
    /* Freed: unconfigured at once; the number comes back only after 256
     * more frees (a stale megaflow may still name it), unconfigured, with
     * zero stats. */
    dp_meter_free(t, a);
    struct dp_meter_stats st;
    assert_int_equal(dp_meter_get_stats(t, a, &st), -ENOENT);
    assert_int_equal(run(t, a, 40, 32, 100, 0), 40);
    for (int i = 0; i < 256; i++) {
        uint32_t x;

        assert_int_equal(dp_meter_alloc(t, &x), 0);
        assert_int_not_equal(x, a);
        dp_meter_free(t, x);
    }
    assert_int_equal(dp_meter_alloc(t, &c2), 0);
    assert_int_equal(c2, a);
    c.bands[0].type = DP_METER_BAND_DROP;
    assert_int_equal(dp_meter_set(t, c2, &c, true, 0), 0);
    assert_int_equal(dp_meter_get_stats(t, c2, &st), 0);
    assert_int_equal(st.packets, 0);
    /* A modify keeps the counters. */
    assert_int_equal(run(t, c2, 3, 3, 100, 0), 1);
    assert_int_equal(dp_meter_set(t, c2, &c, false, 0), 0);
    assert_int_equal(dp_meter_get_stats(t, c2, &st), 0);
    assert_int_equal(st.packets, 3);
    dp_meter_table_destroy(t);
}

/* METER through dp_execute(). */
struct exec_aux {
    struct dp_meter_table *t;   /* Meters. */
    size_t n_out;               /* Packets output. */
};

static void
exec_output_cb(void *aux_, uint32_t port, struct packet_batch *batch)
{
    struct exec_aux *aux = aux_;
    aux->n_out += batch->count;
    packet_batch_destroy_all(batch);
}

static void
exec_meter_cb(void *aux_, struct packet_batch *batch, uint32_t id)
{
    struct exec_aux *aux = aux_;
    dp_meter_execute(aux->t, id, batch, 0);
}

static void
test_meter_action(void **state)
{
    (void) state;
    struct exec_aux aux = { dp_meter_table_create(), 0 };
    uint32_t id;
    assert_int_equal(dp_meter_alloc(aux.t, &id), 0);
    struct dp_meter_config c = one_band(DP_METER_F_PKTPS | DP_METER_F_BURST,
                                        DP_METER_BAND_DROP, 5, 5);
    assert_int_equal(dp_meter_set(aux.t, id, &c, true, 0), 0);

    struct dp_actions_builder b;
    dp_actions_builder_init(&b);
    dp_actions_put_meter(&b, id);
    dp_actions_put_output(&b, 2);
    struct dp_actions *acts = dp_actions_builder_finish(&b);
    assert_int_equal(dp_actions_validate(dp_actions_get(acts), acts->size),
                     0);
    struct ds s = DS_EMPTY_INITIALIZER;
    dp_actions_format(dp_actions_get(acts), acts->size, &s);
    char want[64];
    snprintf(want, sizeof want, "meter(%u),2", id);
    assert_string_equal(ds_cstr(&s), want);
    ds_uninit(&s);

    static const struct dp_exec_ops ops = {
        .output = exec_output_cb,
        .meter = exec_meter_cb,
    };
    struct packet_batch batch;
    fill_batch(&batch, 20, 100, false, 0);
    dp_execute(&ops, &aux, &batch, dp_actions_get(acts), acts->size);
    assert_int_equal(aux.n_out, 5);

    /* Without a meter callback METER passes everything. */
    static const struct dp_exec_ops no_meter = { .output = exec_output_cb };
    aux.n_out = 0;
    fill_batch(&batch, 20, 100, false, 0);
    dp_execute(&no_meter, &aux, &batch, dp_actions_get(acts), acts->size);
    assert_int_equal(aux.n_out, 20);

    /* A METER with a payload is malformed. */
    uint64_t bad[2] = { 0, 0 };
    struct dp_action *a = (struct dp_action *) bad;
    a->type = DP_ACTION_METER;
    a->len = 16;
    assert_int_equal(dp_actions_validate(bad, sizeof bad), -EINVAL);

    dp_actions_destroy(acts);
    dp_meter_table_destroy(aux.t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pktps_burst_and_rate),
        cmocka_unit_test(test_kbps),
        cmocka_unit_test(test_highest_band_and_remark),
        cmocka_unit_test(test_alloc_free_and_unconfigured),
        cmocka_unit_test(test_meter_action),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
