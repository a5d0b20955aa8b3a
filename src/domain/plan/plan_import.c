/* plan_import.c - reading a plan's published tables (plan_import.h). */
#include "domain/plan/plan_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/charset.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/utf8.h"
#include "base/xlsx_read.h"
#include "domain/accounts/audit.h"
#include "domain/plan/plan.h"
#include "domain/plan/plan_kind.h"

/* ---- reading the grid ------------------------------------------------- */

static int grid_add_row(json_t *grid, long r, json_t *cells, Err *e)
{
    if (json_array_size(grid) >= PLAN_IMPORT_MAX_ROWS) {
        json_decref(cells);
        return err_set(e, ERR_TOOBIG, "file", "表格超过 %d 行",
                       PLAN_IMPORT_MAX_ROWS);
    }
    json_array_append_new(grid,
                          json_pack("{sIso}", "r", (json_int_t)r, "c", cells));
    return 0;
}

static int grid_read_xlsx(const char *data, size_t len, json_t *grid, Err *e)
{
    XlsxReader *x = NULL;
    XlsxSheet *s = NULL;
    XlsxRow row;
    Buf num;
    int rc;

    buf_init(&num, 128);
    rc = xlsx_reader_open_mem(&x, data, len, NULL, e);
    if (rc == 0) {
        rc = xlsx_sheet_open(x, 0, &s, e);
    }
    while (rc == 0) {
        json_t *cells;
        int k = xlsx_sheet_read_row(s, &row, e);

        if (k <= 0) {
            rc = k < 0 ? -k : 0;
            break;
        }
        cells = json_array();
        for (size_t i = 0; i < row.n_cells && i < PLAN_IMPORT_MAX_COLS; i++) {
            const XlsxCell *c = &row.cells[i];

            if (c->type == XLSX_CELL_NUMBER && !c->is_date) {
                buf_reset(&num);
                if (xlsx_num_round(c->value, 4, &num, NULL) == 0) {
                    json_array_append_new(cells, json_string(num.data));
                    continue;
                }
            }
            json_array_append_new(cells, json_string(c->value));
        }
        rc = grid_add_row(grid, row.row_no, cells, e);
    }
    xlsx_sheet_free(s);
    xlsx_reader_free(x);
    buf_release(&num);
    return rc;
}

/* Markdown table: "| a | b |" lines; "|---|" separator lines skipped. */
static int grid_read_md(const char *t, json_t *grid, Err *e)
{
    long r = 0;
    int rc = 0;

    while (*t && rc == 0) {
        const char *end = strchr(t, '\n');
        size_t n = end ? (size_t)(end - t) : strlen(t);
        const char *p = t;
        json_t *cells;
        int sep = 1;

        r++;
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ')) {
            n--;
        }
        while (n > 0 && *p == ' ') {
            p++;
            n--;
        }
        for (size_t i = 0; i < n; i++) {
            sep &= p[i] == '|' || p[i] == '-' || p[i] == ':' || p[i] == ' ';
        }
        if (n > 0 && !(sep && memchr(p, '-', n))) {
            cells = json_array();
            if (*p == '|') {
                p++;
                n--;
            }
            if (n > 0 && p[n - 1] == '|') {
                n--;
            }
            while (1) {
                const char *bar = memchr(p, '|', n);
                size_t m = bar ? (size_t)(bar - p) : n;
                size_t a = 0;

                while (a < m && p[a] == ' ') {
                    a++;
                }
                while (m > a && p[m - 1] == ' ') {
                    m--;
                }
                json_array_append_new(cells, json_stringn(p + a, m - a));
                if (!bar || json_array_size(cells) >= PLAN_IMPORT_MAX_COLS) {
                    break;
                }
                n -= (size_t)(bar - p) + 1;
                p = bar + 1;
            }
            rc = grid_add_row(grid, r, cells, e);
        }
        t = end ? end + 1 : t + strlen(t);
    }
    return rc;
}

static int grid_read_text(const char *data, size_t len, json_t *grid, Err *e)
{
    CsvReader *r = NULL;
    CsvOptions opt;
    CsvRow row;
    Buf u;
    int rc;

    buf_init(&u, PLAN_IMPORT_MAX_BYTES * 2);
    rc = charset_to_utf8(data, len, &u, NULL, e);
    if (rc) {
        goto out;
    }
    {
        const char *p = u.data;

        while (*p == ' ' || *p == '\r' || *p == '\n') {
            p++;
        }
        if (*p == '|') {
            rc = grid_read_md(p, grid, e);
            goto out;
        }
    }
    memset(&opt, 0, sizeof opt);
    opt.sep = memchr(u.data, '\t', u.len) ? '\t' : ',';
    rc = csv_reader_new_mem(&r, u.data, u.len, &opt, e);
    while (rc == 0) {
        json_t *cells;
        int k = csv_read_row(r, &row, e);

        if (k <= 0) {
            rc = k < 0 ? -k : 0;
            break;
        }
        cells = json_array();
        for (size_t i = 0; i < row.n_fields && i < PLAN_IMPORT_MAX_COLS; i++) {
            json_array_append_new(cells,
                                  json_stringn(row.fields[i], row.lens[i]));
        }
        rc = grid_add_row(grid, row.row_no, cells, e);
    }
out:
    csv_reader_free(r);
    buf_release(&u);
    return rc;
}

int plan_grid_read(const char *data, size_t len, json_t **grid, Err *e)
{
    int rc;

    *grid = json_array();
    if (len == 0) {
        rc = err_set(e, ERR_INVALID, "file", "文件为空");
    } else if (len > PLAN_IMPORT_MAX_BYTES) {
        rc = err_set(e, ERR_TOOBIG, "file", "文件超过 8 MB");
    } else if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
        rc = grid_read_xlsx(data, len, *grid, e);
    } else {
        rc = grid_read_text(data, len, *grid, e);
    }
    if (rc) {
        json_decref(*grid);
        *grid = NULL;
    }
    return rc;
}

