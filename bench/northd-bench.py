#!/usr/bin/python3
"""kiln-northd against ovn-northd: compiling the northbound database.

For each size (medium: 100 switches x 50 ports = 5,000 ports; large: 200 x
100 = 20,000) and each setup, starts a fresh pair of database servers (one
OVN_Northbound, one OVN_Southbound, unix sockets, empty databases in a
temporary directory) and a northd connected to both, then:

  1. runs ../shared/bench/northd_bench.py (--size, --incremental K): the
     topology in one NB transaction, timed until NB_Global.sb_cfg catches
     up with nb_cfg (full compute), the SB row counts, the northd's RSS,
     then K one-port additions (each timed until sb_cfg catches up);
  2. adds --new-switches switches one at a time, each with a router-type
     port whose peer is a new port of the router lr0 (one transaction with
     the nb_cfg increment, timed the same way), and checks that the SB
     gained one Datapath_Binding and two Port_Binding rows per switch;
  3. reads the northd's RSS and peak RSS (VmHWM) from /proc, and stops
     everything.

Setups (--setups, default all three):
  ovn        Debian's ovsdb-server (NB, SB) + ovn-northd: the reference
  kiln       kiln-db (NB, SB) + kiln-northd
  kiln-ovs   ovsdb-server (NB, SB) + kiln-northd: northd against northd
             on the same database server

Prints one table per size, the ratio being reference / Kiln (above 1:
Kiln is better: less time or memory; for flow counts, fewer rows), and the
goals of issue 6.  Exit status 2 if a server or northd fails to start, or a
run fails (the northd log tail is printed); the other setups still run.

Binaries: kiln-northd and kiln-db from $KILN_BUILD (default build/), or
$KILN_NORTHD_BIN / $KILN_DB_BIN; ovn-northd from $OVN_NORTHD_BIN or PATH;
ovsdb-server from $OVSDB_SERVER_BIN or /usr/sbin/ovsdb-server.  The shared
harness is $NORTHD_BENCH (default ../shared/bench/northd_bench.py).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARNESS = os.path.abspath(os.environ.get("NORTHD_BENCH") or os.path.join(
    TOP, "..", "shared", "bench", "northd_bench.py"))

# The harness's client code (OvsdbConn, CfgWatcher, timed_cfg_txn...) is
# reused for the new-switch workload.
sys.path.insert(0, os.path.dirname(HARNESS))
try:
    import northd_bench as nbh  # noqa: E402
except ImportError:
    nbh = None

SETUPS = {
    # name: (database server, northd, label)
    "ovn": ("ovsdb-server", "ovn-northd", "ovsdb-server+ovn-northd"),
    "kiln": ("kiln-db", "kiln-northd", "kiln-db+kiln-northd"),
    "kiln-ovs": ("ovsdb-server", "kiln-northd", "ovsdb-server+kiln-northd"),
}
SIZES = {"small": 100, "medium": 5000, "large": 20000}


class BenchError(Exception):
    """A server, northd or the harness failed; this run cannot go on."""


def binaries():
    b = os.path.abspath(os.environ.get("KILN_BUILD")
                        or os.path.join(TOP, "build"))
    return {
        "kiln-db": os.environ.get("KILN_DB_BIN")
        or os.path.join(b, "ovsdb", "kiln-db"),
        "kiln-northd": os.environ.get("KILN_NORTHD_BIN")
        or os.path.join(b, "northd", "kiln-northd"),
        "ovsdb-server": os.environ.get("OVSDB_SERVER_BIN")
        or "/usr/sbin/ovsdb-server",
        "ovn-northd": os.environ.get("OVN_NORTHD_BIN")
        or shutil.which("ovn-northd") or "/usr/bin/ovn-northd",
    }


def find_schema(name):
    for path in ("/usr/share/ovn/%s.ovsschema" % name,
                 os.path.join(TOP, "schemas", "%s.ovsschema" % name)):
        if os.path.exists(path):
            return path
    raise BenchError("no %s schema found" % name)


def tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def stop_proc(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class DbServer:
    """One database server on a fresh database made from 'schema'."""

    def __init__(self, binary, schema, workdir, name, dbname):
        self.binary = binary
        self.schema = schema
        self.dir = workdir
        self.name = name
        self.dbname = dbname
        self.sock = os.path.join(workdir, name + ".sock")
        self.log = os.path.join(workdir, name + "-server.log")
        self.proc = None

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise BenchError("%s not found or not executable" % self.binary)
        db = os.path.join(self.dir, self.name + ".db")
        if os.path.basename(self.binary).startswith("ovsdb-server"):
            tool = shutil.which("ovsdb-tool") or "/usr/bin/ovsdb-tool"
            create = [tool, "create", db, self.schema]
        else:
            create = [self.binary, "create", db, self.schema]
        r = subprocess.run(create, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode:
            raise BenchError("%s failed:\n%s" % (" ".join(create), r.stdout))
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--remote=punix:" + self.sock,
                 "--unixctl=" + os.path.join(self.dir, self.name + "-db.ctl"),
                 db],
                cwd=self.dir, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self._serves_db():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise BenchError("%s did not start:\n%s"
                                 % (self.binary, tail(self.log)))
            time.sleep(0.02)

    def _serves_db(self):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect(self.sock)
                s.sendall(b'{"method":"list_dbs","params":[],"id":0}')
                buf = b""
                while True:
                    data = s.recv(65536)
                    if not data:
                        return False
                    buf += data
                    try:
                        return self.dbname in (json.loads(buf).get("result")
                                               or [])
                    except ValueError:
                        continue
        except OSError:
            return False

    def stop(self):
        stop_proc(self.proc)
        self.proc = None


def start_northd(binary, workdir, nb, sb):
    if not os.access(binary, os.X_OK):
        raise BenchError("%s not found or not executable" % binary)
    log = os.path.join(workdir, "northd.log")
    cmd = [binary, "--ovnnb-db=unix:" + nb.sock, "--ovnsb-db=unix:" + sb.sock,
           "--unixctl=" + os.path.join(workdir, "northd.ctl"),
           "--log-file=" + log, "--no-chdir"]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OVN_", "OVS_"))}
    env["OVS_RUNDIR"] = env["OVN_RUNDIR"] = env["KILN_RUNDIR"] = workdir
    proc = subprocess.Popen(cmd, cwd=workdir, stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(workdir,
                                                     "northd.out"), "w"),
                            stderr=subprocess.STDOUT, env=env)
    time.sleep(0.2)
    if proc.poll() is not None:
        raise BenchError("%s exited at once (status %d):\n%s%s"
                         % (binary, proc.returncode,
                            tail(os.path.join(workdir, "northd.out")),
                            tail(log)))
    return proc


def northd_logs(workdir):
    """The tail of the northd's log file, else of its console output."""
    log = tail(os.path.join(workdir, "northd.log"), 30)
    if log:
        return "--- northd log (tail):\n" + log
    return ("--- northd stdout/stderr (tail):\n"
            + tail(os.path.join(workdir, "northd.out"), 30))


