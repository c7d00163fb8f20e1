#!/usr/bin/python3
"""Side-by-side OVSDB benchmark: kiln-db against Debian's ovsdb-server.

For every workload of ../shared/bench/ovsdb_bench.py (seq, pipe, bulk,
seqmon) and every repetition, starts each server afresh on an empty
OVN_Northbound database in a temporary directory (unix socket), runs one
repetition of the workload against it with the chosen client, and stops it.
The two servers take turns going first from one repetition to the next, so
that noise from other work on the machine falls on both.  Prints one table
of medians: workload, metric, ovsdb-server, kiln-db, and the ratio, oriented
so that above 1 means kiln-db is better; then the issue's goals, met or not.

Clients (--client): "python" is ../shared/bench/ovsdb_bench.py; "c" is
bench/ovsdb-load from the build directory, which speaks the same protocol
with the same rows and prints the same records, and is fast enough that the
server, not the client, limits the rate.

CPU placement (--pin): a request-reply exchange between two processes runs
up to 4x faster, with half the server CPU per transaction, when both share
a CPU than when every message has to wake the other CPU, and the scheduler
picks either at random, so unpinned figures vary by 3x from run to run on a
2-CPU machine.  By default ("--pin same") the server and the client's
writer are pinned to one CPU (--cpu, default 0); the C client's monitor
processes (seqmon) go to the other CPUs.  The Python client's monitor
processes cannot be placed and share the server's CPU: use --client c for
seqmon figures.  "--pin none" leaves placement to the scheduler.

Binaries: kiln-db is $KILN_DB_BIN, else $KILN_BUILD/ovsdb/kiln-db, else
build/ovsdb/kiln-db; the peer is $OVSDB_SERVER_BIN, else
/usr/sbin/ovsdb-server.  A binary named ovsdb-server gets its database from
ovsdb-tool create; anything else from "BIN create FILE SCHEMA".  So
KILN_DB_BIN=/usr/sbin/ovsdb-server compares ovsdb-server with itself, which
checks this script (every ratio should be near 1).

Exit status: 0 after printing the table; 2 if a server fails to start or a
client fails; 1 with --check-goals if a goal is not met.
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
WORKLOADS = ["seq", "pipe", "bulk", "seqmon"]
DB = "OVN_Northbound"
PEER = "ovsdb-server"
KILN = "kiln-db"


class BenchError(Exception):
    """A server or client failed; the run cannot go on."""


def build_dir():
    return os.path.abspath(os.environ.get("KILN_BUILD")
                           or os.path.join(TOP, "build"))


def find_schema(arg):
    if arg:
        return arg
    for path in ("/usr/share/ovn/ovn-nb.ovsschema",
                 os.path.join(TOP, "schemas", "ovn-nb.ovsschema")):
        if os.path.exists(path):
            return path
    raise BenchError("no OVN_Northbound schema found (use --schema)")


class Server:
    """One OVSDB server process on a fresh database in its own directory."""

    def __init__(self, side, binary, schema, tmp, cpus):
        self.side = side            # PEER or KILN
        self.cpus = cpus            # CPUs to pin the process to, or None
        self.binary = binary
        self.schema = schema
        self.dir = os.path.join(tmp, side)
        self.sock = os.path.join(self.dir, "db.sock")
        self.proc = None

    def _create_db(self, db):
        if os.path.basename(self.binary).startswith("ovsdb-server"):
            tool = os.path.join(os.path.dirname(self.binary), "ovsdb-tool")
            if not os.path.exists(tool):
                tool = shutil.which("ovsdb-tool") or "/usr/bin/ovsdb-tool"
            cmd = [tool, "create", db, self.schema]
        else:
            cmd = [self.binary, "create", db, self.schema]
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode:
            raise BenchError("%s: %s failed (status %d):\n%s"
                             % (self.side, " ".join(cmd), r.returncode,
                                r.stdout))

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise BenchError("%s: %s not found or not executable (build it, "
                             "or set KILN_DB_BIN / OVSDB_SERVER_BIN)"
                             % (self.side, self.binary))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        db = os.path.join(self.dir, "nb.db")
        self._create_db(db)
        self.log = os.path.join(self.dir, "server.log")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--remote=punix:" + self.sock,
                 "--unixctl=" + os.path.join(self.dir, "db.ctl"), db],
                cwd=self.dir, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, preexec_fn=pinner(self.cpus))
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise BenchError("%s exited with status %d at start:\n%s"
                                 % (self.side, self.proc.returncode,
                                    self.log_tail()))
            if self._serves_db():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise BenchError("%s did not serve %s on %s within 10 s:\n%s"
                                 % (self.side, DB, self.sock,
                                    self.log_tail()))
            time.sleep(0.02)

    def _serves_db(self):
        """True if the server answers list_dbs with OVN_Northbound."""
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
                        reply = json.loads(buf)
                    except ValueError:
                        continue
                    return DB in (reply.get("result") or [])
        except OSError:
            return False

    def log_tail(self):
        try:
            with open(self.log) as f:
                return "".join(f.readlines()[-20:])
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def pinner(cpus):
    """A preexec_fn that pins the child to 'cpus' (None: does nothing)."""
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def client_command(args, workload, server):
    common = ["--remote", "unix:" + server.sock, "--pid",
              str(server.proc.pid), "--test", workload, "--n", str(args.n),
              "--reps", "1", "--window", str(args.window), "--monitors",
              str(args.monitors), "--label", server.side]
    if args.client == "c":
        if args.monitor_cpus:
            common += ["--monitor-cpus",
                       ",".join(str(c) for c in sorted(args.monitor_cpus))]
        return [args.load_bin] + common
    return ["/usr/bin/python3", args.bench_py] + common


def run_one(args, workload, server):
    """Runs one repetition of 'workload' on a fresh 'server'; returns the
    client's record."""
    server.start()
    try:
        cmd = client_command(args, workload, server)
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           timeout=args.timeout,
                           preexec_fn=pinner(args.server_cpus))
        if server.proc.poll() is not None:
            raise BenchError("%s died during %s:\n%s"
                             % (server.side, workload, server.log_tail()))
    except subprocess.TimeoutExpired:
        raise BenchError("%s: %s client timed out after %d s"
                         % (server.side, workload, args.timeout))
    finally:
        server.stop()
    recs = [json.loads(line) for line in r.stdout.splitlines()
            if line.startswith("{")]
    if r.returncode or len(recs) != 1:
        raise BenchError("%s: %s client failed (status %d):\n%s%s"
                         % (server.side, workload, r.returncode, r.stdout,
                            r.stderr))
    return recs[0]


