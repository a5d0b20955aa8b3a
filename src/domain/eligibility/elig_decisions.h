/* elig_decisions.h - evaluations with explanations and "next steps", what-if,
 * whole-library screening into the stored decision columns (through the
 * library snapshot), and the decision list / summary / export (see
 * docs/internals/eligibility.md). */
#ifndef KC_DOMAIN_ELIG_DECISIONS_H
#define KC_DOMAIN_ELIG_DECISIONS_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/snapshot.h"

#define ELIG_OVERRIDES_MAX 200 /* what-if assignments per request */
#define ELIG_GAPS_MAX 360      /* bytes of gap text per list item */
#define ELIG_EXPORT_MAX 200000 /* rows of a decision export */

/* One rule set's evaluation as the eligibility API gives it (the
 * `results[]` entries of GET /enterprises/{id}/eligibility): verdict,
 * score, path, rows, missing and not-needed fields, hashes. `rules eval
 * --json` prints the same. */
json_t *elig_result_json(const RuleSet *rs, const RuleResult *r);
/* The gap column of a decision list / export row (ELIG_GAPS_MAX bytes). */
void elig_gap_text(const RuleResult *r, Buf *gaps);

/* Called by elig_walk once per enterprise with its unit path and input
 * (owned by the walk). Return 0 to go on. */
typedef int (*EligWalkFn)(void *ud, int64_t enterprise_id,
                          const char *unit_path, const RuleInput *in, Err *e);

/* Load every non-retired enterprise in a's scope once, in id order (the
 * loop under elig_each, for work that evaluates several rule sets). */
int elig_walk(Db *db, const Actor *a, Date as_of, JobRun *run, EligWalkFn fn,
              void *ud, Err *e);

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

/* Progress callback for command-line screening (may be NULL). */
typedef void (*EligProgressFn)(void *ud, int64_t done, int64_t total);

/* Screen every enterprise in a's scope with the rule sets named (n = 0:
 * all in force at as_of) over the library snapshot at as_of (the saved one
 * when in step, else rebuilt first, outside the write transaction) and
 * store the decisions, all in one transaction with one audit entry
 * "elig.screen" (counts). run (job) or progress (CLI) may be NULL.
 * *counts (may be NULL) gets {enterprises, rulesets: {id: {verdict name:
 * n}}}. */
int elig_screen(Db *db, const Actor *a, const char *const *rulesets, int n,
                Date as_of, JobRun *run, EligProgressFn progress, void *pud,
                json_t **counts, Err *e);

/* The same over a snapshot the caller holds (its as-of date), without
 * progress: `kechuang snapshot screen`, which times the snapshot and the
 * screening apart. */
int elig_screen_snapshot(Db *db, const Actor *a, Snapshot *snap,
                         const char *const *rulesets, int n, json_t **counts,
                         Err *e);

/* Validate the request and start a "screening" job (rulesets: JSON array
 * of ids or NULL). */
int elig_screen_start(Db *db, const char *location, const Actor *a,
                      json_t *rulesets, Date as_of, int64_t *job_id, Err *e);

/* Decision list filters. */
typedef struct DecFilter {
    const char *ruleset; /* required */
    int verdict;         /* 0 = any, else RULE_V_* */
    int64_t unit_id;     /* 0 = any */
    const char *q;       /* name / USCC substring, or NULL */
    const char *sort;    /* "closest" (default), "-score", "name" */
} DecFilter;

/* Parse the query values into f (verdict by code or zh-CN name). */
int elig_filter_check(DecFilter *f, const char *verdict, Err *e);

/* One page of decisions in a's scope. Items: enterprise_id, uscc, name,
 * unit_id, unit_name, verdict, verdict_name, score_lo, score_hi, unmet,
 * unknown, gaps (explained from the data as they are now), stale (the
 * stored verdict no longer holds), as_of, evaluated_at. */
int elig_decisions_list(Db *db, const Actor *a, const DecFilter *f,
                        int64_t offset, int64_t limit, json_t **items,
                        int64_t *total, Err *e);

/* The same rows for an export: fn gets each item (borrowed). ERR_TOOBIG
 * above ELIG_EXPORT_MAX before any row. */
int elig_decisions_each(Db *db, const Actor *a, const DecFilter *f,
                        int (*fn)(void *ud, json_t *item, Err *e), void *ud,
                        Err *e);

/* Counts by unit (direct children of unit_id, or of the actor's unit) x
 * rule set x verdict: {units: [{unit_id, unit_name, rulesets: {id:
 * {verdict name: n}}}]}. */
int elig_decisions_summary(Db *db, const Actor *a, int64_t unit_id,
                           json_t **out, Err *e);

#endif
