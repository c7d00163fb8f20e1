"""Shared machinery of the compat suites.

A suite describes a scripted CLI session (a list of steps).  run_compare()
starts two fresh database servers with the same schema, the reference
(Debian's ovsdb-server, kind "ovs") and the target (KILN_TARGET, "kiln" by
default), plays the session against each, and requires that

  - the transcripts (command, stdout, stderr, exit status of every step)
    are equal once canonicalized, and
  - the final databases (`ovsdb-client dump`) are equal once canonicalized.

Canonical form.  The two servers choose different row UUIDs, and the CLIs
print some things in an order that depends on those UUIDs (sets of
references are sorted by UUID, `list` and `show` walk rows in hash order).
So before comparing:

  1. Every row of the final database gets a label derived from its content
     rather than its UUID: <Table:name> when the row has a unique "name",
     otherwise <Table#k> where k ranks the row's content (references
     included, through the labels of the rows they point to, and the rows
     that point to it); indistinguishable rows share a label.  Each UUID
     of a live row is replaced by its label, in the dump and in the
     transcript.
  2. Lists of labels (a printed set of references) are sorted.
  3. A step may ask for its output to be sorted (by lines, by blank-line
     separated records, table rows below a header, or as an indentation
     tree) when the CLI prints rows in hash order.
  4. The two rows named by an index conflict error are put in a fixed
     order; "0x" and a live row's first 8 UUID digits (ovn-sbctl --uuid)
     become its label.
  5. Remaining UUIDs (rows deleted during the session) go through
     kilntest.normalize(): <0>, <1>... in order of first appearance.

A mismatch fails the test with a unified diff, reference first.

Set KILN_COMPAT_KEEP=1 to keep the temporary directories (server logs,
transcripts) after a run.
"""

import contextlib
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
import kilntest  # noqa: E402

import pytest  # noqa: E402

TARGET = kilntest.target_kind()
KEEP = bool(os.environ.get("KILN_COMPAT_KEEP"))

# A session against one server may take this long (seconds); the steps
# after it are reported as skipped, so a hanging server fails the test in
# bounded time instead of waiting out every command's own --timeout.
SESSION_BUDGET = 60

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{4}-[0-9a-f]{12}")
LABEL = r"(?:<[A-Za-z_]+[:#][^<>\s,\]\"]*>|<\d+>)"
# A printed set of references: "[<a>, <b>]" (list, table and csv formats),
# a line of nothing but "<a> <b>" (--bare), ["set",[["uuid","<a>"],...]]
# (--data=json).  Their order follows the UUIDs, so they are sorted.
LABEL_LIST_RE = re.compile(r"\[(%s(?:, %s)+)\]" % (LABEL, LABEL))
BARE_LIST_RE = re.compile(r"^(%s(?: %s)+)$" % (LABEL, LABEL), re.M)
JSON_LABEL_LIST_RE = re.compile(r'\["set",\[(\["uuid","%s"\]'
                                r'(?:,\["uuid","%s"\])+)\]\]'
                                % (LABEL, LABEL))
TIMESTAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\|\d+\|")

# The CLIs must not pick up a daemon or a database from the environment.
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if not k.startswith(("OVN_", "OVS_"))}


class Step:
    """One command of a session.

    cmd: the command line after the tool's connection options, a string
    split like a shell would (shlex).  sort: how to canonicalize output
    printed in hash order: None, "lines", "records" (blank-line separated
    blocks), "table" (rows below a two-line heading), "csv" (rows below a
    one-line heading), "tree" (siblings at each indentation level).
    tool: the program, when not the suite's default.  bg: start the command
    and go on; its result is reported at the next Join step (for wait-until
    against a later change).  stdin: text fed to the command.  fails: the
    step is an error case; every other step must succeed on the reference,
    so that a broken script cannot pass by failing alike on both servers.
    save: a variable name; the step's stripped stdout (say, a UUID) then
    replaces "${name}" in later commands, whose transcript still shows
    "${name}".
    """

    def __init__(self, cmd, sort=None, tool=None, bg=False, stdin=None,
                 fails=False, save=None):
        self.cmd = cmd
        self.save = save
        self.fails = fails
        self.sort = sort
        self.tool = tool
        self.bg = bg
        self.stdin = stdin


