"""kiln-nbctl's switch family against ovn-nbctl --no-wait.

Logical switches, switch ports, forwarding groups and static MAC bindings
(tools/nbctl-switch.c).  Each session runs once with ovn-nbctl against a
fresh Debian ovsdb-server and once with kiln-nbctl against a fresh server
of each kind (ovsdb-server, and the compat target), on the OVN_Northbound
schema with an empty NB_Global row.  Transcripts (stdout, the first line of
stderr with the program name replaced, exit status) and final dumps must
agree once canonicalized as in compat.py.

Mirrors, DHCP options and router ports are made with the generic commands,
so that these sessions depend on no other command family.
"""

import os
import subprocess

import pytest

import kilntest
from compat import (Step, TARGET, compare_tools, ctl_tool, fails,
                    insert_singleton)

KILN_NBCTL = os.path.join(kilntest.BUILD, "tools", "kiln-nbctl")
S = Step


REF = ctl_tool("ovn-nbctl", "--no-wait")
KILN = ctl_tool(KILN_NBCTL, "--no-wait")

INVALID = ("Invalid address format. See ovn-nb(5). Hint: An Ethernet "
           "address must be listed before an IP address, together as a "
           "single argument.")

SESSIONS = {}

SESSIONS["switches"] = [
    "ls-list",
    "ls-add sw0",
    "ls-add sw1",
    fails("ls-add sw0"),
    "--may-exist ls-add sw0",
    "ls-list",
    fails("--may-exist --add-duplicate ls-add sw2"),
    fails("--may-exist --add-duplicate ls-add"),
    fails("--may-exist ls-add"),
    fails("--add-duplicate ls-add"),
    fails("ls-add a b"),
    fails("ls-list x"),
    fails("ls-del"),
    fails("ls-del nosuch"),
    "--if-exists ls-del nosuch",
    fails("ls-del 0d5b7ec8-0000-0000-0000-000000000000"),
    "ls-del sw1",
    fails("ls-del sw1"),
    "ls-add sw2 -- ls-add sw3 -- ls-del sw2 -- ls-list",
    "ls-list",
    fails("ls-add sw3 -- ls-add sw4"),
    fails("ls-add sw5 -- ls-add sw5"),
    "ls-list",
    "--add-duplicate ls-add sw3",
    "--may-exist ls-add sw3",
    S("ls-list", sort="lines"),
    fails("ls-del sw3"),
    fails("lsp-add sw3 p1"),
    "ls-add",
    "ls-add -- ls-add",
    S("ls-list", sort="lines"),
    "ls-add sw6 -- ls-list -- ls-del sw6 -- ls-list",
    S("--bare --columns=name find Logical_Switch name=sw3", sort="lines"),
    S("--bare --columns=name list Logical_Switch", sort="lines"),
]

