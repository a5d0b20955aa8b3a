#!/bin/sh
# run.sh - runs every test and ends with "N passed, N failed".
#
# Every test speaks TAP ("ok N - name" / "not ok N - name"):
#   - cmocka binaries under $BUILD/tests/unit and $BUILD/tests/api
#     (CMOCKA_MESSAGE_OUTPUT=TAP),
#   - fuzz corpora replayed by $BUILD/tests/replay/fuzz_X over
#     tests/fuzz/corpus/fuzz_X,
#   - scripts tests/scripts/*.sh (given BUILD and the binary's path),
# on SQLite, then all but the fuzz replays again on PostgreSQL when it is
# installed (see the end of this file).
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

# The same unit, API and script tests again on PostgreSQL, on a throwaway
# cluster (tests/scripts/lib/pg.sh) when PostgreSQL is installed. Each test
# binary creates its own databases (KC_TEST_PG); scripts reach it through
# tests/scripts/lib/pg_shim.sh (one database per --db path). test_db is the
# SQLite backend's own test; test_db_pg is PostgreSQL's. Names get a "pg:"
# prefix. PG_TESTS=0 skips this part. Scripts not run again on PostgreSQL
# (PG_SKIP_SCRIPTS): those that read or write the SQLite file with the
# sqlite3 tool or test where its files lie (backup, cli_accounts, datadir,
# demo_roundtrip, kill9, restart_job, screening, uploads; carrier_import, plan and
# policy_cli check what they wrote with sqlite3 — their API tests run on
# PostgreSQL), and those that open no
# database (bench_locks, deb, e2e, lint_sql, rules, ui_no_external,
# ui_ref_tables; the
# browser tests run on SQLite); pg_migrate uses both backends itself.
# two_instances runs two servers on one database of this pass, and
# schema_parity compares a new database of each backend (both skip
# themselves on the SQLite pass, where KC_TEST_PG is not set).
PG_SKIP_SCRIPTS=${PG_SKIP_SCRIPTS-backup cli_accounts datadir demo_roundtrip imports_only kill9 restart_job screening uploads carrier_import plan policy_cli bench_locks deb e2e lint_sql pg_migrate rules ui_no_external ui_ref_tables}
. tests/scripts/lib/pg.sh
if [ "${PG_TESTS:-1}" = 0 ]; then
    echo "PostgreSQL: PG_TESTS=0, skipped"
elif ! pg_find; then
    echo "PostgreSQL 未安装：只在 SQLite 上运行了测试（sh tools/deps.sh 安装 postgresql）"
elif ! pg_start; then
    echo "FAIL pg: 无法启动临时 PostgreSQL 集群"
    failed=$((failed + 1))
    failed_names="$failed_names pg-cluster"
else
    echo "PostgreSQL: $("$PG_BIN/postgres" --version) — $KC_TEST_PG"
    for t in "$BUILD"/tests/unit/test_* "$BUILD"/tests/api/test_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t")
        [ "$n" = test_db ] && continue
        run_one "pg:$n" "$LOGS/pg-$n.log" "$t"
    done
    for s in tests/scripts/*.sh; do
        [ -f "$s" ] || continue
        n=$(basename "$s" .sh)
        case " $PG_SKIP_SCRIPTS " in *" $n "*) continue ;; esac
        run_one "pg:$n" "$LOGS/pg-$n.log" env KC_REAL_BIN="$BIN" \
            BIN=tests/scripts/lib/pg_shim.sh sh "$s"
    done
    echo "PostgreSQL: 未重跑的脚本（只针对 SQLite 文件或不用数据库）: $PG_SKIP_SCRIPTS"
    pg_stop
    unset KC_TEST_PG
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
