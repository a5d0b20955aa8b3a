/* test_ent.c - the enterprise API (/api/v1/enterprises...) through the
 * real dispatcher: create, validation messages, scope, update and retire,
 * yearly figures and list filters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/uscc.h"
#include "base/xlsx_read.h"
#include "common/apitest.h"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->t = apitest_new();
    f->street_a =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    f->street_b =
        apitest_add_unit(f->t, f->t->root_id, "大直沽街道", "subdistrict");
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
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

static const char *err_field(const ApiResp *r)
{
    return apitest_jstr(json_object_get(r->json, "error"), "field");
}

/* POST an enterprise and return its id (asserting 201). */
static int64_t add_ent(Fx *f, int n, const char *name, int64_t unit,
                       const char *industry)
{
    char code[USCC_LEN + 1];
    char body[512];
    ApiResp r;
    int64_t id;

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"%s\", \"unit_id\": %lld, "
             "\"industry_code\": \"%s\", \"tech_domain\": 1}",
             code, name, (long long)unit, industry);
    apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
    if (r.status != 201) {
        fail_msg("POST enterprise: %d %s", r.status, r.body);
    }
    id = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    return id;
}

/* GET url and return "total" of the list (asserting 200). */
static int64_t list_total(Fx *f, const char *url)
{
    ApiResp r;
    int64_t n;

    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    if (r.status != 200) {
        fail_msg("GET %s: %d %s", url, r.status, r.body);
    }
    n = json_integer_value(json_object_get(r.json, "total"));
    apiresp_release(&r);
    return n;
}

static void test_create_get_validate(void **state)
{
    Fx *f = *state;
    char code[USCC_LEN + 1];
    char bad[USCC_LEN + 1];
    char body[512];
    char url[64];
    ApiResp r;
    int64_t id;

    apitest_uscc(1, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \" %s \", \"name\": \"天津河东测试科技有限公司\", "
             "\"unit_id\": %lld, \"registered_capital_wan\": \"100.5\", "
             "\"industry_code\": \"6513\", \"established_on\": "
             "\"2019/5/6\", \"listing_status\": \"candidate\"}",
             code, (long long)f->street_a);
    apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(apitest_jstr(r.json, "uscc"), code);
    assert_string_equal(apitest_jstr(r.json, "industry_code"), "I6513");
    assert_string_equal(apitest_jstr(r.json, "established_on"), "2019-05-06");
    assert_string_equal(apitest_jstr(r.json, "registered_capital_wan"),
                        "100.5");
    assert_int_equal(
        json_integer_value(json_object_get(r.json, "registered_capital")),
        1005000);
    id = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "unit_name"), "大王庄街道");
    assert_string_equal(apitest_jstr(r.json, "listing_status_name"),
                        "上市后备");
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises/999", NULL), 404);

    /* Same code again: 409 naming uscc. */
    apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
    assert_int_equal(r.status, 409);
    assert_string_equal(err_field(&r), "uscc");
    apiresp_release(&r);

    /* Wrong check character: 400 naming the expected one. */
    apitest_uscc(2, bad);
    {
        char want = bad[17];
        bad[17] = want == 'A' ? 'B' : 'A';
        snprintf(body, sizeof body,
                 "{\"uscc\": \"%s\", \"name\": \"天津另一家公司\", "
                 "\"unit_id\": %lld}",
                 bad, (long long)f->street_a);
        apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
        assert_int_equal(r.status, 400);
        assert_string_equal(err_field(&r), "uscc");
        {
            char w[2] = {want, 0};
            assert_non_null(strstr(
                apitest_jstr(json_object_get(r.json, "error"), "message"), w));
        }
        apiresp_release(&r);
    }
    /* Unknown field, missing field, bad money, bad industry. */
    apitest_uscc(3, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"天津某公司\", \"unit_id\": "
             "%lld, \"colour\": 1}",
             code, (long long)f->street_a);
    apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "colour");
    apiresp_release(&r);
    snprintf(body, sizeof body, "{\"uscc\": \"%s\", \"name\": \"天津某公司\"}",
             code);
    apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "unit_id");
    apiresp_release(&r);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"天津某公司\", \"unit_id\": "
             "%lld, \"registered_capital_wan\": \"1.23456\"}",
             code, (long long)f->street_a);
    apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "registered_capital_wan");
    apiresp_release(&r);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"天津某公司\", \"unit_id\": "
             "%lld, \"industry_code\": \"C65\"}",
             code, (long long)f->street_a);
    apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "industry_code");
    apiresp_release(&r);
    assert_int_equal(list_total(f, "/api/v1/enterprises"), 1);
}

