/* api_upload.c - an import request's file (see api_upload.h). */
#include "api/api_upload.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domain/io/import.h"

int api_upload_open(Ctx *c, const char *prefix, ApiUpload *u, Err *e)
{
    char dir[512];
    FILE *f = NULL;
    int fd, rc;

    u->path = NULL;
    u->tmp[0] = '\0';
    if ((!c->req->body && !c->req->body_path) || c->req->body_len == 0) {
        return err_set(e, ERR_INVALID, "file", "上传的文件为空");
    }
    if (c->req->body_path) {
        u->path = c->req->body_path;
        return 0;
    }
    rc = import_stage_dir(c->app->db_location, dir, sizeof dir, e);
    if (rc) {
        return rc;
    }
    snprintf(u->tmp, sizeof u->tmp, "%s/%s-XXXXXX", dir, prefix);
    fd = mkstemp(u->tmp);
    if (fd >= 0) {
        f = fdopen(fd, "wb");
        if (!f) {
            close(fd);
        }
    }
    rc = f && fwrite(c->req->body, 1, c->req->body_len, f) == c->req->body_len
             ? 0
             : ERR_IO;
    if (f && fclose(f) != 0) {
        rc = ERR_IO;
    }
    if (rc) {
        if (fd >= 0) {
            unlink(u->tmp);
        }
        u->tmp[0] = '\0';
        return err_set(e, ERR_IO, NULL, "无法暂存上传的文件");
    }
    u->path = u->tmp;
    return 0;
}

void api_upload_release(ApiUpload *u)
{
    if (u->tmp[0]) {
        unlink(u->tmp);
        u->tmp[0] = '\0';
    }
    u->path = NULL;
}

int api_upload_mode(Ctx *c, int *valid_only, Err *e)
{
    const char *mode = ctx_query(c, "mode");

    *valid_only = mode && strcmp(mode, "valid") == 0;
    if (mode && strcmp(mode, "all") != 0 && !*valid_only) {
        return err_set(e, ERR_INVALID, "mode", "mode 应为 all 或 valid");
    }
    return 0;
}

int api_upload_import(Ctx *c, const char *prefix, ApiImportFn fn, Err *e)
{
    const char *dry = ctx_query(c, "dry_run");
    json_t *report = NULL;
    int apply = dry && (strcmp(dry, "false") == 0 || strcmp(dry, "0") == 0);
    int valid_only = 0;
    ApiUpload u;
    int rc;

    rc = api_upload_mode(c, &valid_only, e);
    if (rc == 0) {
        rc = api_upload_open(c, prefix, &u, e);
    }
    if (rc) {
        return rc;
    }
    rc = fn(c->db, &c->actor, u.path, apply, valid_only, &report, e);
    api_upload_release(&u);
    if (rc) {
        json_decref(report);
        return rc;
    }
    return ctx_reply_json(c, 200, report);
}

int api_upload_template(Ctx *c, int (*fill)(Buf *out, Err *e),
                        const char *file_name, Err *e)
{
    Buf b;
    int rc;

    buf_init(&b, 1 << 16);
    rc = fill(&b, e);
    if (rc == 0) {
        rc = ctx_reply_bytes(c, 200, "text/csv; charset=utf-8", b.data, b.len,
                             file_name);
    }
    buf_release(&b);
    return rc;
}
