/* test_market.c - technology contracts through the real dispatcher:
 * validation of amounts, types and dates, amendment and cancellation as
 * events, party links to the library, data scope, the import of office
 * exports (title rows, 元/万元, totals, GBK, XLSX, de-duplication), the
 * statistics, the indicator convention and the tax-relief estimate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/uscc.h"
#include "base/xlsx_write.h"
#include "common/apitest.h"
#include "common/testdb.h"
#include "db/db.h"
#include "domain/market/contract.h"
#include "domain/market/contract_import.h"
#include "domain/market/contract_stats.h"
#include "domain/market/market_demo.h"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t ent1, ent2, ent3;
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
    f->ent1 = apitest_add_ent(f->t, 1, "天津河东精密机电有限公司", f->street_a);
    f->ent2 = apitest_add_ent(f->t, 2, "天津东丽新能科技有限公司", f->street_b);
    f->ent3 =
        apitest_add_ent(f->t, 3, "天津河东数智信息技术有限公司", f->street_a);
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

/* A contract body with the seller USCC of enterprise n (0: none) and the
 * given amounts and dates. */
static void body_of(char *out, size_t cap, const char *reg, int seller_n,
                    const char *seller, const char *type, const char *amount,
                    const char *tech, const char *signed_on, const char *reg_on,
                    const char *extra)
{
    char code[USCC_LEN + 1] = "";

    if (seller_n) {
        apitest_uscc(seller_n, code);
    }
    snprintf(out, cap,
             "{\"reg_no\": \"%s\", \"title\": \"测试合同%s\", \"type\": "
             "\"%s\", \"seller_uscc\": \"%s\", \"seller_name\": \"%s\", "
             "\"buyer_name\": \"北京华测装备有限公司\", \"buyer_region\": "
             "\"110108\", \"amount_wan\": \"%s\", \"tech_amount_wan\": "
             "\"%s\", \"signed_on\": \"%s\", \"registered_on\": \"%s\"%s}",
             reg, reg, type, code, seller, amount, tech, signed_on, reg_on,
             extra ? extra : "");
}

static int64_t post_contract(Fx *f, const char *body)
{
    ApiResp r;
    int64_t id;

    apitest_request(f->t, "POST", "/api/v1/contracts", body, NULL, &r);
    if (r.status != 201) {
        fail_msg("POST contract: %d %s", r.status, r.body);
    }
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    return id;
}

/* POST body and expect 400 naming field; returns nothing. */
static void expect_invalid(Fx *f, const char *body, const char *field)
{
    ApiResp r;

    apitest_request(f->t, "POST", "/api/v1/contracts", body, NULL, &r);
    if (r.status != 400 ||
        strcmp(apitest_jstr(json_object_get(r.json, "error"), "field"),
               field) != 0) {
        fail_msg("expected 400 on %s: %d %s", field, r.status, r.body);
    }
    apiresp_release(&r);
}

