#!/bin/sh
# bench/import/run.sh - import throughput and peak memory of `kechuang
# import` (validating) against sqlite3 and DuckDB loading the same files.
# Not part of `make check`; figures in bench/README.md.
#
#   sh bench/import/run.sh                        # 1M demo library (slow)
#   SRC_DB=/path/lib.db sh bench/import/run.sh    # exports from a copy
#   BUILD=build-x N=100000 RUNS=3 sh bench/import/run.sh
#
# The source library (made by `kechuang demo`, or SRC_DB) is exported as
# GBK CSV with `kechuang export` (enterprises, figures, ip). For each kind:
#
# - kechuang: `kechuang import KIND FILE` into a fresh database (`init`,
#   plus the source's org_units, which the import resolves by name; for
#   figures and ip the enterprises are loaded first, untimed);
# - sqlite3: the same fresh database, `.import` of the file (converted to
#   UTF-8 by iconv, timed apart) into a staging table, then one INSERT ...
#   SELECT (peer_KIND.sql) into the same table kechuang writes, with the
#   same indexes, triggers and foreign keys, mapping names to codes by
#   join and 万元 to 元 by arithmetic, without validating anything; the
#   same page cache size as kechuang's import connection (32 MiB);
# - sqlite3, indexes after the load (the fast path of a bulk load): the
#   same, in one transaction that first drops the target table's secondary
#   indexes (those from CREATE INDEX; the UNIQUE constraints' automatic
#   indexes and the triggers stay) and creates them again after the
#   INSERT ... SELECT, before the commit;
# - DuckDB (npm @duckdb/node-api): read_csv of the UTF-8 file into a new
#   table of its own database file (duckdb_peer.mjs).
#
# Wall seconds and peak RSS of the whole process (/usr/bin/time), median
# of RUNS runs; rows/s; the ratio of kechuang's rows/s to sqlite3's
# (without iconv's time; with it in brackets).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/import
BUILD=${BUILD:-build}
KC=$ROOT/$BUILD/kechuang
N=${N:-1000000}
RUNS=${RUNS:-1}
SRC_DB=${SRC_DB:-}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/kc-bench-import.XXXXXX")}

sh "$ROOT/tools/deps.sh" bench
for t in sqlite3 iconv node npm /usr/bin/time; do
    command -v $t >/dev/null 2>&1 || {
        echo "run.sh: $t is required" >&2
        exit 1
    }
done
[ -x "$KC" ] || make -C "$ROOT" BUILD="$BUILD" "$BUILD/kechuang" >/dev/null
[ -d "$HERE/node_modules/@duckdb/node-api" ] ||
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM HUP

if [ -n "$SRC_DB" ]; then
    cp "$SRC_DB" "$WORK/src.db"
    "$KC" --db "$WORK/src.db" init >/dev/null 2>&1
else
    "$KC" --db "$WORK/src.db" init >/dev/null 2>&1
    "$KC" --db "$WORK/src.db" demo --enterprises "$N" --seed 1 >/dev/null 2>&1
fi

# timed OUT CMD...: runs CMD under time -v; appends "seconds peak_kb" to OUT
timed() {
    out=$1
    shift
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/cmd.out" 2>&1 || {
        echo "run.sh: failed: $*" >&2
        tail -5 "$WORK/cmd.out" >&2
        exit 1
    }
    awk -F': ' '/Elapsed \(wall clock\)/ {
            n = split($2, p, ":"); s = 0
            for (i = 1; i <= n; i++) s = s * 60 + p[i]
        }
        /Maximum resident set size/ { kb = $2 }
        END { printf "%.2f %d\n", s, kb }' "$WORK/time.txt" >>"$out"
}

# median FILE: the run with the median seconds ("seconds peak_kb")
median() {
    sort -n "$1" | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'
}

# the empty library with the source's units, and one with its enterprises
"$KC" --db "$WORK/empty.db" init >/dev/null 2>&1
sqlite3 "$WORK/empty.db" "ATTACH '$WORK/src.db' AS s;
    INSERT OR IGNORE INTO org_units SELECT * FROM s.org_units;"

