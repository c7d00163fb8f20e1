"""The python3-openvswitch IDL and python3-ovsdbapp against each server.

Each scenario runs once against a fresh reference ovsdb-server and once
against a fresh target server, writing a log of what the client saw
(transaction statuses, errors, canonical replicas); the two logs must be
equal, and each scenario also asserts its own expectations on every
server, so a scenario that silently did nothing fails too.
"""

import time

import pytest

import ovs.db.data
import ovs.db.idl
import ovs.poller
import ovs.vlog

import compat
import kilntest

NB_SCHEMA = kilntest.SCHEMAS["nb"]
NB = "OVN_Northbound"

# The IDL logs reconnections at INFO/WARN to stderr; keep test output quiet.
ovs.vlog.Vlog.init(None)
ovs.vlog.Vlog.set_levels_from_string("any:any:off")


def nbctl(server, *args, check=True):
    return kilntest.run(["ovn-nbctl", "--db=" + server.remote, "--no-wait",
                         "--timeout=20"] + list(args), check=check,
                        env=compat.CLEAN_ENV)


def pump(idl, until, timeout=15, what="condition"):
    """Runs the IDL's event loop until until() is true."""
    deadline = time.monotonic() + timeout
    while True:
        idl.run()
        if until():
            return
        if time.monotonic() > deadline:
            raise AssertionError("IDL: timed out waiting for " + what)
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.timer_wait(50)
        poller.block()


def commit(idl, txn):
    """commit_block() with a deadline; returns the status string."""
    deadline = time.monotonic() + 15
    while True:
        status = txn.commit()
        if status != ovs.db.idl.Transaction.INCOMPLETE:
            return ovs.db.idl.Transaction.status_to_string(status)
        if time.monotonic() > deadline:
            raise AssertionError("IDL: transaction did not complete")
        idl.run()
        poller = ovs.poller.Poller()
        idl.wait(poller)
        txn.wait(poller)
        poller.timer_wait(50)
        poller.block()


def replica_tables(idl):
    """The IDL's replica in the shape of compat.dump_tables()."""
    tables = {}
    for name, table in idl.tables.items():
        rows = []
        for row in table.rows.values():
            d = {"_uuid": ["uuid", str(row.uuid)]}
            for col, column in table.columns.items():
                datum = row._data.get(col)
                if datum is None:
                    datum = ovs.db.data.Datum.default(column.type)
                d[col] = datum.to_json()
            rows.append(d)
        tables[name] = rows
    return tables


def canonical(tables):
    return compat.render_dump(tables, compat.label_rows(tables))


def replica_equals_db(idl, server):
    return canonical(replica_tables(idl)) == canonical(
        compat.dump_tables(server.remote, NB))


def assert_replica_equals_db(idl, server, log, when):
    """Waits (briefly) for the replica to catch up, then requires it to
    equal `ovsdb-client dump`; logs the canonical replica."""
    try:
        pump(idl, lambda: replica_equals_db(idl, server), timeout=5,
             what="replica to equal the database")
    except AssertionError:
        pass
    rep = canonical(replica_tables(idl))
    db = canonical(compat.dump_tables(server.remote, NB))
    compat.require_equal("IDL replica %s, against `ovsdb-client dump` of %s"
                         % (when, server.name), db, rep,
                         "database", "replica")
    log.append("replica %s:\n%s" % (when, rep))


def new_idl(server):
    helper = ovs.db.idl.SchemaHelper(location=NB_SCHEMA)
    helper.register_all()
    return ovs.db.idl.Idl(server.remote, helper)


def rows_named(idl, table, name):
    return [r for r in idl.tables[table].rows.values() if r.name == name]


def one_row(idl, table, name):
    rows = rows_named(idl, table, name)
    assert len(rows) == 1, "%s %s: %d rows" % (table, name, len(rows))
    return rows[0]


