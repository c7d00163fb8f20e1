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
    if any("$_rtr_lb_" in f[5] for f in flows):
        # Router VIP address sets are named by datapath tunnel key, which
        # each northd picks its own way: name them by datapath.
        keys = dp_names_by_key(sb)
        flows = {f[:5] + (_RTR_LB_RE.sub(
            lambda m: "$_rtr_lb_%s_" % keys[int(m.group(1))], f[5]),)
            + f[6:] for f in flows}
    return flows


_RTR_LB_RE = re.compile(r"\$_rtr_lb_(\d+)_")


def dp_names_by_key(sb):
    return {r["tunnel_key"]: dict(val(r["external_ids"]))["name"]
            for r in sb_rows(sb, "Datapath_Binding",
                             ["external_ids", "tunnel_key"])}


def load_balancers(sb):
    """Load_Balancer rows as (name, vips, protocol, options, names of the
    datapaths of their Logical_DP_Group and "datapaths")."""
    names = {val(r["_uuid"]): dict(val(r["external_ids"]))["name"]
             for r in sb_rows(sb, "Datapath_Binding",
                              ["_uuid", "external_ids"])}
    groups = {}
    for r in sb_rows(sb, "Logical_DP_Group", ["_uuid", "datapaths"]):
        dps = val(r["datapaths"])
        dps = (dps,) if isinstance(dps, str) else dps
        groups[val(r["_uuid"])] = tuple(sorted(names[u] for u in dps))
    lbs = set()
    for r in sb_rows(sb, "Load_Balancer",
                     ["name", "vips", "protocol", "options", "datapaths",
                      "datapath_group"]):
        g = val(r["datapath_group"])
        dps = val(r["datapaths"])
        dps = (dps,) if isinstance(dps, str) else dps
        lbs.add((r["name"], val(r["vips"]), val(r["protocol"]),
                 val(r["options"]),
                 groups[g] if isinstance(g, str) else None,
                 tuple(sorted(names[u] for u in dps))))
    return lbs


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


def named_sets(sb):
    """Port_Group (as datapath name, group name, ports), Address_Set (but
    the value of "svc_monitor_mac", which each northd picks) and Meter
    with its bands."""
    keys = {r["tunnel_key"]: dict(val(r["external_ids"]))["name"]
            for r in sb_rows(sb, "Datapath_Binding",
                             ["external_ids", "tunnel_key"])}
    pgs = set()
    for r in sb_rows(sb, "Port_Group", ["name", "ports"]):
        key, name = r["name"].split("_", 1)
        ports = val(r["ports"])
        pgs.add((keys[int(key)], name,
                 (ports,) if isinstance(ports, str) else ports))
    ass = {}
    for r in sb_rows(sb, "Address_Set", ["name", "addresses"]):
        addrs = val(r["addresses"])
        addrs = (addrs,) if isinstance(addrs, str) else addrs
        name = _RTR_LB_RE.sub(lambda m: "$_rtr_lb_%s_" % keys[int(
            m.group(1))], "$" + r["name"])[1:]
        ass[name] = len(addrs) if r["name"] == "svc_monitor_mac" \
            else addrs
    bands = {val(r["_uuid"]): (r["action"], r["rate"], r["burst_size"])
             for r in sb_rows(sb, "Meter_Band",
                              ["_uuid", "action", "rate", "burst_size"])}
    meters = set()
    for r in sb_rows(sb, "Meter", ["name", "unit", "bands"]):
        b = val(r["bands"])
        b = (b,) if isinstance(b, str) else b
        meters.add((r["name"], r["unit"], tuple(sorted(bands[u] for u in b))))
    return pgs, ass, meters


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


def test_northd_creates_nb_global(make_server, make_northd):
    """An empty northbound database gets its NB_Global row from northd (as
    from ovn-northd), and SB_Global follows."""
    nb = make_server("kiln", NB_SCHEMA, name="knb")
    sb = make_server("kiln", SB_SCHEMA, name="ksb")
    make_northd(nb, sb, "kiln")
    deadline = time.time() + 10
    rows = []
    query = json.dumps(["OVN_Northbound", {"op": "select",
                                           "table": "NB_Global",
                                           "where": []}])
    while time.time() < deadline and not rows:
        out = kilntest.run(["/usr/bin/ovsdb-client", "query", nb.remote,
                            query])
        rows = json.loads(out)[0]["rows"]
        time.sleep(0.1)
    assert len(rows) == 1, rows
    assert len(sb_rows(sb, "SB_Global", ["nb_cfg"])) == 1


def apply(script, *nbs):
    for nb in nbs:
        for cmd in script:
            nbctl(nb, *cmd)
        nbctl(nb, "--wait=sb", "sync")


def assert_same(ksb, osb):
    kf, of = lflows(ksb), lflows(osb)
    assert kf == of, ("only kiln: %s\nonly ovn: %s"
                      % (sorted(kf - of), sorted(of - kf)))
    kb, ob = bookkeeping(ksb), bookkeeping(osb)
    assert kb[0] == ob[0]
    assert kb[1] == ob[1], sorted(
        (k, kb[1].get(k), ob[1].get(k)) for k in set(kb[1]) | set(ob[1])
        if kb[1].get(k) != ob[1].get(k))
    assert kb[2] == ob[2], (sorted(kb[2] - ob[2]), sorted(ob[2] - kb[2]))
    assert named_sets(ksb) == named_sets(osb)
    assert load_balancers(ksb) == load_balancers(osb)


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


def test_router_policies_match_ovn_northd(pair):
    """Logical_Router_Policy: drop, allow, reroute to one next hop (IPv4
    and IPv6, with pkt_mark) and to several (lr_in_policy_ecmp), as
    Debian's ovn-northd writes them, changed incrementally."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ROUTER_SCRIPT, knb, onb)
    full = kn.stats()["full recomputes"]
    for cmds in (
            [["lr-policy-add", "lr0", "100", "ip4.src == 10.10.0.0/24",
              "drop"],
             ["lr-policy-add", "lr0", "200", "ip4.dst == 10.20.0.5",
              "allow"]],
            [["lr-policy-add", "lr0", "300", "ip4.src == 10.10.0.7",
              "reroute", "10.20.0.9"],
             ["lr-policy-add", "lr0", "310", "ip4.src == 10.10.0.8",
              "reroute", "10.20.0.9,10.20.0.10"],
             ["lr-policy-add", "lr0", "320", "ip6.src == fd10::5",
              "reroute", "fd10::9"]],
            # One multi-hop reroute at a time: both northds number them
            # in the order of the rows' UUIDs, which differ between the
            # two databases.
            [["lr-policy-del", "lr0", "310"],
             ["lr-policy-add", "lr0", "330", "ip4.src == 10.10.0.11",
              "reroute", "10.20.0.11,10.20.0.12,10.20.0.13"],
             ["lr-policy-add", "lr0", "340", "ip4.src == 10.10.0.12",
              "reroute", "10.20.0.99", "pkt_mark=7"],
             # Not reachable by any port: no flow.
             ["lr-policy-add", "lr0", "350", "ip4.src == 10.10.0.13",
              "reroute", "192.0.2.1"],
             # A mark that is not a number.
             ["lr-policy-add", "lr0", "360", "ip4.src == 10.10.0.14",
              "allow", "pkt_mark=bogus"]],
            [["lr-policy-del", "lr0", "100", "ip4.src == 10.10.0.0/24"]]):
        apply(cmds, knb, onb)
        assert_same(ksb, osb)
    # A policy changed in place.
    for nb in (knb, onb):
        uuid = nbctl(nb, "--bare", "--columns=_uuid", "find",
                     "Logical_Router_Policy", "priority=200").strip()
        nbctl(nb, "set", "Logical_Router_Policy", uuid,
              'match="ip4.dst == 10.20.0.6"')
        nbctl(nb, "--wait=sb", "sync")
    assert_same(ksb, osb)
    assert kn.stats()["full recomputes"] == full
    kf = lflows(ksb)
    assert ("lr0", "ingress", 15, "lr_in_policy", 200,
            "ip4.dst == 10.20.0.6", "reg8[0..15] = 0; next;") in kf
    assert ("lr0", "ingress", 15, "lr_in_policy", 340,
            "ip4.src == 10.10.0.12",
            'pkt.mark = 7; reg0 = 10.20.0.99; reg1 = 10.20.0.1; '
            'eth.src = 00:00:00:00:ff:02; outport = "lrp2"; '
            'flags.loopback = 1; reg8[0..15] = 0; next;') in kf
    assert sum(1 for f in kf if f[3] == "lr_in_policy_ecmp"
               and f[4] == 100) == 3
    before = lflows(ksb)
    kn.appctl("northd/recompute")
    nbctl(knb, "--wait=sb", "sync")
    assert lflows(ksb) == before


def test_router_to_router_link_matches_ovn_northd(pair):
    """Two routers joined by a pair of router ports that name each other
    ("peer"): patch bindings and each end resolving the other's addresses,
    as Debian's ovn-northd writes them, incrementally."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ROUTER_SCRIPT, knb, onb)
    full = kn.stats()["full recomputes"]
    for cmds in ([["lr-add", "lr1"],
                  ["lrp-add", "lr0", "lr0-lr1", "00:00:00:00:ee:01",
                   "172.16.0.1/24", "peer=lr1-lr0"],
                  ["lrp-add", "lr1", "lr1-lr0", "00:00:00:00:ee:02",
                   "172.16.0.2/24", "peer=lr0-lr1"],
                  ["lr-route-add", "lr1", "10.10.0.0/24", "172.16.0.1"]],
                 [["set", "Logical_Router_Port", "lr1-lr0",
                   'networks="172.16.0.2/24","fd72::2/64"']],
                 [["lrp-del", "lr1-lr0"]]):
        apply(cmds, knb, onb)
        assert_same(ksb, osb)
        pbs = {r["logical_port"]: (r["type"], val(r["options"]))
               for r in sb_rows(ksb, "Port_Binding",
                                ["logical_port", "type", "options"])}
        # Each end names the other while both exist.
        assert pbs["lr0-lr1"] == ("patch", (("peer", "lr1-lr0"),)
                                  if "lr1-lr0" in pbs else ())
    assert kn.stats()["full recomputes"] == full


def ovn_trace(sb, datapath, microflow):
    """Debian's ovn-trace --minimal of 'microflow' entering 'datapath' of
    southbound database 'sb'."""
    return kilntest.run(["/usr/bin/ovn-trace", "--db=" + sb.remote,
                         "--minimal", datapath, microflow])


