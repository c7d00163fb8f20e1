"""kiln-nbctl's load balancer family against ovn-nbctl --no-wait.

Load balancers (lb-*, ls-lb-*, lr-lb-*), DHCP options, connections and
SSL (tools/nbctl-lb.c).  Each session runs once with ovn-nbctl against a
fresh Debian ovsdb-server and once with kiln-nbctl against a fresh server
of each kind (ovsdb-server, and the compat target), on the OVN_Northbound
schema with an empty NB_Global row.  Transcripts (stdout, the first line of
stderr with the program name replaced, exit status) and final dumps must
agree once canonicalized as in compat.py.  A parse error's first stderr
line is ovn-nbctl's "socket_util|ERR|..." log line, so those are compared
too.

Switches and routers are made with the generic commands, so that these
sessions depend on no other command family.
"""

import os
import shutil
import subprocess

import pytest

import kilntest
from compat import (Step, TARGET, compare_tools, ctl_tool, fails,
                    insert_singleton)

KILN_NBCTL = os.path.join(kilntest.BUILD, "tools", "kiln-nbctl")
S = Step


REF = ctl_tool("ovn-nbctl", "--no-wait")
KILN = ctl_tool(KILN_NBCTL, "--no-wait")

SESSIONS = {}

SESSIONS["lb-add"] = [
    "lb-list",
    "lb-add lb0 30.0.0.10:80 192.168.10.10:80,192.168.10.20:80 udp",
    fails("lb-add lb0 30.0.0.10:80 192.168.10.10:80"),
    "--may-exist lb-add lb0 30.0.0.10:80 192.168.10.30:80",
    "lb-add lb0 30.0.0.11 10.0.0.1,10.0.0.2",
    "lb-add lb1 [fd0f::1]:8080 [fdef::1]:8800,[fdef::2]:8800",
    fails("lb-add lb2 fd0f::2 fdef::1,fdef::2 tcp"),
    fails("lb-add lb3 30.0.0.12 10.0.0.1:80"),
    fails("lb-add lb3 30.0.0.12:80 10.0.0.1"),
    fails("lb-add lb3 30.0.0.12:80 10.0.0.1:80 icmp"),
    fails("lb-add lb3 30.0.0.12:80 10.0.0.1:80 TCP"),
    fails("lb-add lb3 30.0.0.12:80 fdef::1"),
    fails("lb-add lb3 fd0f::3 10.0.0.1"),
    fails("lb-add lb3 [fd0f::1]:80 10.0.0.1"),
    fails("lb-add lb3 1.2.3 10.0.0.1"),
    fails("lb-add lb3 030.0.0.1 10.0.0.1"),
    fails("lb-add lb3 30.0.0.13/24 10.0.0.1"),
    fails("lb-add lb3 localhost 10.0.0.1"),
    fails("lb-add lb3 30.0.0.12:0 10.0.0.1:80"),
    fails("lb-add lb3 30.0.0.12:65536 10.0.0.1:80"),
    fails("lb-add lb3 30.0.0.12:abc 10.0.0.1:80"),
    fails("lb-add lb3 1.2.3.4:0x50 10.0.0.1:80"),
    fails("lb-add lb3 1.2.3.4:-1 10.0.0.1:80"),
    fails("lb-add lb3 '1.2.3.4:80 ' 10.0.0.1:80"),
    fails("lb-add lb3 1.2.3.4:80:90 10.0.0.1:80"),
    fails("lb-add lb3 fd0f::g 10.0.0.1"),
    fails("lb-add lb3 [fd0f::g]:80 10.0.0.1"),
    fails("lb-add lb3 [1.2.3]:80 10.0.0.1"),
    fails("lb-add lb3 [1.2.3]:80x 10.0.0.1"),
    fails("lb-add lb3 [fd0f::1]x 10.0.0.1"),
    fails("lb-add lb3 [fd0f::1]:80x fdef::1"),
    fails("lb-add lb3 fd0f::4]:80 fdef::1"),
    fails("lb-add lb3 []:80 fdef::1"),
    fails("lb-add lb3 '' fdef::1"),
    fails("lb-add lb3 : fdef::1"),
    fails("lb-add lb3 :80 fdef::1"),
    fails("lb-add lb3 [fd0f::4]:80 fdef::1"),
    fails("lb-add lb3 [fd0f::4]:80 [fdef::1]"),
    fails("lb-add lb3 [fd0f::1]: [fdef::1]:80"),
    fails("lb-add lb3 1.2.3.4:80 10.0.0.1:"),
    fails("lb-add lb3 1.2.3.4:80 10.0.0.1:0"),
    fails("lb-add lb3 1.2.3.4:80 1.2.3:80"),
    fails("lb-add lb3 1.2.3.4:80 :80"),
    fails("lb-add lb3 1.2.3.4:80 [:80"),
    fails("lb-add lb3 1.2.3.4:80 1.2.3.4:80:90"),
    fails("lb-add lb3 1.2.3.4:80 10.0.0.1:80,bogus:80"),
    fails("lb-add lb3 [fd0f::1]:80 010.0.0.1:80"),
    fails("lb-add lb3 fd0f::1 fdef::g"),
    fails("lb-add lb3 1.2.3.4 ' 10.0.0.1'"),
    fails("lb-add lb3 1.2.3 10.0.0.1 icmp"),
    # VIPs and backends are stored in canonical form.
    "lb-add lb3 30.0.0.13 10.0.0.1,,10.0.0.2",
    fails("lb-add lb3 30.0.0.13 ''"),
    "lb-add lb3 fd0f::4:80 fdef::1",
    "lb-add lb3 [fd0f::4] fdef::1",
    "lb-add lb3 [fd0f::5 fdef::1:80:90",
    "lb-add lb4 30.0.0.12:0 10.0.0.1",
    "lb-add lb4 1.2.3.4: 10.0.0.1",
    "lb-add lb5 30.0.0.15 ''",
    "lb-add lb5 30.0.0.16 ,",
    "lb-add lb6 [fd0f::0001]:80 '[fdef:0::1]:080,[fdef::2]:81'",
    "lb-add lb7 [1.2.3.4]:80 10.0.0.1:80",
    fails("lb-add lb7 1.2.3.4:+80 10.0.0.1:80"),
    fails("lb-add lb7 1.2.3.4:080 10.0.0.1:80"),
    "lb-add lb7 '1.2.3.4: 81' 10.0.0.1:080",
    "lb-add lb7 ::ffff:1.2.3.4 ::ffff:1.2.3.5",
    "lb-add lb8 255.255.255.255:1 1.1.1.1:65535,1.1.1.1:65535",
    "lb-add lb8 0.0.0.0 1.1.1.1",
    "--reject lb-add lb10 1.1.1.1 2.2.2.2",
    "--event lb-add lb11 1.1.1.1 2.2.2.2",
    fails("--event --reject lb-add lb12 1.1.1.1 2.2.2.2"),
    fails("--reject --event lb-add lb12 1.2.3 2.2.2.2 icmp"),
    fails("--reject lb-add lb12 1.2.3.4 2.2.2.2 icmp"),
    # Options apply only when the load balancer is created.
    "--event lb-add lb10 1.1.1.2 2.2.2.2",
    "--may-exist --reject lb-add lb11 1.1.1.1 2.2.2.3",
    "lb-add lbabcdefghijklmnopqrstuvwxyz "
    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535 "
    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535",
    "lb-list",
    "lb-list lb3",
    "lb-list lbabcdefghijklmnopqrstuvwxyz",
    "lb-list nosuch",
    "--columns=name,vips,protocol,options list Load_Balancer lb6",
    fails("lb-add lb12 1.1.1.1"),
    fails("lb-add lb12 1.1.1.1 2 3 4"),
    "lb-add lb12 1.1.1.1:80 2.2.2.2:80 udp ignored",
    fails("lb-add lb12 1.1.1.1:80 2.2.2.2:80 udp ignored extra"),
    fails("--if-exists lb-add lb12 1.1.1.1 2.2.2.2"),
]

