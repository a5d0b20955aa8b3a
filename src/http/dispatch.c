/* dispatch.c - one request through the route table.
 *
 * Everything that must hold for every route is enforced here and nowhere
 * else: 404 vs 405 (with Allow), authentication (session cookie or Bearer
 * API token), 403 password_change_required for a user who must change the
 * password (every route but those flagged ROUTE_PW_CHANGE), the route's
 * permission, CSRF on unsafe methods of cookie sessions, the client address
 * given by a trusted proxy, strict JSON bodies, the data scope of the {id} in
 * the path (outside the scope is answered exactly like a missing object),
 * security headers and no-store caching of API answers.
 *
 * The checks that need no body (dispatch_gate) also run on their own, from
 * http_dispatch_head, when the transport has the headers of a request with
 * a body and has not read it yet: a refused request is answered before its
 * body is read, and the route decides the body cap and whether the body
 * goes to a spool file. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/utf8.h"
#include "domain/accounts/scope.h"
#include "domain/accounts/session.h"
#include "http/app.h"
#include "http/ctx.h"
#include "http/http.h"
#include "http/routes.h"
#include "http/static.h"

#define API_PREFIX "/api/"
/* Nesting of arrays and objects a request body may have. No endpoint
 * needs more than a few levels; jansson's own limit (2048) would let the
 * recursive parse, copy, dump and free (and audit_strip) go that deep. */
#define API_JSON_MAX_DEPTH 32

/* Content-Security-Policy: no inline or foreign script, no framing. Inline
 * style attributes are allowed because the UI library sets them. */
static const char dispatch_csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'";

