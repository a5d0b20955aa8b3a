/* test_accounts.c - accounts, sessions, CSRF, scope, tokens and audit
 * through the real dispatcher (tests/common/apitest.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/uscc.h"
#include "common/apitest.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/pwpool.h"
#include "domain/accounts/user.h"

static int setup(void **state)
{
    *state = apitest_new();
    return 0;
}

static int teardown(void **state)
{
    clock_shift_for_tests(0);
    apitest_free(*state);
    return 0;
}

/* Error field and code of an error answer ("" when absent). */
static const char *err_field(const ApiResp *r)
{
    const char *s = json_string_value(
        json_object_get(json_object_get(r->json, "error"), "field"));
    return s ? s : "";
}

static const char *err_message(const ApiResp *r)
{
    const char *s = json_string_value(
        json_object_get(json_object_get(r->json, "error"), "message"));
    return s ? s : "";
}

/* POST body to url, assert the status, return the "id" of the answer. */
static int64_t post_id(ApiTest *t, const char *url, const char *body,
                       int expect)
{
    ApiResp r;
    int64_t id;

    apitest_request(t, "POST", url, body, NULL, &r);
    if (r.status != expect) {
        fail_msg("POST %s: status %d, body %s", url, r.status, r.body);
    }
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    return id;
}

static void test_login_wrong_then_right(void **state)
{
    ApiTest *t = *state;
    ApiResp r;
    ApiResp r2;

    apitest_request(t, "POST", "/api/v1/session",
                    "{\"username\":\"admin\",\"password\":\"wrong1234\"}", NULL,
                    &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(err_message(&r), "用户名或密码错误");
    assert_null(apiresp_header(&r, "Set-Cookie"));
    /* an unknown account gives exactly the same answer */
    apitest_request(t, "POST", "/api/v1/session",
                    "{\"username\":\"nobody\",\"password\":\"wrong1234\"}",
                    NULL, &r2);
    assert_int_equal(r2.status, 401);
    assert_string_equal(r.body, r2.body);
    apiresp_release(&r);
    apiresp_release(&r2);

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    assert_int_equal(strlen(t->csrf), 43);
    apitest_request(t, "GET", "/api/v1/session", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(
        apitest_jstr(json_object_get(r.json, "user"), "username"), "admin");
    assert_string_equal(apitest_jstr(json_object_get(r.json, "user"), "role"),
                        "admin");
    assert_null(
        json_object_get(json_object_get(r.json, "user"), "password_hash"));
    assert_string_equal(apitest_jstr(r.json, "csrf_token"), t->csrf);
    apiresp_release(&r);
}

static void test_login_throttled(void **state)
{
    ApiTest *t = *state;
    const char *bad = "{\"username\":\"admin\",\"password\":\"wrong1234\"}";
    int saw429 = 0;
    ApiResp r;
    int i;

    for (i = 0; i < 10; i++) {
        int s = apitest_status(t, "POST", "/api/v1/session", bad);
        if (i < 5) {
            assert_int_equal(s, 401);
        } else {
            assert_true(s == 401 || s == 429);
            saw429 |= s == 429;
        }
    }
    assert_true(saw429);
    /* the right password is refused while locked */
    apitest_request(
        t, "POST", "/api/v1/session",
        "{\"username\":\"admin\",\"password\":\"" APITEST_ADMIN_PASSWORD "\"}",
        NULL, &r);
    assert_int_equal(r.status, 429);
    assert_non_null(apiresp_header(&r, "Retry-After"));
    assert_true(atoi(apiresp_header(&r, "Retry-After")) >= 1);
    assert_non_null(strstr(err_message(&r), "登录失败次数过多"));
    assert_null(apiresp_header(&r, "Set-Cookie"));
    apiresp_release(&r);
    /* after the lock (at most 15 minutes) it works, and resets */
    clock_shift_for_tests(16 * 60);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    assert_int_equal(apitest_status(t, "POST", "/api/v1/session", bad), 401);
}

static void test_session_cookie_attributes(void **state)
{
    ApiTest *t = *state;
    const char *body =
        "{\"username\":\"admin\",\"password\":\"" APITEST_ADMIN_PASSWORD "\"}";
    const char *sc;
    ApiResp r;

    apitest_request(t, "POST", "/api/v1/session", body, NULL, &r);
    assert_int_equal(r.status, 200);
    sc = apiresp_header(&r, "Set-Cookie");
    assert_non_null(sc);
    assert_true(strncmp(sc, "kc_session=", 11) == 0);
    assert_non_null(strstr(sc, "; HttpOnly"));
    assert_non_null(strstr(sc, "; SameSite=Strict"));
    assert_non_null(strstr(sc, "; Path=/"));
    assert_null(strstr(sc, "Secure"));
    apiresp_release(&r);

    t->app.secure_cookies = 1;
    apitest_request(t, "POST", "/api/v1/session", body, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(apiresp_header(&r, "Set-Cookie"), "; Secure"));
    apiresp_release(&r);
}

static void test_csrf_required(void **state)
{
    ApiTest *t = *state;
    char body[128];
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(body, sizeof body, "{\"parent_id\":%lld,\"name\":\"街道甲\"}",
             (long long)t->root_id);
    t->send_csrf = 0;
    apitest_request(t, "POST", "/api/v1/org-units", body, NULL, &r);
    assert_int_equal(r.status, 403);
    apiresp_release(&r);
    /* a wrong token is refused as well */
    {
        const char *const h[] = {"X-CSRF-Token",
                                 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                 NULL};
        apitest_request(t, "POST", "/api/v1/org-units", body, h, &r);
        assert_int_equal(r.status, 403);
        apiresp_release(&r);
    }
    t->send_csrf = 1;
    post_id(t, "/api/v1/org-units", body, 201);
}

static void test_bad_bodies(void **state)
{
    ApiTest *t = *state;
    char body[160];
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    /* malformed JSON */
    apitest_request(t, "POST", "/api/v1/org-units", "{\"name\": ", NULL, &r);
    assert_int_equal(r.status, 400);
    apiresp_release(&r);
    /* wrong type names the field */
    apitest_request(t, "POST", "/api/v1/org-units",
                    "{\"parent_id\":\"1\",\"name\":\"x\"}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "parent_id");
    apiresp_release(&r);
    /* unknown field names the field */
    snprintf(body, sizeof body,
             "{\"parent_id\":%lld,\"name\":\"x\",\"is_admin\":true}",
             (long long)t->root_id);
    apitest_request(t, "POST", "/api/v1/org-units", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "is_admin");
    apiresp_release(&r);
    /* weak password names the field */
    snprintf(body, sizeof body,
             "{\"username\":\"weak\",\"password\":\"12345678\",\"role\":"
             "\"staff\",\"unit_id\":%lld}",
             (long long)t->root_id);
    apitest_request(t, "POST", "/api/v1/users", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "password");
    assert_non_null(strstr(err_message(&r), "字母和数字"));
    apiresp_release(&r);
    /* bad username */
    snprintf(body, sizeof body,
             "{\"username\":\"Bad Name\",\"password\":\"abc12345x\",\"role\":"
             "\"staff\",\"unit_id\":%lld}",
             (long long)t->root_id);
    apitest_request(t, "POST", "/api/v1/users", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "username");
    apiresp_release(&r);
}

static void test_names_stored_literally(void **state)
{
    ApiTest *t = *state;
    const char *sql_name = "Robert'); DROP TABLE users;--";
    const char *html_name = "<script>alert(1)</script>";
    json_t *body;
    char *text;
    int64_t unit;
    int64_t user;
    char url[64];
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    body = json_pack("{sIss}", "parent_id", (json_int_t)t->root_id, "name",
                     sql_name);
    text = json_dumps(body, JSON_COMPACT);
    unit = post_id(t, "/api/v1/org-units", text, 201);
    free(text);
    json_decref(body);

    body = json_pack("{sssssssssI}", "username", "robert", "display_name",
                     html_name, "password", "abc12345x", "role", "staff",
                     "unit_id", (json_int_t)unit);
    text = json_dumps(body, JSON_COMPACT);
    user = post_id(t, "/api/v1/users", text, 201);
    free(text);
    json_decref(body);

    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)unit);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "name"), sql_name);
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/users/%lld", (long long)user);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "display_name"), html_name);
    assert_string_equal(apitest_jstr(r.json, "unit_name"), sql_name);
    apiresp_release(&r);
    /* the users table is still there and holds both users */
    apitest_request(t, "GET", "/api/v1/users", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
}

