/* test_pipeline.c - the 四个一批 pipeline through the real dispatcher:
 * batches (tier, year, review chain), 遴选 from a stored screening closest
 * first and by hand with a reason, 入库 through the configured review
 * chain (recommend, return with reason, approve), 培育 tasks made from the
 * rule engine's gaps, 认定 from the qualifications register (not
 * certified needs a reason; attempts counted; never-入库 flagged), skipped
 * stages refused, the journey, board, funnel, task worklist, exports,
 * audit entries and the data scope of a 街道 agent. */
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
#include "domain/accounts/actor.h"
#include "domain/demo/demo.h"
#include "domain/jobs/job.h"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t good, weak, plain; /* good, plain in A; weak in B */
} Fx;

/* A request that must answer want; the parsed body (caller decrefs). */
static json_t *call(ApiTest *t, const char *method, const char *url,
                    const char *body, int want)
{
    json_t *j;
    ApiResp r;

    apitest_request(t, method, url, body, NULL, &r);
    if (r.status != want) {
        fail_msg("%s %s: %d, expected %d: %s", method, url, r.status, want,
                 r.body);
    }
    j = json_incref(r.json);
    apiresp_release(&r);
    return j;
}

static void expect(ApiTest *t, const char *method, const char *url,
                   const char *body, int want)
{
    json_decref(call(t, method, url, body, want));
}

static int64_t id_of(json_t *j)
{
    int64_t id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    return id;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* An enterprise with three years of figures and one invention patent;
 * hitech is the 2025 high-tech income in 元 (low: unmet). */
static int64_t candidate(ApiTest *t, int n, int64_t unit, long long hitech)
{
    char code[USCC_LEN + 1], body[1024], url[128];
    int64_t id;

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"uscc\":\"%s\",\"name\":\"培育企业%d\",\"unit_id\":%lld,"
             "\"established_on\":\"2015-03-01\",\"tech_domain\":1}",
             code, n, (long long)unit);
    id = id_of(call(t, "POST", "/api/v1/enterprises", body, 201));
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
        expect(t, "PUT", url, body, 200);
    }
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights",
             (long long)id);
    snprintf(body, sizeof body,
             "{\"kind\":\"invention\",\"number\":\"ZL2019%06d.1\","
             "\"title\":\"一种装置\",\"applied_on\":\"2018-01-01\","
             "\"granted_on\":\"2019-01-01\",\"main_product\":true}",
             n);
    expect(t, "POST", url, body, 201);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/declarations",
             (long long)id);
    expect(t, "PUT", url,
           "{\"items\":[{\"field\":\"conversions\",\"year\":2023,"
           "\"value\":2},{\"field\":\"conversions\",\"year\":2024,"
           "\"value\":2},{\"field\":\"conversions\",\"year\":2025,"
           "\"value\":3},{\"field\":\"accounting_sound\",\"value\":true}]}",
           200);
    return id;
}

static int64_t plain_ent(ApiTest *t, int n, int64_t unit)
{
    char code[USCC_LEN + 1], body[256];

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"uscc\":\"%s\",\"name\":\"服务企业%d\",\"unit_id\":%lld}", code,
             n, (long long)unit);
    return id_of(call(t, "POST", "/api/v1/enterprises", body, 201));
}

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    ApiTest *t;

    assert_non_null(f);
    f->t = t = apitest_new();
    f->street_a = apitest_add_unit(t, t->root_id, "大王庄街道", "subdistrict");
    f->street_b = apitest_add_unit(t, t->root_id, "大直沽街道", "subdistrict");
    apitest_add_user(t, "agent_a", "Agt-2468-kc", ROLE_AGENT, f->street_a);
    apitest_add_user(t, "agent_b", "Agt-2468-kc", ROLE_AGENT, f->street_b);
    apitest_add_user(t, "staff1", "Stf-2468-kc", ROLE_STAFF, t->root_id);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f->good = candidate(t, 3, f->street_a, 25000000);
    f->weak = candidate(t, 4, f->street_b, 10000000);
    f->plain = plain_ent(t, 5, f->street_a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;

    job_wait_all(1);
    apitest_free(f->t);
    free(f);
    return 0;
}

