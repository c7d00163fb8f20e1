#!/usr/bin/python3
"""Generates tests/unit/dp-actions-fixtures.txt for test-dp-actions.

Each fixture is a packet before and after one datapath action, both built
with scapy, which computes every checksum (IPv4 header, TCP, UDP, ICMPv6,
SCTP CRC32c) from scratch: the C code under test must reach the same bytes
by updating checksums incrementally.  The action itself is built in
test-dp-actions.c under the fixture's name.

A "partial" packet carries, in its TCP checksum field, the pseudo-header
sum as virtio-net's partial checksum offload leaves it (not complemented);
the test finishes the checksum after the action and compares with the full
checksum scapy computes for the expected packet.

Usage: gen-dp-actions-fixtures.py [OUTPUT]
"""

import sys
import struct

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.all import (ARP, Dot1Q, Ether, ICMP, IP, IPv6, Raw, SCTP, TCP,  # noqa
                       UDP, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr)

A = "00:11:22:33:44:55"
B = "66:77:88:99:aa:bb"
PAY = Raw(b"kiln datapath actions test payload" * 3)


def eth(**kw):
    return Ether(src=A, dst=B, **kw)


def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def partial_tcp4(pkt):
    """'pkt' (Ether/IP/TCP) with the pseudo-header sum in the TCP checksum
    field, as a partial-checksum packet carries it."""
    raw = bytearray(bytes(pkt))
    ip = Ether(bytes(pkt))[IP]
    l4len = ip.len - ip.ihl * 4
    s = 0
    for a in (ip.src, ip.dst):
        b = bytes(int(x) for x in a.split("."))
        s += (b[0] << 8 | b[1]) + (b[2] << 8 | b[3])
    s += 6 + l4len
    l4 = len(raw) - len(bytes(pkt[TCP]))
    struct.pack_into("!H", raw, l4 + 16, fold(s))
    return bytes(raw)


def tcp4(src="10.0.0.1", dst="10.0.0.2", ttl=64, tos=0, vlan=None):
    inner = IP(src=src, dst=dst, ttl=ttl, tos=tos, id=7) / \
        TCP(sport=1234, dport=80, flags="PA", seq=1000) / PAY
    if vlan is not None:
        return eth() / Dot1Q(vlan=vlan, prio=3) / inner
    return eth() / inner


def udp4(src="10.0.0.1", dst="10.0.0.2", sport=5000, dport=53, csum=None):
    p = eth() / IP(src=src, dst=dst, id=9) / UDP(sport=sport, dport=dport) \
        / PAY
    if csum is not None:
        p[UDP].chksum = csum
    return p


def tcp6(src="2001:db8::1", dst="2001:db8::2", tc=0, fl=0, hlim=64,
         sport=1234, dport=80):
    return eth() / IPv6(src=src, dst=dst, tc=tc, fl=fl, hlim=hlim) / \
        TCP(sport=sport, dport=dport, flags="S", seq=5) / PAY