def log_highlights(workdir):
    """The last recompute report and the last warning of the northd log:
    [(what, text)]."""
    last = {}
    try:
        with open(os.path.join(workdir, "northd.log"), errors="replace") as f:
            for line in f:
                text = line.rstrip("\n")
                if "recompute" in text:
                    last["last recompute"] = text
                if "|WARN|" in text or "|ERR|" in text:
                    last["last warning"] = text
    except OSError:
        pass
    return sorted(last.items())


def run_harness(args, size, nb, sb, northd, workdir):
    """Runs northd_bench.py; returns its (compile, incremental) records."""
    cmd = ["/usr/bin/python3", HARNESS, "--nb", "unix:" + nb.sock,
           "--sb", "unix:" + sb.sock, "--size", size,
           "--incremental", str(args.incremental),
           "--noop-syncs", str(args.noop_syncs),
           "--timeout", str(args.timeout),
           "--northd-pid", str(northd.pid), "--nb-pid", str(nb.proc.pid),
           "--sb-pid", str(sb.proc.pid)]
    errpath = os.path.join(workdir, "harness.err")
    with open(errpath, "w") as err:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=err, text=True)
    recs = [json.loads(line) for line in r.stdout.splitlines()
            if line.startswith("{")]
    if r.returncode or not recs:
        errs = [x for x in tail(errpath, 10).splitlines() if x.strip()]
        raise BenchError("northd_bench.py failed (status %d)%s\n%s"
                         "(records so far: %s)\n%s"
                         % (r.returncode,
                            ": " + errs[-1] if errs else "",
                            tail(errpath, 10),
                            json.dumps(recs), northd_logs(workdir)))
    comp = next((x for x in recs if x.get("test") == "compile"), None)
    inc = next((x for x in recs if x.get("test") == "incremental_lsp_add"),
               None)
    return comp, inc


