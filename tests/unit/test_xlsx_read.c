/* test_xlsx_read.c - unit tests for the XLSX reader on hand-built packages.
 *
 * Fixtures are assembled here with libzip from XML strings, so every
 * variant (inline strings, formulas, rich text, escapes, caps, corrupt
 * files) is visible in the test itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "base/xlsx_read.h"

typedef struct Part {
    const char *name;
    const char *xml; /* NULL ends the list */
    size_t len;      /* 0 = strlen(xml) */
} Part;

static const char *CT = "<?xml version=\"1.0\"?><Types "
                        "xmlns=\"http://schemas.openxmlformats.org/package/"
                        "2006/content-types\"/>";
static const char *PKG_RELS =
    "<?xml version=\"1.0\"?>"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
    "relationships\"><Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
    "</Relationships>";
static const char *WB_ONE =
    "<?xml version=\"1.0\"?><workbook "
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships\"><sheets><sheet name=\"数据\" sheetId=\"1\" "
    "r:id=\"rId1\"/></sheets></workbook>";
static const char *WB_RELS =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId3\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"/xl/styles.xml\"/>"
    "</Relationships>";
#define SHEET_HEAD                                                             \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet "                    \
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"     \
    "<sheetData>"
#define SHEET_TAIL "</sheetData></worksheet>"

