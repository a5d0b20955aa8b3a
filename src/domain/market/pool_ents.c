/* pool_ents.c - the enterprises that could use an achievement (see
 * pool_ents.h). The term index (pool_tix.h; without it, one scan of the
 * enterprises) scores terms, industry and field of those in scope in C;
 * the buyers' contracts in the field come from one grouped query; the R&D
 * expense is read for the best POOL_ENTS_SHORTLIST only. */
#include "domain/market/pool_ents.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/money.h"
#include "domain/accounts/scope.h"
#include "domain/library/industry.h"
#include "domain/market/pool.h"
#include "domain/market/pool_tix.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* 高新技术领域 (industry.h order: 1 电子信息, 2 生物与新医药, 3 航空航天,
 * 4 新材料, 5 高技术服务, 6 新能源与节能, 7 资源与环境, 8 先进制造与自动化)
 * of each contract 技术领域 (contract.c order). 核应用技术 is under 新能源
 * (核能), 现代交通 under 先进制造 (汽车及轨道车辆); 农业 and 城市建设与社会
 * 发展 have no counterpart. */
static const int pe_field_domain[] = {1, 3, 8, 2, 4, 6, 7, 6, 0, 8, 0};

int pool_ents_domain_of_field(int64_t field)
{
    if (field < 1 || field > (int64_t)N_OF(pe_field_domain)) {
        return 0;
    }
    return pe_field_domain[field - 1];
}

/* Words of nearly every enterprise name: their bigrams never count as a
 * shared term. */
static const char pe_stop_text[] =
    "天津市 有限责任公司 股份有限公司 集团 科技 技术 发展 实业 贸易 中国 "
    "北京 上海 河东区 新区 分公司 研究院 工程";

/* the most R&D activity adds to a score */
#define PE_RD_MAX 15

typedef struct PeCand {
    int64_t id;
    int64_t contracts;
    int score;
    int shared;
    int ind_digits; /* common industry digits: 0, 2, 3 or 4 */
    int domain;
} PeCand;

static int pe_cmp(const void *x, const void *y)
{
    const PeCand *a = x, *b = y;
    if (a->score != b->score) {
        return a->score > b->score ? -1 : 1;
    }
    return a->id < b->id ? -1 : a->id > b->id;
}

static int pe_cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Terms of a[] that are not in stop[] (both sorted), in place; the new
 * count. */
static size_t pe_drop_stop(uint64_t *a, size_t n, const uint64_t *stop,
                           size_t ns)
{
    size_t i, w = 0;

    for (i = 0; i < n; i++) {
        if (!bsearch(&a[i], stop, ns, sizeof *stop, pe_cmp_u64)) {
            a[w++] = a[i];
        }
    }
    return w;
}

/* The digits of an industry code ("C3963" -> "3963") into out (cap 8). */
static void pe_digits(const char *code, char out[8])
{
    size_t j = 0;

    for (; code && *code && j + 1 < 8; code++) {
        if (isdigit((unsigned char)*code)) {
            out[j++] = *code;
        }
    }
    out[j] = '\0';
}

/* How many leading digits (2, 3 or 4; 0 below 2) codes a and b share. */
static int pe_common_digits(const char *a, const char *b)
{
    int n = 0;

    while (n < 4 && a[n] && b[n] && a[n] == b[n]) {
        n++;
    }
    return n >= 2 ? n : 0;
}

/* Buyers' registered contracts in field: sorted ids and their counts. */
typedef struct PeBuyers {
    int64_t *ids;
    int64_t *counts;
    size_t n;
} PeBuyers;

