/* api_diag.c - the 诊断书 (diagnosis) of an enterprise: the paper a street
 * agent brings to a visit. It reads several capabilities (library,
 * eligibility, qualifications, cultivation, policy), so it lives in the API
 * layer like the home page's sections. One enterprise
 * (GET /enterprises/{id}/diagnosis) or a selection (GET /diagnoses?ids=),
 * as JSON or XLSX (one sheet per enterprise). The print page
 * (web/src/views/enterprises/DiagnosisView.vue) renders the JSON. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_export.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/money.h"
#include "base/xlsx_write.h"
#include "domain/cultivation/pipeline.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/library/ent.h"
#include "domain/policy/policy.h"
#include "domain/qual/qual_cal.h"

#define DIAG_IDS_MAX 200          /* enterprises in one selection */
#define DIAG_TASKS_MAX 200        /* open tasks listed per enterprise */
#define DIAG_XLSX_MAX (64u << 20) /* bytes of the workbook */
#define DIAG_IDS_TEXT_MAX 4096    /* bytes of ?ids= */

static const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

/* The as-of date: ?as_of= or today. */
static int diag_as_of(const Ctx *c, Date *out, Err *e)
{
    const char *s = ctx_query(c, "as_of");

    *out = date_today();
    if (!s || !*s) {
        return 0;
    }
    if (strlen(s) != 10 || date_parse(s, out, "as_of", NULL) != 0) {
        return err_set(e, ERR_INVALID, "as_of",
                       "评价日应为日期（YYYY-MM-DD），如 2026-06-30");
    }
    return 0;
}

/* The criteria of one result not met, with the engine's own texts: a
 * top-level criterion (depth 0) that is unmet, unknown or in conflict, its
 * gap, the gaps of its unmet sub-conditions and the missing data. */
static json_t *diag_criteria(json_t *rows)
{
    json_t *arr = json_array(), *cur = NULL;
    size_t i;
    json_t *r;

    json_array_foreach(rows, i, r)
    {
        const char *out = js(r, "outcome");
        const char *gap = js(r, "gap");
        int depth = (int)json_integer_value(json_object_get(r, "depth"));

        if (depth == 0) {
            cur = NULL;
            if (strcmp(out, "unmet") != 0 && strcmp(out, "unknown") != 0 &&
                strcmp(out, "conflict") != 0) {
                continue;
            }
            cur = json_pack("{sssssssssssss[]}", "criterion", js(r, "label"),
                            "outcome", out, "outcome_name",
                            js(r, "outcome_name"), "actual", js(r, "actual"),
                            "required", js(r, "required"), "missing",
                            js(r, "missing"), "gaps");
            if (*gap) {
                json_array_append_new(json_object_get(cur, "gaps"),
                                      json_string(gap));
            }
            json_array_append_new(arr, cur);
            continue;
        }
        if (cur && strcmp(out, "unmet") == 0 && *gap) {
            json_array_append_new(json_object_get(cur, "gaps"),
                                  json_string(gap));
        }
    }
    return arr;
}

/* One current result as a tier of the 诊断书 (ladder "" outside any). */
static json_t *diag_tier(json_t *r, const char *ladder)
{
    json_t *o = json_pack(
        "{sssssssssssssssOsOso}", "ladder", ladder, "tier", js(r, "tier"),
        "tier_name", elig_tier_name(js(r, "tier")), "ruleset", js(r, "ruleset"),
        "name", js(r, "name"), "verdict", js(r, "verdict"), "verdict_name",
        js(r, "verdict_name"), "score_lo", json_object_get(r, "score_lo"),
        "score_hi", json_object_get(r, "score_hi"), "criteria",
        diag_criteria(json_object_get(r, "rows")));

    if (o) {
        json_object_set(o, "missing", json_object_get(r, "missing"));
    }
    return o;
}

/* The ladder part: per tier in the ladders' order (lowest first), the
 * version that applies on the date (results[].current: one per tier), its
 * verdict and the criteria not met; then current rule sets outside any
 * ladder. */
