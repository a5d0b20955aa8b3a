#!/bin/sh
# run.sh - PostgreSQL beside SQLite: the enterprise list (GET
# /api/v1/enterprises) on the same library on both backends, and one vs
# two app servers on one PostgreSQL database behind nginx (round robin).
# Not part of `make check`.
#
#   sh bench/pg/run.sh                  # N = 100000 enterprises
#   N=1000000 DURATION=20 sh bench/pg/run.sh
#
# The library is made once on SQLite (`kechuang demo --enterprises $N
# --seed 1`, kept in $BENCH_DIR, default $BUILD/bench-pg) and copied to a
# PostgreSQL database with `kechuang migrate --to` on a throwaway cluster
# (tests/scripts/lib/pg.sh: initdb in a temp dir, Unix socket only; its
# settings are printed). Each server runs with --threads $(nproc) and an
# administrator "bench" session; wrk -t2 -c$CONNS -d${DURATION}s --latency
# runs against:
#   1. one 街道 (unit filter) sorted by revenue, descending, page 1;
#   2. a 2-character name search (Q, default 华泰), page 1;
# first on SQLite, then on PostgreSQL, then target 1 through nginx in front
# of one PostgreSQL instance and in front of two (nginx only when
# installed). Prints requests/s, p50 and p99 side by side. Before the
# servers, a cold screening on each backend: `kechuang snapshot screen
# --ruleset sme-2017 --ruleset hnte-2016` with an empty data directory (the
# columnar snapshot built from the database first) and the two rule sets'
# stored results deleted, wall time.
#
# SRC_DB=/path/lib.db: start from a copy of that library (cp
# --reflink=auto; the original is never written) instead of making one.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
N=${N:-100000}
Q=${Q:-华泰}
NPROC=$(nproc)
SRC_DB=${SRC_DB:-}
ASOF=${ASOF:-$(date -u -d "@$(($(date +%s) + 8 * 3600))" +%F)} # Beijing date

for t in wrk curl python3 psql; do
    command -v $t >/dev/null 2>&1 || {
        echo "run.sh: $t is required" >&2
        exit 1
    }
done
[ -x "$BIN" ] || make BUILD="$BUILD" WEB_UI=0 "$BIN" >/dev/null || exit 1
. tests/scripts/lib/pg.sh

