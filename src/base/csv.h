/* csv.h - streaming CSV reader (RFC 4180, as Excel writes and reads it).
 *
 * A CsvReader pulls bytes through a read callback (or reads a memory buffer
 * in place) and returns one record at a time, so a file of millions of rows
 * is read in constant memory. Input must already be UTF-8 (charset.h does
 * GBK/GB18030 conversion upstream); a UTF-8 BOM at the very start is dropped.
 *
 * Syntax accepted:
 *   - fields separated by opt->sep (',' by default; ';' and '\t' also work);
 *   - records end with LF, CRLF or a lone CR; the last record may lack one;
 *   - a field starting with '"' is quoted: it may contain the separator,
 *     CR, LF, and '""' for one '"';
 *   - lenient like Excel: a '"' in the middle of an unquoted field is kept
 *     literally (a"b -> a"b), and text after the closing quote of a quoted
 *     field is appended literally ("ab"cd -> abcd);
 *   - an empty line is a record with one empty field (csv_row_is_blank);
 *   - an unterminated quoted field at end of input is an error.
 *
 * Row and column numbers in messages are 1-based; the row is the record
 * number (what Excel shows as the row number), not the physical line. */
#ifndef KC_BASE_CSV_H
#define KC_BASE_CSV_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define CSV_DEFAULT_MAX_FIELD ((size_t)64 * 1024)
#define CSV_DEFAULT_MAX_FIELDS ((size_t)1024)
#define CSV_DEFAULT_MAX_ROW ((size_t)1024 * 1024)

typedef struct CsvReader CsvReader;

/* Read callback: copy at most cap bytes into buf. Return the number of
 * bytes copied (> 0), 0 at end of input, or < 0 on a read error. */
typedef ssize_t (*CsvReadFn)(void *ctx, char *buf, size_t cap);

typedef struct CsvOptions {
    char sep;          /* field separator; 0 = ',' */
    size_t max_field;  /* bytes in one field; 0 = CSV_DEFAULT_MAX_FIELD */
    size_t max_fields; /* fields in one record; 0 = CSV_DEFAULT_MAX_FIELDS */
    size_t max_row;    /* content bytes of a record; 0 = CSV_DEFAULT_MAX_ROW */
} CsvOptions;

/* One record. Everything points into the reader and stays valid until the
 * next csv_read_row() or csv_reader_free(). Each field is NUL-terminated
 * (and may itself contain NUL bytes; lens is authoritative). */
typedef struct CsvRow {
    const char *const *fields;
    const size_t *lens;
    size_t n_fields; /* >= 1 for every record */
    long row_no;     /* 1-based record number */
    long line_no;    /* 1-based physical line where the record starts */
} CsvRow;

/* Create a reader pulling input through fn(ctx, ...). opt may be NULL for
 * the defaults. The callback is not called before the first csv_read_row.
 * *out is freed with csv_reader_free(). Returns 0 or ERR_INVALID (bad
 * options). */
int csv_reader_new(CsvReader **out, CsvReadFn fn, void *ctx,
                   const CsvOptions *opt, Err *e);

/* Create a reader over len bytes at data, read in place (not copied): data
 * must outlive the reader. Otherwise as csv_reader_new(). */
int csv_reader_new_mem(CsvReader **out, const char *data, size_t len,
                       const CsvOptions *opt, Err *e);

/* Read the next record into *row.
 * Returns 1 when a record was read, 0 at end of input, or a negative
 * -ERR_* code on error (-ERR_INVALID: unterminated quote; -ERR_TOOBIG: a cap
 * was exceeded; -ERR_IO: the callback failed), with e filled (positive code,
 * field "row R col C", zh-CN message such as "第 12 行第 3 列：引号未闭合").
 * Errors are sticky: later calls return the same error again. */
int csv_read_row(CsvReader *r, CsvRow *row, Err *e);

/* 1 when the record is an empty line or has only empty fields. */
int csv_row_is_blank(const CsvRow *row);

/* Free the reader and everything rows point to. NULL is allowed. */
void csv_reader_free(CsvReader *r);

#endif
