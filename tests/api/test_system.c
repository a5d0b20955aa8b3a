/* test_system.c - GET /api/v1/system (the 关于 facts) and the sort
 * parameter of the user, audit and enterprise lists, through the real
 * dispatcher (tests/common/apitest.h). */
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

static const char *err_str(const ApiResp *r, const char *k)
{
    return apitest_jstr(json_object_get(r->json, "error"), k);
}

/* GET url as the logged-in user, assert 200, return the "items" array
 * (a new reference; caller decrefs). */
static json_t *get_items(ApiTest *t, const char *url)
{
    json_t *items;
    ApiResp r;

    apitest_request(t, "GET", url, NULL, NULL, &r);
    if (r.status != 200) {
        fail_msg("GET %s: status %d, body %s", url, r.status, r.body);
    }
    items = json_incref(json_object_get(r.json, "items"));
    assert_non_null(items);
    apiresp_release(&r);
    return items;
}

/* Assert that GET url answers 400 naming the field "sort" and that the
 * message lists the column must_list. */
static void expect_bad_sort(ApiTest *t, const char *url, const char *must_list)
{
    ApiResp r;

    apitest_request(t, "GET", url, NULL, NULL, &r);
    if (r.status != 400) {
        fail_msg("GET %s: status %d, body %s", url, r.status, r.body);
    }
    assert_string_equal(err_str(&r, "code"), "invalid");
    assert_string_equal(err_str(&r, "field"), "sort");
    assert_non_null(strstr(err_str(&r, "message"), must_list));
    assert_non_null(strstr(err_str(&r, "message"), "降序"));
    apiresp_release(&r);
}

static void add_user(ApiTest *t, const char *username, const char *display,
                     const char *role)
{
    char body[256];
    ApiResp r;

    snprintf(body, sizeof body,
             "{\"username\":\"%s\",\"display_name\":\"%s\",\"role\":\"%s\","
             "\"unit_id\":%lld,\"password\":\"abc12345x\"}",
             username, display, role, (long long)t->root_id);
    apitest_request(t, "POST", "/api/v1/users", body, NULL, &r);
    if (r.status != 201) {
        fail_msg("POST /api/v1/users: status %d, body %s", r.status, r.body);
    }
    apiresp_release(&r);
}

static void test_system_admin(void **state)
{
    ApiTest *t = *state;
    json_t *sv;
    ApiResp r;

    assert_int_equal(apitest_status(t, "GET", "/api/v1/system", NULL), 401);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET", "/api/v1/system", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_string(json_object_get(r.json, "version")));
    assert_true(strlen(apitest_jstr(r.json, "version")) > 0);
    assert_true(json_is_string(json_object_get(r.json, "commit")));
    assert_string_equal(apitest_jstr(r.json, "db_backend"),
                        testdb_is_pg() ? "postgresql" : "sqlite");
    sv = json_object_get(r.json, "schema_version");
    assert_true(json_is_integer(sv));
    assert_true(json_integer_value(sv) > 0);
    assert_int_equal(json_integer_value(sv), json_integer_value(json_object_get(
                                                 r.json, "schema_latest")));
    assert_int_equal(db_schema_latest(), json_integer_value(json_object_get(
                                             r.json, "schema_latest")));
    assert_string_equal(apitest_jstr(r.json, "db_location"),
                        db_location(t->db));
    /* the built-in rule sets, each with its status, hash and cases */
    {
        json_t *sets = json_object_get(r.json, "rule_sets");
        json_t *rs;
        size_t i;
        int seen_sme = 0;
        int seen_unverified = 0;

        assert_true(json_is_array(sets));
        assert_true(json_array_size(sets) >= 2);
        json_array_foreach(sets, i, rs)
        {
            const char *status = apitest_jstr(rs, "status");
            assert_true(strcmp(status, "confirmed") == 0 ||
                        strcmp(status, "unverified") == 0);
            assert_int_equal(strlen(apitest_jstr(rs, "hash")), 64);
            assert_true(json_integer_value(json_object_get(rs, "cases")) >= 6);
            if (strcmp(apitest_jstr(rs, "id"), "sme-2017") == 0) {
                seen_sme = 1;
                assert_string_equal(status, "confirmed");
                assert_string_equal(apitest_jstr(rs, "doc"),
                                    "国科发政〔2017〕115号");
                assert_string_equal(apitest_jstr(rs, "effective_from"),
                                    "2017-05-03");
                assert_null(json_object_get(rs, "effective_to"));
            }
            if (strcmp(status, "unverified") == 0) {
                seen_unverified = 1;
            }
        }
        assert_true(seen_sme);
        assert_true(seen_unverified);
    }
    apiresp_release(&r);
}

