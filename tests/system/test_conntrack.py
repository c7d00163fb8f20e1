"""System tests of kiln-switchd's connection tracking and NAT (issue 5:
datapath/conntrack*.c, ipf.c, the ct/nat OpenFlow actions, dpctl/*).

The switch, its database and the namespaces come from test_switchd.py's
helpers (everything removed at teardown whatever happens); flows are
installed with kiln-ofctl and the datapath is inspected with kiln-appctl.
Every VM has a fixed MAC (02:00:00:00:00:NN, NN = its ofport), so flows
can forward by address where the test needs routing:

    ns a (10.1.0.1, p1) --+                  +-- p2 (10.1.0.2) ns b
    ns c (10.1.0.3, p3) --+-- [br0, host] ---+-- p5 (192.168.50.2) ns e
    ns b1..b3 (10.1.0.11..13, p11..p13, load-balancer backends)

The stateful-ACL flows are those of OVN's allow-related ACLs: table 0
sends every untracked IP packet through ct(table=1, zone=5); table 1
drops +inv, commits +new from the "inside" port (a, p1) and forwards,
forwards +est and +rel, and drops everything else.
"""

import hashlib
import json
import os
import re
import subprocess
import tempfile
import time

import pytest

import kilntest
import test_switchd as sw
from test_switchd import sh, wait_for, ping, ping_eventually

KOFCTL = os.path.join(kilntest.BUILD, "tools", "kiln-ofctl")
KAPPCTL = os.path.join(kilntest.BUILD, "tools", "kiln-appctl")
PY = sw.PY

A_IP, B_IP, C_IP = "10.1.0.1", "10.1.0.2", "10.1.0.3"
E_IP = "192.168.50.2"           # the "external" host
SNAT_IP = "192.168.50.100"      # a's connections leave with this address
VIP = "10.1.0.100"              # the load balancer's address
BACKENDS = ["10.1.0.11", "10.1.0.12", "10.1.0.13"]
ROUTER_MAC = "02:00:00:00:00:fe"
ZONE = 5


def ns_exec(ns, *args, **kw):
    return sw.ns_exec(ns, *[str(a) for a in args], **kw)


def mac(port):
    return "02:00:00:00:00:%02x" % port


class CtHost(sw.Host):
    """test_switchd's Host driven with Kiln's own kiln-ofctl and
    kiln-appctl."""

    def ofctl(self, cmd, *args, check=True, input=None):
        return sh(KOFCTL, "-O", "OpenFlow13", cmd, self.mgmt, *args,
                  check=check, input=input)[1]

    def appctl(self, *args, check=True):
        return sh(KAPPCTL, "-t", self.ctl, *args, check=check)[1]

    def set_flows(self, text, groups=None):
        """Replaces every flow (and group) by 'text' (kiln-ofctl add-flows
        syntax, one flow a line); 'groups' are add-groups lines."""
        self.ofctl("del-flows")
        self.ofctl("del-groups", check=False)
        if groups:
            path = os.path.join(self.dir, "groups.txt")
            with open(path, "w") as f:
                f.write(groups)
            self.ofctl("add-groups", path)
        path = os.path.join(self.dir, "flows.txt")
        with open(path, "w") as f:
            f.write(text)
        self.ofctl("add-flows", path)
        self.appctl("dpctl/flush-conntrack")

    def ct_entries(self, zone=None):
        args = ["dpctl/dump-conntrack"]
        if zone is not None:
            args.append("zone=%d" % zone)
        return [ln for ln in self.appctl(*args).splitlines() if ln.strip()]

    def n_packets(self, pattern):
        """n_packets of the one flow whose dump line contains 'pattern'."""
        time.sleep(1.2)         # megaflow statistics are pushed every 1 s
        lines = [ln for ln in self.ofctl("dump-flows").splitlines()
                 if pattern in ln]
        assert len(lines) == 1, lines
        return int(re.search(r"n_packets=(\d+)", lines[0]).group(1))