SESSIONS["lb-protocol"] = [
    "lb-add lb0 30.0.0.10:80 10.0.0.1:80 udp",
    "--may-exist lb-add lb0 30.0.0.10:80 10.0.0.2:80",
    "lb-add lb0 30.0.0.11 10.0.0.1",
    "lb-list",
    # A protocol given for an existing load balancer replaces its own.
    "lb-add lb0 30.0.0.12:80 10.0.0.1:80 sctp",
    "lb-list",
    "get Load_Balancer lb0 protocol",
]

SESSIONS["lb-duplicates"] = [
    "lb-add lb0 1.1.1.1 2.2.2.2",
    "--add-duplicate lb-add lb0 1.1.1.2 2.2.2.2",
    fails("lb-add lb0 1.1.1.3 2.2.2.2"),
    "--may-exist --add-duplicate lb-add lb0 1.1.1.1 2.2.2.2",
    fails("lb-del lb0"),
    fails("lb-del lb0 1.1.1.1"),
    S("lb-list", sort="tree"),
    S("--bare --columns=vips find Load_Balancer name=lb0", sort="records"),
    "create Logical_Switch name=sw0",
    fails("ls-lb-add sw0 lb0"),
    fails("ls-lb-del sw0 lb0"),
]

SESSIONS["lb-del"] = [
    "lb-add lb0 1.1.1.1 2.2.2.2",
    "lb-add lb0 1.1.1.2 2.2.2.2",
    "lb-add lb0 1.1.1.3:80 2.2.2.2:80",
    fails("lb-del lb0 1.1.1.9"),
    fails("lb-del lb0 1.1.1.3"),
    "lb-del lb0 1.1.1.3:80",
    fails("lb-del lb0 1.1.1.3:80"),
    "--if-exists lb-del lb0 1.1.1.3:80",
    fails("lb-del lb0 1.1.1.01"),
    fails("lb-del lb0 1.1.1.2:0"),
    "lb-list",
    # A missing load balancer is no error, --if-exists or not.
    "lb-del nosuch",
    "--if-exists lb-del nosuch",
    "lb-del nosuch 1.1.1.1",
    "lb-del 00000000-0000-0000-0000-000000000000",
    fails("--may-exist lb-del lb0"),
    fails("lb-del"),
    fails("lb-del a b c"),
    # Removing the last VIP removes the load balancer.
    "lb-del lb0 1.1.1.1",
    "lb-del lb0 1.1.1.2",
    "lb-list",
    "--bare --columns=name list Load_Balancer",
    "lb-add lb1 1.1.1.1 2.2.2.2",
    "lb-del lb1",
    "lb-list",
    "lb-add lbx 1.1.1.1 2.2.2.2 -- lb-add lbx 1.1.1.2 2.2.2.2 "
    "-- lb-del lbx 1.1.1.2 -- lb-list lbx",
    "lb-list",
]

