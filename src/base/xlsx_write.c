/* xlsx_write.c - XLSX export over libxlsxwriter; see xlsx_write.h. */
#include "xlsx_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "log.h"
#include "mem.h"

#define XLSX_W_MAX_COLS 16384
#define XLSX_W_MAX_ROWS 1048576UL
#define XLSX_W_EXACT_MAX ((int64_t)1 << 53)
#define XLSX_W_AUTO_COLS 256 /* columns whose width follows their content */
#define XLSX_W_WIDTH_MIN 8.0 /* auto width bounds, in characters */
#define XLSX_W_WIDTH_MAX 80.0
#define XLSX_W_N_FMT 16 /* custom number formats per workbook */

struct XlsxOutSheet {
    XlsxWriter *w;
    lxw_worksheet *ws;
    int has_header;
    uint32_t hdr_row;
    uint16_t hdr_cols;
    uint32_t last_row;
    int written; /* a cell was written: last_row is meaningful */
    unsigned char width_set[XLSX_W_MAX_COLS / 8];
    /* widest text met per column (titles and cells, CJK counting 2), for
     * the widths set when the workbook is written; first XLSX_W_AUTO_COLS
     * columns only */
    unsigned short auto_w[XLSX_W_AUTO_COLS];
    XlsxOutSheet *next;
};

struct XlsxWriter {
    lxw_workbook *wb;
    lxw_format *f_header;
    lxw_format *f_title;
    lxw_format *f_text;
    lxw_format *f_int;
    lxw_format *f_money;
    lxw_format *f_date;
    lxw_format *f_time;
    const char *fmt_code[XLSX_W_N_FMT]; /* custom number formats */
    lxw_format *fmt[XLSX_W_N_FMT];
    int n_fmt;
    char *path;    /* output file (the temporary file in memory mode) */
    char *tmp_dir; /* for libxlsxwriter's own temporary files */
    int mem;
    XlsxOutSheet *sheets;
    XlsxOutSheet *last;
    Buf scratch; /* cleaned text */
};

/* Directory for temporary files: $TMPDIR or /tmp. */
static const char *xlsx_w_tmpdir(void)
{
    const char *d = getenv("TMPDIR");

    return (d && *d) ? d : "/tmp";
}