class CtNet(sw.Net):
    def host(self, name):
        ns = self.ns(name)
        d = tempfile.mkdtemp(prefix="kct-", dir="/tmp")
        self.dirs.append(d)
        h = CtHost(ns, d)
        self.hosts.append(h)
        h.start_db()
        h.start_switchd()
        h.add_bridge()
        return h

    def vm_port(self, h, name, ip, ofport, prefix=24):
        """A VM namespace on port p<ofport> with MAC mac(ofport)."""
        port = "p%d" % ofport
        ns = self.vm(h, name, ip, port, mac=mac(ofport))
        if prefix != 24:
            sh("ip", "-n", ns, "addr", "flush", "dev", "eth0")
            sh("ip", "-n", ns, "addr", "add", "%s/%d" % (ip, prefix), "dev",
               "eth0")
        h.vsctl("add-port", "br0", port, "--", "set", "interface", port,
                "ofport_request=%d" % ofport)
        wait_for(lambda: h.get("interface", port, "ofport") == str(ofport),
                 "ofport of " + port)
        return ns


@pytest.fixture
def ctnet():
    n = CtNet()
    try:
        yield n
    finally:
        n.cleanup()


@pytest.fixture
def topo(ctnet):
    """The switch with a (p1), b (p2) and c (p3)."""
    h = ctnet.host("h")
    a = ctnet.vm_port(h, "a", A_IP, 1)
    b = ctnet.vm_port(h, "b", B_IP, 2)
    c = ctnet.vm_port(h, "c", C_IP, 3)
    return h, a, b, c


def acl_flows(zone=ZONE, alg=""):
    """OVN-style allow-related ACL: a (p1) and c (p3) may open connections,
    b (p2) may only answer them."""
    extra = ""
    if alg:
        # An ALG applies to TCP connections: the match must say tcp.
        for port in (1, 3):
            extra += ("table=1,priority=110,ct_state=+new-rel+trk,tcp,"
                      "in_port=%d,actions=ct(commit,zone=%d,alg=%s),NORMAL\n"
                      % (port, zone, alg))
    return extra + """\
table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1,zone={z})
table=0,priority=50,arp,actions=NORMAL
table=0,priority=0,actions=drop
table=1,priority=200,ct_state=+inv+trk,ip,actions=drop
table=1,priority=150,ct_state=+new+rel+trk,ip,actions=ct(commit,zone={z}),NORMAL
table=1,priority=100,ct_state=+new-rel+trk,ip,in_port=1,actions=ct(commit,zone={z}),NORMAL
table=1,priority=100,ct_state=+new-rel+trk,ip,in_port=3,actions=ct(commit,zone={z}),NORMAL
table=1,priority=90,ct_state=+est+trk,ip,actions=NORMAL
table=1,priority=80,ct_state=-new+rel+trk,ip,actions=NORMAL
table=1,priority=0,actions=drop
""".format(z=zone)