static void test_scope_roles(void **state)
{
    Fx *f = *state;
    char url[64];
    char body[256];
    char code[USCC_LEN + 1];
    int64_t a1, b1;

    a1 = add_ent(f, 11, "天津甲科技有限公司", f->street_a, "C39");
    b1 = add_ent(f, 12, "天津乙科技有限公司", f->street_b, "C39");
    apitest_add_user(f->t, "agent_a", "Agent12345", ROLE_AGENT, f->street_a);
    apitest_add_user(f->t, "leader", "Lead-2468-kc", ROLE_LEADER,
                     f->t->root_id);

    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    assert_int_equal(list_total(f, "/api/v1/enterprises"), 1);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)b1);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"note\": \"x\"}"),
                     404);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2023",
             (long long)b1);
    assert_int_equal(apitest_status(f->t, "PUT", url, "{\"employees\": 5}"),
                     404);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)a1);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"note\": \"走访\"}"),
                     200);
    /* Creating in another street is refused. */
    apitest_uscc(13, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"天津丙公司\", \"unit_id\": %lld}",
             code, (long long)f->street_b);
    assert_int_equal(apitest_status(f->t, "POST", "/api/v1/enterprises", body),
                     400);
    /* Registering street B's code in street A says the code is taken but
     * names neither the enterprise nor its unit. */
    apitest_uscc(12, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"天津丁公司\", \"unit_id\": %lld}",
             code, (long long)f->street_a);
    {
        ApiResp r;
        const char *msg;
        apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
        assert_int_equal(r.status, 409);
        msg = apitest_jstr(json_object_get(r.json, "error"), "message");
        assert_non_null(strstr(msg, "已登记"));
        assert_null(strstr(msg, "天津乙"));
        assert_null(strstr(msg, "大直沽"));
        apiresp_release(&r);
    }
    /* Within the user's own scope the message may name the enterprise. */
    apitest_uscc(11, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"天津戊公司\", \"unit_id\": %lld}",
             code, (long long)f->street_a);
    {
        ApiResp r;
        apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
        assert_int_equal(r.status, 409);
        assert_non_null(
            strstr(apitest_jstr(json_object_get(r.json, "error"), "message"),
                   "天津甲科技有限公司"));
        apiresp_release(&r);
    }

    /* The leader reads everything and writes nothing. */
    assert_int_equal(apitest_login(f->t, "leader", "Lead-2468-kc"), 200);
    assert_int_equal(list_total(f, "/api/v1/enterprises"), 2);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"note\": \"x\"}"),
                     403);

    apitest_logout_local(f->t);
    assert_int_equal(apitest_status(f->t, "GET", "/api/v1/enterprises", NULL),
                     401);
}

static void test_update_retire(void **state)
{
    Fx *f = *state;
    char url[64];
    ApiResp r;
    int64_t id;

    id = add_ent(f, 21, "天津旧名字有限公司", f->street_a, "M73");
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)id);
    apitest_request(f->t, "PATCH", url,
                    "{\"name\": \"天津新名字有限公司\", \"tech_domain\": null, "
                    "\"registered_capital_wan\": \"5000\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "name"), "天津新名字有限公司");
    assert_true(json_is_null(json_object_get(r.json, "tech_domain")));
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "former_names"), 0),
                     "name"),
        "天津旧名字有限公司");
    apiresp_release(&r);
    /* Search finds the former name (LIKE for 2, trigram for 3+). */
    assert_int_equal(list_total(f, "/api/v1/enterprises?q=%E6%97%A7%E5%90%8D"),
                     1); /* 旧名 */
    assert_int_equal(
        list_total(f, "/api/v1/enterprises?q=%E6%97%A7%E5%90%8D%E5%AD%97"),
        1); /* 旧名字 */

    apitest_request(f->t, "PATCH", url,
                    "{\"retired\": true, \"retire_reason\": \"迁出\", "
                    "\"note\": \"x\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "retired");
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"retired\": true}"),
                     400);
    apitest_request(f->t, "PATCH", url,
                    "{\"retired\": true, \"retire_reason\": \"迁出本区\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "retired")));
    apiresp_release(&r);
    assert_int_equal(list_total(f, "/api/v1/enterprises"), 0);
    assert_int_equal(list_total(f, "/api/v1/enterprises?include_retired=true"),
                     1);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"note\": \"x\"}"),
                     409);
    /* 恢复入库: a reason is required, nothing else may change with it; the
     * enterprise is back in the list and editable; restoring twice is a
     * conflict */
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"retired\": false}"),
                     400);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"retired\": false, \"retire_reason\": "
                                    "\"误操作\", \"note\": \"x\"}"),
                     400);
    apitest_request(f->t, "PATCH", url,
                    "{\"retired\": false, \"retire_reason\": \"误操作\"}", NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_false(json_object_get(r.json, "retired")));
    apiresp_release(&r);
    assert_int_equal(list_total(f, "/api/v1/enterprises"), 1);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"retired\": false, \"retire_reason\": "
                                    "\"再次\"}"),
                     409);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"note\": \"x\"}"),
                     200);
    /* Each write left one audit entry (create, rename, retire, restore,
     * edit); the restore's reason is in its entry. */
    assert_int_equal(list_total(f, "/api/v1/audit?object_type=enterprise"), 5);
    assert_int_equal(list_total(f, "/api/v1/audit?action=ent.restore"), 1);
}

