/* csv.c - streaming CSV reader; see csv.h for the accepted syntax.
 *
 * The parser is a small state machine that works on whole runs of ordinary
 * bytes (found with a 256-entry class table) and copies each run into one
 * row buffer that is reused for every record, so the hot path has no
 * per-byte calls and no per-field allocation. The state survives chunk
 * boundaries, so the callback may return any number of bytes. */
#include "csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define CSV_CHUNK ((size_t)64 * 1024)

enum {
    CSV_ST_START, /* at the start of a field */
    CSV_ST_UNQ,   /* inside an unquoted field */
    CSV_ST_QUO,   /* inside a quoted field */
    CSV_ST_QEND   /* just after a '"' inside a quoted field */
};

struct CsvReader {
    CsvReadFn fn;
    void *ctx;
    const char *in; /* current input chunk */
    size_t in_len;
    size_t in_pos;
    char *chunk; /* owned chunk buffer (callback mode) */
    int eof;
    int started;
    char sep;
    size_t max_field;
    size_t max_fields;
    size_t max_row;
    unsigned char unq_stop[256]; /* bytes that end a run in an unquoted field */
    unsigned char quo_stop[256]; /* bytes that end a run in a quoted field */

    /* the current record */
    char *rb; /* field bytes, each field followed by a NUL */
    size_t rb_len;
    size_t rb_cap;
    size_t *fstart; /* start offset of each field in rb */
    size_t *flen;
    size_t f_cap;
    size_t nf;        /* completed fields */
    size_t row_bytes; /* content bytes of the record so far */
    const char **fields;
    size_t fields_cap;

    long rows; /* records started so far */
    long line; /* current physical line, 1-based */
    int skip_lf;
    int prev_cr;
    int err; /* sticky error code */
    Err saved;
};

/* Validate options and allocate a reader with everything but the input. */
static int csv_reader_alloc(CsvReader **out, const CsvOptions *opt, Err *e)
{
    CsvReader *r;
    char sep = (opt && opt->sep) ? opt->sep : ',';

    *out = NULL;
    if (sep == '"' || sep == '\r' || sep == '\n') {
        return err_set(e, ERR_INVALID, "sep", "CSV 分隔符无效");
    }
    r = xcalloc(1, sizeof *r);
    r->sep = sep;
    r->max_field =
        (opt && opt->max_field) ? opt->max_field : CSV_DEFAULT_MAX_FIELD;
    r->max_fields =
        (opt && opt->max_fields) ? opt->max_fields : CSV_DEFAULT_MAX_FIELDS;
    r->max_row = (opt && opt->max_row) ? opt->max_row : CSV_DEFAULT_MAX_ROW;
    r->unq_stop[(unsigned char)sep] = 1;
    r->unq_stop['"'] = 1;
    r->unq_stop['\r'] = 1;
    r->unq_stop['\n'] = 1;
    r->quo_stop['"'] = 1;
    r->quo_stop['\r'] = 1;
    r->quo_stop['\n'] = 1;
    r->line = 1;
    r->f_cap = 16;
    r->fstart = xmalloc(r->f_cap * sizeof *r->fstart);
    r->flen = xmalloc(r->f_cap * sizeof *r->flen);
    r->rb_cap = 1024;
    r->rb = xmalloc(r->rb_cap);
    *out = r;
    return 0;
}

int csv_reader_new(CsvReader **out, CsvReadFn fn, void *ctx,
                   const CsvOptions *opt, Err *e)
{
    int rc = csv_reader_alloc(out, opt, e);

    if (rc || !*out) {
        return rc ? rc : ERR_INTERNAL;
    }
    (*out)->fn = fn;
    (*out)->ctx = ctx;
    (*out)->chunk = xmalloc(CSV_CHUNK);
    (*out)->in = (*out)->chunk;
    return 0;
}

int csv_reader_new_mem(CsvReader **out, const char *data, size_t len,
                       const CsvOptions *opt, Err *e)
{
    int rc = csv_reader_alloc(out, opt, e);

    if (rc || !*out) {
        return rc ? rc : ERR_INTERNAL;
    }
    (*out)->in = data ? data : "";
    (*out)->in_len = data ? len : 0;
    (*out)->eof = 1;
    return 0;
}

void csv_reader_free(CsvReader *r)
{
    if (!r) {
        return;
    }
    free(r->chunk);
    free(r->rb);
    free(r->fstart);
    free(r->flen);
    free(r->fields);
    free(r);
}

