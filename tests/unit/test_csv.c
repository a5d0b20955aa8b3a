/* test_csv.c - unit tests for the streaming CSV reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/csv.h"

/* Read all of s (memory reader) into a flat text "a|b\nc|d\n" so tests can
 * compare whole results at once. Returns the last csv_read_row() code. */
static int parse_all(const char *s, size_t len, const CsvOptions *opt, Buf *out,
                     Err *e)
{
    CsvReader *r = NULL;
    CsvRow row;
    int rc;

    assert_int_equal(csv_reader_new_mem(&r, s, len, opt, e), 0);
    while ((rc = csv_read_row(r, &row, e)) == 1) {
        for (size_t i = 0; i < row.n_fields; i++) {
            if (i) {
                buf_append_char(out, '|');
            }
            assert_int_equal(strlen(row.fields[i]), row.lens[i]);
            buf_append(out, row.fields[i], row.lens[i]);
        }
        buf_append_char(out, '\n');
    }
    csv_reader_free(r);
    return rc;
}

static void check(const char *in, const char *want)
{
    Buf b;
    Err e;

    buf_init(&b, 0);
    err_clear(&e);
    assert_int_equal(parse_all(in, strlen(in), NULL, &b, &e), 0);
    assert_string_equal(b.data, want);
    buf_release(&b);
}

static void test_simple(void **state)
{
    (void)state;
    check("a,b,c\n1,2,3\n", "a|b|c\n1|2|3\n");
    check("", "");
}

static void test_quoted_sep_and_newlines(void **state)
{
    (void)state;
    check("\"a,b\",c\n", "a,b|c\n");
    check("\"line1\nline2\",x\r\n\"r\r\nn\",y\r\n",
          "line1\nline2|x\nr\r\nn|y\n");
}

static void test_doubled_quotes(void **state)
{
    (void)state;
    check("\"say \"\"hi\"\"\",\"\"\"\"\n", "say \"hi\"|\"\n");
    check("\"\",x\n", "|x\n");
}

static void test_crlf_and_no_final_newline(void **state)
{
    (void)state;
    check("a,b\r\nc,d\r\n", "a|b\nc|d\n");
    check("a,b\r\nc,d", "a|b\nc|d\n");
    check("a,b\nc,\"d\"", "a|b\nc|d\n");
    check("a\rb\r", "a\nb\n"); /* lone CR line ends */
}

static void test_empty_fields(void **state)
{
    CsvReader *r = NULL;
    CsvRow row;
    Err e;
    const char *in = ",,\n\nx,\n";

    (void)state;
    check(in, "||\n\nx|\n");
    assert_int_equal(csv_reader_new_mem(&r, in, strlen(in), NULL, &e), 0);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(row.n_fields, 3);
    assert_true(csv_row_is_blank(&row));
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(row.n_fields, 1);
    assert_int_equal(row.lens[0], 0);
    assert_true(csv_row_is_blank(&row));
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_false(csv_row_is_blank(&row));
    assert_int_equal(row.row_no, 3);
    assert_int_equal(csv_read_row(r, &row, &e), 0);
    assert_int_equal(csv_read_row(r, &row, &e), 0);
    csv_reader_free(r);
}

static void test_bom_and_separators(void **state)
{
    Buf b;
    Err e;
    CsvOptions semi = {.sep = ';'};
    CsvOptions tab = {.sep = '\t'};
    const char *s1 = "\xEF\xBB\xBF名称;金额\n\"甲;乙\";1,5\n";
    const char *s2 = "a\tb c\t\"x\ty\"\n";

    (void)state;
    check("\xEF\xBB\xBF"
          "企业名称,代码\n",
          "企业名称|代码\n");
    /* a BOM later in the file is data */
    check("a\n\xEF\xBB\xBF"
          "b\n",
          "a\n\xEF\xBB\xBF"
          "b\n");
    buf_init(&b, 0);
    assert_int_equal(parse_all(s1, strlen(s1), &semi, &b, &e), 0);
    assert_string_equal(b.data, "名称|金额\n甲;乙|1,5\n");
    buf_reset(&b);
    assert_int_equal(parse_all(s2, strlen(s2), &tab, &b, &e), 0);
    assert_string_equal(b.data, "a|b c|x\ty\n");
    buf_release(&b);
}

static void test_lenient_quotes(void **state)
{
    (void)state;
    /* a quote inside an unquoted field is literal; text after a closing
     * quote is appended (both as Excel does) */
    check("ab\"c,d\n", "ab\"c|d\n");
    check("5\"\n", "5\"\n");
    check("\"ab\"cd,e\n", "abcd|e\n");
}

