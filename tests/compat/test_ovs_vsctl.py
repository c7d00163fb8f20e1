"""ovs-vsctl sessions against the reference ovsdb-server and the target.

The Open_vSwitch schema, --no-wait (no ovs-vswitchd runs); each session
starts with `ovs-vsctl --no-wait init`.  Transcripts and final dumps must
match (see compat.py).
"""

import pytest

from compat import Join, Step, Tool, fails, run_compare

SCHEMA = "vswitch"
DBNAME = "Open_vSwitch"
TOOL = Tool("ovs-vsctl", lambda s: ["--db=" + s.remote, "--no-wait",
                                    "--timeout=20"])
S = Step


SESSIONS = {}

SESSIONS["bridges"] = [
    "init",
    "init",
    "add-br br0",
    "add-br br1",
    fails("add-br br0"),
    "--may-exist add-br br0",
    "list-br",
    "br-exists br0",
    fails("br-exists nosuch"),
    "add-br br0.10 br0 10",
    fails("add-br br0.11 nosuch 11"),
    fails("add-br br0.12 br0 5000"),
    "list-br",
    "br-to-vlan br0.10",
    "br-to-parent br0.10",
    "br-to-vlan br0",
    "br-to-parent br0",
    "del-br br1",
    fails("del-br br1"),
    "--if-exists del-br br1",
    "list-br",
    "br-set-external-id br0 bridge-id br0-id",
    "br-get-external-id br0",
    "br-get-external-id br0 bridge-id",
    "br-set-external-id br0 bridge-id",
    "br-get-external-id br0",
    "set Bridge br0 fail_mode=secure other_config:hwaddr=00:00:00:00:00:aa "
    "protocols=OpenFlow13,OpenFlow15",
    "get Bridge br0 fail_mode protocols other_config:hwaddr",
    fails("set Bridge br0 fail_mode=sideways"),
    fails("set Bridge br0 protocols=OpenFlow99"),
    "get-fail-mode br0",
    "set-fail-mode br0 standalone",
    "get-fail-mode br0",
    "del-fail-mode br0",
    "get-fail-mode br0",
    "set-controller br0 tcp:127.0.0.1:6653 unix:/tmp/ctl.sock",
    S("get-controller br0", sort="lines"),
    "del-controller br0",
    "get-controller br0",
    "set-manager ptcp:6640",
    "get-manager",
    "del-manager",
    S("--columns=name,fail_mode,datapath_type list Bridge", sort="records"),
    "del-br br0",
    "list-br",
    "add-br br2 -- set Bridge br2 datapath_type=netdev",
    S("--columns=name,ports list Bridge br2"),
]

SESSIONS["ports"] = [
    "init",
    "add-br br0",
    "add-br br1",
    "add-port br0 eth0",
    "add-port br0 tap0 -- set Interface tap0 type=internal",
    "add-port br0 vx0 -- set Interface vx0 type=vxlan "
    "options:remote_ip=192.168.0.2 options:key=flow",
    "add-port br1 gnv0 -- set Interface gnv0 type=geneve "
    "options:remote_ip=flow options:csum=true",
    fails("add-port br1 eth0"),
    fails("add-port br0 eth0"),
    "--may-exist add-port br0 eth0",
    fails("--may-exist add-port br1 eth0"),
    fails("add-port nosuch eth9"),
    "add-port br0 p1 tag=10 -- set Interface p1 type=internal",
    "add-port br0 p2 trunks=10,20,30",
    fails("add-port br0 p3 tag=5000"),
    "list-ports br0",
    "list-ports br1",
    "list-ifaces br0",
    "iface-to-br vx0",
    fails("iface-to-br nosuch"),
    "port-to-br p1",
    "add-bond br1 bond0 eth1 eth2",
    "add-bond br1 bond1 eth3 eth4 bond_mode=balance-slb -- "
    "set Port bond1 lacp=active",
    fails("add-bond br1 bond2 eth5"),
    "list-ports br1",
    "list-ifaces br1",
    "iface-to-br eth1",
    "port-to-br bond0",
    "get Port bond1 bond_mode lacp",
    S("--columns=name,type,options list Interface vx0"),
    S("--columns=name,type,options find Interface type=internal",
      sort="records"),
    "get Interface gnv0 options:remote_ip",
    "set Interface eth0 mtu_request=9000 external_ids:iface-id=vm1 "
    "external_ids:attached-mac=00:00:00:00:00:01",
    "get Interface eth0 mtu_request external_ids",
    fails("set Interface eth0 mtu_request=0"),
    "remove Interface eth0 external_ids attached-mac",
    "add Interface eth0 external_ids iface-status=active",
    "get Interface eth0 external_ids",
    "clear Interface eth0 external_ids",
    "get Interface eth0 external_ids",
    "set Port p1 tag=20 other_config:priority-tags=true",
    "get Port p1 tag other_config",
    "remove Port p2 trunks 20",
    "get Port p2 trunks",
    "clear Port p2 trunks",
    "get Port p2 trunks",
    "del-port br0 p2",
    fails("del-port br0 p2"),
    "--if-exists del-port br0 p2",
    fails("del-port br1 tap0"),
    "del-port tap0",
    "--with-iface del-port br1 eth3",
    "list-ports br0",
    "list-ports br1",
    "list-ifaces br1",
    "del-br br1",
    S("--bare --columns=name list Interface", sort="lines"),
    S("--bare --columns=name list Port", sort="lines"),
]

