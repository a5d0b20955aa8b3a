/* pool.c - 一池四库 and matchmaking (see pool.h). */
#include "domain/market/pool.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/uscc.h"
#include "base/utf8.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/scope.h"
#include "domain/io/import.h"
#include "domain/market/contract.h"
#include "domain/market/pool_tix.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

enum { PT_TEXT = 0, PT_FIELD, PT_MONEY, PT_DATE, PT_USCC, PT_ENUM };

static const struct {
    const char *key;
    int type;
    size_t max;
} pool_cols[POOL_NCOLS] = {
    {"subkind", PT_ENUM, 40},         {"title", PT_TEXT, 200},
    {"org_name", PT_TEXT, 100},       {"uscc", PT_USCC, 40},
    {"field", PT_FIELD, 8},           {"industry_code", PT_TEXT, 10},
    {"summary", PT_TEXT, 2000},       {"maturity", PT_ENUM, 20},
    {"modes", PT_TEXT, 200},          {"ip_numbers", PT_TEXT, 500},
    {"qualifications", PT_TEXT, 500}, {"price", PT_MONEY, 40},
    {"deadline", PT_DATE, 32},        {"contact_name", PT_TEXT, 50},
    {"contact_phone", PT_TEXT, 50},   {"status", PT_ENUM, 10},
};

typedef struct PoolOpt {
    const char *code, *name;
} PoolOpt;

static const PoolOpt opt_holder[] = {{"university", "高校"},
                                     {"institute", "科研院所"},
                                     {"enterprise", "企业"},
                                     {"individual", "个人"},
                                     {NULL, NULL}};
static const PoolOpt opt_demand[] = {{"problem", "技术难题"},
                                     {"cooperation", "合作研发"},
                                     {"purchase", "成果引进"},
                                     {NULL, NULL}};
static const PoolOpt opt_inst[] = {{"transfer", "技术转移机构"},
                                   {"broker", "技术经纪"},
                                   {"testing", "检验检测"},
                                   {"ip_service", "知识产权服务"},
                                   {"incubator", "孵化器、众创空间"},
                                   {"finance", "科技金融"},
                                   {NULL, NULL}};
static const PoolOpt opt_resource[] = {{"instrument", "大型科学仪器"},
                                       {"lab", "实验室、研发平台"},
                                       {"expert", "专家"},
                                       {NULL, NULL}};
static const PoolOpt opt_maturity[] = {{"lab", "实验室阶段"},
                                       {"pilot_small", "小试"},
                                       {"pilot", "中试"},
                                       {"industrial", "产业化"},
                                       {NULL, NULL}};
static const PoolOpt opt_status[] = {
    {"open", "有效"}, {"closed", "已结束"}, {NULL, NULL}};

typedef struct PoolKind {
    const char *code, *name;
    const PoolOpt *subkinds;
    const char *titles[POOL_NCOLS]; /* NULL: not used */
    unsigned required;              /* bit per column */
} PoolKind;

#define R(c) (1u << (c))

static const PoolKind pool_kinds[] = {
    {"achievement",
     "成果库",
     opt_holder,
     {"持有方类型", "成果名称", "持有方", "持有方统一社会信用代码", "技术领域",
      "行业代码", "成果简介", "成熟度", "转化方式", "关联知识产权", NULL,
      "意向价格（万元）", NULL, "联系人", "联系电话", "状态"},
     R(POOL_TITLE) | R(POOL_ORG_NAME) | R(POOL_SUBKIND)},
    {"demand",
     "需求库",
     opt_demand,
     {"需求类型", "需求名称", "需求企业", "企业统一社会信用代码", "技术领域",
      "行业代码", "需求描述", NULL, "合作方式", NULL, NULL, "预算（万元）",
      "截止日期", "联系人", "联系电话", "状态"},
     R(POOL_TITLE) | R(POOL_ORG_NAME) | R(POOL_SUMMARY)},
    {"institution",
     "服务机构库",
     opt_inst,
     {"机构类型", "机构名称", NULL, "统一社会信用代码", "服务领域", NULL,
      "服务内容", NULL, NULL, NULL, "资质", NULL, NULL, "联系人", "联系电话",
      "状态"},
     R(POOL_TITLE) | R(POOL_SUBKIND)},
    {"resource",
     "创新资源库",
     opt_resource,
     {"资源类型", "名称", "所属单位", "所属单位统一社会信用代码", "技术领域",
      NULL, "简介、专长", NULL, "共享方式", NULL, "资质", "收费标准（万元）",
      NULL, "联系人", "联系电话", "状态"},
     R(POOL_TITLE) | R(POOL_SUBKIND)},
};

static const PoolKind *pool_kind(const char *code)
{
    size_t i;

    for (i = 0; code && i < N_OF(pool_kinds); i++) {
        if (strcmp(code, pool_kinds[i].code) == 0) {
            return &pool_kinds[i];
        }
    }
    return NULL;
}

const char *pool_col_key(int c)
{
    return c >= 0 && c < POOL_NCOLS ? pool_cols[c].key : NULL;
}

int pool_kind_valid(const char *kind)
{
    return pool_kind(kind) != NULL;
}

const char *pool_kind_name(const char *kind)
{
    const PoolKind *k = pool_kind(kind);
    return k ? k->name : NULL;
}

const char *pool_col_title(const char *kind, int c)
{
    const PoolKind *k = pool_kind(kind);
    return k && c >= 0 && c < POOL_NCOLS ? k->titles[c] : NULL;
}

static const PoolOpt *pool_opts(const PoolKind *k, int c)
{
    if (c == POOL_SUBKIND) {
        return k->subkinds;
    }
    if (c == POOL_MATURITY) {
        return opt_maturity;
    }
    if (c == POOL_STATUS) {
        return opt_status;
    }
    return NULL;
}

static const char *pool_opt_code(const PoolOpt *o, const char *s)
{
    for (; o && o->code; o++) {
        if (strcmp(s, o->code) == 0 || strcmp(s, o->name) == 0) {
            return o->code;
        }
    }
    return NULL;
}

static const char *pool_opt_name(const PoolOpt *o, const char *code)
{
    for (; o && code && o->code; o++) {
        if (strcmp(code, o->code) == 0) {
            return o->name;
        }
    }
    return NULL;
}

