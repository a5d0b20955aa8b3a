/* test_market_pool.c - 一池四库, matchmaking and 揭榜 challenges through
 * the real dispatcher: items by kind with their column rules, scope,
 * export and import; the Chinese ranking (bigrams, not spaces) with
 * reasons; the challenge lifecycle with every transition audited and the
 * refusals of actions out of order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uscc.h"
#include "common/apitest.h"
#include "db/db.h"
#include "domain/market/pool.h"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b, ent_a, ent_b;
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
    apitest_add_user(f->t, "agent_a", APITEST_ADMIN_PASSWORD, ROLE_AGENT,
                     f->street_a);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f->ent_a =
        apitest_add_ent(f->t, 1, "天津河东精密机电有限公司", f->street_a);
    f->ent_b =
        apitest_add_ent(f->t, 2, "天津东丽新能科技有限公司", f->street_b);
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

static void test_items_rules_scope(void **state)
{
    Fx *f = *state;
    char body[1024], url[80];
    ApiResp r;
    int64_t id_a, id_b;

    /* a demand of enterprise A (linked by name; street A) */
    id_a = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"demand\", \"subkind\": \"技术难题\", "
        "\"title\": \"伺服电机高速运行振动抑制\", \"org_name\": "
        "\"天津河东精密机电有限公司\", \"summary\": "
        "\"需要解决伺服电机在高速运行时的振动和噪声问题\", "
        "\"field\": 3, \"price\": \"80\", \"deadline\": "
        "\"2026-12-31\"}");
    snprintf(url, sizeof url, "/api/v1/market-items/%lld", (long long)id_a);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "ent_id"), f->ent_a);
    assert_int_equal(apitest_jint(r.json, "unit_id"), f->street_a);
    assert_int_equal(apitest_jint(r.json, "price"), 800000);
    assert_string_equal(apitest_jstr(r.json, "subkind"), "problem");
    apiresp_release(&r);
    id_b = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"demand\", \"title\": \"隔膜涂覆均匀性\", "
        "\"org_name\": \"天津东丽新能科技有限公司\", \"summary\": "
        "\"涂覆厚度不均\"}");

    /* column rules: required, unused column, bad option, bad money */
    apitest_request(f->t, "POST", "/api/v1/market-items",
                    "{\"kind\": \"demand\", \"title\": \"x\", \"org_name\": "
                    "\"y\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "summary");
    apiresp_release(&r);
    apitest_request(f->t, "POST", "/api/v1/market-items",
                    "{\"kind\": \"institution\", \"subkind\": \"检验检测\", "
                    "\"title\": \"x\", \"maturity\": \"中试\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "maturity");
    apiresp_release(&r);
    apitest_request(f->t, "POST", "/api/v1/market-items",
                    "{\"kind\": \"achievement\", \"subkind\": \"外星人\", "
                    "\"title\": \"x\", \"org_name\": \"y\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "subkind");
    apiresp_release(&r);

    /* update and retire are audited changes */
    snprintf(body, sizeof body, "{\"price\": \"90\"}");
    apitest_request(f->t, "PATCH", url, body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "price"), 900000);
    apiresp_release(&r);

    /* scope: street A sees its own demand only */
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    apitest_request(f->t, "GET", "/api/v1/market-items?kind=demand", NULL, NULL,
                    &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/market-items/%lld", (long long)id_b);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);

    /* export with the kind's columns */
    apitest_request(f->t, "GET", "/api/v1/market-items?kind=demand&format=csv",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "需求名称"));
    assert_non_null(strstr(r.body, "伺服电机高速运行振动抑制"));
    assert_non_null(strstr(r.body, "90"));
    apiresp_release(&r);
}

static void test_import(void **state)
{
    static const char *const hdr[] = {"X-File-Name", "a.csv", NULL};
    Fx *f = *state;
    ApiResp r;

    apitest_request(
        f->t, "POST",
        "/api/v1/market-item-imports?kind=achievement&dry_run=false",
        "\xEF\xBB\xBF"
        "成果登记表\r\n"
        "成果名称,持有方类型,持有方,技术领域,成熟度,意向价格（万元）\r\n"
        "一种伺服电机振动抑制方法,高校,天津大学,先进制造,中试,50\r\n"
        "锂电池隔膜在线检测装置,科研院所,某研究所,新能源与高效节能,"
        "小试,30\r\n"
        "坏行,外星人,某单位,先进制造,中试,10\r\n",
        hdr, &r);
    /* all or nothing: one bad row, nothing written */
    assert_int_equal(r.status, 400);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/market-items?kind=achievement", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    apitest_request(
        f->t, "POST",
        "/api/v1/market-item-imports?kind=achievement&dry_run=false&mode=valid",
        "成果名称,持有方类型,持有方,技术领域,成熟度,意向价格（万元）\r\n"
        "一种伺服电机振动抑制方法,高校,天津大学,先进制造,中试,50\r\n"
        "坏行,外星人,某单位,先进制造,中试,10\r\n",
        hdr, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "summary"), "inserted"), 1);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "errors"), 0),
                     "row"),
        3);
    apiresp_release(&r);
}