/* Zip the parts (stored or deflated) into malloc'd bytes; *len set. */
static unsigned char *make_zip(const Part *parts, size_t *len)
{
    char path[] = "/tmp/test_xlsx_read_XXXXXX";
    int fd = mkstemp(path);
    zip_t *z;
    FILE *f;
    unsigned char *data;
    long n;
    int err = 0;

    assert_true(fd >= 0);
    close(fd);
    z = zip_open(path, ZIP_TRUNCATE, &err);
    assert_non_null(z);
    for (; parts->name; parts++) {
        size_t l = parts->len ? parts->len : strlen(parts->xml);
        zip_source_t *src = zip_source_buffer(z, parts->xml, l, 0);
        assert_non_null(src);
        assert_true(zip_file_add(z, parts->name, src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    unlink(path);
    *len = (size_t)n;
    return data;
}

/* A one-sheet workbook with the given sheet, shared strings and styles
 * (NULL = part absent). */
static unsigned char *make_book(const char *sheet, const char *sst,
                                const char *styles, size_t *len)
{
    Part parts[8];
    size_t i = 0;

    parts[i++] = (Part){"[Content_Types].xml", CT, 0};
    parts[i++] = (Part){"_rels/.rels", PKG_RELS, 0};
    parts[i++] = (Part){"xl/workbook.xml", WB_ONE, 0};
    parts[i++] = (Part){"xl/_rels/workbook.xml.rels", WB_RELS, 0};
    parts[i++] = (Part){"xl/worksheets/sheet1.xml", sheet, 0};
    if (sst) {
        parts[i++] = (Part){"xl/sharedStrings.xml", sst, 0};
    }
    if (styles) {
        parts[i++] = (Part){"xl/styles.xml", styles, 0};
    }
    parts[i] = (Part){NULL, NULL, 0};
    return make_zip(parts, len);
}

static const char *STYLES =
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
    "2006/main\"><numFmts count=\"4\">"
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"#,##0.0000\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"[Red]0.00;&quot;day&quot;0\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"[$-804]yyyy&quot;年&quot;m&quot;月"
    "&quot;\"/></numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"6\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/>"
    "<xf numFmtId=\"165\"/><xf numFmtId=\"166\"/><xf numFmtId=\"14\"/>"
    "<xf numFmtId=\"167\"/></cellXfs></styleSheet>";

/* Open bytes, expecting success. */
static XlsxReader *open_ok(const unsigned char *data, size_t len)
{
    XlsxReader *x = NULL;
    Err e;

    err_clear(&e);
    if (xlsx_reader_open_mem(&x, data, len, NULL, &e) != 0) {
        fail_msg("open failed: %s", e.msg);
    }
    return x;
}

static void test_inline_formula_types(void **state)
{
    const char *sheet = SHEET_HEAD
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>企业名称</t></is></c>"
        "<c r=\"C1\" t=\"inlineStr\"><is><r><rPr><b/></rPr><t>统一</t></r>"
        "<r><t xml:space=\"preserve\">信用 </t></r><rPh><t>XX</t></rPh>"
        "<r><t>代码</t></r></is></c></row>"
        "<row r=\"4\"><c r=\"A4\"><v>12345.678900000001</v></c>"
        "<c r=\"B4\" t=\"b\"><v>1</v></c><c r=\"C4\" t=\"b\"><v>0</v></c>"
        "<c r=\"D4\" t=\"e\"><v>#DIV/0!</v></c>"
        "<c r=\"E4\"><f>SUM(A4:A4)*2</f><v>24691.357800000002</v></c>"
        "<c r=\"F4\" t=\"str\"><f>A1&amp;\"x\"</f><v>企业名称x</v></c>"
        "<c r=\"G4\"><f t=\"shared\" si=\"0\"/><v>7</v></c>"
        "<c r=\"H4\" s=\"1\"/></row>"
        "<row><c><v>1</v></c><c t=\"inlineStr\"><is><t>a_x000D__x000A_b "
        "_x005F_x0041_ _xD83D__xDE00_</t></is></c></row>"
        "<row r=\"6\" spans=\"1:2\"/>" SHEET_TAIL;
    size_t len;
    unsigned char *data = make_book(sheet, NULL, NULL, &len);
    XlsxReader *x = open_ok(data, len);
    XlsxSheet *s = NULL;
    XlsxRow row;
    Err e;

    (void)state;
    assert_int_equal(xlsx_reader_sheet_count(x), 1);
    assert_string_equal(xlsx_reader_sheet_name(x, 0), "数据");
    assert_int_equal(xlsx_reader_sheet_find(x, "数据"), 0);
    assert_int_equal(xlsx_reader_sheet_find(x, "无"), -1);
    assert_int_equal(xlsx_sheet_open(x, 0, &s, &e), 0);

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 1);
    assert_int_equal(row.n_cells, 3);
    assert_int_equal(row.cells[0].type, XLSX_CELL_STRING);
    assert_string_equal(row.cells[0].value, "企业名称");
    assert_int_equal(row.cells[1].type, XLSX_CELL_EMPTY);
    assert_string_equal(row.cells[1].value, "");
    assert_string_equal(row.cells[2].value, "统一信用 代码");

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 4);
    assert_int_equal(row.n_cells, 8);
    assert_int_equal(row.cells[0].type, XLSX_CELL_NUMBER);
    assert_string_equal(row.cells[0].value, "12345.678900000001");
    assert_false(row.cells[0].is_formula);
    assert_int_equal(row.cells[1].type, XLSX_CELL_BOOL);
    assert_string_equal(row.cells[1].value, "TRUE");
    assert_string_equal(row.cells[2].value, "FALSE");
    assert_int_equal(row.cells[3].type, XLSX_CELL_ERROR);
    assert_string_equal(row.cells[3].value, "#DIV/0!");
    assert_true(row.cells[4].is_formula);
    assert_string_equal(row.cells[4].formula, "SUM(A4:A4)*2");
    assert_int_equal(row.cells[4].type, XLSX_CELL_NUMBER);
    assert_string_equal(row.cells[4].value, "24691.357800000002");
    assert_true(row.cells[5].is_formula);
    assert_int_equal(row.cells[5].type, XLSX_CELL_STRING);
    assert_string_equal(row.cells[5].value, "企业名称x");
    assert_string_equal(row.cells[5].formula, "A1&\"x\"");
    assert_true(row.cells[6].is_formula);
    assert_string_equal(row.cells[6].formula, "");
    assert_string_equal(row.cells[6].value, "7");
    assert_int_equal(row.cells[7].type, XLSX_CELL_EMPTY);

    /* no r attributes: next row, columns in order; escapes decoded */
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 5);
    assert_int_equal(row.n_cells, 2);
    assert_string_equal(row.cells[0].value, "1");
    assert_string_equal(row.cells[1].value, "a\r\nb _x0041_ \xF0\x9F\x98\x80");
    assert_int_equal(row.cells[1].len, strlen(row.cells[1].value));

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 6);
    assert_int_equal(row.n_cells, 0);
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 0);
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 0);
    xlsx_sheet_free(s);
    xlsx_reader_free(x);
    free(data);
}

