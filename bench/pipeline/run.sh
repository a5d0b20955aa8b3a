#!/bin/sh
# run.sh - latency of the 四个一批 funnel counts (GET /api/v1/pipeline/funnel)
# over 50,000 pipeline entries, with wrk on loopback, beside the same SQL
# run in the sqlite3 CLI (the peer). Not part of `make check`.
#
#   sh bench/pipeline/run.sh
#   BUILD=build-x DURATION=10 N=60000 ENTRIES_PER_BATCH=12500 sh bench/pipeline/run.sh
#
# Makes a temporary database with `kechuang init` and `kechuang demo
# --enterprises $N --seed 1` (N = 60000; the demo's own pipeline adds 60
# entries), then adds four batches (hnte and sme, 2025 and 2026) of
# ENTRIES_PER_BATCH (12500) enterprises each with the sqlite3 CLI — 50,000
# entries spread over every stage by enterprise id — adds the administrator
# "bench", starts `kechuang serve --threads $(nproc)` on a free loopback
# port and runs `wrk -t2 -c$CONNS -d${DURATION}s --latency` (CONNS = 8)
# against:
#   1. the whole district, every year (all 50,060 entries);
#   2. one year (2026: 25,030 entries);
#   3. one 街道 (unit filter) and one batch.
# Then the query of target 1 as the API runs it (scope "/", no filter) in
# the sqlite3 CLI, 20 times, min / median / max wall time (.timer on).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
DURATION=${DURATION:-10}
CONNS=${CONNS:-8}
N=${N:-60000}
PER=${ENTRIES_PER_BATCH:-12500}
NPROC=$(nproc)

for t in wrk curl python3 sqlite3; do
    command -v $t >/dev/null 2>&1 || {
        echo "run.sh: $t is required" >&2
        exit 1
    }
done
if [ ! -x "$BIN" ]; then
    make BUILD="$BUILD" "$BIN" >/dev/null || exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-pipe.XXXXXX") || exit 1
