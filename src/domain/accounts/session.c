/* session.c - login with throttling, browser sessions, API token
 * resolution.
 *
 * Throttling keeps one row per key in login_attempts: "user:NAME" and
 * "addr:ADDRESS". Each failed login counts against both; from the
 * threshold on (5 for an account, 20 for an address, which many people
 * may share behind a NAT) the key is locked for 2^(n - threshold) seconds,
 * at most SESSION_LOCK_MAX. While locked every attempt is refused, even
 * with the right password, and is not counted. A successful login resets
 * the account's counter; a counter also restarts after an hour without
 * failures. Before any of that a login must pass the whole server's rate,
 * and its password check runs on the verifier pool (domain/pwpool.h). The
 * address is the one the dispatcher settled on (a trusted proxy's client
 * address with trust_proxy). */
#include "domain/accounts/session.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/secret.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/org.h"
#include "domain/accounts/pwpool.h"
#include "domain/accounts/token.h"
#include "domain/accounts/user.h"

#define SESSION_USER_THRESHOLD 5
#define SESSION_ADDR_THRESHOLD 20
#define SESSION_LOCK_MAX 900                    /* seconds */
#define SESSION_FAIL_RESET 3600                 /* seconds without failure */
#define SESSION_MAX_AGE ((time_t)7 * 24 * 3600) /* absolute lifetime */
#define SESSION_TOUCH_EVERY 60 /* seconds between idle extensions */
#define SESSION_KEY_MAX 160
#define SESSION_PASSWORD_CAP 1024 /* longer input is never a password */

/* Seconds a key stays locked after n consecutive failures. */
static int64_t session_lock_seconds(int64_t n, int64_t threshold)
{
    int64_t s;

    if (n < threshold) {
        return 0;
    }
    if (n - threshold >= 10) {
        return SESSION_LOCK_MAX;
    }
    s = (int64_t)1 << (n - threshold);
    return s > SESSION_LOCK_MAX ? SESSION_LOCK_MAX : s;
}

/* Seconds key is still locked (0 when not). */
static int session_locked(Db *db, const char *key, int64_t *wait, Err *e)
{
    char *until = NULL;
    time_t t;
    int rc;

    *wait = 0;
    rc = db_query_text(db, &until, e,
                       "SELECT locked_until FROM login_attempts WHERE key = "
                       "$1",
                       "t", key);
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        return 0;
    }
    if (rc) {
        return rc;
    }
    if (until && clock_parse(until, &t) == 0 && t > clock_now()) {
        *wait = (int64_t)(t - clock_now());
    }
    free(until);
    return 0;
}

/* Count one failure against key (inside a transaction). */
static int session_count_failure(Db *db, const char *key, int64_t threshold,
                                 Err *e)
{
    DbStmt *st = NULL;
    char now[CLOCK_ISO_LEN];
    char until[CLOCK_ISO_LEN];
    int64_t failures = 0;
    int64_t lock;
    int exists = 0;
    int rc;

    clock_now_iso(now, 0);
    rc = db_prepare_v(db, &st, e,
                      "SELECT failures, last_failure_at FROM login_attempts "
                      "WHERE key = $1",
                      "t", key);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        const char *last = db_col_text(st, 1);
        time_t t;

        exists = 1;
        failures = db_col_int64(st, 0);
        if (!last || clock_parse(last, &t) != 0 ||
            clock_now() - t > SESSION_FAIL_RESET) {
            failures = 0;
        }
    } else if (rc != DB_DONE) {
        goto out;
    }
    db_finalize(st);
    st = NULL;
    failures++;
    lock = session_lock_seconds(failures, threshold);
    clock_now_iso(until, lock);
    if (exists) {
        rc = db_exec_v(db, e,
                       "UPDATE login_attempts SET failures = $1, "
                       "last_failure_at = $2, locked_until = $3 WHERE key = "
                       "$4",
                       "itt"
                       "t",
                       failures, now, lock ? until : NULL, key);
    } else {
        rc = db_exec_v(db, e,
                       "INSERT INTO login_attempts (key, failures, "
                       "last_failure_at, locked_until) VALUES ($1, $2, $3, "
                       "$4)",
                       "titt", key, failures, now, lock ? until : NULL);
    }
