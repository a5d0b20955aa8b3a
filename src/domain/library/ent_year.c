/* ent_year.c - yearly figures with provenance. */
#include "domain/library/ent_year.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/accounts/audit.h"
#include "domain/library/recrule.h"

const EntYearField ent_year_fields[ENT_YEAR_N_FIELDS] = {
    {"employees", "职工总数", EYK_COUNT},
    {"tech_staff", "科技人员数", EYK_COUNT},
    {"rd_staff", "研发人员数", EYK_COUNT},
    {"sales_revenue", "销售收入", EYK_MONEY},
    {"total_revenue", "总收入", EYK_MONEY},
    {"main_revenue", "主营业务收入", EYK_MONEY},
    {"hitech_income", "高新技术产品（服务）收入", EYK_MONEY},
    {"rd_expense", "研发费用", EYK_MONEY},
    {"rd_domestic", "境内研发费用", EYK_MONEY},
    {"total_cost", "成本费用总额", EYK_MONEY},
    {"total_assets", "资产总额", EYK_MONEY},
    {"total_liabilities", "负债总额", EYK_MONEY},
    {"net_profit", "净利润", EYK_MONEY_SIGNED},
    {"equity_financing", "股权融资额", EYK_MONEY},
    {"tax_paid", "纳税总额", EYK_MONEY},
};

/* The merged row of ent_year_write as the cross-field rules read it. */
typedef struct EntYearRow {
    const unsigned char *has;
    const int64_t *v;
} EntYearRow;

static int ent_year_row_int(void *ctx, const char *key, int64_t *out)
{
    const EntYearRow *x = ctx;
    int i = ent_year_field_index(key);

    if (i < 0 || !x->has[i]) {
        return 0;
    }
    *out = x->v[i];
    return 1;
}

int ent_year_field_index(const char *name)
{
    int i;

    for (i = 0; name && i < ENT_YEAR_N_FIELDS; i++) {
        if (strcmp(name, ent_year_fields[i].name) == 0) {
            return i;
        }
    }
    return -1;
}

void ent_year_input_set(EntYearInput *in, int i, int64_t v)
{
    if (i >= 0 && i < ENT_YEAR_N_FIELDS) {
        in->state[i] = EY_SET;
        in->v[i] = v;
    }
}

/* Current year (UTC) of the clock. */
static int64_t ent_year_now(void)
{
    char now[CLOCK_ISO_LEN];

    clock_now_iso(now, 0);
    return (now[0] - '0') * 1000 + (now[1] - '0') * 100 + (now[2] - '0') * 10 +
           (now[3] - '0');
}

/* Range check of one value. */
static int ent_year_check_value(int i, int64_t v, Err *e)
{
    const EntYearField *f = &ent_year_fields[i];

    switch (f->kind) {
    case EYK_COUNT:
        if (v < 0 || v > ENT_YEAR_COUNT_MAX) {
            return err_set(e, ERR_INVALID, f->name, "%s应为 0～%lld 之间的整数",
                           f->label, (long long)ENT_YEAR_COUNT_MAX);
        }
        break;
    case EYK_MONEY:
        if (v < 0) {
            return err_set(e, ERR_INVALID, f->name, "%s不能为负数", f->label);
        }
        if (v > ENT_YEAR_MONEY_MAX) {
            return err_set(e, ERR_INVALID, f->name, "%s超出允许范围", f->label);
        }
        break;
    default:
        if (v > ENT_YEAR_MONEY_MAX || v < -ENT_YEAR_MONEY_MAX) {
            return err_set(e, ERR_INVALID, f->name, "%s超出允许范围", f->label);
        }
        break;
    }
    return 0;
}

/* Load the stored row: *found, values and nulls. */
static int ent_year_load(Db *db, int64_t ent, int64_t year, int *found,
                         int64_t *v, unsigned char *known, Err *e)
{
    Buf sql;
    DbStmt *st = NULL;
    int rc;
    int i;

    *found = 0;
    buf_init(&sql, 4096);
    buf_append_str(&sql, "SELECT ");
    for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
        buf_appendf(&sql, "%s%s", i ? ", " : "", ent_year_fields[i].name);
    }
    buf_append_str(&sql, " FROM enterprise_years WHERE enterprise_id = $1 "
                         "AND year = $2");
    rc = db_prepare_v(db, &st, e, sql.data, "ii", ent, year);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *found = 1;
        for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
            known[i] = !db_col_is_null(st, i);
            v[i] = db_col_int64(st, i);
        }
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
out:
    db_finalize(st);
    buf_release(&sql);
    return rc;
}

