/* policy_sandbox.c - the budget sandbox: an item with draft parameters
 * (thresholds through its rule text, rates, caps, amounts, tiers)
 * evaluated over the district next to the item in force, on one library
 * snapshot: who gains or loses eligibility, whose amount changes, what it
 * costs in total and per unit; scenarios saved and listed (policy.h). */
#include "domain/policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "domain/accounts/audit.h"

#define SANDBOX_LIST_MAX 500 /* enterprises listed per gained / lost */
#define SANDBOX_UNITS_MAX 512

typedef struct UnitSum {
    int64_t unit_id;
    int64_t before_n, after_n, before_cost, after_cost;
} UnitSum;

static UnitSum *unit_sum(UnitSum *u, int *n, int64_t id)
{
    for (int i = 0; i < *n; i++) {
        if (u[i].unit_id == id) {
            return &u[i];
        }
    }
    if (*n >= SANDBOX_UNITS_MAX) {
        return NULL;
    }
    memset(&u[*n], 0, sizeof u[*n]);
    u[*n].unit_id = id;
    return &u[(*n)++];
}

/* name and unit name of an enterprise (st prepared by the caller). */
static json_t *ent_row(DbStmt *st, int64_t ent, int64_t before, int64_t after)
{
    json_t *o = NULL;
    Err e;

    err_clear(&e);
    db_reset(st);
    db_bind_int64(st, 1, ent);
    if (db_step(st, &e) == DB_ROW) {
        o = json_pack("{s:I,s:s,s:s,s:s,s:I,s:I}", "enterprise_id",
                      (json_int_t)ent, "uscc", db_col_text(st, 0), "name",
                      db_col_text(st, 1), "unit_name", db_col_text(st, 2),
                      "amount_before", (json_int_t)before, "amount_after",
                      (json_int_t)after);
    }
    return o;
}

