/* user.c - user accounts and argon2id passwords. */
#include "domain/accounts/user.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/secret.h"
#include "base/valid.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/org.h"
#include "domain/accounts/pwpolicy.h"

/* argon2id cost; see user_set_hash_cost_for_tests. */
static unsigned long long user_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t user_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

/* The dummy hash for unknown accounts, made at the current cost. */
static pthread_mutex_t user_dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char user_dummy_hash[USER_HASH_MAX];
static unsigned long long user_dummy_ops;

void user_set_hash_cost_for_tests(void)
{
    user_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    user_memlimit = crypto_pwhash_MEMLIMIT_MIN;
}

int user_check_password(const char *pw, const char *field, Err *e)
{
    return user_check_password_of(pw, NULL, field, e);
}

int user_check_password_of(const char *pw, const char *username,
                           const char *field, Err *e)
{
    size_t n = pw ? strlen(pw) : 0;
    int letters = 0;
    int digits = 0;
    size_t i;

    if (n < USER_PASSWORD_MIN || n > USER_PASSWORD_MAX) {
        return err_set(e, ERR_INVALID, field,
                       "密码长度应为 %d 到 %d 位，且须同时包含字母和数字",
                       USER_PASSWORD_MIN, USER_PASSWORD_MAX);
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)pw[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
            letters++;
        } else if (ch >= '0' && ch <= '9') {
            digits++;
        } else if (ch < 0x20 || ch == 0x7F) {
            return err_set(e, ERR_INVALID, field, "密码不能含有控制字符");
        }
    }
    if (!letters || !digits) {
        return err_set(e, ERR_INVALID, field,
                       "密码至少 %d 位，且须同时包含字母和数字",
                       USER_PASSWORD_MIN);
    }
    return pwpolicy_check(pw, username, field, e);
}

int user_hash_password(const char *pw, char out[USER_HASH_MAX], Err *e)
{
    secret_init();
    if (crypto_pwhash_str(out, pw, strlen(pw), user_opslimit, user_memlimit) !=
        0) {
        log_error("user: crypto_pwhash_str failed (out of memory?)");
        return err_set(e, ERR_INTERNAL, "password", "服务器内部错误");
    }
    return 0;
}

int user_verify_password(const char *hash, const char *pw)
{
    secret_init();
    if (!hash || !pw) {
        return 0;
    }
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void user_verify_dummy(const char *pw)
{
    char hash[USER_HASH_MAX];

    pthread_mutex_lock(&user_dummy_lock);
    if (!user_dummy_hash[0] || user_dummy_ops != user_opslimit) {
        char random_pw[33];
        Err e;

        secret_random_password(random_pw, 32);
        if (user_hash_password(random_pw, user_dummy_hash, &e) != 0) {
            user_dummy_hash[0] = '\0';
        }
        user_dummy_ops = user_opslimit;
    }
    memcpy(hash, user_dummy_hash, sizeof hash);
    pthread_mutex_unlock(&user_dummy_lock);
    (void)user_verify_password(hash, pw ? pw : "");
}

/* Username: USER_NAME_MIN..USER_NAME_MAX of [a-z0-9_.-]. */
static int user_check_username(const char *s, Err *e)
{
    size_t n = s ? strlen(s) : 0;
    size_t i;

    if (n < USER_NAME_MIN || n > USER_NAME_MAX) {
        return err_set(e, ERR_INVALID, "username",
                       "用户名长度应为 %d 到 %d 个字符", USER_NAME_MIN,
                       USER_NAME_MAX);
    }
    for (i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-')) {
            return err_set(e, ERR_INVALID, "username",
                           "用户名只能包含小写字母、数字、下划线、点和连字符");
        }
    }
    return 0;
}

static int user_check_role(int role, Err *e)
{
    if (role <= ROLE_NONE || role >= ROLE__COUNT) {
        return err_set(e, ERR_INVALID, "role",
                       "角色应为 admin、staff、leader、agent 或 dept");
    }
    return 0;
}

static int user_check_admin(const Actor *a, Err *e)
{
    if (a->role != ROLE_ADMIN) {
        return err_set(e, ERR_FORBIDDEN, NULL, "只有系统管理员可以管理用户");
    }
    return 0;
}

