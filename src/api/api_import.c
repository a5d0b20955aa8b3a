/* api_import.c - imports (templates, upload and validation, apply, error
 * reports), import conflicts, and the district-wide lists of yearly
 * figures, IP rights and facts with the import templates' columns.
 * Contract: docs/ui.md "Import contract", docs/api.md. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_export.h"
#include "base/arena.h"
#include "base/buf.h"
#include "domain/accounts/labels.h"
#include "domain/io/columns.h"
#include "domain/io/import.h"
#include "domain/io/lib_export.h"
#include "domain/library/ent.h"

#define API_IMPORT_NAME_MAX 200 /* bytes of a decoded file name */

static const char *const api_xlsx_type =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

static int api_import_kind(const Ctx *c, const ColumnKind **k, Err *e)
{
    *k = columns_kind_find(ctx_param(c, "kind"));
    if (!*k) {
        return err_set(e, ERR_NOTFOUND, "kind",
                       "导入类型应为 enterprises、figures、ip 或 facts");
    }
    return 0;
}

static int api_hex(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

/* The X-File-Name header, percent-decoded, or "" (arena copy). Control
 * characters and path separators are replaced. */
const char *api_import_file_name(Ctx *c)
{
    const char *h = http_req_header(c->req, "X-File-Name");
    char *out;
    size_t n = 0;

    if (!h) {
        return "";
    }
    out = arena_alloc(c->arena, API_IMPORT_NAME_MAX + 1);
    while (*h && n < API_IMPORT_NAME_MAX) {
        int ch = (unsigned char)*h;
        if (ch == '%' && api_hex(h[1]) >= 0 && api_hex(h[2]) >= 0) {
            ch = api_hex(h[1]) * 16 + api_hex(h[2]);
            h += 3;
        } else {
            h++;
        }
        out[n++] =
            (char)(ch < 0x20 || ch == 0x7F || ch == '/' || ch == '\\' ? '_'
                                                                      : ch);
    }
    out[n] = '\0';
    return out;
}

int api_import_template(Ctx *c, Err *e)
{
    const char *f = ctx_query(c, "format");
    const ColumnKind *k;
    Buf out;
    int rc;

    rc = api_import_kind(c, &k, e);
    if (rc) {
        return rc;
    }
    buf_init(&out, (size_t)4 * 1024 * 1024);
    if (f && strcmp(f, "csv") == 0) {
        rc = columns_template_csv(k, &out, e);
        if (rc == 0) {
            rc = ctx_reply_bytes(
                c, 200, "text/csv; charset=utf-8", out.data, out.len,
                arena_sprintf(c->arena, "%s导入模板.csv", k->name));
        }
    } else if (!f || !*f || strcmp(f, "xlsx") == 0) {
        rc = columns_template_xlsx_mem(k, &out, e);
        if (rc == 0) {
            rc = ctx_reply_bytes(
                c, 200, api_xlsx_type, out.data, out.len,
                arena_sprintf(c->arena, "%s导入模板.xlsx", k->name));
        }
    } else {
        rc = err_set(e, ERR_INVALID, "format", "模板格式应为 xlsx 或 csv");
    }
    buf_release(&out);
    return rc;
}

/* ?mode=all|valid (default all). */
static int api_import_mode(const char *m, int *mode, Err *e)
{
    if (!m || !*m || strcmp(m, "all") == 0) {
        *mode = IMPORT_MODE_ALL;
        return 0;
    }
    if (strcmp(m, "valid") == 0) {
        *mode = IMPORT_MODE_VALID;
        return 0;
    }
    return err_set(e, ERR_INVALID, "mode",
                   "导入方式应为 all（全部导入）或 valid（只导入有效的行）");
}

static int api_import_reply(Ctx *c, int status, int64_t id, Err *e)
{
    json_t *v = NULL;
    int rc = import_get(c->db, &c->actor, id, &v, e);

    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, status, v);
}

