#!/bin/sh
# rules.sh - the rule engine from the command line: every embedded rule set
# must pass `rules check`, every embedded case must pass `rules test` (its
# TAP lines are passed through), and malformed rule files under
# tests/data/rules/ must be refused with the expected file:line:col.
BIN=${BIN:-build/kechuang}
DATA=tests/data/rules
n=0
tmp=$(mktemp "${TMPDIR:-/tmp}/kc-rules.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT

result() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
    fi
}

"$BIN" rules check >"$tmp" 2>&1
result $? "rules check（内置规则集）"
sed 's/^/# /' "$tmp"

# rules test prints its own TAP: pass it through, renumbered
"$BIN" rules test >"$tmp" 2>&1
rc=$?
while IFS= read -r line; do
    case "$line" in
    "ok "*) n=$((n + 1)); echo "ok $n - ${line#* - }" ;;
    "not ok "*) n=$((n + 1)); echo "not ok $n - ${line#* - }" ;;
    "1.."*) ;;
    *) echo "$line" ;;
    esac
done <"$tmp"
result $rc "rules test 退出码为 0"

# refuse FILE EXPECTED-PREFIX DESCRIPTION
refuse() {
    out=$("$BIN" rules check "$DATA/$1" 2>&1)
    rc=$?
    case "$out" in
    "$DATA/$1:$2"*) [ "$rc" -eq 1 ]; result $? "$3 ($out)" ;;
    *) result 1 "$3: 期望 $DATA/$1:$2，实际 $out（退出码 $rc）" ;;
    esac
}
refuse syntax.kcr "4:36: " "语法错误被拒绝并给出位置"
refuse unknown_field.kcr "4:16: 未知字段" "未知字段被拒绝并给出位置"
refuse type_error.kcr "4:35: 类型不匹配" "类型错误被拒绝并给出位置"
refuse overlap.kcr "6:3: 区间与第 5 行的区间重叠" "重叠区间被拒绝并给出位置"

"$BIN" rules test "$DATA/syntax.kcr" >/dev/null 2>&1
[ $? -eq 1 ]
result $? "rules test 对语法错误的文件退出码为 1"

"$BIN" rules diff sme-2017 rules/sme-2017.kcr >"$tmp" 2>&1
grep -q '共 0 处不同' "$tmp"
result $? "rules diff：同一规则集没有差异"

"$BIN" rules eval chuying-tj-2021 --year 2023 established=2015-06-01 \
    tianjin=是 'sales_revenue[2022]=9.9999万' >"$tmp" 2>&1
grep -q '销售收入（2022年）再增加 0.0001 万元' "$tmp"
result $? "rules eval 给出以万元计的差距"

# one JSON shape: rules eval --json prints the eligibility API's result
# entry (elig_result_json), not a shape of its own
"$BIN" rules eval sme-2017 --year 2023 --json 'employees[2022]=100' \
    'tech_staff[2022]=20' >"$tmp" 2>&1
grep -q '"verdict_name":' "$tmp" && grep -q '"outcome_name":' "$tmp" &&
    grep -q '"score_lo":' "$tmp" && grep -q '"not_needed":' "$tmp" &&
    ! grep -q '"criteria":' "$tmp"
result $? "rules eval --json 与资格评价接口的结果结构相同"

"$BIN" rules list >"$tmp" 2>&1 && grep -q '^hnte-2016 ' "$tmp"
result $? "rules list 列出 hnte-2016"

echo "1..$n"
