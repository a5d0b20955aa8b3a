/* scenario.c - saved scenarios of the policy sandbox (see scenario.h). */
#include "domain/scenario/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/utf8.h"
#include "domain/accounts/audit.h"
#include "domain/eligibility/sandbox.h"
#include "domain/jobs/job.h"
#include "rules/rules.h"

static const char scenario_cols[] =
    "SELECT s.id, s.name, s.ruleset, s.ruleset_name, s.as_of, s.note, "
    "s.unit_id, o.name, s.created_by, s.created_by_name, s.created_at, "
    "s.last_job_id, s.last_run_at, s.source_hash, j.status, s.unit_path, "
    "s.source FROM sandbox_scenarios s JOIN org_units o ON o.id = s.unit_id "
    "LEFT JOIN jobs j ON j.id = s.last_job_id ";

/* visible: the author's own, and those saved in the actor's scope */
static const char scenario_visible[] =
    "(s.created_by = $1 OR substr(s.unit_path, 1, length($2)) = $2)";

typedef struct ScName {
    const char *code, *name;
} ScName;

/* How an enterprise's verdict changes from scenario A to B, named here
 * for the comparison (change_name). The state of a scenario's last run is
 * the status of its job and is named by the job table (job_status_name),
 * as on the jobs page: last_run_status_name. */
static const ScName sc_changes[] = {
    {"gain", "新达标"},
    {"loss", "不再达标"},
    {"other", "其他变化"},
    {NULL, NULL},
};

/* The name of code in t; the code itself when unknown; NULL for NULL. */
static const char *sc_name(const ScName *t, const char *code)
{
    for (; code && t->code; t++) {
        if (strcmp(t->code, code) == 0) {
            return t->name;
        }
    }
    return code;
}

static json_t *scenario_row_json(DbStmt *st, int with_source)
{
    json_t *o = json_object();
    const char *t;

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "name", json_string(db_col_text(st, 1)));
    json_object_set_new(o, "ruleset", json_string(db_col_text(st, 2)));
    json_object_set_new(o, "ruleset_name", json_string(db_col_text(st, 3)));
    json_object_set_new(o, "as_of", json_string(db_col_text(st, 4)));
    json_object_set_new(o, "note", json_string(db_col_text(st, 5)));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 6)));
    json_object_set_new(o, "unit_name", json_string(db_col_text(st, 7)));
    json_object_set_new(o, "created_by", json_integer(db_col_int64(st, 8)));
    json_object_set_new(o, "created_by_name", json_string(db_col_text(st, 9)));
    json_object_set_new(o, "created_at", json_string(db_col_text(st, 10)));
    json_object_set_new(o, "last_job_id",
                        db_col_is_null(st, 11)
                            ? json_null()
                            : json_integer(db_col_int64(st, 11)));
    t = db_col_text(st, 12);
    json_object_set_new(o, "last_run_at", t ? json_string(t) : json_null());
    json_object_set_new(o, "hash", json_string(db_col_text(st, 13)));
    t = db_col_text(st, 14);
    json_object_set_new(o, "last_run_status", t ? json_string(t) : json_null());
    t = t ? job_status_name(t) : NULL;
    json_object_set_new(o, "last_run_status_name",
                        t ? json_string(t) : json_null());
    if (with_source) {
        json_object_set_new(o, "source", json_string(db_col_text(st, 16)));
    }
    return o;
}

int scenario_get(Db *db, const Actor *a, int64_t id, int with_source,
                 json_t **out, Err *e)
{
    char sql[1024];
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    snprintf(sql, sizeof sql, "%sWHERE %s AND s.id = $3", scenario_cols,
             scenario_visible);
    rc = db_prepare_v(db, &st, e, sql, "iti", (int64_t)a->user_id, a->unit_path,
                      id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *out = scenario_row_json(st, with_source);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "id", "沙盘方案不存在");
        }
    }
    db_finalize(st);
    return rc;
}

int scenario_list(Db *db, const Actor *a, int64_t offset, int64_t limit,
                  json_t **items, int64_t *total, Err *e)
{
    char sql[1024];
    DbStmt *st = NULL;
    int rc;

    *items = json_array();
    *total = 0;
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM sandbox_scenarios s WHERE %s",
             scenario_visible);
    rc = db_query_int64(db, total, e, sql, "it", (int64_t)a->user_id,
                        a->unit_path);
    if (rc == 0) {
        snprintf(sql, sizeof sql,
                 "%sWHERE %s ORDER BY s.id DESC LIMIT $3 OFFSET $4",
                 scenario_cols, scenario_visible);
        rc = db_prepare_v(db, &st, e, sql, "itii", (int64_t)a->user_id,
                          a->unit_path, limit, offset);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, scenario_row_json(st, 0));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}

