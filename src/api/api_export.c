/* api_export.c - CSV and XLSX exports of lists. */
#include "api/api_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/money.h"
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

unsigned char api_export_xfer_kind(const ColumnDef *c)
{
    if (c->flags & COLUMNS_INFO) {
        if (strcmp(c->key, "latest_year") == 0) {
            return API_COL_INT;
        }
        if (strcmp(c->key, "latest_revenue") == 0) {
            return API_COL_WAN;
        }
        if (strcmp(c->key, "latest_rd_bp") == 0) {
            return API_COL_PCT;
        }
        return API_COL_TEXT;
    }
    switch (c->type) {
    case COLUMNS_INT:
        return API_COL_INT;
    case COLUMNS_MONEY:
    case COLUMNS_MONEY_SIGNED:
        return API_COL_WAN;
    case COLUMNS_DATE:
        return API_COL_DATE;
    default:
        return API_COL_TEXT;
    }
}

void api_export_sheet_name(const char *name, char *out, size_t cap)
{
    const char *p = name ? name : "";
    size_t o = 0;
    int chars = 0;

    while (*p && chars < 31) {
        unsigned char ch = (unsigned char)*p;
        size_t len = ch < 0x80 ? 1 : ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
        size_t k;
        for (k = 1; k < len; k++) {
            if (!p[k]) {
                len = k;
                break;
            }
        }
        if (ch < 0x20 || strchr("[]:*?/\\", (int)ch)) {
            p++;
            continue;
        }
        if (o + len + 1 > cap) {
            break;
        }
        memcpy(out + o, p, len);
        o += len;
        p += len;
        chars++;
    }
    /* Excel refuses a name that begins or ends with an apostrophe */
    while (o > 0 && out[o - 1] == '\'') {
        o--;
    }
    out[o] = '\0';
    if (o == 0 || out[0] == '\'') {
        snprintf(out, cap, "Sheet1");
    }
}

/* The columns named by ?columns=a,b (keys[i] names column i; several
 * columns may share a name), in that order, into x->sel. Names that are
 * no export column (list-only columns) are skipped; none left is an
 * error. Without the parameter every column, in order. */
static int api_export_select(ApiExport *x, const Ctx *c,
                             const char *const *keys, Err *e)
{
    const char *q = c && keys ? ctx_query(c, "columns") : NULL;
    const char *p;
    size_t i, j;

    x->n_sel = 0;
    if (!q || !*q) {
        for (i = 0; i < x->n_cols; i++) {
            x->sel[x->n_sel++] = (unsigned char)i;
        }
        return 0;
    }
    for (p = q; *p;) {
        size_t n = strcspn(p, ",");
        for (i = 0; i < x->n_cols; i++) {
            int dup = 0;
            if (!keys[i] || strlen(keys[i]) != n ||
                memcmp(keys[i], p, n) != 0) {
                continue;
            }
            for (j = 0; j < x->n_sel; j++) {
                dup |= x->sel[j] == i;
            }
            if (!dup) {
                x->sel[x->n_sel++] = (unsigned char)i;
            }
        }
        p += n + (p[n] == ',');
    }
    if (x->n_sel == 0) {
        return err_set(e, ERR_INVALID, "columns", "请至少选择一个可导出的列");
    }
    return 0;
}

int api_export_begin(ApiExport *x, int format, const char *const *titles,
                     const unsigned char *kinds, size_t n_cols,
                     const char *sheet, Err *e)
{
    return api_export_begin_cols(x, NULL, format, NULL, titles, kinds, n_cols,
                                 sheet, e);
}