FIXTURES = [
    # VLANs.
    ("push_vlan", tcp4(), tcp4(vlan=10)),
    ("pop_vlan", tcp4(vlan=10), tcp4()),
    # Ethernet.
    ("set_eth", tcp4(),
     Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
     tcp4()[IP]),
    # IPv4: addresses (IP and TCP/UDP checksums), TOS, TTL.
    ("set_ipv4_src_ttl_tcp", tcp4(), tcp4(src="192.168.7.9", ttl=63)),
    ("set_ipv4_dst_udp", udp4(), udp4(dst="172.16.254.1")),
    ("set_ipv4_src_udp_nocsum", udp4(csum=0),
     udp4(src="10.9.8.7", csum=0)),
    ("set_ipv4_tos_masked_icmp",
     eth() / IP(src="10.0.0.1", dst="10.0.0.2", tos=0x03) / ICMP() / PAY,
     eth() / IP(src="10.0.0.1", dst="10.0.9.9", tos=0xb8 | 0x03) / ICMP() /
     PAY),
    # IPv6.
    ("set_ipv6_all", tcp6(),
     tcp6(src="fd00::a", dst="fd00::b", tc=0x28, fl=0x12345, hlim=7)),
    ("set_ipv6_dst_icmp6",
     eth() / IPv6(src="2001:db8::1", dst="2001:db8::2") /
     ICMPv6EchoRequest(id=1, seq=2, data=b"ping"),
     eth() / IPv6(src="2001:db8::1", dst="2001:db8::99") /
     ICMPv6EchoRequest(id=1, seq=2, data=b"ping")),
    # L4 ports.
    ("set_tcp_ports", tcp4(),
     eth() / IP(src="10.0.0.1", dst="10.0.0.2", ttl=64, id=7) /
     TCP(sport=4321, dport=8080, flags="PA", seq=1000) / PAY),
    ("set_udp_dst", udp4(), udp4(dport=5353)),
    ("set_tcp6_src", tcp6(), tcp6(sport=40000)),
    ("set_sctp_ports",
     eth() / IP(src="10.0.0.1", dst="10.0.0.2") /
     SCTP(sport=1, dport=2, tag=0x1234) / PAY,
     eth() / IP(src="10.0.0.1", dst="10.0.0.2") /
     SCTP(sport=3868, dport=2905, tag=0x1234) / PAY),
    # ARP.
    ("set_arp",
     eth(type=0x0806) / ARP(op=1, hwsrc=A, psrc="10.0.0.1",
                            hwdst="00:00:00:00:00:00", pdst="10.0.0.2"),
     eth(type=0x0806) / ARP(op=2, hwsrc="02:aa:bb:cc:dd:ee",
                            psrc="10.0.0.2", hwdst=A, pdst="10.0.0.1")),
    # Neighbor discovery.
    ("set_nd_ns",
     eth() / IPv6(src="fe80::1", dst="ff02::1:ff00:2", hlim=255) /
     ICMPv6ND_NS(tgt="fe80::2") / ICMPv6NDOptSrcLLAddr(lladdr=A),
     eth() / IPv6(src="fe80::1", dst="ff02::1:ff00:2", hlim=255) /
     ICMPv6ND_NS(tgt="fe80::77") /
     ICMPv6NDOptSrcLLAddr(lladdr="02:11:22:33:44:55")),
    ("set_nd_na",
     eth() / IPv6(src="fe80::2", dst="fe80::1", hlim=255) /
     ICMPv6ND_NA(tgt="fe80::2", R=0, S=1, O=1) /
     ICMPv6NDOptDstLLAddr(lladdr=B),
     eth() / IPv6(src="fe80::2", dst="fe80::1", hlim=255) /
     ICMPv6ND_NA(tgt="fe80::2", R=0, S=1, O=1) /
     ICMPv6NDOptDstLLAddr(lladdr="02:de:ad:be:ef:00")),
    # Partial checksums: the pseudo-header sum is adjusted.
    ("partial_set_ipv4_src", partial_tcp4(tcp4()),
     tcp4(src="192.168.7.9", ttl=63)),
    ("partial_push_vlan", partial_tcp4(tcp4()), tcp4(vlan=10)),
    ("partial_set_tcp_ports", partial_tcp4(tcp4()),
     eth() / IP(src="10.0.0.1", dst="10.0.0.2", ttl=64, id=7) /
     TCP(sport=4321, dport=8080, flags="PA", seq=1000) / PAY),
]


def main():
    out = open(sys.argv[1], "w") if len(sys.argv) > 1 else sys.stdout
    out.write("# Generated by gen-dp-actions-fixtures.py; do not edit.\n"
              "# fixture NAME / in HEX / out HEX / end\n")
    for name, pin, pout in FIXTURES:
        bin_ = pin if isinstance(pin, bytes) else bytes(pin)
        bout = bytes(pout)
        out.write("fixture %s\nin %s\nout %s\nend\n"
                  % (name, bin_.hex(), bout.hex()))


if __name__ == "__main__":
    main()
