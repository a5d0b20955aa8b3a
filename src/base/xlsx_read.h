/* xlsx_read.h - a small streaming XLSX reader (libzip + expat).
 *
 * Reads what Excel, WPS, LibreOffice and libxlsxwriter write: the sheet list
 * (workbook order), shared strings (rich-text runs concatenated, phonetic
 * runs dropped), inline strings, numbers as their original text (never
 * through double, so money can be parsed exactly), booleans, error values,
 * formula cells with their cached value, the date flag from the cell style
 * and merged ranges. A sheet is streamed row by row through expat in chunks
 * read from the zip entry; only the shared-string table is held in memory.
 * OOXML "_xHHHH_" escapes in strings are decoded as Excel does.
 *
 * Conventions: row numbers are 1-based as Excel shows them (row_no);
 * column indexes are 0-based (A = 0) and index XlsxRow.cells.
 *
 * Every failure is ERR_INVALID (not an XLSX, corrupt), ERR_TOOBIG (a cap)
 * or ERR_IO (cannot open the file), with a zh-CN message naming the sheet
 * and cell where there is one. Nothing in the input can crash the reader. */
#ifndef KC_BASE_XLSX_READ_H
#define KC_BASE_XLSX_READ_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define XLSX_MAX_COLS 16384
#define XLSX_MAX_ROWS 1048576L
#define XLSX_MAX_CELL_CHARS 32767
/* A sheet is streamed one row at a time, so its cap bounds time, not
 * memory: 2 GiB holds Excel's full 1,048,576 rows of a 19-column export
 * with inline strings (about 1 GiB), the form kechuang itself writes. */
#define XLSX_DEFAULT_MAX_SHEET_BYTES ((size_t)2048 * 1024 * 1024)
#define XLSX_DEFAULT_MAX_SST_BYTES ((size_t)64 * 1024 * 1024)
#define XLSX_DEFAULT_MAX_SST_COUNT ((size_t)2 * 1000 * 1000)
#define XLSX_DEFAULT_MAX_PART_BYTES ((size_t)16 * 1024 * 1024)
/* Inflation: a part may grow to at most this many times its compressed
 * size (a zip bomb grows ~1000 times; real sheets 5 to 30 times). Parts
 * up to XLSX_RATIO_FREE_BYTES are not held to it. */
#define XLSX_DEFAULT_MAX_RATIO 100
#define XLSX_RATIO_FREE_BYTES ((size_t)8 * 1024 * 1024)

/* Caps; a zero member means its default. */
typedef struct XlsxOptions {
    size_t max_sheet_bytes; /* uncompressed sheet XML */
    size_t max_sst_bytes;   /* uncompressed sharedStrings.xml */
    size_t max_sst_count;   /* number of shared strings */
    size_t max_part_bytes;  /* workbook.xml, styles.xml, .rels */
    size_t max_ratio;       /* uncompressed / compressed size of a part */
} XlsxOptions;

typedef struct XlsxReader XlsxReader;
typedef struct XlsxSheet XlsxSheet;

enum {
    XLSX_CELL_EMPTY = 0, /* missing cell, or a styled cell without value */
    XLSX_CELL_STRING,    /* shared, inline, or a formula's string result */
    XLSX_CELL_NUMBER,    /* value is the <v> text as written: "1234.5" */
    XLSX_CELL_BOOL,      /* value is "TRUE" or "FALSE" */
    XLSX_CELL_ERROR      /* value is the error text: "#DIV/0!" */
};

typedef struct XlsxCell {
    const char *value;   /* NUL-terminated, never NULL ("" when empty) */
    size_t len;          /* bytes in value */
    int type;            /* XLSX_CELL_* of the (cached) value */
    int is_date;         /* number with a date/time format: a serial day */
    int is_formula;      /* the cell holds a formula (value is its cache) */
    const char *formula; /* formula text without '=', "" when none or shared */
} XlsxCell;

