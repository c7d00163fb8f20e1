"""Kiln test harness: database servers, a raw JSON-RPC client, helpers.

A plain module (no pytest inside), importable from Debian's
/usr/bin/python3.  tests/conftest.py wraps it in fixtures that stop every
server at teardown, pass or fail.

Environment:
  KILN_BUILD   the Meson build directory (default /work/main/build)
  KILN_TARGET  "kiln" (default) or "ovs": the kind of server compare tests
               treat as the target; the reference is always "ovs".
"""

import errno
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BUILD = os.path.abspath(os.environ.get("KILN_BUILD", "/work/main/build"))
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = {
    "nb": "/usr/share/ovn/ovn-nb.ovsschema",
    "sb": "/usr/share/ovn/ovn-sb.ovsschema",
    "vswitch": "/usr/share/openvswitch/vswitch.ovsschema",
}
KILN_DB = os.path.join(BUILD, "ovsdb", "kiln-db")
OVSDB_SERVER = "/usr/sbin/ovsdb-server"
OVSDB_TOOL = "/usr/bin/ovsdb-tool"
OVSDB_CLIENT = "/usr/bin/ovsdb-client"
OVS_APPCTL = "/usr/bin/ovs-appctl"

# The longest path a sockaddr_un holds, less a margin.
_SUN_PATH_MAX = 100


def target_kind():
    """The server kind under test: $KILN_TARGET, "kiln" by default."""
    kind = os.environ.get("KILN_TARGET", "kiln")
    if kind not in ("kiln", "ovs"):
        raise ValueError("KILN_TARGET must be 'kiln' or 'ovs', not %r" % kind)
    return kind


def run(cmd, check=True, timeout=30, stderr=False, **kw):
    """Runs 'cmd' (a list, or a string for the shell) and returns its
    standard output as text.  With stderr=True, standard error is appended
    to the output (merged in order).  With check=True a non-zero exit raises
    RuntimeError carrying the command, status and both streams.  Any other
    keyword goes to subprocess.run (e.g. input=, env=, cwd=)."""
    shell = isinstance(cmd, str)
    p = subprocess.run(cmd, shell=shell, timeout=timeout, text=True,
                       stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT if stderr else subprocess.PIPE,
                       **kw)
    if check and p.returncode != 0:
        raise RuntimeError("command %r exited %d\nstdout:\n%s\nstderr:\n%s"
                           % (cmd, p.returncode, p.stdout, p.stderr))
    return p.stdout


def run_proc(cmd, timeout=30, **kw):
    """Like run(check=False) but returns the CompletedProcess, so the caller
    sees returncode, stdout and stderr separately."""
    shell = isinstance(cmd, str)
    return subprocess.run(cmd, shell=shell, timeout=timeout, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          **kw)


_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                      r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def normalize(text):
    """Replaces each distinct UUID in 'text' by <0>, <1>, ... in order of
    first appearance, so two runs that differ only in UUIDs compare
    equal."""
    seen = {}

    def sub(m):
        u = m.group(0).lower()
        if u not in seen:
            seen[u] = "<%d>" % len(seen)
        return seen[u]
    return _UUID_RE.sub(sub, text)


# RFC 7047 fixes an error's tag ("constraint violation"); the wording of
# its "details" is each server's own.  Compare tests keep the tag only.
_DETAILS_RE = re.compile(r'"details":(\s*)"(?:[^"\\]|\\.)*"')


def mask_error_details(text):
    """Replaces the text of every "details" member in 'text' by
    <details>."""
    return _DETAILS_RE.sub(r'"details":\1"<details>"', text)


def schema_name(path):
    """The "name" member of the schema file at 'path'."""
    with open(path) as f:
        return json.load(f)["name"]


def short_dir(prefix="kiln"):
    """A fresh directory under /tmp with a short name (for unix sockets,
    whose paths are limited to ~108 bytes).  The caller removes it."""
    return tempfile.mkdtemp(prefix=prefix + "-", dir="/tmp")


