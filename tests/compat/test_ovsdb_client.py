"""Debian's ovsdb-client against the reference (ovsdb-server) and the target
(kiln-db, or ovsdb-server with KILN_TARGET=ovs), each a fresh server on the
same schema: every command's output must be the same once normalized.

Normalization (Pair.canon): the server's socket path becomes <remote>;
timestamps are stripped; a UUID of a row with a "name" becomes
<Table:name> (learned from each server after each write); where the order
is up to the server (rows of a select or of one monitor update, elements
of a set of UUIDs) it is sorted; every other UUID is numbered by first
appearance (kilntest.normalize).  Each test also checks the reference's
output for the expected content, so a normalization that erased everything
would fail.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time

import pytest

import kilntest

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_SCHEMA = os.path.join(HERE, "test.ovsschema")
NB = kilntest.SCHEMAS["nb"]
# The column whose value labels a row's UUID, where it is not "name".
LABEL_COLUMNS = {"Indexed": "k", "Limited": "v"}

_LOG_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\|\d+\|",
                       re.M)
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$", re.M)
_BRACKETS = re.compile(r"\[([^\[\]]*, [^\[\]]*)\]")
_ELEMENT = re.compile(r'<[^<>]*>|<a href="#<[^<>]*>"><[^<>]*></a>')
_DASHES = re.compile(r"^-[- ]*$")
_WAITED = re.compile(r"(timed out after )\d+ ms")
_SHORT_UUID = re.compile(r"(?<=\">)([0-9a-f]{8})(?=</a>)")
_LABEL = re.compile(r"<[A-Za-z_]+:[^<>\"]*>")


def _mask(text):
    return kilntest._UUID_RE.sub("<uuid>", text)


def _sort_json(v):
    """Sorts, in place, what the server may order as it likes: the rows of
    a select result and sets whose elements are all UUIDs."""
    if isinstance(v, dict):
        for k, x in v.items():
            _sort_json(x)
        details = v.get("details")
        if isinstance(details, str) and "Second row" in details:
            v["details"] = _sort_sentences(details)
        rows = v.get("rows")
        if isinstance(rows, list):
            rows.sort(key=lambda r: _mask(json.dumps(r, sort_keys=True)))
        data = v.get("data")
        if isinstance(data, list) and "headings" in v:
            v["data"] = _sort_records_json(data)
    elif isinstance(v, list):
        for x in v:
            _sort_json(x)
        if (len(v) == 2 and v[0] == "set" and isinstance(v[1], list)
                and all(isinstance(e, list) and len(e) == 2
                        and e[0] == "uuid" for e in v[1])):
            v[1].sort(key=lambda e: _mask(e[1]))


def _sort_sentences(details):
    """An index violation names "First row" and "Second row" in the
    server's order: makes the message independent of it."""
    details = re.sub(r"\b(First|Second) row\b", "A row", details)
    head, *rows = details.split(".  ")
    # Rows that were never committed have no label: their UUIDs are
    # masked, since nothing orders them.
    rows = sorted(_mask(r.rstrip(".")) for r in rows)
    return ".  ".join([head] + rows)


def _sort_label_list(m):
    """A set of row references is printed in UUID order: sorts it when
    every element is a label (or an HTML link to one)."""
    elems = m.group(1).split(", ")
    if all(_ELEMENT.fullmatch(e) for e in elems):
        elems.sort()
    return "[%s]" % ", ".join(elems)


def _sort_records_json(data):
    """Monitor output in --format=json: a row whose first cell is "" (a
    "new" line) belongs to the row before it.  Sorts the records."""
    records = []
    for row in data:
        if records and isinstance(row, list) and row and row[0] == "":
            records[-1].append(row)
        else:
            records.append([row])
    records.sort(key=lambda r: _mask(json.dumps(r, sort_keys=True)))
    return [row for r in records for row in r]


