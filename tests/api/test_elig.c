/* test_elig.c - eligibility through the real dispatcher: an enterprise
 * entered through the API evaluates as expected, what-if changes the
 * verdict (bad overrides name their index), declarations are validated and
 * audited, a screening job runs to done and the decision list, filters,
 * summary and export reflect it, and a 街道 agent sees only its unit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_export.h"
#include "base/uscc.h"
#include "base/xlsx_read.h"
#include "common/apitest.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/eligibility/dec_cols.h"
#include "domain/eligibility/ruleset.h"
#include "domain/jobs/job.h"

#define AS_OF "2026-06-30"

static int setup(void **state)
{
    *state = apitest_new();
    return 0;
}

static int teardown(void **state)
{
    job_wait_all(1);
    apitest_free(*state);
    return 0;
}

static void put_ok(ApiTest *t, const char *url, const char *body)
{
    ApiResp r;

    apitest_request(t, "PUT", url, body, NULL, &r);
    if (r.status != 200) {
        fail_msg("PUT %s: %d %s", url, r.status, r.body);
    }
    apiresp_release(&r);
}

/* A 高企 candidate entered through the API in unit: figures 2023-2025,
 * one invention patent, declared conversions. hitech is the 2025
 * high-tech income in 元. */
static int64_t candidate(ApiTest *t, int n, int64_t unit, long long hitech)
{
    char code[USCC_LEN + 1], body[1024], url[128];
    int64_t id;

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"uscc\":\"%s\",\"name\":\"候选企业%d\",\"unit_id\":%lld,"
             "\"established_on\":\"2015-03-01\",\"tech_domain\":1}",
             code, n, (long long)unit);
    id = apitest_post_id(t, "/api/v1/enterprises", body);
    for (int y = 2023; y <= 2025; y++) {
        snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/%d",
                 (long long)id, y);
        snprintf(body, sizeof body,
                 "{\"employees\":100,\"tech_staff\":30,\"rd_staff\":20,"
                 "\"sales_revenue\":30000000,\"total_revenue\":30000000,"
                 "\"main_revenue\":28000000,\"hitech_income\":%lld,"
                 "\"rd_expense\":2500000,\"rd_domestic\":2400000,"
                 "\"total_assets\":%d,\"total_liabilities\":10000000,"
                 "\"net_profit\":2000000}",
                 y == 2025 ? hitech : 25000000LL,
                 20000000 + (y - 2023) * 5000000);
        put_ok(t, url, body);
    }
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights",
             (long long)id);
    snprintf(body, sizeof body,
             "{\"kind\":\"invention\",\"number\":\"ZL2019%06d.1\","
             "\"title\":\"一种装置\",\"applied_on\":\"2018-01-01\","
             "\"granted_on\":\"2019-01-01\",\"main_product\":true}",
             n);
    apitest_post_id(t, url, body);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/declarations",
             (long long)id);
    put_ok(t, url,
           "{\"items\":[{\"field\":\"conversions\",\"year\":2023,\"value\":2},"
           "{\"field\":\"conversions\",\"year\":2024,\"value\":2},"
           "{\"field\":\"conversions\",\"year\":2025,\"value\":3},"
           "{\"field\":\"accounting_sound\",\"value\":true}]}");
    return id;
}

/* The result of rule set rs in an eligibility answer. */
static json_t *result_of(json_t *o, const char *rs)
{
    size_t i;
    json_t *r;

    json_array_foreach(json_object_get(o, "results"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "ruleset")), rs) == 0) {
            return r;
        }
    }
    fail_msg("no result for %s", rs);
    return NULL;
}

