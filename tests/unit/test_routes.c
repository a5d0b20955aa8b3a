/* test_routes.c - the route table's invariants, the router, and the
 * OpenAPI document's coverage of every route. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "api/api.h"
#include "domain/accounts/scope.h"
#include "http/http.h"
#include "http/routes.h"

extern const char *const kc_openapi_json;
extern const size_t kc_openapi_json_len;

static void test_no_duplicates(void **state)
{
    int i;
    int j;

    (void)state;
    assert_true(api_routes.n > 0);
    for (i = 0; i < api_routes.n; i++) {
        for (j = i + 1; j < api_routes.n; j++) {
            if (strcmp(api_routes.v[i].method, api_routes.v[j].method) == 0 &&
                strcmp(api_routes.v[i].pattern, api_routes.v[j].pattern) == 0) {
                fail_msg("duplicate route %s %s", api_routes.v[i].method,
                         api_routes.v[i].pattern);
            }
        }
    }
}

static void test_every_route_well_formed(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < api_routes.n; i++) {
        const Route *r = &api_routes.v[i];
        int unsafe = strcmp(r->method, "GET") != 0;
        int has_id = strstr(r->pattern, "{id}") != NULL;

        assert_non_null(r->handler);
        assert_non_null(r->summary);
        assert_true(r->summary[0] != '\0');
        assert_true(r->perm >= PERM_PUBLIC && r->perm < PERM__COUNT);
        assert_true(strncmp(r->pattern, "/api/v1/", 8) == 0);
        /* every write is audited */
        if (unsafe && !(r->flags & ROUTE_AUDITED)) {
            fail_msg("write route %s %s is not audited", r->method, r->pattern);
        }
        /* every {id} is scope-checked by the dispatcher */
        if (has_id && r->scope == SCOPE_NONE) {
            fail_msg("route %s %s has {id} but no scope", r->method,
                     r->pattern);
        }
        if (!has_id && r->scope != SCOPE_NONE) {
            fail_msg("route %s %s has a scope but no {id}", r->method,
                     r->pattern);
        }
        /* only the session routes (log in, who am I, log out, change the
         * own password) are open to a user who must change the password,
         * and all of them are */
        if (strcmp(r->pattern, "/api/v1/session") == 0 ||
            strcmp(r->pattern, "/api/v1/session/password") == 0) {
            if (!(r->flags & ROUTE_PW_CHANGE)) {
                fail_msg("session route %s %s lacks ROUTE_PW_CHANGE", r->method,
                         r->pattern);
            }
        } else if (r->flags & ROUTE_PW_CHANGE) {
            fail_msg("route %s %s is open before a password change", r->method,
                     r->pattern);
        }
        /* only the login may skip CSRF */
        if ((r->flags & ROUTE_NO_CSRF) && r->perm != PERM_PUBLIC) {
            fail_msg("route %s %s skips CSRF but needs a login", r->method,
                     r->pattern);
        }
    }
}

/* The path of route r as the document writes it: relative to the server
 * URL (servers[0].url, e.g. "/api/v1"), or NULL when r lies outside it. */
static const char *openapi_key(const char *base, const Route *r)
{
    size_t n = strlen(base);

    if (strncmp(r->pattern, base, n) != 0) {
        return NULL;
    }
    return r->pattern + n;
}

static const char *openapi_base(json_t *doc)
{
    json_t *servers = json_object_get(doc, "servers");
    const char *url =
        json_string_value(json_object_get(json_array_get(servers, 0), "url"));

    if (!url || strcmp(url, "/") == 0) {
        return "";
    }
    return url;
}