/* The unit for a user: exists, in scope, not retired. */
static int user_check_unit(Db *db, const Actor *a, int64_t unit_id, Err *e)
{
    char path[ACTOR_PATH_MAX];
    int retired = 0;
    int rc;

    rc = org_path(db, unit_id, path, sizeof path, &retired, e);
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        return err_set(e, ERR_INVALID, "unit_id", "所选单位不存在");
    }
    if (rc) {
        return rc;
    }
    if (retired) {
        return err_set(e, ERR_INVALID, "unit_id", "所选单位已撤销");
    }
    return 0;
}

#define USER_COLS                                                              \
    "u.id, u.username, u.display_name, u.role, u.unit_id, o.name, o.path, "    \
    "u.disabled, u.must_change_password, u.created_at, u.updated_at, "         \
    "u.last_login_at, u.password_changed_at"

#define USER_FROM " FROM users u JOIN org_units o ON o.id = u.unit_id"

static json_t *user_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);

    return s ? json_string(s) : json_null();
}

static json_t *user_row_json(DbStmt *st)
{
    json_t *o = json_object();
    int role = (int)db_col_int64(st, 3);

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "username", user_text(st, 1));
    json_object_set_new(o, "display_name", user_text(st, 2));
    json_object_set_new(o, "role", json_string(role_code(role)));
    json_object_set_new(o, "role_name", json_string(role_name(role)));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 4)));
    json_object_set_new(o, "unit_name", user_text(st, 5));
    json_object_set_new(o, "unit_path", user_text(st, 6));
    json_object_set_new(o, "disabled", json_boolean(db_col_int64(st, 7)));
    json_object_set_new(o, "must_change_password",
                        json_boolean(db_col_int64(st, 8)));
    json_object_set_new(o, "created_at", user_text(st, 9));
    json_object_set_new(o, "updated_at", user_text(st, 10));
    json_object_set_new(o, "last_login_at", user_text(st, 11));
    json_object_set_new(o, "password_changed_at", user_text(st, 12));
    return o;
}

/* Read a user without a scope check. */
static int user_read(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(
        db, &st, e, "SELECT " USER_COLS USER_FROM " WHERE u.id = $1", "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "用户不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    *out = user_row_json(st);
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

int user_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    int rc = user_read(db, id, out, e);

    if (rc == 0 && !actor_sees_path(a, json_string_value(json_object_get(
                                           *out, "unit_path")))) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(e, ERR_NOTFOUND, "id", "用户不存在");
    }
    return rc;
}

int user_find(Db *db, const char *username, int64_t *id_out, Err *e)
{
    int rc = db_query_int64(db, id_out, e,
                            "SELECT id FROM users WHERE username = $1", "t",
                            username ? username : "");

    if (rc == ERR_NOTFOUND) {
        return err_set(e, ERR_NOTFOUND, "username", "用户“%s”不存在",
                       username ? username : "");
    }
    return rc;
}

