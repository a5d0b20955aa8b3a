/* api_scenarios.c - the sandbox's form and saved scenarios: the changeable
 * numbers of a draft (rules/params.h) and their edits written back into
 * the text; scenarios saved, listed (with export), read, run, compared
 * and deleted (domain/scenario/scenario.h). */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_export.h"
#include "api/api_items.h"
#include "base/utf8.h"
#include "domain/eligibility/sandbox.h"
#include "domain/jobs/job.h"
#include "domain/scenario/scenario.h"
#include "rules/params.h"

#define PARAMS_CONTEXT_MAX 160 /* bytes of the source line shown */

/* "草稿:12:5: message" as {line, col, message, text}. */
static json_t *params_error_json(const char *s)
{
    const char *p = strstr(s, SANDBOX_DRAFT_PATH ":");
    long line = 0;
    long col = 0;
    const char *msg = s;

    if (p) {
        char *end;
        line = strtol(p + strlen(SANDBOX_DRAFT_PATH) + 1, &end, 10);
        if (*end == ':') {
            col = strtol(end + 1, &end, 10);
            if (end[0] == ':' && end[1] == ' ') {
                msg = end + 2;
            }
        }
    }
    return json_pack("{sIsIssss}", "line", (json_int_t)line, "col",
                     (json_int_t)col, "message", msg, "text", s);
}

static int params_body_source(Ctx *c, const char **src, size_t *len, Err *e)
{
    json_t *v = json_object_get(c->json, "source");

    if (!v || !json_is_string(v) || json_string_length(v) == 0) {
        return err_set(e, ERR_INVALID, "source", "请提供规则文本（source）");
    }
    *src = json_string_value(v);
    *len = json_string_length(v);
    if (*len > SANDBOX_SOURCE_MAX) {
        return err_set(e, ERR_TOOBIG, "source", "规则文本超过 %zu 字节",
                       SANDBOX_SOURCE_MAX);
    }
    return 0;
}

static const char *params_kind_code(const RuleParam *p)
{
    switch (p->kind) {
    case RULE_PARAM_BAND_LO:
        return "band_lo";
    case RULE_PARAM_BAND_HI:
        return "band_hi";
    case RULE_PARAM_VALUE:
        return "value";
    case RULE_PARAM_MAX:
        return "max";
    default:
        return "threshold";
    }
}

/* The parameters as JSON, each with the text of its line for context. */
static json_t *params_json(const char *src, size_t len, const RuleParam *ps,
                           int n)
{
    json_t *a = json_array();

    for (int i = 0; i < n; i++) {
        const RuleParam *p = &ps[i];
        size_t b = p->off;
        size_t end = p->off;
        size_t cl;

        while (b > 0 && src[b - 1] != '\n') {
            b--;
        }
        while (end < len && src[end] != '\n') {
            end++;
        }
        while (b < end && (src[b] == ' ' || src[b] == '\t')) {
            b++;
        }
        cl = utf8_truncate(src + b, end - b, PARAMS_CONTEXT_MAX);
        {
            json_t *o = json_object();
            json_object_set_new(o, "index", json_integer(i));
            json_object_set_new(o, "kind", json_string(params_kind_code(p)));
            json_object_set_new(o, "kind_name",
                                json_string(rule_param_kind_name(p->kind)));
            json_object_set_new(o, "item", json_string(p->item_id));
            json_object_set_new(o, "label", json_string(p->label));
            json_object_set_new(o, "row", json_integer(p->row));
            json_object_set_new(o, "line", json_integer(p->line));
            json_object_set_new(o, "col", json_integer(p->col));
            json_object_set_new(o, "text", json_stringn(src + p->off, p->len));
            json_object_set_new(o, "unit",
                                json_string(rule_param_unit_name(p->unit)));
            json_object_set_new(o, "context", json_stringn(src + b, cl));
            json_array_append_new(a, o);
        }
    }
    return a;
}

/* Parse src; on success the reply object {ok, id, name, params}. A parse
 * error gives *reply {ok: false, errors} (when errors_ok) or ERR_INVALID
 * naming err_field. */
