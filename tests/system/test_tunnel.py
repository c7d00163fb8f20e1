"""System tests of the tunnel ports (datapath/netdev-tunnel.c) driven by
datapath actions (datapath/dp-actions.c, dp-execute.c).

Each test builds, in network namespaces of its own (removed at teardown
whatever happens):

    vm1 (10.211.0.1) -- h1 [tunnel-pump] -- underlay veth -- h2 [tunnel-pump]
                                 10.99.0.1           10.99.0.2    -- vm2

where each host runs tests/system/tunnel-pump, which bridges its VM's veth
to a Geneve, VXLAN or GRE port with SET_TUNNEL + OUTPUT actions, and checks
that ping and a TCP transfer (iperf3) cross the tunnel, that the Geneve
option each side sends (OVN's class 0x0102, type 0x80) arrives in the
other side's tun_metadata0, that tun_id and the outer addresses reach
md.tunnel, and that TCP GSO frames were segmented in software before
encapsulation (tx_sw_segments).  The VMs' MTU leaves room for the
encapsulation, as OVN configures it.
"""

import json
import os
import select
import signal
import subprocess
import time

import pytest

import kilntest

PUMP = os.path.join(kilntest.BUILD, "tests", "system", "tunnel-pump")
UL1, UL2 = "10.99.0.1", "10.99.0.2"
VM1, VM2 = "10.211.0.1", "10.211.0.2"
OPT1, OPT2 = 0xa0000001, 0xa0000002


def sh(*args, check=True, timeout=30):
    """Runs a command; returns its stdout."""
    r = subprocess.run(list(args), capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), r.returncode,
                                               r.stderr.strip()))
    return r.stdout


class Topology:
    """Hosts h1, h2 joined by an underlay veth; VMs vm1, vm2 each joined
    to its host by a veth ("vmport" on the host side)."""

    def __init__(self):
        prefix = "ktn%d" % os.getpid()
        self.h1, self.h2 = prefix + "h1", prefix + "h2"
        self.vm1, self.vm2 = prefix + "v1", prefix + "v2"
        self.all = (self.h1, self.h2, self.vm1, self.vm2)
        self.procs = []
        self.made = []
        for ns in self.all:
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "link", "add", "ul0", "netns", self.h1, "type", "veth",
           "peer", "name", "ul0", "netns", self.h2)
        for ns, ip in ((self.h1, UL1), (self.h2, UL2)):
            sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "ul0")
            sh("ip", "-n", ns, "link", "set", "ul0", "up")
        for vm, host, ip in ((self.vm1, self.h1, VM1),
                             (self.vm2, self.h2, VM2)):
            sh("ip", "link", "add", "eth0", "netns", vm, "type", "veth",
               "peer", "name", "vmport", "netns", host)
            sh("ip", "-n", vm, "link", "set", "eth0", "mtu", "1400")
            sh("ip", "-n", host, "link", "set", "vmport", "mtu", "1400")
            sh("ip", "-n", vm, "addr", "add", ip + "/24", "dev", "eth0")
            sh("ip", "-n", vm, "link", "set", "eth0", "up")

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
        for ns in self.made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


