/* plan_import.h - import of a plan's tables as published: the 年度分解表
 * (indicators x years) and the 任务分工表 (tasks with 牵头单位 and 责任单位),
 * from XLSX, CSV (UTF-8 or GBK) or text pasted from a Word table
 * (tab-separated) or a Markdown table.
 *
 * Two steps. plan_import_preview reads and checks the file and stores the
 * parsed content as a staged import (plan_imports, status preview): the
 * preview lists every problem by row and column, and every unit name that
 * matches no unit of the tree. Nothing of the plan is written then.
 * plan_import_apply takes the user's mapping of those names (to an
 * existing unit, or "new" to create a 部门 unit under the plan's issuing
 * unit) and writes everything in one transaction with its audit entries;
 * a preview with problems, or a name left unmapped, is refused and
 * nothing is written. Formats and rules: docs/internals/plan.md.
 * Uses: base (csv, charset, xlsx_read), plan.h, plan_kind.h. */
#ifndef KC_DOMAIN_PLAN_IMPORT_H
#define KC_DOMAIN_PLAN_IMPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define PLAN_IMPORT_MAX_BYTES ((size_t)8 * 1024 * 1024)
#define PLAN_IMPORT_MAX_ROWS 2000
#define PLAN_IMPORT_MAX_COLS 40
#define PLAN_IMPORT_MAX_ERRORS 200

/* Read len bytes (XLSX when they start like a zip, else text) into a grid:
 * a new array of {"r": row number as the file shows it, "c": [cell text
 * ...]}. Number cells of XLSX come as exact decimals (at most 4
 * decimals). Caller decrefs *grid. */
int plan_grid_read(const char *data, size_t len, json_t **grid, Err *e);

/* Parse a grid as kind "targets" or "tasks" for plan plan_id: a new
 * object (see docs/internals/plan.md) with "errors" [{row, col, cell,
 * message}] and, for tasks, "units" [{name, unit_id or null}]. */
int plan_import_parse(Db *db, int64_t plan_id, const char *kind, json_t *grid,
                      json_t **out, Err *e);

/* Read, parse and stage a file (owner of the plan; audit
 * "plan.import.preview"). *out: the staged import as plan_import_get
 * returns it. */
int plan_import_preview(Db *db, const Actor *a, int64_t plan_id,
                        const char *kind, const char *file_name,
                        const char *data, size_t len, json_t **out, Err *e);

/* A staged import: {id, plan_id, kind, status, file_name, parsed...}. */
int plan_import_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Apply staged import id. units: {name: unit id | "new"} for every name
 * the preview could not match (others may be remapped too); kinds:
 * {"seq": "stock" | "flow" | "ratio"} overrides the guessed kinds (NULL
 * allowed). One transaction; audit "plan.import.apply". *out: {indicators,
 * targets, tasks, units_created}. */
int plan_import_apply(Db *db, const Actor *a, int64_t id, json_t *units,
                      json_t *kinds, json_t **out, Err *e);

#endif
