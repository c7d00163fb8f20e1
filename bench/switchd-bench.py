#!/usr/bin/python3
"""kiln-switchd against Debian's ovs-vswitchd (datapath_type=netdev), beside
the kernel's own limit (two namespaces joined directly by a veth pair).

Topologies (every switch runs in a "host" namespace of its own, with its
own database server, so its devices stay out of the host network):

  onebridge  vm1 (10.1.0.1) --veth-- [p1 | br0 | p2] --veth-- vm2 (10.1.0.2)
  geneve     vm1 (10.0.1.11) -- [br0 on h1] ==Geneve over underlay veth
             (192.168.100.1 <-> .2, MTU 1600)== [br0 on h2] -- vm2
             (10.0.1.12); NORMAL on each bridge.
  veth       refa (10.99.0.1) --one veth pair-- refb (10.99.0.2)

Kinds: "kiln" (kiln-switchd + kiln-db), "ovs" (ovs-vswitchd +
ovsdb-server), and, in the geneve topology only, "floor": the same
namespaces, underlay and VMs, but no database and no bridge; each host
namespace runs bench/geneve-floor (BUILD/bench/geneve-floor), a minimal
forwarder between its VM port (the veth end stays in the host namespace)
and a Geneve UDP socket on the underlay doing only the kernel I/O any
userspace switch on kernel sockets must do (AF_PACKET with virtio-net
headers, UDP GSO/GRO, no payload copy or checksum in user space): the
fastest such a switch can be here, printed as the "floor" column with the
ratio kiln/floor.

Measured as in /work/shared/bench/dataplane (bench.py): ping -c 30 -i 0.1
after 3 warm-up pings (min/avg RTT); iperf3 -t DUR, one TCP stream
(end.sum_received); 64-byte frames with iperf3 -u -l 18 -b 0 (delivered =
server-side received bytes / 18 / seconds); switch CPU from
/proc/PID/stat (utime + stime of every switch process, summed, % of one
core) over the TCP and UDP runs.

Usage: bench/switchd-bench.py [--duration S]
                              [--only kiln|ovs|veth|floor[,...]]
                              [--topology onebridge|geneve|both]
                              [--kiln-port-type system|afxdp]
                              [--xdp-mode MODE] [--kiln-vm-tx-off]
                              [--floor-csum]
--kiln-port-type afxdp makes kiln-switchd's VM ports type=afxdp
(options:xdp-mode=MODE, default best-effort) instead of system; the VMs'
veth ends then have transmit offloads off, as for OVS (AF_XDP carries no
checksum or GSO state).
Run as root. kiln-switchd, kiln-db and geneve-floor come from $KILN_BUILD
(default build-swbench, else build).
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VSCTL = "/usr/bin/ovs-vsctl"
OVSDB_SERVER = "/usr/sbin/ovsdb-server"
OVSDB_TOOL = "/usr/bin/ovsdb-tool"
OVS_VSWITCHD = "/usr/sbin/ovs-vswitchd"
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
UL_MTU = 1600
VM_MTU = 1500


def build_dir():
    b = os.environ.get("KILN_BUILD")
    if b:
        return os.path.abspath(b)
    for d in ("build-swbench", "build"):
        p = os.path.join(TOP, d)
        if os.path.exists(os.path.join(p, "switch", "kiln-switchd")):
            return p
    return os.path.join(TOP, "build")


def log(msg):
    print("[%s] %s" % (time.strftime("%T"), msg), file=sys.stderr,
          flush=True)


def sh(*args, check=True, timeout=60):
    """Runs a command; returns (status, stdout + stderr)."""
    r = subprocess.run([str(a) for a in args], capture_output=True,
                       text=True, timeout=timeout)
    if check and r.returncode:
        raise RuntimeError("%s: exit %d\n%s%s" % (
            " ".join(str(a) for a in args), r.returncode, r.stdout,
            r.stderr))
    return r.returncode, r.stdout + r.stderr


def wait_for(pred, what, timeout=15):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for " + what)
        time.sleep(0.1)


class Env:
    """Everything one run creates: namespaces, child processes, temp dirs.
    cleanup() removes them all (children by their own pid)."""

    def __init__(self):
        self.prefix = "ksb%d" % os.getpid()
        self.namespaces = []
        self.procs = []
        self.dirs = []

    def ns(self, name):
        ns = self.prefix + name
        sh("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        for k in ("all", "default"):
            sh("ip", "netns", "exec", ns, "sysctl", "-qw",
               "net.ipv6.conf.%s.disable_ipv6=1" % k)
        return ns

    def tmpdir(self, tag):
        d = tempfile.mkdtemp(prefix="ksb-%s-" % tag, dir="/tmp")
        self.dirs.append(d)
        return d

    def spawn(self, ns, args, logpath, env=None):
        out = open(logpath, "ab")
        p = subprocess.Popen(["ip", "netns", "exec", ns] + list(args),
                             stdin=subprocess.DEVNULL, stdout=out,
                             stderr=out, env=env, start_new_session=True)
        out.close()
        self.procs.append(p)
        return p

    def stop(self, p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def cleanup(self):
        for p in reversed(self.procs):
            try:
                self.stop(p)
            except Exception:
                pass
        self.procs = []
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.namespaces = []
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)
        self.dirs = []


class Host:
    """A namespace with a database server and a switch (kind "kiln" or
    "ovs"), bridge br0 (datapath_type=netdev)."""

    def __init__(self, env, kind, name):
        self.env = env
        self.kind = kind
        self.ns = env.ns(name)
        self.dir = env.tmpdir(kind + name)
        self.sock = os.path.join(self.dir, "db.sock")
        self.remote = "unix:" + self.sock
        self.ctl = os.path.join(self.dir, "switch.ctl")
        self.switch = None

    def log_tail(self):
        out = []
        for f in sorted(os.listdir(self.dir)):
            if f.endswith((".log", ".out")):
                with open(os.path.join(self.dir, f), errors="replace") as fh:
                    lines = fh.readlines()[-15:]
                out.append("--- %s/%s\n%s" % (self.dir, f, "".join(lines)))
        return "\n".join(out)

    def start(self, bindir):
        db = os.path.join(self.dir, "conf.db")
        if self.kind == "ovs":
            sh(OVSDB_TOOL, "create", db, SCHEMA)
            dbprog = OVSDB_SERVER
        else:
            dbprog = os.path.join(bindir, "ovsdb", "kiln-db")
            sh(dbprog, "create", db, SCHEMA)
        self.env.spawn(self.ns, [
            dbprog, "--remote=punix:" + self.sock,
            "--unixctl=" + os.path.join(self.dir, "db.ctl"), "--no-chdir",
            "--log-file=" + os.path.join(self.dir, "db.log"), db],
            os.path.join(self.dir, "db.out"))
        wait_for(lambda: os.path.exists(self.sock), "database socket")
        self.vsctl("--no-wait", "init")
        env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_DBDIR=self.dir,
                   OVS_LOGDIR=self.dir, OVS_SYSCONFDIR=self.dir,
                   KILN_RUNDIR=self.dir)
        if self.kind == "ovs":
            args = [OVS_VSWITCHD, self.remote]
        else:
            args = [os.path.join(bindir, "switch", "kiln-switchd"),
                    self.remote]
        args += ["--no-chdir", "--unixctl=" + self.ctl,
                 "--log-file=" + os.path.join(self.dir, "switch.log")]
        self.switch = self.env.spawn(self.ns, args,
                                     os.path.join(self.dir, "switch.out"),
                                     env=env)
        wait_for(lambda: os.path.exists(self.ctl), "switch control socket")
        self.vsctl("add-br", "br0", "--", "set", "bridge", "br0",
                   "datapath_type=netdev")

    def vsctl(self, *args):
        return sh(VSCTL, "--db=" + self.remote, "--timeout=20", *args)[1]

    def add_port(self, name, *settings):
        extra = ["--", "set", "interface", name] + list(settings) \
            if settings else []
        self.vsctl("add-port", "br0", name, *extra)

        def ok():
            of = self.vsctl("get", "interface", name, "ofport").strip()
            return of not in ("[]", "-1", "0")
        wait_for(ok, "ofport of " + name)

    def pids(self):
        return [self.switch.pid]


class FloorHost(Host):
    """A host namespace running bench/geneve-floor (kind "floor") between
    its VM port and the Geneve tunnel: no database, no bridge."""

    def __init__(self, env, name):
        super().__init__(env, "floor", name)
        self.out = os.path.join(self.dir, "floor.out")

    def start(self, bindir, dev, local, remote, csum=False):
        exe = os.path.join(bindir, "bench", "geneve-floor")
        if not os.path.exists(exe):
            raise RuntimeError("%s is not built (ninja -C %s "
                               "bench/geneve-floor)" % (exe, bindir))
        self.switch = self.env.spawn(self.ns, [
            exe, "--vm-dev", dev, "--local", local, "--remote", remote,
            "--vni", "5", "--seconds", "36000"]
            + (["--csum"] if csum else []), self.out)

    def counters(self):
        """Stops the forwarder; returns its JSON counters (or None)."""
        self.env.stop(self.switch)
        with open(self.out, errors="replace") as f:
            lines = [ln for ln in f if ln.startswith("{")]
        return json.loads(lines[-1]) if lines else None


def vm(env, host_ns, name, ip, port, txoff):
    """A VM namespace with eth0 at ip/24, veth peer 'port' in host_ns."""
    ns = env.ns(name)
    sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer",
       "name", port, "netns", host_ns)
    sh("ip", "-n", ns, "link", "set", "eth0", "mtu", VM_MTU)
    sh("ip", "-n", host_ns, "link", "set", port, "mtu", VM_MTU)
    sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0")
    sh("ip", "-n", ns, "link", "set", "eth0", "up")
    sh("ip", "-n", host_ns, "link", "set", port, "up")
    if txoff:
        sh("ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx", "off")
    return ns


def ping_ok(ns, ip):
    st, out = sh("ip", "netns", "exec", ns, "ping", "-n", "-c", "1", "-W",
                 "1", ip, check=False)
    return st == 0


# ---------------------------------------------------------------- probes

def proc_cpu_ticks(pids):
    t = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            t += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return t


def machine_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    idle = v[3] + v[4]
    return sum(v), idle


def wait_quiet(max_busy=20.0, limit=60):
    """Waits (at most 'limit' s) until the machine is < max_busy % busy
    over 2 s; returns the last busy %."""
    deadline = time.monotonic() + limit
    while True:
        t0, i0 = machine_ticks()
        time.sleep(2)
        t1, i1 = machine_ticks()
        busy = 100.0 * (1 - (i1 - i0) / max(1, t1 - t0))
        if busy < max_busy or time.monotonic() > deadline:
            return busy


class Probe:
    def __init__(self, pids):
        self.pids = pids
        self.hz = os.sysconf("SC_CLK_TCK")

    def start(self):
        self.t0 = time.monotonic()
        self.c0 = proc_cpu_ticks(self.pids)
        self.m0 = machine_ticks()

    def stop(self):
        wall = time.monotonic() - self.t0
        c = proc_cpu_ticks(self.pids) - self.c0
        m1 = machine_ticks()
        busy = 100.0 * (1 - (m1[1] - self.m0[1])
                        / max(1, m1[0] - self.m0[0]))
        return {"switch_cpu_pct": 100.0 * c / self.hz / wall,
                "machine_busy_pct": busy}


def ping_test(src, ip):
    sh("ip", "netns", "exec", src, "ping", "-n", "-q", "-c", "3", "-i",
       "0.2", "-W", "2", ip, check=False)
    st, out = sh("ip", "netns", "exec", src, "ping", "-n", "-q", "-c", "30",
                 "-i", "0.1", "-W", "2", ip, check=False)
    for line in out.splitlines():
        if "min/avg/max" in line:
            mn, avg = line.split("=")[1].split("/")[:2]
            return {"rtt_min_ms": float(mn), "rtt_avg_ms": float(avg)}
    raise RuntimeError("ping %s from %s failed:\n%s" % (ip, src, out))


def iperf(env, src, dst, ip, dur, udp, pids):
    srv = env.spawn(dst, ["iperf3", "-s", "-1", "-B", ip],
                    "/dev/null")
    try:
        time.sleep(0.5)
        cmd = ["iperf3", "-c", ip, "-t", str(dur), "-J"]
        if udp:
            cmd += ["-u", "-l", "18", "-b", "0"]
        pr = Probe(pids)
        pr.start()
        st, out = sh("ip", "netns", "exec", src, *cmd, check=False,
                     timeout=dur + 60)
        res = pr.stop()
    finally:
        env.stop(srv)
        env.procs.remove(srv)
    try:
        d = json.loads(out[out.index("{"):])
    except ValueError:
        raise RuntimeError("iperf3 output: " + out[-2000:])
    if "error" in d:
        raise RuntimeError("iperf3: " + d["error"])
    e = d["end"]
    if udp:
        r = e["sum_received"] if "sum_received" in e else e["sum"]
        res["kpps"] = r["bytes"] / 18 / r["seconds"] / 1e3
        s = e.get("sum_sent", e["sum"])
        res["offered_kpps"] = s["packets"] / s["seconds"] / 1e3
    else:
        res["gbps"] = e["sum_received"]["bits_per_second"] / 1e9
        res["retransmits"] = e["sum_sent"].get("retransmits")
    return res


def measure(env, src, dst, ip, dur, pids, runs):
    """All figures between two namespaces; median of 'runs' runs each."""
    r = {}
    wait_quiet()
    pings = [ping_test(src, ip) for _ in range(runs)]
    r["rtt_min_ms"] = statistics.median(p["rtt_min_ms"] for p in pings)
    r["rtt_avg_ms"] = statistics.median(p["rtt_avg_ms"] for p in pings)
    tcp, udp = [], []
    for _ in range(runs):
        wait_quiet()
        tcp.append(iperf(env, src, dst, ip, dur, False, pids))
        log("   tcp %.3f Gb/s, switch cpu %.0f%%, machine %.0f%%" % (
            tcp[-1]["gbps"], tcp[-1]["switch_cpu_pct"],
            tcp[-1]["machine_busy_pct"]))
    for _ in range(runs):
        wait_quiet()
        udp.append(iperf(env, src, dst, ip, dur, True, pids))
        log("   udp %.1f kpps of %.1f offered, switch cpu %.0f%%" % (
            udp[-1]["kpps"], udp[-1]["offered_kpps"],
            udp[-1]["switch_cpu_pct"]))
    r["tcp_gbps"] = statistics.median(x["gbps"] for x in tcp)
    r["tcp_retrans"] = statistics.median(x["retransmits"] or 0 for x in tcp)
    r["tcp_cpu"] = statistics.median(x["switch_cpu_pct"] for x in tcp)
    r["tcp_busy"] = statistics.median(x["machine_busy_pct"] for x in tcp)
    r["udp_kpps"] = statistics.median(x["kpps"] for x in udp)
    r["udp_offered"] = statistics.median(x["offered_kpps"] for x in udp)
    r["udp_cpu"] = statistics.median(x["switch_cpu_pct"] for x in udp)
    return r


# ------------------------------------------------------------- topologies

def run_veth(env, args):
    a = env.ns("refa")
    b = env.ns("refb")
    sh("ip", "link", "add", "eth0", "netns", a, "type", "veth", "peer",
       "name", "eth0", "netns", b)
    for ns, ip in ((a, "10.99.0.1"), (b, "10.99.0.2")):
        sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
    wait_for(lambda: ping_ok(a, "10.99.0.2"), "veth ping")
    log("veth: offloads on (kernel defaults)")
    r = measure(env, a, b, "10.99.0.2", args.duration, [], args.runs)
    for ns in (a, b):
        sh("ip", "netns", "exec", ns, "ethtool", "-K", "eth0", "tx", "off")
    log("veth: tx checksum/TSO off")
    wait_quiet()
    t = iperf(env, a, b, "10.99.0.2", args.duration, False, [])
    r["tcp_gbps_txoff"] = t["gbps"]
    log("   tcp (tx off) %.3f Gb/s" % t["gbps"])
    return r


def vm_port_settings(kind, args):
    """Interface settings of a VM port of switch 'kind'."""
    if kind == "kiln" and args.kiln_port_type == "afxdp":
        return ["type=afxdp", "options:xdp-mode=" + args.xdp_mode]
    return []


def vm_txoff(kind, args):
    """Whether the VMs of switch 'kind' run with transmit offloads off:
    for OVS as the reference method does, and for AF_XDP ports, which
    carry no offload state."""
    return kind == "ovs" or (kind == "kiln"
                             and (args.kiln_port_type == "afxdp"
                                  or args.kiln_vm_tx_off))


def run_onebridge(env, kind, args):
    h = Host(env, kind, "h")
    try:
        h.start(args.build)
        txoff = vm_txoff(kind, args)
        v1 = vm(env, h.ns, "vm1", "10.1.0.1", "p1", txoff)
        v2 = vm(env, h.ns, "vm2", "10.1.0.2", "p2", txoff)
        h.add_port("p1", *vm_port_settings(kind, args))
        h.add_port("p2", *vm_port_settings(kind, args))
        wait_for(lambda: ping_ok(v1, "10.1.0.2"), "vm1 -> vm2 ping", 20)
    except Exception:
        log(h.log_tail())
        raise
    log("%s onebridge" % kind)
    if vm_port_settings(kind, args):
        log("   p1 status: " + h.vsctl("get", "interface", "p1",
                                       "status").strip())
    return measure(env, v1, v2, "10.1.0.2", args.duration, h.pids(),
                   args.runs)


def run_geneve(env, kind, args):
    if kind == "floor":
        return run_geneve_floor(env, args)
    h1 = Host(env, kind, "h1")
    h2 = Host(env, kind, "h2")
    hosts = (h1, h2)
    ul = {h1: "192.168.100.1", h2: "192.168.100.2"}
    try:
        for h in hosts:
            h.start(args.build)
        sh("ip", "link", "add", "ul", "netns", h1.ns, "type", "veth",
           "peer", "name", "ul", "netns", h2.ns)
        txoff = vm_txoff(kind, args)
        v1 = vm(env, h1.ns, "vm1", "10.0.1.11", "vm1-p", txoff)
        v2 = vm(env, h2.ns, "vm2", "10.0.1.12", "vm2-p", txoff)
        for h, other in ((h1, h2), (h2, h1)):
            sh("ip", "-n", h.ns, "link", "set", "ul", "mtu", UL_MTU, "up")
            if kind == "ovs":
                # OVS userspace tunnelling: the underlay device is a port
                # of br-phy and the endpoint IP sits on br-phy's internal
                # port (as in the reference setup).
                h.vsctl("add-br", "br-phy", "--", "set", "bridge", "br-phy",
                        "datapath_type=netdev", "--", "add-port", "br-phy",
                        "ul")
                dev = "br-phy"
                sh("ip", "-n", h.ns, "link", "set", "br-phy", "mtu",
                   UL_MTU)
            else:
                # kiln-switchd sends tunnel packets through the kernel's
                # routing of the underlay: the IP sits on the veth itself.
                dev = "ul"
            sh("ip", "-n", h.ns, "addr", "add", ul[h] + "/24", "dev", dev)
            sh("ip", "-n", h.ns, "link", "set", dev, "up")
            port = "vm1-p" if h is h1 else "vm2-p"
            h.add_port(port, *vm_port_settings(kind, args))
            h.add_port("gnv0", "type=geneve",
                       "options:remote_ip=" + ul[other],
                       "options:key=5")
        wait_for(lambda: ping_ok(h1.ns, ul[h2]), "underlay ping", 20)
        wait_for(lambda: ping_ok(v1, "10.0.1.12"), "vm1 -> vm2 ping", 30)
    except Exception:
        for h in hosts:
            log(h.log_tail())
        raise
    log("%s geneve" % kind)
    return measure(env, v1, v2, "10.0.1.12", args.duration,
                   h1.pids() + h2.pids(), args.runs)


def run_geneve_floor(env, args):
    """The geneve topology with geneve-floor in place of each switch."""
    h1 = FloorHost(env, "h1")
    h2 = FloorHost(env, "h2")
    hosts = (h1, h2)
    ul = {h1: "192.168.100.1", h2: "192.168.100.2"}
    port = {h1: "vm1-p", h2: "vm2-p"}
    try:
        sh("ip", "link", "add", "ul", "netns", h1.ns, "type", "veth",
           "peer", "name", "ul", "netns", h2.ns)
        v1 = vm(env, h1.ns, "vm1", "10.0.1.11", "vm1-p", False)
        v2 = vm(env, h2.ns, "vm2", "10.0.1.12", "vm2-p", False)
        for h in hosts:
            sh("ip", "-n", h.ns, "link", "set", "ul", "mtu", UL_MTU, "up")
            sh("ip", "-n", h.ns, "addr", "add", ul[h] + "/24", "dev", "ul")
        for h, other in ((h1, h2), (h2, h1)):
            h.start(args.build, port[h], ul[h], ul[other],
                    args.floor_csum)
        wait_for(lambda: ping_ok(h1.ns, ul[h2]), "underlay ping", 20)
        wait_for(lambda: ping_ok(v1, "10.0.1.12"), "vm1 -> vm2 ping", 30)
    except Exception:
        for h in hosts:
            log(h.log_tail())
        raise
    log("floor geneve")
    r = measure(env, v1, v2, "10.0.1.12", args.duration,
                h1.pids() + h2.pids(), args.runs)
    for h in hosts:
        log("   %s counters: %s" % (h.ns, json.dumps(h.counters())))
    return r


# ------------------------------------------------------------------ table

ROWS = [
    ("TCP Gb/s", "tcp_gbps", True),
    ("TCP retransmits/run", "tcp_retrans", False),
    ("64 B UDP kpps delivered", "udp_kpps", True),
    ("64 B UDP kpps offered", "udp_offered", True),
    ("ping RTT min ms", "rtt_min_ms", False),
    ("ping RTT avg ms", "rtt_avg_ms", False),
    ("switch CPU % during TCP", "tcp_cpu", False),
    ("switch CPU % during UDP", "udp_cpu", False),
    ("machine busy % during TCP", "tcp_busy", False),
]


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "{:,.0f}".format(v)
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.3f" % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.2fx" % (a / b)


def print_table(results, veth, topologies, floor=False):
    """Prints the table; with 'floor', also the floor column (geneve-floor,
    geneve topology only) and the ratio kiln/floor."""
    cols = ["topology", "metric", "veth", "ovs-vswitchd", "kiln-switchd"]
    form = "%-12s %-27s %10s %12s %12s"
    if floor:
        cols.append("floor")
        form += " %10s"
    cols += ["kiln/ovs", "kiln/veth"]
    form += " %10s %10s"
    if floor:
        cols.append("kiln/floor")
        form += " %10s"
    hdr = form % tuple(cols)
    print(hdr)
    print("-" * len(hdr))
    for topo in topologies:
        for label, key, _ in ROWS:
            o = results.get(("ovs", topo), {}).get(key)
            k = results.get(("kiln", topo), {}).get(key)
            fl = results.get(("floor", topo), {}).get(key)
            v = veth.get(key) if veth and not key.endswith("_cpu") else None
            row = [topo, label, fmt(v), fmt(o), fmt(k)]
            if floor:
                row.append(fmt(fl))
            row += [ratio(k, o), ratio(k, v)]
            if floor:
                row.append(ratio(k, fl))
            print(form % tuple(row))
    if veth and "tcp_gbps_txoff" in veth:
        print("veth TCP with tx checksum/TSO off (as on OVS's VM ports): "
              "%s Gb/s" % fmt(veth["tcp_gbps_txoff"]))
    print("Ratios are kiln/other of the raw figures: above 1 is better for "
          "rates, below 1 for ms, CPU and retransmits.")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=10,
                    help="seconds per iperf3 run (default 10)")
    ap.add_argument("--runs", type=int, default=1,
                    help="runs per figure, median reported (default 1)")
    ap.add_argument("--only", default="kiln,ovs,veth,floor",
                    help="comma list of kiln, ovs, veth, floor (default "
                    "all; floor runs in the geneve topology only)")
    ap.add_argument("--topology", default="both",
                    choices=["onebridge", "geneve", "both"])
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--kiln-port-type", default="system",
                    choices=["system", "afxdp"],
                    help="type of kiln-switchd's VM ports (default system)")
    ap.add_argument("--xdp-mode", default="best-effort",
                    choices=["best-effort", "native", "generic",
                             "native-with-zerocopy"],
                    help="options:xdp-mode of afxdp ports (default "
                    "best-effort)")
    ap.add_argument("--floor-csum", action="store_true",
                    help="geneve-floor --csum: the floor also writes and "
                    "verifies the inner TCP checksums, as any switch that "
                    "talks to others must")
    ap.add_argument("--kiln-vm-tx-off", action="store_true",
                    help="kiln's VMs with transmit offloads off also on "
                    "system ports (to compare with afxdp ports)")
    args = ap.parse_args()
    args.build = build_dir()
    only = set(args.only.split(","))
    if not only <= {"kiln", "ovs", "veth", "floor"}:
        ap.error("--only takes kiln, ovs, veth, floor")
    if os.geteuid() != 0:
        ap.error("must run as root (network namespaces)")
    topologies = (["onebridge", "geneve"] if args.topology == "both"
                  else [args.topology])

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    results, veth, failed = {}, None, []
    env = Env()
    try:
        if "veth" in only:
            try:
                veth = run_veth(env, args)
            finally:
                env.cleanup()
        for topo in topologies:
            for kind in ("ovs", "kiln", "floor"):
                if kind not in only or (kind == "floor"
                                        and topo != "geneve"):
                    continue
                try:
                    fn = run_onebridge if topo == "onebridge" else run_geneve
                    results[(kind, topo)] = fn(env, kind, args)
                except (RuntimeError, TimeoutError,
                        subprocess.TimeoutExpired) as e:
                    log("FAILED %s %s: %s" % (kind, topo, e))
                    failed.append("%s/%s" % (kind, topo))
                finally:
                    env.cleanup()
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        env.cleanup()
        return 130
    finally:
        env.cleanup()
    print_table(results, veth, topologies,
                floor="floor" in only and "geneve" in topologies)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"veth": veth,
                       "results": {"%s/%s" % k: v
                                   for k, v in results.items()}}, f,
                      indent=1)
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