static void test_eligibility_and_whatif(void **state)
{
    ApiTest *t = *state;
    int64_t id;
    char url[160];
    ApiResp r;
    json_t *h;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    id = candidate(t, 1, t->root_id, 25000000);
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/eligibility?as_of=" AS_OF,
             (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "as_of")),
                        AS_OF);
    assert_int_equal(json_array_size(json_object_get(r.json, "results")), 12);
    /* one version of a tier on the date: sme-2022 is current, sme-2017
     * superseded by it; a tier with one version is current */
    assert_true(json_is_true(
        json_object_get(result_of(r.json, "sme-2022"), "current")));
    assert_true(json_is_false(
        json_object_get(result_of(r.json, "sme-2017"), "current")));
    assert_string_equal(json_string_value(json_object_get(
                            result_of(r.json, "sme-2017"), "superseded_by")),
                        "sme-2022");
    assert_true(json_is_true(
        json_object_get(result_of(r.json, "hnte-2016"), "current")));
    h = result_of(r.json, "hnte-2016");
    /* all eight conditions hold except the expert-scored (七) */
    assert_string_equal(json_string_value(json_object_get(h, "verdict")),
                        "expert");
    assert_string_equal(json_string_value(json_object_get(h, "verdict_name")),
                        "待专家评审");
    assert_true(json_array_size(json_object_get(h, "rows")) > 10);
    /* the rule set's 口径说明 come with every evaluation */
    {
        json_t *as = json_object_get(h, "assumptions");
        size_t k;
        json_t *a;
        int found = 0;

        assert_true(json_array_size(as) >= 1);
        json_array_foreach(as, k, a)
        {
            found |= strstr(json_string_value(a), "申请认定前一年内") != NULL;
        }
        assert_true(found);
    }
    assert_int_equal(
        strlen(json_string_value(json_object_get(h, "input_hash"))), 64);
    assert_true(json_array_size(json_object_get(r.json, "ladders")) == 4);
    /* every ladder lists its tiers with the verdict of each */
    {
        json_t *lad = json_array_get(json_object_get(r.json, "ladders"), 0);
        json_t *tiers = json_object_get(lad, "tiers");
        json_t *t0 = json_array_get(tiers, 0);
        assert_true(json_array_size(tiers) >= 2);
        assert_non_null(json_string_value(json_object_get(t0, "ruleset")));
        assert_non_null(json_string_value(json_object_get(t0, "verdict")));
    }
    apiresp_release(&r);

    /* one rule set only; an unknown one is 400 naming ruleset */
    snprintf(
        url, sizeof url,
        "/api/v1/enterprises/%lld/eligibility?ruleset=sme-2022&as_of=" AS_OF,
        (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "results")), 1);
    apiresp_release(&r);
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/eligibility?ruleset=nope",
             (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "field")),
                        "ruleset");
    apiresp_release(&r);
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/eligibility?as_of=2026-13-01",
             (long long)id);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 400);

    /* what-if: less high-tech income fails (六) */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/eligibility/what-if",
             (long long)id);
    apitest_request(t, "POST", url,
                    "{\"as_of\":\"" AS_OF "\",\"ruleset\":\"hnte-2016\","
                    "\"overrides\":[\"hitech_income[2025]=1000万\"]}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    h = result_of(r.json, "hnte-2016");
    assert_string_equal(json_string_value(json_object_get(h, "verdict")),
                        "unmet");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "baseline"), "hnte-2016")),
                        "expert");
    apiresp_release(&r);
    /* the second override is bad: 400 naming overrides[1] */
    apitest_request(t, "POST", url,
                    "{\"as_of\":\"" AS_OF "\",\"overrides\":["
                    "\"employees[2025]=80\",\"employees[1900]=1\"]}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "field")),
                        "overrides[1]");
    apiresp_release(&r);
    apitest_request(t, "POST", url, "{\"overrides\":[1]}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "field")),
                        "overrides[0]");
    apiresp_release(&r);
    /* nothing was stored */
    {
        int64_t n = -1;
        Err e;

        assert_int_equal(
            db_query_int64(t->db, &n, &e,
                           "SELECT COALESCE(SUM(n), 0) FROM decision_sets", ""),
            0);
        assert_int_equal(n, 0);
    }
}

