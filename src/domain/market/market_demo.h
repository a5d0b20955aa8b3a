/* market_demo.h - demonstration data of the technology market: a few years
 * of registered technology contracts whose sellers are enterprises of the
 * demo district (and a few outside it), with amendments, cancellations and
 * 未予登记 outcomes; achievements, demands, institutions and resources of
 * 一池四库 and 揭榜 challenges at every stage. Deterministic for a seed. */
#ifndef KC_DOMAIN_MARKET_MARKET_DEMO_H
#define KC_DOMAIN_MARKET_MARKET_DEMO_H

#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Contracts per year at most (the demo district's size scales it down). */
#define MARKET_DEMO_PER_YEAR 400

/* Write contracts registered from last_year - 3 to last_year + 1 (the
 * running year, up to today) through the same validation and event path
 * as an import, in one transaction with one audit entry
 * ("contract.demo"); then cancel a few (each audited). *n_out (may be
 * NULL) gets how many contracts were written. Does nothing when the
 * database already holds contracts or has no enterprises. */
int market_demo_generate(Db *db, const Actor *a, uint64_t seed, int last_year,
                         int64_t *n_out, Err *e);

#endif
