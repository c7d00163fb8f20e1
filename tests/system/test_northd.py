"""kiln-northd against Debian's ovn-northd 23.03 and ovn-controller.

Each test runs kiln-db (NB and SB) with kiln-northd, and where it compares,
Debian's ovsdb-server (NB and SB) with ovn-northd on the same northbound
commands; the southbound contents must match as sets (Debian shares flows
between datapaths through Logical_DP_Group, which ovn-sbctl lflow-list
expands, and numbers tunnel keys its own way).  The last test realizes the
network with ovn-controller and ovs-vswitchd (userspace datapath) and
pings between two network namespaces.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

import kilntest

NORTHD = os.path.join(kilntest.BUILD, "northd", "kiln-northd")
OVN_NORTHD = "/usr/bin/ovn-northd"
NBCTL = "/usr/bin/ovn-nbctl"
SBCTL = "/usr/bin/ovn-sbctl"
NB_SCHEMA = os.path.join(kilntest.TOP, "schemas", "ovn-nb.ovsschema")
SB_SCHEMA = os.path.join(kilntest.TOP, "schemas", "ovn-sb.ovsschema")


class Northd:
    """One kiln-northd or ovn-northd process in the foreground."""

    def __init__(self, workdir, nb, sb, kind="kiln", name="northd"):
        self.ctl = os.path.join(workdir, name + ".ctl")
        self.log_file = os.path.join(workdir, name + ".log")
        self.out_file = os.path.join(workdir, name + ".out")
        prog = NORTHD if kind == "kiln" else OVN_NORTHD
        args = [prog, "--ovnnb-db=" + nb.remote, "--ovnsb-db=" + sb.remote,
                "--unixctl=" + self.ctl, "--no-chdir",
                "--log-file=" + self.log_file]
        with open(self.out_file, "ab") as out:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=out,
                                         cwd=workdir)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.ctl):
            assert self.proc.poll() is None, self.logs()
            assert time.monotonic() < deadline, self.logs()
            time.sleep(0.02)

    def appctl(self, *args):
        return kilntest.run([kilntest.OVS_APPCTL, "-t", self.ctl] + list(args))

    def status(self):
        return self.appctl("status").strip()

    def stats(self):
        out = self.appctl("northd/status")
        return {k.strip(): v.strip() for k, v in
                (line.split(":", 1) for line in out.splitlines()
                 if ":" in line)}

    def logs(self):
        try:
            with open(self.log_file) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        """Stops the daemon; a sanitizer report on its way out fails."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with open(self.out_file) as f:
            out = f.read()
        assert "Sanitizer" not in out and "runtime error" not in out, out


@pytest.fixture
def make_northd(tmp_path):
    made = []

    def factory(nb, sb, kind="kiln", name=None):
        n = Northd(str(tmp_path), nb, sb, kind,
                   name or "%s-northd%d" % (kind, len(made)))
        made.append(n)
        return n
    yield factory
    for n in made:
        n.stop()


def nbctl(nb, *args, timeout=30):
    # --wait=hv waits for ovn-controller to program ovs-vswitchd, which
    # under a sanitizer build on a loaded 2-core machine takes a while.
    wait = timeout if any(a.startswith("--wait") for a in args) else 20
    if wait > 20:
        timeout = wait + 10
    return kilntest.run([NBCTL, "--db=" + nb.remote, "--timeout=%d" % wait]
                        + list(args), timeout=timeout)


def sbctl(sb, *args):
    return kilntest.run([SBCTL, "--db=" + sb.remote] + list(args))


def sb_rows(sb, table, columns):
    out = sbctl(sb, "--format=json", "--data=json",
                "--columns=" + ",".join(columns), "list", table)
    data = json.loads(out)
    return [dict(zip(data["headings"], row)) for row in data["data"]]


def val(v):
    """ovn-sbctl --data=json value -> plain Python."""
    if isinstance(v, list) and v and v[0] in ("set", "map", "uuid"):
        if v[0] == "set":
            return tuple(sorted(val(x) for x in v[1]))
        if v[0] == "map":
            return tuple(sorted((val(k), val(x)) for k, x in v[1]))
        return v[1]
    return v


