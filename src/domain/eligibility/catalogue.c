/* catalogue.c - the industry catalogue and prohibited_industry (see
 * catalogue.h). */
#include "domain/eligibility/catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "base/valid.h"
#include "base/xlsx_write.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/io/import.h"
#include "domain/library/industry.h"

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))
#define CAT_TEXT_MAX 500

typedef struct CatCol {
    const char *key;
    const char *title;
    int required;
    const char *note;
} CatCol;

enum { CC_CODE, CC_CLASS, CC_ITEM, CC_SOURCE, CC_DOC, CC_UNVERIFIED, CC_NOTE };

static const CatCol cat_cols[] = {
    {"code", "行业代码", 1,
     "GB/T 4754 行业代码（2～4 位数字，可带门类字母），按前缀匹配企业的行业"
     "代码：C33 匹配 C3311"},
    {"class", "类别", 1,
     "限制类、淘汰类（产业结构调整指导目录）或禁止类（市场准入负面清单）"},
    {"item", "目录条目", 1, "目录原文的条目，最多 500 字"},
    {"source", "来源文件", 1, "如 产业结构调整指导目录（2024年本）"},
    {"doc_no", "文号", 0, "如 国家发展改革委令第7号"},
    {"unverified", "代码对应未核实", 0,
     "是/否：条目与行业代码的对应是否只是本局的理解；留空为是"},
    {"note", "备注", 0, NULL},
};

static const char *const cat_classes[] = {"restricted", "eliminated",
                                          "prohibited", NULL};
static const char *const cat_class_names[] = {"限制类", "淘汰类", "禁止类",
                                              NULL};

const char *catalogue_class_name(const char *code)
{
    for (int i = 0; code && cat_classes[i]; i++) {
        if (strcmp(code, cat_classes[i]) == 0) {
            return cat_class_names[i];
        }
    }
    return NULL;
}

json_t *catalogue_classes_json(void)
{
    json_t *a = json_array();

    for (int i = 0; cat_classes[i]; i++) {
        json_array_append_new(a, json_pack("{ssss}", "code", cat_classes[i],
                                           "name", cat_class_names[i]));
    }
    return a;
}

static const char *cat_class_code(const char *v)
{
    for (int i = 0; v && cat_classes[i]; i++) {
        if (strcmp(v, cat_classes[i]) == 0 ||
            strcmp(v, cat_class_names[i]) == 0) {
            return cat_classes[i];
        }
    }
    return NULL;
}

static json_t *cat_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? json_string(s) : json_null();
}

#define CAT_SELECT                                                             \
    "SELECT id, code, class, item, source, doc_no, unverified, note, "         \
    "updated_at FROM industry_catalogue ORDER BY code, class, item"

int catalogue_list(Db *db, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *items = json_array();
    int rc;

    rc = db_prepare_v(db, &st, e, CAT_SELECT, "");
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *cls = db_col_text(st, 2);
        json_array_append_new(
            items,
            json_pack(
                "{sIsosssosososbsoso}", "id", (json_int_t)db_col_int64(st, 0),
                "code", cat_text(st, 1), "class", cls ? cls : "", "class_name",
                json_string(
                    catalogue_class_name(cls) ? catalogue_class_name(cls) : ""),
                "item", cat_text(st, 3), "source", cat_text(st, 4), "doc_no",
                cat_text(st, 5), "unverified", (int)db_col_int64(st, 6), "note",
                cat_text(st, 7), "updated_at", cat_text(st, 8)));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{sosI}", "items", items, "total",
                     (json_int_t)json_array_size(items));
    return 0;
}

static void cat_header_csv(Buf *out)
{
    buf_append_str(out, "\xEF\xBB\xBF");
    for (size_t i = 0; i < N_OF(cat_cols); i++) {
        if (i) {
            buf_append_char(out, ',');
        }
        buf_append_str(out, cat_cols[i].title);
    }
    buf_append_str(out, "\r\n");
}

int catalogue_export_csv(Db *db, Buf *out, Err *e)
{
    return catalogue_export(db, NULL, 1, out, e);
}

