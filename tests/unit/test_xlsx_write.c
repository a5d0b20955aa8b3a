/* test_xlsx_write.c - the XLSX writer, checked by reading its output back
 * with xlsx_read and by looking at the XML it produced. */
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
#include "base/xlsx_write.h"

static const char *const HEADER[] = {"统一社会信用代码", "企业名称", "职工人数",
                                     "营业收入（万元）", "认定日期"};

/* Write the test workbook: sheet "企业" with a title merged over rows 1-2,
 * the header on row 3 and three data rows; sheet "说明" with one cell. */
static void write_book(XlsxWriter *w)
{
    XlsxOutSheet *s = NULL;
    XlsxOutSheet *s2 = NULL;
    Err e;

    assert_int_equal(xlsx_writer_add_sheet(w, "企业", &s, &e), 0);
    assert_int_equal(
        xlsx_write_title(s, 0, 0, 1, 4, "2024 年高新技术企业名单", &e), 0);
    assert_int_equal(xlsx_set_col_width(s, 1, 1, 40, &e), 0);
    assert_int_equal(xlsx_write_header(s, 2, HEADER, 5, &e), 0);

    assert_int_equal(xlsx_write_str(s, 3, 0, "91310000MA1FL0XX2K", &e), 0);
    assert_int_equal(xlsx_write_str(s, 3, 1, "上海某某科技有限公司", &e), 0);
    assert_int_equal(xlsx_write_int(s, 3, 2, 120, &e), 0);
    assert_int_equal(xlsx_write_money(s, 3, 3, 87109, &e), 0); /* 8.7109 */
    assert_int_equal(xlsx_write_date_iso(s, 3, 4, "2024-02-29", &e), 0);

    /* formula injection attempts stay text */
    assert_int_equal(xlsx_write_str(s, 4, 0, "=HYPERLINK(\"http://x\")", &e),
                     0);
    assert_int_equal(xlsx_write_str(s, 4, 1, "+1+2", &e), 0);
    assert_int_equal(xlsx_write_str(s, 4, 2, "-3", &e), 0);
    assert_int_equal(xlsx_write_str(s, 4, 3, "@SUM(A1)", &e), 0);
    assert_int_equal(xlsx_write_money(s, 4, 4, -5000000000000LL, &e), 0);

    assert_int_equal(xlsx_write_str(s, 5, 0, "_x0041_ \xff ok", &e), 0);
    assert_int_equal(xlsx_write_str(s, 5, 1, "换行\n第二行", &e), 0);
    assert_int_equal(xlsx_write_int(s, 5, 2, 9007199254740993LL, &e), 0);
    assert_int_equal(xlsx_write_money(s, 5, 3, 681034, &e), 0); /* 68.1034 */
    assert_int_equal(xlsx_write_date(s, 5, 4, 2023, 12, 31, &e), 0);

    assert_int_equal(xlsx_writer_add_sheet(w, "说明", &s2, &e), 0);
    assert_int_equal(xlsx_write_str(s2, 0, 0, "金额单位：万元", &e), 0);
}

/* Cell value of a row, checking its type. */
static const char *cell(const XlsxRow *row, size_t col, int type)
{
    assert_true(col < row->n_cells);
    assert_int_equal(row->cells[col].type, type);
    assert_false(row->cells[col].is_formula);
    return row->cells[col].value;
}

static char *money_text(const char *v)
{
    static char out[64];
    Buf b;
    Err e;

    buf_init(&b, 0);
    assert_int_equal(xlsx_num_round(v, 4, &b, &e), 0);
    snprintf(out, sizeof out, "%s", b.data);
    buf_release(&b);
    return out;
}

