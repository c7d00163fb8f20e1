"""System tests of kiln-switchd's OpenFlow side (switch/ofproto.c,
switch/connmgr*.c, switch/kiln-switchd.c), driven by Debian's ovs-ofctl.

Each test starts kiln-db with the Open_vSwitch schema and kiln-switchd in
a temporary run directory and creates a bridge with ovs-vsctl.  The
comparison tests also start the reference, Debian's ovsdb-server and
ovs-vswitchd (netdev datapath, in a network namespace of its own so that
its "ovs-netdev" tap device cannot clash with anyone else's), send both
switches the same commands and compare what ovs-ofctl prints, less
durations and ages.  Every process is killed and every directory removed
at teardown, pass or fail.
"""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import pytest

import kilntest

SWITCHD = os.path.join(kilntest.BUILD, "switch", "kiln-switchd")
OFCTL = "/usr/bin/ovs-ofctl"
VSCTL = "/usr/bin/ovs-vsctl"
VSWITCHD = "/usr/sbin/ovs-vswitchd"
SCHEMA = kilntest.SCHEMAS["vswitch"]


def sh(args, check=True, timeout=30, input=None):
    """Runs 'args'; returns (status, stdout, stderr)."""
    p = subprocess.run(args, capture_output=True, text=True,
                       timeout=timeout, input=input)
    if check and p.returncode:
        raise RuntimeError("%s: exit %d\n%s%s" % (" ".join(args),
                                                 p.returncode, p.stdout,
                                                 p.stderr))
    return p.returncode, p.stdout, p.stderr


def wait_for(pred, what, timeout=10):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for " + what)
        time.sleep(0.02)


class Switch:
    """A database server plus a switch daemon (kiln or ovs) with one
    bridge 'br0', all in a fresh directory."""

    def __init__(self, kind):
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix="ksw-%s-" % kind, dir="/tmp")
        self.db = kilntest.DbServer(kind, self.dir, [SCHEMA], name="db")
        self.proc = None
        self.mgmt = os.path.join(self.dir, "br0.mgmt")
        self.ctl = os.path.join(self.dir, "switchd.ctl")
        self.log = os.path.join(self.dir, "switchd.log")

    def start(self):
        self.db.start()
        sh([VSCTL, "--db=" + self.db.remote, "--no-wait", "init"])
        env = dict(os.environ, KILN_RUNDIR=self.dir, OVS_RUNDIR=self.dir,
                   OVS_LOGDIR=self.dir, OVS_DBDIR=self.dir)
        out = open(os.path.join(self.dir, "switchd.out"), "wb")
        if self.kind == "kiln":
            cmd = [SWITCHD, self.db.remote, "--no-chdir",
                   "--unixctl=" + self.ctl, "--log-file=" + self.log]
        else:
            cmd = ["unshare", "-n", VSWITCHD, self.db.remote, "--no-chdir",
                   "--unixctl=" + self.ctl, "--log-file=" + self.log,
                   "--disable-system"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=out, env=env,
                                     cwd=self.dir)
        out.close()
        wait_for(lambda: os.path.exists(self.ctl), "switch control socket")
        self.vsctl("add-br", "br0", "--", "set", "bridge", "br0",
                   "datapath_type=netdev")
        wait_for(lambda: os.path.exists(self.mgmt), "br0.mgmt")
        wait_for(lambda: sh([OFCTL, "show", self.mgmt],
                            check=False)[0] == 0, "br0 answering")

    def vsctl(self, *args):
        return sh([VSCTL, "--db=" + self.db.remote, "--no-wait"]
                  + list(args))[1]

    def ofctl(self, *args, check=True, input=None):
        """Runs ovs-ofctl with the bridge socket after the command name
        (options may come first); returns (status, output+errors)."""
        args = list(args)
        i = 0
        while args[i].startswith("-"):
            i += 2 if args[i] == "-O" else 1
        # diff-flows reads a plain path as a file: name the socket.
        target = ("unix:" + self.mgmt if args[i] == "diff-flows"
                  else self.mgmt)
        cmd = [OFCTL] + args[:i + 1] + [target] + args[i + 1:]
        status, out, err = sh(cmd, check=check, input=input)
        return status, out + err

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        try:
            self.db.stop()
        finally:
            self.db.cleanup()
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def kiln():
    sw = Switch("kiln")
    try:
        sw.start()
        yield sw
    finally:
        sw.stop()


@pytest.fixture
def pair():
    """(reference OVS switch, Kiln switch)."""
    ref, kiln = Switch("ovs"), Switch("kiln")
    try:
        ref.start()
        kiln.start()
        yield ref, kiln
    finally:
        try:
            ref.stop()
        finally:
            kiln.stop()


_VOLATILE = re.compile(r"(duration|idle_age|hard_age|idle_time)=[0-9.]+s?,? ?")


def normalize(text):
    """Drops durations, ages, xids and the reply header; sorts lines."""
    lines = []
    for line in text.splitlines():
        if "reply" in line and "xid=" in line:
            continue
        line = _VOLATILE.sub("", line)
        line = re.sub(r"xid=0x[0-9a-f]+", "xid=X", line)
        if line.strip():
            lines.append(line.rstrip())
    return "\n".join(sorted(lines))