int catalogue_template(int format, Buf *out, Err *e)
{
    const char *titles[N_OF(cat_cols)];
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    int rc;

    if (format == 1) {
        cat_header_csv(out);
        return out->err ? err_set(e, ERR_TOOBIG, NULL, "模板过大") : 0;
    }
    for (size_t i = 0; i < N_OF(cat_cols); i++) {
        titles[i] = cat_cols[i].title;
    }
    rc = xlsx_writer_new_mem(&w, e);
    if (rc == 0) {
        rc = xlsx_writer_add_sheet(w, "行业目录", &s, e);
    }
    if (rc == 0) {
        rc = xlsx_write_header(s, 0, titles, N_OF(cat_cols), e);
    }
    if (rc == 0) {
        rc = xlsx_writer_add_sheet(w, "说明", &s, e);
    }
    if (rc == 0) {
        static const char *const nt[] = {"列名", "说明"};
        rc = xlsx_write_header(s, 0, nt, 2, e);
    }
    for (size_t i = 0; rc == 0 && i < N_OF(cat_cols); i++) {
        char note[512];
        snprintf(note, sizeof note, "%s%s",
                 cat_cols[i].required ? "必填。" : "",
                 cat_cols[i].note ? cat_cols[i].note : "");
        rc = xlsx_write_str(s, (uint32_t)i + 1, 0, cat_cols[i].title, e);
        if (rc == 0) {
            rc = xlsx_write_str(s, (uint32_t)i + 1, 1, note, e);
        }
    }
    if (rc == 0) {
        return xlsx_writer_close_mem(w, out, e);
    }
    xlsx_writer_free(w);
    return rc;
}

/* ---- import ---- */

typedef struct CatRun {
    Db *db;
    const Actor *a;
    int map[IMPORT_FILE_ROW_CELLS];
    int seen_header;
    long rows, inserted, updated, unchanged;
    json_t *errors, *ignored;
    char now[CLOCK_ISO_LEN];
    char v[N_OF(cat_cols)][4 * CAT_TEXT_MAX + 1]; /* the row's cells */
} CatRun;

static void cat_error(CatRun *r, long row, int col, const char *msg)
{
    if (json_array_size(r->errors) < CATALOGUE_MAX_ERRORS) {
        json_array_append_new(
            r->errors,
            json_pack("{sIssssss}", "row", (json_int_t)row, "column",
                      col >= 0 ? cat_cols[col].title : "", "field",
                      col >= 0 ? cat_cols[col].key : "", "message", msg));
    }
}

static int cat_title_is(const char *cell, const char *title)
{
    char buf[256];
    size_t n;

    if (valid_text(cell ? cell : "", 0, 60, buf, sizeof buf, "title", "表头",
                   NULL) != 0) {
        return 0;
    }
    n = strlen(buf);
    if (n > 0 && buf[n - 1] == '*') {
        buf[n - 1] = '\0';
    }
    return strcmp(buf, title) == 0;
}

static int cat_header(CatRun *r, long row, const char *const *cells, size_t n)
{
    r->seen_header = 1;
    for (size_t i = 0; i < IMPORT_FILE_ROW_CELLS; i++) {
        r->map[i] = -1;
    }
    for (size_t i = 0; i < n && i < IMPORT_FILE_ROW_CELLS; i++) {
        size_t c;
        for (c = 0; c < N_OF(cat_cols); c++) {
            if (cat_title_is(cells[i], cat_cols[c].title)) {
                r->map[i] = (int)c;
                break;
            }
        }
        if (c == N_OF(cat_cols) && cells[i] && *cells[i]) {
            json_array_append_new(r->ignored, json_string(cells[i]));
        }
    }
    for (size_t c = 0; c < N_OF(cat_cols); c++) {
        int found = 0;
        for (size_t i = 0; i < n && i < IMPORT_FILE_ROW_CELLS; i++) {
            found |= r->map[i] == (int)c;
        }
        if (cat_cols[c].required && !found) {
            cat_error(r, row, (int)c, "缺少这一列");
        }
    }
    return 0;
}

