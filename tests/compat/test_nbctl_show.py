"""kiln-nbctl's "show" against ovn-nbctl --no-wait (tools/nbctl-show.c).

The sessions run as in test_nbctl_lb.py: ovn-nbctl against a fresh Debian
ovsdb-server, kiln-nbctl against a fresh server of each kind, transcripts
and dumps compared once canonicalized.  Switches, ports, routers, NAT
rules and gateway chassis are made with the generic commands.

ovn-nbctl lists switches and routers in its replica's hash order, and a
switch's ports, a router's ports and NAT rules and a port's gateway
chassis in UUID order; the two servers choose different UUIDs, so steps
that show several of them sort the output as a tree (compat.py).  Steps
that show one switch or router with one of each keep the exact layout,
line order included.  test_show_same_server() then runs both programs
against one server, where the UUIDs are the same, and requires identical
bytes for "show SWITCH" and "show ROUTER" with many ports, NAT rules and
gateway chassis.
"""

import os
import shutil
import subprocess

import pytest

import kilntest
from compat import (Step, TARGET, _sort_output, compare_tools, ctl_tool, fails,

                    insert_singleton)

KILN_NBCTL = os.path.join(kilntest.BUILD, "tools", "kiln-nbctl")
S = Step


def tree(cmd):
    return Step(cmd, sort="tree")


REF = ctl_tool("ovn-nbctl", "--no-wait")
KILN = ctl_tool(KILN_NBCTL, "--no-wait")

# A switch with one port of each kind of detail, one port per switch so
# that the line order inside a port is compared as printed.
PORT_SWITCHES = [
    # type, parent, tag, addresses, router-port and "aka", in that order.
    "-- --id=@p create Logical_Switch_Port name=a type=router "
    "parent_name=par tag=9 tag_request=3 "
    "'addresses=\"aa:bb:cc:dd:ee:ff 1.1.1.1\"' "
    "dynamic_addresses='\"00:00:00:00:00:09 1.1.1.9\"' "
    "options:router-port=rp up=true enabled=false "
    "'external_ids:\"neutron:port_name\"=NN' "
    "-- create Logical_Switch name=sa ports=@p",
    # router-port without type router; no addresses.
    "-- --id=@p create Logical_Switch_Port name=b type=localnet "
    "options:router-port=rp2 -- create Logical_Switch name=sb ports=@p",
    # A lone "router" address is not shown.
    "-- --id=@p create Logical_Switch_Port name=c type=router "
    "addresses=router -- create Logical_Switch name=sc ports=@p",
    # An empty parent is shown, an empty neutron name is not.
    "-- --id=@p create Logical_Switch_Port name=d "
    "'addresses=[\"unknown\",\"dynamic\"]' parent_name='\"\"' "
    "'external_ids:\"neutron:port_name\"=\"\"' "
    "-- create Logical_Switch name=sd ports=@p",
    # "router" among others is shown; tag_request alone is not.
    "-- --id=@p create Logical_Switch_Port name=e "
    "'addresses=[\"router\",\"x\"]' tag=1 tag_request=2 "
    "-- create Logical_Switch name=se ports=@p",
    # Strings are printed as they are, quotes and all.
    "-- --id=@p create Logical_Switch_Port name='\"\"' "
    "'addresses=[\"a\\\"b\", \"c\\\\d\", \"\"]' "
    "-- create Logical_Switch name=sf ports=@p",
]

SESSIONS = {}

SESSIONS["switches"] = [
    "show",
    "create Logical_Switch name=empty",
    "show",
    "show empty",
] + PORT_SWITCHES + [
    "show sa",
    "show sb",
    "show sc",
    "show sd",
    "show se",
    "show sf",
    tree("show"),
    "show nosuch",
    "show ''",
    "show 00000000-0000-0000-0000-000000000000",
    fails("show a b"),
    fails("--if-exists show"),
    "create Logical_Switch name=dup",
    "create Logical_Switch name=dup",
    fails("show dup"),
    "create Logical_Switch name='\"\"'",
    tree("show ''"),
    # Several ports: their order follows UUIDs.
    "-- --id=@p create Logical_Switch_Port name=p1 "
    "-- --id=@q create Logical_Switch_Port name=p2 type=vtep "
    "-- --id=@r create Logical_Switch_Port name=p3 tag=4 "
    "-- create Logical_Switch name=multi 'ports=[@p,@q,@r]'",
    tree("show multi"),
    tree("show"),
]