static void login(Fx *f, const char *user)
{
    const char *pw = strcmp(user, "admin") == 0    ? APITEST_ADMIN_PASSWORD
                     : strcmp(user, "staff1") == 0 ? "Stf-2468-kc"
                                                   : "Agt-2468-kc";
    assert_int_equal(apitest_login(f->t, user, pw), 200);
}

/* Run a screening of every rule set in force today and wait for it. */
static void screen(Fx *f)
{
    json_t *j = call(f->t, "POST", "/api/v1/screenings", "{}", 202);
    char url[64];

    snprintf(url, sizeof url, "/api/v1/jobs/%lld", (long long)num(j, "id"));
    json_decref(j);
    job_wait_all(0);
    j = call(f->t, "GET", url, NULL, 200);
    assert_string_equal(str(j, "status"), "done");
    json_decref(j);
}

/* The entry of enterprise ent in batch (its id). */
static int64_t entry_of(Fx *f, int64_t batch, int64_t ent)
{
    char url[128];
    json_t *j, *it;
    int64_t id = 0;
    size_t i;

    snprintf(url, sizeof url,
             "/api/v1/pipeline/entries?batch_id=%lld&enterprise_id=%lld",
             (long long)batch, (long long)ent);
    j = call(f->t, "GET", url, NULL, 200);
    json_array_foreach(json_object_get(j, "items"), i, it)
    {
        id = num(it, "id");
    }
    json_decref(j);
    return id;
}

/* POST an action; the answer must be want; the entry's stage after. */
static json_t *act(Fx *f, int64_t entry, const char *body, int want)
{
    char url[96];

    snprintf(url, sizeof url, "/api/v1/pipeline/entries/%lld/actions",
             (long long)entry);
    return call(f->t, "POST", url, body, want);
}

static void act_stage(Fx *f, int64_t entry, const char *body, const char *stage)
{
    json_t *j = act(f, entry, body, 200);

    assert_string_equal(str(j, "stage"), stage);
    json_decref(j);
}

static void test_batches(void **state)
{
    Fx *f = *state;
    ApiTest *t = f->t;
    json_t *j;

    /* bad input: tier, year, chain; agents do not create batches */
    expect(t, "POST", "/api/v1/pipeline/batches",
           "{\"tier\":\"nope\",\"year\":2026}", 400);
    expect(t, "POST", "/api/v1/pipeline/batches",
           "{\"tier\":\"hnte\",\"year\":1990}", 400);
    expect(t, "POST", "/api/v1/pipeline/batches",
           "{\"tier\":\"hnte\",\"year\":2026,\"review_chain\":[{\"role\":"
           "\"leader\"}]}",
           400);
    expect(t, "POST", "/api/v1/pipeline/batches",
           "{\"tier\":\"hnte\",\"year\":2026,\"review_chain\":[]}", 400);
    j = call(t, "POST", "/api/v1/pipeline/batches",
             "{\"tier\":\"hnte\",\"year\":2026}", 201);
    assert_string_equal(str(j, "name"), "2026年高新技术企业");
    assert_string_equal(
        str(json_array_get(json_object_get(j, "review_chain"), 0), "role"),
        "staff");
    json_decref(j);
    /* same name in the same year */
    expect(t, "POST", "/api/v1/pipeline/batches",
           "{\"tier\":\"hnte\",\"year\":2026}", 409);
    login(f, "agent_a");
    expect(t, "POST", "/api/v1/pipeline/batches",
           "{\"tier\":\"sme\",\"year\":2026}", 403);
    j = call(t, "GET", "/api/v1/pipeline/batches?tier=hnte", NULL, 200);
    assert_int_equal(num(j, "total"), 1);
    json_decref(j);
    j = call(t, "GET", "/api/v1/pipeline/batches?format=csv", NULL, 200);
    json_decref(j);
}

