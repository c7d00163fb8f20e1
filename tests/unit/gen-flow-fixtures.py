#!/usr/bin/python3
"""Generates tests/unit/flow-fixtures.txt for test-flow-extract.

Builds packets with scapy (every header kind datapath/flow-extract.c
parses, VLAN tags, IPv4 options and fragments, IPv6 extension header
chains, neighbor discovery, truncations and bad lengths) and writes, for
each, the packet in hex and the flow key fields expected from it.  The
expected fields come from scapy's dissection of each header, with the
validity rules of ovs-fields(7) and ovs-vswitchd applied here, never from
the C code under test.

Usage: gen-flow-fixtures.py [--check-ovs] [--corpus DIR] [OUTPUT]
  --check-ovs   also run Debian's `ovs-ofctl parse-pcap` on the packets and
                check that the fields it reports agree with ours.
  --corpus DIR  also write each packet to DIR/NAME, as seeds for
                tests/fuzz/fuzz-flow-extract (tests/fuzz/corpus/...).
"""

import ipaddress
import os
import subprocess
import sys
import tempfile

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.all import (ARP, Dot1AD, Dot1Q, Dot3, Ether, ICMP, IP,  # noqa
                       IPv6, LLC, Raw, SNAP, SCTP, TCP, UDP, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RS,
                       ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptMTU, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, AH, wrpcap)

MAC_A = "00:11:22:33:44:55"
MAC_B = "66:77:88:99:aa:bb"


def eth(**kw):
    kw.setdefault("dst", MAC_B)
    kw.setdefault("src", MAC_A)
    return Ether(**kw)


# ---------------------------------------------------------------------------
# The expected-key model: walks the packet the way ovs-vswitchd does,
# using scapy to dissect each header from the bytes at its offset.

class Key:
    def __init__(self):
        self.f = {}
        self.error = "ok"
        self.l2 = self.l3 = self.l4 = None

    def set(self, name, value):
        self.f[name] = value

    def fail(self, error):
        if self.error == "ok":
            self.error = error


def mac(b):
    return ":".join("%02x" % x for x in b)


def expect(data):
    k = Key()
    if len(data) < 14:
        k.fail("eth_trunc")
        return k
    e = Ether(data[:14])
    k.l2 = 0
    k.set("dl_dst", e.dst)
    k.set("dl_src", e.src)
    off = 14
    # scapy dissects a frame whose type/length is <= 1500 as Dot3.
    typ = e.len if isinstance(e, Dot3) else e.type
    for i in range(2):
        if typ not in (0x8100, 0x88a8):
            break
        if len(data) - off < 4:
            k.fail("vlan_trunc")
            break
        tag = Dot1Q(data[off:off + 4])
        k.set("vlan%d_tpid" % i, typ)
        k.set("vlan%d_tci" % i,
              (tag.prio << 13) | (tag.id << 12) | tag.vlan | 0x1000)
        typ = tag.type
        off += 4
    if typ < 0x600:
        rest = data[off:]
        typ = 0x05ff
        if len(rest) >= 8:
            llc = LLC(rest[:8])
            snap = llc.payload
            if (llc.dsap, llc.ssap, llc.ctrl) == (0xaa, 0xaa, 3) \
                    and isinstance(snap, SNAP) and snap.OUI == 0 \
                    and snap.code >= 0x600:
                typ = snap.code
                off += 8
    k.set("dl_type", typ)
    k.l3 = off
    l3 = data[off:]
    if typ == 0x0800:
        ipv4(k, data, off)
    elif typ == 0x86dd:
        ipv6(k, data, off)
    elif typ in (0x0806, 0x8035):
        arp(k, l3)
    return k


def arp(k, l3):
    if len(l3) < 28:
        k.fail("arp_trunc")
        return
    # scapy picks address field types from ptype, so look first.
    if l3[:6] != b"\x00\x01\x08\x00\x06\x04":
        k.fail("arp_trunc")
        return
    a = ARP(l3[:28])
    k.set("nw_proto", a.op if a.op <= 0xff else 0)
    k.set("nw_src", a.psrc)
    k.set("nw_dst", a.pdst)
    k.set("arp_sha", a.hwsrc)
    k.set("arp_tha", a.hwdst)


