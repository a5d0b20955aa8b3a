/* test_carrier.c - carriers, tenants, the yearly sheet against a
 * hand-counted fixture, the ranking, graduation, platforms and their
 * counts, talent (personal data) and listing candidates, through the real
 * dispatcher; scope of a street agent. */
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
#include "domain/carrier/carrier.h"

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

static int64_t add_ent(Fx *f, int n, const char *name, int64_t unit)
{
    char code[USCC_LEN + 1];
    char body[512];
    ApiResp r;
    int64_t id;

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"%s\", \"unit_id\": %lld, "
             "\"industry_code\": \"C39\", \"tech_domain\": 1}",
             code, name, (long long)unit);
    apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
    if (r.status != 201) {
        fail_msg("POST enterprise: %d %s", r.status, r.body);
    }
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    return id;
}

static int64_t add_carrier(Fx *f, const char *name, const char *type,
                           int64_t unit, int64_t op)
{
    char body[512];
    ApiResp r;
    int64_t id;

    snprintf(body, sizeof body,
             "{\"name\": \"%s\", \"type\": \"%s\", \"unit_id\": %lld, "
             "\"operator_name\": \"天津某运营机构\", \"level\": \"municipal\", "
             "\"recognized_on\": \"2019-05-01\", \"area\": 5000, "
             "\"incubation_area\": 3000%s%lld}",
             name, type, (long long)unit,
             op ? ", \"operator_enterprise_id\": " : ", \"mentors\": ",
             (long long)(op ? op : 12));
    apitest_request(f->t, "POST", "/api/v1/carriers", body, NULL, &r);
    if (r.status != 201) {
        fail_msg("POST carrier: %d %s", r.status, r.body);
    }
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    return id;
}

/* POST a tenancy; returns the status, *id the new id on 201, and the
 * error field into field (may be NULL). */
static int add_tenant(Fx *f, int64_t carrier, int64_t ent, const char *in,
                      const char *out, const char *reason, int64_t *id,
                      char *field)
{
    char url[96], body[512];
    ApiResp r;
    int st;

    snprintf(url, sizeof url, "/api/v1/carriers/%lld/tenants",
             (long long)carrier);
    if (out) {
        snprintf(body, sizeof body,
                 "{\"enterprise_id\": %lld, \"moved_in\": \"%s\", "
                 "\"moved_out\": \"%s\", \"out_reason\": %s%s%s}",
                 (long long)ent, in, out, reason ? "\"" : "",
                 reason ? reason : "null", reason ? "\"" : "");
    } else {
        snprintf(body, sizeof body,
                 "{\"enterprise_id\": %lld, \"moved_in\": \"%s\"}",
                 (long long)ent, in);
    }
    st = apitest_request(f->t, "POST", url, body, NULL, &r);
    if (id) {
        *id = st == 201 ? apitest_jint(r.json, "id") : 0;
    }
    if (field) {
        snprintf(field, 64, "%s", err_field(&r));
    }
    if (st >= 500) {
        fail_msg("POST tenant: %d %s", st, r.body);
    }
    apiresp_release(&r);
    return st;
}