/* Create the workbook and its formats for the output file at w->path. */
static int xlsx_w_init(XlsxWriter *w, Err *e)
{
    lxw_workbook_options opt = {0};

    w->tmp_dir = xstrdup(xlsx_w_tmpdir());
    opt.tmpdir = w->tmp_dir;
    /* each row goes to a temporary file once the next row starts: memory
     * stays flat whatever the row count (see docs/internals/csv_xlsx.md),
     * at the price of rows written in order */
    opt.constant_memory = LXW_TRUE;
    w->wb = workbook_new_opt(w->path, &opt);
    if (!w->wb) {
        return err_set(e, ERR_IO, NULL, "无法创建导出文件");
    }
    w->f_header = workbook_add_format(w->wb);
    format_set_bold(w->f_header);
    format_set_bg_color(w->f_header, 0xDDEBF7);
    format_set_border(w->f_header, LXW_BORDER_THIN);
    format_set_align(w->f_header, LXW_ALIGN_CENTER);
    format_set_align(w->f_header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(w->f_header);
    format_set_num_format(w->f_header, "@");
    w->f_title = workbook_add_format(w->wb);
    format_set_bold(w->f_title);
    format_set_font_size(w->f_title, 14);
    format_set_align(w->f_title, LXW_ALIGN_CENTER);
    format_set_align(w->f_title, LXW_ALIGN_VERTICAL_CENTER);
    format_set_num_format(w->f_title, "@");
    w->f_text = workbook_add_format(w->wb);
    format_set_num_format(w->f_text, "@");
    w->f_int = workbook_add_format(w->wb);
    format_set_num_format(w->f_int, "0");
    w->f_money = workbook_add_format(w->wb);
    /* two decimals shown, up to four when the value has them */
    format_set_num_format(w->f_money, "#,##0.00##");
    w->f_date = workbook_add_format(w->wb);
    format_set_num_format(w->f_date, "yyyy-mm-dd");
    w->f_time = workbook_add_format(w->wb);
    format_set_num_format(w->f_time, "yyyy-mm-dd hh:mm:ss");
    buf_init(&w->scratch, 0);
    return 0;
}

int xlsx_writer_new(XlsxWriter **out, const char *path, Err *e)
{
    XlsxWriter *w = xcalloc(1, sizeof *w);
    int rc;

    w->path = xstrdup(path);
    rc = xlsx_w_init(w, e);
    if (rc) {
        xlsx_writer_free(w);
        w = NULL;
    }
    *out = w;
    return rc;
}

int xlsx_writer_new_mem(XlsxWriter **out, Err *e)
{
    XlsxWriter *w = xcalloc(1, sizeof *w);
    const char *dir = xlsx_w_tmpdir();
    int fd;
    int rc;

    *out = NULL;
    w->mem = 1;
    w->path = xmalloc(strlen(dir) + 32);
    sprintf(w->path, "%s/kechuang-xlsx-XXXXXX", dir);
    fd = mkstemp(w->path);
    if (fd < 0) {
        log_error("xlsx: mkstemp in %s: %s", dir, strerror(errno));
        free(w->path);
        free(w);
        return err_set(e, ERR_IO, NULL, "无法创建临时文件");
    }
    close(fd);
    rc = xlsx_w_init(w, e);
    if (rc) {
        xlsx_writer_free(w);
        w = NULL;
    }
    *out = w;
    return rc;
}

void xlsx_writer_free(XlsxWriter *w)
{
    XlsxOutSheet *s;

    if (!w) {
        return;
    }
    if (w->wb) {
        lxw_workbook_free(w->wb);
    }
    if (w->mem && w->path) {
        unlink(w->path);
    }
    while ((s = w->sheets) != NULL) {
        w->sheets = s->next;
        free(s);
    }
    buf_release(&w->scratch);
    free(w->path);
    free(w->tmp_dir);
    free(w);
}

/* Map a libxlsxwriter error for the cell at row/col to an Err. */
static int xlsx_w_fail(lxw_error le, uint32_t row, uint16_t col, Err *e)
{
    char ref[8];
    unsigned c = col;
    int n = 0;
    char tmp[8];

    do {
        tmp[n++] = (char)('A' + c % 26);
        c = c / 26;
    } while (c-- > 0 && n < 4);
    for (c = 0; c < (unsigned)n; c++) {
        ref[c] = tmp[n - 1 - c];
    }
    ref[n] = '\0';
    if (le == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
        return err_set(e, ERR_TOOBIG, NULL,
                       "导出失败：单元格 %s%lu 的文字超过 32767 个字符", ref,
                       (unsigned long)row + 1);
    }
    if (le == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE) {
        return err_set(e, ERR_TOOBIG, NULL,
                       "导出失败：超出 Excel 的行列范围（%lu 行 × 16384 列）",
                       XLSX_W_MAX_ROWS);
    }
    log_error("xlsx: libxlsxwriter error %d: %s", (int)le, lxw_strerror(le));
    return err_set(e, ERR_INTERNAL, NULL, "导出失败");
}

int xlsx_writer_add_sheet(XlsxWriter *w, const char *name, XlsxOutSheet **out,
                          Err *e)
{
    XlsxOutSheet *s;
    lxw_error le;

    *out = NULL;
    le = workbook_validate_sheet_name(w->wb, name);
    if (le != LXW_NO_ERROR) {
        return err_set(e, ERR_INVALID, "sheet",
                       "工作表名称“%s”无效（最多 31 个字符，不能含 []:*?/\\，"
                       "不能重复）",
                       name);
    }
    s = xcalloc(1, sizeof *s);
    s->ws = workbook_add_worksheet(w->wb, name);
    if (!s->ws) {
        free(s);
        return err_set(e, ERR_INVALID, "sheet", "工作表名称“%s”无效", name);
    }
    s->w = w;
    if (w->last) {
        w->last->next = s;
    } else {
        w->sheets = s;
    }
    w->last = s;
    *out = s;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t xlsx_w_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    size_t i;
    unsigned long cp;

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        return 0;
    }
    return len;
}

