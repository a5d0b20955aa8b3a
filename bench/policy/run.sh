#!/bin/sh
# bench/policy/run.sh - policy matching over a whole library (see
# bench/README.md, "Policy matching"):
#  0. the pool brought to 50 items (items50.sh; the demo pool has 14);
#  1. every item over the whole district (`kechuang policy district`: one
#     library snapshot, each item compiled and evaluated with the batch
#     evaluator, amounts from the snapshot's columns): cold with no
#     snapshot file (built and saved), cold in a new process with the
#     saved snapshot, and warm (`--runs`: further passes in the same
#     process, the snapshot the process keeps checked as each request
#     does);
#  2. one enterprise's 可享政策 through the API (GET /enterprises/{id}/
#     policies), p50 / p99 over ONE_N enterprises (one.mjs);
#  3. the DuckDB peer (policy.sql.in) computing the same outcomes and
#     amounts from CSV exports of the same tables, checked per
#     (enterprise, item) against `policy district --dump`.
#
#   SRC_DB=/path/lib-1m.db sh bench/policy/run.sh   # a copy is used
#   N=100000 sh bench/policy/run.sh                 # a demo library made once
#
# SRC_DB   a library with the demo pool (copied to WORK, never modified)
# N        without SRC_DB: enterprises of a demo library made in WORK
# WORK     scratch directory (default /tmp/kc-bench-policy)
# YEAR     matching year (default this year, UTC); figures of YEAR - 1
# RUNS     passes of the warm figure and DuckDB runs (default 5)
# ONE_N    enterprises for the one-enterprise figure (default 500)
# REUSE=1  keep WORK's copy and CSV export from an earlier run
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/policy
BUILD=${BUILD:-build}
N=${N:-100000}
WORK=${WORK:-/tmp/kc-bench-policy}
YEAR=${YEAR:-$(date -u -d "@$(($(date +%s) + 8 * 3600))" +%Y)} # Beijing year
RUNS=${RUNS:-5}
ONE_N=${ONE_N:-500}
REUSE=${REUSE:-0}
KC=$ROOT/$BUILD/kechuang
DB=$WORK/lib.db

say() { printf '%s\n' "$*" >&2; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print a[int((NR + 1) / 2)]}'; }

[ -x "$KC" ] || (cd "$ROOT" && make -j2 BUILD="$BUILD" WEB_UI=0 "$BUILD/kechuang")
command -v sqlite3 >/dev/null || { say "需要 sqlite3 命令行"; exit 1; }
[ -d "$ROOT/bench/screen/node_modules/@duckdb/node-api" ] ||
    (cd "$ROOT/bench/screen" && npm ci --no-audit --no-fund --loglevel=error)
mkdir -p "$WORK"
if [ "$REUSE" != 1 ] || [ ! -f "$DB" ]; then
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.snapshot" "$WORK"/*.csv "$WORK/duck.db"
    if [ -n "${SRC_DB:-}" ]; then
        say "复制 $SRC_DB ..."
        cp --reflink=auto "$SRC_DB" "$DB"
    else
        say "生成 $N 家企业的演示库 ..."
        "$KC" --db "$DB" init >/dev/null 2>&1
        "$KC" --db "$DB" demo --enterprises "$N" --seed 1 --quiet >/dev/null
    fi
fi
"$KC" --db "$DB" init >/dev/null 2>&1
NI=$(sh "$HERE/items50.sh" "$DB" "$WORK/bench_conds.csv")
{ cat "$HERE/demo_conds.csv"; cat "$WORK/bench_conds.csv"; } > "$WORK/conds.csv"
# kechuang's "today" is the Beijing date (date_today): the peer's as well
ASOF=$(date -u -d "@$(($(date +%s) + 8 * 3600))" +%F)
[ "$(echo "$ASOF" | cut -c1-4)" = "$YEAR" ] || ASOF=$YEAR-12-31
Y=$((YEAR - 1))