static void test_years_and_filters(void **state)
{
    Fx *f = *state;
    char url[80];
    ApiResp r;
    int64_t a1, a2;

    a1 = add_ent(f, 31, "天津光电科技有限公司", f->street_a, "C3976");
    a2 = add_ent(f, 32, "天津软件有限公司", f->street_b, "I6513");
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2023",
             (long long)a1);
    apitest_request(f->t, "PUT", url,
                    "{\"sales_revenue\": 50000000, \"rd_expense\": 2500000, "
                    "\"employees\": 80, \"tech_staff\": 20}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r.json, "values"), "rd_expense")),
                     2500000);
    assert_string_equal(
        apitest_jstr(json_object_get(r.json, "provenance"), "source"), "user");
    apiresp_release(&r);
    /* Inconsistent, unknown, wrong type. */
    apitest_request(f->t, "PUT", url, "{\"tech_staff\": 81}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "tech_staff");
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "PUT", url, "{\"profit\": 1}"), 400);
    assert_int_equal(
        apitest_status(f->t, "PUT", url, "{\"employees\": \"80\"}"), 400);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/20x3",
             (long long)a1);
    assert_int_equal(apitest_status(f->t, "PUT", url, "{\"employees\": 1}"),
                     400);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2022",
             (long long)a2);
    assert_int_equal(apitest_status(f->t, "PUT", url,
                                    "{\"sales_revenue\": 300000000, "
                                    "\"rd_expense\": 6000000}"),
                     200);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years", (long long)a1);
    assert_int_equal(list_total(f, url), 1);

    /* Revenue band in 万元 (inclusive), R&D intensity in %. */
    assert_int_equal(
        list_total(f, "/api/v1/enterprises?revenue_min=4000&revenue_max=5000"),
        1);
    assert_int_equal(list_total(f, "/api/v1/enterprises?revenue_min=5000.0001"),
                     1); /* only the 3 亿 one */
    assert_int_equal(list_total(f, "/api/v1/enterprises?rd_min=5"), 1);
    assert_int_equal(list_total(f, "/api/v1/enterprises?rd_min=5.01"), 0);
    assert_int_equal(list_total(f, "/api/v1/enterprises?rd_max=2"), 1);
    assert_int_equal(list_total(f, "/api/v1/enterprises?industry=C"), 1);
    assert_int_equal(list_total(f, "/api/v1/enterprises?industry=I65"), 1);
    snprintf(url, sizeof url, "/api/v1/enterprises?unit_id=%lld",
             (long long)f->street_b);
    assert_int_equal(list_total(f, url), 1);
    snprintf(url, sizeof url, "/api/v1/enterprises?unit_id=%lld",
             (long long)f->t->root_id);
    assert_int_equal(list_total(f, url), 2);
    apitest_request(f->t, "GET", "/api/v1/enterprises?sort=-latest_revenue",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "name"),
        "天津软件有限公司");
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/enterprises?sort=password", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "sort");
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises?rd_min=abc", NULL),
        400);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises?revenue_min=-1", NULL),
        400);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises?has_ip1=maybe", NULL),
        400);
    assert_int_equal(list_total(f, "/api/v1/enterprises?has_ip1=true"), 0);
}