static void test_carrier_create_validate(void **state)
{
    Fx *f = *state;
    ApiResp r;
    int64_t op = add_ent(f, 1, "天津孵化运营有限公司", f->street_a);
    int64_t id;
    char url[64];

    id = add_carrier(f, "河东科技企业孵化器", "incubator", f->street_a, op);
    snprintf(url, sizeof url, "/api/v1/carriers/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "type_name"), "科技企业孵化器");
    assert_string_equal(apitest_jstr(r.json, "level_name"), "市级");
    assert_string_equal(apitest_jstr(r.json, "operator_enterprise_name"),
                        "天津孵化运营有限公司");
    apiresp_release(&r);

    /* unknown type, operator outside the library, no operator at all,
     * incubation area above the area, a level without its date, the
     * same name twice */
    apitest_request(f->t, "POST", "/api/v1/carriers",
                    "{\"name\": \"x\", \"type\": \"castle\", \"unit_id\": 1, "
                    "\"operator_name\": \"某机构\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "type");
    apiresp_release(&r);
    apitest_request(f->t, "POST", "/api/v1/carriers",
                    "{\"name\": \"x\", \"type\": \"incubator\", \"unit_id\": "
                    "1, \"operator_enterprise_id\": 9999}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "operator_enterprise_id");
    assert_non_null(strstr(r.body, "不在企业库中"));
    apiresp_release(&r);
    apitest_request(
        f->t, "POST", "/api/v1/carriers",
        "{\"name\": \"x\", \"type\": \"incubator\", \"unit_id\": 1}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "operator_name");
    apiresp_release(&r);
    apitest_request(f->t, "POST", "/api/v1/carriers",
                    "{\"name\": \"x\", \"type\": \"incubator\", \"unit_id\": "
                    "1, \"operator_name\": \"某机构\", \"area\": 100, "
                    "\"incubation_area\": 200}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "incubation_area");
    apiresp_release(&r);
    apitest_request(
        f->t, "POST", "/api/v1/carriers",
        "{\"name\": \"x\", \"type\": \"incubator\", \"unit_id\": "
        "1, \"operator_name\": \"某机构\", \"level\": \"national\"}",
        NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "recognized_on");
    apiresp_release(&r);
    apitest_request(f->t, "POST", "/api/v1/carriers",
                    "{\"name\": \"河东科技企业孵化器\", \"type\": "
                    "\"incubator\", \"unit_id\": 1, \"operator_name\": \"某\"}",
                    NULL, &r);
    assert_int_equal(r.status, 409);
    apiresp_release(&r);

    /* list, export, update, retire */
    apitest_request(f->t, "GET", "/api/v1/carriers?type=incubator", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/carriers?format=csv", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "河东科技企业孵化器"));
    assert_non_null(strstr(r.body, "载体名称"));
    apiresp_release(&r);
    assert_int_equal(
        apitest_status(f->t, "PATCH", url, "{\"retire_reason\": \"停止运营\"}"),
        200);
    apitest_request(f->t, "GET", "/api/v1/carriers", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    /* audited */
    apitest_request(f->t, "GET", "/api/v1/audit?object_type=carrier", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
}

static void test_tenancy_rules(void **state)
{
    Fx *f = *state;
    int64_t maker = add_carrier(f, "众创空间甲", "maker_space", f->street_a, 0);
    int64_t inc1 = add_carrier(f, "孵化器甲", "incubator", f->street_a, 0);
    int64_t inc2 = add_carrier(f, "孵化器乙", "incubator", f->street_a, 0);
    int64_t park = add_carrier(f, "科技园区甲", "sci_park", f->street_a, 0);
    int64_t acc = add_carrier(f, "加速器甲", "accelerator", f->street_a, 0);
    int64_t e1 = add_ent(f, 21, "天津入驻一号有限公司", f->street_a);
    int64_t t1 = 0;
    char field[64], url[128];
    ApiResp r;

    /* move-out before, or on, move-in */
    assert_int_equal(add_tenant(f, inc1, e1, "2022-05-01", "2022-04-30",
                                "graduated", NULL, field),
                     400);
    assert_string_equal(field, "moved_out");
    assert_int_equal(add_tenant(f, inc1, e1, "2022-05-01", "2022-05-01",
                                "graduated", NULL, field),
                     400);
    assert_string_equal(field, "moved_out");
    /* move-out without a reason, or with an unknown one */
    assert_int_equal(
        add_tenant(f, inc1, e1, "2022-05-01", "2023-05-01", NULL, NULL, field),
        400);
    assert_string_equal(field, "out_reason");
    assert_int_equal(add_tenant(f, inc1, e1, "2022-05-01", "2023-05-01",
                                "vanished", NULL, field),
                     400);
    assert_string_equal(field, "out_reason");

    /* 众创空间 2021-01-01 .. 2022-08-01; 孵化器 from 2022-05-01: the
     * overlap is allowed */
    assert_int_equal(add_tenant(f, maker, e1, "2021-01-01", "2022-08-01",
                                "moved", NULL, NULL),
                     201);
    assert_int_equal(
        add_tenant(f, inc1, e1, "2022-05-01", NULL, NULL, &t1, NULL), 201);
    /* a second 孵化器 at once: refused, naming the other carrier */
    apitest_request(f->t, "POST", "/api/v1/carriers/0/tenants", "{}", NULL, &r);
    assert_int_equal(r.status, 404);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/carriers/%lld/tenants", (long long)inc2);
    snprintf(field, sizeof field, "x");
    {
        char body[128];
        snprintf(body, sizeof body,
                 "{\"enterprise_id\": %lld, \"moved_in\": \"2023-01-01\"}",
                 (long long)e1);
        apitest_request(f->t, "POST", url, body, NULL, &r);
        assert_int_equal(r.status, 409);
        assert_string_equal(err_field(&r), "moved_in");
        assert_non_null(strstr(r.body, "孵化器甲"));
        apiresp_release(&r);
    }
    /* 加速器 with 孵化器: refused too; 科技园区 hosts: allowed */
    assert_int_equal(
        add_tenant(f, acc, e1, "2023-01-01", NULL, NULL, NULL, field), 409);
    assert_int_equal(
        add_tenant(f, park, e1, "2023-01-01", NULL, NULL, NULL, NULL), 201);
    /* the same carrier twice over the same time: refused */
    assert_int_equal(
        add_tenant(f, inc1, e1, "2024-01-01", NULL, NULL, NULL, field), 409);
    /* graduate from 孵化器甲 on 2024-03-01; 加速器 from that very day:
     * allowed (moved_out is exclusive) */
    snprintf(url, sizeof url, "/api/v1/carriers/%lld/tenants/%lld",
             (long long)inc1, (long long)t1);
    apitest_request(f->t, "PATCH", url,
                    "{\"moved_in\": \"2022-05-01\", \"moved_out\": "
                    "\"2024-03-01\", \"out_reason\": \"graduated\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "out_reason_name"), "毕业");
    apiresp_release(&r);
    assert_int_equal(
        add_tenant(f, acc, e1, "2024-03-01", NULL, NULL, NULL, NULL), 201);
    /* moving the graduation later would now overlap the 加速器 */
    apitest_request(f->t, "PATCH", url,
                    "{\"moved_in\": \"2022-05-01\", \"moved_out\": "
                    "\"2024-03-02\", \"out_reason\": \"graduated\"}",
                    NULL, &r);
    assert_int_equal(r.status, 409);
    apiresp_release(&r);
    /* nothing half-written: the tenancy still ends 2024-03-01 */
    snprintf(url, sizeof url, "/api/v1/carriers/%lld/tenants", (long long)inc1);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "moved_out"),
        "2024-03-01");
    apiresp_release(&r);
    /* a retired carrier takes no new tenant, but its tenants move out */
    snprintf(url, sizeof url, "/api/v1/carriers/%lld", (long long)park);
    assert_int_equal(
        apitest_status(f->t, "PATCH", url, "{\"retire_reason\": \"关闭\"}"),
        200);
    {
        int64_t e2 = add_ent(f, 22, "天津入驻二号有限公司", f->street_a);
        assert_int_equal(
            add_tenant(f, park, e2, "2024-01-01", NULL, NULL, NULL, NULL), 409);
    }
    snprintf(url, sizeof url, "/api/v1/carriers/%lld/tenants", (long long)park);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    {
        int64_t pt = apitest_jint(
            json_array_get(json_object_get(r.json, "items"), 0), "id");
        apiresp_release(&r);
        snprintf(url, sizeof url, "/api/v1/carriers/%lld/tenants/%lld",
                 (long long)park, (long long)pt);
        assert_int_equal(
            apitest_status(f->t, "PATCH", url,
                           "{\"moved_in\": \"2023-01-01\", \"moved_out\": "
                           "\"2024-06-30\", \"out_reason\": \"moved\"}"),
            200);
    }
    /* the tenants on a date */
    snprintf(url, sizeof url, "/api/v1/carriers/%lld/tenants?as_of=2024-03-01",
             (long long)inc1);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/tenancies",
             (long long)e1);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 4);
    apiresp_release(&r);
    assert_true(carrier_types_may_overlap("incubator", "maker_space"));
    assert_false(carrier_types_may_overlap("incubator", "student_base"));
    assert_true(carrier_types_may_overlap("univ_park", "univ_park"));
}

static void qual(Fx *f, int64_t ent, const char *kind, const char *from)
{
    Err e;

    err_clear(&e);
    if (db_exec_v(f->t->db, &e,
                  "INSERT INTO qualifications (enterprise_id, kind, "
                  "valid_from, src_at, created_at, updated_at) VALUES ($1, "
                  "$2, $3, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', "
                  "'2024-01-01T00:00:00Z')",
                  "itt", ent, kind, from)) {
        fail_msg("qualification: %s", e.msg);
    }
}

/* A technology contract of the register, seller and/or buyer an enterprise
 * of the library (0 = outside it). */
static void contract(Fx *f, const char *no, int64_t seller, int64_t buyer,
                     const char *registered, int64_t amount, const char *status)
{
    Err e;

    err_clear(&e);
    if (db_exec_v(f->t->db, &e,
                  "INSERT INTO contracts (reg_no, title, type, seller_name, "
                  "seller_place, seller_ent_id, buyer_name, buyer_place, "
                  "buyer_ent_id, amount, tech_amount, signed_on, "
                  "registered_on, status, unit_id, created_at, updated_at) "
                  "VALUES ($1, '技术开发合同', 'KF', '卖方', 'district', $2, "
                  "'买方', 'district', $3, $4, $4, $5, $5, $6, $7, "
                  "'2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
                  "tppitti", no, seller ? &seller : NULL, buyer ? &buyer : NULL,
                  amount, registered, status, f->street_a)) {
        fail_msg("contract: %s", e.msg);
    }
}

static void post_json(Fx *f, const char *url, const char *body, int expect)
{
    ApiResp r;

    apitest_request(f->t, "POST", url, body, NULL, &r);
    if (r.status != expect) {
        fail_msg("POST %s: %d %s", url, r.status, r.body);
    }
    apiresp_release(&r);
}

static json_t *sheet_row(json_t *sheet, const char *code)
{
    size_t i;
    json_t *row;

    json_array_foreach(json_object_get(sheet, "rows"), i, row)
    {
        if (strcmp(apitest_jstr(row, "code"), code) == 0) {
            return row;
        }
    }
    fail_msg("no row %s in %s", code, json_dumps(sheet, 0));
    return NULL;
}

/* The fixture of docs/internals/carrier.md, counted by hand for 2023. */
static void test_sheet_fixture(void **state)
{
    Fx *f = *state;
    int64_t c = add_carrier(f, "孵化器账表", "incubator", f->street_a, 0);
    int64_t e1 = add_ent(f, 31, "账表一号有限公司", f->street_a);
    int64_t e2 = add_ent(f, 32, "账表二号有限公司", f->street_a);
    int64_t e3 = add_ent(f, 33, "账表三号有限公司", f->street_a);
    int64_t e4 = add_ent(f, 34, "账表四号有限公司", f->street_a);
    int64_t e5 = add_ent(f, 35, "账表五号有限公司", f->street_a);
    char url[128];
    ApiResp r;

    assert_int_equal(add_tenant(f, c, e1, "2021-03-01", "2023-06-30",
                                "graduated", NULL, NULL),
                     201);
    assert_int_equal(add_tenant(f, c, e2, "2023-04-01", NULL, NULL, NULL, NULL),
                     201);
    assert_int_equal(
        add_tenant(f, c, e3, "2022-01-01", "2023-01-01", "moved", NULL, NULL),
        201);
    assert_int_equal(add_tenant(f, c, e4, "2020-01-01", "2022-12-31",
                                "graduated", NULL, NULL),
                     201);
    assert_int_equal(add_tenant(f, c, e5, "2023-12-31", NULL, NULL, NULL, NULL),
                     201);
    qual(f, e1, "hnte", "2023-01-10");    /* in tenancy, 2023: counts */
    qual(f, e2, "sme", "2023-05-01");     /* counts */
    qual(f, e4, "hnte", "2023-03-01");    /* after moving out: no */
    qual(f, e5, "chuying", "2024-01-05"); /* next year: no */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights",
             (long long)e1);
    post_json(f, url,
              "{\"kind\": \"invention\", \"number\": \"ZL202110000001.1\", "
              "\"title\": \"装置一\", \"applied_on\": \"2021-05-01\", "
              "\"granted_on\": \"2023-02-01\"}",
              201);
    post_json(f, url,
              "{\"kind\": \"invention\", \"number\": \"ZL202110000002.1\", "
              "\"title\": \"装置二\", \"applied_on\": \"2021-05-01\", "
              "\"granted_on\": \"2023-08-01\"}",
              201); /* after moving out */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights",
             (long long)e2);
    post_json(f, url,
              "{\"kind\": \"utility\", \"number\": \"ZL202320000001.1\", "
              "\"title\": \"结构\", \"applied_on\": \"2023-01-05\", "
              "\"granted_on\": \"2023-09-01\"}",
              201);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/facts", (long long)e1);
    post_json(f, url,
              "{\"kind\": \"financing\", \"amount_wan\": \"300\", "
              "\"occurred_on\": \"2023-03-01\"}",
              201);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/facts", (long long)e2);
    post_json(f, url,
              "{\"kind\": \"financing\", \"amount_wan\": \"200\", "
              "\"occurred_on\": \"2022-12-01\"}",
              201); /* before moving in */
    /* technology contracts: the seller is the tenant (技术输出) */
    contract(f, "2023120101000001", e1, 0, "2023-03-15", 500000,
             "registered"); /* counts */
    contract(f, "2023120101000002", e1, 0, "2023-07-01", 900000,
             "registered"); /* after moving out: no */
    contract(f, "2023120101000003", e2, 0, "2023-05-01", 1200000,
             "registered"); /* counts */
    contract(f, "2023120101000004", e2, 0, "2023-06-01", 700000,
             "cancelled"); /* cancelled: no */
    contract(f, "2023120101000005", 0, e2, "2023-08-01", 800000,
             "registered"); /* the tenant buys: no */
    contract(f, "2023120101000006", e3, 0, "2023-01-01", 600000,
             "registered"); /* moved out that day: no */
    contract(f, "2023120101000007", e5, 0, "2023-03-01", 400000,
             "registered"); /* before moving in: no */
    contract(f, "2022120101000001", e2, 0, "2022-12-01", 300000,
             "registered"); /* another year, before moving in: no */

    snprintf(url, sizeof url, "/api/v1/carriers/%lld/sheets/2023",
             (long long)c);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(sheet_row(r.json, "tenants"), "value"), 3);
    assert_int_equal(apitest_jint(sheet_row(r.json, "tenants_end"), "value"),
                     2);
    assert_int_equal(apitest_jint(sheet_row(r.json, "new_tenants"), "value"),
                     2);
    assert_int_equal(apitest_jint(sheet_row(r.json, "graduates"), "value"), 1);
    assert_int_equal(apitest_jint(sheet_row(r.json, "left"), "value"), 1);
    assert_int_equal(apitest_jint(sheet_row(r.json, "hnte_new"), "value"), 1);
    assert_int_equal(apitest_jint(sheet_row(r.json, "sme_new"), "value"), 1);
    assert_int_equal(apitest_jint(sheet_row(r.json, "chuying_new"), "value"),
                     0);
    assert_int_equal(apitest_jint(sheet_row(r.json, "ip_granted"), "value"), 2);
    assert_int_equal(apitest_jint(sheet_row(r.json, "ip1_granted"), "value"),
                     1);
    assert_string_equal(apitest_jstr(sheet_row(r.json, "financing"), "value"),
                        "300");
    assert_int_equal(apitest_jint(sheet_row(r.json, "financing"), "raw"),
                     3000000);
    assert_int_equal(apitest_jint(sheet_row(r.json, "contracts"), "value"), 2);
    assert_string_equal(
        apitest_jstr(sheet_row(r.json, "contract_amount"), "value"), "170");
    assert_int_equal(apitest_jint(sheet_row(r.json, "contract_amount"), "raw"),
                     1700000);
    assert_true(
        json_is_null(json_object_get(sheet_row(r.json, "revenue"), "value")));
    apiresp_release(&r);

    /* typed-in values with provenance; a computed one is refused */
    apitest_request(f->t, "PUT", url, "{\"values\": {\"graduates\": 5}}", NULL,
                    &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "graduates");
    apiresp_release(&r);
    apitest_request(f->t, "PUT", url,
                    "{\"values\": {\"revenue\": \"120.5\", \"events\": 24}, "
                    "\"note\": \"载体年报\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(sheet_row(r.json, "revenue"), "value"),
                        "120.5");
    assert_int_equal(apitest_jint(sheet_row(r.json, "events"), "value"), 24);
    assert_non_null(
        strstr(apitest_jstr(sheet_row(r.json, "events"), "source"), "填报"));
    apiresp_release(&r);
    /* the bureau layout export */
    snprintf(url, sizeof url, "/api/v1/carriers/%lld/sheets/2023?format=csv",
             (long long)c);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "在孵期间新认定高新技术企业数"));
    assert_non_null(strstr(r.body, "在孵企业当年技术合同成交额（技术输出）"));
    assert_non_null(strstr(r.body, "数据来源"));
    apiresp_release(&r);
    /* years for the chart */
    snprintf(url, sizeof url, "/api/v1/carriers/%lld/years?from=2022&to=2023",
             (long long)c);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "items"), 0),
                     "graduates"),
        1); /* e4 moved out 2022-12-31: a 2022 graduate */
    apiresp_release(&r);
}