int scenario_create(Db *db, const Actor *a, const char *name,
                    const char *source, size_t len, const char *as_of,
                    const char *note, int64_t *id, Err *e)
{
    RuleSet *draft = NULL;
    const RuleSet *current = NULL;
    json_t *after = NULL;
    char now[CLOCK_ISO_LEN];
    int64_t dup = 0;
    Date d;
    int rc;

    *id = 0;
    if (!name || !*name ||
        utf8_count_chars(name, strlen(name)) > SCENARIO_NAME_MAX) {
        return err_set(e, ERR_INVALID, "name", "方案名称应为 1～%d 个字",
                       SCENARIO_NAME_MAX);
    }
    if (note && utf8_count_chars(note, strlen(note)) > SCENARIO_NOTE_MAX) {
        return err_set(e, ERR_INVALID, "note", "备注最多 %d 个字",
                       SCENARIO_NOTE_MAX);
    }
    if (as_of && *as_of && date_parse(as_of, &d, "as_of", e) != 0) {
        return e->code;
    }
    if (a->unit_id <= 0) {
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "只有属于某个单位的用户才能保存方案");
    }
    rc = sandbox_parse(source, len, NULL, &draft, &current, e);
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = db_query_int64(db, &dup, e,
                        "SELECT COUNT(*) FROM sandbox_scenarios WHERE "
                        "unit_id = $1 AND name = $2",
                        "it", a->unit_id, name);
    if (rc == 0 && dup > 0) {
        rc = err_set(e, ERR_CONFLICT, "name", "本单位已有名为“%s”的方案", name);
    }
    if (rc == 0) {
        rc = db_query_int64(
            db, id, e,
            "INSERT INTO sandbox_scenarios (name, ruleset, ruleset_name, "
            "source, source_hash, as_of, note, unit_id, unit_path, "
            "created_by, created_by_name, created_at) VALUES ($1, $2, $3, $4, "
            "$5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            "tttttttititt", name, rule_set_id(draft), rule_set_name(draft),
            source, rule_set_hash(draft), as_of ? as_of : "", note ? note : "",
            a->unit_id, a->unit_path, (int64_t)a->user_id,
            a->display_name[0] ? a->display_name : a->username, now);
    }
    if (rc == 0) {
        after =
            json_pack("{sssssssssI}", "name", name, "ruleset",
                      rule_set_id(draft), "as_of", as_of ? as_of : "", "hash",
                      rule_set_hash(draft), "unit_id", (json_int_t)a->unit_id);
        rc = audit_record(db, a, "scenario.create", "scenario", *id,
                          a->unit_path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        *id = 0;
    }
out:
    json_decref(after);
    rule_set_free(draft);
    return rc;
}

/* The unit path of scenario id (malloc'd into *path): its audit entries
 * belong to the scenario's unit, whoever acts on it. */
static int scenario_path(Db *db, int64_t id, char **path, Err *e)
{
    return db_query_text(
        db, path, e, "SELECT unit_path FROM sandbox_scenarios WHERE id = $1",
        "i", id);
}

