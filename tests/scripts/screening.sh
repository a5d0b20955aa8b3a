#!/bin/sh
# screening.sh - whole-district screening from the command line:
# `evaluate --all` and `snapshot screen` store the same decisions with the
# same kind of audit entry, the snapshot is in step until the data change,
# dump/rescreen/explain report on what was stored, and bad input fails
# with a zh-CN message and a non-zero exit. TAP output. Needs BIN (set by
# tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/k.db
ASOF=2026-06-30
kc_init "$DB"
kc_check $? "init"

"$BIN" --db "$DB" demo --enterprises 300 --seed 7 --quiet >"$KC_TMP/o" 2>&1
kc_check $? "demo library of 300 enterprises"

# counts LOG: the "id： 达标 n …" lines of a screening, sorted
counts() { grep '^[a-z0-9-]*： 达标 ' "$1" | LC_ALL=C sort; }

"$BIN" --db "$DB" evaluate --all --ruleset sme-2017 --ruleset hnte-2016 \
    --as-of $ASOF --quiet >"$KC_TMP/ev" 2>"$KC_TMP/e"
st=$?
[ $st -eq 0 ] && grep -q '^已评估 300 家企业' "$KC_TMP/ev" &&
    [ "$(counts "$KC_TMP/ev" | wc -l)" -eq 2 ]
kc_check $? "evaluate --all: 300 enterprises, a count line per rule set"
sed 's/^/# /' "$KC_TMP/ev"

# every enterprise counted once per rule set
for id in sme-2017 hnte-2016; do
    sum=$(grep "^$id： " "$KC_TMP/ev" |
        awk '{ s = 0; for (i = 3; i <= NF; i += 2) s += $i; print s }')
    [ "$sum" = 300 ]
    kc_check $? "$id: the verdict counts add up to 300 (got $sum)"
done

"$BIN" --db "$DB" snapshot status --as-of $ASOF >"$KC_TMP/o" 2>&1 &&
    grep -q '与数据库一致' "$KC_TMP/o"
kc_check $? "the snapshot saved by the screening is in step with the database"

"$BIN" --db "$DB" snapshot screen --ruleset sme-2017 --ruleset hnte-2016 \
    --as-of $ASOF >"$KC_TMP/sc" 2>"$KC_TMP/e" &&
    grep -q '从快照文件读取' "$KC_TMP/sc"
kc_check $? "snapshot screen reads the saved snapshot"
counts "$KC_TMP/ev" >"$KC_TMP/c1"
counts "$KC_TMP/sc" >"$KC_TMP/c2"
cmp -s "$KC_TMP/c1" "$KC_TMP/c2"
kc_check $? "snapshot screen counts what evaluate --all counted"

if command -v sqlite3 >/dev/null 2>&1; then
    n=$(sqlite3 "$DB" "SELECT COUNT(*) FROM audit_log WHERE action = \
'elig.screen' AND object_type = 'screening' AND \
json_extract(after_json, '\$.enterprises') = 300 AND \
json_extract(after_json, '\$.as_of') = '$ASOF'")
    [ "$n" = 2 ]
    kc_check $? "both wrote one audit entry of the same form (got $n)"
else
    kc_skip "audit entries (sqlite3 not installed)"
fi

"$BIN" --db "$DB" audit verify >"$KC_TMP/o" 2>&1
kc_check $? "the audit chain verifies"

"$BIN" --db "$DB" snapshot dump --ruleset sme-2017 >"$KC_TMP/d" 2>"$KC_TMP/e"
st=$?
[ $st -eq 0 ] && [ "$(wc -l <"$KC_TMP/d")" -eq 300 ] &&
    ! grep -qv '^[0-9][0-9]*,[YNUEMIC.-]*$' "$KC_TMP/d"
kc_check $? "snapshot dump: one line per enterprise, id and outcome letters"

