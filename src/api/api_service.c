/* api_service.c - the 包联 service log: logs (走访/座谈/培训 ...) with
 * their enterprises and asks, the asks (诉求) and their follow-up, and the
 * training counts of a year. Lists export as CSV/XLSX (?format=). */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_export.h"
#include "api/api_items.h"
#include "base/mem.h"
#include "domain/cultivation/service.h"
#include "domain/cultivation/service_import.h"
#include "domain/io/import.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int api_svc_page(Ctx *c, json_t *items, int64_t total, const Page *p)
{
    return ctx_reply_json(c, 200,
                          json_pack("{sosIsIsI}", "items", items, "total",
                                    (json_int_t)total, "page",
                                    (json_int_t)p->page, "page_size",
                                    (json_int_t)p->size));
}

static int api_svc_flag(Ctx *c, const char *name, int *out, Err *e)
{
    const char *v = ctx_query(c, name);

    *out = 0;
    if (!v || !*v || strcmp(v, "0") == 0 || strcmp(v, "false") == 0) {
        return 0;
    }
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0) {
        *out = 1;
        return 0;
    }
    return err_set(e, ERR_INVALID, name, "%s 应为 1 或 0", name);
}

/* Read one ask object (of a log's "asks" array or the body itself). */
static int api_svc_ask(const json_t *o, const char *prefix, ServiceAskInput *in,
                       Err *e)
{
    static const char *const keys[] = {"enterprise_id", "content", "due_on",
                                       "handler_user_id"};
    json_t *v;
    const char *k;

    memset(in, 0, sizeof *in);
    if (!json_is_object(o)) {
        return err_set(e, ERR_INVALID, prefix, "%s应为对象", prefix);
    }
    json_object_foreach((json_t *)o, k, v)
    {
        int known = 0;
        for (size_t i = 0; i < N_OF(keys); i++) {
            known |= strcmp(keys[i], k) == 0;
        }
        if (!known) {
            return err_set(e, ERR_INVALID, prefix, "%s不认识字段“%s”", prefix,
                           k);
        }
    }
    v = json_object_get(o, "enterprise_id");
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        return err_set(e, ERR_INVALID, prefix, "%s请选择企业", prefix);
    }
    in->enterprise_id = json_integer_value(v);
    v = json_object_get(o, "content");
    if (v && !json_is_string(v)) {
        return err_set(e, ERR_INVALID, prefix, "%s诉求内容应为文字", prefix);
    }
    in->content = json_string_value(v);
    v = json_object_get(o, "due_on");
    if (v && !json_is_null(v) && !json_is_string(v)) {
        return err_set(e, ERR_INVALID, prefix, "%s答复期限应为日期", prefix);
    }
    in->due_on = json_string_value(v);
    v = json_object_get(o, "handler_user_id");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            return err_set(e, ERR_INVALID, prefix, "%s办理人应为用户编号",
                           prefix);
        }
        in->handler_user_id = json_integer_value(v);
    }
    return 0;
}

/* ---- logs --------------------------------------------------------------- */

int api_service_logs_list(Ctx *c, Err *e)
{
    static const ApiItemCol cols[] = {
        {"id", "编号", API_COL_INT},
        {"held_on", "日期", API_COL_DATE},
        {"kind_name", "类型", API_COL_TEXT},
        {"title", "主题", API_COL_TEXT},
        {"topics", "内容", API_COL_TEXT},
        {"participants", "参加人员", API_COL_TEXT},
        {"unit_name", "组织单位", API_COL_TEXT},
        {"n_enterprises", "企业数", API_COL_INT},
        {"n_asks", "诉求数", API_COL_INT},
        {"n_open_asks", "未办结诉求", API_COL_INT},
        {"created_by_name", "登记人", API_COL_TEXT},
    };
    ServiceLogFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0, rc;
    Page p;

    memset(&f, 0, sizeof f);
    rc = ctx_query_int(c, "year", 0, 0, 9999, &f.year, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f.unit_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "enterprise_id", 0, 0, INT64_MAX,
                           &f.enterprise_id, e);
    }
    f.kind = ctx_query(c, "kind");
    f.q = ctx_query(c, "q");
    if (rc == 0 && f.q && strlen(f.q) > 200) {
        rc = err_set(e, ERR_INVALID, "q", "搜索文字过长");
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        p.offset = 0;
        p.size = SERVICE_EXPORT_MAX;
    }
    rc = service_log_list(c->db, &c->actor, &f, p.offset, p.size, &items,
                          &total, e);
    if (rc) {
        return rc;
    }
    if (!format) {
        return api_svc_page(c, items, total, &p);
    }
    rc = api_items_export(c, format, items, cols, N_OF(cols), "服务记录", e);
    json_decref(items);
    return rc;
}

