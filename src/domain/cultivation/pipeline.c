/* pipeline.c - the 四个一批 pipeline (see pipeline.h and
 * docs/internals/pipeline.md). */
#include "domain/cultivation/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/accounts/org.h"
#include "domain/cultivation/pipe_rows.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/elig_decisions.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/eligibility/ruleset.h"
#include "rules/rules.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Stages: code, zh-CN name, board column, furthest level reached. */
static const struct {
    const char *code, *name, *column;
    int level;
} pipe_stages[] = {
    {"selected", "已遴选", "select", 1},
    {"recommended", "待审核", "select", 1},
    {"returned", "已退回", "select", 1},
    {"admitted", "已入库", "admit", 2},
    {"cultivating", "培育中", "cultivate", 3},
    {"certified", "已认定", "certify", 4},
    {"not_certified", "未通过认定", "certify", 3},
    {"withdrawn", "已退出", "withdrawn", 0},
};

static const struct {
    const char *key, *title;
} pipe_columns[] = {
    {"select", "遴选"},  {"admit", "入库"},       {"cultivate", "培育"},
    {"certify", "认定"}, {"withdrawn", "已退出"},
};

/* Actions on an entry: code, zh-CN name, what its comment says, whether
 * the comment is always required (certify needs one only without a
 * register record; select is taken by selecting, not through
 * pipe_entry_act). The event log and the UI name actions from here. */
static const struct {
    const char *code, *name, *hint;
    int need, offered;
} pipe_actions[] = {
    {"select", "遴选", "", 0, 0},
    {"recommend", "推荐入库", "推荐意见", 1, 1},
    {"approve", "审核通过", "审核意见", 0, 1},
    {"return", "退回", "退回原因", 1, 1},
    {"cultivate", "开始培育", "说明", 0, 1},
    {"certify", "登记认定结果", "未通过认定时填写原因", 0, 1},
    {"withdraw", "退出", "退出原因", 1, 1},
};

/* A cultivation task's statuses: the list filter and a task's update
 * accept these codes, every task listed is named from here (status_name)
 * and GET /reference/labels serves the same table (task_statuses). An
 * open task past its due date is also flagged overdue. */
static const struct {
    const char *code, *name;
} pipe_task_statuses[] = {
    {"open", "进行中"},
    {"done", "已完成"},
    {"dropped", "已取消"},
};

const char *pipe_task_status_name(const char *status)
{
    for (size_t i = 0; status && i < N_OF(pipe_task_statuses); i++) {
        if (strcmp(pipe_task_statuses[i].code, status) == 0) {
            return pipe_task_statuses[i].name;
        }
    }
    return NULL;
}

json_t *pipe_task_statuses_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < N_OF(pipe_task_statuses); i++) {
        json_array_append_new(
            arr, json_pack("{ssss}", "value", pipe_task_statuses[i].code,
                           "label", pipe_task_statuses[i].name));
    }
    return arr;
}

/* Flags and names the tasks of arr: overdue (open and due before today)
 * and status_name. */
static void pipe_tasks_mark(json_t *arr, const char *today)
{
    json_t *it;
    size_t i;

    json_array_foreach(arr, i, it)
    {
        const char *due = json_string_value(json_object_get(it, "due_on"));
        const char *status = json_string_value(json_object_get(it, "status"));
        const char *name = pipe_task_status_name(status);

        json_object_set_new(it, "overdue",
                            json_boolean(due && status &&
                                         strcmp(status, "open") == 0 &&
                                         strcmp(due, today) < 0));
        json_object_set_new(it, "status_name", json_string(name ? name : ""));
    }
}

static int pipe_action_find(const char *code)
{
    for (size_t i = 0; code && i < N_OF(pipe_actions); i++) {
        if (strcmp(pipe_actions[i].code, code) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *pipe_action_name(const char *code)
{
    int i = pipe_action_find(code);

    return i >= 0 ? pipe_actions[i].name : code ? code : "";
}

json_t *pipe_actions_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < N_OF(pipe_actions); i++) {
        json_array_append_new(
            arr,
            json_pack("{sssssssbsb}", "value", pipe_actions[i].code, "label",
                      pipe_actions[i].name, "hint", pipe_actions[i].hint,
                      "needs_comment", pipe_actions[i].need, "offered",
                      pipe_actions[i].offered));
    }
    return arr;
}

/* ERR_INVALID "请填写<hint>" when action always needs a comment and has
 * none. */
static int pipe_comment_check(const char *action, const char *comment, Err *e)
{
    int i = pipe_action_find(action);

    if (i >= 0 && pipe_actions[i].need && (!comment || !*comment)) {
        return err_set(e, ERR_INVALID, "comment", "请填写%s",
                       pipe_actions[i].hint);
    }
    return 0;
}

/* ERR_INVALID on action naming the actions pipe_entry_act takes. */
static int pipe_action_unknown(Err *e)
{
    char list[160] = "";
    size_t len = 0, n = 0, last = 0;

    for (size_t i = 0; i < N_OF(pipe_actions); i++) {
        if (pipe_actions[i].offered) {
            last = i;
        }
    }
    for (size_t i = 0; i < N_OF(pipe_actions); i++) {
        if (!pipe_actions[i].offered) {
            continue;
        }
        int w = snprintf(list + len, sizeof list - len, "%s%s",
                         n == 0      ? ""
                         : i == last ? " 或 "
                                     : "、",
                         pipe_actions[i].code);
        if (w < 0 || (size_t)w >= sizeof list - len) {
            break;
        }
        len += (size_t)w;
        n++;
    }
    return err_set(e, ERR_INVALID, "action", "操作应为 %s", list);
}

const char *pipe_stage_name(const char *code)
{
    for (size_t i = 0; code && i < N_OF(pipe_stages); i++) {
        if (strcmp(pipe_stages[i].code, code) == 0) {
            return pipe_stages[i].name;
        }
    }
    return code ? code : "";
}

json_t *pipe_stages_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < N_OF(pipe_stages); i++) {
        json_array_append_new(arr,
                              json_pack("{ssss}", "code", pipe_stages[i].code,
                                        "name", pipe_stages[i].name));
    }
    return arr;
}

int pipe_stages_valid(const char *stages)
{
    char seen[N_OF(pipe_stages)] = {0};
    const char *p = stages;

    if (!stages || !*stages || strlen(stages) >= PIPE_STAGES_MAX) {
        return 0;
    }
    while (*p) {
        size_t len = strcspn(p, ",");
        size_t i;

        for (i = 0; i < N_OF(pipe_stages); i++) {
            if (strlen(pipe_stages[i].code) == len &&
                strncmp(pipe_stages[i].code, p, len) == 0) {
                break;
            }
        }
        if (i == N_OF(pipe_stages) || seen[i]) {
            return 0;
        }
        seen[i] = 1;
        p += len;
        if (*p == ',') {
            p++;
            if (!*p) {
                return 0;
            }
        }
    }
    return 1;
}

static int pipe_stage_level(const char *code)
{
    for (size_t i = 0; i < N_OF(pipe_stages); i++) {
        if (strcmp(pipe_stages[i].code, code) == 0) {
            return pipe_stages[i].level;
        }
    }
    return 0;
}

static void pipe_today_iso(char out[DATE_ISO_SIZE])
{
    date_format_iso(date_today(), out);
}

static const char *pipe_user_name(const Actor *a)
{
    return a->display_name[0] ? a->display_name : a->username;
}

static int pipe_is_bureau(const Actor *a)
{
    return a->role == ROLE_ADMIN || a->role == ROLE_STAFF;
}

static int pipe_check_write(const Actor *a, Err *e)
{
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能办理培育工作");
    }
    return 0;
}

/* A free text of at most PIPE_TEXT_MAX characters; required: not empty. */
static int pipe_text(const char *s, int required, const char *field,
                     const char *what, Err *e)
{
    if (!s || !*s) {
        return required ? err_set(e, ERR_INVALID, field, "请填写%s", what) : 0;
    }
    if (utf8_count_chars(s, strlen(s)) > PIPE_TEXT_MAX) {
        return err_set(e, ERR_INVALID, field, "%s不能超过 %d 个字", what,
                       PIPE_TEXT_MAX);
    }
    return 0;
}

/* A date "YYYY-MM-DD" (other accepted spellings normalised into out). */
static int pipe_date(const char *s, const char *field, char out[DATE_ISO_SIZE],
                     Err *e)
{
    Date d;
    int rc = date_parse(s, &d, field, e);

    if (rc == 0) {
        date_format_iso(d, out);
    }
    return rc;
}

int pipe_tier_valid(const char *tier)
{
    return tier && *tier && strcmp(elig_tier_name(tier), tier) != 0;
}

/* Path of unit id in a's scope into path (for unit filters). */
static int pipe_unit_path(Db *db, const Actor *a, int64_t unit_id,
                          char path[ACTOR_PATH_MAX], Err *e)
{
    int rc = org_path(db, unit_id, path, ACTOR_PATH_MAX, NULL, e);

    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        return err_set(e, ERR_INVALID, "unit_id", "单位 %lld 不存在",
                       (long long)unit_id);
    }
    return rc;
}