out:
    db_finalize(st);
    return rc;
}

/* Forget old throttling rows now and then so the table stays small. */
static void session_prune_attempts(Db *db)
{
    char cutoff[CLOCK_ISO_LEN];
    Err e;

    if (randombytes_uniform(64) != 0) {
        return;
    }
    clock_now_iso(cutoff, -86400);
    (void)db_exec_v(db, &e,
                    "DELETE FROM login_attempts WHERE last_failure_at < $1 "
                    "AND (locked_until IS NULL OR locked_until < $1)",
                    "t", cutoff);
}

/* Lower-case ASCII copy of a username for lookup and throttling keys. */
static void session_norm_username(const char *in, char *out, size_t cap)
{
    size_t i;

    for (i = 0; in[i] && i + 1 < cap; i++) {
        out[i] = (char)tolower((unsigned char)in[i]);
    }
    out[i] = '\0';
}

/* The account row needed to log in. */
typedef struct SessionUser {
    int found;
    int64_t id;
    char hash[USER_HASH_MAX];
    int disabled;
    char unit_path[ACTOR_PATH_MAX];
} SessionUser;

static int session_find_user(Db *db, const char *username, SessionUser *u,
                             Err *e)
{
    DbStmt *st = NULL;
    int rc;

    memset(u, 0, sizeof *u);
    rc = db_prepare_v(db, &st, e,
                      "SELECT u.id, u.password_hash, u.disabled, o.path FROM "
                      "users u JOIN org_units o ON o.id = u.unit_id WHERE "
                      "u.username = $1",
                      "t", username);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        u->found = 1;
        u->id = db_col_int64(st, 0);
        snprintf(u->hash, sizeof u->hash, "%s",
                 db_col_text(st, 1) ? db_col_text(st, 1) : "");
        u->disabled = db_col_int64(st, 2) != 0;
        snprintf(u->unit_path, sizeof u->unit_path, "%s",
                 db_col_text(st, 3) ? db_col_text(st, 3) : "/");
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
out:
    db_finalize(st);
    return rc;
}

/* Fill an actor from a user id (role, unit, names). */
static int session_load_actor(Db *db, int64_t user_id, Actor *out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT u.username, u.display_name, u.role, u.unit_id, "
                      "o.path, u.must_change_password FROM users u JOIN "
                      "org_units o ON o.id = u.unit_id WHERE u.id = $1",
                      "i", user_id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc != DB_ROW) {
        rc = rc == DB_DONE ? err_set(e, ERR_AUTH, NULL, "请先登录") : rc;
        goto out;
    }
    out->user_id = user_id;
    snprintf(out->username, sizeof out->username, "%s", db_col_text(st, 0));
    snprintf(out->display_name, sizeof out->display_name, "%s",
             db_col_text(st, 1));
    out->role = (int)db_col_int64(st, 2);
    out->unit_id = db_col_int64(st, 3);
    snprintf(out->unit_path, sizeof out->unit_path, "%s", db_col_text(st, 4));
    out->must_change_password = db_col_int64(st, 5) != 0;
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

/* Record a failed login (and count it unless it was refused while
 * locked) in one transaction. reason goes into the audit entry. */