static void test_unterminated_quote(void **state)
{
    CsvReader *r = NULL;
    CsvRow row;
    Err e;
    const char *in = "h1,h2,h3\n"
                     "1,\"two\nlines\",3\n"
                     "4,5,\"never closed\n7,8,9\n";

    (void)state;
    err_clear(&e);
    assert_int_equal(csv_reader_new_mem(&r, in, strlen(in), NULL, &e), 0);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(row.row_no, 2);
    assert_int_equal(row.line_no, 2);
    assert_string_equal(row.fields[1], "two\nlines");
    assert_int_equal(csv_read_row(r, &row, &e), -ERR_INVALID);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.msg, "第 3 行第 3 列：引号未闭合");
    assert_string_equal(e.field, "row 3 col 3");
    /* sticky */
    err_clear(&e);
    assert_int_equal(csv_read_row(r, &row, &e), -ERR_INVALID);
    assert_string_equal(e.msg, "第 3 行第 3 列：引号未闭合");
    csv_reader_free(r);
}

static void test_line_numbers(void **state)
{
    CsvReader *r = NULL;
    CsvRow row;
    Err e;
    const char *in = "a\r\n\"b\r\nc\r\nd\"\r\ne\n";

    (void)state;
    assert_int_equal(csv_reader_new_mem(&r, in, strlen(in), NULL, &e), 0);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(row.line_no, 1);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(row.row_no, 2);
    assert_int_equal(row.line_no, 2);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(row.row_no, 3);
    assert_int_equal(row.line_no, 5);
    assert_string_equal(row.fields[0], "e");
    assert_int_equal(csv_read_row(r, &row, &e), 0);
    csv_reader_free(r);
}

static void test_caps(void **state)
{
    CsvOptions small = {.max_field = 8, .max_fields = 3, .max_row = 12};
    CsvReader *r = NULL;
    CsvRow row;
    Err e;
    const char *f = "ok\nabc,\"123456789\"\n";
    const char *n = "a,b,c\na,b,c,d\n";
    const char *w = "abcdefgh,abcdefgh\n";

    (void)state;
    assert_int_equal(csv_reader_new_mem(&r, f, strlen(f), &small, &e), 0);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(csv_read_row(r, &row, &e), -ERR_TOOBIG);
    assert_int_equal(e.code, ERR_TOOBIG);
    assert_string_equal(e.msg, "第 2 行第 2 列：内容超过 8 字节上限");
    csv_reader_free(r);

    assert_int_equal(csv_reader_new_mem(&r, n, strlen(n), &small, &e), 0);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(row.n_fields, 3);
    assert_int_equal(csv_read_row(r, &row, &e), -ERR_TOOBIG);
    assert_string_equal(e.msg, "第 2 行第 4 列：列数超过 3 列上限");
    csv_reader_free(r);

    assert_int_equal(csv_reader_new_mem(&r, w, strlen(w), &small, &e), 0);
    assert_int_equal(csv_read_row(r, &row, &e), -ERR_TOOBIG);
    assert_string_equal(e.msg, "第 1 行第 2 列：整行内容超过 12 字节上限");
    csv_reader_free(r);

    /* default field cap: 64 KiB */
    {
        size_t big = CSV_DEFAULT_MAX_FIELD + 1;
        char *s = malloc(big + 2);
        memset(s, 'x', big);
        s[big] = '\n';
        assert_int_equal(csv_reader_new_mem(&r, s, big + 1, NULL, &e), 0);
        assert_int_equal(csv_read_row(r, &row, &e), -ERR_TOOBIG);
        assert_int_equal(e.code, ERR_TOOBIG);
        csv_reader_free(r);
        /* exactly at the cap is fine */
        assert_int_equal(csv_reader_new_mem(&r, s + 1, big, NULL, &e), 0);
        assert_int_equal(csv_read_row(r, &row, &e), 1);
        assert_int_equal(row.lens[0], CSV_DEFAULT_MAX_FIELD);
        csv_reader_free(r);
        free(s);
    }
}

static void test_bad_sep(void **state)
{
    CsvReader *r = (CsvReader *)1;
    CsvOptions o = {.sep = '"'};
    Err e;

    (void)state;
    assert_int_equal(csv_reader_new_mem(&r, "", 0, &o, &e), ERR_INVALID);
    assert_null(r);
}

/* A generated source: row i is "i,名称i,\"a,b\"\"i\",<i*7>\r\n", produced on
 * the fly in chunks of an odd size so records straddle chunk boundaries. */
typedef struct Gen {
    long next_row;
    long n_rows;
    char line[128];
    size_t line_len;
    size_t line_pos;
    size_t chunk; /* max bytes per callback */
    long calls;
} Gen;

