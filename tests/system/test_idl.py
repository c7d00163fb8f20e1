"""The IDL (ovsdb/idl.h) against real servers: kiln-db and Debian's
ovsdb-server, each serving an OVN_Northbound database.

Each test drives tests/system/idl-test (one replica, commands on stdin,
one JSON line per answer), changes the database with ovn-nbctl and reads
it back over raw JSON-RPC to compare with the replica.
"""

import json
import os
import select
import subprocess
import tempfile
import time

import pytest

import kilntest

KINDS = ["kiln", "ovs"]
IDL_TEST = os.path.join(kilntest.BUILD, "tests", "system", "idl-test")
NBCTL = "/usr/bin/ovn-nbctl"
NB = "OVN_Northbound"


class Idl:
    """One idl-test process."""

    def __init__(self, remote, tables, extra=()):
        args = [IDL_TEST, "--remote", remote, "--db", NB]
        for t in tables:
            args += ["--table", t]
        args += list(extra)
        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err,
                                     text=True, bufsize=1)

    def log(self):
        self.err.seek(0)
        return self.err.read()[-6000:]

    def cmd(self, line, timeout=30):
        """Sends one command and returns its parsed answer."""
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError("idl-test: no answer to %r\n%s"
                               % (line, self.log()))
        out = self.proc.stdout.readline()
        if not out:
            raise RuntimeError("idl-test exited (%s) on %r\n%s"
                               % (self.proc.poll(), line, self.log()))
        answer = json.loads(out)
        if isinstance(answer, dict) and set(answer) == {"error"}:
            raise RuntimeError("idl-test: %r: %s" % (line, answer["error"]))
        return answer

    def sync(self):
        r = self.cmd("wait-sync")
        assert r["synced"], r
        return r

    def txn(self, *ops):
        return self.cmd("txn " + json.dumps(list(ops)))

    def wait_for(self, pred, what, timeout=10):
        """Runs the replica's loop until pred() is true."""
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                raise TimeoutError("timed out waiting for %s\n%s"
                                   % (what, self.log()))
            seqno = self.cmd("seqno")["seqno"]
            self.cmd("wait-change %d 200" % seqno)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(5)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.err.close()


@pytest.fixture
def make_idl():
    made = []

    def factory(server, tables, extra=()):
        idl = Idl(server.remote, tables, extra)
        made.append(idl)
        return idl
    yield factory
    for idl in made:
        idl.close()


def nbctl(server, *args):
    return kilntest.run([NBCTL, "--db=" + server.remote] + list(args))


def norm(value):
    """An RFC 7047 <value> in a form that compares regardless of element
    order and of the one-element-set shorthand."""
    if isinstance(value, list) and len(value) == 2 and value[0] == "set":
        return ("set", frozenset(norm(v) for v in value[1]))
    if isinstance(value, list) and len(value) == 2 and value[0] == "map":
        return ("map", frozenset((norm(k), norm(v)) for k, v in value[1]))
    if isinstance(value, list) and len(value) == 2 and value[0] == "uuid":
        return ("set", frozenset([("uuid", value[1])]))
    if isinstance(value, list):
        return tuple(norm(v) for v in value)
    return ("set", frozenset([value]))


def norm_rows(rows):
    return {u: {c: norm(v) for c, v in cols.items()}
            for u, cols in rows.items()}


def server_rows(server, table, columns=None):
    """All rows of 'table' as {uuid: {column: value}}, read with a
    "select"."""
    op = {"op": "select", "table": table, "where": []}
    with server.connect() as c:
        if columns is None:
            schema = c.call("get_schema", [NB])["result"]
            columns = list(schema["tables"][table]["columns"])
        op["columns"] = ["_uuid"] + list(columns)
        r = c.transact(NB, op)
    assert r["error"] is None, r
    rows = {}
    for row in r["result"][0]["rows"]:
        uuid = row.pop("_uuid")[1]
        rows[uuid] = row
    return norm_rows(rows)


