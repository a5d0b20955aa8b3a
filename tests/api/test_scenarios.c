/* test_scenarios.c - the sandbox's form and saved scenarios through the
 * real dispatcher: the numbers of a draft with their labels, an edit
 * written back into the text (and code smuggled through the form
 * refused); scenarios saved, listed and exported, run, compared (who
 * gains, who loses, counts per unit) and deleted, each write audited; a
 * street agent sees and touches only its own unit's scenarios; the 领导
 * role reads only. Run from the source root (tests/data/rules/...). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/uscc.h"
#include "common/apitest.h"
#include "domain/eligibility/ruleset.h"
#include "domain/jobs/job.h"

#define DIR_OK "tests/data/rules/dir-ok"
#define AS_OF "2024-06-30"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t ent[6];
    char *current; /* staff-test: >= 100 employees */
    int64_t sc_a, sc_b;
} Fx;

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf = calloc(1, 1 << 20);
    size_t n;

    assert_non_null(fp);
    assert_non_null(buf);
    n = fread(buf, 1, (1 << 20) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int64_t add_ent(Fx *f, int n, const char *name, int64_t unit,
                       int employees)
{
    char code[USCC_LEN + 1];
    char body[512];
    char url[96];
    ApiResp r;
    int64_t id;

    apitest_uscc_series("MB", n, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"%s\", \"unit_id\": %lld}", code,
             name, (long long)unit);
    apitest_request(f->t, "POST", "/api/v1/enterprises", body, NULL, &r);
    if (r.status != 201) {
        fail_msg("POST enterprise: %d %s", r.status, r.body);
    }
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    if (employees >= 0) {
        snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2023",
                 (long long)id);
        snprintf(body, sizeof body, "{\"employees\": %d}", employees);
        assert_int_equal(apitest_status(f->t, "PUT", url, body), 200);
    }
    return id;
}

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    Err e;

    assert_non_null(f);
    log_set_level(LOG_ERROR);
    err_clear(&e);
    assert_int_equal(ruleset_load_dir(DIR_OK, NULL, &e), 0);
    f->t = apitest_new();
    f->street_a =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    f->street_b =
        apitest_add_unit(f->t, f->t->root_id, "大直沽街道", "subdistrict");
    apitest_add_user(f->t, "agent_a", "Agent12345", ROLE_AGENT, f->street_a);
    apitest_add_user(f->t, "leader", "Lead-2468-kc", ROLE_LEADER,
                     f->t->root_id);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    f->ent[0] = add_ent(f, 1, "甲一科技有限公司", f->street_a, 50);
    f->ent[1] = add_ent(f, 2, "甲二科技有限公司", f->street_a, 150);
    f->ent[2] = add_ent(f, 3, "甲三科技有限公司", f->street_a, 250);
    f->ent[3] = add_ent(f, 4, "乙一科技有限公司", f->street_b, 100);
    f->ent[4] = add_ent(f, 5, "乙二科技有限公司", f->street_b, 199);
    f->ent[5] = add_ent(f, 6, "乙三科技有限公司", f->street_b, -1);
    f->current = slurp(DIR_OK "/staff-test.kcr");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;

    job_wait_all(1);
    apitest_free(f->t);
    free(f->current);
    free(f);
    return 0;
}

/* POST path with a JSON object (stolen) as body into r. */
static void post(Fx *f, const char *path, json_t *o, ApiResp *r)
{
    char *body = json_dumps(o, 0);
    apitest_request(f->t, "POST", path, body, NULL, r);
    free(body);
    json_decref(o);
}

/* The index of the parameter of `item` of kind `kind` in a params reply. */
static json_t *param_of(json_t *reply, const char *item, const char *kind)
{
    size_t i;
    json_t *p;

    json_array_foreach(json_object_get(reply, "params"), i, p)
    {
        if (strcmp(apitest_jstr(p, "item"), item) == 0 &&
            strcmp(apitest_jstr(p, "kind"), kind) == 0) {
            return p;
        }
    }
    fail_msg("no parameter %s/%s", item, kind);
    return NULL;
}

