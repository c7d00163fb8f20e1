"""kiln-nbctl's ACL family against ovn-nbctl --no-wait.

ACLs, QoS rules, port groups, meters, CoPP policies and mirrors
(tools/nbctl-acl.c).  Each session runs once with ovn-nbctl against a
fresh Debian ovsdb-server and once with kiln-nbctl against a fresh server
of each kind (ovsdb-server, and the compat target), on the OVN_Northbound
schema with an empty NB_Global row.  Transcripts (stdout, the first line of
stderr with the program name replaced, exit status) and final dumps must
agree once canonicalized as in compat.py.

Switches, ports and routers are made with the generic commands, so that
these sessions depend on no other command family.
"""

import os
import shutil

import pytest

import kilntest
from compat import (Step, TARGET, compare_tools, ctl_tool, fails,
                    insert_singleton)

KILN_NBCTL = os.path.join(kilntest.BUILD, "tools", "kiln-nbctl")
S = Step


REF = ctl_tool("ovn-nbctl", "--no-wait")
KILN = ctl_tool(KILN_NBCTL, "--no-wait")


def switch(name):
    return "create Logical_Switch name=%s" % name


def port(sw, name):
    return ("--id=@p create Logical_Switch_Port name=%s "
            "-- add Logical_Switch %s ports @p" % (name, sw))


SESSIONS = {}

SESSIONS["acl-add"] = [
    switch("sw0"),
    "acl-add sw0 from-lport 1000 'ip4.src == 10.0.0.1' drop",
    "acl-add sw0 to-lport 1001 'tcp.dst == 80' allow-related",
    "--log --severity=alert --name=web --label=1234 acl-add sw0 to-lport "
    "1002 'tcp.dst == 443' allow",
    "--log acl-add sw0 from-lport 0 arp allow-stateless",
    "--severity=info acl-add sw0 to-lport 32767 ip6 reject",
    "--name=only-name acl-add sw0 to-lport 5 udp allow",
    "--meter=m1 acl-add sw0 to-lport 6 udp allow",
    "--meter=m1 --severity=debug acl-add sw0 to-lport 7 udp allow",
    "--name= acl-add sw0 to-lport 8 udp allow",
    "--label=4294967295 acl-add sw0 to-lport 9 udp allow-related",
    "--label=0 acl-add sw0 to-lport 10 udp allow",
    "--apply-after-lb acl-add sw0 from-lport 1000 'ip4.src == 10.0.0.1' "
    "drop",
    "--apply-after-lb --log --label=3 acl-add sw0 from-lport 50 ip allow",
    "--apply-after-lb acl-add sw0 to-lport 51 ip allow",
    # Directions by first letter, lax numbers.
    "acl-add sw0 t 11 ip drop",
    "acl-add sw0 fromage 12 ip drop",
    "acl-add sw0 to-lport 13x ip drop",
    "acl-add sw0 to-lport ' +014' ip drop",
    "--label=' 7x' acl-add sw0 to-lport 15 ip allow",
    "acl-list sw0",
    fails("acl-add sw0 to-lport 1001 'tcp.dst == 80' allow-related"),
    fails("acl-add sw0 to-lport 1001 'tcp.dst == 80' drop"),
    fails("--apply-after-lb acl-add sw0 to-lport 1001 'tcp.dst == 80' "
          "drop"),
    fails("--apply-after-lb acl-add sw0 from-lport 1000 "
          "'ip4.src == 10.0.0.1' drop"),
    "--may-exist acl-add sw0 to-lport 1001 'tcp.dst == 80' allow-related",
    "--may-exist --log acl-add sw0 to-lport 1001 'tcp.dst == 80' drop",
    fails("acl-add sw0 sideways 1 ip drop"),
    fails("acl-add sw0 '' 1 ip drop"),
    fails("acl-add sw0 TO-lport 1 ip drop"),
    fails("acl-add sw0 to-lport 32768 ip drop"),
    fails("acl-add sw0 to-lport 4294967297 ip drop"),
    fails("acl-add sw0 to-lport 99999999999999999999 ip drop"),
    fails("acl-add sw0 to-lport abc ip drop"),
    fails("acl-add sw0 to-lport '' ip drop"),
    fails("acl-add sw0 to-lport ' ' ip drop"),
    fails("acl-add sw0 to-lport 10 ip explode"),
    fails("acl-add sw0 to-lport 10 ip DROP"),
    fails("acl-add sw0 to-lport 10 ip pass"),
    fails("acl-add nosuch to-lport 10 ip drop"),
    fails("--severity=loud acl-add sw0 to-lport 10 ip drop"),
    fails("--severity=ALERT acl-add sw0 to-lport 10 ip drop"),
    fails("--severity= acl-add sw0 to-lport 10 ip drop"),
    fails("--label=5 acl-add sw0 to-lport 10 ip drop"),
    fails("--label=5 acl-add sw0 to-lport 10 ip allow-stateless"),
    fails("--label=4294967296 acl-add sw0 to-lport 10 ip allow"),
    fails("--label=abc acl-add sw0 to-lport 10 ip allow"),
    fails("--label= acl-add sw0 to-lport 10 ip allow"),
    # Which error wins when several arguments are wrong.
    fails("acl-add nosuch x 99999 ip explode"),
    fails("acl-add sw0 x 99999 ip explode"),
    fails("acl-add sw0 to 99999 ip explode"),
    fails("--severity=bad acl-add sw0 to 1 ip explode"),
    fails("--severity=bad --label=bad acl-add sw0 to 1 ip drop"),
    fails("--label=bad acl-add sw0 to 1 ip drop"),
    fails("--label=bad --severity=bad acl-add sw0 to 1 ip allow"),
    fails("--severity=bad acl-add sw0 to-lport 1001 'tcp.dst == 80' drop"),
    fails("--type=foo acl-add nosuch x 1 ip drop"),
    fails("--if-exists acl-add sw0 to-lport 1 ip drop"),
    fails("acl-add sw0 to-lport 1 ip"),
    "acl-list sw0",
    S("--columns=priority,direction,match,action,log,name,severity,meter,"
      "label,options list ACL", sort="records"),
]

