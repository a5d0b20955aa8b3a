#!/bin/sh
# run.sh - time of computing every indicator of a plan (district figures
# and per-unit figures, `kechuang report quarter --format json`) on a
# library of N enterprises with Q qualifications, side by side with the
# same counts as SQL in the sqlite3 CLI. Not part of `make check`.
#
#   sh bench/plan/run.sh                    # N=1000000 (~5 min to make)
#   N=100000 sh bench/plan/run.sh
#
# Makes $BUILD/bench-plan/plan.db with `kechuang demo --enterprises $N`
# (which creates the 河东 plan), adds one 高企 / 科小 recognition to every
# fifth enterprise (Q = N/5, spread over 2019-2022) with sqlite3, then runs
# the report 5 times and prints the median, and the sqlite3 timing of the
# district counts of the four qualification indicators and the patents.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BIN=$BUILD/kechuang
N=${N:-1000000}
DIR=$BUILD/bench-plan
DB=$DIR/plan-$N.db
mkdir -p "$DIR"
[ -x "$BIN" ] || make -s WEB_UI=0 "$BIN" || exit 1
command -v sqlite3 >/dev/null || { echo "需要 sqlite3" >&2; exit 1; }

if [ ! -f "$DB" ]; then
    "$BIN" --db "$DB" init >/dev/null || exit 1
    "$BIN" --db "$DB" demo --enterprises "$N" --seed 1 >/dev/null || exit 1
    sqlite3 "$DB" "INSERT INTO qualifications (enterprise_id, kind, year,
        valid_from, valid_to, src_kind, src_at, created_at, updated_at)
        SELECT id, CASE WHEN id % 10 = 0 THEN 'hnte' ELSE 'sme' END,
               2019 + id % 4,
               printf('%04d-%02d-01', 2019 + id % 4, 1 + id % 12),
               printf('%04d-%02d-28', 2022 + id % 4, 1 + id % 12),
               'demo', 'x', 'x', 'x'
        FROM enterprises WHERE id % 5 = 0 AND id > 400;" || exit 1
fi
Q=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM qualifications')
echo "企业 $N 家，资质 $Q 条"

times=""
for i in 1 2 3 4 5; do
    t0=$(date +%s%N)
    "$BIN" --db "$DB" report quarter --plan 1 --quarter 2022Q3 --format json \
        >"$DIR/report.json" || exit 1
    t1=$(date +%s%N)
    times="$times $(( (t1 - t0) / 1000000 ))"
done
med=$(echo $times | tr ' ' '\n' | sort -n | sed -n 3p)
echo "kechuang report quarter（全部指标，全区与分解单位）：中位数 ${med} ms（5 次：$times）"

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
SQL