SESSIONS["ports"] = [
    "ls-add sw0",
    "ls-add sw1",
    "lsp-list sw0",
    "lsp-add sw0 p1",
    "lsp-add sw0 p2",
    fails("lsp-add sw0 p1"),
    fails("lsp-add sw1 p1"),
    "--may-exist lsp-add sw0 p1",
    fails("--may-exist lsp-add sw1 p1"),
    fails("lsp-add nosuch p9"),
    fails("lsp-add nosuch c2 p1 5000"),
    fails("lsp-add nosuch c2 p1"),
    fails("lsp-add sw0 c2 p1"),
    fails("lsp-add sw0 c2 p1 5000"),
    fails("lsp-add sw0 c2 p1 -1"),
    fails("lsp-add sw0 c2 p1 abc"),
    fails("lsp-add sw0 c2 p1 ''"),
    fails("lsp-add sw0 c2 p1 99999999999999999999"),
    fails("lsp-add sw0 c2 p1 5 extra"),
    fails("lsp-add sw0"),
    "lsp-add sw0 c1 p1 42",
    "lsp-add sw0 t1 p1 042",
    "lsp-add sw0 t2 p1 +5",
    "lsp-add sw0 t3 p1 0x10",
    "lsp-add sw0 t4 p1 ' 5'",
    "lsp-add sw0 t5 p1 4095",
    "lsp-add sw0 t6 p1 '7 '",
    "lsp-add sw0 t7 p1 1e2",
    "lsp-add sw0 t8 nosuchparent 0",
    "--columns=name,parent_name,tag_request list Logical_Switch_Port t3",
    "--may-exist lsp-add sw0 c1 p1 42",
    fails("--may-exist lsp-add sw0 c1 p1 43"),
    fails("--may-exist lsp-add sw0 c1 p2 42"),
    fails("--may-exist lsp-add sw0 c1"),
    fails("--may-exist lsp-add sw0 p1 c1 4"),
    fails("--may-exist lsp-add sw0 p1 x 5000"),
    fails("--may-exist lsp-add sw1 c1 p1 42"),
    "lsp-list sw0",
    "lsp-list sw1",
    fails("lsp-list nosuch"),
    fails("lsp-list"),
    "lsp-get-parent c1",
    "lsp-get-parent p1",
    fails("lsp-get-parent nosuch"),
    "lsp-get-tag c1",
    "lsp-get-tag p1",
    "set Logical_Switch_Port c1 tag=7",
    "lsp-get-tag c1",
    fails("lsp-get-tag nosuch"),
    "lsp-get-ls c1",
    "lsp-get-ls p2",
    fails("lsp-get-ls nosuch"),
    fails("lsp-get-ls 0d5b7ec8-0000-0000-0000-000000000000"),
    "lsp-del t7",
    fails("lsp-del t7"),
    "--if-exists lsp-del t7",
    fails("lsp-del 0d5b7ec8-0000-0000-0000-000000000000"),
    "lsp-del t1 -- lsp-del t2 -- lsp-list sw0",
    "lsp-list sw0",
    "ls-del sw1 -- lsp-add sw0 q1 -- lsp-list sw0",
    "lsp-list sw0",
    "ls-add sw2 -- lsp-add sw2 x -- lsp-list sw2 -- lsp-get-ls x",
    "lsp-list sw2",
    "lsp-add sw0 a -- lsp-list sw0 -- lsp-get-ls a -- lsp-del a",
    "lsp-list sw0",
    fails("lsp-add sw0 d -- lsp-add sw0 d"),
    fails("lsp-add sw0 e -- lsp-add sw2 e"),
    fails("--may-exist lsp-add sw0 e -- --may-exist lsp-add sw2 e"),
    "lsp-add sw0 f -- --may-exist lsp-add sw0 f -- lsp-get-ls f",
    "lsp-add sw0 '' -- lsp-list sw0",
    S("--bare --columns=name list Logical_Switch_Port", sort="lines"),
]

