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
from compat import Step, TARGET, compare_tools, ctl_tool, fails

KILN_VSCTL = os.path.join(kilntest.BUILD, "tools", "kiln-vsctl")
S = Step


REF = ctl_tool("ovs-vsctl", "--no-wait")
KILN = ctl_tool(KILN_VSCTL, "--no-wait")

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

SESSIONS["vlan-bridges"] = [
    "add-br br0",
    "add-br vl10 br0 10",
    fails("add-br vl10 br0 10"),
    "--may-exist add-br vl10 br0 10",
    fails("--may-exist add-br vl10 br0 11"),
    fails("--may-exist add-br vl10 br1 10"),
    fails("--may-exist add-br br0 br0 10"),
    fails("--may-exist add-br vl10"),
    fails("add-br vlx nosuch 5"),
    fails("add-br vly vl10 5"),
    fails("add-br vlz br0 4096"),
    fails("add-br vlz br0 -1"),
    fails("add-br br0 br0 5000"),
    "add-br vl0 br0 0",
    "list-br",
    "--real list-br",
    "--fake list-br",
    "--real --fake list-br",
    fails("list-br --real"),
    "br-to-vlan vl10",
    "br-to-vlan br0",
    "br-to-parent vl10",
    "br-to-parent br0",
    fails("br-to-vlan nosuch"),
    fails("br-to-parent nosuch"),
    "add-port vl10 p1",
    "add-port br0 p2",
    "add-port vl10 p3 tag=44",
    "list-ports vl10",
    "list-ports br0",
    "list-ifaces vl10",
    "list-ifaces br0",
    "port-to-br p1",
    "iface-to-br p1",
    fails("port-to-br vl10"),
    fails("iface-to-br vl10"),
    fails("del-port br0 vl10"),
    fails("del-port vl10 p2"),
    fails("del-port br0 p1"),
    fails("--may-exist add-port br0 p1"),
    "--may-exist add-port vl10 p1 tag=5",
    "get Port p1 tag fake_bridge",
    "--columns=name,tag,fake_bridge list Port vl10",
    "--columns=name,type list Interface vl10",
    "set Port p2 tag=10 -- list-ports vl10",
    "del-port vl10 p1",
    "del-br vl10",
    "list-br -- list-ports br0",
    "add-br vl20 br0 20 -- add-port vl20 q1 -- list-ports vl20 "
    "-- del-br br0 -- list-br",
    S("--bare --columns=name list Port", sort="lines"),
]

SESSIONS["external-ids"] = [
    "add-br br0 -- add-br vl7 br0 7",
    "br-set-external-id br0 k v",
    "br-set-external-id br0 a 1",
    "br-set-external-id vl7 k2 v2",
    "br-get-external-id br0",
    "br-get-external-id br0 k",
    "br-get-external-id br0 nokey",
    "br-get-external-id vl7",
    "br-get-external-id vl7 k2",
    "get Port vl7 external_ids",
    "br-set-external-id br0 k",
    "br-set-external-id vl7 k2",
    "br-get-external-id br0 -- br-get-external-id vl7",
    "br-set-external-id br0 'a b' 'c\"d'",
    "br-get-external-id br0",
    fails("br-set-external-id nosuch a b"),
    fails("br-get-external-id nosuch"),
    fails("br-set-external-id br0"),
    fails("br-get-external-id br0 a b"),
]

SESSIONS["fail-mode"] = [
    "add-br br0 -- add-br vl5 br0 5",
    "get-fail-mode br0",
    "set-fail-mode br0 secure",
    "get-fail-mode br0",
    "get-fail-mode vl5",
    fails("set-fail-mode vl5 standalone"),
    fails("set-fail-mode br0 bogus"),
    fails("set-fail-mode nosuch secure"),
    fails("del-fail-mode vl5"),
    fails("get-fail-mode nosuch"),
    fails("set-fail-mode br0"),
    "del-fail-mode br0",
    "set-fail-mode br0 standalone -- get-fail-mode br0",
    "del-fail-mode br0",
    "get-fail-mode br0",
    "get Bridge br0 fail_mode",
]

SESSIONS["controller-manager"] = [
    "add-br br0 -- add-br vl5 br0 5",
    "get-controller br0",
    "set-controller br0 tcp:192.0.2.9:6653 unix:/tmp/x.sock",
    "get-controller br0",
    "get-controller vl5",
    fails("set-controller vl5 ptcp:"),
    fails("del-controller vl5"),
    fails("get-controller nosuch"),
    "set-controller br0 tcp:192.0.2.1:6653",
    "get-controller br0",
    S("--bare --columns=target list Controller", sort="lines"),
    "set-controller br0",
    "get-controller br0",
    "set-controller br0 ptcp:6653 -- del-controller br0 -- get-controller br0",
    "get-manager",
    "set-manager ptcp:6640 tcp:192.0.2.1:6640",
    "get-manager",
    S("--bare --columns=target list Manager", sort="lines"),
    "set-manager punix:/tmp/m.sock -- get-manager",
    fails("set-manager"),
    fails("get-manager x"),
    "del-manager",
    "get-manager",
    "get Open_vSwitch . manager_options",
]

