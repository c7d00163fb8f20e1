"""Pytest fixtures over tests/kilntest.py.  Every server a fixture makes is
stopped and its temporary socket directory removed at teardown, whether the
test passed or failed."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kilntest  # noqa: E402


@pytest.fixture
def target_kind():
    """"kiln" or "ovs": the kind of server under test ($KILN_TARGET)."""
    return kilntest.target_kind()


@pytest.fixture
def make_server(tmp_path):
    """A factory: make_server(kind, schemas, name=None, start=True) returns
    a kilntest.DbServer with its files in tmp_path, started unless
    start=False.  All are stopped and cleaned up at teardown."""
    made = []

    def factory(kind, schemas, name=None, start=True):
        name = name or "%s%d" % (kind, len(made))
        srv = kilntest.DbServer(kind, tmp_path / name, schemas, name=name)
        made.append(srv)
        if start:
            srv.start()
        return srv

    yield factory
    errors = []
    for srv in made:
        try:
            srv.stop()
        except Exception as e:  # keep stopping the others
            errors.append(e)
        finally:
            srv.cleanup()
    if errors:
        raise errors[0]


@pytest.fixture
def ref_and_target(make_server, target_kind):
    """A factory: ref_and_target(schemas) starts a fresh reference
    (ovsdb-server) and a fresh target server on the same schemas and
    returns (ref, target)."""
    def factory(schemas):
        return (make_server("ovs", schemas, name="ref"),
                make_server(target_kind, schemas, name="target"))
    return factory