SESSIONS["lb-list-format"] = [
    "create Load_Balancer name=e1",
    "lb-list",
    "create Load_Balancer name=f 'vips={\"foo\"=\"x\"}'",
    "lb-list",
    "create Load_Balancer "
    "'vips={\"1.1.1.1:80\"=\"2.2.2.2:80\"}'",
    "create Load_Balancer name=e2 "
    "'vips={\"1.1.1.1:80\"=\"2.2.2.2:80\",\"[::1]:80\"=\"[::2]:80\"}'",
    "create Load_Balancer name=weird protocol=udp 'vips={\"foo\"=\"bar\","
    "\"1.1.1.1:abc\"=\"x\",\"::1:80\"=\"y\",\"[::1]:0\"=\"z\","
    "\"[::1]\"=\"w\",\"1.1.1.1:\"=\"v\",\"1.1.1.1:0\"=\"u\","
    "\":80\"=\"t\",\"1.1.1.1:80\"=\"s\"}'",
    "create Load_Balancer name=g "
    "'vips={\"0\"=\"x\",\"1.1.1.1\"=\"y\",\"2\"=\"z\",\"3.3.3.3\"=\"w\"}'",
    "lb-list e2",
    "lb-list weird",
    "lb-list g",
    "lb-list f",
    "create Logical_Switch name=sw0",
    "ls-lb-add sw0 weird -- ls-lb-add sw0 e2 -- ls-lb-add sw0 e1",
    "ls-lb-list sw0",
]