/* The staff-test text with its threshold set to `n` through the form. */
static char *with_threshold(Fx *f, const char *n)
{
    ApiResp r;
    json_t *p;
    int64_t idx;
    char *out;

    post(f, "/api/v1/rulesets/params", json_pack("{ss}", "source", f->current),
         &r);
    assert_int_equal(r.status, 200);
    p = param_of(r.json, "big", "threshold");
    idx = apitest_jint(p, "index");
    apiresp_release(&r);
    post(f, "/api/v1/rulesets/params/apply",
         json_pack("{sss[{sIss}]}", "source", f->current, "values", "index",
                   (json_int_t)idx, "text", n),
         &r);
    if (r.status != 200) {
        fail_msg("apply: %d %s", r.status, r.body);
    }
    out = strdup(apitest_jstr(r.json, "source"));
    apiresp_release(&r);
    return out;
}

static void test_form_parameters(void **state)
{
    Fx *f = *state;
    json_t *p;
    ApiResp r;
    ApiResp r2;
    int64_t idx;

    post(f, "/api/v1/rulesets/params", json_pack("{ss}", "source", f->current),
         &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    assert_string_equal(apitest_jstr(r.json, "id"), "staff-test");
    p = param_of(r.json, "big", "threshold");
    assert_string_equal(apitest_jstr(p, "text"), "100");
    assert_string_equal(apitest_jstr(p, "label"), "上年职工不少于100人");
    assert_string_equal(apitest_jstr(p, "kind_name"), "条件中的数值");
    assert_int_equal(apitest_jint(p, "line"), 13);
    assert_non_null(strstr(apitest_jstr(p, "context"), "employees[y] >= 100"));
    /* `let y = year - 1` has no label: not a form field */
    assert_int_equal(apitest_jint(r.json, "count"), 1);
    idx = apitest_jint(p, "index");

    /* an edit is written into the text, which is parsed again */
    post(f, "/api/v1/rulesets/params/apply",
         json_pack("{sss[{sIss}]}", "source", f->current, "values", "index",
                   (json_int_t)idx, "text", "200"),
         &r2);
    assert_int_equal(r2.status, 200);
    assert_non_null(
        strstr(apitest_jstr(r2.json, "source"), "employees[y] >= 200"));
    assert_null(strstr(apitest_jstr(r2.json, "source"), "employees[y] >= 100"));
    assert_string_equal(
        apitest_jstr(param_of(r2.json, "big", "threshold"), "text"), "200");
    apiresp_release(&r2);

    /* code through the form is refused, naming the field's label */
    post(f, "/api/v1/rulesets/params/apply",
         json_pack("{sss[{sIss}]}", "source", f->current, "values", "index",
                   (json_int_t)idx, "text", "1 or true"),
         &r2);
    assert_int_equal(r2.status, 400);
    assert_string_equal(
        apitest_jstr(json_object_get(r2.json, "error"), "field"), "values[0]");
    assert_non_null(strstr(r2.body, "上年职工不少于100人"));
    apiresp_release(&r2);
    /* a unit the condition cannot take: the re-parse names the line */
    post(f, "/api/v1/rulesets/params/apply",
         json_pack("{sss[{sIss}]}", "source", f->current, "values", "index",
                   (json_int_t)idx, "text", "2020-01-01"),
         &r2);
    assert_int_equal(r2.status, 400);
    assert_non_null(strstr(r2.body, "草稿:13:"));
    apiresp_release(&r2);
    /* a draft with a syntax error lists its error instead of fields */
    post(f, "/api/v1/rulesets/params",
         json_pack("{ss}", "source", "ruleset x \"x\"\ncheck a \"a\" = >= 1\n"),
         &r2);
    assert_int_equal(r2.status, 200);
    assert_true(json_is_false(json_object_get(r2.json, "ok")));
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r2.json, "errors"), 0),
                     "line"),
        2);
    apiresp_release(&r2);
    apiresp_release(&r);
}

/* Save a scenario; returns its id (asserting 201). */
static int64_t save(Fx *f, const char *name, const char *src)
{
    ApiResp r;
    int64_t id;

    post(f, "/api/v1/sandbox/scenarios",
         json_pack("{ssssssss}", "name", name, "source", src, "as_of", AS_OF,
                   "note", "测试"),
         &r);
    if (r.status != 201) {
        fail_msg("save %s: %d %s", name, r.status, r.body);
    }
    assert_string_equal(apitest_jstr(r.json, "name"), name);
    assert_string_equal(apitest_jstr(r.json, "ruleset"), "staff-test");
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    return id;
}

