/* api_plan.c - plans, indicators, targets, figures, manual actuals, the
 * import of a plan's published tables, and tasks (/api/v1/plans...). */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_export.h"
#include "api/api_items.h"
#include "base/arena.h"
#include "domain/plan/plan.h"
#include "domain/plan/plan_eval.h"
#include "domain/plan/plan_figure.h"
#include "domain/plan/plan_import.h"
#include "domain/plan/plan_kind.h"
#include "domain/plan/plan_report.h"
#include "domain/plan/plan_task.h"

/* Export the array items as rows (api_items_export): keys name the
 * members, titles the columns. Answers. */
static int api_plan_export(Ctx *c, int format, json_t *items,
                           const char *const *keys, const char *const *titles,
                           const unsigned char *kinds, size_t n,
                           const char *name, Err *e)
{
    ApiItemCol cols[16];

    if (n > sizeof cols / sizeof cols[0]) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    for (size_t k = 0; k < n; k++) {
        cols[k].key = keys[k];
        cols[k].title = titles[k];
        cols[k].kind = kinds ? kinds[k] : API_COL_TEXT;
    }
    return api_items_export(c, format, items, cols, n, name, e);
}

static int api_plan_reply_list(Ctx *c, json_t *items)
{
    return ctx_reply_list(c, items);
}

/* A domain list of the object named by the path's {id}. */
typedef int (*ApiPlanListFn)(Db *db, const Actor *a, int64_t id, json_t **items,
                             Err *e);

/* Answer the unpaged list fn gives for the path's {id}. */
static int api_plan_list_of(Ctx *c, ApiPlanListFn fn, Err *e)
{
    json_t *items = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = fn(c->db, &c->actor, id, &items, e);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    return api_plan_reply_list(c, items);
}

int api_plan_list(Ctx *c, Err *e)
{
    static const char *const keys[] = {
        "id",      "name",   "doc_no",       "issuer_name", "year_from",
        "year_to", "period", "n_indicators", "n_tasks"};
    static const char *const titles[] = {"编号",     "计划名称", "文号",
                                         "发布单位", "起始年度", "截止年度",
                                         "报告周期", "指标数",   "任务数"};
    static const unsigned char kinds[] = {1, 0, 0, 0, 1, 1, 0, 1, 1};
    json_t *items = NULL;
    int format = 0;
    int rc;

    rc = api_export_format(c, &format, e);
    if (rc == 0) {
        rc = plan_list(c->db, &c->actor, &items, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        rc = api_plan_export(c, format, items, keys, titles, kinds, 9,
                             "行动计划", e);
        json_decref(items);
        return rc;
    }
    return api_plan_reply_list(c, items);
}

int api_plan_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {
        "name",      "doc_no", "issuer_unit_id", "year_from", "year_to",
        "base_year", "period", "note",           NULL};
    json_t *plan = NULL;
    PlanInput in;
    int64_t yf = 0;
    int64_t yt = 0;
    int64_t by = 0;
    int64_t id = 0;
    int rc;

    memset(&in, 0, sizeof in);
    in.issuer_unit_id = c->actor.unit_id;
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 1, PLAN_NAME_MAX, &in.name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "doc_no", 0, PLAN_NAME_MAX, &in.doc_no, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "issuer_unit_id", 0, 1, INT64_MAX,
                          &in.issuer_unit_id, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "year_from", 1, PLAN_YEAR_MIN, PLAN_YEAR_MAX, &yf,
                          NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "year_to", 1, PLAN_YEAR_MIN, PLAN_YEAR_MAX, &yt,
                          NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "base_year", 0, 0, PLAN_YEAR_MAX, &by, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "period", 0, 16, &in.period, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, PLAN_TEXT_MAX, &in.note, NULL, e);
    }
    in.year_from = (int)yf;
    in.year_to = (int)yt;
    in.base_year = (int)by;
    if (rc == 0) {
        rc = plan_create(c->db, &c->actor, &in, &id, e);
    }
    if (rc == 0) {
        rc = plan_get(c->db, &c->actor, id, &plan, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, plan);
}

int api_plan_get(Ctx *c, Err *e)
{
    json_t *plan = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = plan_get(c->db, &c->actor, id, &plan, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, plan);
}

/* Rows of the figures export: one per indicator (district) in the
 * layout of the plan's table. */