static void test_ranking(void **state)
{
    Fx *f = *state;
    int64_t c[4];
    int64_t ents[6];
    ApiResp r;
    json_t *items;

    c[0] = add_carrier(f, "排名甲", "incubator", f->street_a, 0);
    c[1] = add_carrier(f, "排名乙", "incubator", f->street_a, 0);
    c[2] = add_carrier(f, "排名丙", "incubator", f->street_a, 0);
    c[3] = add_carrier(f, "排名丁", "incubator", f->street_a, 0);
    for (int i = 0; i < 6; i++) {
        char name[64];
        snprintf(name, sizeof name, "排名企业%d有限公司", i);
        ents[i] = add_ent(f, 41 + i, name, f->street_a);
    }
    /* 甲: two graduates and one hnte; 乙: one graduate; 丙: one new;
     * 丁: nothing */
    add_tenant(f, c[0], ents[0], "2022-01-01", "2023-05-01", "graduated", NULL,
               NULL);
    add_tenant(f, c[0], ents[1], "2022-01-01", "2023-06-01", "graduated", NULL,
               NULL);
    qual(f, ents[0], "hnte", "2023-02-01");
    add_tenant(f, c[1], ents[2], "2022-01-01", "2023-05-01", "graduated", NULL,
               NULL);
    add_tenant(f, c[2], ents[3], "2023-02-01", NULL, NULL, NULL, NULL);
    apitest_request(
        f->t, "GET",
        "/api/v1/carrier-ranking?year=2023&scheme=carrier-eval-2021", NULL,
        NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 4);
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "name"),
                        "排名甲");
    /* 甲: graduates 15 + hnte 30 = 45.00 */
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "score_text"),
                        "45.00");
    /* 丙: new tenants 10 + tenants at the year's end 10 = 20.00 */
    assert_string_equal(apitest_jstr(json_array_get(items, 1), "name"),
                        "排名丙");
    assert_string_equal(apitest_jstr(json_array_get(items, 1), "score_text"),
                        "20.00");
    /* 乙: graduates 1/2 × 15 = 7.50 */
    assert_string_equal(apitest_jstr(json_array_get(items, 2), "score_text"),
                        "7.50");
    /* 4 carriers, bottom 10 % rounded up: the last one is flagged */
    assert_int_equal(apitest_jint(r.json, "flagged"), 1);
    assert_string_equal(apitest_jstr(json_array_get(items, 3), "name"),
                        "排名丁");
    assert_true(
        json_is_true(json_object_get(json_array_get(items, 3), "flagged")));
    assert_false(
        json_is_true(json_object_get(json_array_get(items, 2), "flagged")));
    apiresp_release(&r);
    apitest_request(f->t, "GET",
                    "/api/v1/carrier-ranking?year=2023&scheme=nope", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "scheme");
    apiresp_release(&r);
    apitest_request(f->t, "GET",
                    "/api/v1/carrier-ranking?year=2023&format=xlsx", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 100);
    apiresp_release(&r);
}

