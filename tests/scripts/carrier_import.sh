#!/bin/sh
# carrier_import.sh - `kechuang carrier template|import`: the templates
# (XLSX and CSV) import as they are, a file with a bad row writes nothing
# and names row and column, a good file is written in one go, tenancy rows
# keep the overlap rule between rows of one file, --dry-run writes
# nothing. TAP output. Needs BIN (set by tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/c.db
kc_init "$DB" >/dev/null
"$BIN" --db "$DB" demo --enterprises 120 --seed 3 >/dev/null 2>&1
kc_check $? "a small demo district (120 enterprises, with demo carriers)"

count() { sqlite3 "$DB" "$1"; }
C0=$(count "SELECT COUNT(*) FROM carriers")
T0=$(count "SELECT COUNT(*) FROM carrier_tenants")

"$BIN" --db "$DB" carrier template carriers -o "$KC_TMP/t.xlsx" &&
    "$BIN" --db "$DB" carrier template tenants -o "$KC_TMP/t.csv" &&
    head -c 3 "$KC_TMP/t.csv" | od -An -tx1 | grep -q 'ef bb bf' &&
    grep -q '入驻日期' "$KC_TMP/t.csv"
kc_check $? "templates in XLSX and CSV (UTF-8 with BOM)"

"$BIN" --db "$DB" carrier import carriers "$KC_TMP/t.xlsx" >"$KC_TMP/o" 2>&1
kc_check $? "the empty XLSX template imports (0 rows)"

UNIT=$(count "SELECT name FROM org_units WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1")
U1=$(count "SELECT uscc FROM enterprises ORDER BY id DESC LIMIT 1")
U2=$(count "SELECT uscc FROM enterprises ORDER BY id DESC LIMIT 1 OFFSET 1")
cat >"$KC_TMP/c.csv" <<CSV
载体名称,类型,级别,认定日期,运营机构,所属单位,面积（㎡）,孵化面积（㎡）
导入众创空间,众创空间,市级,2020-05-01,某运营机构,$UNIT,3000,2000
导入孵化器,科技企业孵化器,,,某运营机构,$UNIT,5000,9000
导入加速器,accelerator,区级,2021-01-01,某运营机构,没有的街道,,
CSV
"$BIN" --db "$DB" carrier import carriers "$KC_TMP/c.csv" >"$KC_TMP/o" 2>&1
st=$?
[ $st -eq 1 ] && grep -q '第 3 行「孵化面积（㎡）」' "$KC_TMP/o" &&
    grep -q '第 4 行「所属单位」' "$KC_TMP/o" &&
    [ "$(count "SELECT COUNT(*) FROM carriers")" = "$C0" ]
kc_check $? "bad rows: exit 1, row and column named, nothing written"

sed -i "s/5000,9000/5000,4000/; s/没有的街道/$UNIT/" "$KC_TMP/c.csv"
"$BIN" --db "$DB" carrier import carriers "$KC_TMP/c.csv" --dry-run >"$KC_TMP/o" 2>&1 &&
    [ "$(count "SELECT COUNT(*) FROM carriers")" = "$C0" ]
kc_check $? "--dry-run validates and writes nothing"

"$BIN" --db "$DB" carrier import carriers "$KC_TMP/c.csv" --format json >"$KC_TMP/o" 2>&1 &&
    grep -q '"written": 3' "$KC_TMP/o" &&
    [ "$(count "SELECT COUNT(*) FROM carriers")" = "$((C0 + 3))" ] &&
    [ "$(count "SELECT type FROM carriers WHERE name = '导入加速器'")" = accelerator ]
kc_check $? "a good file: three carriers written (types by name or code)"

cat >"$KC_TMP/t2.csv" <<CSV
载体名称,统一社会信用代码,入驻日期,迁出日期,迁出原因
导入众创空间,$U1,2021-03-01,2022-06-01,毕业
导入孵化器,$U1,2022-05-01,,
导入加速器,$U1,2022-09-01,,
导入孵化器,$U2,2023-01-01,2022-01-01,迁出
CSV
"$BIN" --db "$DB" carrier import tenants "$KC_TMP/t2.csv" >"$KC_TMP/o" 2>&1
st=$?
[ $st -eq 1 ] && grep -q '第 4 行「入驻日期」.*导入孵化器' "$KC_TMP/o" &&
    grep -q '第 5 行「迁出日期」' "$KC_TMP/o" &&
    [ "$(count "SELECT COUNT(*) FROM carrier_tenants")" = "$T0" ]
