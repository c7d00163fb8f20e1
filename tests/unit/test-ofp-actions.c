/* Unit tests for the action codec (openflow/ofp-actions.h) and the flow
 * text module (openflow/ofp-flow.h).
 *
 * The expected bytes in 'captured' were sent by Debian's ovs-ofctl 3.1:
 * `ovs-ofctl --no-names -O <version> add-flow unix:SOCK "MATCH,actions=A"`
 * against a small Python stand-in switch on a unix socket that answered
 * hello, features, table-features and barrier and printed every flow_mod
 * in hex; the action (OpenFlow 1.0, NXT_FLOW_MOD) or instruction (1.3,
 * 1.5) bytes were cut out of it.  The expected text in 'texts' is what
 * `ovs-ofctl -O <version> parse-flow "MATCH,actions=A"` printed (it
 * encodes for that version, decodes and formats), and the dump-flows lines
 * come from Debian's ovs-vswitchd (datapath_type=netdev) and ovs-ofctl
 * dump-flows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/ds.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-flow.h"
#include "openflow/ofp-match.h"
#include "openflow/ofpbuf.h"

/* A TLV map with tun_metadata0 mapped to 4 bytes. */
static const struct ofp_tlv_map *
test_map(void)
{
    static struct ofp_tlv_map map;
    map.slots[0].ofs = 0;
    map.slots[0].len = 4;
    return &map;
}

static void
hex_to_buf(const char *hex, struct ofpbuf *b)
{
    for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
        unsigned int x;
        assert_int_equal(sscanf(hex + i, "%2x", &x), 1);
        ofpbuf_put_u8(b, x);
    }
}

static char *
buf_to_hex(const struct ofpbuf *b)
{
    char *s = xmalloc(2 * b->size + 1);
    for (size_t i = 0; i < b->size; i++) {
        sprintf(s + 2 * i, "%02x", b->data[i]);
    }
    s[2 * b->size] = '\0';
    return s;
}

/* Parses 'match' and 'actions' (which must be valid together). */
static void
parse_flow(const char *match, const char *actions, struct ofp_match *m,
           struct ofpbuf *ofpacts)
{
    char *err = ofp_match_from_string(m, test_map(), match);
    assert_null(err);
    err = ofpacts_parse(actions, test_map(), ofpacts);
    if (err) {
        fail_msg("%s: %s", actions, err);
    }
    assert_int_equal(ofpacts_check((const struct ofpact *) ofpacts->data,
                                   ofpacts->size, m, test_map(), 0xff00,
                                   255), 0);
}

static void
encode(const struct ofpbuf *ofpacts, uint8_t version, struct ofpbuf *out)
{
    const struct ofpact *a = (const struct ofpact *) ofpacts->data;
    if (version == 1) {
        ofpacts_encode_actions(a, ofpacts->size, version, test_map(), out);
    } else {
        ofpacts_encode_instructions(a, ofpacts->size, version, test_map(),
                                    out);
    }
}

static enum ofperr
decode(const struct ofpbuf *wire, uint8_t version, struct ofpbuf *ofpacts)
{
    return version == 1
           ? ofpacts_decode_actions(wire->data, wire->size, 1, test_map(),
                                    ofpacts)
           : ofpacts_decode_instructions(wire->data, wire->size, version,
                                         test_map(), ofpacts);
}

struct captured {
    uint8_t version;            /* Wire version. */
    const char *match;          /* Flow match. */
    const char *actions;        /* Actions as given to ovs-ofctl. */
    const char *hex;            /* What ovs-ofctl sent. */
};

