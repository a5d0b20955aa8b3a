/* challenge.c - 揭榜 challenges (see challenge.h). */
#include "domain/market/challenge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/utf8.h"
#include "domain/accounts/audit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *code, *name;
} ch_stages[] = {
    {"draft", "待审核"},      {"published", "已发榜"}, {"selected", "已揭榜"},
    {"contracted", "已签约"}, {"accepted", "已验收"},  {"closed", "已结题"},
    {"withdrawn", "已撤榜"},
};

/* Action, the stages it may start from, the stage it leads to (NULL:
 * stays), its zh-CN name. */
static const struct {
    const char *action;
    const char *from[3];
    const char *to;
    const char *name;
} ch_actions[] = {
    {"publish", {"draft"}, "published", "审核发榜"},
    {"apply", {"published"}, NULL, "揭榜申请"},
    {"select", {"published"}, "selected", "确定揭榜方"},
    {"link_contract", {"selected"}, "contracted", "关联技术合同"},
    {"milestone_add", {"contracted"}, NULL, "添加里程碑"},
    {"milestone_done", {"contracted"}, NULL, "里程碑完成"},
    {"accept", {"contracted"}, "accepted", "验收"},
    {"close", {"accepted"}, "closed", "结题与奖励"},
    {"withdraw", {"draft", "published"}, "withdrawn", "撤榜"},
};

/* Statuses of an application (challenge_applications.status): applied
 * when registered, then selected or not_selected when the stage moves on
 * with one of them. */
static const struct {
    const char *code, *name;
} ch_app_statuses[] = {
    {"applied", "待定"},
    {"selected", "选定"},
    {"not_selected", "未选定"},
};

/* Kinds of applicant (challenge_applications.applicant_kind): the apply
 * check, its error message, the application rows and the reference all
 * read this table. */
static const struct {
    const char *code, *name;
} ch_applicant_kinds[] = {
    {"expert", "专家"},
    {"university", "高校"},
    {"institute", "科研院所"},
    {"enterprise", "企业"},
};

const char *challenge_applicant_kind_name(const char *kind)
{
    for (size_t i = 0; kind && i < N_OF(ch_applicant_kinds); i++) {
        if (strcmp(kind, ch_applicant_kinds[i].code) == 0) {
            return ch_applicant_kinds[i].name;
        }
    }
    return NULL;
}

const char *challenge_app_status_name(const char *status)
{
    for (size_t i = 0; status && i < N_OF(ch_app_statuses); i++) {
        if (strcmp(status, ch_app_statuses[i].code) == 0) {
            return ch_app_statuses[i].name;
        }
    }
    return NULL;
}

const char *challenge_stage_name(const char *stage)
{
    size_t i;

    for (i = 0; stage && i < N_OF(ch_stages); i++) {
        if (strcmp(stage, ch_stages[i].code) == 0) {
            return ch_stages[i].name;
        }
    }
    return NULL;
}

json_t *challenge_reference_json(void)
{
    json_t *st = json_array(), *ac = json_array(), *ap = json_array();
    json_t *kinds = json_array();
    size_t i;

    for (i = 0; i < N_OF(ch_stages); i++) {
        json_array_append_new(st,
                              json_pack("{ssss}", "value", ch_stages[i].code,
                                        "label", ch_stages[i].name));
    }
    for (i = 0; i < N_OF(ch_actions); i++) {
        json_array_append_new(ac,
                              json_pack("{ssss}", "value", ch_actions[i].action,
                                        "label", ch_actions[i].name));
    }
    for (i = 0; i < N_OF(ch_app_statuses); i++) {
        json_array_append_new(ap, json_pack("{ssss}", "value",
                                            ch_app_statuses[i].code, "label",
                                            ch_app_statuses[i].name));
    }
    for (i = 0; i < N_OF(ch_applicant_kinds); i++) {
        json_array_append_new(
            kinds, json_pack("{ssss}", "value", ch_applicant_kinds[i].code,
                             "label", ch_applicant_kinds[i].name));
    }
    return json_pack("{sosososo}", "stages", st, "actions", ac,
                     "application_statuses", ap, "applicant_kinds", kinds);
}