/* Read the workbook back and check everything write_book() wrote. */
static void check_book(XlsxReader *x)
{
    XlsxSheet *s = NULL;
    XlsxRow row;
    const XlsxMerge *m;
    size_t nm;
    size_t i;
    Err e;

    assert_int_equal(xlsx_reader_sheet_count(x), 2);
    assert_string_equal(xlsx_reader_sheet_name(x, 0), "企业");
    assert_string_equal(xlsx_reader_sheet_name(x, 1), "说明");
    assert_int_equal(xlsx_sheet_open(x, 0, &s, &e), 0);

    assert_int_equal(xlsx_sheet_merges(s, &m, &nm, &e), 0);
    assert_int_equal(nm, 1);
    assert_int_equal(m[0].first_row_no, 1);
    assert_int_equal(m[0].last_row_no, 2);
    assert_int_equal(m[0].first_col, 0);
    assert_int_equal(m[0].last_col, 4);

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 1);
    assert_string_equal(cell(&row, 0, XLSX_CELL_STRING),
                        "2024 年高新技术企业名单");
    /* row 2 holds only the merged (blank, styled) cells */
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 2);
    for (i = 0; i < row.n_cells; i++) {
        assert_int_equal(row.cells[i].type, XLSX_CELL_EMPTY);
    }

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 3);
    assert_int_equal(row.n_cells, 5);
    for (i = 0; i < 5; i++) {
        assert_string_equal(cell(&row, i, XLSX_CELL_STRING), HEADER[i]);
    }

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 4);
    assert_string_equal(cell(&row, 0, XLSX_CELL_STRING), "91310000MA1FL0XX2K");
    assert_string_equal(cell(&row, 1, XLSX_CELL_STRING),
                        "上海某某科技有限公司");
    assert_string_equal(cell(&row, 2, XLSX_CELL_NUMBER), "120");
    assert_false(row.cells[2].is_date);
    assert_string_equal(money_text(cell(&row, 3, XLSX_CELL_NUMBER)), "8.7109");
    assert_false(row.cells[3].is_date);
    assert_string_equal(cell(&row, 4, XLSX_CELL_NUMBER), "45351");
    assert_true(row.cells[4].is_date);

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_string_equal(cell(&row, 0, XLSX_CELL_STRING),
                        "=HYPERLINK(\"http://x\")");
    assert_string_equal(cell(&row, 1, XLSX_CELL_STRING), "+1+2");
    assert_string_equal(cell(&row, 2, XLSX_CELL_STRING), "-3");
    assert_string_equal(cell(&row, 3, XLSX_CELL_STRING), "@SUM(A1)");
    assert_string_equal(money_text(cell(&row, 4, XLSX_CELL_NUMBER)),
                        "-500000000");

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_int_equal(row.row_no, 6);
    assert_string_equal(cell(&row, 0, XLSX_CELL_STRING),
                        "_x0041_ \xEF\xBF\xBD ok");
    assert_string_equal(cell(&row, 1, XLSX_CELL_STRING), "换行\n第二行");
    assert_string_equal(cell(&row, 2, XLSX_CELL_STRING), "9007199254740993");
    assert_string_equal(money_text(cell(&row, 3, XLSX_CELL_NUMBER)), "68.1034");
    assert_string_equal(cell(&row, 4, XLSX_CELL_NUMBER), "45291");
    assert_true(row.cells[4].is_date);

    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 0);
    xlsx_sheet_free(s);

    assert_int_equal(xlsx_sheet_open(x, 1, &s, &e), 0);
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 1);
    assert_string_equal(cell(&row, 0, XLSX_CELL_STRING), "金额单位：万元");
    assert_int_equal(xlsx_sheet_read_row(s, &row, &e), 0);
    xlsx_sheet_free(s);
}

/* The text of one part of an XLSX held in memory (malloc'd). */
static char *zip_part(const Buf *b, const char *name)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z;
    zip_file_t *f;
    zip_stat_t st;
    char *text;

    zip_error_init(&ze);
    src = zip_source_buffer_create(b->data, b->len, 0, &ze);
    assert_non_null(src);
    z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    assert_non_null(z);
    if (zip_stat(z, name, 0, &st) != 0) {
        zip_discard(z);
        zip_error_fini(&ze);
        return NULL;
    }
    text = calloc(1, st.size + 1);
    f = zip_fopen(z, name, 0);
    assert_non_null(f);
    assert_int_equal(zip_fread(f, text, st.size), (zip_int64_t)st.size);
    zip_fclose(f);
    zip_discard(z);
    zip_error_fini(&ze);
    return text;
}

