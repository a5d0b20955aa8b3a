/* test_catalogue.c - the industry catalogue page's API: the paged list
 * with its filters (类别, code prefix) and, per entry, the number of
 * enterprises of the library it matches (not retired, in the caller's data
 * scope); CSV and XLSX exports of the filtered entries that import again
 * unchanged; deleting an entry (reason required, unknown id, bureau staff
 * only, audited with before and after), after which the enterprise it
 * matched is no longer 是 in its next evaluation, on the full path and in
 * the next screening (the saved snapshot is stale from the delete on). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/uscc.h"
#include "base/xlsx_read.h"
#include "common/apitest.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/eligibility/catalogue.h"
#include "domain/eligibility/snapshot.h"
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

static int64_t enterprise(ApiTest *t, int n, int64_t unit, const char *code)
{
    char uscc[USCC_LEN + 1], body[512];

    apitest_uscc_series("MB", n, uscc);
    snprintf(body, sizeof body,
             "{\"uscc\":\"%s\",\"name\":\"目录企业%d\",\"unit_id\":%lld,"
             "\"industry_code\":\"%s\",\"established_on\":\"2015-03-01\","
             "\"tech_domain\":1}",
             uscc, n, (long long)unit, code);
    return apitest_post_id(t, "/api/v1/enterprises", body);
}

static void import_ok(ApiTest *t, const char *csv, int inserted)
{
    ApiResp r;

    apitest_request(t, "POST", "/api/v1/industry-catalogue/imports", csv, NULL,
                    &r);
    if (r.status != 200 ||
        json_array_size(json_object_get(r.json, "errors")) != 0) {
        fail_msg("import: %d %s", r.status, r.body);
    }
    assert_int_equal(json_integer_value(json_object_get(r.json, "inserted")),
                     inserted);
    apiresp_release(&r);
}

/* GET url: the list answer (caller releases r). */
static json_t *list(ApiTest *t, const char *url, ApiResp *r)
{
    apitest_request(t, "GET", url, NULL, NULL, r);
    if (r->status != 200) {
        fail_msg("GET %s: %d %s", url, r->status, r->body);
    }
    return json_object_get(r->json, "items");
}

/* The item with that code in items, or NULL. */
static json_t *item_of(json_t *items, const char *code)
{
    size_t i;
    json_t *x;

    json_array_foreach(items, i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "code")), code) == 0) {
            return x;
        }
    }
    return NULL;
}

static int64_t matched(json_t *items, const char *code)
{
    json_t *x = item_of(items, code);

    if (!x) {
        fail_msg("no entry %s", code);
    }
    return json_integer_value(json_object_get(x, "enterprises"));
}

static void error_field(ApiTest *t, const char *method, const char *url,
                        int status, const char *field, const char *msg)
{
    ApiResp r;
    json_t *err;

    apitest_request(t, method, url, NULL, NULL, &r);
    assert_int_equal(r.status, status);
    err = json_object_get(r.json, "error");
    if (field) {
        assert_string_equal(json_string_value(json_object_get(err, "field")),
                            field);
    }
    if (msg) {
        assert_string_equal(json_string_value(json_object_get(err, "message")),
                            msg);
    }
    apiresp_release(&r);
}

static const char cat_csv[] =
    "行业代码,类别,目录条目,来源文件,文号,代码对应未核实\n"
    "C33,限制类,条目甲,测试目录,测试文号,是\n"
    "C3311,淘汰类,条目乙,测试目录,,否\n"
    "C34,禁止类,条目丙,测试清单,,是\n"
    "A01,限制类,条目丁,测试目录,,是\n";

