#!/bin/sh
# schema_parity.sh - both backends end the migrations with the same
# indexes. A SQLite migration that rebuilds a table (017 did, for
# ip_rights) drops the table's indexes with it; PostgreSQL alters in
# place and keeps them, so a lost index shows only as one backend being
# slow. Compares the index names of a new SQLite database with those of a
# new PostgreSQL database, leaving out what only one backend has by
# design: PostgreSQL's indexes behind PRIMARY KEY and UNIQUE constraints
# (*_pkey, *_key; SQLite's are sqlite_autoindex_*) and its search indexes
# (pg_trgm's *_trgm and the 1-2 character table enterprise_search_*, 023;
# SQLite searches through FTS5 tables). Runs in the
# PostgreSQL pass of tests/run.sh (KC_TEST_PG); skipped without.
. "$(dirname "$0")/lib/kc.sh"

if [ -z "${KC_TEST_PG:-}" ] || ! command -v psql >/dev/null 2>&1 ||
    ! command -v sqlite3 >/dev/null 2>&1; then
    kc_skip "needs PostgreSQL (KC_TEST_PG), psql and sqlite3"
    kc_done
    exit 0
fi
BIN=${KC_REAL_BIN:-$BIN}
NAME=kc_schema_$$
URI=$(printf '%s' "$KC_TEST_PG" |
    sed "s|^\(postgres[a-z]*://[^/]*\)/[^?]*|\1/$NAME|")
schema_cleanup() {
    psql "$KC_TEST_PG" -qc "DROP DATABASE IF EXISTS $NAME" >/dev/null 2>&1
    kc_cleanup
}
trap schema_cleanup EXIT

psql "$KC_TEST_PG" -qc "CREATE DATABASE $NAME TEMPLATE template0" \
    >/dev/null 2>&1
"$BIN" --db "$URI" init >/dev/null 2>"$KC_TMP/pg.err"
kc_check $? "PostgreSQL database initialised"
"$BIN" --db "$KC_TMP/s.db" init >/dev/null 2>"$KC_TMP/s.err"
kc_check $? "SQLite database initialised"

sqlite3 -batch -noheader "$KC_TMP/s.db" \
    "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE
     'sqlite_autoindex_%' ORDER BY name" >"$KC_TMP/s.idx"
psql "$URI" -tAqc "SELECT indexname FROM pg_indexes WHERE schemaname =
     current_schema() ORDER BY indexname" |
    grep -v -e '_pkey$' -e '_key$' -e '_trgm$' -e '^enterprise_search_' \
        >"$KC_TMP/p.idx"
n=$(wc -l <"$KC_TMP/s.idx")
[ "$n" -gt 50 ]
kc_check $? "SQLite has its indexes ($n)"
sort -o "$KC_TMP/s.idx" "$KC_TMP/s.idx"
sort -o "$KC_TMP/p.idx" "$KC_TMP/p.idx"
comm -13 "$KC_TMP/s.idx" "$KC_TMP/p.idx" >"$KC_TMP/only_pg"
sed 's/^/# only on PostgreSQL: /' "$KC_TMP/only_pg"
[ ! -s "$KC_TMP/only_pg" ]
kc_check $? "every PostgreSQL index exists on SQLite"
comm -23 "$KC_TMP/s.idx" "$KC_TMP/p.idx" >"$KC_TMP/only_sqlite"
sed 's/^/# only on SQLite: /' "$KC_TMP/only_sqlite"
[ ! -s "$KC_TMP/only_sqlite" ]
kc_check $? "every SQLite index exists on PostgreSQL"
kc_done