kc_check $? "tenancy rows: an overlap with an earlier row and a move-out before the move-in are refused, nothing written"

sed -i '4d; s/2023-01-01,2022-01-01,迁出/2023-01-01,2024-01-01,迁出/' "$KC_TMP/t2.csv"
"$BIN" --db "$DB" carrier import tenants "$KC_TMP/t2.csv" >"$KC_TMP/o" 2>&1 &&
    [ "$(count "SELECT COUNT(*) FROM carrier_tenants")" = "$((T0 + 3))" ] &&
    [ "$(count "SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.create'")" = 3 ]
kc_check $? "tenancies written, each with its audit entry"

P0=$(count "SELECT COUNT(*) FROM platforms")
cat >"$KC_TMP/p.csv" <<CSV
平台名称,类型,级别,依托企业统一社会信用代码,依托单位,所属单位,认定日期
导入重点实验室,重点实验室,市级,$U1,,$UNIT,2021-06-01
导入重点实验室二,重点实验室,市级,$U1,,$UNIT,2022-06-01
CSV
"$BIN" --db "$DB" carrier import platforms "$KC_TMP/p.csv" >"$KC_TMP/o" 2>&1
[ $? -eq 1 ] && grep -q '第 3 行「级别」.*不能重复认定' "$KC_TMP/o" &&
    [ "$(count "SELECT COUNT(*) FROM platforms")" = "$P0" ]
kc_check $? "platforms: the same host recognised twice at the same level is refused between rows"

sed -i 's/导入重点实验室二,重点实验室,市级/导入工程中心,工程技术研究中心,市级/' "$KC_TMP/p.csv"
"$BIN" --db "$DB" carrier import platforms "$KC_TMP/p.csv" >"$KC_TMP/o" 2>&1 &&
    [ "$(count "SELECT COUNT(*) FROM platforms")" = "$((P0 + 2))" ]
kc_check $? "platforms written"

cat >"$KC_TMP/tc.csv" <<CSV
统一社会信用代码,年度,海河英才（引进）,博士
$U1,2024,3,1
$U2,2024,2,
CSV
"$BIN" --db "$DB" carrier import talent_counts "$KC_TMP/tc.csv" >"$KC_TMP/o" 2>&1 &&
    [ "$(count "SELECT SUM(people) FROM talent_counts t JOIN enterprises e ON e.id = t.enterprise_id WHERE t.year = 2024 AND e.uscc IN ('$U1', '$U2')")" = 6 ]
kc_check $? "talent counts written (6 people)"

cat >"$KC_TMP/l.csv" <<CSV
统一社会信用代码,上市阶段,拟上市板块,入库日期,上市日期
$U1,上市,科创板,2022-01-01,
CSV
"$BIN" --db "$DB" carrier import listing "$KC_TMP/l.csv" >"$KC_TMP/o" 2>&1
[ $? -eq 1 ] && grep -q '第 2 行「上市日期」' "$KC_TMP/o"
kc_check $? "listing: 上市 without a listing date is refused"
sed -i 's/2022-01-01,$/2022-01-01,2024-09-18/' "$KC_TMP/l.csv"
"$BIN" --db "$DB" carrier import listing "$KC_TMP/l.csv" >"$KC_TMP/o" 2>&1 &&
    [ "$(count "SELECT stage || board FROM listing_candidates l JOIN enterprises e ON e.id = l.enterprise_id WHERE e.uscc = '$U1'")" = listedstar ]
kc_check $? "listing candidate written (stage and board by name)"

"$BIN" --db "$DB" audit verify >"$KC_TMP/o" 2>&1
kc_check $? "audit chain intact"

"$BIN" --db "$DB" carrier import castles "$KC_TMP/t2.csv" >"$KC_TMP/o" 2>&1
[ $? -eq 2 ]
kc_check $? "an unknown kind exits 2"

kc_done