void pool_titles(const char *kind, const char **titles, int *cols, int *n)
{
    const PoolKind *k = pool_kind(kind);
    int c;

    *n = 0;
    for (c = 0; k && c < POOL_NCOLS; c++) {
        if (k->titles[c]) {
            titles[*n] = k->titles[c];
            cols[*n] = c;
            (*n)++;
        }
    }
}

json_t *pool_reference_json(void)
{
    json_t *kinds = json_array();
    size_t i;
    int c;

    for (i = 0; i < N_OF(pool_kinds); i++) {
        const PoolKind *k = &pool_kinds[i];
        json_t *cols = json_array();
        for (c = 0; c < POOL_NCOLS; c++) {
            const PoolOpt *o = pool_opts(k, c);
            json_t *opts = json_null();
            if (!k->titles[c]) {
                continue;
            }
            if (o || c == POOL_FIELD) {
                opts = json_array();
                for (; o && o->code; o++) {
                    json_array_append_new(opts,
                                          json_pack("{ssss}", "value", o->code,
                                                    "label", o->name));
                }
                if (c == POOL_FIELD) {
                    int f;
                    for (f = 1; f <= CONTRACT_FIELD_COUNT; f++) {
                        json_array_append_new(
                            opts, json_pack("{sIss}", "value", (json_int_t)f,
                                            "label", contract_field_name(f)));
                    }
                }
            }
            json_array_append_new(
                cols, json_pack("{sssssbso}", "key", pool_cols[c].key, "label",
                                k->titles[c], "required",
                                (k->required & R(c)) != 0, "options", opts));
        }
        json_array_append_new(kinds,
                              json_pack("{sssssO}", "value", k->code, "label",
                                        k->name, "columns", cols));
        json_decref(cols);
    }
    return json_pack("{so}", "kinds", kinds);
}

/* ---- validation ---- */

/* A checked item: values as stored (text or integer). */
typedef struct PoolRec {
    const char *s[POOL_NCOLS];
    int64_t i[POOL_NCOLS];
    int set[POOL_NCOLS];
    char uscc[19];
    char date[11];
} PoolRec;

static int pool_check_col(const PoolKind *k, int c, const char *v, PoolRec *r,
                          Err *e)
{
    const char *key = pool_cols[c].key;
    const char *title = k->titles[c] ? k->titles[c] : key;
    size_t n, bad;
    Err le;

    r->set[c] = 0;
    r->s[c] = NULL;
    if (!v || !*v) {
        if (k->required & R(c)) {
            return err_set(e, ERR_INVALID, key, "请填写%s", title);
        }
        return 0;
    }
    if (!k->titles[c]) {
        return err_set(e, ERR_INVALID, key, "%s没有“%s”这一项", k->name, key);
    }
    n = strlen(v);
    if (!utf8_validate(v, n, &bad)) {
        return err_set(e, ERR_INVALID, key, "%s含有无效字符", title);
    }
    if (utf8_count_chars(v, n) > pool_cols[c].max) {
        return err_set(e, ERR_INVALID, key, "%s不能超过 %zu 个字", title,
                       pool_cols[c].max);
    }
    switch (pool_cols[c].type) {
    case PT_ENUM: {
        const char *code = pool_opt_code(pool_opts(k, c), v);
        if (!code) {
            return err_set(e, ERR_INVALID, key, "%s“%s”不是可选的值", title, v);
        }
        r->s[c] = code;
        break;
    }
    case PT_FIELD:
        r->i[c] = contract_field_code(v);
        if (!r->i[c]) {
            return err_set(e, ERR_INVALID, key, "未知的技术领域“%s”", v);
        }
        break;
    case PT_MONEY:
        if (money_parse_wan(v, &r->i[c], 0, key, &le)) {
            return err_set(e, ERR_INVALID, key, "%s：%s", title, le.msg);
        }
        break;
    case PT_DATE: {
        Date d;
        if (date_parse(v, &d, key, &le)) {
            return err_set(e, ERR_INVALID, key, "%s：%s", title, le.msg);
        }
        date_format_iso(d, r->date);
        r->s[c] = r->date;
        break;
    }
    case PT_USCC:
        if (uscc_normalize(v, r->uscc, &le)) {
            return err_set(e, ERR_INVALID, key, "%s：%s", title, le.msg);
        }
        r->s[c] = r->uscc;
        break;
    default:
        r->s[c] = v;
    }
    r->set[c] = 1;
    return 0;
}

/* The enterprise of the item (by USCC, else by the org name when it is a
 * unique current name) and the unit it belongs to. */
static int pool_links(Db *db, const PoolRec *r, int64_t *ent, int64_t *unit,
                      char *path, size_t cap, Err *e)
{
    DbStmt *st = NULL;
    char *p = NULL;
    int rc;

    *ent = 0;
    *unit = 0;
    if (r->set[POOL_USCC]) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, unit_id FROM enterprises WHERE uscc = $1",
                          "t", r->s[POOL_USCC]);
    } else {
        rc =
            db_prepare_v(db, &st, e,
                         "SELECT id, unit_id FROM enterprises WHERE name = "
                         "$1 LIMIT 2",
                         "t", r->set[POOL_ORG_NAME] ? r->s[POOL_ORG_NAME] : "");
    }
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0), u = db_col_int64(st, 1);
        if ((rc = db_step(st, e)) == DB_DONE) {
            *ent = id;
            *unit = u;
        }
    }
    rc = rc == DB_ROW || rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    if (rc == 0 && !*unit) {
        rc = db_query_int64(db, unit, e,
                            "SELECT id FROM org_units WHERE parent_id IS NULL "
                            "ORDER BY id LIMIT 1",
                            "");
    }
    if (rc == 0) {
        rc = db_query_text(
            db, &p, e, "SELECT path FROM org_units WHERE id = $1", "i", *unit);
        snprintf(path, cap, "%s", p ? p : "");
        free(p);
    }
    return rc;
}

static void pool_bind_rec(DbStmt *st, int base, const PoolRec *r)
{
    int c;

    for (c = 0; c < POOL_NCOLS; c++) {
        int t = pool_cols[c].type;
        if (!r->set[c]) {
            if (c == POOL_STATUS) {
                db_bind_text(st, base + c, "open");
            } else {
                db_bind_null(st, base + c);
            }
        } else if (t == PT_FIELD || t == PT_MONEY) {
            db_bind_int64(st, base + c, r->i[c]);
        } else {
            db_bind_text(st, base + c, r->s[c]);
        }
    }
}