T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-pg.XXXXXX") || exit 1
chmod 755 "$T"
PIDS=""
NGINX_PID=""
cleanup() {
    for p in $PIDS $NGINX_PID; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    pg_stop
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# --- the library on SQLite --------------------------------------------------
BENCH_DIR=${BENCH_DIR:-$BUILD/bench-pg}
mkdir -p "$BENCH_DIR" || exit 1
DB=$BENCH_DIR/ent$N.db
PASS="Kc$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
if [ ! -f "$DB.done" ] && [ -n "$SRC_DB" ]; then
    rm -f "$DB" "$DB-wal" "$DB-shm"
    echo "copying the library $SRC_DB"
    cp --reflink=auto "$SRC_DB" "$DB" || exit 1
    touch "$DB.done"
fi
if [ ! -f "$DB.done" ]; then
    rm -f "$DB" "$DB-wal" "$DB-shm"
    echo "making the library: $N enterprises, seed 1"
    "$BIN" --db "$DB" init >"$T/init.out" 2>&1 || {
        cat "$T/init.out" >&2
        exit 1
    }
    /usr/bin/env time -f '%e s' "$BIN" --db "$DB" demo --enterprises "$N" \
        --seed 1 --quiet >"$T/demo.out" 2>"$T/demo.err" || {
        tail -n 5 "$T/demo.err" >&2
        exit 1
    }
    echo "demo: $(tail -n 1 "$T/demo.err")"
    touch "$DB.done"
fi
"$BIN" --db "$DB" init >"$T/init.out" 2>&1 || exit 1
if "$BIN" --db "$DB" user list --format csv 2>/dev/null | grep -q '^[0-9]*,bench,'; then
    printf '%s\n' "$PASS" | "$BIN" --db "$DB" user passwd bench >/dev/null 2>&1
else
    printf '%s\n' "$PASS" | "$BIN" --db "$DB" user add bench --role admin \
        --unit 1 --name 压测 >/dev/null 2>&1
fi

# --- the same library on PostgreSQL -----------------------------------------
pg_start || {
    echo "run.sh: cannot start a PostgreSQL cluster (is postgresql installed?)" >&2
    exit 1
}
# pg.sh's test cluster runs with fsync off; here the server's defaults
# (durable), more connections (each app server opens one per worker
# thread), and PG_OPTS for more settings (e.g. "-c shared_buffers=1GB")
pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' \
-p $PG_PORT -c max_connections=400 ${PG_OPTS:-}" restart >/dev/null || exit 1
psql "$KC_TEST_PG" -qc "CREATE DATABASE kc_bench TEMPLATE template0" || exit 1
PG=$(printf '%s' "$KC_TEST_PG" |
    sed "s|^\(postgres[a-z]*://[^/]*\)/[^?]*|\1/kc_bench|")
/usr/bin/env time -f '%e s' "$BIN" --db "$DB" migrate --to "$PG" \
    >"$T/mig.out" 2>"$T/mig.err" || {
    tail -n 20 "$T/mig.out" "$T/mig.err" >&2
    exit 1
}
echo "copied to PostgreSQL with kechuang migrate: $(tail -n 1 "$T/mig.err")"
psql "$PG" -qc "VACUUM ANALYZE" >/dev/null

# --- servers and requests ---------------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# serve LOCATION DATA_DIR: start a server, URL in SURL, pid added to PIDS
serve() {
    port=$(free_port)
    mkdir -p "$2"
    "$BIN" --db "$1" --data-dir "$2" serve --listen "127.0.0.1:$port" \
        --threads "$NPROC" >>"$T/kc.out" 2>>"$T/kc.err" &
    PIDS="$PIDS $!"
    SURL="http://127.0.0.1:$port"
    i=0
    until curl -s -o /dev/null --max-time 1 "$SURL/api/v1/healthz"; do
        i=$((i + 1))
        [ $i -lt 100 ] || {
            echo "run.sh: the server does not answer" >&2
            tail "$T/kc.err" >&2
            exit 1
        }
        sleep 0.1
    done
}
stop_all() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    PIDS=""
}
# login URL: session cookie into COOKIE
login() {
    printf '{"username":"bench","password":"%s"}' "$PASS" >"$T/login.json"
    curl -s -D "$T/login.h" -o /dev/null -H 'Content-Type: application/json' \
        --data-binary @"$T/login.json" "$1/api/v1/session"
    COOKIE=$(grep -i '^Set-Cookie:' "$T/login.h" | sed 's/^[^:]*: *//; s/;.*//' |
        tr -d '\r')
    [ -n "$COOKIE" ] || {
        echo "run.sh: login failed" >&2
        exit 1
    }
}
unit_of() {
    curl -s -H "Cookie: $COOKIE" "$1/api/v1/org-units" >"$T/units.json"
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
items = d.get("items", d) if isinstance(d, dict) else d
pick = [u for u in items if u.get("name") == "大王庄街道"] or \
       [u for u in items if u.get("parent_id")]
print(pick[0]["id"] if pick else "")' "$T/units.json"
}
QENC=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$Q")
check() {
    curl -s -o "$T/one.json" -w '%{http_code} %{time_total}' \
        -H "Cookie: $COOKIE" "$2" >"$T/one.meta"
    python3 -c '
import json, sys
meta = open(sys.argv[2]).read().split()
d = json.load(open(sys.argv[1]))
it = d.get("items") or [{}]
print("  %-40s HTTP %s, %.1f ms, total %s, first: %s" % (sys.argv[3],
    meta[0], float(meta[1]) * 1000, d.get("total"), it[0].get("name")))' \
        "$T/one.json" "$T/one.meta" "$1"
}
bench() {
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" \
        "$2" >"$T/wrk.out" 2>&1
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")
    p50=$(awk '$1 == "50%" {print $2}' "$T/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$T/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ {sub(/^ +/, ""); printf "%s; ", $0}' "$T/wrk.out")
    printf '%-48s %10s %10s %10s  %s\n' "$1" "${rps:-?}" "${p50:-?}" \
        "${p99:-?}" "$errs"
}

echo "machine: $NPROC CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "PostgreSQL: $("$PG_BIN/postgres" --version | sed 's/.*) //')," \
    "$(psql "$PG" -tAc "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size', 'max_connections', 'fsync', 'synchronous_commit', 'full_page_writes', 'jit')")"
echo "SQLite: $(sqlite3 --version 2>/dev/null | cut -d' ' -f1) (library), $DB ($(du -k "$DB" | awk '{printf "%.2f GB", $1 / 1048576}'))"
echo "PostgreSQL database size: $(psql "$PG" -tAc "SELECT pg_size_pretty(pg_database_size('kc_bench'))")"
echo "wrk -t2 -c$CONNS -d${DURATION}s --latency; kechuang --threads $NPROC; N = $N"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- cold screening: sme-2017 + hnte-2016, snapshot built first ------------
CLEAR="DELETE FROM decision_cols WHERE ruleset IN ('sme-2017', 'hnte-2016');
DELETE FROM decision_sets WHERE ruleset IN ('sme-2017', 'hnte-2016');
DELETE FROM decision_runs WHERE ruleset IN ('sme-2017', 'hnte-2016');"
printf '%-48s %10s\n' "cold screening, as of $ASOF" "wall time"
for backend in sqlite postgresql; do
    if [ $backend = sqlite ]; then
        loc=$DB
        sqlite3 "$DB" "$CLEAR" || exit 1
    else
        loc=$PG
        psql "$PG" -qc "$CLEAR" >/dev/null || exit 1
    fi
    rm -rf "$T/cold-$backend.d"
    mkdir -p "$T/cold-$backend.d"
    /usr/bin/env time -f '%e s' -o "$T/cold.time" "$BIN" --db "$loc" \
        --data-dir "$T/cold-$backend.d" snapshot screen --as-of "$ASOF" \
        --ruleset sme-2017 --ruleset hnte-2016 >"$T/cold.out" 2>&1 || {
        tail -n 5 "$T/cold.out" >&2
        exit 1
    }
    printf '%-48s %10s  %s\n' "$backend: sme-2017 + hnte-2016" \
        "$(tail -n 1 "$T/cold.time")" "$(tail -n 1 "$T/cold.out")"
done

for backend in sqlite postgresql; do
    if [ $backend = sqlite ]; then loc=$DB; else loc=$PG; fi
    serve "$loc" "$T/$backend.d"
    URL=$SURL
    login "$URL"
    UNIT=$(unit_of "$URL")
    U1="$URL/api/v1/enterprises?unit_id=$UNIT&sort=-latest_revenue&page=1&page_size=20"
    U3="$URL/api/v1/enterprises?q=$QENC&page=1&page_size=20"
    echo "$backend, one request each (cold):"
    check "unit + revenue sort, page 1" "$U1"
    check "name search '$Q'" "$U3"
    printf '%-48s %10s %10s %10s\n' target requests/s p50 p99
    bench "$backend: unit $UNIT + sort -latest_revenue" "$U1"
    bench "$backend: q=$Q (2 characters)" "$U3"
    stop_all
done

# --- one vs two instances on PostgreSQL, behind nginx -----------------------
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null)
if [ -z "$NGINX" ]; then
    echo "nginx not installed: one vs two instances not measured"
    exit 0
