/* plan_task.c - reports, status and 督办 of plan tasks (plan_task.h). */
#include "domain/plan/plan_task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/valid.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/plan/plan.h"
#include "domain/plan/plan_eval.h"
#include "domain/plan/plan_figure.h"
#include "domain/plan/plan_kind.h"

#define PLAN_REPORT_MAX 4000 /* characters of a report */

/* Today's local date. */
static void plan_today(char out[DATE_ISO_SIZE])
{
    date_format_iso(date_today(), out);
}

/* The plan of task_id. */
static int plan_task_plan(Db *db, int64_t task_id, PlanRow *p, Err *e)
{
    int64_t plan_id = 0;
    int rc;

    memset(p, 0, sizeof *p);
    rc = db_query_int64(db, &plan_id, e,
                        "SELECT plan_id FROM plan_tasks WHERE id = $1", "i",
                        task_id);
    if (rc == ERR_NOTFOUND) {
        return err_set(e, ERR_NOTFOUND, "task_id", "任务不存在");
    }
    return rc ? rc : plan_load(db, plan_id, p, e);
}

/* Role of unit_id on task_id: bit 1 lead, bit 2 responsible; 0 = none. */
static int plan_task_role(Db *db, int64_t task_id, int64_t unit_id)
{
    DbStmt *st = NULL;
    int roles = 0;

    if (db_prepare_v(db, &st, NULL,
                     "SELECT role FROM plan_task_units WHERE task_id = $1 AND "
                     "unit_id = $2",
                     "ii", task_id, unit_id) == 0) {
        while (db_step(st, NULL) == DB_ROW) {
            roles |= strcmp(db_col_text(st, 0), "lead") == 0 ? 1 : 2;
        }
    }
    db_finalize(st);
    return roles;
}

/* The lead unit of task_id that the actor acts for (in its scope), or 0. */
static int64_t plan_task_lead_of(Db *db, const Actor *a, int64_t task_id)
{
    DbStmt *st = NULL;
    int64_t found = 0;

    if (db_prepare_v(db, &st, NULL,
                     "SELECT tu.unit_id, u.path FROM plan_task_units tu JOIN "
                     "org_units u ON u.id = tu.unit_id WHERE tu.task_id = $1 "
                     "AND tu.role = 'lead' ORDER BY u.path",
                     "i", task_id) == 0) {
        while (!found && db_step(st, NULL) == DB_ROW) {
            if (actor_sees_path(a, db_col_text(st, 1))) {
                found = db_col_int64(st, 0);
            }
        }
    }
    db_finalize(st);
    return found;
}

/* Is period of task final (accepted)? */
static int plan_period_final(Db *db, int64_t task_id, const char *period,
                             int *final, Err *e)
{
    int64_t n = 0;
    int rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM plan_reports WHERE task_id "
                            "= $1 AND period = $2 AND status = 'accepted'",
                            "it", task_id, period);

    *final = n > 0;
    return rc;
}

static int plan_check_period(const PlanRow *p, const char *period, Err *e)
{
    char a0[11];
    char a1[11];
    int y = 0;
    int rc = plan_period_parse(period, p->period, &y, a0, a1, "period", e);

    if (rc == 0) {
        rc = plan_year_check(y, p->year_from, p->year_to, 0, "period", "", e);
    }
    return rc;
}

static int plan_task_audit(Db *db, const Actor *a, const char *action,
                           int64_t task_id, const PlanRow *p, json_t *after,
                           Err *e)
{
    int rc = audit_record(db, a, action, "plan_task", task_id, p->issuer_path,
                          NULL, after, e);

    json_decref(after);
    return rc;
}