static json_t *pool_rec_json(const PoolRec *r)
{
    json_t *o = json_object();
    int c;

    for (c = 0; c < POOL_NCOLS; c++) {
        int t = pool_cols[c].type;
        if (!r->set[c]) {
            continue;
        }
        json_object_set_new(o, pool_cols[c].key,
                            t == PT_FIELD || t == PT_MONEY
                                ? json_integer(r->i[c])
                                : json_string(r->s[c]));
    }
    return o;
}

/* Insert a checked record (inside the caller's transaction). */
static int pool_insert(Db *db, const Actor *a, const PoolKind *k,
                       const PoolRec *r, int64_t *id, json_t **after, Err *e)
{
    char now[CLOCK_ISO_LEN], path[ACTOR_PATH_MAX];
    int64_t ent = 0, unit = 0;
    DbStmt *st = NULL;
    int rc;

    rc = pool_links(db, r, &ent, &unit, path, sizeof path, e);
    if (rc) {
        return rc;
    }
    if (!actor_sees_path(a, path)) {
        return err_set(e, ERR_FORBIDDEN, "org_name",
                       "该企业不在本单位管辖范围内");
    }
    clock_now_iso(now, 0);
    rc = db_prepare(db,
                    "INSERT INTO market_items (kind, subkind, title, org_name, "
                    "uscc, field, industry_code, summary, maturity, modes, "
                    "ip_numbers, qualifications, price, deadline, "
                    "contact_name, contact_phone, status, ent_id, unit_id, "
                    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, "
                    "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
                    "$19, $20, $20) RETURNING id",
                    &st, e);
    if (rc) {
        return rc;
    }
    db_bind_text(st, 1, k->code);
    pool_bind_rec(st, 2, r);
    if (ent) {
        db_bind_int64(st, 18, ent);
    } else {
        db_bind_null(st, 18);
    }
    db_bind_int64(st, 19, unit);
    db_bind_text(st, 20, now);
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *id = db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    if (rc == 0) {
        *after = pool_rec_json(r);
        json_object_set_new(*after, "kind", json_string(k->code));
        rc = audit_record(db, a, "pool.create", "market_item", *id, path, NULL,
                          *after, e);
    }
    return rc;
}

static int pool_check(const PoolKind *k, const PoolInput *in, PoolRec *r,
                      Err *e)
{
    int c, rc = 0;

    memset(r, 0, sizeof *r);
    for (c = 0; rc == 0 && c < POOL_NCOLS; c++) {
        rc = pool_check_col(k, c, in->v[c], r, e);
    }
    return rc;
}

int pool_create(Db *db, const Actor *a, const char *kind, const PoolInput *in,
                int64_t *id_out, Err *e)
{
    const PoolKind *k = pool_kind(kind);
    json_t *after = NULL;
    PoolRec r;
    int rc;

    *id_out = 0;
    if (!k) {
        return err_set(e, ERR_INVALID, "kind",
                       "kind 应为 achievement、demand、institution 或 "
                       "resource");
    }
    rc = pool_check(k, in, &r, e);
    if (rc == 0) {
        rc = db_begin(db, e);
    }
    if (rc) {
        return rc;
    }
    rc = pool_insert(db, a, k, &r, id_out, &after, e);
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        *id_out = 0;
    }
    json_decref(after);
    return rc;
}

#define POOL_SELECT                                                            \
    "SELECT i.id, i.kind, i.subkind, i.title, i.org_name, i.uscc, i.field, "   \
    "i.industry_code, i.summary, i.maturity, i.modes, i.ip_numbers, "          \
    "i.qualifications, i.price, i.deadline, i.contact_name, "                  \
    "i.contact_phone, i.status, i.ent_id, i.unit_id, o.name, o.path, "         \
    "i.retired_at, i.retire_reason, i.created_at, i.updated_at FROM "          \
    "market_items i JOIN org_units o ON o.id = i.unit_id "

static json_t *pool_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? json_string(s) : json_null();
}

static json_t *pool_row_json(DbStmt *st)
{
    const PoolKind *k = pool_kind(db_col_text(st, 1));
    json_t *o = json_object();
    int c;

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "kind", pool_text(st, 1));
    for (c = 0; c < POOL_NCOLS; c++) {
        int col = 2 + c;
        int t = pool_cols[c].type;
        if (db_col_is_null(st, col)) {
            json_object_set_new(o, pool_cols[c].key, json_null());
        } else if (t == PT_FIELD || t == PT_MONEY) {
            json_object_set_new(o, pool_cols[c].key,
                                json_integer(db_col_int64(st, col)));
        } else {
            json_object_set_new(o, pool_cols[c].key, pool_text(st, col));
        }
    }
    if (k) {
        const char *sn = pool_opt_name(k->subkinds, db_col_text(st, 2));
        json_object_set_new(o, "subkind_name",
                            sn ? json_string(sn) : json_null());
    }
    json_object_set_new(
        o, "maturity_name",
        pool_opt_name(opt_maturity, db_col_text(st, 2 + POOL_MATURITY))
            ? json_string(pool_opt_name(opt_maturity,
                                        db_col_text(st, 2 + POOL_MATURITY)))
            : json_null());
    json_object_set_new(o, "field_name",
                        db_col_is_null(st, 2 + POOL_FIELD)
                            ? json_null()
                            : json_string(contract_field_name(
                                  db_col_int64(st, 2 + POOL_FIELD))));
    if (!db_col_is_null(st, 2 + POOL_PRICE)) {
        Buf b;
        buf_init(&b, 64);
        money_format_wan(db_col_int64(st, 2 + POOL_PRICE), &b);
        json_object_set_new(o, "price_wan", json_string(b.data));
        buf_release(&b);
    }
    json_object_set_new(o, "ent_id",
                        db_col_is_null(st, 18)
                            ? json_null()
                            : json_integer(db_col_int64(st, 18)));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 19)));
    json_object_set_new(o, "unit_name", pool_text(st, 20));
    json_object_set_new(o, "retired", json_boolean(!db_col_is_null(st, 22)));
    json_object_set_new(o, "retire_reason", pool_text(st, 23));
    json_object_set_new(o, "created_at", pool_text(st, 24));
    json_object_set_new(o, "updated_at", pool_text(st, 25));
    return o;
}