static void test_ip_facts_reference(void **state)
{
    Fx *f = *state;
    char url[96];
    ApiResp r;
    int64_t ent, ip_id, fact_id;

    ent = add_ent(f, 41, "天津知识产权测试有限公司", f->street_a, "C39");
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights",
             (long long)ent);
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"invention\", \"number\": "
                    "\"ZL202010000001.1\", \"title\": \"一种装置\", "
                    "\"applied_on\": \"2020-01-15\", \"granted_on\": "
                    "\"2022-03-01\", \"main_product\": true}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "klass")), 1);
    assert_string_equal(apitest_jstr(r.json, "expires_on"), "2040-01-14");
    ip_id = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"trademark\", \"number\": \"1\", "
                    "\"title\": \"x\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "kind");
    apiresp_release(&r);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_true(json_is_true(json_object_get(
        json_array_get(json_object_get(r.json, "items"), 0), "main_product")));
    apiresp_release(&r);
    /* 用于主要产品 left out or null: not known (null), never false */
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"utility\", \"number\": \"ZL1\", \"title\": "
                    "\"y\", \"granted_on\": \"2022-03-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_null(json_object_get(r.json, "main_product")));
    apiresp_release(&r);
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"utility\", \"number\": \"ZL2\", \"title\": "
                    "\"y\", \"main_product\": null}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_null(json_object_get(r.json, "main_product")));
    apiresp_release(&r);
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"utility\", \"number\": \"ZL3\", \"title\": "
                    "\"y\", \"main_product\": false}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_false(json_object_get(r.json, "main_product")));
    apiresp_release(&r);
    assert_int_equal(list_total(f, url), 4);
    assert_int_equal(list_total(f, "/api/v1/enterprises?has_ip1=true"), 1);

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights/%lld",
             (long long)ent, (long long)ip_id);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"retired\": true}"),
                     400);
    apitest_request(f->t, "PATCH", url,
                    "{\"retired\": true, \"retire_reason\": \"已转让\"}", NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "retired")));
    apiresp_release(&r);
    assert_int_equal(list_total(f, "/api/v1/enterprises?has_ip1=true"), 0);
    /* The right under another enterprise's path is missing. */
    snprintf(
        url, sizeof url, "/api/v1/enterprises/%lld/ip-rights/%lld",
        (long long)add_ent(f, 42, "天津另一家有限公司", f->street_a, "C39"),
        (long long)ip_id);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"retired\": true, \"retire_reason\": "
                                    "\"x\"}"),
                     404);

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/facts", (long long)ent);
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"financing\", \"amount_wan\": \"1500\", "
                    "\"counterparty\": \"海河产业基金\", \"occurred_on\": "
                    "\"2024-05-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "amount")),
                     15000000);
    fact_id = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"award\", \"subkind\": \"first\", "
                    "\"occurred_on\": \"2024-05-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "level");
    apiresp_release(&r);
    assert_int_equal(list_total(f, url), 1);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/facts?kind=award",
             (long long)ent);
    assert_int_equal(list_total(f, url), 0);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/facts/%lld",
             (long long)ent, (long long)fact_id);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"retired\": true, \"retire_reason\": "
                                    "\"录入错误\"}"),
                     200);

    apitest_request(f->t, "GET", "/api/v1/reference/enterprise", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(
        json_array_size(json_object_get(r.json, "industry_sections")), 20);
    assert_int_equal(
        json_array_size(json_object_get(r.json, "industry_divisions")), 97);
    assert_int_equal(json_array_size(json_object_get(r.json, "tech_domains")),
                     8);
    assert_int_equal(json_array_size(json_object_get(r.json, "ip_kinds")), 9);
    {
        /* listing statuses and record sources, named as the API and the
         * exports name them (the UI keeps no copy) */
        json_t *ls = json_object_get(r.json, "listing_statuses");
        json_t *src = json_object_get(r.json, "sources");
        assert_int_equal(json_array_size(ls), 4);
        assert_string_equal(apitest_jstr(json_array_get(ls, 2), "code"),
                            "neeq");
        assert_string_equal(apitest_jstr(json_array_get(ls, 2), "name"),
                            "新三板挂牌");
        assert_int_equal(json_array_size(src), 4);
        assert_string_equal(apitest_jstr(json_array_get(src, 0), "code"),
                            "user");
        assert_string_equal(apitest_jstr(json_array_get(src, 0), "name"),
                            "用户填报");
        assert_string_equal(apitest_jstr(json_array_get(src, 1), "code"),
                            "import");
        assert_string_equal(apitest_jstr(json_array_get(src, 1), "name"),
                            "导入");
        assert_string_equal(apitest_jstr(json_array_get(src, 2), "code"),
                            "demo");
        assert_string_equal(apitest_jstr(json_array_get(src, 3), "code"),
                            "system");
        assert_string_equal(apitest_jstr(json_array_get(src, 3), "name"),
                            "系统");
    }
    {
        /* the industry catalogue's classes, the table its import checks */
        json_t *cc = json_object_get(r.json, "catalogue_classes");
        assert_int_equal(json_array_size(cc), 3);
        assert_string_equal(apitest_jstr(json_array_get(cc, 0), "code"),
                            "restricted");
        assert_string_equal(apitest_jstr(json_array_get(cc, 0), "name"),
                            "限制类");
        assert_string_equal(apitest_jstr(json_array_get(cc, 2), "code"),
                            "prohibited");
        assert_string_equal(apitest_jstr(json_array_get(cc, 2), "name"),
                            "禁止类");
    }
    {
        /* the one table of cross-field rules, served for form hints */
        json_t *fig =
            json_object_get(json_object_get(r.json, "record_rules"), "figures");
        json_t *facts =
            json_object_get(json_object_get(r.json, "record_rules"), "facts");
        json_t *first = json_array_get(fig, 0);
        size_t i;
        int dates = 0;
        assert_true(json_array_size(fig) >= 5);
        assert_string_equal(apitest_jstr(first, "a"), "tech_staff");
        assert_string_equal(apitest_jstr(first, "b"), "employees");
        assert_string_equal(apitest_jstr(first, "op"), "le");
        assert_non_null(strstr(apitest_jstr(first, "message"), "职工总数"));
        for (i = 0; i < json_array_size(facts); i++) {
            json_t *x = json_array_get(facts, i);
            dates += strcmp(apitest_jstr(x, "a"), "valid_from") == 0 &&
                     strcmp(apitest_jstr(x, "b"), "valid_to") == 0;
        }
        assert_int_equal(dates, 1);
    }
    apiresp_release(&r);
}

/* Edit an IP right and a fact in place: new values, provenance, the
 * derived list column, the audit entry; duplicates, bad values, retired
 * records and other enterprises' records refused. */
