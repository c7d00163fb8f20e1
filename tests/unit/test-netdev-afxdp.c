/* Unit tests for datapath/netdev-afxdp.[ch] that need no device: option
 * parsing, the ring index arithmetic (with indexes wrapping at 2^32), and
 * the fall-back and status of an "afxdp" port on a device that cannot
 * have AF_XDP (the loopback device, which only works in generic mode,
 * asked for native-with-zerocopy). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/netdev-afxdp.h"
#include "datapath/netdev.h"
#include "lib/strmap.h"
#include "lib/util.h"

static void
test_options(void **state)
{
    struct afxdp_config cfg;
    struct strmap o;

    assert_null(afxdp_parse_options(NULL, &cfg));
    assert_int_equal(cfg.mode, AFXDP_MODE_BEST_EFFORT);
    assert_int_equal(cfg.n_rxq, 1);

    static const struct {
        const char *text;       /* options:xdp-mode. */
        enum afxdp_mode mode;   /* Parsed. */
    } modes[] = {
        { "best-effort", AFXDP_MODE_BEST_EFFORT },
        { "native-with-zerocopy", AFXDP_MODE_NATIVE_ZC },
        { "native", AFXDP_MODE_NATIVE },
        { "generic", AFXDP_MODE_GENERIC },
    };
    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        strmap_init(&o);
        strmap_add(&o, "xdp-mode", modes[i].text);
        strmap_add(&o, "n_rxq", "4");
        assert_null(afxdp_parse_options(&o, &cfg));
        assert_int_equal(cfg.mode, modes[i].mode);
        assert_int_equal(cfg.n_rxq, 4);
        assert_string_equal(afxdp_mode_to_string(cfg.mode), modes[i].text);
        strmap_uninit(&o);
    }

    static const char *const bad_modes[] = { "", "Native", "zerocopy",
                                             "native " };
    for (size_t i = 0; i < ARRAY_SIZE(bad_modes); i++) {
        strmap_init(&o);
        strmap_add(&o, "xdp-mode", bad_modes[i]);
        const char *msg = afxdp_parse_options(&o, &cfg);
        assert_non_null(msg);
        assert_non_null(strstr(msg, "xdp-mode"));
        assert_int_equal(cfg.mode, AFXDP_MODE_BEST_EFFORT);
        strmap_uninit(&o);
    }
    static const char *const bad_n[] = { "0", "17", "-1", "x", "", "2x" };
    for (size_t i = 0; i < ARRAY_SIZE(bad_n); i++) {
        strmap_init(&o);
        strmap_add(&o, "xdp-mode", "generic");
        strmap_add(&o, "n_rxq", bad_n[i]);
        const char *msg = afxdp_parse_options(&o, &cfg);
        assert_non_null(msg);
        assert_non_null(strstr(msg, "n_rxq"));
        assert_int_equal(cfg.n_rxq, 1);
        strmap_uninit(&o);
    }
    strmap_init(&o);
    strmap_add(&o, "n_rxq", "16");
    strmap_add(&o, "tx-offload", "false");     /* Other keys: ignored. */
    assert_null(afxdp_parse_options(&o, &cfg));
    assert_int_equal(cfg.n_rxq, 16);
    strmap_uninit(&o);
}

/* A ring of 'size' entries whose shared indexes start at 'start'. */
struct fake_ring {
    uint32_t prod;              /* Shared producer index. */
    uint32_t cons;              /* Shared consumer index. */
    uint32_t flags;             /* Shared flags. */
    uint64_t entries[8];        /* The entries. */
};

static void
fake_ring_view(struct fake_ring *f, uint32_t size, struct afxdp_ring *r)
{
    memset(r, 0, sizeof *r);
    r->producer = &f->prod;
    r->consumer = &f->cons;
    r->flags = &f->flags;
    r->ring = f->entries;
    r->size = size;
    r->mask = size - 1;
    r->cached_prod = f->prod;
    r->cached_cons = f->cons;
}

/* A producer and a consumer passing 'total' values through an 8-entry
 * ring whose indexes start at 'start', in bursts of 'burst'. */