static int xlsx_w_ishex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* 1 when s (n bytes left) starts with an OOXML escape "_xHHHH_". */
static int xlsx_w_is_esc(const unsigned char *s, size_t n)
{
    return n >= 7 && s[0] == '_' && s[1] == 'x' && xlsx_w_ishex(s[2]) &&
           xlsx_w_ishex(s[3]) && xlsx_w_ishex(s[4]) && xlsx_w_ishex(s[5]) &&
           s[6] == '_';
}

/* Text safe to hand to libxlsxwriter: invalid UTF-8 becomes U+FFFD and the
 * '_' of a literal "_xHHHH_" becomes "_x005F_" so Excel shows it as typed.
 * (Control characters are escaped by libxlsxwriter itself.) Returns text
 * itself when nothing needs changing, else w->scratch's data. */
static const char *xlsx_w_clean(XlsxWriter *w, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    size_t i = 0;
    size_t k;

    for (i = 0; i < n; i += k) {
        k = xlsx_w_utf8_len(s + i, n - i);
        if (k == 0 || (s[i] == '_' && xlsx_w_is_esc(s + i, n - i))) {
            break;
        }
    }
    if (i == n) {
        return text;
    }
    buf_reset(&w->scratch);
    buf_append(&w->scratch, text, i);
    while (i < n) {
        k = xlsx_w_utf8_len(s + i, n - i);
        if (k == 0) {
            buf_append_str(&w->scratch, "\xEF\xBF\xBD");
            k = 1;
        } else if (s[i] == '_' && xlsx_w_is_esc(s + i, n - i)) {
            buf_append_str(&w->scratch, "_x005F_");
        } else {
            buf_append(&w->scratch, s + i, k);
        }
        i += k;
    }
    return w->scratch.data;
}

/* Display width of UTF-8 text in Excel character units (CJK counts 2). */
static double xlsx_w_text_width(const char *t)
{
    const unsigned char *p = (const unsigned char *)t;
    double w = 0;

    for (; *p; p++) {
        if (*p < 0x80) {
            w += 1;
        } else if (*p >= 0xC0) {
            w += (*p >= 0xE0) ? 2 : 1;
        }
    }
    return w;
}

/* Remember that column col holds something width characters wide. */
static void xlsx_w_note(XlsxOutSheet *s, uint16_t col, double width)
{
    if (col < XLSX_W_AUTO_COLS) {
        unsigned short wd = width > 65535 ? 65535 : (unsigned short)width;
        if (wd > s->auto_w[col]) {
            s->auto_w[col] = wd;
        }
    }
}

static void xlsx_w_touch(XlsxOutSheet *s, uint32_t row)
{
    if (row > s->last_row) {
        s->last_row = row;
    }
    s->written = 1;
}

/* Rows come in order (constant-memory mode has flushed the earlier ones):
 * a cell above the last row written is a programming error, reported as
 * such rather than as libxlsxwriter's "out of range". */
static int xlsx_w_order(const XlsxOutSheet *s, uint32_t row, Err *e)
{
    if (s->written && row < s->last_row) {
        log_error("xlsx: row %lu written after row %lu", (unsigned long)row + 1,
                  (unsigned long)s->last_row + 1);
        return err_set(e, ERR_INTERNAL, NULL, "导出失败");
    }
    return 0;
}

int xlsx_write_str(XlsxOutSheet *s, uint32_t row, uint16_t col,
                   const char *text, Err *e)
{
    lxw_error le;

    if (!text) {
        return 0;
    }
    if (xlsx_w_order(s, row, e)) {
        return e->code;
    }
    text = xlsx_w_clean(s->w, text);
    le = worksheet_write_string(s->ws, row, col, text, s->w->f_text);
    if (le != LXW_NO_ERROR) {
        return xlsx_w_fail(le, row, col, e);
    }
    xlsx_w_note(s, col, xlsx_w_text_width(text));
    xlsx_w_touch(s, row);
    return 0;
}