# ---- kechuang: the district ---------------------------------------------------
kc_timed() { # label, then kechuang's arguments; appends "wall_s maxrss_kb user_s sys_s"
    label=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.tmp" "$KC" --db "$DB" "$@" > "$WORK/$label.out" 2>&1
    cat "$WORK/time.tmp" >> "$WORK/$label.times"
}
# "snapshot_ms match_ms match_cpu_ms" of the last pass a command printed
ms_of() { sed -n 's/.*快照 \([0-9]*\) ms，[0-9]* 个条款匹配 \([0-9]*\) ms（CPU \([0-9]*\) ms）.*/\1 \2 \3/p' "$1" | tail -1; }
rm -f "$WORK"/kc_*.times
say "kechuang：无快照文件（重建并保存）..."
rm -f "$DB.snapshot"
kc_timed kc_nosnap policy district --year "$YEAR"
say "kechuang：新进程，已保存的快照 ..."
kc_timed kc_cold policy district --year "$YEAR"
kc_timed kc_cold policy district --year "$YEAR"
kc_timed kc_cold policy district --year "$YEAR"
say "kechuang：同一进程内 $RUNS 次 ..."
kc_timed kc_warm policy district --year "$YEAR" --runs "$RUNS" --dump "$WORK/kc_dump.csv"
NOSNAP_MS=$(awk '{print $1 * 1000}' "$WORK/kc_nosnap.times")
NOSNAP_IN=$(ms_of "$WORK/kc_nosnap.out")
COLD_MS=$(awk '{print $1 * 1000}' "$WORK/kc_cold.times" | median)
COLD_CPU=$(awk '{print ($3 + $4) * 1000}' "$WORK/kc_cold.times" | median)
COLD_IN=$(ms_of "$WORK/kc_cold.out")
# warm: runs 2..RUNS (run 1 is the process's first), snapshot + match
WARM=$( { sed -n 's/^第 \([0-9]*\) 次：快照 \([0-9]*\) ms，匹配 \([0-9]*\) ms（CPU \([0-9]*\) ms）/\1 \2 \3 \4/p' "$WORK/kc_warm.out"
    echo "$RUNS $(ms_of "$WORK/kc_warm.out")"; } | awk '$1 > 1 {print $2 + $3, $2, $3, $4}')
WARM_MS=$(echo "$WARM" | awk '{print $1}' | median)
WARM_SNAP=$(echo "$WARM" | awk '{print $2}' | median)
WARM_MATCH=$(echo "$WARM" | awk '{print $3}' | median)
WARM_CPU=$(echo "$WARM" | awk '{print $4}' | median)
FIRST=$(sed -n 's/^第 1 次：快照 \([0-9]*\) ms，匹配 \([0-9]*\) ms（CPU \([0-9]*\) ms）/\1 \2 \3/p' "$WORK/kc_warm.out")
RSS=$(cat "$WORK"/kc_*.times | awk '{print $2}' | sort -n | tail -1)
ENTS=$(sed -n 's/^年度 [0-9]*，企业 \([0-9]*\) 家/\1/p' "$WORK/kc_cold.out" | tail -1)

# ---- one enterprise through the API ---------------------------------------------
say "kechuang：一家企业的可享政策（API）..."
PASS="Kc-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-Bn9"
if "$KC" --db "$DB" user list --format csv 2>/dev/null | grep -q '^[0-9]*,bench,'; then
    printf '%s\n' "$PASS" | "$KC" --db "$DB" user passwd bench >/dev/null 2>&1
else
    printf '%s\n' "$PASS" | "$KC" --db "$DB" user add bench --role admin \
        --unit 1 --name 压测 >/dev/null 2>&1
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$KC" --db "$DB" serve --listen "127.0.0.1:$PORT" --threads 2 > "$WORK/serve.out" 2>&1 &
SRV=$!
trap 'kill "$SRV" 2>/dev/null' EXIT
i=0
until curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/api/v1/healthz"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { say "服务未响应"; cat "$WORK/serve.out" >&2; exit 1; }
    sleep 0.1
done
sqlite3 "$DB" "SELECT id FROM enterprises WHERE retired_at IS NULL ORDER BY id" > "$WORK/ids.txt"
# the server's CPU time (user + system, clock ticks) around the requests
srv_cpu() { awk '{print $14 + $15}' "/proc/$SRV/stat"; }
CPU0=$(srv_cpu)
ONE_JSON=$(node "$HERE/one.mjs" "http://127.0.0.1:$PORT" bench "$PASS" "$YEAR" "$WORK/ids.txt" "$ONE_N")
CPU1=$(srv_cpu)
# per request: the timed ones and the 5 untimed first ones and the login
ONE_CPU=$(awk -v a="$CPU0" -v b="$CPU1" -v hz="$(getconf CLK_TCK)" -v n="$ONE_N" \
    'BEGIN {printf "%.1f", (b - a) * 1000 / hz / (n + 5)}')
kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null || true
trap - EXIT
say "  $ONE_JSON"
one() { echo "$ONE_JSON" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]].toFixed(1)))' "$1"; }

