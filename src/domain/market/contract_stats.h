/* contract_stats.h - statistics of registered technology contracts, the
 * plan indicator 技术合同成交额 and the tax-relief estimate.
 *
 * Only contracts with status "registered" count (cancelled and 未予登记
 * ones do not). Periods are by registration date unless a convention says
 * otherwise. Amounts are int64 元. */
#ifndef KC_DOMAIN_MARKET_CONTRACT_STATS_H
#define KC_DOMAIN_MARKET_CONTRACT_STATS_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* ---- the indicator 技术合同成交额 (criteria.md §5.4, unconfirmed) ---- */

enum { MARKET_AMOUNT_TOTAL = 0, MARKET_AMOUNT_TECH = 1 };
enum { MARKET_DATE_REGISTERED = 0, MARKET_DATE_SIGNED = 1 };

/* The statistical convention. The default (MARKET_CONV_DEFAULT) is the
 * reading of the plans: the sum of 合同成交额 of the contracts registered
 * in the period whose seller is in the unit (or a unit below it). It is
 * not confirmed by 天津市科技局技术市场处; the members let a plan choose
 * another reading without changing code. */
typedef struct MarketConv {
    int amount; /* MARKET_AMOUNT_TOTAL (成交额) or _TECH (技术交易额) */
    int date;   /* MARKET_DATE_REGISTERED or _SIGNED */
    int own_unit_only; /* 1: the unit itself, not the units below */
    int seller_in_lib; /* 1: only sellers matched to the library */
} MarketConv;

#define MARKET_CONV_DEFAULT                                                    \
    {                                                                          \
        MARKET_AMOUNT_TOTAL, MARKET_DATE_REGISTERED, 0, 0                      \
    }

/* 技术合同成交额 of unit_id over [from, to] ("YYYY-MM-DD", inclusive)
 * under conv (NULL = MARKET_CONV_DEFAULT) into *yuan; *n_contracts (may
 * be NULL) gets how many contracts counted. The caller checks that the
 * unit is in its user's scope. ERR_INVALID for a malformed date. */
int market_indicator_contract_amount(Db *db, int64_t unit_id, const char *from,
                                     const char *to, const MarketConv *conv,
                                     int64_t *yuan, int64_t *n_contracts,
                                     Err *e);

/* ---- statistics ---- */

typedef struct ContractStatsQuery {
    const char *group; /* month quarter year type field unit buyer_place
                          seller_place */
    int year;          /* the period: this calendar year */
    int years;         /* group=year: this many years up to year (1..20) */
    int64_t unit_id;   /* 0: the actor's scope */
    const char *type;  /* filter by type code */
    int64_t field;     /* filter by 技术领域 */
    int from_rows;     /* 1: group the contracts themselves instead of
                          reading the kept sums (contract_sums, migration
                          030); the same figures, slower (tests compare) */
} ContractStatsQuery;

/* {group, year, items: [{key, label, count, amount, amount_wan,
 * tech_amount, tech_amount_wan, prev_amount, prev_amount_wan, yoy_pct
 * (string with one decimal or null), from, to, filter: {query parameters
 * of the contract list for the drill-down}}], total: {...}} for a's scope.
 * Read from the sums kept per (month, unit, type, field, buyer place,
 * seller place) by the contracts' triggers (migration 028).
 * New reference. ERR_INVALID naming group / year. */
int contract_stats(Db *db, const Actor *a, const ContractStatsQuery *q,
                   json_t **out, Err *e);

/* Top sellers or buyers (side "seller" / "buyer") of year in a's scope:
 * [{name, uscc, ent_id, count, amount, amount_wan}] by amount, limit rows. */
int contract_stats_top(Db *db, const Actor *a, const char *side, int year,
                       int64_t limit, json_t **out, Err *e);

/* Tax-relief estimate (§5.5) per seller enterprise for year, as
 * information: 技术交易额 of its registered 技术转让 / 技术许可 contracts
 * taken as the transfer income (an upper bound: costs and taxes are not
 * known), 500 万元 exempt, half of the tax above it, at the statutory 25 %.
 * [{ent_id, name, uscc, count, income, income_wan, exempt_wan,
 * halved_wan, relief, relief_wan}] by relief. */
int contract_tax_relief(Db *db, const Actor *a, int year, json_t **out, Err *e);

/* The relief of one income (元): 500 万 × 25 % + (income − 500 万) × 12.5 %
 * (rounded down to whole 元). */
int64_t contract_tax_relief_of(int64_t income);

#endif
