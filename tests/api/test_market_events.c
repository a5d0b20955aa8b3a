/* test_market_events.c - 成果对接会 through the real dispatcher: an event
 * with items, attendance and deals (a registered contract and an intended
 * deal); the refusals with zh-CN messages naming the row (bad date,
 * negative amount, an attendee listed twice, a contract outside the
 * user's scope) with nothing written; edit and cancel with reasons, each
 * audited; list filters, export and scope; the import of a CSV of
 * events (report by row and column, modes, scope, re-import). */
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

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b, ent_a, ent_b, contract_a, contract_b, ach;
} Fx;

static int64_t add_contract(Fx *f, int n, const char *reg_no)
{
    char code[USCC_LEN + 1], body[768];

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"reg_no\": \"%s\", \"title\": \"伺服系统技术开发\", "
             "\"type\": \"KF\", \"seller_uscc\": \"%s\", \"seller_name\": "
             "\"卖方\", \"buyer_name\": \"某企业\", \"amount_wan\": \"120\", "
             "\"field\": 3, \"signed_on\": \"2026-03-01\", "
             "\"registered_on\": \"2026-03-10\"}",
             reg_no, code);
    return apitest_post_id(f->t, "/api/v1/contracts", body);
}

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
    f->contract_a = add_contract(f, 1, "2026120100000001");
    f->contract_b = add_contract(f, 2, "2026120100000002");
    f->ach =
        apitest_post_id(f->t, "/api/v1/market-items",
                        "{\"kind\": \"achievement\", \"subkind\": \"企业\", "
                        "\"title\": \"伺服电机振动抑制\", \"org_name\": "
                        "\"天津河东精密机电有限公司\", \"field\": 3}");
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

/* A valid body of street A with the given attendees and deals JSON. */
static void event_body(Fx *f, char *out, size_t cap, const char *extra,
                       const char *attendees, const char *deals)
{
    snprintf(out, cap,
             "{\"title\": \"河东区智能制造成果对接会\", \"held_on\": "
             "\"2026-05-20\", \"place\": \"河东区科技局报告厅\", "
             "\"organiser\": \"河东区科技局\", \"unit_id\": %lld, "
             "\"items\": [%lld], \"attendees\": %s, \"deals\": %s%s}",
             (long long)f->street_a, (long long)f->ach, attendees, deals,
             extra);
}

static void expect_400(Fx *f, const char *method, const char *url,
                       const char *body, const char *field, const char *msg)
{
    ApiResp r;

    apitest_request(f->t, method, url, body, NULL, &r);
    if (r.status != 400) {
        fail_msg("%s %s: %d %s", method, url, r.status, r.body);
    }
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        field);
    if (!strstr(apitest_jstr(json_object_get(r.json, "error"), "message"),
                msg)) {
        fail_msg("message %s lacks %s", r.body, msg);
    }
    apiresp_release(&r);
}