static void test_graduation(void **state)
{
    Fx *f = *state;
    int64_t c = add_carrier(f, "毕业孵化器", "incubator", f->street_a, 0);
    int64_t e1 = add_ent(f, 51, "收入达标有限公司", f->street_a);
    int64_t e2 = add_ent(f, 52, "缺数据有限公司", f->street_a);
    char url[128];
    ApiResp r;
    json_t *items;

    add_tenant(f, c, e1, "2021-01-01", NULL, NULL, NULL, NULL);
    add_tenant(f, c, e2, "2021-01-01", NULL, NULL, NULL, NULL);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2023",
             (long long)e1);
    assert_int_equal(
        apitest_status(f->t, "PUT", url, "{\"sales_revenue\": 6000000}"), 200);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2022",
             (long long)e1);
    assert_int_equal(
        apitest_status(f->t, "PUT", url, "{\"sales_revenue\": 4000100}"), 200);
    snprintf(url, sizeof url,
             "/api/v1/carriers/%lld/graduation?as_of=2024-06-30", (long long)c);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "ruleset"), "id"),
                        "carrier-grad-2018");
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *it = json_array_get(items, i);
        if (apitest_jint(it, "enterprise_id") == e1) {
            assert_string_equal(apitest_jstr(it, "verdict_name"), "达标");
        } else {
            assert_string_equal(apitest_jstr(it, "verdict_name"), "缺数据");
        }
        assert_non_null(json_object_get(json_object_get(it, "result"), "rows"));
    }
    apiresp_release(&r);
}

