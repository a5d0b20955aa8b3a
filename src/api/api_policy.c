/* api_policy.c - the policy pool: policies and items, matching (one
 * enterprise's 可享政策, the district's candidates, 免申即享), applications
 * and their reviews, public notices with objections, payment batches,
 * claw-backs and budgets. Every list answers {items, total} or, with
 * ?format=csv|xlsx, the same rows as a file. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_export.h"
#include "api/api_items.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/money.h"
#include "domain/policy/policy.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Answer a whole (unpaged) list: JSON {items, total} or the file asked
 * for, through the shared list helper. Steals items. */
static int reply_list(Ctx *c, json_t *items, const ApiItemCol *cols, size_t n,
                      const char *name, Err *e)
{
    return api_items_reply(c, items, 0, NULL, cols, n, name, e);
}

static int query_year(Ctx *c, int *year, Err *e)
{
    int64_t y;
    int def, m, d;
    int rc;

    date_to_ymd(date_today(), &def, &m, &d);
    rc = ctx_query_int(c, "year", def, 2000, 2100, &y, e);
    *year = (int)y;
    return rc;
}

/* ---- policies and items ---- */

static const ApiItemCol policy_cols[] = {
    {"code", "编码", API_COL_TEXT},
    {"title", "政策名称", API_COL_TEXT},
    {"doc_no", "文号", API_COL_TEXT},
    {"issuer", "发文机关", API_COL_TEXT},
    {"level_name", "层级", API_COL_TEXT},
    {"effective_from", "生效日", API_COL_DATE},
    {"effective_to", "截止日", API_COL_DATE},
    {"status", "状态", API_COL_TEXT},
    {"n_items", "条款数", API_COL_INT},
    {"source", "来源", API_COL_TEXT},
};

int api_policies_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int rc =
        policy_list(c->db, ctx_query(c, "q"), ctx_query(c, "level"), &items, e);

    if (rc) {
        return rc;
    }
    return reply_list(c, items, policy_cols, N_OF(policy_cols), "政策池", e);
}