static void test_flow(void **state)
{
    Fx *f = *state;
    ApiTest *t = f->t;
    int64_t batch, e_good, e_weak, e_plain;
    char url[160], body[512];
    json_t *j, *it;
    ApiResp r;
    size_t i;

    batch = id_of(call(t, "POST", "/api/v1/pipeline/batches",
                       "{\"tier\":\"hnte\",\"year\":2026}", 201));
    snprintf(url, sizeof url, "/api/v1/pipeline/batches/%lld/pick",
             (long long)batch);
    /* no screening yet */
    expect(t, "POST", url, "{\"limit\":10}", 409);
    screen(f);
    expect(t, "POST", url, "{\"limit\":0}", 400);
    snprintf(body, sizeof body, "{\"limit\":10,\"unit_id\":%lld}",
             (long long)f->street_b);
    j = call(t, "POST", url, body, 200);
    assert_int_equal(num(j, "added"), 1); /* B holds one enterprise */
    json_decref(j);
    j = call(t, "POST", url, body, 200);
    assert_int_equal(num(j, "added"), 0); /* already in the batch */
    json_decref(j);
    /* one more, closest first: the good candidate, not the one without
     * data */
    j = call(t, "POST", url, "{\"limit\":1}", 200);
    assert_int_equal(num(j, "added"), 1);
    json_decref(j);

    /* closest first: the stored rank orders the entries */
    snprintf(url, sizeof url, "/api/v1/pipeline/entries?batch_id=%lld",
             (long long)batch);
    j = call(t, "GET", url, NULL, 200);
    assert_int_equal(num(j, "total"), 2);
    {
        json_t *a = json_array_get(json_object_get(j, "items"), 0);
        json_t *b = json_array_get(json_object_get(j, "items"), 1);
        assert_true(num(a, "rank") >= 1 && num(a, "rank") <= num(b, "rank"));
        assert_string_equal(str(a, "source"), "screening");
        assert_true(num(a, "enterprise_id") != f->plain &&
                    num(b, "enterprise_id") != f->plain);
    }
    json_decref(j);
    /* search by name; a wildcard is plain text */
    j = call(t, "GET", "/api/v1/pipeline/entries?q=%E4%BC%81%E4%B8%9A4", NULL,
             200); /* 企业4 */
    assert_int_equal(num(j, "total"), 1);
    json_decref(j);
    j = call(t, "GET", "/api/v1/pipeline/entries?q=_", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);
    e_good = entry_of(f, batch, f->good);
    e_weak = entry_of(f, batch, f->weak);

    /* by hand: a reason is required; twice is a conflict */
    snprintf(url, sizeof url, "/api/v1/pipeline/batches/%lld/entries",
             (long long)batch);
    snprintf(body, sizeof body, "{\"enterprise_id\":%lld}",
             (long long)f->plain);
    expect(t, "POST", url, body, 400);
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%lld,\"reason\":\"街道推荐的成长型企业\"}",
             (long long)f->plain);
    j = call(t, "POST", url, body, 201);
    assert_string_equal(str(j, "source"), "manual");
    assert_string_equal(str(j, "stage"), "selected");
    e_plain = num(j, "id");
    json_decref(j);
    expect(t, "POST", url, body, 409);

    /* a skipped stage is refused */
    j = act(f, e_weak, "{\"action\":\"cultivate\"}", 409);
    json_decref(j);
    j = act(f, e_weak, "{\"action\":\"approve\"}", 409);
    json_decref(j);
    /* the actions the endpoint takes are those of the served table
     * (select is taken by picking, not here) */
    j = act(f, e_weak, "{\"action\":\"fly\"}", 400);
    assert_string_equal(str(json_object_get(j, "error"), "message"),
                        "操作应为 recommend、approve、return、cultivate、"
                        "certify 或 withdraw");
    json_decref(j);
    json_decref(act(f, e_weak, "{\"action\":\"select\"}", 400));

    /* 入库: the agent of B recommends (comment required); an agent cannot
     * approve (the chain's step is staff); return needs a reason */
    login(f, "agent_b");
    /* a required comment is asked for by the table's hint */
    j = act(f, e_weak, "{\"action\":\"recommend\"}", 400);
    assert_string_equal(str(json_object_get(j, "error"), "message"),
                        "请填写推荐意见");
    json_decref(j);
    json_decref(act(f, e_good, "{\"action\":\"recommend\",\"comment\":\"x\"}",
                    404)); /* outside B */
    act_stage(
        f, e_weak,
        "{\"action\":\"recommend\",\"comment\":\"研发投入稳定，推荐入库\"}",
        "recommended");
    json_decref(act(f, e_weak, "{\"action\":\"approve\"}", 403));
    login(f, "staff1");
    j = act(f, e_weak, "{\"action\":\"return\"}", 400);
    assert_string_equal(str(json_object_get(j, "error"), "message"),
                        "请填写退回原因");
    json_decref(j);
    act_stage(
        f, e_weak,
        "{\"action\":\"return\",\"comment\":\"请补充高新技术产品收入说明\"}",
        "returned");
    login(f, "agent_b");
    act_stage(f, e_weak,
              "{\"action\":\"recommend\",\"comment\":\"已补充说明\"}",
              "recommended");
    login(f, "staff1");
    act_stage(f, e_weak, "{\"action\":\"approve\",\"comment\":\"同意入库\"}",
              "admitted");
    /* 认定 may not skip 培育 */
    json_decref(
        act(f, e_weak, "{\"action\":\"certify\",\"comment\":\"x\"}", 409));

    /* 培育: tasks from the rule engine's gaps for hnte, owner and due */
    j = act(f, e_weak, "{\"action\":\"cultivate\",\"due_on\":\"2027-03-31\"}",
            200);
    assert_string_equal(str(j, "stage"), "cultivating");
    assert_true(json_array_size(json_object_get(j, "tasks")) >= 1);
    it = json_array_get(json_object_get(j, "tasks"), 0);
    assert_true(strlen(str(it, "title")) > 0);
    assert_string_equal(str(it, "due_on"), "2027-03-31");
    assert_string_equal(str(it, "status"), "open");
    json_decref(j);

    /* 认定 without a register row: not certified, reason required */
    json_decref(act(f, e_weak, "{\"action\":\"certify\"}", 400));
    j = act(f, e_weak,
            "{\"action\":\"certify\",\"comment\":\"专家评审未通过\"}", 200);
    assert_string_equal(str(j, "stage"), "not_certified");
    assert_int_equal(num(j, "attempts"), 1);
    json_decref(j);
    /* agents do not record outcomes */
    login(f, "agent_b");
    json_decref(
        act(f, e_weak, "{\"action\":\"certify\",\"comment\":\"x\"}", 403));
    /* again: cultivate, the register now holds the certificate */
    act_stage(f, e_weak, "{\"action\":\"cultivate\"}", "cultivating");
    login(f, "staff1");
    {
        Err e;
        assert_int_equal(
            db_exec_v(t->db, &e,
                      "INSERT INTO qualifications (enterprise_id, kind, "
                      "cert_no, year, issued_on, valid_from, valid_to, "
                      "src_at, created_at, updated_at) VALUES ($1, 'hnte', "
                      "'GR202612000123', 2026, '2026-11-20', '2026-11-20', "
                      "'2029-11-19', 'x', 'x', 'x')",
                      "i", f->weak),
            0);
    }
    j = act(f, e_weak, "{\"action\":\"certify\"}", 200);
    assert_string_equal(str(j, "stage"), "certified");
    assert_int_equal(num(j, "attempts"), 2);
    assert_true(num(j, "qualification_id") > 0);
    assert_false(json_is_true(json_object_get(j, "unadmitted")));
    json_decref(j);
    json_decref(
        act(f, e_weak, "{\"action\":\"withdraw\",\"comment\":\"x\"}", 409));

    /* 认定 of an enterprise never 入库: allowed, flagged */
    j = act(f, e_plain,
            "{\"action\":\"certify\",\"comment\":\"未进入认定名单\"}", 200);
    assert_string_equal(str(j, "stage"), "not_certified");
    assert_true(json_is_true(json_object_get(j, "unadmitted")));
    json_decref(j);

    /* the journey: who, when, why */
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/pipeline",
             (long long)f->weak);
    j = call(t, "GET", url, NULL, 200);
    assert_true(json_is_null(json_object_get(j, "liaison")));
    it = json_array_get(json_object_get(j, "items"), 0);
    assert_int_equal(json_array_size(json_object_get(it, "events")), 9);
    {
        json_t *ev = json_array_get(json_object_get(it, "events"), 2);
        assert_string_equal(str(ev, "action"), "return");
        /* named from the server's action table */
        assert_string_equal(str(ev, "action_name"), "退回");
        assert_string_equal(
            str(json_array_get(json_object_get(it, "events"), 0),
                "action_name"),
            "遴选");
        assert_string_equal(str(ev, "comment"), "请补充高新技术产品收入说明");
        assert_string_equal(str(ev, "user_name"), "staff1");
        assert_true(strlen(str(ev, "at")) == 20);
    }
    json_decref(j);
    /* audited */
    login(f, "admin");
    j = call(t, "GET", "/api/v1/audit?action=pipeline.certify", NULL, 200);
    assert_int_equal(num(j, "total"), 3);
    json_decref(j);

    /* board and funnel */
    snprintf(url, sizeof url, "/api/v1/pipeline/batches/%lld/board",
             (long long)batch);
    j = call(t, "GET", url, NULL, 200);
    json_array_foreach(json_object_get(j, "columns"), i, it)
    {
        if (strcmp(str(it, "key"), "select") == 0) {
            assert_int_equal(num(it, "total"), 1);
        }
        if (strcmp(str(it, "key"), "certify") == 0) {
            assert_int_equal(num(it, "total"), 2);
        }
    }
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/pipeline/funnel?batch_id=%lld",
             (long long)batch);
    j = call(t, "GET", url, NULL, 200);
    it = json_object_get(j, "total");
    assert_int_equal(num(it, "selected"), 3);
    assert_int_equal(num(it, "admitted"), 1);
    assert_int_equal(num(it, "cultivating"), 1);
    assert_int_equal(num(it, "certified"), 1);
    assert_string_equal(str(it, "admit_rate"), "33.3");
    assert_string_equal(str(it, "certify_rate"), "100.0");
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 2);
    json_decref(j);

    /* scope: the agent of A sees A's two entries only */
    login(f, "agent_a");
    j = call(t, "GET", url, NULL, 200);
    assert_int_equal(num(json_object_get(j, "total"), "selected"), 2);
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/pipeline/entries/%lld",
             (long long)e_weak);
    expect(t, "GET", url, NULL, 404);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/pipeline",
             (long long)f->weak);
    expect(t, "GET", url, NULL, 404);
    j = call(t, "GET", "/api/v1/pipeline/tasks", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);

    /* exports of the lists */
    login(f, "admin");
    snprintf(url, sizeof url,
             "/api/v1/pipeline/entries?batch_id=%lld&format=csv",
             (long long)batch);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "企业名称"));
    assert_non_null(strstr(r.body, "培育企业4"));
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/pipeline/funnel?format=xlsx", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_non_null(
        strstr(apiresp_header(&r, "Content-Type"), "spreadsheetml"));
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/pipeline/tasks?format=csv", NULL, NULL,
                    &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "完成期限"));
    apiresp_release(&r);
    (void)e_good;
}