int api_service_logs_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {
        "kind", "held_on", "title",          "topics", "participants",
        "note", "unit_id", "enterprise_ids", "asks",   NULL};
    ServiceLogInput in;
    ServiceAskInput *asks = NULL;
    int64_t *ids = NULL, id = 0;
    json_t *arr, *v, *out = NULL;
    size_t i;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "kind", 1, 16, &in.kind, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "held_on", 1, 20, &in.held_on, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "title", 1, 100, &in.title, NULL, e);
    }
    if (rc == 0) {
        rc =
            ctx_json_str(c, "topics", 0, SERVICE_TEXT_MAX, &in.topics, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "participants", 0, 500, &in.participants, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, SERVICE_TEXT_MAX, &in.note, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 0, 1, INT64_MAX, &in.unit_id, NULL, e);
    }
    if (rc) {
        return rc;
    }
    arr = json_object_get(c->json, "enterprise_ids");
    if (arr && !json_is_array(arr)) {
        return err_set(e, ERR_INVALID, "enterprise_ids",
                       "enterprise_ids 应为企业编号数组");
    }
    if (json_array_size(arr) > SERVICE_ENTS_MAX) {
        return err_set(e, ERR_INVALID, "enterprise_ids",
                       "一次最多登记 %d 家企业", SERVICE_ENTS_MAX);
    }
    ids = xcalloc(json_array_size(arr) + 1, sizeof *ids);
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            rc = err_set(e, ERR_INVALID, "enterprise_ids",
                         "enterprise_ids 第 %zu 项应为企业编号", i + 1);
            goto out;
        }
        ids[i] = json_integer_value(v);
    }
    in.enterprise_ids = ids;
    in.n_enterprises = json_array_size(arr);
    arr = json_object_get(c->json, "asks");
    if (arr && !json_is_array(arr)) {
        rc = err_set(e, ERR_INVALID, "asks", "asks 应为诉求数组");
        goto out;
    }
    if (json_array_size(arr) > SERVICE_ASKS_MAX) {
        rc = err_set(e, ERR_INVALID, "asks", "一次最多登记 %d 条诉求",
                     SERVICE_ASKS_MAX);
        goto out;
    }
    asks = xcalloc(json_array_size(arr) + 1, sizeof *asks);
    json_array_foreach(arr, i, v)
    {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "asks[%zu]", i);
        rc = api_svc_ask(v, prefix, &asks[i], e);
        if (rc) {
            goto out;
        }
    }
    in.asks = asks;
    in.n_asks = json_array_size(arr);
    rc = service_log_create(c->db, &c->actor, &in, &id, e);
    if (rc == 0) {
        rc = service_log_get(c->db, &c->actor, id, &out, e);
    }
    if (rc == 0) {
        rc = ctx_reply_json(c, 201, out);
    }
out:
    free(ids);
    free(asks);
    return rc;
}

