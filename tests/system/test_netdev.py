"""System tests of the datapath's packet I/O (datapath/netdev*.c).

tests/system/netdev-pump opens two netdevs and forwards every packet
between them.  Each test builds, in network namespaces of its own (removed
at teardown whatever happens):

    ns1 (10.210.0.1) -- port A == netdev-pump == port B -- ns2 (10.210.0.2)

where the ports are veth ends ("system", AF_PACKET), tap devices the pump
creates ("internal") or existing tap devices ("tap"), and checks that ping
and a TCP transfer (iperf3) cross the pump, that the kernel handed over TCP
GSO super-frames whole (the pump's rx_gso_packets counter), and that a port
without transmit offloads gets software segments with good checksums (the
receiving kernel drops any segment whose checksum is wrong, so the
transfer would stall).
"""

import json
import os
import re
import select
import signal
import subprocess
import time

import pytest

import kilntest

PUMP = os.path.join(kilntest.BUILD, "tests", "system", "netdev-pump")
IP1, IP2 = "10.210.0.1", "10.210.0.2"


def sh(*args, check=True, timeout=30):
    """Runs a command; returns its stdout."""
    r = subprocess.run(list(args), capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), r.returncode,
                                               r.stderr.strip()))
    return r.stdout


class Topology:
    """Three namespaces: ns1 and ns2 (the hosts) and nsp (the pump's)."""

    def __init__(self):
        prefix = "knd%d" % os.getpid()
        self.ns1, self.ns2, self.nsp = (prefix + "h1", prefix + "h2",
                                        prefix + "p")
        self.procs = []
        for ns in (self.ns1, self.ns2, self.nsp):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")

    def veths(self):
        """ns1:veth0 <-> nsp:host-a and nsp:host-b <-> ns2:veth0."""
        for ns, peer in ((self.ns1, "host-a"), (self.ns2, "host-b")):
            sh("ip", "link", "add", "veth0", "netns", ns, "type", "veth",
               "peer", "name", peer, "netns", self.nsp)
            sh("ip", "-n", self.nsp, "link", "set", peer, "up")
        self.address(self.ns1, "veth0", IP1)
        self.address(self.ns2, "veth0", IP2)

    def move(self, dev, ns, ip):
        """Moves 'dev' from the pump's namespace to 'ns' with 'ip'."""
        sh("ip", "-n", self.nsp, "link", "set", dev, "netns", ns)
        self.address(ns, dev, ip)

    @staticmethod
    def address(ns, dev, ip):
        sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", dev)
        sh("ip", "-n", ns, "link", "set", dev, "up")

    def run(self, ns, *args, **kw):
        return sh("ip", "netns", "exec", ns, *args, **kw)

    def popen(self, ns, *args):
        p = subprocess.Popen(["ip", "netns", "exec", ns] + list(args),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        for ns in (self.ns1, self.ns2, self.nsp):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


class Pump:
    """A running netdev-pump in the pump namespace."""

    def __init__(self, topo, *ports, timeout=120):
        self.proc = topo.popen(topo.nsp, PUMP, "--timeout", str(timeout),
                               *ports)
        line = self._readline(10)
        if not line:
            raise RuntimeError("netdev-pump did not start: %s"
                               % self.proc.stderr.read())
        self.ports = json.loads(line)["ports"]

    def _readline(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return self.proc.stdout.readline() if ready else ""

    def stop(self):
        """Stops the pump; returns {port name: counters}."""
        self.proc.send_signal(signal.SIGTERM)
        line = self._readline(10)
        self.proc.wait(timeout=10)
        assert self.proc.returncode == 0, self.proc.stderr.read()
        return {s["name"]: s for s in json.loads(line)["stats"]}


@pytest.fixture
def topo():
    t = Topology()
    try:
        yield t
    finally:
        t.cleanup()


def ping(topo, n=3):
    """Pings ns2 from ns1; the first reply may wait for ARP."""
    out = topo.run(topo.ns1, "ping", "-c", str(n), "-i", "0.2", "-w", "10",
                   IP2, timeout=20)
    # With -w, ping sends until n replies came back: a slow first reply
    # can bring more than n.
    assert kilntest.ping_received(out) >= n, out


def iperf(topo, seconds=2, server_ns=None, client_ns=None, dst=IP2):
    """A TCP transfer from ns1 to ns2; returns (bits/s, bytes received)."""
    server_ns = server_ns or topo.ns2
    client_ns = client_ns or topo.ns1
    server = topo.popen(server_ns, "iperf3", "-s", "-1", "-p", "5299")
    for _ in range(50):
        if "5299" in topo.run(server_ns, "ss", "-ltn"):
            break
        time.sleep(0.1)
    out = topo.run(client_ns, "iperf3", "-c", dst, "-p", "5299", "-t",
                   str(seconds), "-J", timeout=seconds + 30)
    server.wait(timeout=10)
    end = json.loads(out)["end"]["sum_received"]
    return end["bits_per_second"], end["bytes"]


def link_info(topo, ns, dev):
    return json.loads(topo.run(ns, "ip", "-j", "link", "show", dev))[0]


def test_system_ports_ping_tcp_gso(topo):
    topo.veths()
    pump = Pump(topo, "system:host-a", "system:host-b")

    # The properties the pump read through the netdev API are the kernel's.
    for port in pump.ports:
        info = link_info(topo, topo.nsp, port["name"])
        assert port["type"] == "system"
        assert port["ifindex"] == info["ifindex"]
        assert port["mtu"] == info["mtu"] == 1500
        assert port["mac"] == info["address"]
        assert port["up"] is True
        assert port["tx_offloads"] == 7     # CSUM | TSO | USO

    ping(topo)
    bps, nbytes = iperf(topo)
    stats = pump.stop()
    a, b = stats["host-a"], stats["host-b"]

    assert nbytes > 10 * 1024 * 1024
    # TCP from ns1 arrived as GSO super-frames and left whole.
    assert a["rx_gso_packets"] > 100
    assert a["rx_bytes"] / a["rx_packets"] > 3000
    assert b["tx_sw_segments"] == 0 and b["tx_sw_csum"] == 0
    # Everything received on one side was sent on the other.
    assert b["tx_packets"] + b["tx_dropped"] + b["tx_errors"] \
        == a["rx_packets"]
    assert a["tx_packets"] + a["tx_dropped"] + a["tx_errors"] \
        == b["rx_packets"]
    assert a["rx_errors"] == b["rx_errors"] == 0
    assert b["tx_errors"] == a["tx_errors"] == 0


def test_system_ports_lone_packet(topo):
    """A lone packet crosses an AF_PACKET port by itself: nothing else
    flows while each ping waits for its reply, so a port that handed
    frames over only in blocks (a full one, or a timer), or a switch
    that waited for a full batch, would lose them at the normal ping
    timeout."""
    topo.veths()
    pump = Pump(topo, "system:host-a", "system:host-b")
    ping(topo, 1)                   # ARP resolved both ways.
    for _ in range(5):
        time.sleep(0.3)             # Nothing in flight.
        out = topo.run(topo.ns1, "ping", "-n", "-c", "1", "-W", "2", IP2,
                       check=False, timeout=10)
        assert " 1 received" in out, out
    stats = pump.stop()
    a, b = stats["host-a"], stats["host-b"]
    # Each request crossed a to b and each reply b to a, and nothing was
    # dropped or refused on the way.
    assert a["rx_packets"] >= 6 and b["rx_packets"] >= 6
    for s in (a, b):
        assert s["rx_errors"] == s["tx_errors"] == s["tx_dropped"] == 0


def rps_map(topo, dev):
    path = "/sys/class/net/%s/queues/rx-0/rps_cpus" % dev
    return int(topo.run(topo.nsp, "cat", path).replace(",", ""), 16)


def map_during_tcp(topo, dev):
    """The RPS map of 'dev' in the pump's namespace 1.5 s into a 3 s TCP
    transfer from ns1 to ns2."""
    server = topo.popen(topo.ns2, "iperf3", "-s", "-1", "-p", "5299")
    for _ in range(50):
        if "5299" in topo.run(topo.ns2, "ss", "-ltn"):
            break
        time.sleep(0.1)
    client = topo.popen(topo.ns1, "iperf3", "-c", IP2, "-p", "5299", "-t",
                        "3")
    time.sleep(1.5)
    mask = rps_map(topo, dev)
    client.wait(timeout=30)
    server.wait(timeout=10)
    assert client.returncode == 0
    return mask


def test_system_ports_steer_receive_per_flow_while_busy(topo):
    """While a system port is busy its device's receive queue has an RPS
    map over the CPUs (so a sender moving between CPUs cannot reorder a
    flow), and only then: lone packets leave it empty.  A map someone set
    is left alone, rx-steering=false turns steering off, and closing the
    port clears what it set."""
    topo.veths()
    topo.run(topo.nsp, "sh", "-c",
             "echo 1 > /sys/class/net/host-b/queues/rx-0/rps_cpus")
    pump = Pump(topo, "system:host-a", "system:host-b")
    ping(topo, 3)
    assert rps_map(topo, "host-a") == 0     # Idle so far.
    busy = map_during_tcp(topo, "host-a")
    if os.cpu_count() >= 2:
        assert bin(busy).count("1") >= 2, hex(busy)
    else:
        assert busy == 0
    assert rps_map(topo, "host-b") == 1     # Someone's own: kept.
    pump.stop()
    assert rps_map(topo, "host-a") == 0
    assert rps_map(topo, "host-b") == 1

    pump = Pump(topo, "system:host-a,rx-steering=false", "system:host-b")
    ping(topo, 1)
    assert map_during_tcp(topo, "host-a") == 0
    pump.stop()


def test_system_ports_do_not_steer_small_frames(topo):
    """Busy with small frames only (as under connection churn, where the
    steering's interprocessor interrupts cost a third of the connection
    rate and there is no bulk flow to reorder), a port is not steered; a
    TCP transfer still is."""
    topo.veths()
    pump = Pump(topo, "system:host-a", "system:host-b")
    ping(topo, 1)
    # About 2,000 small frames a second each way for 1.5 s: well past
    # AFP_RPS_ON_FRAMES frames in a 100 ms window, none of them big.
    flood = topo.popen(topo.ns1, "ping", "-q", "-i", "0.0005", "-s", "56",
                       "-c", "3000", "-w", "10", IP2)
    time.sleep(1.0)
    assert rps_map(topo, "host-a") == 0
    flood.wait(timeout=30)
    assert flood.returncode == 0
    if os.cpu_count() >= 2:
        assert bin(map_during_tcp(topo, "host-a")).count("1") >= 2
    pump.stop()


def test_system_port_without_tx_offload_segments(topo):
    topo.veths()
    pump = Pump(topo, "system:host-a", "system:host-b,tx-offload=false")
    assert pump.ports[1]["tx_offloads"] == 0
    ping(topo)
    _, nbytes = iperf(topo)
    stats = pump.stop()
    a, b = stats["host-a"], stats["host-b"]

    assert nbytes > 10 * 1024 * 1024
    assert a["rx_gso_packets"] > 100
    # Each GSO frame became several MTU-sized segments with checksums
    # that ns2's kernel accepted (else the transfer would have stalled).
    assert b["tx_sw_segments"] > 2 * a["rx_gso_packets"]
    assert b["tx_bytes"] / b["tx_packets"] <= 1514
    assert b["tx_errors"] == 0


def test_internal_ports_ping_tcp_gso(topo):
    pump = Pump(topo, "internal:kint1",
                "internal:kint2,mac=02:00:00:00:10:02")
    assert [p["type"] for p in pump.ports] == ["internal", "internal"]
    assert pump.ports[1]["mac"] == "02:00:00:00:10:02"
    assert pump.ports[0]["tx_offloads"] == 3    # CSUM | TSO
    topo.move("kint1", topo.ns1, IP1)
    topo.move("kint2", topo.ns2, IP2)
    assert link_info(topo, topo.ns2, "kint2")["address"] \
        == "02:00:00:00:10:02"

    ping(topo)
    _, nbytes = iperf(topo)
    stats = pump.stop()
    a, b = stats["kint1"], stats["kint2"]

    assert nbytes > 10 * 1024 * 1024
    assert a["rx_gso_packets"] > 100
    assert b["tx_sw_segments"] == 0
    assert b["tx_packets"] + b["tx_dropped"] + b["tx_errors"] \
        == a["rx_packets"]
    assert a["rx_errors"] == b["rx_errors"] == 0
    # A tap refuses frames (EIO) while it is down, as it is for a moment
    # when moved to its namespace; nothing else may fail.
    assert b["tx_errors"] <= 3 and a["tx_errors"] <= 3


def test_internal_port_exists_already(topo):
    topo.veths()
    r = subprocess.run(["ip", "netns", "exec", topo.nsp, PUMP,
                        "internal:host-a", "system:host-b"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert "exists" in r.stderr


def test_tap_ports_and_software_gso(topo):
    """Existing tap devices; the second without offloads, so the GSO
    frames of the first are segmented in software on their way out."""
    for tap in ("ktap1", "ktap2"):
        sh("ip", "-n", topo.nsp, "tuntap", "add", "dev", tap, "mode", "tap")
    pump = Pump(topo, "tap:ktap1", "tap:ktap2,tx-offload=false")
    assert [p["type"] for p in pump.ports] == ["tap", "tap"]
    topo.move("ktap1", topo.ns1, IP1)
    topo.move("ktap2", topo.ns2, IP2)

    ping(topo)
    _, nbytes = iperf(topo)
    stats = pump.stop()
    a, b = stats["ktap1"], stats["ktap2"]

    assert nbytes > 10 * 1024 * 1024
    assert a["rx_gso_packets"] > 100
    assert b["tx_sw_segments"] > 2 * a["rx_gso_packets"]
    # ktap2 has no vnet header: ns2's replies come unsegmented, plain.
    assert b["rx_gso_packets"] == 0
    assert b["tx_errors"] <= 3      # While down, as above.


def test_open_errors(topo):
    for spec, err in (("system:knd-missing", "No such device"),
                      ("tap:knd-missing", "No such device"),
                      ("bogus:x", "not supported")):
        r = subprocess.run(["ip", "netns", "exec", topo.nsp, PUMP, spec,
                            spec], capture_output=True, text=True,
                           timeout=10)
        assert r.returncode == 1, spec
        assert err in r.stderr, r.stderr


# ---- AF_XDP ("afxdp" ports, datapath/netdev-afxdp.c). ----
#
# AF_XDP frames carry no offload state, so a peer that hands the veth
# partial checksums or GSO super-frames (a veth's defaults) would send
# through an AF_XDP port frames with unfinished checksums or frames too
# big for a UMEM frame; as with OVS's afxdp ports, the hosts' ends have
# transmit offloads off ("tx off", which takes TSO with it).

def tx_off(ns, dev):
    sh("ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off")


def xdp_attached(ns, dev):
    """"xdp", "xdpgeneric" (the mode as ip-link(8) shows it) or None."""
    info = json.loads(sh("ip", "-n", ns, "-d", "-j", "link", "show",
                         dev))[0]
    xdp = info.get("xdp")
    if not xdp:
        return None
    return {1: "xdp", 2: "xdpgeneric"}.get(xdp.get("mode"), str(xdp))


@pytest.mark.parametrize("mode", ["native", "generic"])
def test_afxdp_ports_pump(topo, mode):
    """The netdev layer alone: two afxdp ports, no transmit offloads,
    every frame received whole (no GSO), TCP at full size; the program is
    gone when the pump closes the ports."""
    topo.veths()
    tx_off(topo.ns1, "veth0")
    tx_off(topo.ns2, "veth0")
    pump = Pump(topo, "afxdp:host-a,xdp-mode=" + mode,
                "afxdp:host-b,xdp-mode=" + mode)
    assert [p["type"] for p in pump.ports] == ["afxdp", "afxdp"]
    assert [p["tx_offloads"] for p in pump.ports] == [0, 0]
    want = "xdp" if mode == "native" else "xdpgeneric"
    assert xdp_attached(topo.nsp, "host-a") == want
    ping(topo)
    _, nbytes = iperf(topo)
    stats = pump.stop()
    a, b = stats["host-a"], stats["host-b"]
    assert nbytes > 10 * 1024 * 1024
    assert a["rx_gso_packets"] == 0
    assert a["rx_bytes"] / a["rx_packets"] > 1000    # Full-size segments.
    assert b["tx_packets"] + b["tx_dropped"] + b["tx_errors"] \
        == a["rx_packets"]
    assert a["rx_errors"] == b["rx_errors"] == b["tx_errors"] == 0
    assert xdp_attached(topo.nsp, "host-a") is None
    assert xdp_attached(topo.nsp, "host-b") is None


def test_afxdp_zerocopy_on_veth_falls_back_in_pump(topo):
    """A veth has no zero-copy AF_XDP: the port opens as AF_PACKET."""
    topo.veths()
    pump = Pump(topo, "afxdp:host-a,xdp-mode=native-with-zerocopy",
                "afxdp:host-b,xdp-mode=bogus")
    assert [p["type"] for p in pump.ports] == ["system", "system"]
    assert xdp_attached(topo.nsp, "host-a") is None
    ping(topo)
    pump.stop()
    err = pump.proc.stderr.read()
    assert "falling back to AF_PACKET" in err, err
    assert "zero-copy" in err and "unknown xdp-mode" in err, err


# The same through kiln-switchd: two hosts on a bridge whose ports are
# type=afxdp.

import test_switchd as sw  # noqa: E402

_TCP_SERVER = r"""
import hashlib, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
print("ready", flush=True)
s.settimeout(20)
c, _ = s.accept()
c.settimeout(20)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    h.update(b); n += len(b)
print(n, h.hexdigest(), flush=True)
"""

_TCP_CLIENT = r"""
import hashlib, random, socket, sys
data = random.Random(int(sys.argv[3])).randbytes(int(sys.argv[4]))
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.sendall(data)
s.close()
print(len(data), hashlib.sha256(data).hexdigest())
"""


def tcp_transfer(server_ns, client_ns, ip, size=4 << 20, port=5301):
    """Sends 'size' random bytes over TCP; asserts the server got them
    all, unchanged (SHA-256 of both ends)."""
    srv = subprocess.Popen(["ip", "netns", "exec", server_ns, sw.PY, "-c",
                            _TCP_SERVER, ip, str(port)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    try:
        assert srv.stdout.readline().strip() == "ready"
        _, out = sw.ns_exec(client_ns, sw.PY, "-c", _TCP_CLIENT, ip,
                            str(port), str(port), str(size), timeout=60)
        got = srv.stdout.readline().strip()
        assert got == out.strip() and got.startswith("%d " % size), \
            (got, out)
    finally:
        srv.kill()
        srv.wait()


def iface_status(h, name):
    """The Interface's status column as a dict."""
    out = h.vsctl("--format=json", "--columns=status", "list", "interface",
                  name)
    pairs = json.loads(out)["data"][0][0][1]
    return dict(pairs)


def wait_status(h, name, key, value, timeout=10):
    sw.wait_for(lambda: iface_status(h, name).get(key) == value,
                "%s status %s=%s" % (name, key, value), timeout=timeout)


@pytest.fixture
def net():
    n = sw.Net()
    try:
        yield n
    finally:
        n.cleanup()


def afxdp_bridge(net, mode, offloads_off=True):
    """A switch with A (10.1.0.1) on p1 and B on p2, both type=afxdp."""
    h = net.host("h")
    a = net.vm(h, "a", sw.A_IP, "p1")
    b = net.vm(h, "b", sw.B_IP, "p2")
    if offloads_off:
        tx_off(a, "eth0")
        tx_off(b, "eth0")
    for p in ("p1", "p2"):
        h.vsctl("add-port", "br0", p, "--", "set", "interface", p,
                "type=afxdp", "options:xdp-mode=" + mode)
    sw.wait_for(lambda: h.get("interface", "p2", "ofport") not in
                ("[]", "-1"), "ofport")
    return h, a, b


@pytest.mark.parametrize("mode,attached", [("native", "xdp"),
                                           ("generic", "xdpgeneric"),
                                           ("best-effort", "xdp")])
def test_afxdp_bridge_ping_tcp_udp(net, mode, attached):
    h, a, b = afxdp_bridge(net, mode)
    in_use = "native" if mode == "best-effort" else mode
    for p in ("p1", "p2"):
        wait_status(h, p, "io_backend", "af_xdp")
        st = iface_status(h, p)
        assert st["xdp_mode"] == in_use and "io_fallback" not in st, st
        assert xdp_attached(h.ns, p) == attached
    assert "(afxdp)" in h.appctl("dpctl/show")
    sw.ping(a, sw.B_IP)
    tcp_transfer(b, a, sw.B_IP)
    tcp_transfer(a, b, sw.A_IP)
    assert sw.exchange(a, b, sw.A_IP, "udp", port=5002) == "GOT 5"
    # The frames crossed the afxdp ports: 4 MB each way in full-size
    # frames (about 2,900 of them).
    show = h.appctl("dpctl/show", "-s")
    for p in ("p1", "p2"):
        m = re.search(r"port \d+: %s \(afxdp\)\n +RX packets:(\d+)" % p,
                      show)
        assert m and int(m.group(1)) > 2800, show


def test_afxdp_fallback_to_afpacket(net):
    """xdp-mode=native-with-zerocopy cannot work on a veth: the port
    still forwards, through AF_PACKET (with the veth's offloads on), and
    says so in its status and the log."""
    h, a, b = afxdp_bridge(net, "native-with-zerocopy", offloads_off=False)
    for p in ("p1", "p2"):
        wait_status(h, p, "io_backend", "af_packet")
        st = iface_status(h, p)
        assert "zero-copy" in st["io_fallback"], st
        assert "xdp_mode" not in st
        assert xdp_attached(h.ns, p) is None
        assert h.get("interface", p, "error") == "[]"
    sw.ping(a, sw.B_IP)
    tcp_transfer(b, a, sw.B_IP)
    assert sw.exchange(a, b, sw.A_IP, "udp", port=5002) == "GOT 5"
    with open(h.log) as f:
        log = f.read()
    assert re.search(r"p1: AF_XDP not available \(.*zero-copy.*\): "
                     r"falling back to AF_PACKET", log), log

    # An option that makes no sense falls back the same way.
    h.vsctl("set", "interface", "p1", "options:xdp-mode=turbo")
    sw.wait_for(lambda: "unknown xdp-mode" in
                iface_status(h, "p1").get("io_fallback", ""), "fallback")
    assert sw.ping_eventually(a, sw.B_IP)


def test_afxdp_close_and_readd_as_system(net):
    h, a, b = afxdp_bridge(net, "native")
    wait_status(h, "p1", "io_backend", "af_xdp")
    sw.ping(a, sw.B_IP)
    h.vsctl("del-port", "br0", "p1")
    sw.wait_for(lambda: xdp_attached(h.ns, "p1") is None, "XDP detached")
    assert not sw.ping(a, sw.B_IP, count=2, check=False)
    # The same device as a plain AF_PACKET port.
    h.vsctl("add-port", "br0", "p1")
    wait_status(h, "p1", "io_backend", "af_packet")
    assert "io_fallback" not in iface_status(h, "p1")
    assert sw.ping_eventually(a, sw.B_IP)
    tcp_transfer(b, a, sw.B_IP)
    # And back to AF_XDP, generic this time.
    h.vsctl("set", "interface", "p1", "type=afxdp",
            "options:xdp-mode=generic")
    wait_status(h, "p1", "xdp_mode", "generic")
    assert xdp_attached(h.ns, "p1") == "xdpgeneric"
    assert sw.ping_eventually(a, sw.B_IP)


def test_afxdp_kill9_leaves_devices_usable(net):
    h, a, b = afxdp_bridge(net, "native")
    wait_status(h, "p2", "io_backend", "af_xdp")
    sw.ping(a, sw.B_IP)
    h.kill9()
    # The BPF links died with the process: the programs are gone.
    for p in ("p1", "p2"):
        sw.wait_for(lambda: xdp_attached(h.ns, p) is None,
                    "%s XDP detached" % p)
    # A new switch opens the same devices again.
    h.start_switchd()
    wait_status(h, "p1", "io_backend", "af_xdp", timeout=15)
    wait_status(h, "p2", "io_backend", "af_xdp", timeout=15)
    assert sw.ping_eventually(a, sw.B_IP, timeout=15)
    tcp_transfer(b, a, sw.B_IP)
    # And one with plain AF_PACKET ports.
    h.kill9()
    for p in ("p1", "p2"):
        h.vsctl("set", "interface", p, "type=system")
    h.start_switchd()
    wait_status(h, "p1", "io_backend", "af_packet", timeout=15)
    assert sw.ping_eventually(a, sw.B_IP, timeout=15)


def test_afxdp_two_rx_queues(net):
    """n_rxq=2 on veths with two queues: a socket per queue, traffic on
    both; n_rxq=2 on a one-queue veth cannot bind queue 1 and falls
    back."""
    h = net.host("h")
    vms = []
    for name, ip, port in (("a", sw.A_IP, "p1"), ("b", sw.B_IP, "p2")):
        ns = net.ns(name)
        sw.sh("ip", "link", "add", "eth0", "netns", ns, "numtxqueues", "2",
              "numrxqueues", "2", "type", "veth", "peer", "name", port,
              "netns", h.ns, "numtxqueues", "2", "numrxqueues", "2")
        sw.sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0")
        sw.sh("ip", "-n", ns, "link", "set", "eth0", "up")
        sw.sh("ip", "-n", h.ns, "link", "set", port, "up")
        tx_off(ns, "eth0")
        vms.append(ns)
        h.vsctl("add-port", "br0", port, "--", "set", "interface", port,
                "type=afxdp", "options:xdp-mode=native", "options:n_rxq=2")
    a, b = vms
    for p in ("p1", "p2"):
        wait_status(h, p, "io_backend", "af_xdp")
        assert iface_status(h, p)["n_rxq"] == "2"
    sw.ping(a, sw.B_IP)
    for port in range(5310, 5314):
        tcp_transfer(b, a, sw.B_IP, size=1 << 20, port=port)

    one = net.vm(h, "c", sw.C_IP, "p3")
    h.vsctl("add-port", "br0", "p3", "--", "set", "interface", "p3",
            "type=afxdp", "options:n_rxq=2")
    wait_status(h, "p3", "io_backend", "af_packet")
    assert "bind" in iface_status(h, "p3")["io_fallback"]
    sw.ping(one, sw.A_IP)