def spawn(ns, script, *args):
    return subprocess.Popen(["ip", "netns", "exec", ns, PY, "-c", script]
                            + [str(a) for a in args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def stop(p):
    if p.poll() is None:
        p.kill()
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        out, err = "", ""
    return out, err


def wait_ready(p):
    line = p.stdout.readline().strip()
    if line != "ready":
        _, err = stop(p)
        raise AssertionError("server did not start: %r %s" % (line, err))


# ------------------------------------------------------------- basic ACL

def test_ping_tcp_udp_through_stateful_acl(topo):
    h, a, b, c = topo
    h.set_flows(acl_flows())
    assert ping_eventually(a, B_IP)
    # The reverse direction has no connection: +new from p2 is dropped.
    assert not ping(b, A_IP, count=2, check=False)
    assert sw.exchange(b, a, B_IP, "tcp") == "GOT 2000003"
    assert sw.exchange(b, a, B_IP, "udp", port=5002) == "GOT 5"
    # b cannot open a TCP connection or UDP "connection" towards a.
    assert sw.exchange(a, b, A_IP, "tcp", port=5003, timeout=15) is None
    assert sw.exchange(a, b, A_IP, "udp", port=5004) == "GOT 0"

    # The entries are in zone 5 and only there.
    ents = h.ct_entries(zone=ZONE)
    text = "\n".join(ents)
    assert re.search(r"icmp.*src=%s,dst=%s" % (A_IP, B_IP), text), text
    assert re.search(r"tcp.*src=%s,dst=%s.*dport=5001" % (A_IP, B_IP),
                     text), text
    assert re.search(r"udp.*src=%s,dst=%s.*dport=5002" % (A_IP, B_IP),
                     text), text
    assert "zone=%d" % ZONE in text
    # (Not a client's ephemeral port that starts with those digits.)
    assert not any(re.search(r"dport=500[34]\b", e) for e in ents), text
    assert h.ct_entries(zone=ZONE + 1) == []
    stats = h.appctl("dpctl/ct-stats-show")
    assert re.search(r"TCP:?\s*\d", stats, re.I), stats

    # Flushing another zone leaves zone 5 alone; flushing zone 5 empties it
    # and a reply-direction packet is then +new (dropped) until a opens a
    # new connection.
    h.appctl("dpctl/flush-conntrack", "zone=%d" % (ZONE + 1))
    assert len(h.ct_entries(zone=ZONE)) == len(ents)
    h.appctl("dpctl/flush-conntrack", "zone=%d" % ZONE)
    assert h.ct_entries(zone=ZONE) == []
    assert h.ct_entries() == []
    ping(a, B_IP)
    assert any("icmp" in e for e in h.ct_entries(zone=ZONE))


_IPERF_MIN_BPS = 50e6


def test_iperf3_through_stateful_acl(topo):
    h, a, b, c = topo
    h.set_flows(acl_flows())
    assert ping_eventually(a, B_IP)
    srv = subprocess.Popen(["ip", "netns", "exec", b, "iperf3", "-s", "-1",
                            "-B", B_IP], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        st, out = ns_exec(a, "iperf3", "-c", B_IP, "-t", "2", "-J",
                          check=False, timeout=40)
    finally:
        stop(srv)
    d = json.loads(out[out.index("{"):])
    assert "error" not in d, d.get("error")
    bps = d["end"]["sum_received"]["bits_per_second"]
    assert bps > _IPERF_MIN_BPS, bps
    # Control and data connections were both tracked.
    tcp = [e for e in h.ct_entries(zone=ZONE) if "dport=5201" in e]
    assert len(tcp) >= 2, tcp


# ------------------------------------------------------------ ICMP errors

_UDP_REFUSED = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((sys.argv[1], 9))        # nothing listens on b's port 9
s.settimeout(3)
res = "TIMEOUT"
for i in range(3):
    s.send(b"x")
    try:
        s.recv(100)
        res = "DATA"
    except ConnectionRefusedError:
        res = "REFUSED"
        break
    except socket.timeout:
        pass
print(res)
"""


def test_icmp_error_is_related(topo):
    h, a, b, c = topo
    h.set_flows(acl_flows())
    assert ping_eventually(a, B_IP)
    rel = "priority=80,ct_state=-new+rel+trk"
    before = h.n_packets(rel)
    # UDP to a closed port: b's port unreachable is +rel to a's UDP
    # connection and reaches a (the socket sees ECONNREFUSED).
    st, out = ns_exec(a, PY, "-c", _UDP_REFUSED, B_IP, check=False,
                      timeout=20)
    assert out.strip() == "REFUSED", out
    assert h.n_packets(rel) > before
    # The same from b (no connection): its datagram is dropped, so no
    # ICMP error comes back either.
    st, out = ns_exec(b, PY, "-c", _UDP_REFUSED, A_IP, check=False,
                      timeout=20)
    assert out.strip() == "TIMEOUT", out
    # A ping from the "wrong" side is dropped; from the right side it works.
    assert not ping(b, A_IP, count=2, check=False)
    ping(a, B_IP)


# -------------------------------------------------------------------- FTP

_FTP_SERVER = r"""
import logging, os, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ActiveDTP
from pyftpdlib.servers import FTPServer
logging.basicConfig(level=logging.WARNING)
d = sys.argv[2]
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, "data.bin"), "wb") as f:
    f.write(bytes(range(256)) * 1000)
auth = DummyAuthorizer()
auth.add_anonymous(d)
FTPHandler.authorizer = auth
FTPHandler.passive_ports = list(range(30000, 30100))
FTPHandler.timeout = 30
ActiveDTP.timeout = 3
srv = FTPServer((sys.argv[1], 21), FTPHandler)
print("ready", flush=True)
srv.serve_forever(timeout=0.5)
"""

_FTP_CLIENT = r"""
import ftplib, hashlib, sys
ftp = ftplib.FTP(timeout=10)
ftp.connect(sys.argv[1], 21)
ftp.login()
ftp.set_pasv(sys.argv[2] == "passive")
buf = bytearray()
try:
    ftp.retrbinary("RETR data.bin", buf.extend)
    print("OK %d %s" % (len(buf), hashlib.md5(buf).hexdigest()))
except (ftplib.Error, OSError) as e:
    print("FAIL %s" % e)
try:
    ftp.quit()
except Exception:
    pass
"""

def ftp_get(h, a, b, mode):
    """Fetches data.bin from an FTP server in b (files in h's directory,
    removed at teardown) with a client in a; returns its output."""
    srv = spawn(b, _FTP_SERVER, B_IP, os.path.join(h.dir, "ftp"))
    try:
        wait_ready(srv)
        st, out = ns_exec(a, PY, "-c", _FTP_CLIENT, B_IP, mode, check=False,
                          timeout=40)
        return out.strip()
    finally:
        stop(srv)


def ftp_expected():
    data = bytes(range(256)) * 1000
    return "OK %d %s" % (len(data), hashlib.md5(data).hexdigest())


def test_ftp_alg_active_and_passive(topo):
    h, a, b, c = topo
    h.set_flows(acl_flows(alg="ftp"))
    assert ping_eventually(a, B_IP)
    relnew = "priority=150,ct_state=+new+rel+trk"
    # Active: b's server opens the data connection towards a: it is +rel
    # to the control connection, so the ACL lets it through.
    n0 = h.n_packets(relnew)
    assert ftp_get(h, a, b, "active") == ftp_expected()
    n1 = h.n_packets(relnew)
    assert n1 > n0
    # Passive: a opens the data connection to the port b announced; it is
    # +rel too.
    assert ftp_get(h, a, b, "passive") == ftp_expected()
    assert h.n_packets(relnew) > n1
    dump = "\n".join(h.ct_entries(zone=ZONE))
    assert "dport=21" in dump, dump

    # Without the ALG, active FTP's data connection is a +new connection
    # from b and is dropped; passive still works (a opens it).
    h.set_flows(acl_flows())
    out = ftp_get(h, a, b, "active")
    assert out.startswith("FAIL"), out
    assert ftp_get(h, a, b, "passive") == ftp_expected()


# -------------------------------------------------------------------- SNAT

_PEER_SERVER = r"""
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
print("ready", flush=True)
s.settimeout(20)
n = int(sys.argv[3])
for _ in range(n):
    c, peer = s.accept()
    c.settimeout(10)
    d = c.recv(100)
    c.sendall(b"PEER %s %s" % (peer[0].encode(), d))
    c.close()
    print(peer[0], peer[1], flush=True)
"""

_PEER_CLIENT = r"""
import socket, sys
for i in range(int(sys.argv[3])):
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
    s.sendall(b"hello%d" % i)
    s.settimeout(5)
    print(s.recv(100).decode(), flush=True)
    s.close()
"""


def test_snat_to_external(ctnet):
    h = ctnet.host("h")
    a = ctnet.vm_port(h, "a", A_IP, 1)
    e = ctnet.vm_port(h, "e", E_IP, 5)
    # a routes 192.168.50.0/24 through a "router" at 10.1.0.254; e reaches
    # the SNAT address directly; both neighbours are static.
    sh("ip", "-n", a, "neigh", "add", "10.1.0.254", "lladdr", ROUTER_MAC,
       "dev", "eth0", "nud", "permanent")
    sh("ip", "-n", a, "route", "add", "192.168.50.0/24", "via",
       "10.1.0.254")
    sh("ip", "-n", e, "neigh", "add", SNAT_IP, "lladdr", ROUTER_MAC, "dev",
       "eth0", "nud", "permanent")
    z = 7
    h.set_flows("""\
table=0,priority=100,ip,in_port=1,nw_dst=192.168.50.0/24,actions=ct(commit,zone={z},nat(src={snat})),mod_dl_src:{rmac},mod_dl_dst:{emac},output:5
table=0,priority=100,ip,in_port=5,nw_dst={snat},actions=ct(zone={z},nat,table=1)
table=0,priority=0,actions=drop
table=1,priority=100,ct_state=+est+trk,ip,nw_dst={a},actions=mod_dl_src:{rmac},mod_dl_dst:{amac},output:1
table=1,priority=100,ct_state=+rel+trk,ip,nw_dst={a},actions=mod_dl_src:{rmac},mod_dl_dst:{amac},output:1
table=1,priority=0,actions=drop
""".format(z=z, snat=SNAT_IP, rmac=ROUTER_MAC, emac=mac(5), amac=mac(1),
           a=A_IP))
    assert ping_eventually(a, E_IP)
    srv = spawn(e, _PEER_SERVER, E_IP, 8000, 3)
    try:
        wait_ready(srv)
        st, out = ns_exec(a, PY, "-c", _PEER_CLIENT, E_IP, 8000, 3,
                          check=False, timeout=30)
        # The external side sees the SNAT address; the replies found a.
        assert out.strip().split("\n") == ["PEER %s hello%d" % (SNAT_IP, i)
                                   for i in range(3)], out
        sout, _ = srv.communicate(timeout=10)
    finally:
        stop(srv)
    peers = [ln.split() for ln in sout.split("\n") if ln.strip()]
    assert [p[0] for p in peers] == [SNAT_IP] * 3, sout
    dump = "\n".join(h.ct_entries(zone=z))
    assert re.search(r"tcp.*src=%s,dst=%s.*src=%s,dst=%s" % (
        A_IP, E_IP, E_IP, SNAT_IP), dump), dump
    # Without the ct entry (flushed), e's packets to the SNAT address are
    # not replies to anything and are dropped.
    h.appctl("dpctl/flush-conntrack", "zone=%d" % z)
    st, out = ns_exec(e, "ping", "-c", "2", "-i", "0.2", "-W", "1", SNAT_IP,
                      check=False)
    assert " 100% packet loss" in out, out
    ping(a, E_IP)


# ------------------------------------------------------ DNAT, load balancer

_LB_BACKEND = r"""
import socketserver, sys
name = sys.argv[2].encode()
class H(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(10)
        while True:
            d = self.request.recv(100)
            if not d:
                break
            self.request.sendall(name + b" " + d)
socketserver.ThreadingTCPServer.allow_reuse_address = True
s = socketserver.ThreadingTCPServer((sys.argv[1], 8080), H)
print("ready", flush=True)
s.serve_forever()
"""

_LB_CLIENT = r"""
import socket, sys
for i in range(int(sys.argv[2])):
    s = socket.create_connection((sys.argv[1], 80), timeout=5)
    s.settimeout(5)
    names = []
    for j in range(3):
        s.sendall(b"r%d" % j)
        names.append(s.recv(100).decode().split()[0])
    print(" ".join(names), s.getpeername()[0], flush=True)
    s.close()
"""


def test_dnat_load_balancing(ctnet):
    h = ctnet.host("h")
    a = ctnet.vm_port(h, "a", A_IP, 1)
    backends = [ctnet.vm_port(h, "b%d" % (i + 1), ip, 11 + i)
                for i, ip in enumerate(BACKENDS)]
    sh("ip", "-n", a, "neigh", "add", VIP, "lladdr", ROUTER_MAC, "dev",
       "eth0", "nud", "permanent")
    z = 9
    groups = "group_id=1,type=select," + ",".join(
        "bucket=weight=1,actions=ct(commit,zone=%d,nat(dst=%s:8080)),"
        "mod_dl_dst:%s,output:%d" % (z, ip, mac(11 + i), 11 + i)
        for i, ip in enumerate(BACKENDS)) + "\n"
    flows = """\
table=0,priority=100,ip,ct_state=-trk,actions=ct(zone={z},nat,table=1)
table=0,priority=50,arp,actions=NORMAL
table=0,priority=0,actions=drop
table=1,priority=200,ct_state=+inv+trk,ip,actions=drop
table=1,priority=100,ct_state=+new+trk,tcp,in_port=1,nw_dst={vip},tp_dst=80,actions=group:1
table=1,priority=90,ct_state=+est+trk,ip,nw_dst={a},actions=mod_dl_src:{rmac},mod_dl_dst:{amac},output:1
""".format(z=z, vip=VIP, a=A_IP, rmac=ROUTER_MAC, amac=mac(1))
    for i, ip in enumerate(BACKENDS):
        flows += ("table=1,priority=90,ct_state=+est+trk,ip,nw_dst=%s,"
                  "actions=mod_dl_dst:%s,output:%d\n" % (ip, mac(11 + i),
                                                         11 + i))
    flows += "table=1,priority=0,actions=drop\n"
    h.set_flows(flows, groups)
    srvs = []
    try:
        for i, (ns, ip) in enumerate(zip(backends, BACKENDS)):
            p = spawn(ns, _LB_BACKEND, ip, "b%d" % (i + 1))
            srvs.append(p)
            wait_ready(p)
        n = 30
        st, out = ns_exec(a, PY, "-c", _LB_CLIENT, VIP, n, check=False,
                          timeout=60)
    finally:
        for p in srvs:
            stop(p)
    lines = [ln.split() for ln in out.strip().split("\n")]
    assert len(lines) == n and all(len(ln) == 4 for ln in lines), out
    # Each connection stuck to one backend; the client only ever saw the
    # VIP; all three backends got connections.
    for ln in lines:
        assert ln[0] == ln[1] == ln[2], out
        assert ln[3] == VIP, out
    counts = {b: sum(1 for ln in lines if ln[0] == b)
              for b in ("b1", "b2", "b3")}
    assert all(v > 0 for v in counts.values()), counts
    dump = "\n".join(h.ct_entries(zone=z))
    for ip in BACKENDS:
        assert re.search(r"tcp.*dst=%s.*dport=80.*src=%s.*sport=8080" % (
            VIP, ip), dump), dump
    # A direct connection to a backend is not a load-balanced connection:
    # it is +new without a matching flow, so it is dropped.
    st, out = ns_exec(a, PY, "-c",
                      "import socket; socket.create_connection(('%s', 8080),"
                      " timeout=2)" % BACKENDS[0], check=False)
    assert st != 0


# -------------------------------------------------------------- SYN flood

_STREAM_SERVER = r"""
import json, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5201)); s.listen(1)
print("ready", flush=True)
s.settimeout(20)
c, _ = s.accept()
c.settimeout(10)
t0 = time.monotonic()
buckets = {}
while True:
    try:
        d = c.recv(65536)
    except socket.timeout:
        break
    if not d:
        break
    k = int((time.monotonic() - t0) / 0.5)
    buckets[k] = buckets.get(k, 0) + len(d)
