/* carrier_sheet.c - yearly indicator sheets, scoring schemes and the
 * ranking (see carrier_sheet.h). */
#include "domain/carrier/carrier_sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "base/money.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/carrier/carrier.h"
#include "domain/carrier/carrier_util.h"

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

const CarrierIndicator carrier_indicators[CS_N] = {
    {"tenants", "在孵企业数（年内）", CS_U_ENT, 0, "入驻记录"},
    {"tenants_end", "年末在孵企业数", CS_U_ENT, 0, "入驻记录"},
    {"new_tenants", "当年新入驻企业数", CS_U_ENT, 0, "入驻记录"},
    {"graduates", "当年毕业企业数", CS_U_ENT, 0, "入驻记录（迁出原因：毕业）"},
    {"left", "当年迁出、注销企业数", CS_U_ENT, 0,
     "入驻记录（迁出原因：迁出、注销）"},
    {"hnte_new", "在孵期间新认定高新技术企业数", CS_U_ENT, 0,
     "资质登记（高新技术企业，有效期起始日在当年且在入驻期内）"},
    {"sme_new", "在孵期间新入库科技型中小企业数", CS_U_ENT, 0,
     "资质登记（科技型中小企业，有效期起始日在当年且在入驻期内）"},
    {"chuying_new", "在孵期间新评价雏鹰企业数", CS_U_ENT, 0,
     "资质登记（雏鹰企业，有效期起始日在当年且在入驻期内）"},
    {"ip_granted", "在孵企业当年授权知识产权数", CS_U_ITEM, 0,
     "企业知识产权（授权日在当年且在入驻期内）"},
    {"ip1_granted", "其中Ⅰ类知识产权数", CS_U_ITEM, 0,
     "企业知识产权（Ⅰ类，授权日在当年且在入驻期内）"},
    {"financing", "在孵企业当年获得融资额", CS_U_YUAN, 0,
     "企业事项（创业投资/融资，日期在当年且在入驻期内）"},
    {"contracts", "在孵企业当年登记技术合同数（技术输出）", CS_U_DEAL, 0,
     "技术合同登记（卖方为在孵企业，登记日期在当年且在入驻期内）"},
    {"contract_amount", "在孵企业当年技术合同成交额（技术输出）", CS_U_YUAN, 0,
     "技术合同登记（卖方为在孵企业，登记日期在当年且在入驻期内）"},
    {"revenue", "载体运营收入", CS_U_YUAN, 1, NULL},
    {"events", "举办创新创业活动场次", CS_U_TIMES, 1, NULL},
};

/* Versions of the scoring scheme. 2021: 河西 "引育高新技术企业质量" as
 * the main indicator; 2024 adds the carriers' own activity. */
static const CarrierScheme carrier_schemes[] = {
    {"carrier-eval-2021",
     "载体绩效评价（2021 版：以引育高新技术企业质量为主）",
     2021,
     {0, 10, 10, 15, 0, 30, 5, 5, 5, 10, 10, 0, 0, 0, 0},
     10},
    {"carrier-eval-2024",
     "载体绩效评价（2024 版：增加载体运营与活动）",
     2024,
     {0, 10, 10, 15, 0, 25, 5, 5, 5, 5, 10, 0, 0, 5, 5},
     10},
};

static const char *unit_name(int u)
{
    switch (u) {
    case CS_U_ENT:
        return "家";
    case CS_U_ITEM:
        return "件";
    case CS_U_YUAN:
        return "万元";
    case CS_U_TIMES:
        return "场";
    case CS_U_DEAL:
        return "项";
    default:
        return "";
    }
}

int carrier_indicator_find(const char *code)
{
    for (int i = 0; code && i < CS_N; i++) {
        if (strcmp(code, carrier_indicators[i].code) == 0) {
            return i;
        }
    }
    return -1;
}

const CarrierScheme *carrier_scheme_find(const char *code, int year)
{
    const CarrierScheme *best = NULL;

    for (size_t i = 0; i < N_OF(carrier_schemes); i++) {
        const CarrierScheme *s = &carrier_schemes[i];
        if (code && *code) {
            if (strcmp(code, s->code) == 0) {
                return s;
            }
            continue;
        }
        if (s->from_year <= year && (!best || s->from_year > best->from_year)) {
            best = s;
        }
    }
    return best;
}

