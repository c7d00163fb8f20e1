/* Unit tests for openflow/ofp-fields.h and openflow/ofp-match.h.
 *
 * Expected bytes were captured from Debian's ovs-ofctl 3.1 by running it
 * against a logging proxy in front of a Debian ovs-vswitchd (netdev
 * datapath) and recording the flow_mod it sent:
 *   ovs-ofctl -O OpenFlow13 add-flow unix:PROXY "tcp,nw_src=10.0.0.0/8,
 *       tp_dst=80,reg0=0x1/0xff,metadata=0x5,in_port=LOCAL actions=drop"
 * and the same with -O OpenFlow10 (NXT_FLOW_MOD, nx_match) and, for the
 * OpenFlow 1.0 match, "tcp,nw_src=10.0.0.0/8,tp_dst=80,in_port=LOCAL,
 * dl_vlan=5".  Expected text is what `ovs-ofctl parse-flow` printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "openflow/ofp-match.h"
#include "openflow/ofpbuf.h"

static size_t
unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned int x;
        sscanf(hex, "%2x", &x);
        out[n++] = x;
    }
    return n;
}

static void
parse_ok(struct ofp_match *m, const char *s)
{
    char *err = ofp_match_from_string(m, NULL, s);
    if (err) {
        fail_msg("%s: %s", s, err);
    }
}

static void
assert_format(const char *in, const char *expected)
{
    struct ofp_match m;
    struct ds s;
    parse_ok(&m, in);
    ds_init(&s);
    ofp_match_format(&m, NULL, &s);
    assert_string_equal(ds_cstr(&s), expected);
    ds_uninit(&s);
}

static const char *captured_flow =
    "tcp,nw_src=10.0.0.0/8,tp_dst=80,reg0=0x1/0xff,metadata=0x5,"
    "in_port=LOCAL";

static void
test_oxm_bytes_match_ovs(void **state)
{
    static const char *ovs =
        "0001004180000004fffffffe80000a020800800017080a000000ff000000"
        "800014010680001c0200500001010800000001000000ff80000408000000"
        "000000000500000000000000";
    uint8_t want[128];
    size_t n = unhex(ovs, want);
    struct ofp_match m, m2;
    struct ofpbuf b;
    size_t consumed;

    parse_ok(&m, captured_flow);
    ofpbuf_init(&b);
    assert_int_equal(ofp_match_put_oxm(&m, NULL, 0x04, &b), n);
    assert_memory_equal(b.data, want, n);
    assert_int_equal(ofp_match_decode_oxm(want, n, NULL, &m2, &consumed), 0);
    assert_int_equal(consumed, n);
    assert_true(ofp_match_equal(&m, &m2));
    ofpbuf_uninit(&b);
}

static void
test_nxm_bytes_match_ovs(void **state)
{
    static const char *ovs =
        "00000002fffe00000602080000000f080a000000ff00000000000c0106000014"
        "0200500001010800000001000000ff800004080000000000000005";
    uint8_t want[128];
    size_t n = unhex(ovs, want);
    struct ofp_match m, m2;
    struct ofpbuf b;

    parse_ok(&m, captured_flow);
    ofpbuf_init(&b);
    assert_int_equal(ofp_match_put_nxm(&m, NULL, &b), n);
    assert_memory_equal(b.data, want, n);
    assert_int_equal(ofp_match_decode_nxm(want, n, NULL, &m2), 0);
    assert_true(ofp_match_equal(&m, &m2));
    ofpbuf_uninit(&b);
}

static void
test_ofp10_bytes_match_ovs(void **state)
{
    static const char *ovs =
        "0038184cfffe000000000000000000000000000500000800000600000a000000"
        "0000000000000050";
    uint8_t want[OFP10_MATCH_LEN], out[OFP10_MATCH_LEN];
    struct ofp_match m, m2;

    unhex(ovs, want);
    parse_ok(&m, "tcp,nw_src=10.0.0.0/8,tp_dst=80,in_port=LOCAL,dl_vlan=5");
    assert_true(ofp_match_fits_ofp10(&m));
    ofp_match_to_ofp10(&m, out);
    assert_memory_equal(out, want, OFP10_MATCH_LEN);
    assert_int_equal(ofp_match_from_ofp10(want, &m2), 0);
    assert_true(ofp_match_equal(&m, &m2));
}

/* Every field with a code point, exact and (if maskable) masked, survives
 * NXM and OXM round trips. */
