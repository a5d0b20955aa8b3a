/* carrier_util.h - small helpers shared by the files of the carrier
 * capability (carriers, sheets, platforms, talent, listing candidates):
 * reading optional dates and texts of inputs, unit and enterprise checks,
 * and JSON of result columns. Internal to src/domain/carrier/. */
#ifndef KC_DOMAIN_CARRIER_UTIL_H
#define KC_DOMAIN_CARRIER_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Optional date text into "YYYY-MM-DD" (out[0] = 0 when in is NULL or
 * empty). ERR_INVALID naming field with label in the message. */
int cu_date(const char *in, char out[DATE_ISO_SIZE], const char *field,
            const char *label, Err *e);

/* Required date: as cu_date, but empty is ERR_INVALID ("请填写…"). */
int cu_date_req(const char *in, char out[DATE_ISO_SIZE], const char *field,
                const char *label, Err *e);

/* Checked text (valid_text) of at most max_chars characters into a new
 * malloc'd string (caller frees; "" when in is NULL). min 1 = required. */
int cu_text(const char *in, size_t min_chars, size_t max_chars, char **out,
            const char *field, const char *label, Err *e);

/* Unit unit_id exists, is not retired and lies in a's scope: path gets its
 * path. ERR_INVALID naming field otherwise. */
int cu_unit_path(Db *db, const Actor *a, int64_t unit_id, char *path,
                 size_t cap, const char *field, Err *e);

/* Enterprise id is in the library (not retired); its name into name (may
 * be NULL). ERR_INVALID naming field ("…不在企业库中") otherwise. No scope
 * check: an operator or host may belong to another unit. */
int cu_ent_exists(Db *db, int64_t id, char *name, size_t cap, const char *field,
                  const char *label, Err *e);

/* Column values as JSON (null for SQL NULL). */
json_t *cu_col_text(DbStmt *st, int col);
json_t *cu_col_int(DbStmt *st, int col);
/* Money column in 元 as "万元" text (null for NULL). */
json_t *cu_col_wan(DbStmt *st, int col);

/* Bind text or NULL when s is NULL or "". */
void cu_bind_opt_text(DbStmt *st, int idx, const char *s);
/* Bind v or NULL when has is 0. */
void cu_bind_opt_int(DbStmt *st, int idx, int has, int64_t v);

/* Step an INSERT ... RETURNING id to the end; *id gets the id. */
int cu_step_id(DbStmt *st, int64_t *id, Err *e);

/* Step a statement that returns no row. */
int cu_step_done(DbStmt *st, Err *e);

/* "%q%" for LIKE with the wildcards % and _ of q left out (they are rare
 * in names); NULL when q is NULL or empty. Caller frees. */
char *cu_like(const char *q);

/* The scope condition on an org_units path column: appends
 * " AND substr(<col>, 1, length($N)) = $N" to q for a's unit path. */
struct Sqlq;
void cu_scope(struct Sqlq *q, const Actor *a, const char *col);

#endif