/* ---- helpers ------------------------------------------------------------ */

/* Copy src into dst (cap bytes), cut on a UTF-8 character boundary. */
static void text_copy(char *dst, size_t cap, const char *src)
{
    size_t n = utf8_truncate(src, strlen(src), cap - 1);

    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Cell text trimmed (spaces, full-width spaces, newlines) into out. */
static void cell_trim(const char *s, char *out, size_t cap)
{
    size_t n;

    if (!s) {
        s = "";
    }
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' ||
           strncmp(s, "\xe3\x80\x80", 3) == 0) {
        s += *s == '\xe3' ? 3 : 1;
    }
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
                     s[n - 1] == '\n')) {
        n--;
    }
    while (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0) {
        n -= 3;
    }
    if (n >= cap) {
        n = utf8_truncate(s, n, cap - 1);
    }
    memmove(out, s, n);
    out[n] = '\0';
}

static const char *row_cell(json_t *row, size_t i)
{
    const char *s =
        json_string_value(json_array_get(json_object_get(row, "c"), i));
    return s ? s : "";
}

static size_t row_ncells(json_t *row)
{
    return json_array_size(json_object_get(row, "c"));
}

static long row_no(json_t *row)
{
    return (long)json_integer_value(json_object_get(row, "r"));
}

/* Number of non-empty cells, and the first one. */
static int row_filled(json_t *row, char *first, size_t cap)
{
    char t[1024];
    int n = 0;

    *first = '\0';
    for (size_t i = 0; i < row_ncells(row); i++) {
        cell_trim(row_cell(row, i), t, sizeof t);
        if (*t) {
            if (n == 0) {
                text_copy(first, cap, t);
            } else if (strcmp(t, first) == 0) {
                continue; /* a merged cell repeated */
            }
            n++;
        }
    }
    return n;
}

static void add_error(json_t *errs, long r, long c, const char *msg)
{
    char where[32] = "";

    if (json_array_size(errs) >= PLAN_IMPORT_MAX_ERRORS) {
        return;
    }
    if (c >= 0) {
        xlsx_col_name((unsigned)c, where);
    }
    json_array_append_new(
        errs, json_pack("{sIso?ss}", "row", (json_int_t)r, "col",
                        plan_json_str(c >= 0 ? where : NULL), "message", msg));
}

static void cell_where(long r, long c, char *out, size_t cap)
{
    char col[4];

    xlsx_col_name((unsigned)c, col);
    snprintf(out, cap, "第%ld行%s列：", r, col);
}

/* A year heading: "2020", "2020年", "2020年（基期）", "2019年实际". Sets
 * *actual when the heading marks an actual (实际, 基期, 基数, 现状). */
static int head_year(const char *s, int *year, int *actual)
{
    char f[256];
    int y = 0;

    utf8_fold_width(s, strnlen(s, 200), f);
    if (strlen(f) < 4) {
        return 0;
    }
    for (int i = 0; i < 4; i++) {
        if (f[i] < '0' || f[i] > '9') {
            return 0;
        }
        y = y * 10 + (f[i] - '0');
    }
    if (y < 1990 || y > 2100 || (f[4] >= '0' && f[4] <= '9')) {
        return 0;
    }
    *year = y;
    *actual = strstr(f, "实际") || strstr(f, "基期") || strstr(f, "基数") ||
              strstr(f, "现状") || strstr(f, "完成");
    return 1;
}

/* "全区有效发明专利（件）" -> name "全区有效发明专利", unit "件". */
static void split_unit(const char *s, char *name, size_t ncap, char *unit,
                       size_t ucap)
{
    size_t n = strlen(s);
    const char *open = NULL;
    size_t close_len = 0;

    *unit = '\0';
    text_copy(name, ncap, s);
    if (n >= 3 && strcmp(s + n - 3, "）") == 0) {
        close_len = 3;
        for (const char *p = s; (p = strstr(p, "（")) != NULL; p += 3) {
            open = p;
        }
    } else if (n >= 1 && s[n - 1] == ')') {
        close_len = 1;
        open = strrchr(s, '(');
    }
    if (open && open > s) {
        size_t ol = strncmp(open, "（", 3) == 0 ? 3 : 1;
        size_t ul = (size_t)(s + n - close_len - (open + ol));

        if (ul < ucap) {
            memcpy(unit, open + ol, ul);
            unit[ul] = '\0';
            cell_trim(unit, unit, ucap);
        }
        if ((size_t)(open - s) < ncap) {
            memcpy(name, s, (size_t)(open - s));
            name[open - s] = '\0';
            cell_trim(name, name, ncap);
        }
    }
}

/* Does the text hold any digit (ASCII or full width)? */
static int has_digit(const char *s)
{
    for (; *s; s++) {
        if ((*s >= '0' && *s <= '9') ||
            (strncmp(s, "\xef\xbc", 2) == 0 && (unsigned char)s[2] >= 0x90 &&
             (unsigned char)s[2] <= 0x99)) {
            return 1;
        }
    }
    return 0;
}

/* ---- 年度分解表 ---------------------------------------------------------- */

typedef struct YearCol {
    long col;
    int year;
    int actual;
} YearCol;