static int ch_text(const char *s, int required, size_t max, const char *field,
                   const char *label, Err *e)
{
    size_t bad;

    if (!s || !*s) {
        return required ? err_set(e, ERR_INVALID, field, "请填写%s", label) : 0;
    }
    if (!utf8_validate(s, strlen(s), &bad)) {
        return err_set(e, ERR_INVALID, field, "%s含有无效字符", label);
    }
    if (utf8_count_chars(s, strlen(s)) > max) {
        return err_set(e, ERR_INVALID, field, "%s不能超过 %zu 个字", label,
                       max);
    }
    return 0;
}

static int ch_date(const char *s, char out[11], const char *field,
                   const char *label, Err *e)
{
    Date d;
    Err de;

    out[0] = '\0';
    if (!s || !*s) {
        return 0;
    }
    if (date_parse(s, &d, field, &de)) {
        return err_set(e, ERR_INVALID, field, "%s：%s", label, de.msg);
    }
    date_format_iso(d, out);
    return 0;
}

static int ch_event(Db *db, const Actor *a, int64_t id, const char *action,
                    const char *from, const char *to, const char *note,
                    const char *path, json_t *detail, Err *e)
{
    char now[CLOCK_ISO_LEN], code[48];
    int64_t uid = a->user_id;
    json_t *after;
    int rc;

    clock_now_iso(now, 0);
    rc = db_exec_v(db, e,
                   "INSERT INTO challenge_events (challenge_id, action, "
                   "from_stage, to_stage, note, user_id, at) VALUES ($1, $2, "
                   "$3, $4, $5, $6, $7)",
                   "ittttpt", id, action, from, to ? to : from, note,
                   uid > 0 ? &uid : NULL, now);
    if (rc) {
        return rc;
    }
    if (to) {
        rc = db_exec_v(db, e,
                       "UPDATE challenges SET stage = $2, updated_at = $3 "
                       "WHERE id = $1",
                       "itt", id, to, now);
        if (rc) {
            return rc;
        }
    }
    snprintf(code, sizeof code, "challenge.%s", action);
    after = detail ? json_deep_copy(detail) : json_object();
    json_object_set_new(after, "stage", json_string(to ? to : from));
    if (note) {
        json_object_set_new(after, "note", json_string(note));
    }
    {
        json_t *before = json_pack("{ss}", "stage", from ? from : "");
        rc = audit_record(db, a, code, "challenge", id, path, before, after, e);
        json_decref(before);
    }
    json_decref(after);
    return rc;
}