SESSIONS["ls-lr-lb"] = [
    "lb-add lb0 1.1.1.1 2.2.2.2",
    "lb-add lb1 1.1.1.2:80 2.2.2.2:80 udp",
    "create Load_Balancer name=e1",
    "create Logical_Switch name=sw0",
    "create Logical_Switch name=sw1",
    "create Logical_Router name=lr0",
    "ls-lb-add sw0 lb0",
    fails("ls-lb-add sw0 lb0"),
    "--may-exist ls-lb-add sw0 lb0",
    fails("ls-lb-add sw0 nosuch"),
    fails("ls-lb-add sw0 00000000-0000-0000-0000-000000000000"),
    fails("ls-lb-add nosuch lb0"),
    fails("ls-lb-add nosuch nosuch"),
    fails("ls-lb-add sw0"),
    fails("--if-exists ls-lb-add sw0 lb0"),
    "ls-lb-add sw0 lb1",
    "ls-lb-add sw0 e1",
    "ls-lb-list sw0",
    "ls-lb-list sw1",
    fails("ls-lb-list nosuch"),
    fails("ls-lb-list"),
    fails("ls-lb-del sw1 lb1"),
    "--if-exists ls-lb-del sw1 lb1",
    fails("--if-exists ls-lb-del sw0 nosuch"),
    fails("ls-lb-del sw0 nosuch"),
    fails("ls-lb-del nosuch"),
    fails("--if-exists ls-lb-del nosuch"),
    fails("--may-exist ls-lb-del sw0"),
    "ls-lb-del sw0 lb0",
    "ls-lb-list sw0",
    "ls-lb-del sw0",
    "ls-lb-list sw0",
    "get Logical_Switch sw0 load_balancer",
    "lr-lb-add lr0 lb0",
    fails("lr-lb-add lr0 lb0"),
    "--may-exist lr-lb-add lr0 lb0",
    fails("lr-lb-add lr0 nosuch"),
    fails("lr-lb-add nosuch lb0"),
    "lr-lb-add lr0 e1",
    "lr-lb-add lr0 lb1",
    "lr-lb-list lr0",
    fails("lr-lb-list nosuch"),
    fails("lr-lb-del lr0 00000000-0000-0000-0000-000000000000"),
    fails("--if-exists lr-lb-del lr0 nothere"),
    "lr-lb-del lr0 lb0",
    fails("lr-lb-del lr0 lb0"),
    "--if-exists lr-lb-del lr0 lb0",
    "lr-lb-list lr0",
    "lr-lb-del lr0",
    "lr-lb-list lr0",
    "lr-lb-del lr0",
    # The weak references go with the load balancer.
    "ls-lb-add sw1 lb1 -- lr-lb-add lr0 lb1 -- lb-del lb1",
    "ls-lb-list sw1",
    "--columns=load_balancer list Logical_Switch sw1",
    "--columns=load_balancer list Logical_Router lr0",
]

# As in ovn-nbctl, the commands of one batch do not see each other's
# additions to and removals from a switch's or router's load balancers,
# only a full emptying; the vips of a load balancer they do see.
SESSIONS["lb-batches"] = [
    "lb-add lbv 1.1.1.1 2.2.2.2",
    "lb-add lbv 1.1.1.2 2.2.2.2 -- lb-list lbv",
    "lb-del lbv 1.1.1.1 -- lb-list lbv",
    "lb-add lbv 1.1.1.3:80 2.2.2.2:80 udp -- lb-list lbv",
    "create Logical_Switch name=swv -- ls-lb-add swv lbv "
    "-- ls-lb-list swv -- ls-lb-add swv lbv",
    "ls-lb-list swv",
    "ls-lb-del swv -- ls-lb-list swv",
    "ls-lb-add swv lbv -- ls-lb-del swv -- ls-lb-list swv",
    "--columns=load_balancer list Logical_Switch swv",
    fails("ls-lb-add swv lbv -- ls-lb-del swv lbv"),
    fails("ls-lb-del swv lbv -- ls-lb-list swv -- ls-lb-add swv lbv"),
    "ls-lb-del swv lbv -- ls-lb-list swv",
    "ls-lb-list swv",
    "create Logical_Router name=lrv",
    "lr-lb-add lrv lbv -- lr-lb-list lrv -- lr-lb-add lrv lbv",
    "lr-lb-del lrv lbv -- lr-lb-list lrv",
    "lr-lb-list lrv",
    "lr-lb-add lrv lbv -- lr-lb-del lrv -- lr-lb-add lrv lbv",
    "lr-lb-list lrv",
]

