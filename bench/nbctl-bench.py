#!/usr/bin/python3
"""kiln-nbctl against ovn-nbctl: adding N logical switch ports.

On one database server (kiln-db, Debian's ovsdb-server, or each in turn),
times N times "lsp-add sw0 pI -- lsp-set-addresses pI 'MAC IP'":

  batch     all of them in one invocation (one transaction);
  separate  N invocations, one port each.

Each (server, mode, tool) run starts the server afresh on an empty
OVN_Northbound database holding NB_Global and the switch sw0, made before
the clock starts.  Prints one table of wall times and the ratio ovn-nbctl
time / kiln-nbctl time (above 1: kiln-nbctl is faster).  Exit status 2 if
a server or a command fails.

Binaries: kiln-nbctl and kiln-db from $KILN_BUILD (default build/), or
$KILN_NBCTL_BIN / $KILN_DB_BIN; ovn-nbctl from $OVN_NBCTL_BIN or PATH;
ovsdb-server from $OVSDB_SERVER_BIN or /usr/sbin/ovsdb-server.
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
DB = "OVN_Northbound"


class BenchError(Exception):
    """A server or command failed; the run cannot go on."""


def build_dir():
    return os.path.abspath(os.environ.get("KILN_BUILD")
                           or os.path.join(TOP, "build"))


def binaries():
    b = build_dir()
    return {
        "kiln-db": os.environ.get("KILN_DB_BIN")
        or os.path.join(b, "ovsdb", "kiln-db"),
        "ovsdb-server": os.environ.get("OVSDB_SERVER_BIN")
        or "/usr/sbin/ovsdb-server",
        "kiln-nbctl": os.environ.get("KILN_NBCTL_BIN")
        or os.path.join(b, "tools", "kiln-nbctl"),
        "ovn-nbctl": os.environ.get("OVN_NBCTL_BIN")
        or shutil.which("ovn-nbctl") or "/usr/bin/ovn-nbctl",
    }


def find_schema():
    for path in ("/usr/share/ovn/ovn-nb.ovsschema",
                 os.path.join(TOP, "schemas", "ovn-nb.ovsschema")):
        if os.path.exists(path):
            return path
    raise BenchError("no OVN_Northbound schema found")


class Server:
    """One database server on a fresh OVN_Northbound database."""

    def __init__(self, binary, schema, workdir):
        self.binary = binary
        self.schema = schema
        self.dir = workdir
        self.sock = os.path.join(workdir, "nb.sock")
        self.proc = None

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise BenchError("%s not found or not executable"
                             % self.binary)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        db = os.path.join(self.dir, "nb.db")
        if os.path.basename(self.binary).startswith("ovsdb-server"):
            tool = shutil.which("ovsdb-tool") or "/usr/bin/ovsdb-tool"
            create = [tool, "create", db, self.schema]
        else:
            create = [self.binary, "create", db, self.schema]
        r = subprocess.run(create, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode:
            raise BenchError("%s failed:\n%s" % (" ".join(create), r.stdout))
        self.log = os.path.join(self.dir, "server.log")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--remote=punix:" + self.sock,
                 "--unixctl=" + os.path.join(self.dir, "db.ctl"), db],
                cwd=self.dir, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self._serves_db():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise BenchError("%s did not start:\n%s"
                                 % (self.binary, self.log_tail()))
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
                        return DB in (json.loads(buf).get("result") or [])
                    except ValueError:
                        continue
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


def port_commands(i):
    """The commands that add port i: lsp-add, then lsp-set-addresses with
    a MAC and an IPv4 address unique to it."""
    mac = "0a:00:00:%02x:%02x:%02x" % ((i >> 16) & 255, (i >> 8) & 255,
                                        i & 255)
    n = i + 1
    ip = "10.%d.%d.%d" % ((n >> 16) & 255, (n >> 8) & 255, n & 255)
    return [["lsp-add", "sw0", "p%d" % i],
            ["lsp-set-addresses", "p%d" % i, "%s %s" % (mac, ip)]]


def joined(commands):
    argv = []
    for c in commands:
        if argv:
            argv.append("--")
        argv.extend(c)
    return argv


def run_tool(tool, sock, argv):
    cmd = [tool, "--db=unix:" + sock, "--no-wait", "--timeout=600"] + argv
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True,
                       env={k: v for k, v in os.environ.items()
                            if not k.startswith(("OVN_", "OVS_"))})
    if r.returncode:
        shown = " ".join(cmd[:8]) + (" ..." if len(cmd) > 8 else "")
        raise BenchError("%s failed (status %d): %s"
                         % (shown, r.returncode, r.stderr.strip()[-500:]))
    return r.stdout


def count_ports(tool, sock):
    out = run_tool(tool, sock, ["--bare", "--columns=_uuid", "list",
                                "Logical_Switch_Port"])
    return len(out.split())


def run_one(bins, server_bin, tool, mode, n, schema, workdir):
    """Times one workload on a fresh server; returns seconds."""
    server = Server(server_bin, schema, workdir)
    server.start()
    try:
        run_tool(bins["ovn-nbctl"], server.sock, ["init", "--", "ls-add",
                                                  "sw0"])
        start = time.monotonic()
        if mode == "batch":
            cmds = []
            for i in range(n):
                cmds.extend(port_commands(i))
            run_tool(tool, server.sock, joined(cmds))
        else:
            for i in range(n):
                run_tool(tool, server.sock, joined(port_commands(i)))
        elapsed = time.monotonic() - start
        have = count_ports(bins["ovn-nbctl"], server.sock)
        if have != n:
            raise BenchError("%s %s: %d ports in the database, not %d"
                             % (tool, mode, have, n))
        return elapsed
    finally:
        server.stop()


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ports", type=int, default=5000,
                   help="ports to add (default 5000)")
    p.add_argument("--server", choices=["kiln", "ovs", "both"],
                   default="both", help="database server (default both)")
    return p.parse_args()


def main():
    args = parse_args()
    bins = binaries()
    for name in ("kiln-nbctl", "ovn-nbctl"):
        if not os.access(bins[name], os.X_OK):
            print("nbctl-bench: %s not found: %s" % (name, bins[name]),
                  file=sys.stderr)
            return 2
    servers = {"kiln": ["kiln-db"], "ovs": ["ovsdb-server"],
               "both": ["kiln-db", "ovsdb-server"]}[args.server]
    schema = find_schema()
    tmp = tempfile.mkdtemp(prefix="kiln-nbctl-bench-")
    rows = []
    try:
        for srv in servers:
            for mode in ("batch", "separate"):
                t = {}
                for tool in ("ovn-nbctl", "kiln-nbctl"):
                    t[tool] = run_one(bins, bins[srv], bins[tool], mode,
                                      args.ports, schema,
                                      os.path.join(tmp, "db"))
                rows.append((srv, mode, t["ovn-nbctl"], t["kiln-nbctl"]))
    except BenchError as e:
        print("nbctl-bench: %s" % e, file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("%d ports: lsp-add + lsp-set-addresses per port"
          % args.ports)
    print("%-13s %-9s %12s %12s %7s"
          % ("server", "mode", "ovn-nbctl s", "kiln-nbctl s", "ratio"))
    for srv, mode, ovn, kiln in rows:
        print("%-13s %-9s %12.3f %12.3f %6.2fx"
              % (srv, mode, ovn, kiln, ovn / kiln if kiln else 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