static void test_platforms(void **state)
{
    Fx *f = *state;
    int64_t host = add_ent(f, 61, "平台依托有限公司", f->street_a);
    int64_t m = add_ent(f, 62, "联盟成员有限公司", f->street_a);
    char body[512], url[96];
    ApiResp r;
    int64_t lab, alliance;

    snprintf(body, sizeof body,
             "{\"kind\": \"key_lab\", \"name\": \"天津市新材料重点实验室\", "
             "\"level\": \"municipal\", \"host_enterprise_id\": %lld, "
             "\"unit_id\": %lld, \"recognized_on\": \"2021-06-01\", "
             "\"recognition_doc\": \"津科〔2021〕1号\"}",
             (long long)host, (long long)f->street_a);
    apitest_request(f->t, "POST", "/api/v1/platforms", body, NULL, &r);
    assert_int_equal(r.status, 201);
    lab = apitest_jint(r.json, "id");
    apiresp_release(&r);
    /* the register gives the rule input rd_institution (雏鹰 (四)
     * "经认定的研发机构"), and the explanation says so */
    {
        char eu[160];
        json_t *res, *row;
        size_t i;
        int found = 0;
        snprintf(eu, sizeof eu,
                 "/api/v1/enterprises/%lld/"
                 "eligibility?ruleset=chuying-tj-2021&as_of=2022-06-01",
                 (long long)host);
        apitest_request(f->t, "GET", eu, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(
            apitest_jstr(
                json_array_get(json_object_get(r.json, "input_sources"), 0),
                "text"),
            "创新平台登记：天津市新材料重点实验室（市级）"));
        res = json_array_get(json_object_get(r.json, "results"), 0);
        json_array_foreach(json_object_get(res, "rows"), i, row)
        {
            if (strcmp(apitest_jstr(row, "id"), "inst") == 0) {
                assert_string_equal(apitest_jstr(row, "outcome"), "met");
                found = 1;
            }
        }
        assert_true(found);
        apiresp_release(&r);
        /* before the recognition date: no source, not met */
        snprintf(eu, sizeof eu,
                 "/api/v1/enterprises/%lld/"
                 "eligibility?ruleset=chuying-tj-2021&as_of=2021-05-31",
                 (long long)host);
        apitest_request(f->t, "GET", eu, NULL, NULL, &r);
        assert_int_equal(
            json_array_size(json_object_get(r.json, "input_sources")), 0);
        apiresp_release(&r);
    }
    /* recognised twice at the same level: refused */
    apitest_request(f->t, "POST", "/api/v1/platforms", body, NULL, &r);
    assert_int_equal(r.status, 409);
    assert_string_equal(err_field(&r), "level");
    apiresp_release(&r);
    /* a host outside the library */
    apitest_request(f->t, "POST", "/api/v1/platforms",
                    "{\"kind\": \"key_lab\", \"name\": \"x\", \"level\": "
                    "\"district\", \"host_enterprise_id\": 99999, "
                    "\"unit_id\": 1, \"recognized_on\": \"2021-06-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "host_enterprise_id");
    apiresp_release(&r);
    snprintf(
        body, sizeof body,
        "{\"kind\": \"alliance\", \"name\": \"新材料产业技术创新战略联盟\", "
        "\"level\": \"district\", \"host_name\": \"天津大学\", "
        "\"unit_id\": %lld, \"recognized_on\": \"2022-01-01\"}",
        (long long)f->street_a);
    apitest_request(f->t, "POST", "/api/v1/platforms", body, NULL, &r);
    assert_int_equal(r.status, 201);
    alliance = apitest_jint(r.json, "id");
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/platforms/%lld/members",
             (long long)alliance);
    snprintf(body, sizeof body,
             "{\"enterprise_id\": %lld, \"joined_on\": \"2022-03-01\"}",
             (long long)m);
    assert_int_equal(apitest_status(f->t, "POST", url, body), 201);
    assert_int_equal(apitest_status(f->t, "POST", url, body), 409);
    snprintf(url, sizeof url, "/api/v1/platforms/%lld/members", (long long)lab);
    assert_int_equal(apitest_status(f->t, "POST", url, body), 400);

    /* counts on dates: the lab (市级) + leveled carrier of this test run */
    add_carrier(f, "平台计数孵化器", "incubator", f->street_b, 0);
    apitest_request(f->t, "GET", "/api/v1/platform-counts?as_of=2021-05-31",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "municipal_and_above"),
                     1); /* carrier */
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/platform-counts?as_of=2022-06-01",
                    NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "municipal_and_above"), 2);
    assert_int_equal(
        apitest_jint(
            json_object_get(json_object_get(r.json, "platforms"), "key_lab"),
            "municipal"),
        1);
    assert_int_equal(apitest_jint(r.json, "alliance_members"), 1);
    apiresp_release(&r);
    /* revoked on 2023-01-01: counts before, not after */
    snprintf(url, sizeof url, "/api/v1/platforms/%lld", (long long)lab);
    snprintf(body, sizeof body,
             "{\"kind\": \"key_lab\", \"name\": \"天津市新材料重点实验室\", "
             "\"level\": \"municipal\", \"host_enterprise_id\": %lld, "
             "\"unit_id\": %lld, \"recognized_on\": \"2021-06-01\", "
             "\"status\": \"revoked\", \"status_on\": \"2023-01-01\"}",
             (long long)host, (long long)f->street_a);
    assert_int_equal(apitest_status(f->t, "PATCH", url, body), 200);
    apitest_request(f->t, "GET", "/api/v1/platform-counts?as_of=2022-12-31",
                    NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "municipal_and_above"), 2);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/platform-counts?as_of=2023-01-01",
                    NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "municipal_and_above"), 1);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/platforms?format=csv", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "天津市新材料重点实验室"));
    apiresp_release(&r);
}

static void test_talent_and_listing(void **state)
{
    Fx *f = *state;
    int64_t a1 = add_ent(f, 71, "人才甲有限公司", f->street_a);
    char url[96];
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/talent-counts/2023",
             (long long)a1);
    apitest_request(f->t, "PUT", url,
                    "{\"counts\": {\"haihe\": 3, \"doctor\": 2}}", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 5);
    apiresp_release(&r);
    apitest_request(f->t, "PUT", url, "{\"counts\": {\"wizard\": 3}}", NULL,
                    &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "wizard");
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/talent-counts?year=2023", NULL, NULL,
                    &r);
    assert_int_equal(apitest_jint(json_object_get(r.json, "sums"), "haihe"), 3);
    apiresp_release(&r);

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/talents",
             (long long)a1);
    assert_int_equal(
        apitest_status(f->t, "POST", url,
                       "{\"name\": \"张三\", \"programme\": "
                       "\"leading\", \"batch\": \"2023年第一批\"}"),
        201);
    apitest_request(f->t, "GET", "/api/v1/talents", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/audit?action=talent.read_bulk", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);

    /* listing candidates */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/listing",
             (long long)a1);
    apitest_request(f->t, "PUT", url,
                    "{\"stage\": \"listed\", \"entered_on\": \"2022-01-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "listed_on");
    apiresp_release(&r);
    apitest_request(f->t, "PUT", url,
                    "{\"stage\": \"tutoring\", \"board\": \"star\", "
                    "\"sponsor\": \"某证券\", \"entered_on\": \"2022-01-01\", "
                    "\"stage_on\": \"2023-03-01\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "stage_name"), "辅导");
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/listing-candidates", NULL, NULL, &r);
    assert_int_equal(
        apitest_jint(json_object_get(r.json, "counts"), "tutoring"), 1);
    apiresp_release(&r);
}

static void test_scope_and_personal_data(void **state)
{
    Fx *f = *state;
    int64_t cb = add_carrier(f, "大直沽孵化器", "incubator", f->street_b, 0);
    int64_t ca = add_carrier(f, "大王庄孵化器", "incubator", f->street_a, 0);
    int64_t eb = add_ent(f, 81, "大直沽企业有限公司", f->street_b);
    int64_t ea = add_ent(f, 82, "大王庄企业有限公司", f->street_a);
    char url[96], body[128];
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/talents",
             (long long)ea);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"name\": \"李四\", \"programme\": "
                                    "\"haihe\"}"),
                     201);
    apitest_add_user(f->t, "agent_a", "Agent12345", ROLE_AGENT, f->street_a);
    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    snprintf(url, sizeof url, "/api/v1/carriers/%lld", (long long)cb);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    snprintf(url, sizeof url, "/api/v1/carriers/%lld/sheets/2023",
             (long long)cb);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    apitest_request(f->t, "GET", "/api/v1/carriers", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
    /* a tenant from another street: not in the agent's library */
    assert_int_equal(
        add_tenant(f, ca, eb, "2023-01-01", NULL, NULL, NULL, NULL), 400);
    assert_int_equal(
        add_tenant(f, ca, ea, "2023-01-01", NULL, NULL, NULL, NULL), 201);
    /* a carrier in another street cannot be created by the agent */
    snprintf(body, sizeof body,
             "{\"name\": \"越权\", \"type\": \"incubator\", \"unit_id\": "
             "%lld, \"operator_name\": \"某\"}",
             (long long)f->street_b);
    apitest_request(f->t, "POST", "/api/v1/carriers", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "unit_id");
    apiresp_release(&r);
    /* named talents: 404 for a street agent, even in its own street */
    assert_int_equal(apitest_status(f->t, "GET", "/api/v1/talents", NULL), 404);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/talents",
             (long long)ea);
    assert_int_equal(apitest_status(f->t, "POST", url,
                                    "{\"name\": \"王五\", \"programme\": "
                                    "\"haihe\"}"),
                     404);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