def fails(cmd, **kw):
    """A step that must fail (on the reference and on the tool alike)."""
    return Step(cmd, fails=True, **kw)


class Join:
    """Waits for every background step and reports their results."""


class Tool:
    """How to invoke one CLI against a server: name and argv builder."""

    def __init__(self, name, argv):
        self.name = name
        self.argv = argv    # function(server) -> list of leading arguments


def ctl_tool(name, *options):
    """A kiln-*ctl / ovn-*ctl style tool: --db=REMOTE, then 'options', then
    a 20-second --timeout."""
    return Tool(name, lambda s: ["--db=" + s.remote] + list(options)
                + ["--timeout=20"])


def tool_argv(tool, server, cmd):
    """The argv that runs command line 'cmd' through 'tool' on 'server'."""
    return [tool.name] + tool.argv(server) + shlex.split(cmd)


def _sort_key(text):
    """Sort key that ignores raw UUIDs (of rows deleted since), whose order
    differs from server to server."""
    return UUID_RE.sub("<?>", text)


def _sort_output(text, how):
    if not how or not text:
        return text
    lines = text.split("\n")
    trailing = lines[-1] == ""
    if trailing:
        lines.pop()
    if how == "lines":
        lines.sort(key=_sort_key)
    elif how == "table":
        lines = lines[:2] + sorted(lines[2:], key=_sort_key)
    elif how == "csv":
        lines = lines[:1] + sorted(lines[1:], key=_sort_key)
    elif how == "records":
        records, cur = [], []
        for line in lines:
            if line == "":
                records.append(cur)
                cur = []
            else:
                cur.append(line)
        records.append(cur)
        records = sorted(("\n".join(r) for r in records if r), key=_sort_key)
        lines = "\n\n".join(records).split("\n")
    elif how == "tree":
        lines = _sort_tree(lines)
    else:
        raise ValueError("unknown sort %r" % how)
    return "\n".join(lines) + ("\n" if trailing else "")


def _sort_tree(lines):
    """Sorts sibling blocks (a line plus its deeper-indented lines) at
    every level.  A blank line stays attached to the line before it."""
    items = []
    for line in lines:
        if line.strip() == "" and items:
            items[-1] += "\n" + line
        else:
            items.append(line)
    return "\n".join(_sort_items(items)).split("\n")


def _sort_items(items):
    def indent(item):
        return len(item) - len(item.lstrip(" "))

    blocks = []
    i = 0
    while i < len(items):
        j = i + 1
        while j < len(items) and indent(items[j]) > indent(items[i]):
            j += 1
        blocks.append([items[i]] + _sort_items(items[i + 1:j]))
        i = j
    result = []
    for b in sorted(blocks, key=lambda b: _sort_key("\n".join(b))):
        result.extend(b)
    return result


# ovsdb-server names the two rows of an index conflict in an order of its
# own (hash order), so the pair is put in a fixed order.
INDEX_PAIR_RE = re.compile(r"First row, with UUID (\S+), ([^.]*)\.  "
                           r"Second row, with UUID (\S+), ([^.]*)\.")


def _index_pair(m):
    a, b = sorted([(m.group(2), m.group(1)), (m.group(4), m.group(3))])
    return ("First row, with UUID %s, %s.  Second row, with UUID %s, %s."
            % (a[1], a[0], b[1], b[0]))


# `ovn-sbctl --uuid lflow-list` shows a flow by its UUID's first 32 bits.
UUID_PREFIX_RE = re.compile(r"\b0x([0-9a-f]{8})\b")


def _substitute(text, labels):
    text = kilntest.mask_error_details(text)
    text = INDEX_PAIR_RE.sub(_index_pair, text)
    text = UUID_RE.sub(lambda m: labels.get(m.group(0), m.group(0)), text)
    prefixes = {u[:8]: lab for u, lab in labels.items()}
    text = UUID_PREFIX_RE.sub(
        lambda m: prefixes.get(m.group(1), m.group(0)), text)
    return _sort_label_lists(text)