static void test_declarations(void **state)
{
    ApiTest *t = *state;
    int64_t id, n = 0;
    char url[128];
    ApiResp r;
    Err e;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    id = candidate(t, 2, t->root_id, 25000000);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/declarations",
             (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 4);
    assert_true(json_array_size(json_object_get(r.json, "fields")) >= 10);
    {
        /* value types by unit: valuation_usd in 万美元, hnte_cert yes/no */
        json_t *fd;
        size_t i;
        int seen = 0;
        json_array_foreach(json_object_get(r.json, "fields"), i, fd)
        {
            const char *name = json_string_value(json_object_get(fd, "name"));
            const char *type = json_string_value(json_object_get(fd, "type"));
            if (strcmp(name, "valuation_usd") == 0) {
                assert_string_equal(type, "wan_usd");
                seen++;
            } else if (strcmp(name, "hnte_cert") == 0) {
                assert_string_equal(type, "bool");
                seen++;
            } else if (strcmp(name, "niche_years") == 0) {
                assert_string_equal(type, "integer");
                seen++;
            }
        }
        assert_int_equal(seen, 3);
    }
    apiresp_release(&r);

    apitest_request(
        t, "PUT", url,
        "{\"items\":[{\"field\":\"hnte_cert\",\"value\":true,"
        "\"valid_from\":\"2024-01-01\",\"valid_to\":\"2026-12-31\","
        "\"verified\":true},{\"field\":\"valuation_usd\",\"value\":\"150000\"},"
        "{\"field\":\"niche_years\",\"value\":6,\"note\":\"自述\"}]}",
        NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
    apiresp_release(&r);
    /* 有效期止 before 有效期起: the declarations' rule (recrule.c) */
    apitest_request(t, "PUT", url,
                    "{\"items\":[{\"field\":\"hnte_cert\",\"value\":true,"
                    "\"valid_from\":\"2026-01-01\",\"valid_to\":"
                    "\"2025-12-31\"}]}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_object_get(r.json, "error"), "message")),
                           "第 1 项：有效期止不能早于有效期起"));
    apiresp_release(&r);
    assert_int_equal(db_query_int64(t->db, &n, &e,
                                    "SELECT COUNT(*) FROM audit_log WHERE "
                                    "action = 'decl.put'",
                                    ""),
                     0);
    assert_true(n >= 2);

    /* validation names the item; nothing is written */
    apitest_request(t, "PUT", url,
                    "{\"items\":[{\"field\":\"niche_years\",\"value\":1},"
                    "{\"field\":\"hnte_cert\",\"value\":\"maybe\"}]}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "field")),
                        "items[1].value");
    apiresp_release(&r);
    apitest_request(t, "PUT", url,
                    "{\"items\":[{\"field\":\"employees\",\"value\":1}]}", NULL,
                    &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "field")),
                        "items[0].field");
    apiresp_release(&r);
    apitest_request(t, "PUT", url,
                    "{\"items\":[{\"field\":\"conversions\",\"value\":1}]}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    apiresp_release(&r);
    assert_int_equal(db_query_int64(t->db, &n, &e,
                                    "SELECT COUNT(*) FROM "
                                    "enterprise_declarations WHERE "
                                    "enterprise_id = $1",
                                    "i", id),
                     0);
    assert_int_equal(n, 3);
}