static void test_event_lifecycle(void **state)
{
    Fx *f = *state;
    char body[2048], atts[512], deals[512], url[96];
    json_t *ev;
    ApiResp r;
    int64_t id;

    snprintf(atts, sizeof atts,
             "[{\"kind\": \"enterprise\", \"ent_id\": %lld, \"attended\": "
             "true}, {\"kind\": \"institution\", \"name\": \"天津大学\", "
             "\"attended\": false}]",
             (long long)f->ent_a);
    snprintf(deals, sizeof deals,
             "[{\"contract_id\": %lld}, {\"title\": \"振动抑制算法许可\", "
             "\"parties\": \"天津大学 → 精密机电\", \"amount_wan\": \"35.5\", "
             "\"item_id\": %lld}]",
             (long long)f->contract_a, (long long)f->ach);
    event_body(f, body, sizeof body, "", atts, deals);
    apitest_request(f->t, "POST", "/api/v1/market-events", body, NULL, &r);
    assert_int_equal(r.status, 201);
    ev = r.json;
    id = apitest_jint(ev, "id");
    assert_string_equal(apitest_jstr(ev, "status"), "planned");
    assert_int_equal(apitest_jint(ev, "n_attendees"), 2);
    assert_int_equal(apitest_jint(ev, "n_attended"), 1);
    assert_int_equal(apitest_jint(ev, "n_deals"), 2);
    /* the contract's 成交额 (120 万) and the intended 35.5 万 */
    assert_int_equal(apitest_jint(ev, "deal_amount"), 1555000);
    assert_int_equal(apitest_jint(ev, "contract_amount"), 1200000);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(ev, "attendees"), 0),
                     "name"),
        "天津河东精密机电有限公司");
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(ev, "deals"), 0), "reg_no"),
        "2026120100000001");
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "= 'market_event.create'"),
                     1);

    /* edit: a reason is required; the whole event is replaced */
    snprintf(url, sizeof url, "/api/v1/market-events/%lld", (long long)id);
    event_body(f, body, sizeof body, ", \"status\": \"held\"", atts, "[]");
    expect_400(f, "PUT", url, body, "reason", "修改原因");
    event_body(f, body, sizeof body,
               ", \"status\": \"held\", \"reason\": \"意向成交未落实\"", atts,
               "[]");
    apitest_request(f->t, "PUT", url, body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "status"), "held");
    assert_int_equal(apitest_jint(r.json, "n_deals"), 0);
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "= 'market_event.update'"),
                     1);

    /* cancel with a reason, then nothing more */
    snprintf(url, sizeof url, "/api/v1/market-events/%lld/cancel",
             (long long)id);
    expect_400(f, "POST", url, "{}", "reason", "取消原因");
    apitest_request(f->t, "POST", url, "{\"reason\": \"场地调整\"}", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "status"), "cancelled");
    assert_string_equal(apitest_jstr(r.json, "cancel_reason"), "场地调整");
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(f->t, "POST", url, "{\"reason\": \"再次\"}"), 409);
    snprintf(url, sizeof url, "/api/v1/market-events/%lld", (long long)id);
    assert_int_equal(apitest_status(f->t, "PUT", url, body), 409);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "= 'market_event.cancel'"),
                     1);

    /* list filters and export */
    apitest_request(f->t, "GET", "/api/v1/market-events?status=cancelled", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    apiresp_release(&r);
    /* a bad filter is refused before any query runs */
    assert_int_equal(
        apitest_status(f->t, "GET", "/api/v1/market-events?status=maybe", NULL),
        400);
    assert_int_equal(apitest_status(f->t, "GET",
                                    "/api/v1/market-events?from=2026-13-01",
                                    NULL),
                     400);
    apitest_request(f->t, "GET",
                    "/api/v1/market-events?from=2026-06-01&to=2026-12-31", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/market-events?format=csv", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "河东区智能制造成果对接会"));
    assert_non_null(strstr(r.body, "已取消"));
    assert_non_null(strstr(r.body, "到会单位数"));
    apiresp_release(&r);
}

/* The label of value v in a served [{value, label}] table ("" if none). */
static const char *ref_label(json_t *list, const char *v)
{
    json_t *it;
    size_t i;

    json_array_foreach(list, i, it)
    {
        if (strcmp(apitest_jstr(it, "value"), v) == 0) {
            return apitest_jstr(it, "label");
        }
    }
    return "";
}

/* GET /reference/market-items serves the event tables the checks use:
 * every settable status is taken by create (the others refused), every
 * status by the list filter, each named as served; every attendee kind is
 * taken by its code and by its name; deals are named by the deal kinds. */
static void test_event_reference(void **state)
{
    Fx *f = *state;
    char body[2048], atts[1024], deals[512], q[96];
    json_t *ref, *tab, *it, *x;
    size_t i, k;
    ApiResp r, l;

    apitest_request(f->t, "GET", "/api/v1/reference/market-items", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    ref = json_incref(json_object_get(r.json, "events"));
    apiresp_release(&r);
    assert_non_null(ref);
    tab = json_object_get(ref, "statuses");
    assert_int_equal(json_array_size(tab), 3);
    assert_string_equal(ref_label(tab, "held"), "已举办");

    /* attendees: each kind by code and by name */
    atts[0] = '\0';
    json_array_foreach(json_object_get(ref, "attendee_kinds"), i, it)
    {
        size_t n = strlen(atts);
        snprintf(atts + n, sizeof atts - n,
                 "%s{\"kind\": \"%s\", \"name\": \"单位%zu\"}, {\"kind\": "
                 "\"%s\", \"name\": \"单位%zu乙\"}",
                 i ? ", " : "[", apitest_jstr(it, "value"), i,
                 apitest_jstr(it, "label"), i);
    }
    strcat(atts, "]");
    snprintf(deals, sizeof deals,
             "[{\"contract_id\": %lld}, {\"title\": \"算法许可\", "
             "\"parties\": \"甲 → 乙\", \"amount_wan\": \"1\"}]",
             (long long)f->contract_a);
    json_array_foreach(tab, i, it)
    {
        char extra[64];
        int settable = json_is_true(json_object_get(it, "settable"));

        snprintf(extra, sizeof extra, ", \"status\": \"%s\"",
                 apitest_jstr(it, "value"));
        event_body(f, body, sizeof body, extra, atts, deals);
        apitest_request(f->t, "POST", "/api/v1/market-events", body, NULL, &r);
        if (!settable) {
            /* refused, told every settable status of the served table */
            json_t *set = json_array(), *s;
            size_t j;

            assert_int_equal(r.status, 400);
            apiresp_release(&r);
            json_array_foreach(tab, j, s)
            {
                if (json_is_true(json_object_get(s, "settable"))) {
                    json_array_append(set, s);
                }
            }
            assert_int_equal(json_array_size(set), 2);
            apitest_expect_refusal(f->t, "POST", "/api/v1/market-events", body,
                                   "status", "状态", set);
            json_decref(set);
            continue;
        }
        assert_int_equal(r.status, 201);
        assert_string_equal(apitest_jstr(r.json, "status"),
                            apitest_jstr(it, "value"));
        assert_string_equal(apitest_jstr(r.json, "status_name"),
                            apitest_jstr(it, "label"));
        x = json_object_get(r.json, "attendees");
        assert_int_equal(json_array_size(x), 4);
        for (k = 0; k < json_array_size(x); k++) {
            json_t *a = json_array_get(x, k);
            assert_string_equal(
                apitest_jstr(a, "kind_name"),
                ref_label(json_object_get(ref, "attendee_kinds"),
                          apitest_jstr(a, "kind")));
        }
        assert_string_equal(apitest_jstr(json_array_get(x, 1), "kind"),
                            apitest_jstr(json_array_get(x, 0), "kind"));
        x = json_object_get(r.json, "deals");
        assert_string_equal(apitest_jstr(json_array_get(x, 0), "kind"),
                            "contract");
        assert_string_equal(apitest_jstr(json_array_get(x, 1), "kind"),
                            "intended");
        for (k = 0; k < json_array_size(x); k++) {
            json_t *d = json_array_get(x, k);
            assert_string_equal(apitest_jstr(d, "kind_name"),
                                ref_label(json_object_get(ref, "deal_kinds"),
                                          apitest_jstr(d, "kind")));
        }
        if (strcmp(apitest_jstr(it, "value"), "held") == 0) {
            /* one more, cancelled */
            int64_t id = apitest_post_id(f->t, "/api/v1/market-events", body);
            snprintf(q, sizeof q, "/api/v1/market-events/%lld/cancel",
                     (long long)id);
            assert_int_equal(
                apitest_status(f->t, "POST", q, "{\"reason\": \"改期\"}"), 200);
        }
        apiresp_release(&r);
    }
    json_array_foreach(tab, i, it)
    {
        snprintf(q, sizeof q, "/api/v1/market-events?status=%s",
                 apitest_jstr(it, "value"));
        apitest_request(f->t, "GET", q, NULL, NULL, &l);
        assert_int_equal(l.status, 200);
        x = json_object_get(l.json, "items");
        assert_true(json_array_size(x) >= 1);
        for (k = 0; k < json_array_size(x); k++) {
            assert_string_equal(
                apitest_jstr(json_array_get(x, k), "status_name"),
                apitest_jstr(it, "label"));
        }
        apiresp_release(&l);
    }
    /* a refused filter is told every status of the served table */
    apitest_expect_refusal(f->t, "GET", "/api/v1/market-events?status=maybe",
                           NULL, "status", "状态", tab);
    json_decref(ref);
}

static void test_event_refusals(void **state)
{
    Fx *f = *state;
    char body[2048], atts[512], deals[512], bad[2048];
    int64_t id;

    snprintf(atts, sizeof atts,
             "[{\"kind\": \"enterprise\", \"ent_id\": %lld, \"attended\": "
             "true}]",
             (long long)f->ent_a);
    /* a date that does not exist */
    event_body(f, body, sizeof body, "", atts, "[]");
    snprintf(bad, sizeof bad, "%s", body);
    memcpy(strstr(bad, "2026-05-20"), "2026-02-30", 10);
    expect_400(f, "POST", "/api/v1/market-events", bad, "held_on", "");
    /* a negative intended amount */
    event_body(f, body, sizeof body, "", atts,
               "[{\"title\": \"许可\", \"amount_wan\": \"-5\"}]");
    expect_400(f, "POST", "/api/v1/market-events", body, "deals[1].amount_wan",
               "不能为负数");
    /* an attendee listed twice (the enterprise, then its name again) */
    snprintf(atts, sizeof atts,
             "[{\"kind\": \"enterprise\", \"ent_id\": %lld}, {\"kind\": "
             "\"企业\", \"name\": \"天津河东精密机电有限公司\"}]",
             (long long)f->ent_a);
    event_body(f, body, sizeof body, "", atts, "[]");
    expect_400(f, "POST", "/api/v1/market-events", body, "attendees[2]",
               "参会单位第 2 行与第 1 行重复");
    /* a street user: a contract of street B is outside its scope */
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    snprintf(deals, sizeof deals, "[{\"contract_id\": %lld}]",
             (long long)f->contract_b);
    event_body(f, body, sizeof body, "", "[]", deals);
    expect_400(f, "POST", "/api/v1/market-events", body, "deals[1].contract_id",
               "不在本人数据范围内");
    /* nothing was written */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM market_events"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action "
                              "LIKE 'market_event.%'"),
                     0);
    /* its own contract is fine */
    snprintf(deals, sizeof deals, "[{\"contract_id\": %lld}]",
             (long long)f->contract_a);
    event_body(f, body, sizeof body, "", "[]", deals);
    id = apitest_post_id(f->t, "/api/v1/market-events", body);
    assert_true(id > 0);
}