def _sort_label_lists(text):
    def sort_json(m):
        items = re.findall(r'\["uuid","[^"]*"\]', m.group(1))
        return '["set",[%s]]' % ",".join(sorted(items))

    def sort_sep(sep, fmt):
        return lambda m: fmt % sep.join(sorted(m.group(1).split(sep)))

    text = JSON_LABEL_LIST_RE.sub(sort_json, text)
    text = LABEL_LIST_RE.sub(sort_sep(", ", "[%s]"), text)
    return BARE_LIST_RE.sub(sort_sep(" ", "%s"), text)


def canonical_message(text):
    """An error message with UUIDs normalized and index-conflict rows in a
    fixed order."""
    return kilntest.normalize(_substitute(text, {}))


def canonical_text(text, labels, sort=None):
    """Canonical form of one command's output (steps 1 to 4 above)."""
    return _sort_output(_substitute(text, labels), sort)


# ---------------------------------------------------------------------------
# Canonical database dump.

def dump_tables(remote, dbname):
    """Returns {table: [row dict]} from `ovsdb-client dump -f json`."""
    out = kilntest.run(["ovsdb-client", "--timeout=20", "dump", "-f", "json",
                        remote, dbname], env=CLEAN_ENV)
    dec = json.JSONDecoder()
    tables = {}
    pos = 0
    out = out.strip()
    while pos < len(out):
        obj, pos = dec.raw_decode(out, pos)
        while pos < len(out) and out[pos].isspace():
            pos += 1
        name = obj["caption"].rsplit(" table", 1)[0]
        tables[name] = [dict(zip(obj["headings"], row))
                        for row in obj["data"]]
    return tables


def _map_uuids(value, fn):
    """Copies an OVSDB JSON value, replacing each ["uuid", U] by fn(U)."""
    if isinstance(value, list):
        if len(value) == 2 and value[0] == "uuid" and isinstance(value[1],
                                                                 str):
            return ["uuid", fn(value[1])]
        return [_map_uuids(v, fn) for v in value]
    return value


def _refs(value):
    if isinstance(value, list):
        if len(value) == 2 and value[0] == "uuid" and isinstance(value[1],
                                                                 str):
            yield value[1]
        else:
            for v in value:
                yield from _refs(v)


def _canon_value(value):
    """Sorts sets and maps so that element order does not matter."""
    if isinstance(value, list) and len(value) == 2:
        if value[0] == "set":
            return ["set", sorted((_canon_value(v) for v in value[1]),
                                  key=lambda v: json.dumps(v))]
        if value[0] == "map":
            return ["map", sorted(([_canon_value(k), _canon_value(v)]
                                   for k, v in value[1]),
                                  key=lambda kv: json.dumps(kv))]
    return value


def label_rows(tables):
    """Gives every row a content-derived label; returns {uuid: label}."""
    rows = {}                       # uuid -> (table, row dict)
    for table, trs in tables.items():
        for r in trs:
            rows[r["_uuid"][1]] = (table, r)

    # Incoming references: uuid -> list of (referrer uuid, column).
    incoming = {u: [] for u in rows}
    for u, (table, r) in rows.items():
        for col, val in r.items():
            if col in ("_uuid", "_version"):
                continue
            for ref in _refs(val):
                if ref in incoming:
                    incoming[ref].append((u, col))

    # Rows with a unique non-empty name are labeled by it outright.
    fixed = {}
    for table, trs in tables.items():
        names = [r.get("name") for r in trs]
        for r in trs:
            n = r.get("name")
            if isinstance(n, str) and n and names.count(n) == 1:
                fixed[r["_uuid"][1]] = "<%s:%s>" % (table, n)

    labels = {u: fixed.get(u, "<%s#?>" % rows[u][0]) for u in rows}
    for _ in range(8):
        sigs = {}
        for u, (table, r) in rows.items():
            body = {c: _canon_value(_map_uuids(v, lambda x: labels.get(
                x, "<ext>"))) for c, v in r.items()
                if c not in ("_uuid", "_version")}
            inc = sorted("%s.%s" % (labels[s], c) for s, c in incoming[u])
            sigs[u] = json.dumps([body, inc], sort_keys=True)
        new = {}
        for table, trs in tables.items():
            free = sorted({sigs[r["_uuid"][1]] for r in trs
                           if r["_uuid"][1] not in fixed})
            rank = {s: i for i, s in enumerate(free)}
            for r in trs:
                u = r["_uuid"][1]
                if u in fixed:
                    new[u] = fixed[u]
                else:
                    new[u] = "<%s#%d>" % (table, rank[sigs[u]])
        if new == labels:
            break
        labels = new

    # Rows still sharing a label are indistinguishable (same content, same
    # references in and out): they keep the shared label, so that output
    # which orders them by UUID reads the same either way.
    return labels


