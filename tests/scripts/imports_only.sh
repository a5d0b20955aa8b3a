#!/bin/sh
# imports_only.sh - every rule input can come from an import: a library
# exported kind by kind (enterprises, figures, ip, facts, declarations) and
# imported into a fresh database reaches sme-2017 达标 and hnte-2016
# 待专家评审; without the declarations file neither is reachable (产品和服务
# 不属于禁止、限制和淘汰类 and 科技成果转化项数 have no other source). TAP
# output. Needs BIN (set by tests/run.sh). Last, a catalogue of industries
# (行业目录) is imported and derives 禁止、限制和淘汰类 for a matching 行业代码.
. "$(dirname "$0")/lib/kc.sh"

A=$KC_TMP/a.db
ASOF=2026-06-30
kc_init "$A" &&
    "$BIN" --db "$A" demo --enterprises 300 --seed 6 --quiet >"$KC_TMP/o" 2>&1
kc_check $? "demo library of 300 enterprises (the files' source)"
for k in enterprises figures ip facts declarations; do
    "$BIN" --db "$A" export $k -o "$KC_TMP/$k.csv" >"$KC_TMP/o" 2>&1
    kc_check $? "export $k"
done

# fresh DB: the district's units come from a one-enterprise demo of another
# seed; that enterprise is in both databases below, so it cannot make the
# difference between them
fresh() {
    kc_init "$1" &&
        "$BIN" --db "$1" demo --enterprises 1 --seed 424242 --quiet \
            >"$KC_TMP/o" 2>&1
}
# load DB KIND...: import the files all-or-nothing
load() {
    db=$1
    shift
    for k in "$@"; do
        "$BIN" --db "$db" import $k "$KC_TMP/$k.csv" --quiet >"$KC_TMP/r" 2>&1 &&
            grep -q '有错误 0；' "$KC_TMP/r" || return 1
    done
}
# count DB RULESET VERDICT: how many enterprises got VERDICT
count() {
    "$BIN" --db "$1" evaluate --all --ruleset "$2" --as-of $ASOF --quiet \
        2>/dev/null | awk -v id="$2：" -v v="$3" \
        '$1 == id { for (i = 2; i < NF; i++) if ($i == v) print $(i + 1) }'
}

B=$KC_TMP/b.db
C=$KC_TMP/c.db
fresh "$B" && load "$B" enterprises figures ip facts declarations
kc_check $? "fresh database: the five files import with no error"
fresh "$C" && load "$C" enterprises figures ip facts
kc_check $? "second fresh database: the same without the declarations"

n=$(count "$B" sme-2017 达标)
[ -n "$n" ] && [ "$n" -gt 0 ]
kc_check $? "sme-2017 达标 from imports alone (got $n)"
n=$(count "$B" hnte-2016 待专家评审)
[ -n "$n" ] && [ "$n" -gt 0 ]
kc_check $? "hnte-2016 待专家评审 from imports alone (got $n)"
n=$(count "$C" sme-2017 达标)
[ "$n" = 0 ]
kc_check $? "without the declarations import: no sme-2017 达标 (got $n)"
n=$(count "$C" hnte-2016 待专家评审)
[ "$n" = 0 ]
kc_check $? "without the declarations import: no hnte-2016 待专家评审 (got $n)"

# the industry catalogue (行业目录) derives 产品或服务属于禁止、限制和淘汰类 = 是
# for the enterprises whose 行业代码 it matches
printf '行业代码,类别,目录条目,来源文件\nC99,中等类,x,y\n' >"$KC_TMP/bad.csv"
"$BIN" --db "$B" import industry-catalogue "$KC_TMP/bad.csv" >"$KC_TMP/r" 2>&1
[ $? -eq 1 ] && grep -q '^第 2 行「类别」：“中等类”不是可选的值' "$KC_TMP/r" &&
    grep -q '^第 2 行「行业代码」' "$KC_TMP/r"
kc_check $? "a bad catalogue file: exit 1, errors by row and column"
u=$(awk -F, 'NR > 1 && $8 ~ /^C39/ { print $1; exit }' "$KC_TMP/enterprises.csv")
before=$(count "$B" sme-2017 达标)
printf '行业代码,类别,目录条目,来源文件,文号\nC39,限制类,测试条目,测试目录,测试文号\n' \
    >"$KC_TMP/cat.csv"
"$BIN" --db "$B" import industry-catalogue "$KC_TMP/cat.csv" >"$KC_TMP/r" 2>&1 &&
    grep -q '新增 1' "$KC_TMP/r"
kc_check $? "the catalogue imports"
"$BIN" --db "$B" evaluate --enterprise "$u" --ruleset sme-2017 --as-of $ASOF \
    >"$KC_TMP/r" 2>&1 &&
    grep -q '^数据来源：产品或服务属于禁止、限制和淘汰类取自行业目录：限制类（行业代码 C39）' \
        "$KC_TMP/r" &&
    grep -q '产品和服务不属于国家规定的禁止、限制和淘汰类 \[未达标\] 实际 是' "$KC_TMP/r"
kc_check $? "an enterprise in C39 ($u): 是, the entry named"
after=$(count "$B" sme-2017 达标)
[ -n "$after" ] && [ "$after" -lt "$before" ]
kc_check $? "sme-2017 达标 drops with the catalogue ($before -> $after)"

kc_done