json_t *carrier_sheet_reference_json(void)
{
    json_t *ind = json_array();
    json_t *sch = json_array();

    for (int i = 0; i < CS_N; i++) {
        const CarrierIndicator *c = &carrier_indicators[i];
        json_array_append_new(ind, json_pack("{sssssssbss?}", "value", c->code,
                                             "label", c->name, "unit",
                                             unit_name(c->unit), "typed",
                                             c->typed, "source", c->source));
    }
    for (size_t i = 0; i < N_OF(carrier_schemes); i++) {
        const CarrierScheme *s = &carrier_schemes[i];
        json_t *w = json_object();
        for (int k = 0; k < CS_N; k++) {
            if (s->weights[k]) {
                json_object_set_new(w, carrier_indicators[k].code,
                                    json_integer(s->weights[k]));
            }
        }
        json_array_append_new(sch, json_pack("{sssssisosi}", "value", s->code,
                                             "label", s->name, "from_year",
                                             s->from_year, "weights", w,
                                             "bottom_pct", s->bottom_pct));
    }
    return json_pack("{soso}", "indicators", ind, "schemes", sch);
}

/* ---- computing ---- */

typedef struct SheetIdx {
    int64_t id;
    int i;
} SheetIdx;

static int sheet_idx_cmp(const void *a, const void *b)
{
    const SheetIdx *x = a, *y = b;

    return x->id < y->id ? -1 : x->id > y->id;
}

/* Grouped indicator queries: (carrier_id, value) rows, $1 = first day,
 * $2 = last day of the year, $3 = a qualification kind where used. */
static const struct {
    int ind;
    const char *kind;
    const char *sql;
} sheet_queries[] = {
    {CS_TENANTS, NULL,
     "SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants "
     "WHERE moved_in <= $2 AND (moved_out IS NULL OR moved_out > $1) GROUP BY "
     "carrier_id"},
    {CS_TENANTS_END, NULL,
     "SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants "
     "WHERE moved_in <= $2 AND (moved_out IS NULL OR moved_out > $2) GROUP BY "
     "carrier_id"},
    {CS_NEW, NULL,
     "SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants "
     "WHERE moved_in >= $1 AND moved_in <= $2 GROUP BY carrier_id"},
    {CS_GRADUATES, NULL,
     "SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants "
     "WHERE moved_out >= $1 AND moved_out <= $2 AND out_reason = 'graduated' "
     "GROUP BY carrier_id"},
    {CS_LEFT, NULL,
     "SELECT carrier_id, COUNT(DISTINCT enterprise_id) FROM carrier_tenants "
     "WHERE moved_out >= $1 AND moved_out <= $2 AND out_reason <> "
     "'graduated' GROUP BY carrier_id"},
    {CS_HNTE_NEW, "hnte", NULL},
    {CS_SME_NEW, "sme", NULL},
    {CS_CHUYING_NEW, "chuying", NULL},
    {CS_IP_GRANTED, NULL,
     "SELECT t.carrier_id, COUNT(DISTINCT i.id) FROM carrier_tenants t JOIN "
     "ip_rights i ON i.enterprise_id = t.enterprise_id WHERE i.retired_at IS "
     "NULL AND i.granted_on >= $1 AND i.granted_on <= $2 AND i.granted_on >= "
     "t.moved_in AND (t.moved_out IS NULL OR i.granted_on < t.moved_out) "
     "GROUP BY t.carrier_id"},
    {CS_IP1_GRANTED, NULL,
     "SELECT t.carrier_id, COUNT(DISTINCT i.id) FROM carrier_tenants t JOIN "
     "ip_rights i ON i.enterprise_id = t.enterprise_id WHERE i.retired_at IS "
     "NULL AND i.klass = 1 AND i.granted_on >= $1 AND i.granted_on <= $2 AND "
     "i.granted_on >= t.moved_in AND (t.moved_out IS NULL OR i.granted_on < "
     "t.moved_out) GROUP BY t.carrier_id"},
    {CS_FINANCING, NULL,
     "SELECT t.carrier_id, SUM(f.amount) FROM carrier_tenants t JOIN "
     "enterprise_facts f ON f.enterprise_id = t.enterprise_id WHERE f.kind = "
     "'financing' AND f.retired_at IS NULL AND f.amount IS NOT NULL AND "
     "f.occurred_on >= $1 AND f.occurred_on <= $2 AND f.occurred_on >= "
     "t.moved_in AND (t.moved_out IS NULL OR f.occurred_on < t.moved_out) "
     "GROUP BY t.carrier_id"},
    {CS_CONTRACTS, NULL,
     "SELECT t.carrier_id, COUNT(DISTINCT k.id) FROM carrier_tenants t JOIN "
     "contracts k ON k.seller_ent_id = t.enterprise_id WHERE k.status = "
     "'registered' AND k.registered_on >= $1 AND k.registered_on <= $2 AND "
     "k.registered_on >= t.moved_in AND (t.moved_out IS NULL OR "
     "k.registered_on < t.moved_out) GROUP BY t.carrier_id"},
    {CS_CONTRACT_AMOUNT, NULL,
     "SELECT t.carrier_id, SUM(k.amount) FROM carrier_tenants t JOIN "
     "contracts k ON k.seller_ent_id = t.enterprise_id WHERE k.status = "
     "'registered' AND k.registered_on >= $1 AND k.registered_on <= $2 AND "
     "k.registered_on >= t.moved_in AND (t.moved_out IS NULL OR "
     "k.registered_on < t.moved_out) GROUP BY t.carrier_id"},
};

