/* elig_screen.h - whole-library screening into the stored decision columns
 * (through the library snapshot), run at once or as a "screening" job (see
 * docs/internals/eligibility.md). */
#ifndef KC_DOMAIN_ELIG_SCREEN_H
#define KC_DOMAIN_ELIG_SCREEN_H

#include <jansson.h>
#include <stdint.h>

#include "domain/eligibility/elig.h"
#include "domain/eligibility/snapshot.h"

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

/* The loader of "screening" jobs (JobLoadFn): the worker of job id from
 * its params {as_of, rulesets}, so another instance runs it again. */
int elig_screen_job_load(Db *db, const char *location, int64_t id,
                         json_t *params, json_t *result, JobFn *fn, void **ud,
                         void (**free_ud)(void *), Err *e);

#endif
