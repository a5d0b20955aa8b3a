#!/bin/sh
# run.sh - every carrier's yearly sheet and the ranking on a district of
# N_ENT enterprises (default 1,000,000), N_CAR carriers (500) and N_TEN
# tenancies (200,000), with 60,000 qualifications, 300,000 IP rights,
# 50,000 financing facts and 100,000 technology contracts sold by tenants;
# side by side with the same grouped
# aggregates run by the sqlite3 CLI. Not part of `make check`.
#
#   sh bench/carrier/run.sh
#   BUILD=build-x N_ENT=100000 N_TEN=20000 RUNS=3 sh bench/carrier/run.sh
#
# The rows are generated with the sqlite3 CLI straight into a database
# made by `kechuang init` (synthetic codes and names; bench only, not
# portable SQL). Then `kechuang serve` answers
#   GET /api/v1/carrier-ranking?year=YEAR   (500 sheets, scores, JSON)
# RUNS times (curl time_total), and the sqlite3 CLI runs the thirteen grouped
# queries of src/domain/carrier/carrier_sheet.c for the same year with
# .timer on (the peer: the aggregates alone, no scoring, no JSON).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
N_ENT=${N_ENT:-1000000}
N_CAR=${N_CAR:-500}
N_TEN=${N_TEN:-200000}
RUNS=${RUNS:-5}
YEAR=${YEAR:-2022}

for t in sqlite3 curl python3; do
    command -v $t >/dev/null 2>&1 || {
        echo "run.sh: $t is required" >&2
        exit 1
    }
done
if [ ! -x "$BIN" ]; then
    make BUILD="$BUILD" WEB_UI=0 "$BIN" >/dev/null || exit 1
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-carrier.XXXXXX") || exit 1
KC_PID=""
cleanup() {
    [ -n "$KC_PID" ] && kill "$KC_PID" 2>/dev/null && wait "$KC_PID" 2>/dev/null
    [ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

DB=$T/k.db
"$BIN" --db "$DB" init >"$T/init.out" 2>&1 || {
    cat "$T/init.out" >&2
    exit 1
}
echo "generating: $N_ENT enterprises, $N_CAR carriers, $N_TEN tenancies"
START=$(date +%s)
sqlite3 "$DB" <<SQL || exit 1
PRAGMA journal_mode = WAL;
.output /dev/null
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N_ENT)
INSERT INTO enterprises (uscc, name, unit_id, src_at, created_at, updated_at)
SELECT printf('B%017d', i), '压测企业' || i, 1, '2024-01-01T00:00:00Z',
       '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N_CAR)
INSERT INTO carriers (name, type, level, recognized_on, operator_name, unit_id,
                      created_at, updated_at)
SELECT '压测载体' || i,
       CASE i % 4 WHEN 0 THEN 'maker_space' WHEN 1 THEN 'incubator'
                  WHEN 2 THEN 'accelerator' ELSE 'student_base' END,
       CASE i % 3 WHEN 0 THEN 'national' WHEN 1 THEN 'municipal' ELSE NULL END,
       CASE i % 3 WHEN 2 THEN NULL ELSE '2017-06-01' END,
       '压测运营机构', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM n;
-- tenant i: enterprise (i * 7919 mod N_ENT) + 1 (distinct), one tenancy each
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N_TEN),
t(i, e, c, d_in, stay) AS (
  SELECT i, (i * 7919) % $N_ENT + 1, i % $N_CAR + 1,
         date('2016-01-01', '+' || ((i * 37) % 2900) || ' days'), 200 + (i * 13) % 1400
  FROM n)
INSERT INTO carrier_tenants (carrier_id, enterprise_id, moved_in, moved_out,
                             out_reason, src_at, created_at, updated_at)
SELECT c, e, d_in,
       CASE WHEN i % 3 = 0 THEN NULL ELSE date(d_in, '+' || stay || ' days') END,
       CASE WHEN i % 3 = 0 THEN NULL WHEN i % 3 = 1 THEN 'graduated' ELSE 'moved' END,
       '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'
FROM t;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
INSERT INTO qualifications (enterprise_id, kind, valid_from, src_at, created_at,
                            updated_at)
SELECT ((i * 3) % $N_TEN * 7919) % $N_ENT + 1,
       CASE i % 3 WHEN 0 THEN 'hnte' WHEN 1 THEN 'sme' ELSE 'chuying' END,
       date('2017-01-01', '+' || ((i * 53) % 2900) || ' days'),
       '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