/* Two streets under the root, a staff user and an admin in street A, a
 * user in street B. */
typedef struct Streets {
    int64_t a;
    int64_t b;
    int64_t a_child;
    int64_t staff_a;
    int64_t admin_a;
    int64_t user_b;
} Streets;

static void make_streets(ApiTest *t, Streets *s)
{
    s->a = apitest_add_unit(t, t->root_id, "街道A", "subdistrict");
    s->b = apitest_add_unit(t, t->root_id, "街道B", "subdistrict");
    s->a_child = apitest_add_unit(t, s->a, "社区A1", "community");
    s->staff_a = apitest_add_user(t, "staff_a", "abc12345x", ROLE_STAFF, s->a);
    s->admin_a = apitest_add_user(t, "admin_a", "abc12345x", ROLE_ADMIN, s->a);
    s->user_b = apitest_add_user(t, "user_b", "abc12345x", ROLE_STAFF, s->b);
}

static void test_scope_isolation(void **state)
{
    ApiTest *t = *state;
    char url[96];
    char body[160];
    Streets s;
    ApiResp r;
    json_t *it;
    size_t i;

    make_streets(t, &s);
    assert_int_equal(apitest_login(t, "staff_a", "abc12345x"), 200);
    snprintf(url, sizeof url, "/api/v1/users/%lld", (long long)s.user_b);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 404);
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)s.b);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 404);
    /* the same answer as for an id that does not exist at all */
    apitest_request(t, "GET", url, NULL, NULL, &r);
    {
        ApiResp r2;
        apitest_request(t, "GET", "/api/v1/org-units/99999", NULL, NULL, &r2);
        assert_int_equal(r2.status, 404);
        assert_string_equal(r.body, r2.body);
        apiresp_release(&r2);
    }
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/users/%lld", (long long)s.staff_a);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 200);

    apitest_request(t, "GET", "/api/v1/users?page_size=100", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 2); /* staff_a, admin_a */
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        assert_string_not_equal(apitest_jstr(it, "username"), "user_b");
        assert_string_not_equal(apitest_jstr(it, "username"), "admin");
    }
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/org-units", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(apitest_jint(r.json, "total"), 2); /* 街道A, 社区A1 */
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        assert_string_not_equal(apitest_jstr(it, "name"), "街道B");
    }
    apiresp_release(&r);

    /* an admin of street A cannot reach street B either */
    assert_int_equal(apitest_login(t, "admin_a", "abc12345x"), 200);
    snprintf(url, sizeof url, "/api/v1/users/%lld", (long long)s.user_b);
    assert_int_equal(
        apitest_status(t, "PATCH", url, "{\"display_name\":\"x\"}"), 404);
    snprintf(body, sizeof body,
             "{\"username\":\"intruder\",\"password\":\"abc12345x\",\"role\":"
             "\"staff\",\"unit_id\":%lld}",
             (long long)s.b);
    apitest_request(t, "POST", "/api/v1/users", body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "unit_id");
    apiresp_release(&r);
    snprintf(body, sizeof body, "{\"parent_id\":%lld,\"name\":\"x\"}",
             (long long)s.b);
    apitest_request(t, "POST", "/api/v1/org-units", body, NULL, &r);
    assert_int_equal(r.status, 404);
    apiresp_release(&r);
    /* ...but works inside its own street */
    snprintf(body, sizeof body, "{\"parent_id\":%lld,\"name\":\"社区A2\"}",
             (long long)s.a);
    post_id(t, "/api/v1/org-units", body, 201);
}