static void test_terms_and_match(void **state)
{
    Fx *f = *state;
    uint64_t *t1 = NULL;
    size_t n;
    char url[96];
    int64_t demand, good, other;
    json_t *items, *first;
    ApiResp r;

    /* bigrams of Chinese text without spaces; ASCII words */
    n = pool_terms("伺服电机 PLC", &t1);
    assert_int_equal(n, 4); /* 伺服 服电 电机 plc */
    free(t1);

    demand = apitest_post_id(f->t, "/api/v1/market-items",
                             "{\"kind\": \"demand\", \"title\": "
                             "\"伺服电机高速运行振动抑制\", \"org_name\": "
                             "\"天津河东精密机电有限公司\", \"summary\": "
                             "\"解决伺服电机振动和噪声\", \"field\": 3}");
    other = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"achievement\", \"subkind\": \"高校\", "
        "\"title\": \"高效光伏逆变器\", \"org_name\": \"某大学\", "
        "\"field\": 3}");
    good = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"achievement\", \"subkind\": \"高校\", "
        "\"title\": \"一种伺服电机振动抑制方法\", \"org_name\": "
        "\"天津大学\", \"summary\": \"基于陷波滤波的伺服电机振动抑制"
        "\", \"field\": 3}");
    apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"resource\", \"subkind\": \"专家\", \"title\": "
        "\"张教授\", \"org_name\": \"天津大学\", \"summary\": "
        "\"电机控制、振动噪声\", \"field\": 5}");
    apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"achievement\", \"subkind\": \"高校\", \"title\": "
        "\"水稻育种\", \"org_name\": \"某农学院\", \"field\": 9}");
    /* the holder's registered contract in the demand's field counts */
    apitest_post_id(
        f->t, "/api/v1/contracts",
        "{\"reg_no\": \"2025120100000001\", \"title\": \"电机控制开发\", "
        "\"type\": \"KF\", \"seller_name\": \"天津大学\", "
        "\"buyer_name\": \"某企业\", \"amount_wan\": \"20\", \"field\": 3, "
        "\"signed_on\": \"2025-03-01\", \"registered_on\": "
        "\"2025-03-10\"}");
    snprintf(url, sizeof url, "/api/v1/market-items/%lld/matches",
             (long long)demand);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    first = json_array_get(items, 0);
    /* the obvious match first, with its reasons */
    assert_int_equal(apitest_jint(first, "id"), good);
    assert_true(json_array_size(json_object_get(first, "reasons")) >= 3);
    assert_non_null(strstr(
        json_string_value(json_array_get(json_object_get(first, "reasons"), 2)),
        "登记的技术合同"));
    /* the expert shares terms, the same-field achievement only the field */
    assert_int_equal(json_array_size(items), 3);
    assert_int_equal(apitest_jint(json_array_get(items, 2), "id"), other);
    apiresp_release(&r);
}

/* An enterprise with an industry code and 高新技术领域 (0: none). */
static int64_t add_ent_x(Fx *f, int n, const char *name, int64_t unit,
                         const char *industry, int domain)
{
    char code[USCC_LEN + 1], body[512];

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"%s\", \"unit_id\": %lld, "
             "\"industry_code\": \"%s\", \"tech_domain\": %d}",
             code, name, (long long)unit, industry, domain);
    if (!domain) {
        snprintf(body, sizeof body,
                 "{\"uscc\": \"%s\", \"name\": \"%s\", \"unit_id\": %lld, "
                 "\"industry_code\": \"%s\"}",
                 code, name, (long long)unit, industry);
    }
    return apitest_post_id(f->t, "/api/v1/enterprises", body);
}

