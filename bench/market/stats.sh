#!/bin/sh
# bench/market/stats.sh - contract statistics over N contracts through the
# API (wrk: p50/p99, req/s) beside DuckDB computing the same aggregates
# from the same contracts exported at rest (CSV), and a check that both
# give the same count, 成交额 and 技术交易额 per group. Issue 18's goal:
# statistics by month × type × unit over 1M contracts, p99 < 100 ms.
# Not part of `make check`; figures in bench/README.md.
#
#   sh bench/market/stats.sh                 # N=1000000, YEAR=2024
#   BUILD=build N=100000 DUR=5 sh bench/market/stats.sh
#   DB=/tmp/kc-stats.db sh bench/market/stats.sh   # keep / reuse the database
#
# The statistics page asks for three groupings of one year (month, type,
# unit: /contract-stats?group=...&year=Y); the API has no single
# month × type × unit cross table, so each grouping is measured on its own.
# Each response also carries the previous year (year-on-year).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$ROOT/$BUILD/kechuang
N=${N:-1000000}
YEAR=${YEAR:-2024}
DUR=${DUR:-10}
RUNS=${RUNS:-5}
T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-mstats.XXXXXX")
DB=${DB:-$T/kc.db}
KC_PID=""
cleanup() {
    [ -z "$KC_PID" ] || kill "$KC_PID" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
for t in sqlite3 curl wrk node python3 /usr/bin/time; do
    command -v $t >/dev/null 2>&1 || {
        echo "stats.sh: $t is required" >&2
        exit 1
    }
done
[ -x "$BIN" ] || make -C "$ROOT" BUILD="$BUILD" WEB_UI=0 "$BUILD/kechuang" >/dev/null
[ -d "$ROOT/bench/screen/node_modules/@duckdb/node-api" ] ||
    (cd "$ROOT/bench/screen" && npm ci --no-audit --no-fund --loglevel=error)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the contracts: the generator of run.sh, `kechuang import contracts` ---
if [ ! -f "$DB" ] || [ "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM contracts' 2>/dev/null || echo 0)" != "$N" ]; then
    rm -f "$DB" "$DB-wal" "$DB-shm"
    sh "$ROOT/bench/market/gen.sh" "$N" >"$T/contracts.csv"
    "$BIN" --db "$DB" init >/dev/null 2>&1
    /usr/bin/time -f '%e %U %S %M' -o "$T/kc.time" \
        "$BIN" --db "$DB" import contracts "$T/contracts.csv" >"$T/kc.out" 2>&1 ||
        { tail -5 "$T/kc.out"; exit 1; }
    read -r s u sy kb <"$T/kc.time"
    echo "import contracts: $N rows, $s s wall, $u s user + $sy s sys, peak RSS $((kb / 1024)) MB"
    rm -f "$T/contracts.csv"
else
    echo "import contracts: reusing $DB ($N contracts)"
fi

# --- the same contracts at rest for DuckDB ---------------------------------
sqlite3 -csv -header "$DB" "SELECT c.registered_on, c.type, o.path, c.status,
    c.amount, c.tech_amount FROM contracts c JOIN org_units o ON o.id = c.unit_id" \
    >"$T/export.csv"
echo "export for DuckDB: $(du -h "$T/export.csv" | cut -f1)"

# --- the server ------------------------------------------------------------
PASS="Kc-ms-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASS" | "$BIN" --db "$DB" user add bench --role admin \
    --unit 1 --name 压测 >/dev/null 2>&1 ||
    printf '%s\n' "$PASS" | "$BIN" --db "$DB" user passwd bench >/dev/null 2>&1
SCOPE=$(sqlite3 "$DB" "SELECT path FROM org_units WHERE id = 1")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$BIN" --db "$DB" serve --listen "127.0.0.1:$PORT" >"$T/serve.out" 2>&1 &
KC_PID=$!
i=0
until curl -s -o /dev/null --max-time 1 "$URL/api/v1/healthz"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "stats.sh: no server" >&2; exit 1; }
    sleep 0.1
