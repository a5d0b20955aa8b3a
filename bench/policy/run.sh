#!/bin/sh
# bench/policy/run.sh - policy matching on a demo library:
#  1. every item of the pool over the whole district in one pass
#     (`kechuang policy district`: one library snapshot, each item compiled
#     and evaluated with the batch evaluator, amounts from the snapshot's
#     columns); the command reports the snapshot build and the matching
#     time apart;
#  2. each item's candidate list as the API serves it (`kechuang policy
#     candidates`, a fresh process each: snapshot built every time, rows
#     with names);
#  3. one enterprise's 可享政策 (`kechuang policy match`).
# No DuckDB peer yet (bench/screen has one for the ladder rule sets).
#
#   sh bench/policy/run.sh                     # 100000 enterprises
#   N=1000000 WORK=/tmp/kc-bench-policy sh bench/policy/run.sh
#
# N      enterprises of the demo library (made once, kept in WORK)
# WORK   scratch directory (default /tmp/kc-bench-policy)
# YEAR   matching year (default this year)
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
N=${N:-100000}
WORK=${WORK:-/tmp/kc-bench-policy}
YEAR=${YEAR:-$(date -u -d "@$(($(date +%s) + 8 * 3600))" +%Y)} # Beijing year
KC=$ROOT/$BUILD/kechuang
DB=$WORK/lib-$N.db

say() { printf '%s\n' "$*" >&2; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

[ -x "$KC" ] || (cd "$ROOT" && make -j2 BUILD="$BUILD" WEB_UI=0 "$BUILD/kechuang")
mkdir -p "$WORK"
if [ ! -f "$DB" ]; then
    say "生成 $N 家企业的演示库 ..."
    "$KC" --db "$DB" init >/dev/null 2>&1
    "$KC" --db "$DB" demo --enterprises "$N" --seed 1 --quiet >/dev/null
fi
"$KC" --db "$DB" init >/dev/null 2>&1

"$KC" --db "$DB" policy district --year "$YEAR" | tail -n 1
"$KC" --db "$DB" policy district --year "$YEAR" | tail -n 1

total=0
items=$(sqlite3 "$DB" "SELECT code FROM policy_items WHERE status <> 'retired' ORDER BY id")
printf '%-22s %8s %10s\n' item ms candidates
for code in $items; do
    t0=$(now_ms)
    n=$("$KC" --db "$DB" policy candidates --item "$code" --year "$YEAR" \
        --format csv | tail -n +2 | wc -l)
    t1=$(now_ms)
    total=$((total + t1 - t0))
    printf '%-22s %8d %10d\n' "$code" $((t1 - t0)) "$n"
done
echo "all items: $total ms (each a fresh process with its own snapshot build)"

U=$(sqlite3 "$DB" "SELECT uscc FROM enterprises ORDER BY id LIMIT 1")
t0=$(now_ms)
"$KC" --db "$DB" policy match --enterprise "$U" --year "$YEAR" >/dev/null
t1=$(now_ms)
echo "one enterprise's 可享政策 ($U): $((t1 - t0)) ms (process start included)"