KC_PID=""
cleanup() {
    [ -n "$KC_PID" ] && kill "$KC_PID" 2>/dev/null && wait "$KC_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

DB=$T/pipe.db
"$BIN" --db "$DB" init >"$T/init.out" 2>&1 || {
    cat "$T/init.out" >&2
    exit 1
}
echo "making the library: $N enterprises, seed 1"
"$BIN" --db "$DB" demo --enterprises "$N" --seed 1 --quiet >"$T/demo.out" 2>&1 || {
    tail -n 5 "$T/demo.out" >&2
    exit 1
}
tail -n 1 "$T/demo.out"
sqlite3 "$DB" <<SQL || exit 1
BEGIN;
INSERT INTO pipeline_batches (tier, year, name, review_chain, created_at,
    updated_at) VALUES
    ('hnte', 2025, 'bench 高企 2025', '[{"role":"staff","label":"审核"}]', 'x', 'x'),
    ('sme', 2025, 'bench 科小 2025', '[{"role":"staff","label":"审核"}]', 'x', 'x'),
    ('hnte', 2026, 'bench 高企 2026', '[{"role":"staff","label":"审核"}]', 'x', 'x'),
    ('sme', 2026, 'bench 科小 2026', '[{"role":"staff","label":"审核"}]', 'x', 'x');
INSERT INTO pipeline_entries (batch_id, enterprise_id, stage, reached, source,
    reason, created_at, updated_at)
SELECT b.id, e.id,
    CASE e.id % 8 WHEN 0 THEN 'selected' WHEN 1 THEN 'recommended'
        WHEN 2 THEN 'returned' WHEN 3 THEN 'admitted' WHEN 4 THEN 'cultivating'
        WHEN 5 THEN 'certified' WHEN 6 THEN 'not_certified' ELSE 'withdrawn' END,
    CASE e.id % 8 WHEN 3 THEN 2 WHEN 4 THEN 3 WHEN 5 THEN 4 WHEN 6 THEN 3
        ELSE 1 END,
    'manual', 'bench', 'x', 'x'
FROM (SELECT id FROM enterprises ORDER BY id LIMIT $PER) e
CROSS JOIN (SELECT id FROM pipeline_batches WHERE name LIKE 'bench %') b;
COMMIT;
ANALYZE;
SQL
echo "entries: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM pipeline_entries')"

PASS="Kp7$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASS" | "$BIN" --db "$DB" user add bench --role admin \
    --unit 1 --name 压测 >/dev/null 2>&1

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$BIN" --db "$DB" serve --listen "127.0.0.1:$PORT" --threads "$NPROC" \
    >"$T/kc.out" 2>"$T/kc.err" &
KC_PID=$!
i=0
until curl -s -o /dev/null --max-time 1 "$URL/api/v1/healthz"; do
    i=$((i + 1))
    [ $i -lt 100 ] || {
        echo "run.sh: the server does not answer" >&2
        cat "$T/kc.err" >&2
        exit 1
    }
    sleep 0.1
done
printf '{"username":"bench","password":"%s"}' "$PASS" >"$T/login.json"
curl -s -D "$T/login.h" -o /dev/null -H 'Content-Type: application/json' \
    --data-binary @"$T/login.json" "$URL/api/v1/session"
COOKIE=$(grep -i '^Set-Cookie:' "$T/login.h" | sed 's/^[^:]*: *//; s/;.*//' |
    tr -d '\r')
[ -n "$COOKIE" ] || {
    echo "run.sh: login failed" >&2
    exit 1
}
UNIT=$(sqlite3 "$DB" "SELECT id FROM org_units WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1")
BATCH=$(sqlite3 "$DB" "SELECT id FROM pipeline_batches WHERE name = 'bench 高企 2026'")
F="$URL/api/v1/pipeline/funnel"
U1="$F"
U2="$F?year=2026"
U3="$F?unit_id=$UNIT&batch_id=$BATCH"

check() {
    curl -s -o "$T/one.json" -w '%{http_code} %{time_total}' \
        -H "Cookie: $COOKIE" "$2" >"$T/one.meta"
    python3 -c '
import json, sys
meta = open(sys.argv[2]).read().split()
d = json.load(open(sys.argv[1]))
t = d.get("total", {})
print("  %-32s HTTP %s, %.1f ms, selected %s, certified %s, rows %d" % (
    sys.argv[3], meta[0], float(meta[1]) * 1000, t.get("selected"),
    t.get("certified"), len(d.get("rows") or [])))' "$T/one.json" "$T/one.meta" "$1"
}
bench() {
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" \
        "$2" >"$T/wrk.out" 2>&1
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")
    p50=$(awk '$1 == "50%" {print $2}' "$T/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$T/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ {sub(/^ +/, ""); printf "%s; ", $0}' "$T/wrk.out")
    printf '%-36s %10s %10s %10s  %s\n' "$1" "${rps:-?}" "${p50:-?}" \
        "${p99:-?}" "$errs"
}

echo "machine: $NPROC CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "one request each:"
check "district, all years" "$U1"
check "year 2026" "$U2"
check "unit $UNIT, batch $BATCH" "$U3"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-36s %10s %10s %10s\n' target requests/s p50 p99
bench "district, all years" "$U1"
bench "year 2026" "$U2"
bench "unit + batch" "$U3"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# the peer: the same query in the sqlite3 CLI (scope "/", no filter)
Q="SELECT b.year, e.unit_id, o.name, COUNT(*), SUM(CASE WHEN p.reached >= 2 THEN 1 ELSE 0 END), SUM(CASE WHEN p.reached >= 3 THEN 1 ELSE 0 END), SUM(CASE WHEN p.reached >= 4 THEN 1 ELSE 0 END), SUM(CASE WHEN p.stage = 'not_certified' THEN 1 ELSE 0 END), SUM(CASE WHEN p.stage = 'withdrawn' THEN 1 ELSE 0 END) FROM pipeline_entries p JOIN pipeline_batches b ON b.id = p.batch_id JOIN enterprises e ON e.id = p.enterprise_id JOIN org_units o ON o.id = e.unit_id WHERE substr(o.path, 1, length('/')) = '/' GROUP BY b.year, e.unit_id, o.name ORDER BY b.year DESC, o.name, e.unit_id;"
{
    echo ".timer on"
    echo ".output /dev/null"
    k=0
    while [ $k -lt 20 ]; do
        echo "$Q"
        k=$((k + 1))
    done
} >"$T/peer.sql"
sqlite3 "$DB" <"$T/peer.sql" 2>&1 | awk '/^Run Time/ {print $4 * 1000}' |
    sort -n | awk '{v[NR] = $1} END {printf "sqlite3 CLI, same SQL (20 runs): min %.1f ms, median %.1f ms, max %.1f ms\n", v[1], v[int((NR + 1) / 2)], v[NR]}'
