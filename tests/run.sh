#!/bin/sh
# run.sh - runs every test and ends with "N passed, N failed".
#
# Every test speaks TAP ("ok N - name" / "not ok N - name"):
#   - cmocka binaries under $BUILD/tests/unit and $BUILD/tests/api
#     (CMOCKA_MESSAGE_OUTPUT=TAP),
#   - fuzz corpora replayed by $BUILD/tests/replay/fuzz_X over
#     tests/fuzz/corpus/fuzz_X,
#   - scripts tests/scripts/*.sh (given BUILD and the binary's path),
# on SQLite, and all but the fuzz replays again on PostgreSQL when it is
# installed (see PG_SKIP_SCRIPTS below).
# A program that exits non-zero without reporting a failure (a crash, a
# sanitizer report) counts as one failed test. Output of each program goes
# to $BUILD/test-logs/; failures are shown.
#
# The tests run TEST_JOBS at a time (default: the number of processors);
# each test has its own temporary directory, database and server port, so
# any two can run together. The slowest start first. Each finished test
# prints one line as it ends; the summary lists the failures again, in the
# order of the tests, then the totals.
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
LOGS=$BUILD/test-logs
export CMOCKA_MESSAGE_OUTPUT=TAP
export KECHUANG_LOG=${KECHUANG_LOG:-warn}
export BUILD BIN

# run.sh --job FILE: run the one test FILE describes (written below):
# name, log and the command; writes "ok nok seconds" to $log.res.
if [ "${1:-}" = "--job" ]; then
    . "$2"
    if [ -n "$pg" ]; then
        KC_TEST_PG=$pg
        export KC_TEST_PG
    else
        unset KC_TEST_PG
    fi
    t0=$(date +%s)
    "$@" >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - t0))
    # cmocka reports a skipped test as "not ok N # SKIP": counted as
    # passed, like a script's "ok N - … # SKIP"
    ok=$(grep -c -E '^ok |^not ok [0-9]+ # SKIP' "$log")
    nok=$(grep -E '^not ok ' "$log" | grep -c -v -E '^not ok [0-9]+ # SKIP')
    if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
        nok=1
        echo "not ok - $name exited with status $rc" >>"$log"
    fi
    echo "$ok $nok $secs" >"$log.res"
    if [ "$nok" -gt 0 ]; then
        echo "FAIL $name ($ok passed, $nok failed, ${secs} s) — log: $log"
    else
        echo "ok   $name ($ok passed, ${secs} s)"
    fi
    exit 0
fi

rm -rf "$LOGS"
mkdir -p "$LOGS/jobs"
JOBS=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
njobs=0
pguri=""

# add NAME LOG CMD...: describe one test in $LOGS/jobs/NNNN (sourced by
# --job; every word single-quoted).
add() {
    njobs=$((njobs + 1))
    pri=999
    i=0
    for w in $SLOW; do
        i=$((i + 1))
        [ "$w" = "$1" ] && pri=$i
    done
    f=$LOGS/jobs/$(printf '%03d-%04d' "$pri" "$njobs")
    {
        printf "name='%s'\nlog='%s'\npg='%s'\nset --" "$1" "$2" "$pguri"
        shift 2
        for a in "$@"; do
            printf " '%s'" "$a"
        done
        printf '\n'
    } >"$f"
}

# The slowest tests, in this order, start first so that the lanes end
# together; the rest follow in the usual order.
SLOW=${SLOW-pg:api/test_attack pg:unit/test_import pg:unit/test_demo api/test_qual e2e pg:api/test_qual unit/test_batch pg:unit/test_ent_list unit/test_ent_list pg:unit/test_batch pg:api/test_market unit/test_import pg:api/test_plan_counts unit/test_demo pg:api/test_policy api/test_policy}

