#!/bin/sh
# run.sh - time of computing every indicator of a plan (district figures
# and per-unit figures) on a library of N enterprises with Q
# qualifications and C technology contracts, side by side with the same
# counts as SQL in the sqlite3 CLI. Not part of `make check`.
#
#   sh bench/plan/run.sh                    # N=1000000 (~25 min to make)
#   N=100000 sh bench/plan/run.sh
#
# Makes $BUILD/bench-plan/plan-$N.db with `kechuang demo --enterprises $N`
# (which creates the 河东 plan), adds one 高企 / 科小 recognition to every
# fifth enterprise (Q = N/5, spread over 2019-2022) and C = N/2 registered
# technology contracts (2019-2022, sellers spread over the library) with
# sqlite3, then
#   1. `kechuang report quarter --format json` 5 times: median wall time and
#      the CPU time (user + system) of each run;
#   2. `kechuang serve`: the plan dashboard's figures
#      (GET /api/v1/plans/1/figures?date=...) — the first request computes
#      them (wall and server CPU time), then wrk -t2 -c8 for DURATION s on
#      the cached answer (p50, p99);
#   3. the sqlite3 CLI: the district counts of the four qualification
#      indicators, the patents and the contracts' 成交额 from the registers,
#      then the same figures from the kept counts (plan_counts, migration
#      026) the way kechuang reads them.
# Prints the load average: on a shared machine compare CPU times.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
N=${N:-1000000}
C=${C:-$((N / 2))}
DURATION=${DURATION:-10}
DATE=${DATE:-2022-09-30}
DIR=$BUILD/bench-plan
DB=$DIR/plan-$N.db
mkdir -p "$DIR"
[ -x "$BIN" ] || make -s WEB_UI=0 "$BIN" || exit 1
command -v sqlite3 >/dev/null || { echo "需要 sqlite3" >&2; exit 1; }

for t in sqlite3 curl python3 wrk; do
    command -v $t >/dev/null || { echo "需要 $t（sh tools/deps.sh bench）" >&2; exit 1; }
done

if [ ! -f "$DB" ]; then
    "$BIN" --db "$DB" init >"$DB.init" || exit 1
    "$BIN" --db "$DB" demo --enterprises "$N" --seed 1 >/dev/null || exit 1
fi
# the bench's own rows, once (a library made by hand with init + demo, its
# init output in $DB.init, is filled the same way)
if [ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM contracts WHERE reg_no LIKE 'B%'")" = 0 ]; then
    sqlite3 "$DB" "INSERT INTO qualifications (enterprise_id, kind, year,
        valid_from, valid_to, src_kind, src_at, created_at, updated_at)
        SELECT id, CASE WHEN id % 10 = 0 THEN 'hnte' ELSE 'sme' END,
               2019 + id % 4,
               printf('%04d-%02d-01', 2019 + id % 4, 1 + id % 12),
               printf('%04d-%02d-28', 2022 + id % 4, 1 + id % 12),
               'demo', 'x', 'x', 'x'
        FROM enterprises WHERE id % 5 = 0 AND id > 400;" || exit 1
    # C registered contracts: seller = an enterprise of the library (its
    # unit), 2019-2022, 1-500 万, every 20th cancelled
    sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1
        FROM n WHERE i < $C)
        INSERT INTO contracts (reg_no, title, type, seller_uscc, seller_name,
            seller_place, seller_ent_id, buyer_name, buyer_place, amount,
            tech_amount, signed_on, registered_on, status, unit_id,
            src_kind, created_at, updated_at)
        SELECT printf('B%09d', n.i), '压测合同' || n.i, 'KF', e.uscc, e.name,
               'district', e.id, '某买方', 'tianjin',
               10000 * (100 + n.i % 4900), 10000 * (50 + n.i % 2000),
               printf('%04d-%02d-%02d', 2019 + n.i % 4, 1 + n.i % 12,
                      1 + n.i % 27),
               printf('%04d-%02d-%02d', 2019 + n.i % 4, 1 + n.i % 12,
                      2 + n.i % 27),
               CASE WHEN n.i % 20 = 0 THEN 'cancelled' ELSE 'registered' END,
               e.unit_id, 'import', 'x', 'x'
        FROM n JOIN enterprises e ON e.id = 1 + (n.i * 7919) % $N;" || exit 1
fi
PASS=$(grep '密码' "$DB.init" | head -n 1 | sed 's/.*[：:][[:space:]]*//' |
    awk '{print $NF}')
Q=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM qualifications')
NC=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM contracts')
echo "企业 $N 家，资质 $Q 条，技术合同 $NC 条；load average $(cut -d' ' -f1-3 /proc/loadavg)"

times=""
cpus=""
for i in 1 2 3 4 5; do
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$DIR/time.out" "$BIN" --db "$DB" report \
        quarter --plan 1 --quarter 2022Q3 --format json \
        >"$DIR/report.json" || exit 1
    t1=$(date +%s%N)
    times="$times $(( (t1 - t0) / 1000000 ))"
    cpus="$cpus $(awk '{printf "%d", ($1 + $2) * 1000}' "$DIR/time.out")"