int api_service_logs_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "log_id", &id, e);

    if (rc == 0) {
        rc = service_log_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

/* The current value of a text member of a log (NULL when null). */
static const char *api_svc_cur(json_t *cur, const char *k)
{
    return json_string_value(json_object_get(cur, k));
}

int api_service_logs_update(Ctx *c, Err *e)
{
    static const char *const fields[] = {"kind",    "held_on",        "title",
                                         "topics",  "participants",   "note",
                                         "unit_id", "enterprise_ids", NULL};
    ServiceLogInput in;
    int64_t *ids = NULL, id = 0;
    json_t *arr, *v, *cur = NULL, *out = NULL;
    size_t i;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_param_id(c, "log_id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = service_log_get(c->db, &c->actor, id, &cur, e);
    }
    if (rc) {
        return rc;
    }
    /* members not sent keep their current value */
    in.kind = api_svc_cur(cur, "kind");
    in.held_on = api_svc_cur(cur, "held_on");
    in.title = api_svc_cur(cur, "title");
    in.topics = api_svc_cur(cur, "topics");
    in.participants = api_svc_cur(cur, "participants");
    in.note = api_svc_cur(cur, "note");
    in.unit_id = json_integer_value(json_object_get(cur, "unit_id"));
    rc = ctx_json_str(c, "kind", 0, 16, &in.kind, NULL, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "held_on", 0, 20, &in.held_on, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "title", 0, 100, &in.title, NULL, e);
    }
    if (rc == 0) {
        rc =
            ctx_json_str(c, "topics", 0, SERVICE_TEXT_MAX, &in.topics, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "participants", 0, 500, &in.participants, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, SERVICE_TEXT_MAX, &in.note, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 0, 1, INT64_MAX, &in.unit_id, NULL, e);
    }
    if (rc) {
        goto out;
    }
    arr = json_object_get(c->json, "enterprise_ids");
    if (arr && !json_is_array(arr)) {
        rc = err_set(e, ERR_INVALID, "enterprise_ids",
                     "enterprise_ids 应为企业编号数组");
        goto out;
    }
    if (json_array_size(arr) > SERVICE_ENTS_MAX) {
        rc = err_set(e, ERR_INVALID, "enterprise_ids", "一次最多登记 %d 家企业",
                     SERVICE_ENTS_MAX);
        goto out;
    }
    ids = xcalloc(json_array_size(arr) + 1, sizeof *ids);
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            rc = err_set(e, ERR_INVALID, "enterprise_ids",
                         "enterprise_ids 第 %zu 项应为企业编号", i + 1);
            goto out;
        }
        ids[i] = json_integer_value(v);
    }
    in.enterprise_ids = ids;
    in.n_enterprises = json_array_size(arr);
    rc = service_log_update(c->db, &c->actor, id, &in, arr != NULL, e);
    if (rc == 0) {
        rc = service_log_get(c->db, &c->actor, id, &out, e);
    }
    if (rc == 0) {
        rc = ctx_reply_json(c, 200, out);
    }
out:
    json_decref(cur);
    free(ids);
    return rc;
}

/* {reason} of a delete or void request. */
static int api_svc_reason(Ctx *c, const char **reason, Err *e)
{
    static const char *const fields[] = {"reason", NULL};
    int rc = ctx_json_fields(c, fields, e);

    *reason = NULL;
    if (rc == 0) {
        rc = ctx_json_str(c, "reason", 1, 500, reason, NULL, e);
    }
    return rc;
}

int api_service_logs_delete(Ctx *c, Err *e)
{
    const char *reason = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "log_id", &id, e);

    if (rc == 0) {
        rc = api_svc_reason(c, &reason, e);
    }
    if (rc == 0) {
        rc = service_log_delete(c->db, &c->actor, id, reason, e);
    }
    return rc ? rc
              : ctx_reply_json(
                    c, 200,
                    json_pack("{sIsb}", "id", (json_int_t)id, "deleted", 1));
}

/* ---- asks --------------------------------------------------------------- */

int api_service_asks_list(Ctx *c, Err *e)
{
    static const ApiItemCol cols[] = {
        {"id", "编号", API_COL_INT},
        {"enterprise_name", "企业名称", API_COL_TEXT},
        {"unit_name", "所属单位", API_COL_TEXT},
        {"content", "诉求内容", API_COL_TEXT},
        {"log_title", "来自服务记录", API_COL_TEXT},
        {"handler_name", "办理人", API_COL_TEXT},
        {"due_on", "答复期限", API_COL_DATE},
        {"status_name", "状态", API_COL_TEXT},
        {"overdue", "已逾期", API_COL_TEXT},
        {"closed_on", "办结日期", API_COL_DATE},
        {"result", "办理结果", API_COL_TEXT},
        {"n_notes", "跟进次数", API_COL_INT},
        {"created_at", "登记时间", API_COL_TIME},
    };
    ServiceAskFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0, rc;
    Page p;

    memset(&f, 0, sizeof f);
    rc = api_svc_flag(c, "mine", &f.mine, e);
    if (rc == 0) {
        rc = api_svc_flag(c, "overdue", &f.overdue, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &f.unit_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "enterprise_id", 0, 0, INT64_MAX,
                           &f.enterprise_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "log_id", 0, 0, INT64_MAX, &f.log_id, e);
    }
    f.status = ctx_query(c, "status");
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc) {
        return rc;
    }
    if (format) {
        p.offset = 0;
        p.size = SERVICE_EXPORT_MAX;
    }
    rc = service_ask_list(c->db, &c->actor, &f, p.offset, p.size, &items,
                          &total, e);
    if (rc) {
        return rc;
    }
    if (!format) {
        return api_svc_page(c, items, total, &p);
    }
    rc = api_items_export(c, format, items, cols, N_OF(cols), "企业诉求", e);
    json_decref(items);
    return rc;
}