def ipv4(k, data, off):
    l3 = data[off:]
    if len(l3) < 20:
        k.fail("ip4_trunc")
        return
    ip = IP(l3[:20])
    hlen = ip.ihl * 4
    if hlen < 20 or hlen > len(l3):
        k.fail("ip4_bad_hlen")
        return
    if ip.len < hlen or ip.len > len(l3):
        k.fail("ip4_bad_len")
        return
    k.set("nw_src", ip.src)
    k.set("nw_dst", ip.dst)
    k.set("nw_tos", ip.tos)
    k.set("nw_ttl", ip.ttl)
    k.set("nw_proto", ip.proto)
    frag = 0
    if ip.frag or "MF" in ip.flags:
        frag |= 1
    if ip.frag:
        frag |= 2
    k.set("nw_frag", frag)
    if frag & 2:
        return
    k.l4 = off + hlen
    l4(k, data[off + hlen:off + ip.len], ip.proto, False)


EXT_HDRS = {0: IPv6ExtHdrHopByHop, 43: IPv6ExtHdrRouting,
            60: IPv6ExtHdrDestOpt, 51: AH, 44: IPv6ExtHdrFragment}


# OpenFlow 1.3.5 OFPIEH_* bits of the ipv6_exthdr field, and each
# header's place in the order RFC 8200 section 4.1 recommends.
IEH_BIT = {0: 0x40, 60: 0x08, 43: 0x20, 44: 0x10, 51: 0x04, 50: 0x02,
           59: 0x01}
IEH_UNREP, IEH_UNSEQ = 0x80, 0x100


class ExtHdrs:
    """Accumulates ipv6_exthdr over a chain of next-header values."""

    def __init__(self):
        self.bits = 0
        self.last = -1          # furthest place in the order so far
        self.n_dest = 0

    def note(self, nh):
        if nh not in IEH_BIT:
            return
        bit = IEH_BIT[nh]
        if nh == 60:
            # Destination options: right after hop-by-hop (or first), or
            # else the one before the upper layer; at most two.
            place = 1 if self.last < 1 else 6
            self.n_dest += 1
            repeated = self.n_dest > 2
        else:
            place = {0: 0, 43: 2, 44: 3, 51: 4, 50: 5, 59: 7}[nh]
            repeated = bool(self.bits & bit)
        if repeated:
            self.bits |= IEH_UNREP
        elif place < self.last:
            self.bits |= IEH_UNSEQ
        self.bits |= bit
        self.last = max(self.last, place)


def ipv6(k, data, off):
    l3 = data[off:]
    if len(l3) < 40:
        k.fail("ip6_trunc")
        return
    ip = IPv6(l3[:40])
    if ip.plen > len(l3) - 40:
        k.fail("ip6_bad_len")
        return
    k.set("ipv6_src", ip.src)
    k.set("ipv6_dst", ip.dst)
    k.set("ipv6_label", ip.fl)
    rest = l3[40:40 + ip.plen]
    pos = off + 40
    nh = ip.nh
    frag = 0
    ext = ExtHdrs()
    while nh in EXT_HDRS:
        ext.note(nh)
        if len(rest) < 8:
            k.fail("ip6_ext_trunc")
            return
        hdr = EXT_HDRS[nh](rest)
        if nh == 44:
            size = 8
            # An atomic fragment (offset 0, M clear) is no fragment.
            if hdr.offset or hdr.m:
                frag = 1
            if hdr.offset:
                k.set("nw_frag", 3)
                k.set("nw_proto", hdr.nh)
                k.set("nw_tos", ip.tc)
                k.set("nw_ttl", ip.hlim)
                k.set("ipv6_exthdr", ext.bits)
                return
        elif nh == 51:
            size = (hdr.payloadlen + 2) * 4
        else:
            size = (hdr.len + 1) * 8
        if size > len(rest):
            k.fail("ip6_ext_trunc")
            return
        nh = hdr.nh
        rest = rest[size:]
        pos += size
    ext.note(nh)
    k.set("ipv6_exthdr", ext.bits)
    k.set("nw_frag", frag)
    k.set("nw_proto", nh)
    k.set("nw_tos", ip.tc)
    k.set("nw_ttl", ip.hlim)
    k.l4 = pos
    l4(k, rest, nh, True)


