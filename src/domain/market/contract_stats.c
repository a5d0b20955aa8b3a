/* contract_stats.c - contract statistics, the 技术合同成交额 indicator and
 * the tax-relief estimate (see contract_stats.h). */
#include "domain/market/contract_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/mem.h"
#include "base/money.h"
#include "db/sqlq.h"
#include "domain/market/contract.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define CS_TAX_EXEMPT ((int64_t)5000000) /* 500 万元 */

static json_t *cs_wan(int64_t yuan)
{
    Buf b;
    json_t *j;

    buf_init(&b, 64);
    money_format_wan(yuan, &b);
    j = json_string(b.data);
    buf_release(&b);
    return j;
}

static int cs_check_date(const char *s, const char *field, Err *e)
{
    Date d;

    if (!s || strlen(s) != 10) {
        return err_set(e, ERR_INVALID, field, "日期应为 YYYY-MM-DD");
    }
    return date_parse(s, &d, field, e);
}

int market_indicator_contract_amount(Db *db, int64_t unit_id, const char *from,
                                     const char *to, const MarketConv *conv,
                                     int64_t *yuan, int64_t *n_contracts,
                                     Err *e)
{
    static const MarketConv def = MARKET_CONV_DEFAULT;
    char *path = NULL;
    DbStmt *st = NULL;
    Sqlq q;
    Buf pat;
    int rc;

    *yuan = 0;
    if (n_contracts) {
        *n_contracts = 0;
    }
    if (!conv) {
        conv = &def;
    }
    rc = cs_check_date(from, "from", e);
    if (rc == 0) {
        rc = cs_check_date(to, "to", e);
    }
    if (rc) {
        return rc;
    }
    rc = db_query_text(db, &path, e, "SELECT path FROM org_units WHERE id = $1",
                       "i", unit_id);
    if (rc == ERR_NOTFOUND) {
        return err_set(e, ERR_NOTFOUND, "unit_id", "单位不存在");
    }
    if (rc) {
        return rc;
    }
    buf_init(&pat, 512);
    buf_appendf(&pat, "%s%s", path, conv->own_unit_only ? "" : "%");
    sqlq_init(&q, conv->amount == MARKET_AMOUNT_TECH
                      ? "SELECT COALESCE(SUM(c.tech_amount), 0), COUNT(*)"
                      : "SELECT COALESCE(SUM(c.amount), 0), COUNT(*)");
    sqlq_addf(&q, " FROM contracts c JOIN org_units o ON o.id = c.unit_id "
                  "WHERE c.status = 'registered'");
    sqlq_addf(&q, " AND o.path LIKE $%d", sqlq_text(&q, pat.data));
    if (conv->date == MARKET_DATE_SIGNED) {
        sqlq_addf(&q, " AND c.signed_on >= $%d AND c.signed_on <= $%d",
                  sqlq_text(&q, from), sqlq_text(&q, to));
    } else {
        sqlq_addf(&q, " AND c.registered_on >= $%d AND c.registered_on <= $%d",
                  sqlq_text(&q, from), sqlq_text(&q, to));
    }
    if (conv->seller_in_lib) {
        sqlq_addf(&q, " AND c.seller_ent_id IS NOT NULL");
    }
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *yuan = db_col_int64(st, 0);
            if (n_contracts) {
                *n_contracts = db_col_int64(st, 1);
            }
            rc = 0;
        }
    }
    db_finalize(st);
    sqlq_release(&q);
    buf_release(&pat);
    free(path);
    return rc;
}

/* ---- statistics ---- */

typedef struct CsAgg {
    char key[64];
    int64_t count, amount, tech;
} CsAgg;

typedef struct CsSet {
    CsAgg *v;
    size_t n, cap;
} CsSet;

static CsAgg *cs_get(CsSet *s, const char *key)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].key, key) == 0) {
            return &s->v[i];
        }
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 32;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    memset(&s->v[s->n], 0, sizeof s->v[s->n]);
    snprintf(s->v[s->n].key, sizeof s->v[s->n].key, "%s", key);
    return &s->v[s->n++];
}

/* Key text of a unit path under base ("/1/" + "/1/4/9/" -> "4"); the base
 * unit itself gives its own id. */
