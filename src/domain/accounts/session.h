/* session.h - browser sessions, login throttling and API tokens.
 *
 * Sessions live in the database (table sessions) so that several app
 * servers can share them. The cookie carries a random token; the database
 * keeps only its SHA-256. Each session has its own CSRF token, which the
 * client sends back in X-CSRF-Token on unsafe methods. API tokens
 * ("kc_" + random) are likewise stored hashed, scoped to a unit and a role,
 * and revocable. */
#ifndef KC_DOMAIN_SESSION_H
#define KC_DOMAIN_SESSION_H

#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define SESSION_COOKIE "kc_session"
#define SESSION_TOKEN_MAX 96 /* tokens are shorter; longer input is invalid */
#define CSRF_TOKEN_LEN 43    /* base64url of 32 random bytes */

/* Log in: check throttling for the account and the address, verify the
 * argon2id password, refuse disabled users, create a session. On success
 * fills token (the cookie value, NUL-terminated), csrf and the actor.
 * Wrong credentials: ERR_AUTH "用户名或密码错误"; throttled (the account,
 * the address or the whole server's login rate): ERR_THROTTLED with the
 * wait in the message and *retry_after seconds; the password pool full:
 * ERR_BUSY with *retry_after (domain/pwpool.h). Records the
 * attempt (and an audit entry for a successful login) in one transaction. */
int session_login(Db *db, const char *username, const char *password,
                  const char *addr, int idle_hours,
                  char token[SESSION_TOKEN_MAX + 1],
                  char csrf[CSRF_TOKEN_LEN + 1], Actor *out, int *retry_after,
                  Err *e);

/* Resolve a cookie token to its actor (user enabled, session not expired
 * or revoked; extends the idle expiry at most once a minute). Fills csrf.
 * ERR_AUTH when invalid. */
int session_resolve(Db *db, const char *token, const char *addr, int idle_hours,
                    Actor *out, char csrf[CSRF_TOKEN_LEN + 1], Err *e);

/* End the actor's session (audited). */
int session_logout(Db *db, const Actor *a, Err *e);

/* Resolve "Authorization: Bearer kc_..." to an actor whose role and unit
 * are the token's (never more than its owner's at use time). ERR_AUTH when
 * unknown, revoked, expired or the owner is disabled. */
int apitoken_resolve(Db *db, const char *token, const char *addr, Actor *out,
                     Err *e);

#endif