def l4(k, seg, proto, is6):
    if proto == 6:
        if len(seg) < 20:
            k.fail("l4_trunc")
            return
        t = TCP(seg[:20])
        if t.dataofs < 5 or t.dataofs * 4 > len(seg):
            k.fail("l4_trunc")
            return
        k.set("tp_src", t.sport)
        k.set("tp_dst", t.dport)
        k.set("tcp_flags", int(t.flags) | (t.reserved << 9))
    elif proto in (17, 132):
        need = 8 if proto == 17 else 12
        if len(seg) < need:
            k.fail("l4_trunc")
            return
        h = (UDP if proto == 17 else SCTP)(seg[:need])
        k.set("tp_src", h.sport)
        k.set("tp_dst", h.dport)
    elif proto == 1 and not is6:
        if len(seg) < 8:
            k.fail("l4_trunc")
            return
        h = ICMP(seg[:8])
        k.set("tp_src", h.type)
        k.set("tp_dst", h.code)
    elif proto == 58 and is6:
        if len(seg) < 8:
            k.fail("l4_trunc")
            return
        k.set("tp_src", seg[0])
        k.set("tp_dst", seg[1])
        if seg[0] in (135, 136) and seg[1] == 0:
            nd(k, seg)


def nd(k, seg):
    k.set("nd_reserved", int.from_bytes(seg[4:8], "big"))
    if len(seg) < 24:
        k.fail("nd_trunc")
        return
    h = (ICMPv6ND_NS if seg[0] == 135 else ICMPv6ND_NA)(seg[:24])
    k.set("nd_target", h.tgt)
    opts = seg[24:]
    seen = {}
    first = 0
    while len(opts) >= 8:
        otype, olen = opts[0], opts[1] * 8
        if olen == 0 or olen > len(opts):
            k.fail("nd_trunc")
            break
        if otype in (1, 2) and olen == 8:
            if otype in seen:
                for f in ("nd_target", "arp_sha", "arp_tha"):
                    k.f.pop(f, None)
                k.fail("nd_bad_opt")
                break
            o = (ICMPv6NDOptSrcLLAddr if otype == 1
                 else ICMPv6NDOptDstLLAddr)(opts[:8])
            seen[otype] = True
            k.set("arp_sha" if otype == 1 else "arp_tha", o.lladdr)
            if not first:
                first = otype
        opts = opts[olen:]
    k.set("nd_options_type", first)


# ---------------------------------------------------------------------------
# The packets.

def tcp4(**kw):
    return eth() / IP(src="10.0.0.1", dst="10.0.0.2", **kw)


def v6(**kw):
    return eth() / IPv6(src="2001:db8::1", dst="2001:db8::2", **kw)


def cut(pkt, n):
    return bytes(pkt)[:n]


def l4cut(ip, l4, n):
    """'ip' carrying the first 'n' bytes of 'l4', lengths consistent."""
    return ip / Raw(bytes(l4)[:n])


def with_byte(pkt, ofs, value):
    b = bytearray(bytes(pkt))
    b[ofs] = value
    return bytes(b)


def arp_(**kw):
    """ARP with fixed defaults (scapy's come from the host's interfaces)."""
    for k, v in (("hwsrc", MAC_A), ("psrc", "192.0.2.1"),
                 ("pdst", "192.0.2.2")):
        kw.setdefault(k, v)
    return ARP(**kw)


def ip_(**kw):
    """IPv4 with fixed addresses (scapy's default source is routed)."""
    kw.setdefault("src", "192.0.2.10")
    kw.setdefault("dst", "192.0.2.20")
    return IP(**kw)


