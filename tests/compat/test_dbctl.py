"""kiln-dbctl's generic database commands against ovn-nbctl and ovs-vsctl.

Each session runs once with the reference CLI (ovn-nbctl on
OVN_Northbound, ovs-vsctl --no-wait on Open_vSwitch) against a fresh
Debian ovsdb-server, and once with kiln-dbctl against a fresh server of
each kind (ovsdb-server, and the compat target).  Transcripts (stdout,
the first line of stderr with the program name replaced, exit status) and
final dumps must agree once canonicalized as in compat.py.
"""

import os

import pytest

import kilntest
from compat import (Join, Step, TARGET, Tool, compare_tools, ctl_tool, fails,

                    insert_singleton)

KILN_DBCTL = os.path.join(kilntest.BUILD, "tools", "kiln-dbctl")
S = Step


NB_REF = Tool("ovn-nbctl", lambda s: ["--db=" + s.remote, "--no-wait",
                                      "--timeout=20"])
VS_REF = ctl_tool("ovs-vsctl", "--no-wait")
KILN = ctl_tool(KILN_DBCTL, "--no-wait")

NB = {}

NB["create-list-get"] = [
    S("--id=@a create Logical_Switch name=sw0 "
      "other_config:a=1 'other_config:b=\"x y\"' external_ids:k=v"),
    "create Logical_Switch name=foo",
    S("list Logical_Switch", sort="records"),
    S("--format=table list Logical_Switch", sort="table"),
    S("--format=csv list Logical_Switch", sort="csv"),
    S("--bare --columns=name list Logical_Switch", sort="lines"),
    S("--format=table --data=bare list Logical_Switch", sort="table"),
    S("--format=csv --data=json list Logical_Switch", sort="csv"),
    S("--format=table --no-headings --columns=name,other_config "
      "find Logical_Switch", sort="lines"),
    "list Logical_Switch sw0",
    "--columns=name,other_config list Logical_Switch sw0 foo",
    "get Logical_Switch sw0 name other_config other_config:a external_ids",
    "get Logical_Switch sw0 other_config:b",
    "--if-exists get Logical_Switch sw0 other_config:zz",
    "--if-exists get Logical_Switch nosuch name",
    fails("get Logical_Switch sw0 other_config:zz"),
    fails("get Logical_Switch nosuch name"),
    fails("get Logical_Switch sw0 nosuch"),
    fails("get Nosuch sw0 name"),
    fails("list Logical_Switch nosuch"),
    "--format=json --columns=name,other_config list Logical_Switch sw0",
    "--format=json --pretty --columns=name,ports list Logical_Switch sw0",
    "--format=json --no-headings --columns=name list Logical_Switch foo",
]

NB["set-add-remove-clear"] = [
    "create Logical_Switch name=sw0",
    "set Logical_Switch sw0 other_config:x=1 other_config:y=two",
    "set Logical_Switch sw0 'external_ids={a=b, \"c d\"=\"e f\"}'",
    "get Logical_Switch sw0 other_config external_ids",
    "add Logical_Switch sw0 other_config z=3 x=9",
    "get Logical_Switch sw0 other_config",
    "remove Logical_Switch sw0 other_config x",
    "remove Logical_Switch sw0 other_config y=two z=4",
    "get Logical_Switch sw0 other_config",
    "clear Logical_Switch sw0 other_config external_ids",
    "list Logical_Switch sw0",
    "set Logical_Switch sw0 name=sw1",
    fails("get Logical_Switch sw0 name"),
    "get Logical_Switch sw1 name",
    "--if-exists set Logical_Switch sw0 name=x",
    fails("set Logical_Switch sw1 other_config:a"),
]

NB["ports-find-destroy"] = [
    "--id=@p create Logical_Switch_Port name=p1 "
    "addresses='\"00:00:00:00:00:01 10.0.0.1\"' -- "
    "create Logical_Switch name=sw0 ports=@p",
    "--id=@p create Logical_Switch_Port name=c1 parent_name=p1 "
    "tag_request=42 enabled=true -- "
    "add Logical_Switch sw0 ports @p",
    S("--columns=name,tag_request,parent_name,addresses,enabled "
      "list Logical_Switch_Port", sort="records"),
    "--columns=name find Logical_Switch_Port tag_request=42",
    "--columns=name find Logical_Switch_Port parent_name=p1",
    S("--columns=name,enabled find Logical_Switch_Port", sort="records"),
    "--columns=name find Logical_Switch_Port enabled!=true",
    "--bare --columns=addresses find Logical_Switch_Port name=p1",
    "--format=csv --columns=name,addresses find Logical_Switch_Port name=p1",
    "get Logical_Switch_Port c1 tag_request parent_name tag",
    "create Logical_Switch name=sw9",
    "destroy Logical_Switch sw9",
    fails("destroy Logical_Switch sw9"),
    "--if-exists destroy Logical_Switch sw9",
    S("--bare --columns=name list Logical_Switch", sort="lines"),
    "create Logical_Switch name=sw9",
    "--all destroy Logical_Switch",
    "list Logical_Switch",
]

