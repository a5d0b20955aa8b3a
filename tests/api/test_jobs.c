/* test_jobs.c - /api/v1/jobs through the real dispatcher: scope (a job
 * of the district is invisible to a 街道 user), progress reading, cancel
 * of a queued job (audited) and the refusal to cancel it twice. */
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
#include "domain/accounts/actor.h"
#include "domain/jobs/job.h"

static int setup(void **state)
{
    *state = apitest_new();
    return 0;
}

static int teardown(void **state)
{
    apitest_free(*state);
    return 0;
}

/* A queued job created by the system (scope: the whole district). */
static int64_t district_job(ApiTest *t)
{
    Actor a;
    int64_t id = 0;
    Err e;

    actor_init_system(&a);
    assert_int_equal(job_create(t->db, &a, "screening", NULL, &id, &e), 0);
    return id;
}

static void test_scope_and_cancel(void **state)
{
    ApiTest *t = *state;
    int64_t street =
        apitest_add_unit(t, t->root_id, "大王庄街道", "subdistrict");
    int64_t id = district_job(t);
    char url[96];
    ApiResp r;
    int64_t n = 0;
    Err e;

    apitest_add_user(t, "agent1", "Agt-2468-kc", ROLE_AGENT, street);
    snprintf(url, sizeof url, "/api/v1/jobs/%lld", (long long)id);

    assert_int_equal(apitest_login(t, "agent1", "Agt-2468-kc"), 200);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 404);
    apitest_request(t, "GET", "/api/v1/jobs", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    apiresp_release(&r);

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")),
                        "queued");
    assert_string_equal(
        json_string_value(json_object_get(r.json, "status_name")), "排队中");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r.json, "progress"), "done")),
                     0);
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/jobs?kind=screening", NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/jobs?kind=x%27", NULL),
                     400);

    snprintf(url, sizeof url, "/api/v1/jobs/%lld/cancel", (long long)id);
    apitest_request(t, "POST", url, "{}", NULL, &r);
    assert_int_equal(r.status, 202);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")),
                        "cancelled");
    apiresp_release(&r);
    /* the list names it as well (the screening page's last run) */
    apitest_request(t, "GET", "/api/v1/jobs?kind=screening", NULL, NULL, &r);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "items"), 0),
                            "status_name")),
                        "已取消");
    apiresp_release(&r);
    apitest_request(t, "POST", url, "{}", NULL, &r);
    assert_int_equal(r.status, 409);
    apiresp_release(&r);
    assert_int_equal(db_query_int64(t->db, &n, &e,
                                    "SELECT COUNT(*) FROM audit_log WHERE "
                                    "action = 'job.cancel' AND object_id = $1",
                                    "i", id),
                     0);
    assert_int_equal(n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scope_and_cancel, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