SESSIONS["bonds"] = [
    "add-br br0 -- add-br vl10 br0 10",
    "add-bond br0 bond0 a b",
    fails("add-bond br0 bond1 c"),
    fails("add-bond br0 bond1 c d=1"),
    "--fake-iface add-bond br0 bond2 d e lacp=active",
    "list-ports br0",
    "list-ifaces br0",
    "--columns=name,lacp,bond_fake_iface list Port bond2",
    "add-bond vl10 bond3 f g",
    "get Port bond3 tag",
    "--may-exist add-bond br0 bond0 a b",
    "--may-exist add-bond br0 bond0 b a",
    fails("--may-exist add-bond br0 bond0 a x"),
    fails("--may-exist add-bond vl10 bond0 b a"),
    fails("add-bond br0 bond4 a h"),
    fails("add-bond br0 bond4 h br0"),
    "iface-to-br a",
    "port-to-br bond3",
    "--with-iface del-port f",
    fails("--with-iface del-port nosuch"),
    "--with-iface --if-exists del-port nosuch",
    "del-port br0 bond0",
    "list-ports br0 -- list-ifaces vl10",
]

SESSIONS["emer-reset"] = [
    "add-br br0 -- set Bridge br0 fail_mode=secure other_config:a=b "
    "other_config:hwaddr=00:11:22:33:44:55 external_ids:x=y "
    "protocols=OpenFlow13 flood_vlans=5",
    "set-controller br0 tcp:192.0.2.1:6653 -- set-manager ptcp:6640",
    "add-port br0 p1 tag=7 other_config:q=r external_ids:z=w "
    "-- set Interface p1 other_config:u=v ingress_policing_rate=5 "
    "ingress_policing_burst=3 options:a=b",
    "-- --id=@m create Mirror name=m1 -- add Bridge br0 mirrors @m "
    "-- --id=@n create NetFlow targets=\\\"192.0.2.1:5\\\" "
    "-- set Bridge br0 netflow=@n -- --id=@s create sFlow "
    "targets=\\\"192.0.2.1:6\\\" -- set Bridge br0 sflow=@s "
    "-- --id=@l create SSL private_key=a certificate=b ca_cert=c "
    "-- set Open_vSwitch . ssl=@l external_ids:foo=bar other_config:b=c",
    "emer-reset",
    "get-controller br0 -- get-manager -- get-fail-mode br0",
    "--columns=other_config,external_ids,protocols,flood_vlans list Bridge",
    "get Port p1 other_config external_ids tag",
    "get Interface p1 other_config ingress_policing_rate "
    "ingress_policing_burst options",
    "list Mirror",
    "emer-reset",
]

SESSIONS["ovn-chassis"] = [
    "set open . external_ids:system-id=hv1 "
    "external_ids:ovn-remote=tcp:192.0.2.1:6642 "
    "external_ids:ovn-encap-type=geneve "
    "external_ids:ovn-encap-ip=192.0.2.2 external_ids:ovn-bridge=br-int",
    "--may-exist add-br br-int -- set Bridge br-int fail_mode=secure "
    "other_config:disable-in-band=true",
    "--may-exist add-br br-int",
    "--may-exist add-br br-ex",
    "set open . external_ids:ovn-bridge-mappings=physnet:br-ex",
    "--may-exist add-port br-ex eth1",
    "add-port br-int vif1 -- set Interface vif1 "
    "external_ids:iface-id=lp1 type=internal",
    "--may-exist add-port br-int vif1",
    "get-fail-mode br-int",
    "br-get-external-id br-int",
    "get open . external_ids:ovn-encap-type external_ids:ovn-bridge",
    "list-br",
    "list-ports br-int -- list-ports br-ex",
    "--columns=name,external_ids,type list Interface vif1",
    "del-port br-int vif1 -- list-ifaces br-int",
]

SESSIONS["syntax"] = [
    "init",
    fails("list-br x"),
    fails("list-br --x"),
    fails("list-br x -y"),
    fails("--may-exist set open . a=b"),
    fails("--if-exists create Open_vSwitch"),
    fails("--all list Open_vSwitch"),
    fails("add-br a b -- bogus"),
    fails("add-br br1 -- list-br x"),
    fails("--"),
    fails("--if-exists"),
    fails("--fake-iface add-port br0 p0"),
    fails("--with-iface del-br br0"),
    fails("add-bond br0 b0 x"),
    fails("set-controller"),
    fails("br-to-vlan"),
    fails("br-to-parent a b"),
    fails("emer-reset x"),
    "--oneline list-br -- add-br br2 -- list-br -- br-to-vlan br2",
    "--dry-run add-br br3",
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
    for cmd in ("add-br BRIDGE PARENT VLAN", "br-to-vlan", "br-to-parent",
                "br-set-external-id", "br-get-external-id", "get-fail-mode",
                "set-fail-mode", "del-fail-mode", "get-controller",
                "set-controller", "del-controller", "get-manager",
                "set-manager", "del-manager", "add-bond", "emer-reset"):
        assert cmd in text, cmd
