/* elig_decisions.h - the stored decisions read back: the decision list,
 * its export and the counts by unit, with each row's gap text explained
 * from the data as they are now (see docs/internals/eligibility.md). */
#ifndef KC_DOMAIN_ELIG_DECISIONS_H
#define KC_DOMAIN_ELIG_DECISIONS_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "domain/eligibility/elig.h"

#define ELIG_GAPS_MAX 360      /* bytes of gap text per list item */
#define ELIG_EXPORT_MAX 200000 /* rows of a decision export */

/* The gap column of a decision list / export row (ELIG_GAPS_MAX bytes). */
void elig_gap_text(const RuleResult *r, Buf *gaps);

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