SESSIONS["addresses"] = [
    "ls-add sw0",
    "ls-add sw1",
    "lsp-add sw0 p1",
    "lsp-add sw0 p2",
    "lsp-add sw1 q1",
    "lsp-get-addresses p1",
    "lsp-set-addresses p1 00:11:22:33:44:55",
    "lsp-get-addresses p1",
    "lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.1' "
    "'00:11:22:33:44:56 10.0.0.2 fe80::1' dynamic unknown router",
    "lsp-get-addresses p1",
    "lsp-set-addresses p2 '00:11:22:33:44:55 10.0.0.9' "
    "'00:11:22:33:44:55 10.0.0.9'",
    "lsp-get-addresses p2",
    # Lenient syntax: a MAC-like start is enough.
    "lsp-set-addresses p2 '00:11:22:33:44:5' '00:11:22:33:44:55:66' "
    "'00:11:22:33:44:55 bogus' '00:11:22:33:44:55 10.0.0.256' "
    "' 00:11:22:33:44:55 10.0.0.7' '00:11:22:33:44:55 10.0.0.7 ' "
    "'dynamic 10.0.0.5' 'dynamic fe80::5' '00:11:22:33:44:55 dynamic' "
    "0:1:2:3:4:5 'AA:BB:CC:DD:EE:FF 10.1.1.1' 00:00:00:00:00:00 "
    "dynamicfoo dynamic1 'dynamic .' '100:1:2:3:4:5' '0x1:2:3:4:5:6' "
    "'1: 2:3:4:5:6' '1:2:3:4:5:-6' '1:2:3:4:5:00000006' "
    "'00:11:22:33:44:55,10.0.0.1' '00:11:22:33:44:55xyz'",
    "lsp-get-addresses p2",
    fails("lsp-set-addresses p2 'unknown 10.0.0.1'"),
    fails("lsp-set-addresses p2 'router 10.0.0.1'"),
    fails("lsp-set-addresses p2 bogus"),
    fails("lsp-set-addresses p2 DYNAMIC"),
    fails("lsp-set-addresses p2 00-11-22-33-44-55"),
    fails("lsp-set-addresses p2 'dynamic '"),
    fails("lsp-set-addresses p2 'unknown '"),
    fails("lsp-set-addresses p2 ' unknown'"),
    fails("lsp-set-addresses p2 dynamicX"),
    fails("lsp-set-addresses p2 'dynamic z'"),
    fails("lsp-set-addresses p2 1:2:3:4:5"),
    fails("lsp-set-addresses p2 1:2:3:4:5:"),
    fails("lsp-set-addresses p2 '1 :2:3:4:5:6'"),
    fails("lsp-set-addresses p2 ''"),
    fails("lsp-set-addresses p2 00:11:22:33:44:55 bogus"),
    fails("lsp-set-addresses nosuch 00:11:22:33:44:55"),
    fails("lsp-set-addresses"),
    "lsp-get-addresses p2",
    # Duplicate IPs on one switch.
    "lsp-set-addresses p2",
    fails("lsp-set-addresses p2 '00:11:22:33:44:57 10.0.0.1'"),
    fails("lsp-set-addresses p2 '00:11:22:33:44:57 FE80::0:1'"),
    fails("lsp-set-addresses p2 '00:11:22:33:44:57 010.0.0.2/24'"),
    fails("lsp-set-addresses p2 '00:11:22:33:44:57 10.0.0.9 bogus 10.0.0.8' "
          "'00:11:22:33:44:57 10.0.0.1'"),
    fails("lsp-set-addresses p2 '00:11:22:33:44:57 10.0.0.1' bogus"),
    fails("lsp-set-addresses p2 bogus '00:11:22:33:44:57 10.0.0.1'"),
    fails("lsp-set-addresses p2 '00:11:22:33:44:57 fe80::1 10.0.0.2'"),
    "lsp-set-addresses p2 '00:11:22:33:44:57 10.0.0.3 bogus 10.0.0.1'",
    "lsp-set-addresses p2 'dynamic 10.0.0.1' '00:11:22:33:44:57 10.0.0.1/33'",
    "lsp-set-addresses q1 '00:11:22:33:44:58 10.0.0.1 fe80::1'",
    "lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.1 10.0.0.1'",
    # What the other ports hold, written with the generic commands.
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 '
    '10.0.0.20 bogus"\'',
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.20'"),
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 '
    'bogus 10.0.0.21"\'',
    "lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.21'",
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 '
    '10.0.0.22/255.255.255.0"\'',
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.22'"),
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 '
    '10.0.0.23/255.0.255.0"\'',
    "lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.23'",
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 '
    'fe80::24/64"\'',
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 fe80::24'"),
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 '
    'fe80::25/129"\'',
    "lsp-set-addresses p1 '00:11:22:33:44:55 fe80::25'",
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 '
    '1.2.3.4.5 10.0.0.26"\'',
    "lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.26'",
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 '
    '10.0.0.27,10.0.0.28"\'',
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.27'"),
    # Which address is reported first.
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 '
    '10.0.0.31 10.0.0.30 fe80::31 fe80::30"\'',
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 fe80::30 fe80::31 "
          "10.0.0.30 10.0.0.31'"),
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.31 10.0.0.30'"),
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 fe80::30 fe80::31'"),
    'set Logical_Switch_Port p2 addresses=\'["00:11:22:33:44:57 fe80::32", '
    '"00:11:22:33:44:58 10.0.0.32"]\'',
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.32 fe80::32'"),
    # dynamic_addresses counts when an address is dynamic.
    'set Logical_Switch_Port p2 addresses=dynamic '
    'dynamic_addresses=\'"00:11:22:33:44:57 10.0.0.40"\'',
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.40'"),
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 dynamic"\'',
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.40'"),
    'set Logical_Switch_Port p2 addresses=\'"dynamic 10.0.0.41"\'',
    fails("lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.40'"),
    "lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.41'",
    'set Logical_Switch_Port p2 addresses=\'"00:11:22:33:44:57 10.0.0.42"\'',
    "lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.40'",
    'set Logical_Switch_Port p2 addresses=dynamicfoo',
    "lsp-set-addresses p1 '00:11:22:33:44:55 10.0.0.40'",
    # Batches.
    "lsp-add sw0 b -- lsp-set-addresses b '00:00:00:00:00:01 10.0.1.1' "
    "-- lsp-add sw0 c -- lsp-set-addresses c '00:00:00:00:00:02 10.0.1.1'",
    fails("lsp-set-addresses b '00:00:00:00:00:01 10.0.1.2' "
          "-- lsp-set-addresses c '00:00:00:00:00:02 10.0.1.2'"),
    fails("lsp-add sw0 d -- lsp-set-addresses d '00:00:00:00:00:03 "
          "10.0.0.40'"),
    fails("lsp-del b -- lsp-set-addresses c '00:00:00:00:00:02 10.0.1.1'"),
    "lsp-set-addresses b -- lsp-set-addresses c "
    "'00:00:00:00:00:02 10.0.1.1'",
    "lsp-get-addresses p1 -- lsp-get-addresses p2 -- lsp-get-addresses b",
    "--columns=name,addresses,dynamic_addresses list Logical_Switch_Port p2",
]

