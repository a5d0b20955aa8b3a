/* xlsx_write.h - XLSX export over libxlsxwriter.
 *
 * One XlsxWriter per workbook; sheets are added in order and written cell
 * by cell with 0-based row and column indexes (libxlsxwriter's own
 * convention; row 0 is Excel's row 1).
 *
 * Cell kinds:
 *   - text: always a string cell with the Text ("@") number format, so
 *     Excel never turns it into a number, date or formula, even when the
 *     user edits the cell later. A value beginning with = + - @ is written
 *     unchanged (no apostrophe prefix): it cannot run as a formula in a
 *     string cell, and it round-trips through import exactly. Invalid UTF-8
 *     is replaced by U+FFFD, and text that looks like an OOXML escape
 *     ("_x0041_") is protected so Excel shows it literally.
 *   - integers: number cells, format "0" (exact up to 2^53).
 *   - money: int64 元 written as a number in 万元 (yuan / 10000) with format
 *     "#,##0.00##" (two decimals, four when there are), so staff can sum it.
 * The XML holds the double printed with 16 significant digits, so reading back
 * can give "8.710900000000001" for 8.7109: importers round the cell text to
 * four decimals (xlsx_num_round) before parsing it as 万元.
 *   - dates: a date serial with format "yyyy-mm-dd" (flagged is_date by
 *     xlsx_read); date-times with "yyyy-mm-dd hh:mm:ss".
 *   - other numbers: a double with a number format code given by the caller
 *     ("0.00%", "#,##0.00").
 *
 * Column widths: unless set with xlsx_set_col_width, each column (of the
 * first 256) is made as wide as its widest title or cell (CJK characters
 * count 2; 8 to 80 characters) when the workbook is written.
 *
 * Memory: libxlsxwriter can only write to a file, so the in-memory variant
 * writes a temporary file (mkstemp under $TMPDIR or /tmp), reads it back
 * into a Buf and unlinks it. Workbooks use libxlsxwriter's constant-memory
 * mode: a row is flushed to a temporary file when a later row is written,
 * so memory stays flat at any row count, strings are stored inline (no
 * shared-string table), and within a sheet rows must be written in
 * ascending order (any column order within a row). Writing above the last
 * row written is refused with ERR_INTERNAL. */
#ifndef KC_BASE_XLSX_WRITE_H
#define KC_BASE_XLSX_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

typedef struct XlsxWriter XlsxWriter;
typedef struct XlsxOutSheet XlsxOutSheet;

/* Start a workbook that xlsx_writer_close() will write to path. */
int xlsx_writer_new(XlsxWriter **out, const char *path, Err *e);

/* Start a workbook whose bytes xlsx_writer_close_mem() will return. */
int xlsx_writer_new_mem(XlsxWriter **out, Err *e);

/* Add a sheet (name: at most 31 characters, none of []:*?/\ , unique).
 * The sheet is owned by the writer. */
int xlsx_writer_add_sheet(XlsxWriter *w, const char *name, XlsxOutSheet **out,
                          Err *e);

/* Write a header row at row: titles in bold on a light blue fill with thin
 * borders, panes frozen below it, and an autofilter over the n columns.
 * Titles count for the columns' automatic widths. */
int xlsx_write_header(XlsxOutSheet *s, uint32_t row, const char *const *titles,
                      size_t n, Err *e);

/* Write a title merged over rows first_row..last_row and columns
 * first_col..last_col (bold, larger, centred). */
int xlsx_write_title(XlsxOutSheet *s, uint32_t first_row, uint16_t first_col,
                     uint32_t last_row, uint16_t last_col, const char *text,
                     Err *e);

/* Set the width (in characters) of columns first..last. */
int xlsx_set_col_width(XlsxOutSheet *s, uint16_t first, uint16_t last,
                       double width, Err *e);

/* Cell writers. NULL text writes nothing (an empty cell). Integers beyond
 * +-2^53 are written as text so no digit is lost. */
int xlsx_write_str(XlsxOutSheet *s, uint32_t row, uint16_t col,
                   const char *text, Err *e);
int xlsx_write_int(XlsxOutSheet *s, uint32_t row, uint16_t col, int64_t v,
                   Err *e);
/* |yuan| must be below 2^53 (ERR_INVALID otherwise). */
int xlsx_write_money(XlsxOutSheet *s, uint32_t row, uint16_t col, int64_t yuan,
                     Err *e);
int xlsx_write_date(XlsxOutSheet *s, uint32_t row, uint16_t col, int year,
                    int month, int day, Err *e);
/* A date and time of day (no time zone: the caller converts). */
int xlsx_write_datetime(XlsxOutSheet *s, uint32_t row, uint16_t col, int year,
                        int month, int day, int hour, int minute, int second,
                        Err *e);
/* v with the number format num_format (a static string, e.g. "0.00%";
 * NULL: "0"). */
int xlsx_write_number(XlsxOutSheet *s, uint32_t row, uint16_t col, double v,
                      const char *num_format, Err *e);
/* iso is "YYYY-MM-DD"; an empty string writes nothing. */
int xlsx_write_date_iso(XlsxOutSheet *s, uint32_t row, uint16_t col,
                        const char *iso, Err *e);

/* Write the file and free w (always, also on error). */
int xlsx_writer_close(XlsxWriter *w, Err *e);

/* Write the workbook, append its bytes to out, remove the temporary file
 * and free w (always). ERR_TOOBIG when out's cap is exceeded. */
int xlsx_writer_close_mem(XlsxWriter *w, Buf *out, Err *e);

/* Discard an unfinished workbook: nothing is written; frees w. */
void xlsx_writer_free(XlsxWriter *w);

#endif