static void
pass_values(uint32_t start, uint32_t burst, uint32_t total)
{
    struct fake_ring f = { .prod = start, .cons = start };
    struct afxdp_ring p, c;
    uint32_t sent = 0, got = 0;

    fake_ring_view(&f, 8, &p);
    fake_ring_view(&f, 8, &c);
    assert_int_equal(afxdp_ring_cons_avail(&c, 8), 0);
    assert_int_equal(afxdp_ring_prod_free(&p, 100), 8);

    while (got < total) {
        uint32_t n = afxdp_ring_prod_free(&p, burst);

        /* Never more than the ring holds beyond what is unconsumed. */
        assert_true(n <= 8 - (sent - got));
        for (uint32_t i = 0; i < n && sent < total; i++) {
            uint64_t *e = f.entries;
            e[afxdp_ring_slot(&p, p.cached_prod)] = sent++;
            afxdp_ring_prod_submit(&p, 1);
        }
        n = afxdp_ring_cons_avail(&c, burst + 1);
        assert_true(n <= sent - got);
        for (uint32_t i = 0; i < n; i++) {
            assert_int_equal(f.entries[afxdp_ring_slot(&c, c.cached_cons)],
                             got++);
            afxdp_ring_cons_release(&c, 1);
        }
    }
    assert_int_equal(f.prod, start + total);
    assert_int_equal(f.cons, start + total);
}

static void
test_ring_arithmetic(void **state)
{
    /* From 0, and across the 2^32 wrap of both indexes. */
    pass_values(0, 3, 100);
    pass_values(UINT32_MAX - 5, 3, 100);
    pass_values(UINT32_MAX - 5, 8, 100);
    pass_values(UINT32_MAX, 1, 20);

    /* A full ring has no free entries until the consumer moves, and the
     * producer sees that only through the shared index. */
    struct fake_ring f = { .prod = UINT32_MAX - 2, .cons = UINT32_MAX - 2 };
    struct afxdp_ring p, c;
    fake_ring_view(&f, 8, &p);
    fake_ring_view(&f, 8, &c);
    assert_int_equal(afxdp_ring_prod_free(&p, 8), 8);
    afxdp_ring_prod_submit(&p, 8);
    assert_int_equal(f.prod, 5);
    assert_int_equal(afxdp_ring_prod_free(&p, 1), 0);
    assert_int_equal(afxdp_ring_cons_avail(&c, 3), 3);
    afxdp_ring_cons_release(&c, 3);
    assert_int_equal(f.cons, 0);
    assert_int_equal(afxdp_ring_prod_free(&p, 8), 3);
    assert_int_equal(afxdp_ring_cons_avail(&c, 8), 5);
    /* Slots: index 5 is slot 5, UINT32_MAX is slot 7. */
    assert_int_equal(afxdp_ring_slot(&p, 5), 5);
    assert_int_equal(afxdp_ring_slot(&p, UINT32_MAX), 7);
}

static void
test_fallback_status(void **state)
{
    struct netdev *netdev;
    struct strmap o, status;

    /* No such device: an error, not a fall-back. */
    assert_int_equal(netdev_open("kiln-no-dev0", "afxdp", NULL, &netdev),
                     -ENODEV);
    assert_null(netdev);

    /* The loopback device has no driver XDP, let alone zero-copy. */
    strmap_init(&o);
    strmap_add(&o, "xdp-mode", "native-with-zerocopy");
    int err = netdev_open("lo", "afxdp", &o, &netdev);
    strmap_uninit(&o);
    assert_int_equal(err, 0);   /* The tests run as root. */
    assert_string_equal(netdev_get_type(netdev), "system");
    strmap_init(&status);
    netdev_get_status(netdev, &status);
    assert_string_equal(strmap_find(&status, "io_backend"), "af_packet");
    assert_non_null(strmap_find(&status, "io_fallback"));
    assert_null(strmap_find(&status, "xdp_mode"));
    strmap_uninit(&status);
    netdev_close(netdev);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_ring_arithmetic),
        cmocka_unit_test(test_fallback_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