static void
test_every_field_round_trips(void **state)
{
    struct ofp_tlv_map map;
    memset(&map, 0, sizeof map);
    for (int i = 0; i < FLOW_TUN_N_METADATA; i++) {
        map.slots[i].ofs = i * 4;
        map.slots[i].len = 4;
    }
    for (int id = 0; id < OFPF_N_FIELDS; id++) {
        const struct ofp_field *f = ofp_field_from_id(id);
        unsigned int n = ofp_field_n_bytes(f, &map);
        assert_ptr_equal(ofp_field_from_name(f->name), f);
        if (!f->nxm && !f->oxm) {
            continue;
        }
        for (int masked = 0; masked <= (f->maskable == OFPFM_BITWISE);
             masked++) {
            for (uint8_t version = 0; version <= 6; version += 4) {
                struct ofp_match m, m2;
                union ofp_field_value v, mask;
                struct ofpbuf b;
                memset(&v, 0, sizeof v);
                memset(&mask, 0xff, sizeof mask);
                v.b[n - 1] = id == OFPF_IP_TOS ? 4 : 1;  /* DSCP bits. */
                if (masked) {
                    memset(&mask, 0, sizeof mask);
                    mask.b[n - 1] = 0x7;
                }
                if (!ofp_field_is_valid_value(f, &v)) {
                    fail_msg("%s: 1 is not valid", f->name);
                }
                ofp_match_init_catchall(&m);
                /* Satisfy prerequisites generously. */
                parse_ok(&m, "");
                ofp_match_set_masked(&m, f, &map, &v, &mask);
                if (!ofp_field_prereqs_ok(f, &m.flow, &m.wc)
                    || (id == OFPF_PACKET_TYPE && version < 6)
                    /* OXM has vlan_vid/vlan_pcp only: a whole-TCI match
                     * without the present bit is not expressible. */
                    || (id == OFPF_VLAN_TCI && version)) {
                    continue;   /* Covered by the text tests. */
                }
                ofpbuf_init(&b);
                size_t len = (version
                              ? ofp_match_put_oxm_tlvs(&m, &map, version, &b)
                              : ofp_match_put_nxm(&m, &map, &b));
                if (!len) {
                    fail_msg("%s (masked %d, version %d) not encoded",
                             f->name, masked, version);
                }
                assert_int_equal(ofp_match_decode_tlvs(b.data, len, &map,
                                                       &m2), 0);
                if (!ofp_match_equal(&m, &m2)) {
                    fail_msg("%s (masked %d, version %d) differs", f->name,
                             masked, version);
                }
                ofpbuf_uninit(&b);
            }
        }
    }
}

