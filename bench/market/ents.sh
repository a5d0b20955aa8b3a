#!/bin/sh
# bench/market/ents.sh - latency of 可能需要的企业 (the enterprises that could
# use one achievement, GET /api/v1/market-items/{id}/enterprises) among the
# N enterprises of a demo district, through the HTTP server. Not part of
# `make check`; figures in bench/README.md. The server's CPU time per
# request (user + system, from /proc) is printed beside the latency: on a
# shared machine it is the steadier figure.
#
#   sh bench/market/ents.sh                    # N=100000 enterprises
#   BUILD=build N=20000 REQS=50 sh bench/market/ents.sh
#   DB=/path/kc.db sh bench/market/ents.sh     # reuse a demo database
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$ROOT/$BUILD/kechuang
N=${N:-100000}
REQS=${REQS:-50}
T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-ents.XXXXXX")
KC_PID=""
cleanup() {
    [ -z "$KC_PID" ] || kill "$KC_PID" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
for t in sqlite3 curl python3; do
    command -v $t >/dev/null 2>&1 || {
        echo "ents.sh: $t is required" >&2
        exit 1
    }
done
if [ -n "${DB:-}" ]; then
    cp "$DB" "$T/kc.db"
else
    "$BIN" --db "$T/kc.db" init >/dev/null 2>&1
    "$BIN" --db "$T/kc.db" demo --enterprises "$N" --quiet
fi
N=$(sqlite3 "$T/kc.db" "SELECT COUNT(*) FROM enterprises")
# two achievements of the district: one of a common industry and field
# (many candidates), one matching a few enterprises by name terms only
sqlite3 "$T/kc.db" "INSERT INTO market_items (kind, subkind, title, org_name, field, industry_code, summary, status, unit_id, created_at, updated_at) VALUES ('achievement', 'university', '工业机器人视觉定位与伺服控制', '某大学', 3, 'C3491', '面向机器人和自动化装备的视觉定位算法与伺服驱动控制', 'open', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'), ('achievement', 'university', '盐碱地水稻育种', '某农学院', 9, NULL, '耐盐碱水稻品种选育', 'open', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
A1=$(sqlite3 "$T/kc.db" "SELECT MIN(id) FROM market_items WHERE org_name = '某大学'")
A2=$(sqlite3 "$T/kc.db" "SELECT MIN(id) FROM market_items WHERE org_name = '某农学院'")

PASS="Kc-me-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASS" | "$BIN" --db "$T/kc.db" user add bench --role admin \
    --unit 1 --name 压测 >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$BIN" --db "$T/kc.db" serve --listen "127.0.0.1:$PORT" >"$T/serve.out" 2>&1 &
KC_PID=$!
i=0
until curl -s -o /dev/null --max-time 1 "$URL/api/v1/healthz"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "ents.sh: no server" >&2; exit 1; }
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
    # the first request after a write builds the term index (pool_tix.h):
    # its CPU apart, not in the figures of the requests that follow
    c0=$(cpu_ms)
    curl -s -o /dev/null -H "Cookie: $COOKIE" "$2"
    c1=$(cpu_ms)
    echo "$1: first request (index build) $(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }') ms of CPU"
    c0=$(cpu_ms)
    : >"$T/lat"
    j=0
    while [ $j -lt "$REQS" ]; do
        curl -s -o "$T/body" -H "Cookie: $COOKIE" -w '%{time_total}\n' "$2" >>"$T/lat"
        j=$((j + 1))
    done
    c1=$(cpu_ms)
    python3 - "$1" "$T/lat" "$T/body" "$c0" "$c1" <<'PY'
import sys, json
v = sorted(float(x) * 1000 for x in open(sys.argv[2]) if x.strip())
p = lambda q: v[min(len(v) - 1, int(q * len(v)))]
items = json.load(open(sys.argv[3])).get("items", [])
cpu = (float(sys.argv[5]) - float(sys.argv[4])) / len(v)
print(f"{sys.argv[1]}: p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, server CPU {cpu:.1f} ms a request ({len(v)} requests, {len(items)} listed)")
PY
}
echo "enterprises: $N"
lat "top 10, common industry and field" "$URL/api/v1/market-items/$A1/enterprises"
lat "top 10, name terms only" "$URL/api/v1/market-items/$A2/enterprises"