static void test_ip_facts_edit(void **state)
{
    Fx *f = *state;
    char url[96], url2[96];
    ApiResp r;
    int64_t ent, ip_a, ip_b, fact_id;

    ent = add_ent(f, 43, "天津编辑测试有限公司", f->street_a, "C39");
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights",
             (long long)ent);
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"invention\", \"number\": \"ZL1\", "
                    "\"title\": \"一种方法\", \"applied_on\": \"2021-01-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    ip_a = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"utility\", \"number\": \"ZL2\", "
                    "\"title\": \"另一种装置\"}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    ip_b = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    assert_int_equal(list_total(f, "/api/v1/enterprises?has_ip1=true"), 1);

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights/%lld",
             (long long)ent, (long long)ip_a);
    apitest_request(f->t, "PATCH", url,
                    "{\"kind\": \"invention\", \"number\": \"ZL1\", "
                    "\"title\": \"一种改进的方法\", \"applied_on\": "
                    "\"2021-01-01\", \"status\": \"lapsed\", \"expires_on\": "
                    "\"2024-06-30\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "title"), "一种改进的方法");
    assert_string_equal(apitest_jstr(r.json, "status"), "lapsed");
    assert_string_equal(apitest_jstr(r.json, "expires_on"), "2024-06-30");
    assert_string_equal(apitest_jstr(r.json, "source"), "user");
    apiresp_release(&r);
    /* no valid class-Ⅰ right is left */
    assert_int_equal(list_total(f, "/api/v1/enterprises?has_ip1=true"), 0);
    /* the other right's type and number */
    apitest_request(f->t, "PATCH", url,
                    "{\"kind\": \"utility\", \"number\": \"ZL2\", "
                    "\"title\": \"x\"}",
                    NULL, &r);
    assert_int_equal(r.status, 409);
    assert_string_equal(err_field(&r), "number");
    apiresp_release(&r);
    apitest_request(f->t, "PATCH", url,
                    "{\"kind\": \"invention\", \"number\": \"ZL1\", "
                    "\"title\": \"x\", \"granted_on\": \"2021-02-30\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "granted_on");
    apiresp_release(&r);
    apitest_request(f->t, "PATCH", url,
                    "{\"kind\": \"invention\", \"number\": \"ZL1\", "
                    "\"title\": \"x\", \"colour\": \"red\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "colour");
    apiresp_release(&r);
    /* audited under the enterprise, with the value before */
    snprintf(url2, sizeof url2, "/api/v1/enterprises/%lld/changes",
             (long long)ent);
    apitest_request(f->t, "GET", url2, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "ip.update"));
    assert_non_null(strstr(r.body, "一种方法"));
    apiresp_release(&r);
    /* a retired right cannot be edited */
    snprintf(url2, sizeof url2, "/api/v1/enterprises/%lld/ip-rights/%lld",
             (long long)ent, (long long)ip_b);
    assert_int_equal(apitest_status(f->t, "PATCH", url2,
                                    "{\"retired\": true, \"retire_reason\": "
                                    "\"录入错误\"}"),
                     200);
    assert_int_equal(apitest_status(f->t, "PATCH", url2,
                                    "{\"kind\": \"utility\", \"number\": "
                                    "\"ZL2\", \"title\": \"y\"}"),
                     409);
    /* another enterprise's path: missing */
    snprintf(
        url2, sizeof url2, "/api/v1/enterprises/%lld/ip-rights/%lld",
        (long long)add_ent(f, 44, "天津其他编辑有限公司", f->street_a, "C39"),
        (long long)ip_a);
    assert_int_equal(apitest_status(f->t, "PATCH", url2,
                                    "{\"kind\": \"invention\", \"number\": "
                                    "\"ZL1\", \"title\": \"z\"}"),
                     404);

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/facts", (long long)ent);
    apitest_request(f->t, "POST", url,
                    "{\"kind\": \"financing\", \"amount_wan\": \"1500\", "
                    "\"occurred_on\": \"2024-05-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    fact_id = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/facts/%lld",
             (long long)ent, (long long)fact_id);
    apitest_request(f->t, "PATCH", url,
                    "{\"kind\": \"financing\", \"amount_wan\": \"2000.5\", "
                    "\"counterparty\": \"海河产业基金\", \"occurred_on\": "
                    "\"2024-05-02\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "amount")),
                     20005000);
    assert_string_equal(apitest_jstr(r.json, "counterparty"), "海河产业基金");
    assert_string_equal(apitest_jstr(r.json, "occurred_on"), "2024-05-02");
    apiresp_release(&r);
    apitest_request(f->t, "PATCH", url,
                    "{\"kind\": \"financing\", \"amount_wan\": \"-1\", "
                    "\"occurred_on\": \"2024-05-02\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "amount_wan");
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"retired\": true, \"retire_reason\": "
                                    "\"录入错误\"}"),
                     200);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"kind\": \"financing\", "
                                    "\"occurred_on\": \"2024-05-02\"}"),
                     409);
}