static int parse_targets(const PlanRow *p, json_t *grid, json_t *out)
{
    json_t *errs = json_object_get(out, "errors");
    json_t *inds = json_array();
    json_t *notes = json_array();
    json_t *years = json_array();
    YearCol yc[PLAN_IMPORT_MAX_COLS];
    size_t n_yc = 0;
    long seq_col = -1;
    long name_col = -1;
    long unit_col = -1;
    long note_col = -1;
    size_t head = (size_t)-1;
    int in_notes = 0;
    int next_seq = 1;
    size_t i;
    json_t *row;
    char t[1024];

    json_object_set_new(out, "indicators", inds);
    json_object_set_new(out, "notes", notes);
    json_object_set_new(out, "years", years);
    /* the header: the first row with two or more year headings */
    json_array_foreach(grid, i, row)
    {
        size_t nyears = 0;

        for (size_t c = 0; c < row_ncells(row); c++) {
            int y;
            int act;

            cell_trim(row_cell(row, c), t, sizeof t);
            nyears += head_year(t, &y, &act);
        }
        if (nyears >= 2) {
            head = i;
            break;
        }
    }
    if (head == (size_t)-1) {
        add_error(errs, 0, -1,
                  "没有找到表头：表头行应有两个以上的年度列（如“2021年”）");
        return 0;
    }
    row = json_array_get(grid, head);
    for (size_t c = 0; c < row_ncells(row); c++) {
        int y;
        int act;

        cell_trim(row_cell(row, c), t, sizeof t);
        if (head_year(t, &y, &act)) {
            char msg[256];

            if (y < p->year_from && !act) {
                act = 1; /* a year before the plan holds an actual */
            }
            if (act && p->base_year && y != p->base_year) {
                snprintf(msg, sizeof msg,
                         "“%s”是实际值列，但计划的基期年是 %d 年", t,
                         p->base_year);
                add_error(errs, row_no(row), (long)c, msg);
                continue;
            }
            if (!act && (y < p->year_from || y > p->year_to)) {
                snprintf(msg, sizeof msg, "%d 年不在计划期 %d—%d 年内", y,
                         p->year_from, p->year_to);
                add_error(errs, row_no(row), (long)c, msg);
                continue;
            }
            yc[n_yc].col = (long)c;
            yc[n_yc].year = y;
            yc[n_yc].actual = act;
            json_array_append_new(
                years, json_pack("{sisb}", "year", y, "actual", act));
            n_yc++;
        } else if (strstr(t, "序号") || strcmp(t, "#") == 0) {
            seq_col = (long)c;
        } else if (strstr(t, "单位") && unit_col < 0 && name_col >= 0) {
            unit_col = (long)c;
        } else if (strstr(t, "指标") && name_col < 0) {
            name_col = (long)c;
        } else if (strstr(t, "备注") || strstr(t, "说明")) {
            note_col = (long)c;
        } else if (*t && name_col < 0 && n_yc == 0) {
            name_col = (long)c;
        }
    }
    if (name_col < 0) {
        add_error(errs, row_no(row), -1, "表头没有指标名称列");
        return 0;
    }
    for (i = head + 1; i < json_array_size(grid); i++) {
        char name[512];
        char unit[64];
        char first[512];
        const char *un;
        json_t *vals;
        json_t *ind;
        int filled;
        int seq = 0;

        row = json_array_get(grid, i);
        filled = row_filled(row, first, sizeof first);
        if (filled == 0) {
            continue;
        }
        if (in_notes || strncmp(first, "注", 3) == 0 ||
            strncmp(first, "说明", 6) == 0 || strncmp(first, "备注", 6) == 0 ||
            strncmp(first, "数据来源", 12) == 0 ||
            (filled == 1 && json_array_size(inds) > 0)) {
            in_notes = 1;
            json_array_append_new(notes, json_string(first));
            continue;
        }
        cell_trim(row_cell(row, (size_t)name_col), t, sizeof t);
        if (!*t) {
            add_error(errs, row_no(row), name_col, "指标名称为空");
            continue;
        }
        split_unit(t, name, sizeof name, unit, sizeof unit);
        if (unit_col >= 0) {
            char u2[64];

            cell_trim(row_cell(row, (size_t)unit_col), u2, sizeof u2);
            if (*u2) {
                text_copy(unit, sizeof unit, u2);
            }
        }
        if (seq_col >= 0) {
            char s[64];

            char f[64];

            cell_trim(row_cell(row, (size_t)seq_col), s, sizeof s);
            utf8_fold_width(s, strlen(s), f);
            seq = (int)plan_digits(f, 6, NULL);
        }
        if (seq <= 0) {
            seq = next_seq;
        }
        next_seq = seq + 1;
        un = plan_unit_norm(unit);
        if (!un) {
            char msg[256];

            snprintf(
                msg, sizeof msg,
                *unit
                    ? "计量单位“%s”不在 家、件、亿元、万元、%%、个、"
                      "人 之中"
                    : "没有计量单位：请在指标名称后用括号写明（如“（家）”）%s",
                unit);
            add_error(errs, row_no(row), unit_col >= 0 ? unit_col : name_col,
                      msg);
            continue;
        }
        vals = json_array();
        ind = json_pack("{sIsisssssssssi}", "row", (json_int_t)row_no(row),
                        "seq", seq, "name", name, "unit", un, "kind",
                        plan_kind_code(plan_kind_guess(name, un)), "kind_name",
                        "", "direction", 1);
        json_object_set_new(
            ind, "kind_name",
            json_string(plan_kind_name(plan_kind_guess(name, un))));
        json_object_set_new(ind, "values", vals);
        if (note_col >= 0) {
            cell_trim(row_cell(row, (size_t)note_col), t, sizeof t);
            if (*t) {
                json_object_set_new(ind, "note", json_string(t));
            }
        }
        for (size_t k = 0; k < n_yc; k++) {
            char where[64];
            int64_t v = 0;
            Err ve;

            cell_trim(row_cell(row, (size_t)yc[k].col), t, sizeof t);
            if (!*t) {
                continue;
            }
            cell_where(row_no(row), yc[k].col, where, sizeof where);
            if (plan_value_parse(t, un, &v, "value", where, &ve) == 0) {
                char vt[PLAN_VALUE_TEXT];

                plan_value_format(v, vt);
                json_array_append_new(
                    vals, json_pack("{sisbsIss}", "year", yc[k].year, "actual",
                                    yc[k].actual, "value_e4", (json_int_t)v,
                                    "value", vt));
            } else if (!has_digit(t)) {
                /* "尚未开展", "—": a text where a number is expected */
                json_array_append_new(
                    vals, json_pack("{sisbsnss}", "year", yc[k].year, "actual",
                                    yc[k].actual, "value_e4", "text", t));
            } else {
                add_error(errs, row_no(row), yc[k].col, ve.msg);
            }
        }
        json_array_append_new(inds, ind);
    }
    if (json_array_size(inds) == 0) {
        add_error(errs, row_no(json_array_get(grid, head)), -1,
                  "表头下没有指标行");
    }
    /* notes that name an indicator and say how it is counted, clause by
     * clause ("……为年末累计数；……为当年数。") */
    {
        size_t k;
        json_t *note;

        json_array_foreach(notes, k, note)
        {
            char buf[1024];
            char *cl = buf;
            char *stop;

            text_copy(buf, sizeof buf, json_string_value(note));
            stop = buf + strlen(buf);
            while (cl < stop) {
                static const char *const seps[] = {"；", "。", ";"};
                char *end = NULL;
                size_t sl = 0;
                int kind = PLAN_KIND_NONE;
                size_t j;
                json_t *ind;

                for (size_t q = 0; q < 3; q++) {
                    char *f = strstr(cl, seps[q]);

                    if (f && (!end || f < end)) {
                        end = f;
                        sl = strlen(seps[q]);
                    }
                }
                if (end) {
                    *end = '\0';
                }
                if (strstr(cl, "累计") || strstr(cl, "存量") ||
                    strstr(cl, "年末")) {
                    kind = PLAN_KIND_STOCK;
                } else if (strstr(cl, "当年") || strstr(cl, "年度新增")) {
                    kind = PLAN_KIND_FLOW;
                }
                json_array_foreach(inds, j, ind)
                {
                    const char *nm =
                        json_string_value(json_object_get(ind, "name"));

                    if (kind == PLAN_KIND_NONE || !strstr(cl, nm) ||
                        strcmp(json_string_value(json_object_get(ind, "unit")),
                               "%") == 0) {
                        continue;
                    }
                    json_object_set_new(ind, "kind",
                                        json_string(plan_kind_code(kind)));
                    json_object_set_new(ind, "kind_name",
                                        json_string(plan_kind_name(kind)));
                    json_object_set_new(ind, "kind_from_note", json_true());
                }
                cl = end ? end + sl : stop;
            }
        }
    }
    return 0;
}