def scenario_sync_and_transact(server):
    log = []
    nbctl(server, "ls-add", "sw0", "--", "lsp-add", "sw0", "p0", "--",
          "lsp-set-addresses", "p0", "00:00:00:00:00:10 10.0.0.10")
    idl = new_idl(server)
    try:
        pump(idl, lambda: idl.has_ever_connected() and rows_named(
            idl, "Logical_Switch", "sw0"), what="initial sync")
        assert [p.name for p in one_row(idl, "Logical_Switch", "sw0").ports] \
            == ["p0"]
        assert_replica_equals_db(idl, server, log, "after initial sync")

        # Insert a switch and two ports in one transaction.
        txn = ovs.db.idl.Transaction(idl)
        sw = txn.insert(idl.tables["Logical_Switch"])
        sw.name = "sw1"
        sw.external_ids = {"owner": "idl"}
        ports = []
        for i in (1, 2):
            p = txn.insert(idl.tables["Logical_Switch_Port"])
            p.name = "p%d" % i
            p.addresses = ["00:00:00:00:00:0%d 10.0.0.%d" % (i, i)]
            ports.append(p)
        sw.ports = ports
        status = commit(idl, txn)
        log.append("insert: %s" % status)
        assert status == "success", txn.get_error()
        real = txn.get_insert_uuid(sw.uuid)
        assert real is not None
        pump(idl, lambda: rows_named(idl, "Logical_Switch", "sw1"),
             what="sw1 in replica")
        assert one_row(idl, "Logical_Switch", "sw1").uuid == real
        out = nbctl(server, "lsp-list", "sw1")
        log.append("nbctl lsp-list sw1 -> %d lines" % len(out.splitlines()))
        assert "p1" in out and "p2" in out
        assert_replica_equals_db(idl, server, log, "after insert")

        # Modify: a map key, a set column, a scalar.
        txn = ovs.db.idl.Transaction(idl)
        sw = one_row(idl, "Logical_Switch", "sw1")
        sw.setkey("other_config", "subnet", "10.0.0.0/24")
        p1 = one_row(idl, "Logical_Switch_Port", "p1")
        p1.addresses = ["00:00:00:00:00:01 10.0.0.101", "unknown"]
        p1.enabled = [False]
        p1.verify("addresses")
        status = commit(idl, txn)
        log.append("modify: %s" % status)
        assert status == "success", txn.get_error()
        assert nbctl(server, "get", "Logical_Switch", "sw1",
                     "other_config:subnet").strip() == '"10.0.0.0/24"'
        assert nbctl(server, "lsp-get-enabled", "p1").strip() == "disabled"
        assert_replica_equals_db(idl, server, log, "after modify")

        # Delete a port: remove the reference, then the row.
        txn = ovs.db.idl.Transaction(idl)
        sw = one_row(idl, "Logical_Switch", "sw1")
        p2 = one_row(idl, "Logical_Switch_Port", "p2")
        sw.delvalue("ports", p2)
        p2.delete()
        status = commit(idl, txn)
        log.append("delete: %s" % status)
        assert status == "success", txn.get_error()
        assert nbctl(server, "lsp-list", "sw1").count("(") == 1
        assert_replica_equals_db(idl, server, log, "after delete")

        # A transaction the server must refuse: a duplicate indexed name.
        txn = ovs.db.idl.Transaction(idl)
        pg = txn.insert(idl.tables["Port_Group"])
        pg.name = "pg1"
        status = commit(idl, txn)
        log.append("port group: %s" % status)
        assert status == "success", txn.get_error()
        txn = ovs.db.idl.Transaction(idl)
        pg = txn.insert(idl.tables["Port_Group"])
        pg.name = "pg1"
        status = commit(idl, txn)
        error = compat.canonical_message(txn.get_error() or "")
        log.append("duplicate port group: %s: %s" % (status, error))
        assert status == "error", status
        assert "constraint violation" in error

        # A verify that fails: another client changes the column between
        # our read and our commit.
        txn = ovs.db.idl.Transaction(idl)
        p1 = one_row(idl, "Logical_Switch_Port", "p1")
        p1.verify("addresses")
        p1.type = "localport"
        nbctl(server, "lsp-set-addresses", "p1", "00:00:00:00:00:01")
        status = commit(idl, txn)
        log.append("stale verify: %s" % status)
        assert status == "try again", status
        pump(idl, lambda: one_row(idl, "Logical_Switch_Port",
                                  "p1").addresses == ["00:00:00:00:00:01"],
             what="p1 addresses update")

        # Changes made by another client arrive through the monitor.
        nbctl(server, "ls-add", "sw2", "--", "lsp-add", "sw2", "q1")
        pump(idl, lambda: rows_named(idl, "Logical_Switch_Port", "q1"),
             what="q1 from another client")
        nbctl(server, "ls-del", "sw0")
        pump(idl, lambda: not rows_named(idl, "Logical_Switch", "sw0"),
             what="sw0 deletion from another client")
        assert not rows_named(idl, "Logical_Switch_Port", "p0")
        nbctl(server, "set", "Logical_Switch", "sw2", "external_ids:k=v")
        pump(idl, lambda: one_row(idl, "Logical_Switch",
                                  "sw2").external_ids == {"k": "v"},
             what="sw2 external_ids from another client")
        assert_replica_equals_db(idl, server, log, "after other client")
    finally:
        idl.close()
    return log


