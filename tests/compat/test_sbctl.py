"""kiln-sbctl against ovn-sbctl 23.03.

Each session runs once with ovn-sbctl against a fresh Debian ovsdb-server
and once with kiln-sbctl against a fresh server of each kind (ovsdb-server,
and the compat target), both on the OVN_Southbound schema with an empty
SB_Global row (as northd would have made it).  No northd runs: datapaths,
port bindings and logical flows are made by hand with the generic commands.
Transcripts (stdout, the first line of stderr with the program name
replaced, exit status) and final dumps must agree once canonicalized as in
compat.py.
"""

import os
import subprocess

import pytest

import kilntest
from compat import (Join, Step, TARGET, compare_tools, ctl_tool, fails,
                    insert_singleton)

KILN_SBCTL = os.path.join(kilntest.BUILD, "tools", "kiln-sbctl")
S = Step


REF = ctl_tool("ovn-sbctl", "--no-leader-only")
KILN = ctl_tool(KILN_SBCTL, "--no-leader-only")

# Two datapaths (a switch and a router) with ports and a few flows in both
# pipelines, as northd would have written them.
DATAPATHS = [
    "init",
    S("create Datapath_Binding tunnel_key=1 external_ids:name=sw0 "
      "external_ids:logical-switch=11111111-0000-0000-0000-000000000001",
      save="dp1"),
    S("create Datapath_Binding tunnel_key=2 external_ids:name=lr0 "
      "external_ids:logical-router=11111111-0000-0000-0000-000000000002",
      save="dp2"),
    "create Port_Binding logical_port=vm1 datapath=${dp1} tunnel_key=1 "
    "mac='\"00:00:00:00:00:01 10.0.0.1\"'",
    "create Port_Binding logical_port=vm2 datapath=${dp1} tunnel_key=2 "
    "mac='\"00:00:00:00:00:02 10.0.0.2\"'",
    "create Port_Binding logical_port=sw0-lr0 datapath=${dp1} tunnel_key=3 "
    "type=patch options:peer=lr0-sw0",
    "create Port_Binding logical_port=lr0-sw0 datapath=${dp2} tunnel_key=1 "
    "type=patch options:peer=sw0-lr0 "
    "mac='\"00:00:00:00:ff:01 10.0.0.254/24\"'",
]

FLOWS = [
    "create Logical_Flow logical_datapath=${dp1} pipeline=ingress table_id=0 "
    "priority=100 match='\"vlan.present\"' actions='\"drop;\"' "
    "external_ids:stage-name=ls_in_check_port_sec",
    "create Logical_Flow logical_datapath=${dp1} pipeline=ingress table_id=0 "
    "priority=50 match='\"1\"' actions='\"next;\"' "
    "external_ids:stage-name=ls_in_check_port_sec",
    "create Logical_Flow logical_datapath=${dp1} pipeline=ingress table_id=1 "
    "priority=50 match='\"eth.dst == 00:00:00:00:00:01\"' "
    "actions='\"outport = \\\"vm1\\\"; output;\"' "
    "external_ids:stage-name=ls_in_l2_lkup",
    "create Logical_Flow logical_datapath=${dp1} pipeline=egress table_id=0 "
    "priority=0 match='\"1\"' actions='\"next;\"' "
    "external_ids:stage-name=ls_out_pre_acl",
    "create Logical_Flow logical_datapath=${dp2} pipeline=ingress table_id=0 "
    "priority=50 match='\"eth.mcast\"' actions='\"next;\"' "
    "external_ids:stage-name=lr_in_admission",
    "create Logical_Flow logical_datapath=${dp2} pipeline=egress table_id=3 "
    "priority=100 match='\"ip4.dst == 10.0.0.0/24\"' "
    "actions='\"ip.ttl--; next;\"' external_ids:stage-name=lr_out_delivery",
]

SESSIONS = {}

SESSIONS["chassis"] = [
    "chassis-add hv1 geneve 192.168.0.1",
    "chassis-add hv2 geneve,vxlan 192.168.0.2",
    "chassis-add hv3 stt 192.168.0.3",
    fails("chassis-add hv1 geneve 192.168.0.9"),
    "--may-exist chassis-add hv1 geneve 192.168.0.1",
    fails("chassis-add hv4 geneve"),
    S("show", sort="tree"),
    S("--columns=name,encaps list Chassis hv2"),
    S("--columns=type,ip,chassis_name list Encap", sort="records"),
    S("--columns=type,ip,chassis_name find Encap chassis_name=hv2",
      sort="records"),
    "get Chassis hv1 name",
    "set Chassis hv1 hostname=host-1 external_ids:ovn-bridge-mappings="
    "phys:br-ex other_config:ovn-cms-options=enable-chassis-as-gw",
    "get Chassis hv1 hostname external_ids other_config",
    "add Chassis hv1 external_ids k=v",
    "remove Chassis hv1 external_ids ovn-bridge-mappings",
    "get Chassis hv1 external_ids",
    "clear Chassis hv1 other_config",
    S("--bare --columns=_uuid find Encap chassis_name=hv3", save="e3"),
    "set Encap ${e3} options:csum=true",
    "--columns=options list Encap ${e3}",
    "chassis-del hv3",
    fails("chassis-del hv3"),
    "--if-exists chassis-del hv3",
    S("show", sort="tree"),
    S("--columns=type,ip,chassis_name list Encap", sort="records"),
    "list Chassis hv1",
    fails("list Chassis hv3"),
    fails("get Chassis hv1 nosuch"),
    fails("set Chassis hv1 nb_cfg=notanumber"),
    "create Chassis_Private name=hv1 nb_cfg=5",
    "--columns=name,nb_cfg list Chassis_Private hv1",
    "chassis-del hv2",
    "--bare --columns=name list Chassis",
]