static void test_create_validate_link(void **state)
{
    Fx *f = *state;
    char body[2048];
    char url[64];
    ApiResp r;
    int64_t id;

    body_of(body, sizeof body, "2024120100000001", 1,
            "天津河东精密机电有限公司", "技术开发合同", "150", "120",
            "2024-06-03", "2024-07-05",
            ", \"subtype\": \"委托开发合同\", \"field\": 3");
    id = post_contract(f, body);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "type"), "KF");
    assert_string_equal(apitest_jstr(r.json, "subtype"), "entrusted");
    assert_string_equal(apitest_jstr(r.json, "src_kind"), "user");
    assert_string_equal(apitest_jstr(r.json, "src_kind_name"), "手工登记");
    assert_int_equal(apitest_jint(r.json, "amount"), 1500000);
    assert_int_equal(apitest_jint(r.json, "tech_amount"), 1200000);
    /* linked by USCC; the contract belongs to the seller's street */
    assert_int_equal(apitest_jint(r.json, "seller_ent_id"), f->ent1);
    assert_int_equal(apitest_jint(r.json, "unit_id"), f->street_a);
    assert_string_equal(apitest_jstr(r.json, "seller_place"), "district");
    assert_string_equal(apitest_jstr(r.json, "buyer_place"), "domestic");
    assert_int_equal(json_array_size(json_object_get(r.json, "events")), 1);
    apiresp_release(&r);

    /* duplicate registration number */
    apitest_request(f->t, "POST", "/api/v1/contracts", body, NULL, &r);
    assert_int_equal(r.status, 409);
    apiresp_release(&r);

    /* 技术交易额 > 成交额 */
    body_of(body, sizeof body, "2024120100000002", 0, "某公司", "KF", "100",
            "100.0001", "2024-06-03", "2024-07-05", NULL);
    expect_invalid(f, body, "tech_amount_wan");
    /* registration before signing */
    body_of(body, sizeof body, "2024120100000002", 0, "某公司", "KF", "100",
            "80", "2024-06-03", "2024-06-02", NULL);
    expect_invalid(f, body, "registered_on");
    /* unknown type */
    body_of(body, sizeof body, "2024120100000002", 0, "某公司", "技术推广",
            "100", "80", "2024-06-03", "2024-07-02", NULL);
    expect_invalid(f, body, "type");
    /* negative amount */
    body_of(body, sizeof body, "2024120100000002", 0, "某公司", "KF", "-1", "0",
            "2024-06-03", "2024-07-02", NULL);
    expect_invalid(f, body, "amount_wan");
    /* registration number: 15 digits */
    body_of(body, sizeof body, "202412010000000", 0, "某公司", "KF", "1", "1",
            "2024-06-03", "2024-07-02", NULL);
    expect_invalid(f, body, "reg_no");
    /* wrong USCC check character */
    snprintf(body, sizeof body,
             "{\"reg_no\": \"2024120100000009\", \"title\": \"x\", \"type\": "
             "\"KF\", \"seller_uscc\": \"91120102MA00000010\", "
             "\"seller_name\": \"某公司\", \"buyer_name\": \"乙\", "
             "\"amount_wan\": \"1\", \"signed_on\": \"2024-01-01\", "
             "\"registered_on\": \"2024-01-02\"}");
    expect_invalid(f, body, "seller_uscc");
    /* above 10 亿元 needs confirmation */
    body_of(body, sizeof body, "2024120100000003", 0, "某公司", "FW",
            "100000.0001", "1", "2024-06-03", "2024-07-02", NULL);
    expect_invalid(f, body, "amount_wan");
    body_of(body, sizeof body, "2024120100000003", 0, "某公司", "FW",
            "100000.0001", "1", "2024-06-03", "2024-07-02",
            ", \"confirm_large\": true");
    post_contract(f, body);

    /* a pre-2021 专利实施许可 maps to 技术许可合同 */
    body_of(body, sizeof body, "2020120100000004", 0,
            "天津东丽新能科技有限公司", "技术转让（专利实施许可）", "50", "50",
            "2020-03-01", "2020-03-15", NULL);
    id = post_contract(f, body);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_string_equal(apitest_jstr(r.json, "type"), "XK");
    assert_string_equal(apitest_jstr(r.json, "subtype"), "patent");
    assert_string_equal(apitest_jstr(r.json, "legacy_type"),
                        "技术转让（专利实施许可）");
    /* no USCC: linked by the enterprise's name */
    assert_int_equal(apitest_jint(r.json, "seller_ent_id"), f->ent2);
    assert_int_equal(apitest_jint(r.json, "unit_id"), f->street_b);
    apiresp_release(&r);

    /* a former name links too (the enterprise was renamed) */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)f->ent3);
    assert_int_equal(
        apitest_status(f->t, "PATCH", url,
                       "{\"name\": \"天津河东数智科技集团有限公司\"}"),
        200);
    body_of(body, sizeof body, "2024120100000005", 0,
            "天津河东数智信息技术有限公司", "FW", "5", "5", "2024-06-03",
            "2024-07-05", NULL);
    id = post_contract(f, body);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "seller_ent_id"), f->ent3);
    apiresp_release(&r);
    /* an unmatched seller is listed, and linked after it enters the library */
    body_of(body, sizeof body, "2024120100000006", 0, "天津新入库科技有限公司",
            "FW", "5", "5", "2024-06-03", "2024-07-05", NULL);
    id = post_contract(f, body);
    apitest_request(f->t, "GET", "/api/v1/contract-parties/unmatched", NULL,
                    NULL, &r);
    assert_non_null(strstr(r.body, "天津新入库科技有限公司"));
    apiresp_release(&r);
    apitest_add_ent(f->t, 9, "天津新入库科技有限公司", f->street_b);
    apitest_request(f->t, "POST", "/api/v1/contracts/relink", "{}", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(apitest_jint(r.json, "linked") >= 1);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "unit_id"), f->street_b);
    apiresp_release(&r);

    /* the reference table is the one the UI reads */
    apitest_request(f->t, "GET", "/api/v1/reference/contracts", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "types")), 5);
    /* the names of the record's fields the history shows, the same as the
     * export titles */
    {
        json_t *rf = json_object_get(r.json, "record_fields");
        const char *want[][2] = {{"field", "技术领域"},
                                 {"seller_uscc", "卖方统一社会信用代码"},
                                 {"amount", "合同成交额"},
                                 {"on_date", "注销日期"}};
        size_t i, j, hits = 0;
        for (i = 0; i < sizeof want / sizeof want[0]; i++) {
            for (j = 0; j < json_array_size(rf); j++) {
                json_t *x = json_array_get(rf, j);
                if (strcmp(apitest_jstr(x, "value"), want[i][0]) == 0) {
                    assert_string_equal(apitest_jstr(x, "label"), want[i][1]);
                    assert_int_equal(json_is_true(json_object_get(x, "money")),
                                     strcmp(want[i][0], "amount") == 0);
                    hits++;
                }
            }
        }
        assert_int_equal(hits, 4);
        assert_string_equal(contract_export_titles[5], "卖方统一社会信用代码");
        assert_string_equal(contract_export_titles[13], "合同成交额（万元）");
        /* the audit page names a contract's fields from the same table
         * (object_fields of /reference/labels), not the generic names */
        {
            ApiResp lr;
            apitest_request(f->t, "GET", "/api/v1/reference/labels", NULL, NULL,
                            &lr);
            assert_int_equal(lr.status, 200);
            assert_true(json_equal(
                json_object_get(json_object_get(lr.json, "object_fields"),
                                "contract"),
                rf));
            assert_string_equal(
                apitest_jstr(json_object_get(lr.json, "fields"), "field"),
                "字段");
            apiresp_release(&lr);
        }
    }
    apiresp_release(&r);
}

static void test_amend_cancel_history(void **state)
{
    Fx *f = *state;
    char body[2048], url[80];
    json_t *ev;
    ApiResp r;
    int64_t id;

    body_of(body, sizeof body, "2024120100000011", 3,
            "天津河东数智信息技术有限公司", "FW", "30", "25", "2024-07-01",
            "2024-07-18", NULL);
    id = post_contract(f, body);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld/amend", (long long)id);
    body_of(body, sizeof body, "2024120100000011", 3,
            "天津河东数智信息技术有限公司", "FW", "36", "30", "2024-07-01",
            "2024-07-18", ", \"reason\": \"补充协议增加服务内容\"");
    apitest_request(f->t, "POST", url, body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "amount"), 360000);
    ev = json_object_get(r.json, "events");
    assert_int_equal(json_array_size(ev), 2);
    assert_string_equal(apitest_jstr(json_array_get(ev, 0), "kind"),
                        "register");
    assert_string_equal(apitest_jstr(json_array_get(ev, 1), "kind"), "amend");
    /* the event keeps the amount before and after */
    assert_int_equal(
        apitest_jint(json_object_get(json_array_get(ev, 1), "before"),
                     "amount"),
        300000);
    assert_int_equal(
        apitest_jint(json_object_get(json_array_get(ev, 1), "after"), "amount"),
        360000);
    apiresp_release(&r);
    /* the same content again is refused */
    assert_int_equal(apitest_status(f->t, "POST", url, body), 400);

    snprintf(url, sizeof url, "/api/v1/contracts/%lld/cancel", (long long)id);
    assert_int_equal(apitest_status(f->t, "POST", url, "{}"), 400);
    apitest_request(
        f->t, "POST", url,
        "{\"reason\": \"双方解除合同\", \"on_date\": \"2024-09-01\"}", NULL,
        &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "status"), "cancelled");
    assert_int_equal(json_array_size(json_object_get(r.json, "events")), 3);
    apiresp_release(&r);
    /* cancelled: no second cancel, no amendment */
    assert_int_equal(
        apitest_status(f->t, "POST", url, "{\"reason\": \"再次注销\"}"), 409);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld/amend", (long long)id);
    assert_int_equal(apitest_status(f->t, "POST", url, body), 409);

    /* 未予登记 is recorded and counts nowhere */
    body_of(body, sizeof body, "2024120100000012", 3,
            "天津河东数智信息技术有限公司", "ZX", "10", "10", "2024-07-01",
            "2024-07-20", ", \"rejected\": true");
    id = post_contract(f, body);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_string_equal(apitest_jstr(r.json, "status"), "rejected");
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "events"), 0),
                     "kind"),
        "reject");
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/contract-stats?group=type&year=2024",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(json_object_get(r.json, "total"), "count"),
                     0);
    apiresp_release(&r);
}

