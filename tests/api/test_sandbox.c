/* test_sandbox.c - the policy sandbox through the real dispatcher: a draft
 * of staff-test with the threshold raised from 100 to 200 employees
 * changes exactly the enterprises with 100..199 employees from 达标 to
 * 未达标; counts by unit; the change list with its filters and exports; an
 * agent's run covers its own unit only and the admin's run is hidden from
 * it; drafts with errors are refused with line:col; stored decisions are
 * untouched. Run from the source root (tests/data/rules/...). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "base/uscc.h"
#include "common/apitest.h"
#include "domain/eligibility/elig_screen.h"
#include "domain/eligibility/ruleset.h"
#include "domain/jobs/job.h"

#define DIR_OK "tests/data/rules/dir-ok"
#define AS_OF "2024-06-30"

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t ent[6];
    char *draft; /* tests/data/rules/staff-test-200.kcr */
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

/* An enterprise in unit with `employees` in 2023 (-1: no figures). */
static int64_t add_ent(Fx *f, int n, const char *name, int64_t unit,
                       int employees)
{
    char code[USCC_LEN + 1];
    char body[512];
    char url[96];
    ApiResp r;
    int64_t id;

    apitest_uscc(n, code);
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
    f->draft = slurp("tests/data/rules/staff-test-200.kcr");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;

    job_wait_all(1);
    apitest_free(f->t);
    free(f->draft);
    free(f);
    return 0;
}

/* POST /sandbox with text and as_of; returns the job id (asserting 202)
 * after the job finished. */
static int64_t run_sandbox(Fx *f, const char *text)
{
    json_t *o = json_pack("{ssss}", "source", text, "as_of", AS_OF);
    char *body = json_dumps(o, 0);
    ApiResp r;
    int64_t id;

    apitest_request(f->t, "POST", "/api/v1/sandbox", body, NULL, &r);
    if (r.status != 202) {
        fail_msg("POST /sandbox: %d %s", r.status, r.body);
    }
    assert_string_equal(apitest_jstr(r.json, "kind"), "sandbox");
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    free(body);
    json_decref(o);
    job_wait_all(0);
    return id;
}

/* GET /sandbox/{id}; *out gets the job (caller decrefs). */
static void get_job(Fx *f, int64_t id, json_t **out)
{
    char url[64];
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/sandbox/%lld", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    if (r.status != 200) {
        fail_msg("GET %s: %d %s", url, r.status, r.body);
    }
    *out = json_incref(r.json);
    apiresp_release(&r);
}

/* The unit entry of a result. */
static json_t *unit_of(json_t *result, int64_t unit_id)
{
    size_t i;
    json_t *u;

    json_array_foreach(json_object_get(result, "units"), i, u)
    {
        if (apitest_jint(u, "unit_id") == unit_id) {
            return u;
        }
    }
    return NULL;
}

/* Snapshot of the stored decisions (every column, every run). */
static char *decisions_snapshot(Fx *f)
{
    DbStmt *st = NULL;
    Buf b;
    Err e;

    err_clear(&e);
    buf_init(&b, 0);
    assert_int_equal(
        db_prepare(f->t->db,
                   "SELECT s.ruleset || '|' || s.token || '|' || s.n || '|' "
                   "|| c.col || '|' || hex(c.data) FROM decision_sets s JOIN "
                   "decision_cols c ON c.ruleset = s.ruleset UNION ALL "
                   "SELECT id || '|' || ruleset || '|' || rs_id || '|' || "
                   "as_of || '|' || evaluated_at FROM decision_runs "
                   "ORDER BY 1",
                   &st, &e),
        0);
    while (db_step(st, &e) == DB_ROW) {
        buf_appendf(&b, "%s\n", db_col_text(st, 0));
    }
    db_finalize(st);
    return buf_detach(&b, NULL);
}

