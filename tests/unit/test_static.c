/* test_static.c - embedded static files: lookup, "/" and the single-page
 * app fallback, 404 and 405, path checks, ETag / If-None-Match, gzip
 * negotiation and cache headers. Works with whatever UI is embedded
 * (web/dist or web/fallback): it only relies on /index.html. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "http/assets.h"
#include "http/http.h"
#include "http/static.h"

typedef struct T {
    Arena arena;
    HttpReq req;
    HttpResp resp;
} T;

/* Serve method + path with up to two extra request headers. */
static void t_serve(T *t, const char *method, const char *path, const char *h1,
                    const char *v1, const char *h2, const char *v2)
{
    memset(t, 0, sizeof *t);
    arena_init(&t->arena, 0);
    t->req.arena = &t->arena;
    t->req.method = method;
    t->req.path = path;
    t->req.query = "";
    if (h1) {
        t->req.headers[t->req.n_headers].name = h1;
        t->req.headers[t->req.n_headers++].value = v1;
    }
    if (h2) {
        t->req.headers[t->req.n_headers].name = h2;
        t->req.headers[t->req.n_headers++].value = v2;
    }
    http_resp_init(&t->resp);
    assert_int_equal(http_static_serve(&t->req, &t->resp), 0);
}

static void t_done(T *t)
{
    http_resp_release(&t->resp);
    arena_release(&t->arena);
}

static const char *t_header(const T *t, const char *name)
{
    size_t i;

    for (i = 0; i < t->resp.n_headers; i++) {
        if (strcasecmp(t->resp.headers[i].name, name) == 0) {
            return t->resp.headers[i].value;
        }
    }
    return NULL;
}

static const KcAsset *t_index(void)
{
    int i;

    for (i = 0; i < kc_n_assets; i++) {
        if (strcmp(kc_assets[i].path, "/index.html") == 0) {
            return &kc_assets[i];
        }
    }
    fail_msg("no /index.html embedded");
    return NULL;
}

static void test_root_and_index(void **state)
{
    const KcAsset *ix = t_index();
    T t;

    (void)state;
    t_serve(&t, "GET", "/", NULL, NULL, NULL, NULL);
    assert_int_equal(t.resp.status, 200);
    assert_ptr_equal(t.resp.static_body, ix->data);
    assert_int_equal(t.resp.static_len, ix->len);
    assert_string_equal(t.resp.content_type, "text/html; charset=utf-8");
    assert_string_equal(t_header(&t, "ETag"), ix->etag);
    assert_string_equal(t_header(&t, "Cache-Control"), "no-cache");
    assert_null(t_header(&t, "Content-Encoding"));
    t_done(&t);

    t_serve(&t, "HEAD", "/index.html", NULL, NULL, NULL, NULL);
    assert_int_equal(t.resp.status, 200);
    assert_ptr_equal(t.resp.static_body, ix->data);
    t_done(&t);
}

static void test_spa_fallback_and_404(void **state)
{
    const KcAsset *ix = t_index();
    T t;

    (void)state;
    t_serve(&t, "GET", "/enterprises/12/edit", NULL, NULL, NULL, NULL);
    assert_int_equal(t.resp.status, 200);
    assert_ptr_equal(t.resp.static_body, ix->data);
    t_done(&t);

    t_serve(&t, "GET", "/%E4%BC%81%E4%B8%9A", NULL, NULL, NULL, NULL);
    assert_int_equal(t.resp.status, 200);
    t_done(&t);

    t_serve(&t, "GET", "/assets/nope-1234.js", NULL, NULL, NULL, NULL);
    assert_int_equal(t.resp.status, 404);
    t_done(&t);

    t_serve(&t, "GET", "/v1.2/page", NULL, NULL, NULL, NULL);
    assert_int_equal(t.resp.status, 200); /* dot in a directory only */
    t_done(&t);
}

static void test_methods(void **state)
{
    T t;

    (void)state;
    t_serve(&t, "POST", "/index.html", NULL, NULL, NULL, NULL);
    assert_int_equal(t.resp.status, 405);
    assert_string_equal(t_header(&t, "Allow"), "GET, HEAD");
    t_done(&t);
    t_serve(&t, "DELETE", "/", NULL, NULL, NULL, NULL);
    assert_int_equal(t.resp.status, 405);
    t_done(&t);
}

