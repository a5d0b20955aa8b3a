/* decl.h - declarations: rule input values the enterprise library has no
 * table for (会计核算健全, 查账征收, 高企证书, 细分市场年限, 估值 …), kept
 * per enterprise with a validity period and provenance (self-declared or
 * verified, who, when). elig_load_input() applies them last, so they
 * override what is derived from the library. Only the fields listed by
 * decl_fields() may be declared; values are validated against the rule
 * field catalogue's unit. See docs/internals/eligibility.md. */
#ifndef KC_DOMAIN_DECL_H
#define KC_DOMAIN_DECL_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define DECL_MAX 100      /* declarations per enterprise */
#define DECL_NOTE_MAX 200 /* characters of a note */

/* Names of the declarable fields, NULL-terminated. */
const char *const *decl_fields(void);
/* Is field declarable? */
int decl_field_ok(const char *field);

/* {items: [{field, label, year, value, valid_from, valid_to, verified,
 * note, src_kind, src_user_id, src_at}], fields: [{name, label, kind,
 * type}]} for enterprise id (the caller checked scope). value is shown as
 * the API takes it: true/false, "万元" decimal text for money, ISO dates,
 * integers. */
int decl_get(Db *db, int64_t id, json_t **out, Err *e);

/* Replace the enterprise's declarations with items (JSON array of
 * {field, year?, value, valid_from?, valid_to?, verified?, note?}) in one
 * transaction with an audit entry "decl.put" (before/after). A bad item
 * is ERR_INVALID with field "items[i].name". verified = true needs the
 * admin or staff role (ERR_FORBIDDEN). */
int decl_put(Db *db, const Actor *a, int64_t id, json_t *items, Err *e);

/* Write one declaration without audit or transaction (for the demo
 * generator, inside its own transaction). value as the engine holds it. */
int decl_put_raw(Db *db, int64_t id, const char *field, int year, int64_t value,
                 const char *valid_from, const char *valid_to, int verified,
                 const char *src_kind, const char *src_at, Err *e);

#endif
