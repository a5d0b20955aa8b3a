/* api_market_share.c - 创新资源库 sharing records: list (per resource or
 * overall, by enterprise and year) with export, totals per year, record,
 * retire. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_export.h"
#include "api/api_upload.h"
#include "domain/market/share.h"

static int api_share_filter(Ctx *c, ShareFilter *f, Err *e)
{
    int rc;

    memset(f, 0, sizeof *f);
    rc = ctx_query_int(c, "resource_id", 0, 0, INT64_MAX, &f->resource_id, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "ent_id", 0, 0, INT64_MAX, &f->ent_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "year", 0, 0, 2999, &f->year, e);
    }
    return rc;
}

static int api_share_row(void *ud, const char *const *cells, Err *e)
{
    return api_export_row(ud, cells, e);
}

int api_shares_list(Ctx *c, Err *e)
{
    static const unsigned char kinds[SHARE_EXPORT_COLS] = {
        API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_DATE,
        API_COL_DATE, API_COL_DEC,  API_COL_INT,  API_COL_TEXT};
    ShareFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0;
    Page pg;
    int rc;

    rc = api_share_filter(c, &f, e);
    if (rc == 0) {
        rc = ctx_page(c, &pg, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        ApiExport x;
        rc = api_export_begin(&x, format, share_export_titles, kinds,
                              SHARE_EXPORT_COLS, "创新资源共享记录", e);
        if (rc) {
            return rc;
        }
        rc = share_export(c->db, &c->actor, &f, api_share_row, &x, e);
        if (rc) {
            api_export_release(&x);
            return rc;
        }
        return api_export_reply(c, &x, "创新资源共享记录", e);
    }
    rc =
        share_list(c->db, &c->actor, &f, pg.offset, pg.size, &items, &total, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_page(c, items, total, &pg);
}

int api_shares_totals(Ctx *c, Err *e)
{
    ShareFilter f;
    json_t *out = NULL;
    int rc;

    rc = api_share_filter(c, &f, e);
    if (rc == 0) {
        rc = share_totals(c->db, &c->actor, &f, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, json_pack("{so}", "items", out));
}

int api_shares_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"resource_id", "ent_id", "used_from",
                                         "used_to",     "hours",  "fee",
                                         "purpose",     NULL};
    ShareInput in;
    json_t *out = NULL, *v;
    char hours[32] = "", fee[32] = "";
    int64_t id = 0;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_int(c, "resource_id", 1, 1, INT64_MAX, &in.resource_id,
                          NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "ent_id", 1, 1, INT64_MAX, &in.ent_id, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "used_from", 0, 32, &in.used_from, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "used_to", 0, 32, &in.used_to, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "purpose", 0, 2000, &in.purpose, NULL, e);
    }
    /* hours and fee: a number or its text */
    if (rc == 0 && (v = json_object_get(c->json, "hours")) != NULL) {
        if (json_is_integer(v)) {
            snprintf(hours, sizeof hours, "%lld",
                     (long long)json_integer_value(v));
        } else if (json_is_real(v)) {
            snprintf(hours, sizeof hours, "%.1f", json_real_value(v));
        } else if (json_is_string(v)) {
            snprintf(hours, sizeof hours, "%.31s", json_string_value(v));
        }
    }
    if (rc == 0 && (v = json_object_get(c->json, "fee")) != NULL) {
        if (json_is_integer(v)) {
            snprintf(fee, sizeof fee, "%lld", (long long)json_integer_value(v));
        } else if (json_is_string(v)) {
            snprintf(fee, sizeof fee, "%.31s", json_string_value(v));
        }
    }
    in.hours = hours;
    in.fee = fee;
    if (rc == 0) {
        rc = share_create(c->db, &c->actor, &in, &id, e);
    }
    if (rc == 0) {
        rc = share_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_shares_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = share_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_shares_retire(Ctx *c, Err *e)
{
    static const char *const fields[] = {"reason", NULL};
    const char *reason = NULL;
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "reason", 0, 2000, &reason, NULL, e);
    }
    if (rc == 0) {
        rc = share_retire(c->db, &c->actor, id, reason, e);
    }
    if (rc == 0) {
        rc = share_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_shares_import(Ctx *c, Err *e)
{
    return api_upload_import(c, "share", share_import_file, e);
}

int api_shares_import_template(Ctx *c, Err *e)
{
    return api_upload_template(c, share_import_template_csv,
                               "共享使用记录导入模板.csv", e);
}