def render_dump(tables, labels):
    """The canonical text of a database: a heading per table with its row
    count, then its rows sorted, each as its label and one `column=value`
    line per column (OVSDB JSON notation, sets and maps sorted)."""
    out = []
    for table in sorted(tables):
        trs = tables[table]
        out.append("%s table (%d rows)" % (table, len(trs)))
        rendered = []
        for r in trs:
            lines = ["  " + labels.get(r["_uuid"][1], r["_uuid"][1])]
            for col in sorted(r):
                if col in ("_uuid", "_version"):
                    continue
                v = _canon_value(_map_uuids(r[col], lambda x: labels.get(
                    x, x)))
                lines.append("    %s=%s" % (col, json.dumps(v)))
            rendered.append("\n".join(lines))
        out.extend(sorted(rendered))
    return kilntest.normalize("\n".join(out) + "\n")


# ---------------------------------------------------------------------------
# Sessions.

class Result:
    """What one step did: disp (the command as shown in the transcript),
    stdout, stderr, rc (None if it timed out) and the step itself."""

    def __init__(self, disp, stdout, stderr, rc, step):
        self.disp = disp
        self.stdout = stdout
        self.stderr = stderr
        self.rc = rc
        self.step = step


def play(server, steps, tool, workdir):
    """Runs the steps against server; returns a list of Result."""
    results = []
    pending = []
    try:
        _play(server, steps, tool, workdir, results, pending)
    finally:
        # Background steps never joined (or left by an exception).
        for disp, proc, bstep in pending:
            proc.kill()
            proc.communicate()
            results.append(Result(disp, "", "[never joined]", None, bstep))
    return results


def _play(server, steps, tool, workdir, results, pending):
    variables = {}
    deadline = time.monotonic() + SESSION_BUDGET
    for step in steps:
        if time.monotonic() > deadline and not isinstance(step, Join):
            step = Step(step) if isinstance(step, str) else step
            t = step.tool or tool
            results.append(Result("%s %s" % (t.name, step.cmd), "",
                                  "[skipped: session budget exceeded]",
                                  None, step))
            continue
        if isinstance(step, Join):
            while pending:
                disp, proc, bstep = pending.pop(0)
                try:
                    out, err = proc.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    out, err = proc.communicate()
                    err += "\n[timed out]"
                results.append(Result(disp, out, err, proc.returncode,
                                      bstep))
            continue
        if isinstance(step, str):
            step = Step(step)
        t = step.tool or tool
        cmd = step.cmd
        for name, value in variables.items():
            cmd = cmd.replace("${%s}" % name, value)
        argv = tool_argv(t, server, cmd)
        disp = "%s %s" % (t.name, step.cmd)
        if step.bg:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True,
                                    cwd=workdir, env=CLEAN_ENV)
            pending.append(("[bg] " + disp, proc, step))
            # Give it time to connect and start waiting, so that the
            # change it waits for usually arrives as a monitor update.
            time.sleep(0.3)
            continue
        try:
            p = subprocess.run(argv, input=step.stdin, capture_output=True,
                               text=True, cwd=workdir, env=CLEAN_ENV,
                               timeout=60)
            results.append(Result(disp, p.stdout, p.stderr, p.returncode,
                                  step))
            if step.save:
                variables[step.save] = p.stdout.strip()
        except subprocess.TimeoutExpired as e:
            out = e.stdout or ""
            if isinstance(out, bytes):
                out = out.decode(errors="replace")
            results.append(Result(disp, out, "[timed out]", None, step))