static void test_export(void **state)
{
    Fx *f = *state;
    char url[96];
    ApiResp r;
    int64_t id;

    id = add_ent(f, 51, "=HYPERLINK(1)科技有限公司", f->street_a, "C3976");
    add_ent(f, 52, "天津导出测试有限公司", f->street_b, "I6513");
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2023",
             (long long)id);
    assert_int_equal(apitest_status(f->t, "PUT", url,
                                    "{\"sales_revenue\": 12345678, "
                                    "\"rd_expense\": 617284}"),
                     200);
    apitest_request(f->t, "GET", "/api/v1/enterprises?format=csv&sort=uscc",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(apiresp_header(&r, "Content-Type"), "text/csv"));
    assert_memory_equal(r.body, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(r.body, "统一社会信用代码,企业名称,所属单位"));
    /* Formula neutralised; money in exact 万元; intensity in %. */
    assert_non_null(strstr(r.body, "'=HYPERLINK(1)科技有限公司"));
    assert_non_null(strstr(r.body, ",1234.5678,"));
    assert_non_null(strstr(r.body, ",5.00,"));
    assert_non_null(strstr(r.body, "天津导出测试有限公司"));
    apiresp_release(&r);
    /* Same filters as the list. */
    snprintf(url, sizeof url, "/api/v1/enterprises?format=csv&unit_id=%lld",
             (long long)f->street_b);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "HYPERLINK"));
    assert_non_null(strstr(r.body, "天津导出测试有限公司"));
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/enterprises?format=xlsx&sort=uscc",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "PK", 2);
    {
        /* Numbers are number cells, dates date cells; 行业名称 follows
         * 行业代码; the name is whole. */
        static const char *const want[] = {
            "统一社会信用代码", "企业名称", "所属单位",         "地址",
            "法定代表人",       "成立日期", "注册资本（万元）", "行业代码",
            "行业名称"};
        XlsxReader *xr = NULL;
        XlsxSheet *sh = NULL;
        XlsxRow row;
        Err e;
        int cy = -1, cr = -1, cb = -1, ce = -1;
        size_t i;
        assert_int_equal(
            xlsx_reader_open_mem(&xr, r.body, r.body_len, NULL, &e), 0);
        assert_int_equal(xlsx_sheet_open(xr, 0, &sh, &e), 0);
        assert_int_equal(xlsx_sheet_read_row(sh, &row, &e), 1);
        for (i = 0; i < sizeof want / sizeof want[0]; i++) {
            assert_string_equal(row.cells[i].value, want[i]);
        }
        for (i = 0; i < row.n_cells; i++) {
            const char *t = row.cells[i].value ? row.cells[i].value : "";
            cy = strcmp(t, "最近年度") == 0 ? (int)i : cy;
            cr = strcmp(t, "最近年度销售收入（万元）") == 0 ? (int)i : cr;
            cb = strcmp(t, "最近年度研发强度（%）") == 0 ? (int)i : cb;
            ce = strcmp(t, "成立日期") == 0 ? (int)i : ce;
        }
        assert_true(cy > 0 && cr > 0 && cb > 0 && ce > 0);
        assert_int_equal(xlsx_sheet_read_row(sh, &row, &e), 1);
        assert_string_equal(row.cells[1].value, "=HYPERLINK(1)科技有限公司");
        assert_string_equal(row.cells[7].value, "C3976");
        assert_string_equal(row.cells[8].value,
                            "计算机、通信和其他电子设备制造业");
        assert_int_equal(row.cells[cy].type, XLSX_CELL_NUMBER);
        assert_string_equal(row.cells[cy].value, "2023");
        assert_int_equal(row.cells[cr].type, XLSX_CELL_NUMBER);
        assert_string_equal(row.cells[cr].value, "1234.5678");
        assert_int_equal(row.cells[cb].type, XLSX_CELL_NUMBER);
        assert_string_equal(row.cells[cb].value, "0.05");
        xlsx_sheet_free(sh);
        xlsx_reader_free(xr);
    }
    apiresp_release(&r);
    /* The column chooser: the columns shown, in their order (the list's
     * names); 行业 brings code and name; unknown names refused. */
    apitest_request(f->t, "GET",
                    "/api/v1/enterprises?format=csv&sort=uscc&columns=name,"
                    "uscc,industry_code,latest_revenue,updated_at",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body,
                           "\xEF\xBB\xBF企业名称,统一社会信用代码,行业代码,"
                           "行业名称,最近年度销售收入（万元）\r\n"));
    assert_non_null(strstr(r.body, "C3976,计算机、通信和其他电子设备制造业,"
                                   "1234.5678\r\n"));
    assert_null(strstr(r.body, "所属单位"));
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "GET",
                                    "/api/v1/enterprises?format=xlsx&columns="
                                    "name,password",
                                    NULL),
                     400);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises?format=pdf", NULL),
        400);
}

/* unit_id of enterprise id as seen by the current login (asserting 200). */
static int64_t ent_unit(Fx *f, int64_t id)
{
    char url[64];
    ApiResp r;
    int64_t unit;

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    unit = json_integer_value(json_object_get(r.json, "unit_id"));
    apiresp_release(&r);
    return unit;
}

static int64_t ent_liaison(Fx *f, int64_t id)
{
    char url[64];
    ApiResp r;
    int64_t u;

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    u = json_integer_value(json_object_get(r.json, "liaison_user_id"));
    apiresp_release(&r);
    return u;
}

/* POST /enterprises/batch: unit and liaison for many at once, all or
 * nothing, scope, cap, retired and bad liaison refused. */