/* Does user id exist (and is not disabled)? ERR_INVALID naming field. */
/* User id may own a task of an enterprise of unit path ent_path: an
 * active user whose unit contains the enterprise's unit (a user of
 * another street could neither see nor do the task). */
static int pipe_user_ok(Db *db, int64_t id, const char *ent_path,
                        const char *field, Err *e)
{
    DbStmt *st = NULL;
    int rc = db_prepare_v(db, &st, e,
                          "SELECT o.path FROM users u JOIN org_units o ON "
                          "o.id = u.unit_id WHERE u.id = $1 AND u.disabled "
                          "= 0",
                          "i", id);

    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_DONE) {
            rc = err_set(e, ERR_INVALID, field, "用户 %lld 不存在或已停用",
                         (long long)id);
        } else if (rc == DB_ROW) {
            const char *up = db_col_text(st, 0) ? db_col_text(st, 0) : "";
            rc = 0;
            if (!*up || strncmp(ent_path, up, strlen(up)) != 0) {
                rc = err_set(e, ERR_INVALID, field,
                             "负责人 %lld 不属于该企业所在单位或其上级单位",
                             (long long)id);
            }
        }
    }
    db_finalize(st);
    return rc;
}

/* ---- batches ------------------------------------------------------------ */

/* Validate a review chain into a compact JSON text (malloc'd in *out). */
static int pipe_chain_check(Db *db, const json_t *chain, char **out, Err *e)
{
    json_t *norm = json_array();
    json_t *step;
    size_t i;
    int rc = 0;

    *out = NULL;
    if (!chain) {
        json_array_append_new(
            norm, json_pack("{ssss}", "role", "staff", "label", "科技局审核"));
        goto done;
    }
    if (!json_is_array(chain) || json_array_size(chain) == 0 ||
        json_array_size(chain) > PIPE_CHAIN_MAX) {
        rc = err_set(e, ERR_INVALID, "review_chain",
                     "审核流程应为 1 至 %d 个审核步骤", PIPE_CHAIN_MAX);
        goto out;
    }
    json_array_foreach(chain, i, step)
    {
        const char *role = json_string_value(json_object_get(step, "role"));
        json_t *unit = json_object_get(step, "unit_id");
        json_t *label = json_object_get(step, "label");
        int r = role_from_code(role);
        json_t *o;

        if (!json_is_object(step) || r == ROLE_NONE ||
            !perm_allows(r, PERM_WRITE)) {
            rc = err_set(e, ERR_INVALID, "review_chain",
                         "审核流程第 %zu 步的角色应为 staff、agent、dept 或 "
                         "admin",
                         i + 1);
            goto out;
        }
        o = json_pack("{ss}", "role", role);
        json_array_append_new(norm, o);
        if (unit && !json_is_null(unit)) {
            char path[ACTOR_PATH_MAX];
            if (!json_is_integer(unit) ||
                org_path(db, json_integer_value(unit), path, sizeof path, NULL,
                         NULL) != 0) {
                rc = err_set(e, ERR_INVALID, "review_chain",
                             "审核流程第 %zu 步的单位不存在", i + 1);
                goto out;
            }
            json_object_set(o, "unit_id", unit);
        }
        if (label && !json_is_null(label)) {
            const char *l = json_string_value(label);
            if (!l || !*l || utf8_count_chars(l, strlen(l)) > 64) {
                rc = err_set(e, ERR_INVALID, "review_chain",
                             "审核流程第 %zu 步的名称应为 1 至 64 个字", i + 1);
                goto out;
            }
            json_object_set(o, "label", label);
        } else {
            json_object_set_new(o, "label", json_string(role_name(r)));
        }
    }
done:
    *out = json_dumps(norm, JSON_COMPACT);
out:
    json_decref(norm);
    return rc;
}

int pipe_batch_create(Db *db, const Actor *a, const PipeBatchInput *in,
                      int64_t *id, Err *e)
{
    char name[160], now[CLOCK_ISO_LEN];
    char *chain = NULL;
    json_t *after = NULL;
    DbStmt *st = NULL;
    int rc;

    *id = 0;
    if (!pipe_is_bureau(a)) {
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "只有科技局业务人员可以新建批次");
    }
    if (!pipe_tier_valid(in->tier)) {
        return err_set(e, ERR_INVALID, "tier",
                       "梯度应为规则集的层级代码（sme、hnte、chuying ……）");
    }
    if (in->year < 2000 || in->year > 2100) {
        return err_set(e, ERR_INVALID, "year", "年度应在 2000 至 2100 之间");
    }
    if (in->name && *in->name) {
        if (utf8_count_chars(in->name, strlen(in->name)) > 50) {
            return err_set(e, ERR_INVALID, "name", "批次名称不能超过 50 个字");
        }
        snprintf(name, sizeof name, "%s", in->name);
    } else {
        snprintf(name, sizeof name, "%lld年%s", (long long)in->year,
                 elig_tier_name(in->tier));
    }
    rc = pipe_text(in->note, 0, "note", "备注", e);
    if (rc == 0) {
        rc = pipe_chain_check(db, in->review_chain, &chain, e);
    }
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = db_prepare_v(db, &st, e,
                      "INSERT INTO pipeline_batches (tier, year, name, "
                      "review_chain, note, created_by, created_at, "
                      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
                      "RETURNING id",
                      "titttpt", in->tier, in->year, name, chain,
                      in->note && *in->note ? in->note : NULL,
                      a->user_id > 0 ? &a->user_id : NULL, now);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *id = db_col_int64(st, 0);
            rc = 0;
        } else if (rc == ERR_CONFLICT) {
            rc = err_set(e, ERR_CONFLICT, "name", "%lld年已有同名批次“%s”",
                         (long long)in->year, name);
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_DB, NULL, "服务器内部错误");
        }
    }
    db_finalize(st);
    st = NULL;
    if (rc == 0) {
        after = json_pack("{sssIsss[]}", "tier", in->tier, "year",
                          (json_int_t)in->year, "name", name, "review_chain");
        json_object_set_new(after, "review_chain", json_loads(chain, 0, NULL));
        rc = audit_record(db, a, "pipeline.batch_create", "pipeline_batch", *id,
                          NULL, NULL, after, e);
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
    free(chain);
    return rc;
}

int pipe_batch_close(Db *db, const Actor *a, int64_t id, int closed,
                     const char *reason, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *after = NULL;
    int rc;

    if (!pipe_is_bureau(a)) {
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "只有科技局业务人员可以关闭批次");
    }
    rc = pipe_text(reason, 0, "reason", "原因", e);
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE pipeline_batches SET closed = $1, updated_at = "
                       "$2 WHERE id = $3",
                       "iti", (int64_t)(closed != 0), now, id);
    }
    if (rc == 0 && db_changes(db) == 0) {
        rc = err_set(e, ERR_NOTFOUND, "id", "批次不存在");
    }
    if (rc == 0) {
        after = json_pack("{sbss?}", "closed", closed, "reason", reason);
        rc = audit_record(db, a, "pipeline.batch_close", "pipeline_batch", id,
                          NULL, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(after);
    return rc;
}

/* Counts by board column of batch id in a's scope into o["counts"]. */
static int pipe_batch_counts(Db *db, const Actor *a, json_t *o, Err *e)
{
    DbStmt *st = NULL;
    json_t *counts = json_object();
    int64_t id = json_integer_value(json_object_get(o, "id"));
    int64_t total = 0;
    int rc;

    for (size_t i = 0; i < N_OF(pipe_columns); i++) {
        json_object_set_new(counts, pipe_columns[i].key, json_integer(0));
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT p.stage, COUNT(*) FROM pipeline_entries p JOIN "
                      "enterprises e ON e.id = p.enterprise_id JOIN "
                      "org_units o ON o.id = e.unit_id WHERE p.batch_id = $1 "
                      "AND substr(o.path, 1, length($2)) = $2 GROUP BY "
                      "p.stage",
                      "it", id, a->unit_path);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *stage = db_col_text(st, 0);
        int64_t n = db_col_int64(st, 1);
        rc = 0;
        for (size_t i = 0; stage && i < N_OF(pipe_stages); i++) {
            if (strcmp(pipe_stages[i].code, stage) == 0) {
                const char *col = pipe_stages[i].column;
                json_object_set_new(
                    counts, col,
                    json_integer(
                        json_integer_value(json_object_get(counts, col)) + n));
            }
        }
        total += n;
    }
    db_finalize(st);
    rc = rc == DB_DONE ? 0 : rc;
    json_object_set_new(counts, "total", json_integer(total));
    json_object_set_new(o, "counts", counts);
    return rc;
}

#define PIPE_BATCH_COLS                                                        \
    "SELECT id, tier, year, name, review_chain, closed, note, created_by, "    \
    "created_at, updated_at FROM pipeline_batches"
#define PIPE_BATCH_TYPES "itittbtitt"

/* Add tier_name and parse review_chain of a batch object. */
static void pipe_batch_decorate(json_t *o)
{
    const char *chain = json_string_value(json_object_get(o, "review_chain"));
    json_t *c = chain ? json_loads(chain, 0, NULL) : NULL;

    json_object_set_new(o, "tier_name",
                        json_string(elig_tier_name(
                            json_string_value(json_object_get(o, "tier")))));
    json_object_set_new(o, "review_chain", c ? c : json_array());
}

