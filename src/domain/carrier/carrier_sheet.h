/* carrier_sheet.h - a carrier's yearly indicator sheet, the scoring schemes
 * and the ranking ("有进有出、择优支持").
 *
 * Computed indicators come from the records, for calendar year Y, with a
 * tenancy counting from moved_in (inclusive) to moved_out (exclusive):
 *   tenants      enterprises in the carrier on any day of Y
 *   tenants_end  enterprises in the carrier on 31 December
 *   new_tenants  enterprises that moved in during Y
 *   graduates    tenancies ended in Y with reason 毕业
 *   left         tenancies ended in Y with reason 迁出 or 注销
 *   hnte_new / sme_new / chuying_new
 *                tenants with a row of table qualifications of kind hnte /
 *                sme / chuying whose valid_from falls in Y and inside the
 *                tenancy ("became 高企 while in the carrier")
 *   ip_granted / ip1_granted
 *                IP rights (not retired) of tenants granted in Y inside the
 *                tenancy, all and Ⅰ类
 *   financing    amounts (元) of tenants' financing facts (enterprise_facts
 *                kind financing) dated in Y inside the tenancy
 *   contracts / contract_amount
 *                technology contracts of the register (table contracts,
 *                status registered) whose seller is the tenant
 *                (seller_ent_id: the market's convention, 技术输出 counts
 *                for the seller) registered in Y inside the tenancy: count
 *                and sum of 合同成交额 (amount, 元)
 * Typed-in indicators (revenue 元, events) are carrier_sheet_values rows
 * with their provenance. Every carrier's sheet of a year is computed by one
 * grouped query per indicator (carrier_sheet_all).
 * Uses: base, db, domain accounts; reads tables qualifications, ip_rights,
 * enterprise_facts of the library and contracts of the market (read only). */
#ifndef KC_DOMAIN_CARRIER_SHEET_H
#define KC_DOMAIN_CARRIER_SHEET_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

enum {
    CS_TENANTS = 0,
    CS_TENANTS_END,
    CS_NEW,
    CS_GRADUATES,
    CS_LEFT,
    CS_HNTE_NEW,
    CS_SME_NEW,
    CS_CHUYING_NEW,
    CS_IP_GRANTED,
    CS_IP1_GRANTED,
    CS_FINANCING,
    CS_CONTRACTS,
    CS_CONTRACT_AMOUNT,
    CS_REVENUE, /* typed in */
    CS_EVENTS,  /* typed in */
    CS_N
};

/* Units of an indicator. */
enum { CS_U_ENT = 1, CS_U_ITEM, CS_U_YUAN, CS_U_TIMES, CS_U_DEAL };

typedef struct CarrierIndicator {
    const char *code;
    const char *name;
    int unit;           /* CS_U_* */
    int typed;          /* 1 = typed in, 0 = computed */
    const char *source; /* zh-CN: where a computed value comes from */
} CarrierIndicator;

extern const CarrierIndicator carrier_indicators[CS_N];

/* The indicator with this code (index into carrier_indicators), or -1. */
int carrier_indicator_find(const char *code);

/* One carrier's values for a year. has[i] is 0 for a typed-in indicator
 * nobody filled in. */
typedef struct CarrierSheet {
    int64_t carrier_id;
    int64_t v[CS_N];
    int has[CS_N];
} CarrierSheet;

/* Sheets of year for the carriers whose ids are given (n of them), in the
 * same order; sheets[i].carrier_id is set from ids. No scope check. */
int carrier_sheet_compute(Db *db, int year, const int64_t *ids, int n,
                          CarrierSheet *sheets, Err *e);

/* The sheet of carrier id (in a's scope) for year as JSON: {carrier,
 * year, rows: [{code, name, unit, value, value_wan, typed, source,
 * src_at, src_user, note}]}. Caller decrefs. */
int carrier_sheet_get(Db *db, const Actor *a, int64_t id, int year,
                      json_t **out, Err *e);

/* Store typed-in values of carrier id for year ("carrier.sheet_put",
 * before and after). values: {code: value} with revenue a 万元 decimal
 * string or number, events an integer; null removes a value. An unknown or
 * computed code is ERR_INVALID naming it. */
int carrier_sheet_put(Db *db, const Actor *a, int64_t id, int year,
                      json_t *values, const char *note, Err *e);

/* A scoring scheme: weights per indicator (sum 100), versioned, in force
 * from a year on; the bottom bottom_pct % (rounded up) of a ranking are
 * flagged "有进有出". */
typedef struct CarrierScheme {
    const char *code;
    const char *name;
    int from_year;
    int weights[CS_N];
    int bottom_pct;
} CarrierScheme;

/* The scheme with this code, or (code NULL / "") the latest in force in
 * year; NULL when none. */
const CarrierScheme *carrier_scheme_find(const char *code, int year);

/* Ranking of the carriers in a's scope (not retired; type NULL = every
 * type) for year under a scheme (NULL = the one in force): {scheme, year,
 * items: [{rank, carrier_id, name, type_name, score, score_text, parts:
 * {code: points}, values: {code: value}, flagged}]}. Scores are exact
 * hundredths: each indicator gives weight × value / (the largest value
 * among the ranked carriers). ERR_INVALID naming "scheme" / "year". */
int carrier_ranking(Db *db, const Actor *a, int year, const char *scheme,
                    const char *type, json_t **out, Err *e);

/* Indicators and schemes as the reference API serves them. */
json_t *carrier_sheet_reference_json(void);

#endif