/* Filters, paging, the match counts (scope, retired), exports. */
static void test_list(void **state)
{
    ApiTest *t = *state;
    int64_t a = apitest_add_unit(t, t->root_id, "甲街道", "subdistrict");
    int64_t b = apitest_add_unit(t, t->root_id, "乙街道", "subdistrict");
    int64_t gone;
    char path[300];
    json_t *items, *rep = NULL;
    ApiResp r;
    Actor sys;
    Err e;

    apitest_add_user(t, "agenta", "Agent-pass-123", ROLE_AGENT, a);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    enterprise(t, 1, a, "C3311");
    enterprise(t, 2, b, "C3312");
    enterprise(t, 3, a, "C3411");
    gone = enterprise(t, 4, a, "C3311");
    enterprise(t, 5, b, "C3511");
    {
        Err de;
        assert_int_equal(
            db_exec_v(t->db, &de,
                      "UPDATE enterprises SET retired_at = '2026-01-01' "
                      "WHERE id = $1",
                      "i", gone),
            0);
    }
    import_ok(t, cat_csv, 4);

    /* every entry with its count: C33 matches C3311 and C3312 (the
     * retired C3311 is not counted), C3311 one, C34 one, A01 none */
    items = list(t, "/api/v1/industry-catalogue", &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 4);
    assert_int_equal(json_array_size(items), 4);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(items, 0), "code")),
        "A01");
    assert_int_equal(matched(items, "A01"), 0);
    assert_int_equal(matched(items, "C33"), 2);
    assert_int_equal(matched(items, "C3311"), 1);
    assert_int_equal(matched(items, "C34"), 1);
    assert_string_equal(json_string_value(json_object_get(
                            item_of(items, "C3311"), "class_name")),
                        "淘汰类");
    assert_true(
        json_is_false(json_object_get(item_of(items, "C3311"), "unverified")));
    apiresp_release(&r);

    /* filters: 类别 by code or name, code prefix (门类 letter, any case) */
    items = list(t, "/api/v1/industry-catalogue?class=淘汰类", &r);
    assert_int_equal(json_array_size(items), 1);
    assert_non_null(item_of(items, "C3311"));
    apiresp_release(&r);
    items = list(t, "/api/v1/industry-catalogue?class=restricted", &r);
    assert_int_equal(json_array_size(items), 2);
    assert_non_null(item_of(items, "A01"));
    apiresp_release(&r);
    items = list(t, "/api/v1/industry-catalogue?code=c33", &r);
    assert_int_equal(json_array_size(items), 2);
    assert_null(item_of(items, "C34"));
    apiresp_release(&r);
    items = list(t, "/api/v1/industry-catalogue?code=C&class=prohibited", &r);
    assert_int_equal(json_array_size(items), 1);
    assert_non_null(item_of(items, "C34"));
    apiresp_release(&r);
    items = list(t, "/api/v1/industry-catalogue?page_size=3&page=2", &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 4);
    assert_int_equal(json_array_size(items), 1);
    assert_non_null(item_of(items, "C34"));
    apiresp_release(&r);
    error_field(t, "GET", "/api/v1/industry-catalogue?class=中等类", 400,
                "class", "类别应为 限制类、淘汰类 或 禁止类");
    error_field(t, "GET", "/api/v1/industry-catalogue?code=C99", 400, "code",
                NULL);
    error_field(t, "GET", "/api/v1/industry-catalogue?format=pdf", 400,
                "format", NULL);

    /* the counts follow the data scope: street A's agent sees its own
     * enterprises only */
    assert_int_equal(apitest_login(t, "agenta", "Agent-pass-123"), 200);
    items = list(t, "/api/v1/industry-catalogue", &r);
    assert_int_equal(matched(items, "C33"), 1);
    assert_int_equal(matched(items, "C3311"), 1);
    assert_int_equal(matched(items, "C34"), 1);
    apiresp_release(&r);
    /* the enterprise list with the same prefix finds the same number */
    items = list(t, "/api/v1/enterprises?industry=C33", &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    apiresp_release(&r);

    /* exports: the filtered entries in the template's columns */
    apitest_request(t, "GET",
                    "/api/v1/industry-catalogue?format=csv&class=限制类", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "行业代码,类别,目录条目,来源文件,文号,"
                                   "代码对应未核实,备注"));
    assert_non_null(strstr(r.body, "C33,限制类,条目甲,测试目录,测试文号,是,"));
    assert_non_null(strstr(r.body, "A01,限制类,条目丁"));
    assert_null(strstr(r.body, "C34"));
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/industry-catalogue?format=xlsx", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    {
        XlsxReader *xr = NULL;
        XlsxSheet *sh = NULL;
        XlsxRow row;
        FILE *f;

        assert_int_equal(
            xlsx_reader_open_mem(&xr, r.body, r.body_len, NULL, &e), 0);
        assert_string_equal(xlsx_reader_sheet_name(xr, 0), "行业目录");
        assert_int_equal(xlsx_sheet_open(xr, 0, &sh, &e), 0);
        assert_int_equal(xlsx_sheet_read_row(sh, &row, &e), 1);
        assert_string_equal(row.cells[0].value, "行业代码");
        assert_int_equal(xlsx_sheet_read_row(sh, &row, &e), 1);
        assert_string_equal(row.cells[0].value, "A01");
        assert_string_equal(row.cells[1].value, "限制类");
        xlsx_sheet_free(sh);
        xlsx_reader_free(xr);
        /* it imports again unchanged */
        snprintf(path, sizeof path, "%s/export.xlsx", t->dir);
        f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
        fclose(f);
    }
    apiresp_release(&r);
    actor_init_system(&sys);
    assert_int_equal(catalogue_import_file(t->db, &sys, path, 1, &rep, &e), 0);
    assert_int_equal(json_array_size(json_object_get(rep, "errors")), 0);
    assert_int_equal(json_integer_value(json_object_get(rep, "unchanged")), 4);
    assert_int_equal(json_array_size(json_object_get(rep, "ignored_columns")),
                     0);
    json_decref(rep);
}

