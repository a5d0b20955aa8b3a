/* api_catalogue.c - the industry catalogue (行业目录): list and CSV export,
 * import template, import, delete (domain/eligibility/catalogue.h). */
#include "api/api.h"
#include "api/api_export.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "domain/eligibility/catalogue.h"
#include "domain/io/import.h"

static const char *const api_cat_xlsx =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

int api_catalogue_list(Ctx *c, Err *e)
{
    CatalogueFilter f = {ctx_query(c, "class"), ctx_query(c, "code")};
    char klass[16], code[8];
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0;
    Page p;
    Buf b;
    int rc = api_export_format(c, &format, e);

    if (rc == 0) {
        rc = catalogue_filter_check(&f, klass, code, e);
    }
    if (rc == 0 && format) {
        buf_init(&b, 0);
        rc = catalogue_export(c->db, &f, format == API_EXPORT_CSV ? 1 : 2, &b,
                              e);
        if (rc == 0) {
            rc = format == API_EXPORT_CSV
                     ? ctx_reply_bytes(c, 200, "text/csv; charset=utf-8",
                                       b.data, b.len, "行业目录.csv")
                     : ctx_reply_bytes(c, 200, api_cat_xlsx, b.data, b.len,
                                       "行业目录.xlsx");
        }
        buf_release(&b);
        return rc;
    }
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0) {
        rc = catalogue_list_page(c->db, &c->actor, &f, p.offset, p.size, &items,
                                 &total, e);
    }
    return rc ? rc : ctx_reply_page(c, items, total, &p);
}

/* DELETE /industry-catalogue/{cid}?reason=...: {id, deleted, enterprises,
 * note}. */
int api_catalogue_delete(Ctx *c, Err *e)
{
    int64_t id = 0, n = 0;
    int rc = ctx_param_id(c, "cid", &id, e);

    if (rc == 0) {
        rc = catalogue_delete(c->db, &c->actor, id, ctx_query(c, "reason"), &n,
                              e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(
        c, 200,
        json_pack("{sIsbsIss}", "id", (json_int_t)id, "deleted", 1,
                  "enterprises", (json_int_t)n, "note",
                  "已保存的筛查结果不变；企业的下一次评价或全区筛查按删除后的"
                  "行业目录重新推导"));
}

int api_catalogue_template(Ctx *c, Err *e)
{
    const char *f = ctx_query(c, "format");
    int csv = f && strcmp(f, "csv") == 0;
    Buf out;
    int rc;

    if (f && *f && !csv && strcmp(f, "xlsx") != 0) {
        return err_set(e, ERR_INVALID, "format", "模板格式应为 csv 或 xlsx");
    }
    buf_init(&out, 0);
    rc = catalogue_template(csv ? 1 : 2, &out, e);
    if (rc == 0) {
        rc = ctx_reply_bytes(
            c, 200, csv ? "text/csv; charset=utf-8" : api_cat_xlsx, out.data,
            out.len, csv ? "行业目录导入模板.csv" : "行业目录导入模板.xlsx");
    }
    buf_release(&out);
    return rc;
}

int api_catalogue_import(Ctx *c, Err *e)
{
    const char *dry = ctx_query(c, "dry_run");
    char dir[APP_PATH_MAX], path[APP_PATH_MAX + 32];
    json_t *report = NULL;
    int dry_run = dry && (strcmp(dry, "true") == 0 || strcmp(dry, "1") == 0);
    int fd = -1, rc;

    if ((!c->req->body && !c->req->body_path) || c->req->body_len == 0) {
        return err_set(e, ERR_INVALID, "file", "上传的文件为空");
    }
    if (c->req->body_path) {
        rc = catalogue_import_file(c->db, &c->actor, c->req->body_path, dry_run,
                                   &report, e);
    } else {
        rc = import_stage_dir(c->app->db_location, dir, sizeof dir, e);
        if (rc == 0) {
            snprintf(path, sizeof path, "%s/catalogue-XXXXXX", dir);
            fd = mkstemp(path);
            if (fd < 0 || write(fd, c->req->body, c->req->body_len) !=
                              (ssize_t)c->req->body_len) {
                rc = err_set(e, ERR_IO, NULL, "无法暂存上传的文件");
            }
            if (fd >= 0) {
                close(fd);
            }
        }
        if (rc == 0) {
            rc = catalogue_import_file(c->db, &c->actor, path, dry_run, &report,
                                       e);
        }
        if (fd >= 0) {
            unlink(path);
        }
    }
    return rc ? rc : ctx_reply_json(c, 200, report);
}