int scenario_update(Db *db, const Actor *a, int64_t id, const char *name,
                    const char *source, size_t len, const char *as_of,
                    const char *note, Err *e)
{
    RuleSet *draft = NULL;
    const RuleSet *current = NULL;
    json_t *before = NULL;
    json_t *after = NULL;
    char *path = NULL;
    int64_t unit_id = 0;
    int64_t dup = 0;
    Date d;
    int rc;

    if (name &&
        (!*name || utf8_count_chars(name, strlen(name)) > SCENARIO_NAME_MAX)) {
        return err_set(e, ERR_INVALID, "name", "方案名称应为 1～%d 个字",
                       SCENARIO_NAME_MAX);
    }
    if (note && utf8_count_chars(note, strlen(note)) > SCENARIO_NOTE_MAX) {
        return err_set(e, ERR_INVALID, "note", "备注最多 %d 个字",
                       SCENARIO_NOTE_MAX);
    }
    if (as_of && *as_of && date_parse(as_of, &d, "as_of", e) != 0) {
        return e->code;
    }
    if (source) {
        rc = sandbox_parse(source, len, NULL, &draft, &current, e);
        if (rc) {
            return rc;
        }
    }
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = scenario_get(db, a, id, 0, &before, e);
    if (rc == 0) {
        rc = scenario_path(db, id, &path, e);
    }
    unit_id = json_integer_value(json_object_get(before, "unit_id"));
    if (rc == 0 && name) {
        rc = db_query_int64(db, &dup, e,
                            "SELECT COUNT(*) FROM sandbox_scenarios WHERE "
                            "unit_id = $1 AND name = $2 AND id <> $3",
                            "iti", unit_id, name, id);
        if (rc == 0 && dup > 0) {
            rc = err_set(e, ERR_CONFLICT, "name", "本单位已有名为“%s”的方案",
                         name);
        }
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "UPDATE sandbox_scenarios SET name = $1 WHERE id = "
                           "$2",
                           "ti", name, id);
        }
    }
    if (rc == 0 && note) {
        rc = db_exec_v(db, e,
                       "UPDATE sandbox_scenarios SET note = $1 WHERE id = $2",
                       "ti", note, id);
    }
    if (rc == 0 && draft) {
        rc = db_exec_v(db, e,
                       "UPDATE sandbox_scenarios SET source = $1, source_hash "
                       "= $2, ruleset = $3, ruleset_name = $4, last_job_id = "
                       "NULL, last_run_at = NULL WHERE id = $5",
                       "tttti", source, rule_set_hash(draft),
                       rule_set_id(draft), rule_set_name(draft), id);
    }
    if (rc == 0 && as_of) {
        rc = db_exec_v(db, e,
                       "UPDATE sandbox_scenarios SET as_of = $1, last_job_id "
                       "= NULL, last_run_at = NULL WHERE id = $2 AND as_of "
                       "<> $1",
                       "ti", as_of, id);
    }
    if (rc == 0) {
        rc = scenario_get(db, a, id, 0, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "scenario.update", "scenario", id, path,
                          before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
out:
    json_decref(before);
    json_decref(after);
    free(path);
    rule_set_free(draft);
    return rc;
}

int scenario_delete(Db *db, const Actor *a, int64_t id, Err *e)
{
    json_t *before = NULL;
    char *path = NULL;
    int rc;

    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = scenario_get(db, a, id, 0, &before, e);
    if (rc == 0) {
        rc = scenario_path(db, id, &path, e);
    }
    if (rc == 0) {
        rc = db_exec_v(db, e, "DELETE FROM sandbox_scenarios WHERE id = $1",
                       "i", id);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "scenario.delete", "scenario", id, path,
                          before, NULL, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    free(path);
    return rc;
}

int scenario_run(Db *db, const char *location, const Actor *a, int64_t id,
                 int64_t *job_id, Err *e)
{
    json_t *s = NULL;
    json_t *after = NULL;
    char *path = NULL;
    const char *src;
    const char *as_of_s;
    char now[CLOCK_ISO_LEN];
    Date as_of = date_today();
    int rc;

    *job_id = 0;
    rc = scenario_get(db, a, id, 1, &s, e);
    if (rc) {
        return rc;
    }
    src = json_string_value(json_object_get(s, "source"));
    as_of_s = json_string_value(json_object_get(s, "as_of"));
    if (as_of_s && *as_of_s) {
        rc = date_parse(as_of_s, &as_of, "as_of", e);
    }
    if (rc == 0) {
        rc = sandbox_start(db, location, a, src, strlen(src), NULL, as_of,
                           job_id, e);
    }
    if (rc) {
        goto out;
    }
    /* the run itself is committed with its own audit entry
     * (sandbox.create); this records it as the scenario's newest */
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE sandbox_scenarios SET last_job_id = $1, "
                       "last_run_at = $2 WHERE id = $3",
                       "iti", *job_id, now, id);
    }
    if (rc == 0) {
        rc = scenario_path(db, id, &path, e);
    }
    if (rc == 0) {
        after = json_pack("{sI}", "job_id", (json_int_t)*job_id);
        rc = audit_record(db, a, "scenario.run", "scenario", id, path, NULL,
                          after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
out:
    json_decref(after);
    json_decref(s);
    free(path);
    return rc;
}

/* ---- comparison ------------------------------------------------------- */

/* The newest run of scenario s, finished, with its changes kept (the
 * pruning of sandbox.c drops a run's sandbox_runs row with its changes):
 * its job id, as-of date and the rule set it was compared with. */
static int scenario_run_of(Db *db, json_t *s, const char *which, int64_t *job,
                           char **as_of, char **against, Err *e)
{
    json_t *j = json_object_get(s, "last_job_id");
    const char *status =
        json_string_value(json_object_get(s, "last_run_status"));
    const char *name = json_string_value(json_object_get(s, "name"));
    DbStmt *st = NULL;
    int rc;

    if (!json_is_integer(j) || !status || strcmp(status, "done") != 0) {
        return err_set(e, ERR_CONFLICT, which,
                       "方案“%s”还没有完成的试算，请先运行", name);
    }
    *job = json_integer_value(j);
    rc = db_prepare_v(db, &st, e,
                      "SELECT as_of, against FROM sandbox_runs WHERE job_id = "
                      "$1",
                      "i", *job);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *as_of = strdup(db_col_text(st, 0));
            *against = strdup(db_col_text(st, 1));
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_CONFLICT, which,
                         "方案“%s”的试算明细已被较新的试算替换，请重新运行",
                         name);
        }
    }
    db_finalize(st);
    return rc;
}