static void test_scope(void **state)
{
    Fx *f = *state;
    char body[2048], url[64];
    int64_t id_a, id_b;
    ApiResp r;

    body_of(body, sizeof body, "2024120100000021", 1,
            "天津河东精密机电有限公司", "KF", "10", "10", "2024-03-01",
            "2024-03-05", NULL);
    id_a = post_contract(f, body);
    body_of(body, sizeof body, "2024120100000022", 2,
            "天津东丽新能科技有限公司", "KF", "20", "20", "2024-03-01",
            "2024-03-05", NULL);
    id_b = post_contract(f, body);
    assert_int_equal(apitest_login(f->t, "agent_a", APITEST_ADMIN_PASSWORD),
                     200);
    apitest_request(f->t, "GET", "/api/v1/contracts", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "items"), 0), "id"),
        id_a);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld", (long long)id_b);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld", (long long)id_a);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 200);
    /* a street cannot register a contract of another street's seller */
    body_of(body, sizeof body, "2024120100000023", 2,
            "天津东丽新能科技有限公司", "KF", "20", "20", "2024-03-01",
            "2024-03-05", NULL);
    assert_int_equal(apitest_status(f->t, "POST", "/api/v1/contracts", body),
                     403);
    /* statistics are limited to the street too */
    apitest_request(f->t, "GET", "/api/v1/contract-stats?group=month&year=2024",
                    NULL, NULL, &r);
    assert_int_equal(apitest_jint(json_object_get(r.json, "total"), "amount"),
                     100000);
    apiresp_release(&r);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

/* Read a fixture file into a NUL-terminated buffer. */
static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    char *p;
    long len;

    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    p = malloc((size_t)len + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)len, fp), (size_t)len);
    p[len] = '\0';
    fclose(fp);
    *n = (size_t)len;
    return p;
}

static void import_file(Fx *f, const char *path, const char *query, ApiResp *r)
{
    static const char *const hdr[] = {"X-File-Name", "contracts.csv",
                                      "Content-Type", "text/csv", NULL};
    char url[256];
    size_t n;
    char *body = slurp(path, &n);

    snprintf(url, sizeof url, "/api/v1/contract-imports?%s", query);
    apitest_request(f->t, "POST", url, body, hdr, r);
    free(body);
}

static json_t *summary(ApiResp *r)
{
    return json_object_get(r->json, "summary");
}

/* The register event the import wrote for reg_no (its JSON text written
 * directly, not dumped from an object) holds the contract's stored values,
 * as compact JSON with sorted keys. */
static void event_equals_row(Fx *f, const char *reg_no)
{
    char *text = NULL, *again;
    const char *k;
    json_t *ev, *v, *c;
    char url[80];
    int64_t id = 0;
    ApiResp r;
    Err e;

    assert_int_equal(db_query_int64(f->t->db, &id, &e,
                                    "SELECT id FROM contracts WHERE reg_no = "
                                    "$1",
                                    "t", reg_no),
                     0);
    assert_int_equal(db_query_text(f->t->db, &text, &e,
                                   "SELECT after_json FROM contract_events "
                                   "WHERE contract_id = $1 AND kind = "
                                   "'register'",
                                   "i", id),
                     0);
    ev = json_loads(text, 0, NULL);
    assert_non_null(ev);
    again = json_dumps(ev, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(again, text);
    assert_int_equal(json_object_size(ev), 22);
    snprintf(url, sizeof url, "/api/v1/contracts/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_object_foreach(ev, k, v)
    {
        c = json_object_get(r.json, k);
        if (!json_equal(v, c ? c : json_null())) {
            fail_msg("%s: event %s, contract %s", k, text, r.body);
        }
    }
    apiresp_release(&r);
    json_decref(ev);
    free(again);
    free(text);
}

static void test_import_office_export(void **state)
{
    Fx *f = *state;
    ApiResp r;

    /* dry run: report only */
    import_file(f, "tests/data/market/contracts_2024_07.csv", "dry_run=true",
                &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "header_row"), 3);
    assert_string_equal(apitest_jstr(r.json, "amount_unit"), "元");
    assert_int_equal(apitest_jint(summary(&r), "rows"), 3);
    assert_int_equal(apitest_jint(summary(&r), "valid"), 3);
    assert_int_equal(apitest_jint(summary(&r), "ignored"),
                     2); /* totals + note */
    assert_false(json_is_true(json_object_get(r.json, "applied")));
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/contracts?q=2024120100000101", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);

    /* apply */
    import_file(f, "tests/data/market/contracts_2024_07.csv", "dry_run=false",
                &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(summary(&r), "inserted"), 3);
    assert_true(json_is_true(json_object_get(r.json, "applied")));
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/contracts?q=2024120100000101", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    {
        json_t *c = json_array_get(json_object_get(r.json, "items"), 0);
        assert_int_equal(apitest_jint(c, "amount"),
                         1500000); /* 元 as the header */
        assert_int_equal(apitest_jint(c, "seller_ent_id"), f->ent1);
        assert_string_equal(apitest_jstr(c, "src_kind"), "import");
        assert_string_equal(apitest_jstr(c, "src_kind_name"), "导入");
    }
    apiresp_release(&r);
    event_equals_row(f, "2024120100000101");
    event_equals_row(f, "2024120100000103");

    /* the same month again changes nothing */
    import_file(f, "tests/data/market/contracts_2024_07.csv", "dry_run=false",
                &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(summary(&r), "inserted"), 0);
    assert_int_equal(apitest_jint(summary(&r), "amended"), 0);
    assert_int_equal(apitest_jint(summary(&r), "unchanged"), 3);
    apiresp_release(&r);

    /* a changed amount becomes an amendment event */
    import_file(f, "tests/data/market/contracts_2024_07_amended.csv",
                "dry_run=false", &r);
    assert_int_equal(apitest_jint(summary(&r), "amended"), 1);
    assert_int_equal(apitest_jint(summary(&r), "unchanged"), 2);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/contracts?q=2024120100000101", NULL,
                    NULL, &r);
    {
        json_t *c = json_array_get(json_object_get(r.json, "items"), 0);
        char url[64];
        ApiResp d;
        assert_int_equal(apitest_jint(c, "amount"), 1800000);
        snprintf(url, sizeof url, "/api/v1/contracts/%lld",
                 (long long)apitest_jint(c, "id"));
        apitest_request(f->t, "GET", url, NULL, NULL, &d);
        assert_int_equal(json_array_size(json_object_get(d.json, "events")), 2);
        apiresp_release(&d);
    }
    apiresp_release(&r);

    /* GBK, 万元, pre-2021 types */
    import_file(f, "tests/data/market/contracts_2020_gbk.csv", "dry_run=false",
                &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "amount_unit"), "万元");
    assert_int_equal(apitest_jint(summary(&r), "inserted"), 2);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/contracts?q=2020120100000202", NULL,
                    NULL, &r);
    {
        json_t *c = json_array_get(json_object_get(r.json, "items"), 0);
        assert_string_equal(apitest_jstr(c, "type"), "XK");
        assert_int_equal(apitest_jint(c, "amount"), 1200000);
        assert_string_equal(apitest_jstr(c, "buyer_place"), "abroad");
    }
    apiresp_release(&r);
}