static void test_raised_threshold(void **state)
{
    Fx *f = *state;
    static const char *const ids[] = {"staff-test"};
    json_t *job;
    json_t *params;
    json_t *res;
    json_t *tr;
    json_t *u;
    char *before;
    char *after;
    Date as_of;
    Actor sys;
    int64_t id;
    int64_t n_dec = 0;
    Err e;

    /* stored decisions of the rule set in force */
    err_clear(&e);
    actor_init_system(&sys);
    assert_int_equal(date_parse(AS_OF, &as_of, "as_of", &e), 0);
    assert_int_equal(
        elig_screen(f->t->db, &sys, ids, 1, as_of, NULL, NULL, NULL, NULL, &e),
        0);
    assert_int_equal(db_query_int64(f->t->db, &n_dec, &e,
                                    "SELECT n FROM decision_sets WHERE "
                                    "ruleset = 'staff-test'",
                                    ""),
                     0);
    assert_int_equal(n_dec, 6);
    before = decisions_snapshot(f);

    id = run_sandbox(f, f->draft);
    get_job(f, id, &job);
    assert_string_equal(apitest_jstr(job, "status"), "done");
    /* the run's parameters are kept with the job */
    params = json_object_get(job, "params");
    assert_true(json_is_object(params));
    assert_string_equal(apitest_jstr(params, "ruleset"), "staff-test");
    assert_string_equal(apitest_jstr(params, "as_of"), AS_OF);
    assert_int_equal(strlen(apitest_jstr(params, "current_hash")), 64);
    res = json_object_get(job, "result");
    assert_string_equal(apitest_jstr(res, "ruleset"), "staff-test");
    assert_string_equal(apitest_jstr(res, "against"), "staff-test");
    assert_string_equal(apitest_jstr(res, "as_of"), AS_OF);
    assert_int_equal(apitest_jint(res, "evaluated"), 6);
    assert_int_equal(apitest_jint(res, "changed"), 3);
    assert_int_equal(apitest_jint(res, "score_changed"), 0);
    tr = json_object_get(res, "transitions");
    assert_int_equal(json_array_size(tr), 1);
    assert_string_equal(apitest_jstr(json_array_get(tr, 0), "from"), "达标");
    assert_string_equal(apitest_jstr(json_array_get(tr, 0), "to"), "未达标");
    assert_int_equal(apitest_jint(json_array_get(tr, 0), "count"), 3);

    u = unit_of(res, f->street_a);
    assert_non_null(u);
    assert_string_equal(apitest_jstr(u, "unit_name"), "大王庄街道");
    assert_int_equal(apitest_jint(u, "evaluated"), 3);
    assert_int_equal(apitest_jint(u, "changed"), 1);
    u = unit_of(res, f->street_b);
    assert_non_null(u);
    assert_int_equal(apitest_jint(u, "evaluated"), 3);
    assert_int_equal(apitest_jint(u, "changed"), 2);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(u, "transitions"), 0),
                     "count"),
        2);
    json_decref(job);

    /* stored decisions are exactly as they were */
    after = decisions_snapshot(f);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