def populate(server, n_switches=10, n_ports=5):
    """A northbound database with switches, ports, routers, ACLs and an
    address set, made by one ovn-nbctl transaction."""
    cmds = ["init"]
    for s in range(n_switches):
        cmds += ["--", "ls-add", "sw%d" % s,
                 "--", "set", "Logical_Switch", "sw%d" % s,
                 "external_ids:owner=test%d" % (s % 3)]
        for p in range(n_ports):
            name = "sw%d-p%d" % (s, p)
            cmds += ["--", "lsp-add", "sw%d" % s, name,
                     "--", "lsp-set-addresses", name,
                     "00:00:00:00:%02x:%02x 10.%d.0.%d" % (s, p, s, p + 2)]
        cmds += ["--", "acl-add", "sw%d" % s, "to-lport", "1000",
                 "ip4.src == 10.%d.0.0/24" % s, "allow-related"]
    for r in range(2):
        cmds += ["--", "lr-add", "lr%d" % r,
                 "--", "lrp-add", "lr%d" % r, "lrp%d" % r,
                 "00:00:00:01:00:%02x" % r, "192.168.%d.1/24" % r]
    cmds += ["--", "create", "Address_Set", "name=as1",
             'addresses="10.0.0.1","10.0.0.2"']
    nbctl(server, *cmds)


TABLES = ["Logical_Switch", "Logical_Switch_Port", "Logical_Router",
          "Logical_Router_Port", "ACL", "Address_Set", "NB_Global"]


