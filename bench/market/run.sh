#!/bin/sh
# bench/market/run.sh - technology contracts: import throughput and peak
# memory of `kechuang import contracts` (validating, de-duplicating) against
# sqlite3 `.import` of the same CSV without validation; latency of the
# statistics through the API; latency of matchmaking for one demand among
# M achievements. Not part of `make check`; figures in bench/README.md.
#
#   sh bench/market/run.sh                     # N=1000000 contracts, M=100000
#   BUILD=build-x N=100000 M=10000 REQS=50 sh bench/market/run.sh
#
# The statistics beside DuckDB at 1M: bench/market/stats.sh.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$ROOT/$BUILD/kechuang
N=${N:-1000000}
M=${M:-100000}
REQS=${REQS:-100}
T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-market.XXXXXX")
KC_PID=""
cleanup() {
    [ -z "$KC_PID" ] || kill "$KC_PID" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
for t in sqlite3 curl python3 /usr/bin/time; do
    command -v $t >/dev/null 2>&1 || {
        echo "run.sh: $t is required" >&2
        exit 1
    }
done
[ -x "$BIN" ] || make -C "$ROOT" BUILD="$BUILD" "$BUILD/kechuang" >/dev/null

# --- the file: an office export (title row, header on row 2, 元) ----------
sh "$ROOT/bench/market/gen.sh" "$N" >"$T/contracts.csv"
echo "file: $N contracts, $(du -h "$T/contracts.csv" | cut -f1)"

# --- kechuang import ----------------------------------------------------------
"$BIN" --db "$T/kc.db" init >/dev/null 2>&1
/usr/bin/time -f '%e %M' -o "$T/kc.time" \
    "$BIN" --db "$T/kc.db" import contracts "$T/contracts.csv" >"$T/kc.out" 2>&1 ||
    { cat "$T/kc.out" | tail -5; exit 1; }
read -r kc_s kc_kb <"$T/kc.time"

# --- sqlite3 .import of the same file into a staging table, no checks ------
# The peer is not the same schema: a new database and a table `staging`
# that .import creates from the header row (all TEXT, no index, no
# constraint, no trigger), while kechuang writes `contracts` with its
# indexes, triggers and one event row per contract (bench/README.md).
tail -n +2 "$T/contracts.csv" | grep -v '^合计' >"$T/plain.csv"
/usr/bin/time -f '%e %M' -o "$T/sq.time" sqlite3 "$T/sq.db" \
    ".mode csv" ".import $T/plain.csv staging" >/dev/null 2>&1
read -r sq_s sq_kb <"$T/sq.time"
python3 - "$N" "$kc_s" "$kc_kb" "$sq_s" "$sq_kb" <<'PY'
import sys
n, ks, kk, ss, sk = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print(f"kechuang import contracts: {ks:.1f} s, {n/ks:,.0f} rows/s, peak RSS {kk/1024:.0f} MB")
print(f"sqlite3 .import (no validation): {ss:.1f} s, {n/ss:,.0f} rows/s, peak RSS {sk/1024:.0f} MB")
print(f"ratio kechuang/sqlite3 rows/s: {ss/ks:.2f}")
PY

# --- M achievements (written by SQL, not timed) and one demand ---------------
python3 - "$T/kc.db" "$M" <<'PY'
import sqlite3, sys, random
db = sqlite3.connect(sys.argv[1]); m = int(sys.argv[2]); random.seed(3)
words = "伺服电机 振动抑制 锂电池 隔膜 涂覆 焊接 机器人 视觉 定位 污水 处理 光伏 逆变器 储能 电池管理 中药 提取 干燥 传感器 芯片 封装 检测 算法 材料 复合 高分子 纳米 催化 氢能 燃料".split()
rows = []
for i in range(m):
    t = "".join(random.sample(words, 3))
    rows.append(("achievement", "university", t + "技术", "大学%d" % (i % 300), 1 + i % 11, t + "的研究成果", "open", 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"))
db.executemany("INSERT INTO market_items (kind, subkind, title, org_name, field, summary, status, unit_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
db.execute("INSERT INTO market_items (kind, title, org_name, field, summary, status, unit_id, created_at, updated_at) VALUES ('demand', '伺服电机振动抑制', '某企业', 3, '伺服电机高速运行振动大', 'open', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
db.commit()
PY
DEMAND=$(sqlite3 "$T/kc.db" "SELECT id FROM market_items WHERE kind = 'demand'")

# --- the server and the latencies ------------------------------------------
PASS="Kc-mk-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASS" | "$BIN" --db "$T/kc.db" user add bench --role admin \
    --unit 1 --name 压测 >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$BIN" --db "$T/kc.db" serve --listen "127.0.0.1:$PORT" >"$T/serve.out" 2>&1 &
KC_PID=$!
i=0
until curl -s -o /dev/null --max-time 1 "$URL/api/v1/healthz"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "run.sh: no server" >&2; exit 1; }
    sleep 0.1
done
printf '{"username":"bench","password":"%s"}' "$PASS" >"$T/login.json"
curl -s -D "$T/login.h" -o /dev/null -H 'Content-Type: application/json' \
    --data-binary @"$T/login.json" "$URL/api/v1/session"
COOKIE=$(grep -i '^Set-Cookie:' "$T/login.h" | sed 's/^[^:]*: *//; s/;.*//' | tr -d '\r')

cpu_ms() { # the server's user + system CPU time so far, in ms
    awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$KC_PID/stat"
}

lat() { # name url
    # the first request apart: the matching's builds its term index
    # (pool_tix.h) then
    c0=$(cpu_ms)
    curl -s -o /dev/null -H "Cookie: $COOKIE" "$2"
    c1=$(cpu_ms)
    echo "$1: first request $(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }') ms of CPU"
    c0=$(cpu_ms)
    : >"$T/lat"
    j=0
    while [ $j -lt "$REQS" ]; do
        curl -s -o /dev/null -H "Cookie: $COOKIE" -w '%{time_total}\n' "$2" >>"$T/lat"
        j=$((j + 1))
    done
    c1=$(cpu_ms)
    python3 - "$1" "$T/lat" "$c0" "$c1" <<'PY'
import sys
v = sorted(float(x) * 1000 for x in open(sys.argv[2]) if x.strip())
p = lambda q: v[min(len(v) - 1, int(q * len(v)))]
cpu = (float(sys.argv[4]) - float(sys.argv[3])) / len(v)
print(f"{sys.argv[1]}: p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, server CPU {cpu:.1f} ms a request ({len(v)} requests)")
PY
}
lat "stats by month (2024)" "$URL/api/v1/contract-stats?group=month&year=2024"
lat "stats by type (2024)" "$URL/api/v1/contract-stats?group=type&year=2024"
lat "stats by unit (2024)" "$URL/api/v1/contract-stats?group=unit&year=2024"
lat "top sellers (2024)" "$URL/api/v1/contract-stats/top?year=2024"
lat "matches of one demand among $M achievements" "$URL/api/v1/market-items/$DEMAND/matches"