/* The id of the newest sandbox run visible to the logged-in user. */
static int64_t last_run(Fx *f)
{
    ApiResp r;
    int64_t id;

    apitest_request(f->t, "GET", "/api/v1/jobs?kind=sandbox", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    id =
        apitest_jint(json_array_get(json_object_get(r.json, "items"), 0), "id");
    apiresp_release(&r);
    return id;
}

static void test_changes_and_export(void **state)
{
    Fx *f = *state;
    int64_t id = last_run(f);
    char url[256];
    json_t *items;
    json_t *it;
    ApiResp r;
    int lines = 0;
    const char *p;

    snprintf(url, sizeof url, "/api/v1/sandbox/%lld/changes", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 3);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 3);
    it = json_array_get(items, 0);
    assert_int_equal(apitest_jint(it, "enterprise_id"), f->ent[1]);
    assert_string_equal(apitest_jstr(it, "name"), "甲二科技有限公司");
    assert_string_equal(apitest_jstr(it, "unit_name"), "大王庄街道");
    assert_int_equal(strlen(apitest_jstr(it, "uscc")), 18);
    assert_string_equal(apitest_jstr(it, "verdict_before_name"), "达标");
    assert_string_equal(apitest_jstr(it, "verdict_after_name"), "未达标");
    assert_string_equal(apitest_jstr(it, "transition"), "达标→未达标");
    assert_true(json_is_true(json_object_get(it, "verdict_changed")));
    assert_int_equal(apitest_jint(json_array_get(items, 1), "enterprise_id"),
                     f->ent[3]);
    assert_int_equal(apitest_jint(json_array_get(items, 2), "enterprise_id"),
                     f->ent[4]);
    apiresp_release(&r);

    snprintf(url, sizeof url, "/api/v1/sandbox/%lld/changes?unit_id=%lld",
             (long long)id, (long long)f->street_b);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
    snprintf(url, sizeof url,
             "/api/v1/sandbox/%lld/changes?transition=%%E8%%BE%%BE%%E6%%A0%%87"
             "%%E2%%86%%92%%E6%%9C%%AA%%E8%%BE%%BE%%E6%%A0%%87",
             (long long)id); /* 达标→未达标 */
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 3);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/sandbox/%lld/changes?transition=2-1",
             (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 0);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/sandbox/%lld/changes?transition=好-坏",
             (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "transition"));
    apiresp_release(&r);

    /* CSV: header + 3 rows, with names and the transition */
    snprintf(url, sizeof url, "/api/v1/sandbox/%lld/changes?format=csv",
             (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(apiresp_header(&r, "Content-Type"), "text/csv"));
    assert_non_null(strstr(r.body, "企业名称"));
    assert_non_null(strstr(r.body, "乙二科技有限公司"));
    assert_non_null(strstr(r.body, "达标→未达标"));
    assert_null(strstr(r.body, "甲一科技有限公司"));
    for (p = r.body; (p = strchr(p, '\n')) != NULL; p++) {
        lines++;
    }
    assert_int_equal(lines, 4);
    apiresp_release(&r);

    snprintf(url, sizeof url,
             "/api/v1/sandbox/%lld/changes?format=xlsx&unit_id=%lld",
             (long long)id, (long long)f->street_a);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 100);
    assert_memory_equal(r.body, "PK", 2);
    apiresp_release(&r);
}

static void test_agent_scope(void **state)
{
    Fx *f = *state;
    int64_t admin_run = last_run(f);
    char url[96];
    json_t *job;
    json_t *res;
    int64_t id;
    ApiResp r;

    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    /* the admin's run is not visible */
    snprintf(url, sizeof url, "/api/v1/sandbox/%lld", (long long)admin_run);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);
    snprintf(url, sizeof url, "/api/v1/sandbox/%lld/changes",
             (long long)admin_run);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 404);

    id = run_sandbox(f, f->draft);
    get_job(f, id, &job);
    res = json_object_get(job, "result");
    assert_string_equal(apitest_jstr(job, "status"), "done");
    assert_int_equal(apitest_jint(res, "evaluated"), 3);
    assert_int_equal(apitest_jint(res, "changed"), 1);
    assert_int_equal(json_array_size(json_object_get(res, "units")), 1);
    assert_non_null(unit_of(res, f->street_a));
    json_decref(job);
    snprintf(url, sizeof url, "/api/v1/sandbox/%lld/changes", (long long)id);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    assert_int_equal(
        apitest_jint(json_array_get(json_object_get(r.json, "items"), 0),
                     "enterprise_id"),
        f->ent[1]);
    apiresp_release(&r);

    /* the admin sees the agent's run (its scope contains the agent's) */
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/sandbox/%lld", (long long)id);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 200);
}

static void test_bad_drafts(void **state)
{
    Fx *f = *state;
    char *syntax = slurp("tests/data/rules/syntax.kcr");
    json_t *o;
    char *body;
    ApiResp r;

    o = json_pack("{ss}", "source", syntax);
    body = json_dumps(o, 0);
    apitest_request(f->t, "POST", "/api/v1/sandbox", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "field"),
                        "source");
    assert_non_null(
        strstr(apitest_jstr(json_object_get(r.json, "error"), "message"),
               "草稿:4:36: "));
    apiresp_release(&r);
    free(body);
    json_decref(o);

    /* a draft whose id has no rule set in force */
    o = json_pack("{ss}", "source",
                  "ruleset brand-new \"新\"\nstatus unverified\n"
                  "let y = year - 1\n"
                  "check big \"x\" = employees[y] >= 1\npass = big\n");
    body = json_dumps(o, 0);
    apitest_request(f->t, "POST", "/api/v1/sandbox", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "brand-new"));
    apiresp_release(&r);
    free(body);
    json_decref(o);

    assert_int_equal(apitest_status(f->t, "POST", "/api/v1/sandbox",
                                    "{\"source\": \"x\", \"as_of\": "
                                    "\"2024-13-01\"}"),
                     400);
    assert_int_equal(apitest_status(f->t, "POST", "/api/v1/sandbox", "{}"),
                     400);
    /* 领导 is read-only */
    assert_int_equal(apitest_login(f->t, "leader", "Lead-2468-kc"), 200);
    o = json_pack("{ss}", "source", f->draft);
    body = json_dumps(o, 0);
    assert_int_equal(apitest_status(f->t, "POST", "/api/v1/sandbox", body),
                     403);
    free(body);
    json_decref(o);
    free(syntax);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

