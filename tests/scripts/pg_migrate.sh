#!/bin/sh
# pg_migrate.sh - `kechuang migrate` round trip: an SQLite database with
# demo data is copied to PostgreSQL and back to a new SQLite file; the
# dry run lists the tables, every table has the same rows on both sides,
# the four exports are byte for byte the same from all three, the audit
# chain verifies on each copy, a write on the PostgreSQL copy gets a new id
# above the copied ones, and a non-empty destination is refused. Uses the
# cluster of KC_TEST_PG, else starts a throwaway one
# (tests/scripts/lib/pg.sh); without PostgreSQL it reports a skip.
. tests/scripts/lib/kc.sh
. tests/scripts/lib/pg.sh

own=0
if [ -z "${KC_TEST_PG:-}" ]; then
    if ! pg_find; then
        kc_skip "PostgreSQL 未安装"
        kc_done
        exit $?
    fi
    pg_start || {
        kc_check 1 "启动临时 PostgreSQL 集群"
        kc_done
        exit 1
    }
    own=1
fi
REAL=${KC_REAL_BIN:-$BIN}
name=kc_mig_$$
psql "$KC_TEST_PG" -qc "CREATE DATABASE $name TEMPLATE template0" >/dev/null
PGU=$(printf '%s' "$KC_TEST_PG" | sed "s|^\(postgres[a-z]*://[^/]*\)/[^?]*|\1/$name|")
A=$KC_TMP/a.db
B=$KC_TMP/b.db
mkdir -p "$KC_TMP/pgdata"

"$REAL" --db "$A" init >/dev/null 2>&1 &&
    "$REAL" --db "$A" demo --enterprises 150 --seed 7 >/dev/null 2>&1
kc_check $? "SQLite 演示数据库（150 家企业）"

"$REAL" --db "$A" migrate --to "$PGU" --dry-run >"$KC_TMP/dry" 2>&1
st=$?
grep -q 'enterprises  *150 行' "$KC_TMP/dry"
kc_check $((st + $?)) "--dry-run 列出将复制的表与行数"
n=$(psql "$PGU" -tAc "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'")
kc_check "$([ "$n" = 0 ] && echo 0 || echo 1)" "--dry-run 不写入目标（表 $n 个）"

"$REAL" --db "$A" migrate --to "$PGU" >"$KC_TMP/m1" 2>"$KC_TMP/m1.err"
st=$?
sed 's/^/# /' "$KC_TMP/m1"
grep -q '不一致' "$KC_TMP/m1"
kc_check $((st + 1 - $?)) "SQLite → PostgreSQL：退出码 0，逐表行数一致"
grep -q '审计链完整' "$KC_TMP/m1"
kc_check $? "复制后审计链校验通过"

"$REAL" --db "$PGU" --data-dir "$KC_TMP/pgdata" migrate --to "$B" \
    >"$KC_TMP/m2" 2>"$KC_TMP/m2.err"
st=$?
grep -q '不一致' "$KC_TMP/m2"
kc_check $((st + 1 - $?)) "PostgreSQL → SQLite：退出码 0，逐表行数一致"

same=0
for k in enterprises figures ip facts; do
    "$REAL" --db "$A" export "$k" >"$KC_TMP/a_$k.csv" 2>/dev/null
    "$REAL" --db "$PGU" --data-dir "$KC_TMP/pgdata" export "$k" \
        >"$KC_TMP/p_$k.csv" 2>/dev/null
    "$REAL" --db "$B" export "$k" >"$KC_TMP/b_$k.csv" 2>/dev/null
    if ! cmp -s "$KC_TMP/a_$k.csv" "$KC_TMP/p_$k.csv" ||
        ! cmp -s "$KC_TMP/a_$k.csv" "$KC_TMP/b_$k.csv" ||
        [ "$(wc -l <"$KC_TMP/a_$k.csv")" -lt 2 ]; then
        same=1
        echo "# export $k differs"
    fi
done
kc_check $same "四类导出在源、PostgreSQL 副本、回迁的 SQLite 中逐字节相同"