static void run(Fx *f, int64_t id)
{
    char url[96];
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/%lld/run",
             (long long)id);
    apitest_request(f->t, "POST", url, "{}", NULL, &r);
    if (r.status != 202) {
        fail_msg("run: %d %s", r.status, r.body);
    }
    assert_string_equal(apitest_jstr(r.json, "kind"), "sandbox");
    apiresp_release(&r);
    job_wait_all(0);
}

static int64_t audit_count(Fx *f, const char *action, int64_t id)
{
    int64_t n = 0;
    Err e;

    err_clear(&e);
    assert_int_equal(db_query_int64(f->t->db, &n, &e,
                                    "SELECT COUNT(*) FROM audit_log WHERE "
                                    "action = $1 AND object_type = "
                                    "'scenario' AND object_id = $2",
                                    "ti", action, id),
                     0);
    return n;
}

static json_t *unit_of(json_t *units, int64_t unit_id)
{
    size_t i;
    json_t *u;

    json_array_foreach(units, i, u)
    {
        if (apitest_jint(u, "unit_id") == unit_id) {
            return u;
        }
    }
    fail_msg("no unit %lld", (long long)unit_id);
    return NULL;
}

static void test_save_run_compare_delete(void **state)
{
    Fx *f = *state;
    char *t200 = with_threshold(f, "200");
    char *t150 = with_threshold(f, "150");
    char url[160];
    json_t *items;
    json_t *u;
    ApiResp r;

    f->sc_a = save(f, "门槛提高到200人", t200);
    f->sc_b = save(f, "门槛提高到150人", t150);
    assert_int_equal(audit_count(f, "scenario.create", f->sc_a), 1);
    /* one name per unit; a name and a draft are required */
    post(f, "/api/v1/sandbox/scenarios",
         json_pack("{ssss}", "name", "门槛提高到200人", "source", t200), &r);
    assert_int_equal(r.status, 409);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "name");
    apiresp_release(&r);
    post(f, "/api/v1/sandbox/scenarios",
         json_pack("{ssss}", "name", "", "source", t200), &r);
    assert_int_equal(r.status, 400);
    apiresp_release(&r);
    post(f, "/api/v1/sandbox/scenarios",
         json_pack("{ssss}", "name", "坏草稿", "source", "ruleset x"), &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "source");
    apiresp_release(&r);
    post(f, "/api/v1/sandbox/scenarios",
         json_pack("{ssssss}", "name", "坏日期", "source", t200, "as_of",
                   "2024-02-30"),
         &r);
    assert_int_equal(r.status, 400);
    apiresp_release(&r);

    /* listed newest first, without the text; the text on its own page */
    apitest_request(f->t, "GET", "/api/v1/sandbox/scenarios", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    items = json_object_get(r.json, "items");
    assert_int_equal(apitest_jint(json_array_get(items, 0), "id"), f->sc_b);
    assert_null(json_object_get(json_array_get(items, 0), "source"));
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "unit_name"),
                        "测试区");
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/%lld",
             (long long)f->sc_a);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "source"), t200);
    apiresp_release(&r);
    apitest_request(f->t, "GET", "/api/v1/sandbox/scenarios?format=csv", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "方案名称"));
    assert_non_null(strstr(r.body, "门槛提高到150人"));
    apiresp_release(&r);

    /* no comparison before both have run */
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/compare?a=%lld&b=%lld",
             (long long)f->sc_a, (long long)f->sc_b);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 409);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "a");
    apiresp_release(&r);

    run(f, f->sc_a);
    run(f, f->sc_b);
    assert_int_equal(audit_count(f, "scenario.run", f->sc_a), 1);

    /* current: >= 100; A: >= 200 (150, 100, 199 drop); B: >= 150 (100
     * drops). From A to B, 150 and 199 gain. */
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    if (r.status != 200) {
        fail_msg("compare: %d %s", r.status, r.body);
    }
    assert_int_equal(apitest_jint(json_object_get(r.json, "totals"), "a_loss"),
                     3);
    assert_int_equal(apitest_jint(json_object_get(r.json, "totals"), "b_loss"),
                     1);
    assert_int_equal(apitest_jint(json_object_get(r.json, "totals"), "gain"),
                     2);
    assert_int_equal(apitest_jint(json_object_get(r.json, "totals"), "loss"),
                     0);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    assert_int_equal(json_array_size(json_object_get(r.json, "warnings")), 0);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "a"), "name"),
                        "门槛提高到200人");
    items = json_object_get(r.json, "items");
    assert_int_equal(apitest_jint(json_array_get(items, 0), "enterprise_id"),
                     f->ent[1]);
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "verdict_a"),
                        "未达标");
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "verdict_b"),
                        "达标");
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "change"),
                        "gain");
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "change_name"),
                        "新达标");
    assert_int_equal(apitest_jint(json_array_get(items, 1), "enterprise_id"),
                     f->ent[4]);
    u = unit_of(json_object_get(r.json, "units"), f->street_a);
    assert_int_equal(apitest_jint(u, "a_loss"), 1);
    assert_int_equal(apitest_jint(u, "b_loss"), 0);
    assert_int_equal(apitest_jint(u, "gain"), 1);
    u = unit_of(json_object_get(r.json, "units"), f->street_b);
    assert_int_equal(apitest_jint(u, "a_loss"), 2);
    assert_int_equal(apitest_jint(u, "b_loss"), 1);
    assert_int_equal(apitest_jint(u, "gain"), 1);
    apiresp_release(&r);
    /* the other way round: losses */
    snprintf(url, sizeof url,
             "/api/v1/sandbox/scenarios/compare?a=%lld&b=%lld&page_size=1",
             (long long)f->sc_b, (long long)f->sc_a);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(json_object_get(r.json, "totals"), "loss"),
                     2);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "change_name"),
        "不再达标");
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    apiresp_release(&r);
    assert_int_equal(apitest_status(f->t, "GET",
                                    "/api/v1/sandbox/scenarios/compare?a=1",
                                    NULL),
                     400);

    /* a change of the text drops the newest run: no comparison until it
     * runs again; a name taken in the unit is refused; audited with
     * before and after */
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/%lld",
             (long long)f->sc_b);
    {
        json_t *o = json_pack("{ss}", "source", t200);
        char *body = json_dumps(o, 0);
        apitest_request(f->t, "PATCH", url, body, NULL, &r);
        free(body);
        json_decref(o);
    }
    assert_int_equal(r.status, 200);
    assert_true(json_is_null(json_object_get(r.json, "last_job_id")));
    assert_string_equal(apitest_jstr(r.json, "name"), "门槛提高到150人");
    apiresp_release(&r);
    assert_int_equal(audit_count(f, "scenario.update", f->sc_b), 1);
    assert_int_equal(
        apitest_status(f->t, "PATCH", url, "{\"name\": \"门槛提高到200人\"}"),
        409);
    assert_int_equal(apitest_status(f->t, "PATCH", url, "{\"name\": \"\"}"),
                     400);
    assert_int_equal(
        apitest_status(f->t, "PATCH", url, "{\"source\": \"ruleset x\"}"), 400);
    assert_int_equal(apitest_status(f->t, "PATCH", url,
                                    "{\"name\": \"门槛方案B\", \"note\": "
                                    "\"改名\"}"),
                     200);
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/compare?a=%lld&b=%lld",
             (long long)f->sc_a, (long long)f->sc_b);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 409);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "b");
    apiresp_release(&r);
    /* run again: A and B are now the same draft, nothing differs */
    run(f, f->sc_b);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    assert_int_equal(apitest_jint(json_object_get(r.json, "totals"), "b_loss"),
                     3);
    apiresp_release(&r);

    /* a third scenario, deleted: gone, audited */
    {
        int64_t id = save(f, "临时方案", t150);
        snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/%lld",
                 (long long)id);
        assert_int_equal(apitest_status(f->t, "DELETE", url, NULL), 204);
        assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
        assert_int_equal(apitest_status(f->t, "DELETE", url, NULL), 404);
        assert_int_equal(audit_count(f, "scenario.delete", id), 1);
    }
    free(t200);
    free(t150);
}