/* Parties repeated over the rows of an import (matched by USCC, by name,
 * in both roles, unmatched): each row links as a lone row would (the
 * import keeps its lookups in a memo). */
static void test_import_parties_repeat(void **state)
{
    static const struct {
        int s_uscc;
        const char *s_name;
        int b_uscc;
        const char *b_name;
        int seller, buyer; /* 1..3: ent1..ent3; 0 none */
    } rows[] = {
        {1, "天津河东精密机电有限公司", 0, "天津东丽新能科技有限公司", 1, 2},
        {0, "天津东丽新能科技有限公司", 3, "某买方", 2, 3},
        {1, "天津河东精密机电有限公司", 0, "天津东丽新能科技有限公司", 1, 2},
        {0, "天津东丽新能科技有限公司", 0, "某外地公司", 2, 0},
        {0, "某外地公司", 0, "另一外地公司", 0, 0},
        {0, "某外地公司", 0, "天津河东精密机电有限公司", 0, 1},
        {0, "天津河东数智信息技术有限公司", 0, "天津河东精密机电有限公司", 3,
         1},
        {0, "天津河东精密机电有限公司", 3, "某买方", 1, 3},
    };
    Fx *f = *state;
    int64_t ents[4];
    char path[] = "/tmp/kc-test-parties-XXXXXX";
    char us[USCC_LEN + 1], ub[USCC_LEN + 1], reg[32];
    FILE *fp;
    ApiResp r;
    size_t i;
    int fd;

    ents[0] = 0;
    ents[1] = f->ent1;
    ents[2] = f->ent2;
    ents[3] = f->ent3;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    assert_non_null(fp);
    fprintf(fp, "登记编号,合同名称,合同类别,卖方统一社会信用代码,卖方名称,"
                "买方统一社会信用代码,买方名称,合同成交额（元）,"
                "技术交易额（元）,签订日期,登记日期\n");
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        us[0] = ub[0] = '\0';
        if (rows[i].s_uscc) {
            apitest_uscc(rows[i].s_uscc, us);
        }
        if (rows[i].b_uscc) {
            apitest_uscc(rows[i].b_uscc, ub);
        }
        fprintf(fp,
                "20241201000009%02zu,合同%zu,技术开发合同,%s,%s,%s,%s,100000,"
                "90000,2024-06-03,2024-07-05\n",
                i, i, us, rows[i].s_name, ub, rows[i].b_name);
    }
    fclose(fp);
    import_file(f, path, "dry_run=false", &r);
    unlink(path);
    if (r.status != 200) {
        fail_msg("import: %d %s", r.status, r.body);
    }
    assert_int_equal(apitest_jint(summary(&r), "inserted"), 8);
    apiresp_release(&r);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        DbStmt *st = NULL;
        int64_t unit;
        Err e;
        snprintf(reg, sizeof reg, "20241201000009%02zu", i);
        assert_int_equal(db_prepare_v(f->t->db, &st, &e,
                                      "SELECT COALESCE(seller_ent_id, 0), "
                                      "COALESCE(buyer_ent_id, 0), unit_id "
                                      "FROM contracts WHERE reg_no = $1",
                                      "t", reg),
                         0);
        assert_int_equal(db_step(st, &e), DB_ROW);
        assert_int_equal(db_col_int64(st, 0), ents[rows[i].seller]);
        assert_int_equal(db_col_int64(st, 1), ents[rows[i].buyer]);
        unit = rows[i].seller == 2   ? f->street_b
               : rows[i].seller != 0 ? f->street_a
                                     : f->t->root_id;
        assert_int_equal(db_col_int64(st, 2), unit);
        db_finalize(st);
    }
}

static void test_import_bad_rows(void **state)
{
    Fx *f = *state;
    json_t *errs;
    ApiResp r;
    size_t i;
    int seen[6] = {0};

    /* all or nothing: 422 with the report, nothing written */
    import_file(f, "tests/data/market/contracts_bad.csv", "dry_run=false", &r);
    assert_int_equal(r.status, 422);
    assert_int_equal(apitest_jint(summary(&r), "invalid"), 5);
    assert_int_equal(apitest_jint(summary(&r), "valid"), 1);
    errs = json_object_get(r.json, "errors");
    for (i = 0; i < json_array_size(errs); i++) {
        json_t *x = json_array_get(errs, i);
        long row = (long)apitest_jint(x, "row");
        const char *field = apitest_jstr(x, "field");
        if (row == 4 && strcmp(field, "tech_amount_wan") == 0) {
            seen[0] = 1;
        } else if (row == 5 && strcmp(field, "registered_on") == 0) {
            seen[1] = 1;
        } else if (row == 6 && strcmp(field, "type") == 0) {
            seen[2] = 1;
        } else if (row == 7 && strcmp(field, "seller_uscc") == 0) {
            seen[3] = 1;
        } else if (row == 8 && strcmp(field, "amount_wan") == 0) {
            seen[4] = 1;
        }
    }
    for (i = 0; i < 5; i++) {
        if (!seen[i]) {
            fail_msg("error %zu missing: %s", i, r.body);
        }
    }
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/contracts?q=20241201000003", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);

    /* valid rows only, with the large amount confirmed */
    import_file(f, "tests/data/market/contracts_bad.csv",
                "dry_run=false&mode=valid&confirm_large=true", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(summary(&r), "inserted"), 2);
    assert_int_equal(json_array_size(json_object_get(r.json, "warnings")), 1);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/contracts?q=20241201000003", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
}

