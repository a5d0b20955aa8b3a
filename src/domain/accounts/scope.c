/* scope.c - is the object behind a route's {id} in the actor's scope? */
#include "domain/accounts/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/mem.h"
#include "domain/accounts/token.h"

/* Run sql (one int64 parameter) returning (path[, owner]) and decide. */
static int scope_lookup(Db *db, const char *sql, int64_t id, char **path,
                        int64_t *owner, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *path = NULL;
    rc = db_prepare_v(db, &st, e, sql, "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    *path = xstrdup(db_col_text(st, 0) ? db_col_text(st, 0) : "");
    if (owner && db_col_count(st) > 1) {
        *owner = db_col_int64(st, 1);
    }
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

int scope_check(Db *db, const Actor *a, int kind, int64_t id, Err *e)
{
    const char *sql = NULL;
    char *path = NULL;
    int64_t owner = 0;
    int visible = 0;
    int rc;

    switch (kind) {
    case SCOPE_NONE:
        return 0;
    case SCOPE_ORG_UNIT:
        sql = "SELECT path FROM org_units WHERE id = $1";
        break;
    case SCOPE_USER:
        sql = "SELECT o.path FROM users u JOIN org_units o ON o.id = "
              "u.unit_id WHERE u.id = $1";
        break;
    case SCOPE_TOKEN:
        sql = "SELECT o.path, t.user_id FROM api_tokens t JOIN org_units o "
              "ON o.id = t.unit_id WHERE t.id = $1";
        break;
    case SCOPE_AUDIT:
        sql = "SELECT unit_path FROM audit_log WHERE id = $1";
        break;
    case SCOPE_ENTERPRISE:
        sql = "SELECT o.path FROM enterprises e JOIN org_units o ON o.id = "
              "e.unit_id WHERE e.id = $1";
        break;
    case SCOPE_JOB:
        sql = "SELECT unit_path, created_by FROM jobs WHERE id = $1";
        break;
    case SCOPE_SCENARIO:
        sql = "SELECT unit_path, created_by FROM sandbox_scenarios WHERE id "
              "= $1";
        break;
    case SCOPE_PLAN:
        sql = "SELECT '/' FROM plans WHERE id = $1 AND retired_at IS NULL";
        break;
    case SCOPE_PLAN_INDICATOR:
        sql = "SELECT '/' FROM plan_indicators i JOIN plans p ON p.id = "
              "i.plan_id WHERE i.id = $1 AND p.retired_at IS NULL";
        break;
    case SCOPE_PLAN_TASK:
        sql = "SELECT '/' FROM plan_tasks WHERE id = $1";
        break;
    case SCOPE_ATTACHMENT:
        sql = "SELECT '/' FROM attachments WHERE id = $1 AND deleted_at IS "
              "NULL";
        break;
    case SCOPE_PLAN_NOTICE:
        sql = "SELECT '/' FROM plan_notices WHERE id = $1";
        break;
    case SCOPE_PLAN_EVAL:
        sql = "SELECT '/' FROM plan_evals WHERE id = $1";
        break;
    case SCOPE_PLAN_ACTUAL:
        sql = "SELECT o.path FROM plan_actuals x JOIN org_units o ON o.id = "
              "x.unit_id WHERE x.id = $1";
        break;
    case SCOPE_PLAN_IMPORT:
        sql = "SELECT o.path FROM plan_imports x JOIN plans p ON p.id = "
              "x.plan_id JOIN org_units o ON o.id = p.issuer_unit_id WHERE "
              "x.id = $1";
        break;
    case SCOPE_CARRIER:
        sql = "SELECT o.path FROM carriers c JOIN org_units o ON o.id = "
              "c.unit_id WHERE c.id = $1";
        break;
    case SCOPE_PLATFORM:
        sql = "SELECT o.path FROM platforms p JOIN org_units o ON o.id = "
              "p.unit_id WHERE p.id = $1";
        break;
    case SCOPE_CONTRACT:
        sql = "SELECT o.path FROM contracts c JOIN org_units o ON o.id = "
              "c.unit_id WHERE c.id = $1";
        break;
    case SCOPE_MARKET_ITEM:
        sql = "SELECT o.path FROM market_items i JOIN org_units o ON o.id = "
              "i.unit_id WHERE i.id = $1";
        break;
    case SCOPE_CHALLENGE:
        sql = "SELECT o.path FROM challenges c JOIN org_units o ON o.id = "
              "c.unit_id WHERE c.id = $1";
        break;
    case SCOPE_MARKET_EVENT:
        sql = "SELECT o.path FROM market_events x JOIN org_units o ON o.id = "
              "x.unit_id WHERE x.id = $1";
        break;
    case SCOPE_RESOURCE_USE:
        sql = "SELECT o.path FROM resource_uses x JOIN org_units o ON o.id = "
              "x.unit_id WHERE x.id = $1";
        break;
    default:
        log_error("scope_check: unknown kind %d", kind);
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    rc = scope_lookup(db, sql, id, &path, &owner, e);
    if (rc && rc != ERR_NOTFOUND) {
        goto out;
    }
    if (rc == 0) {
        if (kind == SCOPE_TOKEN) {
            visible = owner == a->user_id ||
                      (a->role == ROLE_ADMIN && actor_sees_path(a, path));
        } else if (kind == SCOPE_PLAN || kind == SCOPE_PLAN_INDICATOR ||
                   kind == SCOPE_PLAN_TASK || kind == SCOPE_PLAN_NOTICE ||
                   kind == SCOPE_PLAN_EVAL || kind == SCOPE_ATTACHMENT) {
            /* a plan's public figures: every reader; tasks and notices
             * are checked by the domain against their units, attachments
             * by their owner's module */
            visible = 1;
        } else if (kind == SCOPE_JOB || kind == SCOPE_SCENARIO) {
            visible =
                (owner != 0 && owner == a->user_id) || actor_sees_path(a, path);
        } else {
            visible = actor_sees_path(a, path);
        }
    }
    rc = visible ? 0 : err_set(e, ERR_NOTFOUND, "id", "对象不存在");
out:
    free(path);
    return rc;
}

int scope_unit_ids(Db *db, const Actor *a, int64_t **ids, size_t *n, Err *e)
{
    char pat[ACTOR_PATH_MAX + 2];
    DbStmt *st = NULL;
    size_t cap = 0;
    int rc;

    *ids = NULL;
    *n = 0;
    snprintf(pat, sizeof pat, "%s%%", a->unit_path);
    rc = db_prepare_v(db, &st, e,
                      "SELECT id FROM org_units WHERE path LIKE $1 ORDER BY "
                      "id",
                      "t", pat);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            *ids = xrealloc(*ids, cap * sizeof **ids);
        }
        (*ids)[(*n)++] = db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int scope_unit_ids_has(const int64_t *ids, size_t n, int64_t unit_id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (ids[mid] < unit_id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return ids && lo < n && ids[lo] == unit_id;
}