/* Bind provenance (kind, user, ref, at, verified) at $first..$first+4. */
static void ent_year_bind_src(DbStmt *st, int first, const Actor *a,
                              const EntSource *src, const char *now)
{
    db_bind_text(st, first, src->kind);
    db_bind_int64(st, first + 1, a->user_id);
    if (src->ref) {
        db_bind_int64(st, first + 2, src->ref);
    } else {
        db_bind_null(st, first + 2);
    }
    db_bind_text(st, first + 3, now);
    db_bind_int64(st, first + 4, src->verified ? 1 : 0);
}

int ent_year_write(Db *db, const Actor *a, int64_t enterprise_id,
                   const EntYearInput *in, const EntSource *src, int *created,
                   Err *e)
{
    static const EntSource dflt = {"user", 0, 0};
    int64_t old[ENT_YEAR_N_FIELDS];
    unsigned char known[ENT_YEAR_N_FIELDS];
    int64_t v[ENT_YEAR_N_FIELDS];
    unsigned char has[ENT_YEAR_N_FIELDS];
    char now[CLOCK_ISO_LEN];
    DbStmt *st = NULL;
    Buf sql;
    int found = 0;
    int n_written = 0;
    int rc;
    int i;

    buf_init(&sql, 8192);
    if (!src) {
        src = &dflt;
    }
    if (in->year < ENT_YEAR_MIN || in->year > ent_year_now()) {
        rc = err_set(e, ERR_INVALID, "year", "年度应在 %d～%lld 之间",
                     ENT_YEAR_MIN, (long long)ent_year_now());
        goto out;
    }
    memset(known, 0, sizeof known);
    rc = ent_year_load(db, enterprise_id, in->year, &found, old, known, e);
    if (rc) {
        goto out;
    }
    for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
        switch (in->state[i]) {
        case EY_SET:
            rc = ent_year_check_value(i, in->v[i], e);
            if (rc) {
                goto out;
            }
            has[i] = 1;
            v[i] = in->v[i];
            n_written++;
            break;
        case EY_CLEAR:
            has[i] = 0;
            v[i] = 0;
            n_written++;
            break;
        default:
            has[i] = known[i];
            v[i] = old[i];
            break;
        }
    }
    if (n_written == 0) {
        rc = err_set(e, ERR_INVALID, NULL, "没有要保存的年度数据");
        goto out;
    }
    {
        /* 科技人员数 <= 职工总数 and the rest, on the merged row; the
         * error goes on the field this write changed. */
        EntYearRow x = {has, v};
        RecRow row = {&x, ent_year_row_int, NULL};
        const RecRule *bad = NULL;
        rc = recrule_check(RECRULE_FIGURES, &row, NULL, &bad, e);
        if (rc) {
            char msg[sizeof e->msg];
            int f = ent_year_field_index(bad->a);
            const char *field =
                f >= 0 && in->state[f] == EY_KEEP ? bad->b : bad->a;
            snprintf(msg, sizeof msg, "%s", e->msg);
            rc = err_set(e, ERR_INVALID, field, "%d 年%s", (int)in->year, msg);
            goto out;
        }
    }
    clock_now_iso(now, 0);
    if (!found) {
        buf_append_str(&sql, "INSERT INTO enterprise_years (enterprise_id, "
                             "year");
        for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
            buf_appendf(&sql, ", %s", ent_year_fields[i].name);
        }
        buf_append_str(&sql, ", src_kind, src_user_id, src_ref, src_at, "
                             "verified, created_at, updated_at) VALUES ($1, "
                             "$2");
        for (i = 0; i < ENT_YEAR_N_FIELDS + 5; i++) {
            buf_appendf(&sql, ", $%d", i + 3);
        }
        buf_appendf(&sql, ", $%d, $%d)", ENT_YEAR_N_FIELDS + 6,
                    ENT_YEAR_N_FIELDS + 6);
    } else {
        buf_append_str(&sql, "UPDATE enterprise_years SET ");
        for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
            buf_appendf(&sql, "%s%s = $%d", i ? ", " : "",
                        ent_year_fields[i].name, i + 3);
        }
        if (n_written == ENT_YEAR_N_FIELDS) {
            /* The whole row comes from this source now. */
            buf_appendf(&sql,
                        ", src_kind = $%d, src_user_id = $%d, src_ref = $%d, "
                        "src_at = $%d, verified = $%d",
                        ENT_YEAR_N_FIELDS + 3, ENT_YEAR_N_FIELDS + 4,
                        ENT_YEAR_N_FIELDS + 5, ENT_YEAR_N_FIELDS + 6,
                        ENT_YEAR_N_FIELDS + 7);
        }
        buf_appendf(&sql,
                    ", updated_at = $%d WHERE enterprise_id = $1 AND year = "
                    "$2",
                    ENT_YEAR_N_FIELDS + 6);
    }
    if (sql.err) {
        rc = err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
        goto out;
    }
    rc = db_prepare(db, sql.data, &st, e);
    if (rc) {
        goto out;
    }
    db_bind_int64(st, 1, enterprise_id);
    db_bind_int64(st, 2, in->year);
    for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
        if (has[i]) {
            db_bind_int64(st, i + 3, v[i]);
        } else {
            db_bind_null(st, i + 3);
        }
    }
    if (!found || n_written == ENT_YEAR_N_FIELDS) {
        ent_year_bind_src(st, ENT_YEAR_N_FIELDS + 3, a, src, now);
    } else {
        db_bind_text(st, ENT_YEAR_N_FIELDS + 6, now);
    }
    rc = db_step(st, e);
    db_finalize(st);
    st = NULL;
    if (rc != DB_DONE) {
        goto out;
    }
    rc = 0;
    if (!found || n_written == ENT_YEAR_N_FIELDS) {
        rc = db_exec_v(db, e,
                       "DELETE FROM field_provenance WHERE enterprise_id = $1 "
                       "AND year = $2",
                       "ii", enterprise_id, in->year);
    } else {
        /* A partial update: the written fields get their own provenance. */
        for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
            if (in->state[i] == EY_KEEP) {
                continue;
            }
            rc =
                db_prepare(db,
                           "INSERT INTO field_provenance (enterprise_id, "
                           "year, field, src_kind, src_user_id, src_ref, "
                           "src_at, verified) VALUES ($1, $2, $3, $4, $5, "
                           "$6, $7, $8) ON CONFLICT (enterprise_id, year, "
                           "field) DO UPDATE SET src_kind = excluded.src_kind, "
                           "src_user_id = excluded.src_user_id, src_ref = "
                           "excluded.src_ref, src_at = excluded.src_at, "
                           "verified = excluded.verified",
                           &st, e);
            if (rc) {
                goto out;
            }
            db_bind_int64(st, 1, enterprise_id);
            db_bind_int64(st, 2, in->year);
            db_bind_text(st, 3, ent_year_fields[i].name);
            ent_year_bind_src(st, 4, a, src, now);
            rc = db_step(st, e);
            db_finalize(st);
            st = NULL;
            if (rc != DB_DONE) {
                goto out;
            }
            rc = 0;
        }
    }
    if (rc) {
        goto out;
    }
    rc = ent_refresh_latest(db, enterprise_id, e);
    if (rc == 0 && created) {
        *created = !found;
    }