def packets():
    udp4 = tcp4() / UDP(sport=1234, dport=53) / (b"x" * 4)
    tcp = tcp4(tos=0xb9, ttl=17) / TCP(sport=40000, dport=80,
                                       flags="SA") / b"data"
    ns = (eth() / IPv6(src="fe80::1", dst="ff02::1:ff00:2")
          / ICMPv6ND_NS(tgt="fe80::2"))
    sll = ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")
    tll = ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02")
    na = (eth() / IPv6(src="fe80::2", dst="fe80::1")
          / ICMPv6ND_NA(tgt="fe80::2", R=1, S=1, O=0))
    frag6 = v6() / IPv6ExtHdrFragment(id=7, m=1, offset=0) / UDP(
        sport=5, dport=6) / (b"z" * 8)
    P = [
        # L2.
        ("eth_unknown_type", eth(type=0x88b5) / b"payload!"),
        ("eth_min_type", eth(type=0x0600) / b"payload!"),
        ("eth_802_3_llc", Dot3(dst=MAC_B, src=MAC_A) / LLC(
            dsap=0x42, ssap=0x42, ctrl=3) / b"stp-bpdu-bytes"),
        ("eth_802_3_snap_ip", Dot3(dst=MAC_B, src=MAC_A) / LLC() / SNAP(
            OUI=0, code=0x0800) / IP(src="1.1.1.1", dst="2.2.2.2") / UDP(
                sport=7, dport=9)),
        ("eth_802_3_snap_oui", Dot3(dst=MAC_B, src=MAC_A) / LLC() / SNAP(
            OUI=0x00000c, code=0x2000) / b"cdp"),
        ("eth_802_3_snap_small_type", Dot3(dst=MAC_B, src=MAC_A) / LLC() /
         SNAP(OUI=0, code=0x0100) / b"x"),
        ("eth_802_3_short", cut(Ether(dst=MAC_B, src=MAC_A, type=5) /
                                b"\xaa\xaa\x03\x00\x00\x00\x08", 21)),
        ("vlan_tcp", eth() / Dot1Q(prio=5, vlan=100) / IP(
            src="10.1.1.1", dst="10.1.1.2") / TCP(sport=1, dport=2,
                                                  flags="S")),
        ("vlan_vid0", eth() / Dot1Q(prio=0, vlan=0) / arp_()),
        ("vlan_dei", eth() / Dot1Q(prio=7, id=1, vlan=4095) / b"xyzw"),
        ("vlan_double_qinq", eth() / Dot1AD(prio=3, vlan=10) / Dot1Q(
            prio=1, vlan=20) / IPv6(src="::1", dst="::2") / UDP(
                sport=100, dport=200)),
        ("vlan_double_8100", eth() / Dot1Q(vlan=1) / Dot1Q(vlan=2) / IP(
            src="1.2.3.4", dst="4.3.2.1") / ICMP()),
        ("vlan_triple", eth() / Dot1AD(vlan=1) / Dot1Q(vlan=2) / Dot1Q(
            vlan=3) / ip_() / UDP()),
        ("vlan_snap", eth() / Dot1Q(vlan=9, type=36) / LLC() / SNAP(
            OUI=0, code=0x0806) / arp_(op=2, psrc="9.9.9.9")),
        ("vlan_trunc", cut(eth() / Dot1Q(vlan=5) / ip_(), 17)),
        ("vlan_trunc_inner", cut(eth() / Dot1AD(vlan=5) / Dot1Q(vlan=6) /
                                 ip_(), 21)),
        ("eth_trunc_13", cut(udp4, 13)),
        ("eth_trunc_0", b""),
        ("eth_only", cut(udp4, 14)),
        # ARP.
        ("arp_request", eth(dst="ff:ff:ff:ff:ff:ff") / arp_(
            op=1, hwsrc=MAC_A, psrc="192.168.0.1", pdst="192.168.0.2")),
        ("arp_reply", eth() / arp_(op=2, hwsrc=MAC_A, hwdst=MAC_B,
                                   psrc="192.168.0.2", pdst="192.168.0.1")),
        ("rarp", eth(type=0x8035) / arp_(op=3, hwsrc=MAC_A, hwdst=MAC_A)),
        ("arp_op_big", eth() / arp_(op=0x1ff, psrc="1.0.0.1")),
        ("arp_trunc", cut(eth() / arp_(psrc="1.0.0.1"), 14 + 27)),
        ("arp_not_eth", eth() / arp_(hwtype=6, psrc="1.0.0.1")),
        ("arp_ipv6_ptype", eth() / arp_(ptype=0x86dd, plen=4)),
        # IPv4.
        ("ip4_tcp", tcp),
        ("ip4_tcp_all_flags", tcp4() / TCP(flags=0x1ff, reserved=7)),
        ("ip4_tcp_options", tcp4() / TCP(sport=22, dport=2222, flags="A",
                                         options=[("MSS", 1460),
                                                  ("NOP", None),
                                                  ("WScale", 7)])),
        ("ip4_options_udp", tcp4(options=[b"\x94\x04\x00\x00",
                                          b"\x01\x01\x01\x00"]) /
         UDP(sport=68, dport=67)),
        ("ip4_udp_padded", udp4 / (b"\x00" * 20)),
        ("ip4_sctp", tcp4() / SCTP(sport=3868, dport=3869)),
        ("ip4_icmp_echo", tcp4() / ICMP(type=8, code=0) / b"ping"),
        ("ip4_icmp_unreach", tcp4() / ICMP(type=3, code=13) / ip_() / UDP()),
        ("ip4_proto_unknown", tcp4(proto=99) / b"abcdefgh"),
        ("ip4_icmpv6_in_v4", tcp4(proto=58) / b"\x80\x00\x00\x00abcd"),
        ("ip4_frag_first", tcp4(flags="MF", frag=0) / TCP(sport=5,
                                                          dport=6)),
        ("ip4_frag_later", tcp4(flags="MF", frag=185) / (b"\x00" * 24)),
        ("ip4_frag_last", tcp4(flags=0, frag=370, proto=17) /
         (b"\x01" * 8)),
        ("ip4_df", tcp4(flags="DF") / UDP(sport=9, dport=10)),
        ("ip4_trunc_19", cut(udp4, 14 + 19)),
        ("ip4_trunc_0", cut(udp4, 14)),
        ("ip4_ihl_4", with_byte(udp4, 14, 0x44)),
        ("ip4_ihl_past_end", cut(tcp4(options=[b"\x01" * 20]) / UDP(),
                                 14 + 30)),
        ("ip4_totlen_long", cut(tcp, len(tcp) - 1)),
        ("ip4_totlen_short", tcp4(len=18) / UDP()),
        ("ip4_tcp_trunc_19", cut(tcp4() / TCP(), 14 + 20 + 19)),
        ("ip4_tcp_hdr_19", l4cut(tcp4(proto=6), TCP(sport=1, dport=2), 19)),
        ("ip4_tcp_hdr_0", tcp4(proto=6)),
        ("ip4_udp_hdr_7", l4cut(tcp4(proto=17), UDP(sport=1), 7)),
        ("ip4_sctp_hdr_11", l4cut(tcp4(proto=132), SCTP(sport=1), 11)),
        ("ip4_icmp_hdr_7", l4cut(tcp4(proto=1), ICMP(type=8), 7)),
        ("ip4_tcp_opts_cut", l4cut(tcp4(proto=6), TCP(
            sport=1, dport=2, options=[("MSS", 1460)]), 22)),
        ("ip4_tcp_trunc_0", cut(tcp4(proto=6), 34)),
        ("ip4_tcp_dataofs_4", tcp4() / TCP(dataofs=4, sport=1, dport=2)),
        ("ip4_tcp_dataofs_past", tcp4() / TCP(dataofs=15, sport=1,
                                              dport=2)),
        ("ip4_udp_trunc_7", cut(udp4, 14 + 20 + 7)),
        ("ip4_sctp_trunc_11", cut(tcp4() / SCTP(), 14 + 20 + 11)),
        ("ip4_icmp_trunc_7", cut(tcp4() / ICMP(), 14 + 20 + 7)),
        # IPv6.
        ("ip6_tcp", v6(tc=0x2e, fl=0xabcde, hlim=3) / TCP(
            sport=443, dport=50000, flags="FPA")),
        ("ip6_udp_padded", eth() / IPv6(src="::1", dst="::2") / UDP(
            sport=1, dport=2) / (b"\x00" * 10)),
        ("ip6_sctp", v6() / SCTP(sport=1, dport=2)),
        ("ip6_no_next", v6(nh=59)),
        ("ip6_hop_udp", v6() / IPv6ExtHdrHopByHop() / UDP(sport=3,
                                                          dport=4)),
        ("ip6_chain", v6() / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
         IPv6ExtHdrRouting(addresses=["2001:db8::9"]) / IPv6ExtHdrDestOpt() /
         TCP(sport=10, dport=20, flags="R")),
        ("ip6_ah_tcp", v6() / AH(spi=1, icv=b"\x00" * 12) / TCP(
            sport=11, dport=12)),
        # ipv6_exthdr: hop-by-hop then AH (the conformance suite's case),
        # a hop-by-hop header that is not first (unexpected sequence), a
        # repeated AH, and three destination options headers.
        ("ip6_hop_ah_tcp", v6() / IPv6ExtHdrHopByHop() /
         AH(nh=6, payloadlen=4, spi=1, icv=b"\x00" * 12) /
         TCP(sport=11, dport=12)),
        ("ip6_unseq", v6() / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() /
         UDP(sport=1, dport=2)),
        ("ip6_unrep", v6() / AH(nh=44, payloadlen=4, spi=1,
                                icv=b"\x00" * 12) /
         IPv6ExtHdrFragment(nh=51) /
         AH(nh=17, payloadlen=4, spi=2, icv=b"\x00" * 12) /
         UDP(sport=1, dport=2)),
        ("ip6_dest3", v6() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() /
         IPv6ExtHdrDestOpt() / UDP(sport=1, dport=2)),
        ("ip6_frag_first", frag6),
        ("ip6_frag_later", v6() / IPv6ExtHdrFragment(
            id=7, m=0, offset=3, nh=17) / (b"\x00" * 16)),
        ("ip6_frag_atomic", v6() / IPv6ExtHdrFragment(m=0, offset=0) /
         UDP(sport=5, dport=6)),
        ("ip6_hop_frag_later", v6() / IPv6ExtHdrHopByHop() /
         IPv6ExtHdrFragment(offset=100, nh=6) / (b"\x00" * 8)),
        ("ip6_ext_trunc", cut(v6(plen=6) / IPv6ExtHdrHopByHop() / UDP(),
                              14 + 46)),
        ("ip6_ext_len_past", v6() / IPv6ExtHdrDestOpt(len=4) /
         (b"\x00" * 8)),
        ("ip6_trunc_39", cut(v6() / UDP(), 14 + 39)),
        ("ip6_plen_long", v6(plen=100) / UDP()),
        ("ip6_icmp4_proto", v6(nh=1) / ICMP()),
        ("ip6_tcp_trunc", cut(v6() / TCP(), 14 + 40 + 12)),
        ("ip6_tcp_hdr_12", l4cut(v6(nh=6), TCP(sport=1, dport=2), 12)),
        ("ip6_udp_hdr_7", l4cut(v6(nh=17), UDP(sport=1, dport=2), 7)),
        ("ip6_frag_udp_hdr_4", l4cut(v6() / IPv6ExtHdrFragment(nh=17, m=1),
                                     UDP(sport=1, dport=2), 4)),
        # ICMPv6 and ND.
        ("icmp6_echo", v6() / ICMPv6EchoRequest(id=1, seq=2)),
        ("icmp6_trunc", cut(v6() / ICMPv6EchoRequest(), 14 + 40 + 7)),
        ("icmp6_hdr_7", l4cut(v6(nh=58), ICMPv6EchoRequest(), 7)),
        ("nd_ns_target_cut", l4cut(v6(nh=58), ICMPv6ND_NS(
            tgt="fe80::7"), 8 + 15)),
        ("nd_ns_hdr_only", l4cut(v6(nh=58), ICMPv6ND_NS(), 8)),
        ("icmp6_rs", v6() / ICMPv6ND_RS() / sll),
        ("nd_ns_sll", ns / sll),
        ("nd_ns_no_opts", ns),
        ("nd_na_tll", na / tll),
        ("nd_na_sll_tll", na / sll / tll),
        ("nd_na_tll_sll", na / tll / sll),
        ("nd_ns_mtu_then_sll", ns / ICMPv6NDOptMTU(mtu=1400) / sll),
        ("nd_ns_sll_len2", ns / ICMPv6NDOptSrcLLAddr(len=2) /
         (b"\x00" * 8)),
        ("nd_ns_dup_sll", ns / sll / ICMPv6NDOptSrcLLAddr(
            lladdr="02:00:00:00:00:09")),
        ("nd_ns_opt_len0", ns / sll / (b"\x02\x00" + b"\x00" * 6)),
        ("nd_ns_opt_past", ns / sll / (b"\x02\x02" + b"\x00" * 6)),
        ("nd_ns_opt_short", ns / sll / b"\x02\x01\x00"),
        ("nd_ns_trunc_target", cut(ns, 14 + 40 + 8 + 10)),
        ("nd_ns_code1", eth() / IPv6(src="fe80::9", dst="fe80::5") /
         ICMPv6ND_NS(code=1, tgt="fe80::5") / sll),
    ]
    out = []
    for name, p in P:
        data = bytes(p)
        out.append((name, data))
    return out