SESSIONS["bindings_and_flows"] = DATAPATHS + FLOWS + [
    "chassis-add hv1 geneve 192.168.0.1",
    "chassis-add hv2 geneve 192.168.0.2",
    "lsp-bind vm1 hv1",
    "lsp-bind vm2 hv2",
    fails("lsp-bind vm1 hv2"),
    "--may-exist lsp-bind vm1 hv1",
    fails("lsp-bind nosuch hv1"),
    fails("lsp-bind vm1 nosuch"),
    S("show", sort="tree"),
    "--columns=logical_port,chassis,tunnel_key list Port_Binding vm1",
    "lsp-unbind vm2",
    "lsp-unbind vm2",
    fails("lsp-unbind nosuch"),
    "--if-exists lsp-unbind vm2",
    S("show", sort="tree"),
    "lflow-list",
    "lflow-list sw0",
    "lflow-list lr0",
    "dump-flows ${dp2}",
    fails("lflow-list nosuch"),
    "count-flows",
    "count-flows sw0",
    "--uuid lflow-list sw0",
    S("--columns=pipeline,table_id,priority,match,actions find Logical_Flow "
      "table_id=0 pipeline=ingress", sort="records"),
    "--columns=priority,match find Logical_Flow priority=100 "
    "pipeline=egress",
    S("--bare --columns=_uuid find Logical_Flow "
      "external_ids:stage-name=lr_in_admission", save="lf"),
    "set Logical_Flow ${lf} priority=60",
    "lflow-list lr0",
    "destroy Logical_Flow ${lf}",
    "count-flows lr0",
    "--columns=tunnel_key,external_ids list Datapath_Binding sw0",
    "get Datapath_Binding lr0 tunnel_key",
    "set Datapath_Binding sw0 external_ids:name2=switch0",
    "--columns=external_ids list Datapath_Binding switch0",
    "set Port_Binding vm1 options:requested-chassis=hv1 up=true",
    "get Port_Binding vm1 up options",
    "create MAC_Binding logical_port=vm1 ip=10.0.0.5 "
    "mac='\"00:00:00:00:00:05\"' datapath=${dp1}",
    "--columns=logical_port,ip,mac list MAC_Binding",
    "chassis-del hv1",
    "--columns=logical_port,chassis list Port_Binding vm1",
]

SESSIONS["sb_global_and_db"] = [
    "init",
    "list SB_Global",
    "set SB_Global . options:northd_probe_interval=5000 nb_cfg=3",
    "get SB_Global . options nb_cfg",
    "add SB_Global . external_ids x=1",
    "--columns=nb_cfg,options,external_ids list SB_Global",
    "set-connection ptcp:6642 pssl:6643",
    S("get-connection", sort="lines"),
    S("--columns=target,inactivity_probe list Connection", sort="records"),
    "--inactivity-probe=30000 set-connection ptcp:6642",
    "get-connection",
    "--columns=target,inactivity_probe list Connection",
    "del-connection",
    "get-connection",
    "set-ssl /tmp/key.pem /tmp/cert.pem /tmp/ca.pem",
    "get-ssl",
    "del-ssl",
    "get-ssl",
    S("create Address_Set name=as1 addresses='\"10.0.0.1\"'", save="as1"),
    "list Address_Set as1",
    "--format=csv --columns=name,addresses list Address_Set",
    "--format=json --columns=name,addresses list Address_Set",
    S("wait-until SB_Global . external_ids:y=2", bg=True),
    "set SB_Global . external_ids:y=2",
    Join(),
    fails("destroy Chassis nosuch"),
    "--all destroy Address_Set",
    "list Address_Set",
]