SESSIONS["routers"] = [
    "-- --id=@g create Gateway_Chassis name=g1 chassis_name=chA priority=5 "
    "-- --id=@p create Logical_Router_Port name=rp "
    "mac='\"00:00:00:00:00:01\"' "
    "'networks=[\"1.1.1.1/24\",\"fd00::1/64\"]' gateway_chassis=@g peer=x "
    "enabled=false ipv6_ra_configs:address_mode=slaac "
    "'external_ids:\"neutron:port_name\"=NRP' "
    "-- --id=@n create NAT type=dnat_and_snat external_ip=3.3.3.3 "
    "logical_ip=1.1.1.5 external_port_range=1000-2000 logical_port=zz "
    "external_mac='\"00:00:00:00:00:05\"' options:a=b "
    "-- create Logical_Router name=r ports=@p nat=@n",
    "show r",
    "-- --id=@p create Logical_Router_Port name=rp2 mac='\"a\\\"b\"' "
    "'networks=[\"z\",\"a b\"]' "
    "-- --id=@n create NAT type=snat external_ip='\"3.3.3.3 x\"' "
    "logical_ip='\"\"' -- create Logical_Router name=r2 ports=@p nat=@n",
    "show r2",
    "create Logical_Router name=empty",
    "show empty",
    "-- --id=@n create NAT type=dnat external_ip=4.4.4.4 logical_ip=1.1.1.1 "
    "-- create Logical_Router name=natonly nat=@n",
    "show natonly",
    tree("show"),
    # A switch and a router of the same name are both shown.
    "create Logical_Switch name=r",
    "show r",
    "create Logical_Router name=r2",
    fails("show r2"),
    # Several ports and NAT rules: UUID order.  (Several gateway chassis
    # on one port print on one line in UUID order, which differs from
    # server to server: test_show_same_server() covers them.)
    "-- --id=@g1 create Gateway_Chassis name=x1 chassis_name=c1 priority=1 "
    "-- --id=@g2 create Gateway_Chassis name=x2 chassis_name=c2 priority=9 "
    "-- --id=@p1 create Logical_Router_Port name=m1 "
    "mac='\"00:00:00:00:00:0a\"' networks=10.0.0.1/24 "
    "gateway_chassis=@g1 "
    "-- --id=@p2 create Logical_Router_Port name=m2 "
    "mac='\"00:00:00:00:00:0b\"' networks=10.0.1.1/24 gateway_chassis=@g2 "
    "-- --id=@n1 create NAT type=snat external_ip=5.5.5.5 "
    "logical_ip=10.0.0.0/24 "
    "-- --id=@n2 create NAT type=dnat external_ip=5.5.5.6 "
    "logical_ip=10.0.0.6 "
    "-- create Logical_Router name=multi 'ports=[@p1,@p2]' 'nat=[@n1,@n2]'",
    tree("show multi"),
    tree("show"),
]


@pytest.mark.parametrize("kind", ["ovs", TARGET])
@pytest.mark.parametrize("name", list(SESSIONS))
def test_nbctl_show(kind, name):
    assert os.access(KILN_NBCTL, os.X_OK), KILN_NBCTL
    compare_tools(kind, "nb", "OVN_Northbound", REF, KILN, SESSIONS[name],
                  setup=insert_singleton("NB_Global", "OVN_Northbound"))


def _run(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout


def test_show_same_server():
    """On one server (same UUIDs), kiln-nbctl's show matches ovn-nbctl's
    byte for byte for one switch and one router, including the UUID order
    of ports, NAT rules and gateway chassis, and up to the order of
    switches and routers for the whole database."""
    d = kilntest.short_dir("nbshow")
    server = kilntest.DbServer("ovs", d, [kilntest.SCHEMAS["nb"]], name="t")
    try:
        server.start()
        common = ["--db=" + server.remote, "--no-wait", "--timeout=20"]
        ref = ["ovn-nbctl"] + common
        kiln = [KILN_NBCTL] + common
        kilntest.run(ref + ["init"])
        ports = []
        for i in range(8):
            ports += ["--", "--id=@p%d" % i, "create", "Logical_Switch_Port",
                      "name=p%d" % i, "tag=%d" % (i + 1),
                      'addresses="00:00:00:00:00:%02x 10.0.0.%d"' % (i, i)]
        refs = ",".join("@p%d" % i for i in range(8))
        kilntest.run(ref + ports + ["--", "create", "Logical_Switch",
                                    "name=s", "ports=[%s]" % refs])
        args = []
        for i in range(6):
            args += ["--", "--id=@g%d" % i, "create", "Gateway_Chassis",
                     "name=g%d" % i, "chassis_name=ch%d" % i,
                     "priority=%d" % (i * 7 % 5),
                     "--", "--id=@n%d" % i, "create", "NAT", "type=snat",
                     "external_ip=9.9.9.%d" % i,
                     "logical_ip=10.0.%d.0/24" % i]
        gws = ",".join("@g%d" % i for i in range(6))
        for i in range(6):
            args += ["--", "--id=@q%d" % i, "create", "Logical_Router_Port",
                     "name=q%d" % i, 'mac="00:00:00:00:01:%02x"' % i,
                     "networks=10.1.%d.1/24" % i]
            if i == 0:
                args.append("gateway_chassis=[%s]" % gws)
        nats = ",".join("@n%d" % i for i in range(6))
        lrps = ",".join("@q%d" % i for i in range(6))
        kilntest.run(ref + args + [
            "--", "create", "Logical_Router", "name=r",
            "ports=[%s]" % lrps, "nat=[%s]" % nats])
        kilntest.run(ref + ["create", "Logical_Switch", "name=t"])
        kilntest.run(ref + ["create", "Logical_Router", "name=u"])

        for cmd in (["show", "s"], ["show", "r"], ["show", "t"]):
            rc_ref, out_ref = _run(ref + cmd)
            rc_kiln, out_kiln = _run(kiln + cmd)
            assert rc_ref == 0 and rc_kiln == 0
            assert out_kiln == out_ref, cmd
        assert "gateway chassis: [" in _run(kiln + ["show", "r"])[1]
        rc_ref, out_ref = _run(ref + ["show"])
        rc_kiln, out_kiln = _run(kiln + ["show"])
        assert rc_ref == 0 and rc_kiln == 0
        assert (_sort_output(out_kiln, "tree")
                == _sort_output(out_ref, "tree"))
        assert out_kiln.count("\nswitch ") + out_kiln.startswith("switch") \
            == 2
    finally:
        server.stop()
        server.cleanup()
        shutil.rmtree(d, ignore_errors=True)