static ssize_t gen_read(void *ctx, char *buf, size_t cap)
{
    Gen *g = ctx;
    size_t n = 0;

    g->calls++;
    if (cap > g->chunk) {
        cap = g->chunk;
    }
    while (n < cap) {
        size_t k;
        if (g->line_pos == g->line_len) {
            if (g->next_row == g->n_rows) {
                break;
            }
            g->line_len = (size_t)snprintf(
                g->line, sizeof g->line, "%ld,名称%ld,\"a,b\"\"%ld\",%ld\r\n",
                g->next_row, g->next_row, g->next_row, g->next_row * 7);
            g->line_pos = 0;
            g->next_row++;
        }
        k = g->line_len - g->line_pos;
        if (k > cap - n) {
            k = cap - n;
        }
        memcpy(buf + n, g->line + g->line_pos, k);
        g->line_pos += k;
        n += k;
    }
    return (ssize_t)n;
}

static void stream_rows(size_t chunk, long n_rows)
{
    Gen g = {.n_rows = n_rows, .chunk = chunk};
    CsvReader *r = NULL;
    CsvRow row;
    Err e;
    long count = 0;
    int rc;
    char want[64];
    struct timespec t0, t1;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(csv_reader_new(&r, gen_read, &g, NULL, &e), 0);
    while ((rc = csv_read_row(r, &row, &e)) == 1) {
        assert_int_equal(row.n_fields, 4);
        assert_int_equal(row.row_no, count + 1);
        if (count % 9973 == 0 || count == n_rows - 1) {
            assert_int_equal(strtol(row.fields[0], NULL, 10), count);
            snprintf(want, sizeof want, "名称%ld", count);
            assert_string_equal(row.fields[1], want);
            snprintf(want, sizeof want, "a,b\"%ld", count);
            assert_string_equal(row.fields[2], want);
            assert_int_equal(strtol(row.fields[3], NULL, 10), count * 7);
        }
        count++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(rc, 0);
    assert_int_equal(count, n_rows);
    csv_reader_free(r);
    if (chunk > 1000) {
        double s = (double)(t1.tv_sec - t0.tv_sec) +
                   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("# %ld rows in %.3f s (%.0f rows/s, %ld callbacks)\n", count, s,
               s > 0 ? (double)count / s : 0.0, g.calls);
    }
}

static void test_stream_100k(void **state)
{
    (void)state;
    stream_rows(65536, 100000);
    stream_rows(7, 3000); /* tiny chunks: every boundary position */
    stream_rows(1, 500);
}

static ssize_t fail_read(void *ctx, char *buf, size_t cap)
{
    int *n = ctx;

    if ((*n)++ == 0) {
        memcpy(buf, "a,b\nc", 5);
        return 5;
    }
    return -1;
}

static void test_read_error(void **state)
{
    CsvReader *r = NULL;
    CsvRow row;
    Err e;
    int calls = 0;

    (void)state;
    assert_int_equal(csv_reader_new(&r, fail_read, &calls, NULL, &e), 0);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_string_equal(row.fields[1], "b");
    assert_int_equal(csv_read_row(r, &row, &e), -ERR_IO);
    assert_string_equal(e.msg, "读取 CSV 文件失败");
    assert_int_equal(e.code, ERR_IO);
    csv_reader_free(r);
}

static ssize_t bom_split_read(void *ctx, char *buf, size_t cap)
{
    int *n = ctx;
    static const char *parts[] = {"\xEF", "\xBB", "\xBF", "x,y\n"};

    if (*n >= 4) {
        return 0;
    }
    memcpy(buf, parts[*n], strlen(parts[*n]));
    return (ssize_t)strlen(parts[(*n)++]);
}

static void test_bom_split(void **state)
{
    CsvReader *r = NULL;
    CsvRow row;
    Err e;
    int calls = 0;

    (void)state;
    assert_int_equal(csv_reader_new(&r, bom_split_read, &calls, NULL, &e), 0);
    assert_int_equal(csv_read_row(r, &row, &e), 1);
    assert_int_equal(row.n_fields, 2);
    assert_string_equal(row.fields[0], "x");
    assert_int_equal(csv_read_row(r, &row, &e), 0);
    csv_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_quoted_sep_and_newlines),
        cmocka_unit_test(test_doubled_quotes),
        cmocka_unit_test(test_crlf_and_no_final_newline),
        cmocka_unit_test(test_empty_fields),
        cmocka_unit_test(test_bom_and_separators),
        cmocka_unit_test(test_lenient_quotes),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_line_numbers),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_bad_sep),
        cmocka_unit_test(test_stream_100k),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_bom_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
