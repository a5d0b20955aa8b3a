#!/bin/sh
# qual_cli.sh - `kechuang import qualifications`: a published list (title
# row above the header, UTF-8 CSV) matched by name against a
# demo district, the dry run writing nothing, the import writing the
# matched rows and listing the unmatched one, a second import finding
# them registered; usage errors exit 2. TAP output. Needs BIN.
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/q.db

"$BIN" --db "$DB" demo --enterprises 40 --seed 3 >"$KC_TMP/demo" 2>&1
kc_check $? "demo district"

"$BIN" --db "$DB" export enterprises --format csv -o "$KC_TMP/ents.csv" \
    >/dev/null 2>&1
kc_check $? "export enterprises"
N1=$(sed -n 2p "$KC_TMP/ents.csv" | cut -d, -f2)
N2=$(sed -n 3p "$KC_TMP/ents.csv" | cut -d, -f2)
[ -n "$N1" ] && [ -n "$N2" ]
kc_check $? "two enterprise names"

printf '2021年第二批高新技术企业认定名单\r\n序号,企业名称,证书编号,发证日期\r\n1,%s,GR202112099901,2021-12-01\r\n2,%s,GR202112099902,2021/12/1\r\n3,天津不存在的公司,GR202112099903,2021-12-01\r\n' \
    "$N1" "$N2" >"$KC_TMP/list.csv"

"$BIN" --db "$DB" import qualifications "$KC_TMP/list.csv" >"$KC_TMP/o" 2>&1
[ $? -eq 2 ]
kc_check $? "missing --kind exits 2"

"$BIN" --db "$DB" import qualifications "$KC_TMP/list.csv" --kind nope \
    >"$KC_TMP/o" 2>&1
[ $? -eq 2 ]
kc_check $? "unknown kind exits 2"

"$BIN" --db "$DB" import qualifications "$KC_TMP/list.csv" --kind hnte \
    --dry-run >"$KC_TMP/o" 2>&1 &&
    grep -q '已匹配 2' "$KC_TMP/o" && grep -q '天津不存在的公司【未匹配】' "$KC_TMP/o"
kc_check $? "dry run matches two rows and lists the unmatched one"

"$BIN" --db "$DB" import qualifications "$KC_TMP/list.csv" --kind hnte \
    --batch 2021年第二批 >"$KC_TMP/o" 2>&1 && grep -q '写入 2 条' "$KC_TMP/o"
kc_check $? "import writes the two matched rows"

"$BIN" --db "$DB" import qualifications "$KC_TMP/list.csv" --kind hnte \
    --format json >"$KC_TMP/o" 2>&1 && grep -q '"exists": 2' "$KC_TMP/o" &&
    grep -q '"inserted": 0' "$KC_TMP/o"
kc_check $? "a second import finds both registered"

printf '企业名称,证书编号,发证日期\r\n%s,GRBAD,2021-12-01\r\n' "$N1" \
    >"$KC_TMP/bad.csv"
"$BIN" --db "$DB" import qualifications "$KC_TMP/bad.csv" --kind hnte \
    >"$KC_TMP/o" 2>"$KC_TMP/e"
[ $? -eq 1 ] && grep -q '第 2 行' "$KC_TMP/e"
kc_check $? "an invalid number stops the import with the row named"

"$BIN" --db "$DB" audit verify >"$KC_TMP/o" 2>&1
kc_check $? "audit chain intact"

kc_done