SESSIONS["acl-del"] = [
    switch("sw0"),
    "acl-add sw0 from-lport 10 a drop",
    "--apply-after-lb acl-add sw0 from-lport 11 a drop",
    "acl-add sw0 from-lport 12 a drop",
    "acl-add sw0 to-lport 10 a drop",
    "acl-add sw0 to-lport 10 b drop",
    "acl-add sw0 to-lport 11 a drop",
    fails("acl-del sw0 to-lport 10"),
    fails("acl-del sw0 to-lport 99999"),
    fails("acl-del sw0 to-lport abc a"),
    fails("acl-del sw0 x 10 a"),
    fails("acl-del sw0 x"),
    fails("acl-del nosuch"),
    fails("acl-del nosuch x"),
    fails("acl-del"),
    fails("acl-del sw0 a b c d e"),
    fails("--may-exist acl-del sw0"),
    fails("--if-exists acl-del sw0"),
    "acl-del sw0 to-lport 11 b",
    "acl-del sw0 to-lport 99 a",
    "acl-list sw0",
    "acl-del sw0 t 10 a",
    "acl-list sw0",
    "acl-del sw0 from-lport 11 a",
    "acl-list sw0",
    "acl-del sw0 to",
    "acl-list sw0",
    "acl-del sw0 to",
    "acl-add sw0 to-lport 1 c drop -- acl-del sw0 from -- acl-list sw0",
    "acl-del sw0",
    "acl-list sw0",
    "acl-del sw0",
    "acl-add sw0 to-lport 2 c drop -- acl-add sw0 to-lport 3 c drop "
    "-- acl-del sw0 to-lport 2 c -- acl-list sw0",
    S("--columns=priority,direction,match list ACL", sort="records"),
]