SESSIONS["port-settings"] = [
    "ls-add sw0",
    "lsp-add sw0 p1",
    "lsp-get-port-security p1",
    "lsp-set-port-security p1 '00:11:22:33:44:55 10.0.0.1' bogus ''",
    "lsp-get-port-security p1",
    "lsp-set-port-security p1",
    "lsp-get-port-security p1",
    fails("lsp-set-port-security nosuch"),
    fails("lsp-get-port-security nosuch"),
    "lsp-get-up p1",
    "set Logical_Switch_Port p1 up=true",
    "lsp-get-up p1",
    "set Logical_Switch_Port p1 up=false",
    "lsp-get-up p1",
    fails("lsp-get-up nosuch"),
    fails("lsp-get-up"),
    "lsp-get-enabled p1",
    "lsp-set-enabled p1 disabled",
    "lsp-get-enabled p1",
    "get Logical_Switch_Port p1 enabled",
    "lsp-set-enabled p1 enabled",
    "get Logical_Switch_Port p1 enabled",
    "lsp-set-enabled p1 DISABLED -- lsp-get-enabled p1",
    "lsp-set-enabled p1 Enabled -- lsp-get-enabled p1",
    fails("lsp-set-enabled p1 bogus"),
    fails("lsp-set-enabled p1"),
    fails("lsp-set-enabled nosuch bogus"),
    "set Logical_Switch_Port p1 enabled=[]",
    "lsp-get-enabled p1",
    "lsp-get-type p1",
    "lsp-set-type p1 router",
    "lsp-get-type p1",
    "lsp-set-type p1 localnet -- lsp-get-type p1",
    "lsp-set-type p1 localport",
    "lsp-set-type p1 l2gateway",
    "lsp-set-type p1 vtep",
    "lsp-set-type p1 external",
    "lsp-set-type p1 virtual",
    "lsp-set-type p1 remote",
    "lsp-get-type p1",
    fails("lsp-set-type p1 bogus"),
    fails("lsp-set-type p1 chassisredirect"),
    fails("lsp-set-type p1 patch"),
    fails("lsp-set-type p1 Router"),
    fails("lsp-set-type p1"),
    fails("lsp-set-type nosuch bogus"),
    fails("lsp-get-type nosuch"),
    "lsp-set-type p1 ''",
    "lsp-get-type p1",
    "lsp-get-options p1",
    "lsp-set-options p1 b=2 a=1 c=x=y",
    "lsp-get-options p1",
    "get Logical_Switch_Port p1 options",
    "lsp-set-options p1 novalue",
    "lsp-get-options p1",
    "lsp-set-options p1 =v k= a=1 a=2 novalue",
    "lsp-get-options p1",
    "lsp-set-options p1",
    "lsp-get-options p1",
    fails("lsp-set-options nosuch a=b"),
    fails("lsp-get-options nosuch"),
]

