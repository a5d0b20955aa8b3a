/* columns.h - the column registry shared by imports, templates and exports of
 * the enterprise library (DESIGN.md §7).
 *
 * One table per kind (enterprises, figures, ip, facts). Each column has its
 * zh-CN header title, the database column it maps to, a type (text, USCC,
 * date, money in 万元, integer, enum with zh-CN names, bool 是/否 ...),
 * flags (required, part of the natural key, export-only) and a note for
 * the template. Templates, exports and the importer all walk these tables,
 * so an exported file has the template's columns and imports again.
 *
 * Cell values are converted here in both directions: columns_parse turns the
 * text of a cell into the value as stored (integer or canonical text) with
 * a zh-CN message on error; columns_format turns a stored value back into the
 * text a template cell holds. Static tables; nothing here touches the
 * database. */
#ifndef KC_DOMAIN_COLUMNS_H
#define KC_DOMAIN_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Column types. */
enum {
    COLUMNS_TEXT = 1, /* free text, max_chars characters */
    COLUMNS_USCC,     /* 统一社会信用代码, normalised */
    COLUMNS_DATE,     /* any form date_parse takes; stored YYYY-MM-DD */
    COLUMNS_MONEY,    /* 万元 with up to 4 decimals, >= 0; stored in 元 */
    COLUMNS_MONEY_SIGNED, /* as COLUMNS_MONEY, may be negative */
    COLUMNS_INT,          /* integer in [min, max] */
    COLUMNS_ENUM,         /* a code or its zh-CN name; stored as the code */
    COLUMNS_BOOL,         /* 是/否 (also 1/0, Y/N, TRUE/FALSE); stored 1/0 */
    COLUMNS_UNIT,     /* name of an organisation unit (resolved by import) */
    COLUMNS_INDUSTRY, /* GB/T 4754 code, normalised ("C3963") */
    COLUMNS_PHONE,    /* digits, spaces and + - ( ) # , */
    COLUMNS_EMAIL,    /* name@example.com */
    COLUMNS_DECLVAL   /* a declared value: its type is that of the row's
                    申报事项 (columns_decl_value_parse); kept as text by
                    columns_parse, converted by the importer */
};

/* Column flags. */
enum {
    COLUMNS_REQ = 1,     /* required in every row */
    COLUMNS_REQ_NEW = 2, /* required when the row creates a record */
    COLUMNS_KEY = 4,     /* part of the natural key of the row */
    COLUMNS_INFO = 8,    /* export only: read-only, ignored by the importer */
    COLUMNS_INTCOL = 16  /* stored in an INTEGER column */
};

typedef struct ColumnDef {
    const char *title; /* zh-CN header, e.g. "销售收入（万元）" */
    const char *key;   /* database column (and API/error field name) */
    int type;          /* COLUMNS_* */
    int flags;         /* COLUMNS_REQ ... */
    size_t max_chars;  /* COLUMNS_TEXT: most characters */
    int64_t min, max;  /* COLUMNS_INT bounds; COLUMNS_MONEY*: bounds in 元 */
    const char *const *codes; /* COLUMNS_ENUM: NULL-terminated codes */
    const char *(*name_of)(const char *code); /* COLUMNS_ENUM: zh-CN name */
    const char *note;                         /* template note */
} ColumnDef;

/* Kinds. */
enum {
    XK_ENTERPRISES = 0,
    XK_FIGURES,
    XK_IP,
    XK_FACTS,
    XK_DECLARATIONS, /* declared rule inputs (enterprise_declarations) */
    XK_N
};

#define COLUMNS_MAX 32

typedef struct ColumnKind {
    int id;            /* XK_* */
    const char *code;  /* "enterprises", "figures", "ip", "facts" */
    const char *name;  /* zh-CN, e.g. "企业登记信息" */
    const char *table; /* the database table rows are written to */
    const ColumnDef *cols;
    size_t n_cols;
} ColumnKind;

/* The kind called code, or NULL. */
const ColumnKind *columns_kind_find(const char *code);
/* Kind by XK_* id. */
const ColumnKind *columns_kind(int id);

/* Index of the column whose title is title (surrounding spaces, a
 * trailing "*" required marker and full-width/half-width brackets
 * tolerated), or -1. */
int columns_col_by_title(const ColumnKind *k, const char *title);
/* Index of the column whose key is key, or -1. */
int columns_col_by_key(const ColumnKind *k, const char *key);

/* A parsed cell. */
typedef struct ColumnVal {
    int set;       /* 0: the cell was empty */
    int64_t i;     /* integer columns (COLUMNS_INTCOL) */
    const char *s; /* text columns: canonical text (in the pool) */
    size_t off;    /* offset of that text in the pool */
} ColumnVal;

/* Parse the text of a cell of column c into v. Empty (or blank) text
 * gives v->set = 0 and no error (required columns are checked by the
 * caller). Canonical text is appended NUL-terminated to pool at v->off;
 * v->s points into it only after columns_vals_fix (the pool may move). Errors
 * are ERR_INVALID with a zh-CN message about the value (without row or column:
 * the caller adds them). COLUMNS_UNIT is kept as trimmed text (the importer
 * resolves it). */
int columns_parse(const ColumnDef *c, const char *text, ColumnVal *v, Buf *pool,
                  Err *e);

/* Make v->s of text values point into pool after a row's parsing. */
void columns_vals_fix(const ColumnKind *k, ColumnVal *vals, const Buf *pool);

/* Append the template text of a stored value of column c: integer columns
 * from iv (has = 0: nothing), text columns from sv (NULL: nothing). Money
 * as exact 万元, enums by their zh-CN name, bools 是/否. */
int columns_format(const ColumnDef *c, int has, int64_t iv, const char *sv,
                   Buf *out);

/* One line describing the column for the template's notes: type, whether
 * required, allowed values. Appended to out. */
int columns_describe(const ColumnDef *c, Buf *out);

/* A declared value of rule input field (rules/field.c name) from cell
 * text, as the engine holds it: 是/否 -> 1/0, 万元 (万美元) -> 元 (美元),
 * dates, integers 0..1000000. ERR_INVALID with a zh-CN message naming the
 * field's label on a bad value. */
int columns_decl_value_parse(const char *field, const char *text, int64_t *out,
                             Err *e);
/* The cell text of a declared value (the inverse of the above). */
int columns_decl_value_format(const char *field, int64_t v, Buf *out);

/* Write the template of kind k as a UTF-8 CSV with BOM (header row only,
 * then nothing) to out. */
int columns_template_csv(const ColumnKind *k, Buf *out, Err *e);

/* Write the template of kind k as XLSX to path (sheet 1: the styled,
 * frozen header; sheet 2 "说明": one line per column). */
int columns_template_xlsx(const ColumnKind *k, const char *path, Err *e);

/* The same into memory. */
int columns_template_xlsx_mem(const ColumnKind *k, Buf *out, Err *e);

#endif