static json_t *diag_tiers(json_t *ev)
{
    json_t *results = json_object_get(ev, "results");
    json_t *ladders = json_object_get(ev, "ladders");
    json_t *out = json_array(), *seen = json_object();
    json_t *l, *t, *r;
    size_t i, j, k;

    json_array_foreach(ladders, i, l)
    {
        json_array_foreach(json_object_get(l, "tiers"), j, t)
        {
            json_array_foreach(results, k, r)
            {
                if (json_is_true(json_object_get(r, "current")) &&
                    strcmp(js(r, "ruleset"), js(t, "ruleset")) == 0 &&
                    !json_object_get(seen, js(r, "ruleset"))) {
                    json_t *o = diag_tier(r, js(l, "ladder"));

                    if (o) {
                        json_array_append_new(out, o);
                    }
                    json_object_set_new(seen, js(r, "ruleset"), json_true());
                }
            }
        }
    }
    json_array_foreach(results, k, r)
    {
        if (json_is_true(json_object_get(r, "current")) &&
            !json_object_get(seen, js(r, "ruleset"))) {
            json_t *o = diag_tier(r, "");

            if (o) {
                json_array_append_new(out, o);
            }
        }
    }
    json_decref(seen);
    return out;
}

/* What the enterprise can apply for: the items qualified, nearly
 * qualified (gaps that can be closed) or awaiting a person's review. */
static json_t *diag_policies(json_t *m)
{
    json_t *out = json_array(), *it;
    size_t i;

    json_array_foreach(json_object_get(m, "items"), i, it)
    {
        const char *o = js(it, "outcome");
        int64_t amt = json_integer_value(json_object_get(it, "amount"));
        json_t *x;

        if (strcmp(o, "qualified") != 0 && strcmp(o, "nearly") != 0 &&
            strcmp(o, "pending") != 0) {
            continue;
        }
        x = json_pack(
            "{sOsOsOsOsOsOsOsOsOsO}", "item_id", json_object_get(it, "item_id"),
            "code", json_object_get(it, "code"), "title",
            json_object_get(it, "title"), "policy",
            json_object_get(it, "policy"), "outcome",
            json_object_get(it, "outcome"), "outcome_name",
            json_object_get(it, "outcome_name"), "basis",
            json_object_get(it, "basis"), "gaps", json_object_get(it, "gaps"),
            "reasons", json_object_get(it, "reasons"), "applied",
            json_object_get(it, "applied"));
        if (!x) {
            continue; /* a member missing: never in practice */
        }
        if (json_is_true(json_object_get(it, "money")) &&
            json_is_true(json_object_get(it, "amount_known"))) {
            Buf b;

            buf_init(&b, 64);
            money_format_wan(amt, &b);
            json_object_set_new(x, "amount_wan",
                                json_string(b.data ? b.data : ""));
            buf_release(&b);
        } else {
            json_object_set_new(x, "amount_wan", json_null());
        }
        json_array_append_new(out, x);
    }
    return out;
}

/* The 诊断书 of enterprise id on as_of; ERR_NOTFOUND outside a's scope. */
static int diag_build(Ctx *c, int64_t id, Date as_of, json_t **out, Err *e)
{
    json_t *ent = NULL, *ev = NULL, *qual = NULL, *tasks = NULL, *pm = NULL;
    PipeTaskFilter tf;
    char d[DATE_ISO_SIZE];
    int64_t total = 0;
    int y, m, dd, rc;

    *out = NULL;
    date_format_iso(as_of, d);
    date_to_ymd(as_of, &y, &m, &dd);
    rc = ent_get(c->db, &c->actor, id, &ent, e);
    if (rc == 0) {
        rc = elig_evaluate(c->db, id, as_of, NULL, NULL, 0, &ev, e);
    }
    if (rc == 0) {
        rc = qual_diagnosis(c->db, &c->actor, id, d, &qual, e);
    }
    if (rc == 0) {
        memset(&tf, 0, sizeof tf);
        tf.enterprise_id = id;
        tf.status = "open";
        rc = pipe_task_list(c->db, &c->actor, &tf, 0, DIAG_TASKS_MAX, &tasks,
                            &total, e);
    }
    if (rc == 0) {
        rc = policy_match_enterprise(c->db, &c->actor, id, y, &pm, e);
    }
    if (rc == 0) {
        *out = json_pack(
            "{sIsssIs{sIsOsOsOsOsOsOsOsOsO}sosOsOsOsosIsos{sisOso}}",
            "enterprise_id", (json_int_t)id, "as_of", d, "year", (json_int_t)y,
            "enterprise", "id", (json_int_t)id, "name",
            json_object_get(ent, "name"), "uscc", json_object_get(ent, "uscc"),
            "unit_name", json_object_get(ent, "unit_name"), "liaison_name",
            json_object_get(ent, "liaison_name"), "address",
            json_object_get(ent, "address"), "legal_rep",
            json_object_get(ent, "legal_rep"), "contact_name",
            json_object_get(ent, "contact_name"), "contact_phone",
            json_object_get(ent, "contact_phone"), "retired",
            json_object_get(ent, "retired"), "tiers", diag_tiers(ev),
            "qualifications", json_object_get(qual, "held"),
            "qualifications_past", json_object_get(qual, "past"), "upcoming",
            json_object_get(qual, "upcoming"), "tasks", tasks, "tasks_total",
            (json_int_t)total, "policies", diag_policies(pm), "policy_match",
            "year", y, "as_of", json_object_get(pm, "as_of"), "note",
            json_string("按政策年度匹配；列出符合、接近与待确认的条款"));
        tasks = NULL;
        if (!*out) {
            rc = err_set(e, ERR_INTERNAL, NULL, "诊断书生成失败");
        }
    }
    json_decref(ent);
    json_decref(ev);
    json_decref(qual);
    json_decref(tasks);
    json_decref(pm);
    return rc;
}