static int params_reply(const char *src, size_t len, int errors_ok,
                        const char *err_field, json_t **reply, Err *e)
{
    RuleSet *rs = NULL;
    RuleParam *ps = NULL;
    int n = 0;
    Err pe;
    int rc;

    *reply = NULL;
    err_clear(&pe);
    if (rule_set_parse(SANDBOX_DRAFT_PATH, src, len, &rs, &pe) != 0) {
        if (!errors_ok) {
            return err_set(e, ERR_INVALID, err_field,
                           "修改后的规则无法解析：%s", pe.msg);
        }
        *reply =
            json_pack("{sbs[o]}", "ok", 0, "errors", params_error_json(pe.msg));
        return 0;
    }
    rc = rule_params_list(rs, src, len, &ps, &n, e);
    if (rc == 0) {
        *reply = json_pack("{sbsssssosi}", "ok", 1, "id", rule_set_id(rs),
                           "name", rule_set_name(rs), "params",
                           params_json(src, len, ps, n), "count", n);
    }
    free(ps);
    rule_set_free(rs);
    return rc;
}

int api_rulesets_params(Ctx *c, Err *e)
{
    static const char *const fields[] = {"source", NULL};
    const char *src = NULL;
    size_t len = 0;
    json_t *reply = NULL;
    int rc;

    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = params_body_source(c, &src, &len, e);
    }
    if (rc == 0) {
        rc = params_reply(src, len, 1, "source", &reply, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, reply);
}

int api_rulesets_params_apply(Ctx *c, Err *e)
{
    static const char *const fields[] = {"source", "values", NULL};
    const char *src = NULL;
    size_t len = 0;
    json_t *vals;
    json_t *reply = NULL;
    RuleSet *rs = NULL;
    RuleParam *ps = NULL;
    RuleParamEdit *ed = NULL;
    int n = 0;
    int n_ed = 0;
    Buf out;
    Err pe;
    int rc;

    buf_init(&out, SANDBOX_SOURCE_MAX);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = params_body_source(c, &src, &len, e);
    }
    if (rc) {
        goto out;
    }
    vals = json_object_get(c->json, "values");
    if (!json_is_array(vals) || json_array_size(vals) == 0 ||
        json_array_size(vals) > RULE_PARAMS_MAX) {
        rc = err_set(e, ERR_INVALID, "values",
                     "请提供要修改的数值（values：[{index, text}]）");
        goto out;
    }
    err_clear(&pe);
    if (rule_set_parse(SANDBOX_DRAFT_PATH, src, len, &rs, &pe) != 0) {
        rc = err_set(e, ERR_INVALID, "source", "%s", pe.msg);
        goto out;
    }
    rc = rule_params_list(rs, src, len, &ps, &n, e);
    if (rc) {
        goto out;
    }
    n_ed = (int)json_array_size(vals);
    ed = calloc((size_t)n_ed, sizeof *ed);
    for (int i = 0; i < n_ed; i++) {
        json_t *v = json_array_get(vals, (size_t)i);
        json_t *ix = json_object_get(v, "index");
        json_t *tx = json_object_get(v, "text");
        if (!json_is_integer(ix) || !json_is_string(tx)) {
            char f[32];
            snprintf(f, sizeof f, "values[%d]", i);
            rc = err_set(e, ERR_INVALID, f,
                         "第 %d 个修改应为 {index: 编号, text: 新数值}", i + 1);
            goto out;
        }
        ed[i].index = json_integer_value(ix) > n ? n
                      : json_integer_value(ix) < 0
                          ? -1
                          : (int)json_integer_value(ix);
        ed[i].text = json_string_value(tx);
    }
    rc = rule_params_apply(src, len, ps, n, ed, n_ed, &out, e);
    if (rc == 0) {
        rc = params_reply(out.data, out.len, 0, "values", &reply, e);
    }
    if (rc == 0) {
        json_object_set_new(reply, "source", json_stringn(out.data, out.len));
    }
out:
    free(ed);
    free(ps);
    rule_set_free(rs);
    buf_release(&out);
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, reply);
}

/* ---- scenarios -------------------------------------------------------- */

int api_scenarios_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"name", "source", "as_of", "note",
                                         NULL};
    const char *name = NULL;
    const char *as_of = "";
    const char *note = "";
    const char *src = NULL;
    size_t len = 0;
    json_t *out = NULL;
    int64_t id = 0;
    int rc;

    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 1, SCENARIO_NAME_MAX, &name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "as_of", 0, 10, &as_of, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, SCENARIO_NOTE_MAX, &note, NULL, e);
    }
    if (rc == 0) {
        rc = params_body_source(c, &src, &len, e);
    }
    if (rc == 0) {
        rc = scenario_create(c->db, &c->actor, name, src, len, as_of, note, &id,
                             e);
    }
    if (rc == 0) {
        rc = scenario_get(c->db, &c->actor, id, 0, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, out);
}

