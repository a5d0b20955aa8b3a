/* user.h - user accounts: create, read, list, update, passwords.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str). Users
 * are never deleted: they are disabled, which also revokes their sessions
 * and API tokens. Every write runs in one transaction with its audit entry
 * (password hashes never reach the audit log). */
#ifndef KC_DOMAIN_USER_H
#define KC_DOMAIN_USER_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define USER_NAME_MIN 3
#define USER_NAME_MAX 32
#define USER_DISPLAY_MAX 64
#define USER_PASSWORD_MIN 8
#define USER_PASSWORD_MAX 128 /* bytes */
#define USER_HASH_MAX 128     /* crypto_pwhash_STRBYTES */
#define USER_QUERY_MAX 64

/* Use libsodium's minimum argon2id limits instead of the interactive ones.
 * Only for tests: the interactive limits cost ~64 MiB and a good part of a
 * second per hash, which would make a test suite with dozens of logins (and
 * sanitizer builds) needlessly slow. Never call this in the program. */
void user_set_hash_cost_for_tests(void);

/* Password policy: USER_PASSWORD_MIN..USER_PASSWORD_MAX bytes, with at least
 * one letter and one digit, and not common or guessable (pwpolicy_check).
 * ERR_INVALID naming field. */
int user_check_password(const char *pw, const char *field, Err *e);

/* The same, also refusing a password that holds username (may be NULL). */
int user_check_password_of(const char *pw, const char *username,
                           const char *field, Err *e);

/* Hash pw (argon2id) into out (USER_HASH_MAX bytes). ERR_INTERNAL when out
 * of memory for the hash. */
int user_hash_password(const char *pw, char out[USER_HASH_MAX], Err *e);

/* 1 when pw matches the stored hash, else 0. */
int user_verify_password(const char *hash, const char *pw);

/* Verify pw against a fixed dummy hash of the current cost, so an unknown
 * account takes as long as a known one. Always "fails". */
void user_verify_dummy(const char *pw);

typedef struct UserInput {
    const char *username;     /* 3-32 of [a-z0-9_.-] */
    const char *display_name; /* NULL or "" = username */
    const char *password;     /* plain; hashed here */
    int role;                 /* ROLE_* */
    int64_t unit_id;
    int must_change_password;
} UserInput;

/* Create a user (actor must be an admin; unit in the actor's scope and not
 * retired). ERR_CONFLICT when the username is taken. */
int user_create(Db *db, const Actor *a, const UserInput *in, int64_t *id_out,
                Err *e);

/* A user in scope as JSON (no password hash); caller decrefs. */
int user_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* User id of a username (any scope); ERR_NOTFOUND naming "username". */
int user_find(Db *db, const char *username, int64_t *id_out, Err *e);

typedef struct UserFilter {
    int64_t unit_id;  /* 0 = any; else this unit and the ones below it */
    int role;         /* 0 = any */
    const char *q;    /* part of username or display name; NULL = any */
    int disabled;     /* -1 = any, 0 = enabled only, 1 = disabled only */
    const char *sort; /* username, display_name, role, unit, created_at or
                         last_login_at; "-" prefix = descending; NULL =
                         username */
} UserFilter;

/* Check f->sort (ERR_INVALID naming "sort" when not a sortable column). */
int user_filter_check(const UserFilter *f, Err *e);

/* Users in a's scope matching f, ordered by f->sort then id. *items: new array
 * (caller decrefs); *total: all matches. limit < 0 = all. */
int user_list(Db *db, const Actor *a, const UserFilter *f, int64_t offset,
              int64_t limit, json_t **items, int64_t *total, Err *e);

typedef struct UserUpdate {
    const char *display_name; /* NULL = unchanged */
    int role;                 /* 0 = unchanged */
    int has_unit;
    int64_t unit_id;
    int has_disabled;
    int disabled;
} UserUpdate;

/* Change a user in scope (actor must be an admin). An admin may not
 * disable or demote itself. Disabling revokes the user's sessions and API
 * tokens. Audited as "user.update". */
int user_update(Db *db, const Actor *a, int64_t id, const UserUpdate *u,
                Err *e);

/* Set a user's password (admin reset: actor must be an admin and the user
 * in scope). Revokes the user's sessions; must_change makes the user
 * change it at next login. Audited as "user.reset_password". */
int user_set_password(Db *db, const Actor *a, int64_t id, const char *password,
                      int must_change, Err *e);

/* The actor changes its own password: old_pw must match. Other sessions
 * of the user are revoked, the current one (a->session_id) is kept.
 * Audited as "user.change_password". */
int user_change_password(Db *db, const Actor *a, const char *old_pw,
                         const char *new_pw, Err *e);

/* Revoke every open session and API token of a user (inside the caller's
 * transaction); keep_session (0 = none) survives. */
int user_revoke_access(Db *db, int64_t user_id, int64_t keep_session,
                       int tokens_too, Err *e);

#endif
