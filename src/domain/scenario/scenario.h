/* scenario.h - saved scenarios of the policy sandbox (016_scenarios.sql):
 * a named draft rule text with its evaluation date, kept in the unit of
 * the user who saved it, listed, re-run (a sandbox job, see sandbox.h),
 * compared two at a time, changed and deleted. A scenario is visible to
 * its author and to users whose scope contains its unit. Every write is
 * audited (scenario.create / .update / .run / .delete). */
#ifndef KC_DOMAIN_SCENARIO_H
#define KC_DOMAIN_SCENARIO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define SCENARIO_NAME_MAX 60  /* characters */
#define SCENARIO_NOTE_MAX 500 /* characters */

/* Save a scenario. name: 1..SCENARIO_NAME_MAX characters, unique in the
 * actor's unit (ERR_CONFLICT naming "name"); source: a draft that parses
 * (errors as sandbox_parse, naming "source"); as_of: "" (the day of each
 * run) or YYYY-MM-DD; note may be "". */
int scenario_create(Db *db, const Actor *a, const char *name,
                    const char *source, size_t len, const char *as_of,
                    const char *note, int64_t *id, Err *e);

/* One scenario as JSON (with its source when with_source); ERR_NOTFOUND
 * when missing or out of a's sight. */
int scenario_get(Db *db, const Actor *a, int64_t id, int with_source,
                 json_t **out, Err *e);

/* The scenarios a sees, newest first: *items (new array, no sources),
 * *total. */
int scenario_list(Db *db, const Actor *a, int64_t offset, int64_t limit,
                  json_t **items, int64_t *total, Err *e);

/* Change a scenario: each of name, source (len bytes), as_of and note
 * when not NULL, checked as in scenario_create. A new text or date drops
 * the newest run (it no longer describes the scenario). Audited as
 * scenario.update with before and after. */
int scenario_update(Db *db, const Actor *a, int64_t id, const char *name,
                    const char *source, size_t len, const char *as_of,
                    const char *note, Err *e);

int scenario_delete(Db *db, const Actor *a, int64_t id, Err *e);

/* Start a sandbox run of the scenario over a's scope and remember it as
 * the scenario's newest run. */
int scenario_run(Db *db, const char *location, const Actor *a, int64_t id,
                 int64_t *job_id, Err *e);

/* Compare the newest runs of scenarios ia (A) and ib (B), both finished:
 * per unit how many enterprises reach 达标 (gain) or drop from it (loss)
 * under A and under B against the rule set in force, and from A to B; the
 * enterprises whose verdict differs between A and B (rows offset..+limit).
 * ERR_CONFLICT naming "a"/"b" when a scenario has no finished run or its
 * run's changes were pruned (run it again). */
int scenario_compare(Db *db, const Actor *a, int64_t ia, int64_t ib,
                     int64_t offset, int64_t limit, json_t **out, Err *e);

#endif