static void test_scope(void **state)
{
    Fx *f = *state;
    char *t200 = with_threshold(f, "200");
    char url[160];
    int64_t mine;
    ApiResp r;

    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    /* the district's scenarios are not the street's */
    apitest_request(f->t, "GET", "/api/v1/sandbox/scenarios", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/%lld",
             (long long)f->sc_a);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    assert_int_equal(apitest_status(f->t, "DELETE", url, NULL), 404);
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/%lld/run",
             (long long)f->sc_a);
    assert_int_equal(apitest_status(f->t, "POST", url, "{}"), 404);
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/compare?a=%lld&b=%lld",
             (long long)f->sc_a, (long long)f->sc_b);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);

    /* its own scenario runs over its unit only */
    mine = save(f, "街道方案", t200);
    run(f, mine);
    apitest_request(f->t, "GET", "/api/v1/sandbox/scenarios", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "unit_name"),
        "大王庄街道");
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "last_run_status"),
        "done");
    assert_string_equal(
        apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                     "last_run_status_name"),
        "已完成");
    apiresp_release(&r);

    /* the 领导 reads, cannot save or run */
    assert_int_equal(apitest_login(f->t, "leader", "Lead-2468-kc"), 200);
    apitest_request(f->t, "GET", "/api/v1/sandbox/scenarios", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"),
                     3); /* the district's and the street's */
    apiresp_release(&r);
    post(f, "/api/v1/sandbox/scenarios",
         json_pack("{ssss}", "name", "领导方案", "source", t200), &r);
    assert_int_equal(r.status, 403);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/%lld/run",
             (long long)mine);
    assert_int_equal(apitest_status(f->t, "POST", url, "{}"), 403);

    /* the admin sees the street's scenario and may compare it */
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/%lld",
             (long long)mine);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 200);
    /* the district's run of the street's scenario is audited in the
     * street's unit (its agent sees the entry) */
    run(f, mine);
    {
        char *audit_path = NULL;
        char *unit_path = NULL;
        Err e;
        err_clear(&e);
        assert_int_equal(db_query_text(f->t->db, &audit_path, &e,
                                       "SELECT unit_path FROM audit_log WHERE "
                                       "action = 'scenario.run' AND "
                                       "object_id = $1 ORDER BY id DESC "
                                       "LIMIT 1",
                                       "i", mine),
                         0);
        assert_int_equal(db_query_text(f->t->db, &unit_path, &e,
                                       "SELECT path FROM org_units WHERE id = "
                                       "$1",
                                       "i", f->street_a),
                         0);
        assert_string_equal(audit_path, unit_path);
        free(audit_path);
        free(unit_path);
    }
    free(t200);
}