print(json.dumps([buckets.get(i, 0) for i in range(max(buckets) + 1)]),
      flush=True)
"""

_STREAM_CLIENT = r"""
import socket, sys, time
s = socket.create_connection((sys.argv[1], 5201), timeout=5)
print("connected", flush=True)
end = time.monotonic() + float(sys.argv[2])
chunk = b"y" * 4096
while time.monotonic() < end:
    s.sendall(chunk)
    time.sleep(0.002)
s.close()
print("done", flush=True)
"""

# SYNs from spoofed sources (10.1.7.x, which b cannot route back to, so
# every entry stays unreplied) with varying ports, through an AF_PACKET
# socket, at most argv[6] a second, for at most argv[2] seconds and argv[3]
# frames.
_SYN_FLOOD = r"""
import socket, struct, sys, time
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
dst, secs, maxn = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rate = float(sys.argv[6])
smac = bytes.fromhex(sys.argv[4].replace(":", ""))
dmac = bytes.fromhex(sys.argv[5].replace(":", ""))
frames = []
for i in range(4096):
    src = socket.inet_aton("10.1.7.%d" % (1 + i % 250))
    d = socket.inet_aton(dst)
    sport = 1024 + i
    tcp = struct.pack("!HHIIBBHHH", sport, 7, i * 7919, 0, 5 << 4, 0x02,
                      64240, 0, 0)
    ph = src + d + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i, 0, 64, 6,
                     0, src, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frames.append(dmac + smac + b"\x08\x00" + ip + tcp)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