int api_import_create(Ctx *c, Err *e)
{
    const char *dry = ctx_query(c, "dry_run");
    const char *cbu = ctx_query(c, "confirm_blank_unit");
    const ColumnKind *k;
    int64_t id = 0;
    int mode = IMPORT_MODE_ALL;
    int confirm = 0;
    int dry_run;
    int rc;

    rc = api_import_kind(c, &k, e);
    if (rc == 0) {
        rc = api_import_mode(ctx_query(c, "mode"), &mode, e);
    }
    if (rc) {
        return rc;
    }
    if (!dry || strcmp(dry, "true") == 0 || strcmp(dry, "1") == 0) {
        dry_run = 1;
    } else if (strcmp(dry, "false") == 0 || strcmp(dry, "0") == 0) {
        dry_run = 0;
    } else {
        return err_set(e, ERR_INVALID, "dry_run", "dry_run 应为 true 或 false");
    }
    if (cbu && (strcmp(cbu, "true") == 0 || strcmp(cbu, "1") == 0)) {
        confirm = 1;
    } else if (cbu && strcmp(cbu, "false") != 0 && strcmp(cbu, "0") != 0) {
        return err_set(e, ERR_INVALID, "confirm_blank_unit",
                       "confirm_blank_unit 应为 true 或 false");
    }
    if ((!c->req->body && !c->req->body_path) || c->req->body_len == 0) {
        return err_set(e, ERR_INVALID, "file", "上传的文件为空");
    }
    if (c->req->body_path) { /* the server spooled it to a file */
        rc = import_submit_spool(c->db, c->app->db_location, &c->actor, k,
                                 api_import_file_name(c), c->req->body_path,
                                 c->req->body_len, dry_run, mode, confirm, &id,
                                 e);
    } else {
        rc = import_submit(c->db, c->app->db_location, &c->actor, k,
                           api_import_file_name(c), c->req->body,
                           c->req->body_len, dry_run, mode, confirm, &id, e);
    }
    if (rc) {
        return rc;
    }
    return api_import_reply(c, 202, id, e);
}

int api_import_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t total = 0;
    Page p;
    int rc;

    rc = ctx_page(c, &p, e);
    if (rc == 0) {
        rc = import_list(c->db, &c->actor, p.offset, p.size, &items, &total, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_page(c, items, total, &p);
}

int api_import_get(Ctx *c, Err *e)
{
    int64_t id;
    int rc = ctx_param_id(c, "id", &id, e);

    if (rc) {
        return rc;
    }
    return api_import_reply(c, 200, id, e);
}

int api_import_apply(Ctx *c, Err *e)
{
    static const char *const allowed[] = {"mode", "confirm_blank_unit", NULL};
    const char *m = NULL;
    int64_t id;
    int mode = IMPORT_MODE_ALL;
    int confirm = 0;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, allowed, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "mode", 1, 10, &m, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "confirm_blank_unit", 0, &confirm, NULL, e);
    }
    if (rc == 0) {
        rc = api_import_mode(m, &mode, e);
    }
    if (rc == 0) {
        rc = import_apply(c->db, c->app->db_location, &c->actor, id, mode,
                          confirm, e);
    }
    if (rc) {
        return rc;
    }
    return api_import_reply(c, 202, id, e);
}

typedef struct ApiErrWalk {
    ApiExport *x;
    json_t *items;
} ApiErrWalk;

static int api_import_err_row(void *ud, int64_t row, const char *column,
                              const char *field, const char *message)
{
    ApiErrWalk *w = ud;
    char rowtxt[24];
    const char *cells[3];
    Err e;

    if (w->items) {
        json_array_append_new(
            w->items, json_pack("{sIssssss}", "row", (json_int_t)row, "column",
                                column ? column : "", "field",
                                field ? field : "", "message", message));
        return 0;
    }
    snprintf(rowtxt, sizeof rowtxt, "%lld", (long long)row);
    cells[0] = rowtxt;
    cells[1] = column;
    cells[2] = message;
    return api_export_row(w->x, cells, &e);
}

int api_import_errors(Ctx *c, Err *e)
{
    static const char *const titles[] = {"行号", "列", "问题"};
    static const unsigned char numeric[] = {1, 0, 0};
    ApiErrWalk w;
    ApiExport x;
    int64_t id;
    int format = 0;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    memset(&w, 0, sizeof w);
    if (!format) {
        w.items = json_array();
        rc =
            import_errors_walk(c->db, &c->actor, id, api_import_err_row, &w, e);
        if (rc) {
            json_decref(w.items);
            return rc;
        }
        return ctx_reply_list(c, w.items);
    }
    rc = api_export_begin(&x, format, titles, numeric, 3, "错误报告", e);
    if (rc) {
        return rc;
    }
    w.x = &x;
    rc = import_errors_walk(c->db, &c->actor, id, api_import_err_row, &w, e);
    if (rc) {
        api_export_release(&x);
        return rc;
    }
    return api_export_reply(
        c, &x, arena_sprintf(c->arena, "导入错误报告-%lld", (long long)id), e);
}