def both(pair, *args, check=True, input=None):
    """Runs the ovs-ofctl command on both switches; returns the outputs
    (reference, kiln), statuses checked equal."""
    ref, kiln = pair
    rs, rout = ref.ofctl(*args, check=False, input=input)
    ks, kout = kiln.ofctl(*args, check=False, input=input)
    assert (rs == 0) == (ks == 0), (args, rout, kout)
    if check:
        assert rs == 0, (args, rout)
    return rout, kout


def assert_same_dump(pair, *dump_args):
    for proto in ([], ["-O", "OpenFlow13"], ["-O", "OpenFlow15"]):
        rout, kout = both(pair, *(proto + ["dump-flows"] + list(dump_args)))
        assert normalize(kout) == normalize(rout), (proto, rout, kout)


FLOWS = """\
priority=100,ip,nw_src=10.0.0.1,actions=output:1
priority=90,tcp,tp_dst=80,actions=output:2
cookie=0x10,priority=80,arp,actions=NORMAL
cookie=0x11,priority=80,udp,actions=drop
table=3,priority=5,ip,nw_dst=192.168.0.0/16,actions=resubmit(,4)
cookie=0x21,table=4,priority=7,in_port=3,dl_vlan=10,actions=strip_vlan,output:2
"""


def test_add_mod_del_flows_match_reference(pair):
    for args in (["add-flow", "priority=10,ip,actions=output:3"],
                 ["add-flows", "-"],
                 ["-O", "OpenFlow13", "add-flow",
                  "table=1,priority=1,ipv6,actions=goto_table:2"],
                 ["-O", "OpenFlow15", "add-flow",
                  "cookie=0x30,table=2,priority=3,udp,tp_src=53,"
                  "actions=set_field:0x5->reg0,output:4"]):
        both(pair, *args, input=FLOWS)
    assert_same_dump(pair)

    # Loose and strict modify, OpenFlow 1.0 (adds when nothing matches)
    # and 1.3 (never adds).
    both(pair, "mod-flows", "ip,actions=output:9")
    both(pair, "--strict", "mod-flows", "priority=90,tcp,tp_dst=80,"
         "actions=output:8")
    both(pair, "mod-flows", "sctp,actions=output:7")
    both(pair, "-O", "OpenFlow13", "mod-flows", "icmp,actions=output:7")
    both(pair, "-O", "OpenFlow13", "mod-flows",
         "cookie=0x10/0xff,actions=output:6")
    assert_same_dump(pair)
    # Filters in dumps.
    assert_same_dump(pair, "table=3")
    assert_same_dump(pair, "tcp")
    rout, kout = both(pair, "-O", "OpenFlow13", "dump-flows",
                      "cookie=0x10/0xf0")
    assert normalize(kout) == normalize(rout)

    # Deletes: cookie mask, out_port, strict, table.
    both(pair, "-O", "OpenFlow13", "del-flows", "cookie=0x20/0xf0")
    assert_same_dump(pair)
    both(pair, "del-flows", "out_port=9")
    assert_same_dump(pair)
    both(pair, "--strict", "del-flows", "priority=80,udp")
    both(pair, "-O", "OpenFlow13", "del-flows", "table=2")
    assert_same_dump(pair)
    rout, kout = both(pair, "dump-aggregate")
    assert normalize(kout) == normalize(rout)
    rout, kout = both(pair, "-O", "OpenFlow13", "dump-aggregate", "ip")
    assert normalize(kout) == normalize(rout)
    both(pair, "del-flows")
    assert_same_dump(pair)


def test_replace_and_diff_flows_match_reference(pair, tmp_path):
    path = tmp_path / "flows.txt"
    path.write_text(FLOWS)
    both(pair, "add-flow", "priority=1,actions=drop")
    # With OpenFlow 1.0, both refuse (flows in several tables need 1.1+).
    rout, kout = both(pair, "replace-flows", str(path), check=False)
    assert "usable flow formats" in rout and "usable flow formats" in kout
    both(pair, "-O", "OpenFlow13", "replace-flows", str(path))
    assert_same_dump(pair)
    path.write_text(FLOWS + "priority=2,icmp,actions=output:5\n")
    rout, kout = both(pair, "-O", "OpenFlow13", "diff-flows", str(path),
                      check=False)
    assert normalize(kout) == normalize(rout)
    assert "+priority=2,icmp" in kout.replace(" ", ",")


def test_check_overlap_and_timeouts(pair):
    both(pair, "add-flow", "priority=5,ip,actions=drop")
    rout, kout = both(pair, "--strict", "-O", "OpenFlow13", "add-flow",
                      "priority=5,tcp,check_overlap,actions=drop",
                      check=False)
    assert "OFPFMFC_OVERLAP" in rout and "OFPFMFC_OVERLAP" in kout
    both(pair, "add-flow", "priority=6,udp,hard_timeout=1,actions=drop")
    both(pair, "add-flow", "priority=7,udp,idle_timeout=1,actions=drop")
    assert_same_dump(pair)
    ref, kiln = pair
    wait_for(lambda: "udp" not in kiln.ofctl("dump-flows")[1],
             "timeouts", timeout=5)
    assert_same_dump(pair)


