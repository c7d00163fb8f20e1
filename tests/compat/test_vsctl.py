"""kiln-vsctl against ovs-vsctl --no-wait.

Each session runs once with ovs-vsctl against a fresh Debian ovsdb-server
and once with kiln-vsctl against a fresh server of each kind (ovsdb-server,
and the compat target), both on the Open_vSwitch schema with an empty
database (the first command creates the Open_vSwitch record).  Transcripts
(stdout, the first line of stderr with the program name replaced, exit
status) and final dumps must agree once canonicalized as in compat.py.
"""

import os

import pytest

import kilntest
from compat import TARGET, Step, Tool, compare_tools

KILN_VSCTL = os.path.join(kilntest.BUILD, "tools", "kiln-vsctl")
S = Step


def fails(cmd, **kw):
    return Step(cmd, fails=True, **kw)


REF = Tool("ovs-vsctl", lambda s: ["--db=" + s.remote, "--no-wait",
                                   "--timeout=20"])
KILN = Tool(KILN_VSCTL, lambda s: ["--db=" + s.remote, "--no-wait",
                                   "--timeout=20"])

SESSIONS = {}

SESSIONS["bridges"] = [
    "list-br",
    "add-br br0",
    "init",
    "init",
    fails("add-br br0"),
    "--may-exist add-br br0",
    "add-br br1",
    "list-br",
    "br-exists br0",
    fails("br-exists nosuch"),
    "list-ports br0",
    "list-ifaces br0",
    fails("list-ports nosuch"),
    fails("del-br nosuch"),
    "--if-exists del-br nosuch",
    "del-br br1",
    "list-br",
    "--columns=name,type list Interface br0",
    "--columns=name,interfaces list Port br0",
    "--columns=name,ports list Bridge br0",
    "get Open_vSwitch . bridges",
    "list-br -- add-br br7 -- list-br -- del-br br7 -- list-br",
    "add-br br8 -- add-port br8 p8 -- list-ports br8 -- del-br br8",
    "list-br",
]

SESSIONS["ports"] = [
    "init",
    "add-br br0",
    "add-br br1",
    "add-port br0 p1",
    fails("add-port br0 p1"),
    fails("add-port br1 p1"),
    fails("--may-exist add-port br1 p1"),
    "--may-exist add-port br0 p1",
    fails("add-port nosuch p2"),
    fails("add-port br0 br1"),
    "add-port br0 p2 -- set Interface p2 type=internal",
    "add-port br0 p3 tag=5 other_config:a=b",
    fails("add-port br0 p4 nosuch=5"),
    "list-ports br0",
    "list-ifaces br0",
    "list-ports br1",
    "iface-to-br p1",
    fails("iface-to-br br0"),
    fails("iface-to-br nosuch"),
    "port-to-br p2",
    fails("port-to-br br0"),
    fails("port-to-br nosuch"),
    "get Port p3 tag other_config",
    "get Interface p2 type",
    fails("del-port br0 nosuch"),
    fails("del-port br1 p1"),
    fails("del-port nosuch"),
    "--if-exists del-port nosuch",
    fails("--if-exists del-port br1 p1"),
    fails("del-port br0 br0"),
    "del-port p2",
    "del-port br0 p1",
    "list-ports br0",
    "del-br br0",
    "list-br",
    S("--bare --columns=name list Interface", sort="lines"),
]

SESSIONS["chassis"] = [
    "init",
    "set open . external_ids:system-id=hv1 "
    "external_ids:ovn-remote=tcp:192.0.2.1:6642 "
    "external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip=192.0.2.2",
    "get open . external_ids",
    "get Open_vSwitch . external_ids:system-id",
    "--may-exist add-br br-int -- set Bridge br-int fail_mode=secure "
    "other_config:disable-in-band=true",
    "--may-exist add-br br-int",
    "add-port br-int vif1 -- set Interface vif1 external_ids:iface-id=lp1",
    "--columns=name,external_ids list Interface vif1",
    "--format=table --columns=name,fail_mode list Bridge",
    "iface-to-br vif1",
    "list-ifaces br-int",
]

SESSIONS["errors"] = [
    "init",
    fails("bogus"),
    fails("add-br"),
    fails("add-br a b"),
    fails("add-br a b c d"),
    fails("list-br x"),
    fails("init x"),
    fails("br-exists a b"),
    fails("list-ports"),
    fails("--if-exists add-br br8"),
    fails("--may-exist del-br br8"),
    fails("--may-exist set open . external_ids:a=b"),
    fails("add-br br9 -- add-br br9"),
    fails("add-br br9 -- set Bridge br9 fail_mode=bogus"),
    "list-br",
]


@pytest.mark.parametrize("kind", ["ovs", TARGET])
@pytest.mark.parametrize("name", list(SESSIONS))
def test_vsctl(kind, name):
    assert os.access(KILN_VSCTL, os.X_OK), KILN_VSCTL
    compare_tools(kind, "vswitch", "Open_vSwitch", REF, KILN,
                  SESSIONS[name])


def test_help_mentions_no_wait():
    """--help documents that --no-wait does not wait for a switch."""
    text = kilntest.run([KILN_VSCTL, "--help"])
    assert "--no-wait" in text and "never waits" in text
    assert "add-port BRIDGE PORT" in text