/* ---- 任务分工表 ---------------------------------------------------------- */

/* Split a cell of unit names on 、，,；; and line breaks, adding each new
 * name to arr (and to the import's list of all names). */
static void split_units(const char *s, json_t *arr, json_t *all)
{
    char buf[1024];
    char *p = buf;

    text_copy(buf, sizeof buf, s);
    while (*p) {
        size_t n = 0;
        size_t skip = 0;
        char name[256];

        while (p[n]) {
            if (strncmp(p + n, "、", 3) == 0 || strncmp(p + n, "，", 3) == 0 ||
                strncmp(p + n, "；", 3) == 0) {
                skip = 3;
                break;
            }
            if (p[n] == ',' || p[n] == ';' || p[n] == '\n' || p[n] == '/') {
                skip = 1;
                break;
            }
            n++;
        }
        if (n < sizeof name) {
            memcpy(name, p, n);
            name[n] = '\0';
            cell_trim(name, name, sizeof name);
            if (*name) {
                size_t i;
                json_t *v;
                int dup = 0;

                json_array_foreach(arr, i, v)
                {
                    dup |= strcmp(json_string_value(v), name) == 0;
                }
                if (!dup) {
                    json_array_append_new(arr, json_string(name));
                }
                dup = 0;
                json_array_foreach(all, i, v)
                {
                    dup |= strcmp(json_string_value(v), name) == 0;
                }
                if (!dup) {
                    json_array_append_new(all, json_string(name));
                }
            }
        }
        p += n + skip;
        if (!skip) {
            break;
        }
    }
}

