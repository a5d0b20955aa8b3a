/* pipe_count.h - the pipeline's counts as of a date, read by the plans'
 * indicators (source pipeline_stage) and their year-end forecast.
 *
 * The stage of an entry on a date is the to_stage of its last event
 * (pipeline_events) on or before that date, so a figure for a past date is
 * reproducible. Counts are of enterprises (an enterprise in two batches of
 * a tier counts once), not deregistered by the date, of units under
 * unit_path (NULL or "/" for the whole tree). Dates are 'YYYY-MM-DD'. */
#ifndef KC_DOMAIN_CULTIVATION_PIPE_COUNT_H
#define KC_DOMAIN_CULTIVATION_PIPE_COUNT_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* Enterprises whose entry in a batch of tier was at one of stages (a
 * comma list, pipe_stages_valid) at the end of date. */
int pipe_count_stage(Db *db, const char *tier, const char *stages,
                     const char *date, const char *unit_path, int64_t *n,
                     Err *e);
/* The rows behind pipe_count_stage, one per enterprise (its latest such
 * entry): {enterprise_id, uscc, name, unit_name, batch_name, cert_no
 * ("batch（stage name）", the column the plan's rows share with
 * certificates), valid_from (the date the stage was reached), valid_to
 * (null), stage, stage_name}. *items new array. */
int pipe_rows_stage(Db *db, const char *tier, const char *stages,
                    const char *date, const char *unit_path, int64_t offset,
                    int64_t limit, json_t **items, Err *e);

/* One stage of a year's pipeline for the forecast: how many enterprises
 * of tier's batches of date's year stand at it on date, and the history
 * of earlier years' batches: of the entries that were ever at the stage,
 * how many are now certified (the conversion rate is hist_certified /
 * hist_entries; no rate when hist_entries is 0). */
typedef struct PipeStageForecast {
    char stage[16];
    const char *name;
    int64_t count;
    int64_t hist_entries;
    int64_t hist_certified;
} PipeStageForecast;

/* The stages still open (selected, recommended, returned, admitted,
 * cultivating) in that order into out (cap >= 5), *n set. */
int pipe_forecast_stages(Db *db, const char *tier, const char *date,
                         const char *unit_path, PipeStageForecast *out,
                         size_t cap, size_t *n, Err *e);

#endif