static int is_met(int v)
{
    return v == RULE_V_MET;
}

/* +1 gain (reaches 达标), -1 loss (drops from it), 0 otherwise. */
static int swing(int from, int to)
{
    if (!is_met(from) && is_met(to)) {
        return 1;
    }
    if (is_met(from) && !is_met(to)) {
        return -1;
    }
    return 0;
}

static void bump(json_t *o, const char *k)
{
    json_object_set_new(
        o, k, json_integer(json_integer_value(json_object_get(o, k)) + 1));
}

static json_t *unit_row(json_t *units, json_t *index, int64_t unit_id,
                        const char *unit_name)
{
    char key[24];
    json_t *i;
    json_t *u;

    snprintf(key, sizeof key, "%lld", (long long)unit_id);
    i = json_object_get(index, key);
    if (i) {
        return json_array_get(units, (size_t)json_integer_value(i));
    }
    u = json_pack("{sIsssisisisisisisi}", "unit_id", (json_int_t)unit_id,
                  "unit_name", unit_name ? unit_name : "", "a_gain", 0,
                  "a_loss", 0, "b_gain", 0, "b_loss", 0, "gain", 0, "loss", 0,
                  "other", 0);
    json_object_set_new(index, key,
                        json_integer((json_int_t)json_array_size(units)));
    json_array_append_new(units, u);
    return u;
}

static json_t *side_json(json_t *s, int64_t job, const char *as_of)
{
    return json_pack("{sOsOsOsIss}", "id", json_object_get(s, "id"), "name",
                     json_object_get(s, "name"), "ruleset",
                     json_object_get(s, "ruleset"), "job_id", (json_int_t)job,
                     "as_of", as_of);
}