static void cs_child_of(const char *base, const char *path, char *out,
                        size_t cap)
{
    size_t n = strlen(base);
    const char *p = path + n;
    size_t j = 0;

    if (strncmp(base, path, n) != 0 || !*p) {
        /* the base unit itself: its last id */
        const char *end = path + strlen(path) - 1;
        const char *s = end;
        while (s > path && s[-1] != '/') {
            s--;
        }
        snprintf(out, cap, "%.*s", (int)(end - s), s);
        return;
    }
    while (p[j] && p[j] != '/' && j + 1 < cap) {
        out[j] = p[j];
        j++;
    }
    out[j] = '\0';
}

/* Run q (key, count, 成交额, 技术交易额 per row) and add its rows to set. */
static int cs_accumulate(Db *db, Sqlq *q, CsSet *set, Err *e)
{
    DbStmt *st = NULL;
    int rc = sqlq_prepare(q, db, &st, e);

    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *k = db_col_text(st, 0);
        char key[64];
        CsAgg *g;
        snprintf(key, sizeof key, "%s", k ? k : "");
        g = cs_get(set, key);
        g->count += db_col_int64(st, 1);
        g->amount += db_col_int64(st, 2);
        g->tech += db_col_int64(st, 3);
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

/* Aggregate the registered contracts of the months [from, to] ("YYYY-MM")
 * in scope from the kept sums (contract_sums, migration 028; the same
 * figures as grouping the contracts themselves). A group whose count is 0
 * (every contract of it cancelled, amended away or deleted) is left out,
 * as a scan of the contracts would not find it. */
static int cs_collect(Db *db, const char *scope, const ContractStatsQuery *qq,
                      const char *keyexpr, const char *from, const char *to,
                      CsSet *set, Err *e)
{
    Sqlq q;
    Buf sql;
    int rc;

    buf_init(&sql, 1024);
    buf_appendf(&sql,
                "SELECT %s, SUM(s.n), SUM(s.amount), SUM(s.tech_amount) FROM "
                "contract_sums s JOIN org_units o ON o.id = s.unit_id WHERE "
                "s.ym >= $1 AND s.ym <= $2",
                keyexpr);
    sqlq_init(&q, sql.data);
    sqlq_text(&q, from);
    sqlq_text(&q, to);
    sqlq_addf(&q, " AND o.path LIKE $%d", sqlq_text(&q, scope));
    if (qq->type && *qq->type) {
        sqlq_addf(&q, " AND s.type = $%d",
                  sqlq_text(&q, contract_type_find(qq->type)->code));
    }
    if (qq->field) {
        sqlq_addf(&q, " AND s.field = $%d", sqlq_int(&q, qq->field));
    }
    sqlq_addf(&q, " GROUP BY %s HAVING SUM(s.n) <> 0", keyexpr);
    rc = cs_accumulate(db, &q, set, e);
    sqlq_release(&q);
    buf_release(&sql);
    return rc;
}

/* The same from the contracts themselves (the definition the kept sums
 * follow; ContractStatsQuery.from_rows): the registered contracts of the
 * dates [from, to] in scope. */
static int cs_collect_rows(Db *db, const char *scope,
                           const ContractStatsQuery *qq, const char *keyexpr,
                           const char *from, const char *to, CsSet *set, Err *e)
{
    Sqlq q;
    Buf sql;
    int rc;

    buf_init(&sql, 1024);
    buf_appendf(&sql,
                "SELECT %s, COUNT(*), SUM(c.amount), SUM(c.tech_amount) FROM "
                "contracts c JOIN org_units o ON o.id = c.unit_id WHERE "
                "c.status = 'registered'",
                keyexpr);
    sqlq_init(&q, sql.data);
    sqlq_addf(&q, " AND o.path LIKE $%d", sqlq_text(&q, scope));
    sqlq_addf(&q, " AND c.registered_on >= $%d AND c.registered_on <= $%d",
              sqlq_text(&q, from), sqlq_text(&q, to));
    if (qq->type && *qq->type) {
        sqlq_addf(&q, " AND c.type = $%d",
                  sqlq_text(&q, contract_type_find(qq->type)->code));
    }
    if (qq->field) {
        sqlq_addf(&q, " AND c.field = $%d", sqlq_int(&q, qq->field));
    }
    sqlq_addf(&q, " GROUP BY %s", keyexpr);
    rc = cs_accumulate(db, &q, set, e);
    sqlq_release(&q);
    buf_release(&sql);
    return rc;
}

/* The month "YYYY-MM" of a date "YYYY-MM-DD" into out (8 bytes). */
static const char *cs_ym(const char *date, char *out)
{
    memcpy(out, date, 7);
    out[7] = '\0';
    return out;
}

static json_t *cs_yoy(int64_t cur, int64_t prev)
{
    char buf[32];
    int64_t tenths;

    if (prev <= 0) {
        return json_null();
    }
    /* (cur - prev) / prev in tenths of a percent, rounded half away */
    tenths = ((cur - prev) * 2000 / prev);
    tenths = tenths >= 0 ? (tenths + 1) / 2 : -((-tenths + 1) / 2);
    snprintf(buf, sizeof buf, "%s%lld.%lld", tenths < 0 ? "-" : "",
             (long long)(llabs(tenths) / 10), (long long)(llabs(tenths) % 10));
    return json_string(buf);
}

static json_t *cs_item(const char *key, const char *label, const CsAgg *cur,
                       const CsAgg *prev, json_t *filter)
{
    static const CsAgg zero;
    json_t *o;

    if (!cur) {
        cur = &zero;
    }
    o = json_pack("{sssssIsIsosIso}", "key", key, "label", label, "count",
                  (json_int_t)cur->count, "amount", (json_int_t)cur->amount,
                  "amount_wan", cs_wan(cur->amount), "tech_amount",
                  (json_int_t)cur->tech, "tech_amount_wan", cs_wan(cur->tech));
    if (prev) {
        json_object_set_new(o, "prev_amount", json_integer(prev->amount));
        json_object_set_new(o, "prev_amount_wan", cs_wan(prev->amount));
        json_object_set_new(o, "yoy_pct", cs_yoy(cur->amount, prev->amount));
    } else {
        json_object_set_new(o, "prev_amount", json_integer(0));
        json_object_set_new(o, "prev_amount_wan", json_string("0"));
        json_object_set_new(o, "yoy_pct", json_null());
    }
    json_object_set_new(o, "filter", filter);
    return o;
}

static CsAgg *cs_find(CsSet *s, const char *key)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].key, key) == 0) {
            return &s->v[i];
        }
    }
    return NULL;
}