int policy_sandbox_run(Db *db, const Actor *a, int64_t item_id, int year,
                       json_t *changes, const char *name, json_t **out,
                       int64_t *id, Err *e)
{
    PolicyItem base, draft;
    Snapshot *s = NULL;
    uint8_t *in_scope = NULL, *ob = NULL, *oa = NULL;
    int64_t *ab = NULL, *aa = NULL;
    UnitSum *units = NULL;
    DbStmt *st = NULL;
    json_t *gained = NULL, *lost = NULL, *ulist = NULL, *res = NULL;
    int64_t qb = 0, qa = 0, cb = 0, ca = 0, n_changed = 0, n_gain = 0,
            n_lose = 0;
    int n_units = 0, rc;
    size_t n = 0;
    Date as_of;
    char now[32];

    memset(&base, 0, sizeof base);
    memset(&draft, 0, sizeof draft);
    *out = NULL;
    if (year < 2000 || year > 2100) {
        return err_set(e, ERR_INVALID, "year", "年度应在 2000 至 2100 之间");
    }
    if (name && (strlen(name) == 0 || strlen(name) > 200)) {
        return err_set(e, ERR_INVALID, "name", "方案名称应为 1 至 200 字节");
    }
    if ((rc = policy_item_load(db, item_id, &base, e)) ||
        (rc = policy_item_load(db, item_id, &draft, e)) ||
        (rc = policy_item_apply(&draft, changes, e))) {
        goto out;
    }
    if (date_from_ymd(year, 12, 31, &as_of, "year", e)) {
        rc = ERR_INVALID;
        goto out;
    }
    rc = db_begin_read(db, e);
    if (rc == 0) {
        rc = policy_snapshot(db, as_of, &s, e);
    }
    if (rc) {
        goto out;
    }
    n = snapshot_rows(s);
    in_scope = xcalloc(n ? n : 1, 1);
    ob = xcalloc(n ? n : 1, 1);
    oa = xcalloc(n ? n : 1, 1);
    ab = xcalloc(n ? n : 1, sizeof *ab);
    aa = xcalloc(n ? n : 1, sizeof *aa);
    units = xcalloc(SANDBOX_UNITS_MAX, sizeof *units);
    if ((rc = snapshot_scope(db, s, a->unit_path, in_scope, NULL, e)) ||
        (rc = policy_district_eval(db, s, in_scope, &base, year, ob, ab, e)) ||
        (rc = policy_district_eval(db, s, in_scope, &draft, year, oa, aa, e)) ||
        (rc = db_prepare(db,
                         "SELECT e.uscc, e.name, o.name FROM enterprises e "
                         "JOIN org_units o ON o.id = e.unit_id WHERE e.id = "
                         "$1",
                         &st, e))) {
        goto out;
    }
    gained = json_array();
    lost = json_array();
    for (size_t r = 0; r < n; r++) {
        int qb1 = ob[r] == POLICY_M_QUALIFIED,
            qa1 = oa[r] == POLICY_M_QUALIFIED;
        UnitSum *u;

        if (!in_scope[r]) {
            continue;
        }
        u = unit_sum(units, &n_units, snapshot_unit_id(s, r));
        qb += qb1;
        qa += qa1;
        cb += ab[r];
        ca += aa[r];
        if (u) {
            u->before_n += qb1;
            u->after_n += qa1;
            u->before_cost += ab[r];
            u->after_cost += aa[r];
        }
        if (qa1 && !qb1) {
            n_gain++;
            if (json_array_size(gained) < SANDBOX_LIST_MAX) {
                json_t *o =
                    ent_row(st, snapshot_enterprise_id(s, r), ab[r], aa[r]);

                if (o) {
                    json_array_append_new(gained, o);
                }
            }
        } else if (qb1 && !qa1) {
            n_lose++;
            if (json_array_size(lost) < SANDBOX_LIST_MAX) {
                json_t *o =
                    ent_row(st, snapshot_enterprise_id(s, r), ab[r], aa[r]);

                if (o) {
                    json_array_append_new(lost, o);
                }
            }
        } else if (qb1 && qa1 && ab[r] != aa[r]) {
            n_changed++;
        }
    }
    db_finalize(st);
    st = NULL;
    rc = db_prepare(db, "SELECT name FROM org_units WHERE id = $1", &st, e);
    if (rc) {
        goto out;
    }
    ulist = json_array();
    for (int i = 0; i < n_units; i++) {
        Err e2;
        const char *un = "";

        err_clear(&e2);
        db_reset(st);
        db_bind_int64(st, 1, units[i].unit_id);
        if (db_step(st, &e2) == DB_ROW && db_col_text(st, 0)) {
            un = db_col_text(st, 0);
        }
        if (units[i].before_n || units[i].after_n) {
            json_array_append_new(
                ulist,
                json_pack("{s:I,s:s,s:I,s:I,s:I,s:I}", "unit_id",
                          (json_int_t)units[i].unit_id, "unit_name", un,
                          "before_n", (json_int_t)units[i].before_n, "after_n",
                          (json_int_t)units[i].after_n, "before_cost",
                          (json_int_t)units[i].before_cost, "after_cost",
                          (json_int_t)units[i].after_cost));
        }
    }
    db_finalize(st);
    st = NULL;
    db_rollback(db);
    res = json_pack(
        "{s:I,s:s,s:i,s:O,s:{s:I,s:I},s:{s:I,s:I},s:I,s:I,s:I,s:I,s:b,s:o,"
        "s:o,s:o}",
        "item_id", (json_int_t)item_id, "item_title", base.title, "year", year,
        "changes", changes ? changes : json_null(), "before", "qualified",
        (json_int_t)qb, "cost", (json_int_t)cb, "after", "qualified",
        (json_int_t)qa, "cost", (json_int_t)ca, "delta_cost",
        (json_int_t)(ca - cb), "n_gained", (json_int_t)n_gain, "n_lost",
        (json_int_t)n_lose, "amount_changed", (json_int_t)n_changed,
        "claimed_base", base.figure == POLICY_FIGURE_CLAIMED, "gained", gained,
        "lost", lost, "units", ulist);
    gained = lost = ulist = NULL;
    if (name) {
        char *params = json_dumps(changes ? changes : json_null(),
                                  JSON_COMPACT | JSON_ENCODE_ANY);
        char *result = json_dumps(res, JSON_COMPACT);
        json_t *after;

        clock_now_iso(now, 0);
        rc = db_begin(db, e);
        if (rc == 0) {
            rc = db_query_int64(
                db, id, e,
                "INSERT INTO policy_scenarios (item_id, name, year, params, "
                "result, unit_path, created_by, created_at) VALUES ($1, $2, "
                "$3, $4, $5, $6, $7, $8) RETURNING id",
                "itittt"
                "it",
                item_id, name, (int64_t)year, params, result, a->unit_path,
                a->user_id, now);
        }
        if (rc == 0) {
            after = json_pack("{s:I,s:s,s:i,s:s}", "item_id",
                              (json_int_t)item_id, "name", name, "year", year,
                              "params", params ? params : "");
            rc = audit_record(db, a, "policy_scenario.create",
                              "policy_scenario", *id, NULL, NULL, after, e);
            json_decref(after);
        }
        if (rc == 0) {
            rc = db_commit(db, e);
        }
        free(params);
        free(result);
        if (rc) {
            goto out;
        }
        json_object_set_new(res, "id", json_integer(*id));
        json_object_set_new(res, "name", json_string(name));
    }
    *out = res;
    res = NULL;
out:
    if (db_in_tx(db)) {
        db_rollback(db);
    }
    db_finalize(st);
    json_decref(res);
    json_decref(gained);
    json_decref(lost);
    json_decref(ulist);
    policy_snapshot_release(s);
    free(in_scope);
    free(ob);
    free(oa);
    free(ab);
    free(aa);
    free(units);
    policy_item_release(&base);
    policy_item_release(&draft);
    return rc;
}