/* A 科技型中小企业 (sme-2017) candidate in C3311 that passes every
 * condition once its declared 否 for prohibited_industry counts. */
static int64_t candidate(ApiTest *t, int64_t unit)
{
    char url[128], body[1024];
    int64_t id = enterprise(t, 9, unit, "C3311");

    for (int y = 2023; y <= 2025; y++) {
        snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/%d",
                 (long long)id, y);
        put_ok(t, url,
               "{\"employees\":100,\"tech_staff\":30,\"rd_staff\":20,"
               "\"sales_revenue\":30000000,\"total_revenue\":30000000,"
               "\"main_revenue\":28000000,\"hitech_income\":25000000,"
               "\"rd_expense\":2500000,\"rd_domestic\":2400000,"
               "\"total_cost\":25000000,\"total_assets\":20000000,"
               "\"total_liabilities\":10000000,\"net_profit\":2000000}");
    }
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights",
             (long long)id);
    snprintf(body, sizeof body,
             "{\"kind\":\"invention\",\"number\":\"ZL2019000009.1\","
             "\"title\":\"一种装置\",\"applied_on\":\"2018-01-01\","
             "\"granted_on\":\"2019-01-01\",\"main_product\":true}");
    apitest_post_id(t, url, body);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/declarations",
             (long long)id);
    put_ok(t, url,
           "{\"items\":[{\"field\":\"prohibited_industry\",\"value\":false}]}");
    return id;
}

/* The sme-2017 result of the enterprise's evaluation: verdict and whether
 * prohibited_industry came from the catalogue. */
static void evaluation(ApiTest *t, int64_t id, char verdict[32],
                       int *from_catalogue)
{
    char url[160];
    ApiResp r;
    json_t *src, *res;
    size_t i;

    snprintf(
        url, sizeof url,
        "/api/v1/enterprises/%lld/eligibility?ruleset=sme-2017&as_of=" AS_OF,
        (long long)id);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    res = json_array_get(json_object_get(r.json, "results"), 0);
    snprintf(verdict, 32, "%s",
             json_string_value(json_object_get(res, "verdict")));
    *from_catalogue = 0;
    json_array_foreach(json_object_get(r.json, "input_sources"), i, src)
    {
        if (strcmp(json_string_value(json_object_get(src, "field")),
                   "prohibited_industry") == 0 &&
            strstr(json_string_value(json_object_get(src, "text")),
                   "取自行业目录")) {
            *from_catalogue = 1;
        }
    }
    apiresp_release(&r);
}

