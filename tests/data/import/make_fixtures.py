#!/usr/bin/env python3
"""make_fixtures.py - writes the import fixtures of tests/unit/test_import.c
and tests/api/test_import.c into this directory. The XLSX files are
written part by part (as WPS / LibreOffice lay them out), not through a
spreadsheet library. Run: python3 tests/data/import/make_fixtures.py"""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(n):
    body = "91120102MA%07d" % n
    s = sum(CHARSET.index(c) * w for c, w in zip(body, W))
    return body + CHARSET[(31 - s % 31) % 31]


def wrong_check(code):
    i = CHARSET.index(code[17])
    return code[:17] + CHARSET[(i + 1) % 31]


ENT_HEAD = "统一社会信用代码,企业名称,所属单位,地址,法定代表人,成立日期,注册资本（万元）,行业代码,技术领域,技术领域子项,上市状态,联系人,联系电话,电子邮箱,备注"
FIG_HEAD = "统一社会信用代码,企业名称,年度,职工总数（人）,科技人员（人）,研发人员（人）,销售收入（万元）,总收入（万元）,研发费用（万元）"


def write(name, text, enc="utf-8", bom=False):
    data = text.replace("\n", "\r\n").encode(enc)
    if bom:
        data = b"\xef\xbb\xbf" + data
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def ent_row(n, name, date="2019-05-20", capital="500"):
    return "%s,%s,,天津市河东区%d号,张三,%s,%s,C3963,电子信息,,未上市,李四,022-12345678,a%d@example.com," % (
        uscc(n), name, n, date, capital, n)


def main():
    write("ent_ok.csv", "\n".join([ENT_HEAD, ent_row(1, "天津甲科技有限公司"),
                                  ent_row(2, "天津乙科技有限公司"),
                                  ent_row(3, "天津丙科技有限公司")]) + "\n", bom=True)
    write("ent_gbk.csv", "\n".join([ENT_HEAD, ent_row(11, "天津河东区测试科技有限公司"),
                                   ent_row(12, "天津鑫淼科技有限公司")]) + "\n", enc="gbk")
    write("ent_bad_check.csv", "\n".join([ENT_HEAD, ent_row(1, "天津甲科技有限公司"),
                                         ent_row(2, "天津乙科技有限公司").replace(uscc(2), wrong_check(uscc(2)))]) + "\n")
    # the same code twice: the second written in lower case with spaces
    dup = uscc(5)
    write("ent_dup.csv", "\n".join([ENT_HEAD, ent_row(5, "天津戊科技有限公司"),
                                   ent_row(6, "天津己科技有限公司"),
                                   ent_row(5, "天津戊科技有限公司（重复）").replace(dup, dup[:9].lower() + " " + dup[9:])]) + "\n")
    write("ent_bad_date.csv", "\n".join([ENT_HEAD, ent_row(7, "天津庚科技有限公司", date="2021/2/30")]) + "\n")
    write("ent_empty_required.csv", "\n".join([ENT_HEAD, ent_row(8, "天津辛科技有限公司"),
                                              ",天津壬科技有限公司,,,,,,,,,,,,,"]) + "\n")
    write("ent_missing_column.csv", "企业名称,地址\n天津甲科技有限公司,河东区\n")
    write("ent_unterminated.csv", ENT_HEAD + "\n" + ent_row(9, "天津癸科技有限公司") + "\n" +
          uscc(10) + ',"天津未闭合引号科技有限公司,,,,,,,,,,,,,\n')
    write("fig_text_number.csv", "\n".join([FIG_HEAD, "%s,,2024,十二,5,3,1000,1000,50" % uscc(1)]) + "\n")
    write("fig_money.csv", "\n".join([FIG_HEAD, "%s,,2024,20,5,3,-100,1000,50" % uscc(1),
                                     "%s,,2024,20,5,3,1000.12345,1000,50" % uscc(2)]) + "\n")
    write("fig_ok.csv", "\n".join([FIG_HEAD, "%s,,2023,20,5,3,1000,1200,50" % uscc(1),
                                  "%s,,2024,22,6,4,1234.5678,1300,80.5" % uscc(1),
                                  "%s,,2024,30,8,5,2000,2100,100" % uscc(2)]) + "\n")
    write("ip_owner.csv", "统一社会信用代码,知识产权类型,编号,名称,申请日期\n"
          "%s,发明专利,ZL202110000001.1,一种测试方法,2021-01-05\n"
          "%s,实用新型专利,ZL202120000002.2,一种测试装置,2021-03-01\n" % (uscc(1), uscc(99)))
    write("fact_ok.csv", "统一社会信用代码,事项类型,子类,级别,名称,发生日期,金额（万元）\n"
          "%s,科技奖励,一等奖,市级,天津市科学技术进步奖,2023-12-01,\n"
          "%s,创业投资（融资）,,,A 轮融资,2024-03-01,3000\n"
          "%s,科技奖励,,市级,缺子类的奖励,2023-12-01,\n" % (uscc(1), uscc(2), uscc(1)))
    xlsx_merged_title()
    xlsx_formula()
    corrupt()


CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
      '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
      '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>')
WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WBRELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
          '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
          '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
          '</Relationships>')
STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
          '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border/></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '</styleSheet>')


def col(i):
    return chr(ord("A") + i)


def xlsx(name, rows, merges=()):
    """rows: list of (row_no, [cell, ...]); a cell is None, a str (shared
    string), ("n", text), ("d", serial) or ("f", formula, cached)."""
    sst = []
    idx = {}
    out = []
    for rno, cells in rows:
        cs = []
        for i, c in enumerate(cells):
            ref = "%s%d" % (col(i), rno)
            if c is None:
                continue
            if isinstance(c, str):
                if c not in idx:
                    idx[c] = len(sst)
                    sst.append(c)
                cs.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, idx[c]))
            elif c[0] == "n":
                cs.append('<c r="%s"><v>%s</v></c>' % (ref, c[1]))
            elif c[0] == "d":
                cs.append('<c r="%s" s="1"><v>%s</v></c>' % (ref, c[1]))
            elif c[0] == "f":
                cs.append('<c r="%s"><f>%s</f><v>%s</v></c>' % (ref, c[1], c[2]))
        out.append('<row r="%d">%s</row>' % (rno, "".join(cs)))
    mc = ""
    if merges:
        mc = '<mergeCells count="%d">%s</mergeCells>' % (
            len(merges), "".join('<mergeCell ref="%s"/>' % m for m in merges))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheetData>%s</sheetData>%s</worksheet>' % ("".join(out), mc))
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;")
    ss = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
          % (len(sst), len(sst), "".join("<si><t>%s</t></si>" % esc(s) for s in sst)))
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in (("[Content_Types].xml", CT), ("_rels/.rels", RELS),
                     ("xl/workbook.xml", WB), ("xl/_rels/workbook.xml.rels", WBRELS),
                     ("xl/styles.xml", STYLES), ("xl/sharedStrings.xml", ss),
                     ("xl/worksheets/sheet1.xml", sheet)):
            zi = zipfile.ZipInfo(n, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, d)


def xlsx_merged_title():
    head = ENT_HEAD.split(",")
    xlsx("ent_merged_title.xlsx", [
        (1, ["2024年河东区科技型企业登记信息表"] + [None] * 14),
        (2, ["填报单位：河东区科技局", None, None, None, None, None, None, None, "填报日期：2024年3月"] + [None] * 6),
        (3, head),
        (4, [uscc(21), "天津合并标题科技有限公司", None, "河东区一号", "王五", ("d", "43466"),
             ("n", "8.710900000000001"), "C3963", "电子信息", None, "未上市", None, None, None, None]),
        (5, [uscc(22), "天津表格科技有限公司", None, None, None, "2020-02-29",
             ("n", "1500"), "I65", "2", None, None, None, ("n", "13800000000"), None, None]),
    ], merges=("A1:O1", "A2:H2", "I2:O2"))


def xlsx_formula():
    head = FIG_HEAD.split(",")
    xlsx("fig_formula.xlsx", [
        (1, head),
        (2, [uscc(1), None, ("n", "2024"), ("n", "20"), ("n", "5"), ("n", "3"),
             ("n", "1000"), ("f", "G2+100", "1100"), ("n", "50")]),
    ])


def corrupt():
    with open(os.path.join(HERE, "ent_merged_title.xlsx"), "rb") as f:
        data = f.read()
    with open(os.path.join(HERE, "truncated.xlsx"), "wb") as f:
        f.write(data[: len(data) // 2])


if __name__ == "__main__":
    main()