static json_t *api_plan_figure_rows(json_t *fig)
{
    json_t *rows = json_array();
    size_t i;
    json_t *ind;

    json_array_foreach(json_object_get(fig, "indicators"), i, ind)
    {
        json_t *d = json_object_get(ind, "district");
        json_t *bp = json_object_get(d, "completion_bp");
        char pct[32] = "";
        char name[600];

        if (json_is_integer(bp)) {
            long long v = (long long)json_integer_value(bp);

            snprintf(pct, sizeof pct, "%lld.%02lld", v / 100, v % 100);
        }
        snprintf(name, sizeof name, "%s（%s）",
                 json_string_value(json_object_get(ind, "name")),
                 json_string_value(json_object_get(ind, "unit")));
        json_array_append_new(
            rows,
            json_pack("{sOsssOsOsOssss}", "seq", json_object_get(ind, "seq"),
                      "name", name, "kind_name",
                      json_object_get(ind, "kind_name"), "target",
                      json_object_get(d, "target"), "actual",
                      json_object_get(d, "value"), "completion", pct, "message",
                      json_string_value(json_object_get(d, "message"))));
    }
    return rows;
}

int api_plan_figures(Ctx *c, Err *e)
{
    static const char *const keys[] = {"seq",    "name",   "kind_name",
                                       "target", "actual", "completion",
                                       "message"};
    static const char *const titles[] = {"序号", "指标",        "类型", "目标",
                                         "实际", "完成率（%）", "说明"};
    static const unsigned char kinds[] = {1, 0, 0, 4, 4, 4, 0};
    json_t *fig = NULL;
    int format = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = plan_figures(c->db, &c->actor, id, ctx_query(c, "date"), &fig, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        json_t *rows = api_plan_figure_rows(fig);

        rc = api_plan_export(c, format, rows, keys, titles, kinds, 7,
                             "指标完成情况", e);
        json_decref(rows);
        json_decref(fig);
        return rc;
    }
    return ctx_reply_json(c, 200, fig);
}

int api_plan_ind_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"seq",       "name", "unit", "kind",
                                         "direction", "base", "note", NULL};
    json_t *plan = NULL;
    const char *base = NULL;
    PlanIndInput in;
    int64_t plan_id;
    int64_t seq = 0;
    int64_t dir = 1;
    int64_t id = 0;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_param_id(c, "id", &plan_id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "seq", 0, 1, 10000, &seq, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 1, PLAN_NAME_MAX, &in.name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "unit", 1, 8, &in.unit, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "kind", 0, 8, &in.kind, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "direction", 0, -1, 1, &dir, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "base", 0, 40, &base, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, PLAN_TEXT_MAX, &in.note, NULL, e);
    }
    if (rc == 0 && base && *base) {
        in.has_base = 1;
        rc = plan_value_parse(base, in.unit, &in.base_e4, "base", "", e);
    }
    in.seq = (int)seq;
    in.direction = (int)dir;
    if (rc == 0) {
        rc = plan_ind_create(c->db, &c->actor, plan_id, &in, &id, e);
    }
    if (rc == 0) {
        rc = plan_get(c->db, &c->actor, plan_id, &plan, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(
        c, 201, json_pack("{sIso}", "id", (json_int_t)id, "plan", plan));
}

int api_plan_target_put(Ctx *c, Err *e)
{
    static const char *const fields[] = {"year", "unit_id", "value", "text",
                                         NULL};
    const char *value = NULL;
    const char *text = NULL;
    int64_t id;
    int64_t year = 0;
    int64_t unit = 0;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "year", 1, 1900, 2200, &year, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 0, 0, INT64_MAX, &unit, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "value", 0, 40, &value, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "text", 0, PLAN_NAME_MAX, &text, NULL, e);
    }
    if (rc == 0) {
        rc = plan_target_put(c->db, &c->actor, id, (int)year, unit, value, text,
                             e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}

int api_plan_sources(Ctx *c, Err *e)
{
    (void)e;
    return api_plan_reply_list(c, plan_sources_json());
}

int api_plan_source_add(Ctx *c, Err *e)
{
    static const char *const fields[] = {"source", "params", NULL};
    const char *source = NULL;
    int64_t version = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "source", 1, 24, &source, NULL, e);
    }
    if (rc == 0) {
        rc = plan_source_add(c->db, &c->actor, id, source,
                             json_object_get(c->json, "params"), &version, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(
        c, 201,
        json_pack("{sIss}", "version", (json_int_t)version, "source", source));
}

int api_plan_figure(Ctx *c, Err *e)
{
    json_t *fig = NULL;
    int64_t id;
    int64_t unit = 0;
    int64_t version = 0;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &unit, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "version", 0, 0, 1000000, &version, e);
    }
    if (rc == 0) {
        rc = plan_figure(c->db, &c->actor, id, ctx_query(c, "date"), unit,
                         version, &fig, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, fig);
}