static void test_shared_strings_dates_merges(void **state)
{
    const char *sst =
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
        "main\" count=\"3\" uniqueCount=\"3\"><si><t>2024 年度统计</t></si>"
        "<si><r><rPr><b/></rPr><t>高新</t></r><r><t>企业</t></r>"
        "<rPh sb=\"0\" eb=\"1\"><t>gaoxin</t></rPh></si>"
        "<si><t/></si></sst>";
    const char *sheet = SHEET_HEAD
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
        "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>1</v></c><c r=\"B3\" "
        "t=\"s\"><v>2</v></c></row>"
        "<row r=\"4\"><c r=\"A4\" s=\"1\"><v>45292</v></c>"
        "<c r=\"B4\" s=\"2\"><v>1.2345</v></c><c r=\"C4\" s=\"3\"><v>3</v></c>"
        "<c r=\"D4\" s=\"4\"><v>45292.5</v></c><c r=\"E4\" "
        "s=\"5\"><v>45292</v></c><c r=\"F4\" s=\"99\"><v>1</v></c></row>"
        "</sheetData><mergeCells count=\"2\"><mergeCell ref=\"A1:E2\"/>"
        "<mergeCell ref=\"F3:F4\"/></mergeCells></worksheet>";
    size_t len;
    unsigned char *data = make_book(sheet, sst, STYLES, &len);
    XlsxReader *x = open_ok(data, len);
    XlsxSheet *s = NULL;
    XlsxRow row;
    const XlsxMerge *m;
    size_t nm;
    Err e;

    (void)state;
    assert_int_equal(xlsx_sheet_open(x, 0, &s, &e), 0);
    /* merges before any row: an extra pass */
    assert_int_equal(xlsx_sheet_merges(s, &m, &nm, &e), 0);
    assert_int_equal(nm, 2);
    assert_int_equal(m[0].first_row_no, 1);
    assert_int_equal(m[0].last_row_no, 2);
    assert_int_equal(m[0].first_col, 0);
    assert_int_equal(m[0].last_col, 4);
    assert_int_equal(m[1].first_col, 5);
    assert_int_equal(m[1].first_row_no, 3);

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_string_equal(row.cells[0].value, "2024 年度统计");
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 3);
    assert_string_equal(row.cells[0].value, "高新企业");
    assert_int_equal(row.cells[1].type, XLSX_CELL_STRING);
    assert_string_equal(row.cells[1].value, "");
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_true(row.cells[0].is_date);
    assert_string_equal(row.cells[0].value, "45292");
    assert_false(row.cells[1].is_date);
    assert_string_equal(row.cells[1].value, "1.2345");
    assert_false(row.cells[2].is_date); /* [Red] and "day" do not count */
    assert_true(row.cells[3].is_date);  /* built-in 14 */
    assert_true(row.cells[4].is_date);  /* yyyy"年"m"月" */
    assert_false(row.cells[5].is_date); /* unknown style index */
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 0);
    /* still the same after the full pass */
    assert_int_equal(xlsx_sheet_merges(s, &m, &nm, &e), 0);
    assert_int_equal(nm, 2);
    xlsx_sheet_free(s);

    /* merges collected during a full pass, no extra pass */
    assert_int_equal(xlsx_sheet_open(x, 0, &s, &e), 0);
    while (xlsx_sheet_read_row(s, &row, &e) == 1) {
    }
    assert_int_equal(xlsx_sheet_merges(s, &m, &nm, &e), 0);
    assert_int_equal(nm, 2);
    assert_int_equal(m[1].last_row_no, 4);
    xlsx_sheet_free(s);
    xlsx_reader_free(x);
    free(data);
}

/* Open data and stream the first sheet to its end; return the first error
 * code (positive) or 0, with e filled. */