static void test_leader_cannot_write(void **state)
{
    ApiTest *t = *state;
    char body[128];

    apitest_add_user(t, "leader", "abc12345x", ROLE_LEADER, t->root_id);
    assert_int_equal(apitest_login(t, "leader", "abc12345x"), 200);
    snprintf(body, sizeof body, "{\"parent_id\":%lld,\"name\":\"x\"}",
             (long long)t->root_id);
    assert_int_equal(apitest_status(t, "POST", "/api/v1/org-units", body), 403);
    assert_int_equal(
        apitest_status(t, "POST", "/api/v1/api-tokens", "{\"name\":\"t\"}"),
        403);
    /* reading is fine */
    assert_int_equal(apitest_status(t, "GET", "/api/v1/users", NULL), 200);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/audit", NULL), 200);
}

static void test_api_token(void **state)
{
    ApiTest *t = *state;
    char token[64];
    char url[64];
    char body[128];
    int64_t id;
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "POST", "/api/v1/api-tokens",
                    "{\"name\":\"对接系统\",\"role\":\"admin\","
                    "\"expires_days\":30}",
                    NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(token, sizeof token, "%s", apitest_jstr(r.json, "token"));
    id = apitest_jint(r.json, "id");
    assert_int_equal(strlen(token), 46);
    assert_true(strncmp(token, "kc_", 3) == 0);
    assert_true(strncmp(apitest_jstr(r.json, "prefix"), token, 9) == 0);
    assert_non_null(json_object_get(r.json, "expires_at"));
    apiresp_release(&r);
    /* the secret is never shown again */
    apitest_request(t, "GET", "/api/v1/api-tokens", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, token));
    assert_int_equal(apitest_jint(r.json, "total"), 1);
    apiresp_release(&r);

    /* Bearer works without cookie or CSRF */
    apitest_logout_local(t);
    snprintf(t->bearer, sizeof t->bearer, "%s", token);
    snprintf(body, sizeof body, "{\"parent_id\":%lld,\"name\":\"令牌建的\"}",
             (long long)t->root_id);
    post_id(t, "/api/v1/org-units", body, 201);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/session", NULL), 200);
    /* a wrong token is 401 */
    t->bearer[5] = t->bearer[5] == 'A' ? 'B' : 'A';
    assert_int_equal(apitest_status(t, "GET", "/api/v1/session", NULL), 401);
    snprintf(t->bearer, sizeof t->bearer, "%s", token);

    /* revoke, then it is refused */
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/api-tokens/%lld", (long long)id);
    assert_int_equal(apitest_status(t, "DELETE", url, NULL), 204);
    assert_int_equal(apitest_status(t, "DELETE", url, NULL), 409);
    apitest_logout_local(t);
    snprintf(t->bearer, sizeof t->bearer, "%s", token);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/session", NULL), 401);
}

static void test_token_unit_scope(void **state)
{
    ApiTest *t = *state;
    char body[128];
    char url[64];
    int64_t a;
    int64_t b;
    ApiResp r;

    a = apitest_add_unit(t, t->root_id, "街道A", "subdistrict");
    b = apitest_add_unit(t, t->root_id, "街道B", "subdistrict");
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(body, sizeof body,
             "{\"name\":\"A 专用\",\"role\":\"staff\",\"unit_id\":%lld}",
             (long long)a);
    apitest_request(t, "POST", "/api/v1/api-tokens", body, NULL, &r);
    assert_int_equal(r.status, 201);
    apitest_logout_local(t);
    snprintf(t->bearer, sizeof t->bearer, "%s", apitest_jstr(r.json, "token"));
    apiresp_release(&r);
    /* the token acts with its own unit and role, not the owner's */
    apitest_request(t, "GET", "/api/v1/session", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(
        apitest_jstr(json_object_get(r.json, "user"), "username"), "admin");
    assert_string_equal(apitest_jstr(json_object_get(r.json, "user"), "role"),
                        "staff");
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)a);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 200);
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)b);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 404);
    snprintf(body, sizeof body, "{\"parent_id\":%lld,\"name\":\"x\"}",
             (long long)a);
    assert_int_equal(apitest_status(t, "POST", "/api/v1/org-units", body), 403);
}

static void test_token_role_limited(void **state)
{
    ApiTest *t = *state;
    ApiResp r;
    char token[64];

    apitest_add_user(t, "staffer", "abc12345x", ROLE_STAFF, t->root_id);
    assert_int_equal(apitest_login(t, "staffer", "abc12345x"), 200);
    apitest_request(t, "POST", "/api/v1/api-tokens",
                    "{\"name\":\"x\",\"role\":\"admin\"}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "role");
    apiresp_release(&r);
    apitest_request(t, "POST", "/api/v1/api-tokens",
                    "{\"name\":\"只读\",\"role\":\"leader\"}", NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(token, sizeof token, "%s", apitest_jstr(r.json, "token"));
    apiresp_release(&r);
    /* a read-only token cannot write even though its owner could */
    apitest_logout_local(t);
    snprintf(t->bearer, sizeof t->bearer, "%s", token);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/users", NULL), 200);
    assert_int_equal(
        apitest_status(t, "POST", "/api/v1/api-tokens", "{\"name\":\"y\"}"),
        403);
}

static void test_disable_revokes_access(void **state)
{
    ApiTest *t = *state;
    char cookie[160];
    char csrf[64];
    char token[64];
    char url[64];
    int64_t uid;
    ApiResp r;

    uid = apitest_add_user(t, "worker", "abc12345x", ROLE_STAFF, t->root_id);
    assert_int_equal(apitest_login(t, "worker", "abc12345x"), 200);
    apitest_request(t, "POST", "/api/v1/api-tokens", "{\"name\":\"w\"}", NULL,
                    &r);
    assert_int_equal(r.status, 201);
    snprintf(token, sizeof token, "%s", apitest_jstr(r.json, "token"));
    apiresp_release(&r);
    snprintf(cookie, sizeof cookie, "%s", t->cookie);
    snprintf(csrf, sizeof csrf, "%s", t->csrf);

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/users/%lld", (long long)uid);
    apitest_request(t, "PATCH", url, "{\"disabled\":true}", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "disabled")));
    apiresp_release(&r);

    snprintf(t->cookie, sizeof t->cookie, "%s", cookie);
    snprintf(t->csrf, sizeof t->csrf, "%s", csrf);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/session", NULL), 401);
    apitest_logout_local(t);
    snprintf(t->bearer, sizeof t->bearer, "%s", token);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/users", NULL), 401);
    /* and it cannot log in again */
    apitest_request(t, "POST", "/api/v1/session",
                    "{\"username\":\"worker\",\"password\":\"abc12345x\"}",
                    NULL, &r);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(err_message(&r), "停用"));
    apiresp_release(&r);
}

