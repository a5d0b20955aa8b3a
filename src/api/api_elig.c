/* api_elig.c - eligibility of one enterprise (with what-if), declarations,
 * whole-library screenings and the stored decisions (list, export,
 * counts by unit). */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/api_export.h"
#include "base/date.h"
#include "domain/eligibility/decl.h"
#include "domain/eligibility/elig_decisions.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/eligibility/elig_screen.h"
#include "domain/eligibility/ruleset.h"
#include "domain/jobs/job.h"

#define SCREENING_KIND "screening"

/* as_of from a query value or body member: today when absent. */
static int as_of_parse(const char *s, Date *out, Err *e)
{
    *out = date_today();
    if (!s || !*s) {
        return 0;
    }
    if (strlen(s) > 10) {
        return err_set(e, ERR_INVALID, "as_of", "评价日应为 YYYY-MM-DD");
    }
    return date_parse(s, out, "as_of", e);
}

/* A rule set id argument: short, plain characters. */
static int ruleset_arg(const char *s, const char *field, Err *e)
{
    if (s &&
        (strlen(s) > 64 ||
         strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(s))) {
        return err_set(e, ERR_INVALID, field, "规则集编号无效");
    }
    return 0;
}

int api_elig_get(Ctx *c, Err *e)
{
    const char *rs = ctx_query(c, "ruleset");
    json_t *o = NULL;
    int64_t id;
    Date as_of;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = as_of_parse(ctx_query(c, "as_of"), &as_of, e);
    }
    if (rc == 0) {
        rc = ruleset_arg(rs, "ruleset", e);
    }
    if (rc == 0) {
        rc = elig_evaluate(c->db, id, as_of, rs && *rs ? rs : NULL, NULL, 0, &o,
                           e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, o);
}

int api_elig_whatif(Ctx *c, Err *e)
{
    static const char *const fields[] = {"as_of", "ruleset", "overrides", NULL};
    const char *as_of_s = NULL, *rs = NULL;
    const char *ov[ELIG_OVERRIDES_MAX];
    json_t *arr, *o = NULL;
    int64_t id;
    Date as_of;
    size_t i, n = 0;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "as_of", 0, 10, &as_of_s, NULL, e);
    }
    if (rc == 0) {
        rc = as_of_parse(as_of_s, &as_of, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "ruleset", 0, 64, &rs, NULL, e);
    }
    if (rc == 0) {
        rc = ruleset_arg(rs, "ruleset", e);
    }
    if (rc) {
        return rc;
    }
    arr = json_object_get(c->json, "overrides");
    if (arr && !json_is_array(arr)) {
        return err_set(e, ERR_INVALID, "overrides",
                       "overrides 应为数组，如 [\"employees[2025]=80\"]");
    }
    n = arr ? json_array_size(arr) : 0;
    if (n > ELIG_OVERRIDES_MAX) {
        return err_set(e, ERR_TOOBIG, "overrides", "假设条件最多 %d 条",
                       ELIG_OVERRIDES_MAX);
    }
    for (i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);

        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > 200) {
            char name[32];

            snprintf(name, sizeof name, "overrides[%zu]", i);
            return err_set(e, ERR_INVALID, name,
                           "第 %zu 条假设应为“字段=值”文本（不超过 200 字节）",
                           i + 1);
        }
        ov[i] = json_string_value(v);
    }
    rc = elig_evaluate(c->db, id, as_of, rs && *rs ? rs : NULL, ov, (int)n, &o,
                       e);
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, o);
}

int api_decl_get(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = decl_get(c->db, id, &o, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, o);
}

int api_decl_put(Ctx *c, Err *e)
{
    static const char *const fields[] = {"items", NULL};
    json_t *o = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_json_fields(c, fields, e);
    }
    if (rc == 0) {
        rc = decl_put(c->db, &c->actor, id, json_object_get(c->json, "items"),
                      e);
    }
    if (rc == 0) {
        rc = decl_get(c->db, id, &o, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, o);
}

int api_screenings_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"rulesets", "as_of", NULL};
    const char *as_of_s = NULL;
    json_t *sets, *job = NULL;
    int64_t id = 0;
    Date as_of;
    int rc;

    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "as_of", 0, 10, &as_of_s, NULL, e);
    }
    if (rc == 0) {
        rc = as_of_parse(as_of_s, &as_of, e);
    }
    if (rc) {
        return rc;
    }
    sets = json_object_get(c->json, "rulesets");
    if (sets && json_is_null(sets)) {
        sets = NULL;
    }
    rc = elig_screen_start(c->db, c->app->db_location, &c->actor, sets, as_of,
                           &id, e);
    if (rc == 0) {
        rc = job_get(c->db, &c->actor, id, SCREENING_KIND, &job, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 202, job);
}