static int parse_tasks(json_t *grid, json_t *out)
{
    json_t *errs = json_object_get(out, "errors");
    json_t *tasks = json_array();
    json_t *names = json_array();
    json_t *last = NULL;
    long seq_col = -1;
    long head_col = -1;
    long content_col = -1;
    long lead_col = -1;
    long resp_col = -1;
    long due_col = -1;
    long person_col = -1;
    size_t head = (size_t)-1;
    char section[512] = "";
    char heading[512] = "";
    size_t i;
    json_t *row;
    char t[2048];

    json_object_set_new(out, "tasks", tasks);
    json_object_set_new(out, "unit_names", names);
    json_array_foreach(grid, i, row)
    {
        for (size_t c = 0; c < row_ncells(row); c++) {
            cell_trim(row_cell(row, c), t, sizeof t);
            if (strstr(t, "牵头") || strstr(t, "责任单位")) {
                head = i;
                break;
            }
        }
        if (head != (size_t)-1) {
            break;
        }
    }
    if (head == (size_t)-1) {
        add_error(errs, 0, -1,
                  "没有找到表头：表头行应有“牵头单位”或“责任单位”");
        return 0;
    }
    row = json_array_get(grid, head);
    for (size_t c = 0; c < row_ncells(row); c++) {
        long cc = (long)c;

        cell_trim(row_cell(row, c), t, sizeof t);
        if (strstr(t, "序号")) {
            seq_col = cc;
        } else if (strstr(t, "牵头")) {
            lead_col = cc;
        } else if (strstr(t, "责任人") || strstr(t, "联系人")) {
            person_col = cc;
        } else if (strstr(t, "责任单位") || strstr(t, "配合单位") ||
                   strstr(t, "参与单位")) {
            resp_col = cc;
        } else if (strstr(t, "时限") || strstr(t, "时间") ||
                   strstr(t, "进度")) {
            due_col = cc;
        } else if (strstr(t, "任务") || strstr(t, "措施") ||
                   strstr(t, "内容") || strstr(t, "工作") ||
                   strstr(t, "事项")) {
            if (content_col < 0) {
                content_col = cc;
            } else if (head_col < 0) {
                head_col = content_col;
                content_col = cc;
            }
        }
    }
    if (content_col < 0) {
        add_error(errs, row_no(row), -1, "表头没有任务内容列（如“工作任务”）");
        return 0;
    }
    if (lead_col < 0 && resp_col < 0) {
        add_error(errs, row_no(row), -1, "表头没有牵头单位或责任单位列");
        return 0;
    }
    for (i = head + 1; i < json_array_size(grid); i++) {
        char first[512];
        char seqs[64] = "";
        char content[2048];
        int filled;
        int seq;

        row = json_array_get(grid, i);
        filled = row_filled(row, first, sizeof first);
        if (filled == 0) {
            continue;
        }
        if (seq_col >= 0) {
            char raw[64];

            cell_trim(row_cell(row, (size_t)seq_col), raw, sizeof raw);
            utf8_fold_width(raw, strlen(raw), seqs);
        }
        seq = (int)plan_digits(seqs, 6, NULL);
        cell_trim(row_cell(row, (size_t)content_col), content, sizeof content);
        if (filled == 1 && seq <= 0 && strcmp(first, content) != 0) {
            /* a heading row: "一、实施科技企业梯度培育工程" */
            text_copy(section, sizeof section, first);
            heading[0] = '\0';
            continue;
        }
        if (strncmp(first, "注", 3) == 0 && seq <= 0) {
            continue;
        }
        if (head_col >= 0) {
            cell_trim(row_cell(row, (size_t)head_col), t, sizeof t);
            if (*t) {
                text_copy(heading, sizeof heading, t);
            }
        }
        if (seq <= 0 && *seqs) {
            char msg[128];

            snprintf(msg, sizeof msg, "序号“%s”不是数字", seqs);
            add_error(errs, row_no(row), seq_col, msg);
            continue;
        }
        if (seq <= 0) {
            /* a continuation row: more text / units of the task above */
            if (!last) {
                add_error(errs, row_no(row), content_col,
                          "续行前面没有带序号的任务");
                continue;
            }
            if (*content) {
                const char *old =
                    json_string_value(json_object_get(last, "content"));
                char *joined = malloc(strlen(old) + strlen(content) + 2);

                sprintf(joined, "%s\n%s", old, content);
                json_object_set_new(last, "content", json_string(joined));
                free(joined);
            }
        } else {
            size_t k;
            json_t *o;

            json_array_foreach(tasks, k, o)
            {
                if (json_integer_value(json_object_get(o, "seq")) == seq) {
                    char msg[128];

                    snprintf(msg, sizeof msg, "序号 %d 重复", seq);
                    add_error(errs, row_no(row), seq_col, msg);
                }
            }
            if (!*content) {
                add_error(errs, row_no(row), content_col, "任务内容为空");
                continue;
            }
            last = json_pack("{sIsisssssss[]s[]}", "row",
                             (json_int_t)row_no(row), "seq", seq, "section",
                             section, "heading", *heading ? heading : section,
                             "content", content, "lead", "resp");
            json_array_append_new(tasks, last);
        }
        if (due_col >= 0) {
            cell_trim(row_cell(row, (size_t)due_col), t, sizeof t);
            if (*t) {
                json_object_set_new(last, "due_text", json_string(t));
            }
        }
        if (person_col >= 0) {
            cell_trim(row_cell(row, (size_t)person_col), t, sizeof t);
            if (*t) {
                json_object_set_new(last, "person", json_string(t));
            }
        }
        if (lead_col >= 0) {
            cell_trim(row_cell(row, (size_t)lead_col), t, sizeof t);
            split_units(t, json_object_get(last, "lead"), names);
        }
        if (resp_col >= 0) {
            cell_trim(row_cell(row, (size_t)resp_col), t, sizeof t);
            split_units(t, json_object_get(last, "resp"), names);
        }
    }
    {
        size_t k;
        json_t *o;

        json_array_foreach(tasks, k, o)
        {
            if (json_array_size(json_object_get(o, "lead")) == 0) {
                add_error(errs, json_integer_value(json_object_get(o, "row")),
                          lead_col >= 0 ? lead_col : resp_col,
                          "任务没有牵头单位");
            }
        }
    }
    if (json_array_size(tasks) == 0) {
        add_error(errs, row_no(json_array_get(grid, head)), -1,
                  "表头下没有带序号的任务");
    }
    return 0;
}

/* Resolve unit names to live units (exact name; the first by path when
 * several share it): {name, unit_id|null, unit_name}. */