int pipe_batch_list(Db *db, const Actor *a, const char *tier, int64_t year,
                    int64_t offset, int64_t limit, json_t **items,
                    int64_t *total, Err *e)
{
    json_t *arr = json_array();
    DbStmt *st = NULL;
    Sqlq q, qc;
    json_t *it;
    size_t i;
    int rc;

    *items = NULL;
    sqlq_init(&q, PIPE_BATCH_COLS " WHERE 1=1");
    sqlq_init(&qc, "SELECT COUNT(*) FROM pipeline_batches WHERE 1=1");
    if (tier && *tier) {
        sqlq_addf(&q, " AND tier = $%d", sqlq_text(&q, tier));
        sqlq_addf(&qc, " AND tier = $%d", sqlq_text(&qc, tier));
    }
    if (year) {
        sqlq_addf(&q, " AND year = $%d", sqlq_int(&q, year));
        sqlq_addf(&qc, " AND year = $%d", sqlq_int(&qc, year));
    }
    sqlq_addf(&q, " ORDER BY year DESC, id DESC LIMIT $%d OFFSET $%d",
              sqlq_int(&q, limit), sqlq_int(&q, offset));
    rc = sqlq_prepare(&qc, db, &st, e);
    if (rc == 0) {
        rc = db_step(st, e);
        rc = rc == DB_ROW ? 0 : rc;
        *total = rc == 0 ? db_col_int64(st, 0) : 0;
    }
    db_finalize(st);
    st = NULL;
    if (rc == 0) {
        rc = sqlq_prepare(&q, db, &st, e);
    }
    if (rc == 0) {
        rc = pipe_rows_json(st, PIPE_BATCH_TYPES, arr, e);
    }
    db_finalize(st);
    json_array_foreach(arr, i, it)
    {
        pipe_batch_decorate(it);
        if (rc == 0) {
            rc = pipe_batch_counts(db, a, it, e);
        }
    }
    sqlq_release(&q);
    sqlq_release(&qc);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return 0;
}

int pipe_batch_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e, PIPE_BATCH_COLS " WHERE id = $1", "i", id);
    if (rc == 0) {
        rc = pipe_row_json(st, PIPE_BATCH_TYPES, out, "批次不存在", e);
    }
    db_finalize(st);
    if (rc == 0) {
        pipe_batch_decorate(*out);
        rc = pipe_batch_counts(db, a, *out, e);
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* tier, year and closed of batch id (ERR_NOTFOUND naming field). */
static int pipe_batch_row(Db *db, int64_t id, const char *field, char *tier,
                          size_t cap, int64_t *year, int *closed, Err *e)
{
    DbStmt *st = NULL;
    int rc = db_prepare_v(db, &st, e,
                          "SELECT tier, year, closed FROM pipeline_batches "
                          "WHERE id = $1",
                          "i", id);

    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            snprintf(tier, cap, "%s", db_col_text(st, 0));
            *year = db_col_int64(st, 1);
            *closed = (int)db_col_int64(st, 2);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, field, "批次不存在");
        }
    }
    db_finalize(st);
    return rc;
}

/* ---- entries ------------------------------------------------------------ */

/* Record a journey event of entry id (inside the caller's transaction). */
static int pipe_event(Db *db, const Actor *a, int64_t entry_id,
                      const char *action, const char *from, const char *to,
                      const int64_t *step, const char *comment, const char *now,
                      Err *e)
{
    return db_exec_v(db, e,
                     "INSERT INTO pipeline_events (entry_id, at, user_id, "
                     "user_name, action, from_stage, to_stage, step, "
                     "comment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                     "itpttttpt", entry_id, now,
                     a->user_id > 0 ? &a->user_id : NULL, pipe_user_name(a),
                     action, from, to, step,
                     comment && *comment ? comment : NULL);
}

/* Insert one entry at stage "selected" with its first event; *id (0 when
 * the enterprise is in the batch already). */
typedef struct PipeNew {
    int64_t batch_id, enterprise_id;
    const char *source, *reason, *ruleset, *verdict, *gaps;
    int64_t rank; /* 0: none */
} PipeNew;

static int pipe_entry_insert(Db *db, const Actor *a, const PipeNew *n,
                             const char *now, int64_t *id, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *id = 0;
    rc = db_prepare_v(
        db, &st, e,
        "INSERT INTO pipeline_entries (batch_id, enterprise_id, stage, "
        "reached, source, reason, ruleset, rank, verdict, gaps, created_by, "
        "created_at, updated_at) VALUES ($1, $2, 'selected', 1, $3, $4, $5, "
        "$6, $7, $8, $9, $10, $10) ON CONFLICT (batch_id, enterprise_id) DO "
        "NOTHING RETURNING id",
        "iitttpttpt", n->batch_id, n->enterprise_id, n->source, n->reason,
        n->ruleset, n->rank ? &n->rank : NULL, n->verdict, n->gaps,
        a->user_id > 0 ? &a->user_id : NULL, now);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *id = db_col_int64(st, 0);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = 0;
        }
    }
    db_finalize(st);
    if (rc == 0 && *id) {
        rc = pipe_event(db, a, *id, "select", NULL, "selected", NULL, n->reason,
                        now, e);
    }
    return rc;
}