typedef struct ApiErrRows {
    ApiExport x;
    int format;
    int begun;
    size_t n_cols; /* the header's cells, without trailing blanks */
} ApiErrRows;

static int api_import_err_file_row(void *ud, long row, const char *const *cells,
                                   size_t n, const char *msg, Err *e)
{
    ApiErrRows *w = ud;
    const char *out[API_EXPORT_MAX_COLS];
    size_t i;

    (void)row;
    if (!w->begun) {
        /* the header row: the file's titles and 错误说明 */
        while (n > 0 && (!cells[n - 1] || !*cells[n - 1])) {
            n--;
        }
        if (n > API_EXPORT_MAX_COLS - 1) {
            n = API_EXPORT_MAX_COLS - 1;
        }
        for (i = 0; i < n; i++) {
            out[i] = cells[i];
        }
        out[n] = "错误说明";
        w->n_cols = n;
        if (api_export_begin(&w->x, w->format, out, NULL, n + 1, "错误报告",
                             e) != 0) {
            return e->code;
        }
        w->begun = 1;
        return 0;
    }
    for (i = 0; i < w->n_cols; i++) {
        out[i] = i < n ? cells[i] : NULL;
    }
    out[w->n_cols] = msg ? msg : "";
    return api_export_row(&w->x, out, e);
}

int api_import_error_rows(Ctx *c, Err *e)
{
    ApiErrRows w;
    int64_t id;
    int rc;

    memset(&w, 0, sizeof w);
    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = api_export_format(c, &w.format, e);
    }
    if (rc) {
        return rc;
    }
    if (!w.format) {
        w.format = API_EXPORT_CSV;
    }
    rc = import_error_rows_walk(c->db, c->app->db_location, &c->actor, id,
                                api_import_err_file_row, &w, e);
    if (rc == 0 && !w.begun) {
        rc = err_set(e, ERR_CONFLICT, "status", "文件中没有找到表头");
    }
    if (rc) {
        if (w.begun) {
            api_export_release(&w.x);
        }
        return rc;
    }
    return api_export_reply(
        c, &w.x, arena_sprintf(c->arena, "导入错误行-%lld", (long long)id), e);
}

/* ---- conflicts ---- */

static int api_conflict_filter(Ctx *c, ConflictFilter *f, Err *e)
{
    int rc;

    memset(f, 0, sizeof *f);
    f->status = ctx_query(c, "status");
    f->kind = ctx_query(c, "kind");
    rc = ctx_query_int(c, "job_id", 0, 0, INT64_MAX, &f->job_id, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "enterprise_id", 0, 0, INT64_MAX,
                           &f->enterprise_id, e);
    }
    return rc;
}

static int api_conflicts_export(Ctx *c, int format, json_t *items, Err *e)
{
    static const char *const titles[] = {
        "编号",   "导入任务", "导入类型", "统一社会信用代码", "企业名称",
        "年度",   "列",       "原值",     "原值来源",         "是否已核实",
        "导入值", "状态",     "处理结果"};
    static const unsigned char numeric[] = {1, 1, 0, 0, 0, 1, 0,
                                            0, 0, 0, 0, 0, 0};
    ApiExport x;
    json_t *it;
    size_t i;
    int rc;

    rc = api_export_begin(&x, format, titles, numeric, 13, "导入冲突", e);
    json_array_foreach(items, i, it)
    {
        char id[24], job[24], year[24];
        json_t *ex = json_object_get(it, "existing");
        json_t *in = json_object_get(it, "incoming");
        const char *res = json_string_value(json_object_get(it, "resolution"));
        const char *cells[13];
        if (rc) {
            break;
        }
        snprintf(id, sizeof id, "%lld",
                 (long long)json_integer_value(json_object_get(it, "id")));
        snprintf(job, sizeof job, "%lld",
                 (long long)json_integer_value(json_object_get(it, "job_id")));
        snprintf(year, sizeof year, "%lld",
                 (long long)json_integer_value(json_object_get(it, "year")));
        cells[0] = id;
        cells[1] = json_is_integer(json_object_get(it, "job_id")) ? job : "";
        cells[2] =
            columns_kind_find(json_string_value(json_object_get(it, "kind")))
                ? columns_kind_find(
                      json_string_value(json_object_get(it, "kind")))
                      ->name
                : "";
        cells[3] = json_string_value(json_object_get(it, "uscc"));
        cells[4] = json_string_value(json_object_get(it, "enterprise_name"));
        cells[5] = json_is_integer(json_object_get(it, "year")) ? year : "";
        cells[6] = json_string_value(json_object_get(it, "column"));
        cells[7] = json_string_value(json_object_get(ex, "value"));
        cells[8] =
            labels_source(json_string_value(json_object_get(ex, "src_kind")));
        cells[9] = json_is_true(json_object_get(ex, "verified")) ? "是" : "否";
        cells[10] = json_string_value(json_object_get(in, "value"));
        cells[11] = strcmp(json_string_value(json_object_get(it, "status")),
                           "open") == 0
                        ? "待处理"
                        : "已处理";
        cells[12] = !res                       ? ""
                    : strcmp(res, "keep") == 0 ? "保留原值"
                                               : "采用导入值";
        rc = api_export_row(&x, cells, e);
    }
    json_decref(items);
    if (rc) {
        api_export_release(&x);
        return rc;
    }
    return api_export_reply(c, &x, "导入冲突", e);
}