# --------------------------------------------------------------------------
# The table.

def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def mib(kb):
    return None if kb is None else kb / 1024.0


def per_unit_us(rec, key):
    cpu = rec.get("server_cpu_s")
    return None if cpu is None else cpu * 1e6 / rec[key]


# Metrics: (name, function of one record, higher_is_better, decimals).
def metrics(workload):
    if workload == "bulk":
        rate = [("rows/s", lambda r: r.get("rows_per_s"), True, 0),
                ("commit s", lambda r: r.get("elapsed_s"), False, 3)]
        cpu_unit = ("CPU us/row",
                    lambda r: per_unit_us(r, "n"), False, 2)
    else:
        rate = [("tx/s", lambda r: r.get("tx_per_s"), True, 0)]
        cpu_unit = ("CPU us/tx", lambda r: per_unit_us(r, "n"), False, 1)
    out = rate + [
        ("server CPU s", lambda r: r.get("server_cpu_s"), False, 2),
        cpu_unit,
        ("RSS after MiB", lambda r: mib(r.get("server_rss_kb")), False, 1),
        ("peak RSS MiB", lambda r: mib(r.get("server_hwm_kb")), False, 1),
    ]
    if workload == "seqmon":
        out += [("last monitor update s",
                 lambda r: r.get("all_monitors_done_s"), False, 3),
                ("monitor lag after reply s",
                 lambda r: r.get("monitor_lag_after_last_reply_s"), False, 4)]
    out += [("client CPU s",
             lambda r: (r.get("client_cpu_s") or 0)
             + (r.get("monitor_clients_cpu_s") or 0), None, 2)]
    return out


