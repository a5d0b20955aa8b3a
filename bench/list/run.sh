#!/bin/sh
# run.sh - latency of the enterprise list (GET /api/v1/enterprises) on a
# library of 1,000,000 enterprises, with wrk on loopback. Not part of
# `make check`.
#
#   sh bench/list/run.sh                    # makes the library (~5 min)
#   sh bench/list/run.sh /path/to/ent1m.db  # reuses (and migrates) one
#   BUILD=build-x DURATION=10 N=100000 sh bench/list/run.sh
#
# Builds $BUILD/kechuang if needed (BUILD defaults to build). Without an
# argument it makes $BENCH_DIR/ent1m.db (BENCH_DIR defaults to
# $BUILD/bench-list) with `kechuang init` and `kechuang demo --enterprises
# $N --seed 1` (N = 1000000) and keeps it for the next run; with a path it
# uses that database as is after `kechuang init` (which applies any new
# migration). It adds (or re-passwords) the administrator account "bench"
# (the only change made to a reused database besides migrations), starts
# `kechuang serve` on a free loopback port, logs in for a session cookie
# and runs `wrk -t2 -c$CONNS -d${DURATION}s --latency` (CONNS = 16) against:
#   1. one 街道 (unit filter) sorted by revenue, descending, page 1;
#   2. the same, page 500 (offset 9,980);
#   3. a 2-character name search (Q, default 华泰; URL-encoded here).
# Prints requests/s, p50, p99 and the server's CPU per request (user +
# system of the serve process over the wrk run / requests) for each, the
# load average before and after,
# and one response of each target (total, first name) as a check.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
DURATION=${DURATION:-20}
CONNS=${CONNS:-16}
N=${N:-1000000}
Q=${Q:-华泰}
NPROC=$(nproc)

sh tools/deps.sh bench || exit 1
for t in wrk curl python3; do
    command -v $t >/dev/null 2>&1 || {
        echo "run.sh: $t is required" >&2
        exit 1
    }
done
if [ ! -x "$BIN" ]; then
    make BUILD="$BUILD" "$BIN" >/dev/null || exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-list.XXXXXX") || exit 1
KC_PID=""
cleanup() {
    [ -n "$KC_PID" ] && kill "$KC_PID" 2>/dev/null && wait "$KC_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# --- the library ------------------------------------------------------------
if [ $# -ge 1 ]; then
    DB=$1
    [ -f "$DB" ] || {
        echo "run.sh: $DB does not exist" >&2
        exit 1
    }
else
    BENCH_DIR=${BENCH_DIR:-$BUILD/bench-list}
    mkdir -p "$BENCH_DIR" || exit 1
    DB=$BENCH_DIR/ent1m.db
    if [ ! -f "$DB" ] || [ ! -f "$DB.done" ]; then
        rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.done"
        echo "making the library: $N enterprises, seed 1 (several minutes)"
        "$BIN" --db "$DB" init >"$T/init.out" 2>&1 || {
            cat "$T/init.out" >&2
            exit 1
        }
        /usr/bin/env time -f '%e s, %M KB max resident' \
            "$BIN" --db "$DB" demo --enterprises "$N" --seed 1 \
            >"$T/demo.out" 2>"$T/demo.err" || {
            tail -n 5 "$T/demo.err" "$T/demo.out" >&2
            exit 1
        }
        tail -n 1 "$T/demo.out"
        echo "demo: $(tail -n 1 "$T/demo.err")"
        touch "$DB.done"
    fi
fi
"$BIN" --db "$DB" init >"$T/init.out" 2>&1 || {
    cat "$T/init.out" >&2
    exit 1
}
PASS="Kc$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
if "$BIN" --db "$DB" user list --format csv 2>/dev/null | grep -q '^[0-9]*,bench,'; then
    printf '%s\n' "$PASS" | "$BIN" --db "$DB" user passwd bench >/dev/null 2>&1
else
    printf '%s\n' "$PASS" | "$BIN" --db "$DB" user add bench --role admin \
        --unit 1 --name 压测 >/dev/null 2>&1
fi

# --- the server -------------------------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
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

# The 街道 with the most enterprises is not needed: take 大王庄街道 (or the
# first unit below the root).
curl -s -H "Cookie: $COOKIE" "$URL/api/v1/org-units" >"$T/units.json"
UNIT=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
items = d.get("items", d) if isinstance(d, dict) else d
pick = [u for u in items if u.get("name") == "大王庄街道"] or \
       [u for u in items if u.get("parent_id")]
print(pick[0]["id"] if pick else "")' "$T/units.json")
[ -n "$UNIT" ] || {
    echo "run.sh: no unit below the root" >&2
    exit 1
}
QENC=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$Q")
L="$URL/api/v1/enterprises"
U1="$L?unit_id=$UNIT&sort=-latest_revenue&page=1&page_size=20"
U2="$L?unit_id=$UNIT&sort=-latest_revenue&page=500&page_size=20"
U3="$L?q=$QENC&page=1&page_size=20"

# check NAME URL: one request, prints status, time, total and first name.
check() {
    curl -s -o "$T/one.json" -w '%{http_code} %{time_total}' \
        -H "Cookie: $COOKIE" "$2" >"$T/one.meta"
    python3 -c '
import json, sys
meta = open(sys.argv[2]).read().split()
d = json.load(open(sys.argv[1]))
it = d.get("items") or [{}]
print("  %-36s HTTP %s, %.1f ms, total %s%s, %d rows, first: %s" % (
    sys.argv[3], meta[0], float(meta[1]) * 1000, d.get("total"),
    "" if d.get("total_exact", True) else "+", len(d.get("items") or []),
    it[0].get("name")))' "$T/one.json" "$T/one.meta" "$1"
}

# cpu_ticks: the server's user + system CPU so far, in clock ticks
cpu_ticks() {
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$KC_PID/stat"
}

bench() {
    name=$1
    url=$2
    t0=$(cpu_ticks)
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" \
        "$url" >"$T/wrk.out" 2>&1
    t1=$(cpu_ticks)
    nreq=$(awk '/requests in/ {print $1}' "$T/wrk.out")
    # the server's CPU per request (user + system, all its threads)
    cpu=$(awk -v a="$t0" -v b="$t1" -v n="${nreq:-0}" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { if (n > 0) printf "%.2fms", (b - a) * 1000 / hz / n; else print "?" }')
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")
    p50=$(awk '$1 == "50%" {print $2}' "$T/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$T/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ {sub(/^ +/, ""); printf "%s; ", $0}' "$T/wrk.out")
    printf '%-44s %10s %10s %10s %10s  %s\n' "$name" "${rps:-?}" "${p50:-?}" \
        "${p99:-?}" "$cpu" "$errs"
}

echo "machine: $NPROC CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "database: $DB ($(du -k "$DB" | awk '{printf "%.2f GB", $1 / 1048576}'))"
echo "one request each (cold):"
check "unit + revenue sort, page 1" "$U1"
check "unit + revenue sort, page 500" "$U2"
check "name search '$Q'" "$U3"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t2 -c$CONNS -d${DURATION}s --latency; kechuang --threads $NPROC"
printf '%-44s %10s %10s %10s %10s\n' target requests/s p50 p99 cpu/req
bench "unit $UNIT + sort -latest_revenue, page 1" "$U1"
bench "unit $UNIT + sort -latest_revenue, page 500" "$U2"
bench "q=$Q (2 characters), page 1" "$U3"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