class ServerError(RuntimeError):
    """A database server failed to start or to answer."""


class DbServer:
    """One database server process (Kiln's kiln-db or Debian's ovsdb-server)
    serving one database file per schema, listening on a unix socket.

    The process runs in the foreground as our child (never --detach), so
    pid() is exact and kill9() leaves nothing behind.  Files live in
    'workdir' (database files, log); the sockets live there too unless that
    path is too long for a unix socket, in which case a short directory
    under /tmp is made and removed by cleanup()."""

    def __init__(self, kind, workdir, schemas, name=None):
        if kind not in ("kiln", "ovs"):
            raise ValueError("kind must be 'kiln' or 'ovs', not %r" % kind)
        if isinstance(schemas, str):
            schemas = [schemas]
        self.kind = kind
        self.name = name or kind
        self.workdir = os.path.abspath(str(workdir))
        os.makedirs(self.workdir, exist_ok=True)
        self.schemas = [os.path.abspath(s) for s in schemas]
        self.db_files = []
        for s in self.schemas:
            base = os.path.basename(s)
            if base.endswith(".ovsschema"):
                base = base[:-len(".ovsschema")]
            self.db_files.append(os.path.join(
                self.workdir, "%s-%s.db" % (self.name, base)))
        sockdir = self.workdir
        self._own_sockdir = None
        if len(os.path.join(sockdir, self.name + ".ctl")) > _SUN_PATH_MAX:
            sockdir = self._own_sockdir = short_dir("kiln-" + self.name)
        self.sock_path = os.path.join(sockdir, self.name + ".sock")
        self.remote = "unix:" + self.sock_path
        self.ctl = os.path.join(sockdir, self.name + ".ctl")
        self.log_file = os.path.join(self.workdir, self.name + ".log")
        self.out_file = os.path.join(self.workdir, self.name + ".out")
        self.proc = None
        self._created = False
        self.extra_args = []

    # -- files ----------------------------------------------------------

    def create(self):
        """Creates the empty database files (once; start() calls it)."""
        if self._created:
            return
        for db, schema in zip(self.db_files, self.schemas):
            if os.path.exists(db):
                continue
            if self.kind == "ovs":
                run([OVSDB_TOOL, "create", db, schema])
            else:
                run([KILN_DB, "create", db, schema])
        self._created = True

    def command(self):
        """The command line that start() runs."""
        prog = OVSDB_SERVER if self.kind == "ovs" else KILN_DB
        return ([prog, "--remote=punix:" + self.sock_path,
                 "--unixctl=" + self.ctl, "--no-chdir",
                 "--log-file=" + self.log_file]
                + list(self.extra_args) + list(self.db_files))

    # -- lifecycle ------------------------------------------------------

    def start(self, timeout=10):
        """Starts the server and waits until its socket answers list_dbs and
        its unixctl socket exists.  Raises ServerError (with the log) if it
        exits or does not answer within 'timeout' seconds."""
        if self.running():
            raise ServerError("%s already running" % self.name)
        self.create()
        out = open(self.out_file, "ab")
        try:
            self.proc = subprocess.Popen(self.command(),
                                         stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=out,
                                         cwd=self.workdir)
        finally:
            out.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise ServerError("%s exited with status %d at start\n%s"
                                  % (self.name, self.proc.returncode,
                                     self.logs()))
            if os.path.exists(self.ctl) and self._answers():
                return
            if time.monotonic() > deadline:
                self.kill9()
                raise ServerError("%s did not answer within %gs\n%s"
                                  % (self.name, timeout, self.logs()))
            time.sleep(0.02)

    def _answers(self):
        try:
            with RpcClient(self.sock_path, timeout=2) as c:
                r = c.call("list_dbs", [])
                return isinstance(r.get("result"), list)
        except (OSError, ValueError, RpcError):
            return False

    def running(self):
        """True if the process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def pid(self):
        """The server's process id (the child we started)."""
        if self.proc is None:
            raise ServerError("%s not started" % self.name)
        return self.proc.pid

    def stop(self, timeout=5):
        """Stops gracefully ("ovs-appctl exit"), then SIGTERM, then SIGKILL
        if it lingers.  Returns the exit status (None if not started)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                run([OVS_APPCTL, "-t", self.ctl, "exit"], check=False,
                    timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(2)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        return self.proc.returncode

    def kill9(self):
        """Kills the server with SIGKILL and reaps it."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()

    def restart(self, timeout=10):
        """Stops the server if it runs (gracefully) and starts it again on
        the same files."""
        self.stop()
        self.start(timeout=timeout)

    def cleanup(self):
        """Kills the server if still running and removes the short socket
        directory if one was made.  Safe to call more than once."""
        self.kill9()
        if self._own_sockdir:
            shutil.rmtree(self._own_sockdir, ignore_errors=True)
            self._own_sockdir = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            self.cleanup()

    # -- inspection -----------------------------------------------------

    def appctl(self, *args, check=True, timeout=10):
        """Runs "ovs-appctl -t CTL ARGS..." and returns its output."""
        return run([OVS_APPCTL, "-t", self.ctl] + [str(a) for a in args],
                   check=check, timeout=timeout)

    def client(self, *args, check=True, timeout=30, stderr=False, **kw):
        """Runs "ovsdb-client ARGS..." against this server: the remote is
        inserted after the command name (the first argument that does not
        start with "-"), as ovsdb-client expects."""
        args = [str(a) for a in args]
        i = 0
        while i < len(args) and args[i].startswith("-"):
            i += 1
        cmd = [OVSDB_CLIENT] + args[:i + 1] + [self.remote] + args[i + 1:]
        return run(cmd, check=check, timeout=timeout, stderr=stderr, **kw)

    def rss_kib(self):
        """The server's resident set size in KiB (from /proc)."""
        with open("/proc/%d/status" % self.pid()) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def logs(self):
        """The server's log file and console output (for error messages)."""
        text = ""
        for path in (self.log_file, self.out_file):
            try:
                with open(path, errors="replace") as f:
                    text += "--- %s\n%s" % (path, f.read()[-8000:])
            except OSError:
                pass
        return text

    def connect(self, timeout=10):
        """A new RpcClient connected to this server."""
        return RpcClient(self.sock_path, timeout=timeout)