SESSIONS["dhcp"] = [
    "ls-add sw0",
    "lsp-add sw0 p1",
    S("create DHCP_Options cidr=10.0.0.0/24", save="v4"),
    S("create DHCP_Options cidr='\"ae70::/64\"'", save="v6"),
    S("create DHCP_Options cidr=bogus", save="bad"),
    S("create DHCP_Options cidr='\"10.0.0.1/255.0.255.0\"'", save="badmask"),
    S("create DHCP_Options cidr='\" 10.0.0.0/24\"'", save="space"),
    S("create DHCP_Options cidr='\"ae70::1\"'", save="v6host"),
    "lsp-get-dhcpv4-options p1",
    "lsp-get-dhcpv6-options p1",
    "lsp-set-dhcpv4-options p1 ${v4}",
    "lsp-get-dhcpv4-options p1",
    fails("lsp-set-dhcpv4-options p1 ${v6}"),
    fails("lsp-set-dhcpv4-options p1 ${bad}"),
    fails("lsp-set-dhcpv4-options p1 ${badmask}"),
    "lsp-set-dhcpv4-options p1 ${space}",
    "lsp-get-dhcpv4-options p1",
    "lsp-set-dhcpv6-options p1 ${v6}",
    "lsp-get-dhcpv6-options p1",
    fails("lsp-set-dhcpv6-options p1 ${v4}"),
    fails("lsp-set-dhcpv6-options p1 ${bad}"),
    "lsp-set-dhcpv6-options p1 ${v6host}",
    "lsp-get-dhcpv6-options p1",
    fails("lsp-set-dhcpv4-options p1 bogus"),
    fails("lsp-set-dhcpv4-options p1 01234567-89ab-cdef-0123-456789abcdef"),
    fails("lsp-set-dhcpv4-options p1 ${v4} extra"),
    fails("lsp-set-dhcpv4-options nosuch bogus"),
    fails("lsp-get-dhcpv4-options nosuch"),
    "lsp-set-dhcpv4-options p1",
    "lsp-get-dhcpv4-options p1",
    fails("lsp-set-dhcpv6-options p1 ''"),
    "lsp-set-dhcpv6-options p1",
    "lsp-get-dhcpv6-options p1",
    "lsp-set-dhcpv4-options p1 ${v4} -- lsp-get-dhcpv4-options p1",
    S("--id=@d create DHCP_Options cidr=10.1.0.0/16 "
      "-- lsp-set-dhcpv4-options p1 @d", fails=True),
    "--columns=name,dhcpv4_options,dhcpv6_options list Logical_Switch_Port",
]

SESSIONS["mirrors"] = [
    "ls-add sw0",
    "lsp-add sw0 p1",
    "lsp-add sw0 p2",
    "create Mirror name=m1 type=gre index=1 filter=from-lport sink=10.0.0.9",
    S("create Mirror name=m2 type=erspan index=2 filter=to-lport "
      "sink=10.0.0.8", save="m2"),
    "lsp-attach-mirror p1 m1",
    fails("lsp-attach-mirror p1 m1"),
    "lsp-attach-mirror p1 ${m2}",
    "get Logical_Switch_Port p1 mirror_rules",
    fails("lsp-attach-mirror p1 nosuch"),
    fails("lsp-attach-mirror p1 0d5b7ec8-0000-0000-0000-000000000000"),
    fails("lsp-attach-mirror nosuch m1"),
    fails("lsp-attach-mirror nosuch nosuch"),
    fails("lsp-attach-mirror p1"),
    "lsp-detach-mirror p1 m1",
    "get Logical_Switch_Port p1 mirror_rules",
    "lsp-detach-mirror p1 m1",
    "lsp-detach-mirror p2 ${m2}",
    fails("lsp-detach-mirror p1 nosuch"),
    fails("lsp-detach-mirror nosuch m2"),
    "lsp-attach-mirror p2 m1 -- lsp-attach-mirror p2 m1",
    "lsp-detach-mirror p2 m1 -- lsp-detach-mirror p2 m1",
    "lsp-attach-mirror p2 m1",
    "lsp-add sw0 c -- lsp-attach-mirror c m1 -- lsp-attach-mirror c m1",
    S("--columns=name,mirror_rules list Logical_Switch_Port",
      sort="records"),
]