int api_plan_drill(Ctx *c, Err *e)
{
    static const char *const keys[] = {"uscc",    "name",       "unit_name",
                                       "cert_no", "valid_from", "valid_to"};
    static const char *const titles[] = {"统一社会信用代码",
                                         "企业名称",
                                         "所属单位",
                                         "证书/专利号/培育批次（阶段）",
                                         "有效期起/授权日/进入阶段日期",
                                         "有效期止"};
    static const unsigned char kinds[] = {0, 0, 0, 0, 5, 5};
    json_t *items = NULL;
    int64_t total = 0;
    int64_t id;
    int64_t unit = 0;
    int format = 0;
    Page p;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &unit, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0 && format) {
        p.offset = 0;
        p.size = 100000;
    }
    if (rc == 0) {
        rc = plan_drill(c->db, &c->actor, id, ctx_query(c, "date"), unit,
                        p.offset, p.size, &items, &total, e);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    if (format) {
        rc = api_plan_export(c, format, items, keys, titles, kinds, 6,
                             "指标明细", e);
        json_decref(items);
        return rc;
    }
    return ctx_reply_json(
        c, 200,
        json_pack("{sosI}", "items", items, "total", (json_int_t)total));
}

int api_plan_actuals_list(Ctx *c, Err *e)
{
    return api_plan_list_of(c, plan_actuals_list, e);
}