static const struct captured captured[] = {
    { 1, "ip",
      "output:1",
      "0000000800010000" },
    { 4, "ip",
      "output:1",
      "000400180000000000000010000000010000000000000000" },
    { 6, "ip",
      "output:1",
      "000400180000000000000010000000010000000000000000" },
    { 1, "ip",
      "NORMAL",
      "00000008fffa0000" },
    { 4, "ip",
      "NORMAL",
      "000400180000000000000010fffffffa0000000000000000" },
    { 6, "ip",
      "NORMAL",
      "000400180000000000000010fffffffa0000000000000000" },
    { 1, "ip",
      "controller:100",
      "00000008fffd0064" },
    { 4, "ip",
      "controller:100",
      "000400180000000000000010fffffffd0064000000000000" },
    { 6, "ip",
      "controller:100",
      "000400180000000000000010fffffffd0064000000000000" },
    { 1, "ip",
      "controller(userdata=00.00.00.01,pause)",
      "ffff00200000232000250000000000000003000800000001000400040000"
      "0000" },
    { 4, "ip",
      "controller(userdata=00.00.00.01,pause)",
      "0004002800000000ffff0020000023200025000000000000000300080000"
      "00010004000400000000" },
    { 6, "ip",
      "controller(userdata=00.00.00.01,pause)",
      "0004002800000000ffff0020000023200025000000000000000300080000"
      "00010004000400000000" },
    { 1, "ip",
      "controller(reason=no_match,id=3,max_len=200)",
      "ffff001000002320001400c800030000" },
    { 4, "ip",
      "controller(reason=no_match,id=3,max_len=200)",
      "0004001800000000ffff001000002320001400c800030000" },
    { 6, "ip",
      "controller(reason=no_match,id=3,max_len=200)",
      "0004001800000000ffff001000002320001400c800030000" },
    { 1, "ip",
      "resubmit(,5)",
      "ffff001000002320000efff805000000" },
    { 4, "ip",
      "resubmit(,5)",
      "0004001800000000ffff001000002320000efff805000000" },
    { 6, "ip",
      "resubmit(,5)",
      "0004001800000000ffff001000002320000efff805000000" },
    { 1, "ip",
      "resubmit:3",
      "ffff001000002320000e0003ff000000" },
    { 4, "ip",
      "resubmit:3",
      "0004001800000000ffff001000002320000e0003ff000000" },
    { 6, "ip",
      "resubmit:3",
      "0004001800000000ffff001000002320000e0003ff000000" },
    { 1, "ct_state=+trk-inv,ip",
      "resubmit(3,5,ct)",
      "ffff001000002320002c000305000000" },
    { 4, "ct_state=+trk-inv,ip",
      "resubmit(3,5,ct)",
      "0004001800000000ffff001000002320002c000305000000" },
    { 6, "ct_state=+trk-inv,ip",
      "resubmit(3,5,ct)",
      "0004001800000000ffff001000002320002c000305000000" },
    { 1, "ip",
      "load:0x1->NXM_NX_REG0[0..15]",
      "ffff0018000023200007000f000100040000000000000001" },
    { 4, "ip",
      "load:0x1->NXM_NX_REG0[0..15]",
      "0004002000000000ffff0018000023200007000f00010004000000000000"
      "0001" },
    { 6, "ip",
      "load:0x1->NXM_NX_REG0[0..15]",
      "00040018000000000019001000010108000000010000ffff" },
    { 1, "ip",
      "set_field:1->reg0",
      "ffff0018000023200007001f000100040000000000000001" },
    { 4, "ip",
      "set_field:1->reg0",
      "000400180000000000190010000100040000000100000000" },
    { 6, "ip",
      "set_field:1->reg0",
      "000400180000000000190010000100040000000100000000" },
    { 1, "ip",
      "set_field:1/0xff->reg0",
      "ffff00180000232000070007000100040000000000000001" },
    { 4, "ip",
      "set_field:1/0xff->reg0",
      "0004002000000000ffff0018000023200007000700010004000000000000"
      "0001" },
    { 6, "ip",
      "set_field:1/0xff->reg0",
      "0004001800000000001900100001010800000001000000ff" },
    { 1, "ip",
      "set_field:10.0.0.1->ip_src",
      "000600080a000001" },
    { 4, "ip",
      "set_field:10.0.0.1->ip_src",
      "000400180000000000190010800016040a00000100000000" },
    { 6, "ip",
      "set_field:10.0.0.1->ip_src",
      "000400180000000000190010800016040a00000100000000" },
    { 1, "ipv6",
      "set_field:fe80::1->ipv6_src",
      "ffff0018000023200007003f000126100000000000000001ffff00180000"
      "23200007103f00012610fe80000000000000" },
    { 4, "ipv6",
      "set_field:fe80::1->ipv6_src",
      "00040020000000000019001880003410fe80000000000000000000000000"
      "0001" },
    { 6, "ipv6",
      "set_field:fe80::1->ipv6_src",
      "00040020000000000019001880003410fe80000000000000000000000000"
      "0001" },
    { 1, "ip",
      "set_field:1->xxreg0",
      "ffff0018000023200007003f0001de100000000000000001ffff00180000"
      "23200007103f0001de100000000000000000" },
    { 4, "ip",
      "set_field:1->xxreg0",
      "0004002000000000001900180001de100000000000000000000000000000"
      "0001" },
    { 6, "ip",
      "set_field:1->xxreg0",
      "0004002000000000001900180001de100000000000000000000000000000"
      "0001" },
    { 1, "ip",
      "move:NXM_NX_REG0[]->NXM_NX_REG1[]",
      "ffff00180000232000060020000000000001000400010204" },
    { 4, "ip",
      "move:NXM_NX_REG0[]->NXM_NX_REG1[]",
      "0004002000000000ffff0018000023200006002000000000000100040001"
      "0204" },
    { 6, "ip",
      "move:NXM_NX_REG0[]->NXM_NX_REG1[]",
      "0004002000000000001c0018002000000000000000010004000102040000"
      "0000" },
    { 1, "ip",
      "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG0[0..63]",
      "ffff0018000023200006004000000000800100080001de10" },
    { 4, "ip",
      "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG0[0..63]",
      "0004002000000000ffff0018000023200006004000000000800100080001"
      "de10" },
    { 6, "ip",
      "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG0[0..63]",
      "0004002000000000001c00180040000000000000800100080001de100000"
      "0000" },
    { 1, "ip",
      "mod_dl_src:00:11:22:33:44:55",
      "00040010001122334455000000000000" },
    { 4, "ip",
      "mod_dl_src:00:11:22:33:44:55",
      "000400180000000000190010800008060011223344550000" },
    { 6, "ip",
      "mod_dl_src:00:11:22:33:44:55",
      "000400180000000000190010800008060011223344550000" },
    { 1, "ip",
      "mod_nw_tos:16",
      "0008000810000000" },
    { 4, "ip",
      "mod_nw_tos:16",
      "000400180000000000190010800010010400000000000000" },
    { 6, "ip",
      "mod_nw_tos:16",
      "000400180000000000190010800010010400000000000000" },
    { 1, "ip",
      "mod_nw_ttl:9",
      "ffff0018000023200007000700013a010000000000000009" },
    { 4, "ip",
      "mod_nw_ttl:9",
      "00040010000000000017000809000000" },
    { 6, "ip",
      "mod_nw_ttl:9",
      "00040010000000000017000809000000" },
    { 1, "ip",
      "mod_vlan_vid:10",
      "00010008000a0000" },
    { 4, "ip",
      "mod_vlan_vid:10",
      "000400200000000000110008810000000019001080000c02100a00000000"
      "0000" },
    { 6, "ip",
      "mod_vlan_vid:10",
      "000400200000000000110008810000000019001080000c02100a00000000"
      "0000" },
    { 1, "ip",
      "strip_vlan",
      "0003000800000000" },
    { 4, "ip",
      "push_vlan:0x8100",
      "00040010000000000011000881000000" },
    /* Checked with Debian's ovs-ofctl parse-actions. */
    { 1, "ip",
      "push_mpls:0x8847,pop_mpls:0x0800",
      "ffff0010000023200017884700000000ffff0010000023200018080000000000" },
    { 4, "ip",
      "push_mpls:0x8847,pop_mpls:0x0800",
      "000400180000000000130008884700000014000808000000" },
    { 6, "ip",
      "push_vlan:0x8100",
      "00040010000000000011000881000000" },
    { 1, "ip",
      "dec_ttl",
      "ffff0010000023200012000000000000" },
    { 4, "ip",
      "dec_ttl",
      "00040010000000000018000800000000" },
    { 6, "ip",
      "dec_ttl",
      "00040010000000000018000800000000" },
    { 1, "ip",
      "dec_ttl(1,2)",
      "ffff00180000232000150002000000000001000200000000" },
    { 4, "ip",
      "dec_ttl(1,2)",
      "0004002000000000ffff0018000023200015000200000000000100020000"
      "0000" },
    { 6, "ip",
      "dec_ttl(1,2)",
      "0004002000000000ffff0018000023200015000200000000000100020000"
      "0000" },
    { 1, "ip",
      "set_queue:5",
      "ffff0010000023200004000000000005" },
    { 4, "ip",
      "set_queue:5",
      "00040010000000000015000800000005" },
    { 6, "ip",
      "set_queue:5",
      "00040010000000000015000800000005" },
    { 1, "ip",
      "pop_queue",
      "ffff0010000023200005000000000000" },
    { 4, "ip",
      "pop_queue",
      "0004001800000000ffff0010000023200005000000000000" },
    { 6, "ip",
      "pop_queue",
      "0004001800000000ffff0010000023200005000000000000" },
    { 1, "ip",
      "goto_table:3",
      "ffff001000002320000efff803000000" },
    { 4, "ip",
      "goto_table:3",
      "0001000803000000" },
    { 6, "ip",
      "goto_table:3",
      "0001000803000000" },
    { 1, "ip",
      "write_metadata:0x1/0xff",
      "ffff00200000232000160000000000000000000000000001000000000000"
      "00ff" },
    { 4, "ip",
      "write_metadata:0x1/0xff",
      "0002001800000000000000000000000100000000000000ff" },
    { 6, "ip",
      "write_metadata:0x1/0xff",
      "0002001800000000000000000000000100000000000000ff" },
    { 1, "ip",
      "note:00.01.02.03.04.05.06",
      "ffff00180000232000080001020304050600000000000000" },
    { 4, "ip",
      "note:00.01.02.03.04.05.06",
      "0004002000000000ffff0018000023200008000102030405060000000000"
      "0000" },
    { 6, "ip",
      "note:00.01.02.03.04.05.06",
      "0004002000000000ffff0018000023200008000102030405060000000000"
      "0000" },
    { 1, "ip",
      "group:1",
      "ffff0010000023200028000000000001" },
    { 4, "ip",
      "group:1",
      "00040010000000000016000800000001" },
    { 6, "ip",
      "group:1",
      "00040010000000000016000800000001" },
    { 1, "ip",
      "clone(output:1,set_field:1->reg0)",
      "ffff003000002320002a0000000000000000000800010000ffff00180000"
      "23200007001f000100040000000000000001" },
    { 4, "ip",
      "clone(output:1,set_field:1->reg0)",
      "0004003800000000ffff003000002320002a000000000000000000100000"
      "0001000000000000000000190010000100040000000100000000" },
    { 6, "ip",
      "clone(output:1,set_field:1->reg0)",
      "0004003800000000ffff003000002320002a000000000000000000100000"
      "0001000000000000000000190010000100040000000100000000" },
    { 1, "ip",
      "check_pkt_larger(1500)->NXM_NX_REG0[0]",
      "ffff001800002320003105dc000000010004000000000000" },
    { 4, "ip",
      "check_pkt_larger(1500)->NXM_NX_REG0[0]",
      "0004002000000000ffff001800002320003105dc00000001000400000000"
      "0000" },
    { 6, "ip",
      "check_pkt_larger(1500)->NXM_NX_REG0[0]",
      "0004002000000000ffff001800002320003105dc00000001000400000000"
      "0000" },
    { 1, "ip",
      "conjunction(5,1/2)",
      "ffff0010000023200022000200000005" },
    { 4, "ip",
      "conjunction(5,1/2)",
      "0004001800000000ffff0010000023200022000200000005" },
    { 6, "ip",
      "conjunction(5,1/2)",
      "0004001800000000ffff0010000023200022000200000005" },
    { 1, "ip",
      "exit",
      "ffff0010000023200011000000000000" },
    { 4, "ip",
      "exit",
      "0004001800000000ffff0010000023200011000000000000" },
    { 6, "ip",
      "exit",
      "0004001800000000ffff0010000023200011000000000000" },
    { 1, "ip",
      "ct_clear",
      "ffff001000002320002b000000000000" },
    { 4, "ip",
      "ct_clear",
      "0004001800000000ffff001000002320002b000000000000" },
    { 6, "ip",
      "ct_clear",
      "0004001800000000ffff001000002320002b000000000000" },
    { 1, "tcp",
      "ct(commit,force,zone=5,table=10,alg=ftp)",
      "ffff001800002320002300030000000000050a0000000015" },
    { 4, "tcp",
      "ct(commit,force,zone=5,table=10,alg=ftp)",
      "0004002000000000ffff001800002320002300030000000000050a000000"
      "0015" },
    { 6, "tcp",
      "ct(commit,force,zone=5,table=10,alg=ftp)",
      "0004002000000000ffff001800002320002300030000000000050a000000"
      "0015" },
    { 1, "ip",
      "ct(commit,zone=NXM_NX_REG13[0..15],table=10,nat(src=10.0.0.1"
      "-10.0.0.5:1000-2000,random),exec(set_field:1->ct_mark))",
      "ffff0050000023200023000100011a04000f0a0000000000ffff00200000"
      "232000240000001100330a0000010a00000503e807d000000000ffff0018"
      "000023200007001f0001d6040000000000000001" },
    { 4, "ip",
      "ct(commit,zone=NXM_NX_REG13[0..15],table=10,nat(src=10.0.0.1"
      "-10.0.0.5:1000-2000,random),exec(set_field:1->ct_mark))",
      "0004005000000000ffff0048000023200023000100011a04000f0a000000"
      "0000ffff00200000232000240000001100330a0000010a00000503e807d0"
      "00000000001900100001d6040000000100000000" },
    { 6, "ip",
      "ct(commit,zone=NXM_NX_REG13[0..15],table=10,nat(src=10.0.0.1"
      "-10.0.0.5:1000-2000,random),exec(set_field:1->ct_mark))",
      "0004005000000000ffff0048000023200023000100011a04000f0a000000"
      "0000ffff00200000232000240000001100330a0000010a00000503e807d0"
      "00000000001900100001d6040000000100000000" },
    { 1, "ipv6",
      "ct(commit,nat(src=[fe80::1]-[fe80::2]:80-90))",
      "ffff00500000232000230001000000000000ff0000000000ffff00380000"
      "2320002400000001003cfe800000000000000000000000000001fe800000"
      "0000000000000000000000020050005a00000000" },
    { 4, "ipv6",
      "ct(commit,nat(src=[fe80::1]-[fe80::2]:80-90))",
      "0004005800000000ffff00500000232000230001000000000000ff000000"
      "0000ffff003800002320002400000001003cfe8000000000000000000000"
      "00000001fe8000000000000000000000000000020050005a00000000" },
    { 6, "ipv6",
      "ct(commit,nat(src=[fe80::1]-[fe80::2]:80-90))",
      "0004005800000000ffff00500000232000230001000000000000ff000000"
      "0000ffff003800002320002400000001003cfe8000000000000000000000"
      "00000001fe8000000000000000000000000000020050005a00000000" },
    { 1, "ip",
      "output:NXM_NX_REG0[16..31]",
      "ffff001800002320000f040f00010004ffff000000000000" },
    { 4, "ip",
      "output:NXM_NX_REG0[16..31]",
      "0004002000000000ffff001800002320000f040f00010004ffff00000000"
      "0000" },
    { 6, "ip",
      "output:NXM_NX_REG0[16..31]",
      "0004002000000000ffff001800002320000f040f00010004ffff00000000"
      "0000" },
    { 1, "ip",
      "multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])",
      "ffff002000002320000a0000003200000002000b00000000000000030001"
      "0004" },
    { 4, "ip",
      "multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])",
      "0004002800000000ffff002000002320000a0000003200000002000b0000"
      "00000000000300010004" },
    { 6, "ip",
      "multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])",
      "0004002800000000ffff002000002320000a0000003200000002000b0000"
      "00000000000300010004" },
    { 1, "ip",
      "learn(table=10,idle_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF"
      "_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])",
      "ffff0048000023200010003c00008000000000000000000000000a000000"
      "0000000c0000080200000000080200000030000004060000000002060000"
      "101000000002000000000000" },
    { 4, "ip",
      "learn(table=10,idle_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF"
      "_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])",
      "0004005000000000ffff0048000023200010003c00008000000000000000"
      "000000000a0000000000000c000008020000000008020000003000000406"
      "0000000002060000101000000002000000000000" },
    { 6, "ip",
      "learn(table=10,idle_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF"
      "_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])",
      "0004005000000000ffff0048000023200010003c00008000000000000000"
      "000000000a0000000000000c000008020000000008020000003000000406"
      "0000000002060000101000000002000000000000" },
    { 1, "ip",
      "learn(table=10,priority=5,hard_timeout=10,fin_idle_timeout=1"
      ",fin_hard_timeout=2,cookie=0x5,send_flow_rem,delete_learned,"
      "eth_type=0x800,load:0x5->NXM_NX_REG0[],load:NXM_NX_REG1[]->N"
      "XM_NX_REG2[],NXM_OF_IP_SRC[]=10.0.0.1)",
      "ffff00500000232000100000000a0005000000000000000500030a000001"
      "000220100800000006020000282000000005000100040000082000010204"
      "000000010404000020200a00000100000e040000" },
    { 4, "ip",
      "learn(table=10,priority=5,hard_timeout=10,fin_idle_timeout=1"
      ",fin_hard_timeout=2,cookie=0x5,send_flow_rem,delete_learned,"
      "eth_type=0x800,load:0x5->NXM_NX_REG0[],load:NXM_NX_REG1[]->N"
      "XM_NX_REG2[],NXM_OF_IP_SRC[]=10.0.0.1)",
      "0004005800000000ffff00500000232000100000000a0005000000000000"
      "000500030a00000100022010080000000602000028200000000500010004"
      "0000082000010204000000010404000020200a00000100000e040000" },
    { 6, "ip",
      "learn(table=10,priority=5,hard_timeout=10,fin_idle_timeout=1"
      ",fin_hard_timeout=2,cookie=0x5,send_flow_rem,delete_learned,"
      "eth_type=0x800,load:0x5->NXM_NX_REG0[],load:NXM_NX_REG1[]->N"
      "XM_NX_REG2[],NXM_OF_IP_SRC[]=10.0.0.1)",
      "0004005800000000ffff00500000232000100000000a0005000000000000"
      "000500030a00000100022010080000000602000028200000000500010004"
      "0000082000010204000000010404000020200a00000100000e040000" },
    { 1, "ip",
      "set_tunnel:5",
      "ffff0010000023200002000000000005" },
    { 4, "ip",
      "set_tunnel:5",
      "00040018000000000019001080004c080000000000000005" },
    { 6, "ip",
      "set_tunnel:5",
      "00040018000000000019001080004c080000000000000005" },
    { 1, "ip",
      "set_tunnel64:5",
      "ffff00180000232000090000000000000000000000000005" },
    { 4, "ip",
      "set_tunnel64:5",
      "00040018000000000019001080004c080000000000000005" },
    { 6, "ip",
      "set_tunnel64:5",
      "00040018000000000019001080004c080000000000000005" },
    { 1, "ip",
      "fin_timeout(idle_timeout=5,hard_timeout=10)",
      "ffff00100000232000130005000a0000" },
    { 4, "ip",
      "meter:2,output:1,clear_actions,write_actions(output:3),write"
      "_metadata:0x5/0xf,goto_table:4",
      "000600080000000200040018000000000000001000000001000000000000"
      "000000050008000000000003001800000000000000100000000300000000"
      "0000000000020018000000000000000000000005000000000000000f0001"
      "000804000000" },
    { 6, "ip",
      "meter:2,output:1,clear_actions,write_actions(output:3),write"
      "_metadata:0x5/0xf,goto_table:4",
      "0004002000000000001d0008000000020000001000000001000000000000"
      "000000050008000000000003001800000000000000100000000300000000"
      "0000000000020018000000000000000000000005000000000000000f0001"
      "000804000000" },
    { 1, "ip",
      "enqueue:1:2",
      "000b0010000100000000000000000002" },
    { 4, "ip",
      "enqueue:1:2",
      "000400300000000000150008000000020000001000000001ffff00000000"
      "0000ffff0010000023200005000000000000" },
    { 6, "ip",
      "enqueue:1:2",
      "000400300000000000150008000000020000001000000001ffff00000000"
      "0000ffff0010000023200005000000000000" },
};

