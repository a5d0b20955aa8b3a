#!/bin/sh
# run.sh - HTTP throughput of kechuang against nginx serving a static file,
# with wrk on loopback. Not part of `make check`.
#
#   sh bench/http/run.sh            # 20 s per target
#   DURATION=5 sh bench/http/run.sh
#
# Builds build/kechuang if needed (BUILD=dir to use another build), inits a
# temporary database, starts kechuang (threads = nproc) and a private nginx
# (worker_processes auto, access_log off, everything under a temporary
# directory) on free loopback ports, then runs `wrk -t2 -c64 --latency`
# against: nginx serving the healthz JSON as a file, kechuang
# GET /api/v1/healthz, kechuang GET /api/v1/users?page=1 with a session
# cookie, and kechuang healthz again with the access log on. Prints
# requests/s and p99 for each and the kechuang/nginx ratio on healthz.
# Note: the servers and wrk share the same CPUs.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
DURATION=${DURATION:-20}
CONNS=${CONNS:-64}
NPROC=$(nproc)

sh tools/deps.sh bench || exit 1
for t in wrk nginx curl python3; do
    command -v $t >/dev/null 2>&1 || {
        echo "run.sh: $t is required" >&2
        exit 1
    }
done
if [ ! -x "$BIN" ]; then
    make BUILD="$BUILD" "$BIN" >/dev/null || exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench.XXXXXX") || exit 1
KC_PID=""
NG_PID=""
cleanup() {
    [ -n "$KC_PID" ] && kill "$KC_PID" 2>/dev/null && wait "$KC_PID" 2>/dev/null
    [ -n "$NG_PID" ] && kill "$NG_PID" 2>/dev/null && wait "$NG_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_url URL: at most 10 s for URL to answer.
wait_url() {
    i=0
    while [ $i -lt 100 ]; do
        curl -s -o /dev/null --max-time 1 "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "run.sh: $1 does not answer" >&2
    return 1
}

# start_kc [ARGS...]: kechuang on a free port; sets KC_PID and KC_URL.
start_kc() {
    port=$(free_port)
    "$BIN" --db "$T/k.db" serve --listen "127.0.0.1:$port" \
        --threads "$NPROC" "$@" >"$T/kc.out" 2>"$T/kc.err" &
    KC_PID=$!
    KC_URL="http://127.0.0.1:$port"
    wait_url "$KC_URL/api/v1/healthz"
}

stop_kc() {
    kill "$KC_PID" 2>/dev/null
    wait "$KC_PID" 2>/dev/null
    KC_PID=""
}

# bench NAME URL [wrk args...]: one wrk run; prints a row, remembers rps.
RESULTS=$T/results
bench() {
    name=$1
    url=$2
    shift 2
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url" >"$T/wrk.out" 2>&1
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$T/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ {sub(/^ +/, ""); printf "%s; ", $0}' "$T/wrk.out")
    printf '%-44s %12s %10s  %s\n' "$name" "${rps:-?}" "${p99:-?}" "$errs"
    echo "$name $rps" >>"$RESULTS"
}

# --- kechuang ---------------------------------------------------------------
"$BIN" --db "$T/k.db" init >"$T/init.out" 2>&1 || {
    cat "$T/init.out" >&2
    exit 1
}
PASS=$(grep '密码' "$T/init.out" | head -n 1 | sed 's/.*[：:][[:space:]]*//' |
    awk '{print $NF}')
start_kc || exit 1
printf '{"username":"admin","password":"%s"}' "$PASS" >"$T/login.json"
curl -s -D "$T/login.h" -o /dev/null -H 'Content-Type: application/json' \
    --data-binary @"$T/login.json" "$KC_URL/api/v1/session"
COOKIE=$(grep -i '^Set-Cookie:' "$T/login.h" | sed 's/^[^:]*: *//; s/;.*//' |
    tr -d '\r')
[ -n "$COOKIE" ] || {
    echo "run.sh: login failed" >&2
    exit 1
}
curl -s -o "$T/healthz.json" "$KC_URL/api/v1/healthz"

# --- nginx ------------------------------------------------------------------
NPORT=$(free_port)
mkdir -p "$T/www/api/v1" "$T/ngx"
cp "$T/healthz.json" "$T/www/api/v1/healthz"
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user $(id -un) $(id -gn);"
cat >"$T/nginx.conf" <<NGX
$USER_LINE
worker_processes auto;
pid $T/nginx.pid;
error_log $T/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $T/ngx/body;
    proxy_temp_path $T/ngx/proxy;
    fastcgi_temp_path $T/ngx/fastcgi;
    uwsgi_temp_path $T/ngx/uwsgi;
    scgi_temp_path $T/ngx/scgi;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$NPORT;
        root $T/www;
        open_file_cache max=16 inactive=60s;
        open_file_cache_valid 60s;
        default_type application/json;
    }
}
NGX
nginx -e "$T/nginx-error.log" -p "$T" -c "$T/nginx.conf" -g 'daemon off;' &
NG_PID=$!
wait_url "http://127.0.0.1:$NPORT/api/v1/healthz" || exit 1

# --- runs -------------------------------------------------------------------
echo "machine: $NPROC CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "wrk -t2 -c$CONNS -d${DURATION}s --latency; kechuang --threads $NPROC"
printf '%-44s %12s %10s\n' target requests/s p99
bench "nginx static /api/v1/healthz" "http://127.0.0.1:$NPORT/api/v1/healthz"
bench "kechuang GET /api/v1/healthz" "$KC_URL/api/v1/healthz"
bench "kechuang GET /api/v1/users?page=1 (cookie)" \
    "$KC_URL/api/v1/users?page=1" -H "Cookie: $COOKIE"
stop_kc
start_kc --access-log "$T/access.log" || exit 1
bench "kechuang GET /api/v1/healthz + access log" "$KC_URL/api/v1/healthz"
stop_kc

ng=$(awk '$1 == "nginx" {print $NF}' "$RESULTS")
kc=$(awk '/^kechuang GET \/api\/v1\/healthz [0-9]/ {print $NF}' "$RESULTS")
awk -v a="$kc" -v b="$ng" 'BEGIN { if (b > 0) printf "ratio kechuang/nginx on healthz: %.2f\n", a / b }'
