/* plan_eval.h - the quarterly evaluation of a plan's units and the
 * year-end forecast of stock indicators.
 *
 * Scheme (JSON, versioned per plan): {"indicator": weight of target
 * completion, "task": weight of task status, "status": {"on_track": points,
 * "at_risk": ..., "late": ..., "done": ...}}; default 60 / 40 and 100 / 60 /
 * 0 / 100. A unit's indicator part is the mean completion (capped at 100 %)
 * of the targets decomposed to it, at the quarter's last day; its task part
 * the mean points of the tasks it leads or is responsible for, by their
 * status on that day. A unit without one part is scored on the other
 * alone. Scores are exact (basis points), ranked high to low, ties share a
 * rank. An evaluation is a draft until published; published ones are
 * frozen (reports and manual figures for that quarter are refused) and a
 * re-run is a new version. Uses plan.h, plan_figure.h, plan_task.h,
 * plan_count.h. */
#ifndef KC_DOMAIN_PLAN_EVAL_H
#define KC_DOMAIN_PLAN_EVAL_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Owner: a new scheme version from weights (checked: weights 0..100 not
 * both 0, points 0..100). Audit "plan.scheme.create". */
int plan_scheme_add(Db *db, const Actor *a, int64_t plan_id, json_t *weights,
                    int64_t *version_out, Err *e);
/* The current scheme ({version, weights}; version 0 = the default). */
int plan_scheme_get(Db *db, int64_t plan_id, json_t **out, Err *e);

/* Owner: compute the evaluation of quarter ("2022Q3") as a new draft
 * version. Audit "plan.eval.run". *out: the evaluation. */
int plan_eval_run(Db *db, const Actor *a, int64_t plan_id, const char *quarter,
                  json_t **out, Err *e);
/* Owner: publish (freeze) draft id. ERR_CONFLICT when already published.
 * Audit "plan.eval.publish". */
int plan_eval_publish(Db *db, const Actor *a, int64_t id, Err *e);
/* Evaluations of a plan (newest first) with their results. */
int plan_evals_list(Db *db, const Actor *a, int64_t plan_id, json_t **items,
                    Err *e);
/* Is the quarter holding period ("2022Q3" or "2022-08") published for
 * plan_id? Sets *frozen. */
int plan_period_frozen(Db *db, int64_t plan_id, const char *period, int *frozen,
                       Err *e);

/* One stage of the pipeline as given by the caller: how many enterprises
 * and the assumed conversion rate (percent, value_e4). */
typedef struct PlanPipeStage {
    char stage[64];
    int64_t count;
    int64_t rate_e4; /* 60 % = 600000 */
} PlanPipeStage;

/* Forecast of a stock indicator (qual_count or ip_invention source) at
 * 31 December of date's year: today's count, minus what expires before
 * year end and is not renewed (renew_e4 percent of it is), plus the
 * pipeline weighted by its rates. All arithmetic exact; the assumptions
 * are returned with the result: {date, year_end, current, expiring,
 * renew_rate, renewed, pipeline: [{stage, count, rate, expected}],
 * forecast, target, gap, assumptions: [text]}. */
int plan_forecast(Db *db, const Actor *a, int64_t ind_id, const char *date,
                  int64_t renew_e4, const PlanPipeStage *pipe, size_t n_pipe,
                  json_t **out, Err *e);

#endif