/* Kiln encodes each action list exactly as ovs-ofctl does, decodes those
 * bytes, and encodes the result to the same bytes again. */
static void
test_encode_matches_ovs_ofctl(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(captured); i++) {
        const struct captured *c = &captured[i];
        struct ofpbuf acts = OFPBUF_EMPTY_INITIALIZER;
        struct ofpbuf wire = OFPBUF_EMPTY_INITIALIZER;
        struct ofpbuf dec = OFPBUF_EMPTY_INITIALIZER;
        struct ofpbuf again = OFPBUF_EMPTY_INITIALIZER;
        struct ofp_match m;
        char *hex;

        parse_flow(c->match, c->actions, &m, &acts);
        encode(&acts, c->version, &wire);
        hex = buf_to_hex(&wire);
        if (strcmp(hex, c->hex)) {
            fail_msg("v%u %s: got %s, want %s", c->version, c->actions, hex,
                     c->hex);
        }
        free(hex);
        assert_int_equal(decode(&wire, c->version, &dec), 0);
        encode(&dec, c->version, &again);
        assert_int_equal(again.size, wire.size);
        assert_memory_equal(again.data, wire.data, wire.size);
        ofpbuf_uninit(&acts);
        ofpbuf_uninit(&wire);
        ofpbuf_uninit(&dec);
        ofpbuf_uninit(&again);
    }
}

/* Every prefix of every captured encoding that is not the whole of it
 * either fails to decode or decodes to a shorter, valid list; with
 * AddressSanitizer this also shows that no decoder reads past its input. */
static void
test_decode_truncated(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(captured); i++) {
        const struct captured *c = &captured[i];
        struct ofpbuf wire = OFPBUF_EMPTY_INITIALIZER;

        hex_to_buf(c->hex, &wire);
        for (size_t n = 0; n < wire.size; n++) {
            struct ofpbuf dec = OFPBUF_EMPTY_INITIALIZER;
            uint8_t *copy = xmemdup(wire.data, n ? n : 1);
            enum ofperr err = c->version == 1
                ? ofpacts_decode_actions(copy, n, 1, test_map(), &dec)
                : ofpacts_decode_instructions(copy, n, c->version,
                                              test_map(), &dec);
            if (err) {
                assert_int_equal(dec.size, 0);
            }
            free(copy);
            ofpbuf_uninit(&dec);
        }
        ofpbuf_uninit(&wire);
    }
}

struct text_case {
    uint8_t version;            /* Wire version of the round trip. */
    const char *match;          /* Flow match. */
    const char *actions;        /* Input text. */
    const char *expect;         /* ovs-ofctl parse-flow's output. */
};