def _sort_text_tables(text):
    """In table output, sorts the records after each "----" line: a line
    that starts with a space continues the record above it."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if _DASHES.match(lines[i]):
            i += 1
            records = []
            while i < len(lines) and lines[i] != "":
                if lines[i].startswith(" ") and records:
                    records[-1].append(lines[i])
                else:
                    records.append([lines[i]])
                i += 1
            records.sort(key=lambda r: _mask("\n".join(r)))
            out.extend(line for r in records for line in r)
            continue
        i += 1
    return "\n".join(out)


class Side:
    """One server of a pair, with the row labels learned from it."""

    def __init__(self, server, db):
        self.server = server
        self.db = db
        self.labels = {}
        self._named = None

    def named_tables(self):
        if self._named is None:
            with self.server.connect() as c:
                schema = c.call("get_schema", [self.db])["result"]
            self._named = sorted(
                (t, LABEL_COLUMNS.get(t, "name"))
                for t, ts in schema["tables"].items()
                if LABEL_COLUMNS.get(t, "name") in ts["columns"])
        return self._named

    def learn(self):
        """Labels every row that has a non-empty name (the column named
        in LABEL_COLUMNS, "name" by default)."""
        ops = [{"op": "select", "table": t, "where": [],
                "columns": ["_uuid", col]} for t, col in self.named_tables()]
        with self.server.connect() as c:
            reply = c.transact(self.db, *ops)
        for (t, col), res in zip(self.named_tables(), reply["result"]):
            for row in res.get("rows", []):
                name = row[col]
                if isinstance(name, (str, int)) and name != "":
                    self.labels[row["_uuid"][1]] = "<%s:%s>" % (t, name)

    def resolve(self, text):
        """Replaces each label <Table:name> in 'text' by the UUID of that
        row on this server, so one transaction text can name rows on
        both servers."""
        uuids = {lab: u for u, lab in self.labels.items()}
        return _LABEL.sub(lambda m: uuids.get(m.group(0), m.group(0)), text)

    def canon(self, text, json_lines=False, sort=True):
        """The normalized form of 'text', output of ovsdb-client against
        this server."""
        text = text.replace(self.server.sock_path, "<remote>")
        text = kilntest.mask_error_details(text)
        text = _LOG_TIME.sub("<time>|", text)
        text = _STAMP.sub("<timestamp>", text)
        text = _WAITED.sub(r"\1<N> ms", text)
        text = kilntest._UUID_RE.sub(
            lambda m: self.labels.get(m.group(0).lower(), m.group(0)), text)
        # --format=html abbreviates a UUID to its first 8 digits.
        short = {u[:8]: lab for u, lab in self.labels.items()}
        text = _SHORT_UUID.sub(
            lambda m: short.get(m.group(1), "<short>"), text)
        if json_lines:
            lines = []
            for line in text.split("\n"):
                try:
                    v = json.loads(line)
                except ValueError:
                    lines.append(line)
                    continue
                if sort:
                    _sort_json(v)
                v = _strip_json_time(v)
                lines.append(json.dumps(v, sort_keys=True))
            text = "\n".join(lines)
        elif sort:
            text = _BRACKETS.sub(_sort_label_list, text)
            text = _sort_text_tables(text)
        return kilntest.normalize(text)


def _strip_json_time(v):
    if isinstance(v, dict) and "time" in v and "headings" in v:
        v = dict(v)
        v["time"] = "<time>"
    return v


class Monitor:
    """An ovsdb-client process whose output is collected by a thread."""

    def __init__(self, side, args):
        self.side = side
        args = [str(a) for a in args]
        i = 0
        while args[i].startswith("-"):
            i += 1
        cmd = ([kilntest.OVSDB_CLIENT] + args[:i + 1]
               + [side.server.remote] + args[i + 1:])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)
        self.out = ""
        self.err = ""
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._read, args=(f, n),
                                         daemon=True)
                        for f, n in ((self.proc.stdout, "out"),
                                     (self.proc.stderr, "err"))]
        for t in self.threads:
            t.start()

    def _read(self, f, attr):
        for line in f:
            with self.lock:
                setattr(self, attr, getattr(self, attr) + line)

    def count(self, text):
        with self.lock:
            return self.out.count(text)

    def finish(self):
        """Stops the client (SIGTERM) and returns (stdout, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for t in self.threads:
            t.join(5)
        return self.out, self.err


class Pair:
    """A reference and a target server on the same schema, driven alike."""

    def __init__(self, ref, target, db):
        self.sides = [Side(ref, db), Side(target, db)]
        self.db = db
        self.monitors = []

    @property
    def ref(self):
        return self.sides[0]

    def learn(self):
        for s in self.sides:
            s.learn()

    def run(self, *args, json_lines=False, sort=True, stdin=None,
            timeout=30, learn=False):
        """Runs ovsdb-client ARGS on both (labels in ARGS resolved per
        server); returns [(rc, out, err)] per side, normalized.  With
        learn=True, learns new row labels before normalizing."""
        raw = []
        for s in self.sides:
            cmd = _client_cmd(s.server, [s.resolve(str(a)) for a in args])
            raw.append(kilntest.run_proc(cmd, timeout=timeout, input=stdin))
        if learn:
            self.learn()
        return [(p.returncode, s.canon(p.stdout, json_lines, sort),
                 s.canon(_drop_log_lines(p.stderr), False, False))
                for s, p in zip(self.sides, raw)]

    def same(self, *args, rc=0, **kw):
        """Runs ovsdb-client ARGS on both, asserts the same exit status
        ('rc' unless None), output and errors; returns the reference's
        normalized stdout."""
        (r_rc, r_out, r_err), (t_rc, t_out, t_err) = self.run(*args, **kw)
        assert t_out == r_out, "stdout differs for %r" % (args,)
        assert t_err == r_err, "stderr differs for %r" % (args,)
        assert t_rc == r_rc, "exit status differs for %r" % (args,)
        if rc is not None:
            assert r_rc == rc, (args, r_out, r_err)
        return r_out

    def same_err(self, *args, **kw):
        """Like same() for a command that fails; returns normalized
        stderr."""
        (r_rc, r_out, r_err), (t_rc, t_out, t_err) = self.run(*args, **kw)
        assert (t_rc, t_out, t_err) == (r_rc, r_out, r_err), args
        assert r_rc != 0, (args, r_out)
        return r_err

    def tx(self, *ops, learn=True):
        """Runs one transaction with "ovsdb-client transact" on both,
        compares the replies and returns the reference's, parsed (after
        normalization)."""
        out = self.same("transact", json.dumps([self.db] + list(ops)),
                        json_lines=True, learn=learn)
        return json.loads(out)

    def tx_raw(self, *ops):
        """The same transaction sent on a raw JSON-RPC connection to both;
        the normalized replies must match.  Returns the reference's."""
        replies = []
        for s in self.sides:
            with s.server.connect() as c:
                ops_here = json.loads(s.resolve(json.dumps(list(ops))))
                replies.append(c.transact(self.db, *ops_here))
        self.learn()
        outs = [s.canon(json.dumps(r), json_lines=True)
                for s, r in zip(self.sides, replies)]
        assert outs[1] == outs[0], ops
        return json.loads(outs[0])

    def monitor(self, *args):
        """Starts "ovsdb-client ARGS" (a monitor, lock...) on both."""
        ms = [Monitor(s, args) for s in self.sides]
        self.monitors.extend(ms)
        return ms

    def close(self):
        for m in self.monitors:
            m.finish()


def _client_cmd(server, args):
    args = [str(a) for a in args]
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 1
    return ([kilntest.OVSDB_CLIENT] + args[:i + 1] + [server.remote]
            + args[i + 1:])


def _drop_log_lines(err):
    # ovsdb-client's own INFO log lines (connecting...) are not the
    # server's doing; its error messages are kept.
    return "\n".join(line for line in err.split("\n")
                     if "|INFO|" not in line)


def wait_all(monitors, text, n=1, timeout=10):
    """Waits until 'text' appears at least 'n' times in each monitor's
    output."""
    kilntest.wait_for(lambda: all(m.count(text) >= n for m in monitors),
                      timeout=timeout,
                      what="%r x%d in monitor output: %r" % (
                          text, n, [m.out for m in monitors]))


def finish_same(pair, monitors):
    """Stops both monitors and asserts their normalized outputs match;
    returns the reference's."""
    outs = []
    for m in monitors:
        out, err = m.finish()
        outs.append(m.side.canon(out))
    assert outs[1] == outs[0]
    return outs[0]


def finish_same_json(pair, monitors):
    outs = []
    for m in monitors:
        out, err = m.finish()
        outs.append(m.side.canon(out, json_lines=True))
    assert outs[1] == outs[0]
    return outs[0]


@pytest.fixture
def pair_on(ref_and_target):
    made = []

    def factory(schema, db):
        ref, target = ref_and_target([schema])
        p = Pair(ref, target, db)
        made.append(p)
        return p
    yield factory
    for p in made:
        p.close()


@pytest.fixture
def tp(pair_on):
    """A pair on the test schema."""
    return pair_on(TEST_SCHEMA, "Kiln_Test")


@pytest.fixture
def nb(pair_on):
    """A pair on OVN_Northbound."""
    return pair_on(NB, "OVN_Northbound")


def simple(name, **cols):
    """An insert into Simple with the required columns filled in."""
    row = {"name": name, "s_enum": "red", "sset": "a"}
    row.update(cols)
    return {"op": "insert", "table": "Simple", "row": row}


# -- server-level and schema commands -----------------------------------

def same_db_list(p):
    """Runs "list-dbs" on both servers of 'p' and asserts they list the same
    databases.  ovsdb-server answers list_dbs in hash order (RFC 7047 gives
    none; kiln-db sorts), so the lists are compared as sets.  Returns the
    reference's list, sorted."""
    (r_rc, r_out, r_err), (t_rc, t_out, t_err) = p.run("list-dbs")
    assert (t_rc, t_err) == (r_rc, r_err) == (0, "")
    assert sorted(t_out.split()) == sorted(r_out.split())
    assert len(set(r_out.split())) == len(r_out.split())
    return sorted(r_out.split())


def test_list_dbs(pair_on):
    p = pair_on(NB, "OVN_Northbound")
    assert same_db_list(p) == ["OVN_Northbound", "_Server"]


def test_list_dbs_several(make_server, target_kind):
    schemas = [NB, kilntest.SCHEMAS["sb"], TEST_SCHEMA]
    p = Pair(make_server("ovs", schemas, name="ref"),
             make_server(target_kind, schemas, name="target"),
             "OVN_Northbound")
    assert same_db_list(p) == ["Kiln_Test", "OVN_Northbound",
                               "OVN_Southbound", "_Server"]
    if target_kind == "kiln":
        # kiln-db's order is deterministic: sorted.
        with p.sides[1].server.connect() as c:
            names = c.call("list_dbs", [])["result"]
        assert names == sorted(names) and len(names) == 4


@pytest.mark.parametrize("schema,db", [
    (NB, "OVN_Northbound"),
    (kilntest.SCHEMAS["sb"], "OVN_Southbound"),
    (kilntest.SCHEMAS["vswitch"], "Open_vSwitch"),
    (TEST_SCHEMA, "Kiln_Test"),
], ids=["nb", "sb", "vswitch", "test"])
def test_get_schema(pair_on, schema, db):
    p = pair_on(schema, db)
    out = p.same("get-schema", db)
    with open(schema) as f:
        want = json.load(f)
    got = json.loads(out)
    # The server serves the schema in its own normalized form; what it
    # serves is compared with the reference above, here its substance.
    assert (got["name"], got["version"], got.get("cksum")) == \
        (want["name"], want["version"], want.get("cksum"))
    assert {t: sorted(ts["columns"]) for t, ts in got["tables"].items()} \
        == {t: sorted(ts["columns"]) for t, ts in want["tables"].items()}
    p.same("get-schema-version", db)
    p.same("get-schema-cksum", db)
    p.same("--pretty", "get-schema", db)
    p.same("list-tables", db)
    p.same("list-columns", db)
    assert p.same("needs-conversion", schema).strip() == "no"


def test_get_schema_server_db(nb):
    out = nb.same("get-schema", "_Server")
    assert "Database" in json.loads(out)["tables"]
    nb.same("list-columns", "_Server", "Database")


def test_list_tables_and_columns(tp):
    out = tp.same("list-tables", "Kiln_Test")
    assert sorted(out.split()[2:]) == ["Child", "Holder", "Indexed",
                                       "Limited", "Parent", "Simple",
                                       "Target"]
    for t in ("Simple", "Parent", "Child", "Indexed", "Limited"):
        out = tp.same("list-columns", "Kiln_Test", t)
        assert "_version" in out and "_uuid" in out
    assert "maxReal" in tp.same("list-columns", "Kiln_Test", "Simple")
    for fmt in ("json", "csv", "html", "list"):
        tp.same("--format=" + fmt, "list-tables", "Kiln_Test")
        tp.same("--format=" + fmt, "list-columns", "Kiln_Test", "Parent")


def test_schema_command_errors(tp):
    # ovsdb-client lists no columns for a table the schema lacks.
    out = tp.same("list-columns", "Kiln_Test", "Nope")
    assert out.split() == ["Column", "Type", "------", "----"]
    tp.same_err("get-schema", "Nope")
    tp.same_err("list-tables", "Nope")
    tp.same_err("dump", "Nope")
    tp.same_err("dump", "Kiln_Test", "Simple", "nocolumn")


# -- transact --------------------------------------------------------------

def test_transact_insert_select_all_types(tp):
    r = tp.tx(simple("a", i=-5, r=1.25, b=True, s="str",
                     u=["uuid", "11111111-2222-3333-4444-555555555555"],
                     i_range=10, r_range=-1.5, s_len="abcde",
                     s_enum="blue", i_enum=3, opt=["set", [7]],
                     iset=["set", [3, 1, 2]],
                     sset=["set", ["x", "y", "z"]],
                     smap=["map", [["k1", "v1"], ["k2", "v2"]]],
                     imap=["map", [[0, 0.5], [100, 1e10]]],
                     eph=42, imm="fixed"),
              simple("b"))
    assert r[0]["uuid"] == ["uuid", "<Simple:a>"]
    r = tp.tx({"op": "select", "table": "Simple", "where": []})
    assert [row["name"] for row in r[0]["rows"]] == ["a", "b"]
    tp.tx({"op": "select", "table": "Simple", "where": [],
           "columns": ["name", "iset", "smap", "imap", "_version"]})
    # Every comparison function on every type.
    conds = [
        ["i", "==", -5], ["i", "!=", -5], ["i", "<", 0], ["i", "<=", -5],
        ["i", ">", -5], ["i", ">=", -5], ["r", "<", 1.3], ["r", ">", 1.25],
        ["b", "==", True], ["b", "!=", True], ["s", "==", "str"],
        ["s", "!=", "str"],
        ["u", "==", ["uuid", "11111111-2222-3333-4444-555555555555"]],
        ["s_enum", "==", "blue"], ["opt", "==", ["set", []]],
        ["opt", "==", 7], ["iset", "includes", ["set", [1, 3]]],
        ["iset", "excludes", 9], ["iset", "excludes", 1],
        ["iset", "==", ["set", [1, 2, 3]]],
        ["smap", "includes", ["map", [["k1", "v1"]]]],
        ["smap", "excludes", ["map", [["k1", "v2"]]]],
        ["imap", "includes", ["map", [[100, 1e10]]]],
        ["_uuid", "!=", ["uuid", "11111111-2222-3333-4444-555555555555"]],
        ["i_range", "<=", 10], ["sset", "includes", "x"],
    ]
    for c in conds:
        tp.tx({"op": "select", "table": "Simple", "where": [c],
               "columns": ["name"]})
    r = tp.tx({"op": "select", "table": "Simple",
               "where": [["i", "<", 0], ["b", "==", True]],
               "columns": ["name"]})
    assert r[0]["rows"] == [{"name": "a"}]


@pytest.mark.parametrize("row", [
    {"i_range": 11}, {"i_range": -11}, {"r_range": 2.51},
    {"r_range": -2}, {"s_len": "a"}, {"s_len": "abcdef"},
    {"s_enum": "purple"}, {"s_enum": ""}, {"i_enum": 4},
    {"sset": ["set", []]}, {"sset": ["set", ["a", "b", "c", "d"]]},
    {"imap": ["map", [[1, 1.0], [2, 2.0], [3, 3.0]]]},
    {"imap": ["map", [[101, 1.0]]]}, {"imap": ["map", [[1, -1.0]]]},
    {"opt": ["set", [1, 2]]}, {"i": "text"}, {"i": 1.5}, {"r": "x"},
    {"b": 1}, {"s": 5}, {"u": "not-a-uuid"}, {"u": ["uuid", "zzz"]},
    {"iset": ["set", [1, 1]]}, {"smap": ["map", [["k", "a"], ["k", "b"]]]},
    {"nocolumn": 1},
    {"smap": ["set", []]}, {"iset": ["map", []]}, {"sset": ["set", "a"]},
], ids=lambda r: json.dumps(r)[:40])
def test_transact_constraint_violations(tp, row):
    ins = simple("bad")
    ins["row"].update(row)
    r = tp.tx(ins)
    assert any("error" in x for x in r if x), r
    assert tp.tx({"op": "select", "table": "Simple", "where": []}) == \
        [{"rows": []}]


def test_transact_insert_uuid(tp):
    # ovsdb-server's extension: "uuid" in an insert names the new row's
    # UUID; "_uuid" and "_version" inside "row" are silently ignored.
    fixed = "21111111-2222-3333-4444-555555555555"
    ins = simple("m")
    ins["uuid"] = fixed
    r = tp.tx(ins)
    assert r == [{"uuid": ["uuid", "<Simple:m>"]}]
    assert tp.ref.labels[fixed] == "<Simple:m>"
    r = tp.tx(ins)
    assert "error" in r[0]
    ins = simple("n")
    ins["row"]["_uuid"] = ["uuid", "31111111-2222-3333-4444-555555555555"]
    ins["row"]["_version"] = ["uuid", "41111111-2222-3333-4444-555555555555"]
    r = tp.tx(ins)
    assert r == [{"uuid": ["uuid", "<Simple:n>"]}]
    tp.tx({"op": "select", "table": "Simple", "where": [],
           "columns": ["_uuid", "name"]})
    ins = simple("o")
    ins["uuid"] = "not-a-uuid"
    tp.tx(ins)


def test_transact_errors(tp):
    cases = [
        [{"op": "insert", "table": "Nope", "row": {}}],
        [{"op": "select", "table": "Simple", "where": [["nope", "==", 1]]}],
        [{"op": "select", "table": "Simple", "where": [["i", "<", "x"]]}],
        [{"op": "select", "table": "Simple", "where": [["s", "<", "x"]]}],
        [{"op": "select", "table": "Simple", "where": [["i", "~", 1]]}],
        [{"op": "select", "table": "Simple", "where": "x"}],
        [{"op": "select", "table": "Simple"}],
        [{"op": "frobnicate", "table": "Simple"}],
        [{"table": "Simple"}],
        ["not an object"],
        [{"op": "insert", "table": "Simple", "row": {}, "uuid-name": "1x"}],
        [simple("a"), {"op": "insert", "table": "Target", "row": {},
                       "uuid-name": "t"},
         {"op": "insert", "table": "Target", "row": {}, "uuid-name": "t"}],
        [{"op": "insert", "table": "Holder",
          "row": {"name": "h", "target": ["named-uuid", "nothere"]}}],
        [{"op": "insert", "table": "Holder",
          "row": {"name": "h", "target":
                  ["uuid", "11111111-2222-3333-4444-555555555555"]}}],
        [{"op": "assert", "lock": "nolock"}],
        [{"op": "update", "table": "Simple", "where": [],
          "row": {"imm": "x"}}],
        [{"op": "update", "table": "Simple", "where": [],
          "row": {"_uuid": ["uuid", "11111111-2222-3333-4444-555555555555"]}}],
        [{"op": "mutate", "table": "Simple", "where": [],
          "mutations": [["imm", "+=", "x"]]}],
        [{"op": "mutate", "table": "Simple", "where": [],
          "mutations": [["i", "min=", 1]]}],
        [{"op": "mutate", "table": "Simple", "where": [],
          "mutations": [["r", "%=", 2.0]]}],
        [{"op": "insert", "table": "Simple"}],
        [{"op": "select", "table": "Simple", "where": [],
          "columns": ["i", "_uuid", "i"]}],
        [1],
        [{"op": "comment", "comment": "hello"}, {"op": "abort"}],
        [{"op": "commit", "durable": True}],
        [{"op": "commit", "durable": "yes"}],
        [{"op": "insert", "table": "Simple", "row": {"name": "n", "sset": "a",
                                                     "s_enum": "red"}},
         {"op": "abort"}],
    ]
    for ops in cases:
        tp.tx(*ops)
    r = tp.tx({"op": "select", "table": "Simple", "where": []})
    assert r == [{"rows": []}]
    # A transaction that is not an array, for an unknown database.
    tp.same_err("transact", '"x"')
    tp.same("transact", '["Nope", {"op": "comment", "comment": "x"}]',
            rc=None, json_lines=True)


def test_transact_update_mutate_delete(tp):
    tp.tx(simple("a", i=1, iset=["set", [1, 2]], smap=["map", [["k", "v"]]],
                 r=2.0, imap=["map", [[1, 1.0]]]),
          simple("b", i=2), simple("c", i=3))
    r = tp.tx({"op": "update", "table": "Simple",
               "where": [["i", ">=", 2]], "row": {"s": "updated"}})
    assert r == [{"count": 2}]
    tp.tx({"op": "update", "table": "Simple", "where": [],
           "row": {"s_len": "ok"}})
    muts = [
        ["i", "+=", 10], ["i", "-=", 3], ["i", "*=", 5], ["i", "/=", 2],
        ["i", "%=", 7], ["r", "*=", 1.5], ["r", "/=", 4],
        ["iset", "insert", ["set", [5, 6]]], ["iset", "delete", 1],
        ["smap", "insert", ["map", [["k", "other"], ["k2", "v2"]]]],
        ["smap", "delete", ["set", ["k"]]],
        ["smap", "delete", ["map", [["k2", "nomatch"]]]],
        ["sset", "insert", "b"], ["sset", "delete", "a"],
        ["iset", "+=", 100], ["iset", "*=", 2],
        # A delete operand may have more elements than the column's max.
        ["imap", "insert", ["map", [[5, 0.5]]]],
        ["imap", "delete", ["map", [[5, 0.5], [7, 7.0], [8, 8.0]]]],
        ["imap", "insert", ["map", [[6, 0.5]]]],
        ["imap", "delete", ["set", [6, 7, 9]]],
    ]
    for m in muts:
        tp.tx({"op": "mutate", "table": "Simple",
               "where": [["name", "==", "a"]], "mutations": [m]})
    bad = [
        ["i", "/=", 0], ["i", "%=", 0], ["i_range", "+=", 100],
        ["i", "+=", "x"], ["nocol", "+=", 1], ["smap", "+=", 1],
        ["sset", "delete", ["set", ["a", "b", "z"]]],
        ["sset", "insert", ["set", ["p", "q", "r", "s"]]],
        ["imap", "insert", ["map", [[2, 2.0], [3, 3.0]]]],
        ["i", "min=", 1], ["s", "+=", "x"], ["b", "+=", 1],
        ["_uuid", "+=", 1],
        # The operand of "insert" keeps the column's maximum; that of
        # "delete" keeps the atoms' constraints, and on a map falls back
        # to a set of keys.
        ["imap", "insert", ["map", [[2, 2.0], [3, 3.0], [4, 4.0]]]],
        ["opt", "insert", ["set", [1, 2]]],
        ["i_enum", "delete", 9], ["imap", "delete", ["set", [200]]],
        ["imap", "delete", ["map", [[500, 1.0]]]],
        ["imap", "delete", ["map", [[1, -1.0]]]],
        ["smap", "delete", ["map", [["a", "b"], ["a", "c"]]]],
    ]
    for m in bad:
        r = tp.tx({"op": "mutate", "table": "Simple",
                   "where": [["name", "==", "a"]], "mutations": [m]})
        assert any("error" in x for x in r if x), (m, r)
    r = tp.tx({"op": "mutate", "table": "Simple", "where": [],
               "mutations": [["i", "+=", 1]]})
    assert r == [{"count": 3}]
    tp.tx({"op": "select", "table": "Simple", "where": []})
    r = tp.tx({"op": "delete", "table": "Simple",
               "where": [["name", "!=", "a"]]})
    assert r == [{"count": 2}]
    tp.tx({"op": "delete", "table": "Simple", "where": [["i", "==", -99]]})
    r = tp.tx({"op": "select", "table": "Simple", "where": []})
    assert len(r[0]["rows"]) == 1
    tp.same("dump", "Kiln_Test")


def test_transact_wait(tp):
    tp.tx(simple("a", i=5))
    ok = {"op": "wait", "table": "Simple", "where": [["name", "==", "a"]],
          "columns": ["i"], "until": "==", "rows": [{"i": 5}],
          "timeout": 0}
    r = tp.tx(ok, {"op": "comment", "comment": "after wait"})
    assert "error" not in r[0]
    for change in ({"until": "!="}, {"rows": [{"i": 6}]},
                   {"rows": [{"i": 6}], "timeout": 100},
                   {"rows": []}, {"until": "<"}, {"columns": ["nope"]},
                   {"rows": [{"nope": 1}]}, {"timeout": -1},
                   {"columns": ["i", "i"]}, {"rows": [1]}):
        w = dict(ok)
        w.update(change)
        tp.tx(w, simple("never"))
    # Without "columns", rows are compared on every column.
    w = dict(ok)
    del w["columns"]
    r = tp.tx(w)
    assert r[0]["error"] == "timed out"
    w = dict(ok, rows=[{"i": 6}], until="!=", timeout=50)
    tp.tx(w)
    t0 = time.monotonic()
    r = tp.tx(dict(ok, rows=[{"i": 6}], timeout=300))
    assert r[0]["error"] == "timed out"
    assert time.monotonic() - t0 >= 0.6   # 300 ms on each server
    r = tp.tx({"op": "select", "table": "Simple", "where": [],
               "columns": ["name"]})
    assert r == [{"rows": [{"name": "a"}]}]


def test_transact_wait_blocks_until_change(tp):
    # A wait with a long timeout is answered once another client makes
    # the condition true.
    tp.tx(simple("a", i=1))
    w = {"op": "wait", "table": "Simple", "where": [["name", "==", "a"]],
         "columns": ["i"], "until": "==", "rows": [{"i": 2}],
         "timeout": 10000}
    conns = [s.server.connect() for s in tp.sides]
    try:
        ids = [c.request("transact", ["Kiln_Test", w, simple("after")])
               for c in conns]
        time.sleep(0.2)
        tp.tx({"op": "update", "table": "Simple",
               "where": [["name", "==", "a"]], "row": {"i": 2}})
        outs = []
        for side, c, rid in zip(tp.sides, conns, ids):
            reply = c.wait_reply(rid)
            side.learn()
            outs.append(side.canon(json.dumps(reply), json_lines=True))
        assert outs[0] == outs[1]
        assert '"error": null' in outs[0] and "<Simple:after>" in outs[0]
    finally:
        for c in conns:
            c.close()


def test_transact_refs_and_gc(tp):
    # Strong references keep non-root rows alive; unreferenced ones are
    # collected at commit.
    r = tp.tx({"op": "insert", "table": "Child", "row": {"name": "orphan"}})
    assert r[0]["uuid"][0] == "uuid"
    assert tp.tx({"op": "select", "table": "Child", "where": []}) == \
        [{"rows": []}]
    tp.tx({"op": "insert", "table": "Child", "row": {"name": "c1"},
           "uuid-name": "c1"},
          {"op": "insert", "table": "Child",
           "row": {"name": "c2", "sub": ["named-uuid", "c3"]},
           "uuid-name": "c2"},
          {"op": "insert", "table": "Child", "row": {"name": "c3"},
           "uuid-name": "c3"},
          {"op": "insert", "table": "Target", "row": {"name": "t1"},
           "uuid-name": "t1"},
          {"op": "insert", "table": "Target", "row": {"name": "t2"},
           "uuid-name": "t2"},
          {"op": "insert", "table": "Parent",
           "row": {"name": "p", "children": ["set", [["named-uuid", "c1"],
                                                     ["named-uuid", "c2"]]],
                   "named": ["map", [["one", ["named-uuid", "c1"]]]],
                   "weak": ["set", [["named-uuid", "t1"],
                                    ["named-uuid", "t2"]]],
                   "weak1": ["named-uuid", "t1"]}},
          {"op": "insert", "table": "Holder",
           "row": {"name": "h", "target": ["named-uuid", "t2"]}})
    dump = tp.same("dump", "Kiln_Test")
    assert "<Child:c3>" in dump and "<Parent:p>" in dump
    # Deleting a strongly referenced row fails.
    r = tp.tx({"op": "delete", "table": "Target",
               "where": [["name", "==", "t2"]]})
    assert r[-1]["error"] == "referential integrity violation"
    # Deleting a weakly referenced row removes the references.
    tp.tx({"op": "delete", "table": "Target",
           "where": [["name", "==", "t1"]]})
    r = tp.tx({"op": "select", "table": "Parent", "where": [],
               "columns": ["weak", "weak1"]})
    assert r[0]["rows"][0]["weak1"] == ["set", []]
    # Dropping the reference to c2 collects c2 and, through it, c3.
    tp.tx({"op": "mutate", "table": "Parent", "where": [],
           "mutations": [["children", "delete",
                          ["set", [["uuid", "<Child:c2>"]]]]]})
    r = tp.tx({"op": "select", "table": "Child", "where": [],
               "columns": ["name"]})
    assert r[0]["rows"] == [{"name": "c1"}]
    tp.tx({"op": "delete", "table": "Parent", "where": []})
    assert tp.tx({"op": "select", "table": "Child", "where": []}) == \
        [{"rows": []}]
    # A strong reference to a row deleted in the same transaction.
    tp.tx({"op": "delete", "table": "Target", "where": []},
          {"op": "delete", "table": "Holder", "where": []})
    tp.same("dump", "Kiln_Test")


def test_is_root_default(pair_on, tmp_path):
    # When no table of a schema says "isRoot": true, every table is a root
    # (compatibility with schemas older than isRoot): nothing is collected.
    schema = tmp_path / "noroot.ovsschema"
    schema.write_text(json.dumps({
        "name": "NoRoot", "version": "1.0.0",
        "tables": {"A": {"columns": {"name": {"type": "string"}},
                         "isRoot": False},
                   "B": {"columns": {"name": {"type": "string"}}}}}))
    p = pair_on(str(schema), "NoRoot")
    p.tx({"op": "insert", "table": "A", "row": {"name": "a"}})
    r = p.tx({"op": "select", "table": "A", "where": [],
              "columns": ["name"]})
    assert r == [{"rows": [{"name": "a"}]}]
    assert '"isRoot"' not in p.same("get-schema", "NoRoot")


def test_transact_indexes_and_max_rows(tp):
    tp.tx({"op": "insert", "table": "Indexed", "row": {"k": "a", "n": 1,
                                                      "m": 1}})
    r = tp.tx({"op": "insert", "table": "Indexed",
               "row": {"k": "a", "n": 2, "m": 2}})
    assert r[-1]["error"] == "constraint violation"
    r = tp.tx({"op": "insert", "table": "Indexed",
               "row": {"k": "b", "n": 1, "m": 1}})
    assert r[-1]["error"] == "constraint violation"
    r = tp.tx({"op": "insert", "table": "Indexed",
               "row": {"k": "b", "n": 1, "m": 2}})
    assert "error" not in r[-1]
    # Swapping index values within one transaction is fine.
    tp.tx({"op": "update", "table": "Indexed", "where": [["k", "==", "a"]],
           "row": {"k": "tmp"}},
          {"op": "update", "table": "Indexed", "where": [["k", "==", "b"]],
           "row": {"k": "a"}},
          {"op": "update", "table": "Indexed", "where": [["k", "==", "tmp"]],
           "row": {"k": "b"}})
    tp.tx({"op": "insert", "table": "Indexed", "row": {"k": "c", "n": 9}},
          {"op": "insert", "table": "Indexed", "row": {"k": "c", "n": 8}})
    tp.tx({"op": "insert", "table": "Parent", "row": {"name": "x"}})
    r = tp.tx({"op": "insert", "table": "Parent", "row": {"name": "x"}})
    assert r[-1]["error"] == "constraint violation"
    tp.tx({"op": "insert", "table": "Limited", "row": {"v": 1}},
          {"op": "insert", "table": "Limited", "row": {"v": 2}})
    r = tp.tx({"op": "insert", "table": "Limited", "row": {"v": 3}})
    assert r[-1]["error"] == "constraint violation"
    tp.tx({"op": "delete", "table": "Limited", "where": [["v", "==", 1]]},
          {"op": "insert", "table": "Limited", "row": {"v": 3}})
    tp.same("dump", "Kiln_Test", "Indexed")
    tp.same("dump", "Kiln_Test", "Limited")


def test_transact_raw_rpc(tp):
    # The same as a client library would send it, without ovsdb-client.
    r = tp.tx_raw(simple("x", i=1))
    assert r["error"] is None
    r = tp.tx_raw({"op": "insert", "table": "Nope", "row": {}})
    tp.tx_raw(simple("y"), {"op": "select", "table": "Simple",
                            "where": [], "columns": ["name", "_uuid"]})
    for method, params in (("echo", ["a", 1, {"b": None}]),
                           ("echo", []), ("list_dbs", []),
                           ("get_schema", ["Kiln_Test"]),
                           ("get_schema", ["Nope"]),
                           ("transact", ["Nope"]), ("transact", []),
                           ("lock", ["l"]), ("unlock", ["l"]),
                           ("steal", ["l"]), ("nosuch", [])):
        outs = []
        for s in tp.sides:
            with s.server.connect() as c:
                reply = c.call(method, params)
            reply.pop("id")
            if method == "list_dbs" and isinstance(reply.get("result"),
                                                   list):
                # Hash order on ovsdb-server: compared as sets.
                reply["result"].sort()
            outs.append(s.canon(json.dumps(reply), json_lines=True))
        assert outs[0] == outs[1], method
        if method == "echo":
            assert json.loads(outs[0])["result"] == params


def test_query(tp):
    tp.tx(simple("a", i=1))
    out = tp.same("query", json.dumps(
        ["Kiln_Test", simple("q"),
         {"op": "select", "table": "Simple", "where": [],
          "columns": ["name"]}]), json_lines=True)
    assert '"q"' in out
    r = tp.tx({"op": "select", "table": "Simple", "where": [],
               "columns": ["name"]})
    assert r == [{"rows": [{"name": "a"}]}]


def test_ephemeral_columns_lost_on_restart(tp):
    tp.tx(simple("a", eph=7, i=3))
    r = tp.tx({"op": "select", "table": "Simple", "where": [],
               "columns": ["eph", "i"]})
    assert r == [{"rows": [{"eph": 7, "i": 3}]}]
    for s in tp.sides:
        s.server.restart()
    r = tp.tx({"op": "select", "table": "Simple", "where": [],
               "columns": ["eph", "i"]})
    assert r[0]["rows"][0]["i"] == 3
    tp.same("dump", "Kiln_Test", "Simple")


# -- dump --------------------------------------------------------------------

def _fill_nb(p):
    p.tx({"op": "insert", "table": "NB_Global", "row": {"name": "global"}})
    p.tx({"op": "insert", "table": "Logical_Switch_Port",
          "row": {"name": "lsp1", "addresses": ["set", ["00:00:00:00:00:01"]]},
          "uuid-name": "lsp1"},
         {"op": "insert", "table": "Logical_Switch_Port",
          "row": {"name": "lsp2", "addresses": "dynamic",
                  "options": ["map", [["requested-chassis", "hv1"]]]},
          "uuid-name": "lsp2"},
         {"op": "insert", "table": "ACL",
          "row": {"name": "acl1", "priority": 1001, "direction": "to-lport",
                  "match": "ip4 && tcp.dst == 80", "action": "allow"},
          "uuid-name": "acl1"},
         {"op": "insert", "table": "Logical_Switch",
          "row": {"name": "sw0",
                  "ports": ["set", [["named-uuid", "lsp1"],
                                    ["named-uuid", "lsp2"]]],
                  "acls": ["named-uuid", "acl1"],
                  "external_ids": ["map", [["owner", "test"],
                                           ["x", "with \"quote\", comma"]]]}},
         {"op": "insert", "table": "Address_Set",
          "row": {"name": "as1",
                  "addresses": ["set", ["10.0.0.1", "10.0.0.2"]]}},
         {"op": "insert", "table": "Logical_Router",
          "row": {"name": "lr0", "options": ["map", [["chassis", "hv1"]]]}})


@pytest.mark.parametrize("fmt", [None, "json", "csv", "html", "list",
                                 "table"])
def test_dump_formats(nb, fmt):
    _fill_nb(nb)
    opts = ["--format=" + fmt] if fmt else []
    js = fmt == "json"
    out = nb.same(*opts, "dump", "OVN_Northbound", json_lines=js)
    assert "sw0" in out and "<Logical_Switch_Port:lsp1>" in out
    out = nb.same(*opts, "dump", "OVN_Northbound", "Logical_Switch",
                  json_lines=js)
    assert "Logical_Switch_Port" not in out.replace(
        "<Logical_Switch_Port:", "")
    nb.same(*opts, "dump", "OVN_Northbound", "Logical_Switch_Port",
            "name", "addresses", json_lines=js)
    nb.same(*opts, "--data=json", "dump", "OVN_Northbound", "ACL",
            json_lines=js)
    nb.same(*opts, "--data=bare", "--no-headings", "dump",
            "OVN_Northbound", "Address_Set", json_lines=js)


def test_dump_test_schema(tp):
    tp.tx(simple("a", r=0.1, s="multi\nline \"q\" \\", smap=["map", [
        ["k", "v"], ["", "empty"], ["sp ace", "1"]]], iset=["set", [-1, 0]],
        imap=["map", [[0, 0.0], [1, 1e-300]]], s_len="\u00e9\u00e9",
        u=["uuid", "11111111-2222-3333-4444-555555555555"]),
        simple("b", r=-0.0, b=True))
    tp.same("dump", "Kiln_Test")
    for fmt in ("json", "csv", "html", "list"):
        tp.same("--format=" + fmt, "dump", "Kiln_Test",
                json_lines=fmt == "json")
    tp.same("--bare", "dump", "Kiln_Test", "Simple")
    tp.same("--pretty", "--format=json", "dump", "Kiln_Test", "Simple",
            sort=False)


def test_nb_constraints(nb):
    nb.tx({"op": "insert", "table": "NB_Global", "row": {}})
    r = nb.tx({"op": "insert", "table": "NB_Global", "row": {}})
    assert r[-1]["error"] == "constraint violation"
    r = nb.tx({"op": "insert", "table": "ACL",
               "row": {"priority": 40000, "direction": "to-lport",
                       "match": "1", "action": "allow"}})
    assert r[-1]["error"] == "constraint violation"
    r = nb.tx({"op": "insert", "table": "ACL",
               "row": {"priority": 1, "direction": "sideways",
                       "match": "1", "action": "allow"}})
    assert r[-1]["error"] == "constraint violation"
    # A Logical_Switch_Port (not a root) that nothing references is
    # collected.
    nb.tx({"op": "insert", "table": "Logical_Switch_Port",
           "row": {"name": "lone"}})
    nb.same("dump", "OVN_Northbound", "Logical_Switch_Port")


# -- monitor -----------------------------------------------------------------

def test_monitor_text(tp):
    tp.tx(simple("init", i=1, smap=["map", [["a", "b"]]]))
    ms = tp.monitor("monitor", "Kiln_Test", "Simple", "name,i,smap,sset")
    wait_all(ms, "initial")
    tp.tx(simple("new1", i=2))
    wait_all(ms, "new1")
    tp.tx(simple("new2", i=3), simple("new3", i=4))
    wait_all(ms, "new3")
    tp.tx({"op": "update", "table": "Simple",
           "where": [["name", "==", "init"]],
           "row": {"i": 10, "smap": ["map", [["a", "c"]]]}})
    wait_all(ms, "old", 1)
    tp.tx({"op": "mutate", "table": "Simple", "where": [["i", ">=", 3]],
           "mutations": [["sset", "insert", "zz"]]})
    wait_all(ms, "zz", 2)
    # A change to a column not monitored sends nothing.
    tp.tx({"op": "update", "table": "Simple", "where": [],
           "row": {"s": "unmonitored"}})
    tp.tx({"op": "delete", "table": "Simple",
           "where": [["name", "==", "new1"]]})
    wait_all(ms, "delete")
    out = finish_same(tp, ms)
    assert "unmonitored" not in out
    assert out.count("insert") == 3 and out.count("delete") == 1
    assert "<Simple:new3>" in out


def test_monitor_json_all(tp):
    tp.tx({"op": "insert", "table": "Target", "row": {"name": "t0"}})
    ms = tp.monitor("--format=json", "monitor", "Kiln_Test", "ALL")
    wait_all(ms, "initial")
    tp.tx(simple("s1"), {"op": "insert", "table": "Target",
                         "row": {"name": "t1"}, "uuid-name": "t1"},
          {"op": "insert", "table": "Parent",
           "row": {"name": "p", "weak": ["named-uuid", "t1"]}})
    kilntest.wait_for(lambda: all(m.count('"insert"') >= 3 for m in ms),
                      what="inserts")
    tp.tx({"op": "delete", "table": "Target", "where": [["name", "==",
                                                          "t1"]]})
    kilntest.wait_for(lambda: all(m.count('"delete"') >= 1 and
                                  m.count('"old"') >= 1 for m in ms),
                      what="weak ref removal")
    out = finish_same_json(tp, ms)
    assert "<Parent:p>" in out and "<Target:t1>" in out


def test_monitor_selectors_and_timestamp(tp):
    tp.tx(simple("a", i=1))
    ms = tp.monitor("--timestamp", "monitor", "Kiln_Test",
                    "Simple", "name,i,!initial,!delete")
    ms2 = tp.monitor("monitor", "Kiln_Test", "Simple", "name,!insert")
    wait_all(ms2, "initial")
    # No initial contents are printed for the first; wait until its
    # monitor is in place by seeing an insert.
    tp.tx(simple("b", i=2))
    wait_all(ms, "insert")
    tp.tx({"op": "update", "table": "Simple", "where": [["name", "==",
                                                          "b"]],
           "row": {"name": "bb"}})
    wait_all(ms + ms2, "bb")
    tp.tx({"op": "delete", "table": "Simple", "where": []})
    wait_all(ms2, "delete", 2)
    out = finish_same(tp, ms)
    assert "<timestamp>" in out and "initial" not in out
    out2 = finish_same(tp, ms2)
    assert "insert" not in out2 and "delete" in out2


def test_monitor_cond(tp):
    tp.tx(simple("x", i=9), simple("y", i=1))
    ms = tp.monitor("monitor-cond", "Kiln_Test", '[["i",">",5]]', "Simple",
                    "name,i")
    wait_all(ms, "initial")
    tp.tx(simple("z", i=2))
    tp.tx({"op": "update", "table": "Simple", "where": [["name", "==",
                                                          "y"]],
           "row": {"i": 6}})
    wait_all(ms, "insert")
    tp.tx({"op": "update", "table": "Simple", "where": [["name", "==",
                                                          "x"]],
           "row": {"i": 2}})
    wait_all(ms, "delete")
    tp.tx({"op": "update", "table": "Simple", "where": [["name", "==",
                                                          "y"]],
           "row": {"i": 7}})
    wait_all(ms, "modify")
    out = finish_same(tp, ms)
    assert "z" not in out.replace("<Simple:", "")
    assert out.count("initial") == 1
    ms = tp.monitor("--format=json", "monitor-cond", "Kiln_Test",
                    '[["name","==","y"],["i","<",100]]', "Simple",
                    "name,i")
    wait_all(ms, "initial")
    tp.tx({"op": "delete", "table": "Simple", "where": []})
    wait_all(ms, "delete")
    finish_same_json(tp, ms)
    ms = tp.monitor("monitor-cond", "Kiln_Test", "[false]", "Simple")
    tp.tx(simple("never"))
    tp.same("wait", "Kiln_Test", "added")
    time.sleep(0.2)
    out = finish_same(tp, ms)
    assert out == ""


_LAST_ID = re.compile(r"(last_id: )(\S+)")
_ZERO_UUID = "00000000-0000-0000-0000-000000000000"


def _last_ids(out):
    """The last-txn-ids that ovsdb-client monitor-cond-since printed."""
    return [m.group(2) for m in _LAST_ID.finditer(out)]


def _mask_last_ids(out):
    return _LAST_ID.sub(r"\1<last_id>", out)


def _finish_raw(monitors):
    return [m.finish()[0] for m in monitors]


def test_monitor_cond_since(tp):
    """ovsdb-server keeps no transaction history for a standalone
    database: every last-txn-id it reports is all zeros, and a client that
    reconnects is never "found".  kiln-db keeps one (a deliberate
    improvement), so for it the ids are real and a resume from a known id
    sends only the changes since.  Everything else must match."""
    kiln = tp.sides[1].server.kind == "kiln"
    tp.tx(simple("x", i=1))
    ms = tp.monitor("monitor-cond-since", "Kiln_Test", "[]", "Simple",
                    "name,i")
    ms2 = tp.monitor("monitor-cond-since", "Kiln_Test", _ZERO_UUID,
                     '[["i","<",5]]', "Simple", "name,i")
    wait_all(ms + ms2, "initial")
    tp.tx(simple("y", i=2))
    tp.tx({"op": "update", "table": "Simple", "where": [["name", "==",
                                                          "x"]],
           "row": {"i": 8}})
    tp.tx({"op": "delete", "table": "Simple", "where": [["name", "==",
                                                          "y"]]})
    wait_all(ms + ms2, "delete")
    # ms2's condition: x leaves it (a delete), then y is deleted.
    wait_all(ms2, "delete", 2)
    raw, raw2 = _finish_raw(ms), _finish_raw(ms2)

    # The reference: all zeros, never found.
    ref_ids = _last_ids(raw[0])
    assert len(ref_ids) == 4 and set(ref_ids) == {_ZERO_UUID}
    assert "found: false" in raw[0] and "found: false" in raw2[0]
    tgt_ids, tgt_ids2 = _last_ids(raw[1]), _last_ids(raw2[1])
    if kiln:
        # One real id per transaction, the same for both monitors.
        assert len(tgt_ids) == 4 and _ZERO_UUID not in tgt_ids
        assert len(set(tgt_ids)) == 4
        assert set(tgt_ids2) <= set(tgt_ids) and tgt_ids2[0] == tgt_ids[0]
        raw = [_mask_last_ids(o) for o in raw]
        raw2 = [_mask_last_ids(o) for o in raw2]
    for outs in (raw, raw2):
        canon = [side.canon(o) for side, o in zip(tp.sides, outs)]
        assert canon[1] == canon[0]
    assert "found: false" in canon[0] and "<Simple:x>" in canon[0]

    # A client reconnecting with the last id it saw, after one more change.
    tp.tx(simple("z", i=3))
    resumed = [Monitor(side, ["monitor-cond-since", "Kiln_Test", ids[-1],
                              "[]", "Simple", "name,i"])
               for side, ids in zip(tp.sides, (ref_ids, tgt_ids))]
    now = [Monitor(side, ["monitor-cond-since", "Kiln_Test", "[]",
                          "Simple", "name,i"]) for side in tp.sides]
    tp.monitors.extend(resumed + now)
    wait_all(resumed + now, "found:")
    wait_all(now, "initial")
    time.sleep(0.2)
    out = _finish_raw(resumed)
    current = _last_ids(_finish_raw(now)[1])[0]
    # ovsdb-server finds nothing and sends every row as "initial".
    ref = tp.sides[0].canon(out[0])
    assert "found: false" in ref
    assert "<Simple:x>" in ref and "<Simple:z>" in ref
    if kiln:
        # Found: only the insert of z, and the id of that transaction.
        tgt = tp.sides[1].canon(out[1])
        assert out[1].startswith("found: true, last_id: %s\n" % current)
        assert current not in tgt_ids
        assert "initial" not in tgt and "<Simple:x>" not in tgt
        assert tgt.count("insert") == 1 and "<Simple:z> insert" in tgt
    else:
        assert tp.sides[1].canon(out[1]) == ref


def test_monitor_nb(nb):
    nb.tx({"op": "insert", "table": "NB_Global", "row": {"name": "g"}})
    ms = nb.monitor("monitor", "OVN_Northbound", "ALL")
    wait_all(ms, "initial")
    _fill_nb(nb)
    wait_all(ms, "lr0")
    nb.tx({"op": "mutate", "table": "Logical_Switch", "where": [],
           "mutations": [["ports", "delete", ["set", [
               ["uuid", "<Logical_Switch_Port:lsp1>"]]]]]})
    wait_all(ms, "delete", 1)
    nb.tx({"op": "update", "table": "Logical_Switch", "where": [],
           "row": {"ports": ["set", []]}})
    wait_all(ms, "delete", 2)
    out = finish_same(nb, ms)
    # The ports, collected once no switch references them, are reported
    # deleted.
    assert out.count("delete") >= 2 and "lsp2" in out


def test_monitor_errors(tp):
    tp.same_err("monitor", "Kiln_Test", "Nope")
    tp.same_err("monitor", "Kiln_Test", "Simple", "nocol")
    tp.same_err("monitor-cond", "Kiln_Test", '[["nocol","==",1]]',
                "Simple", timeout=10)
    tp.same_err("monitor", "Nope", "Simple")


def test_monitor_request_errors(tp):
    # Malformed monitor requests, as a client library could send them: the
    # error objects (tag and "syntax") must match.
    k = "Kiln_Test"
    cases = [
        ("monitor", [k, None, 1]),
        ("monitor", [k, None, {"Nope": {}}]),
        ("monitor", [k, None, {"Simple": 1}]),
        ("monitor", [k, None, {"Simple": [{"columns": ["i"]}, 1]}]),
        ("monitor", [k, None, {"Simple": {"columns": "x"}}]),
        ("monitor", [k, None, {"Simple": {"columns": ["i", 1]}}]),
        ("monitor", [k, None, {"Simple": {"columns": ["nope"]}}]),
        ("monitor", [k, None, {"Simple": {"columns": ["i", "name", "i"]}}]),
        ("monitor", [k, None, {"Simple": [{"columns": ["i"]}, {}]}]),
        ("monitor", [k, None, {"Simple": {"select": []}}]),
        ("monitor", [k, None, {"Simple": {"select": {"initial": 1}}}]),
        ("monitor", [k, None, {"Simple": {"select": {"x": True}}}]),
        ("monitor", [k, None, {"Simple": {"x": 1}}]),
        ("monitor", [k, None, {"Simple": {"where": []}}]),
        ("monitor", [k, None, {"Simple": {}}, "ignored"]),
        ("monitor_cond", [k, None, {"Simple": {"where": "x"}}]),
        ("monitor_cond", [k, None, {"Simple": {"where": [["i", "~", 1]]}}]),
        ("monitor_cond", [k, None, {"Simple": {"where": [["i", "==", "x"]]}}]),
        ("monitor_cond", [k, None, {"Simple": {}}, 1]),
        ("monitor_cond_since", [k, None, {"Simple": {}}]),
        ("monitor_cancel", []),
        ("monitor_cancel", ["nosuch"]),
        ("monitor_cond_change", ["m", "m2"]),
        ("monitor_cond_change", ["nosuch", "m2", {}]),
    ]
    errors = 0
    for method, params in cases:
        outs = []
        for s in tp.sides:
            with s.server.connect() as c:
                reply = c.call(method, params)
            reply.pop("id")
            outs.append(s.canon(json.dumps(reply), json_lines=True))
        assert outs[1] == outs[0], (method, params)
        errors += json.loads(outs[0])["error"] is not None
    assert errors == len(cases) - 1
    for s in tp.sides:
        with s.server.connect() as c:
            assert c.call("echo", ["alive"])["result"] == ["alive"]


# -- wait, lock, echo ------------------------------------------------------

def test_wait(tp):
    assert tp.same("wait", "Kiln_Test", "added") == ""
    tp.same("wait", "Kiln_Test", "connected")
    tp.same("wait", "_Server", "connected")
    # A database that never appears: both still waiting when ovsdb-client's
    # own timer fires (SIGALRM).
    results = tp.run("--timeout=1", "wait", "Nope", "added")
    assert results[0] == results[1]
    assert results[0][0] == -signal.SIGALRM
    tp.same_err("wait", "Kiln_Test", "nonsense")


def test_lock_steal_unlock(tp):
    a = tp.monitor("lock", "L")
    wait_all(a, '{"locked":true}')
    b = tp.monitor("lock", "L")
    wait_all(b, '{"locked":false}')
    c = tp.monitor("steal", "L")
    wait_all(c, '{"locked":true}')
    wait_all(a, "stolen")
    # The lock is released when its owner goes: the next waiter gets it.
    # When the thief goes, the lock returns to the client it was stolen
    # from (still queued, ahead of b); when that one goes, b gets it.
    for m in c:
        m.finish()
    wait_all(a, "locked", 2)
    for m in a:
        m.finish()
    wait_all(b, "locked", 2)
    d = tp.monitor("unlock", "L")
    time.sleep(0.2)
    outs = [finish_same(tp, m) for m in (a, b, c, d)]
    assert "stolen" in outs[0] and outs[0].count("locked") == 2
    assert outs[1].count("locked") == 2
    # Lock and transaction "assert".
    conns = [s.server.connect() for s in tp.sides]
    try:
        outs = []
        for s, cn in zip(tp.sides, conns):
            r1 = cn.call("lock", ["M"])
            r2 = cn.transact("Kiln_Test", {"op": "assert", "lock": "M"},
                             simple("locked"))
            r3 = cn.call("unlock", ["M"])
            r4 = cn.transact("Kiln_Test", {"op": "assert", "lock": "M"},
                             simple("unlocked"))
            s.learn()
            outs.append(s.canon(json.dumps([r1, r2, r3, r4]),
                                json_lines=True))
        assert outs[0] == outs[1]
        assert '"not owner"' in outs[0]
    finally:
        for cn in conns:
            cn.close()


def test_echo(tp):
    for params in ([], ["x"], [1, [2, {"a": "b"}], None, True, 1.5]):
        replies = []
        for s in tp.sides:
            with s.server.connect() as c:
                r = c.call("echo", params)
            replies.append(r)
            assert r == {"id": r["id"], "result": params, "error": None}
        assert replies[0] == replies[1]