# ---------------------------------------------------------------------------
# Output and the ovs-ofctl cross-check.

def fmt_value(name, v):
    if isinstance(v, str):
        if ":" in v and name not in ("ipv6_src", "ipv6_dst", "nd_target"):
            return v.lower()
        if name in ("ipv6_src", "ipv6_dst", "nd_target"):
            return str(ipaddress.IPv6Address(v))
        return v
    return "%#x" % v


def write(path, pkts):
    lines = ["# Generated by gen-flow-fixtures.py; do not edit.",
             "# fixture NAME / packet HEX / result ERROR L2 L3 L4 /"
             " FIELD VALUE... / end",
             "# Fields not listed are zero."]
    for name, data in pkts:
        k = expect(data)
        lines.append("fixture %s" % name)
        lines.append("packet %s" % (data.hex() or "-"))
        ofs = ["-" if o is None else str(o) for o in (k.l2, k.l3, k.l4)]
        lines.append("result %s %s" % (k.error, " ".join(ofs)))
        for f in sorted(k.f):
            v = k.f[f]
            if v in (0, "0.0.0.0", "::", "00:00:00:00:00:00"):
                continue
            lines.append("%s %s" % (f, fmt_value(f, v)))
        lines.append("end")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def ovs_fields(line):
    """Our field names and values from one `ovs-ofctl parse-pcap` line."""
    out = {}
    parts = line.split(",")
    for p in parts:
        if "=" not in p:
            continue
        n, v = p.split("=", 1)
        out[n] = v
    return out


