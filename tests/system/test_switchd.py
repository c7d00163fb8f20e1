"""System tests of kiln-switchd forwarding real traffic (switch/bridge.c:
ports, the shared datapath, the translator, conntrack, tunnels).

Each test builds network namespaces of its own (named after the test's
pid, removed at teardown whatever happens) and runs kiln-db with the
vswitch schema and kiln-switchd inside a "host" namespace, configured with
Debian's ovs-vsctl and programmed with Debian's ovs-ofctl:

    ns A (10.1.0.1) --veth-- [p1 | br0 | p2] --veth-- ns B (10.1.0.2)
                                 host namespace

The tunnel tests run two hosts, each with its own database and switch,
joined by an underlay veth (10.99.0.1 <-> 10.99.0.2) and one VM namespace
each behind a veth port.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import kilntest

SWITCHD = os.path.join(kilntest.BUILD, "switch", "kiln-switchd")
OFCTL = "/usr/bin/ovs-ofctl"
VSCTL = "/usr/bin/ovs-vsctl"
APPCTL = "/usr/bin/ovs-appctl"
PY = "/usr/bin/python3"
SCHEMA = kilntest.SCHEMAS["vswitch"]


def sh(*args, check=True, timeout=30, input=None):
    """Runs a command; returns (status, stdout + stderr)."""
    r = subprocess.run(list(args), capture_output=True, text=True,
                       timeout=timeout, input=input)
    if check and r.returncode:
        raise RuntimeError("%s: exit %d\n%s%s" % (" ".join(args),
                                                 r.returncode, r.stdout,
                                                 r.stderr))
    return r.returncode, r.stdout + r.stderr


def wait_for(pred, what, timeout=10):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for " + what)
        time.sleep(0.05)


def ns_exec(ns, *args, **kw):
    return sh("ip", "netns", "exec", ns, *args, **kw)


def ping(ns, ip, count=3, check=True):
    """Pings 'ip' from 'ns'; returns whether all replies came."""
    st, out = ns_exec(ns, "ping", "-c", str(count), "-i", "0.2", "-W", "1",
                      ip, check=False, timeout=30)
    ok = st == 0 and " 0% packet loss" in out
    if check:
        assert ok, out
    return ok


def ping_eventually(ns, ip, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ping(ns, ip, count=1, check=False):
            return True
    return False


# TCP and UDP exchanges: a small server in one namespace, a client in the
# other, both run by Debian's python.
_SERVER = r"""
import socket, sys
proto, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if proto == "tcp":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port)); s.listen(1)
    print("ready", flush=True)
    s.settimeout(15)
    c, _ = s.accept()
    c.settimeout(15)
    data = b""
    while not data.endswith(b"END"):
        b = c.recv(65536)
        if not b:
            break
        data += b
    c.sendall(b"GOT %d" % len(data))
    c.close()
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, port))
    print("ready", flush=True)
    s.settimeout(15)
    for _ in range(50):
        d, peer = s.recvfrom(65536)
        s.sendto(b"ECHO " + d, peer)
        if d == b"LAST":
            break
"""

_CLIENT = r"""
import socket, sys, time
proto, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if proto == "tcp":
    s = socket.create_connection((ip, port), timeout=5)
    payload = b"x" * 2000000 + b"END"
    s.sendall(payload)
    s.settimeout(10)
    print(s.recv(100).decode())
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    got = 0
    for i in range(5):
        s.sendto(b"hello%d" % i, (ip, port))
        try:
            if s.recv(100) == b"ECHO hello%d" % i:
                got += 1
        except socket.timeout:
            pass
    s.sendto(b"LAST", (ip, port))
    print("GOT %d" % got)