int api_service_asks_create(Ctx *c, Err *e)
{
    ServiceAskInput in;
    json_t *out = NULL, *body;
    int64_t log_id = 0, id = 0;
    int rc;

    if (!json_is_object(c->json)) {
        return err_set(e, ERR_INVALID, NULL, "请求体必须是 JSON 对象");
    }
    /* log_id is the one field besides those of an ask */
    body = json_deep_copy(c->json);
    if (json_object_get(body, "log_id")) {
        json_t *v = json_object_get(body, "log_id");
        if (!json_is_null(v) &&
            (!json_is_integer(v) || json_integer_value(v) < 1)) {
            json_decref(body);
            return err_set(e, ERR_INVALID, "log_id", "服务记录编号应为正整数");
        }
        log_id = json_is_integer(v) ? json_integer_value(v) : 0;
        json_object_del(body, "log_id");
    }
    rc = api_svc_ask(body, "", &in, e);
    if (rc == 0) {
        rc = service_ask_add(c->db, &c->actor, log_id, &in, &id, e);
    }
    if (rc == 0) {
        rc = service_ask_get(c->db, &c->actor, id, &out, e);
    }
    json_decref(body);
    return rc ? rc : ctx_reply_json(c, 201, out);
}

int api_service_asks_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "ask_id", &id, e);

    if (rc == 0) {
        rc = service_ask_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_service_asks_follow(Ctx *c, Err *e)
{
    static const char *const fields[] = {"note", "close", "reopen", "result",
                                         NULL};
    const char *note = NULL, *result = NULL;
    int close = 0, reopen = 0;
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "ask_id", &id, e);

    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 1, SERVICE_TEXT_MAX, &note, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "close", 0, &close, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_bool(c, "reopen", 0, &reopen, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "result", 0, SERVICE_TEXT_MAX, &result, NULL, e);
    }
    if (rc == 0 && close && reopen) {
        rc = err_set(e, ERR_INVALID, "reopen", "不能同时办结和重新打开");
    }
    if (rc == 0) {
        rc = service_ask_follow(c->db, &c->actor, id, note,
                                close    ? 1
                                : reopen ? -1
                                         : 0,
                                result, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_service_stats(Ctx *c, Err *e)
{
    static const ApiItemCol cols[] = {
        {"id", "编号", API_COL_INT},
        {"held_on", "日期", API_COL_DATE},
        {"title", "培训主题", API_COL_TEXT},
        {"attendance", "参训企业数", API_COL_INT},
        {"meets_min", "达到 10 家以上", API_COL_TEXT},
    };
    json_t *out = NULL;
    int64_t year = 0;
    int format = 0, rc;

    rc = ctx_query_int(c, "year", 0, 2000, 2100, &year, e);
    if (rc == 0 && year == 0) {
        rc = err_set(e, ERR_INVALID, "year", "请选择年度");
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = service_stats(c->db, &c->actor, year, &out, e);
    }
    if (rc) {
        return rc;
    }
    if (!format) {
        return ctx_reply_json(c, 200, out);
    }
    rc = api_items_export(c, format, json_object_get(out, "events"), cols,
                          N_OF(cols), "培训统计", e);
    json_decref(out);
    return rc;
}

int api_service_asks_update(Ctx *c, Err *e)
{
    static const char *const fields[] = {"content", "due_on", "handler_user_id",
                                         NULL};
    const char *content = NULL, *due = NULL;
    int64_t id, handler = 0;
    json_t *out = NULL, *h;
    int has_handler = 0, rc;

    rc = ctx_param_id(c, "ask_id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "content", 0, SERVICE_TEXT_MAX, &content, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "due_on", 0, 20, &due, NULL, e);
    }
    if (rc) {
        return rc;
    }
    if (content && !*content) {
        return err_set(e, ERR_INVALID, "content", "请填写诉求内容");
    }
    h = json_object_get(c->json, "handler_user_id");
    if (h) {
        has_handler = 1;
        if (!json_is_null(h) &&
            (!json_is_integer(h) || json_integer_value(h) < 1)) {
            return err_set(e, ERR_INVALID, "handler_user_id",
                           "办理人应为用户编号");
        }
        handler = json_is_integer(h) ? json_integer_value(h) : 0;
    }
    rc = service_ask_update(c->db, &c->actor, id, content, due, has_handler,
                            handler, e);
    if (rc == 0) {
        rc = service_ask_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

int api_service_asks_void(Ctx *c, Err *e)
{
    const char *reason = NULL;
    json_t *out = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "ask_id", &id, e);

    if (rc == 0) {
        rc = api_svc_reason(c, &reason, e);
    }
    if (rc == 0) {
        rc = service_ask_void(c->db, &c->actor, id, reason, e);
    }
    if (rc == 0) {
        rc = service_ask_get(c->db, &c->actor, id, &out, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, out);
}

/* ---- import ------------------------------------------------------------- */

int api_service_import_template(Ctx *c, Err *e)
{
    static const char *const sample[][9] = {
        {"培训", "2026-03-15", "高企申报培训", "", "天津示例科技有限公司",
         "研发费用归集", "张三、李四", "", ""},
        {"走访", "2026-03-20", "走访示例企业", "91120102MA05XXXXXX", "",
         "了解研发投入", "王五", "希望对接检测平台", "2026-04-30"}};
    const char *f = ctx_query(c, "format");
    const char *const *titles;
    unsigned char kinds[9] = {0};
    ApiExport x;
    int n, rc;

    if (f && *f && strcmp(f, "csv") != 0 && strcmp(f, "xlsx") != 0) {
        return err_set(e, ERR_INVALID, "format", "模板格式应为 xlsx 或 csv");
    }
    titles = service_import_titles(&n);
    kinds[1] = kinds[8] = API_COL_DATE;
    rc = api_export_begin(
        &x, f && strcmp(f, "csv") == 0 ? API_EXPORT_CSV : API_EXPORT_XLSX,
        titles, kinds, (size_t)n, "服务记录", e);
    for (size_t i = 0; rc == 0 && i < N_OF(sample); i++) {
        rc = api_export_row(&x, sample[i], e);
    }
    if (rc) {
        api_export_release(&x);
        return rc;
    }
    return api_export_reply(c, &x, "服务记录导入模板", e);
}

int api_service_import(Ctx *c, Err *e)
{
    char dir[512], tmp[600];
    const char *path = c->req->body_path;
    json_t *out = NULL;
    int apply = 0, fd = -1, rc;

    rc = api_svc_flag(c, "apply", &apply, e);
    if (rc) {
        return rc;
    }
    if ((!c->req->body && !c->req->body_path) || c->req->body_len == 0) {
        return err_set(e, ERR_INVALID, "file", "上传的文件为空");
    }
    if (!path) {
        /* the reader takes a file: stage the body beside the database */
        rc = import_stage_dir(c->app->db_location, dir, sizeof dir, e);
        if (rc) {
            return rc;
        }
        snprintf(tmp, sizeof tmp, "%s/svc-XXXXXX", dir);
        fd = mkstemp(tmp);
        if (fd < 0 || write(fd, c->req->body, c->req->body_len) !=
                          (ssize_t)c->req->body_len) {
            if (fd >= 0) {
                close(fd);
                unlink(tmp);
            }
            return err_set(e, ERR_IO, NULL, "无法暂存上传的文件");
        }
        close(fd);
        path = tmp;
    }
    rc = service_import(c->db, &c->actor, path, api_import_file_name(c), apply,
                        &out, e);
    if (path == tmp) {
        unlink(tmp);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(
        c, json_is_true(json_object_get(out, "applied")) ? 201 : 200, out);
}
