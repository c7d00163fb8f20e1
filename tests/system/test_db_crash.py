"""Crash safety of the database server.

A client commits single-row transactions in a loop over raw JSON-RPC, each
row holding the next integer, while the server is killed with SIGKILL at
random moments.  After every kill the server must start again on the same
file (a torn tail never stops it), every acknowledged transaction must be
there, and nothing that was never sent.  Some kills are followed by damage
to the file's tail, as a write cut short would leave it.

Runs against the target kind ($KILN_TARGET) and against ovsdb-server,
which shows the test itself is sound.  KILN_SEED fixes the random
schedule (printed on failure).
"""

import json
import os
import random
import threading
import time

import pytest

import kilntest

KILLS = 20
SCHEMA = {
    "name": "Crash",
    "version": "1.0.0",
    "tables": {
        "Seq": {
            "columns": {
                "n": {"type": "integer"},
                "pad": {"type": "string"},
            },
            "indexes": [["n"]],
            "isRoot": True,
        },
    },
}
# Enough text per row that a kill often lands inside a write.
PAD = "x" * 100

KINDS = sorted({kilntest.target_kind(), "ovs"})


class Writer(threading.Thread):
    """Inserts Seq rows n = 0, 1, 2, ... one per transaction, reconnecting
    whenever the server goes away.  'acked' holds every n whose
    transaction was answered with success; 'sent' is the next n not yet
    sent (numbers are never reused)."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.lock = threading.Lock()
        self.acked = set()
        self.sent = 0
        self.errors = []      # unexpected transaction errors
        self.stop_flag = threading.Event()
        self.conn = None

    def run(self):
        while not self.stop_flag.is_set():
            if self.conn is None:
                try:
                    self.conn = self.server.connect(timeout=5)
                except OSError:
                    time.sleep(0.005)
                    continue
            with self.lock:
                n = self.sent
                self.sent += 1
            try:
                reply = self.conn.transact(
                    "Crash", {"op": "insert", "table": "Seq",
                              "row": {"n": n, "pad": PAD}})
            except (OSError, kilntest.RpcError):
                self.conn.close()
                self.conn = None
                continue
            if reply.get("error") is None and all(
                    "error" not in r for r in reply["result"]):
                with self.lock:
                    self.acked.add(n)
            else:
                self.errors.append((n, reply))

    def snapshot(self):
        with self.lock:
            return set(self.acked), self.sent

    def finish(self):
        self.stop_flag.set()
        self.join(10)
        if self.conn is not None:
            self.conn.close()


def read_all(server):
    """The list of n in Seq (with duplicates, if any)."""
    with server.connect(timeout=10) as c:
        reply = c.transact("Crash", {"op": "select", "table": "Seq",
                                     "where": [], "columns": ["n"]})
    assert reply["error"] is None, reply
    return [row["n"] for row in reply["result"][0]["rows"]]


def check(server, acked, writer, dropped, what):
    """Checks the rows against what 'writer' had acknowledged ('acked',
    taken when the server died) and has sent by now."""
    ns = read_all(server)
    sent = writer.snapshot()[1]
    present = set(ns)
    assert len(ns) == len(present), "%s: duplicate rows" % what
    lost = acked - present - dropped
    assert not lost, "%s: acknowledged rows lost: %s" % (
        what, sorted(lost)[:20])
    phantom = {n for n in present if n >= sent or n < 0}
    assert not phantom, "%s: rows never sent: %s" % (what, sorted(phantom))
    back = present & dropped
    assert not back, "%s: rows of a torn record came back: %s" % (
        what, sorted(back))
    return present


def last_record(path):
    """(offset, text) of the last record of a database file: a header line
    "OVSDB JSON LENGTH SHA1" and its JSON text."""
    with open(path, "rb") as f:
        data = f.read()
    off = data.rfind(b"OVSDB JSON ")
    return off, data[off:]


def damage_tail(path, how, rng):
    """Damages the end of the database file the way an interrupted write
    would.  Returns the set of n whose record was cut (so must not come
    back), empty if no committed record was touched."""
    if how == "garbage-header":
        with open(path, "ab") as f:
            f.write(b"OVSDB JSON 4")
    elif how == "partial-record":
        body = json.dumps({"Seq": {"6d3c1a38-8a70-4f0c-a5ab-1c1b2b3f4d5e":
                                   {"n": -1, "pad": PAD}}}).encode()
        with open(path, "ab") as f:
            f.write(b"OVSDB JSON %d 0123456789abcdef0123456789abcdef01234567"
                    b"\n" % (len(body) + 10) + body[:rng.randrange(1, 40)])
    elif how == "bad-checksum":
        body = json.dumps({"Seq": {"6d3c1a38-8a70-4f0c-a5ab-1c1b2b3f4d5e":
                                   {"n": -2, "pad": PAD}}}).encode()
        with open(path, "ab") as f:
            f.write(b"OVSDB JSON %d 0123456789abcdef0123456789abcdef01234567"
                    b"\n" % len(body) + body + b"\n")
    elif how == "cut-last":
        # Cut the last record in two: it stands for a write that was not
        # complete, so its transaction cannot have been acknowledged; the
        # caller drops its rows from the expected set.
        off, rec = last_record(path)
        header, _, body = rec.partition(b"\n")
        try:
            txn = json.loads(body)
        except ValueError:
            return set()
        rows = txn.get("Seq") or {}
        if txn.get("_is_diff") is not True or len(rows) != 1:
            return set()   # the schema or a snapshot: leave it whole
        ns = {r["n"] for r in rows.values() if r and "n" in r}
        cut = off + len(header) + 1 + rng.randrange(1, max(2, len(body) - 1))
        with open(path, "r+b") as f:
            f.truncate(cut)
        return ns
    return set()


DAMAGE = [None, None, "garbage-header", None, "partial-record", None,
          "bad-checksum", "cut-last"]


@pytest.mark.parametrize("kind", KINDS)
def test_kill9_loop(make_server, tmp_path, kind):
    seed = int(os.environ.get("KILN_SEED", time.time_ns() % 1000000))
    rng = random.Random(seed)
    schema = tmp_path / "crash.ovsschema"
    schema.write_text(json.dumps(SCHEMA))
    srv = make_server(kind, [str(schema)])
    writer = Writer(srv)
    writer.start()
    dropped = set()
    history = []
    try:
        for i in range(KILLS):
            time.sleep(rng.uniform(0.05, 0.7))
            srv.kill9()
            acked, sent = writer.snapshot()
            how = DAMAGE[rng.randrange(len(DAMAGE))]
            cut = damage_tail(srv.db_files[0], how, rng) if how else set()
            # A record we cut stands for a write the kill interrupted; if
            # its reply had in fact gone out, the loss is our doing, not
            # the server's: expect those rows to be gone instead.
            acked -= cut
            dropped |= cut
            history.append((i, how, len(acked), sent))
            srv.start(timeout=15)
            check(srv, acked, writer, dropped,
                  "seed %d, kill %d (%s)" % (seed, i, how))
    finally:
        writer.finish()
    acked, sent = writer.snapshot()
    assert not writer.errors, writer.errors[:3]
    # The loop did real work: many commits, with writes in flight at kills.
    assert len(acked) > 200, (seed, history)
    # A clean shutdown and restart keeps everything.
    srv.restart()
    present = check(srv, acked, writer, dropped, "seed %d, final" % seed)
    assert len(present) >= len(acked - dropped)


@pytest.mark.parametrize("kind", KINDS)
def test_kill9_during_compaction(make_server, tmp_path, kind):
    # Compaction rewrites the whole file: a kill at any moment of it must
    # leave either the old or the new file, never a broken one.
    seed = int(os.environ.get("KILN_SEED", time.time_ns() % 1000000))
    rng = random.Random(seed)
    schema = tmp_path / "crash.ovsschema"
    schema.write_text(json.dumps(SCHEMA))
    srv = make_server(kind, [str(schema)])
    with srv.connect() as c:
        for batch in range(0, 2000, 100):
            ids = [c.request("transact", ["Crash", {
                "op": "insert", "table": "Seq",
                "row": {"n": n, "pad": PAD}}])
                for n in range(batch, batch + 100)]
            for rid in ids:
                assert c.wait_reply(rid)["error"] is None
    expect = set(range(2000))
    for i in range(6):
        # Make the log longer than the snapshot, then compact and kill.
        with srv.connect() as c:
            c.transact("Crash", {"op": "mutate", "table": "Seq",
                                 "where": [["n", "<", 50]],
                                 "mutations": [["n", "+=", 0]]})
        pid = srv.pid()
        t = threading.Thread(target=srv.appctl, args=(
            "ovsdb-server/compact",), kwargs={"check": False})
        t.start()
        time.sleep(rng.uniform(0, 0.05))
        srv.kill9()
        t.join(10)
        assert not kilntest.is_alive(pid)
        srv.start(timeout=15)
        assert set(read_all(srv)) == expect, "seed %d, round %d" % (seed, i)
    # And once compacted for real, it still holds everything.
    srv.appctl("ovsdb-server/compact")
    srv.restart()
    assert set(read_all(srv)) == expect