static void test_openapi_covers_routes(void **state)
{
    json_error_t jerr;
    json_t *doc = json_loadb(kc_openapi_json, kc_openapi_json_len, 0, &jerr);
    json_t *paths;
    const char *base;
    const char *path;
    json_t *ops;
    int i;

    (void)state;
    if (!doc) {
        fail_msg("openapi.json does not parse: line %d: %s", jerr.line,
                 jerr.text);
    }
    assert_non_null(json_string_value(json_object_get(doc, "openapi")));
    assert_true(strncmp(json_string_value(json_object_get(doc, "openapi")),
                        "3.", 2) == 0);
    base = openapi_base(doc);
    paths = json_object_get(doc, "paths");
    assert_non_null(paths);
    /* table -> document */
    for (i = 0; i < api_routes.n; i++) {
        char method[16];
        size_t k;
        const char *key = openapi_key(base, &api_routes.v[i]);
        json_t *p = key ? json_object_get(paths, key) : NULL;
        json_t *op;

        for (k = 0; api_routes.v[i].method[k] && k < sizeof method - 1; k++) {
            method[k] = (char)(api_routes.v[i].method[k] | 0x20);
        }
        method[k] = '\0';
        op = p ? json_object_get(p, method) : NULL;
        if (!op) {
            fail_msg("route %s %s is missing from openapi.json",
                     api_routes.v[i].method, api_routes.v[i].pattern);
        }
        assert_non_null(json_object_get(op, "summary"));
        assert_non_null(json_object_get(op, "responses"));
    }
    /* document -> table */
    json_object_foreach(paths, path, ops)
    {
        const char *m;
        json_t *op;

        json_object_foreach(ops, m, op)
        {
            int found = 0;
            if (strcmp(m, "parameters") == 0 || strcmp(m, "summary") == 0 ||
                strcmp(m, "description") == 0) {
                continue;
            }
            for (i = 0; i < api_routes.n; i++) {
                const char *key = openapi_key(base, &api_routes.v[i]);
                if (key && strcasecmp(api_routes.v[i].method, m) == 0 &&
                    strcmp(key, path) == 0) {
                    found = 1;
                }
            }
            if (!found) {
                fail_msg("openapi.json documents %s %s, which is no route", m,
                         path);
            }
        }
    }
    json_decref(doc);
}

static void test_router_404_405(void **state)
{
    Arena a;
    Ctx c;
    int status = 0;
    char allow[64];
    const Route *r;

    (void)state;
    arena_init(&a, 0);
    memset(&c, 0, sizeof c);
    c.arena = &a;
    r = router_match(&api_routes, "GET", "/api/v1/nope", &c, &status, allow,
                     sizeof allow);
    assert_null(r);
    assert_int_equal(status, 404);
    r = router_match(&api_routes, "PUT", "/api/v1/healthz", &c, &status, allow,
                     sizeof allow);
    assert_null(r);
    assert_int_equal(status, 405);
    assert_string_equal(allow, "GET");
    r = router_match(&api_routes, "PUT", "/api/v1/users", &c, &status, allow,
                     sizeof allow);
    assert_null(r);
    assert_int_equal(status, 405);
    assert_string_equal(allow, "GET, POST");
    /* HEAD is served by GET routes */
    r = router_match(&api_routes, "HEAD", "/api/v1/healthz", &c, &status, allow,
                     sizeof allow);
    assert_non_null(r);
    /* trailing slash is another path */
    r = router_match(&api_routes, "GET", "/api/v1/healthz/", &c, &status, allow,
                     sizeof allow);
    assert_null(r);
    assert_int_equal(status, 404);
    arena_release(&a);
}

static void test_router_params(void **state)
{
    Arena a;
    Ctx c;
    int status = 0;
    char allow[64];
    const Route *r;

    (void)state;
    arena_init(&a, 0);
    memset(&c, 0, sizeof c);
    c.arena = &a;
    r = router_match(&api_routes, "GET", "/api/v1/users/42", &c, &status, allow,
                     sizeof allow);
    assert_non_null(r);
    assert_int_equal(c.n_params, 1);
    assert_string_equal(ctx_param(&c, "id"), "42");
    r = router_match(&api_routes, "POST", "/api/v1/users/4%32/password", &c,
                     &status, allow, sizeof allow);
    assert_non_null(r);
    assert_string_equal(ctx_param(&c, "id"), "42");
    /* an escape that decodes to '/' or NUL, or is malformed: no object */
    r = router_match(&api_routes, "GET", "/api/v1/users/4%2F2", &c, &status,
                     allow, sizeof allow);
    assert_null(r);
    assert_int_equal(status, 404);
    r = router_match(&api_routes, "GET", "/api/v1/users/%00", &c, &status,
                     allow, sizeof allow);
    assert_null(r);
    r = router_match(&api_routes, "GET", "/api/v1/users/%4", &c, &status, allow,
                     sizeof allow);
    assert_null(r);
    /* an empty segment does not match {id} */
    r = router_match(&api_routes, "GET", "/api/v1/users/", &c, &status, allow,
                     sizeof allow);
    assert_null(r);
    arena_release(&a);
}