"""


def exchange(server_ns, client_ns, ip, proto, port=5001, timeout=20):
    """Runs a TCP (2 MB) or UDP (5 datagrams) exchange; returns the
    client's output, or None if it failed."""
    srv = subprocess.Popen(["ip", "netns", "exec", server_ns, PY, "-c",
                            _SERVER, proto, ip, str(port)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    try:
        assert srv.stdout.readline().strip() == "ready"
        st, out = ns_exec(client_ns, PY, "-c", _CLIENT, proto, ip, str(port),
                          check=False, timeout=timeout)
        return out.strip() if st == 0 else None
    finally:
        srv.kill()
        srv.wait()


class Host:
    """A namespace running kiln-db and kiln-switchd with bridge br0."""

    def __init__(self, ns, dir_):
        self.ns = ns
        self.dir = dir_
        self.db = kilntest.DbServer("kiln", dir_, [SCHEMA], name="db")
        self.proc = None
        self.ctl = os.path.join(dir_, "switchd.ctl")
        self.mgmt = os.path.join(dir_, "br0.mgmt")
        self.log = os.path.join(dir_, "switchd.log")

    def start_db(self):
        self.db.start()
        self.vsctl("init")

    def start_switchd(self, *extra):
        if os.path.exists(self.ctl):
            os.unlink(self.ctl)
        env = dict(os.environ, KILN_RUNDIR=self.dir)
        out = open(os.path.join(self.dir, "switchd.out"), "ab")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, SWITCHD, self.db.remote,
             "--no-chdir", "--unixctl=" + self.ctl, "--log-file=" + self.log,
             *extra],
            stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env,
            cwd=self.dir)
        out.close()
        wait_for(lambda: os.path.exists(self.ctl), "switchd control socket")

    def add_bridge(self):
        self.vsctl("add-br", "br0", "--", "set", "bridge", "br0",
                   "datapath_type=netdev")
        wait_for(lambda: os.path.exists(self.mgmt), "br0.mgmt")
        wait_for(lambda: sh(OFCTL, "show", self.mgmt, check=False)[0] == 0,
                 "br0 answering")

    def vsctl(self, *args):
        return sh(VSCTL, "--db=" + self.db.remote, "--no-wait", *args)[1]

    def vsctl_wait(self, *args):
        """ovs-vsctl that waits for the switch to apply the change (cur_cfg
        catching up with next_cfg)."""
        return sh(VSCTL, "--db=" + self.db.remote, "--timeout=10", *args)[1]

    def get(self, table, record, column):
        return self.vsctl("get", table, record, column).strip()

    def ofctl(self, cmd, *args, check=True, input=None):
        return sh(OFCTL, "-O", "OpenFlow13", cmd, self.mgmt, *args,
                  check=check, input=input)[1]

    def appctl(self, *args, check=True):
        return sh(APPCTL, "-t", self.ctl, *args, check=check)[1]

    def stop_switchd(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        try:
            if self.proc and self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            try:
                self.db.stop()
            finally:
                self.db.cleanup()


class Net:
    """Namespaces and hosts of one test; cleanup() removes them all."""

    def __init__(self):
        self.prefix = "ksd%d" % os.getpid()
        self.namespaces = []
        self.hosts = []
        self.dirs = []

    def ns(self, name):
        ns = self.prefix + name
        sh("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        return ns

    def host(self, name):
        ns = self.ns(name)
        d = tempfile.mkdtemp(prefix="ksd-", dir="/tmp")
        self.dirs.append(d)
        h = Host(ns, d)
        self.hosts.append(h)
        h.start_db()
        h.start_switchd()
        h.add_bridge()
        return h

    def vm(self, host, name, ip, port, mtu=None, mac=None):
        """A namespace 'name' with eth0 at 'ip'/24, joined by a veth to
        'host' whose end is 'port' (not yet on the bridge)."""
        ns = self.ns(name)
        sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer",
           "name", port, "netns", host.ns)
        if mtu:
            sh("ip", "-n", ns, "link", "set", "eth0", "mtu", str(mtu))
            sh("ip", "-n", host.ns, "link", "set", port, "mtu", str(mtu))
        if mac:
            sh("ip", "-n", ns, "link", "set", "eth0", "address", mac)
        sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        sh("ip", "-n", host.ns, "link", "set", port, "up")
        return ns

    def cleanup(self):
        for h in self.hosts:
            try:
                h.stop()
            except Exception:
                pass
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def net():
    n = Net()
    try:
        yield n
    finally:
        n.cleanup()


A_IP, B_IP, C_IP = "10.1.0.1", "10.1.0.2", "10.1.0.3"


@pytest.fixture
def two(net):
    """One switch with A on p1 (ofport 1) and B on p2 (ofport 2)."""
    h = net.host("h")
    a = net.vm(h, "a", A_IP, "p1")
    b = net.vm(h, "b", B_IP, "p2")
    h.vsctl("add-port", "br0", "p1", "--", "set", "interface", "p1",
            "ofport_request=1")
    h.vsctl("add-port", "br0", "p2", "--", "set", "interface", "p2",
            "ofport_request=2")
    wait_for(lambda: h.get("interface", "p2", "ofport") == "2", "ofport")
    return h, a, b


def test_normal_ping_tcp_udp_and_status(two, net):
    h, a, b = two
    ping(a, B_IP)
    assert exchange(b, a, B_IP, "tcp") == "GOT 2000003"
    assert exchange(a, b, A_IP, "udp", port=5002) == "GOT 5"

    # Status written back.
    assert h.get("interface", "p1", "ofport") == "1"
    wait_for(lambda: h.get("interface", "p1", "link_state") == "up",
             "link_state")
    assert h.get("interface", "p1", "admin_state") == "up"
    mac = h.get("interface", "p1", "mac_in_use").strip('"')
    _, link = sh("ip", "-n", h.ns, "link", "show", "p1")
    assert mac in link
    assert int(h.get("interface", "p1", "ifindex")) > 0
    dpid = h.get("bridge", "br0", "datapath_id").strip('"')
    assert re.fullmatch(r"[0-9a-f]{16}", dpid)
    assert "geneve" in h.get("open_vswitch", ".", "iface_types")
    assert "netdev" in h.get("open_vswitch", ".", "datapath_types")
    wait_for(lambda: "rx_packets" in h.get("interface", "p1", "statistics")
             and int(re.search(r"rx_packets=(\d+)", h.get(
                 "interface", "p1", "statistics")).group(1)) > 10,
             "statistics", timeout=15)

    # A port that cannot be opened.
    h.vsctl("add-port", "br0", "nosuchdev")
    wait_for(lambda: h.get("interface", "nosuchdev", "ofport") == "-1",
             "ofport -1")
    assert "could not open" in h.get("interface", "nosuchdev", "error")
    ping(a, B_IP)

    # The LOCAL port and OpenFlow ports as ovs-ofctl sees them.
    show = h.ofctl("show")
    assert "1(p1)" in show and "2(p2)" in show and "LOCAL(br0)" in show

    # Megaflows, trace, MAC table.
    flows = h.appctl("dpctl/dump-flows")
    assert "in_port(" in flows and "actions:" in flows, flows
    assert "packets:" in flows
    show = h.appctl("dpctl/show", "-s")
    assert "p1" in show and "RX packets" in show
    fdb = h.appctl("fdb/show", "br0")
    amac = ns_exec(a, "cat", "/sys/class/net/eth0/address")[1].strip()
    assert amac in fdb
    trace = h.appctl("ofproto/trace", "br0",
                     "in_port=1,dl_src=%s,dl_dst=ff:ff:ff:ff:ff:ff" % amac)
    assert "NORMAL" in trace, trace
    # Flooded to p2 only (LOCAL is down): p2's datapath port.
    dp_p2 = re.search(r"port (\d+): p2", h.appctl("dpctl/show")).group(1)
    assert re.search(r"Datapath actions: %s\n" % dp_p2, trace), trace
    trace = h.appctl("ofproto/trace", "br0",
                     "in_port=p1,dl_dst=%s" % amac, "-generate")
    assert "Datapath actions:" in trace
    h.appctl("dpctl/del-flows")
    assert "in_port(" not in h.appctl("dpctl/dump-flows")
    h.appctl("fdb/flush")
    assert amac not in h.appctl("fdb/show", "br0")
    ping(a, B_IP)
    assert h.appctl("coverage/show").strip()

    # Removing a port stops its traffic; untouched ports keep working.
    h.vsctl("del-port", "br0", "nosuchdev")
    ping(a, B_IP)
    h.vsctl("del-port", "br0", "p2")
    wait_for(lambda: "2(p2)" not in h.ofctl("show"), "p2 gone")
    assert not ping(a, B_IP, count=2, check=False)
    h.vsctl("add-port", "br0", "p2")
    assert ping_eventually(a, B_IP)


def test_ofctl_flows(two):
    h, a, b = two
    h.ofctl("del-flows")
    assert not ping(a, B_IP, count=2, check=False)
    h.ofctl("add-flow", "in_port=1,actions=output:2")
    h.ofctl("add-flow", "in_port=2,actions=output:1")
    assert ping_eventually(a, B_IP)
    assert exchange(b, a, B_IP, "tcp") == "GOT 2000003"
    assert exchange(a, b, A_IP, "udp", port=5002) == "GOT 5"
    # Statistics are pushed from the megaflows to the rules periodically.
    time.sleep(1.5)
    dump = h.ofctl("dump-flows")
    n = [int(x) for x in re.findall(r"n_packets=(\d+)", dump)]
    assert len(n) == 2 and min(n) > 0, dump
    # A drop flow of higher priority takes over at once (revalidation).
    h.ofctl("add-flow", "priority=40000,icmp,actions=drop")
    assert not ping(a, B_IP, count=2, check=False)
    h.ofctl("del-flows", "icmp")
    assert ping_eventually(a, B_IP)

    # packet_out: a UDP datagram for B sent out of port 2 by ovs-ofctl.
    bmac = ns_exec(b, "cat", "/sys/class/net/eth0/address")[1].strip()
    srv = subprocess.Popen(
        ["ip", "netns", "exec", b, PY, "-c",
         "import socket; s = socket.socket(socket.AF_INET, "
         "socket.SOCK_DGRAM); s.bind(('%s', 7777)); print('ready', "
         "flush=True); s.settimeout(10); print(s.recv(100).decode())"
         % B_IP], stdout=subprocess.PIPE, text=True)
    try:
        assert srv.stdout.readline().strip() == "ready"
        from scapy.all import Ether, IP, UDP
        frame = bytes(Ether(src="02:00:00:00:00:99", dst=bmac)
                      / IP(src="10.1.0.99", dst=B_IP)
                      / UDP(sport=9999, dport=7777) / b"PKTOUT")
        h.ofctl("packet-out", "LOCAL", "output:2", frame.hex())
        out, _ = srv.communicate(timeout=15)
        assert out.strip() == "PKTOUT"
    finally:
        srv.kill()
        srv.wait()


def test_vlan_access_ports(net):
    h = net.host("h")
    a = net.vm(h, "a", A_IP, "p1")
    b = net.vm(h, "b", B_IP, "p2")
    c = net.vm(h, "c", C_IP, "p3")
    h.vsctl("add-port", "br0", "p1", "tag=10")
    h.vsctl("add-port", "br0", "p2", "tag=10")
    h.vsctl("add-port", "br0", "p3", "tag=20")
    assert ping_eventually(a, B_IP)
    ping(b, A_IP)
    assert not ping(a, C_IP, count=2, check=False)
    assert not ping(c, B_IP, count=2, check=False)
    # Retagging applies live.
    h.vsctl("set", "port", "p3", "tag=10")
    assert ping_eventually(c, A_IP)
    h.vsctl("set", "port", "p1", "tag=30")
    time.sleep(0.3)
    assert not ping(a, C_IP, count=2, check=False)
    ping(c, B_IP)


def test_internal_port(two):
    h, a, b = two
    sh("ip", "-n", h.ns, "addr", "add", "10.1.0.254/24", "dev", "br0")
    sh("ip", "-n", h.ns, "link", "set", "br0", "up")
    assert ping_eventually(h.ns, A_IP)
    ping(b, "10.1.0.254")
    wait_for(lambda: h.get("interface", "br0", "link_state") == "up",
             "br0 up")
    assert h.get("interface", "br0", "ofport") == "65534"


def tunnel_pair(net, tnl):
    """Two hosts joined by an underlay, a VM on each (vmport, ofport 1) and
    a 'tnl' port tun0 (ofport 2) towards the other host."""
    h1 = net.host("h1")
    h2 = net.host("h2")
    sh("ip", "link", "add", "ul0", "netns", h1.ns, "type", "veth", "peer",
       "name", "ul0", "netns", h2.ns)
    ul = {h1: "10.99.0.1", h2: "10.99.0.2"}
    for h in (h1, h2):
        sh("ip", "-n", h.ns, "addr", "add", ul[h] + "/24", "dev", "ul0")
        sh("ip", "-n", h.ns, "link", "set", "ul0", "up")
    v1 = net.vm(h1, "v1", "10.211.0.1", "vmport", mtu=1400)
    v2 = net.vm(h2, "v2", "10.211.0.2", "vmport", mtu=1400)
    for h, other in ((h1, h2), (h2, h1)):
        h.vsctl("add-port", "br0", "vmport", "--", "set", "interface",
                "vmport", "ofport_request=1")
        h.vsctl("add-port", "br0", "tun0", "--", "set", "interface", "tun0",
                "type=" + tnl, "options:remote_ip=" + ul[other],
                "options:key=5", "ofport_request=2")
        wait_for(lambda: h.get("interface", "tun0", "ofport") not in
                 ("[]", "-1"), "tunnel ofport")
        assert h.get("interface", "tun0", "error") == "[]"
    return h1, h2, v1, v2


@pytest.mark.parametrize("tnl", ["geneve", "vxlan"])
def test_tunnel(net, tnl):
    h1, h2, v1, v2 = tunnel_pair(net, tnl)
    assert ping_eventually(v1, "10.211.0.2", timeout=15)
    ping(v2, "10.211.0.1")
    assert exchange(v2, v1, "10.211.0.2", "tcp") == "GOT 2000003"
    flows = h1.appctl("dpctl/dump-flows")
    assert "set(tunnel(tun_id=0x5,dst=10.99.0.2" in flows, flows


def test_geneve_options_through_tlv_map(net):
    h1, h2, v1, v2 = tunnel_pair(net, "geneve")
    for h in (h1, h2):
        h.ofctl("add-tlv-map", "{class=0x102,type=0x80,len=4}->tun_metadata0")
        h.ofctl("del-flows")
        h.ofctl("add-flow", "in_port=1,actions=set_field:0xa0000001->"
                "tun_metadata0,output:2")
    for h in (h1, h2):
        h.ofctl("add-flow", "in_port=2,tun_metadata0=0xa0000001,"
                "actions=output:1")
    assert ping_eventually(v1, "10.211.0.2", timeout=15)
    # Only packets carrying the option pass.
    h2.ofctl("del-flows", "in_port=2")
    h2.ofctl("add-flow", "in_port=2,tun_metadata0=0xa0000002,"
             "actions=output:1")
    assert not ping(v1, "10.211.0.2", count=2, check=False)


CT_FLOWS = """\
table=0,priority=100,ip,actions=ct(table=1)
table=0,priority=10,arp,actions=NORMAL
table=1,priority=100,ct_state=+trk+new,ip,in_port=1,actions=ct(commit),output:2
table=1,priority=100,ct_state=+trk+est,ip,in_port=1,actions=output:2
table=1,priority=100,ct_state=+trk+est,ip,in_port=2,actions=output:1
table=1,priority=90,ct_state=+trk+new,ip,in_port=2,actions=drop
"""


def test_conntrack_allow_related(two):
    h, a, b = two
    h.ofctl("del-flows")
    h.ofctl("add-flows", "-", input=CT_FLOWS)
    assert ping_eventually(a, B_IP)
    assert exchange(b, a, B_IP, "tcp") == "GOT 2000003"
    # B -> A: new connections from B are dropped.
    assert exchange(a, b, A_IP, "tcp", port=5003, timeout=15) is None
    assert not ping(b, A_IP, count=2, check=False)
    dump = h.appctl("dpctl/dump-conntrack")
    assert "tcp" in dump and "src=%s" % A_IP in dump, dump
    assert "dst=%s" % B_IP in dump
    assert re.search(r"\d", h.appctl("dpctl/ct-stats-show"))
    h.appctl("dpctl/ct-set-maxconns", "1000")
    assert h.appctl("dpctl/ct-get-maxconns").strip() == "1000"
    h.appctl("dpctl/flush-conntrack")
    assert "tcp" not in h.appctl("dpctl/dump-conntrack")
    # After the flush, a reply from B is +new and dropped; A's next
    # connection is new again and works.
    assert exchange(b, a, B_IP, "tcp", port=5004) == "GOT 2000003"


_SCAPY = r"""
import sys
from scapy.all import Ether, IP, TCP, UDP, Raw, sendp, conf
conf.verb = 0
src = sys.argv[1]
frames = [
    bytes(Ether(src=src, dst="ff:ff:ff:ff:ff:ff", type=0x0800))
    + b"\x45\x00",                                   # truncated IPv4
    bytes(Ether(src=src, dst="ff:ff:ff:ff:ff:ff") / IP(ihl=15, dst="10.1.0.2")
          )[:40],                                    # header past the end
    bytes(Ether(src=src, dst="ff:ff:ff:ff:ff:ff") / IP(dst="10.1.0.2")
          / TCP())[:40],                             # truncated TCP
    bytes(Ether(src=src, dst="ff:ff:ff:ff:ff:ff", type=0x8100)) + b"\x00",
    bytes(Ether(src=src, dst="ff:ff:ff:ff:ff:ff", type=0x86dd)) + b"\x60",
]
for f in frames:
    sendp(Raw(f), iface="eth0", count=20)
"""


def lost(h):
    m = re.search(r"lost:(\d+)", h.appctl("dpctl/show"))
    return int(m.group(1))


def test_malformed_frames_dropped(two):
    h, a, b = two
    ping(a, B_IP)
    before = lost(h)
    pinger = subprocess.Popen(["ip", "netns", "exec", a, "ping", "-c", "20",
                               "-i", "0.1", "-W", "1", B_IP],
                              stdout=subprocess.PIPE, text=True)
    amac = ns_exec(a, "cat", "/sys/class/net/eth0/address")[1].strip()
    ns_exec(a, PY, "-c", _SCAPY, amac, timeout=60)
    out, _ = pinger.communicate(timeout=30)
    assert pinger.returncode == 0 and " 0% packet loss" in out, out
    wait_for(lambda: lost(h) >= before + 60, "malformed frames counted")
    ping(a, B_IP)
    assert h.proc.poll() is None


def test_kill9_and_restart(two):
    h, a, b = two
    ping(a, B_IP)
    h.kill9()
    assert not ping(a, B_IP, count=2, check=False)
    h.start_switchd()
    assert ping_eventually(a, B_IP, timeout=15)
    wait_for(lambda: os.path.exists(h.mgmt), "br0.mgmt")
    assert "1(p1)" in h.ofctl("show")


def test_busy_poll_and_threads_options(two):
    """--busy-poll-us and --n-threads: bad values are refused with a
    message; good ones give a switch that forwards as before."""
    h, a, b = two
    for bad in ("--busy-poll-us=-1", "--busy-poll-us=abc",
                "--busy-poll-us=1000001", "--n-threads=0"):
        r = subprocess.run([SWITCHD, bad, "--version"], capture_output=True,
                           text=True, timeout=10)
        assert r.returncode != 0, bad
        assert bad.split("=")[0] in r.stderr, r.stderr
    h.stop_switchd()
    h.start_switchd("--busy-poll-us=200", "--n-threads=2")
    assert ping_eventually(a, B_IP, timeout=15)
    assert exchange(b, a, B_IP, "tcp") == "GOT 2000003"
    assert exchange(a, b, A_IP, "udp", port=5002) == "GOT 5"


def test_patch_ports_and_bridge_removal(net):
    h = net.host("h")
    a = net.vm(h, "a", A_IP, "p1")
    b = net.vm(h, "b", B_IP, "p2")
    h.vsctl("add-br", "br1", "--", "set", "bridge", "br1",
            "datapath_type=netdev")
    h.vsctl("add-port", "br0", "p1")
    h.vsctl("add-port", "br1", "p2")
    h.vsctl("add-port", "br0", "patch01", "--", "set", "interface",
            "patch01", "type=patch", "options:peer=patch10")
    assert not ping(a, B_IP, count=2, check=False)
    h.vsctl("add-port", "br1", "patch10", "--", "set", "interface",
            "patch10", "type=patch", "options:peer=patch01")
    assert ping_eventually(a, B_IP)
    ping(b, A_IP)
    trace = h.appctl("ofproto/trace", "br0", "in_port=1,dl_dst=ff:ff:ff:ff:"
                     "ff:ff")
    assert 'bridge("br1")' in trace, trace
    # Removing br1 (with live megaflows) stops the traffic; br0 stays.
    h.vsctl("del-br", "br1")
    wait_for(lambda: not os.path.exists(os.path.join(h.dir, "br1.mgmt")),
             "br1.mgmt removed")
    assert not ping(a, B_IP, count=2, check=False)
    assert "1(p1)" in h.ofctl("show")
    assert h.proc.poll() is None
    # p2 goes onto br0 directly; ovs-vsctl waits until it is applied.
    h.vsctl_wait("add-port", "br0", "p2")
    assert h.get("interface", "p2", "ofport") not in ("[]", "-1")
    cur = int(h.get("open_vswitch", ".", "cur_cfg"))
    assert cur == int(h.get("open_vswitch", ".", "next_cfg")) and cur > 0
    assert ping_eventually(a, B_IP)


# A minimal controller on the bridge's management socket: OpenFlow 1.0
# hello, NXT_SET_PACKET_IN_FORMAT(nxt_packet_in2), then every
# NXT_PACKET_IN2 is sent back unchanged as NXT_RESUME (same properties:
# packet, metadata, continuation).  Prints how many it resumed.
_CONTROLLER = r"""
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(0.5)
def send(t, body, xid=1):
    s.sendall(struct.pack("!BBHI", 1, t, 8 + len(body), xid) + body)
send(0, b"")
send(4, struct.pack("!II", 0x2320, 16) + struct.pack("!I", 2))
buf, n, deadline = b"", 0, time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        d = s.recv(65536)
    except socket.timeout:
        continue
    if not d:
        break
    buf += d
    while len(buf) >= 8:
        ver, t, length, xid = struct.unpack("!BBHI", buf[:8])
        if len(buf) < length:
            break
        msg, buf = buf[:length], buf[length:]
        if t == 2:
            send(3, msg[8:], xid)
        elif t == 4 and struct.unpack("!II", msg[8:16]) == (0x2320, 30):
            send(4, struct.pack("!II", 0x2320, 28) + msg[16:], xid)
            n += 1
        elif t == 1:
            print("error", msg.hex(), flush=True)
print("resumed", n, flush=True)
"""


def test_packet_in_pause_resume(two):
    h, a, b = two
    h.ofctl("del-flows")
    h.ofctl("add-flow", "in_port=1,actions=controller(pause),output:2")
    h.ofctl("add-flow", "in_port=2,actions=output:1")
    assert not ping(a, B_IP, count=2, check=False)
    ctl = subprocess.Popen([PY, "-c", _CONTROLLER, h.mgmt, "8"],
                           stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        ok = ping_eventually(a, B_IP, timeout=6)
        out, _ = ctl.communicate(timeout=15)
    finally:
        ctl.kill()
        ctl.wait()
    assert ok, out
    assert "error" not in out, out
    assert int(out.split()[-1]) >= 1, out
    # Without the controller the paused packets go nowhere again.
    assert not ping(a, B_IP, count=2, check=False)
