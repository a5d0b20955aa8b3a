/* ip.c - IP right types, classes and status codes. */
#include "domain/library/ip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/valid.h"
#include "domain/accounts/audit.h"
#include "domain/library/recrule.h"

/* term_years: 发明 20 years from filing, 实用新型 10, 外观设计 15 (patent
 * law as amended 2020, in force 2021-06-01; designs filed earlier have 10),
 * 植物新品种 15-20 (by genus; 15 used), 集成电路布图设计 10. Others have
 * no fixed term here (0). */
static const IpKind ip_kind_table[] = {
    {"invention", "发明专利", 1, 20},
    {"plant_variety", "植物新品种", 1, 15},
    {"crop_variety", "国家级农作物品种", 1, 0},
    {"new_drug", "国家新药", 1, 0},
    {"tcm_protected", "国家一级中药保护品种", 1, 0},
    {"ic_layout", "集成电路布图设计专有权", 1, 10},
    {"utility", "实用新型专利", 2, 10},
    {"design", "外观设计专利", 2, 15},
    {"software", "软件著作权", 2, 0},
};

#define IP_N_KINDS (int)(sizeof ip_kind_table / sizeof ip_kind_table[0])

const IpKind *ip_kinds(int *n)
{
    *n = IP_N_KINDS;
    return ip_kind_table;
}

const IpKind *ip_kind_find(const char *code)
{
    int i;

    for (i = 0; code && i < IP_N_KINDS; i++) {
        if (strcmp(code, ip_kind_table[i].code) == 0) {
            return &ip_kind_table[i];
        }
    }
    return NULL;
}

int ip_class_of(const char *code)
{
    const IpKind *k = ip_kind_find(code);

    return k ? k->klass : 0;
}

const char *ip_status_name(const char *code)
{
    if (!code) {
        return NULL;
    }
    if (strcmp(code, "valid") == 0) {
        return "有效";
    }
    if (strcmp(code, "lapsed") == 0) {
        return "失效";
    }
    if (strcmp(code, "transferred") == 0) {
        return "已转让";
    }
    return NULL;
}

const char *ip_acquisition_name(const char *code)
{
    if (!code) {
        return NULL;
    }
    if (strcmp(code, "self") == 0) {
        return "自主研发";
    }
    if (strcmp(code, "acquired") == 0) {
        return "受让、受赠或并购";
    }
    return NULL;
}

/* Optional date: "" when in is NULL or blank, else normalised ISO text. */
static int ip_date(const char *in, char out[DATE_ISO_SIZE], const char *field,
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

#define IP_COLS                                                                \
    "id, enterprise_id, kind, klass, defense, number, title, applied_on, "     \
    "granted_on, expires_on, status, acquisition, acquired_on, "               \
    "main_product, hnte_year, src_kind, src_at, verified, retired_at, "        \
    "retire_reason, created_at, updated_at"

static json_t *ip_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);

    return s ? json_string(s) : json_null();
}

/* JSON of a row of SELECT IP_COLS; today decides "counts_valid". */
static json_t *ip_row_json(DbStmt *st, const char *today)
{
    json_t *o = json_object();
    const IpKind *k = ip_kind_find(db_col_text(st, 2));
    const char *status = db_col_text(st, 10);
    const char *acq = db_col_text(st, 11);
    const char *exp = db_col_text(st, 9);
    int valid = status && strcmp(status, "valid") == 0 &&
                db_col_is_null(st, 18) && (!exp || strcmp(exp, today) >= 0);

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "enterprise_id", json_integer(db_col_int64(st, 1)));
    json_object_set_new(o, "kind", ip_text(st, 2));
    json_object_set_new(o, "kind_name", json_string(k ? k->name : "未知类型"));
    json_object_set_new(o, "klass", json_integer(db_col_int64(st, 3)));
    json_object_set_new(o, "klass_name",
                        json_string(db_col_int64(st, 3) == 1 ? "Ⅰ类" : "Ⅱ类"));
    json_object_set_new(o, "defense", json_boolean(db_col_int64(st, 4)));
    json_object_set_new(o, "number", ip_text(st, 5));
    json_object_set_new(o, "title", ip_text(st, 6));
    json_object_set_new(o, "applied_on", ip_text(st, 7));
    json_object_set_new(o, "granted_on", ip_text(st, 8));
    json_object_set_new(o, "expires_on", ip_text(st, 9));
    json_object_set_new(o, "status", ip_text(st, 10));
    json_object_set_new(
        o, "status_name",
        json_string(ip_status_name(status) ? ip_status_name(status) : ""));
    json_object_set_new(o, "acquisition", ip_text(st, 11));
    json_object_set_new(
        o, "acquisition_name",
        json_string(ip_acquisition_name(acq) ? ip_acquisition_name(acq) : ""));
    json_object_set_new(o, "acquired_on", ip_text(st, 12));
    json_object_set_new(o, "main_product",
                        db_col_is_null(st, 13)
                            ? json_null()
                            : json_boolean(db_col_int64(st, 13)));
    json_object_set_new(o, "hnte_year",
                        db_col_is_null(st, 14)
                            ? json_null()
                            : json_integer(db_col_int64(st, 14)));
    json_object_set_new(o, "source", ip_text(st, 15));
    json_object_set_new(o, "source_at", ip_text(st, 16));
    json_object_set_new(o, "verified", json_boolean(db_col_int64(st, 17)));
    json_object_set_new(o, "retired", json_boolean(!db_col_is_null(st, 18)));
    json_object_set_new(o, "retire_reason", ip_text(st, 19));
    json_object_set_new(o, "counts_valid", json_boolean(valid));
    json_object_set_new(o, "created_at", ip_text(st, 20));
    json_object_set_new(o, "updated_at", ip_text(st, 21));
    return o;
}

