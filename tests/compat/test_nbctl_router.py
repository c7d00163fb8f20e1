"""kiln-nbctl's router family against ovn-nbctl --no-wait.

Routers, router ports, gateway chassis, static routes, policies, NAT and
HA chassis groups (tools/nbctl-router.c, tools/nbctl-route.c).  Each
session runs once with ovn-nbctl against a fresh Debian ovsdb-server and
once with kiln-nbctl against a fresh server of each kind (ovsdb-server,
and the compat target), on the OVN_Northbound schema with an empty
NB_Global row.  Transcripts (stdout, the first line of stderr with the
program name replaced, exit status) and final dumps must agree once
canonicalized as in compat.py.

Switch ports (NAT's logical_port) are made with the generic commands, so
that these sessions depend on no other command family.
"""

import os

import pytest

import kilntest
from compat import (Step, TARGET, compare_tools, ctl_tool, fails,
                    insert_singleton)

KILN_NBCTL = os.path.join(kilntest.BUILD, "tools", "kiln-nbctl")
S = Step


def rows(cmd):
    """A generic list/find step: its records come in hash order."""
    return Step(cmd, sort="records")


REF = ctl_tool("ovn-nbctl", "--no-wait")
KILN = ctl_tool(KILN_NBCTL, "--no-wait")


def lsp(sw, name):
    return ("--id=@p create Logical_Switch_Port name=%s "
            "-- --id=@s create Logical_Switch name=%s ports=@p"
            % (name, sw))


MAC = "00:00:00:00:00:01"

SESSIONS = {}

SESSIONS["lr"] = [
    "lr-list",
    "lr-add lr0",
    fails("lr-add lr0"),
    "--may-exist lr-add lr0",
    fails("--may-exist --add-duplicate lr-add lr0"),
    "lr-add lr1",
    "lr-add",
    "lr-list",
    "--add-duplicate lr-add lr1",
    fails("lr-del lr1"),
    fails("--if-exists lr-del lr1"),
    fails("lrp-list lr1"),
    fails("lr-del nope"),
    "--if-exists lr-del nope",
    "lr-del lr0",
    "lr-add lr0 -- lr-del lr0",
    fails("lr-add a b"),
    fails("lr-del"),
    fails("lr-list x"),
    fails("--if-exists lr-add x"),
    fails("--may-exist lr-del x"),
    rows("--columns=name list Logical_Router"),
]

SESSIONS["lrp"] = [
    "lr-add lr0",
    "lr-add lr1",
    "lrp-add lr0 p0 %s 10.0.0.1/24" % MAC,
    fails("lrp-add lr0 p0 %s 10.0.0.1/24" % MAC),
    "--may-exist lrp-add lr0 p0 %s 10.0.0.1/24" % MAC,
    "--may-exist lrp-add lr0 p0 00:00:00:00:00:1 10.0.0.1/255.255.255.0",
    fails("--may-exist lrp-add lr0 p0 00:00:00:00:00:02 10.0.0.1/24"),
    "--may-exist lrp-add lr0 p0 %s 10.0.0.2/24" % MAC,
    fails("--may-exist lrp-add lr0 p0 %s 10.0.0.1/24 10.0.1.1/24" % MAC),
    fails("--may-exist lrp-add lr0 p0 %s 10.0.0.1/24 peer=x" % MAC),
    fails("--may-exist lrp-add lr1 p0 %s 10.0.0.1/24" % MAC),
    fails("--may-exist lrp-add lr0 p0 %s 10.0.0.1/33" % MAC),
    fails("--may-exist lrp-add lr0 p0 zz 10.0.0.1/24"),
    fails("lrp-add lr0 p1 zz 10.0.0.1/24"),
    fails("lrp-add lr0 p1 00:00:00:00:00:0G 10.0.0.1/24"),
    fails("lrp-add lr0 p1 1:0:0:0:0:1x 10.0.0.1/24"),
    fails("lrp-add lr0 p1 1:0:0:0:0 10.0.0.1/24"),
    fails("lrp-add lr0 p1 %s" % MAC),
    fails("lrp-add lr0 p1 %s peer=x" % MAC),
    fails("lrp-add lr0 p1 %s foo" % MAC),
    fails("lrp-add lr0 p1 %s 10.0.0.1/33" % MAC),
    fails("lrp-add lr0 p1 %s ff:ff:ff:ff:ff:ff" % MAC),
    fails("lrp-add lr0 p1 %s 1.1.1.1/8 peer" % MAC),
    fails("lrp-add lr0 p1 %s 1.1.1.1/8 peer=x foo" % MAC),
    fails("lrp-add lr0 p1 %s 1.1.1.1/8 nosuch=y" % MAC),
    fails("lrp-add lr0 p1 %s 1.1.1.1/8 enabled=maybe" % MAC),
    fails("lrp-add nolr p1 %s 1.1.1.1/8" % MAC),
    "lrp-add lr0 p1 %s 10.0.0.1" % MAC,
    "lrp-add lr0 p2 0:0:0:0:0:1 10.0.0.0/255.255.255.0",
    "lrp-add lr0 p3 A:B:C:D:E:F 2001:DB8::1/64 10.1.1.1/24 "
    "options:a=b enabled=false",
    "lrp-add lr0 p4 0x1:+2:-0:00:00:01 10.0.0.1/24 peer=x peer=y",
    "lrp-add lr1 q0 %s ' 10.2.0.1/24' ::ffff:1.2.3.4/96" % MAC,
    "--may-exist lrp-add lr0 p3 A:B:C:D:E:F 10.1.1.1/24 2001:db8::1/64 "
    "10.1.1.1/24",
    "--may-exist lrp-add lr0 p4 1:2:0:0:0:1 10.0.0.1/24 peer=y enabled=true",
    fails("--may-exist lrp-add lr0 p4 %s 10.0.0.1/24" % MAC),
    "lrp-list lr0",
    "lrp-list lr1",
    fails("lrp-list nolr"),
    rows("--columns=name,mac,networks,enabled,options,peer list "
    "Logical_Router_Port"),
    "lrp-del p2",
    fails("lrp-del p2"),
    "--if-exists lrp-del p2",
    "lrp-list lr0",
    "lrp-add lr0 p5 %s 10.5.0.1/24 -- lrp-set-enabled p5 disabled "
    "-- lrp-get-enabled p5" % MAC,
    fails("lrp-add lr0 p6 %s 10.6.0.1/24 -- lrp-add lr0 p6 %s "
          "10.6.0.1/24" % (MAC, MAC)),
    "lr-del lr1",
    rows("--columns=name list Logical_Router_Port"),
]