static int pe_buyers_load(Db *db, int64_t field, PeBuyers *b, Err *e)
{
    DbStmt *st = NULL;
    size_t cap = 0;
    int rc;

    memset(b, 0, sizeof *b);
    rc = db_prepare_v(db, &st, e,
                      "SELECT buyer_ent_id, COUNT(*) FROM contracts WHERE "
                      "status = 'registered' AND field = $1 AND buyer_ent_id "
                      "IS NOT NULL GROUP BY buyer_ent_id ORDER BY "
                      "buyer_ent_id",
                      "i", field);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        if (b->n == cap) {
            cap = cap ? 2 * cap : 64;
            b->ids = xrealloc(b->ids, cap * sizeof *b->ids);
            b->counts = xrealloc(b->counts, cap * sizeof *b->counts);
        }
        b->ids[b->n] = db_col_int64(st, 0);
        b->counts[b->n] = db_col_int64(st, 1);
        b->n++;
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

static int64_t pe_buyers_count(const PeBuyers *b, int64_t id)
{
    size_t lo = 0, hi = b->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->ids[mid] == id) {
            return b->counts[mid];
        }
        if (b->ids[mid] < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return 0;
}

/* The scoring inputs of the achievement. */
typedef struct PeAch {
    uint64_t *terms;
    size_t n_terms;
    PoolTermSet set;
    char ind[8];
    int64_t field;
    int domain;
    int64_t holder; /* its enterprise, never listed; 0 none */
} PeAch;

static int pe_score(const PeCand *c)
{
    int s = 0;

    s += 10 * (c->shared < 5 ? c->shared : 5);
    s += c->ind_digits == 4   ? 30
         : c->ind_digits == 3 ? 25
         : c->ind_digits == 2 ? 20
                              : 0;
    s += c->domain ? 20 : 0;
    s += 10 * (int)(c->contracts < 3 ? c->contracts : 3);
    return s;
}

/* Score every enterprise in a's scope into *cands (caller frees). */
static int pe_scan(Db *db, const Actor *a, const PeAch *ach,
                   const PeBuyers *buyers, PeCand **cands, size_t *n_cands,
                   Err *e)
{
    int64_t *units = NULL;
    size_t n_units = 0;
    DbStmt *st = NULL;
    size_t cap = 0;
    int rc;

    *cands = NULL;
    *n_cands = 0;
    /* the scope as a set of unit ids checked in C: no join and no LIKE per
     * row. COALESCE keeps SQLite off the partial indexes on retired_at IS
     * NULL: walking one of them reads the table in random order, five
     * times slower than the scan in rowid order (measured at 100k) */
    rc = scope_unit_ids(db, a, &units, &n_units, e);
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, name, industry_code, tech_domain, "
                          "tech_subdomain, unit_id FROM enterprises WHERE "
                          "COALESCE(retired_at, '') = ''",
                          "");
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        PeCand c;
        char dig[8];
        int64_t unit = db_col_int64(st, 5);
        memset(&c, 0, sizeof c);
        c.id = db_col_int64(st, 0);
        rc = 0;
        if (c.id == ach->holder || !scope_unit_ids_has(units, n_units, unit)) {
            continue;
        }
        if (ach->set.n) {
            const char *texts[2];
            texts[0] = db_col_text(st, 1);
            texts[1] = db_col_text(st, 4);
            c.shared = (int)pool_termset_shared(&ach->set, texts, 2);
        }
        if (ach->ind[0] && db_col_text(st, 2)) {
            pe_digits(db_col_text(st, 2), dig);
            c.ind_digits = pe_common_digits(ach->ind, dig);
        }
        c.domain = ach->domain && !db_col_is_null(st, 3) &&
                   db_col_int64(st, 3) == ach->domain;
        c.contracts = pe_buyers_count(buyers, c.id);
        c.score = pe_score(&c);
        if (c.score == 0) {
            continue;
        }
        if (*n_cands == cap) {
            cap = cap ? 2 * cap : 256;
            *cands = xrealloc(*cands, cap * sizeof **cands);
        }
        (*cands)[(*n_cands)++] = c;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    free(units);
    return rc;
}

/* The best POOL_ENTS_SHORTLIST candidates so far: a heap whose root ranks
 * last (pe_cmp order). */
static void pe_heap_add(PeCand *v, size_t *n, const PeCand *c)
{
    size_t i;

    if (*n < POOL_ENTS_SHORTLIST) {
        i = (*n)++;
        v[i] = *c;
        while (i > 0 && pe_cmp(&v[(i - 1) / 2], &v[i]) < 0) {
            PeCand tmp = v[i];
            v[i] = v[(i - 1) / 2];
            v[(i - 1) / 2] = tmp;
            i = (i - 1) / 2;
        }
        return;
    }
    if (pe_cmp(c, &v[0]) >= 0) {
        return;
    }
    v[0] = *c;
    i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        PeCand tmp;
        if (l < *n && pe_cmp(&v[m], &v[l]) < 0) {
            m = l;
        }
        if (r < *n && pe_cmp(&v[m], &v[r]) < 0) {
            m = r;
        }
        if (m == i) {
            return;
        }
        tmp = v[i];
        v[i] = v[m];
        v[m] = tmp;
        i = m;
    }
}

/* pe_scan through the term index t (pool_tix.h): shared terms from the
 * postings of the achievement's terms, the rest from each enterprise's
 * stored unit, industry digits and 高新技术领域. Only the best
 * POOL_ENTS_SHORTLIST are kept (the caller reads no further). */
