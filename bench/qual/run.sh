#!/bin/sh
# run.sh - counts of valid qualifications by kind and unit on a date
# (GET /api/v1/qualifications/counts?date=…&by=unit) at scale, beside the
# same SQL in the sqlite3 CLI. Not part of `make check`.
#
#   sh bench/qual/run.sh                       # 1M enterprises, 200k records
#   ENTERPRISES=100000 QUALS=20000 DURATION=5 sh bench/qual/run.sh
#
# Builds build/kechuang if needed, inits a temporary database, fills it with
# the sqlite3 CLI (16 streets; enterprises spread over them; records of five
# kinds with issue dates over ten years, 3-year validity, every 50th
# revoked; the enterprise search triggers are dropped first so the fill
# takes seconds — the counts query does not read the search tables), then
#   1. kechuang serve (threads = nproc), wrk -t1 -c1 and -t2 -c8 --latency
#      against the counts URL with a session cookie;
#      and the same against the home page (GET /api/v1/workbench: today's
#      to-dos, this month's deadlines, the counts today and a year ago, my
#      tasks, overdue asks — the only API call of the 工作台 page); the
#      server's CPU time (user + system from /proc) per request beside
#      (the server keeps both answers by data version: these are repeat
#      requests); then the CPU of each computed afresh, from UNCACHED (20)
#      `kechuang http` processes less as many for GET /api/v1/session;
#   2. the SQL qual_counts() runs (values written as literals), RUNS times
#      in one sqlite3 CLI process with .timer on: p50 and p99 of "real";
#   3. a published list of IMPORT_ROWS rows (企业名称, 证书编号, 认定日期;
#      names of enterprises spread over the library, so every row is
#      matched by name) through `kechuang import qualifications` (check +
#      apply, the web page's domain calls; every 5th row names the
#      enterprise by a former name, every 10th enterprise has one): wall
#      and CPU time, rows/s, and
#      sqlite3 `.import` of the same CSV into a bare table beside.
#      IMPORT_ONLY=1 runs the fill and this step only; a list longer than
#      50,000 rows (QUAL_IMPORT_MAX_ROWS) is imported as lists of 50,000
#      one after the other, timed together.
# wrk and the servers share the machine's CPUs.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
N=${ENTERPRISES:-1000000}
Q=${QUALS:-200000}
DURATION=${DURATION:-10}
RUNS=${RUNS:-50}
IMPORT_ROWS=${IMPORT_ROWS:-10000}
IMPORT_ONLY=${IMPORT_ONLY:-0}
UNCACHED=${UNCACHED:-20}
DATE=${DATE:-2021-12-31}
NPROC=$(nproc)

sh tools/deps.sh bench || exit 1
for t in wrk curl python3 sqlite3; do
    command -v $t >/dev/null 2>&1 || {
        echo "run.sh: $t is required" >&2
        exit 1
    }
done
if [ ! -x "$BIN" ]; then
    make BUILD="$BUILD" "$BIN" >/dev/null || exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-qual.XXXXXX") || exit 1
KC_PID=""
cleanup() {
    [ -n "$KC_PID" ] && kill "$KC_PID" 2>/dev/null && wait "$KC_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

"$BIN" --db "$T/k.db" init >"$T/init.out" 2>&1 || {
    cat "$T/init.out" >&2
    exit 1
}
PASS=$(grep '密码' "$T/init.out" | head -n 1 | sed 's/.*[：:][[:space:]]*//' |
    awk '{print $NF}')

t0=$(date +%s)
sqlite3 "$T/k.db" <<SQL || exit 1
DROP TRIGGER IF EXISTS enterprises_fts_ai;
DROP TRIGGER IF EXISTS enterprises_grams_ai;
DROP TRIGGER IF EXISTS enterprise_names_fts_ai;
DROP TRIGGER IF EXISTS enterprise_names_grams_ai;
BEGIN;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 16)
INSERT INTO org_units (id, parent_id, name, kind, path, created_at, updated_at)
SELECT 100 + i, 1, '街道' || i, 'subdistrict', '/1/' || (100 + i) || '/', 'x', 'x' FROM s;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO enterprises (id, uscc, name, unit_id, src_at, created_at, updated_at)
SELECT i, printf('B%017d', i), '企业' || i, 101 + i % 16, 'x', 'x', 'x' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $Q),
r(i, ent, kind, vf) AS (SELECT i, (i * 7919) % $N + 1,
    CASE i % 10 WHEN 0 THEN 'hnte' WHEN 1 THEN 'hnte' WHEN 2 THEN 'hnte'
    WHEN 3 THEN 'sme' WHEN 4 THEN 'sme' WHEN 5 THEN 'sme' WHEN 6 THEN 'sme'
    WHEN 7 THEN 'chuying' WHEN 8 THEN 'zjtx' ELSE 'innovative_sme' END,
    date('2015-01-01', '+' || ((i * 37) % 3650) || ' days') FROM n)
INSERT INTO qualifications (enterprise_id, kind, level, cert_no, issued_on,
    valid_from, valid_to, status, ended_on, end_reason, src_at, created_at,
    updated_at)