int xlsx_write_int(XlsxOutSheet *s, uint32_t row, uint16_t col, int64_t v,
                   Err *e)
{
    lxw_error le;
    char tmp[32];

    if (v > XLSX_W_EXACT_MAX || v < -XLSX_W_EXACT_MAX) {
        /* beyond what a double holds exactly: keep the digits as text */
        snprintf(tmp, sizeof tmp, "%lld", (long long)v);
        return xlsx_write_str(s, row, col, tmp, e);
    }
    if (xlsx_w_order(s, row, e)) {
        return e->code;
    }
    le = worksheet_write_number(s->ws, row, col, (double)v, s->w->f_int);
    if (le != LXW_NO_ERROR) {
        return xlsx_w_fail(le, row, col, e);
    }
    snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    xlsx_w_note(s, col, (double)strlen(tmp));
    xlsx_w_touch(s, row);
    return 0;
}

int xlsx_write_money(XlsxOutSheet *s, uint32_t row, uint16_t col, int64_t yuan,
                     Err *e)
{
    lxw_error le;

    if (yuan > XLSX_W_EXACT_MAX || yuan < -XLSX_W_EXACT_MAX) {
        return err_set(e, ERR_INVALID, NULL, "金额超出可导出的范围");
    }
    if (xlsx_w_order(s, row, e)) {
        return e->code;
    }
    /* one correctly rounded division: the nearest double to the 万元 value */
    le = worksheet_write_number(s->ws, row, col, (double)yuan / 10000.0,
                                s->w->f_money);
    if (le != LXW_NO_ERROR) {
        return xlsx_w_fail(le, row, col, e);
    }
    {
        /* "-12,345,678.1234": digits of the 万元, separators, decimals */
        char tmp[32];
        int64_t wan = yuan / 10000;
        size_t nd = (size_t)snprintf(tmp, sizeof tmp, "%lld",
                                     (long long)(wan < 0 ? -wan : wan));
        size_t width = nd + (nd - 1) / 3 + 5 + (size_t)(yuan < 0);
        xlsx_w_note(s, col, (double)width);
    }
    xlsx_w_touch(s, row);
    return 0;
}

static int xlsx_w_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* 0 when year-month-day is a real day Excel can hold (1900..9999). */
static int xlsx_w_check_date(int year, int month, int day, Err *e)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int dim;

    if (year < 1900 || year > 9999 || month < 1 || month > 12) {
        return err_set(e, ERR_INVALID, NULL, "日期 %04d-%02d-%02d 无效", year,
                       month, day);
    }
    dim = mdays[month - 1] + (month == 2 && xlsx_w_leap(year));
    if (day < 1 || day > dim) {
        return err_set(e, ERR_INVALID, NULL, "日期 %04d-%02d-%02d 无效", year,
                       month, day);
    }
    return 0;
}

/* Write dt (checked) in format with a width hint: the one path of dates
 * and date-times. */
static int xlsx_w_datetime(XlsxOutSheet *s, uint32_t row, uint16_t col,
                           lxw_datetime *dt, lxw_format *format, double width,
                           Err *e)
{
    lxw_error le;
    int rc;

    rc = xlsx_w_check_date(dt->year, dt->month, dt->day, e);
    if (rc) {
        return rc;
    }
    if (xlsx_w_order(s, row, e)) {
        return e->code;
    }
    le = worksheet_write_datetime(s->ws, row, col, dt, format);
    if (le != LXW_NO_ERROR) {
        return xlsx_w_fail(le, row, col, e);
    }
    xlsx_w_note(s, col, width);
    xlsx_w_touch(s, row);
    return 0;
}

int xlsx_write_date(XlsxOutSheet *s, uint32_t row, uint16_t col, int year,
                    int month, int day, Err *e)
{
    lxw_datetime dt = {0};

    dt.year = year;
    dt.month = month;
    dt.day = day;
    return xlsx_w_datetime(s, row, col, &dt, s->w->f_date, 10, e);
}