done
med=$(echo $times | tr ' ' '\n' | sort -n | sed -n 3p)
echo "kechuang report quarter（全部指标，全区与分解单位）：中位数 ${med} ms（5 次墙钟：$times ms；CPU：$cpus ms）"

# the dashboard through the API: first request computes, then cached
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" --db "$DB" serve --listen "127.0.0.1:$port" >"$DIR/kc.out" 2>"$DIR/kc.err" &
KC_PID=$!
trap 'kill $KC_PID 2>/dev/null' EXIT
URL="http://127.0.0.1:$port"
i=0
until curl -s -o /dev/null --max-time 1 "$URL/api/v1/healthz"; do
    i=$((i + 1))
    [ $i -gt 300 ] && { echo "run.sh: server does not answer" >&2; exit 1; }
    sleep 0.1
done
login() {
    printf '{"username":"admin","password":"%s"}' "$1" >"$DIR/login.json"
    curl -s -D "$DIR/login.h" -o "$DIR/login.out" \
        -H 'Content-Type: application/json' \
        --data-binary @"$DIR/login.json" "$URL/api/v1/session"
    COOKIE=$(grep -i '^Set-Cookie:' "$DIR/login.h" | sed 's/^[^:]*: *//; s/;.*//' | tr -d '\r')
    CSRF=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("csrf_token", ""))' "$DIR/login.out" 2>/dev/null)
}
NEWPW=Bench-Plan-2468x
login "$NEWPW"
if [ -z "$CSRF" ]; then
    # the first login must set a new password before anything else
    login "$PASS"
    printf '{"old_password":"%s","new_password":"%s"}' "$PASS" "$NEWPW" >"$DIR/pw.json"
    curl -s -o /dev/null -X PUT -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" \
        -H 'Content-Type: application/json' --data-binary @"$DIR/pw.json" \
        "$URL/api/v1/session/password"
fi
cpu_ticks() { awk '{print $14 + $15}' "/proc/$KC_PID/stat"; }
HZ=$(getconf CLK_TCK)
FURL="$URL/api/v1/plans/1/figures?date=$DATE"
c0=$(cpu_ticks)
curl -s -o "$DIR/figures.json" -w '%{http_code} %{time_total}\n' \
    -H "Cookie: $COOKIE" "$FURL" >"$DIR/first.out"
c1=$(cpu_ticks)
echo "仪表盘指标（首次，计算）：HTTP $(cut -d' ' -f1 "$DIR/first.out")，墙钟 $(cut -d' ' -f2 "$DIR/first.out") s，服务端 CPU $(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }') s"
wrk -t2 -c8 -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "$FURL" >"$DIR/wrk.out" 2>&1
echo "仪表盘指标（已计算，wrk -t2 -c8 ${DURATION}s）：$(awk '/^Requests\/sec:/ {print $2}' "$DIR/wrk.out") 次/秒，p50 $(awk '$1 == "50%" {print $2}' "$DIR/wrk.out")，p99 $(awk '$1 == "99%" {print $2}' "$DIR/wrk.out")"
grep -E 'Non-2xx|Socket errors' "$DIR/wrk.out"
kill "$KC_PID" 2>/dev/null
wait "$KC_PID" 2>/dev/null
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "sqlite3 同口径计数："
sqlite3 "$DB" <<'SQL'
.timer on
SELECT kind, COUNT(DISTINCT q.enterprise_id) FROM qualifications q
  JOIN enterprises en ON en.id = q.enterprise_id
  WHERE q.kind IN ('hnte', 'chuying', 'dengling', 'lingjun')
    AND q.valid_from <= '2022-09-30'
    AND (q.valid_to IS NULL OR q.valid_to >= '2022-09-30')
    AND (q.ended_on IS NULL OR q.ended_on > '2022-09-30')
    AND en.retired_at IS NULL
  GROUP BY kind;
SELECT COUNT(*) FROM ip_rights r JOIN enterprises en ON en.id = r.enterprise_id
  WHERE r.kind = 'invention' AND r.retired_at IS NULL AND r.status = 'valid'
    AND r.granted_on <= '2022-09-30'
    AND (r.expires_on IS NULL OR r.expires_on >= '2022-09-30')
    AND en.retired_at IS NULL;
SELECT COALESCE(SUM(c.amount), 0), COUNT(*) FROM contracts c
  JOIN org_units o ON o.id = c.unit_id
  WHERE c.status = 'registered' AND o.path LIKE '/%'
    AND c.registered_on >= '2022-01-01' AND c.registered_on <= '2022-09-30';
SQL
echo "sqlite3 同口径计数（维护的计数表 plan_counts）："
sqlite3 "$DB" <<'SQL'
.timer on
SELECT kind, SUM(n) FROM plan_counts
  WHERE src = 'qual' AND kind IN ('hnte', 'chuying', 'dengling', 'lingjun')
    AND k <= 20220930 * 2
  GROUP BY kind;
SELECT SUM(n) FROM plan_counts WHERE src = 'ip_invention' AND kind = ''
    AND k <= 20220930 * 2;
SELECT SUM(n) FROM plan_counts WHERE src = 'contract_amount' AND kind = ''
    AND k >= 20220101 * 2 AND k <= 20220930 * 2;
SQL