n = 0
t0 = time.monotonic()
end = t0 + secs
while n < maxn and time.monotonic() < end:
    for f in frames[n % 4096:n % 4096 + 64]:
        try:
            s.send(f)
            n += 1
        except OSError:
            time.sleep(0.001)
    ahead = n / rate - (time.monotonic() - t0)
    if ahead > 0:
        time.sleep(ahead)
print(n)
"""


def test_syn_flood_keeps_established_flow(topo):
    h, a, b, c = topo
    h.set_flows(acl_flows())
    assert ping_eventually(c, B_IP)
    assert ping_eventually(a, B_IP)
    maxconns = 200
    h.appctl("dpctl/ct-set-maxconns", str(maxconns))
    assert h.appctl("dpctl/ct-get-maxconns").strip() == str(maxconns)

    srv = spawn(b, _STREAM_SERVER, B_IP)
    cli = None
    try:
        wait_ready(srv)
        flood_secs, stream_secs = 3.0, 7.0
        cli = spawn(c, _STREAM_CLIENT, B_IP, stream_secs)
        assert cli.stdout.readline().strip() == "connected"
        time.sleep(1.0)
        t0 = time.monotonic()
        st, out = ns_exec(a, PY, "-c", _SYN_FLOOD, B_IP, flood_secs, 200000,
                          mac(1), mac(2), 50000, check=False, timeout=30)
        flood_time = time.monotonic() - t0
        assert st == 0, out
        sent = int(out.strip())
        # The table is full of the flood's unreplied entries, within the
        # limit; the established stream is still there.
        ents = h.ct_entries()
        stats = h.appctl("dpctl/ct-stats-show")
        print("flood: %d SYNs in %.1f s; %d entries\n%s" % (
            sent, flood_time, len(ents), stats))
        assert sent > 5 * maxconns, sent
        assert len(ents) <= maxconns, (len(ents), stats)
        assert len([e for e in ents if "10.1.7." in e]) > maxconns // 2, \
            stats
        assert any("src=%s" % C_IP in e and "dport=5201" in e
                   for e in ents), "\n".join(ents)
        m = re.search(r"total:?\s*(\d+)|(\d+)\s+connections", stats, re.I)
        assert m, stats
        assert int(m.group(1) or m.group(2)) <= maxconns, stats
        assert cli.wait(timeout=30) == 0
        out, _ = srv.communicate(timeout=15)
    finally:
        if cli:
            stop(cli)
        stop(srv)
    buckets = json.loads(out.strip().split("\n")[-1])
    # Half-second buckets: the stream passed data in every one, the flood's
    # included (1 s of warm-up before it, ~flood_time during it).
    print("stream bytes per 0.5 s:", buckets)
    during = buckets[2:2 + int(flood_time / 0.5)]
    assert during and all(x > 0 for x in during), buckets
    assert sum(buckets) > 1000000, buckets
    # After the flood, new connections still work.
    assert sw.exchange(b, a, B_IP, "tcp", port=5005) == "GOT 2000003"