def check_ovs(pkts):
    fails = 0
    with tempfile.TemporaryDirectory() as d:
        pcap = os.path.join(d, "p.pcap")
        usable = [(n, b) for n, b in pkts if b]
        wrpcap(pcap, [Raw(b) for n, b in usable], linktype=1)
        res = subprocess.run(["ovs-ofctl", "parse-pcap", pcap],
                             capture_output=True, text=True, check=True)
        lines = res.stdout.strip().split("\n")
    for (name, data), line in zip(usable, lines):
        k = expect(data)
        o = ovs_fields(line)
        mine = {}
        f = k.f
        mine["dl_src"] = f.get("dl_src", "00:00:00:00:00:00")
        mine["dl_dst"] = f.get("dl_dst", "00:00:00:00:00:00")
        ip = f.get("dl_type") == 0x0800
        ip6 = f.get("dl_type") == 0x86dd
        isarp = f.get("dl_type") in (0x0806, 0x8035)
        if ip:
            mine["nw_src"] = f.get("nw_src", "0.0.0.0")
            mine["nw_dst"] = f.get("nw_dst", "0.0.0.0")
        if ip6:
            mine["ipv6_src"] = str(ipaddress.IPv6Address(
                f.get("ipv6_src", "::")))
            mine["ipv6_dst"] = str(ipaddress.IPv6Address(
                f.get("ipv6_dst", "::")))
            mine["ipv6_label"] = "0x%05x" % f.get("ipv6_label", 0)
        if ip or ip6:
            mine["nw_tos"] = str(f.get("nw_tos", 0) & 0xfc)
            mine["nw_ecn"] = str(f.get("nw_tos", 0) & 3)
            mine["nw_ttl"] = str(f.get("nw_ttl", 0))
            mine["nw_frag"] = {0: "no", 1: "first", 3: "later"}[
                f.get("nw_frag", 0)]
            proto = f.get("nw_proto", 0)
            if proto not in (1, 6, 17, 58, 132) or \
                    (proto == 1 and ip6) or (proto == 58 and ip):
                mine["nw_proto"] = str(proto)
            if proto in (6, 17, 132) and not f.get("nw_frag", 0) & 2:
                mine["tp_src"] = str(f.get("tp_src", 0))
                mine["tp_dst"] = str(f.get("tp_dst", 0))
            if (proto == 1 and ip or proto == 58 and ip6) \
                    and not f.get("nw_frag", 0) & 2:
                mine["icmp_type"] = str(f.get("tp_src", 0))
                mine["icmp_code"] = str(f.get("tp_dst", 0))
            if proto == 58 and f.get("tp_src") in (135, 136) \
                    and f.get("tp_dst", 0) == 0:
                mine["nd_target"] = str(ipaddress.IPv6Address(
                    f.get("nd_target", "::")))
                if f.get("tp_src") == 135:
                    mine["nd_sll"] = f.get("arp_sha", "00:00:00:00:00:00")
                else:
                    mine["nd_tll"] = f.get("arp_tha", "00:00:00:00:00:00")
        if isarp:
            mine["arp_spa"] = f.get("nw_src", "0.0.0.0")
            mine["arp_tpa"] = f.get("nw_dst", "0.0.0.0")
            mine["arp_op"] = str(f.get("nw_proto", 0))
            mine["arp_sha"] = f.get("arp_sha", "00:00:00:00:00:00")
            mine["arp_tha"] = f.get("arp_tha", "00:00:00:00:00:00")
        if "vlan0_tci" in f:
            tci = f["vlan0_tci"]
            mine["dl_vlan"] = str(tci & 0xfff)
            mine["dl_vlan_pcp"] = str(tci >> 13)
        if "vlan1_tci" in f:
            tci = f["vlan1_tci"]
            mine["dl_vlan1"] = str(tci & 0xfff)
            mine["dl_vlan_pcp1"] = str(tci >> 13)
        bad = {n: (v, o.get(n)) for n, v in mine.items()
               if o.get(n) != v}
        if "dl_type" in o:
            if int(o["dl_type"], 16) != f.get("dl_type", 0):
                bad["dl_type"] = (f.get("dl_type"), o["dl_type"])
        if bad:
            fails += 1
            print("MISMATCH %s: %s\n  ovs: %s" % (name, bad, line))
    print("ovs-ofctl cross-check: %d packets, %d mismatches"
          % (len(usable), fails))
    return fails


def main():
    args = sys.argv[1:]
    check = "--check-ovs" in args
    args = [a for a in args if a != "--check-ovs"]
    corpus = None
    if "--corpus" in args:
        i = args.index("--corpus")
        corpus = args[i + 1]
        del args[i:i + 2]
    out = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "flow-fixtures.txt")
    pkts = packets()
    write(out, pkts)
    print("%s: %d fixtures" % (out, len(pkts)))
    if corpus:
        os.makedirs(corpus, exist_ok=True)
        for name, data in pkts:
            with open(os.path.join(corpus, name), "wb") as f:
                f.write(data)
    if check and check_ovs(pkts):
        sys.exit(1)


if __name__ == "__main__":
    main()