int plan_report_file(Db *db, const Actor *a, int64_t task_id, int64_t unit_id,
                     const char *period, const char *text, int64_t *id_out,
                     Err *e)
{
    char txt[PLAN_REPORT_MAX * 4 + 1];
    char now[CLOCK_ISO_LEN];
    char path[ACTOR_PATH_MAX] = "";
    char *status = NULL;
    int final = 0;
    PlanRow p;
    int rc;

    if (unit_id == 0) {
        unit_id = a->unit_id;
    }
    rc = plan_task_plan(db, task_id, &p, e);
    if (rc == 0) {
        rc = plan_check_period(&p, period, e);
    }
    if (rc == 0) {
        rc = valid_text(text, 1, PLAN_REPORT_MAX, txt, sizeof txt, "text",
                        "进展情况", e);
    }
    if (rc == 0) {
        char *pp = NULL;

        rc = db_query_text(db, &pp, e,
                           "SELECT path FROM org_units WHERE id = $1", "i",
                           unit_id);
        if (rc == 0 && pp) {
            snprintf(path, sizeof path, "%s", pp);
        }
        free(pp);
        if (rc == ERR_NOTFOUND) {
            rc = err_set(e, ERR_INVALID, "unit_id", "单位不存在");
        }
    }
    if (rc == 0 && !actor_sees_path(a, path)) {
        rc = err_set(e, ERR_FORBIDDEN, "unit_id", "只能报送本单位的进展");
    }
    if (rc == 0 && !plan_task_role(db, task_id, unit_id)) {
        rc = err_set(e, ERR_FORBIDDEN, "unit_id",
                     "该单位不是本任务的牵头单位或责任单位，不能报送");
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = plan_period_final(db, task_id, period, &final, e);
    if (rc == 0 && final) {
        rc = err_set(e, ERR_CONFLICT, "period",
                     "%s 的进展已审核通过，不能再报送", period);
    }
    if (rc == 0) {
        rc = plan_period_frozen(db, p.id, period, &final, e);
        if (rc == 0 && final) {
            rc = err_set(e, ERR_CONFLICT, "period",
                         "%s 所在季度的评价已发布（已冻结），不能再报送",
                         period);
        }
    }
    if (rc == 0) {
        int r = db_query_text(db, &status, e,
                              "SELECT status FROM plan_reports WHERE task_id "
                              "= $1 AND unit_id = $2 AND period = $3",
                              "iit", task_id, unit_id, period);

        if (r == 0 && status && strcmp(status, "consolidated") == 0) {
            rc = err_set(e, ERR_CONFLICT, "period",
                         "%s 的进展已由牵头单位汇总，待审核", period);
        } else if (r && r != ERR_NOTFOUND) {
            rc = r;
        }
    }
    clock_now_iso(now, 0);
    if (rc == 0) {
        rc = db_query_int64(
            db, id_out, e,
            "INSERT INTO plan_reports (task_id, unit_id, period, text, "
            "status, filed_by, filed_at) VALUES ($1, $2, $3, $4, 'filed', $5, "
            "$6) ON CONFLICT (task_id, unit_id, period) DO UPDATE SET text = "
            "$4, status = 'filed', filed_by = $5, filed_at = $6, reviewed_by "
            "= NULL, reviewed_at = NULL RETURNING id",
            "iittit", task_id, unit_id, period, txt, a->user_id, now);
    }
    if (rc == 0) {
        rc = plan_task_audit(db, a, "plan.report.file", task_id, &p,
                             json_pack("{sIssss}", "unit_id",
                                       (json_int_t)unit_id, "period", period,
                                       "text", txt),
                             e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    free(status);
    return rc;
}

int plan_report_consolidate(Db *db, const Actor *a, int64_t task_id,
                            const char *period, const char *text, Err *e)
{
    char txt[PLAN_REPORT_MAX * 4 + 1];
    char now[CLOCK_ISO_LEN];
    int64_t lead;
    int64_t n = 0;
    int final = 0;
    PlanRow p;
    int rc;

    rc = plan_task_plan(db, task_id, &p, e);
    if (rc == 0) {
        rc = plan_check_period(&p, period, e);
    }
    if (rc == 0) {
        rc = valid_text(text, 1, PLAN_REPORT_MAX, txt, sizeof txt, "text",
                        "汇总情况", e);
    }
    if (rc) {
        return rc;
    }
    lead = plan_task_lead_of(db, a, task_id);
    if (!lead) {
        return err_set(e, ERR_FORBIDDEN, "task_id",
                       "只有本任务的牵头单位可以汇总");
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = plan_period_final(db, task_id, period, &final, e);
    if (rc == 0 && final) {
        rc = err_set(e, ERR_CONFLICT, "period", "%s 的进展已审核通过", period);
    }
    if (rc == 0) {
        rc = plan_period_frozen(db, p.id, period, &final, e);
        if (rc == 0 && final) {
            rc = err_set(e, ERR_CONFLICT, "period",
                         "%s 所在季度的评价已发布（已冻结）", period);
        }
    }
    if (rc == 0) {
        rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM plan_reports WHERE task_id "
                            "= $1 AND period = $2 AND status = 'filed'",
                            "it", task_id, period);
    }
    if (rc == 0 && n == 0) {
        rc = err_set(e, ERR_CONFLICT, "period",
                     "%s 还没有责任单位报送进展，无可汇总", period);
    }
    clock_now_iso(now, 0);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "INSERT INTO plan_reports (task_id, unit_id, period, "
                       "text, status, filed_by, filed_at) VALUES ($1, $2, "
                       "$3, $4, 'filed', $5, $6) ON CONFLICT (task_id, "
                       "unit_id, period) DO UPDATE SET text = $4, status = "
                       "'filed', filed_by = $5, filed_at = $6",
                       "iitti"
                       "t",
                       task_id, lead, period, txt, a->user_id, now);
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE plan_reports SET status = 'consolidated', "
                       "consolidated_at = $1 WHERE task_id = $2 AND period = "
                       "$3 AND status = 'filed'",
                       "tit", now, task_id, period);
    }
    if (rc == 0) {
        rc = plan_task_audit(db, a, "plan.report.consolidate", task_id, &p,
                             json_pack("{sIssss}", "lead_unit_id",
                                       (json_int_t)lead, "period", period,
                                       "text", txt),
                             e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_report_review(Db *db, const Actor *a, int64_t task_id,
                       const char *period, int accept, const char *note, Err *e)
{
    char nt[PLAN_TEXT_MAX * 4 + 1] = "";
    char now[CLOCK_ISO_LEN];
    int64_t n = 0;
    PlanRow p;
    int rc;

    rc = plan_task_plan(db, task_id, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc == 0 && note && *note) {
        rc = valid_text(note, 1, PLAN_TEXT_MAX, nt, sizeof nt, "note",
                        "审核意见", e);
    }
    if (rc == 0 && !accept && !*nt) {
        rc = err_set(e, ERR_INVALID, "note", "退回时须填写审核意见");
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM plan_reports WHERE task_id = $1 "
                        "AND period = $2 AND status = 'consolidated'",
                        "it", task_id, period ? period : "");
    if (rc == 0 && n == 0) {
        rc = err_set(e, ERR_CONFLICT, "period",
                     "%s 没有待审核的汇总进展（须先由牵头单位汇总）",
                     period ? period : "");
    }
    clock_now_iso(now, 0);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE plan_reports SET status = $1, reviewed_by = "
                       "$2, reviewed_at = $3, review_note = $4 WHERE task_id "
                       "= $5 AND period = $6 AND status = 'consolidated'",
                       "tittit", accept ? "accepted" : "returned", a->user_id,
                       now, *nt ? nt : NULL, task_id, period);
    }
    if (rc == 0) {
        rc = plan_task_audit(db, a, "plan.report.review", task_id, &p,
                             json_pack("{ssssso?}", "period", period, "status",
                                       accept ? "accepted" : "returned", "note",
                                       plan_json_str(*nt ? nt : NULL)),
                             e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

/* May the actor see task_id (owner, or one of the task's units in
 * scope)? */
static int plan_task_visible(Db *db, const Actor *a, int64_t task_id,
                             const PlanRow *p)
{
    DbStmt *st = NULL;
    int vis = actor_sees_path(a, p->issuer_path);

    if (!vis && db_prepare_v(db, &st, NULL,
                             "SELECT u.path FROM plan_task_units tu JOIN "
                             "org_units u ON u.id = tu.unit_id WHERE "
                             "tu.task_id = $1",
                             "i", task_id) == 0) {
        while (!vis && db_step(st, NULL) == DB_ROW) {
            vis = actor_sees_path(a, db_col_text(st, 0));
        }
    }
    db_finalize(st);
    return vis;
}

int plan_reports_list(Db *db, const Actor *a, int64_t task_id, json_t **items,
                      Err *e)
{
    DbStmt *st = NULL;
    PlanRow p;
    int rc;

    *items = json_array();
    rc = plan_task_plan(db, task_id, &p, e);
    if (rc == 0 && !plan_task_visible(db, a, task_id, &p)) {
        rc = err_set(e, ERR_NOTFOUND, "task_id", "任务不存在");
    }
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT r.id, r.unit_id, u.name AS unit_name, "
                          "tu.role, r.period, r.text, r.status, r.filed_at, "
                          "r.consolidated_at, r.reviewed_at, r.review_note "
                          "FROM plan_reports r JOIN org_units u ON u.id = "
                          "r.unit_id LEFT JOIN plan_task_units tu ON "
                          "tu.task_id = r.task_id AND tu.unit_id = r.unit_id "
                          "AND tu.role = 'lead' WHERE r.task_id = $1 ORDER "
                          "BY r.period DESC, tu.role IS NULL, u.path",
                          "i", task_id);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_t *o = plan_row_json(st, "iitttttssss");

        json_object_set_new(o, "lead", json_boolean(!db_col_is_null(st, 3)));
        json_array_append_new(*items, o);
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

int plan_report_attach_scope(Db *db, const Actor *a, int64_t report_id,
                             int write, char path[ACTOR_PATH_MAX], Err *e)
{
    DbStmt *st = NULL;
    int64_t task_id = 0;
    char status[16] = "";
    PlanRow p;
    int rc;

    path[0] = '\0';
    rc = db_prepare_v(db, &st, e,
                      "SELECT r.task_id, r.status, u.path FROM plan_reports r "
                      "JOIN org_units u ON u.id = r.unit_id WHERE r.id = $1",
                      "i", report_id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        task_id = db_col_int64(st, 0);
        snprintf(status, sizeof status, "%s", db_col_text(st, 1));
        snprintf(path, ACTOR_PATH_MAX, "%s", db_col_text(st, 2));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "owner_id", "报送不存在");
    }
    db_finalize(st);
    if (rc == 0) {
        rc = plan_task_plan(db, task_id, &p, e);
    }
    if (rc == 0 && !plan_task_visible(db, a, task_id, &p)) {
        rc = err_set(e, ERR_NOTFOUND, "owner_id", "报送不存在");
    }
    if (rc == 0 && write && !actor_sees_path(a, path)) {
        rc = err_set(e, ERR_FORBIDDEN, "owner_id",
                     "只有报送单位可以增删本报送的附件");
    }
    if (rc == 0 && write && strcmp(status, "accepted") == 0) {
        rc = err_set(e, ERR_CONFLICT, "owner_id",
                     "报送已审核通过，附件不能再增删");
    }
    return rc;
}

int plan_milestone_add(Db *db, const Actor *a, int64_t task_id,
                       const char *title, const char *due_on, Err *e)
{
    char t[PLAN_NAME_MAX * 4 + 1];
    char iso[DATE_ISO_SIZE];
    Date d;
    PlanRow p;
    int rc;

    rc = plan_task_plan(db, task_id, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc == 0) {
        rc = valid_text(title, 1, PLAN_NAME_MAX, t, sizeof t, "title",
                        "节点名称", e);
    }
    if (rc == 0) {
        rc = date_parse(due_on, &d, "due_on", e);
    }
    if (rc) {
        return rc;
    }
    date_format_iso(d, iso);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "INSERT INTO plan_milestones (task_id, title, due_on) "
                       "VALUES ($1, $2, $3)",
                       "itt", task_id, t, iso);
    }
    if (rc == 0) {
        rc = plan_task_audit(
            db, a, "plan.task.update", task_id, &p,
            json_pack("{s{ssss}}", "milestone", "title", t, "due_on", iso), e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_task_judge(Db *db, const Actor *a, int64_t task_id,
                    const char *judgement, Err *e)
{
    char now[CLOCK_ISO_LEN];
    PlanRow p;
    int rc;

    /* a judgement sets one of the task statuses (labels.c) a unit may
     * declare: at risk or done */
    if (judgement && (!labels_plan_task_status(judgement) ||
                      (strcmp(judgement, "at_risk") != 0 &&
                       strcmp(judgement, "done") != 0))) {
        return err_set(e, ERR_INVALID, "judgement",
                       "判断应为 at_risk（%s）、done（%s）或 null",
                       labels_plan_task_status("at_risk"),
                       labels_plan_task_status("done"));
    }
    rc = plan_task_plan(db, task_id, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE plan_tasks SET judgement = $1, updated_at = $2 "
                       "WHERE id = $3",
                       "tti", judgement, now, task_id);
    }
    if (rc == 0) {
        rc = plan_task_audit(
            db, a, "plan.task.update", task_id, &p,
            json_pack("{so?}", "judgement", plan_json_str(judgement)), e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_task_link(Db *db, const Actor *a, int64_t task_id, json_t *ids, Err *e)
{
    json_t *after = NULL;
    size_t i;
    json_t *v;
    PlanRow p;
    int rc;

    rc = plan_task_plan(db, task_id, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc == 0 && (!json_is_array(ids) || json_array_size(ids) > 50)) {
        rc = err_set(e, ERR_INVALID, "indicator_ids",
                     "indicator_ids 应为指标编号数组（最多 50 个）");
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "DELETE FROM plan_task_indicators WHERE task_id = $1",
                       "i", task_id);
    }
    json_array_foreach(ids, i, v)
    {
        int64_t n = 0;

        if (rc) {
            break;
        }
        if (!json_is_integer(v)) {
            rc = err_set(e, ERR_INVALID, "indicator_ids", "指标编号应为整数");
            break;
        }
        rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM plan_indicators WHERE id = "
                            "$1 AND plan_id = $2",
                            "ii", (int64_t)json_integer_value(v), p.id);
        if (rc == 0 && n == 0) {
            rc = err_set(e, ERR_INVALID, "indicator_ids",
                         "指标 %lld 不属于该计划",
                         (long long)json_integer_value(v));
        }
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "INSERT INTO plan_task_indicators (task_id, "
                           "indicator_id) VALUES ($1, $2) ON CONFLICT "
                           "(task_id, indicator_id) DO NOTHING",
                           "ii", task_id, (int64_t)json_integer_value(v));
        }
    }
    if (rc == 0) {
        after = json_pack("{sO}", "indicator_ids", ids);
        rc = plan_task_audit(db, a, "plan.task.update", task_id, &p, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

/* A linked indicator of task_id behind on date: its name and completion
 * into reason; *behind = 1. Figures are read as the system would (the
 * district's, public). */
static int plan_task_links_behind(Db *db, int64_t task_id, const char *date,
                                  int *behind, char *reason, size_t cap, Err *e)
{
    DbStmt *st = NULL;
    Actor sys;
    int rc;

    *behind = 0;
    actor_init_system(&sys);
    rc = db_prepare_v(db, &st, e,
                      "SELECT indicator_id FROM plan_task_indicators WHERE "
                      "task_id = $1 ORDER BY indicator_id",
                      "i", task_id);
    while (rc == 0 && !*behind && (rc = db_step(st, e)) == DB_ROW) {
        json_t *fig = NULL;
        json_t *bp;

        rc = plan_figure(db, &sys, db_col_int64(st, 0), date, 0, 0, &fig, e);
        if (rc) {
            break;
        }
        bp = json_object_get(fig, "completion_bp");
        if (json_is_integer(bp) &&
            json_integer_value(bp) < PLAN_TASK_LINK_MIN_BP) {
            PlanInd ind;

            if (plan_ind_load(db, db_col_int64(st, 0), &ind, NULL) == 0) {
                snprintf(reason, cap, "关联指标“%.200s”完成 %lld.%02lld%%",
                         ind.name, (long long)json_integer_value(bp) / 100,
                         (long long)json_integer_value(bp) % 100);
            }
            *behind = 1;
        }
        json_decref(fig);
    }
    if (rc == DB_DONE || rc == DB_ROW) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

int plan_task_status(Db *db, int64_t task_id, const char *date,
                     const char **status, char *reason, size_t cap, Err *e)
{
    char *judg = NULL;
    char *due = NULL;
    char *ms = NULL;
    char *ret = NULL;
    int64_t n = 0;
    int rc;

    *status = PLAN_TASK_ON_TRACK;
    snprintf(reason, cap, "%s", "按计划推进");
    rc = db_query_text(db, &judg, e,
                       "SELECT judgement FROM plan_tasks WHERE id = $1", "i",
                       task_id);
    if (rc) {
        return rc;
    }
    if (judg && strcmp(judg, "done") == 0) {
        *status = PLAN_TASK_DONE;
        snprintf(reason, cap, "%s", "办公室认定已完成");
        goto out;
    }
    rc = db_query_text(db, &ms, e,
                       "SELECT MIN(title || ' ' || due_on) FROM "
                       "plan_milestones WHERE task_id = $1 AND done_on IS "
                       "NULL AND due_on < $2",
                       "it", task_id, date);
    if (rc == 0 && ms) {
        *status = PLAN_TASK_LATE;
        snprintf(reason, cap, "时间节点已过：%s", ms);
        goto out;
    }
    rc = db_query_text(db, &due, e,
                       "SELECT due_on FROM plan_tasks WHERE id = $1 AND "
                       "due_on IS NOT NULL AND due_on < $2",
                       "it", task_id, date);
    if (rc == 0) {
        *status = PLAN_TASK_LATE;
        snprintf(reason, cap, "完成时限 %s 已过", due);
        goto out;
    }
    if (rc != ERR_NOTFOUND) {
        goto out;
    }
    rc = 0;
    if (judg && strcmp(judg, "at_risk") == 0) {
        *status = PLAN_TASK_AT_RISK;
        snprintf(reason, cap, "%s", "办公室判断有风险");
        goto out;
    }
    {
        int behind = 0;

        rc = plan_task_links_behind(db, task_id, date, &behind, reason, cap, e);
        if (rc || behind) {
            if (behind) {
                *status = PLAN_TASK_AT_RISK;
            }
            goto out;
        }
    }
    rc = db_query_text(db, &ret, e,
                       "SELECT MAX(period) FROM plan_reports WHERE task_id = "
                       "$1 AND status = 'returned'",
                       "i", task_id);
    if (rc == 0 && ret) {
        *status = PLAN_TASK_AT_RISK;
        snprintf(reason, cap, "%s 的进展被退回", ret);
        goto out;
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM plan_notices WHERE task_id = $1 "
                        "AND closed_at IS NULL AND answered_at IS NULL AND "
                        "deadline < $2",
                        "it", task_id, date);
    if (rc == 0 && n > 0) {
        *status = PLAN_TASK_AT_RISK;
        snprintf(reason, cap, "%s", "督办事项逾期未答复");
    }
out:
    free(judg);
    free(due);
    free(ms);
    free(ret);
    return rc;
}

/* Inside an open transaction: check and insert a notice of plan p (from a
 * meeting when meeting_id is not 0) with its audit entry. */
static int plan_notice_insert_tx(Db *db, const Actor *a, const PlanRow *p,
                                 int64_t unit_id, int64_t task_id,
                                 int64_t meeting_id, const char *text,
                                 const char *deadline, int64_t *id_out, Err *e)
{
    char t[PLAN_TEXT_MAX * 4 + 1];
    char iso[DATE_ISO_SIZE];
    char now[CLOCK_ISO_LEN];
    char *path = NULL;
    int64_t n = 0;
    Date d;
    int rc;

    rc = valid_text(text, 1, PLAN_TEXT_MAX, t, sizeof t, "text", "督办事项", e);
    if (rc == 0) {
        rc = date_parse(deadline, &d, "deadline", e);
    }
    if (rc == 0) {
        rc = db_query_text(db, &path, e,
                           "SELECT path FROM org_units WHERE id = $1 AND "
                           "retired_at IS NULL",
                           "i", unit_id);
        if (rc == ERR_NOTFOUND) {
            rc = err_set(e, ERR_INVALID, "unit_id", "督办单位不存在");
        }
    }
    if (rc == 0 && task_id) {
        rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM plan_tasks WHERE id = $1 "
                            "AND plan_id = $2",
                            "ii", task_id, p->id);
        if (rc == 0 && n == 0) {
            rc = err_set(e, ERR_INVALID, "task_id", "任务不属于该计划");
        }
    }
    if (rc) {
        free(path);
        return rc;
    }
    date_format_iso(d, iso);
    clock_now_iso(now, 0);
    rc = db_query_int64(db, id_out, e,
                        "INSERT INTO plan_notices (plan_id, task_id, "
                        "meeting_id, unit_id, text, deadline, issued_by, "
                        "issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                        "RETURNING id",
                        "ippittit", p->id, task_id ? &task_id : NULL,
                        meeting_id ? &meeting_id : NULL, unit_id, t, iso,
                        a->user_id, now);
    if (rc == 0) {
        json_t *after =
            json_pack("{sIsIssss}", "plan_id", (json_int_t)p->id, "unit_id",
                      (json_int_t)unit_id, "text", t, "deadline", iso);

        rc = audit_record(db, a, "plan.notice.issue", "plan_notice", *id_out,
                          path, NULL, after, e);
        json_decref(after);
    }
    free(path);
    return rc;
}

int plan_notice_issue(Db *db, const Actor *a, int64_t plan_id, int64_t unit_id,
                      int64_t task_id, const char *text, const char *deadline,
                      int64_t *id_out, Err *e)
{
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
    if (rc == 0) {
        rc = plan_notice_insert_tx(db, a, &p, unit_id, task_id, 0, text,
                                   deadline, id_out, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_meeting_add(Db *db, const Actor *a, int64_t plan_id,
                     const char *held_on, const char *title,
                     const char *attendees, const char *problems,
                     json_t *decisions, int64_t *id_out, Err *e)
{
    char ti[PLAN_NAME_MAX * 4 + 1];
    char at[PLAN_TEXT_MAX * 4 + 1] = "";
    char pr[PLAN_TEXT_MAX * 4 + 1] = "";
    char iso[DATE_ISO_SIZE];
    char now[CLOCK_ISO_LEN];
    size_t i;
    json_t *d;
    PlanRow p;
    Date hd;
    int rc;

    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc == 0) {
        rc = date_parse(held_on, &hd, "held_on", e);
    }
    if (rc == 0) {
        rc = valid_text(title, 1, PLAN_NAME_MAX, ti, sizeof ti, "title",
                        "会议名称", e);
    }
    if (rc == 0 && attendees && *attendees) {
        rc = valid_text(attendees, 1, PLAN_TEXT_MAX, at, sizeof at, "attendees",
                        "参会单位", e);
    }
    if (rc == 0 && problems && *problems) {
        rc = valid_text(problems, 1, PLAN_TEXT_MAX, pr, sizeof pr, "problems",
                        "会议提出的问题", e);
    }
    if (rc == 0 && decisions &&
        (!json_is_array(decisions) || json_array_size(decisions) > 50)) {
        rc = err_set(e, ERR_INVALID, "decisions",
                     "会议决定应为数组（最多 50 项）");
    }
    if (rc) {
        return rc;
    }
    date_format_iso(hd, iso);
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_query_int64(db, id_out, e,
                            "INSERT INTO plan_meetings (plan_id, held_on, "
                            "title, attendees, problems, created_by, "
                            "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                            "RETURNING id",
                            "itttt"
                            "it",
                            plan_id, iso, ti, *at ? at : NULL, *pr ? pr : NULL,
                            a->user_id, now);
    }
    json_array_foreach(decisions, i, d)
    {
        int64_t nid = 0;

        if (rc) {
            break;
        }
        rc = plan_notice_insert_tx(
            db, a, &p, json_integer_value(json_object_get(d, "unit_id")),
            json_integer_value(json_object_get(d, "task_id")), *id_out,
            json_string_value(json_object_get(d, "text")),
            json_string_value(json_object_get(d, "deadline")), &nid, e);
        if (rc) {
            char msg[ERR_MSG_MAX];

            snprintf(msg, sizeof msg, "第 %zu 项会议决定：%.400s", i + 1,
                     e ? e->msg : "");
            rc = err_set(e, rc, "decisions", "%s", msg);
        }
    }
    if (rc == 0) {
        json_t *after =
            json_pack("{sssssI}", "held_on", iso, "title", ti, "decisions",
                      (json_int_t)json_array_size(decisions));

        rc = audit_record(db, a, "plan.meeting.create", "plan", plan_id,
                          p.issuer_path, NULL, after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_meetings_list(Db *db, const Actor *a, int64_t plan_id, json_t **items,
                       Err *e)
{
    DbStmt *st = NULL;
    PlanRow p;
    int rc;

    (void)a;
    *items = json_array();
    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = db_prepare_v(
            db, &st, e,
            "SELECT m.id, m.held_on, m.title, m.attendees, m.problems, "
            "(SELECT COUNT(*) FROM plan_notices n WHERE n.meeting_id = m.id) "
            "AS decisions, (SELECT COUNT(*) FROM plan_notices n WHERE "
            "n.meeting_id = m.id AND n.closed_at IS NULL) AS open_decisions "
            "FROM plan_meetings m WHERE m.plan_id = $1 ORDER BY m.held_on "
            "DESC, m.id DESC",
            "i", plan_id);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, plan_row_json(st, "issttii"));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

/* Path of the notice's unit and its plan; ERR_NOTFOUND out of scope. */
static int plan_notice_load(Db *db, const Actor *a, int64_t id, char *path,
                            size_t cap, PlanRow *p, Err *e)
{
    DbStmt *st = NULL;
    int64_t plan_id = 0;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT u.path, n.plan_id FROM plan_notices n JOIN "
                      "org_units u ON u.id = n.unit_id WHERE n.id = $1",
                      "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        snprintf(path, cap, "%s", db_col_text(st, 0));
        plan_id = db_col_int64(st, 1);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    if (rc == 0) {
        rc = plan_load(db, plan_id, p, e);
    }
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path) &&
                               !actor_sees_path(a, p->issuer_path))) {
        rc = err_set(e, ERR_NOTFOUND, "id", "督办事项不存在");
    }
    return rc;
}

int plan_notice_answer(Db *db, const Actor *a, int64_t id, const char *answer,
                       Err *e)
{
    char t[PLAN_TEXT_MAX * 4 + 1];
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    PlanRow p;
    int rc;

    rc = plan_notice_load(db, a, id, path, sizeof path, &p, e);
    if (rc == 0 && !actor_sees_path(a, path)) {
        rc = err_set(e, ERR_FORBIDDEN, "id", "只有被督办单位可以答复");
    }
    if (rc == 0) {
        rc = valid_text(answer, 1, PLAN_TEXT_MAX, t, sizeof t, "answer", "答复",
                        e);
    }
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE plan_notices SET answer = $1, answered_at = $2 "
                       "WHERE id = $3 AND closed_at IS NULL",
                       "tti", t, now, id);
    }
    if (rc == 0 && db_changes(db) == 0) {
        rc = err_set(e, ERR_CONFLICT, "id", "督办事项已办结");
    }
    if (rc == 0) {
        json_t *after = json_pack("{ss}", "answer", t);

        rc = audit_record(db, a, "plan.notice.answer", "plan_notice", id, path,
                          NULL, after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_notice_close(Db *db, const Actor *a, int64_t id, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    PlanRow p;
    int rc;

    rc = plan_notice_load(db, a, id, path, sizeof path, &p, e);
    if (rc == 0) {
        rc = plan_check_owner(a, &p, e);
    }
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE plan_notices SET closed_at = $1 WHERE id = $2 "
                       "AND closed_at IS NULL",
                       "ti", now, id);
    }
    if (rc == 0 && db_changes(db) == 0) {
        rc = err_set(e, ERR_CONFLICT, "id", "督办事项已办结");
    }
    if (rc == 0) {
        rc = audit_record(db, a, "plan.notice.close", "plan_notice", id, path,
                          NULL, NULL, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int plan_notices_list(Db *db, const Actor *a, int64_t plan_id, int open_only,
                      json_t **items, Err *e)
{
    char today[DATE_ISO_SIZE];
    DbStmt *st = NULL;
    PlanRow p;
    Date td;
    int rc;

    *items = json_array();
    plan_today(today);
    td = date_today();
    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = db_prepare_v(
            db, &st, e,
            "SELECT n.id, n.task_id, t.seq AS task_seq, "
            "n.unit_id, u.name AS unit_name, n.text, "
            "n.deadline, n.issued_at, n.answer, n.answered_at, "
            "n.closed_at, u.path, n.meeting_id FROM plan_notices n JOIN "
            "org_units u ON u.id = n.unit_id LEFT JOIN "
            "plan_tasks t ON t.id = n.task_id WHERE n.plan_id "
            "= $1 AND ($2 = 0 OR n.closed_at IS NULL) ORDER BY "
            "n.id DESC",
            "ii", plan_id, (int64_t)(open_only != 0));
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_t *o;
        int overdue;
        Date dl = 0;

        rc = 0;
        if (!actor_sees_path(a, db_col_text(st, 11))) {
            continue;
        }
        o = plan_row_json(st, "iiiitttssss");
        json_object_set_new(o, "meeting_id",
                            db_col_is_null(st, 12)
                                ? json_null()
                                : json_integer(db_col_int64(st, 12)));
        overdue = db_col_is_null(st, 9) && db_col_is_null(st, 10) &&
                  strcmp(db_col_text(st, 6), today) < 0;
        date_parse(db_col_text(st, 6), &dl, "deadline", NULL);
        json_object_set_new(o, "overdue", json_boolean(overdue));
        json_object_set_new(o, "escalated",
                            json_boolean(overdue && td - dl > 7));
        json_array_append_new(*items, o);
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}