/* The item id as JSON and its unit path (NULL outside a's scope). */
static int pool_load(Db *db, const Actor *a, int64_t id, json_t **out,
                     char *path, size_t cap, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e, POOL_SELECT "WHERE i.id = $1", "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW && actor_sees_path(a, db_col_text(st, 21))) {
            *out = pool_row_json(st);
            if (path) {
                snprintf(path, cap, "%s", db_col_text(st, 21));
            }
            rc = 0;
        } else if (rc == DB_ROW || rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "id", "记录不存在");
        }
    }
    db_finalize(st);
    return rc;
}

int pool_update(Db *db, const Actor *a, int64_t id, const PoolInput *in,
                int retire, const char *reason, Err *e)
{
    char path[ACTOR_PATH_MAX], now[CLOCK_ISO_LEN];
    json_t *old = NULL, *before = json_object(), *after = json_object();
    const PoolKind *k;
    PoolRec r;
    int c, rc;

    rc = db_begin(db, e);
    if (rc) {
        goto out0;
    }
    rc = pool_load(db, a, id, &old, path, sizeof path, e);
    if (rc) {
        goto out;
    }
    k = pool_kind(json_string_value(json_object_get(old, "kind")));
    clock_now_iso(now, 0);
    if (retire) {
        if (!reason || !*reason) {
            rc = err_set(e, ERR_INVALID, "retire_reason", "请填写删除原因");
            goto out;
        }
        rc = db_exec_v(db, e,
                       "UPDATE market_items SET retired_at = $2, "
                       "retire_reason = $3, updated_at = $2 WHERE id = $1",
                       "itt", id, now, reason);
        json_object_set_new(after, "retire_reason", json_string(reason));
        if (rc == 0) {
            rc = audit_record(db, a, "pool.retire", "market_item", id, path,
                              NULL, after, e);
        }
        goto commit;
    }
    memset(&r, 0, sizeof r);
    for (c = 0; c < POOL_NCOLS; c++) {
        const char *key = pool_cols[c].key;
        int t = pool_cols[c].type;
        DbStmt *st = NULL;
        Buf sql;
        json_t *nv;
        if (!in->has[c]) {
            continue;
        }
        rc = pool_check_col(k, c, in->v[c], &r, e);
        if (rc) {
            goto out;
        }
        /* the status has no empty value (create defaults it to open) */
        if (c == POOL_STATUS && !r.set[c]) {
            rc = err_set(e, ERR_INVALID, key, "请选择%s",
                         k->titles[c] ? k->titles[c] : "状态");
            goto out;
        }
        nv = !r.set[c]                        ? json_null()
             : t == PT_FIELD || t == PT_MONEY ? json_integer(r.i[c])
                                              : json_string(r.s[c]);
        if (json_equal(nv, json_object_get(old, key))) {
            json_decref(nv);
            continue;
        }
        json_object_set(before, key, json_object_get(old, key));
        json_object_set_new(after, key, nv);
        buf_init(&sql, 256);
        /* key comes from the fixed column table, never from input */
        buf_appendf(&sql,
                    "UPDATE market_items SET %s = $2, updated_at = $3 "
                    "WHERE id = $1",
                    key);
        rc = db_prepare(db, sql.data, &st, e);
        buf_release(&sql);
        if (rc) {
            goto out;
        }
        db_bind_int64(st, 1, id);
        if (!r.set[c]) {
            db_bind_null(st, 2);
        } else if (t == PT_FIELD || t == PT_MONEY) {
            db_bind_int64(st, 2, r.i[c]);
        } else {
            db_bind_text(st, 2, r.s[c]);
        }
        db_bind_text(st, 3, now);
        rc = db_step(st, e);
        db_finalize(st);
        if (rc != DB_DONE) {
            goto out;
        }
    }
    if (json_object_size(after) == 0) {
        rc = err_set(e, ERR_INVALID, NULL, "没有需要修改的内容");
        goto out;
    }
    rc = audit_record(db, a, "pool.update", "market_item", id, path, before,
                      after, e);
commit:
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
out0:
    json_decref(old);
    json_decref(before);
    json_decref(after);
    return rc;
}

int pool_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    const char *kind, *uscc, *title;
    DbStmt *st = NULL;
    int rc;

    rc = pool_load(db, a, id, out, NULL, 0, e);
    if (rc) {
        return rc;
    }
    kind = json_string_value(json_object_get(*out, "kind"));
    uscc = json_string_value(json_object_get(*out, "uscc"));
    title = json_string_value(json_object_get(*out, "title"));
    if (strcmp(kind, "institution") == 0) {
        /* track record: registered contracts it sold, the brokered
         * (技术中介) ones apart */
        rc = db_prepare_v(
            db, &st, e,
            "SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(SUM(CASE "
            "WHEN subtype = 'agency' THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN subtype = 'agency' THEN amount ELSE 0 "
            "END), 0) FROM contracts WHERE status = 'registered' AND "
            "(seller_uscc = $1 OR seller_name = $2)",
            "tt", uscc ? uscc : "", title);
        if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            json_object_set_new(
                *out, "track_record",
                json_pack("{sIsIsIsI}", "contracts",
                          (json_int_t)db_col_int64(st, 0), "amount",
                          (json_int_t)db_col_int64(st, 1), "brokered",
                          (json_int_t)db_col_int64(st, 2), "brokered_amount",
                          (json_int_t)db_col_int64(st, 3)));
            rc = 0;
        }
        db_finalize(st);
    } else if (strcmp(kind, "demand") == 0) {
        json_t *arr = json_array();
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, title, stage FROM challenges WHERE "
                          "demand_id = $1 ORDER BY id",
                          "i", id);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            json_array_append_new(arr,
                                  json_pack("{sIssss}", "id",
                                            (json_int_t)db_col_int64(st, 0),
                                            "title", db_col_text(st, 1),
                                            "stage", db_col_text(st, 2)));
            rc = 0;
        }
        rc = rc == DB_DONE ? 0 : rc;
        db_finalize(st);
        json_object_set_new(*out, "challenges", arr);
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* The list query of f for a into q (w keeps the parameter text). */
typedef struct PoolWhere {
    char path[ACTOR_PATH_MAX + 2];
    char like[512];
} PoolWhere;

