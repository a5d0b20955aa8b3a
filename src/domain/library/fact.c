/* fact.c - kinds, subkinds and levels of dated enterprise facts. */
#include "domain/library/fact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/money.h"
#include "base/valid.h"
#include "domain/accounts/audit.h"
#include "domain/library/recrule.h"

static const char *const fact_award_sub[] = {"first", "second", "third",
                                             "special", NULL};
static const char *const fact_standard_sub[] = {
    "international", "national",   "industry", "local",
    "group",         "enterprise", NULL};
static const char *const fact_cert_sub[] = {"software_enterprise",
                                            "software_product", NULL};
static const char *const fact_credit_sub[] = {
    "abnormal_operation", "serious_illegal", "research_misconduct", NULL};
static const char *const fact_incident_sub[] = {"safety", "quality",
                                                "environment", NULL};
static const char *const fact_competition_sub[] = {"first", "second", "third",
                                                   "excellent", NULL};

static const FactKind fact_kinds[] = {
    {"award", "科技奖励", fact_award_sub, 1},
    {"rd_institution", "研发机构", NULL, 1},
    {"standard", "主导制定标准", fact_standard_sub, 0},
    {"competition", "创新创业大赛获奖", fact_competition_sub, 1},
    {"financing", "创业投资（融资）", NULL, 0},
    {"project", "科技计划项目", NULL, 1},
    {"software_cert", "软件企业/产品证书", fact_cert_sub, 0},
    {"credit_flag", "信用记录", fact_credit_sub, 0},
    {"incident", "安全、质量、环境事故", fact_incident_sub, 0},
};

static const struct {
    const char *code;
    const char *name;
} fact_names[] = {
    {"first", "一等奖"},
    {"second", "二等奖"},
    {"third", "三等奖"},
    {"special", "特等奖"},
    {"excellent", "优秀奖"},
    {"international", "国际标准"},
    {"national", "国家标准"},
    {"industry", "行业标准"},
    {"local", "地方标准"},
    {"group", "团体标准"},
    {"enterprise", "企业标准"},
    {"software_enterprise", "软件企业证书"},
    {"software_product", "软件产品证书"},
    {"abnormal_operation", "经营异常名录"},
    {"serious_illegal", "严重违法失信企业名单"},
    {"research_misconduct", "科研严重失信行为"},
    {"safety", "重大安全事故"},
    {"quality", "重大质量事故"},
    {"environment", "严重环境违法行为"},
};

static const struct {
    const char *code;
    const char *name;
} fact_levels[] = {
    {"international", "国际"}, {"national", "国家级"}, {"provincial", "省部级"},
    {"municipal", "市级"},     {"district", "区级"},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const FactKind *fact_kind_find(const char *code)
{
    size_t i;

    for (i = 0; code && i < N_OF(fact_kinds); i++) {
        if (strcmp(code, fact_kinds[i].code) == 0) {
            return &fact_kinds[i];
        }
    }
    return NULL;
}

const char *fact_subkind_name(const char *code)
{
    size_t i;

    for (i = 0; code && i < N_OF(fact_names); i++) {
        if (strcmp(code, fact_names[i].code) == 0) {
            return fact_names[i].name;
        }
    }
    return NULL;
}

int fact_subkind_valid(const FactKind *k, const char *s)
{
    const char *const *p;

    if (!k || !k->subkinds) {
        return s == NULL || *s == '\0';
    }
    for (p = k->subkinds; s && *p; p++) {
        if (strcmp(*p, s) == 0) {
            return 1;
        }
    }
    return 0;
}

const char *fact_level_name(const char *code)
{
    size_t i;

    for (i = 0; code && i < N_OF(fact_levels); i++) {
        if (strcmp(code, fact_levels[i].code) == 0) {
            return fact_levels[i].name;
        }
    }
    return NULL;
}

static int fact_date(const char *in, char out[DATE_ISO_SIZE], const char *field,
                     const char *label, Err *e)
{
    char buf[64];
    Date d;
    int rc;

    out[0] = '\0';
    if (!in) {
        return 0;
    }
    rc = valid_text(in, 0, 15, buf, sizeof buf, field, label, e);
    if (rc || !*buf) {
        return rc;
    }
    rc = date_parse(buf, &d, field, e);
    if (rc == 0) {
        date_format_iso(d, out);
    }
    return rc;
}

#define FACT_COLS                                                              \
    "id, enterprise_id, kind, subkind, level, rank, amount, counterparty, "    \
    "title, number, occurred_on, valid_from, valid_to, note, src_kind, "       \
    "src_at, verified, retired_at, retire_reason, created_at, updated_at"

static json_t *fact_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);

    return s ? json_string(s) : json_null();
}

