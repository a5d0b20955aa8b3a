#!/bin/sh
# bench/market/gen.sh N - an office export of N technology contracts on
# stdout (title row, header on row 2, amounts in 元, a totals row at the
# bottom). Deterministic (srand(7)); used by run.sh and stats.sh.
n=${1:?usage: gen.sh N}
awk -v n="$n" 'BEGIN {
    srand(7)
    print "技术合同登记明细"
    print "登记编号,合同名称,合同类别,卖方名称,卖方地区代码,买方名称,买方地区代码,合同成交额（元）,技术交易额（元）,签订日期,登记日期,技术领域"
    split("技术开发合同 技术转让合同 技术许可合同 技术咨询合同 技术服务合同", ty, " ")
    for (i = 1; i <= n; i++) {
        y = 2020 + i % 6; m = 1 + i % 12; d = 1 + i % 28
        a = 10000 * (1 + int(rand() * 2000))
        printf "%04d120102%06d,合同%d,%s,卖方单位%d,120102,买方单位%d,110108,%d,%d,%04d-%02d-%02d,%04d-%02d-%02d,%d\n",
            y, i % 1000000, i, ty[1 + i % 5], i % 5000, i % 20000, a, a - a % 7,
            y, m, (d > 1 ? d - 1 : 1), y, m, d, 1 + i % 11
    }
    print "合计,,,,,,,,,,,"
}'