static const char sheet_qual_sql[] =
    "SELECT t.carrier_id, COUNT(DISTINCT t.enterprise_id) FROM "
    "carrier_tenants t JOIN qualifications q ON q.enterprise_id = "
    "t.enterprise_id WHERE q.kind = $3 AND q.valid_from >= $1 AND "
    "q.valid_from <= $2 AND q.valid_from >= t.moved_in AND (t.moved_out IS "
    "NULL OR q.valid_from < t.moved_out) GROUP BY t.carrier_id";

static CarrierSheet *sheet_lookup(SheetIdx *idx, int n, CarrierSheet *sheets,
                                  int64_t id)
{
    SheetIdx key = {id, 0};
    SheetIdx *hit = bsearch(&key, idx, (size_t)n, sizeof *idx, sheet_idx_cmp);

    return hit ? &sheets[hit->i] : NULL;
}

int carrier_sheet_compute(Db *db, int year, const int64_t *ids, int n,
                          CarrierSheet *sheets, Err *e)
{
    char from[DATE_ISO_SIZE], to[DATE_ISO_SIZE];
    SheetIdx *idx = NULL;
    DbStmt *st = NULL;
    int rc = 0;

    if (year < 1900 || year > 2999) {
        return err_set(e, ERR_INVALID, "year", "年度应在 1900～2999 之间");
    }
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    if (n <= 0) {
        return 0;
    }
    idx = xmalloc(sizeof *idx * (size_t)n);
    for (int i = 0; i < n; i++) {
        memset(&sheets[i], 0, sizeof sheets[i]);
        sheets[i].carrier_id = ids[i];
        for (int k = 0; k < CS_N; k++) {
            sheets[i].has[k] = !carrier_indicators[k].typed;
        }
        idx[i].id = ids[i];
        idx[i].i = i;
    }
    qsort(idx, (size_t)n, sizeof *idx, sheet_idx_cmp);
    for (size_t q = 0; q < N_OF(sheet_queries) && rc == 0; q++) {
        const char *sql = sheet_queries[q].sql;

        if (sheet_queries[q].kind) {
            rc = db_prepare_v(db, &st, e, sheet_qual_sql, "ttt", from, to,
                              sheet_queries[q].kind);
        } else {
            rc = db_prepare_v(db, &st, e, sql, "tt", from, to);
        }
        if (rc) {
            break;
        }
        while ((rc = db_step(st, e)) == DB_ROW) {
            CarrierSheet *s = sheet_lookup(idx, n, sheets, db_col_int64(st, 0));
            if (s) {
                s->v[sheet_queries[q].ind] = db_col_int64(st, 1);
            }
        }
        rc = rc == DB_DONE ? 0 : rc;
        db_finalize(st);
        st = NULL;
    }
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT carrier_id, indicator, value FROM "
                          "carrier_sheet_values WHERE year = $1",
                          "i", (int64_t)year);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            CarrierSheet *s = sheet_lookup(idx, n, sheets, db_col_int64(st, 0));
            int k = carrier_indicator_find(db_col_text(st, 1));
            if (s && k >= 0 && carrier_indicators[k].typed) {
                s->v[k] = db_col_int64(st, 2);
                s->has[k] = 1;
            }
            rc = 0;
        }
        rc = rc == DB_DONE ? 0 : rc;
        db_finalize(st);
        st = NULL;
    }
    free(idx);
    return rc;
}

