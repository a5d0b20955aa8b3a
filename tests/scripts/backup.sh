#!/bin/sh
# backup.sh - `kechuang backup FILE`: a copy taken while a writer runs is
# complete and consistent (integrity, audit chain), an existing file is
# never overwritten, a missing database and bad usage fail with the right
# exit codes. TAP output. Needs BIN (set by tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/src.db
kc_init "$DB"
kc_check $? "init"

"$BIN" --db "$DB" demo --enterprises 300 --seed 5 >"$KC_TMP/o" 2>&1
kc_check $? "demo library of 300 enterprises"

# a writer adds users while the backup runs
(
    i=0
    while [ $i -lt 20 ]; do
        printf 'abc12345x\n' | "$BIN" --db "$DB" user add "w$i" --role staff \
            --unit 1 >/dev/null 2>&1
        i=$((i + 1))
    done
) &
writer=$!
"$BIN" --db "$DB" backup "$KC_TMP/b1.db" >"$KC_TMP/o" 2>"$KC_TMP/e"
st=$?
wait $writer
[ $st -eq 0 ] && grep -q '已备份到' "$KC_TMP/o" && [ -s "$KC_TMP/b1.db" ] &&
    [ ! -e "$KC_TMP/b1.db.part" ]
kc_check $? "backup during writes succeeds and leaves no .part file"

"$BIN" --db "$KC_TMP/b1.db" audit verify >"$KC_TMP/o" 2>&1
kc_check $? "the copy's audit chain verifies"

"$BIN" --db "$KC_TMP/b1.db" user list --format csv >"$KC_TMP/o" 2>&1 &&
    grep -q '^1,admin,' "$KC_TMP/o"
kc_check $? "the copy opens and lists its users"

if command -v sqlite3 >/dev/null 2>&1; then
    n_src=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM enterprises')
    n_bak=$(sqlite3 "$KC_TMP/b1.db" 'SELECT COUNT(*) FROM enterprises')
    [ "$n_src" = 300 ] && [ "$n_bak" = 300 ]
    kc_check $? "the copy holds all 300 enterprises"
else
    kc_skip "enterprise count of the copy (no sqlite3 command)"
fi

echo keep >"$KC_TMP/exists.db"
"$BIN" --db "$DB" backup "$KC_TMP/exists.db" >"$KC_TMP/o" 2>"$KC_TMP/e"
[ $? -eq 1 ] && grep -q '已存在' "$KC_TMP/e" &&
    [ "$(cat "$KC_TMP/exists.db")" = keep ]
kc_check $? "an existing file is not overwritten"

"$BIN" --db "$KC_TMP/none.db" backup "$KC_TMP/b2.db" >"$KC_TMP/o" 2>"$KC_TMP/e"
[ $? -eq 1 ] && grep -q '不存在' "$KC_TMP/e" && [ ! -e "$KC_TMP/b2.db" ]
kc_check $? "a missing database fails without creating files"

"$BIN" --db "$DB" backup >"$KC_TMP/o" 2>&1
[ $? -eq 2 ]
kc_check $? "backup without a file name is a usage error"

kc_done