static void
test_text_format_like_ovs(void **state)
{
    assert_format("", "");
    assert_format(captured_flow,
                  "tcp,reg0=0x1/0xff,metadata=0x5,in_port=LOCAL,"
                  "nw_src=10.0.0.0/8,tp_dst=80");
    assert_format("arp,arp_op=1,arp_spa=1.1.1.1,arp_tpa=2.2.2.0/24,"
                  "arp_sha=00:00:00:00:00:01,arp_tha=00:00:00:00:00:02",
                  "arp,arp_spa=1.1.1.1,arp_tpa=2.2.2.0/24,arp_op=1,"
                  "arp_sha=00:00:00:00:00:01,arp_tha=00:00:00:00:00:02");
    assert_format("vlan_tci=0x1005/0x1fff", "dl_vlan=5");
    assert_format("vlan_tci=0xf005", "dl_vlan=5,dl_vlan_pcp=7");
    assert_format("vlan_tci=0x1000/0x1000", "vlan_tci=0x1000/0x1000");
    assert_format("ct_state=0x21/0x23", "ct_state=+new-est+trk");
    assert_format("ct_zone=0x10", "ct_zone=16");
    assert_format("xreg0=1", "reg0=0,reg1=0x1");
    assert_format("udp6,udp_dst=53", "udp6,tp_dst=53");
    assert_format("ipv6,ipv6_label=0x5/0xff", "ipv6,ipv6_label=0x00005/0x000ff");
    assert_format("tcp,nw_src=1.2.3.4/255.0.255.0,tp_src=0x10/0xfff0",
                  "tcp,nw_src=1.0.3.0/255.0.255.0,tp_src=0x10/0xfff0");
    assert_format("ip,ip_frag=first", "ip,nw_frag=first");
    assert_format("dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
                  "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00");
    assert_format("in_port=CONTROLLER", "in_port=CONTROLLER");
    assert_format("dl_type=0x1234,dl_src=00:00:00:00:00:01,in_port=4",
                  "in_port=4,dl_src=00:00:00:00:00:01,dl_type=0x1234");
    assert_format("icmp,icmp_type=3,icmp_code=4",
                  "icmp,icmp_type=3,icmp_code=4");
}

static void
test_text_rejects_bad_input(void **state)
{
    static const char *bad[] = {
        "nosuchfield=1", "in_port=100000", "dl_vlan=4096",
        "nw_src=1.2.3", "ct_zone=1/2", "ct_state=+bogus", "reg0=0x1/0xzz",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct ofp_match m;
        char *err = ofp_match_from_string(&m, NULL, bad[i]);
        if (!err) {
            fail_msg("%s was accepted", bad[i]);
        }
        free(err);
    }
}

/* Error texts as Debian's ovs-ofctl parse-flow gives them (after its
 * "ovs-ofctl: " prefix), and what it accepts. */
static void
test_text_error_texts_like_ovs(void **state)
{
    static const struct { const char *in, *err; } cases[] = {
        { "nosuchfield=1", "unknown keyword nosuchfield" },
        { "nw_src", "0/0: invalid IP address" },
        { "ip,nw_src=1.2.3", "1.2.3: invalid IP address" },
        { "ip,nw_src=foo", "foo: invalid IP address" },
        { "ip,nw_src=1.2.3.4/33",
          "1.2.3.4/33: IPv4 network prefix bits not between 0 and 32, "
          "inclusive" },
        { "ipv6,ipv6_src=zz::1", "zz::1: invalid IPv6 address" },
        { "in_port=100000", "100000: invalid or unknown port for in_port" },
        { "in_port=foo", "foo: invalid or unknown port for in_port" },
        { "in_port", "0/0: invalid or unknown port for in_port" },
        { "ct_zone=1/2", "1/2: invalid mask for field ct_zone" },
        { "ct_zone=70000", "70000: value too large for 2-byte field ct_zone" },
        { "tcp,tp_dst=99999",
          "99999: value too large for 2-byte field tcp_dst" },
        { "ct_state=+bogus", "bogus: unknown ct_state flag(s)" },
        { "reg0=0x1/0xzz", "0x1/0xzz: bad syntax for reg0 mask" },
        { "reg0=zz", "zz: bad syntax for reg0 value" },
        { "dl_type=0x800x", "0x800x: bad syntax for eth_type value" },
        { "udp,tp_src=1/2/3", "1/2/3: bad syntax for tcp_src mask" },
        { "metadata=0x1/0x2/0x3", "0x1/0x2/0x3: bad syntax for metadata mask" },
        { "dl_src=01:02:03", "01:02:03: invalid Ethernet address" },
        { "ip,nw_frag=bogus",
          "bogus: unknown fragment type (valid types are \"no\", \"yes\", "
          "\"first\", \"later\", \"not_later\"" },
    };
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofp_match m;
        char *err = ofp_match_from_string(&m, NULL, cases[i].in);
        if (!err) {
            fail_msg("%s was accepted", cases[i].in);
        }
        assert_string_equal(err, cases[i].err);
        free(err);
    }
    /* Accepted by ovs-ofctl: a bare field is "0/0" (any), a shorthand
     * ignores a value. */
    assert_format("reg0", "");
    assert_format("tcp=1", "tcp");
}

