#!/bin/bash
# make demo: starts kiln-db serving the northbound, southbound and local
# switch databases on embedded defaults (files in ./run/demo), drives it
# with the standard OVN/OVS clients, kills it with SIGKILL and shows that
# every committed transaction survived.  Then the network: kiln-switchd on
# the same local database, bridge br-demo joining two network namespaces
# on veth pairs; they ping through the default NORMAL flow, an OpenFlow
# drop rule stops the pings and removing it restores them; the megaflows
# and a trace are shown.  Everything (processes, namespaces, veths) is
# removed at the end, on failure or Ctrl-C too.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
run=$top/run/demo
KILN_DB=$build/ovsdb/kiln-db
APPCTL=$build/tools/kiln-appctl
SWITCHD=$build/switch/kiln-switchd
# The network part calls the Kiln tools by name, for readable output.
PATH=$build/tools:$PATH
# The switch runs in its own namespace (its bridges' internal ports stay
# out of the host's), joined by veths to the two "VM" namespaces.
NS_HOST=kiln-demo-host
NS_A=kiln-demo-a
NS_B=kiln-demo-b
IP_A=10.99.99.1
IP_B=10.99.99.2
MAC_A=02:00:0a:63:63:01
MAC_B=02:00:0a:63:63:02

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

start_db() {
    "$KILN_DB" --remote=punix:"$run/db.sock" --unixctl="$run/db.ctl" \
        --pidfile="$run/kiln-db.pid" --log-file="$run/kiln-db.log" \
        --detach --no-chdir \
        "$run/nb.db" "$run/sb.db" "$run/conf.db"
}

# Kills the process of pidfile $1 if it is still the program named $2.
kill_pidfile() {
    local pid
    [ -f "$1" ] || return 0
    pid=$(cat "$1" 2>/dev/null) || return 0
    if [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = "$2" ]; then
        kill "$pid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$1"
}

del_namespaces() {
    local ns
    for ns in "$NS_A" "$NS_B" "$NS_HOST"; do
        ip netns del "$ns" 2>/dev/null || true
    done
}

monitor_pid=
cleanup() {
    [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null || true
    if [ -f "$run/kiln-switchd.pid" ]; then
        "$APPCTL" -t "$run/switchd.ctl" exit 2>/dev/null || true
        kill_pidfile "$run/kiln-switchd.pid" kiln-switchd
    fi
    # Deleting the namespaces deletes the veths in them.
    del_namespaces
    if [ -f "$run/kiln-db.pid" ]; then
        "$APPCTL" -t "$run/db.ctl" exit 2>/dev/null \
            || kill "$(cat "$run/kiln-db.pid")" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Leftovers of an earlier run that was killed before its cleanup.
kill_pidfile "$run/kiln-switchd.pid" kiln-switchd
kill_pidfile "$run/kiln-db.pid" kiln-db
del_namespaces
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

step "The switch: kiln-switchd on the same local database"
show ip netns add "$NS_HOST"
ip netns exec "$NS_HOST" "$SWITCHD" "$DB" --unixctl="$run/switchd.ctl" \
    --pidfile="$run/kiln-switchd.pid" --log-file="$run/kiln-switchd.log" \
    --detach --no-chdir
echo "kiln-switchd started in namespace $NS_HOST" \
    "(pid $(cat "$run/kiln-switchd.pid"), control socket $run/switchd.ctl)"
SW=$run/switchd.ctl

# Waits up to 10 s for the command "$@" to succeed (quietly).
wait_for() {
    local i
    for i in $(seq 100); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "demo: timed out waiting for: $*" >&2
    return 1
}
ofport_is() {
    [ "$(kiln-vsctl get Interface "$1" ofport 2>/dev/null)" = "$2" ]
}
wait_for kiln-appctl -t "$SW" version

step "Two namespaces on veth pairs, added to bridge br-demo (kiln-vsctl)"
# add_vm NS IP MAC N: namespace NS with eth0 at IP/24 and MAC, the other
# end of its veth being kiln-demo-pN in the switch's namespace.
add_vm() {
    show ip netns add "$1"
    ip -n "$1" link set lo up
    show ip link add eth0 netns "$1" address "$3" type veth \
        peer name "kiln-demo-p$4" netns "$NS_HOST"
    show ip -n "$1" addr add "$2/24" dev eth0
    ip -n "$1" link set eth0 up
    ip -n "$NS_HOST" link set "kiln-demo-p$4" up
}
add_vm "$NS_A" "$IP_A" "$MAC_A" 1
add_vm "$NS_B" "$IP_B" "$MAC_B" 2
show kiln-vsctl add-br br-demo
show kiln-vsctl add-port br-demo kiln-demo-p1 -- \
    set Interface kiln-demo-p1 ofport_request=1
show kiln-vsctl add-port br-demo kiln-demo-p2 -- \
    set Interface kiln-demo-p2 ofport_request=2
wait_for ofport_is kiln-demo-p1 1
wait_for ofport_is kiln-demo-p2 2
wait_for kiln-ofctl show br-demo
show kiln-vsctl list-ports br-demo
show kiln-vsctl --columns=name,ofport,link_state,mac_in_use \
    list Interface kiln-demo-p1 kiln-demo-p2

ping_ab() {
    show ip netns exec "$NS_A" ping -c 3 -i 0.2 -W 1 "$IP_B"
}

step "$NS_A pings $NS_B through the default NORMAL flow"
ping_ab
show kiln-ofctl dump-flows br-demo
show kiln-appctl -t "$SW" fdb/show br-demo

step "The megaflows the datapath cached (dpctl/dump-flows)"
show kiln-appctl -t "$SW" dpctl/dump-flows

step "An OpenFlow rule drops ICMP: the pings fail"
show kiln-ofctl add-flow br-demo "priority=100,icmp,actions=drop"
show kiln-ofctl dump-flows br-demo
if ping_ab; then
    echo "demo: the ping went through the drop rule" >&2
    exit 1
fi
echo "(no reply, as expected)"
show kiln-appctl -t "$SW" dpctl/dump-flows

step "Delete the rule: the pings work again"
show kiln-ofctl --strict del-flows br-demo "priority=100,icmp"
ping_ab

step "Trace one packet through br-demo (ofproto/trace)"
pkt="in_port=kiln-demo-p1,icmp,dl_src=$MAC_A,dl_dst=$MAC_B"
pkt="$pkt,nw_src=$IP_A,nw_dst=$IP_B,icmp_type=8"
show kiln-appctl -t "$SW" ofproto/trace br-demo "$pkt"

step "Stop cleanly"
show kiln-appctl -t "$SW" exit
wait_for test ! -e "$run/kiln-switchd.pid"
show ip netns del "$NS_A"
show ip netns del "$NS_B"
show ip netns del "$NS_HOST"
show kiln-appctl -t "$run/db.ctl" exit
sleep 0.2
trap - EXIT
echo "demo finished: logs and databases are in $run"