def render_transcript(results, labels, server):
    """The canonical text of a session's results."""
    path = server.remote.split(":", 1)[-1]
    out = []
    for r in results:
        out.append("$ " + r.disp)
        text = canonical_text(r.stdout.replace(path, "<DB>"), labels,
                              r.step.sort)
        out.extend(text.rstrip("\n").split("\n") if text else [])
        if r.stderr:
            err = r.stderr.replace(path, "<DB>")
            err = TIMESTAMP_RE.sub("<time>|", err)
            err = _substitute(err, labels)
            out.extend("stderr: " + line
                       for line in err.rstrip("\n").split("\n"))
        if r.rc != 0:
            out.append("exit status: %s" % r.rc)
    # Deleted rows' UUIDs become <N> here; a printed set of them is sorted
    # again once numbered.
    return _sort_label_lists(kilntest.normalize("\n".join(out) + "\n"))


def check_script(results):
    """Fails the test if a step did not succeed or fail on the reference
    as the script says it should: the session itself is wrong then."""
    bad = []
    for r in results:
        if (r.rc != 0) != r.step.fails:
            bad.append("$ %s\n%s%sexit status: %s"
                       % (r.disp, r.stdout, r.stderr, r.rc))
    if bad:
        pytest.fail("session script is wrong: on the reference server\n"
                    + "\n".join(bad), pytrace=False)


@contextlib.contextmanager
def server_pair(schema):
    """Starts a fresh reference and a fresh target server with one schema
    (a kilntest.SCHEMAS key); yields (ref, target); always cleans up."""
    top = tempfile.mkdtemp(prefix="kiln-compat-")
    servers = []
    try:
        for kind, name in (("ovs", "ref"), (TARGET, "target")):
            d = os.path.join(top, name)
            os.mkdir(d)
            s = kilntest.DbServer(kind, d, [kilntest.SCHEMAS[schema]],
                                  name=name)
            servers.append(s)
            s.start()
        yield servers[0], servers[1]
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception:
                pass
            s.cleanup()
        if KEEP:
            sys.stderr.write("kept %s\n" % top)
        else:
            shutil.rmtree(top, ignore_errors=True)


def diff(what, ref, target, ref_name=None, target_name=None):
    """A unified diff of two texts, headed by what differs."""
    d = difflib.unified_diff(ref.splitlines(), target.splitlines(),
                             ref_name or "reference (ovsdb-server)",
                             target_name or "target (%s)" % TARGET,
                             lineterm="", n=4)
    return "%s differs:\n%s" % (what, "\n".join(d))


def require_equal(what, ref, target, ref_name=None, target_name=None):
    """Fails the test with a readable diff unless the texts are equal."""
    if ref != target:
        pytest.fail(diff(what, ref, target, ref_name, target_name),
                    pytrace=False)


def session_results(server, steps, tool, dbname):
    """Plays steps against one server; returns (results, transcript,
    dump), the last two canonical texts."""
    workdir = server.workdir
    results = play(server, steps, tool, workdir)
    try:
        tables = dump_tables(server.remote, dbname)
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
        tables = None
        failure = "[ovsdb-client dump failed: %s]\n" % e
    labels = label_rows(tables) if tables is not None else {}
    transcript = render_transcript(results, labels, server)
    dump = render_dump(tables, labels) if tables is not None else failure
    if KEEP:
        with open(os.path.join(workdir, "transcript.txt"), "w") as f:
            f.write(transcript)
        with open(os.path.join(workdir, "dump.txt"), "w") as f:
            f.write(dump)
    return results, transcript, dump


