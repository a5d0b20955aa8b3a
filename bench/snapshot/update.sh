#!/bin/sh
# update.sh - the library snapshot: a full build against an incremental
# update after an edit of one enterprise (a one-row figures import) and
# after a 1,000-row figures import (docs/internals/batch.md, "Incremental
# update"). Three runs of each; wall and CPU times by /usr/bin/time.
#
#   BIN=build/kechuang DB=/tmp/kc-snap-100k.db sh bench/snapshot/update.sh
#
# DB is made (kechuang demo --enterprises $N --seed 1) when it does not
# exist; the runs write figures into it.
set -e
BIN=${BIN:-build/kechuang}
DB=${DB:-/tmp/kc-snap-100k.db}
N=${N:-100000}
D=${AS_OF:-2026-06-30}
W=$(mktemp -d /tmp/kc_snapbench_XXXXXX)
trap 'rm -rf "$W"' EXIT
if [ ! -f "$DB" ]; then
    "$BIN" --db "$DB" init >/dev/null 2>&1
    "$BIN" --db "$DB" demo --enterprises "$N" --seed 1 --quiet
fi
T="/usr/bin/time -f wall_%e_s_cpu_%U+%S_s"
echo "load: $(cat /proc/loadavg)"
for i in 1 2 3; do
    echo "== full build $i"
    $T "$BIN" --db "$DB" snapshot build --as-of "$D" 2>&1 | grep -v INFO
done
HEAD="统一社会信用代码,年度,纳税总额（万元）,职工总数"
sqlite3 "$DB" "SELECT uscc FROM enterprises WHERE retired_at IS NULL \
    ORDER BY id LIMIT 1 OFFSET $((N / 20))" >"$W/one.txt"
for i in 1 2 3; do
    { echo "$HEAD"; sed "s/\$/,2025,$((10 + i)),$((20 + i))/" "$W/one.txt"; } \
        >"$W/one.csv"
    "$BIN" --db "$DB" import figures "$W/one.csv" --mode all >/dev/null 2>&1
    echo "== update after one enterprise ($i), load $(cat /proc/loadavg)"
    $T "$BIN" --db "$DB" snapshot update --as-of "$D" 2>&1 | grep -v INFO
done
for i in 1 2 3; do
    sqlite3 "$DB" "SELECT uscc FROM enterprises WHERE retired_at IS NULL \
        AND id % 97 = $i ORDER BY id LIMIT 1000" >"$W/many.txt"
    { echo "$HEAD"; sed "s/\$/,2025,$((30 + i)),$((40 + i))/" "$W/many.txt"; } \
        >"$W/many.csv"
    "$BIN" --db "$DB" import figures "$W/many.csv" --mode all >/dev/null 2>&1
    echo "== update after 1,000 figures rows ($i), load $(cat /proc/loadavg)"
    $T "$BIN" --db "$DB" snapshot update --as-of "$D" 2>&1 | grep -v INFO
done
