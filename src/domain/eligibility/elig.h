/* elig.h - eligibility: the rule engine applied to the enterprise library.
 *
 * elig_load_input() reads one enterprise's data (record, yearly figures,
 * IP rights, dated facts, declarations) into a RuleInput for an as-of
 * date; the mapping from tables to rule fields is documented in
 * docs/internals/eligibility.md and is the only one: every other reader of
 * enterprise data for rules (the batch snapshot, the sandbox) must give the
 * same input, which tests check through rule_input_hash(). Screenings of
 * the whole library store one decision per enterprise and rule set (rule
 * set hash, input hash, as-of date, verdict, score range, outcomes) as
 * decision columns (dec_cols.h), which feed lists, counts and exports.
 * Besides the library it reads the R&D platforms of the platform register
 * (domain/carrier/platform.h) as facts of kind rd_institution. */
#ifndef KC_DOMAIN_ELIG_H
#define KC_DOMAIN_ELIG_H

#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/jobs/job.h"
#include "rules/rules.h"

/* The evaluation year rule files index from for an as-of date: the
 * calendar year of as_of. */
int elig_year(Date as_of);

/* Read enterprise id (no scope check: callers check scope) into a new
 * RuleInput for as_of; the caller frees it with rule_input_free().
 * ERR_NOTFOUND when the enterprise does not exist. Missing data stays
 * missing (never zero). */
int elig_load_input(Db *db, int64_t enterprise_id, Date as_of, RuleInput **out,
                    Err *e);

/* elig_load_input for many enterprises on one connection: the statements
 * are prepared once (a list page or an export explains row after row). */
typedef struct EligLoader EligLoader;
int elig_loader_open(Db *db, EligLoader **out, Err *e);
int elig_loader_load(EligLoader *l, int64_t enterprise_id, Date as_of,
                     RuleInput **out, Err *e);
void elig_loader_close(EligLoader *l); /* NULL is fine */

/* Called once per enterprise by elig_each with its input and result
 * (both owned by elig_each; valid during the call). Return 0 to go on, or
 * an ERR_* code (with e set) to stop. */
typedef int (*EligFn)(void *ud, int64_t enterprise_id, const RuleInput *in,
                      const RuleResult *r, Err *e);

/* Evaluate rs for every enterprise in a's scope that is not retired, in id
 * order, at as_of. run (may be NULL) gets the total and progress and is
 * polled for cancellation (ERR_CANCELLED). Runs on the caller's
 * connection and opens no transaction of its own. */
int elig_each(Db *db, const Actor *a, const RuleSet *rs, Date as_of,
              JobRun *run, EligFn fn, void *ud, Err *e);

/* Called by elig_walk once per enterprise with its unit path and input
 * (owned by the walk). Return 0 to go on. */
typedef int (*EligWalkFn)(void *ud, int64_t enterprise_id,
                          const char *unit_path, const RuleInput *in, Err *e);

/* Load every non-retired enterprise in a's scope once, in id order (the
 * loop under elig_each, for work that evaluates several rule sets). */
int elig_walk(Db *db, const Actor *a, Date as_of, JobRun *run, EligWalkFn fn,
              void *ud, Err *e);

#endif
