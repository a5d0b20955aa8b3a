/* lib_export.c - exports with the import templates' columns. */
#include "domain/io/lib_export.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/xlsx_write.h"
#include "domain/accounts/org.h"
#include "domain/library/industry.h"

#define LIB_EXPORT_PATH_MAX 512

/* The select expression of column c of kind k. Tables: t (the kind's),
 * e (its enterprise; t itself for enterprises), u (the unit). */
static void xp_expr(const ColumnKind *k, const ColumnDef *c, Buf *b)
{
    const char *key = c->key;

    if (strcmp(key, "uscc") == 0) {
        buf_append_str(b, "e.uscc");
    } else if (strcmp(key, "name") == 0) {
        buf_append_str(b, "e.name");
    } else if (c->type == COLUMNS_UNIT) {
        buf_append_str(b, "u.name");
    } else if (strcmp(key, "industry_name") == 0) {
        buf_append_str(b, "t.industry_code");
    } else if (strncmp(key, "latest_", 7) == 0 ||
               (k->id == XK_ENTERPRISES && strcmp(key, "retired_at") == 0)) {
        buf_appendf(b, "e.%s", key);
    } else {
        buf_appendf(b, "t.%s", key);
    }
}

/* FROM and WHERE of kind k; $1 = the actor's path, $2 = the unit's path. */
static void xp_from(const ColumnKind *k, Buf *b)
{
    if (k->id == XK_ENTERPRISES) {
        buf_append_str(b, " FROM enterprises t JOIN enterprises e ON e.id = "
                          "t.id");
    } else {
        buf_appendf(b,
                    " FROM %s t JOIN enterprises e ON e.id = t.enterprise_id",
                    k->table);
    }
    buf_append_str(b, " JOIN org_units u ON u.id = e.unit_id WHERE "
                      "substr(u.path, 1, length($1)) = $1 AND "
                      "substr(u.path, 1, length($2)) = $2 AND "
                      "e.retired_at IS NULL");
    if (k->id == XK_IP || k->id == XK_FACTS) {
        buf_append_str(b, " AND t.retired_at IS NULL");
    }
}

static const char *xp_order(const ColumnKind *k)
{
    switch (k->id) {
    case XK_ENTERPRISES:
        return " ORDER BY e.uscc";
    case XK_FIGURES:
        return " ORDER BY e.uscc, t.year";
    case XK_DECLARATIONS:
        return " ORDER BY e.uscc, t.field, t.year";
    default:
        return " ORDER BY e.uscc, t.id";
    }
}

/* Path of unit_id (0: the actor's own scope) for $2. */
static int xp_unit_path(Db *db, const Actor *a, int64_t unit_id, char *path,
                        size_t cap, Err *e)
{
    int rc;

    if (unit_id <= 0) {
        snprintf(path, cap, "%s", a->unit_path);
        return 0;
    }
    rc = org_path(db, unit_id, path, cap, NULL, e);
    if (rc == 0 && !actor_sees_path(a, path)) {
        rc = err_set(e, ERR_NOTFOUND, "unit_id", "单位不存在");
    }
    return rc;
}

int lib_export_count(Db *db, const Actor *a, const ColumnKind *k,
                     int64_t unit_id, int64_t *n, Err *e)
{
    char up[LIB_EXPORT_PATH_MAX];
    Buf b;
    int rc;

    rc = xp_unit_path(db, a, unit_id, up, sizeof up, e);
    if (rc) {
        return rc;
    }
    buf_init(&b, 8192);
    buf_append_str(&b, "SELECT COUNT(*)");
    xp_from(k, &b);
    rc = db_query_int64(db, n, e, b.data, "tt", a->unit_path, up);
    buf_release(&b);
    return rc;
}