def fmt(x, nd):
    if x is None:
        return "-"
    if nd == 0 or abs(x) >= 10000:
        return "{:,.0f}".format(x)
    return "{:.{}f}".format(x, nd)


def ratio(peer, kiln, higher_better):
    """peer/kiln oriented so that > 1 means kiln is better, or None."""
    if higher_better is None or peer is None or kiln is None:
        return None
    if peer <= 0 or kiln <= 0:
        return None
    if higher_better:
        return kiln / peer
    return peer / kiln


def summarize(args, results):
    """Prints the table; returns {(workload, metric): ratio}."""
    ratios = {}
    print("\novsdb bench: n=%d, %d rep(s) (medians), client=%s, window=%d, "
          "monitors=%d, pin=%s" % (args.n, args.reps, args.client,
                                   args.window, args.monitors, args.pin))
    print("  %s: %s\n  %s: %s" % (PEER, args.peer_bin, KILN, args.kiln_bin))
    print("  ratio: above 1 means kiln-db is better (faster, less CPU, "
          "less memory)\n")
    head = "%-8s %-26s %14s %14s %8s" % ("workload", "metric", PEER, KILN,
                                          "ratio")
    print(head)
    print("-" * len(head))
    for w in args.workloads:
        for name, get, higher, nd in metrics(w):
            p = median([get(r) for r in results[w][PEER]])
            k = median([get(r) for r in results[w][KILN]])
            q = ratio(p, k, higher)
            ratios[(w, name)] = q
            print("%-8s %-26s %14s %14s %8s"
                  % (w, name, fmt(p, nd), fmt(k, nd),
                     "-" if q is None else "%.2fx" % q))
    foreign = [r.get("foreign_cpu_s") for w in args.workloads
               for side in (PEER, KILN) for r in results[w][side]]
    foreign = [f for f in foreign if f is not None]
    if foreign:
        print("\nother load on the machine during a run: up to %.2f CPU s "
              "(foreign_cpu_s)" % max(foreign))
    return ratios


def check_goals(args, ratios):
    """Prints each goal of the issue, met or not; returns True if all are."""
    goals = []
    for w in args.workloads:
        rate = "rows/s" if w == "bulk" else "tx/s"
        unit = "CPU us/row" if w == "bulk" else "CPU us/tx"
        goals.append(("%s: %s at least 2x" % (w, rate), ratios[(w, rate)], 2))
        goals.append(("%s: %s at most half" % (w, unit), ratios[(w, unit)],
                      2))
        goals.append(("%s: peak RSS no more" % w,
                      ratios[(w, "peak RSS MiB")], 1))
        if w == "seqmon":
            goals.append(("seqmon: last monitor update at least 2x faster",
                          ratios[(w, "last monitor update s")], 2))
    print("\ngoals (kiln-db vs ovsdb-server):")
    ok = True
    for text, q, need in goals:
        # Judged on the ratio as printed (2 decimals).
        met = q is not None and round(q, 2) >= need
        ok = ok and met
        print("  %-50s %-8s %s" % (text, "met" if met else
                                   "NOT met" if q is not None else "unknown",
                                   "" if q is None else "(%.2fx)" % q))
    return ok


