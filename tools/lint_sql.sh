#!/bin/sh
# lint_sql.sh [ROOT] - the portable-SQL rule (docs/internals/db.md).
#
# Outside src/db, SQL in C string literals must run on SQLite and
# PostgreSQL alike: no INSERT OR IGNORE/REPLACE, PRAGMA, rowid, FTS5
# (MATCH, fts5), sqlite_ names, temporary tables (temp., CREATE TEMP),
# WITHOUT ROWID, SQLite-only functions (group_concat, json_extract,
# json_set, json_patch, json_remove, json_each, julianday, datetime(,
# date(, GLOB, IFNULL, hex() nor SQLite's "x IS y" comparison (write IS
# [NOT] DISTINCT FROM). What differs goes behind db.h.
# Migrations src/db/sql/NNN_*.sql without a PostgreSQL version in
# src/db/sql/pg must keep to the portable subset as well (no virtual
# tables, triggers, INSERT OR, PRAGMA, rowid; WITHOUT ROWID is dropped by
# the translation for PostgreSQL).
# Prints each violation; exits 1 when there is one. ROOT defaults to .
set -u
ROOT=${1:-.}
status=0

# C string literals of the lines of a file, "file:line: literal", with
# comment lines left out.
literals() {
    awk '
    { line = $0 }
    /^[ \t]*(\/\*|\*|\/\/)/ { next }
    {
        s = line
        while (match(s, /"([^"\\]|\\.)*"/)) {
            printf "%s:%d: %s\n", FILENAME, FNR, substr(s, RSTART, RLENGTH)
            s = substr(s, RSTART + RLENGTH)
        }
    }' "$1"
}

SQL_BAD='INSERT OR (IGNORE|REPLACE|ABORT|FAIL|ROLLBACK)|PRAGMA|[^a-z_]rowid|[^A-Za-z_]MATCH[^A-Za-z_]|fts5|sqlite_|(^|[^a-z_])temp\.|CREATE TEMP|TEMPORARY TABLE|WITHOUT ROWID|group_concat|json_(extract|set|patch|remove|each|group_array)|julianday|[^a-z_]datetime\(|[^a-z_]date\(|[^A-Za-z_]GLOB[^A-Za-z_]|IFNULL|[^a-z_]hex\(| IS (NOT )?[a-z$]'

files=$(find "$ROOT/src" -name '*.[ch]' ! -path "$ROOT/src/db/*" 2>/dev/null |
    LC_ALL=C sort)
for f in $files; do
    hits=$(literals "$f" | grep -E "$SQL_BAD")
    if [ -n "$hits" ]; then
        echo "$hits" | sed 's/^/SQLite 专用 SQL（应放到 db.h 之后）: /'
        status=1
    fi
done

MIG_BAD='VIRTUAL TABLE|CREATE TRIGGER|INSERT OR |PRAGMA|[^a-z_]rowid|group_concat'
for m in "$ROOT"/src/db/sql/[0-9][0-9][0-9]_*.sql; do
    [ -f "$m" ] || continue
    n=$(basename "$m" | cut -c1-3)
    ls "$ROOT"/src/db/sql/pg/"$n"_*.sql >/dev/null 2>&1 && continue
    hits=$(grep -v '^[ \t]*--' "$m" | grep -nE "$MIG_BAD")
    if [ -n "$hits" ]; then
        echo "$hits" | sed "s|^|$m: 迁移不可移植（另写 src/db/sql/pg/${n}_*.sql 或改用可移植写法）: |"
        status=1
    fi
done
exit $status
