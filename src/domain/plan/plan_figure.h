/* plan_figure.h - actuals of indicators: where each comes from (source
 * definitions, data, versioned), how it is computed from the records, the
 * rows behind it, and manual figures filed by responsible units.
 *
 * Sources (plan_sources.source):
 *   qual_count      有效资质企业数  {"kind": tier code}   stock
 *   ip_invention    有效发明专利    {}                     stock
 *   contracts       技术合同成交额  {}                     flow
 *   pipeline_stage  培育库阶段企业数 {"tier": tier code,    stock
 *                                    "stage": "code,code"}
 *   manual          人工填报        {}                     any kind
 * A source that is not connected yet reports status "not_connected" and
 * no value: never a made-up number. A new definition is a new version; a
 * figure names the version it used and can be recomputed with it.
 * Uses: plan.h, plan_kind.h, plan_count.h, domain/audit. */
#ifndef KC_DOMAIN_PLAN_FIGURE_H
#define KC_DOMAIN_PLAN_FIGURE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* The source registry as JSON: [{code, name, connected, kinds, params}]. */
json_t *plan_sources_json(void);

/* Define a new version of indicator ind_id's source (owner of the plan;
 * one transaction + audit "plan.source.create"). params may be NULL. */
int plan_source_add(Db *db, const Actor *a, int64_t ind_id, const char *source,
                    json_t *params, int64_t *version_out, Err *e);

/* The figure of indicator ind_id on date ('YYYY-MM-DD') for unit_id (0 =
 * the district, i.e. the plan's issuing unit) computed with source
 * version (0 = current): {indicator_id, unit_id, date, year, source,
 * source_version, status (ok | no_data | not_connected | error), value_e4,
 * value, target_e4, target, completion_bp, message, drill (1 when rows can
 * be listed), pending (manual figures awaiting review)}. Per-unit figures
 * of units outside the actor's scope are ERR_NOTFOUND. */
int plan_figure(Db *db, const Actor *a, int64_t ind_id, const char *date,
                int64_t unit_id, int64_t version, json_t **out, Err *e);

/* Every indicator of plan_id on date: {date, indicators: [{indicator
 * fields, district: figure, units: [figure of each unit with a target the
 * actor sees], trend: [{year, actual_e4, target_e4}]}]}. */
int plan_figures(Db *db, const Actor *a, int64_t plan_id, const char *date,
                 json_t **out, Err *e);

/* The records behind a figure (computed sources only), limited to the
 * actor's scope: *items page, *total all rows in scope. */
int plan_drill(Db *db, const Actor *a, int64_t ind_id, const char *date,
               int64_t unit_id, int64_t offset, int64_t limit, json_t **items,
               int64_t *total, Err *e);

/* File a manual figure for a period ("2022Q3" / "2022-07") of unit_id (a
 * unit in the actor's scope; 0 = the actor's unit). Refused when the
 * indicator is computed from the records. A re-filing replaces a returned
 * or submitted figure; an accepted one is kept (ERR_CONFLICT). One
 * transaction + audit "plan.actual.submit". */
int plan_actual_submit(Db *db, const Actor *a, int64_t ind_id, int64_t unit_id,
                       const char *period, const char *value, const char *note,
                       const char *evidence, int64_t *id_out, Err *e);
/* The office accepts (accept = 1) or returns a submitted figure (owner of
 * the plan). Audit "plan.actual.review". */
int plan_actual_review(Db *db, const Actor *a, int64_t actual_id, int accept,
                       const char *note, Err *e);
/* Manual figures of an indicator the actor sees (own units; all for the
 * plan's owner). */
int plan_actuals_list(Db *db, const Actor *a, int64_t ind_id, json_t **items,
                      Err *e);

/* May a add (write) or read the attachments of manual figure actual_id?
 * Both: whoever sees the filing unit (as plan_actuals_list); writes only
 * while the figure is not accepted. path gets the unit's path. */
int plan_actual_attach_scope(Db *db, const Actor *a, int64_t actual_id,
                             int write, char path[ACTOR_PATH_MAX], Err *e);

#endif