static void test_admin_cannot_lock_self_out(void **state)
{
    ApiTest *t = *state;
    char url[64];
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/users/%lld", (long long)t->admin_id);
    apitest_request(t, "PATCH", url, "{\"disabled\":true}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "disabled");
    apiresp_release(&r);
    apitest_request(t, "PATCH", url, "{\"role\":\"staff\"}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "role");
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/session", NULL), 200);
}

static void test_logout(void **state)
{
    ApiTest *t = *state;
    char cookie[160];
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(cookie, sizeof cookie, "%s", t->cookie);
    apitest_request(t, "DELETE", "/api/v1/session", NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    assert_non_null(strstr(apiresp_header(&r, "Set-Cookie"), "Max-Age=0"));
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/session", NULL), 401);
}

static void test_change_own_password(void **state)
{
    ApiTest *t = *state;
    ApiResp r;

    apitest_add_user(t, "changer", "abc12345x", ROLE_AGENT, t->root_id);
    assert_int_equal(apitest_login(t, "changer", "abc12345x"), 200);
    apitest_request(t, "PUT", "/api/v1/session/password",
                    "{\"old_password\":\"nope1234\",\"new_password\":"
                    "\"Xyz98765q\"}",
                    NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "old_password");
    apiresp_release(&r);
    /* Common passwords and the user name are refused, in zh-CN. */
    {
        static const char *const weak[] = {"password1", "Passw0rd", "qwerty123",
                                           "Changer2024"};
        char body[160];
        size_t i;
        for (i = 0; i < sizeof weak / sizeof weak[0]; i++) {
            snprintf(body, sizeof body,
                     "{\"old_password\":\"abc12345x\","
                     "\"new_password\":\"%s\"}",
                     weak[i]);
            apitest_request(t, "PUT", "/api/v1/session/password", body, NULL,
                            &r);
            assert_int_equal(r.status, 400);
            assert_string_equal(err_field(&r), "new_password");
            assert_non_null(
                strstr(json_string_value(json_object_get(
                           json_object_get(r.json, "error"), "message")),
                       "密码"));
            apiresp_release(&r);
        }
    }
    assert_int_equal(apitest_status(t, "PUT", "/api/v1/session/password",
                                    "{\"old_password\":\"abc12345x\","
                                    "\"new_password\":\"Xyz98765q\"}"),
                     204);
    /* the current session survives */
    assert_int_equal(apitest_status(t, "GET", "/api/v1/session", NULL), 200);
    assert_int_equal(apitest_login(t, "changer", "abc12345x"), 401);
    assert_int_equal(apitest_login(t, "changer", "Xyz98765q"), 200);
}

/* The label of value v in list [{value, label}] ("" when absent). */
static const char *label_in(json_t *list, const char *v)
{
    size_t i;
    json_t *it;

    json_array_foreach(list, i, it)
    {
        if (strcmp(apitest_jstr(it, "value"), v) == 0) {
            return apitest_jstr(it, "label");
        }
    }
    return "";
}

/* GET /reference/labels serves the code tables pages of several
 * capabilities show, from the server's own tables: roles (with whether a
 * role writes: review steps may only name those), org unit kinds (the same
 * names the org tree writes as kind_name) and service-log kinds. The UI
 * keeps no copy (tests/scripts/ui_ref_tables.sh). */
static void test_reference_labels(void **state)
{
    ApiTest *t = *state;
    json_t *roles, *kinds, *svc, *it;
    size_t i;
    ApiResp r, units;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET", "/api/v1/reference/labels", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    roles = json_object_get(r.json, "roles");
    assert_int_equal(json_array_size(roles), 5);
    assert_string_equal(label_in(roles, "admin"), "系统管理员");
    assert_string_equal(label_in(roles, "staff"), "科技局业务");
    assert_string_equal(label_in(roles, "leader"), "领导（只读）");
    assert_string_equal(label_in(roles, "agent"), "街道园区专员");
    assert_string_equal(label_in(roles, "dept"), "责任单位");
    assert_string_equal(label_in(roles, "none"), "");
    json_array_foreach(roles, i, it)
    {
        /* only the read-only role does not write */
        assert_int_equal(json_is_true(json_object_get(it, "writes")),
                         strcmp(apitest_jstr(it, "value"), "leader") != 0);
    }

    kinds = json_object_get(r.json, "unit_kinds");
    assert_int_equal(json_array_size(kinds), 7);
    assert_string_equal(apitest_jstr(json_array_get(kinds, 0), "value"),
                        "district");
    assert_string_equal(label_in(kinds, "subdistrict"), "街道");
    assert_string_equal(label_in(kinds, "park"), "园区");
    /* the org tree names every unit's kind with the same table */
    apitest_request(t, "GET", "/api/v1/org-units", NULL, NULL, &units);
    assert_int_equal(units.status, 200);
    {
        json_t *items = json_object_get(units.json, "items");
        if (!items) {
            items = units.json;
        }
        assert_true(json_array_size(items) >= 1);
        json_array_foreach(items, i, it)
        {
            assert_string_equal(apitest_jstr(it, "kind_name"),
                                label_in(kinds, apitest_jstr(it, "kind")));
        }
    }
    apiresp_release(&units);

    svc = json_object_get(r.json, "service_kinds");
    assert_int_equal(json_array_size(svc), 6);
    assert_string_equal(label_in(svc, "visit"), "走访");
    assert_string_equal(label_in(svc, "briefing"), "政策宣讲");
    assert_string_equal(label_in(svc, "other"), "其他");
    /* plan task, progress report and reported value statuses */
    kinds = json_object_get(r.json, "plan_task_statuses");
    assert_int_equal(json_array_size(kinds), 4);
    assert_string_equal(label_in(kinds, "on_track"), "正常");
    assert_string_equal(label_in(kinds, "at_risk"), "有风险");
    assert_string_equal(label_in(kinds, "late"), "滞后");
    assert_string_equal(label_in(kinds, "done"), "已完成");
    kinds = json_object_get(r.json, "plan_report_statuses");
    assert_int_equal(json_array_size(kinds), 4);
    assert_string_equal(label_in(kinds, "filed"), "已报送");
    assert_string_equal(label_in(kinds, "consolidated"), "已汇总待审核");
    assert_string_equal(label_in(kinds, "returned"), "已退回");
    kinds = json_object_get(r.json, "plan_actual_statuses");
    assert_int_equal(json_array_size(kinds), 3);
    assert_string_equal(label_in(kinds, "submitted"), "待审核");
    assert_string_equal(label_in(kinds, "accepted"), "已通过");
    /* pipeline actions: name, what the comment says, whether it is
     * always required, whether an entry's actions endpoint takes it */
    kinds = json_object_get(r.json, "pipeline_actions");
    assert_int_equal(json_array_size(kinds), 7);
    assert_string_equal(label_in(kinds, "select"), "遴选");
    assert_string_equal(label_in(kinds, "recommend"), "推荐入库");
    assert_string_equal(label_in(kinds, "certify"), "登记认定结果");
    json_array_foreach(kinds, i, it)
    {
        const char *v = apitest_jstr(it, "value");
        int need = strcmp(v, "recommend") == 0 || strcmp(v, "return") == 0 ||
                   strcmp(v, "withdraw") == 0;
        assert_int_equal(json_is_true(json_object_get(it, "needs_comment")),
                         need);
        assert_int_equal(json_is_true(json_object_get(it, "offered")),
                         strcmp(v, "select") != 0);
        assert_true(json_is_string(json_object_get(it, "hint")));
    }
    assert_string_equal(apitest_jstr(json_array_get(kinds, 3), "hint"),
                        "退回原因");
    /* plan indicator kinds, with how each is counted (the plan pages) */
    kinds = json_object_get(r.json, "plan_indicator_kinds");
    assert_int_equal(json_array_size(kinds), 3);
    assert_string_equal(label_in(kinds, "stock"), "存量");
    assert_string_equal(label_in(kinds, "ratio"), "比率");
    assert_string_equal(apitest_jstr(json_array_get(kinds, 1), "value"),
                        "flow");
    assert_string_equal(apitest_jstr(json_array_get(kinds, 1), "hint"),
                        "当年累计");
    /* the audit names are still there */
    assert_true(json_array_size(json_object_get(r.json, "actions")) > 50);
    apiresp_release(&r);

    apitest_logout_local(t);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/reference/labels", NULL),
                     401);
}

static void test_org_tree(void **state)
{
    ApiTest *t = *state;
    char url[64];
    char body[160];
    Streets s;
    ApiResp r;

    make_streets(t, &s);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    /* duplicate live sibling name */
    snprintf(body, sizeof body, "{\"parent_id\":%lld,\"name\":\"街道A\"}",
             (long long)t->root_id);
    assert_int_equal(apitest_status(t, "POST", "/api/v1/org-units", body), 409);
    /* moving A under its own child is refused */
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)s.a);
    snprintf(body, sizeof body, "{\"parent_id\":%lld}", (long long)s.a_child);
    apitest_request(t, "PATCH", url, body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "parent_id");
    apiresp_release(&r);
    /* move A (with its child) under B: the child's path follows */
    snprintf(body, sizeof body, "{\"parent_id\":%lld}", (long long)s.b);
    apitest_request(t, "PATCH", url, body, NULL, &r);
    assert_int_equal(r.status, 200);
    {
        char expect[64];
        snprintf(expect, sizeof expect, "/%lld/%lld/%lld/",
                 (long long)t->root_id, (long long)s.b, (long long)s.a);
        assert_string_equal(apitest_jstr(r.json, "path"), expect);
    }
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)s.a_child);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    {
        char expect[64];
        snprintf(expect, sizeof expect, "/%lld/%lld/%lld/%lld/",
                 (long long)t->root_id, (long long)s.b, (long long)s.a,
                 (long long)s.a_child);
        assert_string_equal(apitest_jstr(r.json, "path"), expect);
        assert_int_equal(apitest_jint(r.json, "depth"), 3);
    }
    apiresp_release(&r);
    /* retire needs a reason, refuses units with children or users */
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)s.a);
    apitest_request(t, "PATCH", url, "{\"retired\":true}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "retire_reason");
    apiresp_release(&r);
    apitest_request(t, "PATCH", url,
                    "{\"retired\":true,\"retire_reason\":\"合并\"}", NULL, &r);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(err_message(&r), "下级单位"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)s.a_child);
    apitest_request(t, "PATCH", url,
                    "{\"retired\":true,\"retire_reason\":\"撤并\"}", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "retired")));
    assert_string_equal(apitest_jstr(r.json, "retire_reason"), "撤并");
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)s.a);
    apitest_request(t, "PATCH", url,
                    "{\"retired\":true,\"retire_reason\":\"合并\"}", NULL, &r);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(err_message(&r), "用户"));
    apiresp_release(&r);
    /* retired units are hidden unless asked for */
    apitest_request(t, "GET", "/api/v1/org-units", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 3);
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/org-units?include_retired=true", NULL,
                    NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 4);
    apiresp_release(&r);
    /* the root cannot be retired */
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)t->root_id);
    assert_int_equal(
        apitest_status(t, "PATCH", url,
                       "{\"retired\":true,\"retire_reason\":\"x\"}"),
        400);
}