printf '%-11s %-9s %9s %8s %10s %8s %6s\n' kind tool rows seconds rows/s peakMB ratio
for kind in enterprises figures ip; do
    "$KC" --db "$WORK/src.db" export $kind --encoding gbk -o "$WORK/$kind.csv" \
        >/dev/null 2>&1
    rows=$(($(wc -l <"$WORK/$kind.csv") - 1))
    if [ $kind = figures ]; then
        # figures and IP rights refer to enterprises: load those first
        cp "$WORK/empty.db" "$WORK/base.db"
        "$KC" --db "$WORK/base.db" import enterprises "$WORK/enterprises.csv" \
            >/dev/null 2>&1
    fi
    base=$WORK/empty.db
    [ $kind = enterprises ] || base=$WORK/base.db

    : >"$WORK/k.txt"
    : >"$WORK/s.txt"
    : >"$WORK/i.txt"
    : >"$WORK/d.txt"
    : >"$WORK/f.txt"
    case $kind in
    enterprises) tbl=enterprises ;;
    figures) tbl=enterprise_years ;;
    *) tbl=ip_rights ;;
    esac
    sqlite3 "$base" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master
        WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = '$tbl'" \
        >"$WORK/drop_ix.sql"
    sqlite3 "$base" "SELECT sql || ';' FROM sqlite_master
        WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = '$tbl'" \
        >"$WORK/make_ix.sql"
    nix=$(sqlite3 "$base" "SELECT count(*) FROM sqlite_master
        WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = '$tbl'")
    for _ in $(seq "$RUNS"); do
        rm -rf "$WORK"/t.db*
        cp "$base" "$WORK/t.db"
        timed "$WORK/k.txt" "$KC" --db "$WORK/t.db" import $kind "$WORK/$kind.csv"
        got=$(sqlite3 "$WORK/t.db" "SELECT
            CASE '$kind' WHEN 'enterprises' THEN (SELECT count(*) FROM enterprises)
            WHEN 'figures' THEN (SELECT count(*) FROM enterprise_years)
            ELSE (SELECT count(*) FROM ip_rights) END")
        [ "$got" = "$rows" ] || {
            echo "run.sh: kechuang $kind: $got rows stored, $rows in the file" >&2
            exit 1
        }

        timed "$WORK/i.txt" iconv -f GB18030 -t UTF-8 -o "$WORK/$kind.u8.csv" \
            "$WORK/$kind.csv"
        rm -rf "$WORK"/t.db*
        cp "$base" "$WORK/t.db"
        timed "$WORK/s.txt" sqlite3 "$WORK/t.db" "PRAGMA cache_size = -32768" \
            ".mode csv" ".import $WORK/$kind.u8.csv stage" \
            ".read $HERE/peer_$kind.sql"
        got=$(sqlite3 "$WORK/t.db" "SELECT
            CASE '$kind' WHEN 'enterprises' THEN (SELECT count(*) FROM enterprises)
            WHEN 'figures' THEN (SELECT count(*) FROM enterprise_years)
            ELSE (SELECT count(*) FROM ip_rights) END")
        [ "$got" = "$rows" ] || {
            echo "run.sh: sqlite3 $kind: $got rows stored, $rows in the file" >&2
            exit 1
        }

        # the fast path: indexes dropped, rows loaded, indexes created
        rm -rf "$WORK"/t.db*
        cp "$base" "$WORK/t.db"
        timed "$WORK/f.txt" sqlite3 "$WORK/t.db" "PRAGMA cache_size = -32768" \
            "BEGIN" ".read $WORK/drop_ix.sql" ".mode csv" \
            ".import $WORK/$kind.u8.csv stage" ".read $HERE/peer_$kind.sql" \
            ".read $WORK/make_ix.sql" "COMMIT"
        got=$(sqlite3 "$WORK/t.db" "SELECT (SELECT count(*) FROM $tbl) || ' ' ||
            (SELECT count(*) FROM sqlite_master WHERE type = 'index'
             AND sql IS NOT NULL AND tbl_name = '$tbl')")
        [ "$got" = "$rows $nix" ] || {
            echo "run.sh: sqlite3 fast path $kind: rows and indexes $got," \
                "want $rows $nix" >&2
            exit 1
        }

        rm -f "$WORK/duck.db" "$WORK/duck.db.wal"
        timed "$WORK/d.txt" sh -c "cd '$HERE' && node duckdb_peer.mjs \
            '$WORK/$kind.u8.csv' '$WORK/duck.db' t"
    done
    set -- $(median "$WORK/k.txt") $(median "$WORK/s.txt") \
        $(median "$WORK/i.txt") $(median "$WORK/d.txt") $(median "$WORK/f.txt")
    awk -v k=$kind -v r=$rows -v ks=$1 -v kkb=$2 -v ss=$3 -v skb=$4 \
        -v is=$5 -v ds=$7 -v dkb=$8 -v fs=$9 -v fkb=${10} 'BEGIN {
        krs = r / ks; srs = r / ss; drs = r / ds; frs = r / fs
        printf "%-11s %-9s %9d %8.2f %10.0f %8.1f %6.2f (%.2f with iconv)\n",
            k, "kechuang", r, ks, krs, kkb / 1024, krs / srs, (ss + is) / ks
        printf "%-11s %-9s %9d %8.2f %10.0f %8.1f %6.2f\n",
            k, "sqlite3", r, ss, srs, skb / 1024, 1
        printf "%-11s %-9s %9d %8.2f %10.0f %8.1f %6.2f\n",
            k, "sqlite3ix", r, fs, frs, fkb / 1024, frs / srs
        printf "%-11s %-9s %9s %8.2f\n", k, "(iconv)", "", is
        printf "%-11s %-9s %9d %8.2f %10.0f %8.1f %6.2f\n",
            k, "duckdb", r, ds, drs, dkb / 1024, drs / srs
    }'
done
