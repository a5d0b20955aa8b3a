#!/bin/sh
# run.sh - import throughput and peak memory of `kechuang import` on the
# three enterprise-library tables, with sqlite3 .import of the same files
# as the peer. Not part of `make check`.
#
#   sh bench/import/run.sh                    # makes a library (N = 1000000)
#   sh bench/import/run.sh /path/to/lib.db    # exports from a copy of it
#   BUILD=build-x N=10000 sh bench/import/run.sh
#
# Exports enterprises, figures and ip (GBK CSV) with `kechuang export`,
# then imports each file into a fresh `kechuang init` database under
# /usr/bin/time -v (seconds, peak RSS). The sqlite3 peer: iconv GBK ->
# UTF-8 (timed separately), then `.import` into a plain staging table of a
# fresh `kechuang init` database. It does no validation and does not map
# the template columns into the real tables (an INSERT ... SELECT per
# table is still to be written), so its figure is a lower bound of cost.
# The DuckDB peer is not written yet.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/kechuang
N=${N:-1000000}

sh tools/deps.sh bench || exit 1
for t in sqlite3 iconv /usr/bin/time; do
    command -v $t >/dev/null 2>&1 || {
        echo "run.sh: $t is required" >&2
        exit 1
    }
done
[ -x "$BIN" ] || make BUILD="$BUILD" "$BIN" >/dev/null || exit 1

T=$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-import.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

if [ $# -ge 1 ]; then
    cp "$1" "$T/src.db" || exit 1
    "$BIN" --db "$T/src.db" init >/dev/null 2>&1 || exit 1
else
    "$BIN" --db "$T/src.db" init >/dev/null 2>&1 || exit 1
    "$BIN" --db "$T/src.db" demo --enterprises "$N" --seed 1 >/dev/null || exit 1
fi

# timed CMD...: runs CMD under time -v, prints "seconds peak_kb"
timed() {
    /usr/bin/time -v -o "$T/time.txt" "$@" >"$T/out.txt" 2>&1 || {
        echo "run.sh: failed: $*" >&2
        cat "$T/out.txt" >&2
        return 1
    }
    awk -F': ' '/Elapsed \(wall clock\)/ {
            n = split($2, p, ":"); s = 0
            for (i = 1; i <= n; i++) s = s * 60 + p[i]
        }
        /Maximum resident set size/ { kb = $2 }
        END { printf "%.2f %d\n", s, kb }' "$T/time.txt"
}

# fresh DB: `kechuang init` plus the source library's units (the import
# resolves 所属单位 by name)
fresh() {
    rm -f "$1"
    "$BIN" --db "$1" init >/dev/null 2>&1 || return 1
    sqlite3 "$1" "ATTACH '$T/src.db' AS s;
        INSERT OR IGNORE INTO org_units SELECT * FROM s.org_units;" || return 1
}

printf '%-10s %-12s %9s %8s %10s %9s %7s\n' kind tool rows seconds rows/s peakMB ratio
for kind in enterprises figures ip; do
    "$BIN" --db "$T/src.db" export $kind --encoding gbk -o "$T/$kind.csv" \
        >/dev/null || exit 1
    rows=$(($(wc -l <"$T/$kind.csv") - 1))

    fresh "$T/k.db" || exit 1
    if [ $kind != enterprises ]; then
        # figures and IP rows refer to enterprises: load those first
        "$BIN" --db "$T/k.db" import enterprises "$T/enterprises.csv" 2>/dev/null \
            >/dev/null || exit 1
    fi
    set -- $(timed "$BIN" --db "$T/k.db" import $kind "$T/$kind.csv") || exit 1
    ks=$1 kkb=$2

    set -- $(timed iconv -f GBK -t UTF-8 -o "$T/$kind.u8.csv" "$T/$kind.csv") \
        || exit 1
    is=$1
    fresh "$T/s.db" || exit 1
    set -- $(timed sqlite3 "$T/s.db" ".mode csv" \
        ".import $T/$kind.u8.csv stage_$kind") || exit 1
    ss=$1 skb=$2
    got=$(sqlite3 "$T/s.db" "SELECT count(*) FROM stage_$kind")
    [ "$got" = "$rows" ] || echo "run.sh: sqlite3 $kind rows $got != $rows" >&2

    awk -v k=$kind -v r=$rows -v ks=$ks -v kkb=$kkb -v ss=$ss -v skb=$skb \
        -v is=$is 'BEGIN {
        krs = ks > 0 ? r / ks : 0; srs = ss > 0 ? r / ss : 0
        printf "%-10s %-12s %9d %8.2f %10.0f %9.1f %7.2f\n", k, "kechuang", r, ks, krs, kkb / 1024, (srs > 0 ? krs / srs : 0)
        printf "%-10s %-12s %9d %8.2f %10.0f %9.1f %7.2f\n", k, "sqlite3", r, ss, srs, skb / 1024, 1
        printf "%-10s %-12s %9s %8.2f\n", k, "(iconv)", "", is
    }'
done