# ---- DuckDB --------------------------------------------------------------------
if [ ! -f "$WORK/qualifications.csv" ]; then
    say "导出 CSV ..."
    sqlite3 -header -csv "$DB" "SELECT id, uscc, listing_status, retired_at FROM enterprises" > "$WORK/enterprises.csv"
    sqlite3 -header -csv "$DB" "SELECT enterprise_id, year, employees, rd_expense FROM enterprise_years WHERE year = $Y" > "$WORK/enterprise_years.csv"
    sqlite3 -header -csv "$DB" "SELECT enterprise_id, kind, subkind, occurred_on, valid_from, valid_to, retired_at FROM enterprise_facts" > "$WORK/enterprise_facts.csv"
    sqlite3 -header -csv "$DB" "SELECT enterprise_id, field, value, valid_from, valid_to FROM enterprise_declarations" > "$WORK/enterprise_declarations.csv"
    sqlite3 -header -csv "$DB" "SELECT enterprise_id, kind, basis, year, issued_on, valid_from, valid_to, ended_on FROM qualifications" > "$WORK/qualifications.csv"
    rm -f "$WORK/duck.db" "$WORK/duck.db.wal"
fi
# the pool (small: exported every run)
sqlite3 -header -csv "$DB" "SELECT i.code, i.trigger_kind, i.trigger_basis, i.amount_kind, i.amount, i.figure, i.rate_bp, i.cap, i.year_cap, p.effective_from AS eff_from, p.effective_to AS eff_to FROM policy_items i JOIN policies p ON p.id = i.policy_id" > "$WORK/items.csv"
sqlite3 -header -csv "$DB" "SELECT i.code, j.key AS k, json_extract(j.value, '\$.from') AS t_from, json_extract(j.value, '\$.amount') AS amount FROM policy_items i, json_each(i.tiers) j WHERE i.tiers IS NOT NULL AND i.tiers <> ''" > "$WORK/tiers.csv"
rm -f "$WORK/duck.db" "$WORK/duck.db.wal" # the pool tables change with it
sed -e "s/@YEAR@/$YEAR/g" -e "s/@Y@/$Y/g" -e "s/@ASOF@/$ASOF/g" \
    -e "s/@YS@/$YEAR-01-01/g" -e "s/@YE@/$YEAR-12-31/g" \
    "$HERE/policy.sql.in" > "$WORK/policy.sql"
say "DuckDB ..."
AGREE=0
node "$HERE/duckdb_peer.mjs" "$WORK" "$WORK/duck.db" "$WORK/policy.sql" "$RUNS" \
    "$WORK/kc_dump.csv" > "$WORK/duck.out" || AGREE=1
grep -v '^{' "$WORK/duck.out" >&2 || true
DUCK_JSON=$(grep '^{' "$WORK/duck.out")
duck() { echo "$DUCK_JSON" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const v=j[process.argv[1]];if(Array.isArray(v)){const a=v.slice().sort((x,y)=>x-y);console.log(a[Math.floor((a.length-1)/2)].toFixed(0))}else console.log(typeof v==="number"?v.toFixed(0):v)})' "$1"; }

# ---- summary -------------------------------------------------------------------
echo
echo "policy matching: $ENTS enterprises, $NI items, year $YEAR (as of $ASOF)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-64s %10s\n' "figure" "ms"
printf '%-64s %10s\n' "district, no snapshot file: process wall (build + save + match)" "$NOSNAP_MS"
printf '%-64s %10s\n' "  inside: snapshot / matching / matching CPU" "$(echo "$NOSNAP_IN" | tr ' ' /)"
printf '%-64s %10s\n' "district cold, new process, saved snapshot: wall (median of 3)" "$COLD_MS"
printf '%-64s %10s\n' "  CPU (user + sys)" "$COLD_CPU"
printf '%-64s %10s\n' "  inside (last run): snapshot map + check / matching / CPU" "$(echo "$COLD_IN" | tr ' ' /)"
printf '%-64s %10s\n' "district, first pass of the warm process: the same" "$(echo "$FIRST" | tr ' ' /)"
printf '%-64s %10s\n' "district warm, same process: kept snapshot check + matching" "$WARM_MS"
printf '%-64s %10s\n' "  of which snapshot check / matching / matching CPU" "$WARM_SNAP/$WARM_MATCH/$WARM_CPU"
printf '%-64s %10s\n' "one enterprise's 可享政策 via API, p50 ($ONE_N enterprises)" "$(one p50_ms)"
printf '%-64s %10s\n' "one enterprise's 可享政策 via API, p99" "$(one p99_ms)"
printf '%-64s %10s\n' "  server CPU per request (mean, login included)" "$ONE_CPU"
printf '%-64s %10s\n' "DuckDB CTAS, $(duck items) items (median of $RUNS), threads $(duck threads)" "$(duck ctas_ms)"
printf '%-64s %10s\n' "  CPU (user + sys)" "$(duck ctas_cpu_ms)"
printf '%-64s %10s\n' "DuckDB load of the CSV exports (once)" "$(duck load_ms)"
echo "peak RSS of the kechuang processes: $RSS KiB"
echo "rows compared (not 不符合): kechuang $(duck kc_rows), DuckDB $(duck rows); disagreements: $(duck differ)"
exit "$AGREE"
