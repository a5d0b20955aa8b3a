/* test_ent_changes.c - GET /api/v1/enterprises/{id}/changes: the audit
 * entries of one enterprise (record, yearly figures, IP rights), newest
 * first, paged, without the audit-only keys, and limited to the caller's
 * units (404 outside, as every {id} route). */
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

typedef struct Fx {
    ApiTest *t;
    int64_t street_a, street_b;
    int64_t ent_a, ent_b;
} Fx;

/* A request that must answer want (fails with the body otherwise). */
static void expect(Fx *f, const char *method, const char *url, const char *body,
                   int want)
{
    ApiResp r;

    apitest_request(f->t, method, url, body, NULL, &r);
    if (r.status != want) {
        fail_msg("%s %s: %d, expected %d: %s", method, url, r.status, want,
                 r.body);
    }
    apiresp_release(&r);
}

/* Enterprise A (street A) with five audited writes, B (street B) with one;
 * users: an agent of street A and a leader of the district. */
static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    char url[128];
    ApiResp r;
    int64_t ip;

    assert_non_null(f);
    f->t = apitest_new();
    f->street_a =
        apitest_add_unit(f->t, f->t->root_id, "大王庄街道", "subdistrict");
    f->street_b =
        apitest_add_unit(f->t, f->t->root_id, "大直沽街道", "subdistrict");
    apitest_add_user(f->t, "agent_a", "Agent12345", ROLE_AGENT, f->street_a);
    apitest_add_user(f->t, "leader", "Lead-2468-kc", ROLE_LEADER,
                     f->t->root_id);
    assert_int_equal(apitest_login(f->t, "admin", APITEST_ADMIN_PASSWORD), 200);

    f->ent_a = apitest_add_ent(f->t, 1, "天津甲科技有限公司", f->street_a);
    f->ent_b = apitest_add_ent(f->t, 2, "天津乙科技有限公司", f->street_b);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)f->ent_a);
    expect(f, "PATCH", url, "{\"name\": \"天津甲智能科技有限公司\"}", 200);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/years/2025",
             (long long)f->ent_a);
    expect(f, "PUT", url, "{\"employees\": 30, \"sales_revenue\": 5000000}",
           200);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights",
             (long long)f->ent_a);
    apitest_request(
        f->t, "POST", url,
        "{\"kind\": \"invention\", \"number\": \"ZL202510000001.0\", "
        "\"title\": \"一种测试方法\", \"applied_on\": \"2025-01-02\"}",
        NULL, &r);
    if (r.status != 201) {
        fail_msg("POST ip: %d %s", r.status, r.body);
    }
    ip = json_integer_value(json_object_get(r.json, "id"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/ip-rights/%lld",
             (long long)f->ent_a, (long long)ip);
    expect(f, "PATCH", url,
           "{\"retired\": true, \"retire_reason\": \"录入错误\"}", 200);
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

/* GET the changes of ent (with an optional query) into r, asserting 200. */
static void get_changes(Fx *f, int64_t ent, const char *query, ApiResp *r)
{
    char url[160];

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/changes%s",
             (long long)ent, query ? query : "");
    apitest_request(f->t, "GET", url, NULL, NULL, r);
    if (r->status != 200) {
        fail_msg("GET %s: %d %s", url, r->status, r->body);
    }
}

static const char *item_action(const ApiResp *r, size_t i)
{
    json_t *it = json_array_get(json_object_get(r->json, "items"), i);
    const char *s = json_string_value(json_object_get(it, "action"));

    return s ? s : "";
}

static void test_newest_first_only_this_enterprise(void **state)
{
    Fx *f = *state;
    json_t *items, *it, *before, *after;
    ApiResp r;
    size_t i;

    get_changes(f, f->ent_a, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 5);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 5);
    assert_string_equal(item_action(&r, 0), "ip.retire");
    assert_string_equal(item_action(&r, 1), "ip.create");
    assert_string_equal(item_action(&r, 2), "ent_year.upsert");
    assert_string_equal(item_action(&r, 3), "ent.update");
    assert_string_equal(item_action(&r, 4), "ent.create");
    json_array_foreach(items, i, it)
    {
        assert_string_equal(
            json_string_value(json_object_get(it, "object_type")),
            "enterprise");
        assert_int_equal(json_integer_value(json_object_get(it, "object_id")),
                         f->ent_a);
        assert_string_equal(json_string_value(json_object_get(it, "username")),
                            "admin");
        /* audit-only keys are left out */
        assert_null(json_object_get(it, "addr"));
        assert_null(json_object_get(it, "hash"));
        assert_null(json_object_get(it, "prev_hash"));
        if (i > 0) {
            int64_t prev = json_integer_value(
                json_object_get(json_array_get(items, i - 1), "id"));
            assert_true(json_integer_value(json_object_get(it, "id")) < prev);
        }
    }
    /* the rename carries the name before and after */
    it = json_array_get(items, 3);
    before = json_object_get(it, "before");
    after = json_object_get(it, "after");
    assert_string_equal(json_string_value(json_object_get(before, "name")),
                        "天津甲科技有限公司");
    assert_string_equal(json_string_value(json_object_get(after, "name")),
                        "天津甲智能科技有限公司");
    apiresp_release(&r);

    get_changes(f, f->ent_b, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    assert_string_equal(item_action(&r, 0), "ent.create");
    apiresp_release(&r);
}

static void test_paging(void **state)
{
    Fx *f = *state;
    ApiResp r;
    char url[128];

    get_changes(f, f->ent_a, "?page=2&page_size=2", &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 5);
    assert_int_equal(json_integer_value(json_object_get(r.json, "page")), 2);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    assert_string_equal(item_action(&r, 0), "ent_year.upsert");
    assert_string_equal(item_action(&r, 1), "ent.update");
    apiresp_release(&r);

    get_changes(f, f->ent_a, "?page=3&page_size=2", &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_string_equal(item_action(&r, 0), "ent.create");
    apiresp_release(&r);

    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/changes?page_size=0",
             (long long)f->ent_a);
    expect(f, "GET", url, NULL, 400);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/changes?page=x",
             (long long)f->ent_a);
    expect(f, "GET", url, NULL, 400);
}

static void test_scope(void **state)
{
    Fx *f = *state;
    char url[128];
    ApiResp r;

    expect(f, "GET", "/api/v1/enterprises/999999/changes", NULL, 404);
    expect(f, "POST", "/api/v1/enterprises/1/changes", "{}", 405);

    /* the agent of street A sees A's history, and B is "missing" */
    assert_int_equal(apitest_login(f->t, "agent_a", "Agent12345"), 200);
    get_changes(f, f->ent_a, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 5);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld/changes",
             (long long)f->ent_b);
    apitest_request(f->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_null(strstr(r.body, "天津乙"));
    apiresp_release(&r);

    /* the read-only leader of the district sees both */
    assert_int_equal(apitest_login(f->t, "leader", "Lead-2468-kc"), 200);
    get_changes(f, f->ent_b, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    apiresp_release(&r);

    /* no session: 401 */
    apitest_logout_local(f->t);
    expect(f, "GET", url, NULL, 401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_newest_first_only_this_enterprise,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