int xlsx_write_datetime(XlsxOutSheet *s, uint32_t row, uint16_t col, int year,
                        int month, int day, int hour, int minute, int second,
                        Err *e)
{
    lxw_datetime dt = {0};

    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
        second > 59) {
        return err_set(e, ERR_INVALID, NULL, "时间 %02d:%02d:%02d 无效", hour,
                       minute, second);
    }
    dt.year = year;
    dt.month = month;
    dt.day = day;
    dt.hour = hour;
    dt.min = minute;
    dt.sec = second;
    return xlsx_w_datetime(s, row, col, &dt, s->w->f_time, 19, e);
}

/* The format with number format code, made on first use (at most
 * XLSX_W_N_FMT different codes; then the text format). */
static lxw_format *xlsx_w_format(XlsxWriter *w, const char *code)
{
    int i;

    for (i = 0; i < w->n_fmt; i++) {
        if (strcmp(w->fmt_code[i], code) == 0) {
            return w->fmt[i];
        }
    }
    if (w->n_fmt == XLSX_W_N_FMT) {
        return NULL;
    }
    w->fmt[w->n_fmt] = workbook_add_format(w->wb);
    format_set_num_format(w->fmt[w->n_fmt], code);
    w->fmt_code[w->n_fmt] = code;
    return w->fmt[w->n_fmt++];
}

int xlsx_write_number(XlsxOutSheet *s, uint32_t row, uint16_t col, double v,
                      const char *num_format, Err *e)
{
    lxw_format *f = num_format ? xlsx_w_format(s->w, num_format) : NULL;
    lxw_error le;
    char tmp[64];

    if (v != v || v > 1e300 || v < -1e300) {
        return err_set(e, ERR_INVALID, NULL, "数值无效");
    }
    if (xlsx_w_order(s, row, e)) {
        return e->code;
    }
    le = worksheet_write_number(s->ws, row, col, v, f ? f : s->w->f_int);
    if (le != LXW_NO_ERROR) {
        return xlsx_w_fail(le, row, col, e);
    }
    snprintf(tmp, sizeof tmp, "%.2f", v);
    xlsx_w_note(s, col, (double)strlen(tmp) + 2);
    xlsx_w_touch(s, row);
    return 0;
}

int xlsx_write_date_iso(XlsxOutSheet *s, uint32_t row, uint16_t col,
                        const char *iso, Err *e)
{
    int y;
    int m;
    int d;
    int i;

    if (!iso || !*iso) {
        return 0;
    }
    for (i = 0; i < 10; i++) {
        int digit = iso[i] >= '0' && iso[i] <= '9';
        if ((i == 4 || i == 7) ? iso[i] != '-' : !digit) {
            return err_set(e, ERR_INVALID, NULL, "日期“%.32s”无效", iso);
        }
    }
    if (iso[10]) {
        return err_set(e, ERR_INVALID, NULL, "日期“%.32s”无效", iso);
    }
    /* all ten characters were checked above: plain digit arithmetic */
    y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 +
        (iso[3] - '0');
    m = (iso[5] - '0') * 10 + (iso[6] - '0');
    d = (iso[8] - '0') * 10 + (iso[9] - '0');
    return xlsx_write_date(s, row, col, y, m, d, e);
}

int xlsx_set_col_width(XlsxOutSheet *s, uint16_t first, uint16_t last,
                       double width, Err *e)
{
    lxw_error le;
    unsigned c;

    if (first > last || last >= XLSX_W_MAX_COLS) {
        return err_set(e, ERR_INVALID, NULL, "列范围无效");
    }
    le = worksheet_set_column(s->ws, first, last, width, NULL);
    if (le != LXW_NO_ERROR) {
        return xlsx_w_fail(le, 0, first, e);
    }
    for (c = first; c <= last; c++) {
        s->width_set[c / 8] |= (unsigned char)(1u << (c % 8));
    }
    return 0;
}