static int read_all(const unsigned char *data, size_t len,
                    const XlsxOptions *opt, Err *e)
{
    XlsxReader *x = NULL;
    XlsxSheet *s = NULL;
    XlsxRow row;
    int rc;

    err_clear(e);
    rc = xlsx_reader_open_mem(&x, data, len, opt, e);
    if (rc) {
        assert_null(x);
        assert_int_equal(e->code, rc);
        return rc;
    }
    rc = xlsx_sheet_open(x, 0, &s, e);
    if (rc == 0) {
        while ((rc = xlsx_sheet_read_row(s, &row, e)) == 1) {
        }
        rc = rc < 0 ? -rc : 0;
    }
    xlsx_sheet_free(s);
    xlsx_reader_free(x);
    return rc;
}

static void test_not_xlsx(void **state)
{
    static const unsigned char ole[] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1,
                                        0xB1, 0x1A, 0xE1, 0,    0};
    const char *text = "企业名称,代码\n甲,1\n";
    const char *pk = "PK\x03\x04garbage garbage garbage";
    XlsxReader *x = (XlsxReader *)1;
    Err e;

    (void)state;
    assert_int_equal(
        read_all((const unsigned char *)text, strlen(text), NULL, &e),
        ERR_INVALID);
    assert_string_equal(e.msg, "文件不是有效的 XLSX（Excel 2007 及以上）文件");
    assert_int_equal(read_all(ole, sizeof ole, NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, ".xls"));
    assert_int_equal(read_all((const unsigned char *)pk, strlen(pk), NULL, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "XLSX"));
    assert_int_equal(read_all((const unsigned char *)"", 0, NULL, &e),
                     ERR_INVALID);
    assert_int_equal(xlsx_reader_open_mem(&x, NULL, 0, NULL, &e), ERR_INVALID);
    assert_null(x);
    assert_int_equal(
        xlsx_reader_open_file(&x, "/nonexistent/dir/a.xlsx", NULL, &e), ERR_IO);
    assert_null(x);
}

static void test_truncated(void **state)
{
    const char *sheet = SHEET_HEAD "<row r=\"1\"><c r=\"A1\" "
                                   "t=\"inlineStr\"><is><t>x</t></is></c>"
                                   "</row>" SHEET_TAIL;
    size_t len;
    unsigned char *data = make_book(sheet, NULL, NULL, &len);
    Err e;
    size_t cut;

    (void)state;
    assert_int_equal(read_all(data, len, NULL, &e), 0);
    /* every prefix fails cleanly */
    for (cut = 0; cut < len; cut += 7) {
        int rc = read_all(data, cut, NULL, &e);
        assert_int_equal(rc, ERR_INVALID);
        assert_true(e.msg[0] != '\0');
    }
    assert_int_equal(read_all(data, len / 2, NULL, &e), ERR_INVALID);
    free(data);
}