/* Text of the info column key from the current row. */
static void xp_info(const char *key, DbStmt *st, int col, Buf *out)
{
    if (db_col_is_null(st, col) && strcmp(key, "retired_at") != 0) {
        return;
    }
    if (strcmp(key, "latest_revenue") == 0) {
        money_format_wan(db_col_int64(st, col), out);
    } else if (strcmp(key, "latest_rd_bp") == 0) {
        int64_t bp = db_col_int64(st, col);
        buf_appendf(out, "%lld.%02lld", (long long)(bp / 100),
                    (long long)(bp % 100));
    } else if (strcmp(key, "retired_at") == 0) {
        buf_append_str(out, db_col_is_null(st, col) ? "在库" : "已注销出库");
    } else if (strcmp(key, "industry_name") == 0) {
        const char *name = industry_name_of(db_col_text(st, col));
        buf_append_str(out, name ? name : "");
    } else {
        const char *t = db_col_text(st, col);
        buf_append_str(out, t ? t : "");
    }
}

static int xp_walk_page(Db *db, const Actor *a, const ColumnKind *k,
                        int64_t unit_id, int64_t max_rows, int64_t offset,
                        int64_t limit, LibExportFn fn, void *ud, Err *e)
{
    char up[LIB_EXPORT_PATH_MAX];
    const char *cells[COLUMNS_MAX];
    int64_t ints[COLUMNS_MAX];
    unsigned char has[COLUMNS_MAX];
    size_t offs[COLUMNS_MAX];
    LibExportRow row;
    DbStmt *st = NULL;
    Buf sql, cellbuf;
    size_t i;
    int rc;

    rc = xp_unit_path(db, a, unit_id, up, sizeof up, e);
    if (rc) {
        return rc;
    }
    if (max_rows > 0) {
        int64_t n = 0;
        rc = lib_export_count(db, a, k, unit_id, &n, e);
        if (rc) {
            return rc;
        }
        if (n > max_rows) {
            return err_set(e, ERR_TOOBIG, "format",
                           "共 %lld 行，超过一次导出的上限 %lld 行，请缩小范围",
                           (long long)n, (long long)max_rows);
        }
    }
    buf_init(&sql, 16384);
    buf_init(&cellbuf, (size_t)16 * 1024 * 1024);
    buf_append_str(&sql, "SELECT ");
    for (i = 0; i < k->n_cols; i++) {
        if (i) {
            buf_append_str(&sql, ", ");
        }
        xp_expr(k, &k->cols[i], &sql);
    }
    xp_from(k, &sql);
    buf_append_str(&sql, xp_order(k));
    if (limit > 0) {
        buf_appendf(&sql, " LIMIT %lld OFFSET %lld", (long long)limit,
                    (long long)offset);
    }
    rc = db_prepare_v(db, &st, e, sql.data, "tt", a->unit_path, up);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        buf_reset(&cellbuf);
        for (i = 0; i < k->n_cols; i++) {
            const ColumnDef *c = &k->cols[i];
            offs[i] = cellbuf.len;
            has[i] = 0;
            ints[i] = 0;
            if (c->flags & COLUMNS_INFO) {
                xp_info(c->key, st, (int)i, &cellbuf);
            } else if (c->type == COLUMNS_UNIT) {
                const char *t = db_col_text(st, (int)i);
                buf_append_str(&cellbuf, t ? t : "");
            } else if (c->type == COLUMNS_DECLVAL) {
                /* in the unit of the row's 申报事项 */
                const char *fld =
                    db_col_text(st, columns_col_by_key(k, "field"));
                has[i] = 1;
                ints[i] = db_col_int64(st, (int)i);
                columns_decl_value_format(fld ? fld : "", ints[i], &cellbuf);
            } else if (c->flags & COLUMNS_INTCOL) {
                has[i] = !db_col_is_null(st, (int)i);
                ints[i] = db_col_int64(st, (int)i);
                if (k->id == XK_DECLARATIONS && ints[i] == 0 &&
                    strcmp(c->key, "year") == 0) {
                    has[i] = 0; /* not a yearly field: 年度 blank */
                }
                columns_format(c, has[i], ints[i], NULL, &cellbuf);
            } else {
                columns_format(c, 1, 0, db_col_text(st, (int)i), &cellbuf);
            }
            buf_append_char(&cellbuf, '\0');
        }
        if (cellbuf.err) {
            rc = err_set(e, ERR_TOOBIG, NULL, "导出内容过大");
            break;
        }
        for (i = 0; i < k->n_cols; i++) {
            cells[i] = cellbuf.data + offs[i];
        }
        row.cells = cells;
        row.ints = ints;
        row.has_int = has;
        rc = fn(ud, &row);
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    buf_release(&sql);
    buf_release(&cellbuf);
    return rc;
}