static void test_round_trip_mem(void **state)
{
    XlsxWriter *w = NULL;
    XlsxReader *x = NULL;
    Buf b;
    Err e;
    char *xml;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(xlsx_writer_new_mem(&w, &e), 0);
    write_book(w);
    assert_int_equal(xlsx_writer_close_mem(w, &b, &e), 0);
    assert_true(b.len > 1000);
    assert_memory_equal(b.data, "PK", 2);

    /* constant-memory mode: strings inline in the sheet (no shared-string
     * table), none as a formula */
    assert_null(zip_part(&b, "xl/sharedStrings.xml"));
    xml = zip_part(&b, "xl/worksheets/sheet1.xml");
    assert_non_null(xml);
    assert_non_null(strstr(xml, "t=\"inlineStr\"><is><t>上海某某科技有限公司"));
    assert_non_null(strstr(xml, "_x005F_x0041_"));
    assert_null(strstr(xml, "<f>"));
    assert_non_null(strstr(xml, "<pane ySplit=\"3\""));
    assert_non_null(strstr(xml, "<autoFilter ref=\"A3:E6\"/>"));
    assert_non_null(strstr(xml, "<mergeCell ref=\"A1:E2\"/>"));
    free(xml);

    assert_int_equal(xlsx_reader_open_mem(&x, b.data, b.len, NULL, &e), 0);
    check_book(x);
    xlsx_reader_free(x);

    /* the same bytes cut in half fail cleanly */
    err_clear(&e);
    assert_int_equal(xlsx_reader_open_mem(&x, b.data, b.len / 2, NULL, &e),
                     ERR_INVALID);
    assert_null(x);
    assert_non_null(strstr(e.msg, "XLSX"));
    buf_release(&b);
}

/* Numbers with their unit's format, date-times, and column widths that
 * fit the content: a long name is not cut to the title's width, CJK counts
 * 2, a width set by the caller is kept. */
static void test_types_and_widths(void **state)
{
    static const char *const titles[] = {"企业名称", "研发强度", "评估时间",
                                         "代码", "销售收入（万元）"};
    const char *name = "天津市河东区某某新材料科技股份有限公司第一分公司";
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    Buf b;
    Err e;
    char *xml;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(xlsx_writer_new_mem(&w, &e), 0);
    assert_int_equal(xlsx_writer_add_sheet(w, "结论", &s, &e), 0);
    assert_int_equal(xlsx_set_col_width(s, 3, 3, 30, &e), 0);
    assert_int_equal(xlsx_write_header(s, 0, titles, 5, &e), 0);
    assert_int_equal(xlsx_write_str(s, 1, 0, name, &e), 0);
    assert_int_equal(xlsx_write_number(s, 1, 1, 0.0325, "0.00%", &e), 0);
    assert_int_equal(xlsx_write_datetime(s, 1, 2, 2026, 3, 1, 13, 5, 9, &e), 0);
    assert_int_equal(xlsx_write_str(s, 1, 3, "x", &e), 0);
    assert_int_equal(xlsx_write_money(s, 1, 4, 123456789, &e), 0);
    assert_int_equal(xlsx_write_datetime(s, 2, 2, 2026, 2, 30, 0, 0, 0, &e),
                     ERR_INVALID);
    assert_int_equal(xlsx_writer_close_mem(w, &b, &e), 0);

    xml = zip_part(&b, "xl/worksheets/sheet1.xml");
    assert_non_null(xml);
    /* the name (24 CJK characters: 48) + 2 */
    assert_non_null(strstr(xml, "<col min=\"1\" max=\"1\" width=\"50"));
    assert_non_null(strstr(xml, "<col min=\"4\" max=\"4\" width=\"30"));
    assert_non_null(strstr(xml, "<c r=\"B2\""));
    assert_null(strstr(xml, "t=\"inlineStr\"><is><t>0.0325"));
    free(xml);
    xml = zip_part(&b, "xl/styles.xml");
    assert_non_null(xml);
    assert_non_null(strstr(xml, "formatCode=\"0.00%\""));
    assert_non_null(strstr(xml, "formatCode=\"yyyy-mm-dd hh:mm:ss\""));
    assert_non_null(strstr(xml, "formatCode=\"#,##0.00##\""));
    free(xml);
    {
        XlsxReader *x = NULL;
        XlsxSheet *sh = NULL;
        XlsxRow row;
        assert_int_equal(xlsx_reader_open_mem(&x, b.data, b.len, NULL, &e), 0);
        assert_string_equal(xlsx_reader_sheet_name(x, 0), "结论");
        assert_int_equal(xlsx_sheet_open(x, 0, &sh, &e), 0);
        assert_int_equal(xlsx_sheet_read_row(sh, &row, &e), 1);
        assert_int_equal(xlsx_sheet_read_row(sh, &row, &e), 1);
        assert_string_equal(cell(&row, 0, XLSX_CELL_STRING), name);
        assert_string_equal(cell(&row, 1, XLSX_CELL_NUMBER), "0.0325");
        assert_true(row.cells[2].is_date);
        xlsx_sheet_free(sh);
        xlsx_reader_free(x);
    }
    buf_release(&b);
}