int api_plan_actual_submit(Ctx *c, Err *e)
{
    static const char *const fields[] = {"unit_id", "period",   "value",
                                         "note",    "evidence", NULL};
    const char *period = NULL;
    const char *value = NULL;
    const char *note = NULL;
    const char *evidence = NULL;
    int64_t unit = 0;
    int64_t aid = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 0, 0, INT64_MAX, &unit, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "period", 1, 8, &period, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "value", 1, 40, &value, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, PLAN_TEXT_MAX, &note, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "evidence", 0, PLAN_NAME_MAX, &evidence, NULL, e);
    }
    if (rc == 0) {
        rc = plan_actual_submit(c->db, &c->actor, id, unit, period, value, note,
                                evidence, &aid, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(
        c, 201,
        json_pack("{sIss}", "id", (json_int_t)aid, "status", "submitted"));
}

int api_plan_actual_review(Ctx *c, Err *e)
{
    static const char *const fields[] = {"accept", "note", NULL};
    const char *note = NULL;
    int accept = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "accept", 1, &accept, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, PLAN_TEXT_MAX, &note, NULL, e);
    }
    if (rc == 0) {
        rc = plan_actual_review(c->db, &c->actor, id, accept, note, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(
        c, 200, json_pack("{ss}", "status", accept ? "accepted" : "returned"));
}

/* The upload body: in memory, or read from the spooled file (arena). */
int api_plan_import_create(Ctx *c, Err *e)
{
    const char *kind = ctx_query(c, "kind");
    const char *name = ctx_query(c, "file_name");
    const char *data = NULL;
    json_t *out = NULL;
    size_t len = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0 && (!kind || (strcmp(kind, "targets") != 0 &&
                              strcmp(kind, "tasks") != 0))) {
        rc = err_set(e, ERR_INVALID, "kind",
                     "kind 应为 targets（年度分解表）或 tasks（任务分工表）");
    }
    if (rc == 0) {
        rc = ctx_body_bytes(c, PLAN_IMPORT_MAX_BYTES, &data, &len, e);
    }
    if (rc == 0) {
        rc = plan_import_preview(c->db, &c->actor, id, kind,
                                 name && *name ? name : NULL, data, len, &out,
                                 e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_plan_import_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = plan_import_get(c->db, &c->actor, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_plan_import_apply(Ctx *c, Err *e)
{
    static const char *const fields[] = {"units", "kinds", NULL};
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = plan_import_apply(c->db, &c->actor, id,
                               json_object_get(c->json, "units"),
                               json_object_get(c->json, "kinds"), &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

/* Tasks flattened for the export: units joined by "、" per role. */
static json_t *api_plan_task_rows(json_t *items)
{
    json_t *rows = json_array();
    size_t i;
    json_t *t;

    json_array_foreach(items, i, t)
    {
        char lead[1024] = "";
        char resp[1024] = "";
        size_t j;
        json_t *u;

        json_array_foreach(json_object_get(t, "units"), j, u)
        {
            int is_lead = strcmp(json_string_value(json_object_get(u, "role")),
                                 "lead") == 0;
            char *dst = is_lead ? lead : resp;
            size_t n = strlen(dst);

            snprintf(dst + n, sizeof lead - n, "%s%s", n ? "、" : "",
                     json_string_value(json_object_get(u, "unit_name")));
        }
        json_array_append_new(
            rows, json_pack("{sOsOsOsssssO}", "seq", json_object_get(t, "seq"),
                            "heading", json_object_get(t, "heading"), "content",
                            json_object_get(t, "content"), "lead", lead, "resp",
                            resp, "due_text", json_object_get(t, "due_text")));
    }
    return rows;
}

int api_plan_tasks_list(Ctx *c, Err *e)
{
    static const char *const keys[] = {"seq",  "heading", "content",
                                       "lead", "resp",    "due_text"};
    static const char *const titles[] = {"序号",     "重点任务", "工作措施",
                                         "牵头单位", "责任单位", "完成时限"};
    static const unsigned char kinds[] = {1, 0, 0, 0, 0, 0};
    json_t *items = NULL;
    int64_t id;
    int64_t unit = 0;
    int format = 0;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &unit, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = plan_tasks_list(c->db, &c->actor, id, unit, &items, e);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    {
        char today[16];
        time_t now = time(NULL) + (time_t)8 * 3600;
        struct tm tm;
        size_t i;
        json_t *t;

        gmtime_r(&now, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        json_array_foreach(items, i, t)
        {
            const char *st = PLAN_TASK_ON_TRACK;
            char why[256];

            rc = plan_task_status(c->db,
                                  json_integer_value(json_object_get(t, "id")),
                                  today, &st, why, sizeof why, e);
            if (rc) {
                json_decref(items);
                return rc;
            }
            json_object_set_new(t, "status", json_string(st));
            json_object_set_new(t, "status_reason", json_string(why));
        }
    }
    if (format) {
        json_t *rows = api_plan_task_rows(items);

        rc = api_plan_export(c, format, rows, keys, titles, kinds, 6,
                             "任务分工", e);
        json_decref(rows);
        json_decref(items);
        return rc;
    }
    return api_plan_reply_list(c, items);
}

int api_plan_report(Ctx *c, Err *e)
{
    const char *q = ctx_query(c, "quarter");
    const char *fmt = ctx_query(c, "format");
    json_t *rep = NULL;
    char name[64];
    int64_t id;
    Buf b;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0 && fmt && *fmt && strcmp(fmt, "json") != 0 &&
        strcmp(fmt, "html") != 0 && strcmp(fmt, "xlsx") != 0) {
        rc =
            err_set(e, ERR_INVALID, "format", "format 应为 json、html 或 xlsx");
    }
    if (rc == 0) {
        rc = plan_report_quarter(c->db, &c->actor, id, q, &rep, e);
    }
    if (rc) {
        return rc;
    }
    if (!fmt || !*fmt || strcmp(fmt, "json") == 0) {
        return ctx_reply_json(c, 200, rep);
    }
    buf_init(&b, (size_t)16 * 1024 * 1024);
    snprintf(name, sizeof name, "季度报告-%s.%s", q, fmt);
    if (strcmp(fmt, "html") == 0) {
        rc = plan_report_html(rep, &b, e);
        if (rc == 0) {
            rc = ctx_reply_bytes(c, 200, "text/html; charset=utf-8", b.data,
                                 b.len, NULL);
        }
    } else {
        rc = plan_report_xlsx(rep, &b, e);
        if (rc == 0) {
            rc = ctx_reply_bytes(c, 200,
                                 "application/vnd.openxmlformats-"
                                 "officedocument.spreadsheetml.sheet",
                                 b.data, b.len, name);
        }
    }
    buf_release(&b);
    json_decref(rep);
    return rc;
}

int api_plan_reports_list(Ctx *c, Err *e)
{
    return api_plan_list_of(c, plan_reports_list, e);
}

int api_plan_report_file(Ctx *c, Err *e)
{
    static const char *const fields[] = {"unit_id", "period", "text", NULL};
    const char *period = NULL;
    const char *text = NULL;
    int64_t unit = 0;
    int64_t rid = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 0, 0, INT64_MAX, &unit, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "period", 1, 8, &period, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "text", 1, 4000, &text, NULL, e);
    }
    if (rc == 0) {
        rc =
            plan_report_file(c->db, &c->actor, id, unit, period, text, &rid, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(
        c, 201, json_pack("{sIss}", "id", (json_int_t)rid, "status", "filed"));
}

int api_plan_report_consolidate(Ctx *c, Err *e)
{
    static const char *const fields[] = {"period", "text", NULL};
    const char *period = NULL;
    const char *text = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "period", 1, 8, &period, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "text", 1, 4000, &text, NULL, e);
    }
    if (rc == 0) {
        rc = plan_report_consolidate(c->db, &c->actor, id, period, text, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, json_pack("{ss}", "status", "consolidated"));
}

int api_plan_report_review(Ctx *c, Err *e)
{
    static const char *const fields[] = {"period", "accept", "note", NULL};
    const char *period = NULL;
    const char *note = NULL;
    int accept = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "period", 1, 8, &period, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "accept", 1, &accept, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, PLAN_TEXT_MAX, &note, NULL, e);
    }
    if (rc == 0) {
        rc = plan_report_review(c->db, &c->actor, id, period, accept, note, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(
        c, 200, json_pack("{ss}", "status", accept ? "accepted" : "returned"));
}

int api_plan_milestone_add(Ctx *c, Err *e)
{
    static const char *const fields[] = {"title", "due_on", NULL};
    const char *title = NULL;
    const char *due = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "title", 1, PLAN_NAME_MAX, &title, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "due_on", 1, 20, &due, NULL, e);
    }
    if (rc == 0) {
        rc = plan_milestone_add(c->db, &c->actor, id, title, due, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, json_pack("{ss}", "status", "ok"));
}

int api_plan_task_judge(Ctx *c, Err *e)
{
    static const char *const fields[] = {"judgement", NULL};
    const char *j = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0 && !json_is_null(json_object_get(c->json, "judgement"))) {
        rc = ctx_json_str(c, "judgement", 1, 16, &j, NULL, e);
    }
    if (rc == 0) {
        rc = plan_task_judge(c->db, &c->actor, id, j, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}

int api_plan_notices_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t open = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "open", 0, 0, 1, &open, e);
    }
    if (rc == 0) {
        rc = plan_notices_list(c->db, &c->actor, id, (int)open, &items, e);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    return api_plan_reply_list(c, items);
}

int api_plan_notice_issue(Ctx *c, Err *e)
{
    static const char *const fields[] = {"unit_id", "task_id", "text",
                                         "deadline", NULL};
    const char *text = NULL;
    const char *deadline = NULL;
    int64_t unit = 0;
    int64_t task = 0;
    int64_t nid = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 1, 1, INT64_MAX, &unit, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "task_id", 0, 0, INT64_MAX, &task, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "text", 1, PLAN_TEXT_MAX, &text, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "deadline", 1, 20, &deadline, NULL, e);
    }
    if (rc == 0) {
        rc = plan_notice_issue(c->db, &c->actor, id, unit, task, text, deadline,
                               &nid, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, json_pack("{sI}", "id", (json_int_t)nid));
}

int api_plan_notice_answer(Ctx *c, Err *e)
{
    static const char *const fields[] = {"answer", NULL};
    const char *answer = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "answer", 1, PLAN_TEXT_MAX, &answer, NULL, e);
    }
    if (rc == 0) {
        rc = plan_notice_answer(c->db, &c->actor, id, answer, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}

int api_plan_notice_close(Ctx *c, Err *e)
{
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = plan_notice_close(c->db, &c->actor, id, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}

int api_plan_scheme_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = plan_scheme_get(c->db, id, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_plan_scheme_add(Ctx *c, Err *e)
{
    static const char *const fields[] = {"weights", NULL};
    int64_t version = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = plan_scheme_add(c->db, &c->actor, id,
                             json_object_get(c->json, "weights"), &version, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201,
                          json_pack("{sI}", "version", (json_int_t)version));
}

int api_plan_evals_list(Ctx *c, Err *e)
{
    return api_plan_list_of(c, plan_evals_list, e);
}

int api_plan_eval_run(Ctx *c, Err *e)
{
    static const char *const fields[] = {"quarter", NULL};
    const char *quarter = NULL;
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "quarter", 1, 8, &quarter, NULL, e);
    }
    if (rc == 0) {
        rc = plan_eval_run(c->db, &c->actor, id, quarter, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_plan_eval_publish(Ctx *c, Err *e)
{
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = plan_eval_publish(c->db, &c->actor, id, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, json_pack("{ss}", "status", "published"));
}

/* ?pipeline=阶段:数量:转化率%,... into stages (at most cap). */
static int api_plan_pipeline(const char *s, PlanPipeStage *out, size_t cap,
                             size_t *n, Err *e)
{
    char buf[1024];
    char *save = NULL;
    char *tok;

    *n = 0;
    if (!s || !*s) {
        return 0;
    }
    if (strlen(s) >= sizeof buf) {
        return err_set(e, ERR_TOOBIG, "pipeline", "pipeline 参数过长");
    }
    snprintf(buf, sizeof buf, "%s", s);
    for (tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *c1 = strchr(tok, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        char *end = NULL;
        long long cnt;

        if (!c1 || !c2 || *n >= cap ||
            (size_t)(c1 - tok) >= sizeof out->stage) {
            return err_set(e, ERR_INVALID, "pipeline",
                           "pipeline 应为“阶段:企业数:转化率”，多个用逗号分隔，"
                           "最多 %zu 个",
                           cap);
        }
        *c1 = '\0';
        *c2 = '\0';
        cnt = strtoll(c1 + 1, &end, 10);
        if (!end || *end || cnt < 0 || cnt > 10000000) {
            return err_set(e, ERR_INVALID, "pipeline", "“%s”的企业数有误", tok);
        }
        snprintf(out[*n].stage, sizeof out[*n].stage, "%s", tok);
        out[*n].count = cnt;
        if (plan_value_parse(c2 + 1, "%", &out[*n].rate_e4, "pipeline",
                             "转化率：", e) != 0 ||
            out[*n].rate_e4 < 0) {
            return err_set(e, ERR_INVALID, "pipeline",
                           "“%s”的转化率应为 0～100 的百分数", tok);
        }
        (*n)++;
    }
    return 0;
}

int api_plan_forecast(Ctx *c, Err *e)
{
    PlanPipeStage pipe[16];
    const char *renew = ctx_query(c, "renew");
    json_t *out = NULL;
    int64_t renew_e4 = 0;
    size_t n = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0 && renew && *renew) {
        rc = plan_value_parse(renew, "%", &renew_e4, "renew", "续期比例：", e);
    }
    if (rc == 0) {
        rc = api_plan_pipeline(ctx_query(c, "pipeline"), pipe, 16, &n, e);
    }
    if (rc == 0) {
        rc = plan_forecast(c->db, &c->actor, id, ctx_query(c, "date"), renew_e4,
                           pipe, n, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_plan_meetings_list(Ctx *c, Err *e)
{
    return api_plan_list_of(c, plan_meetings_list, e);
}

int api_plan_meeting_add(Ctx *c, Err *e)
{
    static const char *const fields[] = {"held_on",  "title",     "attendees",
                                         "problems", "decisions", NULL};
    const char *held = NULL;
    const char *title = NULL;
    const char *att = NULL;
    const char *prob = NULL;
    int64_t mid = 0;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "held_on", 1, 20, &held, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "title", 1, PLAN_NAME_MAX, &title, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "attendees", 0, PLAN_TEXT_MAX, &att, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "problems", 0, PLAN_TEXT_MAX, &prob, NULL, e);
    }
    if (rc == 0) {
        rc = plan_meeting_add(c->db, &c->actor, id, held, title, att, prob,
                              json_object_get(c->json, "decisions"), &mid, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, json_pack("{sI}", "id", (json_int_t)mid));
}

int api_plan_task_link(Ctx *c, Err *e)
{
    static const char *const fields[] = {"indicator_ids", NULL};
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = plan_task_link(c->db, &c->actor, id,
                            json_object_get(c->json, "indicator_ids"), e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}