int challenge_create(Db *db, const Actor *a, int64_t demand_id,
                     const ChallengeArgs *x, int64_t *id_out, Err *e)
{
    char now[CLOCK_ISO_LEN], deadline[11], path[ACTOR_PATH_MAX];
    char *kind = NULL, *title = NULL, *p = NULL;
    int64_t unit = 0;
    DbStmt *st = NULL;
    int rc;

    *id_out = 0;
    rc = ch_text(x->title, 0, 200, "title", "榜单名称", e);
    if (rc == 0) {
        rc = ch_date(x->date, deadline, "deadline", "截止日期", e);
    }
    if (rc == 0 && x->has_money && x->money < 0) {
        rc = err_set(e, ERR_INVALID, "reward_wan", "奖励金额不能为负数");
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT i.kind, i.title, i.unit_id, o.path FROM "
                      "market_items i JOIN org_units o ON o.id = i.unit_id "
                      "WHERE i.id = $1 AND i.retired_at IS NULL",
                      "i", demand_id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        kind = xstrdup(db_col_text(st, 0));
        title = xstrdup(db_col_text(st, 1));
        unit = db_col_int64(st, 2);
        p = xstrdup(db_col_text(st, 3));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    if (rc == ERR_NOTFOUND || (rc == 0 && (!p || !actor_sees_path(a, p)))) {
        rc = err_set(e, ERR_NOTFOUND, "demand_id", "需求不存在");
    } else if (rc == 0 && (!kind || strcmp(kind, "demand") != 0)) {
        rc = err_set(e, ERR_INVALID, "demand_id", "只有需求库中的需求可以发榜");
    }
    if (rc) {
        goto out;
    }
    snprintf(path, sizeof path, "%s", p ? p : "");
    clock_now_iso(now, 0);
    rc = db_query_int64(
        db, id_out, e,
        "INSERT INTO challenges (demand_id, title, reward, deadline, stage, "
        "unit_id, created_at, updated_at) VALUES ($1, $2, $3, $4, 'draft', "
        "$5, $6, $6) RETURNING id",
        "itptit", demand_id, x->title && *x->title ? x->title : title,
        x->has_money ? &x->money : NULL, deadline[0] ? deadline : NULL, unit,
        now);
    if (rc == 0) {
        json_t *d = json_pack("{sI}", "demand_id", (json_int_t)demand_id);
        rc =
            ch_event(db, a, *id_out, "create", NULL, "draft", NULL, path, d, e);
        json_decref(d);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
        *id_out = 0;
    }
    free(kind);
    free(title);
    free(p);
    return rc;
}

int challenge_act(Db *db, const Actor *a, int64_t id, const char *action,
                  const ChallengeArgs *x, Err *e)
{
    char stage[16] = "", path[ACTOR_PATH_MAX] = "", day[11], now[CLOCK_ISO_LEN];
    json_t *detail = json_object();
    DbStmt *st = NULL;
    size_t ai, k;
    int allowed = 0;
    int rc;

    for (ai = 0; ai < N_OF(ch_actions); ai++) {
        if (action && strcmp(action, ch_actions[ai].action) == 0) {
            break;
        }
    }
    if (ai == N_OF(ch_actions)) {
        json_decref(detail);
        return err_set(e, ERR_INVALID, "action", "未知的操作“%s”",
                       action ? action : "");
    }
    rc = db_begin(db, e);
    if (rc) {
        json_decref(detail);
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT c.stage, o.path FROM challenges c JOIN "
                      "org_units o ON o.id = c.unit_id WHERE c.id = $1",
                      "i", id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        snprintf(stage, sizeof stage, "%s", db_col_text(st, 0));
        snprintf(path, sizeof path, "%s", db_col_text(st, 1));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        rc = err_set(e, ERR_NOTFOUND, "id", "榜单不存在");
        goto out;
    }
    if (rc) {
        goto out;
    }
    for (k = 0; k < 3 && ch_actions[ai].from[k]; k++) {
        allowed |= strcmp(stage, ch_actions[ai].from[k]) == 0;
    }
    if (!allowed) {
        rc = err_set(e, ERR_CONFLICT, "stage", "榜单%s，不能%s",
                     challenge_stage_name(stage), ch_actions[ai].name);
        goto out;
    }
    clock_now_iso(now, 0);
    rc = ch_text(x->note, 0, 1000, "note", "说明", e);
    if (rc) {
        goto out;
    }
    if (strcmp(action, "publish") == 0) {
        rc = ch_date(x->date, day, "deadline", "截止日期", e);
        if (rc == 0 && x->has_money && x->money < 0) {
            rc = err_set(e, ERR_INVALID, "reward_wan", "奖励金额不能为负数");
        }
        if (rc == 0 && (day[0] || x->has_money)) {
            rc = db_exec_v(db, e,
                           "UPDATE challenges SET deadline = COALESCE($2, "
                           "deadline), reward = COALESCE($3, reward) WHERE "
                           "id = $1",
                           "itp", id, day[0] ? day : NULL,
                           x->has_money ? &x->money : NULL);
        }
    } else if (strcmp(action, "apply") == 0) {
        int64_t app = 0;
        rc = ch_text(x->applicant, 1, 100, "applicant", "揭榜方", e);
        if (rc == 0 && !challenge_applicant_kind_name(x->applicant_kind)) {
            char names[256];
            size_t len = 0;
            for (k = 0; k < N_OF(ch_applicant_kinds); k++) {
                int w = snprintf(names + len, sizeof names - len, "%s%s（%s）",
                                 k == 0                              ? ""
                                 : k + 1 == N_OF(ch_applicant_kinds) ? "或 "
                                                                     : "、",
                                 ch_applicant_kinds[k].code,
                                 ch_applicant_kinds[k].name);
                if (w < 0 || (size_t)w >= sizeof names - len) {
                    break;
                }
                len += (size_t)w;
            }
            rc = err_set(e, ERR_INVALID, "applicant_kind", "揭榜方类型应为 %s",
                         names);
        }
        if (rc == 0) {
            rc = ch_text(x->proposal, 1, 2000, "proposal", "揭榜方案", e);
        }
        if (rc == 0) {
            rc = db_query_int64(
                db, &app, e,
                "INSERT INTO challenge_applications (challenge_id, applicant, "
                "applicant_kind, item_id, proposal, created_at) VALUES ($1, "
                "$2, $3, $4, $5, $6) RETURNING id",
                "ittptt", id, x->applicant, x->applicant_kind,
                x->item_id ? &x->item_id : NULL, x->proposal, now);
        }
        json_object_set_new(detail, "application_id", json_integer(app));
        json_object_set_new(detail, "applicant",
                            json_string(x->applicant ? x->applicant : ""));
    } else if (strcmp(action, "select") == 0) {
        int64_t n = 0;
        rc = ch_text(x->note, 1, 1000, "note", "选定理由", e);
        if (rc == 0) {
            rc = db_query_int64(db, &n, e,
                                "SELECT COUNT(*) FROM challenge_applications "
                                "WHERE id = $1 AND challenge_id = $2",
                                "ii", x->ref_id, id);
        }
        if (rc == 0 && n != 1) {
            rc = err_set(e, ERR_INVALID, "application_id",
                         "请选择本榜单的一份揭榜申请");
        }
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "UPDATE challenge_applications SET status = CASE "
                           "WHEN id = $2 THEN 'selected' ELSE 'not_selected' "
                           "END, reason = CASE WHEN id = $2 THEN $3 ELSE "
                           "reason END WHERE challenge_id = $1",
                           "iit", id, x->ref_id, x->note);
        }
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "UPDATE challenges SET selected_app_id = $2 WHERE "
                           "id = $1",
                           "ii", id, x->ref_id);
        }
        json_object_set_new(detail, "application_id", json_integer(x->ref_id));
    } else if (strcmp(action, "link_contract") == 0) {
        char *cp = NULL;
        rc = db_query_text(db, &cp, e,
                           "SELECT o.path FROM contracts c JOIN org_units o "
                           "ON o.id = c.unit_id WHERE c.id = $1 AND c.status "
                           "= 'registered'",
                           "i", x->ref_id);
        if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, cp))) {
            rc = err_set(e, ERR_INVALID, "contract_id",
                         "请选择一份已登记的技术合同");
        }
        free(cp);
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "UPDATE challenges SET contract_id = $2 WHERE id = "
                           "$1",
                           "ii", id, x->ref_id);
        }
        json_object_set_new(detail, "contract_id", json_integer(x->ref_id));
    } else if (strcmp(action, "milestone_add") == 0) {
        rc = ch_text(x->title, 1, 200, "title", "里程碑", e);
        if (rc == 0) {
            rc = ch_date(x->date, day, "date", "计划完成日期", e);
        }
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "INSERT INTO challenge_milestones (challenge_id, "
                           "title, due_on, created_at) VALUES ($1, $2, $3, $4)",
                           "ittt", id, x->title, day[0] ? day : NULL, now);
        }
        json_object_set_new(detail, "milestone",
                            json_string(x->title ? x->title : ""));
    } else if (strcmp(action, "milestone_done") == 0) {
        rc = ch_date(x->date, day, "date", "完成日期", e);
        if (rc == 0 && !day[0]) {
            date_format_iso(date_today(), day);
        }
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "UPDATE challenge_milestones SET done_on = $3, "
                           "note = $4 WHERE id = $1 AND challenge_id = $2 AND "
                           "done_on IS NULL",
                           "iitt", x->ref_id, id, day, x->note);
            if (rc == 0 && db_changes(db) != 1) {
                rc = err_set(e, ERR_INVALID, "milestone_id",
                             "请选择本榜单一个未完成的里程碑");
            }
        }
        json_object_set_new(detail, "milestone_id", json_integer(x->ref_id));
    } else if (strcmp(action, "accept") == 0) {
        int64_t open = 0, all = 0;
        rc = ch_text(x->note, 1, 1000, "note", "验收意见", e);
        if (rc == 0) {
            rc = db_query_int64(db, &all, e,
                                "SELECT COUNT(*) FROM challenge_milestones "
                                "WHERE challenge_id = $1",
                                "i", id);
        }
        if (rc == 0) {
            rc = db_query_int64(db, &open, e,
                                "SELECT COUNT(*) FROM challenge_milestones "
                                "WHERE challenge_id = $1 AND done_on IS NULL",
                                "i", id);
        }
        if (rc == 0 && open > 0) {
            rc = err_set(e, ERR_CONFLICT, "stage",
                         "还有 %lld 个里程碑未完成，不能验收", (long long)open);
        }
        (void)all;
    } else if (strcmp(action, "close") == 0) {
        rc = ch_text(x->note, 1, 1000, "note", "成果与结题说明", e);
        if (rc == 0 && x->has_money && x->money < 0) {
            rc = err_set(e, ERR_INVALID, "reward_paid_wan",
                         "奖励金额不能为负数");
        }
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "UPDATE challenges SET outcome = $2, reward_paid = "
                           "$3 WHERE id = $1",
                           "itp", id, x->note, x->has_money ? &x->money : NULL);
        }
    } else if (strcmp(action, "withdraw") == 0) {
        rc = ch_text(x->note, 1, 1000, "note", "撤榜原因", e);
    }
    if (rc == 0) {
        rc = ch_event(db, a, id, action, stage, ch_actions[ai].to, x->note,
                      path, detail, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(detail);
    return rc;
}

static json_t *ch_text_json(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? json_string(s) : json_null();
}

static json_t *ch_name_json(const char *name)
{
    return name ? json_string(name) : json_null();
}

static json_t *ch_int_json(DbStmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null()
                                   : json_integer(db_col_int64(st, col));
}

static json_t *ch_wan_json(DbStmt *st, int col)
{
    Buf b;
    json_t *j;

    if (db_col_is_null(st, col)) {
        return json_null();
    }
    buf_init(&b, 64);
    money_format_wan(db_col_int64(st, col), &b);
    j = json_string(b.data);
    buf_release(&b);
    return j;
}

#define CH_SELECT                                                              \
    "SELECT c.id, c.demand_id, c.title, c.reward, c.deadline, c.stage, "       \
    "c.contract_id, c.selected_app_id, c.outcome, c.reward_paid, c.unit_id, "  \
    "o.name, o.path, i.org_name, c.created_at, c.updated_at, (SELECT "         \
    "COUNT(*) FROM challenge_applications a WHERE a.challenge_id = c.id) "     \
    "FROM challenges c JOIN org_units o ON o.id = c.unit_id JOIN "             \
    "market_items i ON i.id = c.demand_id "

static json_t *ch_row_json(DbStmt *st)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "demand_id", json_integer(db_col_int64(st, 1)));
    json_object_set_new(o, "title", ch_text_json(st, 2));
    json_object_set_new(o, "reward", ch_int_json(st, 3));
    json_object_set_new(o, "reward_wan", ch_wan_json(st, 3));
    json_object_set_new(o, "deadline", ch_text_json(st, 4));
    json_object_set_new(o, "stage", ch_text_json(st, 5));
    json_object_set_new(o, "stage_name",
                        json_string(challenge_stage_name(db_col_text(st, 5))));
    json_object_set_new(o, "contract_id", ch_int_json(st, 6));
    json_object_set_new(o, "selected_app_id", ch_int_json(st, 7));
    json_object_set_new(o, "outcome", ch_text_json(st, 8));
    json_object_set_new(o, "reward_paid", ch_int_json(st, 9));
    json_object_set_new(o, "reward_paid_wan", ch_wan_json(st, 9));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 10)));
    json_object_set_new(o, "unit_name", ch_text_json(st, 11));
    json_object_set_new(o, "enterprise", ch_text_json(st, 13));
    json_object_set_new(o, "created_at", ch_text_json(st, 14));
    json_object_set_new(o, "updated_at", ch_text_json(st, 15));
    json_object_set_new(o, "applications", json_integer(db_col_int64(st, 16)));
    return o;
}

