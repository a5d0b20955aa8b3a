/* api_export.c - CSV and XLSX exports of lists. */
#include "api/api_export.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/xlsx_write.h"

/* Exports are capped well below the response cap. */
#define API_EXPORT_CSV_MAX ((size_t)256 * 1024 * 1024)

int api_export_format(const Ctx *c, int *format, Err *e)
{
    const char *f = ctx_query(c, "format");

    *format = 0;
    if (!f || !*f || strcmp(f, "json") == 0) {
        return 0;
    }
    if (strcmp(f, "csv") == 0) {
        *format = API_EXPORT_CSV;
        return 0;
    }
    if (strcmp(f, "xlsx") == 0) {
        *format = API_EXPORT_XLSX;
        return 0;
    }
    return err_set(e, ERR_INVALID, "format", "导出格式应为 csv 或 xlsx");
}

int api_export_begin(ApiExport *x, int format, const char *const *titles,
                     const unsigned char *numeric, size_t n_cols,
                     const char *sheet, Err *e)
{
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    int rc;

    memset(x, 0, sizeof *x);
    buf_init(&x->csv, API_EXPORT_CSV_MAX);
    if (n_cols == 0 || n_cols > API_EXPORT_MAX_COLS) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    x->format = format;
    x->n_cols = n_cols;
    if (numeric) {
        memcpy(x->numeric, numeric, n_cols);
    }
    if (format == API_EXPORT_CSV) {
        buf_append(&x->csv, "\xEF\xBB\xBF", 3);
        return api_export_row(x, titles, e);
    }
    rc = xlsx_writer_new_mem(&w, e);
    if (rc) {
        return rc;
    }
    rc = xlsx_writer_add_sheet(w, sheet, &s, e);
    if (rc == 0) {
        rc = xlsx_write_header(s, 0, titles, n_cols, e);
    }
    if (rc) {
        xlsx_writer_free(w);
        return rc;
    }
    x->xlsx_writer = w;
    x->xlsx_sheet = s;
    x->row = 1;
    return 0;
}

int api_export_row(ApiExport *x, const char *const *cells, Err *e)
{
    size_t i;
    int rc;

    if (x->format == API_EXPORT_CSV) {
        for (i = 0; i < x->n_cols; i++) {
            const char *s = cells[i] ? cells[i] : "";
            if (i) {
                buf_append_char(&x->csv, ',');
            }
            buf_append_csv_field(&x->csv, s, strlen(s));
        }
        if (buf_append(&x->csv, "\r\n", 2)) {
            return err_set(e, ERR_TOOBIG, "format", "导出内容过大");
        }
        return 0;
    }
    for (i = 0; i < x->n_cols; i++) {
        if (!cells[i] || !*cells[i]) {
            continue;
        }
        if (x->numeric[i]) {
            char *end;
            long long v = strtoll(cells[i], &end, 10);
            if (*end == '\0') {
                rc = xlsx_write_int(x->xlsx_sheet, x->row, (uint16_t)i, v, e);
            } else {
                rc = xlsx_write_str(x->xlsx_sheet, x->row, (uint16_t)i,
                                    cells[i], e);
            }
        } else {
            rc =
                xlsx_write_str(x->xlsx_sheet, x->row, (uint16_t)i, cells[i], e);
        }
        if (rc) {
            return rc;
        }
    }
    x->row++;
    return 0;
}

void api_export_release(ApiExport *x)
{
    if (x->xlsx_writer) {
        xlsx_writer_free(x->xlsx_writer);
        x->xlsx_writer = NULL;
    }
    buf_release(&x->csv);
}

int api_export_reply(Ctx *c, ApiExport *x, const char *name, Err *e)
{
    char day[16];
    const char *fname;
    time_t now = time(NULL);
    struct tm tm;
    Buf out;
    int rc = 0;

    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    if (x->format == API_EXPORT_CSV) {
        fname = arena_sprintf(c->arena, "%s-%s.csv", name, day);
        if (x->csv.err) {
            rc = err_set(e, ERR_TOOBIG, "format", "导出内容过大");
        } else {
            rc = ctx_reply_bytes(c, 200, "text/csv; charset=utf-8", x->csv.data,
                                 x->csv.len, fname);
        }
        api_export_release(x);
        return rc;
    }
    buf_init(&out, API_EXPORT_CSV_MAX);
    rc = xlsx_writer_close_mem(x->xlsx_writer, &out, e);
    x->xlsx_writer = NULL;
    if (rc == 0) {
        fname = arena_sprintf(c->arena, "%s-%s.xlsx", name, day);
        rc = ctx_reply_bytes(
            c, 200,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            out.data, out.len, fname);
    }
    buf_release(&out);
    api_export_release(x);
    return rc;
}
