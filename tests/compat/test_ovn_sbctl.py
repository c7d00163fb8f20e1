"""ovn-sbctl sessions against the reference ovsdb-server and the target.

No northd runs: datapaths, port bindings and logical flows are made by hand
with the generic database commands.  Transcripts and final dumps must
match (see compat.py).
"""

import pytest

from compat import Join, Step, Tool, fails, run_compare

SCHEMA = "sb"
DBNAME = "OVN_Southbound"
TOOL = Tool("ovn-sbctl", lambda s: ["--db=" + s.remote, "--no-leader-only",
                                    "--timeout=20"])
S = Step


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
    "find Logical_Flow priority=100 pipeline=egress",
    S("--bare --columns=_uuid find Logical_Flow "
      "external_ids:stage-name=lr_in_admission", save="lf"),
    "set Logical_Flow ${lf} priority=60",
    "lflow-list lr0",
    "destroy Logical_Flow ${lf}",
    "count-flows lr0",
    "--columns=tunnel_key,external_ids list Datapath_Binding sw0",
    "get Datapath_Binding lr0 tunnel_key",
    fails("create Datapath_Binding tunnel_key=1"),
    fails("create Datapath_Binding tunnel_key=0"),
    "set Datapath_Binding sw0 external_ids:name2=switch0",
    "--columns=external_ids list Datapath_Binding switch0",
    "set Port_Binding vm1 options:requested-chassis=hv1 up=true",
    "get Port_Binding vm1 up options",
    fails("create Port_Binding logical_port=vm1 datapath=${dp1} "
          "tunnel_key=9"),
    fails("create Port_Binding logical_port=vm9 datapath=${dp1} "
          "tunnel_key=1"),
    fails("destroy Datapath_Binding sw0"),
    "create MAC_Binding logical_port=vm1 ip=10.0.0.5 "
    "mac='\"00:00:00:00:00:05\"' datapath=${dp1}",
    "--columns=logical_port,ip,mac list MAC_Binding",
    "chassis-del hv1",
    "--columns=logical_port,chassis list Port_Binding vm1",
]

SESSIONS["sb_global_and_db"] = [
    "init",
    "list SB_Global",
    S("create SB_Global", fails=True),
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
    S("create Meter name=m1 unit=kbps bands=[]", fails=True),
    S("wait-until SB_Global . external_ids:y=2", bg=True),
    "set SB_Global . external_ids:y=2",
    Join(),
    fails("--timeout=1 wait-until SB_Global . nb_cfg=99"),
    fails("destroy Chassis nosuch"),
    "--all destroy Address_Set",
    "list Address_Set",
]


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_sbctl_session(name):
    transcript = run_compare(SCHEMA, DBNAME, TOOL, SESSIONS[name])
    assert transcript.count("\n$ ") + 1 == sum(
        1 for s in SESSIONS[name] if not isinstance(s, Join))
