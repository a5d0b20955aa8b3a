#!/bin/sh
# pg_shim.sh - stands in for the kechuang binary when tests/run.sh runs the
# script tests on PostgreSQL: "--db PATH" (or --db=PATH) becomes a database
# of the throwaway cluster (KC_TEST_PG), one per PATH, created on first
# use, with --data-dir PATH.d for the files that sit beside an SQLite
# database. Everything else goes to KC_REAL_BIN unchanged. Scripts that
# open the SQLite file themselves (sqlite3) cannot pass this way.
set -u
real=${KC_REAL_BIN:?}
db=""
if [ "${1:-}" = "--db" ] && [ $# -ge 2 ]; then
    db=$2
    shift 2
else
    case "${1:-}" in --db=*) db=${1#--db=}; shift ;; esac
fi
if [ -z "$db" ] || [ -z "${KC_TEST_PG:-}" ]; then
    exec "$real" ${db:+--db "$db"} "$@"
fi
case "$db" in
postgres://* | postgresql://*) exec "$real" --db "$db" "$@" ;;
esac
abs=$(cd "$(dirname "$db")" 2>/dev/null && pwd)/$(basename "$db")
name=kc_s_$(printf '%s' "$abs" | md5sum | cut -c1-16)
if ! psql "$KC_TEST_PG" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" 2>/dev/null | grep -q 1; then
    psql "$KC_TEST_PG" -qc "CREATE DATABASE $name TEMPLATE template0" >/dev/null 2>&1
fi
mkdir -p "$abs.d"
uri=$(printf '%s' "$KC_TEST_PG" | sed "s|^\(postgres[a-z]*://[^/]*\)/[^?]*|\1/$name|")
exec "$real" --db "$uri" --data-dir "$abs.d" "$@"
