/* test_market_share.c - sharing records of the 创新资源库 through the real
 * dispatcher: uses of an instrument by enterprises, totals per year, the
 * list per resource and the export; the refusals (not an instrument or lab,
 * end before start, more hours than the days hold, a negative fee) with
 * nothing written; scope by the user enterprise's unit; retire with a
 * reason, audited. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/apitest.h"
#include "db/db.h"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b, ent_a, ent_b, instrument, expert;
} Fx;

static int64_t count(Fx *f, const char *sql)
{
    int64_t n = 0;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &n, &e, sql, ""), 0);
    return n;
}

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->t = apitest_new();
    f->street_a =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    f->street_b =
        apitest_add_unit(f->t, f->t->root_id, "大直沽街道", "subdistrict");
    apitest_add_user(f->t, "agent_a", APITEST_ADMIN_PASSWORD, ROLE_AGENT,
                     f->street_a);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f->ent_a =
        apitest_add_ent(f->t, 1, "天津河东精密机电有限公司", f->street_a);
    f->ent_b =
        apitest_add_ent(f->t, 2, "天津东丽新能科技有限公司", f->street_b);
    f->instrument =
        apitest_post_id(f->t, "/api/v1/market-items",
                        "{\"kind\": \"resource\", \"subkind\": "
                        "\"大型科学仪器\", \"title\": \"场发射扫描电镜\", "
                        "\"org_name\": \"天津大学\"}");
    f->expert =
        apitest_post_id(f->t, "/api/v1/market-items",
                        "{\"kind\": \"resource\", \"subkind\": \"专家\", "
                        "\"title\": \"张教授\", \"org_name\": \"天津大学\"}");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;

    apitest_free(f->t);
    free(f);
    return 0;
}

static int64_t add_use(Fx *f, int64_t ent, const char *from, const char *to,
                       const char *hours, const char *fee)
{
    char body[512];

    snprintf(body, sizeof body,
             "{\"resource_id\": %lld, \"ent_id\": %lld, \"used_from\": "
             "\"%s\", \"used_to\": \"%s\", \"hours\": \"%s\", \"fee\": "
             "\"%s\", \"purpose\": \"材料断口形貌分析\"}",
             (long long)f->instrument, (long long)ent, from, to, hours, fee);
    return apitest_post_id(f->t, "/api/v1/resource-uses", body);
}

static void expect_400(Fx *f, const char *body, const char *field,
                       const char *msg)
{
    ApiResp r;

    apitest_request(f->t, "POST", "/api/v1/resource-uses", body, NULL, &r);
    if (r.status != 400) {
        fail_msg("%d %s", r.status, r.body);
    }
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        field);
    if (!strstr(apitest_jstr(json_object_get(r.json, "error"), "message"),
                msg)) {
        fail_msg("message %s lacks %s", r.body, msg);
    }
    apiresp_release(&r);
}

static void test_uses_and_totals(void **state)
{
    Fx *f = *state;
    char url[128];
    json_t *items, *y;
    ApiResp r;

    add_use(f, f->ent_a, "2025-03-01", "2025-03-02", "6.5", "1200");
    add_use(f, f->ent_a, "2025-09-10", "", "2", "300");
    add_use(f, f->ent_b, "2026-01-05", "2026-01-05", "3", "0");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "= 'resource_use.create'"),
                     3);
    snprintf(url, sizeof url, "/api/v1/resource-use-totals?resource_id=%lld",
             (long long)f->instrument);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 2);
    y = json_array_get(items, 1);
    assert_int_equal(apitest_jint(y, "year"), 2025);
    assert_int_equal(apitest_jint(y, "uses"), 2);
    assert_string_equal(apitest_jstr(y, "hours"), "8.5");
    assert_int_equal(apitest_jint(y, "fee"), 1500);
    assert_int_equal(apitest_jint(json_array_get(items, 0), "year"), 2026);
    apiresp_release(&r);
    /* the list of the resource, one day when used_to is left out */
    snprintf(url, sizeof url,
             "/api/v1/resource-uses?resource_id=%lld&year=2025",
             (long long)f->instrument);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    y = json_array_get(json_object_get(r.json, "items"), 0);
    assert_string_equal(apitest_jstr(y, "used_to"), "2025-09-10");
    assert_string_equal(apitest_jstr(y, "ent_name"),
                        "天津河东精密机电有限公司");
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/resource-uses?format=csv", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "场发射扫描电镜"));
    assert_non_null(strstr(r.body, "天津东丽新能科技有限公司"));
    assert_non_null(strstr(r.body, "使用时长（小时）"));
    apiresp_release(&r);
}