int api_screenings_list(Ctx *c, Err *e)
{
    const char *scope = ctx_query(c, "scope");
    json_t *items = NULL;
    int64_t total = 0;
    int own = 0;
    Page p;
    int rc;

    /* scope=own: the runs over exactly the actor's unit (its "最近一次筛查"),
     * not those a street agent below it started */
    if (scope && scope[0]) {
        if (strcmp(scope, "own") == 0) {
            own = 1;
        } else if (strcmp(scope, "all") != 0) {
            return err_set(e, ERR_INVALID, "scope", "scope 只能是 own 或 all");
        }
    }
    rc = ctx_page(c, &p, e);
    if (rc == 0) {
        rc = job_list_in(c->db, &c->actor, SCREENING_KIND, own, p.offset,
                         p.size, &items, &total, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_page(c, items, total, &p);
}

/* Filters from the query string. */
static int dec_filter(const Ctx *c, DecFilter *f, Err *e)
{
    int64_t unit = 0;
    int rc;

    memset(f, 0, sizeof *f);
    f->ruleset = ctx_query(c, "ruleset");
    f->q = ctx_query(c, "q");
    f->sort = ctx_query(c, "sort");
    rc = ruleset_arg(f->ruleset, "ruleset", e);
    if (rc == 0) {
        rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &unit, e);
    }
    f->unit_id = unit;
    if (rc == 0) {
        rc = elig_filter_check(f, ctx_query(c, "verdict"), e);
    }
    return rc;
}

/* Export row writer. */
static int export_row(void *ud, json_t *it, Err *e)
{
    ApiExport *x = ud;
    char lo[24] = "", hi[24] = "", unmet[24];
    const char *cells[11];
    json_t *v;

    v = json_object_get(it, "score_lo");
    if (json_is_integer(v)) {
        snprintf(lo, sizeof lo, "%lld", (long long)json_integer_value(v));
    }
    v = json_object_get(it, "score_hi");
    if (json_is_integer(v)) {
        snprintf(hi, sizeof hi, "%lld", (long long)json_integer_value(v));
    }
    snprintf(unmet, sizeof unmet, "%lld",
             (long long)json_integer_value(json_object_get(it, "unmet")));
    cells[0] = json_string_value(json_object_get(it, "uscc"));
    cells[1] = json_string_value(json_object_get(it, "name"));
    cells[2] = json_string_value(json_object_get(it, "unit_name"));
    cells[3] = json_string_value(json_object_get(it, "verdict_name"));
    cells[4] = lo;
    cells[5] = hi;
    cells[6] = unmet;
    cells[7] = json_string_value(json_object_get(it, "gaps"));
    cells[8] = json_string_value(json_object_get(it, "as_of"));
    cells[9] = json_string_value(json_object_get(it, "evaluated_at"));
    cells[10] = json_is_true(json_object_get(it, "stale")) ? "是" : "否";
    return api_export_row(x, cells, e);
}

int api_decisions_list(Ctx *c, Err *e)
{
    static const char *const titles[] = {
        "统一社会信用代码", "企业名称", "所属单位",     "结论",
        "最低得分",         "最高得分", "未达标条件数", "差距与缺少的数据",
        "评价日",           "评估时间", "需重新评价"};
    static const unsigned char numeric[] = {
        API_COL_TEXT, API_COL_TEXT, API_COL_TEXT, API_COL_TEXT,
        API_COL_INT,  API_COL_INT,  API_COL_INT,  API_COL_TEXT,
        API_COL_DATE, API_COL_TIME, API_COL_TEXT};
    /* the list's column names (DecisionsView), for ?columns= */
    static const char *const keys[] = {
        "uscc",  "name", "unit_name", "verdict",      "score_lo", "score_lo",
        "unmet", "gaps", "as_of",     "evaluated_at", "stale"};
    DecFilter f;
    json_t *items = NULL;
    int64_t total = 0;
    int fmt = 0, rc;
    Page p;

    rc = dec_filter(c, &f, e);
    if (rc == 0) {
        rc = api_export_format(c, &fmt, e);
    }
    if (rc) {
        return rc;
    }
    if (fmt) {
        /* named after the rule set: "高新技术企业认定-…" in the file name
         * and (cut to 31 characters) the sheet name */
        const RuleSetEntry *rse = ruleset_find(ruleset_current(), f.ruleset);
        const char *rsname =
            rse && rule_set_name(rse->rs) && *rule_set_name(rse->rs)
                ? rule_set_name(rse->rs)
                : f.ruleset;
        const char *fname =
            rsname ? arena_sprintf(c->arena, "资格评估结论-%s", rsname)
                   : "资格评估结论";
        ApiExport x;

        rc = api_export_begin_cols(&x, c, fmt, keys, titles, numeric, 11,
                                   rsname ? rsname : "资格评估结论", e);
        if (rc == 0) {
            rc = elig_decisions_each(c->db, &c->actor, &f, export_row, &x, e);
            if (rc) {
                api_export_release(&x);
            }
        }
        if (rc == 0) {
            rc = api_export_reply(c, &x, fname, e);
        }
        return rc;
    }
    rc = ctx_page(c, &p, e);
    if (rc == 0) {
        rc = elig_decisions_list(c->db, &c->actor, &f, p.offset, p.size, &items,
                                 &total, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_page(c, items, total, &p);
}

int api_decisions_summary(Ctx *c, Err *e)
{
    json_t *o = NULL;
    int64_t unit = 0;
    int rc;

    rc = ctx_query_int(c, "unit_id", 0, 0, INT64_MAX, &unit, e);
    if (rc == 0) {
        rc = elig_decisions_summary(c->db, &c->actor, unit, &o, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, o);
}
