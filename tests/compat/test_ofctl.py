"""Compat suite for kiln-ofctl (tools/kiln-ofctl.c) against Debian's
ovs-ofctl.

Each session is a list of ovs-ofctl command lines.  It is played twice,
each time against a fresh kiln-switchd with one bridge "br0" (kiln-db
holding the Open_vSwitch schema): once with /usr/bin/ovs-ofctl, once with
kiln-ofctl.  The transcripts (stdout, stderr with "ovs-ofctl:" turned into
"kiln-ofctl:", exit status) must be equal once the values that differ
between two runs of one program are masked: durations, ages, the
datapath id and the bridge's MAC address.  Sessions marked "vswitchd"
are also played with kiln-ofctl against Debian's ovs-vswitchd (netdev
datapath, in its own network namespace under unshare -n) and compared with
ovs-ofctl against a second ovs-vswitchd.

Every process is killed and every directory removed at teardown.
"""

import os
import re
import shlex
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "system"))
sys.path.insert(0, os.path.dirname(HERE))
import kilntest  # noqa: E402
import test_switchd_openflow as swtest  # noqa: E402

KILN_OFCTL = os.path.join(kilntest.BUILD, "tools", "kiln-ofctl")
OVS_OFCTL = "/usr/bin/ovs-ofctl"

_MASKS = [
    (re.compile(r"(duration|idle_age|hard_age|idle_time)=[0-9.]+s?"),
     r"\1=?"),
    (re.compile(r"dpid:[0-9a-f]{16}"), "dpid:?"),
    (re.compile(r"addr:[0-9a-f]{2}(:[0-9a-f]{2}){5}"), "addr:?"),
]


def mask(text, sw):
    text = text.replace("ovs-ofctl:", "kiln-ofctl:")
    text = text.replace(sw.mgmt, "BR").replace(sw.dir, "DIR")
    for rx, rep in _MASKS:
        text = rx.sub(rep, text)
    return text


def play(kind, program, session, tmp_path):
    """Plays 'session' with 'program' against a fresh switch of 'kind';
    returns the transcript."""
    sw = swtest.Switch(kind)
    out = []
    try:
        sw.start()
        for step in session:
            stdin = None
            if isinstance(step, tuple):
                step, stdin = step
            args = shlex.split(step)
            args = [a.replace("BR", sw.mgmt) if a == "BR" else
                    a.replace("@UNIX@", "unix:" + sw.mgmt)
                    .replace("@TMP@", str(tmp_path)) for a in args]
            p = subprocess.run([program] + args, capture_output=True,
                               text=True, timeout=30, input=stdin)
            stdout = mask(p.stdout, sw)
            if step.startswith("diff-flows") or "dump-group" in step:
                # Both programs print differences in hash order.
                stdout = "".join(sorted(stdout.splitlines(True)))
            out.append("$ %s\n%s%s[exit %d]\n" % (
                step, stdout, mask(p.stderr, sw), p.returncode))
    finally:
        sw.stop()
    return "".join(out)


def compare(session, tmp_path, kind="kiln"):
    ref = play(kind, OVS_OFCTL, session, tmp_path)
    got = play(kind, KILN_OFCTL, session, tmp_path)
    if ref != got:
        import difflib
        diff = "".join(difflib.unified_diff(
            ref.splitlines(True), got.splitlines(True), "ovs-ofctl",
            "kiln-ofctl"))
        pytest.fail("transcripts differ:\n" + diff)
    # Sanity: the session really produced output and exercised the switch.
    assert "[exit 0]" in ref


FLOWS_FILE = """\
# comment
priority=100,ip,nw_src=10.0.0.1,actions=output:1
priority=90,tcp,tp_dst=80,actions=output:2
cookie=0x10,priority=80,arp,actions=NORMAL

table=3,priority=5,ip,nw_dst=192.168.0.0/16,actions=resubmit(,4)
"""

SESSION_INFO = [
    "show BR",
    "-O OpenFlow13 show BR",
    "-O OpenFlow14 show BR",
    "-O OpenFlow15 show BR",
    "dump-desc BR",
    "-O OpenFlow13 dump-desc BR",
    "dump-ports-desc BR",
    "-O OpenFlow15 dump-ports-desc BR",
    "dump-ports BR",
    "-O OpenFlow13 dump-ports BR LOCAL",
    "dump-tables BR",
    "-O OpenFlow13 dump-tables BR",
]

SESSION_FLOWS = [
    "add-flow BR priority=100,ip,nw_src=10.0.0.1,actions=output:1",
    "add-flow BR cookie=0x10,table=2,priority=80,arp,actions=NORMAL",
    "add-flow BR idle_timeout=30,tcp,tp_dst=80,actions=drop",
    "-O OpenFlow13 add-flow BR "
    "table=1,priority=7,udp,tp_src=53,actions=set_field:10.0.0.9->ip_dst,"
    "output:3",
    "dump-flows BR",
    "--no-stats dump-flows BR",
    "-O OpenFlow13 dump-flows BR",
    "-O OpenFlow15 --no-stats dump-flows BR",
    "--sort dump-flows BR",
    "--rsort=priority dump-flows BR",
    "--sort=priority --no-stats dump-flows BR",
    "--no-stats dump-flows BR table=2",
    "--no-stats dump-flows BR ip",
    "dump-aggregate BR",
    "-O OpenFlow13 dump-aggregate BR ip",
    "mod-flows BR table=2,actions=drop",
    "--strict mod-flows BR priority=100,ip,nw_src=10.0.0.1,actions=output:5",
    "--no-stats dump-flows BR",
    "del-flows BR tcp",
    "--strict del-flows BR priority=100,ip,nw_src=10.0.0.1",
    "--strict del-flows BR ip",
    "--no-stats dump-flows BR",
    ("add-flows BR -", FLOWS_FILE),
    "--no-stats --sort dump-flows BR",
    "del-flows BR",
    "--no-stats dump-flows BR",
    "-O OpenFlow14 --bundle add-flow BR priority=3,ip,actions=drop",
    "--no-stats dump-flows BR",
]

