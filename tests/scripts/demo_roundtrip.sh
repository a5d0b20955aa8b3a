#!/bin/sh
# demo_roundtrip.sh - the demo's own data passes the rules every writer
# uses: a demo library is exported kind by kind (CSV and XLSX) and each
# export imports all-or-nothing into a fresh database with no error row.
# Declarations (申报事项) are one of the kinds.
# Seed 6 used to produce a credit flag whose 有效期止 was before its 有效期起,
# which the facts import refused. TAP output. Needs BIN (set by
# tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

A=$KC_TMP/a.db
B=$KC_TMP/b.db
kc_init "$A"
kc_check $? "init the demo database"
"$BIN" --db "$A" demo --enterprises 300 --seed 6 --quiet >"$KC_TMP/o" 2>&1
kc_check $? "demo library of 300 enterprises"
sed 's/^/# /' "$KC_TMP/o" | tail -n 3

for k in enterprises figures ip facts declarations; do
    "$BIN" --db "$A" export $k -o "$KC_TMP/$k.csv" >"$KC_TMP/o" 2>&1 &&
        "$BIN" --db "$A" export $k --format xlsx -o "$KC_TMP/$k.xlsx" \
            >>"$KC_TMP/o" 2>&1
    kc_check $? "export $k as CSV and XLSX"
done

if command -v sqlite3 >/dev/null 2>&1; then
    n=$(sqlite3 "$A" "SELECT COUNT(*) FROM enterprise_facts WHERE \
valid_to < valid_from")
    [ "$n" = 0 ]
    kc_check $? "no demo fact ends before it begins (got $n)"
else
    kc_skip "facts' dates (sqlite3 not installed)"
fi

# The fresh database needs the district's units (imports name them): a
# one-enterprise demo of another seed creates them.
kc_init "$B" &&
    "$BIN" --db "$B" demo --enterprises 1 --seed 424242 --quiet \
        >"$KC_TMP/o" 2>&1
kc_check $? "fresh database with the district's units"

# imp KIND FILE [ARGS]: import, then check the exit status and the summary
# line ("有错误 0"); the report is kept in $KC_TMP/r.
imp() {
    ik=$1
    if_=$2
    shift 2
    "$BIN" --db "$B" import "$ik" "$if_" --quiet "$@" >"$KC_TMP/r" 2>&1 &&
        grep -q '有错误 0；' "$KC_TMP/r"
}

imp enterprises "$KC_TMP/enterprises.csv"
st=$?
kc_check $st "the enterprises export imports all-or-nothing with no error"
[ $st -eq 0 ] || sed 's/^/# /' "$KC_TMP/r" | head -n 20
for k in figures ip facts declarations; do
    for f in csv xlsx; do
        imp $k "$KC_TMP/$k.$f" --dry-run
        st=$?
        kc_check $st "the $k export ($f) imports with no error (dry run)"
        [ $st -eq 0 ] || sed 's/^/# /' "$KC_TMP/r" | head -n 20
    done
    imp $k "$KC_TMP/$k.csv"
    kc_check $? "the $k export imports all-or-nothing"
done
imp enterprises "$KC_TMP/enterprises.xlsx" --dry-run &&
    grep -q '未变 300' "$KC_TMP/r"
kc_check $? "the enterprises export (xlsx) reads back unchanged"
n=$(($(wc -l <"$KC_TMP/declarations.csv") - 1))
imp declarations "$KC_TMP/declarations.xlsx" --dry-run &&
    grep -q "未变 $n" "$KC_TMP/r"
kc_check $? "the declarations export (xlsx) reads back unchanged ($n rows)"

kc_done