int api_policies_create(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id = 0;
    int rc = policy_save(c->db, &c->actor, 0, c->json, &id, e);

    if (rc == 0) {
        rc = policy_get(c->db, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, o);
}

int api_policies_get(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "pid", &id, e);

    if (rc == 0) {
        rc = policy_get(c->db, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, o);
}

int api_policies_update(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id, out;
    int rc = ctx_param_id(c, "pid", &id, e);

    if (rc == 0) {
        rc = policy_save(c->db, &c->actor, id, c->json, &out, e);
    }
    if (rc == 0) {
        rc = policy_get(c->db, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, o);
}

int api_policy_items_create(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t pid, id = 0;
    int rc = ctx_param_id(c, "pid", &pid, e);

    if (rc == 0) {
        rc = policy_item_save(c->db, &c->actor, pid, 0, c->json, &id, e);
    }
    if (rc == 0) {
        rc = policy_item_get(c->db, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, o);
}

static const ApiItemCol item_cols[] = {
    {"code", "编码", API_COL_TEXT},
    {"title", "条款", API_COL_TEXT},
    {"policy_title", "所属政策", API_COL_TEXT},
    {"amount_kind_name", "金额方式", API_COL_TEXT},
    {"formula", "金额公式", API_COL_TEXT},
    {"budget_line", "预算科目", API_COL_TEXT},
    {"auto_grant", "免申即享", API_COL_TEXT},
    {"stack_rule_name", "叠加规则", API_COL_TEXT},
    {"window_from", "申报开始", API_COL_DATE},
    {"window_to", "申报截止", API_COL_DATE},
    {"status", "状态", API_COL_TEXT},
};

int api_policy_items_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int rc = policy_items_list(c->db, &items, e);

    if (rc) {
        return rc;
    }
    return reply_list(c, items, item_cols, N_OF(item_cols), "政策条款", e);
}

int api_policy_items_get(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "iid", &id, e);

    if (rc == 0) {
        rc = policy_item_get(c->db, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, o);
}

int api_policy_items_update(Ctx *c, Err *e)
{
    json_t *o = NULL, *pid;
    int64_t id, out = 0;
    int rc = ctx_param_id(c, "iid", &id, e);

    if (rc == 0) {
        rc = policy_item_get(c->db, id, &o, e);
    }
    if (rc) {
        return rc;
    }
    pid = json_object_get(o, "policy_id");
    rc = policy_item_save(c->db, &c->actor, json_integer_value(pid), id,
                          c->json, &out, e);
    json_decref(o);
    o = NULL;
    if (rc == 0) {
        rc = policy_item_get(c->db, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, o);
}

/* ---- matching ---- */

static const ApiItemCol match_cols[] = {
    {"title", "政策条款", API_COL_TEXT},
    {"policy", "所属政策", API_COL_TEXT},
    {"outcome_name", "结论", API_COL_TEXT},
    {"amount", "可得金额（万元）", API_ITEMS_YUAN},
    {"basis", "金额计算", API_COL_TEXT},
    {"reasons", "原因", API_COL_TEXT},
    {"gaps", "差距", API_COL_TEXT},
    {"applied", "申请状态", API_COL_TEXT},
    {"status", "条款状态", API_COL_TEXT},
};

int api_ent_policies(Ctx *c, Err *e)
{
    json_t *o = NULL, *items;
    int64_t id;
    int year, rc;
    int format = 0;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = query_year(c, &year, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = policy_match_enterprise(c->db, &c->actor, id, year, &o, e);
    }
    if (rc) {
        return rc;
    }
    if (!format) {
        return ctx_reply_json(c, 200, o);
    }
    items = json_incref(json_object_get(o, "items"));
    json_decref(o);
    return reply_list(c, items, match_cols, N_OF(match_cols), "可享政策", e);
}

static const ApiItemCol cand_cols[] = {
    {"#", "序号", API_COL_INT},
    {"name", "企业名称", API_COL_TEXT},
    {"uscc", "统一社会信用代码", API_COL_TEXT},
    {"unit_name", "所属街道（园区）", API_COL_TEXT},
    {"outcome_name", "结论", API_COL_TEXT},
    {"amount", "金额（万元）", API_ITEMS_YUAN},
    {"basis", "金额计算", API_COL_TEXT},
    {"applied", "申请情况", API_COL_TEXT},
};

int api_policy_candidates(Ctx *c, Err *e)
{
    const char *want_s = ctx_query(c, "outcome");
    json_t *rows = NULL;
    unsigned want = 0;
    int64_t id;
    int year, rc;

    rc = ctx_param_id(c, "iid", &id, e);
    if (rc == 0) {
        rc = query_year(c, &year, e);
    }
    if (rc) {
        return rc;
    }
    if (want_s && *want_s) {
        for (int m = POLICY_M_QUALIFIED; m <= POLICY_M_NOT; m++) {
            if (strstr(want_s, policy_match_code(m))) {
                want |= 1u << m;
            }
        }
        if (!want) {
            return err_set(e, ERR_INVALID, "outcome",
                           "outcome 可为 qualified、unknown、pending、not "
                           "（逗号分隔）");
        }
    }
    rc = policy_candidates(c->db, &c->actor, id, year, want, &rows, e);
    if (rc) {
        return rc;
    }
    return reply_list(c, rows, cand_cols, N_OF(cand_cols), "候选企业", e);
}

int api_policy_entitled(Ctx *c, Err *e)
{
    json_t *rows = NULL;
    int64_t id;
    int year, rc;

    rc = ctx_param_id(c, "iid", &id, e);
    if (rc == 0) {
        rc = query_year(c, &year, e);
    }
    if (rc == 0) {
        rc = policy_entitled(c->db, &c->actor, id, year, &rows, e);
    }
    if (rc) {
        return rc;
    }
    return reply_list(c, rows, cand_cols, N_OF(cand_cols), "免申即享名单", e);
}

int api_policy_entitled_confirm(Ctx *c, Err *e)
{
    static const char *const fields[] = {"year", "enterprise_ids", NULL};
    int64_t id, year, n = 0;
    int rc;

    rc = ctx_param_id(c, "iid", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "year", 1, 2000, 2100, &year, NULL, e);
    }
    if (rc == 0) {
        rc = policy_entitled_confirm(c->db, &c->actor, id, (int)year,
                                     json_object_get(c->json, "enterprise_ids"),
                                     &n, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 201, json_pack("{s:I}", "created", (json_int_t)n));
}

/* ---- applications ---- */

static const ApiItemCol app_cols[] = {
    {"id", "申请编号", API_COL_INT},
    {"enterprise_name", "企业名称", API_COL_TEXT},
    {"uscc", "统一社会信用代码", API_COL_TEXT},
    {"unit_name", "所属街道（园区）", API_COL_TEXT},
    {"item_title", "政策条款", API_COL_TEXT},
    {"year", "年度", API_COL_INT},
    {"channel_name", "方式", API_COL_TEXT},
    {"status_name", "状态", API_COL_TEXT},
    {"amount", "核定金额（万元）", API_ITEMS_YUAN},
    {"paid", "已拨付（万元）", API_ITEMS_YUAN},
    {"applied_on", "申请日", API_COL_DATE},
    {"basis", "金额计算", API_COL_TEXT},
};

int api_policy_apps_list(Ctx *c, Err *e)
{
    PolicyAppFilter f;
    json_t *items = NULL;
    Page pg = {1, 20, 0};
    int format = 0, rc;

    memset(&f, 0, sizeof f);
    f.status = ctx_query(c, "status");
    rc = ctx_query_int(c, "item_id", 0, 0, INT64_MAX, &f.item_id, e);
    if (rc == 0) {
        rc = ctx_query_int(c, "year", 0, 0, 2100, &f.year, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "enterprise_id", 0, 0, INT64_MAX,
                           &f.enterprise_id, e);
    }
    if (rc == 0) {
        rc = ctx_query_int(c, "notice_id", 0, 0, INT64_MAX, &f.notice_id, e);
    }
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0 && !format) {
        rc = ctx_page(c, &pg, e);
    }
    if (rc == 0) {
        rc = policy_app_list(c->db, &c->actor, &f, &items, e);
    }
    if (rc) {
        return rc;
    }
    if (!format) {
        /* one page of the list (exports have every row) */
        json_t *page = json_array();
        size_t n = json_array_size(items);

        for (size_t i = (size_t)pg.offset;
             i < n && i < (size_t)(pg.offset + pg.size); i++) {
            json_array_append(page, json_array_get(items, i));
        }
        json_decref(items);
        return ctx_reply_json(
            c, 200,
            json_pack("{s:o,s:I}", "items", page, "total", (json_int_t)n));
    }
    return reply_list(c, items, app_cols, N_OF(app_cols), "政策申请", e);
}

int api_policy_apps_create(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id = 0;
    int rc = policy_app_create(c->db, &c->actor, c->json, &id, e);

    if (rc == 0) {
        rc = policy_app_get(c->db, &c->actor, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, o);
}

int api_policy_apps_get(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "aid", &id, e);

    if (rc == 0) {
        rc = policy_app_get(c->db, &c->actor, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, o);
}

int api_policy_apps_review(Ctx *c, Err *e)
{
    static const char *const fields[] = {"stage", "decision", "note", NULL};
    const char *stage = NULL, *decision = NULL, *note = NULL;
    json_t *o = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "aid", &id, e);

    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "stage", 1, 16, &stage, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "decision", 1, 16, &decision, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "note", 0, 1000, &note, NULL, e);
    }
    if (rc == 0) {
        rc = policy_app_review(c->db, &c->actor, id, stage, decision, note, e);
    }
    if (rc == 0) {
        rc = policy_app_get(c->db, &c->actor, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, o);
}

int api_policy_apps_clawback(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "aid", &id, e);

    if (rc == 0) {
        rc = policy_app_clawback(c->db, &c->actor, id, c->json, e);
    }
    if (rc == 0) {
        rc = policy_app_get(c->db, &c->actor, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, o);
}

/* ---- notices ---- */

static const ApiItemCol notice_cols[] = {
    {"id", "编号", API_COL_INT},
    {"title", "公示名称", API_COL_TEXT},
    {"start_on", "公示开始", API_COL_DATE},
    {"end_on", "公示截止", API_COL_DATE},
    {"n_applications", "企业数", API_COL_INT},
    {"total", "拟兑现合计（万元）", API_ITEMS_YUAN},
};

int api_policy_notices_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int rc = policy_notice_list(c->db, &c->actor, &items, e);

    if (rc) {
        return rc;
    }
    return reply_list(c, items, notice_cols, N_OF(notice_cols), "兑现公示", e);
}