static int ents_has(json_t *items, int64_t id)
{
    size_t i;
    json_t *v;

    json_array_foreach(items, i, v)
    {
        if (apitest_jint(v, "ent_id") == id) {
            return 1;
        }
    }
    return 0;
}

static void test_ents_for_achievement(void **state)
{
    Fx *f = *state;
    int64_t good, far, none, holder, ach, demand;
    char url[128], body[512], code[USCC_LEN + 1];
    json_t *items, *first;
    ApiResp r;

    good = add_ent_x(f, 11, "天津伺服驱动有限公司", f->street_a, "C3812", 8);
    far = add_ent_x(f, 12, "天津东丽智能装备有限公司", f->street_b, "C3499", 8);
    none =
        add_ent_x(f, 13, "天津绿叶餐饮管理有限公司", f->street_a, "H6210", 0);
    holder =
        add_ent_x(f, 14, "天津伺服电机研究有限公司", f->street_a, "M7320", 8);
    /* R&D and an earlier purchase in the field for the good one */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2025",
             (long long)good);
    apitest_request(f->t, "PUT", url,
                    "{\"sales_revenue\": 80000000, \"rd_expense\": 6000000}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    apiresp_release(&r);
    apitest_uscc(11, code);
    snprintf(body, sizeof body,
             "{\"reg_no\": \"2025120100000009\", \"title\": \"驱动器开发\", "
             "\"type\": \"KF\", \"seller_name\": \"天津大学\", "
             "\"buyer_name\": \"天津伺服驱动有限公司\", \"buyer_uscc\": "
             "\"%s\", \"amount_wan\": \"30\", \"field\": 3, \"signed_on\": "
             "\"2025-03-01\", \"registered_on\": \"2025-03-10\"}",
             code);
    apitest_post_id(f->t, "/api/v1/contracts", body);
    ach = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"achievement\", \"subkind\": \"企业\", "
        "\"title\": \"一种伺服电机振动抑制方法\", \"org_name\": "
        "\"天津伺服电机研究有限公司\", \"summary\": "
        "\"伺服驱动器中的振动抑制算法\", \"field\": 3, "
        "\"industry_code\": \"3812\"}");
    snprintf(url, sizeof url, "/api/v1/market-items/%lld/enterprises",
             (long long)ach);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    first = json_array_get(items, 0);
    /* the obvious match first, with every reason */
    assert_int_equal(apitest_jint(first, "ent_id"), good);
    assert_int_equal(json_array_size(json_object_get(first, "reasons")), 5);
    assert_non_null(strstr(
        json_string_value(json_array_get(json_object_get(first, "reasons"), 3)),
        "买方"));
    assert_non_null(strstr(
        json_string_value(json_array_get(json_object_get(first, "reasons"), 4)),
        "2025 年研发费用 600"));
    assert_non_null(strstr(
        json_string_value(json_array_get(json_object_get(first, "reasons"), 1)),
        "行业代码 C3812 与成果的前 4 位相同"));
    assert_int_equal(apitest_jint(first, "rd_expense"), 6000000);
    /* the same field only, in street B: listed for the district */
    assert_true(ents_has(items, far));
    /* nothing in common (天津 … 有限公司 is no shared term); the holder
     * itself never */
    assert_false(ents_has(items, none));
    assert_false(ents_has(items, holder));
    assert_false(ents_has(items, f->ent_a));
    apiresp_release(&r);

    /* the export carries the same rows */
    snprintf(url, sizeof url,
             "/api/v1/market-items/%lld/enterprises?format=csv",
             (long long)ach);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "天津伺服驱动有限公司"));
    assert_non_null(strstr(r.body, "天津东丽智能装备有限公司"));
    assert_null(strstr(r.body, "绿叶"));
    assert_non_null(strstr(r.body, "研发费用（万元）"));
    apiresp_release(&r);

    /* a demand has no enterprise list */
    demand =
        apitest_post_id(f->t, "/api/v1/market-items",
                        "{\"kind\": \"demand\", \"title\": \"振动抑制\", "
                        "\"org_name\": \"天津伺服驱动有限公司\", \"summary\": "
                        "\"振动\"}");
    snprintf(url, sizeof url, "/api/v1/market-items/%lld/enterprises",
             (long long)demand);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 400);

    /* a street user sees only its own enterprises */
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    snprintf(url, sizeof url, "/api/v1/market-items/%lld/enterprises",
             (long long)ach);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    assert_int_equal(apitest_jint(json_array_get(items, 0), "ent_id"), good);
    assert_false(ents_has(items, far));
    assert_int_equal(json_array_size(items), 1);
    apiresp_release(&r);
}