static void
test_decode_rejects_malformed(void **state)
{
    static const struct {
        const char *hex;
        enum ofperr error;
    } cases[] = {
        { "000006", OFPERR_OFPBMC_BAD_LEN },              /* Short header. */
        { "0000060308", OFPERR_OFPBMC_BAD_LEN },          /* Short body. */
        { "0000060108000000", OFPERR_OFPBMC_BAD_LEN },    /* Wrong length. */
        { "7f00000400000000", OFPERR_OFPBMC_BAD_FIELD },  /* Unknown. */
        { "00000602080000000602 0800", OFPERR_OFPBMC_DUP_FIELD },
        { "00000c0106", OFPERR_OFPBMC_BAD_PREREQ },       /* ip_proto. */
        { "0000070400000000ff00", OFPERR_OFPBMC_BAD_MASK }, /* eth_type/m */
        { "00010108000000ff0000000f", OFPERR_OFPBMC_BAD_WILDCARDS },
        { "80000c022005", OFPERR_OFPBMC_BAD_VALUE }, /* vid */
        { "fffffe0400002320", OFPERR_OFPBMC_BAD_FIELD },  /* Nicira 127. */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t buf[64];
        char hex[128];
        size_t j = 0;
        for (const char *p = cases[i].hex; *p; p++) {
            if (*p != ' ') {
                hex[j++] = *p;
            }
        }
        hex[j] = '\0';
        size_t n = unhex(hex, buf);
        struct ofp_match m;
        enum ofperr err = ofp_match_decode_tlvs(buf, n, NULL, &m);
        if (err != cases[i].error) {
            fail_msg("case %zu: got %s, want %s", i, ofperr_to_string(err),
                     ofperr_to_string(cases[i].error));
        }
    }
}

static void
test_errors_names_and_versions(void **state)
{
    uint16_t type, code;
    assert_string_equal(ofperr_to_string(OFPERR_OFPBMC_BAD_PREREQ),
                        "OFPBMC_BAD_PREREQ");
    assert_int_equal(ofperr_type(OFPERR_OFPBMC_BAD_PREREQ), 4);
    assert_int_equal(ofperr_code(OFPERR_OFPBMC_BAD_PREREQ), 9);
    assert_int_equal(ofperr_from_name("OFPBFC_TIMEOUT"), OFPERR_OFPBFC_TIMEOUT);
    assert_true(ofperr_encode(OFPERR_OFPFMFC_BAD_COMMAND, 0x01, &type, &code));
    assert_int_equal(type, 3);
    assert_int_equal(code, 4);
    assert_int_equal(ofperr_decode(0x01, 3, 4), OFPERR_OFPFMFC_BAD_COMMAND);
    assert_false(ofperr_encode(OFPERR_OFPBMC_BAD_PREREQ, 0x01, &type, &code));
    assert_int_equal(ofperr_from_type_code(4, 99), 0);
}

/* A tun_metadata field the packet did not carry (present bit clear)
 * reads as 0 even if its range of tunnel.opts holds stale bytes. */
static void
test_tun_metadata_absent_reads_zero(void **state)
{
    const struct ofp_field *f = ofp_field_from_name("tun_metadata1");
    union ofp_field_value v;
    struct ofp_tlv_map map;
    struct flow flow;

    (void) state;
    memset(&map, 0, sizeof map);
    map.slots[1].ofs = 8;
    map.slots[1].len = 4;
    memset(&flow, 0, sizeof flow);
    memset(flow.tunnel.opts, 0xab, sizeof flow.tunnel.opts);
    flow.tunnel.present = UINT64_C(1) << 0;
    ofp_field_get_value(f, &map, &flow, &v);
    for (size_t i = 0; i < sizeof v.b; i++) {
        assert_int_equal(v.b[i], 0);
    }
    flow.tunnel.present |= UINT64_C(1) << 1;
    ofp_field_get_value(f, &map, &flow, &v);
    assert_int_equal(v.b[0], 0xab);
    assert_int_equal(v.b[3], 0xab);
    assert_int_equal(v.b[4], 0);
}