static void test_audit_entries(void **state)
{
    ApiTest *t = *state;
    char url[128];
    char body[160];
    int64_t unit;
    int64_t n = 0;
    int64_t bad = 0;
    json_t *items;
    json_t *it;
    ApiResp r;
    Err e;
    size_t i;
    int saw_create = 0;
    int saw_update = 0;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(body, sizeof body, "{\"parent_id\":%lld,\"name\":\"旧名\"}",
             (long long)t->root_id);
    unit = post_id(t, "/api/v1/org-units", body, 201);
    snprintf(url, sizeof url, "/api/v1/org-units/%lld", (long long)unit);
    assert_int_equal(apitest_status(t, "PATCH", url, "{\"name\":\"新名\"}"),
                     200);
    snprintf(body, sizeof body,
             "{\"username\":\"audited\",\"password\":\"abc12345x\",\"role\":"
             "\"staff\",\"unit_id\":%lld}",
             (long long)unit);
    post_id(t, "/api/v1/users", body, 201);

    snprintf(url, sizeof url,
             "/api/v1/audit?object_type=org_unit&object_id=%lld",
             (long long)unit);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    items = json_object_get(r.json, "items");
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    json_array_foreach(items, i, it)
    {
        if (strcmp(apitest_jstr(it, "action"), "org.create") == 0) {
            saw_create = 1;
            assert_true(json_is_null(json_object_get(it, "before")));
            assert_string_equal(
                apitest_jstr(json_object_get(it, "after"), "name"), "旧名");
        } else if (strcmp(apitest_jstr(it, "action"), "org.update") == 0) {
            saw_update = 1;
            assert_string_equal(
                apitest_jstr(json_object_get(it, "before"), "name"), "旧名");
            assert_string_equal(
                apitest_jstr(json_object_get(it, "after"), "name"), "新名");
            assert_string_equal(apitest_jstr(it, "username"), "admin");
            assert_int_equal(apitest_jint(it, "user_id"), t->admin_id);
        }
    }
    assert_true(saw_create && saw_update);
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/audit?action=session.login", NULL, NULL,
                    &r);
    assert_true(apitest_jint(r.json, "total") >= 1);
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/audit?from=2000-13-01", NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(err_field(&r), "from");
    apiresp_release(&r);

    /* no password or hash ever reaches the log */
    err_clear(&e);
    assert_int_equal(db_query_int64(t->db, &n, &e,
                                    "SELECT COUNT(*) FROM audit_log WHERE "
                                    "after_json LIKE '%argon2%' OR "
                                    "after_json LIKE '%abc12345%' OR "
                                    "after_json LIKE '%password_hash%'",
                                    ""),
                     0);
    assert_int_equal(n, 0);

    assert_int_equal(audit_verify(t->db, &n, &bad, &e), 0);
    assert_int_equal(bad, 0);
    assert_true(n >= 5);
    /* tamper with one entry: verify names it */
    assert_int_equal(db_exec_v(t->db, &e,
                               "UPDATE audit_log SET after_json = "
                               "replace(after_json, '新名', '假名') WHERE "
                               "action = 'org.update'",
                               ""),
                     0);
    {
        int64_t tampered = 0;
        assert_int_equal(db_query_int64(t->db, &tampered, &e,
                                        "SELECT id FROM audit_log WHERE "
                                        "action = 'org.update'",
                                        ""),
                         0);
        assert_int_equal(audit_verify(t->db, &n, &bad, &e), 0);
        assert_int_equal(bad, tampered);
    }
}