SESSIONS["lrp-settings"] = [
    "lr-add lr0",
    "lrp-add lr0 p0 %s 10.0.0.1/24" % MAC,
    "lrp-get-enabled p0",
    "lrp-set-enabled p0 disabled",
    "lrp-get-enabled p0",
    "get Logical_Router_Port p0 enabled",
    "lrp-set-enabled p0 ENABLED",
    "lrp-get-enabled p0",
    "get Logical_Router_Port p0 enabled",
    "lrp-set-enabled p0 Disabled",
    fails("lrp-set-enabled p0 foo"),
    fails("lrp-set-enabled nop enabled"),
    fails("lrp-get-enabled nop"),
    fails("--if-exists lrp-set-enabled nop enabled"),
    "lrp-set-options p0 a=b c=d",
    "get Logical_Router_Port p0 options",
    "lrp-set-options p0 x e=f",
    "get Logical_Router_Port p0 options",
    "lrp-set-options p0 =f a==b k=1 k=2",
    "get Logical_Router_Port p0 options",
    "lrp-set-options p0",
    "get Logical_Router_Port p0 options",
    fails("lrp-set-options nop a=b"),
    "lrp-get-redirect-type p0",
    "lrp-set-redirect-type p0 bridged",
    "lrp-get-redirect-type p0",
    "lrp-set-redirect-type p0 OVERLAY",
    "lrp-get-redirect-type p0",
    fails("lrp-set-redirect-type p0 foo"),
    fails("lrp-set-redirect-type nop bridged"),
    fails("lrp-get-redirect-type nop"),
    "lrp-set-options p0 q=r -- lrp-set-redirect-type p0 bridged",
    "get Logical_Router_Port p0 options",
    fails("lrp-get-options p0"),
]

SESSIONS["gateway-chassis"] = [
    "lr-add lr0",
    "lrp-add lr0 p0 %s 10.0.0.1/24" % MAC,
    "lrp-add lr0 p1 %s 10.0.1.1/24" % MAC,
    "lrp-get-gateway-chassis p0",
    "lrp-set-gateway-chassis p0 ch1",
    "lrp-set-gateway-chassis p0 ch2 10",
    "lrp-set-gateway-chassis p0 ch1 5",
    "lrp-get-gateway-chassis p0",
    fails("lrp-set-gateway-chassis p0 ch3 32768"),
    fails("lrp-set-gateway-chassis p0 ch3 -1"),
    fails("lrp-set-gateway-chassis p0 ch3 abc"),
    "lrp-set-gateway-chassis p0 ch3 0x10",
    "lrp-set-gateway-chassis p0 ch4 010",
    "lrp-set-gateway-chassis p0 ch5 ' 7'",
    "lrp-set-gateway-chassis p0 ch6 7x",
    "lrp-set-gateway-chassis p0 cha 7",
    "lrp-set-gateway-chassis p0 ch0 7",
    "lrp-set-gateway-chassis p1 ch0 32767",
    "lrp-get-gateway-chassis p0",
    "lrp-get-gateway-chassis p1",
    rows("--columns=name,chassis_name,priority list Gateway_Chassis"),
    fails("lrp-del-gateway-chassis p0 ch9"),
    fails("lrp-del-gateway-chassis p1 ch1"),
    "lrp-del-gateway-chassis p0 ch1",
    "lrp-get-gateway-chassis p0",
    fails("lrp-set-gateway-chassis nop ch1"),
    fails("lrp-get-gateway-chassis nop"),
    fails("lrp-del-gateway-chassis nop ch1"),
    fails("lrp-set-gateway-chassis p0"),
    fails("lrp-set-gateway-chassis p0 ch1 1 2"),
    "lrp-set-gateway-chassis p0 ch6 9999 -- lrp-set-gateway-chassis p0 ch6 "
    "11 -- lrp-get-gateway-chassis p0",
    "lrp-del p1",
    rows("--columns=name,priority list Gateway_Chassis"),
]

