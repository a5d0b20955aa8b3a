/* plan.c - plans, indicators and targets (plan.h). */
#include "domain/plan/plan.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/valid.h"
#include "domain/accounts/audit.h"
#include "domain/plan/plan_kind.h"

json_t *plan_json_str(const char *s)
{
    return s ? json_string(s) : NULL;
}

json_t *plan_row_json(DbStmt *st, const char *types)
{
    json_t *o = json_object();
    int n = db_col_count(st);

    for (int i = 0; i < n && types[i]; i++) {
        const char *name = db_col_name(st, i);

        if (db_col_is_null(st, i)) {
            json_object_set_new(o, name, json_null());
        } else if (types[i] == 'i') {
            json_object_set_new(o, name, json_integer(db_col_int64(st, i)));
        } else {
            json_object_set_new(o, name, json_string(db_col_text(st, i)));
        }
    }
    return o;
}

int plan_load(Db *db, int64_t id, PlanRow *out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    rc = db_prepare_v(db, &st, e,
                      "SELECT p.id, p.issuer_unit_id, u.path, p.year_from, "
                      "p.year_to, p.base_year, p.period, p.name FROM plans p "
                      "JOIN org_units u ON u.id = p.issuer_unit_id "
                      "WHERE p.id = $1 AND p.retired_at IS NULL",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "plan_id", "计划不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    out->id = db_col_int64(st, 0);
    out->issuer_unit_id = db_col_int64(st, 1);
    snprintf(out->issuer_path, sizeof out->issuer_path, "%s",
             db_col_text(st, 2));
    out->year_from = (int)db_col_int64(st, 3);
    out->year_to = (int)db_col_int64(st, 4);
    out->base_year = (int)db_col_int64(st, 5);
    snprintf(out->period, sizeof out->period, "%s", db_col_text(st, 6));
    snprintf(out->name, sizeof out->name, "%s", db_col_text(st, 7));
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

int plan_ind_load(Db *db, int64_t id, PlanInd *out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    rc = db_prepare_v(db, &st, e,
                      "SELECT i.id, i.plan_id, i.seq, i.kind, i.direction, "
                      "i.unit, i.name FROM plan_indicators i JOIN plans p "
                      "ON p.id = i.plan_id WHERE i.id = $1 AND "
                      "p.retired_at IS NULL",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "indicator_id", "指标不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    out->id = db_col_int64(st, 0);
    out->plan_id = db_col_int64(st, 1);
    out->seq = (int)db_col_int64(st, 2);
    out->kind = plan_kind_from_code(db_col_text(st, 3));
    out->direction = (int)db_col_int64(st, 4);
    snprintf(out->unit, sizeof out->unit, "%s", db_col_text(st, 5));
    snprintf(out->name, sizeof out->name, "%s", db_col_text(st, 6));
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

int plan_check_owner(const Actor *a, const PlanRow *p, Err *e)
{
    if (!actor_sees_path(a, p->issuer_path)) {
        return err_set(e, ERR_FORBIDDEN, "plan_id",
                       "只有计划发布单位（%s）的人员可以修改计划", p->name);
    }
    return 0;
}

int plan_create(Db *db, const Actor *a, const PlanInput *in, int64_t *id_out,
                Err *e)
{
    char name[PLAN_NAME_MAX * 4 + 1];
    char doc[PLAN_NAME_MAX * 4 + 1] = "";
    char note[PLAN_TEXT_MAX * 4 + 1] = "";
    char now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX] = "";
    const char *period = in->period && *in->period ? in->period : "quarter";
    int64_t base = in->base_year;
    json_t *after = NULL;
    DbStmt *st = NULL;
    int rc;

    rc = valid_text(in->name, 1, PLAN_NAME_MAX, name, sizeof name, "name",
                    "计划名称", e);
    if (rc == 0 && in->doc_no && *in->doc_no) {
        rc = valid_text(in->doc_no, 1, PLAN_NAME_MAX, doc, sizeof doc, "doc_no",
                        "文号", e);
    }
    if (rc == 0 && in->note && *in->note) {
        rc = valid_text(in->note, 1, PLAN_TEXT_MAX, note, sizeof note, "note",
                        "备注", e);
    }
    if (rc) {
        return rc;
    }
    if (in->year_from < PLAN_YEAR_MIN || in->year_from > PLAN_YEAR_MAX) {
        return err_set(e, ERR_INVALID, "year_from", "起始年度应在 %d—%d 之间",
                       PLAN_YEAR_MIN, PLAN_YEAR_MAX);
    }
    if (in->year_to < in->year_from || in->year_to > in->year_from + 10) {
        return err_set(e, ERR_INVALID, "year_to",
                       "截止年度应不早于起始年度，计划期最长 11 年");
    }
    if (in->base_year &&
        (in->base_year >= in->year_from || in->base_year < in->year_from - 5)) {
        return err_set(e, ERR_INVALID, "base_year",
                       "基期年应早于起始年度（最多早 5 年）");
    }
    if (strcmp(period, "quarter") != 0 && strcmp(period, "month") != 0) {
        return err_set(e, ERR_INVALID, "period",
                       "报告周期应为 quarter（季度）或 month（月度）");
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT path FROM org_units WHERE id = $1 AND "
                      "retired_at IS NULL",
                      "i", in->issuer_unit_id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            snprintf(path, sizeof path, "%s", db_col_text(st, 0));
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = 0;
        }
    }
    db_finalize(st);
    if (rc) {
        goto out;
    }
    if (!*path || !actor_sees_path(a, path)) {
        rc = err_set(e, ERR_INVALID, "issuer_unit_id", "发布单位不存在");
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_query_int64(
        db, id_out, e,
        "INSERT INTO plans (name, doc_no, issuer_unit_id, year_from, "
        "year_to, base_year, period, note, created_at, updated_at) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        "ttiiiptt"
        "t",
        name, *doc ? doc : NULL, in->issuer_unit_id, (int64_t)in->year_from,
        (int64_t)in->year_to, in->base_year ? &base : NULL, period,
        *note ? note : NULL, now);
    if (rc) {
        goto out;
    }
    after = json_pack("{sssisisiss}", "name", name, "issuer_unit_id",
                      (json_int_t)in->issuer_unit_id, "year_from",
                      in->year_from, "year_to", in->year_to, "period", period);
    rc = audit_record(db, a, "plan.create", "plan", *id_out, path, NULL, after,
                      e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    json_decref(after);
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_list(Db *db, const Actor *a, json_t **items, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    (void)a;
    *items = json_array();
    rc = db_prepare_v(
        db, &st, e,
        "SELECT p.id, p.name, p.doc_no, p.issuer_unit_id, u.name AS "
        "issuer_name, p.year_from, p.year_to, p.base_year, p.period, "
        "p.created_at, (SELECT COUNT(*) FROM plan_indicators i WHERE "
        "i.plan_id = p.id) AS n_indicators, (SELECT COUNT(*) FROM plan_tasks "
        "t WHERE t.plan_id = p.id) AS n_tasks FROM plans p JOIN org_units u "
        "ON u.id = p.issuer_unit_id WHERE p.retired_at IS NULL "
        "ORDER BY p.id DESC",
        "");
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, plan_row_json(st, "ittitiiitsii"));
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

/* Targets of indicator ind_id the actor may see, into arr. */
static int plan_targets_json(Db *db, const Actor *a, const PlanRow *p,
                             int64_t ind_id, json_t *arr, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT t.year, t.unit_id, u.name AS unit_name, "
                      "t.value_e4, t.text, u.path FROM plan_targets t JOIN "
                      "org_units u ON u.id = t.unit_id WHERE "
                      "t.indicator_id = $1 ORDER BY t.unit_id <> $2, u.path, "
                      "t.year",
                      "ii", ind_id, p->issuer_unit_id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t unit = db_col_int64(st, 1);
        json_t *o;

        rc = 0;
        if (unit != p->issuer_unit_id &&
            !actor_sees_path(a, db_col_text(st, 5))) {
            continue;
        }
        o = plan_row_json(st, "iitit");
        json_object_set_new(o, "district",
                            json_boolean(unit == p->issuer_unit_id));
        if (!db_col_is_null(st, 3)) {
            char v[PLAN_VALUE_TEXT];

            plan_value_format(db_col_int64(st, 3), v);
            json_object_set_new(o, "value", json_string(v));
        } else {
            json_object_set_new(o, "value", json_null());
        }
        json_array_append_new(arr, o);
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

int plan_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *plan = NULL;
    json_t *inds = json_array();
    PlanRow p;
    size_t i;
    json_t *it;
    int rc;

    *out = NULL;
    rc = plan_load(db, id, &p, e);
    if (rc) {
        goto out;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT p.id, p.name, p.doc_no, p.issuer_unit_id, "
                      "u.name AS issuer_name, p.year_from, p.year_to, "
                      "p.base_year, p.period, p.note, p.created_at, "
                      "p.updated_at FROM plans p JOIN org_units u ON "
                      "u.id = p.issuer_unit_id WHERE p.id = $1",
                      "i", id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        plan = plan_row_json(st, "ittitiiittss");
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        goto out;
    }
    json_object_set_new(plan, "editable",
                        json_boolean(actor_sees_path(a, p.issuer_path)));
    rc = db_prepare_v(
        db, &st, e,
        "SELECT i.id, i.seq, i.name, i.unit, i.kind, i.direction, i.base_e4, "
        "i.base_text, i.note, s.source, s.version AS source_version, "
        "s.params AS source_params FROM plan_indicators i LEFT JOIN "
        "plan_sources s ON s.indicator_id = i.id AND s.version = (SELECT "
        "MAX(version) FROM plan_sources s2 WHERE s2.indicator_id = i.id) "
        "WHERE i.plan_id = $1 ORDER BY i.seq",
        "i", id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_t *o = plan_row_json(st, "iitttiittti");
        int kind = plan_kind_from_code(db_col_text(st, 4));
        json_t *params = NULL;

        rc = 0;
        json_object_set_new(o, "kind_name", json_string(plan_kind_name(kind)));
        if (!db_col_is_null(st, 6)) {
            char v[PLAN_VALUE_TEXT];

            plan_value_format(db_col_int64(st, 6), v);
            json_object_set_new(o, "base", json_string(v));
        } else {
            json_object_set_new(o, "base", json_null());
        }
        if (db_col_text(st, 11)) {
            params = json_loads(db_col_text(st, 11), 0, NULL);
        }
        json_object_set_new(o, "source_params",
                            params ? params : json_object());
        json_array_append_new(inds, o);
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    json_array_foreach(inds, i, it)
    {
        json_t *t = json_array();

        if (rc == 0) {
            rc = plan_targets_json(
                db, a, &p, json_integer_value(json_object_get(it, "id")), t, e);
        }
        json_object_set_new(it, "targets", t);
    }
    if (rc) {
        goto out;
    }
    json_object_set(plan, "indicators", inds);
    *out = plan;
    plan = NULL;
out:
    json_decref(plan);
    json_decref(inds);
    return rc;
}

int plan_ind_insert_tx(Db *db, const Actor *a, const PlanRow *p,
                       const PlanIndInput *in, int64_t *id_out, Err *e)
{
    char name[PLAN_NAME_MAX * 4 + 1];
    char note[PLAN_TEXT_MAX * 4 + 1] = "";
    char btext[PLAN_NAME_MAX * 4 + 1] = "";
    char now[CLOCK_ISO_LEN];
    const char *unit = plan_unit_norm(in->unit);
    int kind;
    int64_t seq = in->seq;
    int64_t n = 0;
    int rc;

    rc = valid_text(in->name, 1, PLAN_NAME_MAX, name, sizeof name, "name",
                    "指标名称", e);
    if (rc == 0 && in->note && *in->note) {
        rc = valid_text(in->note, 1, PLAN_TEXT_MAX, note, sizeof note, "note",
                        "备注", e);
    }
    if (rc == 0 && in->base_text && *in->base_text) {
        rc = valid_text(in->base_text, 1, PLAN_NAME_MAX, btext, sizeof btext,
                        "base_text", "基期说明", e);
    }
    if (rc) {
        return rc;
    }
    if (!unit) {
        return err_set(e, ERR_INVALID, "unit",
                       "指标“%s”的计量单位“%s”不在 家、件、亿元、万元、%%、"
                       "个、人 之中",
                       name, in->unit ? in->unit : "");
    }
    kind = in->kind && *in->kind ? plan_kind_from_code(in->kind)
                                 : plan_kind_guess(name, unit);
    if (kind == PLAN_KIND_NONE) {
        return err_set(
            e, ERR_INVALID, "kind",
            "指标类型应为 stock（存量）、flow（流量）或 ratio（比率）");
    }
    if (kind != PLAN_KIND_RATIO && strcmp(unit, "%") == 0) {
        return err_set(e, ERR_INVALID, "kind",
                       "单位为 %% 的指标“%s”只能是比率指标", name);
    }
    if (in->direction != 0 && in->direction != 1 && in->direction != -1) {
        return err_set(e, ERR_INVALID, "direction",
                       "方向应为 1（越大越好）或 -1（越小越好）");
    }
    if (in->has_base) {
        rc = plan_value_check(in->base_e4, unit, "base", "基期值：", e);
        if (rc) {
            return rc;
        }
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM plan_indicators WHERE plan_id "
                        "= $1",
                        "i", p->id);
    if (rc) {
        return rc;
    }
    if (n >= PLAN_MAX_INDICATORS) {
        return err_set(e, ERR_TOOBIG, "indicators", "一个计划最多 %d 个指标",
                       PLAN_MAX_INDICATORS);
    }
    if (seq <= 0) {
        rc = db_query_int64(db, &seq, e,
                            "SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                            "plan_indicators WHERE plan_id = $1",
                            "i", p->id);
        if (rc) {
            return rc;
        }
    }
    clock_now_iso(now, 0);
    rc = db_query_int64(
        db, id_out, e,
        "INSERT INTO plan_indicators (plan_id, seq, name, unit, kind, "
        "direction, base_e4, base_text, note, created_at, updated_at) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        "iitttipttt", p->id, seq, name, unit, plan_kind_code(kind),
        (int64_t)(in->direction ? in->direction : 1),
        in->has_base ? &in->base_e4 : NULL, *btext ? btext : NULL,
        *note ? note : NULL, now);
    if (rc == ERR_CONFLICT) {
        return err_set(e, ERR_CONFLICT, "seq", "序号 %lld 已有指标",
                       (long long)seq);
    }
    if (rc) {
        return rc;
    }
    return db_exec_v(db, e,
                     "INSERT INTO plan_sources (indicator_id, version, "
                     "source, params, created_at, created_by) VALUES ($1, 1, "
                     "'manual', '{}', $2, $3)",
                     "iti", *id_out, now, a->user_id);
}

int plan_target_put_tx(Db *db, const PlanRow *p, const PlanInd *ind, int year,
                       int64_t unit_id, int has_value, int64_t value_e4,
                       const char *text, const char *where, Err *e)
{
    char now[CLOCK_ISO_LEN];
    char txt[PLAN_NAME_MAX * 4 + 1] = "";
    int64_t n = 0;
    int rc;

    /* targets lie within the plan; the base year holds actuals */
    rc = plan_year_check(year, p->year_from, p->year_to, 0, "year", where, e);
    if (rc) {
        return rc;
    }
    if (has_value) {
        rc = plan_value_check(value_e4, ind->unit, "value", where, e);
        if (rc) {
            return rc;
        }
    } else {
        rc = valid_text(text, 1, PLAN_NAME_MAX, txt, sizeof txt, "text",
                        "目标说明", e);
        if (rc) {
            return rc;
        }
    }
    if (unit_id == 0) {
        unit_id = p->issuer_unit_id;
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM org_units WHERE id = $1 AND "
                        "retired_at IS NULL",
                        "i", unit_id);
    if (rc) {
        return rc;
    }
    if (n == 0) {
        return err_set(e, ERR_INVALID, "unit_id", "%s单位不存在",
                       where ? where : "");
    }
    clock_now_iso(now, 0);
    return db_exec_v(db, e,
                     "INSERT INTO plan_targets (indicator_id, year, unit_id, "
                     "value_e4, text, updated_at) VALUES ($1, $2, $3, $4, $5, "
                     "$6) ON CONFLICT (indicator_id, year, unit_id) DO "
                     "UPDATE SET value_e4 = $4, text = $5, updated_at = $6",
                     "iiiptt", ind->id, (int64_t)year, unit_id,
                     has_value ? &value_e4 : NULL, *txt ? txt : NULL, now);
}

int plan_ind_create(Db *db, const Actor *a, int64_t plan_id,
                    const PlanIndInput *in, int64_t *id_out, Err *e)
{
    json_t *after = NULL;
    PlanRow p;
    int rc;

    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = plan_ind_insert_tx(db, a, &p, in, id_out, e);
    if (rc) {
        goto out;
    }
    after =
        json_pack("{sIssss}", "plan_id", (json_int_t)plan_id, "name",
                  in->name ? in->name : "", "unit", in->unit ? in->unit : "");
    rc = audit_record(db, a, "plan.indicator.create", "plan_indicator", *id_out,
                      p.issuer_path, NULL, after, e);
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    json_decref(after);
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_target_put(Db *db, const Actor *a, int64_t ind_id, int year,
                    int64_t unit_id, const char *value, const char *text,
                    Err *e)
{
    json_t *after = NULL;
    PlanRow p;
    PlanInd ind;
    int64_t v = 0;
    int rc;

    rc = plan_ind_load(db, ind_id, &ind, e);
    if (rc == 0) {
        rc = plan_load(db, ind.plan_id, &p, e);
    }
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc == 0 && value) {
        rc = plan_value_parse(value, ind.unit, &v, "value", "", e);
    }
    if (rc == 0 && !value && (!text || !*text)) {
        rc = err_set(e, ERR_INVALID, "value", "请填写目标值或说明");
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = plan_target_put_tx(db, &p, &ind, year, unit_id, value != NULL, v, text,
                            "", e);
    if (rc) {
        goto out;
    }
    after =
        json_pack("{sisIso?so?}", "year", year, "unit_id",
                  (json_int_t)(unit_id ? unit_id : p.issuer_unit_id), "value",
                  plan_json_str(value), "text", plan_json_str(text));
    rc = audit_record(db, a, "plan.target.put", "plan_indicator", ind_id,
                      p.issuer_path, NULL, after, e);
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    json_decref(after);
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_tasks_list(Db *db, const Actor *a, int64_t plan_id, int64_t unit_id,
                    json_t **items, Err *e)
{
    DbStmt *st = NULL;
    json_t *cur = NULL;
    int64_t cur_id = 0;
    int cur_visible = 0;
    int cur_has_unit = 0;
    int owner;
    PlanRow p;
    int rc;

    *items = json_array();
    rc = plan_load(db, plan_id, &p, e);
    if (rc) {
        return rc;
    }
    owner = actor_sees_path(a, p.issuer_path);
    rc = db_prepare_v(
        db, &st, e,
        "SELECT t.id, t.seq, t.heading, t.content, t.due_text, t.due_on, "
        "t.judgement, tu.unit_id, u.name, tu.role, tu.person, u.path FROM "
        "plan_tasks t LEFT JOIN plan_task_units tu ON tu.task_id = t.id "
        "LEFT JOIN org_units u ON u.id = tu.unit_id WHERE t.plan_id = $1 "
        "ORDER BY t.seq, tu.role, tu.id",
        "i", plan_id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);

        rc = 0;
        if (id != cur_id) {
            if (cur && cur_visible && (!unit_id || cur_has_unit)) {
                json_array_append(*items, cur);
            }
            json_decref(cur);
            cur = plan_row_json(st, "iittttt");
            json_object_set_new(cur, "units", json_array());
            cur_id = id;
            cur_visible = owner;
            cur_has_unit = 0;
        }
        if (db_col_is_null(st, 7)) {
            continue;
        }
        json_array_append_new(
            json_object_get(cur, "units"),
            json_pack("{sIssssso?}", "unit_id", (json_int_t)db_col_int64(st, 7),
                      "unit_name", db_col_text(st, 8), "role",
                      db_col_text(st, 9), "person",
                      db_col_text(st, 10) ? json_string(db_col_text(st, 10))
                                          : NULL));
        cur_visible |= actor_sees_path(a, db_col_text(st, 11));
        cur_has_unit |= db_col_int64(st, 7) == unit_id;
    }
    if (rc == DB_DONE) {
        rc = 0;
        if (cur && cur_visible && (!unit_id || cur_has_unit)) {
            json_array_append(*items, cur);
        }
    }
    json_decref(cur);
    db_finalize(st);
    st = NULL;
    /* linked indicators */
    {
        size_t i;
        json_t *t;

        json_array_foreach(*items, i, t)
        {
            json_t *ids = json_array();

            if (rc == 0) {
                rc = db_prepare_v(
                    db, &st, e,
                    "SELECT indicator_id FROM "
                    "plan_task_indicators WHERE task_id = $1 "
                    "ORDER BY indicator_id",
                    "i", (int64_t)json_integer_value(json_object_get(t, "id")));
            }
            while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
                json_array_append_new(ids, json_integer(db_col_int64(st, 0)));
                rc = 0;
            }
            if (rc == DB_DONE) {
                rc = 0;
            }
            db_finalize(st);
            st = NULL;
            json_object_set_new(t, "indicator_ids", ids);
        }
    }
    return rc;
}