static const struct text_case texts[] = {
    { 1, "ip",
      "output:1",
      "output:1" },
    { 4, "ip",
      "output:1",
      "output:1" },
    { 6, "ip",
      "output:1",
      "output:1" },
    { 1, "ip",
      "1",
      "output:1" },
    { 4, "ip",
      "1",
      "output:1" },
    { 6, "ip",
      "1",
      "output:1" },
    { 1, "ip",
      "LOCAL",
      "LOCAL" },
    { 4, "ip",
      "LOCAL",
      "LOCAL" },
    { 6, "ip",
      "LOCAL",
      "LOCAL" },
    { 1, "ip",
      "NORMAL",
      "NORMAL" },
    { 4, "ip",
      "NORMAL",
      "NORMAL" },
    { 6, "ip",
      "NORMAL",
      "NORMAL" },
    { 1, "ip",
      "IN_PORT",
      "IN_PORT" },
    { 4, "ip",
      "IN_PORT",
      "IN_PORT" },
    { 6, "ip",
      "IN_PORT",
      "IN_PORT" },
    { 1, "ip",
      "FLOOD",
      "FLOOD" },
    { 4, "ip",
      "FLOOD",
      "FLOOD" },
    { 6, "ip",
      "FLOOD",
      "FLOOD" },
    { 1, "ip",
      "ALL",
      "ALL" },
    { 4, "ip",
      "ALL",
      "ALL" },
    { 6, "ip",
      "ALL",
      "ALL" },
    { 1, "ip",
      "controller",
      "CONTROLLER:65535" },
    { 4, "ip",
      "controller",
      "CONTROLLER:65535" },
    { 6, "ip",
      "controller",
      "CONTROLLER:65535" },
    { 1, "ip",
      "controller:100",
      "CONTROLLER:100" },
    { 4, "ip",
      "controller:100",
      "CONTROLLER:100" },
    { 6, "ip",
      "controller:100",
      "CONTROLLER:100" },
    { 1, "ip",
      "controller(reason=no_match,id=3,max_len=200)",
      "controller(reason=no_match,max_len=200,id=3)" },
    { 4, "ip",
      "controller(reason=no_match,id=3,max_len=200)",
      "controller(reason=no_match,max_len=200,id=3)" },
    { 6, "ip",
      "controller(reason=no_match,id=3,max_len=200)",
      "controller(reason=no_match,max_len=200,id=3)" },
    { 1, "ip",
      "controller(userdata=00.00.00.01,pause)",
      "controller(userdata=00.00.00.01,pause)" },
    { 4, "ip",
      "controller(userdata=00.00.00.01,pause)",
      "controller(userdata=00.00.00.01,pause)" },
    { 6, "ip",
      "controller(userdata=00.00.00.01,pause)",
      "controller(userdata=00.00.00.01,pause)" },
    { 1, "ip",
      "resubmit(,5)",
      "resubmit(,5)" },
    { 4, "ip",
      "resubmit(,5)",
      "resubmit(,5)" },
    { 6, "ip",
      "resubmit(,5)",
      "resubmit(,5)" },
    { 1, "ip",
      "resubmit:3",
      "resubmit:3" },
    { 4, "ip",
      "resubmit:3",
      "resubmit:3" },
    { 6, "ip",
      "resubmit:3",
      "resubmit:3" },
    { 1, "ip",
      "load:0x1->NXM_NX_REG0[0..15]",
      "load:0x1->NXM_NX_REG0[0..15]" },
    { 4, "ip",
      "load:0x1->NXM_NX_REG0[0..15]",
      "load:0x1->NXM_NX_REG0[0..15]" },
    { 6, "ip",
      "load:0x1->NXM_NX_REG0[0..15]",
      "set_field:0x1/0xffff->reg0" },
    { 1, "ip",
      "load:0x1->NXM_NX_REG0[]",
      "load:0x1->NXM_NX_REG0[]" },
    { 4, "ip",
      "load:0x1->NXM_NX_REG0[]",
      "load:0x1->NXM_NX_REG0[]" },
    { 6, "ip",
      "load:0x1->NXM_NX_REG0[]",
      "set_field:0x1->reg0" },
    { 1, "ip",
      "load:1->NXM_NX_REG0[5]",
      "load:0x1->NXM_NX_REG0[5]" },
    { 4, "ip",
      "load:1->NXM_NX_REG0[5]",
      "load:0x1->NXM_NX_REG0[5]" },
    { 6, "ip",
      "load:1->NXM_NX_REG0[5]",
      "set_field:0x20/0x20->reg0" },
    { 1, "ip",
      "load:0xffff->OXM_OF_METADATA[0..15]",
      "load:0xffff->OXM_OF_METADATA[0..15]" },
    { 4, "ip",
      "load:0xffff->OXM_OF_METADATA[0..15]",
      "load:0xffff->OXM_OF_METADATA[0..15]" },
    { 6, "ip",
      "load:0xffff->OXM_OF_METADATA[0..15]",
      "set_field:0xffff/0xffff->metadata" },
    { 1, "ip",
      "set_field:1->reg0",
      "load:0x1->NXM_NX_REG0[]" },
    { 4, "ip",
      "set_field:1->reg0",
      "set_field:0x1->reg0" },
    { 6, "ip",
      "set_field:1->reg0",
      "set_field:0x1->reg0" },
    { 1, "ip",
      "set_field:1/0xff->reg0",
      "load:0x1->NXM_NX_REG0[0..7]" },
    { 4, "ip",
      "set_field:1/0xff->reg0",
      "load:0x1->NXM_NX_REG0[0..7]" },
    { 6, "ip",
      "set_field:1/0xff->reg0",
      "set_field:0x1/0xff->reg0" },
    { 1, "ip",
      "set_field:10.0.0.1->ip_src",
      "mod_nw_src:10.0.0.1" },
    { 4, "ip",
      "set_field:10.0.0.1->ip_src",
      "set_field:10.0.0.1->ip_src" },
    { 6, "ip",
      "set_field:10.0.0.1->ip_src",
      "set_field:10.0.0.1->ip_src" },
    { 1, "ip",
      "set_field:00:11:22:33:44:55->eth_dst",
      "mod_dl_dst:00:11:22:33:44:55" },
    { 4, "ip",
      "set_field:00:11:22:33:44:55->eth_dst",
      "set_field:00:11:22:33:44:55->eth_dst" },
    { 6, "ip",
      "set_field:00:11:22:33:44:55->eth_dst",
      "set_field:00:11:22:33:44:55->eth_dst" },
    { 1, "ip",
      "set_field:1->tun_id",
      "load:0x1->NXM_NX_TUN_ID[]" },
    { 4, "ip",
      "set_field:1->tun_id",
      "set_field:0x1->tun_id" },
    { 6, "ip",
      "set_field:1->tun_id",
      "set_field:0x1->tun_id" },
    { 1, "ip",
      "move:NXM_NX_REG0[]->NXM_NX_REG1[]",
      "move:NXM_NX_REG0[]->NXM_NX_REG1[]" },
    { 4, "ip",
      "move:NXM_NX_REG0[]->NXM_NX_REG1[]",
      "move:NXM_NX_REG0[]->NXM_NX_REG1[]" },
    { 6, "ip",
      "move:NXM_NX_REG0[]->NXM_NX_REG1[]",
      "move:NXM_NX_REG0[]->NXM_NX_REG1[]" },
    { 1, "ip",
      "move:NXM_NX_REG0[0..7]->NXM_NX_REG1[8..15]",
      "move:NXM_NX_REG0[0..7]->NXM_NX_REG1[8..15]" },
    { 4, "ip",
      "move:NXM_NX_REG0[0..7]->NXM_NX_REG1[8..15]",
      "move:NXM_NX_REG0[0..7]->NXM_NX_REG1[8..15]" },
    { 6, "ip",
      "move:NXM_NX_REG0[0..7]->NXM_NX_REG1[8..15]",
      "move:NXM_NX_REG0[0..7]->NXM_NX_REG1[8..15]" },
    { 1, "ip",
      "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
      "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]" },
    { 4, "ip",
      "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
      "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]" },
    { 6, "ip",
      "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
      "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]" },
    { 1, "ip",
      "mod_dl_src:00:11:22:33:44:55",
      "mod_dl_src:00:11:22:33:44:55" },
    { 4, "ip",
      "mod_dl_src:00:11:22:33:44:55",
      "set_field:00:11:22:33:44:55->eth_src" },
    { 6, "ip",
      "mod_dl_src:00:11:22:33:44:55",
      "set_field:00:11:22:33:44:55->eth_src" },
    { 1, "ip",
      "mod_nw_dst:1.2.3.4",
      "mod_nw_dst:1.2.3.4" },
    { 4, "ip",
      "mod_nw_dst:1.2.3.4",
      "set_field:1.2.3.4->ip_dst" },
    { 6, "ip",
      "mod_nw_dst:1.2.3.4",
      "set_field:1.2.3.4->ip_dst" },
    { 1, "ip",
      "mod_nw_tos:16",
      "mod_nw_tos:16" },
    { 4, "ip",
      "mod_nw_tos:16",
      "set_field:4->ip_dscp" },
    { 6, "ip",
      "mod_nw_tos:16",
      "set_field:4->ip_dscp" },
    { 1, "ip",
      "mod_nw_ecn:2",
      "load:0x2->NXM_NX_IP_ECN[]" },
    { 4, "ip",
      "mod_nw_ecn:2",
      "set_field:2->nw_ecn" },
    { 6, "ip",
      "mod_nw_ecn:2",
      "set_field:2->nw_ecn" },
    { 1, "ip",
      "mod_nw_ttl:9",
      "load:0x9->NXM_NX_IP_TTL[]" },
    { 4, "ip",
      "mod_nw_ttl:9",
      "mod_nw_ttl:9" },
    { 6, "ip",
      "mod_nw_ttl:9",
      "mod_nw_ttl:9" },
    { 1, "ip",
      "mod_tp_src:80",
      "mod_tp_src:80" },
    { 1, "ip",
      "mod_tp_dst:443",
      "mod_tp_dst:443" },
    { 1, "ip",
      "mod_vlan_vid:10",
      "mod_vlan_vid:10" },
    { 4, "ip",
      "mod_vlan_vid:10",
      "push_vlan:0x8100,set_field:4106->vlan_vid" },
    { 6, "ip",
      "mod_vlan_vid:10",
      "push_vlan:0x8100,set_field:4106->vlan_vid" },
    { 1, "ip",
      "mod_vlan_pcp:3",
      "mod_vlan_pcp:3" },
    { 4, "ip",
      "mod_vlan_pcp:3",
      "push_vlan:0x8100,set_field:3->vlan_pcp" },
    { 6, "ip",
      "mod_vlan_pcp:3",
      "push_vlan:0x8100,set_field:3->vlan_pcp" },
    { 1, "ip",
      "strip_vlan",
      "strip_vlan" },
    { 1, "ip",
      "pop_vlan",
      "strip_vlan" },
    { 4, "ip",
      "push_vlan:0x8100",
      "push_vlan:0x8100" },
    { 6, "ip",
      "push_vlan:0x8100",
      "push_vlan:0x8100" },
    { 1, "ip",
      "dec_ttl",
      "dec_ttl" },
    { 4, "ip",
      "dec_ttl",
      "dec_ttl" },
    { 6, "ip",
      "dec_ttl",
      "dec_ttl" },
    { 1, "ip",
      "dec_ttl(1,2)",
      "dec_ttl(1,2)" },
    { 4, "ip",
      "dec_ttl(1,2)",
      "dec_ttl(1,2)" },
    { 6, "ip",
      "dec_ttl(1,2)",
      "dec_ttl(1,2)" },
    { 1, "ip",
      "set_queue:5",
      "set_queue:5" },
    { 4, "ip",
      "set_queue:5",
      "set_queue:5" },
    { 6, "ip",
      "set_queue:5",
      "set_queue:5" },
    { 1, "ip",
      "pop_queue",
      "pop_queue" },
    { 4, "ip",
      "pop_queue",
      "pop_queue" },
    { 6, "ip",
      "pop_queue",
      "pop_queue" },
    { 1, "ip",
      "goto_table:3",
      "resubmit(,3)" },
    { 4, "ip",
      "goto_table:3",
      "goto_table:3" },
    { 6, "ip",
      "goto_table:3",
      "goto_table:3" },
    { 1, "ip",
      "write_metadata:0x1/0xff",
      "write_metadata:0x1/0xff" },
    { 4, "ip",
      "write_metadata:0x1/0xff",
      "write_metadata:0x1/0xff" },
    { 6, "ip",
      "write_metadata:0x1/0xff",
      "write_metadata:0x1/0xff" },
    { 1, "ip",
      "write_metadata:0x1",
      "write_metadata:0x1" },
    { 4, "ip",
      "write_metadata:0x1",
      "write_metadata:0x1" },
    { 6, "ip",
      "write_metadata:0x1",
      "write_metadata:0x1" },
    { 1, "ip",
      "drop",
      "drop" },
    { 4, "ip",
      "drop",
      "drop" },
    { 6, "ip",
      "drop",
      "drop" },
    { 1, "ip",
      "note:00.01",
      "note:00.01.00.00.00.00" },
    { 4, "ip",
      "note:00.01",
      "note:00.01.00.00.00.00" },
    { 6, "ip",
      "note:00.01",
      "note:00.01.00.00.00.00" },
    { 1, "ip",
      "note:00.01.02.03.04.05.06",
      "note:00.01.02.03.04.05.06.00.00.00.00.00.00.00" },
    { 4, "ip",
      "note:00.01.02.03.04.05.06",
      "note:00.01.02.03.04.05.06.00.00.00.00.00.00.00" },
    { 6, "ip",
      "note:00.01.02.03.04.05.06",
      "note:00.01.02.03.04.05.06.00.00.00.00.00.00.00" },
    { 1, "ip",
      "group:1",
      "group:1" },
    { 4, "ip",
      "group:1",
      "group:1" },
    { 6, "ip",
      "group:1",
      "group:1" },
    { 1, "ip",
      "clone(output:1,set_field:1->reg0)",
      "clone(output:1,load:0x1->NXM_NX_REG0[])" },
    { 4, "ip",
      "clone(output:1,set_field:1->reg0)",
      "clone(output:1,set_field:0x1->reg0)" },
    { 6, "ip",
      "clone(output:1,set_field:1->reg0)",
      "clone(output:1,set_field:0x1->reg0)" },
    { 1, "ip",
      "check_pkt_larger(1500)->NXM_NX_REG0[0]",
      "check_pkt_larger(1500)->NXM_NX_REG0[0]" },
    { 4, "ip",
      "check_pkt_larger(1500)->NXM_NX_REG0[0]",
      "check_pkt_larger(1500)->NXM_NX_REG0[0]" },
    { 6, "ip",
      "check_pkt_larger(1500)->NXM_NX_REG0[0]",
      "check_pkt_larger(1500)->NXM_NX_REG0[0]" },
    { 1, "ip",
      "conjunction(5,1/2)",
      "conjunction(5,1/2)" },
    { 4, "ip",
      "conjunction(5,1/2)",
      "conjunction(5,1/2)" },
    { 6, "ip",
      "conjunction(5,1/2)",
      "conjunction(5,1/2)" },
    { 1, "ip",
      "exit",
      "exit" },
    { 4, "ip",
      "exit",
      "exit" },
    { 6, "ip",
      "exit",
      "exit" },
    { 1, "ip",
      "ct_clear",
      "ct_clear" },
    { 4, "ip",
      "ct_clear",
      "ct_clear" },
    { 6, "ip",
      "ct_clear",
      "ct_clear" },
    { 1, "ip",
      "ct(commit)",
      "ct(commit)" },
    { 4, "ip",
      "ct(commit)",
      "ct(commit)" },
    { 6, "ip",
      "ct(commit)",
      "ct(commit)" },
    { 1, "ip",
      "ct(commit,zone=NXM_NX_REG13[0..15],table=10,nat(src=10.0.0.1"
      "-10.0.0.5:1000-2000,random),exec(set_field:1->ct_mark))",
      "ct(commit,table=10,zone=NXM_NX_REG13[0..15],nat(src=10.0.0.1"
      "-10.0.0.5:1000-2000,random),exec(load:0x1->NXM_NX_CT_MARK[])"
      ")" },
    { 4, "ip",
      "ct(commit,zone=NXM_NX_REG13[0..15],table=10,nat(src=10.0.0.1"
      "-10.0.0.5:1000-2000,random),exec(set_field:1->ct_mark))",
      "ct(commit,table=10,zone=NXM_NX_REG13[0..15],nat(src=10.0.0.1"
      "-10.0.0.5:1000-2000,random),exec(set_field:0x1->ct_mark))" },
    { 6, "ip",
      "ct(commit,zone=NXM_NX_REG13[0..15],table=10,nat(src=10.0.0.1"
      "-10.0.0.5:1000-2000,random),exec(set_field:1->ct_mark))",
      "ct(commit,table=10,zone=NXM_NX_REG13[0..15],nat(src=10.0.0.1"
      "-10.0.0.5:1000-2000,random),exec(set_field:0x1->ct_mark))" },
    { 1, "ip",
      "ct(nat)",
      "ct(nat)" },
    { 4, "ip",
      "ct(nat)",
      "ct(nat)" },
    { 6, "ip",
      "ct(nat)",
      "ct(nat)" },
    { 1, "ip",
      "ct(commit,nat(dst=10.0.0.1))",
      "ct(commit,nat(dst=10.0.0.1))" },
    { 4, "ip",
      "ct(commit,nat(dst=10.0.0.1))",
      "ct(commit,nat(dst=10.0.0.1))" },
    { 6, "ip",
      "ct(commit,nat(dst=10.0.0.1))",
      "ct(commit,nat(dst=10.0.0.1))" },
    { 1, "ip",
      "ct(commit,exec(set_field:0x1/0x1->ct_label,load:1->NXM_NX_CT"
      "_MARK[]))",
      "ct(commit,exec(load:0x1->NXM_NX_CT_LABEL[0],load:0x1->NXM_NX"
      "_CT_MARK[]))" },
    { 4, "ip",
      "ct(commit,exec(set_field:0x1/0x1->ct_label,load:1->NXM_NX_CT"
      "_MARK[]))",
      "ct(commit,exec(load:0x1->NXM_NX_CT_LABEL[0],load:0x1->NXM_NX"
      "_CT_MARK[]))" },
    { 6, "ip",
      "ct(commit,exec(set_field:0x1/0x1->ct_label,load:1->NXM_NX_CT"
      "_MARK[]))",
      "ct(commit,exec(set_field:0x1/0x1->ct_label,set_field:0x1->ct"
      "_mark))" },
    { 1, "ip",
      "output:NXM_NX_REG0[]",
      "output:NXM_NX_REG0[]" },
    { 4, "ip",
      "output:NXM_NX_REG0[]",
      "output:NXM_NX_REG0[]" },
    { 6, "ip",
      "output:NXM_NX_REG0[]",
      "output:NXM_NX_REG0[]" },
    { 1, "ip",
      "output:NXM_NX_REG0[0..15]",
      "output:NXM_NX_REG0[0..15]" },
    { 4, "ip",
      "output:NXM_NX_REG0[0..15]",
      "output:NXM_NX_REG0[0..15]" },
    { 6, "ip",
      "output:NXM_NX_REG0[0..15]",
      "output:NXM_NX_REG0[0..15]" },
    { 1, "ip",
      "multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])",
      "multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])" },
    { 4, "ip",
      "multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])",
      "multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])" },
    { 6, "ip",
      "multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])",
      "multipath(eth_src,50,hrw,12,0,NXM_NX_REG0[0..3])" },
    { 1, "ip",
      "learn(table=10,idle_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF"
      "_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])",
      "learn(table=10,idle_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF"
      "_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])" },
    { 4, "ip",
      "learn(table=10,idle_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF"
      "_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])",
      "learn(table=10,idle_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF"
      "_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])" },
    { 6, "ip",
      "learn(table=10,idle_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF"
      "_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])",
      "learn(table=10,idle_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF"
      "_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])" },
    { 1, "ip",
      "set_tunnel:5",
      "set_tunnel:0x5" },
    { 4, "ip",
      "set_tunnel:5",
      "set_field:0x5->tun_id" },
    { 6, "ip",
      "set_tunnel:5",
      "set_field:0x5->tun_id" },
    { 1, "ip",
      "set_tunnel64:5",
      "set_tunnel64:0x5" },
    { 4, "ip",
      "set_tunnel64:5",
      "set_field:0x5->tun_id" },
    { 6, "ip",
      "set_tunnel64:5",
      "set_field:0x5->tun_id" },
    { 1, "ip",
      "set_tunnel:0x123456789",
      "set_tunnel64:0x123456789" },
    { 4, "ip",
      "set_tunnel:0x123456789",
      "set_field:0x123456789->tun_id" },
    { 6, "ip",
      "set_tunnel:0x123456789",
      "set_field:0x123456789->tun_id" },
    { 1, "ip",
      "fin_timeout(idle_timeout=5,hard_timeout=10)",
      "fin_timeout(idle_timeout=5,hard_timeout=10)" },
    { 4, "ip",
      "meter:1",
      "meter:1" },
    { 6, "ip",
      "meter:1",
      "meter:1" },
    { 1, "ip",
      "clear_actions",
      "drop" },
    { 4, "ip",
      "clear_actions",
      "clear_actions" },
    { 6, "ip",
      "clear_actions",
      "clear_actions" },
    { 1, "ip",
      "write_actions(output:1,set_field:1->reg0)",
      "drop" },
    { 4, "ip",
      "write_actions(output:1,set_field:1->reg0)",
      "write_actions(output:1,set_field:0x1->reg0)" },
    { 6, "ip",
      "write_actions(output:1,set_field:1->reg0)",
      "write_actions(output:1,set_field:0x1->reg0)" },
    { 1, "ip",
      "dec_mpls_ttl",
      "dec_mpls_ttl" },
    { 1, "ip",
      "set_mpls_ttl:5",
      "set_mpls_ttl(5)" },
    { 1, "ip",
      "enqueue:1:2",
      "enqueue:1:2" },
    { 4, "ip",
      "enqueue:1:2",
      "set_queue:2,output:1,pop_queue" },
    { 6, "ip",
      "enqueue:1:2",
      "set_queue:2,output:1,pop_queue" },
    { 1, "ip",
      "output:1,output:2,resubmit(,3)",
      "output:1,output:2,resubmit(,3)" },
    { 4, "ip",
      "output:1,output:2,resubmit(,3)",
      "output:1,output:2,resubmit(,3)" },
    { 6, "ip",
      "output:1,output:2,resubmit(,3)",
      "output:1,output:2,resubmit(,3)" },
    { 1, "ip",
      "load:0->NXM_NX_REG0[]",
      "load:0->NXM_NX_REG0[]" },
    { 4, "ip",
      "load:0->NXM_NX_REG0[]",
      "load:0->NXM_NX_REG0[]" },
    { 6, "ip",
      "load:0->NXM_NX_REG0[]",
      "set_field:0->reg0" },
    { 1, "ip",
      "load:0xdeadbeef->NXM_NX_XXREG0[0..63]",
      "load:0xdeadbeef->NXM_NX_XXREG0[0..63]" },
    { 4, "ip",
      "load:0xdeadbeef->NXM_NX_XXREG0[0..63]",
      "load:0xdeadbeef->NXM_NX_XXREG0[0..63]" },
    { 6, "ip",
      "load:0xdeadbeef->NXM_NX_XXREG0[0..63]",
      "set_field:0xdeadbeef/0xffffffffffffffff->xxreg0" },
    { 1, "ipv6",
      "set_field:fe80::1->ipv6_src",
      "load:0x1->NXM_NX_IPV6_SRC[0..63],load:0xfe80000000000000->NX"
      "M_NX_IPV6_SRC[64..127]" },
    { 4, "ipv6",
      "set_field:fe80::1->ipv6_src",
      "set_field:fe80::1->ipv6_src" },
    { 6, "ipv6",
      "set_field:fe80::1->ipv6_src",
      "set_field:fe80::1->ipv6_src" },
    { 1, "ipv6",
      "load:0x1->NXM_NX_IPV6_SRC[0..63]",
      "load:0x1->NXM_NX_IPV6_SRC[0..63]" },
    { 4, "ipv6",
      "load:0x1->NXM_NX_IPV6_SRC[0..63]",
      "load:0x1->NXM_NX_IPV6_SRC[0..63]" },
    { 6, "ipv6",
      "load:0x1->NXM_NX_IPV6_SRC[0..63]",
      "set_field:::1/::ffff:ffff:ffff:ffff->ipv6_src" },
    { 1, "ip",
      "set_field:0x1/0x3->metadata",
      "load:0x1->OXM_OF_METADATA[0..1]" },
    { 4, "ip",
      "set_field:0x1/0x3->metadata",
      "load:0x1->OXM_OF_METADATA[0..1]" },
    { 6, "ip",
      "set_field:0x1/0x3->metadata",
      "set_field:0x1/0x3->metadata" },
    { 1, "ip",
      "set_field:0x5->pkt_mark",
      "load:0x5->NXM_NX_PKT_MARK[]" },
    { 4, "ip",
      "set_field:0x5->pkt_mark",
      "set_field:0x5->pkt_mark" },
    { 6, "ip",
      "set_field:0x5->pkt_mark",
      "set_field:0x5->pkt_mark" },
    { 1, "ip",
      "load:1->OXM_OF_PKT_REG0[]",
      "load:0x1->OXM_OF_PKT_REG0[]" },
    { 4, "ip",
      "load:1->OXM_OF_PKT_REG0[]",
      "load:0x1->OXM_OF_PKT_REG0[]" },
    { 6, "ip",
      "load:1->OXM_OF_PKT_REG0[]",
      "set_field:0x1->xreg0" },
    { 1, "ip",
      "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG0[0..63]",
      "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG0[0..63]" },
    { 4, "ip",
      "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG0[0..63]",
      "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG0[0..63]" },
    { 6, "ip",
      "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG0[0..63]",
      "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG0[0..63]" },
    { 1, "ip",
      "set_field:1->xreg0",
      "load:0x1->OXM_OF_PKT_REG0[]" },
    { 4, "ip",
      "set_field:1->xreg0",
      "set_field:0x1->xreg0" },
    { 6, "ip",
      "set_field:1->xreg0",
      "set_field:0x1->xreg0" },
    { 1, "ip",
      "set_field:1->xxreg0",
      "load:0x1->NXM_NX_XXREG0[0..63],load:0->NXM_NX_XXREG0[64..127"
      "]" },
    { 4, "ip",
      "set_field:1->xxreg0",
      "set_field:0x1->xxreg0" },
    { 6, "ip",
      "set_field:1->xxreg0",
      "set_field:0x1->xxreg0" },
    { 1, "ip",
      "move:NXM_NX_XXREG0[]->NXM_NX_XXREG1[]",
      "move:NXM_NX_XXREG0[]->NXM_NX_XXREG1[]" },
    { 4, "ip",
      "move:NXM_NX_XXREG0[]->NXM_NX_XXREG1[]",
      "move:NXM_NX_XXREG0[]->NXM_NX_XXREG1[]" },
    { 6, "ip",
      "move:NXM_NX_XXREG0[]->NXM_NX_XXREG1[]",
      "move:NXM_NX_XXREG0[]->NXM_NX_XXREG1[]" },
    { 1, "tcp",
      "ct(commit,force,zone=5,table=10,alg=ftp)",
      "ct(commit,force,table=10,zone=5,alg=ftp)" },
    { 4, "tcp",
      "ct(commit,force,zone=5,table=10,alg=ftp)",
      "ct(commit,force,table=10,zone=5,alg=ftp)" },
    { 6, "tcp",
      "ct(commit,force,zone=5,table=10,alg=ftp)",
      "ct(commit,force,table=10,zone=5,alg=ftp)" },
    { 1, "udp",
      "ct(alg=tftp)",
      "ct(alg=tftp)" },
    { 4, "udp",
      "ct(alg=tftp)",
      "ct(alg=tftp)" },
    { 6, "udp",
      "ct(alg=tftp)",
      "ct(alg=tftp)" },
    { 1, "ipv6",
      "ct(commit,nat(src=fe80::1-fe80::2,persistent,hash))",
      "ct(commit,nat(src=fe80::1-fe80::2,persistent,hash))" },
    { 4, "ipv6",
      "ct(commit,nat(src=fe80::1-fe80::2,persistent,hash))",
      "ct(commit,nat(src=fe80::1-fe80::2,persistent,hash))" },
    { 6, "ipv6",
      "ct(commit,nat(src=fe80::1-fe80::2,persistent,hash))",
      "ct(commit,nat(src=fe80::1-fe80::2,persistent,hash))" },
    { 1, "ipv6",
      "ct(commit,nat(src=[fe80::1]-[fe80::2]:80-90))",
      "ct(commit,nat(src=[fe80::1]-[fe80::2]:80-90))" },
    { 4, "ipv6",
      "ct(commit,nat(src=[fe80::1]-[fe80::2]:80-90))",
      "ct(commit,nat(src=[fe80::1]-[fe80::2]:80-90))" },
    { 6, "ipv6",
      "ct(commit,nat(src=[fe80::1]-[fe80::2]:80-90))",
      "ct(commit,nat(src=[fe80::1]-[fe80::2]:80-90))" },
    { 1, "ip",
      "ct(commit,nat(dst=10.0.0.1:80))",
      "ct(commit,nat(dst=10.0.0.1:80))" },
    { 4, "ip",
      "ct(commit,nat(dst=10.0.0.1:80))",
      "ct(commit,nat(dst=10.0.0.1:80))" },
    { 6, "ip",
      "ct(commit,nat(dst=10.0.0.1:80))",
      "ct(commit,nat(dst=10.0.0.1:80))" },
    { 1, "ip",
      "ct(commit,nat(src))",
      "ct(commit,nat(src))" },
    { 4, "ip",
      "ct(commit,nat(src))",
      "ct(commit,nat(src))" },
    { 6, "ip",
      "ct(commit,nat(src))",
      "ct(commit,nat(src))" },
    { 1, "ip",
      "ct(commit,nat(src=10.0.0.1,random,persistent))",
      "ct(commit,nat(src=10.0.0.1,persistent,random))" },
    { 4, "ip",
      "ct(commit,nat(src=10.0.0.1,random,persistent))",
      "ct(commit,nat(src=10.0.0.1,persistent,random))" },
    { 6, "ip",
      "ct(commit,nat(src=10.0.0.1,random,persistent))",
      "ct(commit,nat(src=10.0.0.1,persistent,random))" },
    { 1, "ip",
      "ct(zone=NXM_NX_REG13[0..15])",
      "ct(zone=NXM_NX_REG13[0..15])" },
    { 4, "ip",
      "ct(zone=NXM_NX_REG13[0..15])",
      "ct(zone=NXM_NX_REG13[0..15])" },
    { 6, "ip",
      "ct(zone=NXM_NX_REG13[0..15])",
      "ct(zone=NXM_NX_REG13[0..15])" },
    { 1, "ip",
      "ct(table=0)",
      "ct(table=0)" },
    { 4, "ip",
      "ct(table=0)",
      "ct(table=0)" },
    { 6, "ip",
      "ct(table=0)",
      "ct(table=0)" },
    { 1, "ip",
      "resubmit(3,5)",
      "resubmit(3,5)" },
    { 4, "ip",
      "resubmit(3,5)",
      "resubmit(3,5)" },
    { 6, "ip",
      "resubmit(3,5)",
      "resubmit(3,5)" },
    { 1, "ip",
      "resubmit(3)",
      "resubmit:3" },
    { 4, "ip",
      "resubmit(3)",
      "resubmit:3" },
    { 6, "ip",
      "resubmit(3)",
      "resubmit:3" },
    { 1, "ip",
      "resubmit(IN_PORT,5)",
      "resubmit(,5)" },
    { 4, "ip",
      "resubmit(IN_PORT,5)",
      "resubmit(,5)" },
    { 6, "ip",
      "resubmit(IN_PORT,5)",
      "resubmit(,5)" },
    { 1, "ip",
      "learn(table=10,priority=5,hard_timeout=10,fin_idle_timeout=1"
      ",fin_hard_timeout=2,cookie=0x5,send_flow_rem,delete_learned,"
      "eth_type=0x800,load:0x5->NXM_NX_REG0[],load:NXM_NX_REG1[]->N"
      "XM_NX_REG2[],NXM_OF_IP_SRC[]=10.0.0.1)",
      "learn(table=10,hard_timeout=10,fin_idle_timeout=1,fin_hard_t"
      "imeout=2,priority=5,send_flow_rem,delete_learned,cookie=0x5,"
      "eth_type=0x800,load:0x5->NXM_NX_REG0[],load:NXM_NX_REG1[]->N"
      "XM_NX_REG2[],ip_src=10.0.0.1)" },
    { 4, "ip",
      "learn(table=10,priority=5,hard_timeout=10,fin_idle_timeout=1"
      ",fin_hard_timeout=2,cookie=0x5,send_flow_rem,delete_learned,"
      "eth_type=0x800,load:0x5->NXM_NX_REG0[],load:NXM_NX_REG1[]->N"
      "XM_NX_REG2[],NXM_OF_IP_SRC[]=10.0.0.1)",
      "learn(table=10,hard_timeout=10,fin_idle_timeout=1,fin_hard_t"
      "imeout=2,priority=5,send_flow_rem,delete_learned,cookie=0x5,"
      "eth_type=0x800,load:0x5->NXM_NX_REG0[],load:NXM_NX_REG1[]->N"
      "XM_NX_REG2[],ip_src=10.0.0.1)" },
    { 6, "ip",
      "learn(table=10,priority=5,hard_timeout=10,fin_idle_timeout=1"
      ",fin_hard_timeout=2,cookie=0x5,send_flow_rem,delete_learned,"
      "eth_type=0x800,load:0x5->NXM_NX_REG0[],load:NXM_NX_REG1[]->N"
      "XM_NX_REG2[],NXM_OF_IP_SRC[]=10.0.0.1)",
      "learn(table=10,hard_timeout=10,fin_idle_timeout=1,fin_hard_t"
      "imeout=2,priority=5,send_flow_rem,delete_learned,cookie=0x5,"
      "eth_type=0x800,load:0x5->NXM_NX_REG0[],load:NXM_NX_REG1[]->N"
      "XM_NX_REG2[],ip_src=10.0.0.1)" },
    { 1, "ip",
      "learn(table=1)",
      "learn(table=1)" },
    { 4, "ip",
      "learn(table=1)",
      "learn(table=1)" },
    { 6, "ip",
      "learn(table=1)",
      "learn(table=1)" },
    { 1, "ip",
      "learn(table=1,in_port=99,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],l"
      "oad:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15])",
      "learn(table=1,in_port=99,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],l"
      "oad:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15])" },
    { 4, "ip",
      "learn(table=1,in_port=99,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],l"
      "oad:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15])",
      "learn(table=1,in_port=99,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],l"
      "oad:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15])" },
    { 6, "ip",
      "learn(table=1,in_port=99,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],l"
      "oad:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15])",
      "learn(table=1,in_port=99,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],l"
      "oad:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15])" },
    { 1, "ip",
      "multipath(symmetric_l4,1024,modulo_n,1,0,NXM_NX_REG0[])",
      "multipath(symmetric_l4,1024,modulo_n,1,0,NXM_NX_REG0[])" },
    { 4, "ip",
      "multipath(symmetric_l4,1024,modulo_n,1,0,NXM_NX_REG0[])",
      "multipath(symmetric_l4,1024,modulo_n,1,0,NXM_NX_REG0[])" },
    { 6, "ip",
      "multipath(symmetric_l4,1024,modulo_n,1,0,NXM_NX_REG0[])",
      "multipath(symmetric_l4,1024,modulo_n,1,0,NXM_NX_REG0[])" },
    { 1, "ip",
      "controller(max_len=128)",
      "CONTROLLER:128" },
    { 4, "ip",
      "controller(max_len=128)",
      "CONTROLLER:128" },
    { 6, "ip",
      "controller(max_len=128)",
      "CONTROLLER:128" },
    { 1, "ip",
      "controller(reason=invalid_ttl)",
      "controller(reason=invalid_ttl)" },
    { 4, "ip",
      "controller(reason=invalid_ttl)",
      "controller(reason=invalid_ttl)" },
    { 6, "ip",
      "controller(reason=invalid_ttl)",
      "controller(reason=invalid_ttl)" },
    { 1, "ip",
      "controller(id=5)",
      "controller(id=5)" },
    { 4, "ip",
      "controller(id=5)",
      "controller(id=5)" },
    { 6, "ip",
      "controller(id=5)",
      "controller(id=5)" },
    { 1, "ip",
      "controller(meter_id=3)",
      "controller(meter_id=3)" },
    { 4, "ip",
      "controller(meter_id=3)",
      "controller(meter_id=3)" },
    { 6, "ip",
      "controller(meter_id=3)",
      "controller(meter_id=3)" },
    { 1, "ip",
      "output:NXM_NX_REG0[16..31]",
      "output:NXM_NX_REG0[16..31]" },
    { 4, "ip",
      "output:NXM_NX_REG0[16..31]",
      "output:NXM_NX_REG0[16..31]" },
    { 6, "ip",
      "output:NXM_NX_REG0[16..31]",
      "output:NXM_NX_REG0[16..31]" },
    { 1, "ip",
      "dec_ttl(0)",
      "dec_ttl(0)" },
    { 4, "ip",
      "dec_ttl(0)",
      "dec_ttl(0)" },
    { 6, "ip",
      "dec_ttl(0)",
      "dec_ttl(0)" },
    { 1, "ip",
      "dec_ttl(5)",
      "dec_ttl(5)" },
    { 4, "ip",
      "dec_ttl(5)",
      "dec_ttl(5)" },
    { 6, "ip",
      "dec_ttl(5)",
      "dec_ttl(5)" },
    { 1, "ip",
      "check_pkt_larger(100)->NXM_NX_XXREG0[127]",
      "check_pkt_larger(100)->NXM_NX_XXREG0[127]" },
    { 4, "ip",
      "check_pkt_larger(100)->NXM_NX_XXREG0[127]",
      "check_pkt_larger(100)->NXM_NX_XXREG0[127]" },
    { 6, "ip",
      "check_pkt_larger(100)->NXM_NX_XXREG0[127]",
      "check_pkt_larger(100)->NXM_NX_XXREG0[127]" },
    { 1, "ip",
      "write_actions(clone(output:2))",
      "drop" },
    { 4, "ip",
      "meter:2,output:1,clear_actions,write_actions(output:3),write"
      "_metadata:0x5/0xf,goto_table:4",
      "meter:2,output:1,clear_actions,write_actions(output:3),write"
      "_metadata:0x5/0xf,goto_table:4" },
    { 6, "ip",
      "meter:2,output:1,clear_actions,write_actions(output:3),write"
      "_metadata:0x5/0xf,goto_table:4",
      "meter:2,output:1,clear_actions,write_actions(output:3),write"
      "_metadata:0x5/0xf,goto_table:4" },
    { 1, "ip",
      "output:65279",
      "output:65279" },
    { 4, "ip",
      "output:65279",
      "output:65279" },
    { 6, "ip",
      "output:65279",
      "output:65279" },
    { 1, "ip",
      "TABLE",
      "TABLE" },
    { 4, "ip",
      "TABLE",
      "TABLE" },
    { 6, "ip",
      "TABLE",
      "TABLE" },
    { 1, "ip",
      "conjunction(1,2/3)",
      "conjunction(1,2/3)" },
    { 4, "ip",
      "conjunction(1,2/3)",
      "conjunction(1,2/3)" },
    { 6, "ip",
      "conjunction(1,2/3)",
      "conjunction(1,2/3)" },
    { 1, "ip",
      "set_field:1->tun_metadata0",
      "set_field:0x1->tun_metadata0" },
    { 4, "ip",
      "set_field:1->tun_metadata0",
      "set_field:0x1->tun_metadata0" },
    { 6, "ip",
      "set_field:1->tun_metadata0",
      "set_field:0x1->tun_metadata0" },
    { 1, "ip",
      "note:",
      "note:00.00.00.00.00.00" },
    { 4, "ip",
      "note:",
      "note:00.00.00.00.00.00" },
    { 6, "ip",
      "note:",
      "note:00.00.00.00.00.00" },
    { 4, "ip",
      "push_vlan:0x88a8",
      "push_vlan:0x88a8" },
    { 6, "ip",
      "push_vlan:0x88a8",
      "push_vlan:0x88a8" },
};