static void test_import_xlsx(void **state)
{
    static const char *const hdr[] = {
        "登记编号",           "合同名称", "合同类别",
        "卖方名称",           "买方名称", "合同成交额（万元）",
        "技术交易额（万元）", "签订日期", "登记日期"};
    Fx *f = *state;
    char path[256];
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    ContractImportOpts o;
    json_t *rep = NULL;
    Actor a;
    Err e;

    snprintf(path, sizeof path, "%s/contracts.xlsx", f->t->dir);
    assert_int_equal(xlsx_writer_new(&w, path, &e), 0);
    assert_int_equal(xlsx_writer_add_sheet(w, "登记明细", &s, &e), 0);
    assert_int_equal(xlsx_write_title(s, 0, 0, 0, 8, "2023年技术合同登记", &e),
                     0);
    assert_int_equal(xlsx_write_header(s, 2, hdr, 9, &e), 0);
    xlsx_write_str(s, 3, 0, "2023120100000501", &e);
    xlsx_write_str(s, 3, 1, "污水处理工艺咨询", &e);
    xlsx_write_str(s, 3, 2, "技术咨询合同", &e);
    xlsx_write_str(s, 3, 3, "天津河东数智信息技术有限公司", &e);
    xlsx_write_str(s, 3, 4, "天津某水务公司", &e);
    xlsx_write_number(s, 3, 5, 12.5, "0.00", &e);
    xlsx_write_number(s, 3, 6, 12.5, "0.00", &e);
    xlsx_write_date(s, 3, 7, 2023, 4, 3, &e);
    xlsx_write_date(s, 3, 8, 2023, 4, 20, &e);
    xlsx_write_str(s, 4, 0, "总计", &e);
    xlsx_write_number(s, 4, 5, 12.5, "0.00", &e);
    assert_int_equal(xlsx_writer_close(w, &e), 0);

    actor_init_system(&a);
    memset(&o, 0, sizeof o);
    o.apply = 1;
    o.file_name = "contracts.xlsx";
    if (contract_import_file(f->t->db, &a, path, &o, &rep, &e) != 0) {
        fail_msg("import xlsx: %s", e.msg);
    }
    assert_int_equal(apitest_jint(json_object_get(rep, "summary"), "inserted"),
                     1);
    assert_int_equal(apitest_jint(json_object_get(rep, "summary"), "ignored"),
                     1);
    assert_int_equal(apitest_jint(rep, "header_row"), 3);
    json_decref(rep);
    {
        int64_t amount = 0;
        assert_int_equal(db_query_int64(f->t->db, &amount, &e,
                                        "SELECT amount FROM contracts WHERE "
                                        "reg_no = '2023120100000501'",
                                        ""),
                         0);
        assert_int_equal(amount, 125000);
    }
    {
        char *d = NULL;
        assert_int_equal(db_query_text(f->t->db, &d, &e,
                                       "SELECT registered_on FROM contracts "
                                       "WHERE reg_no = '2023120100000501'",
                                       ""),
                         0);
        assert_string_equal(d, "2023-04-20");
        free(d);
    }
}

/* A file of more than 2 MB into an empty table goes through bulk mode
 * (the secondary indexes of contracts dropped and rebuilt in the
 * transaction): every row is written, the indexes are back after the
 * commit and after a dry run's rollback, and the sums agree. */
static int64_t contract_indexes(Fx *f)
{
    int64_t n = -1;
    Err e;

    if (testdb_is_pg()) {
        return 8; /* bulk mode is SQLite's; nothing is dropped */
    }
    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM sqlite_master WHERE "
                                    "type = 'index' AND tbl_name = "
                                    "'contracts'",
                                    ""),
                     0);
    return n;
}

static void test_import_bulk(void **state)
{
    Fx *f = *state;
    enum { N = 16000 };
    char path[512];
    ContractImportOpts o;
    json_t *rep = NULL;
    int64_t n = 0, sum = 0, want = 0, before;
    Actor a;
    FILE *fp;
    Err e;

    before = contract_indexes(f);
    assert_true(before >= 8);
    snprintf(path, sizeof path, "%s/big.csv", f->t->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "技术合同登记明细\n登记编号,合同名称,合同类别,卖方名称,"
                "卖方地区代码,买方名称,买方地区代码,合同成交额（元）,"
                "技术交易额（元）,签订日期,登记日期,技术领域\n");
    for (int i = 1; i <= N; i++) {
        int y = 2020 + i % 6, m = 1 + i % 12, d = 1 + i % 28;
        int64_t amount = 10000 * (int64_t)(1 + i % 2000);
        want += amount;
        fprintf(fp,
                "%04d120102%06d,大批量导入的技术开发合同第%d号（用于检验"
                "批量写入）,技术开发合同,卖方单位%d,120102,买方单位%d,"
                "110108,%lld,%lld,%04d-%02d-%02d,%04d-%02d-%02d,%d\n",
                y, i, i, i % 500, i % 700, (long long)amount, (long long)amount,
                y, m, d > 1 ? d - 1 : 1, y, m, d, 1 + i % 11);
    }
    fprintf(fp, "合计,,,,,,,,,,,\n");
    assert_int_equal(fclose(fp), 0);

    actor_init_system(&a);
    memset(&o, 0, sizeof o);
    o.file_name = "big.csv";
    /* dry run: rolled back, indexes untouched */
    assert_int_equal(contract_import_file(f->t->db, &a, path, &o, &rep, &e), 0);
    assert_int_equal(apitest_jint(json_object_get(rep, "summary"), "valid"), N);
    json_decref(rep);
    assert_int_equal(contract_indexes(f), before);
    assert_int_equal(
        db_query_int64(f->t->db, &n, &e, "SELECT COUNT(*) FROM contracts", ""),
        0);
    assert_int_equal(n, 0);

    o.apply = 1;
    if (contract_import_file(f->t->db, &a, path, &o, &rep, &e) != 0) {
        fail_msg("bulk import: %s", e.msg);
    }
    assert_int_equal(apitest_jint(json_object_get(rep, "summary"), "inserted"),
                     N);
    json_decref(rep);
    assert_int_equal(contract_indexes(f), before);
    assert_int_equal(
        db_query_int64(f->t->db, &n, &e, "SELECT COUNT(*) FROM contracts", ""),
        0);
    assert_int_equal(n, N);
    assert_int_equal(db_query_int64(f->t->db, &sum, &e,
                                    "SELECT SUM(amount) FROM contracts WHERE "
                                    "registered_on >= '2020-01-01'",
                                    ""),
                     0);
    assert_int_equal(sum, want);
    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM contract_events", ""),
                     0);
    assert_int_equal(n, N);
}