int api_policy_notices_create(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id = 0;
    int rc = policy_notice_create(c->db, &c->actor, c->json, &id, e);

    if (rc == 0) {
        rc = policy_notice_get(c->db, &c->actor, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, o);
}

/* The notice as a bureau publishes it: a title line, the notice period
 * and where to object, then 序号 / 企业名称 / 统一社会信用代码 / 所属街道 /
 * 政策事项 / 拟兑现金额（万元）. CSV carries the heading lines; XLSX has
 * the table, with the title as the file name. */
static const ApiItemCol publish_cols[] = {
    {"#", "序号", API_COL_INT},
    {"enterprise_name", "企业名称", API_COL_TEXT},
    {"uscc", "统一社会信用代码", API_COL_TEXT},
    {"unit_name", "所属街道（园区）", API_COL_TEXT},
    {"item_title", "政策事项", API_COL_TEXT},
    {"amount", "拟兑现金额（万元）", API_ITEMS_YUAN},
};

int api_policy_notices_get(Ctx *c, Err *e)
{
    json_t *o = NULL, *apps, *r;
    int64_t id;
    int format = 0, rc;
    Buf b;
    size_t i;

    rc = ctx_param_id(c, "nid", &id, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = policy_notice_get(c->db, &c->actor, id, &o, e);
    }
    if (rc) {
        return rc;
    }
    if (!format) {
        return ctx_reply_json(c, 200, o);
    }
    apps = json_incref(json_object_get(o, "applications"));
    if (format == API_EXPORT_XLSX) {
        char name[256];

        snprintf(name, sizeof name, "%s",
                 json_string_value(json_object_get(o, "title")));
        json_decref(o);
        return reply_list(c, apps, publish_cols, N_OF(publish_cols), name, e);
    }
    buf_init(&b, 16 << 20);
    buf_append_str(&b, "\xEF\xBB\xBF");
    {
        const char *t = json_string_value(json_object_get(o, "title"));
        const char *ct = json_string_value(json_object_get(o, "contact"));
        char line[1024];

        buf_append_csv_field(&b, t, strlen(t));
        buf_append_str(&b, "\r\n");
        snprintf(line, sizeof line, "公示期：%s 至 %s",
                 json_string_value(json_object_get(o, "start_on")),
                 json_string_value(json_object_get(o, "end_on")));
        buf_append_csv_field(&b, line, strlen(line));
        buf_append_str(&b, "\r\n");
        snprintf(
            line, sizeof line,
            "公示期内如有异议，请以书面形式向%s反映（署真实姓名和联系方式）",
            ct ? ct : "区科技局");
        buf_append_csv_field(&b, line, strlen(line));
        buf_append_str(&b, "\r\n\r\n");
    }
    for (size_t k = 0; k < N_OF(publish_cols); k++) {
        buf_appendf(&b, "%s%s", k ? "," : "", publish_cols[k].title);
    }
    buf_append_str(&b, "\r\n");
    json_array_foreach(apps, i, r)
    {
        const char *s;
        char num[32];

        snprintf(num, sizeof num, "%zu,", i + 1);
        buf_append_str(&b, num);
        s = json_string_value(json_object_get(r, "enterprise_name"));
        buf_append_csv_field(&b, s, strlen(s));
        buf_append_char(&b, ',');
        s = json_string_value(json_object_get(r, "uscc"));
        buf_append_csv_field(&b, s, strlen(s));
        buf_append_char(&b, ',');
        s = json_string_value(json_object_get(r, "unit_name"));
        buf_append_csv_field(&b, s, strlen(s));
        buf_append_char(&b, ',');
        s = json_string_value(json_object_get(r, "item_title"));
        buf_append_csv_field(&b, s, strlen(s));
        buf_append_char(&b, ',');
        buf_append_str(&b, json_string_value(json_object_get(r, "amount_wan")));
        buf_append_str(&b, "\r\n");
    }
    json_decref(apps);
    json_decref(o);
    {
        size_t len = 0;
        char *s = buf_detach(&b, &len);

        if (!s) {
            return err_set(e, ERR_TOOBIG, NULL, "公示名单过大");
        }
        rc = ctx_reply_bytes(c, 200, "text/csv; charset=utf-8", s, len,
                             "兑现公示.csv");
        free(s);
    }
    return rc;
}

int api_policy_objections_create(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t nid, id = 0;
    int rc = ctx_param_id(c, "nid", &nid, e);

    if (rc == 0) {
        rc = policy_objection_create(c->db, &c->actor, nid, c->json, &id, e);
    }
    if (rc == 0) {
        rc = policy_notice_get(c->db, &c->actor, nid, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, o);
}

int api_policy_objections_resolve(Ctx *c, Err *e)
{
    int64_t id;
    int rc = ctx_param_id(c, "oid", &id, e);

    if (rc == 0) {
        rc = policy_objection_resolve(c->db, &c->actor, id, c->json, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, json_pack("{s:b}", "ok", 1));
}

/* ---- payment batches and budgets ---- */

static const ApiItemCol batch_cols[] = {
    {"id", "批次编号", API_COL_INT},
    {"title", "批次名称", API_COL_TEXT},
    {"paid_on", "拨付日期", API_COL_DATE},
    {"voucher_no", "凭证号", API_COL_TEXT},
    {"n_rows", "笔数", API_COL_INT},
    {"total", "合计（万元）", API_ITEMS_YUAN},
};

int api_policy_batches_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int rc = policy_batch_list(c->db, &c->actor, &items, e);

    if (rc) {
        return rc;
    }
    return reply_list(c, items, batch_cols, N_OF(batch_cols), "拨付批次", e);
}

int api_policy_batches_create(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id = 0;
    int rc = policy_batch_create(c->db, &c->actor, c->json, &id, e);

    if (rc == 0) {
        rc = policy_batch_get(c->db, &c->actor, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 201, o);
}

static const ApiItemCol pay_cols[] = {
    {"#", "序号", API_COL_INT},
    {"enterprise_name", "企业名称", API_COL_TEXT},
    {"uscc", "统一社会信用代码", API_COL_TEXT},
    {"unit_name", "所属街道（园区）", API_COL_TEXT},
    {"item_title", "政策事项", API_COL_TEXT},
    {"amount", "拨付金额（万元）", API_ITEMS_YUAN},
    {"paid_on", "拨付日期", API_COL_DATE},
    {"voucher_no", "凭证号", API_COL_TEXT},
};

int api_policy_batches_get(Ctx *c, Err *e)
{
    json_t *o = NULL, *rows;
    int64_t id;
    int format = 0, rc;

    rc = ctx_param_id(c, "bid", &id, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = policy_batch_get(c->db, &c->actor, id, &o, e);
    }
    if (rc) {
        return rc;
    }
    if (!format) {
        return ctx_reply_json(c, 200, o);
    }
    rows = json_incref(json_object_get(o, "payments"));
    json_decref(o);
    return reply_list(c, rows, pay_cols, N_OF(pay_cols), "拨付明细", e);
}

static const ApiItemCol budget_cols[] = {
    {"line", "预算科目", API_COL_TEXT},
    {"year", "年度", API_COL_INT},
    {"amount", "预算（万元）", API_ITEMS_YUAN},
    {"committed", "已核定未拨付（万元）", API_ITEMS_YUAN},
    {"paid", "已拨付（万元）", API_ITEMS_YUAN},
    {"remaining", "剩余（万元）", API_ITEMS_YUAN},
};

int api_policy_budgets_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int year, rc;

    rc = query_year(c, &year, e);
    if (rc == 0) {
        rc = policy_budget_list(c->db, year, &items, e);
    }
    if (rc) {
        return rc;
    }
    return reply_list(c, items, budget_cols, N_OF(budget_cols), "政策预算", e);
}

int api_policy_budgets_put(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int rc = policy_budget_put(c->db, &c->actor, c->json, e);

    if (rc == 0) {
        rc = policy_budget_list(
            c->db, json_integer_value(json_object_get(c->json, "year")), &items,
            e);
    }
    return rc ? rc
              : ctx_reply_json(c, 200,
                               json_pack("{s:o,s:I}", "items", items, "total",
                                         (json_int_t)json_array_size(items)));
}

/* ---- budget sandbox ---- */

int api_policy_sandbox(Ctx *c, Err *e)
{
    static const char *const fields[] = {"year", "changes", "name", NULL};
    const char *name = NULL;
    json_t *o = NULL;
    int64_t iid, year, sid = 0;
    int rc = ctx_param_id(c, "iid", &iid, e);

    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "year", 1, 2000, 2100, &year, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 0, 200, &name, NULL, e);
    }
    if (rc == 0) {
        rc = policy_sandbox_run(c->db, &c->actor, iid, (int)year,
                                json_object_get(c->json, "changes"),
                                name && *name ? name : NULL, &o, &sid, e);
    }
    return rc ? rc : ctx_reply_json(c, sid ? 201 : 200, o);
}