def new_switch_ops(S, k, gu, lr_uuid):
    """Switch ls-new-<k> (i = S + k) with a router-type port rtr-new-<k>
    peered with a new port lrp-new-<k> (10.x.y.1/24) of router lr0."""
    i = S + k
    hi, lo = i >> 8 & 255, i & 255
    ops = [{"op": "insert", "table": "Logical_Router_Port",
            "uuid-name": "nlrp",
            "row": {"name": "lrp-new-%d" % k,
                    "mac": "02:00:00:%02x:%02x:01" % (hi, lo),
                    "networks": "10.%d.%d.1/24" % (hi, lo)}},
           {"op": "mutate", "table": "Logical_Router",
            "where": [["_uuid", "==", ["uuid", lr_uuid]]],
            "mutations": [["ports", "insert", ["named-uuid", "nlrp"]]]},
           {"op": "insert", "table": "Logical_Switch_Port",
            "uuid-name": "nrtr",
            "row": {"name": "rtr-new-%d" % k, "type": "router",
                    "addresses": "router",
                    "options": ["map", [["router-port",
                                         "lrp-new-%d" % k]]]}},
           {"op": "insert", "table": "Logical_Switch",
            "row": {"name": "ls-new-%d" % k,
                    "ports": ["set", [["named-uuid", "nrtr"]]]}}]
    return ops + nbh.nb_cfg_ops(gu)


def run_new_switches(args, size, nb, sb, workdir):
    """Adds args.new_switches switches one by one; returns latencies (s)."""
    if not args.new_switches:
        return []
    S = {"small": 10, "medium": 100, "large": 200}[size]
    try:
        conn = nbh.OvsdbConn("unix:" + nb.sock, timeout=args.timeout)
        sbc = nbh.OvsdbConn("unix:" + sb.sock, timeout=args.timeout)
        conn.keep_notifications = False
        watcher = nbh.CfgWatcher("unix:" + nb.sock)
        watcher.start()
        gu = nbh.ensure_nb_global(conn, watcher)
        lr = nbh.uuid_by_name(conn, "Logical_Router", "lr0")
        dp0 = nbh.count(sbc, nbh.SB, "Datapath_Binding")
        pb0 = nbh.count(sbc, nbh.SB, "Port_Binding")
        lat = []
        for k in range(args.new_switches):
            ops = new_switch_ops(S, k, gu, lr)
            _, _, s, _ = nbh.timed_cfg_txn(conn, watcher, ops, args.timeout)
            lat.append(s)
        dp = nbh.count(sbc, nbh.SB, "Datapath_Binding")
        pb = nbh.count(sbc, nbh.SB, "Port_Binding")
        n = args.new_switches
        if dp != dp0 + n or pb != pb0 + 2 * n:
            raise BenchError("after %d new switches: %d Datapath_Binding "
                             "(expected %d), %d Port_Binding (expected %d)"
                             % (n, dp, dp0 + n, pb, pb0 + 2 * n))
        watcher.conn.close()
        conn.close()
        sbc.close()
        return lat
    except nbh.OvsdbError as e:
        raise BenchError("new-switch workload: %s\n%s"
                         % (e, northd_logs(workdir)))