static void test_stats_indicator_tax(void **state)
{
    Fx *f = *state;
    char body[2048];
    ApiResp r;
    json_t *items;
    MarketConv conv = MARKET_CONV_DEFAULT;
    int64_t yuan = 0, n = 0;
    Err e;

    /* 2025: two contracts in street A (one ZR 600 万), one in street B;
     * 2024 registered, signed in 2024 */
    body_of(body, sizeof body, "2025120100000001", 1,
            "天津河东精密机电有限公司", "ZR", "600", "550", "2025-01-10",
            "2025-02-01", ", \"subtype\": \"patent\"");
    post_contract(f, body);
    body_of(body, sizeof body, "2025120100000002", 3,
            "天津河东数智信息技术有限公司", "KF", "100", "90", "2024-12-20",
            "2025-01-05", NULL);
    post_contract(f, body);
    body_of(body, sizeof body, "2025120100000003", 2,
            "天津东丽新能科技有限公司", "FW", "40", "40", "2025-05-01",
            "2025-05-06", NULL);
    post_contract(f, body);
    body_of(body, sizeof body, "2024120100000031", 1,
            "天津河东精密机电有限公司", "KF", "370", "370", "2024-02-01",
            "2024-02-10", NULL);
    post_contract(f, body);

    apitest_request(f->t, "GET", "/api/v1/contract-stats?group=month&year=2025",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 12);
    assert_int_equal(apitest_jint(json_array_get(items, 0), "amount"), 1000000);
    assert_int_equal(apitest_jint(json_array_get(items, 1), "amount"), 6000000);
    assert_int_equal(apitest_jint(json_object_get(r.json, "total"), "amount"),
                     7400000);
    /* drill-down: the month item carries the list's filter */
    assert_string_equal(
        apitest_jstr(json_object_get(json_array_get(items, 1), "filter"),
                     "month"),
        "2025-02");
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/contracts?month=2025-02", NULL, NULL,
                    &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);

    /* the 技术领域 not filled in drills down to exactly those contracts */
    apitest_request(f->t, "GET", "/api/v1/contract-stats?group=field&year=2025",
                    NULL, NULL, &r);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "label"),
                        "未填写");
    assert_int_equal(
        apitest_jint(json_object_get(json_array_get(items, 0), "filter"),
                     "field"),
        -1);
    apiresp_release(&r);
    apitest_request(f->t, "GET",
                    "/api/v1/contracts?field=-1&from=2025-01-01&to=2025-12-31",
                    NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 3);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/contract-stats?group=unit&year=2025",
                    NULL, NULL, &r);
    items = json_object_get(r.json, "items");
    {
        size_t i;
        int found = 0;
        for (i = 0; i < json_array_size(items); i++) {
            json_t *x = json_array_get(items, i);
            if (strcmp(apitest_jstr(x, "label"), "大王庄街道") == 0) {
                assert_int_equal(apitest_jint(x, "amount"), 7000000);
                found = 1;
            }
        }
        assert_true(found);
    }
    apiresp_release(&r);

    /* year on year: group by year */
    apitest_request(f->t, "GET",
                    "/api/v1/contract-stats?group=year&year=2025&years=2&unit_"
                    "id=0",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 2);
    apiresp_release(&r);

    /* the indicator: default convention, then 技术交易额, then by signing */
    assert_int_equal(
        market_indicator_contract_amount(f->t->db, f->street_a, "2025-01-01",
                                         "2025-12-31", NULL, &yuan, &n, &e),
        0);
    assert_int_equal(yuan, 7000000);
    assert_int_equal(n, 2);
    conv.amount = MARKET_AMOUNT_TECH;
    assert_int_equal(
        market_indicator_contract_amount(f->t->db, f->street_a, "2025-01-01",
                                         "2025-12-31", &conv, &yuan, &n, &e),
        0);
    assert_int_equal(yuan, 6400000);
    conv.amount = MARKET_AMOUNT_TOTAL;
    conv.date = MARKET_DATE_SIGNED;
    assert_int_equal(
        market_indicator_contract_amount(f->t->db, f->street_a, "2025-01-01",
                                         "2025-12-31", &conv, &yuan, &n, &e),
        0);
    assert_int_equal(yuan, 6000000);
    apitest_request(f->t, "GET", "/api/v1/contract-stats/indicator?year=2025",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "amount"), 7400000);
    apiresp_release(&r);

    /* tax relief: 550 万 of transfer income, 500 万 exempt, 50 万 halved */
    assert_int_equal(contract_tax_relief_of(5500000), 5000000 / 4 + 500000 / 8);
    assert_int_equal(contract_tax_relief_of(5000000), 1250000);
    apitest_request(f->t, "GET", "/api/v1/contract-stats/tax-relief?year=2025",
                    NULL, NULL, &r);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(apitest_jint(json_array_get(items, 0), "income"), 5500000);
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "halved_wan"),
                        "50");
    apiresp_release(&r);

    apitest_request(f->t, "GET", "/api/v1/contract-stats/top?year=2025", NULL,
                    NULL, &r);
    items = json_object_get(r.json, "items");
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "name"),
                        "天津河东精密机电有限公司");
    apiresp_release(&r);

    /* export with the list's filters */
    apitest_request(f->t, "GET", "/api/v1/contracts?from=2025-01-01&format=csv",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "登记编号"));
    assert_non_null(strstr(r.body, "2025120100000003"));
    assert_null(strstr(r.body, "2024120100000031"));
    apiresp_release(&r);
}

static void test_demo(void **state)
{
    Fx *f = *state;
    int64_t n = 0, m = 0, linked = 0, events = 0;
    Actor a;
    Err e;

    actor_init_system(&a);
    assert_int_equal(market_demo_generate(f->t->db, &a, 7, 2024, &n, &e), 0);
    assert_true(n > 20);
    /* every seller is an enterprise of the demo district, so linked */
    assert_int_equal(db_query_int64(f->t->db, &linked, &e,
                                    "SELECT COUNT(*) FROM contracts WHERE "
                                    "seller_ent_id IS NOT NULL",
                                    ""),
                     0);
    assert_int_equal(linked, n);
    assert_int_equal(db_query_int64(f->t->db, &events, &e,
                                    "SELECT COUNT(*) FROM contract_events", ""),
                     0);
    assert_true(events >= n);
    /* the libraries and challenges at every stage reached with 3 demands */
    assert_int_equal(db_query_int64(f->t->db, &m, &e,
                                    "SELECT COUNT(*) FROM market_items WHERE "
                                    "kind = 'demand'",
                                    ""),
                     0);
    assert_int_equal(m, 3);
    assert_int_equal(db_query_int64(f->t->db, &m, &e,
                                    "SELECT COUNT(DISTINCT stage) FROM "
                                    "challenges",
                                    ""),
                     0);
    assert_int_equal(m, 3); /* draft, published, selected */
    /* a second run leaves an existing register alone */
    assert_int_equal(market_demo_generate(f->t->db, &a, 7, 2024, &m, &e), 0);
    assert_int_equal(m, 0);
}