def parse_args():
    ap = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tests", default=",".join(WORKLOADS),
                    help="comma-separated workloads (default: all four)")
    ap.add_argument("--n", type=int, default=10000,
                    help="transactions (rows for bulk) per run")
    ap.add_argument("--reps", type=int, default=5,
                    help="repetitions per server (a fresh server each)")
    ap.add_argument("--window", type=int, default=64, help="pipe: in flight")
    ap.add_argument("--monitors", type=int, default=50,
                    help="seqmon: monitoring clients")
    ap.add_argument("--client", choices=["c", "python"], default="python",
                    help="load generator (default python)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: --n 500 --reps 1")
    ap.add_argument("--pin", choices=["same", "none"], default="same",
                    help="CPU placement (see above; default same)")
    ap.add_argument("--cpu", type=int, default=0,
                    help="with --pin same: the server's CPU (default 0)")
    ap.add_argument("--schema", help="OVN_Northbound schema file")
    ap.add_argument("--out", metavar="DIR",
                    help="also write each server's records to "
                    "DIR/<server>.jsonl (for summarize.py)")
    ap.add_argument("--timeout", type=int, default=600,
                    help="seconds allowed per client run")
    ap.add_argument("--check-goals", action="store_true",
                    help="exit 1 unless every goal of the issue is met")
    args = ap.parse_args()
    if args.quick:
        args.n, args.reps = 500, 1
    args.workloads = [t for t in args.tests.split(",") if t]
    bad = [t for t in args.workloads if t not in WORKLOADS]
    if bad or not args.workloads or args.n < 1 or args.reps < 1:
        ap.error("bad --tests, --n or --reps")
    allowed = os.sched_getaffinity(0)
    args.server_cpus = args.monitor_cpus = None
    if args.pin == "same":
        if args.cpu not in allowed:
            ap.error("--cpu %d is not available to this process" % args.cpu)
        args.server_cpus = {args.cpu}
        args.monitor_cpus = (allowed - {args.cpu}) or None
    args.kiln_bin = os.environ.get("KILN_DB_BIN") or os.path.join(
        build_dir(), "ovsdb", "kiln-db")
    args.peer_bin = os.environ.get("OVSDB_SERVER_BIN",
                                   "/usr/sbin/ovsdb-server")
    args.load_bin = os.environ.get("OVSDB_LOAD_BIN") or os.path.join(
        build_dir(), "bench", "ovsdb-load")
    args.bench_py = os.path.join(os.path.dirname(TOP), "shared", "bench",
                                 "ovsdb_bench.py")
    return args


def main():
    args = parse_args()
    if args.client == "c" and not os.access(args.load_bin, os.X_OK):
        sys.exit("ovsdb-bench: %s not built (ninja -C %s bench/ovsdb-load, "
                 "or set OVSDB_LOAD_BIN)" % (args.load_bin, build_dir()))
    if args.client == "python" and not os.path.exists(args.bench_py):
        sys.exit("ovsdb-bench: %s not found" % args.bench_py)

    for side, binary in ((PEER, args.peer_bin), (KILN, args.kiln_bin)):
        if not os.access(binary, os.X_OK):
            print("ovsdb-bench: %s: %s not found or not executable (build "
                  "it, or set KILN_DB_BIN / OVSDB_SERVER_BIN)"
                  % (side, binary), file=sys.stderr)
            return 2

    tmp = tempfile.mkdtemp(prefix="kiln-bench-")
    results = {w: {PEER: [], KILN: []} for w in args.workloads}
    try:
        schema = find_schema(args.schema)
        servers = [Server(PEER, args.peer_bin, schema, tmp,
                          args.server_cpus),
                   Server(KILN, args.kiln_bin, schema, tmp,
                          args.server_cpus)]
        out = {}
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            out = {s.side: open(os.path.join(args.out, s.side + ".jsonl"),
                                "a") for s in servers}
        for w in args.workloads:
            for rep in range(args.reps):
                order = servers if rep % 2 == 0 else servers[::-1]
                for server in order:
                    rec = run_one(args, w, server)
                    rec["rep"] = rep
                    results[w][server.side].append(rec)
                    if out:
                        out[server.side].write(json.dumps(rec) + "\n")
                        out[server.side].flush()
                    print("%-6s rep %d %-12s %s" % (
                        w, rep, server.side,
                        "%s %s" % (("rows/s", rec.get("rows_per_s"))
                                   if w == "bulk"
                                   else ("tx/s", rec.get("tx_per_s")))),
                        file=sys.stderr, flush=True)
    except BenchError as e:
        print("ovsdb-bench: %s" % e, file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ratios = summarize(args, results)
    ok = check_goals(args, ratios)
    return 1 if args.check_goals and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
