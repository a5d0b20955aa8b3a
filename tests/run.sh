#!/bin/sh
# run.sh - runs every test and ends with "N passed, N failed".
#
# Every test speaks TAP ("ok N - name" / "not ok N - name"):
#   - cmocka binaries under $BUILD/tests/unit and $BUILD/tests/api
#     (CMOCKA_MESSAGE_OUTPUT=TAP),
#   - fuzz corpora replayed by $BUILD/tests/replay/fuzz_X over
#     tests/fuzz/corpus/fuzz_X,
#   - scripts tests/scripts/*.sh (given BUILD and the binary's path).
# A program that exits non-zero without reporting a failure (a crash, a
# sanitizer report) counts as one failed test. Output of each program goes
# to $BUILD/test-logs/; failures are shown.
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"
export CMOCKA_MESSAGE_OUTPUT=TAP
export KECHUANG_LOG=${KECHUANG_LOG:-warn}
export BUILD BIN

passed=0
failed=0
failed_names=""

# run_one NAME LOG CMD...: run CMD, count its TAP lines.
run_one() {
    name=$1; log=$2; shift 2
    "$@" >"$log" 2>&1
    rc=$?
    ok=$(grep -c '^ok ' "$log")
    nok=$(grep -c '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
        nok=1
        echo "not ok - $name exited with status $rc" >>"$log"
    fi
    passed=$((passed + ok))
    failed=$((failed + nok))
    if [ "$nok" -gt 0 ]; then
        failed_names="$failed_names $name"
        echo "FAIL $name ($ok passed, $nok failed) — log: $log"
        grep -E '^not ok |ERROR|error:|Sanitizer|runtime error' "$log" | head -20
    else
        echo "ok   $name ($ok passed)"
    fi
}

for t in "$BUILD"/tests/unit/test_* "$BUILD"/tests/api/test_*; do
    [ -x "$t" ] || continue
    n=$(basename "$t")
    run_one "$n" "$LOGS/$n.log" "$t"
done

for r in "$BUILD"/tests/replay/fuzz_*; do
    [ -x "$r" ] || continue
    n=$(basename "$r")
    if [ -d "tests/fuzz/corpus/$n" ]; then
        run_one "replay-$n" "$LOGS/replay-$n.log" "$r" "tests/fuzz/corpus/$n"
    fi
done

for s in tests/scripts/*.sh; do
    [ -f "$s" ] || continue
    n=$(basename "$s" .sh)
    run_one "$n" "$LOGS/$n.log" sh "$s"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