static void pool_where(Sqlq *q, const Actor *a, const PoolFilter *f,
                       PoolWhere *w)
{
    snprintf(w->path, sizeof w->path, "%s%%", a->unit_path);
    sqlq_addf(q, " WHERE o.path LIKE $%d AND i.kind = $%d",
              sqlq_text(q, w->path), sqlq_text(q, f->kind));
    if (!f->include_retired) {
        sqlq_addf(q, " AND i.retired_at IS NULL");
    }
    if (f->field) {
        sqlq_addf(q, " AND i.field = $%d", sqlq_int(q, f->field));
    }
    if (f->subkind && *f->subkind) {
        sqlq_addf(q, " AND i.subkind = $%d", sqlq_text(q, f->subkind));
    }
    if (f->status && *f->status) {
        sqlq_addf(q, " AND i.status = $%d", sqlq_text(q, f->status));
    }
    if (f->q && *f->q) {
        size_t i, j = 0;
        int n;
        w->like[j++] = '%';
        for (i = 0; f->q[i] && j + 3 < sizeof w->like; i++) {
            if (f->q[i] == '%' || f->q[i] == '_' || f->q[i] == '\\') {
                w->like[j++] = '\\';
            }
            w->like[j++] = f->q[i];
        }
        w->like[j++] = '%';
        w->like[j] = '\0';
        n = sqlq_text(q, w->like);
        sqlq_addf(q,
                  " AND (i.title LIKE $%d ESCAPE '\\' OR i.org_name LIKE $%d "
                  "ESCAPE '\\' OR i.summary LIKE $%d ESCAPE '\\')",
                  n, n, n);
    }
}

int pool_list(Db *db, const Actor *a, const PoolFilter *f, int64_t offset,
              int64_t limit, json_t **items, int64_t *total, Err *e)
{
    DbStmt *st = NULL;
    PoolWhere w = {{0}, {0}};
    Sqlq q;
    int rc;

    *items = NULL;
    *total = 0;
    if (!pool_kind(f->kind)) {
        return err_set(e, ERR_INVALID, "kind",
                       "kind 应为 achievement、demand、institution 或 "
                       "resource");
    }
    if (f->q && strlen(f->q) > 400) {
        return err_set(e, ERR_INVALID, "q", "搜索词过长");
    }
    sqlq_init(&q, "SELECT COUNT(*) FROM market_items i JOIN org_units o ON "
                  "o.id = i.unit_id");
    pool_where(&q, a, f, &w);
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        *total = db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    sqlq_release(&q);
    if (rc) {
        return rc;
    }
    sqlq_init(&q, POOL_SELECT);
    pool_where(&q, a, f, &w);
    sqlq_addf(&q, " ORDER BY i.updated_at DESC, i.id DESC LIMIT $%d OFFSET $%d",
              sqlq_int(&q, limit), sqlq_int(&q, offset));
    rc = sqlq_prepare(&q, db, &st, e);
    *items = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, pool_row_json(st));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    sqlq_release(&q);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}

int pool_export(Db *db, const Actor *a, const PoolFilter *f, PoolRowFn fn,
                void *ud, Err *e)
{
    const PoolKind *k = pool_kind(f->kind);
    json_t *items = NULL;
    int64_t total = 0;
    size_t i;
    int rc, c;

    rc = pool_list(db, a, f, 0, POOL_EXPORT_MAX + 1, &items, &total, e);
    if (rc == 0 && total > POOL_EXPORT_MAX) {
        rc = err_set(e, ERR_TOOBIG, NULL, "记录超过 %d 条，请缩小范围后再导出",
                     POOL_EXPORT_MAX);
    }
    for (i = 0; rc == 0 && i < json_array_size(items); i++) {
        json_t *o = json_array_get(items, i);
        const char *cells[POOL_NCOLS];
        char num[32];
        size_t n = 0;
        for (c = 0; c < POOL_NCOLS; c++) {
            json_t *v = json_object_get(o, pool_cols[c].key);
            if (!k->titles[c]) {
                continue;
            }
            if (c == POOL_SUBKIND) {
                cells[n] =
                    json_string_value(json_object_get(o, "subkind_name"));
            } else if (c == POOL_MATURITY) {
                cells[n] =
                    json_string_value(json_object_get(o, "maturity_name"));
            } else if (c == POOL_FIELD) {
                cells[n] = json_string_value(json_object_get(o, "field_name"));
            } else if (c == POOL_PRICE) {
                cells[n] = json_string_value(json_object_get(o, "price_wan"));
            } else if (c == POOL_STATUS) {
                cells[n] = pool_opt_name(opt_status, json_string_value(v));
            } else if (json_is_integer(v)) {
                snprintf(num, sizeof num, "%lld",
                         (long long)json_integer_value(v));
                cells[n] = num;
            } else {
                cells[n] = json_string_value(v);
            }
            n++;
        }
        rc = fn(ud, cells, n, e);
    }
    json_decref(items);
    return rc;
}

/* ---- import ---- */

typedef struct PoolImp {
    Db *db;
    const Actor *a;
    const PoolKind *k;
    long header_row;
    int map[IMPORT_FILE_ROW_CELLS];
    int64_t rows, valid, invalid, inserted, errors_total;
    json_t *errors;
    int fatal;
    Err fatal_err;
} PoolImp;

static int pool_imp_row(void *ud, long row, const char *const *cells, size_t n,
                        Err *e)
{
    PoolImp *m = ud;
    PoolInput in;
    PoolRec r;
    json_t *after = NULL;
    int64_t id = 0;
    int found = 0, rc;
    Err re;

    if (m->fatal) {
        return 0;
    }
    if (!m->header_row) {
        static const int need[] = {POOL_TITLE};
        rc = import_header_find(row, cells, n, m->k->titles, POOL_NCOLS, need,
                                1, m->k->name, m->map, &found, e);
        if (rc == 0 && found) {
            m->header_row = row;
        }
        return rc;
    }
    memset(&in, 0, sizeof in);
    if (import_row_cells(cells, n, m->map, in.v)) {
        return 0;
    }
    m->rows++;
    err_clear(&re);
    rc = pool_check(m->k, &in, &r, &re);
    if (rc == 0) {
        rc = pool_insert(m->db, m->a, m->k, &r, &id, &after, &re);
        json_decref(after);
    }
    if (rc == ERR_INVALID || rc == ERR_FORBIDDEN) {
        int c;
        const char *col = "";
        for (c = 0; c < POOL_NCOLS; c++) {
            if (strcmp(re.field, pool_cols[c].key) == 0 && m->k->titles[c]) {
                col = m->k->titles[c];
            }
        }
        m->invalid++;
        m->errors_total++;
        if (json_array_size(m->errors) < 500) {
            json_array_append_new(
                m->errors,
                json_pack("{sIssssss}", "row", (json_int_t)row, "column", col,
                          "field", re.field, "message", re.msg));
        }
        return 0;
    }
    if (rc) {
        m->fatal = 1;
        m->fatal_err = re;
        return 0;
    }
    m->valid++;
    m->inserted++;
    return 0;
}