static void test_event_scope(void **state)
{
    Fx *f = *state;
    char body[1024], url[96];
    int64_t id_b;
    ApiResp r;

    /* an event of street B, made by the district */
    snprintf(body, sizeof body,
             "{\"title\": \"大直沽新能源对接会\", \"held_on\": "
             "\"2026-06-01\", \"unit_id\": %lld, \"attendees\": "
             "[{\"kind\": \"enterprise\", \"ent_id\": %lld}]}",
             (long long)f->street_b, (long long)f->ent_b);
    id_b = apitest_post_id(f->t, "/api/v1/market-events", body);
    /* an edit without unit_id keeps the event in its unit */
    snprintf(url, sizeof url, "/api/v1/market-events/%lld", (long long)id_b);
    apitest_request(f->t, "PUT", url,
                    "{\"title\": \"大直沽新能源对接会\", \"held_on\": "
                    "\"2026-06-02\", \"reason\": \"改期\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "unit_id"), f->street_b);
    apiresp_release(&r);
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    snprintf(url, sizeof url, "/api/v1/market-events/%lld", (long long)id_b);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    snprintf(url, sizeof url, "/api/v1/market-events/%lld/cancel",
             (long long)id_b);
    assert_int_equal(apitest_status(f->t, "POST", url, "{\"reason\": \"x\"}"),
                     404);
    apitest_request(f->t, "GET", "/api/v1/market-events?format=csv", NULL, NULL,
                    &r);
    assert_null(strstr(r.body, "大直沽新能源对接会"));
    apiresp_release(&r);
    /* nor may it place an event in B, or list B's enterprise */
    snprintf(body, sizeof body,
             "{\"title\": \"越权\", \"held_on\": \"2026-06-01\", "
             "\"unit_id\": %lld}",
             (long long)f->street_b);
    expect_400(f, "POST", "/api/v1/market-events", body, "unit_id",
               "不在本人数据范围内");
    snprintf(body, sizeof body,
             "{\"title\": \"越权\", \"held_on\": \"2026-06-01\", "
             "\"attendees\": [{\"kind\": \"enterprise\", \"ent_id\": %lld}]}",
             (long long)f->ent_b);
    expect_400(f, "POST", "/api/v1/market-events", body, "attendees[1].ent_id",
               "不在本人数据范围内");
}

/* POST the CSV text as an import of events. */
static void import_csv(Fx *f, const char *csv, const char *query, ApiResp *r)
{
    static const char *const hdr[] = {"X-File-Name", "events.csv",
                                      "Content-Type", "text/csv", NULL};
    char url[160];

    snprintf(url, sizeof url, "/api/v1/market-event-imports?%s", query);
    apitest_request(f->t, "POST", url, csv, hdr, r);
}

/* Fail unless the report has an error at row, column col, with msg. */
static void expect_error(const ApiResp *r, int64_t row, const char *col,
                         const char *msg)
{
    json_t *errs = json_object_get(r->json, "errors");
    size_t i;

    for (i = 0; i < json_array_size(errs); i++) {
        json_t *x = json_array_get(errs, i);
        if (apitest_jint(x, "row") == row &&
            strcmp(apitest_jstr(x, "column"), col) == 0 &&
            strstr(apitest_jstr(x, "message"), msg)) {
            return;
        }
    }
    fail_msg("row %lld %s: no error with %s in %s", (long long)row, col, msg,
             r->body);
}

static int64_t sum_of(const ApiResp *r, const char *key)
{
    return apitest_jint(json_object_get(r->json, "summary"), key);
}

/* The import: a title row, rows grouped into events by name, date and
 * unit; an item by title, attendees by name (linked to the library's
 * enterprise) or as an institution, a deal by registration number and an
 * intended one tied to a presented item; zh-CN errors naming row and
 * column; scope; all or nothing, valid events only, dry run; one audit
 * entry; a re-import adds nothing. */
static void test_import(void **state)
{
    static const char csv[] =
        "成果对接会导入表\n"
        "对接会名称,举办日期,地点,主办单位,状态,所属单位,"
        "展示项目（成果或需求名称）,参会单位,参会单位类型,"
        "参会单位统一社会信用代码,是否到会,技术合同登记编号,意向成交项目,"
        "成交各方,意向金额（万元）,成交关联项目\n"
        /* 3-4: a valid event */
        "智能制造对接会,2026-05-20,报告厅,河东区科技局,已举办,大王庄街道,"
        "伺服电机振动抑制,天津河东精密机电有限公司,,,是,2026120100000001,,,,"
        "\n"
        "智能制造对接会,2026-05-20,,,,大王庄街道,,天津大学,机构,,否,,"
        "振动抑制算法许可,天津大学 → 精密机电,35.5,伺服电机振动抑制\n"
        /* 5-8: an event with four bad rows */
        "新能源对接会,2026-06-01,,,,大王庄街道,未知成果,,,,,,,,,\n"
        "新能源对接会,2026-06-01,,,,大王庄街道,,某公司,,,也许,,,,,\n"
        "新能源对接会,2026-06-01,,,,大王庄街道,,,,,,2099,,,,\n"
        "新能源对接会,2026-06-01,,,,大王庄街道,,,,,,,路演项目,,-3,\n"
        /* 9: a deal with street B's contract */
        "跨街道对接会,2026-06-02,,,,大王庄街道,,,,,,2026120100000002,,,,\n"
        /* 10: no name */
        ",2026-06-03,,,,,,某单位,,,,,,,,\n";
    Fx *f = *state;
    ApiResp r;

    /* the template names the columns */
    apitest_request(f->t, "GET", "/api/v1/market-event-imports/template", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "对接会名称"));
    assert_non_null(strstr(r.body, "成交关联项目"));
    apiresp_release(&r);

    /* dry run: the report, nothing written */
    import_csv(f, csv, "dry_run=true", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "header_row"), 2);
    assert_int_equal(sum_of(&r, "rows"), 8);
    assert_int_equal(sum_of(&r, "events"), 3);
    assert_int_equal(sum_of(&r, "valid"), 2);
    assert_int_equal(sum_of(&r, "invalid"), 1);
    assert_int_equal(apitest_jint(r.json, "errors_total"), 5);
    expect_error(&r, 5, "展示项目（成果或需求名称）", "没有名为“未知成果”");
    expect_error(&r, 6, "是否到会", "是或否");
    expect_error(&r, 7, "技术合同登记编号", "没有登记编号为“2099”");
    expect_error(&r, 8, "意向金额（万元）", "不能为负数");
    expect_error(&r, 10, "对接会名称", "请填写对接会名称");
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM market_events"), 0);

    /* a street user: street B's contract is outside its scope, named by
     * row and column */
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    import_csv(f, csv, "dry_run=true", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(sum_of(&r, "valid"), 1);
    expect_error(&r, 9, "技术合同登记编号", "不在本人数据范围内");
    apiresp_release(&r);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);

    /* all or nothing: refused, nothing written */
    import_csv(f, csv, "dry_run=false", &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "有 5 处错误"));
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM market_events"), 0);

    /* valid events only: two events, one audit entry */
    import_csv(f, csv, "dry_run=false&mode=valid", &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "applied")));
    assert_int_equal(sum_of(&r, "inserted"), 2);
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM market_events"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM market_events WHERE "
                              "title = '智能制造对接会' AND status = 'held' "
                              "AND place = '报告厅'"),
                     1);
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM market_events x JOIN org_units o ON "
                 "o.id = x.unit_id WHERE o.name = '大王庄街道'"),
        2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM market_event_items"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM market_event_attendees"),
                     2);
    {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM market_event_attendees WHERE ent_id = "
                 "%lld AND attended = 1 AND kind = 'enterprise'",
                 (long long)f->ent_a);
        assert_int_equal(count(f, sql), 1);
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM market_event_deals WHERE item_id = "
                 "%lld AND contract_id IS NULL AND amount = 355000",
                 (long long)f->ach);
        assert_int_equal(count(f, sql), 1);
    }
    assert_int_equal(count(f, "SELECT COUNT(*) FROM market_event_attendees "
                              "WHERE kind = 'institution' AND attended = 0"),
                     1);
    assert_int_equal(count(f, "SELECT SUM(amount) FROM market_event_deals"),
                     1200000 + 355000 + 1200000);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'market_event.import'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                              "'market_event.create'"),
                     0);

    /* the same file again: the events exist, nothing added */
    import_csv(f, csv, "dry_run=false&mode=valid", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(sum_of(&r, "inserted"), 0);
    expect_error(&r, 3, "对接会名称", "已有同名、同日期的对接会");
    expect_error(&r, 9, "对接会名称", "已有同名、同日期的对接会");
    apiresp_release(&r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM market_events"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_event_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
