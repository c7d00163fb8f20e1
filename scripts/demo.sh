#!/bin/bash
# make demo: starts kiln-db serving the northbound, southbound and local
# switch databases on embedded defaults (files in ./run/demo), drives it
# with the standard OVN/OVS clients, kills it with SIGKILL and shows that
# every committed transaction survived, then stops it cleanly.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
run=$top/run/demo
KILN_DB=$build/ovsdb/kiln-db
APPCTL=$build/tools/kiln-appctl

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

start_db() {
    "$KILN_DB" --remote=punix:"$run/db.sock" --unixctl="$run/db.ctl" \
        --pidfile="$run/kiln-db.pid" --log-file="$run/kiln-db.log" \
        --detach --no-chdir \
        "$run/nb.db" "$run/sb.db" "$run/conf.db"
}

monitor_pid=
cleanup() {
    [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null || true
    if [ -f "$run/kiln-db.pid" ]; then
        "$APPCTL" -t "$run/db.ctl" exit 2>/dev/null \
            || kill "$(cat "$run/kiln-db.pid")" 2>/dev/null || true
    fi
}
trap cleanup EXIT

rm -rf "$run"
mkdir -p "$run"
export KILN_RUNDIR=$run

step "Create the three databases from Kiln's schemas"
for db in nb:ovn-nb sb:ovn-sb conf:vswitch; do
    show "$KILN_DB" create "$run/${db%%:*}.db" "$top/schemas/${db#*:}.ovsschema"
done

step "Start kiln-db (one process, three databases, one socket)"
start_db
DB=unix:$run/db.sock
show ovsdb-client list-dbs "$DB"

step "A client monitors the northbound Logical_Switch table"
ovsdb-client monitor "$DB" OVN_Northbound Logical_Switch name ports \
    > "$run/monitor.out" 2>&1 &
monitor_pid=$!
sleep 0.5

step "Build a logical network with Debian's ovn-nbctl"
nbctl() { show ovn-nbctl --db="$DB" "$@"; }
nbctl ls-add sw0
nbctl lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.11"
nbctl lsp-add sw0 vm2 -- lsp-set-addresses vm2 "00:00:00:00:00:02 10.0.0.12"
nbctl pg-add web vm1 vm2
nbctl acl-add web to-lport 1000 'outport == @web && tcp.dst == 80' allow-related
nbctl lr-add lr0
nbctl lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24
nbctl lr-nat-add lr0 snat 172.16.0.10 10.0.0.0/24
nbctl lb-add lb0 10.0.0.100:80 10.0.0.11:80,10.0.0.12:80 tcp
nbctl ls-lb-add sw0 lb0
nbctl show

step "A chassis registers in the southbound database (ovn-sbctl)"
show ovn-sbctl --db="$DB" chassis-add hv1 geneve 192.168.0.1
show ovn-sbctl --db="$DB" show

step "The local switch configuration (ovs-vsctl)"
vsctl() { show ovs-vsctl --db="$DB" --no-wait "$@"; }
vsctl init
vsctl add-br br-int -- set Bridge br-int fail-mode=secure
vsctl set open . external_ids:system-id=hv1 external_ids:ovn-remote="$DB" \
    external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip=192.168.0.1
vsctl add-port br-int vm1 -- set Interface vm1 external_ids:iface-id=vm1
vsctl show

step "What the monitoring client saw, live"
sleep 0.3
cat "$run/monitor.out"
kill "$monitor_pid" 2>/dev/null || true
monitor_pid=

step "kill -9 the server, restart it: every committed transaction is there"
show kill -9 "$(cat "$run/kiln-db.pid")"
sleep 0.2
rm -f "$run/kiln-db.pid"
start_db
show ovn-nbctl --db="$DB" ls-list
show ovn-nbctl --db="$DB" lsp-list sw0
show ovs-vsctl --db="$DB" --no-wait list-ports br-int

step "The files are ovsdb(5) standalone format: Debian's ovsdb-tool reads them"
show ovsdb-tool db-name "$run/nb.db"
show ovsdb-tool show-log "$run/nb.db" | tail -n 3

step "Management: kiln-appctl (ovs-appctl works too)"
show "$APPCTL" -t "$run/db.ctl" list-dbs
show "$APPCTL" -t "$run/db.ctl" memory/show
show "$APPCTL" -t "$run/db.ctl" compact
show ls -l "$run/nb.db"

step "Stop cleanly"
show "$APPCTL" -t "$run/db.ctl" exit
sleep 0.2
trap - EXIT
echo "demo finished: logs and databases are in $run"