SELECT ent, kind, 'national', 'B' || i, vf, vf, date(vf, '+3 years', '-1 day'),
    CASE WHEN i % 50 = 0 THEN 'revoked' ELSE 'valid' END,
    CASE WHEN i % 50 = 0 THEN date(vf, '+200 days') END,
    CASE WHEN i % 50 = 0 THEN '撤销' END, 'x', 'x', 'x' FROM r;
-- a former name (曾用名) for every 10th enterprise, for the list import
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N / 10)
INSERT INTO enterprise_names (enterprise_id, name, created_at)
SELECT 10 * i, '旧名' || i, 'x' FROM n;
COMMIT;
SQL
echo "fill: $N enterprises, $Q records in $(($(date +%s) - t0)) s"

if [ "$IMPORT_ONLY" != 1 ]; then
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" --db "$T/k.db" serve --listen "127.0.0.1:$port" --threads "$NPROC" \
    >"$T/kc.out" 2>"$T/kc.err" &
KC_PID=$!
URL="http://127.0.0.1:$port"
i=0
until curl -s -o /dev/null --max-time 1 "$URL/api/v1/healthz"; do
    i=$((i + 1))
    [ $i -gt 100 ] && {
        echo "run.sh: server does not answer" >&2
        exit 1
    }
    sleep 0.1
done
printf '{"username":"admin","password":"%s"}' "$PASS" >"$T/login.json"
curl -s -D "$T/login.h" -o "$T/login.out" -H 'Content-Type: application/json' \
    --data-binary @"$T/login.json" "$URL/api/v1/session"
COOKIE=$(grep -i '^Set-Cookie:' "$T/login.h" | sed 's/^[^:]*: *//; s/;.*//' |
    tr -d '\r')
CSRF=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$T/login.out")
# the first login must set a new password before anything else
printf '{"old_password":"%s","new_password":"Bench-Qual-2468x"}' "$PASS" >"$T/pw.json"
curl -s -o /dev/null -X PUT -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: application/json' --data-binary @"$T/pw.json" \
    "$URL/api/v1/session/password"
CURL="$URL/api/v1/qualifications/counts?date=$DATE&by=unit"
curl -s -H "Cookie: $COOKIE" "$CURL" >"$T/counts.json"
python3 - "$T/counts.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("answer: " + ", ".join("%s %d" % (i["kind"], i["count"]) for i in d["items"] if i["count"]) + "; %d unit rows" % len(d.get("units", [])))
PY

echo "machine: $NPROC CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
# CPU time (user + system, clock ticks) of the server process so far
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$KC_PID/stat"
}
HZ=$(getconf CLK_TCK)
curl -s -o /dev/null -w 'workbench: HTTP %{http_code}, %{size_download} bytes, one request %{time_total} s\n' \
    -H "Cookie: $COOKIE" "$URL/api/v1/workbench"
printf '%-46s %10s %10s %10s %12s\n' target requests/s p50 p99 "CPU ms/req"
for u in "counts by unit|$CURL" "home page (workbench)|$URL/api/v1/workbench"; do
    name=${u%%|*}
    url=${u#*|}
    for c in "1 1" "2 8"; do
        set -- $c
        c0=$(cpu_ticks)
        wrk -t"$1" -c"$2" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "$url" >"$T/wrk.out" 2>&1
        c1=$(cpu_ticks)
        nreq=$(awk '/requests in/ {print $1}' "$T/wrk.out")
        printf '%-46s %10s %10s %10s %12s\n' "$name, wrk -t$1 -c$2" \
            "$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")" \
            "$(awk '$1 == "50%" {print $2}' "$T/wrk.out")" \
            "$(awk '$1 == "99%" {print $2}' "$T/wrk.out")" \
            "$(awk -v a="$c0" -v b="$c1" -v n="$nreq" -v hz="$HZ" 'BEGIN { if (n > 0) printf "%.1f", (b - a) * 1000 / hz / n; else print "-" }')"
        grep -E 'Non-2xx|Socket errors' "$T/wrk.out"
    done
done
kill "$KC_PID" 2>/dev/null
wait "$KC_PID" 2>/dev/null
KC_PID=""

# The server keeps the counts and the home page by data version, so the
# wrk runs above measure repeat requests. Computed afresh: each
# `kechuang http` process starts with an empty cache; CPU (user + sys) of
# UNCACHED processes for the URL minus as many for GET /api/v1/session
# (process start, open, authentication), per request.
http_cpu() {
    printf 'GET %s HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n\r\n' "$1" "$COOKIE" >"$T/req.txt"
    /usr/bin/time -f '%U %S' -o "$T/http.time" sh -c '
        k=0
        while [ $k -lt "$3" ]; do
            "$0" --db "$1" http <"$2" >/dev/null || exit 1
            k=$((k + 1))
        done' "$BIN" "$T/k.db" "$T/req.txt" "$UNCACHED"
    awk '{print $1 + $2}' "$T/http.time"
}
base_cpu=$(http_cpu /api/v1/session)
for u in "counts by unit|/api/v1/qualifications/counts?date=$DATE&by=unit" \
    "home page (workbench)|/api/v1/workbench"; do
    cpu=$(http_cpu "${u#*|}")
    awk -v n="${u%%|*}" -v a="$cpu" -v b="$base_cpu" -v r="$UNCACHED" 'BEGIN {
        printf "%-46s %10s %10s %10s %12.1f\n", n ", uncached, " r " runs", "-", "-", "-", (a - b) * 1000 / r }'
