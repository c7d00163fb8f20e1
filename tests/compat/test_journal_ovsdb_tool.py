"""Kiln's database files (ovsdb/journal.c) against Debian's ovsdb-tool.

Both directions of the standalone format of ovsdb(5): journal-tool (a small
driver of ovsdb/journal.h built in KILN_BUILD/tests/compat) reads files that
ovsdb-tool made, and ovsdb-tool reads, queries and compacts files that
journal-tool made.  The lock file is shared too: neither writes a file the
other holds.
"""

import hashlib
import json
import os
import subprocess
import time
import uuid

BUILD = os.environ.get("KILN_BUILD", "/work/main/build")
TOOL = os.path.join(BUILD, "tests", "compat", "journal-tool")
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
OVSDB_TOOL = "/usr/bin/ovsdb-tool"
OVSDB_SERVER = "/usr/sbin/ovsdb-server"

# Keep the OVS tools away from any daemon or database in the environment.
ENV = {k: v for k, v in os.environ.items()
       if not k.startswith(("OVS_", "OVN_"))}


def run(*args, check=True):
    """Runs a command; returns its CompletedProcess (text mode)."""
    proc = subprocess.run(list(args), capture_output=True, text=True,
                          env=ENV, timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError("%s failed (%d): %s"
                             % (" ".join(args), proc.returncode,
                                proc.stderr))
    return proc


def parse_records(path):
    """An independent reader of ovsdb(5) files: returns the records."""
    data = open(path, "rb").read()
    records = []
    pos = 0
    while pos < len(data):
        nl = data.index(b"\n", pos)
        words = data[pos:nl].split(b" ")
        assert words[:2] == [b"OVSDB", b"JSON"] and len(words) == 4
        length = int(words[2])
        body = data[nl + 1:nl + 1 + length]
        assert len(body) == length and body.endswith(b"\n")
        assert hashlib.sha1(body).hexdigest() == words[3].decode()
        records.append(json.loads(body))
        pos = nl + 1 + length
    return records


def tool_read(db):
    """The records of 'db' as journal-tool reads them."""
    out = run(TOOL, "read", str(db)).stdout
    return [json.loads(line) for line in out.splitlines()]


def transact(db, *ops):
    """Runs an Open_vSwitch transaction on 'db' with ovsdb-tool; returns
    the results."""
    txn = json.dumps(["Open_vSwitch"] + list(ops))
    result = json.loads(run(OVSDB_TOOL, "transact", str(db), txn).stdout)
    for r in result:
        assert "error" not in r, result
    return result


def query_bridges(db):
    """Returns {name: uuid} of the Bridge rows ovsdb-tool finds in 'db'."""
    txn = json.dumps(["Open_vSwitch",
                      {"op": "select", "table": "Bridge", "where": [],
                       "columns": ["_uuid", "name"]}])
    result = json.loads(run(OVSDB_TOOL, "query", str(db), txn).stdout)
    return {row["name"]: row["_uuid"][1] for row in result[0]["rows"]}


def insert_bridge_ops(name):
    """Operations that add bridge 'name', referenced from the root row."""
    return [{"op": "insert", "table": "Bridge", "row": {"name": name},
             "uuid-name": "br"},
            {"op": "mutate", "table": "Open_vSwitch", "where": [],
             "mutations": [["bridges", "insert",
                            ["set", [["named-uuid", "br"]]]]]}]


def bridge_record(bridge_uuid, name, ovs_uuid, bridges, new_root):
    """A transaction record in the ovsdb(5) format that inserts Bridge
    'name' and makes the Open_vSwitch row refer to 'bridges'."""
    root = {"bridges": ["set", [["uuid", u] for u in bridges]]}
    if new_root:
        root["ovs_version"] = "kiln"
    return {"_date": int(time.time() * 1000),
            "_comment": "written by journal-tool",
            "Bridge": {bridge_uuid: {"name": name}},
            "Open_vSwitch": {ovs_uuid: root}}


def test_reads_files_made_by_ovsdb_tool(tmp_path):
    db = tmp_path / "ovs.db"
    run(OVSDB_TOOL, "create", str(db), SCHEMA)
    transact(db, {"op": "insert", "table": "Open_vSwitch", "row": {}})
    result = transact(db, *insert_bridge_ops("br0"))
    br0 = result[0]["uuid"][1]
    transact(db, {"op": "update", "table": "Bridge",
                  "where": [["name", "==", "br0"]],
                  "row": {"external_ids": ["map", [["k", "v\nw"]]]}},
             {"op": "comment", "comment": "hello"})

    records = tool_read(db)
    assert records == parse_records(db)
    assert len(records) == 4

    schema = json.load(open(SCHEMA))
    assert records[0]["name"] == schema["name"] == "Open_vSwitch"
    assert records[0]["version"] == schema["version"]
    assert records[0]["cksum"] == schema["cksum"]
    assert set(records[0]["tables"]) == set(schema["tables"])
    assert records[2]["Bridge"][br0]["name"] == "br0"
    assert records[3]["_comment"] == "hello"
    assert records[3]["Bridge"][br0]["external_ids"] == \
        ["map", [["k", "v\nw"]]]


def test_ovsdb_tool_reads_files_made_by_kiln(tmp_path):
    db = tmp_path / "kiln.db"
    br0, root = str(uuid.uuid4()), str(uuid.uuid4())
    txn = bridge_record(br0, "br0", root, [br0], True)
    run(TOOL, "create", str(db), "@" + SCHEMA, json.dumps(txn))

    # The bytes follow ovsdb(5) exactly.
    records = parse_records(db)
    assert records[0] == json.load(open(SCHEMA))
    assert records[1] == txn

    assert run(OVSDB_TOOL, "db-name", str(db)).stdout == "Open_vSwitch\n"
    schema = json.load(open(SCHEMA))
    assert run(OVSDB_TOOL, "db-version", str(db)).stdout == \
        schema["version"] + "\n"
    assert run(OVSDB_TOOL, "db-cksum", str(db)).stdout == \
        schema["cksum"] + "\n"

    log = run(OVSDB_TOOL, "-mm", "show-log", str(db)).stdout
    assert "record 0:" in log and "record 1:" in log
    assert 'table Bridge insert row "br0"' in log
    assert "written by journal-tool" in log
    assert query_bridges(db) == {"br0": br0}

    # Appending a second record, then ovsdb-tool appends a third.
    br1 = str(uuid.uuid4())
    txn2 = bridge_record(br1, "br1", root, [br0, br1], False)
    run(TOOL, "append", str(db), json.dumps(txn2))
    assert query_bridges(db) == {"br0": br0, "br1": br1}
    result = transact(db, *insert_bridge_ops("br2"))
    br2 = result[0]["uuid"][1]
    records = tool_read(db)
    assert len(records) == 4
    assert records[3]["Bridge"][br2]["name"] == "br2"

    # Compaction by ovsdb-tool leaves a file Kiln reads: the schema and one
    # record holding every row.
    run(OVSDB_TOOL, "compact", str(db))
    records = tool_read(db)
    assert records == parse_records(db)
    assert len(records) == 2
    assert records[0]["name"] == "Open_vSwitch"
    names = {row["name"] for row in records[1]["Bridge"].values()}
    assert names == {"br0", "br1", "br2"}
    assert set(records[1]["Bridge"]) == {br0, br1, br2}
    assert list(records[1]["Open_vSwitch"]) == [root]
    assert not os.path.exists(str(db) + ".tmp")


def test_torn_tail_of_ovsdb_tool_file(tmp_path):
    db = tmp_path / "torn.db"
    run(OVSDB_TOOL, "create", str(db), SCHEMA)
    transact(db, {"op": "insert", "table": "Open_vSwitch", "row": {}})
    good = os.path.getsize(db)
    transact(db, *insert_bridge_ops("br0"))
    size = os.path.getsize(db)
    with open(db, "r+b") as f:
        f.truncate(good + (size - good) // 2)

    records = tool_read(db)
    assert len(records) == 2

    # Appending cuts the torn record off first; ovsdb-tool agrees.
    br1, root = str(uuid.uuid4()), records[1]["Open_vSwitch"]
    root = list(root)[0]
    txn = bridge_record(br1, "br1", root, [br1], False)
    run(TOOL, "append", str(db), json.dumps(txn))
    assert len(parse_records(db)) == 3
    assert query_bridges(db) == {"br1": br1}


def test_refuses_clustered_files(tmp_path):
    db = tmp_path / "cluster.db"
    run(OVSDB_TOOL, "create-cluster", str(db), SCHEMA, "tcp:127.0.0.1:6699")
    for cmd in ("read", "append"):
        proc = run(TOOL, cmd, str(db), check=False)
        assert proc.returncode == 1
        assert "clustered" in proc.stderr


def test_lock_excludes_ovsdb_tool(tmp_path):
    db = tmp_path / "locked.db"
    run(OVSDB_TOOL, "create", str(db), SCHEMA)
    holder = subprocess.Popen([TOOL, "hold", str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        assert (tmp_path / ".locked.db.~lock~").exists()
        txn = json.dumps(["Open_vSwitch", {"op": "insert",
                                           "table": "Open_vSwitch",
                                           "row": {}}])
        proc = run(OVSDB_TOOL, "transact", str(db), txn, check=False)
        assert proc.returncode != 0
        assert "pid %d" % holder.pid in proc.stderr
        # A reader needs no lock.
        assert len(tool_read(db)) == 1
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert holder.returncode == 0
    transact(db, {"op": "insert", "table": "Open_vSwitch", "row": {}})
    assert len(tool_read(db)) == 2


def test_lock_excludes_kiln_from_ovsdb_server(tmp_path):
    db = tmp_path / "served.db"
    run(OVSDB_TOOL, "create", str(db), SCHEMA)
    sock = tmp_path / "db.sock"
    server = subprocess.Popen(
        [OVSDB_SERVER, "--remote=punix:%s" % sock,
         "--unixctl=%s" % (tmp_path / "ctl"), "--no-chdir",
         "--log-file=%s" % (tmp_path / "server.log"), str(db)],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while not sock.exists():
            assert server.poll() is None, "ovsdb-server exited"
            assert time.time() < deadline, "ovsdb-server did not start"
            time.sleep(0.05)
        txn = bridge_record(str(uuid.uuid4()), "br0", str(uuid.uuid4()),
                            [], True)
        proc = run(TOOL, "append", str(db), json.dumps(txn), check=False)
        assert proc.returncode == 1
        assert "pid %d" % server.pid in proc.stderr
        assert len(parse_records(db)) == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