static void test_audit_scope(void **state)
{
    ApiTest *t = *state;
    Streets s;
    char url[64];
    int64_t b_entry = 0;
    json_t *it;
    size_t i;
    ApiResp r;
    Err e;

    make_streets(t, &s);
    err_clear(&e);
    assert_int_equal(db_query_int64(t->db, &b_entry, &e,
                                    "SELECT id FROM audit_log WHERE "
                                    "object_type = 'user' AND object_id = $1",
                                    "i", s.user_b),
                     0);
    assert_int_equal(apitest_login(t, "staff_a", "abc12345x"), 200);
    apitest_request(t, "GET", "/api/v1/audit?page_size=500", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(apitest_jint(r.json, "total") >= 1);
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        assert_true(apitest_jint(it, "id") != b_entry);
    }
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/audit/%lld", (long long)b_entry);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 404);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 200);
}

static void test_audit_export_csv(void **state)
{
    ApiTest *t = *state;
    const char *cd;
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET", "/api/v1/audit?format=csv", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 3);
    assert_memory_equal(r.body, "\xEF\xBB\xBF", 3);
    assert_true(strncmp(r.body + 3, "编号,时间,", strlen("编号,时间,")) == 0);
    /* actions and object types by their names, not their codes */
    assert_non_null(strstr(r.body, ",登录,会话,"));
    assert_non_null(strstr(r.body, ",新建用户,用户,"));
    assert_null(strstr(r.body, "session.login"));
    assert_non_null(strstr(apiresp_header(&r, "Content-Type"), "text/csv"));
    cd = apiresp_header(&r, "Content-Disposition");
    assert_non_null(cd);
    assert_non_null(strstr(cd, "attachment"));
    assert_non_null(strstr(cd, ".csv"));
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/audit?format=pdf", NULL),
                     400);
}

static void test_audit_export_xlsx(void **state)
{
    ApiTest *t = *state;
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_request(t, "GET", "/api/v1/audit?format=xlsx", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 100);
    assert_memory_equal(r.body, "PK", 2);
    assert_non_null(memmem(r.body, r.body_len, "xl/worksheets/sheet1.xml",
                           strlen("xl/worksheets/sheet1.xml")));
    assert_non_null(strstr(apiresp_header(&r, "Content-Disposition"), ".xlsx"));
    apiresp_release(&r);
}