/* ---- XLSX: one sheet per enterprise ---- */

typedef struct DiagSheet {
    XlsxOutSheet *s;
    uint32_t row;
} DiagSheet;

/* One row of up to 6 text cells (NULL = empty). */
static int ds_row(DiagSheet *d, const char *const *cells, int n, Err *e)
{
    int rc = 0;

    for (int i = 0; rc == 0 && i < n; i++) {
        if (cells[i] && *cells[i]) {
            rc = xlsx_write_str(d->s, d->row, (uint16_t)i, cells[i], e);
        }
    }
    d->row++;
    return rc;
}

static int ds_title(DiagSheet *d, const char *text, Err *e)
{
    int rc = xlsx_write_title(d->s, d->row, 0, d->row, 5, text, e);

    d->row++;
    return rc;
}

/* Strings of an array joined by "；" (arena). */
static const char *ds_join(Ctx *c, json_t *arr)
{
    Buf b;
    json_t *v;
    size_t i;
    const char *s;

    buf_init(&b, 8192);
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && json_string_length(v)) {
            if (b.len) {
                buf_append_str(&b, "；");
            }
            buf_append_str(&b, json_string_value(v));
        }
    }
    s = arena_strdup(c->arena, b.data ? b.data : "");
    buf_release(&b);
    return s;
}

static const char *ds_score(Ctx *c, json_t *o)
{
    json_t *lo = json_object_get(o, "score_lo");
    json_t *hi = json_object_get(o, "score_hi");

    if (!json_is_integer(lo)) {
        return "";
    }
    if (json_is_integer(hi) &&
        json_integer_value(hi) != json_integer_value(lo)) {
        return arena_sprintf(c->arena, "%lld–%lld",
                             (long long)json_integer_value(lo),
                             (long long)json_integer_value(hi));
    }
    return arena_sprintf(c->arena, "%lld", (long long)json_integer_value(lo));
}