/* Screen sme-2017 as of AS_OF and return the candidate's verdict. */
static void screen(ApiTest *t, int64_t id, char verdict[32])
{
    char url[128];
    ApiResp r;
    json_t *x;
    int64_t job;
    size_t i;

    apitest_request(t, "POST", "/api/v1/screenings",
                    "{\"rulesets\":[\"sme-2017\"],\"as_of\":\"" AS_OF "\"}",
                    NULL, &r);
    assert_int_equal(r.status, 202);
    job = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    job_wait_all(0);
    snprintf(url, sizeof url, "/api/v1/jobs/%lld", (long long)job);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")),
                        "done");
    apiresp_release(&r);
    verdict[0] = '\0';
    apitest_request(t, "GET", "/api/v1/decisions?ruleset=sme-2017", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    json_array_foreach(json_object_get(r.json, "items"), i, x)
    {
        if (json_integer_value(json_object_get(x, "enterprise_id")) == id) {
            snprintf(verdict, 32, "%s",
                     json_string_value(json_object_get(x, "verdict")));
        }
    }
    apiresp_release(&r);
    assert_true(verdict[0] != '\0');
}

static void test_delete(void **state)
{
    ApiTest *t = *state;
    int64_t a = apitest_add_unit(t, t->root_id, "甲街道", "subdistrict");
    int64_t id, c33 = 0, c34 = 0, n = -1;
    char url[200], verdict[32], *snap;
    Snapshot *s = NULL;
    json_t *items, *before, *after;
    int from_cat = 0, fresh = 1;
    ApiResp r;
    Date as_of;
    Err e;

    apitest_add_user(t, "agenta", "Agent-pass-123", ROLE_AGENT, a);
    apitest_add_user(t, "leader", "Ldr-pass-2468", ROLE_LEADER, t->root_id);
    apitest_add_user(t, "staff", "Stf-pass-2468", ROLE_STAFF, t->root_id);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    id = candidate(t, a);
    import_ok(t, cat_csv, 4);
    items = list(t, "/api/v1/industry-catalogue?code=C33", &r);
    c33 = json_integer_value(json_object_get(item_of(items, "C33"), "id"));
    apiresp_release(&r);
    items = list(t, "/api/v1/industry-catalogue?code=C34", &r);
    c34 = json_integer_value(json_object_get(item_of(items, "C34"), "id"));
    apiresp_release(&r);
    assert_true(c33 > 0 && c34 > 0);

    /* matched by C33 and C3311: 是 from the catalogue over the declared 否,
     * so sme-2017 is 未达标 on both paths */
    evaluation(t, id, verdict, &from_cat);
    assert_string_equal(verdict, "unmet");
    assert_true(from_cat);
    screen(t, id, verdict);
    assert_string_equal(verdict, "unmet");
    snap = snapshot_path_for(db_location(t->db));
    assert_non_null(snap);
    assert_int_equal(date_parse(AS_OF, &as_of, "as_of", &e), 0);
    assert_int_equal(snapshot_load(snap, &s, &e), 0);
    assert_int_equal(snapshot_fresh(t->db, s, &fresh, &e), 0);
    assert_int_equal(fresh, 1);

    /* refused: no reason, a blank one, unknown id, other roles; nothing
     * deleted, nothing audited */
    snprintf(url, sizeof url, "/api/v1/industry-catalogue/%lld",
             (long long)c33);
    error_field(t, "DELETE", url, 400, "reason", "删除原因不能为空");
    snprintf(url, sizeof url, "/api/v1/industry-catalogue/%lld?reason=%%20",
             (long long)c33);
    error_field(t, "DELETE", url, 400, "reason", "删除原因不能为空");
    error_field(t, "DELETE", "/api/v1/industry-catalogue/999999?reason=x", 404,
                "id", "行业目录条目不存在");
    snprintf(url, sizeof url, "/api/v1/industry-catalogue/%lld?reason=x",
             (long long)c33);
    assert_int_equal(apitest_login(t, "agenta", "Agent-pass-123"), 200);
    assert_int_equal(apitest_status(t, "DELETE", url, NULL), 403);
    assert_int_equal(apitest_login(t, "leader", "Ldr-pass-2468"), 200);
    assert_int_equal(apitest_status(t, "DELETE", url, NULL), 403);
    assert_int_equal(db_query_int64(t->db, &n, &e,
                                    "SELECT COUNT(*) FROM audit_log WHERE "
                                    "action = 'catalogue.delete'",
                                    ""),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(db_query_int64(t->db, &n, &e,
                                    "SELECT COUNT(*) FROM industry_catalogue",
                                    ""),
                     0);
    assert_int_equal(n, 4);

    /* bureau staff delete C34 (not matching) and C33: only C3311 is
     * left matching, still 是 */
    assert_int_equal(apitest_login(t, "staff", "Stf-pass-2468"), 200);
    snprintf(url, sizeof url,
             "/api/v1/industry-catalogue/%lld?reason=%%E8%%AF%%AF%%E5%%BD%%95",
             (long long)c34);
    apitest_request(t, "DELETE", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "enterprises")),
                     0);
    apiresp_release(&r);
    snprintf(url, sizeof url,
             "/api/v1/industry-catalogue/%lld?reason=%%E8%%AF%%AF%%E5%%BD%%95",
             (long long)c33);
    apitest_request(t, "DELETE", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "enterprises")),
                     1);
    assert_non_null(
        strstr(json_string_value(json_object_get(r.json, "note")), "重新推导"));
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "DELETE", url, NULL), 404);
    {
        char *bj = NULL, *aj = NULL;
        assert_int_equal(db_query_text(t->db, &bj, &e,
                                       "SELECT before_json FROM audit_log "
                                       "WHERE action = 'catalogue.delete' AND "
                                       "object_id = $1",
                                       "i", c33),
                         0);
        assert_int_equal(db_query_text(t->db, &aj, &e,
                                       "SELECT after_json FROM audit_log "
                                       "WHERE action = 'catalogue.delete' AND "
                                       "object_id = $1",
                                       "i", c33),
                         0);
        before = json_loads(bj, 0, NULL);
        after = json_loads(aj, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(before, "item")),
                            "条目甲");
        assert_string_equal(json_string_value(json_object_get(before, "code")),
                            "C33");
        assert_int_equal(
            json_integer_value(json_object_get(before, "enterprises")), 1);
        assert_string_equal(json_string_value(json_object_get(after, "reason")),
                            "误录");
        json_decref(before);
        json_decref(after);
        free(bj);
        free(aj);
    }
    items = list(t, "/api/v1/industry-catalogue", &r);
    assert_int_equal(json_array_size(items), 2);
    assert_null(item_of(items, "C33"));
    apiresp_release(&r);
    /* the saved snapshot is stale from the delete on */
    assert_int_equal(snapshot_fresh(t->db, s, &fresh, &e), 0);
    assert_int_equal(fresh, 0);
    snapshot_free(s);
    evaluation(t, id, verdict, &from_cat);
    assert_string_equal(verdict, "unmet");
    assert_true(from_cat);

    /* the last matching entry goes: the declared 否 decides, 达标 on the
     * full path and in the next screening */
    items = list(t, "/api/v1/industry-catalogue?code=C3311", &r);
    snprintf(url, sizeof url,
             "/api/v1/industry-catalogue/%lld?reason=%%E8%%AF%%AF%%E5%%BD%%95",
             (long long)json_integer_value(
                 json_object_get(json_array_get(items, 0), "id")));
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "DELETE", url, NULL), 200);
    evaluation(t, id, verdict, &from_cat);
    assert_false(from_cat);
    assert_string_equal(verdict, "met");
    screen(t, id, verdict);
    assert_string_equal(verdict, "met");
    free(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
