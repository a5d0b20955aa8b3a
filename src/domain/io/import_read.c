/* import_read.c - the import engine: reading CSV or XLSX row by row and
 * mapping the header to the registry's columns. */
#include "domain/io/import.h"
#include "domain/io/import_int.h"

/* ---- reading CSV or XLSX row by row ---- */

/* CSV input: file bytes through the charset converter. */
static ssize_t imp_csv_read(void *ctx, char *buf, size_t cap)
{
    Src *s = ctx;
    char in[64 * 1024];
    size_t n;

    while (s->cpos >= s->cbuf.len) {
        if (s->eof) {
            return 0;
        }
        buf_reset(&s->cbuf);
        s->cpos = 0;
        n = fread(in, 1, sizeof in, s->f);
        if (n > 0) {
            if (charset_conv_feed(s->conv, in, n, &s->cbuf, &s->cerr)) {
                s->has_cerr = 1;
                return -1;
            }
        } else {
            if (ferror(s->f)) {
                err_set(&s->cerr, ERR_IO, NULL, "读取文件失败");
                s->has_cerr = 1;
                return -1;
            }
            s->eof = 1;
            if (charset_conv_finish(s->conv, &s->cbuf, &s->cerr)) {
                s->has_cerr = 1;
                return -1;
            }
        }
    }
    n = s->cbuf.len - s->cpos;
    if (n > cap) {
        n = cap;
    }
    memcpy(buf, s->cbuf.data + s->cpos, n);
    s->cpos += n;
    return (ssize_t)n;
}

void imp_src_close(Src *s)
{
    csv_reader_free(s->csv);
    charset_conv_free(s->conv);
    buf_release(&s->cbuf);
    if (s->sh) {
        xlsx_sheet_free(s->sh);
    }
    xlsx_reader_free(s->x);
    if (s->f) {
        fclose(s->f);
    }
    free(s->cells);
    memset(s, 0, sizeof *s);
}

static void imp_src_need(Src *s, size_t n)
{
    if (n > s->cap) {
        s->cap = n < 64 ? 64 : n;
        free(s->cells);
        s->cells = xcalloc(s->cap, sizeof *s->cells);
    }
}

/* Open path: XLSX by its zip magic, else CSV in a detected encoding. */
int imp_src_open(Src *s, const char *path, ImportReport *r, Err *e)
{
    unsigned char magic[8] = {0};
    size_t got;
    size_t i;
    int rc;

    memset(s, 0, sizeof *s);
    s->f = fopen(path, "rb");
    if (!s->f) {
        return err_set(e, ERR_IO, NULL, "无法打开导入文件");
    }
    got = fread(magic, 1, sizeof magic, s->f);
    if (got == 0) {
        return err_set(e, ERR_INVALID, "file", "文件为空");
    }
    if (got >= 4 && memcmp(magic, "PK\x03\x04", 4) == 0) {
        fclose(s->f);
        s->f = NULL;
        s->xlsx = 1;
        snprintf(r->encoding, sizeof r->encoding, "XLSX");
        rc = xlsx_reader_open_file(&s->x, path, NULL, e);
        if (rc) {
            return rc;
        }
        s->date1904 = xlsx_reader_date1904(s->x);
        for (i = 0; i < xlsx_reader_sheet_count(s->x); i++) {
            if (!xlsx_reader_sheet_hidden(s->x, i) &&
                strcmp(xlsx_reader_sheet_name(s->x, i), "说明") != 0) {
                break;
            }
        }
        if (i == xlsx_reader_sheet_count(s->x)) {
            return err_set(e, ERR_INVALID, "file",
                           "工作簿中没有可导入的工作表");
        }
        return xlsx_sheet_open(s->x, i, &s->sh, e);
    }
    if (got >= 4 && memcmp(magic, "\xD0\xCF\x11\xE0", 4) == 0) {
        return err_set(e, ERR_INVALID, "file",
                       "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV "
                       "后再导入");
    }
    rewind(s->f);
    buf_init(&s->cbuf, (size_t)64 * 1024 * 1024);
    rc = charset_conv_new(CHARSET_AUTO, &s->conv, e);
    if (rc == 0) {
        rc = csv_reader_new(&s->csv, imp_csv_read, s, NULL, e);
    }
    return rc;
}