class Pump:
    """A running tunnel-pump in a host namespace."""

    def __init__(self, topo, ns, tunnel, tun_id, dst, opt, timeout=120):
        args = ["--timeout", str(timeout), "--tun-id", str(tun_id),
                "--tun-dst", dst]
        if opt is not None:
            args += ["--opt", hex(opt)]
        self.proc = topo.popen(ns, PUMP, *args, "system:vmport", tunnel)
        line = self._readline(10)
        if not line:
            raise RuntimeError("tunnel-pump did not start: %s"
                               % self.proc.stderr.read())
        self.actions = json.loads(line)

    def _readline(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return self.proc.stdout.readline() if ready else ""

    def stop(self):
        """Stops the pump; returns ({port name: counters}, rx summary)."""
        self.proc.send_signal(signal.SIGTERM)
        line = self._readline(10)
        self.proc.wait(timeout=10)
        assert self.proc.returncode == 0, self.proc.stderr.read()
        out = json.loads(line)
        return {s["name"]: s for s in out["stats"]}, out["rx"]


@pytest.fixture
def topo():
    t = Topology()
    try:
        yield t
    finally:
        t.cleanup()


def ping(topo, n=3, expect=True):
    # vm1's eth0 got its carrier when the pump brought vmport up.
    kilntest.wait_link_running(topo.vm1, "eth0")
    r = subprocess.run(["ip", "netns", "exec", topo.vm1, "ping", "-c",
                        str(n), "-i", "0.2", "-w", "8", VM2],
                       capture_output=True, text=True, timeout=20)
    if expect:
        # With -w, ping sends until n replies came back: a slow first
        # reply (ARP) can bring more than n.
        assert kilntest.ping_received(r.stdout) >= n, r.stdout + r.stderr
    else:
        assert " 0 received" in r.stdout, r.stdout


def iperf(topo, seconds=2):
    """A TCP transfer vm1 -> vm2; returns bytes received."""
    server = topo.popen(topo.vm2, "iperf3", "-s", "-1", "-p", "5299")
    for _ in range(50):
        if "5299" in topo.run(topo.vm2, "ss", "-ltn"):
            break
        time.sleep(0.1)
    out = topo.run(topo.vm1, "iperf3", "-c", VM2, "-p", "5299", "-t",
                   str(seconds), "-J", timeout=seconds + 30)
    server.wait(timeout=10)
    return json.loads(out)["end"]["sum_received"]["bytes"]


def start_pumps(topo, kind, opts1, opts2, tun_id=5):
    p1 = Pump(topo, topo.h1, "%s:tun0,remote_ip=%s,%s" % (kind, UL2, opts1),
              tun_id, UL2, OPT1)
    p2 = Pump(topo, topo.h2, "%s:tun0,remote_ip=%s,%s" % (kind, UL1, opts2),
              tun_id, UL1, OPT2)
    return p1, p2


def check_transfer(topo, p1, p2, kind, port):
    ping(topo)
    nbytes = iperf(topo)
    (s1, rx1), (s2, rx2) = p1.stop(), p2.stop()

    assert nbytes > 5 * 1024 * 1024
    # Every VM frame went into the tunnel and came out the other side.
    for s in (s1, s2):
        assert s["tun0"]["tx_errors"] == 0
        assert s["tun0"]["rx_errors"] == 0
        assert s["vmport"]["tx_errors"] == 0
    # TCP GSO frames from vm1 were cut in software before encapsulation.
    assert s1["tun0"]["tx_sw_segments"] > 100
    assert rx2["segments"] >= s1["tun0"]["tx_packets"] * 0.99
    # The receive side put runs of segments back together (UDP GRO, then
    # TCP coalescing in netdev-tunnel.c).
    assert rx2["packets"] < rx2["segments"]
    # md.tunnel on receive: outer addresses, key, UDP port.
    assert rx2["ip_src"] == UL1 and rx2["ip_dst"] == UL2
    assert rx1["ip_src"] == UL2 and rx1["ip_dst"] == UL1
    assert rx2["tun_id"] == 5 and rx1["tun_id"] == 5
    assert rx2["tp_dst"] == port
    return rx1, rx2


def test_geneve_ping_tcp_options(topo):
    p1, p2 = start_pumps(topo, "geneve", "local_ip=%s,key=flow" % UL1,
                         "key=flow")
    assert p1.actions["out"] == (
        "set(tunnel(tun_id=0x5,dst=10.99.0.2,ttl=64,geneve({class=0x102,"
        "type=0x80,len=4,0xa0000001}),flags(key))),2")
    assert p1.actions["in"] == "1"
    rx1, rx2 = check_transfer(topo, p1, p2, "geneve", 6081)
    # The option each side sent arrived in the other's tun_metadata0.
    assert rx2["with_opt"] == rx2["packets"] > 0
    assert rx2["opt"] == OPT1
    assert rx1["with_opt"] == rx1["packets"] > 0
    assert rx1["opt"] == OPT2


def test_vxlan_ping_tcp(topo):
    p1, p2 = start_pumps(topo, "vxlan", "key=5", "key=5,dst_port=4789")
    rx1, rx2 = check_transfer(topo, p1, p2, "vxlan", 4789)
    assert rx2["with_opt"] == 0     # VXLAN has no options.


def test_gre_ping_tcp_csum(topo):
    p1, p2 = start_pumps(topo, "gre", "key=5,csum=true", "key=5,csum=true")
    ping(topo)
    nbytes = iperf(topo)
    (s1, rx1), (s2, rx2) = p1.stop(), p2.stop()
    assert nbytes > 5 * 1024 * 1024
    assert s1["tun0"]["tx_sw_segments"] > 100
    assert s2["tun0"]["rx_errors"] == 0
    assert rx2["tun_id"] == 5 and rx2["ip_src"] == UL1
    assert rx2["ip_dst"] == UL2


def test_geneve_receive_filters_remote_and_key(topo):
    # h2's port expects another remote: h1's packets are refused.
    p1 = Pump(topo, topo.h1, "geneve:tun0,remote_ip=%s,key=flow" % UL2, 5,
              UL2, OPT1)
    p2 = Pump(topo, topo.h2, "geneve:tun0,remote_ip=10.99.0.77,key=flow",
              5, UL1, OPT2)
    ping(topo, n=2, expect=False)
    (s1, _), (s2, rx2) = p1.stop(), p2.stop()
    assert s1["tun0"]["tx_packets"] > 0
    assert s2["tun0"]["rx_errors"] > 0 and rx2["packets"] == 0

    # A fixed key other than the one sent is refused too.
    p1 = Pump(topo, topo.h1, "vxlan:tun0,remote_ip=%s,key=5" % UL2, 5, UL2,
              OPT1)
    p2 = Pump(topo, topo.h2, "vxlan:tun0,remote_ip=%s,key=6" % UL1, 6, UL1,
              OPT2)
    ping(topo, n=2, expect=False)
    (s1, _), (s2, rx2) = p1.stop(), p2.stop()
    assert s1["tun0"]["tx_packets"] > 0
    assert s2["tun0"]["rx_errors"] > 0 and rx2["packets"] == 0


KERNEL_PEERS = {
    "vxlan": (["type", "vxlan", "id", "5", "remote", UL1, "local", UL2,
               "dstport", "4789"], "key=5"),
}
# (No geneve or gretap peer: this kernel has no geneve or ip_gre module.)


@pytest.mark.parametrize("kind", sorted(KERNEL_PEERS))
def test_interop_with_linux_tunnel_device(topo, kind):
    """h2 runs the kernel's own tunnel device instead of a pump: our wire
    format must be the kernel's, both ways."""
    link_args, options = KERNEL_PEERS[kind]
    # vm2's address moves to the kernel device in h2.
    topo.run(topo.vm2, "ip", "addr", "flush", "dev", "eth0")
    topo.run(topo.h2, "ip", "link", "add", "ktun", *link_args)
    topo.run(topo.h2, "ip", "link", "set", "ktun", "mtu", "1400")
    topo.run(topo.h2, "ip", "addr", "add", VM2 + "/24", "dev", "ktun")
    topo.run(topo.h2, "ip", "link", "set", "ktun", "up")
    # Over veth the kernel device's TCP segments would reach h1 with their
    # inner checksums still partial (a NIC delivers them complete): have
    # h2 finish them before they leave.
    topo.run(topo.h2, "ethtool", "-K", "ul0", "tx", "off")
    # No Geneve option: Linux drops packets with critical options it
    # does not know.
    p1 = Pump(topo, topo.h1, "%s:tun0,remote_ip=%s,%s" % (kind, UL2, options),
              5, UL2, None)
    ping(topo)
    server = topo.popen(topo.h2, "iperf3", "-s", "-1", "-p", "5299")
    for _ in range(50):
        if "5299" in topo.run(topo.h2, "ss", "-ltn"):
            break
        time.sleep(0.1)
    out = topo.run(topo.vm1, "iperf3", "-c", VM2, "-p", "5299", "-t", "2",
                   "-J", timeout=40)
    server.wait(timeout=10)
    assert json.loads(out)["end"]["sum_received"]["bytes"] > 5 * 1024 * 1024
    stats, rx = p1.stop()
    assert stats["tun0"]["rx_errors"] == 0
    assert rx["tun_id"] == 5 and rx["ip_src"] == UL2


# ---- STT (datapath/netdev-stt.c) between two kiln-switchd hosts. ----
#
# Debian's ovs-vswitchd (netdev datapath) has no STT and OVS's kernel
# module is not here, so the peer is kiln-switchd itself.  The hosts and
# VMs are built as in test_switchd.py's tunnel tests: a kiln-db and a
# kiln-switchd with bridge br0 in each host namespace, an underlay veth
# (MTU 1500) between them, a VM namespace on each bridge.  The VMs' MTU is
# 9000, so an 8000-byte ping is one Ethernet frame that STT must cut into
# segments (and put back together), the IP layer fragmenting nothing.

import test_switchd as sd  # noqa: E402


@pytest.fixture
def sdnet():
    n = sd.Net()
    try:
        yield n
    finally:
        n.cleanup()


def snmp(ns, proto, field):
    """A counter of /proc/net/snmp ("Tcp", "OutRsts") in namespace 'ns'."""
    out = sd.ns_exec(ns, "cat", "/proc/net/snmp")[1].splitlines()
    rows = [line.split() for line in out if line.startswith(proto + ":")]
    return int(rows[1][rows[0].index(field)])


def coverage(h, name):
    """Counter 'name' of kiln-switchd on host 'h' (coverage/show total)."""
    for line in h.appctl("coverage/show").splitlines():
        words = line.split()
        if words and words[0] == name:
            return int(words[-1].split("=")[-1])
    return 0


def test_stt_ping_large_frames_and_tcp(sdnet):
    h1 = sdnet.host("h1")
    h2 = sdnet.host("h2")
    sd.sh("ip", "link", "add", "ul0", "netns", h1.ns, "type", "veth", "peer",
          "name", "ul0", "netns", h2.ns)
    ul = {h1: UL1, h2: UL2}
    for h in (h1, h2):
        sd.sh("ip", "-n", h.ns, "addr", "add", ul[h] + "/24", "dev", "ul0")
        sd.sh("ip", "-n", h.ns, "link", "set", "ul0", "up")
    v1 = sdnet.vm(h1, "v1", VM1, "vmport", mtu=9000)
    v2 = sdnet.vm(h2, "v2", VM2, "vmport", mtu=9000)
    extra = {h1: ["options:local_ip=" + UL1], h2: ["options:csum=true"]}
    for h, other in ((h1, h2), (h2, h1)):
        h.vsctl("add-port", "br0", "vmport", "--", "set", "interface",
                "vmport", "ofport_request=1")
        h.vsctl("add-port", "br0", "tun0", "--", "set", "interface", "tun0",
                "type=stt", "options:remote_ip=" + ul[other],
                "options:key=5", "ofport_request=2", *extra[h])
        sd.wait_for(lambda: h.get("interface", "tun0", "ofport") not in
                    ("[]", "-1"), "tunnel ofport")
        assert h.get("interface", "tun0", "error") == "[]"
    assert "stt" in h1.get("open_vswitch", ".", "iface_types")
    rsts = {h: snmp(h.ns, "Tcp", "OutRsts") for h in (h1, h2)}

    assert sd.ping_eventually(v1, VM2, timeout=15)
    sd.ping(v2, VM1)
    # 8000 bytes of ICMP data, DF set: one 8042-byte frame, 6 STT
    # segments on the 1500-byte underlay.
    st, out = sd.ns_exec(v1, "ping", "-c", "3", "-i", "0.2", "-W", "2",
                         "-s", "8000", "-M", "do", VM2, check=False,
                         timeout=30)
    assert st == 0 and " 0% packet loss" in out, out
    # TCP with the VMs' segmentation offloads: GSO frames cross as STT
    # frames with the MSS in the STT header.
    assert sd.exchange(v2, v1, VM2, "tcp") == "GOT 2000003"

    flows = h1.appctl("dpctl/dump-flows")
    assert ("set(tunnel(tun_id=0x5,src=10.99.0.1,dst=10.99.0.2" in flows
            ), flows
    for h in (h1, h2):
        # No TCP reset went out for the STT segments...
        assert snmp(h.ns, "Tcp", "OutRsts") == rsts[h]
        # ...and the large frames were cut by STT, not by IP.
        assert snmp(h.ns, "Ip", "ReasmOKs") == 0
        assert snmp(h.ns, "Ip", "FragCreates") == 0
    # (The packet threads publish their counters about once a second.)
    for h in (h1, h2):
        sd.wait_for(lambda: coverage(h, "stt_rx_reassembled") >= 3,
                    "reassembled STT frames on " + h.ns, timeout=15)
    assert coverage(h2, "stt_rx_malformed") == 0