/* Parse, encode for a version, decode and format gives exactly what
 * ovs-ofctl parse-flow prints for that version. */
static void
test_text_round_trip(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        const struct text_case *t = &texts[i];
        struct ofpbuf acts = OFPBUF_EMPTY_INITIALIZER;
        struct ofpbuf wire = OFPBUF_EMPTY_INITIALIZER;
        struct ofpbuf dec = OFPBUF_EMPTY_INITIALIZER;
        struct ds s = DS_EMPTY_INITIALIZER;
        struct ofp_match m;

        parse_flow(t->match, t->actions, &m, &acts);
        encode(&acts, t->version, &wire);
        assert_int_equal(decode(&wire, t->version, &dec), 0);
        ofpacts_format((const struct ofpact *) dec.data, dec.size,
                       test_map(), &s);
        if (strcmp(ds_cstr(&s), t->expect)) {
            fail_msg("v%u %s: got %s, want %s", t->version, t->actions,
                     ds_cstr(&s), t->expect);
        }
        ofpbuf_uninit(&acts);
        ofpbuf_uninit(&wire);
        ofpbuf_uninit(&dec);
        ds_uninit(&s);
    }
}

/* Text that ovs-ofctl refuses is refused. */
static void
test_parse_errors(void **state)
{
    static const char *const bad[] = {
        "output:1,drop", "copy_ttl_in", "output", "resubmit(,)",
        "resubmit(,255)", "load:0x10000->NXM_NX_REG0[0..15]",
        "load:1->NXM_NX_REG0[32]", "move:NXM_NX_REG0[0..7]->NXM_NX_REG1[]",
        "set_field:1->nosuchfield", "set_field:1->in_port_oxm_nope",
        "conjunction(1,3/2)", "conjunction(1,1/1)", "push_vlan:0x800",
        "mod_nw_tos:3", "ct(force)", "ct(commit,nat(src=1.2.3.4,hash,"
        "random))", "ct(bogus)", "controller(reason=nope)",
        "goto_table:1,output:1", "write_metadata:0x1,meter:1",
        "clone(goto_table:1)", "check_pkt_larger(10)->NXM_NX_REG0[0..1]",
        "multipath(eth_src,50,hrw,17,0,NXM_NX_REG0[0..3])",
        "learn(table=1,bogus=1)", "note:0g", "mod_vlan_vid:4096",
        "group", "enqueue:1", "output(1)", "set_field:1.2.3.4.5->ip_src",
    };
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct ofpbuf acts = OFPBUF_EMPTY_INITIALIZER;
        char *err = ofpacts_parse(bad[i], test_map(), &acts);
        if (!err) {
            fail_msg("%s: parsed without error", bad[i]);
        }
        free(err);
        ofpbuf_uninit(&acts);
    }
}