int pool_import_file(Db *db, const Actor *a, const char *kind, const char *path,
                     int apply, int valid_only, json_t **report, Err *e)
{
    PoolImp m;
    int rc, write;

    *report = NULL;
    memset(&m, 0, sizeof m);
    m.db = db;
    m.a = a;
    m.k = pool_kind(kind);
    if (!m.k) {
        return err_set(e, ERR_INVALID, "kind", "未知的资源库类型");
    }
    m.errors = json_array();
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = import_file_rows(path, 0, NULL, 0, pool_imp_row, &m, e);
    }
    if (rc == 0 && !m.header_row) {
        rc = err_set(e, ERR_INVALID, "file", "没有找到表头（应包含“%s”列）",
                     m.k->titles[POOL_TITLE]);
    }
    if (rc == 0 && m.fatal) {
        *e = m.fatal_err;
        rc = m.fatal_err.code ? m.fatal_err.code : ERR_DB;
    }
    if (rc) {
        db_rollback(db);
        json_decref(m.errors);
        return rc;
    }
    write = apply && (valid_only || m.invalid == 0);
    *report = json_pack(
        "{s{sIsIsIsI}sOsIsIsb}", "summary", "rows", (json_int_t)m.rows, "valid",
        (json_int_t)m.valid, "invalid", (json_int_t)m.invalid, "inserted",
        (json_int_t)(write ? m.inserted : 0), "errors", m.errors,
        "errors_total", (json_int_t)m.errors_total, "header_row",
        (json_int_t)m.header_row, "applied", write);
    json_decref(m.errors);
    if (!write) {
        db_rollback(db);
        if (apply) {
            return err_set(e, ERR_INVALID, "file",
                           "有 %lld 行数据有误，未导入任何数据",
                           (long long)m.invalid);
        }
        return 0;
    }
    {
        json_t *after = json_pack("{sssI}", "kind", kind, "inserted",
                                  (json_int_t)m.inserted);
        rc = audit_record(db, a, "pool.import", "market_item", 0, NULL, NULL,
                          after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        json_decref(*report);
        *report = NULL;
    }
    return rc;
}

/* ---- matchmaking ---- */