static json_t *cs_filter(const char *from, const char *to)
{
    return json_pack("{ssssss}", "status", "registered", "from", from, "to",
                     to);
}

int contract_stats(Db *db, const Actor *a, const ContractStatsQuery *q,
                   json_t **out, Err *e)
{
    static const char *const groups[] = {"month",       "quarter",     "year",
                                         "type",        "field",       "unit",
                                         "buyer_place", "seller_place"};
    char scope[ACTOR_PATH_MAX];
    char from[32], to[32], pfrom[32], pto[32], mfrom[8], mto[8];
    CsSet cur = {0}, prev = {0};
    json_t *items = NULL;
    CsAgg total = {{0}, 0, 0, 0}, ptotal = {{0}, 0, 0, 0};
    const char *g = q->group && *q->group ? q->group : "month";
    const char *keyexpr = NULL, *rowexpr = NULL;
    int years = q->years > 0 ? q->years : 5;
    size_t i;
    int rc = 0, ok = 0;

    *out = NULL;
    for (i = 0; i < N_OF(groups); i++) {
        ok |= strcmp(g, groups[i]) == 0;
    }
    if (!ok) {
        return err_set(e, ERR_INVALID, "group",
                       "分组应为 month、quarter、year、type、field、unit、"
                       "buyer_place 或 seller_place");
    }
    if (q->year < 1990 || q->year > 2999) {
        return err_set(e, ERR_INVALID, "year", "年份应在 1990–2999 之间");
    }
    if (years > 20) {
        return err_set(e, ERR_INVALID, "years", "年数不能超过 20");
    }
    if (q->type && *q->type && !contract_type_find(q->type)) {
        return err_set(e, ERR_INVALID, "type", "未知的合同类别");
    }
    /* scope: the actor's, narrowed to unit_id when it lies inside it */
    snprintf(scope, sizeof scope, "%s", a->unit_path);
    if (q->unit_id) {
        char *p = NULL;
        rc =
            db_query_text(db, &p, e, "SELECT path FROM org_units WHERE id = $1",
                          "i", q->unit_id);
        if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, p))) {
            free(p);
            return err_set(e, ERR_NOTFOUND, "unit_id", "单位不存在");
        }
        if (rc) {
            return rc;
        }
        snprintf(scope, sizeof scope, "%s", p);
        free(p);
    }
    if (strcmp(g, "year") == 0) {
        snprintf(from, sizeof from, "%04d-01-01", q->year - years + 1);
        snprintf(pfrom, sizeof pfrom, "%04d-01-01", q->year - years);
    } else {
        snprintf(from, sizeof from, "%04d-01-01", q->year);
        snprintf(pfrom, sizeof pfrom, "%04d-01-01", q->year - 1);
    }
    snprintf(to, sizeof to, "%04d-12-31", q->year);
    snprintf(pto, sizeof pto, "%04d-12-31", q->year - 1);
    /* the group's key in the kept sums (s) and in the contracts (c) */
    if (strcmp(g, "month") == 0 || strcmp(g, "quarter") == 0) {
        keyexpr = "SUBSTR(s.ym, 6, 2)";
        rowexpr = "SUBSTR(c.registered_on, 6, 2)";
    } else if (strcmp(g, "year") == 0) {
        keyexpr = "SUBSTR(s.ym, 1, 4)";
        rowexpr = "SUBSTR(c.registered_on, 1, 4)";
    } else if (strcmp(g, "type") == 0) {
        keyexpr = "s.type";
        rowexpr = "c.type";
    } else if (strcmp(g, "field") == 0) {
        keyexpr = "NULLIF(s.field, 0)";
        rowexpr = "c.field";
    } else if (strcmp(g, "unit") == 0) {
        keyexpr = "o.path";
        rowexpr = "o.path";
    } else if (strcmp(g, "buyer_place") == 0) {
        keyexpr = "s.buyer_place";
        rowexpr = "c.buyer_place";
    } else {
        keyexpr = "s.seller_place";
        rowexpr = "c.seller_place";
    }
    {
        char like[ACTOR_PATH_MAX + 4];
        snprintf(like, sizeof like, "%s%%", scope);
        if (q->from_rows) {
            rc = cs_collect_rows(db, like, q, rowexpr, from, to, &cur, e);
            if (rc == 0) {
                rc =
                    cs_collect_rows(db, like, q, rowexpr, pfrom, pto, &prev, e);
            }
        } else {
            /* the periods are whole years: their months ("YYYY-MM") */
            rc = cs_collect(db, like, q, keyexpr, cs_ym(from, mfrom),
                            cs_ym(to, mto), &cur, e);
            if (rc == 0) {
                rc = cs_collect(db, like, q, keyexpr, cs_ym(pfrom, mfrom),
                                cs_ym(pto, mto), &prev, e);
            }
        }
    }
    if (rc) {
        goto out;
    }
    for (i = 0; i < cur.n; i++) {
        total.count += cur.v[i].count;
        total.amount += cur.v[i].amount;
        total.tech += cur.v[i].tech;
    }
    for (i = 0; i < prev.n; i++) {
        ptotal.count += prev.v[i].count;
        ptotal.amount += prev.v[i].amount;
        ptotal.tech += prev.v[i].tech;
    }
    items = json_array();
    if (strcmp(g, "month") == 0) {
        int m;
        for (m = 1; m <= 12; m++) {
            char key[16], label[32], month[32];
            snprintf(key, sizeof key, "%02d", m);
            snprintf(label, sizeof label, "%d月", m);
            snprintf(month, sizeof month, "%04d-%02d", q->year, m);
            json_array_append_new(
                items,
                cs_item(month, label, cs_find(&cur, key), cs_find(&prev, key),
                        json_pack("{ssss}", "status", "registered", "month",
                                  month)));
        }
    } else if (strcmp(g, "quarter") == 0) {
        int qu, m;
        for (qu = 1; qu <= 4; qu++) {
            CsAgg c = {{0}, 0, 0, 0}, p = {{0}, 0, 0, 0};
            char key[32], label[32], f[32], t[32];
            for (m = 3 * qu - 2; m <= 3 * qu; m++) {
                char mk[8];
                CsAgg *x;
                snprintf(mk, sizeof mk, "%02d", m);
                if ((x = cs_find(&cur, mk))) {
                    c.count += x->count;
                    c.amount += x->amount;
                    c.tech += x->tech;
                }
                if ((x = cs_find(&prev, mk))) {
                    p.count += x->count;
                    p.amount += x->amount;
                    p.tech += x->tech;
                }
            }
            snprintf(key, sizeof key, "%04d-Q%d", q->year, qu);
            snprintf(label, sizeof label, "第%d季度", qu);
            snprintf(f, sizeof f, "%04d-%02d-01", q->year, 3 * qu - 2);
            snprintf(t, sizeof t, "%04d-%02d-%02d", q->year, 3 * qu,
                     qu == 1 || qu == 4 ? 31 : 30);
            json_array_append_new(items,
                                  cs_item(key, label, &c, &p, cs_filter(f, t)));
        }
    } else if (strcmp(g, "year") == 0) {
        int y;
        for (y = q->year - years + 1; y <= q->year; y++) {
            char key[16], pk[16], label[32], f[32], t[32];
            snprintf(key, sizeof key, "%04d", y);
            snprintf(pk, sizeof pk, "%04d", y - 1);
            snprintf(label, sizeof label, "%d年", y);
            snprintf(f, sizeof f, "%04d-01-01", y);
            snprintf(t, sizeof t, "%04d-12-31", y);
            /* the previous year lies in cur, or (first year) in prev */
            json_array_append_new(items, cs_item(key, label, cs_find(&cur, key),
                                                 cs_find(&cur, pk)
                                                     ? cs_find(&cur, pk)
                                                     : cs_find(&prev, pk),
                                                 cs_filter(f, t)));
        }
    } else if (strcmp(g, "unit") == 0) {
        /* fold unit paths to the units right below the scope */
        CsSet fc = {0}, fp = {0};
        for (i = 0; i < cur.n; i++) {
            char k[64];
            CsAgg *x;
            cs_child_of(scope, cur.v[i].key, k, sizeof k);
            x = cs_get(&fc, k);
            x->count += cur.v[i].count;
            x->amount += cur.v[i].amount;
            x->tech += cur.v[i].tech;
        }
        for (i = 0; i < prev.n; i++) {
            char k[64];
            CsAgg *x;
            cs_child_of(scope, prev.v[i].key, k, sizeof k);
            x = cs_get(&fp, k);
            x->count += prev.v[i].count;
            x->amount += prev.v[i].amount;
            x->tech += prev.v[i].tech;
        }
        for (i = 0; i < fc.n; i++) {
            char *name = NULL;
            int64_t uid = strtoll(fc.v[i].key, NULL, 10);
            json_t *flt = cs_filter(from, to);
            Err ne;
            if (db_query_text(db, &name, &ne,
                              "SELECT name FROM org_units WHERE id = $1", "i",
                              uid) != 0) {
                name = NULL;
            }
            json_object_set_new(flt, "unit_id", json_integer(uid));
            json_array_append_new(
                items, cs_item(fc.v[i].key, name ? name : "", &fc.v[i],
                               cs_find(&fp, fc.v[i].key), flt));
            free(name);
        }
        free(fc.v);
        free(fp.v);
    } else {
        for (i = 0; i < cur.n; i++) {
            const char *k = cur.v[i].key;
            const char *label;
            json_t *flt = cs_filter(from, to);
            if (strcmp(g, "type") == 0) {
                const ContractType *t = contract_type_find(k);
                label = t ? t->name : k;
                json_object_set_new(flt, "type", json_string(k));
            } else if (strcmp(g, "field") == 0) {
                int64_t fv = strtoll(k, NULL, 10);
                label = contract_field_name(fv) ? contract_field_name(fv)
                                                : "未填写";
                json_object_set_new(flt, "field", json_integer(fv ? fv : -1));
            } else {
                label = contract_place_name(k) ? contract_place_name(k) : k;
                json_object_set_new(flt, g, json_string(k));
            }
            json_array_append_new(
                items, cs_item(k, label, &cur.v[i], cs_find(&prev, k), flt));
        }
    }
    *out = json_pack("{sssIso}", "group", g, "year", (json_int_t)q->year,
                     "items", items);
    items = NULL;
    json_object_set_new(
        *out, "total",
        cs_item("total", "合计", &total, &ptotal, cs_filter(from, to)));