/* Wait for job id and return its status (caller frees nothing). */
static void wait_done(ApiTest *t, int64_t id, const char *status)
{
    char url[64];
    ApiResp r;

    job_wait_all(0);
    snprintf(url, sizeof url, "/api/v1/jobs/%lld", (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    if (strcmp(json_string_value(json_object_get(r.json, "status")), status) !=
        0) {
        fail_msg("job %lld: %s", (long long)id, r.body);
    }
    apiresp_release(&r);
}

static void test_screening_and_decisions(void **state)
{
    ApiTest *t = *state;
    int64_t street_a =
        apitest_add_unit(t, t->root_id, "大王庄街道", "subdistrict");
    int64_t street_b =
        apitest_add_unit(t, t->root_id, "大直沽街道", "subdistrict");
    int64_t good, weak, job;
    char url[160];
    ApiResp r;
    json_t *u;
    size_t i;

    apitest_add_user(t, "agent1", "Agt-2468-kc", ROLE_AGENT, street_b);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    good = candidate(t, 3, street_a, 25000000);
    weak = candidate(t, 4, street_b, 10000000);

    /* bad requests */
    assert_int_equal(apitest_status(t, "POST", "/api/v1/screenings",
                                    "{\"rulesets\":[\"nope\"]}"),
                     400);
    assert_int_equal(
        apitest_status(t, "POST", "/api/v1/screenings", "{\"x\":1}"), 400);

    apitest_request(t, "POST", "/api/v1/screenings",
                    "{\"rulesets\":[\"hnte-2016\",\"sme-2022\"],"
                    "\"as_of\":\"" AS_OF "\"}",
                    NULL, &r);
    assert_int_equal(r.status, 202);
    assert_string_equal(json_string_value(json_object_get(r.json, "kind")),
                        "screening");
    job = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    wait_done(t, job, "done");
    apitest_request(t, "GET", "/api/v1/screenings", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    apiresp_release(&r);

    /* closest first: the good candidate (待专家评审) before the weak one */
    apitest_request(t, "GET", "/api/v1/decisions?ruleset=hnte-2016", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(r.json, "items"), 0),
                         "enterprise_id")),
                     good);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(r.json, "items"), 1), "verdict")),
        "unmet");
    apiresp_release(&r);
    apitest_request(t, "GET",
                    "/api/v1/decisions?ruleset=hnte-2016&verdict=unmet", NULL,
                    NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(r.json, "items"), 0),
                         "enterprise_id")),
                     weak);
    apiresp_release(&r);
    snprintf(url, sizeof url,
             "/api/v1/decisions?ruleset=hnte-2016&unit_id=%lld",
             (long long)street_a);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/decisions", NULL), 400);
    assert_int_equal(apitest_status(t, "GET",
                                    "/api/v1/decisions?ruleset=hnte-2016&"
                                    "sort=price",
                                    NULL),
                     400);

    /* export */
    apitest_request(t, "GET", "/api/v1/decisions?ruleset=hnte-2016&format=csv",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "统一社会信用代码"));
    assert_non_null(strstr(r.body, "候选企业3"));
    assert_non_null(strstr(r.body, "待专家评审"));
    assert_non_null(strstr(r.body, "高新技术产品"));
    /* the column chooser: the columns shown, in their order */
    {
        ApiResp rc;
        apitest_request(t, "GET",
                        "/api/v1/decisions?ruleset=hnte-2016&format=csv&"
                        "columns=name,score_lo,unknown,evaluated_at",
                        NULL, NULL, &rc);
        assert_int_equal(rc.status, 200);
        assert_memory_equal(
            rc.body, "\xEF\xBB\xBF企业名称,最低得分,最高得分,评估时间\r\n",
            strlen("\xEF\xBB\xBF企业名称,最低得分,最高得分,"
                   "评估时间\r\n"));
        assert_non_null(strstr(rc.body, "候选企业3"));
        assert_null(strstr(rc.body, "待专家评审"));
        apiresp_release(&rc);
        assert_int_equal(apitest_status(t, "GET",
                                        "/api/v1/decisions?ruleset=hnte-2016&"
                                        "format=xlsx&columns=unknown",
                                        NULL),
                         400);
    }
    /* times in local time (UTC+8), not ISO UTC text */
    assert_null(strstr(r.body, "Z\r\n"));
    assert_null(strstr(r.body, "Z,"));
    apiresp_release(&r);
    /* XLSX named after the rule set (file and sheet), scores as numbers,
     * the evaluation time a date-time */
    apitest_request(t, "GET", "/api/v1/decisions?ruleset=hnte-2016&format=xlsx",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        const RuleSetEntry *rse = ruleset_find(ruleset_current(), "hnte-2016");
        const char *disp = apiresp_header(&r, "Content-Disposition");
        char want[512];
        char sheet[128];
        XlsxReader *xr = NULL;
        XlsxSheet *sh = NULL;
        XlsxRow row;
        Err e;
        size_t k, o = 0;
        const char *p;
        assert_non_null(rse);
        assert_non_null(disp);
        /* the RFC 5987 file name, percent-encoded UTF-8 */
        p = strstr(disp, "filename*=UTF-8''");
        assert_non_null(p);
        p += strlen("filename*=UTF-8''");
        for (; *p && *p != ';' && o + 1 < sizeof want; p++) {
            unsigned v;
            if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
                want[o++] = (char)v;
                p += 2;
            } else {
                want[o++] = *p;
            }
        }
        want[o] = '\0';
        snprintf(sheet, sizeof sheet, "资格评估结论-%s-",
                 rule_set_name(rse->rs));
        assert_memory_equal(want, sheet, strlen(sheet));
        assert_non_null(strstr(want, ".xlsx"));
        /* sheet names: no []:*?/\\, at most 31 characters */
        api_export_sheet_name("a/b[c]:d*e?f\\g", sheet, sizeof sheet);
        assert_string_equal(sheet, "abcdefg");
        api_export_sheet_name(
            "一二三四五六七八九十一二三四五六七八九十一二三四五"
            "六七八九十一二三四五",
            sheet, sizeof sheet);
        assert_string_equal(sheet, "一二三四五六七八九十一二三四五六七八九十"
                                   "一二三四五六七八九十一");
        api_export_sheet_name(rule_set_name(rse->rs), sheet, sizeof sheet);
        assert_int_equal(
            xlsx_reader_open_mem(&xr, r.body, r.body_len, NULL, &e), 0);
        assert_string_equal(xlsx_reader_sheet_name(xr, 0), sheet);
        assert_int_equal(xlsx_sheet_open(xr, 0, &sh, &e), 0);
        assert_int_equal(xlsx_sheet_read_row(sh, &row, &e), 1);
        assert_string_equal(row.cells[9].value, "评估时间");
        assert_int_equal(xlsx_sheet_read_row(sh, &row, &e), 1);
        assert_true(row.cells[8].is_date);
        assert_true(row.cells[9].is_date);
        assert_int_equal(row.cells[6].type, XLSX_CELL_NUMBER);
        for (k = 0; k < row.n_cells; k++) {
            assert_null(strstr(row.cells[k].value, "T0"));
        }
        xlsx_sheet_free(sh);
        xlsx_reader_free(xr);
    }
    apiresp_release(&r);

    /* counts by street */
    apitest_request(t, "GET", "/api/v1/decisions/summary", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "units")), 2);
    json_array_foreach(json_object_get(r.json, "units"), i, u)
    {
        json_t *h =
            json_object_get(json_object_get(u, "rulesets"), "hnte-2016");
        int64_t uid = json_integer_value(json_object_get(u, "unit_id"));

        assert_int_equal(json_integer_value(json_object_get(
                             h, uid == street_a ? "expert" : "unmet")),
                         1);
    }
    apiresp_release(&r);

    /* the agent of street B sees only its enterprise */
    assert_int_equal(apitest_login(t, "agent1", "Agt-2468-kc"), 200);
    apitest_request(t, "GET", "/api/v1/decisions?ruleset=hnte-2016", NULL, NULL,
                    &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(r.json, "items"), 0),
                         "enterprise_id")),
                     weak);
    apiresp_release(&r);
    snprintf(url, sizeof url,
             "/api/v1/decisions?ruleset=hnte-2016&unit_id=%lld",
             (long long)street_a);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 400);
    apitest_request(t, "GET", "/api/v1/decisions/summary", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "units")), 1);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/eligibility",
             (long long)good);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 404);
    /* a screening by the agent covers its unit only */
    apitest_request(t, "POST", "/api/v1/screenings",
                    "{\"rulesets\":[\"sme-2022\"],\"as_of\":\"2026-07-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 202);
    job = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    wait_done(t, job, "done");
    {
        int64_t run = -1, n = 0;
        DecCols *c = NULL;
        Err e;

        assert_int_equal(db_query_int64(t->db, &run, &e,
                                        "SELECT id FROM decision_runs WHERE "
                                        "ruleset = 'sme-2022' AND as_of = "
                                        "'2026-07-01'",
                                        ""),
                         0);
        assert_int_equal(dec_cols_load(t->db, "sme-2022", DEC_LIST, &c, &e), 0);
        assert_int_equal(c->n, 2); /* street A's decision is kept */
        for (size_t k = 0; k < c->n; k++) {
            n += c->run[k] == run;
            assert_int_equal(c->run[k] == run, c->id[k] == weak);
        }
        dec_cols_free(c);
        assert_int_equal(n, 1);
    }
    /* each scope keeps its own last run: the agent's own-scope list has
     * its run only; the bureau's own-scope list still starts with its run,
     * while its full list shows both */
    apitest_request(t, "GET", "/api/v1/screenings?scope=own", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(r.json, "items"), 0), "id")),
        job);
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(t, "GET", "/api/v1/screenings?scope=mine", NULL), 400);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET", "/api/v1/screenings?scope=own", NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    assert_int_not_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(r.json, "items"), 0), "id")),
        job);
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/screenings", NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 2);
    apiresp_release(&r);
}