static void test_batch(void **state)
{
    Fx *f = *state;
    int64_t a1, a2, a3, b1, sub_a, agent_a, agent_b, old_user;
    char body[512];
    char url[128];
    ApiResp r;
    Buf big;
    int i;

    sub_a = apitest_add_unit(f->t, f->street_a, "大王庄第一社区", "community");
    a1 = add_ent(f, 61, "天津批量甲有限公司", f->street_a, "C39");
    a2 = add_ent(f, 62, "天津批量乙有限公司", f->street_a, "C39");
    a3 = add_ent(f, 63, "天津批量丙有限公司", f->street_a, "C39");
    b1 = add_ent(f, 64, "天津批量丁有限公司", f->street_b, "C39");
    agent_a = apitest_add_user(f->t, "agent_a", "Agent12345", ROLE_AGENT,
                               f->street_a);
    agent_b = apitest_add_user(f->t, "agent_b", "Agent12345", ROLE_AGENT,
                               f->street_b);
    old_user = apitest_add_user(f->t, "old_user", "Agent12345", ROLE_AGENT,
                                f->street_a);
    snprintf(url, sizeof url, "/api/v1/users/%lld", (long long)old_user);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"disabled\": true}"),
                     200);

    /* a liaison must be able to open the enterprise: the district cannot
     * give a street-A enterprise to a street-B agent */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)a1);
    snprintf(body, sizeof body, "{\"liaison_user_id\": %lld}",
             (long long)agent_b);
    apitest_request(f->t, "PATCH", url, body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "liaison_user_id");
    assert_non_null(strstr(r.body, "不管辖该企业的所属单位"));
    apiresp_release(&r);
    assert_int_equal(ent_liaison(f, a1), 0);
    /* one recorded before that rule may stay when a street user saves the
     * enterprise unchanged, but not be newly assigned */
    {
        Err e = {0};
        assert_int_equal(
            db_exec_v(f->t->db, &e,
                      "UPDATE enterprises SET liaison_user_id = $1 "
                      "WHERE id = $2",
                      "ii", agent_b, a1),
            0);
    }
    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    snprintf(body, sizeof body,
             "{\"liaison_user_id\": %lld, \"note\": \"走访\"}",
             (long long)agent_b);
    assert_int_equal(apitest_status(f->t, "PATCH", url, body), 200);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)a2);
    assert_int_equal(apitest_status(f->t, "PATCH", url, body), 400);
    /* but it does not follow the enterprise to another unit: the move is
     * refused by the liaison's name, nothing written */
    snprintf(body, sizeof body,
             "{\"ids\": [%lld, %lld], \"set\": "
             "{\"unit_id\": %lld}}",
             (long long)a2, (long long)a1, (long long)sub_a);
    apitest_request(f->t, "POST", "/api/v1/enterprises/batch", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "liaison_user_id");
    assert_non_null(strstr(r.body, "不管辖该企业的所属单位"));
    apiresp_release(&r);
    assert_int_equal(ent_unit(f, a1), f->street_a);
    assert_int_equal(ent_unit(f, a2), f->street_a);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)a1);
    assert_int_equal(
        apitest_status(f->t, "PATCH", url, "{\"liaison_user_id\": null}"), 200);
    /* happy path: two enterprises move to the community, one audit each */
    snprintf(body, sizeof body,
             "{\"ids\": [%lld, %lld], \"set\": "
             "{\"unit_id\": %lld}}",
             (long long)a1, (long long)a2, (long long)sub_a);
    apitest_request(f->t, "POST", "/api/v1/enterprises/batch", body, NULL, &r);
    if (r.status != 200) {
        fail_msg("batch: %d %s", r.status, r.body);
    }
    assert_int_equal(json_integer_value(json_object_get(r.json, "updated")), 2);
    apiresp_release(&r);
    assert_int_equal(ent_unit(f, a1), sub_a);
    assert_int_equal(ent_unit(f, a2), sub_a);
    assert_int_equal(ent_unit(f, a3), f->street_a);
    /* liaison set and cleared */
    snprintf(body, sizeof body,
             "{\"ids\": [%lld, %lld], \"set\": "
             "{\"liaison_user_id\": %lld}}",
             (long long)a1, (long long)a3, (long long)agent_a);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/enterprises/batch", body), 200);
    assert_int_equal(ent_liaison(f, a1), agent_a);
    assert_int_equal(ent_liaison(f, a3), agent_a);
    snprintf(body, sizeof body,
             "{\"ids\": [%lld], \"set\": "
             "{\"liaison_user_id\": null}}",
             (long long)a3);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/enterprises/batch", body), 200);
    assert_int_equal(ent_liaison(f, a3), 0);

    /* an id of another street: 404 like a missing one, nothing written */
    snprintf(body, sizeof body,
             "{\"ids\": [%lld, %lld], \"set\": "
             "{\"unit_id\": %lld}}",
             (long long)a3, (long long)b1, (long long)sub_a);
    apitest_request(f->t, "POST", "/api/v1/enterprises/batch", body, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(err_field(&r), "ids");
    assert_null(strstr(r.body, "批量丁"));
    apiresp_release(&r);
    assert_int_equal(ent_unit(f, a3), f->street_a);
    snprintf(body, sizeof body,
             "{\"ids\": [%lld, 999999], \"set\": "
             "{\"unit_id\": %lld}}",
             (long long)a3, (long long)sub_a);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/enterprises/batch", body), 404);
    assert_int_equal(ent_unit(f, a3), f->street_a);
    /* target unit out of scope */
    snprintf(body, sizeof body,
             "{\"ids\": [%lld], \"set\": "
             "{\"unit_id\": %lld}}",
             (long long)a3, (long long)f->street_b);
    apitest_request(f->t, "POST", "/api/v1/enterprises/batch", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "unit_id");
    apiresp_release(&r);
    /* bad liaison: disabled, out of scope, missing; nothing written */
    {
        int64_t bad[3] = {old_user, agent_b, 999999};
        for (i = 0; i < 3; i++) {
            snprintf(body, sizeof body,
                     "{\"ids\": [%lld, %lld], \"set\": "
                     "{\"liaison_user_id\": %lld}}",
                     (long long)a2, (long long)a3, (long long)bad[i]);
            apitest_request(f->t, "POST", "/api/v1/enterprises/batch", body,
                            NULL, &r);
            assert_int_equal(r.status, 400);
            assert_string_equal(err_field(&r), "liaison_user_id");
            assert_non_null(strstr(r.body, "包联人员不存在或已停用"));
            apiresp_release(&r);
            assert_int_equal(ent_liaison(f, a2), 0);
        }
    }
    /* retired: refused by name, the other one unchanged */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)a2);
    assert_int_equal(
        apitest_status(f->t, "PATCH", url,
                       "{\"retired\": true, \"retire_reason\": \"迁出本区\"}"),
        200);
    snprintf(body, sizeof body,
             "{\"ids\": [%lld, %lld], \"set\": "
             "{\"unit_id\": %lld}}",
             (long long)a3, (long long)a2, (long long)f->street_a);
    apitest_request(f->t, "POST", "/api/v1/enterprises/batch", body, NULL, &r);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(r.body, "天津批量乙有限公司"));
    apiresp_release(&r);
    assert_int_equal(ent_unit(f, a3), f->street_a);
    /* cap: 1001 ids refused before any lookup; bad bodies */
    buf_init(&big, 0);
    buf_append_str(&big, "{\"set\": {\"unit_id\": 1}, \"ids\": [");
    for (i = 0; i < 1001; i++) {
        buf_appendf(&big, "%s%lld", i ? "," : "", (long long)a1);
    }
    buf_append_str(&big, "]}");
    apitest_request(f->t, "POST", "/api/v1/enterprises/batch", big.data, NULL,
                    &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "一次最多批量修改 1000 家企业"));
    apiresp_release(&r);
    buf_release(&big);
    assert_int_equal(apitest_status(f->t, "POST", "/api/v1/enterprises/batch",
                                    "{\"ids\": [], \"set\": {\"unit_id\": 1}}"),
                     400);
    snprintf(body, sizeof body, "{\"ids\": [%lld], \"set\": {\"name\": \"x\"}}",
             (long long)a3);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/enterprises/batch", body), 400);
    snprintf(body, sizeof body,
             "{\"ids\": [\"%lld\"], \"set\": "
             "{\"unit_id\": %lld}}",
             (long long)a3, (long long)sub_a);
    assert_int_equal(
        apitest_status(f->t, "POST", "/api/v1/enterprises/batch", body), 400);
    /* an id twice is refused, nothing written */
    snprintf(body, sizeof body,
             "{\"ids\": [%lld, %lld], \"set\": {\"unit_id\": %lld}}",
             (long long)a3, (long long)a3, (long long)sub_a);
    apitest_request(f->t, "POST", "/api/v1/enterprises/batch", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "重复"));
    apiresp_release(&r);
    assert_int_equal(ent_unit(f, a3), f->street_a);
    /* one ent.update per enterprise per successful write, none from the
     * refused batches: a1 two PATCHes and two batches, a2 the first batch
     * only, a3 the liaison set and cleared */
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url,
             "/api/v1/audit?action=ent.update&object_type=enterprise&"
             "object_id=%lld",
             (long long)a1);
    assert_int_equal(list_total(f, url), 4);
    snprintf(url, sizeof url,
             "/api/v1/audit?action=ent.update&object_type=enterprise&"
             "object_id=%lld",
             (long long)a2);
    assert_int_equal(list_total(f, url), 1);
    snprintf(url, sizeof url,
             "/api/v1/audit?action=ent.update&object_type=enterprise&"
             "object_id=%lld",
             (long long)a3);
    assert_int_equal(list_total(f, url), 2);
}

