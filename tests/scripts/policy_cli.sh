#!/bin/sh
# policy_cli.sh - `kechuang policy` on a demo district: match one
# enterprise (table, JSON, CSV), the 免申即享 list and the candidates of an
# item, usage errors (exit 2) and failures (exit 1, zh-CN message); the
# demo's year of policy work reconciles (batch totals = their rows, no
# payment above its application). TAP output. Needs BIN (set by
# tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

A=$KC_TMP/a.db
# the product's year is the Beijing one (UTC+8)
Y=$(date -u -d "@$(($(date +%s) + 8 * 3600))" +%Y)
kc_init "$A"
kc_check $? "init the database"
"$BIN" --db "$A" demo --enterprises 400 --seed 3 --quiet >"$KC_TMP/o" 2>&1
kc_check $? "demo library of 400 enterprises with a year of policy work"

"$BIN" --db "$A" export enterprises -o "$KC_TMP/ent.csv" >/dev/null 2>&1
U=$(grep -o '91[0-9A-Z]\{16\}' "$KC_TMP/ent.csv" | head -1)
"$BIN" --db "$A" policy match --enterprise "$U" --year "$Y" >"$KC_TMP/m" 2>&1 &&
    grep -q "高新技术企业首次认定奖励" "$KC_TMP/m" &&
    grep -q "符合条款可得合计" "$KC_TMP/m"
kc_check $? "policy match --enterprise $U lists every item with a total"
"$BIN" --db "$A" policy match --enterprise "$U" --year "$Y" --format json \
    >"$KC_TMP/j" 2>&1 && grep -q '"outcome"' "$KC_TMP/j"
kc_check $? "policy match --format json"
"$BIN" --db "$A" policy match --enterprise "$U" --format csv >"$KC_TMP/c" 2>&1 &&
    head -1 "$KC_TMP/c" | grep -q "条款编码,条款,结论"
kc_check $? "policy match --format csv"

"$BIN" --db "$A" policy entitled --item hnte-first --year "$Y" >"$KC_TMP/e" 2>&1 &&
    grep -q "^共 " "$KC_TMP/e"
kc_check $? "policy entitled --item hnte-first (the demo confirmed some)"
"$BIN" --db "$A" policy candidates --item rd-subsidy --year "$Y" \
    --format csv >"$KC_TMP/k" 2>&1 &&
    head -1 "$KC_TMP/k" | grep -q "序号,企业名称"
kc_check $? "policy candidates --item rd-subsidy --format csv"

"$BIN" --db "$A" policy district --year "$Y" >"$KC_TMP/d" 2>&1 &&
    grep -q "企业 400 家" "$KC_TMP/d" && grep -q "研发费用后补助" "$KC_TMP/d"
kc_check $? "policy district: every item over the district in one pass"

# --runs: a time line per further pass, the same counts each time; --dump:
# every (enterprise, item) that is not 不符合, the district's counts again
"$BIN" --db "$A" policy district --year "$Y" --runs 3 \
    --dump "$KC_TMP/dump.csv" >"$KC_TMP/d3" 2>"$KC_TMP/d3.err" &&
    [ "$(grep -c '^第 [12] 次：快照' "$KC_TMP/d3.err")" = 2 ] &&
    grep -v '^快照' "$KC_TMP/d" >"$KC_TMP/d1.t" &&
    grep -v '^快照' "$KC_TMP/d3" >"$KC_TMP/d3.t" && cmp -s "$KC_TMP/d1.t" "$KC_TMP/d3.t"
kc_check $? "policy district --runs 3: a line per pass, the same counts"
q=$(sed -n 's/^高新技术企业首次认定奖励\t符合 \([0-9]*\)\t.*/\1/p' "$KC_TMP/d")
[ "$(head -1 "$KC_TMP/dump.csv")" = "enterprise_id,item,outcome,amount" ] &&
    [ "$(grep -c ',hnte-first,qualified,' "$KC_TMP/dump.csv")" = "$q" ] &&
    ! grep -q ',not,0$' "$KC_TMP/dump.csv"
kc_check $? "policy district --dump: hnte-first's qualified rows are its count ($q)"
"$BIN" --db "$A" policy district --runs 0 >/dev/null 2>&1
[ $? -eq 2 ]
kc_check $? "policy district --runs 0 is a usage error (2)"

"$BIN" --db "$A" policy match >/dev/null 2>&1
[ $? -eq 2 ]
kc_check $? "policy match without --enterprise is a usage error (2)"
"$BIN" --db "$A" policy nope >/dev/null 2>&1
[ $? -eq 2 ]
kc_check $? "unknown subcommand is a usage error (2)"
"$BIN" --db "$A" policy entitled --item rd-subsidy --year "$Y" \
    >/dev/null 2>"$KC_TMP/err"
[ $? -eq 1 ] && grep -q "不是免申即享" "$KC_TMP/err"
kc_check $? "entitled on an item that is not 免申即享 fails with why (1)"
kc_init "$KC_TMP/empty.db" >/dev/null 2>&1
"$BIN" --db "$KC_TMP/empty.db" policy match --enterprise "$U" \
    >/dev/null 2>"$KC_TMP/err"
[ $? -eq 1 ] && grep -q "没有统一社会信用代码" "$KC_TMP/err"
kc_check $? "unknown enterprise fails (1)"

if command -v sqlite3 >/dev/null 2>&1; then
    n=$(sqlite3 "$A" "SELECT count(*) FROM policy_batches b WHERE total <> \
(SELECT sum(amount) FROM policy_payments p WHERE p.batch_id = b.id)")
    [ "$n" = 0 ]
    kc_check $? "every demo batch total equals its rows (got $n off)"
    n=$(sqlite3 "$A" "SELECT count(*) FROM policy_applications a WHERE \
(SELECT coalesce(sum(amount), 0) FROM policy_payments p WHERE \
p.application_id = a.id) > a.amount")
    [ "$n" = 0 ]
    kc_check $? "no application paid above its amount (got $n)"
    n=$(sqlite3 "$A" "SELECT count(*) FROM policy_payments")
    [ "$n" -gt 0 ]
    kc_check $? "the demo made payments ($n)"
else
    kc_skip "demo reconciliation (sqlite3 not installed)"
fi
"$BIN" --db "$A" audit verify >"$KC_TMP/o" 2>&1
kc_check $? "audit chain intact after the demo's policy work"
kc_done