# Flows shared by several datapaths through a Logical_DP_Group, one of
# them also with its own logical_datapath; lookups by UUID prefix and
# OpenFlow cookie; the options ovn-sbctl takes for a switch it cannot see.
SESSIONS["lflow_details"] = DATAPATHS + FLOWS + [
    S("create Datapath_Binding tunnel_key=7 external_ids:name2=other",
      save="dp3"),
    "create Datapath_Binding tunnel_key=8",
    "create Datapath_Binding tunnel_key=9 external_ids:name=dup",
    "create Datapath_Binding tunnel_key=10 external_ids:name=dup",
    "-- --id=@g create Logical_DP_Group datapaths='[${dp1},${dp3}]' "
    "-- create Logical_Flow logical_dp_group=@g pipeline=ingress "
    "table_id=12 priority=7 match='\"m\"' actions='\"a\"' "
    "external_ids:stage-name=ls_in_acl "
    "-- create Logical_Flow logical_dp_group=@g logical_datapath=${dp1} "
    "pipeline=egress table_id=0 priority=7 match='\"m\"' "
    "actions='\"b\"' external_ids:stage-name=ls_out_acl",
    "create Logical_Flow logical_datapath=${dp1} pipeline=ingress "
    "table_id=0 priority=50 match='\"0\"' actions='\"next;\"' "
    "external_ids:stage-name=ls_in_check_port_sec",
    "create Logical_Flow logical_datapath=${dp1} pipeline=ingress "
    "table_id=0 priority=50 match='\"1\"' actions='\"a;\"'",
    "lflow-list",
    "dump-flows sw0",
    "lflow-list other",
    "lflow-list ${dp3}",
    "count-flows",
    "count-flows sw0",
    "count-flows other",
    "count-flows nosuch",
    fails("count-flows dup"),
    fails("lflow-list dup"),
    "--uuid lflow-list",
    "--uuid dump-flows lr0",
    "lflow-list lr0 000",
    "lflow-list lr0 0x0",
    fails("lflow-list lr0 zzz"),
    fails("lflow-list lr0 0x"),
    fails("lflow-list sw0 0915a3163f4a"),
    fails("lflow-list nosuch"),
    "--ovs lflow-list lr0",
    "--ovs=unix:/nonexistent/br-int.mgmt --stats dump-flows lr0",
    fails("--may-exist lflow-list"),
    "count-flows -- lflow-list lr0 -- count-flows lr0",
]

# Global options, output formats and batches that mix commands.
SESSIONS["options_and_batches"] = DATAPATHS + [
    "--oneline chassis-add hv1 geneve 192.168.0.1 -- get-connection "
    "-- set-connection ptcp:6642 pssl:6643 -- get-connection",
    "--dry-run chassis-add hv2 vxlan 192.168.0.2",
    fails("chassis-del hv2"),
    "chassis-add hv2 vxlan 192.168.0.2 -- lsp-bind vm2 hv2 "
    "-- --columns=logical_port list Port_Binding vm2",
    S("show", sort="tree"),
    "chassis-add hv3 geneve 192.168.0.3 -- chassis-del hv3",
    fails("chassis-add hv4 geneve 192.168.0.4 -- lsp-bind vm1 nosuch"),
    fails("chassis-del hv4"),
    "--format=csv --columns=name,hostname list Chassis hv2",
    "--format=json --columns=name list Chassis hv1",
    "--bare --columns=name find Chassis name=hv1",
    "-f table --columns=name list Chassis hv1",
    "-d json --columns=name list Chassis hv1",
    "get Datapath_Binding sw0 tunnel_key",
    fails("bogus"),
    fails("chassis-add"),
    fails("lsp-bind vm1"),
    fails("--if-exists lsp-bind vm1 hv1"),
    fails("--may-exist chassis-del hv1"),
    "lsp-unbind vm2",
    "--columns=up,chassis list Port_Binding vm2",
    S("lsp-bind vm2 hv1 -- show", sort="tree"),
    "--columns=up list Port_Binding vm2",
    "--if-exists chassis-del nosuch -- chassis-del hv2",
]


@pytest.mark.parametrize("kind", ["ovs", TARGET])
@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_sbctl(kind, name):
    assert os.access(KILN_SBCTL, os.X_OK), KILN_SBCTL
    compare_tools(kind, "sb", "OVN_Southbound", REF, KILN, SESSIONS[name],
                  setup=insert_singleton("SB_Global", "OVN_Southbound"))


def test_help():
    """--help is kiln-sbctl's own text and names every command family."""
    text = kilntest.run([KILN_SBCTL, "--help"])
    for word in ("chassis-add", "lsp-bind", "lflow-list", "count-flows",
                 "set-connection", "set-ssl", "wait-until", "OVN_SB_DB"):
        assert word in text, word


def test_default_db(tmp_path):
    """Without --db: $OVN_SB_DB, else $OVN_RUNDIR/ovnsb_db.sock."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OVN_", "OVS_"))}
    env["OVN_RUNDIR"] = str(tmp_path)
    p = subprocess.run([KILN_SBCTL, "-t", "1", "show"], env=env,
                                capture_output=True, text=True)
    assert p.returncode == 1
    assert "unix:%s/ovnsb_db.sock" % tmp_path in p.stderr
    env["OVN_SB_DB"] = "unix:%s/other.sock" % tmp_path
    p = subprocess.run([KILN_SBCTL, "-t", "1", "show"], env=env,
                                capture_output=True, text=True)
    assert p.returncode == 1
    assert "unix:%s/other.sock" % tmp_path in p.stderr