SESSIONS["acl-port-groups"] = [
    switch("sw0"),
    port("sw0", "lp1"),
    port("sw0", "lp2"),
    "pg-add pg1 lp1",
    "pg-add pg2",
    "--type=port-group acl-add pg1 to-lport 500 'outport == @pg1 && ip4' "
    "allow-related",
    "--type=port-group acl-add pg1 from-lport 501 'inport == @pg1' drop",
    "acl-add pg2 to-lport 100 'outport == @pg2' drop",
    fails("acl-add pg2 to-lport 100 'outport == @pg2' drop"),
    fails("--type=switch acl-add pg2 to-lport 101 ip drop"),
    fails("--type=port-group acl-add sw0 to-lport 101 ip drop"),
    "acl-list pg1",
    "acl-list pg2",
    "--type=port-group acl-list pg2",
    fails("--type=switch acl-list pg2"),
    fails("--type=port-group acl-list sw0"),
    fails("--type= acl-list pg1"),
    fails("--type=foo acl-list pg1"),
    fails("acl-list nosuch"),
    fails("--type=switch acl-list nosuch"),
    fails("--type=port-group acl-list nosuch"),
    fails("acl-list 12345678-1234-1234-1234-123456789012"),
    fails("--type=switch acl-list 12345678-1234-1234-1234-123456789012"),
    fails("--type=port-group acl-list "
          "12345678-1234-1234-1234-123456789012"),
    S("get Port_Group pg1 _uuid", save="pg1"),
    S("get Logical_Switch sw0 _uuid", save="sw0"),
    "acl-list ${pg1}",
    "acl-list ${sw0}",
    fails("--type=switch acl-list ${pg1}"),
    fails("--type=port-group acl-list ${sw0}"),
    "acl-add ${sw0} to-lport 7 ip drop",
    fails("acl-add ${sw0} to-lport 7 ip drop"),
    "acl-list sw0",
    # A switch and a port group with the same name.
    switch("pg1"),
    fails("acl-list pg1"),
    fails("acl-add pg1 to-lport 1 ip drop"),
    "--type=switch acl-list pg1",
    "--type=port-group acl-list pg1",
    "--type=switch acl-add pg1 to-lport 1 ip drop",
    "--type=switch acl-list pg1",
    "--type=port-group acl-del pg1 to-lport",
    "acl-list ${pg1}",
    # Two switches with one name.
    switch("pg2"),
    fails("acl-list pg2"),
    "--type=switch acl-del pg2",
    "--type=port-group acl-del pg2",
    "--type=port-group acl-list pg2",
    switch("dup"),
    switch("dup"),
    fails("acl-list dup"),
    fails("--type=switch acl-del dup"),
    fails("--type=port-group acl-del dup"),
    fails("acl-add dup to-lport 1 ip drop"),
    S("--columns=name,ports,acls list Port_Group", sort="records"),
]