static void test_tasks_and_chain(void **state)
{
    Fx *f = *state;
    ApiTest *t = f->t;
    int64_t batch, entry, task, staff;
    char url[160], body[256];
    json_t *j;

    /* a two-step chain: staff first, then the administrator */
    j = call(t, "POST", "/api/v1/pipeline/batches",
             "{\"tier\":\"hnte\",\"year\":2027,\"name\":\"2027年高企第一批\","
             "\"review_chain\":[{\"role\":\"staff\",\"label\":\"科室初审\"},"
             "{\"role\":\"admin\",\"label\":\"局领导审定\"}]}",
             201);
    batch = id_of(j);
    snprintf(url, sizeof url, "/api/v1/pipeline/batches/%lld/entries",
             (long long)batch);
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%lld,\"reason\":\"重点培育\"}",
             (long long)f->weak);
    entry = id_of(call(t, "POST", url, body, 201));
    login(f, "agent_b");
    act_stage(f, entry, "{\"action\":\"recommend\",\"comment\":\"推荐\"}",
              "recommended");
    login(f, "staff1");
    j = act(f, entry, "{\"action\":\"approve\"}", 200);
    assert_string_equal(str(j, "stage"), "recommended");
    assert_int_equal(num(j, "review_step"), 1);
    json_decref(j);
    json_decref(act(f, entry, "{\"action\":\"approve\"}", 403));
    login(f, "admin");
    act_stage(f, entry, "{\"action\":\"approve\"}", "admitted");
    /* 包联: bulk assignment from the enterprise list; the tasks made at
     * 培育 go to the 包联人员 */
    j = call(t, "GET", "/api/v1/users?q=staff1", NULL, 200);
    staff = num(json_array_get(json_object_get(j, "items"), 0), "id");
    json_decref(j);
    snprintf(body, sizeof body,
             "{\"ids\":[%lld,%lld],\"set\":{\"liaison_user_id\":%lld}}",
             (long long)f->weak, (long long)f->good, (long long)staff);
    expect(t, "POST", "/api/v1/enterprises/batch", body, 200);
    j = act(f, entry, "{\"action\":\"cultivate\"}", 200);
    assert_string_equal(str(j, "stage"), "cultivating");
    assert_int_equal(
        num(json_array_get(json_object_get(j, "tasks"), 0), "owner_user_id"),
        staff);
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/pipeline",
             (long long)f->weak);
    j = call(t, "GET", url, NULL, 200);
    assert_int_equal(num(json_object_get(j, "liaison"), "user_id"), staff);
    assert_string_equal(str(json_object_get(j, "liaison"), "unit_name"),
                        "测试区");
    json_decref(j);
    /* the admin's own tasks: none of these */
    j = call(t, "GET", "/api/v1/pipeline/tasks?mine=1", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);
    login(f, "staff1");

    /* worklist of the 包联人员: mine, overdue */
    j = call(t, "GET", "/api/v1/pipeline/tasks?mine=1&status=open", NULL, 200);
    assert_true(num(j, "total") >= 1);
    task = num(json_array_get(json_object_get(j, "items"), 0), "id");
    json_decref(j);
    j = call(t, "GET", "/api/v1/pipeline/tasks?overdue=1", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/pipeline/tasks/%lld", (long long)task);
    expect(t, "PATCH", url, "{\"due_on\":\"2020-02-30\"}", 400);
    expect(t, "PATCH", url, "{\"status\":\"maybe\"}", 400);
    j = call(t, "PATCH", url, "{\"due_on\":\"2020-01-15\"}", 200);
    assert_true(json_is_true(json_object_get(j, "overdue")));
    json_decref(j);
    j = call(t, "GET", "/api/v1/pipeline/tasks?overdue=1", NULL, 200);
    assert_int_equal(num(j, "total"), 1);
    json_decref(j);
    j = call(t, "PATCH", url, "{\"status\":\"done\",\"note\":\"已完成\"}", 200);
    assert_string_equal(str(j, "status"), "done");
    assert_true(strlen(str(j, "done_on")) == 10);
    json_decref(j);
    j = call(t, "GET", "/api/v1/pipeline/tasks?overdue=1", NULL, 200);
    assert_int_equal(num(j, "total"), 0);
    json_decref(j);
    /* the served task statuses are the ones the list filter and the update
     * take, and name every task listed */
    {
        json_t *ref = call(t, "GET", "/api/v1/reference/labels", NULL, 200);
        json_t *sts = json_object_get(ref, "task_statuses"), *it, *items;
        char q[96], patch[64];
        size_t i, k;
        ApiResp r;

        assert_int_equal(json_array_size(sts), 3);
        assert_string_equal(str(json_array_get(sts, 0), "value"), "open");
        assert_string_equal(str(json_array_get(sts, 1), "label"), "已完成");
        json_array_foreach(sts, i, it)
        {
            snprintf(patch, sizeof patch, "{\"status\":\"%s\"}",
                     str(it, "value"));
            j = call(t, "PATCH", url, patch, 200);
            assert_string_equal(str(j, "status"), str(it, "value"));
            json_decref(j);
            snprintf(q, sizeof q, "/api/v1/pipeline/tasks?status=%s",
                     str(it, "value"));
            j = call(t, "GET", q, NULL, 200);
            items = json_object_get(j, "items");
            assert_true(json_array_size(items) >= 1);
            for (k = 0; k < json_array_size(items); k++) {
                assert_string_equal(
                    str(json_array_get(items, k), "status_name"),
                    str(it, "label"));
            }
            json_decref(j);
        }
        expect(t, "GET", "/api/v1/pipeline/tasks?status=closed", NULL, 400);
        /* a refused status is told every code of the served table */
        apitest_expect_refusal(t, "GET", "/api/v1/pipeline/tasks?status=closed",
                               NULL, "status", "状态", sts);
        apitest_expect_refusal(t, "PATCH", url, "{\"status\":\"closed\"}",
                               "status", "状态", sts);
        /* the export names the status too */
        apitest_request(t, "GET",
                        "/api/v1/pipeline/tasks?status=dropped&format=csv",
                        NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, str(json_array_get(sts, 2), "label")));
        apiresp_release(&r);
        json_decref(ref);
        j = call(t, "PATCH", url, "{\"status\":\"done\"}", 200);
        json_decref(j);
    }
    /* a task by hand */
    snprintf(url, sizeof url, "/api/v1/pipeline/entries/%lld/tasks",
             (long long)entry);
    expect(t, "POST", url, "{\"title\":\"\"}", 400);
    j = call(t, "POST", url,
             "{\"title\":\"申请一项发明专利\",\"due_on\":\"2027-06-30\"}", 201);
    assert_true(json_array_size(json_object_get(j, "tasks")) >= 2);
    json_decref(j);
    /* an agent of A does not see the tasks of B's enterprise */
    login(f, "agent_a");
    snprintf(url, sizeof url, "/api/v1/pipeline/tasks/%lld", (long long)task);
    expect(t, "PATCH", url, "{\"status\":\"open\"}", 404);
    /* a closed batch takes no new entries */
    login(f, "admin");
    snprintf(url, sizeof url, "/api/v1/pipeline/batches/%lld",
             (long long)batch);
    j = call(t, "PATCH", url, "{\"closed\":true,\"reason\":\"本批结束\"}", 200);
    assert_true(json_is_true(json_object_get(j, "closed")));
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/pipeline/batches/%lld/entries",
             (long long)batch);
    snprintf(body, sizeof body, "{\"enterprise_id\":%lld,\"reason\":\"x\"}",
             (long long)f->good);
    expect(t, "POST", url, body, 409);
}