SESSIONS["route-add"] = [
    "lr-add lr0",
    "lrp-add lr0 lp0 %s 10.0.0.1/24" % MAC,
    "lr-route-list lr0",
    "lr-route-add lr0 10.0.0.0/24 10.0.0.254",
    fails("lr-route-add lr0 10.0.0.0/24 10.0.0.253"),
    fails("lr-route-add lr0 10.0.0.1/24 10.0.0.253"),
    "lr-route-add lr0 10.1.0.1 10.0.0.253",
    "lr-route-add lr0 10.2.0.0/16 10.0.0.253 lp0",
    fails("lr-route-add lr0 10.2.0.0/16 10.0.0.253 lpx"),
    "lr-route-add lr0 0.0.0.0/0 discard",
    fails("lr-route-add lr0 10.3.0.0/16 discard lp0"),
    fails("lr-route-add lr0 10.3.0.0/16 1.2.3"),
    fails("lr-route-add lr0 10.3.0.0/33 1.2.3.4"),
    fails("lr-route-add lr0 10.3.0.0/16 DISCARD"),
    fails("lr-route-add lr0 10.3.0.0/16 ' 1.1.1.1'"),
    fails("lr-route-add lr0 10.3.0.0/16 1.1.1.1/32"),
    fails("lr-route-add lr0 10.3.0.0/16 fe80::1"),
    fails("lr-route-add lr0 fe80::/64 1.1.1.1"),
    fails("lr-route-add lr0 10.4.0.0/16 2001:db8::1"),
    fails("lr-route-add nolr bad bad"),
    fails("lr-route-add lr0 bad bad"),
    fails("--policy=x lr-route-add lr0 bad bad"),
    fails("--policy=src-ip lr-route-add lr0 10.5.0.0/16 1.1.1.1 nop"),
    "lr-route-add lr0 2001:db8::/64 2001:db8::1",
    "lr-route-add lr0 2001:DB8:1::0/48 2001:DB8::0001",
    "lr-route-add lr0 ::/0 fe80::1",
    "lr-route-add lr0 10.5.0.0/255.255.0.0 10.0.0.1",
    "lr-route-add lr0 10.6.0.0/16 10.0.0.0",
    "--policy=src-ip lr-route-add lr0 10.0.0.0/24 10.0.0.2",
    "--policy=dst-ip lr-route-add lr0 10.7.0.0/16 10.0.0.2",
    "--policy=src-ip lr-route-add lr0 10.0.0.5 10.0.0.2",
    "lr-route-list lr0",
    rows("--columns=ip_prefix,nexthop,output_port,policy,options,route_table "
    "list Logical_Router_Static_Route"),
    fails("lr-route-add lr0 10.8.0.0/16 10.0.0.1 lp0 x"),
    fails("lr-route-add lr0 10.8.0.0/16"),
]

SESSIONS["route-prefixes"] = [
    "lr-add lr4",
] + [
    "lr-route-add lr4 '%s' discard" % p for p in [
        "300.0.0.0/8", "+20.0.0.0/8", "21. 0.0.0/8", "022.0.0.0/8",
        "25.0.0.0/ 8", "26.0.0.0/+8", "32.0.0.0/4294967304",
        "35.0.0.0/0.0.0.0", "36.0.0.0/255.255.255.255", "-1.0.0.0/8",
        " 11.0.0.0/8", "10.0.0.0/08", "1.2.3.4/28",
        " 2001:db8::/64", "2001:db8::", "2001:db8::/ffff:ffff::",
        "::ffff:1.2.3.4/96", "2001:db8:0:1::5/+64"]
] + [
    fails("lr-route-add lr4 '%s' discard" % p) for p in [
        "0x17.0.0.0/8", "24.0.0.0/8 ", "27.0.0.0/8x", "28.0.0.0/-8",
        "29.0.0", "30.0.0.0 ", "31.0.0.0x", "33.0.0.0/255.255.0.0x",
        "34.0.0.0/255.255.0", "37.0.0.0/255.255.0.0/8",
        "38.0.0.0/255.0.255.0", "39.0.0.0/", "::1/129", "2001:db8::/64x",
        "2001:db8::x/64", "2001:db8::/0x40", ""]
] + [
    "lr-route-list lr4",
]