SESSION_ERRORS = [
    "add-flow BR priority=100,ip,actions=output:1,bogus",
    "add-flow BR priority=100,ip",
    "add-flow BR priority=100,ipx,actions=drop",
    "add-flow nosuchbr actions=drop",
    "show unix:/nonexistent/sock",
    "frob BR",
    "show",
    "-O Bogus show BR",
    "-O OpenFlow13 add-group BR group_id=x,type=all",
    "-O OpenFlow13 add-group BR group_id=1,type=all,bucket=output:1",
    "-O OpenFlow13 add-group BR group_id=1,type=all,bucket=output:2",
    "del-flows BR priority=5",
    "del-flows BR ip,actions=drop",
    "add-flow BR ip,nw_src=1.2.3.4.5,actions=drop",
    "add-flow BR ipx=1,actions=drop",
    "add-flow BR ip,actions=output:99999999999",
    "-O OpenFlow13 add-flow BR ip,actions=goto_table:0",
    "add-flow BR priority=9,in_port=1,actions=output:in_port,resubmit(,1)",
    "dump-flows BR priority=9",
    "dump-aggregate BR actions=drop",
    "--no-stats dump-flows BR",
]

SESSION_GROUPS = [
    "-O OpenFlow13 add-group BR "
    "group_id=1,type=all,bucket=output:1,bucket=output:2",
    "-O OpenFlow13 add-group BR "
    "group_id=2,type=select,bucket=weight:5,actions=output:1,"
    "bucket=weight:7,actions=output:2",
    "-O OpenFlow13 add-group BR group_id=3,type=indirect,bucket=output:4",
    "-O OpenFlow13 add-group BR group_id=4,type=select,bucket=output:4",
    "-O OpenFlow13 dump-groups BR",
    "-O OpenFlow15 dump-groups BR",
    "-O OpenFlow13 dump-group-stats BR",
    "-O OpenFlow13 mod-group BR group_id=1,type=all,bucket=output:3",
    "-O OpenFlow13 dump-groups BR",
    "-O OpenFlow13 del-groups BR group_id=1",
    "-O OpenFlow13 dump-groups BR",
    "-O OpenFlow13 del-groups BR",
    "-O OpenFlow13 dump-groups BR",
]

SESSION_TLV_PACKET = [
    "add-tlv-map BR {class=0xffff,type=0,len=4}->tun_metadata0",
    "add-tlv-map BR {class=0x102,type=0x80,len=8}->tun_metadata3",
    "dump-tlv-map BR",
    "del-tlv-map BR {class=0xffff,type=0,len=4}->tun_metadata0",
    "dump-tlv-map BR",
    "del-tlv-map BR",
    "dump-tlv-map BR",
    "packet-out BR LOCAL output:1 0001020304050001020304060800",
    "packet-out BR 'in_port=LOCAL packet=0001020304050001020304060800 "
    "actions=drop'",
    "dump-ports BR",
]

SESSION_DIFF = [
    ("add-flows BR -", FLOWS_FILE),
    "diff-flows @UNIX@ @TMP@/flows.txt",
    "diff-flows @TMP@/flows.txt @TMP@/flows2.txt",
    "replace-flows BR @TMP@/flows2.txt",
    "--no-stats --sort dump-flows BR",
    "diff-flows @UNIX@ @TMP@/flows2.txt",
]


@pytest.fixture
def flow_files(tmp_path):
    (tmp_path / "flows.txt").write_text(FLOWS_FILE)
    (tmp_path / "flows2.txt").write_text(
        "priority=100,ip,nw_src=10.0.0.1,actions=output:7\n"
        "priority=90,tcp,tp_dst=80,actions=output:2\n"
        "priority=60,udp,actions=drop\n")
    return tmp_path


def test_info(tmp_path):
    compare(SESSION_INFO, tmp_path)


def test_flows(tmp_path):
    compare(SESSION_FLOWS, tmp_path)


def test_errors(tmp_path):
    compare(SESSION_ERRORS, tmp_path)


def test_groups(tmp_path):
    compare(SESSION_GROUPS, tmp_path)


def test_tlv_and_packet_out(tmp_path):
    compare(SESSION_TLV_PACKET, tmp_path)


def test_diff_and_replace(flow_files):
    compare(SESSION_DIFF, flow_files)


def test_against_ovs_vswitchd(tmp_path):
    """kiln-ofctl against Debian's ovs-vswitchd, vs ovs-ofctl there."""
    compare(SESSION_INFO[:6] + SESSION_FLOWS[:16] + SESSION_GROUPS[:5]
            + SESSION_GROUPS[7:],
            tmp_path, kind="ovs")


def test_version_and_help():
    p = subprocess.run([KILN_OFCTL, "--version"], capture_output=True,
                       text=True)
    assert p.returncode == 0 and "OpenFlow versions 0x1:0x6" in p.stdout
    p = subprocess.run([KILN_OFCTL, "--help"], capture_output=True,
                       text=True)
    assert p.returncode == 0 and "dump-flows" in p.stdout