SESSIONS["qos"] = [
    switch("q0"),
    switch("q1"),
    "qos-list q0",
    "qos-add q0 to-lport 10 ip dscp=10",
    fails("qos-add q0 to-lport 10 ip dscp=11"),
    "qos-add q0 to-lport 10 ip2 dscp=11",
    "--may-exist qos-add q0 to-lport 10 ip dscp=12",
    "qos-add q0 from-lport 11 ip rate=100",
    "qos-add q0 from-lport 12 ip rate=100 burst=200",
    "qos-add q0 from-lport 14 ip rate=100 burst=200 dscp=5",
    "qos-add q0 from-lport 15 ip dscp=5 burst=2 rate=7",
    "qos-add q0 from-lport 16 ip dscp=5x",
    "qos-add q0 from-lport 17 ip dscp=1 dscp=2",
    "qos-add q0 from-lport 18 ip rate=5 rate=6",
    "qos-add q0 from-lport 19 ip dscp=0 burst=4294967295",
    "qos-add q0 from-lport 19 ip2 dscp=0 burst=1 rate=1",
    "qos-add q0 from-lport 20 ip rate=4294967295 dscp=63",
    "qos-add q0 t 21 ip dscp=010",
    "qos-add q0 f 22 ip 'dscp= 7'",
    "qos-add q0 to-lport 22 ip rate=+5",
    "qos-list q0",
    fails("qos-add q0 from-lport 30 ip burst=200"),
    fails("qos-add q0 from-lport 30 ip dscp=64"),
    fails("qos-add q0 from-lport 30 ip dscp=x"),
    fails("qos-add q0 from-lport 30 ip dscp="),
    fails("qos-add q0 from-lport 30 ip rate=0"),
    fails("qos-add q0 from-lport 30 ip rate=4294967296"),
    fails("qos-add q0 from-lport 30 ip rate=1 burst=0"),
    fails("qos-add q0 from-lport 30 ip rate=1 burst=4294967296"),
    fails("qos-add q0 from-lport 30 ip foo=1"),
    fails("qos-add q0 from-lport 30 ip rate"),
    fails("qos-add q0 from-lport 30 ip DSCP=1"),
    fails("qos-add q0 from-lport 30 ip dscp=99 foo"),
    fails("qos-add q0 from-lport 30 ip foo dscp=99"),
    fails("qos-add q0 from-lport 30 ip dscp=1 dscp="),
    fails("qos-add q0 from-lport 30 ip dscp=1 a b c"),
    fails("qos-add q0 from-lport 30 ip"),
    fails("qos-add q0 x 30 ip dscp=1"),
    fails("qos-add q0 to 99999 ip dscp=1"),
    fails("qos-add nosuch x 1 ip dscp=1"),
    fails("qos-add nosuch to 99999 ip dscp=1"),
    fails("qos-add nosuch to 1 ip foo"),
    fails("qos-add q0 from-lport 16 ip burst=5"),
    fails("qos-add q0 from-lport 16 ip dscp=99"),
    fails("--if-exists qos-add q0 from-lport 30 ip dscp=1"),
    fails("qos-list nosuch"),
    fails("qos-list"),
    "qos-add q1 to 5 ip dscp=1",
    S("--bare --columns=_uuid find QoS priority=5", save="q5"),
    S("--bare --columns=_uuid find QoS priority=22 direction=from-lport",
      save="q22"),
    fails("qos-del q0 ${q5}"),
    fails("qos-del q0 ${q5} 5"),
    fails("qos-del q0 ${q5} 5 ip"),
    fails("qos-del q0 12345678-1234-1234-1234-123456789012"),
    fails("qos-del q0 12345678"),
    fails("qos-del q0 to-lport 10"),
    fails("qos-del q0 to-lport 99999 ip"),
    fails("qos-del q0 x"),
    fails("qos-del nosuch"),
    fails("qos-del nosuch x"),
    fails("qos-del"),
    fails("--may-exist qos-del q0"),
    "qos-del q1 ${q5}",
    "qos-list q1",
    "qos-del q0 ${q22}",
    "qos-del q0 to-lport 10 ip3",
    "qos-del q0 to-lport 10 ip2",
    "qos-list q0",
    "qos-del q0 from",
    "qos-list q0",
    "qos-del q0",
    "qos-list q0",
    "qos-add q0 to 1 a dscp=1 -- qos-add q0 to 2 b rate=3 "
    "-- qos-del q0 to 1 a -- qos-list q0",
    S("--columns=priority,direction,match,action,bandwidth list QoS",
      sort="records"),
]

