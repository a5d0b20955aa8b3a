/* pool_ents.h - for an achievement (成果) of the 成果库, the enterprises of
 * the library that could use it, ranked with the reasons shown: the same
 * industry (行业代码 prefix), the 技术领域 (the contract field of the
 * achievement mapped onto the enterprise's 高新技术领域), earlier registered
 * technology contracts as buyer in that field, shared terms (pool_terms
 * bigrams) between the achievement's title/summary and the enterprise's
 * name and 技术子领域, and R&D activity (研发费用 of the enterprise's latest
 * year in enterprise_years). Uses pool.h and the library's tables (read
 * only). Notes: docs/internals/market.md. */
#ifndef KC_DOMAIN_MARKET_POOL_ENTS_H
#define KC_DOMAIN_MARKET_POOL_ENTS_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* the most a list or an export returns */
#define POOL_ENTS_MAX 200
/* at most this many candidates (best by terms, industry, field and
 * contracts) have their R&D expense read: those that could still reach the
 * list with it */
#define POOL_ENTS_SHORTLIST 200

/* The 高新技术领域 (library tech_domain 1..8) that contract 技术领域 field
 * (1..11) falls in, 0 when none corresponds. */
int pool_ents_domain_of_field(int64_t field);

/* The enterprises in a's scope (not retired, not the achievement's own
 * holder) that could use achievement id, best first, at most limit (<=
 * POOL_ENTS_MAX): [{ent_id, uscc, name, unit_name, industry_code,
 * tech_domain_name, rd_year, rd_expense, buyer_contracts, score, reasons:
 * [text]}]. An enterprise with no shared term, industry, field or contract
 * is not listed (R&D activity alone does not list it). ERR_NOTFOUND when
 * the item is not in scope, ERR_INVALID when it is no achievement. Caller
 * decrefs *out. */
int pool_ents_match(Db *db, const Actor *a, int64_t id, int limit, json_t **out,
                    Err *e);

#endif