static void test_bad_paths(void **state)
{
    static const char *const bad[] = {
        "/..",           "/a/../index.html",
        "/a/%2e%2e/b",   "/%2E%2e/x",
        "/./index.html", "/a/%00b",
        "/a%2fb",        "/a\\b",
        "/%zz",          "/%4",
        "relative",      "/a/.",
    };
    size_t i;
    T t;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t_serve(&t, "GET", bad[i], NULL, NULL, NULL, NULL);
        if (t.resp.status != 400) {
            fail_msg("%s: status %d, want 400", bad[i], t.resp.status);
        }
        t_done(&t);
    }
    /* dots inside names are fine */
    t_serve(&t, "GET", "/a..b/c", NULL, NULL, NULL, NULL);
    assert_int_equal(t.resp.status, 200);
    t_done(&t);
}

static void test_etag(void **state)
{
    const KcAsset *ix = t_index();
    char list[128];
    char weak[64];
    T t;

    (void)state;
    t_serve(&t, "GET", "/", "If-None-Match", ix->etag, NULL, NULL);
    assert_int_equal(t.resp.status, 304);
    assert_int_equal(t.resp.static_len, 0);
    assert_string_equal(t_header(&t, "ETag"), ix->etag);
    t_done(&t);

    snprintf(list, sizeof list, "\"other\", %s ,\"x\"", ix->etag);
    t_serve(&t, "GET", "/", "If-None-Match", list, NULL, NULL);
    assert_int_equal(t.resp.status, 304);
    t_done(&t);

    snprintf(weak, sizeof weak, "W/%s", ix->etag);
    t_serve(&t, "GET", "/", "If-None-Match", weak, NULL, NULL);
    assert_int_equal(t.resp.status, 304);
    t_done(&t);

    t_serve(&t, "GET", "/", "If-None-Match", "*", NULL, NULL);
    assert_int_equal(t.resp.status, 304);
    t_done(&t);

    t_serve(&t, "GET", "/", "If-None-Match", "\"0000\"", NULL, NULL);
    assert_int_equal(t.resp.status, 200);
    t_done(&t);
}

static void test_gzip(void **state)
{
    const KcAsset *ix = t_index();
    static const char *const yes[] = {"gzip", "deflate, gzip;q=0.5", "*",
                                      "br, GZIP", "x-gzip"};
    static const char *const no[] = {
        "", "br", "gzip;q=0", "gzip; q=0.0", "identity", "gzipx"};
    size_t i;
    T t;

    (void)state;
    if (!ix->gz || ix->gz_len >= ix->len) {
        skip();
    }
    for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        t_serve(&t, "GET", "/", "Accept-Encoding", yes[i], NULL, NULL);
        if (t.resp.static_body != ix->gz) {
            fail_msg("Accept-Encoding %s: want gzip", yes[i]);
        }
        assert_int_equal(t.resp.static_len, ix->gz_len);
        assert_string_equal(t_header(&t, "Content-Encoding"), "gzip");
        assert_string_equal(t_header(&t, "Vary"), "Accept-Encoding");
        t_done(&t);
    }
    for (i = 0; i < sizeof no / sizeof no[0]; i++) {
        t_serve(&t, "GET", "/", "Accept-Encoding", no[i], NULL, NULL);
        if (t.resp.static_body != ix->data) {
            fail_msg("Accept-Encoding %s: want identity", no[i]);
        }
        assert_null(t_header(&t, "Content-Encoding"));
        t_done(&t);
    }
}

static void test_assets_cache(void **state)
{
    int i;
    T t;

    (void)state;
    for (i = 0; i < kc_n_assets; i++) {
        const KcAsset *a = &kc_assets[i];
        t_serve(&t, "GET", a->path, NULL, NULL, NULL, NULL);
        assert_int_equal(t.resp.status, 200);
        assert_ptr_equal(t.resp.static_body, a->data);
        assert_string_equal(t.resp.content_type, a->content_type);
        if (strncmp(a->path, "/assets/", 8) == 0) {
            assert_string_equal(t_header(&t, "Cache-Control"),
                                "public, max-age=31536000, immutable");
        } else {
            assert_string_equal(t_header(&t, "Cache-Control"), "no-cache");
        }
        t_done(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_and_index),
        cmocka_unit_test(test_spa_fallback_and_404),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_etag),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_assets_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