static json_t *fact_int(DbStmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null()
                                   : json_integer(db_col_int64(st, col));
}

static json_t *fact_row_json(DbStmt *st)
{
    json_t *o = json_object();
    const FactKind *k = fact_kind_find(db_col_text(st, 2));
    const char *sub = fact_subkind_name(db_col_text(st, 3));
    const char *lvl = fact_level_name(db_col_text(st, 4));

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "enterprise_id", json_integer(db_col_int64(st, 1)));
    json_object_set_new(o, "kind", fact_text(st, 2));
    json_object_set_new(o, "kind_name", k ? json_string(k->name) : json_null());
    json_object_set_new(o, "subkind", fact_text(st, 3));
    json_object_set_new(o, "subkind_name",
                        sub ? json_string(sub) : json_null());
    json_object_set_new(o, "level", fact_text(st, 4));
    json_object_set_new(o, "level_name", lvl ? json_string(lvl) : json_null());
    json_object_set_new(o, "rank", fact_int(st, 5));
    json_object_set_new(o, "amount", fact_int(st, 6));
    if (!db_col_is_null(st, 6)) {
        Buf b;
        buf_init(&b, 64);
        money_format_wan(db_col_int64(st, 6), &b);
        json_object_set_new(o, "amount_wan", json_string(b.data));
        buf_release(&b);
    } else {
        json_object_set_new(o, "amount_wan", json_null());
    }
    json_object_set_new(o, "counterparty", fact_text(st, 7));
    json_object_set_new(o, "title", fact_text(st, 8));
    json_object_set_new(o, "number", fact_text(st, 9));
    json_object_set_new(o, "occurred_on", fact_text(st, 10));
    json_object_set_new(o, "valid_from", fact_text(st, 11));
    json_object_set_new(o, "valid_to", fact_text(st, 12));
    json_object_set_new(o, "note", fact_text(st, 13));
    json_object_set_new(o, "source", fact_text(st, 14));
    json_object_set_new(o, "source_at", fact_text(st, 15));
    json_object_set_new(o, "verified", json_boolean(db_col_int64(st, 16)));
    json_object_set_new(o, "retired", json_boolean(!db_col_is_null(st, 17)));
    json_object_set_new(o, "retire_reason", fact_text(st, 18));
    json_object_set_new(o, "created_at", fact_text(st, 19));
    json_object_set_new(o, "updated_at", fact_text(st, 20));
    return o;
}