/* Export of selected rows: ids=… filters the list and its export. */
static void test_export_ids(void **state)
{
    Fx *f = *state;
    int64_t a1, a2, b1;
    char url[160];
    ApiResp r;
    Buf big;
    int i;

    a1 = add_ent(f, 71, "天津导出甲有限公司", f->street_a, "C39");
    a2 = add_ent(f, 72, "天津导出乙有限公司", f->street_a, "C39");
    b1 = add_ent(f, 73, "天津导出丙有限公司", f->street_b, "C39");
    (void)a2;
    snprintf(url, sizeof url,
             "/api/v1/enterprises?format=csv&columns=name&ids=%lld,%lld",
             (long long)a1, (long long)b1);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "天津导出甲有限公司"));
    assert_non_null(strstr(r.body, "天津导出丙有限公司"));
    assert_null(strstr(r.body, "天津导出乙有限公司"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/enterprises?ids=%lld", (long long)a1);
    assert_int_equal(list_total(f, url), 1);
    /* out of scope ids simply do not appear */
    apitest_add_user(f->t, "agent_a", "Agent12345", ROLE_AGENT, f->street_a);
    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    snprintf(url, sizeof url, "/api/v1/enterprises?ids=%lld,%lld",
             (long long)a1, (long long)b1);
    assert_int_equal(list_total(f, url), 1);
    /* malformed and over the cap */
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises?ids=1,x", NULL), 400);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises?ids=1,,2", NULL), 400);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises?ids=0", NULL), 400);
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/enterprises?ids=07", NULL), 400);
    buf_init(&big, 0);
    buf_append_str(&big, "/api/v1/enterprises?format=csv&ids=");
    for (i = 0; i < 1001; i++) {
        buf_appendf(&big, "%s%d", i ? "," : "", i + 1);
    }
    apitest_request(f->t, "GET", big.data, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "一次最多选择 1000 家企业"));
    apiresp_release(&r);
    buf_release(&big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_get_validate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_scope_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_retire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_years_and_filters, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ip_facts_reference, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ip_facts_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_ids, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