_DP_RE = re.compile(r'^Datapath: "([^"]*)" \(.*\)\s+Pipeline: (\w+)$')
_FLOW_RE = re.compile(r'^\s+table=(\d+)\s*\(\s*([\w]+)\s*\), '
                      r'priority=(\d+)\s*, match=\((.*)\), '
                      r'action=\((.*)\)$')


def lflows(sb):
    """The logical flows as a set of (datapath name, pipeline, table, stage,
    priority, match, actions)."""
    flows = set()
    dp = pipeline = None
    for line in sbctl(sb, "lflow-list").splitlines():
        m = _DP_RE.match(line)
        if m:
            dp, pipeline = m.groups()
            continue
        m = _FLOW_RE.match(line)
        assert m, line
        t, stage, prio, match, actions = m.groups()
        flows.add((dp, pipeline, int(t), stage, int(prio), match, actions))
    return flows


def bookkeeping(sb):
    """The southbound bindings, without row UUIDs and tunnel key values."""
    dps = {}
    for r in sb_rows(sb, "Datapath_Binding", ["_uuid", "external_ids"]):
        dps[val(r["_uuid"])] = dict(val(r["external_ids"]))["name"]
    pbs = {}
    ports = {}
    for r in sb_rows(sb, "Port_Binding",
                     ["_uuid", "logical_port", "datapath", "mac",
                      "port_security", "type", "options", "tag",
                      "parent_port", "up"]):
        pbs[r["logical_port"]] = (dps[val(r["datapath"])], val(r["mac"]),
                                  val(r["port_security"]), r["type"],
                                  val(r["options"]), val(r["tag"]),
                                  val(r["parent_port"]), val(r["up"]))
        ports[val(r["_uuid"])] = r["logical_port"]
    mcs = set()
    for r in sb_rows(sb, "Multicast_Group",
                     ["datapath", "name", "tunnel_key", "ports"]):
        members = val(r["ports"])
        if isinstance(members, str):
            members = (members,)
        mcs.add((dps[val(r["datapath"])], r["name"], r["tunnel_key"],
                 tuple(sorted(ports[u] for u in members))))
    return sorted(dps.values()), pbs, mcs


def tunnel_keys(sb):
    dps = {val(r["_uuid"]): (dict(val(r["external_ids"]))["name"],
                             r["tunnel_key"])
           for r in sb_rows(sb, "Datapath_Binding",
                            ["_uuid", "external_ids", "tunnel_key"])}
    pbs = {r["logical_port"]: r["tunnel_key"]
           for r in sb_rows(sb, "Port_Binding",
                            ["logical_port", "tunnel_key"])}
    return sorted(dps.values()), pbs


NB_SCRIPT = [
    ["ls-add", "sw0"],
    ["lsp-add", "sw0", "p1"],
    ["lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1"],
    ["lsp-set-port-security", "p1", "00:00:00:00:00:01 10.0.0.1"],
    ["lsp-add", "sw0", "p2"],
    ["lsp-set-addresses", "p2", "00:00:00:00:00:02 10.0.0.2", "unknown"],
]

MORE_SCRIPT = [
    ["lsp-add", "sw0", "p3"],
    ["lsp-set-addresses", "p3", "00:00:00:00:00:03 10.0.0.3 fd00::3"],
    ["lsp-add", "sw0", "p4"],
    ["lsp-set-addresses", "p4", "00:00:00:00:00:04 10.0.0.4"],
    ["lsp-set-enabled", "p4", "disabled"],
    ["lsp-add", "sw0", "p5"],
    ["lsp-set-addresses", "p5", "00:00:00:00:00:05"],
    ["lsp-add", "sw0", "p6"],
    ["ls-add", "sw1"],
    ["ls-add", "sw2"],
    ["lsp-add", "sw2", "q1"],
    ["lsp-set-addresses", "q1", "00:00:00:00:01:01 10.1.0.1"],
    ["lsp-add", "sw2", "q2", "p1", "7"],
    ["lsp-set-addresses", "q2", "00:00:00:00:01:02 10.1.0.2"],
    ["lsp-set-addresses", "p2", "00:00:00:00:00:02 10.0.0.2"],
]