int scenario_compare(Db *db, const Actor *a, int64_t ia, int64_t ib,
                     int64_t offset, int64_t limit, json_t **out, Err *e)
{
    json_t *sa = NULL, *sb = NULL;
    json_t *units = json_array();
    json_t *index = json_object();
    json_t *items = json_array();
    json_t *totals =
        json_pack("{sisisisisisisi}", "a_gain", 0, "a_loss", 0, "b_gain", 0,
                  "b_loss", 0, "gain", 0, "loss", 0, "other", 0);
    json_t *warnings = json_array();
    char *as_of_a = NULL, *as_of_b = NULL, *ag_a = NULL, *ag_b = NULL;
    int64_t ja = 0, jb = 0;
    int64_t n = 0;
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = scenario_get(db, a, ia, 0, &sa, e);
    if (rc == 0) {
        rc = scenario_get(db, a, ib, 0, &sb, e);
        if (rc == ERR_NOTFOUND) {
            err_set(e, ERR_NOTFOUND, "b", "沙盘方案不存在");
        }
    } else if (rc == ERR_NOTFOUND) {
        err_set(e, ERR_NOTFOUND, "a", "沙盘方案不存在");
    }
    if (rc == 0) {
        rc = scenario_run_of(db, sa, "a", &ja, &as_of_a, &ag_a, e);
    }
    if (rc == 0) {
        rc = scenario_run_of(db, sb, "b", &jb, &as_of_b, &ag_b, e);
    }
    if (rc) {
        goto out;
    }
    if (as_of_a && as_of_b && strcmp(as_of_a, as_of_b) != 0) {
        json_array_append_new(
            warnings,
            json_sprintf("两个方案的评价日不同（%s、%s）", as_of_a, as_of_b));
    }
    if (ag_a && ag_b && strcmp(ag_a, ag_b) != 0) {
        json_array_append_new(
            warnings,
            json_sprintf("两个方案对照的现行规则集不同（%s、%s）", ag_a, ag_b));
    }
    /* every enterprise changed by A or B, with its verdict under the rule
     * set in force (cur) and under each (NULL: unchanged, i.e. cur) */
    rc = db_prepare_v(
        db, &st, e,
        "SELECT x.eid, x.cur, x.va, x.vb, en.name, en.uscc, o.id, o.name "
        "FROM (SELECT enterprise_id AS eid, MAX(unit_id) AS uid, "
        "MAX(cur) AS cur, MAX(va) AS va, MAX(vb) AS vb FROM ("
        "SELECT enterprise_id, unit_id, verdict_before AS cur, verdict_after "
        "AS va, NULL AS vb FROM sandbox_changes WHERE job_id = $1 "
        "UNION ALL SELECT enterprise_id, unit_id, verdict_before, NULL, "
        "verdict_after FROM sandbox_changes WHERE job_id = $2) u "
        "GROUP BY enterprise_id) x JOIN enterprises en ON en.id = x.eid "
        "JOIN org_units o ON o.id = x.uid "
        "WHERE substr(o.path, 1, length($3)) = $3 ORDER BY o.path, x.eid",
        "iit", ja, jb, a->unit_path);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int cur = (int)db_col_int64(st, 1);
        int va = db_col_is_null(st, 2) ? cur : (int)db_col_int64(st, 2);
        int vb = db_col_is_null(st, 3) ? cur : (int)db_col_int64(st, 3);
        json_t *u =
            unit_row(units, index, db_col_int64(st, 6), db_col_text(st, 7));
        int s;

        rc = 0;
        s = swing(cur, va);
        if (s) {
            bump(u, s > 0 ? "a_gain" : "a_loss");
            bump(totals, s > 0 ? "a_gain" : "a_loss");
        }
        s = swing(cur, vb);
        if (s) {
            bump(u, s > 0 ? "b_gain" : "b_loss");
            bump(totals, s > 0 ? "b_gain" : "b_loss");
        }
        if (va == vb) {
            continue;
        }
        s = swing(va, vb);
        bump(u, s > 0 ? "gain" : s < 0 ? "loss" : "other");
        bump(totals, s > 0 ? "gain" : s < 0 ? "loss" : "other");
        if (n >= offset && n < offset + limit) {
            const char *change = s > 0 ? "gain" : s < 0 ? "loss" : "other";
            json_t *it = json_pack(
                "{sIssssssssssssssss}", "enterprise_id",
                (json_int_t)db_col_int64(st, 0), "name", db_col_text(st, 4),
                "uscc", db_col_text(st, 5), "unit_name", db_col_text(st, 7),
                "verdict_current", rule_verdict_name(cur), "verdict_a",
                rule_verdict_name(va), "verdict_b", rule_verdict_name(vb),
                "change", change, "change_name", sc_name(sc_changes, change));
            json_array_append_new(items, it);
        }
        n++;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    if (rc) {
        goto out;
    }
    *out = json_object();
    json_object_set_new(*out, "a", side_json(sa, ja, as_of_a));
    json_object_set_new(*out, "b", side_json(sb, jb, as_of_b));
    json_object_set(*out, "warnings", warnings);
    json_object_set(*out, "totals", totals);
    json_object_set(*out, "units", units);
    json_object_set(*out, "items", items);
    json_object_set_new(*out, "total", json_integer(n));
out:
    json_decref(sa);
    json_decref(sb);
    json_decref(units);
    json_decref(index);
    json_decref(items);
    json_decref(totals);
    json_decref(warnings);
    free(as_of_a);
    free(as_of_b);
    free(ag_a);
    free(ag_b);
    return rc;
}
