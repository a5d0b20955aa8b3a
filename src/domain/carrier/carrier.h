/* carrier.h - innovation carriers (众创空间, 孵化器, 加速器, 大学科技园 ...)
 * and their tenants.
 *
 * Carrier types, levels and move-out reasons are the one C table of this
 * file, served to the UI through carrier_reference_json(). A carrier
 * belongs to one unit (data scope) and is run by an enterprise of the
 * library or a named institution. A tenancy runs from moved_in (inclusive)
 * to moved_out (exclusive). Integrity rules (carrier_tenant_*):
 *   - moved_out must be later than moved_in, and comes with a reason
 *     (毕业 / 迁出 / 注销);
 *   - an enterprise is in one carrier at a time, except where the carrier
 *     types allow the overlap (carrier_types_may_overlap): a 大学科技园,
 *     科技园区 or 产业技术研究院 hosts carriers and enterprises, so being in
 *     one of them and in another carrier at once is allowed; and a team
 *     moving 众创空间 → 孵化器 may keep its 众创空间 seat while it starts in
 *     the 孵化器. Two incubating carriers otherwise never overlap, and no
 *     enterprise has two overlapping tenancies in the same carrier.
 * Graduation ("who may graduate") is the rule set
 * rules/carrier/graduation-2018.kcr evaluated on the library's data
 * (domain/elig.h) and explained like any verdict.
 * Uses: base, db, rules, domain accounts (actor, scope, audit), the
 * enterprise library (ent.h) and eligibility (elig.h, elig_explain.h). */
#ifndef KC_DOMAIN_CARRIER_CARRIER_H
#define KC_DOMAIN_CARRIER_CARRIER_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Groups of carrier types: incubating carriers hold tenants one at a time;
 * hosts (parks, institutes) may hold an enterprise that is also elsewhere. */
enum { CARRIER_G_INCUBATE = 1, CARRIER_G_HOST = 2 };

typedef struct CarrierType {
    const char *code; /* carriers.type */
    const char *name; /* zh-CN */
    int group;        /* CARRIER_G_* */
} CarrierType;

/* The type with this code, or NULL. */
const CarrierType *carrier_type_find(const char *code);
/* Level (national / municipal / district) and move-out reason (graduated /
 * moved / deregistered) names, or NULL. */
const char *carrier_level_name(const char *code);
const char *carrier_reason_name(const char *code);

/* May an enterprise be a tenant of a carrier of type a and one of type b
 * at the same time (the rule above)? Symmetric. */
int carrier_types_may_overlap(const char *a, const char *b);

/* Every code table of the capability (carrier types with group, levels,
 * move-out reasons, the overlap rule as text, platform kinds and statuses,
 * talent programmes, listing stages, sheet indicators): a new reference. */
json_t *carrier_reference_json(void);

#define CARRIER_NAME_MAX 100
#define CARRIER_TEXT_MAX 200
#define CARRIER_NOTE_MAX 1000

/* Fields of a carrier. Dates in any form date_parse takes. has_* say
 * whether an optional number is given. */
typedef struct CarrierInput {
    const char *name;
    const char *type;
    const char *level; /* NULL / "" = none */
    const char *recognized_on;
    const char *recognition_doc;
    int64_t operator_enterprise_id; /* 0 = none */
    const char *operator_name;
    int64_t unit_id;
    const char *address;
    int has_area, has_incubation_area, has_staff, has_mentors;
    int64_t area, incubation_area, staff, mentors;
    const char *services;
    const char *note;
} CarrierInput;

/* Create a carrier ("carrier.create"). Inside a transaction the caller
 * opened (an import), it writes there and neither commits nor rolls back;
 * carrier_tenant_add does the same. ERR_INVALID naming the field; an
 * operator enterprise not in the library is ERR_INVALID naming
 * operator_enterprise_id; a live carrier of the same name ERR_CONFLICT. */
int carrier_create(Db *db, const Actor *a, const CarrierInput *in,
                   int64_t *id_out, Err *e);

/* Replace the fields of carrier id ("carrier.update", before and after).
 * Nothing changed: updated_at kept and no audit entry. carrier_update_ex
 * also says whether anything changed (*changed, may be NULL) and, inside
 * a transaction the caller opened (an import), neither commits nor rolls
 * back. */