SESSIONS["port-groups"] = [
    switch("sw0"),
    port("sw0", "lp1"),
    port("sw0", "lp2"),
    "pg-add g1",
    "pg-add g2 lp1 lp2",
    fails("pg-add g3 lp1 nosuch"),
    "pg-add g3 lp1 lp1",
    "pg-set-ports g1 lp2",
    fails("pg-set-ports g1"),
    fails("pg-set-ports nosuch lp1"),
    fails("pg-set-ports g1 nosuch"),
    "pg-set-ports g2 lp1",
    "pg-set-ports g3 lp2 lp1 lp2",
    S("get Port_Group g3 _uuid", save="g3"),
    "pg-set-ports ${g3} lp1",
    fails("pg-set-ports 12345678-1234-1234-1234-123456789012 lp1"),
    fails("--may-exist pg-add g4"),
    fails("--if-exists pg-del nosuch"),
    fails("pg-add"),
    fails("pg-del"),
    fails("pg-del g1 g2"),
    fails("pg-del nosuch"),
    S("--columns=name,ports list Port_Group", sort="records"),
    "pg-del g3",
    fails("pg-del ${g3}"),
    "pg-add g5 -- pg-set-ports g5 lp2 -- acl-add g5 to-lport 1 ip drop",
    "acl-list g5",
    "pg-del g5",
    "pg-add g6 lp1 -- pg-del g6",
    S("--columns=name,ports,acls list Port_Group", sort="records"),
]

SESSIONS["meters"] = [
    "meter-list",
    "meter-add m1 drop 100 kbps",
    fails("meter-add m1 drop 100 kbps"),
    "--may-exist meter-add m1 drop 5 pktps",
    "meter-list",
    "--fair --may-exist meter-add m1 drop 6 pktps 2",
    "--may-exist meter-add m1 drop 7 kbps",
    fails("--may-exist meter-add m1 drop 0 kbps"),
    fails("--may-exist meter-add m1 bad 1 kbps"),
    "meter-add m9 drop 1 kbps -- --may-exist meter-add m9 drop 2 kbps 3 "
    "-- meter-list -- meter-del m9",
    "meter-add m2 drop 10 pktps 20",
    "--fair meter-add m3 drop 5 kbps 0",
    fails("meter-add __x drop 1 kbps"),
    "meter-add _x drop 1 kbps",
    "meter-add M drop 2 pktps",
    fails("meter-add m4 reject 1 kbps"),
    fails("meter-add m4 drop 0 kbps"),
    fails("meter-add m4 drop 4294967296 kbps"),
    "meter-add m4 drop 4294967295 kbps 4294967295",
    fails("meter-add m5 drop 1 kbps 4294967296"),
    fails("meter-add m5 drop 1 mbps"),
    fails("meter-add m5 drop 1 KBPS"),
    "meter-add m5 drop 1x kbps 1y",
    fails("meter-add m6 drop abc kbps"),
    fails("meter-add m6 drop 1 kbps abc"),
    fails("meter-add m1 bad 0 x"),
    fails("meter-add __m bad 0 x"),
    fails("meter-add m7 bad 0 x"),
    fails("meter-add m7 drop 0 x"),
    fails("meter-add m7 drop 1 x"),
    fails("meter-add m7 drop 1"),
    fails("--if-exists meter-add m7 drop 1 kbps"),
    "meter-list",
    # Meters of several bands, made with the generic commands (whose
    # order follows their UUIDs: equal here).
    "--id=@b1 create Meter_Band action=drop rate=5 burst_size=3 "
    "-- --id=@b2 create Meter_Band action=drop rate=5 burst_size=3 "
    "-- create Meter name=multi unit=pktps bands=@b1,@b2 fair=false",
    "--id=@b1 create Meter_Band action=drop rate=5 burst_size=3 "
    "-- --id=@b2 create Meter_Band action=drop rate=5 burst_size=3 "
    "-- create Meter name=multi2 unit=pktps bands=@b1,@b2",
    "meter-list",
    "--may-exist meter-add multi2 drop 9 kbps",
    "meter-list",
    "meter-del nosuch",
    fails("--if-exists meter-del nosuch"),
    fails("meter-del m1 m2"),
    fails("meter-list x"),
    "meter-del m1",
    "meter-del multi",
    "meter-list",
    S("get Meter m2 _uuid", save="m2"),
    "meter-del ${m2}",
    "meter-add m8 drop 3 kbps -- meter-list -- meter-del m8 -- meter-list",
    S("--columns=name,unit,fair list Meter", sort="records"),
    S("--columns=action,rate,burst_size list Meter_Band", sort="records"),
    "meter-del",
    "meter-list",
]