/* The same registration number twice in one file: identical rows count
 * once (unchanged), a differing one is an error naming its row, the
 * 登记编号 column and the first row, also past the growth of the table
 * of numbers seen (2 500 distinct numbers). */
static void test_import_same_number_in_file(void **state)
{
    Fx *f = *state;
    char path[] = "/tmp/kc-test-samenum-XXXXXX";
    const json_t *err;
    FILE *fp;
    ApiResp r;
    int fd, i;

    fd = mkstemp(path);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    assert_non_null(fp);
    fprintf(fp, "登记编号,合同名称,合同类别,卖方名称,买方名称,"
                "合同成交额（元）,技术交易额（元）,签订日期,登记日期\n");
    for (i = 0; i < 2500; i++) {
        fprintf(fp,
                "202412010%07d,合同%d,技术开发合同,某卖方,某买方,100000,90000,"
                "2024-06-03,2024-07-05\n",
                i, i);
    }
    /* row 2502: row 7 again, the same; row 2503: row 9 with another
     * amount */
    fprintf(fp, "2024120100000005,合同5,技术开发合同,某卖方,某买方,100000,"
                "90000,2024-06-03,2024-07-05\n");
    fprintf(fp, "2024120100000007,合同7,技术开发合同,某卖方,某买方,200000,"
                "90000,2024-06-03,2024-07-05\n");
    fclose(fp);
    import_file(f, path, "dry_run=true", &r);
    unlink(path);
    if (r.status != 200) {
        fail_msg("import: %d %s", r.status, r.body);
    }
    assert_int_equal(apitest_jint(summary(&r), "rows"), 2502);
    assert_int_equal(apitest_jint(summary(&r), "valid"), 2501);
    assert_int_equal(apitest_jint(summary(&r), "unchanged"), 1);
    assert_int_equal(apitest_jint(summary(&r), "invalid"), 1);
    err = json_array_get(json_object_get(r.json, "errors"), 0);
    assert_non_null(err);
    assert_int_equal(apitest_jint((json_t *)err, "row"), 2503);
    assert_string_equal(apitest_jstr((json_t *)err, "column"), "登记编号");
    assert_non_null(strstr(apitest_jstr((json_t *)err, "message"),
                           "与第 9 行重复，但内容不同"));
    apiresp_release(&r);
}

/* ---- the kept sums (contract_sums, migration 028) ---- */

static uint32_t sums_rand(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return (*x >> 8) & 0xffffff;
}

/* A random contract of reg i into in (names and codes point into bufs). */
static void sums_input(ContractInput *in, uint32_t *x, int i, char reg[32],
                       char uscc[USCC_LEN + 1], char reg_on[11],
                       char sig_on[11])
{
    static const char *const types[] = {"技术开发合同", "技术转让合同",
                                        "技术许可合同", "技术咨询合同",
                                        "技术服务合同"};
    static const char *const sellers[] = {
        "天津河东精密机电有限公司", "天津东丽新能科技有限公司",
        "天津河东数智信息技术有限公司", "外地某研究院"};
    static const char *const regions[] = {"110108", "120102", "120110", NULL};
    int s = (int)(sums_rand(x) % 4);
    int y = 2023 + (int)(sums_rand(x) % 3);
    int m = 1 + (int)(sums_rand(x) % 12);
    int d = 2 + (int)(sums_rand(x) % 26);

    memset(in, 0, sizeof *in);
    snprintf(reg, 32, "%04d1201%08d", y, i);
    snprintf(reg_on, 11, "%04d-%02d-%02d", y, m, d);
    snprintf(sig_on, 11, "%04d-%02d-%02d", y, m, d - 1);
    uscc[0] = '\0';
    if (s < 3) {
        apitest_uscc(s + 1, uscc);
    }
    in->reg_no = reg;
    in->title = "测试合同";
    in->type = types[sums_rand(x) % 5];
    in->seller_uscc = uscc[0] ? uscc : NULL;
    in->seller_name = sellers[s];
    in->buyer_name = "北京华测装备有限公司";
    in->buyer_region = regions[sums_rand(x) % 4];
    in->has_amount = in->has_tech_amount = 1;
    in->amount = 10000 * (int64_t)(1 + sums_rand(x) % 500);
    in->tech_amount = in->amount - 10000 * (int64_t)(sums_rand(x) % 2);
    in->signed_on = sig_on;
    in->registered_on = reg_on;
    in->field = (int64_t)(sums_rand(x) % 12); /* 0: none */
    in->rejected = sums_rand(x) % 10 == 0;
}

/* Every statistic read from the kept sums equals the same statistic
 * grouped from the contracts, for actor a. */
static void sums_compare(Fx *f, const Actor *a)
{
    static const char *const groups[] = {"month",       "quarter",     "year",
                                         "type",        "field",       "unit",
                                         "buyer_place", "seller_place"};
    static const char *const types[] = {NULL, "KF", "FW"};
    static const int64_t fields[] = {0, 3, -1};
    const int64_t units[] = {0, f->street_a, f->street_b};
    size_t g, k;
    int y;

    /* every grouping and year with each type, field and unit filter, the
     * three filters rotated against each other (the whole product took
     * minutes on PostgreSQL under the sanitizers) */
    for (g = 0; g < 8; g++) {
        for (y = 2023; y <= 2026; y++) {
            for (k = 0; k < 9; k++) {
                size_t t = k % 3, fi = (k / 3 + g) % 3;
                size_t u = (k + k / 3 + (size_t)y) % 3;
                ContractStatsQuery q = {0};
                json_t *kept = NULL, *rows = NULL;
                Err e;
                int rc1, rc2;
                q.group = groups[g];
                q.year = y;
                q.years = 3;
                q.type = types[t];
                q.field = fields[fi];
                q.unit_id = units[u];
                rc1 = contract_stats(f->t->db, a, &q, &kept, &e);
                q.from_rows = 1;
                rc2 = contract_stats(f->t->db, a, &q, &rows, &e);
                assert_int_equal(rc1, rc2);
                if (rc1 == 0 && !json_equal(kept, rows)) {
                    char *kj = json_dumps(kept, JSON_COMPACT);
                    char *rj = json_dumps(rows, JSON_COMPACT);
                    fail_msg("group %s year %d type %s field %lld unit "
                             "%lld:\nkept %s\nrows %s",
                             groups[g], y, types[t] ? types[t] : "",
                             (long long)fields[fi], (long long)units[u], kj,
                             rj);
                }
                json_decref(kept);
                json_decref(rows);
            }
        }
    }
}