int xlsx_write_header(XlsxOutSheet *s, uint32_t row, const char *const *titles,
                      size_t n, Err *e)
{
    lxw_error le;
    size_t i;
    int rc = 0;

    if (n == 0 || n > XLSX_W_MAX_COLS) {
        return err_set(e, ERR_INVALID, NULL, "表头列数无效");
    }
    if (xlsx_w_order(s, row, e)) {
        return e->code;
    }
    for (i = 0; i < n; i++) {
        const char *t = titles[i] ? titles[i] : "";
        uint16_t c = (uint16_t)i;
        le = worksheet_write_string(s->ws, row, c, xlsx_w_clean(s->w, t),
                                    s->w->f_header);
        if (le != LXW_NO_ERROR) {
            rc = xlsx_w_fail(le, row, c, e);
            goto out;
        }
        /* the title's room (with the autofilter button) counts like a
         * cell's: widths are set when the workbook is written */
        xlsx_w_note(s, c, xlsx_w_text_width(t) + 2);
    }
    worksheet_freeze_panes(s->ws, row + 1, 0);
    s->has_header = 1;
    s->hdr_row = row;
    s->hdr_cols = (uint16_t)(n - 1);
    xlsx_w_touch(s, row);
out:
    return rc;
}

int xlsx_write_title(XlsxOutSheet *s, uint32_t first_row, uint16_t first_col,
                     uint32_t last_row, uint16_t last_col, const char *text,
                     Err *e)
{
    lxw_error le;

    if (first_row > last_row || first_col > last_col) {
        return err_set(e, ERR_INVALID, NULL, "合并范围无效");
    }
    if (xlsx_w_order(s, first_row, e)) {
        return e->code;
    }
    le = worksheet_merge_range(s->ws, first_row, first_col, last_row, last_col,
                               xlsx_w_clean(s->w, text ? text : ""),
                               s->w->f_title);
    if (le != LXW_NO_ERROR) {
        return xlsx_w_fail(le, first_row, first_col, e);
    }
    xlsx_w_touch(s, last_row);
    return 0;
}

/* Apply what waits for the last row (autofilters) and write the file. The
 * workbook is freed by libxlsxwriter whatever happens. */
static int xlsx_w_finish(XlsxWriter *w, Err *e)
{
    XlsxOutSheet *s;
    lxw_error le;

    for (s = w->sheets; s; s = s->next) {
        unsigned c;
        if (s->has_header) {
            worksheet_autofilter(s->ws, s->hdr_row, 0, s->last_row,
                                 s->hdr_cols);
        }
        /* widths that fit the content, for columns not set by the caller */
        for (c = 0; c < XLSX_W_AUTO_COLS; c++) {
            double wd;
            if (!s->auto_w[c] || (s->width_set[c / 8] & (1u << (c % 8)))) {
                continue;
            }
            wd = (double)s->auto_w[c] + 2;
            wd = wd < XLSX_W_WIDTH_MIN   ? XLSX_W_WIDTH_MIN
                 : wd > XLSX_W_WIDTH_MAX ? XLSX_W_WIDTH_MAX
                                         : wd;
            worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, wd, NULL);
        }
    }
    le = workbook_close(w->wb);
    w->wb = NULL;
    if (le != LXW_NO_ERROR) {
        log_error("xlsx: workbook_close: %s", lxw_strerror(le));
        return err_set(e, ERR_IO, NULL, "无法写入导出文件");
    }
    return 0;
}

int xlsx_writer_close(XlsxWriter *w, Err *e)
{
    int rc = xlsx_w_finish(w, e);

    xlsx_writer_free(w);
    return rc;
}

int xlsx_writer_close_mem(XlsxWriter *w, Buf *out, Err *e)
{
    FILE *f = NULL;
    char chunk[16384];
    size_t n;
    int rc;

    rc = xlsx_w_finish(w, e);
    if (rc) {
        goto out;
    }
    f = fopen(w->path, "rb");
    if (!f) {
        rc = err_set(e, ERR_IO, NULL, "无法读取导出文件");
        goto out;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(out, chunk, n)) {
            rc = err_set(e, ERR_TOOBIG, NULL, "导出文件过大");
            goto out;
        }
    }
    if (ferror(f)) {
        rc = err_set(e, ERR_IO, NULL, "无法读取导出文件");
    }
out:
    if (f) {
        fclose(f);
    }
    xlsx_writer_free(w);
    return rc;
}