SESSIONS["copp"] = [
    switch("c0"),
    "create Logical_Router name=r0",
    "meter-add cm drop 1 kbps",
    "copp-list c1",
    "copp-add c1 arp cm",
    "copp-add c1 arp nosuch",
    "copp-add c1 bfd cm",
    "copp-add c1 arp-resolve cm",
    "copp-add c1 event-elb cm",
    "copp-add c1 arp cm",
    "copp-list c1",
    fails("copp-add c1 foo cm"),
    fails("copp-add c1 ARP cm"),
    fails("copp-add c1"),
    fails("copp-add c1 arp cm x"),
    "copp-add c2 dhcpv4-opts cm -- copp-add c2 dhcpv6-opts m2 "
    "-- copp-add c2 dns m3 -- copp-add c2 icmp4-error m4 "
    "-- copp-add c2 icmp6-error m5 -- copp-add c2 igmp m6 "
    "-- copp-add c2 nd-na m7 -- copp-add c2 nd-ns m8 "
    "-- copp-add c2 nd-ns-resolve m9 -- copp-add c2 nd-ra-opts m10 "
    "-- copp-add c2 tcp-reset m11 -- copp-add c2 reject m12 "
    "-- copp-add c2 svc-monitor m13 -- copp-list c2",
    "copp-list c2",
    "copp-add c2 arp m14 -- copp-add c2 bfd m15 -- copp-add c2 event-elb m "
    "-- copp-add c2 arp-resolve m",
    "copp-list c2",
    "copp-del c1 bfd",
    "copp-del c1 bfd",
    "copp-list c1",
    fails("copp-del c1 foo"),
    fails("copp-del nosuch foo"),
    "copp-del nosuch",
    "copp-del nosuch arp",
    "copp-list nosuch",
    fails("copp-del"),
    fails("copp-list"),
    "ls-copp-add c1 c0",
    "lr-copp-add c2 r0",
    fails("ls-copp-add nosuch c0"),
    fails("ls-copp-add c1 nosuch"),
    fails("ls-copp-add nosuch nosuch"),
    fails("lr-copp-add nosuch r0"),
    fails("lr-copp-add c1 nosuch"),
    fails("ls-copp-add 12345678-1234-1234-1234-123456789012 c0"),
    fails("ls-copp-del c0"),
    fails("lr-copp-del r0"),
    fails("--may-exist copp-add c1 arp cm"),
    "--columns=copp list Logical_Switch c0",
    S("--bare --columns=_uuid find Copp name=c1", save="c1"),
    "copp-list ${c1}",
    "copp-add ${c1} dns x",
    "copp-list c1",
    "create Logical_Router name=r1",
    "lr-copp-add ${c1} r1",
    # A policy loses its row with its last protocol.
    "copp-add c3 arp m -- copp-add c3 dns m",
    "copp-del c3 arp",
    "copp-del c3 nd-ns",
    "copp-list c3",
    "copp-del c3 dns",
    "copp-list c3",
    "create Copp name=empty",
    "copp-del empty arp",
    "copp-add c4 igmp m -- copp-del c4 -- copp-list c4",
    "copp-add c5 reject m -- copp-add c5 svc-monitor m2 -- copp-list c5",
    "copp-del ${c1}",
    "--columns=copp list Logical_Router r0",
    "--columns=copp list Logical_Router r1",
    "--columns=copp list Logical_Switch c0",
    S("--columns=name,meters list Copp", sort="records"),
]