static void test_users_list_filters(void **state)
{
    ApiTest *t = *state;
    Streets s;
    char url[96];
    ApiResp r;

    make_streets(t, &s);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    snprintf(url, sizeof url, "/api/v1/users?unit_id=%lld", (long long)s.a);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/users?role=admin", NULL, NULL, &r);
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/users?q=_a", NULL, NULL, &r);
    /* "_" is literal, not a wildcard: staff_a, admin_a */
    assert_int_equal(apitest_jint(r.json, "total"), 2);
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/users?page=2&page_size=2", NULL, NULL,
                    &r);
    assert_int_equal(apitest_jint(r.json, "total"), 4);
    assert_int_equal(apitest_jint(r.json, "page"), 2);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/users?role=boss", NULL),
                     400);
}

static void test_healthz_and_openapi(void **state)
{
    ApiTest *t = *state;
    ApiResp r;

    apitest_request(t, "GET", "/api/v1/healthz", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(apitest_jstr(r.json, "status"), "ok");
    assert_string_equal(apitest_jstr(r.json, "db"),
                        testdb_is_pg() ? "postgresql" : "sqlite");
    apiresp_release(&r);
    apitest_request(t, "GET", "/api/v1/openapi.json", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    assert_non_null(json_object_get(r.json, "paths"));
    apiresp_release(&r);
    /* everything else needs a login */
    assert_int_equal(apitest_status(t, "GET", "/api/v1/users", NULL), 401);
}

/* A user who must change the password gets 403 password_change_required
 * on everything but the session routes, changes it, then proceeds. */
static void test_must_change_password(void **state)
{
    ApiTest *t = *state;
    char code[USCC_LEN + 1];
    char body[320];
    char url[64];
    int64_t ent;
    ApiResp r;

    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    apitest_uscc(1, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"天津改密测试公司\", "
             "\"unit_id\": %lld, \"industry_code\": \"6513\"}",
             code, (long long)t->root_id);
    ent = post_id(t, "/api/v1/enterprises", body, 201);
    snprintf(body, sizeof body,
             "{\"username\":\"fresh\",\"role\":\"staff\",\"unit_id\":%lld,"
             "\"password\":\"first1234\",\"must_change_password\":true}",
             (long long)t->root_id);
    post_id(t, "/api/v1/users", body, 201);

    assert_int_equal(apitest_login(t, "fresh", "first1234"), 200);
    apitest_request(t, "GET", "/api/v1/session", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(json_object_get(r.json, "user"),
                                             "must_change_password")));
    apiresp_release(&r);

    apitest_request(t, "GET", "/api/v1/enterprises", NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "code"),
                        "password_change_required");
    assert_non_null(strstr(err_message(&r), "修改"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/enterprises/%lld", (long long)ent);
    apitest_request(t, "PATCH", url, "{\"note\": \"x\"}", NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(apitest_jstr(json_object_get(r.json, "error"), "code"),
                        "password_change_required");
    apiresp_release(&r);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 403);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/system", NULL), 403);

    /* the password route stays open; afterwards everything is */
    assert_int_equal(apitest_status(t, "PUT", "/api/v1/session/password",
                                    "{\"old_password\":\"first1234\","
                                    "\"new_password\":\"second1234\"}"),
                     204);
    assert_int_equal(apitest_status(t, "GET", "/api/v1/enterprises", NULL),
                     200);
    assert_int_equal(apitest_status(t, "GET", url, NULL), 200);
    apitest_request(t, "PATCH", url, "{\"note\": \"x\"}", NULL, &r);
    assert_int_not_equal(r.status, 403);
    assert_true(r.status < 500);
    apiresp_release(&r);
    /* and logging out works in either state */
    assert_int_equal(apitest_status(t, "DELETE", "/api/v1/session", NULL), 204);
}

/* The newest audit entry of an action: its addr ("" when none). */
static const char *newest_addr(ApiTest *t, const char *action, char *out,
                               size_t cap)
{
    char url[128];
    ApiResp r;

    snprintf(url, sizeof url, "/api/v1/audit?action=%s&page_size=1", action);
    apitest_request(t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(out, cap, "%s",
             apitest_jstr(json_array_get(json_object_get(r.json, "items"), 0),
                          "addr"));
    apiresp_release(&r);
    return out;
}

/* POST /api/v1/session as admin with extra headers; returns the status and
 * keeps the session (as apitest_login does) on 200. */
static int login_via(ApiTest *t, const char *const *extra, ApiResp *r)
{
    const char *body =
        "{\"username\":\"admin\",\"password\":\"" APITEST_ADMIN_PASSWORD "\"}";
    const char *sc;

    apitest_request(t, "POST", "/api/v1/session", body, extra, r);
    sc = apiresp_header(r, "Set-Cookie");
    if (r->status == 200 && sc) {
        snprintf(t->cookie, sizeof t->cookie, "%.*s", (int)strcspn(sc, ";"),
                 sc);
        snprintf(t->csrf, sizeof t->csrf, "%s",
                 apitest_jstr(r->json, "csrf_token"));
    }
    return r->status;
}

static void test_trust_proxy(void **state)
{
    ApiTest *t = *state;
    const char *xff[] = {"X-Forwarded-For", "198.51.100.9, 203.0.113.7", NULL};
    const char *xff6[] = {"X-Forwarded-For", "2001:DB8:0:0::1", NULL};
    const char *bad[] = {"X-Forwarded-For", "203.0.113.7, evil", NULL};
    const char *real[] = {"X-Real-IP", "192.0.2.44", NULL};
    const char *https[] = {"X-Forwarded-Proto", "https", NULL};
    char addr[64];
    ApiResp r;

    /* off: the headers are ignored */
    assert_int_equal(login_via(t, xff, &r), 200);
    assert_null(strstr(apiresp_header(&r, "Set-Cookie"), "Secure"));
    apiresp_release(&r);
    assert_string_equal(newest_addr(t, "session.login", addr, sizeof addr),
                        "127.0.0.1");
    assert_int_equal(login_via(t, https, &r), 200);
    assert_null(strstr(apiresp_header(&r, "Set-Cookie"), "Secure"));
    apiresp_release(&r);

    /* on: the proxy's (last) address, validated */
    t->app.trust_proxy = 1;
    assert_int_equal(login_via(t, xff, &r), 200);
    apiresp_release(&r);
    assert_string_equal(newest_addr(t, "session.login", addr, sizeof addr),
                        "203.0.113.7");
    assert_int_equal(login_via(t, xff6, &r), 200);
    apiresp_release(&r);
    assert_string_equal(newest_addr(t, "session.login", addr, sizeof addr),
                        "2001:db8::1");
    assert_int_equal(login_via(t, real, &r), 200);
    apiresp_release(&r);
    assert_string_equal(newest_addr(t, "session.login", addr, sizeof addr),
                        "192.0.2.44");
    assert_int_equal(login_via(t, bad, &r), 200);
    apiresp_release(&r);
    assert_string_equal(newest_addr(t, "session.login", addr, sizeof addr),
                        "127.0.0.1");
    assert_int_equal(login_via(t, https, &r), 200);
    assert_non_null(strstr(apiresp_header(&r, "Set-Cookie"), "; Secure"));
    apiresp_release(&r);
}

/* Behind the proxy every request comes from 127.0.0.1: one client's bad
 * passwords must lock out that client, not everyone. */
static void test_trust_proxy_lockout_per_client(void **state)
{
    ApiTest *t = *state;
    const char *attacker[] = {"X-Forwarded-For", "203.0.113.66", NULL};
    const char *user[] = {"X-Forwarded-For", "198.51.100.20", NULL};
    char body[128];
    int saw429 = 0;
    ApiResp r;
    int i;

    t->app.trust_proxy = 1;
    for (i = 0; i < 25; i++) {
        snprintf(body, sizeof body,
                 "{\"username\":\"nobody%d\",\"password\":\"wrong1234\"}", i);
        apitest_request(t, "POST", "/api/v1/session", body, attacker, &r);
        assert_true(r.status == 401 || r.status == 429);
        saw429 |= r.status == 429;
        apiresp_release(&r);
    }
    assert_true(saw429);
    assert_int_equal(login_via(t, user, &r), 200);
    apiresp_release(&r);
    assert_int_equal(login_via(t, attacker, &r), 429);
    apiresp_release(&r);
}

typedef struct PoolArg {
    const char *hash;
    int ok;
} PoolArg;

static void *pool_verifier(void *p)
{
    PoolArg *a = p;
    Err e;

    err_clear(&e);
    (void)pwpool_verify(a->hash, "held1234", &a->ok, &e);
    return NULL;
}

/* With every verifier busy and the queue full, a login is refused at once:
 * 503 with Retry-After, and nothing is hashed on the request thread. */
static void test_login_pool_full(void **state)
{
    ApiTest *t = *state;
    enum { N = PWPOOL_THREADS + PWPOOL_QUEUE };
    struct timespec ts = {0, 1000000};
    char hash[USER_HASH_MAX];
    pthread_t th[N];
    PoolArg args[N];
    ApiResp r;
    Err e;
    int i;

    err_clear(&e);
    assert_int_equal(user_hash_password("held1234", hash, &e), 0);
    pwpool_hold_for_tests(1);
    for (i = 0; i < N; i++) {
        args[i].hash = hash;
        args[i].ok = 0;
        assert_int_equal(pthread_create(&th[i], NULL, pool_verifier, &args[i]),
                         0);
    }
    for (i = 0; i < 10000 && pwpool_pending_for_tests() < N; i++) {
        nanosleep(&ts, NULL);
    }
    assert_int_equal(pwpool_pending_for_tests(), N);
    apitest_request(
        t, "POST", "/api/v1/session",
        "{\"username\":\"admin\",\"password\":\"" APITEST_ADMIN_PASSWORD "\"}",
        NULL, &r);
    assert_int_equal(r.status, 503);
    assert_non_null(apiresp_header(&r, "Retry-After"));
    assert_true(atoi(apiresp_header(&r, "Retry-After")) >= 1);
    assert_non_null(strstr(err_message(&r), "请稍后"));
    assert_null(apiresp_header(&r, "Set-Cookie"));
    apiresp_release(&r);
    pwpool_hold_for_tests(0);
    for (i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].ok, 1);
    }
    /* the refusal counted as no failed attempt; logins work again */
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

/* The whole server's login rate: past it, 429 with Retry-After before
 * any password is checked, whatever the address. */
static void test_login_global_rate(void **state)
{
    ApiTest *t = *state;
    const char *other[] = {"X-Forwarded-For", "198.51.100.77", NULL};
    ApiResp r;

    pwpool_set_rate_for_tests(1, 2);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
    assert_int_equal(apitest_login(t, "admin", "wrong1234"), 401);
    t->app.trust_proxy = 1;
    apitest_request(t, "POST", "/api/v1/session",
                    "{\"username\":\"someone\",\"password\":\"any12345\"}",
                    other, &r);
    assert_int_equal(r.status, 429);
    assert_non_null(apiresp_header(&r, "Retry-After"));
    assert_true(atoi(apiresp_header(&r, "Retry-After")) >= 1);
    assert_non_null(strstr(err_message(&r), "登录请求过多"));
    apiresp_release(&r);
    pwpool_set_rate_for_tests(1000000, 1000000);
    assert_int_equal(apitest_login(t, "admin", APITEST_ADMIN_PASSWORD), 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_login_wrong_then_right, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_login_throttled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_cookie_attributes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_csrf_required, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_stored_literally, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_scope_isolation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leader_cannot_write, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_api_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_unit_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_role_limited, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_disable_revokes_access, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_admin_cannot_lock_self_out, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_logout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_own_password, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_org_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_export_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_export_xlsx, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_users_list_filters, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_must_change_password, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_trust_proxy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trust_proxy_lockout_per_client,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_pool_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_global_rate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reference_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_healthz_and_openapi, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
