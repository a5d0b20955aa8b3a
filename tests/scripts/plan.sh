#!/bin/sh
# plan.sh - the plan commands: `kechuang import plan-targets|plan-tasks`
# (a new plan from the published 河东 table in XLSX, preview without
# writing, confirm with --yes, a broken table refused with row and column,
# unknown units refused until mapped) and `kechuang report quarter` (table,
# print-ready HTML, XLSX; a quarter outside the plan; usage errors). TAP
# output. Needs BIN (set by tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

DATA=tests/data/plan
DB=$KC_TMP/p.db
kc_init "$DB"
kc_check $? "init"

count() {
    sqlite3 "$DB" "$1" 2>/dev/null
}

"$BIN" --db "$DB" import plan-targets $DATA/hedong_targets.xlsx \
    --create-plan 河东区科技创新三年行动计划 --years 2020-2022 --base 2019 \
    >"$KC_TMP/o" 2>"$KC_TMP/e"
st=$?
[ $st -eq 0 ] && grep -q '已新建计划 1' "$KC_TMP/e" &&
    grep -q '高新技术企业数量（家） 存量： 2019（实际）=96 2020=108 2021=116 2022=128' "$KC_TMP/o" &&
    grep -q '加 --yes 写入' "$KC_TMP/e"
kc_check $? "preview of the XLSX table: kinds, base actual and targets shown"

if command -v sqlite3 >/dev/null 2>&1; then
    [ "$(count 'SELECT COUNT(*) FROM plan_indicators')" = 0 ]
    kc_check $? "a preview writes no indicator"
else
    kc_skip "a preview writes no indicator (no sqlite3)"
fi

"$BIN" --db "$DB" import plan-targets $DATA/hedong_targets.csv --plan 1 \
    --yes >"$KC_TMP/o" 2>"$KC_TMP/e" &&
    grep -q '已导入：指标 7 个，目标 21 项' "$KC_TMP/o"
kc_check $? "the CSV table imported with --yes: 7 indicators, 21 targets"

"$BIN" --db "$DB" import plan-targets $DATA/hedong_targets_bad.csv --plan 1 \
    --yes >"$KC_TMP/o" 2>"$KC_TMP/e"
st=$?
[ $st -eq 1 ] && grep -q '问题：第2行D列 第2行D列：百分比不能超过 100' "$KC_TMP/o" &&
    grep -q '问题：第1行E列 2023 年不在计划期' "$KC_TMP/o" &&
    grep -q '未写入' "$KC_TMP/e"
kc_check $? "a broken table is refused with its rows and columns (exit 1)"

"$BIN" --db "$DB" import plan-tasks $DATA/hedong_tasks.csv --plan 1 --yes \
    >"$KC_TMP/o" 2>"$KC_TMP/e"
st=$?
[ $st -eq 1 ] && grep -q '未匹配的单位：区人才办' "$KC_TMP/o" &&
    grep -q '没有找到' "$KC_TMP/e"
kc_check $? "tasks with unknown units are refused until mapped (exit 1)"

"$BIN" --db "$DB" import plan-tasks $DATA/hedong_tasks.csv --plan 1 --yes \
    --map 区科技局=1 --map 区市场监管局=new --map 区税务局=new \
    --map 区人才办=new --map 区财政局=new --map 区发改委=new \
    --map 区人社局=new --map 大王庄街道=new --map 大直沽街道=new \
    --map 河东科创园区=new >"$KC_TMP/o" 2>"$KC_TMP/e" &&
    grep -q '任务 5 项，新建部门 9 个' "$KC_TMP/o"
kc_check $? "tasks imported with the unit mapping: 5 tasks, 9 departments created"

"$BIN" --db "$DB" report quarter --plan 1 --quarter 2022Q3 >"$KC_TMP/o" \
    2>"$KC_TMP/e" &&
    grep -q '高新技术企业数量	家	存量	128' "$KC_TMP/o" &&
    grep -q '研发支出与地区生产总值比值	%	比率	2.59	—' "$KC_TMP/o"
kc_check $? "report quarter: the table in the plan's layout"

"$BIN" --db "$DB" report quarter --plan 1 --quarter 2022Q3 --format html \
    >"$KC_TMP/r.html" 2>"$KC_TMP/e" && grep -q '<table>' "$KC_TMP/r.html" &&
    grep -q '2022年目标' "$KC_TMP/r.html"
kc_check $? "report quarter --format html: a print-ready page"

"$BIN" --db "$DB" report quarter --plan 1 --quarter 2022Q3 --format xlsx \
    -o "$KC_TMP/r.xlsx" >"$KC_TMP/o" 2>"$KC_TMP/e" &&
    [ "$(head -c 2 "$KC_TMP/r.xlsx")" = "PK" ]
kc_check $? "report quarter --format xlsx -o FILE writes a workbook"

"$BIN" --db "$DB" report quarter --plan 1 --quarter 2023Q1 >"$KC_TMP/o" \
    2>"$KC_TMP/e"
[ $? -eq 1 ] && grep -q '2023 年不在计划期' "$KC_TMP/e"
kc_check $? "a quarter outside the plan fails (exit 1)"

"$BIN" --db "$DB" report quarter --plan 1 >"$KC_TMP/o" 2>"$KC_TMP/e"
[ $? -eq 2 ]
kc_check $? "a missing --quarter is a usage error (exit 2)"

DB2=$KC_TMP/demo.db
kc_init "$DB2"
"$BIN" --db "$DB2" demo --enterprises 400 --seed 3 >"$KC_TMP/o" 2>&1
kc_check $? "demo"
if command -v sqlite3 >/dev/null 2>&1; then
    [ "$(sqlite3 "$DB2" "SELECT COUNT(*) FROM plan_indicators")" = 7 ] &&
        [ "$(sqlite3 "$DB2" "SELECT COUNT(*) FROM plan_tasks")" = 8 ] &&
        [ "$(sqlite3 "$DB2" "SELECT group_concat(quarter) FROM plan_evals WHERE status = 'published'")" = "2022Q1,2022Q2,2022Q3" ] &&
        [ "$(sqlite3 "$DB2" "SELECT COUNT(*) FROM plan_meetings")" = 1 ]
    kc_check $? "demo: the 河东 plan with 7 indicators, 8 tasks, published 2022Q1-Q3 evaluations and a meeting"
else
    kc_skip "demo plan contents (no sqlite3)"
fi
"$BIN" --db "$DB2" report quarter --plan 1 --quarter 2022Q3 >"$KC_TMP/o" 2>&1 &&
    grep -Eq '全区技术合同成交额	亿元	流量	50	[0-9]+(\.[0-9]+)?	[0-9.]+%' "$KC_TMP/o"
kc_check $? "demo report: 技术合同成交额 is computed from the contract register"
"$BIN" --db "$DB2" audit verify >"$KC_TMP/o" 2>&1
kc_check $? "demo: the audit chain verifies"

echo "1..$KC_N"
[ $KC_FAILED -eq 0 ]