# -- raw JSON-RPC (RFC 7047 framing: concatenated JSON texts) --------------

class RpcError(Exception):
    """A JSON-RPC peer closed the connection or sent unparseable data."""


class _Framer:
    """Splits a byte stream of concatenated JSON objects/arrays into texts
    by tracking bracket depth outside strings."""

    def __init__(self):
        self.buf = bytearray()
        self.pos = 0        # next byte to scan
        self.start = None   # start of the current text
        self.depth = 0
        self.in_str = False
        self.esc = False

    def feed(self, data):
        self.buf += data

    def next(self):
        """Returns one complete JSON text (bytes) or None."""
        buf = self.buf
        n = len(buf)
        i = self.pos
        while i < n:
            c = buf[i]
            if self.start is None:
                if c in b" \t\r\n":
                    i += 1
                    continue
                if c not in b"{[":
                    raise RpcError("junk in stream: %r" % bytes(buf[i:i + 40]))
                self.start = i
            if self.in_str:
                if self.esc:
                    self.esc = False
                elif c == 0x5c:
                    self.esc = True
                elif c == 0x22:
                    self.in_str = False
            elif c == 0x22:
                self.in_str = True
            elif c in b"{[":
                self.depth += 1
            elif c in b"}]":
                self.depth -= 1
                if self.depth == 0:
                    text = bytes(buf[self.start:i + 1])
                    del buf[:i + 1]
                    self.pos = 0
                    self.start = None
                    return text
            i += 1
        self.pos = i
        return None