/* Write (or compare) one valid row. */
static int cat_write(CatRun *r, char v[][4 * CAT_TEXT_MAX + 1], int unverified,
                     Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(r->db, &st, e,
                      "SELECT id, source, doc_no, unverified, note FROM "
                      "industry_catalogue WHERE code = $1 AND class = $2 AND "
                      "item = $3",
                      "ttt", v[CC_CODE], v[CC_CLASS], v[CC_ITEM]);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        const char *doc = db_col_text(st, 2);
        const char *note = db_col_text(st, 4);
        int same = strcmp(db_col_text(st, 1), v[CC_SOURCE]) == 0 &&
                   strcmp(doc ? doc : "", v[CC_DOC]) == 0 &&
                   db_col_int64(st, 3) == unverified &&
                   strcmp(note ? note : "", v[CC_NOTE]) == 0;
        db_finalize(st);
        if (same) {
            r->unchanged++;
            return 0;
        }
        r->updated++;
        return db_exec_v(r->db, e,
                         "UPDATE industry_catalogue SET source = $1, doc_no = "
                         "$2, unverified = $3, note = $4, src_user_id = $5, "
                         "updated_at = $6 WHERE id = $7",
                         "ttitpti", v[CC_SOURCE],
                         v[CC_DOC][0] ? v[CC_DOC] : NULL, (int64_t)unverified,
                         v[CC_NOTE][0] ? v[CC_NOTE] : NULL,
                         r->a->user_id > 0 ? &r->a->user_id : NULL, r->now, id);
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        return rc;
    }
    r->inserted++;
    return db_exec_v(r->db, e,
                     "INSERT INTO industry_catalogue (code, class, item, "
                     "source, doc_no, unverified, note, src_user_id, "
                     "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, "
                     "$7, $8, $9, $9)",
                     "tttttitpt", v[CC_CODE], v[CC_CLASS], v[CC_ITEM],
                     v[CC_SOURCE], v[CC_DOC][0] ? v[CC_DOC] : NULL,
                     (int64_t)unverified, v[CC_NOTE][0] ? v[CC_NOTE] : NULL,
                     r->a->user_id > 0 ? &r->a->user_id : NULL, r->now);
}

static int cat_row(void *ud, long row, const char *const *cells, size_t n,
                   Err *e)
{
    CatRun *r = ud;
    char(*v)[4 * CAT_TEXT_MAX + 1] = r->v;
    const char *raw[N_OF(cat_cols)] = {0};
    int bad = 0, unverified = 1, empty = 1;

    if (!r->seen_header) {
        return cat_header(r, row, cells, n);
    }
    for (size_t i = 0; i < n; i++) {
        empty &= !cells[i] || !*cells[i];
    }
    if (empty) {
        return 0;
    }
    if (++r->rows > CATALOGUE_MAX_ROWS) {
        return err_set(e, ERR_TOOBIG, "file", "文件行数过多（最多 %d 行）",
                       CATALOGUE_MAX_ROWS);
    }
    for (size_t i = 0; i < n && i < IMPORT_FILE_ROW_CELLS; i++) {
        if (r->map[i] >= 0) {
            raw[r->map[i]] = cells[i];
        }
    }
    for (size_t c = 0; c < N_OF(cat_cols); c++) {
        Err ve;
        v[c][0] = '\0';
        if (valid_text(raw[c] ? raw[c] : "", 0, CAT_TEXT_MAX, v[c], sizeof v[c],
                       cat_cols[c].key, cat_cols[c].title, &ve) != 0) {
            cat_error(r, row, (int)c, ve.msg);
            bad = 1;
        } else if (cat_cols[c].required && !v[c][0]) {
            cat_error(r, row, (int)c, "必填项为空");
            bad = 1;
        }
    }
    if (v[CC_CODE][0]) {
        char code[INDUSTRY_CODE_MAX];
        Err ve;
        if (industry_normalize(v[CC_CODE], code, "code", &ve) != 0) {
            cat_error(r, row, CC_CODE, ve.msg);
            bad = 1;
        } else {
            snprintf(v[CC_CODE], sizeof v[CC_CODE], "%s", code);
        }
    }
    if (v[CC_CLASS][0]) {
        const char *cls = cat_class_code(v[CC_CLASS]);
        if (!cls) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "“%.60s”不是可选的值，应为：限制类、"
                     "淘汰类、禁止类",
                     v[CC_CLASS]);
            cat_error(r, row, CC_CLASS, msg);
            bad = 1;
        } else {
            snprintf(v[CC_CLASS], sizeof v[CC_CLASS], "%s", cls);
        }
    }
    if (strcmp(v[CC_UNVERIFIED], "否") == 0) {
        unverified = 0;
    } else if (v[CC_UNVERIFIED][0] && strcmp(v[CC_UNVERIFIED], "是") != 0) {
        cat_error(r, row, CC_UNVERIFIED, "应填“是”或“否”");
        bad = 1;
    }
    if (bad || json_array_size(r->errors) > 0) {
        return 0; /* nothing is written once a row failed */
    }
    return cat_write(r, v, unverified, e);
}