static const ApiItemCol scenario_cols[] = {
    {"id", "编号", API_COL_INT},
    {"item_title", "政策条款", API_COL_TEXT},
    {"name", "方案", API_COL_TEXT},
    {"year", "年度", API_COL_INT},
    {"params", "参数", API_COL_TEXT},
    {"n_gained", "新增符合", API_COL_INT},
    {"n_lost", "不再符合", API_COL_INT},
    {"delta_cost", "成本变化（万元）", API_ITEMS_YUAN},
    {"created_at", "保存时间", API_COL_TIME},
};

int api_policy_scenarios_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int64_t item_id = 0;
    int rc = ctx_query_int(c, "item_id", 0, 0, INT64_MAX, &item_id, e);

    if (rc == 0) {
        rc = policy_scenarios_list(c->db, &c->actor, item_id, &items, e);
    }
    if (rc) {
        return rc;
    }
    return reply_list(c, items, scenario_cols, N_OF(scenario_cols),
                      "预算沙盘方案", e);
}

int api_policy_scenarios_get(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id;
    int rc = ctx_param_id(c, "sid", &id, e);

    if (rc == 0) {
        rc = policy_scenario_get(c->db, &c->actor, id, &o, e);
    }
    return rc ? rc : ctx_reply_json(c, 200, o);
}

static const ApiItemCol district_cols[] = {
    {"code", "编码", API_COL_TEXT},
    {"title", "政策条款", API_COL_TEXT},
    {"qualified", "符合企业", API_COL_INT},
    {"unknown", "缺数据企业", API_COL_INT},
    {"cost", "金额合计（万元）", API_ITEMS_YUAN},
    {"claimed_base", "按申报金额计算", API_COL_TEXT},
};

int api_policy_district(Ctx *c, Err *e)
{
    json_t *o = NULL, *items;
    int format = 0, year, rc;

    rc = query_year(c, &year, e);
    if (rc == 0) {
        rc = api_export_format(c, &format, e);
    }
    if (rc == 0) {
        rc = policy_district_summary(c->db, &c->actor, year, &o, e);
    }
    if (rc) {
        return rc;
    }
    if (!format) {
        return ctx_reply_json(c, 200, o);
    }
    items = json_incref(json_object_get(o, "items"));
    json_decref(o);
    return reply_list(c, items, district_cols, N_OF(district_cols),
                      "全区政策匹配", e);
}