int pipe_entry_add(Db *db, const Actor *a, int64_t batch_id,
                   int64_t enterprise_id, const char *reason, int64_t *id,
                   Err *e)
{
    char tier[32], path[ACTOR_PATH_MAX], now[CLOCK_ISO_LEN];
    int64_t year = 0;
    int closed = 0, retired = 0;
    json_t *after = NULL;
    PipeNew n;
    int rc;

    *id = 0;
    rc = pipe_check_write(a, e);
    if (rc == 0) {
        rc = pipe_text(reason, 1, "reason", "遴选理由", e);
    }
    if (rc == 0) {
        rc = pipe_batch_row(db, batch_id, "batch_id", tier, sizeof tier, &year,
                            &closed, e);
    }
    if (rc) {
        return rc;
    }
    if (closed) {
        return err_set(e, ERR_CONFLICT, "batch_id", "批次已关闭，不能再遴选");
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    {
        DbStmt *st = NULL;
        rc = db_prepare_v(db, &st, e,
                          "SELECT o.path, e.retired_at FROM enterprises e "
                          "JOIN org_units o ON o.id = e.unit_id WHERE e.id = "
                          "$1",
                          "i", enterprise_id);
        if (rc == 0) {
            rc = db_step(st, e);
            if (rc == DB_ROW) {
                snprintf(path, sizeof path, "%s", db_col_text(st, 0));
                retired = !db_col_is_null(st, 1);
                rc =
                    actor_sees_path(a, path)
                        ? 0
                        : err_set(e, ERR_INVALID, "enterprise_id",
                                  "企业 %lld 不存在", (long long)enterprise_id);
            } else if (rc == DB_DONE) {
                rc = err_set(e, ERR_INVALID, "enterprise_id",
                             "企业 %lld 不存在", (long long)enterprise_id);
            }
        }
        db_finalize(st);
    }
    if (rc == 0 && retired) {
        rc = err_set(e, ERR_INVALID, "enterprise_id", "企业已注销出库");
    }
    if (rc) {
        goto out;
    }
    memset(&n, 0, sizeof n);
    n.batch_id = batch_id;
    n.enterprise_id = enterprise_id;
    n.source = "manual";
    n.reason = reason;
    clock_now_iso(now, 0);
    rc = pipe_entry_insert(db, a, &n, now, id, e);
    if (rc == 0 && *id == 0) {
        rc = err_set(e, ERR_CONFLICT, "enterprise_id", "该企业已在本批次中");
    }
    if (rc == 0) {
        after = json_pack("{sIsIssss}", "batch_id", (json_int_t)batch_id,
                          "enterprise_id", (json_int_t)enterprise_id, "stage",
                          "selected", "reason", reason);
        rc = audit_record(db, a, "pipeline.add", "pipeline_entry", *id, path,
                          NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
        *id = 0;
    }
    json_decref(after);
    return rc;
}

/* The rule set whose stored decisions stand for tier: the current version
 * on today's date (ERR_INVALID when none is in force). */
static int pipe_tier_ruleset(const char *tier, char *out, size_t cap, Err *e)
{
    const RuleSet *sets[64];
    const RuleSet *cur;
    int n = 0;
    int rc = elig_rulesets(date_today(), NULL, "tier", sets, 64, &n, e);

    if (rc) {
        return rc;
    }
    cur = ruleset_tier_current((const RuleSet *const *)sets, n, tier,
                               date_today());
    if (!cur) {
        return err_set(e, ERR_INVALID, "tier", "“%s”没有现行的规则集",
                       elig_tier_name(tier));
    }
    snprintf(out, cap, "%s", rule_set_id(cur));
    return 0;
}

int pipe_pick_screening(Db *db, const Actor *a, int64_t batch_id, int64_t limit,
                        int64_t unit_id, const char *verdict, int64_t *added,
                        Err *e)
{
    char tier[32], ruleset[128], now[CLOCK_ISO_LEN];
    json_t *items = NULL, *it, *after = NULL;
    int64_t year = 0, total = 0, n_sets = 0;
    int closed = 0;
    DecFilter f;
    size_t i;
    int rc;

    *added = 0;
    rc = pipe_check_write(a, e);
    if (rc == 0 && (limit < 1 || limit > PIPE_PICK_MAX)) {
        rc = err_set(e, ERR_INVALID, "limit", "遴选数量应为 1 至 %d",
                     PIPE_PICK_MAX);
    }
    if (rc == 0) {
        rc = pipe_batch_row(db, batch_id, "batch_id", tier, sizeof tier, &year,
                            &closed, e);
    }
    if (rc == 0 && closed) {
        rc = err_set(e, ERR_CONFLICT, "batch_id", "批次已关闭，不能再遴选");
    }
    if (rc == 0) {
        rc = pipe_tier_ruleset(tier, ruleset, sizeof ruleset, e);
    }
    if (rc == 0) {
        rc = db_query_int64(db, &n_sets, e,
                            "SELECT COUNT(*) FROM decision_sets WHERE "
                            "ruleset = $1 AND n > 0",
                            "t", ruleset);
    }
    if (rc == 0 && n_sets == 0) {
        rc = err_set(e, ERR_CONFLICT, "batch_id",
                     "尚无“%s”（%s）的筛查结果，请先在“全区筛查”中筛查",
                     elig_tier_name(tier), ruleset);
    }
    if (rc) {
        return rc;
    }
    memset(&f, 0, sizeof f);
    f.ruleset = ruleset;
    f.unit_id = unit_id;
    f.sort = "closest";
    rc = elig_filter_check(&f, verdict && *verdict ? verdict : NULL, e);
    if (rc == 0) {
        /* read the ranked list first (its own read transaction); entries
         * already in the batch are skipped, so ask for more than limit */
        rc = elig_decisions_list(db, a, &f, 0, (int64_t)PIPE_PICK_MAX * 2,
                                 &items, &total, e);
    }
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    json_array_foreach(items, i, it)
    {
        PipeNew n;
        int64_t id = 0;
        if (rc || *added >= limit) {
            break;
        }
        memset(&n, 0, sizeof n);
        n.batch_id = batch_id;
        n.enterprise_id =
            json_integer_value(json_object_get(it, "enterprise_id"));
        n.source = "screening";
        n.ruleset = ruleset;
        n.rank = (int64_t)i + 1;
        n.verdict = json_string_value(json_object_get(it, "verdict"));
        n.gaps = json_string_value(json_object_get(it, "gaps"));
        if (n.gaps && !*n.gaps) {
            n.gaps = NULL;
        }
        rc = pipe_entry_insert(db, a, &n, now, &id, e);
        *added += id != 0;
    }
    if (rc == 0) {
        after = json_pack("{sIsssIsI}", "batch_id", (json_int_t)batch_id,
                          "ruleset", ruleset, "limit", (json_int_t)limit,
                          "added", (json_int_t)*added);
        rc = audit_record(db, a, "pipeline.pick", "pipeline_batch", batch_id,
                          NULL, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        *added = 0;
    }
    json_decref(items);
    json_decref(after);
    return rc;
}

/* What a transition works on. */
typedef struct PipeCur {
    int64_t id, batch_id, ent_id, step, attempts, liaison, year;
    int reached, unadmitted, closed;
    char stage[24], tier[32], path[ACTOR_PATH_MAX];
    json_t *chain;
} PipeCur;

static int pipe_cur_load(Db *db, const Actor *a, int64_t id, PipeCur *c, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    memset(c, 0, sizeof *c);
    rc = db_prepare_v(
        db, &st, e,
        "SELECT p.id, p.batch_id, p.enterprise_id, p.stage, p.reached, "
        "p.review_step, p.attempts, p.unadmitted, b.tier, b.year, "
        "b.review_chain, b.closed, o.path, e.liaison_user_id FROM "
        "pipeline_entries p JOIN pipeline_batches b ON b.id = p.batch_id "
        "JOIN enterprises e ON e.id = p.enterprise_id JOIN org_units o ON "
        "o.id = e.unit_id WHERE p.id = $1",
        "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_DONE ||
            (rc == DB_ROW && !actor_sees_path(a, db_col_text(st, 12)))) {
            rc = err_set(e, ERR_NOTFOUND, "id", "培育记录不存在");
        } else if (rc == DB_ROW) {
            c->id = db_col_int64(st, 0);
            c->batch_id = db_col_int64(st, 1);
            c->ent_id = db_col_int64(st, 2);
            snprintf(c->stage, sizeof c->stage, "%s", db_col_text(st, 3));
            c->reached = (int)db_col_int64(st, 4);
            c->step = db_col_int64(st, 5);
            c->attempts = db_col_int64(st, 6);
            c->unadmitted = (int)db_col_int64(st, 7);
            snprintf(c->tier, sizeof c->tier, "%s", db_col_text(st, 8));
            c->year = db_col_int64(st, 9);
            c->chain = json_loads(db_col_text(st, 10), 0, NULL);
            c->closed = (int)db_col_int64(st, 11);
            snprintf(c->path, sizeof c->path, "%s", db_col_text(st, 12));
            c->liaison = db_col_int64(st, 13);
            rc = 0;
        }
    }
    db_finalize(st);
    if (rc == 0 && !json_is_array(c->chain)) {
        json_decref(c->chain);
        c->chain = json_array();
    }
    return rc;
}

/* May a act at review step c->step? */
static int pipe_chain_allows(const PipeCur *c, const Actor *a, Err *e)
{
    json_t *step = json_array_get(c->chain, (size_t)c->step);
    const char *role = json_string_value(json_object_get(step, "role"));
    const char *label = json_string_value(json_object_get(step, "label"));
    json_t *unit = json_object_get(step, "unit_id");

    if (!step) {
        return err_set(e, ERR_CONFLICT, "action", "审核流程已走完");
    }
    if (a->role == ROLE_ADMIN) {
        return 0;
    }
    if (role_from_code(role) != a->role ||
        (json_is_integer(unit) && json_integer_value(unit) != a->unit_id)) {
        return err_set(e, ERR_FORBIDDEN, "action",
                       "本步审核（第 %lld 步：%s）应由%s办理",
                       (long long)c->step + 1, label ? label : "",
                       role_name(role_from_code(role)));
    }
    return 0;
}

/* The gaps of the enterprise for the batch's tier as task texts
 * ({criterion, title}), from the rule engine's explanation of the current
 * rule set (elig_evaluate): unmet criteria with their computed change,
 * unknown ones with the data missing. *out new reference. */
static int pipe_gap_tasks(Db *db, const PipeCur *c, json_t **out, Err *e)
{
    json_t *ev = NULL, *res, *r, *row;
    json_t *arr = json_array();
    const char *top = NULL;
    size_t i, k;
    int rc;

    *out = NULL;
    rc = elig_evaluate(db, c->ent_id, date_today(), NULL, NULL, 0, &ev, e);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    res = json_object_get(ev, "results");
    json_array_foreach(res, i, r)
    {
        const char *tier = json_string_value(json_object_get(r, "tier"));
        if (!tier || strcmp(tier, c->tier) != 0 ||
            !json_is_true(json_object_get(r, "current"))) {
            continue;
        }
        json_array_foreach(json_object_get(r, "rows"), k, row)
        {
            const char *outc =
                json_string_value(json_object_get(row, "outcome"));
            const char *gap = json_string_value(json_object_get(row, "gap"));
            const char *miss =
                json_string_value(json_object_get(row, "missing"));
            const char *label =
                json_string_value(json_object_get(row, "label"));
            json_int_t depth =
                json_integer_value(json_object_get(row, "depth"));
            char title[600];

            if (depth == 0) {
                top = label;
            }
            if (json_array_size(arr) >= PIPE_TASKS_MAX || !outc) {
                continue;
            }
            title[0] = '\0';
            if (strcmp(outc, "unmet") == 0 && gap && *gap) {
                snprintf(title, sizeof title, "%s", gap);
            } else if (strcmp(outc, "unknown") == 0 && depth == 0 && miss &&
                       *miss) {
                snprintf(title, sizeof title, "补充数据：%s", miss);
            }
            for (size_t d = 0; title[0] && d < json_array_size(arr); d++) {
                const char *have = json_string_value(
                    json_object_get(json_array_get(arr, d), "title"));
                if (have && strcmp(have, title) == 0) {
                    title[0] = '\0'; /* a group repeats its member's gap */
                }
            }
            if (title[0]) {
                json_array_append_new(
                    arr, json_pack("{ssss}", "criterion",
                                   top ? top : (label ? label : ""), "title",
                                   title));
            }
        }
        break;
    }
    json_decref(ev);
    *out = arr;
    return 0;
}

/* The register's certificate of the batch's tier issued in the batch
 * year and not ended: *qid (0 when none). */
static int pipe_register_find(Db *db, const PipeCur *c, int64_t *qid, Err *e)
{
    char from[16], to[16];
    int rc;

    snprintf(from, sizeof from, "%04lld-01-01", (long long)c->year);
    snprintf(to, sizeof to, "%04lld-12-31", (long long)c->year);
    *qid = 0;
    rc = db_query_int64(
        db, qid, e,
        "SELECT id FROM qualifications WHERE enterprise_id = $1 AND kind = "
        "$2 AND ended_on IS NULL AND status = 'valid' AND ((issued_on >= $3 "
        "AND issued_on <= $4) OR (issued_on IS NULL AND year = $5)) ORDER BY "
        "id DESC LIMIT 1",
        "ittti", c->ent_id, c->tier, from, to, c->year);
    if (rc == ERR_NOTFOUND) {
        *qid = 0;
        rc = 0;
    }
    return rc;
}

/* Insert the tasks of arr for entry c (owner / due as given). */
static int pipe_tasks_insert(Db *db, const Actor *a, const PipeCur *c,
                             json_t *arr, int64_t owner, const char *due,
                             const char *now, Err *e)
{
    json_t *t;
    size_t i;
    int rc = 0;

    json_array_foreach(arr, i, t)
    {
        rc = db_exec_v(
            db, e,
            "INSERT INTO pipeline_tasks (entry_id, enterprise_id, criterion, "
            "title, owner_user_id, due_on, status, created_by, created_at, "
            "updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8)",
            "iittptpt", c->id, c->ent_id,
            json_string_value(json_object_get(t, "criterion")),
            json_string_value(json_object_get(t, "title")),
            owner ? &owner : NULL, due, a->user_id > 0 ? &a->user_id : NULL,
            now);
        if (rc) {
            break;
        }
    }
    return rc;
}

int pipe_entry_act(Db *db, const Actor *a, int64_t entry_id, const PipeAct *act,
                   json_t **out, Err *e)
{
    const char *action = act->action ? act->action : "";
    const char *comment = act->comment;
    const char *to = NULL;
    char now[CLOCK_ISO_LEN], due[DATE_ISO_SIZE], audit_action[48];
    json_t *tasks = NULL, *before = NULL, *after = NULL;
    int64_t qid = 0, step_done = -1, owner = act->owner_user_id, n_open = 0;
    int64_t new_step, new_attempts;
    int new_reached, new_unadmitted, rc;
    PipeCur c;
    const char *s;

    *out = NULL;
    rc = pipe_check_write(a, e);
    if (rc == 0) {
        rc = pipe_text(comment, 0, "comment", "意见", e);
    }
    if (rc == 0) {
        rc = pipe_cur_load(db, a, entry_id, &c, e);
    }
    if (rc) {
        return rc;
    }
    s = c.stage;
    new_step = c.step;
    new_attempts = c.attempts;
    new_reached = c.reached;
    new_unadmitted = c.unadmitted;
    if (strcmp(s, "withdrawn") == 0 || strcmp(s, "certified") == 0) {
        rc = err_set(e, ERR_CONFLICT, "action", "该企业在本批次%s，不能再办理",
                     pipe_stage_name(s));
        goto out;
    }
    if (strcmp(action, "recommend") == 0) {
        if (strcmp(s, "selected") != 0 && strcmp(s, "returned") != 0) {
            rc = err_set(e, ERR_CONFLICT, "action",
                         "只有已遴选或已退回的企业可以推荐入库（当前：%s）",
                         pipe_stage_name(s));
        } else {
            rc = pipe_comment_check(action, comment, e);
        }
        to = "recommended";
        new_step = 0;
    } else if (strcmp(action, "approve") == 0 ||
               strcmp(action, "return") == 0) {
        int ret = action[0] == 'r';
        if (strcmp(s, "recommended") != 0) {
            rc = err_set(e, ERR_CONFLICT, "action",
                         "只有待审核的企业可以审核（当前：%s）",
                         pipe_stage_name(s));
        } else {
            rc = pipe_comment_check(action, comment, e);
            if (rc == 0) {
                rc = pipe_chain_allows(&c, a, e);
            }
        }
        step_done = c.step;
        if (ret) {
            to = "returned";
        } else if (c.step + 1 >= (int64_t)json_array_size(c.chain)) {
            to = "admitted";
            new_step = c.step + 1;
            new_reached = new_reached < 2 ? 2 : new_reached;
        } else {
            to = "recommended";
            new_step = c.step + 1;
        }
    } else if (strcmp(action, "cultivate") == 0) {
        if (strcmp(s, "admitted") != 0 && strcmp(s, "not_certified") != 0) {
            rc = err_set(e, ERR_CONFLICT, "action",
                         strcmp(s, "cultivating") == 0
                             ? "该企业已在培育中"
                             : "尚未入库，不能跳过入库进入培育（当前：%s）",
                         pipe_stage_name(s));
        }
        to = "cultivating";
        new_reached = new_reached < 3 ? 3 : new_reached;
    } else if (strcmp(action, "certify") == 0) {
        if (!pipe_is_bureau(a)) {
            rc = err_set(e, ERR_FORBIDDEN, "action",
                         "认定结果由科技局业务人员登记");
        } else if (strcmp(s, "admitted") == 0) {
            rc = err_set(e, ERR_CONFLICT, "action",
                         "尚未制定培育计划，不能跳过培育登记认定结果");
        } else if (strcmp(s, "selected") == 0 ||
                   strcmp(s, "recommended") == 0 ||
                   strcmp(s, "returned") == 0) {
            new_unadmitted = 1; /* allowed, flagged: never 入库 */
        }
        if (rc == 0) {
            rc = pipe_register_find(db, &c, &qid, e);
        }
        if (rc == 0 && qid == 0 && (!comment || !*comment)) {
            rc = err_set(e, ERR_INVALID, "comment",
                         "资质登记册中没有该企业 %lld 年的“%s”认定记录；"
                         "登记为未通过认定须填写原因",
                         (long long)c.year, elig_tier_name(c.tier));
        }
        to = qid ? "certified" : "not_certified";
        new_attempts++;
        if (qid) {
            new_reached = 4;
        }
    } else if (strcmp(action, "withdraw") == 0) {
        rc = pipe_comment_check(action, comment, e);
        to = "withdrawn";
    } else {
        rc = pipe_action_unknown(e);
    }
    if (rc) {
        goto out;
    }
    if (c.closed) {
        rc = err_set(e, ERR_CONFLICT, "batch_id", "批次已关闭");
        goto out;
    }
    if (strcmp(action, "cultivate") == 0) {
        if (act->due_on && *act->due_on) {
            rc = pipe_date(act->due_on, "due_on", due, e);
        } else {
            date_format_iso(date_add_days(date_today(), 90), due);
        }
        if (rc == 0 && owner) {
            rc = pipe_user_ok(db, owner, c.path, "owner_user_id", e);
        } else if (rc == 0) {
            owner = c.liaison ? c.liaison : (a->user_id > 0 ? a->user_id : 0);
        }
        if (rc == 0) {
            rc = db_query_int64(db, &n_open, e,
                                "SELECT COUNT(*) FROM pipeline_tasks WHERE "
                                "entry_id = $1 AND status = 'open'",
                                "i", c.id);
        }
        if (rc == 0) { /* outside the write transaction: a read of its own */
            rc = pipe_gap_tasks(db, &c, &tasks, e);
        }
        if (rc) {
            goto out;
        }
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = db_exec_v(db, e,
                   "UPDATE pipeline_entries SET stage = $1, reached = $2, "
                   "review_step = $3, attempts = $4, unadmitted = $5, "
                   "outcome_reason = CASE WHEN $6 = 1 THEN $7 ELSE "
                   "outcome_reason END, qualification_id = CASE WHEN $6 = 1 "
                   "THEN $8 ELSE qualification_id END, updated_at = $9 WHERE "
                   "id = $10 AND stage = $11 AND review_step = $12",
                   "tiiiiitptiti", to, (int64_t)new_reached, new_step,
                   new_attempts, (int64_t)new_unadmitted,
                   (int64_t)(strcmp(action, "certify") == 0),
                   comment && *comment ? comment : NULL, qid ? &qid : NULL, now,
                   c.id, c.stage, c.step);
    if (rc == 0 && db_changes(db) == 0) {
        rc = err_set(e, ERR_CONFLICT, "action",
                     "该记录刚被他人办理，请刷新后重试");
    }
    if (rc == 0) {
        rc = pipe_event(db, a, c.id, action, c.stage, to,
                        step_done >= 0 ? &step_done : NULL, comment, now, e);
    }
    if (rc == 0 && tasks && n_open == 0) {
        rc = pipe_tasks_insert(db, a, &c, tasks, owner, due, now, e);
    }
    if (rc == 0) {
        before = json_pack("{sssI}", "stage", c.stage, "review_step",
                           (json_int_t)c.step);
        after = json_pack(
            "{sssIsIsbss?}", "stage", to, "review_step", (json_int_t)new_step,
            "attempts", (json_int_t)new_attempts, "unadmitted", new_unadmitted,
            "comment", comment && *comment ? comment : NULL);
        if (qid) {
            json_object_set_new(after, "qualification_id", json_integer(qid));
        }
        if (tasks && n_open == 0) {
            json_object_set_new(
                after, "tasks",
                json_integer((json_int_t)json_array_size(tasks)));
        }
        snprintf(audit_action, sizeof audit_action, "pipeline.%s", action);
        rc = audit_record(db, a, audit_action, "pipeline_entry", c.id, c.path,
                          before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        goto out;
    }
    rc = pipe_entry_get(db, a, c.id, out, e);
out:
    json_decref(c.chain);
    json_decref(tasks);
    json_decref(before);
    json_decref(after);
    return rc;
}

/* ---- reading entries ---------------------------------------------------- */

#define PIPE_ENTRY_COLS                                                        \
    "SELECT p.id, p.batch_id, b.tier, b.year, b.name AS batch_name, "          \
    "p.enterprise_id, e.uscc, e.name AS enterprise_name, e.unit_id, o.name "   \
    "AS unit_name, p.stage, p.reached, p.review_step, p.source, p.reason, "    \
    "p.ruleset, p.rank, p.verdict, p.gaps, p.attempts, p.unadmitted, "         \
    "p.outcome_reason, p.qualification_id, p.created_at, p.updated_at, "       \
    "(SELECT COUNT(*) FROM pipeline_tasks t WHERE t.entry_id = p.id AND "      \
    "t.status = 'open') AS open_tasks "
#define PIPE_ENTRY_FROM                                                        \
    "FROM pipeline_entries p JOIN pipeline_batches b ON b.id = p.batch_id "    \
    "JOIN enterprises e ON e.id = p.enterprise_id JOIN org_units o ON o.id = " \
    "e.unit_id WHERE "
#define PIPE_ENTRY_TYPES "iititittittiitttittibtitti"

/* Names of an entry object: stage_name, column, tier_name, review step. */
static void pipe_entry_decorate(json_t *o)
{
    const char *stage = json_string_value(json_object_get(o, "stage"));

    json_object_set_new(o, "stage_name", json_string(pipe_stage_name(stage)));
    for (size_t i = 0; stage && i < N_OF(pipe_stages); i++) {
        if (strcmp(pipe_stages[i].code, stage) == 0) {
            json_object_set_new(o, "column",
                                json_string(pipe_stages[i].column));
        }
    }
    json_object_set_new(o, "tier_name",
                        json_string(elig_tier_name(
                            json_string_value(json_object_get(o, "tier")))));
}

/* Texts the bound parameters of pipe_entry_where point into. */
typedef struct PipeWhere {
    char upath[ACTOR_PATH_MAX];
    char like[PIPE_LIKE_MAX];
} PipeWhere;

/* WHERE conditions of f into q (after "WHERE "): scope first. */
static int pipe_entry_where(Db *db, const Actor *a, const PipeFilter *f,
                            Sqlq *q, PipeWhere *w, Err *e)
{
    int rc = 0, n = sqlq_text(q, a->unit_path);

    sqlq_addf(q, "substr(o.path, 1, length($%d)) = $%d", n, n);
    if (f->unit_id) {
        rc = pipe_unit_path(db, a, f->unit_id, w->upath, e);
        if (rc) {
            return rc;
        }
        n = sqlq_text(q, w->upath);
        sqlq_addf(q, " AND substr(o.path, 1, length($%d)) = $%d", n, n);
    }
    if (f->batch_id) {
        sqlq_addf(q, " AND p.batch_id = $%d", sqlq_int(q, f->batch_id));
    }
    if (f->tier && *f->tier) {
        sqlq_addf(q, " AND b.tier = $%d", sqlq_text(q, f->tier));
    }
    if (f->year) {
        sqlq_addf(q, " AND b.year = $%d", sqlq_int(q, f->year));
    }
    if (f->enterprise_id) {
        sqlq_addf(q, " AND p.enterprise_id = $%d",
                  sqlq_int(q, f->enterprise_id));
    }
    if (f->stage && *f->stage) {
        if (pipe_stage_level(f->stage) == 0 &&
            strcmp(f->stage, "withdrawn") != 0) {
            return err_set(e, ERR_INVALID, "stage", "状态“%s”不存在", f->stage);
        }
        sqlq_addf(q, " AND p.stage = $%d", sqlq_text(q, f->stage));
    }
    if (f->column && *f->column) {
        int any = 0;
        sqlq_addf(q, " AND p.stage IN ('-'");
        for (size_t i = 0; i < N_OF(pipe_stages); i++) {
            if (strcmp(pipe_stages[i].column, f->column) == 0) {
                sqlq_addf(q, ", $%d", sqlq_text(q, pipe_stages[i].code));
                any = 1;
            }
        }
        sqlq_addf(q, ")");
        if (!any) {
            return err_set(e, ERR_INVALID, "column",
                           "阶段应为 select、admit、cultivate、certify 或 "
                           "withdrawn");
        }
    }
    if (f->q && *f->q) {
        int k;
        pipe_like(f->q, w->like);
        k = sqlq_text(q, w->like);
        sqlq_addf(q,
                  " AND (e.name LIKE $%d ESCAPE '\\' OR e.uscc LIKE $%d "
                  "ESCAPE '\\')",
                  k, k);
    }
    return q->err ? err_set(e, ERR_INVALID, NULL, "筛选条件过多") : 0;
}

/* Run the entry query of f (limit < 0: no page) into arr and *total. */
static int pipe_entry_query(Db *db, const Actor *a, const PipeFilter *f,
                            const char *order, int64_t offset, int64_t limit,
                            json_t *arr, int64_t *total, Err *e)
{
    PipeWhere w;
    DbStmt *st = NULL;
    Sqlq q;
    json_t *it;
    size_t i;
    int rc;

    if (total) {
        sqlq_init(&q, "SELECT COUNT(*) " PIPE_ENTRY_FROM);
        rc = pipe_entry_where(db, a, f, &q, &w, e);
        if (rc == 0) {
            rc = sqlq_prepare(&q, db, &st, e);
        }
        if (rc == 0) {
            rc = db_step(st, e);
            rc = rc == DB_ROW ? 0 : rc;
            *total = rc == 0 ? db_col_int64(st, 0) : 0;
        }
        db_finalize(st);
        st = NULL;
        sqlq_release(&q);
        if (rc) {
            return rc;
        }
    }
    sqlq_init(&q, PIPE_ENTRY_COLS PIPE_ENTRY_FROM);
    rc = pipe_entry_where(db, a, f, &q, &w, e);
    if (rc == 0) {
        sqlq_addf(&q, " ORDER BY %s LIMIT $%d OFFSET $%d", order,
                  sqlq_int(&q, limit), sqlq_int(&q, offset));
        rc = sqlq_prepare(&q, db, &st, e);
    }
    if (rc == 0) {
        size_t before = json_array_size(arr);
        rc = pipe_rows_json(st, PIPE_ENTRY_TYPES, arr, e);
        for (i = before; i < json_array_size(arr); i++) {
            it = json_array_get(arr, i);
            pipe_entry_decorate(it);
        }
    }
    db_finalize(st);
    sqlq_release(&q);
    return rc;
}

int pipe_entry_list(Db *db, const Actor *a, const PipeFilter *f, int64_t offset,
                    int64_t limit, json_t **items, int64_t *total, Err *e)
{
    json_t *arr = json_array();
    int rc = pipe_entry_query(
        db, a, f,
        "b.year DESC, p.batch_id DESC, CASE WHEN p.rank IS NULL THEN 1 ELSE "
        "0 END, p.rank, p.id",
        offset, limit, arr, total, e);

    if (rc) {
        json_decref(arr);
        *items = NULL;
        return rc;
    }
    *items = arr;
    return 0;
}

/* Events and tasks of entry object o. */
static int pipe_entry_detail(Db *db, json_t *o, Err *e)
{
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_t *events = json_array(), *tasks = json_array(), *it;
    char today[DATE_ISO_SIZE];
    DbStmt *st = NULL;
    size_t i;
    int rc;

    json_object_set_new(o, "events", events);
    json_object_set_new(o, "tasks", tasks);
    rc = db_prepare_v(db, &st, e,
                      "SELECT id, at, user_id, user_name, action, "
                      "from_stage, to_stage, step, comment FROM "
                      "pipeline_events WHERE entry_id = $1 ORDER BY id",
                      "i", id);
    if (rc == 0) {
        rc = pipe_rows_json(st, "itittttit", events, e);
    }
    db_finalize(st);
    st = NULL;
    json_array_foreach(events, i, it)
    {
        json_object_set_new(it, "to_stage_name",
                            json_string(pipe_stage_name(json_string_value(
                                json_object_get(it, "to_stage")))));
        json_object_set_new(it, "action_name",
                            json_string(pipe_action_name(json_string_value(
                                json_object_get(it, "action")))));
    }
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT t.id, t.criterion, t.title, "
                          "t.owner_user_id, u.display_name AS owner_name, "
                          "t.due_on, t.status, t.done_on, t.note FROM "
                          "pipeline_tasks t LEFT JOIN users u ON u.id = "
                          "t.owner_user_id WHERE t.entry_id = $1 ORDER BY "
                          "t.id",
                          "i", id);
    }
    if (rc == 0) {
        rc = pipe_rows_json(st, "ittittttt", tasks, e);
    }
    db_finalize(st);
    pipe_today_iso(today);
    pipe_tasks_mark(tasks, today);
    return rc;
}

int pipe_entry_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    PipeWhere w;
    DbStmt *st = NULL;
    PipeFilter f;
    Sqlq q;
    int rc;

    *out = NULL;
    memset(&f, 0, sizeof f);
    sqlq_init(&q, PIPE_ENTRY_COLS PIPE_ENTRY_FROM);
    rc = pipe_entry_where(db, a, &f, &q, &w, e);
    sqlq_addf(&q, " AND p.id = $%d", sqlq_int(&q, id));
    if (rc == 0) {
        rc = sqlq_prepare(&q, db, &st, e);
    }
    if (rc == 0) {
        rc = pipe_row_json(st, PIPE_ENTRY_TYPES, out, "培育记录不存在", e);
    }
    db_finalize(st);
    sqlq_release(&q);
    if (rc == 0) {
        pipe_entry_decorate(*out);
        rc = pipe_entry_detail(db, *out, e);
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int pipe_board(Db *db, const Actor *a, int64_t batch_id, json_t **out, Err *e)
{
    json_t *batch = NULL, *cols = json_array();
    PipeFilter f;
    int rc;

    *out = NULL;
    rc = pipe_batch_get(db, a, batch_id, &batch, e);
    for (size_t i = 0; rc == 0 && i < N_OF(pipe_columns); i++) {
        json_t *items = json_array();
        int64_t total = 0;

        memset(&f, 0, sizeof f);
        f.batch_id = batch_id;
        f.column = pipe_columns[i].key;
        rc = pipe_entry_query(db, a, &f,
                              "CASE WHEN p.rank IS NULL THEN 1 ELSE 0 END, "
                              "p.rank, p.id",
                              0, PIPE_BOARD_MAX, items, &total, e);
        json_array_append_new(
            cols, json_pack("{sssssIso}", "key", pipe_columns[i].key, "title",
                            pipe_columns[i].title, "total", (json_int_t)total,
                            "items", items));
    }
    if (rc) {
        json_decref(batch);
        json_decref(cols);
        return rc;
    }
    *out = json_pack("{soso}", "batch", batch, "columns", cols);
    return 0;
}

/* "66.7" (percent, one decimal, rounded half up) of n / d, or NULL. */
static json_t *pipe_pct(int64_t n, int64_t d)
{
    char s[32];
    int64_t t;

    if (d <= 0) {
        return json_null();
    }
    t = (n * 1000 * 2 + d) / (2 * d); /* per mille, rounded */
    snprintf(s, sizeof s, "%lld.%lld", (long long)(t / 10),
             (long long)(t % 10));
    return json_string(s);
}

static json_t *pipe_funnel_counts(const int64_t n[6])
{
    json_t *o = json_object();

    json_object_set_new(o, "selected", json_integer(n[0]));
    json_object_set_new(o, "admitted", json_integer(n[1]));
    json_object_set_new(o, "cultivating", json_integer(n[2]));
    json_object_set_new(o, "certified", json_integer(n[3]));
    json_object_set_new(o, "not_certified", json_integer(n[4]));
    json_object_set_new(o, "withdrawn", json_integer(n[5]));
    json_object_set_new(o, "admit_rate", pipe_pct(n[1], n[0]));
    json_object_set_new(o, "cultivate_rate", pipe_pct(n[2], n[1]));
    json_object_set_new(o, "certify_rate", pipe_pct(n[3], n[2]));
    json_object_set_new(o, "overall_rate", pipe_pct(n[3], n[0]));
    return o;
}

int pipe_funnel(Db *db, const Actor *a, const PipeFilter *f, json_t **out,
                Err *e)
{
    PipeWhere w;
    json_t *rows = json_array(), *stages = json_array();
    int64_t tot[6] = {0};
    DbStmt *st = NULL;
    Sqlq q;
    int rc;

    *out = NULL;
    sqlq_init(&q,
              "SELECT b.year, e.unit_id, o.name, COUNT(*), SUM(CASE WHEN "
              "p.reached >= 2 THEN 1 ELSE 0 END), SUM(CASE WHEN p.reached "
              ">= 3 THEN 1 ELSE 0 END), SUM(CASE WHEN p.reached >= 4 THEN 1 "
              "ELSE 0 END), SUM(CASE WHEN p.stage = 'not_certified' THEN 1 "
              "ELSE 0 END), SUM(CASE WHEN p.stage = 'withdrawn' THEN 1 ELSE "
              "0 END) " PIPE_ENTRY_FROM);
    rc = pipe_entry_where(db, a, f, &q, &w, e);
    sqlq_addf(&q, " GROUP BY b.year, e.unit_id, o.name ORDER BY b.year "
                  "DESC, o.name, e.unit_id");
    if (rc == 0) {
        rc = sqlq_prepare(&q, db, &st, e);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t n[6];
        json_t *r;
        rc = 0;
        for (int k = 0; k < 6; k++) {
            n[k] = db_col_int64(st, 3 + k);
            tot[k] += n[k];
        }
        r = pipe_funnel_counts(n);
        json_object_set_new(r, "year", json_integer(db_col_int64(st, 0)));
        json_object_set_new(r, "unit_id", json_integer(db_col_int64(st, 1)));
        json_object_set_new(
            r, "unit_name",
            json_string(db_col_text(st, 2) ? db_col_text(st, 2) : ""));
        json_array_append_new(rows, r);
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    sqlq_release(&q);
    if (rc) {
        json_decref(rows);
        json_decref(stages);
        return rc;
    }
    for (size_t i = 0; i < 4; i++) {
        static const char *const keys[] = {"selected", "admitted",
                                           "cultivating", "certified"};
        json_array_append_new(stages,
                              json_pack("{ssssss}", "key", keys[i], "column",
                                        pipe_columns[i].key, "title",
                                        pipe_columns[i].title));
    }
    *out = json_pack("{sososo}", "stages", stages, "total",
                     pipe_funnel_counts(tot), "rows", rows);
    return 0;
}

int pipe_journey(Db *db, const Actor *a, int64_t enterprise_id, json_t **out,
                 Err *e)
{
    json_t *arr = json_array(), *it, *liaison = NULL;
    DbStmt *st = NULL;
    PipeFilter f;
    size_t i;
    int rc;

    memset(&f, 0, sizeof f);
    f.enterprise_id = enterprise_id;
    rc = pipe_entry_query(db, a, &f, "b.year, p.id", 0, 1000, arr, NULL, e);
    json_array_foreach(arr, i, it)
    {
        if (rc == 0) {
            rc = pipe_entry_detail(db, it, e);
        }
    }
    /* the 包联人员 with the unit, as the service pages show it */
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT u.id AS user_id, u.display_name AS name, "
                          "u.unit_id, o.name AS unit_name FROM enterprises e "
                          "JOIN users u ON u.id = e.liaison_user_id JOIN "
                          "org_units o ON o.id = u.unit_id WHERE e.id = $1",
                          "i", enterprise_id);
    }
    if (rc == 0) {
        rc = pipe_row_json(st, "itit", &liaison, "", e);
        if (rc == ERR_NOTFOUND) {
            rc = 0;
            liaison = json_null();
        }
    }
    db_finalize(st);
    if (rc) {
        json_decref(arr);
        json_decref(liaison);
        *out = NULL;
        return rc;
    }
    *out = json_pack("{soso}", "items", arr, "liaison", liaison);
    return 0;
}

/* ---- tasks -------------------------------------------------------------- */

int pipe_task_list(Db *db, const Actor *a, const PipeTaskFilter *f,
                   int64_t offset, int64_t limit, json_t **items,
                   int64_t *total, Err *e)
{
    static const char *from =
        "FROM pipeline_tasks t JOIN pipeline_entries p ON p.id = t.entry_id "
        "JOIN pipeline_batches b ON b.id = p.batch_id JOIN enterprises e ON "
        "e.id = t.enterprise_id JOIN org_units o ON o.id = e.unit_id LEFT "
        "JOIN users u ON u.id = t.owner_user_id WHERE ";
    char today[DATE_ISO_SIZE], upath[ACTOR_PATH_MAX];
    json_t *arr = json_array(), *it;
    DbStmt *st = NULL;
    Sqlq q;
    size_t i;
    int rc = 0;

    *items = NULL;
    pipe_today_iso(today);
    if (f->status && *f->status && !pipe_task_status_name(f->status)) {
        json_decref(arr);
        return labels_refuse(e, "status", "状态", pipe_task_statuses_json(),
                             NULL);
    }
    if (f->unit_id) {
        rc = pipe_unit_path(db, a, f->unit_id, upath, e);
        if (rc) {
            json_decref(arr);
            return rc;
        }
    }
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        int n;
        sqlq_init(&q, pass == 0 ? "SELECT COUNT(*) "
                                : "SELECT t.id, t.entry_id, p.batch_id, "
                                  "b.tier, b.year, b.name AS batch_name, "
                                  "t.enterprise_id, e.name AS "
                                  "enterprise_name, o.name AS unit_name, "
                                  "t.criterion, t.title, t.owner_user_id, "
                                  "u.display_name AS owner_name, t.due_on, "
                                  "t.status, t.done_on, t.note, "
                                  "t.created_at, t.updated_at ");
        sqlq_addf(&q, "%s", from);
        n = sqlq_text(&q, a->unit_path);
        sqlq_addf(&q, "substr(o.path, 1, length($%d)) = $%d", n, n);
        if (f->unit_id) {
            n = sqlq_text(&q, upath);
            sqlq_addf(&q, " AND substr(o.path, 1, length($%d)) = $%d", n, n);
        }
        if (f->mine) {
            sqlq_addf(&q, " AND t.owner_user_id = $%d",
                      sqlq_int(&q, a->user_id));
        }
        if (f->overdue) {
            sqlq_addf(&q, " AND t.status = 'open' AND t.due_on < $%d",
                      sqlq_text(&q, today));
        }
        if (f->status && *f->status) {
            sqlq_addf(&q, " AND t.status = $%d", sqlq_text(&q, f->status));
        }
        if (f->batch_id) {
            sqlq_addf(&q, " AND p.batch_id = $%d", sqlq_int(&q, f->batch_id));
        }
        if (f->enterprise_id) {
            sqlq_addf(&q, " AND t.enterprise_id = $%d",
                      sqlq_int(&q, f->enterprise_id));
        }
        if (f->task_id) {
            sqlq_addf(&q, " AND t.id = $%d", sqlq_int(&q, f->task_id));
        }
        if (pass == 1) {
            sqlq_addf(&q,
                      " ORDER BY CASE WHEN t.due_on IS NULL THEN 1 ELSE 0 "
                      "END, t.due_on, t.id LIMIT $%d OFFSET $%d",
                      sqlq_int(&q, limit), sqlq_int(&q, offset));
        }
        rc = sqlq_prepare(&q, db, &st, e);
        if (rc == 0 && pass == 0) {
            rc = db_step(st, e);
            rc = rc == DB_ROW ? 0 : rc;
            *total = rc == 0 ? db_col_int64(st, 0) : 0;
        } else if (rc == 0) {
            rc = pipe_rows_json(st, "iiititittttittttttt", arr, e);
        }
        db_finalize(st);
        st = NULL;
        sqlq_release(&q);
    }
    pipe_tasks_mark(arr, today);
    json_array_foreach(arr, i, it)
    {
        json_object_set_new(it, "tier_name",
                            json_string(elig_tier_name(json_string_value(
                                json_object_get(it, "tier")))));
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return 0;
}

/* Entry of task id in a's scope: *entry_id, the unit path. */
static int pipe_task_scope(Db *db, const Actor *a, int64_t task_id,
                           int64_t *entry_id, char path[ACTOR_PATH_MAX],
                           json_t **before, Err *e)
{
    DbStmt *st = NULL;
    int rc = db_prepare_v(db, &st, e,
                          "SELECT t.entry_id, o.path, t.status, "
                          "t.owner_user_id, t.due_on, t.note FROM "
                          "pipeline_tasks t JOIN enterprises e ON e.id = "
                          "t.enterprise_id JOIN org_units o ON o.id = "
                          "e.unit_id WHERE t.id = $1",
                          "i", task_id);

    *before = NULL;
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_DONE ||
            (rc == DB_ROW && !actor_sees_path(a, db_col_text(st, 1)))) {
            rc = err_set(e, ERR_NOTFOUND, "id", "培育任务不存在");
        } else if (rc == DB_ROW) {
            *entry_id = db_col_int64(st, 0);
            snprintf(path, ACTOR_PATH_MAX, "%s", db_col_text(st, 1));
            *before = json_pack("{sss?ss?ss?}", "status", db_col_text(st, 2),
                                "due_on", db_col_text(st, 4), "note",
                                db_col_text(st, 5), "owner_user_id", NULL);
            json_object_set_new(*before, "owner_user_id",
                                db_col_is_null(st, 3)
                                    ? json_null()
                                    : json_integer(db_col_int64(st, 3)));
            rc = 0;
        }
    }
    db_finalize(st);
    return rc;
}