SESSIONS["fwd-groups"] = [
    "ls-add sw0",
    "ls-add sw1",
    "lsp-add sw0 p1",
    "lsp-add sw0 p2",
    "lsp-add sw1 q1",
    "fwd-group-list",
    "fwd-group-add fg1 sw0 10.0.0.100 00:00:00:00:01:00 p1 p2",
    "fwd-group-list",
    fails("fwd-group-add fg1 sw0 10.0.0.100 00:00:00:00:01:00 p1 p2"),
    fails("fwd-group-add fg1 nosuch bogus bogus p1"),
    fails("fwd-group-add fg2 sw0 10.0.0.101 00:00:00:00:01:00 q1"),
    fails("fwd-group-add fg2 sw0 10.0.0.101 00:00:00:00:01:00 nosuch"),
    fails("fwd-group-add fg2 sw0 10.0.0.101 00:00:00:00:01:00 p1 nosuch"),
    fails("fwd-group-add fg2 nosuch 10.0.0.101 00:00:00:00:01:00 p1"),
    fails("fwd-group-add fg2 sw0 bogus 00:00:00:00:01:00 p1"),
    fails("fwd-group-add fg2 sw0 bogus bogus p1"),
    fails("fwd-group-add fg2 sw0 10.0.0.101 bogus nosuch"),
    fails("fwd-group-add fg2 sw0 fe80::1 00:00:00:00:01:00 p1"),
    fails("fwd-group-add fg2 sw0 10.0.0.101/24 00:00:00:00:01:00 p1"),
    fails("fwd-group-add fg2 sw0 010.0.0.101 00:00:00:00:01:00 p1"),
    fails("fwd-group-add fg2 sw0 ' 10.0.0.101' 00:00:00:00:01:00 p1"),
    fails("fwd-group-add fg2 sw0 10.0.0.256 00:00:00:00:01:00 p1"),
    fails("fwd-group-add fg2 sw0 10.0.0.101 00:00:00:00:01 p1"),
    fails("fwd-group-add fg2 sw0 10.0.0.101 00:00:00:00:01:00x p1"),
    fails("fwd-group-add fg2 sw0 10.0.0.101 '00:00:00:00:01:00 ' p1"),
    fails("fwd-group-add fg2 sw0 10.0.0.101"),
    fails("fwd-group-add"),
    "fwd-group-add fg2 sw0 10.0.0.101 0:0:0:0:1:0 p1",
    "fwd-group-add fg3 sw0 10.0.0.102 ' 00:00:00:00:01:00' p2 p1 p2",
    "fwd-group-add fg4 sw0 10.0.0.103 '1: 2:3:4:5:-6' p1",
    "fwd-group-add averyveryverylongname sw0 1.1.1.1 AA:00:00:00:01:00 p2",
    "fwd-group-add '' sw0 111.111.111.111 100:00:00:00:01:00 p2",
    "--liveness fwd-group-add fg5 sw1 10.0.0.105 00:00:00:00:01:05 q1",
    S("fwd-group-list", sort="csv"),
    S("fwd-group-list sw0", sort="csv"),
    "fwd-group-list sw1",
    fails("fwd-group-list nosuch"),
    fails("fwd-group-list a b"),
    "ls-add averyveryverylongswitchname",
    "lsp-add averyveryverylongswitchname z1",
    "fwd-group-add g9 averyveryverylongswitchname 1.1.1.1 "
    "00:00:00:00:01:00 z1",
    "fwd-group-list averyveryverylongswitchname",
    "fwd-group-del fg5",
    "fwd-group-del fg5",
    "--if-exists fwd-group-del fg5",
    "fwd-group-del sw0",
    fails("fwd-group-del"),
    "fwd-group-list sw1",
    fails("fwd-group-add x1 sw0 10.0.0.1 00:00:00:00:00:01 p1 "
          "-- fwd-group-add x1 sw0 10.0.0.1 00:00:00:00:00:01 p1"),
    "ls-add s5 -- lsp-add s5 z -- fwd-group-add g5 s5 10.0.0.1 "
    "00:00:00:00:00:01 z -- fwd-group-list s5",
    "lsp-add sw1 y -- fwd-group-add g6 sw1 10.0.0.1 00:00:00:00:00:01 y "
    "-- fwd-group-list sw1",
    fails("lsp-add sw0 d -- fwd-group-add g7 sw1 10.0.0.1 "
          "00:00:00:00:00:01 d"),
    "fwd-group-del g6 -- fwd-group-list sw1",
    "fwd-group-list sw1",
    S("--columns=name,vip,vmac,liveness,child_port list Forwarding_Group",
      sort="records"),
]

LRPS = ("--id=@p create Logical_Router_Port name=lrp0 "
        "mac='\"00:00:00:00:ff:01\"' networks='\"10.0.0.254/24\"' "
        "-- --id=@q create Logical_Router_Port name=lrp1 "
        "mac='\"00:00:00:00:ff:02\"' networks='\"10.1.0.254/24\"' "
        "-- create Logical_Router name=lr0 ports=@p,@q")