@pytest.fixture
def pair(make_server, make_northd):
    """(kiln NB, kiln SB, kiln-northd, Debian NB, Debian SB, ovn-northd)."""
    knb = make_server("kiln", NB_SCHEMA, name="knb")
    ksb = make_server("kiln", SB_SCHEMA, name="ksb")
    onb = make_server("ovs", NB_SCHEMA, name="onb")
    osb = make_server("ovs", SB_SCHEMA, name="osb")
    kn = make_northd(knb, ksb, "kiln")
    on = make_northd(onb, osb, "ovs")
    return knb, ksb, kn, onb, osb, on


def apply(script, *nbs):
    for nb in nbs:
        for cmd in script:
            nbctl(nb, *cmd)
        nbctl(nb, "--wait=sb", "sync")


def assert_same(ksb, osb):
    kf, of = lflows(ksb), lflows(osb)
    assert kf == of, ("only kiln: %s\nonly ovn: %s"
                      % (sorted(kf - of), sorted(of - kf)))
    assert bookkeeping(ksb) == bookkeeping(osb)


def test_switch_matches_ovn_northd(pair):
    knb, ksb, kn, onb, osb, on = pair
    apply(NB_SCRIPT, knb, onb)
    assert_same(ksb, osb)
    assert kn.status() == "Status: active"
    assert on.status() == "Status: active"

    # nb_cfg went south and came back as sb_cfg.
    cfg = nbctl(knb, "get", "NB_Global", ".", "nb_cfg").strip()
    assert int(cfg) > 0
    assert nbctl(knb, "get", "NB_Global", ".", "sb_cfg").strip() == cfg
    assert sbctl(ksb, "get", "SB_Global", ".", "nb_cfg").strip() == cfg
    # No chassis: hv_cfg follows.
    assert nbctl(knb, "get", "NB_Global", ".", "hv_cfg").strip() == cfg

    # Multicast keys as ovn-sb(5) gives them, port keys unique.
    mcs = {r["name"]: r["tunnel_key"]
           for r in sb_rows(ksb, "Multicast_Group", ["name", "tunnel_key"])}
    assert mcs == {"_MC_flood": 32768, "_MC_unknown": 32769,
                   "_MC_flood_l2": 32772}
    _, pkeys = tunnel_keys(ksb)
    assert sorted(pkeys.values()) == [1, 2]

    # More of the pipeline, incrementally.
    apply(MORE_SCRIPT, knb, onb)
    assert_same(ksb, osb)
    st = kn.stats()
    assert st["full recomputes"] == "1", st

    # Deleting ports and a switch.
    apply([["lsp-del", "p3"], ["ls-del", "sw2"]], knb, onb)
    assert_same(ksb, osb)
    assert kn.stats()["full recomputes"] == "1"


ROUTER_SCRIPT = [
    ["ls-add", "ls1"],
    ["lsp-add", "ls1", "a1"],
    ["lsp-set-addresses", "a1", "00:00:00:00:0a:01 10.10.0.2 fd10::2"],
    ["ls-add", "ls2"],
    ["lsp-add", "ls2", "b1"],
    ["lsp-set-addresses", "b1", "00:00:00:00:0b:01 10.20.0.2"],
    ["lr-add", "lr0"],
    ["lrp-add", "lr0", "lrp1", "00:00:00:00:ff:01", "10.10.0.1/24",
     "fd10::1/64"],
    ["lrp-add", "lr0", "lrp2", "00:00:00:00:ff:02", "10.20.0.1/24"],
    ["lsp-add", "ls1", "ls1-lr0"],
    ["lsp-set-type", "ls1-lr0", "router"],
    ["lsp-set-addresses", "ls1-lr0", "router"],
    ["lsp-set-options", "ls1-lr0", "router-port=lrp1"],
    ["lsp-add", "ls2", "ls2-lr0"],
    ["lsp-set-type", "ls2-lr0", "router"],
    ["lsp-set-addresses", "ls2-lr0", "router"],
    ["lsp-set-options", "ls2-lr0", "router-port=lrp2"],
    ["lr-route-add", "lr0", "20.0.0.0/24", "10.20.0.254"],
    ["lr-route-add", "lr0", "20.0.0.0/16", "10.10.0.254"],
]