done
printf '{"username":"bench","password":"%s"}' "$PASS" >"$T/login.json"
curl -s -D "$T/login.h" -o /dev/null -H 'Content-Type: application/json' \
    --data-binary @"$T/login.json" "$URL/api/v1/session"
COOKIE=$(grep -i '^Set-Cookie:' "$T/login.h" | sed 's/^[^:]*: *//; s/;.*//' | tr -d '\r')
[ -n "$COOKIE" ] || { echo "stats.sh: login failed" >&2; exit 1; }

for g in month type unit; do
    curl -sf -H "Cookie: $COOKIE" -o "$T/api_$g.json" \
        "$URL/api/v1/contract-stats?group=$g&year=$YEAR"
done
# wrk: one connection (latency of one request at a time), then four
for c in 1 4; do
    for g in month type unit; do
        wrk -t1 -c$c -d"${DUR}s" --timeout 10s --latency -H "Cookie: $COOKIE" \
            "$URL/api/v1/contract-stats?group=$g&year=$YEAR" >"$T/wrk.out"
        awk -v g="$g" -v c="$c" '
            $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
            $1 == "Requests/sec:" { rps = $2 }
            / requests in / { n = $1 }
            /Non-2xx/ { bad = bad ", " $NF " not 2xx" }
            /Socket errors/ { bad = bad ", socket errors:" substr($0, index($0, ":") + 1) }
            END { printf "API %-5s -c%d: p50 %s, p99 %s, %s req/s (%s requests%s)\n",
                  g, c, p50, p99, rps, n, bad }' "$T/wrk.out"
    done
done
kill "$KC_PID" 2>/dev/null || true
wait "$KC_PID" 2>/dev/null || true
KC_PID=""

# --- DuckDB: load the export, the same three aggregates, RUNS times ---------
node "$ROOT/bench/market/duckdb_stats.mjs" "$T/export.csv" "$T/duck.db" \
    "$YEAR" "$SCOPE" "$RUNS" >"$T/duck.json"

python3 - "$T" "$YEAR" <<'PY'
import json, sys, statistics
t, year = sys.argv[1], int(sys.argv[2])
d = json.load(open(f"{t}/duck.json"))
print(f"DuckDB: load {d['rows']:,} rows from CSV {d['load_ms']:.0f} ms")
for g, v in d["ms"].items():
    print(f"DuckDB {g:<5}: median {statistics.median(v):.1f} ms, min {min(v):.1f} ms over {len(v)} runs")
bad = 0
for g in ("month", "type", "unit"):
    api = json.load(open(f"{t}/api_{g}.json"))
    duck = d["groups"][g]
    want = {}
    for it in api["items"]:
        k = it["key"]
        cur = (it["count"], it["amount"], it["tech_amount"])
        if cur != (0, 0, 0):
            want[f"{year}|{k}"] = cur
    got = {}
    for k, (n, a, te) in duck.items():
        y, key = k.split("|", 1)
        if int(y) == year:
            got[f"{year}|{key}"] = (n, a, te)
    # previous year's 成交额 per group (yoy), months keyed YYYY-MM
    pwant, pgot = {}, {}
    for it in api["items"]:
        pk = it["key"] if g != "month" else f"{year - 1}-{it['key'][5:]}"
        if it["prev_amount"]:
            pwant[pk] = it["prev_amount"]
    for k, (n, a, te) in duck.items():
        y, key = k.split("|", 1)
        if int(y) == year - 1:
            pgot[key] = a
    ok = want == got and pwant == pgot
    bad += not ok
    tot = api["total"]
    print(f"agree {g:<5}: {'yes' if ok else 'NO'} ({len(want)} groups, "
          f"{tot['count']:,} contracts, 成交额 {tot['amount']:,} 元, 技术交易额 {tot['tech_amount']:,} 元)")
    if not ok:
        print("  api  :", sorted(want.items())[:5], sorted(pwant.items())[:5])
        print("  duck :", sorted(got.items())[:5], sorted(pgot.items())[:5])
sys.exit(1 if bad else 0)
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