/* Record an error: fill e and the sticky copy; return -code. */
static int csv_fail(CsvReader *r, Err *e, int code, size_t col, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

static int csv_fail(CsvReader *r, Err *e, int code, size_t col, const char *fmt,
                    ...)
{
    char field[ERR_FIELD_MAX];
    char msg[ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (col) {
        snprintf(field, sizeof field, "row %ld col %zu", r->rows, col);
    } else {
        snprintf(field, sizeof field, "row %ld", r->rows);
    }
    r->err = code;
    err_set(&r->saved, code, field, "%s", msg);
    if (e) {
        *e = r->saved;
    }
    return -code;
}

/* Get the next chunk of input. Returns 1 (more bytes), 0 (end), -ERR_IO. */
static int csv_refill(CsvReader *r, Err *e)
{
    ssize_t n;

    if (r->in_pos < r->in_len) {
        return 1;
    }
    if (r->eof) {
        return 0;
    }
    n = r->fn(r->ctx, r->chunk, CSV_CHUNK);
    if (n < 0 || (size_t)n > CSV_CHUNK) {
        return csv_fail(r, e, ERR_IO, 0, "读取 CSV 文件失败");
    }
    if (n == 0) {
        r->eof = 1;
        return 0;
    }
    r->in = r->chunk;
    r->in_len = (size_t)n;
    r->in_pos = 0;
    return 1;
}

/* First call: make sure at least 3 bytes are buffered (or input ended) and
 * drop a UTF-8 BOM. Returns 0 or -ERR_IO. */
static int csv_start(CsvReader *r, Err *e)
{
    r->started = 1;
    if (r->fn) {
        while (!r->eof && r->in_len < 3) {
            ssize_t n =
                r->fn(r->ctx, r->chunk + r->in_len, CSV_CHUNK - r->in_len);
            if (n < 0 || (size_t)n > CSV_CHUNK - r->in_len) {
                return csv_fail(r, e, ERR_IO, 0, "读取 CSV 文件失败");
            }
            if (n == 0) {
                r->eof = 1;
            }
            r->in_len += (size_t)n;
        }
    }
    if (r->in_len >= 3 && memcmp(r->in, "\xEF\xBB\xBF", 3) == 0) {
        r->in_pos = 3;
    }
    return 0;
}

/* Make room for n more bytes in the row buffer. */
static void csv_rb_reserve(CsvReader *r, size_t n)
{
    if (r->rb_cap - r->rb_len >= n) {
        return;
    }
    while (r->rb_cap - r->rb_len < n) {
        r->rb_cap *= 2;
    }
    r->rb = xrealloc(r->rb, r->rb_cap);
}

/* Append n content bytes to the current field, enforcing the field and row
 * caps. Returns 0 or -ERR_TOOBIG. */
static int csv_put(CsvReader *r, const char *s, size_t n, Err *e)
{
    size_t cur = r->rb_len - r->fstart[r->nf];

    if (n > r->max_field - cur) {
        return csv_fail(r, e, ERR_TOOBIG, r->nf + 1,
                        "第 %ld 行第 %zu 列：内容超过 %zu 字节上限", r->rows,
                        r->nf + 1, r->max_field);
    }
    if (n > r->max_row - r->row_bytes) {
        return csv_fail(r, e, ERR_TOOBIG, r->nf + 1,
                        "第 %ld 行第 %zu 列：整行内容超过 %zu 字节上限",
                        r->rows, r->nf + 1, r->max_row);
    }
    csv_rb_reserve(r, n + 1);
    memcpy(r->rb + r->rb_len, s, n);
    r->rb_len += n;
    r->row_bytes += n;
    return 0;
}

/* Close the current field. When more follows (a separator was seen), check
 * the field count cap and open the next one. Returns 0 or -ERR_TOOBIG. */
static int csv_end_field(CsvReader *r, int more, Err *e)
{
    csv_rb_reserve(r, 1);
    r->flen[r->nf] = r->rb_len - r->fstart[r->nf];
    r->rb[r->rb_len++] = '\0';
    r->nf++;
    if (!more) {
        return 0;
    }
    if (r->nf >= r->max_fields) {
        return csv_fail(r, e, ERR_TOOBIG, r->nf + 1,
                        "第 %ld 行第 %zu 列：列数超过 %zu 列上限", r->rows,
                        r->nf + 1, r->max_fields);
    }
    if (r->nf >= r->f_cap) {
        r->f_cap *= 2;
        r->fstart = xrealloc(r->fstart, r->f_cap * sizeof *r->fstart);
        r->flen = xrealloc(r->flen, r->f_cap * sizeof *r->flen);
    }
    r->fstart[r->nf] = r->rb_len;
    return 0;
}

/* Close the last field and publish the record in *row. Returns 1. */
static int csv_finish(CsvReader *r, CsvRow *row, long line_start)
{
    size_t i;

    csv_end_field(r, 0, NULL);
    if (r->nf > r->fields_cap) {
        r->fields_cap = r->f_cap;
        free(r->fields);
        r->fields = xmalloc(r->fields_cap * sizeof *r->fields);
    }
    for (i = 0; i < r->nf; i++) {
        r->fields[i] = r->rb + r->fstart[i];
    }
    row->fields = r->fields;
    row->lens = r->flen;
    row->n_fields = r->nf;
    row->row_no = r->rows;
    row->line_no = line_start;
    return 1;
}

int csv_read_row(CsvReader *r, CsvRow *row, Err *e)
{
    int state = CSV_ST_START;
    int in_rec = 0;
    long line_start = r->line;
    int rc;

    memset(row, 0, sizeof *row);
    if (r->err) {
        if (e) {
            *e = r->saved;
        }
        return -r->err;
    }
    if (!r->started && (rc = csv_start(r, e)) < 0) {
        return rc;
    }
    r->rb_len = 0;
    r->nf = 0;
    r->fstart[0] = 0;
    r->row_bytes = 0;

    for (;;) {
        const unsigned char *p;
        const unsigned char *q;
        const unsigned char *end;
        unsigned char c;

        if (r->in_pos >= r->in_len) {
            rc = csv_refill(r, e);
            if (rc < 0) {
                return rc;
            }
            if (rc == 0) {
                if (!in_rec) {
                    return 0;
                }
                if (state == CSV_ST_QUO) {
                    return csv_fail(r, e, ERR_INVALID, r->nf + 1,
                                    "第 %ld 行第 %zu 列：引号未闭合", r->rows,
                                    r->nf + 1);
                }
                return csv_finish(r, row, line_start);
            }
        }
        p = (const unsigned char *)r->in + r->in_pos;
        end = (const unsigned char *)r->in + r->in_len;

        switch (state) {
        case CSV_ST_START:
            if (!in_rec) {
                if (r->skip_lf) {
                    r->skip_lf = 0;
                    if (*p == '\n') {
                        r->in_pos++;
                        continue;
                    }
                }
                in_rec = 1;
                r->rows++;
                line_start = r->line;
            }
            if (*p == '"') {
                r->in_pos++;
                r->prev_cr = 0;
                state = CSV_ST_QUO;
                continue;
            }
            state = CSV_ST_UNQ;
            /* fall through */
        case CSV_ST_UNQ:
            q = p;
            while (q < end && !r->unq_stop[*q]) {
                q++;
            }
            if (q > p && (rc = csv_put(r, (const char *)p, q - p, e)) < 0) {
                return rc;
            }
            r->in_pos += q - p;
            if (q == end) {
                continue;
            }
            c = *q;
            r->in_pos++;
            if (c == (unsigned char)r->sep) {
                if ((rc = csv_end_field(r, 1, e)) < 0) {
                    return rc;
                }
                state = CSV_ST_START;
            } else if (c == '"') {
                if ((rc = csv_put(r, "\"", 1, e)) < 0) {
                    return rc;
                }
            } else {
                r->skip_lf = (c == '\r');
                r->line++;
                return csv_finish(r, row, line_start);
            }
            break;
        case CSV_ST_QUO:
            q = p;
            while (q < end && !r->quo_stop[*q]) {
                q++;
            }
            if (q > p) {
                if ((rc = csv_put(r, (const char *)p, q - p, e)) < 0) {
                    return rc;
                }
                r->prev_cr = 0;
            }
            r->in_pos += q - p;
            if (q == end) {
                continue;
            }
            c = *q;
            r->in_pos++;
            if (c == '"') {
                state = CSV_ST_QEND;
                continue;
            }
            if (c == '\r') {
                r->line++;
                r->prev_cr = 1;
            } else {
                if (!r->prev_cr) {
                    r->line++;
                }
                r->prev_cr = 0;
            }
            if ((rc = csv_put(r, (const char *)q, 1, e)) < 0) {
                return rc;
            }
            break;
        case CSV_ST_QEND:
            c = *p;
            r->in_pos++;
            if (c == '"') {
                if ((rc = csv_put(r, "\"", 1, e)) < 0) {
                    return rc;
                }
                r->prev_cr = 0;
                state = CSV_ST_QUO;
            } else if (c == (unsigned char)r->sep) {
                if ((rc = csv_end_field(r, 1, e)) < 0) {
                    return rc;
                }
                state = CSV_ST_START;
            } else if (c == '\r' || c == '\n') {
                r->skip_lf = (c == '\r');
                r->line++;
                return csv_finish(r, row, line_start);
            } else {
                /* text after the closing quote: keep it, as Excel does */
                if ((rc = csv_put(r, (const char *)p, 1, e)) < 0) {
                    return rc;
                }
                state = CSV_ST_UNQ;
            }
            break;
        }
    }
}

int csv_row_is_blank(const CsvRow *row)
{
    size_t i;

    for (i = 0; i < row->n_fields; i++) {
        if (row->lens[i]) {
            return 0;
        }
    }
    return 1;
}