class RpcClient:
    """A blocking JSON-RPC connection over a unix socket (path, or
    "unix:PATH").  Replies to the server's "echo" requests itself and
    queues notifications (e.g. "update") in self.notifications."""

    def __init__(self, path, timeout=10):
        if path.startswith("unix:"):
            path = path[5:]
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.framer = _Framer()
        self.next_id = 0
        self.notifications = []
        self.replies = {}

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        """Sends bytes (or str) as they are."""
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def send(self, msg):
        """Sends one JSON-RPC message (a dict)."""
        self.send_raw(json.dumps(msg, separators=(",", ":")))

    def recv(self):
        """Returns the next message from the server, blocking.  Raises
        RpcError if the server closes the connection, socket.timeout on
        timeout."""
        while True:
            text = self.framer.next()
            if text is not None:
                try:
                    return json.loads(text)
                except ValueError as e:
                    raise RpcError("bad JSON from server: %s" % e)
            data = self.sock.recv(65536)
            if not data:
                raise RpcError("connection closed by server")
            self.framer.feed(data)

    def request(self, method, params):
        """Sends a request and returns its id (without waiting)."""
        rid = self.next_id
        self.next_id += 1
        self.send({"method": method, "params": params, "id": rid})
        return rid

    def wait_reply(self, rid):
        """Waits for the reply with id 'rid' and returns the whole message
        ({"id", "result", "error"}).  Answers echo requests and queues
        notifications and other replies meanwhile."""
        if rid in self.replies:
            return self.replies.pop(rid)
        while True:
            msg = self.recv()
            if msg.get("method") == "echo" and msg.get("id") is not None:
                self.send({"id": msg["id"], "result": msg.get("params", []),
                           "error": None})
            elif "method" in msg:
                self.notifications.append(msg)
            elif msg.get("id") == rid:
                return msg
            else:
                self.replies[msg.get("id")] = msg

    def call(self, method, params):
        """Sends a request and waits for its reply message."""
        return self.wait_reply(self.request(method, params))

    def transact(self, db, *ops):
        """Runs a "transact" and returns the reply message."""
        return self.call("transact", [db] + list(ops))

    def next_notification(self):
        """Returns the oldest queued notification, or waits for one."""
        if self.notifications:
            return self.notifications.pop(0)
        while True:
            msg = self.recv()
            if msg.get("method") == "echo" and msg.get("id") is not None:
                self.send({"id": msg["id"], "result": msg.get("params", []),
                           "error": None})
            elif "method" in msg:
                return msg
            else:
                self.replies[msg.get("id")] = msg


def wait_for(pred, timeout=10, interval=0.02, what="condition"):
    """Polls pred() until it returns a true value (returned) or raises
    TimeoutError after 'timeout' seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for " + what)
        time.sleep(interval)


def is_alive(pid):
    """True if process 'pid' exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError as e:
        if e.errno == errno.ENOENT:
            return False
        raise


def wait_link_running(ns, dev, timeout=10):
    """Waits until 'dev' in namespace 'ns' has operstate UP.  A veth whose
    peer just came up has carrier at once, but the kernel attaches its real
    queueing discipline only in the link-watch work that also sets the
    operstate, and that work can be held back up to a second; until it
    runs, every packet sent on the device is dropped (a lost first ARP
    request then costs a one-second retransmission)."""
    path = ["ip", "netns", "exec", ns, "cat",
            "/sys/class/net/%s/operstate" % dev]
    wait_for(lambda: subprocess.run(path, capture_output=True, text=True)
             .stdout.strip() == "up", timeout=timeout,
             what="%s in %s to be up" % (dev, ns))


def ping_received(output):
    """The number of replies in ping's summary line ("N received")."""
    m = re.search(r"(\d+) received", output)
    return int(m.group(1)) if m else 0
