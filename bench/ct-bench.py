#!/usr/bin/python3
"""kiln-switchd's connection tracking against Debian's ovs-vswitchd
(datapath_type=netdev), through the flows of OVN's stateful ACLs.

Topology (as switchd-bench.py's "onebridge", whose helpers this imports):

  vm1 (10.1.0.1, .21-.23) --veth-- [p1 | br0 | p2] --veth-- vm2 (10.1.0.2)

Flows (ovs-ofctl add-flows on either switch): table 0 sends every untracked
IP packet to ct(table=1,zone=5), ARP goes to NORMAL; table 1 drops +inv,
commits +new from p1 (ct(commit,zone=5),NORMAL), forwards +est and +rel,
drops the rest.

Figures per switch:
  - TCP throughput: iperf3 -t DUR, one stream vm1 -> vm2 (end.sum_received)
    and the switch's CPU over it;
  - ping RTT (as switchd-bench.py: 30 pings after 3 warm-up ones);
  - new TCP connections per second: a small C client (compiled with cc at
    start) with W workers, bound in turn to 4 source addresses of vm1,
    doing connect / wait for the server's FIN / close in a loop for DUR
    seconds against a C server in vm2 that accepts and closes; completed
    connections / second and failures;
  - conntrack entries after that run (dpctl/ct-stats-show "Total") and the
    switch's RSS growth over it, per entry;
and the ratio kiln/ovs. Kiln's in-process bytes per connection come from
bench/conntrack-bench (1,000,000 UDP connections) when it is built.

Usage: bench/ct-bench.py [--duration S] [--workers W] [--only kiln,ovs,veth]
                         [--json FILE]
Run as root. kiln-switchd and kiln-db come from $KILN_BUILD (default
build-swbench, else build).
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "switchd_bench", os.path.join(HERE, "switchd-bench.py"))
sb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sb)

OFCTL = "/usr/bin/ovs-ofctl"
APPCTL = "/usr/bin/ovs-appctl"
VM1, VM2 = "10.1.0.1", "10.1.0.2"
SRC_IPS = ["10.1.0.1", "10.1.0.21", "10.1.0.22", "10.1.0.23"]
ZONE = 5
CONN_PORT = 7000

FLOWS = """\
table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1,zone={z})
table=0,priority=50,arp,actions=NORMAL
table=0,priority=0,actions=drop
table=1,priority=200,ct_state=+inv+trk,ip,actions=drop
table=1,priority=100,ct_state=+new+trk,ip,in_port=1,actions=ct(commit,zone={z}),NORMAL
table=1,priority=90,ct_state=+est+trk,ip,actions=NORMAL
table=1,priority=80,ct_state=+rel+trk,ip,actions=NORMAL
table=1,priority=0,actions=drop
""".format(z=ZONE)

# The connection-rate client and server.  "server IP PORT": accept and close
# at once (the server closes first, so the client's ports never sit in
# TIME_WAIT).  "client DST PORT SECS SRC...": one process per SRC, each
# connect / read to EOF / close in a loop; prints "OK FAIL SECONDS".
CONNRATE_C = r"""
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
static double now(void) {
    struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}