/* ovs-ofctl add-flow "tun_metadata0=0x1234" and (-O OpenFlow13)
 * "tun_metadata0=0x1234/0xff00ff" against a switch mapping tun_metadata0
 * to 4 bytes send only the bytes the value needs (captured: NXM 00015002
 * 1234 and OXM-carried NXM 00015106 000034 ff00ff); ovs-vswitchd takes
 * them right-aligned (dump-flows: tun_metadata0=0x1234 and
 * tun_metadata0=0x34/0xff00ff). */
static void
test_tun_metadata_short_value(void **state)
{
    static const struct {
        const char *hex;        /* TLV as sent. */
        const char *text;       /* Equivalent match text. */
    } cases[] = {
        { "000150021234", "tun_metadata0=0x1234" },
        { "00015106000034ff00ff", "tun_metadata0=0x34/0xff00ff" },
        { "0001500412345678", "tun_metadata0=0x12345678" },
        { "0001500100", "tun_metadata0=0" },
    };
    struct ofp_tlv_map map;

    (void) state;
    memset(&map, 0, sizeof map);
    map.slots[0].len = 4;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t buf[64];
        size_t n = unhex(cases[i].hex, buf);
        struct ofp_match m, want;
        enum ofperr err = ofp_match_decode_nxm(buf, n, &map, &m);
        if (err) {
            fail_msg("%s: %s", cases[i].hex, ofperr_to_string(err));
        }
        char *perr = ofp_match_from_string(&want, &map, cases[i].text);
        assert_null(perr);
        assert_true(ofp_match_equal(&m, &want));
    }

    /* Longer than the mapping, empty, or an odd masked length: refused. */
    static const char *bad[] = {
        "000150051234567890", "00015000", "00015103123456",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint8_t buf[64];
        size_t n = unhex(bad[i], buf);
        struct ofp_match m;
        assert_int_equal(ofp_match_decode_nxm(buf, n, &map, &m),
                         OFPERR_OFPBMC_BAD_LEN);
    }
}

/* nw_frag: every value/mask pair NXM_NX_IP_FRAG_W can carry, named as
 * ovs-ofctl ofp-print names them in an NXT_FLOW_MOD; vlan_tci as ovs-ofctl
 * parse-flow prints it; untagged VLAN matches left out of ofproto/trace
 * "Megaflow:" lines (ovs-vswitchd 3.1: "Megaflow: recirc_id=0,eth,udp,
 * in_port=LOCAL,nw_frag=no" for an untagged packet whose lookup looked at
 * vlan_tci, "dl_vlan=0" for a tagged one). */