out:
    json_decref(items);
    free(cur.v);
    free(prev.v);
    return rc;
}

int contract_stats_top(Db *db, const Actor *a, const char *side, int year,
                       int64_t limit, json_t **out, Err *e)
{
    char scope[ACTOR_PATH_MAX + 2], from[32], to[32];
    const char *sql;
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    if (!side || (strcmp(side, "seller") != 0 && strcmp(side, "buyer") != 0)) {
        return err_set(e, ERR_INVALID, "side", "side 应为 seller 或 buyer");
    }
    if (year < 1990 || year > 2999) {
        return err_set(e, ERR_INVALID, "year", "年份应在 1990–2999 之间");
    }
    snprintf(scope, sizeof scope, "%s%%", a->unit_path);
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    if (strcmp(side, "seller") == 0) {
        sql = "SELECT MAX(c.seller_name), c.seller_uscc, MAX(c.seller_ent_id), "
              "COUNT(*), SUM(c.amount), SUM(c.tech_amount) FROM contracts c "
              "JOIN org_units o ON o.id = c.unit_id WHERE c.status = "
              "'registered' AND o.path LIKE $1 AND c.registered_on >= $2 AND "
              "c.registered_on <= $3 GROUP BY c.seller_uscc, CASE WHEN "
              "c.seller_uscc IS NULL THEN c.seller_name END ORDER BY "
              "SUM(c.amount) DESC, MAX(c.seller_name) LIMIT $4";
    } else {
        sql = "SELECT MAX(c.buyer_name), c.buyer_uscc, MAX(c.buyer_ent_id), "
              "COUNT(*), SUM(c.amount), SUM(c.tech_amount) FROM contracts c "
              "JOIN org_units o ON o.id = c.unit_id WHERE c.status = "
              "'registered' AND o.path LIKE $1 AND c.registered_on >= $2 AND "
              "c.registered_on <= $3 GROUP BY c.buyer_uscc, CASE WHEN "
              "c.buyer_uscc IS NULL THEN c.buyer_name END ORDER BY "
              "SUM(c.amount) DESC, MAX(c.buyer_name) LIMIT $4";
    }
    rc = db_prepare_v(db, &st, e, sql, "ttti", scope, from, to, limit);
    *out = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *u = db_col_text(st, 1);
        json_array_append_new(
            *out,
            json_pack("{sssosososIsIsosIso}", "name", db_col_text(st, 0),
                      "uscc", u ? json_string(u) : json_null(), "ent_id",
                      db_col_is_null(st, 2) ? json_null()
                                            : json_integer(db_col_int64(st, 2)),
                      "side", json_string(side), "count",
                      (json_int_t)db_col_int64(st, 3), "amount",
                      (json_int_t)db_col_int64(st, 4), "amount_wan",
                      cs_wan(db_col_int64(st, 4)), "tech_amount",
                      (json_int_t)db_col_int64(st, 5), "tech_amount_wan",
                      cs_wan(db_col_int64(st, 5))));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int64_t contract_tax_relief_of(int64_t income)
{
    if (income <= 0) {
        return 0;
    }
    if (income <= CS_TAX_EXEMPT) {
        return income / 4;
    }
    return CS_TAX_EXEMPT / 4 + (income - CS_TAX_EXEMPT) / 8;
}

int contract_tax_relief(Db *db, const Actor *a, int year, json_t **out, Err *e)
{
    char scope[ACTOR_PATH_MAX + 2], from[32], to[32];
    DbStmt *st = NULL;
    json_t *arr;
    int rc;

    *out = NULL;
    if (year < 1990 || year > 2999) {
        return err_set(e, ERR_INVALID, "year", "年份应在 1990–2999 之间");
    }
    snprintf(scope, sizeof scope, "%s%%", a->unit_path);
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    rc = db_prepare_v(
        db, &st, e,
        "SELECT c.seller_ent_id, en.name, en.uscc, COUNT(*), "
        "SUM(c.tech_amount) FROM contracts c JOIN org_units o ON o.id = "
        "c.unit_id JOIN enterprises en ON en.id = c.seller_ent_id WHERE "
        "c.status = 'registered' AND c.type IN ('ZR', 'XK') AND o.path LIKE "
        "$1 AND c.registered_on >= $2 AND c.registered_on <= $3 GROUP BY "
        "c.seller_ent_id, en.name, en.uscc ORDER BY SUM(c.tech_amount) DESC, "
        "en.name",
        "ttt", scope, from, to);
    arr = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t inc = db_col_int64(st, 4);
        int64_t ex = inc < CS_TAX_EXEMPT ? inc : CS_TAX_EXEMPT;
        int64_t half = inc > CS_TAX_EXEMPT ? inc - CS_TAX_EXEMPT : 0;
        int64_t rel = contract_tax_relief_of(inc);
        json_array_append_new(
            arr,
            json_pack("{sIsssssIsIsosososIso}", "ent_id",
                      (json_int_t)db_col_int64(st, 0), "name",
                      db_col_text(st, 1), "uscc", db_col_text(st, 2), "count",
                      (json_int_t)db_col_int64(st, 3), "income",
                      (json_int_t)inc, "income_wan", cs_wan(inc), "exempt_wan",
                      cs_wan(ex), "halved_wan", cs_wan(half), "relief",
                      (json_int_t)rel, "relief_wan", cs_wan(rel)));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}
