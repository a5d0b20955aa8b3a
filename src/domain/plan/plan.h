/* plan.h - plans (行动计划), their indicators and targets (年度分解表).
 *
 * A plan belongs to its issuing unit (the district, normally the root
 * unit). Every logged-in reader sees plans and their district figures (the
 * plan's public figures); targets decomposed to a street, park or
 * department are shown to actors whose scope holds that unit. Writes
 * (plan, indicators, targets) need the issuing unit in the actor's scope
 * and PERM_WRITE; each is one transaction with its audit entry. Values are
 * exact scaled integers (plan_kind.h: value_e4 = value x 10 000) checked by
 * plan_kind.c. Uses: base, db, domain/audit, domain/org. */
#ifndef KC_DOMAIN_PLAN_PLAN_H
#define KC_DOMAIN_PLAN_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define PLAN_NAME_MAX 100
#define PLAN_TEXT_MAX 2000
#define PLAN_YEAR_MIN 2000
#define PLAN_YEAR_MAX 2100
#define PLAN_MAX_INDICATORS 200

/* A plan row as the domain reads it. */
typedef struct PlanRow {
    int64_t id;
    int64_t issuer_unit_id;
    char issuer_path[ACTOR_PATH_MAX];
    int year_from;
    int year_to;
    int base_year;  /* 0 = none */
    char period[8]; /* quarter | month */
    char name[PLAN_NAME_MAX * 4 + 1];
} PlanRow;

/* An indicator row. */
typedef struct PlanInd {
    int64_t id;
    int64_t plan_id;
    int seq;
    int kind; /* PLAN_KIND_* */
    int direction;
    char unit[16];
    char name[PLAN_NAME_MAX * 4 + 1];
} PlanInd;

typedef struct PlanInput {
    const char *name;
    const char *doc_no; /* NULL = none */
    int64_t issuer_unit_id;
    int year_from;
    int year_to;
    int base_year;      /* 0 = none; else before year_from */
    const char *period; /* NULL = quarter */
    const char *note;
} PlanInput;

/* Read plan id (not retired); ERR_NOTFOUND "计划不存在". Scope is not
 * checked: plans are public to readers. */
int plan_load(Db *db, int64_t id, PlanRow *out, Err *e);
/* Read indicator id; ERR_NOTFOUND "指标不存在". */
int plan_ind_load(Db *db, int64_t id, PlanInd *out, Err *e);
/* ERR_FORBIDDEN unless the actor may change plan p (its issuing unit lies
 * in the actor's scope). */
int plan_check_owner(const Actor *a, const PlanRow *p, Err *e);

/* Create a plan (one transaction + audit "plan.create"). */
int plan_create(Db *db, const Actor *a, const PlanInput *in, int64_t *id_out,
                Err *e);
/* All plans, newest first: {id, name, doc_no, year_from, year_to, ...}.
 * *items: new array, caller decrefs. */
int plan_list(Db *db, const Actor *a, json_t **items, Err *e);
/* The plan with its indicators, each with "targets" (district and the
 * units the actor sees) and its current source definition. New reference,
 * caller decrefs. */
int plan_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

typedef struct PlanIndInput {
    int seq; /* 0 = next */
    const char *name;
    const char *unit;
    const char *kind; /* NULL = guessed from name and unit */
    int direction;    /* 1 (default) or -1 */
    int has_base;
    int64_t base_e4;
    const char *base_text;
    const char *note;
} PlanIndInput;

/* Inside an open transaction: validate and insert an indicator of plan p
 * with source definition version 1 "manual". No audit entry (the caller
 * records one). */
int plan_ind_insert_tx(Db *db, const Actor *a, const PlanRow *p,
                       const PlanIndInput *in, int64_t *id_out, Err *e);
/* Inside an open transaction: set the target of indicator ind for year
 * and unit (0 = the plan's issuing unit); has_value = 0 stores text only
 * (尚未开展). Checks the year against the plan and the value against the
 * unit. where names the cell for messages ("" when none). */
int plan_target_put_tx(Db *db, const PlanRow *p, const PlanInd *ind, int year,
                       int64_t unit_id, int has_value, int64_t value_e4,
                       const char *text, const char *where, Err *e);

/* One transaction + audit "plan.indicator.create". */
int plan_ind_create(Db *db, const Actor *a, int64_t plan_id,
                    const PlanIndInput *in, int64_t *id_out, Err *e);
/* Set one target (one transaction + audit "plan.target.put"). value is
 * decimal text in the indicator's unit, or NULL with text. */
int plan_target_put(Db *db, const Actor *a, int64_t ind_id, int year,
                    int64_t unit_id, const char *value, const char *text,
                    Err *e);

/* Tasks of plan_id with their units ([{unit_id, unit_name, role (lead |
 * resp), person}]): all of them for the plan's owner, else the tasks with
 * a unit in the actor's scope (a responsible unit sees its own tasks).
 * unit_id (0 = any) keeps the tasks of that unit. New array. */
int plan_tasks_list(Db *db, const Actor *a, int64_t plan_id, int64_t unit_id,
                    json_t **items, Err *e);

/* A JSON string of s, or NULL when s is NULL (for json_pack "o?"). */
json_t *plan_json_str(const char *s);

/* Build a JSON object from the current row of st: one member per column,
 * named as the column; types holds one letter per column ('i' integer,
 * 't' text); SQL NULL gives null. New reference. */
json_t *plan_row_json(DbStmt *st, const char *types);

#endif
