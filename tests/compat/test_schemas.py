"""schemas/*.ovsschema, the interface definitions kiln-db serves by default,
must hold exactly the data of Debian's installed schema files: a Debian
update of openvswitch or ovn shows up here as a failure (regenerate with
scripts/gen-schemas.py)."""

import importlib.util
import json
import os

import pytest

import kilntest

CASES = [
    ("vswitch.ovsschema", "/usr/share/openvswitch/vswitch.ovsschema",
     "Open_vSwitch", "8.3.1"),
    ("ovn-nb.ovsschema", "/usr/share/ovn/ovn-nb.ovsschema",
     "OVN_Northbound", "7.0.0"),
    ("ovn-sb.ovsschema", "/usr/share/ovn/ovn-sb.ovsschema",
     "OVN_Southbound", "20.27.0"),
]
IDS = [c[0] for c in CASES]


def ours(name):
    return os.path.join(kilntest.TOP, "schemas", name)


def load(path):
    with open(path) as f:
        return json.load(f)


def strict_diff(a, b, where="$"):
    """The first difference between two parsed JSON values, where 1 and
    1.0 and True differ (Python's == would call them equal), or None."""
    if type(a) is not type(b):
        return "%s: %r vs %r" % (where, a, b)
    if isinstance(a, dict):
        if set(a) != set(b):
            return "%s: keys %s vs %s" % (where, sorted(set(a) - set(b)),
                                          sorted(set(b) - set(a)))
        for k in sorted(a):
            d = strict_diff(a[k], b[k], "%s.%s" % (where, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: length %d vs %d" % (where, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = strict_diff(x, y, "%s[%d]" % (where, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (where, a, b)


@pytest.mark.parametrize("name,installed,dbname,version", CASES, ids=IDS)
def test_same_data_as_installed(name, installed, dbname, version):
    mine = load(ours(name))
    theirs = load(installed)
    assert strict_diff(mine, theirs) is None
    assert mine["name"] == dbname
    assert mine["version"] == version


@pytest.mark.parametrize("name,installed,dbname,version", CASES, ids=IDS)
def test_layout_is_generated(name, installed, dbname, version):
    # The committed text is exactly what scripts/gen-schemas.py writes.
    spec = importlib.util.spec_from_file_location(
        "gen_schemas", os.path.join(kilntest.TOP, "scripts",
                                    "gen-schemas.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.SOURCES[name] == installed
    with open(ours(name)) as f:
        assert f.read() == gen.render(installed)


@pytest.mark.parametrize("name,installed,dbname,version", CASES, ids=IDS)
def test_ovsdb_tool_agrees(name, installed, dbname, version):
    # Debian's ovsdb-tool reads our file as the same schema, and the
    # checksum it computes matches the recorded "cksum".
    path = ours(name)
    assert kilntest.run(["/usr/bin/ovsdb-tool", "schema-name",
                         path]).strip() == dbname
    assert kilntest.run(["/usr/bin/ovsdb-tool", "schema-version",
                         path]).strip() == version
    cksum = kilntest.run(["/usr/bin/ovsdb-tool", "schema-cksum",
                          path]).strip()
    assert cksum == load(path)["cksum"]
    assert cksum == kilntest.run(["/usr/bin/ovsdb-tool", "schema-cksum",
                                  installed]).strip()


def test_every_table_and_column_present():
    # A readable failure for the common drift: a table or column added or
    # removed by a Debian update.
    for name, installed, _, _ in CASES:
        mine = load(ours(name))["tables"]
        theirs = load(installed)["tables"]
        assert sorted(mine) == sorted(theirs), name
        for t in theirs:
            assert sorted(mine[t]["columns"]) == \
                sorted(theirs[t]["columns"]), (name, t)