static int diag_sheet(Ctx *c, XlsxWriter *w, size_t n, json_t *dg, Err *e)
{
    json_t *ent = json_object_get(dg, "enterprise"), *v;
    char name[64];
    DiagSheet d = {0};
    size_t i;
    int rc;

    api_export_sheet_name(
        arena_sprintf(c->arena, "%zu %s", n + 1, js(ent, "name")), name,
        sizeof name);
    rc = xlsx_writer_add_sheet(w, name, &d.s, e);
    if (rc == 0) {
        rc = xlsx_set_col_width(d.s, 0, 0, 22, e);
    }
    if (rc == 0) {
        rc = xlsx_set_col_width(d.s, 1, 3, 18, e);
    }
    if (rc == 0) {
        rc = xlsx_set_col_width(d.s, 4, 5, 50, e);
    }
    if (rc == 0) {
        rc = ds_title(
            &d, arena_sprintf(c->arena, "企业诊断书：%s", js(ent, "name")), e);
    }
    if (rc == 0) {
        const char *r1[] = {"统一社会信用代码", js(ent, "uscc"),
                            "所属单位",         js(ent, "unit_name"),
                            "包联人员",         js(ent, "liaison_name")};
        rc = ds_row(&d, r1, 6, e);
    }
    if (rc == 0) {
        const char *r2[] = {"评价日",
                            js(dg, "as_of"),
                            "法定代表人",
                            js(ent, "legal_rep"),
                            "联系人",
                            arena_sprintf(c->arena, "%s %s",
                                          js(ent, "contact_name"),
                                          js(ent, "contact_phone"))};
        rc = ds_row(&d, r2, 6, e);
    }
    d.row++;
    if (rc == 0) {
        rc = ds_title(&d, "一、梯度评价（各梯队评价日适用的版本）", e);
    }
    if (rc == 0) {
        const char *h[] = {"梯队", "规则集", "结论",
                           "得分", "条件",   "差距与缺少的数据"};
        rc = ds_row(&d, h, 6, e);
    }
    json_array_foreach(json_object_get(dg, "tiers"), i, v)
    {
        json_t *cr = json_object_get(v, "criteria"), *k;
        size_t j;

        if (rc) {
            break;
        }
        {
            const char *r[] = {js(v, "tier_name"),
                               js(v, "name"),
                               js(v, "verdict_name"),
                               ds_score(c, v),
                               json_array_size(cr) ? "" : "全部满足",
                               NULL};
            rc = ds_row(&d, r, 6, e);
        }
        json_array_foreach(cr, j, k)
        {
            const char *gaps = ds_join(c, json_object_get(k, "gaps"));
            const char *r[] = {
                NULL,
                NULL,
                js(k, "outcome_name"),
                NULL,
                js(k, "criterion"),
                *gaps ? gaps
                      : (*js(k, "missing") ? arena_sprintf(c->arena, "缺少：%s",
                                                           js(k, "missing"))
                                           : js(k, "required"))};
            if (rc == 0) {
                rc = ds_row(&d, r, 6, e);
            }
        }
    }
    d.row++;
    if (rc == 0) {
        rc = ds_title(&d, "二、资质与到期", e);
    }
    if (rc == 0) {
        const char *h[] = {"资质",     "证书编号", "有效期起",
                           "有效期至", "剩余天数", "状态"};
        rc = ds_row(&d, h, 6, e);
    }
    json_array_foreach(json_object_get(dg, "qualifications"), i, v)
    {
        json_t *dl = json_object_get(v, "days_left");
        const char *r[] = {
            js(v, "kind_name"),
            js(v, "cert_no"),
            js(v, "valid_from"),
            js(v, "valid_to"),
            json_is_integer(dl)
                ? arena_sprintf(c->arena, "%lld",
                                (long long)json_integer_value(dl))
                : "",
            js(v, "status_name")};
        if (rc == 0) {
            rc = ds_row(&d, r, 6, e);
        }
    }
    json_array_foreach(json_object_get(dg, "upcoming"), i, v)
    {
        const char *r[] = {js(v, "kind_name"),
                           js(v, "cert_no"),
                           js(v, "start"),
                           js(v, "date"),
                           "",
                           js(v, "title")};
        if (rc == 0) {
            rc = ds_row(&d, r, 6, e);
        }
    }
    d.row++;
    if (rc == 0) {
        rc = ds_title(&d, "三、未完成的培育任务", e);
    }
    if (rc == 0) {
        const char *h[] = {"任务", "批次", "负责人", "期限", "条件", ""};
        rc = ds_row(&d, h, 5, e);
    }
    json_array_foreach(json_object_get(dg, "tasks"), i, v)
    {
        const char *r[] = {js(v, "title"), js(v, "batch_name"),
                           js(v, "owner_name"), js(v, "due_on"),
                           js(v, "criterion")};
        if (rc == 0) {
            rc = ds_row(&d, r, 5, e);
        }
    }
    d.row++;
    if (rc == 0) {
        rc = ds_title(&d, "四、可申请的政策", e);
    }
    if (rc == 0) {
        const char *h[] = {"政策",         "条款", "结论",
                           "金额（万元）", "依据", "差距"};
        rc = ds_row(&d, h, 6, e);
    }
    json_array_foreach(json_object_get(dg, "policies"), i, v)
    {
        const char *r[] = {
            js(v, "policy"),       js(v, "title"),
            js(v, "outcome_name"), js(v, "amount_wan"),
            js(v, "basis"),        ds_join(c, json_object_get(v, "gaps"))};
        if (rc == 0) {
            rc = ds_row(&d, r, 6, e);
        }
    }
    return rc;
}

/* Answer the diagnoses (array) as one workbook. */
static int diag_reply_xlsx(Ctx *c, json_t *list, const char *fname, Err *e)
{
    XlsxWriter *w = NULL;
    json_t *dg;
    char day[16];
    time_t now = time(NULL) + CLOCK_LOCAL_OFFSET;
    struct tm tm;
    size_t i;
    Buf out;
    int rc;

    rc = xlsx_writer_new_mem(&w, e);
    json_array_foreach(list, i, dg)
    {
        if (rc == 0) {
            rc = diag_sheet(c, w, i, dg, e);
        }
    }
    if (rc) {
        xlsx_writer_free(w);
        return rc;
    }
    buf_init(&out, DIAG_XLSX_MAX);
    rc = xlsx_writer_close_mem(w, &out, e);
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    if (rc == 0) {
        char *name = arena_sprintf(c->arena, "%s-%s.xlsx", fname, day);

        for (char *p = name; *p; p++) {
            if ((unsigned char)*p < 0x20 || strchr("/\\:*?\"<>|", *p)) {
                *p = '_';
            }
        }
        rc = ctx_reply_bytes(
            c, 200,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            out.data, out.len, name);
    }
    buf_release(&out);
    return rc;
}