fi
# conf PORT UPSTREAM...: a round-robin nginx on PORT in front of UPSTREAMs
conf() {
    port=$1
    shift
    {
        echo "worker_processes 1; pid $T/nginx.pid; error_log $T/nginx.err;"
        echo "daemon off; events { worker_connections 1024; }"
        echo "http { access_log off; upstream kc {"
        for u in "$@"; do echo "server $u; "; done
        echo "keepalive 32; }"
        echo "client_body_temp_path $T/nb; proxy_temp_path $T/np;"
        echo "fastcgi_temp_path $T/nf; uwsgi_temp_path $T/nu; scgi_temp_path $T/ns;"
        echo "server { listen 127.0.0.1:$port; location / { proxy_pass http://kc;"
        echo "proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }"
    } >"$T/nginx.conf"
}
for n in 1 2; do
    ups=""
    k=1
    while [ $k -le $n ]; do
        serve "$PG" "$T/pg$k.d"
        ups="$ups ${SURL#http://}"
        k=$((k + 1))
    done
    NPORT=$(free_port)
    conf "$NPORT" $ups
    "$NGINX" -p "$T" -c "$T/nginx.conf" >"$T/nginx.out" 2>&1 &
    NGINX_PID=$!
    i=0
    until curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NPORT/api/v1/healthz"; do
        i=$((i + 1))
        [ $i -lt 50 ] || {
            echo "run.sh: nginx does not answer" >&2
            cat "$T/nginx.err" "$T/nginx.out" >&2
            exit 1
        }
        sleep 0.1
    done
    URL=http://127.0.0.1:$NPORT
    login "$URL"
    UNIT=$(unit_of "$URL")
    bench "nginx + $n PostgreSQL instance(s): unit $UNIT + sort" \
        "$URL/api/v1/enterprises?unit_id=$UNIT&sort=-latest_revenue&page=1&page_size=20"
    kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    NGINX_PID=""
    stop_all
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