static void dispatch_security_headers(HttpResp *resp)
{
    http_resp_header(resp, "Content-Security-Policy", dispatch_csp);
    http_resp_header(resp, "X-Content-Type-Options", "nosniff");
    http_resp_header(resp, "X-Frame-Options", "DENY");
    http_resp_header(resp, "Referrer-Policy", "same-origin");
    http_resp_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

/* Answer an error that is not tied to an Err code's default status. */
static void dispatch_fail(Ctx *c, int status, const char *code,
                          const char *field, const char *msg)
{
    http_resp_error(c->resp, status, code, field, msg);
}

size_t http_body_cap(const App *app, const char *method, const char *path)
{
    char bare[2048]; /* longer than any route pattern can match */
    size_t n = strcspn(path, "?");
    const Route *r;
    int status = 0;

    if (n >= sizeof bare) {
        return HTTP_BODY_MAX; /* no route is that long */
    }
    memcpy(bare, path, n);
    bare[n] = '\0';
    /* the router's own matching, without captures (no Ctx yet) */
    r = router_match(&app->routes, method, bare, NULL, &status, NULL, 0);
    return (r && (r->flags & ROUTE_UPLOAD)) ? HTTP_UPLOAD_MAX : HTTP_BODY_MAX;
}

/* Is the method one that changes state? */
static int dispatch_unsafe(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

/* Constant-time comparison of two NUL-terminated tokens. */
static int dispatch_token_eq(const char *a, const char *b)
{
    size_t na = strlen(a);
    size_t nb = strlen(b);
    unsigned char d = 0;
    size_t i;

    if (na != nb || na == 0) {
        return 0;
    }
    for (i = 0; i < na; i++) {
        d |= (unsigned char)(a[i] ^ b[i]);
    }
    return d == 0;
}

/* Authenticate from the Bearer token or the session cookie. 0 when the
 * request carries valid credentials or none; ERR_AUTH when it carries bad
 * ones. */
static int dispatch_authenticate(Ctx *c, Err *e)
{
    const char *auth = http_req_header(c->req, "Authorization");
    const char *addr = c->req->remote_addr ? c->req->remote_addr : "";
    const char *cookie;

    if (auth) {
        if (strncasecmp(auth, "Bearer ", 7) != 0) {
            return err_set(e, ERR_AUTH, "", "不支持的认证方式");
        }
        return apitoken_resolve(c->db, auth + 7, addr, &c->actor, e);
    }
    cookie = http_cookie_get(c->req, SESSION_COOKIE);
    if (cookie && *cookie) {
        return session_resolve(c->db, cookie, addr, c->app->session_hours,
                               &c->actor, c->csrf, e);
    }
    return 0;
}

/* 1 when the arrays and objects of JSON text s nest at most max deep
 * (brackets inside strings do not count; invalid text is left to the
 * parser). */
static int dispatch_json_depth_ok(const char *s, size_t n, int max)
{
    int depth = 0, in_str = 0;

    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\') {
                i++;
            } else if (ch == '"') {
                in_str = 0;
            }
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            if (++depth > max) {
                return 0;
            }
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return 1;
}

/* Parse the JSON body into c->json. */
static int dispatch_parse_body(Ctx *c, Err *e)
{
    const char *ct;
    json_error_t jerr;

    if (!c->req->body || c->req->body_len == 0) {
        return 0;
    }
    ct = http_req_header(c->req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
        return err_set(e, ERR_INVALID, "Content-Type",
                       "请求体必须是 JSON（Content-Type: application/json）");
    }
    if (!dispatch_json_depth_ok(c->req->body, c->req->body_len,
                                API_JSON_MAX_DEPTH)) {
        return err_set(e, ERR_INVALID, "",
                       "请求体嵌套过深（数组和对象最多嵌套 %d 层）",
                       API_JSON_MAX_DEPTH);
    }
    c->json = json_loadb(c->req->body, c->req->body_len, JSON_REJECT_DUPLICATES,
                         &jerr);
    if (!c->json) {
        return err_set(e, ERR_INVALID, "",
                       "请求体不是有效的 JSON：第 %d 行第 %d 列附近有错误",
                       jerr.line, jerr.column);
    }
    if (!json_is_object(c->json)) {
        return err_set(e, ERR_INVALID, "", "请求体必须是 JSON 对象");
    }
    return 0;
}

/* Every name and value of the query string must decode to UTF-8 text: a
 * handler may hand one to the database, and PostgreSQL refuses invalid
 * bytes (a 500 where the caller gets a 400 here). */
static int dispatch_query_ok(Ctx *c, Err *e)
{
    const char *q = c->req->query;

    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        char *out = arena_alloc(c->arena, len + 1);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        long n =
            out ? http_pct_decode(q, len, out, len + 1, HTTP_PCT_PLUS) : -1;
        size_t bad;

        if (n < 0) {
            return err_set(e, ERR_TOOBIG, "", "查询字符串过长");
        }
        if (!utf8_validate(out, (size_t)n, &bad)) {
            char name[64];
            long kn =
                http_pct_decode(q, klen, name, sizeof name, HTTP_PCT_PLUS);
            size_t kbad;

            if (kn < 0 || !utf8_validate(name, (size_t)kn, &kbad)) {
                snprintf(name, sizeof name, "?");
            }
            return err_set(e, ERR_INVALID, name,
                           "查询参数“%s”含有无效字符（须为 UTF-8 文本）", name);
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

/* What can be decided from the request line and the headers alone, before
 * any byte of the body is read: the route (404, 405), authentication, the
 * password change a user still owes, the permission and CSRF. 0 when the
 * request may go on (c->route set); else the answer is in c->resp. */
static int dispatch_gate(Ctx *c)
{
    const Route *r;
    int status = 404;
    char allow[64];
    Err e;
    int rc;

    err_clear(&e);
    r = router_match(&c->app->routes, c->req->method, c->req->path, c, &status,
                     allow, sizeof allow);
    if (!r) {
        if (status == 405) {
            http_resp_header(c->resp, "Allow", arena_strdup(c->arena, allow));
            dispatch_fail(c, 405, "method_not_allowed", NULL,
                          "该地址不支持此请求方法");
        } else {
            dispatch_fail(c, 404, "not_found", NULL, "接口不存在");
        }
        return -1;
    }
    c->route = r;
    if (r->perm == PERM_PUBLIC) {
        return 0;
    }
    rc = dispatch_authenticate(c, &e);
    if (rc || c->actor.user_id == 0) {
        if (rc && rc != ERR_AUTH) {
            ctx_reply_error(c, &e);
        } else {
            dispatch_fail(c, 401, "unauthenticated", NULL,
                          "未登录或登录已过期，请重新登录");
        }
        return -1;
    }
    if (c->actor.must_change_password && !(r->flags & ROUTE_PW_CHANGE)) {
        dispatch_fail(c, 403, "password_change_required", NULL,
                      "请先修改初始密码，再进行其他操作");
        return -1;
    }
    if (!perm_allows(c->actor.role, r->perm)) {
        dispatch_fail(c, 403, "forbidden", NULL, "没有执行此操作的权限");
        return -1;
    }
    if (dispatch_unsafe(c->req->method) && !(r->flags & ROUTE_NO_CSRF) &&
        c->actor.session_id != 0) {
        const char *tok = http_req_header(c->req, "X-CSRF-Token");
        if (!tok || !dispatch_token_eq(tok, c->csrf)) {
            dispatch_fail(c, 403, "csrf", "X-CSRF-Token",
                          "缺少或错误的 CSRF 令牌，请刷新页面后重试");
            return -1;
        }
    }
    return 0;
}

/* The API part of dispatch: everything between routing and the handler. */
static void dispatch_api(Ctx *c)
{
    const Route *r;
    Err e;
    int rc;

    err_clear(&e);
    if (dispatch_gate(c) != 0) {
        return;
    }
    r = c->route;
    rc = dispatch_query_ok(c, &e);
    if (rc) {
        ctx_reply_error(c, &e);
        return;
    }
    if (!(r->flags & (ROUTE_RAW_BODY | ROUTE_UPLOAD))) {
        rc = dispatch_parse_body(c, &e);
        if (rc) {
            if (strcmp(e.field, "Content-Type") == 0) {
                dispatch_fail(c, 415, "unsupported_media_type", e.field, e.msg);
            } else {
                ctx_reply_error(c, &e);
            }
            return;
        }
    }
    if (r->scope != 0) {
        int64_t id;
        rc = ctx_param_id(c, "id", &id, &e);
        if (rc == 0) {
            rc = scope_check(c->db, &c->actor, r->scope, id, &e);
        }
        if (rc) {
            ctx_reply_error(c, &e);
            return;
        }
    }
    rc = r->handler(c, &e);
    if (rc) {
        if (err_http_status(rc) >= 500) {
            log_error("%s %s: %s", c->req->method, c->req->path, e.msg);
        }
        if (e.code == ERR_OK) {
            e.code = rc;
        }
        ctx_reply_error(c, &e);
    }
}

/* Headers every API answer carries; a transaction a handler left open is
 * rolled back. */
static void dispatch_api_done(Ctx *c)
{
    http_resp_header(c->resp, "Cache-Control", "no-store");
    if (c->db && db_in_tx(c->db)) {
        log_error("%s %s left a transaction open; rolled back", c->req->method,
                  c->req->path);
        db_rollback(c->db);
    }
}

static void dispatch_ctx_init(Ctx *c, App *app, Db *db, HttpReq *req,
                              HttpResp *resp)
{
    memset(c, 0, sizeof *c);
    c->app = app;
    c->db = db;
    c->arena = req->arena;
    c->req = req;
    c->resp = resp;
    if (app && app->trust_proxy) {
        http_req_trust_proxy(req);
    }
}

int http_dispatch_head(App *app, Db *db, HttpReq *req, HttpResp *resp,
                       HttpGate *g)
{
    Ctx c;
    int rc = 0;

    g->body_cap = HTTP_BODY_MAX;
    g->upload = 0;
    g->user_id = 0;
    dispatch_ctx_init(&c, app, db, req, resp);
    if (strncmp(req->path, API_PREFIX, strlen(API_PREFIX)) != 0) {
        return 0;
    }
    if (dispatch_gate(&c) != 0) {
        dispatch_api_done(&c);
        dispatch_security_headers(resp);
        rc = -1;
        goto out;
    }
    if (c.route->flags & ROUTE_UPLOAD) {
        g->body_cap = HTTP_UPLOAD_MAX;
        g->upload = 1;
    }
    g->user_id = c.actor.user_id;
out:
    if (db && db_in_tx(db)) {
        db_rollback(db);
    }
    return rc;
}

void http_dispatch(App *app, Db *db, HttpReq *req, HttpResp *resp)
{
    Ctx c;

    dispatch_ctx_init(&c, app, db, req, resp);
    if (strncmp(req->path, API_PREFIX, strlen(API_PREFIX)) == 0) {
        dispatch_api(&c);
        dispatch_api_done(&c);
    } else {
        http_static_serve(req, resp);
    }
    if (c.json) {
        json_decref(c.json);
    }
    dispatch_security_headers(resp);
}