def run_setup(args, bins, setup, size, tmp):
    server_kind, northd_kind, _ = SETUPS[setup]
    workdir = os.path.join(tmp, "%s-%s" % (setup, size))
    os.makedirs(workdir)
    nb = DbServer(bins[server_kind], find_schema("ovn-nb"), workdir, "nb",
                  "OVN_Northbound")
    sb = DbServer(bins[server_kind], find_schema("ovn-sb"), workdir, "sb",
                  "OVN_Southbound")
    northd = None
    t0 = time.monotonic()
    try:
        nb.start()
        sb.start()
        northd = start_northd(bins[northd_kind], workdir, nb, sb)
        comp, inc = run_harness(args, size, nb, sb, northd, workdir)
        sw = run_new_switches(args, size, nb, sb, workdir)
        if northd.poll() is not None:
            raise BenchError("%s exited (status %d) during the run\n%s"
                             % (northd_kind, northd.returncode,
                                northd_logs(workdir)))
        mem = nbh.proc_mem(northd.pid)
        res = {"compile": comp, "inc": inc, "new_switch_s": sw,
               "end_rss_kb": mem["rss_kb"], "end_hwm_kb": mem["hwm_kb"],
               "wall_s": time.monotonic() - t0}
        if args.verbose:
            print("# %s %s: %s" % (setup, size, json.dumps(res)),
                  file=sys.stderr, flush=True)
        return res
    except BenchError as e:
        # One line for the table's footer, then the details.
        mem = nbh.proc_mem(northd.pid) if northd else {}
        summary = "%s (northd %s" % (str(e).splitlines()[0],
                                     "running" if northd and
                                     northd.poll() is None else "not running")
        if mem.get("rss_kb"):
            summary += ", RSS %.0f MiB, peak %.0f MiB" % (
                mem["rss_kb"] / 1024, mem["hwm_kb"] / 1024)
        summary += ")"
        for what, line in log_highlights(workdir):
            summary += "\n  >> %s: %s" % (what, line)
        raise BenchError(summary + "\n" + "\n".join(
            str(e).splitlines()[1:]))
    finally:
        stop_proc(northd)
        sb.stop()
        nb.stop()
        if args.keep_logs and os.path.isdir(workdir):
            dst = os.path.join(args.keep_logs, "%s-%s" % (setup, size))
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(workdir, dst, ignore=shutil.ignore_patterns(
                "*.sock", "*.ctl", "*.db"))
        shutil.rmtree(workdir, ignore_errors=True)


def median(xs):
    return nbh.median(xs) if xs else None


def metrics(r):
    """The table's rows for one result: [(name, value, printf format)]."""
    c, inc = r["compile"], r["inc"] or {}

    def mib(kb):
        return kb / 1024.0 if kb is not None else None

    def ms(s):
        return s * 1000.0 if s is not None else None

    return [
        ("full compute s", c.get("compile_s"), "%.3f"),
        ("northd CPU for compute s", c.get("northd_cpu_s"), "%.2f"),
        ("no-change sync ms", ms(c.get("noop_sync_s")), "%.1f"),
        ("one-port add ms (median)", ms(inc.get("median_s")), "%.1f"),
        ("one-port add ms (max)", ms(inc.get("max_s")), "%.1f"),
        ("new switch+router port ms (median)",
         ms(median(r["new_switch_s"])), "%.1f"),
        ("new switch+router port ms (max)",
         ms(max(r["new_switch_s"])) if r["new_switch_s"] else None, "%.1f"),
        ("logical flows", c.get("sb_Logical_Flow"), "%d"),
        ("logical DP groups", c.get("sb_Logical_DP_Group"), "%d"),
        ("northd RSS after compute MiB", mib(c.get("northd_rss_kb")), "%.1f"),
        ("northd RSS at end MiB", mib(r["end_rss_kb"]), "%.1f"),
        ("northd peak RSS MiB", mib(r["end_hwm_kb"]), "%.1f"),
        ("SB server RSS after compute MiB", mib(c.get("sb_rss_kb")), "%.1f"),
    ]


def fmt(v, f):
    if v is None:
        return "-"
    s = f % v
    if f == "%d":
        s = "{:,}".format(int(v))
    return s


def print_table(size, results, setups):
    ports = SIZES[size]
    print("\n%s: %s ports (northd_bench.py --size %s)"
          % (size, "{:,}".format(ports), size))
    cols = [s for s in setups if s in results]
    ref = results.get("ovn")
    head = "%-36s" % "metric"
    for s in cols:
        head += " %14s" % s
        if s != "ovn":
            head += " %7s" % "ratio"
    print(head)
    rows = {s: metrics(results[s]) if isinstance(results[s], dict) else None
            for s in cols}
    names = metrics_names()
    for idx, name in enumerate(names):
        line = "%-36s" % name
        for s in cols:
            if rows[s] is None:
                line += " %14s" % "FAILED"
                if s != "ovn":
                    line += " %7s" % "-"
                continue
            _, v, f = rows[s][idx]
            line += " %14s" % fmt(v, f)
            if s != "ovn":
                rv = rows["ovn"][idx][1] if ref and rows.get("ovn") else None
                if rv is not None and v:
                    line += " %6.2fx" % (rv / v)
                else:
                    line += " %7s" % "-"
        print(line)
    print("(ratio: ovn / setup; above 1 means the Kiln setup is better)")
    for s in cols:
        if isinstance(results[s], dict):
            r = results[s]
            print("  %-9s %s; wall %.0f s; foreign CPU during compute %s s"
                  % (s, SETUPS[s][2], r["wall_s"],
                     r["compile"].get("foreign_cpu_s")))
        else:
            lines = results[s].splitlines()
            print("  %-9s FAILED: %s" % (s, lines[0]))
            for line in lines[1:]:
                if line.startswith("  >> "):
                    print("  " + line)