/* ofpacts_check() gives the OpenFlow error ovs-ofctl reports. */
static void
test_check_errors(void **state)
{
    static const struct {
        const char *match, *actions;
        enum ofperr err;
    } cases[] = {
        { "ip", "resubmit(,5,ct)", OFPERR_OFPBAC_MATCH_INCONSISTENT },
        { "ct_state=+trk-inv,ip", "resubmit(,5,ct)", 0 },
        { "ip", "set_field:80->tcp_dst", OFPERR_OFPBAC_MATCH_INCONSISTENT },
        { "tcp", "set_field:80->tcp_dst", 0 },
        { "ip", "set_field:4196->vlan_vid",
          OFPERR_OFPBAC_MATCH_INCONSISTENT },
        { "ip", "push_vlan:0x8100,set_field:4196->vlan_vid", 0 },
        { "ip", "set_field:1->ct_mark", OFPERR_OFPBAC_BAD_SET_ARGUMENT },
        { "ip", "ct(commit,exec(set_field:1->ct_mark))", 0 },
        { "ip", "ct(commit,exec(output:1))", OFPERR_OFPBAC_BAD_ARGUMENT },
        { "ip", "ct(alg=ftp)", OFPERR_OFPBAC_MATCH_INCONSISTENT },
        { "ip", "ct(commit,nat(src=fe80::1))",
          OFPERR_OFPBAC_MATCH_INCONSISTENT },
        { "ipv6", "ct(commit,nat(src=fe80::1))", 0 },
        { "", "mod_nw_src:1.2.3.4", OFPERR_OFPBAC_MATCH_INCONSISTENT },
        { "", "output:65280", OFPERR_OFPBAC_BAD_OUT_PORT },
        { "", "output:4294967295", OFPERR_OFPBAC_BAD_OUT_PORT },
        { "", "move:NXM_OF_IP_SRC[]->NXM_NX_REG0[]",
          OFPERR_OFPBAC_MATCH_INCONSISTENT },
    };
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofpbuf acts = OFPBUF_EMPTY_INITIALIZER;
        struct ofp_match m;
        char *err = ofp_match_from_string(&m, NULL, cases[i].match);
        assert_null(err);
        err = ofpacts_parse(cases[i].actions, NULL, &acts);
        if (err) {
            fail_msg("%s: %s", cases[i].actions, err);
        }
        enum ofperr e = ofpacts_check((const struct ofpact *) acts.data,
                                      acts.size, &m, NULL, 0xff00, 255);
        if (e != cases[i].err) {
            fail_msg("%s,%s: got %s, want %s", cases[i].match,
                     cases[i].actions, ofperr_to_string(e),
                     ofperr_to_string(cases[i].err));
        }
        ofpbuf_uninit(&acts);
    }
}