def test_ovn_trace_verdicts_match_ovn_northd(pair):
    """Debian's ovn-trace, run on the southbound database kiln-northd wrote
    and on the one ovn-northd wrote for the same network, reaches the same
    verdicts: delivery within a switch, routing across the router (TTL
    and MACs rewritten), an ACL drop, an ACL allow."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ROUTER_SCRIPT + [
        ["lsp-add", "ls1", "a2"],
        ["lsp-set-addresses", "a2", "00:00:00:00:0a:02 10.10.0.3"],
        ["acl-add", "ls2", "to-lport", "1000", "icmp4", "drop"],
        ["acl-add", "ls2", "to-lport", "900", "tcp", "allow-related"],
    ], knb, onb)
    a1 = ('inport == "a1" && eth.src == 00:00:00:00:0a:01 && '
          'ip4.src == 10.10.0.2 && ip.ttl == 64 && ')
    cases = [
        # Within ls1: to a2.
        (a1 + "eth.dst == 00:00:00:00:0a:02 && ip4.dst == 10.10.0.3 && "
         "icmp4", 'output("a2")'),
        # Across lr0 to b1: TCP goes, ICMP is dropped by ls2's ACL.
        (a1 + "eth.dst == 00:00:00:00:ff:01 && ip4.dst == 10.20.0.2 && "
         "tcp && tcp.dst == 80", 'output("b1")'),
        (a1 + "eth.dst == 00:00:00:00:ff:01 && ip4.dst == 10.20.0.2 && "
         "icmp4", None),
    ]
    for microflow, verdict in cases:
        k = ovn_trace(ksb, "ls1", microflow)
        o = ovn_trace(osb, "ls1", microflow)
        assert k == o, (microflow, k, o)
        if verdict:
            assert verdict in k, (microflow, k)
        else:
            assert "output(" not in k, (microflow, k)
    routed = ovn_trace(ksb, "ls1", cases[1][0])
    assert "ip.ttl--" in routed and "eth.src = 00:00:00:00:ff:02" in routed


def add_mac_binding(sb, router, port, ip, mac):
    dp = sbctl(sb, "--bare", "--columns=_uuid", "find", "Datapath_Binding",
               "external_ids:name=" + router).strip()
    sbctl(sb, "create", "MAC_Binding", "logical_port=" + port, "ip=" + ip,
          'mac="%s"' % mac, "datapath=" + dp)


def mac_bindings(sb):
    return sorted((r["logical_port"], r["ip"])
                  for r in sb_rows(sb, "MAC_Binding", ["logical_port", "ip"]))


def test_stale_mac_bindings_removed(pair):
    """MAC_Binding rows (ovn-controller's) of a router port that goes, or of
    a router that goes, are removed, as ovn-northd removes them; the
    router's datapath, which they refer to, can then go too."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ROUTER_SCRIPT, knb, onb)
    for sb in (ksb, osb):
        add_mac_binding(sb, "lr0", "lrp1", "10.10.0.9", "00:00:00:00:0a:09")
        add_mac_binding(sb, "lr0", "lrp2", "10.20.0.9", "00:00:00:00:0b:09")
    apply([["lsp-del", "ls2-lr0"], ["lrp-del", "lrp2"]], knb, onb)
    assert mac_bindings(ksb) == mac_bindings(osb) == [("lrp1", "10.10.0.9")]
    apply([["lr-del", "lr0"]], knb, onb)
    assert mac_bindings(ksb) == mac_bindings(osb) == []
    assert_same(ksb, osb)
    assert kn.stats()["southbound transactions"].endswith("(0 failed)")


def ecmp_normalized(flows):
    """'flows' with the member numbers of ECMP groups masked: both northds
    number the members in the order of the route rows' UUIDs, which differ
    between two databases."""
    out = set()
    for f in flows:
        if f[3] in ("lr_in_ip_routing_ecmp", "lr_in_policy_ecmp"):
            f = f[:5] + (re.sub(r"reg8\[16\.\.31\] == \d+",
                                "reg8[16..31] == *", f[5]),) + f[6:]
        out.add(f)
    return out


def test_ecmp_routes_match_ovn_northd(pair):
    """Static routes to one prefix make an ECMP group (lr_in_ip_routing
    select(), lr_in_ip_routing_ecmp per member), IPv4 and IPv6, as Debian's
    ovn-northd writes them, followed incrementally."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ROUTER_SCRIPT, knb, onb)
    full = kn.stats()["full recomputes"]
    for cmds in ([["--ecmp", "lr-route-add", "lr0", "30.0.0.0/24",
                   "10.20.0.254"],
                  ["--ecmp", "lr-route-add", "lr0", "30.0.0.0/24",
                   "10.20.0.253"],
                  ["--ecmp", "lr-route-add", "lr0", "30.0.0.0/24",
                   "10.10.0.252"]],
                 [["lr-route-del", "lr0", "30.0.0.0/24", "10.20.0.253"]],
                 [["lr-route-del", "lr0", "30.0.0.0/24", "10.10.0.252"]],
                 [["--ecmp", "lr-route-add", "lr0", "fd30::/64",
                   "fd10::9"],
                  ["--ecmp", "lr-route-add", "lr0", "fd30::/64",
                   "fd10::8"]]):
        apply(cmds, knb, onb)
        kf, of = ecmp_normalized(lflows(ksb)), ecmp_normalized(lflows(osb))
        assert kf == of, ("only kiln: %s\nonly ovn: %s"
                          % (sorted(kf - of), sorted(of - kf)))
    assert kn.stats()["full recomputes"] == full
    kf = lflows(ksb)
    assert ("lr0", "ingress", 13, "lr_in_ip_routing", 193,
            "reg7 == 0 && ip6.dst == fd30::/64",
            "ip.ttl--; flags.loopback = 1; reg8[0..15] = 1; "
            "reg8[16..31] = select(1, 2);") in kf
    before = lflows(ksb)
    kn.appctl("northd/recompute")
    nbctl(knb, "--wait=sb", "sync")
    assert lflows(ksb) == before


# Port security, disabled, localnet and localport ports; stateless ACLs on
# one switch, stateful ones on another and on port groups spanning two
# switches, with address sets, labels, reject, logging and meters.
ACL_SCRIPT = [
    ["ls-add", "sw0"],
    ["lsp-add", "sw0", "p1"],
    ["lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1 fd00::1"],
    ["lsp-set-port-security", "p1", "00:00:00:00:00:01 10.0.0.1 fd00::1"],
    ["lsp-add", "sw0", "p2"],
    ["lsp-set-addresses", "p2", "00:00:00:00:00:02 10.0.0.2", "unknown"],
    ["lsp-set-port-security", "p2", "00:00:00:00:00:02"],
    ["lsp-add", "sw0", "p3"],
    ["lsp-set-addresses", "p3", "00:00:00:00:00:03 10.0.0.3"],
    ["lsp-set-enabled", "p3", "disabled"],
    ["lsp-add", "sw0", "ln0"],
    ["lsp-set-type", "ln0", "localnet"],
    ["lsp-set-addresses", "ln0", "unknown"],
    ["lsp-set-options", "ln0", "network_name=phys"],
    ["lsp-add", "sw0", "lp0"],
    ["lsp-set-type", "lp0", "localport"],
    ["lsp-set-addresses", "lp0", "00:00:00:00:00:aa 10.0.0.100"],
    ["ls-add", "sw1"],
    ["lsp-add", "sw1", "q1"],
    ["lsp-set-addresses", "q1", "00:00:00:00:01:01 10.1.0.1"],
    ["lsp-add", "sw1", "q2"],
    ["lsp-set-addresses", "q2", "00:00:00:00:01:02 10.1.0.2 fd01::2"],
    ["lsp-add", "sw1", "ln1"],
    ["lsp-set-type", "ln1", "localnet"],
    ["lsp-set-addresses", "ln1", "unknown"],
    ["ls-add", "sw2"],
    ["lsp-add", "sw2", "r1"],
    ["lsp-set-addresses", "r1", "00:00:00:00:02:01 10.2.0.1"],
    ["lsp-add", "sw2", "ln2"],
    ["lsp-set-type", "ln2", "localnet"],
    ["lsp-set-addresses", "ln2", "unknown"],
    # Stateless: sw2.
    ["acl-add", "sw2", "from-lport", "1000", "ip4.src == 10.2.0.1", "allow"],
    ["acl-add", "sw2", "to-lport", "900", "icmp4", "drop"],
    ["--log", "--name=rej", "--severity=warning", "acl-add", "sw2",
     "to-lport", "800", "tcp.dst == 22 || udp", "reject"],
    ["acl-add", "sw2", "from-lport", "700", "udp.dst == 53",
     "allow-stateless"],
    ["--apply-after-lb", "acl-add", "sw2", "from-lport", "600", "sctp",
     "drop"],
    # Stateful: sw0 itself, and pg1 on sw0 and sw1.
    ["create", "Address_Set", "name=as1", 'addresses="10.0.0.1","10.1.0.1"'],
    ["create", "Address_Set", "name=as2"],
    ["meter-add", "m1", "drop", "10", "pktps"],
    ["meter-add", "m2", "drop", "100", "kbps", "20"],
    ["pg-add", "pg1", "p1", "q1"],
    ["pg-add", "pg2", "q2"],
    ["pg-add", "pgempty"],
    ["acl-add", "pg1", "to-lport", "1002",
     "outport == @pg1 && ip4.src == $as1", "allow-related"],
    ["--log", "--meter=m1", "--name=drops", "acl-add", "pg1", "from-lport",
     "1001", "inport == @pg1 && ip4.dst == $pg2_ip4", "drop"],
    ["--label=1234", "acl-add", "sw0", "from-lport", "1000", "ip6",
     "allow-related"],
    ["--log", "acl-add", "sw0", "to-lport", "999", "tcp", "reject"],
    ["acl-add", "sw0", "to-lport", "998", "udp.dst == 53", "allow-stateless"],
    ["--apply-after-lb", "acl-add", "sw0", "from-lport", "997", "icmp6",
     "allow"],
    ["--label=7", "acl-add", "sw1", "to-lport", "500", "icmp4", "allow"],
]

# ACL, port group, address set and meter changes, each incremental.
ACL_CHANGES = [
    ["acl-del", "sw2", "to-lport", "900", "icmp4"],
    ["pg-set-ports", "pg1", "p1", "q1", "r1"],
    ["set", "Address_Set", "as1", 'addresses="10.0.0.9"'],
    ["lsp-set-addresses", "q2", "00:00:00:00:01:02 10.1.0.7"],
    ["acl-add", "pg2", "from-lport", "10", "ip4", "allow"],
    ["meter-del", "m2"],
    ["destroy", "Address_Set", "as2"],
]


def test_acls_match_ovn_northd(pair):
    """Switch features and ACLs: flows per stage and the southbound
    Port_Group, Address_Set and Meter rows as Debian's ovn-northd writes
    them, first at once, then change by change."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ACL_SCRIPT, knb, onb)
    assert_same(ksb, osb)
    kf = lflows(ksb)
    stages = {(f[0], f[3]) for f in kf}
    # The stateful machinery is where the ACLs ask for it.
    assert ("sw0", "ls_in_acl_hint") in stages
    assert any(f[0] == "sw1" and f[3] == "ls_out_acl" and "reg3 = 7" in f[6]
               for f in kf)
    assert not any(f[0] == "sw2" and f[5] == "ip" and f[3] == "ls_in_pre_acl"
                   for f in kf)
    assert any(f[0] == "sw0" and f[5] == "ip" and f[3] == "ls_in_pre_acl"
               for f in kf)
    pgs, ass, meters = named_sets(ksb)
    assert ("sw0", "pg1", ("p1",)) in pgs and ("sw1", "pg1", ("q1",)) in pgs
    assert ass["as1"] == ("10.0.0.1", "10.1.0.1")
    assert ass["pg2_ip6"] == ("fd01::2",)
    assert ("m2", "kbps", (("drop", 100, 20),)) in meters
    full = kn.stats()["full recomputes"]

    # One change at a time, both sides.
    for cmd in ACL_CHANGES:
        apply([cmd], knb, onb)
        assert_same(ksb, osb)
    assert kn.stats()["full recomputes"] == full

    # Everything goes: back to no ACL at all.
    apply([["acl-del", "sw0"], ["acl-del", "sw1"], ["acl-del", "sw2"],
           ["acl-del", "pg1"], ["acl-del", "pg2"]], knb, onb)
    assert_same(ksb, osb)
    assert not any(f[3] == "ls_in_acl_hint" and f[4] != 65535
                   for f in lflows(ksb))


# A gateway router (options:chassis) between an internal switch and an
# "external" one, with SNAT, DNAT and dnat_and_snat rules.
NAT_SCRIPT = [
    ["ls-add", "ls1"],
    ["lsp-add", "ls1", "a1"],
    ["lsp-set-addresses", "a1", "00:00:00:00:0a:01 10.10.0.2"],
    ["ls-add", "ext"],
    ["lsp-add", "ext", "e1"],
    ["lsp-set-addresses", "e1", "00:00:00:00:0e:01 172.16.0.50"],
    ["lr-add", "gw0"],
    ["set", "Logical_Router", "gw0", "options:chassis=hv1"],
    ["lrp-add", "gw0", "gw0-ls1", "00:00:00:00:ff:01", "10.10.0.1/24"],
    ["lrp-add", "gw0", "gw0-ext", "00:00:00:00:ff:02", "172.16.0.1/24"],
    ["lsp-add", "ls1", "ls1-gw0"],
    ["lsp-set-type", "ls1-gw0", "router"],
    ["lsp-set-addresses", "ls1-gw0", "router"],
    ["lsp-set-options", "ls1-gw0", "router-port=gw0-ls1"],
    ["lsp-add", "ext", "ext-gw0"],
    ["lsp-set-type", "ext-gw0", "router"],
    ["lsp-set-addresses", "ext-gw0", "router"],
    ["lsp-set-options", "ext-gw0", "router-port=gw0-ext"],
    ["lr-nat-add", "gw0", "snat", "172.16.0.100", "10.10.0.0/24"],
    ["lr-nat-add", "gw0", "dnat", "172.16.0.110", "10.10.0.2"],
    ["lr-nat-add", "gw0", "dnat_and_snat", "172.16.0.120", "10.10.0.3"],
]


def test_gateway_router_nat_matches_ovn_northd(pair):
    """SNAT, DNAT and dnat_and_snat on a gateway router: flows per stage
    and l3gateway bindings as Debian's ovn-northd writes them, then NAT
    rules added and removed one by one."""
    knb, ksb, kn, onb, osb, on = pair
    apply(NAT_SCRIPT, knb, onb)
    assert_same(ksb, osb)
    kf = lflows(ksb)
    assert ("gw0", "egress", 3, "lr_out_snat", 25,
            "ip && ip4.src == 10.10.0.0/24 && (!ct.trk || !ct.rpl)",
            "ct_snat(172.16.0.100);") in kf
    assert ("gw0", "ingress", 7, "lr_in_dnat", 100,
            "ip && ip4.dst == 172.16.0.110",
            "flags.loopback = 1; ct_dnat(10.10.0.2);") in kf
    # The external switch forwards ARP for a DNAT address to the router.
    assert any(f[0] == "ext" and f[3] == "ls_in_l2_lkup"
               and "arp.tpa == 172.16.0.120" in f[5] for f in kf)
    pbs = {r["logical_port"]: (r["type"], val(r["options"]))
           for r in sb_rows(ksb, "Port_Binding",
                            ["logical_port", "type", "options"])}
    assert pbs["gw0-ext"] == ("l3gateway", (("l3gateway-chassis", "hv1"),
                                            ("peer", "ext-gw0")))
    for cmd in (["lr-nat-del", "gw0", "dnat", "172.16.0.110"],
                ["lr-nat-add", "gw0", "snat", "172.16.0.101",
                 "10.10.0.64/26"],
                ["lr-nat-del", "gw0", "snat"],
                ["lr-nat-del", "gw0"]):
        apply([cmd], knb, onb)
        assert_same(ksb, osb)
    assert not any(f[0] == "gw0" and f[3] == "lr_out_undnat" and f[4] == 50
                   for f in lflows(ksb))
    # Back to a plain router.
    apply([["remove", "Logical_Router", "gw0", "options", "chassis"]],
          knb, onb)
    assert_same(ksb, osb)


# Load balancers on a switch: VIPs with and without ports, IPv4 and IPv6,
# no backends with and without reject.
LB_SCRIPT = [
    ["ls-add", "ls9"],
    ["lsp-add", "ls9", "z1"],
    ["lsp-set-addresses", "z1", "00:00:00:00:0c:01 10.9.0.2"],
    ["lsp-add", "ls9", "z2"],
    ["lsp-set-addresses", "z2", "00:00:00:00:0c:02 10.9.0.3 fd00::3"],
    ["lb-add", "lb1", "10.9.0.100:80", "10.9.0.2:80,10.9.0.3:80", "tcp"],
    ["ls-lb-add", "ls9", "lb1"],
    ["lb-add", "lb2", "10.9.0.101", "10.9.0.2"],
    ["lb-add", "lb3", "[fd00::100]:8080", "[fd00::2]:80,[fd00::3]:80",
     "udp"],
    ["lb-add", "lb4", "10.9.0.102:53", "", "udp"],
    ["set", "Load_Balancer", "lb4", "options:reject=true"],
    ["lb-add", "lb5", "10.9.0.103:99", "", "tcp"],
    ["ls-lb-add", "ls9", "lb2"],
    ["ls-lb-add", "ls9", "lb3"],
    ["ls-lb-add", "ls9", "lb4"],
    ["ls-lb-add", "ls9", "lb5"],
]


def test_switch_lb_matches_ovn_northd(pair):
    """Load balancers on a switch, with and without stateless ACLs: flows
    per stage as Debian's ovn-northd writes them, incrementally."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ACL_SCRIPT + LB_SCRIPT[:7], knb, onb)
    assert_same(ksb, osb)
    full = kn.stats()["full recomputes"]
    for cmd in LB_SCRIPT[7:] + [
            ["ls-lb-add", "sw2", "lb1"],        # Stateless ACLs there.
            ["lb-add", "lb1", "10.9.0.100:443", "10.9.0.2:443", "tcp"],
            ["ls-lb-del", "ls9", "lb2"],
            ["lb-del", "lb1", "10.9.0.100:80"],
            ["lb-del", "lb1"]]:
        apply([cmd], knb, onb)
        assert_same(ksb, osb)
    assert kn.stats()["full recomputes"] == full
    kf = lflows(ksb)
    assert ("ls9", "ingress", 12, "ls_in_lb", 120,
            "ct.new && ip6.dst == fd00::100 && udp.dst == 8080",
            "reg0[1] = 0; ct_lb_mark(backends=[fd00::2]:80,[fd00::3]:80);") \
        in kf
    apply([["lb-del", "lb3"], ["lb-del", "lb4"], ["lb-del", "lb5"]],
          knb, onb)
    assert_same(ksb, osb)
    assert not any(f[0] == "ls9" and f[3] == "ls_in_pre_hairpin"
                   and f[4] == 100 for f in lflows(ksb))


# Load balancers on a gateway router and on a plain one.
LR_LB_SCRIPT = [
    ["lb-add", "rlb1", "172.16.0.200:80", "10.10.0.2:80,10.10.0.3:80",
     "tcp"],
    ["lb-add", "rlb2", "172.16.0.201", "10.10.0.2"],
    ["lr-lb-add", "gw0", "rlb1"],
    ["lr-lb-add", "gw0", "rlb2"],
    ["lb-add", "rlb3", "[fd00::200]:80", "[fd00::2]:80"],
    ["lr-lb-add", "gw0", "rlb3"],
    ["ls-lb-add", "ls1", "rlb1"],
]


def test_router_lb_matches_ovn_northd(pair):
    """Load balancers on a gateway router: the lr_in_defrag and lr_in_dnat
    (ct_lb_mark) flows of each VIP, the router-wide lr_in_dnat and
    un-DNAT flows, and ARP for the VIPs on the router's switches, as
    Debian's ovn-northd writes them, changed incrementally."""
    knb, ksb, kn, onb, osb, on = pair
    apply(NAT_SCRIPT[:18] + LR_LB_SCRIPT, knb, onb)
    assert_same(ksb, osb)
    kf = lflows(ksb)
    assert ("gw0", "ingress", 7, "lr_in_dnat", 120,
            "ct.new && !ct.rel && ip4 && ip4.dst == 172.16.0.200 && tcp "
            "&& tcp.dst == 80",
            "ct_lb_mark(backends=10.10.0.2:80,10.10.0.3:80);") in kf
    assert ("gw0", "ingress", 5, "lr_in_defrag", 100,
            "ip && ip4.dst == 172.16.0.201", "ct_dnat;") in kf
    assert any(f[0] == "gw0" and f[3] == "lr_in_ip_input" and
               'inport == "gw0-ext" && arp.op == 1 && arp.tpa == '
               "$_rtr_lb_gw0_ip4" == f[5] for f in kf)
    _, sets, _ = named_sets(ksb)
    assert sets["_rtr_lb_gw0_ip4"] == ("172.16.0.200", "172.16.0.201")
    assert "_rtr_lb_gw0_ip6" not in sets        # No IPv6 port.
    # The load balancer on a switch goes south, the router-only ones not.
    assert {lb[0]: lb[4] for lb in load_balancers(ksb)} == {"rlb1": ("ls1",)}
    full = kn.stats()["full recomputes"]
    for cmd in (["lb-add", "rlb1", "172.16.0.200:443", "10.10.0.3:443",
                 "tcp"],
                ["lr-nat-add", "gw0", "snat", "172.16.0.100",
                 "10.10.0.0/24"],
                ["lr-lb-del", "gw0", "rlb2"],
                ["lb-del", "rlb1", "172.16.0.200:80"],
                ["lr-lb-del", "gw0", "rlb1"],
                ["lr-lb-add", "gw0", "rlb2"],
                ["ls-lb-add", "ext", "rlb1"],
                ["ls-lb-del", "ls1", "rlb1"],
                ["remove", "Logical_Router", "gw0", "options", "chassis"],
                ["lr-nat-del", "gw0"]):
        apply([cmd], knb, onb)
        assert_same(ksb, osb)
    # Even the router's gateway option is followed incrementally.
    assert kn.stats()["full recomputes"] == full
    assert any(f[0] == "gw0" and f[3] == "lr_in_dnat" and f[4] == 110
               for f in lflows(ksb))
    apply([["lr-lb-del", "gw0"]], knb, onb)
    assert_same(ksb, osb)
    assert not any(f[0] == "gw0" and f[3] == "lr_in_dnat" and f[4] > 0
                   for f in lflows(ksb))


def ha_groups(sb):
    """HA_Chassis_Group rows as name -> sorted (chassis-name, priority), and
    the group each Port_Binding names."""
    hac = {val(r["_uuid"]): (dict(val(r["external_ids"]))["chassis-name"],
                             r["priority"])
           for r in sb_rows(sb, "HA_Chassis",
                            ["_uuid", "external_ids", "priority"])}
    groups, names = {}, {}
    for r in sb_rows(sb, "HA_Chassis_Group", ["_uuid", "name", "ha_chassis"]):
        members = val(r["ha_chassis"])
        members = (members,) if isinstance(members, str) else members
        groups[r["name"]] = tuple(sorted(hac[u] for u in members))
        names[val(r["_uuid"])] = r["name"]
    pbs = {}
    for r in sb_rows(sb, "Port_Binding", ["logical_port", "ha_chassis_group"]):
        g = val(r["ha_chassis_group"])
        if isinstance(g, str):
            pbs[r["logical_port"]] = names[g]
    return groups, pbs


# A distributed router whose port on the "external" switch is a
# distributed gateway port.
DGP_SCRIPT = [c for c in NAT_SCRIPT[:18] if c[0] != "set"] + [
    ["lrp-set-gateway-chassis", "gw0-ext", "hv1", "20"],
]


def test_distributed_gateway_port_matches_ovn_northd(pair):
    """A distributed gateway port (gateway_chassis, then an HA chassis
    group): the "cr-" chassisredirect binding, the HA_Chassis_Group rows and
    the router's is_chassis_resident() and redirect flows, as Debian's
    ovn-northd writes them."""
    knb, ksb, kn, onb, osb, on = pair
    apply(DGP_SCRIPT, knb, onb)
    assert_same(ksb, osb)
    assert ha_groups(ksb) == ha_groups(osb)
    assert ha_groups(ksb) == ({"gw0-ext": (("hv1", 20),)},
                              {"cr-gw0-ext": "gw0-ext"})
    pbs = {r["logical_port"]: (r["type"], val(r["options"]))
           for r in sb_rows(ksb, "Port_Binding",
                            ["logical_port", "type", "options"])}
    assert pbs["cr-gw0-ext"] == ("chassisredirect",
                                 (("always-redirect", "true"),
                                  ("distributed-port", "gw0-ext")))
    kf = lflows(ksb)
    assert ("gw0", "ingress", 20, "lr_in_gw_redirect", 50,
            'outport == "gw0-ext"', 'outport = "cr-gw0-ext"; next;') in kf
    for cmds in ([["lrp-set-gateway-chassis", "gw0-ext", "hv2", "10"]],
                 [["lrp-del-gateway-chassis", "gw0-ext", "hv1"]],
                 [["lrp-del-gateway-chassis", "gw0-ext", "hv2"]],
                 [["ha-chassis-group-add", "hagrp"],
                  ["ha-chassis-group-add-chassis", "hagrp", "hv1", "30"],
                  ["ha-chassis-group-add-chassis", "hagrp", "hv2", "20"],
                  ["set", "Logical_Router_Port", "gw0-ext",
                   "ha_chassis_group=@g", "--", "--id=@g", "get",
                   "HA_Chassis_Group", "hagrp"]]):
        apply_dgp(cmds, knb, onb)
        assert_same(ksb, osb)
        assert ha_groups(ksb) == ha_groups(osb)
    assert ha_groups(ksb) == ({"hagrp": (("hv1", 30), ("hv2", 20))},
                              {"cr-gw0-ext": "hagrp"})


def test_dgp_nat_matches_ovn_northd(pair):
    """NAT rules on a router with a distributed gateway port: translated
    on the gateway chassis in the port's zone, as Debian's ovn-northd writes
    them, rule by rule and incrementally."""
    knb, ksb, kn, onb, osb, on = pair
    apply(DGP_SCRIPT, knb, onb)
    full = kn.stats()["full recomputes"]
    for cmd in (["lr-nat-add", "gw0", "snat", "172.16.0.100", "10.10.0.0/24"],
                ["lr-nat-add", "gw0", "dnat", "172.16.0.110", "10.10.0.2"],
                ["lr-nat-add", "gw0", "dnat_and_snat", "172.16.0.120",
                 "10.10.0.3"],
                ["lr-nat-del", "gw0", "dnat", "172.16.0.110"],
                ["lr-nat-add", "gw0", "snat", "172.16.0.101", "10.10.0.9"],
                # Distributed: on a1's chassis, with its own MAC.
                ["lr-nat-add", "gw0", "dnat_and_snat", "172.16.0.130",
                 "10.10.0.2", "a1", "00:00:00:00:99:01"],
                ["lr-nat-del", "gw0", "dnat_and_snat", "172.16.0.120"]):
        apply([cmd], knb, onb)
        assert_same(ksb, osb)
    assert kn.stats()["full recomputes"] == full
    kf = lflows(ksb)
    assert ("ext", "ingress", 25, "ls_in_l2_lkup", 50,
            'eth.dst == 00:00:00:00:99:01 && is_chassis_resident("a1")',
            'outport = "ext-gw0"; output;') in kf
    assert ("gw0", "ingress", 20, "lr_in_gw_redirect", 100,
            'ip4.src == 10.10.0.2 && outport == "gw0-ext" && '
            'is_chassis_resident("a1")',
            "eth.src = 00:00:00:00:99:01; reg1 = 172.16.0.130; next;") in kf
    # A full recompute writes the same.
    before = lflows(ksb)
    kn.appctl("northd/recompute")
    nbctl(knb, "--wait=sb", "sync")
    assert lflows(ksb) == before
    kf = lflows(ksb)
    # A distributed rule translates wherever its port is.
    assert ("gw0", "ingress", 7, "lr_in_dnat", 100,
            'ip && ip4.dst == 172.16.0.130 && inport == "gw0-ext"',
            "ct_dnat_in_czone(10.10.0.2);") in kf
    assert ("gw0", "egress", 3, "lr_out_snat", 153,
            'ip && ip4.src == 10.10.0.0/24 && outport == "gw0-ext" && '
            'is_chassis_resident("cr-gw0-ext")',
            "ct_snat_in_czone(172.16.0.100);") in kf
    apply([["lr-nat-del", "gw0"]], knb, onb)
    assert_same(ksb, osb)
    assert not any(f[0] == "gw0" and f[3] == "lr_out_chk_dnat_local"
                   and f[4] == 50 for f in lflows(ksb))


def apply_dgp(cmds, *nbs):
    for nb in nbs:
        for cmd in cmds:
            if cmd[0] == "set" and "ha_chassis_group=@g" in cmd:
                uuid = nbctl(nb, "--bare", "--columns=_uuid", "find",
                             "HA_Chassis_Group", "name=hagrp").strip()
                nbctl(nb, "set", "Logical_Router_Port", "gw0-ext",
                      "ha_chassis_group=" + uuid)
            else:
                nbctl(nb, *cmd)
        nbctl(nb, "--wait=sb", "sync")


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


def router_changes_script(rng, steps):
    """A random sequence of router changes on top of ROUTER_SCRIPT: switches
    joining and leaving lr0 or a second router, router ports changing
    networks or turning into gateway ports, routes, router options."""
    script = []
    attached = {"ls1": "lrp1", "ls2": "lrp2"}  # Switch -> router port.
    routers = {"lr0": ["lrp1", "lrp2"]}
    n = 3
    for _ in range(steps):
        kind = rng.choice(["join", "join", "leave", "renet", "route",
                           "route-del", "gateway", "lr", "retarget",
                           "chassis"])
        if kind == "join" or not attached:
            lr = rng.choice(sorted(routers))
            sw, lrp = "ls%d" % n, "lrp%d" % n
            script += [
                ["ls-add", sw],
                ["lsp-add", sw, "v%d" % n],
                ["lsp-set-addresses", "v%d" % n,
                 "00:00:00:00:0c:%02x 10.%d.0.5" % (n, n)],
                ["lrp-add", lr, lrp, "00:00:00:00:ff:%02x" % n,
                 "10.%d.0.1/24" % n],
                ["lsp-add", sw, sw + "-rp"],
                ["lsp-set-type", sw + "-rp", "router"],
                ["lsp-set-addresses", sw + "-rp", "router"],
                ["lsp-set-options", sw + "-rp", "router-port=" + lrp]]
            attached[sw] = lrp
            routers[lr].append(lrp)
            n += 1
        elif kind == "leave":
            sw = rng.choice(sorted(attached))
            lrp = attached.pop(sw)
            for ports in routers.values():
                if lrp in ports:
                    ports.remove(lrp)
            script += [["lrp-del", lrp]]
            if rng.random() < 0.5:
                script += [["ls-del", sw]]
            else:
                script += [["lsp-del", sw + "-rp" if sw not in ("ls1", "ls2")
                            else sw + "-lr0"]]
        elif kind == "renet":
            lrp = rng.choice(sorted(attached.values()))
            k = int(lrp[3:])
            script += [["set", "Logical_Router_Port", lrp,
                        'networks="10.%d.0.1/24","10.%d.1.1/24"' % (k, k)]]
        elif kind == "route":
            lr = rng.choice(sorted(routers))
            script += [["--may-exist", "lr-route-add", lr,
                        "30.%d.0.0/16" % rng.randrange(4),
                        "10.10.0.%d" % rng.randrange(2, 9)]]
        elif kind == "route-del":
            lr = rng.choice(sorted(routers))
            script += [["--if-exists", "lr-route-del", lr,
                        "30.%d.0.0/16" % rng.randrange(4)]]
        elif kind == "gateway":
            lrp = rng.choice(sorted(attached.values()))
            script += [["lrp-set-gateway-chassis", lrp, "hv1", "10"]]
        elif kind == "lr" and "lr1" not in routers:
            script += [["lr-add", "lr1"]]
            routers["lr1"] = []
        elif kind == "retarget":
            # A switch's router port now names another router port.
            sw = rng.choice(sorted(attached))
            free = sorted(p for ports in routers.values() for p in ports
                          if p not in attached.values())
            if free:
                rp = sw + "-rp" if sw not in ("ls1", "ls2") else sw + "-lr0"
                attached[sw] = free[0]
                script += [["lsp-set-options", rp,
                            "router-port=" + free[0]]]
        elif kind == "chassis":
            lr = rng.choice(sorted(routers))
            script += [["set", "Logical_Router", lr, "options:chassis=hv1"]
                       if rng.random() < 0.5 else
                       ["remove", "Logical_Router", lr, "options",
                        "chassis"]]
    return script


def test_router_changes_are_incremental(pair):
    """Random router changes (switches joining and leaving routers, router
    ports renumbered or made gateway ports, routes, gateway options, a new
    router) are followed without a full recompute, and each leaves the
    southbound database Debian's ovn-northd writes; adding a switch with a
    router port rebuilds none of the router's other ports."""
    import random
    knb, ksb, kn, onb, osb, on = pair
    apply(ROUTER_SCRIPT, knb, onb)
    full = kn.stats()["full recomputes"]

    # One switch joins lr0: lrp1's and lrp2's switches are not rebuilt.
    st0 = kn.stats()
    apply([["ls-add", "ls9"],
           ["lrp-add", "lr0", "lrp9", "00:00:00:00:ff:09", "10.90.0.1/24"],
           ["lsp-add", "ls9", "ls9-rp"],
           ["lsp-set-type", "ls9-rp", "router"],
           ["lsp-set-addresses", "ls9-rp", "router"],
           ["lsp-set-options", "ls9-rp", "router-port=lrp9"]], knb, onb)
    st1 = kn.stats()
    assert_same(ksb, osb)
    assert st1["full recomputes"] == full
    # The new switch's one port, maybe twice (built, then linked).
    rebuilt = (int(st1["port flow rebuilds"])
               - int(st0["port flow rebuilds"]))
    assert 1 <= rebuilt <= 2 * 6, rebuilt   # One per command at most.
    apply([["ls-del", "ls9"], ["lrp-del", "lrp9"]], knb, onb)
    assert_same(ksb, osb)

    rng = random.Random(11)
    for cmd in router_changes_script(rng, 40):
        apply([cmd], knb, onb)
        assert_same(ksb, osb)
    assert kn.stats()["full recomputes"] == full
    assert int(kn.stats()["router refreshes"]) > 10

    before = lflows(ksb), bookkeeping(ksb), tunnel_keys(ksb)
    kn.appctl("northd/recompute")
    nbctl(knb, "--wait=sb", "sync")
    assert (lflows(ksb), bookkeeping(ksb), tunnel_keys(ksb)) == before


def test_nat_changes_touch_only_their_flows(pair):
    """Adding or removing a NAT rule writes only the flows that rule owns,
    and the result is what a full recompute writes."""
    knb, ksb, kn, onb, osb, on = pair
    apply(NAT_SCRIPT, knb)

    def step(cmd):
        f0, st0 = lflows(ksb), kn.stats()
        apply([cmd], knb)
        f1, st1 = lflows(ksb), kn.stats()
        ins = int(st1["flows inserted"]) - int(st0["flows inserted"])
        dels = int(st1["flows deleted"]) - int(st0["flows deleted"])
        assert (ins, dels) == (len(f1 - f0), len(f0 - f1)), (cmd, ins, dels)
        return f1 - f0, f0 - f1

    added, removed = step(["lr-nat-add", "gw0", "dnat_and_snat",
                           "172.16.0.130", "10.10.0.4"])
    # Its ARP answer (router and both switches), unSNAT, DNAT and SNAT.
    assert not removed and len(added) == 6, added
    assert all("172.16.0.130" in f[5] + f[6] for f in added)
    added, removed = step(["lr-nat-del", "gw0", "snat", "10.10.0.0/24"])
    assert not added and len(removed) == 3, removed
    # A NAT row changed in place rebuilds that rule alone, incrementally.
    full = kn.stats()["full recomputes"]
    nats0 = int(kn.stats()["nat flow rebuilds"])
    uuid = nbctl(knb, "--bare", "--columns=_uuid", "find", "NAT",
                 "external_ip=172.16.0.130").strip()
    added, removed = step(["set", "NAT", uuid, "external_ip=172.16.0.131"])
    assert len(added) == 6 and len(removed) == 6, (added, removed)
    assert all("172.16.0.131" in f[5] + f[6] for f in added)
    assert all("172.16.0.130" in f[5] + f[6] for f in removed)
    added, removed = step(["set", "NAT", uuid, "logical_ip=10.10.0.5"])
    assert {f[3] for f in added} == {"lr_in_dnat", "lr_out_snat"}, added
    assert len(removed) == 2, removed
    st = kn.stats()
    assert st["full recomputes"] == full, st
    assert int(st["nat flow rebuilds"]) == nats0 + 2, st
    before = lflows(ksb), bookkeeping(ksb)
    kn.appctl("northd/recompute")
    nbctl(knb, "--wait=sb", "sync")
    assert (lflows(ksb), bookkeeping(ksb)) == before


def acl_uuid(nb, priority):
    return nbctl(nb, "--bare", "--columns=_uuid", "find", "ACL",
                 "priority=%d" % priority).strip()


def test_acl_changes_touch_only_their_flows(pair):
    """Adding or removing one ACL or address set writes only the flows that
    ACL owns (none for an address set): no switch or port is rebuilt."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ACL_SCRIPT, knb)

    def step(cmd):
        st0 = kn.stats()
        apply([cmd], knb)
        st1 = kn.stats()
        delta = {k: int(st1[k]) - int(st0[k])
                 for k in ("flows inserted", "flows deleted",
                           "acl flow rebuilds", "switch flow rebuilds",
                           "port flow rebuilds", "full recomputes")}
        assert delta["switch flow rebuilds"] == 0, (cmd, delta)
        assert delta["port flow rebuilds"] == 0, (cmd, delta)
        assert delta["full recomputes"] == 0, (cmd, delta)
        return delta

    # A stateless ACL on stateless sw2: one flow.
    d = step(["acl-add", "sw2", "from-lport", "555", "ip4.dst == 10.2.0.9",
              "allow"])
    assert (d["flows inserted"], d["flows deleted"],
            d["acl flow rebuilds"]) == (1, 0, 1)
    d = step(["acl-del", "sw2", "from-lport", "555", "ip4.dst == 10.2.0.9"])
    assert (d["flows inserted"], d["flows deleted"],
            d["acl flow rebuilds"]) == (0, 1, 0)
    # A stateful one on sw0: its two hint flows.
    d = step(["acl-add", "sw0", "to-lport", "556", "ip4.src == $as1",
              "allow-related"])
    assert (d["flows inserted"], d["flows deleted"],
            d["acl flow rebuilds"]) == (2, 0, 1)
    # A port group ACL: two flows, written once for a datapath group of
    # pg1's two switches (both stateful), compiled once.
    groups = sb_rows(ksb, "Logical_DP_Group", ["_uuid"])
    d = step(["acl-add", "pg1", "to-lport", "557", "ip4.src == $as2",
              "drop"])
    assert (d["flows inserted"], d["flows deleted"],
            d["acl flow rebuilds"]) == (2, 0, 1)
    assert len(sb_rows(ksb, "Logical_DP_Group", ["_uuid"])) >= len(groups)
    # Changing one ACL's row rewrites its flows only.
    d = step(["set", "ACL", acl_uuid(knb, 557), "match=\"ip4.src == $as1\""])
    assert (d["flows inserted"], d["flows deleted"],
            d["acl flow rebuilds"]) == (2, 2, 1)
    # Address sets own no flows: $as1 stays for ovn-controller.
    before = lflows(ksb)
    d = step(["set", "Address_Set", "as1", 'addresses="10.9.9.9"'])
    assert (d["flows inserted"], d["flows deleted"],
            d["acl flow rebuilds"]) == (0, 0, 0)
    d = step(["create", "Address_Set", "name=as3", 'addresses="10.3.3.3"'])
    assert (d["flows inserted"], d["flows deleted"]) == (0, 0)
    assert lflows(ksb) == before
    assert named_sets(ksb)[1]["as3"] == ("10.3.3.3",)


def test_port_group_acls_share_one_datapath_group(pair):
    """A port group's ACL flows are written once, for a Logical_DP_Group
    of the switches it has ports on; a switch joining the group rewrites
    that group row, not the flows (their rows stay), and the result is
    still what ovn-northd writes."""
    knb, ksb, kn, onb, osb, on = pair
    apply(ACL_SCRIPT, knb, onb)
    assert_same(ksb, osb)

    def pg1_flows():
        rows = sb_rows(ksb, "Logical_Flow",
                       ["_uuid", "match", "logical_datapath",
                        "logical_dp_group"])
        return {val(r["_uuid"]): val(r["logical_dp_group"]) for r in rows
                if "@pg1" in r["match"]}

    names = dp_names_by_key(ksb)
    by_uuid = {val(r["_uuid"]): names[r["tunnel_key"]]
               for r in sb_rows(ksb, "Datapath_Binding",
                                ["_uuid", "tunnel_key"])}

    def members(group):
        row = [r for r in sb_rows(ksb, "Logical_DP_Group",
                                  ["_uuid", "datapaths"])
               if val(r["_uuid"]) == group][0]
        dps = val(row["datapaths"])
        dps = (dps,) if isinstance(dps, str) else dps
        return sorted(by_uuid[u] for u in dps)

    before = pg1_flows()
    assert len(before) == 4             # Two ACLs, two flows each.
    groups = set(before.values())
    assert len(groups) == 1             # sw0 and sw1 are both stateful.
    assert members(groups.pop()) == ["sw0", "sw1"]

    # r1's switch sw2 joins: stateless until now, it turns stateful and
    # joins the same group.
    apply([["pg-set-ports", "pg1", "p1", "q1", "r1"]], knb, onb)
    assert_same(ksb, osb)
    after = pg1_flows()
    assert after == before
    assert members(set(after.values()).pop()) == ["sw0", "sw1", "sw2"]


def test_acl_incremental_equals_recompute(pair):
    """A random sequence of ACL, port group, address set and port changes,
    compiled incrementally, leaves the southbound database a full
    recompute writes."""
    import random
    knb, ksb, kn, onb, osb, on = pair
    apply(ACL_SCRIPT, knb)
    full = kn.stats()["full recomputes"]
    rng = random.Random(4)
    ports = {"sw0": ["p1", "p2", "p3", "lp0"], "sw1": ["q1", "q2"],
             "sw2": ["r1"]}
    matches = ["ip4", "icmp4", "tcp.dst == 80", "ip4.src == $as1",
               "udp || sctp", "outport == @pg1 && ip4"]
    actions = ["allow", "allow-related", "allow-stateless", "drop",
               "reject"]
    acls = []                   # (entity, direction, priority, match)
    prio = 100
    new_port = 0
    for _ in range(60):
        kind = rng.choice(["acl-add", "acl-add", "acl-del", "acl-set",
                           "pg-ports", "as", "lsp-add", "lsp-del", "lb"])
        if kind == "acl-add" or (kind in ("acl-del", "acl-set")
                                 and not acls):
            ent = rng.choice(["sw0", "sw1", "sw2", "pg1", "pg2", "pgempty"])
            d = rng.choice(["from-lport", "to-lport"])
            prio += 1
            m = rng.choice(matches)
            cmd = ["acl-add", ent, d, str(prio), m, rng.choice(actions)]
            if rng.random() < 0.3:
                cmd = ["--apply-after-lb"] + cmd
            if rng.random() < 0.3:
                cmd = ["--log", "--severity=notice"] + cmd
            acls.append((ent, d, prio, m))
            apply([cmd], knb)
        elif kind == "acl-del":
            ent, d, p, m = acls.pop(rng.randrange(len(acls)))
            apply([["acl-del", ent, d, str(p), m]], knb)
        elif kind == "acl-set":
            p = rng.choice(acls)[2]
            apply([["set", "ACL", acl_uuid(knb, p),
                    "action=" + rng.choice(actions)]], knb)
        elif kind == "pg-ports":
            members = [x for sw in ports.values() for x in sw
                       if rng.random() < 0.3]
            pg = rng.choice(["pg1", "pg2", "pgempty"])
            apply([["pg-set-ports", pg] + members if members
                   else ["clear", "Port_Group", pg, "ports"]], knb)
        elif kind == "as":
            addrs = ",".join('"10.0.%d.%d"' % (rng.randrange(4),
                                               rng.randrange(250))
                             for _ in range(rng.randrange(3)))
            apply([["set", "Address_Set", "as1", "addresses=[%s]" % addrs]],
                  knb)
        elif kind == "lb":
            # A load balancer VIP comes or goes (switches become stateful
            # for the ACLs while they have one).
            lb = "lb%d" % rng.randrange(3)
            vip = "10.77.0.%d:80" % rng.randrange(4)
            r = rng.random()
            if r < 0.5:
                apply([["--may-exist", "lb-add", lb, vip, "10.0.0.1:80",
                        "tcp"],
                       ["--may-exist", "ls-lb-add",
                        rng.choice(sorted(ports)), lb]], knb)
            elif r < 0.8:
                apply([["--if-exists", "lb-del", lb, vip]], knb)
            else:
                apply([["--if-exists", "lb-del", lb]], knb)
        elif kind == "lsp-add":
            new_port += 1
            sw = rng.choice(sorted(ports))
            name = "n%d" % new_port
            ports[sw].append(name)
            apply([["lsp-add", sw, name],
                   ["lsp-set-addresses", name,
                    "00:00:00:00:0f:%02x 10.15.0.%d" % (new_port, new_port)],
                   ["pg-set-ports", "pg2", name] + ports["sw1"][:1]], knb)
        else:
            sw = rng.choice(sorted(ports))
            if ports[sw]:
                apply([["lsp-del", ports[sw].pop(rng.randrange(
                    len(ports[sw])))]], knb)
    assert kn.stats()["full recomputes"] == full

    before = lflows(ksb), bookkeeping(ksb), named_sets(ksb)
    st0 = kn.stats()
    kn.appctl("northd/recompute")
    nbctl(knb, "--wait=sb", "sync")
    st1 = kn.stats()
    assert int(st1["full recomputes"]) == int(st0["full recomputes"]) + 1
    assert st1["flows inserted"] == st0["flows inserted"], (st0, st1)
    assert st1["flows deleted"] == st0["flows deleted"], (st0, st1)
    assert (lflows(ksb), bookkeeping(ksb), named_sets(ksb)) == before


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

    def setup(self, make_server, sb, system_id="hv1", encap_ip="127.0.0.1",
              underlay=None):
        """'underlay' (device, "ADDR/PLEN") puts 'device' (in the chassis'
        namespace) on a bridge br-phy that holds the encapsulation
        address, for ovs-vswitchd's userspace tunneling."""
        self.db = make_server("ovs", VS_SCHEMA, name="vsdb-" + system_id)
        self.vsctl("--no-wait", "init")
        self.start(["ip", "netns", "exec", self.netns, OVS_VSWITCHD,
                    self.db.remote, "--no-chdir",
                    "--pidfile=" + os.path.join(self.dir, "vswitchd.pid"),
                    "--unixctl=" + os.path.join(self.dir, "vswitchd.ctl"),
                    "--log-file=" + os.path.join(self.dir, "vswitchd.log")])
        self.vsctl("add-br", "br-int", "--", "set", "Bridge", "br-int",
                   "datapath_type=netdev", "fail-mode=secure",
                   "other_config:disable-in-band=true")
        if underlay:
            dev, addr = underlay
            self.vsctl("add-br", "br-phy", "--", "set", "Bridge", "br-phy",
                       "datapath_type=netdev",
                       "other_config:disable-in-band=true", "--",
                       "add-port", "br-phy", dev)
            deadline = time.monotonic() + 10
            while kilntest.run_proc(["ip", "-n", self.netns, "link", "show",
                                     "br-phy"]).returncode:
                assert time.monotonic() < deadline, self.logs()
                time.sleep(0.1)
            sh(["ip", "-n", self.netns, "addr", "add", addr, "dev",
                "br-phy"])
            sh(["ip", "-n", self.netns, "link", "set", "br-phy", "up"])
            sh(["ip", "-n", self.netns, "link", "set", dev, "up"])
        self.vsctl("set", "Open_vSwitch", ".",
                   "external_ids:system-id=" + system_id,
                   "external_ids:ovn-remote=" + sb.remote,
                   "external_ids:ovn-encap-type=geneve",
                   "external_ids:ovn-encap-ip=" + encap_ip,
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


def test_two_chassis(make_server, make_northd, tmp_path, namespaces):
    """Two chassis (each ovn-controller and ovs-vswitchd in its own
    namespace) joined by Geneve over an underlay veth: a VM on each pings
    the other within a switch and across a router, IPv4 and IPv6."""
    assert have_netns(), "this test needs root and network namespaces"
    nb = make_server("kiln", NB_SCHEMA, name="knb")
    sb = make_server("kiln", SB_SCHEMA, name="ksb")
    make_northd(nb, sb, "kiln")
    apply([["ls-add", "ls1"],
           ["lsp-add", "ls1", "vm1"],
           ["lsp-set-addresses", "vm1", "00:00:00:00:31:01 10.31.0.2 fd31::2"],
           ["lsp-add", "ls1", "vm2"],
           ["lsp-set-addresses", "vm2", "00:00:00:00:31:02 10.31.0.3 fd31::3"],
           ["ls-add", "ls2"],
           ["lsp-add", "ls2", "vm3"],
           ["lsp-set-addresses", "vm3", "00:00:00:00:32:01 10.32.0.2 fd32::2"],
           ["lr-add", "lr0"],
           ["lrp-add", "lr0", "lrp1", "00:00:00:00:ff:31", "10.31.0.1/24",
            "fd31::1/64"],
           ["lrp-add", "lr0", "lrp2", "00:00:00:00:ff:32", "10.32.0.1/24",
            "fd32::1/64"],
           ["lsp-add", "ls1", "ls1-lr0"],
           ["lsp-set-type", "ls1-lr0", "router"],
           ["lsp-set-addresses", "ls1-lr0", "router"],
           ["lsp-set-options", "ls1-lr0", "router-port=lrp1"],
           ["lsp-add", "ls2", "ls2-lr0"],
           ["lsp-set-type", "ls2-lr0", "router"],
           ["lsp-set-addresses", "ls2-lr0", "router"],
           ["lsp-set-options", "ls2-lr0", "router-port=lrp2"]], nb)

    hva, hvb = namespaces(0), namespaces(10)
    tag = "kn%d" % os.getpid()
    sh(["ip", "-n", hva, "link", "add", tag + "ua", "type", "veth", "peer",
        "name", tag + "ub", "netns", hvb])
    cha = Chassis(str(tmp_path / "hva"), hva)
    chb = Chassis(str(tmp_path / "hvb"), hvb)
    try:
        cha.setup(make_server, sb, "hva", "172.31.0.1",
                  (tag + "ua", "172.31.0.1/24"))
        chb.setup(make_server, sb, "hvb", "172.31.0.2",
                  (tag + "ub", "172.31.0.2/24"))
        ns1 = plug_vif(cha, namespaces, 1, "vm1", "00:00:00:00:31:01",
                       ["10.31.0.2/24", "fd31::2/64"],
                       ["10.31.0.1", "fd31::1"])
        plug_vif(chb, namespaces, 2, "vm2", "00:00:00:00:31:02",
                 ["10.31.0.3/24", "fd31::3/64"], ["10.31.0.1", "fd31::1"])
        plug_vif(chb, namespaces, 3, "vm3", "00:00:00:00:32:01",
                 ["10.32.0.2/24", "fd32::2/64"], ["10.32.0.1", "fd32::1"])
        deadline = time.monotonic() + 30
        while True:
            ups = nbctl(nb, "--bare", "--columns=name,up", "list",
                        "Logical_Switch_Port").split()
            if ups.count("true") == 3:
                break
            assert time.monotonic() < deadline, (ups, cha.logs(),
                                                 chb.logs())
            time.sleep(0.2)
        nbctl(nb, "--wait=hv", "sync", timeout=90)
        # Each chassis has a Geneve port to the other.
        for ch, peer in ((cha, "172.31.0.2"), (chb, "172.31.0.1")):
            assert peer in ch.vsctl("--bare", "--columns=options", "find",
                                    "Interface", "type=geneve"), ch.logs()
        # The first packet over the tunnel waits for ovs-vswitchd to
        # resolve the other chassis' underlay address (it is dropped).
        deadline = time.monotonic() + 15
        while kilntest.run_proc(["ip", "netns", "exec", ns1, "ping", "-c",
                                 "1", "-W", "1", "10.31.0.3"],
                                timeout=30).returncode:
            assert time.monotonic() < deadline, (cha.logs(), chb.logs())
        ping(ns1, "10.31.0.3", cha)     # Same switch, other chassis.
        ping(ns1, "fd31::3", cha)
        ping(ns1, "10.32.0.2", cha)     # Across the router.
        ping(ns1, "fd32::2", cha)
    finally:
        cha.stop()
        chb.stop()


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


LISTENER = """
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 8080))
s.listen(8)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b"hello from " + sys.argv[1].encode())
    c.close()
"""

CONNECT = """
import socket, sys
s = socket.create_connection((sys.argv[1], 8080), timeout=3)
print(s.recv(100).decode())
"""


def tcp_connect(ns, addr):
    """Connects from namespace 'ns' to 'addr' port 8080: the greeting, or
    None if no connection was made."""
    p = kilntest.run_proc(["ip", "netns", "exec", ns, "/usr/bin/python3",
                           "-c", CONNECT, addr], timeout=30)
    return p.stdout.strip() if p.returncode == 0 else None


def ping_fails(ns, addr):
    p = kilntest.run_proc(["ip", "netns", "exec", ns, "ping", "-c", "2",
                           "-i", "0.2", "-W", "1", addr], timeout=30)
    return p.returncode != 0 and " 100% packet loss" in p.stdout


def test_acls_through_ovn_controller(make_server, make_northd, tmp_path,
                                     namespaces):
    """A stateful ACL set realized by ovn-controller and ovs-vswitchd: A
    may open TCP connections to B and gets the replies, B may not open
    any to A; a drop ACL stops A's pings until it is removed."""
    assert have_netns(), "this test needs root and network namespaces"
    nb = make_server("kiln", NB_SCHEMA, name="knb")
    sb = make_server("kiln", SB_SCHEMA, name="ksb")
    kn = make_northd(nb, sb, "kiln")
    apply([["ls-add", "sw0"],
           ["lsp-add", "sw0", "vmA"],
           ["lsp-set-addresses", "vmA", "00:00:00:00:31:01 10.31.0.1"],
           ["lsp-add", "sw0", "vmB"],
           ["lsp-set-addresses", "vmB", "00:00:00:00:31:02 10.31.0.2"],
           ["pg-add", "pgB", "vmB"],
           ["acl-add", "sw0", "from-lport", "1000",
            'inport == "vmA" && ip4', "allow-related"],
           ["acl-add", "pgB", "from-lport", "900",
            "inport == @pgB && ip4", "drop"]], nb)

    hv = namespaces(0)
    ch = Chassis(str(tmp_path / "hv1"), hv)
    listeners = []
    try:
        ch.setup(make_server, sb)
        ns_a = plug_vif(ch, namespaces, 1, "vmA", "00:00:00:00:31:01",
                        ["10.31.0.1/24"], [])
        ns_b = plug_vif(ch, namespaces, 2, "vmB", "00:00:00:00:31:02",
                        ["10.31.0.2/24"], [])
        # The userspace datapath does not complete checksums that the
        # veth left to an offload, and conntrack finds such TCP segments
        # invalid: the guests compute their own.
        tag = "kn%d" % os.getpid()
        for i, ns in ((1, ns_a), (2, ns_b)):
            sh(["ip", "netns", "exec", ns, "ethtool", "-K", "%sg%d" % (tag, i),
                "tx", "off"])
        deadline = time.monotonic() + 30
        while True:
            ups = nbctl(nb, "--bare", "--columns=up", "list",
                        "Logical_Switch_Port").split()
            if ups == ["true", "true"]:
                break
            assert time.monotonic() < deadline, (ups, ch.logs())
            time.sleep(0.2)
        nbctl(nb, "--wait=hv", "sync", timeout=90)

        for ns, addr in ((ns_a, "10.31.0.1"), (ns_b, "10.31.0.2")):
            p = subprocess.Popen(["ip", "netns", "exec", ns,
                                  "/usr/bin/python3", "-c", LISTENER, addr],
                                 stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
            listeners.append(p)
            assert p.stdout.readline().strip() == "listening"

        # A -> B: allowed and committed; B's replies pass as replies.
        assert tcp_connect(ns_a, "10.31.0.2") == "hello from 10.31.0.2", \
            ch.logs()
        ping(ns_a, "10.31.0.2", ch)
        # B -> A: dropped, TCP and ICMP alike.
        assert tcp_connect(ns_b, "10.31.0.1") is None
        assert ping_fails(ns_b, "10.31.0.1")

        # A drop ACL for A's pings; then it goes, incrementally.
        full = kn.stats()["full recomputes"]
        nbctl(nb, "acl-add", "sw0", "from-lport", "1100",
              'inport == "vmA" && icmp4', "drop")
        nbctl(nb, "--wait=hv", "sync", timeout=90)
        assert ping_fails(ns_a, "10.31.0.2")
        assert tcp_connect(ns_a, "10.31.0.2") == "hello from 10.31.0.2"
        nbctl(nb, "acl-del", "sw0", "from-lport", "1100",
              'inport == "vmA" && icmp4')
        nbctl(nb, "--wait=hv", "sync", timeout=90)
        ping(ns_a, "10.31.0.2", ch)
        assert kn.stats()["full recomputes"] == full
    finally:
        for p in listeners:
            p.kill()
            p.wait()
        ch.stop()


PEER_LISTENER = """
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 8080))
s.listen(8)
print("listening", flush=True)
while True:
    c, peer = s.accept()
    c.sendall(("hello from %s to %s" % (sys.argv[1], peer[0])).encode())
    c.close()
"""


def wait_up(nb, n, ch):
    deadline = time.monotonic() + 30
    while True:
        ups = nbctl(nb, "--bare", "--columns=up", "list",
                    "Logical_Switch_Port").split()
        if ups.count("true") >= n:     # Router ports count too.
            break
        assert time.monotonic() < deadline, (ups, ch.logs())
        time.sleep(0.2)
    nbctl(nb, "--wait=hv", "sync", timeout=90)


def start_listener(ns, addr, listeners):
    p = subprocess.Popen(["ip", "netns", "exec", ns, "/usr/bin/python3",
                          "-c", PEER_LISTENER, addr],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    listeners.append(p)
    assert p.stdout.readline().strip() == "listening"


def tx_off(ns, i):
    # The userspace datapath does not complete checksums that the veth
    # left to an offload; conntrack finds such segments invalid.
    sh(["ip", "netns", "exec", ns, "ethtool", "-K",
        "kn%dg%d" % (os.getpid(), i), "tx", "off"])


def test_snat_through_gateway_router(make_server, make_northd, tmp_path,
                                     namespaces):
    """A VM behind a gateway router (options:chassis) with SNAT reaches an
    "external" namespace that has no route back to the VM's network: the
    external side sees the SNAT address, for pings and TCP alike; without
    the rule the VM no longer gets through."""
    assert have_netns(), "this test needs root and network namespaces"
    nb = make_server("kiln", NB_SCHEMA, name="knb")
    sb = make_server("kiln", SB_SCHEMA, name="ksb")
    kn = make_northd(nb, sb, "kiln")
    apply([c for c in NAT_SCRIPT if c[0] != "lr-nat-add"]
          + [["lr-nat-add", "gw0", "snat", "172.16.0.100", "10.10.0.0/24"]],
          nb)
    hv = namespaces(0)
    ch = Chassis(str(tmp_path / "hv1"), hv)
    listeners = []
    try:
        ch.setup(make_server, sb)
        ns_vm = plug_vif(ch, namespaces, 1, "a1", "00:00:00:00:0a:01",
                         ["10.10.0.2/24"], ["10.10.0.1"])
        # The external side knows only its own subnet.
        ns_ext = plug_vif(ch, namespaces, 2, "e1", "00:00:00:00:0e:01",
                          ["172.16.0.50/24"], [])
        tx_off(ns_vm, 1)
        tx_off(ns_ext, 2)
        wait_up(nb, 2, ch)
        start_listener(ns_ext, "172.16.0.50", listeners)

        ping(ns_vm, "172.16.0.50", ch)
        assert tcp_connect(ns_vm, "172.16.0.50") == \
            "hello from 172.16.0.50 to 172.16.0.100", ch.logs()

        # Without the rule, the reply has no way back.
        full = kn.stats()["full recomputes"]
        nbctl(nb, "lr-nat-del", "gw0", "snat", "10.10.0.0/24")
        nbctl(nb, "--wait=hv", "sync", timeout=90)
        assert ping_fails(ns_vm, "172.16.0.50")
        nbctl(nb, "lr-nat-add", "gw0", "snat", "172.16.0.101",
              "10.10.0.0/24")
        nbctl(nb, "--wait=hv", "sync", timeout=90)
        assert tcp_connect(ns_vm, "172.16.0.50") == \
            "hello from 172.16.0.50 to 172.16.0.101", ch.logs()
        assert kn.stats()["full recomputes"] == full
    finally:
        for p in listeners:
            p.kill()
            p.wait()
        ch.stop()


def test_snat_through_distributed_gateway_port(make_server, make_northd,
                                               tmp_path, namespaces):
    """The same through a distributed gateway port bound to this chassis by
    its HA_Chassis_Group: SNAT on the way out, and a distributed
    dnat_and_snat rule for a second VM, which the external side reaches
    at its external address and which connects out from it."""
    assert have_netns(), "this test needs root and network namespaces"
    nb = make_server("kiln", NB_SCHEMA, name="knb")
    sb = make_server("kiln", SB_SCHEMA, name="ksb")
    make_northd(nb, sb, "kiln")
    apply(DGP_SCRIPT + [
        ["lsp-add", "ls1", "a2"],
        ["lsp-set-addresses", "a2", "00:00:00:00:0a:02 10.10.0.3"],
        ["lr-nat-add", "gw0", "snat", "172.16.0.100", "10.10.0.0/24"],
        ["lr-nat-add", "gw0", "dnat_and_snat", "172.16.0.130", "10.10.0.3",
         "a2", "00:00:00:00:99:02"]], nb)
    hv = namespaces(0)
    ch = Chassis(str(tmp_path / "hv1"), hv)
    listeners = []
    try:
        ch.setup(make_server, sb)
        ns_vm = plug_vif(ch, namespaces, 1, "a1", "00:00:00:00:0a:01",
                         ["10.10.0.2/24"], ["10.10.0.1"])
        ns_ext = plug_vif(ch, namespaces, 2, "e1", "00:00:00:00:0e:01",
                          ["172.16.0.50/24"], [])
        ns_vm2 = plug_vif(ch, namespaces, 3, "a2", "00:00:00:00:0a:02",
                          ["10.10.0.3/24"], ["10.10.0.1"])
        for i, ns in ((1, ns_vm), (2, ns_ext), (3, ns_vm2)):
            tx_off(ns, i)
        wait_up(nb, 3, ch)
        # The chassisredirect port is bound here.
        deadline = time.monotonic() + 30
        while not sbctl(sb, "--bare", "--columns=chassis", "find",
                        "Port_Binding", "logical_port=cr-gw0-ext").strip():
            assert time.monotonic() < deadline, ch.logs()
            time.sleep(0.2)
        nbctl(nb, "--wait=hv", "sync", timeout=90)
        start_listener(ns_ext, "172.16.0.50", listeners)
        start_listener(ns_vm2, "10.10.0.3", listeners)

        ping(ns_vm, "172.16.0.50", ch)
        assert tcp_connect(ns_vm, "172.16.0.50") == \
            "hello from 172.16.0.50 to 172.16.0.100", ch.logs()
        assert tcp_connect(ns_vm2, "172.16.0.50") == \
            "hello from 172.16.0.50 to 172.16.0.130", ch.logs()
        assert tcp_connect(ns_ext, "172.16.0.130") == \
            "hello from 10.10.0.3 to 172.16.0.50", ch.logs()
    finally:
        for p in listeners:
            p.kill()
            p.wait()
        ch.stop()


def test_switch_lb_through_ovn_controller(make_server, make_northd,
                                          tmp_path, namespaces):
    """A TCP connection to the VIP of a load balancer on the client's switch
    reaches one of its two backends on another switch, across a router,
    with the client's own address; the reply comes back from the VIP."""
    assert have_netns(), "this test needs root and network namespaces"
    nb = make_server("kiln", NB_SCHEMA, name="knb")
    sb = make_server("kiln", SB_SCHEMA, name="ksb")
    make_northd(nb, sb, "kiln")
    vms = [("c1", "00:00:00:00:42:01", "10.42.0.2", "10.42.0.1"),
           ("s1", "00:00:00:00:41:02", "10.41.0.2", "10.41.0.1"),
           ("s2", "00:00:00:00:41:03", "10.41.0.3", "10.41.0.1")]
    script = [["ls-add", "sw0"], ["ls-add", "sw1"], ["lr-add", "lr0"]]
    for sw, lrp, mac, net in (("sw0", "lrp0", "00:00:00:00:ff:41",
                               "10.41.0.1/24"),
                              ("sw1", "lrp1", "00:00:00:00:ff:42",
                               "10.42.0.1/24")):
        script += [["lrp-add", "lr0", lrp, mac, net],
                   ["lsp-add", sw, sw + "-lr0"],
                   ["lsp-set-type", sw + "-lr0", "router"],
                   ["lsp-set-addresses", sw + "-lr0", "router"],
                   ["lsp-set-options", sw + "-lr0", "router-port=" + lrp]]
    for lsp, mac, ip, _ in vms:
        script += [["lsp-add", "sw1" if lsp == "c1" else "sw0", lsp],
                   ["lsp-set-addresses", lsp, "%s %s" % (mac, ip)]]
    script += [["lb-add", "lb0", "10.50.0.100:8080",
                "10.41.0.2:8080,10.41.0.3:8080", "tcp"],
               ["ls-lb-add", "sw1", "lb0"]]
    apply(script, nb)
    hv = namespaces(0)
    ch = Chassis(str(tmp_path / "hv1"), hv)
    listeners = []
    try:
        ch.setup(make_server, sb)
        nss = []
        for i, (lsp, mac, ip, gw) in enumerate(vms, start=1):
            ns = plug_vif(ch, namespaces, i, lsp, mac, [ip + "/24"], [gw])
            tx_off(ns, i)
            nss.append(ns)
        wait_up(nb, 3, ch)
        start_listener(nss[1], "10.41.0.2", listeners)
        start_listener(nss[2], "10.41.0.3", listeners)

        seen = set()
        for _ in range(6):
            got = tcp_connect(nss[0], "10.50.0.100")
            assert got in ("hello from 10.41.0.2 to 10.42.0.2",
                           "hello from 10.41.0.3 to 10.42.0.2"), \
                (got, ch.logs())
            seen.add(got)
        assert seen
        # No VIP, no connection.
        assert tcp_connect(nss[0], "10.50.0.101") is None
    finally:
        for p in listeners:
            p.kill()
            p.wait()
        ch.stop()


# DHCP, DNS and IPAM (northd/dhcp.h, northd/ipam.h).

DHCP_SCRIPT = [
    ["ls-add", "sw0"],
    ["lsp-add", "sw0", "p1"],
    ["lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.11 fd00::11"],
    ["lsp-add", "sw0", "p2"],
    ["lsp-set-addresses", "p2", "00:00:00:00:00:02 10.0.0.12"],
    ["lsp-set-options", "p2", "hostname=vm2"],
    ["lsp-add", "sw0", "p3"],
    ["lsp-set-addresses", "p3", "00:00:00:00:00:03 10.0.0.13"],
    ["lsp-set-enabled", "p3", "disabled"],
    ["lsp-add", "sw0", "p4"],
    ["lsp-set-addresses", "p4", "00:00:00:00:00:04 10.1.0.14"],
    ["lsp-add", "sw0", "ln"],
    ["lsp-set-type", "ln", "localnet"],
    ["lsp-set-addresses", "ln", "unknown"],
    ["lsp-set-options", "ln", "network_name=phys"],
    ["lsp-add", "sw0", "e1"],
    ["lsp-set-type", "e1", "external"],
    ["lsp-set-addresses", "e1", "00:00:00:00:00:0e 10.0.0.30"],
    ["ha-chassis-group-add", "hg"],
    ["ha-chassis-group-add-chassis", "hg", "hv1", "10"],
]


def dhcp_options(nb, cidr, *options):
    u = nbctl(nb, "dhcp-options-create", cidr).strip()
    if not u:
        u = [r for r in nbctl(nb, "--bare", "--columns=_uuid,cidr", "list",
                              "DHCP_Options").split("\n\n")
             if r.split()[1:] == [cidr]][0].split()[0]
    nbctl(nb, "dhcp-options-set-options", u, *options)
    return u


def apply_dhcp(nb):
    for cmd in DHCP_SCRIPT:
        nbctl(nb, *cmd)
    v4 = dhcp_options(nb, "10.0.0.0/24", "lease_time=3600",
                      "router=10.0.0.1", "server_id=10.0.0.1",
                      "server_mac=c0:ff:ee:00:00:01", "dns_server=8.8.8.8")
    v6 = dhcp_options(nb, "fd00::/64", "server_id=00:00:00:00:10:02")
    for p in ("p1", "p2", "p3", "p4", "e1"):
        nbctl(nb, "lsp-set-dhcpv4-options", p, v4)
    hg = nbctl(nb, "--bare", "--columns=_uuid", "find", "HA_Chassis_Group",
               "name=hg").strip()
    nbctl(nb, "set", "Logical_Switch_Port", "e1", "ha_chassis_group=" + hg)
    nbctl(nb, "lsp-set-dhcpv6-options", "p1", v6)
    nbctl(nb, "--wait=sb", "sync")
    return v4, v6


def dhcp_codes(sb):
    return {t: {(r["name"], r["code"], r["type"])
                for r in sb_rows(sb, t, ["name", "code", "type"])}
            for t in ("DHCP_Options", "DHCPv6_Options")}


def wait_same(ksb, osb, timeout=10):
    """assert_same, once both sides settled (dynamic addresses take one
    more northbound round trip)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            assert_same(ksb, osb)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def assert_recompute_same(kn, knb, ksb):
    """What kiln-northd wrote incrementally is what a full recompute
    writes."""
    before = lflows(ksb), bookkeeping(ksb)
    kn.appctl("northd/recompute")
    nbctl(knb, "--wait=sb", "sync")
    assert (lflows(ksb), bookkeeping(ksb)) == before


def test_dhcp_matches_ovn_northd(pair):
    """DHCPv4 and DHCPv6 options on ports (enabled, disabled, outside the
    cidr, with a hostname), then changed options rows, changed port
    addresses and a stateful switch: flows as ovn-northd's, code tables
    as its."""
    knb, ksb, kn, onb, osb, on = pair
    kv4, kv6 = apply_dhcp(knb)
    ov4, ov6 = apply_dhcp(onb)
    wait_same(ksb, osb)
    flows = lflows(ksb)
    assert any(f[3] == "ls_in_dhcp_options" and "put_dhcp_opts" in f[6]
               for f in flows)
    assert any(f[3] == "ls_in_dhcp_options" and "put_dhcpv6_opts" in f[6]
               for f in flows)
    assert any(f[3] == "ls_in_dhcp_options" and 'inport == "ln"' in f[5]
               and 'is_chassis_resident("e1")' in f[5] for f in flows)
    assert dhcp_codes(ksb) == dhcp_codes(osb)
    assert len(dhcp_codes(ksb)["DHCP_Options"]) > 10
    full = kn.stats()["full recomputes"]

    # A changed options row rebuilds the ports that use it.
    for nb, v4 in ((knb, kv4), (onb, ov4)):
        nbctl(nb, "dhcp-options-set-options", v4, "lease_time=600",
              "router=10.0.0.1", "server_id=10.0.0.1",
              "server_mac=c0:ff:ee:00:00:01")
        nbctl(nb, "--wait=sb", "sync")
    wait_same(ksb, osb)
    assert any("lease_time = 600" in f[6] for f in lflows(ksb))
    # Port changes, an options row removed from a port, a stateful ACL.
    script = [["lsp-set-addresses", "p4", "00:00:00:00:00:04 10.0.0.14"],
              ["lsp-set-enabled", "p3", "enabled"],
              ["clear", "Logical_Switch_Port", "p1", "dhcpv6_options"],
              ["acl-add", "sw0", "to-lport", "1000", "ip4",
               "allow-related"]]
    apply(script, knb, onb)
    wait_same(ksb, osb)
    assert kn.stats()["full recomputes"] == full
    assert not any("put_dhcpv6_opts" in f[6] for f in lflows(ksb))
    assert any(f[3] == "ls_out_acl" and f[4] == 34000
               and "ct_commit" in f[6] and "udp.src == 67" in f[5]
               for f in lflows(ksb))
    assert_recompute_same(kn, knb, ksb)

    # The code tables are rewritten if someone else touches them.
    row = sb_rows(ksb, "DHCP_Options", ["_uuid"])[0]["_uuid"]
    sbctl(ksb, "destroy", "DHCP_Options", val(row))
    nbctl(knb, "--wait=sb", "sync")
    kn.appctl("northd/recompute")
    nbctl(knb, "--wait=sb", "sync")
    assert dhcp_codes(ksb) == dhcp_codes(osb)

    # The external port's flows follow the switch's localnet ports.
    apply([["lsp-del", "ln"]], knb, onb)
    wait_same(ksb, osb)
    assert not any('is_chassis_resident("e1")' in f[5] for f in lflows(ksb))
    apply([["lsp-add", "sw0", "ln2"], ["lsp-set-type", "ln2", "localnet"],
           ["lsp-set-addresses", "ln2", "unknown"],
           ["lsp-set-options", "ln2", "network_name=phys"]], knb, onb)
    wait_same(ksb, osb)
    assert any('inport == "ln2"' in f[5]
               and 'is_chassis_resident("e1")' in f[5] for f in lflows(ksb))
    assert_recompute_same(kn, knb, ksb)


def dns_rows(sb):
    """DNS rows as (records, names of their datapaths)."""
    names = {val(r["_uuid"]): dict(val(r["external_ids"]))["name"]
             for r in sb_rows(sb, "Datapath_Binding",
                              ["_uuid", "external_ids"])}
    out = set()
    for r in sb_rows(sb, "DNS", ["records", "datapaths", "external_ids"]):
        dps = val(r["datapaths"])
        dps = (dps,) if isinstance(dps, str) else dps
        assert "dns_id" in dict(val(r["external_ids"]))
        out.add((val(r["records"]), tuple(sorted(names[u] for u in dps))))
    return out


def test_dns_matches_ovn_northd(pair):
    knb, ksb, kn, onb, osb, on = pair
    base = [["ls-add", "sw0"], ["ls-add", "sw1"],
            ["lsp-add", "sw0", "p1"],
            ["lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.11"]]
    apply(base, knb, onb)
    uuids = {}
    for nb in (knb, onb):
        d1 = nbctl(nb, "create", "DNS",
                   'records={"vm1.example.com"="10.0.0.11 fd00::11"}'
                   ).strip()
        d2 = nbctl(nb, "create", "DNS", "records={}").strip()
        nbctl(nb, "add", "Logical_Switch", "sw0", "dns_records", d1)
        nbctl(nb, "add", "Logical_Switch", "sw1", "dns_records", d1, d2)
        nbctl(nb, "--wait=sb", "sync")
        uuids[nb] = (d1, d2)
    wait_same(ksb, osb)
    assert dns_rows(ksb) == dns_rows(osb)
    assert len(dns_rows(ksb)) == 2
    assert any(f[3] == "ls_in_dns_lookup" and f[0] == "sw1"
               and f[4] == 100 for f in lflows(ksb))
    full = kn.stats()["full recomputes"]

    # Records change; a switch drops its DNS; the empty row gets one.
    for nb in (knb, onb):
        d1, d2 = uuids[nb]
        nbctl(nb, "set", "DNS", d1, 'records={"vm1.example.com"="10.0.0.12"}')
        nbctl(nb, "set", "DNS", d2, 'records={"x.example.com"="10.0.0.5"}')
        nbctl(nb, "remove", "Logical_Switch", "sw1", "dns_records", d1)
        nbctl(nb, "--wait=sb", "sync")
    wait_same(ksb, osb)
    assert dns_rows(ksb) == dns_rows(osb)
    # The last DNS goes from sw0: no DNS flows there.
    for nb in (knb, onb):
        nbctl(nb, "clear", "Logical_Switch", "sw0", "dns_records")
        nbctl(nb, "--wait=sb", "sync")
    wait_same(ksb, osb)
    assert dns_rows(ksb) == dns_rows(osb)
    assert not any(f[3] == "ls_in_dns_lookup" and f[0] == "sw0"
                   and f[4] == 100 for f in lflows(ksb))
    assert kn.stats()["full recomputes"] == full
    assert_recompute_same(kn, knb, ksb)


IPAM_SCRIPT = [
    ["set", "NB_Global", ".", "options:mac_prefix=0a:11:22"],
    ["ls-add", "sw0"],
    ["set", "Logical_Switch", "sw0", "other_config:subnet=10.0.0.0/24",
     "other_config:exclude_ips=10.0.0.2..10.0.0.4",
     "other_config:ipv6_prefix=fd00::"],
    ["lsp-add", "sw0", "s1"],
    ["lsp-set-addresses", "s1", "00:00:00:00:00:01 10.0.0.5"],
    ["lsp-add", "sw0", "d1"],
    ["lsp-set-addresses", "d1", "dynamic"],
    ["lsp-add", "sw0", "d2"],
    ["lsp-set-addresses", "d2", "00:00:00:00:00:22 dynamic"],
    ["lsp-add", "sw0", "d3"],
    ["lsp-set-addresses", "d3", "dynamic 10.0.0.100"],
    ["ls-add", "sw1"],
    ["set", "Logical_Switch", "sw1", "other_config:mac_only=true"],
    ["lsp-add", "sw1", "m1"],
    ["lsp-set-addresses", "m1", "dynamic"],
    ["ls-add", "sw2"],
    ["lsp-add", "sw2", "n1"],
    ["lsp-set-addresses", "n1", "dynamic"],
]


def dynamic_addresses(nb):
    out = {}
    for r in nbctl(nb, "--format=csv", "--data=bare", "--no-headings",
                   "--columns=name,dynamic_addresses", "list",
                   "Logical_Switch_Port").splitlines():
        name, dyn = r.split(",", 1)
        out[name] = dyn.strip('"')
    return out


def apply_each(script, *nbs):
    """Like apply(), waiting after each command, so that both northds see
    the ports one at a time."""
    for nb in nbs:
        for cmd in script:
            nbctl(nb, "--wait=sb", *cmd)


def test_ipam_matches_ovn_northd(pair):
    knb, ksb, kn, onb, osb, on = pair
    apply_each(IPAM_SCRIPT, knb, onb)
    wait_same(ksb, osb)
    kd, od = dynamic_addresses(knb), dynamic_addresses(onb)
    assert kd == od
    assert kd["d1"].startswith("0a:11:22:") and " 10.0.0." in kd["d1"], kd
    assert kd["d2"].startswith("00:00:00:00:00:22 "), kd
    assert " 10.0.0.100 " in kd["d3"] + " ", kd
    assert kd["n1"] == "", kd
    assert kd["m1"].startswith("0a:11:22:"), kd
    # The assigned addresses are in the flows (port security aside,
    # the L2 lookup of the MAC).
    mac = kd["d1"].split()[0]
    assert any(f[3] == "ls_in_l2_lkup" and mac in f[5]
               for f in lflows(ksb))
    full = kn.stats()["full recomputes"]

    # Changes: the subnet's exclusions grow over a dynamic address, a
    # static port takes another, a dynamic port becomes static.
    script = [["set", "Logical_Switch", "sw0",
               "other_config:exclude_ips=10.0.0.1..10.0.0.4"],
              ["lsp-add", "sw0", "d4"],
              ["lsp-set-addresses", "d4", "dynamic"],
              ["lsp-set-addresses", "d2", "00:00:00:00:00:22 10.0.0.50"],
              ["lsp-del", "d3"],
              ["lsp-add", "sw0", "d5"],
              ["lsp-set-addresses", "d5", "dynamic"]]
    apply_each(script, knb, onb)
    wait_same(ksb, osb)
    kd, od = dynamic_addresses(knb), dynamic_addresses(onb)
    assert kd == od
    assert kd["d1"].split()[1] != "10.0.0.1"
    assert kn.stats()["full recomputes"] == full
    assert_recompute_same(kn, knb, ksb)
    assert dynamic_addresses(knb) == kd


UDHCPC_SCRIPT = """#!/bin/sh
# udhcpc calls this with the event in $1 and the lease in the environment.
if [ "$1" = bound ]; then
    echo "ip=$ip subnet=$subnet router=$router lease=$lease dns=$dns" \\
        > "$(dirname "$0")/lease"
fi
"""


def test_dhcp_lease_through_ovn_controller(make_server, make_northd,
                                           tmp_path, namespaces):
    """A VM namespace without an address gets its lease from
    ovn-controller's DHCP server, as kiln-northd's flows program it."""
    assert have_netns(), "this test needs root and network namespaces"
    assert shutil.which("busybox"), "scripts/install-deps.sh installs it"
    nb = make_server("kiln", NB_SCHEMA, name="knb")
    sb = make_server("kiln", SB_SCHEMA, name="ksb")
    make_northd(nb, sb, "kiln")
    apply([["ls-add", "sw0"],
           ["lsp-add", "sw0", "vm1"],
           ["lsp-set-addresses", "vm1", "00:00:00:00:10:01 10.9.0.5"]], nb)
    v4 = dhcp_options(nb, "10.9.0.0/24", "lease_time=3600",
                      "router=10.9.0.1", "server_id=10.9.0.1",
                      "server_mac=c0:ff:ee:00:00:01", "dns_server=10.9.0.53")
    nbctl(nb, "lsp-set-dhcpv4-options", "vm1", v4)
    nbctl(nb, "--wait=sb", "sync")

    script = tmp_path / "udhcpc.sh"
    script.write_text(UDHCPC_SCRIPT)
    script.chmod(0o755)
    ch = Chassis(str(tmp_path / "hv1"), namespaces(0))
    try:
        ch.setup(make_server, sb)
        ns = plug_vif(ch, namespaces, 1, "vm1", "00:00:00:00:10:01", [], [])
        wait_up(nb, 1, ch)
        nbctl(nb, "--wait=hv", "sync", timeout=90)
        guest = "kn%dg1" % os.getpid()
        p = kilntest.run_proc(["ip", "netns", "exec", ns, "busybox",
                               "udhcpc", "-i", guest, "-f", "-q", "-n",
                               "-t", "5", "-T", "2", "-s", str(script)],
                              timeout=60)
        assert p.returncode == 0, (p.stdout, p.stderr, ch.logs())
        lease = dict(kv.split("=", 1)
                     for kv in (tmp_path / "lease").read_text().split())
        assert lease["ip"] == "10.9.0.5", lease
        assert lease["router"] == "10.9.0.1", lease
        assert lease["subnet"] == "255.255.255.0", lease
        assert lease["lease"] == "3600", lease
        assert lease["dns"] == "10.9.0.53", lease
    finally:
        ch.stop()