static int pe_scan_tix(Db *db, const Actor *a, const PoolTix *t,
                       const PeAch *ach, const PeBuyers *buyers, PeCand **cands,
                       size_t *n_cands, Err *e)
{
    int64_t *units = NULL;
    size_t n_units = 0, n, i;
    const PoolTixItem *it = pool_tix_items(t, &n);
    uint16_t *cnt;
    int rc;

    *cands = NULL;
    *n_cands = 0;
    rc = scope_unit_ids(db, a, &units, &n_units, e);
    if (rc || !units) {
        free(units);
        return rc;
    }
    cnt = xcalloc(n + 1, sizeof *cnt);
    pool_tix_count(t, ach->set.terms, ach->set.n, cnt);
    *cands = xcalloc(POOL_ENTS_SHORTLIST, sizeof **cands);
    for (i = 0; i < n; i++) {
        PeCand c;
        memset(&c, 0, sizeof c);
        c.id = it[i].id;
        if (c.id == ach->holder) {
            continue;
        }
        c.shared = cnt[i];
        c.ind_digits = ach->ind[0] ? pe_common_digits(ach->ind, it[i].code) : 0;
        c.domain = ach->domain && it[i].num == ach->domain;
        c.contracts = pe_buyers_count(buyers, c.id);
        c.score = pe_score(&c);
        if (c.score == 0 ||
            !scope_unit_ids_has(units, n_units, it[i].unit_id)) {
            continue;
        }
        pe_heap_add(*cands, n_cands, &c);
    }
    free(cnt);
    free(units);
    return 0;
}

/* The listed row of candidate c with its reasons; adds the R&D points to
 * c->score. */
static int pe_row(Db *db, const PeAch *ach, PeCand *c, json_t **out, Err *e)
{
    json_t *o = NULL, *reasons = json_array();
    DbStmt *st = NULL;
    Buf b;
    int rc;

    *out = NULL;
    buf_init(&b, 64);
    rc = db_prepare_v(db, &st, e,
                      "SELECT e.uscc, e.name, o.name, e.industry_code, "
                      "e.tech_domain, y.year, y.rd_expense FROM enterprises "
                      "e JOIN org_units o ON o.id = e.unit_id LEFT JOIN "
                      "enterprise_years y ON y.enterprise_id = e.id AND "
                      "y.year = e.latest_year WHERE e.id = $1",
                      "i", c->id);
    if (rc == 0 && (rc = db_step(st, e)) != DB_ROW) {
        rc = rc == DB_DONE ? err_set(e, ERR_NOTFOUND, "id", "企业不存在") : rc;
        goto out;
    }
    rc = 0;
    if (c->shared) {
        json_array_append_new(
            reasons, json_sprintf("企业名称或技术子领域与成果名称、简介有 %d "
                                  "个相同的词",
                                  c->shared));
    }
    if (c->ind_digits) {
        const char *code = db_col_text(st, 3);
        const char *name = industry_name_of(code);
        json_array_append_new(
            reasons,
            json_sprintf("行业代码 %s 与成果的前 %d 位相同（%s）", code,
                         c->ind_digits, name ? name : "同一大类"));
    }
    if (c->domain) {
        json_array_append_new(
            reasons, json_sprintf("成果的技术领域属于企业的高新技术领域“%s”",
                                  tech_domain_name(ach->domain)));
    }
    if (c->contracts) {
        json_array_append_new(
            reasons, json_sprintf("曾作为买方登记该技术领域的技术合同 %lld 份",
                                  (long long)c->contracts));
    }
    if (!db_col_is_null(st, 6) && db_col_int64(st, 6) > 0) {
        int64_t rd = db_col_int64(st, 6);
        c->score += rd >= 20000000 ? PE_RD_MAX : rd >= 5000000 ? 10 : 5;
        money_format_wan(rd, &b);
        json_array_append_new(
            reasons, json_sprintf("%lld 年研发费用 %s 万元",
                                  (long long)db_col_int64(st, 5), b.data));
    }
    o = json_object();
    json_object_set_new(o, "ent_id", json_integer(c->id));
    json_object_set_new(o, "uscc", json_string(db_col_text(st, 0)));
    json_object_set_new(o, "name", json_string(db_col_text(st, 1)));
    json_object_set_new(o, "unit_name", json_string(db_col_text(st, 2)));
    json_object_set_new(o, "industry_code",
                        db_col_text(st, 3) ? json_string(db_col_text(st, 3))
                                           : json_null());
    json_object_set_new(
        o, "tech_domain_name",
        db_col_is_null(st, 4) || !tech_domain_name((int)db_col_int64(st, 4))
            ? json_null()
            : json_string(tech_domain_name((int)db_col_int64(st, 4))));
    json_object_set_new(o, "rd_year",
                        db_col_is_null(st, 5)
                            ? json_null()
                            : json_integer(db_col_int64(st, 5)));
    json_object_set_new(o, "rd_expense",
                        db_col_is_null(st, 6)
                            ? json_null()
                            : json_integer(db_col_int64(st, 6)));
    json_object_set_new(o, "buyer_contracts", json_integer(c->contracts));
    json_object_set_new(o, "reasons", reasons);
    reasons = NULL;
    *out = o;
out:
    db_finalize(st);
    json_decref(reasons);
    buf_release(&b);
    return rc;
}