static int session_record_failure(Db *db, const char *ukey, const char *akey,
                                  const char *username, const char *addr,
                                  const SessionUser *u, const char *reason,
                                  int count, Err *e)
{
    char path[ACTOR_PATH_MAX];
    json_t *after = NULL;
    Actor anon;
    int rc;

    memset(&anon, 0, sizeof anon);
    snprintf(anon.username, sizeof anon.username, "%s", username);
    snprintf(anon.addr, sizeof anon.addr, "%s", addr);
    if (u->found) {
        snprintf(path, sizeof path, "%s", u->unit_path);
    } else {
        org_root_path(db, path, sizeof path);
    }
    snprintf(anon.unit_path, sizeof anon.unit_path, "%s", path);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    if (count) {
        rc = session_count_failure(db, ukey, SESSION_USER_THRESHOLD, e);
        if (rc == 0) {
            rc = session_count_failure(db, akey, SESSION_ADDR_THRESHOLD, e);
        }
        if (rc) {
            goto out;
        }
        session_prune_attempts(db);
    }
    after = json_pack("{ss}", "reason", reason);
    rc = audit_record(db, &anon, "session.login_failed", "user",
                      u->found ? u->id : 0, path, NULL, after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(after);
    return rc;
}

/* Idle expiry from now, never past the absolute lifetime. */
static void session_expiry(time_t created, int idle_hours,
                           char out[CLOCK_ISO_LEN])
{
    time_t idle = clock_now() + (time_t)idle_hours * 3600;
    time_t hard = created + SESSION_MAX_AGE;

    clock_format(idle < hard ? idle : hard, out);
}

int session_login(Db *db, const char *username, const char *password,
                  const char *addr, int idle_hours,
                  char token[SESSION_TOKEN_MAX + 1],
                  char csrf[CSRF_TOKEN_LEN + 1], Actor *out, int *retry_after,
                  Err *e)
{
    char name[ACTOR_NAME_MAX];
    char ukey[SESSION_KEY_MAX];
    char akey[SESSION_KEY_MAX];
    char hash[SECRET_HASH_HEX];
    char now[CLOCK_ISO_LEN];
    char expires[CLOCK_ISO_LEN];
    int64_t wait_u = 0;
    int64_t wait_a = 0;
    int64_t sid = 0;
    json_t *after = NULL;
    SessionUser u;
    Err ignored;
    int ok;
    int rc;

    memset(&u, 0, sizeof u);
    *retry_after = 0;
    token[0] = '\0';
    csrf[0] = '\0';
    if (idle_hours <= 0) {
        idle_hours = 12;
    }
    if (!addr || !*addr) {
        addr = "unknown";
    }
    session_norm_username(username ? username : "", name, sizeof name);
    snprintf(ukey, sizeof ukey, "user:%s", name);
    snprintf(akey, sizeof akey, "addr:%.64s", addr);

    /* the whole server's rate first: no database or hashing work past it */
    rc = pwpool_admit(retry_after, e);
    if (rc) {
        goto out;
    }
    rc = session_locked(db, ukey, &wait_u, e);
    if (rc == 0) {
        rc = session_locked(db, akey, &wait_a, e);
    }
    if (rc) {
        goto out;
    }
    rc = session_find_user(db, name, &u, e);
    if (rc) {
        goto out;
    }
    if (wait_u > 0 || wait_a > 0) {
        int64_t w = wait_u > wait_a ? wait_u : wait_a;

        (void)session_record_failure(db, ukey, akey, name, addr, &u,
                                     "throttled", 0, &ignored);
        *retry_after = (int)(w > 0 ? w : 1);
        rc = err_set(e, ERR_THROTTLED, "password",
                     "登录失败次数过多，请 %d 秒后再试", *retry_after);
        goto out;
    }
    /* The same work whether or not the account exists. */
    if (!password || strlen(password) > SESSION_PASSWORD_CAP) {
        password = "";
    }
    rc = pwpool_verify(u.found ? u.hash : NULL, password, &ok, e);
    if (rc) {
        *retry_after = 2;
        goto out;
    }
    if (!ok) {
        rc = session_record_failure(db, ukey, akey, name, addr, &u,
                                    u.found ? "wrong_password" : "unknown_user",
                                    1, e);
        if (rc == 0) {
            rc = err_set(e, ERR_AUTH, "password", "用户名或密码错误");
        }
        goto out;
    }
    if (u.disabled) {
        rc = session_record_failure(db, ukey, akey, name, addr, &u, "disabled",
                                    0, e);
        if (rc == 0) {
            rc = err_set(e, ERR_AUTH, "username", "账号已停用，请联系管理员");
        }
        goto out;
    }

    secret_random_b64(token, SESSION_TOKEN_MAX + 1, 32);
    secret_random_b64(csrf, CSRF_TOKEN_LEN + 1, 32);
    secret_sha256_hex(token, strlen(token), hash);
    clock_now_iso(now, 0);
    session_expiry(clock_now(), idle_hours, expires);

    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = db_exec_v(db, e, "DELETE FROM login_attempts WHERE key = $1", "t",
                   ukey);
    if (rc) {
        goto out;
    }
    rc = db_query_int64(db, &sid, e,
                        "INSERT INTO sessions (token_hash, csrf, user_id, "
                        "addr, created_at, last_seen_at, expires_at) VALUES "
                        "($1, $2, $3, $4, $5, $5, $6) RETURNING id",
                        "ttitt"
                        "t",
                        hash, csrf, u.id, addr, now, expires);
    if (rc) {
        goto out;
    }
    rc = db_exec_v(db, e, "UPDATE users SET last_login_at = $1 WHERE id = $2",
                   "ti", now, u.id);
    if (rc) {
        goto out;
    }
    memset(out, 0, sizeof *out);
    rc = session_load_actor(db, u.id, out, e);
    if (rc) {
        goto out;
    }
    out->session_id = sid;
    snprintf(out->addr, sizeof out->addr, "%s", addr);
    after = json_pack("{sIss}", "session_id", (json_int_t)sid, "expires_at",
                      expires);
    rc = audit_record(db, out, "session.login", "session", sid, u.unit_path,
                      NULL, after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
        sodium_memzero(token, SESSION_TOKEN_MAX + 1);
        sodium_memzero(csrf, CSRF_TOKEN_LEN + 1);
    }
    sodium_memzero(u.hash, sizeof u.hash);
    json_decref(after);
    return rc;
}

int session_resolve(Db *db, const char *token, const char *addr, int idle_hours,
                    Actor *out, char csrf[CSRF_TOKEN_LEN + 1], Err *e)
{
    DbStmt *st = NULL;
    char hash[SECRET_HASH_HEX];
    char expires[CLOCK_ISO_LEN];
    char now[CLOCK_ISO_LEN];
    const char *s;
    time_t created = 0;
    time_t seen = 0;
    time_t exp = 0;
    int64_t sid;
    int64_t uid;
    int rc;

    csrf[0] = '\0';
    if (idle_hours <= 0) {
        idle_hours = 12;
    }
    if (!token || strlen(token) != CSRF_TOKEN_LEN) {
        return err_set(e, ERR_AUTH, NULL, "请先登录");
    }
    secret_sha256_hex(token, strlen(token), hash);
    rc = db_prepare_v(db, &st, e,
                      "SELECT s.id, s.csrf, s.created_at, s.last_seen_at, "
                      "s.expires_at, s.revoked_at, u.id, u.disabled FROM "
                      "sessions s JOIN users u ON u.id = s.user_id WHERE "
                      "s.token_hash = $1",
                      "t", hash);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc != DB_ROW) {
        rc = rc == DB_DONE ? err_set(e, ERR_AUTH, NULL, "请先登录") : rc;
        goto out;
    }
    sid = db_col_int64(st, 0);
    s = db_col_text(st, 1);
    if (!db_col_is_null(st, 5) || db_col_int64(st, 7) != 0 ||
        clock_parse(db_col_text(st, 2), &created) != 0 ||
        clock_parse(db_col_text(st, 3), &seen) != 0 ||
        clock_parse(db_col_text(st, 4), &exp) != 0 || exp <= clock_now() ||
        created + SESSION_MAX_AGE <= clock_now() || !s ||
        strlen(s) != CSRF_TOKEN_LEN) {
        rc = err_set(e, ERR_AUTH, NULL, "登录已过期，请重新登录");
        goto out;
    }
    memcpy(csrf, s, CSRF_TOKEN_LEN + 1);
    uid = db_col_int64(st, 6);
    db_finalize(st);
    st = NULL;
    if (clock_now() - seen >= SESSION_TOUCH_EVERY) {
        clock_now_iso(now, 0);
        session_expiry(created, idle_hours, expires);
        rc = db_exec_v(db, e,
                       "UPDATE sessions SET last_seen_at = $1, expires_at = "
                       "$2 WHERE id = $3",
                       "tti", now, expires, sid);
        if (rc) {
            goto out;
        }
    }
    memset(out, 0, sizeof *out);
    rc = session_load_actor(db, uid, out, e);
    if (rc) {
        goto out;
    }
    out->session_id = sid;
    snprintf(out->addr, sizeof out->addr, "%s", addr ? addr : "");
out:
    db_finalize(st);
    if (rc) {
        csrf[0] = '\0';
    }
    return rc;
}