SESSIONS["dhcp-options"] = [
    "dhcp-options-list",
    "dhcp-options-create 10.0.0.0/24",
    "dhcp-options-create 10.0.0.0/24 a=b c=d",
    "dhcp-options-create 10.0.0.1/24 a=1 a=2 novalue =v k=",
    "dhcp-options-create 10.0.0.0",
    "dhcp-options-create ae70::/64 x=y",
    "dhcp-options-create ae70::0001/64",
    "dhcp-options-create 10.0.0.0/255.255.255.0",
    "dhcp-options-create ae70::/ffff:ffff:8000::",
    "dhcp-options-create 10.0.0.0/0",
    "dhcp-options-create ::/0",
    "dhcp-options-create 010.0.0.0/24",
    "dhcp-options-create 256.0.0.0/24",
    "dhcp-options-create -1.0.0.0/24",
    "dhcp-options-create ' 10.0.0.0/ 24'",
    "dhcp-options-create 10.0.0.0/+24",
    "dhcp-options-create 10.0.0.0/0255.255.255.0",
    "dhcp-options-create 1.2.3.4/4294967320",
    "dhcp-options-create ' AE70::/064'",
    "dhcp-options-create ::ffff:1.2.3.4/96",
    fails("dhcp-options-create 10.0.0.0/33"),
    fails("dhcp-options-create bogus"),
    fails("dhcp-options-create ''"),
    fails("dhcp-options-create 10.0.0.0/"),
    fails("dhcp-options-create ae70::/129"),
    fails("dhcp-options-create 10.0.0.0/255.0.255.0"),
    fails("dhcp-options-create 1.2.3.4/024.0.0.0"),
    fails("dhcp-options-create ae70::/ffff::1"),
    fails("dhcp-options-create 10.0.0.0/24x"),
    fails("dhcp-options-create '10.0.0.0/24 '"),
    fails("dhcp-options-create '10.0.0.0 /24'"),
    fails("dhcp-options-create 10.0.0.0/0x18"),
    fails("dhcp-options-create 10.0.0.0/-1"),
    fails("dhcp-options-create 1.2.3/24"),
    fails("dhcp-options-create 1.2.3.4.5/24"),
    fails("dhcp-options-create 1.2.3.4:5/24"),
    fails("dhcp-options-create [ae70::]/64"),
    fails("dhcp-options-create ae70::%eth0/64"),
    fails("dhcp-options-create 1.2.3.4/ffff::"),
    fails("dhcp-options-create ae70::/255.255.255.0"),
    fails("dhcp-options-create"),
    S("dhcp-options-list", sort="lines"),
    S("create DHCP_Options cidr=192.168.0.0/24", save="d1"),
    "dhcp-options-set-options ${d1} lease_time=3600 router=10.0.0.1 "
    "server_id=10.0.0.1",
    "dhcp-options-get-options ${d1}",
    "dhcp-options-set-options ${d1} b=2 a=1 novalue =x y= 'k=\"q\"' "
    "a=b=c",
    "dhcp-options-get-options ${d1}",
    "dhcp-options-set-options ${d1} a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 "
    "j=10 k=11 l=12 m=13 n=14 o=15 p=16 q=17 dns_server=1.1.1.1 mtu=1400",
    "dhcp-options-get-options ${d1}",
    "dhcp-options-set-options ${d1} x=1 x=2",
    "dhcp-options-get-options ${d1}",
    "dhcp-options-set-options ${d1}",
    "dhcp-options-get-options ${d1}",
    fails("dhcp-options-set-options nosuch a=b"),
    fails("dhcp-options-get-options nosuch"),
    fails("dhcp-options-del nosuch"),
    fails("dhcp-options-get-options 00000000-0000-0000-0000-000000000000"),
    fails("dhcp-options-del 00000000-0000-0000-0000-000000000000"),
    fails("dhcp-options-list x"),
    fails("dhcp-options-get-options"),
    fails("dhcp-options-set-options"),
    "dhcp-options-del ${d1}",
    fails("dhcp-options-del ${d1}"),
    fails("--if-exists dhcp-options-del ${d1}"),
    S("create DHCP_Options cidr=192.168.1.0/24", save="d2"),
    "dhcp-options-set-options ${d2} a=b -- dhcp-options-get-options ${d2} "
    "-- dhcp-options-del ${d2}",
]