SESSIONS["route-ecmp"] = [
    "lr-add lr0",
    "lrp-add lr0 lp0 %s 10.0.0.1/24" % MAC,
    "lr-route-add lr0 10.0.0.0/24 10.0.0.254",
    "--may-exist lr-route-add lr0 10.0.0.0/24 10.0.0.99",
    "--may-exist lr-route-add lr0 10.0.0.0/24 10.0.0.99 lp0",
    "--may-exist lr-route-add lr0 10.0.0.0/24 10.0.0.100",
    "lr-route-list lr0",
    "--ecmp lr-route-add lr0 10.0.0.0/24 10.0.0.98",
    fails("--ecmp lr-route-add lr0 10.0.0.0/24 10.0.0.98"),
    fails("--ecmp lr-route-add lr0 10.0.0.0/24 10.0.0.98 lp0"),
    "--ecmp-symmetric-reply lr-route-add lr0 10.0.0.0/24 10.0.0.97",
    "--may-exist --ecmp lr-route-add lr0 10.0.0.0/24 10.0.0.98",
    "--may-exist --ecmp lr-route-add lr0 10.0.0.0/24 10.0.0.9",
    "--may-exist --ecmp-symmetric-reply lr-route-add lr0 10.0.0.0/24 "
    "10.0.0.97 lp0",
    "--route-table=rt1 lr-route-add lr0 10.0.0.0/24 10.0.0.95",
    fails("--route-table=rt1 lr-route-add lr0 10.0.0.0/24 10.0.0.94"),
    "--route-table=rt1 --policy=dst-ip lr-route-add lr0 10.9.0.0/24 "
    "10.0.0.94",
    "--route-table= lr-route-add lr0 10.10.0.0/24 10.0.0.94",
    "--route-table=rt0 lr-route-add lr0 2001::/64 2001::1",
    "--route-table=Z lr-route-add lr0 10.10.0.0/24 10.0.0.94",
    "--route-table=a lr-route-add lr0 10.10.0.0/24 10.0.0.94",
    "--policy=src-ip lr-route-add lr0 10.10.0.0/24 10.0.0.100",
    "--policy=src-ip --ecmp lr-route-add lr0 10.10.0.0/24 10.0.0.101",
    "lr-route-add lr0 9.0.0.0/8 10.0.0.100",
    "lr-route-add lr0 100.0.0.0/8 10.0.0.100",
    "lr-route-list lr0",
    "--route-table=a lr-route-list lr0",
    "--route-table=rt0 lr-route-list lr0",
    "--route-table=nosuch lr-route-list lr0",
    "--route-table= lr-route-list lr0",
    fails("lr-route-list nolr"),
    rows("--columns=ip_prefix,nexthop,output_port,policy,options,route_table "
    "find Logical_Router_Static_Route ip_prefix=10.0.0.0/24"),
]

SESSIONS["route-bfd"] = [
    "lr-add lr2",
    "lrp-add lr2 lp2 00:00:00:00:00:02 20.0.0.1/24",
    fails("--bfd lr-route-add lr2 10.11.0.0/24 20.0.0.2"),
    "--bfd lr-route-add lr2 10.12.0.0/24 20.0.0.2 lp2",
    fails("--bfd=abc lr-route-add lr2 10.14.0.0/24 20.0.0.3 lp2"),
    fails("--bfd=00000000-0000-0000-0000-000000000000 lr-route-add lr2 "
          "10.14.0.0/24 20.0.0.3 lp2"),
    "--bfd lr-route-add lr2 10.15.0.0/24 20.0.0.2",
    fails("--bfd lr-route-add lr2 10.16.0.0/24 discard"),
    "lr-route-add lr2 10.17.0.0/24 20.0.0.7",
    "--bfd --may-exist lr-route-add lr2 10.17.0.0/24 20.0.0.2",
    "lr-route-list lr2",
    rows("--columns=dst_ip,logical_port list BFD"),
    "lr-route-del lr2 10.12.0.0/24",
    "lr-route-list lr2",
]

SESSIONS["route-del"] = [
    "lr-add lr0",
    "lrp-add lr0 lp0 %s 10.0.0.1/24" % MAC,
    "lr-route-add lr0 10.0.0.0/24 1.1.1.1",
    "--ecmp lr-route-add lr0 10.0.0.0/24 1.1.1.2 lp0",
    "--policy=src-ip lr-route-add lr0 10.0.0.0/24 1.1.1.1",
    "--route-table=t lr-route-add lr0 10.0.0.0/24 1.1.1.1",
    "--route-table=t --policy=src-ip lr-route-add lr0 10.0.0.0/8 1.1.1.1",
    "lr-route-add lr0 2001::/64 2001::1",
    "lr-route-add lr0 10.1.0.0/16 discard",
    fails("lr-route-del lr0 10.0.0.1/24 1.1.1.9"),
    fails("lr-route-del lr0 bad"),
    fails("lr-route-del lr0 ''"),
    fails("lr-route-del lr0 10.0.0.0/24 bad"),
    fails("lr-route-del lr0 10.0.0.0/24 ''"),
    fails("lr-route-del lr0 10.0.0.0/24 1.1.1.1 nop"),
    fails("lr-route-del lr0 10.0.0.0/24 1.1.1.1 lp0"),
    fails("lr-route-del lr0 10.0.0.0/24 1.1.1.1 ''"),
    "--if-exists lr-route-del lr0 10.0.0.0/24 1.1.1.9",
    fails("lr-route-del lr0 10.9.0.0/24"),
    "--if-exists lr-route-del lr0 10.9.0.0/24",
    fails("--policy=x lr-route-del lr0"),
    fails("lr-route-del nolr"),
    fails("--policy=src-ip lr-route-del lr0 10.0.0.0/8"),
    fails("--policy=src-ip lr-route-del lr0 10.1.0.0/16"),
    fails("lr-route-del lr0 10.0.0.0/24 ::1"),
    fails("lr-route-del lr0 ::/0 1.1.1.1"),
    "lr-route-del lr0 10.0.0.0/24 1.1.1.2 lp0",
    "lr-route-list lr0",
    "--policy=src-ip lr-route-del lr0 10.0.0.0/24",
    "lr-route-list lr0",
    "--route-table=t lr-route-del lr0 10.0.0.0/24 01.1.1.1",
    "lr-route-list lr0",
    "lr-route-del lr0 10.1.0.0/16 discard",
    "lr-route-del lr0 2001::1/64 2001:0::1",
    "lr-route-list lr0",
    "lr-route-add lr0 10.3.0.0/16 1.1.1.1",
    "--route-table=zz lr-route-del lr0",
    "lr-route-list lr0",
    "lr-route-add lr0 10.3.0.0/16 1.1.1.1",
    "--route-table=t --policy=src-ip lr-route-add lr0 10.4.0.0/16 1.1.1.1",
    fails("--policy=src-ip lr-route-del lr0"),
    "--route-table=t --policy=src-ip lr-route-del lr0",
    "lr-route-list lr0",
    "--policy=dst-ip lr-route-del lr0",
    fails("--policy=dst-ip lr-route-del lr0"),
    "--if-exists --policy=dst-ip lr-route-del lr0",
    "lr-route-add lr0 10.3.0.0/16 1.1.1.1",
    "--route-table=t lr-route-add lr0 10.4.0.0/16 1.1.1.1",
    "lr-route-del lr0",
    "lr-route-del lr0",
    "lr-route-list lr0",
    rows("--columns=ip_prefix list Logical_Router_Static_Route"),
]

