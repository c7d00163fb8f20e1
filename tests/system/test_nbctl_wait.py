"""kiln-nbctl --wait=sb|hv and sync, with a real northd.

kiln-db serves OVN_Northbound and OVN_Southbound; Debian's ovn-northd
compiles between them.  `kiln-nbctl --wait=sb` must return only once
northd has seen the change (NB_Global.sb_cfg caught up with the nb_cfg it
bumped), so the southbound holds the new datapath the moment it returns.
--wait=hv waits for hv_cfg, which northd sets to the lowest nb_cfg the
chassis report: a lagging chassis makes it time out, and say so.
"""

import os
import signal
import subprocess
import time

import pytest

import kilntest

KILN_NBCTL = os.path.join(kilntest.BUILD, "tools", "kiln-nbctl")
OVN_NORTHD = "/usr/bin/ovn-northd"


@pytest.fixture
def plant(tmp_path):
    server = kilntest.DbServer("kiln", tmp_path,
                               [kilntest.SCHEMAS["nb"],
                                kilntest.SCHEMAS["sb"]])
    server.start()
    northd = None
    try:
        kilntest.run([KILN_NBCTL, "--db=" + server.remote, "init"])
        northd = subprocess.Popen(
            [OVN_NORTHD, "--ovnnb-db=" + server.remote,
             "--ovnsb-db=" + server.remote, "--no-chdir",
             "--log-file=%s" % (tmp_path / "northd.log"),
             "--unixctl=%s" % (tmp_path / "northd.ctl")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield server
    finally:
        if northd:
            northd.send_signal(signal.SIGTERM)
            try:
                northd.wait(10)
            except subprocess.TimeoutExpired:
                northd.kill()
                northd.wait()
        server.stop()
        server.cleanup()


def nbctl(server, *args, check=True):
    return subprocess.run([KILN_NBCTL, "--db=" + server.remote] + list(args),
                          capture_output=True, text=True, timeout=60,
                          check=check)


def names(server):
    return nbctl(server, "--bare", "--columns=name", "list",
                 "Logical_Switch").stdout.split()


def sb_datapaths(server):
    out = kilntest.run(["ovn-sbctl", "--db=" + server.remote, "--bare",
                        "--columns=external_ids", "list",
                        "Datapath_Binding"])
    return out


def nb_global(server, column):
    return int(kilntest.run([KILN_NBCTL, "--db=" + server.remote, "get",
                             "NB_Global", ".", column]).strip())


def test_wait_sb_returns_after_northd(plant):
    for i in range(5):
        nbctl(plant, "--wait=sb", "create", "Logical_Switch", "name=sw%d" % i)
        # No polling: the datapath is there the moment nbctl returns.
        assert "name=sw%d" % i in sb_datapaths(plant)
    assert nb_global(plant, "nb_cfg") == 5
    assert nb_global(plant, "sb_cfg") == 5


def test_wait_sb_without_change_does_not_bump(plant):
    nbctl(plant, "--wait=sb", "create", "Logical_Switch", "name=a")
    before = nb_global(plant, "nb_cfg")
    # Nothing written: nothing to wait for, nb_cfg untouched.
    nbctl(plant, "--wait=sb", "list", "Logical_Switch")
    assert nb_global(plant, "nb_cfg") == before
    # sync makes it wait anyway.
    nbctl(plant, "--wait=sb", "sync")
    assert nb_global(plant, "nb_cfg") == before + 1
    assert nb_global(plant, "sb_cfg") == before + 1


def test_wait_hv_follows_chassis(plant):
    # With no chassis, northd reports every hypervisor caught up at once.
    nbctl(plant, "--wait=hv", "create", "Logical_Switch", "name=a")
    assert nb_global(plant, "hv_cfg") == nb_global(plant, "nb_cfg")

    # A chassis that never applies anything holds hv_cfg back: the wait
    # gives up after --timeout and says so.
    kilntest.run(["ovsdb-client", "transact", plant.remote,
                  '["OVN_Southbound",{"op":"insert","table":'
                  '"Chassis_Private","row":{"name":"ch1"}}]'])
    start = time.monotonic()
    r = nbctl(plant, "--wait=hv", "--timeout=2", "create",
              "Logical_Switch", "name=b", check=False)
    elapsed = time.monotonic() - start
    assert r.returncode != 0
    assert "timeout" in r.stderr, r.stderr
    assert 1.5 < elapsed < 20, elapsed
    # The change itself committed: only the wait gave up.
    assert "b" in names(plant)

    # Once the chassis catches up, the same wait succeeds.
    cfg = nb_global(plant, "nb_cfg") + 1
    kilntest.run(["ovn-sbctl", "--db=" + plant.remote, "set",
                  "Chassis_Private", "ch1", "nb_cfg=%d" % cfg])
    nbctl(plant, "--wait=hv", "--timeout=20", "create", "Logical_Switch",
          "name=c")
    assert nb_global(plant, "hv_cfg") == cfg


def test_wait_sb_needs_nb_global(tmp_path):
    server = kilntest.DbServer("kiln", tmp_path, [kilntest.SCHEMAS["nb"]])
    server.start()
    try:
        r = nbctl(server, "--wait=sb", "create", "Logical_Switch", "name=x",
                  check=False)
        assert r.returncode == 1
        assert "NB_Global" in r.stderr, r.stderr
        assert "x" not in names(server)
    finally:
        server.stop()
        server.cleanup()
