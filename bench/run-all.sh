#!/bin/sh
# Runs Kiln's benchmarks in a moderate configuration (`make bench`):
# json-bench (lib/json against jansson), then ovsdb-bench.py (kiln-db against
# ovsdb-server, C client, 5,000 transactions, 3 repetitions), then
# northd-bench.py (kiln-northd against ovn-northd, 5,000 ports).
# Usage: bench/run-all.sh [BUILD]   (default: build)
# Exits nonzero if a benchmark fails, e.g. when kiln-db is not built.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
KILN_BUILD=$(cd "${1:-build}" && pwd) || exit 2
export KILN_BUILD
cd "$top"

status=0

echo "== json-bench: lib/json vs jansson"
if [ -x "$KILN_BUILD/bench/json-bench" ]; then
    "$KILN_BUILD/bench/json-bench" || status=1
else
    echo "json-bench not built (libjansson-dev missing when configured?)"
    status=1
fi

echo
echo "== ovsdb-bench: kiln-db vs ovsdb-server"
/usr/bin/python3 bench/ovsdb-bench.py --client c --n 5000 --reps 3 || status=1

echo
echo "== northd-bench: kiln-northd vs ovn-northd, 5,000 ports"
/usr/bin/python3 bench/northd-bench.py --sizes medium --timeout 120 || status=1

exit $status