SESSIONS["policy"] = [
    "lr-add lr0",
    "lr-policy-list lr0",
    "lr-policy-add lr0 100 'ip4.src == 10.0.0.0/24' drop",
    fails("lr-policy-add lr0 100 'ip4.src == 10.0.0.0/24' drop"),
    fails("lr-policy-add lr0 100 'ip4.src == 10.0.0.0/24' allow"),
    "--may-exist lr-policy-add lr0 100 'ip4.src == 10.0.0.0/24' allow",
    "lr-policy-add lr0 200 'ip4.dst == 1.1.1.1' allow pkt_mark=5",
    "lr-policy-add lr0 200 'ip4.dst == 1.1.1.2' reroute 10.0.0.5",
    "lr-policy-add lr0 200 'ip4.dst == 1.1.1.3' reroute 10.0.0.5,10.0.0.6 "
    "pkt_mark=7 foo=bar",
    fails("lr-policy-add lr0 300 ip6 reroute 2001::1,10.0.0.1"),
    "lr-policy-add lr0 300 ip6 reroute 2001::1,2001::2",
    fails("lr-policy-add lr0 301 'ip6.dst == ::1' reroute"),
    fails("lr-policy-add lr0 302 ip reroute bad"),
    fails("lr-policy-add lr0 302 ip reroute 010.0.0.5,2001:0::1"),
    fails("lr-policy-add lr0 302 ip reroute ' 10.0.0.5'"),
    fails("lr-policy-add lr0 303 ip Allow"),
    fails("lr-policy-add lr0 304 ip foo"),
    fails("lr-policy-add lr0 32768 ip drop"),
    fails("lr-policy-add lr0 -1 ip drop"),
    fails("lr-policy-add lr0 abc ip drop"),
    fails("lr-policy-add lr0 abc ip drop 1"),
    fails("lr-policy-add nolr abc ip drop"),
    fails("lr-policy-add nolr 1 ip bad"),
    fails("lr-policy-add lr0 1 ip bad x"),
    "lr-policy-add lr0 ' 5' ip drop",
    "lr-policy-add lr0 6x ip drop",
    fails("lr-policy-add lr0 32767 ip drop pkt_mark"),
    fails("lr-policy-add lr0 7 ip drop 10.0.0.1"),
    "lr-policy-add lr0 11 ip allow =x",
    "lr-policy-add lr0 19 ip allow ==x a=b",
    fails("lr-policy-add lr0 12 ip allow x="),
    fails("lr-policy-add lr0 12 ip allow a=b x"),
    fails("lr-policy-add lr0 13 ip reroute 1.1.1.1 x"),
    "lr-policy-add lr0 8 ip allow a=b c=d",
    "lr-policy-add lr0 9 ip reroute 2001:0::1,2001:0::2",
    "lr-policy-add lr0 10 ip reroute 10.0.0.5,",
    "lr-policy-add lr0 14 ip reroute 1.1.1.1,1.1.1.1",
    "lr-policy-add lr0 15 ip allow a=1 a=2",
    "lr-policy-add lr0 16 ip allow a==b c=d=e",
    "lr-policy-add lr0 17 ip reroute 1.1.1.1 a==b c=d=e",
    "lr-policy-add lr0 18 ip allow pkt_mark=abc",
    "lr-policy-list lr0",
    rows("--columns=priority,match,action,nexthops,options list "
    "Logical_Router_Policy"),
    "lr-policy-del lr0 16",
    "lr-policy-del lr0 16",
    "--if-exists lr-policy-del lr0 16",
    "lr-policy-del lr0 200 'ip4.dst == 1.1.1.9'",
    "lr-policy-del lr0 200 'ip4.dst == 1.1.1.2'",
    fails("lr-policy-del lr0 abc"),
    fails("lr-policy-del lr0 99999"),
    fails("lr-policy-del lr0 00000000-0000-0000-0000-000000000000"),
    "--if-exists lr-policy-del lr0 00000000-0000-0000-0000-000000000000",
    "lr-policy-del lr0 00000000-0000-0000-0000-000000000000 ip",
    "lr-policy-del lr0 10 ip",
    "lr-policy-del lr0 ' 9'",
    "lr-policy-del lr0 8x",
    fails("lr-policy-del nolr"),
    fails("lr-policy-del lr0 1 2 3"),
    S("--bare --columns=_uuid find Logical_Router_Policy priority=17",
      save="p17"),
    "lr-add lr1",
    fails("lr-policy-del lr1 ${p17}"),
    "lr-policy-del lr0 ${p17}",
    "lr-policy-list lr0",
    "lr-policy-del lr0",
    "lr-policy-list lr0",
    rows("--columns=priority list Logical_Router_Policy"),
]