static void test_refusals(void **state)
{
    Fx *f = *state;
    char body[512];

    snprintf(body, sizeof body,
             "{\"resource_id\": %lld, \"ent_id\": %lld, \"used_from\": "
             "\"2025-03-01\", \"hours\": \"2\", \"fee\": \"0\"}",
             (long long)f->expert, (long long)f->ent_a);
    expect_400(f, body, "resource_id", "大型科学仪器或实验室");
    snprintf(body, sizeof body,
             "{\"resource_id\": %lld, \"ent_id\": %lld, \"used_from\": "
             "\"2025-03-02\", \"used_to\": \"2025-03-01\", \"hours\": \"2\", "
             "\"fee\": \"0\"}",
             (long long)f->instrument, (long long)f->ent_a);
    expect_400(f, body, "used_to", "不能早于");
    snprintf(body, sizeof body,
             "{\"resource_id\": %lld, \"ent_id\": %lld, \"used_from\": "
             "\"2025-03-01\", \"hours\": \"25\", \"fee\": \"0\"}",
             (long long)f->instrument, (long long)f->ent_a);
    expect_400(f, body, "hours", "每天 24 小时");
    snprintf(body, sizeof body,
             "{\"resource_id\": %lld, \"ent_id\": %lld, \"used_from\": "
             "\"2025-03-01\", \"hours\": \"2\", \"fee\": \"-5\"}",
             (long long)f->instrument, (long long)f->ent_a);
    expect_400(f, body, "fee", "不能为负数");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM resource_uses"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "LIKE 'resource_use.%'"),
                     0);
}

static void test_scope_and_retire(void **state)
{
    Fx *f = *state;
    char url[128], body[512];
    int64_t own, other;
    ApiResp r;

    own = add_use(f, f->ent_a, "2025-03-01", "", "1", "100");
    other = add_use(f, f->ent_b, "2025-04-01", "", "1", "100");
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    apitest_request(f->t, "GET", "/api/v1/resource-uses", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/resource-uses?format=csv", NULL, NULL,
                    &r);
    assert_null(strstr(r.body, "天津东丽新能科技有限公司"));
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/resource-use-totals", NULL, NULL, &r);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "items"), 0),
                     "uses"),
        1);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/resource-uses/%lld", (long long)other);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    snprintf(url, sizeof url, "/api/v1/resource-uses/%lld/retire",
             (long long)other);
    assert_int_equal(apitest_status(f->t, "POST", url, "{\"reason\": \"x\"}"),
                     404);
    /* B's enterprise cannot be recorded by A */
    snprintf(body, sizeof body,
             "{\"resource_id\": %lld, \"ent_id\": %lld, \"used_from\": "
             "\"2025-03-01\", \"hours\": \"1\", \"fee\": \"0\"}",
             (long long)f->instrument, (long long)f->ent_b);
    expect_400(f, body, "ent_id", "不在本人数据范围内");
    /* retire with a reason */
    snprintf(url, sizeof url, "/api/v1/resource-uses/%lld/retire",
             (long long)own);
    assert_int_equal(apitest_status(f->t, "POST", url, "{}"), 400);
    assert_int_equal(
        apitest_status(f->t, "POST", url, "{\"reason\": \"重复登记\"}"), 200);
    assert_int_equal(
        apitest_status(f->t, "POST", url, "{\"reason\": \"再次\"}"), 409);
    apitest_request(f->t, "GET", "/api/v1/resource-uses", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "= 'resource_use.retire'"),
                     1);
}

/* POST the CSV text as an import of sharing records. */
static void import_csv(Fx *f, const char *csv, const char *query, ApiResp *r)
{
    static const char *const hdr[] = {"X-File-Name", "uses.csv", "Content-Type",
                                      "text/csv", NULL};
    char url[160];

    snprintf(url, sizeof url, "/api/v1/resource-use-imports?%s", query);
    apitest_request(f->t, "POST", url, csv, hdr, r);
}