def run_compare(schema, dbname, tool, steps, setup=None):
    """Plays steps (Step, str or Join items) through tool against a fresh
    reference and a fresh target server, and fails the test with a diff
    unless transcripts and final dumps agree (and unless every step
    succeeded or failed on the reference as its `fails` flag says).
    setup(server), if given, runs on each server first, outside the
    transcript.  Returns the reference's canonical transcript, for extra
    assertions."""
    with server_pair(schema) as (ref, target):
        if setup:
            setup(ref)
            setup(target)
        ref_r, ref_t, ref_d = session_results(ref, steps, tool, dbname)
        check_script(ref_r)
        _, tgt_t, tgt_d = session_results(target, steps, tool, dbname)
        problems = []
        if ref_t != tgt_t:
            problems.append(diff("transcript", ref_t, tgt_t))
        if ref_d != tgt_d:
            problems.append(diff("final database", ref_d, tgt_d))
        if problems and not target.running():
            problems.append("the target server has exited:\n"
                            + target.logs()[-3000:])
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
    return ref_t


def _normalize_tool_names(results, tool_names):
    """Makes two CLIs' results comparable: their program names in the
    displayed command and in the first line of stderr (the only line
    compared) become "CTL"."""
    for r in results:
        for name in tool_names:
            r.disp = r.disp.replace(name, "CTL")
        first = r.stderr.split("\n", 1)[0]
        for name in tool_names:
            base = os.path.basename(name)
            if first.startswith(base + ": "):
                first = "CTL: " + first[len(base) + 2:]
        r.stderr = first + "\n" if first else ""
    return results


def _tool_session(kind, top, name, schema, dbname, tool, steps, tool_names,
                  setup):
    d = os.path.join(top, name)
    os.mkdir(d)
    server = kilntest.DbServer(kind, d, [kilntest.SCHEMAS[schema]],
                               name=name)
    try:
        server.start()
        if setup:
            setup(server)
        results = play(server, steps, tool, d)
        tables = dump_tables(server.remote, dbname)
        labels = label_rows(tables)
        _normalize_tool_names(results, tool_names)
        return (results, render_transcript(results, labels, server),
                render_dump(tables, labels))
    finally:
        server.stop()
        server.cleanup()


def insert_singleton(table, dbname):
    """A setup function for compare_tools() that inserts an empty row in
    'table' (NB_Global, SB_Global, Open_vSwitch): the singleton that the
    tools expect some other component to have created."""
    def setup(server):
        kilntest.run(["ovsdb-client", "transact", server.remote,
                      '["%s",{"op":"insert","table":"%s","row":{}}]'
                      % (dbname, table)])
    return setup


def compare_tools(kind, schema, dbname, ref_tool, kiln_tool, steps,
                  setup=None):
    """Plays 'steps' with the reference CLI ('ref_tool', e.g. ovn-nbctl)
    against a fresh Debian ovsdb-server, and with Kiln's CLI ('kiln_tool')
    against a fresh server of 'kind' ("ovs" or the compat target), both on
    'schema' (a kilntest.SCHEMAS key) holding database 'dbname'.
    setup(server), if given, runs first on each.  Fails the test with a
    diff unless the transcripts (stdout, first stderr line with the program
    name replaced, exit status) and the final dumps agree once
    canonicalized, or if a step did not succeed or fail on the reference
    as the script says."""
    names = (kiln_tool.name, ref_tool.name)
    top = tempfile.mkdtemp(prefix="kiln-tools-")
    try:
        ref_r, ref_t, ref_d = _tool_session("ovs", top, "ref", schema,
                                            dbname, ref_tool, steps, names,
                                            setup)
        check_script(ref_r)
        _, tgt_t, tgt_d = _tool_session(kind, top, "target", schema, dbname,
                                        kiln_tool, steps, names, setup)
    finally:
        if not KEEP:
            shutil.rmtree(top, ignore_errors=True)
    kiln_name = "%s on %s" % (os.path.basename(kiln_tool.name), kind)
    problems = []
    if ref_t != tgt_t:
        problems.append(diff("transcript", ref_t, tgt_t, ref_tool.name,
                             kiln_name))
    if ref_d != tgt_d:
        problems.append(diff("final database", ref_d, tgt_d, ref_tool.name,
                             kiln_name))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