out:
    db_finalize(st);
    buf_release(&sql);
    return rc;
}

/* JSON of one row's figures (values object) from a SELECT whose columns
 * start at col 0 with the fields in order. */
static json_t *ent_year_values_json(DbStmt *st, int first)
{
    json_t *o = json_object();
    int i;

    for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
        json_object_set_new(o, ent_year_fields[i].name,
                            db_col_is_null(st, first + i)
                                ? json_null()
                                : json_integer(db_col_int64(st, first + i)));
    }
    return o;
}

static json_t *ent_year_prov_json(DbStmt *st, int first)
{
    json_t *p = json_object();
    const char *kind = db_col_text(st, first);
    const char *at = db_col_text(st, first + 3);

    json_object_set_new(p, "source", json_string(kind ? kind : ""));
    json_object_set_new(p, "user_id",
                        db_col_is_null(st, first + 1)
                            ? json_null()
                            : json_integer(db_col_int64(st, first + 1)));
    json_object_set_new(p, "ref",
                        db_col_is_null(st, first + 2)
                            ? json_null()
                            : json_integer(db_col_int64(st, first + 2)));
    json_object_set_new(p, "at", json_string(at ? at : ""));
    json_object_set_new(p, "verified",
                        json_boolean(db_col_int64(st, first + 4) != 0));
    return p;
}