static void test_stats_kept_sums(void **state)
{
    Fx *f = *state;
    int64_t ids[160];
    size_t nid = 0, i;
    uint32_t x = 18;
    int64_t n = -1, nz = 0;
    char *path = NULL;
    Actor sys, street;
    Err e;

    actor_init_system(&sys);
    /* random contracts, some 未予登记 */
    for (i = 0; i < 160; i++) {
        ContractInput in;
        char reg[32], uscc[USCC_LEN + 1], ro[11], so[11];
        int64_t id = 0;
        sums_input(&in, &x, (int)i, reg, uscc, ro, so);
        if (contract_create(f->t->db, &sys, &in, &id, &e) != 0) {
            fail_msg("create %s: %s", reg, e.msg);
        }
        ids[nid++] = id;
    }
    /* amendments (new amounts, type, field, buyer, registration month or
     * year), cancellations (注销), a unit moved by SQL, deletions */
    for (i = 0; i < nid; i++) {
        uint32_t r = sums_rand(&x) % 6;
        char status[16] = "";
        char *st = NULL;
        assert_int_equal(db_query_text(f->t->db, &st, &e,
                                       "SELECT status FROM contracts WHERE "
                                       "id = $1",
                                       "i", ids[i]),
                         0);
        snprintf(status, sizeof status, "%s", st);
        free(st);
        if (r == 0 && strcmp(status, "registered") == 0) {
            ContractInput in;
            char reg[32], uscc[USCC_LEN + 1], ro[11], so[11];
            char *old_reg = NULL;
            uint32_t y = x;
            sums_input(&in, &y, (int)i, reg, uscc, ro, so);
            x = y;
            assert_int_equal(db_query_text(f->t->db, &old_reg, &e,
                                           "SELECT reg_no FROM contracts "
                                           "WHERE id = $1",
                                           "i", ids[i]),
                             0);
            in.reg_no = old_reg;
            in.rejected = 0;
            if (contract_amend(f->t->db, &sys, ids[i], &in, "更正", &e) != 0 &&
                e.code != ERR_INVALID) {
                fail_msg("amend %lld: %s", (long long)ids[i], e.msg);
            }
            free(old_reg);
        } else if (r == 1 && strcmp(status, "registered") == 0) {
            if (contract_cancel(f->t->db, &sys, ids[i], "2026-01-15",
                                "合同解除", &e) != 0) {
                fail_msg("cancel %lld: %s", (long long)ids[i], e.msg);
            }
        } else if (r == 2) {
            assert_int_equal(db_exec_v(f->t->db, &e,
                                       "UPDATE contracts SET unit_id = $1 "
                                       "WHERE id = $2",
                                       "ii", f->street_b, ids[i]),
                             0);
        } else if (r == 3 && sums_rand(&x) % 3 == 0) {
            assert_int_equal(db_exec_v(f->t->db, &e,
                                       "DELETE FROM contract_events WHERE "
                                       "contract_id = $1",
                                       "i", ids[i]),
                             0);
            assert_int_equal(db_exec_v(f->t->db, &e,
                                       "DELETE FROM contracts WHERE id = $1",
                                       "i", ids[i]),
                             0);
        }
    }
    assert_int_equal(db_query_int64(f->t->db, &nz, &e,
                                    "SELECT COUNT(*) FROM contracts WHERE "
                                    "status <> 'registered'",
                                    ""),
                     0);
    assert_true(nz > 10);
    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM contract_events "
                                    "WHERE kind = 'amend'",
                                    ""),
                     0);
    assert_true(n > 5);
    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM contract_events "
                                    "WHERE kind = 'cancel'",
                                    ""),
                     0);
    assert_true(n > 5);
    /* the table itself: exactly the groups of the registered contracts */
    assert_int_equal(
        db_query_int64(
            f->t->db, &n, &e,
            "SELECT COUNT(*) FROM (SELECT ym, unit_id, type, field, "
            "buyer_place, seller_place, n, amount, tech_amount FROM "
            "contract_sums WHERE n <> 0 EXCEPT SELECT substr(registered_on, "
            "1, 7), unit_id, type, COALESCE(field, 0), buyer_place, "
            "seller_place, COUNT(*), SUM(amount), SUM(tech_amount) FROM "
            "contracts WHERE status = 'registered' GROUP BY "
            "substr(registered_on, 1, 7), unit_id, type, COALESCE(field, 0), "
            "buyer_place, seller_place) d",
            ""),
        0);
    assert_int_equal(n, 0);
    assert_int_equal(
        db_query_int64(
            f->t->db, &n, &e,
            "SELECT COUNT(*) FROM (SELECT substr(registered_on, 1, 7), "
            "unit_id, type, COALESCE(field, 0), buyer_place, seller_place, "
            "COUNT(*), SUM(amount), SUM(tech_amount) FROM contracts WHERE "
            "status = 'registered' GROUP BY substr(registered_on, 1, 7), "
            "unit_id, type, COALESCE(field, 0), buyer_place, seller_place "
            "EXCEPT SELECT ym, unit_id, type, field, buyer_place, "
            "seller_place, n, amount, tech_amount FROM contract_sums) d",
            ""),
        0);
    assert_int_equal(n, 0);
    /* every statistic, for the district and for a street's scope */
    sums_compare(f, &sys);
    assert_int_equal(db_query_text(f->t->db, &path, &e,
                                   "SELECT path FROM org_units WHERE id = $1",
                                   "i", f->street_a),
                     0);
    street = sys;
    street.user_id = 0;
    street.role = ROLE_AGENT;
    street.unit_id = f->street_a;
    snprintf(street.unit_path, sizeof street.unit_path, "%s", path);
    free(path);
    sums_compare(f, &street);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_validate_link, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_amend_cancel_history, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_office_export, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_same_number_in_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_parties_repeat, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_bad_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_xlsx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_bulk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_indicator_tax, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_demo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_kept_sums, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
