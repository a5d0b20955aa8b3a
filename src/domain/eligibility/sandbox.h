/* sandbox.h - the policy sandbox: evaluate an edited copy of a rule set
 * (a draft) over every enterprise in the actor's scope next to the rule
 * set in force with the same id, on the same input (the library's
 * columnar snapshot, src/domain/eligibility/snapshot.h, evaluated in memory),
 * and report who would change verdict: counts of each transition (达标→未达标
 * ...) by unit, and the list. Stored decisions and enterprise data are
 * never written; the changes go to sandbox_changes (007_sandbox.sql) and
 * only the newest SANDBOX_KEEP_RUNS runs keep them. */
#ifndef KC_DOMAIN_SANDBOX_H
#define KC_DOMAIN_SANDBOX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/jobs/job.h"
#include "rules/rules.h"

#define SANDBOX_KEEP_RUNS 20 /* runs whose changes are kept */
#define SANDBOX_SOURCE_MAX ((size_t)1024 * 1024) /* bytes of a draft */
#define SANDBOX_EXPORT_MAX 100000                /* rows of one export */
#define SANDBOX_DRAFT_PATH "草稿"                /* the file name errors name */

/* One enterprise whose result differs (scores: has_* 0 when the rule set
 * has no total). Strings are valid during a callback only. */
typedef struct SandboxChange {
    int64_t enterprise_id;
    int64_t unit_id;
    int verdict_before;
    int verdict_after;
    int has_before;
    int64_t before_lo, before_hi;
    int has_after;
    int64_t after_lo, after_hi;
    const char *name;      /* listing only */
    const char *uscc;      /* listing only */
    const char *unit_name; /* listing only */
} SandboxChange;

typedef void (*SandboxChangeFn)(void *ud, const SandboxChange *c);

/* Parse a draft (errors "草稿:line:col: message", ERR_INVALID naming
 * "source") and find the rule set in force it is compared with: `against`
 * when not NULL/"", else the draft's own id (ERR_INVALID naming "against"
 * or "source" when the current table has none). The caller frees *draft. */
int sandbox_parse(const char *source, size_t len, const char *against,
                  RuleSet **draft, const RuleSet **current, Err *e);

/* Evaluate draft and current for every enterprise in a's scope at as_of
 * (both on the same input) and build the result object (*result, new
 * reference): ruleset, name, against, as_of, hashes, evaluated, changed
 * (verdict), score_changed (same verdict, other score), transitions
 * [{from, to, from_code, to_code, count}], units [{unit_id, unit_name,
 * evaluated, changed, score_changed, transitions}]. on_change (may be
 * NULL) sees every enterprise whose result differs (name, uscc and
 * unit_name NULL). Reads only; runs in the caller's transaction, if any.
 * run may be NULL (progress and cancellation). */
int sandbox_compare(Db *db, const Actor *a, const RuleSet *draft,
                    const RuleSet *current, Date as_of, JobRun *run,
                    SandboxChangeFn on_change, void *ud, json_t **result,
                    Err *e);

/* Create a sandbox job (kind "sandbox") for a's scope with its
 * sandbox_runs row, prune the rows of runs older than the newest
 * SANDBOX_KEEP_RUNS, audit "sandbox.create", commit, and start the worker
 * on `location`. The source is parsed first (errors as sandbox_parse). */
int sandbox_start(Db *db, const char *location, const Actor *a,
                  const char *source, size_t len, const char *against,
                  Date as_of, int64_t *job_id, Err *e);

/* The loader of "sandbox" jobs (JobLoadFn): the worker of job id from its
 * sandbox_runs row (source, against, as_of), so another instance runs it
 * again. */
int sandbox_job_load(Db *db, const char *location, int64_t id, json_t *params,
                     json_t *result, JobFn *fn, void **ud,
                     void (**free_ud)(void *), Err *e);

/* Filters of the change list; zero fields do not filter. */
typedef struct SandboxFilter {
    int64_t unit_id;
    int verdict_before; /* RULE_V_* or 0 */
    int verdict_after;
} SandboxFilter;

/* Parse "达标→未达标", "达标->未达标" or "1-2" into the filter's
 * verdicts (ERR_INVALID naming "transition"). */
int sandbox_parse_transition(const char *s, SandboxFilter *f, Err *e);

/* The changes of sandbox job job_id (the caller checked that a may see the
 * job) matching f, ordered by unit then enterprise: *total gets the count,
 * fn the rows from offset (at most limit). ERR_NOTFOUND when the run's
 * rows were pruned or the job is not a sandbox run. */
int sandbox_changes(Db *db, int64_t job_id, const SandboxFilter *f,
                    int64_t offset, int64_t limit, SandboxChangeFn fn, void *ud,
                    int64_t *total, Err *e);

/* "达标→未达标" etc. into out. */
void sandbox_transition_name(int before, int after, char *out, size_t cap);

#endif