SESSIONS["open_vswitch"] = [
    "init",
    "list Open_vSwitch",
    "set open . external_ids:system-id=hv1 "
    "external_ids:ovn-remote=unix:/run/ovn/ovnsb_db.sock "
    "external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip=192.168.0.1",
    "get Open_vSwitch . external_ids",
    "get open . external_ids:system-id",
    "get Open_vSwitch . external_ids:ovn-encap-ip",
    fails("get Open_vSwitch . external_ids:nosuch"),
    "--if-exists get Open_vSwitch . external_ids:nosuch",
    "set Open_vSwitch . other_config:dpdk-init=false "
    "other_config:max-idle=20000",
    "--columns=external_ids,other_config list Open_vSwitch",
    fails("add Open_vSwitch . external_ids ovn-bridge-mappings=physnet:br-ex"),
    "add Open_vSwitch . external_ids "
    "ovn-bridge-mappings='\"physnet:br-ex\"'",
    "remove Open_vSwitch . external_ids ovn-encap-ip",
    "remove Open_vSwitch . other_config max-idle=1",
    "get Open_vSwitch . external_ids other_config",
    "clear Open_vSwitch . other_config",
    "--columns=other_config list Open_vSwitch .",
    "set Open_vSwitch . external_ids:ovn-encap-ip=192.168.0.7",
    "find Open_vSwitch external_ids:system-id=hv1",
    "--columns=external_ids find Open_vSwitch "
    "'external_ids:ovn-encap-type=geneve'",
    "find Open_vSwitch external_ids:system-id=hv2",
    fails("set Open_vSwitch . nosuch=1"),
    fails("set Open_vSwitch . ovs_version=1 ovs_version"),
    "set Open_vSwitch . ovs_version=3.1.0 db_version=8.3.1",
    "get Open_vSwitch . ovs_version db_version next_cfg cur_cfg",
    "add-br br-int -- set Bridge br-int fail_mode=secure "
    "other_config:disable-in-band=true",
    "get Open_vSwitch . bridges",
    S("--id=@q create QoS type=linux-htb other_config:max-rate=1000000",
      save="qos"),
    "add-port br-int vif1",
    "set Port vif1 qos=${qos}",
    "--columns=type,other_config list QoS",
    fails("destroy QoS ${qos}"),
    "clear Port vif1 qos",
    "destroy QoS ${qos}",
    "list QoS",
    "-- --id=@m create Mirror name=m0 select_all=true -- "
    "add Bridge br-int mirrors @m",
    "--columns=name,select_all list Mirror",
    "clear Bridge br-int mirrors",
    "list Mirror",
    "emer-reset",
    "get Bridge br-int fail_mode other_config",
    fails("destroy Bridge nosuch"),
    "--columns=name list Bridge",
    S("wait-until Open_vSwitch . external_ids:ready=yes", bg=True),
    "set Open_vSwitch . external_ids:ready=yes",
    Join(),
    "wait-until Bridge br-int",
    fails("--timeout=1 wait-until Bridge nosuch"),
    S("show", sort="tree"),
]

SESSIONS["formats_and_errors"] = [
    "init",
    "add-br br0",
    "add-port br0 p1 tag=7 -- set Interface p1 type=internal "
    "external_ids:a=1 external_ids:b='x y'",
]
for fmt in ("table", "list", "csv", "json"):
    for extra in ("", "--data=bare ", "--data=json "):
        SESSIONS["formats_and_errors"].append(
            "--format=%s %s--columns=name,type,external_ids,options,mtu "
            "list Interface p1" % (fmt, extra))
SESSIONS["formats_and_errors"] += [
    "--bare --columns=name,tag list Port p1",
    "--format=table --columns=_uuid,name,interfaces list Port p1",
    "--format=json --columns=_uuid,interfaces list Port p1",
    "--no-headings --format=table --columns=name,tag list Port p1",
    fails("list NoSuchTable"),
    fails("list Bridge nosuch"),
    "get Bridge br0",
    fails("get Bridge br0 nosuchcolumn"),
    fails("set Bridge br0 stp_enable=maybe"),
    fails("set Port p1 tag=-1"),
    fails("add Bridge br0 name x"),
    fails("nosuch-command"),
    fails("add-br"),
    fails("add-br br1 br0"),
    fails("--may-exist add-br br0 br0 1"),
    fails("del-port nosuch"),
    fails("add-port br0 p1 -- nosuch"),
    fails("clear Bridge br0 name"),
    "create Bridge name=br9",
    "--id=@b create Bridge name=br9 -- add Open_vSwitch . bridges @b",
    "list-br",
    "add-br br3 -- add-port br3 p3 -- add-port br3 p4 "
    "-- set Port p3 tag=3",
    "list-ports br3 -- list-br -- port-to-br p4",
    fails("add-br br4 -- add-port br4 p3"),
    "list-br",
    "comment this is ignored -- list-br",
    "--oneline list-br -- list-ports br3",
    S("show", sort="tree"),
]


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_vsctl_session(name):
    transcript = run_compare(SCHEMA, DBNAME, TOOL, SESSIONS[name])
    assert transcript.count("\n$ ") + 1 == sum(
        1 for s in SESSIONS[name] if not isinstance(s, Join))
