/* token.c - API tokens: create, list, revoke. */
#include "domain/accounts/token.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/secret.h"
#include "base/valid.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/org.h"

int token_role_allowed(int owner_role, int token_role)
{
    int p;

    if (token_role <= ROLE_NONE || token_role >= ROLE__COUNT) {
        return 0;
    }
    for (p = PERM_READ; p < PERM__COUNT; p++) {
        if (perm_allows(token_role, p) && !perm_allows(owner_role, p)) {
            return 0;
        }
    }
    return 1;
}

#define TOKEN_COLS                                                             \
    "t.id, t.name, t.prefix, t.user_id, u.username, t.unit_id, o.name, "       \
    "o.path, t.role, t.created_at, t.expires_at, t.last_used_at, "             \
    "t.revoked_at"

#define TOKEN_FROM                                                             \
    " FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN org_units o "    \
    "ON o.id = t.unit_id"

static json_t *token_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);

    return s ? json_string(s) : json_null();
}

static json_t *token_row_json(DbStmt *st)
{
    json_t *o = json_object();
    int role = (int)db_col_int64(st, 8);

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "name", token_text(st, 1));
    json_object_set_new(o, "prefix", token_text(st, 2));
    json_object_set_new(o, "user_id", json_integer(db_col_int64(st, 3)));
    json_object_set_new(o, "username", token_text(st, 4));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 5)));
    json_object_set_new(o, "unit_name", token_text(st, 6));
    json_object_set_new(o, "unit_path", token_text(st, 7));
    json_object_set_new(o, "role", json_string(role_code(role)));
    json_object_set_new(o, "role_name", json_string(role_name(role)));
    json_object_set_new(o, "created_at", token_text(st, 9));
    json_object_set_new(o, "expires_at", token_text(st, 10));
    json_object_set_new(o, "last_used_at", token_text(st, 11));
    json_object_set_new(o, "revoked", json_boolean(!db_col_is_null(st, 12)));
    json_object_set_new(o, "revoked_at", token_text(st, 12));
    return o;
}

/* Whether the actor may see a token of this owner and unit path. */
static int token_visible(const Actor *a, int64_t owner, const char *path)
{
    return owner == a->user_id ||
           (a->role == ROLE_ADMIN && actor_sees_path(a, path));
}

static int token_read(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT " TOKEN_COLS TOKEN_FROM " WHERE t.id = $1", "i",
                      id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "令牌不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    *out = token_row_json(st);
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

int token_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    int rc = token_read(db, id, out, e);

    if (rc == 0 &&
        !token_visible(a, json_integer_value(json_object_get(*out, "user_id")),
                       json_string_value(json_object_get(*out, "unit_path")))) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(e, ERR_NOTFOUND, "id", "令牌不存在");
    }
    return rc;
}