# the plan counts (026) are not copied: each copy is written with their
# triggers off (030) and rebuilds them once from the registers; the
# non-zero rows are those of the source, and the plan's figures the same
PCQ="SELECT src, kind, unit_id, k, SUM(n) FROM plan_counts GROUP BY src, kind, unit_id, k HAVING SUM(n) <> 0 ORDER BY src, kind, unit_id, k"
if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$A" "$PCQ" >"$KC_TMP/pc_a" 2>&1
    psql "$PGU" -tAc "$PCQ" >"$KC_TMP/pc_p" 2>&1
    sqlite3 "$B" "$PCQ" >"$KC_TMP/pc_b" 2>&1
    same=0
    if ! cmp -s "$KC_TMP/pc_a" "$KC_TMP/pc_p" ||
        ! cmp -s "$KC_TMP/pc_a" "$KC_TMP/pc_b" ||
        [ "$(wc -l <"$KC_TMP/pc_a")" -lt 10 ]; then
        same=1
        diff "$KC_TMP/pc_a" "$KC_TMP/pc_p" | head -n 5 | sed 's/^/# /'
    fi
    kc_check $same "规划计数（plan_counts）在三份库中逐行相同（复制时关闭触发器、之后一次重建）"
    # the contract sums (028) are not copied either: the contracts'
    # triggers fill them as the contracts are copied in
    CSQ="SELECT ym, unit_id, type, field, buyer_place, seller_place, n, amount, tech_amount FROM contract_sums WHERE n <> 0 OR amount <> 0 OR tech_amount <> 0 ORDER BY ym, unit_id, type, field, buyer_place, seller_place"
    sqlite3 "$A" "$CSQ" >"$KC_TMP/cs_a" 2>&1
    psql "$PGU" -tAc "$CSQ" >"$KC_TMP/cs_p" 2>&1
    sqlite3 "$B" "$CSQ" >"$KC_TMP/cs_b" 2>&1
    same=0
    if ! cmp -s "$KC_TMP/cs_a" "$KC_TMP/cs_p" ||
        ! cmp -s "$KC_TMP/cs_a" "$KC_TMP/cs_b" ||
        [ "$(wc -l <"$KC_TMP/cs_a")" -lt 2 ]; then
        same=1
        diff "$KC_TMP/cs_a" "$KC_TMP/cs_p" | head -n 5 | sed 's/^/# /'
    fi
    kc_check $same "技术合同统计汇总（contract_sums）在三份库中逐行相同（由复制进来的合同的触发器算出）"
else
    kc_skip "sqlite3 未安装：不比较 plan_counts"
    kc_skip "sqlite3 未安装：不比较 contract_sums"
fi
same=0
for d in A P B; do
    case $d in
    A) set -- --db "$A" ;;
    P) set -- --db "$PGU" --data-dir "$KC_TMP/pgdata" ;;
    B) set -- --db "$B" ;;
    esac
    "$REAL" "$@" report quarter --plan 1 --quarter 2022Q3 --format json \
        >"$KC_TMP/r_$d.json" 2>/dev/null || same=1
done
if ! cmp -s "$KC_TMP/r_A.json" "$KC_TMP/r_P.json" ||
    ! cmp -s "$KC_TMP/r_A.json" "$KC_TMP/r_B.json" ||
    ! grep -q '"actual"' "$KC_TMP/r_A.json"; then
    same=1
fi
kc_check $same "行动计划季度报告（由维护的计数算出）在三份库中相同"

"$REAL" --db "$B" audit verify >/dev/null 2>&1
kc_check $? "回迁的 SQLite 审计链校验通过"

# a new row on the PostgreSQL copy: its id continues above the copied ones
printf 'Tianjin7Kq2x9\n' | "$REAL" --db "$PGU" --data-dir "$KC_TMP/pgdata" \
    user add newcomer --role staff --unit 1 >/dev/null 2>&1
kc_check $? "PostgreSQL 副本上可继续写入（新用户）"
"$REAL" --db "$PGU" --data-dir "$KC_TMP/pgdata" audit verify >/dev/null 2>&1
kc_check $? "写入后 PostgreSQL 副本的审计链仍完整"

"$REAL" --db "$A" migrate --to "$PGU" >/dev/null 2>"$KC_TMP/m3.err"
st=$?
grep -q '不是空库' "$KC_TMP/m3.err"
kc_check $((st == 1 ? $? : 1)) "目标不是空库时拒绝写入（退出码 1）"

psql "$KC_TEST_PG" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
[ "$own" = 1 ] && pg_stop
kc_done