SESSIONS["nat-add"] = [
    "lr-add lr0",
    "lrp-add lr0 lp0 %s 172.16.0.1/24" % MAC,
    lsp("sw0", "vm1"),
    lsp("sw1", "vm2"),
    "lr-nat-list lr0",
    "lr-nat-add lr0 snat 172.16.0.10 10.0.0.0/24",
    fails("lr-nat-add lr0 snat 172.16.0.10 10.0.0.0/24"),
    fails("lr-nat-add lr0 snat 172.16.0.11 10.0.0.0/24"),
    "lr-nat-add lr0 snat 172.16.0.10 10.0.1.0/24",
    "lr-nat-add lr0 dnat 172.16.0.12 10.0.0.12",
    fails("lr-nat-add lr0 dnat 172.16.0.12 10.0.0.13"),
    fails("lr-nat-add lr0 dnat 172.16.0.13 10.0.0.0/24"),
    "lr-nat-add lr0 dnat_and_snat 172.16.0.14 10.0.0.14",
    "lr-nat-add lr0 dnat_and_snat 172.16.0.15 10.0.0.15 vm1 "
    "00:00:00:00:01:01",
    fails("lr-nat-add lr0 dnat_and_snat 172.16.0.16 10.0.0.16 vm1"),
    fails("lr-nat-add lr0 dnat_and_snat 172.16.0.16 10.0.0.16 nop "
          "00:00:00:00:01:01"),
    fails("lr-nat-add lr0 dnat_and_snat 172.16.0.16 10.0.0.16 vm1 zz"),
    fails("lr-nat-add lr0 snat 172.16.0.16 10.0.0.16 vm1 "
          "00:00:00:00:01:01"),
    fails("lr-nat-add lr0 foo 1.1.1.1 2.2.2.2"),
    fails("lr-nat-add lr0 snat 1.1.1 2.2.2.2"),
    fails("lr-nat-add lr0 snat 1.1.1.1/24 2.2.2.2"),
    fails("lr-nat-add lr0 snat ' 172.16.0.19' 10.0.0.99"),
    fails("lr-nat-add lr0 snat 1.1.1.1 2.2.2"),
    fails("lr-nat-add lr0 dnat 1.1.1.1 2.2.2.2/24"),
    fails("lr-nat-add lr0 dnat 172.16.0.20 010.0.0.1"),
    fails("lr-nat-add lr0 snat 2001::1 10.0.0.0/24"),
    fails("lr-nat-add lr0 dnat 2001::21 ' fd00::2'"),
    fails("lr-nat-add nolr snat 1.1.1.1 2.2.2.2"),
    "lr-nat-add lr0 snat 2001::1 fd00::/64",
    "lr-nat-add lr0 dnat_and_snat 2001::2 fd00::2",
    "lr-nat-add lr0 dnat 2001::0020 fd00::0001",
    fails("lr-nat-add lr0 dnat 2001::20 fd00::3"),
    "lr-nat-add lr0 snat 172.16.0.9 10.0.2.0/24",
    "lr-nat-add lr0 snat 172.16.0.100 10.0.3.0/24",
    "lr-nat-add lr0 snat 172.16.0.9 10.0.4.1/24",
    "lr-nat-add lr0 snat 172.16.0.18 ' 10.0.0.99'",
    "lr-nat-add lr0 snat 172.16.0.17 10.0.5.1/255.255.255.0",
    "lr-nat-add lr0 dnat_and_snat 172.16.0.12 10.0.0.12",
    S("lr-nat-list lr0", sort="csv"),
    "--may-exist lr-nat-add lr0 snat 172.16.0.10 10.0.0.0/24",
    fails("--may-exist lr-nat-add lr0 snat 172.16.0.13 10.0.0.0/24"),
    fails("--may-exist lr-nat-add lr0 dnat 172.16.0.12 10.0.0.99"),
    "--may-exist lr-nat-add lr0 dnat_and_snat 172.16.0.15 10.0.0.15 vm2 "
    "00:00:00:00:00:13",
    fails("--may-exist lr-nat-add lr0 dnat_and_snat 172.16.0.15 10.0.0.16 "
          "vm2 00:00:00:00:00:13"),
    rows("--columns=type,external_ip,logical_ip,logical_port,external_mac,"
    "options list NAT"),
]