static int resolve_units(Db *db, json_t *names, json_t **units, Err *e)
{
    size_t i;
    json_t *n;
    int rc = 0;

    *units = json_array();
    json_array_foreach(names, i, n)
    {
        int64_t id = 0;
        int r = db_query_int64(db, &id, e,
                               "SELECT id FROM org_units WHERE name = $1 AND "
                               "retired_at IS NULL ORDER BY path LIMIT 1",
                               "t", json_string_value(n));

        if (r == ERR_NOTFOUND) {
            id = 0;
        } else if (r) {
            rc = r;
            break;
        }
        json_array_append_new(*units,
                              json_pack("{sOso}", "name", n, "unit_id",
                                        id ? json_integer(id) : json_null()));
    }
    return rc;
}

int plan_import_parse(Db *db, int64_t plan_id, const char *kind, json_t *grid,
                      json_t **out, Err *e)
{
    PlanRow p;
    int rc;

    *out = NULL;
    rc = plan_load(db, plan_id, &p, e);
    if (rc) {
        return rc;
    }
    *out = json_pack("{sss[]}", "kind", kind, "errors");
    if (strcmp(kind, "targets") == 0) {
        rc = parse_targets(&p, grid, *out);
    } else if (strcmp(kind, "tasks") == 0) {
        json_t *units = NULL;

        rc = parse_tasks(grid, *out);
        if (rc == 0) {
            rc = resolve_units(db, json_object_get(*out, "unit_names"), &units,
                               e);
            json_object_set_new(*out, "units", units ? units : json_array());
        }
    } else {
        rc =
            err_set(e, ERR_INVALID, "kind",
                    "表格类型应为 targets（年度分解表）或 tasks（任务分工表）");
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- staging and applying ------------------------------------------------ */

int plan_import_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *parsed = NULL;
    int rc;

    (void)a;
    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT id, plan_id, kind, file_name, status, "
                      "created_at, applied_at, parsed FROM plan_imports "
                      "WHERE id = $1",
                      "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        *out = plan_row_json(st, "iissss"
                                 "s");
        parsed = json_loads(db_col_text(st, 7), 0, NULL);
        if (parsed) {
            json_object_update_missing(*out, parsed);
        }
        json_decref(parsed);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "导入记录不存在");
    }
    db_finalize(st);
    return rc;
}

int plan_import_preview(Db *db, const Actor *a, int64_t plan_id,
                        const char *kind, const char *file_name,
                        const char *data, size_t len, json_t **out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *grid = NULL;
    json_t *parsed = NULL;
    json_t *after = NULL;
    char *text = NULL;
    int64_t id = 0;
    PlanRow p;
    int rc;

    *out = NULL;
    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc == 0) {
        rc = plan_grid_read(data, len, &grid, e);
    }
    if (rc == 0) {
        rc = plan_import_parse(db, plan_id, kind, grid, &parsed, e);
    }
    if (rc) {
        goto out;
    }
    text = json_dumps(parsed, JSON_COMPACT);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_query_int64(db, &id, e,
                        "INSERT INTO plan_imports (plan_id, kind, file_name, "
                        "parsed, created_by, created_at) VALUES ($1, $2, $3, "
                        "$4, $5, $6) RETURNING id",
                        "itttit", plan_id, kind, file_name, text, a->user_id,
                        now);
    if (rc == 0) {
        after = json_pack(
            "{sIssso?sI}", "plan_id", (json_int_t)plan_id, "kind", kind,
            "file_name", plan_json_str(file_name), "errors",
            (json_int_t)json_array_size(json_object_get(parsed, "errors")));
        rc = audit_record(db, a, "plan.import.preview", "plan_import", id,
                          p.issuer_path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        goto out;
    }
    rc = plan_import_get(db, a, id, out, e);
out:
    free(text);
    json_decref(grid);
    json_decref(parsed);
    json_decref(after);
    return rc;
}

/* Create a 部门 unit named name under the plan's issuing unit (inside the
 * transaction; audited as org.create). */
static int create_dept(Db *db, const Actor *a, const PlanRow *p,
                       const char *name, int64_t *id, Err *e)
{
    char now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX + 32];
    json_t *after;
    int rc;

    if (utf8_count_chars(name, strlen(name)) > 64) {
        return err_set(e, ERR_INVALID, "units", "单位名称“%.60s…”过长", name);
    }
    clock_now_iso(now, 0);
    rc = db_query_int64(db, id, e,
                        "INSERT INTO org_units (parent_id, name, kind, path, "
                        "sort, created_at, updated_at) VALUES ($1, $2, 'dept', "
                        "'#new', 0, $3, $3) RETURNING id",
                        "itt", p->issuer_unit_id, name, now);
    if (rc == ERR_CONFLICT) {
        return err_set(e, ERR_CONFLICT, "units", "单位“%s”已存在", name);
    }
    if (rc) {
        return rc;
    }
    snprintf(path, sizeof path, "%s%lld/", p->issuer_path, (long long)*id);
    rc = db_exec_v(db, e, "UPDATE org_units SET path = $1 WHERE id = $2", "ti",
                   path, *id);
    if (rc) {
        return rc;
    }
    after = json_pack("{sssssIss}", "name", name, "kind", "dept", "parent_id",
                      (json_int_t)p->issuer_unit_id, "path", path);
    rc = audit_record(db, a, "org.create", "org_unit", *id, path, NULL, after,
                      e);
    json_decref(after);
    return rc;
}