/* The state of a scenario's last run is named by the job table: for every
 * status its job can be in, the scenario reads the same name as the job
 * itself (GET /jobs/{id}) and job_status_name ("running" is 进行中 on
 * both, not a name of the scenarios' own). */
static void test_run_status_named_by_job_table(void **state)
{
    static const char *const statuses[] = {"queued", "running", "failed",
                                           "cancelled", "done"};
    Fx *f = *state;
    char *src = with_threshold(f, "120");
    char url[96], jurl[96];
    int64_t id, job;
    ApiResp r;
    Err e;

    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    id = save(f, "状态名称方案", src);
    run(f, id);
    snprintf(url, sizeof url, "/api/v1/sandbox/scenarios/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    job = apitest_jint(r.json, "last_job_id");
    apiresp_release(&r);
    assert_true(job > 0);
    snprintf(jurl, sizeof jurl, "/api/v1/jobs/%lld", (long long)job);
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        char *job_name;

        err_clear(&e);
        assert_int_equal(db_exec_v(f->t->db, &e,
                                   "UPDATE jobs SET status = $1 WHERE id = $2",
                                   "ti", statuses[i], job),
                         0);
        apitest_request(f->t, "GET", jurl, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        job_name = strdup(apitest_jstr(r.json, "status_name"));
        apiresp_release(&r);
        assert_string_equal(job_name, job_status_name(statuses[i]));
        apitest_request(f->t, "GET", url, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(apitest_jstr(r.json, "last_run_status"),
                            statuses[i]);
        assert_string_equal(apitest_jstr(r.json, "last_run_status_name"),
                            job_name);
        apiresp_release(&r);
        free(job_name);
    }
    assert_string_equal(job_status_name("running"), "进行中");
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_parameters),
        cmocka_unit_test(test_save_run_compare_delete),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_run_status_named_by_job_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