int api_export_begin_cols(ApiExport *x, const Ctx *c, int format,
                          const char *const *keys, const char *const *titles,
                          const unsigned char *kinds, size_t n_cols,
                          const char *sheet, Err *e)
{
    const char *shown[API_EXPORT_MAX_COLS] = {0};
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    char sname[128];
    size_t j;
    int rc;

    memset(x, 0, sizeof *x);
    buf_init(&x->csv, API_EXPORT_CSV_MAX);
    if (n_cols == 0 || n_cols > API_EXPORT_MAX_COLS) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    x->format = format;
    x->n_cols = n_cols;
    if (kinds) {
        memcpy(x->kinds, kinds, n_cols);
    }
    rc = api_export_select(x, c, keys, e);
    if (rc) {
        return rc;
    }
    for (j = 0; j < x->n_sel; j++) {
        shown[j] = titles[x->sel[j]];
    }
    if (format == API_EXPORT_CSV) {
        buf_append(&x->csv, "\xEF\xBB\xBF", 3);
        for (j = 0; j < x->n_sel; j++) {
            const char *t = shown[j] ? shown[j] : "";
            if (j) {
                buf_append_char(&x->csv, ',');
            }
            buf_append_csv_field(&x->csv, t, strlen(t));
        }
        buf_append(&x->csv, "\r\n", 2);
        return 0;
    }
    rc = xlsx_writer_new_mem(&w, e);
    if (rc) {
        return rc;
    }
    api_export_sheet_name(sheet, sname, sizeof sname);
    rc = xlsx_writer_add_sheet(w, sname, &s, e);
    if (rc == 0) {
        rc = xlsx_write_header(s, 0, shown, x->n_sel, e);
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

/* Write cell text t of column i (its kind) at column col of the current
 * XLSX row. */
static int api_export_cell(ApiExport *x, size_t i, uint16_t col, const char *t,
                           Err *e)
{
    XlsxOutSheet *s = x->xlsx_sheet;
    char *end;
    Err pe;

    switch (x->kinds[i]) {
    case API_COL_INT: {
        long long v = strtoll(t, &end, 10);
        if (*end == '\0' && end != t) {
            return xlsx_write_int(s, x->row, col, v, e);
        }
        break;
    }
    case API_COL_WAN: {
        int64_t yuan;
        if (money_parse_wan(t, &yuan, 1, NULL, &pe) == 0) {
            return xlsx_write_money(s, x->row, col, yuan, e);
        }
        break;
    }
    case API_COL_PCT:
    case API_COL_DEC: {
        double v = strtod(t, &end);
        if (*end == '\0' && end != t) {
            return x->kinds[i] == API_COL_PCT
                       ? xlsx_write_number(s, x->row, col, v / 100.0, "0.00%",
                                           e)
                       : xlsx_write_number(s, x->row, col, v, "0.00", e);
        }
        break;
    }
    case API_COL_DATE:
        if (strlen(t) == 10 &&
            xlsx_write_date_iso(s, x->row, col, t, &pe) == 0) {
            return 0;
        }
        break;
    case API_COL_TIME: {
        struct tm tm;
        if (clock_local_tm(t, &tm) == 0 &&
            xlsx_write_datetime(s, x->row, col, tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                tm.tm_min, tm.tm_sec, &pe) == 0) {
            return 0;
        }
        break;
    }
    default:
        break;
    }
    return xlsx_write_str(s, x->row, col, t, e);
}

int api_export_row(ApiExport *x, const char *const *cells, Err *e)
{
    size_t i, j;
    int rc;

    if (x->format == API_EXPORT_CSV) {
        for (j = 0; j < x->n_sel; j++) {
            const char *s;
            char local[CLOCK_LOCAL_LEN];
            i = x->sel[j];
            s = cells[i] ? cells[i] : "";
            if (j) {
                buf_append_char(&x->csv, ',');
            }
            if (x->kinds[i] == API_COL_TIME &&
                clock_local_text(s, local) == 0) {
                s = local;
            }
            buf_append_csv_field(&x->csv, s, strlen(s));
        }
        if (buf_append(&x->csv, "\r\n", 2)) {
            return err_set(e, ERR_TOOBIG, "format", "导出内容过大");
        }
        return 0;
    }
    for (j = 0; j < x->n_sel; j++) {
        i = x->sel[j];
        if (!cells[i] || !*cells[i]) {
            continue;
        }
        rc = api_export_cell(x, i, (uint16_t)j, cells[i], e);
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

    now += CLOCK_LOCAL_OFFSET; /* the local day */
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    {
        /* no path separators or characters file systems refuse */
        char *clean = arena_strdup(c->arena, name);
        char *p;
        for (p = clean; *p; p++) {
            if ((unsigned char)*p < 0x20 || strchr("/\\:*?\"<>|", *p)) {
                *p = '_';
            }
        }
        name = clean;
    }
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
