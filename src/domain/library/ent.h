/* ent.h - enterprise records of the enterprise library.
 *
 * An enterprise is keyed by its 统一社会信用代码 and belongs to one
 * organisation unit (属地); actors read and write only enterprises of units
 * in their scope (others are reported as missing). Writes run in one
 * transaction with their audit entry. Enterprises are never deleted: they
 * are retired with a reason. A rename keeps the old name as a former name.
 * Schema and design notes: src/db/sql/002_enterprise.sql,
 * docs/internals/enterprise.md. */
#ifndef KC_DOMAIN_ENT_H
#define KC_DOMAIN_ENT_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define ENT_NAME_MAX 100    /* characters */
#define ENT_ADDRESS_MAX 200 /* characters */
#define ENT_SHORT_MAX 50    /* legal_rep, contact name, subdomain */
#define ENT_PHONE_MAX 30    /* characters */
#define ENT_EMAIL_MAX 100   /* characters */
#define ENT_NOTE_MAX 1000   /* characters */
#define ENT_REASON_MAX 200  /* characters of a retire reason */
#define ENT_QUERY_MAX 50    /* characters of a search text */
#define ENT_FORMER_MAX 20   /* former names kept per enterprise */

/* Provenance of a write: where the values came from. kind is "user",
 * "import" (ref = import job id), "demo" or "system"; verified 0 means
 * self-declared. The user is the actor. */
typedef struct EntSource {
    const char *kind;
    int64_t ref;
    int verified;
} EntSource;

/* Listing status codes and names: none 未上市, candidate 上市后备,
 * neeq 新三板挂牌, listed 已上市. */
const char *ent_listing_name(const char *code);
int ent_listing_valid(const char *code);

/* Fields of a create, or of an update where NULL (and has_* = 0) leaves a
 * field unchanged and "" clears an optional text. Dates are text in any
 * form date_parse accepts; money in 元. */
typedef struct EntInput {
    const char *uscc;
    const char *name;
    int64_t unit_id; /* 0 = unchanged (update) */
    const char *address;
    const char *legal_rep;
    const char *established_on;
    int has_registered_capital;
    int registered_capital_null; /* with has_: clear */
    int64_t registered_capital;
    const char *industry_code;
    int has_tech_domain;
    int64_t tech_domain; /* 1-8, 0 = none */
    const char *tech_subdomain;
    const char *listing_status;
    const char *contact_name;
    const char *contact_phone;
    const char *contact_email;
    int has_liaison;
    int64_t liaison_user_id; /* 0 = none */
    const char *note;
} EntInput;

/* Create an enterprise ("ent.create"). ERR_CONFLICT naming "uscc" when the
 * code is already registered (also when that one is retired). */
int ent_create(Db *db, const Actor *a, const EntInput *in, const EntSource *src,
               int64_t *id_out, Err *e);

/* The enterprise as JSON with unit, industry and domain names, former names
 * and provenance (new reference; caller decrefs). ERR_NOTFOUND when missing
 * or out of scope. */
int ent_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Change the fields given in in ("ent.update"). A changed name moves the
 * old one to the former names. Retired enterprises cannot be changed. */
int ent_update(Db *db, const Actor *a, int64_t id, const EntInput *in,
               const EntSource *src, Err *e);

/* Most enterprises of one batch update or one export of selected ids. */
#define ENT_BATCH_MAX 1000

/* Apply in to each of the n enterprises ids, as ent_update does for one
 * (same validation, one "ent.update" audit entry each), all in one
 * transaction: any failure changes nothing. ERR_INVALID naming "ids" when
 * n is 0 or above ENT_BATCH_MAX or an id occurs twice; ERR_NOTFOUND naming
 * "ids" and the id when one is missing or out of scope; ERR_CONFLICT naming a
 * retired one. */
int ent_update_batch(Db *db, const Actor *a, const int64_t *ids, size_t n,
                     const EntInput *in, Err *e);

/* Retire with a reason (1-200 characters) ("ent.retire"). */
int ent_retire(Db *db, const Actor *a, int64_t id, const char *reason, Err *e);

/* Bring retired enterprise id back into the library (恢复入库), with a
 * reason (required; kept in the audit entry). ERR_CONFLICT when it is not
 * retired; scope and audit as ent_retire. */
int ent_restore(Db *db, const Actor *a, int64_t id, const char *reason, Err *e);

/* Id of the enterprise with this (normalised or not) code; ERR_NOTFOUND
 * when none or out of scope, ERR_INVALID when the code is malformed. */
int ent_find_uscc(Db *db, const Actor *a, const char *uscc, int64_t *id,
                  Err *e);

/* List filters; zero / NULL members do not filter. Revenue and R&D
 * intensity refer to the enterprise's latest year with figures; bounds are
 * inclusive. */
typedef struct EntFilter {
    int64_t unit_id;      /* that unit and the units below it */
    const char *industry; /* 门类 letter or code prefix: "C", "C39", "3963" */
    int64_t tech_domain;  /* 1-8 */
    const char *listing_status;
    int has_revenue_min, has_revenue_max;
    int64_t revenue_min, revenue_max; /* 元 */
    int has_rd_min, has_rd_max;
    int64_t rd_min_bp, rd_max_bp; /* R&D / sales in basis points (1% = 100) */
    int64_t established_from;     /* year, 0 = any */
    int64_t established_to;       /* year, 0 = any */
    int has_ip1;                  /* 1: only with a valid class-Ⅰ IP right */
    const char *q;                /* name, former name or USCC substring */
    const char *ids;       /* "1,2,3": only these (at most ENT_BATCH_MAX) */
    const char *qual_kind; /* holds a valid qualification of this kind */
    const char *qual_on;   /* ... on this date (default today) */
    int include_retired;
    const char *sort; /* column, "-" prefix for descending; NULL = name */
} EntFilter;