NB["wait-until"] = [
    "create Logical_Switch name=sw0",
    "wait-until Logical_Switch sw0",
    S("wait-until Logical_Switch sw1 other_config:w=1", bg=True),
    "create Logical_Switch name=sw1",
    "set Logical_Switch sw1 other_config:w=1",
    Join(),
    S("wait-until Logical_Switch sw0 'other_config:v{>=}[]'", bg=True),
    Join(),
]

NB["read-own-writes"] = [
    "create Logical_Switch name=sw0 -- "
    "set Logical_Switch sw0 other_config:a=1",
    "set Logical_Switch sw0 other_config:b=2 -- "
    "get Logical_Switch sw0 other_config",
    "create Logical_Switch name=sw1 -- list Logical_Switch sw1",
    "destroy Logical_Switch sw1 -- --if-exists get Logical_Switch sw1 name",
    fails("list Logical_S sw0"),
]

NB["singleton"] = [
    "set NB_Global . options:foo=bar",
    "get NB_Global . options",
    "--columns=options,nb_cfg list NB_Global .",
    fails("set NB_Global . nb_cfg=notanumber"),
]

VS = {}

VS["bridges"] = [
    "--id=@i create Interface name=br0 type=internal -- "
    "--id=@p create Port name=br0 interfaces=@i -- "
    "--id=@b create Bridge name=br0 ports=@p -- "
    "add Open_vSwitch . bridges @b",
    "list Interface br0",
    "list Bridge br0",
    "--format=table --columns=name,ports list Bridge",
    "set Bridge br0 other_config:x=1 'external_ids={a=b, \"c d\"=\"e f\"}'",
    "get Bridge br0 other_config external_ids external_ids:a",
    "set Interface br0 mtu_request=1500 ofport_request=7",
    "--columns=name,mtu_request,ofport_request "
    "find Interface mtu_request=1500",
    "--bare --columns=name find Interface type=internal",
    "get Open_vSwitch . cur_cfg",
    "set Open_vSwitch . other_config:a=b",
    "--columns=other_config,cur_cfg,next_cfg list Open_vSwitch .",
    "set Bridge br0 flood_vlans=1,2",
    "--id=@b create Bridge name=br1 flood_vlans=3 other_config:mtu=1500 -- "
    "add Open_vSwitch . bridges @b",
]
for cond in ["flood_vlans{<=}1,2", "flood_vlans{<}1,2", "flood_vlans{>=}1",
             "flood_vlans{>}1,2", "flood_vlans{=}[2,1]",
             "flood_vlans{!=}3", "flood_vlans{in}1,2,3",
             "flood_vlans{not-in}1", "flood_vlans<3", "flood_vlans>3",
             "flood_vlans>=[1,2]", "flood_vlans<=3",
             "other_config:mtu!=1500", "other_config:mtu{!=}1500",
             "other_config:mtu<2000", "other_config:mtu{<=}1500",
             "name>br0"]:
    VS["bridges"].append(S("--bare --columns=name find Bridge '%s'" % cond,
                           sort="lines"))
VS["bridges"] += [
    "--id=@b get Bridge br0 -- set Open_vSwitch . bridges=@b -- "
    "get Open_vSwitch . bridges",
    fails("--id=@b get Bridge br0 -- --id=@b get Bridge br0"),
    "--format=csv --data=bare --columns=name,flood_vlans,datapath_id "
    "list Bridge br0",
    "--format=csv --columns=name,flood_vlans list Bridge br0",
    fails("find Bridge name~x"),
    fails("find Bridge flood_vlans=x"),
    fails("set Bridge br0 fail_mode=bogus"),
    fails("get Bridge br9 name"),
]

CASES = ([("nb", "OVN_Northbound", NB_REF, k, v) for k, v in NB.items()]
         + [("vswitch", "Open_vSwitch", VS_REF, k, v)
            for k, v in VS.items()])


@pytest.mark.parametrize("kind", ["ovs", TARGET])
@pytest.mark.parametrize("schema,dbname,ref_tool,name,steps", CASES,
                         ids=[c[0] + "-" + c[3] for c in CASES])
def test_dbctl(kind, schema, dbname, ref_tool, name, steps):
    assert os.access(KILN_DBCTL, os.X_OK), KILN_DBCTL
    # The singleton, which ovn-nbctl would otherwise create itself.
    single = {"nb": "NB_Global", "vswitch": "Open_vSwitch"}[schema]
    compare_tools(kind, schema, dbname, ref_tool, KILN, steps,
                  setup=insert_singleton(single, dbname))