static uint64_t pool_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int pool_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Is code point cp a CJK ideograph? */
static int pool_cjk(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

/* The term of the CJK bigram (a, b): the two code points mixed (cheaper
 * than hashing their bytes; the scan runs over every candidate's text). */
static uint64_t pool_hash_pair(uint32_t a, uint32_t b)
{
    uint64_t h = ((uint64_t)a << 32 | b) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

/* Call emit(ud, hash) for each term of text in order (repeats
 * included): CJK bigrams and lower-cased ASCII words of 2+ characters. */
static void pool_scan(const char *text, void (*emit)(void *, uint64_t),
                      void *ud)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t len = text ? strlen(text) : 0;
    size_t i = 0;
    uint32_t prev = 0; /* the previous CJK code point, 0 after other text */

    while (i < len) {
        uint32_t cp = 0;
        int k;
        /* the common case inline: a 3-byte sequence of U+3000..U+9FFF */
        if (u[i] >= 0xE3 && u[i] <= 0xE9 && i + 2 < len &&
            (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80) {
            cp = (uint32_t)(u[i] & 0x0F) << 12 |
                 (uint32_t)(u[i + 1] & 0x3F) << 6 | (u[i + 2] & 0x3F);
            k = 3;
        } else if ((k = utf8_decode(text + i, len - i, &cp)) <= 0) {
            k = 1;
            cp = 0;
        }
        if (pool_cjk(cp)) {
            if (prev) {
                emit(ud, pool_hash_pair(prev, cp));
            }
            prev = cp;
            i += (size_t)k;
        } else if (cp < 128 && isalnum((int)cp)) {
            /* an ASCII word, lower-cased */
            char word[64];
            size_t j = 0;
            while (i < len && isalnum((unsigned char)text[i])) {
                if (j + 1 < sizeof word) {
                    word[j++] = (char)tolower((unsigned char)text[i]);
                }
                i++;
            }
            if (j >= 2) {
                emit(ud, pool_hash(word, j) ^ 0x5A5A5A5AULL);
            }
            prev = 0;
        } else {
            prev = 0;
            i += (size_t)k;
        }
    }
}

typedef struct PoolTermsAcc {
    uint64_t *v;
    size_t n;
} PoolTermsAcc;

static void pool_terms_add(void *ud, uint64_t h)
{
    PoolTermsAcc *acc = ud;
    acc->v[acc->n++] = h;
}

size_t pool_terms(const char *text, uint64_t **out)
{
    size_t len = text ? strlen(text) : 0;
    PoolTermsAcc acc;
    size_t i, w = 0;

    /* at most one term per byte */
    acc.v = xcalloc(len + 1, sizeof *acc.v);
    acc.n = 0;
    pool_scan(text, pool_terms_add, &acc);
    qsort(acc.v, acc.n, sizeof *acc.v, pool_cmp_u64);
    for (i = 0; i < acc.n; i++) {
        if (w == 0 || acc.v[w - 1] != acc.v[i]) {
            acc.v[w++] = acc.v[i];
        }
    }
    *out = acc.v;
    return w;
}

void pool_termset_init(PoolTermSet *s, const uint64_t *terms, size_t n)
{
    size_t i;

    memset(s, 0, sizeof *s);
    s->terms = terms;
    s->n = n;
    for (i = 0; i < n; i++) {
        s->filter[(terms[i] >> 6) & 63] |= 1ULL << (terms[i] & 63);
    }
}

typedef struct PoolSharedAcc {
    const PoolTermSet *set;
    uint64_t seen[64];
    size_t n_seen, shared;
} PoolSharedAcc;

static void pool_shared_add(void *ud, uint64_t h)
{
    PoolSharedAcc *acc = ud;
    const PoolTermSet *s = acc->set;
    size_t i;

    if (!(s->filter[(h >> 6) & 63] & (1ULL << (h & 63))) ||
        !bsearch(&h, s->terms, s->n, sizeof h, pool_cmp_u64)) {
        return;
    }
    for (i = 0; i < acc->n_seen; i++) {
        if (acc->seen[i] == h) {
            return;
        }
    }
    if (acc->n_seen < N_OF(acc->seen)) {
        acc->seen[acc->n_seen++] = h;
    }
    acc->shared++;
}

size_t pool_termset_shared(const PoolTermSet *s, const char *const *texts,
                           size_t n_texts)
{
    PoolSharedAcc acc;
    size_t i;

    if (s->n == 0) {
        return 0;
    }
    acc.set = s;
    acc.n_seen = 0;
    acc.shared = 0;
    for (i = 0; i < n_texts; i++) {
        if (texts[i]) {
            pool_scan(texts[i], pool_shared_add, &acc);
        }
    }
    return acc.shared;
}

/* One candidate of pool_match while scanning: what its score and reasons
 * need, no text. */
typedef struct PmCand {
    int64_t id;
    int64_t score;
    int shared;   /* distinct shared terms */
    int field;    /* same 技术领域 */
    int industry; /* same industry (first 3 characters) */
} PmCand;

/* Does x rank before y (higher score, then lower id)? */
static int pm_before(const PmCand *x, const PmCand *y)
{
    return x->score != y->score ? x->score > y->score : x->id < y->id;
}

static int pm_cmp(const void *a, const void *b)
{
    const PmCand *x = a, *y = b;
    return pm_before(x, y) ? -1 : pm_before(y, x);
}

/* The best k candidates seen so far: a heap whose root ranks last. */
typedef struct PmTop {
    PmCand *v;
    size_t n, k;
} PmTop;

static void pm_sift_down(PmTop *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        PmCand tmp;
        if (l < t->n && pm_before(&t->v[m], &t->v[l])) {
            m = l;
        }
        if (r < t->n && pm_before(&t->v[m], &t->v[r])) {
            m = r;
        }
        if (m == i) {
            return;
        }
        tmp = t->v[i];
        t->v[i] = t->v[m];
        t->v[m] = tmp;
        i = m;
    }
}

static void pm_top_add(PmTop *t, const PmCand *c)
{
    size_t i;

    if (t->n < t->k) {
        i = t->n++;
        t->v[i] = *c;
        while (i > 0 && pm_before(&t->v[(i - 1) / 2], &t->v[i])) {
            PmCand tmp = t->v[i];
            t->v[i] = t->v[(i - 1) / 2];
            t->v[(i - 1) / 2] = tmp;
            i = (i - 1) / 2;
        }
    } else if (pm_before(c, &t->v[0])) {
        t->v[0] = *c;
        pm_sift_down(t, 0);
    }
}

/* Is the row (kind, subkind) a kind matching lists? */
static int pm_kind_listed(const char *kind, const char *subkind)
{
    return kind && (strcmp(kind, "achievement") == 0 ||
                    strcmp(kind, "institution") == 0 ||
                    (strcmp(kind, "resource") == 0 && subkind &&
                     strcmp(subkind, "expert") == 0));
}

/* Score every open candidate in scope; the best POOL_MATCH_SHORTLIST into
 * *top. One scan in rowid order (the scope as unit ids checked in C, the
 * kind checked in C: walking market_items_kind reads the table in random
 * order); nothing is allocated per row. */
static int pm_scan(Db *db, const Actor *a, const PoolTermSet *dset,
                   int64_t dfield, const char *dind, PmTop *top, Err *e)
{
    int64_t *units = NULL;
    size_t n_units = 0;
    DbStmt *st = NULL;
    int rc;

    rc = scope_unit_ids(db, a, &units, &n_units, e);
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, kind, subkind, title, summary, field, "
                          "industry_code, unit_id FROM market_items WHERE "
                          "COALESCE(retired_at, '') = '' AND status = 'open'",
                          "");
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        PmCand c;
        int64_t unit = db_col_int64(st, 7);
        const char *ind;
        const char *texts[2];
        rc = 0;
        if (!pm_kind_listed(db_col_text(st, 1), db_col_text(st, 2)) ||
            !scope_unit_ids_has(units, n_units, unit)) {
            continue;
        }
        memset(&c, 0, sizeof c);
        c.id = db_col_int64(st, 0);
        texts[0] = db_col_text(st, 3);
        texts[1] = db_col_text(st, 4);
        c.shared = (int)pool_termset_shared(dset, texts, 2);
        c.field =
            dfield && !db_col_is_null(st, 5) && db_col_int64(st, 5) == dfield;
        ind = db_col_text(st, 6);
        c.industry =
            dind && ind && strlen(dind) >= 3 && strncmp(dind, ind, 3) == 0;
        c.score =
            10 * (int64_t)c.shared + (c.field ? 20 : 0) + (c.industry ? 10 : 0);
        if (c.score > 0) {
            pm_top_add(top, &c);
        }
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    free(units);
    return rc;
}

/* pm_scan through the term index t: the shared terms counted from the
 * postings of the demand's terms, the rest from each candidate's stored
 * field, industry and unit. Same scores as the scan. */
static int pm_scan_tix(Db *db, const Actor *a, const PoolTix *t,
                       const PoolTermSet *dset, int64_t dfield,
                       const char *dind, PmTop *top, Err *e)
{
    int64_t *units = NULL;
    size_t n_units = 0, n, i;
    const PoolTixItem *it = pool_tix_items(t, &n);
    uint16_t *cnt;
    int dind_ok = dind && strlen(dind) >= 3;
    int rc;

    rc = scope_unit_ids(db, a, &units, &n_units, e);
    if (rc || !units) {
        free(units);
        return rc;
    }
    cnt = xcalloc(n + 1, sizeof *cnt);
    pool_tix_count(t, dset->terms, dset->n, cnt);
    for (i = 0; i < n; i++) {
        PmCand c;
        c.field = dfield && it[i].num == dfield;
        c.industry = dind_ok && strncmp(dind, it[i].code, 3) == 0;
        c.shared = cnt[i];
        c.score =
            10 * (int64_t)c.shared + (c.field ? 20 : 0) + (c.industry ? 10 : 0);
        if (c.score == 0 ||
            !scope_unit_ids_has(units, n_units, it[i].unit_id)) {
            continue;
        }
        c.id = it[i].id;
        pm_top_add(top, &c);
    }
    free(cnt);
    free(units);
    return 0;
}

