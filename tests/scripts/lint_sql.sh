#!/bin/sh
# lint_sql.sh - the portable-SQL lint rule (tools/lint_sql.sh): passes on
# the tree, and fires on each kind of SQLite-only SQL placed outside
# src/db, but not inside src/db nor in comments; a migration without a
# PostgreSQL version must be portable.
. tests/scripts/lib/kc.sh

sh tools/lint_sql.sh . >"$KC_TMP/out" 2>&1
kc_check $? "源码树中 src/db 之外没有 SQLite 专用 SQL"
sed 's/^/# /' "$KC_TMP/out"

# a fake tree: ROOT/src/domain/x.c holding one line of SQL
fires() {
    sql=$1
    rm -rf "$KC_TMP/t" && mkdir -p "$KC_TMP/t/src/domain" "$KC_TMP/t/src/db"
    printf 'static const char *q = "%s";\n' "$sql" >"$KC_TMP/t/src/domain/x.c"
    ! sh tools/lint_sql.sh "$KC_TMP/t" >/dev/null 2>&1
}
for sql in "INSERT OR IGNORE INTO t (a) VALUES (\$1)" \
    "INSERT OR REPLACE INTO t (a) VALUES (\$1)" "PRAGMA foreign_keys = OFF" \
    "SELECT rowid FROM t" "SELECT 1 FROM f WHERE f MATCH \$1" \
    "SELECT name FROM sqlite_master" "DELETE FROM temp.x" \
    "CREATE TEMP TABLE x (a)" "SELECT group_concat(a) FROM t" \
    "SELECT json_extract(a, '\$.b') FROM t" "SELECT 1 WHERE a IS \$1" \
    "SELECT 1 WHERE a IS NOT b.c" "SELECT COALESCE(MAX(rowid), 0) FROM t"; do
    fires "$sql"
    kc_check $? "规则报出：$sql"
done

# portable SQL passes; SQLite-only SQL inside src/db or in a comment passes
rm -rf "$KC_TMP/t" && mkdir -p "$KC_TMP/t/src/domain" "$KC_TMP/t/src/db"
cat >"$KC_TMP/t/src/domain/x.c" <<'C'
/* INSERT OR IGNORE is not allowed here, but comments may say so */
static const char *a = "INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) "
                       "DO NOTHING RETURNING id";
static const char *b = "SELECT 1 WHERE a IS NOT DISTINCT FROM $1 AND b IS "
                       "NULL AND c IS NOT NULL";
C
printf 'static const char *q = "PRAGMA quick_check";\n' >"$KC_TMP/t/src/db/x.c"
sh tools/lint_sql.sh "$KC_TMP/t" >"$KC_TMP/out" 2>&1
kc_check $? "可移植 SQL、src/db 内与注释中的写法不报"
sed 's/^/# /' "$KC_TMP/out"

# migrations: a trigger needs a PostgreSQL version
mkdir -p "$KC_TMP/t/src/db/sql/pg"
printf 'CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;\n' \
    >"$KC_TMP/t/src/db/sql/010_x.sql"
! sh tools/lint_sql.sh "$KC_TMP/t" >/dev/null 2>&1
kc_check $? "不可移植的迁移（触发器）被报出"
printf 'CREATE FUNCTION f() ...;\n' >"$KC_TMP/t/src/db/sql/pg/010_x.sql"
sh tools/lint_sql.sh "$KC_TMP/t" >/dev/null 2>&1
kc_check $? "有 PostgreSQL 版本（src/db/sql/pg/010_*.sql）时不报"
kc_done