int ent_year_list(Db *db, const Actor *a, int64_t enterprise_id, json_t **items,
                  Err *e)
{
    char path[ACTOR_PATH_MAX];
    json_t *arr = json_array();
    DbStmt *st = NULL;
    Buf sql;
    size_t idx;
    json_t *row;
    int rc;
    int i;

    *items = NULL;
    buf_init(&sql, 4096);
    rc = ent_unit_path(db, enterprise_id, path, sizeof path, NULL, e);
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        rc = err_set(e, ERR_NOTFOUND, "id", "企业不存在");
    }
    if (rc) {
        goto out;
    }
    buf_append_str(&sql, "SELECT year");
    for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
        buf_appendf(&sql, ", %s", ent_year_fields[i].name);
    }
    buf_append_str(&sql, ", src_kind, src_user_id, src_ref, src_at, "
                         "verified, verified_by, verified_at FROM "
                         "enterprise_years WHERE enterprise_id = $1 ORDER BY "
                         "year DESC");
    rc = db_prepare_v(db, &st, e, sql.data, "i", enterprise_id);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "year", json_integer(db_col_int64(st, 0)));
        json_object_set_new(o, "values", ent_year_values_json(st, 1));
        json_object_set_new(o, "provenance",
                            ent_year_prov_json(st, ENT_YEAR_N_FIELDS + 1));
        json_object_set_new(o, "field_provenance", json_object());
        json_array_append_new(arr, o);
    }
    db_finalize(st);
    st = NULL;
    if (rc != DB_DONE) {
        goto out;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT year, field, src_kind, src_user_id, src_ref, "
                      "src_at, verified FROM field_provenance WHERE "
                      "enterprise_id = $1 AND year > 0",
                      "i", enterprise_id);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        int64_t y = db_col_int64(st, 0);
        json_array_foreach(arr, idx, row)
        {
            if (json_integer_value(json_object_get(row, "year")) == y) {
                json_object_set_new(json_object_get(row, "field_provenance"),
                                    db_col_text(st, 1),
                                    ent_year_prov_json(st, 2));
            }
        }
    }
    if (rc != DB_DONE) {
        goto out;
    }
    rc = 0;
    *items = arr;
    arr = NULL;
out:
    db_finalize(st);
    buf_release(&sql);
    json_decref(arr);
    return rc;
}

/* The row of (enterprise, year) as JSON for the audit entry, or NULL. */
static json_t *ent_year_audit_json(Db *db, const Actor *a, int64_t ent,
                                   int64_t year)
{
    json_t *items = NULL;
    json_t *out = NULL;
    size_t i;
    json_t *row;
    Err e;

    if (ent_year_list(db, a, ent, &items, &e) != 0) {
        return NULL;
    }
    json_array_foreach(items, i, row)
    {
        if (json_integer_value(json_object_get(row, "year")) == year) {
            out = json_incref(row);
            break;
        }
    }
    json_decref(items);
    return out;
}

int ent_year_upsert(Db *db, const Actor *a, int64_t enterprise_id,
                    const EntYearInput *in, const EntSource *src, Err *e)
{
    char path[ACTOR_PATH_MAX];
    json_t *before = NULL;
    json_t *after = NULL;
    int retired = 0;
    int rc;

    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改企业信息");
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = ent_unit_path(db, enterprise_id, path, sizeof path, &retired, e);
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        rc = err_set(e, ERR_NOTFOUND, "id", "企业不存在");
    }
    if (rc) {
        goto out;
    }
    if (retired) {
        rc = err_set(e, ERR_CONFLICT, "id", "企业已注销出库，不能修改");
        goto out;
    }
    before = ent_year_audit_json(db, a, enterprise_id, in->year);
    rc = ent_year_write(db, a, enterprise_id, in, src, NULL, e);
    if (rc) {
        goto out;
    }
    after = ent_year_audit_json(db, a, enterprise_id, in->year);
    rc = audit_record(db, a, "ent_year.upsert", "enterprise", enterprise_id,
                      path, before, after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}