int session_logout(Db *db, const Actor *a, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *after = NULL;
    int rc;

    if (!a->session_id) {
        return err_set(e, ERR_INVALID, NULL, "当前不是浏览器会话");
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_exec_v(db, e,
                   "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND "
                   "revoked_at IS NULL",
                   "ti", now, a->session_id);
    if (rc) {
        goto out;
    }
    after = json_pack("{sI}", "session_id", (json_int_t)a->session_id);
    rc = audit_record(db, a, "session.logout", "session", a->session_id,
                      a->unit_path, NULL, after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(after);
    return rc;
}

int apitoken_resolve(Db *db, const char *token, const char *addr, Actor *out,
                     Err *e)
{
    DbStmt *st = NULL;
    char hash[SECRET_HASH_HEX];
    char now[CLOCK_ISO_LEN];
    const char *s;
    time_t t;
    int64_t tid;
    int64_t uid;
    int trole;
    int urole;
    int touch = 0;
    int rc;

    if (!token || strlen(token) != TOKEN_SECRET_LEN ||
        strncmp(token, "kc_", 3) != 0) {
        return err_set(e, ERR_AUTH, NULL, "API 令牌无效");
    }
    secret_sha256_hex(token, strlen(token), hash);
    rc = db_prepare_v(db, &st, e,
                      "SELECT t.id, t.role, t.unit_id, o.path, t.expires_at, "
                      "t.revoked_at, t.last_used_at, u.id, u.role, "
                      "u.disabled, uo.path FROM api_tokens t JOIN users u ON "
                      "u.id = t.user_id JOIN org_units o ON o.id = t.unit_id "
                      "JOIN org_units uo ON uo.id = u.unit_id WHERE "
                      "t.token_hash = $1",
                      "t", hash);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc != DB_ROW) {
        rc = rc == DB_DONE ? err_set(e, ERR_AUTH, NULL, "API 令牌无效") : rc;
        goto out;
    }
    tid = db_col_int64(st, 0);
    trole = (int)db_col_int64(st, 1);
    uid = db_col_int64(st, 7);
    urole = (int)db_col_int64(st, 8);
    s = db_col_text(st, 4);
    if (!db_col_is_null(st, 5) || db_col_int64(st, 9) != 0 ||
        (s && (clock_parse(s, &t) != 0 || t <= clock_now())) ||
        !token_role_allowed(urole, trole) || !db_col_text(st, 3) ||
        !db_col_text(st, 10) ||
        strncmp(db_col_text(st, 3), db_col_text(st, 10),
                strlen(db_col_text(st, 10))) != 0) {
        rc = err_set(e, ERR_AUTH, NULL, "API 令牌已失效");
        goto out;
    }
    memset(out, 0, sizeof *out);
    rc = session_load_actor(db, uid, out, e);
    if (rc) {
        goto out;
    }
    out->role = trole;
    out->unit_id = db_col_int64(st, 2);
    snprintf(out->unit_path, sizeof out->unit_path, "%s", db_col_text(st, 3));
    out->token_id = tid;
    snprintf(out->addr, sizeof out->addr, "%s", addr ? addr : "");
    s = db_col_text(st, 6);
    touch =
        !s || clock_parse(s, &t) != 0 || clock_now() - t >= SESSION_TOUCH_EVERY;
    db_finalize(st);
    st = NULL;
    if (touch) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
                       "ti", now, tid);
    }
out:
    db_finalize(st);
    return rc;
}