INSERT INTO ip_rights (enterprise_id, kind, klass, number, title, granted_on,
                       src_at, created_at, updated_at)
SELECT (((i % $N_TEN) + 1) * 7919) % $N_ENT + 1,
       CASE i % 4 WHEN 0 THEN 'invention' ELSE 'utility' END,
       CASE i % 4 WHEN 0 THEN 1 ELSE 2 END, 'ZL' || i, '压测专利',
       date('2016-06-01', '+' || ((i * 29) % 3000) || ' days'),
       '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
INSERT INTO enterprise_facts (enterprise_id, kind, amount, occurred_on, src_at,
                              created_at, updated_at)
SELECT ((i * 4 % $N_TEN + 1) * 7919) % $N_ENT + 1, 'financing',
       (1 + i % 50) * 100000,
       date('2016-06-01', '+' || ((i * 31) % 3000) || ' days'),
       '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO contracts (reg_no, title, type, seller_name, seller_place,
                       seller_ent_id, buyer_name, buyer_place, amount,
                       tech_amount, signed_on, registered_on, status, unit_id,
                       created_at, updated_at)
SELECT printf('BENCH%011d', i), '压测合同', 'KF', '压测卖方', 'district',
       ((i * 2 % $N_TEN + 1) * 7919) % $N_ENT + 1, '压测买方', 'district',
       (1 + i % 40) * 50000, (1 + i % 40) * 50000,
       date('2016-06-01', '+' || ((i * 41) % 3000) || ' days'),
       date('2016-06-01', '+' || ((i * 41) % 3000) || ' days'),
       CASE WHEN i % 20 = 0 THEN 'cancelled' ELSE 'registered' END, 1,
       '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'
FROM n;
COMMIT;
ANALYZE;
SQL
echo "generated in $(($(date +%s) - START)) s"

PASS="Kc-Pw$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASS" | "$BIN" --db "$DB" user add bench --role admin \
    --unit 1 --name 压测 >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$BIN" --db "$DB" serve --listen "127.0.0.1:$PORT" >"$T/kc.out" 2>"$T/kc.err" &
KC_PID=$!
i=0
until curl -s -o /dev/null --max-time 1 "$URL/api/v1/healthz"; do
    i=$((i + 1))
    [ $i -lt 100 ] || {
        echo "run.sh: the server does not answer" >&2
        exit 1
    }
    sleep 0.1
done
printf '{"username":"bench","password":"%s"}' "$PASS" >"$T/login.json"
curl -s -D "$T/login.h" -o /dev/null -H 'Content-Type: application/json' \
    --data-binary @"$T/login.json" "$URL/api/v1/session"
COOKIE=$(grep -i '^Set-Cookie:' "$T/login.h" | sed 's/^[^:]*: *//; s/;.*//' | tr -d '\r')
[ -n "$COOKIE" ] || {
    echo "run.sh: login failed" >&2
    cat "$T/login.h" >&2
    exit 1
}

# CPU seconds (user + system) of the server process, from /proc: the
# machine is shared, so wall time includes waiting for a CPU.
cpu() { awk '{ printf "%d", $14 + $15 }' "/proc/$KC_PID/stat"; }
TCK=$(getconf CLK_TCK)
echo "kechuang GET /api/v1/carrier-ranking?year=$YEAR ($RUNS runs: wall s, server CPU s):"
r=0
while [ $r -lt "$RUNS" ]; do
    c0=$(cpu)
    w=$(curl -s -o "$T/rank.json" -w '%{time_total}' -H "Cookie: $COOKIE" \
        "$URL/api/v1/carrier-ranking?year=$YEAR")
    c1=$(cpu)
    echo "  $w $(awk -v a="$c0" -v b="$c1" -v t="$TCK" 'BEGIN { printf "%.2f", (b - a) / t }')"
    r=$((r + 1))
done
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
if "items" not in d:
    sys.exit("  check: no ranking: %s" % d)
it = d["items"]
print("  check: %d carriers ranked, first %s (%s), %d flagged" % (len(it), it[0]["name"], it[0]["score_text"], d["flagged"]))
' "$T/rank.json"

F="$YEAR-01-01"
L="$YEAR-12-31"
echo "sqlite3 CLI, the thirteen grouped aggregates of carrier_sheet.c (Run Time: real s, user + sys s):"
r=0
while [ $r -lt "$RUNS" ]; do
    sqlite3 "$DB" >"$T/peer.out" <<SQL
