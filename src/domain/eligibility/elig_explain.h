/* elig_explain.h - one enterprise evaluated with explanations and "next
 * steps": the rule sets in force, each result as JSON, the ladders with the
 * changes the next tier needs, what-if assignments, and the tier, verdict
 * and value-type names the API, the CLI and the UI show (see
 * docs/internals/eligibility.md). */
#ifndef KC_DOMAIN_ELIG_EXPLAIN_H
#define KC_DOMAIN_ELIG_EXPLAIN_H

#include <jansson.h>
#include <stdint.h>

#include "domain/eligibility/elig.h"

#define ELIG_SETS_MAX 64       /* rule sets of one evaluation or screening */
#define ELIG_OVERRIDES_MAX 200 /* what-if assignments per request */

/* One rule set's evaluation as the eligibility API gives it (the
 * `results[]` entries of GET /enterprises/{id}/eligibility): verdict,
 * score, path, rows, missing and not-needed fields, hashes. `rules eval
 * --json` prints the same. */
json_t *elig_result_json(const RuleSet *rs, const RuleResult *r);
/* Built-in rule sets in force at as_of (effective period contains it);
 * with id set, only that one (ERR_INVALID naming field when unknown or not
 * in force). At most cap. */
int elig_rulesets(Date as_of, const char *id, const char *field,
                  const RuleSet **out, int cap, int *n, Err *e);

/* Evaluate enterprise id at as_of with every rule set in force (or the
 * one named), apply the what-if assignments (overrides, n may be 0; a bad
 * one is ERR_INVALID with field "overrides[i]"), and answer {as_of, year,
 * input_hash, results: [...], ladders: [...]}; with overrides also
 * "baseline" verdicts per rule set. */
int elig_evaluate(Db *db, int64_t id, Date as_of, const char *ruleset,
                  const char *const *overrides, int n_overrides, json_t **out,
                  Err *e);

/* Display name of a tier code ("hnte" -> "高新技术企业"; an unknown code
 * is returned as it is). */
const char *elig_tier_name(const char *code);
/* Every tier as [{code, name}] (new array), in the list's order. */
json_t *elig_tiers_json(void);

/* The ladders, tiers from the lowest up: [{name, tiers: [{tier, name}]}]
 * (new reference). */
json_t *elig_ladders_ref(void);

/* GET /reference/rules: {ladders (as elig_ladders_ref), fields: [{name,
 * label, yearly, type, unit}]}: the rule language's input fields; type as
 * elig_unit_type, unit one of yuan, usd, person, item, years, date, bool,
 * number. */
json_t *elig_rules_reference(void);

/* The value type the API takes for a unit (UN_*): bool, wan_yuan (万元),
 * wan_usd (万美元), date or integer. */
const char *elig_unit_type(int unit);

/* API code of a verdict ("met", "unmet", ... for RULE_V_*; "" when out of
 * range). */
const char *elig_verdict_code(int v);

#endif