static void
test_format_frag_vlan_megaflow(void **state)
{
    static const struct { uint8_t v, m; const char *name; } frags[] = {
        { 0, 1, "no" }, { 0, 2, "not_later" }, { 0, 3, "no" },
        { 1, 1, "yes" }, { 1, 3, "first" }, { 2, 2, "later" },
        { 3, 3, "later" }, { 2, 3, "<error>" },
    };
    const struct ofp_field *f = ofp_field_from_id(OFPF_IP_FRAG);

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(frags); i++) {
        struct ofp_match m;
        union ofp_field_value v, mask;
        struct ds s;
        char want[64];

        parse_ok(&m, "ip");
        memset(&v, 0, sizeof v);
        memset(&mask, 0, sizeof mask);
        v.b[0] = frags[i].v;
        mask.b[0] = frags[i].m;
        ofp_match_set_masked(&m, f, NULL, &v, &mask);
        ds_init(&s);
        ofp_match_format(&m, NULL, &s);
        snprintf(want, sizeof want, "ip,nw_frag=%s", frags[i].name);
        assert_string_equal(ds_cstr(&s), want);
        ds_uninit(&s);
    }

    assert_format("vlan_tci=0x0000", "vlan_tci=0x0000");
    assert_format("ip,vlan_tci=0x0000/0x1fff", "ip,vlan_tci=0x0000/0x1fff");
    assert_format("vlan_tci=0x1234", "dl_vlan=564,dl_vlan_pcp=0");

    static const struct { const char *in, *normal, *megaflow; } mf[] = {
        { "udp,in_port=LOCAL,vlan_tci=0x0000/0x1fff,nw_frag=no",
          "udp,in_port=LOCAL,vlan_tci=0x0000/0x1fff,nw_frag=no",
          "udp,in_port=LOCAL,nw_frag=no" },
        { "udp,in_port=LOCAL,vlan_tci=0x0000,nw_frag=no",
          "udp,in_port=LOCAL,vlan_tci=0x0000,nw_frag=no",
          "udp,in_port=LOCAL,nw_frag=no" },
        { "udp,in_port=LOCAL,vlan_tci=0x1000/0x1fff,nw_frag=no",
          "udp,in_port=LOCAL,dl_vlan=0,nw_frag=no",
          "udp,in_port=LOCAL,dl_vlan=0,nw_frag=no" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(mf); i++) {
        struct ofp_match m;
        struct ds s;
        parse_ok(&m, mf[i].in);
        ds_init(&s);
        ofp_match_format(&m, NULL, &s);
        assert_string_equal(ds_cstr(&s), mf[i].normal);
        ds_clear(&s);
        ofp_match_format_megaflow(&m, NULL, &s);
        assert_string_equal(ds_cstr(&s), mf[i].megaflow);
        ds_uninit(&s);
    }
}

/* The MPLS fields: text as Debian's ovs-ofctl normalizes it, the MPLS
 * Ethertype prerequisite, and the OXM round trip of the top label. */
static void
test_mpls_fields(void **state)
{
    (void) state;
    assert_format("mpls,mpls_label=100,mpls_tc=3,mpls_ttl=64,mpls_bos=1",
                  "mpls,mpls_label=100,mpls_tc=3,mpls_ttl=64,mpls_bos=1");
    assert_format("mplsm,mpls_label=7", "mplsm,mpls_label=7");

    struct ofp_match m, m2;
    parse_ok(&m, "mpls,mpls_label=1048575,mpls_tc=7,mpls_bos=0");
    assert_int_equal(be32_to_host(m.flow.mpls_lse), 0xfffffe00u);
    assert_int_equal(be32_to_host(m.wc.masks.mpls_lse), 0xffffff00u);
    assert_int_equal(ofp_match_check_prereqs(&m, NULL), 0);
    struct ofpbuf b;
    ofpbuf_init(&b);
    size_t consumed;
    ofp_match_put_oxm(&m, NULL, 4, &b);
    assert_int_equal(ofp_match_decode_oxm(b.data, b.size, NULL, &m2,
                                          &consumed), 0);
    assert_int_equal(consumed, b.size);
    assert_true(ofp_match_equal(&m, &m2));
    ofpbuf_uninit(&b);

    /* OpenFlow 1.3's ipv6_exthdr: IPv6 only, maskable, OXM 39. */
    assert_format("ipv6,ipv6_exthdr=0x44", "ipv6,ipv6_exthdr=0x44");
    assert_format("ipv6,ipv6_exthdr=0x40/0x1f0",
                  "ipv6,ipv6_exthdr=0x40/0x1f0");
    parse_ok(&m, "ipv6,ipv6_exthdr=0x44");
    m.flow.dl_type = htonbe16(0x0800);
    assert_int_equal(ofp_match_check_prereqs(&m, NULL),
                     OFPERR_OFPBMC_BAD_PREREQ);

    /* Without the MPLS Ethertype the fields have no meaning. */
    parse_ok(&m, "mpls,mpls_label=5");
    m.flow.dl_type = htonbe16(0x0800);
    assert_int_equal(ofp_match_check_prereqs(&m, NULL),
                     OFPERR_OFPBMC_BAD_PREREQ);
}