typedef struct XlsxRow {
    long row_no;           /* 1-based; rows without cells may be skipped */
    const XlsxCell *cells; /* cells[col]; missing cells are EMPTY */
    size_t n_cells;        /* 1 + the highest column present, or 0 */
} XlsxRow;

/* A merged range, inclusive. */
typedef struct XlsxMerge {
    long first_row_no; /* 1-based */
    long last_row_no;
    unsigned first_col; /* 0-based */
    unsigned last_col;
} XlsxMerge;

/* Open the XLSX file at path and read its sheet list, styles and shared
 * strings. *out is freed with xlsx_reader_free(). opt may be NULL. */
int xlsx_reader_open_file(XlsxReader **out, const char *path,
                          const XlsxOptions *opt, Err *e);

/* As xlsx_reader_open_file() over len bytes at data, which are not copied
 * and must outlive the reader. */
int xlsx_reader_open_mem(XlsxReader **out, const void *data, size_t len,
                         const XlsxOptions *opt, Err *e);

/* Free the reader. Every XlsxSheet from it must be freed first. */
void xlsx_reader_free(XlsxReader *x);

/* Sheets in workbook order. Names are owned by the reader. */
size_t xlsx_reader_sheet_count(const XlsxReader *x);
const char *xlsx_reader_sheet_name(const XlsxReader *x, size_t i);
int xlsx_reader_sheet_hidden(const XlsxReader *x, size_t i);
/* 1 when the workbook uses the 1904 date system (serial 0 = 1904-01-01). */
int xlsx_reader_date1904(const XlsxReader *x);
/* Index of the sheet called name, or -1. */
long xlsx_reader_sheet_find(const XlsxReader *x, const char *name);

/* Start streaming sheet i. *out is freed with xlsx_sheet_free(). */
int xlsx_sheet_open(XlsxReader *x, size_t i, XlsxSheet **out, Err *e);

/* Read the next row that is present in the sheet XML.
 * Returns 1 (a row), 0 (end of sheet) or -ERR_* with e filled; errors are
 * sticky. The row points into the sheet and shared-string table and stays
 * valid until the next call or xlsx_sheet_free(). */
int xlsx_sheet_read_row(XlsxSheet *s, XlsxRow *row, Err *e);

/* The sheet's merged ranges (<mergeCells>), in file order. They follow the
 * cell data in the file, so unless the sheet has been read to its end this
 * makes one extra streaming pass over the sheet (without disturbing the
 * row cursor). The array is owned by the sheet. Returns 0 or ERR_*. */
int xlsx_sheet_merges(XlsxSheet *s, const XlsxMerge **merges, size_t *n,
                      Err *e);

/* Name of the sheet being read (owned by the reader). */
const char *xlsx_sheet_name(const XlsxSheet *s);

void xlsx_sheet_free(XlsxSheet *s);

/* Column letters of a 0-based index: 0 -> "A", 27 -> "AB". out needs 4
 * bytes; an index >= XLSX_MAX_COLS gives "?". */
void xlsx_col_name(unsigned col, char out[4]);

/* Parse a cell reference "AB12" (the row part may be absent: "AB"). Sets
 * *col (0-based) and *row_no (1-based, 0 when absent). Returns 0, or -1 when
 * malformed or beyond XLSX_MAX_COLS / XLSX_MAX_ROWS. */
int xlsx_ref_parse(const char *ref, unsigned *col, long *row_no);

/* Turn the text of a number cell ("8.710900000000001", "1.5E-3", "-12")
 * into an exact decimal with at most `decimals` decimals, rounding half
 * away from zero, without trailing zeros: ("8.710900000000001", 4) ->
 * "8.7109". Money exported as 万元 through a double comes back this way.
 * Appends to out. Returns 0, ERR_INVALID (not a number) or ERR_TOOBIG (the
 * result would exceed 40 digits). */
int xlsx_num_round(const char *text, unsigned decimals, Buf *out, Err *e);

#endif
