#!/bin/bash
# Runs every Kiln test and ends with one line "N passed, M failed".
#   unit:   each cmocka program in BUILD/tests/unit (one count per case)
#   fuzz:   each fuzz target replays its corpus (one count per target)
#   system and compat: pytest over tests/system and tests/compat
# Usage: scripts/check.sh [BUILD]   (KILN_CHECK_FILTER=expr narrows pytest)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
cd "$top"

passed=0
failed=0
failures=()

# Sanitizer builds (make asan) write any report, from any process a test
# starts, into this directory; each report counts as a failure.
san_dir=$(mktemp -d)
trap 'rm -rf "$san_dir"' EXIT
# A small quarantine: the tests that check memory is given back would
# otherwise see ASan holding 256 MiB of freed blocks on purpose.
export ASAN_OPTIONS="log_path=$san_dir/asan:detect_leaks=1:quarantine_size_mb=16"
export UBSAN_OPTIONS="log_path=$san_dir/ubsan:print_stacktrace=1"

echo "== unit tests"
for t in "$build"/tests/unit/test-*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    name=$(basename "$t")
    out=$("$t" 2>&1)
    rc=$?
    run=$(printf '%s\n' "$out" | sed -n 's/^\[==========\] \([0-9]*\) test(s) run\./\1/p' | tail -1)
    bad=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' | tail -1)
    run=${run:-0}
    bad=${bad:-0}
    if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
        # Crashed before cmocka could count: everything not run is lost.
        bad=$((run > 0 ? run : 1))
        run=$bad
    fi
    passed=$((passed + run - bad))
    failed=$((failed + bad))
    if [ "$bad" != 0 ]; then
        failures+=("$name")
        printf '%s\n' "$out" | grep -E 'FAILED|ERROR|Abort|assert' | head -20
    fi
    echo "  $name: $((run - bad)) passed, $bad failed"
done

echo "== fuzz corpus replay"
for t in "$build"/tests/fuzz/fuzz-*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    name=$(basename "$t")
    corpus=tests/fuzz/corpus/$name
    [ -d "$corpus" ] || continue
    if "$t" "$corpus" >/dev/null 2>&1; then
        passed=$((passed + 1))
        echo "  $name: ok"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "  $name: FAILED"
    fi
done

echo "== system and compat tests"
dirs=()
for d in tests/system tests/compat; do
    ls "$d"/test_*.py >/dev/null 2>&1 && dirs+=("$d")
done
if [ ${#dirs[@]} -gt 0 ]; then
    report=$(mktemp)
    KILN_BUILD="$build" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
        ${KILN_CHECK_FILTER:+-k "$KILN_CHECK_FILTER"} \
        --junitxml="$report" "${dirs[@]}" 2>&1 | tail -40
    counts=$(/usr/bin/python3 - "$report" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 1); sys.exit()
suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
t = sum(int(s.get('tests', 0)) for s in suites)
f = sum(int(s.get('failures', 0)) + int(s.get('errors', 0)) for s in suites)
sk = sum(int(s.get('skipped', 0)) for s in suites)
# A skipped test is not a pass: count it as a failure so none hides.
print(t - f - sk, f + sk)
PY
)
    rm -f "$report"
    set -- $counts
    passed=$((passed + $1))
    failed=$((failed + $2))
    [ "$2" != 0 ] && failures+=("pytest")
fi

echo "== sanitizer reports"
for report in "$san_dir"/*; do
    [ -f "$report" ] || continue
    failed=$((failed + 1))
    failures+=("$(basename "$report")")
    head -30 "$report"
done

if [ ${#failures[@]} -gt 0 ]; then
    echo "failing: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