static struct sockaddr_in addr(const char *ip, int port) {
    struct sockaddr_in a; memset(&a, 0, sizeof a);
    a.sin_family = AF_INET; a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr); return a;
}
int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "server")) {
        struct sockaddr_in a = addr(argv[2], atoi(argv[3]));
        int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s, (void *) &a, sizeof a) || listen(s, 4096)) {
            perror("server"); return 1;
        }
        printf("ready\n"); fflush(stdout);
        for (;;) {
            int c = accept(s, NULL, NULL);
            if (c >= 0) close(c);
        }
    }
    if (argc < 6 || strcmp(argv[1], "client")) {
        fprintf(stderr, "usage: server IP PORT | client DST PORT SECS SRC...\n");
        return 2;
    }
    struct sockaddr_in dst = addr(argv[2], atoi(argv[3]));
    double secs = atof(argv[4]);
    int n = argc - 5, fds[64][2];
    if (n > 64) n = 64;
    double t0 = now(), end = t0 + secs;
    for (int i = 0; i < n; i++) {
        if (pipe(fds[i])) return 1;
        if (fork() == 0) {
            struct sockaddr_in src = addr(argv[5 + i], 0);
            long ok = 0, fail = 0;
            char buf[64];
            struct timeval tv = { 1, 0 };
            while (now() < end) {
                int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
                setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
                           sizeof one);
                setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
                if (bind(s, (void *) &src, sizeof src)
                    || connect(s, (void *) &dst, sizeof dst)) {
                    fail++;
                } else {
                    ssize_t r;
                    while ((r = read(s, buf, sizeof buf)) > 0) {
                    }
                    if (r == 0) ok++; else fail++;
                }
                close(s);
            }
            char line[64];
            int len = snprintf(line, sizeof line, "%ld %ld\n", ok, fail);
            if (write(fds[i][1], line, len) != len) _exit(1);
            _exit(0);
        }
        close(fds[i][1]);
    }
    long ok = 0, fail = 0;
    for (int i = 0; i < n; i++) {
        char line[64] = "";
        long o = 0, f = 0;
        if (read(fds[i][0], line, sizeof line - 1) > 0
            && sscanf(line, "%ld %ld", &o, &f) == 2) {
            ok += o; fail += f;
        }
        wait(NULL);
    }
    printf("%ld %ld %.3f\n", ok, fail, now() - t0);
    return 0;
}
"""


def build_connrate():
    """Compiles the client/server into a new directory; returns (dir,
    program). The caller removes the directory."""
    d = tempfile.mkdtemp(prefix="ksb-connrate-", dir="/tmp")
    src = os.path.join(d, "connrate.c")
    exe = os.path.join(d, "connrate")
    with open(src, "w") as f:
        f.write(CONNRATE_C)
    sb.sh("cc", "-O2", "-o", exe, src)
    return d, exe


def ofctl(h, *args):
    return sb.sh(OFCTL, "-O", "OpenFlow13", args[0],
                 os.path.join(h.dir, "br0.mgmt"), *args[1:])[1]


def appctl(h, *args):
    return sb.sh(APPCTL, "-t", h.ctl, *args)[1]


def ct_total(h):
    out = appctl(h, "dpctl/ct-stats-show")
    m = re.search(r"Total:\s*(\d+)", out)
    return int(m.group(1)) if m else None


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def conn_rate(env, exe, h, v1, v2, secs, workers):
    srcs = [SRC_IPS[i % len(SRC_IPS)] for i in range(workers)]
    srv = env.spawn(v2, [exe, "server", VM2, str(CONN_PORT)], "/dev/null")
    try:
        time.sleep(0.3)
        # A short warm-up fills the megaflow cache, then a clean table.
        sb.sh("ip", "netns", "exec", v1, exe, "client", VM2, CONN_PORT, 0.5,
              *srcs)
        if h:
            appctl(h, "dpctl/flush-conntrack")
        sb.wait_quiet()
        rss0 = rss_kib(h.switch.pid) if h else 0
        pr = sb.Probe(h.pids() if h else [])
        pr.start()
        st, out = sb.sh("ip", "netns", "exec", v1, exe, "client", VM2,
                        CONN_PORT, secs, *srcs,
                        timeout=secs + 60)
        res = pr.stop()
        entries = ct_total(h) if h else None
        rss1 = rss_kib(h.switch.pid) if h else 0
    finally:
        env.stop(srv)
        env.procs.remove(srv)
    ok, fail, wall = out.split()
    res["conns_per_s"] = int(ok) / float(wall)
    res["conn_failures"] = int(fail)
    res["ct_entries"] = entries
    res["rss_growth_kib"] = rss1 - rss0
    res["bytes_per_entry"] = ((rss1 - rss0) * 1024.0 / entries
                              if entries else None)
    return res


def run_veth(env, args, exe):
    """The kernel's own limit: vm1 and vm2 joined directly by a veth pair,
    no switch and no connection tracking."""
    v1 = env.ns("vm1")
    v2 = env.ns("vm2")
    sb.sh("ip", "link", "add", "eth0", "netns", v1, "type", "veth", "peer",
          "name", "eth0", "netns", v2)
    for ns, ip in ((v1, VM1), (v2, VM2)):
        sb.sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0")
        sb.sh("ip", "-n", ns, "link", "set", "eth0", "up")
    for ip in SRC_IPS[1:]:
        sb.sh("ip", "-n", v1, "addr", "add", ip + "/24", "dev", "eth0")
    sb.wait_for(lambda: sb.ping_ok(v1, VM2), "vm1 -> vm2 ping", 20)
    sb.log("veth: no switch")
    r = {}
    sb.wait_quiet()
    t = sb.iperf(env, v1, v2, VM2, args.duration, False, [])
    r["tcp_gbps"] = t["gbps"]
    r["tcp_retrans"] = t["retransmits"] or 0
    p = sb.ping_test(v1, VM2)
    r["rtt_min_ms"] = p["rtt_min_ms"]
    r["rtt_avg_ms"] = p["rtt_avg_ms"]
    c = conn_rate(env, exe, None, v1, v2, args.duration, args.workers)
    r["conns_per_s"] = c["conns_per_s"]
    r["conn_failures"] = c["conn_failures"]
    r["conn_busy"] = c["machine_busy_pct"]
    sb.log("   %.0f conns/s (%d failed)" % (c["conns_per_s"],
                                           c["conn_failures"]))
    return r


def run_switch(env, kind, args, exe):
    h = sb.Host(env, kind, "h")
    try:
        h.start(args.build)
        txoff = kind == "ovs"      # as switchd-bench.py does for OVS
        v1 = sb.vm(env, h.ns, "vm1", VM1, "p1", txoff)
        v2 = sb.vm(env, h.ns, "vm2", VM2, "p2", txoff)
        for ip in SRC_IPS[1:]:
            sb.sh("ip", "-n", v1, "addr", "add", ip + "/24", "dev", "eth0")
        h.add_port("p1", "ofport_request=1")
        h.add_port("p2", "ofport_request=2")
        ofctl(h, "del-flows")
        path = os.path.join(h.dir, "flows.txt")
        with open(path, "w") as f:
            f.write(FLOWS)
        ofctl(h, "add-flows", path)
        sb.wait_for(lambda: sb.ping_ok(v1, VM2), "vm1 -> vm2 ping", 20)
        # Stateful for real: vm2 cannot open a connection towards vm1.
        if sb.ping_ok(v2, VM1):
            raise RuntimeError("%s: the ACL lets vm2 ping vm1" % kind)
    except Exception:
        sb.log(h.log_tail())
        raise
    sb.log("%s: stateful ACL, zone %d" % (kind, ZONE))
    r = {}
    sb.wait_quiet()
    t = sb.iperf(env, v1, v2, VM2, args.duration, False, h.pids())
    r["tcp_gbps"] = t["gbps"]
    r["tcp_retrans"] = t["retransmits"] or 0
    r["tcp_cpu"] = t["switch_cpu_pct"]
    sb.log("   tcp %.3f Gb/s, switch cpu %.0f%%" % (t["gbps"],
                                                    t["switch_cpu_pct"]))
    p = sb.ping_test(v1, VM2)
    r["rtt_min_ms"] = p["rtt_min_ms"]
    r["rtt_avg_ms"] = p["rtt_avg_ms"]
    c = conn_rate(env, exe, h, v1, v2, args.duration, args.workers)
    r["conns_per_s"] = c["conns_per_s"]
    r["conn_failures"] = c["conn_failures"]
    r["conn_cpu"] = c["switch_cpu_pct"]
    r["conn_busy"] = c["machine_busy_pct"]
    r["ct_entries"] = c["ct_entries"]
    r["bytes_per_entry"] = c["bytes_per_entry"]
    sb.log("   %.0f conns/s (%d failed), switch cpu %.0f%%, %s entries, "
           "RSS +%d KiB" % (c["conns_per_s"], c["conn_failures"],
                            c["switch_cpu_pct"], c["ct_entries"],
                            c["rss_growth_kib"]))
    return r


def kiln_inprocess(build):
    exe = os.path.join(build, "bench", "conntrack-bench")
    if not os.path.exists(exe):
        sb.log("%s not built: no in-process figure" % exe)
        return None
    st, out = sb.sh(exe, "100000", timeout=300, check=False)
    m = re.search(r"([\d.]+) bytes/connection", out)
    sb.log("conntrack-bench: " + " | ".join(out.strip().splitlines()))
    return float(m.group(1)) if m else None


ROWS = [
    ("TCP Gb/s (iperf3, 1 stream)", "tcp_gbps"),
    ("TCP retransmits", "tcp_retrans"),
    ("switch CPU % during TCP", "tcp_cpu"),
    ("ping RTT min ms", "rtt_min_ms"),
    ("ping RTT avg ms", "rtt_avg_ms"),
    ("new TCP connections/s", "conns_per_s"),
    ("connection failures", "conn_failures"),
    ("switch CPU % during conns", "conn_cpu"),
    ("machine busy % during conns", "conn_busy"),
    ("ct entries after conns", "ct_entries"),
    ("switch RSS bytes/entry", "bytes_per_entry"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=5,
                    help="seconds per iperf3 and connection run (default 5)")
    ap.add_argument("--workers", type=int, default=16,
                    help="connection client processes, 1-64, spread over "
                    "4 source addresses (default 16)")
    ap.add_argument("--only", default="kiln,ovs,veth",
                    help="comma list of kiln, ovs, veth (default all; "
                    "veth: the two namespaces joined directly, no switch)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    args.build = sb.build_dir()
    args.workers = max(1, min(args.workers, 64))
    only = set(args.only.split(","))
    if not only <= {"kiln", "ovs", "veth"}:
        ap.error("--only takes kiln, ovs, veth")
    if os.geteuid() != 0:
        ap.error("must run as root (network namespaces)")

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    results, failed = {}, []
    env = sb.Env()
    cdir, exe = build_connrate()
    try:
        for kind in ("veth", "ovs", "kiln"):
            if kind not in only:
                continue
            try:
                results[kind] = (run_veth(env, args, exe) if kind == "veth"
                                 else run_switch(env, kind, args, exe))
            except (RuntimeError, TimeoutError, ValueError,
                    subprocess.TimeoutExpired) as e:
                sb.log("FAILED %s: %s" % (kind, e))
                failed.append(kind)
            finally:
                env.cleanup()
        inproc = kiln_inprocess(args.build) if "kiln" in only else None
    except KeyboardInterrupt:
        sb.log("interrupted; cleaning up")
        env.cleanup()
        return 130
    finally:
        env.cleanup()
        shutil.rmtree(cdir, ignore_errors=True)

    hdr = "%-30s %10s %12s %12s %9s %9s" % (
        "metric", "veth", "ovs-vswitchd", "kiln-switchd", "kiln/ovs",
        "kiln/veth")
    print(hdr)
    print("-" * len(hdr))
    for label, key in ROWS:
        v = results.get("veth", {}).get(key)
        o = results.get("ovs", {}).get(key)
        k = results.get("kiln", {}).get(key)
        print("%-30s %10s %12s %12s %9s %9s" % (
            label, sb.fmt(v), sb.fmt(o), sb.fmt(k), sb.ratio(k, o),
            sb.ratio(k, v)))
    if inproc is not None:
        print("kiln conntrack in process (conntrack-bench, 1,000,000 UDP "
              "connections): %.0f bytes/connection" % inproc)
    print("Ratios are kiln/other: above 1 is better for rates, below 1 "
          "for CPU, failures, retransmits and bytes.  veth is the "
          "kernel's own limit here (no switch): no switch can beat it.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "kiln_inprocess_bytes": inproc},
                      f, indent=1)
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
