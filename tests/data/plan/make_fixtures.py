#!/usr/bin/env python3
"""make_fixtures.py - writes the plan-table fixtures of
tests/api/test_plan.c into this directory: the 河东区 年度分解表 of
reference/plans.md section 3 (2020-2022 targets as published; the 2019
基期 column is made up for the tests and says so in a note) as CSV, XLSX
and text pasted from a Word table, a broken copy, and a 任务分工表
written in the style of the published ones.
Run: python3 tests/data/plan/make_fixtures.py"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "import"))
import make_fixtures as mf  # noqa: E402  (the XLSX writer of the import tests)

mf.HERE = HERE

TITLE = "河东区科技创新三年行动计划主要指标年度分解表"
HEAD = ["序号", "指标名称", "2019年（基期）", "2020年", "2021年", "2022年"]
ROWS = [
    ["1", "研发支出与地区生产总值比值（%）", "2.5", "2.57", "2.58", "2.59"],
    ["2", "全区有效发明专利（件）", "1120", "1140", "1155", "1170"],
    ["3", "高新技术企业数量（家）", "96", "108", "116", "128"],
    ["4", "“雏鹰”企业数量（家）", "52", "60", "70", "80"],
    ["5", "“瞪羚”企业数量（家）", "6", "8", "10", "12"],
    ["6", "科技领军（领军培育）企业数量（家）", "尚未开展", "0", "1", "2"],
    ["7", "全区技术合同成交额（亿元）", "36.5", "40", "45", "50"],
]
NOTES = [
    "注：1. 全区有效发明专利、高新技术企业数量为年末累计数；全区技术合同成交额为当年数。",
    "2. 2019年基期数为测试用数据，非公开发布数。",
]


def csv_line(cells):
    out = []
    for c in cells:
        if any(ch in c for ch in ',"\n'):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out)


def main():
    lines = ["附件1", TITLE, csv_line(HEAD)] + [csv_line(r) for r in ROWS] + NOTES
    mf.write("hedong_targets.csv", "\n".join(lines) + "\n", bom=True)

    # pasted from a Word table: tab separated, full-width ％, no 序号 column
    paste = ["指标\t2019年实际\t2020年\t2021年\t2022年"]
    for r in ROWS:
        paste.append("\t".join([r[1].replace("%", "％")] + r[2:]))
    mf.write("hedong_targets_paste.txt", "\n".join(paste) + "\n")

    # the same table in a workbook, with number cells (one written through
    # a double, as Excel does) and a merged title row
    rows = [(1, [TITLE]), (2, HEAD)]
    for i, r in enumerate(ROWS):
        cells = [("n", r[0]), r[1]]
        for v in r[2:]:
            if v == "2.57":
                cells.append(("n", "2.5699999999999998"))
            elif any(ch.isdigit() for ch in v):
                cells.append(("n", v))
            else:
                cells.append(v)
        rows.append((3 + i, cells))
    rows.append((11, [NOTES[0]]))
    mf.xlsx("hedong_targets.xlsx", rows, merges=("A1:F1",))

    # broken: a year outside the plan, % over 100, an unknown unit
    bad = [csv_line(["序号", "指标名称", "2020年", "2021年", "2023年"]),
           csv_line(["1", "研发支出与地区生产总值比值（%）", "2.57", "101", "3"]),
           csv_line(["2", "科技成果转化量（吨）", "1", "2", "3"])]
    mf.write("hedong_targets_bad.csv", "\n".join(bad) + "\n")

    tasks = [
        "附件2",
        "河东区科技创新三年行动计划任务分工表",
        csv_line(["序号", "重点任务", "工作措施", "牵头单位", "责任单位", "完成时限"]),
        csv_line(["一、实施科技企业梯度培育工程"]),
        csv_line(["1", "壮大科技企业群体", "建立科技型企业库，实行入库企业动态管理",
                  "区科技局", "大王庄街道、大直沽街道，河东科创园区", "2022年12月"]),
        csv_line(["2", "", "推动科技型中小企业评价入库，力争每年入库300家以上",
                  "区科技局", "区市场监管局、区税务局", "每年"]),
        csv_line(["", "", "对入库企业开展“一对一”辅导服务", "", "区人才办", ""]),
        csv_line(["3", "培育高新技术企业", "到2022年高新技术企业达到128家",
                  "区科技局", "区财政局、区税务局", "2022年12月"]),
        csv_line(["二、推进技术转移和成果转化"]),
        csv_line(["4", "活跃技术市场", "全区技术合同成交额2022年达到50亿元",
                  "区科技局", "区发改委，区财政局", "2022年12月"]),
        csv_line(["5", "引育高层次人才", "落实“海河英才”行动计划，引育创新创业团队",
                  "区人才办", "区人社局、区科技局", "每季度"]),
    ]
    mf.write("hedong_tasks.csv", "\n".join(tasks) + "\n")


if __name__ == "__main__":
    main()