/* The listed row of c (its reasons; the holder's contracts in dfield add
 * to c->score). */
static int pm_row(Db *db, PmCand *c, int64_t dfield, json_t **out, Err *e)
{
    const PoolKind *k;
    const char *kind_name;
    json_t *reasons = json_array();
    DbStmt *st = NULL;
    int64_t past = 0;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT kind, title, org_name, uscc, industry_code, "
                      "subkind FROM market_items WHERE id = $1",
                      "i", c->id);
    if (rc == 0 && (rc = db_step(st, e)) != DB_ROW) {
        rc = rc == DB_DONE ? err_set(e, ERR_NOTFOUND, "id", "记录不存在") : rc;
        goto out;
    }
    rc = 0;
    if (c->shared > 0) {
        json_array_append_new(
            reasons, json_sprintf("名称或简介有 %d 个相同的词", c->shared));
    }
    if (c->field) {
        json_array_append_new(
            reasons,
            json_sprintf("同属技术领域“%s”", contract_field_name(dfield)));
    }
    if (c->industry) {
        json_array_append_new(
            reasons, json_sprintf("行业相同（%.3s）", db_col_text(st, 4)));
    }
    if (dfield) {
        const char *u = db_col_text(st, 3), *on = db_col_text(st, 2);
        rc = db_query_int64(
            db, &past, e,
            "SELECT COUNT(*) FROM contracts WHERE status = 'registered' AND "
            "field = $1 AND (seller_uscc = $2 OR seller_name = $3 OR "
            "seller_name = $4)",
            "ittt", dfield, u ? u : "", on ? on : "", db_col_text(st, 1));
        if (rc) {
            goto out;
        }
    }
    if (past > 0) {
        c->score += past >= 3 ? 15 : 5 * past;
        json_array_append_new(reasons,
                              json_sprintf("在该领域已有 %lld 份登记的技术合同",
                                           (long long)past));
    }
    /* the matched resources are experts: named by their subkind */
    k = pool_kind(db_col_text(st, 0));
    kind_name = k && k->subkinds == opt_resource
                    ? pool_opt_name(k->subkinds, db_col_text(st, 5))
                    : pool_kind_name(db_col_text(st, 0));
    *out = json_pack(
        "{sIsssssssosIso}", "id", (json_int_t)c->id, "kind", db_col_text(st, 0),
        "kind_name", kind_name ? kind_name : db_col_text(st, 0), "title",
        db_col_text(st, 1), "org_name",
        db_col_text(st, 2) ? json_string(db_col_text(st, 2)) : json_null(),
        "score", (json_int_t)c->score, "reasons", reasons);
    reasons = NULL;
out:
    db_finalize(st);
    json_decref(reasons);
    return rc;
}

static int pm_cmp_rows(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t sx = json_integer_value(json_object_get(x, "score"));
    json_int_t sy = json_integer_value(json_object_get(y, "score"));
    json_int_t ix = json_integer_value(json_object_get(x, "id"));
    json_int_t iy = json_integer_value(json_object_get(y, "id"));
    if (sx != sy) {
        return sx > sy ? -1 : 1;
    }
    return ix < iy ? -1 : ix > iy;
}

int pool_match(Db *db, const Actor *a, int64_t demand_id, int limit,
               json_t **out, Err *e)
{
    json_t *d = NULL, **rows = NULL;
    uint64_t *dt = NULL;
    PoolTermSet dset;
    PmTop top;
    PoolTix *tix = NULL;
    size_t nd, n_rows = 0, i;
    const char *dind;
    int64_t dfield;
    Buf text;
    int rc;

    *out = NULL;
    memset(&top, 0, sizeof top);
    if (limit < 1 || limit > POOL_MATCH_MAX) {
        limit = 10;
    }
    rc = pool_load(db, a, demand_id, &d, NULL, 0, e);
    if (rc) {
        return rc;
    }
    if (strcmp(json_string_value(json_object_get(d, "kind")), "demand") != 0) {
        json_decref(d);
        return err_set(e, ERR_INVALID, "id", "只能为需求库中的需求匹配");
    }
    buf_init(&text, 1 << 16);
    buf_appendf(&text, "%s %s", json_string_value(json_object_get(d, "title")),
                json_is_string(json_object_get(d, "summary"))
                    ? json_string_value(json_object_get(d, "summary"))
                    : "");
    nd = pool_terms(text.data, &dt);
    pool_termset_init(&dset, dt, nd);
    dfield = json_integer_value(json_object_get(d, "field"));
    dind = json_string_value(json_object_get(d, "industry_code"));
    /* score terms, field and industry of every candidate, keeping the best
     * POOL_MATCH_SHORTLIST; the holder's contracts are counted for those
     * only */
    top.k = POOL_MATCH_SHORTLIST;
    top.v = xcalloc(top.k, sizeof *top.v);
    rc = pool_tix_get(db, POOL_TIX_ITEMS, &tix, e);
    if (rc == 0 && tix) {
        rc = pm_scan_tix(db, a, tix, &dset, dfield, dind, &top, e);
    } else if (rc == 0) {
        rc = pm_scan(db, a, &dset, dfield, dind, &top, e);
    }
    if (rc) {
        goto out;
    }
    if (top.n > 1) {
        qsort(top.v, top.n, sizeof *top.v, pm_cmp);
    }
    rows = xcalloc(top.n + 1, sizeof(json_t *));
    for (i = 0; rc == 0 && i < top.n; i++) {
        rc = pm_row(db, &top.v[i], dfield, &rows[n_rows], e);
        n_rows += rc == 0;
    }
    if (rc) {
        goto out;
    }
    if (n_rows > 1) {
        qsort(rows, n_rows, sizeof(json_t *), pm_cmp_rows);
    }
    *out = json_array();
    for (i = 0; i < n_rows && (int)i < limit; i++) {
        json_array_append(*out, rows[i]);
    }
out:
    for (i = 0; i < n_rows; i++) {
        json_decref(rows[i]);
    }
    free(rows);
    free(top.v);
    pool_tix_release(tix);
    free(dt);
    buf_release(&text);
    json_decref(d);
    return rc;
}