static int ip_read(Db *db, int64_t id, json_t **out, Err *e)
{
    char today[DATE_ISO_SIZE];
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    date_format_iso(date_today(), today);
    rc = db_prepare_v(
        db, &st, e, "SELECT " IP_COLS " FROM ip_rights WHERE id = $1", "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "知识产权不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    *out = ip_row_json(st, today);
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

/* Validated, normalised fields of a new right. */
typedef struct IpRec {
    const IpKind *kind;
    char number[IP_NUMBER_MAX * 4 + 1];
    char title[IP_TITLE_MAX * 4 + 1];
    char applied[DATE_ISO_SIZE];
    char granted[DATE_ISO_SIZE];
    char expires[DATE_ISO_SIZE];
    char acquired[DATE_ISO_SIZE];
    const char *status;
    const char *acquisition;
} IpRec;

/* The right being checked, as the cross-field rules read it. */
typedef struct IpRow {
    const IpInput *in;
    const IpRec *r;
} IpRow;

static const char *ip_row_text(void *ctx, const char *key)
{
    const IpRow *x = ctx;

    if (strcmp(key, "kind") == 0) {
        return x->r->kind->code;
    }
    if (strcmp(key, "applied_on") == 0) {
        return x->r->applied;
    }
    if (strcmp(key, "granted_on") == 0) {
        return x->r->granted;
    }
    if (strcmp(key, "expires_on") == 0) {
        return x->r->expires;
    }
    if (strcmp(key, "acquired_on") == 0) {
        return x->r->acquired;
    }
    if (strcmp(key, "acquisition") == 0) {
        return x->r->acquisition;
    }
    return NULL;
}

static int ip_row_int(void *ctx, const char *key, int64_t *out)
{
    const IpRow *x = ctx;

    if (strcmp(key, "defense") == 0) {
        *out = x->in->defense ? 1 : 0;
        return 1;
    }
    return 0;
}

static int ip_check(const IpInput *in, IpRec *r, Err *e)
{
    IpRow x = {in, r};
    RecRow row = {&x, ip_row_int, ip_row_text};
    int rc;

    r->kind = ip_kind_find(in->kind);
    if (!r->kind) {
        return err_set(e, ERR_INVALID, "kind",
                       "知识产权类型应为 invention、utility、design、software、"
                       "plant_variety、crop_variety、new_drug、"
                       "tcm_protected 或 ic_layout");
    }
    rc = valid_text(in->number, 1, IP_NUMBER_MAX, r->number, sizeof r->number,
                    "number", "知识产权编号", e);
    if (rc == 0) {
        rc = valid_text(in->title, 1, IP_TITLE_MAX, r->title, sizeof r->title,
                        "title", "知识产权名称", e);
    }
    if (rc == 0) {
        rc = ip_date(in->applied_on, r->applied, "applied_on", "申请日", e);
    }
    if (rc == 0) {
        rc = ip_date(in->granted_on, r->granted, "granted_on", "授权日", e);
    }
    if (rc == 0) {
        rc = ip_date(in->expires_on, r->expires, "expires_on", "到期日", e);
    }
    if (rc == 0) {
        rc =
            ip_date(in->acquired_on, r->acquired, "acquired_on", "受让日期", e);
    }
    if (rc) {
        return rc;
    }
    r->status = in->status && *in->status ? in->status : "valid";
    if (!ip_status_name(r->status)) {
        return err_set(e, ERR_INVALID, "status",
                       "状态应为 valid（有效）、lapsed（失效）或 "
                       "transferred（已转让）");
    }
    r->acquisition =
        in->acquisition && *in->acquisition ? in->acquisition : "self";
    if (!ip_acquisition_name(r->acquisition)) {
        return err_set(e, ERR_INVALID, "acquisition",
                       "获得方式应为 self（自主研发）或 acquired（受让等）");
    }
    /* defense only for inventions, the dates in order, 受让日期 only for
     * acquired rights */
    rc = recrule_check(RECRULE_IP, &row, NULL, NULL, e);
    if (rc) {
        return rc;
    }
    if (!r->expires[0] && r->applied[0] && r->kind->term_years) {
        Date d, xd;
        int y, m, dd;
        if (date_parse(r->applied, &d, "applied_on", e) == 0) {
            date_to_ymd(d, &y, &m, &dd);
            if (m == 2 && dd == 29) {
                dd = 28;
            }
            if (date_from_ymd(y + r->kind->term_years, m, dd, &xd, NULL, e) ==
                0) {
                date_format_iso(date_add_days(xd, -1), r->expires);
            }
        }
        err_clear(e);
    }
    if (in->hnte_year && (in->hnte_year < 2008 || in->hnte_year > 2999)) {
        return err_set(e, ERR_INVALID, "hnte_year",
                       "用于高企申报的年份应在 2008～2999 之间");
    }
    return 0;
}

int ip_create(Db *db, const Actor *a, int64_t enterprise_id, const IpInput *in,
              const EntSource *src, int64_t *id_out, Err *e)
{
    static const EntSource dflt = {"user", 0, 0};
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *after = NULL;
    DbStmt *st = NULL;
    IpRec r;
    int64_t n = 0;
    int64_t id = 0;
    int rc;

    if (!src) {
        src = &dflt;
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改企业信息");
    }
    memset(&r, 0, sizeof r);
    rc = ip_check(in, &r, e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = ent_writable_path(db, a, enterprise_id, path, sizeof path, e);
    if (rc) {
        goto out;
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM ip_rights WHERE enterprise_id = "
                        "$1 AND kind = $2 AND number = $3",
                        "itt", enterprise_id, r.kind->code, r.number);
    if (rc) {
        goto out;
    }
    if (n > 0) {
        rc = err_set(e, ERR_CONFLICT, "number", "该企业已登记%s %s",
                     r.kind->name, r.number);
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_prepare(db,
                    "INSERT INTO ip_rights (enterprise_id, kind, klass, "
                    "defense, number, title, applied_on, granted_on, "
                    "expires_on, status, acquisition, acquired_on, "
                    "main_product, hnte_year, src_kind, src_user_id, src_ref, "
                    "src_at, verified, created_at, updated_at) VALUES ($1, $2, "
                    "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                    "$16, $17, $18, $19, $18, $18) RETURNING id",
                    &st, e);
    if (rc) {
        goto out;
    }
    db_bind_int64(st, 1, enterprise_id);
    db_bind_text(st, 2, r.kind->code);
    db_bind_int64(st, 3, r.kind->klass);
    db_bind_int64(st, 4, in->defense ? 1 : 0);
    db_bind_text(st, 5, r.number);
    db_bind_text(st, 6, r.title);
    db_bind_text(st, 7, r.applied[0] ? r.applied : NULL);
    db_bind_text(st, 8, r.granted[0] ? r.granted : NULL);
    db_bind_text(st, 9, r.expires[0] ? r.expires : NULL);
    db_bind_text(st, 10, r.status);
    db_bind_text(st, 11, r.acquisition);
    db_bind_text(st, 12, r.acquired[0] ? r.acquired : NULL);
    if (in->main_product >= 0) {
        db_bind_int64(st, 13, in->main_product ? 1 : 0);
    } else {
        db_bind_null(st, 13);
    }
    if (in->hnte_year) {
        db_bind_int64(st, 14, in->hnte_year);
    } else {
        db_bind_null(st, 14);
    }
    db_bind_text(st, 15, src->kind);
    db_bind_int64(st, 16, a->user_id);
    if (src->ref) {
        db_bind_int64(st, 17, src->ref);
    } else {
        db_bind_null(st, 17);
    }
    db_bind_text(st, 18, now);
    db_bind_int64(st, 19, src->verified ? 1 : 0);
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
    /* Keep the list's "valid class-Ⅰ right" column in step. */
    rc = ent_refresh_derived(db, enterprise_id, enterprise_id, ENT_DERIVED_IP1,
                             e);
    if (rc == 0) {
        rc = ip_read(db, id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "ip.create", "enterprise", enterprise_id, path,
                          NULL, after, e);
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
    db_finalize(st);
    json_decref(after);
    return rc;
}

int ip_update(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
              const IpInput *in, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL, *after = NULL;
    int64_t retired = -1, n = 0;
    IpRec r;
    int rc;

    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改企业信息");
    }
    memset(&r, 0, sizeof r);
    rc = ip_check(in, &r, e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = ent_writable_path(db, a, enterprise_id, path, sizeof path, e);
    if (rc == 0) {
        rc = db_query_int64(db, &retired, e,
                            "SELECT retired_at IS NOT NULL FROM ip_rights "
                            "WHERE id = $1 AND enterprise_id = $2",
                            "ii", id, enterprise_id);
        if (rc == ERR_NOTFOUND) {
            rc = err_set(e, ERR_NOTFOUND, "ip_id", "知识产权不存在");
        }
    }
    if (rc == 0 && retired) {
        rc = err_set(e, ERR_CONFLICT, "ip_id", "已删除的知识产权不能修改");
    }
    if (rc == 0) {
        rc =
            db_query_int64(db, &n, e,
                           "SELECT COUNT(*) FROM ip_rights WHERE enterprise_id "
                           "= $1 AND kind = $2 AND number = $3 AND id <> $4",
                           "itti", enterprise_id, r.kind->code, r.number, id);
    }
    if (rc == 0 && n > 0) {
        rc = err_set(e, ERR_CONFLICT, "number", "该企业已登记%s %s",
                     r.kind->name, r.number);
    }
    if (rc == 0) {
        rc = ip_read(db, id, &before, e);
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(
            db, e,
            "UPDATE ip_rights SET kind = $1, klass = $2, defense = $3, "
            "number = $4, title = $5, applied_on = $6, granted_on = $7, "
            "expires_on = $8, status = $9, acquisition = $10, acquired_on = "
            "$11, main_product = NULLIF($12, -1), hnte_year = NULLIF($13, 0), "
            "src_kind = "
            "'user', "
            "src_user_id = $14, src_ref = NULL, src_at = $15, verified = 0, "
            "updated_at = $15 WHERE id = $16",
            "tiitttttttti"
            "iiti",
            r.kind->code, (int64_t)r.kind->klass, (int64_t)(in->defense != 0),
            r.number, r.title, r.applied[0] ? r.applied : NULL,
            r.granted[0] ? r.granted : NULL, r.expires[0] ? r.expires : NULL,
            r.status, r.acquisition, r.acquired[0] ? r.acquired : NULL,
            (int64_t)(in->main_product < 0 ? -1 : in->main_product != 0),
            in->hnte_year, a->user_id, now, id);
    }
    /* Keep the list's "valid class-Ⅰ right" column in step. */
    if (rc == 0) {
        rc = ent_refresh_derived(db, enterprise_id, enterprise_id,
                                 ENT_DERIVED_IP1, e);
    }
    if (rc == 0) {
        rc = ip_read(db, id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "ip.update", "enterprise", enterprise_id, path,
                          before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

static const EntChildKind ip_child = {
    "UPDATE ip_rights SET retired_at = $1, retire_reason = $2, "
    "updated_at = $1 WHERE id = $3",
    ip_read, "ip.retire", "知识产权不存在", "该知识产权已删除"};

int ip_retire(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
              const char *reason, Err *e)
{
    return ent_child_retire(db, a, &ip_child, enterprise_id, id, reason, e);
}

int ip_list(Db *db, const Actor *a, int64_t enterprise_id, int include_retired,
            json_t **items, Err *e)
{
    char today[DATE_ISO_SIZE];
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
    date_format_iso(date_today(), today);
    rc = db_prepare_v(db, &st, e,
                      "SELECT " IP_COLS " FROM ip_rights WHERE enterprise_id = "
                      "$1 AND ($2 = 1 OR retired_at IS NULL) ORDER BY "
                      "(applied_on IS NULL), applied_on DESC, id DESC",
                      "ii", enterprise_id, (int64_t)(include_retired != 0));
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(arr, ip_row_json(st, today));
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