static int fact_read(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT " FACT_COLS " FROM enterprise_facts WHERE id = "
                      "$1",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "记录不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    *out = fact_row_json(st);
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

typedef struct FactRec {
    const FactKind *kind;
    char counterparty[FACT_TEXT_MAX * 4 + 1];
    char title[FACT_TEXT_MAX * 4 + 1];
    char number[FACT_TEXT_MAX * 4 + 1];
    char note[FACT_NOTE_MAX * 4 + 1];
    char occurred[DATE_ISO_SIZE];
    char from[DATE_ISO_SIZE];
    char to[DATE_ISO_SIZE];
} FactRec;

/* The record being checked, as the cross-field rules read it. */
typedef struct FactRow {
    const FactInput *in;
    const FactRec *r;
} FactRow;

static const char *fact_row_text(void *ctx, const char *key)
{
    const FactRow *x = ctx;

    if (strcmp(key, "kind") == 0) {
        return x->r->kind->code;
    }
    if (strcmp(key, "subkind") == 0) {
        return x->in->subkind;
    }
    if (strcmp(key, "level") == 0) {
        return x->in->level;
    }
    if (strcmp(key, "occurred_on") == 0) {
        return x->r->occurred;
    }
    if (strcmp(key, "valid_from") == 0) {
        return x->r->from;
    }
    if (strcmp(key, "valid_to") == 0) {
        return x->r->to;
    }
    return NULL;
}

static int fact_check(const FactInput *in, FactRec *r, Err *e)
{
    FactRow x = {in, r};
    RecRow row = {&x, NULL, fact_row_text};
    int rc;

    r->kind = fact_kind_find(in->kind);
    if (!r->kind) {
        return err_set(e, ERR_INVALID, "kind",
                       "事项类型应为 award、rd_institution、standard、"
                       "competition、financing、project、software_cert、"
                       "credit_flag 或 incident");
    }
    if (in->level && *in->level && !fact_level_name(in->level)) {
        return err_set(e, ERR_INVALID, "level",
                       "级别应为 international、national、provincial、"
                       "municipal 或 district");
    }
    if (in->rank < 0 || in->rank > 1000) {
        return err_set(e, ERR_INVALID, "rank", "排名应在 1～1000 之间");
    }
    if (in->amount < 0) {
        return err_set(e, ERR_INVALID, "amount", "金额不能为负数");
    }
    rc = valid_text(in->counterparty ? in->counterparty : "", 0, FACT_TEXT_MAX,
                    r->counterparty, sizeof r->counterparty, "counterparty",
                    "相关单位", e);
    if (rc == 0) {
        rc = valid_text(in->title ? in->title : "", 0, FACT_TEXT_MAX, r->title,
                        sizeof r->title, "title", "名称", e);
    }
    if (rc == 0) {
        rc = valid_text(in->number ? in->number : "", 0, FACT_TEXT_MAX,
                        r->number, sizeof r->number, "number", "编号", e);
    }
    if (rc == 0) {
        rc = valid_text(in->note ? in->note : "", 0, FACT_NOTE_MAX, r->note,
                        sizeof r->note, "note", "备注", e);
    }
    if (rc == 0) {
        rc = fact_date(in->occurred_on, r->occurred, "occurred_on", "日期", e);
    }
    if (rc == 0) {
        rc = fact_date(in->valid_from, r->from, "valid_from", "起始日期", e);
    }
    if (rc == 0) {
        rc = fact_date(in->valid_to, r->to, "valid_to", "截止日期", e);
    }
    if (rc) {
        return rc;
    }
    /* subkind and level against the kind, a date, 有效期止 >= 有效期起 */
    return recrule_check(RECRULE_FACTS, &row, NULL, NULL, e);
}

int fact_create(Db *db, const Actor *a, int64_t enterprise_id,
                const FactInput *in, const EntSource *src, int64_t *id_out,
                Err *e)
{
    static const EntSource dflt = {"user", 0, 0};
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *after = NULL;
    DbStmt *st = NULL;
    FactRec *r = calloc(1, sizeof *r);
    int64_t id = 0;
    int rc;

    if (!src) {
        src = &dflt;
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改企业信息");
        goto done;
    }
    rc = fact_check(in, r, e);
    if (rc) {
        goto done;
    }
    rc = db_begin(db, e);
    if (rc) {
        goto done;
    }
    rc = ent_writable_path(db, a, enterprise_id, path, sizeof path, e);
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_prepare(db,
                    "INSERT INTO enterprise_facts (enterprise_id, kind, "
                    "subkind, level, rank, amount, counterparty, title, "
                    "number, occurred_on, valid_from, valid_to, note, "
                    "src_kind, src_user_id, src_ref, src_at, verified, "
                    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, "
                    "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
                    "$17, $17) RETURNING id",
                    &st, e);
    if (rc) {
        goto out;
    }
    db_bind_int64(st, 1, enterprise_id);
    db_bind_text(st, 2, r->kind->code);
    db_bind_text(st, 3, in->subkind && *in->subkind ? in->subkind : NULL);
    db_bind_text(st, 4, in->level && *in->level ? in->level : NULL);
    if (in->rank) {
        db_bind_int64(st, 5, in->rank);
    } else {
        db_bind_null(st, 5);
    }
    if (in->amount) {
        db_bind_int64(st, 6, in->amount);
    } else {
        db_bind_null(st, 6);
    }
    db_bind_text(st, 7, r->counterparty[0] ? r->counterparty : NULL);
    db_bind_text(st, 8, r->title[0] ? r->title : NULL);
    db_bind_text(st, 9, r->number[0] ? r->number : NULL);
    db_bind_text(st, 10, r->occurred[0] ? r->occurred : NULL);
    db_bind_text(st, 11, r->from[0] ? r->from : NULL);
    db_bind_text(st, 12, r->to[0] ? r->to : NULL);
    db_bind_text(st, 13, r->note[0] ? r->note : NULL);
    db_bind_text(st, 14, src->kind);
    db_bind_int64(st, 15, a->user_id);
    if (src->ref) {
        db_bind_int64(st, 16, src->ref);
    } else {
        db_bind_null(st, 16);
    }
    db_bind_text(st, 17, now);
    db_bind_int64(st, 18, src->verified ? 1 : 0);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        id = db_col_int64(st, 0);
        rc = db_step(st, e); /* to the end before reset (see ent.c) */
    }
    db_finalize(st);
    st = NULL;
    if (rc != DB_DONE || id <= 0) {
        rc = rc == DB_DONE ? err_set(e, ERR_INTERNAL, NULL, "服务器内部错误")
                           : rc;
        goto out;
    }
    rc = fact_read(db, id, &after, e);
    if (rc == 0) {
        rc = audit_record(db, a, "fact.create", "enterprise", enterprise_id,
                          path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc == 0 && id_out) {
        *id_out = id;
    }
out:
    if (rc) {
        db_rollback(db);
    }
done:
    db_finalize(st);
    json_decref(after);
    free(r);
    return rc;
}

int fact_update(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                const FactInput *in, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL, *after = NULL;
    FactRec *r = calloc(1, sizeof *r);
    int64_t retired = -1;
    int rc;

    if (!r) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        free(r);
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改企业信息");
    }
    rc = fact_check(in, r, e);
    if (rc) {
        free(r);
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        free(r);
        return rc;
    }
    rc = ent_writable_path(db, a, enterprise_id, path, sizeof path, e);
    if (rc == 0) {
        rc = db_query_int64(db, &retired, e,
                            "SELECT retired_at IS NOT NULL FROM "
                            "enterprise_facts WHERE id = $1 AND enterprise_id "
                            "= $2",
                            "ii", id, enterprise_id);
        if (rc == ERR_NOTFOUND) {
            rc = err_set(e, ERR_NOTFOUND, "fact_id", "记录不存在");
        }
    }
    if (rc == 0 && retired) {
        rc = err_set(e, ERR_CONFLICT, "fact_id", "已删除的记录不能修改");
    }
    if (rc == 0) {
        rc = fact_read(db, id, &before, e);
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(
            db, e,
            "UPDATE enterprise_facts SET kind = $1, subkind = $2, level = $3, "
            "rank = NULLIF($4, 0), amount = NULLIF($5, 0), counterparty = $6, "
            "title = $7, number = $8, occurred_on = $9, valid_from = $10, "
            "valid_to = $11, note = $12, src_kind = 'user', src_user_id = $13, "
            "src_ref = NULL, src_at = $14, verified = 0, updated_at = $14 "
            "WHERE id = $15",
            "tttiitttttttiti", r->kind->code,
            in->subkind && *in->subkind ? in->subkind : NULL,
            in->level && *in->level ? in->level : NULL, in->rank, in->amount,
            r->counterparty[0] ? r->counterparty : NULL,
            r->title[0] ? r->title : NULL, r->number[0] ? r->number : NULL,
            r->occurred[0] ? r->occurred : NULL, r->from[0] ? r->from : NULL,
            r->to[0] ? r->to : NULL, r->note[0] ? r->note : NULL, a->user_id,
            now, id);
    }
    if (rc == 0) {
        rc = fact_read(db, id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "fact.update", "enterprise", enterprise_id,
                          path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    free(r);
    return rc;
}

static const EntChildKind fact_child = {
    "UPDATE enterprise_facts SET retired_at = $1, retire_reason = $2, "
    "updated_at = $1 WHERE id = $3",
    fact_read, "fact.retire", "记录不存在", "该记录已删除"};

int fact_retire(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                const char *reason, Err *e)
{
    return ent_child_retire(db, a, &fact_child, enterprise_id, id, reason, e);
}

int fact_list(Db *db, const Actor *a, int64_t enterprise_id, const char *kind,
              int include_retired, json_t **items, Err *e)
{
    char path[ACTOR_PATH_MAX];
    json_t *arr = json_array();
    DbStmt *st = NULL;
    int rc;

    *items = NULL;
    rc = ent_unit_path(db, enterprise_id, path, sizeof path, NULL, e);
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        rc = err_set(e, ERR_NOTFOUND, "id", "企业不存在");
    }
    if (rc) {
        goto out;
    }
    if (kind && *kind && !fact_kind_find(kind)) {
        rc = err_set(e, ERR_INVALID, "kind", "事项类型不正确");
        goto out;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT " FACT_COLS " FROM enterprise_facts WHERE "
                      "enterprise_id = $1 AND ($2 = '' OR kind = $2) AND "
                      "($3 = 1 OR retired_at IS NULL) ORDER BY "
                      "COALESCE(occurred_on, valid_from) DESC, id DESC",
                      "iti", enterprise_id, kind ? kind : "",
                      (int64_t)(include_retired != 0));
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(arr, fact_row_json(st));
    }
    if (rc != DB_DONE) {
        goto out;
    }
    rc = 0;
    *items = arr;
    arr = NULL;
out:
    db_finalize(st);
    json_decref(arr);
    return rc;
}
