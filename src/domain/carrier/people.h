/* people.h - talent (people counts per enterprise, year and programme;
 * named high-level talents) and the 重点上市企业资源库 (listing
 * candidates).
 *
 * Named talents are personal data: only bureau roles (系统管理员, 科技局业务,
 * 领导) see them; every other role gets ERR_NOTFOUND, as if there were
 * none. A read of the list (bulk) records an audit entry
 * ("talent.read_bulk"). Subsidies for listing costs are policy items of
 * the policy pool (not built here; no second ledger).
 * Uses: base, db, domain accounts, enterprise library (ent.h). */
#ifndef KC_DOMAIN_CARRIER_PEOPLE_H
#define KC_DOMAIN_CARRIER_PEOPLE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* zh-CN name of a talent programme / listing stage / board, or NULL. */
const char *talent_programme_name(const char *code);
const char *listing_stage_name(const char *code);
const char *listing_board_name(const char *code);

/* May a see named talents (bureau roles)? */
int talent_may_see_named(const Actor *a);

/* Store the counts of enterprise id for year ("talent.counts_put"):
 * counts {programme: people}, null removes one. ERR_INVALID naming the
 * programme code. */
int talent_counts_put(Db *db, const Actor *a, int64_t enterprise_id, int year,
                      json_t *counts, Err *e);

/* Counts in a's scope: one item per enterprise and year {enterprise_id,
 * enterprise_name, uscc, unit_name, year, counts: {programme: n}, total};
 * year 0 = every year. *sums gets {programme: n} over everything matched. */
int talent_counts_list(Db *db, const Actor *a, int year, int64_t enterprise_id,
                       int64_t offset, int64_t limit, json_t **items,
                       int64_t *total, json_t **sums, Err *e);

typedef struct TalentInput {
    const char *name;
    const char *programme;
    const char *batch;
    const char *field;
    const char *note;
} TalentInput;

/* Add a named talent employed by enterprise_id ("talent.create"). */
int talent_create(Db *db, const Actor *a, int64_t enterprise_id,
                  const TalentInput *in, int64_t *id_out, Err *e);

/* Replace the fields of named talent id of enterprise_id ("talent.update",
 * before and after) / remove it from the list with a reason
 * ("talent.retire"; the row stays with retired_at). Roles that may not see
 * named talents, a talent of another enterprise and an enterprise outside
 * a's scope get ERR_NOTFOUND. */
int talent_update(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                  const TalentInput *in, Err *e);
int talent_retire(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                  const char *reason, Err *e);

/* Named talents in a's scope (enterprise_id 0 = all), audited as a bulk
 * read when audit_bulk. ERR_NOTFOUND for roles that may not see them. */
int talent_list(Db *db, const Actor *a, int64_t enterprise_id,
                const char *programme, int audit_bulk, json_t **items, Err *e);

typedef struct ListingInput {
    const char *stage;
    const char *board;
    const char *sponsor;
    const char *entered_on;
    const char *stage_on;
    const char *listed_on;
    const char *note;
} ListingInput;

/* Put enterprise_id into the 重点上市企业资源库 or change its entry
 * ("listing.put"; before and after). listed needs listed_on. */
int listing_put(Db *db, const Actor *a, int64_t enterprise_id,
                const ListingInput *in, Err *e);

/* Candidates in a's scope (stage NULL = all), by stage then name.
 * *counts gets {stage: n}. */
int listing_list(Db *db, const Actor *a, const char *stage, int64_t offset,
                 int64_t limit, json_t **items, int64_t *total, json_t **counts,
                 Err *e);

/* The listing subsidies of enterprise_id: its applications to the policy
 * pool's listing items (policy district-listing: listing-fee 上市费用补贴,
 * loan-interest 贷款贴息, loan-guarantee 担保费补贴) with their payments,
 * read from tables policy_applications / policy_payments (never written
 * here). *out = {items: [...], granted, paid} (元). ERR_NOTFOUND when the
 * enterprise is not in a's scope. */
int listing_subsidies(Db *db, const Actor *a, int64_t enterprise_id,
                      json_t **out, Err *e);

json_t *people_reference_json(void);

#endif