def test_tables_and_show(pair):
    both(pair, "add-flow", "table=0,priority=1,ip,actions=drop")
    both(pair, "add-flow", "table=1,priority=1,ip,actions=drop")
    rout, kout = both(pair, "-O", "OpenFlow13", "dump-tables")
    assert normalize(kout) == normalize(rout)
    ref, kiln = pair
    out = kiln.ofctl("show")[1]
    assert "n_tables:254" in out and "LOCAL(br0)" in out
    rout, kout = both(pair, "-O", "OpenFlow13", "dump-ports-desc")
    # Addresses differ; the rest must not.
    mac = re.compile(r"addr:[0-9a-f:]+")
    assert mac.sub("", normalize(kout)) == mac.sub("", normalize(rout))
    for proto in ("OpenFlow10", "OpenFlow13", "OpenFlow14", "OpenFlow15"):
        assert kiln.ofctl("-O", proto, "show")[0] == 0


def test_bundle_is_atomic(pair, tmp_path):
    both(pair, "-O", "OpenFlow14", "add-flow", "priority=1,arp,actions=drop")
    good = tmp_path / "good.txt"
    good.write_text("priority=10,ip,actions=drop\n"
                    "priority=11,tcp,actions=output:1\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("priority=20,ip,actions=drop\n"
                   "priority=21,udp,actions=group:77\n"   # no such group
                   "priority=22,tcp,actions=drop\n")
    for proto in ("OpenFlow13", "OpenFlow14"):
        rout, kout = both(pair, "-O", proto, "--bundle", "add-flows",
                          str(bad), check=False)
        assert "OFPBAC_BAD_OUT_GROUP" in rout
        assert "OFPBAC_BAD_OUT_GROUP" in kout, kout
        assert_same_dump(pair)
        ref, kiln = pair
        assert "priority=20" not in kiln.ofctl("dump-flows")[1]
    both(pair, "-O", "OpenFlow14", "--bundle", "add-flows", str(good))
    assert_same_dump(pair)
    both(pair, "-O", "OpenFlow14", "--bundle", "replace-flows", str(good))
    assert_same_dump(pair)


def test_groups_match_reference(pair):
    for g in ("group_id=1,type=all,bucket=output:1,bucket=output:2",
              "group_id=2,type=select,bucket=weight:5,output:3,"
              "bucket=weight:7,output:4",
              "group_id=3,type=indirect,bucket=output:5",
              "group_id=4,type=fast_failover,"
              "bucket=watch_port:1,output:1,bucket=watch_port:2,output:2"):
        both(pair, "-O", "OpenFlow13", "add-group", g)
    for proto in ("OpenFlow13", "OpenFlow15"):
        rout, kout = both(pair, "-O", proto, "dump-groups")
        assert normalize(kout) == normalize(rout), (rout, kout)
    rout, kout = both(pair, "-O", "OpenFlow13", "add-group",
                      "group_id=1,type=all,bucket=output:1", check=False)
    assert "OFPGMFC_GROUP_EXISTS" in rout and "OFPGMFC_GROUP_EXISTS" in kout
    both(pair, "-O", "OpenFlow13", "add-flow",
         "priority=5,ip,actions=group:1")
    both(pair, "-O", "OpenFlow13", "mod-group",
         "group_id=1,type=all,bucket=output:7")
    both(pair, "-O", "OpenFlow13", "del-groups", "group_id=1")
    assert_same_dump(pair)          # The flow went with the group.
    rout, kout = both(pair, "-O", "OpenFlow13", "dump-groups")
    assert normalize(kout) == normalize(rout)
    rout, kout = both(pair, "-O", "OpenFlow13", "dump-group-stats")
    assert "group_id=2" in kout and "group_id=1" not in kout


def test_tlv_map(pair):
    both(pair, "add-tlv-map", "{class=0x102,type=0x80,len=4}->tun_metadata0")
    rout, kout = both(pair, "dump-tlv-map")
    assert normalize(kout) == normalize(rout)
    rout, kout = both(pair, "add-tlv-map",
                      "{class=0x102,type=0x81,len=4}->tun_metadata0",
                      check=False)
    assert "ERROR" in rout and "ERROR" in kout
    both(pair, "del-tlv-map", "{class=0x102,type=0x80,len=4}->tun_metadata0")
    rout, kout = both(pair, "dump-tlv-map")
    assert normalize(kout) == normalize(rout)


def test_tlv_map_in_use_cannot_be_deleted(pair):
    """A mapping that a flow matches on or moves from stays until the flow
    is gone (the flow's subfields were checked against its length)."""
    ref, kiln = pair
    tlv = "{class=0x102,type=0x80,len=8}->tun_metadata0"
    both(pair, "add-tlv-map", tlv)
    both(pair, "add-flow", "priority=5,tun_metadata0=0x1234,"
         "actions=move:tun_metadata0[0..31]->NXM_NX_REG0[],output:1")
    for cmd in (["del-tlv-map", tlv], ["del-tlv-map"]):
        rout, kout = both(pair, *cmd, check=False)
        assert "ERROR" in rout, rout
        assert "OFPT_ERROR" in kout and "OFPBRC_EPERM" in kout, kout
    # Nothing changed: the mapping and the flow are there, the daemon up.
    rout, kout = both(pair, "dump-tlv-map")
    assert normalize(kout) == normalize(rout)
    assert "tun_metadata0" in kout
    assert_same_dump(pair)
    _, kout = kiln.ofctl("dump-flows")
    assert "move:NXM_NX_TUN_METADATA0[0..31]->NXM_NX_REG0[]" in kout, kout
    assert kiln.alive()
    # A flow whose actions alone use it (in a nested list) holds it too.
    both(pair, "del-flows")
    both(pair, "add-flow", "priority=6,ip,actions=clone("
         "move:tun_metadata0[0..7]->NXM_NX_REG1[0..7]),output:1")
    rout, kout = both(pair, "del-tlv-map", tlv, check=False)
    assert "OFPBRC_EPERM" in kout, kout
    # Without users, the delete works.
    both(pair, "del-flows")
    both(pair, "del-tlv-map", tlv)
    rout, kout = both(pair, "dump-tlv-map")
    assert normalize(kout) == normalize(rout)
    assert "tun_metadata0" not in kout
    assert kiln.alive()