int user_create(Db *db, const Actor *a, const UserInput *in, int64_t *id_out,
                Err *e)
{
    char display[USER_DISPLAY_MAX * 4 + 1];
    char hash[USER_HASH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *after = NULL;
    int64_t n = 0;
    int rc;

    rc = user_check_admin(a, e);
    if (rc) {
        return rc;
    }
    rc = user_check_username(in->username, e);
    if (rc) {
        return rc;
    }
    rc = valid_text(in->display_name && *in->display_name ? in->display_name
                                                          : in->username,
                    1, USER_DISPLAY_MAX, display, sizeof display,
                    "display_name", "姓名", e);
    if (rc) {
        return rc;
    }
    rc = user_check_role(in->role, e);
    if (rc) {
        return rc;
    }
    rc = user_check_password_of(in->password, in->username, "password", e);
    if (rc) {
        return rc;
    }
    /* Hash before taking the write lock: argon2id is deliberately slow. */
    rc = user_hash_password(in->password, hash, e);
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = user_check_unit(db, a, in->unit_id, e);
    if (rc) {
        goto out;
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM users WHERE username = $1", "t",
                        in->username);
    if (rc) {
        goto out;
    }
    if (n > 0) {
        rc = err_set(e, ERR_CONFLICT, "username", "用户名“%s”已被使用",
                     in->username);
        goto out;
    }
    rc = db_query_int64(db, id_out, e,
                        "INSERT INTO users (username, display_name, "
                        "password_hash, role, unit_id, disabled, "
                        "must_change_password, created_at, updated_at, "
                        "password_changed_at) VALUES ($1, $2, $3, $4, $5, 0, "
                        "$6, $7, $7, $7) RETURNING id",
                        "tttiiit", in->username, display, hash,
                        (int64_t)in->role, in->unit_id,
                        (int64_t)(in->must_change_password ? 1 : 0), now);
    if (rc) {
        goto out;
    }
    rc = user_read(db, *id_out, &after, e);
    if (rc) {
        goto out;
    }
    rc = audit_record(db, a, "user.create", "user", *id_out,
                      json_string_value(json_object_get(after, "unit_path")),
                      NULL, after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
    }
    sodium_memzero(hash, sizeof hash);
    json_decref(after);
    return rc;
}

/* Append "%" + s with LIKE metacharacters escaped + "%" to b. */
static void user_like_pattern(Buf *b, const char *s)
{
    buf_append_char(b, '%');
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') {
            buf_append_char(b, '\\');
        }
        buf_append_char(b, *s);
    }
    buf_append_char(b, '%');
}

/* WHERE part shared by the count and the page of user_list. */
static void user_where(Sqlq *q, const Actor *a, const char *upath,
                       const UserFilter *f, const char *like)
{
    int k;

    if (strcmp(a->unit_path, "/") != 0) {
        k = sqlq_text(q, a->unit_path);
        sqlq_addf(q, " AND substr(o.path, 1, length($%d)) = $%d", k, k);
    }
    if (upath[0]) {
        k = sqlq_text(q, upath);
        sqlq_addf(q, " AND substr(o.path, 1, length($%d)) = $%d", k, k);
    }
    if (f->role) {
        sqlq_addf(q, " AND u.role = $%d", sqlq_int(q, f->role));
    }
    if (f->disabled >= 0) {
        sqlq_addf(q, " AND u.disabled = $%d", sqlq_int(q, f->disabled));
    }
    if (like[0]) {
        k = sqlq_text(q, like);
        sqlq_addf(q,
                  " AND (u.username LIKE $%d ESCAPE '\\' OR "
                  "u.display_name LIKE $%d ESCAPE '\\')",
                  k, k);
    }
}

/* Sortable columns of user_list. */
static const SqlqSort user_sorts[] = {
    {"username", "u.username", 0},
    {"display_name", "u.display_name", 0},
    {"role", "u.role", 0},
    {"unit", "o.name", 0},
    {"created_at", "u.created_at", 0},
    {"last_login_at", "u.last_login_at", 1},
};

#define USER_N_SORTS (sizeof user_sorts / sizeof user_sorts[0])

int user_filter_check(const UserFilter *f, Err *e)
{
    const SqlqSort *col;
    int desc;

    return sqlq_sort_parse(user_sorts, USER_N_SORTS, f->sort, "username", &col,
                           &desc, e);
}