# an in-memory re-screen of the same snapshot finds the same 达标 count
met=$(sed -n 's/^sme-2017： 达标 \([0-9]*\) .*/\1/p' "$KC_TMP/ev")
"$BIN" --db "$DB" snapshot rescreen --ruleset sme-2017 --as-of $ASOF \
    --runs 2 --only verdicts >"$KC_TMP/r" 2>"$KC_TMP/e" &&
    grep -q "^sme-2017： 达标 $met " "$KC_TMP/r" &&
    grep -q '中位数 .* 毫秒' "$KC_TMP/r"
kc_check $? "snapshot rescreen: the same 达标 count ($met), timed"

id=$(head -n 1 "$KC_TMP/d" | cut -d, -f1)
"$BIN" --db "$DB" snapshot explain "$id" --ruleset hnte-2016 \
    --as-of $ASOF >"$KC_TMP/x" 2>"$KC_TMP/e" &&
    grep -q '^结论：' "$KC_TMP/x" && grep -q '（八）' "$KC_TMP/x" &&
    grep -q '^输入哈希：' "$KC_TMP/x"
kc_check $? "snapshot explain: verdict, the criteria table and the input hash"

# bad input
"$BIN" --db "$DB" evaluate --all --ruleset nosuch --quiet >"$KC_TMP/o" \
    2>"$KC_TMP/e"
st=$?
[ $st -ne 0 ] && grep -q 'nosuch' "$KC_TMP/e"
kc_check $? "an unknown rule set is refused, naming it (exit $st)"

"$BIN" --db "$DB" snapshot screen --as-of 2026-02-30 >"$KC_TMP/o" 2>"$KC_TMP/e"
st=$?
[ $st -eq 2 ] && grep -q '2026-02-30 不是有效日期' "$KC_TMP/e"
kc_check $? "an impossible date is refused with exit 2"

"$BIN" --db "$DB" snapshot rescreen >"$KC_TMP/o" 2>"$KC_TMP/e"
st=$?
[ $st -ne 0 ] && grep -q -- '--ruleset' "$KC_TMP/e"
kc_check $? "rescreen without a rule set says which option is missing"

# an evaluation shows the rule set's 口径说明 (text and JSON)
code=$("$BIN" --db "$DB" export enterprises --format csv 2>/dev/null |
    sed -n '2s/,.*//p')
"$BIN" --db "$DB" evaluate --enterprise "$code" --ruleset hnte-2016 \
    --as-of $ASOF >"$KC_TMP/o" 2>&1 &&
    grep -q '口径说明：第十一条（八）“申请认定前一年内”指申请日' "$KC_TMP/o"
kc_check $? "evaluate --enterprise shows the 口径说明 of hnte-2016"
"$BIN" --db "$DB" evaluate --enterprise "$code" --ruleset hnte-2016 \
    --as-of $ASOF --format json >"$KC_TMP/o" 2>&1 &&
    grep -q '"assumptions": *\[' "$KC_TMP/o" &&
    grep -q '申请认定前一年内' "$KC_TMP/o"
kc_check $? "evaluate --enterprise --format json carries assumptions"
"$BIN" rules eval hnte-2016 --year 2026 --json >"$KC_TMP/o" 2>&1 &&
    grep -q '"assumptions":\["' "$KC_TMP/o"
kc_check $? "rules eval --json carries assumptions"

# a change to the data makes the snapshot stale
code=$("$BIN" --db "$DB" export enterprises --format csv 2>/dev/null |
    sed -n '2s/,.*//p')
printf '统一社会信用代码,地址\n%s,天津市河东区测试路1号\n' "$code" >"$KC_TMP/a.csv"
"$BIN" --db "$DB" import enterprises "$KC_TMP/a.csv" >"$KC_TMP/o" 2>&1 &&
    "$BIN" --db "$DB" snapshot status --as-of $ASOF >"$KC_TMP/o" 2>&1 &&
    grep -q '数据已变化' "$KC_TMP/o"
kc_check $? "after an import the snapshot is reported stale"

kc_done