static void test_round_trip_file(void **state)
{
    char path[] = "/tmp/test_xlsx_write_XXXXXX";
    int fd = mkstemp(path);
    XlsxWriter *w = NULL;
    XlsxReader *x = NULL;
    Err e;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(xlsx_writer_new(&w, path, &e), 0);
    write_book(w);
    assert_int_equal(xlsx_writer_close(w, &e), 0);
    if (xlsx_reader_open_file(&x, path, NULL, &e) != 0) {
        fail_msg("open: %s", e.msg);
    }
    check_book(x);
    xlsx_reader_free(x);
    unlink(path);
}

static void test_errors(void **state)
{
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    XlsxOutSheet *s2 = NULL;
    Buf b;
    Err e;
    char *big = malloc(40000);

    (void)state;
    assert_int_equal(xlsx_writer_new_mem(&w, &e), 0);
    assert_int_equal(xlsx_writer_add_sheet(w, "a/b", &s, &e), ERR_INVALID);
    assert_null(s);
    assert_non_null(strstr(e.msg, "a/b"));
    assert_int_equal(xlsx_writer_add_sheet(w, "数据", &s, &e), 0);
    assert_int_equal(xlsx_writer_add_sheet(w, "数据", &s2, &e), ERR_INVALID);
    assert_int_equal(xlsx_write_date(s, 0, 0, 2023, 2, 29, &e), ERR_INVALID);
    assert_int_equal(xlsx_write_date(s, 0, 0, 2023, 13, 1, &e), ERR_INVALID);
    assert_int_equal(xlsx_write_date_iso(s, 0, 0, "2024/01/01", &e),
                     ERR_INVALID);
    assert_int_equal(xlsx_write_date_iso(s, 0, 0, "2024-01-011", &e),
                     ERR_INVALID);
    assert_int_equal(xlsx_write_date_iso(s, 0, 0, "", &e), 0);
    assert_int_equal(xlsx_write_money(s, 0, 0, INT64_MAX, &e), ERR_INVALID);
    memset(big, 'x', 32768);
    big[32768] = '\0';
    assert_int_equal(xlsx_write_str(s, 9, 2, big, &e), ERR_TOOBIG);
    assert_non_null(strstr(e.msg, "C10"));
    big[32767] = '\0';
    assert_int_equal(xlsx_write_str(s, 9, 2, big, &e), 0);
    assert_int_equal(xlsx_write_str(s, 1048576, 0, "x", &e), ERR_TOOBIG);
    /* rows in order: row 10 (index 9) was written, row 9 no longer can be;
     * row 10 itself still takes cells */
    assert_int_equal(xlsx_write_int(s, 8, 0, 1, &e), ERR_INTERNAL);
    assert_int_equal(xlsx_write_str(s, 8, 0, "x", &e), ERR_INTERNAL);
    assert_int_equal(xlsx_write_date(s, 8, 0, 2024, 1, 1, &e), ERR_INTERNAL);
    assert_int_equal(xlsx_write_int(s, 9, 0, 1, &e), 0);
    assert_int_equal(xlsx_set_col_width(s, 3, 2, 10, &e), ERR_INVALID);
    /* a small output cap */
    buf_init(&b, 100);
    assert_int_equal(xlsx_writer_close_mem(w, &b, &e), ERR_TOOBIG);
    buf_release(&b);
    free(big);

    /* discarding an unfinished workbook writes nothing */
    assert_int_equal(xlsx_writer_new_mem(&w, &e), 0);
    assert_int_equal(xlsx_writer_add_sheet(w, "x", &s, &e), 0);
    xlsx_writer_free(w);
    xlsx_writer_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_mem),
        cmocka_unit_test(test_round_trip_file),
        cmocka_unit_test(test_types_and_widths),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