static json_t *sheet_value_json(int k, int has, int64_t v)
{
    Buf b;
    json_t *j;

    if (!has) {
        return json_null();
    }
    if (carrier_indicators[k].unit != CS_U_YUAN) {
        return json_integer(v);
    }
    buf_init(&b, 64);
    money_format_wan(v, &b);
    j = json_string(b.data);
    buf_release(&b);
    return j;
}

int carrier_sheet_get(Db *db, const Actor *a, int64_t id, int year,
                      json_t **out, Err *e)
{
    json_t *carrier = NULL;
    json_t *rows = NULL;
    DbStmt *st = NULL;
    CarrierSheet s;
    int rc;

    *out = NULL;
    rc = carrier_get(db, a, id, &carrier, e);
    if (rc == 0) {
        rc = carrier_sheet_compute(db, year, &id, 1, &s, e);
    }
    if (rc) {
        goto out;
    }
    rows = json_array();
    for (int k = 0; k < CS_N; k++) {
        const CarrierIndicator *c = &carrier_indicators[k];
        json_array_append_new(
            rows,
            json_pack("{sisssssssososbss?}", "no", k + 1, "code", c->code,
                      "name", c->name, "unit", unit_name(c->unit), "value",
                      sheet_value_json(k, s.has[k], s.v[k]), "raw",
                      s.has[k] ? json_integer(s.v[k]) : json_null(), "typed",
                      c->typed, "source", c->typed ? "填报" : c->source));
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT v.indicator, v.note, v.src_at, u.display_name "
                      "FROM carrier_sheet_values v LEFT JOIN users u ON u.id "
                      "= v.src_user_id WHERE v.carrier_id = $1 AND v.year = "
                      "$2",
                      "ii", id, (int64_t)year);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int k = carrier_indicator_find(db_col_text(st, 0));
        json_t *row = k >= 0 ? json_array_get(rows, (size_t)k) : NULL;
        if (row) {
            Buf b;
            buf_init(&b, 512);
            buf_appendf(&b, "填报：%s，%s",
                        db_col_text(st, 3) ? db_col_text(st, 3) : "系统",
                        db_col_text(st, 2) ? db_col_text(st, 2) : "");
            json_object_set_new(row, "source", json_string(b.data));
            json_object_set_new(row, "src_at", cu_col_text(st, 2));
            json_object_set_new(row, "src_user", cu_col_text(st, 3));
            json_object_set_new(row, "note", cu_col_text(st, 1));
            buf_release(&b);
        }
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    if (rc == 0) {
        *out = json_pack("{sOsiso}", "carrier", carrier, "year", year, "rows",
                         rows);
        rows = NULL;
    }
out:
    db_finalize(st);
    json_decref(rows);
    json_decref(carrier);
    return rc;
}