static void test_system_non_admin(void **state)
{
    static const int roles[] = {ROLE_STAFF, ROLE_LEADER, ROLE_AGENT, ROLE_DEPT};
    ApiTest *t = *state;
    char name[32];
    ApiResp r;
    size_t i;

    for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        snprintf(name, sizeof name, "user%zu", i);
        apitest_add_user(t, name, "abc12345x", roles[i], t->root_id);
        assert_int_equal(apitest_login(t, name, "abc12345x"), 200);
        apitest_request(t, "GET", "/api/v1/system", NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_true(strlen(apitest_jstr(r.json, "version")) > 0);
        assert_non_null(json_object_get(r.json, "commit"));
        assert_string_equal(apitest_jstr(r.json, "db_backend"),
                            testdb_is_pg() ? "postgresql" : "sqlite");
        assert_true(json_is_integer(json_object_get(r.json, "schema_version")));
        assert_true(json_is_integer(json_object_get(r.json, "schema_latest")));
        assert_null(json_object_get(r.json, "db_location"));
        assert_null(strstr(r.body, t->path));
        apiresp_release(&r);
    }
}

static void test_users_sort(void **state)
{
    ApiTest *t = *state;
    json_t *items;
    json_t *u;
    const char *prev;
    size_t i;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    add_user(t, "bob", "甲", "staff");
    add_user(t, "carol", "乙", "leader");
    add_user(t, "alice", "丙", "agent");

    items = get_items(t, "/api/v1/users?sort=username");
    assert_int_equal(json_array_size(items), 4);
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "username"),
                        "admin");
    assert_string_equal(apitest_jstr(json_array_get(items, 1), "username"),
                        "alice");
    assert_string_equal(apitest_jstr(json_array_get(items, 3), "username"),
                        "carol");
    json_decref(items);

    items = get_items(t, "/api/v1/users?sort=-username");
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "username"),
                        "carol");
    assert_string_equal(apitest_jstr(json_array_get(items, 3), "username"),
                        "admin");
    json_decref(items);

    /* no sort = username ascending, as before */
    items = get_items(t, "/api/v1/users");
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "username"),
                        "admin");
    json_decref(items);

    items = get_items(t, "/api/v1/users?sort=role&q=o");
    /* bob (staff 2), carol (leader 3) */
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "username"),
                        "bob");
    json_decref(items);
    items = get_items(t, "/api/v1/users?sort=-role&q=o");
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "username"),
                        "carol");
    json_decref(items);

    items = get_items(t, "/api/v1/users?sort=-created_at");
    prev = NULL;
    json_array_foreach(items, i, u)
    {
        if (prev) {
            assert_true(strcmp(prev, apitest_jstr(u, "created_at")) >= 0);
        }
        prev = apitest_jstr(u, "created_at");
    }
    json_decref(items);

    /* never logged in sorts last in both directions */
    items = get_items(t, "/api/v1/users?sort=last_login_at");
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "username"),
                        "admin");
    json_decref(items);
    items = get_items(t, "/api/v1/users?sort=-last_login_at");
    assert_string_equal(apitest_jstr(json_array_get(items, 0), "username"),
                        "admin");
    json_decref(items);

    /* every allowed column is accepted */
    json_decref(get_items(t, "/api/v1/users?sort=display_name"));
    json_decref(get_items(t, "/api/v1/users?sort=-unit"));

    expect_bad_sort(t, "/api/v1/users?sort=password_hash", "last_login_at");
    expect_bad_sort(t, "/api/v1/users?sort=-", "username");
    expect_bad_sort(t, "/api/v1/users?sort=--username", "username");
    expect_bad_sort(t, "/api/v1/users?sort=username%20DESC", "username");
    expect_bad_sort(t, "/api/v1/users?sort=id;DROP%20TABLE%20users",
                    "username");
    expect_bad_sort(t, "/api/v1/users?sort=bogus&format=csv", "username");
}