def test_router_matches_ovn_northd(pair):
    """A router joining two switches, with static routes: flows per stage
    and bindings as Debian's ovn-northd writes them."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ROUTER_SCRIPT, knb, onb)
    assert_same(ksb, osb)
    kf = lflows(ksb)
    # Longest prefix first: /24 above /16, connected above static.
    prio = {f[5]: f[4] for f in kf if f[3] == "lr_in_ip_routing"}
    assert prio["reg7 == 0 && ip4.dst == 20.0.0.0/24"] == 73
    assert prio["reg7 == 0 && ip4.dst == 20.0.0.0/16"] == 49
    assert prio["ip4.dst == 10.10.0.0/24"] == 74
    pbs = {r["logical_port"]: (r["type"], val(r["options"]))
           for r in sb_rows(ksb, "Port_Binding",
                            ["logical_port", "type", "options"])}
    assert pbs["lrp1"] == ("patch", (("peer", "ls1-lr0"),))
    assert pbs["ls2-lr0"] == ("patch", (("peer", "lrp2"),))

    # Changes on both sides of the router.
    apply([["lsp-set-addresses", "b1", "00:00:00:00:0b:02 10.20.0.3"],
           ["lsp-add", "ls2", "b2"],
           ["lsp-set-addresses", "b2", "00:00:00:00:0b:03 10.20.0.4"],
           ["lr-route-del", "lr0", "20.0.0.0/16"],
           ["lrp-add", "lr0", "lrp3", "00:00:00:00:ff:03", "10.30.0.1/24"],
           ["lr-route-add", "lr0", "0.0.0.0/0", "10.30.0.254"]],
          knb, onb)
    assert_same(ksb, osb)
    apply([["lsp-del", "ls2-lr0"], ["lrp-del", "lrp3"]], knb, onb)
    assert_same(ksb, osb)
    apply([["lr-del", "lr0"]], knb, onb)
    assert_same(ksb, osb)


def test_incremental_equals_recompute(pair):
    """The southbound database written change by change is the one a full
    recompute writes: a recompute then changes nothing."""
    knb, ksb, kn, onb, osb, on = pair
    apply(NB_SCRIPT + MORE_SCRIPT + ROUTER_SCRIPT, knb)
    full = kn.stats()["full recomputes"]
    apply([["lsp-set-addresses", "p5", "unknown"],
           ["lsp-set-enabled", "p4", "enabled"],
           ["lsp-del", "p1"],
           ["lsp-set-addresses", "b1", "00:00:00:00:0b:09 10.20.0.9"],
           ["lsp-add", "ls1", "a2"],
           ["lsp-set-addresses", "a2", "00:00:00:00:0a:02 10.10.0.3"]], knb)
    # The VIF changes next to the router went incrementally.
    assert kn.stats()["full recomputes"] == full
    assert any(f[3] == "lr_in_arp_resolve" and "10.20.0.9" in f[5]
               for f in lflows(ksb))
    before = lflows(ksb), bookkeeping(ksb), tunnel_keys(ksb)
    st0 = kn.stats()
    kn.appctl("northd/recompute")
    nbctl(knb, "--wait=sb", "sync")
    st1 = kn.stats()
    assert int(st1["full recomputes"]) == int(st0["full recomputes"]) + 1
    assert st1["flows inserted"] == st0["flows inserted"], (st0, st1)
    assert st1["flows deleted"] == st0["flows deleted"], (st0, st1)
    assert (lflows(ksb), bookkeeping(ksb), tunnel_keys(ksb)) == before


def test_tunnel_keys_survive_restart(pair, make_northd):
    knb, ksb, kn, onb, osb, on = pair
    apply(NB_SCRIPT + MORE_SCRIPT, knb)
    keys = tunnel_keys(ksb)
    flows = lflows(ksb)
    kn.stop()
    kn2 = make_northd(knb, ksb, "kiln", name="again")
    apply([["lsp-add", "sw0", "p9"]], knb)
    dps, pbs = tunnel_keys(ksb)
    assert dps == keys[0]
    del pbs["p9"]
    assert pbs == keys[1]
    assert flows <= lflows(ksb)
    assert kn2.stats()["flows deleted"] == "0"


def test_standby_takes_over(pair, make_northd):
    knb, ksb, kn, onb, osb, on = pair
    apply(NB_SCRIPT, knb)
    standby = make_northd(knb, ksb, "kiln", name="standby")
    deadline = time.monotonic() + 5
    while standby.status() != "Status: standby":
        assert time.monotonic() < deadline, standby.status()
        time.sleep(0.05)
    assert kn.status() == "Status: active"
    kn.stop()
    deadline = time.monotonic() + 5
    while standby.status() != "Status: active":
        assert time.monotonic() < deadline, standby.logs()
        time.sleep(0.05)
    apply([["lsp-add", "sw0", "p7"],
           ["lsp-set-addresses", "p7", "00:00:00:00:00:07 10.0.0.7"]], knb)
    assert any(f[5] == "eth.dst == 00:00:00:00:00:07" for f in lflows(ksb))


# The real thing: ovn-controller and ovs-vswitchd on one chassis.

OVS_VSWITCHD = "/usr/sbin/ovs-vswitchd"
OVN_CONTROLLER = "/usr/bin/ovn-controller"
VSCTL = "/usr/bin/ovs-vsctl"
VS_SCHEMA = os.path.join(kilntest.TOP, "schemas", "vswitch.ovsschema")


def sh(cmd, check=True):
    return kilntest.run(cmd, check=check)


class Chassis:
    """ovsdb-server (Open_vSwitch), ovs-vswitchd and ovn-controller in one
    directory, on unix sockets there.  ovs-vswitchd runs in network
    namespace 'netns', so that its userspace datapath's "ovs-netdev" tap
    and the ports' host ends stay out of everybody else's way."""

    def __init__(self, workdir, netns):
        self.dir = workdir
        self.netns = netns
        os.makedirs(workdir, exist_ok=True)
        self.env = dict(os.environ, OVS_RUNDIR=workdir, OVS_LOGDIR=workdir,
                        OVS_DBDIR=workdir, OVN_RUNDIR=workdir,
                        OVN_LOGDIR=workdir)
        self.procs = []

    def setup(self, make_server, sb):
        self.db = make_server("ovs", VS_SCHEMA, name="vsdb")
        self.vsctl("--no-wait", "init")
        self.start(["ip", "netns", "exec", self.netns, OVS_VSWITCHD,
                    self.db.remote, "--no-chdir",
                    "--pidfile=" + os.path.join(self.dir, "vswitchd.pid"),
                    "--unixctl=" + os.path.join(self.dir, "vswitchd.ctl"),
                    "--log-file=" + os.path.join(self.dir, "vswitchd.log")])
        self.vsctl("add-br", "br-int", "--", "set", "Bridge", "br-int",
                   "datapath_type=netdev", "fail-mode=secure",
                   "other_config:disable-in-band=true")
        self.vsctl("set", "Open_vSwitch", ".",
                   "external_ids:system-id=hv1",
                   "external_ids:ovn-remote=" + sb.remote,
                   "external_ids:ovn-encap-type=geneve",
                   "external_ids:ovn-encap-ip=127.0.0.1",
                   "external_ids:ovn-bridge-datapath-type=netdev")
        self.start([OVN_CONTROLLER, self.db.remote, "--no-chdir",
                    "--pidfile=" + os.path.join(self.dir, "controller.pid"),
                    "--log-file=" + os.path.join(self.dir, "controller.log")])

    def start(self, args):
        p = subprocess.Popen(args, env=self.env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=self.dir)
        self.procs.append(p)
        time.sleep(0.3)
        assert p.poll() is None, "%s exited" % args[0]

    def vsctl(self, *args):
        return kilntest.run([VSCTL, "--db=" + self.db.remote, "--timeout=20"]
                            + list(args), env=self.env)

    def logs(self):
        out = []
        for name in ("vswitchd.log", "controller.log"):
            try:
                with open(os.path.join(self.dir, name)) as f:
                    out.append("== %s\n%s" % (name, f.read()[-3000:]))
            except OSError:
                pass
        return "\n".join(out)

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


@pytest.fixture
def namespaces():
    made = []
    tag = "kn%d" % os.getpid()

    def factory(i):
        ns = "%s-%d" % (tag, i)
        sh(["ip", "netns", "add", ns])
        made.append(ns)
        return ns
    yield factory
    # Deleting a namespace deletes the veths in it.
    for ns in made:
        sh(["ip", "netns", "del", ns], check=False)


def have_netns():
    if os.geteuid() != 0 or not shutil.which("ip"):
        return False
    p = kilntest.run_proc(["ip", "netns", "add", "kn-probe%d" % os.getpid()])
    kilntest.run_proc(["ip", "netns", "del", "kn-probe%d" % os.getpid()])
    return p.returncode == 0


def test_ping_through_ovn_controller(make_server, make_northd, tmp_path,
                                     namespaces):
    assert have_netns(), "this test needs root and network namespaces"
    nb = make_server("kiln", NB_SCHEMA, name="knb")
    sb = make_server("kiln", SB_SCHEMA, name="ksb")
    make_northd(nb, sb, "kiln")
    apply([["ls-add", "sw0"],
           ["lsp-add", "sw0", "vm1"],
           ["lsp-set-addresses", "vm1", "00:00:00:00:10:01 10.9.0.1"],
           ["lsp-set-port-security", "vm1", "00:00:00:00:10:01 10.9.0.1"],
           ["lsp-add", "sw0", "vm2"],
           ["lsp-set-addresses", "vm2", "00:00:00:00:10:02 10.9.0.2"]], nb)

    tag = "kn%d" % os.getpid()
    hv = namespaces(0)
    ch = Chassis(str(tmp_path / "hv1"), hv)
    try:
        ch.setup(make_server, sb)
        for i, (lsp, mac, ip) in enumerate(
                [("vm1", "00:00:00:00:10:01", "10.9.0.1"),
                 ("vm2", "00:00:00:00:10:02", "10.9.0.2")], start=1):
            ns = namespaces(i)
            host, guest = "%sv%d" % (tag, i), "%sg%d" % (tag, i)
            sh(["ip", "-n", hv, "link", "add", host, "type", "veth", "peer",
                "name", guest])
            sh(["ip", "-n", hv, "link", "set", guest, "netns", ns])
            sh(["ip", "-n", ns, "link", "set", guest, "address", mac])
            sh(["ip", "-n", ns, "addr", "add", ip + "/24", "dev", guest])
            sh(["ip", "-n", ns, "link", "set", guest, "up"])
            sh(["ip", "-n", ns, "link", "set", "lo", "up"])
            sh(["ip", "-n", hv, "link", "set", host, "up"])
            ch.vsctl("add-port", "br-int", host, "--", "set", "Interface",
                     host, "external_ids:iface-id=" + lsp)

        # ovn-controller binds both ports; northd reports them up.
        deadline = time.monotonic() + 30
        while True:
            ups = nbctl(nb, "--bare", "--columns=up", "list",
                        "Logical_Switch_Port").split()
            if ups == ["true", "true"]:
                break
            assert time.monotonic() < deadline, (ups, ch.logs())
            time.sleep(0.2)
        nbctl(nb, "--wait=hv", "sync", timeout=90)

        ns1 = "%s-1" % tag
        p = kilntest.run_proc(["ip", "netns", "exec", ns1, "ping", "-c", "3",
                               "-i", "0.2", "-W", "2", "10.9.0.2"],
                              timeout=30)
        assert p.returncode == 0, (p.stdout, p.stderr, ch.logs())
        assert " 0% packet loss" in p.stdout
    finally:
        ch.stop()


def plug_vif(ch, namespaces, i, lsp, mac, addrs, gateways):
    """Creates namespace 'i' with a veth whose host end is an OVS port bound
    to 'lsp', with 'mac', 'addrs' ("ADDR/PLEN") and default routes via
    'gateways'."""
    tag = "kn%d" % os.getpid()
    hv = ch.netns
    ns = namespaces(i)
    host, guest = "%sv%d" % (tag, i), "%sg%d" % (tag, i)
    sh(["ip", "-n", hv, "link", "add", host, "type", "veth", "peer",
        "name", guest])
    sh(["ip", "-n", hv, "link", "set", guest, "netns", ns])
    sh(["ip", "-n", ns, "link", "set", guest, "address", mac])
    for a in addrs:
        extra = ["nodad"] if ":" in a else []
        sh(["ip", "-n", ns, "addr", "add", a, "dev", guest] + extra)
    sh(["ip", "-n", ns, "link", "set", guest, "up"])
    sh(["ip", "-n", ns, "link", "set", "lo", "up"])
    for gw in gateways:
        sh(["ip", "-n", ns] + (["-6"] if ":" in gw else [])
           + ["route", "add", "default", "via", gw])
    sh(["ip", "-n", hv, "link", "set", host, "up"])
    ch.vsctl("add-port", "br-int", host, "--", "set", "Interface",
             host, "external_ids:iface-id=" + lsp)
    return ns


def ping(ns, addr, ch):
    p = kilntest.run_proc(["ip", "netns", "exec", ns, "ping", "-c", "3",
                           "-i", "0.2", "-W", "2", addr], timeout=30)
    assert p.returncode == 0, (addr, p.stdout, p.stderr, ch.logs())
    assert " 0% packet loss" in p.stdout


def test_ping_across_router(make_server, make_northd, tmp_path, namespaces):
    """Two switches joined by a distributed router: IPv4 and IPv6 pings
    from one namespace to the other cross it, and the router answers
    pings to its own addresses."""
    assert have_netns(), "this test needs root and network namespaces"
    nb = make_server("kiln", NB_SCHEMA, name="knb")
    sb = make_server("kiln", SB_SCHEMA, name="ksb")
    make_northd(nb, sb, "kiln")
    apply([["ls-add", "ls1"],
           ["lsp-add", "ls1", "vm1"],
           ["lsp-set-addresses", "vm1", "00:00:00:00:21:01 10.21.0.2 fd21::2"],
           ["ls-add", "ls2"],
           ["lsp-add", "ls2", "vm2"],
           ["lsp-set-addresses", "vm2", "00:00:00:00:22:01 10.22.0.2 fd22::2"],
           ["lr-add", "lr0"],
           ["lrp-add", "lr0", "lrp1", "00:00:00:00:ff:21", "10.21.0.1/24",
            "fd21::1/64"],
           ["lrp-add", "lr0", "lrp2", "00:00:00:00:ff:22", "10.22.0.1/24",
            "fd22::1/64"],
           ["lsp-add", "ls1", "ls1-lr0"],
           ["lsp-set-type", "ls1-lr0", "router"],
           ["lsp-set-addresses", "ls1-lr0", "router"],
           ["lsp-set-options", "ls1-lr0", "router-port=lrp1"],
           ["lsp-add", "ls2", "ls2-lr0"],
           ["lsp-set-type", "ls2-lr0", "router"],
           ["lsp-set-addresses", "ls2-lr0", "router"],
           ["lsp-set-options", "ls2-lr0", "router-port=lrp2"]], nb)

    hv = namespaces(0)
    ch = Chassis(str(tmp_path / "hv1"), hv)
    try:
        ch.setup(make_server, sb)
        ns1 = plug_vif(ch, namespaces, 1, "vm1", "00:00:00:00:21:01",
                       ["10.21.0.2/24", "fd21::2/64"],
                       ["10.21.0.1", "fd21::1"])
        plug_vif(ch, namespaces, 2, "vm2", "00:00:00:00:22:01",
                 ["10.22.0.2/24", "fd22::2/64"], ["10.22.0.1", "fd22::1"])
        deadline = time.monotonic() + 30
        while True:
            ups = nbctl(nb, "--bare", "--columns=name,up", "list",
                        "Logical_Switch_Port").split()
            if ups.count("true") == 2:
                break
            assert time.monotonic() < deadline, (ups, ch.logs())
            time.sleep(0.2)
        nbctl(nb, "--wait=hv", "sync", timeout=90)

        ping(ns1, "10.21.0.1", ch)      # The router itself.
        ping(ns1, "10.22.0.2", ch)      # Across it.
        ping(ns1, "fd22::2", ch)
        # The reply came back through the router: TTL decremented once.
        p = kilntest.run_proc(["ip", "netns", "exec", ns1, "ping", "-c", "1",
                               "-W", "2", "10.22.0.2"], timeout=30)
        assert "ttl=63" in p.stdout, p.stdout
    finally:
        ch.stop()