/* The typed-in values of a carrier and year as {code: value} (audit). */
static int sheet_typed_json(Db *db, int64_t id, int year, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = json_object();
    rc = db_prepare_v(db, &st, e,
                      "SELECT indicator, value FROM carrier_sheet_values "
                      "WHERE carrier_id = $1 AND year = $2 ORDER BY "
                      "indicator",
                      "ii", id, (int64_t)year);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_object_set_new(*out, db_col_text(st, 0),
                            json_integer(db_col_int64(st, 1)));
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* One typed value from JSON: money in 万元 (string or number), counts as
 * integers. */
static int sheet_parse_value(int k, json_t *v, int64_t *out, Err *e)
{
    const char *code = carrier_indicators[k].code;

    if (carrier_indicators[k].unit == CS_U_YUAN) {
        char num[64];
        if (json_is_string(v)) {
            snprintf(num, sizeof num, "%s", json_string_value(v));
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        } else {
            return err_set(e, ERR_INVALID, code, "%s应为万元金额",
                           carrier_indicators[k].name);
        }
        return money_parse_wan(num, out, 0, code, e);
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 1000000) {
        return err_set(e, ERR_INVALID, code, "%s应为 0～1000000 的整数",
                       carrier_indicators[k].name);
    }
    *out = json_integer_value(v);
    return 0;
}

int carrier_sheet_put(Db *db, const Actor *a, int64_t id, int year,
                      json_t *values, const char *note, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *carrier = NULL, *before = NULL, *after = NULL;
    const char *key;
    char *nt = NULL;
    json_t *v;
    int rc;

    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改载体");
    }
    if (year < 1900 || year > 2999) {
        return err_set(e, ERR_INVALID, "year", "年度应在 1900～2999 之间");
    }
    if (!json_is_object(values) || json_object_size(values) == 0) {
        return err_set(e, ERR_INVALID, "values", "请填写至少一项指标");
    }
    json_object_foreach(values, key, v)
    {
        int k = carrier_indicator_find(key);
        int64_t x;
        if (k < 0 || !carrier_indicators[k].typed) {
            return err_set(e, ERR_INVALID, key,
                           "“%s”不是填报指标（可填：revenue 载体运营收入、"
                           "events 举办创新创业活动场次；其余指标由记录计算）",
                           key);
        }
        if (!json_is_null(v)) {
            rc = sheet_parse_value(k, v, &x, e);
            if (rc) {
                return rc;
            }
        }
    }
    rc = cu_text(note, 0, CARRIER_NOTE_MAX, &nt, "note", "备注", e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        goto done;
    }
    rc = carrier_get(db, a, id, &carrier, e);
    if (rc == 0) {
        char *p = NULL;
        rc = db_query_text(db, &p, e,
                           "SELECT o.path FROM carriers c JOIN org_units o ON "
                           "o.id = c.unit_id WHERE c.id = $1",
                           "i", id);
        snprintf(path, sizeof path, "%s", p ? p : "");
        free(p);
    }
    if (rc == 0) {
        rc = sheet_typed_json(db, id, year, &before, e);
    }
    clock_now_iso(now, 0);
    json_object_foreach(values, key, v)
    {
        int k = carrier_indicator_find(key);
        int64_t x = 0;
        if (rc) {
            break;
        }
        if (json_is_null(v)) {
            rc = db_exec_v(db, e,
                           "DELETE FROM carrier_sheet_values WHERE carrier_id "
                           "= $1 AND year = $2 AND indicator = $3",
                           "iit", id, (int64_t)year, key);
            continue;
        }
        rc = sheet_parse_value(k, v, &x, e);
        if (rc == 0) {
            rc = db_exec_v(
                db, e,
                "INSERT INTO carrier_sheet_values (carrier_id, year, "
                "indicator, value, note, src_kind, src_user_id, src_at) "
                "VALUES ($1, $2, $3, $4, $5, 'user', $6, $7) ON CONFLICT "
                "(carrier_id, year, indicator) DO UPDATE SET value = $4, "
                "note = $5, src_kind = 'user', src_user_id = $6, src_at = $7",
                "iititit", id, (int64_t)year, key, x, nt[0] ? nt : NULL,
                a->user_id, now);
        }
    }
    if (rc == 0) {
        rc = sheet_typed_json(db, id, year, &after, e);
    }
    if (rc == 0) {
        json_t *b = json_pack("{siso}", "year", year, "values", before);
        json_t *aa = json_pack("{siso}", "year", year, "values", after);
        before = after = NULL;
        rc = audit_record(db, a, "carrier.sheet_put", "carrier", id, path, b,
                          aa, e);
        json_decref(b);
        json_decref(aa);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
done:
    free(nt);
    json_decref(carrier);
    json_decref(before);
    json_decref(after);
    return rc;
}

/* ---- ranking ---- */

typedef struct RankItem {
    int64_t id;
    const char *name;
    const char *type;
    int64_t score; /* hundredths of a point */
    int64_t parts[CS_N];
    int i; /* index into the sheets */
} RankItem;

static int rank_cmp(const void *a, const void *b)
{
    const RankItem *x = a, *y = b;

    if (x->score != y->score) {
        return x->score > y->score ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

static json_t *rank_points(int64_t hundredths)
{
    char s[32];

    snprintf(s, sizeof s, "%lld.%02lld", (long long)(hundredths / 100),
             (long long)(hundredths % 100));
    return json_string(s);
}

#define CARRIER_RANK_MAX 5000

int carrier_ranking(Db *db, const Actor *a, int year, const char *scheme,
                    const char *type, json_t **out, Err *e)
{
    const CarrierScheme *sc = carrier_scheme_find(scheme, year);
    CarrierSheet *sheets = NULL;
    RankItem *items = NULL;
    int64_t *ids = NULL;
    int64_t maxv[CS_N];
    json_t *arr = NULL;
    DbStmt *st = NULL;
    Sqlq q;
    int n = 0, cap = 64, flagged, rc;

    *out = NULL;
    if (year < 1900 || year > 2999) {
        return err_set(e, ERR_INVALID, "year", "年度应在 1900～2999 之间");
    }
    if (!sc) {
        return err_set(e, ERR_INVALID, "scheme",
                       scheme && *scheme ? "没有这个评分方案"
                                         : "该年度没有适用的评分方案");
    }
    if (type && *type && !carrier_type_find(type)) {
        return err_set(e, ERR_INVALID, "type", "载体类型不在代码表中");
    }
    sqlq_init(&q, "SELECT c.id, c.name, c.type FROM carriers c JOIN "
                  "org_units o ON o.id = c.unit_id WHERE c.retired_at IS NULL");
    cu_scope(&q, a, "o.path");
    if (type && *type) {
        sqlq_addf(&q, " AND c.type = $%d", sqlq_text(&q, type));
    }
    sqlq_addf(&q, " ORDER BY c.id");
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    if (rc) {
        return rc;
    }
    items = xmalloc(sizeof *items * (size_t)cap);
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (n == CARRIER_RANK_MAX) {
            rc = err_set(e, ERR_TOOBIG, NULL,
                         "参与排名的载体过多（最多 %d 个）", CARRIER_RANK_MAX);
            break;
        }
        if (n == cap) {
            cap *= 2;
            items = realloc(items, sizeof *items * (size_t)cap);
            if (!items) {
                abort();
            }
        }
        memset(&items[n], 0, sizeof items[n]);
        items[n].id = db_col_int64(st, 0);
        items[n].name = xstrdup(db_col_text(st, 1));
        items[n].type = xstrdup(db_col_text(st, 2));
        items[n].i = n;
        n++;
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        goto out;
    }
    ids = xmalloc(sizeof *ids * (size_t)(n ? n : 1));
    sheets = xmalloc(sizeof *sheets * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        ids[i] = items[i].id;
    }
    rc = carrier_sheet_compute(db, year, ids, n, sheets, e);
    if (rc) {
        goto out;
    }
    for (int k = 0; k < CS_N; k++) {
        maxv[k] = 0;
        for (int i = 0; i < n; i++) {
            if (sheets[i].has[k] && sheets[i].v[k] > maxv[k]) {
                maxv[k] = sheets[i].v[k];
            }
        }
    }
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < CS_N; k++) {
            int64_t v = sheets[i].has[k] ? sheets[i].v[k] : 0;
            if (sc->weights[k] && maxv[k] > 0) {
                /* exact hundredths, rounded down */
                items[i].parts[k] =
                    (int64_t)((__int128)sc->weights[k] * 100 * v / maxv[k]);
                items[i].score += items[i].parts[k];
            }
        }
    }
    qsort(items, (size_t)n, sizeof *items, rank_cmp);
    flagged = n >= 3 ? (n * sc->bottom_pct + 99) / 100 : 0;
    arr = json_array();
    for (int i = 0, rank = 0; i < n; i++) {
        const CarrierType *t = carrier_type_find(items[i].type);
        const CarrierSheet *s = &sheets[items[i].i];
        json_t *parts = json_object(), *vals = json_object();
        if (i == 0 || items[i].score != items[i - 1].score) {
            rank = i + 1;
        }
        for (int k = 0; k < CS_N; k++) {
            if (sc->weights[k]) {
                json_object_set_new(parts, carrier_indicators[k].code,
                                    rank_points(items[i].parts[k]));
            }
            json_object_set_new(vals, carrier_indicators[k].code,
                                sheet_value_json(k, s->has[k], s->v[k]));
        }
        json_array_append_new(
            arr, json_pack("{sisIsssssssIsosososb}", "rank", rank, "carrier_id",
                           (json_int_t)items[i].id, "name", items[i].name,
                           "type", items[i].type, "type_name", t ? t->name : "",
                           "score", (json_int_t)items[i].score, "score_text",
                           rank_points(items[i].score), "parts", parts,
                           "values", vals, "flagged", i >= n - flagged));
    }
    *out = json_pack("{s{sssssi}sisiso}", "scheme", "code", sc->code, "name",
                     sc->name, "bottom_pct", sc->bottom_pct, "year", year,
                     "flagged", flagged, "items", arr);
    rc = 0;
out:
    for (int i = 0; i < n; i++) {
        free((char *)items[i].name);
        free((char *)items[i].type);
    }
    free(items);
    free(ids);
    free(sheets);
    return rc;
}