/* ND fields need ICMPv6 type 135/136; the code need not be matched (as
 * in OpenFlow 1.3.5 Table 12 and ovs-ofctl), but a matched code must be
 * 0. */
static void
test_nd_prereqs(void **state)
{
    const struct ofp_field *target = ofp_field_from_id(OFPF_ND_TARGET);
    const struct ofp_field *tll = ofp_field_from_id(OFPF_ND_TLL);
    struct ofp_match m;

    (void) state;
    parse_ok(&m, "icmp6,icmp_type=135,nd_target=20::20");
    assert_true(ofp_field_prereqs_ok(target, &m.flow, &m.wc));
    parse_ok(&m, "icmp6,icmp_type=136,icmp_code=0,nd_tll=aa:aa:aa:aa:aa:aa");
    assert_true(ofp_field_prereqs_ok(tll, &m.flow, &m.wc));
    m.flow.tp_dst = htonbe16(1);
    assert_false(ofp_field_prereqs_ok(tll, &m.flow, &m.wc));
    parse_ok(&m, "icmp6,icmp_type=135,nd_target=20::20");
    m.flow.tp_src = htonbe16(128);
    assert_false(ofp_field_prereqs_ok(target, &m.flow, &m.wc));
    m.flow.tp_src = htonbe16(136);
    assert_false(ofp_field_prereqs_ok(ofp_field_from_id(OFPF_ND_SLL),
                                      &m.flow, &m.wc));
}

/* NXM_NX_COOKIE(_W) in an nx_match (NXT_FLOW_MOD, NXST_FLOW) is skipped
 * by the match decoder; the message decoders take it. */
static void
test_nxm_cookie_skipped(void **state)
{
    uint8_t buf[64];
    size_t n = unhex("0000060208000001""3d10000000000000000500000000000000ff",
                     buf);
    struct ofp_match m, want;

    (void) state;
    assert_int_equal(ofp_match_decode_nxm(buf, n, NULL, &m), 0);
    parse_ok(&want, "ip");
    assert_true(ofp_match_equal(&m, &want));
    n = unhex("00013c080000000000000005", buf);
    assert_int_equal(ofp_match_decode_nxm(buf, n, NULL, &m), 0);
    /* NXM_NX field 127: no such field.  (Field 30 is NXM_NX_MPLS_TTL,
     * one byte wide: four bytes of it are a bad length.) */
    n = unhex("0001fe0400000005", buf);
    assert_int_equal(ofp_match_decode_nxm(buf, n, NULL, &m),
                     OFPERR_OFPBMC_BAD_FIELD);
    n = unhex("00013c0400000005", buf);
    assert_int_equal(ofp_match_decode_nxm(buf, n, NULL, &m),
                     OFPERR_OFPBMC_BAD_LEN);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oxm_bytes_match_ovs),
        cmocka_unit_test(test_nxm_bytes_match_ovs),
        cmocka_unit_test(test_ofp10_bytes_match_ovs),
        cmocka_unit_test(test_every_field_round_trips),
        cmocka_unit_test(test_mpls_fields),
        cmocka_unit_test(test_nd_prereqs),
        cmocka_unit_test(test_text_format_like_ovs),
        cmocka_unit_test(test_text_rejects_bad_input),
        cmocka_unit_test(test_decode_rejects_malformed),
        cmocka_unit_test(test_errors_names_and_versions),
        cmocka_unit_test(test_tun_metadata_short_value),
        cmocka_unit_test(test_tun_metadata_absent_reads_zero),
        cmocka_unit_test(test_format_frag_vlan_megaflow),
        cmocka_unit_test(test_nxm_cookie_skipped),
        cmocka_unit_test(test_text_error_texts_like_ovs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