def scenario_reconnect(server):
    log = []
    nbctl(server, "ls-add", "sw0", "--", "lsp-add", "sw0", "p0")
    idl = new_idl(server)
    try:
        pump(idl, lambda: idl.has_ever_connected() and rows_named(
            idl, "Logical_Switch", "sw0"), what="initial sync")
        txn = ovs.db.idl.Transaction(idl)
        sw = txn.insert(idl.tables["Logical_Switch"])
        sw.name = "sw1"
        status = commit(idl, txn)
        log.append("insert before restart: %s" % status)
        assert status == "success"
        assert_replica_equals_db(idl, server, log, "before restart")

        seqno = idl.change_seqno
        server.restart()
        # The data survived the restart; change it while the IDL is still
        # reconnecting, so only a fresh snapshot (or a correct diff) can
        # bring the replica up to date.
        nbctl(server, "ls-del", "sw0", "--", "ls-add", "sw3", "--",
              "lsp-add", "sw3", "r1")
        pump(idl, lambda: idl.change_seqno != seqno and rows_named(
            idl, "Logical_Switch", "sw3") and not rows_named(
            idl, "Logical_Switch", "sw0"), timeout=30,
             what="reconnect and resync")
        assert rows_named(idl, "Logical_Switch", "sw1")
        assert_replica_equals_db(idl, server, log, "after restart")

        # The session is usable again: write through it.
        txn = ovs.db.idl.Transaction(idl)
        sw = one_row(idl, "Logical_Switch", "sw3")
        sw.setkey("external_ids", "after", "restart")
        status = commit(idl, txn)
        log.append("modify after restart: %s" % status)
        assert status == "success", txn.get_error()
        assert nbctl(server, "get", "Logical_Switch", "sw3",
                     "external_ids:after").strip() == "restart"
        assert_replica_equals_db(idl, server, log, "at end")
    finally:
        idl.close()
    return log


def scenario_ovsdbapp(server):
    from ovsdbapp.backend.ovs_idl import connection
    from ovsdbapp.schema.ovn_northbound import impl_idl

    log = []
    idl = connection.OvsdbIdl.from_server(server.remote, NB)
    conn = connection.Connection(idl=idl, timeout=15)
    # Backend keeps its connection in a class attribute: a subclass per
    # server keeps the reference and the target apart.
    api_class = type("NbApi_" + server.name, (impl_idl.OvnNbApiIdlImpl,), {})
    try:
        api = api_class(conn)
        api.ls_add("sw0").execute(check_error=True)
        api.ls_add("sw1", may_exist=True,
                   external_ids={"neutron:network": "net1"}).execute(
            check_error=True)
        with api.transaction(check_error=True) as txn:
            txn.add(api.lsp_add("sw0", "p1"))
            txn.add(api.lsp_add("sw0", "p2", type="localport"))
            txn.add(api.lsp_set_addresses(
                "p1", ["00:00:00:00:00:01 10.0.0.1"]))
        try:
            api.ls_add("sw0").execute(check_error=True)
            log.append("duplicate ls_add: no error")
        except RuntimeError as e:
            log.append("duplicate ls_add: %s"
                       % compat.canonical_message(str(e)))
        names = sorted(p.name for p in
                       api.lsp_list("sw0").execute(check_error=True))
        log.append("lsp_list sw0: %s" % names)
        assert names == ["p1", "p2"]
        switches = sorted(s.name for s in
                          api.ls_list().execute(check_error=True))
        log.append("ls_list: %s" % switches)
        assert switches == ["sw0", "sw1"]
        addrs = api.lsp_get_addresses("p1").execute(check_error=True)
        log.append("lsp_get_addresses p1: %s" % addrs)
        assert addrs == ["00:00:00:00:00:01 10.0.0.1"]
        found = api.db_find("Logical_Switch_Port",
                            ("type", "=", "localport"),
                            columns=["name", "type"]).execute(
            check_error=True)
        log.append("db_find localport: %s" % found)
        assert found == [{"name": "p2", "type": "localport"}]
        api.ls_del("sw1").execute(check_error=True)
        # A change from another client reaches ovsdbapp's replica.
        nbctl(server, "lsp-add", "sw0", "p3")
        deadline = time.monotonic() + 10
        while True:
            names = sorted(p.name for p in
                           api.lsp_list("sw0").execute(check_error=True))
            if "p3" in names or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        log.append("lsp_list sw0 after nbctl: %s" % names)
        assert names == ["p1", "p2", "p3"]
        db = canonical(compat.dump_tables(server.remote, NB))
        log.append("database:\n" + db)
    finally:
        conn.stop(timeout=10)
    return log


SCENARIOS = {
    "sync_and_transact": scenario_sync_and_transact,
    "reconnect": scenario_reconnect,
    "ovsdbapp": scenario_ovsdbapp,
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_python_client(name):
    logs = []
    with compat.server_pair("nb") as servers:
        for server in servers:
            logs.append("\n".join(SCENARIOS[name](server)) + "\n")
    compat.require_equal("client log", logs[0], logs[1])