SESSIONS["static-mac-bindings"] = [
    "static-mac-binding-list",
    fails("static-mac-binding-add lrp1 10.0.0.1 00:00:00:00:00:01"),
    fails("static-mac-binding-del lrp1 10.0.0.1"),
    S(LRPS, sort="lines"),
    "static-mac-binding-add lrp1 10.0.0.1 00:00:00:00:00:01",
    fails("static-mac-binding-add lrp1 10.0.0.1 00:00:00:00:00:02"),
    "--may-exist static-mac-binding-add lrp1 10.0.0.1 00:00:00:00:00:02",
    "static-mac-binding-add lrp1 fe80::1 00:00:00:00:00:03",
    "static-mac-binding-add lrp0 10.0.0.2 00:00:00:00:00:04",
    fails("static-mac-binding-add lrp0 bogus 00:00:00:00:00:04"),
    fails("static-mac-binding-add lrp0 bogus bogus"),
    fails("static-mac-binding-add nosuch bogus bogus"),
    fails("static-mac-binding-add lrp0 10.0.0.3 bogus"),
    fails("static-mac-binding-add lrp0 10.0.0.0/24 00:00:00:00:00:04"),
    fails("static-mac-binding-add lrp0 010.0.0.9 00:00:00:00:00:04"),
    fails("static-mac-binding-add lrp0 ' 10.0.0.9' 00:00:00:00:00:04"),
    fails("static-mac-binding-add lrp0 10.0.0.11 00:00:00:00:00:04x"),
    fails("static-mac-binding-add lrp0 10.0.0.11"),
    "static-mac-binding-add lrp0 FE80::0:2 0:0:0:0:0:5",
    "static-mac-binding-add lrp0 10.0.0.10 ' 00:00:00:00:00:04'",
    "static-mac-binding-add lrp0 ::ffff:10.0.0.12 00:00:00:00:00:04",
    "static-mac-binding-list",
    fails("static-mac-binding-list x"),
    "static-mac-binding-del lrp1 10.0.0.1",
    fails("static-mac-binding-del lrp1 10.0.0.1"),
    "--if-exists static-mac-binding-del lrp1 10.0.0.1",
    fails("--if-exists static-mac-binding-del nosuch 10.0.0.1"),
    "static-mac-binding-del lrp0 FE80::0:2",
    fails("static-mac-binding-del lrp0 bogus"),
    fails("static-mac-binding-del lrp0 010.0.0.2"),
    fails("static-mac-binding-del lrp0"),
    fails("static-mac-binding-add lrp0 10.0.0.40 00:00:00:00:00:01 "
          "-- static-mac-binding-add lrp0 10.0.0.40 00:00:00:00:00:02"),
    "static-mac-binding-add lrp0 10.0.0.41 00:00:00:00:00:01 "
    "-- --may-exist static-mac-binding-add lrp0 10.0.0.41 00:00:00:00:00:02 "
    "-- static-mac-binding-list",
    "static-mac-binding-add lrp0 10.0.0.42 00:00:00:00:00:01 "
    "-- static-mac-binding-del lrp0 10.0.0.42",
    "--may-exist static-mac-binding-add lrp0 10.0.0.1 00:00:00:00:00:09",
    "static-mac-binding-list",
    S("--columns=logical_port,ip,mac,override_dynamic_mac "
      "list Static_MAC_Binding", sort="records"),
]


@pytest.mark.parametrize("kind", ["ovs", TARGET])
@pytest.mark.parametrize("name", list(SESSIONS))
def test_nbctl_switch(kind, name):
    assert os.access(KILN_NBCTL, os.X_OK), KILN_NBCTL
    compare_tools(kind, "nb", "OVN_Northbound", REF, KILN, SESSIONS[name],
                  setup=insert_singleton("NB_Global", "OVN_Northbound"))


def test_fwd_group_add_usage(tmp_path):
    """Four arguments get a usage message naming the program (ovn-nbctl's
    names ovn-nbctl, so this one is checked here, not in a session)."""
    server = kilntest.DbServer(TARGET, tmp_path, [kilntest.SCHEMAS["nb"]])
    server.start()
    try:
        p = subprocess.run(
            [KILN_NBCTL, "--db=" + server.remote, "--no-wait", "ls-add",
             "sw0", "--", "fwd-group-add", "g", "sw0", "10.0.0.1",
             "00:00:00:00:00:01"],
            capture_output=True, text=True, timeout=30)
    finally:
        server.stop()
        server.cleanup()
    assert p.returncode == 1
    assert p.stderr == ("kiln-nbctl: Usage : kiln-nbctl fwd-group-add group "
                        "switch vip vmac child_ports...\n")