static void test_corrupt_parts(void **state)
{
    size_t len;
    unsigned char *data;
    Err e;
    Part no_wb[] = {{"_rels/.rels", PKG_RELS, 0}, {NULL, NULL, 0}};

    (void)state;
    /* malformed sheet XML */
    data = make_book(SHEET_HEAD
                     "<row r=\"1\"><c r=\"A1\"><v>1</c></row>" SHEET_TAIL,
                     NULL, NULL, &len);
    assert_int_equal(read_all(data, len, NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "工作表“数据”"));
    free(data);
    /* bad cell reference */
    data = make_book(SHEET_HEAD
                     "<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>" SHEET_TAIL,
                     NULL, NULL, &len);
    assert_int_equal(read_all(data, len, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "工作表“数据”：单元格引用“1A”无效");
    free(data);
    /* column beyond XFD */
    data = make_book(SHEET_HEAD
                     "<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>" SHEET_TAIL,
                     NULL, NULL, &len);
    assert_int_equal(read_all(data, len, NULL, &e), ERR_TOOBIG);
    free(data);
    /* shared string index out of range */
    data = make_book(SHEET_HEAD "<row r=\"2\"><c r=\"B2\" t=\"s\"><v>5</v></c>"
                                "</row>" SHEET_TAIL,
                     "<sst><si><t>a</t></si></sst>", NULL, &len);
    assert_int_equal(read_all(data, len, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "工作表“数据”单元格 B2：共享字符串编号无效");
    free(data);
    /* DOCTYPE (entity expansion) refused */
    data = make_book("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a "
                     "\"aaaa\">]><worksheet><sheetData/></worksheet>",
                     NULL, NULL, &len);
    assert_int_equal(read_all(data, len, NULL, &e), ERR_INVALID);
    free(data);
    /* no workbook */
    data = make_zip(no_wb, &len);
    assert_int_equal(read_all(data, len, NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "缺少工作簿"));
    free(data);
}

static void test_caps(void **state)
{
    size_t big = 2 * 1024 * 1024;
    char *sheet = malloc(big + 200);
    char *longcell = malloc(40000 + 200);
    size_t len;
    unsigned char *data;
    XlsxOptions small = {.max_sheet_bytes = 1024 * 1024, .max_sst_count = 2};
    Err e;
    int n;

    (void)state;
    /* zip bomb: 2 MiB of whitespace inflating from a few KiB */
    n = sprintf(sheet, SHEET_HEAD);
    memset(sheet + n, ' ', big);
    strcpy(sheet + n + big, SHEET_TAIL);
    data = make_book(sheet, NULL, NULL, &len);
    assert_true(len < 100 * 1024);
    assert_int_equal(read_all(data, len, NULL, &e), 0);
    assert_int_equal(read_all(data, len, &small, &e), ERR_TOOBIG);
    assert_non_null(strstr(e.msg, "过大"));
    free(data);

    /* too many shared strings */
    data = make_book(SHEET_HEAD SHEET_TAIL,
                     "<sst><si><t>a</t></si><si><t>b</t></si><si><t>c</t>"
                     "</si></sst>",
                     NULL, &len);
    assert_int_equal(read_all(data, len, &small, &e), ERR_TOOBIG);
    assert_int_equal(read_all(data, len, NULL, &e), 0);
    free(data);

    /* a cell over 32767 characters */
    n = sprintf(longcell, SHEET_HEAD "<row r=\"7\"><c r=\"C7\" "
                                     "t=\"inlineStr\"><is><t>");
    memset(longcell + n, 'x', 32768);
    strcpy(longcell + n + 32768, "</t></is></c></row>" SHEET_TAIL);
    data = make_book(longcell, NULL, NULL, &len);
    assert_int_equal(read_all(data, len, NULL, &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "工作表“数据”单元格 C7：内容超过 32767 个字符");
    free(data);
    /* exactly 32767 is fine */
    strcpy(longcell + n + 32767, "</t></is></c></row>" SHEET_TAIL);
    data = make_book(longcell, NULL, NULL, &len);
    assert_int_equal(read_all(data, len, NULL, &e), 0);
    free(data);
    free(sheet);
    free(longcell);
}

static void test_inflation_ratio(void **state)
{
    /* 24 MiB of sheet XML from about 24 KiB: over the default ratio (and
     * over the size that is exempt from it), under the absolute cap */
    size_t big = (size_t)24 * 1024 * 1024;
    char *sheet = malloc(big + 200);
    size_t len;
    unsigned char *data;
    XlsxOptions loose = {.max_ratio = 100000};
    Err e;
    int n;

    (void)state;
    assert_non_null(sheet);
    n = sprintf(sheet, SHEET_HEAD);
    memset(sheet + n, ' ', big);
    strcpy(sheet + n + big, SHEET_TAIL);
    data = make_book(sheet, NULL, NULL, &len);
    assert_true(len < big / XLSX_DEFAULT_MAX_RATIO);
    assert_int_equal(read_all(data, len, NULL, &e), ERR_TOOBIG);
    assert_non_null(strstr(e.msg, "工作表“数据”解压后是压缩大小的"));
    assert_non_null(strstr(e.msg, "上限 100 倍"));
    /* the bound is an option */
    assert_int_equal(read_all(data, len, &loose, &e), 0);
    free(data);
    free(sheet);
}

static void test_refs_and_cols(void **state)
{
    unsigned col;
    long row;
    char name[4];

    (void)state;
    assert_int_equal(xlsx_ref_parse("A1", &col, &row), 0);
    assert_int_equal(col, 0);
    assert_int_equal(row, 1);
    assert_int_equal(xlsx_ref_parse("AB12", &col, &row), 0);
    assert_int_equal(col, 27);
    assert_int_equal(row, 12);
    assert_int_equal(xlsx_ref_parse("$XFD$1048576", &col, &row), 0);
    assert_int_equal(col, 16383);
    assert_int_equal(row, 1048576);
    assert_int_equal(xlsx_ref_parse("C", &col, &row), 0);
    assert_int_equal(row, 0);
    assert_int_equal(xlsx_ref_parse("XFE1", &col, &row), -1);
    assert_int_equal(xlsx_ref_parse("A1048577", &col, &row), -1);
    assert_int_equal(xlsx_ref_parse("A0", &col, &row), -1);
    assert_int_equal(xlsx_ref_parse("1A", &col, &row), -1);
    assert_int_equal(xlsx_ref_parse("ABCD1", &col, &row), -1);
    assert_int_equal(xlsx_ref_parse("A1x", &col, &row), -1);
    xlsx_col_name(0, name);
    assert_string_equal(name, "A");
    xlsx_col_name(25, name);
    assert_string_equal(name, "Z");
    xlsx_col_name(26, name);
    assert_string_equal(name, "AA");
    xlsx_col_name(27, name);
    assert_string_equal(name, "AB");
    xlsx_col_name(701, name);
    assert_string_equal(name, "ZZ");
    xlsx_col_name(702, name);
    assert_string_equal(name, "AAA");
    xlsx_col_name(16383, name);
    assert_string_equal(name, "XFD");
    xlsx_col_name(16384, name);
    assert_string_equal(name, "?");
}

static void round_is(const char *in, unsigned dec, const char *want)
{
    Buf b;
    Err e;

    buf_init(&b, 0);
    if (xlsx_num_round(in, dec, &b, &e) != 0) {
        fail_msg("xlsx_num_round(%s) failed: %s", in, e.msg);
    }
    if (strcmp(b.data, want) != 0) {
        fail_msg("xlsx_num_round(%s, %u) = %s, want %s", in, dec, b.data, want);
    }
    buf_release(&b);
}

static void test_num_round(void **state)
{
    Buf b;
    Err e;

    (void)state;
    round_is("8.710900000000001", 4, "8.7109");
    round_is("68.10339999999999", 4, "68.1034");
    round_is("1.2345", 4, "1.2345");
    round_is("12", 4, "12");
    round_is("0", 4, "0");
    round_is("-0.00004", 4, "0");
    round_is("-0.00005", 4, "-0.0001");
    round_is("99.99995", 4, "100");
    round_is("1.5E-3", 4, "0.0015");
    round_is("1.23E+5", 0, "123000");
    round_is("0.5", 0, "1");
    round_is("0.4999", 0, "0");
    round_is("0.000049", 4, "0");
    round_is("1e-10", 4, "0");
    round_is("  -1234567890123.4567  ", 4, "-1234567890123.4567");
    round_is("007.50", 2, "7.5");
    round_is(".5", 1, "0.5");
    buf_init(&b, 0);
    assert_int_equal(xlsx_num_round("", 4, &b, &e), ERR_INVALID);
    assert_int_equal(xlsx_num_round("abc", 4, &b, &e), ERR_INVALID);
    assert_int_equal(xlsx_num_round("1.2.3", 4, &b, &e), ERR_INVALID);
    assert_int_equal(xlsx_num_round("1e", 4, &b, &e), ERR_INVALID);
    assert_int_equal(xlsx_num_round("1e50", 4, &b, &e), ERR_TOOBIG);
    buf_release(&b);
}

static void test_prefixed_and_hidden(void **state)
{
    /* x: prefixed elements (some generators), a hidden second sheet */
    const char *wb =
        "<x:workbook xmlns:x=\"http://schemas.openxmlformats.org/"
        "spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats."
        "org/officeDocument/2006/relationships\"><x:workbookPr "
        "date1904=\"1\"/><x:sheets><x:sheet name=\"B\" sheetId=\"2\" "
        "r:id=\"rId2\"/><x:sheet name=\"A\" sheetId=\"1\" r:id=\"rId1\" "
        "state=\"hidden\"/></x:sheets></x:workbook>";
    const char *rels =
        "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
        "Target=\"worksheets/a.xml\"/><Relationship Id=\"rId2\" "
        "Type=\"x/worksheet\" Target=\"./worksheets/../worksheets/b.xml\"/>"
        "</Relationships>";
    const char *sa = "<x:worksheet xmlns:x=\"u\"><x:sheetData><x:row "
                     "r=\"2\"><x:c r=\"B2\"><x:v>5</x:v></x:c></x:row>"
                     "</x:sheetData></x:worksheet>";
    const char *sb = SHEET_HEAD SHEET_TAIL;
    Part parts[] = {{"_rels/.rels", PKG_RELS, 0},
                    {"xl/workbook.xml", wb, 0},
                    {"xl/_rels/workbook.xml.rels", rels, 0},
                    {"xl/worksheets/a.xml", sa, 0},
                    {"xl/worksheets/b.xml", sb, 0},
                    {NULL, NULL, 0}};
    size_t len;
    unsigned char *data = make_zip(parts, &len);
    XlsxReader *x = open_ok(data, len);
    XlsxSheet *s = NULL;
    XlsxRow row;
    Err e;

    (void)state;
    assert_int_equal(xlsx_reader_sheet_count(x), 2);
    assert_string_equal(xlsx_reader_sheet_name(x, 0), "B");
    assert_string_equal(xlsx_reader_sheet_name(x, 1), "A");
    assert_null(xlsx_reader_sheet_name(x, 2));
    assert_false(xlsx_reader_sheet_hidden(x, 0));
    assert_true(xlsx_reader_sheet_hidden(x, 1));
    assert_true(xlsx_reader_date1904(x));
    assert_int_equal(xlsx_sheet_open(x, 2, &s, &e), ERR_NOTFOUND);
    assert_int_equal(xlsx_sheet_open(x, 0, &s, &e), 0);
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 0);
    xlsx_sheet_free(s);
    assert_int_equal(xlsx_sheet_open(x, 1, &s, &e), 0);
    assert_string_equal(xlsx_sheet_name(s), "A");
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 2);
    assert_int_equal(row.n_cells, 2);
    assert_string_equal(row.cells[1].value, "5");
    xlsx_sheet_free(s);
    xlsx_reader_free(x);
    free(data);
}

static void test_many_rows_streamed(void **state)
{
    /* 20,000 rows through several 64 KiB chunks: every row comes back */
    size_t cap = 2 * 1024 * 1024;
    char *sheet = malloc(cap);
    size_t n = (size_t)sprintf(sheet, SHEET_HEAD);
    size_t len;
    unsigned char *data;
    XlsxReader *x;
    XlsxSheet *s = NULL;
    XlsxRow row;
    Err e;
    long i;
    long count = 0;

    (void)state;
    for (i = 1; i <= 20000; i++) {
        n += (size_t)sprintf(sheet + n,
                             "<row r=\"%ld\"><c r=\"A%ld\"><v>%ld</v></c>"
                             "<c r=\"C%ld\" t=\"inlineStr\"><is><t>行%ld</t>"
                             "</is></c></row>",
                             i, i, i * 3, i, i);
    }
    strcpy(sheet + n, SHEET_TAIL);
    data = make_book(sheet, NULL, NULL, &len);
    x = open_ok(data, len);
    assert_int_equal(xlsx_sheet_open(x, 0, &s, &e), 0);
    while (xlsx_sheet_read_row(s, &row, &e) == 1) {
        char want[32];
        count++;
        assert_int_equal(row.row_no, count);
        assert_int_equal(strtol(row.cells[0].value, NULL, 10), count * 3);
        snprintf(want, sizeof want, "行%ld", count);
        assert_string_equal(row.cells[2].value, want);
    }
    assert_int_equal(count, 20000);
    xlsx_sheet_free(s);
    xlsx_reader_free(x);
    free(data);
    free(sheet);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inline_formula_types),
        cmocka_unit_test(test_shared_strings_dates_merges),
        cmocka_unit_test(test_not_xlsx),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt_parts),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_inflation_ratio),
        cmocka_unit_test(test_refs_and_cols),
        cmocka_unit_test(test_num_round),
        cmocka_unit_test(test_prefixed_and_hidden),
        cmocka_unit_test(test_many_rows_streamed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