SESSIONS["nat-options"] = [
    "lr-add lr0",
    "lrp-add lr0 lp0 %s 172.16.0.1/24" % MAC,
    lsp("sw0", "vm1"),
    "lr-nat-add lr0 snat 172.16.0.9 10.0.9.0/24",
    fails("--stateless lr-nat-add lr0 snat 172.16.1.1 10.1.0.0/24"),
    "--stateless lr-nat-add lr0 dnat_and_snat 172.16.1.1 10.1.0.1",
    fails("--stateless lr-nat-add lr0 dnat_and_snat 172.16.0.9 10.1.0.2"),
    "--portrange lr-nat-add lr0 snat 172.16.1.2 10.2.0.0/24 1000-2000",
    "--portrange lr-nat-add lr0 snat 172.16.1.3 10.3.0.0/24",
    fails("--portrange lr-nat-add lr0 snat 172.16.1.4 10.4.0.0/24 abc"),
    fails("--portrange lr-nat-add lr0 snat 172.16.1.4 10.4.0.0/24 "
          "2000-1000"),
    "--portrange lr-nat-add lr0 dnat_and_snat 172.16.1.4 10.4.0.4 vm1 "
    "00:00:00:00:01:04 100-200",
    fails("lr-nat-add lr0 snat 172.16.1.5 10.5.0.0/24 1000-2000"),
    "lr-nat-add lr0 dnat_and_snat 172.16.1.5 10.5.0.5 vm1 "
    "00:00:00:00:01:04 100-200",
    "--add-route lr-nat-add lr0 dnat_and_snat 172.16.1.6 10.6.0.6",
    fails("--gateway-port=lp0 lr-nat-add lr0 dnat_and_snat 172.16.1.7 "
          "10.7.0.7"),
    fails("--gateway-port=nop lr-nat-add lr0 dnat_and_snat 172.16.1.8 "
          "10.8.0.8"),
] + [
    "--portrange lr-nat-add lr0 snat 172.16.2.%d 10.1%d.0.0/24 '%s'"
    % (i, i, p) for i, p in enumerate(
        ["70000", "1-65535", " 5-6", "05-6x", "65536", "5 -6", "5- 6",
         "7 ", "1--5", "+5-+6"], 1)
] + [
    fails("--portrange lr-nat-add lr0 snat 172.16.3.%d 10.2%d.0.0/24 '%s'"
          % (i, i, p)) for i, p in enumerate(
              ["0-10", "5-", "5-5", "", "0", "-5", "x-5", "5-x",
               "1-65536", "-", "10-20-30", "0x5"], 1)
] + [
    "lr-nat-list lr0",
    rows("--columns=external_ip,external_port_range,options list NAT"),
]

SESSIONS["nat-gateway"] = [
    "lr-add lr0",
    "lrp-add lr0 lp0 %s 172.16.0.1/24" % MAC,
    "lrp-add lr0 lp1 00:00:00:00:00:02 172.17.0.1/24",
    "lr-add lr1",
    "lrp-add lr1 lp9 00:00:00:00:00:09 172.18.0.1/24",
    "lrp-set-gateway-chassis lp9 ch1",
    fails("--gateway-port=lp9 lr-nat-add lr0 snat 172.18.0.5 10.0.0.0/24"),
    "lrp-set-gateway-chassis lp0 ch1",
    "lr-nat-add lr0 snat 172.16.0.5 10.0.0.0/24",
    "--gateway-port=lp0 lr-nat-add lr0 snat 172.16.0.6 10.0.1.0/24",
    "lrp-set-gateway-chassis lp1 ch1",
    "lr-nat-add lr0 snat 172.16.0.7 10.0.2.0/24",
    "lr-nat-add lr0 snat 172.17.0.7 10.0.3.0/24",
    fails("lr-nat-add lr0 snat 172.19.0.7 10.0.4.0/24"),
    "--gateway-port=lp1 lr-nat-add lr0 snat 172.16.0.5 10.0.0.0/24",
    "lr-nat-list lr0",
    fails("lr-nat-del lr0 snat 10.0.9.0/24 lp1"),
    "--if-exists lr-nat-del lr0 snat 10.0.9.0/24 lp1",
    "lr-nat-del lr0 snat 10.0.0.0/24 lp1",
    "lr-nat-del lr0 snat lp0",
    fails("lr-nat-del lr0 snat nop"),
    "lr-nat-list lr0",
    rows("--columns=external_ip,gateway_port list NAT"),
]

SESSIONS["nat-del"] = [
    "lr-add lr0",
    "lrp-add lr0 lp0 %s 172.16.0.1/24" % MAC,
    lsp("sw0", "vm1"),
    "lr-nat-add lr0 snat 172.16.0.10 10.0.0.0/24",
    "lr-nat-add lr0 snat 172.16.0.11 10.0.1.0/24",
    "lr-nat-add lr0 dnat 172.16.0.11 10.0.0.11",
    "lr-nat-add lr0 dnat 2001::0020 fd00::1",
    "lr-nat-add lr0 dnat_and_snat 172.16.0.12 10.0.0.12 vm1 "
    "00:00:00:00:00:12",
    "lr-nat-add lr0 dnat_and_snat 172.16.0.13 10.0.0.13",
    fails("lr-nat-del lr0 foo"),
    fails("lr-nat-del lr0 snat 1.2.3"),
    "lr-nat-del lr0 snat 10.0.0.9",
    "--if-exists lr-nat-del lr0 snat 10.0.0.9",
    "lr-nat-del lr0 snat 172.16.0.10",
    "lr-nat-list lr0",
    "lr-nat-del lr0 snat 10.0.0.1/24",
    "lr-nat-list lr0",
    fails("lr-nat-del lr0 snat 10.0.1.0/24 lp0"),
    fails("lr-nat-del lr0 dnat 172.16.0.11 lp0"),
    fails("lr-nat-del lr0 snat 10.0.1.0/24 nop"),
    "lr-nat-del lr0 dnat 2001::20",
    "lr-nat-list lr0",
    "lr-nat-del lr0 dnat_and_snat",
    "lr-nat-list lr0",
    fails("lr-nat-del nolr"),
    fails("lr-nat-del lr0 snat 1.1.1.1 lp0 x"),
    "lr-nat-del lr0",
    "lr-nat-list lr0",
    rows("--columns=external_ip list NAT"),
]

