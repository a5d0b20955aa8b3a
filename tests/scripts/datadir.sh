#!/bin/sh
# datadir.sh - the files that belong to a database (the columnar snapshot,
# the import staging directory) sit beside it by default and in data_dir
# when the config sets one (datadir.h): a screening writes its snapshot
# there, an import stages there, nothing lands beside the database; a
# data_dir that is not a directory is refused with a zh-CN message. TAP
# output. Needs BIN (set by tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/k.db
kc_init "$DB"
kc_check $? "init"
"$BIN" --db "$DB" demo --enterprises 50 --seed 3 --quiet >"$KC_TMP/o" 2>&1
kc_check $? "demo library of 50 enterprises"

# default: beside the database
"$BIN" --db "$DB" evaluate --all --ruleset sme-2017 --as-of 2026-06-30 \
    --quiet >"$KC_TMP/o" 2>&1 && [ -f "$DB.snapshot" ]
kc_check $? "without data_dir the snapshot is written beside the database"
rm -f "$DB.snapshot"

# data_dir from the config file (a comment after the value, as the
# packaged config and docs/admin.md allow)
mkdir -p "$KC_TMP/data"
printf 'data_dir = %s   # 快照与导入暂存\n' "$KC_TMP/data" >"$KC_TMP/k.conf"
"$BIN" --config "$KC_TMP/k.conf" --db "$DB" evaluate --all \
    --ruleset sme-2017 --as-of 2026-06-30 --quiet >"$KC_TMP/o" 2>&1 &&
    [ -f "$KC_TMP/data/snapshot" ] && [ ! -e "$DB.snapshot" ]
kc_check $? "with data_dir the snapshot is written there, not beside the database"
"$BIN" --config "$KC_TMP/k.conf" --db "$DB" snapshot status \
    --as-of 2026-06-30 >"$KC_TMP/o" 2>&1 && grep -q '与数据库一致' "$KC_TMP/o"
kc_check $? "snapshot status reads the snapshot from data_dir"

"$BIN" --db "$DB" import --template figures -o "$KC_TMP/t.csv" >/dev/null 2>&1
"$BIN" --config "$KC_TMP/k.conf" --db "$DB" import figures "$KC_TMP/t.csv" \
    --dry-run --quiet >"$KC_TMP/o" 2>&1
[ ! -e "$DB.imports" ]
kc_check $? "an import with data_dir stages nothing beside the database"

printf 'data_dir = %s\n' "$KC_TMP/nope" >"$KC_TMP/bad.conf"
"$BIN" --config "$KC_TMP/bad.conf" --db "$DB" snapshot status \
    >"$KC_TMP/o" 2>"$KC_TMP/e"
st=$?
[ $st -eq 1 ] && grep -q 'data_dir' "$KC_TMP/e" && grep -q '不是已存在的目录' "$KC_TMP/e"
kc_check $? "a data_dir that does not exist is refused (exit 1, zh-CN message)"

kc_done