SESSIONS["mirrors"] = [
    "mirror-list",
    "mirror-add m1 gre 5 to-lport 10.0.0.1",
    fails("mirror-add m1 gre 5 to-lport 10.0.0.1"),
    fails("mirror-add m1 vxlan x both foo"),
    fails("--may-exist mirror-add m1 gre 5 to-lport 10.0.0.1"),
    "mirror-add m2 erspan 7 from-lport fe80::1",
    "--may-exist mirror-add m3 gre 0 t ::",
    fails("mirror-add m4 vxlan 7 from-lport 1.1.1.1"),
    fails("mirror-add m4 GRE 7 from-lport 1.1.1.1"),
    fails("mirror-add m4 gre x from-lport 1.1.1.1"),
    fails("mirror-add m4 gre 5x from-lport 1.1.1.1"),
    fails("mirror-add m4 gre '' from-lport 1.1.1.1"),
    fails("mirror-add m4 gre '5 ' from-lport 1.1.1.1"),
    fails("mirror-add m4 gre 0x10 from-lport 1.1.1.1"),
    fails("mirror-add m4 gre 99999999999999999999 from-lport 1.1.1.1"),
    fails("mirror-add m4 gre 1 both 1.1.1.1"),
    fails("mirror-add m4 gre 1 '' 1.1.1.1"),
    fails("mirror-add m4 gre 1 to-lport 1.1.1"),
    fails("mirror-add m4 gre 1 to-lport foo"),
    fails("mirror-add m4 gre 1 to-lport 10.0.0.0/24"),
    fails("mirror-add m4 gre 1 to-lport 1.1.1.256"),
    fails("mirror-add m4 gre 1 to-lport 001.1.1.1"),
    fails("mirror-add m4 gre 1 to-lport ' 1.1.1.1'"),
    fails("mirror-add m4 gre 1 to-lport fe80::1/64"),
    fails("mirror-add m4 gre 1 to-lport '[fe80::1]'"),
    fails("mirror-add m4 gre 1 to-lport ''"),
    fails("mirror-add m4 vxlan x both foo"),
    fails("mirror-add m4 gre x both foo"),
    fails("mirror-add m4 gre 1 both foo"),
    fails("mirror-add m4 gre 1 to-lport"),
    "mirror-add m4 gre ' +4294967296' fromx ::ffff:1.2.3.4",
    "mirror-add m5 erspan -0 f FE80::A",
    "mirror-add m6 gre 99999999999 tx 192.168.0.1",
    "mirror-list",
    switch("sw0"),
    port("sw0", "lp1"),
    S("--bare --columns=_uuid find Mirror name=m2", save="m2"),
    "add Logical_Switch_Port lp1 mirror_rules ${m2}",
    "mirror-del nosuch",
    "mirror-del ${m2}",
    fails("mirror-del m1 m2"),
    fails("--if-exists mirror-del m1"),
    fails("mirror-list x"),
    "mirror-del m2",
    "--columns=mirror_rules list Logical_Switch_Port lp1",
    "mirror-del m1",
    "mirror-list",
    "mirror-add m7 gre 1 to 1.1.1.1 -- mirror-list -- mirror-del m7 "
    "-- mirror-list",
    "mirror-del",
    "mirror-list",
]