static int64_t audit_count(Fx *f, const char *action)
{
    int64_t n = 0;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM audit_log WHERE "
                                    "action = $1",
                                    "t", action),
                     0);
    return n;
}

static int act(Fx *f, int64_t id, const char *body, ApiResp *r)
{
    char url[80];

    snprintf(url, sizeof url, "/api/v1/challenges/%lld/actions", (long long)id);
    return apitest_request(f->t, "POST", url, body, NULL, r);
}

static void test_challenge_lifecycle(void **state)
{
    Fx *f = *state;
    char body[512];
    int64_t demand, ch, app1, app2, contract, ms;
    json_t *apps;
    ApiResp r;

    demand = apitest_post_id(
        f->t, "/api/v1/market-items",
        "{\"kind\": \"demand\", \"title\": \"振动抑制\", "
        "\"org_name\": \"天津河东精密机电有限公司\", \"summary\": "
        "\"振动\"}");
    snprintf(body, sizeof body,
             "{\"demand_id\": %lld, \"money_wan\": \"50\", \"date\": "
             "\"2026-12-31\"}",
             (long long)demand);
    ch = apitest_post_id(f->t, "/api/v1/challenges", body);
    /* out of order: no application before publishing */
    assert_int_equal(act(f, ch,
                         "{\"action\": \"apply\", \"applicant\": \"天津大学\", "
                         "\"applicant_kind\": \"university\", \"proposal\": "
                         "\"方案\"}",
                         &r),
                     409);
    apiresp_release(&r);
    assert_int_equal(act(f, ch, "{\"action\": \"publish\"}", &r), 200);
    assert_string_equal(apitest_jstr(r.json, "stage"), "published");
    apiresp_release(&r);
    assert_int_equal(act(f, ch,
                         "{\"action\": \"apply\", \"applicant\": \"天津大学\", "
                         "\"applicant_kind\": \"university\", \"proposal\": "
                         "\"陷波滤波方案\"}",
                         &r),
                     200);
    apiresp_release(&r);
    assert_int_equal(act(f, ch,
                         "{\"action\": \"apply\", \"applicant\": \"张教授\", "
                         "\"applicant_kind\": \"expert\", \"proposal\": "
                         "\"主动控制\"}",
                         &r),
                     200);
    apps = json_object_get(r.json, "applications_list");
    app1 = apitest_jint(json_array_get(apps, 0), "id");
    app2 = apitest_jint(json_array_get(apps, 1), "id");
    assert_string_equal(apitest_jstr(json_array_get(apps, 0), "status"),
                        "applied");
    assert_string_equal(apitest_jstr(json_array_get(apps, 0), "status_name"),
                        "待定");
    apiresp_release(&r);
    /* selection needs a reason */
    snprintf(body, sizeof body, "{\"action\": \"select\", \"ref_id\": %lld}",
             (long long)app1);
    assert_int_equal(act(f, ch, body, &r), 400);
    apiresp_release(&r);
    snprintf(body, sizeof body,
             "{\"action\": \"select\", \"ref_id\": %lld, \"note\": "
             "\"方案成熟、成本低\"}",
             (long long)app1);
    assert_int_equal(act(f, ch, body, &r), 200);
    apps = json_object_get(r.json, "applications_list");
    assert_string_equal(apitest_jstr(json_array_get(apps, 0), "status"),
                        "selected");
    assert_string_equal(apitest_jstr(json_array_get(apps, 1), "status"),
                        "not_selected");
    /* named from the table GET /reference/market-items serves */
    assert_string_equal(apitest_jstr(json_array_get(apps, 0), "status_name"),
                        "选定");
    assert_string_equal(apitest_jstr(json_array_get(apps, 1), "status_name"),
                        "未选定");
    apiresp_release(&r);
    assert_int_equal(apitest_request(f->t, "GET",
                                     "/api/v1/reference/market-items", NULL,
                                     NULL, &r),
                     200);
    {
        json_t *sts = json_object_get(json_object_get(r.json, "challenges"),
                                      "application_statuses");
        assert_int_equal(json_array_size(sts), 3);
        assert_string_equal(apitest_jstr(json_array_get(sts, 0), "value"),
                            "applied");
        assert_string_equal(apitest_jstr(json_array_get(sts, 0), "label"),
                            "待定");
        assert_string_equal(apitest_jstr(json_array_get(sts, 2), "value"),
                            "not_selected");
        assert_string_equal(apitest_jstr(json_array_get(sts, 2), "label"),
                            "未选定");
        /* the challenge page names its action buttons from here */
        sts = json_object_get(json_object_get(r.json, "challenges"), "actions");
        assert_int_equal(json_array_size(sts), 9);
        assert_string_equal(apitest_jstr(json_array_get(sts, 0), "value"),
                            "publish");
        assert_string_equal(apitest_jstr(json_array_get(sts, 0), "label"),
                            "审核发榜");
    }
    apiresp_release(&r);
    (void)app2;
    /* the contract when it is registered */
    contract = apitest_post_id(
        f->t, "/api/v1/contracts",
        "{\"reg_no\": \"2026120100000001\", \"title\": \"振动抑制技术开发\", "
        "\"type\": \"KF\", \"seller_name\": \"天津大学\", \"buyer_name\": "
        "\"天津河东精密机电有限公司\", \"amount_wan\": \"50\", "
        "\"signed_on\": \"2026-03-01\", \"registered_on\": \"2026-03-10\"}");
    snprintf(body, sizeof body,
             "{\"action\": \"link_contract\", \"ref_id\": %lld}",
             (long long)contract);
    assert_int_equal(act(f, ch, body, &r), 200);
    assert_int_equal(apitest_jint(r.json, "contract_id"), contract);
    apiresp_release(&r);
    assert_int_equal(act(f, ch,
                         "{\"action\": \"milestone_add\", \"title\": "
                         "\"样机测试\", \"date\": \"2026-06-30\"}",
                         &r),
                     200);
    ms = apitest_jint(json_array_get(json_object_get(r.json, "milestones"), 0),
                      "id");
    apiresp_release(&r);
    /* acceptance waits for the milestones */
    assert_int_equal(
        act(f, ch, "{\"action\": \"accept\", \"note\": \"通过\"}", &r), 409);
    apiresp_release(&r);
    snprintf(body, sizeof body,
             "{\"action\": \"milestone_done\", \"ref_id\": %lld, \"date\": "
             "\"2026-06-20\"}",
             (long long)ms);
    assert_int_equal(act(f, ch, body, &r), 200);
    apiresp_release(&r);
    assert_int_equal(
        act(f, ch, "{\"action\": \"accept\", \"note\": \"振动降低 60%\"}", &r),
        200);
    apiresp_release(&r);
    assert_int_equal(act(f, ch,
                         "{\"action\": \"close\", \"note\": "
                         "\"成果已在产线应用\", \"money_wan\": \"50\"}",
                         &r),
                     200);
    assert_string_equal(apitest_jstr(r.json, "stage"), "closed");
    assert_int_equal(apitest_jint(r.json, "reward_paid"), 500000);
    /* create + 9 transitions, each an event */
    assert_int_equal(json_array_size(json_object_get(r.json, "events")), 10);
    apiresp_release(&r);
    assert_int_equal(audit_count(f, "challenge.select"), 1);
    assert_int_equal(audit_count(f, "challenge.close"), 1);
    assert_int_equal(audit_count(f, "challenge.apply"), 2);
    /* closed: nothing more */
    assert_int_equal(
        act(f, ch, "{\"action\": \"withdraw\", \"note\": \"x\"}", &r), 409);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/challenges?stage=closed", NULL, NULL,
                    &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_items_rules_scope, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terms_and_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ents_for_achievement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_challenge_lifecycle, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