/* The industry catalogue: template, import (errors by row and column,
 * nothing written; then all rows), list and CSV export that imports back
 * unchanged, bureau staff only, and the explanation of an enterprise whose
 * 行业代码 matches (with the conflict against a declared 否). */
static void test_catalogue(void **state)
{
    ApiTest *t = *state;
    char url[128], code[USCC_LEN + 1], body[256];
    int64_t id;
    ApiResp r;
    json_t *x, *src;
    char *csv;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET", "/api/v1/industry-catalogue/template?format=csv",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "行业代码,类别,目录条目,来源文件,文号,"
                                   "代码对应未核实,备注"));
    apiresp_release(&r);

    apitest_request(t, "POST", "/api/v1/industry-catalogue/imports",
                    "行业代码,类别,目录条目,来源文件\n"
                    "C3311,限制类,条目甲,目录\n"
                    "X99,限制类,条目乙,目录\n"
                    "C33,中等类,条目丙,目录\n"
                    "C33,淘汰类,,目录\n",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    x = json_object_get(r.json, "errors");
    assert_int_equal(json_array_size(x), 3);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(x, 0), "row")), 3);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(x, 0), "column")),
        "行业代码");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(x, 1), "message")),
        "“中等类”不是可选的值，应为：限制类、淘汰类、禁止类");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(x, 2), "column")),
        "目录条目");
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/industry-catalogue", NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    apiresp_release(&r);

    apitest_request(t, "POST", "/api/v1/industry-catalogue/imports",
                    "行业代码,类别,目录条目,来源文件,文号,代码对应未核实\n"
                    "c33,限制类,测试条目,测试目录,测试文号,是\n",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 0);
    assert_int_equal(json_integer_value(json_object_get(r.json, "inserted")),
                     1);
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/industry-catalogue?format=csv", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(
        strstr(r.body, "C33,限制类,测试条目,测试目录,测试文号,是,"));
    csv = strdup(r.body);
    apiresp_release(&r);
    apitest_request(t, "POST", "/api/v1/industry-catalogue/imports", csv, NULL,
                    &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "unchanged")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(r.json, "inserted")),
                     0);
    apiresp_release(&r);
    free(csv);

    /* an enterprise in C3311: the explanation names the entry */
    apitest_uscc(9, code);
    snprintf(body, sizeof body,
             "{\"uscc\":\"%s\",\"name\":\"目录企业\",\"unit_id\":1,"
             "\"industry_code\":\"C3311\"}",
             code);
    id = apitest_post_id(t, "/api/v1/enterprises", body);
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/eligibility?ruleset=sme-2017",
             (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    src = json_array_get(json_object_get(r.json, "input_sources"), 0);
    assert_string_equal(json_string_value(json_object_get(src, "field")),
                        "prohibited_industry");
    assert_non_null(
        strstr(json_string_value(json_object_get(src, "text")),
               "取自行业目录：限制类（行业代码 C33）“测试条目”，测试目录（测试"
               "文号）"));
    assert_true(json_is_false(json_object_get(src, "conflict")));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/declarations",
             (long long)id);
    put_ok(t, url,
           "{\"items\":[{\"field\":\"prohibited_industry\",\"value\":false}]}");
    snprintf(url, sizeof url,
             "/api/v1/enterprises/%lld/eligibility?ruleset=sme-2017",
             (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    src = json_array_get(json_object_get(r.json, "input_sources"), 0);
    assert_true(json_is_true(json_object_get(src, "conflict")));
    assert_non_null(strstr(json_string_value(json_object_get(src, "text")),
                           "与申报的“否”冲突"));
    apiresp_release(&r);

    /* only bureau staff import it */
    apitest_add_user(t, "agent1", "Agent-pass-123", ROLE_AGENT, 1);
    assert_int_equal(apitest_login(t, "agent1", "Agent-pass-123"), 200);
    assert_int_equal(apitest_status(t, "POST",
                                    "/api/v1/industry-catalogue/imports",
                                    "行业代码,类别,目录条目,来源文件\n"
                                    "C34,限制类,条目,目录\n"),
                     403);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_eligibility_and_whatif, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_declarations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalogue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screening_and_decisions, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