static int pe_cmp_rows(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    json_int_t sa = json_integer_value(json_object_get(a, "score"));
    json_int_t sb = json_integer_value(json_object_get(b, "score"));
    json_int_t ia = json_integer_value(json_object_get(a, "ent_id"));
    json_int_t ib = json_integer_value(json_object_get(b, "ent_id"));
    if (sa != sb) {
        return sa > sb ? -1 : 1;
    }
    return ia < ib ? -1 : ia > ib;
}

int pool_ents_match(Db *db, const Actor *a, int64_t id, int limit, json_t **out,
                    Err *e)
{
    json_t *item = NULL, **rows = NULL;
    uint64_t *stop = NULL;
    PeCand *cands = NULL;
    size_t n_cands = 0, n_stop, n_rows = 0, i;
    PeBuyers buyers;
    PeAch ach;
    PoolTix *tix = NULL;
    Buf text;
    int floor = 0;
    int rc;

    *out = NULL;
    memset(&ach, 0, sizeof ach);
    memset(&buyers, 0, sizeof buyers);
    buf_init(&text, 1 << 13);
    if (limit < 1 || limit > POOL_ENTS_MAX) {
        limit = 10;
    }
    rc = pool_get(db, a, id, &item, e);
    if (rc) {
        goto out;
    }
    if (strcmp(json_string_value(json_object_get(item, "kind")),
               "achievement") != 0) {
        rc = err_set(e, ERR_INVALID, "id", "只能为成果库中的成果推荐企业");
        goto out;
    }
    buf_appendf(&text, "%s %s",
                json_string_value(json_object_get(item, "title")),
                json_is_string(json_object_get(item, "summary"))
                    ? json_string_value(json_object_get(item, "summary"))
                    : "");
    ach.n_terms = pool_terms(text.data, &ach.terms);
    n_stop = pool_terms(pe_stop_text, &stop);
    ach.n_terms = pe_drop_stop(ach.terms, ach.n_terms, stop, n_stop);
    pool_termset_init(&ach.set, ach.terms, ach.n_terms);
    pe_digits(json_string_value(json_object_get(item, "industry_code")),
              ach.ind);
    if (strlen(ach.ind) < 2) {
        ach.ind[0] = '\0';
    }
    ach.field = json_integer_value(json_object_get(item, "field"));
    ach.domain = pool_ents_domain_of_field(ach.field);
    ach.holder = json_integer_value(json_object_get(item, "ent_id"));
    if (ach.field) {
        rc = pe_buyers_load(db, ach.field, &buyers, e);
    }
    if (rc == 0) {
        rc = pool_tix_get(db, POOL_TIX_ENTS, &tix, e);
    }
    if (rc == 0 && tix) {
        rc = pe_scan_tix(db, a, tix, &ach, &buyers, &cands, &n_cands, e);
    } else if (rc == 0) {
        rc = pe_scan(db, a, &ach, &buyers, &cands, &n_cands, e);
    }
    if (rc) {
        goto out;
    }
    if (n_cands > 1) {
        qsort(cands, n_cands, sizeof *cands, pe_cmp);
    }
    rows = xcalloc(n_cands < POOL_ENTS_SHORTLIST ? n_cands + 1
                                                 : POOL_ENTS_SHORTLIST,
                   sizeof(json_t *));
    /* the R&D points (at most PE_RD_MAX) can lift a candidate past the
     * limit-th one only from within PE_RD_MAX of its score: only those
     * are read */
    if (n_cands > 0) {
        size_t k = n_cands < (size_t)limit ? n_cands : (size_t)limit;
        floor = cands[k - 1].score - PE_RD_MAX;
    }
    for (i = 0; rc == 0 && i < n_cands && i < POOL_ENTS_SHORTLIST &&
                (i < (size_t)limit || cands[i].score >= floor);
         i++) {
        rc = pe_row(db, &ach, &cands[i], &rows[n_rows], e);
        if (rc == 0) {
            json_object_set_new(rows[n_rows], "score",
                                json_integer(cands[i].score));
            n_rows++;
        }
    }
    if (rc) {
        goto out;
    }
    if (n_rows > 1) {
        qsort(rows, n_rows, sizeof(json_t *), pe_cmp_rows);
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
    free(cands);
    pool_tix_release(tix);
    free(buyers.ids);
    free(buyers.counts);
    free(ach.terms);
    free(stop);
    buf_release(&text);
    json_decref(item);
    return rc;
}
