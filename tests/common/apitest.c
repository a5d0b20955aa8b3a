/* apitest.c - in-process API test harness (see apitest.h). */
#include "api/api.h"
#include "apitest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/uscc.h"
#include "domain/accounts/org.h"
#include "domain/accounts/pwpool.h"
#include "domain/accounts/user.h"
#include "http/http.h"
#include "testdb.h"

ApiTest *apitest_new(void)
{
    ApiTest *t = xcalloc(1, sizeof *t);
    Actor sys;
    UserInput in;
    Err e;

    if (!getenv("KECHUANG_LOG")) {
        log_set_level(LOG_ERROR);
    }
    user_set_hash_cost_for_tests();
    /* a test binary logs in far more often than the server's global rate
     * allows; the rate's own tests set it */
    pwpool_set_rate_for_tests(1000000, 1000000);
    snprintf(t->dir, sizeof t->dir, "/tmp/kc_apitest_XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
    testdb_use(t->path, sizeof t->path, t->dir);
    err_clear(&e);
    assert_int_equal(db_open(&t->db, t->path, &e), 0);
    assert_int_equal(db_migrate(t->db, NULL, &e), 0);
    actor_init_system(&sys);
    assert_int_equal(org_create_root(t->db, &sys, "测试区", &t->root_id, &e),
                     0);
    memset(&in, 0, sizeof in);
    in.username = "admin";
    in.display_name = "管理员";
    in.password = APITEST_ADMIN_PASSWORD;
    in.role = ROLE_ADMIN;
    in.unit_id = t->root_id;
    assert_int_equal(user_create(t->db, &sys, &in, &t->admin_id, &e), 0);
    snprintf(t->app.db_location, sizeof t->app.db_location, "%s", t->path);
    t->app.session_hours = 12;
    t->app.routes = api_routes;
    t->send_csrf = 1;
    snprintf(t->addr, sizeof t->addr, "127.0.0.1");
    return t;
}

void apitest_free(ApiTest *t)
{
    char p[300];

    if (!t) {
        return;
    }
    db_close(t->db);
    testdb_drop(t->path);
    snprintf(p, sizeof p, "%s-wal", t->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", t->path);
    unlink(p);
    unlink(t->path);
    rmdir(t->dir);
    free(t);
}

static void apitest_add_header(HttpReq *req, const char *name,
                               const char *value)
{
    assert_true(req->n_headers < HTTP_MAX_HEADERS);
    req->headers[req->n_headers].name = name;
    req->headers[req->n_headers].value = value;
    req->n_headers++;
}

int apitest_request(ApiTest *t, const char *method, const char *url,
                    const char *body, const char *const *extra, ApiResp *r)
{
    return apitest_request_len(t, method, url, body, body ? strlen(body) : 0,
                               extra, r);
}

int apitest_request_len(ApiTest *t, const char *method, const char *url,
                        const char *body, size_t body_len,
                        const char *const *extra, ApiResp *r)
{
    char auth[96];
    char *path = xstrdup(url);
    char *q = strchr(path, '?');
    HttpResp resp;
    HttpReq req;
    Arena arena;
    size_t i;

    memset(r, 0, sizeof *r);
    memset(&req, 0, sizeof req);
    arena_init(&arena, 0);
    if (q) {
        *q++ = '\0';
    }
    req.method = method;
    req.path = path;
    req.query = q ? q : "";
    req.remote_addr = t->addr;
    req.arena = &arena;
    if (body) {
        req.body = body;
        req.body_len = body_len;
        apitest_add_header(&req, "Content-Type", "application/json");
    }
    if (t->cookie[0]) {
        apitest_add_header(&req, "Cookie", t->cookie);
    }
    if (t->send_csrf && t->csrf[0]) {
        apitest_add_header(&req, "X-CSRF-Token", t->csrf);
    }
    if (t->bearer[0]) {
        snprintf(auth, sizeof auth, "Bearer %s", t->bearer);
        apitest_add_header(&req, "Authorization", auth);
    }
    for (i = 0; extra && extra[i] && extra[i + 1]; i += 2) {
        apitest_add_header(&req, extra[i], extra[i + 1]);
    }
    http_resp_init(&resp);
    http_dispatch(&t->app, t->db, &req, &resp);
    r->status = resp.status;
    if (resp.static_body) {
        r->body = xmalloc(resp.static_len + 1);
        memcpy(r->body, resp.static_body, resp.static_len);
        r->body[resp.static_len] = '\0';
        r->body_len = resp.static_len;
    } else {
        r->body = xmalloc(resp.body.len + 1);
        memcpy(r->body, resp.body.data, resp.body.len);
        r->body[resp.body.len] = '\0';
        r->body_len = resp.body.len;
    }
    if (resp.content_type && strstr(resp.content_type, "json")) {
        r->json = json_loadb(r->body, r->body_len, 0, NULL);
    }
    for (i = 0; i < resp.n_headers && r->n_headers < APITEST_MAX_HEADERS; i++) {
        r->hname[r->n_headers] = xstrdup(resp.headers[i].name);
        r->hvalue[r->n_headers] = xstrdup(resp.headers[i].value);
        r->n_headers++;
    }
    if (resp.content_type && r->n_headers < APITEST_MAX_HEADERS) {
        r->hname[r->n_headers] = xstrdup("Content-Type");
        r->hvalue[r->n_headers] = xstrdup(resp.content_type);
        r->n_headers++;
    }
    http_resp_release(&resp);
    arena_release(&arena);
    free(path);
    return r->status;
}

int apitest_status(ApiTest *t, const char *method, const char *url,
                   const char *body)
{
    ApiResp r;
    int status = apitest_request(t, method, url, body, NULL, &r);

    apiresp_release(&r);
    return status;
}

void apiresp_release(ApiResp *r)
{
    int i;

    free(r->body);
    json_decref(r->json);
    for (i = 0; i < r->n_headers; i++) {
        free(r->hname[i]);
        free(r->hvalue[i]);
    }
    memset(r, 0, sizeof *r);
}

const char *apiresp_header(const ApiResp *r, const char *name)
{
    int i;

    for (i = 0; i < r->n_headers; i++) {
        if (strcasecmp(r->hname[i], name) == 0) {
            return r->hvalue[i];
        }
    }
    return NULL;
}

int apitest_login(ApiTest *t, const char *username, const char *password)
{
    json_t *body =
        json_pack("{ssss}", "username", username, "password", password);
    char *text = json_dumps(body, JSON_COMPACT);
    ApiResp r;
    int status;

    apitest_logout_local(t);
    status = apitest_request(t, "POST", "/api/v1/session", text, NULL, &r);
    if (status == 200) {
        const char *sc = apiresp_header(&r, "Set-Cookie");
        const char *csrf =
            json_string_value(json_object_get(r.json, "csrf_token"));
        size_t n;

        assert_non_null(sc);
        assert_non_null(csrf);
        n = strcspn(sc, ";");
        assert_true(n < sizeof t->cookie);
        memcpy(t->cookie, sc, n);
        t->cookie[n] = '\0';
        snprintf(t->csrf, sizeof t->csrf, "%s", csrf);
    }
    apiresp_release(&r);
    free(text);
    json_decref(body);
    return status;
}

void apitest_logout_local(ApiTest *t)
{
    t->cookie[0] = '\0';
    t->csrf[0] = '\0';
    t->bearer[0] = '\0';
}

int64_t apitest_add_unit(ApiTest *t, int64_t parent, const char *name,
                         const char *kind)
{
    OrgInput in;
    int64_t id = 0;
    Actor sys;
    Err e;

    actor_init_system(&sys);
    memset(&in, 0, sizeof in);
    in.parent_id = parent;
    in.name = name;
    in.kind = kind;
    err_clear(&e);
    if (org_create(t->db, &sys, &in, &id, &e) != 0) {
        fail_msg("org_create %s: %s", name, e.msg);
    }
    return id;
}

int64_t apitest_add_user(ApiTest *t, const char *username, const char *password,
                         int role, int64_t unit_id)
{
    UserInput in;
    int64_t id = 0;
    Actor sys;
    Err e;

    actor_init_system(&sys);
    memset(&in, 0, sizeof in);
    in.username = username;
    in.password = password;
    in.role = role;
    in.unit_id = unit_id;
    err_clear(&e);
    if (user_create(t->db, &sys, &in, &id, &e) != 0) {
        fail_msg("user_create %s: %s", username, e.msg);
    }
    return id;
}

void apitest_uscc_series(const char *series, int n, char out[USCC_LEN + 1])
{
    char prefix[32];

    snprintf(prefix, sizeof prefix, "91120102%.2s%07d", series, n % 10000000);
    memcpy(out, prefix, 17);
    out[17] = uscc_check_char(prefix);
    out[18] = '\0';
}

void apitest_uscc(int n, char out[USCC_LEN + 1])
{
    apitest_uscc_series("MA", n, out);
}

const char *apitest_jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

int64_t apitest_jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

int64_t apitest_post_id(ApiTest *t, const char *url, const char *body)
{
    ApiResp r;
    int64_t id;

    apitest_request(t, "POST", url, body, NULL, &r);
    if (r.status != 201) {
        fail_msg("POST %s: %d %s", url, r.status, r.body);
    }
    id = apitest_jint(r.json, "id");
    apiresp_release(&r);
    return id;
}

int64_t apitest_add_ent(ApiTest *t, int n, const char *name, int64_t unit)
{
    char code[USCC_LEN + 1], body[512];

    apitest_uscc(n, code);
    snprintf(body, sizeof body,
             "{\"uscc\": \"%s\", \"name\": \"%s\", \"unit_id\": %lld}", code,
             name, (long long)unit);
    return apitest_post_id(t, "/api/v1/enterprises", body);
}

void apitest_expect_refusal(ApiTest *t, const char *method, const char *url,
                            const char *body, const char *field,
                            const char *what, json_t *table)
{
    char want[1024];
    size_t n = json_array_size(table), len;
    json_t *err;
    ApiResp r;

    assert_true(n > 0);
    len = (size_t)snprintf(want, sizeof want, "%s应为 ", what);
    for (size_t i = 0; i < n && len < sizeof want; i++) {
        json_t *it = json_array_get(table, i);
        len += (size_t)snprintf(want + len, sizeof want - len, "%s%s（%s）",
                                i == 0       ? ""
                                : i + 1 == n ? "或 "
                                             : "、",
                                apitest_jstr(it, "label"),
                                apitest_jstr(it, "value"));
    }
    assert_true(len < sizeof want);
    apitest_request(t, method, url, body, NULL, &r);
    if (r.status != 400) {
        fail_msg("%s %s: %d, expected 400: %s", method, url, r.status, r.body);
    }
    err = json_object_get(r.json, "error");
    assert_string_equal(apitest_jstr(err, "field"), field);
    if (strncmp(apitest_jstr(err, "message"), want, strlen(want)) != 0) {
        fail_msg("%s %s: message \"%s\", expected it to begin \"%s\"", method,
                 url, apitest_jstr(err, "message"), want);
    }
    apiresp_release(&r);
}