int user_list(Db *db, const Actor *a, const UserFilter *f, int64_t offset,
              int64_t limit, json_t **items, int64_t *total, Err *e)
{
    DbStmt *st = NULL;
    json_t *arr = json_array();
    char upath[ACTOR_PATH_MAX];
    const SqlqSort *sort = NULL;
    int desc = 0;
    Buf like;
    Sqlq qc;
    Sqlq q;
    int rc = 0;

    *items = NULL;
    *total = 0;
    buf_init(&like, 1024);
    sqlq_init(&qc, "SELECT COUNT(*)" USER_FROM " WHERE 1=1");
    sqlq_init(&q, "SELECT " USER_COLS USER_FROM " WHERE 1=1");
    upath[0] = '\0';
    rc = sqlq_sort_parse(user_sorts, USER_N_SORTS, f->sort, "username", &sort,
                         &desc, e);
    if (rc) {
        goto out;
    }
    if (f->unit_id) {
        rc = org_path(db, f->unit_id, upath, sizeof upath, NULL, e);
        if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, upath))) {
            rc = err_set(e, ERR_INVALID, "unit_id", "所选单位不存在");
        }
        if (rc) {
            goto out;
        }
    }
    if (f->q && *f->q) {
        user_like_pattern(&like, f->q);
    }
    user_where(&qc, a, upath, f, like.data);
    user_where(&q, a, upath, f, like.data);
    sqlq_add_order(&q, sort, desc, "u.id");
    if (limit >= 0) {
        int kl = sqlq_int(&q, limit);
        int ko = sqlq_int(&q, offset);
        sqlq_addf(&q, " LIMIT $%d OFFSET $%d", kl, ko);
    }
    rc = sqlq_prepare(&qc, db, &st, e);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc != DB_ROW) {
        rc = rc == DB_DONE ? err_set(e, ERR_DB, NULL, "数据库错误") : rc;
        goto out;
    }
    *total = db_col_int64(st, 0);
    db_finalize(st);
    st = NULL;
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(arr, user_row_json(st));
    }
    if (rc != DB_DONE) {
        goto out;
    }
    rc = 0;
    *items = arr;
    arr = NULL;
out:
    db_finalize(st);
    sqlq_release(&qc);
    sqlq_release(&q);
    buf_release(&like);
    json_decref(arr);
    return rc;
}

int user_revoke_access(Db *db, int64_t user_id, int64_t keep_session,
                       int tokens_too, Err *e)
{
    char now[CLOCK_ISO_LEN];
    int rc;

    clock_now_iso(now, 0);
    rc = db_exec_v(db, e,
                   "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 "
                   "AND revoked_at IS NULL AND id <> $3",
                   "tii", now, user_id, keep_session);
    if (rc == 0 && tokens_too) {
        rc = db_exec_v(db, e,
                       "UPDATE api_tokens SET revoked_at = $1 WHERE user_id "
                       "= $2 AND revoked_at IS NULL",
                       "ti", now, user_id);
    }
    return rc;
}