/* An application of the policy pool (as the policy module writes it). */
static int64_t policy_app(Fx *f, int64_t ent, const char *item, int year,
                          const char *status, int64_t amount)
{
    int64_t id = 0;
    Err e;

    err_clear(&e);
    if (db_query_int64(
            f->t->db, &id, &e,
            "INSERT INTO policy_applications (item_id, enterprise_id, year, "
            "channel, status, claimed, amount, applied_on, created_at, "
            "updated_at) VALUES ((SELECT id FROM policy_items WHERE code = "
            "$1), $2, $3, 'apply', $4, $5, $5, '2024-03-01', "
            "'2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z') RETURNING id",
            "tiiti", item, ent, (int64_t)year, status, amount)) {
        fail_msg("application: %s", e.msg);
    }
    return id;
}

static void policy_pay(Fx *f, int64_t app, int64_t amount, const char *on)
{
    Err e;

    err_clear(&e);
    if (db_exec_v(f->t->db, &e,
                  "INSERT INTO policy_payments (application_id, kind, amount, "
                  "paid_on, voucher_no, year, budget_line, created_at) VALUES "
                  "($1, 'pay', $2, $3, 'PZ-1', 2024, '上市扶持', "
                  "'2024-10-01T00:00:00Z')",
                  "iit", app, amount, on)) {
        fail_msg("payment: %s", e.msg);
    }
}

/* Listing subsidies are read from the policy pool, scoped by enterprise. */
static void test_listing_subsidies(void **state)
{
    Fx *f = *state;
    int64_t ea = add_ent(f, 71, "上市补贴甲有限公司", f->street_a);
    int64_t eb = add_ent(f, 72, "上市补贴乙有限公司", f->street_b);
    int64_t fee = policy_app(f, ea, "listing-fee", 2024, "paid", 1000000);
    int64_t n_before = 0, n_after = 0;
    char url[96];
    ApiResp r;
    json_t *it;
    Err e;

    policy_pay(f, fee, 600000, "2024-10-01");
    policy_app(f, ea, "loan-interest", 2024, "rejected", 300000);
    policy_app(f, ea, "loan-guarantee", 2023, "closed", 50000);
    policy_app(f, ea, "hnte-first", 2024, "paid", 200000); /* not listing */
    policy_app(f, eb, "listing-fee", 2024, "submitted", 800000);
    err_clear(&e);
    assert_int_equal(db_query_int64(f->t->db, &n_before, &e,
                                    "SELECT COUNT(*) FROM policy_applications",
                                    ""),
                     0);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/listing-subsidies",
             (long long)ea);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
    it = json_array_get(json_object_get(r.json, "items"), 0);
    assert_string_equal(apitest_jstr(it, "item_code"), "listing-fee");
    assert_string_equal(apitest_jstr(it, "item_title"), "上市费用补贴");
    assert_string_equal(apitest_jstr(it, "status_name"), "部分拨付");
    /* one name for a status: the policy pages give the same */
    {
        ApiResp pr;
        snprintf(url, sizeof url, "/api/v1/policy-applications/%lld",
                 (long long)fee);
        apitest_request(f->t, "GET", url, NULL, NULL, &pr);
        assert_int_equal(pr.status, 200);
        assert_string_equal(apitest_jstr(pr.json, "status_name"),
                            apitest_jstr(it, "status_name"));
        apiresp_release(&pr);
    }
    assert_int_equal(apitest_jint(it, "paid"), 600000);
    assert_int_equal(json_array_size(json_object_get(it, "payments")), 1);
    it = json_array_get(json_object_get(r.json, "items"), 1);
    assert_string_equal(apitest_jstr(it, "item_code"), "loan-interest");
    assert_int_equal(apitest_jint(it, "paid"), 0);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "items"), 2),
                     "year"),
        2023);
    assert_int_equal(apitest_jint(r.json, "granted"),
                     1050000); /* not rejected */
    assert_int_equal(apitest_jint(r.json, "paid"), 600000);
    apiresp_release(&r);
    assert_int_equal(db_query_int64(f->t->db, &n_after, &e,
                                    "SELECT COUNT(*) FROM policy_applications",
                                    ""),
                     0);
    assert_int_equal(n_after, n_before); /* read only */
    assert_int_equal(
        apitest_status(f->t, "GET",
                       "/api/v1/enterprises/999999/listing-subsidies", NULL),
        404);
    /* a street agent sees its own street's enterprise only */
    apitest_add_user(f->t, "agent_b", "Agent12345", ROLE_AGENT, f->street_b);
    assert_int_equal(apitest_login(f->t, "agent_b", "Agent12345"), 200);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/listing-subsidies",
             (long long)eb);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    apiresp_release(&r);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

static int64_t count_of(Fx *f, const char *sql)
{
    int64_t n = -1;
    Err e;

    err_clear(&e);
    if (db_query_int64(f->t->db, &n, &e, sql, "")) {
        fail_msg("%s: %s", sql, e.msg);
    }
    return n;
}

/* Named talents: edit and delete with a reason, bureau roles only, both
 * audited; a street agent is refused (404) even in its own street. */
