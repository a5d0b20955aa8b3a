/* qual_cache.h - computed figures of the register (the counts on a date,
 * the home page's sections) kept in memory by key and data version.
 *
 * The data version ("mark") is the id and hash of the newest audit entry
 * and the highest register row id (rows inserted by plain SQL, as bulk
 * loads do, move it; plain SQL updates without an audit entry do not).
 * Every write is one transaction with its audit entry, so a write that
 * could change a figure moves the mark (plan_figure.c relies on the same
 * rule); the chained hash names one history of one database, so another
 * database never matches. The caller reads the mark before computing:
 * figures computed after a newer write are then kept under the older
 * mark and replaced at the next request, never the other way round.
 * Several app servers on one database each keep their own cache.
 *
 * The mark is audit_mark()'s (accounts/audit.h), which other kept values
 * (the market's match indexes, policy event counts) share.
 *
 * Uses: db, accounts (audit_mark). */
#ifndef KC_DOMAIN_QUAL_QUAL_CACHE_H
#define KC_DOMAIN_QUAL_QUAL_CACHE_H

#include <jansson.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/audit.h"

#define QUAL_MARK_MAX AUDIT_MARK_MAX /* "id:hash:max register id" */
#define QUAL_CACHE_KEY_MAX 320

/* The data version into mark ("" when the audit log is empty: then
 * nothing is cached). */
int qual_cache_mark(Db *db, char mark[QUAL_MARK_MAX], Err *e);

/* A copy (new reference) of the value kept under key and mark, or NULL.
 * An empty mark never matches. A value kept under an older mark of the
 * same database still matches when every audit entry since records a
 * session or a token (log in, log out, passwords, API tokens: they
 * change no figure) and no register row was inserted; db (may be NULL:
 * exact marks only) answers that with two short queries. */
json_t *qual_cache_get(Db *db, const char *key, const char *mark);

/* Keep a copy of v under key and mark (the least recently used entry
 * makes room; nothing is kept for an empty mark or a failed copy). */
void qual_cache_put(const char *key, const char *mark, const json_t *v);

/* Forget everything (tests). */
void qual_cache_clear(void);

#endif
