#!/bin/sh
# market_cli.sh - `kechuang import contracts` and `kechuang report contracts`
# on a fresh database: a dry run writes nothing, an import writes the rows,
# the same file again changes nothing, a file with bad rows exits 1 naming
# row and column, and the report shows the year's total.
BIN=${BIN:-build/kechuang}
DATA=tests/data/market
n=0
dir=$(mktemp -d "${TMPDIR:-/tmp}/kc-market.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
db="$dir/kc.db"

result() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
    fi
}

"$BIN" --db "$db" init >/dev/null 2>&1
result $? "init"

out=$("$BIN" --db "$db" import contracts "$DATA/contracts_2024_07.csv" \
    --dry-run 2>&1)
echo "$out" | grep -q "有效 3" && echo "$out" | grep -q "未写入任何数据"
result $? "dry run: 3 valid rows, nothing written"

out=$("$BIN" --db "$db" import contracts "$DATA/contracts_2024_07.csv" 2>&1)
echo "$out" | grep -q "新登记 3"
result $? "import: 3 contracts registered"

out=$("$BIN" --db "$db" import contracts "$DATA/contracts_2024_07.csv" 2>&1)
echo "$out" | grep -q "新登记 0，变更 0，无变化 3"
result $? "the same file again changes nothing"

out=$("$BIN" --db "$db" import contracts "$DATA/contracts_bad.csv" 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "第 4 行「技术交易额」"
result $? "bad rows: exit 1, row and column named"

out=$("$BIN" --db "$db" report contracts --year 2024 2>&1)
echo "$out" | grep -q "2024 年技术合同：3 份，成交额 980 万元"
result $? "report contracts --year 2024"
echo "$out" | sed 's/^/# /' | head -8

"$BIN" --db "$db" report contracts --year 2024 --format json |
    grep -q '"amount": 9800000'
result $? "report --format json carries the indicator"

echo "1..$n"