static void test_query_and_cookies(void **state)
{
    Arena a;
    HttpReq req;

    (void)state;
    arena_init(&a, 0);
    memset(&req, 0, sizeof req);
    req.arena = &a;
    req.query = "page=2&q=%E4%B8%AD+%E6%96%87&flag&x=%zz&empty=";
    assert_string_equal(http_query_get(&req, "page"), "2");
    assert_string_equal(http_query_get(&req, "q"), "中 文");
    assert_string_equal(http_query_get(&req, "flag"), "");
    assert_string_equal(http_query_get(&req, "x"), "%zz");
    assert_string_equal(http_query_get(&req, "empty"), "");
    assert_null(http_query_get(&req, "missing"));
    req.headers[0].name = "cookie";
    req.headers[0].value = "a=1; kc_session=abc.def; kc_sessionx=no";
    req.n_headers = 1;
    assert_string_equal(http_cookie_get(&req, "kc_session"), "abc.def");
    assert_string_equal(http_cookie_get(&req, "a"), "1");
    assert_null(http_cookie_get(&req, "kc"));
    assert_string_equal(http_req_header(&req, "COOKIE"), req.headers[0].value);
    arena_release(&a);
}

/* The one percent-decoder, in both modes, and its bound. */
static void test_pct_decode(void **state)
{
    char out[16];

    (void)state;
    assert_int_equal(http_pct_decode("a%2Fb+c", 7, out, sizeof out, 0), 5);
    assert_string_equal(out, "a/b+c");
    assert_int_equal(
        http_pct_decode("a+b%zz", 6, out, sizeof out, HTTP_PCT_PLUS), 6);
    assert_string_equal(out, "a b%zz"); /* malformed escape kept */
    assert_int_equal(http_pct_decode("a%00b", 5, out, sizeof out, 0), 2);
    assert_string_equal(out, "ab"); /* NUL dropped */
    assert_int_equal(
        http_pct_decode("a%2Fb", 5, out, sizeof out, HTTP_PCT_STRICT), -1);
    assert_int_equal(
        http_pct_decode("a%00b", 5, out, sizeof out, HTTP_PCT_STRICT), -1);
    assert_int_equal(
        http_pct_decode("a%4", 3, out, sizeof out, HTTP_PCT_STRICT), -1);
    assert_int_equal(
        http_pct_decode("%E4%B8%AD", 9, out, sizeof out, HTTP_PCT_STRICT), 3);
    assert_string_equal(out, "中");
    /* too long for out: refused, never cut */
    assert_int_equal(http_pct_decode("0123456789abcdefg", 17, out, sizeof out,
                                     HTTP_PCT_STRICT),
                     -1);
}

/* The body cap comes from the route the router finds, query or not. */
static void test_body_cap(void **state)
{
    App app;

    (void)state;
    memset(&app, 0, sizeof app);
    app.routes = api_routes;
    assert_int_equal(http_body_cap(&app, "POST", "/api/v1/imports/enterprises"),
                     HTTP_UPLOAD_MAX);
    assert_int_equal(http_body_cap(&app, "POST", "/api/v1/imports/ip?x=1"),
                     HTTP_UPLOAD_MAX);
    assert_int_equal(http_body_cap(&app, "PUT", "/api/v1/imports/ip"),
                     HTTP_BODY_MAX);
    assert_int_equal(http_body_cap(&app, "POST", "/api/v1/imports/ip/extra"),
                     HTTP_BODY_MAX);
    assert_int_equal(http_body_cap(&app, "POST", "/api/v1/users"),
                     HTTP_BODY_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_duplicates),
        cmocka_unit_test(test_every_route_well_formed),
        cmocka_unit_test(test_openapi_covers_routes),
        cmocka_unit_test(test_router_404_405),
        cmocka_unit_test(test_router_params),
        cmocka_unit_test(test_query_and_cookies),
        cmocka_unit_test(test_pct_decode),
        cmocka_unit_test(test_body_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