# ovn-nbctl's commands do not see what earlier commands of the same batch
# added to or removed from a router's (or port's, or group's) reference
# sets, only a set emptied whole.
SESSIONS["batches"] = [
    "lr-add lr0 -- lr-route-add lr0 10.0.0.0/24 1.1.1.1 "
    "-- lr-route-add lr0 10.0.0.0/24 1.1.1.2 -- lr-route-list lr0",
    "lr-route-list lr0",
    "lr-add lrb -- lrp-add lrb pb %s 1.1.1.1/24 -- lrp-list lrb "
    "-- lrp-set-gateway-chassis pb c1 -- lrp-set-gateway-chassis pb c1 5 "
    "-- lrp-get-gateway-chassis pb" % MAC,
    "lrp-get-gateway-chassis pb",
    "lrp-list lrb",
    "lrp-del pb -- lrp-list lrb",
    "lr-route-del lr0 -- lr-route-add lr0 10.0.0.0/24 1.1.1.3 "
    "-- lr-route-list lr0",
    "lr-route-list lr0",
    "lr-policy-add lr0 1 ip drop -- lr-policy-del lr0 1 "
    "-- lr-policy-list lr0",
    "lr-policy-list lr0",
    "lr-policy-del lr0 -- lr-policy-list lr0 -- lr-policy-add lr0 2 ip "
    "drop -- lr-policy-list lr0",
    "lr-policy-list lr0",
    "lr-nat-add lr0 snat 1.1.1.1 10.0.0.0/24 -- lr-nat-add lr0 snat "
    "1.1.1.1 10.0.0.0/24 -- lr-nat-list lr0",
    "lr-nat-list lr0",
    "lr-nat-del lr0 -- lr-nat-add lr0 snat 1.1.1.2 10.0.0.0/24 "
    "-- lr-nat-list lr0",
    "lr-nat-list lr0",
    "ha-chassis-group-add g",
    "ha-chassis-group-add-chassis g c 1 -- ha-chassis-group-add-chassis g c "
    "2",
    rows("--columns=chassis_name,priority list HA_Chassis"),
]

SESSIONS["ha-chassis-group"] = [
    "ha-chassis-group-list",
    "ha-chassis-group-add g1",
    "ha-chassis-group-add g0",
    "ha-chassis-group-add g2",
    "ha-chassis-group-add-chassis g1 ch1 10",
    "ha-chassis-group-add-chassis g1 ch1 30",
    "ha-chassis-group-add-chassis g2 ch2 20",
    fails("ha-chassis-group-add-chassis g2 ch3 abc"),
    fails("ha-chassis-group-add-chassis g2 ch3 -5"),
    fails("ha-chassis-group-add-chassis g2 ch3 99999"),
    "ha-chassis-group-add-chassis g2 ch3 ' 7x'",
    "ha-chassis-group-add-chassis g2 ch3 8",
    fails("ha-chassis-group-add-chassis nog ch1 1"),
    fails("ha-chassis-group-add-chassis g1 ch1"),
    rows("--columns=chassis_name,priority list HA_Chassis"),
    fails("ha-chassis-group-remove-chassis g2 ch9"),
    fails("ha-chassis-group-remove-chassis nog ch9"),
    "ha-chassis-group-remove-chassis g2 ch2",
    # A group's chassis print in UUID order, so listings here show at most
    # one per group; groups are separated by blank lines.
    S("ha-chassis-group-list", sort="records"),
    fails("ha-chassis-group-del nog"),
    "ha-chassis-group-del g0",
    S("ha-chassis-group-list", sort="records"),
    "ha-chassis-group-add g3 -- ha-chassis-group-add-chassis g3 chx 1",
    rows("--columns=chassis_name,priority list HA_Chassis"),
    "ha-chassis-group-del g1",
    rows("--columns=name list HA_Chassis_Group"),
    rows("--columns=chassis_name list HA_Chassis"),
]


@pytest.mark.parametrize("kind", ["ovs", TARGET])
@pytest.mark.parametrize("name", list(SESSIONS))
def test_nbctl_router(kind, name):
    assert os.access(KILN_NBCTL, os.X_OK), KILN_NBCTL
    compare_tools(kind, "nb", "OVN_Northbound", REF, KILN, SESSIONS[name],
                  setup=insert_singleton("NB_Global", "OVN_Northbound"))

