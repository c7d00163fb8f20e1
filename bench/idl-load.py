#!/usr/bin/python3
"""One initial load of a northbound replica through python3-openvswitch's
IDL (ovs.db.idl), for bench/idl-load.c, which runs it beside its own.

    idl-load.py --remote REMOTE

Replicates every column of Logical_Switch and Logical_Switch_Port, as
idl-load --load-only does, and prints "SECONDS PEAK_RSS_KIB ROWS": the time
from creating the IDL (the schema already fetched) to the end of the
initial sync, the process's peak resident set size, and the rows
loaded."""

import argparse
import resource
import sys
import time

import ovs.db.idl
import ovs.jsonrpc
import ovs.poller
import ovs.stream

DB = "OVN_Northbound"
TABLES = ["Logical_Switch", "Logical_Switch_Port"]


def get_schema(remote):
    error, stream = ovs.stream.Stream.open_block(
        ovs.stream.Stream.open(remote))
    if error:
        sys.exit("idl-load.py: %s: cannot connect (%s)" % (remote, error))
    rpc = ovs.jsonrpc.Connection(stream)
    error, reply = rpc.transact_block(
        ovs.jsonrpc.Message.create_request("get_schema", [DB]))
    rpc.close()
    if error or reply.error:
        sys.exit("idl-load.py: get_schema failed: %s"
                 % (error or reply.error))
    return reply.result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--remote", required=True)
    args = parser.parse_args()

    helper = ovs.db.idl.SchemaHelper(schema_json=get_schema(args.remote))
    for table in TABLES:
        helper.register_table(table)

    start = time.monotonic()
    idl = ovs.db.idl.Idl(args.remote, helper, probe_interval=0)
    while idl.state != idl.IDL_S_MONITORING:
        idl.run()
        if idl.state == idl.IDL_S_MONITORING:
            break
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.block()
    seconds = time.monotonic() - start
    rows = sum(len(idl.tables[t].rows) for t in TABLES)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("%.3f %d %d" % (seconds, rss, rows))
    idl.close()


if __name__ == "__main__":
    main()