/* A review step bound to a unit: only that unit's role may act; a 领导
 * (read-only) acts on nothing. */
static void test_chain_units(void **state)
{
    Fx *f = *state;
    ApiTest *t = f->t;
    char url[160], body[512];
    int64_t batch, entry;
    json_t *j;

    apitest_add_user(t, "leader1", "Ldr-2468-kc", ROLE_LEADER, t->root_id);
    snprintf(body, sizeof body,
             "{\"tier\":\"sme\",\"year\":2026,\"review_chain\":[{\"role\":"
             "\"agent\",\"unit_id\":%lld,\"label\":\"街道初审\"},{\"role\":"
             "\"staff\"}]}",
             (long long)f->street_a);
    j = call(t, "POST", "/api/v1/pipeline/batches", body, 201);
    batch = num(j, "id");
    assert_string_equal(
        str(json_array_get(json_object_get(j, "review_chain"), 1), "label"),
        "科技局业务");
    json_decref(j);
    snprintf(body, sizeof body,
             "{\"tier\":\"sme\",\"year\":2026,\"name\":\"x\","
             "\"review_chain\":[{\"role\":\"agent\",\"unit_id\":99999}]}");
    expect(t, "POST", "/api/v1/pipeline/batches", body, 400);
    snprintf(url, sizeof url, "/api/v1/pipeline/batches/%lld/entries",
             (long long)batch);
    snprintf(body, sizeof body, "{\"enterprise_id\":%lld,\"reason\":\"x\"}",
             (long long)f->weak);
    entry = id_of(call(t, "POST", url, body, 201));
    login(f, "agent_b");
    act_stage(f, entry, "{\"action\":\"recommend\",\"comment\":\"推荐\"}",
              "recommended");
    /* step 1 belongs to the agents of street A, not B */
    j = act(f, entry, "{\"action\":\"approve\"}", 403);
    assert_non_null(
        strstr(str(json_object_get(j, "error"), "message"), "街道初审"));
    json_decref(j);
    /* a 领导 reads but does not act */
    assert_int_equal(apitest_login(t, "leader1", "Ldr-2468-kc"), 200);
    json_decref(act(f, entry, "{\"action\":\"approve\"}", 403));
    snprintf(url, sizeof url, "/api/v1/pipeline/entries/%lld",
             (long long)entry);
    expect(t, "GET", url, NULL, 200);
    login(f, "admin");
    j = act(f, entry, "{\"action\":\"approve\"}", 200);
    assert_int_equal(num(j, "review_step"), 1);
    json_decref(j);
}

