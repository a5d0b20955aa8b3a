/* api_export.h - list exports as CSV or XLSX with the same filters as the
 * list itself (DESIGN.md §6, §7).
 *
 *     ApiExport x;
 *     rc = api_export_begin(&x, fmt, titles, numeric, n, "审计日志", e);
 *     ... api_export_row(&x, cells, e) per row ...
 *     rc = api_export_reply(c, &x, "审计日志", e);   // answers, releases
 *
 * CSV is UTF-8 with a BOM (so Excel opens it as UTF-8), CRLF line ends,
 * cells escaped by buf_append_csv_field (formula neutralising included).
 * XLSX has one sheet with a header row; numeric columns become number
 * cells. */
#ifndef KC_API_API_EXPORT_H
#define KC_API_API_EXPORT_H

#include <stddef.h>

#include "base/buf.h"
#include "http/ctx.h"

#define API_EXPORT_MAX_COLS 32

enum { API_EXPORT_CSV = 1, API_EXPORT_XLSX = 2 };

typedef struct ApiExport {
    int format;
    size_t n_cols;
    unsigned char numeric[API_EXPORT_MAX_COLS];
    Buf csv;
    void *xlsx_writer; /* XlsxWriter * */
    void *xlsx_sheet;  /* XlsxOutSheet * */
    unsigned row;
} ApiExport;

/* The format named by ?format=: 0 for none (a JSON list), API_EXPORT_CSV,
 * API_EXPORT_XLSX; ERR_INVALID naming "format" otherwise. */
int api_export_format(const Ctx *c, int *format, Err *e);

/* Start an export with a header row. numeric may be NULL. */
int api_export_begin(ApiExport *x, int format, const char *const *titles,
                     const unsigned char *numeric, size_t n_cols,
                     const char *sheet, Err *e);

/* One row of n_cols cells (NULL = empty). */
int api_export_row(ApiExport *x, const char *const *cells, Err *e);

/* Answer with the file "<name>-YYYYMMDD.csv|xlsx" and release x. */
int api_export_reply(Ctx *c, ApiExport *x, const char *name, Err *e);

/* Release x without answering (on error paths). */
void api_export_release(ApiExport *x);

#endif