static void test_talent_edit(void **state)
{
    Fx *f = *state;
    int64_t ea = add_ent(f, 51, "人才编辑甲有限公司", f->street_a);
    int64_t eb = add_ent(f, 52, "人才编辑乙有限公司", f->street_a);
    int64_t tid, n_upd, n_ret;
    char url[128], del[192];
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/talents",
             (long long)ea);
    apitest_request(f->t, "POST", url,
                    "{\"name\": \"张三\", \"programme\": \"haihe\", "
                    "\"batch\": \"2023 第一批\"}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    tid = apitest_jint(r.json, "id");
    apiresp_release(&r);
    n_upd = count_of(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                        "'talent.update'");
    n_ret = count_of(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                        "'talent.retire'");
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/talents/%lld",
             (long long)ea, (long long)tid);
    /* bad input: a zh-CN error naming the field, nothing written */
    apitest_request(f->t, "PATCH", url,
                    "{\"name\": \"张三\", \"programme\": \"wizard\"}", NULL,
                    &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "programme");
    apiresp_release(&r);
    apitest_request(f->t, "PATCH", url,
                    "{\"name\": \"张三丰\", \"programme\": \"leading\", "
                    "\"field\": \"新材料\"}",
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "name"), "张三丰");
    assert_string_equal(apitest_jstr(r.json, "programme"), "leading");
    assert_string_equal(apitest_jstr(r.json, "field"), "新材料");
    assert_true(json_is_null(json_object_get(r.json, "batch")));
    apiresp_release(&r);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM audit_log WHERE "
                                 "action = 'talent.update'"),
                     n_upd + 1);
    /* the talent under another enterprise's path: 404 */
    snprintf(del, sizeof del, "/api/v1/enterprises/%lld/talents/%lld",
             (long long)eb, (long long)tid);
    assert_int_equal(apitest_status(f->t, "PATCH", del,
                                    "{\"name\": \"x\", \"programme\": "
                                    "\"haihe\"}"),
                     404);
    /* a street agent may not see named talents: 404, nothing changed */
    apitest_add_user(f->t, "agent_t", "Agent12345", ROLE_AGENT, f->street_a);
    assert_int_equal(apitest_login(f->t, "agent_t", "Agent12345"), 200);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"name\": \"李四\", \"programme\": "
                                    "\"haihe\"}"),
                     404);
    snprintf(del, sizeof del, "%s?reason=%s", url, "test");
    assert_int_equal(apitest_status(f->t, "DELETE", del, NULL), 404);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM talents WHERE name = "
                                 "'张三丰' AND retired_at IS NULL"),
                     1);
    /* delete needs a reason */
    apitest_request(f->t, "DELETE", url, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "reason");
    apiresp_release(&r);
    snprintf(del, sizeof del, "%s?reason=%s", url, "duplicate");
    assert_int_equal(apitest_status(f->t, "DELETE", del, NULL), 200);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM talents WHERE "
                                 "retired_at IS NOT NULL AND retire_reason = "
                                 "'duplicate'"),
                     1);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM audit_log WHERE "
                                 "action = 'talent.retire'"),
                     n_ret + 1);
    assert_int_equal(apitest_status(f->t, "DELETE", del, NULL), 404);
    apitest_request(f->t, "GET", "/api/v1/talents", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    apiresp_release(&r);
}

static void test_import_upload(void **state)
{
    Fx *f = *state;
    int64_t e1 = add_ent(f, 91, "导入一号有限公司", f->street_a);
    char body[1024];
    ApiResp r;

    (void)e1;
    /* the import kinds the UI offers, named by the server: each one's
     * template answers */
    apitest_request(f->t, "GET", "/api/v1/reference/carriers", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        static const char *const want[][2] = {
            {"carriers", "载体"},
            {"tenants", "入驻企业"},
            {"platforms", "创新平台"},
            {"talent_counts", "人才数量"},
            {"listing", "重点上市企业资源库"}};
        json_t *kinds = json_object_get(r.json, "import_kinds");
        char url[96];
        assert_int_equal(json_array_size(kinds), 5);
        for (size_t i = 0; i < 5; i++) {
            json_t *k = json_array_get(kinds, i);
            assert_string_equal(apitest_jstr(k, "value"), want[i][0]);
            assert_string_equal(apitest_jstr(k, "label"), want[i][1]);
            snprintf(url, sizeof url,
                     "/api/v1/carrier-imports/%s/template?format=csv",
                     apitest_jstr(k, "value"));
            assert_int_equal(apitest_status(f->t, "GET", url, NULL), 200);
        }
    }
    apiresp_release(&r);
    apitest_request(f->t, "GET",
                    "/api/v1/carrier-imports/carriers/template?format=csv",
                    NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "载体名称,类型"));
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "GET",
                                    "/api/v1/carrier-imports/castles/template",
                                    NULL),
                     404);
    snprintf(body, sizeof body,
             "载体名称,类型,运营机构,所属单位\r\n"
             "上传孵化器,科技企业孵化器,某机构,大王庄街道\r\n"
             "上传城堡,城堡,某机构,大王庄街道\r\n");
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/carriers", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "rows"), 2);
    assert_int_equal(apitest_jint(r.json, "written"), 0);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "errors"), 0),
                     "row"),
        3);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "errors"), 0),
                     "column"),
        "类型");
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/carriers", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    snprintf(body, sizeof body,
             "载体名称,类型,运营机构,所属单位\r\n"
             "上传孵化器,科技企业孵化器,某机构,大王庄街道\r\n");
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/carriers", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "written"), 1);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/carriers", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);
}

/* Carriers import by key (the live carrier's name): new / updated /
 * unchanged, all-or-nothing, each update audited. */