int carrier_update(Db *db, const Actor *a, int64_t id, const CarrierInput *in,
                   Err *e);
int carrier_update_ex(Db *db, const Actor *a, int64_t id,
                      const CarrierInput *in, int *changed, Err *e);

/* Retire carrier id with a reason ("carrier.retire"); its open tenancies
 * stay as recorded. */
int carrier_retire(Db *db, const Actor *a, int64_t id, const char *reason,
                   Err *e);

/* Carrier id in a's scope as JSON (type_name, level_name, operator and
 * unit names, tenants today); ERR_NOTFOUND otherwise. Caller decrefs. */
int carrier_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

typedef struct CarrierFilter {
    const char *type;
    const char *level;
    const char *q;    /* part of the name */
    const char *sort; /* name, type, level, recognized_on, tenants ("-" =
                         descending); NULL = name */
    int include_retired;
} CarrierFilter;

/* Page of carriers in a's scope. *items new array (caller decrefs). */
int carrier_list(Db *db, const Actor *a, const CarrierFilter *f, int64_t offset,
                 int64_t limit, json_t **items, int64_t *total, Err *e);

/* ---- tenants ---- */

typedef struct TenantInput {
    int64_t enterprise_id;
    const char *moved_in;
    const char *moved_out;  /* NULL / "" = still in */
    const char *out_reason; /* required with moved_out */
    const char *note;
} TenantInput;

/* Add a tenancy to carrier carrier_id ("tenant.create", audited under the
 * carrier). The enterprise must be in a's scope. ERR_INVALID naming the
 * field for dates and reason; ERR_CONFLICT naming moved_in when it
 * overlaps another tenancy that the rule above does not allow (the
 * message names the other carrier and dates). */
int carrier_tenant_add(Db *db, const Actor *a, int64_t carrier_id,
                       const TenantInput *in, int64_t *id_out, Err *e);

/* Change tenancy tenant_id of the carrier (a move-out is moved_out +
 * out_reason); the same checks as carrier_tenant_add, the tenancy itself
 * left out of the overlap check ("tenant.update"). enterprise_id of in is
 * ignored. Allowed on a retired carrier too (its tenants move out). */
int carrier_tenant_update(Db *db, const Actor *a, int64_t carrier_id,
                          int64_t tenant_id, const TenantInput *in, Err *e);
/* carrier_tenant_update that says whether anything changed (*changed, may
 * be NULL; nothing changed: no write, no audit entry) and, inside a
 * transaction the caller opened (an import), neither commits nor rolls
 * back. */
int carrier_tenant_update_ex(Db *db, const Actor *a, int64_t carrier_id,
                             int64_t tenant_id, const TenantInput *in,
                             int *changed, Err *e);

/* Tenancies of carrier carrier_id whose enterprise lies in a's scope,
 * newest move-in first. as_of ("YYYY-MM-DD", NULL = all) keeps those in
 * the carrier that day. *items new array (caller decrefs). */
int carrier_tenant_list(Db *db, const Actor *a, int64_t carrier_id,
                        const char *as_of, json_t **items, Err *e);

/* Tenancies of enterprise enterprise_id (every carrier), for its page. */
int carrier_tenant_list_ent(Db *db, const Actor *a, int64_t enterprise_id,
                            json_t **items, Err *e);

/* "Who may graduate": the graduation rule set evaluated at as_of for the
 * tenants in carrier carrier_id that day (tenant_id 0) or for one tenancy.
 * *out: {"ruleset": {...}, "as_of", "items": [{tenant_id, enterprise_id,
 * enterprise_name, verdict, verdict_name, path, result}]} with result the
 * eligibility API's explanation (elig_result_json). Caller decrefs. */
int carrier_graduation(Db *db, const Actor *a, int64_t carrier_id,
                       int64_t tenant_id, const char *as_of, json_t **out,
                       Err *e);

/* The parsed graduation rule set (built in; never NULL after the first
 * successful call, NULL with e set when it does not parse). */
const struct RuleSet *carrier_grad_ruleset(Err *e);

#endif
