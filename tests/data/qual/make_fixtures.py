#!/usr/bin/env python3
"""make_fixtures.py - published lists shaped as Tianjin and the ministry
publish them (认定名单 / 入库名单), for tests/scripts/qual_pub.sh and
tests/api/test_qual.c: a title row and a 发文 line above the header,
merged cells, a blank row, one sheet per district, a 序号 column, notes
and a 合计 row below the table, names with （天津） and (天津) and
trailing spaces, dates as Excel serials, as 2023年12月8日 and 2023.12.08,
certificate numbers with spaces. ent.csv is the library they are
matched against. The XLSX files are written part by part, not through
a spreadsheet library. Run: python3 tests/data/qual/make_fixtures.py"""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(n):
    body = "91120101MA%07d" % n
    s = sum(CHARSET.index(c) * w for c, w in zip(body, W))
    return body + CHARSET[(31 - s % 31) % 31]


def write(name, text, enc="utf-8"):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(text.replace("\n", "\r\n").encode(enc))


# the library: (n, name); two enterprises share a name
ENTS = [(1, "华信电子（天津）有限公司"), (2, "天津甲乙科技有限公司"),
        (3, "天津重名科技有限公司"), (4, "天津重名科技有限公司"),
        (5, "天津丙丁新材料有限公司"), (6, "天津戊己软件有限公司")]


def col(i):
    return chr(ord("A") + i)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;")


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


def xlsx(name, sheets):
    """sheets: list of (title, rows, merges); rows: list of (row_no,
    [cell, ...]); a cell is None, a str (shared string), ("n", text) or
    ("d", serial) (a number in a date format)."""
    sst, idx, parts = [], {}, []
    for si, (title, rows, merges) in enumerate(sheets):
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
            out.append('<row r="%d">%s</row>' % (rno, "".join(cs)))
        mc = ""
        if merges:
            mc = '<mergeCells count="%d">%s</mergeCells>' % (
                len(merges), "".join('<mergeCell ref="%s"/>' % m for m in merges))
        parts.append(("xl/worksheets/sheet%d.xml" % (si + 1),
                      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                      '<sheetData>%s</sheetData>%s</worksheet>' % ("".join(out), mc)))
    n = len(sheets)
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          + "".join('<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % (i + 1) for i in range(n)) +
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
          '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          + "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (esc(s[0]), i + 1, i + 1) for i, s in enumerate(sheets)) +
          '</sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              + "".join('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>' % (i + 1, i + 1) for i in range(n)) +
              '<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' % (n + 1) +
              '<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' % (n + 2) +
              '</Relationships>')
    ss = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
          % (len(sst), len(sst), "".join('<si><t xml:space="preserve">%s</t></si>' % esc(s) for s in sst)))
    with zipfile.ZipFile(os.path.join(HERE, name), "w", zipfile.ZIP_DEFLATED) as z:
        for pn, d in [("[Content_Types].xml", ct), ("_rels/.rels", rels),
                      ("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", wbrels),
                      ("xl/styles.xml", STYLES), ("xl/sharedStrings.xml", ss)] + parts:
            zi = zipfile.ZipInfo(pn, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, d)


TITLE = "天津市2023年第一批认定报备高新技术企业名单"
ISSUE = "津科高〔2023〕12号　发布日期：2023年12月8日"
HEAD = ["序号", "企业名称", "证书编号", "发证日期", "所属区"]
NOTE = "注：以上企业排名不分先后，证书有效期三年。"


def main():
    write("ent.csv", "统一社会信用代码,企业名称,所属单位\n" +
          "".join("%s,%s,\n" % (uscc(n), name) for n, name in ENTS))
    # 高企认定名单: one sheet per district; 45268 = 2023-12-08
    xlsx("hnte_2023.xlsx", [
        ("和平区", [
            (1, [TITLE, None, None, None, None]),
            (2, [ISSUE]),
            (4, HEAD),
            (5, [("n", "1"), "华信电子(天津)有限公司 ", "GR202312000101", ("d", "45268"), "和平区"]),
            (6, [("n", "2"), "天津甲乙科技有限公司", "GR 2023 1200 0102", ("d", "45268"), "和平区"]),
            (7, [("n", "3"), "天津重名科技有限公司", "GR202312000103", ("d", "45268"), "和平区"]),
            (8, [("n", "4"), "天津查无此企业有限公司", "GR202312000104", ("d", "45268"), "和平区"]),
            (9, [NOTE]),
            (10, ["合计", "4家"]),
        ], ["A1:E1", "A2:E2", "A9:E9", "B10:E10"]),
        ("河东区", [
            (1, [TITLE + "（河东区）"]),
            (2, HEAD),
            (3, [("n", "1"), "天津丙丁新材料有限公司", "GR202312000105", "2023年12月8日", "河东区"]),
            (4, [("n", "2"), "天津戊己软件有限公司", "GR202312000106", "2023.12.08", "河东区"]),
            (5, ["合计", "2家"]),
        ], ["A1:E1", "B5:E5"]),
    ])
    # the same list as a GBK CSV (one sheet, as saved from the XLSX)
    write("hnte_2023_gbk.csv", "\n".join([
        TITLE + ",,,,", ISSUE + ",,,,", ",,,,", ",".join(HEAD),
        "1,华信电子(天津)有限公司 ,GR202312000101,2023年12月8日,和平区",
        "2,天津甲乙科技有限公司,GR 2023 1200 0102,2023.12.08,和平区",
        "3,天津重名科技有限公司,GR202312000103,2023-12-08,和平区",
        "4,天津查无此企业有限公司,GR202312000104,45268,和平区",
        "5,天津丙丁新材料有限公司,GR202312000105,2023年12月8日,河东区",
        "6,天津戊己软件有限公司,GR202312000106,2023.12.08,河东区",
        NOTE + ",,,,", "合计,6家,,,"]) + "\n", enc="gbk")
    # titles as some lists word them: the number column's title holds
    # 企业 too ("高新技术企业证书编号"), 认定时间, 企业所在区
    write("hnte_titles.csv", "\n".join([
        "序号,企业名称,高新技术企业证书编号,认定时间,企业所在区",
        "1,天津丙丁新材料有限公司,GR202312000205,2023/12/8,河东区"]) + "\n")
    # a list converted from a PDF: the header repeated on every page, a
    # page number line; a name holding 企业 and 时间 is still a row
    write("hnte_pdf.csv", "\n".join([
        "序号,企业名称,证书编号,发证日期",
        "1,天津甲乙科技有限公司,GR202312000302,2023-12-08",
        "第 1 页，共 2 页,,,",
        "序号,企业名称,证书编号,发证日期",
        "2,天津时间企业管理有限公司,GR202312000307,2023-12-08",
        "3,天津戊己软件有限公司,GR202312000306,2023-12-08"]) + "\n")
    # 科技型中小企业入库名单 (UTF-8): 入库登记编号, 企业名称, 所在区
    write("sme_2024.csv", "\n".join([
        "2024年第三批入库科技型中小企业名单,,,",
        "序号,入库登记编号,企业名称,所在区",
        "1,2024120101A0000001,天津甲乙科技有限公司,和平区",
        "2,2024120101A0000002,华信电子（天津）有限公司　,和平区",
        "3,2024120102A0000003,天津查无此企业有限公司,河东区",
        ",,,",
        "注：入库登记编号当年有效。,,,"]) + "\n")


if __name__ == "__main__":
    main()
