/* api_catalogue.c - the industry catalogue (行业目录): list and CSV export,
 * import template, import (domain/eligibility/catalogue.h). */
#include "api/api.h"

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
    const char *f = ctx_query(c, "format");
    json_t *out = NULL;
    Buf b;
    int rc;

    if (f && strcmp(f, "csv") == 0) {
        buf_init(&b, 0);
        rc = catalogue_export_csv(c->db, &b, e);
        if (rc == 0) {
            rc = ctx_reply_bytes(c, 200, "text/csv; charset=utf-8", b.data,
                                 b.len, "行业目录.csv");
        }
        buf_release(&b);
        return rc;
    }
    if (f && *f && strcmp(f, "json") != 0) {
        return err_set(e, ERR_INVALID, "format", "格式应为 json 或 csv");
    }
    rc = catalogue_list(c->db, &out, e);
    return rc ? rc : ctx_reply_json(c, 200, out);
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