/* The demo fills a batch per tier with enterprises at every stage and a
 * year of service logs. */
static void test_demo(void **state)
{
    Fx *f = *state;
    ApiTest *t = f->t;
    char url[160];
    DemoOptions o;
    DemoReport rep;
    Actor sys;
    json_t *j, *it;
    int64_t batch;
    size_t i;
    Err e;

    /* the demo writes into an empty library only: a fresh harness */
    apitest_free(f->t);
    f->t = t = apitest_new();
    actor_init_system(&sys);
    memset(&o, 0, sizeof o);
    o.enterprises = 60;
    o.seed = 7;
    o.last_year = 2025;
    if (demo_generate(t->db, &sys, &o, NULL, NULL, &rep, &e) != 0) {
        fail_msg("demo_generate: %s", e.msg);
    }
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    j = call(t, "GET", "/api/v1/pipeline/batches?year=2026", NULL, 200);
    assert_int_equal(num(j, "total"), 5);
    batch = num(json_array_get(json_object_get(j, "items"), 0), "id");
    json_decref(j);
    snprintf(url, sizeof url, "/api/v1/pipeline/batches/%lld/board",
             (long long)batch);
    j = call(t, "GET", url, NULL, 200);
    json_array_foreach(json_object_get(j, "columns"), i, it)
    {
        if (strcmp(str(it, "key"), "withdrawn") != 0) {
            assert_true(num(it, "total") > 0);
        }
    }
    json_decref(j);
    j = call(t, "GET", "/api/v1/pipeline/funnel?year=2026", NULL, 200);
    it = json_object_get(j, "total");
    assert_int_equal(num(it, "selected"), 60);
    assert_int_equal(num(it, "certified"), 10);
    assert_int_equal(num(it, "not_certified"), 5);
    json_decref(j);
    j = call(t, "GET", "/api/v1/pipeline/tasks?status=open", NULL, 200);
    assert_true(num(j, "total") > 0);
    json_decref(j);
    j = call(t, "GET", "/api/v1/service/stats?year=2026", NULL, 200);
    assert_int_equal(num(j, "trainings"), 4);
    assert_int_equal(num(j, "with_min_attendance"), 3);
    json_decref(j);
    j = call(t, "GET", "/api/v1/service/asks?status=open", NULL, 200);
    assert_true(num(j, "total") > 0);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks_and_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
