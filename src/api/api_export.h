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
 * XLSX has one sheet with a header row; numbers, money, percentages and
 * dates become number and date cells by column kind (API_COL_*), times are
 * local, columns as wide as their content. */
#ifndef KC_API_API_EXPORT_H
#define KC_API_API_EXPORT_H

#include <stddef.h>

#include "base/buf.h"
#include "domain/io/columns.h"
#include "http/ctx.h"

#define API_EXPORT_MAX_COLS 64

enum { API_EXPORT_CSV = 1, API_EXPORT_XLSX = 2 };

typedef struct ApiExport {
    int format;
    size_t n_cols;
    unsigned char kinds[API_EXPORT_MAX_COLS]; /* API_COL_* */
    unsigned char sel[API_EXPORT_MAX_COLS];   /* columns written, in order */
    size_t n_sel;
    Buf csv;
    void *xlsx_writer; /* XlsxWriter * */
    void *xlsx_sheet;  /* XlsxOutSheet * */
    unsigned row;
} ApiExport;

/* The format named by ?format=: 0 for none (a JSON list), API_EXPORT_CSV,
 * API_EXPORT_XLSX; ERR_INVALID naming "format" otherwise. */
int api_export_format(const Ctx *c, int *format, Err *e);

/* Column kinds: how a cell's text is written. In XLSX: TEXT a string cell;
 * INT a number ("0"); WAN 万元 text ("1234.5678", exact) a number with
 * "#,##0.00##"; PCT a percent number text ("3.25") a number with "0.00%";
 * DEC a decimal number with "0.00"; DATE "YYYY-MM-DD" a date; TIME an
 * ISO-8601 UTC timestamp a local date-time (CLOCK_LOCAL_OFFSET). In CSV
 * every cell is its text, but TIME is also given as local time
 * ("YYYY-MM-DD HH:MM:SS"). A cell that does not parse as its kind is
 * written as text. */
enum {
    API_COL_TEXT = 0,
    API_COL_INT = 1,
    API_COL_WAN,
    API_COL_PCT,
    API_COL_DEC,
    API_COL_DATE,
    API_COL_TIME
};

/* Start an export with a header row. kinds (API_COL_* per column) may be
 * NULL (all text). sheet is cleaned into a valid sheet name (characters
 * []:*?/\ dropped, at most 31 characters). */
int api_export_begin(ApiExport *x, int format, const char *const *titles,
                     const unsigned char *kinds, size_t n_cols,
                     const char *sheet, Err *e);

/* The API_COL_* kind of a column of the import templates' registry: money
 * WAN, integers INT, dates DATE, the export-only 最近年度 INT, 销售收入 WAN
 * and 研发强度 PCT, the rest TEXT. */
unsigned char api_export_xfer_kind(const ColumnDef *c);

/* As api_export_begin, with the columns chosen by the request's
 * ?columns=a,b (what the list's column chooser sends: the names of the
 * list's columns): keys[i] is the name of column i (several columns may
 * share one, NULL: never chosen by name). The chosen columns are written
 * in the order named; names that are no export column are skipped; none
 * left is ERR_INVALID naming "columns". Rows still pass every column's
 * cell. */
int api_export_begin_cols(ApiExport *x, const Ctx *c, int format,
                          const char *const *keys, const char *const *titles,
                          const unsigned char *kinds, size_t n_cols,
                          const char *sheet, Err *e);

/* A valid XLSX sheet name from name into out (cap bytes): []:*?/\ and
 * control characters dropped, at most 31 characters, "Sheet1" when
 * nothing is left. */
void api_export_sheet_name(const char *name, char *out, size_t cap);

/* One row of n_cols cells (NULL = empty). */
int api_export_row(ApiExport *x, const char *const *cells, Err *e);

/* Answer with the file "<name>-YYYYMMDD.csv|xlsx" (the local date) and
 * release x. */
int api_export_reply(Ctx *c, ApiExport *x, const char *name, Err *e);

/* Release x without answering (on error paths). */
void api_export_release(ApiExport *x);

#endif
