/* api_session.c - log in, current user, log out, change own password. */
#include "api/api.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "domain/accounts/user.h"
#include "domain/io/fieldname.h"

/* Set-Cookie value for the session token (arena); token "" clears it. */
static const char *api_session_cookie(Ctx *c, const char *token)
{
    int secure = c->app && (c->app->secure_cookies || c->req->tls);

    if (!*token) {
        return arena_sprintf(c->arena,
                             "%s=; Path=/; Max-Age=0; HttpOnly; "
                             "SameSite=Strict%s",
                             SESSION_COOKIE, secure ? "; Secure" : "");
    }
    return arena_sprintf(c->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
                         SESSION_COOKIE, token, secure ? "; Secure" : "");
}

/* {"user": {...}, "csrf_token": "..."} for the actor. */
static int api_session_reply(Ctx *c, int status, const Actor *a,
                             const char *csrf, Err *e)
{
    json_t *user = NULL;
    Actor self = *a;
    int rc;

    /* One's own record is readable even when an API token narrows the
     * scope to a unit below the owner's. */
    snprintf(self.unit_path, sizeof self.unit_path, "/");
    rc = user_get(c->db, &self, a->user_id, &user, e);
    if (rc) {
        return rc;
    }
    if (a->token_id) {
        json_object_set_new(user, "token_id", json_integer(a->token_id));
        json_object_set_new(user, "role", json_string(role_code(a->role)));
        json_object_set_new(user, "role_name", json_string(role_name(a->role)));
    }
    return ctx_reply_json(
        c, status,
        json_pack("{sos:s}", "user", user, "csrf_token", csrf ? csrf : ""));
}

int api_session_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"username", "password", NULL};
    char token[SESSION_TOKEN_MAX + 1];
    char csrf[CSRF_TOKEN_LEN + 1];
    const char *username = NULL;
    const char *password;
    const char *cookie;
    json_t *pw;
    int retry = 0;
    Actor a;
    int rc;

    rc = ctx_json_fields(c, fields, e);
    if (rc) {
        return rc;
    }
    rc = ctx_json_str(c, "username", 1, 64, &username, NULL, e);
    if (rc) {
        return rc;
    }
    /* The password is taken as is: no trimming. */
    pw = json_object_get(c->json, "password");
    if (!pw || json_is_null(pw)) {
        return err_set(e, ERR_INVALID, "password", "缺少必填字段：密码");
    }
    if (!json_is_string(pw)) {
        return err_set(e, ERR_INVALID, "password", "字段 password 应为字符串");
    }
    password = json_string_value(pw);
    rc = session_login(c->db, username, password,
                       c->req->remote_addr ? c->req->remote_addr : "",
                       c->app ? c->app->session_hours : 12, token, csrf, &a,
                       &retry, e);
    if (rc == ERR_THROTTLED || rc == ERR_BUSY) {
        const char *v = arena_sprintf(c->arena, "%d", retry > 0 ? retry : 1);
        if (v) {
            http_resp_header(c->resp, "Retry-After", v);
        }
        ctx_reply_error(c, e);
        return 0;
    }
    if (rc) {
        return rc;
    }
    cookie = api_session_cookie(c, token);
    memset(token, 0, sizeof token);
    if (cookie) {
        http_resp_header(c->resp, "Set-Cookie", cookie);
    }
    return api_session_reply(c, 200, &a, csrf, e);
}

int api_session_get(Ctx *c, Err *e)
{
    return api_session_reply(c, 200, &c->actor, c->csrf, e);
}

int api_session_delete(Ctx *c, Err *e)
{
    const char *cookie;
    int rc;

    if (c->actor.token_id) {
        return err_set(e, ERR_INVALID, NULL,
                       "API 令牌没有会话可退出；如需停用请吊销令牌");
    }
    rc = session_logout(c->db, &c->actor, e);
    if (rc) {
        return rc;
    }
    cookie = api_session_cookie(c, "");
    if (cookie) {
        http_resp_header(c->resp, "Set-Cookie", cookie);
    }
    return ctx_reply_empty(c);
}

int api_session_password(Ctx *c, Err *e)
{
    static const char *const fields[] = {"old_password", "new_password", NULL};
    const char *pw[2] = {NULL, NULL};
    int i;
    int rc;

    if (c->actor.token_id) {
        return err_set(e, ERR_FORBIDDEN, NULL, "API 令牌不能修改密码");
    }
    rc = ctx_json_fields(c, fields, e);
    if (rc) {
        return rc;
    }
    for (i = 0; i < 2; i++) {
        json_t *v = json_object_get(c->json, fields[i]);
        if (!v || json_is_null(v)) {
            return err_set(e, ERR_INVALID, fields[i], "缺少必填字段：%s",
                           fieldname_or_key(fields[i]));
        }
        if (!json_is_string(v)) {
            return err_set(e, ERR_INVALID, fields[i], "字段“%s”应为字符串",
                           fieldname_or_key(fields[i]));
        }
        pw[i] = json_string_value(v);
    }
    rc = user_change_password(c->db, &c->actor, pw[0], pw[1], e);
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}
