/* token.h - API tokens for integrations ("Authorization: Bearer kc_...").
 *
 * A token belongs to a user (its owner), is scoped to a unit within the
 * owner's scope and carries a role the owner could grant (its permissions
 * are a subset of the owner's). The secret is "kc_" + 43 base64url
 * characters, shown once at creation; the database keeps its SHA-256 and
 * a short prefix for display. Resolution is apitoken_resolve (session.h). */
#ifndef KC_DOMAIN_TOKEN_H
#define KC_DOMAIN_TOKEN_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define TOKEN_NAME_MAX 64   /* characters */
#define TOKEN_SECRET_LEN 46 /* "kc_" + 43 */
#define TOKEN_PREFIX_LEN 9  /* "kc_" + 6, shown in lists */
#define TOKEN_EXPIRES_DAYS_MAX 3650

/* 1 when every permission of token_role is also one of owner_role. */
int token_role_allowed(int owner_role, int token_role);

typedef struct TokenInput {
    const char *name;
    int role;             /* 0 = the owner's role */
    int64_t unit_id;      /* 0 = the owner's unit */
    int64_t expires_days; /* 0 = never */
} TokenInput;

/* Create a token owned by the actor (which must be a session user, not a
 * token). secret gets the token text, to be shown once. Audited as
 * "token.create" (without the secret). */
int token_create(Db *db, const Actor *a, const TokenInput *in, int64_t *id_out,
                 char secret[TOKEN_SECRET_LEN + 1], Err *e);

/* Tokens the actor owns; admins also see the tokens whose unit lies in
 * their scope. Newest first. *items: new array, caller decrefs. */
int token_list(Db *db, const Actor *a, json_t **items, Err *e);

/* A visible token as JSON; ERR_NOTFOUND otherwise. Caller decrefs. */
int token_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Revoke a visible token. ERR_CONFLICT when already revoked. Audited as
 * "token.revoke". */
int token_revoke(Db *db, const Actor *a, int64_t id, Err *e);

#endif