static void test_import_update_by_key(void **state)
{
    Fx *f = *state;
    const char *head = "载体名称,类型,运营机构,所属单位,地址\r\n";
    char body[1024];
    int64_t audits;
    ApiResp r;

    snprintf(body, sizeof body,
             "%s键孵化器甲,科技企业孵化器,某机构,大王庄街道,甲路1号\r\n"
             "键孵化器乙,众创空间,某机构,大王庄街道,乙路2号\r\n",
             head);
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/carriers", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "new"), 2);
    assert_int_equal(apitest_jint(r.json, "written"), 2);
    apiresp_release(&r);
    audits = count_of(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                         "'carrier.update'");
    /* 甲 changes its address, 乙 is the same, 丙 is new */
    snprintf(body, sizeof body,
             "%s键孵化器甲,科技企业孵化器,某机构,大王庄街道,甲路9号\r\n"
             "键孵化器乙,众创空间,某机构,大王庄街道,乙路2号\r\n"
             "键孵化器丙,加速器,某机构,大王庄街道,丙路3号\r\n",
             head);
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/carriers?dry_run=1",
                    body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "new"), 1);
    assert_int_equal(apitest_jint(r.json, "updated"), 1);
    assert_int_equal(apitest_jint(r.json, "unchanged"), 1);
    assert_int_equal(apitest_jint(r.json, "written"), 0);
    apiresp_release(&r);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM carriers WHERE "
                                 "address = '甲路9号'"),
                     0); /* the dry run wrote nothing */
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/carriers", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "new"), 1);
    assert_int_equal(apitest_jint(r.json, "updated"), 1);
    assert_int_equal(apitest_jint(r.json, "unchanged"), 1);
    assert_int_equal(apitest_jint(r.json, "written"), 2);
    apiresp_release(&r);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM carriers WHERE name = "
                                 "'键孵化器甲' AND address = '甲路9号'"),
                     1);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM carriers"), 3);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM audit_log WHERE "
                                 "action = 'carrier.update'"),
                     audits + 1);
    /* one bad row: nothing of the file is written */
    snprintf(body, sizeof body,
             "%s键孵化器甲,科技企业孵化器,某机构,大王庄街道,甲路10号\r\n"
             "键孵化器丁,城堡,某机构,大王庄街道,丁路4号\r\n",
             head);
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/carriers", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "written"), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 1);
    apiresp_release(&r);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM carriers WHERE "
                                 "address = '甲路10号'"),
                     0);

    /* a blank cell keeps what the carrier holds (a blank is unknown):
     * 甲's address stays 甲路9号, nothing is written */
    snprintf(body, sizeof body,
             "%s键孵化器甲,科技企业孵化器,某机构,大王庄街道,\r\n", head);
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/carriers", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "unchanged"), 1);
    assert_int_equal(apitest_jint(r.json, "written"), 0);
    apiresp_release(&r);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM carriers WHERE name = "
                                 "'键孵化器甲' AND address = '甲路9号'"),
                     1);

    /* platforms: the key is name + kind + level */
    head = "平台名称,类型,级别,依托单位,所属单位,认定日期,认定文件\r\n";
    snprintf(body, sizeof body,
             "%s键实验室,重点实验室,市级,某大学,大王庄街道,2022-05-01,文一\r\n",
             head);
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/platforms", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "new"), 1);
    assert_int_equal(apitest_jint(r.json, "written"), 1);
    apiresp_release(&r);
    audits = count_of(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                         "'platform.update'");
    snprintf(body, sizeof body,
             "%s键实验室,重点实验室,市级,某大学,大王庄街道,2022-05-01,文二\r\n"
             "键实验室,重点实验室,区级,某大学,大王庄街道,2020-05-01,文三\r\n",
             head);
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/platforms", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "new"), 1);
    assert_int_equal(apitest_jint(r.json, "updated"), 1);
    assert_int_equal(apitest_jint(r.json, "unchanged"), 0);
    assert_int_equal(apitest_jint(r.json, "written"), 2);
    apiresp_release(&r);
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/platforms", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "unchanged"), 2);
    assert_int_equal(apitest_jint(r.json, "written"), 0);
    apiresp_release(&r);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM platforms WHERE "
                                 "recognition_doc = '文二'"),
                     1);
    snprintf(body, sizeof body,
             "%s键实验室,重点实验室,市级,某大学,大王庄街道,,\r\n", head);
    apitest_request(f->t, "POST", "/api/v1/carrier-imports/platforms", body,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "unchanged"), 1);
    apiresp_release(&r);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM platforms WHERE "
                                 "recognition_doc = '文二' AND recognized_on "
                                 "= '2022-05-01'"),
                     1);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM platforms"), 2);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM audit_log WHERE "
                                 "action = 'platform.update'"),
                     audits + 1);

    /* tenants: the key is carrier + enterprise + move-in date */
    {
        int64_t e1 = add_ent(f, 61, "键入驻一号有限公司", f->street_a);
        int64_t e2 = add_ent(f, 62, "键入驻二号有限公司", f->street_a);
        char u1[32], u2[32];
        ApiResp g;
        (void)e1;
        (void)e2;
        snprintf(body, sizeof body, "/api/v1/enterprises/%lld", (long long)e1);
        apitest_request(f->t, "GET", body, NULL, NULL, &g);
        snprintf(u1, sizeof u1, "%s", apitest_jstr(g.json, "uscc"));
        apiresp_release(&g);
        snprintf(body, sizeof body, "/api/v1/enterprises/%lld", (long long)e2);
        apitest_request(f->t, "GET", body, NULL, NULL, &g);
        snprintf(u2, sizeof u2, "%s", apitest_jstr(g.json, "uscc"));
        apiresp_release(&g);
        head = "载体名称,统一社会信用代码,入驻日期,迁出日期,迁出原因\r\n";
        snprintf(body, sizeof body, "%s键孵化器甲,%s,2023-01-01,,\r\n", head,
                 u1);
        apitest_request(f->t, "POST", "/api/v1/carrier-imports/tenants", body,
                        NULL, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(apitest_jint(r.json, "new"), 1);
        apiresp_release(&r);
        audits = count_of(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
                             "'tenant.update'");
        snprintf(body, sizeof body,
                 "%s键孵化器甲,%s,2023/1/1,2024-06-30,毕业\r\n"
                 "键孵化器甲,%s,2023-02-01,,\r\n",
                 head, u1, u2);
        apitest_request(f->t, "POST", "/api/v1/carrier-imports/tenants", body,
                        NULL, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(apitest_jint(r.json, "new"), 1);
        assert_int_equal(apitest_jint(r.json, "updated"), 1);
        assert_int_equal(apitest_jint(r.json, "written"), 2);
        apiresp_release(&r);
        apitest_request(f->t, "POST", "/api/v1/carrier-imports/tenants", body,
                        NULL, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(apitest_jint(r.json, "unchanged"), 2);
        assert_int_equal(apitest_jint(r.json, "written"), 0);
        apiresp_release(&r);
        assert_int_equal(count_of(f, "SELECT COUNT(*) FROM carrier_tenants"),
                         2);
        assert_int_equal(count_of(f, "SELECT COUNT(*) FROM carrier_tenants "
                                     "WHERE moved_out = '2024-06-30' AND "
                                     "out_reason = 'graduated'"),
                         1);
        assert_int_equal(count_of(f, "SELECT COUNT(*) FROM audit_log WHERE "
                                     "action = 'tenant.update'"),
                         audits + 1);
        /* the list of before the move-out, imported again: the blank
         * 迁出日期 does not move the tenant back in */
        snprintf(body, sizeof body, "%s键孵化器甲,%s,2023-01-01,,\r\n", head,
                 u1);
        apitest_request(f->t, "POST", "/api/v1/carrier-imports/tenants", body,
                        NULL, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(apitest_jint(r.json, "unchanged"), 1);
        assert_int_equal(apitest_jint(r.json, "written"), 0);
        apiresp_release(&r);
        assert_int_equal(count_of(f, "SELECT COUNT(*) FROM carrier_tenants "
                                     "WHERE moved_out = '2024-06-30' AND "
                                     "out_reason = 'graduated'"),
                         1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_carrier_create_validate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tenancy_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_fixture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_graduation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_platforms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_talent_and_listing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_scope_and_personal_data, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_listing_subsidies, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_talent_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_update_by_key, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