/* Malformed wire input is refused with the right error. */
static void
test_decode_errors(void **state)
{
    static const struct {
        uint8_t version;
        const char *hex;
        enum ofperr err;
    } cases[] = {
        /* Action length not a multiple of 8, too short, too long. */
        { 1, "0000000c00010000", OFPERR_OFPBAC_BAD_LEN },
        { 1, "0000000400010000", OFPERR_OFPBAC_BAD_LEN },
        { 1, "0000001000010000", OFPERR_OFPBAC_BAD_LEN },
        { 1, "00000008000100", OFPERR_OFPBAC_BAD_LEN },
        /* Unknown OpenFlow 1.0 and 1.3 types. */
        { 1, "000c000800000000", OFPERR_OFPBAC_BAD_TYPE },
        { 4, "00040010000000000063000800000000", OFPERR_OFPBAC_BAD_TYPE },
        /* Vendor other than Nicira; unknown Nicira subtype. */
        { 1, "ffff0010000012340001000000000000",
          OFPERR_OFPBAC_BAD_EXPERIMENTER },
        { 1, "ffff00100000232000fe000000000000", OFPERR_OFPBAC_BAD_EXP_TYPE },
        /* Nicira resubmit with the wrong length. */
        { 1, "ffff001800002320000e0003ff00000000000000000000",
          OFPERR_OFPBAC_BAD_LEN },
        /* set_vlan_vid above 4095; set_nw_tos with ECN bits. */
        { 1, "0001000810000000", OFPERR_OFPBAC_BAD_ARGUMENT },
        { 1, "0008000801000000", OFPERR_OFPBAC_BAD_ARGUMENT },
        /* reg_load of 0x10000 into 16 bits of reg0. */
        { 1, "ffff0018000023200007000f000100040000000000010000",
          OFPERR_OFPBAC_BAD_ARGUMENT },
        /* reg_load to bits 16..47 of reg0 (a 32-bit field). */
        { 1, "ffff001800002320000704 1f000100040000000000000001",
          OFPERR_OFPBAC_BAD_ARGUMENT },
        /* reg_load to an unknown field. */
        { 1, "ffff0018000023200007001f7f7f00040000000000000001",
          OFPERR_OFPBAC_BAD_ARGUMENT },
        /* OF1.3 set_field of an unknown field, of a read-only field
         * (in_port_oxm is writable; ip_frag is not), with a mask. */
        { 4, "0004001800000000001900107f7f00040000000100000000",
          OFPERR_OFPBAC_BAD_SET_TYPE },
        { 4, "00040018000000000019001000013401" "0100000000000000",
          OFPERR_OFPBAC_BAD_SET_ARGUMENT },
        { 4, "0004001800000000001900100001010800000001ffffffff",
          OFPERR_OFPBAC_BAD_SET_ARGUMENT },
        /* set_field whose OXM length disagrees with the field. */
        { 4, "000400180000000000190010000100030000010000000000",
          OFPERR_OFPBAC_BAD_SET_LEN },
        /* Instructions: bad length, unknown type, duplicate, goto 255. */
        { 4, "0001000c03000000", OFPERR_OFPBIC_BAD_LEN },
        { 4, "0009000800000000", OFPERR_OFPBIC_UNKNOWN_INST },
        { 4, "00010008030000000001000804000000", OFPERR_OFPBIC_UNSUP_INST },
        { 4, "00010008ff000000", OFPERR_OFPBIC_BAD_TABLE_ID },
        { 4, "ffff000800000000", OFPERR_OFPBIC_BAD_EXPERIMENTER },
        /* write_metadata with value bits outside the mask. */
        { 4, "000200180000000000000000000000030000000000000001",
          OFPERR_OFPBIC_UNSUP_METADATA },
        /* conjunction clause 2 of 2 (0-based 2 is out of range). */
        { 1, "ffff0010000023200022020200000005", OFPERR_OFPBAC_BAD_ARGUMENT },
        /* ct with unknown flags; ct force without commit. */
        { 1, "ffff0018000023200023000400000000000000ff00000000",
          OFPERR_OFPBAC_BAD_ARGUMENT },
        { 1, "ffff0018000023200023000200000000000000ff00000000",
          OFPERR_OFPBAC_BAD_ARGUMENT },
        /* nat with both IPv4 and IPv6 ranges present. */
        { 1, "ffff0028000023200024000000010005" "0a000001"
             "0000000000000000000000000000000000000000",
          OFPERR_OFPBAC_BAD_ARGUMENT },
        /* controller2 with a truncated property. */
        { 1, "ffff0018000023200025000000000000" "0003000c00000000",
          OFPERR_OFPBAC_BAD_LEN },
        /* learn whose spec runs past the action. */
        { 1, "ffff0028000023200010000000000000" "0000000000000000000001000000"
             "0000" "0010000002060000", OFPERR_OFPBAC_BAD_LEN },
    };
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofpbuf wire = OFPBUF_EMPTY_INITIALIZER;
        struct ofpbuf dec = OFPBUF_EMPTY_INITIALIZER;
        char hex[512];
        size_t k = 0;
        for (const char *p = cases[i].hex; *p && k < sizeof hex - 1; p++) {
            if (*p != ' ') {
                hex[k++] = *p;
            }
        }
        hex[k] = '\0';
        hex_to_buf(hex, &wire);
        enum ofperr e = decode(&wire, cases[i].version, &dec);
        if (e != cases[i].err) {
            fail_msg("case %zu (%s): got %s, want %s", i, cases[i].hex,
                     ofperr_to_string(e), ofperr_to_string(cases[i].err));
        }
        assert_int_equal(dec.size, 0);
        ofpbuf_uninit(&wire);
        ofpbuf_uninit(&dec);
    }
}

/* Nesting deeper than the limit is refused, not recursed into forever. */
static void
test_decode_deep_nesting(void **state)
{
    struct ofpbuf wire = OFPBUF_EMPTY_INITIALIZER;
    struct ofpbuf dec = OFPBUF_EMPTY_INITIALIZER;
    const int depth = 40;

    (void) state;
    for (int i = 0; i < depth; i++) {
        /* NXAST_CLONE headers, lengths filled in below. */
        ofpbuf_put_be16(&wire, 0xffff);
        ofpbuf_put_be16(&wire, 16 * (depth - i));
        ofpbuf_put_be32(&wire, 0x2320);
        ofpbuf_put_be16(&wire, 42);
        ofpbuf_put_zeros(&wire, 6);
    }
    assert_int_equal(decode(&wire, 1, &dec), OFPERR_OFPBAC_BAD_ARGUMENT);
    ofpbuf_uninit(&wire);
    ofpbuf_uninit(&dec);
}

/* A dump-flows line as Debian's ovs-ofctl prints it from ovs-vswitchd. */
static void
format_line(const char *flow, uint32_t sec, uint32_t nsec, int idle_age,
            bool no_stats, struct ds *s)
{
    struct ofp_flow_spec spec;
    struct ofp_flow_stats_entry e;
    char *err = ofp_flow_spec_parse(&spec, flow, NULL, true, false);
    if (err) {
        fail_msg("%s: %s", flow, err);
    }
    memset(&e, 0, sizeof e);
    e.match = &spec.match;
    e.table_id = spec.table_id == 255 ? 0 : spec.table_id;
    e.priority = spec.priority;
    e.cookie = spec.cookie;
    e.idle_timeout = spec.idle_timeout;
    e.hard_timeout = spec.hard_timeout;
    e.importance = spec.importance;
    e.flags = spec.flags;
    e.duration_sec = sec;
    e.duration_nsec = nsec;
    e.idle_age = idle_age;
    e.hard_age = -1;
    e.ofpacts = (const struct ofpact *) spec.ofpacts.data;
    e.ofpacts_size = spec.ofpacts.size;
    ofp_flow_format_stats(s, &e, NULL, no_stats);
    ofp_flow_spec_uninit(&spec);
}