static int apply_targets(Db *db, const Actor *a, const PlanRow *p,
                         json_t *parsed, json_t *kinds, int64_t *n_ind,
                         int64_t *n_tg, Err *e)
{
    size_t i;
    json_t *ind;
    int rc = 0;

    json_array_foreach(json_object_get(parsed, "indicators"), i, ind)
    {
        char key[16];
        int seq = (int)json_integer_value(json_object_get(ind, "seq"));
        const char *kind = json_string_value(json_object_get(ind, "kind"));
        const char *over;
        PlanIndInput in;
        PlanInd pi;
        int64_t id = 0;
        size_t j;
        json_t *v;

        snprintf(key, sizeof key, "%d", seq);
        over = json_string_value(json_object_get(kinds, key));
        memset(&in, 0, sizeof in);
        in.seq = seq;
        in.name = json_string_value(json_object_get(ind, "name"));
        in.unit = json_string_value(json_object_get(ind, "unit"));
        in.kind = over ? over : kind;
        in.direction = 1;
        in.note = json_string_value(json_object_get(ind, "note"));
        json_array_foreach(json_object_get(ind, "values"), j, v)
        {
            if (json_is_true(json_object_get(v, "actual"))) {
                if (json_is_integer(json_object_get(v, "value_e4"))) {
                    in.has_base = 1;
                    in.base_e4 =
                        json_integer_value(json_object_get(v, "value_e4"));
                } else {
                    in.base_text =
                        json_string_value(json_object_get(v, "text"));
                }
            }
        }
        rc = db_query_int64(db, &id, e,
                            "SELECT id FROM plan_indicators WHERE plan_id = "
                            "$1 AND seq = $2",
                            "ii", p->id, (int64_t)seq);
        if (rc == 0) {
            rc = err_set(
                e, ERR_CONFLICT, "seq",
                "第%lld行：计划中已有序号 %d 的指标，不能重复导入",
                (long long)json_integer_value(json_object_get(ind, "row")),
                seq);
        } else if (rc == ERR_NOTFOUND) {
            rc = plan_ind_insert_tx(db, a, p, &in, &id, e);
        }
        if (rc == 0) {
            rc = plan_ind_load(db, id, &pi, e);
        }
        if (rc) {
            return rc;
        }
        (*n_ind)++;
        json_array_foreach(json_object_get(ind, "values"), j, v)
        {
            json_t *ve = json_object_get(v, "value_e4");

            if (json_is_true(json_object_get(v, "actual"))) {
                continue;
            }
            rc = plan_target_put_tx(
                db, p, &pi, (int)json_integer_value(json_object_get(v, "year")),
                0, json_is_integer(ve), json_integer_value(ve),
                json_string_value(json_object_get(v, "text")), "", e);
            if (rc) {
                return rc;
            }
            (*n_tg)++;
        }
    }
    return rc;
}

/* The unit id a name maps to: the user's mapping, else the preview's. */
static int64_t map_unit(json_t *units_resolved, json_t *map, const char *name,
                        json_t *created)
{
    json_t *m = json_object_get(map, name);
    size_t i;
    json_t *u;

    if (json_is_integer(m)) {
        return json_integer_value(m);
    }
    if (json_is_integer(json_object_get(created, name))) {
        return json_integer_value(json_object_get(created, name));
    }
    json_array_foreach(units_resolved, i, u)
    {
        if (strcmp(json_string_value(json_object_get(u, "name")), name) == 0 &&
            json_is_integer(json_object_get(u, "unit_id"))) {
            return json_integer_value(json_object_get(u, "unit_id"));
        }
    }
    return 0;
}

/* "2022年12月" -> 2022-12-31, "2022年" -> 2022-12-31, else "" (每年,
 * 每季度 ... have no single date). */