# add_all PASS: the tests of one pass (sqlite or pg).
add_all() {
    pfx=""
    lpfx=""
    [ "$1" = pg ] && pfx="pg:" && lpfx="pg-"
    for t in "$BUILD"/tests/unit/test_* "$BUILD"/tests/api/test_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t")
        [ "$1" = pg ] && [ "$n" = test_db ] && continue
        d=$(basename "$(dirname "$t")")
        add "$pfx$d/$n" "$LOGS/$lpfx$d-$n.log" "$t"
    done
    if [ "$1" != pg ]; then
        for r in "$BUILD"/tests/replay/fuzz_*; do
            [ -x "$r" ] || continue
            n=$(basename "$r")
            [ -d "tests/fuzz/corpus/$n" ] || continue
            add "replay-$n" "$LOGS/replay-$n.log" "$r" "tests/fuzz/corpus/$n"
        done
    fi
    for s in tests/scripts/*.sh; do
        [ -f "$s" ] || continue
        n=$(basename "$s" .sh)
        if [ "$1" = pg ]; then
            case " $PG_SKIP_SCRIPTS " in *" $n "*) continue ;; esac
            add "pg:$n" "$LOGS/pg-$n.log" env KC_REAL_BIN="$BIN" \
                BIN=tests/scripts/lib/pg_shim.sh sh "$s"
        else
            add "$n" "$LOGS/$n.log" sh "$s"
        fi
    done
}

# Scripts not run again on PostgreSQL (PG_SKIP_SCRIPTS): those that read
# or write the SQLite file with the sqlite3 tool or test where its files
# lie (backup, cli_accounts, datadir, demo_roundtrip, kill9, restart_job,
# screening, uploads; carrier_import, plan and policy_cli check what they wrote with
# sqlite3 — their API tests run on PostgreSQL), and those that open no
# database (bench_locks, deb, e2e, lint_sql, rules, ui_no_external,
# ui_ref_tables; the browser tests run on SQLite); pg_migrate uses both
# backends itself. two_instances runs two servers on one database of the
# PostgreSQL pass, and schema_parity compares a new database of each
# backend (both skip themselves on the SQLite pass, where KC_TEST_PG is
# not set). On PostgreSQL each test binary creates its own databases
# (KC_TEST_PG); scripts reach it through tests/scripts/lib/pg_shim.sh (one
# database per --db path). test_db is the SQLite backend's own test;
# test_db_pg is PostgreSQL's. Names get a "pg:" prefix. PG_TESTS=0 skips
# the PostgreSQL pass.
PG_SKIP_SCRIPTS=${PG_SKIP_SCRIPTS-backup cli_accounts datadir demo_roundtrip imports_only kill9 restart_job screening uploads carrier_import plan policy_cli bench_locks deb e2e lint_sql pg_migrate rules ui_no_external ui_ref_tables}
. tests/scripts/lib/pg.sh
pg_failed=0
pg_note=""
if [ "${PG_TESTS:-1}" = 0 ]; then
    pg_note="PostgreSQL: PG_TESTS=0, skipped"
elif ! pg_find; then
    pg_note="PostgreSQL 未安装：只在 SQLite 上运行了测试（sh tools/deps.sh 安装 postgresql）"
elif ! pg_start; then
    echo "FAIL pg: 无法启动临时 PostgreSQL 集群"
    pg_failed=1
else
    echo "PostgreSQL: $("$PG_BIN/postgres" --version) — $KC_TEST_PG"
    pg_note="PostgreSQL: 未重跑的脚本（只针对 SQLite 文件或不用数据库）: $PG_SKIP_SCRIPTS"
    pg_on=1
fi
# the PostgreSQL pass reads KC_TEST_PG from each job, never from here
pgval=${KC_TEST_PG:-}
unset KC_TEST_PG

add_all sqlite
if [ "${pg_on:-0}" = 1 ]; then
    pguri=$pgval
    add_all pg
fi

echo "tests: $njobs programs, $JOBS at a time"
ls "$LOGS/jobs" | sed "s|^|$LOGS/jobs/|" |
    xargs -P "$JOBS" -n 1 sh tests/run.sh --job
[ "${pg_on:-0}" = 1 ] && pg_stop
[ -n "$pg_note" ] && echo "$pg_note"

passed=0
failed=$pg_failed
failed_names=""
for f in "$LOGS"/jobs/*; do
    . "$f"
    if [ -f "$log.res" ]; then
        read -r ok nok secs <"$log.res"
    else
        ok=0
        nok=1
        echo "not ok - $name did not run" >>"$log"
    fi
    passed=$((passed + ok))
    failed=$((failed + nok))
    if [ "$nok" -gt 0 ]; then
        failed_names="$failed_names $name"
        echo "FAIL $name ($ok passed, $nok failed) — log: $log"
        grep -E '^not ok |ERROR|error:|Sanitizer|runtime error' "$log" | head -20
    fi
done
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