int token_create(Db *db, const Actor *a, const TokenInput *in, int64_t *id_out,
                 char secret[TOKEN_SECRET_LEN + 1], Err *e)
{
    char name[TOKEN_NAME_MAX * 4 + 1];
    char now[CLOCK_ISO_LEN];
    char expires[CLOCK_ISO_LEN];
    char hash[SECRET_HASH_HEX];
    char prefix[TOKEN_PREFIX_LEN + 1];
    char upath[ACTOR_PATH_MAX];
    int role = in->role ? in->role : a->role;
    int64_t unit_id = in->unit_id ? in->unit_id : a->unit_id;
    json_t *after = NULL;
    int retired = 0;
    int rc;

    secret[0] = '\0';
    if (a->user_id <= 0 || a->token_id) {
        return err_set(e, ERR_FORBIDDEN, NULL, "API 令牌只能由登录的用户创建");
    }
    rc = valid_text(in->name, 1, TOKEN_NAME_MAX, name, sizeof name, "name",
                    "令牌名称", e);
    if (rc) {
        return rc;
    }
    if (role <= ROLE_NONE || role >= ROLE__COUNT) {
        return err_set(e, ERR_INVALID, "role",
                       "角色应为 admin、staff、leader、agent 或 dept");
    }
    if (!token_role_allowed(a->role, role)) {
        return err_set(e, ERR_INVALID, "role",
                       "令牌的角色不能超出本人的权限（本人角色：%s）",
                       role_name(a->role));
    }
    if (in->expires_days < 0 || in->expires_days > TOKEN_EXPIRES_DAYS_MAX) {
        return err_set(e, ERR_INVALID, "expires_days",
                       "有效天数应在 1 到 %d 之间（0 表示不过期）",
                       TOKEN_EXPIRES_DAYS_MAX);
    }
    clock_now_iso(now, 0);
    clock_now_iso(expires, in->expires_days * 86400);
    secret_random_b64(secret + 3, TOKEN_SECRET_LEN - 2, 32);
    memcpy(secret, "kc_", 3);
    secret_sha256_hex(secret, strlen(secret), hash);
    memcpy(prefix, secret, TOKEN_PREFIX_LEN);
    prefix[TOKEN_PREFIX_LEN] = '\0';

    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = org_path(db, unit_id, upath, sizeof upath, &retired, e);
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, upath))) {
        rc = err_set(e, ERR_INVALID, "unit_id", "所选单位不存在");
    }
    if (rc) {
        goto out;
    }
    if (retired) {
        rc = err_set(e, ERR_INVALID, "unit_id", "所选单位已撤销");
        goto out;
    }
    rc = db_query_int64(db, id_out, e,
                        "INSERT INTO api_tokens (name, prefix, token_hash, "
                        "user_id, unit_id, role, created_at, expires_at) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                        "tttiiitt", name, prefix, hash, a->user_id, unit_id,
                        (int64_t)role, now, in->expires_days ? expires : NULL);
    if (rc) {
        goto out;
    }
    rc = token_read(db, *id_out, &after, e);
    if (rc) {
        goto out;
    }
    rc = audit_record(db, a, "token.create", "api_token", *id_out, upath, NULL,
                      after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
        memset(secret, 0, TOKEN_SECRET_LEN + 1);
    }
    json_decref(after);
    return rc;
}

int token_list(Db *db, const Actor *a, json_t **items, Err *e)
{
    DbStmt *st = NULL;
    json_t *arr = json_array();
    Sqlq q;
    int rc;

    *items = NULL;
    sqlq_init(&q, "SELECT " TOKEN_COLS TOKEN_FROM " WHERE (t.user_id = $1");
    sqlq_int(&q, a->user_id);
    if (a->role == ROLE_ADMIN) {
        int k = sqlq_text(&q, a->unit_path);
        sqlq_addf(&q, " OR substr(o.path, 1, length($%d)) = $%d", k, k);
    }
    sqlq_addf(&q, ") ORDER BY t.id DESC");
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(arr, token_row_json(st));
    }
    if (rc != DB_DONE) {
        goto out;
    }
    rc = 0;
    *items = arr;
    arr = NULL;
out:
    db_finalize(st);
    sqlq_release(&q);
    json_decref(arr);
    return rc;
}

int token_revoke(Db *db, const Actor *a, int64_t id, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL;
    json_t *after = NULL;
    int rc;

    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = token_get(db, a, id, &before, e);
    if (rc) {
        goto out;
    }
    if (json_is_true(json_object_get(before, "revoked"))) {
        rc = err_set(e, ERR_CONFLICT, "id", "该令牌已吊销");
        goto out;
    }
    rc = db_exec_v(db, e, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2",
                   "ti", now, id);
    if (rc) {
        goto out;
    }
    rc = token_read(db, id, &after, e);
    if (rc) {
        goto out;
    }
    rc = audit_record(db, a, "token.revoke", "api_token", id,
                      json_string_value(json_object_get(after, "unit_path")),
                      before, after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}