done

SQL="SELECT c.kind, c.unit_id, o.name, o.path, c.n FROM (SELECT q.kind AS kind, q.unit_id AS unit_id, COUNT(DISTINCT q.enterprise_id) AS n FROM qualifications q WHERE (q.valid_from <= '$DATE' AND (q.valid_to IS NULL OR q.valid_to >= '$DATE') AND (q.ended_on IS NULL OR q.ended_on > '$DATE')) AND (q.ent_retired_on IS NULL OR q.ent_retired_on > '$DATE') GROUP BY q.kind, q.unit_id) c JOIN org_units o ON o.id = c.unit_id WHERE substr(o.path, 1, length('/')) = '/' ORDER BY o.path, c.kind;"
{
    echo ".timer on"
    echo ".output /dev/null"
    k=0
    while [ $k -lt "$RUNS" ]; do
        echo "$SQL"
        k=$((k + 1))
    done
} >"$T/peer.sql"
sqlite3 "$T/k.db" <"$T/peer.sql" >"$T/peer.out" 2>&1
# "Run Time: real R user U sys S": wall-clock, and CPU (user + sys)
awk '/^Run Time:/ {print $4 * 1000}' "$T/peer.out" | sort -n >"$T/peer.ms"
awk '/^Run Time:/ {print ($6 + $8) * 1000}' "$T/peer.out" | sort -n >"$T/peer.cpu"
for f in ms cpu; do
    awk -v runs="$RUNS" -v what="$f" '{v[NR] = $1} END {
        p50 = v[int((NR + 1) * 0.5)]; i99 = int(NR * 0.99 + 0.999); if (i99 > NR) i99 = NR
        printf "%-46s %10s %9.2fms %9.2fms\n", "sqlite3 CLI, same SQL, " runs " runs" (what == "cpu" ? " (CPU)" : ""), "-", p50, v[i99] }' "$T/peer.$f"
done

fi

# published-list import: names of every (N / IMPORT_ROWS)th enterprise,
# in lists of at most 50,000 rows (the import's limit per list)
python3 - "$N" "$IMPORT_ROWS" "$T/list" <<'PY'
import sys
n, rows, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
step = max(1, n // rows)
f = None
for k in range(rows):
    if k % 50000 == 0:
        if f:
            f.close()
        f = open("%s.%d.csv" % (path, k // 50000), "w", encoding="utf-8")
        f.write("企业名称,证书编号,认定日期\n")
    if k % 5 == 4:  # every 5th row by its former name
        name = "旧名%d" % (1 + (k * step // 10) % (n // 10))
    else:
        name = "企业%d" % (1 + (k * step) % n)
    f.write("%s,GR202512%06d,2025-12-01\n" % (name, k + 1))
f.close()
PY
/usr/bin/time -f '%e %U %S %M' -o "$T/imp.time" sh -c '
    for l in "$2"/list.*.csv; do
        "$0" --db "$1" import qualifications "$l" --kind hnte --batch bench ||
            exit 1
    done' "$BIN" "$T/k.db" "$T" >"$T/imp.out" 2>&1 || {
    tail -5 "$T/imp.out" >&2
    exit 1
}
read -r iw iu is irss <"$T/imp.time"
awk -v w="$iw" -v u="$iu" -v s="$is" -v r="$irss" -v n="$IMPORT_ROWS" 'BEGIN {
    printf "%-46s %8.2f s wall %6.2f s CPU %9.0f rows/s (CPU: %.0f) RSS %d MB\n",
        "import qualifications, " n " rows by name", w, u + s, n / w, n / (u + s), r / 1024 }'
grep -E '导入|匹配|写入' "$T/imp.out" | head -6
{
    echo "CREATE TABLE bench_list (name TEXT, cert_no TEXT, issued_on TEXT);"
    for l in "$T"/list.*.csv; do
        echo ".import --csv --skip 1 $l bench_list"
    done
} >"$T/peer_imp.sql"
/usr/bin/time -f '%e %U %S' -o "$T/peer_imp.time" sqlite3 "$T/k.db" \
    <"$T/peer_imp.sql" >/dev/null 2>&1
read -r pw pu ps <"$T/peer_imp.time"
awk -v w="$pw" -v u="$pu" -v s="$ps" -v n="$IMPORT_ROWS" 'BEGIN {
    printf "%-46s %8.2f s wall %6.2f s CPU %9.0f rows/s (CPU: %.0f)\n", "sqlite3 .import of the same CSV (no checks)", w, u + s, n / w, n / (u + s) }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