int catalogue_import_file(Db *db, const Actor *a, const char *path, int dry_run,
                          json_t **report, Err *e)
{
    long *rows = NULL;
    CatRun *rp;
    int rc;

    *report = NULL;
    if (a->role != ROLE_ADMIN && a->role != ROLE_STAFF) {
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "只有科技局业务人员可以导入行业目录");
    }
    rp = xcalloc(1, sizeof *rp); /* with the row buffers: 14 KB */
    rp->db = db;
    rp->a = a;
    rp->errors = json_array();
    rp->ignored = json_array();
    clock_now_iso(rp->now, 0);
    rows = xmalloc(sizeof *rows * (CATALOGUE_MAX_ROWS + 2));
    for (long i = 0; i < CATALOGUE_MAX_ROWS + 2; i++) {
        rows[i] = i + 2;
    }
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = import_file_rows(path, 1, rows, CATALOGUE_MAX_ROWS + 2, cat_row,
                              rp, e);
        if (rc == 0 && !rp->seen_header) {
            rc = err_set(e, ERR_INVALID, "file", "文件是空的");
        }
        if (rc == 0 && !dry_run && json_array_size(rp->errors) == 0) {
            json_t *after = json_pack(
                "{sIsIsIsI}", "rows", (json_int_t)rp->rows, "inserted",
                (json_int_t)rp->inserted, "updated", (json_int_t)rp->updated,
                "unchanged", (json_int_t)rp->unchanged);
            rc = audit_record(db, a, "catalogue.import", "industry_catalogue",
                              0, a->unit_path, NULL, after, e);
            json_decref(after);
            if (rc == 0) {
                rc = db_commit(db, e);
            }
        }
        if (rc || dry_run || json_array_size(rp->errors) > 0) {
            db_rollback(db);
        }
    }
    if (rc == 0) {
        int ok = json_array_size(rp->errors) == 0;
        *report = json_pack("{sIsIsIsIsbsOsO}", "rows", (json_int_t)rp->rows,
                            "inserted", (json_int_t)(ok ? rp->inserted : 0),
                            "updated", (json_int_t)(ok ? rp->updated : 0),
                            "unchanged", (json_int_t)(ok ? rp->unchanged : 0),
                            "dry_run", dry_run, "errors", rp->errors,
                            "ignored_columns", rp->ignored);
    }
    json_decref(rp->errors);
    json_decref(rp->ignored);
    free(rows);
    free(rp);
    return rc;
}

/* ---- derivation ---- */

#define CAT_MATCH                                                              \
    " FROM enterprises e JOIN industry_catalogue c ON e.industry_code IS NOT " \
    "NULL AND substr(e.industry_code, 1, length(c.code)) = c.code"