/* Only the newest SANDBOX_KEEP_RUNS runs keep their changes. */
static void test_retention(void **state)
{
    Fx *f = *state;
    int64_t first = last_run(f);
    int64_t n_runs = 0;
    char url[96];
    Err e;
    int i;

    for (i = 0; i < 20; i++) {
        run_sandbox(f, f->draft);
    }
    err_clear(&e);
    assert_int_equal(db_query_int64(f->t->db, &n_runs, &e,
                                    "SELECT COUNT(*) FROM sandbox_runs", ""),
                     0);
    assert_int_equal(n_runs, 20);
    snprintf(url, sizeof url, "/api/v1/sandbox/%lld/changes", (long long)first);
    ApiResp r;
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "最近 20 次"));
    apiresp_release(&r);
    /* the job itself (and its counts) stays */
    snprintf(url, sizeof url, "/api/v1/sandbox/%lld", (long long)first);
    assert_int_equal(apitest_status(f->t, "GET", url, NULL), 200);
}

/* Issue 14 item 4: a sandbox run whose instance stopped before it stored
 * its changes is run again by the sweep of another from its sandbox_runs
 * row, to the same result and the same change rows. */
static void test_takeover_reruns(void **state)
{
    Fx *f = *state;
    char past[CLOCK_ISO_LEN];
    int64_t id = run_sandbox(f, f->draft);
    int64_t n1 = -1, n2 = -1;
    int taken = -1;
    char *r1, *r2;
    json_t *job;
    Err e;

    err_clear(&e);
    get_job(f, id, &job);
    assert_string_equal(apitest_jstr(job, "status"), "done");
    r1 = json_dumps(json_object_get(job, "result"), JSON_SORT_KEYS);
    json_decref(job);
    assert_int_equal(db_query_int64(f->t->db, &n1, &e,
                                    "SELECT COUNT(*) FROM sandbox_changes "
                                    "WHERE job_id = $1",
                                    "i", id),
                     0);
    assert_true(n1 > 0);
    /* as if instance other:1:1 had claimed it and stopped before its
     * write transaction committed */
    clock_now_iso(past, -1);
    assert_int_equal(db_exec_v(f->t->db, &e,
                               "DELETE FROM sandbox_changes WHERE job_id = $1",
                               "i", id),
                     0);
    assert_int_equal(db_exec_v(f->t->db, &e,
                               "UPDATE jobs SET status = 'running', result = "
                               "NULL, finished_at = NULL, lease_owner = "
                               "'other:1:1', lease_until = $1 WHERE id = $2",
                               "ti", past, id),
                     0);
    job_set_kinds(api_job_kinds);
    assert_int_equal(job_sweep(f->t->db, &taken, &e), 0);
    job_wait_all(0);
    job_set_kinds(NULL);
    assert_int_equal(taken, 1);
    get_job(f, id, &job);
    assert_string_equal(apitest_jstr(job, "status"), "done");
    assert_int_equal(apitest_jint(json_object_get(job, "params"), "attempt"),
                     2);
    r2 = json_dumps(json_object_get(job, "result"), JSON_SORT_KEYS);
    json_decref(job);
    assert_string_equal(r2, r1);
    assert_int_equal(db_query_int64(f->t->db, &n2, &e,
                                    "SELECT COUNT(*) FROM sandbox_changes "
                                    "WHERE job_id = $1",
                                    "i", id),
                     0);
    assert_int_equal(n2, n1);
    free(r1);
    free(r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raised_threshold),
        cmocka_unit_test(test_changes_and_export),
        cmocka_unit_test(test_agent_scope),
        cmocka_unit_test(test_bad_drafts),
        cmocka_unit_test(test_retention),
        cmocka_unit_test(test_takeover_reruns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
