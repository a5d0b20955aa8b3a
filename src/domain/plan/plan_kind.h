/* plan_kind.h - the rules of indicator kinds, units and values, in one
 * place: every writer (API, import, demo) and every reader that sums,
 * compares or charts goes through these functions.
 *
 * Kinds: a stock (存量) is counted at a date (高新技术企业数 at 31 December)
 * and never summed over years; a flow (流量) is summed over the year
 * (技术合同成交额) and may be summed over years and units; a ratio (比率,
 * 研发投入强度 %) is never summed at all. Values are exact scaled integers:
 * the value in the indicator's own unit times PLAN_SCALE (10 000), parsed
 * from decimal text without floating point. Nothing here allocates. */
#ifndef KC_DOMAIN_PLAN_KIND_H
#define KC_DOMAIN_PLAN_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define PLAN_SCALE 10000                           /* value_e4 = value x 10^4 */
#define PLAN_VALUE_MAX ((int64_t)1000000000000000) /* 10^11 units, scaled */
#define PLAN_VALUE_TEXT 32 /* bytes for a formatted value */

enum { PLAN_KIND_NONE = 0, PLAN_KIND_STOCK, PLAN_KIND_FLOW, PLAN_KIND_RATIO };

/* Kind from its code ("stock", "flow", "ratio"); PLAN_KIND_NONE if other. */
int plan_kind_from_code(const char *code);
const char *plan_kind_code(int kind); /* "stock" ... or "" */
const char *plan_kind_name(int kind); /* 存量 / 流量 / 比率 */
const char *plan_kind_hint(int kind); /* 统计日时点值 / 当年累计 / 不加总 */

/* 1 when unit is one of 家 件 亿元 万元 % 个 人 (a full-width ％ is
 * accepted by plan_unit_norm). */
int plan_unit_valid(const char *unit);
/* The canonical spelling of unit ("％" -> "%"), or NULL when unknown. */
const char *plan_unit_norm(const char *unit);
/* Units whose values are counts of things (家 件 个 人): whole, >= 0. */
int plan_unit_is_count(const char *unit);

/* The kind a name and unit suggest when a table does not say: % -> ratio;
 * names of amounts and additions (成交额, 引进, 新增, 引育, 培育数 ...) ->
 * flow; everything else (数量, 有效 ..., counted at a date) -> stock. */
int plan_kind_guess(const char *name, const char *unit);

/* Parse decimal text (ASCII or full-width digits, optional sign, at most 4
 * decimals, a trailing unit or % sign matching unit is allowed) into a
 * scaled value. Refuses (ERR_INVALID, field, zh-CN message naming `where`,
 * e.g. "第5行D列"): not a number, more than 4 decimals, a percentage over
 * 100 where unit is %, a negative or fractional count where unit is a
 * count unit, a value beyond PLAN_VALUE_MAX. */
int plan_value_parse(const char *s, const char *unit, int64_t *out,
                     const char *field, const char *where, Err *e);
/* Check an already scaled value against unit (same rules as parsing). */
int plan_value_check(int64_t v, const char *unit, const char *field,
                     const char *where, Err *e);
/* Write v as decimal text without trailing zeros ("2.57", "1140"). */
void plan_value_format(int64_t v, char out[PLAN_VALUE_TEXT]);

/* A year must lie within the plan's years, or be its base year (0 =
 * none); where prefixes the message ("第3行E列：", may be NULL). */
int plan_year_check(int year, int year_from, int year_to, int base_year,
                    const char *field, const char *where, Err *e);

/* Combine the values of several years of one indicator: a flow is summed;
 * a stock refuses (ERR_INVALID: "存量指标不能跨年相加", take the value at
 * the last date instead); a ratio refuses. */
int plan_sum_years(int kind, const int64_t *vals, size_t n, int64_t *out,
                   Err *e);
/* Combine the values of several units for one period: stocks and flows are
 * summed; a ratio refuses (a district ratio is not the sum of units'). */
int plan_sum_units(int kind, const int64_t *vals, size_t n, int64_t *out,
                   Err *e);
/* The value for "year to date" from period values in time order: a stock
 * is the latest value (counted at a date), a flow the sum, a ratio the
 * latest value. n = 0 is ERR_NOTFOUND. */
int plan_value_to_date(int kind, const int64_t *vals, size_t n, int64_t *out,
                       Err *e);

/* Completion of a target in basis points (10000 = 100 %): higher-is-better
 * indicators actual / target, lower-is-better target / actual. ERR_INVALID
 * when it is undefined (target 0, or actual 0 when lower is better). */
int plan_completion_bp(int direction, int64_t actual, int64_t target,
                       int64_t *bp, Err *e);

/* The number written by the up to max_digits ASCII digits at s (no sign,
 * no spaces); -1 when s does not start with a digit. *end (may be NULL)
 * gets the first character after them. */
int64_t plan_digits(const char *s, int max_digits, const char **end);

/* A reporting period: "2022Q3" (quarter) or "2022-07" (month), as the
 * plan's period setting ("quarter" / "month") says. Sets the year and the
 * first and last day ("2022-07-01", "2022-09-30"). ERR_INVALID naming
 * field otherwise. */
int plan_period_parse(const char *s, const char *plan_period, int *year,
                      char start[11], char end[11], const char *field, Err *e);

#endif
