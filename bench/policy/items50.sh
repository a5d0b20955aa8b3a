#!/bin/sh
# bench/policy/items50.sh - bring the policy pool of a benchmark copy of a
# library up to 50 items, reproducibly: the demo pool's items are kept and
# items bench-01 ... are added (variants of the demo's rule texts with other
# thresholds, rates, caps, tiers and triggers) until there are 50. Written
# with sqlite3 straight into the copy (a scratch database: no audit entry,
# no case check); every added rule text uses only inputs the DuckDB peer
# (policy.sql.in) computes, and their conditions go to CONDS as the
# peer's columns (demo_conds.csv has those of the demo pool).
#
#   sh bench/policy/items50.sh DB [CONDS]
set -eu
DB=$1
CONDS=${2:-/dev/null}
NOW=2026-01-01T00:00:00Z
have=$(sqlite3 "$DB" "SELECT COUNT(*) FROM policy_items WHERE status <> 'retired' AND code NOT LIKE 'bench-%'")
pid=$(sqlite3 "$DB" "SELECT min(id) FROM policies")
[ -n "$pid" ] || { echo "库中没有政策，先运行 kechuang demo" >&2; exit 1; }
k=0
sql=""
conds=""
cond() { # code hnte resident serious listed rd_min rd_gt emp_max emp_min
    conds="$conds$1,$2,$3,$4,$5,$6,$7,$8,$9
"
}
add() { # code title rule trigger_kind trigger_basis amount_kind amount figure rate_bp cap tiers year_cap
    sql="$sql
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind,
  trigger_basis, auto_grant, amount_kind, amount, figure, figure_year,
  rate_bp, cap, tiers, budget_line, status, year_cap, created_at, updated_at)
VALUES ($pid, '$1', '$2', '$3', NULLIF('$4', ''), NULLIF('$5', ''), 0, '$6',
  NULLIF('$7', ''), NULLIF('$8', ''), CASE WHEN '$8' = 'rd_expense' THEN -1
  ELSE 0 END, NULLIF('$9', ''), NULLIF('${10}', ''), NULLIF('${11}', ''),
  'bench', 'unverified', NULLIF('${12}', ''), '$NOW', '$NOW')
ON CONFLICT (code) DO NOTHING;"
}
rule() { # id title conditions (one per line)
    printf 'ruleset policy-%s "%s"\ntier policy\nstatus unverified\nlet y = year - 1\nall cond "申请条件" {\n%s\n}\npass = cond\n' "$1" "$2" "$3"
}
NS='  not serious_illegal "未列入严重违法失信企业名单"'
i=1
while [ $((have + k)) -lt 50 ]; do
    code=$(printf 'bench-%02d' $i)
    case $((i % 5)) in
    1) # percentage of last year's R&D expense with a cap
        t=$((i * 200000)); rate=$((500 + (i % 7) * 100)); cap=$((i * 100000))
        c="  rd: rd_expense[y] >= ${t}元 \"上一年度研发费用不低于${t}元\"
$NS"
        [ $((i % 2)) = 1 ] && c="  hnte_cert \"持有效期内的高新技术企业证书\"
$c"
        cond "$code" $((i % 2)) 0 1 0 "$t" "" "" ""
        add "$code" "研发后补助 $i" "$(rule "$code" "研发后补助 $i" "$c")" "" "" percent "" rd_expense "$rate" "$cap" "" "" ;;
    2) # tiers of last year's R&D expense
        b=$((i * 500000))
        c="  rd: rd_expense[y] >= ${b}元 \"上一年度研发费用不低于${b}元\"
$NS"
        tiers="[{\"from\":$b,\"amount\":$((i * 10000))},{\"from\":$((b * 3)),\"amount\":$((i * 25000))},{\"from\":$((b * 10)),\"amount\":$((i * 60000))}]"
        cond "$code" 0 0 1 0 "$b" "" "" ""
        add "$code" "研发分档 $i" "$(rule "$code" "研发分档 $i" "$c")" "" "" tiered "" rd_expense "" "" "$tiers" "" ;;
    3) # fixed amount for small resident enterprises
        e=$((50 + i * 20))
        c="  resident \"在中国境内注册的居民企业\"
  staff: employees[y] <= $e \"上一年度职工总数不超过${e}人\"
$NS"
        cond "$code" 0 1 1 0 "" "" "$e" ""
        add "$code" "小微奖励 $i" "$(rule "$code" "小微奖励 $i" "$c")" "" "" fixed $((i * 5000)) "" "" "" "" "" ;;
    4) # per first certification or entry of the year
        case $((i % 3)) in 0) tk=hnte; tb=first ;; 1) tk=hnte; tb=recert ;; *) tk=sme; tb= ;; esac
        c="$NS"
        [ "$tk" = hnte ] && c="  hnte_cert \"持有效期内的高新技术企业证书\"
$c"
        if [ "$tk" = hnte ]; then h=1; else h=0; fi
        cond "$code" $h 0 1 0 "" "" "" ""
        add "$code" "认定奖励 $i" "$(rule "$code" "认定奖励 $i" "$c")" "$tk" "$tb" per_event $((i * 10000)) "" "" "" "" "" ;;
    0) # fixed amount for certified enterprises of some size
        e=$((i * 2))
        c="  hnte_cert \"持有效期内的高新技术企业证书\"
  staff: employees[y] >= $e \"上一年度职工总数不少于${e}人\"
$NS"
        cond "$code" 1 0 1 0 "" "" "" "$e"
        add "$code" "高企规模奖励 $i" "$(rule "$code" "高企规模奖励 $i" "$c")" "" "" fixed $((i * 8000)) "" "" "" "" $((i * 6000)) ;;
    esac
    i=$((i + 1)); k=$((k + 1))
done
printf '%s' "$conds" > "$CONDS"
[ -z "$sql" ] || sqlite3 "$DB" "BEGIN; $sql COMMIT;"
sqlite3 "$DB" "SELECT COUNT(*) FROM policy_items WHERE status <> 'retired'"