SESSIONS["batches"] = [
    switch("sw0"),
    port("sw0", "lp1"),
    "pg-add pg1 lp1 -- acl-add pg1 to-lport 1 ip drop "
    "-- qos-add sw0 to-lport 1 ip dscp=1 -- meter-add m drop 1 kbps "
    "-- --meter=m acl-add sw0 to-lport 2 ip drop -- copp-add c arp m "
    "-- ls-copp-add c sw0 -- mirror-add mi gre 1 to 1.1.1.1 "
    "-- acl-list pg1 -- acl-list sw0 -- qos-list sw0 -- meter-list "
    "-- copp-list c -- mirror-list",
    # ovn-nbctl's commands do not see the ACLs and QoS rules that earlier
    # commands of their batch added to (or removed from) a switch or port
    # group, only a column emptied by "acl-del SWITCH" or "qos-del SWITCH".
    "acl-add sw0 to-lport 3 ip drop -- acl-add sw0 to-lport 3 ip drop "
    "-- acl-list sw0",
    "acl-list sw0",
    "acl-add sw0 to-lport 4 ip drop -- acl-del sw0 to-lport 4 ip "
    "-- acl-del sw0 to-lport 2 ip -- acl-list sw0",
    "acl-list sw0",
    "acl-add sw0 to-lport 5 ip drop -- acl-del sw0 -- acl-list sw0",
    "acl-list sw0",
    "acl-del sw0 -- acl-add sw0 to-lport 6 ip drop "
    "-- acl-add sw0 to-lport 6 ip drop -- acl-list sw0",
    "acl-list sw0",
    "acl-del sw0 -- acl-del sw0 -- acl-add sw0 from-lport 7 ip drop "
    "-- acl-del sw0 from",
    "acl-list sw0",
    "qos-add sw0 to-lport 3 ip dscp=1 -- qos-del sw0 to-lport 3 ip "
    "-- qos-list sw0",
    "qos-list sw0",
    "qos-add sw0 to-lport 4 ip dscp=1 -- qos-del sw0 -- qos-list sw0 "
    "-- qos-add sw0 to-lport 4 ip2 dscp=2",
    "qos-list sw0",
    "pg-add pg2 -- acl-add pg2 to-lport 1 ip drop -- acl-list pg2 "
    "-- acl-add pg2 to-lport 1 ip drop",
    "acl-list pg2",
    fails("qos-add sw0 to-lport 3 ip dscp=1 -- qos-add nosuch to-lport 3 "
          "ip dscp=1"),
    fails("meter-add m2 drop 1 kbps -- meter-add m2 drop 1 kbps"),
    fails("mirror-add x gre 1 to 1.1.1.1 -- mirror-add x gre 1 to "
          "1.1.1.1"),
    "acl-list sw0",
    "--oneline acl-list sw0 -- qos-list sw0 -- meter-list",
    "acl-del pg1 -- acl-del sw0 -- qos-del sw0 -- meter-del -- copp-del c "
    "-- mirror-del -- pg-del pg1 -- pg-del pg2",
    "acl-list sw0",
    "--columns=acls,qos_rules,copp list Logical_Switch",
    "list Port_Group",
    "list Meter",
    "list Copp",
    "list Mirror",
]


@pytest.mark.parametrize("kind", ["ovs", TARGET])
@pytest.mark.parametrize("name", list(SESSIONS))
def test_nbctl_acl(kind, name):
    assert os.access(KILN_NBCTL, os.X_OK), KILN_NBCTL
    compare_tools(kind, "nb", "OVN_Northbound", REF, KILN, SESSIONS[name],
                  setup=insert_singleton("NB_Global", "OVN_Northbound"))


def test_copp_list_order_is_not_sorted():
    """copp-list prints in ovn-nbctl's hash order, which for these four
    protocols is not the sorted order: a check that the emulation is in
    use (the sessions compare it with the reference)."""
    d = kilntest.short_dir("nbacl")
    server = kilntest.DbServer(TARGET, d,
                               [kilntest.SCHEMAS["nb"]], name="t")
    try:
        server.start()
        argv = [KILN_NBCTL, "--db=" + server.remote, "--no-wait",
                "--timeout=20"]
        kilntest.run(argv + ["copp-add", "c", "arp", "m", "--", "copp-add",
                             "c", "arp-resolve", "m", "--", "copp-add", "c",
                             "bfd", "m", "--", "copp-add", "c", "event-elb",
                             "m"])
        out = kilntest.run(argv + ["copp-list", "c"])
        assert out == ("event-elb: m\narp: m\narp-resolve: m\nbfd: m\n")
    finally:
        server.stop()
        server.cleanup()
        shutil.rmtree(d, ignore_errors=True)