int api_scenarios_list(Ctx *c, Err *e)
{
    static const ApiItemCol cols[] = {
        {"id", "方案编号", API_COL_INT},
        {"name", "方案名称", API_COL_TEXT},
        {"ruleset", "规则集", API_COL_TEXT},
        {"ruleset_name", "规则集名称", API_COL_TEXT},
        {"as_of", "评价日", API_COL_TEXT},
        {"note", "备注", API_COL_TEXT},
        {"unit_name", "单位", API_COL_TEXT},
        {"created_by_name", "保存人", API_COL_TEXT},
        {"created_at", "保存时间", API_COL_TEXT},
        {"last_run_at", "最近试算时间", API_COL_TEXT},
        {"last_job_id", "最近试算任务", API_COL_INT},
    };
    json_t *items = NULL;
    int64_t total = 0;
    int format = 0;
    Page p;
    int rc;

    rc = api_export_format(c, &format, e);
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0 && format) {
        /* a file has every row */
        p.offset = 0;
        p.size = SANDBOX_EXPORT_MAX;
    }
    if (rc == 0) {
        rc = scenario_list(c->db, &c->actor, p.offset, p.size, &items, &total,
                           e);
    }
    if (rc) {
        return rc;
    }
    return api_items_reply(c, items, total, &p, cols,
                           sizeof cols / sizeof cols[0], "沙盘方案", e);
}

int api_scenarios_get(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = scenario_get(c->db, &c->actor, id, 1, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_scenarios_update(Ctx *c, Err *e)
{
    static const char *const fields[] = {"name", "source", "as_of", "note",
                                         NULL};
    const char *name = NULL;
    const char *as_of = NULL;
    const char *note = NULL;
    const char *src = NULL;
    size_t len = 0;
    json_t *out = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 0, SCENARIO_NAME_MAX, &name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "as_of", 0, 10, &as_of, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, SCENARIO_NOTE_MAX, &note, NULL, e);
    }
    if (rc == 0 && json_object_get(c->json, "source")) {
        rc = params_body_source(c, &src, &len, e);
    }
    if (rc == 0) {
        rc = scenario_update(c->db, &c->actor, id, name, src, len, as_of, note,
                             e);
    }
    if (rc == 0) {
        rc = scenario_get(c->db, &c->actor, id, 0, &out, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, out);
}

int api_scenarios_delete(Ctx *c, Err *e)
{
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = scenario_delete(c->db, &c->actor, id, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}

int api_scenarios_run(Ctx *c, Err *e)
{
    json_t *job = NULL;
    int64_t id;
    int64_t job_id = 0;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc =
            scenario_run(c->db, c->app->db_location, &c->actor, id, &job_id, e);
    }
    if (rc == 0) {
        rc = job_get(c->db, &c->actor, job_id, "sandbox", &job, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 202, job);
}

int api_scenarios_compare(Ctx *c, Err *e)
{
    json_t *out = NULL;
    int64_t ia = 0;
    int64_t ib = 0;
    Page p;
    int rc;

    rc = ctx_query_int(c, "a", 0, 1, INT64_MAX, &ia, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "b", 0, 1, INT64_MAX, &ib, e);
    }
    if (rc == 0 && (ia == 0 || ib == 0)) {
        rc = err_set(e, ERR_INVALID, ia == 0 ? "a" : "b",
                     "请选择要比较的两个方案（a、b）");
    }
    if (rc == 0 && ia == ib) {
        rc = err_set(e, ERR_INVALID, "b", "请选择两个不同的方案");
    }
    if (rc == 0) {
        rc = ctx_page(c, &p, e);
    }
    if (rc == 0) {
        rc = scenario_compare(c->db, &c->actor, ia, ib, p.offset, p.size, &out,
                              e);
    }
    if (rc) {
        return rc;
    }
    json_object_set_new(out, "page", json_integer(p.page));
    json_object_set_new(out, "page_size", json_integer(p.size));
    return ctx_reply_json(c, 200, out);
}