int pipe_task_update(Db *db, const Actor *a, int64_t task_id,
                     const PipeTaskInput *in, json_t **out, Err *e)
{
    char path[ACTOR_PATH_MAX], now[CLOCK_ISO_LEN], due[DATE_ISO_SIZE] = "";
    char today[DATE_ISO_SIZE];
    json_t *before = NULL, *after = NULL;
    int64_t entry_id = 0;
    int rc;

    *out = NULL;
    (void)entry_id;
    rc = pipe_check_write(a, e);
    if (rc == 0 && in->status && !pipe_task_status_name(in->status)) {
        rc =
            labels_refuse(e, "status", "状态", pipe_task_statuses_json(), NULL);
    }
    if (rc == 0 && in->due_on) {
        rc = pipe_date(in->due_on, "due_on", due, e);
    }
    if (rc == 0) {
        rc = pipe_text(in->note, 0, "note", "备注", e);
    }
    if (rc == 0) {
        rc = pipe_task_scope(db, a, task_id, &entry_id, path, &before, e);
    }
    if (rc == 0 && in->has_owner && in->owner_user_id) {
        rc = pipe_user_ok(db, in->owner_user_id, path, "owner_user_id", e);
    }
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    pipe_today_iso(today);
    rc = db_begin(db, e);
    if (rc == 0 && in->status) {
        rc = db_exec_v(db, e,
                       "UPDATE pipeline_tasks SET status = $1, done_on = "
                       "$2, updated_at = $3 WHERE id = $4",
                       "ttti", in->status,
                       strcmp(in->status, "done") == 0 ? today : NULL, now,
                       task_id);
    }
    if (rc == 0 && in->has_owner) {
        rc = db_exec_v(db, e,
                       "UPDATE pipeline_tasks SET owner_user_id = $1, "
                       "updated_at = $2 WHERE id = $3",
                       "pti", in->owner_user_id ? &in->owner_user_id : NULL,
                       now, task_id);
    }
    if (rc == 0 && in->due_on) {
        rc = db_exec_v(db, e,
                       "UPDATE pipeline_tasks SET due_on = $1, updated_at = "
                       "$2 WHERE id = $3",
                       "tti", due, now, task_id);
    }
    if (rc == 0 && in->note) {
        rc = db_exec_v(db, e,
                       "UPDATE pipeline_tasks SET note = $1, updated_at = $2 "
                       "WHERE id = $3",
                       "tti", *in->note ? in->note : NULL, now, task_id);
    }
    if (rc == 0) {
        after = json_object();
        if (in->status) {
            json_object_set_new(after, "status", json_string(in->status));
        }
        if (in->has_owner) {
            json_object_set_new(after, "owner_user_id",
                                in->owner_user_id
                                    ? json_integer(in->owner_user_id)
                                    : json_null());
        }
        if (in->due_on) {
            json_object_set_new(after, "due_on", json_string(due));
        }
        if (in->note) {
            json_object_set_new(after, "note", json_string(in->note));
        }
        rc = audit_record(db, a, "pipeline.task_update", "pipeline_task",
                          task_id, path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        goto out;
    }
    {
        PipeTaskFilter f;
        json_t *items = NULL;
        int64_t total = 0;

        memset(&f, 0, sizeof f);
        f.task_id = task_id;
        rc = pipe_task_list(db, a, &f, 0, 1, &items, &total, e);
        if (rc == 0) {
            *out = json_incref(json_array_get(items, 0));
        }
        json_decref(items);
    }
out:
    json_decref(before);
    json_decref(after);
    return rc;
}

int pipe_task_add(Db *db, const Actor *a, int64_t entry_id, const char *title,
                  int64_t owner_user_id, const char *due_on, int64_t *id,
                  Err *e)
{
    char now[CLOCK_ISO_LEN], due[DATE_ISO_SIZE];
    json_t *after = NULL;
    DbStmt *st = NULL;
    PipeCur c;
    int rc;

    *id = 0;
    memset(&c, 0, sizeof c);
    rc = pipe_check_write(a, e);
    if (rc == 0 &&
        (!title || !*title || utf8_count_chars(title, strlen(title)) > 200)) {
        rc = err_set(e, ERR_INVALID, "title", "任务内容应为 1 至 200 个字");
    }
    if (rc == 0 && due_on && *due_on) {
        rc = pipe_date(due_on, "due_on", due, e);
    } else if (rc == 0) {
        date_format_iso(date_add_days(date_today(), 90), due);
    }
    if (rc == 0) {
        rc = pipe_cur_load(db, a, entry_id, &c, e);
    }
    if (rc == 0 && owner_user_id) {
        rc = pipe_user_ok(db, owner_user_id, c.path, "owner_user_id", e);
    }
    if (rc == 0 && strcmp(c.stage, "cultivating") != 0) {
        rc = err_set(e, ERR_CONFLICT, "entry_id",
                     "只有培育中的企业可以添加培育任务（当前：%s）",
                     pipe_stage_name(c.stage));
    }
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_prepare_v(
            db, &st, e,
            "INSERT INTO pipeline_tasks (entry_id, enterprise_id, criterion, "
            "title, owner_user_id, due_on, status, created_by, created_at, "
            "updated_at) VALUES ($1, $2, NULL, $3, $4, $5, 'open', $6, $7, "
            "$7) RETURNING id",
            "iitptpt", c.id, c.ent_id, title,
            owner_user_id ? &owner_user_id : NULL, due,
            a->user_id > 0 ? &a->user_id : NULL, now);
    }
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *id = db_col_int64(st, 0);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_DB, NULL, "服务器内部错误");
        }
    }
    db_finalize(st);
    if (rc == 0) {
        after = json_pack("{sIssss}", "entry_id", (json_int_t)c.id, "title",
                          title, "due_on", due);
        rc = audit_record(db, a, "pipeline.task_add", "pipeline_task", *id,
                          c.path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        *id = 0;
    }
out:
    json_decref(c.chain);
    json_decref(after);
    return rc;
}