# -- raw messages -------------------------------------------------------

def recv_msg(sock):
    hdr = b""
    while len(hdr) < 8:
        chunk = sock.recv(8 - len(hdr))
        if not chunk:
            raise EOFError("connection closed")
        hdr += chunk
    version, mtype, length, xid = struct.unpack("!BBHI", hdr)
    body = b""
    while len(body) < length - 8:
        chunk = sock.recv(length - 8 - len(body))
        if not chunk:
            raise EOFError("connection closed")
        body += chunk
    return version, mtype, xid, body


def expect(sock, mtype):
    """Reads messages until one of 'mtype' (skipping others)."""
    for _ in range(10):
        m = recv_msg(sock)
        if m[1] == mtype:
            return m
    raise AssertionError("no message of type %d" % mtype)


def test_malformed_messages_get_errors(kiln):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(kiln.mgmt)
    try:
        s.sendall(struct.pack("!BBHI", 4, 0, 8, 1))     # Hello, OF1.3.
        assert recv_msg(s)[1] == 0
        cases = [
            struct.pack("!BBHI", 4, 0xee, 12, 0x101) + b"abcd",  # Bad type.
            struct.pack("!BBHI", 4, 14, 16, 0x102) + b"\0" * 8,  # Short
            struct.pack("!BBHI", 4, 18, 16, 0x103)               # flow_mod,
            + struct.pack("!HH4x", 0x77, 0),                     # bad mp.
            struct.pack("!BBHI", 1, 2, 8, 0x104),                # Version.
        ]
        for i, msg in enumerate(cases):
            s.sendall(msg)
            version, mtype, xid, body = expect(s, 1)         # OFPT_ERROR.
            assert xid == 0x101 + i
            err_type = struct.unpack("!H", body[:2])[0]
            assert err_type == 1, (i, body)                 # BAD_REQUEST.
        # The connection survives: echo.
        s.sendall(struct.pack("!BBHI", 4, 2, 12, 0x200) + b"ping")
        version, mtype, xid, body = expect(s, 3)
        assert xid == 0x200 and body == b"ping"
        # A length below the header cannot be resynchronized: error, then
        # the switch closes this connection only.
        s.sendall(struct.pack("!BBHI", 4, 2, 4, 0x300))
        assert expect(s, 1)[2] == 0x300
    finally:
        s.close()
    assert kiln.alive()
    assert kiln.ofctl("show")[0] == 0


def test_version_negotiation_and_protocols(kiln):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(kiln.mgmt)
    try:
        # An OpenFlow 1.3 hello whose bitmap offers 1.1 and 1.2 only: no
        # common version.
        bitmap = struct.pack("!HHI", 1, 8, (1 << 2) | (1 << 3))
        s.sendall(struct.pack("!BBHI", 4, 0, 16, 5) + bitmap)
        assert recv_msg(s)[1] == 0                      # Our hello.
        version, mtype, xid, body = recv_msg(s)
        assert mtype == 1 and struct.unpack("!H", body[:2])[0] == 0
    finally:
        s.close()
    kiln.vsctl("set", "bridge", "br0", "protocols=OpenFlow13")
    wait_for(lambda: kiln.ofctl("-O", "OpenFlow10", "show",
                                check=False)[0] != 0, "protocols applied")
    assert kiln.ofctl("-O", "OpenFlow13", "show")[0] == 0


def test_bridges_live_and_appctl(kiln):
    kiln.vsctl("add-br", "br1", "--", "set", "bridge", "br1",
               "fail_mode=secure",
               "other_config:datapath-id=00000000000000aa")
    mgmt1 = os.path.join(kiln.dir, "br1.mgmt")
    wait_for(lambda: os.path.exists(mgmt1), "br1.mgmt")
    out = sh([OFCTL, "dump-flows", mgmt1])[1]
    assert "actions=NORMAL" not in out                  # Secure.
    assert "dpid:00000000000000aa" in sh([OFCTL, "show", mgmt1])[1]
    assert "actions=NORMAL" in kiln.ofctl("dump-flows")[1]  # Standalone.
    appctl = ["/usr/bin/ovs-appctl", "-t", kiln.ctl]
    assert sh(appctl + ["ofproto/list"])[1].split() == ["br0", "br1"]
    kiln.ofctl("add-flow", "table=7,priority=9,ip,actions=drop")
    dump = sh(appctl + ["bridge/dump-flows", "br0"])[1]
    assert "table_id=7" in dump and "priority=9,ip" in dump
    assert "kiln-switchd" in sh(appctl + ["version"])[1]
    kiln.vsctl("del-br", "br1")
    wait_for(lambda: not os.path.exists(mgmt1), "br1 removed")
    assert sh(appctl + ["ofproto/list"])[1].split() == ["br0"]