int lib_export_walk(Db *db, const Actor *a, const ColumnKind *k,
                    int64_t unit_id, int64_t max_rows, LibExportFn fn, void *ud,
                    Err *e)
{
    return xp_walk_page(db, a, k, unit_id, max_rows, 0, 0, fn, ud, e);
}

/* ---- files ---- */

typedef struct XpFile {
    const ColumnKind *k;
    int format;
    FILE *f;
    iconv_t cd;
    Buf line;
    XlsxOutSheet *sheet;
    uint32_t row;
    int64_t rows;
} XpFile;

/* Write the CSV line in x->line, converted to GB18030 when asked. */
static int xp_put_line(XpFile *x, Err *e)
{
    if (x->line.err) {
        return err_set(e, ERR_TOOBIG, NULL, "导出内容过大");
    }
    if (x->format == LIB_EXPORT_CSV_GBK) {
        char out[16384];
        char *in = x->line.data;
        size_t inleft = x->line.len;
        while (inleft > 0) {
            char *o = out;
            size_t oleft = sizeof out;
            size_t r = iconv(x->cd, &in, &inleft, &o, &oleft);
            if (r == (size_t)-1 && errno != E2BIG) {
                return err_set(e, ERR_INVALID, NULL,
                               "有字符无法转换为 GBK，请改用 UTF-8 导出");
            }
            if (fwrite(out, 1, sizeof out - oleft, x->f) !=
                sizeof out - oleft) {
                return err_set(e, ERR_IO, NULL, "写入导出文件失败");
            }
        }
        return 0;
    }
    if (fwrite(x->line.data, 1, x->line.len, x->f) != x->line.len) {
        return err_set(e, ERR_IO, NULL, "写入导出文件失败");
    }
    return 0;
}

static int xp_file_row(void *ud, const LibExportRow *r)
{
    XpFile *x = ud;
    Err e;
    size_t i;
    int rc = 0;

    x->rows++;
    if (x->format != LIB_EXPORT_XLSX) {
        buf_reset(&x->line);
        for (i = 0; i < x->k->n_cols; i++) {
            if (i) {
                buf_append_char(&x->line, ',');
            }
            buf_append_csv_field(&x->line, r->cells[i], strlen(r->cells[i]));
        }
        buf_append(&x->line, "\r\n", 2);
        return xp_put_line(x, &e);
    }
    for (i = 0; rc == 0 && i < x->k->n_cols; i++) {
        const ColumnDef *c = &x->k->cols[i];
        uint16_t col = (uint16_t)i;
        if (!r->cells[i][0]) {
            continue;
        }
        if ((c->type == COLUMNS_MONEY || c->type == COLUMNS_MONEY_SIGNED) &&
            r->has_int[i]) {
            rc = xlsx_write_money(x->sheet, x->row, col, r->ints[i], &e);
        } else if (c->type == COLUMNS_INT && r->has_int[i]) {
            rc = xlsx_write_int(x->sheet, x->row, col, r->ints[i], &e);
        } else if (c->type == COLUMNS_DATE) {
            rc = xlsx_write_date_iso(x->sheet, x->row, col, r->cells[i], &e);
        } else {
            rc = xlsx_write_str(x->sheet, x->row, col, r->cells[i], &e);
        }
    }
    x->row++;
    return rc;
}