static void
test_dump_flows_lines(void **state)
{
    static const struct {
        const char *flow;
        uint32_t sec, nsec;
        int idle_age;
        const char *stats, *no_stats;
    } cases[] = {
        { "table=0,priority=100,ip,actions=drop", 1, 270000000, 1,
          " cookie=0x0, duration=1.270s, table=0, n_packets=0, n_bytes=0, "
          "idle_age=1, priority=100,ip actions=drop",
          " priority=100,ip actions=drop" },
        { "priority=0,actions=NORMAL", 3, 423000000, 3,
          " cookie=0x0, duration=3.423s, table=0, n_packets=0, n_bytes=0, "
          "idle_age=3, priority=0 actions=NORMAL",
          " priority=0 actions=NORMAL" },
        { "table=1,priority=5,cookie=0x1234,idle_timeout=60,"
          "hard_timeout=120,importance=3,send_flow_rem,tcp,"
          "nw_src=10.0.0.0/8,tp_dst=80,actions=output:1,resubmit(,5)",
          1, 257000000, 1,
          " cookie=0x1234, duration=1.257s, table=1, n_packets=0, "
          "n_bytes=0, idle_timeout=60, hard_timeout=120, send_flow_rem "
          "importance=3, idle_age=1, priority=5,tcp,nw_src=10.0.0.0/8,"
          "tp_dst=80 actions=output:1,resubmit(,5)",
          " cookie=0x1234, table=1, idle_timeout=60, hard_timeout=120, "
          "send_flow_rem importance=3, priority=5,tcp,nw_src=10.0.0.0/8,"
          "tp_dst=80 actions=output:1,resubmit(,5)" },
        { "table=2,arp,actions=NORMAL", 1, 245000000, 1,
          " cookie=0x0, duration=1.245s, table=2, n_packets=0, n_bytes=0, "
          "idle_age=1, arp actions=NORMAL",
          " table=2, arp actions=NORMAL" },
        { "priority=100,ip,actions=drop", 1, 286000000, -1,
          " cookie=0x0, duration=1.286s, table=0, n_packets=0, n_bytes=0, "
          "priority=100,ip actions=drop", NULL },
    };
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ds s = DS_EMPTY_INITIALIZER;
        format_line(cases[i].flow, cases[i].sec, cases[i].nsec,
                    cases[i].idle_age, false, &s);
        assert_string_equal(ds_cstr(&s), cases[i].stats);
        if (cases[i].no_stats) {
            ds_clear(&s);
            format_line(cases[i].flow, cases[i].sec, cases[i].nsec,
                        cases[i].idle_age, true, &s);
            assert_string_equal(ds_cstr(&s), cases[i].no_stats);
        }
        ds_uninit(&s);
    }
}

/* The flow-mod text parser reads every option and refuses bad ones. */
static void
test_flow_spec_parse(void **state)
{
    struct ofp_flow_spec spec;
    static const char *const bad[] = {
        "table=255,actions=drop", "priority=65536,actions=drop",
        "ip", "nosuchfield=1,actions=drop", "cookie=0x1/zz,actions=drop",
        "ip,actions=set_field:80->tcp_dst", "ip,actions=bogus",
    };
    char *err;

    (void) state;
    err = ofp_flow_spec_parse(&spec, "table=3,priority=7,cookie=0x5/-1,"
                              "idle_timeout=10,hard_timeout=20,"
                              "importance=2,send_flow_rem,check_overlap,"
                              "reset_counts,out_port=4,out_group=9,"
                              "tcp,tp_dst=80 actions=output:1", NULL,
                              true, false);
    assert_null(err);
    assert_int_equal(spec.table_id, 3);
    assert_int_equal(spec.priority, 7);
    assert_int_equal(spec.cookie, 5);
    assert_true(spec.cookie_mask == UINT64_MAX);
    assert_int_equal(spec.idle_timeout, 10);
    assert_int_equal(spec.hard_timeout, 20);
    assert_int_equal(spec.importance, 2);
    assert_int_equal(spec.flags, OFP_FLOW_SEND_FLOW_REM
                     | OFP_FLOW_CHECK_OVERLAP | OFP_FLOW_RESET_COUNTS);
    assert_int_equal(spec.out_port, 4);
    assert_int_equal(spec.out_group, 9);
    assert_true(spec.has_actions);
    assert_true(ofpacts_output_to_port((const struct ofpact *)
                                       spec.ofpacts.data,
                                       spec.ofpacts.size, 1));
    ofp_flow_spec_uninit(&spec);

    err = ofp_flow_spec_parse(&spec, "ip", NULL, false, false);
    assert_null(err);
    assert_false(spec.has_actions);
    assert_int_equal(spec.table_id, 255);
    ofp_flow_spec_uninit(&spec);

    err = ofp_flow_spec_parse(&spec, "ip,actions=drop", NULL, false, true);
    assert_non_null(err);
    free(err);
    ofp_flow_spec_uninit(&spec);

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        err = ofp_flow_spec_parse(&spec, bad[i], NULL, true, false);
        if (!err) {
            fail_msg("%s: parsed without error", bad[i]);
        }
        free(err);
        ofp_flow_spec_uninit(&spec);
    }
}

/* The iterator and helpers walk nested lists. */
static void
test_walk_helpers(void **state)
{
    struct ofpbuf acts = OFPBUF_EMPTY_INITIALIZER;
    const struct ofpact *a, *nested;
    size_t n, count = 0;
    char *err;

    (void) state;
    err = ofpacts_parse("clone(output:3,group:7),ct(commit,exec(set_field:"
                        "1->ct_mark)),write_actions(output:9)", NULL, &acts);
    assert_null(err);
    OFPACT_FOR_EACH (a, (const struct ofpact *) acts.data, acts.size) {
        assert_int_equal(a->len % OFPACT_ALIGNTO, 0);
        count++;
    }
    assert_int_equal(count, 3);
    a = (const struct ofpact *) acts.data;
    assert_int_equal(a->type, OFPACT_CLONE);
    nested = ofpact_nested(a, &n);
    assert_non_null(nested);
    assert_int_equal(nested->type, OFPACT_OUTPUT);
    assert_true(ofpacts_output_to_port(a, acts.size, 3));
    assert_true(ofpacts_output_to_port(a, acts.size, 9));
    assert_false(ofpacts_output_to_port(a, acts.size, 4));
    assert_true(ofpacts_output_to_group(a, acts.size, 7));
    assert_false(ofpacts_output_to_group(a, acts.size, 8));
    assert_string_equal(ofpact_type_name(OFPACT_SET_FIELD), "set_field");
    ofpbuf_uninit(&acts);
}

/* ofp_flow_spec_parse()'s error texts are ovs-ofctl's (Debian 3.1
 * `ovs-ofctl parse-flow` for add-flow syntax, `ovs-ofctl del-flows` for
 * the del-flows one; shown after ovs-ofctl's "ovs-ofctl: " prefix). */
static void
test_flow_spec_error_texts(void **state)
{
    static const struct { const char *in; bool del; const char *err; }
    cases[] = {
        { "priority,actions=drop", false, "field priority missing value" },
        { "table,actions=drop", false, "field table missing value" },
        { "cookie,actions=drop", false, "field cookie missing value" },
        { "idle_timeout,actions=drop", false,
          "field idle_timeout missing value" },
        { "importance,actions=drop", false,
          "field importance missing value" },
        { "priority=abc,actions=drop", false, "invalid priority \"abc\"" },
        { "priority=70000,actions=drop", false,
          "invalid priority \"70000\"" },
        { "idle_timeout=x,actions=drop", false,
          "invalid idle_timeout \"x\"" },
        { "hard_timeout=-1,actions=drop", false,
          "invalid hard_timeout \"-1\"" },
        { "table=300,actions=drop", false, "unknown table \"300\"" },
        { "table=abc,actions=drop", false, "unknown table \"abc\"" },
        { "cookie=xyz,actions=drop", false, "invalid numeric format xyz" },
        { "nosuchfield=1,actions=drop", false,
          "unknown keyword nosuchfield" },
        { "ip,nw_src=1.2.3,actions=drop", false,
          "1.2.3: invalid IP address" },
        { "ip", false, "must specify an action" },
        { "out_port=xx", true, "xx is not a valid OpenFlow port" },
        { "out_port", true, "field out_port missing value" },
        { "out_group=xx", true, "xx is not a valid OpenFlow group" },
        { "cookie=1/xx", true, "invalid numeric format xx" },
        { "ip,actions=drop", true, "unknown keyword actions" },
    };
    struct ofp_flow_spec spec;

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *err = ofp_flow_spec_parse(&spec, cases[i].in, NULL,
                                        !cases[i].del, cases[i].del);
        if (!err) {
            fail_msg("%s: parsed without error", cases[i].in);
        }
        assert_string_equal(err, cases[i].err);
        free(err);
        ofp_flow_spec_uninit(&spec);
    }
    /* ovs-ofctl ignores a value given to a flag. */
    assert_null(ofp_flow_spec_parse(&spec, "send_flow_rem=1,actions=drop",
                                    NULL, true, false));
    assert_int_equal(spec.flags, OFP_FLOW_SEND_FLOW_REM);
    ofp_flow_spec_uninit(&spec);
}

/* What a version cannot carry is reported, as ovs-ofctl refuses it:
 * Debian's `ovs-ofctl -O OpenFlow10 add-flow br0 ip,actions=meter:1` says
 * "none of the usable flow formats (OXM-OpenFlow13,OXM-OpenFlow14,
 * OXM-OpenFlow15) is among the allowed flow formats (OpenFlow10,NXM)",
 * push_vlan:0x8100 "(OXM,OpenFlow11)"; write_actions, clear_actions,
 * goto_table and write_metadata are accepted (the first two dropped). */
static void
test_check_version(void **state)
{
    static const struct {
        const char *acts;       /* Actions. */
        uint32_t usable;        /* Versions (1 << wire version). */
    } cases[] = {
        { "meter:1", 1u << 4 | 1u << 5 | 1u << 6 },
        { "push_vlan:0x8100", 1u << 4 | 1u << 5 | 1u << 6 },
        { "meter:1,output:1", 1u << 4 | 1u << 5 | 1u << 6 },
        { "write_actions(output:1)", 0x72 },
        { "clear_actions", 0x72 },
        { "goto_table:1", 0x72 },
        { "write_metadata:0x1", 0x72 },
        { "output:1", 0x72 },
    };
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct ofpbuf b;
        const struct ofpact *bad;
        ofpbuf_init(&b);
        char *err = ofpacts_parse(cases[i].acts, NULL, &b);
        assert_null(err);
        const struct ofpact *a = (const struct ofpact *) b.data;
        if (ofpacts_usable_versions(a, b.size) != cases[i].usable) {
            fail_msg("%s: usable 0x%x", cases[i].acts,
                     ofpacts_usable_versions(a, b.size));
        }
        enum ofperr e = ofpacts_check_version(a, b.size, 0x01, false, &bad);
        assert_int_equal(e == 0, (cases[i].usable & 2) != 0);
        if (e) {
            assert_non_null(bad);
            assert_true(!strcmp(ofpact_type_name(bad->type), "meter")
                        || !strcmp(ofpact_type_name(bad->type),
                                   "push_vlan"));
        }
        ofpbuf_uninit(&b);
    }

    /* Meter as an action (packet-out, bucket) needs 1.5; instructions are
     * no actions. */
    struct ofpbuf b;
    const struct ofpact *bad;
    ofpbuf_init(&b);
    assert_null(ofpacts_parse("meter:1", NULL, &b));
    assert_int_equal(ofpacts_check_version((const struct ofpact *) b.data,
                                           b.size, 0x04, false,
                                           &bad), OFPERR_OFPBIC_UNSUP_INST);
    assert_int_equal(ofpacts_check_version((const struct ofpact *) b.data,
                                           b.size, 0x04, true,
                                           &bad), 0);
    assert_null(bad);
    assert_int_equal(ofpacts_check_version((const struct ofpact *) b.data,
                                           b.size, 0x06, false,
                                           NULL), 0);
    ofpbuf_clear(&b);
    assert_null(ofpacts_parse("goto_table:2", NULL, &b));
    assert_int_equal(ofpacts_check_version((const struct ofpact *) b.data,
                                           b.size, 0x04, false,
                                           NULL), OFPERR_OFPBIC_UNSUP_INST);
    ofpbuf_uninit(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_matches_ovs_ofctl),
        cmocka_unit_test(test_decode_truncated),
        cmocka_unit_test(test_text_round_trip),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_check_errors),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_decode_deep_nesting),
        cmocka_unit_test(test_dump_flows_lines),
        cmocka_unit_test(test_flow_spec_parse),
        cmocka_unit_test(test_flow_spec_error_texts),
        cmocka_unit_test(test_check_version),
        cmocka_unit_test(test_walk_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