SESSIONS["connection"] = [
    "get-connection",
    "del-connection",
    "set-connection ptcp:6641",
    "get-connection",
    "--columns=target,inactivity_probe list Connection",
    "set-connection ptcp:6642 punix:/tmp/x pssl:6643",
    "get-connection",
    "--inactivity-probe=5000 set-connection ptcp:6644 ptcp:6645",
    S("--columns=target,inactivity_probe list Connection", sort="records"),
    "get-connection",
    "set-connection ptcp:6644",
    "get-connection",
    fails("set-connection"),
    "set-connection bogus",
    "--inactivity-probe=abc set-connection ptcp:1",
    "--columns=target,inactivity_probe list Connection",
    "--inactivity-probe=-5 set-connection ptcp:2",
    "--columns=target,inactivity_probe list Connection",
    "--inactivity-probe=99999999999999999999 set-connection ptcp:2",
    "--columns=target,inactivity_probe list Connection",
    "'--inactivity-probe= 12x' set-connection ptcp:2",
    "--columns=target,inactivity_probe list Connection",
    "set-connection tcp:1.2.3.4:5 unix:/x ssl:1.2.3.4:5 pssl:1 "
    "ptcp:1:1.2.3.4 ptcp: tcp: tcpx:1 ptcp punix: unix:",
    "get-connection",
    "set-connection ptcp:9 -- get-connection -- del-connection "
    "-- get-connection -- set-connection ptcp:10",
    "get-connection",
    "del-connection",
    "get-connection",
    "get NB_Global . connections",
    "del-connection",
    fails("get-connection x"),
    fails("--if-exists del-connection"),
]

SESSIONS["ssl"] = [
    "get-ssl",
    "del-ssl",
    fails("set-ssl a b"),
    fails("set-ssl a b c d e f"),
    "set-ssl key cert ca",
    "get-ssl",
    "--columns=private_key,certificate,ca_cert,bootstrap_ca_cert,"
    "ssl_protocols,ssl_ciphers list SSL",
    "set-ssl key2 cert2 ca2 TLSv1.2 HIGH",
    "get-ssl",
    "--columns=private_key,certificate,ca_cert,bootstrap_ca_cert,"
    "ssl_protocols,ssl_ciphers list SSL",
    "--bootstrap set-ssl key3 cert3 ca3 TLSv1.3",
    "get-ssl",
    "--columns=bootstrap_ca_cert,ssl_protocols,ssl_ciphers list SSL",
    "del-ssl",
    "get-ssl",
    "get NB_Global . ssl",
    "set-ssl a b c -- get-ssl -- del-ssl -- get-ssl",
    "set-ssl a b c -- set-ssl d e f -- get-ssl",
    "--columns=private_key list SSL",
    fails("--may-exist set-ssl a b c"),
]


@pytest.mark.parametrize("kind", ["ovs", TARGET])
@pytest.mark.parametrize("name", list(SESSIONS))
def test_nbctl_lb(kind, name):
    assert os.access(KILN_NBCTL, os.X_OK), KILN_NBCTL
    compare_tools(kind, "nb", "OVN_Northbound", REF, KILN, SESSIONS[name],
                  setup=insert_singleton("NB_Global", "OVN_Northbound"))


def test_lb_parse_error_logs_like_ovn_nbctl():
    """A bad VIP logs ovn-nbctl's socket_util line, then the error."""
    d = kilntest.short_dir("nblb")
    server = kilntest.DbServer("ovs", d, [kilntest.SCHEMAS["nb"]], name="t")
    try:
        server.start()
        argv = [KILN_NBCTL, "--db=" + server.remote, "--no-wait",
                "--timeout=20", "lb-add", "lb0", "1.2.3:80", "10.0.0.1:80"]
        p = subprocess.run(argv, capture_output=True, text=True,
                                    timeout=30)
        assert p.returncode == 1
        lines = p.stderr.splitlines()
        assert len(lines) == 2
        assert lines[0].endswith('|socket_util|ERR|1.2.3:80: bad IP '
                                 'address "1.2.3"')
        assert lines[1] == ("kiln-nbctl: 1.2.3:80: should be an IP address "
                            "(or an IP address and a port number with : as "
                            "a separator).")
    finally:
        server.stop()
        server.cleanup()
        shutil.rmtree(d, ignore_errors=True)