int lib_export_file(Db *db, const Actor *a, const ColumnKind *k, int format,
                    int64_t unit_id, int64_t *rows_out, const char *path,
                    Err *e)
{
    XlsxWriter *w = NULL;
    XpFile x;
    size_t i;
    int rc = 0;

    memset(&x, 0, sizeof x);
    x.k = k;
    x.format = format;
    x.cd = (iconv_t)-1;
    buf_init(&x.line, (size_t)4 * 1024 * 1024);
    if (format == LIB_EXPORT_XLSX) {
        const char *titles[COLUMNS_MAX];
        rc = xlsx_writer_new(&w, path, e);
        if (rc) {
            goto out;
        }
        for (i = 0; i < k->n_cols; i++) {
            titles[i] = k->cols[i].title;
        }
        rc = xlsx_writer_add_sheet(w, k->name, &x.sheet, e);
        if (rc == 0) {
            rc = xlsx_write_header(x.sheet, 0, titles, k->n_cols, e);
        }
        x.row = 1;
    } else {
        x.f = fopen(path, "wb");
        if (!x.f) {
            rc = err_set(e, ERR_IO, NULL, "无法创建导出文件 %s", path);
            goto out;
        }
        if (format == LIB_EXPORT_CSV_GBK) {
            x.cd = iconv_open("GB18030", "UTF-8");
            if (x.cd == (iconv_t)-1) {
                rc = err_set(e, ERR_INTERNAL, NULL, "系统不支持 GBK 编码转换");
                goto out;
            }
        } else {
            buf_append(&x.line, "\xEF\xBB\xBF", 3);
        }
        for (i = 0; i < k->n_cols; i++) {
            if (i) {
                buf_append_char(&x.line, ',');
            }
            buf_append_str(&x.line, k->cols[i].title);
        }
        buf_append(&x.line, "\r\n", 2);
        rc = xp_put_line(&x, e);
    }
    if (rc == 0) {
        rc = lib_export_walk(db, a, k, unit_id, 0, xp_file_row, &x, e);
        if (rc && e->code == 0) {
            err_set(e, rc, NULL, "导出失败");
        }
    }
    if (w) {
        if (rc == 0) {
            rc = xlsx_writer_close(w, e);
        } else {
            xlsx_writer_free(w);
        }
    }
    if (x.f && fclose(x.f) != 0 && rc == 0) {
        rc = err_set(e, ERR_IO, NULL, "写入导出文件失败");
    }
    x.f = NULL;
out:
    if (x.f) {
        fclose(x.f);
    }
    if (x.cd != (iconv_t)-1) {
        iconv_close(x.cd);
    }
    buf_release(&x.line);
    if (rows_out) {
        *rows_out = x.rows;
    }
    return rc;
}

/* ---- JSON pages ---- */

typedef struct XpPage {
    const ColumnKind *k;
    json_t *items;
} XpPage;

static int xp_page_row(void *ud, const LibExportRow *r)
{
    XpPage *p = ud;
    json_t *o = json_object();
    size_t i;

    for (i = 0; i < p->k->n_cols; i++) {
        const ColumnDef *c = &p->k->cols[i];
        if (c->type == COLUMNS_INT && !(c->flags & COLUMNS_INFO)) {
            json_object_set_new(o, c->key,
                                r->has_int[i] ? json_integer(r->ints[i])
                                              : json_null());
        } else {
            json_object_set_new(o, c->key,
                                r->cells[i][0] ? json_string(r->cells[i])
                                               : json_null());
        }
    }
    json_array_append_new(p->items, o);
    return 0;
}

int lib_export_page(Db *db, const Actor *a, const ColumnKind *k,
                    int64_t unit_id, int64_t offset, int64_t limit,
                    json_t **items, int64_t *total, Err *e)
{
    XpPage p;
    int rc;

    rc = lib_export_count(db, a, k, unit_id, total, e);
    if (rc) {
        return rc;
    }
    p.k = k;
    p.items = json_array();
    rc = xp_walk_page(db, a, k, unit_id, 0, offset, limit, xp_page_row, &p, e);
    if (rc) {
        json_decref(p.items);
        return rc;
    }
    *items = p.items;
    return 0;
}