int catalogue_match(Db *db, int64_t enterprise_id, int *has, char **text,
                    Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *has = 0;
    *text = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT c.class, c.item, c.source, c.doc_no, "
                      "c.unverified, c.code" CAT_MATCH " WHERE e.id = $1 "
                      "ORDER BY length(c.code) DESC, c.id LIMIT 1",
                      "i", enterprise_id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        Buf b;
        const char *cls = catalogue_class_name(db_col_text(st, 0));
        const char *doc = db_col_text(st, 3);
        buf_init(&b, 4096);
        buf_appendf(&b, "%s（行业代码 %s）“%s”，%s%s%s%s", cls ? cls : "",
                    db_col_text(st, 5), db_col_text(st, 1), db_col_text(st, 2),
                    doc ? "（" : "", doc ? doc : "", doc ? "）" : "");
        if (db_col_int64(st, 4)) {
            buf_append_str(&b, "；条目与行业代码的对应未核实");
        }
        *text = xstrdup(b.data ? b.data : "");
        buf_release(&b);
        *has = 1;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

int catalogue_scan(Db *db, const char *ids,
                   void (*fn)(void *ud, int64_t enterprise_id), void *ud,
                   Err *e)
{
    char in[160], sql[512];
    DbStmt *st = NULL;
    int rc;

    if (ids) {
        db_id_in_list(db, 1, in, sizeof in);
        snprintf(sql, sizeof sql,
                 "SELECT DISTINCT e.id" CAT_MATCH " WHERE e.id %s", in);
        rc = db_prepare_v(db, &st, e, sql, "t", ids);
    } else {
        rc = db_prepare_v(db, &st, e, "SELECT DISTINCT e.id" CAT_MATCH, "");
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        fn(ud, db_col_int64(st, 0));
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* ---- filtered list, export, delete ---- */

int catalogue_filter_check(CatalogueFilter *f, char klass[16], char code[8],
                           Err *e)
{
    const char *s = f->code;

    if (f->klass && *f->klass) {
        const char *k = cat_class_code(f->klass);
        if (!k) {
            return err_set(e, ERR_INVALID, "class",
                           "类别应为 限制类、淘汰类 或 禁止类");
        }
        snprintf(klass, 16, "%s", k);
        f->klass = klass;
    } else {
        f->klass = NULL;
    }
    if (s && *s) {
        if (((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) &&
            s[1] == '\0') {
            code[0] = (char)(s[0] & ~0x20);
            code[1] = '\0';
            if (!industry_section_name(code[0])) {
                return err_set(e, ERR_INVALID, "code", "行业门类应为 A～T");
            }
        } else {
            char n[INDUSTRY_CODE_MAX];
            int rc = industry_normalize(s, n, "code", e);
            if (rc) {
                return rc;
            }
            snprintf(code, 8, "%s", n);
        }
        f->code = code;
    } else {
        f->code = NULL;
    }
    return 0;
}

/* " AND ..." for the filter f (checked) on industry_catalogue c. */
static void cat_where(Sqlq *q, const CatalogueFilter *f)
{
    int n;

    if (f && f->klass) {
        sqlq_addf(q, " AND c.class = $%d", sqlq_text(q, f->klass));
    }
    if (f && f->code) {
        n = sqlq_text(q, f->code);
        sqlq_addf(q, " AND substr(c.code, 1, length($%d)) = $%d", n, n);
    }
}

int catalogue_list_page(Db *db, const Actor *a, const CatalogueFilter *f,
                        int64_t offset, int64_t limit, json_t **items,
                        int64_t *total, Err *e)
{
    DbStmt *st = NULL;
    Sqlq q;
    int n, rc;

    *items = NULL;
    *total = 0;
    sqlq_init(&q, "SELECT COUNT(*) FROM industry_catalogue c WHERE 1=1");
    cat_where(&q, f);
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        *total = db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        return rc == DB_DONE ? err_set(e, ERR_DB, NULL, "无法统计行业目录")
                             : rc;
    }
    /* the enterprises in scope grouped by code (a few hundred codes at
     * most), joined to the entries they start with */
    sqlq_init(&q, "SELECT c.id, c.code, c.class, c.item, c.source, c.doc_no, "
                  "c.unverified, c.note, c.updated_at, COALESCE(SUM(m.n), 0) "
                  "FROM industry_catalogue c LEFT JOIN (SELECT "
                  "e.industry_code AS ic, COUNT(*) AS n FROM enterprises e "
                  "JOIN org_units o ON o.id = e.unit_id WHERE e.retired_at "
                  "IS NULL AND e.industry_code IS NOT NULL");
    n = sqlq_text(&q, a->unit_path);
    sqlq_addf(&q,
              " AND substr(o.path, 1, length($%d)) = $%d GROUP BY "
              "e.industry_code) m ON substr(m.ic, 1, length(c.code)) = "
              "c.code WHERE 1=1",
              n, n);
    cat_where(&q, f);
    sqlq_addf(&q, " GROUP BY c.id, c.code, c.class, c.item, c.source, "
                  "c.doc_no, c.unverified, c.note, c.updated_at ORDER BY "
                  "c.code, c.class, c.item, c.id");
    sqlq_addf(&q, " LIMIT $%d OFFSET $%d", sqlq_int(&q, limit),
              sqlq_int(&q, offset));
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    *items = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *cls = db_col_text(st, 2);
        const char *name = catalogue_class_name(cls);
        json_array_append_new(
            *items,
            json_pack("{sIsosssssosososbsososI}", "id",
                      (json_int_t)db_col_int64(st, 0), "code", cat_text(st, 1),
                      "class", cls ? cls : "", "class_name", name ? name : "",
                      "item", cat_text(st, 3), "source", cat_text(st, 4),
                      "doc_no", cat_text(st, 5), "unverified",
                      (int)db_col_int64(st, 6), "note", cat_text(st, 7),
                      "updated_at", cat_text(st, 8), "enterprises",
                      (json_int_t)db_col_int64(st, 9)));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}

int catalogue_export(Db *db, const CatalogueFilter *f, int format, Buf *out,
                     Err *e)
{
    const char *titles[N_OF(cat_cols)];
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    DbStmt *st = NULL;
    uint32_t row = 0;
    Sqlq q;
    int rc = 0;

    if (format == 1) {
        cat_header_csv(out);
    } else {
        for (size_t i = 0; i < N_OF(cat_cols); i++) {
            titles[i] = cat_cols[i].title;
        }
        rc = xlsx_writer_new_mem(&w, e);
        if (rc == 0) {
            rc = xlsx_writer_add_sheet(w, "行业目录", &s, e);
        }
        if (rc == 0) {
            rc = xlsx_write_header(s, 0, titles, N_OF(cat_cols), e);
        }
    }
    sqlq_init(&q, "SELECT id, code, class, item, source, doc_no, unverified, "
                  "note FROM industry_catalogue c WHERE 1=1");
    cat_where(&q, f);
    sqlq_addf(&q, " ORDER BY c.code, c.class, c.item");
    if (rc == 0) {
        rc = sqlq_prepare(&q, db, &st, e);
    }
    sqlq_release(&q);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *cells[N_OF(cat_cols)];
        const char *cls = catalogue_class_name(db_col_text(st, 2));
        cells[CC_CODE] = db_col_text(st, 1);
        cells[CC_CLASS] = cls ? cls : db_col_text(st, 2);
        cells[CC_ITEM] = db_col_text(st, 3);
        cells[CC_SOURCE] = db_col_text(st, 4);
        cells[CC_DOC] = db_col_text(st, 5);
        cells[CC_UNVERIFIED] = db_col_int64(st, 6) ? "是" : "否";
        cells[CC_NOTE] = db_col_text(st, 7);
        row++;
        rc = 0;
        for (size_t i = 0; rc == 0 && i < N_OF(cat_cols); i++) {
            const char *c = cells[i] ? cells[i] : "";
            if (format == 1) {
                if (i) {
                    buf_append_char(out, ',');
                }
                buf_append_csv_field(out, c, strlen(c));
            } else if (*c) {
                rc = xlsx_write_str(s, row, (uint16_t)i, c, e);
            }
        }
        if (format == 1) {
            buf_append_str(out, "\r\n");
        }
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    if (format != 1) {
        if (rc == 0) {
            return xlsx_writer_close_mem(w, out, e);
        }
        xlsx_writer_free(w);
        return rc;
    }
    if (rc == 0 && out->err) {
        rc = err_set(e, ERR_TOOBIG, NULL, "导出内容过大");
    }
    return rc;
}

int catalogue_delete(Db *db, const Actor *a, int64_t id, const char *reason,
                     int64_t *matched, Err *e)
{
    char rsn[4 * 200 + 1];
    json_t *before = NULL, *after = NULL;
    DbStmt *st = NULL;
    int64_t n = 0;
    int rc;

    if (matched) {
        *matched = 0;
    }
    if (a->role != ROLE_ADMIN && a->role != ROLE_STAFF) {
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "只有科技局业务人员可以删除行业目录条目");
    }
    rc = valid_text(reason ? reason : "", 1, 200, rsn, sizeof rsn, "reason",
                    "删除原因", e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT id, code, class, item, source, doc_no, "
                      "unverified, note FROM industry_catalogue WHERE id = $1",
                      "i", id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *cls = db_col_text(st, 2);
        const char *name = catalogue_class_name(cls);
        before = json_pack(
            "{sIsosssssosososbso}", "id", (json_int_t)db_col_int64(st, 0),
            "code", cat_text(st, 1), "class", cls ? cls : "", "class_name",
            name ? name : "", "item", cat_text(st, 3), "source",
            cat_text(st, 4), "doc_no", cat_text(st, 5), "unverified",
            (int)db_col_int64(st, 6), "note", cat_text(st, 7));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "行业目录条目不存在");
    }
    db_finalize(st);
    if (rc == 0) {
        rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM enterprises e JOIN "
                            "industry_catalogue c ON c.id = $1 AND "
                            "e.industry_code IS NOT NULL AND e.retired_at IS "
                            "NULL AND substr(e.industry_code, 1, "
                            "length(c.code)) = c.code",
                            "i", id);
    }
    if (rc == 0) {
        json_object_set_new(before, "enterprises", json_integer(n));
        rc = db_exec_v(db, e, "DELETE FROM industry_catalogue WHERE id = $1",
                       "i", id);
    }
    if (rc == 0) {
        after = json_pack("{sIsbss}", "id", (json_int_t)id, "deleted", 1,
                          "reason", rsn);
        rc = audit_record(db, a, "catalogue.delete", "industry_catalogue", id,
                          a->unit_path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    } else if (matched) {
        *matched = n;
    }
    json_decref(before);
    json_decref(after);
    return rc;
}
