/* scope.h - data scope: which objects an actor may see.
 *
 * Every object belongs to one organisation unit; an actor sees its own unit
 * and the units below it (materialized paths, "/1/4/" lies under "/1/").
 * The dispatcher calls scope_check for every route whose path carries an
 * {id}; list queries in the domain filter by the actor's unit_path. An
 * object outside the scope is reported exactly like a missing one (404),
 * so its existence does not leak. */
#ifndef KC_DOMAIN_SCOPE_H
#define KC_DOMAIN_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* What a route's {id} refers to. */
enum {
    SCOPE_NONE = 0,
    SCOPE_ORG_UNIT,   /* org_units.id */
    SCOPE_USER,       /* users.id */
    SCOPE_TOKEN,      /* api_tokens.id */
    SCOPE_AUDIT,      /* audit_log.id */
    SCOPE_ENTERPRISE, /* enterprises.id */
    SCOPE_JOB,        /* jobs.id: its creator, or a scope containing it */
    SCOPE_SCENARIO,   /* sandbox_scenarios.id: as SCOPE_JOB */
    SCOPE_PLAN,       /* plans.id: public to readers (exists, not retired) */
    SCOPE_PLAN_INDICATOR, /* plan_indicators.id: public like its plan */
    SCOPE_PLAN_ACTUAL,    /* plan_actuals.id: the unit that filed it */
    SCOPE_PLAN_IMPORT,    /* plan_imports.id: the plan's issuing unit */
    SCOPE_PLAN_TASK,      /* plan_tasks.id: exists (the domain checks units) */
    SCOPE_PLAN_NOTICE,    /* plan_notices.id: exists (the domain checks) */
    SCOPE_PLAN_EVAL,      /* plan_evals.id: public like its plan */
    SCOPE_CARRIER,        /* carriers.id */
    SCOPE_PLATFORM,       /* platforms.id */
    SCOPE_CONTRACT,       /* contracts.id: the seller's unit */
    SCOPE_MARKET_ITEM,    /* market_items.id */
    SCOPE_CHALLENGE,      /* challenges.id */
    SCOPE_MARKET_EVENT,   /* market_events.id */
    SCOPE_RESOURCE_USE,   /* resource_uses.id: the user enterprise's unit */
    SCOPE_ATTACHMENT,     /* attachments.id: exists, not deleted (the
                             owner's module checks who may) */
    SCOPE__COUNT
};

/* 0 when object `id` of `kind` exists and its unit lies in a's scope;
 * otherwise ERR_NOTFOUND with a zh-CN message ("对象不存在"), or ERR_DB. */
int scope_check(Db *db, const Actor *a, int kind, int64_t id, Err *e);

/* The ids of the units in a's scope (its unit and those below), sorted,
 * into *ids (caller frees; NULL when none): for testing many rows' units
 * in memory (scope_unit_ids_has) instead of one join per row. */
int scope_unit_ids(Db *db, const Actor *a, int64_t **ids, size_t *n, Err *e);

/* 1 when unit_id is among the n sorted ids (0 for none). */
int scope_unit_ids_has(const int64_t *ids, size_t n, int64_t unit_id);

#endif