def metrics_names():
    fake = {"compile": {}, "inc": {}, "new_switch_s": [],
            "end_rss_kb": None, "end_hwm_kb": None}
    return [m[0] for m in metrics(fake)]


def print_goals(size, results):
    ref, kiln = results.get("ovn"), results.get("kiln")
    if not isinstance(ref, dict) or not isinstance(kiln, dict):
        return
    print("goals (issue 6) at %s, kiln-db+kiln-northd:" % size)
    rc, kc = ref["compile"]["compile_s"], kiln["compile"]["compile_s"]
    print("  full compute >= 5x faster than ovn-northd: %.2fx -> %s"
          % (rc / kc, "met" if rc / kc >= 5 else "NOT met"))
    inc = (kiln["inc"] or {}).get("median_s")
    if inc is not None:
        print("  one-port change < 10 ms: %.1f ms -> %s"
              % (inc * 1000, "met" if inc < 0.010 else "NOT met"))
    sw = median(kiln["new_switch_s"])
    if sw is not None:
        print("  new switch < 10 ms: %.1f ms -> %s"
              % (sw * 1000, "met" if sw < 0.010 else "NOT met"))
    rm, km = ref["end_hwm_kb"], kiln["end_hwm_kb"]
    if rm and km:
        print("  no more memory (peak RSS): %.1f vs %.1f MiB -> %s"
              % (km / 1024, rm / 1024, "met" if km <= rm else "NOT met"))
    if size != "large":
        print("  (the latency goals are stated at 20,000 ports: "
              "--sizes large)")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="medium,large",
                   help="comma-separated: small, medium, large "
                        "(default medium,large)")
    p.add_argument("--setups", default="ovn,kiln,kiln-ovs",
                   help="comma-separated: ovn, kiln, kiln-ovs (default all)")
    p.add_argument("--incremental", type=int, default=5,
                   help="one-port additions per run (default 5)")
    p.add_argument("--new-switches", type=int, default=3,
                   help="switch additions per run (default 3)")
    p.add_argument("--noop-syncs", type=int, default=1,
                   help="no-change syncs per run (default 1)")
    p.add_argument("--timeout", type=float, default=300,
                   help="max seconds for one sb_cfg catch-up (default 300)")
    p.add_argument("--keep-logs", metavar="DIR",
                   help="copy each run's logs to DIR/SETUP-SIZE")
    p.add_argument("--verbose", action="store_true",
                   help="print each run's raw result on stderr")
    a = p.parse_args()
    a.sizes = [s for s in a.sizes.split(",") if s]
    a.setups = [s for s in a.setups.split(",") if s]
    for s in a.sizes:
        if s not in SIZES:
            p.error("unknown size %r" % s)
    for s in a.setups:
        if s not in SETUPS:
            p.error("unknown setup %r" % s)
    return a


def main():
    args = parse_args()
    if nbh is None or not os.path.exists(HARNESS):
        print("northd-bench: harness not found: %s" % HARNESS,
              file=sys.stderr)
        return 2
    bins = binaries()
    tmp = tempfile.mkdtemp(prefix="kiln-northd-bench-")
    status = 0
    try:
        for size in args.sizes:
            results = {}
            for setup in args.setups:
                print("# %s %s ..." % (size, SETUPS[setup][2]),
                      file=sys.stderr, flush=True)
                try:
                    results[setup] = run_setup(args, bins, setup, size, tmp)
                except BenchError as e:
                    status = 2
                    results[setup] = str(e)
                    print("northd-bench: %s %s: %s"
                          % (size, SETUPS[setup][2], e), file=sys.stderr,
                          flush=True)
            print_table(size, results, args.setups)
            print_goals(size, results)
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