def hello13(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.sendall(struct.pack("!BBHI", 4, 0, 8, 1))
    assert recv_msg(s)[1] == 0
    return s


def test_role_slave_cannot_modify(kiln):
    master, slave = hello13(kiln.mgmt), hello13(kiln.mgmt)
    try:
        role = struct.pack("!BBHI", 4, 24, 24, 7)
        master.sendall(role + struct.pack("!I4xQ", 2, 1))      # MASTER.
        assert struct.unpack("!I", expect(master, 25)[3][:4])[0] == 2
        slave.sendall(role + struct.pack("!I4xQ", 3, 2))       # SLAVE.
        assert struct.unpack("!I", expect(slave, 25)[3][:4])[0] == 3
        # A stale generation id is refused.
        slave.sendall(role + struct.pack("!I4xQ", 2, 1))
        body = expect(slave, 1)[3]
        assert struct.unpack("!HH", body[:4]) == (11, 0)       # STALE.
        # flow_mod (delete all) from the slave: OFPBRC_IS_SLAVE.
        fm = struct.pack("!QQBBHHHIIIH2x", 0, 0, 0xff, 3, 0, 0, 0,
                         0xffffffff, 0xffffffff, 0xffffffff, 0)
        match = struct.pack("!HH4x", 1, 4)
        msg = fm + match
        slave.sendall(struct.pack("!BBHI", 4, 14, 8 + len(msg), 9) + msg)
        body = expect(slave, 1)[3]
        assert struct.unpack("!HH", body[:4]) == (1, 10)
        assert "actions=NORMAL" in kiln.ofctl("dump-flows")[1]
        # The master may.
        master.sendall(struct.pack("!BBHI", 4, 14, 8 + len(msg), 9) + msg)
        master.sendall(struct.pack("!BBHI", 4, 20, 8, 10))     # Barrier.
        assert expect(master, 21)[2] == 10
        assert "actions=NORMAL" not in kiln.ofctl("dump-flows")[1]
    finally:
        master.close()
        slave.close()


def test_active_controller_reconnects(kiln):
    path = os.path.join(kiln.dir, "ctl.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.settimeout(10)
    srv.bind(path)
    srv.listen(4)
    try:
        kiln.vsctl("set-controller", "br0", "unix:" + path)
        for _ in range(2):
            conn, _ = srv.accept()
            conn.settimeout(5)
            assert recv_msg(conn)[1] == 0                   # Its hello.
            conn.sendall(struct.pack("!BBHI", 4, 0, 8, 1))
            conn.sendall(struct.pack("!BBHI", 4, 5, 8, 2))  # Features.
            version, mtype, xid, body = expect(conn, 6)
            assert xid == 2 and version == 4
            conn.close()                # The switch must come back.
    finally:
        srv.close()


def test_packet_out_validation(pair):
    good = ("in_port=controller packet=ffffffffffff000000000001080600010800"
            "06040001000000000001c0a80001000000000000c0a80002 "
            "actions=output:1")
    both(pair, "-O", "OpenFlow13", "packet-out", good)
    rout, kout = both(pair, "-O", "OpenFlow13", "packet-out",
                      good.replace("output:1", "group:77"), check=False)
    assert "OFPBAC_BAD_OUT_GROUP" in rout and "OFPBAC_BAD_OUT_GROUP" in kout


# Meters (switch/ofproto-meter.c, datapath/dp-meter.c).

METERS = [
    "meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100",
    "meter=2,pktps,bands=type=drop,rate=5",
    "meter=3,kbps,stats,bands=type=drop,rate=10 type=drop,rate=20",
]


def test_meters_match_reference(pair):
    """Debian's ovs-ofctl add-meter, dump-meters, meter-stats, del-meter
    against kiln-switchd print what they print against ovs-vswitchd (less
    durations); errors are the same."""
    ref, kiln = pair
    for m in METERS:
        both(pair, "-O", "OpenFlow13", "add-meter", m)
    rout, kout = both(pair, "-O", "OpenFlow13", "add-meter", METERS[1],
                      check=False)
    assert "OFPMMFC_METER_EXISTS" in kout and rout == kout
    rout, kout = both(pair, "-O", "OpenFlow13", "mod-meter",
                      "meter=9,kbps,bands=type=drop,rate=1", check=False)
    assert "OFPMMFC_UNKNOWN_METER" in kout and rout == kout
    both(pair, "-O", "OpenFlow13", "mod-meter",
         "meter=2,pktps,burst,bands=type=drop,rate=7,burst_size=3")
    both(pair, "-O", "OpenFlow13", "add-flow",
         "in_port=1,actions=meter:1,output:2")
    both(pair, "-O", "OpenFlow13", "add-flow",
         "in_port=2,actions=meter:3,output:1")
    both(pair, "-O", "OpenFlow15", "add-flow",
         "in_port=3,actions=meter:3,output:1")
    rout, kout = both(pair, "-O", "OpenFlow13", "add-flow",
                      "in_port=4,actions=meter:8,output:1", check=False)
    assert "OFPMMFC_INVALID_METER" in kout and "OFPMMFC_INVALID_METER" in rout
    for proto in ("OpenFlow13", "OpenFlow14", "OpenFlow15"):
        for cmd in (["dump-meters"], ["dump-meter", "meter=3"],
                    ["meter-stats"], ["meter-stats", "meter=1"]):
            rout, kout = both(pair, "-O", proto, *cmd)
            strip = re.compile(r"duration:[0-9.]+s")
            assert strip.sub("", kout) == strip.sub("", rout), (cmd, kout)
    _, kout = kiln.ofctl("-O", "OpenFlow13", "meter-stats", "meter=3")
    assert "flow_count:2" in kout
    # Deleting a meter deletes its flows.
    both(pair, "-O", "OpenFlow13", "del-meter", "meter=3")
    rout, kout = both(pair, "-O", "OpenFlow13", "dump-flows")
    assert normalize(kout) == normalize(rout)
    assert "meter:3" not in kout and "meter:1" in kout
    both(pair, "-O", "OpenFlow13", "del-meters")
    rout, kout = both(pair, "-O", "OpenFlow13", "dump-meters")
    assert kout == rout and "meter=" not in kout
    assert "meter:1" not in kiln.ofctl("-O", "OpenFlow13", "dump-flows")[1]
    # Features: Kiln also has DSCP remark bands.
    _, kout = kiln.ofctl("-O", "OpenFlow13", "meter-features")
    assert "band_types: drop dscp_remark" in kout
    assert "capabilities: kbps pktps burst stats" in kout
    assert kiln.alive()


def test_meter_in_a_bundle_is_atomic(kiln, tmp_path):
    flows = tmp_path / "flows"
    flows.write_text("in_port=1,actions=meter:5,output:2\n")
    # Meter 5 does not exist: the bundled flow is refused.
    status, out = kiln.ofctl("-O", "OpenFlow14", "--bundle", "add-flows",
                             str(flows), check=False)
    assert status != 0 and "OFPMMFC_INVALID_METER" in out
    kiln.ofctl("-O", "OpenFlow13", "add-meter",
               "meter=5,pktps,bands=type=drop,rate=5")
    kiln.ofctl("-O", "OpenFlow14", "--bundle", "add-flows", str(flows))
    assert "meter:5" in kiln.ofctl("-O", "OpenFlow13", "dump-flows")[1]


UDP_SENDER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = int(sys.argv[2])
for i in range(n):
    s.sendto(b"x" * 64, (sys.argv[1], 9999))
print(n)
"""

UDP_COUNTER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9999))
print("ready", flush=True)
s.settimeout(float(sys.argv[1]))
n = 0
try:
    while True:
        s.recv(2048)
        n += 1
        s.settimeout(1.0)
except socket.timeout:
    pass
print(n, flush=True)
"""


def test_meter_drops_udp_between_namespaces():
    """A 100 packets/s meter with a burst of 50 on the flow from A to B:
    of a fast burst of UDP packets, B receives far fewer than A sent but
    many more than none, and the meter's drop band counted exactly the
    packets the meter saw and did not pass (a count, not a timing,
    assertion)."""
    import test_switchd as ts
    net = ts.Net()
    try:
        h = net.host("h")
        a = net.vm(h, "a", ts.A_IP, "p1")
        b = net.vm(h, "b", ts.B_IP, "p2")
        h.vsctl("add-port", "br0", "p1", "--", "set", "interface", "p1",
                "ofport_request=1")
        h.vsctl("add-port", "br0", "p2", "--", "set", "interface", "p2",
                "ofport_request=2")
        wait_for(lambda: h.get("interface", "p2", "ofport") == "2",
                 "ofport")
        # Debian's ovs-ofctl programs the meter and the flows.
        h.ofctl("add-meter", "meter=1,pktps,burst,stats,"
                "bands=type=drop,rate=100,burst_size=50")
        h.ofctl("add-flow", "priority=100,udp,in_port=1,tp_dst=9999,"
                "actions=meter:1,output:2")
        h.ofctl("add-flow", "priority=0,actions=NORMAL")
        dump = h.ofctl("dump-meters")
        assert ("meter=1 pktps burst stats bands=\n"
                "type=drop rate=100 burst_size=50\n") in dump, dump
        ts.ping(a, ts.B_IP)

        counter = subprocess.Popen(
            ["ip", "netns", "exec", b, ts.PY, "-c", UDP_COUNTER, "10"],
            stdout=subprocess.PIPE, text=True)
        try:
            assert counter.stdout.readline().strip() == "ready"
            sent = 3000
            _, out = ts.ns_exec(a, ts.PY, "-c", UDP_SENDER, ts.B_IP,
                                str(sent))
            assert int(out.strip()) == sent
            received = int(counter.communicate(timeout=30)[0].strip())
        finally:
            if counter.poll() is None:
                counter.kill()
                counter.wait()

        stats = h.ofctl("meter-stats", "meter=1")
        m = re.search(r"flow_count:1 packet_in_count:(\d+) "
                      r"byte_in_count:\d+ duration:[0-9.]+s bands:\n"
                      r"0: packet_count:(\d+) byte_count:\d+", stats)
        assert m, stats
        seen, dropped = int(m.group(1)), int(m.group(2))
        print("meter: sent %d seen %d dropped %d received %d"
              % (sent, seen, dropped, received))
        # Every packet the meter saw was either passed (and received: the
        # veth to B loses nothing at this rate) or dropped by the band.
        assert seen <= sent
        assert seen - dropped == received, (seen, dropped, received)
        assert received >= 50, received          # At least the burst.
        assert received < sent // 3, (received, sent)
        assert seen > sent // 2, (seen, sent)

        flows = h.appctl("dpctl/dump-flows")
        assert re.search(r"actions:meter\(\d+\),\d+", flows), flows
        trace = h.appctl("ofproto/trace", "br0",
                         "in_port=1,udp,nw_src=10.1.0.1,nw_dst=10.1.0.2,"
                         "tp_dst=9999")
        assert "meter:1" in trace and "meter(" in trace, trace

        # Deleting the meter deletes its flow: UDP goes by NORMAL again
        # and the megaflow loses its meter.
        h.ofctl("del-meter", "meter=1")
        assert "meter:1" not in h.ofctl("dump-flows")
        assert h.proc.poll() is None
    finally:
        net.cleanup()


# -- flow monitors (NXST_FLOW_MONITOR) ----------------------------------

class Monitor:
    """`ovs-ofctl monitor br0 WATCH...` running in the background."""

    def __init__(self, sw, name, *watch):
        self.path = os.path.join(sw.dir, name + ".out")
        out = open(self.path, "w")
        # stdbuf: ovs-ofctl's stdout is a file, fully buffered otherwise.
        self.proc = subprocess.Popen(
            ["stdbuf", "-oL", OFCTL,
             "--unixctl=" + os.path.join(sw.dir, name + ".ctl"),
             "monitor", sw.mgmt] + list(watch),
            stdout=out, stderr=subprocess.STDOUT)
        out.close()

    def text(self):
        with open(self.path) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        return self.text()


def monitor_blocks(text):
    """The messages ovs-ofctl printed: one sorted tuple of lines per
    message, xids normalized (a switch may order one commit's updates
    differently)."""
    blocks = []
    for line in text.splitlines():
        line = re.sub(r"xid=0x[0-9a-f]+", "xid=X", line.rstrip())
        if not line or re.match(r"\d{4}-\d\d-\d\dT", line):
            continue
        if not line.startswith(" "):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    return [(b[0],) + tuple(sorted(b[1:])) for b in blocks]


def test_flow_monitor_matches_reference(pair):
    both(pair, "add-flow", "priority=5,ip,actions=output:1")
    both(pair, "add-flow", "table=2,priority=9,udp,actions=output:2")
    # ovs-ofctl takes at most two watch: arguments: one process watches
    # everything, another two narrower specs.
    mons = [(Monitor(sw, "all", "watch:"),
             Monitor(sw, "some", "watch:!actions,table=2",
                     "watch:!initial,!add,tcp,out_port=3"))
            for sw in pair]
    for mon in sum(mons, ()):
        wait_for(lambda: "NXST_FLOW_MONITOR reply" in mon.text(),
                 "initial reply")
    steps = [
        ["add-flow", "priority=10,tcp,tp_dst=80,actions=output:2"],
        ["add-flow", "priority=10,tcp,tp_dst=80,actions=output:2"],
        ["add-flow", "priority=10,tcp,tp_dst=80,actions=output:3"],
        ["mod-flows", "tcp,actions=output:3"],          # Unchanged.
        ["mod-flows", "tcp,actions=output:4"],
        ["mod-flows", "cookie=0x5,tcp,actions=output:4"],
        ["add-flow", "table=2,priority=1,hard_timeout=1,arp,actions=drop"],
        ["-O", "OpenFlow13", "add-flow",
         "table=2,priority=3,tcp,actions=output:3"],
        ["del-flows", "table=2,udp"],
        ["del-flows", "ip"],
    ]
    for step in steps:
        both(pair, *step)
        time.sleep(0.2)
    time.sleep(3)           # The hard timeout of table 2's arp flow.
    both(pair, "del-flows")
    time.sleep(0.5)
    for rmon, kmon in zip(*mons):
        rtext, ktext = rmon.stop(), kmon.stop()
        assert monitor_blocks(ktext) == monitor_blocks(rtext), (rtext,
                                                                ktext)
    # The comparison saw what it should: updates of every kind.
    ktext = mons[1][0].text()
    for what in ("event=ADDED", "event=MODIFIED", "reason=delete",
                 "reason=hard", "cookie=0x5", "actions=output:4"):
        assert what in ktext, (what, ktext)
    # !actions: table 2's udp flow (output:2) comes without its actions.
    assert " event=ADDED table=2 cookie=0 udp\n" in mons[1][1].text()
    assert pair[1].alive()


NXT_HDR = "!BBHIII"             # OF1.0 vendor header + subtype.


def nx_monitor_request(xid, mid, flags, table=0xff, out_port=0xffff):
    body = struct.pack("!IHHHB5x", mid, flags, out_port, 0, table)
    return (struct.pack("!BBHIHHII4x", 1, 16, 24 + len(body), xid,
                        0xffff, 0, 0x2320, 2) + body)


def read_updates(sock, xid=None):
    """Reads NXST_FLOW_MONITOR replies until one (of 'xid', if given);
    returns the list of (event, fields) updates of it."""
    while True:
        version, mtype, mxid, body = recv_msg(sock)
        if mtype != 17 or body[4:12] != struct.pack("!II", 0x2320, 2):
            continue
        if xid is not None and mxid != xid:
            continue
        updates, p = [], body[16:]
        while p:
            length, event = struct.unpack("!HH", p[:4])
            updates.append((event, p[4:length]))
            p = p[length:]
        return updates


def test_flow_monitor_own_changes_and_cancel(kiln):
    kiln.ofctl("del-flows")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(kiln.mgmt)
    try:
        s.sendall(struct.pack("!BBHI", 1, 0, 8, 1))
        assert recv_msg(s)[1] == 0
        # Monitor 1: adds and deletes, own changes abbreviated.
        s.sendall(nx_monitor_request(0x10, 1, 0x1 | 0x2 | 0x4 | 0x10))
        assert read_updates(s, 0x10) == []          # No flows yet.
        # The same id again: OFPMOFC_MONITOR_EXISTS.
        s.sendall(nx_monitor_request(0x11, 1, 0x2))
        version, mtype, xid, body = expect(s, 1)
        assert xid == 0x11

        # Someone else's add: a full update.
        kiln.ofctl("add-flow", "priority=7,ip,actions=output:1")
        (event, fields), = read_updates(s)
        assert event == 0                            # ADDED.
        assert struct.unpack("!H", fields[2:4])[0] == 7

        # Our own add (an OF1.0 flow_mod, xid 0x20): one ABBREV with it.
        match = struct.pack("!IH6s6sHBxHBB2xIIHH", 0x3fffef, 0,
                            b"\0" * 6, b"\0" * 6, 0, 0, 0x800, 0, 0, 0, 0,
                            0, 0)
        fm = match + struct.pack("!QHHHHIHH", 0, 0, 0, 0, 9, 0xffffffff,
                                 0xffff, 0)
        s.sendall(struct.pack("!BBHI", 1, 14, 8 + len(fm), 0x20) + fm)
        assert read_updates(s) == [(3, struct.pack("!I", 0x20))]

        # Cancel; an unknown id is an error.
        cancel = struct.pack(NXT_HDR, 1, 4, 20, 0x30, 0x2320, 21)
        s.sendall(cancel + struct.pack("!I", 1))
        s.sendall(cancel + struct.pack("!I", 99))
        version, mtype, xid, body = expect(s, 1)
        assert xid == 0x30
        # After the cancel, changes bring no update: a barrier comes first.
        kiln.ofctl("del-flows")
        s.sendall(struct.pack("!BBHI", 1, 18, 8, 0x40))
        while True:
            version, mtype, xid, body = recv_msg(s)
            assert mtype != 17, body
            if mtype == 19:
                break
    finally:
        s.close()
    assert kiln.alive()


def test_flow_monitor_pauses_a_slow_reader_and_resyncs(kiln, tmp_path):
    """A monitoring connection that stops reading while thousands of
    flows are added is paused (NXT_FLOW_MONITOR_PAUSED) instead of queueing
    without bound; once it reads again it gets every flow as an update,
    then NXT_FLOW_MONITOR_RESUMED, and the switch keeps serving."""
    kiln.ofctl("del-flows")
    n = 8000
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(kiln.mgmt)
    try:
        s.sendall(struct.pack("!BBHI", 1, 0, 8, 1))
        assert recv_msg(s)[1] == 0
        s.sendall(nx_monitor_request(0x10, 1, 0x2 | 0x10))   # ADD, ACTIONS.
        assert read_updates(s, 0x10) == []
        # Thousands of adds while this connection reads nothing.
        flows = tmp_path / "flows.txt"
        flows.write_text("".join(
            "priority=%d,ip,nw_src=10.%d.%d.1,actions=output:1,output:2\n"
            % (1000 + i, i // 256, i % 256) for i in range(n)))
        kiln.ofctl("add-flows", str(flows))
        # Now read it all.
        seen, events = set(), []
        while "resumed" not in events:
            version, mtype, xid, body = recv_msg(s)
            if mtype == 4 and body[:8] == struct.pack("!II", 0x2320, 22):
                events.append("paused")
            elif mtype == 4 and body[:8] == struct.pack("!II", 0x2320, 23):
                events.append("resumed")
            elif mtype == 17 and body[4:12] == struct.pack("!II", 0x2320, 2):
                p = body[16:]
                while p:
                    length, event = struct.unpack("!HH", p[:4])
                    if event == 0:                       # ADDED.
                        seen.add(struct.unpack("!H", p[6:8])[0])
                    p = p[length:]
        assert events == ["paused", "resumed"]
        # Before the pause and in the re-sync: every flow, none missing.
        assert seen == set(range(1000, 1000 + n))
        # Updates flow again after the resume.
        kiln.ofctl("add-flow", "priority=7,ip,actions=output:1")
        (event, fields), = read_updates(s)
        assert event == 0
        assert struct.unpack("!H", fields[2:4])[0] == 7
    finally:
        s.close()
    assert kiln.alive()