static void due_date(const char *s, char out[11])
{
    static const int last[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char f[128];
    const char *p = NULL;
    int y;
    int m = 12;

    out[0] = '\0';
    if (!s || strlen(s) >= sizeof f) {
        return;
    }
    utf8_fold_width(s, strlen(s), f);
    y = (int)plan_digits(f, 4, &p);
    if (y < 2000 || y > 2100 || strncmp(p, "年", 3) != 0) {
        return;
    }
    p += 3;
    if (*p >= '0' && *p <= '9') {
        m = (int)plan_digits(p, 2, NULL);
        if (m < 1 || m > 12) {
            return;
        }
    }
    snprintf(out, 11, "%04d-%02d-%02d", y, m,
             m == 2 && y % 4 == 0 ? 29 : last[m - 1]);
}

static int apply_tasks(Db *db, const Actor *a, const PlanRow *p, json_t *parsed,
                       json_t *map, int64_t *n_tasks, int64_t *n_created,
                       Err *e)
{
    json_t *resolved = json_object_get(parsed, "units");
    json_t *created = json_object();
    char now[CLOCK_ISO_LEN];
    const char *key;
    json_t *val;
    size_t i;
    json_t *u;
    json_t *t;
    int rc = 0;

    clock_now_iso(now, 0);
    /* every name must map to a live unit in scope, or be created */
    json_array_foreach(resolved, i, u)
    {
        const char *name = json_string_value(json_object_get(u, "name"));
        json_t *m = json_object_get(map, name);

        if (json_is_string(m) && strcmp(json_string_value(m), "new") == 0) {
            int64_t id = 0;

            rc = create_dept(db, a, p, name, &id, e);
            if (rc) {
                goto out;
            }
            json_object_set_new(created, name, json_integer(id));
            (*n_created)++;
        } else if (m && !json_is_integer(m)) {
            rc = err_set(e, ERR_INVALID, "units",
                         "单位“%s”的对应应为单位编号或 \"new\"（新建部门）",
                         name);
            goto out;
        } else if (!map_unit(resolved, map, name, created)) {
            rc = err_set(e, ERR_INVALID, "units",
                         "单位“%s”在组织机构中没有找到：请指定对应的单位或新建",
                         name);
            goto out;
        }
    }
    json_object_foreach(map, key, val)
    {
        int64_t n = 0;

        if (!json_is_integer(val)) {
            continue;
        }
        rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM org_units WHERE id = $1 AND "
                            "retired_at IS NULL",
                            "i", (int64_t)json_integer_value(val));
        if (rc == 0 && n == 0) {
            rc = err_set(e, ERR_INVALID, "units", "“%s”对应的单位 %lld 不存在",
                         key, (long long)json_integer_value(val));
        }
        if (rc) {
            goto out;
        }
    }
    json_array_foreach(json_object_get(parsed, "tasks"), i, t)
    {
        static const char *const roles[] = {"lead", "resp"};
        int64_t tid = 0;
        int64_t n = 0;

        rc = db_query_int64(
            db, &n, e,
            "SELECT COUNT(*) FROM plan_tasks WHERE plan_id = "
            "$1 AND seq = $2",
            "ii", p->id,
            (int64_t)json_integer_value(json_object_get(t, "seq")));
        if (rc == 0 && n > 0) {
            rc = err_set(
                e, ERR_CONFLICT, "seq", "第%lld行：计划中已有序号 %lld 的任务",
                (long long)json_integer_value(json_object_get(t, "row")),
                (long long)json_integer_value(json_object_get(t, "seq")));
        }
        char due[11];

        due_date(json_string_value(json_object_get(t, "due_text")), due);
        if (rc == 0) {
            rc = db_query_int64(
                db, &tid, e,
                "INSERT INTO plan_tasks (plan_id, seq, heading, content, "
                "due_text, due_on, created_at, updated_at) VALUES ($1, $2, "
                "$3, $4, $5, $7, $6, $6) RETURNING id",
                "iittttt", p->id,
                (int64_t)json_integer_value(json_object_get(t, "seq")),
                json_string_value(json_object_get(t, "heading")),
                json_string_value(json_object_get(t, "content")),
                json_string_value(json_object_get(t, "due_text")), now,
                *due ? due : NULL);
        }
        for (int r = 0; rc == 0 && r < 2; r++) {
            size_t j;
            json_t *nm;

            json_array_foreach(json_object_get(t, roles[r]), j, nm)
            {
                int64_t uid =
                    map_unit(resolved, map, json_string_value(nm), created);

                rc = db_exec_v(
                    db, e,
                    "INSERT INTO plan_task_units (task_id, "
                    "unit_id, role, person) VALUES ($1, $2, $3, "
                    "$4) ON CONFLICT (task_id, unit_id, role) DO "
                    "NOTHING",
                    "iitt", tid, uid, roles[r],
                    r == 0 ? json_string_value(json_object_get(t, "person"))
                           : NULL);
                if (rc) {
                    break;
                }
            }
        }
        if (rc) {
            goto out;
        }
        (*n_tasks)++;
    }
out:
    json_decref(created);
    return rc;
}

int plan_import_apply(Db *db, const Actor *a, int64_t id, json_t *units,
                      json_t *kinds, json_t **out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *imp = NULL;
    json_t *after = NULL;
    json_t *errs;
    const char *kind;
    int64_t n_ind = 0;
    int64_t n_tg = 0;
    int64_t n_tasks = 0;
    int64_t n_created = 0;
    PlanRow p;
    int rc;

    *out = NULL;
    rc = plan_import_get(db, a, id, &imp, e);
    if (rc == 0) {
        rc = plan_load(db, json_integer_value(json_object_get(imp, "plan_id")),
                       &p, e);
    }
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc) {
        goto out;
    }
    if (units && !json_is_object(units)) {
        rc = err_set(e, ERR_INVALID, "units", "units 应为对象");
        goto out;
    }
    if (kinds && !json_is_object(kinds)) {
        rc = err_set(e, ERR_INVALID, "kinds", "kinds 应为对象");
        goto out;
    }
    if (strcmp(json_string_value(json_object_get(imp, "status")), "preview") !=
        0) {
        rc = err_set(e, ERR_CONFLICT, "status", "该表格已导入过");
        goto out;
    }
    errs = json_object_get(imp, "errors");
    if (json_array_size(errs) > 0) {
        json_t *e0 = json_array_get(errs, 0);

        rc = err_set(e, ERR_INVALID, "file",
                     "表格有 %zu 处问题（第%lld行%s%s：%s），请改正后重新上传",
                     json_array_size(errs),
                     (long long)json_integer_value(json_object_get(e0, "row")),
                     json_string_value(json_object_get(e0, "col"))
                         ? json_string_value(json_object_get(e0, "col"))
                         : "",
                     json_string_value(json_object_get(e0, "col")) ? "列" : "",
                     json_string_value(json_object_get(e0, "message")));
        goto out;
    }
    kind = json_string_value(json_object_get(imp, "kind"));
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    if (strcmp(kind, "targets") == 0) {
        rc = apply_targets(db, a, &p, imp, kinds, &n_ind, &n_tg, e);
    } else {
        json_t *empty = json_object();

        rc = apply_tasks(db, a, &p, imp, units ? units : empty, &n_tasks,
                         &n_created, e);
        json_decref(empty);
    }
    clock_now_iso(now, 0);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE plan_imports SET status = 'applied', "
                       "applied_at = $1 WHERE id = $2 AND status = 'preview'",
                       "ti", now, id);
    }
    if (rc == 0) {
        after = json_pack("{sIsIsIsIsI}", "plan_id", (json_int_t)p.id,
                          "indicators", (json_int_t)n_ind, "targets",
                          (json_int_t)n_tg, "tasks", (json_int_t)n_tasks,
                          "units_created", (json_int_t)n_created);
        rc = audit_record(db, a, "plan.import.apply", "plan_import", id,
                          p.issuer_path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        goto out;
    }
    *out = after;
    after = NULL;
out:
    json_decref(imp);
    json_decref(after);
    return rc;
}