int policy_scenarios_list(Db *db, const Actor *a, int64_t item_id,
                          json_t **items, Err *e)
{
    DbStmt *st = NULL;
    char like[ACTOR_PATH_MAX + 2];
    int rc;

    snprintf(like, sizeof like, "%s%%", a->unit_path);
    rc = db_prepare_v(db, &st, e,
                      "SELECT s.id, s.item_id, i.title, s.name, s.year, "
                      "s.params, s.result, s.created_at FROM "
                      "policy_scenarios s JOIN policy_items i ON i.id = "
                      "s.item_id WHERE ($1 = 0 OR s.item_id = $1) AND "
                      "s.unit_path LIKE $2 ORDER BY s.id DESC",
                      "it", item_id, like);
    if (rc) {
        return rc;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_t *res = json_loads(db_col_text(st, 6), 0, NULL);
        json_t *o = json_pack(
            "{s:I,s:I,s:s,s:s,s:I,s:s,s:s}", "id",
            (json_int_t)db_col_int64(st, 0), "item_id",
            (json_int_t)db_col_int64(st, 1), "item_title", db_col_text(st, 2),
            "name", db_col_text(st, 3), "year", (json_int_t)db_col_int64(st, 4),
            "params", db_col_text(st, 5), "created_at", db_col_text(st, 7));

        if (res) {
            static const char *const keep[] = {
                "before", "after",          "delta_cost", "n_gained",
                "n_lost", "amount_changed", "units",      NULL};

            for (int k = 0; keep[k]; k++) {
                json_object_set(o, keep[k], json_object_get(res, keep[k]));
            }
            json_decref(res);
        }
        json_array_append_new(*items, o);
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int policy_scenario_get(Db *db, const Actor *a, int64_t id, json_t **out,
                        Err *e)
{
    char *res = NULL, *path = NULL;
    int rc;

    rc = db_query_text(db, &path, e,
                       "SELECT unit_path FROM policy_scenarios WHERE id = $1",
                       "i", id);
    if (rc == 0 && !actor_sees_path(a, path)) {
        rc = ERR_NOTFOUND;
    }
    if (rc == 0) {
        rc = db_query_text(db, &res, e,
                           "SELECT result FROM policy_scenarios WHERE id = $1",
                           "i", id);
    }
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, "id", "方案不存在");
    }
    if (rc == 0) {
        *out = json_loads(res, 0, NULL);
        if (!*out) {
            rc = err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
        } else {
            json_object_set_new(*out, "id", json_integer(id));
        }
    }
    free(res);
    free(path);
    return rc;
}