/* The import: a title row, the export's columns, rows matched to the
 * instrument and the enterprises; zh-CN errors naming row and column; all
 * or nothing, valid rows only, dry run; one audit entry; a street user
 * cannot import uses of another street's enterprise. */
static void test_import(void **state)
{
    Fx *f = *state;
    char csv[4096], code[USCC_LEN + 1];
    json_t *errs;
    ApiResp r;
    size_t i;
    int seen[6] = {0};

    apitest_uscc(2, code);
    snprintf(csv, sizeof csv,
             "仪器共享使用登记表\n"
             "资源名称,所属单位（资源）,使用企业,使用企业统一社会信用代码,"
             "开始日期,结束日期,使用时长（小时）,收费（元）,用途\n"
             /* 3: valid, by name */
             "场发射扫描电镜,天津大学,天津河东精密机电有限公司,,2025-03-01,,"
             "6,1200,材料表征\n"
             /* 4: valid, by USCC */
             "场发射扫描电镜,,,%s,2025-03-02,2025-03-03,30.5,0,\n"
             /* 5: unknown resource */
             "透射电镜,,天津河东精密机电有限公司,,2025-03-01,,1,0,\n"
             /* 6: an expert is no instrument */
             "张教授,,天津河东精密机电有限公司,,2025-03-01,,1,0,\n"
             /* 7: unknown enterprise */
             "场发射扫描电镜,,某外地公司,,2025-03-01,,1,0,\n"
             /* 8: end before start */
             "场发射扫描电镜,,天津河东精密机电有限公司,,2025-03-05,"
             "2025-03-01,1,0,\n"
             /* 9: more hours than the day has */
             "场发射扫描电镜,,天津河东精密机电有限公司,,2025-03-05,,25,0,\n",
             code);

    /* the template names the columns */
    apitest_request(f->t, "GET", "/api/v1/resource-use-imports/template", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "资源名称"));
    assert_non_null(strstr(r.body, "使用企业统一社会信用代码"));
    apiresp_release(&r);

    /* dry run: the report */
    import_csv(f, csv, "dry_run=true", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "header_row"), 2);
    assert_int_equal(apitest_jint(json_object_get(r.json, "summary"), "rows"),
                     7);
    assert_int_equal(apitest_jint(json_object_get(r.json, "summary"), "valid"),
                     2);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "invalid"), 5);
    errs = json_object_get(r.json, "errors");
    for (i = 0; i < json_array_size(errs); i++) {
        json_t *x = json_array_get(errs, i);
        int64_t row = apitest_jint(x, "row");
        const char *col = apitest_jstr(x, "column");
        if (row >= 5 && row <= 9 &&
            strcmp(col, row == 7   ? "使用企业"
                        : row == 8 ? "结束日期"
                        : row == 9 ? "使用时长（小时）"
                                   : "资源名称") == 0) {
            seen[row - 5] = 1;
        }
    }
    for (i = 0; i < 5; i++) {
        if (!seen[i]) {
            fail_msg("error of row %zu missing: %s", i + 5, r.body);
        }
    }
    assert_non_null(strstr(r.body, "透射电镜"));
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM resource_uses"), 0);

    /* all or nothing: refused, nothing written */
    import_csv(f, csv, "dry_run=false", &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "有 5 行数据有误"));
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM resource_uses"), 0);

    /* valid rows only: two uses, one audit entry */
    import_csv(f, csv, "dry_run=false&mode=valid", &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "applied")));
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "inserted"), 2);
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM resource_uses"), 2);
    assert_int_equal(count(f, "SELECT SUM(hours10) FROM resource_uses"), 365);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "= 'resource_use.import'"),
                     1);

    /* a street user: the enterprise of street B is out of scope */
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    import_csv(f, csv, "dry_run=true", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(json_object_get(r.json, "summary"), "valid"),
                     1);
    assert_non_null(strstr(r.body, "不在本人数据范围内"));
    apiresp_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_uses_and_totals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope_and_retire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