static int diag_format(const Ctx *c, int *xlsx, Err *e)
{
    const char *f = ctx_query(c, "format");

    *xlsx = 0;
    if (!f || !*f || strcmp(f, "json") == 0) {
        return 0;
    }
    if (strcmp(f, "xlsx") == 0) {
        *xlsx = 1;
        return 0;
    }
    return err_set(e, ERR_INVALID, "format", "诊断书格式只能是 json 或 xlsx");
}

int api_ent_diagnosis(Ctx *c, Err *e)
{
    json_t *dg = NULL, *list;
    int64_t id;
    Date as_of = 0;
    int xlsx = 0, rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = diag_as_of(c, &as_of, e);
    }
    if (rc == 0) {
        rc = diag_format(c, &xlsx, e);
    }
    if (rc == 0) {
        rc = diag_build(c, id, as_of, &dg, e);
    }
    if (rc) {
        return rc;
    }
    if (!xlsx) {
        return ctx_reply_json(c, 200, dg);
    }
    list = json_array();
    json_array_append(list, dg);
    rc = diag_reply_xlsx(
        c, list,
        arena_sprintf(c->arena, "诊断书-%s",
                      js(json_object_get(dg, "enterprise"), "name")),
        e);
    json_decref(dg);
    json_decref(list);
    return rc;
}

/* ?ids=1,2,3: at most DIAG_IDS_MAX distinct positive ids, in order. */
static int diag_ids(const Ctx *c, int64_t *ids, size_t *n, Err *e)
{
    const char *s = ctx_query(c, "ids");
    size_t k = 0;

    *n = 0;
    if (!s || !*s) {
        return err_set(e, ERR_INVALID, "ids", "请至少选择一家企业（ids）");
    }
    if (strlen(s) > DIAG_IDS_TEXT_MAX) {
        return err_set(e, ERR_TOOBIG, "ids", "一次最多导出 %d 家企业的诊断书",
                       DIAG_IDS_MAX);
    }
    while (*s) {
        int64_t v = 0;
        int digits = 0, dup = 0;

        while (*s >= '0' && *s <= '9' && digits < 16) {
            v = v * 10 + (*s++ - '0');
            digits++;
        }
        if (!digits || v <= 0 || (*s && *s != ',')) {
            return err_set(e, ERR_INVALID, "ids",
                           "ids 第 %zu 项应为企业编号（正整数，逗号分隔）",
                           k + 1);
        }
        if (*s == ',') {
            s++;
        }
        for (size_t i = 0; i < *n; i++) {
            dup |= ids[i] == v;
        }
        k++;
        if (dup) {
            continue;
        }
        if (*n == DIAG_IDS_MAX) {
            return err_set(e, ERR_TOOBIG, "ids",
                           "一次最多导出 %d 家企业的诊断书", DIAG_IDS_MAX);
        }
        ids[(*n)++] = v;
    }
    return 0;
}

int api_diagnoses(Ctx *c, Err *e)
{
    int64_t ids[DIAG_IDS_MAX];
    json_t *list = json_array();
    size_t n = 0;
    Date as_of = 0;
    int xlsx = 0, rc;

    rc = diag_ids(c, ids, &n, e);
    if (rc == 0) {
        rc = diag_as_of(c, &as_of, e);
    }
    if (rc == 0) {
        rc = diag_format(c, &xlsx, e);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *dg = NULL;

        rc = diag_build(c, ids[i], as_of, &dg, e);
        if (rc == ERR_NOTFOUND) {
            /* one enterprise outside the actor's scope refuses the whole
             * selection, naming it */
            rc = err_set(e, ERR_NOTFOUND, "ids",
                         "第 %zu 家企业（编号 %lld）不存在或不在本单位范围内",
                         i + 1, (long long)ids[i]);
        }
        if (rc == 0) {
            json_array_append_new(list, dg);
        }
    }
    if (rc == 0 && !xlsx) {
        return ctx_reply_json(c, 200, json_pack("{so}", "items", list));
    }
    if (rc == 0) {
        rc = diag_reply_xlsx(c, list, "诊断书", e);
    }
    json_decref(list);
    return rc;
}
