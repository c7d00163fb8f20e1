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
    assert " %d received" % n in out, out


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