/* The next row: 1, 0 at the end, or -ERR_* with e set. */
int imp_src_next(Src *s, Err *e)
{
    size_t i;
    int rc;

    if (s->xlsx) {
        XlsxRow row;
        rc = xlsx_sheet_read_row(s->sh, &row, e);
        if (rc != 1) {
            return rc;
        }
        imp_src_need(s, row.n_cells);
        for (i = 0; i < row.n_cells; i++) {
            s->cells[i].text = row.cells[i].value;
            s->cells[i].type = row.cells[i].type;
            s->cells[i].is_date = row.cells[i].is_date;
            s->cells[i].is_formula = row.cells[i].is_formula;
            s->cells[i].formula = row.cells[i].formula;
        }
        s->n = row.n_cells;
        s->row_no = row.row_no;
        return 1;
    }
    {
        CsvRow row;
        rc = csv_read_row(s->csv, &row, e);
        if (rc < 0 && s->has_cerr) {
            if (s->cerr.code == ERR_INVALID) {
                err_set(e, ERR_INVALID, "file",
                        "文件编码无法识别（应为 UTF-8 或 GBK/GB18030）：%s",
                        s->cerr.msg);
            } else {
                *e = s->cerr;
            }
            return -e->code;
        }
        if (rc != 1) {
            return rc;
        }
        imp_src_need(s, row.n_fields);
        for (i = 0; i < row.n_fields; i++) {
            memset(&s->cells[i], 0, sizeof s->cells[i]);
            s->cells[i].text = row.fields[i];
            s->cells[i].type = XLSX_CELL_STRING;
        }
        s->n = row.n_fields;
        s->row_no = row.row_no;
        return 1;
    }
}

int imp_src_row_blank(const Src *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        const char *p = s->cells[i].text;
        while (p && (*p == ' ' || *p == '\t')) {
            p++;
        }
        if (p && *p) {
            return 0;
        }
    }
    return 1;
}

/* Is sheet i of x one a list is read from (visible, not 说明)? */
static int imp_sheet_wanted(const XlsxReader *x, size_t i)
{
    return !xlsx_reader_sheet_hidden(x, i) &&
           strcmp(xlsx_reader_sheet_name(x, i), "说明") != 0;
}

/* The sheets wanted of s from the one open on, from (the first wanted):
 * count them into *n_out, and sheet_fn for the first. */
static int imp_sheets_begin(Src *s, size_t *cur, ImportSheetFn sheet_fn,
                            void *ud, Err *e)
{
    size_t n = 0, first = 0, i;

    if (!s->xlsx) {
        *cur = 0;
        return sheet_fn(ud, NULL, 1, e);
    }
    for (i = xlsx_reader_sheet_count(s->x); i-- > 0;) {
        if (imp_sheet_wanted(s->x, i)) {
            first = i;
            n++;
        }
    }
    *cur = first;
    return sheet_fn(ud, xlsx_reader_sheet_name(s->x, first), n, e);
}

/* Open the next wanted sheet after *cur: 1, 0 when none is left. */
static int imp_sheets_next(Src *s, size_t *cur, ImportSheetFn sheet_fn,
                           void *ud, Err *e)
{
    size_t i, n = 0;
    int rc;

    if (!s->xlsx) {
        return 0;
    }
    for (i = 0; i < xlsx_reader_sheet_count(s->x); i++) {
        n += (size_t)imp_sheet_wanted(s->x, i);
    }
    for (i = *cur + 1; i < xlsx_reader_sheet_count(s->x); i++) {
        if (imp_sheet_wanted(s->x, i)) {
            break;
        }
    }
    if (i >= xlsx_reader_sheet_count(s->x)) {
        return 0;
    }
    xlsx_sheet_free(s->sh);
    s->sh = NULL;
    rc = xlsx_sheet_open(s->x, i, &s->sh, e);
    if (rc == 0) {
        *cur = i;
        rc = sheet_fn(ud, xlsx_reader_sheet_name(s->x, i), n, e);
    }
    return rc ? -rc : 1;
}

static int imp_file_rows(const char *path, long header_row, const long *rows,
                         size_t n, ImportSheetFn sheet_fn, ImportRowFn fn,
                         void *ud, Err *e)
{
    ImportReport r;
    Src s;
    Buf dates;
    const char *cells[IMPORT_FILE_ROW_CELLS];
    size_t next = 0, sheet = 0;
    int rc, got;

    memset(&r, 0, sizeof r);
    buf_init(&dates, (size_t)IMPORT_FILE_ROW_CELLS * DATE_ISO_SIZE);
    rc = imp_src_open(&s, path, &r, e);
    if (rc == 0 && sheet_fn) {
        rc = imp_sheets_begin(&s, &sheet, sheet_fn, ud, e);
    }
    while (rc == 0) {
        size_t i, nc, off[IMPORT_FILE_ROW_CELLS];
        got = imp_src_next(&s, e);
        if (got == 0 && sheet_fn) {
            got = imp_sheets_next(&s, &sheet, sheet_fn, ud, e);
            if (got == 1) {
                continue;
            }
        }
        if (got < 0) {
            rc = -got;
            break;
        }
        if (got == 0) {
            break;
        }
        while (next < n && rows[next] < s.row_no) {
            next++;
        }
        if (rows && s.row_no != header_row &&
            (next == n || rows[next] != s.row_no)) {
            if (s.row_no > header_row && next == n) {
                break;
            }
            continue;
        }
        nc = s.n < IMPORT_FILE_ROW_CELLS ? s.n : IMPORT_FILE_ROW_CELLS;
        buf_reset(&dates);
        for (i = 0; i < nc; i++) {
            const SrcCell *c = &s.cells[i];
            Date d;
            Err de;
            off[i] = (size_t)-1;
            if (s.xlsx && c->type == XLSX_CELL_NUMBER && c->is_date &&
                date_parse_excel_serial(c->text, &d, "date", &de) == 0) {
                char iso[DATE_ISO_SIZE];
                date_format_iso(s.date1904 ? date_add_days(d, 1462) : d, iso);
                off[i] = dates.len;
                buf_append(&dates, iso, strlen(iso) + 1);
            }
        }
        for (i = 0; i < nc; i++) {
            cells[i] =
                off[i] != (size_t)-1 ? dates.data + off[i] : s.cells[i].text;
        }
        rc = fn(ud, s.row_no, cells, nc, e);
    }
    imp_src_close(&s);
    buf_release(&dates);
    return rc;
}