int challenge_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *o = NULL, *arr;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e, CH_SELECT "WHERE c.id = $1", "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW && actor_sees_path(a, db_col_text(st, 12))) {
            o = ch_row_json(st);
            rc = 0;
        } else if (rc == DB_ROW || rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "id", "榜单不存在");
        }
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        return rc;
    }
    arr = json_array();
    rc = db_prepare_v(db, &st, e,
                      "SELECT id, applicant, applicant_kind, item_id, "
                      "proposal, status, reason, created_at FROM "
                      "challenge_applications WHERE challenge_id = $1 ORDER "
                      "BY id",
                      "i", id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(
            arr,
            json_pack(
                "{sIsososososososososo}", "id", (json_int_t)db_col_int64(st, 0),
                "applicant", ch_text_json(st, 1), "applicant_kind",
                ch_text_json(st, 2), "applicant_kind_name",
                ch_name_json(challenge_applicant_kind_name(db_col_text(st, 2))),
                "item_id", ch_int_json(st, 3), "proposal", ch_text_json(st, 4),
                "status", ch_text_json(st, 5), "status_name",
                ch_name_json(challenge_app_status_name(db_col_text(st, 5))),
                "reason", ch_text_json(st, 6), "created_at",
                ch_text_json(st, 7)));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    st = NULL;
    json_object_set_new(o, "applications_list", arr);
    arr = json_array();
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, title, due_on, done_on, note FROM "
                          "challenge_milestones WHERE challenge_id = $1 ORDER "
                          "BY id",
                          "i", id);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(arr, json_pack("{sIsosososo}", "id",
                                             (json_int_t)db_col_int64(st, 0),
                                             "title", ch_text_json(st, 1),
                                             "due_on", ch_text_json(st, 2),
                                             "done_on", ch_text_json(st, 3),
                                             "note", ch_text_json(st, 4)));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    st = NULL;
    json_object_set_new(o, "milestones", arr);
    arr = json_array();
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT v.id, v.action, v.from_stage, v.to_stage, "
                          "v.note, v.at, u.display_name FROM challenge_events "
                          "v LEFT JOIN users u ON u.id = v.user_id WHERE "
                          "v.challenge_id = $1 ORDER BY v.id",
                          "i", id);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *act = db_col_text(st, 1);
        const char *name = strcmp(act, "create") == 0 ? "由需求生成榜单" : act;
        size_t i;
        for (i = 0; i < N_OF(ch_actions); i++) {
            if (strcmp(act, ch_actions[i].action) == 0) {
                name = ch_actions[i].name;
            }
        }
        json_array_append_new(
            arr,
            json_pack("{sIsssssososososo}", "id",
                      (json_int_t)db_col_int64(st, 0), "action", act,
                      "action_name", name, "from", ch_text_json(st, 2), "to",
                      ch_text_json(st, 3), "note", ch_text_json(st, 4), "at",
                      ch_text_json(st, 5), "by", ch_text_json(st, 6)));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    json_object_set_new(o, "events", arr);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

int challenge_list(Db *db, const Actor *a, const char *stage, int64_t offset,
                   int64_t limit, json_t **items, int64_t *total, Err *e)
{
    char pat[ACTOR_PATH_MAX + 2];
    DbStmt *st = NULL;
    int rc;

    *items = NULL;
    if (stage && *stage && !challenge_stage_name(stage)) {
        return err_set(e, ERR_INVALID, "stage", "未知的榜单阶段");
    }
    if (stage && !*stage) {
        stage = NULL;
    }
    snprintf(pat, sizeof pat, "%s%%", a->unit_path);
    rc = db_query_int64(
        db, total, e,
        "SELECT COUNT(*) FROM challenges c JOIN org_units o "
        "ON o.id = c.unit_id WHERE o.path LIKE $1 AND (CAST($2 AS TEXT) IS "
        "NULL OR c.stage = $2)",
        "tt", pat, stage);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      CH_SELECT
                      "WHERE o.path LIKE $1 AND (CAST($2 AS TEXT) IS NULL OR "
                      "c.stage = $2) ORDER BY c.updated_at DESC, "
                      "c.id DESC LIMIT $3 OFFSET $4",
                      "ttii", pat, stage, limit, offset);
    *items = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, ch_row_json(st));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}