/* Validate f (ERR_INVALID naming the parameter). Normalises f->industry
 * into the caller's buffer ind (INDUSTRY_CODE_MAX bytes). */
int ent_filter_check(EntFilter *f, char *ind, Err *e);

/* Totals of a list are counted exactly up to this many matches. */
#define ENT_TOTAL_CAP 10000

/* Use cap instead of ENT_TOTAL_CAP (0 = back to it). Tests only. */
void ent_set_total_cap_for_tests(int64_t cap);

/* One page of enterprises in a's scope matching f (checked with
 * ent_filter_check first). *items: new array (caller decrefs); *total: the
 * number of matches, exact when *total_exact is 1, else ENT_TOTAL_CAP
 * (there are more); total_exact may be NULL. */
int ent_list(Db *db, const Actor *a, const EntFilter *f, int64_t offset,
             int64_t limit, json_t **items, int64_t *total, int *total_exact,
             Err *e);

/* Most rows one export may hold. */
#define ENT_EXPORT_MAX 200000

/* One enterprise as the export walks it (pointers valid during the
 * callback only; NULL text = empty). */
typedef struct EntRow {
    int64_t id;
    const char *uscc;
    const char *name;
    const char *unit_name;
    const char *address;
    const char *legal_rep;
    const char *established_on;
    int has_capital;
    int64_t capital; /* 元 */
    const char *industry_code;
    int64_t tech_domain; /* 0 = none */
    const char *tech_subdomain;
    const char *listing_status;
    const char *contact_name;
    const char *contact_phone;
    const char *contact_email;
    const char *note;
    int has_latest_year, has_revenue, has_rd;
    int64_t latest_year, latest_revenue, latest_rd_bp;
    int retired;
} EntRow;

/* Call fn for every enterprise in a's scope matching f (checked with
 * ent_filter_check), in the list's order. Refuses with ERR_TOOBIG before
 * calling fn when more than max_rows match. fn returns 0 to go on, else an
 * ERR_* code that stops the walk and is returned. */
typedef int (*EntRowFn)(void *ud, const EntRow *row);
int ent_export(Db *db, const Actor *a, const EntFilter *f, int64_t max_rows,
               EntRowFn fn, void *ud, Err *e);

/* Path of the unit the enterprise belongs to and whether the enterprise
 * is retired, without a scope check; ERR_NOTFOUND when missing. */
int ent_unit_path(Db *db, int64_t id, char *path, size_t cap, int *retired,
                  Err *e);

/* Refresh the enterprise's latest_* list columns from its yearly figures
 * (inside the caller's transaction). */
int ent_refresh_latest(Db *db, int64_t id, Err *e);

/* Derived list columns ent_refresh_derived recomputes. */
#define ENT_DERIVED_LATEST 1u /* latest_year, latest_revenue, latest_rd_bp */
#define ENT_DERIVED_IP1 2u    /* ip1_until (valid class-Ⅰ IP rights) */
#define ENT_DERIVED_ALL 3u

/* Record a rename of enterprise id inside the caller's transaction: old_name
 * becomes a former name used until today (a listed one gets the new date),
 * new_name stops being a former name (a rename back), and only the
 * ENT_FORMER_MAX most recently used former names are kept (the audit log
 * keeps every rename).
 * Every writer of enterprises.name calls it. */
int ent_record_rename(Db *db, int64_t id, const char *old_name,
                      const char *new_name, const char *now, Err *e);

/* Recompute the derived list columns in what for the enterprises with ids
 * first_id..last_id (0, 0 = all), set-based, inside the caller's
 * transaction; rows whose values do not change are not written. Every
 * writer of enterprise_years or ip_rights must call it (or, for yearly
 * figures, ent_refresh_latest) for the enterprises it touched; see
 * docs/internals/enterprise.md. */
int ent_refresh_derived(Db *db, int64_t first_id, int64_t last_id,
                        unsigned what, Err *e);

/* Resolve enterprise id for a write by a: fills path with its unit path.
 * ERR_NOTFOUND ("企业不存在") when missing or outside a's scope,
 * ERR_CONFLICT when the enterprise is retired. */
int ent_writable_path(Db *db, const Actor *a, int64_t id, char *path,
                      size_t cap, Err *e);

/* A kind of row that belongs to an enterprise (IP right, fact) and is
 * retired, never deleted. */
typedef struct EntChildKind {
    const char *retire_sql; /* UPDATE ... SET retired_at = $1, retire_reason
                               = $2, updated_at = $1 WHERE id = $3 */
    int (*read)(Db *db, int64_t id, json_t **out, Err *e);
    const char *action;      /* audit action, "ip.retire" */
    const char *missing_msg; /* zh-CN: no such row */
    const char *retired_msg; /* zh-CN: already retired */
} EntChildKind;

/* Retire row id of kind k belonging to enterprise_id with a reason, in one
 * transaction with its audit entry (object: the enterprise). */
int ent_child_retire(Db *db, const Actor *a, const EntChildKind *k,
                     int64_t enterprise_id, int64_t id, const char *reason,
                     Err *e);

#endif