@pytest.mark.parametrize("kind", KINDS)
def test_initial_sync_of_populated_nb(make_server, make_idl, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"])
    populate(server)
    idl = make_idl(server, TABLES)
    idl.sync()
    for table in TABLES:
        assert norm_rows(idl.cmd("dump " + table)) == \
            server_rows(server, table), table
    # Every table of the schema.
    every = make_idl(server, ["*"])
    every.sync()
    with server.connect() as c:
        schema = c.call("get_schema", [NB])["result"]
    for table in schema["tables"]:
        assert norm_rows(every.cmd("dump " + table)) == \
            server_rows(server, table), table
    track = idl.cmd("track " + " ".join(TABLES))
    assert len(track["Logical_Switch_Port"]["new"]) == 50
    assert len(track["Logical_Switch"]["new"]) == 10
    for table in TABLES:
        assert track[table]["modified"] == {}
        assert track[table]["deleted"] == []
    stats = idl.cmd("stats")
    assert stats["method"] == "monitor_cond_since"
    assert stats["full_syncs"] == 1


@pytest.mark.parametrize("kind", KINDS)
def test_nbctl_changes_are_tracked(make_server, make_idl, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"])
    populate(server, n_switches=3, n_ports=2)
    # Only some columns of the ports.
    idl = make_idl(server, ["Logical_Switch",
                            "Logical_Switch_Port:name,addresses"])
    idl.sync()
    idl.cmd("track")
    ls = {v["name"]: u for u, v in idl.cmd("dump Logical_Switch").items()}
    ports = {v["name"]: u
             for u, v in idl.cmd("dump Logical_Switch_Port").items()}

    seqno = idl.cmd("seqno")["seqno"]
    nbctl(server, "lsp-add", "sw0", "new",
          "--", "lsp-set-addresses", "sw0-p0", "00:00:00:00:99:99",
          "--", "lsp-set-enabled", "sw1-p0", "disabled",
          "--", "ls-del", "sw2")
    assert idl.cmd("wait-change %d" % seqno)["changed"]
    track = idl.cmd("track Logical_Switch Logical_Switch_Port")
    lsp = track["Logical_Switch_Port"]
    new_ports = {v["name"]: u
                 for u, v in idl.cmd("dump Logical_Switch_Port").items()}
    assert lsp["new"] == [new_ports["new"]]
    # "enabled" is not replicated: sw1-p0's change is invisible.
    assert lsp["modified"] == {ports["sw0-p0"]: ["addresses"]}
    assert sorted(lsp["deleted"]) == sorted([ports["sw2-p0"],
                                             ports["sw2-p1"]])
    assert track["Logical_Switch"]["modified"] == {ls["sw0"]: ["ports"]}
    assert track["Logical_Switch"]["deleted"] == [ls["sw2"]]
    assert norm_rows(idl.cmd("dump Logical_Switch_Port")) == \
        server_rows(server, "Logical_Switch_Port", ["name", "addresses"])
    # Nothing more is pending.
    assert idl.cmd("track Logical_Switch Logical_Switch_Port") == {
        t: {"new": [], "modified": {}, "deleted": []}
        for t in ["Logical_Switch", "Logical_Switch_Port"]}


@pytest.mark.parametrize("kind", KINDS)
def test_transactions(make_server, make_idl, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"])
    nbctl(server, "init", "--", "ls-add", "sw0",
          "--", "lsp-add", "sw0", "p1")
    idl = make_idl(server, ["Logical_Switch", "Logical_Switch_Port",
                            "NB_Global"])
    idl.sync()
    nb_global = list(idl.cmd("dump NB_Global"))[0]

    r = idl.txn(["insert", "Logical_Switch_Port"],
                ["set", "Logical_Switch_Port", "@0", "name", "p2"],
                ["set", "Logical_Switch_Port", "@0", "addresses",
                 ["set", ["00:00:00:00:00:02 10.0.0.2"]]],
                ["add", "Logical_Switch", "#sw0", "ports", "@0"],
                ["mapset", "Logical_Switch", "#sw0", "external_ids", "a",
                 "1"],
                ["mapset", "Logical_Switch_Port", "#p1", "options", "k",
                 "v"],
                ["inc", "NB_Global", nb_global, "nb_cfg"],
                ["comment", "idl test"])
    assert r["status"] == "success", r
    assert r["inc"] == 1
    new_uuid = r["inserted"][0]
    # Success means the replica already shows the commit.
    ports = idl.cmd("dump Logical_Switch_Port")
    assert ports[new_uuid]["name"] == "p2"
    assert nbctl(server, "get", "Logical_Switch_Port", "p2",
                 "_uuid").strip() == new_uuid
    assert nbctl(server, "get", "Logical_Switch", "sw0",
                 "external_ids:a").strip() == '"1"'
    assert nbctl(server, "get", "Logical_Switch_Port", "p1",
                 "options:k").strip() == "v"
    assert idl.txn(["inc", "NB_Global", nb_global, "nb_cfg"])["inc"] == 2

    # Partial updates keep another client's concurrent changes.
    nbctl(server, "set", "Logical_Switch", "sw0", "external_ids:b=2")
    r = idl.txn(["mapdel", "Logical_Switch", "#sw0", "external_ids", "a"],
                ["remove", "Logical_Switch", "#sw0", "ports",
                 ["uuid", new_uuid]])
    assert r["status"] == "success", r
    assert nbctl(server, "get", "Logical_Switch", "sw0",
                 "external_ids").strip() == '{b="2"}'
    assert nbctl(server, "--bare", "--columns=name", "list",
                 "Logical_Switch_Port").split() == ["p1"]

    # The server's errors come back as errors.
    r = idl.txn(["add", "Logical_Switch", "#sw0", "ports",
                 ["uuid", "01234567-89ab-cdef-0123-456789abcdef"]])
    assert r["status"] == "error", r
    assert "referential integrity violation" in r["error"]
    # Nothing to write: not sent.
    assert idl.txn(["verify", "Logical_Switch", "#sw0", "name"])[
        "status"] == "unchanged"


@pytest.mark.parametrize("kind", KINDS)
def test_stale_txn_tries_again(make_server, make_idl, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"])
    nbctl(server, "ls-add", "sw0", "--", "set", "Logical_Switch", "sw0",
          "external_ids:k=v1")
    idl = make_idl(server, ["Logical_Switch"])
    idl.sync()

    # Built on external_ids:k=v1...
    idl.cmd("txn-begin")
    idl.cmd('txn-op ["verify","Logical_Switch","#sw0","external_ids"]')
    idl.cmd('txn-op ["mapset","Logical_Switch","#sw0","other_config",'
            '"seen","v1"]')
    # ...which another client changes before the commit.
    seqno = idl.cmd("seqno")["seqno"]
    nbctl(server, "set", "Logical_Switch", "sw0", "external_ids:k=v2")
    assert idl.cmd("wait-change %d" % seqno)["changed"]
    r = idl.cmd("txn-commit")
    assert r["status"] == "try again", r
    assert nbctl(server, "get", "Logical_Switch", "sw0",
                 "other_config").strip() == "{}"

    # Rebuilt from the replica, it succeeds.
    r = idl.txn(["verify", "Logical_Switch", "#sw0", "external_ids"],
                ["mapset", "Logical_Switch", "#sw0", "other_config",
                 "seen", "v2"])
    assert r["status"] == "success", r
    assert nbctl(server, "get", "Logical_Switch", "sw0",
                 "other_config").strip().replace('"', '') == "{seen=v2}"

    # A row deleted under a transaction: try again, nothing written.
    idl.cmd("txn-begin")
    idl.cmd('txn-op ["set","Logical_Switch","#sw0","name","renamed"]')
    nbctl(server, "ls-add", "sw1")
    idl.cmd('txn-op ["mapset","Logical_Switch","#sw1","external_ids",'
            '"x","y"]')
    nbctl(server, "ls-del", "sw0")
    r = idl.cmd("txn-commit")
    assert r["status"] == "try again", r
    assert nbctl(server, "get", "Logical_Switch", "sw1",
                 "external_ids").strip() == "{}"


@pytest.mark.parametrize("kind", KINDS)
def test_condition_changes(make_server, make_idl, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"])
    populate(server, n_switches=2, n_ports=3)
    idl = make_idl(server, ["Logical_Switch_Port:name,addresses"])
    idl.sync()
    idl.cmd("track")
    names = {v["name"]: u
             for u, v in idl.cmd("dump Logical_Switch_Port").items()}

    def replica_names():
        return sorted(v["name"]
                      for v in idl.cmd("dump Logical_Switch_Port").values())

    r = idl.cmd('cond Logical_Switch_Port [["name","==","sw0-p1"]]')
    assert r["acked"]
    idl.wait_for(lambda: replica_names() == ["sw0-p1"], "sw0-p1 alone")
    track = idl.cmd("track Logical_Switch_Port")["Logical_Switch_Port"]
    assert sorted(track["deleted"]) == sorted(
        u for n, u in names.items() if n != "sw0-p1")
    assert track["new"] == []

    r = idl.cmd('cond Logical_Switch_Port [["name","==","sw1-p0"],'
                '["name","==","sw1-p9"]]')
    assert r["acked"]
    idl.wait_for(lambda: replica_names() == ["sw1-p0"], "sw1-p0 alone")
    track = idl.cmd("track Logical_Switch_Port")["Logical_Switch_Port"]
    assert track["new"] == [names["sw1-p0"]]
    assert track["deleted"] == [names["sw0-p1"]]

    # New rows appear only if they match.
    seqno = idl.cmd("seqno")["seqno"]
    nbctl(server, "lsp-add", "sw1", "sw1-p9", "--", "lsp-add", "sw1", "zz")
    assert idl.cmd("wait-change %d" % seqno)["changed"]
    assert replica_names() == ["sw1-p0", "sw1-p9"]

    assert idl.cmd("cond Logical_Switch_Port null")["acked"]
    idl.wait_for(lambda: len(replica_names()) == 8, "every port")
    assert norm_rows(idl.cmd("dump Logical_Switch_Port")) == \
        server_rows(server, "Logical_Switch_Port", ["name", "addresses"])


@pytest.mark.parametrize("kind", KINDS)
def test_reconnect_and_resume(make_server, make_idl, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"])
    populate(server, n_switches=3, n_ports=3)
    idl = make_idl(server, ["Logical_Switch", "Logical_Switch_Port"],
                   ["--backoff", "1000:2000"])
    idl.sync()
    idl.cmd("track")

    # A restart: the replica comes back equal, with nothing tracked.
    server.restart()
    idl.wait_for(lambda: idl.cmd("stats")["syncs"] == 2, "second sync")
    for table in ["Logical_Switch", "Logical_Switch_Port"]:
        assert norm_rows(idl.cmd("dump " + table)) == \
            server_rows(server, table)
    assert idl.cmd("track Logical_Switch Logical_Switch_Port") == {
        t: {"new": [], "modified": {}, "deleted": []}
        for t in ["Logical_Switch", "Logical_Switch_Port"]}

    # Changes made while the IDL is away arrive on reconnection.  (A
    # transaction first, so that the IDL has a transaction id to resume
    # from: a server that restarted has none.)
    seqno = idl.cmd("seqno")["seqno"]
    nbctl(server, "set", "Logical_Switch", "sw1", "external_ids:x=y")
    assert idl.cmd("wait-change %d" % seqno)["changed"]
    idl.cmd("track")
    before = idl.cmd("stats")
    assert not idl.cmd("reconnect")["connected"]
    nbctl(server, "lsp-add", "sw0", "late",
          "--", "lsp-set-addresses", "sw0-p0", "00:00:00:00:aa:aa")
    idl.wait_for(lambda: idl.cmd("stats")["syncs"] == 3, "third sync")
    stats = idl.cmd("stats")
    track = idl.cmd("track Logical_Switch_Port")["Logical_Switch_Port"]
    ports = {v["name"]: u
             for u, v in idl.cmd("dump Logical_Switch_Port").items()}
    assert track["new"] == [ports["late"]]
    assert track["modified"] == {ports["sw0-p0"]: ["addresses"]}
    assert track["deleted"] == []
    assert norm_rows(idl.cmd("dump Logical_Switch_Port")) == \
        server_rows(server, "Logical_Switch_Port")
    assert stats["connects"] == before["connects"] + 1
    if kind == "kiln":
        # kiln-db keeps a transaction history: monitor_cond_since found
        # the IDL's last transaction id and sent only the changes.
        assert stats["resumes"] == before["resumes"] + 1
        assert stats["full_syncs"] == before["full_syncs"]
    else:
        assert (stats["resumes"] + stats["full_syncs"]
                == before["resumes"] + before["full_syncs"] + 1)


@pytest.mark.parametrize("kind", KINDS)
def test_lock_handover(make_server, make_idl, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"])
    nbctl(server, "ls-add", "sw0")
    a = make_idl(server, ["Logical_Switch"])
    b = make_idl(server, ["Logical_Switch"])
    a.sync()
    b.sync()

    a.cmd("lock L")
    assert a.cmd("wait-lock")["has_lock"]
    b.cmd("lock L")
    r = b.cmd("wait-lock 300")
    assert not r["has_lock"] and r["contended"]

    # Transactions assert the lock.
    r = b.txn(["mapset", "Logical_Switch", "#sw0", "external_ids", "b", "1"])
    assert r["status"] == "not locked", r
    r = a.txn(["mapset", "Logical_Switch", "#sw0", "external_ids", "a", "1"])
    assert r["status"] == "success", r

    # A lets go: B gets it.
    a.cmd("lock -")
    assert b.cmd("wait-lock")["has_lock"]
    r = b.txn(["mapset", "Logical_Switch", "#sw0", "external_ids", "b", "1"])
    assert r["status"] == "success", r

    # A asks again and waits; B exits; A gets it.
    a.cmd("lock L")
    assert a.cmd("wait-lock 300")["contended"]
    b.close()
    assert a.cmd("wait-lock")["has_lock"]


@pytest.mark.parametrize("kind", KINDS)
def test_keepalive_keeps_idle_connection(make_server, make_idl, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"])
    idl = make_idl(server, ["Logical_Switch"], ["--probe", "400"])
    idl.sync()
    # Several probe intervals of silence: echoes go out and come back.
    seqno = idl.cmd("seqno")["seqno"]
    assert not idl.cmd("wait-change %d 2000" % seqno)["changed"]
    stats = idl.cmd("stats")
    assert stats["connects"] == 1 and stats["synced"]


@pytest.mark.parametrize("kind", KINDS)
def test_missing_table_is_reported(make_server, make_idl, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"])
    idl = make_idl(server, ["Logical_Switch:name,nosuch"])
    r = idl.cmd("wait-sync 5000")
    assert not r["synced"]
    assert "nosuch" in r["error"]


def free_tcp_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kind", KINDS)
def test_remote_list_and_tcp(make_server, kind):
    server = make_server(kind, kilntest.SCHEMAS["nb"], start=False)
    port = free_tcp_port()
    server.extra_args = ["--remote=ptcp:%d:127.0.0.1" % port]
    server.start()
    nbctl(server, "ls-add", "sw0")
    # The first remote does not answer: the IDL goes on to the next.
    idl = Idl("unix:%s/nosuch.sock,tcp:127.0.0.1:%d"
              % (os.path.dirname(server.sock_path), port),
              ["Logical_Switch:name"])
    try:
        idl.sync()
        assert [v["name"] for v in idl.cmd("dump Logical_Switch").values()] \
            == ["sw0"]
        stats = idl.cmd("stats")
        assert stats["connects"] == 1
        assert "nosuch.sock" in idl.log()
    finally:
        idl.close()


class FakeServer:
    """A minimal OVSDB server on a unix socket: answers get_schema with the
    northbound schema and monitor requests with no rows, records every
    request's method, and answers "echo" only if 'answer_echo'."""

    def __init__(self, path, answer_echo):
        import socket
        import threading
        with open(kilntest.SCHEMAS["nb"]) as f:
            self.schema = json.load(f)
        self.answer_echo = answer_echo
        self.methods = []
        self.connections = 0
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            self._serve(conn)

    def _serve(self, conn):
        framer = kilntest._Framer()
        conn.settimeout(0.2)
        while not self.stopping:
            text = framer.next()
            if text is None:
                try:
                    data = conn.recv(65536)
                except OSError:
                    continue
                if not data:
                    break
                framer.feed(data)
                continue
            msg = json.loads(text)
            method = msg.get("method")
            self.methods.append(method)
            result = None
            if method == "get_schema":
                result = self.schema
            elif method == "monitor_cond_since":
                result = [False, "00000000-0000-0000-0000-000000000000", {}]
            elif method == "echo" and self.answer_echo:
                result = msg["params"]
            if result is not None:
                conn.sendall(json.dumps({"id": msg["id"], "result": result,
                                         "error": None}).encode())
        conn.close()

    def close(self):
        self.stopping = True
        self.thread.join(5)
        self.sock.close()


@pytest.mark.parametrize("answer_echo", [True, False])
def test_inactivity_probe(answer_echo):
    d = kilntest.short_dir("idl")
    fake = FakeServer(os.path.join(d, "fake.sock"), answer_echo)
    idl = Idl("unix:" + os.path.join(d, "fake.sock"), ["Logical_Switch"],
              ["--probe", "500", "--backoff", "100:100"])
    try:
        idl.sync()
        seqno = idl.cmd("seqno")["seqno"]
        idl.cmd("wait-change %d 2000" % seqno)
        time.sleep(0.5)
        stats = idl.cmd("stats")
        assert "echo" in fake.methods
        if answer_echo:
            assert stats["connects"] == 1 and fake.connections == 1
        else:
            # No answer within another interval: dropped, reconnected.
            assert stats["connects"] >= 2 and fake.connections >= 2
            assert "inactivity probe" in idl.log()
    finally:
        idl.close()
        fake.close()
        import shutil
        shutil.rmtree(d, ignore_errors=True)