static void test_users_export_sorted(void **state)
{
    ApiTest *t = *state;
    const char *a;
    const char *c;
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    add_user(t, "bob", "甲", "staff");
    add_user(t, "carol", "乙", "leader");

    apitest_request(t, "GET", "/api/v1/users?format=csv&sort=-username", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    a = strstr(r.body, ",admin,");
    c = strstr(r.body, ",carol,");
    assert_non_null(a);
    assert_non_null(c);
    assert_true(c < a);
    apiresp_release(&r);

    apitest_request(t, "GET", "/api/v1/users?format=csv&sort=username", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    a = strstr(r.body, ",admin,");
    c = strstr(r.body, ",carol,");
    assert_non_null(a);
    assert_non_null(c);
    assert_true(a < c);
    apiresp_release(&r);
}

static void test_audit_sort(void **state)
{
    ApiTest *t = *state;
    char url[128];
    json_t *items;
    json_t *x;
    json_t *seen;
    int64_t asc_first;
    int64_t desc_first;
    int64_t total;
    const char *prev;
    int64_t page;
    ApiResp r;
    size_t i;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    add_user(t, "bob", "甲", "staff");
    add_user(t, "carol", "乙", "leader");
    assert_int_equal(apitest_login(t, "bob", "abc12345x"), 200);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);

    items = get_items(t, "/api/v1/audit?sort=at");
    asc_first =
        json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    json_decref(items);
    items = get_items(t, "/api/v1/audit");
    desc_first =
        json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    json_decref(items);
    assert_true(asc_first < desc_first);
    items = get_items(t, "/api/v1/audit?sort=-at");
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(items, 0), "id")),
        desc_first);
    json_decref(items);

    items = get_items(t, "/api/v1/audit?sort=action&page_size=500");
    prev = NULL;
    json_array_foreach(items, i, x)
    {
        if (prev) {
            assert_true(strcmp(prev, apitest_jstr(x, "action")) <= 0);
        }
        prev = apitest_jstr(x, "action");
    }
    json_decref(items);
    items = get_items(t, "/api/v1/audit?sort=-action&page_size=500");
    prev = NULL;
    json_array_foreach(items, i, x)
    {
        if (prev) {
            assert_true(strcmp(prev, apitest_jstr(x, "action")) >= 0);
        }
        prev = apitest_jstr(x, "action");
    }
    json_decref(items);

    /* paging is deterministic: one-row pages in action order visit every
     * entry exactly once although many share an action */
    apitest_request(t, "GET", "/api/v1/audit?sort=object_type", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    total = json_integer_value(json_object_get(r.json, "total"));
    apiresp_release(&r);
    assert_true(total >= 5);
    seen = json_object();
    for (page = 1; page <= total; page++) {
        char key[24];

        snprintf(url, sizeof url,
                 "/api/v1/audit?sort=object_type&page_size=1&page=%lld",
                 (long long)page);
        items = get_items(t, url);
        assert_int_equal(json_array_size(items), 1);
        snprintf(key, sizeof key, "%lld",
                 (long long)json_integer_value(
                     json_object_get(json_array_get(items, 0), "id")));
        assert_null(json_object_get(seen, key));
        json_object_set_new(seen, key, json_true());
        json_decref(items);
    }
    assert_int_equal((int64_t)json_object_size(seen), total);
    json_decref(seen);

    json_decref(get_items(t, "/api/v1/audit?sort=-username"));
    expect_bad_sort(t, "/api/v1/audit?sort=hash", "object_type");
    expect_bad_sort(t, "/api/v1/audit?sort=id", "at");
    expect_bad_sort(t, "/api/v1/audit?sort=hash&format=xlsx", "at");
}

static void test_audit_export_sorted(void **state)
{
    ApiTest *t = *state;
    const char *login;
    const char *create;
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    add_user(t, "bob", "甲", "staff");

    /* the export names actions and object types as the page does (sorted
     * by the action's code: session.login before user.create) */
    apitest_request(t, "GET", "/api/v1/audit?format=csv&sort=action", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "session.login"));
    assert_non_null(strstr(r.body, ",用户,"));
    login = strstr(r.body, ",登录,");
    create = strstr(r.body, ",新建用户,");
    assert_non_null(login);
    assert_non_null(create);
    assert_true(login < create);
    apiresp_release(&r);

    apitest_request(t, "GET", "/api/v1/audit?format=csv&sort=-action", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    login = strstr(r.body, ",登录,");
    create = strstr(r.body, ",新建用户,");
    assert_non_null(login);
    assert_non_null(create);
    assert_true(create < login);
    apiresp_release(&r);
}

static void test_enterprises_bad_sort(void **state)
{
    ApiTest *t = *state;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    json_decref(get_items(t, "/api/v1/enterprises?sort=-name"));
    json_decref(get_items(t, "/api/v1/enterprises?sort=established_on"));
    expect_bad_sort(t, "/api/v1/enterprises?sort=bogus", "registered_capital");
    expect_bad_sort(t, "/api/v1/enterprises?sort=-", "name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_system_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_system_non_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_sort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_export_sorted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_sort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_export_sorted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_enterprises_bad_sort, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