int import_file_rows(const char *path, long header_row, const long *rows,
                     size_t n, ImportRowFn fn, void *ud, Err *e)
{
    return imp_file_rows(path, header_row, rows, n, NULL, fn, ud, e);
}

int import_file_sheets(const char *path, ImportSheetFn sheet_fn, ImportRowFn fn,
                       void *ud, Err *e)
{
    return imp_file_rows(path, 0, NULL, 0, sheet_fn, fn, ud, e);
}

/* ---- header ---- */

/* Map the header row in s; fatal problems return ERR_INVALID. */
int imp_map_header(Imp *m, const Src *s, Err *e)
{
    const ColumnKind *k = m->k;
    Buf miss;
    size_t i;
    int j, rc = 0;

    for (j = 0; j < COLUMNS_MAX; j++) {
        m->map[j] = -1;
    }
    for (i = 0; i < s->n; i++) {
        const char *t = s->cells[i].text;
        int c;
        if (!t || !*t) {
            continue;
        }
        c = columns_col_by_title(k, t);
        if (c < 0) {
            json_array_append_new(m->r->ignored_columns, json_string(t));
            continue;
        }
        if (m->map[c] >= 0) {
            char a1[4], a2[4];
            xlsx_col_name((unsigned)m->map[c], a1);
            xlsx_col_name((unsigned)i, a2);
            return err_set(
                e, ERR_INVALID, "file",
                "第 %ld 行表头中“%s”出现了两次（第 %s 列和第 %s 列）",
                s->row_no, k->cols[c].title, a1, a2);
        }
        m->map[c] = (int)i;
    }
    buf_init(&miss, 4096);
    for (j = 0; j < (int)k->n_cols; j++) {
        if ((k->cols[j].flags & COLUMNS_REQ) && m->map[j] < 0) {
            buf_appendf(&miss, "%s“%s”", miss.len ? "、" : "",
                        k->cols[j].title);
        }
    }
    if (miss.len) {
        rc = err_set(e, ERR_INVALID, "file",
                     "缺少必填列：%s（表头在第 %ld 行）", miss.data, s->row_no);
    }
    buf_release(&miss);
    return rc;
}

/* Number of registry titles in the row. */
int imp_header_score(const ColumnKind *k, const Src *s)
{
    size_t i;
    int n = 0;

    for (i = 0; i < s->n; i++) {
        if (s->cells[i].text && *s->cells[i].text &&
            columns_col_by_title(k, s->cells[i].text) >= 0) {
            n++;
        }
    }
    return n;
}

int import_title_col(const char *const *titles, int n, const char *t)
{
    char clean[256];
    size_t j = 0;
    int c;

    for (; t && *t && j + 1 < sizeof clean; t++) {
        if (*t != ' ' && *t != '*' && *t != '\t') {
            clean[j++] = *t;
        }
    }
    clean[j] = '\0';
    for (c = 0; c < n; c++) {
        if (titles[c] && strcmp(clean, titles[c]) == 0) {
            return c;
        }
    }
    return -1;
}

int import_header_find(long row, const char *const *cells, size_t n,
                       const char *const *titles, int ntitles, const int *need,
                       int nneed, const char *what, int *map, int *found,
                       Err *e)
{
    int got[IMPORT_FILE_ROW_CELLS];
    size_t i;
    int k;

    *found = 0;
    if (row > IMPORT_HEADER_ROWS) {
        return err_set(e, ERR_INVALID, "file", "前 %d 行中没有找到%s的表头",
                       IMPORT_HEADER_ROWS, what);
    }
    for (i = 0; i < IMPORT_FILE_ROW_CELLS; i++) {
        got[i] = i < n ? import_title_col(titles, ntitles, cells[i]) : -1;
    }
    for (k = 0; k < nneed; k++) {
        for (i = 0; i < IMPORT_FILE_ROW_CELLS && got[i] != need[k]; i++) {
        }
        if (i == IMPORT_FILE_ROW_CELLS) {
            return 0;
        }
    }
    memcpy(map, got, sizeof got);
    *found = 1;
    return 0;
}

int import_row_cells(const char *const *cells, size_t n, const int *map,
                     const char **v)
{
    size_t i;
    int blank = 1;

    for (i = 0; i < n && i < IMPORT_FILE_ROW_CELLS; i++) {
        if (cells[i] && *cells[i]) {
            blank = 0;
            if (map[i] >= 0 && !v[map[i]]) {
                v[map[i]] = cells[i];
            }
        }
    }
    return blank;
}