.timer on
.output /dev/null
SELECT 'start';
.output stdout
.timer off
.timer on
.output /dev/null
SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants WHERE moved_in <= '$L' AND (moved_out IS NULL OR moved_out > '$F') GROUP BY carrier_id;
SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants WHERE moved_in <= '$L' AND (moved_out IS NULL OR moved_out > '$L') GROUP BY carrier_id;
SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants WHERE moved_in >= '$F' AND moved_in <= '$L' GROUP BY carrier_id;
SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants WHERE moved_out >= '$F' AND moved_out <= '$L' AND out_reason = 'graduated' GROUP BY carrier_id;
SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants WHERE moved_out >= '$F' AND moved_out <= '$L' AND out_reason <> 'graduated' GROUP BY carrier_id;
SELECT t.carrier_id, COUNT(DISTINCT t.enterprise_id) FROM carrier_tenants t JOIN qualifications q ON q.enterprise_id = t.enterprise_id WHERE q.kind = 'hnte' AND q.valid_from >= '$F' AND q.valid_from <= '$L' AND q.valid_from >= t.moved_in AND (t.moved_out IS NULL OR q.valid_from < t.moved_out) GROUP BY t.carrier_id;
SELECT t.carrier_id, COUNT(DISTINCT t.enterprise_id) FROM carrier_tenants t JOIN qualifications q ON q.enterprise_id = t.enterprise_id WHERE q.kind = 'sme' AND q.valid_from >= '$F' AND q.valid_from <= '$L' AND q.valid_from >= t.moved_in AND (t.moved_out IS NULL OR q.valid_from < t.moved_out) GROUP BY t.carrier_id;
SELECT t.carrier_id, COUNT(DISTINCT t.enterprise_id) FROM carrier_tenants t JOIN qualifications q ON q.enterprise_id = t.enterprise_id WHERE q.kind = 'chuying' AND q.valid_from >= '$F' AND q.valid_from <= '$L' AND q.valid_from >= t.moved_in AND (t.moved_out IS NULL OR q.valid_from < t.moved_out) GROUP BY t.carrier_id;
SELECT t.carrier_id, COUNT(DISTINCT i.id) FROM carrier_tenants t JOIN ip_rights i ON i.enterprise_id = t.enterprise_id WHERE i.retired_at IS NULL AND i.granted_on >= '$F' AND i.granted_on <= '$L' AND i.granted_on >= t.moved_in AND (t.moved_out IS NULL OR i.granted_on < t.moved_out) GROUP BY t.carrier_id;
SELECT t.carrier_id, COUNT(DISTINCT i.id) FROM carrier_tenants t JOIN ip_rights i ON i.enterprise_id = t.enterprise_id WHERE i.retired_at IS NULL AND i.klass = 1 AND i.granted_on >= '$F' AND i.granted_on <= '$L' AND i.granted_on >= t.moved_in AND (t.moved_out IS NULL OR i.granted_on < t.moved_out) GROUP BY t.carrier_id;
SELECT t.carrier_id, SUM(f.amount) FROM carrier_tenants t JOIN enterprise_facts f ON f.enterprise_id = t.enterprise_id WHERE f.kind = 'financing' AND f.retired_at IS NULL AND f.amount IS NOT NULL AND f.occurred_on >= '$F' AND f.occurred_on <= '$L' AND f.occurred_on >= t.moved_in AND (t.moved_out IS NULL OR f.occurred_on < t.moved_out) GROUP BY t.carrier_id;
SELECT t.carrier_id, COUNT(DISTINCT k.id) FROM carrier_tenants t JOIN contracts k ON k.seller_ent_id = t.enterprise_id WHERE k.status = 'registered' AND k.registered_on >= '$F' AND k.registered_on <= '$L' AND k.registered_on >= t.moved_in AND (t.moved_out IS NULL OR k.registered_on < t.moved_out) GROUP BY t.carrier_id;
SELECT t.carrier_id, SUM(k.amount) FROM carrier_tenants t JOIN contracts k ON k.seller_ent_id = t.enterprise_id WHERE k.status = 'registered' AND k.registered_on >= '$F' AND k.registered_on <= '$L' AND k.registered_on >= t.moved_in AND (t.moved_out IS NULL OR k.registered_on < t.moved_out) GROUP BY t.carrier_id;
SQL
    grep 'Run Time' "$T/peer.out" | tail -n +2 |
        awk '{ s += $4; c += $6 + $8 } END { printf "  %.3f %.3f\n", s, c }'
    r=$((r + 1))
done