int user_update(Db *db, const Actor *a, int64_t id, const UserUpdate *u, Err *e)
{
    char display[USER_DISPLAY_MAX * 4 + 1];
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL;
    json_t *after = NULL;
    int was_disabled;
    int rc;

    rc = user_check_admin(a, e);
    if (rc) {
        return rc;
    }
    if (u->display_name) {
        rc = valid_text(u->display_name, 1, USER_DISPLAY_MAX, display,
                        sizeof display, "display_name", "姓名", e);
        if (rc) {
            return rc;
        }
    }
    if (u->role) {
        rc = user_check_role(u->role, e);
        if (rc) {
            return rc;
        }
    }
    if (id == a->user_id) {
        if (u->has_disabled && u->disabled) {
            return err_set(e, ERR_INVALID, "disabled", "不能停用本人账号");
        }
        if (u->role && u->role != a->role) {
            return err_set(e, ERR_INVALID, "role", "不能修改本人的角色");
        }
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = user_get(db, a, id, &before, e);
    if (rc) {
        goto out;
    }
    was_disabled = json_is_true(json_object_get(before, "disabled"));
    if (u->display_name) {
        rc = db_exec_v(db, e,
                       "UPDATE users SET display_name = $1, updated_at = $2 "
                       "WHERE id = $3",
                       "tti", display, now, id);
        if (rc) {
            goto out;
        }
    }
    if (u->role) {
        rc = db_exec_v(db, e,
                       "UPDATE users SET role = $1, updated_at = $2 WHERE id "
                       "= $3",
                       "iti", (int64_t)u->role, now, id);
        if (rc) {
            goto out;
        }
    }
    if (u->has_unit) {
        rc = user_check_unit(db, a, u->unit_id, e);
        if (rc) {
            goto out;
        }
        rc = db_exec_v(db, e,
                       "UPDATE users SET unit_id = $1, updated_at = $2 WHERE "
                       "id = $3",
                       "iti", u->unit_id, now, id);
        if (rc) {
            goto out;
        }
    }
    if (u->has_disabled) {
        rc = db_exec_v(db, e,
                       "UPDATE users SET disabled = $1, updated_at = $2 WHERE "
                       "id = $3",
                       "iti", (int64_t)(u->disabled ? 1 : 0), now, id);
        if (rc) {
            goto out;
        }
        if (u->disabled && !was_disabled) {
            rc = user_revoke_access(db, id, 0, 1, e);
            if (rc) {
                goto out;
            }
        }
    }
    rc = user_read(db, id, &after, e);
    if (rc) {
        goto out;
    }
    rc = audit_record(db, a, "user.update", "user", id,
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

/* Store a new hash for user id and audit it (in a transaction the caller
 * does not hold): revokes sessions except keep_session. */
static int user_store_password(Db *db, const Actor *a, int64_t id,
                               const char *hash, int must_change,
                               int64_t keep_session, const char *action,
                               int check_scope, Err *e)
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
    rc = check_scope ? user_get(db, a, id, &before, e)
                     : user_read(db, id, &before, e);
    if (rc) {
        goto out;
    }
    rc = db_exec_v(db, e,
                   "UPDATE users SET password_hash = $1, "
                   "must_change_password = $2, password_changed_at = $3, "
                   "updated_at = $3 WHERE id = $4",
                   "titi", hash, (int64_t)(must_change ? 1 : 0), now, id);
    if (rc) {
        goto out;
    }
    rc = user_revoke_access(db, id, keep_session, 0, e);
    if (rc) {
        goto out;
    }
    rc = user_read(db, id, &after, e);
    if (rc) {
        goto out;
    }
    rc = audit_record(db, a, action, "user", id,
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

int user_set_password(Db *db, const Actor *a, int64_t id, const char *password,
                      int must_change, Err *e)
{
    char hash[USER_HASH_MAX];
    char *username = NULL;
    int rc;

    rc = user_check_admin(a, e);
    if (rc) {
        return rc;
    }
    /* the user's name (only of a user in a's scope: one outside it is
     * reported as missing by user_store_password, never through the
     * password rule) */
    rc = db_query_text(db, &username, e,
                       "SELECT u.username FROM users u JOIN org_units o ON "
                       "o.id = u.unit_id WHERE u.id = $1 AND "
                       "substr(o.path, 1, length($2)) = $2",
                       "it", id, a->unit_path);
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        rc = 0;
    }
    if (rc == 0) {
        rc = user_check_password_of(password, username, "password", e);
    }
    free(username);
    if (rc) {
        return rc;
    }
    rc = user_hash_password(password, hash, e);
    if (rc) {
        return rc;
    }
    rc = user_store_password(db, a, id, hash, must_change,
                             id == a->user_id ? a->session_id : 0,
                             "user.reset_password", 1, e);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int user_change_password(Db *db, const Actor *a, const char *old_pw,
                         const char *new_pw, Err *e)
{
    char hash[USER_HASH_MAX];
    char *stored = NULL;
    int rc;

    if (a->user_id <= 0) {
        return err_set(e, ERR_AUTH, NULL, "请先登录");
    }
    if (!old_pw || !new_pw) {
        return err_set(e, ERR_INVALID, old_pw ? "new_password" : "old_password",
                       "缺少密码");
    }
    rc = db_query_text(db, &stored, e,
                       "SELECT password_hash FROM users WHERE id = $1", "i",
                       a->user_id);
    if (rc) {
        goto out;
    }
    if (!user_verify_password(stored, old_pw)) {
        rc = err_set(e, ERR_INVALID, "old_password", "原密码不正确");
        goto out;
    }
    rc = user_check_password_of(new_pw, a->username, "new_password", e);
    if (rc) {
        goto out;
    }
    if (strcmp(old_pw, new_pw) == 0) {
        rc = err_set(e, ERR_INVALID, "new_password", "新密码不能与原密码相同");
        goto out;
    }
    rc = user_hash_password(new_pw, hash, e);
    if (rc) {
        goto out;
    }
    rc = user_store_password(db, a, a->user_id, hash, 0, a->session_id,
                             "user.change_password", 0, e);
    sodium_memzero(hash, sizeof hash);
out:
    if (stored) {
        sodium_memzero(stored, strlen(stored));
    }
    free(stored);
    return rc;
}