int api_conflicts_list(Ctx *c, Err *e)
{
    ConflictFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0;
    Page p;
    int rc;

    rc = api_conflict_filter(c, &f, e);
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc =
            import_conflict_list(c->db, &c->actor, &f, 0, 0, &items, &total, e);
        if (rc) {
            return rc;
        }
        return api_conflicts_export(c, format, items, e);
    }
    rc = import_conflict_list(c->db, &c->actor, &f, p.offset, p.size, &items,
                              &total, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_page(c, items, total, &p);
}

int api_conflicts_resolve(Ctx *c, Err *e)
{
    static const char *const allowed[] = {"resolution", NULL};
    const char *res = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "conflict_id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, allowed, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "resolution", 1, 10, &res, NULL, e);
    }
    if (rc == 0) {
        rc = import_conflict_resolve(c->db, &c->actor, id, res, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}

/* ---- district-wide lists with the templates' columns ---- */

typedef struct ApiXp {
    ApiExport *x;
} ApiXp;

static int api_xport_row(void *ud, const LibExportRow *r)
{
    ApiXp *w = ud;
    Err e;

    return api_export_row(w->x, r->cells, &e);
}

static int api_kind_list(Ctx *c, int kind, const char *file_name, Err *e)
{
    const ColumnKind *k = columns_kind(kind);
    const char *titles[COLUMNS_MAX];
    unsigned char numeric[COLUMNS_MAX];
    json_t *items = NULL;
    int64_t total = 0, unit_id = 0;
    int format = 0;
    ApiExport x;
    ApiXp w;
    Page p;
    size_t i;
    int rc;

    rc = ctx_page(c, &p, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &unit_id, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    if (!format) {
        rc = lib_export_page(c->db, &c->actor, k, unit_id, p.offset, p.size,
                             &items, &total, e);
        if (rc) {
            return rc;
        }
        return ctx_reply_page(c, items, total, &p);
    }
    for (i = 0; i < k->n_cols; i++) {
        titles[i] = k->cols[i].title;
        numeric[i] = api_export_xfer_kind(&k->cols[i]);
    }
    rc = api_export_begin(&x, format, titles, numeric, k->n_cols, k->name, e);
    if (rc) {
        return rc;
    }
    w.x = &x;
    rc = lib_export_walk(c->db, &c->actor, k, unit_id, ENT_EXPORT_MAX,
                         api_xport_row, &w, e);
    if (rc) {
        api_export_release(&x);
        return rc;
    }
    return api_export_reply(c, &x, file_name, e);
}

int api_years_all(Ctx *c, Err *e)
{
    return api_kind_list(c, XK_FIGURES, "企业年度数据", e);
}

int api_ip_all(Ctx *c, Err *e)
{
    return api_kind_list(c, XK_IP, "知识产权", e);
}

int api_facts_all(Ctx *c, Err *e)
{
    return api_kind_list(c, XK_FACTS, "企业事项", e);
}

int api_declarations_all(Ctx *c, Err *e)
{
    return api_kind_list(c, XK_DECLARATIONS, "申报事项", e);
}
